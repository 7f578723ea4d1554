//! `resume`: the phone takes its call off hold.

use super::{StepKeys, StepKind};
use crate::scenario::ctx::Ctx;
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::result::Failure;
use crate::scenario::rewrite::Rewrite;

/// `{ resume = "table1/patron1" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    pub phone: PhoneId,
}

impl StepKind for Resume {
    const ACTIONS: &'static [&'static str] = &["resume"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        Some(Resume { phone: keys.phone("resume")? })
    }

    fn describe(&self) -> String {
        format!("{} takes the call off hold", self.phone)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Resume { phone: r.phone(&self.phone) }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let id = ctx.calls.get(&self.phone).cloned().unwrap_or_default();
        ctx.command(&self.phone, "resume", &id).await?;
        Ok(())
    }
}
