//! `lab capture` keeps a site's audio: while a call inside the site and one
//! to another site carry audio both ways, the pcap of the site's IPBX holds
//! their SIP and G.711 RTP, on the phone's leg (softphones <-> IPBX) and on
//! the trunk's (IPBX <-> operator).

mod support;

use std::net::Ipv4Addr;

use lab::model::{ports, Lab, PortRange};
use lab::runtime::progress::Silent;
use lab::runtime::LabRuntime;
use lab::scenario::pcap::udp_packets;
use lab::scenario::{report, RunOptions};
use lab::state::StateDir;

/// Two small sites on a name, subnet and ports no other test uses; the RTP
/// ranges lie below Linux's ephemeral ports (32768 up).
const LAB: &str = r#"
name = "itest-capture"

[network]
subnet = "10.93.0.0/16"

[host]
sip_port = 16300
rtp_port = 28000

[defaults]
cabinets = 1

[[sites]]
index = 1

[[sites]]
index = 2
"#;

/// Each call rings, is answered, proves audio both ways by content, hangs up.
const CALLS: &str = r#"
title = "Calls to capture"

[[call]]
says = "A call inside table1"
from = "table1/patron1"
to = "table1/assistant1"
dial = "extension"

[[call]]
says = "A call from table1 to table2, through the operator"
from = "table1/secretaire1"
to = "table2/patron1"
dial = "intersite"
"#;

/// Longer than both calls take, run two at a time.
const CAPTURE_SECONDS: u32 = 30;

#[tokio::test]
async fn a_site_capture_holds_the_rtp_of_its_phones_and_its_trunk() {
    let Some(engine) = support::engine_or_skip("a_site_capture_holds_rtp").await else {
        return;
    };
    support::images(&engine).await;
    let lab = Lab::parse("capture.toml", LAB).expect("valid lab");
    let scenario = lab::scenario::parse("calls.toml", "calls", CALLS, &lab).expect("valid scenario");
    let state = tempfile::tempdir().unwrap();
    let state = StateDir::new(state.path(), &lab.name);
    support::remove_lab(&lab.name).await;
    let _cleanup = support::Cleanup::new(&lab.name);
    let runtime = LabRuntime::connect(&lab, state.clone()).await.unwrap();
    runtime.up(Default::default(), &support::Stderr).await.expect("the lab comes up");
    let secrets = runtime.secrets().unwrap();
    let out = tempfile::tempdir().unwrap();
    let options = RunOptions::new(2, out.path().to_path_buf(), state.config_dir());

    let calls = async {
        let report = lab::scenario::run(&engine, &lab, &secrets, std::slice::from_ref(&scenario), &options, &|r| {
            eprintln!("{}", report::line(r))
        })
        .await
        .expect("the calls run");
        assert_eq!(report.passed(), 2, "both calls carry audio both ways: {}", report::summary(&report));
    };
    let (pcap, ()) = tokio::join!(runtime.capture("table1", CAPTURE_SECONDS), calls);
    let pcap = pcap.expect("the capture runs");

    let site = lab.site("table1").unwrap();
    let net = lab.network;
    let packets: Vec<_> = udp_packets(&pcap).into_iter().map(|p| (p.src, p.dst, p.payload)).collect();
    assert!(
        packets.iter().any(|(_, dst, payload)| dst.port() == ports::SIP && payload.starts_with(b"INVITE ")),
        "the capture holds SIP ({} UDP packets)",
        packets.len()
    );
    let rtp = |from: (Ipv4Addr, PortRange), to: (Ipv4Addr, PortRange)| {
        packets
            .iter()
            .filter(|(src, dst, payload)| {
                *src.ip() == from.0
                    && from.1.contains(src.port())
                    && *dst.ip() == to.0
                    && to.1.contains(dst.port())
                    && is_g711_rtp(payload)
            })
            .count()
    };
    let phones = (net.site_phones(site.index), ports::PHONES_RTP);
    let ipbx_lan = (net.ipbx_lan(site.index), lab.ipbx_rtp(site));
    let ipbx_backbone = (net.ipbx_backbone(site.index), lab.ipbx_rtp(site));
    let operator = (net.operator(), ports::OPERATOR_RTP);
    let legs = [
        ("phones -> IPBX", rtp(phones, ipbx_lan)),
        ("IPBX -> phones", rtp(ipbx_lan, phones)),
        ("IPBX -> operator", rtp(ipbx_backbone, operator)),
        ("operator -> IPBX", rtp(operator, ipbx_backbone)),
    ];
    eprintln!("RTP packets per leg: {legs:?}");
    // A second of G.711 is 50 packets; each call carries audio for longer.
    for (leg, count) in legs {
        assert!(count >= 50, "{leg}: {count} RTP packets in the capture");
    }

    runtime.down(true, &Silent).await.expect("down");
}

/// An RTP version 2 header carrying PCMU (0) or PCMA (8), as the lab's phones send.
fn is_g711_rtp(payload: &[u8]) -> bool {
    payload.len() >= 12 && payload[0] >> 6 == 2 && matches!(payload[1] & 0x7f, 0 | 8)
}
