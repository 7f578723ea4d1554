//! Scenario files are checked against the lab before anything runs: every
//! error at once, with file, line, column and key.

use lab::model::Lab;
use lab::scenario::steps::Dial;
use lab::scenario::{self, Step};

fn errors(text: &str) -> String {
    scenario::parse("bad.toml", "bad", text, &Lab::sae()).expect_err("the file is invalid").to_string()
}

#[test]
fn every_shipped_scenario_is_valid_for_the_default_lab() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let scenarios = scenario::load_dir(&dir, &Lab::sae()).expect("valid scenarios");
    let names: Vec<_> = scenarios.iter().map(|s| s.name.as_str()).collect();
    for wanted in ["internal-calls", "intersite-calls", "external-calls", "failures", "line-state"] {
        assert!(names.contains(&wanted), "{wanted} missing from {names:?}");
    }
    let intersite = scenarios.iter().find(|s| s.name == "intersite-calls").unwrap();
    assert_eq!(intersite.checks.len(), 12, "every ordered pair of different sites");
    let internal = scenarios.iter().find(|s| s.name == "internal-calls").unwrap();
    assert!(internal.checks.len() >= 24, "the six ordered role pairs of a cabinet, on each site");
}

#[test]
fn a_call_expands_to_every_ordered_pair_with_numbers_from_the_plan() {
    let text = r#"
title = "t"
[[call]]
says = "pairs"
from = ["table1/patron1", "table1/secretaire1"]
to = ["table1/patron1", "table1/secretaire1"]

[[call]]
says = "across"
from = "table1/patron1"
to = "table2/secretaire1"
dial = "intersite"
"#;
    let s = scenario::parse("t.toml", "t", text, &Lab::sae()).expect("valid");
    let dials: Vec<String> = s
        .checks
        .iter()
        .map(|c| match &c.steps[0].step {
            Step::Dial(Dial { from, number }) => format!("{from}>{number}"),
            other => panic!("first step is {other:?}"),
        })
        .collect();
    assert_eq!(dials, ["table1/patron1>13", "table1/secretaire1>11", "table1/patron1>*213"]);
    let steps: Vec<_> = s.checks[0].steps.iter().map(|l| l.says.as_str()).collect();
    assert_eq!(
        steps,
        [
            "table1/patron1 dials 13",
            "table1/secretaire1 rings",
            "table1/secretaire1 answers",
            "audio flows both ways",
            "table1/patron1 hangs up",
            "table1/secretaire1's call ends too"
        ]
    );
}

#[test]
fn a_phone_on_every_site_calls_every_other_site_on_a_lab_of_any_size() {
    let text = r#"
title = "t"
[[call]]
says = "across"
from = "*/secretaire5"
to = "*/patron6"
dial = "intersite"
"#;
    let dials = |lab: &Lab| -> Vec<String> {
        let s = scenario::parse("t.toml", "t", text, lab).expect("valid");
        s.checks
            .iter()
            .map(|c| match &c.steps[0].step {
                Step::Dial(Dial { from, number }) => format!("{from}>{number}"),
                other => panic!("first step is {other:?}"),
            })
            .collect()
    };
    let sae = dials(&Lab::sae());
    assert_eq!(sae.len(), 12);
    assert_eq!(sae[..3], ["table1/secretaire5>*261", "table1/secretaire5>*361", "table1/secretaire5>*461"]);
    let classroom = Lab::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("classroom16.toml")).unwrap();
    let all = dials(&classroom);
    assert_eq!(all.len(), 16 * 15, "every ordered pair of different sites");
    assert!(all.contains(&"table16/secretaire5>*0161".to_string()));
    assert!(all.contains(&"table2/secretaire5>*1661".to_string()));
}

#[test]
fn a_phone_no_site_has_is_reported_where_every_site_is_named() {
    insta::assert_snapshot!(errors(
        "title = \"t\"\n[[call]]\nsays = \"x\"\nfrom = \"*/patron9\"\nto = \"*/patron1\"\ndial = \"intersite\"\n"
    ));
}

#[test]
fn unknown_phones_keys_and_actions_are_all_reported() {
    let text = r#"title = "t"
colour = "red"

[[call]]
says = "x"
from = "table1/secraitaire1"
to = "table9/patron1"

[[flow]]
says = "y"
steps = [
  { dial = "12", rings = "table1/assistant1" },
  { fails = "table1/patron1" },
  { blf = "blinking" },
]
"#;
    insta::assert_snapshot!(errors(text));
}

#[test]
fn extension_dialling_across_sites_is_refused() {
    let text = "title = \"t\"\n[[call]]\nsays = \"x\"\nfrom = \"table1/patron1\"\nto = \"table2/patron1\"\n";
    insta::assert_snapshot!(errors(text));
}

#[test]
fn every_shipped_check_says_it_in_french_too() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let scenarios = scenario::load_dir(&dir, &Lab::sae()).expect("valid scenarios");
    let missing: Vec<String> = scenarios
        .iter()
        .flat_map(|s| &s.checks)
        .filter(|c| c.says_fr.as_deref().is_none_or(|fr| fr.trim().is_empty()))
        .map(|c| format!("{}: {}", c.place, c.says))
        .collect();
    assert!(missing.is_empty(), "checks without `fr`:\n{}", missing.join("\n"));
}

#[test]
fn french_follows_each_expanded_call_and_each_flow() {
    let text = r#"
title = "t"
[[call]]
says = "pairs"
fr = "paires"
from = ["table1/patron1", "table1/secretaire1"]
to = ["table1/patron1", "table1/secretaire1"]

[[flow]]
says = "flow"
fr = "déroulé"
steps = [{ dial = "12", from = "table1/patron1" }]

[[flow]]
says = "no French"
steps = [{ dial = "12", from = "table1/patron1" }]
"#;
    let s = scenario::parse("t.toml", "t", text, &Lab::sae()).expect("valid");
    let fr: Vec<_> = s.checks.iter().map(|c| c.says_fr.as_deref()).collect();
    assert_eq!(
        fr,
        [
            Some("paires : table1/patron1 → table1/secretaire1 (13)"),
            Some("paires : table1/secretaire1 → table1/patron1 (11)"),
            Some("déroulé"),
            None
        ]
    );
}

#[test]
fn an_empty_or_misspelt_french_sentence_is_reported() {
    let text = r#"title = "t"

[[call]]
says = "x"
fr = ""
from = "table1/patron1"
to = "table1/assistant1"

[[flow]]
says = "y"
fr = "  "
steps = [{ dial = "12", from = "table1/patron1" }]

[[flow]]
says = "z"
francais = "z"
steps = [{ dial = "12", from = "table1/patron1" }]
"#;
    insta::assert_snapshot!(errors(text));
}

#[test]
fn three_mistakes_in_three_checks_are_reported_together() {
    let text = r#"title = "t"

[[call]]
says = "a call to a phone the lab lacks"
from = "table1/patron1"
to = "table1/patron9"

[[flow]]
says = "a phone that hangs up before it answers"
steps = [
  { dial = "12", from = "table1/patron1" },
  { answer = "table1/asistant1" },
  { hangup = "table1/patron1" },
]

[[flow]]
says = "a busy line"
steps = [
  { dial = "22", from = "table1/patron2" },
  { fails = "table1/patron2", status = 99 },
]
"#;
    insta::assert_snapshot!(errors(text));
}

#[test]
fn every_step_of_a_flow_is_checked_after_a_mistake() {
    let text = r#"title = "t"

[[flow]]
says = "one mistake per step"
steps = [
  { dial = "1x", from = "table1/patron0" },
  { rings = "table1/assistant1", from = "table5/patron1" },
  { connected = "table1/assistant1", with = "table1/nobody" },
  { hears = "music", phone = "table1/patron1", site = "table7" },
  { nobody_rings = "table8" },
  { mwi = "maybe" },
  { presence = "away" },
  { hears = "table1/nobody", phone = "table1/patron1" },
]
"#;
    insta::assert_snapshot!(errors(text));
}

#[test]
fn values_of_the_wrong_type_are_all_reported() {
    let text = r#"title = "t"

[[call]]
says = "x"
from = "table1/patron1"
to = "table1/assistant1"
audio = "yes"

[[flow]]
says = 3
steps = [{ dial = "12", from = "table1/patron1" }]

[[flow]]
says = "z"
steps = [
  { dial = "12", from = "table1/patron1" },
  { fails = "table1/patron1", status = "486" },
]
"#;
    insta::assert_snapshot!(errors(text));
}

#[test]
fn a_scenario_without_checks_names_where_they_go() {
    let err = scenario::parse("bad.toml", "bad", "title = \"t\"\n", &Lab::sae()).expect_err("no checks");
    assert_eq!(err.0.len(), 1);
    assert_eq!((err.0[0].line, err.0[0].key.as_str()), (1, "flow"));
}

#[test]
fn keys_of_another_kind_of_step_and_values_of_the_wrong_type_are_reported_with_the_rest() {
    let text = r#"title = "t"

[[flow]]
says = "keys that belong to other steps"
steps = [
  { dial = "12", from = "table1/patron1", phone = "table1/assistant1" },
  { fails = "table1/patron1", status = "486" },
  { rings = "table1/nobody", colour = "red" },
  { audio = "table1/patron1" },
]
"#;
    insta::assert_snapshot!(errors(text));
}
