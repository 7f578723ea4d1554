//! Choosing and comparing the checks grading runs.

use crate::model::Lab;
use crate::scenario::{Check, Scenario};

/// Each scenario with its checks passed through `keep`, which sees the
/// checks kept so far and gives the one to keep, if any; a scenario left with
/// none goes.
pub(super) fn each_check(
    scenarios: Vec<Scenario>,
    mut keep: impl FnMut(&Check, &[Check]) -> Option<Check>,
) -> Vec<Scenario> {
    scenarios
        .into_iter()
        .filter_map(|scenario| {
            let mut checks: Vec<Check> = Vec::new();
            for check in &scenario.checks {
                if let Some(kept) = keep(check, &checks) {
                    checks.push(kept);
                }
            }
            (!checks.is_empty()).then_some(Scenario { checks, ..scenario })
        })
        .collect()
}

/// Every phone the check names exists in `lab` (the operator's test phones
/// always do).
pub(super) fn phones_exist(lab: &Lab, check: &Check) -> bool {
    check.phones().iter().all(|p| {
        p.site == crate::gen::OPERATOR
            || lab.site(&p.site).is_some_and(|s| s.phones.iter().any(|ph| ph.account == p.account))
    })
}

/// The same actions and observations, whatever their sentences say.
pub(super) fn same_steps(a: &Check, b: &Check) -> bool {
    a.steps.len() == b.steps.len() && a.steps.iter().zip(&b.steps).all(|(x, y)| x.step == y.step)
}
