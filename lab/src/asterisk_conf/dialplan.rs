//! extensions.conf as a dialplan: contexts, their includes, and each
//! `exten =>` / `same =>` line split into extension, priority, application
//! and arguments; and where a dialled number goes from a context.

use super::pattern::matches;
use super::{Conf, Entry, Place};

pub const EXTENSIONS_CONF: &str = "extensions.conf";
/// Sections of extensions.conf that are settings, not contexts.
const NOT_CONTEXTS: [&str; 2] = ["general", "globals"];
/// Jumps followed from one extension to another before giving up.
const MAX_JUMPS: usize = 16;

/// One priority: `exten => 13,1,Dial(PJSIP/secretaire1,20)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub context: String,
    /// As written, `_` and caller-ID part included (`13`, `_*2XX`).
    pub extension: String,
    /// `1`, `n`, `hint`, … without the label.
    pub priority: String,
    /// `busy` in `n(busy)`.
    pub label: Option<String>,
    /// The priority as Asterisk numbers it (`n` is the one before plus one);
    /// `None` for a hint or a priority Asterisk cannot read.
    pub number: Option<u32>,
    /// The application (`Dial`), or for a hint the device it watches.
    pub app: String,
    /// Between the application's parentheses.
    pub args: String,
    /// `app(args)` ends with its `)`; false for `app(args` (and for no parentheses).
    pub closed: bool,
    /// Written over two lines with `\` (which Asterisk does not join): the
    /// arguments as their author meant them, both lines joined.
    pub meant_args: Option<String>,
    pub at: Place,
    pub text: String,
}

impl Step {
    pub fn is_hint(&self) -> bool {
        self.priority.eq_ignore_ascii_case("hint")
    }

    pub fn is_app(&self, name: &str) -> bool {
        !self.is_hint() && self.app.eq_ignore_ascii_case(name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub name: String,
    pub at: Place,
    pub includes: Vec<(String, Place)>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dialplan {
    pub contexts: Vec<Context>,
}

/// The steps a number runs through, and whether some jump could not be
/// followed (a variable, an unknown context): then the list is partial.
#[derive(Debug, Default)]
pub struct Route<'a> {
    pub steps: Vec<&'a Step>,
    /// The number (`${EXTEN}`) each step runs with, beside `steps`: a Goto
    /// to `${EXTEN:2}` changes it.
    pub numbers: Vec<String>,
    pub partial: bool,
}

impl Dialplan {
    pub fn from_conf(conf: &Conf) -> Dialplan {
        let mut plan = Dialplan::default();
        for section in conf.sections.iter().filter(|s| !NOT_CONTEXTS.contains(&s.name.as_str())) {
            // A context written twice is one context to Asterisk.
            let index = match plan.contexts.iter().position(|c| c.name == section.name) {
                Some(i) => i,
                None => {
                    plan.contexts.push(Context {
                        name: section.name.clone(),
                        at: section.at.clone(),
                        includes: Vec::new(),
                        steps: Vec::new(),
                    });
                    plan.contexts.len() - 1
                }
            };
            let context = &mut plan.contexts[index];
            let mut extension: Option<String> = None;
            for entry in &section.entries {
                match entry.key.to_ascii_lowercase().as_str() {
                    "include" => context.includes.push((entry.value.clone(), entry.at.clone())),
                    "exten" => {
                        let (ext, rest) = entry.value.split_once(',').unwrap_or((&entry.value, ""));
                        extension = Some(ext.trim().to_string());
                        let step = step(&section.name, ext.trim(), rest, entry);
                        context.steps.push(numbered(step, &context.steps));
                    }
                    "same" => {
                        if let Some(ext) = &extension {
                            let step = step(&section.name, ext, &entry.value, entry);
                            context.steps.push(numbered(step, &context.steps));
                        }
                    }
                    _ => {}
                }
            }
        }
        plan
    }

    pub fn context(&self, name: &str) -> Option<&Context> {
        self.contexts.iter().find(|c| c.name == name)
    }

    /// The steps of the extension that answers `number` in `context`: its own
    /// extensions first (an exact name before a pattern), then its includes.
    pub fn lookup(&self, context: &str, number: &str) -> Option<(&Context, &str)> {
        self.lookup_in(context, number, &mut Vec::new())
    }

    fn lookup_in<'a>(&'a self, context: &str, number: &str, seen: &mut Vec<String>) -> Option<(&'a Context, &'a str)> {
        if seen.iter().any(|s| s == context) {
            return None;
        }
        seen.push(context.to_string());
        let ctx = self.context(context)?;
        // A hint alone is no extension a call can run.
        let names = ctx.steps.iter().filter(|s| !s.is_hint()).map(|s| s.extension.as_str());
        let exact = names.clone().find(|n| n.split('/').next() == Some(number));
        if let Some(name) = exact.or_else(|| names.clone().find(|n| matches(n, number))) {
            return Some((ctx, name));
        }
        ctx.includes.iter().find_map(|(inc, _)| self.lookup_in(inc, number, seen))
    }

    /// Every step `number` runs through from `context`, following Goto,
    /// GotoIf, Gosub and GosubIf to other extensions.
    pub fn route(&self, context: &str, number: &str) -> Route<'_> {
        let mut route = Route::default();
        let mut todo = vec![(context.to_string(), number.to_string())];
        let mut seen: Vec<(String, String)> = Vec::new();
        while let Some((ctx, num)) = todo.pop() {
            if seen.contains(&(ctx.clone(), num.clone())) {
                continue;
            }
            if seen.len() >= MAX_JUMPS {
                route.partial = true;
                break;
            }
            seen.push((ctx.clone(), num.clone()));
            let Some((found, name)) = self.lookup(&ctx, &num) else {
                route.partial |= seen.len() > 1; // a jump to nowhere known
                continue;
            };
            for step in found.steps.iter().filter(|s| s.extension == name && !s.is_hint()) {
                route.steps.push(step);
                route.numbers.push(num.clone());
                for target in jumps(step) {
                    match resolve(&target, &found.name, &num) {
                        Some(next) if next != (found.name.clone(), num.clone()) => todo.push(next),
                        Some(_) => {}
                        None => route.partial = true,
                    }
                }
            }
        }
        route
    }
}

/// `step` with its priority number: as written, or (`n`) the previous one
/// of the same extension plus one.
fn numbered(mut step: Step, before: &[Step]) -> Step {
    step.number = match step.priority.as_str() {
        _ if step.is_hint() => None,
        "n" | "N" => before
            .iter()
            .rev()
            .find(|s| s.extension == step.extension && !s.is_hint())
            .and_then(|s| s.number)
            .map(|n| n + 1),
        p => p.parse().ok(),
    };
    step
}

fn step(context: &str, extension: &str, rest: &str, entry: &Entry) -> Step {
    let (priority, app) = rest.split_once(',').unwrap_or((rest, ""));
    let priority = priority.trim();
    let (priority, label) = match priority.split_once('(') {
        Some((p, l)) => (p.trim(), Some(l.trim_end_matches(')').trim().to_string())),
        None => (priority, None),
    };
    let app = app.trim();
    let (name, args, closed) = if priority.eq_ignore_ascii_case("hint") {
        (app, "", false)
    } else {
        match app.split_once('(') {
            Some((name, args)) => match args.strip_suffix(')') {
                Some(inside) => (name.trim(), inside, true),
                None => (name.trim(), args, false),
            },
            None => (app, "", false),
        }
    };
    Step {
        context: context.to_string(),
        extension: extension.to_string(),
        priority: priority.to_string(),
        label,
        number: None,
        app: name.to_string(),
        args: args.to_string(),
        closed,
        meant_args: entry.continued.as_ref().map(|next| {
            let joined = format!("{} {next}", args.trim_end().trim_end_matches('\\').trim_end());
            joined.strip_suffix(')').unwrap_or(&joined).to_string()
        }),
        at: entry.at.clone(),
        text: entry.text.clone(),
    }
}

/// The `[context,]extension,priority` targets a jump application names.
fn jumps(step: &Step) -> Vec<String> {
    let app = step.app.to_ascii_lowercase();
    match app.as_str() {
        "goto" | "gosub" => vec![step.args.clone()],
        "gotoif" | "gosubif" => step
            .args
            // The condition may hold `?` itself; labels never do.
            .rsplit_once('?')
            .map(|(_, branches)| branches.split(':').map(str::to_string).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// A jump target as (context, number), `None` when it cannot be known
/// statically; a jump within the same extension gives the current one.
fn resolve(target: &str, context: &str, number: &str) -> Option<(String, String)> {
    // Gosub passes arguments in parentheses after the priority.
    let target = target.split('(').next().unwrap_or(target).trim();
    if target.is_empty() {
        return Some((context.to_string(), number.to_string()));
    }
    let parts: Vec<&str> = target.split(',').map(str::trim).collect();
    let (ctx, ext) = match parts.as_slice() {
        [_] => return Some((context.to_string(), number.to_string())),
        [ext, _] => (context, *ext),
        [ctx, ext, ..] => (*ctx, *ext),
        [] => return None,
    };
    let ext = substitute_exten(ext, number)?;
    (!ctx.contains('$')).then(|| (ctx.to_string(), ext))
}

/// `${EXTEN}` and `${EXTEN:n}` replaced by (the tail of) `number`; `None`
/// when another variable remains.
pub fn substitute_exten(text: &str, number: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}')? + start;
        let var = &rest[start + 2..end];
        let value = match var.split_once(':') {
            None if var == "EXTEN" => number.to_string(),
            Some(("EXTEN", skip)) => number.get(skip.trim().parse::<usize>().ok()?..).unwrap_or("").to_string(),
            _ => return None,
        };
        out.push_str(&value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The channels of a Dial's first argument: `PJSIP/a&PJSIP/b`.
pub fn targets(args: &str) -> Vec<&str> {
    let first = args.split(',').next().unwrap_or("");
    first.split('&').map(str::trim).filter(|t| !t.is_empty()).collect()
}

/// The endpoint a `PJSIP/…` channel goes through: `x` in `PJSIP/x`,
/// `PJSIP/x/sip:…` and `PJSIP/number@x`; `None` for another technology.
pub fn pjsip_endpoint(target: &str) -> Option<&str> {
    let (tech, resource) = target.split_once('/')?;
    if !tech.eq_ignore_ascii_case("PJSIP") {
        return None;
    }
    let resource = resource.split('/').next().unwrap_or(resource);
    Some(resource.rsplit_once('@').map_or(resource, |(_, e)| e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = "[general]\nstatic = yes\n\
        [extensions]\nexten => 13,hint,PJSIP/secretaire1\n\
        exten => 13,1,GotoIf($[${X}]?busy)\n same => n,Dial(PJSIP/secretaire1,10)\n same => n(busy),VoiceMail(13@default,b)\n\
        [intersite]\nexten => _*1XX,1,Goto(extensions,${EXTEN:2},1)\n\
        [internal]\ninclude => extensions\ninclude => intersite\n";

    fn plan() -> Dialplan {
        Dialplan::from_conf(&Conf::parse("extensions.conf", PLAN))
    }

    #[test]
    fn lines_become_steps() {
        let plan = plan();
        assert_eq!(plan.contexts.len(), 3, "general is no context");
        let steps = &plan.context("extensions").unwrap().steps;
        assert!(steps[0].is_hint());
        assert_eq!(steps[0].app, "PJSIP/secretaire1");
        assert_eq!((steps[2].extension.as_str(), steps[2].app.as_str()), ("13", "Dial"));
        assert_eq!(steps[2].args, "PJSIP/secretaire1,10");
        assert_eq!(steps[3].label.as_deref(), Some("busy"));
        assert_eq!(steps[3].at.line, 7);
    }

    #[test]
    fn a_number_is_followed_through_includes_and_gotos() {
        let plan = plan();
        let route = plan.route("internal", "*113");
        assert!(!route.partial);
        let apps: Vec<&str> = route.steps.iter().map(|s| s.app.as_str()).collect();
        assert_eq!(apps, ["Goto", "GotoIf", "Dial", "VoiceMail"]);
        assert!(plan.route("internal", "*213").steps.is_empty());
        assert_eq!(plan.lookup("internal", "13").map(|(c, _)| c.name.as_str()), Some("extensions"));
    }

    #[test]
    fn exten_variables() {
        assert_eq!(substitute_exten("${EXTEN:2}", "*113").as_deref(), Some("13"));
        assert_eq!(substitute_exten("${EXTEN}@default", "13").as_deref(), Some("13@default"));
        assert_eq!(substitute_exten("${ARG1}", "13"), None);
    }

    #[test]
    fn channels_and_their_endpoints() {
        assert_eq!(targets("PJSIP/a&PJSIP/b,20,tT"), ["PJSIP/a", "PJSIP/b"]);
        assert_eq!(pjsip_endpoint("PJSIP/secretaire1"), Some("secretaire1"));
        assert_eq!(pjsip_endpoint("PJSIP/${EXTEN}@operator"), Some("operator"));
        assert_eq!(pjsip_endpoint("pjsip/x/sip:1@h"), Some("x"));
        assert_eq!(pjsip_endpoint("SIP/x"), None);
    }
}
