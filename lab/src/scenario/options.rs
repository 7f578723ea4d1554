//! How a run is done: how many checks at once, where reports go, which
//! config folders the sites' Asterisks read.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::gen::OPERATOR;

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Checks in flight at once (1 = one after the other).
    pub jobs: usize,
    /// Reports and captures go here (`target/scenarios`).
    pub out_dir: PathBuf,
    /// The lab's generated configs, as the containers mount them.
    pub config_dir: PathBuf,
    /// Sites running a config folder of their own (being graded): the folder,
    /// and the dialplan context its phones call from.
    pub own_configs: BTreeMap<String, (PathBuf, String)>,
}

impl RunOptions {
    pub fn new(jobs: usize, out_dir: PathBuf, config_dir: PathBuf) -> RunOptions {
        RunOptions { jobs, out_dir, config_dir, own_configs: BTreeMap::new() }
    }

    /// The folder a site's (or the operator's) Asterisk reads as /etc/asterisk.
    pub fn asterisk_dir(&self, site: &str) -> PathBuf {
        match self.own_configs.get(site) {
            Some((dir, _)) => dir.clone(),
            None => self.config_dir.join(site).join(crate::gen::ASTERISK_DIR),
        }
    }

    /// The dialplan context a site's phones (or the operator's test phones) call from.
    pub fn phone_context(&self, site: &str) -> &str {
        match self.own_configs.get(site) {
            Some((_, context)) => context,
            None if site == OPERATOR => "routing",
            None => "internal",
        }
    }
}
