//! A graded config plays sounds of its own choosing where the lab plays its
//! tones: Asterisk's music on hold, its own recorded welcome, a stock prompt
//! (`ss-noservice`) refusing voicemail access, its own menu. The checks that
//! listen for the graded site's tones take any sound there that is neither
//! silence nor ringback, and the report says which they heard; so a config is
//! never failed for choosing other sounds than the lab, and still is for
//! playing none.

use super::rewrite::each_check;
use crate::scenario::steps::Hears;
use crate::scenario::{Check, Scenario, Sound, Step, StepLine};

/// `scenarios` with the graded `site`'s own sounds accepted.
pub fn accept(site: &str, scenarios: Vec<Scenario>) -> Vec<Scenario> {
    each_check(scenarios, |check, _| {
        let steps = check.steps.iter().map(|l| StepLine { step: step(site, &l.step), says: l.says.clone() }).collect();
        Some(Check { steps, ..check.clone() })
    })
}

fn step(site: &str, step: &Step) -> Step {
    match step {
        Step::Hears(h) if plays_a_tone_of(site, &h.what) => Step::Hears(Hears { own_sounds: true, ..h.clone() }),
        other => other.clone(),
    }
}

/// The lab's tones the graded site would play: its music and welcome message
/// (a phone's recording stays that phone's tone), the refusal and the menu
/// (whoever answers the number: grading moved their checks onto the site).
/// Another site's music or message is the lab's, on its generated config.
fn plays_a_tone_of(site: &str, sound: &Sound) -> bool {
    match sound {
        Sound::Music { site: s, voice: None } => s == site,
        Sound::Welcome { site: s, voice: None } => s.as_deref().is_none_or(|s| s == site),
        Sound::Refusal | Sound::Menu => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Lab;
    use crate::scenario::PhoneId;

    fn hears(what: Sound) -> Step {
        Step::Hears(Hears {
            phone: PhoneId { site: "operator".into(), account: "tm1".into() },
            what,
            own_sounds: false,
        })
    }

    fn own(step: &Step) -> bool {
        matches!(step, Step::Hears(Hears { own_sounds: true, .. }))
    }

    fn voice() -> Option<PhoneId> {
        Some(PhoneId { site: "table2".into(), account: "patron7".into() })
    }

    #[test]
    fn the_graded_sites_tones_accept_its_own_sounds() {
        let music = |site: &str| Sound::Music { site: site.into(), voice: None };
        assert!(own(&step("table2", &hears(music("table2")))));
        assert!(own(&step("table2", &hears(Sound::Welcome { site: Some("table2".into()), voice: None }))));
        assert!(own(&step("table2", &hears(Sound::Welcome { site: None, voice: None }))));
        assert!(own(&step("table2", &hears(Sound::Refusal))));
        assert!(own(&step("table2", &hears(Sound::Menu))));
    }

    #[test]
    fn the_peers_tones_recordings_and_tones_of_phones_stay_the_labs() {
        assert!(!own(&step("table2", &hears(Sound::Music { site: "table1".into(), voice: None }))));
        assert!(!own(&step("table2", &hears(Sound::Welcome { site: Some("table1".into()), voice: None }))));
        assert!(!own(&step("table2", &hears(Sound::Music { site: "table2".into(), voice: voice() }))));
        assert!(!own(&step("table2", &hears(Sound::Welcome { site: Some("table2".into()), voice: voice() }))));
        for sound in [Sound::NoWelcome, Sound::Playback, Sound::Speech, Sound::ToneOf(voice().unwrap())] {
            assert!(!own(&step("table2", &hears(sound.clone()))), "{sound:?}");
        }
    }

    /// Grading the shipped scenarios on table2: the hold music, welcome, refusal
    /// and menu checks on table2 take its own sounds; the scenario set itself
    /// stays as strict as written.
    #[test]
    fn grading_accepts_the_sites_own_sounds_and_the_scenarios_stay_strict() {
        let lab = Lab::sae();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
        let scenarios = crate::scenario::load_dir(&dir, &lab).expect("the shipped scenarios are valid");
        let steps = |scenarios: &[Scenario]| -> Vec<Hears> {
            let all = scenarios.iter().flat_map(|s| &s.checks).flat_map(|c| &c.steps);
            all.filter_map(|l| match &l.step {
                Step::Hears(h) => Some(h.clone()),
                _ => None,
            })
            .collect()
        };
        assert!(steps(&scenarios).iter().all(|h| !h.own_sounds), "scenario files never accept other sounds");

        let graded = super::super::session::select_checks(&lab, &lab, "table2", &scenarios, None, None);
        let mut accepted: Vec<String> = steps(&graded)
            .iter()
            .filter(|h| h.own_sounds)
            .map(|h| match &h.what {
                Sound::Music { site, .. } => format!("music of {site}"),
                Sound::Welcome { site, .. } => format!("welcome of {}", site.as_deref().unwrap_or("?")),
                other => format!("{other:?}"),
            })
            .collect();
        accepted.sort();
        accepted.dedup();
        assert_eq!(accepted, ["Menu", "Refusal", "music of table2", "welcome of table2"]);
        // table2's patron8 put on hold by table1 hears table1's music: the lab's tone.
        let peer =
            steps(&graded).into_iter().find(|h| matches!(&h.what, Sound::Music { site, .. } if site == "table1"));
        assert!(peer.is_some_and(|h| !h.own_sounds));
    }
}
