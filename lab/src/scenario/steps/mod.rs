//! The steps of a check, one file per kind. A kind reads its keys from a
//! scenario file, says what it does, names what it acts on, follows a
//! rewrite of names (grading), and runs against the lab.
//!
//! A new kind is a file here implementing [`StepKind`] and a line in
//! [`steps!`] below: its keys are then accepted in scenario files, listed in
//! errors and help, and run.

mod keys;

pub(in crate::scenario) use keys::{RawStep, StepKeys};

use super::ctx::Ctx;
use super::names::Resource;
use super::result::Failure;
use super::rewrite::Rewrite;

/// One kind of step.
pub(in crate::scenario) trait StepKind: Sized + Into<Step> {
    /// The keys that name the step in a scenario file (`dial = "13"`): one,
    /// or several that mean the same.
    const ACTIONS: &'static [&'static str];
    /// The other keys it reads (`from`, `status`…); `says` goes with every step.
    const KEYS: &'static [&'static str] = &[];

    /// The step from its keys, every mistake reported; `None` when it has one.
    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self>;

    /// What it does, in a sentence, when the file says nothing.
    fn describe(&self) -> String;

    /// What it acts on: two checks sharing a resource never run at once.
    fn resources(&self) -> Vec<Resource>;

    /// The same step with its names rewritten.
    fn rewrite(&self, r: &Rewrite<'_>) -> Self;

    /// Acts, or observes, in the running lab.
    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure>;
}

/// A kind as the file reader sees it.
struct Kind {
    actions: &'static [&'static str],
    keys: &'static [&'static str],
    parse: fn(&mut StepKeys<'_, '_>) -> Option<Step>,
}

/// The registry: each line is a file of this folder and the kind it defines,
/// in the order help lists them.
macro_rules! steps {
    ($($module:ident :: $kind:ident),* $(,)?) => {
        $(mod $module;)*
        $(pub use $module::$kind;)*

        /// One action or observation.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Step {
            $($kind($kind),)*
        }

        $(impl From<$kind> for Step {
            fn from(step: $kind) -> Step {
                Step::$kind(step)
            }
        })*

        const KINDS: &[Kind] = &[
            $(Kind {
                actions: <$kind as StepKind>::ACTIONS,
                keys: <$kind as StepKind>::KEYS,
                parse: |keys| <$kind as StepKind>::parse(keys).map(Step::$kind),
            },)*
        ];

        impl Step {
            /// What the step does, in a sentence.
            pub fn describe(&self) -> String {
                match self { $(Step::$kind(s) => s.describe(),)* }
            }

            /// What the step acts on.
            pub fn resources(&self) -> Vec<Resource> {
                match self { $(Step::$kind(s) => s.resources(),)* }
            }

            /// The same step with its names rewritten.
            pub fn rewrite(&self, r: &Rewrite<'_>) -> Step {
                match self { $(Step::$kind(s) => Step::$kind(s.rewrite(r)),)* }
            }

            pub(in crate::scenario) async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
                match self { $(Step::$kind(s) => s.run(ctx).await,)* }
            }
        }
    };
}

steps! {
    dial::Dial,
    rings::Rings,
    answer::Answer,
    connected::Connected,
    fails::Fails,
    nobody_rings::NobodyRings,
    audio::Audio,
    hangup::Hangup,
    ended::Ended,
    dtmf::Dtmf,
    speaks::Speaks,
    hold::Hold,
    resume::Resume,
    transfer::Transfer,
    hears::Hears,
    recorded::Recorded,
    parked::Parked,
    watch::Watch,
    line_state::LineState,
    answered::Answered,
    leaves_message::LeavesMessage,
    mwi::Mwi,
    empty_box::EmptyBox,
    message::SendMessage,
    receives::Receives,
    mailed::Mailed,
    registered::Registered,
}

pub use hears::Sound;

/// Every action key, in the registry's order.
fn actions() -> impl Iterator<Item = &'static str> {
    KINDS.iter().flat_map(|k| k.actions.iter().copied())
}

/// Every key a step may have.
fn all_keys() -> Vec<&'static str> {
    let mut keys: Vec<&str> = actions().collect();
    for k in KINDS.iter().flat_map(|k| k.keys) {
        if !keys.contains(k) {
            keys.push(k);
        }
    }
    keys.push("says");
    keys
}

/// Reads one step of a flow: exactly one action, only the keys its kind
/// reads, each value checked. `None` when it has a mistake, every mistake of
/// it reported.
pub(in crate::scenario) fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Step> {
    let present: Vec<&str> = actions().filter(|a| keys.has(a)).collect();
    let [action] = present[..] else {
        let has = if present.is_empty() { "none".to_string() } else { present.join(", ") };
        let all: Vec<&str> = actions().collect();
        let (span, key) = (keys.span(), keys.step_key());
        keys.collector().error_with_help(
            span,
            key,
            format!("a step does exactly one thing; this one has {has}"),
            format!("one of: {}", all.join(", ")),
        );
        return None;
    };
    let kind = KINDS.iter().find(|k| k.actions.contains(&action)).expect("an action of a registered kind");
    let mut stray = false;
    for (key, span) in keys.names() {
        if key == "says" || kind.actions.contains(&key.as_str()) || kind.keys.contains(&key.as_str()) {
            continue;
        }
        stray = true;
        if all_keys().contains(&key.as_str()) {
            let takes: Vec<&str> = kind.keys.iter().copied().chain(["says"]).collect();
            let help = format!("`{action}` takes: {}", takes.join(", "));
            keys.error_with_help(span, &key, format!("`{key}` does not go with `{action}`"), help);
        } else {
            keys.error_with_help(span, &key, "unknown key", format!("expected one of: {}", all_keys().join(", ")));
        }
    }
    let step = (kind.parse)(keys);
    if stray {
        return None;
    }
    step
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_names_one_kind_and_is_no_other_kinds_key() {
        let all: Vec<&str> = actions().collect();
        for action in &all {
            assert_eq!(all.iter().filter(|a| *a == action).count(), 1, "{action} names two kinds");
            let reads = KINDS.iter().filter(|k| k.keys.contains(action)).count();
            assert_eq!(reads, 0, "{action} is an action and another kind's key");
        }
        assert!(!all.contains(&"says"), "`says` goes with every step");
    }
}
