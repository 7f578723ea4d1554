//! The swarm a lab runs on, as `connect` finds it: this machine must manage
//! it; the sites are placed on its nodes and their engines reached.

use std::time::Duration;

use futures_util::future::try_join_all;

use super::LabError;
use crate::model::Lab;
use crate::runtime::docker::{Engine, Shipped};
use crate::runtime::images::Images;
use crate::runtime::placement::{self, Placement};
use crate::runtime::progress::Progress;

/// Where each part of the lab runs, as a manager sees it.
#[derive(Debug, Clone)]
pub(super) struct OnSwarm {
    pub placement: Placement,
    /// This machine's node.
    pub home: String,
}

/// This machine's part in a lab on a swarm.
#[derive(Debug, Clone)]
pub(super) enum Role {
    /// It manages the swarm: it brings the lab up and down, on every node.
    Manager(OnSwarm),
    /// A worker (a student's machine): it reaches the containers it runs
    /// itself (its site's CLI, logs, reload), and no other.
    Worker,
}

/// What one node runs, and the images `up` copied to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeReport {
    pub node: String,
    /// `operator` and site names.
    pub runs: Vec<String>,
    pub shipped: Shipped,
    pub is_self: bool,
}

pub(super) async fn join(engine: &Engine, lab: &Lab) -> Result<Role, LabError> {
    let me = engine.swarm().await?.ok_or(LabError::NoSwarm)?;
    if !me.manager {
        return Ok(Role::Worker);
    }
    let nodes = engine.swarm_nodes(&me).await?;
    let placement = placement::place(lab, &nodes)?;
    // The engines of the other nodes that run a part of the lab.
    let used = placement.by_node();
    for node in nodes.iter().filter(|n| !n.is_self && used.contains_key(n.hostname.as_str())) {
        if let Some(address) = node.labels.get(placement::LABEL_ENGINE) {
            engine.add_node(&node.hostname, address).await?;
        }
    }
    let home = nodes.iter().find(|n| n.is_self).map(|n| n.hostname.clone()).unwrap_or_default();
    Ok(Role::Manager(OnSwarm { placement, home }))
}

impl OnSwarm {
    /// Copies the lab's images to every node that lacks them, side by side.
    pub async fn ship(
        &self,
        engine: &Engine,
        images: &Images,
        progress: &dyn Progress,
    ) -> Result<Vec<NodeReport>, LabError> {
        let refs = [images.asterisk.as_str(), images.phone.as_str(), images.mail.as_str()];
        let by_node = self.placement.by_node();
        let reports = try_join_all(by_node.iter().map(|(node, runs)| async move {
            let shipped = engine.on_node(node).ship_images(&refs).await?;
            Ok::<_, LabError>(NodeReport {
                node: node.to_string(),
                runs: runs.iter().map(|r| r.to_string()).collect(),
                shipped,
                is_self: *node == self.home,
            })
        }))
        .await?;
        for r in &reports {
            progress.step(&r.to_string());
        }
        Ok(reports)
    }
}

impl std::fmt::Display for NodeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let runs = self.runs.join(", ");
        let me = if self.is_self { " (this machine)" } else { "" };
        match self.shipped.images.len() {
            _ if self.is_self => write!(f, "node {}{me} runs {runs}; its images are built here", self.node),
            0 => write!(f, "node {} runs {runs}; it has the lab's images already", self.node),
            n => write!(
                f,
                "node {} runs {runs}; shipped {n} image(s), {:.0} MiB in {}",
                self.node,
                self.shipped.bytes as f64 / (1024.0 * 1024.0),
                secs(self.shipped.took)
            ),
        }
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}
