//! Calls under load (`bench calls`): real SIPp UAs, registered as the lab's
//! own phones, place calls from every site to the next one through the
//! trunks and the operator, with RTP both ways for the whole call, ramping
//! until calls fail; the report says where the limit comes from.
//!
//! Each site's first phone places its calls (SIPp, `sipp/call.xml`,
//! streaming a tone); the next site's other phones answer them (one SIPp
//! registered as all of them, `sipp/answer.xml`, echoing the RTP back). The
//! lab's softphones let go of those accounts meanwhile, as `lab softphone`
//! does, and take them back at the end.

pub mod machine;
mod plan;
mod report;
mod run;
mod sipp;
mod stats;

use std::time::Duration;

pub use plan::Plan;
pub use report::{CallsReport, Limit, Step};
pub use run::run;
pub use stats::RtpCounts;

use crate::runtime::docker::EngineError;
use crate::runtime::LabError;

/// How the ramp goes.
#[derive(Debug, Clone)]
pub struct Options {
    /// Calls at once in the first step, and how many more in each next one
    /// (each rounded down to a multiple of the sites).
    pub first: usize,
    pub step: usize,
    /// Never more calls at once than this (all the lab's phones allow by default).
    pub max: Option<usize>,
    /// Calls placed per second, all sites together.
    pub rate: f64,
    /// How long every call of a step is held together while measured.
    pub plateau: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options { first: 40, step: 40, max: None, rate: 20.0, plateau: Duration::from_secs(10) }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Lab(#[from] LabError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("inter-site calls need two sites at least; lab {0} has one")]
    OneSite(String),
    #[error("{0} has no phone left to answer calls (one places them, the others answer)")]
    NoCallee(String),
    #[error("cannot leave the load's phones to SIPp: {0}")]
    Accounts(String),
    #[error("SIPp could not register the load's phones of {site}: {why}")]
    Register { site: String, why: String },
    #[error("{container} did not answer `{cli}` (its Asterisk is down, or too busy)")]
    Silent { container: String, cli: String },
    #[error("the lab did not close the step's calls: {0}")]
    Leftover(String),
}
