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
}

impl BenchCmd {
    pub async fn run(self) -> anyhow::Result<()> {
        let BenchCmd::Up { lab, root, keep } = self;
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

        println!(
            "lab {}: {} sites, {} phones",
            lab.name,
            lab.sites.len(),
            lab.phone_count()
        );
        println!(
            "cold up (images present, no container): {cold_secs:>6.2} s  ({} containers started)",
            cold.created.len()
        );
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
        if !keep {
            runtime.down(false, &Silent).await?;
        }
        Ok(())
    }
}
