//! A site's prompt from a sound file (`lab prompt`), as the SAE's report did
//! by hand: converted to what Asterisk plays natively, its loudness levelled,
//! installed as the music on hold and/or the pre-answer message.
//!
//! What is asked is checked here, on this machine, before any container is
//! touched: the site, and each file (a sound, not empty, not too long). The
//! runtime then converts in the site's IPBX with sox ([`sox`]).

pub mod sound_file;
pub mod sox;

use std::fmt;
use std::path::PathBuf;

pub use crate::gen::prompts::Use;
use crate::model::Lab;
pub use sound_file::{Format, SoundFile, SoundFileError};
pub use sox::Level;

#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error("no site {site:?} in lab {lab}; its sites are {sites}")]
    NoSuchSite { site: String, lab: String, sites: String },
    #[error(transparent)]
    File(#[from] SoundFileError),
    #[error("nothing to do: give --hold FILE, --pre-answer FILE (or both), or --reset")]
    Nothing,
}

/// What `lab prompt` is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Files for the music on hold and/or the pre-answer message.
    Install { hold: Option<PathBuf>, pre_answer: Option<PathBuf> },
    /// Back to the shipped prompts.
    Reset,
}

/// A request checked against the lab and its files read.
#[derive(Debug, Clone)]
pub struct Plan {
    pub site: String,
    pub action: Action,
}

#[derive(Debug, Clone)]
pub enum Action {
    /// Each file once, with the uses it is installed for.
    Install(Vec<Import>),
    Reset,
}

#[derive(Debug, Clone)]
pub struct Import {
    pub file: SoundFile,
    pub uses: Vec<Use>,
}

/// Checks `request` for `site` of `lab`, reading its files.
pub fn plan(lab: &Lab, site: &str, request: Request) -> Result<Plan, PromptError> {
    if lab.site(site).is_none() {
        let sites: Vec<&str> = lab.sites.iter().map(|s| s.name.as_str()).collect();
        return Err(PromptError::NoSuchSite { site: site.into(), lab: lab.name.clone(), sites: sites.join(", ") });
    }
    let (hold, pre_answer) = match request {
        Request::Reset => return Ok(Plan { site: site.into(), action: Action::Reset }),
        Request::Install { hold: None, pre_answer: None } => return Err(PromptError::Nothing),
        Request::Install { hold, pre_answer } => (hold, pre_answer),
    };
    let mut imports: Vec<Import> = Vec::new();
    for (path, u) in [(hold, Use::Hold), (pre_answer, Use::PreAnswer)] {
        let Some(path) = path else { continue };
        match imports.iter_mut().find(|i| i.file.path == path) {
            Some(same) => same.uses.push(u),
            None => imports.push(Import { file: sound_file::read(&path)?, uses: vec![u] }),
        }
    }
    Ok(Plan { site: site.into(), action: Action::Install(imports) })
}

/// What `lab prompt` did.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub site: String,
    /// Empty when the shipped prompts came back.
    pub installed: Vec<Installed>,
}

/// One file installed.
#[derive(Debug, Clone, PartialEq)]
pub struct Installed {
    pub path: PathBuf,
    pub format: Format,
    pub uses: Vec<Use>,
    /// The file as given.
    pub before: Level,
    /// What Asterisk plays: 8 kHz mono, levelled.
    pub after: Level,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.installed.is_empty() {
            return writeln!(f, "{}: music on hold and pre-answer message are the shipped ones again", self.site);
        }
        for i in &self.installed {
            let uses: Vec<&str> = i.uses.iter().map(|u| u.label()).collect();
            let (b, a) = (&i.before, &i.after);
            let change = a.rms_db - b.rms_db;
            let how = if change.abs() < 0.5 {
                "kept".to_string()
            } else {
                format!("{} {:.1} dB", if change > 0.0 { "raised" } else { "lowered" }, change.abs())
            };
            writeln!(f, "{}: {} from {} ({})", self.site, uses.join(" and "), i.path.display(), i.format)?;
            writeln!(
                f,
                "  duration {:.1} s, level {:.1} dBFS RMS, peak {:.1} dBFS ({how}: the file was {:.1} dBFS RMS)",
                a.seconds, a.rms_db, a.peak_db, b.rms_db
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_says_duration_and_level() {
        let level = |seconds, rms_db, peak_db| Level { seconds, rms_db, peak_db };
        let report = Report {
            site: "table1".into(),
            installed: vec![Installed {
                path: "voice.mp3".into(),
                format: Format::Mp3,
                uses: vec![Use::Hold, Use::PreAnswer],
                before: level(12.43, -38.24, -20.0),
                after: level(12.43, -20.0, -3.1),
            }],
        };
        assert_eq!(
            report.to_string(),
            "table1: music on hold and pre-answer message from voice.mp3 (MP3)\n  \
             duration 12.4 s, level -20.0 dBFS RMS, peak -3.1 dBFS (raised 18.2 dB: the file was -38.2 dBFS RMS)\n"
        );
    }
}
