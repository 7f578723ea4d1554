//! SIPp acting as a phone, beside baresip in the phone's container: for what
//! baresip 1.1 cannot do (subscribe to a colleague's state, send a MESSAGE).

use super::ctx::Ctx;
use super::names::PhoneId;
use crate::model::ports;
use crate::runtime::docker::EngineError;

/// One SIPp run for `phone`.
pub(super) struct Sipp<'a> {
    /// The scenario's XML, and the name it is copied under in the container.
    pub scenario: &'static str,
    pub name: &'static str,
    /// Local SIP ports: this plus the account's index, so no two accounts share one.
    pub port_base: u16,
    /// Scenario arguments (`-key ext 22`, `-set duration 60`, ...).
    pub args: Vec<&'a str>,
    pub timeout: &'static str,
    pub log: String,
}

impl Ctx<'_, '_> {
    /// Copies the scenario into the phone's container and returns SIPp's
    /// command line acting as `phone`: its credentials, its container's
    /// address, a port of its own, a log file.
    pub(super) async fn sipp_command(&self, phone: &PhoneId, run: &Sipp<'_>) -> Result<Vec<String>, EngineError> {
        let container = self.phone_container(phone);
        let path = format!("/tmp/{}.xml", run.name);
        let copy = format!("printf '%s' \"$0\" > {path}; rm -f {}", run.log);
        self.shared.engine.exec(&container, &["sh", "-c", &copy, run.scenario]).await?;
        let (address, password) = self.sip_identity(phone);
        let port = (usize::from(run.port_base) + self.account_index(phone)).to_string();
        let mut argv: Vec<String> = vec!["sipp".into(), "-sf".into(), path];
        argv.extend(run.args.iter().map(|a| a.to_string()));
        for a in [
            "-s",
            &phone.account,
            "-ap",
            &password,
            "-i",
            &address.to_string(),
            "-p",
            &port,
            "-m",
            "1",
            "-timeout",
            run.timeout,
            "-nostdin",
            "-trace_logs",
            "-log_file",
            &run.log,
        ] {
            argv.push(a.to_string());
        }
        argv.push(format!("{}:{}", self.registrar(phone), ports::SIP));
        Ok(argv)
    }
}
