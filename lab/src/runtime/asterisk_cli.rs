//! Asking a running Asterisk what it knows, through `asterisk -rx` in its container.

use std::collections::BTreeMap;

use super::docker::{Engine, EngineError, ExecOutput};

/// Asterisk's interactive console, for a user's terminal.
pub const CONSOLE: &[&str] = &["asterisk", "-rvvv"];

/// The one place the lab runs `asterisk -rx`.
async fn rx(engine: &Engine, container: &str, cli: &str) -> Result<ExecOutput, EngineError> {
    engine.exec(container, &["asterisk", "-rx", cli]).await
}

/// Runs one CLI command; `None` while Asterisk's control socket is not up yet.
pub async fn command(engine: &Engine, container: &str, cli: &str) -> Result<Option<String>, EngineError> {
    let out = rx(engine, container, cli).await?;
    let not_up = out.output.contains("Unable to connect to remote asterisk") || out.code != 0;
    Ok((!not_up).then_some(out.output))
}

/// What one CLI command prints, whatever it says: a user's own command,
/// whose errors (an unknown command, Asterisk not up) are the answer.
pub async fn printed(engine: &Engine, container: &str, cli: &str) -> Result<String, EngineError> {
    Ok(rx(engine, container, cli).await?.output)
}

/// True once Asterisk reports itself fully booted.
pub async fn fully_booted(engine: &Engine, container: &str) -> Result<bool, EngineError> {
    Ok(command(engine, container, "core waitfullybooted").await?.is_some_and(|o| o.contains("fully booted")))
}

/// Waits inside the container, up to `secs`, for Asterisk to report itself
/// fully booted; true if it did. One `docker exec` for the whole wait: each
/// exec costs a tenth of a second of processor, which a lab starting five
/// Asterisks at once on two cores would otherwise spend polling them.
pub async fn await_booted(engine: &Engine, container: &str, secs: u64) -> Result<bool, EngineError> {
    let until = r#"until asterisk -rx "core waitfullybooted" 2>/dev/null | grep -q "fully booted"; do sleep 0.1; done"#;
    let secs = secs.to_string();
    Ok(engine.exec(container, &["timeout", &secs, "sh", "-c", until]).await?.code == 0)
}

/// AOR names that have a reachable (registered) contact, with the address
/// the registration came from (the contact as rewritten to its source).
pub async fn registered_aors(engine: &Engine, container: &str) -> Result<BTreeMap<String, String>, EngineError> {
    let Some(contacts) = command(engine, container, "pjsip show contacts").await? else {
        return Ok(BTreeMap::new());
    };
    // `pjsip show contacts` cuts long URIs short; the registrar's records are whole.
    let sources = command(engine, container, "database show registrar/contact").await?.unwrap_or_default();
    let sources = parse_contact_sources(&sources);
    Ok(parse_contacts(&contacts)
        .into_keys()
        .map(|aor| {
            let from = sources.get(&aor).cloned().unwrap_or_default();
            (aor, from)
        })
        .collect())
}

/// Names of the channels Asterisk has open (`PJSIP/patron1-00000012`);
/// `None` while its control socket is not up.
pub async fn channels(engine: &Engine, container: &str) -> Result<Option<Vec<String>>, EngineError> {
    Ok(command(engine, container, "core show channels concise").await?.map(|out| parse_channels(&out)))
}

/// Asks Asterisk to hang a channel up (it goes a moment later).
pub async fn hang_up(engine: &Engine, container: &str, channel: &str) -> Result<(), EngineError> {
    command(engine, container, &format!("channel request hangup {channel}")).await.map(|_| ())
}

/// Parses `core show channels concise`: one `name!context!exten!…` line per channel.
pub fn parse_channels(output: &str) -> Vec<String> {
    output
        .lines()
        .filter(|l| l.contains('!'))
        .filter_map(|l| l.split('!').next())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .collect()
}

/// Keys (`<aor>;@<hash>`) of `aor`'s contacts in `database show registrar/contact`.
pub fn contact_keys(output: &str, aor: &str) -> Vec<String> {
    let prefix = format!("/registrar/contact/{aor};@");
    output
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter_map(|rest| rest.split_once(':').map(|(hash, _)| format!("{aor};@{}", hash.trim())))
        .collect()
}

/// Parses `database show registrar/contact`:
/// `/registrar/contact/<aor>;@<hash>: {"uri":"sip:patron1-0x5646@172.28.1.10:5060",…}`
/// -> the URI's host. (`via_addr` is what the phone wrote in Via, not its source.)
pub fn parse_contact_sources(output: &str) -> BTreeMap<String, String> {
    output
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("/registrar/contact/")?;
            let (aor, record) = rest.split_once(";@")?;
            let json = record.split_once(": ")?.1;
            let value: serde_json::Value = serde_json::from_str(json.trim()).ok()?;
            let uri = value.get("uri")?.as_str()?;
            let host = uri.split_once('@').map_or(uri, |(_, h)| h).split([':', ';', '>']).next()?;
            Some((aor.to_string(), host.to_string()))
        })
        .collect()
}

/// Parses `pjsip show contacts`: `  Contact:  <aor>/<uri>  <hash> <status> <rtt>`.
pub fn parse_contacts(output: &str) -> BTreeMap<String, String> {
    output
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("Contact:"))
        .filter_map(|rest| {
            let mut fields = rest.split_whitespace();
            let aor_uri = fields.next()?;
            if aor_uri.starts_with('<') {
                return None; // the header line
            }
            let status = fields.nth(1).unwrap_or("");
            let (aor, uri) = aor_uri.split_once('/')?;
            (!matches!(status, "Unavail" | "Unreachable")).then(|| (aor.to_string(), uri.to_string()))
        })
        .collect()
}

/// Whether `pjsip show registrations` lists at least one outbound
/// registration and every one is `Registered` (not Unregistered, Rejected…).
pub fn all_registrations_registered(output: &str) -> bool {
    let rows: Vec<&str> = output.lines().filter(|l| l.trim_start().contains("/sip:")).collect();
    !rows.is_empty() && rows.iter().all(|l| l.split_whitespace().any(|w| w == "Registered"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_registered_contacts_and_skips_unreachable_ones() {
        let out = "\n  Contact:  <Aor/ContactUri..............................> <Hash....> <Status> <RTT(ms)..>\n\
==========================================================================================\n\n\
  Contact:  patron1/sip:patron1@172.28.1.10:5060;transport=udp c3a1d2e4f5 NonQual         nan\n\
  Contact:  assistant1/sip:assistant1@172.28.1.10:5060        0a1b2c3d4e Unavail         nan\n\
  Contact:  table1/sip:table1@172.28.0.11:5060                1a2b3c4d5e Avail         1.203\n\n\
Objects found: 3\n";
        let aors: Vec<_> = parse_contacts(out).into_keys().collect();
        assert_eq!(aors, ["patron1", "table1"]);
    }

    #[test]
    fn channel_names_are_read_from_the_concise_list() {
        let out = "PJSIP/assistant1-00000001!internal!12!1!Ringing!AppDial!(Outgoing Line)!12!!!3!5!!1796229935.1\n\
PJSIP/patron1-00000000!internal!12!2!Ring!Dial!PJSIP/assistant1,10,tTxXkKb(ring-class^s^1)!11!!!3!5!!1796229935.0\n";
        assert_eq!(parse_channels(out), ["PJSIP/assistant1-00000001", "PJSIP/patron1-00000000"]);
        assert!(parse_channels("").is_empty(), "no channel open");
    }

    #[test]
    fn contact_sources_are_read_from_the_registrar() {
        let out = "/registrar/contact/assistant1;@c514fcfd: {\"via_addr\":\"172.28.1.10\",\"uri\":\"sip:assistant1-0x56@172.28.1.10:5060\"}\n\
/registrar/contact/secretaire1;@8b3cc955: {\"via_addr\":\"127.0.0.1\",\"uri\":\"sip:x@172.28.1.1:48397;x-ast-orig-host=127.0.0.1:25060\"}\n\
2 results found.\n";
        assert_eq!(contact_keys(out, "secretaire1"), ["secretaire1;@8b3cc955"]);
        let sources = parse_contact_sources(out);
        assert_eq!(sources["assistant1"], "172.28.1.10");
        assert_eq!(sources["secretaire1"], "172.28.1.1");
    }

    #[test]
    fn outbound_registrations_are_read_from_the_cli() {
        let shown = " <Registration/ServerURI..............................>  <Auth....................>  <Status.......>\n\
                     ==========================================================================================\n\n\
                      operator-reg-0/sip:172.28.0.2:5060                      operator-oauth              Registered        (exp. 91s)\n\n\
                     Objects found: 1\n";
        assert!(all_registrations_registered(shown));
        assert!(!all_registrations_registered(&shown.replace("Registered ", "Rejected ")));
        assert!(!all_registrations_registered(&shown.replace("Registered ", "Unregistered ")));
        assert!(!all_registrations_registered("No objects found.\n"), "no registration at all");
    }
}
