//! Reports: one line per check for people, JUnit XML for CI.

use std::fmt::Write as _;

use super::runner::{CheckResult, RunReport};

/// `✓ scenario › check (1.2 s)`, and on failure what was expected, what was
/// observed and where to look.
pub fn line(r: &CheckResult) -> String {
    let mut s = format!("{} {} › {} ({:.1} s)", if r.passed() { "✓" } else { "✗" }, r.scenario, r.says, r.seconds);
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
    s
}

/// The closing line: `N passed, N failed` (the form CI tools read).
pub fn summary(report: &RunReport) -> String {
    let failed = report.results.iter().filter(|r| !r.passed()).count();
    format!("{} passed, {failed} failed", report.results.len() - failed)
}

/// JUnit XML: one suite per scenario file, one case per check.
pub fn junit(report: &RunReport) -> String {
    let mut suites: Vec<(&str, Vec<&CheckResult>)> = Vec::new();
    for r in &report.results {
        match suites.iter_mut().find(|(name, _)| *name == r.scenario) {
            Some((_, v)) => v.push(r),
            None => suites.push((&r.scenario, vec![r])),
        }
    }
    let failed = report.results.iter().filter(|r| !r.passed()).count();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"scenarios\" tests=\"{}\" failures=\"{failed}\" time=\"{:.3}\">",
        report.results.len(),
        report.seconds
    );
    for (name, cases) in suites {
        let f = cases.iter().filter(|r| !r.passed()).count();
        let time: f64 = cases.iter().map(|r| r.seconds).sum();
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" time=\"{time:.3}\">",
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
            match &r.failure {
                None => x.push_str("/>\n"),
                Some(fl) => {
                    let mut body = format!("step: {}\nexpected: {}\nobserved: {}", fl.step, fl.expected, fl.observed);
                    for l in &fl.look {
                        let _ = write!(body, "\nlook at: {l}");
                    }
                    let _ = writeln!(
                        x,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        esc(&format!("{}: expected {}, observed {}", fl.step, fl.expected, fl.observed)),
                        esc(&body)
                    );
                }
            }
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
