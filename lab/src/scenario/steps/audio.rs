//! `audio`: each of the two phones of a call hears the other's tone.

use super::{StepKeys, StepKind};
use crate::scenario::ctx::Ctx;
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::result::Failure;
use crate::scenario::rewrite::Rewrite;

/// `{ audio = ["table1/patron1", "table2/patron1"] }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audio {
    pub a: PhoneId,
    pub b: PhoneId,
}

impl StepKind for Audio {
    const ACTIONS: &'static [&'static str] = &["audio"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let (a, b) = keys.two_phones("audio", "`audio` names the two phones of a call")?;
        Some(Audio { a, b })
    }

    fn describe(&self) -> String {
        format!("{} and {} hear each other", self.a, self.b)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.a).into(), (&self.b).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Audio { a: r.phone(&self.a), b: r.phone(&self.b) }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        ctx.audio(&self.a, &self.b).await
    }
}
