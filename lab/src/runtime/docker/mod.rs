//! The only module that speaks to the Docker engine. Every call maps to a named
//! error that says what the lab was doing, since bollard's own are terse. What
//! it creates, starts and removes is logged (`-v`) with how long it took;
//! lookups and commands run in containers at debug level (`-vv`).

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use bollard::errors::Error as BollardError;
use bollard::models::{
    ContainerCreateBody, ContainerSummaryStateEnum, EndpointIpamConfig, EndpointSettings, HostConfig, Ipam, IpamConfig,
    Mount, MountType, MountVolumeOptions, NetworkConnectRequest, NetworkCreateRequest, NetworkingConfig, PortBinding,
    RestartPolicy, RestartPolicyNameEnum, VolumeCreateRequest,
};
use bollard::query_parameters::{
    BuildImageOptions, CreateContainerOptions, CreateImageOptions, InspectContainerOptions, InspectNetworkOptions,
    KillContainerOptions, ListContainersOptions, ListNetworksOptions, ListVolumesOptions, RemoveContainerOptions,
    RemoveVolumeOptions, RestartContainerOptions, StatsOptions, TagImageOptions, UploadToContainerOptions,
};
use bollard::Docker;
use futures_util::{Stream, StreamExt, TryStreamExt};
use tracing::{debug, info};

use crate::logs::Took;

mod nodes;
mod waves;
pub use nodes::{Membership, Node, Shipped};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot reach the Docker engine ({0}). Is Docker installed and running? Start it (e.g. `sudo systemctl start docker`) and try again")]
    Unreachable(String),
    #[error("cannot reach the Docker engine of swarm node {node} at {address} ({message}).\n\
             Check the node's `sae-lab.engine` label (`docker node inspect {node}`) and that this machine can log in there")]
    NodeUnreachable { node: String, address: String, message: String },
    #[error("network {network} is still in use 30 s after the lab's containers left it ({message}); see `docker network inspect {network}`")]
    NetworkInUse { network: String, message: String },
    #[error("Docker refused to {action}: {source}")]
    Call { action: String, source: BollardError },
    #[error(
        "cannot create network {network}: {subnet} overlaps a network that already exists ({message}).\n\
         Set another `[network] subnet` in the lab file, or remove the other network (`docker network ls`)"
    )]
    SubnetTaken { network: String, subnet: String, message: String },
    #[error("cannot {action}: {message}")]
    Copy { action: String, message: String },
    #[error("building image {tag} failed: {message}")]
    Build { tag: String, message: String },
    #[error(
        "cannot start {container}: a port it publishes on the host is in use ({message}).\n\
         Stop the program (or the other lab) using it, or choose other ports with `[host] sip_port` / `rtp_port` in a lab file"
    )]
    PortTaken { container: String, message: String },
    #[error(
        "the Docker engine has {available_mib} MiB of memory; the lab needs about {needed_mib} MiB.\n\
         Give Docker more memory (Docker Desktop: Settings > Resources) or close other containers"
    )]
    Memory { available_mib: u64, needed_mib: u64 },
}

type Result<T, E = EngineError> = std::result::Result<T, E>;

fn call(action: impl Into<String>) -> impl FnOnce(BollardError) -> EngineError {
    let action = action.into();
    move |source| EngineError::Call { action, source }
}

/// A command as errors name it: its program only, since its arguments may
/// carry a password (SIPp's `-ap`) and errors end up in reports.
fn program<'a>(cmd: &[&'a str]) -> &'a str {
    cmd.first().copied().unwrap_or_default()
}

fn is_status(e: &BollardError, code: u16) -> bool {
    matches!(e, BollardError::DockerResponseServerError { status_code, .. } if *status_code == code)
}

/// What a container should be, as the lab plans it.
#[derive(Debug, Clone)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    pub hostname: String,
    pub labels: HashMap<String, String>,
    /// `host_path:container_path[:ro]`.
    pub binds: Vec<String>,
    /// Network name and fixed IPv4 address; the first one is attached at creation
    /// (and receives the published ports).
    pub networks: Vec<(String, String)>,
    /// Named volumes (`VolumeSpec::name`) and where they are mounted: the
    /// state that outlives the container.
    pub volumes: Vec<(String, String)>,
    /// UDP ports published on the host, each on the same port number inside.
    pub udp_ports: Vec<PublishedPort>,
    /// Instead of the image's entrypoint.
    pub entrypoint: Option<Vec<String>>,
    /// Joins this container's network (`container:<name>`) instead of
    /// `networks`: its addresses and published ports are that container's.
    pub network_of: Option<String>,
    /// Host folders copied in before it starts (`host_dir`, `container_dir`),
    /// each onto an empty volume of its own that goes with the container:
    /// what `binds` does on one machine, for an engine on another.
    pub copied: Vec<(String, String)>,
}

/// A short-lived container on no network at all (`--network none`): it
/// reaches nothing and nothing reaches it. It is never restarted; the caller
/// removes it once done.
#[derive(Debug, Clone)]
pub struct IsolatedSpec {
    pub name: String,
    pub image: String,
    pub labels: HashMap<String, String>,
    /// `host_path:container_path[:ro]`.
    pub binds: Vec<String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    /// Linux capabilities added (`NET_ADMIN` to give its loopback addresses).
    pub cap_add: Vec<String>,
}

/// A named volume the lab keeps its state in.
#[derive(Debug, Clone)]
pub struct VolumeSpec {
    pub name: String,
    pub labels: HashMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPort {
    pub host_ip: std::net::Ipv4Addr,
    pub host_port: u16,
    pub container_port: u16,
}

#[derive(Debug, Clone)]
pub struct NetworkSpec {
    pub name: String,
    pub subnet: String,
    pub gateway: String,
    pub labels: HashMap<String, String>,
    pub driver: NetworkDriver,
    /// Where the engine picks the addresses it hands out itself (`--ip-range`).
    pub ip_range: Option<String>,
    /// The swarm node a bridge network is made on; this machine's when `None`.
    pub node: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NetworkDriver {
    /// On this machine only.
    #[default]
    Bridge,
    /// Across the nodes of a swarm, attachable: containers started by any
    /// node's engine join it, with the fixed addresses the lab gives them.
    Overlay,
}

impl NetworkDriver {
    pub fn name(self) -> &'static str {
        match self {
            NetworkDriver::Bridge => "bridge",
            NetworkDriver::Overlay => "overlay",
        }
    }
}

/// A container as the engine reports it.
#[derive(Debug, Clone)]
pub struct ContainerInfo {
    pub name: String,
    pub running: bool,
    pub labels: HashMap<String, String>,
    /// Network name -> IPv4 address (empty while the container is stopped).
    pub addresses: HashMap<String, String>,
    /// Networks it is attached to, running or not.
    pub networks: Vec<String>,
    /// Host ports it publishes now (none while stopped).
    pub published: Vec<u16>,
}

/// How a container has run so far: a restart shows as a new `started_at`
/// (and, when its restart policy did it, a higher `restart_count`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunState {
    pub running: bool,
    /// As Docker writes it (RFC 3339).
    pub started_at: String,
    /// When its last run ended, for a running container the one before
    /// this run (`0001-01-01T00:00:00Z` if it never stopped). On a loaded
    /// engine a process writes its first lines before `started_at` is set,
    /// so what follows this, not `started_at`, is this run's output.
    pub finished_at: String,
    pub restart_count: i64,
}

impl RunState {
    /// Whether this container (last) started after `other` did.
    pub fn started_after(&self, other: &RunState) -> bool {
        instant(&self.started_at) > instant(&other.started_at)
    }
}

/// What a container has used, as `docker stats` reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// CPU time since it started, in nanoseconds (all cores together).
    pub cpu_ns: u64,
    /// Of which in the kernel (system calls, the network stack).
    pub kernel_ns: u64,
    /// Memory in use, without the page cache, in bytes.
    pub memory: u64,
}

/// Output and exit code of a command run inside a container.
#[derive(Debug, Clone)]
pub struct ExecOutput {
    pub code: i64,
    pub output: String,
}

/// A command's standard output and input, attached.
pub struct Attached {
    pub output: std::pin::Pin<Box<dyn Stream<Item = Result<bytes::Bytes>> + Send>>,
    pub input: std::pin::Pin<Box<dyn tokio::io::AsyncWrite + Send>>,
}

/// A Docker engine: this machine's, or (through [`Engine::on_node`]) another
/// swarm node's. Calls about a named container go to the engine it is on.
#[derive(Clone)]
pub struct Engine {
    /// The engine this handle makes things on.
    docker: Docker,
    /// This machine's engine.
    home: Docker,
    /// The swarm node `docker` belongs to, when not this machine's.
    node: Option<std::sync::Arc<str>>,
    routes: nodes::SharedRoutes,
}

impl Engine {
    /// Connects as the Docker CLI would (DOCKER_HOST or the local socket) and
    /// negotiates the API version, so older engines (API 1.41) work too.
    pub async fn connect() -> Result<Engine> {
        let t = Instant::now();
        let unreachable = |e: BollardError| EngineError::Unreachable(e.to_string());
        let docker = Docker::connect_with_defaults().map_err(unreachable)?;
        let docker = docker.negotiate_version().await.map_err(unreachable)?;
        docker.ping().await.map_err(unreachable)?;
        debug!(api = %docker.client_version(), took = %Took(t), "connected to the Docker engine");
        Ok(Engine { home: docker.clone(), docker, node: None, routes: Default::default() })
    }

    /// Fails with a clear sentence when the engine has less than `needed_mib`
    /// of memory in all (a small Docker Desktop VM, say).
    pub async fn ensure_memory(&self, needed_mib: u64) -> Result<()> {
        let info = self.docker.info().await.map_err(call("report its resources"))?;
        let total = info.mem_total.unwrap_or(0).max(0) as u64 / (1024 * 1024);
        if total > 0 && total < needed_mib {
            return Err(EngineError::Memory { available_mib: total, needed_mib });
        }
        Ok(())
    }

    pub async fn image_exists(&self, reference: &str) -> Result<bool> {
        match self.docker.inspect_image(reference).await {
            Ok(_) => Ok(true),
            Err(e) if is_status(&e, 404) => Ok(false),
            Err(e) => Err(call(format!("inspect image {reference}"))(e)),
        }
    }

    /// Pulls `image:tag` from a registry; fails fast where none answers.
    pub async fn pull(&self, image: &str, tag: &str) -> Result<()> {
        let t = Instant::now();
        let options =
            CreateImageOptions { from_image: Some(image.into()), tag: Some(tag.into()), ..Default::default() };
        self.docker
            .create_image(Some(options), None, None)
            .try_for_each(|_| async { Ok(()) })
            .await
            .map_err(call(format!("pull {image}:{tag}")))?;
        info!(took = %Took(t), "pulled image {image}:{tag}");
        Ok(())
    }

    /// Imports a root filesystem tarball as image `repo:tag` (`docker import`).
    pub async fn import(
        &self,
        tarball: impl Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static,
        repo: &str,
        tag: &str,
    ) -> Result<()> {
        let options = CreateImageOptions {
            from_src: Some("-".into()),
            repo: Some(repo.into()),
            tag: Some(tag.into()),
            ..Default::default()
        };
        let t = Instant::now();
        self.docker
            .create_image(Some(options), Some(bollard::body_try_stream(tarball)), None)
            .try_for_each(|_| async { Ok(()) })
            .await
            .map_err(call(format!("import {repo}:{tag}")))?;
        info!(took = %Took(t), "imported image {repo}:{tag}");
        Ok(())
    }

    pub async fn tag(&self, source: &str, repo: &str, tag: &str) -> Result<()> {
        let options = TagImageOptions { repo: Some(repo.into()), tag: Some(tag.into()) };
        self.docker.tag_image(source, Some(options)).await.map_err(call(format!("tag {source} as {repo}:{tag}")))?;
        debug!("tagged image {source} as {repo}:{tag}");
        Ok(())
    }

    /// Builds an image from a tar build context, passing each output line on.
    pub async fn build(
        &self,
        context: Vec<u8>,
        tag: &str,
        args: HashMap<String, String>,
        labels: HashMap<String, String>,
        mut on_line: impl FnMut(&str),
    ) -> Result<()> {
        let options = BuildImageOptions {
            dockerfile: "Dockerfile".into(),
            t: Some(tag.into()),
            rm: true,
            forcerm: true,
            buildargs: Some(args),
            labels: Some(labels),
            ..Default::default()
        };
        let t = Instant::now();
        info!(context_bytes = context.len(), "building image {tag}");
        let mut stream = self.docker.build_image(options, None, Some(bollard::body_full(context.into())));
        while let Some(item) = stream.next().await {
            let info = item.map_err(|e| EngineError::Build { tag: tag.into(), message: e.to_string() })?;
            if let Some(detail) = info.error_detail.and_then(|d| d.message) {
                return Err(EngineError::Build { tag: tag.into(), message: detail });
            }
            if let Some(line) = info.stream {
                for l in line.lines().filter(|l| !l.trim().is_empty()) {
                    on_line(l);
                }
            }
        }
        info!(took = %Took(t), "built image {tag}");
        Ok(())
    }

    /// Creates a network unless one of that name exists already; true when it
    /// had to be made (containers planned on it must then be made again).
    pub async fn ensure_network(&self, spec: &NetworkSpec) -> Result<bool> {
        let request = NetworkCreateRequest {
            name: spec.name.clone(),
            driver: Some(spec.driver.name().into()),
            attachable: Some(spec.driver == NetworkDriver::Overlay),
            ipam: Some(Ipam {
                config: Some(vec![IpamConfig {
                    subnet: Some(spec.subnet.clone()),
                    gateway: Some(spec.gateway.clone()),
                    ip_range: spec.ip_range.clone(),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            labels: Some(spec.labels.clone()),
            ..Default::default()
        };
        // Older engines accept duplicate names, so look before creating.
        match self.docker.inspect_network(&spec.name, None::<InspectNetworkOptions>).await {
            Ok(existing) => {
                let driver = existing.driver.clone().unwrap_or_default();
                let subnets: Vec<String> = existing
                    .ipam
                    .and_then(|i| i.config)
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|c| c.subnet)
                    .collect();
                if subnets.contains(&spec.subnet) && driver == spec.driver.name() {
                    debug!("network {} ({}) is there already", spec.name, spec.subnet);
                    self.route_here(&spec.name);
                    return Ok(false);
                }
                // The lab file's subnet or engine changed: its containers are gone already.
                info!(
                    "network {} is {driver} {subnets:?}, the lab now wants {} {}: making it again",
                    spec.name,
                    spec.driver.name(),
                    spec.subnet
                );
                self.remove_network(&spec.name).await?;
            }
            Err(e) if is_status(&e, 404) => {}
            Err(e) => return Err(call(format!("inspect network {}", spec.name))(e)),
        }
        let t = Instant::now();
        match self.docker.create_network(request).await {
            Ok(_) => {
                info!(took = %Took(t), "created network {} ({})", spec.name, spec.subnet);
                self.route_here(&spec.name);
                Ok(true)
            }
            Err(e) if is_status(&e, 409) => Ok(false),
            Err(e) if e.to_string().contains("overlaps") => Err(EngineError::SubnetTaken {
                network: spec.name.clone(),
                subnet: spec.subnet.clone(),
                message: e.to_string(),
            }),
            Err(e) => Err(call(format!("create network {} ({})", spec.name, spec.subnet))(e)),
        }
    }

    /// The driver of network `name` (`bridge`, `overlay`), `None` when there is none.
    pub async fn network_driver(&self, name: &str) -> Result<Option<String>> {
        match self.docker.inspect_network(name, None::<InspectNetworkOptions>).await {
            Ok(n) => Ok(Some(n.driver.unwrap_or_default())),
            Err(e) if is_status(&e, 404) => Ok(None),
            Err(e) => Err(call(format!("inspect network {name}"))(e)),
        }
    }

    /// Names of the networks carrying `label=value`, on this machine's
    /// engine and every swarm node's known (an overlay is listed once).
    pub async fn networks(&self, label: &str, value: &str) -> Result<Vec<String>> {
        let mut names: Vec<String> = Vec::new();
        for engine in self.all_engines() {
            let options = ListNetworksOptions { filters: Some(label_filter(label, value)) };
            let networks = engine.docker.list_networks(Some(options)).await.map_err(call("list networks"))?;
            for name in networks.into_iter().filter_map(|n| n.name) {
                if !names.contains(&name) {
                    engine.route_here(&name);
                    names.push(name);
                }
            }
        }
        debug!("networks with {label}={value}: {names:?}");
        Ok(names)
    }

    /// Removes a network. A swarm's overlay stays in use a few seconds after
    /// its last container went (the manager releases the attachment later):
    /// that is waited out, not reported.
    pub async fn remove_network(&self, name: &str) -> Result<()> {
        let t = Instant::now();
        // Removed once the engine no longer knows it: a swarm forgets an
        // overlay a moment after accepting its removal.
        let attempt = || async move {
            match self.docker_for(name).remove_network(name).await {
                Ok(()) => {}
                // A swarm may say so with a 500 while it forgets the network.
                Err(e) if is_status(&e, 404) || e.to_string().contains("not found") => {
                    return Ok(crate::wait::Poll::Ready(()))
                }
                Err(e) if e.to_string().contains("in use by task") => {
                    return Ok(crate::wait::Poll::Pending(e.to_string()))
                }
                Err(e) => return Err(call(format!("remove network {name}"))(e)),
            }
            match self.on_engine_of(name).network_driver(name).await? {
                None => Ok(crate::wait::Poll::Ready(())),
                Some(_) => Ok(crate::wait::Poll::Pending("removed, still listed".to_string())),
            }
        };
        let released = std::time::Duration::from_secs(30);
        match crate::wait::until(&format!("network {name} released"), released, crate::wait::POLL, attempt).await {
            Ok(()) => {
                info!(took = %Took(t), "removed network {name}");
                Ok(())
            }
            Err(crate::wait::Error::Failed(e)) => Err(e),
            Err(crate::wait::Error::TimedOut { last, .. }) => {
                Err(EngineError::NetworkInUse { network: name.to_string(), message: last })
            }
        }
    }

    /// Every container (running or not) carrying `label=value`, on this
    /// machine's engine and every swarm node's known.
    pub async fn containers(&self, label: &str, value: &str) -> Result<Vec<ContainerInfo>> {
        let mut all = Vec::new();
        for engine in self.all_engines() {
            let found = engine.containers_here(label, value).await?;
            found.iter().for_each(|c| engine.route_here(&c.name));
            all.extend(found);
        }
        Ok(all)
    }

    async fn containers_here(&self, label: &str, value: &str) -> Result<Vec<ContainerInfo>> {
        let options =
            ListContainersOptions { all: true, filters: Some(label_filter(label, value)), ..Default::default() };
        let list = self.docker.list_containers(Some(options)).await.map_err(call("list containers"))?;
        debug!("{} container(s) with {label}={value}", list.len());
        Ok(list
            .into_iter()
            .map(|c| ContainerInfo {
                name: c
                    .names
                    .unwrap_or_default()
                    .first()
                    .map(|n| n.trim_start_matches('/').to_string())
                    .unwrap_or_default(),
                running: c.state == Some(ContainerSummaryStateEnum::RUNNING),
                labels: c.labels.unwrap_or_default(),
                published: c.ports.iter().flatten().filter_map(|p| p.public_port).collect(),
                networks: c
                    .network_settings
                    .as_ref()
                    .and_then(|s| s.networks.as_ref())
                    .map(|n| n.keys().cloned().collect())
                    .unwrap_or_default(),
                addresses: c
                    .network_settings
                    .and_then(|s| s.networks)
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|(net, ep)| ep.ip_address.filter(|ip| !ip.is_empty()).map(|ip| (net, ip)))
                    .collect(),
            })
            .collect())
    }

    /// Whether a container runs, since when, and how often Docker restarted it;
    /// `None` when there is no such container.
    pub async fn run_state(&self, name: &str) -> Result<Option<RunState>> {
        match self.docker_for(name).inspect_container(name, None::<InspectContainerOptions>).await {
            Ok(c) => {
                let state = c.state.unwrap_or_default();
                Ok(Some(RunState {
                    running: state.running.unwrap_or(false),
                    started_at: state.started_at.unwrap_or_default(),
                    finished_at: state.finished_at.unwrap_or_default(),
                    restart_count: c.restart_count.unwrap_or(0),
                }))
            }
            Err(e) if is_status(&e, 404) => Ok(None),
            Err(e) => Err(call(format!("inspect container {name}"))(e)),
        }
    }

    /// `docker restart`: stopped (its grace period cut short) and started again.
    pub async fn restart(&self, name: &str) -> Result<()> {
        let t = Instant::now();
        let options = RestartContainerOptions { t: Some(2), ..Default::default() };
        self.docker_for(name)
            .restart_container(name, Some(options))
            .await
            .map_err(call(format!("restart container {name}")))?;
        info!(took = %Took(t), "restarted container {name}");
        Ok(())
    }

    /// `docker kill`: Docker takes it as stopped on purpose and does not restart it.
    pub async fn kill(&self, name: &str) -> Result<()> {
        let options = KillContainerOptions { signal: "KILL".into() };
        self.docker_for(name)
            .kill_container(name, Some(options))
            .await
            .map_err(call(format!("kill container {name}")))?;
        info!("killed container {name}");
        Ok(())
    }

    /// Starts an existing container again (stopped by hand, or after a reboot).
    pub async fn start(&self, name: &str) -> Result<()> {
        let t = Instant::now();
        self.docker_for(name).start_container(name, None).await.map_err(|e| start_error(name, e))?;
        info!(took = %Took(t), "started container {name}");
        Ok(())
    }

    /// Creates a named volume unless it exists.
    pub async fn ensure_volume(&self, spec: &VolumeSpec) -> Result<()> {
        let request = VolumeCreateRequest {
            name: Some(spec.name.clone()),
            labels: Some(spec.labels.clone()),
            ..Default::default()
        };
        // Creating a volume that exists is a no-op for Docker: it keeps its data.
        self.docker.create_volume(request).await.map_err(call(format!("create volume {}", spec.name)))?;
        self.route_here(&spec.name);
        debug!("volume {} is there", spec.name);
        Ok(())
    }

    /// Names of the volumes carrying `label=value`.
    pub async fn volumes(&self, label: &str, value: &str) -> Result<Vec<String>> {
        let mut all = Vec::new();
        for engine in self.all_engines() {
            let options = ListVolumesOptions { filters: Some(label_filter(label, value)) };
            let list = engine.docker.list_volumes(Some(options)).await.map_err(call("list volumes"))?;
            for volume in list.volumes.unwrap_or_default() {
                engine.route_here(&volume.name);
                all.push(volume.name);
            }
        }
        Ok(all)
    }

    pub async fn remove_volume(&self, name: &str) -> Result<()> {
        match self.docker_for(name).remove_volume(name, None::<RemoveVolumeOptions>).await {
            Ok(()) => {
                info!("removed volume {name}");
                Ok(())
            }
            Err(e) if is_status(&e, 404) => Ok(()),
            Err(e) => Err(call(format!("remove volume {name}"))(e)),
        }
    }

    /// Creates, wires and starts a container.
    pub async fn run(&self, spec: &ContainerSpec) -> Result<()> {
        let endpoint = |ip: &str| EndpointSettings {
            ipam_config: Some(EndpointIpamConfig { ipv4_address: Some(ip.into()), ..Default::default() }),
            ..Default::default()
        };
        // On a network of its own, or on another container's.
        let (network_mode, first) = match (&spec.network_of, spec.networks.first()) {
            (Some(holder), _) => (format!("container:{holder}"), None),
            (None, Some((net, ip))) => (net.clone(), Some((net.clone(), endpoint(ip)))),
            (None, None) => unreachable!("a lab container is on a network"),
        };
        let port = |p: &PublishedPort| format!("{}/udp", p.container_port);
        let bindings: bollard::models::PortMap = spec
            .udp_ports
            .iter()
            .map(|p| {
                let binding =
                    PortBinding { host_ip: Some(p.host_ip.to_string()), host_port: Some(p.host_port.to_string()) };
                (port(p), Some(vec![binding]))
            })
            .collect();
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            // A container on another's network has that one's name too.
            hostname: spec.network_of.is_none().then(|| spec.hostname.clone()),
            entrypoint: spec.entrypoint.clone(),
            labels: Some(spec.labels.clone()),
            exposed_ports: (!spec.udp_ports.is_empty()).then(|| spec.udp_ports.iter().map(port).collect()),
            host_config: Some(HostConfig {
                binds: Some(
                    spec.binds.iter().cloned().chain(spec.volumes.iter().map(|(v, at)| format!("{v}:{at}"))).collect(),
                ),
                // Empty, not seeded with what the image has there: only the
                // copied files, as a bind mount would show.
                mounts: (!spec.copied.is_empty()).then(|| {
                    spec.copied
                        .iter()
                        .map(|(_, at)| Mount {
                            target: Some(at.clone()),
                            typ: Some(MountType::VOLUME),
                            volume_options: Some(MountVolumeOptions { no_copy: Some(true), ..Default::default() }),
                            ..Default::default()
                        })
                        .collect()
                }),
                network_mode: Some(network_mode),
                init: Some(true),
                port_bindings: (!bindings.is_empty()).then_some(bindings),
                // A process that ends (a crash, `core stop now`) comes back at
                // once; one stopped on purpose (`docker stop`/`kill`) stays down
                // until `lab up` starts it.
                restart_policy: Some(RestartPolicy {
                    name: Some(RestartPolicyNameEnum::UNLESS_STOPPED),
                    maximum_retry_count: None,
                }),
                ..Default::default()
            }),
            networking_config: first
                .map(|(net, ep)| NetworkingConfig { endpoints_config: Some(HashMap::from([(net, ep)])) }),
            ..Default::default()
        };
        let t = Instant::now();
        self.create(&spec.name, body).await?;
        for (dir, at) in &spec.copied {
            self.put_dir(&spec.name, Path::new(dir), at).await?;
        }
        for (net, ip) in spec.networks.iter().skip(1) {
            let request = NetworkConnectRequest { container: spec.name.clone(), endpoint_config: Some(endpoint(ip)) };
            self.docker
                .connect_network(net, request)
                .await
                .map_err(call(format!("attach {} to network {net}", spec.name)))?;
        }
        info!(image = %spec.image, took = %Took(t), "created container {}", spec.name);
        self.start(&spec.name).await
    }

    /// Creates and starts an [`IsolatedSpec`] container.
    pub async fn run_isolated(&self, spec: &IsolatedSpec) -> Result<()> {
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            entrypoint: Some(spec.entrypoint.clone()),
            cmd: Some(spec.cmd.clone()),
            labels: Some(spec.labels.clone()),
            host_config: Some(HostConfig {
                binds: Some(spec.binds.clone()),
                network_mode: Some("none".into()),
                cap_add: (!spec.cap_add.is_empty()).then(|| spec.cap_add.clone()),
                init: Some(true),
                ..Default::default()
            }),
            ..Default::default()
        };
        let t = Instant::now();
        self.create(&spec.name, body).await?;
        info!(image = %spec.image, took = %Took(t), "created isolated container {}", spec.name);
        self.start(&spec.name).await
    }

    /// Creates a container named `name`, not started.
    async fn create(&self, name: &str, body: ContainerCreateBody) -> Result<()> {
        let options = CreateContainerOptions { name: Some(name.to_string()), ..Default::default() };
        self.docker.create_container(Some(options), body).await.map_err(call(format!("create container {name}")))?;
        self.route_here(name);
        Ok(())
    }

    pub async fn remove_container(&self, name: &str) -> Result<()> {
        let t = Instant::now();
        let options = RemoveContainerOptions { force: true, v: true, ..Default::default() };
        match self.docker_for(name).remove_container(name, Some(options)).await {
            Ok(()) => {
                info!(took = %Took(t), "removed container {name}");
                Ok(())
            }
            Err(e) if is_status(&e, 404) => Ok(()),
            Err(e) => Err(call(format!("remove container {name}"))(e)),
        }
    }

    /// Writes `contents` as the file `name` in the folder `dir` of a
    /// container (which must exist), as its root user.
    pub async fn put_file(&self, container: &str, dir: &str, name: &str, contents: &[u8]) -> Result<()> {
        let action = || format!("copy {name} into {dir} of {container}");
        let mut archive = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        archive
            .append_data(&mut header, name, contents)
            .map_err(|e| EngineError::Copy { action: action(), message: e.to_string() })?;
        let archive =
            archive.into_inner().map_err(|e| EngineError::Copy { action: action(), message: e.to_string() })?;
        let options = UploadToContainerOptions { path: dir.into(), ..Default::default() };
        let t = Instant::now();
        self.docker_for(container)
            .upload_to_container(container, Some(options), bollard::body_full(archive.into()))
            .await
            .map_err(call(action()))?;
        debug!(bytes = contents.len(), took = %Took(t), "copied {name} into {dir} of {container}");
        Ok(())
    }

    /// Copies the files of host folder `dir` (its subfolders too, unless
    /// `top_only`) into folder `at` of a container, over what is there.
    pub async fn put_dir(&self, container: &str, dir: &Path, at: &str) -> Result<()> {
        self.put_tree(container, dir, at, false).await
    }

    /// [`Self::put_dir`] of the folder's own files only (its `.conf` files, not its sounds).
    pub async fn put_top_files(&self, container: &str, dir: &Path, at: &str) -> Result<()> {
        self.put_tree(container, dir, at, true).await
    }

    async fn put_tree(&self, container: &str, dir: &Path, at: &str, top_only: bool) -> Result<()> {
        let action = || format!("copy {} into {at} of {container}", dir.display());
        let copy = |e: std::io::Error| EngineError::Copy { action: action(), message: e.to_string() };
        let mut archive = tar::Builder::new(Vec::new());
        archive.follow_symlinks(true);
        if top_only {
            for entry in std::fs::read_dir(dir).map_err(copy)? {
                let entry = entry.map_err(copy)?;
                if entry.file_type().map_err(copy)?.is_file() {
                    archive.append_path_with_name(entry.path(), entry.file_name()).map_err(copy)?;
                }
            }
        } else {
            archive.append_dir_all(".", dir).map_err(copy)?;
        }
        let archive = archive.into_inner().map_err(copy)?;
        let options = UploadToContainerOptions { path: at.into(), ..Default::default() };
        let t = Instant::now();
        let bytes = archive.len();
        self.docker_for(container)
            .upload_to_container(container, Some(options), bollard::body_full(archive.into()))
            .await
            .map_err(call(action()))?;
        debug!(bytes, took = %Took(t), "copied {} into {at} of {container}", dir.display());
        Ok(())
    }

    /// Runs a command in a running container and collects its output
    /// (standard output and error, as text) and exit code.
    pub async fn exec(&self, container: &str, cmd: &[&str]) -> Result<ExecOutput> {
        let t = Instant::now();
        let (id, chunks) = self.run_exec(container, cmd).await?;
        let output = chunks.iter().map(|c| c.to_string()).collect();
        let inspect = self
            .docker_for(container)
            .inspect_exec(&id)
            .await
            .map_err(call(format!("run `{}` in {container}", program(cmd))))?;
        let code = inspect.exit_code.unwrap_or(-1);
        debug!(code, took = %Took(t), "ran `{}` in {container}", program(cmd));
        Ok(ExecOutput { code, output })
    }

    /// Runs a command and returns its standard output as bytes (files, captures).
    pub async fn exec_bytes(&self, container: &str, cmd: &[&str]) -> Result<Vec<u8>> {
        use bollard::container::LogOutput;
        let t = Instant::now();
        let (_, chunks) = self.run_exec(container, cmd).await?;
        debug!(took = %Took(t), "ran `{}` in {container}", program(cmd));
        Ok(chunks
            .into_iter()
            .filter_map(|c| match c {
                LogOutput::StdOut { message } => Some(message),
                _ => None,
            })
            .flatten()
            .collect())
    }

    /// Runs a command to its end; its exec id and every chunk of its output.
    async fn run_exec(&self, container: &str, cmd: &[&str]) -> Result<(String, Vec<bollard::container::LogOutput>)> {
        use bollard::exec::{CreateExecOptions, StartExecResults};
        let action = || format!("run `{}` in {container}", program(cmd));
        let options = CreateExecOptions {
            cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            ..Default::default()
        };
        let exec = self.docker_for(container).create_exec(container, options).await.map_err(call(action()))?;
        let mut chunks = Vec::new();
        if let StartExecResults::Attached { output: mut stream, .. } =
            self.docker_for(container).start_exec(&exec.id, None).await.map_err(call(action()))?
        {
            while let Some(chunk) = stream.next().await {
                chunks.push(chunk.map_err(call(action()))?);
            }
        }
        Ok((exec.id, chunks))
    }

    /// Starts a command in the background (a capture, a watcher).
    pub async fn exec_detached(&self, container: &str, cmd: &[&str]) -> Result<()> {
        use bollard::exec::{CreateExecOptions, StartExecOptions};
        let action = || format!("start `{}` in {container}", program(cmd));
        let options =
            CreateExecOptions { cmd: Some(cmd.iter().map(|s| s.to_string()).collect()), ..Default::default() };
        let exec = self.docker_for(container).create_exec(container, options).await.map_err(call(action()))?;
        let start = StartExecOptions { detach: true, ..Default::default() };
        self.docker_for(container).start_exec(&exec.id, Some(start)).await.map_err(call(action()))?;
        debug!("started `{}` in the background in {container}", program(cmd));
        Ok(())
    }

    /// Runs a command with its standard input and output attached: a byte
    /// pipe into the container (e.g. `nc` to a control socket), which works
    /// whether or not the host can route to the containers' networks.
    pub async fn attach(&self, container: &str, cmd: &[&str]) -> Result<Attached> {
        use bollard::container::LogOutput;
        use bollard::exec::{CreateExecOptions, StartExecResults};
        let action = format!("attach to `{}` in {container}", program(cmd));
        let options = CreateExecOptions {
            cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
            attach_stdin: Some(true),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            ..Default::default()
        };
        let exec = self.docker_for(container).create_exec(container, options).await.map_err(call(action.clone()))?;
        debug!("attached to `{}` in {container}", program(cmd));
        match self.docker_for(container).start_exec(&exec.id, None).await.map_err(call(action.clone()))? {
            StartExecResults::Attached { output, input } => Ok(Attached {
                output: Box::pin(output.filter_map(move |chunk| {
                    let action = action.clone();
                    async move {
                        match chunk {
                            Ok(LogOutput::StdOut { message }) => Some(Ok(message)),
                            Ok(_) => None,
                            Err(e) => Some(Err(call(action)(e))),
                        }
                    }
                })),
                input,
            }),
            StartExecResults::Detached => unreachable!("started attached"),
        }
    }

    /// Memory in use by a container, as `docker stats` shows it (without page cache).
    /// What a container has written to its standard output and error so far.
    pub async fn logs(&self, container: &str) -> Result<String> {
        self.read_logs(container, false).await
    }

    /// The whole log, each line led by Docker's time of it with `timestamps`.
    async fn read_logs(&self, container: &str, timestamps: bool) -> Result<String> {
        let options =
            bollard::query_parameters::LogsOptions { stdout: true, stderr: true, timestamps, ..Default::default() };
        let chunks: Vec<_> = self
            .docker_for(container)
            .logs(container, Some(options))
            .try_collect()
            .await
            .map_err(call(format!("read the log of {container}")))?;
        Ok(chunks.iter().map(|c| c.to_string()).collect())
    }

    /// What a container wrote since `since` (an RFC 3339 time as Docker
    /// reports them, e.g. `RunState::finished_at`: this run's lines only).
    pub async fn logs_since(&self, container: &str, since: &str) -> Result<String> {
        let text = self.read_logs(container, true).await?;
        let since = instant(since);
        Ok(text
            .lines()
            .filter_map(|l| l.split_once(' '))
            .filter(|(at, _)| instant(at) >= since)
            .map(|(_, line)| format!("{line}\n"))
            .collect())
    }

    pub async fn memory(&self, container: &str) -> Result<u64> {
        Ok(self.usage(container).await?.memory)
    }

    /// CPU time used so far and memory in use now, from one `docker stats` look.
    pub async fn usage(&self, container: &str) -> Result<Usage> {
        let options = StatsOptions { stream: false, one_shot: true };
        let mut stream = self.docker_for(container).stats(container, Some(options));
        let stats =
            stream.next().await.transpose().map_err(call(format!("read stats of {container}")))?.unwrap_or_default();
        let memory = stats.memory_stats.unwrap_or_default();
        let cache = memory
            .stats
            .as_ref()
            .and_then(|s| s.get("inactive_file").or_else(|| s.get("total_inactive_file")).copied());
        let cpu = stats.cpu_stats.unwrap_or_default();
        let cpu = cpu.cpu_usage.unwrap_or_default();
        Ok(Usage {
            cpu_ns: cpu.total_usage.unwrap_or(0),
            kernel_ns: cpu.usage_in_kernelmode.unwrap_or(0),
            memory: memory.usage.unwrap_or(0).saturating_sub(cache.unwrap_or(0)),
        })
    }
}

/// An RFC 3339 time as Docker writes it (`2026-12-02T16:30:05.1234Z`, the
/// fraction trimmed of its zeros) as a key that sorts in time order.
fn instant(rfc3339: &str) -> (String, u32) {
    let (whole, rest) = rfc3339.split_at(rfc3339.len().min(19));
    let digits: String = rest.trim_start_matches('.').chars().take_while(char::is_ascii_digit).collect();
    let nanos = format!("{digits:0<9}").parse().unwrap_or(0);
    (whole.to_string(), nanos)
}

fn start_error(name: &str, e: BollardError) -> EngineError {
    match &e {
        BollardError::DockerResponseServerError { message, .. }
            if message.contains("already in use") || message.contains("already allocated") =>
        {
            EngineError::PortTaken { container: name.to_string(), message: message.clone() }
        }
        _ => call(format!("start container {name}"))(e),
    }
}

fn label_filter(label: &str, value: &str) -> HashMap<String, Vec<String>> {
    HashMap::from([("label".to_string(), vec![format!("{label}={value}")])])
}

#[cfg(test)]
mod tests {
    use super::instant;

    #[test]
    fn docker_times_sort_in_time_order_whatever_their_fraction() {
        assert!(instant("2026-12-02T16:30:05.1234Z") < instant("2026-12-02T16:30:05.12345Z"));
        assert!(instant("2026-12-02T16:30:05Z") < instant("2026-12-02T16:30:05.000000001Z"));
        assert!(instant("2026-12-02T16:30:04.9Z") < instant("2026-12-02T16:30:05Z"));
        assert_eq!(instant("2026-12-02T16:30:05.5Z"), instant("2026-12-02T16:30:05.500000000Z"));
    }
}
