//! Scenario files: TOML a student can read, checked against the lab.
//!
//! ```toml
//! title = "Internal calls"
//! part = "I"
//!
//! [[call]]                       # shorthand: dial, ring, answer, audio both ways, hang up
//! says = "Inside a cabinet every role reaches every other"
//! fr = "Dans un cabinet, chaque poste joint les autres"   # optional: the same in French
//! from = ["table1/patron1", "table1/assistant1"]
//! to = ["table1/patron1", "table1/assistant1"]   # every ordered pair, self excluded
//! dial = "extension"             # or "intersite", "public", or the digits themselves
//!
//! [[flow]]                       # any sequence of steps
//! says = "Calling a phone already in a call gives busy"
//! fr = "Appeler un poste déjà en communication donne occupé"
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

use super::flow::{check_flow, RawFlow, STEP_KEYS};
use super::{Check, PhoneId, Scenario, Step, StepLine};
use crate::diagnostic::{Collector, Diagnostics};
use crate::gen::OPERATOR;
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
    title: Spanned<String>,
    part: Option<String>,
    #[serde(default)]
    call: Vec<RawCall>,
    #[serde(default)]
    flow: Vec<RawFlow>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(super) fn items(&self) -> Vec<&str> {
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
    fr: Option<Spanned<String>>,
    from: Spanned<OneOrMany>,
    to: Option<Spanned<OneOrMany>>,
    dial: Option<Spanned<String>>,
    expect: Option<Spanned<Outcome>>,
    audio: Option<bool>,
}

fn allowed_keys(path: &[Segment]) -> &'static [&'static str] {
    match parent_tables(path).as_slice() {
        [] => &["title", "part", "call", "flow"],
        ["call"] => &["says", "fr", "from", "to", "dial", "expect", "audio"],
        ["flow"] => &["says", "fr", "steps"],
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
        c.error(raw.title.span(), "flow", "a scenario needs at least one [[call]] or [[flow]]");
    }
    c.finish()?;
    Ok(Scenario { name: name.to_string(), title: raw.title.into_inner(), part: raw.part, checks })
}

pub(super) fn place(file: &str, text: &str, offset: usize) -> String {
    format!("{file}:{}", text[..offset.min(text.len())].matches('\n').count() + 1)
}

/// The check's French sentence, when given; an empty one is an error.
pub(super) fn french(c: &mut Collector<'_>, fr: Option<&Spanned<String>>, key: String) -> Option<String> {
    let fr = fr?;
    if fr.get_ref().trim().is_empty() {
        c.error_with_help(fr.span(), key, "`fr` is empty", "write the check's sentence in French, or leave `fr` out");
        return None;
    }
    Some(fr.get_ref().clone())
}

/// Resolves `site/account` (or `operator/TM1`) against the lab.
pub(super) fn phone(
    c: &mut Collector<'_>,
    lab: &Lab,
    value: &str,
    span: std::ops::Range<usize>,
    key: &str,
) -> Option<PhoneId> {
    let Some((site, account)) = value.split_once('/') else {
        c.error_with_help(
            span,
            key,
            format!("{value:?} is not a phone"),
            "write site/account, e.g. table1/patron1 or operator/TM1",
        );
        return None;
    };
    if site == OPERATOR {
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

/// The digits `from` types to reach `to`, by the lab's numbering plan.
fn number_for(lab: &Lab, how: &str, from: &PhoneId, to: &PhoneId) -> Result<String, String> {
    let test_phone = |id: &PhoneId| lab.operator.test_phones.iter().find(|t| t.account == id.account);
    match (how, lab.site(&to.site)) {
        ("extension", Some(site)) if from.site == to.site => Ok(extension(site, &to.account)),
        ("extension", _) => Err(format!("{to} is not on {from}'s site: dial \"intersite\" or \"public\"")),
        ("intersite", Some(site)) => Ok(site.intersite_number(&lab.numbering, &public_suffix(site, &to.account))),
        ("intersite", None) => Err(format!("{to} is a test phone: dial \"public\"")),
        ("public", Some(site)) => Ok(site.public_number(&lab.numbering, &public_suffix(site, &to.account))),
        ("public", None) => Ok(test_phone(to).map(|t| t.number.clone()).unwrap_or_default()),
        (digits, _) if is_keypad(digits) => Ok(digits.to_string()),
        (other, _) => {
            Err(format!("dial {other:?}: expected \"extension\", \"intersite\", \"public\" or the digits to dial"))
        }
    }
}

fn public_suffix(site: &crate::model::Site, account: &str) -> String {
    site.phones.iter().find(|p| p.account == account).map(|p| p.number.clone()).unwrap_or_default()
}

fn extension(site: &crate::model::Site, account: &str) -> String {
    site.phones.iter().find(|p| p.account == account).map(|p| p.extension.clone()).unwrap_or_default()
}

pub(super) fn is_keypad(s: &str) -> bool {
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
    let says_fr = french(c, call.fr.as_ref(), key("fr"));
    let mut checks = Vec::new();
    // A `to` whose phones are all unknown (reported above) leaves no target,
    // not a call without `to`.
    let targets: Vec<Option<&PhoneId>> = match call.to {
        None => vec![None],
        Some(_) => tos.iter().map(Some).collect(),
    };
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
            checks.push(Check {
                says: format!("{says}: {from}{who} ({number})"),
                says_fr: says_fr.as_ref().map(|fr| format!("{fr} : {from}{who} ({number})")),
                steps,
                place: at.clone(),
            });
        }
    }
    checks
}

fn line(step: Step, says: String) -> StepLine {
    StepLine { step, says }
}
