//! A site's own prompts, as a check found them. A check holding them (see
//! [`Resource::Prompts`]) may record new ones on 560; they are put back after
//! it, failed or not, so that later checks hear what they expect and a
//! prompt the user installed survives a scenario run.

use std::collections::BTreeSet;

use super::ctx::Shared;
use super::names::Resource;
use crate::gen::prompts::{Use, DIR};
use crate::runtime::topology::asterisk_container;

/// Where a site's IPBX keeps its prompts during a check (one check at a time holds them).
const SAVED: &str = "/tmp/lab-prompts-saved";

/// A site's prompts saved in its IPBX, to put back.
pub(super) struct Saved {
    container: String,
}

/// Saves the prompts of every site whose prompts the check holds; what went
/// wrong goes to `trouble`. A site without prompts (a config of its own that
/// keeps them elsewhere) has nothing saved.
pub(super) async fn save(shared: &Shared<'_>, held: &BTreeSet<Resource>, trouble: &mut Vec<String>) -> Vec<Saved> {
    let mut saved = Vec::new();
    for r in held {
        let Resource::Prompts { site } = r else { continue };
        let Some(container) = asterisk_container(shared.lab, site) else { continue };
        let script = format!("rm -rf {SAVED} && if [ -d {DIR} ]; then cp -a {DIR} {SAVED}; fi");
        match run(shared, &container, &script).await {
            Ok(()) => saved.push(Saved { container }),
            Err(e) => trouble.push(format!("saving {site}'s prompts: {e}")),
        }
    }
    saved
}

/// Puts each saved prompt back in place (each at once, as 560 installs one).
pub(super) async fn restore(shared: &Shared<'_>, saved: Vec<Saved>, trouble: &mut Vec<String>) {
    for Saved { container } in saved {
        let back: Vec<String> = [Use::Hold, Use::PreAnswer]
            .into_iter()
            .map(|u| {
                let kept = format!("{SAVED}/{}", u.file());
                format!("if [ -f {kept} ]; then {}; fi", u.install_command(DIR, &kept))
            })
            .collect();
        let script = format!("{} && rm -rf {SAVED}", back.join(" && "));
        if let Err(e) = run(shared, &container, &script).await {
            trouble.push(format!("putting back the prompts of {container}: {e}"));
        }
    }
}

async fn run(shared: &Shared<'_>, container: &str, script: &str) -> Result<(), String> {
    match shared.engine.exec(container, &["sh", "-c", script]).await {
        Ok(out) if out.code == 0 => Ok(()),
        Ok(out) => Err(out.output.trim().to_string()),
        Err(e) => Err(e.to_string()),
    }
}
