//! From SIP messages to calls, end to end.
//!
//! Asterisk is a back-to-back agent: a call from table1's patron1 to TM1 is
//! three legs, each with its own Call-ID (phone → table1's IPBX, IPBX →
//! operator, operator → test phones). Students draw it as one ladder, so the
//! legs are tied back together:
//!
//! a leg is the continuation of an earlier one (its parent) when
//! - it is the same kind of request (INVITE, MESSAGE),
//! - it leaves the host the parent's first request reached (the agent that
//!   relays it: an IPBX's two addresses are one host),
//! - it starts while the parent is still going (or just after its last message),
//! - and it names the same caller (From), or at least the same callee
//!   (To or Request-URI) as the parent. Names are compared as the phones they
//!   stand for: the caller is `patron1` on the phone's leg, its public number
//!   `0320000111` on the trunk, its extension `11` towards another phone of
//!   its site, and all three are table1/patron1.
//!
//! Of several possible parents the one with the same caller wins, then the
//! latest: two calls from one phone in a row, or two phones calling TM1 at
//! once, stay apart.

use std::collections::{BTreeSet, HashMap};
use std::net::Ipv4Addr;

use super::names;
use super::parse::{self, SipMessage};
use crate::graph::host_name;
use crate::model::Lab;

/// A leg may begin this long after its parent's last message (an IPBX
/// answers a MESSAGE with 202 before it relays it).
const LINGER: f64 = 2.0;

/// One call end to end: every leg's messages, in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The Call-ID of each leg, the first leg's first.
    pub call_ids: Vec<String>,
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
            None => self.call_ids.first().cloned().unwrap_or_default(),
        }
    }

    /// Every user the call names: From, To and Request-URI users.
    pub fn users(&self) -> BTreeSet<&str> {
        self.messages
            .iter()
            .flat_map(|m| [Some(m.from.as_str()), Some(m.to.as_str()), m.request_user.as_deref()])
            .flatten()
            .filter(|u| !u.is_empty())
            .collect()
    }

    /// Every address the call's messages went from or to.
    pub fn addresses(&self) -> BTreeSet<Ipv4Addr> {
        self.messages.iter().flat_map(|m| [*m.src.ip(), *m.dst.ip()]).collect()
    }
}

/// The calls in a run's captures, oldest first. Registrations and keep-alives
/// (REGISTER, OPTIONS) belong to no call and are left out.
pub fn calls(lab: &Lab, captures: &[Vec<u8>]) -> Vec<Call> {
    let legs = legs(parse::messages(captures));
    let mut hosts = Hosts { lab, known: HashMap::new() };
    let phones = names::Directory::new(lab);
    let ends: Vec<Option<Ends>> = legs.iter().map(|leg| Ends::of(lab, &phones, &mut hosts, leg)).collect();
    let mut calls: Vec<Call> = Vec::new();
    let mut call_of_leg: Vec<usize> = Vec::with_capacity(legs.len());
    // Legs that may still have continuations: legs come in order of start,
    // so one that ended too long before this one's start is done for good.
    let mut open: Vec<(usize, &Ends)> = Vec::new();
    for (i, leg) in legs.into_iter().enumerate() {
        let parent = ends[i].as_ref().and_then(|child| {
            open.retain(|(_, p)| p.end + LINGER >= child.start);
            parent(&open, child)
        });
        if let Some(e) = &ends[i] {
            open.push((i, e));
        }
        let call = match parent {
            Some(p) => call_of_leg[p],
            None => {
                calls.push(Call { call_ids: Vec::new(), messages: Vec::new() });
                calls.len() - 1
            }
        };
        call_of_leg.push(call);
        calls[call].call_ids.push(leg.call_id);
        calls[call].messages.extend(leg.messages);
    }
    for c in &mut calls {
        c.messages.sort_by(|a, b| a.time.total_cmp(&b.time));
    }
    calls
}

/// One Call-ID's messages.
struct Leg {
    call_id: String,
    messages: Vec<SipMessage>,
}

/// The messages grouped by Call-ID, in order of each leg's first message.
fn legs(messages: Vec<SipMessage>) -> Vec<Leg> {
    let mut legs: Vec<Leg> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for m in messages {
        match index.get(&m.call_id) {
            Some(&i) => legs[i].messages.push(m),
            None => {
                index.insert(m.call_id.clone(), legs.len());
                legs.push(Leg { call_id: m.call_id.clone(), messages: vec![m] });
            }
        }
    }
    legs.retain(|leg| {
        let method = leg.messages.iter().find_map(|m| m.cseq.split_whitespace().nth(1));
        !matches!(method, Some("REGISTER" | "OPTIONS"))
    });
    legs
}

/// What tying legs needs to know of one: its first request and when it ran.
/// `None` for a leg whose capture starts after its first request.
struct Ends {
    method: String,
    /// Hosts that sent and received the first request.
    from_host: String,
    to_host: String,
    caller: String,
    callees: BTreeSet<String>,
    start: f64,
    end: f64,
}

impl Ends {
    fn of(lab: &Lab, phones: &names::Directory, hosts: &mut Hosts, leg: &Leg) -> Option<Ends> {
        let first = leg.messages.first().filter(|m| m.request_user.is_some())?;
        let addresses = leg.messages.iter().flat_map(|m| [*m.src.ip(), *m.dst.ip()]).collect();
        // A leg runs between one site and its phones or the operator.
        let sites = names::sites_at(lab, &addresses);
        let site = match sites.len() {
            1 => sites.first().map(String::as_str),
            _ => None,
        };
        let party = |user: &str| phones.party(site, user);
        Some(Ends {
            method: first.method().to_string(),
            from_host: hosts.name(*first.src.ip()),
            to_host: hosts.name(*first.dst.ip()),
            caller: party(&first.from),
            callees: [Some(&first.to), first.request_user.as_ref()]
                .into_iter()
                .flatten()
                .filter(|u| !u.is_empty())
                .map(|u| party(u))
                .collect(),
            start: first.time,
            end: leg.messages.last().map_or(first.time, |m| m.time),
        })
    }
}

/// Of the legs still open, the one `child` continues, if any (see the
/// module's doc).
fn parent(open: &[(usize, &Ends)], child: &Ends) -> Option<usize> {
    open.iter()
        .filter(|(_, p)| p.method == child.method && p.to_host == child.from_host && p.start <= child.start)
        .map(|(j, p)| {
            let score = 2 * u8::from(p.caller == child.caller) + u8::from(!p.callees.is_disjoint(&child.callees));
            (score, p.start, *j)
        })
        .filter(|(score, _, _)| *score > 0)
        .max_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))
        .map(|(_, _, j)| j)
}

/// Host names by address, looked up once each.
struct Hosts<'l> {
    lab: &'l Lab,
    known: HashMap<Ipv4Addr, String>,
}

impl Hosts<'_> {
    /// The lab's name for the box at `ip`, or the address itself.
    fn name(&mut self, ip: Ipv4Addr) -> String {
        let lab = self.lab;
        self.known.entry(ip).or_insert_with(|| host_name(lab, ip).unwrap_or_else(|| ip.to_string())).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::pcap::build;
    use crate::scenario::report::parse::tests::{at, sip, T};

    const PHONES1: [u8; 4] = [172, 28, 1, 10];
    const IPBX1: [u8; 4] = [172, 28, 1, 2];
    const IPBX1_BB: [u8; 4] = [172, 28, 0, 11];
    const OPERATOR: [u8; 4] = [172, 28, 0, 2];
    const TEST_PHONES: [u8; 4] = [172, 28, 0, 3];

    /// A message on the wire: time, sender, receiver, text.
    type Wire = (f64, [u8; 4], [u8; 4], String);

    /// A leg's INVITE from `a` to `b` sent `dt` after `t`, answered with 180
    /// then 200 (each a little earlier the further the leg is from the caller).
    fn leg(
        t: f64,
        dt: f64,
        (a, b): ([u8; 4], [u8; 4]),
        (call_id, uri, from, to): (&str, &str, &str, &str),
    ) -> [Wire; 3] {
        let invite = format!("INVITE sip:{uri} SIP/2.0");
        let m = |first: &str| sip(first, call_id, "1 INVITE", from, to);
        [
            (t + dt, a, b, m(&invite)),
            (t + 0.2 - dt, b, a, m("SIP/2.0 180 Ringing")),
            (t + 0.4 - dt, b, a, m("SIP/2.0 200 OK")),
        ]
    }

    /// The captures of table1's IPBX and of the operator for a call from a
    /// phone of table1 (`account`, extension `ext`) to a test phone, at `t`:
    /// phone → IPBX, IPBX → operator (the caller shown by its public
    /// number), operator → test phone (its contact).
    fn call_to_tm(t: f64, id: &str, (account, ext): (&str, &str), (tm, number): (&str, &str)) -> [Vec<Wire>; 2] {
        let public = format!("03200001{ext}");
        let (leg1, leg2, leg3) = (format!("{id}-leg1"), format!("{id}-leg2"), format!("{id}-leg3"));
        let phone = leg(t, 0.0, (PHONES1, IPBX1), (&leg1, &format!("{number}@172.28.1.2"), account, number));
        let trunk = leg(t, 0.01, (IPBX1_BB, OPERATOR), (&leg2, &format!("{number}@172.28.0.2"), &public, number));
        let test_phone = leg(t, 0.02, (OPERATOR, TEST_PHONES), (&leg3, &format!("{tm}-0x77@172.28.0.3"), &public, tm));
        [[phone, trunk.clone()].concat(), [trunk, test_phone].concat()]
    }

    fn pcap(messages: &[Wire]) -> Vec<u8> {
        let packets: Vec<_> = messages.iter().map(|(t, a, b, m)| (*t, at(*a), at(*b), m.as_str())).collect();
        build(&packets)
    }

    /// Each call as its legs' Call-IDs, with its number of messages.
    fn summary(calls: &[Call]) -> Vec<(Vec<&str>, usize)> {
        calls.iter().map(|c| (c.call_ids.iter().map(String::as_str).collect(), c.messages.len())).collect()
    }

    #[test]
    fn the_legs_of_a_call_make_one_ladder() {
        let lab = Lab::sae();
        let [table1, operator] = call_to_tm(T, "a", ("patron1", "11"), ("tm1", "0212345677"));
        let calls = calls(&lab, &[pcap(&table1), pcap(&operator)]);
        assert_eq!(summary(&calls), [(vec!["a-leg1", "a-leg2", "a-leg3"], 9)]);
        let call = &calls[0];
        assert_eq!(call.title(), "INVITE patron1 → 0212345677");
        let order: Vec<String> = call.messages.iter().map(|m| format!("{} {}", m.call_id, m.label())).collect();
        assert_eq!(order[..3], ["a-leg1 INVITE", "a-leg2 INVITE", "a-leg3 INVITE"]);
        assert!(call.messages.windows(2).all(|w| w[0].time <= w[1].time));
    }

    /// Two phones of table1 call the two test phones at the same moment,
    /// then patron1 calls TM1 again: three calls, none borrowing a leg.
    #[test]
    fn calls_at_once_or_in_a_row_stay_apart() {
        let lab = Lab::sae();
        let [a_table1, a_operator] = call_to_tm(T, "a", ("patron1", "11"), ("tm1", "0212345677"));
        let [b_table1, b_operator] = call_to_tm(T + 0.005, "b", ("assistant1", "12"), ("tm2", "0212345678"));
        let [c_table1, c_operator] = call_to_tm(T + 0.6, "c", ("patron1", "11"), ("tm1", "0212345677"));
        let table1 = pcap(&[a_table1, b_table1, c_table1].concat());
        let operator = pcap(&[a_operator, b_operator, c_operator].concat());
        let calls = calls(&lab, &[table1, operator]);
        assert_eq!(
            summary(&calls),
            [
                (vec!["a-leg1", "a-leg2", "a-leg3"], 9),
                (vec!["b-leg1", "b-leg2", "b-leg3"], 9),
                (vec!["c-leg1", "c-leg2", "c-leg3"], 9),
            ]
        );
    }

    /// Within a site, the IPBX calls the callee by its account and shows the
    /// caller by its extension: still one call. Registrations are no call.
    #[test]
    fn an_internal_call_is_one_ladder_and_registrations_none() {
        let lab = Lab::sae();
        let messages = [
            (T, PHONES1, IPBX1, sip("INVITE sip:12@172.28.1.2 SIP/2.0", "x1", "1 INVITE", "patron1", "12")),
            (
                T + 0.01,
                IPBX1,
                PHONES1,
                sip("INVITE sip:assistant1-0x9@172.28.1.10 SIP/2.0", "x2", "3 INVITE", "11", "assistant1"),
            ),
            (T + 0.02, PHONES1, IPBX1, sip("SIP/2.0 180 Ringing", "x2", "3 INVITE", "11", "assistant1")),
            (T + 0.03, IPBX1, PHONES1, sip("SIP/2.0 180 Ringing", "x1", "1 INVITE", "patron1", "12")),
            (T + 0.04, PHONES1, IPBX1, sip("REGISTER sip:172.28.1.2 SIP/2.0", "r", "7 REGISTER", "patron2", "patron2")),
            // Another phone's call to the same callee, much later: a call of its own.
            (T + 9.0, PHONES1, IPBX1, sip("INVITE sip:12@172.28.1.2 SIP/2.0", "y1", "1 INVITE", "patron2", "12")),
        ];
        let calls = calls(&lab, &[pcap(&messages)]);
        assert_eq!(summary(&calls), [(vec!["x1", "x2"], 4), (vec!["y1"], 1)]);
    }
}
