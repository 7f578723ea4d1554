//! A step's keys as a scenario file gives them, read by the kind its action
//! names: typed values, phones and sites resolved against the lab, and every
//! mistake reported at its key, with its path (`flow[2].steps[1].from`).

use std::collections::BTreeMap;
use std::ops::Range;

use toml::{Spanned, Value};

use crate::diagnostic::Collector;
use crate::model::Lab;
use crate::scenario::names::{is_keypad, phone, PhoneId};

/// A step's table: each key and its value.
pub(in crate::scenario) type RawStep = BTreeMap<String, Spanned<Value>>;

/// One step of a flow being read.
pub(in crate::scenario) struct StepKeys<'k, 'c> {
    c: &'k mut Collector<'c>,
    lab: &'k Lab,
    /// The file's text, to find where keys are.
    text: &'k str,
    flow: usize,
    step: usize,
    span: Range<usize>,
    values: &'k RawStep,
    /// The caller of the flow's last `dial`: `Some(None)` when that dial had
    /// a mistake, so that a later `nobody_rings` is not blamed for it.
    last_caller: &'k mut Option<Option<PhoneId>>,
}

impl<'k, 'c> StepKeys<'k, 'c> {
    pub(in crate::scenario) fn new(
        c: &'k mut Collector<'c>,
        (lab, text): (&'k Lab, &'k str),
        (flow, step): (usize, usize),
        raw: &'k Spanned<RawStep>,
        last_caller: &'k mut Option<Option<PhoneId>>,
    ) -> Self {
        StepKeys { c, lab, text, flow, step, span: raw.span(), values: raw.get_ref(), last_caller }
    }

    pub(in crate::scenario) fn lab(&self) -> &'k Lab {
        self.lab
    }

    pub(in crate::scenario) fn collector(&mut self) -> &mut Collector<'c> {
        self.c
    }

    /// The whole step, where it is written.
    pub(in crate::scenario) fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// The step's path: `flow[2].steps[1]`.
    pub(in crate::scenario) fn step_key(&self) -> String {
        format!("flow[{}].steps[{}]", self.flow, self.step)
    }

    /// A key's path: `flow[2].steps[1].from`.
    pub(in crate::scenario) fn key(&self, field: &str) -> String {
        format!("{}.{field}", self.step_key())
    }

    pub(in crate::scenario) fn has(&self, field: &str) -> bool {
        self.values.contains_key(field)
    }

    /// Every key of the step, with its span: the key's name, written
    /// before its value.
    pub(in crate::scenario) fn names(&self) -> Vec<(String, Range<usize>)> {
        self.values
            .iter()
            .map(|(k, v)| {
                let before = &self.text[self.span.start.min(v.span().start)..v.span().start];
                let span = before.rfind(k.as_str()).map_or(v.span(), |at| {
                    let start = self.span.start.min(v.span().start) + at;
                    start..start + k.len()
                });
                (k.clone(), span)
            })
            .collect()
    }

    pub(in crate::scenario) fn error(&mut self, span: Range<usize>, field: &str, message: impl Into<String>) {
        let key = self.key(field);
        self.c.error(span, key, message);
    }

    pub(in crate::scenario) fn error_with_help(
        &mut self,
        span: Range<usize>,
        field: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let key = self.key(field);
        self.c.error_with_help(span, key, message, help);
    }

    /// A value of the wrong type, said as serde says it.
    fn wrong_type(&mut self, field: &str, v: &Spanned<Value>, expected: &str) {
        let found = match v.get_ref() {
            Value::String(s) => format!("string {s:?}"),
            Value::Integer(n) => format!("integer `{n}`"),
            Value::Float(x) => format!("floating point `{x}`"),
            Value::Boolean(b) => format!("boolean `{b}`"),
            Value::Datetime(d) => format!("datetime `{d}`"),
            Value::Array(_) => "sequence".to_string(),
            Value::Table(_) => "map".to_string(),
        };
        self.error(v.span(), field, format!("invalid type: {found}, expected {expected}"));
    }

    /// A text value; `None` when absent or of another type (reported).
    pub(in crate::scenario) fn text(&mut self, field: &str) -> Option<Spanned<String>> {
        let v = self.values.get(field)?;
        match v.get_ref() {
            Value::String(s) => Some(Spanned::new(v.span(), s.clone())),
            _ => {
                self.wrong_type(field, v, "a string");
                None
            }
        }
    }

    /// An integer value; `None` when absent or of another type (reported).
    pub(in crate::scenario) fn integer(&mut self, field: &str) -> Option<Spanned<i64>> {
        let v = self.values.get(field)?;
        match v.get_ref() {
            Value::Integer(n) => Some(Spanned::new(v.span(), *n)),
            _ => {
                self.wrong_type(field, v, "i64");
                None
            }
        }
    }

    /// A list of texts; with `one_or_many`, a single text is a list of one.
    pub(in crate::scenario) fn texts(&mut self, field: &str, one_or_many: bool) -> Option<Spanned<Vec<String>>> {
        let v = self.values.get(field)?;
        let items = match v.get_ref() {
            Value::String(s) if one_or_many => Some(vec![s.clone()]),
            Value::Array(a) => a.iter().map(|x| x.as_str().map(str::to_string)).collect(),
            _ => None,
        };
        if items.is_none() {
            self.wrong_type(field, v, if one_or_many { "a string or a list of strings" } else { "a list of strings" });
        }
        Some(Spanned::new(v.span(), items?))
    }

    /// A text the step's kind cannot do without: reported at the step when missing.
    pub(in crate::scenario) fn required(&mut self, field: &str, why: &str) -> Option<Spanned<String>> {
        self.present(field, why);
        self.text(field)
    }

    /// Whether `field` is given; reported at the step when not.
    pub(in crate::scenario) fn present(&mut self, field: &str, why: &str) -> bool {
        let has = self.has(field);
        if !has {
            let (span, key) = (self.span(), self.key(field));
            self.c.error(span, key, why);
        }
        has
    }

    /// Digits keyed by a phone: the action's value, which a keypad must be
    /// able to type, and `from`, the phone doing it.
    pub(in crate::scenario) fn keyed_by(&mut self, action: &str) -> Option<(Option<String>, Option<PhoneId>)> {
        let v = self.text(action)?;
        let digits = self.keypad(&v, action, "something a keypad can dial");
        let from = self.required_phone("from", &format!("`{action}` needs `from`: the phone that does it"));
        Some((digits, from))
    }

    /// A voicemail box written `site/box`, as `(site, box)` when the lab has it.
    pub(in crate::scenario) fn mailbox_of(&mut self, v: &Spanned<String>, field: &str) -> Option<(String, String)> {
        let Some((site, number)) = v.get_ref().split_once('/') else {
            self.error(v.span(), field, "write the box as site/box, e.g. table3/22");
            return None;
        };
        if !self.lab.site(site).is_some_and(|s| s.phones.iter().any(|p| p.extension == number)) {
            self.error(v.span(), field, format!("{} is no voicemail box of the lab", v.get_ref()));
            return None;
        }
        Some((site.to_string(), number.to_string()))
    }

    /// The phone a value names, reported under `field` when unknown.
    pub(in crate::scenario) fn phone_of(&mut self, v: &Spanned<String>, field: &str) -> Option<PhoneId> {
        let key = self.key(field);
        phone(self.c, self.lab, v.get_ref(), v.span(), &key)
    }

    /// The phone `field` names; `None` when absent (not reported) or unknown (reported).
    pub(in crate::scenario) fn phone(&mut self, field: &str) -> Option<PhoneId> {
        let v = self.text(field)?;
        self.phone_of(&v, field)
    }

    /// The phone a required `field` names.
    pub(in crate::scenario) fn required_phone(&mut self, field: &str, why: &str) -> Option<PhoneId> {
        let v = self.required(field, why)?;
        self.phone_of(&v, field)
    }

    /// An optional phone: `Some(None)` when not given, `None` when given but wrong.
    pub(in crate::scenario) fn optional_phone(&mut self, field: &str) -> Option<Option<PhoneId>> {
        if self.has(field) {
            self.phone(field).map(Some)
        } else {
            Some(None)
        }
    }

    /// Each phone of a list that names exactly two (the two ends of a call).
    pub(in crate::scenario) fn two_phones(&mut self, field: &str, why: &str) -> Option<(PhoneId, PhoneId)> {
        let v = self.texts(field, false)?;
        let ids: Vec<Option<PhoneId>> = v
            .get_ref()
            .iter()
            .map(|x| {
                let key = self.key(field);
                phone(self.c, self.lab, x, v.span(), &key)
            })
            .collect();
        if ids.len() != 2 {
            self.error(v.span(), field, why);
        }
        let [a, b] = <[Option<PhoneId>; 2]>::try_from(ids).ok()?;
        Some((a?, b?))
    }

    /// Digits a keypad can type: `None` when not, reported.
    pub(in crate::scenario) fn keypad(&mut self, v: &Spanned<String>, field: &str, what: &str) -> Option<String> {
        if is_keypad(v.get_ref()) {
            Some(v.get_ref().clone())
        } else {
            self.error(v.span(), field, format!("{:?} is not {what}", v.get_ref()));
            None
        }
    }

    /// A site of the lab named by a value.
    pub(in crate::scenario) fn site_of(&mut self, v: &Spanned<String>, field: &str) -> Option<String> {
        if self.lab.site(v.get_ref()).is_none() {
            self.error(v.span(), field, format!("the lab has no site {:?}", v.get_ref()));
            return None;
        }
        Some(v.get_ref().clone())
    }

    /// A SIP status the step expects, within `range`.
    pub(in crate::scenario) fn status(&mut self, v: &Spanned<i64>, range: Range<u16>, what: &str) -> Option<u16> {
        match u16::try_from(*v.get_ref()) {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                let (start, end) = (range.start, range.end - 1);
                self.error(v.span(), "status", format!("{what} {} is out of range {start}..={end}", v.get_ref()));
                None
            }
        }
    }

    /// The caller of the flow's last `dial` (see the field).
    pub(in crate::scenario) fn last_caller(&self) -> Option<Option<PhoneId>> {
        self.last_caller.clone()
    }

    pub(in crate::scenario) fn set_last_caller(&mut self, caller: Option<PhoneId>) {
        *self.last_caller = Some(caller);
    }
}
