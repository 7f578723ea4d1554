//! The containers and networks a lab runs as, planned without touching Docker.

use std::collections::HashMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::docker::{ContainerSpec, NetworkDriver, NetworkSpec, PublishedPort, VolumeSpec};
use super::images::Images;
use crate::gen::{Tree, ASTERISK_DIR, MAIL, MAIL_DIR, OPERATOR, PHONES_DIR};
use crate::model::{self, Lab};

pub const LABEL_LAB: &str = "sae-lab.lab";
pub const LABEL_KIND: &str = "sae-lab.kind";
pub const LABEL_SITE: &str = "sae-lab.site";
pub const LABEL_SPEC: &str = "sae-lab.spec";

/// What a container is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Operator,
    OperatorPhones,
    Mail,
    Ipbx {
        site: String,
    },
    /// Holds a site IPBX's network: its addresses and published ports. The
    /// IPBX joins it, so an Asterisk that restarts finds its network as it
    /// was, instead of Docker setting up every published port again (the
    /// slow part of starting a container, tens of seconds on a loaded machine).
    SiteNet {
        site: String,
    },
    Phones {
        site: String,
    },
}

impl Kind {
    pub fn label(&self) -> &'static str {
        match self {
            Kind::Operator => "operator",
            Kind::OperatorPhones => "operator-phones",
            Kind::Mail => "mail",
            Kind::Ipbx { .. } => "ipbx",
            Kind::SiteNet { .. } => "ipbx-net",
            Kind::Phones { .. } => "phones",
        }
    }

    pub fn is_asterisk(&self) -> bool {
        matches!(self, Kind::Operator | Kind::Ipbx { .. })
    }
}

#[derive(Debug, Clone)]
pub struct Planned {
    pub kind: Kind,
    pub spec: ContainerSpec,
    /// The swarm node it runs on; this machine's engine when `None`.
    pub node: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub networks: Vec<NetworkSpec>,
    pub volumes: Vec<VolumeSpec>,
    pub containers: Vec<Planned>,
}

/// Where a container keeps what must outlive it: voicemail, recordings and the
/// astdb (call forwards, registrations) of an Asterisk, the mail server's
/// mailboxes. Named volumes survive a container's recreation and `lab down`;
/// `lab down --volumes` deletes them.
fn state_mounts(kind: &Kind) -> &'static [(&'static str, &'static str)] {
    match kind {
        Kind::Operator | Kind::Ipbx { .. } => &[("spool", "/var/spool/asterisk"), ("db", "/var/lib/asterisk")],
        Kind::Mail => &[("mail", "/var/mail")],
        Kind::OperatorPhones | Kind::Phones { .. } | Kind::SiteNet { .. } => &[],
    }
}

/// `sae_backbone`: with `_`, it sorts after every `sae-<site>-lan`. Docker
/// publishes a container's ports on the network whose name sorts first
/// (its default gateway), and an IPBX's published ports belong on its LAN.
pub fn backbone_network(lab: &Lab) -> String {
    format!("{}_backbone", lab.name)
}

pub fn lan_network(lab: &Lab, site: &str) -> String {
    format!("{}-{site}-lan", lab.name)
}

pub fn container_name(lab: &Lab, kind: &Kind) -> String {
    match kind {
        Kind::Operator => format!("{}-operator", lab.name),
        Kind::OperatorPhones => format!("{}-operator-phones", lab.name),
        Kind::Mail => format!("{}-mail", lab.name),
        Kind::Ipbx { site } => format!("{}-{site}", lab.name),
        Kind::SiteNet { site } => format!("{}-{site}-net", lab.name),
        Kind::Phones { site } => format!("{}-{site}-phones", lab.name),
    }
}

/// Every container a lab runs, by what it is for, in start order.
pub fn kinds(lab: &Lab) -> Vec<Kind> {
    let mut kinds = vec![Kind::Operator, Kind::Mail, Kind::OperatorPhones];
    for site in &lab.sites {
        kinds.push(Kind::SiteNet { site: site.name.clone() });
        kinds.push(Kind::Ipbx { site: site.name.clone() });
        kinds.push(Kind::Phones { site: site.name.clone() });
    }
    kinds
}

/// One container of each kind, the first site's for the kinds every site
/// has: what `bench heal` hurts, in the order it hurts them.
pub fn one_of_each_kind(lab: &Lab) -> Vec<Kind> {
    let mut kinds = vec![Kind::Operator];
    if let Some(site) = lab.sites.first() {
        let site = || site.name.clone();
        kinds.extend([Kind::SiteNet { site: site() }, Kind::Ipbx { site: site() }, Kind::Phones { site: site() }]);
    }
    kinds.extend([Kind::OperatorPhones, Kind::Mail]);
    kinds
}

/// The container running a site's Asterisk, or the operator's (site `operator`).
pub fn asterisk_container(lab: &Lab, site: &str) -> Option<String> {
    if site == OPERATOR {
        return Some(container_name(lab, &Kind::Operator));
    }
    lab.site(site).map(|s| container_name(lab, &Kind::Ipbx { site: s.name.clone() }))
}

/// A site running a config folder of its own (a student's, being graded)
/// in place of the generated one; `hash` stands for its contents.
#[derive(Debug, Clone)]
pub struct OwnConfig {
    pub site: String,
    pub dir: std::path::PathBuf,
    pub hash: String,
}

/// Plans the lab; `config_dir` holds `tree` as written on the host.
pub fn plan(lab: &Lab, images: &Images, tree: &Tree, config_dir: &Path) -> Plan {
    plan_with(lab, images, tree, config_dir, None)
}

/// Plans the lab, with one site's Asterisk on its own config folder.
pub fn plan_with(lab: &Lab, images: &Images, tree: &Tree, config_dir: &Path, own: Option<&OwnConfig>) -> Plan {
    let net = &lab.network;
    let labels = |extra: &[(&str, &str)]| {
        let mut l = HashMap::from([(LABEL_LAB.to_string(), lab.name.clone())]);
        l.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        l
    };
    let mut networks = vec![NetworkSpec {
        name: backbone_network(lab),
        subnet: net.backbone_subnet(),
        gateway: net.backbone_gateway().to_string(),
        labels: labels(&[]),
        driver: NetworkDriver::Bridge,
        ip_range: None,
        node: None,
    }];
    for site in &lab.sites {
        networks.push(NetworkSpec {
            name: lan_network(lab, &site.name),
            subnet: net.site_subnet(site.index),
            gateway: net.site_gateway(site.index).to_string(),
            labels: labels(&[(LABEL_SITE, &site.name)]),
            driver: NetworkDriver::Bridge,
            ip_range: None,
            node: None,
        });
    }

    let container = |kind: Kind, folder: &str, networks: Vec<(String, String)>, depends_on: Option<&str>| {
        let (image, sub, mount) = match kind {
            Kind::Operator | Kind::Ipbx { .. } | Kind::SiteNet { .. } => {
                (&images.asterisk, ASTERISK_DIR, "/etc/asterisk")
            }
            Kind::Mail => (&images.mail, MAIL_DIR, "/etc/smtpd"),
            Kind::OperatorPhones | Kind::Phones { .. } => (&images.phone, PHONES_DIR, "/etc/baresip"),
        };
        let host_dir = config_dir.join(folder).join(sub);
        let name = container_name(lab, &kind);
        let volumes = state_mounts(&kind).iter().map(|(what, at)| (format!("{name}-{what}"), at.to_string())).collect();
        let mut spec = ContainerSpec {
            hostname: name.clone(),
            name,
            image: image.clone(),
            labels: labels(&[(LABEL_KIND, kind.label())]),
            binds: vec![format!("{}:{mount}", host_dir.display())],
            volumes,
            udp_ports: Vec::new(),
            networks,
            entrypoint: None,
            network_of: None,
            copied: Vec::new(),
        };
        if let Kind::Ipbx { site } | Kind::Phones { site } | Kind::SiteNet { site } = &kind {
            spec.labels.insert(LABEL_SITE.into(), site.clone());
        }
        match &kind {
            Kind::SiteNet { site } => {
                // Holds the network and nothing else, for as long as the lab runs.
                spec.binds.clear();
                spec.entrypoint = Some(vec!["sleep".into(), "infinity".into()]);
                spec.udp_ports = published_ports(lab, site);
            }
            Kind::Ipbx { site } => {
                spec.network_of = Some(container_name(lab, &Kind::SiteNet { site: site.clone() }));
                spec.networks.clear();
            }
            _ => {}
        }
        let own = own.filter(|o| matches!(&kind, Kind::Ipbx { site } if *site == o.site));
        if let Some(own) = own {
            // Read-only: the lab never writes into a student's folder.
            spec.binds = vec![format!("{}:{mount}:ro", own.dir.display())];
        }
        // The network holder mounts no config: a config change must not remake it.
        let files = (!matches!(kind, Kind::SiteNet { .. })).then(|| Path::new(folder).join(sub));
        let mut hash = spec_hash(&spec, tree, files.as_deref(), depends_on);
        if let Some(own) = own {
            hash = format!("{hash}-{}", own.hash);
        }
        spec.labels.insert(LABEL_SPEC.into(), hash);
        Planned { kind, spec, node: None }
    };

    let mut containers = Vec::new();
    let operator = container(Kind::Operator, OPERATOR, vec![(backbone_network(lab), net.operator().to_string())], None);
    let operator_hash = operator.spec.labels[LABEL_SPEC].clone();
    containers.push(operator);
    containers.push(container(Kind::Mail, MAIL, vec![(backbone_network(lab), net.mail().to_string())], None));
    containers.push(container(
        Kind::OperatorPhones,
        OPERATOR,
        vec![(backbone_network(lab), net.operator_phones().to_string())],
        Some(&operator_hash),
    ));
    for site in &lab.sites {
        let holder = container(
            Kind::SiteNet { site: site.name.clone() },
            &site.name,
            // Outside phones come in through the published ports, on the LAN
            // (see `backbone_network`), to the phones' transport.
            vec![
                (lan_network(lab, &site.name), net.ipbx_lan(site.index).to_string()),
                (backbone_network(lab), net.ipbx_backbone(site.index).to_string()),
            ],
            None,
        );
        let holder_hash = holder.spec.labels[LABEL_SPEC].clone();
        containers.push(holder);
        // A new network holder means a new network: the IPBX is made again.
        let ipbx = container(Kind::Ipbx { site: site.name.clone() }, &site.name, Vec::new(), Some(&holder_hash));
        let ipbx_hash = ipbx.spec.labels[LABEL_SPEC].clone();
        containers.push(ipbx);
        // Phones follow their IPBX: a new IPBX forgets registrations.
        containers.push(container(
            Kind::Phones { site: site.name.clone() },
            &site.name,
            vec![(lan_network(lab, &site.name), net.site_phones(site.index).to_string())],
            Some(&ipbx_hash),
        ));
    }
    let volumes = containers
        .iter()
        .flat_map(|p| p.spec.volumes.iter())
        .map(|(name, _)| VolumeSpec { name: name.clone(), labels: labels(&[]) })
        .collect();
    Plan { networks, volumes, containers }
}

/// A site's SIP port (host port `sip`, [`model::ports::SIP`] inside) on the
/// host address outside phones use, and its RTP range where media is
/// published (see [`Lab::publishes_media`]).
pub fn published_ports(lab: &Lab, site: &str) -> Vec<PublishedPort> {
    let Some(site) = lab.site(site) else { return Vec::new() };
    let ports = site.host_ports;
    let host_ip = lab.site_bind(site);
    let mut out = vec![PublishedPort { host_ip, host_port: ports.sip, container_port: model::ports::SIP }];
    if lab.publishes_media(site) {
        out.extend(ports.rtp.ports().map(|p| PublishedPort { host_ip, host_port: p, container_port: p }));
    }
    out
}

/// The tcpdump filter for what `lab capture` keeps of a site (or the
/// operator): SIP, its Asterisk's RTP, and the RTP of its softphones.
pub fn capture_filter(lab: &Lab, site: &str) -> Option<String> {
    let rtp = match lab.site(site) {
        Some(site) => lab.ipbx_rtp(site),
        None if site == OPERATOR => model::ports::OPERATOR_RTP,
        None => return None,
    };
    let phones = model::ports::PHONES_RTP;
    Some(format!("udp port {} or udp portrange {rtp} or udp portrange {phones}", model::ports::SIP))
}

fn spec_hash(spec: &ContainerSpec, tree: &Tree, files: Option<&Path>, depends_on: Option<&str>) -> String {
    let mut h = Sha256::new();
    h.update(&spec.image);
    h.update(format!(
        "{:?}{:?}{:?}{:?}{:?}{:?}",
        spec.networks, spec.binds, spec.volumes, spec.udp_ports, spec.entrypoint, spec.network_of
    ));
    for (path, contents) in tree.files.iter().filter(|(p, _)| files.is_some_and(|f| p.starts_with(f))) {
        h.update(path.to_string_lossy().as_bytes());
        h.update(contents);
    }
    h.update(depends_on.unwrap_or_default());
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capture_keeps_sip_and_the_rtp_of_the_asterisk_and_its_phones() {
        let mut lab = Lab::sae();
        assert_eq!(
            capture_filter(&lab, "table1").as_deref(),
            Some("udp port 5060 or udp portrange 10000-19999 or udp portrange 20000-20999")
        );
        assert_eq!(
            capture_filter(&lab, OPERATOR).as_deref(),
            Some("udp port 5060 or udp portrange 10000-19999 or udp portrange 20000-20999")
        );
        // In a classroom the IPBX uses only its published range.
        lab.host.bind = std::net::Ipv4Addr::new(192, 168, 1, 20);
        assert_eq!(
            capture_filter(&lab, "table1").as_deref(),
            Some("udp port 5060 or udp portrange 40100-40159 or udp portrange 20000-20999")
        );
    }

    #[test]
    fn media_is_published_only_for_phones_on_other_machines() {
        let mut lab = Lab::sae();
        let sip_only = published_ports(&lab, "table1");
        assert_eq!(sip_only.len(), 1, "{sip_only:?}");
        assert_eq!((sip_only[0].host_port, sip_only[0].container_port), (5061, 5060));
        lab.host.bind = std::net::Ipv4Addr::new(192, 168, 1, 20);
        let classroom = published_ports(&lab, "table1");
        assert_eq!(classroom.len(), 61);
        assert!(classroom[1..]
            .iter()
            .all(|p| p.host_port == p.container_port && (40100..=40159).contains(&p.host_port)));
    }
}
