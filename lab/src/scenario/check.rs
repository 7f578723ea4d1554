//! One check's view of the lab while it runs: its events, its calls, and the
//! steps that act as phones or observe them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use super::hints;
use super::phones::{open_calls, sip_user, Event, Hub};
use super::runner::{Failure, Shared};
use super::{BlfState, PhoneId, Step};
use crate::gen::features;
use crate::gen::phones::tone_hz;
use crate::runtime::asterisk_cli;
use crate::runtime::topology::{asterisk_container, container_name, Kind};

pub(super) const RING_TIMEOUT: Duration = Duration::from_secs(10);
/// A parked call rings its parker again only after the lot's timeout.
const RETURN_TIMEOUT: Duration = Duration::from_secs(crate::gen::features::PARKING_SECONDS as u64 + 10);
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);
const FAIL_TIMEOUT: Duration = Duration::from_secs(15);
const HANGUP_TIMEOUT: Duration = Duration::from_secs(5);
const MWI_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a hung-up call's channels may take to go from the IPBX.
const CLOSING_TIMEOUT: Duration = Duration::from_secs(3);

pub(super) fn fail(expected: impl Into<String>, observed: impl Into<String>) -> Failure {
    Failure { step: String::new(), expected: expected.into(), observed: observed.into(), look: Vec::new(), lab: false }
}

/// A step the lab kept from being done: a softphone that did not answer its
/// control connection, a Docker call that failed. The check is a lab error.
pub(super) fn broken(expected: impl Into<String>, observed: impl Into<String>) -> Failure {
    Failure { lab: true, ..fail(expected, observed) }
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
    established: HashSet<PhoneId>,
    last_caller: Option<PhoneId>,
    dialled: Vec<(PhoneId, String)>,
    pub(super) watcher: Option<Watcher>,
    pub(super) started: Instant,
    /// Size of a phone's recording when it last keyed DTMF: what it hears
    /// in answer starts there.
    pub(super) keyed_at: HashMap<PhoneId, u64>,
}

/// A running BLF subscription and how far its NOTIFYs were read.
pub(super) struct Watcher {
    pub(super) phone: PhoneId,
    pub(super) log: String,
    pub(super) read: usize,
    pub(super) last: Option<BlfState>,
}

impl<'s, 'a> Ctx<'s, 'a> {
    pub(super) fn new(shared: &'s Shared<'a>) -> Self {
        Ctx {
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
        }
    }

    pub(super) fn is(e: &Event, phone: &PhoneId, kind: &str) -> bool {
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
    fn caller_numbers(&self, caller: &PhoneId) -> Vec<String> {
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

    pub(super) async fn step(&mut self, step: &Step, blf_steps: usize) -> Result<(), Failure> {
        match step {
            Step::Dial { from, number } => {
                let uri = format!("sip:{number}@{}", self.registrar(from));
                let data = self.command(from, "dial", &format!("{uri} {}", self.account_index(from))).await?;
                let id = data.trim().trim_start_matches("call id:").trim().to_string();
                self.calls.insert(from.clone(), id);
                self.last_caller = Some(from.clone());
                self.dialled.push((from.clone(), number.clone()));
                Ok(())
            }
            Step::Rings { phone, from, alert } => self.rings(phone, from.as_ref(), alert.as_deref()).await,
            Step::Answer { phone } => {
                let id = self.calls.get(phone).cloned().unwrap_or_default();
                self.command(phone, "accept", &id).await?;
                // The other party may be in its call already (a transferred or
                // parked caller, a trunk caller who heard the welcome message).
                let peer = self.peers.get(phone).filter(|p| !self.established.contains(*p)).cloned();
                for who in std::iter::once(phone.clone()).chain(peer) {
                    let got = self.wait(ANSWER_TIMEOUT, |e| Self::is(e, &who, "CALL_ESTABLISHED")).await;
                    if got.is_none() {
                        return Err(fail(
                            format!("{who} is in the call once {phone} answers"),
                            format!("no established call within {} s", ANSWER_TIMEOUT.as_secs()),
                        ));
                    }
                    self.established.insert(who);
                }
                Ok(())
            }
            Step::Connected { phone, with } => {
                if self.wait(ANSWER_TIMEOUT, |e| Self::is(e, phone, "CALL_ESTABLISHED")).await.is_none() {
                    return Err(fail(
                        format!("{phone} is in the call with {with}"),
                        format!("no established call within {} s", ANSWER_TIMEOUT.as_secs()),
                    ));
                }
                self.peers.insert(phone.clone(), with.clone());
                self.peers.insert(with.clone(), phone.clone());
                self.established.insert(phone.clone());
                Ok(())
            }
            Step::Fails { phone, status } => self.fails(phone, *status).await,
            Step::NobodyRings { caller, sites } => {
                self.drain();
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
                self.ended(phone, HANGUP_TIMEOUT).await
            }
            Step::Ended { phone } => self.ended(phone, HANGUP_TIMEOUT).await,
            Step::Dtmf { phone, digits } => {
                let size = self.recording_size(phone).await;
                self.keyed_at.insert(phone.clone(), size);
                // baresip queues the keys and sends them one after the other (RFC 4733).
                self.on_call(phone, "sndcode", digits).await?;
                Ok(())
            }
            Step::Hold { phone } => {
                let id = self.calls.get(phone).cloned().unwrap_or_default();
                self.command(phone, "hold", &id).await?;
                Ok(())
            }
            Step::Resume { phone } => {
                let id = self.calls.get(phone).cloned().unwrap_or_default();
                self.command(phone, "resume", &id).await?;
                Ok(())
            }
            Step::Transfer { phone, number } => {
                let uri = format!("sip:{number}@{}", self.registrar(phone));
                self.on_call(phone, "transfer", &uri).await?;
                self.dialled.push((phone.clone(), number.clone()));
                Ok(())
            }
            Step::Hears { phone, what } => self.hears(phone, what).await,
            Step::Recorded { a, b } => self.recorded(a, b).await,
            Step::Parked { site, space } => self.parked(site, space).await,
            Step::Answered { phone } => {
                if self.wait(self.voicemail_timeout(), |e| Self::is(e, phone, "CALL_ESTABLISHED")).await.is_none() {
                    return Err(fail(format!("{phone}'s call is answered"), "it was not answered"));
                }
                self.established.insert(phone.clone());
                Ok(())
            }
            Step::Mwi { phone, waiting } => {
                let wanted = format!("Messages-Waiting: {}", if *waiting { "yes" } else { "no" });
                let got =
                    self.wait(MWI_TIMEOUT, |e| Self::is(e, phone, "MWI_NOTIFY") && e.param.contains(&wanted)).await;
                match got {
                    Some(_) => Ok(()),
                    None => Err(fail(
                        format!("{phone} is notified \"{wanted}\""),
                        format!("no such MWI NOTIFY within {} s", MWI_TIMEOUT.as_secs()),
                    )),
                }
            }
            Step::LeavesMessage { phone, site, mailbox } => self.leaves_message(phone, site, mailbox).await,
            Step::EmptyBox { site, mailbox } => self.empty_box(site, mailbox).await,
            Step::Mailed { phone, from } => self.mailed(phone, from).await,
            Step::Watch { phone, extension, presence } => self.watch(phone, extension, *presence, blf_steps).await,
            Step::SendMessage { phone, to, text, status } => self.send_message(phone, to, text, *status).await,
            Step::Receives { phone, text, from } => {
                let got = self.wait(RING_TIMEOUT, |e| Self::is(e, phone, "MESSAGE") && e.param == *text).await;
                let Some(e) = got else {
                    return Err(fail(
                        format!("{phone} receives \"{text}\""),
                        format!("no such message within {} s", RING_TIMEOUT.as_secs()),
                    ));
                };
                if let Some(from) = from {
                    let numbers = self.caller_numbers(from);
                    if !numbers.contains(&sip_user(&e.peer)) {
                        return Err(fail(
                            format!("the message shows {from} as sender ({})", numbers.join(" or ")),
                            format!("it came from {}", e.peer),
                        ));
                    }
                }
                Ok(())
            }
            Step::Blf { state } => self.blf(*state).await,
        }
    }

    /// Moves every event received so far into the check's log.
    pub(super) fn drain(&mut self) {
        while let Ok(e) = self.rx.try_recv() {
            self.log.push(e.clone());
            self.unused.push(e);
        }
    }

    async fn rings(&mut self, phone: &PhoneId, from: Option<&PhoneId>, alert: Option<&str>) -> Result<(), Failure> {
        let caller = from.cloned().or_else(|| self.last_caller.clone());
        // A call coming back from the parking lot rings only after its timeout.
        let timeout = if from.is_some() { RETURN_TIMEOUT } else { RING_TIMEOUT };
        let event = self
            .wait(timeout, |e| {
                Self::is(e, phone, "CALL_INCOMING") || caller.as_ref().is_some_and(|c| Self::is(e, c, "CALL_CLOSED"))
            })
            .await;
        let e = match event {
            Some(e) if e.kind == "CALL_INCOMING" => e,
            Some(e) => {
                if let Some(c) = &caller {
                    self.calls.remove(c);
                }
                return Err(fail(format!("{phone} rings"), format!("the call ended before it rang: {}", e.param)));
            }
            None => {
                return Err(fail(
                    format!("{phone} rings"),
                    format!("it did not ring within {} s", RING_TIMEOUT.as_secs()),
                ))
            }
        };
        self.calls.insert(phone.clone(), e.call_id.clone().unwrap_or_default());
        if let Some(c) = caller {
            self.peers.insert(phone.clone(), c.clone());
            self.peers.insert(c, phone.clone());
        }
        if let Some(wanted) = alert {
            let expected = format!("{phone} is told to ring the {wanted} way (Alert-Info ...;info={wanted})");
            match self.alert_info(phone).await {
                Some(Some(h)) if h.contains(&format!("info={wanted}")) => {}
                Some(Some(h)) => return Err(fail(expected, format!("its INVITE carried Alert-Info: {h}"))),
                Some(None) => return Err(fail(expected, "its INVITE carried no Alert-Info header")),
                None => return Err(fail(expected, "no INVITE to it was found in its IPBX's SIP capture")),
            }
        }
        Ok(())
    }

    async fn fails(&mut self, phone: &PhoneId, status: u16) -> Result<(), Failure> {
        let expected = format!("the call ends with SIP {status}");
        let event = self
            .wait(FAIL_TIMEOUT, |e| Self::is(e, phone, "CALL_CLOSED") || Self::is(e, phone, "CALL_ESTABLISHED"))
            .await;
        match event {
            Some(e) if e.kind == "CALL_CLOSED" => {
                self.calls.remove(phone);
                let got: Option<u16> = e.param.split_whitespace().next().and_then(|s| s.parse().ok());
                if got == Some(status) {
                    Ok(())
                } else {
                    let reason = if e.param.is_empty() { "no SIP status (hung up)".into() } else { e.param.clone() };
                    Err(fail(expected, format!("it ended with {reason}")))
                }
            }
            Some(_) => Err(fail(expected, "it was answered")),
            None => Err(fail(expected, format!("it was still going after {} s", FAIL_TIMEOUT.as_secs()))),
        }
    }

    /// Waits until `phone`'s call is over, ended by whoever.
    async fn ended(&mut self, phone: &PhoneId, timeout: Duration) -> Result<(), Failure> {
        // The phone's current call when known: an earlier call of the check may have closed too.
        let id = self.calls.get(phone).cloned();
        let this_call = |e: &Event| id.is_none() || e.call_id == id;
        let closed = self.wait(timeout, |e| Self::is(e, phone, "CALL_CLOSED") && this_call(e)).await;
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

    /// The parking lot of `site` lists a call at `space`.
    async fn parked(&mut self, site: &str, space: &str) -> Result<(), Failure> {
        let container = self.ipbx(site);
        let expected = format!("{site}'s parking lot holds a call at {space}");
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        loop {
            let out = self
                .shared
                .engine
                .exec(&container, &["asterisk", "-rx", "parking show default"])
                .await
                .map_err(|e| broken(expected.clone(), e.to_string()))?
                .output;
            if out.lines().any(|l| l.trim_start().starts_with("Space") && l.split_whitespace().any(|w| w == space)) {
                return Ok(());
            }
            if Instant::now() > deadline {
                let shown = out.lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join(" | ");
                return Err(fail(expected, format!("`parking show default` says: {shown}")));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
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
                let _ = self.wait(HANGUP_TIMEOUT, |e| Self::is(e, &phone, "CALL_CLOSED")).await;
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
        let deadline = Instant::now() + CLOSING_TIMEOUT;
        loop {
            let mut left = Vec::new();
            for (container, prefixes) in wanted {
                match asterisk_cli::channels(self.shared.engine, container).await {
                    Ok(Some(open)) => left.extend(
                        open.into_iter()
                            .filter(|c| prefixes.iter().any(|p| c.starts_with(p)))
                            .map(|c| (container.clone(), c)),
                    ),
                    Ok(None) => trouble.push(format!("the Asterisk in {container} did not answer its CLI")),
                    Err(e) => trouble.push(e.to_string()),
                }
            }
            if !trouble.is_empty() || left.is_empty() || Instant::now() >= deadline {
                return left;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
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
