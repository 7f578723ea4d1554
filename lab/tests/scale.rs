//! The sixteen-table lab shipped in `lab/classroom16.toml` (384 phones, 51
//! containers, two-digit site numbers) comes up with every account
//! registered, and the inter-site scenario runs on it over a sample of site
//! pairs: each table calls the next one and the one eight further, so every
//! table calls twice and is called twice, every trunk carries calls both
//! ways, and one-digit and two-digit site numbers (`*0961`, `*1061`, `*0161`)
//! all go through the operator. The whole scenario (240 pairs) is
//! `cargo xtask scenario run intersite-calls --lab lab/classroom16.toml`.

mod support;

use std::time::Instant;

use lab::model::Lab;
use lab::runtime::progress::Silent;
use lab::runtime::LabRuntime;
use lab::scenario::steps::{Dial, Rings};
use lab::scenario::{Check, RunOptions, Step};
use lab::state::StateDir;

const LAB_FILE: &str = include_str!("../classroom16.toml");
const SCENARIO: &str = include_str!("../../scenarios/intersite-calls.toml");

/// The classroom under a name, subnet and ports no other lab uses; RTP from
/// 6100 on, below Linux's ephemeral ports (32768 up).
fn classroom_elsewhere() -> Lab {
    let text =
        LAB_FILE.replace("name = \"classroom16\"", "name = \"itest-scale\"").replace("172.28.0.0/16", "10.101.0.0/16")
            + "\n[host]\nsip_port = 17100\nrtp_port = 6000\n";
    Lab::parse("classroom16.toml", &text).expect("valid")
}

/// Whether a check of the scenario calls from a table to the next one or to
/// the one eight further (by index, round the sixteen).
fn in_sample(lab: &Lab, check: &Check) -> bool {
    let site = |name: &str| lab.site(name).map(|s| i32::from(s.index));
    let caller = check.steps.iter().find_map(|s| match &s.step {
        Step::Dial(Dial { from, .. }) => site(&from.site),
        _ => None,
    });
    let callee = check.steps.iter().find_map(|s| match &s.step {
        Step::Rings(Rings { phone, .. }) => site(&phone.site),
        _ => None,
    });
    let (Some(from), Some(to)) = (caller, callee) else { return false };
    let ahead = (to - from).rem_euclid(16);
    ahead == 1 || ahead == 8
}

#[tokio::test]
async fn sixteen_tables_come_up_and_call_each_other_through_the_operator() {
    let Some(engine) = support::engine_or_skip("sixteen_tables_come_up").await else {
        return;
    };
    support::images(&engine).await;
    let lab = classroom_elsewhere();
    assert_eq!((lab.sites.len(), lab.phone_count()), (16, 384));
    let mut scenario =
        lab::scenario::parse("scenarios/intersite-calls.toml", "intersite-calls", SCENARIO, &lab).expect("valid");
    assert_eq!(scenario.checks.len(), 16 * 15, "every ordered pair of tables");
    scenario.checks.retain(|c| in_sample(&lab, c));
    assert_eq!(scenario.checks.len(), 32);
    let numbers: Vec<&str> = scenario.checks.iter().filter_map(|c| c.says.rsplit('(').next()).collect();
    for dialled in ["*0961)", "*1061)", "*0161)"] {
        assert!(numbers.contains(&dialled), "the sample dials {dialled}: {numbers:?}");
    }

    let state = tempfile::tempdir().unwrap();
    let state = StateDir::new(state.path(), &lab.name);
    let runtime = LabRuntime::connect(&lab, state.clone()).await.unwrap();
    support::remove_lab(&lab.name).await;
    let _cleanup = support::Cleanup::new(&lab.name);
    let started = Instant::now();
    let up = runtime.up(Default::default(), &support::Stderr).await.expect("the lab comes up");
    let up_seconds = started.elapsed().as_secs_f64();
    assert!(up.status.ready(), "every trunk and phone registered");
    assert_eq!(up.created.len(), 3 * 16 + 3, "an IPBX, its network holder and a phones container a table");

    let secrets = runtime.secrets().unwrap();
    let out = tempfile::tempdir().unwrap();
    let options = RunOptions::new(4, out.path().to_path_buf(), state.config_dir());
    let started = Instant::now();
    let report = lab::scenario::run(&engine, &lab, &secrets, std::slice::from_ref(&scenario), &options, &|_| {})
        .await
        .expect("the checks run");
    let run_seconds = started.elapsed().as_secs_f64();
    let failed = support::failures(&report);
    assert!(failed.is_empty(), "{} of {} calls failed:\n{}", failed.len(), report.results.len(), failed.join("\n"));

    let started = Instant::now();
    runtime.down(true, &Silent).await.expect("down");
    eprintln!(
        "16 tables: up {up_seconds:.1} s, {} calls {run_seconds:.1} s, down {:.1} s",
        report.results.len(),
        started.elapsed().as_secs_f64()
    );
}
