//! What every check of a site's config reads (the model and the parsed
//! folder), and the small helpers each check uses to word a finding.

use super::messages::{Problem, Who};
use super::{Finding, Part};
use crate::asterisk_conf::accounts::Accounts;
use crate::asterisk_conf::dialplan::Dialplan;
use crate::asterisk_conf::Place;
use crate::gen::{features, voicemail};
use crate::model::{Lab, Phone, Site};

/// What every check reads: the model and the parsed folder.
pub(super) struct Facts<'a> {
    pub lab: &'a Lab,
    pub site: &'a Site,
    pub accounts: Accounts,
    pub plan: Dialplan,
}

impl Facts<'_> {
    /// The dialplan contexts the site's phones call from, each once, in name order.
    pub fn phone_contexts(&self) -> Vec<&str> {
        let mut contexts: Vec<&str> = self
            .site
            .phones
            .iter()
            .filter_map(|p| self.accounts.endpoint(&p.account))
            .map(|e| e.context_name())
            .collect();
        contexts.sort();
        contexts.dedup();
        contexts
    }
}

pub(super) fn finding(part: Part, at: Place, text: String, problem: Problem) -> Finding {
    Finding { part, at, text, problem }
}

pub(super) fn who(phone: &Phone) -> Who {
    Who {
        extension: phone.extension.clone(),
        account: phone.account.clone(),
        label: format!("{} {}", phone.role.label, phone.cabinet),
    }
}

/// Part of the subject an extension name belongs to, by the numbers it takes.
pub(super) fn part_of_extension(lab: &Lab, name: &str) -> Part {
    let body = name.trim_start_matches('_');
    if body == features::PICKUP {
        Part::III
    } else if body == voicemail::ACCESS {
        Part::IV
    } else if body.starts_with(&lab.numbering.intersite_prefix) || body.starts_with(['0', 'O', 'o']) {
        Part::II
    } else {
        Part::I
    }
}
