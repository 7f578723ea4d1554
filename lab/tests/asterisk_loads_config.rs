//! The generated configs, loaded by a real Asterisk 22: what Asterisk itself
//! reports must match the model.

mod support;

use lab::gen::generate;
use lab::model::Lab;
use lab::runtime::topology::{self, Kind};
use lab::secrets::Secrets;
use testcontainers::core::{ExecCommand, Mount, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, GenericImage, ImageExt};

async fn cli(container: &ContainerAsync<GenericImage>, command: &str) -> String {
    let mut exec = container.exec(ExecCommand::new(["asterisk", "-rx", command])).await.expect("exec runs");
    String::from_utf8(exec.stdout_to_vec().await.expect("output")).expect("utf-8")
}

/// Starts the Asterisk image on one generated config folder and waits until it has booted.
async fn asterisk_with(images: &lab::runtime::images::Images, dir: &std::path::Path) -> ContainerAsync<GenericImage> {
    let (name, tag) = images.asterisk.split_once(':').unwrap();
    let container = GenericImage::new(name, tag)
        .with_wait_for(WaitFor::message_on_stdout("Asterisk Ready"))
        .with_mount(Mount::bind_mount(dir.to_string_lossy(), "/etc/asterisk"))
        .start()
        .await
        .expect("Asterisk starts on the generated config");
    let booted = cli(&container, "core waitfullybooted").await;
    assert!(booted.contains("fully booted"), "{booted}");
    container
}

fn sae_elsewhere() -> Lab {
    support::sae_elsewhere("itest-load", "172.30.0.0/16", 15160, 46000)
}

#[tokio::test]
async fn a_site_config_loads_with_every_phone_the_trunk_and_the_dialplan() {
    let Some(engine) = support::engine_or_skip("a_site_config_loads").await else {
        return;
    };
    let images = support::images(&engine).await;
    let lab = sae_elsewhere();
    let tree = generate(&lab, &Secrets::deterministic(&lab));
    let dir = tempfile::tempdir().unwrap();
    tree.write(dir.path()).unwrap();
    // A site binds one transport per network address: it runs on the lab's own
    // networks, with the operator it registers to.
    let plan = topology::plan(&lab, &images, &tree, dir.path());
    let wanted = |p: &&topology::Planned| {
        matches!(&p.kind, Kind::Operator)
            || matches!(&p.kind, Kind::Ipbx { site } | Kind::SiteNet { site } if site == "table2")
    };
    let started: Vec<_> = plan.containers.iter().filter(wanted).collect();
    support::remove_lab(&lab.name).await;
    let _cleanup = support::Cleanup::new(&lab.name);
    support::start_part(&engine, &plan, &started).await;
    let ipbx = &started.iter().find(|p| matches!(p.kind, Kind::Ipbx { .. })).unwrap().spec.name;
    let run = |cmd: &'static str| {
        let engine = engine.clone();
        let ipbx = ipbx.clone();
        async move { engine.exec(&ipbx, &["asterisk", "-rx", cmd]).await.unwrap().output }
    };
    support::eventually("Asterisk boots", || async { run("core waitfullybooted").await.contains("fully booted") })
        .await;

    let endpoints = run("pjsip show endpoints").await;
    let site = lab.site("table2").unwrap();
    for phone in &site.phones {
        let line = format!("Endpoint:  {}/{} ", phone.account, phone.extension);
        assert!(endpoints.contains(&line), "endpoint {} missing:\n{endpoints}", phone.account);
    }
    assert!(endpoints.contains("Endpoint:  operator "), "trunk endpoint missing:\n{endpoints}");
    assert!(!endpoints.contains("Contact:  patron1/"), "a phone has a contact before registering:\n{endpoints}");
    assert!(endpoints.contains(&format!("Objects found: {}", site.phones.len() + 1)), "{endpoints}");

    support::eventually("the trunk registers at the operator", || async {
        run("pjsip show registrations").await.contains("Registered")
    })
    .await;

    let internal = run("dialplan show internal").await;
    for include in ["extensions", "intersite", "external"] {
        assert!(internal.contains(&format!("Include =>        '{include}'")), "include {include} missing:\n{internal}");
    }
    let trunk = run("dialplan show 0320000213@from-trunk").await;
    assert!(trunk.contains("Goto(extensions,13,1)"), "{trunk}");
    let dial = run("dialplan show 13@extensions").await;
    assert!(dial.contains("Dial(PJSIP/secretaire1,10,"), "{dial}");
    assert!(dial.contains("VoiceMail(13@default,u)"), "{dial}");
    let hints = run("core show hints").await;
    assert!(hints.contains("PJSIP/secretaire1"), "{hints}");
    assert!(hints.contains(&format!("{} hints registered", site.phones.len())), "{hints}");
    let modules = run("module show like res_pjsip_exten_state").await;
    assert!(modules.contains("Running"), "BLF support did not load:\n{modules}");
    // 560 records the site's prompts, which the image seeded on the volume
    // from the shipped ones: the music on hold class plays that file.
    let record = run("dialplan show 560@internal").await;
    assert!(record.contains("Record(${PROMPTS}/recorded.wav"), "{record}");
    let system = run("module show like app_system").await;
    assert!(system.contains("Running"), "560 cannot install its recording:\n{system}");
    let moh = run("moh show files").await;
    assert!(moh.contains("/var/lib/asterisk/prompts/hold/prompt"), "no seeded music on hold:\n{moh}");
}

#[tokio::test]
async fn the_operator_config_loads_with_every_trunk_and_test_phone() {
    let Some(engine) = support::engine_or_skip("the_operator_config_loads").await else {
        return;
    };
    let images = support::images(&engine).await;
    let lab = Lab::sae();
    let tree = generate(&lab, &Secrets::deterministic(&lab));
    let dir = tempfile::tempdir().unwrap();
    tree.write(dir.path()).unwrap();
    let asterisk = asterisk_with(&images, &dir.path().join("operator/asterisk")).await;

    let endpoints = cli(&asterisk, "pjsip show endpoints").await;
    for account in ["table1 ", "table2 ", "table3 ", "table4 ", "tm1/0212345677 ", "tm2/0212345678 "] {
        assert!(endpoints.contains(&format!("Endpoint:  {account}")), "{account} missing:\n{endpoints}");
    }
    assert!(!endpoints.contains("Contact:  table1/"), "a site looks registered before it registers:\n{endpoints}");
    let identify = cli(&asterisk, "pjsip show identifies").await;
    assert!(identify.contains("172.28.0.12/32"), "table2 is not identified by address:\n{identify}");
    let route = cli(&asterisk, "dialplan show *213@routing").await;
    assert!(route.contains("Goto(routing,0320000${EXTEN:1},1)"), "{route}");
    let tm2 = cli(&asterisk, "dialplan show 0212345678@routing").await;
    assert!(tm2.contains("Dial(PJSIP/tm2,60)"), "{tm2}");
}
