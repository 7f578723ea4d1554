//! The `[[call]]` shorthand of a scenario file: from each phone to each
//! other, dial by the numbering plan, ring, answer, audio both ways, hang up
//! (or fail with a SIP status, and nobody rings).
//!
//! `*/patron6` is that phone on every site of the lab, so a file holds for a
//! lab of any size; from `*/…` to `*/…`, each site calls every other one.

use serde::Deserialize;
use toml::Spanned;

use super::names::{french, is_keypad, on_every_site, phone, place, OneOrMany};
use super::steps::{Answer, Audio, Dial, Ended, Fails, Hangup, NobodyRings, Rings, Step};
use super::{Check, PhoneId, StepLine};
use crate::diagnostic::Collector;
use crate::model::Lab;

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Outcome {
    Word(String),
    Status(i64),
}

#[derive(Debug, Deserialize)]
pub(super) struct RawCall {
    says: Spanned<String>,
    fr: Option<Spanned<String>>,
    from: Spanned<OneOrMany>,
    to: Option<Spanned<OneOrMany>>,
    dial: Option<Spanned<String>>,
    expect: Option<Spanned<Outcome>>,
    audio: Option<bool>,
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

pub(super) fn expand_call(
    c: &mut Collector<'_>,
    lab: &Lab,
    file: &str,
    text: &str,
    i: usize,
    call: &RawCall,
) -> Vec<Check> {
    let key = |f: &str| format!("call[{i}].{f}");
    let (froms, every_from) = phones(c, lab, &call.from, &key("from"));
    let (tos, every_to) = call.to.as_ref().map_or((Vec::new(), false), |t| phones(c, lab, t, &key("to")));
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
            if *to == Some(from) || (every_from && every_to && to.is_some_and(|t| t.site == from.site)) {
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
                vec![line(Dial { from: from.clone(), number: number.clone() }, format!("{from} dials {number}"))];
            match (status, to) {
                (None, Some(to)) => {
                    let rings = Rings { phone: (*to).clone(), from: None, alert: None };
                    steps.push(line(rings, format!("{to} rings")));
                    steps.push(line(Answer { phone: (*to).clone() }, format!("{to} answers")));
                    if audio {
                        steps.push(line(Audio { a: from.clone(), b: (*to).clone() }, "audio flows both ways".into()));
                    }
                    steps.push(line(Hangup { phone: from.clone() }, format!("{from} hangs up")));
                    steps.push(line(Ended { phone: (*to).clone() }, format!("{to}'s call ends too")));
                }
                (Some(status), to) => {
                    steps.push(line(Fails { phone: from.clone(), status }, format!("the call ends with SIP {status}")));
                    let mut sites = vec![from.site.clone()];
                    if let Some(to) = to {
                        sites.push(to.site.clone());
                    }
                    sites.dedup();
                    steps.push(line(NobodyRings { caller: from.clone(), sites }, "no phone rings".into()));
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

/// The phones a `from` or `to` names, and whether it named every site.
fn phones(c: &mut Collector<'_>, lab: &Lab, list: &Spanned<OneOrMany>, key: &str) -> (Vec<PhoneId>, bool) {
    let mut phones = Vec::new();
    let mut every_site = false;
    for value in list.get_ref().items() {
        match on_every_site(c, lab, value, list.span(), key) {
            Some(all) => {
                every_site = true;
                phones.extend(all);
            }
            None => phones.extend(phone(c, lab, value, list.span(), key)),
        }
    }
    (phones, every_site)
}

fn line(step: impl Into<Step>, says: String) -> StepLine {
    StepLine { step: step.into(), says }
}
