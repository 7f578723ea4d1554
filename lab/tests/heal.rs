//! Faults done to a running lab: it heals by itself from a crashed process or
//! a `docker restart`, `lab up` repairs a killed or removed container, each
//! within 30 s back to every account registered; and afterwards a call
//! crosses the operator and a voicemail is left, mailed and announced.

mod support;

use std::time::Duration;

use lab::model::Lab;
use lab::runtime::progress::Silent;
use lab::runtime::topology::Kind;
use lab::runtime::{Fault, LabRuntime};
use lab::scenario::RunOptions;
use lab::state::StateDir;

/// What the issue promises: whole again within 30 s, with nobody acting.
const HEAL: Duration = Duration::from_secs(30);

/// Two small sites on a name, subnet and ports no other test uses; the RTP
/// ranges lie below Linux's ephemeral ports (32768 up), which any program's
/// passing socket may hold for a moment.
const LAB: &str = r#"
name = "itest-heal"

[network]
subnet = "10.77.0.0/16"

[host]
sip_port = 15800
rtp_port = 26000

[defaults]
cabinets = 1

[voicemail]
ring_seconds = 4

[[sites]]
index = 1

[[sites]]
index = 2
"#;

/// A call through both IPBXs and the operator; a voicemail left, mailed
/// through the mail server, and shown by MWI.
const STILL_WORKS: &str = r#"
title = "Still works"

[[call]]
says = "A call crosses the operator"
from = "table1/patron1"
to = "table2/secretaire1"
dial = "intersite"

[[flow]]
says = "An unanswered call reaches voicemail, which mails it and lights MWI"
steps = [
  { empty_box = "table2/12" },
  { dial = "12", from = "table2/patron1" },
  { rings = "table2/assistant1" },
  { leaves_message = "table2/patron1", box = "table2/12" },
  { ended = "table2/assistant1" },
  { mailed = "table2/assistant1", from = "table2/patron1" },
  { mwi = "yes", phone = "table2/assistant1" },
  { empty_box = "table2/12" },
  { mwi = "no", phone = "table2/assistant1" },
]
"#;

#[tokio::test]
async fn the_lab_heals_from_crashes_restarts_kills_and_removals() {
    let Some(engine) = support::engine_or_skip("the_lab_heals").await else {
        return;
    };
    support::images(&engine).await;
    let lab = Lab::parse("heal.toml", LAB).expect("valid lab");
    let scenario = lab::scenario::parse("still-works.toml", "still-works", STILL_WORKS, &lab).expect("valid scenario");
    let state = tempfile::tempdir().unwrap();
    let state = StateDir::new(state.path(), &lab.name);
    let runtime = LabRuntime::connect(&lab, state.clone()).await.unwrap();
    support::remove_lab(&lab.name).await;
    let _cleanup = support::Cleanup::new(&lab.name);
    runtime.up(Default::default(), &support::Stderr).await.expect("the lab comes up");
    let secrets = runtime.secrets().unwrap();
    let out = tempfile::tempdir().unwrap();
    let options = RunOptions::new(2, out.path().to_path_buf(), state.config_dir());

    let site = |s: &str| s.to_string();
    let faults = [
        (Kind::Operator, Fault::Crash),
        (Kind::Ipbx { site: site("table1") }, Fault::Crash),
        (Kind::Phones { site: site("table2") }, Fault::Crash),
        (Kind::Mail, Fault::Crash),
        (Kind::OperatorPhones, Fault::Restart),
        (Kind::Ipbx { site: site("table2") }, Fault::Kill),
        (Kind::Operator, Fault::Remove),
    ];
    let mut figures = Vec::new();
    for (kind, fault) in &faults {
        let r = runtime.hurt_and_heal(kind, *fault, HEAL).await.expect("the fault is done and watched");
        let Some(secs) = r.whole_after else {
            panic!("{} of {}: not whole after {} s: {}", fault.name(), r.container, HEAL.as_secs(), r.left.join("; "));
        };
        figures.push(format!("{} {}: {secs:.1} s", fault.name(), r.container));
        let report = lab::scenario::run(&engine, &lab, &secrets, std::slice::from_ref(&scenario), &options, &|_| {})
            .await
            .expect("the checks run");
        let failed: Vec<String> = report
            .results
            .iter()
            .filter_map(|r| r.failure.as_ref().map(|f| format!("{}: {} (observed: {})", r.says, f.step, f.observed)))
            .collect();
        assert!(failed.is_empty(), "after {} of {}: {}", fault.name(), r.container, failed.join("\n"));
    }
    eprintln!("healed: {}", figures.join(", "));
    runtime.down(true, &Silent).await.expect("down");
}
