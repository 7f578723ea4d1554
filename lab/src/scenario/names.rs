//! What scenario files name, resolved against the lab: phones, keypad
//! numbers, and where in a file something is written.

use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Collector;
use crate::gen::OPERATOR;
use crate::model::Lab;

/// A phone of the lab, as scenario files name it: `table1/patron1`, `operator/TM1`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PhoneId {
    /// Site name, or `operator` for the test phones.
    pub site: String,
    /// SIP account (`patron1`, `tm1`).
    pub account: String,
}

impl fmt::Display for PhoneId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.site, self.account)
    }
}

/// What a check acts on, which no other check may use at the same time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resource {
    /// A phone the check acts as or observes.
    Phone(PhoneId),
    /// A site's voicemail box, shared by whoever leaves a message in it.
    Mailbox { site: String, mailbox: String },
    /// A site's parking lot.
    ParkingLot { site: String },
    /// A site's own prompts (music on hold, pre-answer message): what a check
    /// records there, or expects to hear, no other check changes meanwhile.
    Prompts { site: String },
}

impl Resource {
    pub fn site(&self) -> &str {
        match self {
            Resource::Phone(p) => &p.site,
            Resource::Mailbox { site, .. } | Resource::ParkingLot { site } | Resource::Prompts { site } => site,
        }
    }

    pub fn phone(&self) -> Option<&PhoneId> {
        match self {
            Resource::Phone(p) => Some(p),
            _ => None,
        }
    }
}

impl From<&PhoneId> for Resource {
    fn from(p: &PhoneId) -> Resource {
        Resource::Phone(p.clone())
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(in crate::scenario) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(in crate::scenario) fn items(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

pub(in crate::scenario) fn place(file: &str, text: &str, offset: usize) -> String {
    format!("{file}:{}", text[..offset.min(text.len())].matches('\n').count() + 1)
}

/// The check's French sentence, when given; an empty one is an error.
pub(in crate::scenario) fn french(c: &mut Collector<'_>, fr: Option<&Spanned<String>>, key: String) -> Option<String> {
    let fr = fr?;
    if fr.get_ref().trim().is_empty() {
        c.error_with_help(fr.span(), key, "`fr` is empty", "write the check's sentence in French, or leave `fr` out");
        return None;
    }
    Some(fr.get_ref().clone())
}

/// Resolves `site/account` (or `operator/TM1`) against the lab.
pub(in crate::scenario) fn phone(
    c: &mut Collector<'_>,
    lab: &Lab,
    value: &str,
    span: Range<usize>,
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

/// A `[[call]]`'s `*/account`: that phone on every site of the lab that has it.
/// `None` when `value` does not name every site.
pub(in crate::scenario) fn on_every_site(
    c: &mut Collector<'_>,
    lab: &Lab,
    value: &str,
    span: Range<usize>,
    key: &str,
) -> Option<Vec<PhoneId>> {
    let account = value.strip_prefix("*/")?;
    let phones: Vec<PhoneId> = lab
        .sites
        .iter()
        .filter(|s| s.phones.iter().any(|p| p.account == account))
        .map(|s| PhoneId { site: s.name.clone(), account: account.into() })
        .collect();
    if phones.is_empty() {
        let example = lab.sites.first().and_then(|s| s.phones.first()).map_or("", |p| p.account.as_str());
        c.error_with_help(
            span,
            key,
            format!("no site has a phone {account:?}"),
            format!("phones are named role + cabinet, e.g. */{example} for that phone on every site"),
        );
    }
    Some(phones)
}

pub(in crate::scenario) fn is_keypad(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|ch| ch.is_ascii_digit() || ch == '*' || ch == '#')
}
