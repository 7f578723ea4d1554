//! `fails`: the call a phone made ends with a SIP final status (486 busy,
//! 404 no such number…).

use std::time::Duration;

use super::{StepKeys, StepKind};
use crate::scenario::ctx::Ctx;
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::phones::EventKind;
use crate::scenario::result::{fail, Failure};
use crate::scenario::rewrite::Rewrite;

const FAIL_TIMEOUT: Duration = Duration::from_secs(15);

/// `{ fails = "table1/patron2", status = 486 }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fails {
    pub phone: PhoneId,
    pub status: u16,
}

impl StepKind for Fails {
    const ACTIONS: &'static [&'static str] = &["fails"];
    const KEYS: &'static [&'static str] = &["status"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let phone = keys.phone("fails");
        keys.present("status", "`fails` needs `status`: the SIP final status expected, e.g. 486");
        let status = keys.integer("status").and_then(|st| keys.status(&st, 400..700, "SIP failure status"));
        Some(Fails { phone: phone?, status: status? })
    }

    fn describe(&self) -> String {
        format!("{}'s call ends with SIP {}", self.phone, self.status)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Fails { phone: r.phone(&self.phone), status: self.status }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let (phone, status) = (&self.phone, self.status);
        let expected = format!("the call ends with SIP {status}");
        let event = ctx
            .wait(FAIL_TIMEOUT, |e| {
                Ctx::is(e, phone, EventKind::CallClosed) || Ctx::is(e, phone, EventKind::CallEstablished)
            })
            .await;
        match event {
            Some(e) if e.kind == EventKind::CallClosed => {
                ctx.calls.remove(phone);
                let got: Option<u16> = e.param.split_whitespace().next().and_then(|s| s.parse().ok());
                if got == Some(status) {
                    Ok(())
                } else {
                    let reason = if e.param.is_empty() { "no SIP status (hung up)".into() } else { e.param.clone() };
                    Err(fail(expected, format!("it ended with {reason}")))
                }
            }
            Some(_) => Err(fail(expected, "it was answered")),
            None => Err(fail(expected, format!("it was still going after {} s", FAIL_TIMEOUT.as_secs()))),
        }
    }
}
