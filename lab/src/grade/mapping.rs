//! A mapping file: how a student's config names the lab's phones, for a
//! config that does not follow the lab's numbering plan (the SAE report's
//! single cabinet: endpoints `patron`, `assistant`, `secretaire` on 1, 2, 3).
//!
//! ```toml
//! cabinets = 1                 # only cabinet 1 is configured
//! trunk = "operateurvoix1"     # the section that registers to the operator
//!
//! [[phone]]
//! lab = "secretaire1"          # the lab's phone
//! endpoint = "secretaire"      # its endpoint (and SIP username) in the config
//! extension = "3"              # what its site's phones dial to reach it
//! ```
//!
//! Public and inter-site numbers stay the lab's (`0320000213`, `*213`): the
//! operator hands those to the site, whose dialplan maps them to its phones.

use std::collections::BTreeSet;

use serde::Deserialize;
use toml::Spanned;

use super::rewrite::{each_check, phones_exist, same_steps};
use super::{GradeError, Inspection};
use crate::diagnostic::Diagnostics;
use crate::model::{Lab, Site};
use crate::scenario::steps::Dial;
use crate::scenario::{PhoneId, Rewrite, Scenario, Step};
use crate::toml_file::{parent_tables, read, Segment};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub cabinets: Option<u8>,
    pub trunk: Option<String>,
    pub phones: Vec<MappedPhone>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedPhone {
    /// The lab's account (`secretaire1`).
    pub lab: String,
    pub endpoint: String,
    pub extension: String,
}

#[derive(Deserialize)]
struct RawMapping {
    cabinets: Option<Spanned<i64>>,
    trunk: Option<Spanned<String>>,
    #[serde(default)]
    phone: Vec<RawPhone>,
}

#[derive(Deserialize)]
struct RawPhone {
    lab: Spanned<String>,
    endpoint: Spanned<String>,
    extension: Spanned<String>,
}

fn allowed_keys(path: &[Segment]) -> &'static [&'static str] {
    match parent_tables(path).as_slice() {
        [] => &["cabinets", "trunk", "phone"],
        ["phone"] => &["lab", "endpoint", "extension"],
        _ => &[],
    }
}

impl Mapping {
    /// Whether the trunk the mapping names is the section the inspected
    /// config registers to the operator with.
    pub fn check_trunk(&self, inspection: &Inspection) -> Result<(), GradeError> {
        match (&self.trunk, &inspection.trunk) {
            (Some(want), Some(found)) if found.name != *want => Err(GradeError::TrunkMismatch {
                want: want.clone(),
                found: found.name.clone(),
                at: found.at.to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// Reads and checks a mapping file for `site`; every problem is reported
    /// with its place.
    pub fn parse(file: &str, text: &str, site: &Site) -> Result<Mapping, Diagnostics> {
        let (raw, mut c) = read::<RawMapping>(file, text, allowed_keys)?;
        let cabinets = raw.cabinets.as_ref().and_then(|n| match u8::try_from(*n.get_ref()) {
            Ok(v) if (1..=site.cabinets).contains(&v) => Some(v),
            _ => {
                c.error(n.span(), "cabinets", format!("{} is out of range 1..={}", n.get_ref(), site.cabinets));
                None
            }
        });
        let mut phones = Vec::new();
        let (mut endpoints, mut extensions) = (BTreeSet::new(), BTreeSet::new());
        for (i, p) in raw.phone.iter().enumerate() {
            let key = |f: &str| format!("phone[{i}].{f}");
            if !site.phones.iter().any(|ph| ph.account == *p.lab.get_ref()) {
                c.error(p.lab.span(), key("lab"), format!("{} has no phone {:?}", site.name, p.lab.get_ref()));
            }
            let endpoint = p.endpoint.get_ref();
            if endpoint.is_empty() || !endpoint.chars().all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch)) {
                c.error(p.endpoint.span(), key("endpoint"), "an endpoint name is letters, digits, '-', '_' or '.'");
            } else if !endpoints.insert(endpoint.clone()) {
                c.error(p.endpoint.span(), key("endpoint"), format!("endpoint {endpoint:?} is given twice"));
            }
            let extension = p.extension.get_ref();
            if extension.is_empty() || !extension.chars().all(|ch| ch.is_ascii_digit()) {
                c.error(p.extension.span(), key("extension"), "an extension is digits only");
            } else if !extensions.insert(extension.clone()) {
                c.error(p.extension.span(), key("extension"), format!("extension {extension:?} is given twice"));
            }
            phones.push(MappedPhone {
                lab: p.lab.get_ref().clone(),
                endpoint: endpoint.clone(),
                extension: extension.clone(),
            });
        }
        c.finish()?;
        Ok(Mapping { cabinets, trunk: raw.trunk.map(|t| t.into_inner()), phones })
    }

    fn renamed(&self, account: &str) -> Option<&MappedPhone> {
        self.phones.iter().find(|p| p.lab == account)
    }

    /// The lab as the graded site's config sees it: only its configured
    /// cabinets, each mapped phone under the config's endpoint and extension
    /// (its public number unchanged).
    pub fn apply(&self, lab: &Lab, site: &str) -> Lab {
        let mut lab = lab.clone();
        if let Some(s) = lab.sites.iter_mut().find(|s| s.name == site) {
            if let Some(n) = self.cabinets {
                s.cabinets = n;
                s.phones.retain(|p| p.cabinet <= n);
            }
            for phone in &mut s.phones {
                if let Some(m) = self.renamed(&phone.account) {
                    phone.account = m.endpoint.clone();
                    phone.extension = m.extension.clone();
                }
            }
        }
        lab
    }

    /// Checks already on `site` (see `retarget`), with its phones under their
    /// mapped names and the extensions its phones dial mapped too; checks
    /// naming a phone the mapped site does not have are dropped.
    pub fn translate(&self, original: &Lab, mapped: &Lab, site: &str, scenarios: Vec<Scenario>) -> Vec<Scenario> {
        let scenarios = match self.cabinets {
            Some(n) => fold_cabinets(original, site, n, scenarios),
            None => scenarios,
        };
        let extensions: Vec<(String, String)> = original
            .site(site)
            .map(|s| {
                s.phones
                    .iter()
                    .filter_map(|p| Some((p.extension.clone(), self.renamed(&p.account)?.extension.clone())))
                    .collect()
            })
            .unwrap_or_default();
        let phone = |p: &PhoneId| match self.renamed(&p.account).filter(|_| p.site == site) {
            Some(m) => PhoneId { site: p.site.clone(), account: m.endpoint.clone() },
            None => p.clone(),
        };
        let own =
            |n: &String| extensions.iter().find(|(lab, _)| lab == n).map_or_else(|| n.clone(), |(_, e)| e.clone());
        // Only what a phone of the site dials on its own site is an extension.
        let dial = |from: &PhoneId, n: &String| if from.site == site { own(n) } else { n.clone() };
        let mailbox = |s: &String, n: &String| if s == site { own(n) } else { n.clone() };
        // Sites keep their names under a mapping.
        let same_site = |s: &String| s.clone();
        // Names of the site's phones, and the extensions its own phones dial
        // (written `(13)` after a call's phones).
        let words = |text: &str, dialled_on_site: bool| -> String {
            let mut out = text.to_string();
            for m in &self.phones {
                out = out.replace(&format!("{site}/{}", m.lab), &format!("{site}/{}", m.endpoint));
            }
            if dialled_on_site {
                for (lab, own) in &extensions {
                    out = out.replace(&format!("({lab})"), &format!("({own})"));
                }
            }
            out
        };
        each_check(scenarios, |check, _| {
            let local =
                check.steps.iter().any(|l| matches!(&l.step, Step::Dial(Dial { from, .. }) if from.site == site));
            let text = |s: &str| words(s, local);
            let keys = |_: &PhoneId, k: &String| k.clone();
            let rewrite =
                Rewrite { phone: &phone, site: &same_site, number: &dial, mailbox: &mailbox, text: &text, keys: &keys };
            Some(check.rewrite(&rewrite)).filter(|c| phones_exist(mapped, c))
        })
    }
}

/// Checks with the site's phones of cabinets beyond `cabinets` replaced by the
/// same role's phone in a configured cabinet (cabinet 6 of 1 → cabinet 1), so
/// a config of one cabinet is still tried on every function. Numbers leading
/// to those phones follow; a check whose phones would merge is dropped.
fn fold_cabinets(lab: &Lab, site: &str, cabinets: u8, scenarios: Vec<Scenario>) -> Vec<Scenario> {
    let Some(model) = lab.site(site) else { return scenarios };
    let n = &lab.numbering;
    // (old account, new account) and (old number, new number) in every form.
    let mut accounts: Vec<(String, String)> = Vec::new();
    let mut numbers: Vec<(String, String)> = Vec::new();
    for p in model.phones.iter().filter(|p| p.cabinet > cabinets) {
        let cabinet = (p.cabinet - 1) % cabinets + 1;
        let Some(to) = model.phones.iter().find(|q| q.cabinet == cabinet && q.role.digit == p.role.digit) else {
            continue;
        };
        accounts.push((p.account.clone(), to.account.clone()));
        numbers.push((model.intersite_number(n, &p.number), model.intersite_number(n, &to.number)));
        numbers.push((model.public_number(n, &p.number), model.public_number(n, &to.number)));
        numbers.push((p.extension.clone(), to.extension.clone()));
    }
    let find = |list: &[(String, String)], x: &str| list.iter().find(|(a, _)| a == x).map(|(_, b)| b.clone());
    let phone = |p: &PhoneId| match find(&accounts, &p.account).filter(|_| p.site == site) {
        Some(account) => PhoneId { site: p.site.clone(), account },
        None => p.clone(),
    };
    // Extensions only when dialled on the site; prefixed numbers from anywhere.
    let prefixed = |x: &String| x.starts_with(&n.intersite_prefix) || x.starts_with(&n.public_prefix);
    let dial = |from: &PhoneId, x: &String| -> String {
        if from.site == site || prefixed(x) {
            find(&numbers, x).unwrap_or_else(|| x.clone())
        } else {
            x.clone()
        }
    };
    let mailbox =
        |s: &String, x: &String| if s == site { find(&numbers, x).unwrap_or_else(|| x.clone()) } else { x.clone() };
    let same_site = |s: &String| s.clone();
    let words = |text: &str| -> String {
        let mut out = text.to_string();
        // One-digit cabinets: no account name is the start of another.
        for (a, b) in &accounts {
            out = out.replace(&format!("{site}/{a}"), &format!("{site}/{b}"));
        }
        for (a, b) in &numbers {
            out = out.replace(&format!("({a})"), &format!("({b})"));
        }
        out
    };
    let keys = |_: &PhoneId, k: &String| k.clone();
    let rewrite =
        Rewrite { phone: &phone, site: &same_site, number: &dial, mailbox: &mailbox, text: &words, keys: &keys };
    each_check(scenarios, |check, kept| {
        let folded = check.rewrite(&rewrite);
        let merged = folded.resources().len() < check.resources().len();
        (!merged && !kept.iter().any(|c| same_steps(c, &folded))).then_some(folded)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::steps::Rings;
    use crate::scenario::{Check, StepLine};

    const REPORT: &str = r#"
cabinets = 1
trunk = "operateurvoix1"

[[phone]]
lab = "patron1"
endpoint = "patron"
extension = "1"

[[phone]]
lab = "assistant1"
endpoint = "assistant"
extension = "2"

[[phone]]
lab = "secretaire1"
endpoint = "secretaire"
extension = "3"
"#;

    fn id(site: &str, account: &str) -> PhoneId {
        PhoneId { site: site.into(), account: account.into() }
    }

    #[test]
    fn the_reports_single_cabinet_maps_onto_the_lab() {
        let lab = Lab::sae();
        let m = Mapping::parse("map.toml", REPORT, lab.site("table2").unwrap()).unwrap();
        let mapped = m.apply(&lab, "table2");
        let site = mapped.site("table2").unwrap();
        let names: Vec<(&str, &str, &str)> =
            site.phones.iter().map(|p| (p.account.as_str(), p.extension.as_str(), p.number.as_str())).collect();
        assert_eq!(names, [("patron", "1", "11"), ("assistant", "2", "12"), ("secretaire", "3", "13")]);
        assert_eq!(site.public_number(&mapped.numbering, &site.phones[2].number), "0320000213");
    }

    #[test]
    fn checks_follow_the_mapping_and_lose_phones_it_leaves_out() {
        let lab = Lab::sae();
        let m = Mapping::parse("map.toml", REPORT, lab.site("table2").unwrap()).unwrap();
        let mapped = m.apply(&lab, "table2");
        let line = |step| StepLine { step, says: String::new() };
        let call = |to: &str, number: &str| Check {
            says: format!("table2/patron1 → table2/{to} ({number})"),
            says_fr: None,
            steps: vec![
                line(Step::Dial(Dial { from: id("table2", "patron1"), number: number.into() })),
                line(Step::Rings(Rings { phone: id("table2", to), from: None, alert: None })),
            ],
            place: String::new(),
        };
        let scenario = Scenario {
            name: "internal-calls".into(),
            title: String::new(),
            part: Some("I".into()),
            checks: vec![call("secretaire1", "13"), call("patron2", "21"), call("secretaire1", "*213")],
        };
        let out = m.translate(&lab, &mapped, "table2", vec![scenario]);
        let checks = &out[0].checks;
        assert_eq!(checks.len(), 2, "cabinet 2 is not configured");
        assert_eq!(checks[0].says, "table2/patron → table2/secretaire (3)");
        assert_eq!(checks[0].steps[0].step, Step::Dial(Dial { from: id("table2", "patron"), number: "3".into() }));
        assert_eq!(checks[1].steps[0].step, Step::Dial(Dial { from: id("table2", "patron"), number: "*213".into() }));
    }

    #[test]
    fn a_single_cabinet_takes_the_checks_of_every_cabinet() {
        let lab = Lab::sae();
        let m = Mapping::parse("map.toml", REPORT, lab.site("table2").unwrap()).unwrap();
        let mapped = m.apply(&lab, "table2");
        let line = |step| StepLine { step, says: String::new() };
        let check = |steps: Vec<Step>, says: &str| Check {
            says: says.into(),
            says_fr: None,
            steps: steps.into_iter().map(line).collect(),
            place: String::new(),
        };
        let scenario = Scenario {
            name: "intersite-calls".into(),
            title: String::new(),
            part: Some("II".into()),
            checks: vec![
                check(
                    vec![
                        Step::Dial(Dial { from: id("table2", "secretaire5"), number: "*361".into() }),
                        Step::Rings(Rings { phone: id("table3", "patron6"), from: None, alert: None }),
                    ],
                    "table2/secretaire5 → table3/patron6 (*361)",
                ),
                check(
                    vec![
                        Step::Dial(Dial { from: id("table1", "secretaire5"), number: "*261".into() }),
                        Step::Rings(Rings { phone: id("table2", "patron6"), from: None, alert: None }),
                    ],
                    "table1/secretaire5 → table2/patron6 (*261)",
                ),
                // Two assistants of the site would become one: dropped.
                check(
                    vec![
                        Step::Dial(Dial { from: id("table2", "assistant1"), number: "52".into() }),
                        Step::Rings(Rings { phone: id("table2", "assistant5"), from: None, alert: None }),
                    ],
                    "table2/assistant1 → table2/assistant5 (52)",
                ),
            ],
        };
        let out = m.translate(&lab, &mapped, "table2", vec![scenario]);
        let checks = &out[0].checks;
        assert_eq!(checks.len(), 2);
        assert_eq!(checks[0].says, "table2/secretaire → table3/patron6 (*361)");
        assert_eq!(
            checks[0].steps[0].step,
            Step::Dial(Dial { from: id("table2", "secretaire"), number: "*361".into() })
        );
        assert_eq!(checks[1].says, "table1/secretaire5 → table2/patron (*211)");
        assert_eq!(
            checks[1].steps[0].step,
            Step::Dial(Dial { from: id("table1", "secretaire5"), number: "*211".into() })
        );
        assert_eq!(
            checks[1].steps[1].step,
            Step::Rings(Rings { phone: id("table2", "patron"), from: None, alert: None })
        );
    }

    #[test]
    fn mistakes_in_a_mapping_file_are_located() {
        let lab = Lab::sae();
        let text =
            "cabinets = 12\n[[phone]]\nlab = \"secraitaire1\"\nendpoint = \"a b\"\nextension = \"3\"\nmodel = 1\n";
        let err = Mapping::parse("map.toml", text, lab.site("table2").unwrap()).unwrap_err().to_string();
        insta::assert_snapshot!(err, @r#"
        4 errors in map.toml:

          x `cabinets`: 12 is out of range 1..=8
           ,-[map.toml:1:12]
         1 | cabinets = 12
           :            ^^
           `----

          x `phone[0].lab`: table2 has no phone "secraitaire1"
           ,-[map.toml:3:7]
         3 | lab = "secraitaire1"
           :       ^^^^^^^^^^^^^^
           `----

          x `phone[0].endpoint`: an endpoint name is letters, digits, '-', '_' or '.'
           ,-[map.toml:4:12]
         4 | endpoint = "a b"
           :            ^^^^^
           `----

          x `phone[0].model`: unknown key
           ,-[map.toml:6:1]
         6 | model = 1
           : ^^^^^
           `----
          help: expected one of: lab, endpoint, extension
    "#);
    }
}
