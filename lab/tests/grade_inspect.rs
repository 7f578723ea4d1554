//! The static inspection of a student's config: silent on the lab's own
//! generated configs, and pointing at the exact line of each typical mistake
//! in `tests/fixtures/grade/<name>/mistake.toml` (a patch of table2's
//! generated config).

mod grade_support;

use std::path::Path;

use grade_support::{apply, fixtures, generated, listed, part, Edit, Mistake};
use lab::grade::causes::root_causes;
use lab::grade::{inspect, Lang, Part};
use lab::model::Lab;
use lab::secrets::Secrets;

const SITE: &str = "table2";

#[test]
fn the_generated_config_of_every_site_has_no_finding_and_every_password() {
    let lab = Lab::sae();
    let secrets = Secrets::deterministic(&lab);
    for site in &lab.sites {
        let dir = generated(&site.name);
        let inspection = inspect(&lab, site, dir.path()).unwrap();
        assert!(inspection.findings.is_empty(), "{}:\n{}", site.name, listed(&inspection.findings));
        assert_eq!(inspection.phones.len(), site.phones.len());
        for phone in &site.phones {
            assert_eq!(
                inspection.password(&phone.account),
                Some(secrets.phone_password(site, phone)),
                "{}",
                phone.account
            );
        }
        // Every phone, plus the trunk.
        assert_eq!(inspection.endpoints.len(), site.phones.len() + 1);
        let trunk = inspection.trunk.expect("the trunk is found");
        assert_eq!(trunk.name, "operator");
        assert_eq!(trunk.username.map(|u| u.value).as_deref(), Some(site.trunk_account()));
        assert_eq!(trunk.password.as_deref(), Some(secrets.trunk_password(site)));
    }
}

#[test]
fn each_mistake_yields_its_one_finding_at_the_edited_line() {
    let lab = Lab::sae();
    let site = lab.site(SITE).unwrap();
    let fixtures = fixtures("grade");
    assert!(fixtures.len() >= 4, "fixtures found: {}", fixtures.len());
    for (name, mistake) in &fixtures {
        let dir = generated(SITE);
        let at = apply(dir.path(), mistake);
        let (file, line) = (at.file, at.line);
        let findings = inspect(&lab, site, dir.path()).unwrap().findings;
        let causes = root_causes(&findings);
        assert_eq!(causes.len(), 1, "{name}: one root cause expected, got:\n{}", listed(&findings));
        let f = causes[0].finding;
        assert!(
            f.message(Lang::En).contains(&mistake.expect),
            "{name}: `{}` not in:\n{}",
            mistake.expect,
            listed(&findings)
        );
        assert_eq!(f.part, part(&mistake.part), "{name}");
        assert_eq!((&f.at.file, f.at.line), (&file, line), "{name}: {}", listed(&findings));
        let edited = std::fs::read_to_string(dir.path().join(&file)).unwrap();
        assert_eq!(f.text, edited.lines().nth(line - 1).unwrap().trim(), "{name}: the directive is quoted");
    }
}

#[test]
fn the_findings_read_in_french() {
    let lab = Lab::sae();
    let site = lab.site(SITE).unwrap();
    let mut out = String::new();
    for (name, mistake) in fixtures("grade") {
        let dir = generated(SITE);
        apply(dir.path(), &mistake);
        out.push_str(&format!("# {name}\n"));
        let findings = inspect(&lab, site, dir.path()).unwrap().findings;
        for f in root_causes(&findings).into_iter().map(|c| c.finding) {
            // Lines are checked above; left out here so that a change of the
            // generated files' layout does not rewrite this review.
            let place = f.at.file.display();
            out.push_str(&format!("{place} [{}] {}\n    {}\n", f.part.name(Lang::Fr), f.message(Lang::Fr), f.text));
        }
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}

#[test]
fn a_folder_that_is_not_there_is_an_error() {
    let lab = Lab::sae();
    let err = inspect(&lab, &lab.sites[0], Path::new("/nonexistent/etc/asterisk")).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/etc/asterisk"), "{err}");
}

#[test]
fn an_empty_folder_says_what_is_missing() {
    let lab = Lab::sae();
    let site = &lab.sites[0];
    let dir = tempfile::tempdir().unwrap();
    let inspection = inspect(&lab, site, dir.path()).unwrap();
    let messages: Vec<String> = inspection.findings.iter().map(|f| f.message(Lang::En)).collect();
    assert!(messages.iter().any(|m| m == "extensions.conf is missing from the config folder"), "{messages:#?}");
    assert!(messages.iter().any(|m| m == "voicemail.conf is missing from the config folder"));
    assert!(messages.iter().any(|m| m.starts_with("no section of pjsip_wizard.conf or pjsip.conf registers")));
    let no_endpoint = messages.iter().filter(|m| m.starts_with("no endpoint ")).count();
    assert_eq!(no_endpoint, site.phones.len());
    assert!(inspection.phones.iter().all(|p| p.password.is_none()));
}

/// Smaller mistakes, each named by its one finding: (file, find, replace,
/// part of the English message, part). The finding points at the edited
/// line, except where something is missing: then at the line in `MISSING_AT`.
const OTHER_MISTAKES: &[(&str, &str, &str, &str, Part)] = &[
    (
        "extensions.conf",
        "exten => _0NXXXXXXXX,1,Goto(to-operator",
        "exten => 0NXXXXXXXX,1,Goto(to-operator",
        "extension 0NXXXXXXXX has no leading `_`",
        Part::II,
    ),
    (
        "extensions.conf",
        "Dial(PJSIP/secretaire1,",
        "Dial(PJSIP/patron1,",
        "extension 13 dials PJSIP/patron1, not its phone PJSIP/secretaire1",
        Part::I,
    ),
    (
        "extensions.conf",
        "exten => 13,1,GotoIf",
        "exten => 1300,1,GotoIf",
        "nothing answers extension 13 (secretaire1) in context internal",
        Part::I,
    ),
    (
        "pjsip_wizard.conf",
        "endpoint/context = internal",
        "endpoint/context = interne",
        "sends its calls to context interne, which extensions.conf does not declare",
        Part::I,
    ),
    (
        "extensions.conf",
        "VoiceMail(13@default,u)",
        "VoiceMail(14@default,u)",
        "extension 13 leaves messages in box 14@default, not in its own box 13",
        Part::IV,
    ),
    (
        "pjsip_wizard.conf",
        "aor/mailboxes = 13@default",
        "aor/mailboxes = 12@default",
        "the message light (mailboxes) of endpoint secretaire1 watches box 12@default",
        Part::IV,
    ),
    ("extensions.conf", "exten => 888,1,", "exten => 887,1,", "nothing answers 888 (voicemail access)", Part::IV),
    (
        "extensions.conf",
        "exten => 13,hint,PJSIP/secretaire1",
        "exten => 13,hint,PJSIP/secretaire",
        "the hint of extension 13 watches PJSIP/secretaire, which is no endpoint",
        Part::III,
    ),
    (
        "extensions.conf",
        "Dial(PJSIP/secretaire1,",
        "Dial(SIP/secretaire1,",
        "SIP/ channels belong to chan_sip",
        Part::I,
    ),
    ("extensions.conf", "Goto(ivr,s,1)", "Macro(ivr)", "Macro() was removed in Asterisk 21", Part::II),
    ("features.conf", "pickupexten = *8", "pickupexten = *9", "the SAE's call pickup code is *8", Part::III),
    (
        "pjsip_wizard.conf",
        "remote_hosts = 172.28.0.2:5060",
        "remote_hosts = 172.28.0.3:5060",
        "no section of pjsip_wizard.conf or pjsip.conf registers to the operator (172.28.0.2)",
        Part::II,
    ),
];

#[test]
fn other_mistakes_are_named_once_each() {
    let lab = Lab::sae();
    let site = lab.site(SITE).unwrap();
    for &(file, find, replace, expect, part) in OTHER_MISTAKES {
        let dir = generated(SITE);
        let edit = Edit { file: file.into(), find: find.into(), replace: replace.into() };
        let mistake =
            Mistake { expect: expect.into(), part: String::new(), edit: vec![edit], remove: Vec::new(), at_line: 0 };
        let at = apply(dir.path(), &mistake);
        let (file, line) = (at.file, at.line);
        let findings = inspect(&lab, site, dir.path()).unwrap().findings;
        let causes = root_causes(&findings);
        assert_eq!(causes.len(), 1, "{replace}: one root cause expected, got:\n{}", listed(&findings));
        let f = causes[0].finding;
        assert!(f.message(Lang::En).contains(expect), "{replace}: `{expect}` not in:\n{}", listed(&findings));
        assert_eq!(f.part, part, "{replace}");
        match MISSING_AT.iter().find(|(r, _)| *r == replace) {
            None => assert_eq!((&f.at.file, f.at.line), (&file, line), "{replace}"),
            Some((_, text)) => assert_eq!(f.text, *text, "{replace}"),
        }
    }
}

/// Where a finding about something missing points: the context it is missing from.
const MISSING_AT: &[(&str, &str)] = &[("exten => 1300,1,GotoIf", "[internal]"), ("exten => 887,1,", "[internal]")];

#[test]
fn a_sip_conf_is_for_a_removed_channel_driver() {
    let lab = Lab::sae();
    let dir = generated(SITE);
    std::fs::write(dir.path().join("sip.conf"), "[general]\nbindport = 5060\n").unwrap();
    let findings = inspect(&lab, lab.site(SITE).unwrap(), dir.path()).unwrap().findings;
    assert_eq!(findings.len(), 1, "{}", listed(&findings));
    assert!(findings[0].message(Lang::En).starts_with("sip.conf configures chan_sip, removed in Asterisk 21"));
}

#[test]
fn a_config_naming_its_phones_otherwise_is_offered_the_map_that_names_them() {
    let lab = Lab::sae();
    let site = lab.site("table3").unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grade-student/pjsip-numeros");
    let inspection = inspect(&lab, site, &root.join("etc-asterisk")).unwrap();
    let suggestion = inspection.map_suggestion.expect("most phones are unknown: a map is offered");
    let offered = lab::grade::mapping::Mapping::parse("suggested", &suggestion, site).expect("a valid mapping");
    let text = std::fs::read_to_string(root.join("map.toml")).unwrap();
    let written = lab::grade::mapping::Mapping::parse("map.toml", &text, site).unwrap();
    assert_eq!(offered, written, "{suggestion}");
    // Under the lab's own names, nothing is offered.
    let dir = generated("table3");
    assert_eq!(inspect(&lab, site, dir.path()).unwrap().map_suggestion, None);
}

#[test]
fn an_extension_answered_in_a_context_the_phone_does_not_reach_says_which() {
    let lab = Lab::sae();
    let site = lab.site(SITE).unwrap();
    let dir = generated(SITE);
    let path = dir.path().join("extensions.conf");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("include => extensions\n", "", 1)).unwrap();
    let findings = inspect(&lab, site, dir.path()).unwrap().findings;
    let thirteen = findings
        .iter()
        .map(|f| f.message(Lang::En))
        .find(|m| m.starts_with("nothing answers extension 13 "))
        .unwrap_or_else(|| panic!("{}", listed(&findings)));
    assert!(
        thirteen.ends_with(
            "context extensions answers it, but internal does not include it: add include => extensions to [internal]"
        ),
        "{thirteen}"
    );
    // Extension 13 gone altogether: no context rings the phone, none is named.
    let dir = generated(SITE);
    let path = dir.path().join("extensions.conf");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("exten => 13,1,GotoIf", "exten => 1300,1,GotoIf", 1)).unwrap();
    let findings = inspect(&lab, site, dir.path()).unwrap().findings;
    assert!(!findings.iter().any(|f| f.message(Lang::En).contains("answers it")), "{}", listed(&findings));
}

#[test]
fn a_queue_strategy_asterisk_22_does_not_have_is_named_on_its_line() {
    let lab = Lab::sae();
    let dir = generated(SITE);
    std::fs::write(
        dir.path().join("queues.conf"),
        "[general]\n\n[secretariat]\nstrategy = round-robin\nmember => PJSIP/secretaire1\n",
    )
    .unwrap();
    let findings = inspect(&lab, lab.site(SITE).unwrap(), dir.path()).unwrap().findings;
    assert_eq!(findings.len(), 1, "{}", listed(&findings));
    assert_eq!((findings[0].at.file.to_str(), findings[0].at.line), (Some("queues.conf"), 4));
    assert!(findings[0].message(Lang::En).starts_with("queue secretariat has no strategy round-robin in Asterisk 22"));
}
