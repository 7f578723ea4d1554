//! A two-site lab from nothing: up, every account registered, a second up
//! changes nothing, state survives down + up, down --volumes leaves nothing
//! labelled behind.

mod support;

use lab::model::Lab;
use lab::runtime::progress::Silent;
use lab::runtime::topology::LABEL_LAB;
use lab::runtime::LabRuntime;
use lab::state::StateDir;

const TWO_SITES: &str = r#"
name = "itest-duo"

[network]
subnet = "172.29.0.0/16"

[host]
sip_port = 15060
rtp_port = 45000

[defaults]
cabinets = 2

[[sites]]
index = 1

[[sites]]
index = 2
password = "toto"
"#;

#[tokio::test]
async fn two_sites_come_up_registered_and_go_away() {
    let Some(engine) = support::engine_or_skip("two_sites_come_up").await else {
        return;
    };
    support::images(&engine).await;
    let lab = Lab::parse("duo.toml", TWO_SITES).expect("valid lab");
    let state = tempfile::tempdir().unwrap();
    let runtime = LabRuntime::connect(&lab, StateDir::new(state.path(), &lab.name)).await.unwrap();
    runtime.down(false, &Silent).await.unwrap();
    let _cleanup = support::Cleanup::new(&lab.name);

    let first = runtime.up(Default::default(), &support::Stderr).await;
    let outcome = async {
        let first = first?;
        let s = &first.status;
        assert!(s.ready(), "not ready: {:?}", s.missing());
        assert_eq!(s.registered_trunks(), 2);
        assert_eq!(s.registered_phones(), 12);
        assert!(s.operator.test_phones.iter().all(|t| t.registered));
        assert_eq!(
            first.created.len(),
            9,
            "operator, its phones, the mail server, two IPBXs with their network holders, two phone containers"
        );
        let table2 = &s.sites[1];
        assert!(table2.phones.iter().all(|p| p.password == "toto"), "the lab file's password is used");
        assert_eq!(table2.phones[2].extension, "13");
        assert_eq!(table2.phones[2].public_number, "0320000213");

        let json = serde_json::to_value(s).unwrap();
        assert_eq!(json["sites"][0]["trunk"]["registered"], true);
        assert_eq!(json["operator"]["test_phones"][1]["number"], "0212345678");

        // A site whose trunk is not registered shows it, as the operator sees it.
        let ipbx = "itest-duo-table1";
        engine.exec(ipbx, &["asterisk", "-rx", "pjsip send unregister operator-reg-0"]).await?;
        support::eventually("table1's trunk shows unregistered", || async {
            let s = runtime.status().await.unwrap();
            !s.sites[0].trunk.registered && s.sites[1].trunk.registered && !s.ready()
        })
        .await;
        engine.exec(ipbx, &["asterisk", "-rx", "pjsip send register operator-reg-0"]).await?;
        support::eventually("table1's trunk registers again", || async { runtime.status().await.unwrap().ready() })
            .await;

        let second = runtime.up(Default::default(), &Silent).await?;
        assert!(second.created.is_empty(), "a second up recreated {:?}", second.created);
        assert_eq!(second.kept.len(), 9);

        // State lives on volumes: an astdb value (a call forward, say) and a
        // voicemail file survive `down` + `up`.
        engine.exec(ipbx, &["asterisk", "-rx", "database put CF 11 0212345678"]).await?;
        engine.exec(ipbx, &["touch", "/var/spool/asterisk/voicemail/kept"]).await?;
        let down = runtime.down(false, &Silent).await?;
        assert_eq!(down.containers.len(), 9);
        assert!(down.volumes.is_empty(), "down without --volumes keeps them");
        assert_eq!(engine.volumes(LABEL_LAB, &lab.name).await?.len(), 7, "spool and astdb of three Asterisks, mail");
        let third = runtime.up(Default::default(), &Silent).await?;
        assert!(third.status.ready(), "not ready after down + up: {:?}", third.status.missing());
        let value = engine.exec(ipbx, &["asterisk", "-rx", "database get CF 11"]).await?.output;
        assert!(value.contains("0212345678"), "the astdb value is gone after down + up: {value}");
        assert_eq!(engine.exec(ipbx, &["test", "-f", "/var/spool/asterisk/voicemail/kept"]).await?.code, 0);
        Ok::<_, lab::runtime::LabError>(())
    }
    .await;

    let down = runtime.down(true, &Silent).await;
    outcome.expect("the lab came up");
    let down = down.expect("down succeeds");
    assert_eq!(down.containers.len(), 9);
    assert_eq!(down.networks.len(), 3);
    assert_eq!(down.volumes.len(), 7, "down --volumes deletes them");
    assert!(engine.containers(LABEL_LAB, &lab.name).await.unwrap().is_empty());
    assert!(engine.networks(LABEL_LAB, &lab.name).await.unwrap().is_empty());
    assert!(engine.volumes(LABEL_LAB, &lab.name).await.unwrap().is_empty());
    let again = runtime.down(true, &Silent).await.expect("down is safe to rerun");
    assert!(again.containers.is_empty() && again.networks.is_empty() && again.volumes.is_empty());
}
