//! Phones outside the lab (a student's Linphone): the host address they
//! reach the lab at, and the lab's phones left to them.

use std::net::Ipv4Addr;

use super::{LabError, LabRuntime};
use crate::model::Lab;
use crate::runtime::images::RootSource;
use crate::runtime::progress::Progress;
use crate::runtime::topology::LABEL_LAB;
use crate::state::StateDir;

/// What a softphone outside the lab types in to take a phone's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoftphoneAccount {
    pub username: String,
    pub password: String,
    /// The site's SIP as published on the host.
    pub host: Ipv4Addr,
    pub port: u16,
    pub extension: String,
    pub public_number: String,
}

/// What handing a phone over (or back) did.
#[derive(Debug, Clone)]
pub struct HandOver {
    /// The lab was running, and its phones follow the change already.
    pub running: bool,
    /// The account to type into the softphone; `None` when given back.
    pub account: Option<SoftphoneAccount>,
}

/// Remembers `bind`, once checked to be an address of this machine, as the
/// one outside phones reach the lab at: every later command on the lab
/// publishes its ports there.
pub fn remember_bind(state: &StateDir, bind: Ipv4Addr) -> Result<(), LabError> {
    // Checked before it is remembered: a wrong address would stick.
    if std::net::UdpSocket::bind((bind, 0)).is_err() {
        return Err(LabError::BindAddress { address: bind.to_string() });
    }
    let mut outside = read(state)?;
    outside.bind = Some(bind);
    save(state, &outside)
}

/// Remembers that the lab runs on the swarm: every later command on it
/// (`status`, `scenario run`, `down`) finds its containers on the nodes.
pub fn remember_swarm(state: &StateDir) -> Result<(), LabError> {
    let mut outside = read(state)?;
    outside.swarm = true;
    save(state, &outside)
}

/// Leaves `phone` (`site/account`) to a softphone outside the lab, or gives
/// it back to the lab's simulated phone. The choice is remembered in the
/// lab's state; on a running lab only that site's phones container changes,
/// and the IPBX forgets the registrations the simulated phone left behind.
pub async fn hand_over(
    lab: &Lab,
    state: &StateDir,
    phone: &str,
    give_back: bool,
    progress: &dyn Progress,
) -> Result<HandOver, LabError> {
    // The name is checked whichever way it goes.
    lab.clone().set_outside(None, &[phone.to_string()]).map_err(LabError::NoSuchPhone)?;
    let mut outside = read(state)?;
    outside.softphones.retain(|p| p != phone);
    if !give_back {
        outside.softphones.push(phone.to_string());
    }
    let mut changed = lab.clone();
    changed.set_outside(None, &outside.softphones).map_err(LabError::NoSuchPhone)?;
    save(state, &outside)?;
    let (site, account) = phone.split_once('/').ok_or_else(|| LabError::NoSuchPhone(phone.to_string()))?;
    let site = changed.site(site).ok_or_else(|| LabError::NoSuchSite(site.to_string()))?;
    let runtime = LabRuntime::connect(&changed, state.clone()).await?;
    let running = !runtime.engine.containers(LABEL_LAB, &lab.name).await?.is_empty();
    if running {
        // Only this site's phones container changes.
        runtime.up(RootSource::default(), progress).await?;
        if !give_back {
            // The removed container never unregistered: its contact would still
            // look registered, and take the calls, until it expired.
            runtime.forget_registrations(&site.name, account).await?;
        }
    }
    if give_back {
        return Ok(HandOver { running, account: None });
    }
    let secrets = runtime.secrets()?;
    let p = site.phones.iter().find(|p| p.account == account).ok_or_else(|| LabError::NoSuchPhone(phone.into()))?;
    let account = SoftphoneAccount {
        username: p.account.clone(),
        password: secrets.phone_password(site, p).to_string(),
        host: runtime.lab().site(&site.name).map_or(changed.host.bind, |s| runtime.lab().site_bind(s)),
        port: site.host_sip_port(),
        extension: p.extension.clone(),
        public_number: site.public_number(&changed.numbering, &p.number),
    };
    Ok(HandOver { running, account: Some(account) })
}

fn read(state: &StateDir) -> Result<crate::state::Outside, LabError> {
    state.outside().map_err(|source| outside_error(state, source))
}

fn save(state: &StateDir, outside: &crate::state::Outside) -> Result<(), LabError> {
    state.save_outside(outside).map_err(|source| outside_error(state, source))
}

fn outside_error(state: &StateDir, source: std::io::Error) -> LabError {
    LabError::Outside { path: state.outside_path().display().to_string(), source }
}
