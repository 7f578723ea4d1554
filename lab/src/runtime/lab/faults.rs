//! Faults done to a running lab on purpose, and the time it takes to be whole
//! again: what `bench heal` prints and the heal tests assert.

use std::time::{Duration, Instant};

use super::{LabError, LabRuntime, POLL};
use crate::runtime::docker::EngineError;
use crate::runtime::progress::Silent;
use crate::runtime::topology::{self, Kind};
use crate::wait;

/// How a container is hurt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    /// Its main process dies (SIGKILL from inside): Docker starts it again.
    Crash,
    /// `docker restart`.
    Restart,
    /// `docker kill`: stopped on purpose, so it stays down until `lab up`.
    Kill,
    /// `docker rm -f`: gone, until `lab up` makes it again.
    Remove,
}

impl Fault {
    pub const ALL: [Fault; 4] = [Fault::Crash, Fault::Restart, Fault::Kill, Fault::Remove];

    pub fn name(self) -> &'static str {
        match self {
            Fault::Crash => "crash",
            Fault::Restart => "restart",
            Fault::Kill => "kill",
            Fault::Remove => "remove",
        }
    }

    /// Whether the lab heals with nobody acting; otherwise `lab up` repairs it.
    pub fn heals_alone(self) -> bool {
        matches!(self, Fault::Crash | Fault::Restart)
    }
}

/// How a lab came back from one fault.
#[derive(Debug, Clone)]
pub struct Recovery {
    pub fault: Fault,
    pub container: String,
    /// `lab up`'s own time, for the faults it repairs.
    pub up_seconds: Option<f64>,
    /// From the fault to the lab whole again (every account registered), or
    /// `None` when it was not within the deadline.
    pub whole_after: Option<f64>,
    /// What was still wrong at the deadline.
    pub left: Vec<String>,
}

impl LabRuntime<'_> {
    /// Hurts one container of the lab, then waits (up to `deadline`) for the
    /// lab to be whole: by itself for a crash or restart, through `up` for a
    /// kill or removal.
    pub async fn hurt_and_heal(&self, kind: &Kind, fault: Fault, deadline: Duration) -> Result<Recovery, LabError> {
        let name = topology::container_name(&self.lab, kind);
        let before = self.engine.run_state(&name).await?.ok_or_else(|| LabError::NotRunning(name.clone()))?;
        let started = Instant::now();
        match fault {
            Fault::Crash => {
                let process = match kind {
                    Kind::Operator | Kind::Ipbx { .. } => "asterisk",
                    Kind::Mail => "smtpd",
                    Kind::OperatorPhones | Kind::Phones { .. } => "baresip",
                    Kind::SiteNet { .. } => "sleep",
                };
                self.engine.exec(&name, &["pkill", "-KILL", "-x", process]).await?;
            }
            Fault::Restart => self.engine.restart(&name).await?,
            Fault::Kill => self.engine.kill(&name).await?,
            Fault::Remove => self.engine.remove_container(&name).await?,
        }
        // The lab must first be seen hurt, or a quick poll would find the old
        // process still whole.
        let (engine, container, before) = (&self.engine, name.as_str(), &before);
        let hurt = wait::until(&name, deadline.saturating_sub(started.elapsed()), POLL, move || async move {
            let seen = match engine.run_state(container).await? {
                None => true,
                Some(life) => !life.running || life.started_at != before.started_at,
            };
            Ok::<_, EngineError>(wait::Poll::from(seen))
        });
        if let Err(wait::Error::Failed(e)) = hurt.await {
            return Err(e.into());
        }
        let mut up_seconds = None;
        if !fault.heals_alone() {
            let up_started = Instant::now();
            self.up(Default::default(), &Silent).await?;
            up_seconds = Some(up_started.elapsed().as_secs_f64());
        }
        let healed = wait::until(&name, deadline.saturating_sub(started.elapsed()), POLL, move || async move {
            let health = self.health().await?;
            Ok(if health.whole() { wait::Poll::Ready(health) } else { wait::Poll::Pending(health) })
        });
        let health = match healed.await {
            Ok(health) | Err(wait::Error::TimedOut { last: health, .. }) => health,
            Err(wait::Error::Failed(e)) => return Err(e),
        };
        Ok(Recovery {
            fault,
            container: name,
            up_seconds,
            whole_after: health.whole().then(|| started.elapsed().as_secs_f64()),
            left: health.problems,
        })
    }
}
