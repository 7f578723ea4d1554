//! Scenarios: end-to-end checks a student can read, run against a live lab.
//!
//! A scenario file (`scenarios/*.toml`) is checked against the lab into
//! [`Scenario`]s made of [`Check`]s; each check is a list of [`Step`]s acting
//! as phones and expecting what a user would observe.

pub mod audio;
mod blf;
mod breakage;
mod check;
mod file;
mod flow;
pub mod hints;
mod media;
mod messaging;
mod pcap;
pub mod phones;
pub mod report;
mod runner;
mod sipp;
pub mod soak;
mod voicemail;

use std::fmt;

pub use breakage::{Change, ChangeKind};
pub use file::{load_dir, parse};
pub use runner::{run, CheckResult, Failure, RunError, RunOptions, RunReport};

/// A phone of the lab, as scenario files name it: `table1/patron1`, `operator/TM1`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PhoneId {
    /// Site name, or `operator` for the test phones.
    pub site: String,
    /// SIP account (`patron1`, `tm1`).
    pub account: String,
}

impl fmt::Display for PhoneId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.site, self.account)
    }
}

/// Line state seen by a BLF subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlfState {
    Idle,
    Ringing,
    InUse,
}

impl fmt::Display for BlfState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BlfState::Idle => "idle",
            BlfState::Ringing => "ringing",
            BlfState::InUse => "in use",
        })
    }
}

/// One action or observation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `from` dials `number` (as typed on its keypad).
    Dial { from: PhoneId, number: String },
    /// `phone` rings, called by `from` (the last caller when not given); with
    /// `alert`, the ring class its Alert-Info header carries.
    Rings { phone: PhoneId, from: Option<PhoneId>, alert: Option<String> },
    /// `phone` is in a call with `with` without answering (a parked call
    /// retrieved, a call picked up).
    Connected { phone: PhoneId, with: PhoneId },
    /// `phone` answers its ringing call; both ends are then in the call.
    Answer { phone: PhoneId },
    /// The call `phone` made ends with this SIP final status.
    Fails { phone: PhoneId, status: u16 },
    /// No phone of these sites rang for `caller`'s call.
    NobodyRings { caller: PhoneId, sites: Vec<String> },
    /// Each of the two phones hears the other's tone.
    Audio { a: PhoneId, b: PhoneId },
    /// `phone` hangs up its call; the other end is released too.
    Hangup { phone: PhoneId },
    /// `phone`'s call was ended by the other side or the IPBX (the transferer is free).
    Ended { phone: PhoneId },
    /// `phone` keys DTMF digits into its call.
    Dtmf { phone: PhoneId, digits: String },
    /// `phone` puts its call on hold.
    Hold { phone: PhoneId },
    /// `phone` takes its call off hold.
    Resume { phone: PhoneId },
    /// `phone` transfers its call to `number` (SIP REFER, blind).
    Transfer { phone: PhoneId, number: String },
    /// What `phone` hears now in its call.
    Hears { phone: PhoneId, what: Sound },
    /// The IPBX of `a`'s site recorded the call between `a` and `b`, both voices in the file.
    Recorded { a: PhoneId, b: PhoneId },
    /// The site's parking lot holds a call at `space`.
    Parked { site: String, space: String },
    /// `phone`'s call is answered by the IPBX itself (voicemail, a message, a menu).
    Answered { phone: PhoneId },
    /// `phone`, answered by voicemail, leaves a message in `site`'s box
    /// `mailbox`; the stored message holds its tone.
    LeavesMessage { phone: PhoneId, site: String, mailbox: String },
    /// `phone` is told whether messages wait in its box (MWI NOTIFY).
    Mwi { phone: PhoneId, waiting: bool },
    /// `phone`'s e-mail box receives the voicemail `from` left, its audio
    /// attached and holding `from`'s tone.
    Mailed { phone: PhoneId, from: PhoneId },
    /// The check starts from an empty box (`site`'s box `mailbox`).
    EmptyBox { site: String, mailbox: String },
    /// `phone` subscribes to the line state of `extension`: `Event: dialog` as
    /// a BLF key does, or `Event: presence` as a softphone's buddy list does.
    Watch { phone: PhoneId, extension: String, presence: bool },
    /// `phone` sends an instant message (SIP MESSAGE) to `to`; the IPBX
    /// answers `status` (202 accepted, 404 no such number).
    SendMessage { phone: PhoneId, to: String, text: String, status: u16 },
    /// `phone` receives `text`, from `from` when given (shown by the number
    /// that reaches it back).
    Receives { phone: PhoneId, text: String, from: Option<PhoneId> },
    /// The BLF subscriber sees `state`.
    Blf { state: BlfState },
}

/// Sounds a check recognises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sound {
    /// A site's music on hold.
    Music { site: String },
    /// The pre-answer message, before the called phone rings.
    Welcome,
    /// No pre-answer message: the call was not answered before ringing.
    NoWelcome,
    /// The message refusing voicemail access to trunk callers.
    Refusal,
    /// Another phone's tone: a stored message played back, for instance.
    ToneOf(PhoneId),
    /// Spoken prompts (a voicemail menu): sound that is no lab tone.
    Speech,
    /// The IVR menu, from the start of the call or right after the last key pressed.
    Menu,
}

/// A step with what it means to a student.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepLine {
    pub step: Step,
    pub says: String,
}

/// One named check: a sequence of steps, pass or fail as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub says: String,
    /// The same sentence in French (`fr` in the file), for French reports.
    pub says_fr: Option<String>,
    pub steps: Vec<StepLine>,
    /// Where it is written, for reports (`scenarios/x.toml:12`).
    pub place: String,
}

impl Check {
    /// Every phone the check acts as, so concurrent checks never share one.
    pub fn phones(&self) -> std::collections::BTreeSet<PhoneId> {
        self.steps
            .iter()
            .flat_map(|s| match &s.step {
                Step::Dial { from, .. } => vec![from.clone()],
                Step::Rings { phone, from, .. } => std::iter::once(phone.clone()).chain(from.clone()).collect(),
                Step::Answer { phone } | Step::Fails { phone, .. } => vec![phone.clone()],
                Step::Hangup { phone } | Step::Watch { phone, .. } | Step::Ended { phone } => vec![phone.clone()],
                Step::SendMessage { phone, .. } | Step::Receives { phone, .. } => vec![phone.clone()],
                Step::Mailed { phone, from } => vec![phone.clone(), from.clone()],
                Step::Dtmf { phone, .. } | Step::Hold { phone } | Step::Resume { phone } => vec![phone.clone()],
                Step::Transfer { phone, .. } | Step::Hears { phone, .. } => vec![phone.clone()],
                Step::Answered { phone } | Step::Mwi { phone, .. } => vec![phone.clone()],
                // A box is shared by whoever leaves a message in it.
                Step::LeavesMessage { phone, site, mailbox } => {
                    vec![phone.clone(), PhoneId { site: site.clone(), account: format!("#box{mailbox}") }]
                }
                Step::EmptyBox { site, mailbox } => {
                    vec![PhoneId { site: site.clone(), account: format!("#box{mailbox}") }]
                }
                Step::Audio { a, b } | Step::Recorded { a, b } => vec![a.clone(), b.clone()],
                Step::Connected { phone, with } => vec![phone.clone(), with.clone()],
                Step::NobodyRings { caller, .. } => vec![caller.clone()],
                // A parking lot is shared by the site: one check at a time uses it.
                Step::Parked { site, .. } => vec![PhoneId { site: site.clone(), account: "#parking".into() }],
                Step::Blf { .. } => vec![],
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// File stem: what `scenario run NAME` selects.
    pub name: String,
    pub title: String,
    /// SAE part (I, II, III, IV…), for grouping.
    pub part: Option<String>,
    pub checks: Vec<Check>,
}
