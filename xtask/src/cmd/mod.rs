//! Command-line surface; each command lives in its own file.

mod bench;
mod grade;
mod images;
mod lab;
mod provision;
mod scenario;
mod test;

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};

/// Multi-site Asterisk teaching lab (SAE 3.ROM.04): run it, check it, measure it.
#[derive(Parser)]
#[command(name = "cargo xtask", arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    verbosity: clap_verbosity_flag::Verbosity<crate::output::Logs>,
}

#[derive(Subcommand)]
enum Command {
    /// Bring the lab up or down, show its state, write its configs.
    #[command(subcommand)]
    Lab(lab::LabCmd),
    /// List and run the end-to-end scenarios (`scenarios/*.toml`).
    #[command(subcommand)]
    Scenario(scenario::ScenarioCmd),
    /// Build the container images alone.
    #[command(subcommand)]
    Images(images::ImagesCmd),
    /// Print timing and memory figures.
    #[command(subcommand)]
    Bench(bench::BenchCmd),
    /// Run every test: unit, golden, and integration against real containers.
    Test(test::TestCmd),
    /// Grade one site's own Asterisk config by SAE part (French by default).
    Grade(grade::GradeCmd),
}

impl Cli {
    pub fn verbosity(&self) -> &clap_verbosity_flag::Verbosity<crate::output::Logs> {
        &self.verbosity
    }

    pub async fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Lab(cmd) => cmd.run().await,
            Command::Scenario(cmd) => cmd.run().await,
            Command::Images(cmd) => cmd.run().await,
            Command::Bench(cmd) => cmd.run().await,
            Command::Test(cmd) => cmd.run().await,
            Command::Grade(cmd) => cmd.run().await,
        }
    }
}

/// Which lab a command is about: the built-in SAE lab or a file.
#[derive(clap::Args, Clone)]
pub struct LabArg {
    /// Lab file (TOML); the built-in four-table SAE lab when omitted.
    #[arg(long, value_name = "FILE", global = true)]
    lab: Option<PathBuf>,
}

impl LabArg {
    /// The lab, with what `lab up --bind` and `lab softphone` chose for it.
    pub fn load(&self) -> anyhow::Result<::lab::model::Lab> {
        let mut lab = match &self.lab {
            Some(path) => ::lab::model::Lab::load(path)?,
            None => ::lab::model::Lab::sae(),
        };
        let state = state_dir(&lab)?;
        let outside = state.outside().context("reading the lab's outside-phone settings")?;
        lab.set_outside(outside.bind, &outside.softphones).map_err(|e| {
            anyhow::anyhow!("{e}: listed in {}; fix or delete that file", state.path().join("outside.toml").display())
        })?;
        if outside.swarm {
            lab.deploy = ::lab::model::Deploy::Swarm;
        }
        Ok(lab)
    }
}

/// The repository root (where `.lab/` keeps each lab's state).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

pub fn state_dir(lab: &::lab::model::Lab) -> anyhow::Result<::lab::state::StateDir> {
    let root = workspace_root().join(".lab");
    let root = std::path::absolute(&root).with_context(|| format!("resolving {}", root.display()))?;
    Ok(::lab::state::StateDir::new(&root, &lab.name))
}

/// `--root`: where the Debian root file system comes from.
#[derive(clap::ValueEnum, Clone, Copy, Default)]
pub enum RootArg {
    /// Pull debian:sid-slim where a registry answers, else bootstrap it.
    #[default]
    Auto,
    /// Always pull from a registry.
    Pull,
    /// Always bootstrap locally with mmdebstrap.
    Bootstrap,
}

impl From<RootArg> for ::lab::runtime::images::RootSource {
    fn from(r: RootArg) -> Self {
        use ::lab::runtime::images::RootSource;
        match r {
            RootArg::Auto => RootSource::Auto,
            RootArg::Pull => RootSource::Pull,
            RootArg::Bootstrap => RootSource::Bootstrap,
        }
    }
}
