//! The swarm a lab may run on: its nodes, their engines, and which engine
//! holds which container. Every copy of an [`Engine`] shares one table of
//! routes, so a container made through one node's engine is found there
//! again by every later call, wherever it comes from.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use bollard::models::{LocalNodeState, NodeSpecAvailabilityEnum, NodeState, SwarmInitRequest};
use bollard::query_parameters::{ImportImageOptions, LeaveSwarmOptions, ListNodesOptions};
use bollard::Docker;
use futures_util::TryStreamExt;
use tracing::{debug, info};

use super::{call, Engine, EngineError, Result};
use crate::logs::Took;

/// Engines of the other nodes, by hostname, and the engine of each
/// container or volume on them. What is not listed is on this machine's.
#[derive(Default)]
pub(super) struct Routes {
    nodes: RwLock<BTreeMap<String, Docker>>,
    things: RwLock<HashMap<String, Docker>>,
}

pub(super) type SharedRoutes = Arc<Routes>;

/// This machine's engine in a swarm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub node_id: String,
    /// Whether it manages the swarm: only a manager lists nodes and makes
    /// swarm-wide networks.
    pub manager: bool,
}

/// A swarm node as the manager describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub hostname: String,
    pub labels: BTreeMap<String, String>,
    pub memory_mib: u64,
    /// Ready and active: the swarm would schedule on it.
    pub usable: bool,
    /// The node of the engine the lab is run from.
    pub is_self: bool,
    /// Its address in the swarm, where the sites it runs are published.
    pub address: Option<std::net::Ipv4Addr>,
}

/// What shipping images to a node did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shipped {
    pub images: Vec<String>,
    pub bytes: u64,
    pub took: Duration,
}

impl Engine {
    /// The Docker client for a container or volume: the engine of the node
    /// it was found or made on.
    pub(super) fn docker_for(&self, name: &str) -> Docker {
        let things = self.routes.things.read().expect("routes lock");
        things.get(name).cloned().unwrap_or_else(|| self.home.clone())
    }

    /// The engine `name` lives on, as an [`Engine`].
    pub(super) fn on_engine_of(&self, name: &str) -> Engine {
        Engine { docker: self.docker_for(name), ..self.clone() }
    }

    /// Remembers that `name` lives on this engine's node.
    pub(super) fn route_here(&self, name: &str) {
        let mut things = self.routes.things.write().expect("routes lock");
        match &self.node {
            None => things.remove(name),
            Some(_) => things.insert(name.to_string(), self.docker.clone()),
        };
    }

    /// This machine's engine and every other node's known so far.
    pub(super) fn all_engines(&self) -> Vec<Engine> {
        let nodes = self.routes.nodes.read().expect("routes lock");
        let home = Engine { docker: self.home.clone(), node: None, ..self.clone() };
        let others = nodes.iter().map(|(hostname, docker)| Engine {
            docker: docker.clone(),
            node: Some(hostname.as_str().into()),
            ..self.clone()
        });
        std::iter::once(home).chain(others).collect()
    }

    /// The engine of swarm node `hostname`: this machine's unless
    /// [`Self::add_node`] gave it another.
    pub fn on_node(&self, hostname: &str) -> Engine {
        let nodes = self.routes.nodes.read().expect("routes lock");
        match nodes.get(hostname) {
            Some(docker) => Engine { docker: docker.clone(), node: Some(hostname.into()), ..self.clone() },
            None => Engine { docker: self.home.clone(), node: None, ..self.clone() },
        }
    }

    /// Connects to another node's engine at `address` (`ssh://`, `tcp://`).
    pub async fn add_node(&self, hostname: &str, address: &str) -> Result<()> {
        let unreachable = |e: bollard::errors::Error| EngineError::NodeUnreachable {
            node: hostname.to_string(),
            address: address.to_string(),
            message: e.to_string(),
        };
        let docker = Docker::connect_with_host(address).map_err(unreachable)?;
        let docker = docker.negotiate_version().await.map_err(unreachable)?;
        docker.ping().await.map_err(unreachable)?;
        debug!("connected to the engine of node {hostname} at {address}");
        self.routes.nodes.write().expect("routes lock").insert(hostname.to_string(), docker);
        Ok(())
    }

    /// This engine's place in a swarm, if it is in one.
    pub async fn swarm(&self) -> Result<Option<Membership>> {
        let info = self.home.info().await.map_err(call("report its swarm state"))?;
        let Some(swarm) = info.swarm else { return Ok(None) };
        if swarm.local_node_state != Some(LocalNodeState::ACTIVE) {
            return Ok(None);
        }
        Ok(Some(Membership {
            node_id: swarm.node_id.unwrap_or_default(),
            manager: swarm.control_available.unwrap_or(false),
        }))
    }

    /// The swarm's nodes, as placement reads them (a manager's view).
    pub async fn swarm_nodes(&self, me: &Membership) -> Result<Vec<Node>> {
        let list = self.home.list_nodes(None::<ListNodesOptions>).await.map_err(call("list the swarm's nodes"))?;
        Ok(list
            .into_iter()
            .map(|n| {
                let spec = n.spec.unwrap_or_default();
                let description = n.description.unwrap_or_default();
                let status = n.status.unwrap_or_default();
                let memory = description.resources.and_then(|r| r.memory_bytes).unwrap_or(0).max(0) as u64;
                Node {
                    hostname: description.hostname.unwrap_or_default(),
                    labels: spec.labels.unwrap_or_default().into_iter().collect(),
                    memory_mib: memory / (1024 * 1024),
                    usable: status.state == Some(NodeState::READY)
                        && spec.availability == Some(NodeSpecAvailabilityEnum::ACTIVE),
                    is_self: n.id.as_deref() == Some(me.node_id.as_str()),
                    address: status.addr.as_deref().and_then(|a| a.parse().ok()),
                }
            })
            .collect())
    }

    /// Makes this engine a single-node swarm manager (`docker swarm init`).
    pub async fn init_swarm(&self, advertise: &str) -> Result<()> {
        let request = SwarmInitRequest {
            listen_addr: Some("0.0.0.0:2377".into()),
            advertise_addr: Some(advertise.into()),
            ..Default::default()
        };
        self.home.init_swarm(request).await.map_err(call("make a swarm"))?;
        info!("made this engine a swarm manager ({advertise})");
        Ok(())
    }

    /// Leaves the swarm (`docker swarm leave --force`).
    pub async fn leave_swarm(&self) -> Result<()> {
        self.home.leave_swarm(Some(LeaveSwarmOptions { force: true })).await.map_err(call("leave the swarm"))?;
        info!("left the swarm");
        Ok(())
    }

    /// Copies every image of `references` the node lacks from this machine's
    /// engine (`docker save | docker load`): no registry involved.
    pub async fn ship_images(&self, references: &[&str]) -> Result<Shipped> {
        let started = Instant::now();
        let mut shipped = Shipped::default();
        if self.node.is_none() {
            return Ok(shipped);
        }
        for reference in references {
            if self.image_exists(reference).await? {
                continue;
            }
            let counted = Arc::new(std::sync::atomic::AtomicU64::new(0));
            let count = counted.clone();
            let tarball = self.home.export_image(reference).inspect_ok(move |chunk| {
                count.fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed);
            });
            self.docker
                .import_image_stream(ImportImageOptions { quiet: true, ..Default::default() }, tarball, None)
                .try_for_each(|_| async { Ok(()) })
                .await
                .map_err(call(format!("load image {reference}")))?;
            shipped.images.push(reference.to_string());
            shipped.bytes += counted.load(std::sync::atomic::Ordering::Relaxed);
        }
        shipped.took = started.elapsed();
        if !shipped.images.is_empty() {
            info!(bytes = shipped.bytes, took = %Took(started), "shipped {:?}", shipped.images);
        }
        Ok(shipped)
    }
}
