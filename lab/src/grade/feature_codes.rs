//! The student's own in-call codes (features.conf's `[featuremap]`, and the
//! `[applicationmap]` keys named as the lab's or recording with MixMonitor):
//! the checks press them on the graded site's phones instead of the lab's,
//! so that a config is never failed for choosing other codes than the lab.

use super::applicationmap;
use super::rewrite::each_check;
use crate::asterisk_conf::Conf;
use crate::gen::features;
use crate::model::Lab;
use crate::scenario::{PhoneId, Rewrite, Scenario};

/// featuremap keys and the lab's code for each.
const LAB_CODES: [(&str, &str); 4] = [
    ("blindxfer", features::BLIND_TRANSFER),
    ("atxfer", features::ATTENDED_TRANSFER),
    ("automixmon", features::RECORD),
    ("parkcall", features::PARK),
];

/// The lab's codes and the config's, where they differ.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeatureCodes {
    /// (the lab's code, the config's), longest lab code first.
    pub changed: Vec<(String, String)>,
}

impl FeatureCodes {
    /// The codes of a features.conf, already read.
    pub fn of(conf: Option<&Conf>, lab: &Lab) -> FeatureCodes {
        let Some(conf) = conf else { return FeatureCodes::default() };
        let mut changed = Vec::new();
        let mut own = |lab_code: &str, code: &str| {
            if !code.is_empty() && code != lab_code {
                changed.push((lab_code.to_string(), code.to_string()));
            }
        };
        let mut recorded = false;
        for section in conf.sections.iter().filter(|s| s.name.eq_ignore_ascii_case("featuremap")) {
            for (key, lab) in LAB_CODES {
                let Some(entry) = conf.get(section, key) else { continue };
                recorded |= key == "automixmon";
                // `blindxfer => #1,caller` and the like: the code is before the comma.
                own(lab, entry.value.split(',').next().unwrap_or_default().trim());
            }
        }
        let mapped = applicationmap::entries(conf);
        // The lab's own applicationmap keys (the cabinet transfers), by name.
        for role in &lab.roles {
            let name = format!("to-{}", role.name);
            if let Some(m) = mapped.iter().find(|m| m.name == name) {
                own(&format!("{}{}", features::CABINET_TRANSFER_PREFIX, role.digit), m.dtmf);
            }
        }
        // Recording on a key of the applicationmap instead of automixmon.
        if !recorded {
            if let Some(m) = mapped.iter().find(|m| m.app.eq_ignore_ascii_case("MixMonitor")) {
                own(features::RECORD, m.dtmf);
            }
        }
        changed.sort_by_key(|(lab, _)| std::cmp::Reverse(lab.len()));
        FeatureCodes { changed }
    }

    /// Keys as the graded config wants them: a lab code at the start
    /// (`#132`: `#1` then 32) replaced by the config's own.
    pub fn keys(&self, keys: &str) -> String {
        for (lab, own) in &self.changed {
            if let Some(rest) = keys.strip_prefix(lab.as_str()) {
                return format!("{own}{rest}");
            }
        }
        keys.to_string()
    }

    /// `scenarios` with the keys pressed by `site`'s phones in the config's codes.
    pub fn apply(&self, site: &str, scenarios: Vec<Scenario>) -> Vec<Scenario> {
        if self.changed.is_empty() {
            return scenarios;
        }
        let phone = |p: &PhoneId| p.clone();
        let same = |s: &String| s.clone();
        let number = |_: &PhoneId, n: &String| n.clone();
        let mailbox = |_: &String, m: &String| m.clone();
        let text = |t: &str| t.to_string();
        let keys = |by: &PhoneId, k: &String| if by.site == site { self.keys(k) } else { k.clone() };
        let rewrite =
            Rewrite { phone: &phone, site: &same, number: &number, mailbox: &mailbox, text: &text, keys: &keys };
        each_check(scenarios, |check, _| Some(check.rewrite(&rewrite)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configs_codes_replace_the_labs() {
        let conf = Conf::parse("features.conf", "[featuremap]\nblindxfer => *1\natxfer = #2\nparkcall => 9\n");
        let lab = Lab::sae();
        let codes = FeatureCodes::of(Some(&conf), &lab);
        assert_eq!(codes.keys("#132"), "*132");
        assert_eq!(codes.keys("#241"), "#241", "the same code stays");
        assert_eq!(codes.keys("#5"), "9");
        assert_eq!(codes.keys("#3"), "#3", "not in the config: the lab's");
        assert_eq!(FeatureCodes::of(None, &lab).keys("#1"), "#1");
    }

    #[test]
    fn the_applicationmap_keys_the_lab_presses_are_the_configs() {
        let lab = Lab::sae();
        let text = "[featuremap]\nblindxfer => #1\n[applicationmap]\nto-patron => *61,self,Gosub(t,s,1(1))\nrec => *3,self,MixMonitor(${UNIQUEID}.wav)\n";
        let codes = FeatureCodes::of(Some(&Conf::parse("features.conf", text)), &lab);
        assert_eq!(codes.keys("#61"), "*61");
        assert_eq!(codes.keys("#62"), "#62");
        assert_eq!(codes.keys("#3"), "*3", "no automixmon: the applicationmap's recording key");
        let both = text.replace("[featuremap]\n", "[featuremap]\nautomixmon => #3\n");
        assert_eq!(FeatureCodes::of(Some(&Conf::parse("features.conf", &both)), &lab).keys("#3"), "#3");
    }
}
