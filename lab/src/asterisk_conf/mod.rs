//! Asterisk's `.conf` format, read the way Asterisk reads it, keeping where
//! every line came from so that a finding or a hint can point at it. The one
//! reader of Asterisk config: grading, the scenarios' hints and the tests use
//! it, and the models built on it ([`dialplan`], [`accounts`]).
//!
//! Covers what students write: `[section]`, `[name](template,...)`,
//! `[name](!)` templates, `[name](+)` additions, `key = value` and
//! `key => value`, `;` comments (`\;` is a literal semicolon), `;-- … --;`
//! block comments, and `#include` / `#tryinclude` of files of the same folder.

pub mod accounts;
pub mod dialplan;
pub mod pattern;

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
}

/// How deep `#include`s may nest before the reader stops following them;
/// Asterisk itself refuses include loops.
const MAX_INCLUDE_DEPTH: usize = 8;

/// Where a line is: its file (relative to the config folder) and 1-based line.
/// Line 0 stands for the file as a whole (something missing from it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Place {
    pub file: PathBuf,
    pub line: usize,
}

impl Place {
    pub fn new(file: impl Into<PathBuf>, line: usize) -> Place {
        Place { file: file.into(), line }
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}", self.file.display()),
            n => write!(f, "{}:{n}", self.file.display()),
        }
    }
}

/// One `key = value` or `key => value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    /// Without comment, trimmed, `\;` turned into `;`.
    pub value: String,
    /// Written `=>` rather than `=` (the same to Asterisk, told apart for display).
    pub arrow: bool,
    pub at: Place,
    /// The line as written, trimmed.
    pub text: String,
    /// A line ending in `\`: the next line as written, which Asterisk reads
    /// on its own (it has no line continuation) but its author meant to follow.
    pub continued: Option<String>,
}

/// One `[name]` and the entries below it, up to the next header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    /// `[name](!)`: a template, never an object of its own.
    pub template: bool,
    /// `[name](+)`: adds to an earlier section of the same name.
    pub adds: bool,
    /// Templates copied in, in order: `[name](phone,codecs)`.
    pub inherits: Vec<String>,
    pub at: Place,
    pub text: String,
    pub entries: Vec<Entry>,
}

/// A whole config file with its includes, sections in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conf {
    pub sections: Vec<Section>,
    /// `#include`d files that could not be found, with the include line.
    pub missing_includes: Vec<(Place, String)>,
}

impl Conf {
    /// Reads `dir/file` and what it includes; `None` when the file does not exist.
    pub fn read(dir: &Path, file: &str) -> Result<Option<Conf>, ConfError> {
        let mut error = None;
        let mut load = |name: &str| match std::fs::read_to_string(dir.join(name)) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                error.get_or_insert(ConfError::Read { path: dir.join(name), source });
                None
            }
        };
        let Some(text) = load(file) else {
            return error.map_or(Ok(None), Err);
        };
        let mut reader = Reader::default();
        reader.feed(file, &text, &mut load, 0);
        match error {
            Some(e) => Err(e),
            None => Ok(Some(reader.conf)),
        }
    }

    /// Parses one file's text; `#include`s are listed as missing, not followed.
    pub fn parse(file: &str, text: &str) -> Conf {
        let mut reader = Reader::default();
        reader.feed(file, text, &mut |_| None, 0);
        reader.conf
    }

    /// Sections that are objects: templates left out.
    pub fn objects(&self) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(|s| !s.template)
    }

    /// The first section of that name, template or not.
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// Every entry a section ends up with: its templates' (in order, each
    /// with its own templates first), then its own; later ones win.
    pub fn entries_of<'a>(&'a self, section: &'a Section) -> Vec<&'a Entry> {
        let mut out = Vec::new();
        self.collect(section, &mut out, 0);
        out
    }

    fn collect<'a>(&'a self, section: &'a Section, out: &mut Vec<&'a Entry>, depth: usize) {
        if depth > MAX_INCLUDE_DEPTH {
            return;
        }
        // A template must be defined before the section that uses it.
        let before = self.sections.iter().position(|s| std::ptr::eq(s, section)).unwrap_or(self.sections.len());
        for name in &section.inherits {
            if let Some(t) = self.sections[..before].iter().rev().find(|s| &s.name == name) {
                self.collect(t, out, depth + 1);
            }
        }
        out.extend(section.entries.iter());
    }

    /// The value a section ends up with for `key` (case-insensitive), templates included.
    pub fn get<'a>(&'a self, section: &'a Section, key: &str) -> Option<&'a Entry> {
        self.entries_of(section).into_iter().rev().find(|e| e.key.eq_ignore_ascii_case(key))
    }

    pub fn value<'a>(&'a self, section: &'a Section, key: &str) -> Option<&'a str> {
        self.get(section, key).map(|e| e.value.as_str())
    }
}

#[derive(Default)]
struct Reader {
    conf: Conf,
    in_block_comment: bool,
}

impl Reader {
    fn feed(&mut self, file: &str, text: &str, load: &mut dyn FnMut(&str) -> Option<String>, depth: usize) {
        let lines: Vec<&str> = text.lines().collect();
        for (i, raw) in lines.iter().copied().enumerate() {
            let at = Place::new(file, i + 1);
            let line = self.strip_comments(raw);
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if let Some(directive) = line.strip_prefix('#') {
                self.directive(directive, at, load, depth);
            } else if line.starts_with('[') {
                self.header(line, raw.trim(), at);
            } else if let Some((key, value, arrow)) = split_entry(line) {
                let continued = line.ends_with('\\').then(|| lines.get(i + 1).map(|l| l.trim().to_string())).flatten();
                let entry = Entry { key, value, arrow, at, text: raw.trim().to_string(), continued };
                if let Some(section) = self.conf.sections.last_mut() {
                    section.entries.push(entry);
                }
            }
        }
    }

    fn directive(&mut self, directive: &str, at: Place, load: &mut dyn FnMut(&str) -> Option<String>, depth: usize) {
        let (word, rest) = directive.split_once(char::is_whitespace).unwrap_or((directive, ""));
        if !matches!(word, "include" | "tryinclude") {
            return; // #exec runs a program: nothing to read statically.
        }
        let name = rest.trim().trim_matches(|c| c == '"' || c == '<' || c == '>').trim();
        // Includes name files of /etc/asterisk, the folder being read.
        let name = name.strip_prefix("/etc/asterisk/").unwrap_or(name);
        match (depth < MAX_INCLUDE_DEPTH).then(|| load(name)).flatten() {
            Some(text) => self.feed(name, &text, load, depth + 1),
            None if word == "include" => self.conf.missing_includes.push((at, name.to_string())),
            None => {}
        }
    }

    fn header(&mut self, line: &str, text: &str, at: Place) {
        let Some((name, rest)) = line[1..].split_once(']') else {
            return;
        };
        let mut section = Section {
            name: name.trim().to_string(),
            template: false,
            adds: false,
            inherits: Vec::new(),
            at,
            text: text.to_string(),
            entries: Vec::new(),
        };
        if let Some(options) = rest.trim().strip_prefix('(').and_then(|r| r.split(')').next()) {
            for option in options.split(',').map(str::trim).filter(|o| !o.is_empty()) {
                match option {
                    "!" => section.template = true,
                    "+" => section.adds = true,
                    name => section.inherits.push(name.to_string()),
                }
            }
        }
        self.conf.sections.push(section);
    }

    /// The line without its comments; `\;` stays as a literal `;`.
    fn strip_comments(&mut self, raw: &str) -> String {
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        loop {
            if self.in_block_comment {
                match rest.find("--;") {
                    Some(end) => {
                        rest = &rest[end + 3..];
                        self.in_block_comment = false;
                    }
                    None => return out,
                }
            }
            let Some(i) = rest.find(';') else {
                out.push_str(rest);
                return out;
            };
            if rest[..i].ends_with('\\') {
                out.push_str(&rest[..i - 1]);
                out.push(';');
                rest = &rest[i + 1..];
            } else if rest[i..].starts_with(";--") {
                out.push_str(&rest[..i]);
                rest = &rest[i + 3..];
                self.in_block_comment = true;
            } else {
                out.push_str(&rest[..i]);
                return out;
            }
        }
    }
}

/// `key = value` or `key => value`; `None` for a line with neither.
fn split_entry(line: &str) -> Option<(String, String, bool)> {
    let (key, value) = line.split_once('=')?;
    let (value, arrow) = match value.strip_prefix('>') {
        Some(v) => (v, true),
        None => (value, false),
    };
    Some((key.trim().to_string(), value.trim().to_string(), arrow))
}

/// Asterisk's notion of a true option value.
pub fn is_true(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "yes" | "true" | "y" | "t" | "1" | "on")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_entries_and_their_lines() {
        let conf = Conf::parse(
            "pjsip_wizard.conf",
            "; header\n[phone](!)\ntype = wizard\nendpoint/context = internal ; why\n\n[secretaire1](phone)\ninbound_auth/password = s3cret\n",
        );
        assert_eq!(conf.sections.len(), 2);
        assert!(conf.sections[0].template);
        assert_eq!(conf.objects().count(), 1);
        let s = conf.section("secretaire1").unwrap();
        assert_eq!(s.inherits, ["phone"]);
        assert_eq!(s.at, Place::new("pjsip_wizard.conf", 6));
        let context = conf.get(s, "endpoint/context").unwrap();
        assert_eq!(context.value, "internal");
        assert_eq!(context.at.line, 4);
        assert_eq!(conf.value(s, "TYPE"), Some("wizard"));
        assert_eq!(conf.value(s, "inbound_auth/password"), Some("s3cret"));
    }

    #[test]
    fn own_values_override_templates_and_later_templates_earlier_ones() {
        let conf = Conf::parse("x.conf", "[a](!)\nk = a\n[b](!)\nk = b\n[c](a,b)\n[d](a,b)\nk = d\n");
        assert_eq!(conf.value(conf.section("c").unwrap(), "k"), Some("b"));
        assert_eq!(conf.value(conf.section("d").unwrap(), "k"), Some("d"));
    }

    #[test]
    fn arrows_escaped_semicolons_and_block_comments() {
        let conf = Conf::parse(
            "extensions.conf",
            "[ctx]\nexten => 1,1,Set(A=x\\;y) ; comment\n;-- a block\nexten => 2,1,Hangup()\n--;\nsame => n,NoOp(z) ;-- inline --; \n",
        );
        let entries = &conf.sections[0].entries;
        assert_eq!(entries.len(), 2);
        assert!(entries[0].arrow);
        assert_eq!(entries[0].value, "1,1,Set(A=x;y)");
        assert_eq!(entries[1].key, "same");
        assert_eq!(entries[1].at.line, 6);
    }

    #[test]
    fn includes_are_followed_with_their_own_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.conf"), "[a]\nk = 1\n#include \"more.conf\"\n#include gone.conf\n")
            .unwrap();
        std::fs::write(dir.path().join("more.conf"), "; more\nj = 2\n[b]\n").unwrap();
        let conf = Conf::read(dir.path(), "main.conf").unwrap().unwrap();
        let a = conf.section("a").unwrap();
        assert_eq!(a.entries[1].at, Place::new("more.conf", 2), "an included line joins the open section");
        assert!(conf.section("b").is_some());
        assert_eq!(conf.missing_includes, [(Place::new("main.conf", 4), "gone.conf".to_string())]);
        assert_eq!(Conf::read(dir.path(), "absent.conf").unwrap(), None);
    }

    #[test]
    fn a_self_include_stops() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("loop.conf"), "[a]\n#include loop.conf\n").unwrap();
        let conf = Conf::read(dir.path(), "loop.conf").unwrap().unwrap();
        assert!(conf.sections.len() <= MAX_INCLUDE_DEPTH + 1);
    }
}
