//! Grading in a running lab: a site on a student's folder (the generated
//! config with the SAE report's misspelt endpoint), its phones and trunk on the
//! passwords that folder declares, and the part I checks moved onto it.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use lab::gen::generate;
use lab::grade::mapping::Mapping;
use lab::grade::{inspect, session, write_site_config, Part};
use lab::model::Lab;
use lab::runtime::progress::Silent;
use lab::runtime::LabRuntime;
use lab::scenario::steps::Hears;
use lab::scenario::{RunOptions, Step};
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

/// Grades `dir` as `SITE` of `lab` by `checks`, in a lab of its own taken
/// down afterwards; `own_context` is the context the folder's phones call
/// from, when the run must know it.
async fn graded(
    lab: &Lab,
    dir: &Path,
    own_context: Option<&str>,
    inspection: &lab::grade::Inspection,
    checks: &[lab::scenario::Scenario],
    jobs: usize,
) -> session::Session {
    let state = tempfile::tempdir().unwrap();
    let state = StateDir::new(state.path(), &lab.name);
    support::remove_lab(&lab.name).await;
    let _cleanup = support::Cleanup::new(&lab.name);
    let out = tempfile::tempdir().unwrap();
    let mut options = RunOptions::new(jobs, out.path().to_path_buf(), state.config_dir());
    if let Some(context) = own_context {
        options.own_configs = BTreeMap::from([(SITE.to_string(), (dir.to_path_buf(), context.to_string()))]);
    }
    let run =
        session::run(lab, state.clone(), SITE, dir, inspection, checks, &options, &support::Stderr, &|_| {}).await;
    let down = LabRuntime::connect(lab, state).await.unwrap().down(false, &Silent).await;
    let run = run.expect("the graded lab runs");
    down.expect("down");
    run
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

    let checks = session::select_checks(&lab, &lab, SITE, &scenarios(&lab), None, Some(Part::I));
    let run = graded(&lab, student.path(), Some("internal"), &inspection, &checks, 8).await;

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

/// The SAE report's way of writing a site (one cabinet, endpoints `patron`,
/// `assistant`, `secretaire` on 1, 2, 3, its own trunk name and passwords),
/// graded through a mapping file: part I passes on the phones it configures.
#[tokio::test]
async fn a_config_of_its_own_names_is_graded_through_its_mapping() {
    let Some(engine) = support::engine_or_skip("a_config_of_its_own_names").await else {
        return;
    };
    support::images(&engine).await;
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grade-report");
    let original = support::sae_elsewhere("itest-mapped", "172.25.0.0/16", 15600, 52000);
    // Written for the default lab's operator address; moved to this lab's.
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture.join("etc-asterisk")).unwrap() {
        let path = entry.unwrap().path();
        let text =
            std::fs::read_to_string(&path).unwrap().replace("172.28.0.2", &original.network.operator().to_string());
        std::fs::write(copy.path().join(path.file_name().unwrap()), text).unwrap();
    }
    let dir = copy.path().to_path_buf();
    let text = std::fs::read_to_string(fixture.join("map.toml")).unwrap();
    let mapping = Mapping::parse("map.toml", &text, original.site(SITE).unwrap()).expect("a valid mapping");
    let lab = mapping.apply(&session::graded_lab(&original, SITE), SITE);
    let inspection = inspect(&lab, lab.site(SITE).unwrap(), &dir).unwrap();
    assert!(inspection.findings.is_empty(), "{:?}", inspection.findings);
    assert_eq!(inspection.trunk.as_ref().map(|t| t.name.as_str()), Some("operateurvoix1"));
    assert_eq!(inspection.password("secretaire"), Some("toto"));

    let checks = session::select_checks(&original, &lab, SITE, &scenarios(&original), Some(&mapping), Some(Part::I));
    let run = graded(&lab, &dir, None, &inspection, &checks, 8).await;

    assert_eq!(run.registration.phones.len(), 3, "one cabinet");
    assert!(run.registration.phones.iter().all(|(_, ok)| *ok), "{:?}", run.registration.phones);
    let results = &run.report.results;
    let calls = results.iter().filter(|r| r.scenario == "internal-calls").count();
    assert_eq!(calls, 6, "every pair of the cabinet's three phones, both ways");
    for r in results.iter().filter(|r| r.scenario == "internal-calls") {
        assert!(r.passed(), "{}: {:?}", r.says, r.failure);
        assert!(r.says.contains("table2/patron") || r.says.contains("table2/assistant"), "{}", r.says);
    }
}

#[derive(serde::Deserialize)]
struct Edits {
    edit: Vec<Edit>,
}

#[derive(serde::Deserialize)]
struct Edit {
    file: String,
    find: String,
    replace: String,
}

/// A config playing sounds of its own where the lab plays its tones
/// (`tests/fixtures/grade-own-sounds/`: Asterisk's music on hold, stock
/// prompts as the welcome and the refusal): the checks listening for them
/// pass, each saying it heard the site's own sound. The menu it kept is the
/// lab's tone, heard as such: no note.
#[tokio::test]
async fn a_config_playing_its_own_sounds_passes_the_checks_listening_for_them() {
    let Some(engine) = support::engine_or_skip("a_config_playing_its_own_sounds").await else {
        return;
    };
    support::images(&engine).await;
    let original = support::sae_elsewhere("itest-sounds", "10.96.0.0/16", 15700, 55000);
    let lab = session::graded_lab(&original, SITE);
    let site = lab.site(SITE).unwrap();
    let student = tempfile::tempdir().unwrap();
    write_site_config(&generate(&lab, &Secrets::deterministic(&lab)), SITE, student.path()).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grade-own-sounds/edits.toml");
    let edits: Edits = toml::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    for e in &edits.edit {
        let path = student.path().join(&e.file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(&e.find), "{}: no {:?}", e.file, e.find);
        std::fs::write(&path, text.replacen(&e.find, &e.replace, 1)).unwrap();
    }
    let inspection = inspect(&lab, site, student.path()).unwrap();

    // Only the checks listening for the site's sounds, on the site and one peer.
    let running = session::part_of_lab(&lab, SITE);
    let checks = session::select_checks(&original, &running, SITE, &scenarios(&original), None, None);
    let own = |check: &lab::scenario::Check| {
        check.steps.iter().any(|l| matches!(&l.step, Step::Hears(Hears { own_sounds: true, .. })))
    };
    let checks: Vec<_> = checks
        .into_iter()
        .map(|s| lab::scenario::Scenario { checks: s.checks.iter().filter(|c| own(c)).cloned().collect(), ..s })
        .filter(|s| !s.checks.is_empty())
        .collect();
    let names: Vec<&str> = checks.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["hold-music", "ivr", "voicemail", "welcome"]);

    let run = graded(&running, student.path(), Some("internal"), &inspection, &checks, 4).await;

    let results = &run.report.results;
    assert_eq!(results.len(), 5, "{:?}", results.iter().map(|r| &r.says).collect::<Vec<_>>());
    for r in results {
        eprintln!("{}", lab::scenario::report::line(r));
        assert!(r.passed(), "{}: {:?}", r.says, r.failure);
        let notes: Vec<&str> = r.notes.iter().map(|n| n.en.as_str()).collect();
        let own = match r.scenario.as_str() {
            "ivr" => {
                assert!(notes.is_empty(), "{}: the lab's menu is heard as such: {notes:?}", r.says);
                continue;
            }
            "hold-music" => "your own music on hold",
            "welcome" => "your own welcome message",
            _ => "your own refusal message",
        };
        assert!(notes.iter().any(|n| n.contains("not the lab's") && n.contains(own)), "{}: {notes:?}", r.says);
    }
}
