use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use lab::runtime::LabRuntime;
use lab::status::LabStatus;

use super::{state_dir, LabArg, RootArg};
use crate::progress::Term;

#[derive(Subcommand)]
pub enum LabCmd {
    /// Build images if needed, start every site, the operator and the phones;
    /// return once every trunk and phone is registered.
    Up {
        #[command(flatten)]
        lab: LabArg,
        /// Where the Debian root file system comes from.
        #[arg(long, value_enum, default_value_t)]
        root: RootArg,
    },
    /// Remove every container and network of the lab.
    Down {
        #[command(flatten)]
        lab: LabArg,
        /// Also delete the lab's state: generated configs and passwords.
        #[arg(long)]
        volumes: bool,
    },
    /// Sites, trunk registrations, phones and their accounts.
    Status {
        #[command(flatten)]
        lab: LabArg,
        /// Machine-readable JSON (stable; documented in the README).
        #[arg(long)]
        json: bool,
    },
    /// Write every generated config file (no Docker needed).
    Config {
        #[command(flatten)]
        lab: LabArg,
        /// Output folder; the lab's state folder (what the containers mount) by default.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

impl LabCmd {
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            LabCmd::Up { lab, root } => up(&lab, root).await,
            LabCmd::Down { lab, volumes } => down(&lab, volumes).await,
            LabCmd::Status { lab, json } => status(&lab, json).await,
            LabCmd::Config { lab, out } => config(&lab, out),
        }
    }
}

async fn up(arg: &LabArg, root: RootArg) -> anyhow::Result<()> {
    let lab = arg.load()?;
    let runtime = LabRuntime::connect(&lab, state_dir(&lab)?).await?;
    let progress = Term::new();
    let report = tokio::select! {
        r = runtime.up(root.into(), &progress) => r?,
        _ = tokio::signal::ctrl_c() => {
            progress.finish();
            anyhow::bail!("interrupted; what was started is labelled: `cargo xtask lab up` resumes, `cargo xtask lab down` removes it");
        }
    };
    progress.finish();
    let s = &report.status;
    println!(
        "lab {} is up: {} sites, {}/{} trunks and {}/{} phones registered, {} test phones ({} container(s) started, {} kept)",
        s.lab,
        s.sites.len(),
        s.registered_trunks(),
        s.sites.len(),
        s.registered_phones(),
        lab.phone_count(),
        s.operator.test_phones.len(),
        report.created.len(),
        report.kept.len(),
    );
    println!("`cargo xtask lab status` shows every account; `cargo xtask lab down` removes the lab.");
    Ok(())
}

async fn down(arg: &LabArg, volumes: bool) -> anyhow::Result<()> {
    let lab = arg.load()?;
    let runtime = LabRuntime::connect(&lab, state_dir(&lab)?).await?;
    let progress = Term::new();
    let report = runtime.down(volumes, &progress).await?;
    progress.finish();
    if report.containers.is_empty() && report.networks.is_empty() {
        println!("lab {}: nothing to remove", lab.name);
    } else {
        println!(
            "lab {}: removed {} container(s) and {} network(s)",
            lab.name,
            report.containers.len(),
            report.networks.len()
        );
    }
    if report.state_removed {
        println!("lab {}: removed its configs and passwords", lab.name);
    }
    Ok(())
}

async fn status(arg: &LabArg, json: bool) -> anyhow::Result<()> {
    let lab = arg.load()?;
    let runtime = LabRuntime::connect(&lab, state_dir(&lab)?).await?;
    let status = runtime.status().await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        crate::output::print(&render_status(&status));
    }
    Ok(())
}

fn config(arg: &LabArg, out: Option<PathBuf>) -> anyhow::Result<()> {
    let lab = arg.load()?;
    let state = state_dir(&lab)?;
    let secrets = lab::secrets::Secrets::load_or_create(state.path(), &lab)?;
    let tree = lab::gen::generate(&lab, &secrets);
    let out = out.unwrap_or_else(|| state.config_dir());
    tree.write(&out).with_context(|| format!("writing configs under {}", out.display()))?;
    println!("wrote {} files under {}", tree.files.len(), out.display());
    Ok(())
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "registered"
    } else {
        "NOT registered"
    }
}

// Writing to a String cannot fail.
#[allow(unused_must_use)]
fn render_status(s: &LabStatus) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let phones: usize = s.sites.iter().map(|x| x.phones.len()).sum();
    writeln!(
        out,
        "lab {}: {}; trunks {}/{} registered, phones {}/{} registered",
        s.lab,
        if s.up { "up" } else { "not (fully) up" },
        s.registered_trunks(),
        s.sites.len(),
        s.registered_phones(),
        phones
    );
    let addresses = |c: &lab::status::ContainerStatus| c.addresses.values().cloned().collect::<Vec<_>>().join(", ");
    for site in &s.sites {
        writeln!(
            out,
            "\n{} (site {}): trunk `{}` {}",
            site.name,
            site.index,
            site.trunk.account,
            mark(site.trunk.registered)
        );
        for c in &site.containers {
            writeln!(
                out,
                "  {:<8} {:<22} {}  {}",
                c.kind,
                c.name,
                if c.running { "running" } else { "stopped" },
                addresses(c)
            );
        }
        writeln!(
            out,
            "  {:<4} {:<12} {:<11} {:<15} {:<16} {}",
            "ext", "username", "public", "device", "password", "state"
        );
        for p in &site.phones {
            writeln!(
                out,
                "  {:<4} {:<12} {:<11} {:<15} {:<16} {} (domain {})",
                p.extension,
                p.username,
                p.public_number,
                p.device,
                p.password,
                mark(p.registered),
                p.domain
            );
        }
    }
    writeln!(out, "\noperator");
    for c in &s.operator.containers {
        writeln!(
            out,
            "  {:<15} {:<22} {}  {}",
            c.kind,
            c.name,
            if c.running { "running" } else { "stopped" },
            addresses(c)
        );
    }
    for t in &s.operator.test_phones {
        writeln!(
            out,
            "  {:<4} {:<11} user {:<5} password {:<16} {} (domain {})",
            t.name,
            t.number,
            t.username,
            t.password,
            mark(t.registered),
            t.domain
        );
    }
    out
}
