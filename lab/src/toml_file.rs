//! Reading a TOML file into a serde schema, with every syntax error and every
//! unknown key located (file, line, column, key), before any semantic check.

use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

use crate::diagnostic::{Collector, Diagnostics};

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

/// How many wrong values one reading looks past before it gives up.
const MAX_RECOVERIES: usize = 64;

/// Parses `text` into `T`. Unknown keys are all reported, with the keys
/// `allowed(path)` says the enclosing table accepts. Once the schema is read,
/// the collector (holding any unknown key) goes on to the caller's checks.
///
/// Serde stops at the first value of a wrong type or missing field; to
/// report them all, the value is set aside and the document read again. The
/// caller's checks would then see a partial file and report what is only a
/// consequence, so they are skipped: the errors come back at once.
pub(crate) fn read<'a, T: DeserializeOwned>(
    file: &'a str,
    text: &'a str,
    allowed: fn(&[Segment]) -> &'static [&'static str],
) -> Result<(T, Collector<'a>), Diagnostics> {
    let mut c = Collector::new(file, text);
    let (original, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        for e in syntax {
            c.error(e.span().unwrap_or(0..0), "", format!("invalid TOML: {}", e.message()));
        }
        return Err(c.finish().expect_err("syntax errors were just recorded"));
    }

    let mut doc = original.clone();
    let mut unknown_at: Vec<usize> = Vec::new();
    // Keys set aside, as (span of their table, name): their table then misses them.
    let mut set_aside: Vec<(Range<usize>, String)> = Vec::new();
    let mut partial = false;
    for _ in 0..MAX_RECOVERIES {
        let mut unknown: Vec<Vec<Segment>> = Vec::new();
        let parsed =
            serde_ignored::deserialize(toml::de::Deserializer::from(doc.clone()), |path| unknown.push(segments(&path)));
        for path in &unknown {
            let (span, dotted) = locate_key(doc.get_ref(), path);
            if unknown_at.contains(&span.start) {
                continue;
            }
            unknown_at.push(span.start);
            // Once tables were set aside, indices in `path` may have moved.
            let key = if partial { key_at(original.get_ref(), span.start) } else { dotted };
            let help = format!("expected one of: {}", allowed(path).join(", "));
            c.error_with_help(span, key, "unknown key", help);
        }
        let e = match parsed {
            Ok(value) if !partial => return Ok((value, c)),
            Ok(_) => break,
            Err(e) => e,
        };
        partial = true;
        let span = e.span().unwrap_or(0..0);
        let step = match missing_field(e.message()) {
            Some(field) => {
                let ours = set_aside.iter().any(|(table, name)| *table == span && name == field);
                if !ours {
                    let key = join(&table_path(original.get_ref(), &span), field);
                    c.error(span.clone(), key, e.message().to_string());
                }
                // Without that field the whole table is set aside.
                remove_table(doc.get_mut(), &span)
            }
            None => {
                c.error(span.clone(), key_at(original.get_ref(), span.start), e.message().to_string());
                let root = doc.span();
                remove_key(doc.get_mut(), root, span.start).map(|removed| set_aside.push(removed)).is_some()
            }
        };
        if !step {
            break;
        }
    }
    Err(c.finish().expect_err("an error was recorded"))
}

/// The field named by serde's "missing field `x`".
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.strip_suffix('`')
}

fn join(table: &str, field: &str) -> String {
    if table.is_empty() {
        field.to_string()
    } else {
        format!("{table}.{field}")
    }
}

/// Sets aside the innermost key whose name or value holds `offset`; gives
/// the span of its table and its name. (A table's span is its header only,
/// so every table is looked into.)
fn remove_key(table: &mut DeTable<'_>, span: Range<usize>, offset: usize) -> Option<(Range<usize>, String)> {
    let mut hit = None;
    for (k, v) in table.iter_mut() {
        let inner = v.span();
        if let Some(found) = remove_in_value(v.get_mut(), inner.clone(), offset) {
            return Some(found);
        }
        if k.span().contains(&offset) || inner.contains(&offset) {
            hit = Some(k.get_ref().to_string());
            break;
        }
    }
    let name = hit?;
    table.remove(name.as_str());
    Some((span, name))
}

fn remove_in_value(value: &mut DeValue<'_>, span: Range<usize>, offset: usize) -> Option<(Range<usize>, String)> {
    match value {
        DeValue::Table(t) => remove_key(t, span, offset),
        DeValue::Array(items) => items.iter_mut().find_map(|i| {
            let inner = i.span();
            remove_in_value(i.get_mut(), inner, offset)
        }),
        _ => None,
    }
}

/// Sets aside the table whose span is `span`, from the array or the key
/// holding it; `false` when there is none but the document itself.
fn remove_table(table: &mut DeTable<'_>, span: &Range<usize>) -> bool {
    let is_it = |v: &Spanned<DeValue<'_>>| matches!(v.get_ref(), DeValue::Table(_)) && v.span() == *span;
    if let Some(name) = table.iter().find(|(_, v)| is_it(v)).map(|(k, _)| k.get_ref().to_string()) {
        table.remove(name.as_str());
        return true;
    }
    table.iter_mut().any(|(_, v)| match v.get_mut() {
        DeValue::Table(t) => remove_table(t, span),
        DeValue::Array(items) => match items.iter().position(is_it) {
            Some(i) => {
                let mut kept = DeArray::new();
                for (j, item) in items.iter().enumerate() {
                    if j != i {
                        kept.push(item.clone());
                    }
                }
                *items = kept;
                true
            }
            None => items.iter_mut().any(|i| match i.get_mut() {
                DeValue::Table(t) => remove_table(t, span),
                _ => false,
            }),
        },
        _ => false,
    })
}

/// Dotted path of the table whose span is `span` (empty for the document).
fn table_path(doc: &DeTable<'_>, span: &Range<usize>) -> String {
    fn in_table(table: &DeTable<'_>, span: &Range<usize>, path: &mut Vec<Segment>) -> bool {
        table.iter().any(|(key, value)| {
            path.push(Segment::Key(key.get_ref().to_string()));
            let found = in_value(value, span, path);
            if !found {
                path.pop();
            }
            found
        })
    }
    fn in_value(value: &Spanned<DeValue<'_>>, span: &Range<usize>, path: &mut Vec<Segment>) -> bool {
        match value.get_ref() {
            DeValue::Array(items) => items.iter().enumerate().any(|(i, item)| {
                path.push(Segment::Index(i));
                let found = in_value(item, span, path);
                if !found {
                    path.pop();
                }
                found
            }),
            DeValue::Table(t) => value.span() == *span || in_table(t, span, path),
            _ => false,
        }
    }
    let mut path = Vec::new();
    in_table(doc, span, &mut path);
    dotted(&path)
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
    // The innermost key holding `offset`: an array or table as a whole when
    // none of its items does.
    fn in_value(value: &Spanned<DeValue<'_>>, offset: usize, path: &mut Vec<Segment>) -> bool {
        let inside = match value.get_ref() {
            DeValue::Table(t) => in_table(t, offset, path),
            DeValue::Array(items) => items.iter().enumerate().any(|(i, item)| {
                path.push(Segment::Index(i));
                let found = in_value(item, offset, path);
                if !found {
                    path.pop();
                }
                found
            }),
            _ => false,
        };
        inside || value.span().contains(&offset)
    }
    let mut path = Vec::new();
    in_table(doc, offset, &mut path);
    dotted(&path)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Doc {
        title: String,
        #[serde(default)]
        item: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        name: String,
        size: Option<i64>,
        tags: Option<Vec<String>>,
    }

    fn allowed(_: &[Segment]) -> &'static [&'static str] {
        &["title", "item", "name", "size", "tags"]
    }

    /// `(line, key, message)` of each error.
    fn errors(text: &str) -> Vec<(usize, String, String)> {
        let Err(err) = read::<Doc>("f.toml", text, allowed) else { panic!("{text:?} is valid") };
        err.0.into_iter().map(|d| (d.line, d.key, d.message)).collect()
    }

    #[test]
    fn a_table_or_array_of_the_wrong_type_names_its_key() {
        let e = errors("title = []\n");
        assert_eq!(e, [(1, "title".to_string(), "invalid type: sequence, expected a string".to_string())]);
        let e = errors("title = { a = 1 }\n");
        assert_eq!((e[0].0, e[0].1.as_str()), (1, "title"));
    }

    #[test]
    fn a_missing_field_names_its_table_and_itself() {
        let e = errors("");
        assert_eq!(e, [(1, "title".to_string(), "missing field `title`".to_string())]);
        let e = errors("title = \"t\"\n[[item]]\nname = \"a\"\n[[item]]\nsize = 1\n");
        assert_eq!(e, [(4, "item[1].name".to_string(), "missing field `name`".to_string())]);
    }

    #[test]
    fn every_wrong_value_is_reported_not_only_the_first() {
        let text = "title = \"t\"\nbad = 1\n[[item]]\nname = 1\n[[item]]\nname = \"b\"\nsize = \"big\"\ntags = [\"x\", 2]\n[[item]]\nname = \"c\"\nsize = []\n";
        let e = errors(text);
        let found: Vec<(usize, &str)> = e.iter().map(|(l, k, _)| (*l, k.as_str())).collect();
        // `name = 1` is a required field: its table is set aside without a
        // second error for the missing name.
        assert_eq!(
            found,
            [(2, "bad"), (4, "item[0].name"), (7, "item[1].size"), (8, "item[1].tags[1]"), (11, "item[2].size")]
        );
    }
}
