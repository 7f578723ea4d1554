//! The order `up` starts containers in. Each site is a chain: its network
//! holder, then its IPBX, then, once that Asterisk booted, its phones; the
//! operator's part likewise (the operator and the mail server, then its test
//! phones). The chains run side by side, so one site's phones start while
//! another's Asterisk is still booting, instead of every site waiting for the
//! slowest Asterisk.

use std::collections::BTreeMap;
use std::time::Instant;

use futures_util::future::try_join_all;
use tracing::{debug, info};

use super::{Action, LabError, LabRuntime};
use crate::gen::OPERATOR;
use crate::logs::Took;
use crate::runtime::progress::Progress;
use crate::runtime::topology::{Kind, Planned};

/// A chain's containers by stage, started stage after stage.
type Stages<'p> = BTreeMap<u8, Vec<(&'p Planned, Action)>>;

/// The chain a container starts in: its site's, or the operator's.
fn chain(kind: &Kind) -> &str {
    match kind {
        Kind::Operator | Kind::Mail | Kind::OperatorPhones => OPERATOR,
        Kind::SiteNet { site } | Kind::Ipbx { site } | Kind::Phones { site } => site,
    }
}

/// Its place in the chain: what holds a network first, then what joins it,
/// then what registers to an Asterisk of the stages before.
fn stage(kind: &Kind) -> u8 {
    match kind {
        Kind::Operator | Kind::Mail | Kind::SiteNet { .. } => 0,
        Kind::Ipbx { .. } => 1,
        Kind::Phones { .. } | Kind::OperatorPhones => 2,
    }
}

impl LabRuntime<'_> {
    /// Starts every container of `to_start`, chain by chain, and returns once
    /// each Asterisk among them booted.
    pub(super) async fn start_chains(
        &self,
        to_start: &[(&Planned, Action)],
        progress: &dyn Progress,
    ) -> Result<(), LabError> {
        if to_start.is_empty() {
            return Ok(());
        }
        let mut chains: BTreeMap<&str, Stages> = BTreeMap::new();
        for (p, a) in to_start {
            chains.entry(chain(&p.kind)).or_default().entry(stage(&p.kind)).or_default().push((p, *a));
        }
        progress
            .step(&format!("starting {} container(s), each site's phones once its Asterisk booted", to_start.len()));
        let started = Instant::now();
        try_join_all(chains.into_iter().map(|(name, stages)| async move {
            for batch in stages.into_values() {
                try_join_all(batch.iter().map(|(p, a)| async move {
                    self.start_planned(p, *a).await?;
                    let again = if *a == Action::Start { " again (it was stopped)" } else { "" };
                    progress.detail(&format!("{} started{again}", p.spec.name));
                    Ok::<_, LabError>(())
                }))
                .await?;
                let asterisks = batch.iter().filter(|(p, _)| p.kind.is_asterisk());
                try_join_all(asterisks.map(|(p, _)| async move {
                    self.wait_booted(&p.spec.name).await?;
                    progress.detail(&format!("Asterisk in {} booted", p.spec.name));
                    Ok::<_, LabError>(())
                }))
                .await?;
            }
            debug!(took = %Took(started), "up: chain {name} started");
            Ok::<_, LabError>(())
        }))
        .await?;
        info!(containers = to_start.len(), took = %Took(started), "up: containers started");
        Ok(())
    }
}
