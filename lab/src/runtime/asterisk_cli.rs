//! Asking a running Asterisk what it knows, through `asterisk -rx` in its container.

use std::collections::BTreeSet;

use super::docker::{Engine, EngineError};

/// Runs one CLI command; `None` while Asterisk's control socket is not up yet.
pub async fn command(engine: &Engine, container: &str, cli: &str) -> Result<Option<String>, EngineError> {
    let out = engine.exec(container, &["asterisk", "-rx", cli]).await?;
    let not_up = out.output.contains("Unable to connect to remote asterisk") || out.code != 0;
    Ok((!not_up).then_some(out.output))
}

/// True once Asterisk reports itself fully booted.
pub async fn fully_booted(engine: &Engine, container: &str) -> Result<bool, EngineError> {
    Ok(command(engine, container, "core waitfullybooted").await?.is_some_and(|o| o.contains("fully booted")))
}

/// AOR names that have at least one reachable (registered) contact.
pub async fn registered_aors(engine: &Engine, container: &str) -> Result<BTreeSet<String>, EngineError> {
    Ok(command(engine, container, "pjsip show contacts").await?.map(|o| parse_contacts(&o)).unwrap_or_default())
}

/// Parses `pjsip show contacts`: `  Contact:  <aor>/<uri>  <hash> <status> <rtt>`.
pub fn parse_contacts(output: &str) -> BTreeSet<String> {
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
            let (aor, _) = aor_uri.split_once('/')?;
            (!matches!(status, "Unavail" | "Unreachable")).then(|| aor.to_string())
        })
        .collect()
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
        let aors: Vec<_> = parse_contacts(out).into_iter().collect();
        assert_eq!(aors, ["patron1", "table1"]);
    }
}
