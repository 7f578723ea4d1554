//! `receives`: a phone receives an instant message, from a given phone when
//! `from` says so (shown by the number that reaches it back).

use super::{StepKeys, StepKind};
use crate::scenario::ctx::{Ctx, RING_TIMEOUT};
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::phones::{sip_user, EventKind};
use crate::scenario::result::{fail, Failure};
use crate::scenario::rewrite::Rewrite;

/// `{ receives = "hello", phone = "table2/patron1", from = "table1/patron1" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receives {
    pub phone: PhoneId,
    pub text: String,
    pub from: Option<PhoneId>,
}

impl StepKind for Receives {
    const ACTIONS: &'static [&'static str] = &["receives"];
    const KEYS: &'static [&'static str] = &["phone", "from"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let text = keys.text("receives")?.into_inner();
        let receiver = keys.required_phone("phone", "`receives` needs `phone`: who gets the message");
        let from = keys.optional_phone("from");
        Some(Receives { phone: receiver?, text, from: from? })
    }

    fn describe(&self) -> String {
        format!("{} receives \"{}\"", self.phone, self.text)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Receives { phone: r.phone(&self.phone), text: self.text.clone(), from: self.from.as_ref().map(|f| r.phone(f)) }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let (phone, text) = (&self.phone, &self.text);
        let got = ctx.wait(RING_TIMEOUT, |e| Ctx::is(e, phone, EventKind::Message) && e.param == *text).await;
        let Some(e) = got else {
            return Err(fail(
                format!("{phone} receives \"{text}\""),
                format!("no such message within {} s", RING_TIMEOUT.as_secs()),
            ));
        };
        if let Some(from) = &self.from {
            let numbers = ctx.caller_numbers(from);
            if !numbers.contains(&sip_user(&e.peer)) {
                return Err(fail(
                    format!("the message shows {from} as sender ({})", numbers.join(" or ")),
                    format!("it came from {}", e.peer),
                ));
            }
        }
        Ok(())
    }
}
