//! Where a lab keeps what must survive between commands: secrets and configs.

use std::path::{Path, PathBuf};

/// `<root>/<lab>/`: `secrets.toml` and `config/<site>/{asterisk,baresip}/`.
#[derive(Debug, Clone)]
pub struct StateDir {
    dir: PathBuf,
}

impl StateDir {
    /// `root` must be absolute: its folders are bind-mounted into containers.
    pub fn new(root: &Path, lab: &str) -> StateDir {
        StateDir { dir: root.join(lab) }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.join("config")
    }
}
