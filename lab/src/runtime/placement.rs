//! Which swarm node runs what: the operator's containers on one node, each
//! site (its IPBX, network holder and phones) whole on one node. Pure: it
//! reads the nodes as the swarm describes them and touches nothing.
//!
//! A node says what it is for with a label the teacher sets on the manager:
//! `docker node update --label-add sae-lab.site=table3 pc3`
//! (`sae-lab.site=operator` for the operator's). Sites no node claims go, whole,
//! to the unlabelled nodes (and the operator's), the one with the most memory
//! left first.

use std::collections::BTreeMap;

use super::topology::{Kind, LABEL_SITE};
use crate::gen::OPERATOR;
use crate::model::Lab;

/// The label giving the Docker engine address of a node other than this
/// machine's (`ssh://user@pc3`, `tcp://10.0.0.13:2375`): the lab creates
/// that node's containers through it.
pub const LABEL_ENGINE: &str = "sae-lab.engine";

/// Memory a site takes (an Asterisk and its phones; `bench scale`: about
/// 65 MiB), and the operator with its phones and the mail server, with room.
pub const SITE_MIB: u64 = 80;
pub const OPERATOR_MIB: u64 = 160;

pub use crate::runtime::docker::Node;

impl Node {
    /// Whether the lab can create containers on it: its own engine, or one
    /// a label gives the address of.
    pub fn reachable(&self) -> bool {
        self.is_self || self.labels.contains_key(LABEL_ENGINE)
    }

    fn claims(&self) -> Option<&str> {
        self.labels.get(LABEL_SITE).map(String::as_str)
    }
}

/// The node (by hostname) of the operator's containers and of each site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub operator: String,
    pub sites: BTreeMap<String, String>,
    /// The address of each site run by another node than this machine's.
    pub addresses: BTreeMap<String, std::net::Ipv4Addr>,
}

impl Placement {
    /// Every container of a lab on this machine's node.
    pub fn all_on(node: &str, lab: &Lab) -> Placement {
        let sites = lab.sites.iter().map(|s| (s.name.clone(), node.to_string())).collect();
        Placement { operator: node.to_string(), sites, addresses: BTreeMap::new() }
    }

    pub fn node_of(&self, kind: &Kind) -> &str {
        match kind {
            Kind::Operator | Kind::OperatorPhones | Kind::Mail => &self.operator,
            Kind::Ipbx { site } | Kind::SiteNet { site } | Kind::Phones { site } => {
                self.sites.get(site).map_or(self.operator.as_str(), String::as_str)
            }
        }
    }

    /// What each node runs, as `lab up` and `lab status` tell it.
    pub fn by_node(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        out.entry(self.operator.as_str()).or_default().push(OPERATOR);
        for (site, node) in &self.sites {
            out.entry(node.as_str()).or_default().push(site);
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlacementError {
    #[error("the swarm has no node this machine can create containers on (is this engine a swarm manager?)")]
    NoNode,
    #[error(
        "node {node} is labelled {LABEL_SITE}={site}, and lab {lab} has no site {site} (its sites: {sites}).\n\
         Fix the label: `docker node update --label-add {LABEL_SITE}=<site> {node}`, or remove it with `--label-rm {LABEL_SITE}`"
    )]
    UnknownSite { node: String, site: String, lab: String, sites: String },
    #[error("{site} is claimed by nodes {nodes}: label one node per site (`docker node update --label-rm {LABEL_SITE} <node>`)")]
    Claimed { site: String, nodes: String },
    #[error(
        "node {node} is to run {site} but the lab cannot reach its Docker engine.\n\
         Give its address: `docker node update --label-add {LABEL_ENGINE}=ssh://<user>@<address> {node}`"
    )]
    Unreachable { node: String, site: String },
    #[error("node {node} is to run {site} but is not ready and active in the swarm (`docker node ls`)")]
    Unusable { node: String, site: String },
    #[error("node {node} has {memory_mib} MiB of memory; {what} need about {needed_mib} MiB")]
    Memory { node: String, memory_mib: u64, what: String, needed_mib: u64 },
}

/// Places the operator and every site of `lab` on `nodes`.
pub fn place(lab: &Lab, nodes: &[Node]) -> Result<Placement, PlacementError> {
    let site_names: Vec<&str> = lab.sites.iter().map(|s| s.name.as_str()).collect();
    let claimed_by = |site: &str| -> Vec<&Node> { nodes.iter().filter(|n| n.claims() == Some(site)).collect() };
    for node in nodes {
        if let Some(site) = node.claims().filter(|s| *s != OPERATOR && !site_names.contains(s)) {
            return Err(PlacementError::UnknownSite {
                node: node.hostname.clone(),
                site: site.to_string(),
                lab: lab.name.clone(),
                sites: site_names.join(", "),
            });
        }
    }
    let usable = |node: &Node, site: &str| -> Result<(), PlacementError> {
        let (node, site) = (node.hostname.clone(), site.to_string());
        if !nodes.iter().any(|n| n.hostname == node && n.usable) {
            return Err(PlacementError::Unusable { node, site });
        }
        if !nodes.iter().any(|n| n.hostname == node && n.reachable()) {
            return Err(PlacementError::Unreachable { node, site });
        }
        Ok(())
    };
    let one = |site: &str| -> Result<Option<&Node>, PlacementError> {
        match claimed_by(site).as_slice() {
            [] => Ok(None),
            [node] => usable(node, site).map(|()| Some(*node)),
            many => Err(PlacementError::Claimed {
                site: site.to_string(),
                nodes: many.iter().map(|n| n.hostname.as_str()).collect::<Vec<_>>().join(", "),
            }),
        }
    };

    let operator = match one(OPERATOR)? {
        Some(node) => node,
        None => nodes.iter().find(|n| n.is_self && n.usable).ok_or(PlacementError::NoNode)?,
    };
    let mut left: BTreeMap<&str, u64> = nodes.iter().map(|n| (n.hostname.as_str(), n.memory_mib)).collect();
    let mut taken: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    fn take<'a>(
        left: &mut BTreeMap<&'a str, u64>,
        taken: &mut BTreeMap<&'a str, Vec<&'a str>>,
        node: &'a str,
        what: &'a str,
    ) {
        let mib = if what == OPERATOR { OPERATOR_MIB } else { SITE_MIB };
        left.entry(node).and_modify(|m| *m = m.saturating_sub(mib));
        taken.entry(node).or_default().push(what);
    }
    take(&mut left, &mut taken, &operator.hostname, OPERATOR);

    let mut sites = BTreeMap::new();
    let mut unclaimed = Vec::new();
    for site in &site_names {
        match one(site)? {
            Some(node) => {
                take(&mut left, &mut taken, &node.hostname, site);
                sites.insert(site.to_string(), node.hostname.clone());
            }
            None => unclaimed.push(*site),
        }
    }
    // Unlabelled nodes share the rest, and the operator's node.
    let spare: Vec<&Node> = nodes
        .iter()
        .filter(|n| n.usable && n.reachable() && (n.claims().is_none() || n.hostname == operator.hostname))
        .collect();
    for site in unclaimed {
        let node = spare
            .iter()
            .max_by_key(|n| (left[n.hostname.as_str()], n.is_self, std::cmp::Reverse(n.hostname.as_str())))
            .ok_or(PlacementError::NoNode)?;
        take(&mut left, &mut taken, &node.hostname, site);
        sites.insert(site.to_string(), node.hostname.clone());
    }
    for (node, what) in &taken {
        let memory_mib = nodes.iter().find(|n| n.hostname == *node).map_or(0, |n| n.memory_mib);
        let needed_mib: u64 = what.iter().map(|w| if *w == OPERATOR { OPERATOR_MIB } else { SITE_MIB }).sum();
        if memory_mib > 0 && needed_mib > memory_mib {
            return Err(PlacementError::Memory {
                node: node.to_string(),
                memory_mib,
                what: what.join(", "),
                needed_mib,
            });
        }
    }
    let addresses = sites
        .iter()
        .filter_map(|(site, host)| {
            let node = nodes.iter().find(|n| n.hostname == *host && !n.is_self)?;
            Some((site.clone(), node.address?))
        })
        .collect();
    Ok(Placement { operator: operator.hostname.clone(), sites, addresses })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(hostname: &str, labels: &[(&str, &str)], memory_mib: u64, is_self: bool) -> Node {
        Node {
            hostname: hostname.into(),
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            memory_mib,
            usable: true,
            is_self,
            address: None,
        }
    }

    fn engine(address: &str) -> (&'static str, &str) {
        (LABEL_ENGINE, address)
    }

    #[test]
    fn one_node_runs_everything() {
        let lab = Lab::sae();
        let p = place(&lab, &[node("teacher", &[], 24_000, true)]).unwrap();
        assert_eq!(p, Placement::all_on("teacher", &lab));
        assert_eq!(p.by_node()["teacher"], ["operator", "table1", "table2", "table3", "table4"]);
    }

    #[test]
    fn a_labelled_node_runs_its_site_and_nothing_else() {
        let lab = Lab::sae();
        let nodes = [
            node("teacher", &[], 16_000, true),
            node("pc3", &[(LABEL_SITE, "table3"), engine("ssh://etu@pc3")], 8_000, false),
            node("pc9", &[], 64_000, false), // no engine address: not used unless named
        ];
        let p = place(&lab, &nodes).unwrap();
        assert_eq!(p.sites["table3"], "pc3");
        assert_eq!(p.operator, "teacher");
        for site in ["table1", "table2", "table4"] {
            assert_eq!(p.sites[site], "teacher", "{site}");
        }
        assert_eq!(p.node_of(&Kind::Phones { site: "table3".into() }), "pc3");
        assert_eq!(p.node_of(&Kind::Mail), "teacher");
    }

    #[test]
    fn unclaimed_sites_go_whole_to_the_node_with_most_memory_left() {
        let lab = Lab::sae();
        let nodes = [
            node("teacher", &[(LABEL_SITE, "operator")], 400, true),
            node("a", &[engine("tcp://a:2375")], 250, false),
            node("b", &[engine("tcp://b:2375")], 200, false),
        ];
        let p = place(&lab, &nodes).unwrap();
        // Left: teacher 400-160=240, a 250, b 200; then a 170, teacher 160, b 120.
        assert_eq!(p.sites["table1"], "a");
        assert_eq!(p.sites["table2"], "teacher");
        assert_eq!(p.sites["table3"], "b");
        assert_eq!(p.sites["table4"], "a");
        assert_eq!(p.operator, "teacher");
    }

    #[test]
    fn mistakes_in_the_labels_are_named_with_their_fix() {
        let lab = Lab::sae();
        let me = node("teacher", &[], 16_000, true);
        let typo = node("pc3", &[(LABEL_SITE, "tabel3"), engine("ssh://pc3")], 8_000, false);
        let err = place(&lab, &[me.clone(), typo]).unwrap_err();
        assert!(err.to_string().contains("pc3 is labelled sae-lab.site=tabel3"), "{err}");
        assert!(err.to_string().contains("table1, table2, table3, table4"), "{err}");

        let a = node("a", &[(LABEL_SITE, "table2"), engine("ssh://a")], 8_000, false);
        let b = node("b", &[(LABEL_SITE, "table2"), engine("ssh://b")], 8_000, false);
        let err = place(&lab, &[me.clone(), a, b]).unwrap_err();
        assert_eq!(err, PlacementError::Claimed { site: "table2".into(), nodes: "a, b".into() });

        let far = node("pc4", &[(LABEL_SITE, "table4")], 8_000, false);
        let err = place(&lab, &[me.clone(), far]).unwrap_err();
        assert_eq!(err, PlacementError::Unreachable { node: "pc4".into(), site: "table4".into() });
        assert!(err.to_string().contains("--label-add sae-lab.engine=ssh://"), "{err}");

        let mut down = node("pc1", &[(LABEL_SITE, "table1"), engine("ssh://pc1")], 8_000, false);
        down.usable = false;
        let err = place(&lab, &[me.clone(), down]).unwrap_err();
        assert_eq!(err, PlacementError::Unusable { node: "pc1".into(), site: "table1".into() });

        let small = node("teacher", &[], 300, true);
        let err = place(&lab, &[small]).unwrap_err();
        assert!(matches!(err, PlacementError::Memory { needed_mib: 480, .. }), "{err}");

        let mut worker = me;
        worker.usable = false;
        assert_eq!(place(&lab, &[worker]).unwrap_err(), PlacementError::NoNode);
    }
}
