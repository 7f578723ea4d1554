//! JUnit XML for CI: one suite per scenario file, one case per check; a
//! config failure is a `<failure>`, a lab error an `<error>`.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::text::cleanup_notes;
use crate::scenario::result::CheckResult;
use crate::scenario::runner::{RunError, RunReport};
use crate::xml::printable;

/// The run as a JUnit XML document.
pub fn junit(report: &RunReport) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing to memory does not fail.
    let _ = document(&mut writer, report);
    let mut xml = String::from_utf8_lossy(&writer.into_inner()).into_owned();
    xml.push('\n');
    xml
}

/// Writes `out_dir/junit.xml`; returns its path.
pub fn write_junit(out_dir: &Path, report: &RunReport) -> Result<PathBuf, RunError> {
    let path = out_dir.join("junit.xml");
    std::fs::write(&path, junit(report))
        .map_err(|source| RunError::Write { path: path.display().to_string(), source })?;
    Ok(path)
}

fn document(w: &mut Writer<Vec<u8>>, report: &RunReport) -> io::Result<()> {
    let mut suites: Vec<(&str, Vec<&CheckResult>)> = Vec::new();
    for r in &report.results {
        match suites.iter_mut().find(|(name, _)| *name == r.scenario) {
            Some((_, v)) => v.push(r),
            None => suites.push((&r.scenario, vec![r])),
        }
    }
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("testsuites")
        .with_attributes([
            ("name", "scenarios"),
            ("tests", &report.results.len().to_string()),
            ("failures", &report.failed().to_string()),
            ("errors", &report.lab_errors().to_string()),
            ("time", &format!("{:.3}", report.seconds)),
        ])
        .write_inner_content(|w| {
            for (name, cases) in suites {
                let failed = cases.iter().filter(|r| r.failed()).count();
                let errors = cases.iter().filter(|r| r.is_lab_error()).count();
                let time: f64 = cases.iter().map(|r| r.seconds).sum();
                w.create_element("testsuite")
                    .with_attributes([
                        ("name", &*printable(name)),
                        ("tests", &cases.len().to_string()),
                        ("failures", &failed.to_string()),
                        ("errors", &errors.to_string()),
                        ("time", &format!("{time:.3}")),
                    ])
                    .write_inner_content(|w| cases.into_iter().try_for_each(|r| case(w, r)))?;
            }
            Ok(())
        })?;
    Ok(())
}

fn case(w: &mut Writer<Vec<u8>>, r: &CheckResult) -> io::Result<()> {
    let element = w.create_element("testcase").with_attributes([
        ("classname", &*printable(&r.scenario)),
        ("name", &printable(&r.says)),
        ("file", &printable(&r.place)),
        ("time", &format!("{:.3}", r.seconds)),
    ]);
    if r.passed() {
        element.write_empty()?;
        return Ok(());
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
    element.write_inner_content(|w| {
        w.create_element(tag)
            .with_attribute(("message", &*printable(&message)))
            // Quotes stay as they are in text, easier to read in a CI log.
            .write_text_content(BytesText::from_escaped(partial_escape(printable(body.trim_end()))))?;
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::report::text::tests::report;

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
                "<error message=\"lab error: table1&apos;s softphones restarted during the check (RestartCount 0 → 1)\">"
            ),
            "{error}"
        );
        assert!(error.contains("observed: it did not ring within 10 s"), "what the check saw is kept: {error}");
        let failure = &x[x.find("<failure ").unwrap()..x.find("</failure>").unwrap()];
        assert!(failure.contains("secretaire1 rings"), "{failure}");
    }

    /// Command output with colour codes and several lines, as a failed
    /// check may report it, still gives a document CI tools can read.
    #[test]
    fn odd_characters_stay_readable() {
        let mut report = report();
        let f = report.results[1].failure.as_mut().unwrap();
        f.observed = "\u{1b}[1;31mUnable to connect\u{1b}[0m\nto remote asterisk".into();
        let x = junit(&report);
        assert_eq!(crate::xml::well_formed(&x), Ok(()), "{x}");
        assert!(x.contains("observed \u{fffd}[1;31mUnable to connect\u{fffd}[0m&#10;to remote asterisk\">"), "{x}");
        assert!(x.contains("observed: \u{fffd}[1;31mUnable to connect\u{fffd}[0m\nto remote asterisk"), "{x}");
    }
}
