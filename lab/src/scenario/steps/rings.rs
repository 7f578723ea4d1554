//! `rings`: a phone rings, called by the flow's last caller or by `from`
//! (a parked call coming back); with `alert`, the ring class its INVITE's
//! Alert-Info header carries.

use std::time::Duration;

use super::{StepKeys, StepKind};
use crate::scenario::ctx::{Ctx, RING_TIMEOUT};
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::phones::EventKind;
use crate::scenario::result::{fail, Failure};
use crate::scenario::rewrite::Rewrite;

/// A parked call rings its parker again only after the lot's timeout.
const RETURN_TIMEOUT: Duration = Duration::from_secs(crate::gen::features::PARKING_SECONDS as u64 + 10);

/// `{ rings = "table1/patron1", from = "table2/patron1", alert = "external" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rings {
    pub phone: PhoneId,
    pub from: Option<PhoneId>,
    pub alert: Option<String>,
}

impl StepKind for Rings {
    const ACTIONS: &'static [&'static str] = &["rings"];
    const KEYS: &'static [&'static str] = &["from", "alert"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let phone = keys.phone("rings");
        let from = keys.optional_phone("from");
        let alert = keys.text("alert").map(|a| a.into_inner());
        Some(Rings { phone: phone?, from: from?, alert })
    }

    fn describe(&self) -> String {
        match &self.alert {
            Some(a) => format!("{} rings with the {a} ring", self.phone),
            None => format!("{} rings", self.phone),
        }
    }

    fn resources(&self) -> Vec<Resource> {
        std::iter::once(&self.phone).chain(&self.from).map(Resource::from).collect()
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Rings { phone: r.phone(&self.phone), from: self.from.as_ref().map(|f| r.phone(f)), alert: self.alert.clone() }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let phone = &self.phone;
        let caller = self.from.clone().or_else(|| ctx.last_caller.clone());
        // A call coming back from the parking lot rings only after its timeout.
        let timeout = if self.from.is_some() { RETURN_TIMEOUT } else { RING_TIMEOUT };
        let event = ctx
            .wait(timeout, |e| {
                Ctx::is(e, phone, EventKind::CallIncoming)
                    || caller.as_ref().is_some_and(|c| Ctx::is(e, c, EventKind::CallClosed))
            })
            .await;
        let e = match event {
            Some(e) if e.kind == EventKind::CallIncoming => e,
            Some(e) => {
                if let Some(c) = &caller {
                    ctx.calls.remove(c);
                }
                return Err(fail(format!("{phone} rings"), format!("the call ended before it rang: {}", e.param)));
            }
            None => {
                return Err(fail(
                    format!("{phone} rings"),
                    format!("it did not ring within {} s", RING_TIMEOUT.as_secs()),
                ))
            }
        };
        ctx.calls.insert(phone.clone(), e.call_id.clone().unwrap_or_default());
        if let Some(c) = caller {
            ctx.peers.insert(phone.clone(), c.clone());
            ctx.peers.insert(c, phone.clone());
        }
        if let Some(wanted) = &self.alert {
            let expected = format!("{phone} is told to ring the {wanted} way (Alert-Info ...;info={wanted})");
            match ctx.alert_info(phone).await {
                Some(Some(h)) if h.contains(&format!("info={wanted}")) => {}
                Some(Some(h)) => return Err(fail(expected, format!("its INVITE carried Alert-Info: {h}"))),
                Some(None) => return Err(fail(expected, "its INVITE carried no Alert-Info header")),
                None => return Err(fail(expected, "no INVITE to it was found in its IPBX's SIP capture")),
            }
        }
        Ok(())
    }
}
