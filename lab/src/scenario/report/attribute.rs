//! Which check made which call: each check's ladders in the report.

use std::time::{SystemTime, UNIX_EPOCH};

use super::correlate::Call;
use super::names;
use crate::model::Lab;
use crate::scenario::result::CheckResult;

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
            let names: Vec<names::Name> = r.phones.iter().flat_map(|p| names::of(lab, &p.site, &p.account)).collect();
            calls
                .iter()
                .enumerate()
                .filter(|(_, c)| (from..=to).contains(&c.start()))
                .filter(|(_, c)| {
                    let users = c.users();
                    let sites = names::sites_at(lab, &c.addresses());
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::scenario::pcap::build;
    use crate::scenario::report::correlate::calls;
    use crate::scenario::report::parse::tests::{at, sip, T};
    use crate::scenario::PhoneId;

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
            notes: Vec::new(),
            started: time(from),
            ended: time(to),
            phones,
        }
    }

    #[test]
    fn calls_go_to_the_check_that_names_their_phones_in_its_window() {
        let lab = Lab::sae();
        let (phones, ipbx, ipbx_backbone, operator) =
            (at([172, 28, 1, 10]), at([172, 28, 1, 2]), at([172, 28, 0, 11]), at([172, 28, 0, 2]));
        let invite = sip("INVITE sip:0212345677@172.28.1.2 SIP/2.0", "leg1", "1 INVITE", "patron1", "0212345677");
        let trunk = sip("INVITE sip:0212345677@172.28.0.2 SIP/2.0", "leg2", "5 INVITE", "0320000111", "0212345677");
        let captures = [build(&[(T + 1.0, phones, ipbx, &invite), (T + 1.01, ipbx_backbone, operator, &trunk)])];
        let calls = calls(&lab, &captures);
        let patron = |site: &str| PhoneId { site: site.into(), account: "patron1".into() };
        let results = [
            result(vec![patron("table1")], T + 0.5, T + 3.0),
            // Same account on another site: not its calls.
            result(vec![patron("table2")], T + 0.5, T + 3.0),
            // Its phone, but the check ran later.
            result(vec![patron("table1")], T + 5.0, T + 6.0),
        ];
        let (per_check, rest) = attribute(&lab, &results, &calls);
        let ids = |v: &Vec<&Call>| v.iter().map(|c| c.call_ids.join(" ")).collect::<Vec<_>>();
        assert_eq!(ids(&per_check[0]), ["leg1 leg2"]);
        assert!(per_check[1].is_empty() && per_check[2].is_empty());
        assert!(rest.is_empty());
    }
}
