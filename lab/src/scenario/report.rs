//! Reports: one line per check for people, JUnit XML for CI.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::result::CheckResult;
use super::runner::{RunError, RunReport};
use crate::xml::esc;

/// `✓ scenario › check (1.2 s)`; on failure what was expected, what was
/// observed and where to look; on a lab error (`⚠`) what broke in the lab.
pub fn line(r: &CheckResult) -> String {
    let mark = match (r.passed(), r.is_lab_error()) {
        (true, _) => "✓",
        (false, true) => "⚠",
        (false, false) => "✗",
    };
    let mut s = format!("{mark} {} › {} ({:.1} s)", r.scenario, r.says, r.seconds);
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

/// JUnit XML: one suite per scenario file, one case per check; a config
/// failure is a `<failure>`, a lab error an `<error>`.
pub fn junit(report: &RunReport) -> String {
    let mut suites: Vec<(&str, Vec<&CheckResult>)> = Vec::new();
    for r in &report.results {
        match suites.iter_mut().find(|(name, _)| *name == r.scenario) {
            Some((_, v)) => v.push(r),
            None => suites.push((&r.scenario, vec![r])),
        }
    }
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"scenarios\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3}\">",
        report.results.len(),
        report.failed(),
        report.lab_errors(),
        report.seconds
    );
    for (name, cases) in suites {
        let failed = cases.iter().filter(|r| r.failed()).count();
        let errors = cases.iter().filter(|r| r.is_lab_error()).count();
        let time: f64 = cases.iter().map(|r| r.seconds).sum();
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"{errors}\" time=\"{time:.3}\">",
            esc(name),
            cases.len()
        );
        for r in cases {
            let _ = write!(
                x,
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"{:.3}\"",
                esc(&r.scenario),
                esc(&r.says),
                esc(&r.place),
                r.seconds
            );
            if r.passed() {
                x.push_str("/>\n");
                continue;
            }
            let mut body = String::new();
            if let Some(why) = &r.lab_error {
                let _ = writeln!(body, "lab error: {why}");
            }
            let mut message = r.lab_error.as_ref().map(|why| format!("lab error: {why}")).unwrap_or_default();
            if let Some(f) = &r.failure {
                let _ = write!(body, "step: {}\nexpected: {}\nobserved: {}", f.step, f.expected, f.observed);
                for l in &f.look {
                    let _ = write!(body, "\nlook at: {l}");
                }
                if message.is_empty() {
                    message = format!("{}: expected {}, observed {}", f.step, f.expected, f.observed);
                }
            }
            for l in cleanup_notes(r) {
                let _ = write!(body, "\ncleanup: {l}");
            }
            let tag = if r.is_lab_error() { "error" } else { "failure" };
            let _ = writeln!(
                x,
                ">\n      <{tag} message=\"{}\">{}</{tag}>\n    </testcase>",
                esc(&message),
                esc(body.trim_end())
            );
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

/// Writes `out_dir/junit.xml`; returns its path.
pub fn write_junit(out_dir: &Path, report: &RunReport) -> Result<PathBuf, RunError> {
    let path = out_dir.join("junit.xml");
    std::fs::write(&path, junit(report))
        .map_err(|source| RunError::Write { path: path.display().to_string(), source })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
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
            started: UNIX_EPOCH,
            ended: UNIX_EPOCH + Duration::from_secs(1),
            phones: Vec::new(),
        }
    }

    fn report() -> RunReport {
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

    #[test]
    fn junit_says_lab_errors_as_errors_and_config_failures_as_failures() {
        let x = junit(&report());
        assert_eq!(crate::xml::well_formed(&x), Ok(()), "{x}");
        assert!(x.contains("<testsuites name=\"scenarios\" tests=\"4\" failures=\"2\" errors=\"1\""), "{x}");
        assert!(x.contains("<testsuite name=\"internal-calls\" tests=\"4\" failures=\"2\" errors=\"1\""), "{x}");
        assert_eq!(x.matches("<failure ").count(), 2, "{x}");
        assert!(x.contains("cleanup: left channel PJSIP/patron2-0000002a open; hung up"), "{x}");
        assert_eq!(x.matches("<error ").count(), 1, "{x}");
        let error = &x[x.find("<error ").unwrap()..x.find("</error>").unwrap()];
        assert!(
            error.starts_with(
                "<error message=\"lab error: table1&#39;s softphones restarted during the check (RestartCount 0 → 1)\">"
            ),
            "{error}"
        );
        assert!(error.contains("observed: it did not ring within 10 s"), "what the check saw is kept: {error}");
        let failure = &x[x.find("<failure ").unwrap()..x.find("</failure>").unwrap()];
        assert!(failure.contains("secretaire1 rings"), "{failure}");
    }
}
