//! The dialplan's own lines: channels that name no endpoint (part I, or II
//! through the trunk, III for hints), extension names that cannot be the
//! pattern meant (II for inter-site and external numbers), and applications
//! Asterisk 22 no longer has.

use super::facts::{finding, part_of_extension, Facts};
use super::messages::{Problem, Removed};
use super::{Finding, Part};
use crate::asterisk_conf::dialplan::{pjsip_endpoint, targets};
use crate::asterisk_conf::pattern::{suspicion, Suspicion};
use crate::model::Lab;

/// Every `Dial(PJSIP/…)` and hint naming an endpoint that does not exist.
pub(super) fn dial_targets(facts: &Facts, findings: &mut Vec<Finding>) {
    let names: Vec<&str> = facts.accounts.endpoints.iter().map(|e| e.name.as_str()).collect();
    let files: Vec<String> = facts.accounts.files.iter().map(|f| f.to_string()).collect();
    for step in facts.plan.contexts.iter().flat_map(|c| &c.steps) {
        let hint = step.is_hint();
        if !hint && !step.is_app("Dial") {
            continue;
        }
        let channels = if hint { targets(&step.app) } else { targets(&step.args) };
        for channel in channels {
            let Some(endpoint) = pjsip_endpoint(channel) else {
                continue;
            };
            if endpoint.contains('$') || names.contains(&endpoint) {
                continue;
            }
            let through_trunk = channel.contains('@');
            let part = match (hint, through_trunk) {
                (true, _) => Part::III,
                (false, true) => Part::II,
                (false, false) => Part::I,
            };
            let problem = Problem::UndeclaredEndpoint {
                extension: step.extension.clone(),
                target: channel[channel.find('/').map_or(0, |i| i + 1)..].to_string(),
                endpoint: endpoint.to_string(),
                files: files.clone(),
                hint,
                suggestion: closest(endpoint, &names),
            };
            findings.push(finding(part, step.at.clone(), step.text.clone(), problem));
        }
    }
}

/// A declared name at most two edits away: the likely intended one.
fn closest(name: &str, names: &[&str]) -> Option<String> {
    names.iter().map(|n| (edit_distance(name, n), *n)).filter(|(d, _)| *d <= 2).min().map(|(_, n)| n.to_string())
}

pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Extension names that cannot be the pattern their author meant.
pub(super) fn patterns(facts: &Facts, findings: &mut Vec<Finding>) {
    for context in &facts.plan.contexts {
        let mut seen: Vec<&str> = Vec::new();
        for step in &context.steps {
            if seen.contains(&step.extension.as_str()) {
                continue;
            }
            seen.push(&step.extension);
            let Some(suspicion) = suspicion(&step.extension) else {
                continue;
            };
            let extension = step.extension.clone();
            let problem = match suspicion {
                Suspicion::NoWildcard { literal } => Problem::NoWildcard {
                    example: example_number(facts, &literal),
                    suggestions: wildcard_suggestions(facts.lab, &literal),
                    extension,
                    literal,
                },
                Suspicion::LetterO { fixed } => Problem::LetterO { extension, fixed },
                Suspicion::NoUnderscore => Problem::NoUnderscore { extension },
            };
            let part = part_of_extension(facts.lab, &step.extension);
            findings.push(finding(part, step.at.clone(), step.text.clone(), problem));
        }
    }
}

/// A number of the lab that starts like `literal` but is longer: one the
/// pattern was surely meant to take.
fn example_number(facts: &Facts, literal: &str) -> Option<String> {
    let n = &facts.lab.numbering;
    let sites = facts.lab.sites.iter();
    let others = sites.clone().filter(|s| s.index != facts.site.index).chain(std::iter::once(facts.site));
    let intersite = others.flat_map(|s| s.phones.iter().map(move |p| s.intersite_number(n, &p.number)));
    let public = sites.flat_map(|s| s.phones.iter().map(move |p| s.public_number(n, &p.number)));
    let test_phones = facts.lab.operator.test_phones.iter().map(|t| t.number.clone());
    intersite.chain(public).chain(test_phones).find(|x| x.len() > literal.len() && x.starts_with(literal))
}

fn wildcard_suggestions(lab: &Lab, literal: &str) -> Vec<String> {
    let mut out = vec![format!("_{literal}X.")];
    if literal == lab.numbering.intersite_prefix {
        // Exactly a site number and a two-digit extension.
        out.push(format!("_{literal}{}", "X".repeat(lab.numbering.site_digits + 2)));
    }
    out
}

/// Applications and channels Asterisk 22 no longer has.
pub(super) fn removed_apps(facts: &Facts, findings: &mut Vec<Finding>) {
    for step in facts.plan.contexts.iter().flat_map(|c| &c.steps) {
        let channels = if step.is_hint() { targets(&step.app) } else { targets(&step.args) };
        let removed = if step.is_app("Macro") {
            Some(Removed::Macro)
        } else if step.is_app("Monitor") {
            Some(Removed::Monitor)
        } else if (step.is_hint() || step.is_app("Dial"))
            && channels.iter().any(|c| c.split_once('/').is_some_and(|(t, _)| t.eq_ignore_ascii_case("SIP")))
        {
            Some(Removed::SipChannel)
        } else {
            None
        };
        if let Some(r) = removed {
            let part = part_of_extension(facts.lab, &step.extension);
            findings.push(finding(part, step.at.clone(), step.text.clone(), Problem::Removed(r)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_is_two_edits_away() {
        assert_eq!(edit_distance("secraitaire1", "secretaire1"), 2);
        assert_eq!(closest("secraitaire1", &["patron1", "secretaire1"]).as_deref(), Some("secretaire1"));
        assert_eq!(closest("nobody", &["secretaire1"]), None);
    }
}
