//! `connected`: a phone is in a call with another without answering (a
//! parked call retrieved, a call picked up).

use super::{StepKeys, StepKind};
use crate::scenario::ctx::{Ctx, ANSWER_TIMEOUT};
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::phones::EventKind;
use crate::scenario::result::{fail, Failure};
use crate::scenario::rewrite::Rewrite;

/// `{ connected = "table1/patron1", with = "operator/TM1" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connected {
    pub phone: PhoneId,
    pub with: PhoneId,
}

impl StepKind for Connected {
    const ACTIONS: &'static [&'static str] = &["connected"];
    const KEYS: &'static [&'static str] = &["with"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let phone = keys.phone("connected");
        let with = keys.required_phone("with", "`connected` needs `with`: the other party");
        Some(Connected { phone: phone?, with: with? })
    }

    fn describe(&self) -> String {
        format!("{} is in the call with {}", self.phone, self.with)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into(), (&self.with).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Connected { phone: r.phone(&self.phone), with: r.phone(&self.with) }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let (phone, with) = (&self.phone, &self.with);
        if ctx.wait(ANSWER_TIMEOUT, |e| Ctx::is(e, phone, EventKind::CallEstablished)).await.is_none() {
            return Err(fail(
                format!("{phone} is in the call with {with}"),
                format!("no established call within {} s", ANSWER_TIMEOUT.as_secs()),
            ));
        }
        ctx.peers.insert(phone.clone(), with.clone());
        ctx.peers.insert(with.clone(), phone.clone());
        ctx.established.insert(phone.clone());
        Ok(())
    }
}
