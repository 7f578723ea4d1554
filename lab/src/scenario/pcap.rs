//! Reading SIP messages back from the run's captures (tcpdump `-i any`), to
//! check what a phone was sent on the wire, such as an INVITE's headers.

use std::net::{Ipv4Addr, SocketAddrV4};

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
/// types `tcpdump -i any` writes (Linux cooked v1 and v2) and plain Ethernet,
/// with microsecond or nanosecond timestamps.
pub fn udp_packets(pcap: &[u8]) -> Vec<Packet<'_>> {
    let mut out = Vec::new();
    if pcap.len() < 24 {
        return out;
    }
    let (le, nanos) = match &pcap[..4] {
        [0xd4, 0xc3, 0xb2, 0xa1] => (true, false),
        [0x4d, 0x3c, 0xb2, 0xa1] => (true, true),
        [0xa1, 0xb2, 0xc3, 0xd4] => (false, false),
        [0xa1, 0xb2, 0x3c, 0x4d] => (false, true),
        _ => return out,
    };
    let u32_at = |b: &[u8], i: usize| {
        let w = [b[i], b[i + 1], b[i + 2], b[i + 3]];
        if le {
            u32::from_le_bytes(w)
        } else {
            u32::from_be_bytes(w)
        }
    };
    let link_header = match u32_at(pcap, 20) {
        1 => 14,   // Ethernet
        113 => 16, // Linux cooked (SLL)
        276 => 20, // Linux cooked v2 (SLL2)
        _ => return out,
    };
    let mut at = 24;
    while at + 16 <= pcap.len() {
        let fraction = f64::from(u32_at(pcap, at + 4)) / if nanos { 1e9 } else { 1e6 };
        let time = f64::from(u32_at(pcap, at)) + fraction;
        let captured = u32_at(pcap, at + 8) as usize;
        let start = at + 16;
        let Some(frame) = pcap.get(start..start + captured) else {
            break;
        };
        at = start + captured;
        let Some(ip) = frame.get(link_header..) else { continue };
        if ip.len() < 20 || ip[0] >> 4 != 4 || ip[9] != 17 {
            continue; // IPv4 UDP only
        }
        let Some(udp) = ip.get(usize::from(ip[0] & 0x0f) * 4..).filter(|u| u.len() >= 8) else {
            continue;
        };
        let port = |i: usize| u16::from_be_bytes([udp[i], udp[i + 1]]);
        let addr = |i: usize| Ipv4Addr::new(ip[i], ip[i + 1], ip[i + 2], ip[i + 3]);
        // The UDP length drops a short frame's link padding; a zero or
        // impossible length (checksum offload quirks) keeps what was captured.
        let len = usize::from(port(4));
        let payload = if (8..=udp.len()).contains(&len) { &udp[8..len] } else { &udp[8..] };
        out.push(Packet {
            time,
            src: SocketAddrV4::new(addr(12), port(0)),
            dst: SocketAddrV4::new(addr(16), port(2)),
            payload,
        });
    }
    out
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

/// A pcap (SLL2, microseconds) of UDP datagrams `(time, src, dst, payload)`, for tests.
#[cfg(test)]
pub(super) fn build(packets: &[(f64, SocketAddrV4, SocketAddrV4, &str)]) -> Vec<u8> {
    let mut p = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0];
    p.extend_from_slice(&276u32.to_le_bytes());
    for (time, src, dst, m) in packets {
        let mut frame = vec![0u8; 20]; // SLL2
        let mut ip = vec![0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0];
        ip.extend_from_slice(&src.ip().octets());
        ip.extend_from_slice(&dst.ip().octets());
        ip.extend_from_slice(&src.port().to_be_bytes());
        ip.extend_from_slice(&dst.port().to_be_bytes());
        ip.extend_from_slice(&((8 + m.len()) as u16).to_be_bytes());
        ip.extend_from_slice(&[0, 0]);
        ip.extend_from_slice(m.as_bytes());
        frame.extend_from_slice(&ip);
        p.extend_from_slice(&(time.trunc() as u32).to_le_bytes());
        p.extend_from_slice(&((time.fract() * 1e6).round() as u32).to_le_bytes());
        p.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        p.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        p.extend_from_slice(&frame);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pcap_with(messages: &[&str]) -> Vec<u8> {
        let mut p = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0];
        p.extend_from_slice(&276u32.to_le_bytes());
        for m in messages {
            let mut frame = vec![0u8; 20]; // SLL2
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
}
