//! What a run says on the terminal: a line per check, a closing summary.

use std::fmt::Write as _;

use crate::scenario::result::CheckResult;
use crate::scenario::runner::RunReport;

/// `✓ scenario › check (1.2 s)`, with how it passed when its steps say; on
/// failure what was expected, what was observed and where to look; on a lab
/// error (`⚠`) what broke in the lab.
pub fn line(r: &CheckResult) -> String {
    let mark = match (r.passed(), r.is_lab_error()) {
        (true, _) => "✓",
        (false, true) => "⚠",
        (false, false) => "✗",
    };
    let mut s = format!("{mark} {} › {} ({:.1} s)", r.scenario, r.says, r.seconds);
    for n in r.notes.iter().filter(|_| r.passed()) {
        let _ = write!(s, "\n    note:     {}", n.en);
    }
    if let Some(why) = &r.lab_error {
        let _ = write!(s, "\n    lab error: {why}");
    }
    if let Some(f) = &r.failure {
        let _ = write!(
            s,
            "\n    step:     {}\n    expected: {}\n    observed: {}\n    written:  {}",
            f.step, f.expected, f.observed, r.place
        );
        for l in &f.look {
            let _ = write!(s, "\n    look at:  {l}");
        }
    }
    for l in cleanup_notes(r) {
        let _ = write!(s, "\n    cleanup:  {l}");
    }
    s
}

/// Channels the check left open, unless its failure says so already.
pub(crate) fn cleanup_notes(r: &CheckResult) -> &[String] {
    if r.failed_to_clean_up() {
        &[]
    } else {
        &r.left_open
    }
}

/// The closing line: `69 passed, 1 failed, 1 lab error` (the first two in
/// the form CI tools read).
pub fn summary(report: &RunReport) -> String {
    let lab = report.lab_errors();
    format!(
        "{} passed, {} failed, {lab} lab error{}",
        report.passed(),
        report.failed(),
        if lab == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
pub(super) mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::scenario::result::fail;

    fn result(says: &str, failure: Option<(&str, &str)>, lab_error: Option<&str>) -> CheckResult {
        CheckResult {
            scenario: "internal-calls".into(),
            says: says.into(),
            says_fr: None,
            place: "scenarios/internal-calls.toml:4".into(),
            seconds: 1.0,
            failure: failure.map(|(e, o)| fail(e, o)),
            lab_error: lab_error.map(str::to_string),
            left_open: Vec::new(),
            notes: Vec::new(),
            started: UNIX_EPOCH,
            ended: UNIX_EPOCH + Duration::from_secs(1),
            phones: Vec::new(),
        }
    }

    pub(in crate::scenario::report) fn report() -> RunReport {
        let restarted = "table1's softphones restarted during the check (RestartCount 0 → 1)";
        let mut left = result("patron2 calls assistant2", Some(("the call ends", "still in the call after 5 s")), None);
        left.left_open = vec!["left channel PJSIP/patron2-0000002a open; hung up".into()];
        RunReport {
            results: vec![
                result("patron1 calls assistant1", None, None),
                result("patron1 calls secretaire1", Some(("secretaire1 rings", "it did not ring within 10 s")), None),
                result(
                    "assistant1 calls patron1",
                    Some(("patron1 rings", "it did not ring within 10 s")),
                    Some(restarted),
                ),
                left,
            ],
            seconds: 4.0,
            started: UNIX_EPOCH,
            captures: Vec::new(),
            lab_changes: Vec::new(),
        }
    }

    #[test]
    fn lab_errors_are_counted_apart() {
        assert_eq!(summary(&report()), "1 passed, 2 failed, 1 lab error");
        let line = line(&report().results[2]);
        assert!(line.starts_with("⚠ internal-calls › assistant1 calls patron1"), "{line}");
        assert!(
            line.contains("\n    lab error: table1's softphones restarted during the check (RestartCount 0 → 1)"),
            "{line}"
        );
        let left = super::line(&report().results[3]);
        assert!(left.starts_with("✗") && left.contains("cleanup:  left channel PJSIP/patron2-0000002a open"), "{left}");
    }
}
