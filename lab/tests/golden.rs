//! Golden files: every config generated for the built-in SAE lab, with
//! deterministic passwords, kept under `tests/snapshots/` for review.
//! After an intended change: `cargo insta review` (or INSTA_UPDATE=always).

use lab::gen::generate;
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
        assert!(!contents.contains("=> _*,"), "{} has the catch-nothing pattern `_*`", path.display());
    }
    // Every endpoint a dialplan dials is declared in that site's wizard file.
    for site in &lab.sites {
        let dir = std::path::Path::new(&site.name).join("asterisk");
        let dialplan = tree.text(&dir.join("extensions.conf")).unwrap();
        let wizard = tree.text(&dir.join("pjsip_wizard.conf")).unwrap();
        for line in dialplan.lines().filter(|l| l.contains("Dial(PJSIP/")) {
            let target = line.split("Dial(PJSIP/").nth(1).unwrap().split([',', ')']).next().unwrap();
            let endpoint = target.rsplit('@').next().unwrap();
            if endpoint.starts_with('$') {
                continue;
            }
            assert!(wizard.contains(&format!("[{endpoint}]")), "{}: dials {endpoint}, not declared", site.name);
        }
    }
}
