//! Docker at the rim: images, networks, containers, readiness.

pub(crate) mod asterisk_cli;
pub mod compose;
pub mod docker;
pub mod host;
pub mod images;
mod lab;
pub mod placement;
pub mod progress;
pub mod scale;
pub mod swarm;
pub mod topology;

pub use asterisk_cli::parse_contacts;
pub use lab::{
    hand_over, remember_bind, remember_swarm, DownReport, Fault, HandOver, Health, LabError, LabRuntime, Race,
    RaceError, Recovery, SoftphoneAccount, TerminalView, UpReport,
};

/// Prefix of every label the lab puts on what it creates.
pub const LABEL_PREFIX: &str = "sae-lab";
