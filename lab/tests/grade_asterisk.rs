//! Asterisk 22 speaks first: each mistake of `tests/fixtures/grade-asterisk/`
//! (a patch of table2's generated config that Asterisk itself refuses or
//! ignores) is loaded into a throwaway Asterisk of the lab's image, and must
//! give its one root cause on the right line; the generated configs of every
//! site must give Asterisk nothing to say.

mod grade_support;
mod support;

use grade_support::{apply, fixtures, generated_of, line_text, listed, part};
use lab::grade::asterisk_says::{self, Reading};
use lab::grade::causes::root_causes;
use lab::grade::{inspect, Lang};
use lab::model::Lab;
use lab::runtime::progress::Silent;

const SITE: &str = "table2";

fn lab() -> Lab {
    support::sae_elsewhere("itest-grade2", "10.98.0.0/16", 16800, 31000)
}

#[tokio::test]
async fn the_generated_config_of_every_site_gives_asterisk_nothing_to_say() {
    let Some(engine) = support::engine_or_skip("the_generated_config_gives_asterisk_nothing_to_say").await else {
        return;
    };
    support::images(&engine).await;
    let lab = lab();
    for site in &lab.sites {
        let dir = generated_of(&lab, &site.name);
        let (findings, reading) = asterisk_says::hear(&lab, site, dir.path(), Some("operator"), &Silent).await.unwrap();
        assert!(findings.is_empty(), "{}:\n{}", site.name, listed(&findings));
        match reading {
            Reading::Heard { booted: true, unplaced, seconds } => {
                assert!(unplaced.is_empty(), "{}: Asterisk said {unplaced:#?}", site.name);
                assert!(seconds < 20.0, "{}: loading took {seconds:.1} s", site.name);
            }
            other => panic!("{}: {other:?}", site.name),
        }
    }
}

#[tokio::test]
async fn each_mistake_asterisk_refuses_is_one_root_cause_on_its_line() {
    let Some(engine) = support::engine_or_skip("each_mistake_asterisk_refuses").await else {
        return;
    };
    support::images(&engine).await;
    let lab = lab();
    let site = lab.site(SITE).unwrap();
    let fixtures = fixtures("grade-asterisk");
    assert!(fixtures.len() >= 15, "fixtures found: {}", fixtures.len());
    let mut wrong = Vec::new();
    for (name, mistake) in &fixtures {
        let dir = generated_of(&lab, SITE);
        let at = apply(dir.path(), mistake);
        let mut inspection = inspect(&lab, site, dir.path()).unwrap();
        let trunk = inspection.trunk.as_ref().map(|t| t.name.clone());
        let (findings, _) = asterisk_says::hear(&lab, site, dir.path(), trunk.as_deref(), &Silent).await.unwrap();
        inspection.add_asterisk_findings(findings);
        let causes = root_causes(&inspection.findings);
        let all = listed(&inspection.findings);
        if let Some(f) = inspection.findings.iter().find(|f| f.at.line > 0 && f.text != line_text(dir.path(), &f.at)) {
            wrong.push(format!("{name}: {} does not quote its line: {:?}", f.at, f.text));
        }
        let [cause] = causes.as_slice() else {
            wrong.push(format!("{name}: one root cause expected, got {}:\n{all}", causes.len()));
            continue;
        };
        let f = cause.finding;
        let message = f.message(Lang::En);
        if !message.contains(&mistake.expect) {
            wrong.push(format!("{name}: `{}` not in:\n{all}", mistake.expect));
        } else if f.at != at {
            wrong.push(format!("{name}: at {} instead of {at}:\n{all}", f.at));
        } else if f.part != part(&mistake.part) {
            wrong.push(format!("{name}: part {:?} instead of {}", f.part, mistake.part));
        } else if f.text != line_text(dir.path(), &at) {
            wrong.push(format!("{name}: the directive is not quoted: {:?}", f.text));
        } else if f.message(Lang::Fr) == message {
            wrong.push(format!("{name}: no French sentence"));
        }
    }
    assert!(wrong.is_empty(), "{} of {} fixtures:\n\n{}", wrong.len(), fixtures.len(), wrong.join("\n\n"));
}
