//! `lab status`: what runs, what is registered, and what to type into a phone.
//!
//! The JSON form (`lab status --json`) is a stable interface for tools; fields
//! are only ever added.

use std::collections::BTreeMap;
use std::fmt;

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
    /// The swarm node it runs on (a lab on a swarm only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
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

/// The text of `lab status`: one block per site (its containers, and a table
/// of its accounts), then the operator's.
impl fmt::Display for LabStatus {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let phones: usize = self.sites.iter().map(|x| x.phones.len()).sum();
        writeln!(
            out,
            "lab {}: {}; trunks {}/{} registered, phones {}/{} registered",
            self.lab,
            if self.up { "up" } else { "not (fully) up" },
            self.registered_trunks(),
            self.sites.len(),
            self.registered_phones(),
            phones
        )?;
        for site in &self.sites {
            writeln!(
                out,
                "\n{} (site {}): trunk `{}` {}; phones outside the lab register to {}",
                site.name,
                site.index,
                site.trunk.account,
                mark(site.trunk.registered),
                site.outside_server
            )?;
            for c in &site.containers {
                writeln!(out, "  {:<8} {:<22} {}  {}", c.kind, c.name, running(c), addresses(c))?;
            }
            writeln!(
                out,
                "  {:<4} {:<12} {:<11} {:<15} {:<16} state",
                "ext", "username", "public", "device", "password"
            )?;
            for p in &site.phones {
                writeln!(
                    out,
                    "  {:<4} {:<12} {:<11} {:<15} {:<16} {}",
                    p.extension,
                    p.username,
                    p.public_number,
                    p.device,
                    p.password,
                    match (p.registered, p.from_outside, p.softphone) {
                        (true, true, _) => "registered from outside (your softphone)",
                        (false, _, true) => "left to your softphone, not registered",
                        (registered, ..) => mark(registered),
                    },
                )?;
            }
        }
        writeln!(out, "\noperator")?;
        for c in &self.operator.containers {
            writeln!(out, "  {:<15} {:<22} {}  {}", c.kind, c.name, running(c), addresses(c))?;
        }
        for t in &self.operator.test_phones {
            writeln!(
                out,
                "  {:<4} {:<11} user {:<5} password {:<16} {} (domain {})",
                t.name,
                t.number,
                t.username,
                t.password,
                mark(t.registered),
                t.domain
            )?;
        }
        Ok(())
    }
}

fn mark(registered: bool) -> &'static str {
    if registered {
        "registered"
    } else {
        "NOT registered"
    }
}

fn running(c: &ContainerStatus) -> &'static str {
    if c.running {
        "running"
    } else {
        "stopped"
    }
}

/// Its addresses, and the swarm node it runs on when there is one.
fn addresses(c: &ContainerStatus) -> String {
    let addresses = c.addresses.values().cloned().collect::<Vec<_>>().join(", ");
    match &c.node {
        Some(node) => format!("{addresses}  on node {node}"),
        None => addresses,
    }
}
