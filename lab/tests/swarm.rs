//! The SAE lab on Docker Swarm: this engine made a single-node swarm (unless
//! it is in one already), the lab brought up on it (the backbone an overlay,
//! every container on its node, configs copied in), the whole scenario set
//! run, the lab brought down, and the swarm left exactly as it was found.

mod support;

use std::path::Path;

use lab::model::Deploy;
use lab::runtime::docker::Engine;
use lab::runtime::progress::Silent;
use lab::runtime::topology::LABEL_LAB;
use lab::runtime::LabRuntime;
use lab::scenario::RunOptions;
use lab::state::StateDir;

/// The swarm this test made, left when dropped (a failing test too), with
/// the gateway network the engine makes for it; a swarm found running is
/// left as it is.
struct SwarmMadeHere {
    made: bool,
    gateway_was_there: bool,
}

impl SwarmMadeHere {
    async fn ensure(engine: &Engine) -> SwarmMadeHere {
        let gateway_was_there = has_network(engine, "docker_gwbridge").await;
        if engine.swarm().await.expect("swarm state").is_some() {
            eprintln!("[swarm] this engine is in a swarm already: using it, and leaving it as it is");
            return SwarmMadeHere { made: false, gateway_was_there };
        }
        engine.init_swarm("127.0.0.1").await.expect("docker swarm init");
        SwarmMadeHere { made: true, gateway_was_there }
    }
}

async fn has_network(engine: &Engine, name: &str) -> bool {
    engine.network_driver(name).await.expect("inspect network").is_some()
}

impl Drop for SwarmMadeHere {
    fn drop(&mut self) {
        if !self.made {
            return;
        }
        let remove_gateway = !self.gateway_was_there;
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let engine = Engine::connect().await.expect("engine");
                engine.leave_swarm().await.expect("docker swarm leave");
                if remove_gateway {
                    engine.remove_network("docker_gwbridge").await.expect("remove docker_gwbridge");
                }
            });
        })
        .join();
    }
}

#[tokio::test]
async fn the_sae_lab_runs_every_scenario_on_a_swarm_and_leaves_it_as_found() {
    let Some(engine) = support::engine_or_skip("the_sae_lab_runs_every_scenario_on_a_swarm").await else {
        return;
    };
    support::images(&engine).await;
    let before = engine.swarm().await.unwrap();
    let gateway_before = has_network(&engine, "docker_gwbridge").await;
    let mut lab = support::sae_elsewhere("itest-swarm", "10.102.0.0/16", 17200, 6500);
    lab.deploy = Deploy::Swarm;

    {
        let swarm = SwarmMadeHere::ensure(&engine).await;
        let state = tempfile::tempdir().unwrap();
        let state = StateDir::new(state.path(), &lab.name);
        let runtime = LabRuntime::connect(&lab, state.clone()).await.expect("this engine manages the swarm");
        support::remove_lab(&lab.name).await;
        let _cleanup = support::Cleanup::new(&lab.name);

        // Another node's engine is reached over ssh; one that does not answer is named.
        let err = engine.add_node("pc9", "ssh://nobody@127.0.0.1:1").await.expect_err("nothing answers there");
        assert!(err.to_string().contains("swarm node pc9 at ssh://nobody@127.0.0.1:1"), "{err}");

        let up = runtime.up(Default::default(), &support::Stderr).await.expect("the lab comes up on the swarm");
        assert!(up.status.ready(), "every trunk and phone registered");
        assert_eq!(up.nodes.len(), 1, "one node: {:?}", up.nodes);
        let node = &up.nodes[0];
        assert!(node.is_self, "{node}");
        assert_eq!(node.runs, ["operator", "table1", "table2", "table3", "table4"]);
        let containers = up.status.sites.iter().flat_map(|s| &s.containers).chain(&up.status.operator.containers);
        for c in containers {
            assert_eq!(c.node.as_deref(), Some(node.node.as_str()), "{} runs on the node placed", c.name);
        }
        // The backbone spans the nodes; each site's LAN stays on the site's node.
        for n in engine.networks(LABEL_LAB, &lab.name).await.unwrap() {
            let driver = if n.ends_with("_backbone") { "overlay" } else { "bridge" };
            assert_eq!(engine.network_driver(&n).await.unwrap().as_deref(), Some(driver), "{n}");
        }

        let scenarios_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
        let scenarios = lab::scenario::load_dir(&scenarios_dir, &lab).expect("the scenario set");
        let checks: usize = scenarios.iter().map(|s| s.checks.len()).sum();
        assert!(checks > 60, "the whole set: {checks} checks");
        let out = tempfile::tempdir().unwrap();
        let options = RunOptions::new(8, out.path().to_path_buf(), state.config_dir());
        let secrets = runtime.secrets().unwrap();
        let report = lab::scenario::run(runtime.engine(), &lab, &secrets, &scenarios, &options, &|_| {})
            .await
            .expect("the checks run");
        let failed = support::failures(&report);
        eprintln!("[swarm] {}", lab::scenario::report::summary(&report));
        assert!(failed.is_empty(), "{} of {checks} checks failed on the swarm:\n{}", failed.len(), failed.join("\n"));

        let down = runtime.down(true, &Silent).await.expect("down");
        assert!(!down.networks.is_empty() && !down.containers.is_empty());
        assert!(engine.containers(LABEL_LAB, &lab.name).await.unwrap().is_empty());
        assert!(engine.networks(LABEL_LAB, &lab.name).await.unwrap().is_empty());
        assert!(engine.volumes(LABEL_LAB, &lab.name).await.unwrap().is_empty());
        drop(swarm);
    }
    assert_eq!(engine.swarm().await.unwrap(), before, "the swarm is as it was found");
    assert_eq!(has_network(&engine, "docker_gwbridge").await, gateway_before);
}
