//! Instant messages: a real SIP UA (SIPp, `sipp/message.xml`) sends a MESSAGE
//! with the sender's credentials, as a softphone would; baresip 1.1 can only
//! receive them.

use super::check::{fail, Ctx};
use super::runner::Failure;
use super::PhoneId;

const SCENARIO: &str = include_str!("sipp/message.xml");
const SCENARIO_PATH: &str = "/tmp/message.xml";

impl Ctx<'_, '_> {
    pub(super) async fn send_message(
        &mut self,
        phone: &PhoneId,
        to: &str,
        text: &str,
        status: u16,
    ) -> Result<(), Failure> {
        let expected = format!("{phone}'s message to {to} is answered {status}");
        let container = self.phone_container(phone);
        let (address, password) = self.sip_identity(phone);
        let engine = self.shared.engine;
        let copy = format!("printf '%s' \"$0\" > {SCENARIO_PATH}");
        engine
            .exec(&container, &["sh", "-c", &copy, SCENARIO])
            .await
            .map_err(|e| fail(expected.clone(), e.to_string()))?;
        let log = format!("/tmp/message-{}.log", phone.account);
        // One SIP port per sending account, beside baresip's 5060 and the watchers'.
        let port = (5200 + self.account_index(phone)).to_string();
        let (ip, registrar) = (address.to_string(), format!("{}:5060", self.registrar(phone)));
        let args = [
            "sipp",
            "-sf",
            SCENARIO_PATH,
            "-key",
            "to",
            to,
            "-key",
            "text",
            text,
            "-s",
            &phone.account,
            "-ap",
            &password,
            "-i",
            &ip,
            "-p",
            &port,
            "-m",
            "1",
            "-timeout",
            "15s",
            "-nostdin",
            "-trace_logs",
            "-log_file",
            &log,
            &registrar,
        ];
        let script = format!("rm -f {log}; \"$@\" >/dev/null 2>&1; cat {log}");
        let mut argv = vec!["sh", "-c", script.as_str(), "sh"];
        argv.extend(args);
        let out = engine.exec(&container, &argv).await.map_err(|e| fail(expected.clone(), e.to_string()))?.output;
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
