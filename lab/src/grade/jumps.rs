//! Where a Goto, GotoIf, Gosub or GosubIf jumps must exist: the extension
//! in its context, and the priority (a number, `n` counted) or label in that
//! extension. Asterisk says nothing when it loads them; the call just ends
//! when it gets there.

use super::facts::{finding, part_of_extension, Facts};
use super::messages::Problem;
use super::Finding;
use crate::asterisk_conf::dialplan::{substitute_exten, Dialplan, Step};

pub(super) fn check(facts: &Facts, findings: &mut Vec<Finding>) {
    for context in &facts.plan.contexts {
        for step in context.steps.iter().filter(|s| !s.is_hint()) {
            for target in targets(step) {
                if let Some(missing) = missing(&facts.plan, &context.name, step, &target) {
                    let part = part_of_extension(facts.lab, &step.extension);
                    let problem = Problem::JumpTargetMissing { app: step.app.clone(), target, missing };
                    findings.push(finding(part, step.at.clone(), step.text.clone(), problem));
                }
            }
        }
    }
}

/// The `[[context,]extension,]priority` targets a jump names.
fn targets(step: &Step) -> Vec<String> {
    let args = step.meant_args.as_deref().unwrap_or(&step.args);
    match step.app.to_ascii_lowercase().as_str() {
        "goto" | "gosub" => vec![args.to_string()],
        "gotoif" | "gosubif" => args
            .rsplit_once('?')
            .map(|(_, branches)| branches.split(':').map(|b| b.trim().to_string()).filter(|b| !b.is_empty()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// What of `target` does not exist, said as `priority 4`, `label busy` or
/// `extension 13`; `None` when it exists or cannot be known (a variable,
/// a context reported missing elsewhere).
fn missing(plan: &Dialplan, context: &str, step: &Step, target: &str) -> Option<String> {
    // Gosub passes arguments in parentheses after the priority.
    let target = target.split('(').next().unwrap_or(target).trim();
    let parts: Vec<&str> = target.split(',').map(str::trim).collect();
    let (ctx, ext, priority) = match parts.as_slice() {
        [p] => (context, step.extension.as_str(), *p),
        [e, p] => (context, *e, *p),
        [c, e, p] => (*c, *e, *p),
        _ => return None,
    };
    if [ctx, ext, priority].iter().any(|s| s.contains('$') || s.is_empty()) && !ext.starts_with("${EXTEN") {
        return None;
    }
    plan.context(ctx)?; // a missing context is its own finding
                        // `${EXTEN}`: the extension jumping, when it is one number (a pattern's
                        // is known only when a call runs).
    let ext = match ext.contains("${EXTEN") {
        true if step.extension.starts_with('_') => return None,
        true => substitute_exten(ext, &step.extension)?,
        false => ext.to_string(),
    };
    if ext.starts_with('_') || priority.contains('$') {
        return None;
    }
    let Some((found, name)) = plan.lookup(ctx, &ext) else {
        return Some(format!("extension {ext}"));
    };
    let steps: Vec<&Step> = found.steps.iter().filter(|s| s.extension == name && !s.is_hint()).collect();
    let exists = match priority.parse::<u32>() {
        Ok(n) => steps.iter().any(|s| s.number == Some(n)),
        Err(_) => steps.iter().any(|s| s.label.as_deref() == Some(priority)),
    };
    (!exists).then(|| match priority.parse::<u32>() {
        Ok(n) => format!("priority {n}"),
        Err(_) => format!("label {priority}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asterisk_conf::Conf;

    fn missing_in(text: &str) -> Vec<String> {
        let plan = Dialplan::from_conf(&Conf::parse("extensions.conf", text));
        let mut out = Vec::new();
        for c in &plan.contexts {
            for s in c.steps.iter().filter(|s| !s.is_hint()) {
                out.extend(targets(s).iter().filter_map(|t| missing(&plan, &c.name, s, t)));
            }
        }
        out
    }

    #[test]
    fn priorities_labels_and_extensions_are_found() {
        let fine =
            "[c]\nexten => 13,1,GotoIf($[${X}]?busy)\n same => n,Dial(PJSIP/a)\n same => n(busy),VoiceMail(13)\n\
                    exten => 888,1,GotoIf($[${X}]?2:10)\nexten => 888,2,VoiceMailMain()\nexten => 888,10,Answer\n\
                    exten => _*1XX,1,Goto(c,13,1)\nexten => 5,1,Goto(${EXTEN},busy)\n same => n(busy),Hangup\n";
        assert_eq!(missing_in(fine), Vec::<String>::new());
        let wrong = "[c]\nexten => 13,1,GotoIf($[${X}]?bsy)\n same => n(busy),Hangup\n\
                     exten => 1,2,GotoIf($[${X}]?4:3)\nexten => 1,3,Playback(x)\nexten => 7,1,Goto(c,8,1)\n";
        assert_eq!(missing_in(wrong), ["label bsy", "priority 4", "extension 8"]);
    }
}
