//! features.conf's `[applicationmap]`: in-call keys that run an application
//! (`name => dtmf,activate_on[/by],App[,args[,moh]]`, or `App(args)`). Asterisk
//! drops an entry whose activate_on is not self or peer, finds the
//! application only when the key is pressed, and listens for the key only
//! on calls whose DYNAMIC_FEATURES name the entry (or a group holding it).

use std::collections::BTreeSet;
use std::path::Path;

use super::facts::finding;
use super::messages::{Problem, Removed};
use super::{Finding, Part};
use crate::asterisk_conf::{Conf, Entry};

/// One entry of `[applicationmap]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped<'a> {
    pub name: &'a str,
    pub dtmf: &'a str,
    pub activate_on: &'a str,
    /// The application, its `(args)` left out.
    pub app: &'a str,
    pub entry: &'a Entry,
}

/// Every entry of the file's `[applicationmap]` sections, in file order.
pub fn entries(conf: &Conf) -> Vec<Mapped<'_>> {
    let sections = conf.sections.iter().filter(|s| s.name.eq_ignore_ascii_case("applicationmap"));
    sections
        .flat_map(|s| &s.entries)
        .map(|entry| {
            let mut fields = entry.value.splitn(3, ',').map(str::trim);
            let dtmf = fields.next().unwrap_or_default();
            let activate_on = fields.next().unwrap_or_default();
            let rest = fields.next().unwrap_or_default();
            let app = rest.split([',', '(']).next().unwrap_or_default().trim();
            Mapped { name: entry.key.as_str(), dtmf, activate_on, app, entry }
        })
        .collect()
}

/// The entry names the folder enables, or `None` when a DYNAMIC_FEATURES
/// is built from a variable (known only when the call runs).
pub fn enabled(dir: &Path, conf: &Conf) -> Option<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    let files = std::fs::read_dir(dir).ok()?;
    for file in files.flatten().filter(|f| f.path().extension().is_some_and(|e| e == "conf")) {
        let Ok(text) = std::fs::read_to_string(file.path()) else { continue };
        for line in text.lines().map(|l| l.split(';').next().unwrap_or_default()) {
            for (at, _) in line.match_indices("DYNAMIC_FEATURES") {
                let rest = line[at + "DYNAMIC_FEATURES".len()..].trim_start();
                let Some(value) = rest.strip_prefix("=>").or_else(|| rest.strip_prefix('=')) else { continue };
                let value = value.trim_start().split([')', ',', ' ', '\t', '"']).next().unwrap_or_default();
                if value.contains('$') {
                    return None;
                }
                names.extend(value.split('#').filter(|n| !n.is_empty()).map(str::to_string));
            }
        }
    }
    // A feature group (`[group]` of features.conf) enables the entries it lists.
    let groups: Vec<String> = names.iter().cloned().collect();
    for group in groups {
        let members = conf.sections.iter().filter(|s| s.name == group).flat_map(|s| &s.entries);
        names.extend(members.map(|e| e.key.clone()));
    }
    Some(names)
}

/// Entries Asterisk drops, applications it no longer has, keys never enabled.
pub(super) fn check(dir: &Path, conf: Option<&Conf>, findings: &mut Vec<Finding>) {
    let Some(conf) = conf else { return };
    let mapped = entries(conf);
    let enabled = if mapped.is_empty() { Some(BTreeSet::new()) } else { enabled(dir, conf) };
    for m in &mapped {
        // `self/caller`: what follows the `/` is no longer read.
        let on = m.activate_on.split('/').next().unwrap_or_default().trim().to_ascii_lowercase();
        let problem = if !["self", "peer"].contains(&on.as_str()) {
            Problem::ActivateOn { feature: m.name.to_string(), given: m.activate_on.to_string() }
        } else if m.app.eq_ignore_ascii_case("monitor") {
            Problem::Removed(Removed::Monitor)
        } else if m.app.eq_ignore_ascii_case("macro") {
            Problem::Removed(Removed::Macro)
        } else if enabled.as_ref().is_some_and(|e| !e.contains(m.name)) {
            Problem::FeatureNeverEnabled { feature: m.name.to_string(), dtmf: m.dtmf.to_string() }
        } else {
            continue;
        };
        findings.push(finding(Part::III, m.entry.at.clone(), m.entry.text.clone(), problem));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(features: &str, extensions: &str) -> Vec<Problem> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("features.conf"), features).unwrap();
        std::fs::write(dir.path().join("extensions.conf"), extensions).unwrap();
        let conf = Conf::read(dir.path(), "features.conf").unwrap();
        let mut out = Vec::new();
        check(dir.path(), conf.as_ref(), &mut out);
        out.into_iter().map(|f| f.problem).collect()
    }

    const DIAL: &str = "[internal]\nexten => 13,1,Set(__DYNAMIC_FEATURES=record#to-patron)\nsame => n,Dial(PJSIP/a)\n";

    #[test]
    fn entries_are_read_as_asterisk_reads_them() {
        let conf = Conf::parse("features.conf", "[applicationmap]\nrecord => *3,self/caller,MixMonitor(${UNIQUEID}.wav)\nplay => #9,peer,Playback,tt-monkeys\n");
        let m = entries(&conf);
        assert_eq!((m[0].name, m[0].dtmf, m[0].activate_on, m[0].app), ("record", "*3", "self/caller", "MixMonitor"));
        assert_eq!((m[1].name, m[1].app), ("play", "Playback"));
    }

    #[test]
    fn enabled_entries_with_an_application_of_asterisk_22_give_nothing() {
        let features =
            "[applicationmap]\nrecord => *3,self,MixMonitor(${UNIQUEID}.wav)\nto-patron => #61,peer,Gosub(t,s,1)\n";
        assert_eq!(findings(features, DIAL), []);
        assert_eq!(findings(&features.replace(",self,", ",self/callee,"), DIAL), []);
        // Through a feature group.
        let grouped = format!("{features}[staff]\nrecord => *3\nto-patron => #61\n");
        assert_eq!(findings(&grouped, "[internal]\nexten => 13,1,Set(__DYNAMIC_FEATURES=staff)\n"), []);
        // From a variable: not known before the call.
        assert_eq!(findings(features, "[internal]\nexten => 13,1,Set(__DYNAMIC_FEATURES=${KEYS})\n"), []);
    }

    #[test]
    fn what_asterisk_drops_or_never_listens_for_is_named() {
        let p = findings("[applicationmap]\nrecord => *3,both,MixMonitor(x.wav)\n", DIAL);
        assert!(matches!(&p[..], [Problem::ActivateOn { given, .. }] if given == "both"), "{p:?}");
        let p = findings("[applicationmap]\nrecord => *3,self,Monitor(wav,x,m)\n", DIAL);
        assert_eq!(p, [Problem::Removed(Removed::Monitor)]);
        let p = findings("[applicationmap]\nrecord => *3,self,MixMonitor(x.wav)\nother => *4,self,Playback(x)\n", DIAL);
        assert!(matches!(&p[..], [Problem::FeatureNeverEnabled { feature, .. }] if feature == "other"), "{p:?}");
    }
}
