//! Grading a student's own config of one site: a static inspection of the
//! files Asterisk would load from `/etc/asterisk`, printed beside the
//! end-to-end checks.
//!
//! The inspection reads the folder once with [`crate::asterisk_conf`] (the
//! files, their dialplan and accounts), then pure checks compare it with the
//! [`Lab`]'s model of the site. It also finds the passwords the student
//! chose, so that the lab's simulated phones and operator can use them.

pub mod applicationmap;
pub mod asterisk_says;
pub mod blocked;
pub mod causes;
mod contexts;
mod coverage;
mod dialling;
mod facts;
pub mod feature_codes;
mod inspect;
mod jumps;
mod live_causes;
pub mod live_hints;
mod mailbox;
mod map_suggestion;
pub mod mapping;
pub mod messages;
mod moh_player;
mod options;
mod outbound;
pub mod own_sounds;
mod pjsip_options;
mod queues;
pub mod retarget;
mod rewrite;
pub mod score;
pub mod session;
mod shadow;
mod syntax;
mod voicemail_mail;

use std::path::{Path, PathBuf};

use crate::asterisk_conf::ConfError;
use crate::gen::{Tree, ASTERISK_DIR};
use crate::model::{Lab, Site};

pub use crate::asterisk_conf::accounts::{Declared, Endpoint, Trunk};
pub use crate::asterisk_conf::Place;
pub use messages::{BoxUse, ContextUse, Lang, Problem, Removed, Who};

#[derive(Debug, thiserror::Error)]
pub enum GradeError {
    #[error("{0} is not a folder of Asterisk config files")]
    NotAFolder(PathBuf),
    #[error(transparent)]
    Conf(#[from] ConfError),
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("the generated config has no files for site `{0}`")]
    NoSuchSite(String),
    #[error("the mapping names the trunk {want:?}, but the section registering to the operator is {found:?} ({at})")]
    TrunkMismatch { want: String, found: String, at: String },
}

/// The parts of the SAE's subject a finding belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// Internal calls between the site's phones.
    I,
    /// Inter-site and external calls, through the operator.
    II,
    /// Telephony functions: pickup, transfer, supervision.
    III,
    /// Voicemail.
    IV,
    Challenges,
}

impl Part {
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Part::I, _) => "I",
            (Part::II, _) => "II",
            (Part::III, _) => "III",
            (Part::IV, _) => "IV",
            (Part::Challenges, Lang::Fr) => "Défis",
            (Part::Challenges, Lang::En) => "Challenges",
        }
    }
}

/// One thing wrong in the student's config, where it is and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub part: Part,
    /// File relative to the config folder, and line (0: the file as a whole).
    pub at: Place,
    /// The directive as written (empty when the problem is something missing).
    pub text: String,
    pub problem: Problem,
}

impl Finding {
    pub fn message(&self, lang: Lang) -> String {
        self.problem.message(lang)
    }

    /// `extensions.conf:42 [I] message` then the directive, indented.
    pub fn render(&self, lang: Lang) -> String {
        let mut s = format!("{} [{}] {}", self.at, self.part.name(lang), self.message(lang));
        if !self.text.is_empty() {
            s.push_str(&format!("\n    {}", self.text));
        }
        s
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::default()))
    }
}

/// The credentials the student gave one phone of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneAuth {
    pub account: String,
    pub extension: String,
    /// `None` when no endpoint of that name is declared.
    pub username: Option<String>,
    pub password: Option<String>,
}

/// What the inspection of one site's config found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    pub site: String,
    /// Every endpoint declared, templates excluded, in file order.
    pub endpoints: Vec<Endpoint>,
    /// One per phone of the site, in the model's order.
    pub phones: Vec<PhoneAuth>,
    /// The section that registers to the operator (or else the first one
    /// that registers anywhere).
    pub trunk: Option<Trunk>,
    /// Sorted by file and line.
    pub findings: Vec<Finding>,
    /// A `--map` file made from the names found in the files, when most of
    /// the lab's phones have no endpoint of their name.
    pub map_suggestion: Option<String>,
    /// The config's own in-call codes, pressed by the checks.
    pub feature_codes: feature_codes::FeatureCodes,
}

impl Inspection {
    /// The password the student gave a phone's account.
    pub fn password(&self, account: &str) -> Option<&str> {
        self.phones.iter().find(|p| p.account == account)?.password.as_deref()
    }

    /// Adds what Asterisk 22 said on loading the folder, in file and line order.
    /// An option both the inspection and Asterisk name is said once, as Asterisk says it.
    pub fn add_asterisk_findings(&mut self, findings: Vec<Finding>) {
        let refused: Vec<Place> = findings
            .iter()
            .filter(|f| matches!(f.problem, Problem::Asterisk(messages::Said::UnknownOption { .. })))
            .map(|f| f.at.clone())
            .collect();
        self.findings.retain(|f| !(matches!(f.problem, Problem::UnknownPjsipOption { .. }) && refused.contains(&f.at)));
        self.findings.extend(findings);
        self.findings.sort_by(|a, b| a.at.cmp(&b.at));
    }

    /// The context the site's phones call from in the graded config (the
    /// first phone endpoint's that says), or the lab's own `internal`.
    pub fn phone_context(&self) -> String {
        let phones: Vec<&str> = self.phones.iter().map(|p| p.account.as_str()).collect();
        self.endpoints
            .iter()
            .filter(|e| phones.contains(&e.name.as_str()))
            .find_map(|e| e.context.as_ref().map(|c| c.value.clone()))
            .unwrap_or_else(|| "internal".to_string())
    }
}

/// Reads a student's config folder of `site` (what goes in `/etc/asterisk`)
/// and checks it against the model.
pub fn inspect(lab: &Lab, site: &Site, dir: &Path) -> Result<Inspection, GradeError> {
    if !dir.is_dir() {
        return Err(GradeError::NotAFolder(dir.to_path_buf()));
    }
    inspect::run(lab, site, dir)
}

/// Writes the generated Asterisk config of `site` into `dir`, laid out as
/// `/etc/asterisk` (a correct reference, or the base of a test's mistake).
pub fn write_site_config(tree: &Tree, site: &str, dir: &Path) -> Result<(), GradeError> {
    let root = Path::new(site).join(ASTERISK_DIR);
    let mut written = 0;
    for (path, contents) in &tree.files {
        let Ok(relative) = path.strip_prefix(&root) else {
            continue;
        };
        let full = dir.join(relative);
        let write = |source| GradeError::Write { path: full.clone(), source };
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(write)?;
        }
        std::fs::write(&full, contents).map_err(write)?;
        written += 1;
    }
    if written == 0 {
        return Err(GradeError::NoSuchSite(site.to_string()));
    }
    Ok(())
}
