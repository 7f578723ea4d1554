use clap::Subcommand;

use super::RootArg;
use crate::progress::Term;

#[derive(Subcommand)]
pub enum ImagesCmd {
    /// Build every image the lab runs (unchanged images are kept).
    Build {
        #[arg(long, value_enum, default_value_t)]
        root: RootArg,
    },
}

impl ImagesCmd {
    pub async fn run(self) -> anyhow::Result<()> {
        let ImagesCmd::Build { root } = self;
        let engine = lab::runtime::docker::Engine::connect().await?;
        let progress = Term::new();
        let images = lab::runtime::images::ensure(&engine, root.into(), &progress).await?;
        progress.finish();
        println!("{}\n{}", images.asterisk, images.phone);
        Ok(())
    }
}
