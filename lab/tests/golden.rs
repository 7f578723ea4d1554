//! Golden files: every config generated for the built-in SAE lab, with
//! deterministic passwords, kept under `tests/snapshots/` for review.
//! After an intended change: `cargo insta review` (or INSTA_UPDATE=always).

use std::path::Path;

use lab::asterisk_conf::accounts::{Accounts, PJSIP_CONF, WIZARD_CONF};
use lab::asterisk_conf::dialplan::{pjsip_endpoint, targets, Dialplan, EXTENSIONS_CONF};
use lab::asterisk_conf::pattern::suspicion;
use lab::asterisk_conf::Conf;
use lab::gen::{generate, ASTERISK_DIR, OPERATOR};
use lab::model::Lab;
use lab::secrets::Secrets;

#[test]
fn sae_lab_configs_match_the_golden_files() {
    let lab = Lab::sae();
    let tree = generate(&lab, &Secrets::deterministic(&lab));
    // Per site: 14 Asterisk files common to all, 8 of its own, 4 sounds, 2 baresip
    // files; the operator: the 14 common ones, 7 of its own, 2 baresip files; the
    // mail server: its smtpd.conf.
    assert_eq!(tree.files.len(), 4 * (14 + 8 + 4 + 2) + (14 + 7 + 2) + 1);
    for (path, contents) in &tree.files {
        let Ok(contents) = std::str::from_utf8(contents) else {
            continue;
        }; // audio: checked apart
        let name = path.to_string_lossy().replace('/', "__");
        insta::with_settings!({ snapshot_suffix => name.clone(), prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!("sae", contents);
        });
    }
}

#[test]
fn the_sae_reports_mistakes_cannot_be_generated() {
    let lab = Lab::sae();
    let tree = generate(&lab, &Secrets::deterministic(&lab));
    for (path, contents) in &tree.files {
        let contents = String::from_utf8_lossy(contents);
        assert!(!contents.contains("secraitaire"), "{} misspells an endpoint", path.display());
    }
    let conf = |dir: &Path, file: &str| tree.text(&dir.join(file)).map(|text| Conf::parse(file, text));
    // No extension name of any dialplan is a pattern that cannot be meant (the report's `_*`).
    for dir in lab.sites.iter().map(|s| s.name.as_str()).chain([OPERATOR]).map(|n| Path::new(n).join(ASTERISK_DIR)) {
        let plan = Dialplan::from_conf(&conf(&dir, EXTENSIONS_CONF).unwrap());
        assert!(!plan.contexts.is_empty(), "{}: no dialplan", dir.display());
        for step in plan.contexts.iter().flat_map(|c| &c.steps) {
            let suspicion = suspicion(&step.extension);
            assert_eq!(suspicion, None, "{}/{}: {}", dir.display(), step.at, step.text);
        }
    }
    // Every endpoint a site's dialplan dials is declared in that site's config.
    for site in &lab.sites {
        let dir = Path::new(&site.name).join(ASTERISK_DIR);
        let plan = Dialplan::from_conf(&conf(&dir, EXTENSIONS_CONF).unwrap());
        let accounts = Accounts::from_confs(conf(&dir, WIZARD_CONF).as_ref(), conf(&dir, PJSIP_CONF).as_ref());
        let dials = plan.contexts.iter().flat_map(|c| &c.steps).filter(|s| s.is_app("Dial"));
        let endpoints: Vec<&str> = dials.flat_map(|s| targets(&s.args)).filter_map(pjsip_endpoint).collect();
        assert!(endpoints.iter().any(|e| accounts.endpoint(e).is_some()), "{}: dials no phone", site.name);
        for endpoint in endpoints.into_iter().filter(|e| !e.starts_with('$')) {
            assert!(accounts.endpoint(endpoint).is_some(), "{}: dials {endpoint}, not declared", site.name);
        }
    }
}
