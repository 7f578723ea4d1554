//! The student's own in-call codes (features.conf's `[featuremap]`): the
//! checks press them on the graded site's phones instead of the lab's, so
//! that a config is never failed for choosing other codes than the lab.

use super::rewrite::each_check;
use crate::asterisk_conf::Conf;
use crate::gen::features;
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
    pub fn of(conf: Option<&Conf>) -> FeatureCodes {
        let Some(conf) = conf else { return FeatureCodes::default() };
        let mut changed = Vec::new();
        for section in conf.sections.iter().filter(|s| s.name.eq_ignore_ascii_case("featuremap")) {
            for (key, lab) in LAB_CODES {
                let Some(entry) = conf.get(section, key) else { continue };
                // `blindxfer => #1,caller` and the like: the code is before the comma.
                let code = entry.value.split(',').next().unwrap_or_default().trim();
                if !code.is_empty() && code != lab {
                    changed.push((lab.to_string(), code.to_string()));
                }
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
        let codes = FeatureCodes::of(Some(&conf));
        assert_eq!(codes.keys("#132"), "*132");
        assert_eq!(codes.keys("#241"), "#241", "the same code stays");
        assert_eq!(codes.keys("#5"), "9");
        assert_eq!(codes.keys("#3"), "#3", "not in the config: the lab's");
        assert_eq!(FeatureCodes::of(None).keys("#1"), "#1");
    }
}
