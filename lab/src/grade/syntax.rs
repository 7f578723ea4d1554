//! Dialplan lines Asterisk reads otherwise than their author meant, without
//! a word in its log: a parenthesis never closed (it takes the last `)` of the
//! line as the end), a condition outside `$[ … ]` (a text that is not empty
//! is true: the jump is always taken), a condition left empty (always false).

use super::facts::{finding, part_of_extension, Facts};
use super::messages::Problem;
use super::Finding;
use crate::asterisk_conf::dialplan::Step;

/// Applications whose first argument is `condition?then:else`.
const CONDITIONAL: [&str; 3] = ["gotoif", "gosubif", "execif"];

pub(super) fn check(facts: &Facts, findings: &mut Vec<Finding>) {
    for step in facts.plan.contexts.iter().flat_map(|c| &c.steps).filter(|s| !s.is_hint()) {
        let part = part_of_extension(facts.lab, &step.extension);
        // A line continued with `\` is cut there (Asterisk's own finding);
        // what its author meant is checked too.
        let meant = step.meant_args.as_ref().map(|args| Step { args: args.clone(), closed: true, ..step.clone() });
        let whole = meant.as_ref().or(step.closed.then_some(step));
        let problems = [unclosed(step), whole.and_then(condition)];
        for problem in problems.into_iter().flatten() {
            findings.push(finding(part, step.at.clone(), step.text.clone(), problem));
        }
    }
}

/// `App(args` or `App(a(b)` without its own `)`.
fn unclosed(step: &Step) -> Option<Problem> {
    let opened = step.text.contains(&format!("{}(", step.app));
    let depth: i32 = step.args.chars().map(|c| i32::from(c == '(') - i32::from(c == ')')).sum();
    if !opened || (step.closed && depth == 0) {
        return None;
    }
    // Asterisk ends the arguments at the line's last `)`.
    let kept = (!step.closed).then(|| step.args.rfind(')').map(|i| step.args[..i].to_string())).flatten();
    Some(Problem::UnclosedParenthesis { app: step.app.clone(), kept })
}

/// The condition of GotoIf, GosubIf and ExecIf.
fn condition(step: &Step) -> Option<Problem> {
    let app = step.app.to_ascii_lowercase();
    if !CONDITIONAL.contains(&app.as_str()) {
        return None;
    }
    let Some((condition, branches)) = split_condition(&step.args) else {
        return Some(Problem::NoCondition { app: step.app.clone() });
    };
    let condition = condition.trim();
    let first = branches.split(':').next().unwrap_or_default().trim().to_string();
    if condition.is_empty() {
        let second = branches.split_once(':').map(|(_, e)| e.trim().to_string());
        return Some(Problem::EmptyCondition { app: step.app.clone(), second });
    }
    if evaluated(condition) {
        return None;
    }
    let brackets = condition.starts_with('[');
    Some(Problem::ConditionNotEvaluated { app: step.app.clone(), condition: condition.to_string(), brackets, first })
}

/// `condition?branches` split at the `?` that is not inside `$[ ]`, `${ }` or quotes.
fn split_condition(args: &str) -> Option<(&str, &str)> {
    let mut depth = 0i32;
    let mut quoted = false;
    for (i, c) in args.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' | '{' | '(' if !quoted => depth += 1,
            ']' | '}' | ')' if !quoted => depth -= 1,
            '?' if !quoted && depth <= 0 => return Some((&args[..i], &args[i + 1..])),
            _ => {}
        }
    }
    None
}

/// Whether Asterisk computes the condition: one `$[ … ]`, one variable or
/// function `${ … }`, or a number; anything else is taken as a text.
fn evaluated(condition: &str) -> bool {
    let whole = |open: &str, close: char| {
        condition.starts_with(open) && condition.ends_with(close) && closes_at_end(&condition[open.len() - 1..])
    };
    whole("$[", ']') || whole("${", '}') || condition.chars().all(|c| c.is_ascii_digit() || c == '-')
}

/// The bracket opening `text` closes at its very end (`$[a] = $[b]` is two).
fn closes_at_end(text: &str) -> bool {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '[' | '{' | '(' => depth += 1,
            ']' | '}' | ')' => {
                depth -= 1;
                if depth == 0 {
                    return i + c.len_utf8() == text.len();
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asterisk_conf::dialplan::Dialplan;
    use crate::asterisk_conf::Conf;

    fn problems(line: &str) -> Option<Problem> {
        let plan = Dialplan::from_conf(&Conf::parse("extensions.conf", &format!("[c]\n{line}\n")));
        let step = &plan.contexts[0].steps[0];
        unclosed(step).or_else(|| condition(step))
    }

    #[test]
    fn conditions_asterisk_computes_are_fine() {
        for fine in [
            "exten => 13,1,GotoIf($[\"${DEVICE_STATE(PJSIP/secretaire1)}\" = \"INUSE\"]?busy)",
            "exten => 1,1,GotoIf(${EXISTS(${X})}?2:3)",
            "exten => 1,1,GotoIf(1?2)",
            "exten => 1,1,ExecIf($[${X} = 1]?Playback(a):Playback(b))",
            "exten => 1,1,GotoIf($[${LEN(${X})} > 0]?yes,1:no,1)",
            "exten => 1,1,Dial(PJSIP/a,20,b(ring^s^1))",
        ] {
            assert_eq!(problems(fine), None, "{fine}");
        }
    }

    #[test]
    fn the_sae_reports_conditions_are_always_true() {
        let p = problems("exten => 888,1,GotoIf(\"${CALLERID(num)}\"=\"1\" | \"${CALLERID(num)}\"=\"2\"?2:10)");
        assert!(
            matches!(p, Some(Problem::ConditionNotEvaluated { brackets: false, ref first, .. }) if first == "2"),
            "{p:?}"
        );
        let p = problems("exten => 1,2,GotoIf([\"${CALLERID(num)}\"=\"1\"]?4:3)");
        assert!(matches!(p, Some(Problem::ConditionNotEvaluated { brackets: true, .. })), "{p:?}");
        let p = problems("exten => 1,2,GotoIf($[${A}=1] | $[${A}=2]?4:3)");
        assert!(matches!(p, Some(Problem::ConditionNotEvaluated { .. })), "{p:?}");
    }

    #[test]
    fn a_condition_continued_with_a_backslash_is_read_as_meant() {
        let text = "[c]\nexten => 888,1,GotoIf(\"${CALLERID(num)}\"=\"1\" | \\\n\"${CALLERID(num)}\"=\"2\"?2:10)\n";
        let plan = Dialplan::from_conf(&Conf::parse("extensions.conf", text));
        let step = &plan.contexts[0].steps[0];
        let meant = step.meant_args.as_deref().unwrap();
        assert_eq!(meant, "\"${CALLERID(num)}\"=\"1\" | \"${CALLERID(num)}\"=\"2\"?2:10");
        let whole = Step { args: meant.to_string(), closed: true, ..step.clone() };
        assert!(matches!(condition(&whole), Some(Problem::ConditionNotEvaluated { ref first, .. }) if first == "2"));
    }

    #[test]
    fn empty_missing_and_unclosed() {
        assert!(matches!(problems("exten => 1,1,GotoIf(?2:3)"), Some(Problem::EmptyCondition { .. })));
        assert!(matches!(problems("exten => 1,1,GotoIf(2)"), Some(Problem::NoCondition { .. })));
        let p = problems("exten => 888,1,VoiceMailMain(${CALLERID(num)}@default,s");
        assert!(
            matches!(p, Some(Problem::UnclosedParenthesis { ref kept, .. }) if kept.as_deref() == Some("${CALLERID(num")),
            "{p:?}"
        );
        assert!(matches!(problems("exten => 1,1,Dial(PJSIP/a"), Some(Problem::UnclosedParenthesis { kept: None, .. })));
    }
}
