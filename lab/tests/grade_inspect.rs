//! The static inspection of a student's config: silent on the lab's own
//! generated configs, and pointing at the exact line of each typical mistake
//! in `tests/fixtures/grade/<name>/mistake.toml` (a patch of table2's
//! generated config).

use std::path::{Path, PathBuf};

use lab::gen::generate;
use lab::grade::{inspect, write_site_config, Finding, Lang, Part};
use lab::model::Lab;
use lab::secrets::Secrets;

const SITE: &str = "table2";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Mistake {
    /// A part of the English message of the one finding expected.
    expect: String,
    part: String,
    edit: Vec<Edit>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    file: String,
    find: String,
    replace: String,
}

fn fixtures() -> Vec<(String, Mistake)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grade");
    let mut out: Vec<(String, Mistake)> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|dir| {
            let path = dir.join("mistake.toml");
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let mistake = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (dir.file_name().unwrap().to_string_lossy().into_owned(), mistake)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The generated config of `site`, written as a student's folder would be.
fn generated(site: &str) -> tempfile::TempDir {
    let lab = Lab::sae();
    let tree = generate(&lab, &Secrets::deterministic(&lab));
    let dir = tempfile::tempdir().unwrap();
    write_site_config(&tree, site, dir.path()).unwrap();
    dir
}

/// Applies a mistake's edits to the config in `dir`; returns where the first
/// edit landed (file, line of the first replaced character that is not a newline).
fn apply_fixture(dir: &Path, mistake: &Mistake) -> (PathBuf, usize) {
    let mut first = None;
    for edit in &mistake.edit {
        let path = dir.join(&edit.file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(text.matches(&edit.find).count(), 1, "`{}` must occur once in {}", edit.find, edit.file);
        let at = text.find(&edit.find).unwrap() + edit.replace.len() - edit.replace.trim_start_matches('\n').len();
        let patched = text.replacen(&edit.find, &edit.replace, 1);
        let line = patched[..at].matches('\n').count() + 1;
        first.get_or_insert((PathBuf::from(&edit.file), line));
        std::fs::write(&path, patched).unwrap();
    }
    first.expect("a mistake has at least one edit")
}

fn part(name: &str) -> Part {
    match name {
        "I" => Part::I,
        "II" => Part::II,
        "III" => Part::III,
        "IV" => Part::IV,
        "Challenges" => Part::Challenges,
        other => panic!("unknown part `{other}`"),
    }
}

fn listed(findings: &[Finding]) -> String {
    findings.iter().map(|f| f.render(Lang::En)).collect::<Vec<_>>().join("\n")
}

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
    let fixtures = fixtures();
    assert!(fixtures.len() >= 4, "fixtures found: {}", fixtures.len());
    for (name, mistake) in &fixtures {
        let dir = generated(SITE);
        let (file, line) = apply_fixture(dir.path(), mistake);
        let findings = inspect(&lab, site, dir.path()).unwrap().findings;
        assert_eq!(findings.len(), 1, "{name}: one finding expected, got:\n{}", listed(&findings));
        let f = &findings[0];
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
    for (name, mistake) in fixtures() {
        let dir = generated(SITE);
        apply_fixture(dir.path(), &mistake);
        out.push_str(&format!("# {name}\n"));
        for f in inspect(&lab, site, dir.path()).unwrap().findings {
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
        let mistake = Mistake { expect: expect.into(), part: String::new(), edit: vec![edit] };
        let (file, line) = apply_fixture(dir.path(), &mistake);
        let findings = inspect(&lab, site, dir.path()).unwrap().findings;
        assert_eq!(findings.len(), 1, "{replace}: one finding expected, got:\n{}", listed(&findings));
        let f = &findings[0];
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
