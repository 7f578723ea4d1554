use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use lab::prompt::Request;
use lab::runtime::{LabRuntime, TerminalView};

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
        /// Publish each site's SIP and RTP ports on this address of the machine
        /// (a classroom's network) instead of 127.0.0.1; remembered by the lab.
        #[arg(long, value_name = "ADDRESS")]
        bind: Option<std::net::Ipv4Addr>,
        /// Run on the Docker Swarm this machine manages: sites on the nodes
        /// labelled for them (`sae-lab.site=<site>`), the rest spread by
        /// memory; remembered by the lab. Same as `[deploy] engine = "swarm"`.
        #[arg(long)]
        swarm: bool,
    },
    /// Leave a phone to your own softphone (Linphone…): the lab's simulated
    /// phone stops registering it, and its settings are printed.
    Softphone {
        #[command(flatten)]
        lab: LabArg,
        /// `site/account`, e.g. table1/secretaire1.
        phone: String,
        /// Give the phone back to the lab's simulated phone.
        #[arg(long)]
        give_back: bool,
    },
    /// Remove every container and network of the lab.
    Down {
        #[command(flatten)]
        lab: LabArg,
        /// Also delete the lab's state: its volumes (voicemail, recordings,
        /// astdb, mail), generated configs and passwords.
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
    /// Write every generated config file (no Docker needed). Files edited by
    /// hand in the lab's state folder are kept unless reset.
    Config {
        #[command(flatten)]
        lab: LabArg,
        /// Output folder; the lab's state folder (what the containers mount) by default.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Regenerate this site's (or `operator`'s) files, dropping hand edits, and reload it.
        #[arg(long, value_name = "SITE", conflicts_with = "out")]
        reset: Option<String>,
        /// Copy the config files this running site (or `operator`) loads into
        /// the lab's state folder, to edit and `lab reload`: on a student's
        /// machine of a swarm, where the configs were made on the teacher's.
        #[arg(long, value_name = "SITE", conflicts_with_all = ["out", "reset"])]
        pull: Option<String>,
    },
    Provision(super::provision::ProvisionCmd),
    /// Write the lab in another tool's format.
    #[command(subcommand)]
    Export(ExportCmd),
    /// The Asterisk CLI of a site (or `operator`): interactive, or one command with -x.
    Cli {
        #[command(flatten)]
        lab: LabArg,
        site: String,
        /// Run one CLI command and print its output, e.g. -x "pjsip show registrations".
        #[arg(short = 'x', value_name = "COMMAND")]
        command: Option<String>,
    },
    /// A site's (or the operator's) Asterisk log.
    Logs {
        #[command(flatten)]
        lab: LabArg,
        site: String,
        /// Keep following the log.
        #[arg(long, short)]
        follow: bool,
    },
    /// sngrep inside a site's IPBX (or the operator), as in the SAE.
    Sngrep {
        #[command(flatten)]
        lab: LabArg,
        site: String,
    },
    /// Capture a site's SIP and RTP into a pcap file for Wireshark or sngrep.
    Capture {
        #[command(flatten)]
        lab: LabArg,
        site: String,
        /// Output file; `<site>.pcap` by default.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// How long to capture.
        #[arg(long, default_value_t = 10)]
        seconds: u32,
    },
    /// A site's own prompt from a sound file (WAV, MP3, Ogg, FLAC, up to 10 min):
    /// converted to what Asterisk plays, its loudness levelled, installed as the
    /// music on hold and/or the pre-answer message; prints its duration and level.
    #[command(group = clap::ArgGroup::new("what").required(true).multiple(true).args(["hold", "pre_answer", "reset"]))]
    Prompt {
        #[command(flatten)]
        lab: LabArg,
        /// The site, e.g. table1.
        site: String,
        /// The site's music on hold.
        #[arg(long, value_name = "FILE")]
        hold: Option<PathBuf>,
        /// The message trunk callers hear before the phone rings.
        #[arg(long, value_name = "FILE")]
        pre_answer: Option<PathBuf>,
        /// Back to the shipped prompts.
        #[arg(long, conflicts_with_all = ["hold", "pre_answer"])]
        reset: bool,
    },
    /// Apply edited configs of a site (or the operator), reloading Asterisk module by module.
    Reload {
        #[command(flatten)]
        lab: LabArg,
        site: String,
    },
    /// Draw the lab (networks, boxes, addresses, trunks) as an SVG picture.
    Graph {
        #[command(flatten)]
        lab: LabArg,
        /// Output file; `graph.svg` in the lab's state folder by default.
        #[arg(long, value_name = "FILE.svg")]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum ExportCmd {
    /// A compose file of the same lab (same images, networks, addresses,
    /// ports and volumes) for `docker-compose -p PROJECT -f FILE up -d`; it
    /// mounts the configs written into the lab's state folder.
    Compose {
        #[command(flatten)]
        lab: LabArg,
        /// Output file; `compose.yaml` in the lab's state folder by default.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

impl LabCmd {
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            LabCmd::Up { lab, root, bind, swarm } => up(&lab, root, bind, swarm).await,
            LabCmd::Softphone { lab, phone, give_back } => softphone(&lab, &phone, give_back).await,
            LabCmd::Down { lab, volumes } => down(&lab, volumes).await,
            LabCmd::Status { lab, json } => status(&lab, json).await,
            LabCmd::Config { lab, out, reset, pull } => config(&lab, out, reset, pull).await,
            LabCmd::Provision(cmd) => cmd.run(),
            LabCmd::Export(ExportCmd::Compose { lab, out }) => export_compose(&lab, out),
            LabCmd::Cli { lab, site, command } => cli(&lab, &site, command).await,
            LabCmd::Logs { lab, site, follow } => terminal(&lab, &site, TerminalView::Logs { follow }).await,
            LabCmd::Sngrep { lab, site } => terminal(&lab, &site, TerminalView::Sngrep).await,
            LabCmd::Capture { lab, site, out, seconds } => capture(&lab, &site, out, seconds).await,
            LabCmd::Prompt { lab, site, hold, pre_answer, reset } => {
                let lab = lab.load()?;
                let request = if reset { Request::Reset } else { Request::Install { hold, pre_answer } };
                // Checked before any container is touched.
                let plan = lab::prompt::plan(&lab, &site, request)?;
                let runtime = LabRuntime::connect(&lab, state_dir(&lab)?).await?;
                print!("{}", runtime.prompt(&plan).await?);
                Ok(())
            }
            LabCmd::Reload { lab, site } => {
                let lab = lab.load()?;
                let runtime = LabRuntime::connect(&lab, state_dir(&lab)?).await?;
                print!("{}", runtime.reload(&site).await?);
                Ok(())
            }
            LabCmd::Graph { lab, out } => graph(&lab, out),
        }
    }
}

async fn up(arg: &LabArg, root: RootArg, bind: Option<std::net::Ipv4Addr>, swarm: bool) -> anyhow::Result<()> {
    let mut lab = arg.load()?;
    if let Some(bind) = bind {
        anyhow::ensure!(
            !bind.is_unspecified(),
            "--bind needs the one address phones reach this machine at (`ip -4 addr`), not 0.0.0.0"
        );
        lab::runtime::remember_bind(&state_dir(&lab)?, bind)?;
        lab.host.bind = bind;
    }
    if swarm {
        lab.deploy = lab::model::Deploy::Swarm;
    }
    let runtime = LabRuntime::connect(&lab, state_dir(&lab)?).await?;
    if swarm {
        // Once the swarm is known to hold the lab.
        lab::runtime::remember_swarm(&state_dir(&lab)?)?;
    }
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
    for node in &report.nodes {
        println!("{node}");
    }
    for edit in &report.kept_edits {
        println!("kept your edit of {} (`cargo xtask lab config --reset <site>` regenerates it)", edit.display());
    }
    println!("`cargo xtask lab status` shows every account; `cargo xtask lab down` removes the lab.");
    Ok(())
}

async fn softphone(arg: &LabArg, phone: &str, give_back: bool) -> anyhow::Result<()> {
    let lab = arg.load()?;
    let progress = Term::new();
    let done = lab::runtime::hand_over(&lab, &state_dir(&lab)?, phone, give_back, &progress).await?;
    progress.finish();
    let Some(account) = done.account else {
        println!("{phone} is back with the lab's simulated phone");
        return Ok(());
    };
    println!(
        "{phone} is yours: in Linphone, \"Use a SIP account\":\n  username   {}\n  password   {}\n  domain     {}:{}\n  transport  UDP\n\
         Extension {}, public number {}. `cargo xtask lab softphone --give-back {phone}` returns it to the lab.",
        account.username, account.password, account.host, account.port, account.extension, account.public_number,
    );
    if !done.running {
        println!("The lab is not running: `cargo xtask lab up` starts it without this phone.");
    }
    Ok(())
}

async fn down(arg: &LabArg, volumes: bool) -> anyhow::Result<()> {
    let mut lab = arg.load()?;
    let runtime = match LabRuntime::connect(&lab, state_dir(&lab)?).await {
        // The swarm is gone (left by hand): what is left of the lab is here.
        Err(lab::runtime::LabError::NoSwarm) => {
            eprintln!("this engine is in no swarm any more: removing what is left of the lab on this machine");
            lab.deploy = lab::model::Deploy::Docker;
            LabRuntime::connect(&lab, state_dir(&lab)?).await?
        }
        connected => connected?,
    };
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
    if !report.volumes.is_empty() {
        println!("lab {}: removed {} volume(s): voicemail, recordings, astdb, mail", lab.name, report.volumes.len());
    } else if !volumes {
        println!("voicemail, recordings, astdb and mail stay on the lab's volumes (`lab down --volumes` deletes them)");
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
        crate::output::print(&status.to_string());
        if status.up {
            let health = runtime.health().await?;
            if !health.whole() {
                println!("\nnot whole: {health}");
            }
        }
    }
    Ok(())
}

async fn config(arg: &LabArg, out: Option<PathBuf>, reset: Option<String>, pull: Option<String>) -> anyhow::Result<()> {
    let lab = arg.load()?;
    let state = state_dir(&lab)?;
    if let Some(site) = pull {
        let (dir, files) = LabRuntime::connect(&lab, state).await?.pull_config(&site).await?;
        println!(
            "{files} file(s) of the running {site} copied into {}: edit them, then `cargo xtask lab reload {site}`",
            dir.display()
        );
        return Ok(());
    }
    if let Some(site) = reset {
        let runtime = LabRuntime::connect(&lab, state).await?;
        let written = runtime.reset_config(&site)?;
        println!("regenerated {site}: {written} file(s) rewritten");
        match runtime.reload(&site).await {
            Ok(_) => println!("{site} reloaded"),
            Err(lab::runtime::LabError::NotRunning(_)) => {
                println!("{site} is not running: `cargo xtask lab up` starts it")
            }
            Err(e) => return Err(e.into()),
        }
        return Ok(());
    }
    let secrets = lab::secrets::Secrets::load_or_create(state.path(), &lab)?;
    let tree = lab::gen::generate(&lab, &secrets);
    match out {
        Some(out) => {
            tree.write(&out).with_context(|| format!("writing configs under {}", out.display()))?;
            println!("wrote {} files under {}", tree.files.len(), out.display());
        }
        None => {
            let dir = state.config_dir();
            let sync = state
                .sync_configs(&tree.files, &[])
                .with_context(|| format!("writing configs under {}", dir.display()))?;
            println!("{} file(s) written under {}", sync.written, dir.display());
            for edit in &sync.kept_edits {
                println!("kept your edit of {} (`--reset <site>` regenerates it)", edit.display());
            }
        }
    }
    Ok(())
}

fn export_compose(arg: &LabArg, out: Option<PathBuf>) -> anyhow::Result<()> {
    let lab = arg.load()?;
    let state = state_dir(&lab)?;
    let text = lab::runtime::compose::export(&lab, &state)?;
    let out = out.unwrap_or_else(|| lab::runtime::compose::default_path(&state));
    std::fs::write(&out, text).with_context(|| format!("writing {}", out.display()))?;
    println!("wrote {}", out.display());
    println!("start it with `docker-compose -p {}-compose -f {} up -d`", lab.name, out.display());
    Ok(())
}

async fn cli(arg: &LabArg, site: &str, command: Option<String>) -> anyhow::Result<()> {
    let lab = arg.load()?;
    let runtime = LabRuntime::connect(&lab, state_dir(&lab)?).await?;
    match command {
        Some(command) => {
            crate::output::print(&runtime.cli(site, &command).await?);
            Ok(())
        }
        None => hand_terminal(runtime.terminal(site, TerminalView::Console).await?),
    }
}

async fn terminal(arg: &LabArg, site: &str, view: TerminalView) -> anyhow::Result<()> {
    let lab = arg.load()?;
    let runtime = LabRuntime::connect(&lab, state_dir(&lab)?).await?;
    hand_terminal(runtime.terminal(site, view).await?)
}

/// Hands the terminal to the Docker CLI for an interactive or streaming view.
fn hand_terminal(args: Vec<String>) -> anyhow::Result<()> {
    let sh = xshell::Shell::new()?;
    xshell::cmd!(sh, "docker {args...}").run()?;
    Ok(())
}

async fn capture(arg: &LabArg, site: &str, out: Option<PathBuf>, seconds: u32) -> anyhow::Result<()> {
    let lab = arg.load()?;
    let runtime = LabRuntime::connect(&lab, state_dir(&lab)?).await?;
    let container = runtime.running_asterisk(site).await?;
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{site}.pcap")));
    eprintln!("capturing SIP and RTP of {container} for {seconds} s…");
    let pcap = runtime.capture(site, seconds).await?;
    std::fs::write(&out, &pcap).with_context(|| format!("writing {}", out.display()))?;
    println!("wrote {} ({} bytes); open it with Wireshark, `tshark -r` or `sngrep -I`", out.display(), pcap.len());
    Ok(())
}

fn graph(arg: &LabArg, out: Option<PathBuf>) -> anyhow::Result<()> {
    let lab = arg.load()?;
    let out = match out {
        Some(out) => out,
        None => state_dir(&lab)?.path().join("graph.svg"),
    };
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&out, lab::graph::svg(&lab)).with_context(|| format!("writing {}", out.display()))?;
    println!("{}", out.display());
    Ok(())
}
