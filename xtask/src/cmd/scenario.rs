use std::path::PathBuf;

use clap::Subcommand;
use lab::model::Lab;
use lab::runtime::progress::Progress;
use lab::runtime::LabRuntime;
use lab::scenario::soak::{self, Soak};
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
        /// Run the chosen checks this many times on the standing lab, each
        /// run's reports in target/scenarios/run-K, and a table over all runs.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
        repeat: u32,
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
            ScenarioCmd::Run { lab, names, jobs, repeat } => {
                let lab = lab.load()?;
                let scenarios = load(&lab, &names)?;
                let soak = run_repeated(&lab, &scenarios, jobs, repeat as usize, true).await?;
                if repeat > 1 {
                    println!("\n{}", soak::table(&soak.runs));
                }
                let failed: usize = soak.runs.iter().map(|r| r.failed).sum();
                let lab_errors: usize = soak.runs.iter().map(|r| r.lab_errors).sum();
                anyhow::ensure!(
                    soak.clean(),
                    "{failed} check(s) failed and {lab_errors} lab error(s) came up, over {} run(s)",
                    soak.runs.len()
                );
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

/// Brings the lab up unless it is ready, runs the scenarios once, writes the reports.
pub async fn run(lab: &Lab, scenarios: &[Scenario], jobs: usize, verbose: bool) -> anyhow::Result<RunReport> {
    Ok(run_repeated(lab, scenarios, jobs, 1, verbose).await?.last)
}

/// Brings the lab up unless it is ready, then runs the scenarios `repeat`
/// times on it, writing each run's reports.
pub async fn run_repeated(
    lab: &Lab,
    scenarios: &[Scenario],
    jobs: usize,
    repeat: usize,
    verbose: bool,
) -> anyhow::Result<Soak> {
    let state = state_dir(lab)?;
    let runtime = LabRuntime::connect(lab, state.clone()).await?;
    if !runtime.status().await?.ready() {
        let progress = Term::new();
        progress.step("bringing the lab up");
        runtime.up(Default::default(), &progress).await?;
        progress.finish();
    }
    let out_dir = workspace_root().join("target").join("scenarios");
    let options = RunOptions::new(jobs, out_dir, state.config_dir());
    let checks: usize = scenarios.iter().map(|s| s.checks.len()).sum();
    if verbose {
        let times = if repeat > 1 { format!(", {repeat} times") } else { String::new() };
        eprintln!("running {checks} checks of {} scenario(s), {jobs} at a time{times}", scenarios.len());
    }
    let print = |r: &scenario::CheckResult| {
        if verbose || !r.passed() {
            println!("{}", report::line(r));
        }
    };
    let on_run = |summary: &soak::RunSummary, written: &soak::Written| {
        if verbose {
            println!("\nJUnit report: {}", written.junit.display());
            println!("HTML report:  {}", written.html.display());
        }
        if repeat > 1 {
            println!("{}\n", summary.line(repeat));
        }
    };
    let secrets = runtime.secrets()?;
    let soak = soak::repeat(runtime.engine(), lab, &secrets, scenarios, &options, repeat, &print, &on_run).await?;
    if verbose {
        for c in &soak.last.captures {
            println!("SIP capture:  {}", c.display());
        }
        println!("{:.1} s", soak.last.seconds);
        println!("{}", report::summary(&soak.last));
    }
    Ok(soak)
}
