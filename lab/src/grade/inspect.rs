//! The checks of one site's config: its phones' endpoints and extensions
//! (part I), trunk (part II), pickup code (part III); the dialplan's own
//! lines are in `dialling`, voicemail (part IV) in `mailbox`, what they all
//! read in `facts`.

use std::path::Path;

use super::facts::{finding, who, Facts};
use super::feature_codes::FeatureCodes;
use super::messages::{Problem, Removed};
use super::{
    applicationmap, contexts, dialling, jumps, mailbox, map_suggestion, moh_player, options, outbound, pjsip_options,
    queues, shadow, syntax, voicemail_mail, Finding, GradeError, Inspection, Part, PhoneAuth,
};
use crate::asterisk_conf::accounts::{Accounts, PJSIP_CONF, WIZARD_CONF};
use crate::asterisk_conf::dialplan::{pjsip_endpoint, targets, Dialplan, Step, EXTENSIONS_CONF};
use crate::asterisk_conf::{Conf, Place};
use crate::gen::features;
use crate::model::{Lab, Site};

const FEATURES_CONF: &str = "features.conf";
const SIP_CONF: &str = "sip.conf";

pub(super) fn run(lab: &Lab, site: &Site, dir: &Path) -> Result<Inspection, GradeError> {
    let accounts = Accounts::read(dir)?;
    let extensions = Conf::read(dir, EXTENSIONS_CONF)?;
    let voicemail_conf = Conf::read(dir, mailbox::VOICEMAIL_CONF)?;
    let features_conf = Conf::read(dir, FEATURES_CONF)?;
    let wizard_conf = Conf::read(dir, WIZARD_CONF)?;
    let pjsip_conf = Conf::read(dir, PJSIP_CONF)?;
    let moh_conf = Conf::read(dir, moh_player::MOH_CONF)?;
    let queues_conf = Conf::read(dir, queues::QUEUES_CONF)?;
    let mut findings = Vec::new();
    for conf in [&extensions, &voicemail_conf, &features_conf].into_iter().flatten() {
        for (at, file) in &conf.missing_includes {
            let part = part_of_file(&at.file.to_string_lossy());
            findings.push(finding(
                part,
                at.clone(),
                format!("#include {file}"),
                Problem::MissingInclude { file: file.clone() },
            ));
        }
    }
    if extensions.is_none() {
        let problem = Problem::MissingFile { file: EXTENSIONS_CONF.into() };
        findings.push(finding(Part::I, Place::new(EXTENSIONS_CONF, 0), String::new(), problem));
    }
    if Conf::read(dir, SIP_CONF)?.is_some_and(|c| !c.sections.is_empty()) {
        findings.push(finding(Part::I, Place::new(SIP_CONF, 0), String::new(), Problem::Removed(Removed::SipConf)));
    }
    let facts = Facts { lab, site, accounts, plan: extensions.as_ref().map(Dialplan::from_conf).unwrap_or_default() };
    let phones = phones(&facts, &mut findings);
    dialling::dial_targets(&facts, &mut findings);
    dialling::patterns(&facts, &mut findings);
    dialling::removed_apps(&facts, &mut findings);
    syntax::check(&facts, &mut findings);
    jumps::check(&facts, &mut findings);
    shadow::check(&facts, &mut findings);
    options::check(&facts, &mut findings);
    outbound::check(&facts, &mut findings);
    contexts::check(&facts, &mut findings);
    pjsip_options::check(&facts, wizard_conf.as_ref(), pjsip_conf.as_ref(), &mut findings);
    let trunk = trunk(&facts, &mut findings);
    if let Some(conf) = &features_conf {
        pickup_code(conf, &mut findings);
    }
    applicationmap::check(dir, features_conf.as_ref(), &mut findings);
    moh_player::check(moh_conf.as_ref(), &mut findings);
    queues::check(queues_conf.as_ref(), &mut findings);
    mailbox::check(&facts, voicemail_conf.as_ref(), &mut findings);
    voicemail_mail::check(&facts, voicemail_conf.as_ref(), &mut findings);
    findings.sort_by(|a, b| a.at.cmp(&b.at));
    let map_suggestion = map_suggestion::suggest(&facts);
    let feature_codes = FeatureCodes::of(features_conf.as_ref(), lab);
    Ok(Inspection {
        site: site.name.clone(),
        endpoints: facts.accounts.endpoints,
        phones,
        trunk,
        findings,
        map_suggestion,
        feature_codes,
    })
}

fn part_of_file(file: &str) -> Part {
    match file {
        mailbox::VOICEMAIL_CONF => Part::IV,
        FEATURES_CONF => Part::III,
        _ => Part::I,
    }
}

/// The endpoint each phone needs, and its extension in its own context:
/// answered, and ringing that phone.
fn phones(facts: &Facts, findings: &mut Vec<Finding>) -> Vec<PhoneAuth> {
    let file = facts.accounts.files.first().copied().unwrap_or(WIZARD_CONF);
    let mut missing_contexts: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for phone in &facts.site.phones {
        let endpoint = facts.accounts.endpoint(&phone.account);
        out.push(PhoneAuth {
            account: phone.account.clone(),
            extension: phone.extension.clone(),
            username: endpoint.and_then(|e| e.username.clone()),
            password: endpoint.and_then(|e| e.password.clone()),
        });
        let Some(endpoint) = endpoint else {
            let problem = Problem::NoEndpoint { phone: who(phone) };
            findings.push(finding(Part::I, Place::new(file, 0), String::new(), problem));
            continue;
        };
        let context = endpoint.context_name();
        let Some(ctx) = facts.plan.context(context) else {
            if !missing_contexts.iter().any(|c| c == context) && !facts.plan.contexts.is_empty() {
                missing_contexts.push(context.to_string());
                let (at, text) = match &endpoint.context {
                    Some(e) => (e.at.clone(), e.text.clone()),
                    None => (endpoint.at.clone(), format!("[{}]", endpoint.name)),
                };
                let problem = Problem::NoContext { endpoint: endpoint.name.clone(), context: context.to_string() };
                findings.push(finding(Part::I, at, text, problem));
            }
            continue;
        };
        let route = facts.plan.route(context, &phone.extension);
        if route.steps.is_empty() {
            // A context the phone does not reach may ring it on that extension.
            let rings = |c: &str| {
                let route = facts.plan.route(c, &phone.extension);
                let dialled =
                    route.steps.iter().filter(|s| s.is_app("Dial")).flat_map(|s| targets(&s.args)).collect::<Vec<_>>();
                dialled.iter().any(|t| pjsip_endpoint(t) == Some(phone.account.as_str()))
            };
            let elsewhere =
                facts.plan.contexts.iter().find(|c| c.name != context && rings(&c.name)).map(|c| c.name.clone());
            let problem = Problem::NoExtension { phone: who(phone), context: context.to_string(), elsewhere };
            findings.push(finding(Part::I, ctx.at.clone(), format!("[{}]", ctx.name), problem));
            continue;
        }
        let dials: Vec<&Step> = route.steps.iter().copied().filter(|s| s.is_app("Dial")).collect();
        let targets: Vec<&str> = dials.iter().flat_map(|s| targets(&s.args)).collect();
        let rings_it = targets.iter().any(|t| pjsip_endpoint(t) == Some(phone.account.as_str()));
        // Whatever cannot be known statically, or is already reported, is left alone.
        let unknowable = route.partial
            || targets.iter().any(|t| match pjsip_endpoint(t) {
                None => true,
                Some(e) => e.contains('$') || facts.accounts.endpoint(e).is_none(),
            });
        if !rings_it && !unknowable {
            let step = dials.first().copied().unwrap_or(route.steps[0]);
            let dialled = targets.iter().map(|t| t.to_string()).collect();
            let problem = Problem::WrongPhone { phone: who(phone), dialled };
            findings.push(finding(Part::I, step.at.clone(), step.text.clone(), problem));
        }
    }
    out
}

/// The section registering to the operator, with the site's account.
fn trunk(facts: &Facts, findings: &mut Vec<Finding>) -> Option<super::Trunk> {
    let operator = facts.lab.network.operator().to_string();
    let registrations = &facts.accounts.registrations;
    let to_operator = registrations.iter().find(|t| t.remote.as_ref().is_some_and(|r| r.value.contains(&operator)));
    let Some(trunk) = to_operator else {
        let (at, text) = match registrations.first() {
            Some(t) => {
                t.remote.as_ref().map_or((t.at.clone(), format!("[{}]", t.name)), |r| (r.at.clone(), r.text.clone()))
            }
            None => (Place::new(facts.accounts.files.first().copied().unwrap_or(WIZARD_CONF), 0), String::new()),
        };
        findings.push(finding(Part::II, at, text, Problem::NoTrunk { operator }));
        return registrations.first().cloned();
    };
    let expected = facts.site.trunk_account();
    if let Some(username) = trunk.username.as_ref().filter(|u| u.value != expected) {
        let problem = Problem::TrunkAccount {
            trunk: trunk.name.clone(),
            username: username.value.clone(),
            expected: expected.to_string(),
        };
        findings.push(finding(Part::II, username.at.clone(), username.text.clone(), problem));
    }
    Some(trunk.clone())
}

/// features.conf's `pickupexten`, when set, is the SAE's `*8`.
fn pickup_code(conf: &Conf, findings: &mut Vec<Finding>) {
    let Some(general) = conf.section("general") else {
        return;
    };
    if let Some(entry) = conf.get(general, "pickupexten").filter(|e| e.value != features::PICKUP) {
        let problem = Problem::PickupCode { code: entry.value.clone(), expected: features::PICKUP.to_string() };
        findings.push(finding(Part::III, entry.at.clone(), entry.text.clone(), problem));
    }
}
