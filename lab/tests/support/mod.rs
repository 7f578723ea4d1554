//! Shared by the tests that need Docker: connect or skip visibly, build images once.
#![allow(dead_code)] // each test binary uses a part of it

use lab::runtime::docker::Engine;
use lab::runtime::images::{self, Images, RootSource};
use lab::runtime::progress::Progress;
use tokio::sync::OnceCell;

/// Steps go to stderr, shown with `--nocapture` or when a test fails.
pub struct Stderr;

impl Progress for Stderr {
    fn step(&self, message: &str) {
        eprintln!("[lab] {message}");
    }
    fn detail(&self, _: &str) {}
}

/// The engine, or `None` with the reason printed. Where `SAE_LAB_REQUIRE_DOCKER`
/// is set (CI), a missing engine fails the test instead.
pub async fn engine_or_skip(test: &str) -> Option<Engine> {
    match Engine::connect().await {
        Ok(engine) => Some(engine),
        Err(e) if std::env::var_os("SAE_LAB_REQUIRE_DOCKER").is_some() => {
            panic!("{test}: SAE_LAB_REQUIRE_DOCKER is set but Docker is unreachable: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED {test}: it needs a Docker engine, and none answered: {e}");
            None
        }
    }
}

static IMAGES: OnceCell<Images> = OnceCell::const_new();

/// Builds (once per test binary) whatever lab image is missing.
pub async fn images(engine: &Engine) -> Images {
    IMAGES
        .get_or_init(|| async {
            images::ensure(engine, RootSource::Auto, &Stderr).await.expect("the lab images build")
        })
        .await
        .clone()
}

/// Polls `check` every 250 ms for up to 60 s; panics with `what` on timeout.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// Removes every container, network and volume of a test lab when dropped, so a
/// failing test leaves nothing behind either.
pub struct Cleanup {
    lab: String,
}

impl Cleanup {
    pub fn new(lab: &str) -> Cleanup {
        Cleanup { lab: lab.to_string() }
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let lab = self.lab.clone();
        // A runtime of its own: drop may run while the test's runtime unwinds.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(remove_lab(&lab));
        })
        .join();
    }
}

/// Removes every container, network and volume labelled with `lab`.
pub async fn remove_lab(lab: &str) {
    use lab::runtime::topology::LABEL_LAB;
    let Ok(engine) = Engine::connect().await else { return };
    for c in engine.containers(LABEL_LAB, lab).await.unwrap_or_default() {
        let _ = engine.remove_container(&c.name).await;
    }
    for n in engine.networks(LABEL_LAB, lab).await.unwrap_or_default() {
        let _ = engine.remove_network(&n).await;
    }
    for v in engine.volumes(LABEL_LAB, lab).await.unwrap_or_default() {
        let _ = engine.remove_volume(&v).await;
    }
}

/// Whether `program` is installed on the host; when it is not, the reason is
/// printed (and the test fails instead where `SAE_LAB_REQUIRE_DOCKER` is set).
pub fn host_program_or_skip(test: &str, program: &str, package: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()));
    if !found {
        assert!(
            std::env::var_os("SAE_LAB_REQUIRE_DOCKER").is_none(),
            "{test}: SAE_LAB_REQUIRE_DOCKER is set but `{program}` is not installed (Debian package {package})"
        );
        eprintln!("SKIPPED {test}: it needs `{program}` on this machine (Debian package {package})");
    }
    found
}

/// The SAE lab under another name, subnet and host ports, so that a test never
/// meets a lab left running (or another test's).
pub fn sae_elsewhere(name: &str, subnet: &str, sip_port: u16, rtp_port: u16) -> lab::model::Lab {
    let text =
        lab::model::SAE_LAB.replace("name = \"sae\"", &format!("name = \"{name}\"")).replace("172.28.0.0/16", subnet)
            + &format!("\n[host]\nsip_port = {sip_port}\nrtp_port = {rtp_port}\n");
    lab::model::Lab::parse("sae.toml", &text).expect("valid")
}

/// Starts only `chosen` containers of a lab's plan (its networks and
/// volumes made first), for tests that need a part of a lab.
pub async fn start_part(
    engine: &Engine,
    plan: &lab::runtime::topology::Plan,
    chosen: &[&lab::runtime::topology::Planned],
) {
    for net in &plan.networks {
        engine.ensure_network(net).await.unwrap();
    }
    for volume in &plan.volumes {
        engine.ensure_volume(volume).await.unwrap();
    }
    for p in chosen {
        engine.run(&p.spec).await.unwrap();
    }
}

/// Each check of a run that did not pass, with why: what the test prints when it fails.
pub fn failures(report: &lab::scenario::RunReport) -> Vec<String> {
    report
        .results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| match (&r.failure, &r.lab_error) {
            (_, Some(e)) => format!("{}: lab error: {e}", r.says),
            (Some(f), None) => format!("{}: {} (observed: {})", r.says, f.step, f.observed),
            (None, None) => format!("{}: left open: {}", r.says, r.left_open.join(", ")),
        })
        .collect()
}
