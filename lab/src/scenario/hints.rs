//! Where to look when a call fails: the dialplan lines a dialled number runs
//! through, in the configs the lab's Asterisks actually load, and endpoints
//! they name that do not exist.

use std::path::{Path, PathBuf};

use crate::gen::ASTERISK_DIR;

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

/// Lines of `<config_dir>/<asterisk>/asterisk/extensions.conf` that handle
/// `number` dialled from context `start`, following `include`s and `Goto`s.
pub fn dialplan(config_dir: &Path, asterisk: &str, start: &str, number: &str) -> Vec<Hint> {
    let dir = config_dir.join(asterisk).join(ASTERISK_DIR);
    let file = dir.join("extensions.conf");
    let Ok(text) = std::fs::read_to_string(&file) else {
        return Vec::new();
    };
    let endpoints = declared_endpoints(&dir);
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

/// Section names of pjsip_wizard.conf and pjsip.conf: every endpoint that exists.
fn declared_endpoints(dir: &Path) -> Vec<String> {
    ["pjsip_wizard.conf", "pjsip.conf"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(dir.join(f)).ok())
        .flat_map(|text| {
            text.lines()
                .filter_map(|l| l.trim().strip_prefix('[').and_then(|r| r.split(']').next()).map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn problem(line: &str, endpoints: &[String]) -> Option<String> {
    let target = line.split("Dial(PJSIP/").nth(1)?.split([',', ')', '&']).next()?;
    let endpoint = target.rsplit('@').next()?;
    (!endpoint.contains('$') && !endpoints.iter().any(|e| e == endpoint))
        .then(|| format!("PJSIP/{endpoint}: no endpoint `{endpoint}` is declared in pjsip_wizard.conf or pjsip.conf"))
}

/// Does an Asterisk extension name or `_pattern` match `number`?
pub fn matches(name: &str, number: &str) -> bool {
    match name.strip_prefix('_') {
        None => name == number,
        Some(pattern) => pattern_matches(pattern.as_bytes(), number.as_bytes()),
    }
}

fn pattern_matches(p: &[u8], n: &[u8]) -> bool {
    let Some((&c, rest)) = p.split_first() else {
        return n.is_empty();
    };
    match c {
        b'.' => !n.is_empty(),
        b'!' => true,
        b'[' => {
            let Some(end) = rest.iter().position(|&b| b == b']') else {
                return false;
            };
            let set = &rest[..end];
            let Some((&d, n_rest)) = n.split_first() else {
                return false;
            };
            let mut i = 0;
            let mut hit = false;
            while i < set.len() {
                if i + 2 < set.len() && set[i + 1] == b'-' {
                    hit |= (set[i]..=set[i + 2]).contains(&d);
                    i += 3;
                } else {
                    hit |= set[i] == d;
                    i += 1;
                }
            }
            hit && pattern_matches(&rest[end + 1..], n_rest)
        }
        _ => {
            let Some((&d, n_rest)) = n.split_first() else {
                return false;
            };
            let ok = match c.to_ascii_uppercase() {
                b'X' => d.is_ascii_digit(),
                b'Z' => (b'1'..=b'9').contains(&d),
                b'N' => (b'2'..=b'9').contains(&d),
                _ => c == d,
            };
            ok && pattern_matches(rest, n_rest)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asterisk_patterns_match_as_asterisk_does() {
        assert!(matches("13", "13"));
        assert!(!matches("13", "130"));
        assert!(matches("_*2XX", "*213"));
        assert!(!matches("_*2XX", "*313"));
        assert!(matches("_0NXXXXXXXX", "0212345678"));
        assert!(!matches("_0NXXXXXXXX", "0112345678"));
        assert!(matches("_03200001XX", "0320000113"));
        assert!(matches("_[1-4]X", "31"));
        assert!(!matches("_[1-4]X", "51"));
        assert!(matches("_X.", "123"));
        assert!(!matches("_X.", "1"));
        // The SAE report's `_*` matches only a lone star: it routes nothing.
        assert!(matches("_*", "*"));
        assert!(!matches("_*", "*213"));
    }

    #[test]
    fn a_dial_to_an_undeclared_endpoint_is_pointed_at() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("table1").join(ASTERISK_DIR);
        std::fs::create_dir_all(&site).unwrap();
        std::fs::write(site.join("pjsip_wizard.conf"), "[phone](!)\n[secretaire1](phone)\n").unwrap();
        std::fs::write(
            site.join("extensions.conf"),
            "[internal]\ninclude => extensions\n[extensions]\nexten => 13,hint,PJSIP/secretaire1\nexten => 13,1,Dial(PJSIP/secraitaire1,30)\n same => n,Hangup()\nexten => 14,1,Dial(PJSIP/x)\n[other]\nexten => _X.,1,Hangup()\n",
        )
        .unwrap();
        let hints = dialplan(dir.path(), "table1", "internal", "13");
        assert_eq!(hints.len(), 2, "only what `internal` reaches: {hints:?}");
        assert_eq!(hints[0].line, 5);
        assert!(hints[0].problem.as_deref().unwrap().contains("no endpoint `secraitaire1`"));
        assert_eq!(hints[1].problem, None);
    }
}
