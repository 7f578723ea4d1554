//! Root causes of a live grade: a phone or the trunk that does not register
//! is said once, with the line of the folder that explains it when the files
//! tell, and the checks it kept from running are listed under it.

use std::fmt::Write as _;

use super::asterisk_says::Said;
use super::blocked::{Blocker, Registration};
use super::causes::root_causes;
use super::{Finding, Lang, Part, Problem};

/// The root cause in the files of `account` not registering, if the files tell.
pub(super) fn phone_cause<'a>(findings: &'a [Finding], account: &str) -> Option<&'a Finding> {
    let names = |id: &str| id == account || id.starts_with(&format!("{account}-"));
    let about = |f: &Finding| match &f.problem {
        Problem::Asterisk(Said::UnknownOption { ids, .. } | Said::NotCreated { ids, .. }) => {
            ids.iter().any(|i| names(i))
        }
        Problem::UnknownPjsipOption { section, .. } => names(section),
        Problem::NoEndpoint { phone } => phone.account == account,
        _ => false,
    };
    cause_about(findings, about)
}

/// The root cause in the files of the trunk not registering, if the files tell.
pub(super) fn trunk_cause(findings: &[Finding]) -> Option<&Finding> {
    let about = |f: &Finding| match &f.problem {
        Problem::NoTrunk { .. } | Problem::TrunkAccount { .. } => true,
        Problem::Asterisk(Said::WizardNeeds { .. }) => f.part == Part::II,
        Problem::Asterisk(Said::UnknownOption { .. } | Said::NotCreated { .. }) => f.part == Part::II,
        Problem::UnknownPjsipOption { .. } => f.part == Part::II,
        _ => false,
    };
    cause_about(findings, about)
}

/// The root cause of the first finding `about` picks (itself, or what explains it).
fn cause_about(findings: &[Finding], about: impl Fn(&Finding) -> bool) -> Option<&Finding> {
    root_causes(findings)
        .into_iter()
        .find(|c| about(c.finding) || c.explains.iter().any(|e| about(e)))
        .map(|c| c.finding)
}

/// What a registration failure is read against: the site, its findings,
/// what registered, and the checks not run for want of it.
pub(super) struct Registered<'a> {
    pub site: &'a str,
    pub findings: &'a [Finding],
    pub registration: Option<&'a Registration>,
    pub blocked: &'a [(Part, crate::scenario::CheckResult, Blocker)],
}

/// Under a failed registration of `part`: why, and the checks it kept from running.
pub(super) fn under_registration(report: &Registered<'_>, part: Part, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    let findings = report.findings;
    let mut out = String::new();
    let Some(registration) = report.registration else { return out };
    let blockers: Vec<Blocker> = match part {
        Part::I => registration.phones.iter().filter(|(_, ok)| !ok).map(|(a, _)| Blocker::Phone(a.clone())).collect(),
        Part::II if !registration.trunk => vec![Blocker::Trunk],
        _ => Vec::new(),
    };
    for blocker in blockers {
        let (who, cause) = match &blocker {
            Blocker::Phone(account) => (account.clone(), phone_cause(findings, account)),
            Blocker::Trunk => (if fr { "le faisceau" } else { "the trunk" }.to_string(), trunk_cause(findings)),
        };
        let _ = match (cause, fr) {
            (Some(f), true) => writeln!(out, "      {who} ne s'enregistre pas : {} ({})", f.at, f.message(lang)),
            (Some(f), false) => writeln!(out, "      {who} does not register: {} ({})", f.at, f.message(lang)),
            (None, true) => writeln!(
                out,
                "      {who} ne s'enregistre pas, et les fichiers ne disent pas pourquoi : voir `cargo xtask lab cli {}` (pjsip show endpoints, pjsip show registrations) et la capture SIP",
                report.site
            ),
            (None, false) => writeln!(
                out,
                "      {who} does not register, and the files do not tell why: see `cargo xtask lab cli {}` (pjsip show endpoints, pjsip show registrations) and the SIP capture",
                report.site
            ),
        };
        let kept: Vec<&(Part, crate::scenario::CheckResult, Blocker)> =
            report.blocked.iter().filter(|(_, _, b)| *b == blocker).collect();
        if !kept.is_empty() {
            let _ = match fr {
                true => writeln!(out, "        ce qui empêche {} contrôle(s), non lancés :", kept.len()),
                false => writeln!(out, "        which keeps {} check(s) from running:", kept.len()),
            };
            for (_, r, _) in kept {
                let says = if fr { r.says_fr.as_deref().unwrap_or(&r.says) } else { &r.says };
                let _ = writeln!(out, "          - {} › {says}", r.scenario);
            }
        }
    }
    out
}

/// The finding of the files that explains a failed check of `scenario`: a
/// whole file or module Asterisk refused, what the scenario needs.
pub(super) fn file_cause<'a>(findings: &'a [Finding], scenario: &str) -> Option<&'a Finding> {
    let about = |f: &Finding| match (&f.problem, scenario) {
        (Problem::Asterisk(Said::FileRefused { file, .. }), "transfer" | "parking" | "recording") => {
            file == "features.conf"
        }
        (Problem::Asterisk(Said::ModuleDeclined { module, .. }), _) => matches!(
            (module.as_str(), scenario),
            ("res_parking", "parking") | ("res_musiconhold", "hold-music") | ("app_voicemail", "voicemail")
        ),
        (Problem::Asterisk(Said::VoicemailOdbc), "voicemail") => true,
        (Problem::Asterisk(Said::MohDirectory { .. } | Said::MohPlayer { .. } | Said::NoMohClass), "hold-music") => {
            true
        }
        (Problem::MohCommand { .. }, "hold-music") => true,
        (Problem::Asterisk(Said::NoPresenceProvider { .. }), "presence") => true,
        (Problem::ContextMissing { used: super::ContextUse::Messages, .. }, "messaging") => true,
        _ => false,
    };
    cause_about(findings, about)
}

/// The line a check not run shows in its own part.
pub(super) fn not_run_line(blocker: &Blocker, lang: Lang) -> String {
    match (blocker, lang) {
        (Blocker::Phone(a), Lang::Fr) => format!("non lancé : {a} ne s'enregistre pas (voir partie I)"),
        (Blocker::Phone(a), Lang::En) => format!("not run: {a} does not register (see part I)"),
        (Blocker::Trunk, Lang::Fr) => "non lancé : le faisceau ne s'enregistre pas (voir partie II)".into(),
        (Blocker::Trunk, Lang::En) => "not run: the trunk does not register (see part II)".into(),
    }
}
