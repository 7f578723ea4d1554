//! Line state as a BLF subscriber sees it: SIPp in the watcher's phone
//! container SUBSCRIBEs to `Event: dialog` with the watcher's credentials and
//! logs every NOTIFY body (see `sipp/blf_watch.xml`).

use super::BlfState;

/// The SIPp scenario, copied into the phone container when a watch starts.
pub const SCENARIO: &str = include_str!("sipp/blf_watch.xml");
pub const SCENARIO_PATH: &str = "/tmp/blf_watch.xml";

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
                header
                    .split(' ')
                    .find_map(|kv| kv.strip_prefix(k).and_then(|v| v.strip_prefix('=')))
                    .unwrap_or("")
            };
            let seq = field("seq").parse().unwrap_or(0);
            let final_notify = field("subscription-state").starts_with("terminated");
            current = Some((seq, final_notify, String::new()));
        } else if line.starts_with("END seq=") {
            if let Some((seq, final_notify, body)) = current.take() {
                out.push(Notify {
                    seq,
                    state: state_of(&body),
                    final_notify,
                });
            }
        } else if let Some((_, _, body)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

/// The first dialog's state: early = ringing, confirmed = in use, anything
/// else (terminated, no dialog) = idle.
fn state_of(body: &str) -> BlfState {
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
        let states: Vec<_> = parse_log(log)
            .iter()
            .map(|n| (n.seq, n.state, n.final_notify))
            .collect();
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
    fn a_notify_cut_before_its_end_is_not_read() {
        assert!(parse_log("NOTIFY seq=1 at=1 subscription-state=active state=early\n<dialog ").is_empty());
    }
}
