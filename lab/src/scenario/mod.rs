//! Scenarios: end-to-end checks a student can read, run against a live lab.
//!
//! A scenario file (`scenarios/*.toml`) is checked against the lab into
//! [`Scenario`]s made of [`Check`]s; each check is a list of [`Step`]s acting
//! as phones and expecting what a user would observe. Each kind of step has
//! its file in [`steps`].

pub mod audible;
pub mod audio;
mod blf;
mod breakage;
mod call;
mod check;
mod ctx;
mod file;
mod flow;
pub mod hints;
mod media;
mod names;
mod options;
pub mod pcap;
pub mod phones;
mod prompts;
pub mod report;
mod result;
mod rewrite;
mod runner;
mod sipp;
pub mod soak;
pub mod steps;

pub use blf::BlfState;
pub use breakage::{Change, ChangeKind};
pub use check::{Check, Scenario, StepLine};
pub use file::{load_dir, parse};
pub use names::{PhoneId, Resource};
pub use options::RunOptions;
pub use result::{CheckResult, Failure, Note};
pub use rewrite::Rewrite;
pub use runner::{run, RunError, RunReport};
pub use steps::{Sound, Step};
