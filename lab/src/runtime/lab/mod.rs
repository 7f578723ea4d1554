//! Bringing a lab up, down, and reading its state.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use futures_util::future::try_join_all;
use tracing::{debug, info};

mod capture;
mod console;
mod faults;
mod health;
mod outside;
mod preflight;
mod prompt;
mod start;
mod status;
mod swarm;
mod versus_compose;

pub use console::TerminalView;
pub use faults::{Fault, Recovery};
pub use health::Health;
pub use outside::{hand_over, remember_bind, remember_swarm, HandOver, SoftphoneAccount};
pub use swarm::NodeReport;
pub use versus_compose::{Race, RaceError};

use preflight::{folder_hash, ports_free, registered_in};

use super::asterisk_cli;
use super::docker::{ContainerInfo, Engine, EngineError};
use super::images::{self, ImageError, RootSource};
use super::progress::Progress;
use super::swarm::LABEL_NODE;
use super::topology::{self, Kind, Planned, LABEL_LAB, LABEL_SPEC};
use crate::gen::{self, OPERATOR};
use crate::logs::Took;
use crate::model::{Deploy, Lab};
use crate::secrets::{Secrets, SecretsError};
use crate::state::StateDir;
use crate::status::LabStatus;
use crate::wait;

/// How long Asterisk may take to boot, and every account to register.
const BOOT_DEADLINE: Duration = Duration::from_secs(60);
/// How long one look at a booting Asterisk waits inside its container.
const BOOT_LOOK: Duration = Duration::from_secs(10);
const REGISTER_DEADLINE: Duration = Duration::from_secs(90);
/// A config being graded may never register some accounts: that is a finding.
const GRADING_REGISTER_DEADLINE: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(250);
/// Memory the whole lab needs: five Asterisks at about 60 MiB, the phones,
/// the mail server and Docker's port proxies, with room to spare.
const NEEDED_MIB: u64 = 1024;
/// And for each site past the SAE's four: an Asterisk and its phones, about
/// 65 MiB (`bench scale`: 1.1 GiB for sixteen sites), with room to spare.
const NEEDED_MIB_PER_MORE_SITE: u64 = 80;

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Images(#[from] ImageError),
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    #[error("cannot write the generated configs under {path}: {source}")]
    WriteConfig { path: String, source: std::io::Error },
    #[error("cannot remove the lab's state directory {path}: {source}")]
    RemoveState { path: String, source: std::io::Error },
    #[error("cannot read the config folder {path}: {source}")]
    ReadOwn { path: String, source: std::io::Error },
    #[error("no site {0:?} in this lab (sites and `operator` are the names `lab status` shows)")]
    NoSuchSite(String),
    #[error("{0} is not running: bring the lab up first (`cargo xtask lab up`)")]
    NotRunning(String),
    /// Says which phone, and what a phone's name looks like.
    #[error("{0}")]
    NoSuchPhone(String),
    #[error("cannot read or write the lab's outside-phone settings {path}: {source}")]
    Outside { path: String, source: std::io::Error },
    #[error(
        "port {port}/udp on {address} is in use, and {container} publishes it.\n\
         Stop what uses it (another lab: `cargo xtask lab down --lab <file>`), or choose other ports with \
         `[host] sip_port` / `rtp_port` in a lab file"
    )]
    PortInUse { address: String, port: u16, container: String },
    #[error(
        "{address} is not an address of this machine, so ports cannot be published on it.\n\
         Give `--bind` one of this machine's addresses (`ip -4 addr`), or 127.0.0.1"
    )]
    BindAddress { address: String },
    #[error("Asterisk in {container} did not finish booting within {secs} s; see `docker logs {container}`")]
    Boot { container: String, secs: u64 },
    #[error("not registered after {secs} s: {missing}.\nSee `cargo xtask lab status` and `docker logs` of the IPBX concerned")]
    Registration { secs: u64, missing: String },
    #[error("sox could not make a prompt of {file}: {message}")]
    Convert { file: String, message: String },
    #[error(
        "{file} is silent (RMS {rms_db:.0} dBFS): there is nothing to raise to a prompt's level; nothing was installed"
    )]
    SilentPrompt { file: String, rms_db: f64 },
    #[error("{site} has no shipped prompt {path} (its config is not the lab's): nothing was reset")]
    NoShippedPrompt { site: String, path: String },
    #[error("a command failed in {container}: {message}")]
    Shell { container: String, message: String },
    #[error(
        "this lab runs on a swarm, and this machine's Docker engine is in none.\n\
         Make one (`docker swarm init`, then `docker swarm join` on the other machines), or run the lab without --swarm"
    )]
    NoSwarm,
    #[error(
        "this machine is a worker of the lab's swarm: `lab up` and `lab down` run on a manager (the teacher's machine).\n\
         Here, the site this machine runs answers `lab cli`, `lab logs`, `lab config --pull` and `lab reload`"
    )]
    NotManager,
    #[error(transparent)]
    Placement(#[from] crate::runtime::placement::PlacementError),
}

/// What `up` did.
#[derive(Debug, Clone)]
pub struct UpReport {
    pub created: Vec<String>,
    pub kept: Vec<String>,
    pub status: LabStatus,
    /// Config files edited by hand, left as they are (`lab config --reset` regenerates).
    pub kept_edits: Vec<std::path::PathBuf>,
    /// On a swarm: what each node runs and the images it was sent.
    pub nodes: Vec<NodeReport>,
}

/// What `down` removed.
#[derive(Debug, Clone, Default)]
pub struct DownReport {
    pub containers: Vec<String>,
    pub networks: Vec<String>,
    /// Volumes deleted (only with `remove_state`).
    pub volumes: Vec<String>,
    pub state_removed: bool,
}

pub struct LabRuntime<'a> {
    engine: Engine,
    /// The lab as given, or on a swarm with each site on another node
    /// published on that node's address.
    lab: std::borrow::Cow<'a, Lab>,
    state: StateDir,
    grading: Option<Grading>,
    swarm: Option<swarm::Role>,
}

/// A site on a config folder of its own, with the credentials it declares.
struct Grading {
    own: topology::OwnConfig,
    secrets: Secrets,
    /// Accounts of that site (`trunk` for its trunk) its config cannot
    /// register, as its files already tell: not waited for.
    unawaited: Vec<String>,
}

impl<'a> LabRuntime<'a> {
    pub async fn connect(lab: &'a Lab, state: StateDir) -> Result<LabRuntime<'a>, LabError> {
        let engine = Engine::connect().await?;
        let swarm = match lab.deploy {
            Deploy::Docker => None,
            Deploy::Swarm => Some(swarm::join(&engine, lab).await?),
        };
        let lab = match &swarm {
            Some(swarm::Role::Manager(on)) => super::swarm::placed(lab, &on.placement),
            _ => std::borrow::Cow::Borrowed(lab),
        };
        Ok(LabRuntime { engine, lab, state, grading: None, swarm })
    }

    /// Runs `site`'s Asterisk on `dir` (mounted read-only on /etc/asterisk)
    /// instead of its generated config; `secrets` carry the passwords that
    /// config declares, for the lab's phones and the operator. `up` then waits
    /// for registrations only a while, and reports those missing instead of failing.
    pub fn with_own_config(mut self, site: &str, dir: &std::path::Path, secrets: Secrets) -> Result<Self, LabError> {
        if self.lab.site(site).is_none() {
            return Err(LabError::NoSuchSite(site.to_string()));
        }
        let hash = folder_hash(dir).map_err(|source| LabError::ReadOwn { path: dir.display().to_string(), source })?;
        let own = topology::OwnConfig { site: site.to_string(), dir: dir.to_path_buf(), hash };
        self.grading = Some(Grading { own, secrets, unawaited: Vec::new() });
        Ok(self)
    }

    /// With [`Self::with_own_config`]: accounts of the graded site (`trunk`
    /// for its trunk) that `up` need not wait for, its config keeping them
    /// from registering.
    pub fn not_awaiting(mut self, accounts: Vec<String>) -> Self {
        if let Some(g) = &mut self.grading {
            g.unawaited = accounts;
        }
        self
    }

    /// Every account registered but those a graded config cannot register.
    fn ready(&self, status: &LabStatus) -> bool {
        let Some(g) = &self.grading else { return status.ready() };
        let mut status = status.clone();
        for site in status.sites.iter_mut().filter(|s| s.name == g.own.site) {
            site.trunk.registered |= g.unawaited.iter().any(|a| a == "trunk");
            for phone in &mut site.phones {
                phone.registered |= g.unawaited.contains(&phone.name);
            }
        }
        status.ready()
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The lab as it runs: on a swarm, each site published on its node's address.
    pub fn lab(&self) -> &Lab {
        &self.lab
    }

    async fn start_planned(&self, planned: &Planned, action: Action) -> Result<(), EngineError> {
        match action {
            Action::Start => self.engine.start(&planned.spec.name).await,
            _ => self.engine_on(planned.node.as_deref()).run(&planned.spec).await,
        }
    }

    /// Whether the lab runs on a swarm: its containers hold copies of the
    /// configs, not this machine's folders.
    pub(super) fn on_swarm(&self) -> bool {
        self.swarm.is_some()
    }

    /// On a swarm, what the manager knows; a worker cannot bring a lab up or down.
    fn manager(&self) -> Result<Option<&swarm::OnSwarm>, LabError> {
        match &self.swarm {
            None => Ok(None),
            Some(swarm::Role::Manager(on)) => Ok(Some(on)),
            Some(swarm::Role::Worker) => Err(LabError::NotManager),
        }
    }

    /// The engine of a swarm node, or this machine's.
    fn engine_on(&self, node: Option<&str>) -> Engine {
        match node {
            Some(node) => self.engine.on_node(node),
            None => self.engine.clone(),
        }
    }

    pub fn secrets(&self) -> Result<Secrets, LabError> {
        match &self.grading {
            Some(g) => Ok(g.secrets.clone()),
            None => Ok(Secrets::load_or_create(self.state.path(), &self.lab)?),
        }
    }

    /// Builds missing images, writes the configs, starts what is missing or
    /// changed, and returns once every trunk and phone is registered.
    pub async fn up(&self, source: RootSource, progress: &dyn Progress) -> Result<UpReport, LabError> {
        let up_started = Instant::now();
        let swarm = self.manager()?;
        info!(lab = %self.lab.name, grading = self.grading.is_some(), "up: starting");
        let more_sites = self.lab.sites.len().saturating_sub(4) as u64;
        self.engine.ensure_memory(NEEDED_MIB + NEEDED_MIB_PER_MORE_SITE * more_sites).await?;
        let images = images::ensure(&self.engine, source, progress).await?;
        info!(took = %Took(up_started), "up: images ready");
        let secrets = self.secrets()?;
        let tree = gen::generate(&self.lab, &secrets);
        let config_dir = self.state.config_dir();
        let sync = self
            .state
            .sync_configs(&tree.files, &[])
            .map_err(|source| LabError::WriteConfig { path: config_dir.display().to_string(), source })?;
        debug!(dir = %config_dir.display(), written = sync.written, kept_edits = sync.kept_edits.len(), "up: configs in place");
        let own = self.grading.as_ref().map(|g| &g.own);
        let mut plan = topology::plan_with(&self.lab, &images, &tree, &config_dir, own);
        let mut nodes = Vec::new();
        if let Some(swarm) = swarm {
            super::swarm::onto(&mut plan, &swarm.placement);
            nodes = swarm.ship(&self.engine, &images, progress).await?;
        }
        debug!(
            containers = plan.containers.len(),
            networks = plan.networks.len(),
            volumes = plan.volumes.len(),
            "up: planned"
        );

        // Networks first: one made anew (removed by hand, or never made
        // because an earlier `up` was interrupted) takes its containers with it.
        let planned_nets: BTreeSet<&str> = plan.networks.iter().map(|n| n.name.as_str()).collect();
        // A grade runs a part of the lab (the graded site, a peer, the
        // operator): the rest is left as it is, for the next `up` to reuse.
        let keep_unplanned = self.grading.is_some();
        for old in self.engine.networks(LABEL_LAB, &self.lab.name).await? {
            if !planned_nets.contains(old.as_str()) && !keep_unplanned {
                self.engine.remove_network(&old).await?;
            }
        }
        // The engine makes networks and volumes side by side.
        let made = try_join_all(plan.networks.iter().map(|net| {
            let engine = self.engine_on(net.node.as_deref());
            async move { engine.ensure_network(net).await }
        }))
        .await?;
        let made_nets: BTreeSet<&str> =
            plan.networks.iter().zip(made).filter(|(_, made)| *made).map(|(n, _)| n.name.as_str()).collect();
        // A volume is on the node of the container that mounts it.
        let node_of_volume = |name: &str| {
            plan.containers.iter().find(|p| p.spec.volumes.iter().any(|(v, _)| v == name)).and_then(|p| p.node.clone())
        };
        try_join_all(plan.volumes.iter().map(|volume| {
            let engine = self.engine_on(node_of_volume(&volume.name).as_deref());
            async move { engine.ensure_volume(volume).await }
        }))
        .await?;

        let existing = self.engine.containers(LABEL_LAB, &self.lab.name).await?;
        let by_name: HashMap<&str, &ContainerInfo> = existing.iter().map(|c| (c.name.as_str(), c)).collect();
        let planned_names: BTreeSet<&str> = plan.containers.iter().map(|p| p.spec.name.as_str()).collect();
        let mut actions: Vec<(&Planned, Action)> = plan
            .containers
            .iter()
            .map(|p| (p, Action::for_container(p, by_name.get(p.spec.name.as_str()), &made_nets)))
            .collect();
        // A network holder started or made anew has a new network: the
        // container on it must join it again.
        let renewed: BTreeSet<String> =
            actions.iter().filter(|(_, a)| *a != Action::Keep).map(|(p, _)| p.spec.name.clone()).collect();
        for (p, a) in &mut actions {
            let Some(holder) = &p.spec.network_of else { continue };
            if renewed.contains(holder) || self.on_old_network(&p.spec.name, holder).await? {
                *a = Action::Create;
            }
        }
        let kept: Vec<String> =
            actions.iter().filter(|(_, a)| *a == Action::Keep).map(|(p, _)| p.spec.name.clone()).collect();
        let to_start: Vec<(&Planned, Action)> = actions.into_iter().filter(|(_, a)| *a != Action::Keep).collect();
        for (p, a) in &to_start {
            debug!("up: {} will be {}", p.spec.name, if *a == Action::Start { "started again" } else { "created" });
        }
        info!(kept = kept.len(), to_start = to_start.len(), "up: containers compared with the plan");
        // Ports the lab's own containers hold are freed by replacing them.
        let ours: Vec<u16> = existing.iter().flat_map(|c| c.published.iter().copied()).collect();
        let home = swarm.map(|s| s.home.as_str());
        ports_free(&to_start.iter().map(|(p, _)| *p).collect::<Vec<_>>(), &ours, home)?;
        let stale: Vec<ContainerInfo> = existing
            .iter()
            .filter(|c| {
                let n = c.name.as_str();
                (!planned_names.contains(n) && !keep_unplanned)
                    || to_start.iter().any(|(p, a)| p.spec.name == n && *a == Action::Create)
            })
            .cloned()
            .collect();
        if !stale.is_empty() {
            progress.step(&format!("removing {} outdated container(s)", stale.len()));
            self.engine.remove_containers(&stale).await?;
        }

        self.start_chains(&to_start, progress).await?;

        progress.step("waiting for every trunk and phone to register");
        let started = Instant::now();
        let status = match self.registered(&secrets).await {
            Ok(status) => status,
            Err(wait::Error::Failed(e)) => return Err(e),
            // The grade reports what did not register.
            Err(wait::Error::TimedOut { last, .. }) if self.grading.is_some() => last,
            Err(wait::Error::TimedOut { last, .. }) => return Err(not_registered(&last)),
        };
        info!(took = %Took(started), ready = status.ready(), "up: registrations awaited");
        // A softphone container started now on a kept IPBX: Asterisk still
        // holds the old process's contacts, so "registered" proves nothing
        // until the new baresip says each of its accounts registered.
        // The graded site's phones are whatever its config lets register:
        // the status above tells, from its IPBX made anew on that config.
        let graded_phones =
            |k: &Kind| matches!((k, &self.grading), (Kind::Phones { site }, Some(g)) if *site == g.own.site);
        let softphones = to_start
            .iter()
            .filter(|(p, _)| matches!(p.kind, Kind::Phones { .. } | Kind::OperatorPhones) && !graded_phones(&p.kind));
        for (p, _) in softphones {
            let name = &p.spec.name;
            let kind = &p.kind;
            let done = wait::until(name, REGISTER_DEADLINE, POLL, move || async move {
                self.softphones_registered(kind).await.map(wait::Poll::from)
            })
            .await;
            let done = match done {
                Ok(()) => true,
                Err(wait::Error::Failed(e)) => return Err(e.into()),
                Err(wait::Error::TimedOut { .. }) => false,
            };
            if !done && self.grading.is_none() {
                // What the softphone last said is the first clue; the test
                // labs it happens in are gone by the time anyone looks.
                let log = self.engine.logs(name).await.unwrap_or_default();
                let lines: Vec<&str> = log.lines().collect();
                let tail = lines[lines.len().saturating_sub(6)..].join("\n  ");
                let missing = format!("the softphones of {name}; its log ends with:\n  {tail}");
                return Err(LabError::Registration { secs: REGISTER_DEADLINE.as_secs(), missing });
            }
        }
        let created: Vec<String> = to_start.iter().map(|(p, _)| p.spec.name.clone()).collect();
        info!(created = created.len(), kept = kept.len(), took = %Took(up_started), "up: done");
        Ok(UpReport { created, kept, status, kept_edits: sync.kept_edits, nodes })
    }

    /// Waits until every trunk and phone is registered, as each Asterisk sees
    /// it, whoever started the containers (`lab up`, or the lab's compose file).
    pub async fn wait_registered(&self) -> Result<LabStatus, LabError> {
        match self.registered(&self.secrets()?).await {
            Ok(status) => Ok(status),
            Err(wait::Error::Failed(e)) => Err(e),
            Err(wait::Error::TimedOut { last, .. }) => Err(not_registered(&last)),
        }
    }

    async fn registered(&self, secrets: &Secrets) -> Result<LabStatus, wait::Error<LabError, LabStatus>> {
        let deadline = if self.grading.is_some() { GRADING_REGISTER_DEADLINE } else { REGISTER_DEADLINE };
        wait::until("every trunk and phone registered", deadline, POLL, move || async move {
            let status = self.status_with(secrets).await?;
            Ok(if self.ready(&status) { wait::Poll::Ready(status) } else { wait::Poll::Pending(status) })
        })
        .await
    }

    /// Whether `container` runs on a network its `holder` no longer has: the
    /// holder started again after it (restarted by hand or by Docker).
    pub(super) async fn on_old_network(&self, container: &str, holder: &str) -> Result<bool, EngineError> {
        let (Some(c), Some(h)) = (self.engine.run_state(container).await?, self.engine.run_state(holder).await?) else {
            return Ok(false);
        };
        Ok(c.running && h.started_after(&c))
    }

    /// Whether the softphone process now running in a phones container has
    /// registered every account it carries (read from its log since its previous run ended).
    async fn softphones_registered(&self, kind: &Kind) -> Result<bool, EngineError> {
        let name = topology::container_name(&self.lab, kind);
        let Some(life) = self.engine.run_state(&name).await? else { return Ok(false) };
        if !life.running {
            return Ok(false);
        }
        let log = self.engine.logs_since(&name, &life.finished_at).await?;
        Ok(self.softphone_accounts(kind).iter().all(|a| registered_in(&log, a)))
    }

    /// SIP users a softphone container registers.
    fn softphone_accounts(&self, kind: &Kind) -> Vec<String> {
        match kind {
            Kind::Phones { site } => self
                .lab
                .site(site)
                .map(|s| s.phones.iter().filter(|p| !p.softphone).map(|p| p.account.clone()).collect())
                .unwrap_or_default(),
            Kind::OperatorPhones => self.lab.operator.test_phones.iter().map(|t| t.account.clone()).collect(),
            _ => Vec::new(),
        }
    }

    /// Regenerates a site's (or the operator's) config folder, dropping hand edits.
    pub fn reset_config(&self, site: &str) -> Result<usize, LabError> {
        if site != OPERATOR && self.lab.site(site).is_none() {
            return Err(LabError::NoSuchSite(site.to_string()));
        }
        let tree = gen::generate(&self.lab, &self.secrets()?);
        let dir = self.state.config_dir();
        let sync = self
            .state
            .sync_configs(&tree.files, &[site])
            .map_err(|source| LabError::WriteConfig { path: dir.display().to_string(), source })?;
        Ok(sync.written)
    }

    async fn wait_booted(&self, container: &str) -> Result<(), LabError> {
        let started = Instant::now();
        let engine = &self.engine;
        // Each look waits inside the container, a while at most: an Asterisk
        // that restarts meanwhile is looked at again, until the deadline.
        let booted = wait::until(container, BOOT_DEADLINE, POLL, move || async move {
            asterisk_cli::await_booted(engine, container, BOOT_LOOK.as_secs()).await.map(wait::Poll::from)
        });
        match booted.await {
            Ok(()) => {
                debug!(took = %Took(started), "Asterisk in {container} booted");
                Ok(())
            }
            Err(wait::Error::Failed(e)) => Err(e.into()),
            Err(wait::Error::TimedOut { .. }) => {
                Err(LabError::Boot { container: container.into(), secs: BOOT_DEADLINE.as_secs() })
            }
        }
    }

    /// Removes every container and network labelled with this lab's name;
    /// with `remove_state`, its volumes (voicemail, recordings, astdb, mail),
    /// configs and secrets too. Safe to rerun.
    pub async fn down(&self, remove_state: bool, progress: &dyn Progress) -> Result<DownReport, LabError> {
        self.manager()?;
        let started = Instant::now();
        info!(lab = %self.lab.name, remove_state, "down: starting");
        let containers = self.engine.containers(LABEL_LAB, &self.lab.name).await?;
        let mut report = DownReport::default();
        if !containers.is_empty() {
            progress.step(&format!("removing {} container(s)", containers.len()));
            self.engine.remove_containers(&containers).await?;
            report.containers = containers.into_iter().map(|c| c.name).collect();
        }
        let networks = self.engine.networks(LABEL_LAB, &self.lab.name).await?;
        if !networks.is_empty() {
            progress.step(&format!("removing {} network(s)", networks.len()));
            for n in &networks {
                self.engine.remove_network(n).await?;
            }
            report.networks = networks;
        }
        if remove_state {
            report.volumes = self.remove_volumes(progress).await?;
        }
        if remove_state && self.state.path().exists() {
            std::fs::remove_dir_all(self.state.path())
                .map_err(|source| LabError::RemoveState { path: self.state.path().display().to_string(), source })?;
            report.state_removed = true;
            info!(path = %self.state.path().display(), "down: state directory removed");
        }
        info!(
            containers = report.containers.len(),
            networks = report.networks.len(),
            volumes = report.volumes.len(),
            took = %Took(started),
            "down: done"
        );
        Ok(report)
    }
}

/// What is missing when registrations time out, eight names at most.
fn not_registered(last: &LabStatus) -> LabError {
    let missing = last.missing();
    let shown = missing.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
    let more = missing.len().saturating_sub(8);
    let missing = if more > 0 { format!("{shown} and {more} more") } else { shown };
    LabError::Registration { secs: REGISTER_DEADLINE.as_secs(), missing }
}

/// What `up` does with a planned container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Running as planned.
    Keep,
    /// As planned but stopped (by hand, or `up` was interrupted): started
    /// again, keeping what it holds.
    Start,
    /// Missing or different from the plan: (re)made.
    Create,
}

impl Action {
    fn for_container(planned: &Planned, current: Option<&&ContainerInfo>, made_nets: &BTreeSet<&str>) -> Action {
        let Some(current) = current else { return Action::Create };
        let same = current.labels.get(LABEL_SPEC) == planned.spec.labels.get(LABEL_SPEC)
            && current.labels.get(LABEL_NODE) == planned.spec.labels.get(LABEL_NODE);
        let wired = planned
            .spec
            .networks
            .iter()
            .all(|(net, _)| current.networks.contains(net) && !made_nets.contains(net.as_str()));
        match (same && wired, current.running) {
            (false, _) => Action::Create,
            (true, true) => Action::Keep,
            (true, false) => Action::Start,
        }
    }
}

impl LabRuntime<'_> {
    /// Deletes the lab's volumes (its containers must be gone): voicemail,
    /// recordings, astdb and mail start empty at the next `up`.
    pub async fn remove_volumes(&self, progress: &dyn Progress) -> Result<Vec<String>, LabError> {
        let volumes = self.engine.volumes(LABEL_LAB, &self.lab.name).await?;
        if !volumes.is_empty() {
            progress.step(&format!("removing {} volume(s)", volumes.len()));
            try_join_all(volumes.iter().map(|v| self.engine.remove_volume(v))).await?;
        }
        Ok(volumes)
    }
}
