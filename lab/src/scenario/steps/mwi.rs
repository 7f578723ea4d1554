//! `mwi`: a phone is told whether messages wait in its box (MWI NOTIFY).

use std::time::Duration;

use super::{StepKeys, StepKind};
use crate::scenario::ctx::Ctx;
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::phones::EventKind;
use crate::scenario::result::{fail, Failure};
use crate::scenario::rewrite::Rewrite;

const MWI_TIMEOUT: Duration = Duration::from_secs(15);

/// `{ mwi = "yes", phone = "table3/patron2" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mwi {
    pub phone: PhoneId,
    pub waiting: bool,
}

impl StepKind for Mwi {
    const ACTIONS: &'static [&'static str] = &["mwi"];
    const KEYS: &'static [&'static str] = &["phone"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let v = keys.text("mwi")?;
        let waiting = match v.get_ref().as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            other => {
                keys.error(v.span(), "mwi", format!("{other:?}: expected \"yes\" or \"no\" (messages waiting)"));
                None
            }
        };
        let owner = keys.required_phone("phone", "`mwi` needs `phone`: whose indicator");
        Some(Mwi { phone: owner?, waiting: waiting? })
    }

    fn describe(&self) -> String {
        match self.waiting {
            true => format!("{} shows messages waiting", self.phone),
            false => format!("{} shows no message waiting", self.phone),
        }
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Mwi { phone: r.phone(&self.phone), waiting: self.waiting }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let phone = &self.phone;
        let wanted = format!("Messages-Waiting: {}", if self.waiting { "yes" } else { "no" });
        let got = ctx
            .wait(MWI_TIMEOUT, |e| Ctx::is(e, phone, EventKind::MwiNotify) && e.param.contains(&wanted))
            .await;
        match got {
            Some(_) => Ok(()),
            None => Err(fail(
                format!("{phone} is notified \"{wanted}\""),
                format!("no such MWI NOTIFY within {} s", MWI_TIMEOUT.as_secs()),
            )),
        }
    }
}
