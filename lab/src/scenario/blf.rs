//! Line state as a BLF subscriber sees it: SIPp in the watcher's phone
//! container SUBSCRIBEs to `Event: dialog` with the watcher's credentials and
//! logs every NOTIFY body (see `sipp/blf_watch.xml`); this reads that log.

use std::fmt;

/// Line state seen by a BLF subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlfState {
    Idle,
    Ringing,
    InUse,
}

impl fmt::Display for BlfState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BlfState::Idle => "idle",
            BlfState::Ringing => "ringing",
            BlfState::InUse => "in use",
        })
    }
}

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
