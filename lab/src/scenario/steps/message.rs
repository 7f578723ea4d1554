//! `message`: a phone sends an instant message (SIP MESSAGE) to a number;
//! the IPBX answers a status (202 accepted, 404 no such number).

use super::{StepKeys, StepKind};
use crate::model::ports;
use crate::scenario::ctx::Ctx;
use crate::scenario::names::{is_keypad, PhoneId, Resource};
use crate::scenario::result::{broken, fail, Failure};
use crate::scenario::rewrite::Rewrite;
use crate::scenario::sipp::Sipp;

/// A real SIP UA (SIPp) sends the MESSAGE with the sender's credentials, as a
/// softphone would; baresip 1.1 can only receive them.
const SCENARIO: &str = include_str!("../sipp/message.xml");

/// `{ message = "hello", from = "table1/patron1", to = "*212" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendMessage {
    pub phone: PhoneId,
    pub to: String,
    pub text: String,
    pub status: u16,
}

impl StepKind for SendMessage {
    const ACTIONS: &'static [&'static str] = &["message"];
    const KEYS: &'static [&'static str] = &["from", "to", "status"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let text = keys.text("message")?.into_inner();
        if !keys.has("from") || !keys.has("to") {
            keys.error(keys.span(), "message", "`message` needs `from` (the sender) and `to` (the number)");
        }
        let to = keys.text("to").and_then(|to| {
            let number = is_keypad(to.get_ref()).then(|| to.get_ref().clone());
            if number.is_none() {
                keys.error(to.span(), "to", format!("{:?} is not a number a phone can address", to.get_ref()));
            }
            number
        });
        let status = match keys.integer("status") {
            Some(st) => keys.status(&st, 200..700, "SIP status"),
            None if keys.has("status") => None,
            None => Some(202),
        };
        let from = keys.phone("from");
        Some(SendMessage { phone: from?, to: to?, text, status: status? })
    }

    fn describe(&self) -> String {
        format!("{} sends a message to {} (SIP {})", self.phone, self.to, self.status)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        SendMessage {
            phone: r.phone(&self.phone),
            to: r.number(&self.phone, &self.to),
            text: self.text.clone(),
            status: self.status,
        }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let (phone, to, status) = (&self.phone, self.to.as_str(), self.status);
        let expected = format!("{phone}'s message to {to} is answered {status}");
        let log = format!("/tmp/message-{}.log", phone.account);
        let run = Sipp {
            scenario: SCENARIO,
            name: "message",
            port_base: ports::SENDERS_SIP_BASE,
            args: vec!["-key", "to", to, "-key", "text", &self.text],
            timeout: "15s",
            log: log.clone(),
        };
        let args = ctx.sipp_command(phone, &run).await.map_err(|e| broken(expected.clone(), e.to_string()))?;
        let script = format!("\"$@\" >/dev/null 2>&1; cat {log}");
        let mut argv = vec!["sh", "-c", script.as_str(), "sh"];
        argv.extend(args.iter().map(String::as_str));
        let out = ctx
            .shared
            .engine
            .exec(&ctx.phone_container(phone), &argv)
            .await
            .map_err(|e| broken(expected.clone(), e.to_string()))?
            .output;
        let code: Option<u16> = out
            .lines()
            .find_map(|l| l.strip_prefix("RESULT code="))
            .and_then(|r| r.split_whitespace().next())
            .and_then(|c| c.parse().ok());
        match code {
            Some(c) if c == status => Ok(()),
            Some(c) => {
                let line = out.lines().find(|l| l.starts_with("RESULT")).unwrap_or_default().to_string();
                Err(fail(expected, format!("the IPBX answered {c}: {line}")))
            }
            None => Err(fail(expected, "no final answer to the MESSAGE")),
        }
    }
}
