//! Asterisk 22 speaks first: the folder is loaded into a throwaway Asterisk
//! of the lab's own image, and every warning and error of the load becomes a
//! finding on the line it is about, in a plain sentence ([`said`]). Asterisk
//! also tells which applications, functions and endpoints it really has.

mod explain;
mod load;
mod log;
mod said;

use std::path::Path;

pub(crate) use explain::advice;
pub use explain::{explain, Explained, Folder};
pub use load::{listen, Heard, LoadError, KIND};
pub use log::{Level, LogLine};
pub use said::{Advice, Object, Said};

use super::Finding;
use crate::asterisk_conf::ConfError;
use crate::model::{Lab, Site};
use crate::runtime::docker::{Engine, EngineError};
use crate::runtime::images::{self, ImageError, RootSource};
use crate::runtime::progress::Progress;

#[derive(Debug, thiserror::Error)]
pub enum HearError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Images(#[from] ImageError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Conf(#[from] ConfError),
}

/// Whether Asterisk 22 read the folder, and what it said that is about
/// nothing of the folder (the distribution's modules, say).
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    Heard {
        seconds: f64,
        booted: bool,
        unplaced: Vec<LogLine>,
    },
    /// Not done, and why (no Docker engine, say).
    NotRun {
        why: String,
    },
}

/// Loads `dir` into a throwaway Asterisk 22 as `site` would run it, and
/// places what it says on the folder's lines; `trunk` is the section that
/// registers to the operator (its objects are part II).
pub async fn hear(
    lab: &Lab,
    site: &Site,
    dir: &Path,
    trunk: Option<&str>,
    progress: &dyn Progress,
) -> Result<(Vec<Finding>, Reading), HearError> {
    let engine = Engine::connect().await?;
    let images = images::ensure(&engine, RootSource::Auto, progress).await?;
    progress.step("Asterisk 22 reads the folder");
    let heard = listen(&engine, &images.asterisk, lab, site, dir).await?;
    let folder = Folder::read(dir)?;
    let explained = explain(&heard, &folder, lab, trunk);
    let reading = Reading::Heard { seconds: heard.seconds, booted: heard.booted, unplaced: explained.unplaced };
    Ok((explained.findings, reading))
}
