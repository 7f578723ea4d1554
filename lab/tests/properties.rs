//! Every reader of a file a user writes (lab file, scenario file, grade
//! mapping, a student's Asterisk config) takes any text without panicking,
//! and every error it reports points at the file, a line and column that
//! exist in it, and the key concerned.
//!
//! Inputs are arbitrary text and, more telling, the files the project ships
//! with lines deleted, duplicated, swapped or cut, keys renamed, values of
//! another type, stray characters.
//!
//! The cases are drawn from a fixed seed, so CI runs the same ones each time;
//! `PROPTEST_RNG_SEED=<n>` and `PROPTEST_CASES=<n>` explore further. A case
//! that fails is saved in `properties.regressions` beside this file and tried
//! first on every later run: commit that file with the fix.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use lab::asterisk_conf::dialplan::Dialplan;
use lab::asterisk_conf::{Conf, Place};
use lab::gen::generate;
use lab::grade::mapping::Mapping;
use lab::grade::{inspect, session, write_site_config};
use lab::model::{Diagnostics, Lab, SAE_LAB};
use lab::scenario::{self, hints};
use lab::secrets::Secrets;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{FileFailurePersistence, RngSeed};

/// The graded site of the mapping and config corpora.
const SITE: &str = "table2";

/// Cases per property unless `PROPTEST_CASES` says otherwise, and a seed
/// unless `PROPTEST_RNG_SEED` gives one.
fn config(cases: u32) -> ProptestConfig {
    let mut c = ProptestConfig::with_failure_persistence(FileFailurePersistence::WithSource("regressions"));
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        c.rng_seed = RngSeed::Fixed(0x5ae_1ab);
    }
    c
}

// ---------------------------------------------------------------- corpora

static SAE: LazyLock<Lab> = LazyLock::new(Lab::sae);

/// A lab file with every key the default one leaves out.
const FULL_LAB: &str = r##"name = "full-lab"
[numbering]
public_prefix = "0450000"
intersite_prefix = "#9"
[network]
subnet = "10.20.0.0/16"
[defaults]
cabinets = 2
password = "s3cret!"
[voicemail]
ring_seconds = 15
pin = "1234"
[host]
bind = "192.168.1.10"
sip_port = 15060
rtp_port = 42000
[[roles]]
digit = 4
name = "chef"
label = "Chef"
device = "softphone"
pickup = true
[[roles]]
digit = 7
name = "stagiaire"
[[sites]]
index = 3
name = "annexe"
cabinets = 1
password = "other-pass"
[[sites]]
index = 9
[operator]
password = "op-pass"
[[operator.test_phones]]
name = "TX"
number = "0199999999"
password = "tx-pass"
"##;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `(name, text)` of every file of `dir` whose name ends with `ext`, sorted.
fn files(dir: &Path, ext: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    out.sort();
    out
}

static SCENARIOS: LazyLock<Vec<(String, String)>> = LazyLock::new(|| files(&manifest().join("../scenarios"), ".toml"));

static MAP: LazyLock<String> =
    LazyLock::new(|| std::fs::read_to_string(manifest().join("tests/fixtures/grade-report/map.toml")).unwrap());

/// A student's config folder as `(file, text)`: `report` is the SAE report's
/// own config, `generated` the lab's config of the site.
struct Folder {
    name: &'static str,
    files: Vec<(String, String)>,
}

static FOLDERS: LazyLock<Vec<Folder>> = LazyLock::new(|| {
    let report = files(&manifest().join("tests/fixtures/grade-report/etc-asterisk"), ".conf");
    let tree = generate(&SAE, &Secrets::deterministic(&SAE));
    let dir = tempfile::tempdir().unwrap();
    write_site_config(&tree, SITE, dir.path()).unwrap();
    let generated = files(dir.path(), ".conf");
    vec![Folder { name: "report", files: report }, Folder { name: "generated", files: generated }]
});

/// Every `.conf` of both folders, for the reader alone.
static CONFS: LazyLock<Vec<(String, String)>> =
    LazyLock::new(|| FOLDERS.iter().flat_map(|f| f.files.iter().cloned()).collect());

// -------------------------------------------------------------- mutations

/// One edit of a file, its places drawn as indices into what the file has.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    /// The line cut after some of its characters.
    TruncateLine(usize, usize),
    /// The file cut after some of its characters.
    TruncateFile(usize),
    /// A key (`name =`) of the line renamed.
    RenameKey(usize, usize, String),
    /// A key of the line given the name of a key of another line.
    BorrowKey(usize, usize, usize),
    /// A value (after `=`) of the line replaced by one of another type.
    ReplaceValue(usize, usize, String),
    /// A character put somewhere.
    Insert(usize, char),
}

fn key_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(vec![
            "name", "index", "cabinets", "digit", "password", "dial", "from", "to", "steps", "says", "fr", "status",
            "box", "phone", "site", "with", "expect", "audio", "hears", "lab", "endpoint", "extension", "trunk",
        ])
        .prop_map(String::from),
        2 => "[a-z_]{1,12}",
        1 => select(vec!["", "a.b", "\"quoted key\"", "sites.x"]).prop_map(String::from),
    ]
}

/// Values of every TOML type, values the readers know in the wrong place,
/// and a few that are not TOML at all.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => select(vec![
            "0", "1", "-1", "9", "10", "42", "486", "99999999999999", "-9223372036854775808", "3.5", "nan", "inf",
            "true", "false", "\"\"", "\"x\"", "\"table1/patron1\"", "\"table2/secretaire3\"", "\"operator/TM2\"",
            "\"table9/x\"", "\"table1/\"", "\"/\"", "\"13\"", "\"*213\"", "\"0320000213\"", "\"music\"", "\"idle\"",
            "\"yes\"", "\"table3/22\"", "\"public\"", "\"busy\"", "\"é/ü\"", "[]", "[1, \"a\"]",
            "[\"table1/patron1\", \"table1/patron1\", \"table1/patron1\"]", "[\"table1/patron1\"]", "{}", "{ a = 1 }",
            "1979-05-27", "07:32:00",
        ])
        .prop_map(String::from),
        1 => select(vec!["'''multi\nline'''", "\"unclosed", ""]).prop_map(String::from),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        2 => "[ -~]{0,12}".prop_map(|s| format!("{s:?}")),
    ]
}

fn stray_char() -> impl Strategy<Value = char> {
    prop_oneof![
        select(vec![
            '[', ']', '{', '}', '(', ')', '"', '\'', '=', ',', '.', '#', ';', '\n', '\r', '\\', '/', '*', '-', '_',
            '!', '>', '0', '9', ' ', '\t', 'é', '\u{0}', '\u{feff}',
        ]),
        any::<char>(),
    ]
}

/// Weighted towards edits that keep the file TOML, so that the checks
/// behind the syntax are reached as often as the syntax errors.
fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => any::<usize>().prop_map(Mutation::DeleteLine),
        2 => any::<usize>().prop_map(Mutation::DuplicateLine),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::TruncateLine(a, b)),
        1 => any::<usize>().prop_map(Mutation::TruncateFile),
        3 => (any::<usize>(), any::<usize>(), key_name()).prop_map(|(l, k, n)| Mutation::RenameKey(l, k, n)),
        3 => (any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(l, k, o)| Mutation::BorrowKey(l, k, o)),
        6 => (any::<usize>(), any::<usize>(), value()).prop_map(|(l, k, v)| Mutation::ReplaceValue(l, k, v)),
        2 => (any::<usize>(), stray_char()).prop_map(|(i, c)| Mutation::Insert(i, c)),
    ]
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    proptest::collection::vec(mutation(), 1..=3)
}

/// Byte ranges of the keys written `key =` (or `key =>`) on a line: bare
/// keys, possibly dotted or quoted, at the start or after `{` or `,`.
fn keys(line: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    for (eq, _) in line.match_indices('=') {
        let mut end = eq;
        while end > 0 && bytes[end - 1] == b' ' {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || b"_-./\"".contains(&bytes[start - 1])) {
            start -= 1;
        }
        if start < end {
            out.push(start..end);
        }
    }
    out
}

/// Byte ranges of the values after each `=` (or `=>`) of a line, up to the
/// end of the value: a string, an array or table, or a bare word.
fn values(line: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    for (eq, _) in line.match_indices('=') {
        let mut start = eq + 1;
        if bytes.get(start) == Some(&b'>') {
            start += 1;
        }
        while bytes.get(start) == Some(&b' ') {
            start += 1;
        }
        let end = match bytes.get(start) {
            None => start,
            Some(b'"') => {
                let mut i = start + 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                (i + 1).min(bytes.len())
            }
            Some(&open @ (b'[' | b'{')) => {
                let close = if open == b'[' { b']' } else { b'}' };
                let mut depth = 0;
                let mut i = start;
                while i < bytes.len() {
                    if bytes[i] == open {
                        depth += 1;
                    } else if bytes[i] == close {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    i += 1;
                }
                (i + 1).min(bytes.len())
            }
            Some(_) => line[start..].find([',', '}', ']', ' ']).map_or(line.len(), |i| start + i),
        };
        if line.is_char_boundary(start) && line.is_char_boundary(end) {
            out.push(start..end);
        }
    }
    out
}

/// One of `n` things, drawn by `raw`.
fn pick(raw: usize, n: usize) -> usize {
    raw % n.max(1)
}

/// The largest char boundary of `s` not above `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    for m in mutations {
        let n = lines.len();
        match m {
            Mutation::DeleteLine(i) if n > 1 => {
                lines.remove(pick(*i, n));
            }
            Mutation::DeleteLine(_) => {}
            Mutation::DuplicateLine(i) => {
                let i = pick(*i, n);
                lines.insert(i, lines[i].clone());
            }
            Mutation::SwapLines(a, b) => lines.swap(pick(*a, n), pick(*b, n)),
            Mutation::TruncateLine(i, at) => {
                let line = &mut lines[pick(*i, n)];
                let cut = floor_boundary(line, pick(*at, line.len() + 1));
                line.truncate(cut);
            }
            Mutation::TruncateFile(at) => {
                let all = lines.join("\n");
                let cut = floor_boundary(&all, pick(*at, all.len() + 1));
                lines = all[..cut].split('\n').map(str::to_string).collect();
            }
            Mutation::RenameKey(i, k, name) => {
                let line = &mut lines[pick(*i, n)];
                let ks = keys(line);
                if !ks.is_empty() {
                    line.replace_range(ks[pick(*k, ks.len())].clone(), name);
                }
            }
            Mutation::BorrowKey(i, k, other) => {
                let borrowed = {
                    let line = &lines[pick(*other, n)];
                    let ks = keys(line);
                    ks.first().map(|r| line[r.clone()].to_string())
                };
                let line = &mut lines[pick(*i, n)];
                let ks = keys(line);
                if let (Some(name), false) = (borrowed, ks.is_empty()) {
                    line.replace_range(ks[pick(*k, ks.len())].clone(), &name);
                }
            }
            Mutation::ReplaceValue(i, k, value) => {
                let line = &mut lines[pick(*i, n)];
                let vs = values(line);
                if !vs.is_empty() {
                    line.replace_range(vs[pick(*k, vs.len())].clone(), value);
                }
            }
            Mutation::Insert(at, ch) => {
                let mut all = lines.join("\n");
                let at = floor_boundary(&all, pick(*at, all.len() + 1));
                all.insert(at, *ch);
                lines = all.split('\n').map(str::to_string).collect();
            }
        }
    }
    lines.join("\n")
}

/// Text no file ships: any characters, bytes read as UTF-8 the way a lossy
/// reader would, and TOML's and Asterisk's punctuation in random order.
fn arbitrary_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(any::<u8>(), 0..400).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        "[a-z0-9_ =\\[\\]{}\"',.#;\n()>/*!-]{0,300}",
    ]
}

// ------------------------------------------------------------- invariants

/// The text of line `n` (1-based) as an error quotes it.
fn line_of(text: &str, n: usize) -> Option<&str> {
    text.split('\n').nth(n.checked_sub(1)?).map(|l| l.trim_end_matches('\r'))
}

/// Lines a reader may point at: the last one counts when the text does not
/// end with a newline, or when it is the only one.
fn line_count(text: &str) -> usize {
    let n = text.split('\n').count();
    if n > 1 && text.ends_with('\n') {
        n - 1
    } else {
        n
    }
}

/// Every diagnostic names `file`, a line and column of `text`, and a key
/// unless it is a TOML syntax error (which is about characters, not keys).
fn located(file: &str, text: &str, roots: &[&str], err: &Diagnostics) -> Result<(), TestCaseError> {
    prop_assert!(!err.0.is_empty(), "an error without any diagnostic");
    let rendered = err.to_string();
    prop_assert!(rendered.contains(&format!("in {file}:")), "{rendered}");
    prop_assert!(!rendered.contains("Failed to read"), "a snippet miette could not draw: {rendered}");
    for d in &err.0 {
        let place = format!("[{file}:{}:{}]", d.line, d.column);
        prop_assert!(rendered.contains(&place), "{place} not drawn in: {rendered}");
        prop_assert_eq!(&d.file, file);
        prop_assert!((1..=line_count(text)).contains(&d.line), "line {} of {}: {}", d.line, line_count(text), d);
        let line = line_of(text, d.line).unwrap_or_default();
        prop_assert_eq!(&d.source_line, line);
        prop_assert!((1..=line.chars().count() + 1).contains(&d.column), "column {}: {}", d.column, d);
        prop_assert!(d.message.starts_with("invalid TOML") || !d.key.is_empty(), "no key: {}", d);
        // A key the file format has, or one it does not (then said so).
        let root = d.key.split(['.', '[']).next().unwrap_or_default();
        prop_assert!(
            d.key.is_empty() || roots.contains(&root) || d.message == "unknown key",
            "key {} is no key of the file: {}",
            d.key,
            d
        );
    }
    Ok(())
}

const LAB_KEYS: &[&str] =
    &["name", "numbering", "network", "defaults", "roles", "sites", "operator", "voicemail", "host"];

fn check_lab(text: &str) -> Result<(), TestCaseError> {
    match Lab::parse("lab.toml", text) {
        Ok(lab) => {
            // Everything downstream trusts a lab that was read.
            prop_assert!(!lab.sites.is_empty());
            let tree = generate(&lab, &Secrets::deterministic(&lab));
            prop_assert!(!tree.files.is_empty());
        }
        Err(e) => located("lab.toml", text, LAB_KEYS, &e)?,
    }
    Ok(())
}

fn check_scenario(text: &str) -> Result<(), TestCaseError> {
    match scenario::parse("s.toml", "s", text, &SAE) {
        Ok(s) => {
            for check in &s.checks {
                let line = check.place.strip_prefix("s.toml:").and_then(|l| l.parse::<usize>().ok());
                prop_assert!(line.is_some_and(|l| (1..=line_count(text)).contains(&l)), "{}", check.place);
            }
        }
        Err(e) => located("s.toml", text, &["title", "part", "call", "flow"], &e)?,
    }
    Ok(())
}

fn check_mapping(text: &str) -> Result<(), TestCaseError> {
    let site = SAE.site(SITE).unwrap();
    match Mapping::parse("map.toml", text, site) {
        Ok(m) => {
            // What grading does with a mapping, on every shipped check.
            let graded = m.apply(&session::graded_lab(&SAE, SITE), SITE);
            prop_assert!(graded.site(SITE).is_some());
            let _ = session::select_checks(&SAE, &graded, SITE, &SHIPPED, Some(&m), None);
        }
        Err(e) => located("map.toml", text, &["cabinets", "trunk", "phone"], &e)?,
    }
    Ok(())
}

static SHIPPED: LazyLock<Vec<scenario::Scenario>> =
    LazyLock::new(|| scenario::load_dir(&manifest().join("../scenarios"), &SAE).expect("valid scenarios"));

/// Every place the reader and the dialplan give is a line of `text`, quoted as written.
fn check_conf(file: &str, text: &str) -> Result<(), TestCaseError> {
    let conf = Conf::parse(file, text);
    let real = |at: &Place, quoted: &str| -> Result<(), TestCaseError> {
        prop_assert_eq!(at.file.as_path(), Path::new(file));
        let line = line_of(text, at.line);
        prop_assert!(line.is_some(), "line {} of {} lines", at.line, line_count(text));
        prop_assert_eq!(line.unwrap_or_default().trim(), quoted);
        Ok(())
    };
    for section in &conf.sections {
        real(&section.at, &section.text)?;
        for entry in &section.entries {
            real(&entry.at, &entry.text)?;
            let _ = conf.value(section, &entry.key);
        }
        let _ = conf.entries_of(section);
    }
    for (at, _) in &conf.missing_includes {
        prop_assert!(line_of(text, at.line).is_some());
    }
    let plan = Dialplan::from_conf(&conf);
    for context in &plan.contexts {
        for step in &context.steps {
            real(&step.at, &step.text)?;
        }
        for number in ["13", "*213", "0320000213", "888", "0212345678", "s", ""] {
            for step in plan.route(&context.name, number).steps {
                prop_assert!(line_of(text, step.at.line).is_some());
            }
        }
    }
    Ok(())
}

/// The whole static inspection of a folder whose `file` is `text`: every
/// finding points at a file of the folder and one of its lines (or the
/// whole file, line 0), and so does every dialplan hint.
fn check_folder(folder: &Folder, file: &str, text: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    for (name, original) in &folder.files {
        let contents = if name == file { text } else { original };
        std::fs::write(dir.path().join(name), contents).unwrap();
    }
    let (lab, _mapping) = graded(folder);
    let inspection = inspect(&lab, lab.site(SITE).unwrap(), dir.path());
    prop_assert!(inspection.is_ok(), "{:?}", inspection.err());
    let in_folder = |at: &Path, line: usize| -> Result<(), TestCaseError> {
        let path: PathBuf = dir.path().join(at);
        if line > 0 {
            let contents = std::fs::read_to_string(&path);
            prop_assert!(contents.is_ok(), "{} is no file of the folder", at.display());
            let contents = contents.unwrap_or_default();
            prop_assert!(line_of(&contents, line).is_some(), "{}:{line} past its end", at.display());
        }
        Ok(())
    };
    for finding in &inspection.unwrap().findings {
        in_folder(&finding.at.file, finding.at.line)?;
        let _ = finding.render(lab::grade::Lang::Fr);
        let _ = finding.render(lab::grade::Lang::En);
    }
    for (start, number) in
        [("internal", "13"), ("default", "3"), ("from-operator", "0320000213"), ("extensions", "*113")]
    {
        for hint in hints::dialplan(dir.path(), start, number) {
            let relative = hint.file.strip_prefix(dir.path()).unwrap_or(&hint.file).to_path_buf();
            in_folder(&relative, hint.line)?;
        }
    }
    Ok(())
}

/// The lab a folder is graded against: the report's through its mapping.
fn graded(folder: &Folder) -> (Lab, Option<Mapping>) {
    let lab = session::graded_lab(&SAE, SITE);
    if folder.name == "report" {
        let m = Mapping::parse("map.toml", &MAP, SAE.site(SITE).unwrap()).unwrap();
        (m.apply(&lab, SITE), Some(m))
    } else {
        (lab, None)
    }
}

fn scenario_file() -> impl Strategy<Value = String> {
    select(SCENARIOS.iter().map(|(_, text)| text.clone()).collect::<Vec<_>>())
}

fn conf_file() -> impl Strategy<Value = (String, String)> {
    select(CONFS.clone())
}

fn folder_file() -> impl Strategy<Value = (usize, usize)> {
    (0..FOLDERS.len()).prop_flat_map(|f| (Just(f), 0..FOLDERS[f].files.len()))
}

// ------------------------------------------------------------- properties

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn any_text_as_a_lab_file(text in arbitrary_text()) {
        check_lab(&text)?;
    }

    #[test]
    fn any_text_as_a_scenario_file(text in arbitrary_text()) {
        check_scenario(&text)?;
    }

    #[test]
    fn any_text_as_a_mapping_file(text in arbitrary_text()) {
        check_mapping(&text)?;
    }

    #[test]
    fn any_text_as_an_asterisk_conf(text in arbitrary_text()) {
        check_conf("extensions.conf", &text)?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn a_lab_file_mutated(text in select(vec![SAE_LAB, FULL_LAB]), edits in mutations()) {
        check_lab(&apply(text, &edits))?;
    }

    #[test]
    fn a_shipped_scenario_mutated(text in scenario_file(), edits in mutations()) {
        check_scenario(&apply(&text, &edits))?;
    }

    #[test]
    fn the_report_mapping_mutated(edits in mutations()) {
        check_mapping(&apply(&MAP, &edits))?;
    }

    #[test]
    fn an_asterisk_conf_mutated((file, text) in conf_file(), edits in mutations()) {
        check_conf(&file, &apply(&text, &edits))?;
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn a_graded_folder_with_one_file_mutated((f, i) in folder_file(), edits in mutations()) {
        let folder = &FOLDERS[f];
        let (file, text) = &folder.files[i];
        check_folder(folder, file, &apply(text, &edits))?;
    }
}

/// The unmutated corpora pass the properties, and the mutations do change them.
#[test]
fn the_corpora_are_valid_and_the_mutations_bite() {
    check_lab(SAE_LAB).unwrap();
    Lab::parse("lab.toml", SAE_LAB).expect("the default lab is valid");
    check_lab(FULL_LAB).unwrap();
    let full = Lab::parse("lab.toml", FULL_LAB).expect("the full lab is valid");
    assert_eq!((full.phone_count(), full.host.sip_base), (6, 15060));
    for (name, text) in SCENARIOS.iter() {
        scenario::parse("s.toml", "s", text, &SAE).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    Mapping::parse("map.toml", &MAP, SAE.site(SITE).unwrap()).expect("the report's mapping is valid");
    for folder in FOLDERS.iter() {
        let (lab, _) = graded(folder);
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in &folder.files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let findings = inspect(&lab, lab.site(SITE).unwrap(), dir.path()).unwrap().findings;
        assert!(findings.is_empty(), "{}: {findings:?}", folder.name);
    }
    let line = "  { dial = \"1, 2\", from = [\"a\", { b = 1 }] },";
    let ks: Vec<&str> = keys(line).into_iter().map(|r| &line[r]).collect();
    assert_eq!(ks, ["dial", "from", "b"]);
    let vs: Vec<&str> = values(line).into_iter().map(|r| &line[r]).collect();
    assert_eq!(vs, ["\"1, 2\"", "[\"a\", { b = 1 }]", "1"]);
    let renamed = apply("a = 1\nb = \"x\"\n", &[Mutation::ReplaceValue(0, 0, "[]".into())]);
    assert_eq!(renamed, "a = []\nb = \"x\"\n");
}
