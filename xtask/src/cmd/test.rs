use lab::runtime::progress::Silent;
use lab::runtime::LabRuntime;
use xshell::{cmd, Shell};

use super::scenario;
use super::state_dir;
use crate::progress::Term;
use lab::runtime::progress::Progress;

/// Runs everything: `cargo test` (unit, golden, integration against real
/// containers), then every scenario on a fresh default lab, which is removed
/// afterwards. Tests that need Docker build the images they need.
#[derive(clap::Args)]
pub struct TestCmd {
    /// Only `cargo test`, no scenario run.
    #[arg(long)]
    no_scenarios: bool,
    /// Extra arguments for `cargo test` (e.g. a test name filter).
    #[arg(trailing_var_arg = true)]
    args: Vec<String>,
}

impl TestCmd {
    pub async fn run(self) -> anyhow::Result<()> {
        let sh = Shell::new()?;
        sh.change_dir(super::workspace_root());
        let args = self.args;
        let unit = cmd!(sh, "cargo test --workspace --locked --no-fail-fast -- {args...}").run();
        if self.no_scenarios {
            return Ok(unit?);
        }

        let lab = lab::model::Lab::sae();
        let runtime = LabRuntime::connect(&lab, state_dir(&lab)?).await?;
        let progress = Term::new();
        progress.step("removing any previous default lab and its volumes, for a fresh start");
        runtime.down(false, &Silent).await?;
        runtime.remove_volumes(&Silent).await?;
        progress.step("bringing the default lab up");
        runtime.up(Default::default(), &progress).await?;
        progress.finish();
        let scenarios = scenario::load(&lab, &[])?;
        let report = scenario::run(&lab, &scenarios, 8, true).await;
        let down = match runtime.down(false, &Silent).await {
            Ok(_) => runtime.remove_volumes(&Silent).await.map(|_| ()),
            Err(e) => Err(e),
        };
        let report = report?;
        down?;

        unit.map_err(|e| anyhow::anyhow!("cargo test failed: {e}"))?;
        anyhow::ensure!(
            report.passed() == report.results.len(),
            "scenario checks: {}",
            lab::scenario::report::summary(&report)
        );
        Ok(())
    }
}
