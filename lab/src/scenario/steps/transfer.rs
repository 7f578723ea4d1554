//! `transfer`: a phone transfers its call to a number (SIP REFER, blind).

use super::{StepKeys, StepKind};
use crate::scenario::ctx::Ctx;
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::result::Failure;
use crate::scenario::rewrite::Rewrite;

/// `{ transfer = "12", from = "table1/secretaire1" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub phone: PhoneId,
    pub number: String,
}

impl StepKind for Transfer {
    const ACTIONS: &'static [&'static str] = &["transfer"];
    const KEYS: &'static [&'static str] = &["from"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let (number, from) = keys.keyed_by("transfer")?;
        Some(Transfer { phone: from?, number: number? })
    }

    fn describe(&self) -> String {
        format!("{} transfers the call to {}", self.phone, self.number)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Transfer { phone: r.phone(&self.phone), number: r.number(&self.phone, &self.number) }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let uri = format!("sip:{}@{}", self.number, ctx.registrar(&self.phone));
        ctx.on_call(&self.phone, "transfer", &uri).await?;
        ctx.dialled.push((self.phone.clone(), self.number.clone()));
        Ok(())
    }
}
