use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;
use lab::model::Lab;
use lab::runtime::progress::Progress;
use lab::runtime::LabRuntime;
use lab::scenario::{self, report, RunOptions, RunReport, Scenario};

use super::{state_dir, workspace_root, LabArg};
use crate::progress::Term;

#[derive(Subcommand)]
pub enum ScenarioCmd {
    /// List the scenario files and their checks.
    List {
        #[command(flatten)]
        lab: LabArg,
    },
    /// Run scenarios against the lab (brought up first if it is not ready).
    Run {
        #[command(flatten)]
        lab: LabArg,
        /// Scenario names (file stems); every scenario when omitted.
        names: Vec<String>,
        /// Checks run at once; 1 runs them one after the other.
        #[arg(long, default_value_t = 8)]
        jobs: usize,
    },
}

impl ScenarioCmd {
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            ScenarioCmd::List { lab } => {
                let lab = lab.load()?;
                for s in load(&lab, &[])? {
                    println!(
                        "{:<20} {:<10} {:>3} checks  {}",
                        s.name,
                        s.part.as_deref().unwrap_or("-"),
                        s.checks.len(),
                        s.title
                    );
                }
                Ok(())
            }
            ScenarioCmd::Run { lab, names, jobs } => {
                let lab = lab.load()?;
                let scenarios = load(&lab, &names)?;
                let report = run(&lab, &scenarios, jobs, true).await?;
                if report.results.iter().any(|r| !r.passed()) {
                    anyhow::bail!(
                        "{} of {} checks failed",
                        report.results.iter().filter(|r| !r.passed()).count(),
                        report.results.len()
                    );
                }
                Ok(())
            }
        }
    }
}

pub fn scenarios_dir() -> PathBuf {
    workspace_root().join("scenarios")
}

/// Every scenario, or those named; an unknown name is an error listing the known ones.
pub fn load(lab: &Lab, names: &[String]) -> anyhow::Result<Vec<Scenario>> {
    let all = scenario::load_dir(&scenarios_dir(), lab)?;
    if names.is_empty() {
        return Ok(all);
    }
    let known: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
    for n in names {
        anyhow::ensure!(known.contains(&n.as_str()), "no scenario {n:?}; known: {}", known.join(", "));
    }
    Ok(all.into_iter().filter(|s| names.contains(&s.name)).collect())
}

/// Brings the lab up unless it is ready, runs the scenarios, writes the reports.
pub async fn run(lab: &Lab, scenarios: &[Scenario], jobs: usize, verbose: bool) -> anyhow::Result<RunReport> {
    let state = state_dir(lab)?;
    let runtime = LabRuntime::connect(lab, state.clone()).await?;
    if !runtime.status().await?.ready() {
        let progress = Term::new();
        progress.step("bringing the lab up");
        runtime.up(Default::default(), &progress).await?;
        progress.finish();
    }
    let out_dir = workspace_root().join("target").join("scenarios");
    std::fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let options = RunOptions::new(jobs, out_dir.clone(), state.config_dir());
    let checks: usize = scenarios.iter().map(|s| s.checks.len()).sum();
    if verbose {
        eprintln!("running {checks} checks of {} scenario(s), {jobs} at a time", scenarios.len());
    }
    let print = |r: &scenario::CheckResult| {
        if verbose || !r.passed() {
            println!("{}", report::line(r));
        }
    };
    let secrets = runtime.secrets()?;
    let report = scenario::run(runtime.engine(), lab, &secrets, scenarios, &options, &print).await?;
    let junit = out_dir.join("junit.xml");
    std::fs::write(&junit, report::junit(&report)).with_context(|| format!("writing {}", junit.display()))?;
    let title = format!("Scenario report: lab {}", lab.name);
    let html = write_html(&out_dir, lab, &report, &title, None)?;
    if verbose {
        println!("\nJUnit report: {}", junit.display());
        println!("HTML report:  {}", html.display());
        for c in &report.captures {
            println!("SIP capture:  {}", c.display());
        }
        println!("{:.1} s", report.seconds);
        println!("{}", report::summary(&report));
    }
    Ok(report)
}

/// Writes `out_dir/report.html` for a run (its SIP captures drawn as ladders),
/// with `preface` (a grade, say) on top; returns its path.
pub fn write_html(
    out_dir: &Path,
    lab: &Lab,
    report: &RunReport,
    title: &str,
    preface: Option<&str>,
) -> anyhow::Result<PathBuf> {
    let captures = report
        .captures
        .iter()
        .map(|c| std::fs::read(c).with_context(|| format!("reading {}", c.display())))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let html = out_dir.join("report.html");
    std::fs::write(&html, scenario::html::render_titled(lab, report, &captures, title, preface))
        .with_context(|| format!("writing {}", html.display()))?;
    Ok(html)
}
