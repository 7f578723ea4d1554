//! The scenario runner leaves the lab as it found it and tells the lab's own
//! breakdowns apart: a call left open is found on the IPBX and hung up, an
//! incoming call no step took is hung up on the softphone, and a check
//! during which the softphones crash is a lab error, not a failure.

mod support;

use std::time::Duration;

use lab::model::Lab;
use lab::runtime::docker::Engine;
use lab::runtime::progress::Silent;
use lab::runtime::LabRuntime;
use lab::scenario::{self, report, RunOptions, RunReport};
use lab::state::StateDir;

/// Its own name, subnet and host ports, so it never meets another lab.
const ONE_CABINET: &str = r#"
name = "itest-runner"

[network]
subnet = "172.27.0.0/16"

[host]
sip_port = 15700
rtp_port = 54000

[defaults]
cabinets = 1

[[sites]]
index = 1
"#;

const IPBX: &str = "itest-runner-table1";
const PHONES: &str = "itest-runner-table1-phones";

/// patron1 is 11, assistant1 12, secretaire1 13.
const CLEANUP: &str = r#"
title = "Cleanup"

[[flow]]
says = "secretaire1 calls patron1, while a call to secretaire1 nobody answers is left on the IPBX"
steps = [
  { dial = "11", from = "table1/secretaire1" },
  { rings = "table1/patron1" },
  { answer = "table1/patron1" },
  { hangup = "table1/secretaire1" },
]

[[flow]]
says = "assistant1 calls patron1, while an incoming call no step takes rings on assistant1"
steps = [
  { dial = "11", from = "table1/assistant1" },
  { rings = "table1/patron1" },
  { answer = "table1/patron1" },
  { hangup = "table1/assistant1" },
]
"#;

const CRASH: &str = r#"
title = "Crash"

[[flow]]
says = "patron1 calls assistant1 while their softphones crash"
steps = [
  { dial = "12", from = "table1/patron1" },
  { rings = "table1/assistant1" },
  { answer = "table1/assistant1" },
  { mwi = "yes", phone = "table1/patron1", says = "a long wait, for the crash to happen in" },
  { hangup = "table1/patron1" },
]

[[flow]]
says = "patron1 calls assistant1 once their softphones are back"
steps = [
  { dial = "12", from = "table1/patron1" },
  { rings = "table1/assistant1" },
  { answer = "table1/assistant1" },
  { hangup = "table1/patron1" },
]
"#;

async fn cli(engine: &Engine, command: &str) -> String {
    engine.exec(IPBX, &["asterisk", "-rx", command]).await.expect("the IPBX answers").output
}

/// `core show channels concise`: one `name!context!exten!prio!state!…` line each.
async fn channels(engine: &Engine) -> Vec<String> {
    cli(engine, "core show channels concise").await.lines().filter(|l| l.contains('!')).map(str::to_string).collect()
}

async fn run(engine: &Engine, lab: &Lab, state: &StateDir, name: &str, text: &str, out: &std::path::Path) -> RunReport {
    let runtime = LabRuntime::connect(lab, state.clone()).await.unwrap();
    let scenarios = vec![scenario::parse(&format!("{name}.toml"), name, text, lab).expect("a valid scenario")];
    let options = RunOptions::new(8, out.to_path_buf(), state.config_dir());
    let secrets = runtime.secrets().unwrap();
    let report = scenario::run(engine, lab, &secrets, &scenarios, &options, &|r| eprintln!("{}", report::line(r)))
        .await
        .expect("the run completes");
    eprintln!("{}", report::summary(&report));
    report
}

#[tokio::test]
async fn the_runner_cleans_up_after_each_check_and_tells_lab_errors_apart() {
    let Some(engine) = support::engine_or_skip("the_runner_cleans_up").await else {
        return;
    };
    support::images(&engine).await;
    let lab = Lab::parse("runner.toml", ONE_CABINET).expect("valid lab");
    let state = tempfile::tempdir().unwrap();
    let state = StateDir::new(state.path(), &lab.name);
    support::remove_lab(&lab.name).await;
    let _cleanup = support::Cleanup::new(&lab.name);
    let runtime = LabRuntime::connect(&lab, state.clone()).await.unwrap();
    runtime.up(Default::default(), &support::Stderr).await.expect("the lab comes up");
    let out = tempfile::tempdir().unwrap();

    // A call to secretaire1 that no phone will ever answer (its contact
    // leads nowhere): only the IPBX knows it. And a call ringing on
    // assistant1 that no step takes.
    cli(&engine, "channel originate PJSIP/secretaire1/sip:secretaire1@192.0.2.1 application Wait 120").await;
    cli(&engine, "channel originate PJSIP/assistant1 application Wait 120").await;
    support::eventually("both calls are on the IPBX", || async {
        let open = channels(&engine).await;
        ["PJSIP/secretaire1-", "PJSIP/assistant1-"].iter().all(|p| open.iter().any(|c| c.starts_with(p)))
    })
    .await;
    let cleanup = run(&engine, &lab, &state, "cleanup", CLEANUP, out.path()).await;
    let left = &cleanup.results[0];
    assert!(left.failed() && left.failed_to_clean_up(), "a check that leaves a call open fails: {left:?}");
    assert!(
        left.left_open.len() == 1
            && left.left_open[0].starts_with("left channel PJSIP/secretaire1-")
            && left.left_open[0].ends_with(" open; hung up"),
        "{:?}",
        left.left_open
    );
    let incoming = &cleanup.results[1];
    assert!(incoming.passed() && incoming.left_open.is_empty(), "hung up on the softphone: {incoming:?}");
    assert_eq!(channels(&engine).await, Vec::<String>::new(), "the run leaves no channel open");

    // The softphones crash in the middle of a call.
    let crash = async {
        support::eventually("patron1 and assistant1 are in their call", || async {
            channels(&engine).await.iter().any(|c| c.starts_with("PJSIP/assistant1-") && c.contains("!Up!"))
        })
        .await;
        engine.exec(PHONES, &["pkill", "-SEGV", "-x", "baresip"]).await.expect("baresip is killed");
    };
    let (crashed, ()) = tokio::join!(run(&engine, &lab, &state, "crash", CRASH, out.path()), crash);
    let broken = &crashed.results[0];
    let why = broken.lab_error.as_deref().unwrap_or_default();
    assert!(
        broken.is_lab_error() && !broken.failed() && why.starts_with("table1's softphones restarted during the check"),
        "a check the lab broke under is a lab error: {broken:?}"
    );
    assert!(
        broken.left_open.iter().any(|l| l.starts_with("left channel PJSIP/assistant1-")),
        "the call the crash left on the IPBX is hung up: {:?}",
        broken.left_open
    );
    let after = &crashed.results[1];
    assert!(after.passed(), "the next check runs on the softphones as they came back: {after:?}");
    assert!(crashed.restarts() >= 1, "{:?}", crashed.lab_changes);
    assert_eq!((crashed.passed(), crashed.failed(), crashed.lab_errors()), (1, 0, 1));
    let junit = report::junit(&crashed);
    assert!(junit.contains("<error message=\"lab error: table1&apos;s softphones restarted"), "{junit}");
    assert!(!junit.contains("<failure"), "{junit}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(channels(&engine).await, Vec::<String>::new(), "the run leaves no channel open");

    runtime.down(false, &Silent).await.expect("down");
}
