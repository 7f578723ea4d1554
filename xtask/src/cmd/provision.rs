//! `lab provision`: the files the SAE's real phones need to register on the lab.

use std::path::PathBuf;

use anyhow::Context;
use lab::gen::provisioning;

use super::{state_dir, LabArg};

/// Write the real phones' provisioning files: a Yealink `.cfg`, a Linphone
/// `.xml`, the Nortel's sheet of values (no Docker needed).
#[derive(clap::Args)]
pub struct ProvisionCmd {
    #[command(flatten)]
    lab: LabArg,
    /// Output folder; `.lab/<lab>/provisioning/` by default.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Address at which the phones reach this host; the lab's `--bind`
    /// address (127.0.0.1 unless `lab up --bind` chose another) by default.
    #[arg(long, value_name = "ADDR")]
    server: Option<String>,
}

impl ProvisionCmd {
    pub fn run(self) -> anyhow::Result<()> {
        let lab = self.lab.load()?;
        let server = self.server.unwrap_or_else(|| lab.host.bind.to_string());
        let state = state_dir(&lab)?;
        // The lab's own passwords, so that the phones match the running lab.
        let secrets = lab::secrets::Secrets::load_or_create(state.path(), &lab)?;
        let out = self.out.unwrap_or_else(|| state.path().join(provisioning::DIR));
        let tree = lab::gen::Tree {
            files: provisioning::files(&lab, &secrets, &server)
                .into_iter()
                .map(|(path, text)| (path, text.into_bytes()))
                .collect(),
        };
        tree.write(&out).with_context(|| format!("writing provisioning files under {}", out.display()))?;
        println!("wrote {} provisioning file(s) for server {} under {}", tree.files.len(), server, out.display());
        Ok(())
    }
}
