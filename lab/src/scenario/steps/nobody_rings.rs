//! `nobody_rings`: no phone of these sites rang for the flow's last call.

use super::{StepKeys, StepKind};
use crate::gen::OPERATOR;
use crate::scenario::ctx::Ctx;
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::phones::{sip_user, EventKind};
use crate::scenario::result::{fail, Failure};
use crate::scenario::rewrite::Rewrite;

/// `{ nobody_rings = ["table1", "table2"] }`, after a `dial`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NobodyRings {
    pub caller: PhoneId,
    pub sites: Vec<String>,
}

impl StepKind for NobodyRings {
    const ACTIONS: &'static [&'static str] = &["nobody_rings"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let v = keys.texts("nobody_rings", true)?;
        let lab = keys.lab();
        let mut known = true;
        for site in v.get_ref().iter().filter(|site| lab.site(site).is_none() && *site != OPERATOR) {
            keys.error(v.span(), "nobody_rings", format!("the lab has no site {site:?}"));
            known = false;
        }
        let Some(caller) = keys.last_caller() else {
            keys.error(v.span(), "nobody_rings", "`nobody_rings` follows a `dial`");
            return None;
        };
        known.then_some(NobodyRings { caller: caller?, sites: v.into_inner() })
    }

    fn describe(&self) -> String {
        format!("no phone of {} rings", self.sites.join(", "))
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.caller).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        NobodyRings { caller: r.phone(&self.caller), sites: self.sites.iter().map(|s| r.site(s)).collect() }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        ctx.drain();
        let numbers = ctx.caller_numbers(&self.caller);
        let rang: Vec<String> = ctx
            .log
            .iter()
            .filter(|e| e.kind == EventKind::CallIncoming && self.sites.contains(&e.site))
            .filter(|e| numbers.contains(&sip_user(&e.peer)))
            .map(|e| format!("{}/{}", e.site, e.account))
            .collect();
        if rang.is_empty() {
            Ok(())
        } else {
            Err(fail("no phone rings", format!("{} rang", rang.join(", "))))
        }
    }
}
