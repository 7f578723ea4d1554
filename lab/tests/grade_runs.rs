//! Grading in a running lab: a site on a student's folder (the generated
//! config with the SAE report's misspelt endpoint), its phones and trunk on the
//! passwords that folder declares, and the part I checks moved onto it.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use lab::gen::generate;
use lab::grade::{inspect, session, write_site_config, Part};
use lab::model::Lab;
use lab::runtime::progress::Silent;
use lab::runtime::LabRuntime;
use lab::scenario::RunOptions;
use lab::secrets::Secrets;
use lab::state::StateDir;

const SITE: &str = "table2";

fn lab() -> Lab {
    support::sae_elsewhere("itest-grade", "172.26.0.0/16", 15500, 50000)
}

fn scenarios(lab: &Lab) -> Vec<lab::scenario::Scenario> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    lab::scenario::load_dir(&dir, lab).expect("the shipped scenarios are valid")
}

#[test]
fn every_shipped_scenario_belongs_to_a_part() {
    for s in scenarios(&Lab::sae()) {
        let part = s.part.as_deref().unwrap_or_default();
        assert!(Part::from_scenario(part).is_some(), "{}: part {part:?} is none of I, II, III, IV, challenges", s.name);
    }
}

#[tokio::test]
async fn a_misspelt_endpoint_fails_exactly_the_calls_to_it() {
    let Some(engine) = support::engine_or_skip("a_misspelt_endpoint_fails").await else {
        return;
    };
    support::images(&engine).await;
    let lab = session::graded_lab(&lab(), SITE);
    let site = lab.site(SITE).unwrap();

    // The student's folder: another set of passwords than the lab's own.
    let student = tempfile::tempdir().unwrap();
    let tree = generate(&lab, &Secrets::deterministic(&lab));
    write_site_config(&tree, SITE, student.path()).unwrap();
    let extensions = student.path().join("extensions.conf");
    let text = std::fs::read_to_string(&extensions).unwrap();
    std::fs::write(&extensions, text.replacen("Dial(PJSIP/secretaire1,", "Dial(PJSIP/secraitaire1,", 1)).unwrap();
    let inspection = inspect(&lab, site, student.path()).unwrap();
    assert_eq!(inspection.findings.len(), 1, "{:?}", inspection.findings);

    let state = tempfile::tempdir().unwrap();
    let state = StateDir::new(state.path(), &lab.name);
    support::remove_lab(&lab.name).await;
    let _cleanup = support::Cleanup::new(&lab.name);
    let out = tempfile::tempdir().unwrap();
    let mut options = RunOptions::new(8, out.path().to_path_buf(), state.config_dir());
    options.own_configs = BTreeMap::from([(SITE.to_string(), (student.path().to_path_buf(), "internal".to_string()))]);
    let run = session::run(
        &lab,
        state.clone(),
        SITE,
        student.path(),
        &inspection,
        &scenarios(&lab),
        Some(Part::I),
        &options,
        &support::Stderr,
        &|_| {},
    )
    .await;
    let down = LabRuntime::connect(&lab, state).await.unwrap().down(false, &Silent).await;
    let run = run.expect("the graded lab runs");
    down.expect("down");

    let r = &run.registration;
    assert!(r.trunk, "the trunk registers with the folder's own password");
    assert!(r.phones.iter().all(|(_, ok)| *ok), "every phone registers with the folder's passwords: {:?}", r.phones);
    assert!(run.parts.iter().all(|p| *p == Part::I));
    let results = &run.report.results;
    assert!(results.len() >= 30, "part I's checks moved onto {SITE}: {}", results.len());
    for result in results {
        let calls_13 = result.says.contains(&format!("{SITE}/secretaire1 (13)"));
        match &result.failure {
            None => assert!(!calls_13, "{} passed, yet 13 dials a missing endpoint", result.says),
            Some(f) => {
                assert!(calls_13, "only calls to 13 fail, not {}: {}", result.says, f.observed);
                let look = f.look.join("\n");
                assert!(
                    look.contains("secraitaire1") && look.contains("no endpoint"),
                    "the hint names the typo: {look}"
                );
                assert!(
                    look.contains(&student.path().display().to_string()),
                    "the hint points into the folder: {look}"
                );
            }
        }
    }
    assert_eq!(results.iter().filter(|r| !r.passed()).count(), 2, "patron1 and assistant1 call 13");
}
