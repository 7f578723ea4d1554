//! Where a lab keeps what must survive between commands: secrets and configs.

use std::collections::BTreeMap;
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

    /// The folder a site's (or the operator's) Asterisk reads as /etc/asterisk.
    pub fn asterisk_dir(&self, site: &str) -> PathBuf {
        self.config_dir().join(site).join(crate::gen::ASTERISK_DIR)
    }
}

/// Creates a lab's state folder, or narrows it, to its owner only: it holds
/// the lab's passwords and the configs that carry them.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    restrict(dir, 0o700)
}

/// Writes a file only its owner may read, narrowed before anything is
/// written (a creation mode alone would spare an older, wider file).
pub(crate) fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(false).open(path)?;
    make_private(path)?;
    file.set_len(0)?;
    file.write_all(contents)
}

/// Narrows an existing file to its owner only.
pub(crate) fn make_private(path: &Path) -> std::io::Result<()> {
    restrict(path, 0o600)
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn restrict(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

/// `outside.toml`: what `lab up --bind` and `lab softphone` chose for phones
/// outside the lab, and `lab up --swarm` for where it runs; every later
/// command on the lab applies it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Outside {
    /// The host address published ports are on (127.0.0.1 when unset).
    pub bind: Option<std::net::Ipv4Addr>,
    /// Phones left to softphones outside the lab, as `site/account`.
    #[serde(default)]
    pub softphones: Vec<String>,
    /// The lab runs on the swarm this machine manages.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub swarm: bool,
}

const OUTSIDE: &str = "outside.toml";

impl StateDir {
    pub fn outside_path(&self) -> PathBuf {
        self.dir.join(OUTSIDE)
    }

    pub fn outside(&self) -> std::io::Result<Outside> {
        let path = self.outside_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Outside::default()),
            Err(e) => Err(e),
        }
    }

    pub fn save_outside(&self, outside: &Outside) -> std::io::Result<()> {
        create_private_dir(&self.dir)?;
        let text = toml::to_string(outside).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        std::fs::write(self.outside_path(), text)
    }
}

/// What writing the generated configs into the state directory did.
#[derive(Debug, Clone, Default)]
pub struct Sync {
    pub written: usize,
    /// Files edited by hand since the lab wrote them: kept as they are.
    pub kept_edits: Vec<PathBuf>,
}

const MANIFEST: &str = "generated.toml";

impl StateDir {
    /// Writes the generated configs (contents by path under the config
    /// folder, as generation made them), keeping any file edited by hand since
    /// the lab last wrote it (a student's change survives `up`); `reset` names
    /// folders (`table1`, `operator`) to regenerate regardless.
    pub fn sync_configs(&self, files: &BTreeMap<PathBuf, Vec<u8>>, reset: &[&str]) -> std::io::Result<Sync> {
        use sha2::{Digest, Sha256};
        let hash = |bytes: &[u8]| Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
        let manifest_path = self.dir.join(MANIFEST);
        let mut manifest: BTreeMap<String, String> =
            std::fs::read_to_string(&manifest_path).ok().and_then(|t| toml::from_str(&t).ok()).unwrap_or_default();
        create_private_dir(&self.dir)?;
        let root = self.config_dir();
        let mut sync = Sync::default();
        for (rel, contents) in files {
            let key = rel.to_string_lossy().to_string();
            let path = root.join(rel);
            let on_disk = std::fs::read(&path).ok();
            let forced = reset.iter().any(|r| rel.starts_with(r));
            let edited = on_disk
                .as_deref()
                .is_some_and(|d| d != contents.as_slice() && manifest.get(&key).is_some_and(|h| *h != hash(d)));
            if edited && !forced {
                sync.kept_edits.push(rel.clone());
            } else if on_disk.as_deref() != Some(contents.as_slice()) {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&path, contents)?;
                sync.written += 1;
            }
            manifest.insert(key, hash(contents));
        }
        let text = toml::to_string(&manifest).map_err(std::io::Error::other)?;
        std::fs::write(manifest_path, format!("# What the lab last generated, to tell hand edits apart.\n{text}"))?;
        Ok(sync)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> BTreeMap<PathBuf, Vec<u8>> {
        BTreeMap::from([(PathBuf::from("table1/asterisk/extensions.conf"), text.as_bytes().to_vec())])
    }

    #[test]
    fn hand_edits_survive_until_reset() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::new(dir.path(), "lab");
        let file = state.config_dir().join("table1/asterisk/extensions.conf");
        assert_eq!(state.sync_configs(&tree("v1"), &[]).unwrap().written, 1);
        std::fs::write(&file, "edited").unwrap();
        let sync = state.sync_configs(&tree("v2"), &[]).unwrap();
        assert_eq!(sync.kept_edits.len(), 1, "a student's edit is kept");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "edited");
        state.sync_configs(&tree("v2"), &["table1"]).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "v2", "reset regenerates");
        state.sync_configs(&tree("v3"), &[]).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "v3", "an unedited file follows the lab");
    }

    #[cfg(unix)]
    #[test]
    fn the_configs_carrying_passwords_sit_in_a_folder_of_its_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::new(dir.path(), "lab");
        state.sync_configs(&tree("v1"), &[]).unwrap();
        assert_eq!(std::fs::metadata(state.path()).unwrap().permissions().mode() & 0o777, 0o700);
    }
}
