//! Runs checks against a live lab: phones driven through their control
//! sockets, outcomes read from what the phones report and record.
//!
//! Checks run concurrently, except that two checks never use the same phone
//! at once: each takes a lock on every phone it acts as.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, Mutex, Semaphore};

use super::audio;
use super::blf;
use super::hints;
use super::phones::{sip_user, Event, Hub, PhoneError};
use super::{BlfState, Check, PhoneId, Scenario, Step};
use crate::gen::phones::{recording_path, tone_hz};
use crate::gen::OPERATOR;
use crate::model::Lab;
use crate::runtime::docker::{Engine, EngineError};
use crate::runtime::topology::{container_name, Kind};
use crate::secrets::Secrets;

const RING_TIMEOUT: Duration = Duration::from_secs(10);
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);
const FAIL_TIMEOUT: Duration = Duration::from_secs(15);
const HANGUP_TIMEOUT: Duration = Duration::from_secs(5);
/// Audio recorded before the tones are analysed (8 kHz, 16-bit: 16 000 B/s).
const AUDIO_SECONDS: f64 = 1.5;
const AUDIO_TIMEOUT: Duration = Duration::from_secs(8);
const CAPTURE: &str = "/tmp/scenario-sip.pcap";

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Phone(#[from] PhoneError),
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
}

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Checks in flight at once (1 = one after the other).
    pub jobs: usize,
    /// Reports and captures go here (`target/scenarios`).
    pub out_dir: PathBuf,
    /// The lab's generated configs, as the containers mount them.
    pub config_dir: PathBuf,
}

/// What went wrong, in a student's terms.
#[derive(Debug, Clone)]
pub struct Failure {
    pub step: String,
    pub expected: String,
    pub observed: String,
    /// Config lines and captures to look at.
    pub look: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct CheckResult {
    pub scenario: String,
    pub says: String,
    pub place: String,
    pub seconds: f64,
    pub failure: Option<Failure>,
}

impl CheckResult {
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct RunReport {
    pub results: Vec<CheckResult>,
    pub seconds: f64,
    /// SIP captures kept because a check failed.
    pub captures: Vec<PathBuf>,
}

/// Everything checks share: the control connections and the phone locks.
struct Shared<'a> {
    engine: &'a Engine,
    lab: &'a Lab,
    secrets: &'a Secrets,
    hubs: HashMap<String, Hub>,
    events: broadcast::Sender<Event>,
    locks: BTreeMap<PhoneId, Arc<Mutex<()>>>,
    options: &'a RunOptions,
    /// Checks actually running at once; taken after the phone locks, so a
    /// check waiting for a phone never holds a slot.
    slots: Semaphore,
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
    let (events, _) = broadcast::channel(16_384);
    let mut hubs = HashMap::new();
    for site in &lab.sites {
        let container = container_name(
            lab,
            &Kind::Phones {
                site: site.name.clone(),
            },
        );
        hubs.insert(
            site.name.clone(),
            Hub::connect(engine, &site.name, &container, events.clone()).await?,
        );
    }
    let container = container_name(lab, &Kind::OperatorPhones);
    hubs.insert(
        OPERATOR.to_string(),
        Hub::connect(engine, OPERATOR, &container, events.clone()).await?,
    );

    let asterisks = asterisk_containers(lab);
    for c in &asterisks {
        // A capture per Asterisk for the whole run, kept if a check fails.
        engine.exec(c, &["pkill", "-x", "tcpdump"]).await?;
        engine
            .exec_detached(
                c,
                &[
                    "tcpdump", "-i", "any", "-U", "-s", "0", "-w", CAPTURE, "udp", "port", "5060",
                ],
            )
            .await?;
    }

    let mut locks = BTreeMap::new();
    for check in scenarios.iter().flat_map(|s| &s.checks) {
        for p in check.phones() {
            locks.entry(p).or_insert_with(|| Arc::new(Mutex::new(())));
        }
    }
    let shared = Shared {
        engine,
        lab,
        secrets,
        hubs,
        events,
        locks,
        options,
        slots: Semaphore::new(options.jobs.max(1)),
    };
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
    if results.iter().any(|r| !r.passed()) {
        let dir = options.out_dir.join("pcap");
        std::fs::create_dir_all(&dir).map_err(|source| RunError::Write {
            path: dir.display().to_string(),
            source,
        })?;
        for c in &asterisks {
            let bytes = engine.exec_bytes(c, &["cat", CAPTURE]).await?;
            let path = dir.join(format!("{c}.pcap"));
            std::fs::write(&path, bytes).map_err(|source| RunError::Write {
                path: path.display().to_string(),
                source,
            })?;
            captures.push(path);
        }
    }
    for c in &asterisks {
        engine.exec(c, &["pkill", "-x", "tcpdump"]).await?;
    }
    Ok(RunReport {
        results,
        seconds: started.elapsed().as_secs_f64(),
        captures,
    })
}

fn asterisk_containers(lab: &Lab) -> Vec<String> {
    let mut v = vec![container_name(lab, &Kind::Operator)];
    v.extend(
        lab.sites
            .iter()
            .map(|s| container_name(lab, &Kind::Ipbx { site: s.name.clone() })),
    );
    v
}

async fn run_check(shared: &Shared<'_>, scenario: &Scenario, check: &Check) -> CheckResult {
    // Locks in a fixed (sorted) order, so two checks cannot deadlock.
    let mut guards = Vec::new();
    for p in check.phones() {
        guards.push(shared.locks[&p].clone().lock_owned().await);
    }
    let _slot = shared.slots.acquire().await.expect("the semaphore is never closed");
    let started = Instant::now();
    let mut ctx = Ctx::new(shared);
    let mut failure = None;
    let blf_steps = check
        .steps
        .iter()
        .filter(|s| matches!(s.step, Step::Blf { .. }))
        .count();
    for step in &check.steps {
        if let Err(mut f) = ctx.step(&step.step, blf_steps).await {
            f.step = step.says.clone();
            f.look.extend(ctx.where_to_look(check));
            failure = Some(f);
            break;
        }
    }
    ctx.release().await;
    drop(guards);
    CheckResult {
        scenario: scenario.name.clone(),
        says: check.says.clone(),
        place: check.place.clone(),
        seconds: started.elapsed().as_secs_f64(),
        failure,
    }
}

fn fail(expected: impl Into<String>, observed: impl Into<String>) -> Failure {
    Failure {
        step: String::new(),
        expected: expected.into(),
        observed: observed.into(),
        look: Vec::new(),
    }
}

/// One check's view: its events, its calls, its phones.
struct Ctx<'s, 'a> {
    shared: &'s Shared<'a>,
    rx: broadcast::Receiver<Event>,
    /// Every event since the check began, in order.
    log: Vec<Event>,
    /// Events not yet matched by a step.
    unused: Vec<Event>,
    /// Open call of each phone (baresip call id).
    calls: HashMap<PhoneId, String>,
    /// The other party of each phone in a call.
    peers: HashMap<PhoneId, PhoneId>,
    last_caller: Option<PhoneId>,
    dialled: Vec<(PhoneId, String)>,
    watcher: Option<Watcher>,
}

/// A running BLF subscription and how far its NOTIFYs were read.
struct Watcher {
    phone: PhoneId,
    log: String,
    read: usize,
    last: Option<BlfState>,
}

impl<'s, 'a> Ctx<'s, 'a> {
    fn new(shared: &'s Shared<'a>) -> Self {
        Ctx {
            shared,
            rx: shared.events.subscribe(),
            log: Vec::new(),
            unused: Vec::new(),
            calls: HashMap::new(),
            peers: HashMap::new(),
            last_caller: None,
            dialled: Vec::new(),
            watcher: None,
        }
    }

    fn is(e: &Event, phone: &PhoneId, kind: &str) -> bool {
        e.site == phone.site && e.account == phone.account && e.kind == kind
    }

    /// Waits for an event matching `pred`, consuming it; `None` on timeout.
    async fn wait(&mut self, timeout: Duration, pred: impl Fn(&Event) -> bool) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(i) = self.unused.iter().position(&pred) {
                return Some(self.unused.remove(i));
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Ok(e)) => {
                    self.log.push(e.clone());
                    self.unused.push(e);
                }
                Ok(Err(broadcast::error::RecvError::Lagged(_))) => continue,
                Ok(Err(broadcast::error::RecvError::Closed)) | Err(_) => return None,
            }
        }
    }

    fn hub(&self, phone: &PhoneId) -> &Hub {
        &self.shared.hubs[&phone.site]
    }

    /// Position of the phone's account in its container's accounts file.
    fn account_index(&self, phone: &PhoneId) -> usize {
        let lab = self.shared.lab;
        match lab.site(&phone.site) {
            Some(site) => site.phones.iter().position(|p| p.account == phone.account).unwrap_or(0),
            None => lab
                .operator
                .test_phones
                .iter()
                .position(|t| t.account == phone.account)
                .unwrap_or(0),
        }
    }

    fn registrar(&self, phone: &PhoneId) -> String {
        let lab = self.shared.lab;
        match lab.site(&phone.site) {
            Some(site) => lab.network.ipbx_lan(site.index).to_string(),
            None => lab.network.operator().to_string(),
        }
    }

    fn tone(&self, phone: &PhoneId) -> u32 {
        tone_hz(self.shared.lab, &phone.account, self.shared.lab.site(&phone.site)).unwrap_or(0)
    }

    /// What the callee's phone shows as caller for `caller`'s calls.
    fn caller_numbers(&self, caller: &PhoneId) -> Vec<String> {
        let lab = self.shared.lab;
        match lab.site(&caller.site) {
            Some(site) => site
                .phones
                .iter()
                .filter(|p| p.account == caller.account)
                .flat_map(|p| [p.extension.clone(), site.public_number(&lab.numbering, &p.extension)])
                .collect(),
            None => lab
                .operator
                .test_phones
                .iter()
                .filter(|t| t.account == caller.account)
                .map(|t| t.number.clone())
                .collect(),
        }
    }

    fn phone_container(&self, phone: &PhoneId) -> String {
        let lab = self.shared.lab;
        match lab.site(&phone.site) {
            Some(_) => container_name(
                lab,
                &Kind::Phones {
                    site: phone.site.clone(),
                },
            ),
            None => container_name(lab, &Kind::OperatorPhones),
        }
    }

    async fn command(&self, phone: &PhoneId, command: &str, params: &str) -> Result<String, Failure> {
        match self.hub(phone).command(command, params).await {
            Ok(r) if r.ok => Ok(r.data),
            Ok(r) => Err(fail(
                format!("{phone} accepts `{command}`"),
                format!("the softphone refused: {}", r.data.trim()),
            )),
            Err(e) => Err(fail(format!("{phone} accepts `{command}`"), e.to_string())),
        }
    }

    async fn step(&mut self, step: &Step, check_blf_steps: usize) -> Result<(), Failure> {
        match step {
            Step::Dial { from, number } => {
                let uri = format!("sip:{number}@{}", self.registrar(from));
                let data = self
                    .command(from, "dial", &format!("{uri} {}", self.account_index(from)))
                    .await?;
                let id = data.trim().trim_start_matches("call id:").trim().to_string();
                self.calls.insert(from.clone(), id);
                self.last_caller = Some(from.clone());
                self.dialled.push((from.clone(), number.clone()));
                Ok(())
            }
            Step::Rings { phone } => {
                let caller = self.last_caller.clone();
                let event = self
                    .wait(RING_TIMEOUT, |e| {
                        Self::is(e, phone, "CALL_INCOMING")
                            || caller.as_ref().is_some_and(|c| Self::is(e, c, "CALL_CLOSED"))
                    })
                    .await;
                match event {
                    Some(e) if e.kind == "CALL_INCOMING" => {
                        self.calls.insert(phone.clone(), e.call_id.unwrap_or_default());
                        if let Some(c) = caller {
                            self.peers.insert(phone.clone(), c.clone());
                            self.peers.insert(c, phone.clone());
                        }
                        Ok(())
                    }
                    Some(e) => {
                        self.calls
                            .remove(&self.last_caller.clone().unwrap_or_else(|| phone.clone()));
                        Err(fail(
                            format!("{phone} rings"),
                            format!("the call ended before it rang: {}", e.param),
                        ))
                    }
                    None => Err(fail(
                        format!("{phone} rings"),
                        format!("it did not ring within {} s", RING_TIMEOUT.as_secs()),
                    )),
                }
            }
            Step::Answer { phone } => {
                let id = self.calls.get(phone).cloned().unwrap_or_default();
                self.command(phone, "accept", &id).await?;
                let peer = self.peers.get(phone).cloned();
                for who in std::iter::once(phone.clone()).chain(peer) {
                    let got = self
                        .wait(ANSWER_TIMEOUT, |e| Self::is(e, &who, "CALL_ESTABLISHED"))
                        .await;
                    if got.is_none() {
                        return Err(fail(
                            format!("{who} is in the call once {phone} answers"),
                            format!("no established call within {} s", ANSWER_TIMEOUT.as_secs()),
                        ));
                    }
                }
                Ok(())
            }
            Step::Fails { phone, status } => {
                let event = self
                    .wait(FAIL_TIMEOUT, |e| {
                        Self::is(e, phone, "CALL_CLOSED") || Self::is(e, phone, "CALL_ESTABLISHED")
                    })
                    .await;
                match event {
                    Some(e) if e.kind == "CALL_CLOSED" => {
                        self.calls.remove(phone);
                        let got: Option<u16> = e.param.split_whitespace().next().and_then(|s| s.parse().ok());
                        if got == Some(*status) {
                            Ok(())
                        } else {
                            let reason = if e.param.is_empty() {
                                "no SIP status (hung up)".into()
                            } else {
                                e.param.clone()
                            };
                            Err(fail(
                                format!("the call ends with SIP {status}"),
                                format!("it ended with {reason}"),
                            ))
                        }
                    }
                    Some(_) => Err(fail(format!("the call ends with SIP {status}"), "it was answered")),
                    None => Err(fail(
                        format!("the call ends with SIP {status}"),
                        format!("it was still going after {} s", FAIL_TIMEOUT.as_secs()),
                    )),
                }
            }
            Step::NobodyRings { caller, sites } => {
                // Drain what has arrived so far, then look at the whole log.
                while let Ok(e) = self.rx.try_recv() {
                    self.log.push(e.clone());
                    self.unused.push(e);
                }
                let numbers = self.caller_numbers(caller);
                let rang: Vec<String> = self
                    .log
                    .iter()
                    .filter(|e| e.kind == "CALL_INCOMING" && sites.contains(&e.site))
                    .filter(|e| numbers.contains(&sip_user(&e.peer)))
                    .map(|e| format!("{}/{}", e.site, e.account))
                    .collect();
                if rang.is_empty() {
                    Ok(())
                } else {
                    Err(fail("no phone rings", format!("{} rang", rang.join(", "))))
                }
            }
            Step::Audio { a, b } => self.audio(a, b).await,
            Step::Hangup { phone } => {
                let id = self.calls.get(phone).cloned().unwrap_or_default();
                self.command(phone, "hangup", &id).await?;
                let peer = self.peers.get(phone).cloned();
                for who in std::iter::once(phone.clone()).chain(peer) {
                    if self
                        .wait(HANGUP_TIMEOUT, |e| Self::is(e, &who, "CALL_CLOSED"))
                        .await
                        .is_none()
                    {
                        return Err(fail(
                            format!("{who}'s call ends"),
                            format!("still in the call after {} s", HANGUP_TIMEOUT.as_secs()),
                        ));
                    }
                    self.calls.remove(&who);
                    self.peers.remove(&who);
                }
                Ok(())
            }
            Step::Watch { phone, extension } => self.watch(phone, extension, check_blf_steps).await,
            Step::Blf { state } => self.blf(*state).await,
        }
    }

    /// Starts SIPp in the watcher's phone container, subscribed with its
    /// credentials to `extension`'s line state; it unsubscribes by itself
    /// after `notifies` NOTIFYs (or 60 s).
    async fn watch(&mut self, phone: &PhoneId, extension: &str, notifies: usize) -> Result<(), Failure> {
        let lab = self.shared.lab;
        let engine = self.shared.engine;
        let container = self.phone_container(phone);
        let (address, password) = match lab.site(&phone.site) {
            Some(site) => {
                let p = site
                    .phones
                    .iter()
                    .find(|p| p.account == phone.account)
                    .expect("checked phone");
                (
                    lab.network.site_phones(site.index),
                    self.shared.secrets.phone_password(site, p).to_string(),
                )
            }
            None => {
                let t = lab
                    .operator
                    .test_phones
                    .iter()
                    .find(|t| t.account == phone.account)
                    .expect("checked phone");
                (
                    lab.network.operator_phones(),
                    self.shared.secrets.test_phone_password(lab, t).to_string(),
                )
            }
        };
        let expected = format!("watch {extension} as {phone}");
        let broken = |e: EngineError| fail(expected.clone(), e.to_string());
        let copy = format!("printf '%s' \"$0\" > {}", blf::SCENARIO_PATH);
        engine
            .exec(&container, &["sh", "-c", &copy, blf::SCENARIO])
            .await
            .map_err(broken)?;
        let log = format!("/tmp/blf-{}.log", phone.account);
        engine.exec(&container, &["rm", "-f", &log]).await.map_err(broken)?;
        // One SIP port per watcher account, beside baresip's 5060.
        let port = (5100 + self.account_index(phone)).to_string();
        let (ip, registrar) = (address.to_string(), format!("{}:5060", self.registrar(phone)));
        let notifies = notifies.max(1).to_string();
        let args = [
            "sipp",
            "-sf",
            blf::SCENARIO_PATH,
            "-key",
            "ext",
            extension,
            "-s",
            &phone.account,
            "-ap",
            &password,
            "-set",
            "duration",
            "60",
            "-set",
            "notifies",
            &notifies,
            "-i",
            &ip,
            "-p",
            &port,
            "-m",
            "1",
            "-timeout",
            "90s",
            "-nostdin",
            "-default_behaviors",
            "all,-bye",
            "-trace_logs",
            "-log_file",
            &log,
            &registrar,
        ];
        engine.exec_detached(&container, &args).await.map_err(broken)?;
        self.watcher = Some(Watcher {
            phone: phone.clone(),
            log,
            read: 0,
            last: None,
        });
        Ok(())
    }

    /// Waits for the watcher's next line-state change to be `state`.
    async fn blf(&mut self, state: BlfState) -> Result<(), Failure> {
        let expected = format!("the watcher sees the line {state}");
        let Some(w) = self.watcher.as_mut() else {
            return Err(fail(expected, "no `watch` step started a subscription before"));
        };
        let container = match self.shared.lab.site(&w.phone.site) {
            Some(_) => container_name(
                self.shared.lab,
                &Kind::Phones {
                    site: w.phone.site.clone(),
                },
            ),
            None => container_name(self.shared.lab, &Kind::OperatorPhones),
        };
        let deadline = Instant::now() + RING_TIMEOUT;
        loop {
            let text = self
                .shared
                .engine
                .exec_bytes(&container, &["cat", &w.log])
                .await
                .unwrap_or_default();
            let notifies = blf::parse_log(&String::from_utf8_lossy(&text));
            for n in notifies.iter().skip(w.read).filter(|n| !n.final_notify) {
                w.read += 1;
                if w.last == Some(n.state) {
                    continue; // a repeated state is no change
                }
                w.last = Some(n.state);
                return if n.state == state {
                    Ok(())
                } else {
                    Err(fail(
                        expected,
                        format!("it saw the line {} (NOTIFY {})", n.state, n.seq),
                    ))
                };
            }
            if Instant::now() > deadline {
                let seen = if notifies.is_empty() {
                    "no NOTIFY at all (subscription refused?)"
                } else {
                    "no new NOTIFY"
                };
                return Err(fail(expected, format!("{seen} within {} s", RING_TIMEOUT.as_secs())));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits until both phones recorded enough audio, then checks each hears the other's tone.
    async fn audio(&mut self, a: &PhoneId, b: &PhoneId) -> Result<(), Failure> {
        let engine = self.shared.engine;
        let wanted = 44 + (AUDIO_SECONDS * 16_000.0) as u64;
        let deadline = Instant::now() + AUDIO_TIMEOUT;
        let mut recordings = Vec::new();
        for phone in [a, b] {
            let container = self.phone_container(phone);
            let path = recording_path(&phone.account);
            loop {
                let size = engine
                    .exec(&container, &["stat", "-c", "%s", &path])
                    .await
                    .ok()
                    .and_then(|o| o.output.trim().parse::<u64>().ok())
                    .unwrap_or(0);
                if size >= wanted {
                    break;
                }
                if Instant::now() > deadline {
                    return Err(fail(
                        format!("{phone} receives audio"),
                        format!(
                            "{size} bytes recorded in {} s: no audio is reaching it",
                            AUDIO_TIMEOUT.as_secs()
                        ),
                    ));
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            let bytes = engine
                .exec_bytes(&container, &["cat", &path])
                .await
                .map_err(|e| fail(format!("{phone}'s recording can be read"), e.to_string()))?;
            recordings.push(bytes);
        }
        for (listener, speaker, bytes) in [(a, b, &recordings[0]), (b, a, &recordings[1])] {
            let wav = audio::parse_wav(bytes)
                .map_err(|e| fail(format!("{listener}'s recording is a WAV file"), e.to_string()))?;
            let (ok, heard) = audio::hears(&wav, self.tone(speaker), &[self.tone(listener)]);
            if !ok {
                return Err(fail(
                    format!("{listener} hears {speaker}'s {} Hz tone", self.tone(speaker)),
                    heard.to_string(),
                ));
            }
        }
        Ok(())
    }

    /// Config lines and captures that tell why the check failed.
    fn where_to_look(&self, _check: &Check) -> Vec<String> {
        let config_dir = &self.shared.options.config_dir;
        let mut look = Vec::new();
        for (from, number) in &self.dialled {
            // Phones dial from `internal`, test phones from the operator's `routing`.
            let start = if from.site == OPERATOR { "routing" } else { "internal" };
            let hints = hints::dialplan(config_dir, &from.site, start, number);
            if hints.is_empty() {
                look.push(format!("no dialplan line of {} handles {number}", from.site));
            }
            look.extend(hints.iter().map(|h| h.to_string()));
        }
        look.push(format!(
            "SIP capture of the run: {}/pcap/ (Wireshark or sngrep)",
            self.shared.options.out_dir.display()
        ));
        look
    }

    /// Hangs up whatever call the check left open, so the next check starts clean.
    async fn release(&mut self) {
        if let Some(w) = self.watcher.take() {
            let container = self.phone_container(&w.phone);
            let _ = self.shared.engine.exec(&container, &["pkill", "-f", &w.log]).await;
        }
        for (phone, id) in std::mem::take(&mut self.calls) {
            let _ = self.hub(&phone).command("hangup", &id).await;
            let _ = self.wait(HANGUP_TIMEOUT, |e| Self::is(e, &phone, "CALL_CLOSED")).await;
        }
    }
}
