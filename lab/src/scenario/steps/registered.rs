//! `registered`: a phone is registered with its IPBX: the IPBX knows a
//! contact for its account, as `pjsip show contacts` lists it.

use std::time::Duration;

use super::{StepKeys, StepKind};
use crate::runtime::asterisk_cli;
use crate::runtime::docker::EngineError;
use crate::scenario::ctx::Ctx;
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::result::{broken, fail, Failure};
use crate::scenario::rewrite::Rewrite;
use crate::wait;

/// A softphone retries a failed registration within seconds.
const REGISTER_TIMEOUT: Duration = Duration::from_secs(10);

/// `{ registered = "table1/secretaire1" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub phone: PhoneId,
}

impl StepKind for Registered {
    const ACTIONS: &'static [&'static str] = &["registered"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        Some(Registered { phone: keys.phone("registered")? })
    }

    fn describe(&self) -> String {
        format!("{} is registered with its IPBX", self.phone)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Registered { phone: r.phone(&self.phone) }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let phone = &self.phone;
        let expected = format!("{phone} is registered with {}'s IPBX", phone.site);
        let (engine, container, account) = (ctx.shared.engine, &ctx.ipbx(&phone.site), phone.account.as_str());
        let known = wait::until(&expected, REGISTER_TIMEOUT, wait::POLL, move || async move {
            let aors = asterisk_cli::registered_aors(engine, container).await?;
            Ok::<_, EngineError>(match aors.contains_key(account) {
                true => wait::Poll::Ready(()),
                false => wait::Poll::Pending(format!("{} other accounts registered", aors.len())),
            })
        });
        match known.await {
            Ok(()) => Ok(()),
            Err(wait::Error::Failed(e)) => Err(broken(expected, e.to_string())),
            Err(wait::Error::TimedOut { last, waited, .. }) => {
                Err(fail(expected, format!("no contact for {account} within {} s ({last})", waited.as_secs())))
            }
        }
    }
}
