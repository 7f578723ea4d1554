//! Reading a lab's state from Docker and from each Asterisk.

use std::collections::BTreeMap;

use futures_util::future::try_join_all;

use super::{LabError, LabRuntime};
use crate::gen::OPERATOR;
use crate::runtime::asterisk_cli;
use crate::runtime::docker::ContainerInfo;
use crate::runtime::swarm::LABEL_NODE;
use crate::runtime::topology::{self, Kind, LABEL_KIND, LABEL_LAB, LABEL_SITE};
use crate::secrets::Secrets;
use crate::status::{
    ContainerStatus, LabStatus, OperatorStatus, PhoneStatus, SiteStatus, TestPhoneStatus, TrunkStatus,
};

impl LabRuntime<'_> {
    pub async fn status(&self) -> Result<LabStatus, LabError> {
        let secrets = self.secrets()?;
        self.status_with(&secrets).await
    }

    pub(super) async fn status_with(&self, secrets: &Secrets) -> Result<LabStatus, LabError> {
        let lab: &crate::model::Lab = &self.lab;
        let containers = self.engine.containers(LABEL_LAB, &lab.name).await?;
        let running = |kind: &Kind| {
            let name = topology::container_name(lab, kind);
            containers.iter().any(|c| c.name == name && c.running).then_some(name)
        };
        // Ask every running Asterisk at once who is registered.
        let mut asterisks: Vec<(String, String)> = Vec::new();
        if let Some(name) = running(&Kind::Operator) {
            asterisks.push((OPERATOR.to_string(), name));
        }
        for site in &lab.sites {
            if let Some(name) = running(&Kind::Ipbx { site: site.name.clone() }) {
                asterisks.push((site.name.clone(), name));
            }
        }
        let answers =
            try_join_all(asterisks.iter().map(|(_, c)| asterisk_cli::registered_aors(&self.engine, c))).await?;
        let aors: BTreeMap<&str, BTreeMap<String, String>> =
            asterisks.iter().map(|(k, _)| k.as_str()).zip(answers).collect();
        let empty = BTreeMap::new();
        let at_operator = aors.get(OPERATOR).unwrap_or(&empty);

        // An IPBX lives on its network holder's addresses.
        let addresses = |c: &ContainerInfo| {
            let holder = c
                .labels
                .get(LABEL_SITE)
                .map(|site| topology::container_name(lab, &Kind::SiteNet { site: site.clone() }));
            let on_holder = c.labels.get(LABEL_KIND).is_some_and(|k| k == "ipbx");
            match holder.filter(|_| on_holder).and_then(|h| containers.iter().find(|o| o.name == h)) {
                Some(h) => h.addresses.clone(),
                None => c.addresses.clone(),
            }
        };
        let describe = |pred: &dyn Fn(&ContainerInfo) -> bool| -> Vec<ContainerStatus> {
            containers
                .iter()
                .filter(|c| pred(c))
                .map(|c| ContainerStatus {
                    name: c.name.clone(),
                    kind: c.labels.get(LABEL_KIND).cloned().unwrap_or_default(),
                    running: c.running,
                    addresses: addresses(c).into_iter().collect(),
                    node: c.labels.get(LABEL_NODE).cloned(),
                })
                .collect()
        };

        let sites = lab
            .sites
            .iter()
            .map(|site| {
                let at_ipbx = aors.get(site.name.as_str()).unwrap_or(&empty);
                let gateway = lab.network.site_gateway(site.index).to_string();
                let lan_prefix = lab.network.site_subnet(site.index).replace(".0/24", ".");
                SiteStatus {
                    name: site.name.clone(),
                    index: site.index,
                    outside_server: format!("{}:{}", lab.site_bind(site), site.host_sip_port()),
                    containers: describe(&|c| c.labels.get(LABEL_SITE) == Some(&site.name)),
                    trunk: TrunkStatus {
                        account: site.trunk_account().to_string(),
                        registered: at_operator.contains_key(site.trunk_account()),
                    },
                    phones: site
                        .phones
                        .iter()
                        .map(|p| PhoneStatus {
                            name: p.account.clone(),
                            extension: p.extension.clone(),
                            public_number: site.public_number(&lab.numbering, &p.number),
                            role: p.role.name.clone(),
                            device: p.role.device.to_string(),
                            registered: at_ipbx.contains_key(&p.account),
                            // Published ports reach the IPBX from its LAN's gateway
                            // (on a swarm, from the engine's gateway network).
                            from_outside: at_ipbx
                                .get(&p.account)
                                .is_some_and(|from| *from == gateway || !from.starts_with(&lan_prefix)),
                            softphone: p.softphone,
                            username: p.account.clone(),
                            password: secrets.phone_password(site, p).to_string(),
                            domain: lab.network.ipbx_lan(site.index).to_string(),
                        })
                        .collect(),
                }
            })
            .collect();
        let operator = OperatorStatus {
            containers: describe(&|c| {
                matches!(c.labels.get(LABEL_KIND).map(String::as_str), Some("operator" | "operator-phones" | "mail"))
            }),
            test_phones: lab
                .operator
                .test_phones
                .iter()
                .map(|t| TestPhoneStatus {
                    name: t.name.clone(),
                    number: t.number.clone(),
                    registered: at_operator.contains_key(&t.account),
                    username: t.account.clone(),
                    password: secrets.test_phone_password(lab, t).to_string(),
                    domain: lab.network.operator().to_string(),
                })
                .collect(),
        };
        let up = topology::kinds(lab)
            .iter()
            .all(|k| containers.iter().any(|c| c.name == topology::container_name(lab, k) && c.running));
        Ok(LabStatus { lab: lab.name.clone(), up, sites, operator })
    }
}
