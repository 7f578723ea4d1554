//! SIP messages out of the run's captures: what each says, when, from which
//! address to which.
//!
//! Every Asterisk captures its own SIP, so a message crossing two captured
//! hosts (an IPBX to the operator) is seen twice; it is kept once.

use std::collections::HashMap;
use std::net::SocketAddrV4;

use crate::scenario::pcap;
use crate::xml::printable;

/// Copies of one message in two captures are this close in time (the lab's
/// containers share one kernel clock); a retransmission comes 500 ms later.
const SAME_MESSAGE: f64 = 0.05;

/// One SIP message on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct SipMessage {
    /// Seconds since the Unix epoch.
    pub time: f64,
    pub src: SocketAddrV4,
    pub dst: SocketAddrV4,
    /// `INVITE sip:21@172.28.1.2 SIP/2.0` or `SIP/2.0 180 Ringing`.
    pub first_line: String,
    pub call_id: String,
    /// `1 INVITE`.
    pub cseq: String,
    /// User parts of From and To (`patron1`, `21`).
    pub from: String,
    pub to: String,
    /// A request's Request-URI user, `None` for a response.
    pub request_user: Option<String>,
    /// Carries an SDP offer or answer.
    pub sdp: bool,
}

impl SipMessage {
    /// `INVITE`, or `180 Ringing` for a response.
    pub fn label(&self) -> String {
        match self.first_line.strip_prefix("SIP/2.0 ") {
            Some(status) => status.to_string(),
            None => self.method().to_string(),
        }
    }

    /// A request's method (`INVITE`); a response's first word.
    pub fn method(&self) -> &str {
        self.first_line.split(' ').next().unwrap_or_default()
    }

    /// A response's status code, `None` for a request.
    pub fn status(&self) -> Option<u16> {
        self.first_line.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()
    }
}

/// Parses one UDP payload as a SIP message (compact header forms included).
pub fn parse(time: f64, src: SocketAddrV4, dst: SocketAddrV4, payload: &[u8]) -> Option<SipMessage> {
    let text = printable(std::str::from_utf8(payload).ok()?);
    let mut lines = text.split("\r\n").flat_map(|l| l.split('\n'));
    let first_line = lines.next()?.trim().to_string();
    let request_user = if first_line.starts_with("SIP/2.0 ") {
        None
    } else {
        let mut parts = first_line.split(' ');
        let (_method, uri, version) = (parts.next()?, parts.next()?, parts.next()?);
        if version != "SIP/2.0" {
            return None;
        }
        Some(uri_user(uri))
    };
    let (mut call_id, mut cseq, mut from, mut to, mut sdp) = (None, None, None, None, false);
    for line in lines.take_while(|l| !l.trim().is_empty()) {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "call-id" | "i" => call_id = Some(value.to_string()),
            "cseq" => cseq = Some(value.to_string()),
            "from" | "f" => from = Some(uri_user(value)),
            "to" | "t" => to = Some(uri_user(value)),
            "content-type" | "c" => sdp = value.to_ascii_lowercase().starts_with("application/sdp"),
            _ => {}
        }
    }
    Some(SipMessage {
        time,
        src,
        dst,
        first_line,
        call_id: call_id?,
        cseq: cseq?,
        from: from?,
        to: to?,
        request_user,
        sdp,
    })
}

/// The user part of a SIP URI or name-addr (`"Bob" <sip:bob@host>;tag=x` →
/// `bob`), without baresip's contact suffix (`patron1-0x55ab` → `patron1`).
fn uri_user(s: &str) -> String {
    let s = s.split_once('<').map_or(s, |(_, r)| r);
    let s = s.split_once("sip:").or_else(|| s.split_once("sips:")).map_or(s, |(_, r)| r);
    let user = match s.split_once('@') {
        Some((user, _)) => user,
        None => "",
    };
    let user = user.split([';', ':']).next().unwrap_or_default();
    match user.split_once("-0x") {
        Some((base, _)) => base.to_string(),
        None => user.to_string(),
    }
}

/// Every SIP message of the run's captures once, oldest first.
pub fn messages(captures: &[Vec<u8>]) -> Vec<SipMessage> {
    let mut all: Vec<SipMessage> = captures
        .iter()
        .flat_map(|c| pcap::udp_packets(c))
        .filter_map(|p| parse(p.time, p.src, p.dst, p.payload))
        .collect();
    all.sort_by(|a, b| a.time.total_cmp(&b.time));
    let mut seen: HashMap<(SocketAddrV4, SocketAddrV4, String, String, String), f64> = HashMap::new();
    all.retain(|m| {
        let key = (m.src, m.dst, m.first_line.clone(), m.call_id.clone(), m.cseq.clone());
        let copy = seen.get(&key).is_some_and(|t| m.time - t < SAME_MESSAGE);
        if !copy {
            seen.insert(key, m.time);
        }
        !copy
    });
    all
}

#[cfg(test)]
pub(super) mod tests {
    use std::net::Ipv4Addr;

    use super::*;
    use crate::scenario::pcap::build;

    pub const T: f64 = 1_700_000_000.0;

    pub fn at(ip: [u8; 4]) -> SocketAddrV4 {
        SocketAddrV4::new(Ipv4Addr::from(ip), 5060)
    }

    /// A SIP message with the headers the ladder reads, From in long form
    /// and To and Call-ID in compact form.
    pub fn sip(first: &str, call_id: &str, cseq: &str, from: &str, to: &str) -> String {
        format!(
            "{first}\r\nVia: SIP/2.0/UDP x\r\nFrom: \"{from}\" <sip:{from}@172.28.1.2>;tag=a\r\nt: <sip:{to}@172.28.1.2>\r\ni: {call_id}\r\nCSeq: {cseq}\r\nContent-Length: 0\r\n\r\n"
        )
    }

    #[test]
    fn sip_headers_compact_and_long() {
        let (ipbx, phones) = (at([172, 28, 1, 2]), at([172, 28, 1, 10]));
        let text = sip("INVITE sip:patron1-0x55ab@172.28.1.10:5060 SIP/2.0", "abc@h", "2 INVITE", "tm1", "patron1");
        let m = parse(T, ipbx, phones, text.as_bytes()).unwrap();
        assert_eq!((m.label(), m.call_id.as_str(), m.cseq.as_str()), ("INVITE".into(), "abc@h", "2 INVITE"));
        assert_eq!((m.from.as_str(), m.to.as_str(), m.request_user.as_deref()), ("tm1", "patron1", Some("patron1")));
        let ok = sip("SIP/2.0 486 Busy Here", "abc@h", "2 INVITE", "tm1", "patron1");
        let m = parse(T, phones, ipbx, ok.as_bytes()).unwrap();
        assert_eq!((m.label(), m.status(), m.request_user), ("486 Busy Here".into(), Some(486), None));
        assert_eq!(parse(T, ipbx, phones, b"\x00\x01 rtp"), None);
        let odd = sip("SIP/2.0 480 Gone\u{1b}[0m", "abc@h", "2 INVITE", "tm1", "patron1");
        assert_eq!(parse(T, phones, ipbx, odd.as_bytes()).unwrap().label(), "480 Gone\u{fffd}[0m");
    }

    /// A message seen by both ends' captures is kept once; a retransmission
    /// (the same message half a second later) is kept.
    #[test]
    fn each_message_once() {
        let (ipbx, operator) = (at([172, 28, 0, 11]), at([172, 28, 0, 2]));
        let invite = sip("INVITE sip:0212345677@172.28.0.2 SIP/2.0", "leg2", "5 INVITE", "0320000111", "0212345677");
        let ringing = sip("SIP/2.0 180 Ringing", "leg2", "5 INVITE", "0320000111", "0212345677");
        let ipbx_capture = build(&[
            (T + 1.01, ipbx, operator, &invite),
            (T + 1.2, operator, ipbx, &ringing),
            (T + 1.5, ipbx, operator, &invite),
        ]);
        let operator_capture = build(&[(T + 1.0101, ipbx, operator, &invite), (T + 1.1999, operator, ipbx, &ringing)]);
        let labels: Vec<String> = messages(&[ipbx_capture, operator_capture]).iter().map(SipMessage::label).collect();
        assert_eq!(labels, ["INVITE", "180 Ringing", "INVITE"]);
    }
}
