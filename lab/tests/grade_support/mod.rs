//! Shared by the grading tests: a mistake fixture (`mistake.toml`: edits of
//! a site's generated config, files removed, the finding it must give), the
//! generated config written as a student's folder, and the fixture applied.
#![allow(dead_code)] // each test binary uses a part of it

use std::path::{Path, PathBuf};

use lab::gen::generate;
use lab::grade::{write_site_config, Finding, Lang, Part, Place};
use lab::model::Lab;
use lab::secrets::Secrets;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mistake {
    /// A part of the English message of the one finding expected.
    pub expect: String,
    pub part: String,
    #[serde(default)]
    pub edit: Vec<Edit>,
    /// Files taken out of the folder; the finding is then on the first, as a whole.
    #[serde(default)]
    pub remove: Vec<String>,
    /// The finding is on this line of the first edit's replacement (0: its first).
    #[serde(default)]
    pub at_line: usize,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    pub file: String,
    pub find: String,
    pub replace: String,
}

/// Every `<dir>/<name>/mistake.toml` of a fixtures folder, by name.
pub fn fixtures(folder: &str) -> Vec<(String, Mistake)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(folder);
    let mut out: Vec<(String, Mistake)> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|dir| {
            let path = dir.join("mistake.toml");
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let mistake = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (dir.file_name().unwrap().to_string_lossy().into_owned(), mistake)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The generated config of `site` of `lab`, written as a student's folder would be.
pub fn generated_of(lab: &Lab, site: &str) -> tempfile::TempDir {
    let tree = generate(lab, &Secrets::deterministic(lab));
    let dir = tempfile::tempdir().unwrap();
    write_site_config(&tree, site, dir.path()).unwrap();
    dir
}

pub fn generated(site: &str) -> tempfile::TempDir {
    generated_of(&Lab::sae(), site)
}

/// Applies a mistake's edits and removals to the config in `dir`; returns
/// where its finding must be: the line `at_line` of the first edit's
/// replacement (its first line that is not a newline), or the first file
/// removed, as a whole.
pub fn apply(dir: &Path, mistake: &Mistake) -> Place {
    let mut first = None;
    for edit in &mistake.edit {
        let path = dir.join(&edit.file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(text.matches(&edit.find).count(), 1, "`{}` must occur once in {}", edit.find, edit.file);
        let at = text.find(&edit.find).unwrap() + edit.replace.len() - edit.replace.trim_start_matches('\n').len();
        let patched = text.replacen(&edit.find, &edit.replace, 1);
        let line = patched[..at].matches('\n').count() + 1 + mistake.at_line;
        first.get_or_insert(Place::new(PathBuf::from(&edit.file), line));
        std::fs::write(&path, patched).unwrap();
    }
    for file in &mistake.remove {
        std::fs::remove_file(dir.join(file)).unwrap_or_else(|e| panic!("removing {file}: {e}"));
        first.get_or_insert(Place::new(file, 0));
    }
    first.expect("a mistake has at least one edit or removal")
}

pub fn part(name: &str) -> Part {
    match name {
        "I" => Part::I,
        "II" => Part::II,
        "III" => Part::III,
        "IV" => Part::IV,
        "Challenges" => Part::Challenges,
        other => panic!("unknown part `{other}`"),
    }
}

pub fn listed(findings: &[Finding]) -> String {
    findings.iter().map(|f| f.render(Lang::En)).collect::<Vec<_>>().join("\n")
}

/// The line as written in the folder, trimmed (empty for a whole file).
pub fn line_text(dir: &Path, at: &Place) -> String {
    if at.line == 0 {
        return String::new();
    }
    let text = std::fs::read_to_string(dir.join(&at.file)).unwrap_or_default();
    text.lines().nth(at.line - 1).map(|l| l.trim().to_string()).unwrap_or_else(|| format!("(no line {at})"))
}
