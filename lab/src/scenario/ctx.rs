//! One check's view of the lab while it runs: its events, its calls, what
//! its steps did so far; and what every check of a run shares.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, Mutex, Semaphore};

use super::blf::BlfState;
use super::hints;
use super::names::{PhoneId, Resource};
use super::options::RunOptions;
use super::phones::{open_calls, Event, EventKind, Hub};
use super::result::{broken, fail, Failure, Note};
use crate::gen::features;
use crate::gen::phones::tone_hz;
use crate::model::Lab;
use crate::runtime::asterisk_cli;
use crate::runtime::docker::Engine;
use crate::runtime::topology::{asterisk_container, container_name, Kind};
use crate::secrets::Secrets;
use crate::wait;

pub(super) const RING_TIMEOUT: Duration = Duration::from_secs(10);
pub(super) const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);
pub(super) const HANGUP_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a hung-up call's channels may take to go from the IPBX.
const CLOSING_TIMEOUT: Duration = Duration::from_secs(3);

/// Everything checks share: the control connections and the locks on what
/// checks act on.
pub(super) struct Shared<'a> {
    pub(super) engine: &'a Engine,
    pub(super) lab: &'a Lab,
    pub(super) secrets: &'a Secrets,
    pub(super) hubs: HashMap<String, Hub>,
    pub(super) events: broadcast::Sender<Event>,
    pub(super) locks: BTreeMap<Resource, Arc<Mutex<()>>>,
    pub(super) options: &'a RunOptions,
    /// Checks actually running at once; taken after the locks, so a check
    /// waiting for a phone never holds a slot.
    pub(super) slots: Semaphore,
}

/// One check's view: its events, its calls, its phones.
pub(super) struct Ctx<'s, 'a> {
    pub(super) shared: &'s Shared<'a>,
    rx: broadcast::Receiver<Event>,
    /// Every event since the check began, in order.
    pub(super) log: Vec<Event>,
    /// Events not yet matched by a step.
    unused: Vec<Event>,
    /// Open call of each phone (baresip call id).
    pub(super) calls: HashMap<PhoneId, String>,
    /// The other party of each phone in a call.
    pub(super) peers: HashMap<PhoneId, PhoneId>,
    /// Phones whose current call is established.
    pub(super) established: HashSet<PhoneId>,
    /// The phone that dialled last: who a `rings` step expects as caller.
    pub(super) last_caller: Option<PhoneId>,
    /// Numbers dialled or transferred to, for the hints of a failure.
    pub(super) dialled: Vec<(PhoneId, String)>,
    /// How many line-state steps the check has: its watcher stops after as many NOTIFYs.
    pub(super) line_state_steps: usize,
    pub(super) watcher: Option<Watcher>,
    pub(super) started: Instant,
    /// Size of a phone's recording when it last keyed DTMF: what it hears
    /// in answer starts there.
    pub(super) keyed_at: HashMap<PhoneId, u64>,
    /// What its steps said of how they passed.
    pub(super) notes: Vec<Note>,
}

/// A running BLF subscription and how far its NOTIFYs were read.
pub(super) struct Watcher {
    pub(super) phone: PhoneId,
    pub(super) log: String,
    pub(super) read: usize,
    pub(super) last: Option<BlfState>,
}

impl<'s, 'a> Ctx<'s, 'a> {
    /// A check's view; its watcher, if any, stops after `line_state_steps` NOTIFYs.
    pub(super) fn new(shared: &'s Shared<'a>, line_state_steps: usize) -> Self {
        Ctx {
            line_state_steps,
            shared,
            rx: shared.events.subscribe(),
            log: Vec::new(),
            unused: Vec::new(),
            calls: HashMap::new(),
            peers: HashMap::new(),
            established: HashSet::new(),
            last_caller: None,
            dialled: Vec::new(),
            watcher: None,
            started: Instant::now(),
            keyed_at: HashMap::new(),
            notes: Vec::new(),
        }
    }

    pub(super) fn is(e: &Event, phone: &PhoneId, kind: EventKind) -> bool {
        e.site == phone.site && e.account == phone.account && e.kind == kind
    }

    /// Waits for an event matching `pred` and leaves it for later steps.
    pub(super) async fn wait_seen(&mut self, timeout: Duration, pred: impl Fn(&Event) -> bool) -> Option<Event> {
        let e = self.wait(timeout, pred).await?;
        self.unused.insert(0, e.clone());
        Some(e)
    }

    /// Waits for an event matching `pred`, consuming it; `None` on timeout.
    pub(super) async fn wait(&mut self, timeout: Duration, pred: impl Fn(&Event) -> bool) -> Option<Event> {
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

    pub(super) fn hub(&self, phone: &PhoneId) -> &Hub {
        &self.shared.hubs[&phone.site]
    }

    /// Position of the phone's account in its container's accounts file.
    pub(super) fn account_index(&self, phone: &PhoneId) -> usize {
        let lab = self.shared.lab;
        match lab.site(&phone.site) {
            Some(site) => site.phones.iter().position(|p| p.account == phone.account).unwrap_or(0),
            None => lab.operator.test_phones.iter().position(|t| t.account == phone.account).unwrap_or(0),
        }
    }

    pub(super) fn registrar(&self, phone: &PhoneId) -> String {
        let lab = self.shared.lab;
        match lab.site(&phone.site) {
            Some(site) => lab.network.ipbx_lan(site.index).to_string(),
            None => lab.network.operator().to_string(),
        }
    }

    pub(super) fn tone(&self, phone: &PhoneId) -> u32 {
        tone_hz(self.shared.lab, &phone.account, self.shared.lab.site(&phone.site)).unwrap_or(0)
    }

    /// What the callee's phone shows as caller for `caller`'s calls.
    pub(super) fn caller_numbers(&self, caller: &PhoneId) -> Vec<String> {
        let lab = self.shared.lab;
        match lab.site(&caller.site) {
            Some(site) => site
                .phones
                .iter()
                .filter(|p| p.account == caller.account)
                .flat_map(|p| [p.extension.clone(), site.public_number(&lab.numbering, &p.number)])
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

    pub(super) fn phone_container(&self, phone: &PhoneId) -> String {
        let lab = self.shared.lab;
        match lab.site(&phone.site) {
            Some(_) => container_name(lab, &Kind::Phones { site: phone.site.clone() }),
            None => container_name(lab, &Kind::OperatorPhones),
        }
    }

    pub(super) async fn command(&self, phone: &PhoneId, command: &str, params: &str) -> Result<String, Failure> {
        match self.hub(phone).command(command, params).await {
            Ok(r) if r.ok => Ok(r.data),
            Ok(r) => {
                Err(fail(format!("{phone} accepts `{command}`"), format!("the softphone refused: {}", r.data.trim())))
            }
            Err(e) => Err(broken(format!("{phone} accepts `{command}`"), e.to_string())),
        }
    }

    /// Moves every event received so far into the check's log.
    pub(super) fn drain(&mut self) {
        while let Ok(e) = self.rx.try_recv() {
            self.log.push(e.clone());
            self.unused.push(e);
        }
    }

    /// Waits until `phone`'s call is over, ended by whoever.
    pub(super) async fn ended(&mut self, phone: &PhoneId, timeout: Duration) -> Result<(), Failure> {
        // The phone's current call when known: an earlier call of the check may have closed too.
        let id = self.calls.get(phone).cloned();
        let this_call = |e: &Event| id.is_none() || e.call_id == id;
        let closed = self.wait(timeout, |e| Self::is(e, phone, EventKind::CallClosed) && this_call(e)).await;
        if closed.is_none() {
            return Err(fail(
                format!("{phone}'s call ends"),
                format!("still in the call after {} s", timeout.as_secs()),
            ));
        }
        self.calls.remove(phone);
        self.established.remove(phone);
        if let Some(peer) = self.peers.remove(phone) {
            if self.peers.get(&peer) == Some(phone) {
                self.peers.remove(&peer);
            }
        }
        Ok(())
    }

    /// The container of a site's (or the operator's) Asterisk; scenario files
    /// only name sites of the lab.
    pub(super) fn ipbx(&self, site: &str) -> String {
        asterisk_container(self.shared.lab, site).expect("a site checked against the lab")
    }

    /// What a second SIP UA needs to act as `phone` from its container (a
    /// watcher, a message sender): the container's address and the password.
    pub(super) fn sip_identity(&self, phone: &PhoneId) -> (std::net::Ipv4Addr, String) {
        let lab = self.shared.lab;
        match lab.site(&phone.site) {
            Some(site) => {
                let p = site.phones.iter().find(|p| p.account == phone.account).expect("checked phone");
                (lab.network.site_phones(site.index), self.shared.secrets.phone_password(site, p).to_string())
            }
            None => {
                let t = lab.operator.test_phones.iter().find(|t| t.account == phone.account).expect("checked phone");
                (lab.network.operator_phones(), self.shared.secrets.test_phone_password(lab, t).to_string())
            }
        }
    }

    /// A shell script in one of the lab's containers; its output.
    pub(super) async fn sh(&self, container: &str, script: &str) -> Result<String, Failure> {
        self.shared
            .engine
            .exec(container, &["sh", "-c", script])
            .await
            .map(|o| o.output)
            .map_err(|e| broken(format!("`{script}` runs in {container}"), e.to_string()))
    }

    /// Unanswered, a call reaches voicemail after the lab's ring time.
    pub(super) fn voicemail_timeout(&self) -> Duration {
        Duration::from_secs(u64::from(self.shared.lab.voicemail.ring_seconds) + 5)
    }

    /// A command on the phone's current call.
    pub(super) async fn on_call(&self, phone: &PhoneId, command: &str, params: &str) -> Result<String, Failure> {
        let Some(id) = self.calls.get(phone) else {
            return Err(fail(format!("{phone} is in a call to `{command}`"), "it has no call"));
        };
        match self.hub(phone).on_call(id, command, params).await {
            Ok(r) if r.ok => Ok(r.data),
            Ok(r) => {
                Err(fail(format!("{phone} accepts `{command}`"), format!("the softphone refused: {}", r.data.trim())))
            }
            Err(e) => Err(broken(format!("{phone} accepts `{command}`"), e.to_string())),
        }
    }

    /// Config lines and captures that tell why the check failed.
    pub(super) fn where_to_look(&self) -> Vec<String> {
        let options = &self.shared.options;
        let mut look = Vec::new();
        for (from, number) in &self.dialled {
            let start = options.phone_context(&from.site);
            let dir = options.asterisk_dir(&from.site);
            if number == features::PICKUP {
                look.push(format!(
                    "{}: pickupexten; {}: endpoint/call_group and endpoint/pickup_group of the phones",
                    dir.join("features.conf").display(),
                    dir.join("pjsip_wizard.conf").display()
                ));
                continue;
            }
            let hints = hints::dialplan(&dir, start, number);
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

    /// Leaves the lab as the check found it, failed or not: its watcher
    /// stopped, every call its phones still have hung up on the softphones
    /// (incoming ones no step took too), then no channel of its phones left
    /// on the IPBXs. Channels still closing get a moment; one that stays is
    /// hung up there and reported.
    pub(super) async fn release(&mut self, phones: &[PhoneId]) -> Release {
        let mut release = Release::default();
        if let Some(w) = self.watcher.take() {
            let container = self.phone_container(&w.phone);
            let _ = self.shared.engine.exec(&container, &["pkill", "-f", &w.log]).await;
        }
        for (phone, id) in std::mem::take(&mut self.calls) {
            if matches!(self.hub(&phone).command("hangup", &id).await, Ok(r) if r.ok) {
                let _ = self.wait(HANGUP_TIMEOUT, |e| Self::is(e, &phone, EventKind::CallClosed)).await;
            }
        }
        let mut sites: Vec<&str> = phones.iter().map(|p| p.site.as_str()).collect();
        sites.dedup();
        for site in sites {
            let hub = &self.shared.hubs[site];
            // A lost connection is the lab's to tell (see `breakage`), not the cleanup's.
            let Ok(listed) = hub.command("listcalls", "").await else { continue };
            for (account, id) in open_calls(&listed.data) {
                if phones.iter().any(|p| p.site == site && p.account == account) {
                    let _ = hub.command("hangup", &id).await;
                }
            }
        }

        let mut wanted: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in phones {
            wanted.entry(self.ipbx(&p.site)).or_default().push(format!("PJSIP/{}-", p.account));
        }
        let left = self.settle(&wanted, &mut release.trouble).await;
        for (container, channel) in &left {
            if let Err(e) = asterisk_cli::hang_up(self.shared.engine, container, channel).await {
                release.trouble.push(e.to_string());
            }
        }
        let stuck = if left.is_empty() { Vec::new() } else { self.settle(&wanted, &mut release.trouble).await };
        for (_, channel) in left {
            let how = if stuck.iter().any(|(_, c)| *c == channel) { "it would not hang up" } else { "hung up" };
            release.left_open.push(format!("left channel {channel} open; {how}"));
        }
        release
    }

    /// Waits (a bounded while) until no channel named by `wanted` (IPBX
    /// container -> channel name prefixes) is open; returns those still open.
    async fn settle(&self, wanted: &BTreeMap<String, Vec<String>>, trouble: &mut Vec<String>) -> Vec<(String, String)> {
        let engine = self.shared.engine;
        let open = wait::until("the check's channels closed", CLOSING_TIMEOUT, wait::POLL, || async move {
            let mut left = Vec::new();
            for (container, prefixes) in wanted {
                let Some(open) = asterisk_cli::channels(engine, container).await.map_err(|e| e.to_string())? else {
                    return Err(format!("the Asterisk in {container} did not answer its CLI"));
                };
                let ours = open.into_iter().filter(|c| prefixes.iter().any(|p| c.starts_with(p)));
                left.extend(ours.map(|c| (container.clone(), c)));
            }
            Ok(if left.is_empty() { wait::Poll::Ready(()) } else { wait::Poll::Pending(Channels(left)) })
        })
        .await;
        match open {
            Ok(()) => Vec::new(),
            Err(wait::Error::TimedOut { last: Channels(left), .. }) => left,
            Err(wait::Error::Failed(e)) => {
                trouble.push(e);
                Vec::new()
            }
        }
    }
}

/// Channels still open: (IPBX container, channel).
struct Channels(Vec<(String, String)>);

impl std::fmt::Display for Channels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|(_, c)| c.as_str()).collect();
        f.write_str(&names.join(", "))
    }
}

/// What leaving the lab as it was found took.
#[derive(Debug, Default)]
pub(super) struct Release {
    /// Channels the check's phones left open on an IPBX, and what became of them.
    pub(super) left_open: Vec<String>,
    /// Docker or Asterisk calls that failed meanwhile.
    pub(super) trouble: Vec<String>,
}
