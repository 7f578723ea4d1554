//! `lab capture` keeps a site's audio: while a call inside the site and one
//! to another site carry audio both ways, the pcap of the site's IPBX holds
//! their SIP and G.711 RTP, on the phone's leg (softphones <-> IPBX) and on
//! the trunk's (IPBX <-> operator).

mod support;

use std::net::{Ipv4Addr, SocketAddrV4};

use lab::model::{ports, Lab, PortRange};
use lab::runtime::progress::Silent;
use lab::runtime::LabRuntime;
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
    let packets = udp_packets(&pcap);
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
    let ipbx_lan = (net.ipbx_lan(site.index), site.host_ports.rtp);
    let ipbx_backbone = (net.ipbx_backbone(site.index), site.host_ports.rtp);
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

/// Source, destination and payload of each IPv4 UDP packet of a capture
/// (`tcpdump -i any`: Linux cooked headers, v1 or v2). The library reads
/// captures in `scenario::pcap`, which the scenario module keeps to itself.
fn udp_packets(pcap: &[u8]) -> Vec<(SocketAddrV4, SocketAddrV4, &[u8])> {
    assert!(pcap.len() >= 24, "a pcap file of {} bytes", pcap.len());
    let le = match pcap[..4] {
        [0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1] => true,
        [0xa1, 0xb2, 0xc3, 0xd4] | [0xa1, 0xb2, 0x3c, 0x4d] => false,
        _ => panic!("not a pcap file: {:02x?}", &pcap[..4]),
    };
    let u32_at = |i: usize| {
        let b = [pcap[i], pcap[i + 1], pcap[i + 2], pcap[i + 3]];
        if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    let link_header = match u32_at(20) {
        113 => 16,
        276 => 20,
        other => panic!("link type {other}: not what tcpdump -i any writes"),
    };
    let mut out = Vec::new();
    let mut at = 24;
    while at + 16 <= pcap.len() {
        let captured = u32_at(at + 8) as usize;
        let Some(frame) = pcap.get(at + 16..at + 16 + captured) else { break };
        at += 16 + captured;
        let Some(ip) = frame.get(link_header..) else { continue };
        let header = usize::from(ip.first().map_or(0, |b| b & 0x0f)) * 4;
        if ip.len() < header + 8 || ip[0] >> 4 != 4 || ip[9] != 17 {
            continue; // not IPv4 UDP
        }
        let addr = |i: usize| Ipv4Addr::new(ip[i], ip[i + 1], ip[i + 2], ip[i + 3]);
        let port = |i: usize| u16::from_be_bytes([ip[header + i], ip[header + i + 1]]);
        let src = SocketAddrV4::new(addr(12), port(0));
        let dst = SocketAddrV4::new(addr(16), port(2));
        out.push((src, dst, &ip[header + 8..]));
    }
    out
}
