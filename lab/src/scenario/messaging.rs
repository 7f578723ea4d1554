//! Instant messages: a real SIP UA (SIPp, `sipp/message.xml`) sends a MESSAGE
//! with the sender's credentials, as a softphone would; baresip 1.1 can only
//! receive them.

use super::check::{broken, fail, Ctx};
use super::runner::Failure;
use super::sipp::Sipp;
use super::PhoneId;

const SCENARIO: &str = include_str!("sipp/message.xml");

impl Ctx<'_, '_> {
    pub(super) async fn send_message(
        &mut self,
        phone: &PhoneId,
        to: &str,
        text: &str,
        status: u16,
    ) -> Result<(), Failure> {
        let expected = format!("{phone}'s message to {to} is answered {status}");
        let log = format!("/tmp/message-{}.log", phone.account);
        let run = Sipp {
            scenario: SCENARIO,
            name: "message",
            // Beside baresip's 5060 and the watchers'.
            port_base: 5200,
            args: vec!["-key", "to", to, "-key", "text", text],
            timeout: "15s",
            log: log.clone(),
        };
        let args = self.sipp_command(phone, &run).await.map_err(|e| broken(expected.clone(), e.to_string()))?;
        let script = format!("\"$@\" >/dev/null 2>&1; cat {log}");
        let mut argv = vec!["sh", "-c", script.as_str(), "sh"];
        argv.extend(args.iter().map(String::as_str));
        let out = self
            .shared
            .engine
            .exec(&self.phone_container(phone), &argv)
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
