//! `answer`: the phone answers its ringing call; both ends are then in the call.

use super::{StepKeys, StepKind};
use crate::scenario::ctx::{Ctx, ANSWER_TIMEOUT};
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::phones::EventKind;
use crate::scenario::result::{fail, Failure};
use crate::scenario::rewrite::Rewrite;

/// `{ answer = "table1/patron1" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub phone: PhoneId,
}

impl StepKind for Answer {
    const ACTIONS: &'static [&'static str] = &["answer"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        Some(Answer { phone: keys.phone("answer")? })
    }

    fn describe(&self) -> String {
        format!("{} answers", self.phone)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Answer { phone: r.phone(&self.phone) }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let phone = &self.phone;
        let id = ctx.calls.get(phone).cloned().unwrap_or_default();
        ctx.command(phone, "accept", &id).await?;
        // The other party may be in its call already (a transferred or
        // parked caller, a trunk caller who heard the welcome message).
        let peer = ctx.peers.get(phone).filter(|p| !ctx.established.contains(*p)).cloned();
        for who in std::iter::once(phone.clone()).chain(peer) {
            let got = ctx.wait(ANSWER_TIMEOUT, |e| Ctx::is(e, &who, EventKind::CallEstablished)).await;
            if got.is_none() {
                return Err(fail(
                    format!("{who} is in the call once {phone} answers"),
                    format!("no established call within {} s", ANSWER_TIMEOUT.as_secs()),
                ));
            }
            ctx.established.insert(who);
        }
        Ok(())
    }
}
