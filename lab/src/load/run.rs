//! The load on a running lab: SIPp UAs in each site's phones container,
//! registered as the lab's accounts, placing and answering calls step by
//! step while the Asterisks are watched.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use futures_util::future::try_join_all;
use tracing::{info, warn};

use super::machine::{self, Machine};
use super::plan::{Plan, SiteLoad};
use super::report::{self, CallsReport, Step};
use super::sipp::{self, DIR};
use super::stats::{self, RtpCounts, SippCounts};
use super::{LoadError, Options};
use crate::model::{ports, Lab};
use crate::runtime::asterisk_cli;
use crate::runtime::docker::{Engine, Usage};
use crate::runtime::images::RootSource;
use crate::runtime::progress::Progress;
use crate::runtime::topology::{container_name, Kind};
use crate::runtime::LabRuntime;
use crate::secrets::Secrets;
use crate::state::StateDir;
use crate::wait;

/// After the last call is placed: the other IPBX's welcome message (1.5 s),
/// the ring and the answer, with room for a loaded machine.
const SETTLE: Duration = Duration::from_secs(10);
/// Calls are held this much longer than the measurement needs: on a busy
/// machine a look at every container takes seconds, even tens of seconds.
const MARGIN: Duration = Duration::from_secs(30);
/// How long the lab may take to close every call of a step.
const QUIET: Duration = Duration::from_secs(60);
const LOOK: Duration = Duration::from_secs(1);
/// How long the lab at rest is measured.
const IDLE: Duration = Duration::from_secs(5);

/// Ramps calls between the sites of `lab` (brought up first if needed),
/// step by step until calls fail, then gives the accounts back to the lab's
/// softphones.
pub async fn run(
    lab: &Lab,
    state: StateDir,
    options: &Options,
    progress: &dyn Progress,
) -> Result<CallsReport, LoadError> {
    let plan = Plan::new(lab, options.max)?;
    let accounts = Plan::new(lab, None)?.capacity;
    let steps = plan.steps(options.first, options.step);
    // The load's phones are left to SIPp, as `lab softphone` leaves one to a user.
    let mut handed = lab.clone();
    let mut softphones: Vec<String> = lab
        .sites
        .iter()
        .flat_map(|s| s.phones.iter().filter(|p| p.softphone).map(move |p| format!("{}/{}", s.name, p.account)))
        .collect();
    softphones.extend(plan.accounts());
    handed.set_outside(None, &softphones).map_err(LoadError::Accounts)?;
    let runtime = LabRuntime::connect(&handed, state.clone()).await?;
    progress.step("bringing the lab up, the load's phones left to SIPp");
    runtime.up(RootSource::default(), progress).await?;
    let load = Load { engine: runtime.engine().clone(), lab, plan: &plan, secrets: runtime.secrets()?, options };

    let outcome = async {
        progress.step(&format!("registering {} phones with SIPp", plan.accounts().len()));
        load.prepare().await?;
        let load_average = machine::load_average();
        progress.step("measuring the lab at rest");
        let idle = load.idle().await?;
        let mut done = Vec::new();
        for calls in steps {
            progress.step(&format!("{calls} calls at once"));
            let step = load.step(calls).await?;
            info!(calls, held = step.held, failed = step.failed, cores = step.asterisk_cores, "load: step done");
            let held = step.held_all();
            done.push(step);
            if !held {
                break;
            }
        }
        Ok::<_, LoadError>((load_average, idle, done))
    }
    .await;
    load.stop().await;
    progress.step("giving the phones back to the lab's softphones");
    let back = LabRuntime::connect(lab, state).await?.up(RootSource::default(), progress).await;
    let (load_average, (idle_asterisk_cores, idle_sipp_cores), steps) = outcome?;
    // The figures stand whatever happens next: a failed give-back is said, not fatal.
    let not_given_back = back.err().map(|e| {
        warn!("giving the phones back: {e}");
        format!("the lab's softphones did not all take their phones back ({e}); `cargo xtask lab up` finishes it")
    });
    let machine = Machine::read();
    let limit = report::limit(&steps, plan.capacity, accounts, machine.cores);
    Ok(CallsReport {
        lab: lab.name.clone(),
        sites: lab.sites.len(),
        machine,
        load_average,
        idle_asterisk_cores,
        idle_sipp_cores,
        rate: options.rate,
        steps,
        limit,
        not_given_back,
    })
}

struct Load<'a> {
    engine: Engine,
    lab: &'a Lab,
    plan: &'a Plan<'a>,
    secrets: Secrets,
    options: &'a Options,
}

/// What the Asterisks and the UAs used over a while.
struct Window {
    started: Instant,
    /// The operator first, then the IPBXs.
    asterisks: Vec<Usage>,
    sipp: Vec<Usage>,
    machine: Option<(u64, u64)>,
}

impl Load<'_> {
    fn phones(&self, s: &SiteLoad<'_>) -> String {
        container_name(self.lab, &Kind::Phones { site: s.site.name.clone() })
    }

    fn address(&self, s: &SiteLoad<'_>) -> Ipv4Addr {
        self.lab.network.site_phones(s.site.index)
    }

    fn ipbx_address(&self, s: &SiteLoad<'_>) -> Ipv4Addr {
        self.lab.network.ipbx_lan(s.site.index)
    }

    fn ipbxs(&self) -> Vec<String> {
        self.lab.sites.iter().map(|s| container_name(self.lab, &Kind::Ipbx { site: s.name.clone() })).collect()
    }

    fn asterisks(&self) -> Vec<String> {
        let mut all = vec![container_name(self.lab, &Kind::Operator)];
        all.extend(self.ipbxs());
        all
    }

    fn generators(&self) -> Vec<String> {
        self.plan.sites.iter().map(|s| self.phones(s)).collect()
    }

    async fn exec(&self, container: &str, argv: &[String]) -> Result<crate::runtime::docker::ExecOutput, LoadError> {
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        Ok(self.engine.exec(container, &argv).await?)
    }

    /// Writes the UAs' files in every phones container, registers each
    /// site's answering accounts and starts the UA answering for them.
    async fn prepare(&self) -> Result<(), LoadError> {
        try_join_all(self.plan.sites.iter().enumerate().map(|(i, s)| self.prepare_site(i, s))).await?;
        // Each IPBX must know its answering accounts at SIPp's port.
        let answering = format!(":{}", ports::LOAD_ANSWER_SIP);
        for s in &self.plan.sites {
            let ipbx = container_name(self.lab, &Kind::Ipbx { site: s.site.name.clone() });
            let (engine, answering, ipbx) = (&self.engine, &answering, &ipbx);
            let names: Vec<&str> = s.callees.iter().map(|p| p.account.as_str()).collect();
            let names = &names;
            let registered =
                wait::until(&format!("the load's phones of {}", s.site.name), QUIET, LOOK, || async move {
                    let shown = asterisk_cli::command(engine, ipbx, "pjsip show contacts").await?.unwrap_or_default();
                    let contacts = crate::runtime::parse_contacts(&shown);
                    let missing: Vec<&str> = names
                        .iter()
                        .copied()
                        .filter(|a| !contacts.get(*a).is_some_and(|uri| uri.contains(answering.as_str())))
                        .collect();
                    Ok::<_, crate::runtime::docker::EngineError>(if missing.is_empty() {
                        wait::Poll::Ready(())
                    } else {
                        wait::Poll::Pending(format!(
                            "{} not registered from SIPp: {}",
                            missing.len(),
                            missing.join(", ")
                        ))
                    })
                })
                .await;
            match registered {
                Ok(()) => {}
                Err(wait::Error::Failed(e)) => return Err(e.into()),
                Err(e @ wait::Error::TimedOut { .. }) => {
                    return Err(LoadError::Register { site: s.site.name.clone(), why: e.to_string() })
                }
            }
        }
        Ok(())
    }

    async fn prepare_site(&self, i: usize, s: &SiteLoad<'_>) -> Result<(), LoadError> {
        let container = self.phones(s);
        self.exec(&container, &sipp::stop_answering()).await?;
        self.exec(&container, &["mkdir".into(), "-p".into(), DIR.into()]).await?;
        let callees = sipp::injection(
            s.callees.iter().map(|p| vec![p.account.clone(), self.secrets.phone_password(s.site, p).to_string()]),
        );
        let targets = sipp::injection(self.plan.targets(self.lab, i).into_iter().map(|t| vec![t]));
        for (name, bytes) in sipp::files(&callees, &targets) {
            self.exec(&container, &sipp::write_file(&format!("{DIR}/{name}"), &bytes)).await?;
        }
        let register = sipp::register(self.address(s), self.ipbx_address(s), s.callees.len(), sipp::EXPIRES);
        let out = self.exec(&container, &register).await?;
        if out.code != 0 {
            let why = self.error_lines(&container, "register-errors.log").await.join("; ");
            return Err(LoadError::Register {
                site: s.site.name.clone(),
                why: format!("SIPp exit {}: {why}", out.code),
            });
        }
        self.exec(&container, &sipp::start_answering(self.address(s))).await?;
        Ok(())
    }

    /// Stops the answering UAs and unregisters their accounts; what fails
    /// here is logged, the lab is given back anyway.
    async fn stop(&self) {
        for s in &self.plan.sites {
            let container = self.phones(s);
            if let Err(e) = self.exec(&container, &sipp::stop_answering()).await {
                warn!("stopping the answering SIPp in {container}: {e}");
            }
            let unregister = sipp::register(self.address(s), self.ipbx_address(s), s.callees.len(), "0");
            if let Err(e) = self.exec(&container, &unregister).await {
                warn!("unregistering the load's phones of {}: {e}", s.site.name);
            }
        }
    }

    /// One step: `calls` placed across the sites at the asked rate, held
    /// together for the plateau, then hung up.
    async fn step(&self, calls: usize) -> Result<Step, LoadError> {
        let sites = self.plan.sites.len();
        let per_site = calls / sites;
        let rate = self.options.rate / sites as f64;
        let ramp = Duration::from_secs_f64(per_site as f64 / rate);
        // A loaded machine sets calls up slower than asked: room for half the rate.
        let setup = 2 * ramp + SETTLE;
        let hold = setup + self.options.plateau + MARGIN;
        let stats_file = format!("call-{calls}.csv");
        let answered_before = self.answered_counts().await?;
        let before = self.window().await?;

        let placing = try_join_all(self.plan.sites.iter().map(|s| {
            let argv = sipp::Calls {
                address: self.address(s),
                ipbx: self.ipbx_address(s),
                caller: &s.caller.account,
                password: self.secrets.phone_password(s.site, s.caller),
                calls: per_site,
                rate,
                hold_ms: hold.as_millis() as u64,
                timeout_s: (hold + ramp + QUIET).as_secs(),
                stats: &stats_file,
            }
            .argv();
            let container = self.phones(s);
            async move { self.exec(&container, &argv).await }
        }));
        let watching = self.watch(calls, setup, hold, &before);
        let (placed, watched) = tokio::join!(placing, watching);
        placed?;
        let mut step = watched?;

        // What each side counted: the caller's successes, and the calls the
        // answering side took (one that reached voicemail instead never came).
        let mut placed_ok = 0;
        let mut errors = Vec::new();
        for s in &self.plan.sites {
            let container = self.phones(s);
            let counts = self.counts(&container, &stats_file).await?.unwrap_or_default();
            placed_ok += counts.successful;
            if counts.failed > 0 {
                errors.extend(self.error_lines(&container, "call-errors.log").await);
            }
        }
        let answered = self.answered_since(&answered_before, placed_ok).await?;
        let completed = placed_ok.min(answered) as usize;
        step.failed = calls.saturating_sub(completed);
        errors.dedup();
        errors.truncate(3);
        step.errors.extend(errors);
        self.quiet().await?;
        Ok(step)
    }

    /// Waits until every call is answered (or `deadline`), then measures
    /// the plateau: cores, memory, RTP and calls held.
    async fn watch(
        &self,
        calls: usize,
        deadline: Duration,
        hold: Duration,
        before: &Window,
    ) -> Result<Step, LoadError> {
        let started = Instant::now();
        let mut step = Step { calls, ..Default::default() };
        loop {
            let up = self.answered_now().await?;
            step.held = step.held.max(up);
            if up >= calls {
                let secs = started.elapsed().as_secs_f64();
                step.setup_seconds = Some(secs);
                step.calls_per_second = Some(calls as f64 / secs);
                break;
            }
            if started.elapsed() >= deadline {
                break;
            }
            tokio::time::sleep(LOOK).await;
        }
        // Over the plateau when every call is up, else over the whole step.
        let reached = step.setup_seconds.is_some();
        let from = if reached { self.window().await? } else { before.clone() };
        if reached {
            tokio::time::sleep(self.options.plateau).await;
            // Held: every call answered at the start, and still up at the end.
            step.held = self.answered_now().await?.min(calls);
            if started.elapsed() >= hold {
                // The first calls may have ended as planned already: unproven.
                step.held = step.held.min(calls.saturating_sub(1));
                step.measured_late = true;
                step.errors.push(format!(
                    "the machine was too busy to look at the lab before the calls ended ({:.0} s after the first)",
                    started.elapsed().as_secs_f64()
                ));
            }
        }
        let to = self.window().await?;
        let secs = to.started.duration_since(from.started).as_secs_f64();
        step.asterisk_cores = cores(&from.asterisks, &to.asterisks, secs);
        step.sipp_cores = cores(&from.sipp, &to.sipp, secs);
        step.operator_cores = cores(&from.asterisks[..1], &to.asterisks[..1], secs);
        let kernel: u64 =
            from.asterisks.iter().zip(&to.asterisks).map(|(a, b)| b.kernel_ns.saturating_sub(a.kernel_ns)).sum();
        step.asterisk_kernel_cores = kernel as f64 / 1e9 / secs.max(0.001);
        step.machine_busy = machine::busy_between(from.machine, to.machine);
        let mib = |u: &[Usage]| u.iter().map(|u| u.memory).sum::<u64>() as f64 / (1024.0 * 1024.0);
        step.asterisk_mib = mib(&to.asterisks);
        step.added_mib = (mib(&to.asterisks) - mib(&before.asterisks)).max(0.0);
        step.rtp = self.rtp().await?;
        Ok(step)
    }

    /// Cores the Asterisks and the UAs use with no call (qualifies,
    /// registrations, timers): what every step's figures include.
    async fn idle(&self) -> Result<(f64, f64), LoadError> {
        let from = self.window().await?;
        tokio::time::sleep(IDLE).await;
        let to = self.window().await?;
        let secs = to.started.duration_since(from.started).as_secs_f64();
        Ok((cores(&from.asterisks, &to.asterisks, secs), cores(&from.sipp, &to.sipp, secs)))
    }

    async fn window(&self) -> Result<Window, LoadError> {
        let usage = |names: Vec<String>| {
            let engine = &self.engine;
            async move { try_join_all(names.iter().map(|n| engine.usage(n))).await }
        };
        let (asked, machine) = (Instant::now(), machine::cpu_ticks());
        let (asterisks, sipp) = tokio::join!(usage(self.asterisks()), usage(self.generators()));
        // Docker reads the counters some time between the question and the
        // answer, seconds apart on a busy machine: the middle is the best guess.
        let started = asked + asked.elapsed() / 2;
        Ok(Window { started, asterisks: asterisks?, sipp: sipp?, machine })
    }

    /// Calls answered by their callee right now, over every IPBX.
    async fn answered_now(&self) -> Result<usize, LoadError> {
        let shown = self.ask_all(&self.ipbxs(), "core show channels concise").await?;
        Ok(shown.iter().map(|s| stats::answered_phone_legs(s)).sum())
    }

    async fn rtp(&self) -> Result<RtpCounts, LoadError> {
        let shown = self.ask_all(&self.asterisks(), "pjsip show channelstats").await?;
        Ok(shown.iter().map(|s| RtpCounts::parse_channelstats(s)).fold(RtpCounts::default(), |a, b| a + b))
    }

    /// One CLI command on each of `asterisks`; one that does not answer is
    /// an error, not an empty answer that would read as no call.
    async fn ask_all(&self, asterisks: &[String], cli: &str) -> Result<Vec<String>, LoadError> {
        let shown = try_join_all(asterisks.iter().map(|c| asterisk_cli::command(&self.engine, c, cli))).await?;
        asterisks
            .iter()
            .zip(shown)
            .map(|(c, s)| s.ok_or_else(|| LoadError::Silent { container: c.clone(), cli: cli.to_string() }))
            .collect()
    }

    async fn counts(&self, container: &str, file: &str) -> Result<Option<SippCounts>, LoadError> {
        let script = format!("head -n 1 {DIR}/{file}; tail -n 1 {DIR}/{file}");
        let out = self.exec(container, &["sh".into(), "-c".into(), script]).await?;
        Ok(SippCounts::parse(&out.output))
    }

    async fn answered_counts(&self) -> Result<Vec<u64>, LoadError> {
        let mut counts = Vec::new();
        for s in &self.plan.sites {
            counts.push(self.counts(&self.phones(s), sipp::ANSWER_STATS).await?.map_or(0, |c| c.successful));
        }
        Ok(counts)
    }

    /// Calls the answering UAs completed since `before`: their statistics
    /// are written once a second, so they are read until they reach what
    /// the callers counted, or stop moving.
    async fn answered_since(&self, before: &[u64], expected: u64) -> Result<u64, LoadError> {
        let mut last = 0;
        for _ in 0..6 {
            let now = self.answered_counts().await?;
            let total: u64 = now.iter().zip(before).map(|(n, b)| n.saturating_sub(*b)).sum();
            if total >= expected || (total == last && total > 0) {
                return Ok(total);
            }
            last = total;
            tokio::time::sleep(Duration::from_millis(1100)).await;
        }
        Ok(last)
    }

    /// Waits for every channel of the step to close.
    async fn quiet(&self) -> Result<(), LoadError> {
        let asterisks = self.asterisks();
        let engine = &self.engine;
        let asterisks = &asterisks;
        let done = wait::until("every call of the step closed", QUIET, LOOK, || async move {
            let shown =
                try_join_all(asterisks.iter().map(|c| asterisk_cli::command(engine, c, "core show channels count")))
                    .await?;
            let open: usize = shown.iter().filter_map(|s| stats::active_channels(s.as_deref()?)).sum();
            Ok::<_, crate::runtime::docker::EngineError>(if open == 0 {
                wait::Poll::Ready(())
            } else {
                wait::Poll::Pending(format!("{open} channels open"))
            })
        })
        .await;
        match done {
            Ok(()) => Ok(()),
            Err(wait::Error::Failed(e)) => Err(e.into()),
            Err(e @ wait::Error::TimedOut { .. }) => Err(LoadError::Leftover(e.to_string())),
        }
    }

    /// The first lines SIPp wrote about failed calls, without the SIP
    /// messages it quotes.
    async fn error_lines(&self, container: &str, file: &str) -> Vec<String> {
        let argv = ["sh".to_string(), "-c".into(), format!("head -c 20000 {DIR}/{file} 2>/dev/null")];
        let Ok(out) = self.exec(container, &argv).await else { return Vec::new() };
        out.output
            .lines()
            .filter(|l| l.contains("Aborting") || l.contains("imeout") || l.contains("nexpected") || l.contains("rror"))
            .map(|l| l.split_once(": ").map_or(l, |(_, rest)| rest).chars().take(200).collect())
            .take(3)
            .collect()
    }
}

/// Cores busy on average between two looks `secs` apart.
fn cores(from: &[Usage], to: &[Usage], secs: f64) -> f64 {
    from.iter().zip(to).map(|(a, b)| b.cpu_ns.saturating_sub(a.cpu_ns)).sum::<u64>() as f64 / 1e9 / secs.max(0.001)
}

impl Clone for Window {
    fn clone(&self) -> Window {
        Window {
            started: self.started,
            asterisks: self.asterisks.clone(),
            sipp: self.sipp.clone(),
            machine: self.machine,
        }
    }
}
