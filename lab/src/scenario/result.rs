//! What running a check gives: its failure in a student's terms, its result.

use std::time::SystemTime;

use super::names::PhoneId;

/// The step named in the failure of a check that failed only to leave the
/// lab as it found it.
pub(super) const CLEANUP_STEP: &str = "after the check";

/// What went wrong, in a student's terms.
#[derive(Debug, Clone)]
pub struct Failure {
    pub step: String,
    pub expected: String,
    pub observed: String,
    /// Config lines and captures to look at.
    pub look: Vec<String>,
    /// The lab kept the step from being done (a softphone or Docker that did
    /// not answer): whatever the config, the check is a lab error.
    pub lab: bool,
}

/// How a check passed, when the report should say: a site's own sound heard
/// where the lab plays its tone, for instance. In English and French.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub en: String,
    pub fr: String,
}

#[derive(Debug, Clone)]
pub struct CheckResult {
    pub scenario: String,
    pub says: String,
    /// The check's sentence in French, when its file gives one.
    pub says_fr: Option<String>,
    pub place: String,
    pub seconds: f64,
    /// What the check saw go wrong (with a lab error, what it saw as the lab broke).
    pub failure: Option<Failure>,
    /// Set when the lab itself broke while the check failed: why, e.g.
    /// "table1's softphones restarted during the check (RestartCount 0 → 1)".
    /// Such a check tells nothing about the config.
    pub lab_error: Option<String>,
    /// Channels the check's phones left open, which the runner hung up
    /// ("left channel PJSIP/patron1-00000012 open; hung up").
    pub left_open: Vec<String>,
    /// How its steps passed, when they say (see [`Note`]).
    pub notes: Vec<Note>,
    /// When the check started acting (its phones locked) and ended: the window
    /// in which its SIP calls are looked for in the captures.
    pub started: SystemTime,
    pub ended: SystemTime,
    /// The phones it acted as.
    pub phones: Vec<PhoneId>,
}

impl CheckResult {
    pub fn passed(&self) -> bool {
        self.failure.is_none() && self.lab_error.is_none()
    }

    /// Failed because of the config (or the scenario), not because the lab broke.
    pub fn failed(&self) -> bool {
        self.failure.is_some() && self.lab_error.is_none()
    }

    pub fn is_lab_error(&self) -> bool {
        self.lab_error.is_some()
    }

    /// Whether its only fault is the channels it left open (the failure then
    /// says so already).
    pub fn failed_to_clean_up(&self) -> bool {
        self.failure.as_ref().is_some_and(|f| f.step == CLEANUP_STEP)
    }
}

pub(super) fn fail(expected: impl Into<String>, observed: impl Into<String>) -> Failure {
    Failure { step: String::new(), expected: expected.into(), observed: observed.into(), look: Vec::new(), lab: false }
}

/// A step the lab kept from being done: a softphone that did not answer its
/// control connection, a Docker call that failed. The check is a lab error.
pub(super) fn broken(expected: impl Into<String>, observed: impl Into<String>) -> Failure {
    Failure { lab: true, ..fail(expected, observed) }
}
