//! Whether a running lab is whole: every container up, every Asterisk booted,
//! every trunk, phone and test phone registered, as each side sees it.

use futures_util::future::try_join_all;

use super::{LabError, LabRuntime};
use crate::runtime::asterisk_cli;
use crate::runtime::topology::{self, Kind, LABEL_LAB};

/// What is wrong with a lab, in words; nothing when it is whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Health {
    pub problems: Vec<String>,
}

impl Health {
    pub fn whole(&self) -> bool {
        self.problems.is_empty()
    }
}

impl std::fmt::Display for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.whole() {
            return f.write_str("every container runs and every account is registered");
        }
        f.write_str(&self.problems.join("; "))
    }
}

impl LabRuntime<'_> {
    /// Reads the lab's health. Registration is judged from both ends: the
    /// registrar holds a contact (`lab status`), each site's own registration
    /// to the operator says Registered, and each softphone process has
    /// registered every account since it last started.
    pub async fn health(&self) -> Result<Health, LabError> {
        let lab: &crate::model::Lab = &self.lab;
        let mut problems = Vec::new();
        let containers = self.engine.containers(LABEL_LAB, &lab.name).await?;
        let kinds = topology::kinds(lab);
        for kind in &kinds {
            let name = topology::container_name(lab, kind);
            match containers.iter().find(|c| c.name == name) {
                None => problems.push(format!("{name} is missing")),
                Some(c) if !c.running => problems.push(format!("{name} is not running")),
                Some(_) => {}
            }
        }
        for site in &lab.sites {
            let ipbx = topology::container_name(lab, &Kind::Ipbx { site: site.name.clone() });
            let holder = topology::container_name(lab, &Kind::SiteNet { site: site.name.clone() });
            if self.on_old_network(&ipbx, &holder).await? {
                problems
                    .push(format!("{ipbx} is on the old network of {holder}, which restarted (`lab up` repairs it)"));
            }
        }
        if !problems.is_empty() {
            return Ok(Health { problems });
        }

        let asterisks: Vec<String> =
            kinds.iter().filter(|k| k.is_asterisk()).map(|k| topology::container_name(lab, k)).collect();
        let booted = try_join_all(asterisks.iter().map(|c| asterisk_cli::fully_booted(&self.engine, c))).await?;
        problems.extend(asterisks.iter().zip(booted).filter(|(_, b)| !b).map(|(c, _)| format!("{c} has not booted")));
        if !problems.is_empty() {
            return Ok(Health { problems });
        }

        let status = self.status().await?;
        problems.extend(status.missing().into_iter().map(|m| format!("{m} is not registered")));
        for site in &lab.sites {
            let ipbx = topology::container_name(lab, &Kind::Ipbx { site: site.name.clone() });
            let shown = asterisk_cli::command(&self.engine, &ipbx, "pjsip show registrations").await?;
            if !shown.as_deref().is_some_and(asterisk_cli::all_registrations_registered) {
                problems.push(format!("{}'s registration to the operator is not Registered", site.name));
            }
        }
        for kind in kinds.iter().filter(|k| matches!(k, Kind::Phones { .. } | Kind::OperatorPhones)) {
            if !self.softphones_registered(kind).await? {
                let name = topology::container_name(lab, kind);
                problems.push(format!("the softphones of {name} have not all registered since it started"));
            }
        }
        Ok(Health { problems })
    }
}
