//! The numbers a site hands its trunk: the operator routes inter-site
//! numbers (`*213`), public numbers (`0320000213`) and its test phones, and
//! nothing else. A `${EXTEN:n}` that cuts the wrong number of digits for the
//! pattern it sits under sends something the operator does not know.

use std::collections::BTreeSet;

use super::facts::{finding, Facts};
use super::messages::Problem;
use super::{Finding, Part};
use crate::asterisk_conf::dialplan::{pjsip_endpoint, substitute_exten, targets, Step};

pub(super) fn check(facts: &Facts, findings: &mut Vec<Finding>) {
    let trunks: Vec<&str> = facts.accounts.registrations.iter().map(|t| t.name.as_str()).collect();
    if trunks.is_empty() {
        return;
    }
    let accepted = accepted(facts);
    let mut reported = BTreeSet::new();
    for context in facts.phone_contexts() {
        for number in dialled_out(facts) {
            let route = facts.plan.route(context, &number);
            for (step, at_number) in route.steps.iter().zip(&route.numbers).filter(|(s, _)| s.is_app("Dial")) {
                for target in targets(&step.args) {
                    let Some(endpoint) = pjsip_endpoint(target) else { continue };
                    if !trunks.contains(&endpoint) {
                        continue;
                    }
                    let resource = target.split_once('/').map_or("", |(_, r)| r);
                    let Some(sent) = resource.rsplit_once('@').and_then(|(n, _)| substitute_exten(n, at_number)) else {
                        continue;
                    };
                    if accepted.contains(&sent) {
                        continue;
                    }
                    // The line that cut the number, when a jump did; else the Dial.
                    let cut = route
                        .steps
                        .iter()
                        .zip(&route.numbers)
                        .rev()
                        .find(|(s, n)| **n != *at_number && s.args.contains("${EXTEN") && is_jump(s))
                        .map_or(*step, |(s, _)| *s);
                    if reported.insert(cut.at.clone()) {
                        let problem =
                            Problem::NumberSent { dialled: number.clone(), sent, trunk: endpoint.to_string() };
                        findings.push(finding(Part::II, cut.at.clone(), cut.text.clone(), problem));
                    }
                }
            }
        }
    }
}

fn is_jump(step: &Step) -> bool {
    ["goto", "gotoif", "gosub", "gosubif"].contains(&step.app.to_ascii_lowercase().as_str())
}

/// What the operator routes: every site's inter-site and public numbers, and
/// its test phones.
fn accepted(facts: &Facts) -> BTreeSet<String> {
    let n = &facts.lab.numbering;
    let mut out: BTreeSet<String> = facts.lab.operator.test_phones.iter().map(|t| t.number.clone()).collect();
    for site in &facts.lab.sites {
        for phone in &site.phones {
            out.insert(site.intersite_number(n, &phone.number));
            out.insert(site.public_number(n, &phone.number));
        }
    }
    out
}

/// The numbers a phone of the site dials to leave it: another site's phones
/// (inter-site and public), and the test phones.
fn dialled_out(facts: &Facts) -> Vec<String> {
    let n = &facts.lab.numbering;
    let mut out: Vec<String> = Vec::new();
    for site in facts.lab.sites.iter().filter(|s| s.index != facts.site.index) {
        if let Some(phone) = site.phones.first() {
            out.push(site.intersite_number(n, &phone.number));
            out.push(site.public_number(n, &phone.number));
        }
    }
    out.extend(facts.lab.operator.test_phones.iter().map(|t| t.number.clone()));
    out
}
