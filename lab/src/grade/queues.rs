//! queues.conf: a queue's `strategy` that Asterisk 22 does not have. It
//! warns once at load, naming no line, and rings every member at once
//! (ringall) instead.

use super::facts::finding;
use super::messages::Problem;
use super::{Finding, Part};
use crate::asterisk_conf::Conf;

pub(super) const QUEUES_CONF: &str = "queues.conf";

/// Asterisk 22's strategies (`roundrobin` is its old name for rrmemory).
const STRATEGIES: [&str; 9] =
    ["ringall", "leastrecent", "fewestcalls", "random", "rrmemory", "roundrobin", "linear", "wrandom", "rrordered"];

pub(super) fn check(conf: Option<&Conf>, findings: &mut Vec<Finding>) {
    let Some(conf) = conf else { return };
    for queue in conf.objects().filter(|s| !s.name.eq_ignore_ascii_case("general")) {
        let Some(entry) = queue.entries.iter().rev().find(|e| e.key.eq_ignore_ascii_case("strategy")) else {
            continue;
        };
        if entry.value.contains('$') || STRATEGIES.contains(&entry.value.to_ascii_lowercase().as_str()) {
            continue;
        }
        let problem =
            Problem::UnknownStrategy { queue: queue.name.clone(), strategy: entry.value.clone(), known: &STRATEGIES };
        findings.push(finding(Part::III, entry.at.clone(), entry.text.clone(), problem));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strategy_asterisk_22_does_not_have_is_named() {
        let conf = Conf::parse(
            QUEUES_CONF,
            "[general]\nstrategy = whatever\n[secretariat]\nstrategy = round-robin\n[patrons]\nstrategy = rrordered\n",
        );
        let mut findings = Vec::new();
        check(Some(&conf), &mut findings);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].at.line, 4);
        assert!(findings[0].message(crate::grade::Lang::En).contains("strategy round-robin"));
    }
}
