//! When most of the lab's phones have no endpoint of their name, the config
//! names them otherwise: a mapping file (`--map`) made from the names found
//! in the files, for the student to check and pass back.

use super::facts::Facts;
use crate::asterisk_conf::dialplan::{pjsip_endpoint, targets};

/// A `--map` file for the endpoints the config declares, or `None` when most
/// of the lab's phones are found under their own names.
pub(super) fn suggest(facts: &Facts) -> Option<String> {
    let phones = &facts.site.phones;
    let found = phones.iter().filter(|p| facts.accounts.endpoint(&p.account).is_some()).count();
    if found * 2 >= phones.len() {
        return None;
    }
    let trunks: Vec<&str> = facts.accounts.registrations.iter().map(|t| t.name.as_str()).collect();
    let mut entries: Vec<(String, String, String, usize)> = Vec::new();
    for endpoint in facts.accounts.endpoints.iter().filter(|e| !trunks.contains(&e.name.as_str())) {
        let name = endpoint.name.to_lowercase();
        let role = facts.lab.roles.iter().find(|r| {
            let role = r.name.to_lowercase();
            name.contains(&role) || name.contains(&role.replace("secretaire", "secrétaire"))
        });
        let extension = extension_of(facts, &endpoint.name);
        // The role by name, else by the extension's last digit (the lab's `<cabinet><role>`).
        let role = role.or_else(|| {
            let digit = extension.as_ref()?.chars().last()?.to_digit(10)?;
            facts.lab.roles.iter().find(|r| u32::from(r.digit) == digit)
        });
        let (Some(role), Some(extension)) = (role, extension) else { continue };
        // The first phone of a role is cabinet 1's, the second cabinet 2's, …
        let cabinet = entries.iter().filter(|(r, ..)| *r == role.name).count() + 1;
        entries.push((role.name.clone(), endpoint.name.clone(), extension, cabinet));
    }
    if entries.is_empty() {
        return None;
    }
    let per_role = entries;
    let cabinets = per_role.iter().map(|(.., c)| *c).max().unwrap_or(1);
    let mut out = format!("cabinets = {cabinets}\n");
    if let Some(trunk) = trunks.first() {
        out.push_str(&format!("trunk = \"{trunk}\"\n"));
    }
    for (role, endpoint, extension, cabinet) in per_role {
        out.push_str(&format!(
            "\n[[phone]]\nlab = \"{role}{cabinet}\"\nendpoint = \"{endpoint}\"\nextension = \"{extension}\"\n"
        ));
    }
    Some(out)
}

/// The extension (digits only) whose Dial rings `endpoint`, or whose hint watches it.
fn extension_of(facts: &Facts, endpoint: &str) -> Option<String> {
    let steps = facts.plan.contexts.iter().flat_map(|c| &c.steps);
    let digits = |s: &&crate::asterisk_conf::dialplan::Step| s.extension.chars().all(|c| c.is_ascii_digit());
    let names = |channels: Vec<&str>| channels.iter().any(|t| pjsip_endpoint(t) == Some(endpoint));
    let dial = steps.clone().filter(digits).find(|s| s.is_app("Dial") && names(targets(&s.args)));
    let hint = steps.filter(digits).find(|s| s.is_hint() && names(targets(&s.app)));
    dial.or(hint).map(|s| s.extension.clone())
}
