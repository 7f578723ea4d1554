//! Per-lab passwords: generated once, kept in the lab's state directory so that
//! configs (and so containers) stay the same across `up`s.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rand::distr::{Alphanumeric, SampleString};

use crate::model::{Lab, Phone, Site, TestPhone};
use crate::state;

const FILE: &str = "secrets.toml";
const VM_PREFIX: &str = "vm/";

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not a valid secrets file ({source}); delete it to generate new passwords")]
    Parse { path: PathBuf, source: toml::de::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// Every password and shared secret of one lab, by account key.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Secrets {
    accounts: BTreeMap<String, String>,
}

impl Secrets {
    /// Loads the lab's secrets, generating (and saving) whatever is missing.
    pub fn load_or_create(state_dir: &Path, lab: &Lab) -> Result<Secrets, SecretsError> {
        let path = state_dir.join(FILE);
        let mut secrets = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|source| SecretsError::Parse { path: path.clone(), source })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Secrets::default(),
            Err(source) => return Err(SecretsError::Read { path, source }),
        };
        let before = secrets.clone();
        secrets.fill(lab, |key| {
            if key.starts_with(VM_PREFIX) {
                format!("{:04}", rand::random_range(0..10_000))
            } else {
                Alphanumeric.sample_string(&mut rand::rng(), 16)
            }
        });
        let write = |source| SecretsError::Write { path: path.clone(), source };
        state::create_private_dir(state_dir).map_err(write)?;
        if secrets != before {
            let text = toml::to_string(&secrets).expect("a string map serializes");
            let text = format!("# Generated passwords of this lab; delete to regenerate.\n{text}");
            state::write_private(&path, text.as_bytes()).map_err(write)?;
            tracing::info!(
                new = secrets.accounts.len() - before.accounts.len(),
                "wrote the lab's passwords to {}",
                path.display()
            );
        } else {
            tracing::debug!(count = secrets.accounts.len(), "read the lab's passwords from {}", path.display());
            // Written by an older version, maybe readable by all: narrowed too.
            state::make_private(&path).map_err(write)?;
        }
        Ok(secrets)
    }

    /// Deterministic secrets (`<key>-secret`), for golden tests and dry runs.
    pub fn deterministic(lab: &Lab) -> Secrets {
        let mut secrets = Secrets::default();
        secrets.fill(lab, |key| {
            if key.starts_with(VM_PREFIX) {
                // Digits, stable: a PIN is keyed on a phone.
                format!("{:04}", key.bytes().fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % 10_000)
            } else {
                format!("{}-secret", key.replace('/', "-"))
            }
        });
        secrets
    }

    fn fill(&mut self, lab: &Lab, mut make: impl FnMut(&str) -> String) {
        let mut keys = Vec::new();
        for site in &lab.sites {
            keys.push(trunk_key(site));
            keys.push(ami_key(&site.name));
            keys.extend(site.phones.iter().map(|p| phone_key(site, p)));
            keys.extend(site.phones.iter().map(|p| format!("{VM_PREFIX}{}", phone_key(site, p))));
        }
        keys.push(ami_key("operator"));
        keys.extend(lab.operator.test_phones.iter().map(test_phone_key));
        for key in keys {
            if let std::collections::btree_map::Entry::Vacant(slot) = self.accounts.entry(key) {
                let value = make(slot.key());
                slot.insert(value);
            }
        }
    }

    fn get(&self, key: &str) -> &str {
        self.accounts.get(key).map(String::as_str).unwrap_or_default()
    }

    pub fn phone_password<'a>(&'a self, site: &'a Site, phone: &Phone) -> &'a str {
        site.password.as_deref().unwrap_or_else(|| self.get(&phone_key(site, phone)))
    }

    pub fn trunk_password<'a>(&'a self, site: &'a Site) -> &'a str {
        site.password.as_deref().unwrap_or_else(|| self.get(&trunk_key(site)))
    }

    pub fn test_phone_password<'a>(&'a self, lab: &'a Lab, phone: &'a TestPhone) -> &'a str {
        phone
            .password
            .as_deref()
            .or(lab.operator.password.as_deref())
            .unwrap_or_else(|| self.get(&test_phone_key(phone)))
    }

    /// The voicemail PIN of a phone's box.
    pub fn voicemail_pin<'a>(&'a self, lab: &'a Lab, site: &Site, phone: &Phone) -> &'a str {
        lab.voicemail.pin.as_deref().unwrap_or_else(|| self.get(&format!("{VM_PREFIX}{}", phone_key(site, phone))))
    }

    /// The same secrets with some of `site`'s phone passwords, and its trunk
    /// password, replaced: a config being graded declares its own.
    pub fn with_site_passwords(&self, site: &Site, phones: &[(&str, &str)], trunk: Option<&str>) -> Secrets {
        let mut out = self.clone();
        for (account, password) in phones {
            if let Some(phone) = site.phones.iter().find(|p| p.account == *account) {
                out.accounts.insert(phone_key(site, phone), password.to_string());
            }
        }
        if let Some(trunk) = trunk {
            out.accounts.insert(trunk_key(site), trunk.to_string());
        }
        out
    }

    /// Manager (AMI) secret of a site's IPBX or of the operator.
    pub fn ami_secret(&self, asterisk: &str) -> &str {
        self.get(&ami_key(asterisk))
    }
}

fn phone_key(site: &Site, phone: &Phone) -> String {
    format!("{}/{}", site.name, phone.account)
}

fn trunk_key(site: &Site) -> String {
    format!("trunk/{}", site.name)
}

fn ami_key(asterisk: &str) -> String {
    format!("ami/{asterisk}")
}

fn test_phone_key(phone: &TestPhone) -> String {
    format!("operator/{}", phone.account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_lab_gets_its_own_passwords_kept_across_loads() {
        let lab = Lab::sae();
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let first = Secrets::load_or_create(a.path(), &lab).unwrap();
        assert_eq!(Secrets::load_or_create(a.path(), &lab).unwrap(), first, "kept across loads");
        let other = Secrets::load_or_create(b.path(), &lab).unwrap();
        let site = &lab.sites[0];
        assert_ne!(first.trunk_password(site), other.trunk_password(site), "another lab, another password");
        assert_eq!(first.trunk_password(site).len(), 16);
    }

    #[cfg(unix)]
    #[test]
    fn the_secrets_file_and_its_folder_are_its_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("lab");
        Secrets::load_or_create(&dir, &Lab::sae()).unwrap();
        assert_eq!(mode(&dir.join(FILE)), 0o600);
        assert_eq!(mode(&dir), 0o700);

        // Left readable by all by an older version: narrowed on the next load.
        std::fs::set_permissions(dir.join(FILE), std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        Secrets::load_or_create(&dir, &Lab::sae()).unwrap();
        assert_eq!(mode(&dir.join(FILE)), 0o600);
        assert_eq!(mode(&dir), 0o700);
    }
}
