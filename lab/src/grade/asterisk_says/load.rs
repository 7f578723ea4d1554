//! A throwaway Asterisk 22 (the lab's own image) loading a copy of the folder:
//! no network, no phones. The site's addresses are given to its loopback, so
//! that a transport bound to them starts as it would in the lab and one bound
//! to another machine's address fails as it would there.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::time::{Duration, Instant};

use tracing::{debug, info};

use super::log::{self, LogLine};
use crate::asterisk_conf::Conf;
use crate::model::{Lab, Site};
use crate::runtime::asterisk_cli;
use crate::runtime::docker::{Engine, EngineError, IsolatedSpec};
use crate::runtime::topology::{LABEL_KIND, LABEL_LAB};
use crate::wait;

/// How long Asterisk may take to load a folder (it takes about two seconds).
pub const LOAD_DEADLINE_SECS: u64 = 40;
const LOAD_DEADLINE: Duration = Duration::from_secs(LOAD_DEADLINE_SECS);
const POLL: Duration = Duration::from_millis(250);
/// The kind label of the throwaway container (`lab down` removes any left).
pub const KIND: &str = "grade-load";
/// What Asterisk runs for the mp3 music on hold modes.
const MPG123: &str = "/usr/bin/mpg123";
/// Where the image keeps Debian's own /etc/asterisk.
const DEFAULTS: &str = "/usr/share/asterisk/etc-default";
/// The console shows warnings and errors whatever the folder's logger.conf says.
const LOGGER_CONF: &str = "; Written by the grader: Asterisk's warnings and errors on its console.\n\
[general]\ndateformat = %F %T\n\n[logfiles]\nconsole => warning,error\n";
/// Gives the loopback the site's addresses, prepares the folders and prompts as
/// an IPBX's own start does, then runs Asterisk in the foreground.
const ENTRY: &str =
    "for a in \"$@\"; do ip addr add \"$a/32\" dev lo; done; /usr/local/bin/asterisk-prepare; exec /usr/sbin/asterisk -f -n";

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("cannot copy the config folder {path} for Asterisk to load: {source}")]
    Copy { path: String, source: std::io::Error },
}

/// What Asterisk 22 said and showed while loading a folder.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Heard {
    /// Every WARNING and ERROR of the load, in order.
    pub lines: Vec<LogLine>,
    /// It finished loading (`core waitfullybooted`).
    pub booted: bool,
    /// It stopped by itself during the load.
    pub stopped: bool,
    /// What Asterisk knows once loaded; empty when it did not boot.
    pub endpoints: BTreeSet<String>,
    /// Application and function names, lower case.
    pub applications: BTreeSet<String>,
    pub functions: BTreeSet<String>,
    /// Modules loaded and running.
    pub running: BTreeSet<String>,
    /// Programs the folder's music on hold classes run that the image lacks.
    pub missing_programs: BTreeSet<String>,
    /// Files of the folder identical to Debian's default ones: what Asterisk
    /// says of those is the distribution's, not the student's.
    pub untouched: BTreeSet<String>,
    pub seconds: f64,
}

/// Loads `dir` into a throwaway Asterisk of `image` as `site` of `lab` would
/// run it, and returns what it said. The container is removed before returning.
pub async fn listen(engine: &Engine, image: &str, lab: &Lab, site: &Site, dir: &Path) -> Result<Heard, LoadError> {
    let started = Instant::now();
    let copy = tempfile::tempdir().map_err(|source| copy_error(dir, source))?;
    copy_folder(dir, copy.path()).map_err(|source| copy_error(dir, source))?;
    std::fs::write(copy.path().join("logger.conf"), LOGGER_CONF).map_err(|source| copy_error(dir, source))?;
    // Not `<lab>-…`, the lab's own containers' names; labelled with its lab,
    // so that `lab down` removes one a crash left behind.
    static LOADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = LOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("{KIND}-{}-{}-{n}", lab.name, std::process::id());
    let addresses = [lab.network.ipbx_lan(site.index), lab.network.ipbx_backbone(site.index)];
    let spec = IsolatedSpec {
        name: name.clone(),
        image: image.to_string(),
        labels: HashMap::from([(LABEL_LAB.to_string(), lab.name.clone()), (LABEL_KIND.to_string(), KIND.to_string())]),
        binds: vec![format!("{}:/etc/asterisk:ro", copy.path().display())],
        entrypoint: vec!["sh".into(), "-c".into(), ENTRY.into(), KIND.into()],
        cmd: addresses.iter().map(|a| a.to_string()).collect(),
        cap_add: vec!["NET_ADMIN".into()],
    };
    engine.remove_container(&name).await?;
    engine.run_isolated(&spec).await?;
    let heard = hear(engine, &name, copy.path()).await;
    engine.remove_container(&name).await?;
    let mut heard = heard?;
    heard.seconds = started.elapsed().as_secs_f64();
    info!(seconds = heard.seconds, lines = heard.lines.len(), booted = heard.booted, "Asterisk 22 loaded the folder");
    Ok(heard)
}

fn copy_error(dir: &Path, source: std::io::Error) -> LoadError {
    LoadError::Copy { path: dir.display().to_string(), source }
}

async fn hear(engine: &Engine, name: &str, folder: &Path) -> Result<Heard, LoadError> {
    let mut heard = Heard::default();
    let booted = wait::until("Asterisk 22 to load the folder", LOAD_DEADLINE, POLL, || async {
        match engine.run_state(name).await? {
            Some(state) if !state.running => Ok(wait::Poll::Ready(false)),
            None => Ok(wait::Poll::Ready(false)),
            _ if asterisk_cli::fully_booted(engine, name).await? => Ok(wait::Poll::Ready(true)),
            _ => Ok(wait::Poll::Pending(String::new())),
        }
    })
    .await;
    match booted {
        Ok(true) => heard.booted = true,
        Ok(false) => heard.stopped = true,
        Err(wait::Error::Failed(e)) => return Err(e),
        Err(wait::Error::TimedOut { .. }) => {}
    }
    if heard.booted {
        let cli = |command: &'static str| asterisk_cli::printed(engine, name, command);
        heard.endpoints = endpoints(&cli("pjsip show endpoints").await?);
        heard.applications = applications(&cli("core show applications").await?);
        heard.functions = functions(&cli("core show functions").await?);
        heard.running = running_modules(&cli("module show").await?);
        let untouched = format!(
            "cd /etc/asterisk && for f in *; do [ -f \"$f\" ] && cmp -s \"$f\" \"{DEFAULTS}/$f\" && echo \"$f\"; done; true"
        );
        let out = engine.exec(name, &["sh", "-c", &untouched]).await?;
        heard.untouched = out.output.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
        for program in moh_programs(folder) {
            let found = engine.exec(name, &["sh", "-c", "command -v \"$1\"", "sh", &program]).await?;
            if found.code != 0 {
                heard.missing_programs.insert(program);
            }
        }
    }
    // Last, so that what the load's own threads print late is in.
    heard.lines = log::parse(&engine.logs(name).await?);
    debug!(lines = heard.lines.len(), "read the load's log");
    Ok(heard)
}

/// The programs musiconhold.conf's classes run (`application = /usr/bin/madplay …`).
fn moh_programs(folder: &Path) -> BTreeSet<String> {
    let Ok(Some(conf)) = Conf::read(folder, "musiconhold.conf") else { return BTreeSet::new() };
    conf.objects().filter_map(|s| moh_program(&conf, s)).collect()
}

/// The program a music on hold class runs: its `application`, or mpg123
/// for the mp3 modes (Asterisk runs /usr/bin/mpg123 for them).
pub(super) fn moh_program(conf: &Conf, class: &crate::asterisk_conf::Section) -> Option<String> {
    if let Some(app) = conf.value(class, "application") {
        return app.split_whitespace().next().map(str::to_string);
    }
    let mode = conf.value(class, "mode")?.to_ascii_lowercase();
    mode.contains("mp3").then(|| MPG123.to_string())
}

/// A folder copied with its subfolders (sounds the config plays, say).
fn copy_folder(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_folder(&entry.path(), &target)?;
        } else if kind.is_file() || entry.path().is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// `Endpoint:  patron1/11   Unavailable …` lines of `pjsip show endpoints`.
pub fn endpoints(output: &str) -> BTreeSet<String> {
    output
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("Endpoint:"))
        .filter_map(|rest| rest.split_whitespace().next())
        .filter(|name| !name.starts_with('<'))
        .map(|name| name.split('/').next().unwrap_or(name).to_string())
        .collect()
}

/// `            Answer: Answer a channel if ringing.` lines of `core show applications`.
pub fn applications(output: &str) -> BTreeSet<String> {
    output
        .lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(name, _)| name.trim())
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .map(str::to_ascii_lowercase)
        .collect()
}

/// `ABS                   ABS([num])     Returns …` lines of `core show functions`.
pub fn functions(output: &str) -> BTreeSet<String> {
    output
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let name = words.next()?;
            let syntax = words.next()?;
            syntax.starts_with(&format!("{name}(")).then(|| name.to_ascii_lowercase())
        })
        .collect()
}

/// `app_voicemail.so   Comedian Mail   0   Running   core` lines of `module show`.
pub fn running_modules(output: &str) -> BTreeSet<String> {
    output
        .lines()
        .filter(|l| l.contains(" Running ") && !l.contains("Not Running"))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|m| m.ends_with(".so"))
        .map(|m| m.trim_end_matches(".so").to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_cli_lists_is_read() {
        let endpoints_out = " Endpoint:  <Endpoint/CID.....................................>  <State.....>\n\n Endpoint:  assistant/2    Unavailable   0 of inf\n Endpoint:  opérateurvoix1     Unavailable   0 of inf\n";
        assert_eq!(endpoints(endpoints_out), BTreeSet::from(["assistant".to_string(), "opérateurvoix1".to_string()]));
        let apps = "    -= Registered Asterisk Applications =-\n              ADSIProg: Load Asterisk ADSI Scripts into phone \n                Answer: Answer a channel if ringing. \n    -= 2 Applications Matching =-";
        assert_eq!(applications(apps), BTreeSet::from(["adsiprog".to_string(), "answer".to_string()]));
        let funcs = "Installed Custom Functions:\n------\nABS                   ABS([num])                           Returns absolute value of a number. \nCALLERID              CALLERID(datatype[,CID])             Gets or sets Caller*ID data on the channel.\n";
        assert_eq!(functions(funcs), BTreeSet::from(["abs".to_string(), "callerid".to_string()]));
        let modules = "Module                         Description                              Use Count  Status      Support Level\napp_voicemail.so               Comedian Mail (Voicemail System)         0          Not Running          core\napp_voicemail_odbc.so          Comedian Mail (Voicemail System) with OD 0          Running              core\n";
        assert_eq!(running_modules(modules), BTreeSet::from(["app_voicemail_odbc".to_string()]));
    }
}
