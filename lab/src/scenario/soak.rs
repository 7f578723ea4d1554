//! The same checks run again and again on one standing lab (`scenario run
//! --repeat N`): a line per run and a table over all runs, with the container
//! restarts seen meanwhile, to tell a lab that breaks now and then from a
//! config that fails every time.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::check::Scenario;
use super::options::RunOptions;
use super::report;
use super::result::CheckResult;
use super::runner::{run, RunError, RunReport};
use crate::model::Lab;
use crate::runtime::docker::Engine;
use crate::secrets::Secrets;

/// One run's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// 1 for the first run.
    pub run: usize,
    pub passed: usize,
    pub failed: usize,
    pub lab_errors: usize,
    pub seconds: f64,
    /// Container restarts during the run, all containers together.
    pub restarts: u64,
    /// Containers that restarted or stopped during the run, as sentences.
    pub changes: Vec<String>,
}

impl RunSummary {
    pub fn of(run: usize, report: &RunReport) -> RunSummary {
        RunSummary {
            run,
            passed: report.passed(),
            failed: report.failed(),
            lab_errors: report.lab_errors(),
            seconds: report.seconds,
            restarts: report.restarts(),
            changes: report.lab_changes.iter().map(ToString::to_string).collect(),
        }
    }

    /// Nothing failed, nothing broke.
    pub fn clean(&self) -> bool {
        self.failed == 0 && self.lab_errors == 0
    }

    /// `run 2/3: 70 passed, 0 failed, 1 lab error, 412.3 s, 1 container restart: …`.
    pub fn line(&self, runs: usize) -> String {
        let plural = |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut s = format!(
            "run {}/{runs}: {} passed, {} failed, {}, {:.1} s, {}",
            self.run,
            self.passed,
            self.failed,
            plural(self.lab_errors as u64, "lab error"),
            self.seconds,
            plural(self.restarts, "container restart")
        );
        if !self.changes.is_empty() {
            let _ = write!(s, ": {}", self.changes.join("; "));
        }
        s
    }
}

/// Every run's figures as a table, totals last.
pub fn table(runs: &[RunSummary]) -> String {
    let mut t = format!(
        "{:>5} {:>7} {:>7} {:>11} {:>9} {:>19}\n",
        "run", "passed", "failed", "lab errors", "seconds", "container restarts"
    );
    let row = |t: &mut String, run: &str, s: &RunSummary| {
        let _ = writeln!(
            t,
            "{run:>5} {:>7} {:>7} {:>11} {:>9.1} {:>19}",
            s.passed, s.failed, s.lab_errors, s.seconds, s.restarts
        );
    };
    for s in runs {
        row(&mut t, &s.run.to_string(), s);
    }
    let total = RunSummary {
        run: 0,
        passed: runs.iter().map(|s| s.passed).sum(),
        failed: runs.iter().map(|s| s.failed).sum(),
        lab_errors: runs.iter().map(|s| s.lab_errors).sum(),
        seconds: runs.iter().map(|s| s.seconds).sum(),
        restarts: runs.iter().map(|s| s.restarts).sum(),
        changes: Vec::new(),
    };
    row(&mut t, "all", &total);
    t
}

/// Where a run's reports went.
#[derive(Debug, Clone)]
pub struct Written {
    pub junit: PathBuf,
    pub html: PathBuf,
}

/// What `times` runs gave.
#[derive(Debug, Clone)]
pub struct Soak {
    pub runs: Vec<RunSummary>,
    /// The last run's report.
    pub last: RunReport,
    /// Where the last run's reports went.
    pub written: Written,
}

impl Soak {
    /// Every run passed every check and no lab error came up.
    pub fn clean(&self) -> bool {
        self.runs.iter().all(RunSummary::clean)
    }
}

/// Runs `scenarios` `times` times (at least once) on the standing lab, one
/// run after the other. Each run's JUnit and HTML reports go to
/// `options.out_dir`, or with several runs to its `run-K` folders; `on_run`
/// sees each run as it ends, `on_result` each check.
#[allow(clippy::too_many_arguments)]
pub async fn repeat(
    engine: &Engine,
    lab: &Lab,
    secrets: &Secrets,
    scenarios: &[Scenario],
    options: &RunOptions,
    times: usize,
    on_result: &(dyn Fn(&CheckResult) + Sync),
    on_run: &(dyn Fn(&RunSummary, &Written) + Sync),
) -> Result<Soak, RunError> {
    let times = times.max(1);
    let mut runs = Vec::new();
    let mut last = None;
    for k in 1..=times {
        let mut options = options.clone();
        let mut title = format!("Scenario report: lab {}", lab.name);
        if times > 1 {
            options.out_dir = options.out_dir.join(format!("run-{k}"));
            let _ = write!(title, ", run {k}/{times}");
        }
        std::fs::create_dir_all(&options.out_dir)
            .map_err(|source| RunError::Write { path: options.out_dir.display().to_string(), source })?;
        let report = run(engine, lab, secrets, scenarios, &options, on_result).await?;
        let written = Written {
            junit: report::write_junit(&options.out_dir, &report)?,
            html: report::html::write(&options.out_dir, lab, &report, &title, None)?,
        };
        let summary = RunSummary::of(k, &report);
        on_run(&summary, &written);
        runs.push(summary);
        last = Some((report, written));
    }
    let (last, written) = last.expect("at least one run");
    Ok(Soak { runs, last, written })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(run: usize, failed: usize, lab_errors: usize, restarts: u64) -> RunSummary {
        RunSummary {
            run,
            passed: 71 - failed - lab_errors,
            failed,
            lab_errors,
            seconds: 400.0 + run as f64,
            restarts,
            changes: (0..restarts)
                .map(|_| "table1's softphones restarted during the run (RestartCount 0 → 1)".to_string())
                .collect(),
        }
    }

    #[test]
    fn each_run_gets_a_line_and_the_table_adds_them_up() {
        let runs = [summary(1, 0, 0, 0), summary(2, 1, 1, 1)];
        assert_eq!(runs[0].line(2), "run 1/2: 71 passed, 0 failed, 0 lab errors, 401.0 s, 0 container restarts");
        assert_eq!(
            runs[1].line(2),
            "run 2/2: 69 passed, 1 failed, 1 lab error, 402.0 s, 1 container restart: \
             table1's softphones restarted during the run (RestartCount 0 → 1)"
        );
        assert!(runs[0].clean() && !runs[1].clean());
        let t = table(&runs);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4, "{t}");
        assert!(lines[0].split_whitespace().eq([
            "run",
            "passed",
            "failed",
            "lab",
            "errors",
            "seconds",
            "container",
            "restarts"
        ]));
        assert!(lines[3].split_whitespace().eq(["all", "140", "1", "1", "803.0", "1"]), "{t}");
    }
}
