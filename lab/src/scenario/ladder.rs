//! SIP ladder diagrams from the run's captures: which host sent what to whom,
//! call by call, as students draw them in the SAE.
//!
//! Every Asterisk captures its own SIP, so a message crossing two captured
//! hosts (an IPBX to the operator) is seen twice; it is counted once. Asterisk
//! is a back-to-back agent: each leg of a call (phone → IPBX, IPBX → operator)
//! has its own Call-ID, and so its own ladder.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::{SystemTime, UNIX_EPOCH};

use super::pcap;
use super::result::CheckResult;
use crate::gen::OPERATOR;
use crate::graph::host_name;
use crate::model::Lab;
use crate::xml::esc;

/// Copies of one message in two captures are this close in time (the lab's
/// containers share one kernel clock); a retransmission comes 500 ms later.
const SAME_MESSAGE: f64 = 0.05;
/// A ladder longer than this is cut, saying how many messages were left out.
const MAX_ROWS: usize = 80;

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
            None => self.first_line.split(' ').next().unwrap_or_default().to_string(),
        }
    }

    fn status(&self) -> Option<u16> {
        self.first_line.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()
    }
}

/// Parses one UDP payload as a SIP message (compact header forms included).
pub fn parse(time: f64, src: SocketAddrV4, dst: SocketAddrV4, payload: &[u8]) -> Option<SipMessage> {
    let text = std::str::from_utf8(payload).ok()?;
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

/// One SIP dialog (or transaction) as seen on the wire: its messages in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub call_id: String,
    pub messages: Vec<SipMessage>,
}

impl Call {
    pub fn start(&self) -> f64 {
        self.messages.first().map_or(0.0, |m| m.time)
    }

    /// `INVITE patron1 → 21`: what the call's first request asked.
    pub fn title(&self) -> String {
        match self.messages.iter().find(|m| m.request_user.is_some()) {
            Some(m) => format!("{} {} → {}", m.label(), m.from, m.to),
            None => self.call_id.clone(),
        }
    }

    /// Every user the call names: From, To and Request-URI users.
    fn users(&self) -> BTreeSet<&str> {
        self.messages
            .iter()
            .flat_map(|m| [Some(m.from.as_str()), Some(m.to.as_str()), m.request_user.as_deref()])
            .flatten()
            .filter(|u| !u.is_empty())
            .collect()
    }
}

/// The calls in a run's captures, oldest first. Registrations and keep-alives
/// (REGISTER, OPTIONS) belong to no check and are left out.
pub fn calls(captures: &[Vec<u8>]) -> Vec<Call> {
    let mut messages: Vec<SipMessage> = captures
        .iter()
        .flat_map(|c| pcap::udp_packets(c))
        .filter_map(|p| parse(p.time, p.src, p.dst, p.payload))
        .collect();
    messages.sort_by(|a, b| a.time.total_cmp(&b.time));
    let mut seen: HashMap<(SocketAddrV4, SocketAddrV4, String, String, String), f64> = HashMap::new();
    let mut by_id: Vec<Call> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for m in messages {
        let key = (m.src, m.dst, m.first_line.clone(), m.call_id.clone(), m.cseq.clone());
        if seen.get(&key).is_some_and(|t| m.time - t < SAME_MESSAGE) {
            continue;
        }
        seen.insert(key, m.time);
        match index.get(&m.call_id) {
            Some(&i) => by_id[i].messages.push(m),
            None => {
                index.insert(m.call_id.clone(), by_id.len());
                by_id.push(Call { call_id: m.call_id.clone(), messages: vec![m] });
            }
        }
    }
    by_id.retain(|c| {
        let method = c.messages.iter().find_map(|m| m.cseq.split_whitespace().nth(1));
        !matches!(method, Some("REGISTER" | "OPTIONS"))
    });
    by_id
}

/// The calls of each check (in `results` order), then the calls no check claimed.
///
/// A call belongs to a check when its first message falls within the check's
/// run and it names one of the check's phones (account, extension, public or
/// inter-site number, or test phone's number). Accounts and extensions repeat
/// from site to site, so they count only when the call touches that site's
/// addresses. Checks running at once on the same site whose phones call each
/// other's numbers could both claim a call; phone locks make that rare.
pub fn attribute<'c>(lab: &Lab, results: &[CheckResult], calls: &'c [Call]) -> (Vec<Vec<&'c Call>>, Vec<&'c Call>) {
    let mut claimed = vec![false; calls.len()];
    let per_check = results
        .iter()
        .map(|r| {
            let (from, to) = (epoch(r.started), epoch(r.ended));
            let names = phone_names(lab, r);
            calls
                .iter()
                .enumerate()
                .filter(|(_, c)| (from..=to).contains(&c.start()))
                .filter(|(_, c)| {
                    let users = c.users();
                    let sites = sites_touched(lab, c);
                    names.iter().any(|(site, name)| {
                        users.contains(name.as_str()) && site.as_ref().is_none_or(|s| sites.contains(s))
                    })
                })
                .map(|(i, c)| {
                    claimed[i] = true;
                    c
                })
                .collect()
        })
        .collect();
    let rest = calls.iter().zip(claimed).filter(|(_, taken)| !taken).map(|(c, _)| c).collect();
    (per_check, rest)
}

/// Seconds since the Unix epoch, as pcap timestamps count.
pub fn epoch(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// What SIP may call the check's phones, each with the site it is unique
/// within (`None`: unique in the lab).
fn phone_names(lab: &Lab, r: &CheckResult) -> Vec<(Option<String>, String)> {
    let mut out = Vec::new();
    for p in &r.phones {
        if p.site == OPERATOR {
            if let Some(t) = lab.operator.test_phones.iter().find(|t| t.account == p.account) {
                out.push((None, t.account.clone()));
                out.push((None, t.number.clone()));
            }
            continue;
        }
        let Some(site) = lab.site(&p.site) else { continue };
        let Some(phone) = site.phones.iter().find(|x| x.account == p.account) else { continue };
        out.push((Some(site.name.clone()), phone.account.clone()));
        out.push((Some(site.name.clone()), phone.extension.clone()));
        out.push((None, site.public_number(&lab.numbering, &phone.number)));
        out.push((None, site.intersite_number(&lab.numbering, &phone.number)));
    }
    out
}

fn sites_touched(lab: &Lab, call: &Call) -> BTreeSet<String> {
    let net = &lab.network;
    let ips: BTreeSet<Ipv4Addr> = call.messages.iter().flat_map(|m| [*m.src.ip(), *m.dst.ip()]).collect();
    lab.sites
        .iter()
        .filter(|s| {
            [net.ipbx_backbone(s.index), net.ipbx_lan(s.index), net.site_phones(s.index), net.site_gateway(s.index)]
                .iter()
                .any(|ip| ips.contains(ip))
        })
        .map(|s| s.name.clone())
        .collect()
}

// Layout, in pixels; text at a fixed width per character (monospace).
const CHAR_W: usize = 7;
const GUTTER: usize = 90;
const HEAD_H: usize = 40;
const ROW_H: usize = 26;
/// Arrow colours: requests, provisional, success, failure responses.
const COLORS: [&str; 4] = ["#2f6db3", "#777777", "#2e8b3a", "#c0392b"];

/// `hh:mm:ss.mmm` UTC of an epoch time.
pub fn clock(t: f64) -> String {
    let ms = (t * 1000.0).round() as u64;
    let (s, ms) = (ms / 1000, ms % 1000);
    format!("{:02}:{:02}:{:02}.{ms:03}", s / 3600 % 24, s / 60 % 60, s % 60)
}

/// The call as an SVG ladder: a column per host (named from the lab's plan),
/// an arrow per message with its method or status and its time since the
/// call's first message.
pub fn svg(lab: &Lab, call: &Call) -> String {
    // Columns in order of appearance; an IPBX's two addresses are one column.
    let mut columns: Vec<(String, BTreeSet<Ipv4Addr>)> = Vec::new();
    let mut column_of = |ip: Ipv4Addr| -> usize {
        let name = host_name(lab, ip).unwrap_or_else(|| ip.to_string());
        match columns.iter().position(|(n, _)| *n == name) {
            Some(i) => {
                columns[i].1.insert(ip);
                i
            }
            None => {
                columns.push((name, BTreeSet::from([ip])));
                columns.len() - 1
            }
        }
    };
    let shown = &call.messages[..call.messages.len().min(MAX_ROWS)];
    let rows: Vec<(usize, usize, &SipMessage)> =
        shown.iter().map(|m| (column_of(*m.src.ip()), column_of(*m.dst.ip()), m)).collect();
    let label = |m: &SipMessage| if m.sdp { format!("{} (SDP)", m.label()) } else { m.label() };
    let widest_label = rows.iter().map(|(_, _, m)| label(m).chars().count()).max().unwrap_or(0);
    let widest_head = columns
        .iter()
        .map(|(n, ips)| n.chars().count().max(ips.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(" ").len()))
        .max()
        .unwrap_or(0);
    let col_w = ((widest_label + 4).max(widest_head + 2) * CHAR_W).max(150);
    let x_of = |c: usize| GUTTER + col_w / 2 + c * col_w;
    let cut = call.messages.len() - shown.len();
    let width = GUTTER + columns.len().max(2) * col_w;
    let height = HEAD_H + 20 + rows.len() * ROW_H + if cut > 0 { ROW_H } else { 10 };

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="12">"#
    );
    let _ = writeln!(s, r##"<rect width="{width}" height="{height}" fill="#ffffff"/>"##);
    for (i, (name, ips)) in columns.iter().enumerate() {
        let x = x_of(i);
        let ips = ips.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(" ");
        let _ = writeln!(
            s,
            r##"<rect x="{}" y="4" width="{}" height="{}" rx="5" fill="#dbe9f7" stroke="#444"/>"##,
            x - col_w / 2 + 6,
            col_w - 12,
            HEAD_H - 8
        );
        let _ = writeln!(s, r#"<text x="{x}" y="19" text-anchor="middle" font-weight="bold">{}</text>"#, esc(name));
        let _ = writeln!(s, r#"<text x="{x}" y="32" text-anchor="middle" font-size="11">{}</text>"#, esc(&ips));
        let _ = writeln!(
            s,
            r##"<line x1="{x}" y1="{HEAD_H}" x2="{x}" y2="{height}" stroke="#999" stroke-dasharray="3 3"/>"##
        );
    }
    let t0 = call.start();
    for (i, (from, to, m)) in rows.iter().enumerate() {
        let y = HEAD_H + 28 + i * ROW_H;
        let color = COLORS[match m.status() {
            None => 0,
            Some(100..=199) => 1,
            Some(200..=299) => 2,
            Some(_) => 3,
        }];
        let _ = writeln!(s, r##"<text x="4" y="{y}" fill="#555">+{:.3} s</text>"##, m.time - t0);
        let (x1, x2) = (x_of(*from), x_of(*to));
        let text = esc(&label(m));
        if from == to {
            // Between two addresses of one host: a loop back to itself.
            let _ = writeln!(
                s,
                r#"<path d="M {x1} {} h 30 v 10 h -24" fill="none" stroke="{color}" stroke-width="1.5"/>"#,
                y - 6
            );
            head(&mut s, x1, y + 4, true, color);
            let _ = writeln!(s, r#"<text x="{}" y="{}" fill="{color}">{text}</text>"#, x1 + 36, y + 2);
            continue;
        }
        let _ = writeln!(s, r#"<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{color}" stroke-width="1.5"/>"#);
        head(&mut s, x2, y, x2 < x1, color);
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle" fill="{color}">{text}</text>"#,
            (x1 + x2) / 2,
            y - 5
        );
    }
    if cut > 0 {
        let _ = writeln!(s, r#"<text x="4" y="{}">… {cut} more message(s) in the capture</text>"#, height - 8);
    }
    s.push_str("</svg>\n");
    s
}

/// An arrowhead with its tip at (x, y), pointing left or right. Drawn as a
/// polygon rather than an SVG marker: marker ids would repeat across the many
/// ladders of one page, and markers inside collapsed sections may not render.
fn head(s: &mut String, x: usize, y: usize, left: bool, color: &str) {
    let back = if left { x + 9 } else { x.saturating_sub(9) };
    let _ = writeln!(s, r#"<polygon points="{x},{y} {back},{} {back},{}" fill="{color}"/>"#, y - 4, y + 4);
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::scenario::pcap::build;
    use crate::scenario::PhoneId;

    fn at(ip: [u8; 4]) -> SocketAddrV4 {
        SocketAddrV4::new(Ipv4Addr::from(ip), 5060)
    }

    fn sip(first: &str, call_id: &str, cseq: &str, from: &str, to: &str) -> String {
        format!(
            "{first}\r\nVia: SIP/2.0/UDP x\r\nFrom: \"{from}\" <sip:{from}@172.28.1.2>;tag=a\r\nt: <sip:{to}@172.28.1.2>\r\ni: {call_id}\r\nCSeq: {cseq}\r\nContent-Length: 0\r\n\r\n"
        )
    }

    const T: f64 = 1_700_000_000.0;
    const PHONES1: [u8; 4] = [172, 28, 1, 10];
    const IPBX1: [u8; 4] = [172, 28, 1, 2];
    const IPBX1_BB: [u8; 4] = [172, 28, 0, 11];
    const OPERATOR_IP: [u8; 4] = [172, 28, 0, 2];

    /// table1/patron1 calls TM1: one leg on table1's LAN, one on the
    /// backbone, the latter captured by both table1's IPBX and the operator.
    fn captures() -> Vec<Vec<u8>> {
        let invite = sip("INVITE sip:0212345677@172.28.1.2 SIP/2.0", "leg1", "1 INVITE", "patron1", "0212345677");
        let ringing = sip("SIP/2.0 180 Ringing", "leg1", "1 INVITE", "patron1", "0212345677");
        let trunk = sip("INVITE sip:0212345677@172.28.0.2 SIP/2.0", "leg2", "5 INVITE", "0320000111", "0212345677");
        let trunk_ringing = sip("SIP/2.0 180 Ringing", "leg2", "5 INVITE", "0320000111", "0212345677");
        let register = sip("REGISTER sip:172.28.0.2 SIP/2.0", "reg", "9 REGISTER", "table1", "table1");
        let table1 = build(&[
            (T + 1.0, at(PHONES1), at(IPBX1), &invite),
            (T + 1.01, at(IPBX1_BB), at(OPERATOR_IP), &trunk),
            (T + 1.2, at(OPERATOR_IP), at(IPBX1_BB), &trunk_ringing),
            (T + 1.21, at(IPBX1), at(PHONES1), &ringing),
            (T + 1.5, at(IPBX1_BB), at(OPERATOR_IP), &trunk), // retransmission
            (T + 2.0, at(IPBX1_BB), at(OPERATOR_IP), &register),
        ]);
        let operator = build(&[
            (T + 1.0101, at(IPBX1_BB), at(OPERATOR_IP), &trunk),
            (T + 1.1999, at(OPERATOR_IP), at(IPBX1_BB), &trunk_ringing),
        ]);
        vec![table1, operator]
    }

    #[test]
    fn sip_headers_compact_and_long() {
        let text = sip("INVITE sip:patron1-0x55ab@172.28.1.10:5060 SIP/2.0", "abc@h", "2 INVITE", "tm1", "patron1");
        let m = parse(T, at(IPBX1), at(PHONES1), text.as_bytes()).unwrap();
        assert_eq!((m.label(), m.call_id.as_str(), m.cseq.as_str()), ("INVITE".into(), "abc@h", "2 INVITE"));
        assert_eq!((m.from.as_str(), m.to.as_str(), m.request_user.as_deref()), ("tm1", "patron1", Some("patron1")));
        let ok = sip("SIP/2.0 486 Busy Here", "abc@h", "2 INVITE", "tm1", "patron1");
        let m = parse(T, at(PHONES1), at(IPBX1), ok.as_bytes()).unwrap();
        assert_eq!((m.label(), m.status(), m.request_user), ("486 Busy Here".into(), Some(486), None));
        assert_eq!(parse(T, at(IPBX1), at(PHONES1), b"\x00\x01 rtp"), None);
    }

    #[test]
    fn captures_become_calls_each_message_once() {
        let calls = calls(&captures());
        let summary: Vec<(&str, Vec<String>)> =
            calls.iter().map(|c| (c.call_id.as_str(), c.messages.iter().map(SipMessage::label).collect())).collect();
        assert_eq!(
            summary,
            [
                ("leg1", vec!["INVITE".into(), "180 Ringing".into()]),
                ("leg2", vec!["INVITE".into(), "180 Ringing".into(), "INVITE".into()]),
            ]
        );
        assert_eq!(calls[1].title(), "INVITE 0320000111 → 0212345677");
    }

    fn result(phones: Vec<PhoneId>, from: f64, to: f64) -> CheckResult {
        let time = |t: f64| UNIX_EPOCH + Duration::from_secs_f64(t);
        CheckResult {
            scenario: "external-calls".into(),
            says: "table1 reaches TM1".into(),
            says_fr: None,
            place: "scenarios/external-calls.toml:3".into(),
            seconds: to - from,
            failure: None,
            lab_error: None,
            left_open: Vec::new(),
            started: time(from),
            ended: time(to),
            phones,
        }
    }

    #[test]
    fn calls_go_to_the_check_that_names_their_phones_in_its_window() {
        let lab = Lab::sae();
        let calls = calls(&captures());
        let patron = |site: &str| PhoneId { site: site.into(), account: "patron1".into() };
        let results = [
            result(vec![patron("table1")], T + 0.5, T + 3.0),
            // Same account on another site: not its calls.
            result(vec![patron("table2")], T + 0.5, T + 3.0),
            // Its phone, but the check ran later.
            result(vec![patron("table1")], T + 5.0, T + 6.0),
        ];
        let (per_check, rest) = attribute(&lab, &results, &calls);
        let ids = |v: &Vec<&Call>| v.iter().map(|c| c.call_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&per_check[0]), ["leg1", "leg2"]);
        assert!(per_check[1].is_empty() && per_check[2].is_empty());
        assert!(rest.is_empty());
    }

    #[test]
    fn the_ladder_names_hosts_from_the_lab() {
        let lab = Lab::sae();
        let calls = calls(&captures());
        let svg = svg(&lab, &calls[1]);
        assert_eq!(crate::xml::well_formed(&svg), Ok(()));
        insta::assert_snapshot!(svg);
        assert_eq!(clock(T + 3661.25), "23:14:21.250");
    }
}
