//! Reading SIP messages back from the run's captures (tcpdump `-i any`), to
//! check what a phone was sent on the wire, such as an INVITE's headers.

use std::borrow::Cow;
use std::net::SocketAddrV4;

use etherparse::{EtherType, IpNumber, LaxIpv4Slice, LaxNetSlice, LaxSlicedPacket, UdpSlice};
use pcap_file::pcap::PcapParser;
use pcap_file::{DataLink, TsResolution};

/// One IPv4 UDP datagram as captured.
#[derive(Debug, Clone, PartialEq)]
pub struct Packet<'a> {
    /// Seconds since the Unix epoch (the capturing kernel's clock, which all
    /// containers of a lab share with the host).
    pub time: f64,
    pub src: SocketAddrV4,
    pub dst: SocketAddrV4,
    pub payload: &'a [u8],
}

/// UDP payloads of a pcap file, in capture order.
pub fn udp_payloads(pcap: &[u8]) -> Vec<&[u8]> {
    udp_packets(pcap).into_iter().map(|p| p.payload).collect()
}

/// IPv4 UDP packets of a pcap file, in capture order. Understands the link
/// types `tcpdump -i any` writes (Linux cooked v1 and v2), plain Ethernet and
/// raw IP, with microsecond or nanosecond timestamps. A record cut short (a
/// capture still being written) ends the list.
pub fn udp_packets(pcap: &[u8]) -> Vec<Packet<'_>> {
    let mut out = Vec::new();
    let Ok((mut rest, parser)) = PcapParser::new(pcap) else {
        return out;
    };
    let header = parser.header();
    let per_second = match header.ts_resolution {
        TsResolution::MicroSecond => 1e6,
        TsResolution::NanoSecond => 1e9,
    };
    while let Ok((next, record)) = parser.next_raw_packet(rest) {
        rest = next;
        // Parsed from a slice, a record borrows it.
        let Cow::Borrowed(frame) = record.data else { continue };
        let Some(ip) = ipv4(header.datalink, frame) else { continue };
        let Some((src, dst, payload)) = udp(&ip) else { continue };
        out.push(Packet { time: f64::from(record.ts_sec) + f64::from(record.ts_frac) / per_second, src, dst, payload });
    }
    out
}

/// The IPv4 packet in a captured frame, if it holds one.
fn ipv4(link: DataLink, frame: &[u8]) -> Option<LaxIpv4Slice<'_>> {
    let packet = match link {
        DataLink::ETHERNET => LaxSlicedPacket::from_ethernet(frame).ok()?,
        DataLink::RAW | DataLink::IPV4 => LaxSlicedPacket::from_ip(frame).ok()?,
        // Linux cooked captures (tcpdump -i any): v1 has the EtherType at
        // bytes 14-15 of a 16-byte header, v2 (libpcap 1.10 on) at bytes 0-1
        // of a 20-byte one. Read here rather than by etherparse, which knows
        // only v1 and refuses its loopback interface.
        DataLink::LINUX_SLL => cooked(frame, 14, 16)?,
        DataLink::LINUX_SLL2 => cooked(frame, 0, 20)?,
        _ => return None,
    };
    match packet.net? {
        LaxNetSlice::Ipv4(ip) => Some(ip),
        _ => None,
    }
}

/// The network packet behind a Linux cooked header of `len` bytes whose
/// EtherType is at `at`.
fn cooked(frame: &[u8], at: usize, len: usize) -> Option<LaxSlicedPacket<'_>> {
    let ether_type = u16::from_be_bytes([*frame.get(at)?, *frame.get(at + 1)?]);
    Some(LaxSlicedPacket::from_ether_type(EtherType(ether_type), frame.get(len..)?))
}

/// Source, destination and payload of a UDP datagram. A datagram larger
/// than the link leaves in IP fragments: its first one carries the UDP
/// header and the start of the payload (all of a SIP message's headers),
/// which is what the readers here need; later fragments are skipped.
fn udp<'a>(ip: &LaxIpv4Slice<'a>) -> Option<(SocketAddrV4, SocketAddrV4, &'a [u8])> {
    let payload = ip.payload();
    if payload.ip_number != IpNumber::UDP || ip.header().fragments_offset().value() != 0 {
        return None;
    }
    // Lax: a zero or impossible UDP length (checksum offload quirks) keeps
    // what was captured; the IP length has already dropped link padding.
    let udp = UdpSlice::from_slice_lax(payload.payload).ok()?;
    let header = ip.header();
    Some((
        SocketAddrV4::new(header.source_addr(), udp.source_port()),
        SocketAddrV4::new(header.destination_addr(), udp.destination_port()),
        udp.payload(),
    ))
}

/// The value of `header` in the last INVITE sent to SIP user `user` (its
/// Request-URI user is `user` or baresip's contact form `user-0x…`).
pub fn last_invite_header(pcap: &[u8], user: &str, header: &str) -> Option<Option<String>> {
    let mut found = None;
    for payload in udp_payloads(pcap) {
        let Ok(text) = std::str::from_utf8(payload) else {
            continue;
        };
        let Some(uri_user) = text.strip_prefix("INVITE sip:").and_then(|r| r.split(['@', ' ']).next()) else {
            continue;
        };
        if uri_user != user && !uri_user.starts_with(&format!("{user}-")) {
            continue;
        }
        let value = text
            .lines()
            .take_while(|l| !l.is_empty())
            .find_map(|l| l.split_once(':').filter(|(name, _)| name.trim().eq_ignore_ascii_case(header)))
            .map(|(_, v)| v.trim().to_string());
        found = Some(value);
    }
    found
}

/// A pcap (SLL2, microseconds, little-endian, as `tcpdump -i any` writes
/// it) of UDP datagrams `(time, src, dst, payload)`, for tests.
#[cfg(test)]
pub(super) fn build(packets: &[(f64, SocketAddrV4, SocketAddrV4, &str)]) -> Vec<u8> {
    use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
    use pcap_file::Endianness;

    let header = PcapHeader { datalink: DataLink::LINUX_SLL2, endianness: Endianness::Little, ..PcapHeader::default() };
    let mut writer = PcapWriter::with_header(Vec::new(), header).expect("writes to memory");
    for (time, src, dst, payload) in packets {
        // SLL2: EtherType IPv4, then interface, link type and address, unused here.
        let mut frame = vec![0x08, 0x00];
        frame.resize(20, 0);
        let udp = etherparse::PacketBuilder::ipv4(src.ip().octets(), dst.ip().octets(), 64).udp(src.port(), dst.port());
        udp.write(&mut frame, payload.as_bytes()).expect("a datagram fits in memory");
        let at = std::time::Duration::from_micros((time * 1e6).round() as u64);
        writer.write_packet(&PcapPacket::new(at, frame.len() as u32, &frame)).expect("writes to memory");
    }
    writer.into_writer()
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::time::Duration;

    use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
    use pcap_file::Endianness;

    use super::*;

    /// Written by hand, with the IP and UDP lengths left at zero as some
    /// captures of outgoing packets show them.
    fn pcap_with(messages: &[&str]) -> Vec<u8> {
        let mut p = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0];
        p.extend_from_slice(&276u32.to_le_bytes());
        for m in messages {
            let mut frame = vec![0u8; 20]; // SLL2, EtherType IPv4
            frame[0] = 0x08;
            let mut ip = vec![0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0, 172, 28, 1, 2, 172, 28, 1, 10];
            ip.extend_from_slice(&[0x13, 0xc4, 0x13, 0xc4, 0, 0, 0, 0]);
            ip.extend_from_slice(m.as_bytes());
            frame.extend_from_slice(&ip);
            p.extend_from_slice(&[0; 8]);
            p.extend_from_slice(&(frame.len() as u32).to_le_bytes());
            p.extend_from_slice(&(frame.len() as u32).to_le_bytes());
            p.extend_from_slice(&frame);
        }
        p
    }

    #[test]
    fn the_last_invite_to_a_phone_gives_its_header() {
        let pcap = pcap_with(&[
            "INVITE sip:patron1-0x55ab@172.28.1.10:5060 SIP/2.0\r\nAlert-Info: <http://127.0.0.1/ring>;info=internal\r\n\r\n",
            "INVITE sip:patron12-0x55ab@172.28.1.10:5060 SIP/2.0\r\nAlert-Info: x\r\n\r\n",
            "SIP/2.0 200 OK\r\n\r\n",
            "INVITE sip:patron1-0x55ab@172.28.1.10:5060 SIP/2.0\r\nalert-info: <http://127.0.0.1/ring>;info=external\r\n\r\nv=0\r\nAlert-Info: body\r\n",
        ]);
        assert_eq!(
            last_invite_header(&pcap, "patron1", "Alert-Info"),
            Some(Some("<http://127.0.0.1/ring>;info=external".into()))
        );
        assert_eq!(last_invite_header(&pcap, "assistant1", "Alert-Info"), None);
        let without = pcap_with(&["INVITE sip:tm1@172.28.0.3 SIP/2.0\r\nTo: x\r\n\r\n"]);
        assert_eq!(last_invite_header(&without, "tm1", "Alert-Info"), Some(None));
    }

    #[test]
    fn packets_carry_time_and_addresses() {
        let a = SocketAddrV4::new(Ipv4Addr::new(172, 28, 1, 10), 5060);
        let b = SocketAddrV4::new(Ipv4Addr::new(172, 28, 1, 2), 5060);
        let mut pcap = build(&[(1_700_000_000.25, a, b, "OPTIONS x"), (1_700_000_001.5, b, a, "SIP/2.0 200 OK")]);
        // Link padding after the last datagram is not payload.
        pcap.extend_from_slice(&[0; 4]);
        let last = pcap.len() - 4 - (20 + 28 + 14) - 16;
        for field in [last + 8, last + 12] {
            let n = u32::from_le_bytes(pcap[field..field + 4].try_into().unwrap()) + 4;
            pcap[field..field + 4].copy_from_slice(&n.to_le_bytes());
        }
        let packets = udp_packets(&pcap);
        assert_eq!(packets.len(), 2);
        assert_eq!((packets[0].src, packets[0].dst, packets[0].payload), (a, b, &b"OPTIONS x"[..]));
        assert!((packets[0].time - 1_700_000_000.25).abs() < 1e-6);
        assert_eq!((packets[1].src, packets[1].payload), (b, &b"SIP/2.0 200 OK"[..]));
    }

    /// One IPv4 UDP datagram behind each link header tcpdump may write,
    /// in files of either byte order and timestamp resolution.
    #[test]
    fn every_link_type_tcpdump_writes() {
        let (a, b) = (
            SocketAddrV4::new(Ipv4Addr::new(172, 28, 0, 11), 5060),
            SocketAddrV4::new(Ipv4Addr::new(172, 28, 0, 2), 5060),
        );
        let mut ip = Vec::new();
        etherparse::PacketBuilder::ipv4(a.ip().octets(), b.ip().octets(), 64)
            .udp(a.port(), b.port())
            .write(&mut ip, b"OPTIONS sip:x SIP/2.0")
            .unwrap();
        let ethernet = [&[0u8; 12][..], &[0x08, 0x00], &ip].concat();
        let sll = [&[0u8; 14][..], &[0x08, 0x00], &ip].concat();
        let sll2 = [&[0x08, 0x00][..], &[0u8; 18], &ip].concat();
        for (datalink, frame) in [
            (DataLink::ETHERNET, &ethernet),
            (DataLink::LINUX_SLL, &sll),
            (DataLink::LINUX_SLL2, &sll2),
            (DataLink::RAW, &ip),
        ] {
            for (endianness, ts_resolution) in
                [(Endianness::Big, TsResolution::NanoSecond), (Endianness::Little, TsResolution::MicroSecond)]
            {
                let header = PcapHeader { datalink, endianness, ts_resolution, ..PcapHeader::default() };
                let mut writer = PcapWriter::with_header(Vec::new(), header).unwrap();
                let at = Duration::new(1_700_000_000, 250_000_000);
                writer.write_packet(&PcapPacket::new(at, frame.len() as u32, frame)).unwrap();
                let pcap = writer.into_writer();
                let packets = udp_packets(&pcap);
                assert_eq!(packets.len(), 1, "{datalink:?} {endianness:?}");
                assert_eq!((packets[0].src, packets[0].dst, packets[0].payload), (a, b, &b"OPTIONS sip:x SIP/2.0"[..]));
                assert!((packets[0].time - 1_700_000_000.25).abs() < 1e-6);
                // A capture still being written ends on a cut record.
                assert_eq!(udp_packets(&pcap[..pcap.len() - 3]).len(), 0);
            }
        }
        assert!(udp_packets(b"not a pcap").is_empty());
    }

    /// A SIP message larger than the link leaves in IP fragments: the first
    /// one gives its headers, the others are not datagrams of their own.
    #[test]
    fn a_fragmented_message_gives_its_first_part() {
        let a = SocketAddrV4::new(Ipv4Addr::new(172, 28, 1, 2), 5060);
        let b = SocketAddrV4::new(Ipv4Addr::new(172, 28, 1, 10), 5060);
        let mut pcap = build(&[(1.0, a, b, "INVITE sip:patron1@h SIP/2.0\r\nCall-ID: x\r\n\r\nv=0 and more")]);
        // Mark the datagram as the first of several fragments (MF set)...
        let ip = 24 + 16 + 20;
        pcap[ip + 6] |= 0x20;
        // ...and add a second fragment, offset 8 bytes further, with no UDP header.
        let mut second = pcap[24..ip + 20].to_vec();
        second[16 + 20 + 6..16 + 20 + 8].copy_from_slice(&[0x00, 0x05]);
        second.extend_from_slice(b"... the rest of the SDP");
        let len = (second.len() - 16) as u32;
        second[8..12].copy_from_slice(&len.to_le_bytes());
        second[12..16].copy_from_slice(&len.to_le_bytes());
        pcap.extend_from_slice(&second);
        let packets = udp_packets(&pcap);
        assert_eq!(packets.len(), 1);
        assert!(packets[0].payload.starts_with(b"INVITE sip:patron1@h SIP/2.0\r\nCall-ID: x"));
    }
}
