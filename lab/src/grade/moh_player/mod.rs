//! A music on hold class of `mode = custom` runs its `application` and
//! reads raw signed linear samples (8000 Hz, mono, 16-bit) from its
//! standard output. Asterisk cuts the line at each space and runs argv[0]
//! itself (execv: no shell, no PATH search), the folder's `.mp3`, `.raw`
//! and `.sln` files added at the end when `directory` is set. Whether the
//! program is in the IPBX, Asterisk 22 itself tells (asterisk_says); this
//! reads what the arguments ask of it.

mod cli;
mod fault;
mod programs;
mod sox;

pub use fault::MohFault;
#[cfg(test)]
use fault::Output;

use super::facts::finding;
use super::messages::Problem;
use super::{Finding, Part};
use crate::asterisk_conf::{Conf, Section};

pub const MOH_CONF: &str = "musiconhold.conf";

pub(super) fn check(conf: Option<&Conf>, findings: &mut Vec<Finding>) {
    let Some(conf) = conf else { return };
    for class in conf.objects() {
        if !conf.value(class, "mode").is_some_and(|m| m.eq_ignore_ascii_case("custom")) {
            continue;
        }
        let Some(entry) = conf.get(class, "application") else { continue };
        let Some((program, faults, fix)) = faults(&entry.value, expect(conf, class)) else { continue };
        if faults.is_empty() {
            continue;
        }
        let problem = Problem::MohCommand { class: class.name.clone(), program, faults, fix };
        findings.push(finding(Part::III, entry.at.clone(), entry.text.clone(), problem));
    }
}

fn expect(conf: &Conf, class: &Section) -> fault::Expect {
    let format = conf.value(class, "format").unwrap_or("slin").to_ascii_lowercase();
    let rate = format.strip_prefix("slin").map(|r| match r {
        "" => 8000,
        "44" => 44100,
        khz => khz.parse::<u32>().map_or(8000, |k| k * 1000),
    });
    let directory = conf.value(class, "directory").is_some_and(|d| !d.is_empty() && !d.eq_ignore_ascii_case("nodir"));
    fault::Expect { rate: rate.unwrap_or(8000), slin: rate.is_some(), directory }
}

/// The program's name, what is wrong with the command, and one that works
/// (`None`: the program is not one this check knows, and nothing is said of it).
fn faults(application: &str, expect: fault::Expect) -> Option<(String, Vec<MohFault>, Option<String>)> {
    // As Asterisk cuts it: at each single space, so two make an empty argument.
    let argv: Vec<&str> = application.split(' ').collect();
    let path = argv.first().copied().filter(|p| !p.is_empty())?;
    let name = path.rsplit('/').next().unwrap_or(path).to_string();
    let mut faults = Vec::new();
    if !path.contains('/') {
        faults.push(MohFault::NoPath { program: name.clone() });
    }
    if argv.iter().any(|a| a.is_empty()) {
        faults.push(MohFault::EmptyArgument);
    }
    if argv.iter().any(|a| a.contains(['"', '\''])) {
        faults.push(MohFault::Quotes);
    }
    if let Some(token) = argv.iter().find(|a| shell(a)) {
        faults.push(MohFault::Shell { token: token.to_string() });
    }
    let args: Vec<&str> = argv[1..].iter().copied().filter(|a| !a.is_empty()).collect();
    let full = if path.contains('/') { path.to_string() } else { format!("/usr/bin/{name}") };
    let judged = programs::judge(&name, &full, &args, expect);
    if judged.is_none() && faults.is_empty() {
        return None;
    }
    let fix = judged.as_ref().map(|j| j.fix.clone());
    faults.extend(judged.into_iter().flat_map(|j| j.faults));
    Some((name, faults, fix))
}

/// What only a shell would make sense of.
fn shell(arg: &str) -> bool {
    ["|", "||", "&", "&&", ";"].contains(&arg)
        || arg.starts_with(['|', '>', '<', '$', '`', '~'])
        || arg.starts_with("2>")
        || arg.contains(['*', '`'])
        || arg.contains("$(")
        || arg.contains("${")
}

#[cfg(test)]
mod tests;
