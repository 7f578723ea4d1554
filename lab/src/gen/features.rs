//! A site's telephone functions (SAE part III): DTMF features, transfer keys,
//! parking, pickup, music on hold.
//!
//! Every in-call code starts with `#`, so digits and `*` pass through to
//! whatever the caller talks to (an IVR, voicemail) untouched.

use super::{header, prompts, sounds};
use crate::model::{Lab, Site};

/// In-call DTMF codes, as documented in the README's cheat-sheet.
pub const BLIND_TRANSFER: &str = "#1";
pub const ATTENDED_TRANSFER: &str = "#2";
pub const RECORD: &str = "#3";
pub const PARK: &str = "#5";
/// Followed by a role digit: hand the other party to this cabinet's patron (1),
/// assistant (2), secretary (3).
pub const CABINET_TRANSFER_PREFIX: &str = "#6";
/// Dialled to answer a ringing phone of one's own pickup group.
pub const PICKUP: &str = "*8";
pub const PARKING_LOT: u16 = 700;
pub const PARKING_FIRST: u16 = 701;
pub const PARKING_LAST: u16 = 720;
/// Seconds before an unclaimed parked call rings its parker again.
pub const PARKING_SECONDS: u32 = 20;

/// Names of the cabinet-transfer features, as `DYNAMIC_FEATURES` lists them.
pub fn cabinet_features(lab: &Lab) -> String {
    lab.roles.iter().map(|r| format!("to-{}", r.name)).collect::<Vec<_>>().join("#")
}

pub fn features_conf(lab: &Lab) -> String {
    let mut s = header("In-call features (DTMF codes) and the cabinet transfer keys");
    s.push_str(&format!(
        "[general]\n\
         ; Digits allowed between the keys of a code.\n\
         featuredigittimeout = 1500\n\
         transferdigittimeout = 3\n\
         ; Dialled, it answers a ringing phone of the caller's pickup group\n\
         ; (endpoint pickup_group); chan_pjsip handles it before the dialplan,\n\
         ; and refuses it (403) to a phone with nothing to pick up.\n\
         pickupexten = {PICKUP}\n\n\
         ; Enabled per call by the Dial options t/T (transfer), x/X (record), k/K (park).\n\
         [featuremap]\n\
         blindxfer = {BLIND_TRANSFER}\n\
         atxfer = {ATTENDED_TRANSFER}\n\
         automixmon = {RECORD}\n\
         parkcall = {PARK}\n\n\
         ; Hand the other party to a colleague of the presser's cabinet; enabled on\n\
         ; site phones by their endpoint's DYNAMIC_FEATURES (not on trunk calls).\n\
         [applicationmap]\n"
    ));
    for r in &lab.roles {
        s.push_str(&format!(
            "to-{name} => {CABINET_TRANSFER_PREFIX}{digit},self,Gosub(cabinet-transfer,s,1({digit}))\n",
            name = r.name,
            digit = r.digit
        ));
    }
    s
}

pub fn res_parking_conf() -> String {
    header("Call parking: park with the in-call code, retrieve by dialling the space")
        + &format!(
            "[general]\n\n\
         [default]\n\
         parkext => {PARKING_LOT}\n\
         parkpos => {PARKING_FIRST}-{PARKING_LAST}\n\
         context => parkedcalls\n\
         findslot => first\n\
         parkingtime => {PARKING_SECONDS}\n\
         ; An unclaimed call rings whoever parked it.\n\
         comebacktoorigin = yes\n"
        )
}

pub fn musiconhold_conf(site: Option<&Site>) -> String {
    let mut s = header("Music on hold");
    s.push_str("[default]\nmode = files\ndirectory = moh\nsort = alpha\n");
    if let Some(site) = site {
        s.push_str(&format!(
            "\n; {name}'s own music: the site's prompt, on its volume. Recorded on {record}\n\
             ; or installed by `lab prompt`; until then a {hz} Hz tone, so a check can\n\
             ; tell it from silence.\n\
             [{name}]\nmode = files\ndirectory = {dir}\n",
            name = site.name,
            record = prompts::RECORD,
            hz = sounds::moh_hz(site),
            dir = prompts::hold_dir(),
        ));
    }
    s
}
