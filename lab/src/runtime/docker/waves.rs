//! Removing many containers without hanging the engine. Docker 20.10's
//! network controller can deadlock when several containers on one network
//! exit at the same moment (each leaving the network's name records while
//! its watcher deletes endpoints): the engine then answers no call that
//! touches a network until it is restarted. Containers are therefore removed
//! in waves, side by side within a wave, where no two of a wave share a network.

use futures_util::future::try_join_all;

use super::{ContainerInfo, Engine, Result};

/// The names of `containers` in waves: no two of a wave are on one network.
/// Containers on no network of their own (an IPBX in its holder's network)
/// go in the first wave, before the holder whose network they use.
pub fn waves(containers: &[ContainerInfo]) -> Vec<Vec<&str>> {
    let mut left: Vec<&ContainerInfo> = containers.iter().collect();
    left.sort_by_key(|c| !c.networks.is_empty());
    let mut waves = Vec::new();
    while !left.is_empty() {
        let mut taken: Vec<&str> = Vec::new();
        let mut wave = Vec::new();
        left.retain(|c| {
            if c.networks.iter().any(|n| taken.contains(&n.as_str())) {
                return true;
            }
            taken.extend(c.networks.iter().map(String::as_str));
            wave.push(c.name.as_str());
            false
        });
        waves.push(wave);
    }
    waves
}

impl Engine {
    /// Removes `containers` (running or not, with their anonymous volumes),
    /// wave after wave.
    pub async fn remove_containers(&self, containers: &[ContainerInfo]) -> Result<()> {
        for wave in waves(containers) {
            try_join_all(wave.into_iter().map(|name| self.remove_container(name))).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(name: &str, networks: &[&str]) -> ContainerInfo {
        ContainerInfo {
            name: name.into(),
            running: true,
            labels: Default::default(),
            addresses: Default::default(),
            networks: networks.iter().map(|n| n.to_string()).collect(),
            published: Vec::new(),
        }
    }

    #[test]
    fn no_wave_holds_two_containers_of_one_network() {
        let lab = [
            on("operator", &["backbone"]),
            on("mail", &["backbone"]),
            on("t1-net", &["t1-lan", "backbone"]),
            on("t1", &[]),
            on("t1-phones", &["t1-lan"]),
            on("t2-net", &["t2-lan", "backbone"]),
            on("t2", &[]),
            on("t2-phones", &["t2-lan"]),
        ];
        let waves = waves(&lab);
        assert_eq!(waves[0], ["t1", "t2", "operator", "t1-phones", "t2-phones"]);
        assert_eq!(waves[1..], [vec!["mail"], vec!["t1-net"], vec!["t2-net"]]);
        for wave in &waves {
            let nets: Vec<&String> =
                lab.iter().filter(|c| wave.contains(&c.name.as_str())).flat_map(|c| &c.networks).collect();
            let unique: std::collections::BTreeSet<_> = nets.iter().collect();
            assert_eq!(nets.len(), unique.len(), "{wave:?} share a network");
        }
        assert_eq!(waves.concat().len(), lab.len(), "each container once");
    }
}
