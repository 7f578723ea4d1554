//! Root causes first: when one mistake explains others (a wizard Asterisk
//! refused explains "no trunk registers", a line cut by `\` explains what
//! is wrong with the line before it), the report leads with the mistake and
//! lists what it explains under it, instead of one finding per symptom.

use super::asterisk_says::Said;
use super::messages::{Problem, Removed};
use super::{Finding, Part};

/// A finding that explains none of the others, with those it explains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause<'a> {
    pub finding: &'a Finding,
    pub explains: Vec<&'a Finding>,
}

/// Every finding once: each is a root cause or is listed under the root
/// cause it comes from.
pub fn root_causes(findings: &[Finding]) -> Vec<Cause<'_>> {
    // The finding that explains `i` (when two explain each other, the first leads).
    let cause_of = |i: usize| {
        (0..findings.len()).find(|&c| {
            c != i && explains(&findings[c], &findings[i]) && !(explains(&findings[i], &findings[c]) && i < c)
        })
    };
    let root_of = |mut i: usize| {
        for _ in 0..findings.len() {
            match cause_of(i) {
                Some(c) => i = c,
                None => break,
            }
        }
        i
    };
    let mut causes: Vec<(usize, Cause)> = Vec::new();
    for i in 0..findings.len() {
        let root = root_of(i);
        match causes.iter_mut().find(|(r, _)| *r == root) {
            Some((_, cause)) if root != i => cause.explains.push(&findings[i]),
            Some(_) => {}
            None if root == i => causes.push((i, Cause { finding: &findings[i], explains: Vec::new() })),
            None => causes.push((root, Cause { finding: &findings[root], explains: vec![&findings[i]] })),
        }
    }
    let mut causes: Vec<Cause> = causes.into_iter().map(|(_, c)| c).collect();
    causes.sort_by(|a, b| a.finding.at.cmp(&b.finding.at));
    causes
}

/// Whether `cause` is why `effect` is there.
fn explains(cause: &Finding, effect: &Finding) -> bool {
    // A pattern that takes a phone's number: what that extension does is never run.
    if let Problem::Shadowed { numbers, .. } = &cause.problem {
        return match &effect.problem {
            Problem::WrongPhone { phone, .. } | Problem::NoVoicemailStep { phone } => {
                numbers.contains(&phone.extension)
            }
            Problem::NoVoicemailAccess { number, .. } => numbers.contains(number),
            _ => false,
        };
    }
    // An extension missing: the jumps to it land nowhere.
    if let (Problem::NoExtension { phone, .. }, Problem::JumpTargetMissing { missing, .. }) =
        (&cause.problem, &effect.problem)
    {
        return *missing == format!("extension {}", phone.extension);
    }
    // An application Asterisk 22 no longer has stops the call on its line.
    if let Problem::Removed(Removed::Macro | Removed::Monitor | Removed::SipChannel) = cause.problem {
        return cause.at == effect.at && !matches!(effect.problem, Problem::Removed(_));
    }
    let Problem::Asterisk(said) = &cause.problem else {
        return false;
    };
    // A line Asterisk refused explains what else is wrong on that line.
    if cause.at == effect.at && cause.at.line > 0 && !matches!(effect.problem, Problem::Asterisk(_)) {
        return true;
    }
    match (said, &effect.problem) {
        // A line cut by `\`: the line before ends where the `\` is.
        (Said::LineIgnored { continued: true }, _) => {
            effect.at.file == cause.at.file && effect.at.line + 1 == cause.at.line
        }
        // The trunk's wizard not made: nothing registers to the operator.
        (Said::WizardNeeds { .. }, Problem::NoTrunk { .. }) => true,
        (Said::UnknownOption { .. } | Said::NotCreated { .. }, Problem::NoTrunk { .. }) => cause.part == Part::II,
        // No parking module: its context `parkedcalls` does not exist.
        (Said::ModuleDeclined { module, .. }, Problem::Asterisk(Said::IncludeMissing { included, .. })) => {
            module == "res_parking" && included == "parkedcalls"
        }
        // An application that does not exist: the extension never dials its phone.
        (Said::UnknownApplication { extension, .. }, Problem::WrongPhone { phone, .. }) => {
            *extension == phone.extension
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asterisk_conf::Place;
    use crate::grade::messages::Who;

    fn finding(file: &str, line: usize, part: Part, problem: Problem) -> Finding {
        Finding { part, at: Place::new(file, line), text: String::new(), problem }
    }

    #[test]
    fn the_refused_wizard_leads_and_the_missing_trunk_follows() {
        let findings = vec![
            finding("pjsip_wizard.conf", 50, Part::II, Problem::NoTrunk { operator: "172.28.0.2".into() }),
            finding(
                "pjsip_wizard.conf",
                54,
                Part::II,
                Problem::Asterisk(Said::WizardNeeds {
                    wizard: "operator".into(),
                    option: "remote_hosts".into(),
                    written: Some("remote_host".into()),
                }),
            ),
            finding(
                "voicemail.conf",
                9,
                Part::IV,
                Problem::NoBox {
                    phone: Who { extension: "13".into(), account: "secretaire1".into(), label: "Secrétaire 1".into() },
                },
            ),
        ];
        let causes = root_causes(&findings);
        assert_eq!(causes.len(), 2, "{causes:#?}");
        assert_eq!(causes[0].finding.at.line, 54);
        assert_eq!(causes[0].explains.len(), 1);
        assert_eq!(causes[0].explains[0].at.line, 50);
        assert!(causes[1].explains.is_empty());
    }

    #[test]
    fn a_line_cut_by_a_backslash_explains_the_line_before() {
        let findings = vec![
            finding("extensions.conf", 34, Part::I, Problem::Asterisk(Said::NoClosingParenthesis)),
            finding("extensions.conf", 35, Part::I, Problem::Asterisk(Said::LineIgnored { continued: true })),
        ];
        let causes = root_causes(&findings);
        assert_eq!(causes.len(), 1, "{causes:#?}");
        assert_eq!(causes[0].finding.at.line, 35);
        assert_eq!(causes[0].explains[0].at.line, 34);
    }
}
