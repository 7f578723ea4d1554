//! A lab on a Docker Swarm: the lab's own containers, each created through
//! the engine of the node placement gives it, with the fixed addresses the
//! generated configs name. The backbone is an attachable overlay that spans
//! the nodes; a site's LAN stays a bridge on its own node, as on one machine,
//! so that its published ports reach the IPBX on the LAN and the machine
//! reaches its phones' network. Not swarm services: a service cannot have a fixed address, and
//! without IPVS (absent from some kernels) its virtual address does not even
//! answer; the trunks are told apart by their fixed addresses.

use std::borrow::Cow;

use super::docker::NetworkDriver;
use super::placement::Placement;
use super::topology::{Plan, LABEL_SITE};
use crate::model::Lab;

/// The node a container was made on, for `lab status` and for `up` to
/// remake a container whose site moved to another node.
pub const LABEL_NODE: &str = "sae-lab.node";

/// The plan as it runs on the swarm: the backbone an overlay, each site's
/// LAN and containers on the site's node.
pub fn onto(plan: &mut Plan, placement: &Placement) {
    for network in &mut plan.networks {
        match network.labels.get(LABEL_SITE) {
            Some(site) => network.node = placement.sites.get(site).cloned(),
            None => {
                network.driver = NetworkDriver::Overlay;
                network.ip_range = engine_range(&network.subnet);
            }
        }
    }
    for planned in &mut plan.containers {
        // A node's engine cannot see this machine's folders: they are copied in.
        let binds = std::mem::take(&mut planned.spec.binds);
        planned.spec.copied = binds
            .iter()
            .filter_map(|b| {
                let mut parts = b.split(':');
                Some((parts.next()?.to_string(), parts.next()?.to_string()))
            })
            .collect();
        let node = placement.node_of(&planned.kind).to_string();
        planned.spec.labels.insert(LABEL_NODE.into(), node.clone());
        planned.node = Some(node);
    }
}

/// The lab with each site that runs on another node published on that
/// node's address, which its outside phones are given.
pub fn placed<'a>(lab: &'a Lab, placement: &Placement) -> Cow<'a, Lab> {
    if placement.addresses.is_empty() {
        return Cow::Borrowed(lab);
    }
    let mut placed = lab.clone();
    for site in &mut placed.sites {
        site.bind = placement.addresses.get(&site.name).copied();
    }
    Cow::Owned(placed)
}

/// The top of the backbone /24 (`.224/27`), left to the engine: on an
/// overlay each node takes an address for its own endpoint, the first free
/// one unless told otherwise, which could be one the lab gives a container
/// (the operator's `.2`). The lab's fixed addresses stay below `.224`.
fn engine_range(subnet: &str) -> Option<String> {
    let base = subnet.strip_suffix(".0/24")?;
    Some(format!("{base}.224/27"))
}

/// The plan as text, one network and one container a line: what the swarm
/// is asked for, golden-tested.
pub fn describe(plan: &Plan) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for n in &plan.networks {
        let range = n.ip_range.as_deref().map(|r| format!(" engine's range {r}")).unwrap_or_default();
        let on = n.node.as_deref().map(|node| format!(" on node {node}")).unwrap_or_default();
        let _ = writeln!(out, "network {} {} {} gateway {}{range}{on}", n.name, n.driver.name(), n.subnet, n.gateway);
    }
    for p in &plan.containers {
        let s = &p.spec;
        let node = p.node.as_deref().unwrap_or("(this machine)");
        let on = match &s.network_of {
            Some(holder) => format!("on {holder}'s network"),
            None => s.networks.iter().map(|(n, ip)| format!("{n}={ip}")).collect::<Vec<_>>().join(" "),
        };
        let ports: Vec<String> = match s.udp_ports.as_slice() {
            [] => Vec::new(),
            [sip, rtp @ ..] => {
                let mut out = vec![format!("{}:{}->{}/udp", sip.host_ip, sip.host_port, sip.container_port)];
                if let (Some(first), Some(last)) = (rtp.first(), rtp.last()) {
                    out.push(format!("{}:{}-{}/udp", first.host_ip, first.host_port, last.host_port));
                }
                out
            }
        };
        let volumes: Vec<String> = s.volumes.iter().map(|(v, at)| format!("{v}:{at}")).collect();
        let copied: Vec<String> = s.copied.iter().map(|(dir, at)| format!("{dir} to {at}")).collect();
        let _ = write!(out, "node {node}: {} ({}) {on}", s.name, p.kind.label());
        if !ports.is_empty() {
            let _ = write!(out, " publishes {}", ports.join(" "));
        }
        if !volumes.is_empty() {
            let _ = write!(out, " keeps {}", volumes.join(" "));
        }
        if !copied.is_empty() {
            let _ = write!(out, " copies {}", copied.join(" "));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::*;
    use crate::gen;
    use crate::runtime::images::Images;
    use crate::runtime::placement::{place, Node, LABEL_ENGINE};
    use crate::runtime::topology::{self, LABEL_SITE};
    use crate::secrets::Secrets;

    fn plan_on(lab: &Lab, nodes: &[Node]) -> Plan {
        let images = Images { asterisk: "asterisk".into(), phone: "phone".into(), mail: "mail".into() };
        let placement = place(lab, nodes).unwrap();
        let lab = placed(lab, &placement);
        let tree = gen::generate(&lab, &Secrets::deterministic(&lab));
        let mut plan = topology::plan(&lab, &images, &tree, Path::new("/state/sae/config"));
        onto(&mut plan, &placement);
        plan
    }

    fn node(hostname: &str, labels: &[(&str, &str)], is_self: bool) -> Node {
        let labels: BTreeMap<String, String> = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let address = (!is_self).then(|| format!("10.0.0.{}", 10 + hostname.len()).parse().unwrap());
        Node { hostname: hostname.into(), labels, memory_mib: 8_000, usable: true, is_self, address }
    }

    #[test]
    fn no_fixed_address_is_in_the_range_left_to_the_engine() {
        let lab = Lab::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/classroom16.toml"))).unwrap();
        let plan = plan_on(&lab, &[node("teacher", &[], true)]);
        let backbone = &plan.networks[0];
        assert_eq!(backbone.ip_range.as_deref(), Some(backbone.subnet.replace(".0/24", ".224/27").as_str()));
        assert!(plan.networks[1..].iter().all(|n| n.driver == NetworkDriver::Bridge && n.node.is_some()));
        for (net, ip) in plan.containers.iter().flat_map(|p| p.spec.networks.iter()) {
            let last: u8 = ip.rsplit('.').next().unwrap().parse().unwrap();
            assert!((2..224).contains(&last), "{net} {ip}");
        }
    }

    #[test]
    fn the_sae_lab_on_a_one_node_swarm() {
        let lab = Lab::sae();
        insta::assert_snapshot!(describe(&plan_on(&lab, &[node("teacher", &[], true)])));
    }

    #[test]
    fn the_sae_lab_on_a_classroom_of_four_student_machines() {
        let lab = Lab::sae();
        let mut nodes = vec![node("teacher", &[(LABEL_SITE, "operator")], true)];
        for i in 1..=4 {
            let (host, site, engine) = (format!("pc{i}"), format!("table{i}"), format!("ssh://etu@pc{i}"));
            nodes.push(node(&host, &[(LABEL_SITE, &site), (LABEL_ENGINE, &engine)], false));
        }
        insta::assert_snapshot!(describe(&plan_on(&lab, &nodes)));
    }
}
