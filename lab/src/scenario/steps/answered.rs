//! `answered`: the phone's call is answered by the IPBX itself (voicemail, a message, a menu).

use super::{StepKeys, StepKind};
use crate::scenario::ctx::Ctx;
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::phones::EventKind;
use crate::scenario::result::{fail, Failure};
use crate::scenario::rewrite::Rewrite;

/// `{ answered = "table1/patron1" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    pub phone: PhoneId,
}

impl StepKind for Answered {
    const ACTIONS: &'static [&'static str] = &["answered"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        Some(Answered { phone: keys.phone("answered")? })
    }

    fn describe(&self) -> String {
        format!("{}'s call is answered by the IPBX", self.phone)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Answered { phone: r.phone(&self.phone) }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let phone = &self.phone;
        if ctx.wait(ctx.voicemail_timeout(), |e| Ctx::is(e, phone, EventKind::CallEstablished)).await.is_none() {
            return Err(fail(format!("{phone}'s call is answered"), "it was not answered"));
        }
        ctx.established.insert(phone.clone());
        Ok(())
    }
}
