//! `bench scale`: the SAE's tables at several lab sizes, each brought up from
//! nothing (images present) to every account registered, weighed, and taken
//! down again.

use std::time::Instant;

use super::docker::Engine;
use super::host;
use super::images::RootSource;
use super::progress::{Progress, Silent};
use super::{topology, LabError, LabRuntime};
use crate::diagnostic::Diagnostics;
use crate::model::Lab;
use crate::state::StateDir;

/// Name, subnet and host ports of the bench's labs: their own, so that a
/// bench never meets the default lab or a test's. SIP on 17001 onwards; RTP
/// from 2100 (site N: 2000 + 100 × N), below Linux's ephemeral ports.
const NAME_PREFIX: &str = "scale";
const SUBNET: &str = "10.100.0.0/16";
const SIP_PORT: u16 = 17000;
const RTP_PORT: u16 = 2000;

/// A lab of `sites` SAE tables (eight cabinets of a patron, an assistant and
/// a secretary each), named `scale<sites>`.
pub fn lab(sites: u8) -> Result<Lab, Diagnostics> {
    let list: String = (1..=sites).map(|i| format!("[[sites]]\nindex = {i}\n\n")).collect();
    let text = format!(
        "name = \"{NAME_PREFIX}{sites}\"\n\n[network]\nsubnet = \"{SUBNET}\"\n\n\
         [host]\nsip_port = {SIP_PORT}\nrtp_port = {RTP_PORT}\n\n[defaults]\ncabinets = 8\n\n{list}"
    );
    Lab::parse(&format!("{NAME_PREFIX}{sites}.toml (bench scale)"), &text)
}

/// One lab size, as measured.
#[derive(Debug, Clone)]
pub struct ScaleFigures {
    /// This machine's engine alone, or the swarm.
    pub engine: crate::model::Deploy,
    pub sites: usize,
    pub phones: usize,
    pub containers: usize,
    /// `up` from no container to every trunk, phone and test phone registered.
    pub up_seconds: f64,
    /// `down`: every container and network removed (volumes are removed after, untimed).
    pub down_seconds: f64,
    /// The lab's containers, without page cache.
    pub containers_mib: f64,
    /// Docker's port proxies of the lab's published ports.
    pub port_proxies: usize,
    pub port_proxies_mib: f64,
}

impl ScaleFigures {
    pub fn memory_mib(&self) -> f64 {
        self.containers_mib + self.port_proxies_mib
    }
}

/// Brings `lab` up from nothing and down again, and says what it took. The
/// lab's volumes, configs and secrets are removed before and after: it is
/// the bench's own. Images must be there (`images::ensure`) so that the build
/// is not counted.
pub async fn measure(lab: &Lab, state: StateDir, progress: &dyn Progress) -> Result<ScaleFigures, LabError> {
    let runtime = LabRuntime::connect(lab, state).await?;
    runtime.down(true, &Silent).await?;

    progress.step(&format!("{}: {} sites up from nothing, then weighed", lab.name, lab.sites.len()));
    let started = Instant::now();
    let up = runtime.up(RootSource::Auto, &Silent).await;
    let up_seconds = started.elapsed().as_secs_f64();
    let up = match up {
        Ok(up) => up,
        Err(e) => {
            // Nothing of a failed size stays behind.
            let _ = runtime.down(true, &Silent).await;
            return Err(e);
        }
    };
    let ports: Vec<u16> =
        lab.sites.iter().flat_map(|s| topology::published_ports(lab, &s.name)).map(|p| p.host_port).collect();
    let (proxies, proxies_kib) = host::port_proxies_of(&ports).unwrap_or((0, 0));
    let containers_mib = match weigh(runtime.engine(), &up.created).await {
        Ok(mib) => mib,
        Err(e) => {
            let _ = runtime.down(true, &Silent).await;
            return Err(e);
        }
    };

    progress.step(&format!("{}: down", lab.name));
    let started = Instant::now();
    runtime.down(false, &Silent).await?;
    let down_seconds = started.elapsed().as_secs_f64();
    runtime.down(true, &Silent).await?;

    Ok(ScaleFigures {
        engine: lab.deploy,
        sites: lab.sites.len(),
        phones: lab.phone_count(),
        containers: up.created.len(),
        up_seconds,
        down_seconds,
        containers_mib,
        port_proxies: proxies,
        port_proxies_mib: proxies_kib as f64 / 1024.0,
    })
}

/// Memory of `containers` in MiB, without page cache.
async fn weigh(engine: &Engine, containers: &[String]) -> Result<f64, LabError> {
    let mut bytes = 0;
    for name in containers {
        bytes += engine.memory(name).await?;
    }
    Ok(bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    #[test]
    fn bench_labs_of_every_size_are_valid_and_their_own() {
        for sites in [4, 8, 16, 32] {
            let lab = super::lab(sites).expect("valid");
            assert_eq!(lab.name, format!("scale{sites}"));
            assert_eq!(lab.phone_count(), 24 * usize::from(sites));
            let last = lab.sites.last().expect("a site").host_ports;
            assert!(last.rtp.last < 32768, "RTP {} reaches Linux's ephemeral ports", last.rtp);
        }
        assert!(super::lab(100).is_err(), "two-digit site numbers at most");
    }
}
