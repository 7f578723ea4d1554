//! A grading run: the site on the student's folder, every other site as
//! generated, then the checks that exercise that site.

use std::path::Path;

use super::blocked::Registration;
use super::blocked::{self, Blocker};
use super::live_causes;
use super::mapping::Mapping;
use super::rewrite::{each_check, phones_exist};
use super::{own_sounds, retarget, Inspection, Part};
use crate::model::Lab;
use crate::runtime::progress::Progress;
use crate::runtime::{LabError, LabRuntime};
use crate::scenario::{self, CheckResult, RunError, RunOptions, RunReport, Scenario};
use crate::secrets::Secrets;
use crate::state::StateDir;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Lab(#[from] LabError),
    #[error(transparent)]
    Run(#[from] RunError),
}

/// What the lab saw of the graded site.
pub struct Session {
    pub registration: Registration,
    pub report: RunReport,
    /// Each result's part, in the report's order.
    pub parts: Vec<Part>,
    /// Checks not run: a phone or the trunk they need does not register.
    pub blocked: Vec<(Part, CheckResult, Blocker)>,
}

/// The part of the lab a grade runs: the graded site, one peer site (the
/// first other one) for the calls between sites, and the operator. Checks
/// naming other sites are left out (see [`select_checks`]).
pub fn part_of_lab(lab: &Lab, site: &str) -> Lab {
    let mut lab = lab.clone();
    let peer = lab.sites.iter().find(|s| s.name != site).map(|s| s.name.clone());
    lab.sites.retain(|s| s.name == site || Some(&s.name) == peer.as_ref());
    lab
}

/// The lab with the graded site's passwords as its config declares them,
/// so that the lab's phones and the operator use those.
pub fn graded_lab(lab: &Lab, site: &str) -> Lab {
    let mut lab = lab.clone();
    if let Some(s) = lab.sites.iter_mut().find(|s| s.name == site) {
        s.password = None;
    }
    lab
}

/// The checks of `scenarios` (valid for `original`) that grade `site`: moved
/// onto it, put in the mapping's terms when there is one, only those of `only`,
/// the site's own sounds taken where the lab plays its tones.
/// [`crate::grade::feature_codes::FeatureCodes::apply`] then gives them the
/// config's own in-call codes.
pub fn select_checks(
    original: &Lab,
    graded: &Lab,
    site: &str,
    scenarios: &[Scenario],
    mapping: Option<&Mapping>,
    only: Option<Part>,
) -> Vec<Scenario> {
    let moved = retarget::checks_for_site(original, scenarios, site);
    let moved = match mapping {
        Some(m) => m.translate(original, graded, site, moved),
        None => moved,
    };
    // Only checks whose phones the graded lab has (it may run a part of the sites).
    let moved = each_check(moved, |check, _| phones_exist(graded, check).then(|| check.clone()));
    own_sounds::accept(site, moved)
        .into_iter()
        .filter(|s| {
            let part = s.part.as_deref().and_then(Part::from_scenario);
            part.is_some() && only.is_none_or(|o| part == Some(o))
        })
        .collect()
}

/// Brings `lab` up with `site` on `dir` (its phones and trunk using the
/// passwords `inspection` found), runs `checks` (see [`select_checks`]), and reports.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    lab: &Lab,
    state: StateDir,
    site: &str,
    dir: &Path,
    inspection: &Inspection,
    checks: &[Scenario],
    options: &RunOptions,
    progress: &dyn Progress,
    on_result: &(dyn Fn(&CheckResult) + Sync),
) -> Result<Session, SessionError> {
    let model = lab.site(site).ok_or_else(|| LabError::NoSuchSite(site.to_string()))?;
    let secrets = Secrets::load_or_create(state.path(), lab).map_err(LabError::from)?;
    let phones: Vec<(&str, &str)> =
        inspection.phones.iter().filter_map(|p| Some((p.account.as_str(), p.password.as_deref()?))).collect();
    let trunk = inspection.trunk.as_ref().and_then(|t| t.password.as_deref());
    let secrets = secrets.with_site_passwords(model, &phones, trunk);
    // What the files already show cannot register is not waited for.
    let findings = &inspection.findings;
    let mut unawaited: Vec<String> = inspection
        .phones
        .iter()
        .filter(|p| live_causes::phone_cause(findings, &p.account).is_some())
        .map(|p| p.account.clone())
        .collect();
    if live_causes::trunk_cause(findings).is_some() {
        unawaited.push("trunk".to_string());
    }
    let runtime =
        LabRuntime::connect(lab, state).await?.with_own_config(site, dir, secrets.clone())?.not_awaiting(unawaited);
    let up = runtime.up(Default::default(), progress).await?;
    let status = up.status.sites.iter().find(|s| s.name == site).expect("the site is in the status");
    let registration = Registration {
        trunk: status.trunk.registered,
        phones: status.phones.iter().map(|p| (p.name.clone(), p.registered)).collect(),
    };

    let (to_run, blocked) = blocked::split(checks, site, &registration);
    let part_of = |name: &str| {
        let part = checks.iter().find(|s| s.name == name).and_then(|s| s.part.as_deref());
        part.and_then(Part::from_scenario).expect("selected scenarios have a part")
    };
    let blocked = blocked.into_iter().map(|(name, result, why)| (part_of(&name), result, why)).collect();
    let report = scenario::run(runtime.engine(), lab, &secrets, &to_run, options, on_result).await?;
    let parts = report.results.iter().map(|r| part_of(&r.scenario)).collect();
    Ok(Session { registration, report, parts, blocked })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grade_runs_the_site_a_peer_and_keeps_only_their_checks() {
        let lab = Lab::sae();
        let part = part_of_lab(&lab, "table3");
        let names: Vec<&str> = part.sites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["table1", "table3"]);
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
        let scenarios = crate::scenario::load_dir(&dir, &lab).expect("the shipped scenarios are valid");
        let checks = select_checks(&lab, &part, "table3", &scenarios, None, None);
        let sites: std::collections::BTreeSet<String> =
            checks.iter().flat_map(|s| &s.checks).flat_map(|c| c.phones()).map(|p| p.site).collect();
        assert!(sites.iter().all(|s| ["table1", "table3", crate::gen::OPERATOR].contains(&s.as_str())), "{sites:?}");
        assert!(checks.iter().any(|s| s.name == "intersite-calls"), "calls between the two sites stay");
    }
}
