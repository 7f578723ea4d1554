//! Checks and digests `up` makes before and while it starts containers.

use super::LabError;
use crate::runtime::topology::Planned;

/// Whether baresip's log shows `account` registered: `patron1@172.28.1.2: … 200 OK`.
pub(super) fn registered_in(log: &str, account: &str) -> bool {
    let prefix = format!("{account}@");
    log.lines().any(|l| l.starts_with(&prefix) && l.contains("} 200 OK"))
}

/// A short digest of every file under `dir` (names and contents), so that a
/// changed folder recreates the container that mounts it.
pub(super) fn folder_hash(dir: &std::path::Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        h.update(f.strip_prefix(dir).unwrap_or(&f).to_string_lossy().as_bytes());
        h.update(std::fs::read(&f)?);
    }
    Ok(h.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect())
}

/// Fails before anything starts when a port a new container publishes is
/// taken (Docker's own error names no program and comes mid-way); `ours`
/// are held by the lab's own containers, which `up` replaces first.
///
/// Only for containers of this machine (`home`: its swarm node, if any):
/// another node's ports are that node's to check.
pub(super) fn ports_free(planned: &[&Planned], ours: &[u16], home: Option<&str>) -> Result<(), LabError> {
    let here = |p: &&&Planned| p.node.is_none() || p.node.as_deref() == home;
    for p in planned.iter().filter(here) {
        for port in p.spec.udp_ports.iter().filter(|port| !ours.contains(&port.host_port)) {
            match std::net::UdpSocket::bind((port.host_ip, port.host_port)) {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AddrNotAvailable => {
                    return Err(LabError::BindAddress { address: port.host_ip.to_string() })
                }
                Err(_) => {
                    return Err(LabError::PortInUse {
                        address: port.host_ip.to_string(),
                        port: port.host_port,
                        container: p.spec.name.clone(),
                    })
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::net::{Ipv4Addr, UdpSocket};

    use super::*;
    use crate::model::ports;
    use crate::runtime::docker::{ContainerSpec, PublishedPort};
    use crate::runtime::topology::Kind;

    fn planned(port: u16) -> Planned {
        let spec = ContainerSpec {
            name: "sae-table1-net".into(),
            image: String::new(),
            hostname: String::new(),
            labels: HashMap::new(),
            binds: Vec::new(),
            networks: Vec::new(),
            volumes: Vec::new(),
            udp_ports: vec![PublishedPort {
                host_ip: Ipv4Addr::LOCALHOST,
                host_port: port,
                container_port: ports::SIP,
            }],
            entrypoint: None,
            network_of: None,
            copied: Vec::new(),
        };
        Planned { kind: Kind::SiteNet { site: "table1".into() }, spec, node: None }
    }

    #[test]
    fn a_taken_port_is_named_before_anything_starts() {
        let taken = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let err = ports_free(&[&planned(port)], &[], None).unwrap_err();
        assert!(
            matches!(&err, LabError::PortInUse { port: p, container, .. } if *p == port && container == "sae-table1-net")
        );
        // On a swarm, another node's container publishes there, not here.
        let mut elsewhere = planned(port);
        elsewhere.node = Some("pc1".into());
        elsewhere.spec.udp_ports[0].host_ip = Ipv4Addr::new(192, 0, 2, 11);
        assert!(ports_free(&[&elsewhere], &[], Some("teacher")).is_ok(), "pc1's address is pc1's to check");
        let mut here = planned(port);
        here.node = Some("teacher".into());
        assert!(ports_free(&[&here], &[], Some("teacher")).is_err(), "this machine's node is checked");
        drop(taken);
        assert!(ports_free(&[&planned(port)], &[], None).is_ok(), "free once released");
    }

    #[test]
    fn registrations_are_read_from_baresip_logs() {
        let log =
            "ua: patron1 starting\npatron1@172.28.1.2: (prio 0) {0/UDP/v4} 200 OK (Asterisk table1) [1 binding]\n\
                   assistant1@172.28.1.2: (prio 0) {0/UDP/v4} 401 Unauthorized\n";
        assert!(registered_in(log, "patron1"));
        assert!(!registered_in(log, "assistant1"), "a refusal is no registration");
        assert!(!registered_in(log, "patron"), "whole account names only");
    }
}
