//! The lab: what sites, phones and operator exist, checked once at the edge.
//!
//! Everything downstream (generation, runtime, scenarios) trusts a [`Lab`]:
//! names are valid, extensions unique, numbers well formed.

mod network;
pub mod ports;
mod raw;
mod validate;

use std::path::Path;

pub use crate::diagnostic::{Diagnostic, Diagnostics};
pub use network::Network;
pub use ports::PortRange;

/// The default lab: the SAE's four tables of eight cabinets.
pub const SAE_LAB: &str = include_str!("sae.toml");
/// Name under which the embedded default lab is known.
pub const SAE_LAB_NAME: &str = "sae";

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read lab file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error(transparent)]
    Invalid(#[from] Diagnostics),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lab {
    pub name: String,
    pub numbering: Numbering,
    pub network: Network,
    pub roles: Vec<Role>,
    pub sites: Vec<Site>,
    pub operator: Operator,
    pub voicemail: Voicemail,
    pub host: Host,
    pub deploy: Deploy,
}

/// Which engine runs the lab's containers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Deploy {
    /// This machine's Docker engine alone.
    #[default]
    Docker,
    /// The nodes of the Docker Swarm this machine's engine manages: the sites
    /// spread over them, the networks overlays across them.
    Swarm,
}

impl Deploy {
    pub fn name(self) -> &'static str {
        match self {
            Deploy::Docker => "docker",
            Deploy::Swarm => "swarm",
        }
    }
}

/// How phones outside the lab (a student's softphone) reach the sites: each
/// site's SIP port is published on the host. A softphone on the host itself
/// sends its media straight to the IPBX's address, which the host reaches;
/// for softphones on other machines (a classroom's address as `bind`), a
/// small RTP range per site is published too, and the IPBX uses only it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// Host address the ports are published on, and that Asterisk announces
    /// to outside phones: 127.0.0.1, or the machine's address in a classroom.
    pub bind: std::net::Ipv4Addr,
    /// Site N's SIP is on this + N (5061 for site 1 by default).
    pub sip_base: u16,
    /// Site N's RTP range starts at this + 100 × N.
    pub rtp_base: u16,
}

impl Host {
    pub fn ports(&self, site_index: u8) -> HostPorts {
        let first = self.rtp_base + 100 * u16::from(site_index);
        let rtp = PortRange { first, last: first + ports::SITE_RTP_PORTS - 1 };
        HostPorts { sip: self.sip_base + u16::from(site_index), rtp }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voicemail {
    /// Seconds a phone rings before the call goes to its voicemail.
    pub ring_seconds: u8,
    /// One PIN for every box, or generated per box when `None`.
    pub pin: Option<String>,
}

/// The numbering plan. A site number has one digit while no site index
/// passes 9 (the SAE's `*213`, `0320000213`), two digits for every site
/// otherwise (`*0213`, `*1613`): numbers of one kind keep one length, so a
/// dialplan pattern (`_*02XX`) takes exactly one site, and public numbers
/// keep ten digits with a prefix one digit shorter (`032000` + `02` + `13`:
/// the same `0320000213`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbering {
    /// 8 − `site_digits` digits; a public number is this + site + cabinet + role.
    pub public_prefix: String,
    /// Dialled before `<site><cabinet><role>` to reach another site.
    pub intersite_prefix: String,
    /// Digits of every site number: 1 or 2.
    pub site_digits: usize,
}

impl Numbering {
    /// Digits of a public number: prefix, site, cabinet and role.
    pub const PUBLIC_DIGITS: usize = 10;

    /// A site's number as dialled: `2`, or `02` in a lab of two-digit sites.
    pub fn site_number(&self, index: u8) -> String {
        format!("{index:0width$}", width = self.site_digits)
    }

    /// The site index at the start of `digits` (what follows an inter-site
    /// or public prefix), and what comes after it.
    pub fn split_site<'a>(&self, digits: &'a str) -> Option<(u8, &'a str)> {
        let site = digits.get(..self.site_digits)?;
        if !site.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some((site.parse().ok()?, &digits[self.site_digits..]))
    }
}

/// The phone a role uses in the SAE: what the lab can provision for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Device {
    /// Auto-provisioned from a `.cfg` file.
    YealinkT31P,
    /// SIP firmware set by hand through its menus: a sheet of steps.
    NortelLip6812,
    /// The softphone, provisioned from an XML file.
    Linphone,
    /// Anything else a lab file names: a sheet of the values to type.
    Other(String),
}

impl Device {
    /// The device a lab file names (`device = "Yealink T31P"`).
    pub fn named(name: &str) -> Device {
        match name {
            "Yealink T31P" => Device::YealinkT31P,
            "Nortel LIP6812" => Device::NortelLip6812,
            "Linphone" => Device::Linphone,
            other => Device::Other(other.to_string()),
        }
    }
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Device::YealinkT31P => "Yealink T31P",
            Device::NortelLip6812 => "Nortel LIP6812",
            Device::Linphone => "Linphone",
            Device::Other(name) => name,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub digit: u8,
    /// Lower-case letters only, used in account names (`patron3`).
    pub name: String,
    pub label: String,
    pub device: Device,
    /// In its cabinet's call and pickup group (`*8` answers a ringing colleague).
    pub pickup: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub index: u8,
    /// Also the site's trunk account at the operator.
    pub name: String,
    pub cabinets: u8,
    /// Fixed password for every account of the site, or generated when `None`.
    pub password: Option<String>,
    pub phones: Vec<Phone>,
    pub host_ports: HostPorts,
    /// The address its ports are published on when not the lab's
    /// (`host.bind`): on a swarm, the address of the node it runs on.
    pub bind: Option<std::net::Ipv4Addr>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    pub cabinet: u8,
    pub role: Role,
    /// SIP username and endpoint name, e.g. `secretaire2`.
    pub account: String,
    /// Internal extension, `<cabinet><role>`, e.g. `23`.
    pub extension: String,
    /// What its public and inter-site numbers end with: the lab's extension,
    /// even where a graded config dials the phone on another one.
    pub number: String,
    /// Left to a softphone outside the lab (`lab softphone`): the lab's own
    /// softphones do not register it.
    pub softphone: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub password: Option<String>,
    pub test_phones: Vec<TestPhone>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestPhone {
    /// As printed in the SAE, e.g. `TM1`.
    pub name: String,
    /// SIP username at the operator, e.g. `tm1`.
    pub account: String,
    /// Ten-digit public number, e.g. `0212345677`.
    pub number: String,
    pub password: Option<String>,
}

impl Lab {
    /// The embedded default lab.
    pub fn sae() -> Lab {
        Self::parse("sae.toml (built in)", SAE_LAB).expect("the built-in lab file is valid")
    }

    /// Reads and checks a lab file.
    pub fn load(path: &Path) -> Result<Lab, LoadError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| LoadError::Read { path: path.display().to_string(), source })?;
        let lab = Self::parse(&path.display().to_string(), &text)?;
        tracing::info!(
            sites = lab.sites.len(),
            phones = lab.phone_count(),
            "read lab {} from {}",
            lab.name,
            path.display()
        );
        Ok(lab)
    }

    /// Checks lab-file text; `file` only names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Lab, Diagnostics> {
        validate::validate(file, text)
    }

    pub fn site(&self, name: &str) -> Option<&Site> {
        self.sites.iter().find(|s| s.name == name)
    }

    /// Leaves exactly these phones (`table1/secretaire1`) to softphones
    /// outside the lab, and announces `bind` to them when given.
    pub fn set_outside(&mut self, bind: Option<std::net::Ipv4Addr>, softphones: &[String]) -> Result<(), String> {
        if let Some(bind) = bind {
            self.host.bind = bind;
        }
        for name in softphones {
            let known = name.split_once('/').is_some_and(|(site, account)| {
                self.site(site).is_some_and(|s| s.phones.iter().any(|p| p.account == account))
            });
            if !known {
                return Err(format!(
                    "no phone {name:?} in lab {} (expected <site>/<account>, e.g. table1/secretaire1)",
                    self.name
                ));
            }
        }
        for site in &mut self.sites {
            for phone in &mut site.phones {
                phone.softphone = softphones.contains(&format!("{}/{}", site.name, phone.account));
            }
        }
        Ok(())
    }

    /// The address a site's ports are published on, that outside phones use.
    pub fn site_bind(&self, site: &Site) -> std::net::Ipv4Addr {
        site.bind.unwrap_or(self.host.bind)
    }

    /// Whether a site's RTP is published on the host: only for phones on
    /// other machines (a classroom's address); a softphone on the machine
    /// running the site sends its media straight to the IPBX's LAN address.
    /// Each published port costs the engine a proxy and time.
    pub fn publishes_media(&self, site: &Site) -> bool {
        !self.site_bind(site).is_loopback()
    }

    /// The RTP ports a site's Asterisk uses: the published ones, or where
    /// none are, a range wide enough for any load.
    pub fn ipbx_rtp(&self, site: &Site) -> PortRange {
        if self.publishes_media(site) {
            site.host_ports.rtp
        } else {
            ports::IPBX_RTP
        }
    }

    pub fn phone_count(&self) -> usize {
        self.sites.iter().map(|s| s.phones.len()).sum()
    }
}

impl Site {
    /// The public (operator) number of one of this site's extensions.
    pub fn public_number(&self, numbering: &Numbering, extension: &str) -> String {
        format!("{}{}{}", numbering.public_prefix, numbering.site_number(self.index), extension)
    }

    /// What another site dials to reach one of this site's extensions.
    pub fn intersite_number(&self, numbering: &Numbering, extension: &str) -> String {
        format!("{}{}{}", numbering.intersite_prefix, numbering.site_number(self.index), extension)
    }

    pub fn trunk_account(&self) -> &str {
        &self.name
    }

    /// The host port where this site's SIP is published, for phones outside
    /// the lab (a student's Linphone): 5061 for site 1, 5062 for site 2, …
    pub fn host_sip_port(&self) -> u16 {
        self.host_ports.sip
    }
}

/// A site's ports on the host. Where RTP is published, its Asterisk uses
/// the same RTP ports inside, since SDP carries the port a phone must send to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostPorts {
    pub sip: u16,
    pub rtp: PortRange,
}
