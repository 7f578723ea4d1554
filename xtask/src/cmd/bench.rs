use std::time::{Duration, Instant};

use clap::Subcommand;
use lab::runtime::{progress::Silent, Fault, LabRuntime, Recovery};

use super::{state_dir, LabArg, RootArg};
use crate::progress::Term;
use lab::runtime::progress::Progress;

#[derive(Subcommand)]
pub enum BenchCmd {
    /// Time a cold `lab up` (no container) and a warm one (all running), and
    /// print each container's memory.
    Up {
        #[command(flatten)]
        lab: LabArg,
        #[arg(long, value_enum, default_value_t)]
        root: RootArg,
        /// Leave the lab running afterwards (brought up again after `down` is timed).
        #[arg(long)]
        keep: bool,
        /// Race `lab up` against the lab's compose file (`lab export compose`)
        /// started by `docker-compose up -d` and waited for until the same
        /// accounts are registered; then both downs. Leaves the lab down.
        #[arg(long, conflicts_with = "keep")]
        vs_compose: bool,
        /// Compose project name for `--vs-compose`; `<lab>-compose` by default.
        #[arg(long, requires = "vs_compose")]
        project: Option<String>,
        /// Figures as JSON (with `--vs-compose`).
        #[arg(long, requires = "vs_compose")]
        json: bool,
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
    /// Bring the SAE's tables up at several lab sizes (8 cabinets × 3 roles a
    /// site), each from no container to every account registered, and down:
    /// up and down times, memory and containers per size. The labs are the
    /// bench's own (`scale<N>`, 10.100.0.0/16, host ports 17001… and 2100…),
    /// removed with their volumes afterwards.
    Scale {
        /// Lab sizes, in sites (1 to 99).
        #[arg(long, value_delimiter = ',', default_value = "4,8,16")]
        sites: Vec<u8>,
        #[arg(long, value_enum, default_value_t)]
        root: RootArg,
        /// Measure each size on the swarm this machine manages too, beside
        /// this machine's engine alone.
        #[arg(long)]
        swarm: bool,
        /// Figures as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Ramp concurrent calls between the sites (SIPp registered as the lab's
    /// phones, through the trunks and the operator, RTP both ways) until
    /// calls fail; print per step the calls held, calls per second, CPU,
    /// memory and RTP loss, and where the limit comes from.
    Calls {
        #[command(flatten)]
        lab: LabArg,
        /// Calls at once in the first step.
        #[arg(long, default_value_t = 40)]
        first: usize,
        /// How many more calls each next step holds.
        #[arg(long, default_value_t = 40)]
        step: usize,
        /// Stop the ramp there (all the lab's phones allow by default).
        #[arg(long)]
        max: Option<usize>,
        /// Calls placed per second, all sites together.
        #[arg(long, default_value_t = 20.0)]
        rate: f64,
        /// Seconds every call of a step is held together while measured.
        #[arg(long, default_value_t = 10)]
        plateau: u64,
        /// Figures as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Hurt each kind of container in turn (process crash, docker restart,
    /// docker kill, removal) and time the lab back to every account
    /// registered: by itself, or through `lab up` for a kill or removal.
    Heal {
        #[command(flatten)]
        lab: LabArg,
        /// Only these faults (crash, restart, kill, remove).
        #[arg(long, value_delimiter = ',')]
        fault: Vec<FaultArg>,
        /// Only the containers whose name contains this (e.g. `table1`).
        #[arg(long)]
        only: Option<String>,
        /// Figures as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum FaultArg {
    Crash,
    Restart,
    Kill,
    Remove,
}

impl From<FaultArg> for Fault {
    fn from(f: FaultArg) -> Fault {
        match f {
            FaultArg::Crash => Fault::Crash,
            FaultArg::Restart => Fault::Restart,
            FaultArg::Kill => Fault::Kill,
            FaultArg::Remove => Fault::Remove,
        }
    }
}

/// How long a fault may take to heal before it counts as not healed.
const HEAL_DEADLINE: Duration = Duration::from_secs(120);

impl BenchCmd {
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            BenchCmd::Up { lab, vs_compose: true, project, json, .. } => versus_compose(lab, project, json).await,
            BenchCmd::Up { lab, root, keep, .. } => up(lab, root, keep).await,
            BenchCmd::Scenarios { lab, jobs } => scenarios(lab, jobs).await,
            BenchCmd::Calls { lab, first, step, max, rate, plateau, json } => {
                let options = lab::load::Options { first, step, max, rate, plateau: Duration::from_secs(plateau) };
                calls(lab, options, json).await
            }
            BenchCmd::Heal { lab, fault, only, json } => heal(lab, fault, only, json).await,
            BenchCmd::Scale { sites, root, swarm, json } => scale(&sites, root, swarm, json).await,
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

async fn scale(sizes: &[u8], root: RootArg, swarm: bool, json: bool) -> anyhow::Result<()> {
    let mut labs = Vec::new();
    for &n in sizes {
        let lab = lab::runtime::scale::lab(n)?;
        if swarm {
            let mut on_swarm = lab.clone();
            on_swarm.deploy = lab::model::Deploy::Swarm;
            labs.extend([lab, on_swarm]);
        } else {
            labs.push(lab);
        }
    }
    let progress = Term::new();
    let engine = lab::runtime::docker::Engine::connect().await?;
    lab::runtime::images::ensure(&engine, root.into(), &progress).await?;
    let mut rows = Vec::new();
    for lab in &labs {
        rows.push(lab::runtime::scale::measure(lab, state_dir(lab)?, &progress).await?);
    }
    progress.finish();
    if json {
        let sizes: Vec<_> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "engine": r.engine.name(),
                    "sites": r.sites,
                    "phones": r.phones,
                    "containers": r.containers,
                    "up_seconds": r.up_seconds,
                    "down_seconds": r.down_seconds,
                    "memory_mib": r.memory_mib(),
                    "containers_mib": r.containers_mib,
                    "port_proxies": r.port_proxies,
                    "port_proxies_mib": r.port_proxies_mib,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "sizes": sizes }))?);
        return Ok(());
    }
    println!(
        "{:>6} {:>5} {:>6} {:>10} {:>12} {:>8} {:>11} {:>15} {:>16}",
        "engine", "sites", "phones", "containers", "up (s)", "down (s)", "memory", "containers mem", "port proxies"
    );
    for r in &rows {
        println!(
            "{:>6} {:>5} {:>6} {:>10} {:>12.1} {:>8.1} {:>7.0} MiB {:>11.0} MiB {:>5} {:>6.0} MiB",
            r.engine.name(),
            r.sites,
            r.phones,
            r.containers,
            r.up_seconds,
            r.down_seconds,
            r.memory_mib(),
            r.containers_mib,
            r.port_proxies,
            r.port_proxies_mib
        );
    }
    println!(
        "up: from no container (images present) to every trunk and phone registered; memory: containers + port proxies"
    );
    Ok(())
}

async fn heal(lab: LabArg, faults: Vec<FaultArg>, only: Option<String>, json: bool) -> anyhow::Result<()> {
    let lab = lab.load()?;
    let runtime = LabRuntime::connect(&lab, state_dir(&lab)?).await?;
    let progress = Term::new();
    progress.step("bringing the lab up");
    runtime.up(Default::default(), &progress).await?;
    progress.finish();
    let faults: Vec<Fault> =
        if faults.is_empty() { Fault::ALL.to_vec() } else { faults.into_iter().map(Fault::from).collect() };
    let victims = lab::runtime::topology::one_of_each_kind(&lab);
    let mut rows: Vec<Recovery> = Vec::new();
    if !json {
        println!("{:<8} {:<22} {:>12} {:>18}", "fault", "container", "lab up (s)", "all registered (s)");
    }
    for fault in &faults {
        for kind in &victims {
            let name = lab::runtime::topology::container_name(&lab, kind);
            if only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
                continue;
            }
            let r = runtime.hurt_and_heal(kind, *fault, HEAL_DEADLINE).await?;
            if !json {
                let up = r.up_seconds.map_or("-".to_string(), |s| format!("{s:.1}"));
                let whole = r.whole_after.map_or(format!("> {}", HEAL_DEADLINE.as_secs()), |s| format!("{s:.1}"));
                println!("{:<8} {:<22} {up:>12} {whole:>18}", r.fault.name(), r.container);
                if r.whole_after.is_none() {
                    println!("         still wrong: {}", r.left.join("; "));
                }
            }
            rows.push(r);
        }
    }
    let worst = rows.iter().map(|r| r.whole_after.unwrap_or(f64::INFINITY)).fold(0.0, f64::max);
    if json {
        let rows: Vec<_> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "fault": r.fault.name(),
                    "container": r.container,
                    "up_seconds": r.up_seconds,
                    "all_registered_seconds": r.whole_after,
                    "left": r.left,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "lab": lab.name, "faults": rows }))?);
    } else {
        println!("slowest: {}", if worst.is_finite() { format!("{worst:.1} s") } else { "not healed".into() });
    }
    anyhow::ensure!(worst.is_finite(), "a fault did not heal within {} s", HEAL_DEADLINE.as_secs());
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
    let mut total_kib = 0.0;
    for name in &names {
        let bytes = runtime.engine().memory(name).await?;
        total_kib += bytes as f64 / 1024.0;
        println!("  {name:<28} {:>7.1} MiB", bytes as f64 / (1024.0 * 1024.0));
    }
    if let Some((count, kib)) = lab::runtime::host::port_proxies() {
        total_kib += kib as f64;
        println!(
            "  {:<28} {:>7.1} MiB  ({count} processes: the published SIP and RTP ports)",
            "docker-proxy (host)",
            kib as f64 / 1024.0
        );
    }
    println!("  {:<28} {:>7.1} MiB", "all together", total_kib / 1024.0);

    let started = Instant::now();
    let down = runtime.down(false, &Silent).await?;
    let down_secs = started.elapsed().as_secs_f64();
    println!(
        "\ndown (every container running):          {down_secs:>6.2} s  ({} containers removed)",
        down.containers.len()
    );
    if keep {
        runtime.up(root.into(), &Silent).await?;
    }
    Ok(())
}

async fn versus_compose(lab: LabArg, project: Option<String>, json: bool) -> anyhow::Result<()> {
    let lab = lab.load()?;
    let state = state_dir(&lab)?;
    let project = project.unwrap_or_else(|| format!("{}-compose", lab.name));
    let file = lab::runtime::compose::default_path(&state);
    let runtime = LabRuntime::connect(&lab, state).await?;
    let progress = Term::new();
    lab::runtime::images::ensure(runtime.engine(), Default::default(), &progress).await?;
    let load = lab::load::machine::load_average();
    let race = runtime.race_compose(&project, &file, &progress).await?;
    progress.finish();
    let machine = lab::load::machine::Machine::read();
    if json {
        let out = serde_json::json!({
            "lab": lab.name,
            "machine": machine,
            "load_average_before": load,
            "race": race,
            "up_ratio": race.up_ratio(),
            "down_ratio": race.down_ratio(),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("lab {}: {} containers, on {} (load average {})", lab.name, race.containers, machine, fmt_load(load));
    println!("{:<44} {:>10} {:>10}", "", "lab (s)", "compose (s)");
    println!("{:<44} {:>10.2} {:>10.2}", "up, until every account is registered", race.lab_up, race.compose_up);
    println!("{:<44} {:>10} {:>10.2}", "  of which `docker-compose up -d` returned", "", race.compose_started);
    println!("{:<44} {:>10.2} {:>10.2}", "down", race.lab_down, race.compose_down);
    println!("up: {}; down: {}", versus(race.up_ratio()), versus(race.down_ratio()));
    Ok(())
}

/// "lab 2.1x faster than docker-compose", or the other way round.
fn versus(compose_over_lab: f64) -> String {
    if compose_over_lab >= 1.0 {
        format!("lab {compose_over_lab:.1}x faster than docker-compose")
    } else {
        format!("docker-compose {:.1}x faster than lab", 1.0 / compose_over_lab)
    }
}

fn fmt_load(load: Option<f64>) -> String {
    load.map_or("unknown".into(), |l| format!("{l:.2}"))
}

async fn calls(arg: LabArg, options: lab::load::Options, json: bool) -> anyhow::Result<()> {
    let lab = arg.load()?;
    let progress = Term::new();
    let report = lab::load::run(&lab, state_dir(&lab)?, &options, &progress).await?;
    progress.finish();
    if json {
        let best = report.best().map(|s| s.calls);
        let out = serde_json::json!({ "report": report, "best_calls": best, "limit_says": report.limit.to_string() });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!(
        "lab {}: {} sites, calls from each site to the next through the operator, {:.0} placed per second",
        report.lab, report.sites, report.rate
    );
    println!("measured on {} (load average {} before)", report.machine, fmt_load(report.load_average));
    println!(
        "at rest: Asterisks {:.2} cores, SIPp {:.2}; CPU/call is what a call adds to the Asterisks",
        report.idle_asterisk_cores, report.idle_sipp_cores
    );
    println!(
        "{:>6} {:>6} {:>6} {:>6} {:>9} {:>7} {:>9} {:>9} {:>8} {:>8} {:>10} {:>7}",
        "calls",
        "held",
        "failed",
        "cps",
        "Asterisk",
        "kernel",
        "CPU/call",
        "KiB/call",
        "SIPp",
        "machine",
        "RTP rx",
        "lost"
    );
    println!(
        "{:>6} {:>6} {:>6} {:>6} {:>9} {:>7} {:>9} {:>9} {:>8} {:>8} {:>10} {:>7}",
        "", "", "", "", "(cores)", "(%)", "(% core)", "", "(cores)", "(busy)", "(packets)", "(%)"
    );
    for s in &report.steps {
        let cps = s.calls_per_second.map_or("-".into(), |c| format!("{c:.1}"));
        let busy = s.machine_busy.map_or("-".into(), |b| format!("{:.0} %", b * 100.0));
        let kernel = 100.0 * s.asterisk_kernel_cores / s.asterisk_cores.max(f64::EPSILON);
        println!(
            "{:>6} {:>6} {:>6} {:>6} {:>9.2} {:>7.0} {:>9.2} {:>9.0} {:>8.2} {:>8} {:>10} {:>7.3}",
            s.calls,
            s.held,
            s.failed,
            cps,
            s.asterisk_cores,
            kernel,
            s.cpu_percent_per_call(report.idle_asterisk_cores),
            s.kib_per_call(),
            s.sipp_cores,
            busy,
            s.rtp.received,
            s.rtp.loss_percent()
        );
        for e in &s.errors {
            println!("         {e}");
        }
    }
    match report.best() {
        Some(best) => println!(
            "most calls held at once with none failed: {} ({} Asterisk MiB in all)",
            best.calls, best.asterisk_mib as u64
        ),
        None => println!("no step held every call"),
    }
    println!("limit: {}", report.limit);
    if let Some(warning) = &report.not_given_back {
        println!("warning: {warning}");
    }
    // The lab is left up for the next ramp, as `bench scenarios` leaves its own.
    let file = arg.lab.as_ref().map(|p| format!(" --lab {}", p.display())).unwrap_or_default();
    println!("lab {} is still up: `cargo xtask lab down{file}` removes it", report.lab);
    Ok(())
}
