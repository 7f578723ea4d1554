//! A site's Asterisk at a user's hands: its container once checked to run,
//! one CLI command, edited configs applied, a phone's registrations dropped,
//! and the views that need the user's terminal.

use super::{LabError, LabRuntime};
use crate::runtime::asterisk_cli;
use crate::runtime::topology::{self, LABEL_LAB};

/// A view of a running Asterisk's container that takes over the user's
/// terminal. It runs through the Docker CLI, which lends the terminal to the
/// program inside (Docker's API alone does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerminalView {
    /// Asterisk's interactive console.
    Console,
    /// The container's log (Asterisk's), followed or not.
    Logs { follow: bool },
    /// sngrep inside the container, as in the SAE.
    Sngrep,
}

impl TerminalView {
    /// The arguments of `docker` that open this view on `container`.
    pub fn docker_args(self, container: &str) -> Vec<String> {
        let args: Vec<&str> = match self {
            TerminalView::Console => [&["exec", "-it", container], asterisk_cli::CONSOLE].concat(),
            TerminalView::Logs { follow: false } => vec!["logs", container],
            TerminalView::Logs { follow: true } => vec!["logs", "--follow", container],
            TerminalView::Sngrep => vec!["exec", "-it", container, "sngrep"],
        };
        args.into_iter().map(String::from).collect()
    }
}

impl LabRuntime<'_> {
    /// The Asterisk container of a site, or of the operator.
    pub fn asterisk_container(&self, site: &str) -> Option<String> {
        topology::asterisk_container(&self.lab, site)
    }

    /// The container of a site's (or the operator's) Asterisk, once checked to run.
    pub async fn running_asterisk(&self, site: &str) -> Result<String, LabError> {
        let container = self.asterisk_container(site).ok_or_else(|| LabError::NoSuchSite(site.to_string()))?;
        let running = self.engine.containers(LABEL_LAB, &self.lab.name).await?;
        if running.iter().any(|c| c.name == container && c.running) {
            Ok(container)
        } else {
            Err(LabError::NotRunning(container))
        }
    }

    /// Copies the config files a running site (or the operator) loads into
    /// its folder of the lab's state, over what is there: on a student's
    /// machine of a swarm, the site's own config to edit and `lab reload`.
    /// Returns the folder and how many files it holds.
    pub async fn pull_config(&self, site: &str) -> Result<(std::path::PathBuf, usize), LabError> {
        let container = self.running_asterisk(site).await?;
        let script = "cd /etc/asterisk && find . -maxdepth 1 -type f -print0 | tar -cf - --null -T -";
        let archive = self.engine.exec_bytes(&container, &["sh", "-c", script]).await?;
        let dir = self.state.asterisk_dir(site);
        let write = |source: std::io::Error| LabError::WriteConfig { path: dir.display().to_string(), source };
        std::fs::create_dir_all(&dir).map_err(write)?;
        let mut files = 0;
        for entry in tar::Archive::new(archive.as_slice()).entries().map_err(write)? {
            let mut entry = entry.map_err(write)?;
            if entry.unpack_in(&dir).map_err(write)? {
                files += 1;
            }
        }
        if files == 0 {
            return Err(LabError::Shell { container, message: "no config file in /etc/asterisk".into() });
        }
        Ok((dir, files))
    }

    /// What one Asterisk CLI command prints in a running site (or the operator).
    pub async fn cli(&self, site: &str, command: &str) -> Result<String, LabError> {
        let container = self.running_asterisk(site).await?;
        Ok(asterisk_cli::printed(&self.engine, &container, command).await?)
    }

    /// The `docker` arguments that open `view` on a site's running Asterisk.
    pub async fn terminal(&self, site: &str, view: TerminalView) -> Result<Vec<String>, LabError> {
        Ok(view.docker_args(&self.running_asterisk(site).await?))
    }

    /// Applies edited configs in the site's (or the operator's) Asterisk, one
    /// module at a time: a blanket `core reload` leaves PJSIP's wizard
    /// endpoints without their registrations.
    pub async fn reload(&self, site: &str) -> Result<String, LabError> {
        const RELOADS: &[&str] = &[
            "dialplan reload",
            "module reload res_pjsip.so",
            "module reload app_voicemail.so",
            "module reload features",
            "module reload res_parking.so",
            "moh reload",
        ];
        let container = self.asterisk_container(site).ok_or_else(|| LabError::NoSuchSite(site.to_string()))?;
        if self.on_swarm() {
            // Its configs are copies there: the edited ones go first.
            let dir = self.state.asterisk_dir(site);
            self.engine.put_top_files(&container, &dir, "/etc/asterisk").await?;
        }
        let mut out = String::new();
        for command in RELOADS {
            match asterisk_cli::command(&self.engine, &container, command).await? {
                Some(text) => out.push_str(&text),
                None => return Err(LabError::NotRunning(container)),
            }
        }
        Ok(out)
    }

    /// Drops what a site's IPBX remembers of `account`'s registrations (its
    /// registrar records): a phone just left to a softphone then shows as
    /// unregistered until that softphone registers. Returns how many went.
    pub(super) async fn forget_registrations(&self, site: &str, account: &str) -> Result<usize, LabError> {
        let container = self.asterisk_container(site).ok_or_else(|| LabError::NoSuchSite(site.to_string()))?;
        let Some(records) = asterisk_cli::command(&self.engine, &container, "database show registrar/contact").await?
        else {
            return Err(LabError::NotRunning(container));
        };
        let keys = asterisk_cli::contact_keys(&records, account);
        for key in &keys {
            asterisk_cli::command(&self.engine, &container, &format!("database del registrar/contact {key}")).await?;
        }
        Ok(keys.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_views_are_the_docker_commands_a_user_would_type() {
        let line = |v: TerminalView| v.docker_args("sae-table1").join(" ");
        assert_eq!(line(TerminalView::Console), "exec -it sae-table1 asterisk -rvvv");
        assert_eq!(line(TerminalView::Logs { follow: false }), "logs sae-table1");
        assert_eq!(line(TerminalView::Logs { follow: true }), "logs --follow sae-table1");
        assert_eq!(line(TerminalView::Sngrep), "exec -it sae-table1 sngrep");
    }
}
