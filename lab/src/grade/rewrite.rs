//! Rewriting a check's steps: the phones, sites and numbers they name. Moving
//! a check onto the graded site and following a mapping file both use it.

use crate::model::Lab;
use crate::scenario::{Check, PhoneId, Scenario, Sound, Step, StepLine};

/// How each kind of name in a step changes.
pub(super) struct Rewrite<'a> {
    pub phone: &'a dyn Fn(&PhoneId) -> PhoneId,
    pub site: &'a dyn Fn(&String) -> String,
    /// A number keyed, watched or messaged by a phone (the first argument).
    pub number: &'a dyn Fn(&PhoneId, &String) -> String,
    /// A voicemail box of a site.
    pub mailbox: &'a dyn Fn(&String, &String) -> String,
    /// The sentences saying what the check and its steps do.
    pub text: &'a dyn Fn(&str) -> String,
}

impl Rewrite<'_> {
    pub fn check(&self, check: &Check) -> Check {
        Check {
            says: (self.text)(&check.says),
            says_fr: check.says_fr.as_deref().map(self.text),
            place: check.place.clone(),
            steps: check
                .steps
                .iter()
                .map(|l| StepLine { step: self.step(&l.step), says: (self.text)(&l.says) })
                .collect(),
        }
    }

    pub fn step(&self, step: &Step) -> Step {
        let (phone, site, number, mailbox) = (self.phone, self.site, self.number, self.mailbox);
        match step {
            Step::Dial { from, number: n } => Step::Dial { from: phone(from), number: number(from, n) },
            Step::Rings { phone: p, from, alert } => {
                Step::Rings { phone: phone(p), from: from.as_ref().map(phone), alert: alert.clone() }
            }
            Step::Connected { phone: p, with } => Step::Connected { phone: phone(p), with: phone(with) },
            Step::Answer { phone: p } => Step::Answer { phone: phone(p) },
            Step::Fails { phone: p, status } => Step::Fails { phone: phone(p), status: *status },
            Step::NobodyRings { caller, sites } => {
                Step::NobodyRings { caller: phone(caller), sites: sites.iter().map(site).collect() }
            }
            Step::Audio { a, b } => Step::Audio { a: phone(a), b: phone(b) },
            Step::Hangup { phone: p } => Step::Hangup { phone: phone(p) },
            Step::Ended { phone: p } => Step::Ended { phone: phone(p) },
            Step::Dtmf { phone: p, digits } => Step::Dtmf { phone: phone(p), digits: digits.clone() },
            Step::Hold { phone: p } => Step::Hold { phone: phone(p) },
            Step::Resume { phone: p } => Step::Resume { phone: phone(p) },
            Step::Transfer { phone: p, number: n } => Step::Transfer { phone: phone(p), number: number(p, n) },
            Step::Hears { phone: p, what } => Step::Hears {
                phone: phone(p),
                what: match what {
                    Sound::Music { site: s } => Sound::Music { site: site(s) },
                    Sound::ToneOf(t) => Sound::ToneOf(phone(t)),
                    other => other.clone(),
                },
            },
            Step::Recorded { a, b } => Step::Recorded { a: phone(a), b: phone(b) },
            Step::Parked { site: s, space } => Step::Parked { site: site(s), space: space.clone() },
            Step::Answered { phone: p } => Step::Answered { phone: phone(p) },
            Step::LeavesMessage { phone: p, site: s, mailbox: m } => {
                Step::LeavesMessage { phone: phone(p), site: site(s), mailbox: mailbox(s, m) }
            }
            Step::Mwi { phone: p, waiting } => Step::Mwi { phone: phone(p), waiting: *waiting },
            Step::Mailed { phone: p, from } => Step::Mailed { phone: phone(p), from: phone(from) },
            Step::EmptyBox { site: s, mailbox: m } => Step::EmptyBox { site: site(s), mailbox: mailbox(s, m) },
            Step::Watch { phone: p, extension, presence } => {
                Step::Watch { phone: phone(p), extension: number(p, extension), presence: *presence }
            }
            Step::SendMessage { phone: p, to, text, status } => {
                Step::SendMessage { phone: phone(p), to: number(p, to), text: text.clone(), status: *status }
            }
            Step::Receives { phone: p, text, from } => {
                Step::Receives { phone: phone(p), text: text.clone(), from: from.as_ref().map(phone) }
            }
            Step::Blf { state } => Step::Blf { state: *state },
        }
    }
}

/// Each scenario with its checks passed through `keep`, which sees the
/// checks kept so far and gives the one to keep, if any; a scenario left with
/// none goes.
pub(super) fn each_check(
    scenarios: Vec<Scenario>,
    mut keep: impl FnMut(&Check, &[Check]) -> Option<Check>,
) -> Vec<Scenario> {
    scenarios
        .into_iter()
        .filter_map(|scenario| {
            let mut checks: Vec<Check> = Vec::new();
            for check in &scenario.checks {
                if let Some(kept) = keep(check, &checks) {
                    checks.push(kept);
                }
            }
            (!checks.is_empty()).then_some(Scenario { checks, ..scenario })
        })
        .collect()
}

/// Every phone the check names exists in `lab` (the operator's test phones,
/// and the pseudo-phones standing for a box or a parking lot, always do).
pub(super) fn phones_exist(lab: &Lab, check: &Check) -> bool {
    check.phones().iter().all(|p| {
        p.site == crate::gen::OPERATOR
            || p.account.starts_with('#')
            || lab.site(&p.site).is_some_and(|s| s.phones.iter().any(|ph| ph.account == p.account))
    })
}

/// The same actions and observations, whatever their sentences say.
pub(super) fn same_steps(a: &Check, b: &Check) -> bool {
    a.steps.len() == b.steps.len() && a.steps.iter().zip(&b.steps).all(|(x, y)| x.step == y.step)
}
