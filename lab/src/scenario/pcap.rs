//! Reading SIP messages back from the run's captures (tcpdump `-i any`), to
//! check what a phone was sent on the wire, such as an INVITE's headers.

/// UDP payloads of a pcap file, in capture order. Understands the link types
/// `tcpdump -i any` writes (Linux cooked v1 and v2) and plain Ethernet.
pub fn udp_payloads(pcap: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    if pcap.len() < 24 {
        return out;
    }
    let le = match &pcap[..4] {
        [0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1] => true,
        [0xa1, 0xb2, 0xc3, 0xd4] | [0xa1, 0xb2, 0x3c, 0x4d] => false,
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
        let udp = &ip[usize::from(ip[0] & 0x0f) * 4..];
        if let Some(payload) = udp.get(8..) {
            out.push(payload);
        }
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
}
