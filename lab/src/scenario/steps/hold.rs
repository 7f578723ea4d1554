//! `hold`: the phone puts its call on hold.

use super::{StepKeys, StepKind};
use crate::scenario::ctx::Ctx;
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::result::Failure;
use crate::scenario::rewrite::Rewrite;

/// `{ hold = "table1/patron1" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    pub phone: PhoneId,
}

impl StepKind for Hold {
    const ACTIONS: &'static [&'static str] = &["hold"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        Some(Hold { phone: keys.phone("hold")? })
    }

    fn describe(&self) -> String {
        format!("{} puts the call on hold", self.phone)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Hold { phone: r.phone(&self.phone) }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let id = ctx.calls.get(&self.phone).cloned().unwrap_or_default();
        ctx.command(&self.phone, "hold", &id).await?;
        Ok(())
    }
}
