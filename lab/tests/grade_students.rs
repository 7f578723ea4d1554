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

async fn graded(name: &str) -> Vec<String> {
    let original = lab();
    let text = std::fs::read_to_string(root().join(name).join("expected.toml")).unwrap();
    let expected: Expected = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}/expected.toml: {e}"));
    let site = original.site(&expected.site).unwrap();
    let map = std::fs::read_to_string(root().join(name).join("map.toml")).unwrap();
    let mapping = Mapping::parse("map.toml", &map, site).expect("a valid mapping");
    let lab = mapping.apply(&session::graded_lab(&original, &site.name), &site.name);
    let site = lab.site(&expected.site).unwrap();
    let dir = folder(name, &lab);
    let mut inspection = inspect(&lab, site, dir.path()).unwrap();
    mapping.check_trunk(&inspection).expect("the mapping names the trunk");
    let trunk = inspection.trunk.as_ref().map(|t| t.name.clone());
    let (findings, reading) = asterisk_says::hear(&lab, site, dir.path(), trunk.as_deref(), &Silent).await.unwrap();
    assert!(matches!(reading, Reading::Heard { booted: true, .. }), "{name}: {reading:?}");
    inspection.add_asterisk_findings(findings);

    let causes = root_causes(&inspection.findings);
    let shown: Vec<String> = causes
        .iter()
        .map(|c| {
            let under: Vec<String> = c.explains.iter().map(|e| format!("\n      - {}", e.render(Lang::En))).collect();
            format!("  {}{}", c.finding.render(Lang::En), under.concat())
        })
        .collect();
    let mut wrong = Vec::new();
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
