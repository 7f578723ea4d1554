//! `watch`: a phone subscribes to an extension's line state: `Event: dialog`
//! as a BLF key does, or `Event: presence` as a softphone's buddy list does.

use super::{StepKeys, StepKind};
use crate::model::ports;
use crate::runtime::docker::EngineError;
use crate::scenario::ctx::{Ctx, Watcher};
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::result::{broken, Failure};
use crate::scenario::rewrite::Rewrite;
use crate::scenario::sipp::Sipp;

/// The SIPp scenarios, copied into the phone container when a watch starts:
/// `Event: dialog` (BLF keys) or `Event: presence` (softphone buddy lists).
const DIALOG_SCENARIO: &str = include_str!("../sipp/blf_watch.xml");
const PRESENCE_SCENARIO: &str = include_str!("../sipp/presence_watch.xml");

/// `{ watch = "12", from = "table1/secretaire1", event = "presence" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub phone: PhoneId,
    pub extension: String,
    pub presence: bool,
}

impl StepKind for Watch {
    const ACTIONS: &'static [&'static str] = &["watch"];
    const KEYS: &'static [&'static str] = &["from", "event"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let (extension, from) = keys.keyed_by("watch")?;
        let presence = match keys.text("event") {
            None if keys.has("event") => None,
            None => Some(false),
            Some(e) => match e.get_ref().as_str() {
                "dialog" => Some(false),
                "presence" => Some(true),
                other => {
                    keys.error(e.span(), "event", format!("{other:?}: expected \"dialog\" or \"presence\""));
                    None
                }
            },
        };
        Some(Watch { phone: from?, extension: extension?, presence: presence? })
    }

    fn describe(&self) -> String {
        match self.presence {
            false => format!("{} watches extension {}", self.phone, self.extension),
            true => format!("{} subscribes to extension {}'s presence", self.phone, self.extension),
        }
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Watch {
            phone: r.phone(&self.phone),
            extension: r.number(&self.phone, &self.extension),
            presence: self.presence,
        }
    }

    /// Starts SIPp in the watcher's phone container, subscribed with its
    /// credentials to the extension's line state; it unsubscribes by itself
    /// after as many NOTIFYs as the check has line-state steps (or 60 s).
    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let (phone, extension) = (&self.phone, self.extension.as_str());
        let expected = format!("watch {extension} as {phone}");
        let broken = |e: EngineError| broken(expected.clone(), e.to_string());
        let (scenario, name) =
            if self.presence { (PRESENCE_SCENARIO, "presence_watch") } else { (DIALOG_SCENARIO, "blf_watch") };
        let log = format!("/tmp/blf-{}.log", phone.account);
        let notifies = ctx.line_state_steps.max(1).to_string();
        let run = Sipp {
            scenario,
            name,
            port_base: ports::WATCHERS_SIP_BASE,
            args: vec![
                "-key",
                "ext",
                extension,
                "-set",
                "duration",
                "60",
                "-set",
                "notifies",
                &notifies,
                "-default_behaviors",
                "all,-bye",
            ],
            timeout: "90s",
            log: log.clone(),
        };
        let argv = ctx.sipp_command(phone, &run).await.map_err(broken)?;
        let args: Vec<&str> = argv.iter().map(String::as_str).collect();
        let container = ctx.phone_container(phone);
        ctx.shared.engine.exec_detached(&container, &args).await.map_err(broken)?;
        ctx.watcher = Some(Watcher { phone: phone.clone(), log, read: 0, last: None });
        Ok(())
    }
}
