//! Real softphones on the host, as a student's would be: baresip registers
//! through a site's published SIP port and talks to a lab phone, its audio
//! straight to the IPBX's address, proven both ways by content; Linphone
//! (linphonec), set up by the lab's provisioning file alone, registers too.

mod support;

use std::time::Duration;

use lab::model::Lab;
use lab::runtime::docker::Engine;
use lab::runtime::progress::Silent;
use lab::runtime::topology::{container_name, Kind};
use lab::runtime::LabRuntime;
use lab::scenario::audio::{hears, parse_wav};
use lab::scenario::phones::{Event, EventKind, Hub};
use lab::scenario::{CheckResult, RunOptions};
use lab::state::StateDir;
use tokio::sync::broadcast;

/// Its own name, subnet and host ports, so it never meets another lab.
const ONE_SITE: &str = r#"
name = "itest-outside"

[network]
subnet = "172.31.0.0/16"

[host]
sip_port = 15260
rtp_port = 47000

[defaults]
cabinets = 2

[[sites]]
index = 1
"#;

const HOST_TONE_HZ: u32 = 1000;

#[tokio::test]
async fn a_softphone_on_the_host_registers_and_talks_both_ways() {
    let test = "a_softphone_on_the_host";
    let Some(engine) = support::engine_or_skip(test).await else {
        return;
    };
    if !support::host_program_or_skip(test, "baresip", "baresip-core")
        || !support::host_program_or_skip(test, "linphonec", "linphone-cli")
    {
        return;
    }
    support::images(&engine).await;
    let mut lab = Lab::parse("outside.toml", ONE_SITE).expect("valid lab");
    lab.set_outside(None, &["table1/secretaire1".to_string(), "table1/secretaire2".to_string()])
        .expect("phones of the lab");
    let state = tempfile::tempdir().unwrap();
    let state = StateDir::new(state.path(), &lab.name);
    let runtime = LabRuntime::connect(&lab, state.clone()).await.unwrap();
    support::remove_lab(&lab.name).await;
    let _cleanup = support::Cleanup::new(&lab.name);
    let up = runtime.up(Default::default(), &support::Stderr).await.expect("the lab comes up");
    let site = &up.status.sites[0];
    assert_eq!(site.outside_server, "127.0.0.1:15261");
    let secretaire = &site.phones[2];
    assert!(secretaire.softphone && !secretaire.registered, "the lab's own phone left the account free");

    // A scenario sees the account free too: nothing registered for it.
    let free = registered_check(&engine, &lab, &runtime, &state).await;
    let observed = free.failure.as_ref().map(|f| f.observed.clone()).unwrap_or_default();
    assert!(free.failed() && observed.starts_with("no contact for secretaire1"), "{free:?}");

    // The softphone, configured as a student would: server 127.0.0.1:15261.
    let host = tempfile::tempdir().unwrap();
    write_baresip(host.path(), &secretaire.password);
    let mut baresip = tokio::process::Command::new("baresip")
        .arg("-f")
        .arg(host.path())
        .stdout(std::fs::File::create(host.path().join("log")).unwrap())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("baresip starts");

    let outcome = async {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let s = runtime.status().await.unwrap();
            let p = &s.sites[0].phones[2];
            if p.registered && p.from_outside {
                break;
            }
            let log = std::fs::read_to_string(host.path().join("log")).unwrap_or_default();
            assert!(
                std::time::Instant::now() < deadline,
                "secretaire1 did not register from outside; baresip said:\n{log}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let back = registered_check(&engine, &lab, &runtime, &state).await;
        assert!(back.passed(), "registered from outside, as a scenario sees it: {back:?}");

        // patron1, a lab phone, calls 13; the softphone answers by itself.
        let (events, mut rx) = broadcast::channel::<Event>(256);
        let phones = container_name(&lab, &Kind::Phones { site: "table1".into() });
        let hub = Hub::connect(&engine, "table1", &phones, events).await.expect("control of the lab phones");
        let dial = hub.command("dial", &format!("sip:13@{} 0", lab.network.ipbx_lan(1))).await.unwrap();
        assert!(dial.ok, "patron1 dials: {}", dial.data);
        tokio::time::timeout(Duration::from_secs(15), async {
            loop {
                let e = rx.recv().await.unwrap();
                if e.account == "patron1" && e.kind == EventKind::CallEstablished {
                    break;
                }
                assert_ne!(e.kind, EventKind::CallClosed, "the call ended before it was answered: {}", e.param);
            }
        })
        .await
        .expect("the softphone answers within 15 s");
        tokio::time::sleep(Duration::from_secs(4)).await;
        hub.command("hangup", "").await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;

        // What the lab phone heard, and what the softphone heard.
        let patron_wav = engine.exec_bytes(&phones, &["cat", "/var/lib/baresip/rx-patron1.wav"]).await.unwrap();
        let patron_tone = lab::gen::phones::tone_hz(&lab, "patron1", Some(&lab.sites[0])).unwrap();
        let (ok, heard) = hears(&parse_wav(&patron_wav).unwrap(), HOST_TONE_HZ, &[patron_tone]);
        assert!(ok, "patron1 should hear the softphone's {HOST_TONE_HZ} Hz: {heard}");
        let decoded = std::fs::read_dir(host.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with("-dec.wav"))
            .expect("the softphone recorded what it received");
        let (ok, heard) = hears(&parse_wav(&std::fs::read(decoded).unwrap()).unwrap(), patron_tone, &[HOST_TONE_HZ]);
        assert!(ok, "the softphone should hear patron1's {patron_tone} Hz: {heard}");

        // Linphone, from the provisioning file `lab provision` writes for secretaire2.
        let secrets = runtime.secrets().unwrap();
        let (_, xml) = lab::gen::provisioning::files(&lab, &secrets, "127.0.0.1")
            .into_iter()
            .find(|(p, _)| p.ends_with("table1/secretaire2.xml"))
            .expect("secretaire2 is a Linphone");
        let linphone = tempfile::tempdir().unwrap();
        let mut linphonec = start_linphonec(linphone.path(), &xml);
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let s = runtime.status().await.unwrap();
            let p = &s.sites[0].phones[5];
            if p.registered && p.from_outside {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "Linphone did not register secretaire2 from outside");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        use tokio::io::AsyncWriteExt;
        let _ = linphonec.stdin.take().unwrap().write_all(b"quit\n").await;
        let _ = tokio::time::timeout(Duration::from_secs(5), linphonec.wait()).await;
    }
    .await;

    let _ = baresip.kill().await;
    runtime.down(false, &Silent).await.expect("down");
    outcome
}

/// linphonec with nothing but the provisioning file (and its own folders):
/// Linphone applies `config-uri` at start, once its database opens.
fn start_linphonec(dir: &std::path::Path, xml: &str) -> tokio::process::Child {
    let xml_path = dir.join("secretaire2.xml");
    std::fs::write(&xml_path, xml).unwrap();
    let rc = dir.join("linphonerc");
    std::fs::write(
        &rc,
        format!(
            "[misc]\nconfig-uri=file://{}\n\n[storage]\nuri={}\n\n[sip]\nsip_port=-1\nsip_tcp_port=0\nsip_tls_port=0\n",
            xml_path.display(),
            dir.join("linphone.db").display()
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join(".local/share/linphone")).unwrap();
    tokio::process::Command::new("linphonec")
        .arg("-c")
        .arg(&rc)
        .args(["-d", "0"])
        .env("HOME", dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("linphonec starts")
}

/// A host baresip with one account, as Linphone would be set up, answering
/// by itself and keeping what it receives (sndfile) for the check.
fn write_baresip(dir: &std::path::Path, password: &str) {
    let free = || std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (sip, rtp) = (free(), free());
    let config = format!(
        "sip_listen 127.0.0.1:{sip}\n\
         net_interface 127.0.0.1\n\
         audio_source ausine,{HOST_TONE_HZ}\n\
         ausrc_srate 48000\nauplay_srate 8000\n\
         # ausine of baresip 1.0 produces stereo only\n\
         ausrc_channels 2\nauplay_channels 1\n\
         rtp_ports {rtp}-{}\nrtcp_mux no\n\
         module_path /usr/lib/baresip/modules\n\
         module g711.so\nmodule ausine.so\nmodule sndfile.so\n\
         module_tmp account.so\n\
         snd_path {}\n\
         ringback_disabled yes\nstatmode_default off\n",
        rtp + 20,
        dir.display()
    );
    std::fs::write(dir.join("config"), config).unwrap();
    let account = format!(
        "<sip:secretaire1@127.0.0.1:15261>;auth_pass={password};regint=60;answermode=auto;audio_source=ausine,{HOST_TONE_HZ}\n"
    );
    std::fs::write(dir.join("accounts"), account).unwrap();
}

/// The result of a one-step scenario: `registered = "table1/secretaire1"`.
async fn registered_check(engine: &Engine, lab: &Lab, runtime: &LabRuntime<'_>, state: &StateDir) -> CheckResult {
    let text = "title = \"t\"\n[[flow]]\nsays = \"registered\"\nsteps = [{ registered = \"table1/secretaire1\" }]\n";
    let scenarios = vec![lab::scenario::parse("registered.toml", "registered", text, lab).expect("a valid scenario")];
    let out = tempfile::tempdir().unwrap();
    let options = RunOptions::new(1, out.path().to_path_buf(), state.config_dir());
    let secrets = runtime.secrets().unwrap();
    let report =
        lab::scenario::run(engine, lab, &secrets, &scenarios, &options, &|_| {}).await.expect("the run completes");
    report.results.into_iter().next().expect("one check")
}
