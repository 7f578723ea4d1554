//! Voicemail (SAE part IV): one box per phone, numbered like its extension,
//! used by the phone's extension and message light, and 888 to listen.
//!
//! A box renumbered (the SAE report's box 4 for extension 3) leaves both a
//! box that matches nothing and a phone without a box: one mistake, reported
//! once at the renumbered box.

use super::facts::{finding, who, Facts};
use super::messages::{BoxUse, Problem};
use super::{Finding, Part};
use crate::asterisk_conf::dialplan::{substitute_exten, targets};
use crate::asterisk_conf::{Conf, Entry, Place};
use crate::gen::voicemail::ACCESS;

pub const VOICEMAIL_CONF: &str = "voicemail.conf";
/// Sections of voicemail.conf that are settings, not box contexts.
const NOT_CONTEXTS: [&str; 2] = ["general", "zonemessages"];
/// A box named without `@context` is in this one.
const DEFAULT_CONTEXT: &str = "default";

struct Mailbox<'a> {
    number: &'a str,
    context: &'a str,
    entry: &'a Entry,
}

pub(super) fn check(facts: &Facts, conf: Option<&Conf>, findings: &mut Vec<Finding>) {
    access(facts, findings);
    let Some(conf) = conf else {
        let problem = Problem::MissingFile { file: VOICEMAIL_CONF.into() };
        findings.push(finding(Part::IV, Place::new(VOICEMAIL_CONF, 0), String::new(), problem));
        return;
    };
    let boxes: Vec<Mailbox> = conf
        .sections
        .iter()
        .filter(|s| !NOT_CONTEXTS.contains(&s.name.as_str()))
        .flat_map(|s| s.entries.iter().map(|e| Mailbox { number: &e.key, context: &s.name, entry: e }))
        .collect();
    let phones = &facts.site.phones;
    let strays = boxes.iter().filter(|b| !phones.iter().any(|p| p.extension == b.number));
    let mut boxless = phones.iter().filter(|p| !boxes.iter().any(|b| b.number == p.extension));
    // Boxes that match nothing are paired, in order, with phones that have none.
    for stray in strays {
        let problem = Problem::StrayBox { number: stray.number.to_string(), boxless: boxless.next().map(who) };
        findings.push(finding(Part::IV, stray.entry.at.clone(), stray.entry.text.clone(), problem));
    }
    let box_context = conf.sections.iter().find(|s| !NOT_CONTEXTS.contains(&s.name.as_str()));
    for phone in boxless {
        let (at, text) =
            box_context.map_or((Place::new(VOICEMAIL_CONF, 0), String::new()), |s| (s.at.clone(), s.text.clone()));
        findings.push(finding(Part::IV, at, text, Problem::NoBox { phone: who(phone) }));
    }
    for phone in phones {
        let Some(own) = boxes.iter().find(|b| b.number == phone.extension) else {
            continue;
        };
        let own_name = (own.number, own.context);
        for (named, at, text, via) in uses(facts, &phone.account, &phone.extension) {
            let (number, context) = named.split_once('@').unwrap_or((&named, DEFAULT_CONTEXT));
            if (number, context) != own_name {
                findings.push(finding(Part::IV, at, text, Problem::OtherBox { phone: who(phone), named, via }));
            }
        }
        findings.extend(reaches_box(facts, phone));
    }
}

/// An unanswered (or busy) call goes on to VoiceMail() after the Dial; an
/// extension that never runs it leaves the box empty.
fn reaches_box(facts: &Facts, phone: &crate::model::Phone) -> Option<Finding> {
    let endpoint = facts.accounts.endpoint(&phone.account)?;
    let route = facts.plan.route(endpoint.context_name(), &phone.extension);
    if route.steps.is_empty() || route.partial || route.steps.iter().any(|s| s.is_app("VoiceMail")) {
        return None;
    }
    let step = route.steps.iter().rev().find(|s| s.is_app("Dial")).or(route.steps.last())?;
    Some(finding(Part::IV, step.at.clone(), step.text.clone(), Problem::NoVoicemailStep { phone: who(phone) }))
}

/// The boxes a phone's extension leaves messages in, and its endpoint's
/// message light watches: `(box, place, text, how)`.
fn uses(facts: &Facts, account: &str, extension: &str) -> Vec<(String, Place, String, BoxUse)> {
    let mut out = Vec::new();
    let Some(endpoint) = facts.accounts.endpoint(account) else {
        return out;
    };
    if let Some(mwi) = &endpoint.mailboxes {
        if let Some(first) = targets(&mwi.value).first().and_then(|b| substitute_exten(b, extension)) {
            out.push((first, mwi.at.clone(), mwi.text.clone(), BoxUse::Mwi));
        }
    }
    let route = facts.plan.route(endpoint.context_name(), extension);
    let voicemail = route.steps.iter().filter(|s| s.is_app("VoiceMail"));
    // The first box of the first VoiceMail call is enough: one finding per phone.
    if let Some(step) = voicemail.into_iter().next() {
        let first = targets(&step.args).first().and_then(|b| substitute_exten(b, extension));
        if let Some(named) = first {
            out.push((named, step.at.clone(), step.text.clone(), BoxUse::VoiceMail));
        }
    }
    out
}

/// 888 answers in the context of the site's phones.
fn access(facts: &Facts, findings: &mut Vec<Finding>) {
    let Some(phone) = facts.site.phones.iter().find(|p| facts.accounts.endpoint(&p.account).is_some()) else {
        return;
    };
    let context = facts.accounts.endpoint(&phone.account).map_or("default", |e| e.context_name());
    let Some(ctx) = facts.plan.context(context) else {
        return; // reported as a missing context
    };
    if facts.plan.route(context, ACCESS).steps.is_empty() {
        let problem = Problem::NoVoicemailAccess { number: ACCESS.to_string(), context: context.to_string() };
        findings.push(finding(Part::IV, ctx.at.clone(), format!("[{}]", ctx.name), problem));
    }
}
