use std::time::Instant;

use clap::Subcommand;
use lab::runtime::{progress::Silent, LabRuntime};

use super::{state_dir, LabArg, RootArg};
use crate::progress::Term;

#[derive(Subcommand)]
pub enum BenchCmd {
    /// Time a cold `lab up` (no container) and a warm one (all running), and
    /// print each container's memory.
    Up {
        #[command(flatten)]
        lab: LabArg,
        #[arg(long, value_enum, default_value_t)]
        root: RootArg,
        /// Leave the lab running afterwards.
        #[arg(long)]
        keep: bool,
    },
    /// Time the SAE part I and II scenarios on a running lab (brought up
    /// first if needed), concurrently and then one check at a time.
    Scenarios {
        #[command(flatten)]
        lab: LabArg,
        /// Checks at once in the concurrent run.
        #[arg(long, default_value_t = 8)]
        jobs: usize,
    },
}

impl BenchCmd {
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            BenchCmd::Up { lab, root, keep } => up(lab, root, keep).await,
            BenchCmd::Scenarios { lab, jobs } => scenarios(lab, jobs).await,
        }
    }
}

async fn scenarios(lab: LabArg, jobs: usize) -> anyhow::Result<()> {
    let lab = lab.load()?;
    let all = super::scenario::load(&lab, &[])?;
    let parts_i_ii: Vec<_> = all
        .into_iter()
        .filter(|s| s.part.as_deref().is_some_and(|p| p.split('-').all(|x| x == "I" || x == "II")))
        .collect();
    let checks: usize = parts_i_ii.iter().map(|s| s.checks.len()).sum();
    let names: Vec<&str> = parts_i_ii.iter().map(|s| s.name.as_str()).collect();
    println!("SAE parts I and II: {checks} checks in {}", names.join(", "));
    let mut figures = Vec::new();
    for j in [jobs, 1] {
        let report = super::scenario::run(&lab, &parts_i_ii, j, false).await?;
        let failed = report.results.len() - report.passed();
        anyhow::ensure!(
            failed == 0,
            "{failed} checks failed or hit a lab error with {j} at a time: the figures would mean nothing"
        );
        println!("  {j:>2} at a time: {:>6.1} s", report.seconds);
        figures.push(report.seconds);
    }
    println!("  concurrent run is {:.1}x faster than sequential", figures[1] / figures[0]);
    Ok(())
}

async fn up(lab: LabArg, root: RootArg, keep: bool) -> anyhow::Result<()> {
    let lab = lab.load()?;
    let runtime = LabRuntime::connect(&lab, state_dir(&lab)?).await?;
    // Images are built first so that "cold" measures the lab, not the build.
    let progress = Term::new();
    lab::runtime::images::ensure(runtime.engine(), root.into(), &progress).await?;
    progress.finish();
    runtime.down(false, &Silent).await?;

    let started = Instant::now();
    let cold = runtime.up(root.into(), &Silent).await?;
    let cold_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let warm = runtime.up(root.into(), &Silent).await?;
    let warm_secs = started.elapsed().as_secs_f64();

    println!("lab {}: {} sites, {} phones", lab.name, lab.sites.len(), lab.phone_count());
    println!("cold up (images present, no container): {cold_secs:>6.2} s  ({} containers started)", cold.created.len());
    println!(
        "warm up (everything running):            {warm_secs:>6.2} s  ({} started, {} kept)",
        warm.created.len(),
        warm.kept.len()
    );
    println!("\nmemory per container (usage without page cache):");
    let mut names: Vec<String> = cold.created.clone();
    names.sort();
    for name in &names {
        let bytes = runtime.engine().memory(name).await?;
        println!("  {name:<28} {:>7.1} MiB", bytes as f64 / (1024.0 * 1024.0));
    }
    if let Some((count, kib)) = port_proxies() {
        println!(
            "  {:<28} {:>7.1} MiB  ({count} processes: the published SIP and RTP ports)",
            "docker-proxy (host)",
            kib as f64 / 1024.0
        );
    }
    if !keep {
        runtime.down(false, &Silent).await?;
    }
    Ok(())
}

/// Docker's userland port proxies on this host (Linux): how many, and their
/// proportional memory (PSS) in KiB. `None` where /proc does not tell.
fn port_proxies() -> Option<(usize, u64)> {
    let mut count = 0;
    let mut kib = 0;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let dir = entry.path();
        if std::fs::read_to_string(dir.join("comm")).is_ok_and(|c| c.trim() == "docker-proxy") {
            count += 1;
            let rollup = std::fs::read_to_string(dir.join("smaps_rollup")).ok()?;
            let pss = rollup.lines().find_map(|l| l.strip_prefix("Pss:"))?;
            kib += pss.trim().trim_end_matches("kB").trim().parse::<u64>().ok()?;
        }
    }
    (count > 0).then_some((count, kib))
}
