//! `hangup`: the phone hangs up its call; the other end is released too.

use super::{StepKeys, StepKind};
use crate::scenario::ctx::{Ctx, HANGUP_TIMEOUT};
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::result::Failure;
use crate::scenario::rewrite::Rewrite;

/// `{ hangup = "table1/patron1" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hangup {
    pub phone: PhoneId,
}

impl StepKind for Hangup {
    const ACTIONS: &'static [&'static str] = &["hangup"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        Some(Hangup { phone: keys.phone("hangup")? })
    }

    fn describe(&self) -> String {
        format!("{} hangs up", self.phone)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Hangup { phone: r.phone(&self.phone) }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let id = ctx.calls.get(&self.phone).cloned().unwrap_or_default();
        ctx.command(&self.phone, "hangup", &id).await?;
        ctx.ended(&self.phone, HANGUP_TIMEOUT).await
    }
}
