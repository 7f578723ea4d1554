//! Runs checks against a live lab: phones driven through their control
//! sockets, outcomes read from what the phones report and record.
//!
//! Checks run concurrently, except that two checks never use the same phone
//! at once: each takes a lock on every phone it acts as. After each check its
//! phones' calls are hung up and their channels verified gone; a check that
//! fails while the lab itself broke is a lab error (see [`super::breakage`]).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use tokio::sync::{broadcast, Mutex, Semaphore};

use super::breakage::{self, Breakage, Change, Snapshot};
use super::check::{Check, Scenario};
use super::ctx::{Ctx, Shared};
use super::names::PhoneId;
use super::options::RunOptions;
use super::phones::{Hub, PhoneError};
use super::prompts;
use super::result::{broken, CheckResult};
use super::steps::Step;
use crate::gen::OPERATOR;
use crate::model::{ports, Lab};
use crate::runtime::docker::{Engine, EngineError};
use crate::runtime::topology::{asterisk_container, container_name, Kind};
use crate::secrets::Secrets;

/// Where each Asterisk container captures SIP during a run.
pub(super) const CAPTURE: &str = "/tmp/scenario-sip.pcap";

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Phone(#[from] PhoneError),
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
}

#[derive(Debug, Clone)]
pub struct RunReport {
    pub results: Vec<CheckResult>,
    pub seconds: f64,
    pub started: SystemTime,
    /// SIP captures of the run, one per Asterisk (the report draws them).
    pub captures: Vec<PathBuf>,
    /// Lab containers that restarted or stopped during the run.
    pub lab_changes: Vec<Change>,
}

impl RunReport {
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed()).count()
    }

    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| r.failed()).count()
    }

    pub fn lab_errors(&self) -> usize {
        self.results.iter().filter(|r| r.is_lab_error()).count()
    }

    /// Container restarts during the run, all containers together.
    pub fn restarts(&self) -> u64 {
        self.lab_changes.iter().map(Change::restarts).sum()
    }
}

/// Runs every check of `scenarios`; `on_result` sees each result as it comes.
pub async fn run(
    engine: &Engine,
    lab: &Lab,
    secrets: &Secrets,
    scenarios: &[Scenario],
    options: &RunOptions,
    on_result: &(dyn Fn(&CheckResult) + Sync),
) -> Result<RunReport, RunError> {
    let started = Instant::now();
    let started_at = SystemTime::now();
    let everything = breakage::every_container(lab);
    let lab_before = Snapshot::take(engine, &everything).await?;
    let (events, _) = broadcast::channel(16_384);
    let mut hubs = HashMap::new();
    for site in &lab.sites {
        let container = container_name(lab, &Kind::Phones { site: site.name.clone() });
        hubs.insert(site.name.clone(), Hub::connect(engine, &site.name, &container, events.clone()).await?);
    }
    let container = container_name(lab, &Kind::OperatorPhones);
    hubs.insert(OPERATOR.to_string(), Hub::connect(engine, OPERATOR, &container, events.clone()).await?);

    let asterisks = asterisk_containers(lab);
    let sip = ports::SIP.to_string();
    for c in &asterisks {
        // A capture per Asterisk for the whole run, kept for the report. Only
        // the runner's own: a student's `lab capture` may be running too.
        engine.exec(c, &["pkill", "-f", CAPTURE]).await?;
        engine
            .exec_detached(
                c,
                &["tcpdump", "-i", "any", "--immediate-mode", "-U", "-s", "0", "-w", CAPTURE, "udp", "port", &sip],
            )
            .await?;
    }

    let mut locks = BTreeMap::new();
    for check in scenarios.iter().flat_map(|s| &s.checks) {
        for r in check.resources() {
            locks.entry(r).or_insert_with(|| Arc::new(Mutex::new(())));
        }
    }
    let shared =
        Shared { engine, lab, secrets, hubs, events, locks, options, slots: Semaphore::new(options.jobs.max(1)) };
    let checks = scenarios.iter().flat_map(|s| s.checks.iter().map(move |c| (s, c)));
    let results: Vec<CheckResult> = futures_util::future::join_all(checks.map(|(scenario, check)| {
        let shared = &shared;
        async move {
            let result = run_check(shared, scenario, check).await;
            on_result(&result);
            result
        }
    }))
    .await;

    let mut captures = Vec::new();
    let dir = options.out_dir.join("pcap");
    std::fs::create_dir_all(&dir).map_err(|source| RunError::Write { path: dir.display().to_string(), source })?;
    for c in &asterisks {
        let bytes = engine.exec_bytes(c, &["cat", CAPTURE]).await?;
        let path = dir.join(format!("{c}.pcap"));
        std::fs::write(&path, bytes).map_err(|source| RunError::Write { path: path.display().to_string(), source })?;
        captures.push(path);
    }
    for c in &asterisks {
        engine.exec(c, &["pkill", "-f", CAPTURE]).await?;
    }
    let lab_changes = Snapshot::take(engine, &everything).await?.changes_since(&lab_before);
    Ok(RunReport { results, seconds: started.elapsed().as_secs_f64(), started: started_at, captures, lab_changes })
}

fn asterisk_containers(lab: &Lab) -> Vec<String> {
    std::iter::once(OPERATOR)
        .chain(lab.sites.iter().map(|s| s.name.as_str()))
        .filter_map(|s| asterisk_container(lab, s))
        .collect()
}

async fn run_check(shared: &Shared<'_>, scenario: &Scenario, check: &Check) -> CheckResult {
    // Locks in a fixed (sorted) order, so two checks cannot deadlock.
    let mut guards = Vec::new();
    for r in check.resources() {
        guards.push(shared.locks[&r].clone().lock_owned().await);
    }
    let _slot = shared.slots.acquire().await.expect("the semaphore is never closed");
    let started = Instant::now();
    let started_at = SystemTime::now();
    tracing::debug!(place = %check.place, "check starts: {}", check.says);
    let phones: Vec<PhoneId> = check.phones().into_iter().collect();
    let mut lab = Breakage::default();
    let hubs = lab.connect(shared, &phones).await;
    let watched = breakage::watched_containers(shared.lab, check);
    let before = lab.snapshot(shared.engine, &watched).await;
    let line_state_steps = check.steps.iter().filter(|s| matches!(s.step, Step::LineState(_))).count();
    let mut ctx = Ctx::new(shared, line_state_steps);
    let mut failure = None;
    let mut saved = Vec::new();
    if lab.is_broken() {
        failure = Some(broken("the lab is ready for the check", lab.reasons().join("; ")));
    } else {
        saved = prompts::save(shared, &check.resources(), &mut lab.docker).await;
        for step in &check.steps {
            if let Err(mut f) = step.step.run(&mut ctx).await {
                f.step = step.says.clone();
                f.look.extend(ctx.where_to_look());
                failure = Some(f);
                break;
            }
        }
    }
    let notes = std::mem::take(&mut ctx.notes);
    let release = ctx.release(&phones).await;
    lab.docker.extend(release.trouble);
    prompts::restore(shared, saved, &mut lab.docker).await;
    if let (Some(before), Some(after)) = (before, lab.snapshot(shared.engine, &watched).await) {
        lab.changes.extend(after.changes_since(&before).iter().map(|c| c.during("the check")));
    }
    lab.lost_connections(shared, &hubs);
    drop(guards);
    let (failure, lab_error) = breakage::verdict(failure, &release.left_open, &lab);
    tracing::debug!(passed = failure.is_none() && lab_error.is_none(), took = %crate::logs::Took(started), "check ends: {}", check.says);
    CheckResult {
        scenario: scenario.name.clone(),
        says: check.says.clone(),
        says_fr: check.says_fr.clone(),
        place: check.place.clone(),
        seconds: started.elapsed().as_secs_f64(),
        failure,
        lab_error,
        left_open: release.left_open,
        notes,
        started: started_at,
        ended: SystemTime::now(),
        phones,
    }
}
