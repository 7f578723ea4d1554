//! `bench calls` in small: two sites of one cabinet, SIPp registered as
//! their phones, 2 then 4 calls through the operator with RTP both ways;
//! every call held, none failed, media counted, and the phones given back
//! to the lab's softphones afterwards.

mod support;

use std::time::Duration;

use lab::load::{Limit, Options};
use lab::model::Lab;
use lab::runtime::LabRuntime;
use lab::state::StateDir;

const TWO_SITES: &str = r#"
name = "load-itest"

[network]
subnet = "10.104.0.0/16"

[host]
sip_port = 17500
rtp_port = 3000

[defaults]
cabinets = 1

[[sites]]
index = 1

[[sites]]
index = 2
"#;

#[tokio::test]
async fn calls_between_two_sites_are_held_with_media_both_ways() {
    let Some(engine) = support::engine_or_skip("calls_between_two_sites").await else {
        return;
    };
    support::images(&engine).await;
    let lab = Lab::parse("load-itest.toml", TWO_SITES).expect("valid lab");
    let state = tempfile::tempdir().unwrap();
    let state = StateDir::new(state.path(), &lab.name);
    let _cleanup = support::Cleanup::new(&lab.name);

    let options = Options { first: 2, step: 2, max: None, rate: 4.0, plateau: Duration::from_secs(3) };
    let report = lab::load::run(&lab, state.clone(), &options, &support::Stderr).await.expect("the load runs");
    let steps: Vec<(usize, usize, usize)> = report.steps.iter().map(|s| (s.calls, s.held, s.failed)).collect();
    assert_eq!(steps, [(2, 2, 0), (4, 4, 0)], "each site's patron calls the other site's assistant and secretary");
    assert_eq!(report.best().map(|s| s.calls), Some(4));
    assert_eq!(report.limit, Limit::Accounts { calls: 4 }, "two phones answer per site");
    for step in &report.steps {
        // A call's 3 Asterisks receive 50 packets a second on each of its 6 legs.
        assert!(step.rtp.received > 50 * step.calls as u64, "{step:?}");
        assert!(step.asterisk_cores > 0.0 && step.asterisk_mib > 0.0, "{step:?}");
    }

    // The lab's softphones have their accounts back.
    let runtime = LabRuntime::connect(&lab, state).await.unwrap();
    let status = runtime.status().await.unwrap();
    assert!(status.ready(), "not ready after the load: {:?}", status.missing());
    assert!(status.sites.iter().flat_map(|s| &s.phones).all(|p| p.registered && !p.softphone));
}
