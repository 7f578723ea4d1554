//! `dial`: a phone dials a number, as typed on its keypad.

use super::{StepKeys, StepKind};
use crate::scenario::ctx::Ctx;
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::result::Failure;
use crate::scenario::rewrite::Rewrite;

/// `{ dial = "13", from = "table1/patron1" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dial {
    pub from: PhoneId,
    pub number: String,
}

impl StepKind for Dial {
    const ACTIONS: &'static [&'static str] = &["dial"];
    const KEYS: &'static [&'static str] = &["from"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let (number, from) = keys.keyed_by("dial")?;
        // A later `nobody_rings` follows this dial even when it has a mistake.
        keys.set_last_caller(from.clone());
        Some(Dial { from: from?, number: number? })
    }

    fn describe(&self) -> String {
        format!("{} dials {}", self.from, self.number)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.from).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Dial { from: r.phone(&self.from), number: r.number(&self.from, &self.number) }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let from = &self.from;
        let uri = format!("sip:{}@{}", self.number, ctx.registrar(from));
        let data = ctx.command(from, "dial", &format!("{uri} {}", ctx.account_index(from))).await?;
        let id = data.trim().trim_start_matches("call id:").trim().to_string();
        ctx.calls.insert(from.clone(), id);
        ctx.last_caller = Some(from.clone());
        ctx.dialled.push((from.clone(), self.number.clone()));
        Ok(())
    }
}
