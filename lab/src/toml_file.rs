//! Reading a TOML file into a serde schema, with every syntax error and every
//! unknown key located (file, line, column, key), before any semantic check.

use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::diagnostic::{Collector, Diagnostics};

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

/// Parses `text` into `T`. Unknown keys are all reported, with the keys
/// `allowed(path)` says the enclosing table accepts. Once the schema is read,
/// the collector (holding any unknown key) goes on to the caller's checks.
pub(crate) fn read<'a, T: DeserializeOwned>(
    file: &'a str,
    text: &'a str,
    allowed: fn(&[Segment]) -> &'static [&'static str],
) -> Result<(T, Collector<'a>), Diagnostics> {
    let mut c = Collector::new(file, text);
    let (doc, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        for e in syntax {
            c.error(e.span().unwrap_or(0..0), "", format!("invalid TOML: {}", e.message()));
        }
        return Err(c.finish().expect_err("syntax errors were just recorded"));
    }

    let mut unknown: Vec<Vec<Segment>> = Vec::new();
    let parsed = toml::de::Deserializer::parse(text)
        .and_then(|de| serde_ignored::deserialize(de, |path| unknown.push(segments(&path))));
    for path in &unknown {
        let (span, dotted) = locate_key(doc.get_ref(), path);
        let help = format!("expected one of: {}", allowed(path).join(", "));
        c.error_with_help(span, dotted, "unknown key", help);
    }
    match parsed {
        // Unknown keys stay in the collector, reported with the semantic errors.
        Ok(value) => Ok((value, c)),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let key = key_at(doc.get_ref(), span.start);
            c.error(span, key, e.message().to_string());
            Err(c.finish().expect_err("an error was just recorded"))
        }
    }
}

/// Names of the tables enclosing the last key of `path` (array indices dropped).
pub(crate) fn parent_tables(path: &[Segment]) -> Vec<&str> {
    path[..path.len().saturating_sub(1)]
        .iter()
        .filter_map(|s| match s {
            Segment::Key(k) => Some(k.as_str()),
            Segment::Index(_) => None,
        })
        .collect()
}

fn segments(path: &serde_ignored::Path<'_>) -> Vec<Segment> {
    use serde_ignored::Path;
    match path {
        Path::Root => Vec::new(),
        Path::Seq { parent, index } => {
            let mut v = segments(parent);
            v.push(Segment::Index(*index));
            v
        }
        Path::Map { parent, key } => {
            let mut v = segments(parent);
            v.push(Segment::Key(key.clone()));
            v
        }
        Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => segments(parent),
    }
}

fn dotted(path: &[Segment]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Segment::Key(k) if s.is_empty() => s.push_str(k),
            Segment::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Segment::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// Span of the last key of `path` in the parsed document, and its dotted name.
fn locate_key(doc: &DeTable<'_>, path: &[Segment]) -> (Range<usize>, String) {
    let mut table = doc;
    let mut value: Option<&DeValue<'_>> = None;
    let mut span = 0..0;
    for seg in path {
        match (seg, value) {
            (Segment::Key(k), None) | (Segment::Key(k), Some(DeValue::Table(_))) => {
                if let Some(DeValue::Table(t)) = value {
                    table = t;
                }
                let Some((key, v)) = table.iter().find(|(key, _)| key.get_ref().as_ref() == k.as_str()) else {
                    break;
                };
                span = key.span();
                value = Some(v.get_ref());
            }
            (Segment::Index(i), Some(DeValue::Array(items))) => {
                let Some(v) = items.get(*i) else { break };
                span = v.span();
                value = Some(v.get_ref());
            }
            _ => break,
        }
    }
    (span, dotted(path))
}

/// Dotted name of the key whose key or scalar value holds `offset`, for type errors.
fn key_at(doc: &DeTable<'_>, offset: usize) -> String {
    fn in_table(table: &DeTable<'_>, offset: usize, path: &mut Vec<Segment>) -> bool {
        for (key, value) in table.iter() {
            path.push(Segment::Key(key.get_ref().to_string()));
            if key.span().contains(&offset) || in_value(value, offset, path) {
                return true;
            }
            path.pop();
        }
        false
    }
    fn in_value(value: &Spanned<DeValue<'_>>, offset: usize, path: &mut Vec<Segment>) -> bool {
        match value.get_ref() {
            DeValue::Table(t) => in_table(t, offset, path),
            DeValue::Array(items) => items.iter().enumerate().any(|(i, item)| {
                path.push(Segment::Index(i));
                let found = in_value(item, offset, path);
                if !found {
                    path.pop();
                }
                found
            }),
            _ => value.span().contains(&offset),
        }
    }
    let mut path = Vec::new();
    in_table(doc, offset, &mut path);
    dotted(&path)
}
