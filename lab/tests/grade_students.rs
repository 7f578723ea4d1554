//! Whole student-style configs written from scratch in the SAE's layout
//! (`tests/fixtures/grade-student/<name>/`: `etc-asterisk/`, `map.toml`,
//! `expected.toml`), read by the grader and by a throwaway Asterisk 22: the
//! root causes must be exactly those expected, each on its line, each with
//! what it explains, and no other (no false finding).

mod grade_support;
mod support;

use std::path::{Path, PathBuf};

use lab::grade::asterisk_says::{self, Reading};
use lab::grade::causes::root_causes;
use lab::grade::mapping::Mapping;
use lab::grade::{inspect, session, Lang};
use lab::model::Lab;
use lab::runtime::progress::Silent;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    site: String,
    finding: Vec<ExpectedFinding>,
    live: Live,
}

/// What registers once the site runs the config.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Live {
    unregistered: Vec<String>,
    trunk: bool,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedFinding {
    /// `file:line`, or `file` for the file as a whole.
    at: String,
    /// A part of the English sentence.
    says: String,
    /// Parts of the sentences of what it explains, in order.
    #[serde(default)]
    explains: Vec<String>,
}

fn lab() -> Lab {
    support::sae_elsewhere("itest-grade2", "10.98.0.0/16", 16800, 31000)
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grade-student")
}

/// The student's folder, written for the default lab's operator address,
/// moved to `lab`'s.
fn folder(name: &str, lab: &Lab) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root().join(name).join("etc-asterisk")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap().replace("172.28.0.2", &lab.network.operator().to_string());
        std::fs::write(copy.path().join(path.file_name().unwrap()), text).unwrap();
    }
    copy
}

fn expected(name: &str) -> Expected {
    let text = std::fs::read_to_string(root().join(name).join("expected.toml")).unwrap();
    toml::from_str(&text).unwrap_or_else(|e| panic!("{name}/expected.toml: {e}"))
}

/// The lab as the config names its phones (its mapping), with its passwords.
fn mapped(name: &str, original: &Lab, site: &str) -> (Lab, Mapping) {
    let map = std::fs::read_to_string(root().join(name).join("map.toml")).unwrap();
    let mapping = Mapping::parse("map.toml", &map, original.site(site).unwrap()).expect("a valid mapping");
    (mapping.apply(&session::graded_lab(original, site), site), mapping)
}

async fn graded(name: &str) -> Vec<String> {
    let original = lab();
    let expected = expected(name);
    let (lab, mapping) = mapped(name, &original, &expected.site);
    let site = lab.site(&expected.site).unwrap();
    let dir = folder(name, &lab);
    let mut inspection = inspect(&lab, site, dir.path()).unwrap();
    mapping.check_trunk(&inspection).expect("the mapping names the trunk");
    let trunk = inspection.trunk.as_ref().map(|t| t.name.clone());
    let (findings, reading) = asterisk_says::hear(&lab, site, dir.path(), trunk.as_deref(), &Silent).await.unwrap();
    assert!(matches!(reading, Reading::Heard { booted: true, .. }), "{name}: {reading:?}");
    inspection.add_asterisk_findings(findings);

    let mut wrong = Vec::new();
    // Every finding names a line of the folder that exists, quoted as written
    // (or a file as a whole).
    for f in &inspection.findings {
        let written = grade_support::line_text(dir.path(), &f.at);
        if f.at.line > 0 && f.text != written {
            wrong.push(format!("{name}: {} quotes {:?}, the line is {written:?}", f.at, f.text));
        }
    }
    let causes = root_causes(&inspection.findings);
    let shown: Vec<String> = causes
        .iter()
        .map(|c| {
            let under: Vec<String> = c.explains.iter().map(|e| format!("\n      - {}", e.render(Lang::En))).collect();
            format!("  {}{}", c.finding.render(Lang::En), under.concat())
        })
        .collect();
    let mut matched = vec![false; causes.len()];
    for want in &expected.finding {
        let hit = causes.iter().enumerate().find(|(i, c)| {
            !matched[*i] && c.finding.at.to_string() == want.at && c.finding.message(Lang::En).contains(&want.says)
        });
        let Some((i, cause)) = hit else {
            wrong.push(format!("{name}: missing {} `{}`", want.at, want.says));
            continue;
        };
        matched[i] = true;
        let explained: Vec<String> = cause.explains.iter().map(|e| e.message(Lang::En)).collect();
        let explains_ok = want.explains.len() == explained.len()
            && want.explains.iter().zip(&explained).all(|(w, e)| e.contains(w.as_str()));
        if !explains_ok {
            wrong.push(format!("{name}: {} explains {explained:#?}, expected {:#?}", want.at, want.explains));
        }
        if cause.finding.message(Lang::Fr) == cause.finding.message(Lang::En) {
            wrong.push(format!("{name}: {} has no French sentence", want.at));
        }
    }
    for (_, cause) in causes.iter().enumerate().filter(|(i, _)| !matched[*i]) {
        wrong.push(format!("{name}: not expected (a false finding?): {}", cause.finding.render(Lang::En)));
    }
    if !wrong.is_empty() {
        wrong.push(format!("{name}, every root cause:\n{}", shown.join("\n")));
    }
    wrong
}

#[tokio::test]
async fn whole_student_configs_give_exactly_their_root_causes() {
    let Some(engine) = support::engine_or_skip("whole_student_configs").await else {
        return;
    };
    support::images(&engine).await;
    let mut wrong = Vec::new();
    for name in ["rapport-sae", "pjsip-numeros"] {
        wrong.extend(graded(name).await);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// Graded end to end in the lab, as `cargo xtask grade` does: only the site,
/// a peer site and the operator run; what does not register is what the
/// files said, the checks it keeps from passing are not run but listed under
/// it, and no hint points at a config the lab generated.
#[tokio::test]
async fn whole_student_configs_graded_in_the_lab() {
    let Some(engine) = support::engine_or_skip("whole_student_configs_graded_in_the_lab").await else {
        return;
    };
    support::images(&engine).await;
    let original = lab();
    support::remove_lab(&original.name).await;
    let _cleanup = support::Cleanup::new(&original.name);
    let state_root = tempfile::tempdir().unwrap();
    let scenarios = lab::scenario::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios"), &original)
        .expect("the shipped scenarios are valid");
    let mut wrong = Vec::new();
    for name in ["rapport-sae", "pjsip-numeros"] {
        let started = std::time::Instant::now();
        let expected = expected(name);
        let (graded, mapping) = mapped(name, &original, &expected.site);
        let site = graded.site(&expected.site).unwrap();
        let dir = folder(name, &graded);
        let mut inspection = inspect(&graded, site, dir.path()).unwrap();
        let trunk = inspection.trunk.as_ref().map(|t| t.name.clone());
        let (findings, _) = asterisk_says::hear(&graded, site, dir.path(), trunk.as_deref(), &Silent).await.unwrap();
        inspection.add_asterisk_findings(findings);
        let running = session::part_of_lab(&graded, &site.name);
        assert_eq!(running.sites.len(), 2, "the graded site and a peer");
        let checks = session::select_checks(&original, &running, &site.name, &scenarios, Some(&mapping), None);
        let state = lab::state::StateDir::new(state_root.path(), &running.name);
        let generated = state.config_dir();
        let out = tempfile::tempdir().unwrap();
        let mut options = lab::scenario::RunOptions::new(8, out.path().to_path_buf(), state.config_dir());
        options.own_configs.insert(site.name.clone(), (dir.path().to_path_buf(), inspection.phone_context()));
        let run = session::run(
            &running,
            state,
            &site.name,
            dir.path(),
            &inspection,
            &checks,
            &options,
            &support::Stderr,
            &|_| {},
        )
        .await
        .expect("the graded lab runs");
        let seconds = started.elapsed().as_secs_f64();
        eprintln!("{name}: graded in the lab in {seconds:.1} s");

        let r = &run.registration;
        let mut down: Vec<String> = r.phones.iter().filter(|(_, ok)| !ok).map(|(a, _)| a.clone()).collect();
        down.sort();
        if down != expected.live.unregistered || r.trunk != expected.live.trunk {
            wrong.push(format!(
                "{name}: registered {r:?}, expected {:?} and trunk {}",
                expected.live.unregistered, expected.live.trunk
            ));
        }
        for (_, result, blocker) in &run.blocked {
            let explained = match blocker {
                lab::grade::blocked::Blocker::Phone(a) => expected.live.unregistered.contains(a),
                lab::grade::blocked::Blocker::Trunk => !expected.live.trunk,
            };
            if !explained {
                wrong.push(format!("{name}: {} not run for {blocker:?}", result.says));
            }
        }
        let mut report = lab::grade::score::GradeReport {
            site: site.name.clone(),
            config: dir.path().to_path_buf(),
            inspection,
            registration: Some(run.registration),
            checks: run.parts.into_iter().zip(run.report.results).collect(),
            only: None,
            asterisk: None,
            blocked: run.blocked,
        };
        lab::grade::live_hints::point_at_the_folder(&mut report, &running, &generated);
        for (_, result) in &report.checks {
            for look in result.failure.iter().flat_map(|f| &f.look) {
                if look.starts_with(&generated.display().to_string()) {
                    wrong.push(format!("{name}: {} points at a generated config: {look}", result.says));
                }
            }
        }
        let text = report.render(Lang::Fr);
        if !text.contains("ne s'enregistre pas : ") {
            wrong.push(format!("{name}: the report does not lead with what does not register:\n{text}"));
        }
    }
    let down =
        lab::runtime::LabRuntime::connect(&original, lab::state::StateDir::new(state_root.path(), &original.name))
            .await
            .unwrap()
            .down(true, &Silent)
            .await;
    down.expect("down --volumes");
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}
