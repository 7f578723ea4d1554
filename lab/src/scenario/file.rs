//! Scenario files: TOML a student can read, checked against the lab.
//!
//! ```toml
//! title = "Internal calls"
//! part = "I"
//!
//! [[call]]                       # shorthand: dial, ring, answer, audio both ways, hang up
//! says = "Inside a cabinet every role reaches every other"
//! from = ["table1/patron1", "table1/assistant1"]
//! to = ["table1/patron1", "table1/assistant1"]   # every ordered pair, self excluded
//! dial = "extension"             # or "intersite", "public", or the digits themselves
//!
//! [[flow]]                       # any sequence of steps
//! says = "Calling a phone already in a call gives busy"
//! steps = [
//!   { dial = "22", from = "table1/patron2" },
//!   { answer = "table1/assistant2" },
//!   { dial = "22", from = "table1/secretaire2" },
//!   { fails = "table1/secretaire2", status = 486 },
//!   { hangup = "table1/patron2" },
//! ]
//! ```

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{BlfState, Check, PhoneId, Scenario, Sound, Step, StepLine};
use crate::diagnostic::{Collector, Diagnostics};
use crate::model::Lab;
use crate::toml_file::{parent_tables, read, Segment};

#[derive(Debug, thiserror::Error)]
pub enum ScenarioFileError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error(transparent)]
    Invalid(#[from] Diagnostics),
}

#[derive(Debug, Deserialize)]
struct RawScenario {
    title: String,
    part: Option<String>,
    #[serde(default)]
    call: Vec<RawCall>,
    #[serde(default)]
    flow: Vec<RawFlow>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn items(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Outcome {
    Word(String),
    Status(i64),
}

#[derive(Debug, Deserialize)]
struct RawCall {
    says: Spanned<String>,
    from: Spanned<OneOrMany>,
    to: Option<Spanned<OneOrMany>>,
    dial: Option<Spanned<String>>,
    expect: Option<Spanned<Outcome>>,
    audio: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct RawFlow {
    says: Spanned<String>,
    steps: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Default, Deserialize)]
struct RawStep {
    says: Option<String>,
    dial: Option<Spanned<String>>,
    from: Option<Spanned<String>>,
    rings: Option<Spanned<String>>,
    answer: Option<Spanned<String>>,
    fails: Option<Spanned<String>>,
    status: Option<Spanned<i64>>,
    nobody_rings: Option<Spanned<OneOrMany>>,
    audio: Option<Spanned<Vec<String>>>,
    hangup: Option<Spanned<String>>,
    watch: Option<Spanned<String>>,
    blf: Option<Spanned<String>>,
    alert: Option<Spanned<String>>,
    connected: Option<Spanned<String>>,
    with: Option<Spanned<String>>,
    ended: Option<Spanned<String>>,
    dtmf: Option<Spanned<String>>,
    hold: Option<Spanned<String>>,
    resume: Option<Spanned<String>>,
    transfer: Option<Spanned<String>>,
    hears: Option<Spanned<String>>,
    phone: Option<Spanned<String>>,
    site: Option<Spanned<String>>,
    recorded: Option<Spanned<Vec<String>>>,
    parked: Option<Spanned<String>>,
    answered: Option<Spanned<String>>,
    leaves_message: Option<Spanned<String>>,
    #[serde(rename = "box")]
    mailbox: Option<Spanned<String>>,
    mwi: Option<Spanned<String>>,
    empty_box: Option<Spanned<String>>,
    event: Option<Spanned<String>>,
    message: Option<Spanned<String>>,
    to: Option<Spanned<String>>,
    receives: Option<Spanned<String>>,
    presence: Option<Spanned<String>>,
    mailed: Option<Spanned<String>>,
}

#[rustfmt::skip]
const STEP_ACTIONS: &[&str] = &[
    "dial", "rings", "answer", "connected", "fails", "nobody_rings", "audio", "hangup", "ended", "dtmf", "hold",
    "resume", "transfer", "hears", "recorded", "parked", "watch", "blf", "answered", "leaves_message", "mwi",
    "empty_box", "message", "receives", "presence", "mailed",
];
#[rustfmt::skip]
const STEP_KEYS: &[&str] = &[
    "dial", "rings", "answer", "connected", "fails", "nobody_rings", "audio", "hangup", "ended", "dtmf", "hold",
    "resume", "transfer", "hears", "recorded", "parked", "watch", "blf", "answered", "leaves_message", "mwi",
    "empty_box", "message", "receives", "presence", "mailed", "says", "from", "status", "alert", "with", "phone", "site",
    "box", "event", "to",
];

fn allowed_keys(path: &[Segment]) -> &'static [&'static str] {
    match parent_tables(path).as_slice() {
        [] => &["title", "part", "call", "flow"],
        ["call"] => &["says", "from", "to", "dial", "expect", "audio"],
        ["flow"] => &["says", "steps"],
        ["flow", "steps"] => STEP_KEYS,
        _ => &[],
    }
}

/// Every `*.toml` of `dir`, sorted by name, each checked against `lab`.
pub fn load_dir(dir: &Path, lab: &Lab) -> Result<Vec<Scenario>, ScenarioFileError> {
    let read_err = |source| ScenarioFileError::Read { path: dir.display().to_string(), source };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut scenarios = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|source| ScenarioFileError::Read { path: path.display().to_string(), source })?;
        let name = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        match parse(&path.display().to_string(), &name, &text, lab) {
            Ok(s) => scenarios.push(s),
            Err(Diagnostics(d)) => errors.extend(d),
        }
    }
    if errors.is_empty() {
        Ok(scenarios)
    } else {
        Err(Diagnostics(errors).into())
    }
}

/// Checks one scenario file's text; `file` names it in errors and places.
pub fn parse(file: &str, name: &str, text: &str, lab: &Lab) -> Result<Scenario, Diagnostics> {
    let (raw, mut c) = read::<RawScenario>(file, text, allowed_keys)?;
    let mut checks = Vec::new();
    for (i, call) in raw.call.iter().enumerate() {
        checks.extend(expand_call(&mut c, lab, file, text, i, call));
    }
    for (i, flow) in raw.flow.iter().enumerate() {
        if let Some(check) = check_flow(&mut c, lab, file, text, i, flow) {
            checks.push(check);
        }
    }
    if raw.call.is_empty() && raw.flow.is_empty() {
        c.error(0..0, "", "a scenario needs at least one [[call]] or [[flow]]");
    }
    c.finish()?;
    Ok(Scenario { name: name.to_string(), title: raw.title, part: raw.part, checks })
}

fn place(file: &str, text: &str, offset: usize) -> String {
    format!("{file}:{}", text[..offset.min(text.len())].matches('\n').count() + 1)
}

/// Resolves `site/account` (or `operator/TM1`) against the lab.
fn phone(c: &mut Collector<'_>, lab: &Lab, value: &str, span: std::ops::Range<usize>, key: &str) -> Option<PhoneId> {
    let Some((site, account)) = value.split_once('/') else {
        c.error_with_help(
            span,
            key,
            format!("{value:?} is not a phone"),
            "write site/account, e.g. table1/patron1 or operator/TM1",
        );
        return None;
    };
    if site == "operator" {
        if let Some(t) = lab.operator.test_phones.iter().find(|t| t.name.eq_ignore_ascii_case(account)) {
            return Some(PhoneId { site: site.into(), account: t.account.clone() });
        }
        let names: Vec<_> = lab.operator.test_phones.iter().map(|t| t.name.as_str()).collect();
        c.error_with_help(
            span,
            key,
            format!("the operator has no test phone {account:?}"),
            format!("test phones: {}", names.join(", ")),
        );
        return None;
    }
    let Some(s) = lab.site(site) else {
        let names: Vec<_> = lab.sites.iter().map(|s| s.name.as_str()).collect();
        c.error_with_help(
            span,
            key,
            format!("the lab has no site {site:?}"),
            format!("sites: {}, operator", names.join(", ")),
        );
        return None;
    };
    if s.phones.iter().any(|p| p.account == account) {
        Some(PhoneId { site: site.into(), account: account.into() })
    } else {
        c.error_with_help(
            span,
            key,
            format!("site {site} has no phone {account:?}"),
            format!("phones are named role + cabinet, e.g. {}", s.phones.first().map_or("", |p| p.account.as_str())),
        );
        None
    }
}

/// A phone named by a scenario value.
fn phone_of(c: &mut Collector<'_>, lab: &Lab, v: &Spanned<String>) -> Option<PhoneId> {
    phone(c, lab, v.get_ref(), v.span(), "hears")
}

/// The digits `from` types to reach `to`, by the lab's numbering plan.
fn number_for(lab: &Lab, how: &str, from: &PhoneId, to: &PhoneId) -> Result<String, String> {
    let test_phone = |id: &PhoneId| lab.operator.test_phones.iter().find(|t| t.account == id.account);
    match (how, lab.site(&to.site)) {
        ("extension", Some(site)) if from.site == to.site => Ok(extension(site, &to.account)),
        ("extension", _) => Err(format!("{to} is not on {from}'s site: dial \"intersite\" or \"public\"")),
        ("intersite", Some(site)) => Ok(site.intersite_number(&lab.numbering, &extension(site, &to.account))),
        ("intersite", None) => Err(format!("{to} is a test phone: dial \"public\"")),
        ("public", Some(site)) => Ok(site.public_number(&lab.numbering, &extension(site, &to.account))),
        ("public", None) => Ok(test_phone(to).map(|t| t.number.clone()).unwrap_or_default()),
        (digits, _) if is_keypad(digits) => Ok(digits.to_string()),
        (other, _) => {
            Err(format!("dial {other:?}: expected \"extension\", \"intersite\", \"public\" or the digits to dial"))
        }
    }
}

fn extension(site: &crate::model::Site, account: &str) -> String {
    site.phones.iter().find(|p| p.account == account).map(|p| p.extension.clone()).unwrap_or_default()
}

fn is_keypad(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|ch| ch.is_ascii_digit() || ch == '*' || ch == '#')
}

fn expand_call(c: &mut Collector<'_>, lab: &Lab, file: &str, text: &str, i: usize, call: &RawCall) -> Vec<Check> {
    let key = |f: &str| format!("call[{i}].{f}");
    let froms: Vec<PhoneId> =
        call.from.get_ref().items().iter().filter_map(|v| phone(c, lab, v, call.from.span(), &key("from"))).collect();
    let tos: Vec<PhoneId> = call
        .to
        .as_ref()
        .map(|t| t.get_ref().items().iter().filter_map(|v| phone(c, lab, v, t.span(), &key("to"))).collect())
        .unwrap_or_default();
    let status = match call.expect.as_ref().map(|e| (e.get_ref(), e.span())) {
        None => None,
        Some((Outcome::Word(w), span)) => match w.as_str() {
            "answered" => None,
            "busy" => Some(486),
            "not-found" => Some(404),
            "unavailable" => Some(480),
            other => {
                c.error_with_help(
                    span,
                    key("expect"),
                    format!("unknown outcome {other:?}"),
                    "expected \"answered\", \"busy\", \"not-found\", \"unavailable\" or a SIP status such as 404",
                );
                None
            }
        },
        Some((Outcome::Status(n), span)) => {
            if !(400..700).contains(n) {
                c.error(span, key("expect"), format!("SIP status {n} is not a final failure (400..699)"));
            }
            Some(*n as u16)
        }
    };
    if status.is_none() && tos.is_empty() && call.to.is_none() {
        c.error(call.from.span(), key("to"), "an answered call needs `to`: the phone that must ring");
    }
    let how = call.dial.as_ref().map_or("extension", |d| d.get_ref().as_str());
    let dial_span = call.dial.as_ref().map_or(call.from.span(), |d| d.span());
    let audio = call.audio.unwrap_or(true);
    let at = place(file, text, call.says.span().start);
    let says = call.says.get_ref();
    let mut checks = Vec::new();
    let targets: Vec<Option<&PhoneId>> = if tos.is_empty() { vec![None] } else { tos.iter().map(Some).collect() };
    for from in &froms {
        for to in &targets {
            if *to == Some(from) {
                continue;
            }
            let number = match to {
                Some(to) => number_for(lab, how, from, to),
                None if is_keypad(how) => Ok(how.to_string()),
                None => Err("without `to`, `dial` must be the digits to dial".to_string()),
            };
            let number = match number {
                Ok(n) => n,
                Err(msg) => {
                    c.error(dial_span.clone(), key("dial"), msg);
                    continue;
                }
            };
            let mut steps =
                vec![line(Step::Dial { from: from.clone(), number: number.clone() }, format!("{from} dials {number}"))];
            match (status, to) {
                (None, Some(to)) => {
                    let rings = Step::Rings { phone: (*to).clone(), from: None, alert: None };
                    steps.push(line(rings, format!("{to} rings")));
                    steps.push(line(Step::Answer { phone: (*to).clone() }, format!("{to} answers")));
                    if audio {
                        steps.push(line(
                            Step::Audio { a: from.clone(), b: (*to).clone() },
                            "audio flows both ways".into(),
                        ));
                    }
                    steps.push(line(Step::Hangup { phone: from.clone() }, format!("{from} hangs up")));
                    steps.push(line(Step::Ended { phone: (*to).clone() }, format!("{to}'s call ends too")));
                }
                (Some(status), to) => {
                    steps.push(line(
                        Step::Fails { phone: from.clone(), status },
                        format!("the call ends with SIP {status}"),
                    ));
                    let mut sites = vec![from.site.clone()];
                    if let Some(to) = to {
                        sites.push(to.site.clone());
                    }
                    sites.dedup();
                    steps.push(line(Step::NobodyRings { caller: from.clone(), sites }, "no phone rings".into()));
                }
                (None, None) => {}
            }
            let who = to.map_or(String::new(), |t| format!(" → {t}"));
            checks.push(Check { says: format!("{says}: {from}{who} ({number})"), steps, place: at.clone() });
        }
    }
    checks
}

fn line(step: Step, says: String) -> StepLine {
    StepLine { step, says }
}

fn check_flow(c: &mut Collector<'_>, lab: &Lab, file: &str, text: &str, i: usize, flow: &RawFlow) -> Option<Check> {
    let mut steps = Vec::new();
    let before = c.count();
    let mut last_caller: Option<PhoneId> = None;
    for (j, raw) in flow.steps.iter().enumerate() {
        let key = |f: &str| format!("flow[{i}].steps[{j}].{f}");
        let s = raw.get_ref();
        let present: Vec<&str> = STEP_ACTIONS
            .iter()
            .copied()
            .filter(|a| match *a {
                "dial" => s.dial.is_some(),
                "rings" => s.rings.is_some(),
                "answer" => s.answer.is_some(),
                "connected" => s.connected.is_some(),
                "fails" => s.fails.is_some(),
                "nobody_rings" => s.nobody_rings.is_some(),
                "audio" => s.audio.is_some(),
                "hangup" => s.hangup.is_some(),
                "ended" => s.ended.is_some(),
                "dtmf" => s.dtmf.is_some(),
                "hold" => s.hold.is_some(),
                "resume" => s.resume.is_some(),
                "transfer" => s.transfer.is_some(),
                "hears" => s.hears.is_some(),
                "recorded" => s.recorded.is_some(),
                "parked" => s.parked.is_some(),
                "watch" => s.watch.is_some(),
                "answered" => s.answered.is_some(),
                "leaves_message" => s.leaves_message.is_some(),
                "mwi" => s.mwi.is_some(),
                "empty_box" => s.empty_box.is_some(),
                "message" => s.message.is_some(),
                "receives" => s.receives.is_some(),
                "presence" => s.presence.is_some(),
                "mailed" => s.mailed.is_some(),
                _ => s.blf.is_some(),
            })
            .collect();
        if present.len() != 1 {
            c.error_with_help(
                raw.span(),
                format!("flow[{i}].steps[{j}]"),
                format!(
                    "a step does exactly one thing; this one has {}",
                    if present.is_empty() { "none".into() } else { present.join(", ") }
                ),
                format!("one of: {}", STEP_ACTIONS.join(", ")),
            );
            continue;
        }
        let p = |c: &mut Collector<'_>, v: &Spanned<String>, f: &str| phone(c, lab, v.get_ref(), v.span(), &key(f));
        let step = match present[0] {
            "dial" | "watch" | "transfer" | "dtmf" => {
                let (action, value) = match (&s.dial, &s.watch, &s.transfer) {
                    (Some(d), _, _) => ("dial", d),
                    (_, Some(w), _) => ("watch", w),
                    (_, _, Some(t)) => ("transfer", t),
                    _ => ("dtmf", s.dtmf.as_ref().expect("present")),
                };
                if !is_keypad(value.get_ref()) {
                    c.error(
                        value.span(),
                        key(action),
                        format!("{:?} is not something a keypad can dial", value.get_ref()),
                    );
                }
                let Some(from) = s.from.as_ref() else {
                    c.error(raw.span(), key("from"), format!("`{action}` needs `from`: the phone that does it"));
                    continue;
                };
                let Some(from) = p(c, from, "from") else { continue };
                let digits = value.get_ref().clone();
                match action {
                    "dial" => {
                        last_caller = Some(from.clone());
                        Step::Dial { from, number: digits }
                    }
                    "watch" => {
                        let presence = match s.event.as_ref().map(|e| e.get_ref().as_str()) {
                            None | Some("dialog") => false,
                            Some("presence") => true,
                            Some(other) => {
                                let span = s.event.as_ref().map_or(raw.span(), |e| e.span());
                                c.error(span, key("event"), format!("{other:?}: expected \"dialog\" or \"presence\""));
                                continue;
                            }
                        };
                        Step::Watch { phone: from, extension: digits, presence }
                    }
                    "transfer" => Step::Transfer { phone: from, number: digits },
                    _ => Step::Dtmf { phone: from, digits },
                }
            }
            "rings" => {
                let phone = p(c, s.rings.as_ref()?, "rings")?;
                let from = match &s.from {
                    Some(f) => Some(p(c, f, "from")?),
                    None => None,
                };
                let alert = s.alert.as_ref().map(|a| a.get_ref().clone());
                Step::Rings { phone, from, alert }
            }
            "answer" => Step::Answer { phone: p(c, s.answer.as_ref()?, "answer")? },
            "hangup" => Step::Hangup { phone: p(c, s.hangup.as_ref()?, "hangup")? },
            "ended" => Step::Ended { phone: p(c, s.ended.as_ref()?, "ended")? },
            "hold" => Step::Hold { phone: p(c, s.hold.as_ref()?, "hold")? },
            "resume" => Step::Resume { phone: p(c, s.resume.as_ref()?, "resume")? },
            "connected" => {
                let phone = p(c, s.connected.as_ref()?, "connected")?;
                let Some(with) = &s.with else {
                    c.error(raw.span(), key("with"), "`connected` needs `with`: the other party");
                    continue;
                };
                Step::Connected { phone, with: p(c, with, "with")? }
            }
            "hears" => {
                let v = s.hears.as_ref()?;
                let Some(phone) = &s.phone else {
                    c.error(raw.span(), key("phone"), "`hears` needs `phone`: who listens");
                    continue;
                };
                let phone = p(c, phone, "phone")?;
                let what = match v.get_ref().as_str() {
                    "music" => {
                        let site = s.site.as_ref().map_or(phone.site.clone(), |x| x.get_ref().clone());
                        if lab.site(&site).is_none() {
                            c.error(v.span(), key("site"), format!("the lab has no site {site:?}"));
                        }
                        Sound::Music { site }
                    }
                    "welcome" => Sound::Welcome,
                    "no welcome" => Sound::NoWelcome,
                    "refusal" => Sound::Refusal,
                    "speech" => Sound::Speech,
                    "menu" => Sound::Menu,
                    other if other.contains('/') => Sound::ToneOf(phone_of(c, lab, v)?),
                    other => {
                        c.error_with_help(
                            v.span(),
                            key("hears"),
                            format!("unknown sound {other:?}"),
                            "one of: music, welcome, no welcome, refusal, speech, menu, or a phone (site/account) whose tone is heard",
                        );
                        continue;
                    }
                };
                Step::Hears { phone, what }
            }
            "recorded" => {
                let v = s.recorded.as_ref()?;
                let ids: Vec<PhoneId> =
                    v.get_ref().iter().filter_map(|x| phone(c, lab, x, v.span(), &key("recorded"))).collect();
                let Ok([a, b]) = <[PhoneId; 2]>::try_from(ids) else {
                    c.error(v.span(), key("recorded"), "`recorded` names the two phones of the call");
                    continue;
                };
                Step::Recorded { a, b }
            }
            "message" => {
                let text = s.message.as_ref()?.get_ref().clone();
                let (Some(from), Some(to)) = (&s.from, &s.to) else {
                    c.error(raw.span(), key("message"), "`message` needs `from` (the sender) and `to` (the number)");
                    continue;
                };
                if !is_keypad(to.get_ref()) {
                    c.error(to.span(), key("to"), format!("{:?} is not a number a phone can address", to.get_ref()));
                }
                let status = s.status.as_ref().map_or(202, |st| *st.get_ref() as u16);
                Step::SendMessage { phone: p(c, from, "from")?, to: to.get_ref().clone(), text, status }
            }
            "mailed" => {
                let phone = p(c, s.mailed.as_ref()?, "mailed")?;
                if lab.site(&phone.site).is_none() {
                    c.error(
                        s.mailed.as_ref()?.span(),
                        key("mailed"),
                        "only site phones have a voicemail box and an address",
                    );
                    continue;
                }
                let Some(from) = &s.from else {
                    c.error(raw.span(), key("from"), "`mailed` needs `from`: who left the voicemail");
                    continue;
                };
                Step::Mailed { phone, from: p(c, from, "from")? }
            }
            "receives" => {
                let text = s.receives.as_ref()?.get_ref().clone();
                let Some(phone) = &s.phone else {
                    c.error(raw.span(), key("phone"), "`receives` needs `phone`: who gets the message");
                    continue;
                };
                let from = match &s.from {
                    Some(f) => Some(p(c, f, "from")?),
                    None => None,
                };
                Step::Receives { phone: p(c, phone, "phone")?, text, from }
            }
            "answered" => Step::Answered { phone: p(c, s.answered.as_ref()?, "answered")? },
            "mwi" => {
                let v = s.mwi.as_ref()?;
                let waiting = match v.get_ref().as_str() {
                    "yes" => true,
                    "no" => false,
                    other => {
                        c.error(
                            v.span(),
                            key("mwi"),
                            format!("{other:?}: expected \"yes\" or \"no\" (messages waiting)"),
                        );
                        continue;
                    }
                };
                let Some(phone) = &s.phone else {
                    c.error(raw.span(), key("phone"), "`mwi` needs `phone`: whose indicator");
                    continue;
                };
                Step::Mwi { phone: p(c, phone, "phone")?, waiting }
            }
            "leaves_message" | "empty_box" => {
                let (mailbox, phone) = match (&s.empty_box, &s.leaves_message) {
                    (Some(b), _) => (b, None),
                    (_, Some(l)) => {
                        let Some(b) = &s.mailbox else {
                            c.error(raw.span(), key("box"), "`leaves_message` needs `box`: site/box, e.g. table3/22");
                            continue;
                        };
                        (b, Some(p(c, l, "leaves_message")?))
                    }
                    _ => continue,
                };
                let Some((site, number)) = mailbox.get_ref().split_once('/') else {
                    c.error(mailbox.span(), key("box"), "write the box as site/box, e.g. table3/22");
                    continue;
                };
                let known = lab.site(site).is_some_and(|s| s.phones.iter().any(|p| p.extension == number));
                if !known {
                    c.error(
                        mailbox.span(),
                        key("box"),
                        format!("{} is no voicemail box of the lab", mailbox.get_ref()),
                    );
                    continue;
                }
                match phone {
                    Some(phone) => Step::LeavesMessage { phone, site: site.into(), mailbox: number.into() },
                    None => Step::EmptyBox { site: site.into(), mailbox: number.into() },
                }
            }
            "parked" => {
                let v = s.parked.as_ref()?;
                let Some(site) = &s.site else {
                    c.error(raw.span(), key("site"), "`parked` needs `site`: whose parking lot");
                    continue;
                };
                if lab.site(site.get_ref()).is_none() {
                    c.error(site.span(), key("site"), format!("the lab has no site {:?}", site.get_ref()));
                }
                Step::Parked { site: site.get_ref().clone(), space: v.get_ref().clone() }
            }
            "fails" => {
                let phone = p(c, s.fails.as_ref()?, "fails")?;
                let Some(status) = &s.status else {
                    c.error(
                        raw.span(),
                        key("status"),
                        "`fails` needs `status`: the SIP final status expected, e.g. 486",
                    );
                    continue;
                };
                Step::Fails { phone, status: *status.get_ref() as u16 }
            }
            "nobody_rings" => {
                let v = s.nobody_rings.as_ref()?;
                let sites: Vec<String> = v.get_ref().items().iter().map(|x| x.to_string()).collect();
                for site in &sites {
                    if lab.site(site).is_none() && site != "operator" {
                        c.error(v.span(), key("nobody_rings"), format!("the lab has no site {site:?}"));
                    }
                }
                let Some(caller) = last_caller.clone() else {
                    c.error(v.span(), key("nobody_rings"), "`nobody_rings` follows a `dial`");
                    continue;
                };
                Step::NobodyRings { caller, sites }
            }
            "audio" => {
                let v = s.audio.as_ref()?;
                let ids: Vec<PhoneId> =
                    v.get_ref().iter().filter_map(|x| phone(c, lab, x, v.span(), &key("audio"))).collect();
                if v.get_ref().len() != 2 {
                    c.error(v.span(), key("audio"), "`audio` names the two phones of a call");
                    continue;
                }
                let [a, b] = <[PhoneId; 2]>::try_from(ids).ok()?;
                Step::Audio { a, b }
            }
            _ => {
                let v = s.blf.as_ref().or(s.presence.as_ref())?;
                let state = match v.get_ref().as_str() {
                    "idle" => BlfState::Idle,
                    "ringing" => BlfState::Ringing,
                    "in use" | "in-use" => BlfState::InUse,
                    other => {
                        c.error_with_help(
                            v.span(),
                            key("blf"),
                            format!("unknown line state {other:?}"),
                            "one of: idle, ringing, in use",
                        );
                        continue;
                    }
                };
                Step::Blf { state }
            }
        };
        let says = s.says.clone().unwrap_or_else(|| describe(&step));
        steps.push(StepLine { step, says });
    }
    if flow.steps.is_empty() {
        c.error(flow.says.span(), format!("flow[{i}].steps"), "a flow needs at least one step");
    }
    (c.count() == before).then(|| Check {
        says: flow.says.get_ref().clone(),
        steps,
        place: place(file, text, flow.says.span().start),
    })
}

fn describe(step: &Step) -> String {
    match step {
        Step::Dial { from, number } => format!("{from} dials {number}"),
        Step::Rings { phone, alert: Some(a), .. } => format!("{phone} rings with the {a} ring"),
        Step::Rings { phone, .. } => format!("{phone} rings"),
        Step::Connected { phone, with } => format!("{phone} is in the call with {with}"),
        Step::Ended { phone } => format!("{phone}'s call is over"),
        Step::Dtmf { phone, digits } => format!("{phone} keys {digits}"),
        Step::Hold { phone } => format!("{phone} puts the call on hold"),
        Step::Resume { phone } => format!("{phone} takes the call off hold"),
        Step::Transfer { phone, number } => format!("{phone} transfers the call to {number}"),
        Step::Hears { phone, what: Sound::Music { site } } => format!("{phone} hears {site}'s music on hold"),
        Step::Hears { phone, what: Sound::Welcome } => format!("{phone} hears the welcome message first"),
        Step::Hears { phone, what: Sound::NoWelcome } => format!("{phone} hears no welcome message"),
        Step::Recorded { a, b } => format!("the call of {a} and {b} is recorded, both voices"),
        Step::Parked { site, space } => format!("{site}'s parking lot holds a call at {space}"),
        Step::Answered { phone } => format!("{phone}'s call is answered by the IPBX"),
        Step::EmptyBox { site, mailbox } => format!("{site}'s box {mailbox} starts empty"),
        Step::LeavesMessage { phone, site, mailbox } => format!("{phone} leaves a message in {site}'s box {mailbox}"),
        Step::Mwi { phone, waiting: true } => format!("{phone} shows messages waiting"),
        Step::Mwi { phone, waiting: false } => format!("{phone} shows no message waiting"),
        Step::Hears { phone, what: Sound::Refusal } => format!("{phone} hears that voicemail access is refused"),
        Step::Hears { phone, what: Sound::ToneOf(other) } => format!("{phone} hears {other}'s tone"),
        Step::Hears { phone, what: Sound::Speech } => format!("{phone} hears spoken prompts"),
        Step::Hears { phone, what: Sound::Menu } => format!("{phone} hears the menu"),
        Step::Answer { phone } => format!("{phone} answers"),
        Step::Fails { phone, status } => format!("{phone}'s call ends with SIP {status}"),
        Step::NobodyRings { sites, .. } => format!("no phone of {} rings", sites.join(", ")),
        Step::Audio { a, b } => format!("{a} and {b} hear each other"),
        Step::Hangup { phone } => format!("{phone} hangs up"),
        Step::Watch { phone, extension, presence: false } => format!("{phone} watches extension {extension}"),
        Step::Watch { phone, extension, presence: true } => {
            format!("{phone} subscribes to extension {extension}'s presence")
        }
        Step::SendMessage { phone, to, status, .. } => format!("{phone} sends a message to {to} (SIP {status})"),
        Step::Receives { phone, text, .. } => format!("{phone} receives \"{text}\""),
        Step::Mailed { phone, from } => format!("{phone} gets {from}'s voicemail by e-mail"),
        Step::Blf { state } => format!("the watcher sees the line {state}"),
    }
}
