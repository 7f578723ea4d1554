//! Line state as a BLF subscriber sees it: SIPp in the watcher's phone
//! container SUBSCRIBEs to `Event: dialog` with the watcher's credentials and
//! logs every NOTIFY body (see `sipp/blf_watch.xml`).

use std::time::{Duration, Instant};

use super::check::{broken, fail, Ctx, Watcher, RING_TIMEOUT};
use super::runner::Failure;
use super::sipp::Sipp;
use super::{BlfState, PhoneId};
use crate::runtime::docker::EngineError;

/// The SIPp scenarios, copied into the phone container when a watch starts:
/// `Event: dialog` (BLF keys) or `Event: presence` (softphone buddy lists).
const DIALOG_SCENARIO: &str = include_str!("sipp/blf_watch.xml");
const PRESENCE_SCENARIO: &str = include_str!("sipp/presence_watch.xml");

/// One NOTIFY as the watcher logged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    pub seq: u32,
    pub state: BlfState,
    /// The subscription itself ends (`Subscription-State: terminated`): not a line change.
    pub final_notify: bool,
}

/// Parses the watcher's log: `NOTIFY seq=N ... subscription-state=S ...`, the
/// dialog-info body, then `END seq=N`.
pub fn parse_log(log: &str) -> Vec<Notify> {
    let mut out = Vec::new();
    let mut current: Option<(u32, bool, String)> = None;
    for line in log.lines().map(|l| l.trim_end_matches('\r')) {
        if let Some(header) = line.strip_prefix("NOTIFY ") {
            let field = |k: &str| {
                header.split(' ').find_map(|kv| kv.strip_prefix(k).and_then(|v| v.strip_prefix('='))).unwrap_or("")
            };
            let seq = field("seq").parse().unwrap_or(0);
            let final_notify = field("subscription-state").starts_with("terminated");
            current = Some((seq, final_notify, String::new()));
        } else if line.starts_with("END seq=") {
            if let Some((seq, final_notify, body)) = current.take() {
                out.push(Notify { seq, state: state_of(&body), final_notify });
            }
        } else if let Some((_, _, body)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

/// The line state a NOTIFY body tells: dialog-info (first dialog's state:
/// early = ringing, confirmed = in use, else idle) or PIDF presence (note
/// "Ringing", the on-the-phone activity = in use, else idle).
fn state_of(body: &str) -> BlfState {
    if body.contains("<presence") {
        return if body.contains("<note>Ringing</note>") {
            BlfState::Ringing
        } else if body.contains("on-the-phone") {
            BlfState::InUse
        } else {
            BlfState::Idle
        };
    }
    let state = body
        .split("<dialog ")
        .nth(1)
        .and_then(|d| d.split("<state>").nth(1))
        .and_then(|s| s.split('<').next())
        .unwrap_or("")
        .trim();
    match state {
        "early" => BlfState::Ringing,
        "confirmed" => BlfState::InUse,
        _ => BlfState::Idle,
    }
}

impl Ctx<'_, '_> {
    /// Starts SIPp in the watcher's phone container, subscribed with its
    /// credentials to `extension`'s line state; it unsubscribes by itself
    /// after `notifies` NOTIFYs (or 60 s).
    pub(super) async fn watch(
        &mut self,
        phone: &PhoneId,
        extension: &str,
        presence: bool,
        notifies: usize,
    ) -> Result<(), Failure> {
        let expected = format!("watch {extension} as {phone}");
        let broken = |e: EngineError| broken(expected.clone(), e.to_string());
        let (scenario, name) =
            if presence { (PRESENCE_SCENARIO, "presence_watch") } else { (DIALOG_SCENARIO, "blf_watch") };
        let log = format!("/tmp/blf-{}.log", phone.account);
        let notifies = notifies.max(1).to_string();
        let run = Sipp {
            scenario,
            name,
            // Beside baresip's 5060.
            port_base: 5100,
            args: vec![
                "-key",
                "ext",
                extension,
                "-set",
                "duration",
                "60",
                "-set",
                "notifies",
                &notifies,
                "-default_behaviors",
                "all,-bye",
            ],
            timeout: "90s",
            log: log.clone(),
        };
        let argv = self.sipp_command(phone, &run).await.map_err(broken)?;
        let args: Vec<&str> = argv.iter().map(String::as_str).collect();
        let container = self.phone_container(phone);
        self.shared.engine.exec_detached(&container, &args).await.map_err(broken)?;
        self.watcher = Some(Watcher { phone: phone.clone(), log, read: 0, last: None });
        Ok(())
    }

    /// Waits for the watcher's next line-state change to be `state`.
    pub(super) async fn blf(&mut self, state: BlfState) -> Result<(), Failure> {
        let expected = format!("the watcher sees the line {state}");
        let Some(phone) = self.watcher.as_ref().map(|w| w.phone.clone()) else {
            return Err(fail(expected, "no `watch` step started a subscription before"));
        };
        let container = self.phone_container(&phone);
        let w = self.watcher.as_mut().expect("checked above");
        let deadline = Instant::now() + RING_TIMEOUT;
        loop {
            let text = self.shared.engine.exec_bytes(&container, &["cat", &w.log]).await.unwrap_or_default();
            let notifies = parse_log(&String::from_utf8_lossy(&text));
            for n in notifies.iter().skip(w.read).filter(|n| !n.final_notify) {
                w.read += 1;
                if w.last == Some(n.state) {
                    continue; // a repeated state is no change
                }
                w.last = Some(n.state);
                return if n.state == state {
                    Ok(())
                } else {
                    Err(fail(expected, format!("it saw the line {} (NOTIFY {})", n.state, n.seq)))
                };
            }
            if Instant::now() > deadline {
                let seen =
                    if notifies.is_empty() { "no NOTIFY at all (subscription refused?)" } else { "no new NOTIFY" };
                return Err(fail(expected, format!("{seen} within {} s", RING_TIMEOUT.as_secs())));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watchers_log_reads_as_line_states() {
        let log = "SUBSCRIBED ext=22 expires=60 at=1.0\n\
NOTIFY seq=1 at=1.1 subscription-state=active;expires=59 state=terminated\n\
<dialog-info state=\"full\">\n <dialog id=\"22\">\n  <state>terminated</state>\n </dialog>\n</dialog-info>\nEND seq=1\n\
NOTIFY seq=2 at=2.0 subscription-state=active;expires=58 state=early\n\
<dialog-info state=\"full\">\n <dialog id=\"22\" direction=\"recipient\">\n  <remote><identity>sip:23@x</identity></remote>\n  <state>early</state>\n </dialog>\n</dialog-info>\nEND seq=2\n\
NOTIFY seq=3 at=3.0 subscription-state=active;expires=56 state=confirmed\n\
<dialog-info state=\"full\">\n <dialog id=\"22\">\n  <state>confirmed</state>\n </dialog>\n</dialog-info>\nEND seq=3\n\
NOTIFY seq=4 at=4.0 subscription-state=terminated state=terminated\n\
<dialog-info state=\"full\">\n <dialog id=\"22\">\n  <state>terminated</state>\n </dialog>\n</dialog-info>\nEND seq=4\nDONE at=4.1\n";
        let states: Vec<_> = parse_log(log).iter().map(|n| (n.seq, n.state, n.final_notify)).collect();
        assert_eq!(
            states,
            [
                (1, BlfState::Idle, false),
                (2, BlfState::Ringing, false),
                (3, BlfState::InUse, false),
                (4, BlfState::Idle, true)
            ]
        );
    }

    #[test]
    fn presence_bodies_read_as_line_states() {
        let body = |note: &str, activity: &str| {
            format!("<presence entity=\"sip:22@x\">\n <note>{note}</note>\n <tuple id=\"22\"><status><basic>open</basic></status></tuple>\n <dm:person>{activity}</dm:person>\n</presence>\n")
        };
        let log = format!(
            "NOTIFY seq=1 at=1 subscription-state=active basic=open note=Ready\n{}END seq=1\n\
             NOTIFY seq=2 at=2 subscription-state=active basic=open note=Ringing\n{}END seq=2\n\
             NOTIFY seq=3 at=3 subscription-state=active basic=open note=On the phone\n{}END seq=3\n",
            body("Ready", ""),
            body("Ringing", "<rpid:activities><rpid:on-the-phone /></rpid:activities>"),
            body("On the phone", "<rpid:activities><rpid:on-the-phone /></rpid:activities>"),
        );
        let states: Vec<_> = parse_log(&log).iter().map(|n| n.state).collect();
        assert_eq!(states, [BlfState::Idle, BlfState::Ringing, BlfState::InUse]);
    }

    #[test]
    fn a_notify_cut_before_its_end_is_not_read() {
        assert!(parse_log("NOTIFY seq=1 at=1 subscription-state=active state=early\n<dialog ").is_empty());
    }
}
