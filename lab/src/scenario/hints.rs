//! Where to look when a call fails: the dialplan lines a dialled number runs
//! through, in the configs the lab's Asterisks actually load, and endpoints
//! they name that do not exist.

use std::path::{Path, PathBuf};

use crate::grade::accounts::endpoint_names;
pub use crate::grade::pattern::matches;

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

/// Lines of `<dir>/extensions.conf` (an Asterisk's config folder) that handle
/// `number` dialled from context `start`, following `include`s and `Goto`s.
pub fn dialplan(dir: &Path, start: &str, number: &str) -> Vec<Hint> {
    let file = dir.join("extensions.conf");
    let Ok(text) = std::fs::read_to_string(&file) else {
        return Vec::new();
    };
    let endpoints = endpoint_names(dir);
    let contexts = contexts(&text);
    let mut hints = Vec::new();
    let mut todo = vec![start.to_string()];
    let mut done: Vec<String> = Vec::new();
    while let Some(name) = todo.pop() {
        if done.contains(&name) {
            continue;
        }
        done.push(name.clone());
        let Some(lines) = contexts.iter().find(|(n, _)| *n == name).map(|(_, l)| l) else {
            continue;
        };
        let mut in_match = false;
        for &(i, raw) in lines {
            let line = raw.split(';').next().unwrap_or("").trim();
            if let Some(target) = line.strip_prefix("include").map(|r| r.trim_start_matches([' ', '=', '>']).trim()) {
                todo.push(target.to_string());
                continue;
            }
            if let Some(rest) = line.strip_prefix("exten") {
                let rest = rest.trim_start().trim_start_matches("=>").trim_start_matches('=').trim();
                let mut parts = rest.splitn(3, ',');
                let (ext, priority) = (parts.next().unwrap_or("").trim(), parts.next().unwrap_or("").trim());
                in_match = priority != "hint" && matches(ext, number);
            } else if !line.starts_with("same") {
                in_match = false;
            }
            if in_match {
                if let Some(ctx) = line.split("Goto(").nth(1).and_then(|g| g.split(',').next()) {
                    todo.push(ctx.trim().to_string());
                }
                hints.push(Hint {
                    file: file.clone(),
                    line: i + 1,
                    text: raw.to_string(),
                    problem: problem(line, &endpoints),
                });
            }
        }
    }
    hints
}

/// `[context]` sections with their numbered lines.
fn contexts(text: &str) -> Vec<(String, Vec<(usize, &str)>)> {
    let mut out: Vec<(String, Vec<(usize, &str)>)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|r| r.split(']').next()) {
            out.push((name.to_string(), Vec::new()));
        } else if let Some((_, lines)) = out.last_mut() {
            lines.push((i, raw));
        }
    }
    out
}

fn problem(line: &str, endpoints: &[String]) -> Option<String> {
    let target = line.split("Dial(PJSIP/").nth(1)?.split([',', ')', '&']).next()?;
    let endpoint = target.rsplit('@').next()?;
    (!endpoint.contains('$') && !endpoints.iter().any(|e| e == endpoint))
        .then(|| format!("PJSIP/{endpoint}: no endpoint `{endpoint}` is declared in pjsip_wizard.conf or pjsip.conf"))
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
}
