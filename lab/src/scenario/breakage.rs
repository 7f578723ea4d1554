//! What in the lab broke while checks ran, and what that makes of a check's
//! result. A container that restarted or stopped (a softphone process that
//! died, an Asterisk that crashed), a control connection lost, Docker not
//! answering: a check that fails meanwhile is a *lab error*, which says
//! nothing about the config. Nothing is run again: the check that saw the
//! lab break says so, and later checks run on the lab as it came back.

use std::collections::BTreeMap;
use std::fmt;

use super::check::Check;
use super::ctx::Shared;
use super::names::PhoneId;
use super::result::{Failure, CLEANUP_STEP};
use super::steps::Step;
use crate::gen::OPERATOR;
use crate::model::Lab;
use crate::runtime::docker::{Engine, EngineError, RunState};
use crate::runtime::topology::{asterisk_container, container_name, Kind};

/// A lab container that restarted, stopped or vanished between two snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What the container is for: `table1's softphones`.
    pub who: String,
    pub container: String,
    pub kind: ChangeKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// Started again: by its restart policy (RestartCount grew) or by hand.
    Restarted {
        count_before: i64,
        count_after: i64,
        started_at: String,
    },
    Stopped,
    Removed,
}

impl Change {
    /// How many times it restarted (at least once when it started again).
    pub fn restarts(&self) -> u64 {
        match &self.kind {
            ChangeKind::Restarted { count_before, count_after, .. } => (count_after - count_before).max(1) as u64,
            ChangeKind::Stopped | ChangeKind::Removed => 0,
        }
    }

    /// `table1's softphones restarted during the check (RestartCount 0 → 1)`.
    pub fn during(&self, span: &str) -> String {
        match &self.kind {
            ChangeKind::Restarted { count_before, count_after, .. } if count_after != count_before => {
                format!("{} restarted during {span} (RestartCount {count_before} → {count_after})", self.who)
            }
            ChangeKind::Restarted { started_at, .. } => {
                // `2025-01-31T14:02:03.123Z` -> `14:02:03 UTC`
                let time = started_at.get(11..19).unwrap_or(started_at);
                format!("{} restarted during {span} (started again at {time} UTC)", self.who)
            }
            ChangeKind::Stopped => format!("{} stopped during {span}", self.who),
            ChangeKind::Removed => format!("{} was removed during {span}", self.who),
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.during("the run"))
    }
}

/// Lab containers as Docker saw them at one moment.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Container -> (what it is for, its state; `None`: no such container).
    states: BTreeMap<String, (String, Option<RunState>)>,
}

impl Snapshot {
    /// The state of each of `containers` (container, what it is for).
    pub async fn take(engine: &Engine, containers: &[(String, String)]) -> Result<Snapshot, EngineError> {
        let mut states = BTreeMap::new();
        for (container, who) in containers {
            states.insert(container.clone(), (who.clone(), engine.run_state(container).await?));
        }
        Ok(Snapshot { states })
    }

    /// What changed since `before`, container by container.
    pub fn changes_since(&self, before: &Snapshot) -> Vec<Change> {
        let mut changes = Vec::new();
        for (container, (who, was)) in &before.states {
            let Some(was) = was else { continue };
            let now = self.states.get(container).and_then(|(_, s)| s.as_ref());
            let kind = match now {
                None => ChangeKind::Removed,
                Some(now) if now.started_at != was.started_at || now.restart_count != was.restart_count => {
                    ChangeKind::Restarted {
                        count_before: was.restart_count,
                        count_after: now.restart_count,
                        started_at: now.started_at.clone(),
                    }
                }
                Some(now) if was.running && !now.running => ChangeKind::Stopped,
                Some(_) => continue,
            };
            changes.push(Change { who: who.clone(), container: container.clone(), kind });
        }
        changes
    }
}

/// What a phones container is for: `table1's softphones`, `the operator's test phones`.
fn phones_who(site: &str) -> String {
    if site == OPERATOR {
        "the operator's test phones".into()
    } else {
        format!("{site}'s softphones")
    }
}

fn ipbx_who(site: &str) -> String {
    if site == OPERATOR {
        "the operator's IPBX".into()
    } else {
        format!("{site}'s IPBX")
    }
}

fn phones_container(lab: &Lab, site: &str) -> String {
    match lab.site(site) {
        Some(s) => container_name(lab, &Kind::Phones { site: s.name.clone() }),
        None => container_name(lab, &Kind::OperatorPhones),
    }
}

/// Every container of the lab, with what it is for.
pub fn every_container(lab: &Lab) -> Vec<(String, String)> {
    let mut all = vec![(container_name(lab, &Kind::Mail), "the mail server".to_string())];
    for site in std::iter::once(OPERATOR).chain(lab.sites.iter().map(|s| s.name.as_str())) {
        all.extend(asterisk_container(lab, site).map(|c| (c, ipbx_who(site))));
        all.push((phones_container(lab, site), phones_who(site)));
    }
    all
}

/// The containers a check depends on: every Asterisk (calls may cross the
/// operator and other sites), the softphones of its own phones, and the mail
/// server when it reads a mailbox. A restart elsewhere says nothing of it.
pub(super) fn watched_containers(lab: &Lab, check: &Check) -> Vec<(String, String)> {
    let sites: std::collections::BTreeSet<String> = check.phones().into_iter().map(|p| p.site).collect();
    let mails = check.steps.iter().any(|s| matches!(s.step, Step::Mailed(_)));
    every_container(lab)
        .into_iter()
        .filter(|(c, who)| {
            let is_phones = sites.iter().any(|s| phones_container(lab, s) == *c);
            let is_asterisk = who.ends_with("IPBX");
            is_phones || is_asterisk || (mails && *c == container_name(lab, &Kind::Mail))
        })
        .collect()
}

/// What broke while one check ran.
#[derive(Debug, Default)]
pub(super) struct Breakage {
    /// Containers that restarted or stopped, as sentences.
    pub(super) changes: Vec<String>,
    /// Control connections lost or not made again.
    pub(super) lost: Vec<String>,
    /// Docker calls that failed.
    pub(super) docker: Vec<String>,
}

impl Breakage {
    /// Makes the control connection of each site the check's phones are on
    /// again if it was lost (an earlier check saw its softphones restart);
    /// returns the connection each one starts with.
    pub(super) async fn connect(&mut self, shared: &Shared<'_>, phones: &[PhoneId]) -> Vec<(String, u64)> {
        let mut sites: Vec<&str> = phones.iter().map(|p| p.site.as_str()).collect();
        sites.dedup();
        let mut hubs = Vec::new();
        for site in sites {
            let hub = &shared.hubs[site];
            if let Err(e) = hub.ensure_connected().await {
                self.lost.push(format!("{} did not come back: {e}", phones_who(site)));
            }
            hubs.push((site.to_string(), hub.generation()));
        }
        hubs
    }

    /// Notes each connection the check started with that is gone or was made again.
    pub(super) fn lost_connections(&mut self, shared: &Shared<'_>, hubs: &[(String, u64)]) {
        for (site, generation) in hubs {
            let hub = &shared.hubs[site];
            if hub.generation() != *generation || !hub.connected() {
                self.lost.push(format!("lost the control connection to {} during the check", phones_who(site)));
            }
        }
    }

    pub(super) async fn snapshot(&mut self, engine: &Engine, containers: &[(String, String)]) -> Option<Snapshot> {
        match Snapshot::take(engine, containers).await {
            Ok(s) => Some(s),
            Err(e) => {
                self.docker.push(e.to_string());
                None
            }
        }
    }

    pub(super) fn is_broken(&self) -> bool {
        !(self.changes.is_empty() && self.lost.is_empty() && self.docker.is_empty())
    }

    /// Why the lab broke, the most telling first: a restarted container
    /// explains a lost connection, so that is left out then.
    pub(super) fn reasons(&self) -> Vec<String> {
        if !self.changes.is_empty() {
            return self.changes.iter().chain(&self.docker).cloned().collect();
        }
        self.lost.iter().chain(&self.docker).cloned().collect()
    }
}

/// A check's outcome: its failure (channels left open count as one when
/// nothing else failed) and, when it failed while the lab broke or because
/// of the lab, why that is a lab error.
pub(super) fn verdict(
    failure: Option<Failure>,
    left_open: &[String],
    lab: &Breakage,
) -> (Option<Failure>, Option<String>) {
    let failure = failure.or_else(|| {
        (!left_open.is_empty()).then(|| Failure {
            step: CLEANUP_STEP.into(),
            expected: "every call of the check's phones is over once it ends".into(),
            observed: left_open.join("; "),
            look: Vec::new(),
            lab: false,
        })
    });
    let Some(mut failure) = failure else { return (None, None) };
    let mut reasons = lab.reasons();
    if reasons.is_empty() && failure.lab {
        reasons.push(failure.observed.clone());
    }
    if reasons.is_empty() {
        return (Some(failure), None);
    }
    // Config lines to look at would send the student after a fault that is not theirs.
    failure.look.clear();
    (Some(failure), Some(reasons.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::result::{broken, fail};

    fn state(started_at: &str, restart_count: i64, running: bool) -> Option<RunState> {
        Some(RunState { running, started_at: started_at.into(), finished_at: String::new(), restart_count })
    }

    fn snapshot(states: &[(&str, Option<RunState>)]) -> Snapshot {
        Snapshot {
            states: states.iter().map(|(c, s)| (c.to_string(), (format!("{c}'s softphones"), s.clone()))).collect(),
        }
    }

    #[test]
    fn restarts_are_told_by_restart_count_or_start_time() {
        let before = snapshot(&[
            ("table1", state("2025-01-31T14:00:00.1Z", 0, true)),
            ("table2", state("2025-01-31T14:00:00.1Z", 0, true)),
            ("table3", state("2025-01-31T14:00:00.1Z", 0, true)),
            ("table4", state("2025-01-31T14:00:00.1Z", 2, true)),
            ("mail", state("2025-01-31T14:00:00.1Z", 0, true)),
        ]);
        let after = snapshot(&[
            ("table1", state("2025-01-31T14:02:03.5Z", 1, true)),
            ("table2", state("2025-01-31T14:02:03.5Z", 0, true)),
            ("table3", state("2025-01-31T14:00:00.1Z", 0, false)),
            ("table4", state("2025-01-31T14:00:00.1Z", 2, true)),
        ]);
        let changes: Vec<String> = after.changes_since(&before).iter().map(|c| c.during("the check")).collect();
        assert_eq!(
            changes,
            [
                "mail's softphones was removed during the check",
                "table1's softphones restarted during the check (RestartCount 0 → 1)",
                "table2's softphones restarted during the check (started again at 14:02:03 UTC)",
                "table3's softphones stopped during the check",
            ]
        );
        let restarts: u64 = after.changes_since(&before).iter().map(Change::restarts).sum();
        assert_eq!(restarts, 2, "a stop or a removal is no restart");
        assert!(before.changes_since(&before).is_empty());
    }

    fn restarted() -> Breakage {
        Breakage {
            changes: vec!["table1's softphones restarted during the check (RestartCount 0 → 1)".into()],
            lost: vec!["lost the control connection to table1's softphones during the check".into()],
            docker: Vec::new(),
        }
    }

    #[test]
    fn a_failure_while_the_lab_broke_is_a_lab_error() {
        let mut rang = fail("table1/assistant1 rings", "it did not ring");
        rang.look.push("extensions.conf:28: same => n,Dial(PJSIP/assistant1,10)".into());
        let (failure, lab_error) = verdict(Some(rang), &[], &restarted());
        assert_eq!(
            lab_error.as_deref(),
            Some("table1's softphones restarted during the check (RestartCount 0 → 1)"),
            "the restart explains the lost connection"
        );
        let failure = failure.unwrap();
        assert_eq!(failure.observed, "it did not ring", "what the check saw is kept");
        assert!(failure.look.is_empty(), "no config line to look at");
    }

    #[test]
    fn a_step_the_lab_kept_from_running_is_a_lab_error() {
        let lost = "lost the control connection to the softphone in sae-table1-phones";
        let (_, lab_error) = verdict(Some(broken("table1/patron1 accepts `dial`", lost)), &[], &Breakage::default());
        assert_eq!(lab_error.as_deref(), Some(lost));
        let lost = Breakage { lost: vec!["lost the control connection".into()], ..Breakage::default() };
        let (_, lab_error) = verdict(Some(fail("x", "y")), &[], &lost);
        assert_eq!(lab_error.as_deref(), Some("lost the control connection"));
    }

    #[test]
    fn a_config_failure_stays_a_failure() {
        let (failure, lab_error) =
            verdict(Some(fail("the call ends with SIP 404", "it was answered")), &[], &Breakage::default());
        assert!(failure.is_some() && lab_error.is_none());
    }

    #[test]
    fn a_check_that_passed_stays_passed_whatever_broke_meanwhile() {
        assert!(matches!(verdict(None, &[], &restarted()), (None, None)));
    }

    #[test]
    fn a_channel_left_open_fails_a_check_that_otherwise_passed() {
        let left = ["left channel PJSIP/patron1-00000012 open; hung up".to_string()];
        let (failure, lab_error) = verdict(None, &left, &Breakage::default());
        let failure = failure.expect("a failure");
        assert_eq!((failure.step.as_str(), failure.observed.as_str()), (CLEANUP_STEP, left[0].as_str()));
        assert!(lab_error.is_none());
        let (failure, _) = verdict(Some(fail("a", "b")), &left, &Breakage::default());
        assert_eq!(failure.unwrap().observed, "b", "a failed check keeps its own failure");
        let (_, lab_error) = verdict(None, &left, &restarted());
        assert!(lab_error.is_some(), "channels left by softphones that died are the lab's doing");
    }
}
