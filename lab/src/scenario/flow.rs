//! The `[[flow]]` tables of a scenario file: explicit steps, each doing one
//! thing, checked against the lab.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::file::{french, is_keypad, phone, place, OneOrMany};
use super::{BlfState, Check, PhoneId, Sound, Step, StepLine};
use crate::diagnostic::Collector;
use crate::gen::OPERATOR;
use crate::model::Lab;

#[derive(Debug, Deserialize)]
pub(super) struct RawFlow {
    says: Spanned<String>,
    fr: Option<Spanned<String>>,
    steps: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Default, Deserialize)]
struct RawStep {
    says: Option<String>,
    dial: Option<Spanned<String>>,
    from: Option<Spanned<String>>,
    rings: Option<Spanned<String>>,
    answer: Option<Spanned<String>>,
    fails: Option<Spanned<String>>,
    status: Option<Spanned<i64>>,
    nobody_rings: Option<Spanned<OneOrMany>>,
    audio: Option<Spanned<Vec<String>>>,
    hangup: Option<Spanned<String>>,
    watch: Option<Spanned<String>>,
    blf: Option<Spanned<String>>,
    alert: Option<Spanned<String>>,
    connected: Option<Spanned<String>>,
    with: Option<Spanned<String>>,
    ended: Option<Spanned<String>>,
    dtmf: Option<Spanned<String>>,
    hold: Option<Spanned<String>>,
    resume: Option<Spanned<String>>,
    transfer: Option<Spanned<String>>,
    hears: Option<Spanned<String>>,
    phone: Option<Spanned<String>>,
    site: Option<Spanned<String>>,
    recorded: Option<Spanned<Vec<String>>>,
    parked: Option<Spanned<String>>,
    answered: Option<Spanned<String>>,
    leaves_message: Option<Spanned<String>>,
    #[serde(rename = "box")]
    mailbox: Option<Spanned<String>>,
    mwi: Option<Spanned<String>>,
    empty_box: Option<Spanned<String>>,
    event: Option<Spanned<String>>,
    message: Option<Spanned<String>>,
    to: Option<Spanned<String>>,
    receives: Option<Spanned<String>>,
    presence: Option<Spanned<String>>,
    mailed: Option<Spanned<String>>,
}

#[rustfmt::skip]
const STEP_ACTIONS: &[&str] = &[
    "dial", "rings", "answer", "connected", "fails", "nobody_rings", "audio", "hangup", "ended", "dtmf", "hold",
    "resume", "transfer", "hears", "recorded", "parked", "watch", "blf", "answered", "leaves_message", "mwi",
    "empty_box", "message", "receives", "presence", "mailed",
];
#[rustfmt::skip]
pub(super) const STEP_KEYS: &[&str] = &[
    "dial", "rings", "answer", "connected", "fails", "nobody_rings", "audio", "hangup", "ended", "dtmf", "hold",
    "resume", "transfer", "hears", "recorded", "parked", "watch", "blf", "answered", "leaves_message", "mwi",
    "empty_box", "message", "receives", "presence", "mailed", "says", "from", "status", "alert", "with", "phone", "site",
    "box", "event", "to",
];

pub(super) fn check_flow(
    c: &mut Collector<'_>,
    lab: &Lab,
    file: &str,
    text: &str,
    i: usize,
    flow: &RawFlow,
) -> Option<Check> {
    let mut steps = Vec::new();
    let before = c.count();
    // The caller of the last `dial`: `Some(None)` when that dial has a mistake.
    let mut last_caller: Option<Option<PhoneId>> = None;
    let says_fr = french(c, flow.fr.as_ref(), format!("flow[{i}].fr"));
    // Every step is checked, whatever the ones before it gave: a file with
    // several mistakes reports them all.
    for (j, raw) in flow.steps.iter().enumerate() {
        let at = StepAt { lab, flow: i, step: j, span: raw.span() };
        if let Some(step) = check_step(c, &at, raw.get_ref(), &mut last_caller) {
            let says = raw.get_ref().says.clone().unwrap_or_else(|| describe(&step));
            steps.push(StepLine { step, says });
        }
    }
    if flow.steps.is_empty() {
        c.error(flow.says.span(), format!("flow[{i}].steps"), "a flow needs at least one step");
    }
    (c.count() == before).then(|| Check {
        says: flow.says.get_ref().clone(),
        says_fr,
        steps,
        place: place(file, text, flow.says.span().start),
    })
}

/// Where a step is: its flow and place in it, and its span in the file.
struct StepAt<'a> {
    lab: &'a Lab,
    flow: usize,
    step: usize,
    span: Range<usize>,
}

impl StepAt<'_> {
    fn key(&self, field: &str) -> String {
        format!("flow[{}].steps[{}].{field}", self.flow, self.step)
    }

    /// The phone a step's value names, reported under `field` when unknown.
    fn phone(&self, c: &mut Collector<'_>, v: &Spanned<String>, field: &str) -> Option<PhoneId> {
        phone(c, self.lab, v.get_ref(), v.span(), &self.key(field))
    }

    /// An optional phone: `Some(None)` when not given, `None` when given but unknown.
    fn optional_phone(
        &self,
        c: &mut Collector<'_>,
        v: Option<&Spanned<String>>,
        field: &str,
    ) -> Option<Option<PhoneId>> {
        v.map_or(Some(None), |v| self.phone(c, v, field).map(Some))
    }

    /// A field the step's action needs: reported at the step when missing.
    fn needs<'v, T>(&self, c: &mut Collector<'_>, v: Option<&'v T>, field: &str, why: &str) -> Option<&'v T> {
        if v.is_none() {
            c.error(self.span.clone(), self.key(field), why);
        }
        v
    }

    /// A SIP status the step expects, within `range`.
    fn status(&self, c: &mut Collector<'_>, v: &Spanned<i64>, range: Range<u16>, what: &str) -> Option<u16> {
        match u16::try_from(*v.get_ref()) {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                let (start, end) = (range.start, range.end - 1);
                c.error(
                    v.span(),
                    self.key("status"),
                    format!("{what} {} is out of range {start}..={end}", v.get_ref()),
                );
                None
            }
        }
    }
}

/// One step checked against the lab: `None` when it has a mistake, every
/// mistake of it reported.
fn check_step(
    c: &mut Collector<'_>,
    at: &StepAt<'_>,
    s: &RawStep,
    last_caller: &mut Option<Option<PhoneId>>,
) -> Option<Step> {
    let lab = at.lab;
    let key = |f: &str| at.key(f);
    let present: Vec<&str> = STEP_ACTIONS
        .iter()
        .copied()
        .filter(|a| match *a {
            "dial" => s.dial.is_some(),
            "rings" => s.rings.is_some(),
            "answer" => s.answer.is_some(),
            "connected" => s.connected.is_some(),
            "fails" => s.fails.is_some(),
            "nobody_rings" => s.nobody_rings.is_some(),
            "audio" => s.audio.is_some(),
            "hangup" => s.hangup.is_some(),
            "ended" => s.ended.is_some(),
            "dtmf" => s.dtmf.is_some(),
            "hold" => s.hold.is_some(),
            "resume" => s.resume.is_some(),
            "transfer" => s.transfer.is_some(),
            "hears" => s.hears.is_some(),
            "recorded" => s.recorded.is_some(),
            "parked" => s.parked.is_some(),
            "watch" => s.watch.is_some(),
            "answered" => s.answered.is_some(),
            "leaves_message" => s.leaves_message.is_some(),
            "mwi" => s.mwi.is_some(),
            "empty_box" => s.empty_box.is_some(),
            "message" => s.message.is_some(),
            "receives" => s.receives.is_some(),
            "presence" => s.presence.is_some(),
            "mailed" => s.mailed.is_some(),
            _ => s.blf.is_some(),
        })
        .collect();
    if present.len() != 1 {
        c.error_with_help(
            at.span.clone(),
            format!("flow[{}].steps[{}]", at.flow, at.step),
            format!(
                "a step does exactly one thing; this one has {}",
                if present.is_empty() { "none".into() } else { present.join(", ") }
            ),
            format!("one of: {}", STEP_ACTIONS.join(", ")),
        );
        return None;
    }
    let step = match present[0] {
        "dial" | "watch" | "transfer" | "dtmf" => {
            let (action, value) = match (&s.dial, &s.watch, &s.transfer, &s.dtmf) {
                (Some(d), ..) => ("dial", d),
                (_, Some(w), ..) => ("watch", w),
                (_, _, Some(t), _) => ("transfer", t),
                (.., Some(d)) => ("dtmf", d),
                _ => return None,
            };
            let keypad = is_keypad(value.get_ref());
            if !keypad {
                c.error(value.span(), key(action), format!("{:?} is not something a keypad can dial", value.get_ref()));
            }
            let from =
                at.needs(c, s.from.as_ref(), "from", &format!("`{action}` needs `from`: the phone that does it"));
            let from = at.phone(c, from?, "from");
            let digits = value.get_ref().clone();
            match action {
                "dial" => {
                    // A later `nobody_rings` follows this dial even when it has a mistake.
                    *last_caller = Some(from.clone());
                    Step::Dial { from: from?, number: keypad.then_some(digits)? }
                }
                "watch" => {
                    let presence = match s.event.as_ref().map(|e| (e.get_ref().as_str(), e.span())) {
                        None | Some(("dialog", _)) => Some(false),
                        Some(("presence", _)) => Some(true),
                        Some((other, span)) => {
                            c.error(span, key("event"), format!("{other:?}: expected \"dialog\" or \"presence\""));
                            None
                        }
                    };
                    Step::Watch { phone: from?, extension: keypad.then_some(digits)?, presence: presence? }
                }
                "transfer" => Step::Transfer { phone: from?, number: keypad.then_some(digits)? },
                _ => Step::Dtmf { phone: from?, digits: keypad.then_some(digits)? },
            }
        }
        "rings" => {
            let phone = at.phone(c, s.rings.as_ref()?, "rings");
            let from = at.optional_phone(c, s.from.as_ref(), "from");
            let alert = s.alert.as_ref().map(|a| a.get_ref().clone());
            Step::Rings { phone: phone?, from: from?, alert }
        }
        "answer" => Step::Answer { phone: at.phone(c, s.answer.as_ref()?, "answer")? },
        "hangup" => Step::Hangup { phone: at.phone(c, s.hangup.as_ref()?, "hangup")? },
        "ended" => Step::Ended { phone: at.phone(c, s.ended.as_ref()?, "ended")? },
        "hold" => Step::Hold { phone: at.phone(c, s.hold.as_ref()?, "hold")? },
        "resume" => Step::Resume { phone: at.phone(c, s.resume.as_ref()?, "resume")? },
        "answered" => Step::Answered { phone: at.phone(c, s.answered.as_ref()?, "answered")? },
        "connected" => {
            let phone = at.phone(c, s.connected.as_ref()?, "connected");
            let with = at.needs(c, s.with.as_ref(), "with", "`connected` needs `with`: the other party");
            let with = with.and_then(|w| at.phone(c, w, "with"));
            Step::Connected { phone: phone?, with: with? }
        }
        "hears" => {
            let v = s.hears.as_ref()?;
            let listener = at.needs(c, s.phone.as_ref(), "phone", "`hears` needs `phone`: who listens");
            let listener = listener.and_then(|l| at.phone(c, l, "phone"));
            let what = match v.get_ref().as_str() {
                "music" => {
                    // The listener's own site's music, unless `site` names another.
                    let site = match (&s.site, &listener) {
                        (Some(x), _) => Some(x.get_ref().clone()),
                        (None, Some(l)) => Some(l.site.clone()),
                        (None, None) => None,
                    };
                    match site {
                        Some(site) if lab.site(&site).is_none() => {
                            let span = s.site.as_ref().map_or(v.span(), |x| x.span());
                            c.error(span, key("site"), format!("the lab has no site {site:?}"));
                            None
                        }
                        site => site.map(|site| Sound::Music { site }),
                    }
                }
                "welcome" => Some(Sound::Welcome),
                "no welcome" => Some(Sound::NoWelcome),
                "refusal" => Some(Sound::Refusal),
                "speech" => Some(Sound::Speech),
                "menu" => Some(Sound::Menu),
                other if other.contains('/') => at.phone(c, v, "hears").map(Sound::ToneOf),
                other => {
                    c.error_with_help(
                        v.span(),
                        key("hears"),
                        format!("unknown sound {other:?}"),
                        "one of: music, welcome, no welcome, refusal, speech, menu, or a phone (site/account) whose tone is heard",
                    );
                    None
                }
            };
            Step::Hears { phone: listener?, what: what? }
        }
        "recorded" => {
            let v = s.recorded.as_ref()?;
            let ids: Vec<Option<PhoneId>> =
                v.get_ref().iter().map(|x| phone(c, lab, x, v.span(), &key("recorded"))).collect();
            if ids.len() != 2 {
                c.error(v.span(), key("recorded"), "`recorded` names the two phones of the call");
            }
            let [a, b] = <[Option<PhoneId>; 2]>::try_from(ids).ok()?;
            Step::Recorded { a: a?, b: b? }
        }
        "message" => {
            let text = s.message.as_ref()?.get_ref().clone();
            let (from, to) = (s.from.as_ref(), s.to.as_ref());
            if from.is_none() || to.is_none() {
                c.error(at.span.clone(), key("message"), "`message` needs `from` (the sender) and `to` (the number)");
            }
            let to = to.and_then(|to| {
                let number = is_keypad(to.get_ref()).then(|| to.get_ref().clone());
                if number.is_none() {
                    c.error(to.span(), key("to"), format!("{:?} is not a number a phone can address", to.get_ref()));
                }
                number
            });
            let status = s.status.as_ref().map_or(Some(202), |st| at.status(c, st, 200..700, "SIP status"));
            let from = from.and_then(|f| at.phone(c, f, "from"));
            Step::SendMessage { phone: from?, to: to?, text, status: status? }
        }
        "mailed" => {
            let v = s.mailed.as_ref()?;
            let owner = at.phone(c, v, "mailed");
            let owner = owner.filter(|p| {
                let site = lab.site(&p.site).is_some();
                if !site {
                    c.error(v.span(), key("mailed"), "only site phones have a voicemail box and an address");
                }
                site
            });
            let from = at.needs(c, s.from.as_ref(), "from", "`mailed` needs `from`: who left the voicemail");
            let from = from.and_then(|f| at.phone(c, f, "from"));
            Step::Mailed { phone: owner?, from: from? }
        }
        "receives" => {
            let text = s.receives.as_ref()?.get_ref().clone();
            let receiver = at.needs(c, s.phone.as_ref(), "phone", "`receives` needs `phone`: who gets the message");
            let receiver = receiver.and_then(|r| at.phone(c, r, "phone"));
            let from = at.optional_phone(c, s.from.as_ref(), "from");
            Step::Receives { phone: receiver?, text, from: from? }
        }
        "mwi" => {
            let v = s.mwi.as_ref()?;
            let waiting = match v.get_ref().as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                other => {
                    c.error(v.span(), key("mwi"), format!("{other:?}: expected \"yes\" or \"no\" (messages waiting)"));
                    None
                }
            };
            let owner = at.needs(c, s.phone.as_ref(), "phone", "`mwi` needs `phone`: whose indicator");
            let owner = owner.and_then(|o| at.phone(c, o, "phone"));
            Step::Mwi { phone: owner?, waiting: waiting? }
        }
        "leaves_message" | "empty_box" => {
            let (mailbox, caller) = match (&s.empty_box, &s.leaves_message) {
                (Some(b), _) => (Some(b), Some(None)),
                (_, Some(l)) => {
                    let mailbox = at.needs(
                        c,
                        s.mailbox.as_ref(),
                        "box",
                        "`leaves_message` needs `box`: site/box, e.g. table3/22",
                    );
                    (mailbox, at.phone(c, l, "leaves_message").map(Some))
                }
                _ => return None,
            };
            let mailbox = mailbox.and_then(|b| voicemail_box(c, lab, b, &key("box")));
            match (caller?, mailbox?) {
                (Some(phone), (site, mailbox)) => Step::LeavesMessage { phone, site, mailbox },
                (None, (site, mailbox)) => Step::EmptyBox { site, mailbox },
            }
        }
        "parked" => {
            let v = s.parked.as_ref()?;
            let site = at.needs(c, s.site.as_ref(), "site", "`parked` needs `site`: whose parking lot")?;
            if lab.site(site.get_ref()).is_none() {
                c.error(site.span(), key("site"), format!("the lab has no site {:?}", site.get_ref()));
                return None;
            }
            Step::Parked { site: site.get_ref().clone(), space: v.get_ref().clone() }
        }
        "fails" => {
            let caller = at.phone(c, s.fails.as_ref()?, "fails");
            let status = at.needs(
                c,
                s.status.as_ref(),
                "status",
                "`fails` needs `status`: the SIP final status expected, e.g. 486",
            );
            let status = status.and_then(|st| at.status(c, st, 400..700, "SIP failure status"));
            Step::Fails { phone: caller?, status: status? }
        }
        "nobody_rings" => {
            let v = s.nobody_rings.as_ref()?;
            let sites: Vec<String> = v.get_ref().items().iter().map(|x| x.to_string()).collect();
            let unknown = sites.iter().filter(|site| lab.site(site).is_none() && *site != OPERATOR);
            let mut known = true;
            for site in unknown {
                c.error(v.span(), key("nobody_rings"), format!("the lab has no site {site:?}"));
                known = false;
            }
            let Some(caller) = last_caller.clone() else {
                c.error(v.span(), key("nobody_rings"), "`nobody_rings` follows a `dial`");
                return None;
            };
            known.then_some(Step::NobodyRings { caller: caller?, sites })?
        }
        "audio" => {
            let v = s.audio.as_ref()?;
            let ids: Vec<Option<PhoneId>> =
                v.get_ref().iter().map(|x| phone(c, lab, x, v.span(), &key("audio"))).collect();
            if ids.len() != 2 {
                c.error(v.span(), key("audio"), "`audio` names the two phones of a call");
            }
            let [a, b] = <[Option<PhoneId>; 2]>::try_from(ids).ok()?;
            Step::Audio { a: a?, b: b? }
        }
        _ => {
            let v = s.blf.as_ref().or(s.presence.as_ref())?;
            let state = match v.get_ref().as_str() {
                "idle" => BlfState::Idle,
                "ringing" => BlfState::Ringing,
                "in use" | "in-use" => BlfState::InUse,
                other => {
                    c.error_with_help(
                        v.span(),
                        key(if s.blf.is_some() { "blf" } else { "presence" }),
                        format!("unknown line state {other:?}"),
                        "one of: idle, ringing, in use",
                    );
                    return None;
                }
            };
            Step::Blf { state }
        }
    };
    Some(step)
}

/// A voicemail box written `site/box`, as `(site, box)` when the lab has it.
fn voicemail_box(c: &mut Collector<'_>, lab: &Lab, v: &Spanned<String>, key: &str) -> Option<(String, String)> {
    let Some((site, number)) = v.get_ref().split_once('/') else {
        c.error(v.span(), key, "write the box as site/box, e.g. table3/22");
        return None;
    };
    if !lab.site(site).is_some_and(|s| s.phones.iter().any(|p| p.extension == number)) {
        c.error(v.span(), key, format!("{} is no voicemail box of the lab", v.get_ref()));
        return None;
    }
    Some((site.to_string(), number.to_string()))
}

fn describe(step: &Step) -> String {
    match step {
        Step::Dial { from, number } => format!("{from} dials {number}"),
        Step::Rings { phone, alert: Some(a), .. } => format!("{phone} rings with the {a} ring"),
        Step::Rings { phone, .. } => format!("{phone} rings"),
        Step::Connected { phone, with } => format!("{phone} is in the call with {with}"),
        Step::Ended { phone } => format!("{phone}'s call is over"),
        Step::Dtmf { phone, digits } => format!("{phone} keys {digits}"),
        Step::Hold { phone } => format!("{phone} puts the call on hold"),
        Step::Resume { phone } => format!("{phone} takes the call off hold"),
        Step::Transfer { phone, number } => format!("{phone} transfers the call to {number}"),
        Step::Hears { phone, what: Sound::Music { site } } => format!("{phone} hears {site}'s music on hold"),
        Step::Hears { phone, what: Sound::Welcome } => format!("{phone} hears the welcome message first"),
        Step::Hears { phone, what: Sound::NoWelcome } => format!("{phone} hears no welcome message"),
        Step::Recorded { a, b } => format!("the call of {a} and {b} is recorded, both voices"),
        Step::Parked { site, space } => format!("{site}'s parking lot holds a call at {space}"),
        Step::Answered { phone } => format!("{phone}'s call is answered by the IPBX"),
        Step::EmptyBox { site, mailbox } => format!("{site}'s box {mailbox} starts empty"),
        Step::LeavesMessage { phone, site, mailbox } => format!("{phone} leaves a message in {site}'s box {mailbox}"),
        Step::Mwi { phone, waiting: true } => format!("{phone} shows messages waiting"),
        Step::Mwi { phone, waiting: false } => format!("{phone} shows no message waiting"),
        Step::Hears { phone, what: Sound::Refusal } => format!("{phone} hears that voicemail access is refused"),
        Step::Hears { phone, what: Sound::ToneOf(other) } => format!("{phone} hears {other}'s tone"),
        Step::Hears { phone, what: Sound::Speech } => format!("{phone} hears spoken prompts"),
        Step::Hears { phone, what: Sound::Menu } => format!("{phone} hears the menu"),
        Step::Answer { phone } => format!("{phone} answers"),
        Step::Fails { phone, status } => format!("{phone}'s call ends with SIP {status}"),
        Step::NobodyRings { sites, .. } => format!("no phone of {} rings", sites.join(", ")),
        Step::Audio { a, b } => format!("{a} and {b} hear each other"),
        Step::Hangup { phone } => format!("{phone} hangs up"),
        Step::Watch { phone, extension, presence: false } => format!("{phone} watches extension {extension}"),
        Step::Watch { phone, extension, presence: true } => {
            format!("{phone} subscribes to extension {extension}'s presence")
        }
        Step::SendMessage { phone, to, status, .. } => format!("{phone} sends a message to {to} (SIP {status})"),
        Step::Receives { phone, text, .. } => format!("{phone} receives \"{text}\""),
        Step::Mailed { phone, from } => format!("{phone} gets {from}'s voicemail by e-mail"),
        Step::Blf { state } => format!("the watcher sees the line {state}"),
    }
}
