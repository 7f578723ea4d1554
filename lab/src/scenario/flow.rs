//! The `[[flow]]` tables of a scenario file: explicit steps, each doing one
//! thing, checked against the lab by the kind its action names.

use serde::Deserialize;
use toml::Spanned;

use super::check::{Check, StepLine};
use super::names::{french, place, PhoneId};
use super::steps::{self, RawStep, StepKeys};
use crate::diagnostic::Collector;
use crate::model::Lab;

#[derive(Debug, Deserialize)]
pub(super) struct RawFlow {
    says: Spanned<String>,
    fr: Option<Spanned<String>>,
    steps: Vec<Spanned<RawStep>>,
}

pub(super) fn check_flow(
    c: &mut Collector<'_>,
    lab: &Lab,
    file: &str,
    text: &str,
    i: usize,
    flow: &RawFlow,
) -> Option<Check> {
    let mut lines = Vec::new();
    let before = c.count();
    // The caller of the last `dial`: `Some(None)` when that dial has a mistake.
    let mut last_caller: Option<Option<PhoneId>> = None;
    let says_fr = french(c, flow.fr.as_ref(), format!("flow[{i}].fr"));
    // Every step is checked, whatever the ones before it gave: a file with
    // several mistakes reports them all.
    for (j, raw) in flow.steps.iter().enumerate() {
        let mut keys = StepKeys::new(c, (lab, text), (i, j), raw, &mut last_caller);
        let says = keys.text("says");
        if let Some(step) = steps::parse(&mut keys) {
            let says = says.map_or_else(|| step.describe(), Spanned::into_inner);
            lines.push(StepLine { step, says });
        }
    }
    if flow.steps.is_empty() {
        c.error(flow.says.span(), format!("flow[{i}].steps"), "a flow needs at least one step");
    }
    (c.count() == before).then(|| Check {
        says: flow.says.get_ref().clone(),
        says_fr,
        steps: lines,
        place: place(file, text, flow.says.span().start),
    })
}
