//! Voicemail by e-mail (SAE part IV): the lab's mail server takes mail for
//! the sites' domains only (`secretaire1@table2.sae.example`), and the lab
//! looks for a phone's mail at its own address. On the lab's IPBX, Asterisk
//! can hand mail over only through msmtp (`mailcmd`): its default,
//! `/usr/sbin/sendmail`, has no mail server to give it to.

use super::facts::{finding, Facts};
use super::mailbox::VOICEMAIL_CONF;
use super::messages::Problem;
use super::{Finding, Part};
use crate::asterisk_conf::{Conf, Place};
use crate::gen::mail;

const NOT_CONTEXTS: [&str; 2] = ["general", "zonemessages"];

pub(super) fn check(facts: &Facts, conf: Option<&Conf>, findings: &mut Vec<Finding>) {
    let Some(conf) = conf else { return };
    let domain = mail::domain(facts.lab, facts.site);
    let mut mailed = false;
    for section in conf.sections.iter().filter(|s| !NOT_CONTEXTS.contains(&s.name.as_str())) {
        for entry in &section.entries {
            let Some(address) = entry.value.split(',').nth(2).map(str::trim).filter(|a| !a.is_empty()) else {
                continue;
            };
            mailed = true;
            let phone = facts.site.phones.iter().find(|p| p.extension == entry.key);
            let expected = phone.map(|p| mail::address(facts.lab, facts.site, p));
            let at_domain = address.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase());
            let problem = if at_domain.as_deref() != Some(domain.as_str()) {
                Problem::MailRefused { address: address.to_string(), domain: domain.clone(), expected }
            } else if let Some(expected) = expected.filter(|e| !e.eq_ignore_ascii_case(address)) {
                Problem::MailElsewhere { address: address.to_string(), expected }
            } else {
                continue;
            };
            findings.push(finding(Part::IV, entry.at.clone(), entry.text.clone(), problem));
        }
    }
    if !mailed {
        return;
    }
    let general = conf.section("general");
    let mailcmd = general.and_then(|g| conf.get(g, "mailcmd"));
    if !mailcmd.is_some_and(|m| m.value.contains("msmtp")) {
        let (at, text) = match (mailcmd, general) {
            (Some(m), _) => (m.at.clone(), m.text.clone()),
            (None, Some(g)) => (g.at.clone(), g.text.clone()),
            (None, None) => (Place::new(VOICEMAIL_CONF, 0), String::new()),
        };
        let problem = Problem::MailNotSent { mailcmd: mailcmd.map(|m| m.value.clone()) };
        findings.push(finding(Part::IV, at, text, problem));
    }
}
