//! `dtmf`: a phone keys digits into its call (RFC 4733 events).

use super::{StepKeys, StepKind};
use crate::scenario::ctx::Ctx;
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::result::Failure;
use crate::scenario::rewrite::Rewrite;

/// `{ dtmf = "1", from = "operator/TM1" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dtmf {
    pub phone: PhoneId,
    pub digits: String,
}

impl StepKind for Dtmf {
    const ACTIONS: &'static [&'static str] = &["dtmf"];
    const KEYS: &'static [&'static str] = &["from"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let (digits, from) = keys.keyed_by("dtmf")?;
        Some(Dtmf { phone: from?, digits: digits? })
    }

    fn describe(&self) -> String {
        format!("{} keys {}", self.phone, self.digits)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Dtmf { phone: r.phone(&self.phone), digits: r.keys(&self.phone, &self.digits) }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        // What the phone hears in answer starts here.
        let size = ctx.recording_size(&self.phone).await;
        ctx.keyed_at.insert(self.phone.clone(), size);
        // baresip queues the keys and sends them one after the other (RFC 4733).
        ctx.on_call(&self.phone, "sndcode", &self.digits).await?;
        Ok(())
    }
}
