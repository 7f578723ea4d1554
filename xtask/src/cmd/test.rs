use xshell::{cmd, Shell};

/// Runs the whole suite. Tests that need Docker build the images they need;
/// the first run bootstraps Debian, later ones reuse the images.
#[derive(clap::Args)]
pub struct TestCmd {
    /// Extra arguments for `cargo test` (e.g. a test name filter).
    #[arg(trailing_var_arg = true)]
    args: Vec<String>,
}

impl TestCmd {
    pub fn run(self) -> anyhow::Result<()> {
        let sh = Shell::new()?;
        sh.change_dir(super::workspace_root());
        let args = self.args;
        cmd!(sh, "cargo test --workspace --locked --no-fail-fast -- {args...}").run()?;
        Ok(())
    }
}
