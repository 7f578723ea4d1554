//! Where to look when a call fails: the dialplan lines a dialled number runs
//! through, in the configs the lab's Asterisks actually load, and endpoints
//! they name that do not exist.

use std::path::{Path, PathBuf};

use crate::asterisk_conf::accounts::endpoint_names;
use crate::asterisk_conf::dialplan::{pjsip_endpoint, targets, Dialplan, Step, EXTENSIONS_CONF};
use crate::asterisk_conf::Conf;

/// A config line worth reading, with what is wrong with it when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub file: PathBuf,
    pub line: usize,
    pub text: String,
    pub problem: Option<String>,
}

impl std::fmt::Display for Hint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.text.trim())?;
        if let Some(p) = &self.problem {
            write!(f, "\n      ^ {p}")?;
        }
        Ok(())
    }
}

/// Lines of `<dir>/extensions.conf` (an Asterisk's config folder) and the
/// files it includes that handle `number` dialled from context `start`, the
/// way Asterisk picks them: through `include`s, `Goto`s and `Gosub`s.
pub fn dialplan(dir: &Path, start: &str, number: &str) -> Vec<Hint> {
    // Hints are help beside a failure: an unreadable folder gives none.
    let Ok(Some(conf)) = Conf::read(dir, EXTENSIONS_CONF) else {
        return Vec::new();
    };
    let plan = Dialplan::from_conf(&conf);
    let endpoints = endpoint_names(dir);
    let route = plan.route(start, number);
    route
        .steps
        .iter()
        .map(|step| Hint {
            file: dir.join(&step.at.file),
            line: step.at.line,
            text: step.text.clone(),
            problem: problem(step, &endpoints),
        })
        .collect()
}

/// A `Dial` to a PJSIP endpoint that no file declares.
fn problem(step: &Step, endpoints: &[String]) -> Option<String> {
    if !step.is_app("Dial") {
        return None;
    }
    let endpoint = targets(&step.args)
        .into_iter()
        .filter_map(pjsip_endpoint)
        .find(|e| !e.contains('$') && !endpoints.iter().any(|n| n == e))?;
    Some(format!("PJSIP/{endpoint}: no endpoint `{endpoint}` is declared in pjsip_wizard.conf or pjsip.conf"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dial_to_an_undeclared_endpoint_is_pointed_at() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path();
        std::fs::write(site.join("pjsip_wizard.conf"), "[phone](!)\ntype = wizard\n[secretaire1](phone)\n").unwrap();
        std::fs::write(
            site.join("extensions.conf"),
            "[internal]\ninclude => extensions\n[extensions]\nexten => 13,hint,PJSIP/secretaire1\nexten => 13,1,Dial(PJSIP/secraitaire1,30)\n same => n,Hangup()\nexten => 14,1,Dial(PJSIP/x)\n[other]\nexten => _X.,1,Hangup()\n",
        )
        .unwrap();
        let hints = dialplan(site, "internal", "13");
        assert_eq!(hints.len(), 2, "only what `internal` reaches: {hints:?}");
        assert_eq!(hints[0].line, 5);
        assert!(hints[0].problem.as_deref().unwrap().contains("no endpoint `secraitaire1`"));
        assert_eq!(hints[1].problem, None);
    }

    #[test]
    fn included_files_and_gotos_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path();
        std::fs::write(site.join("pjsip_wizard.conf"), "[secretaire1]\ntype = wizard\n").unwrap();
        std::fs::write(
            site.join("extensions.conf"),
            "[internal]\nexten => _*1XX,1,Goto(extensions,${EXTEN:2},1)\n#include phones.conf\n",
        )
        .unwrap();
        // The exact name is the one Asterisk runs, not the pattern beside it.
        std::fs::write(
            site.join("phones.conf"),
            "[extensions]\nexten => _1X,1,Hangup()\nexten => 13,1,Dial(PJSIP/secretaire1)\n",
        )
        .unwrap();
        let hints = dialplan(site, "internal", "*113");
        let places: Vec<String> = hints.iter().map(|h| format!("{}:{}", h.file.display(), h.line)).collect();
        let expected = [site.join("extensions.conf:2"), site.join("phones.conf:3")];
        assert_eq!(places, expected.map(|p| p.display().to_string()));
        assert!(hints.iter().all(|h| h.problem.is_none()), "{hints:?}");
    }
}
