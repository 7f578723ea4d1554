//! What `bench calls` found: a line per step of the ramp, the best step
//! held with no call failed, and where the limit comes from.

use std::fmt;

use super::machine::Machine;
use super::stats::RtpCounts;

/// One step of the ramp: `calls` placed to be held all at once.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Step {
    pub calls: usize,
    /// Calls answered by their callee and up at the same time (the most
    /// seen), as the IPBXs counted them.
    pub held: usize,
    /// Calls that did not complete: refused, timed out, hung up early, or
    /// never reached their callee (answered by voicemail instead).
    pub failed: usize,
    /// Seconds from the first call placed to every call answered.
    pub setup_seconds: Option<f64>,
    /// Calls set up per second through the whole path (`calls / setup_seconds`).
    pub calls_per_second: Option<f64>,
    /// Cores busy in the Asterisks (operator and IPBXs) while the calls
    /// were held, and in the SIPp UAs.
    pub asterisk_cores: f64,
    /// Of which the operator's.
    pub operator_cores: f64,
    /// Of the Asterisks' cores, those spent in the kernel: receiving and
    /// sending packets through Docker's bridges.
    pub asterisk_kernel_cores: f64,
    pub sipp_cores: f64,
    /// Share of all the machine's cores busy meanwhile, the lab's and any
    /// other work's (from /proc/stat).
    pub machine_busy: Option<f64>,
    /// Memory of the Asterisks while the calls were held, and what the
    /// calls added to it.
    pub asterisk_mib: f64,
    pub added_mib: f64,
    /// RTP the Asterisks received on every leg, and lost.
    pub rtp: RtpCounts,
    /// What SIPp logged about failed calls (a few lines).
    pub errors: Vec<String>,
    /// The machine was so busy that the end of the plateau was looked at
    /// only after the first calls ended as planned: held is unproven.
    pub measured_late: bool,
}

impl Step {
    /// Every call answered, held at once, none failed.
    pub fn held_all(&self) -> bool {
        self.failed == 0 && self.held >= self.calls
    }

    /// Percent of a core each call costs the Asterisks, beyond what they
    /// use at rest (`idle_cores`).
    pub fn cpu_percent_per_call(&self, idle_cores: f64) -> f64 {
        if self.calls == 0 {
            0.0
        } else {
            100.0 * (self.asterisk_cores - idle_cores).max(0.0) / self.calls as f64
        }
    }

    pub fn kib_per_call(&self) -> f64 {
        if self.calls == 0 {
            0.0
        } else {
            self.added_mib * 1024.0 / self.calls as f64
        }
    }
}

/// Why the ramp stopped where it did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Limit {
    /// Every step held: the lab has no more phones to answer calls (one
    /// call each), or the ramp was told to stop there.
    Accounts {
        calls: usize,
    },
    Ceiling {
        calls: usize,
    },
    /// Calls failed, or could not all be set up at once, while the
    /// machine's cores were (nearly) all busy.
    Cpu {
        calls: usize,
        held: usize,
        failed: usize,
        measured_late: bool,
        lab_cores: f64,
        asterisk_cores: f64,
        kernel_cores: f64,
        machine_busy: f64,
        cores: usize,
    },
    /// Calls failed with cores to spare: what SIPp said is the clue.
    Failures {
        calls: usize,
        held: usize,
        failed: usize,
        first_error: Option<String>,
    },
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Accounts { calls } => write!(
                f,
                "the lab's phones: each answers one call at a time (a busy phone's callers reach its voicemail), \
                 and {calls} answer while each site keeps one to place its calls; a lab file with more cabinets \
                 or roles goes further"
            ),
            Limit::Ceiling { calls } => write!(f, "none reached: the ramp stopped at --max {calls}"),
            Limit::Cpu {
                calls,
                held,
                failed,
                measured_late,
                lab_cores,
                asterisk_cores,
                kernel_cores,
                machine_busy,
                cores,
            } => {
                write!(f, "the processor: at {calls} calls ")?;
                if *measured_late {
                    write!(f, "the lab could not even be looked at before the calls ended as planned")?;
                } else {
                    shortfall(f, *calls, *held, *failed)?;
                }
                write!(
                    f,
                    ", with {:.0} % of the machine's {cores} cores busy (the lab {lab_cores:.2} cores, other work \
                     the rest). A call is six RTP legs through three Asterisks, 600 packets a second received \
                     and as many sent: the Asterisks spent {asterisk_cores:.2} cores, {:.0} % of it in the kernel \
                     moving those packets through Docker's bridges",
                    machine_busy * 100.0,
                    100.0 * kernel_cores / asterisk_cores.max(f64::EPSILON),
                )
            }
            Limit::Failures { calls, held, failed, first_error } => {
                write!(f, "at {calls} calls ")?;
                shortfall(f, *calls, *held, *failed)?;
                write!(f, ", with cores to spare")?;
                if let Some(e) = first_error {
                    write!(f, "; SIPp said: {e}")?;
                }
                Ok(())
            }
        }
    }
}

/// "only 120 were up at once and 3 failed".
fn shortfall(f: &mut fmt::Formatter<'_>, calls: usize, held: usize, failed: usize) -> fmt::Result {
    match (held < calls, failed) {
        (true, 0) => {
            write!(f, "only {held} were answered and up at once (none failed: the others were still being set up)")
        }
        (true, n) => write!(f, "only {held} were up at once and {n} failed"),
        (false, n) => write!(f, "{n} failed"),
    }
}

/// Share of the cores above which a failing step is put down to the processor.
const BUSY: f64 = 0.85;

/// Where the limit comes from: the first step that did not hold, or, if
/// all held, the accounts (or the ceiling asked for).
pub fn limit(steps: &[Step], capacity: usize, accounts: usize, cores: usize) -> Limit {
    match steps.iter().find(|s| !s.held_all()) {
        None if capacity < accounts => Limit::Ceiling { calls: capacity },
        None => Limit::Accounts { calls: accounts },
        Some(s) => {
            let lab_cores = s.asterisk_cores + s.sipp_cores;
            // The machine's own figure counts other work too; without it, the lab's.
            let busy = s.machine_busy.unwrap_or(lab_cores / cores as f64);
            if busy >= BUSY || s.measured_late {
                Limit::Cpu {
                    calls: s.calls,
                    held: s.held,
                    failed: s.failed,
                    measured_late: s.measured_late,
                    lab_cores,
                    asterisk_cores: s.asterisk_cores,
                    kernel_cores: s.asterisk_kernel_cores,
                    machine_busy: busy,
                    cores,
                }
            } else {
                Limit::Failures {
                    calls: s.calls,
                    held: s.held,
                    failed: s.failed,
                    first_error: s.errors.first().cloned(),
                }
            }
        }
    }
}

/// The whole run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CallsReport {
    pub lab: String,
    pub sites: usize,
    pub machine: Machine,
    /// The one-minute load average before the first step: other work on the machine.
    pub load_average: Option<f64>,
    /// Cores the Asterisks and the SIPp UAs use with no call.
    pub idle_asterisk_cores: f64,
    pub idle_sipp_cores: f64,
    /// Calls per second the ramp asked for (all sites together).
    pub rate: f64,
    pub steps: Vec<Step>,
    pub limit: Limit,
    /// Set when the lab's softphones could not take their phones back.
    pub not_given_back: Option<String>,
}

impl CallsReport {
    /// The step with the most calls held at once with none failed.
    pub fn best(&self) -> Option<&Step> {
        self.steps.iter().filter(|s| s.held_all()).max_by_key(|s| s.calls)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(calls: usize, failed: usize, cores: f64) -> Step {
        Step { calls, held: calls - failed, failed, asterisk_cores: cores, ..Default::default() }
    }

    #[test]
    fn every_step_held_means_the_accounts_ran_out_or_the_ceiling_was_reached() {
        let steps = [step(40, 0, 0.2), step(80, 0, 0.4)];
        assert_eq!(limit(&steps, 80, 80, 2), Limit::Accounts { calls: 80 });
        assert_eq!(limit(&steps, 80, 280, 2), Limit::Ceiling { calls: 80 });
    }

    #[test]
    fn a_failing_step_on_busy_cores_is_the_processor() {
        let steps = [step(40, 0, 0.5), step(80, 3, 1.8)];
        assert!(matches!(limit(&steps, 120, 280, 2), Limit::Cpu { calls: 80, .. }));
        let steps = [step(40, 0, 0.5), step(80, 3, 0.6)];
        assert!(matches!(limit(&steps, 120, 280, 2), Limit::Failures { calls: 80, failed: 3, .. }));
        // Other work kept the machine busy: still the processor.
        let mut slow = step(80, 0, 0.6);
        slow.held = 30;
        slow.machine_busy = Some(0.99);
        let limit = limit(&[step(40, 0, 0.5), slow], 120, 280, 2);
        assert!(matches!(limit, Limit::Cpu { calls: 80, held: 30, failed: 0, .. }), "{limit:?}");
        assert!(limit.to_string().contains("only 30 were answered and up at once"), "{limit}");
    }

    #[test]
    fn the_best_step_is_the_largest_held_whole() {
        let report = CallsReport {
            lab: "load".into(),
            sites: 4,
            machine: Machine { cpu: "x".into(), cores: 2, memory_gib: 1.0 },
            load_average: None,
            idle_asterisk_cores: 0.0,
            idle_sipp_cores: 0.0,
            rate: 20.0,
            steps: vec![step(40, 0, 0.2), step(80, 0, 0.4), step(120, 2, 1.9)],
            limit: Limit::Accounts { calls: 0 },
            not_given_back: None,
        };
        assert_eq!(report.best().map(|s| s.calls), Some(80));
    }
}
