//! A real Linphone (linphonec) loads the generated remote-provisioning file and
//! shows the account it describes. Needs `linphonec` (Debian: linphone-cli);
//! skipped without it, unless SAE_LAB_REQUIRE_DOCKER is set (CI), where it fails.

use std::io::Write;
use std::process::{Command, Stdio};

use lab::gen::provisioning::{files, DEFAULT_SERVER};
use lab::model::Lab;
use lab::secrets::Secrets;

const TEST: &str = "linphone_loads_the_generated_provisioning_file";

/// Whether linphonec runs here; if not, says why (or fails where CI requires it).
fn linphonec_or_skip() -> bool {
    match Command::new("linphonec").arg("-v").stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(_) => true,
        Err(e) if std::env::var_os("SAE_LAB_REQUIRE_DOCKER").is_some() => {
            panic!("{TEST}: SAE_LAB_REQUIRE_DOCKER is set but linphonec cannot run ({e}); apt-get install linphone-cli")
        }
        Err(e) => {
            eprintln!("SKIPPED {TEST}: it needs linphonec (apt-get install linphone-cli): {e}");
            false
        }
    }
}

#[test]
fn linphone_loads_the_generated_provisioning_file() {
    if !linphonec_or_skip() {
        return;
    }
    let lab = Lab::sae();
    let secrets = Secrets::deterministic(&lab);
    let (_, xml) = files(&lab, &secrets, DEFAULT_SERVER)
        .into_iter()
        .find(|(p, _)| p.ends_with("table1/secretaire1.xml"))
        .expect("secretaire1 is a Linphone");
    let dir = tempfile::tempdir().unwrap();
    let xml_path = dir.path().join("secretaire1.xml");
    std::fs::write(&xml_path, xml).unwrap();
    // Linphone applies `config-uri` at start, but only once its database opens:
    // keep everything in the temporary folder. Random SIP port, no TCP/TLS, and
    // no REGISTER (a value already in the rc wins over the file's), so a lab
    // running on this host sees nothing.
    let rc = dir.path().join("linphonerc");
    std::fs::write(
        &rc,
        format!(
            "[misc]\nconfig-uri=file://{xml}\n\n[storage]\nuri={db}\n\n\
             [sip]\nsip_port=-1\nsip_tcp_port=0\nsip_tls_port=0\n\n[proxy_0]\nreg_sendregister=0\n",
            xml = xml_path.display(),
            db = dir.path().join("linphone.db").display(),
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join(".local/share/linphone")).unwrap();

    let mut child = Command::new("timeout")
        .args(["30", "linphonec", "-c"])
        .arg(&rc)
        .args(["-d", "0"])
        .env("HOME", dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("linphonec starts");
    child.stdin.take().unwrap().write_all(b"proxy list\nquit\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = || format!("linphonec said:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));

    assert!(out.status.success(), "linphonec failed ({}): {}", out.status, report());
    assert!(
        stdout.contains("identity: \"Secrétaire 1\" <sip:secretaire1@127.0.0.1:5061>"),
        "the account's identity: {}",
        report()
    );
    assert!(stdout.contains("sip address: <sip:127.0.0.1:5061;transport=udp>"), "the proxy: {}", report());
    // Linphone saved what it applied, the password included.
    let saved = std::fs::read_to_string(&rc).unwrap();
    assert!(saved.contains("username=secretaire1\n"), "{saved}");
    assert!(saved.contains("passwd=table1-secretaire1-secret\n"), "{saved}");
}
