//! Patterns that shadow an extension: Asterisk looks a number up in a
//! context's own extensions first (the best match among its patterns), then
//! in its includes in order. An `_X.` of the phones' context, or of an
//! earlier include, takes a number a later include answers exactly: that
//! extension never runs for the phones.

use super::facts::{finding, part_of_extension, Facts};
use super::messages::Problem;
use super::Finding;
use crate::asterisk_conf::dialplan::Dialplan;
use crate::asterisk_conf::Place;

pub(super) fn check(facts: &Facts, findings: &mut Vec<Finding>) {
    let contexts = facts.phone_contexts();
    // Per pattern line: the numbers it takes from an include, in order.
    let mut shadowed: Vec<(Place, String, String, Vec<String>, String, String)> = Vec::new();
    for context in contexts {
        for (included, number) in exact_numbers_included(&facts.plan, context) {
            let Some((found, name)) = facts.plan.lookup(context, &number) else { continue };
            if name == number || found.name == included {
                continue;
            }
            let Some(step) = found.steps.iter().find(|s| s.extension == name && !s.is_hint()) else { continue };
            match shadowed.iter_mut().find(|(at, ..)| *at == step.at) {
                Some((.., numbers, _, _)) => numbers.push(number),
                None => shadowed.push((
                    step.at.clone(),
                    step.text.clone(),
                    name.to_string(),
                    vec![number],
                    context.to_string(),
                    included.clone(),
                )),
            }
        }
    }
    for (at, text, pattern, numbers, context, answered_in) in shadowed {
        let part = part_of_extension(facts.lab, &numbers[0]);
        let problem = Problem::Shadowed { pattern, context, numbers, answered_in };
        findings.push(finding(part, at, text, problem));
    }
}

/// The exact numeric extensions of the contexts `context` includes, at any
/// depth, with the context each is in.
fn exact_numbers_included(plan: &Dialplan, context: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut seen = vec![context.to_string()];
    let mut todo: Vec<String> =
        plan.context(context).map(|c| c.includes.iter().map(|(i, _)| i.clone()).collect()).unwrap_or_default();
    while let Some(name) = todo.pop() {
        if seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        let Some(ctx) = plan.context(&name) else { continue };
        for step in ctx.steps.iter().filter(|s| !s.is_hint()) {
            let number = step.extension.split('/').next().unwrap_or_default();
            let numeric = !number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '*' || c == '#');
            if numeric && !out.iter().any(|(_, n)| n == number) {
                out.push((name.clone(), number.to_string()));
            }
        }
        todo.extend(ctx.includes.iter().map(|(i, _)| i.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asterisk_conf::Conf;

    #[test]
    fn an_own_pattern_takes_what_an_include_answers() {
        let plan = Dialplan::from_conf(&Conf::parse(
            "extensions.conf",
            "[internal]\ninclude => extensions\nexten => _X.,1,Dial(PJSIP/${EXTEN}@operator)\n[extensions]\nexten => 13,1,Dial(PJSIP/secretaire1)\n",
        ));
        assert_eq!(exact_numbers_included(&plan, "internal"), [("extensions".to_string(), "13".to_string())]);
        let (found, name) = plan.lookup("internal", "13").unwrap();
        assert_eq!((found.name.as_str(), name), ("internal", "_X."));
    }
}
