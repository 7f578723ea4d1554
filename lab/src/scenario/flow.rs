//! The `[[flow]]` tables of a scenario file: explicit steps, each doing one
//! thing, checked against the lab.

use serde::Deserialize;
use toml::Spanned;

use super::file::{french, is_keypad, phone, phone_of, place, OneOrMany};
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
    let mut last_caller: Option<PhoneId> = None;
    let says_fr = french(c, flow.fr.as_ref(), format!("flow[{i}].fr"));
    for (j, raw) in flow.steps.iter().enumerate() {
        let key = |f: &str| format!("flow[{i}].steps[{j}].{f}");
        let s = raw.get_ref();
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
                raw.span(),
                format!("flow[{i}].steps[{j}]"),
                format!(
                    "a step does exactly one thing; this one has {}",
                    if present.is_empty() { "none".into() } else { present.join(", ") }
                ),
                format!("one of: {}", STEP_ACTIONS.join(", ")),
            );
            continue;
        }
        let p = |c: &mut Collector<'_>, v: &Spanned<String>, f: &str| phone(c, lab, v.get_ref(), v.span(), &key(f));
        let step = match present[0] {
            "dial" | "watch" | "transfer" | "dtmf" => {
                let (action, value) = match (&s.dial, &s.watch, &s.transfer) {
                    (Some(d), _, _) => ("dial", d),
                    (_, Some(w), _) => ("watch", w),
                    (_, _, Some(t)) => ("transfer", t),
                    _ => ("dtmf", s.dtmf.as_ref().expect("present")),
                };
                if !is_keypad(value.get_ref()) {
                    c.error(
                        value.span(),
                        key(action),
                        format!("{:?} is not something a keypad can dial", value.get_ref()),
                    );
                }
                let Some(from) = s.from.as_ref() else {
                    c.error(raw.span(), key("from"), format!("`{action}` needs `from`: the phone that does it"));
                    continue;
                };
                let Some(from) = p(c, from, "from") else { continue };
                let digits = value.get_ref().clone();
                match action {
                    "dial" => {
                        last_caller = Some(from.clone());
                        Step::Dial { from, number: digits }
                    }
                    "watch" => {
                        let presence = match s.event.as_ref().map(|e| e.get_ref().as_str()) {
                            None | Some("dialog") => false,
                            Some("presence") => true,
                            Some(other) => {
                                let span = s.event.as_ref().map_or(raw.span(), |e| e.span());
                                c.error(span, key("event"), format!("{other:?}: expected \"dialog\" or \"presence\""));
                                continue;
                            }
                        };
                        Step::Watch { phone: from, extension: digits, presence }
                    }
                    "transfer" => Step::Transfer { phone: from, number: digits },
                    _ => Step::Dtmf { phone: from, digits },
                }
            }
            "rings" => {
                let phone = p(c, s.rings.as_ref()?, "rings")?;
                let from = match &s.from {
                    Some(f) => Some(p(c, f, "from")?),
                    None => None,
                };
                let alert = s.alert.as_ref().map(|a| a.get_ref().clone());
                Step::Rings { phone, from, alert }
            }
            "answer" => Step::Answer { phone: p(c, s.answer.as_ref()?, "answer")? },
            "hangup" => Step::Hangup { phone: p(c, s.hangup.as_ref()?, "hangup")? },
            "ended" => Step::Ended { phone: p(c, s.ended.as_ref()?, "ended")? },
            "hold" => Step::Hold { phone: p(c, s.hold.as_ref()?, "hold")? },
            "resume" => Step::Resume { phone: p(c, s.resume.as_ref()?, "resume")? },
            "connected" => {
                let phone = p(c, s.connected.as_ref()?, "connected")?;
                let Some(with) = &s.with else {
                    c.error(raw.span(), key("with"), "`connected` needs `with`: the other party");
                    continue;
                };
                Step::Connected { phone, with: p(c, with, "with")? }
            }
            "hears" => {
                let v = s.hears.as_ref()?;
                let Some(phone) = &s.phone else {
                    c.error(raw.span(), key("phone"), "`hears` needs `phone`: who listens");
                    continue;
                };
                let phone = p(c, phone, "phone")?;
                let what = match v.get_ref().as_str() {
                    "music" => {
                        let site = s.site.as_ref().map_or(phone.site.clone(), |x| x.get_ref().clone());
                        if lab.site(&site).is_none() {
                            c.error(v.span(), key("site"), format!("the lab has no site {site:?}"));
                        }
                        Sound::Music { site }
                    }
                    "welcome" => Sound::Welcome,
                    "no welcome" => Sound::NoWelcome,
                    "refusal" => Sound::Refusal,
                    "speech" => Sound::Speech,
                    "menu" => Sound::Menu,
                    other if other.contains('/') => Sound::ToneOf(phone_of(c, lab, v)?),
                    other => {
                        c.error_with_help(
                            v.span(),
                            key("hears"),
                            format!("unknown sound {other:?}"),
                            "one of: music, welcome, no welcome, refusal, speech, menu, or a phone (site/account) whose tone is heard",
                        );
                        continue;
                    }
                };
                Step::Hears { phone, what }
            }
            "recorded" => {
                let v = s.recorded.as_ref()?;
                let ids: Vec<PhoneId> =
                    v.get_ref().iter().filter_map(|x| phone(c, lab, x, v.span(), &key("recorded"))).collect();
                let Ok([a, b]) = <[PhoneId; 2]>::try_from(ids) else {
                    c.error(v.span(), key("recorded"), "`recorded` names the two phones of the call");
                    continue;
                };
                Step::Recorded { a, b }
            }
            "message" => {
                let text = s.message.as_ref()?.get_ref().clone();
                let (Some(from), Some(to)) = (&s.from, &s.to) else {
                    c.error(raw.span(), key("message"), "`message` needs `from` (the sender) and `to` (the number)");
                    continue;
                };
                if !is_keypad(to.get_ref()) {
                    c.error(to.span(), key("to"), format!("{:?} is not a number a phone can address", to.get_ref()));
                }
                let status = s.status.as_ref().map_or(202, |st| *st.get_ref() as u16);
                Step::SendMessage { phone: p(c, from, "from")?, to: to.get_ref().clone(), text, status }
            }
            "mailed" => {
                let phone = p(c, s.mailed.as_ref()?, "mailed")?;
                if lab.site(&phone.site).is_none() {
                    c.error(
                        s.mailed.as_ref()?.span(),
                        key("mailed"),
                        "only site phones have a voicemail box and an address",
                    );
                    continue;
                }
                let Some(from) = &s.from else {
                    c.error(raw.span(), key("from"), "`mailed` needs `from`: who left the voicemail");
                    continue;
                };
                Step::Mailed { phone, from: p(c, from, "from")? }
            }
            "receives" => {
                let text = s.receives.as_ref()?.get_ref().clone();
                let Some(phone) = &s.phone else {
                    c.error(raw.span(), key("phone"), "`receives` needs `phone`: who gets the message");
                    continue;
                };
                let from = match &s.from {
                    Some(f) => Some(p(c, f, "from")?),
                    None => None,
                };
                Step::Receives { phone: p(c, phone, "phone")?, text, from }
            }
            "answered" => Step::Answered { phone: p(c, s.answered.as_ref()?, "answered")? },
            "mwi" => {
                let v = s.mwi.as_ref()?;
                let waiting = match v.get_ref().as_str() {
                    "yes" => true,
                    "no" => false,
                    other => {
                        c.error(
                            v.span(),
                            key("mwi"),
                            format!("{other:?}: expected \"yes\" or \"no\" (messages waiting)"),
                        );
                        continue;
                    }
                };
                let Some(phone) = &s.phone else {
                    c.error(raw.span(), key("phone"), "`mwi` needs `phone`: whose indicator");
                    continue;
                };
                Step::Mwi { phone: p(c, phone, "phone")?, waiting }
            }
            "leaves_message" | "empty_box" => {
                let (mailbox, phone) = match (&s.empty_box, &s.leaves_message) {
                    (Some(b), _) => (b, None),
                    (_, Some(l)) => {
                        let Some(b) = &s.mailbox else {
                            c.error(raw.span(), key("box"), "`leaves_message` needs `box`: site/box, e.g. table3/22");
                            continue;
                        };
                        (b, Some(p(c, l, "leaves_message")?))
                    }
                    _ => continue,
                };
                let Some((site, number)) = mailbox.get_ref().split_once('/') else {
                    c.error(mailbox.span(), key("box"), "write the box as site/box, e.g. table3/22");
                    continue;
                };
                let known = lab.site(site).is_some_and(|s| s.phones.iter().any(|p| p.extension == number));
                if !known {
                    c.error(
                        mailbox.span(),
                        key("box"),
                        format!("{} is no voicemail box of the lab", mailbox.get_ref()),
                    );
                    continue;
                }
                match phone {
                    Some(phone) => Step::LeavesMessage { phone, site: site.into(), mailbox: number.into() },
                    None => Step::EmptyBox { site: site.into(), mailbox: number.into() },
                }
            }
            "parked" => {
                let v = s.parked.as_ref()?;
                let Some(site) = &s.site else {
                    c.error(raw.span(), key("site"), "`parked` needs `site`: whose parking lot");
                    continue;
                };
                if lab.site(site.get_ref()).is_none() {
                    c.error(site.span(), key("site"), format!("the lab has no site {:?}", site.get_ref()));
                }
                Step::Parked { site: site.get_ref().clone(), space: v.get_ref().clone() }
            }
            "fails" => {
                let phone = p(c, s.fails.as_ref()?, "fails")?;
                let Some(status) = &s.status else {
                    c.error(
                        raw.span(),
                        key("status"),
                        "`fails` needs `status`: the SIP final status expected, e.g. 486",
                    );
                    continue;
                };
                Step::Fails { phone, status: *status.get_ref() as u16 }
            }
            "nobody_rings" => {
                let v = s.nobody_rings.as_ref()?;
                let sites: Vec<String> = v.get_ref().items().iter().map(|x| x.to_string()).collect();
                for site in &sites {
                    if lab.site(site).is_none() && site != OPERATOR {
                        c.error(v.span(), key("nobody_rings"), format!("the lab has no site {site:?}"));
                    }
                }
                let Some(caller) = last_caller.clone() else {
                    c.error(v.span(), key("nobody_rings"), "`nobody_rings` follows a `dial`");
                    continue;
                };
                Step::NobodyRings { caller, sites }
            }
            "audio" => {
                let v = s.audio.as_ref()?;
                let ids: Vec<PhoneId> =
                    v.get_ref().iter().filter_map(|x| phone(c, lab, x, v.span(), &key("audio"))).collect();
                if v.get_ref().len() != 2 {
                    c.error(v.span(), key("audio"), "`audio` names the two phones of a call");
                    continue;
                }
                let [a, b] = <[PhoneId; 2]>::try_from(ids).ok()?;
                Step::Audio { a, b }
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
                            key("blf"),
                            format!("unknown line state {other:?}"),
                            "one of: idle, ringing, in use",
                        );
                        continue;
                    }
                };
                Step::Blf { state }
            }
        };
        let says = s.says.clone().unwrap_or_else(|| describe(&step));
        steps.push(StepLine { step, says });
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
