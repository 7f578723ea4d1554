//! `lab status`: what runs, what is registered, and what to type into a phone.
//!
//! The JSON form (`lab status --json`) is a stable interface for tools; fields
//! are only ever added.

use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct LabStatus {
    pub lab: String,
    /// Every planned container exists and runs.
    pub up: bool,
    pub sites: Vec<SiteStatus>,
    pub operator: OperatorStatus,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteStatus {
    pub name: String,
    pub index: u8,
    /// `address:port` a phone outside the lab (Linphone on the host) registers to.
    pub outside_server: String,
    pub containers: Vec<ContainerStatus>,
    pub trunk: TrunkStatus,
    pub phones: Vec<PhoneStatus>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContainerStatus {
    pub name: String,
    pub kind: String,
    pub running: bool,
    /// Network name -> IPv4 address.
    pub addresses: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrunkStatus {
    /// The site's account at the operator.
    pub account: String,
    /// As the operator sees it: the site's registration is current.
    pub registered: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhoneStatus {
    pub name: String,
    pub extension: String,
    pub public_number: String,
    pub role: String,
    pub device: String,
    pub registered: bool,
    /// Registered by a phone outside the lab, through the published port.
    pub from_outside: bool,
    /// Left to a softphone outside the lab (`lab softphone`).
    pub softphone: bool,
    pub username: String,
    pub password: String,
    /// SIP domain (registrar) inside the lab; outside phones use the site's `outside_server`.
    pub domain: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OperatorStatus {
    pub containers: Vec<ContainerStatus>,
    pub test_phones: Vec<TestPhoneStatus>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestPhoneStatus {
    pub name: String,
    pub number: String,
    pub registered: bool,
    pub username: String,
    pub password: String,
    pub domain: String,
}

impl LabStatus {
    pub fn registered_phones(&self) -> usize {
        self.sites.iter().flat_map(|s| &s.phones).filter(|p| p.registered).count()
    }

    pub fn registered_trunks(&self) -> usize {
        self.sites.iter().filter(|s| s.trunk.registered).count()
    }

    /// Everything planned runs and every account is registered.
    pub fn ready(&self) -> bool {
        self.up
            && self.sites.iter().all(|s| s.trunk.registered && s.phones.iter().all(|p| p.registered || p.softphone))
            && self.operator.test_phones.iter().all(|t| t.registered)
    }

    /// Accounts still unregistered, for error messages.
    pub fn missing(&self) -> Vec<String> {
        let mut missing = Vec::new();
        for s in &self.sites {
            if !s.trunk.registered {
                missing.push(format!("trunk {} at the operator", s.trunk.account));
            }
            missing.extend(
                s.phones
                    .iter()
                    .filter(|p| !p.registered && !p.softphone)
                    .map(|p| format!("{} at {}", p.username, s.name)),
            );
        }
        missing.extend(
            self.operator.test_phones.iter().filter(|t| !t.registered).map(|t| format!("{} at the operator", t.name)),
        );
        missing
    }
}
