//! Per-lab passwords: generated once, kept in the lab's state directory so that
//! configs (and so containers) stay the same across `up`s.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rand::distr::{Alphanumeric, SampleString};

use crate::model::{Lab, Phone, Site, TestPhone};

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
        if secrets != before {
            let write = |source| SecretsError::Write { path: path.clone(), source };
            std::fs::create_dir_all(state_dir).map_err(write)?;
            let text = toml::to_string(&secrets).expect("a string map serializes");
            std::fs::write(&path, format!("# Generated passwords of this lab; delete to regenerate.\n{text}"))
                .map_err(write)?;
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
