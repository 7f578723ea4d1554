//! The hints of a failed check point at the student's folder: a line of a
//! config the lab generated (the operator's, another site's) tells the
//! student nothing they can change, so it is left out; a call the operator
//! hands the graded site gets, instead, the lines of the trunk's context that
//! take (or fail to take) that public number to a phone.

use std::path::Path;

use super::score::GradeReport;
use crate::asterisk_conf::dialplan::{Dialplan, EXTENSIONS_CONF};
use crate::asterisk_conf::Conf;
use crate::model::Lab;

/// Rewrites the hints of `report`'s failed checks; `generated` is the folder
/// of the lab's own generated configs.
pub fn point_at_the_folder(report: &mut GradeReport, lab: &Lab, generated: &Path) {
    let Some(site) = lab.site(&report.site) else { return };
    let plan =
        Conf::read(&report.config, EXTENSIONS_CONF).ok().flatten().map(|c| Dialplan::from_conf(&c)).unwrap_or_default();
    let trunk_context = report
        .inspection
        .trunk
        .as_ref()
        .and_then(|t| report.inspection.endpoints.iter().find(|e| e.name == t.name))
        .map(|e| e.context_name().to_string());
    let generated = generated.display().to_string();
    let folder = report.config.display().to_string();
    let n = &lab.numbering;
    let phones_context = report.inspection.phone_context();
    let handles = format!("no dialplan line of {} handles ", report.site);
    for (_, result) in &mut report.checks {
        let Some(failure) = &mut result.failure else { continue };
        // "No line handles 3" while a context the phones do not reach does.
        for look in failure.look.iter_mut() {
            let Some(number) = look.strip_prefix(&handles).map(str::trim).map(str::to_string) else { continue };
            let elsewhere = plan
                .contexts
                .iter()
                .find(|c| c.name != phones_context && !plan.route(&c.name, &number).steps.is_empty());
            if let Some(c) = elsewhere {
                look.push_str(&format!(
                    " in context {phones_context}, the phones'; context {} of {folder}/{} answers it, but {phones_context} does not include it",
                    c.name, c.at
                ));
            }
        }
        let before = failure.look.len();
        failure.look.retain(|l| !l.starts_with(&generated));
        if failure.look.len() == before {
            continue;
        }
        // The public number the operator handed the site, when it did.
        let dialled = result.says.rsplit_once('(').and_then(|(_, n)| n.strip_suffix(')')).unwrap_or_default();
        let public = match dialled.strip_prefix(&n.intersite_prefix) {
            Some(rest) if rest.starts_with(&site.index.to_string()) => format!("{}{rest}", n.public_prefix),
            _ => dialled.to_string(),
        };
        let ours = site.phones.iter().any(|p| site.public_number(n, &p.number) == public);
        let Some(context) = trunk_context.as_deref().filter(|_| ours) else { continue };
        let route = plan.route(context, &public);
        let lines: Vec<String> = route.steps.iter().map(|s| format!("{folder}/{}: {}", s.at, s.text)).collect();
        let capture = failure.look.iter().position(|l| l.contains("SIP capture")).unwrap_or(failure.look.len());
        let hint = if lines.is_empty() {
            vec![format!("{folder}/{EXTENSIONS_CONF}: no line of context {context} (the trunk's) answers {public}")]
        } else {
            lines
        };
        failure.look.splice(capture..capture, hint);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::{inspect, score::GradeReport, Part};
    use crate::scenario::{CheckResult, Failure};

    fn failed(says: &str, look: Vec<String>) -> CheckResult {
        CheckResult {
            scenario: "x".into(),
            says: says.into(),
            says_fr: None,
            place: String::new(),
            seconds: 0.0,
            failure: Some(Failure {
                step: String::new(),
                expected: String::new(),
                observed: String::new(),
                look,
                lab: false,
            }),
            lab_error: None,
            left_open: Vec::new(),
            notes: Vec::new(),
            started: std::time::UNIX_EPOCH,
            ended: std::time::UNIX_EPOCH,
            phones: Vec::new(),
        }
    }

    #[test]
    fn hints_leave_the_labs_configs_for_the_folders_lines() {
        let lab = Lab::sae();
        let site = lab.site("table2").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pjsip_wizard.conf"),
            "[phone](!)\ntype = wizard\naccepts_registrations = yes\nendpoint/context = default\n[secretaire1](phone)\n\
             [trunk]\ntype = wizard\nsends_registrations = yes\nremote_hosts = 172.28.0.2\nendpoint/context = from-op\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("extensions.conf"),
            "[default]\nexten => 14,1,Dial(PJSIP/x)\n[other]\nexten => 13,1,Dial(PJSIP/secretaire1)\n\
             [from-op]\nexten => 0320000213,1,Dial(PJSIP/secretaire1)\n",
        )
        .unwrap();
        let inspection = inspect(&lab, site, dir.path()).unwrap();
        let generated = Path::new("/state/config");
        let mut report = GradeReport {
            site: "table2".into(),
            config: dir.path().to_path_buf(),
            inspection,
            registration: None,
            checks: vec![
                (
                    Part::II,
                    failed(
                        "TM1 dials a site's public number: operator/tm1 → table2/secretaire1 (0320000213)",
                        vec![
                            "/state/config/operator/asterisk/extensions.conf:18: exten => _03200002XX,1,Dial(…)".into(),
                            "SIP capture of the run: /x/pcap/".into(),
                        ],
                    ),
                ),
                (
                    Part::I,
                    failed(
                        "table2/patron1 → table2/secretaire1 (13)",
                        vec!["no dialplan line of table2 handles 13".into()],
                    ),
                ),
            ],
            only: None,
            asterisk: None,
            blocked: Vec::new(),
        };
        point_at_the_folder(&mut report, &lab, generated);
        let look = &report.checks[0].1.failure.as_ref().unwrap().look;
        let folder = dir.path().display().to_string();
        assert_eq!(
            look[0],
            format!("{folder}/extensions.conf:6: exten => 0320000213,1,Dial(PJSIP/secretaire1)"),
            "{look:?}"
        );
        assert!(look[1].starts_with("SIP capture"), "{look:?}");
        assert!(!look.iter().any(|l| l.starts_with("/state/config")), "{look:?}");
        let look = &report.checks[1].1.failure.as_ref().unwrap().look;
        assert!(
            look[0].contains("context other of ") && look[0].ends_with("but default does not include it"),
            "{look:?}"
        );
    }
}
