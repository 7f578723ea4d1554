//! What a scenario file holds once checked against the lab: scenarios made
//! of checks, each a sequence of steps.

use std::collections::BTreeSet;

use super::names::{PhoneId, Resource};
use super::rewrite::Rewrite;
use super::steps::Step;

/// A step with what it means to a student.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepLine {
    pub step: Step,
    pub says: String,
}

/// One named check: a sequence of steps, pass or fail as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub says: String,
    /// The same sentence in French (`fr` in the file), for French reports.
    pub says_fr: Option<String>,
    pub steps: Vec<StepLine>,
    /// Where it is written, for reports (`scenarios/x.toml:12`).
    pub place: String,
}

impl Check {
    /// Everything the check acts on, so concurrent checks never share one.
    pub fn resources(&self) -> BTreeSet<Resource> {
        self.steps.iter().flat_map(|s| s.step.resources()).collect()
    }

    /// The same check with its names rewritten.
    pub fn rewrite(&self, r: &Rewrite<'_>) -> Check {
        Check {
            says: (r.text)(&self.says),
            says_fr: self.says_fr.as_deref().map(r.text),
            place: self.place.clone(),
            steps: self.steps.iter().map(|l| StepLine { step: l.step.rewrite(r), says: (r.text)(&l.says) }).collect(),
        }
    }

    /// The phones the check acts as or observes.
    pub fn phones(&self) -> BTreeSet<PhoneId> {
        self.resources().into_iter().filter_map(|r| r.phone().cloned()).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// File stem: what `scenario run NAME` selects.
    pub name: String,
    pub title: String,
    /// SAE part (I, II, III, IV…), for grouping.
    pub part: Option<String>,
    pub checks: Vec<Check>,
}
