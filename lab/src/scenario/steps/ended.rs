//! `ended`: the phone's call was ended by the other side or the IPBX (a transferer is then free).

use super::{StepKeys, StepKind};
use crate::scenario::ctx::{Ctx, HANGUP_TIMEOUT};
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::result::Failure;
use crate::scenario::rewrite::Rewrite;

/// `{ ended = "table1/patron1" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    pub phone: PhoneId,
}

impl StepKind for Ended {
    const ACTIONS: &'static [&'static str] = &["ended"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        Some(Ended { phone: keys.phone("ended")? })
    }

    fn describe(&self) -> String {
        format!("{}'s call is over", self.phone)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Ended { phone: r.phone(&self.phone) }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        ctx.ended(&self.phone, HANGUP_TIMEOUT).await
    }
}
