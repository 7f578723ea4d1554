//! `blf` (or `presence`): the line state the flow's watcher sees next.

use std::cell::Cell;
use std::convert::Infallible;

use super::{StepKeys, StepKind};
use crate::scenario::blf::{parse_log, BlfState};
use crate::scenario::ctx::{Ctx, RING_TIMEOUT};
use crate::scenario::names::Resource;
use crate::scenario::result::{fail, Failure};
use crate::scenario::rewrite::Rewrite;
use crate::wait;

/// `{ blf = "ringing" }` after a `watch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineState {
    pub state: BlfState,
}

impl StepKind for LineState {
    const ACTIONS: &'static [&'static str] = &["blf", "presence"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let field = if keys.has("blf") { "blf" } else { "presence" };
        let v = keys.text(field)?;
        let state = match v.get_ref().as_str() {
            "idle" => BlfState::Idle,
            "ringing" => BlfState::Ringing,
            "in use" | "in-use" => BlfState::InUse,
            other => {
                keys.error_with_help(
                    v.span(),
                    field,
                    format!("unknown line state {other:?}"),
                    "one of: idle, ringing, in use",
                );
                return None;
            }
        };
        Some(LineState { state })
    }

    fn describe(&self) -> String {
        format!("the watcher sees the line {}", self.state)
    }

    fn resources(&self) -> Vec<Resource> {
        Vec::new()
    }

    fn rewrite(&self, _: &Rewrite<'_>) -> Self {
        self.clone()
    }

    /// Waits for the watcher's next line-state change; it must be this one.
    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let state = self.state;
        let expected = format!("the watcher sees the line {state}");
        let Some(phone) = ctx.watcher.as_ref().map(|w| w.phone.clone()) else {
            return Err(fail(expected, "no `watch` step started a subscription before"));
        };
        let (engine, container) = (ctx.shared.engine, &ctx.phone_container(&phone));
        let w = ctx.watcher.as_mut().expect("checked above");
        // How far the log was read, and the state last seen, carried across looks.
        let (log, read, last) = (w.log.as_str(), &Cell::new(w.read), &Cell::new(w.last));
        // The next NOTIFY that changes the state: (its state, its number).
        let change = wait::until(&expected, RING_TIMEOUT, wait::POLL, move || async move {
            let text = engine.exec_bytes(container, &["cat", log]).await.unwrap_or_default();
            let notifies = parse_log(&String::from_utf8_lossy(&text));
            for n in notifies.iter().skip(read.get()).filter(|n| !n.final_notify) {
                read.set(read.get() + 1);
                // A repeated state is no change.
                if last.get() != Some(n.state) {
                    last.set(Some(n.state));
                    return Ok::<_, Infallible>(wait::Poll::Ready((n.state, n.seq)));
                }
            }
            let seen = if notifies.is_empty() { "no NOTIFY at all (subscription refused?)" } else { "no new NOTIFY" };
            Ok(wait::Poll::Pending(seen.to_string()))
        })
        .await;
        (w.read, w.last) = (read.get(), last.get());
        match change {
            Ok((seen, _)) if seen == state => Ok(()),
            Ok((seen, seq)) => Err(fail(expected, format!("it saw the line {seen} (NOTIFY {seq})"))),
            Err(wait::Error::TimedOut { last, .. }) => {
                Err(fail(expected, format!("{last} within {} s", RING_TIMEOUT.as_secs())))
            }
            Err(wait::Error::Failed(never)) => match never {},
        }
    }
}
