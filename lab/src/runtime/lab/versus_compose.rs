//! `lab up` raced against the lab's own compose file started by
//! `docker-compose`, what a user would pick instead: each from nothing
//! running (images present) to every trunk and phone registered, then down.

use std::path::Path;
use std::time::Instant;

use super::{LabError, LabRuntime};
use crate::runtime::compose::{self, ComposeError, Project};
use crate::runtime::images::RootSource;
use crate::runtime::progress::Progress;

#[derive(Debug, thiserror::Error)]
pub enum RaceError {
    #[error(transparent)]
    Lab(#[from] LabError),
    #[error(transparent)]
    Compose(#[from] ComposeError),
    #[error("cannot write the compose file {path}: {source}")]
    Write { path: String, source: std::io::Error },
}

/// Seconds each way took, in one run on the same machine.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Race {
    pub containers: usize,
    /// `lab up` from no container to every account registered.
    pub lab_up: f64,
    pub lab_down: f64,
    /// `docker-compose up -d` alone: containers started, nothing booted yet.
    pub compose_started: f64,
    /// `docker-compose up -d`, then waiting for the same registrations.
    pub compose_up: f64,
    pub compose_down: f64,
}

impl Race {
    /// How many times faster `lab up` is than compose plus the wait.
    pub fn up_ratio(&self) -> f64 {
        self.compose_up / self.lab_up
    }

    pub fn down_ratio(&self) -> f64 {
        self.compose_down / self.lab_down
    }
}

impl LabRuntime<'_> {
    /// Brings the lab up and down, then the same lab from its compose file
    /// (written to `file`, run as compose project `project`) up, waited for,
    /// and down. The lab is left down; its volumes are kept.
    pub async fn race_compose(&self, project: &str, file: &Path, progress: &dyn Progress) -> Result<Race, RaceError> {
        progress.step("removing the lab's containers, if any");
        self.down(false, progress).await?;
        // Both start from what a `lab down` leaves (the volumes' astdb
        // included), whatever ran before: one round up and down, untimed.
        progress.step("a first lab up and down, untimed");
        self.up(RootSource::default(), progress).await?;
        self.down(false, progress).await?;

        progress.step("lab up");
        let started = Instant::now();
        let up = self.up(RootSource::default(), progress).await?;
        let lab_up = started.elapsed().as_secs_f64();
        let started = Instant::now();
        self.down(false, progress).await?;
        let lab_down = started.elapsed().as_secs_f64();

        let text = compose::export(&self.lab, &self.state)?;
        std::fs::write(file, text).map_err(|source| RaceError::Write { path: file.display().to_string(), source })?;
        let project = Project { name: project.to_string(), file: file.to_path_buf() };
        progress.step(&format!("docker-compose -p {} up -d", project.name));
        let started = Instant::now();
        let raced = async {
            project.up().await?;
            let compose_started = started.elapsed().as_secs_f64();
            self.wait_registered().await?;
            Ok::<_, RaceError>((compose_started, started.elapsed().as_secs_f64()))
        }
        .await;
        let (compose_started, compose_up) = match raced {
            Ok(times) => times,
            Err(e) => {
                // Leave nothing of the compose project behind.
                let _ = project.down().await;
                return Err(e);
            }
        };
        progress.step(&format!("docker-compose -p {} down", project.name));
        let started = Instant::now();
        project.down().await?;
        let compose_down = started.elapsed().as_secs_f64();
        Ok(Race { containers: up.created.len(), lab_up, lab_down, compose_started, compose_up, compose_down })
    }
}
