//! Options of Dial(), Queue(), VoiceMail() and VoiceMailMain() that
//! Asterisk 22 does not have (it ignores them without a word), or that no
//! longer do what the SAE needs: Dial's and Queue's `w`/`W` enable the
//! one-touch recording of `automon`, which went with app_monitor in Asterisk 21.

use super::facts::{finding, part_of_extension, Facts};
use super::messages::Problem;
use super::Finding;
use crate::asterisk_conf::dialplan::Step;

/// Dial's options in Asterisk 22 (`core show application Dial`).
const DIAL: &str = "AabBCcdDEefFgGhHiIjkKLmnNoOpPQrRSstTUuwWxXz";
/// Queue's (`Queue(queue,options,…)`; `m(class)` since Asterisk 18).
const QUEUE: &str = "bBCcdFhHiIkKmnrRtTwWxX";
/// VoiceMail's (`0`–`9` and `*` jump to extensions of the same names).
const VOICEMAIL: &str = "bdegsStuUP0123456789*";
const VOICEMAIL_MAIN: &str = "pgrsa";

pub(super) fn check(facts: &Facts, findings: &mut Vec<Finding>) {
    for step in facts.plan.contexts.iter().flat_map(|c| &c.steps).filter(|s| !s.is_hint()) {
        let (known, index) = match step.app.to_ascii_lowercase().as_str() {
            "dial" => (DIAL, 2),
            "queue" => (QUEUE, 1),
            "voicemail" => (VOICEMAIL, 1),
            "voicemailmain" => (VOICEMAIL_MAIN, 1),
            _ => continue,
        };
        let Some(options) = arguments(&step.args).get(index).map(|o| o.trim().to_string()) else { continue };
        if options.contains('$') {
            continue; // a variable: known only when the call runs
        }
        if let Some(problem) = problem(step, &options, known) {
            let part = part_of_extension(facts.lab, &step.extension);
            findings.push(finding(part, step.at.clone(), step.text.clone(), problem));
        }
    }
}

fn problem(step: &Step, options: &str, known: &str) -> Option<Problem> {
    let letters = letters(options);
    let unknown: String = letters.iter().filter(|c| !known.contains(**c)).collect();
    if !unknown.is_empty() {
        return Some(Problem::UnknownOptions { app: step.app.clone(), options: options.to_string(), unknown });
    }
    let automon = step.is_app("Dial") || step.is_app("Queue");
    let monitor: String = letters.iter().filter(|c| automon && matches!(c, 'w' | 'W')).collect();
    let app = step.app.clone();
    (!monitor.is_empty()).then(|| Problem::MonitorOptions { app, options: options.to_string(), letters: monitor })
}

/// The option letters, their `(…)` arguments left out.
fn letters(options: &str) -> Vec<char> {
    let mut out = Vec::new();
    let mut depth = 0;
    for c in options.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if depth == 0 && !c.is_whitespace() => out.push(c),
            _ => {}
        }
    }
    out
}

/// An application's arguments, split at the commas outside `( )`, `[ ]` and `{ }`.
pub(super) fn arguments(args: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in args.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth <= 0 => {
                out.push(&args[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&args[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asterisk_conf::dialplan::Dialplan;
    use crate::asterisk_conf::Conf;

    fn of(line: &str) -> Option<Problem> {
        let plan = Dialplan::from_conf(&Conf::parse("extensions.conf", &format!("[c]\n{line}\n")));
        let step = &plan.contexts[0].steps[0];
        let (known, index) = match step.app.to_ascii_lowercase().as_str() {
            "dial" => (DIAL, 2),
            "queue" => (QUEUE, 1),
            _ => (VOICEMAIL, 1),
        };
        problem(step, arguments(&step.args).get(index)?.trim(), known)
    }

    #[test]
    fn options_are_read_as_asterisk_does() {
        assert_eq!(
            arguments("PJSIP/a&PJSIP/b,20,tTb(ring^s^1(x,y)),url"),
            ["PJSIP/a&PJSIP/b", "20", "tTb(ring^s^1(x,y))", "url"]
        );
        assert_eq!(letters("tTxXkKb(ring-class^s^1)"), ['t', 'T', 'x', 'X', 'k', 'K', 'b']);
        assert_eq!(of("exten => 13,1,Dial(PJSIP/secretaire1,10,tTxXkKb(ring-class^s^1))"), None);
        assert_eq!(of("exten => 13,1,VoiceMail(13@default,u)"), None);
    }

    #[test]
    fn the_sae_reports_options() {
        let p = of("exten=>1,2,Dial(PJSIP/Patron,,TtKkWw)");
        assert!(matches!(p, Some(Problem::MonitorOptions { ref letters, .. }) if letters == "Ww"), "{p:?}");
        let p = of("exten=>1,2,Dial(PJSIP/patron,20,tTq)");
        assert!(matches!(p, Some(Problem::UnknownOptions { ref unknown, .. }) if unknown == "q"), "{p:?}");
        let p = of("exten=>1,2,Queue(secretariat,tTq)");
        assert!(matches!(p, Some(Problem::UnknownOptions { ref unknown, .. }) if unknown == "q"), "{p:?}");
        let p = of("exten=>1,2,Queue(secretariat,tW,,,30)");
        assert!(matches!(p, Some(Problem::MonitorOptions { ref app, .. }) if app == "Queue"), "{p:?}");
        assert_eq!(of("exten=>1,2,Queue(secretariat,tTkKxXb(pre^s^1)m(jazz)nrR)"), None);
        let p = of("exten=>1,2,VoiceMail(1@default,x)");
        assert!(matches!(p, Some(Problem::UnknownOptions { ref unknown, .. }) if unknown == "x"), "{p:?}");
    }
}
