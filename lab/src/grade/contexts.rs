//! Contexts that are named and must exist: where endpoints send their
//! messages and subscriptions, where the trunk's calls arrive, where a Goto
//! or Gosub jumps; and the trunk's context answering every public number of
//! the site (the operator hands the site its calls by public number).
//! The phones' own `context` is checked with the phones.

use super::facts::{finding, part_of_extension, Facts};
use super::messages::{ContextUse, Problem};
use super::{Finding, Part};
use crate::asterisk_conf::dialplan::{pjsip_endpoint, targets, Step};
use crate::asterisk_conf::Entry;

/// Contexts Asterisk makes itself.
const BUILT_IN: [&str; 1] = ["parkedcalls"];

pub(super) fn check(facts: &Facts, findings: &mut Vec<Finding>) {
    if facts.plan.contexts.is_empty() {
        return; // no dialplan: said once, as a missing file
    }
    let exists = |name: &str| facts.plan.context(name).is_some() || BUILT_IN.contains(&name);
    let phones: Vec<&str> = facts.site.phones.iter().map(|p| p.account.as_str()).collect();
    for endpoint in &facts.accounts.endpoints {
        let mut named: Vec<(&Entry, ContextUse)> = Vec::new();
        if !phones.contains(&endpoint.name.as_str()) {
            named.extend(endpoint.context.iter().map(|e| (e, ContextUse::Calls)));
        }
        named.extend(endpoint.message_context.iter().map(|e| (e, ContextUse::Messages)));
        named.extend(endpoint.subscribe_context.iter().map(|e| (e, ContextUse::Subscriptions)));
        for (entry, used) in named {
            if !exists(&entry.value) && !entry.value.contains('$') {
                let part = match used {
                    ContextUse::Messages => Part::Challenges,
                    ContextUse::Subscriptions => Part::III,
                    ContextUse::Calls | ContextUse::Jump => Part::II,
                };
                let problem = Problem::ContextMissing { context: entry.value.clone(), used, by: endpoint.name.clone() };
                // One finding per line: a template's line names it once for all.
                if !findings.iter().any(|f| f.at == entry.at) {
                    findings.push(finding(part, entry.at.clone(), entry.text.clone(), problem));
                }
            }
        }
    }
    for step in facts.plan.contexts.iter().flat_map(|c| &c.steps) {
        if let Some(context) = jump_context(step).filter(|c| !exists(c)) {
            let problem = Problem::ContextMissing { context, used: ContextUse::Jump, by: step.extension.clone() };
            let part = part_of_extension(facts.lab, &step.extension);
            findings.push(finding(part, step.at.clone(), step.text.clone(), problem));
        }
    }
    trunk_answers(facts, findings);
}

/// The context a Goto, GotoIf, Gosub or GosubIf names literally, if any.
fn jump_context(step: &Step) -> Option<String> {
    let app = step.app.to_ascii_lowercase();
    let targets: Vec<&str> = match app.as_str() {
        "goto" | "gosub" => vec![step.args.as_str()],
        "gotoif" | "gosubif" => {
            step.args.rsplit_once('?').map(|(_, branches)| branches.split(':').collect()).unwrap_or_default()
        }
        _ => return None,
    };
    targets.into_iter().find_map(|t| {
        let t = t.split('(').next().unwrap_or(t);
        let parts: Vec<&str> = t.split(',').map(str::trim).collect();
        (parts.len() == 3 && !parts[0].contains('$') && !parts[0].is_empty()).then(|| parts[0].to_string())
    })
}

/// The operator hands the site every call by its public number: the
/// trunk's context must take each one to its phone.
fn trunk_answers(facts: &Facts, findings: &mut Vec<Finding>) {
    let Some(trunk) = facts.accounts.registrations.first() else { return };
    let Some(endpoint) = facts.accounts.endpoint(&trunk.name) else { return };
    let context = endpoint.context_name();
    if facts.plan.context(context).is_none() && endpoint.context.is_some() {
        return; // reported as a missing context
    }
    let trunks: Vec<&str> = facts.accounts.registrations.iter().map(|t| t.name.as_str()).collect();
    let n = &facts.lab.numbering;
    let mut unanswered = Vec::new();
    for phone in &facts.site.phones {
        let number = facts.site.public_number(n, &phone.number);
        let route = facts.plan.route(context, &number);
        let dialled: Vec<&str> =
            route.steps.iter().filter(|s| s.is_app("Dial")).flat_map(|s| targets(&s.args)).collect();
        // Handed to the phone's extension, whatever it does there (that is
        // the extension's own finding), or ringing the phone.
        let rings = dialled.iter().any(|t| pjsip_endpoint(t) == Some(phone.account.as_str()))
            || route.steps.iter().any(|s| s.extension == phone.extension);
        // A number sent back out through the trunk is no answer (the
        // operator would hand it back: a loop); another variable cannot be known.
        let through_trunk = |t: &&str| pjsip_endpoint(t).is_some_and(|e| trunks.contains(&e));
        let unknowable = route.partial || dialled.iter().any(|t| t.contains('$') && !through_trunk(t));
        if !rings && !unknowable {
            unanswered.push(number);
        }
    }
    if unanswered.is_empty() {
        return;
    }
    let all = unanswered.len() == facts.site.phones.len();
    let (at, text) = match &endpoint.context {
        Some(e) => (e.at.clone(), e.text.clone()),
        None => (endpoint.at.clone(), format!("[{}]", endpoint.name)),
    };
    let problem = Problem::PublicNumbersUnanswered {
        trunk: endpoint.name.clone(),
        context: context.to_string(),
        numbers: unanswered,
        all,
    };
    findings.push(finding(Part::II, at, text, problem));
}
