//! `lab prompt`: a sound file becomes a site's music on hold and pre-answer
//! message. Bad input is refused with what is wrong before any container is
//! touched (no Docker needed for those); a real IPBX converts, levels and
//! installs a quiet stereo MP3, refuses a silent file without changing
//! anything, and goes back to the shipped prompts.

mod support;

use std::path::{Path, PathBuf};

use lab::gen::prompts::Use;
use lab::model::Lab;
use lab::prompt::{self, Action, Request};
use lab::runtime::{LabError, LabRuntime};
use lab::state::StateDir;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/prompts").join(name)
}

fn hold(path: &Path) -> Request {
    Request::Install { hold: Some(path.to_path_buf()), pre_answer: None }
}

fn refused(site: &str, request: Request) -> String {
    prompt::plan(&Lab::sae(), site, request).expect_err("refused").to_string()
}

/// 8 kHz 8-bit mono WAV of silence lasting `seconds`.
fn wav_seconds(seconds: u32) -> Vec<u8> {
    let data = seconds * 8000;
    let mut wav = b"RIFF".to_vec();
    wav.extend_from_slice(&(36 + data).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt \x10\0\0\0\x01\0\x01\0\x40\x1f\0\0\x40\x1f\0\0\x01\0\x08\0data");
    wav.extend_from_slice(&data.to_le_bytes());
    wav.resize(wav.len() + data as usize, 128);
    wav
}

#[test]
fn an_unknown_site_is_named_with_the_sites_there_are() {
    assert_eq!(
        refused("table9", hold(&fixture("tone.ogg"))),
        "no site \"table9\" in lab sae; its sites are table1, table2, table3, table4"
    );
}

#[test]
fn a_file_that_is_no_sound_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("message.wav");
    std::fs::write(&text, "Bonjour, vous êtes bien au cabinet médical.\n").unwrap();
    assert_eq!(
        refused("table1", hold(&text)),
        format!(
            "{} is not a sound file (it is text); `lab prompt` takes WAV, MP3, Ogg (Vorbis) or FLAC",
            text.display()
        )
    );
}

#[test]
fn an_empty_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("predec.mp3");
    std::fs::write(&empty, b"").unwrap();
    let request = Request::Install { hold: None, pre_answer: Some(empty.clone()) };
    assert_eq!(refused("table1", request), format!("{} is empty", empty.display()));
    // A sound file's header with no sound after it is empty too.
    let silent = dir.path().join("nothing.wav");
    std::fs::write(&silent, wav_seconds(0)).unwrap();
    assert_eq!(refused("table1", hold(&silent)), format!("{} holds no sound: it lasts 0 s", silent.display()));
}

#[test]
fn a_file_over_ten_minutes_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("moh.wav");
    std::fs::write(&long, wav_seconds(11 * 60)).unwrap();
    assert_eq!(
        refused("table1", hold(&long)),
        format!("{} lasts 11 min; a prompt lasts 10 min at most", long.display())
    );
}

#[test]
fn a_missing_file_and_an_empty_request_say_so() {
    assert!(refused("table1", hold(Path::new("/no/such/file.mp3"))).starts_with("cannot read /no/such/file.mp3: "));
    assert_eq!(
        refused("table1", Request::Install { hold: None, pre_answer: None }),
        "nothing to do: give --hold FILE, --pre-answer FILE (or both), or --reset"
    );
}

#[test]
fn one_file_for_both_uses_is_converted_once() {
    let mp3 = fixture("quiet-voice.mp3");
    let request = Request::Install { hold: Some(mp3.clone()), pre_answer: Some(mp3) };
    let plan = prompt::plan(&Lab::sae(), "table1", request).expect("valid");
    let Action::Install(imports) = plan.action else { panic!("an install") };
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].uses, [Use::Hold, Use::PreAnswer]);
}

/// One small site on a name, subnet and ports no other test uses.
const LAB: &str = r#"
name = "itest-prompts"

[network]
subnet = "10.97.0.0/16"

[host]
sip_port = 16700
rtp_port = 30400

[defaults]
cabinets = 1

[[sites]]
index = 1
"#;

#[tokio::test]
async fn a_quiet_mp3_becomes_the_sites_prompts_at_the_target_level() {
    let Some(engine) = support::engine_or_skip("a_quiet_mp3_becomes_the_sites_prompts").await else {
        return;
    };
    support::images(&engine).await;
    let lab = Lab::parse("prompts.toml", LAB).expect("valid lab");
    let state = tempfile::tempdir().unwrap();
    let state = StateDir::new(state.path(), &lab.name);
    support::remove_lab(&lab.name).await;
    let _cleanup = support::Cleanup::new(&lab.name);
    let runtime = LabRuntime::connect(&lab, state.clone()).await.unwrap();
    runtime.up(Default::default(), &support::Stderr).await.expect("the lab comes up");
    let ipbx = runtime.running_asterisk("table1").await.unwrap();
    let sh = |script: String| {
        let (engine, ipbx) = (engine.clone(), ipbx.clone());
        async move { engine.exec(&ipbx, &["sh", "-c", &script]).await.unwrap().output }
    };
    let sums = || sh(format!("md5sum {} {}", Use::Hold.path(), Use::PreAnswer.path()));
    let shipped = sh(format!("cd /etc/asterisk && md5sum {} {}", Use::Hold.shipped(), Use::PreAnswer.shipped())).await;
    let hashes =
        |out: &str| out.lines().map(|l| l.split_whitespace().next().unwrap_or("").to_string()).collect::<Vec<_>>();
    assert_eq!(hashes(&sums().await), hashes(&shipped), "the IPBX starts with the shipped prompts");

    let mp3 = fixture("quiet-voice.mp3");
    let request = Request::Install { hold: Some(mp3.clone()), pre_answer: Some(mp3) };
    let report = runtime.prompt(&prompt::plan(&lab, "table1", request).unwrap()).await.expect("installed");
    println!("{report}");
    let installed = &report.installed[0];
    assert_eq!(installed.uses, [Use::Hold, Use::PreAnswer]);
    assert!((installed.before.rms_db + 37.5).abs() < 1.0, "the file is quiet: {:?}", installed.before);
    assert!((installed.after.rms_db + 20.0).abs() < 0.5, "levelled to -20 dBFS: {:?}", installed.after);
    assert!((installed.after.seconds - 2.0).abs() < 0.1, "{:?}", installed.after);
    for u in [Use::Hold, Use::PreAnswer] {
        let format = sh(format!("soxi -r {f}; soxi -c {f}; soxi -b {f}", f = u.path())).await;
        assert_eq!(format.split_whitespace().collect::<Vec<_>>(), ["8000", "1", "16"], "{}", u.label());
    }
    let files = sh("asterisk -rx 'moh show files'".into()).await;
    assert!(files.contains("/var/lib/asterisk/prompts/hold/prompt"), "{files}");
    assert_eq!(sh("ls /tmp/lab-prompt 2>&1 | wc -l".into()).await.trim(), "1", "the work folder is gone");

    // A silent file changes nothing.
    let before = sums().await;
    let dir = tempfile::tempdir().unwrap();
    let silence = dir.path().join("silence.wav");
    std::fs::write(&silence, wav_seconds(2)).unwrap();
    match runtime.prompt(&prompt::plan(&lab, "table1", hold(&silence)).unwrap()).await {
        Err(LabError::SilentPrompt { .. }) => {}
        other => panic!("a silent file is refused, got {other:?}"),
    }
    assert_eq!(sums().await, before, "nothing was installed");

    let reset = runtime.prompt(&prompt::plan(&lab, "table1", Request::Reset).unwrap()).await.expect("reset");
    assert!(reset.installed.is_empty());
    assert_eq!(hashes(&sums().await), hashes(&shipped), "the shipped prompts are back");
}

/// Grading moves the own-prompts checks onto the graded site, as the rest of
/// part III: its phone records on 560, its public number hears the recording,
/// and the check holds that site's prompts; with a mapping of one cabinet,
/// onto the config's own names.
#[test]
fn grading_runs_the_own_prompts_checks_on_the_graded_site() {
    use lab::grade::mapping::Mapping;
    use lab::grade::{session, Part};
    use lab::scenario::steps::{Dial, Hears};
    use lab::scenario::{Resource, Sound, Step};

    let sae = Lab::sae();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let scenarios = lab::scenario::load_dir(&dir, &sae).expect("the shipped scenarios are valid");
    let own = |checks: &[lab::scenario::Scenario]| {
        checks.iter().find(|s| s.name == "own-prompts").cloned().expect("own-prompts is graded in part III")
    };
    let dials = |s: &lab::scenario::Scenario| -> Vec<String> {
        s.checks[0]
            .steps
            .iter()
            .filter_map(|l| match &l.step {
                Step::Dial(Dial { from, number }) => Some(format!("{from}>{number}")),
                _ => None,
            })
            .collect()
    };
    let voices = |s: &lab::scenario::Scenario| -> Vec<String> {
        s.checks
            .iter()
            .flat_map(|c| &c.steps)
            .filter_map(|l| match &l.step {
                Step::Hears(Hears {
                    what: Sound::Welcome { voice: Some(v), .. } | Sound::Music { voice: Some(v), .. },
                    ..
                }) => Some(v.to_string()),
                _ => None,
            })
            .collect()
    };

    let graded = session::select_checks(&sae, &sae, "table3", &scenarios, None, Some(Part::III));
    let moved = own(&graded);
    assert_eq!(moved.checks.len(), 2);
    assert_eq!(dials(&moved), ["table3/patron7>560", "operator/tm1>0320000373", "table3/assistant7>73"]);
    assert_eq!(voices(&moved), ["table3/patron7", "table3/secretaire6"]);
    assert!(moved.checks.iter().all(|c| c.resources().contains(&Resource::Prompts { site: "table3".into() })));

    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grade-report/map.toml"))
            .unwrap();
    let mapping = Mapping::parse("map.toml", &text, sae.site("table2").unwrap()).expect("a valid mapping");
    let mapped = mapping.apply(&session::graded_lab(&sae, "table2"), "table2");
    let graded = session::select_checks(&sae, &mapped, "table2", &scenarios, Some(&mapping), Some(Part::III));
    let moved = own(&graded);
    assert_eq!(moved.checks.len(), 2);
    assert_eq!(dials(&moved), ["table2/patron>560", "operator/tm1>0320000213", "table2/assistant>3"]);
    assert_eq!(voices(&moved), ["table2/patron", "table2/secretaire"]);
}
