//! `parked`: a site's parking lot holds a call at a space.

use super::{StepKeys, StepKind};
use crate::runtime::asterisk_cli;
use crate::runtime::docker::EngineError;
use crate::scenario::ctx::{Ctx, ANSWER_TIMEOUT};
use crate::scenario::names::Resource;
use crate::scenario::result::{broken, fail, Failure};
use crate::scenario::rewrite::Rewrite;
use crate::wait;

/// `{ parked = "701", site = "table1" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parked {
    pub site: String,
    pub space: String,
}

impl StepKind for Parked {
    const ACTIONS: &'static [&'static str] = &["parked"];
    const KEYS: &'static [&'static str] = &["site"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let space = keys.text("parked")?;
        let site = keys.required("site", "`parked` needs `site`: whose parking lot")?;
        let site = keys.site_of(&site, "site")?;
        Some(Parked { site, space: space.into_inner() })
    }

    fn describe(&self) -> String {
        format!("{}'s parking lot holds a call at {}", self.site, self.space)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![Resource::ParkingLot { site: self.site.clone() }]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Parked { site: r.site(&self.site), space: self.space.clone() }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let expected = format!("{}'s parking lot holds a call at {}", self.site, self.space);
        let (engine, container, space) = (ctx.shared.engine, &ctx.ipbx(&self.site), self.space.as_str());
        let shown = wait::until(&expected, ANSWER_TIMEOUT, wait::POLL, move || async move {
            let Some(out) = asterisk_cli::command(engine, container, "parking show default").await? else {
                return Ok(wait::Poll::Pending(format!("the Asterisk in {container} did not answer its CLI")));
            };
            let holds = out.lines().any(|l| l.trim_start().starts_with("Space") && l.split_whitespace().any(|w| w == space));
            Ok::<_, EngineError>(match holds {
                true => wait::Poll::Ready(()),
                false => wait::Poll::Pending(out.lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join(" | ")),
            })
        })
        .await;
        match shown {
            Ok(()) => Ok(()),
            Err(wait::Error::Failed(e)) => Err(broken(expected, e.to_string())),
            Err(wait::Error::TimedOut { last, .. }) => {
                Err(fail(expected, format!("`parking show default` says: {last}")))
            }
        }
    }
}
