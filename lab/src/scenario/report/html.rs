//! The HTML report: one self-contained file (inline CSS and SVG, nothing
//! fetched) that a student or CI artifact viewer opens as is. It shows the lab's
//! topology, every check with its outcome, and the SIP ladder of each call a
//! check made, drawn from the run's captures.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::attribute::{attribute, epoch};
use super::correlate::{calls, Call};
use super::{layout, svg, text};
use crate::model::Lab;
use crate::scenario::result::CheckResult;
use crate::scenario::runner::{RunError, RunReport};

const STYLE: &str = "
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
h1 { margin-bottom: 4px; }
.meta { color: #555; margin-top: 0; }
.preface { background: #f6f6f6; border: 1px solid #ddd; padding: 12px; white-space: pre-wrap; }
.counts span { display: inline-block; padding: 4px 10px; border-radius: 4px; margin-right: 8px; font-weight: bold; }
.pass { color: #2e7d32; }
.fail { color: #c62828; }
.counts .pass { background: #e8f5e9; }
.counts .fail { background: #ffebee; }
.lab { color: #8a5a00; }
.counts .lab { background: #fff3e0; }
tr.laberror td { background: #fffaf0; }
.picture { overflow-x: auto; border: 1px solid #ddd; padding: 6px; background: #fff; }
table { border-collapse: collapse; width: 100%; margin-bottom: 8px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e5e5e5; vertical-align: top; }
th { background: #f3f3f3; }
td.mark { font-size: 18px; width: 24px; }
td.num { text-align: right; white-space: nowrap; width: 70px; }
td.where { color: #666; font-family: monospace; width: 300px; }
tr.failed td { background: #fff7f7; }
dl.failure, dl.notes { margin: 6px 0 0 0; display: grid; grid-template-columns: max-content auto; gap: 2px 12px; }
dl.failure dt, dl.notes dt { font-weight: bold; }
dl.failure dd, dl.notes dd { margin: 0; font-family: monospace; white-space: pre-wrap; }
details { margin: 4px 0; }
summary { cursor: pointer; color: #1f5fa8; }
.call { margin: 8px 0 16px 16px; }
.call p { margin: 4px 0; font-family: monospace; }
";

/// `report.html#all` opens every ladder (for printing or a screenshot).
const SCRIPT: &str = "function openAll(){document.querySelectorAll('details').forEach(function(d){d.open=true})}
if(location.hash==='#all')openAll();";

/// Writes `out_dir/report.html` for a run (its SIP captures drawn as
/// ladders), with `preface` (a grade, say) on top; returns its path.
pub fn write(
    out_dir: &Path,
    lab: &Lab,
    report: &RunReport,
    title: &str,
    preface: Option<&str>,
) -> Result<PathBuf, RunError> {
    let captures = report
        .captures
        .iter()
        .map(|c| std::fs::read(c).map_err(|source| RunError::Read { path: c.display().to_string(), source }))
        .collect::<Result<Vec<_>, _>>()?;
    let path = out_dir.join("report.html");
    std::fs::write(&path, render_titled(lab, report, &captures, title, preface))
        .map_err(|source| RunError::Write { path: path.display().to_string(), source })?;
    Ok(path)
}

/// The whole report for `report`, with ladders read from `captures` (the
/// bytes of each pcap in `report.captures`).
pub fn render(lab: &Lab, report: &RunReport, captures: &[Vec<u8>]) -> String {
    render_titled(lab, report, captures, &format!("Scenario report: lab {}", lab.name), None)
}

/// The same report under another title, with `preface` (plain text, such as
/// a grade's scores and findings) shown before the topology.
pub fn render_titled(
    lab: &Lab,
    report: &RunReport,
    captures: &[Vec<u8>],
    title: &str,
    preface: Option<&str>,
) -> String {
    let calls = calls(lab, captures);
    let (per_check, unclaimed) = attribute(lab, &report.results, &calls);
    let (passed, failed, lab_errors) = (report.passed(), report.failed(), report.lab_errors());
    // Scenario files in the order their first check appears.
    let mut scenarios: Vec<&str> = Vec::new();
    for r in &report.results {
        if !scenarios.contains(&r.scenario.as_str()) {
            scenarios.push(&r.scenario);
        }
    }
    let page = html! {
        (DOCTYPE) "\n"
        html lang="en" {
            "\n"
            head { "\n" meta charset="utf-8"; "\n" title { (title) } "\n" style { (PreEscaped(STYLE)) } "\n" } "\n"
            body {
                "\n"
                h1 { (title) } "\n"
                p class="meta" {
                    "Run started " (date(report.started)) " · " (format!("{:.1}", report.seconds)) " s · "
                    (report.captures.len()) " SIP capture(s), " (calls.len()) " call(s) seen"
                } "\n"
                p class="counts" {
                    span class="pass" { (passed) " passed" }
                    span class="fail" { (failed) " failed" }
                    @if lab_errors > 0 {
                        span class="lab" { (lab_errors) " lab error" @if lab_errors != 1 { "s" } }
                    }
                    "of " (report.results.len()) " checks · "
                    button onclick="openAll()" { "open every ladder" }
                } "\n"
                @if lab_errors > 0 {
                    p class="lab" {
                        "A lab error is a check that failed while the lab itself broke (a softphone or an Asterisk that restarted, Docker that did not answer): it says nothing about the config. Run it again."
                    } "\n"
                }
                @if !report.lab_changes.is_empty() {
                    p class="lab" {
                        "During the run: "
                        (report.lab_changes.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
                    } "\n"
                }
                @if let Some(preface) = preface {
                    pre class="preface" { (preface) } "\n"
                }
                h2 { "Topology" } "\n"
                div class="picture" { "\n" (PreEscaped(crate::graph::svg(lab))) } "\n"
                @for name in scenarios {
                    (scenario(lab, name, report, &per_check))
                }
                @if !unclaimed.is_empty() {
                    h2 { "Other calls" } "\n"
                    details {
                        summary {
                            (unclaimed.len()) " call(s) no check claimed (phones outside the lab, or a check's window missed them)"
                        } "\n"
                        @for c in &unclaimed {
                            (call(lab, c, None))
                        }
                    } "\n"
                }
                script { (PreEscaped(SCRIPT)) } "\n"
            } "\n"
        } "\n"
    };
    page.into_string()
}

/// A scenario file's heading and its checks' table.
fn scenario(lab: &Lab, name: &str, report: &RunReport, per_check: &[Vec<&Call>]) -> Markup {
    let rows: Vec<(&CheckResult, &Vec<&Call>)> =
        report.results.iter().zip(per_check).filter(|(r, _)| r.scenario == name).collect();
    let bad = rows.iter().filter(|(r, _)| !r.passed()).count();
    html! {
        h2 id=(name) {
            (name) " "
            small class=(if bad == 0 { "pass" } else { "fail" }) { (rows.len() - bad) "/" (rows.len()) " passed" }
        } "\n"
        table {
            "\n"
            tr { th {} th { "check" } th { "time" } th { "written" } } "\n"
            @for (r, calls) in rows {
                (check_row(lab, r, calls)) "\n"
            }
        } "\n"
    }
}

fn check_row(lab: &Lab, r: &CheckResult, calls: &[&Call]) -> Markup {
    let (row, class, mark) = match (r.passed(), r.is_lab_error()) {
        (true, _) => ("passed", "pass", "✓"),
        (false, true) => ("laberror", "lab", "⚠"),
        (false, false) => ("failed", "fail", "✗"),
    };
    html! {
        tr class=(row) {
            td class={ "mark " (class) } { (mark) }
            td {
                (r.says)
                @if r.passed() && !r.notes.is_empty() {
                    dl class="notes" {
                        @for n in &r.notes {
                            dt { "note" } dd { (n.en) }
                        }
                    }
                }
                @if !r.passed() || !r.left_open.is_empty() {
                    dl class="failure" {
                        @if let Some(why) = &r.lab_error {
                            dt class="lab" { "lab error" } dd class="lab" { (why) }
                        }
                        @if let Some(f) = &r.failure {
                            dt { "step" } dd { (f.step) }
                            dt { "expected" } dd { (f.expected) }
                            dt { "observed" } dd { (f.observed) }
                            @for l in &f.look {
                                dt { "look at" } dd { (l) }
                            }
                        }
                        @for l in text::cleanup_notes(r) {
                            dt { "cleanup" } dd { (l) }
                        }
                    }
                }
                @if !calls.is_empty() {
                    details open=[(!r.passed()).then_some("open")] {
                        summary { "SIP ladder of " (calls.len()) " call(s)" }
                        @for c in calls {
                            (call(lab, c, Some(epoch(r.started))))
                        }
                    }
                }
            }
            td class="num" { (format!("{:.1}", r.seconds)) " s" }
            td class="where" { (r.place) }
        }
    }
}

/// A call's heading line and its ladder.
fn call(lab: &Lab, c: &Call, check_start: Option<f64>) -> Markup {
    html! {
        div class="call" {
            p {
                (c.title()) " · " (clock(c.start())) " UTC"
                @if let Some(t) = check_start {
                    " · +" (format!("{:.1}", c.start() - t)) " s into the check"
                }
                " · " (c.messages.len()) " message(s) · "
                @match c.call_ids.as_slice() {
                    [one] => { "Call-ID " (one) }
                    legs => { (legs.len()) " legs, Call-IDs " (legs.join(", ")) }
                }
            } "\n"
            (svg::svg(&layout::ladder(lab, c)))
        } "\n"
    }
}

/// `hh:mm:ss.mmm` UTC of an epoch time.
fn clock(t: f64) -> String {
    let ms = (t * 1000.0).round() as u64;
    let (s, ms) = (ms / 1000, ms % 1000);
    format!("{:02}:{:02}:{:02}.{ms:03}", s / 3600 % 24, s / 60 % 60, s % 60)
}

/// `2025-01-31 14:02:03 UTC`.
fn date(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Days to a civil date (Howard Hinnant's algorithm), to need no date crate.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", rest / 3600, rest / 60 % 60, rest % 60)
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddrV4};
    use std::time::Duration;

    use super::*;
    use crate::scenario::pcap::build;
    use crate::scenario::result::Failure;
    use crate::scenario::PhoneId;

    const T: u64 = 1_700_000_000;

    fn report() -> RunReport {
        let time = |s: f64| UNIX_EPOCH + Duration::from_secs_f64(T as f64 + s);
        let phone = |site: &str, account: &str| PhoneId { site: site.into(), account: account.into() };
        RunReport {
            results: vec![
                CheckResult {
                    scenario: "internal-calls".into(),
                    says: "patron1 calls assistant1".into(),
                    says_fr: None,
                    place: "scenarios/internal-calls.toml:4".into(),
                    seconds: 2.0,
                    failure: None,
                    lab_error: None,
                    left_open: Vec::new(),
                    notes: Vec::new(),
                    started: time(0.0),
                    ended: time(2.0),
                    phones: vec![phone("table1", "patron1"), phone("table1", "assistant1")],
                },
                CheckResult {
                    scenario: "failures".into(),
                    says: "an unknown number gets <404> & rings nobody".into(),
                    says_fr: None,
                    place: "scenarios/failures.toml:9".into(),
                    seconds: 1.5,
                    failure: Some(Failure {
                        step: "patron2 dials 99".into(),
                        expected: "status 404".into(),
                        observed: "\"200 OK\"".into(),
                        look: vec!["table1/asterisk/extensions.conf".into()],
                        lab: false,
                    }),
                    lab_error: None,
                    left_open: vec!["left channel PJSIP/patron2-00000003 open; hung up".into()],
                    notes: Vec::new(),
                    started: time(3.0),
                    ended: time(4.5),
                    phones: vec![phone("table1", "patron2")],
                },
                CheckResult {
                    scenario: "failures".into(),
                    says: "a busy phone gives 486".into(),
                    says_fr: None,
                    place: "scenarios/failures.toml:20".into(),
                    seconds: 5.0,
                    failure: Some(Failure {
                        step: "table2/patron1 rings".into(),
                        expected: "table2/patron1 rings".into(),
                        observed: "it did not ring within 10 s".into(),
                        look: Vec::new(),
                        lab: false,
                    }),
                    lab_error: Some("table2's softphones restarted during the check (RestartCount 0 → 1)".into()),
                    left_open: Vec::new(),
                    notes: Vec::new(),
                    started: time(5.0),
                    ended: time(10.0),
                    phones: vec![phone("table2", "patron1")],
                },
            ],
            seconds: 10.0,
            started: time(0.0),
            captures: vec!["target/scenarios/pcap/sae-table1.pcap".into()],
            lab_changes: vec![crate::scenario::Change {
                who: "table2's softphones".into(),
                container: "sae-table2-phones".into(),
                kind: crate::scenario::ChangeKind::Restarted {
                    count_before: 0,
                    count_after: 1,
                    started_at: "2023-11-14T22:13:27.5Z".into(),
                },
            }],
        }
    }

    fn captures() -> Vec<Vec<u8>> {
        let (phones, ipbx) = (
            SocketAddrV4::new(Ipv4Addr::new(172, 28, 1, 10), 5060),
            SocketAddrV4::new(Ipv4Addr::new(172, 28, 1, 2), 5060),
        );
        let msg = |first: &str, id: &str, from: &str, to: &str| {
            format!(
                "{first}\r\nCall-ID: {id}\r\nCSeq: 1 INVITE\r\nFrom: <sip:{from}@h>;tag=1\r\nTo: <sip:{to}@h>\r\n\r\n"
            )
        };
        let (a, b) =
            (msg("INVITE sip:12@h SIP/2.0", "c1", "patron1", "12"), msg("SIP/2.0 200 OK", "c1", "patron1", "12"));
        let (c, d) =
            (msg("INVITE sip:99@h SIP/2.0", "c2", "patron2", "99"), msg("SIP/2.0 200 OK", "c2", "patron2", "99"));
        let t = T as f64;
        vec![build(&[
            (t + 0.5, phones, ipbx, &a),
            (t + 0.9, ipbx, phones, &b),
            (t + 3.2, phones, ipbx, &c),
            (t + 3.3, ipbx, phones, &d),
        ])]
    }

    #[test]
    fn the_report_of_a_small_run() {
        let html = render(&Lab::sae(), &report(), &captures());
        // The head's <meta> is HTML, not XML; the body is both.
        let body = &html[html.find("<body>").unwrap()..html.find("</html>").unwrap()];
        assert_eq!(crate::xml::well_formed(body), Ok(()));
        assert!(html.contains("an unknown number gets &lt;404&gt; &amp; rings nobody"));
        assert!(html.contains("<span class=\"fail\">1 failed</span><span class=\"lab\">1 lab error</span>"));
        assert!(html.contains("<tr class=\"laberror\"><td class=\"mark lab\">⚠</td>"));
        assert!(html.contains("<dt>cleanup</dt><dd>left channel PJSIP/patron2-00000003 open; hung up</dd>"));
        assert!(html.contains("<details open=\"open\"><summary>SIP ladder of 1 call(s)</summary>"));
        assert!(!html.contains("src=") && !html.contains("href="), "nothing is fetched");
        insta::assert_snapshot!(html);
    }

    #[test]
    fn times_are_utc() {
        assert_eq!(clock(T as f64 + 3661.25), "23:14:21.250");
        assert_eq!(date(UNIX_EPOCH + Duration::from_secs(T)), "2023-11-14 22:13:20 UTC");
        assert_eq!(date(UNIX_EPOCH + Duration::from_secs(951_782_400)), "2000-02-29 00:00:00 UTC");
    }
}
