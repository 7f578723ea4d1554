//! Scenario files: TOML a student can read, checked against the lab.
//!
//! ```toml
//! title = "Internal calls"
//! part = "I"
//!
//! [[call]]                       # shorthand: dial, ring, answer, audio both ways, hang up
//! says = "Inside a cabinet every role reaches every other"
//! fr = "Dans un cabinet, chaque poste joint les autres"   # optional: the same in French
//! from = ["table1/patron1", "table1/assistant1"]
//! to = ["table1/patron1", "table1/assistant1"]   # every ordered pair, self excluded
//! dial = "extension"             # or "intersite", "public", or the digits themselves
//!
//! [[call]]
//! says = "Every site reaches every other one"
//! from = "*/secretaire5"         # `*`: this phone on every site of the lab
//! to = "*/patron6"               # `*` on both sides: each site to every other site
//! dial = "intersite"
//!
//! [[flow]]                       # any sequence of steps
//! says = "Calling a phone already in a call gives busy"
//! fr = "Appeler un poste déjà en communication donne occupé"
//! steps = [
//!   { dial = "22", from = "table1/patron2" },
//!   { answer = "table1/assistant2" },
//!   { dial = "22", from = "table1/secretaire2" },
//!   { fails = "table1/secretaire2", status = 486 },
//!   { hangup = "table1/patron2" },
//! ]
//! ```

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::call::{expand_call, RawCall};
use super::flow::{check_flow, RawFlow};
use super::Scenario;
use crate::diagnostic::Diagnostics;
use crate::model::Lab;
use crate::toml_file::{parent_tables, read, Segment};

#[derive(Debug, thiserror::Error)]
pub enum ScenarioFileError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error(transparent)]
    Invalid(#[from] Diagnostics),
}

#[derive(Debug, Deserialize)]
struct RawScenario {
    title: Spanned<String>,
    part: Option<String>,
    #[serde(default)]
    call: Vec<RawCall>,
    #[serde(default)]
    flow: Vec<RawFlow>,
}

fn allowed_keys(path: &[Segment]) -> &'static [&'static str] {
    match parent_tables(path).as_slice() {
        [] => &["title", "part", "call", "flow"],
        ["call"] => &["says", "fr", "from", "to", "dial", "expect", "audio"],
        ["flow"] => &["says", "fr", "steps"],
        _ => &[],
    }
}

/// Every `*.toml` of `dir`, sorted by name, each checked against `lab`.
pub fn load_dir(dir: &Path, lab: &Lab) -> Result<Vec<Scenario>, ScenarioFileError> {
    let read_err = |source| ScenarioFileError::Read { path: dir.display().to_string(), source };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut scenarios = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|source| ScenarioFileError::Read { path: path.display().to_string(), source })?;
        let name = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        match parse(&path.display().to_string(), &name, &text, lab) {
            Ok(s) => scenarios.push(s),
            Err(Diagnostics(d)) => errors.extend(d),
        }
    }
    if errors.is_empty() {
        Ok(scenarios)
    } else {
        Err(Diagnostics(errors).into())
    }
}

/// Checks one scenario file's text; `file` names it in errors and places.
pub fn parse(file: &str, name: &str, text: &str, lab: &Lab) -> Result<Scenario, Diagnostics> {
    let (raw, mut c) = read::<RawScenario>(file, text, allowed_keys)?;
    let mut checks = Vec::new();
    for (i, call) in raw.call.iter().enumerate() {
        checks.extend(expand_call(&mut c, lab, file, text, i, call));
    }
    for (i, flow) in raw.flow.iter().enumerate() {
        if let Some(check) = check_flow(&mut c, lab, file, text, i, flow) {
            checks.push(check);
        }
    }
    if raw.call.is_empty() && raw.flow.is_empty() {
        c.error(raw.title.span(), "flow", "a scenario needs at least one [[call]] or [[flow]]");
    }
    c.finish()?;
    Ok(Scenario { name: name.to_string(), title: raw.title.into_inner(), part: raw.part, checks })
}
