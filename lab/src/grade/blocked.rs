//! Checks that cannot pass whatever happens in them: a phone of the graded
//! site that does not register, or a trunk that does not register for a
//! check that goes through the operator. They are not run (each would wait
//! out its timeouts and give one wrong hint more); the report lists them
//! under that root cause, and they count as failed.

use std::time::SystemTime;

use crate::scenario::{Check, CheckResult, Failure, Scenario};

/// Why a check was not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// This phone of the graded site does not register.
    Phone(String),
    /// The graded site's trunk does not register at the operator.
    Trunk,
}

/// What registered of the graded site when its checks were to run.
#[derive(Debug, Clone)]
pub struct Registration {
    pub trunk: bool,
    /// The site's phones (account, registered).
    pub phones: Vec<(String, bool)>,
}

/// What keeps `check` from passing on `site`, if anything does.
pub fn blocker(check: &Check, site: &str, registration: &Registration) -> Option<Blocker> {
    let phones = check.phones();
    let down = |account: &str| registration.phones.iter().any(|(a, ok)| a == account && !ok);
    if let Some(p) = phones.iter().find(|p| p.site == site && down(&p.account)) {
        return Some(Blocker::Phone(p.account.clone()));
    }
    // Another site's phones and the operator's test phones are reached through it.
    let outside = phones.iter().any(|p| p.site != site);
    (!registration.trunk && outside).then_some(Blocker::Trunk)
}

/// The checks of `scenarios` split into those to run and those a blocker
/// keeps from passing, as results (failed, with the blocker).
pub fn split(
    scenarios: &[Scenario],
    site: &str,
    registration: &Registration,
) -> (Vec<Scenario>, Vec<(String, CheckResult, Blocker)>) {
    let mut run = Vec::new();
    let mut blocked = Vec::new();
    for scenario in scenarios {
        let mut kept = Vec::new();
        for check in &scenario.checks {
            match blocker(check, site, registration) {
                None => kept.push(check.clone()),
                Some(b) => blocked.push((scenario.name.clone(), not_run(&scenario.name, check, &b), b)),
            }
        }
        if !kept.is_empty() {
            run.push(Scenario { checks: kept, ..scenario.clone() });
        }
    }
    (run, blocked)
}

fn not_run(scenario: &str, check: &Check, blocker: &Blocker) -> CheckResult {
    let why = match blocker {
        Blocker::Phone(account) => format!("not run: {account} does not register"),
        Blocker::Trunk => "not run: the trunk does not register at the operator".to_string(),
    };
    let now = SystemTime::now();
    CheckResult {
        scenario: scenario.to_string(),
        says: check.says.clone(),
        says_fr: check.says_fr.clone(),
        place: check.place.clone(),
        seconds: 0.0,
        failure: Some(Failure {
            step: String::new(),
            expected: "every phone it uses registered".to_string(),
            observed: why,
            look: Vec::new(),
            lab: false,
        }),
        lab_error: None,
        left_open: Vec::new(),
        notes: Vec::new(),
        started: now,
        ended: now,
        phones: check.phones().into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Lab;

    #[test]
    fn a_check_is_kept_from_passing_by_what_it_needs_and_does_not_register() {
        let lab = Lab::sae();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
        let scenarios = crate::scenario::load_dir(&dir, &lab).expect("the shipped scenarios are valid");
        let registration =
            Registration { trunk: false, phones: vec![("patron1".into(), false), ("secretaire1".into(), true)] };
        let (run, blocked) = split(&scenarios, "table1", &registration);
        assert!(!blocked.is_empty());
        for (_, result, why) in &blocked {
            let names =
                |site: &str, account: &str| result.phones.iter().any(|p| p.site == site && p.account == account);
            match why {
                Blocker::Phone(a) => assert!(a == "patron1" && names("table1", "patron1"), "{}", result.says),
                Blocker::Trunk => assert!(result.phones.iter().any(|p| p.site != "table1"), "{}", result.says),
            }
            assert!(!result.passed(), "a check not run is failed");
        }
        for check in run.iter().flat_map(|s| &s.checks) {
            assert_eq!(blocker(check, "table1", &registration), None, "{}", check.says);
        }
        let all = Registration { trunk: true, phones: vec![("patron1".into(), true)] };
        assert!(split(&scenarios, "table1", &all).1.is_empty(), "nothing blocked when all registers");
    }
}
