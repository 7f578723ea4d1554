//! What SIP calls the lab's phones: accounts and extensions (unique within
//! a site), public and inter-site numbers (unique in the lab), and the test
//! phones' accounts and numbers. One list, used both to tie a call's legs
//! together and to give each call to the check whose phones it names.

use std::collections::{BTreeSet, HashMap};
use std::net::Ipv4Addr;

use crate::gen::OPERATOR;
use crate::model::{Lab, Phone, Site};

/// A name SIP may use for a phone, with the site it is unique within
/// (`None`: unique in the lab).
pub type Name = (Option<String>, String);

/// What SIP may call `phone` of `site`.
pub fn of_phone(lab: &Lab, site: &Site, phone: &Phone) -> [Name; 4] {
    [
        (Some(site.name.clone()), phone.account.clone()),
        (Some(site.name.clone()), phone.extension.clone()),
        (None, site.public_number(&lab.numbering, &phone.number)),
        (None, site.intersite_number(&lab.numbering, &phone.number)),
    ]
}

/// What SIP may call the phone with `account` at `site` (`operator` for a
/// test phone); nothing for a phone the lab does not have.
pub fn of(lab: &Lab, site: &str, account: &str) -> Vec<Name> {
    if site == OPERATOR {
        return lab
            .operator
            .test_phones
            .iter()
            .filter(|t| t.account == account)
            .flat_map(|t| [(None, t.account.clone()), (None, t.number.clone())])
            .collect();
    }
    let Some(site) = lab.site(site) else { return Vec::new() };
    site.phones.iter().filter(|p| p.account == account).flat_map(|p| of_phone(lab, site, p)).collect()
}

/// Every phone of the lab by what SIP may call it, to tell which phone a
/// SIP user part stands for.
pub struct Directory {
    /// Name → (site it is unique within, `site/account`).
    phones: HashMap<String, Vec<(Option<String>, String)>>,
}

impl Directory {
    pub fn new(lab: &Lab) -> Directory {
        let mut phones: HashMap<String, Vec<(Option<String>, String)>> = HashMap::new();
        for t in &lab.operator.test_phones {
            for name in [&t.account, &t.number] {
                phones.entry(name.clone()).or_default().push((None, format!("{OPERATOR}/{}", t.account)));
            }
        }
        for s in &lab.sites {
            for p in &s.phones {
                for (unique_in, name) in of_phone(lab, s, p) {
                    phones.entry(name).or_default().push((unique_in, format!("{}/{}", s.name, p.account)));
                }
            }
        }
        Directory { phones }
    }

    /// The phone `user` names, as `site/account` (`operator/tm1` for a test
    /// phone), when the message was exchanged at `site` (accounts and
    /// extensions repeat from site to site); else `user` itself.
    pub fn party(&self, site: Option<&str>, user: &str) -> String {
        let found = self
            .phones
            .get(user)
            .into_iter()
            .flatten()
            .find(|(unique_in, _)| unique_in.as_deref().is_none_or(|u| Some(u) == site));
        found.map_or_else(|| user.to_string(), |(_, party)| party.clone())
    }
}

/// The sites whose IPBX, phones or gateway have one of `ips`.
pub fn sites_at(lab: &Lab, ips: &BTreeSet<Ipv4Addr>) -> BTreeSet<String> {
    let net = &lab.network;
    lab.sites
        .iter()
        .filter(|s| {
            [net.ipbx_backbone(s.index), net.ipbx_lan(s.index), net.site_phones(s.index), net.site_gateway(s.index)]
                .iter()
                .any(|ip| ips.contains(ip))
        })
        .map(|s| s.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_name_a_phone_anywhere_accounts_only_on_their_site() {
        let lab = Lab::sae();
        let phones = Directory::new(&lab);
        let party = |site, user| phones.party(site, user);
        assert_eq!(party(None, "0320000111"), "table1/patron1");
        assert_eq!(party(Some("table2"), "*111"), "table1/patron1");
        assert_eq!(party(Some("table2"), "patron1"), "table2/patron1");
        assert_eq!(party(Some("table1"), "11"), "table1/patron1");
        assert_eq!(party(None, "patron1"), "patron1");
        assert_eq!(party(None, "0212345677"), "operator/tm1");
        assert_eq!(party(Some("table1"), "tm2"), "operator/tm2");
        assert_eq!(of(&lab, OPERATOR, "tm1"), [(None, "tm1".into()), (None, "0212345677".into())]);
        assert!(of(&lab, "table9", "patron1").is_empty());
    }
}
