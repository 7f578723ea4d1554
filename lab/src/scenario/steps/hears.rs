//! `hears`: what a phone hears now in its call: a site's music on hold, the
//! pre-answer (welcome) message or its absence, the refusal of voicemail
//! access, spoken prompts, the IVR menu, or a phone's tone. The music and the
//! welcome message are the site's shipped tones, or with `voice` a phone's
//! recording (a prompt recorded on 560). A graded site may play sounds of its
//! own instead of the lab's tones (see [`crate::scenario::audible`]).

use super::{StepKeys, StepKind};
use crate::gen::sounds;
use crate::scenario::audible::{self, Function};
use crate::scenario::audio::{self, Wav};
use crate::scenario::ctx::{Ctx, RING_TIMEOUT};
use crate::scenario::media::{AUDIO_SECONDS, HEADER, MESSAGE_SECONDS, MESSAGE_WITHIN};
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::phones::EventKind;
use crate::scenario::result::{fail, Failure};
use crate::scenario::rewrite::Rewrite;

/// Long enough for a menu's first sentence.
const SPEECH_SECONDS: f64 = 3.0;
/// A stored message may start with a prompt ("premier message").
const TONE_SECONDS: f64 = 3.5;

/// Sounds a check recognises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sound {
    /// A site's music on hold: its shipped tone, or the recording of `voice`.
    Music { site: String, voice: Option<PhoneId> },
    /// The pre-answer message of `site` (the called one, when said), before
    /// the called phone rings: the shipped tone, or the recording of `voice`.
    Welcome { site: Option<String>, voice: Option<PhoneId> },
    /// No pre-answer message: the call was not answered before ringing.
    NoWelcome,
    /// The message refusing voicemail access to trunk callers.
    Refusal,
    /// Another phone's tone: a stored message played back, for instance.
    ToneOf(PhoneId),
    /// The listener's own recording played back to it (560), after its last key.
    Playback,
    /// Spoken prompts (a voicemail menu): sound that is no lab tone.
    Speech,
    /// The IVR menu, from the start of the call or right after the last key pressed.
    Menu,
}

/// `{ hears = "music", phone = "operator/TM1" }`, `{ hears = "table1/patron1", phone = … }`,
/// `{ hears = "welcome", phone = "operator/TM1", voice = "table2/patron5" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hears {
    pub phone: PhoneId,
    pub what: Sound,
    /// The site plays sounds of its own choosing (a graded config): its music,
    /// welcome, refusal or menu passes as any sound that is neither silence nor
    /// ringback when it is not the lab's tone. Only grading sets it.
    pub own_sounds: bool,
}

impl StepKind for Hears {
    const ACTIONS: &'static [&'static str] = &["hears"];
    const KEYS: &'static [&'static str] = &["phone", "site", "voice"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let v = keys.text("hears")?;
        let listener = keys.required_phone("phone", "`hears` needs `phone`: who listens");
        let given = keys.text("site");
        let site = match &given {
            Some(x) => keys.site_of(x, "site").map(Some),
            None => Some(None),
        };
        let voice = keys.optional_phone("voice");
        let sound = v.get_ref().as_str();
        if !matches!(sound, "music" | "welcome") {
            let stray: Vec<(String, std::ops::Range<usize>)> =
                keys.names().into_iter().filter(|(k, _)| k == "site" || k == "voice").collect();
            for (key, span) in stray {
                keys.error_with_help(
                    span,
                    &key,
                    format!("`{key}` does not go with hears = {sound:?}"),
                    "`site` and `voice` say whose music or welcome message is heard",
                );
            }
        }
        let what = match sound {
            // The listener's own site's music, unless `site` names another.
            "music" => match (site?, &listener) {
                (Some(site), _) => Some(Sound::Music { site, voice: voice? }),
                (None, Some(l)) => Some(Sound::Music { site: l.site.clone(), voice: voice? }),
                (None, None) => None,
            },
            // A recorded message is its recorder's site's.
            "welcome" => {
                let voice = voice?;
                let site = site?.or_else(|| voice.as_ref().map(|p| p.site.clone()));
                Some(Sound::Welcome { site, voice })
            }
            "no welcome" => Some(Sound::NoWelcome),
            "refusal" => Some(Sound::Refusal),
            "speech" => Some(Sound::Speech),
            "menu" => Some(Sound::Menu),
            "playback" => Some(Sound::Playback),
            other if other.contains('/') => keys.phone_of(&v, "hears").map(Sound::ToneOf),
            other => {
                keys.error_with_help(
                    v.span(),
                    "hears",
                    format!("unknown sound {other:?}"),
                    "one of: music, welcome, no welcome, refusal, speech, menu, playback, or a phone (site/account) whose tone is heard",
                );
                None
            }
        };
        Some(Hears { phone: listener?, what: what?, own_sounds: false })
    }

    fn describe(&self) -> String {
        let phone = &self.phone;
        match &self.what {
            Sound::Music { site, voice: None } => format!("{phone} hears {site}'s music on hold"),
            Sound::Music { site, voice: Some(v) } => format!("{phone} hears {site}'s music on hold: {v}'s recording"),
            Sound::Welcome { voice: None, .. } => format!("{phone} hears the welcome message first"),
            Sound::Welcome { voice: Some(v), .. } => format!("{phone} hears the welcome message first: {v}'s recording"),
            Sound::NoWelcome => format!("{phone} hears no welcome message"),
            Sound::Refusal => format!("{phone} hears that voicemail access is refused"),
            Sound::ToneOf(other) => format!("{phone} hears {other}'s tone"),
            Sound::Speech => format!("{phone} hears spoken prompts"),
            Sound::Menu => format!("{phone} hears the menu"),
            Sound::Playback => format!("{phone} hears its recording played back"),
        }
    }

    fn resources(&self) -> Vec<Resource> {
        let prompts = match &self.what {
            Sound::Music { site, .. } | Sound::Welcome { site: Some(site), .. } => Some(site.clone()),
            _ => None,
        };
        std::iter::once((&self.phone).into()).chain(prompts.map(|site| Resource::Prompts { site })).collect()
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        let voice = |v: &Option<PhoneId>| v.as_ref().map(|p| r.phone(p));
        let what = match &self.what {
            Sound::Music { site, voice: v } => Sound::Music { site: r.site(site), voice: voice(v) },
            Sound::Welcome { site, voice: v } => Sound::Welcome { site: site.as_ref().map(|s| r.site(s)), voice: voice(v) },
            Sound::ToneOf(t) => Sound::ToneOf(r.phone(t)),
            other => other.clone(),
        };
        Hears { phone: r.phone(&self.phone), what, own_sounds: self.own_sounds }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let phone = &self.phone;
        match &self.what {
            Sound::Music { site, voice } => {
                let site = ctx.shared.lab.site(site).expect("checked site");
                let (hz, whose) = match voice {
                    Some(v) => (ctx.tone(v), format!(", {v}'s recording")),
                    None => (sounds::moh_hz(site), String::new()),
                };
                let wav = ctx.received(phone, AUDIO_SECONDS).await?;
                let others: Vec<u32> = std::iter::once(ctx.tone(phone))
                    .chain(ctx.peers.get(phone).map(|p| ctx.tone(p)))
                    .filter(|&other| other != hz)
                    .collect();
                let (ok, heard) = audio::hears(&wav, hz, &others);
                if ok {
                    Ok(())
                } else if self.own_sounds && voice.is_none() {
                    let known = audible::known(&[ctx.tone(phone)].into_iter().chain(others).collect::<Vec<_>>());
                    match audible::hears_other(&wav, &known) {
                        (true, _) => {
                            ctx.notes.push(Function::Music.note(hz));
                            Ok(())
                        }
                        (false, other) => Err(fail(own_expected(phone, Function::Music, hz), other.to_string())),
                    }
                } else {
                    Err(fail(format!("{phone} hears {}'s music on hold{whose} ({hz} Hz)", site.name), heard.to_string()))
                }
            }
            Sound::Speech => {
                let wav = ctx.received(phone, SPEECH_SECONDS).await?;
                let (own, heard) = audio::hears(&wav, ctx.tone(phone), &[]);
                if heard.seconds >= audio::MIN_SECONDS && !own {
                    Ok(())
                } else {
                    Err(fail(format!("{phone} hears spoken prompts"), heard.to_string()))
                }
            }
            Sound::ToneOf(other) => {
                let wav = ctx.received(phone, TONE_SECONDS).await?;
                let (ok, heard) = audio::hears(&wav, ctx.tone(other), &[ctx.tone(phone)]);
                if ok {
                    Ok(())
                } else {
                    Err(fail(format!("{phone} hears {other}'s {} Hz tone", ctx.tone(other)), heard.to_string()))
                }
            }
            Sound::Playback => {
                // Right after the key that ended the recording.
                let (hz, since) = (ctx.tone(phone), ctx.keyed_at.get(phone).copied().unwrap_or(HEADER));
                match ctx.message(phone, since, hz).await? {
                    (true, _) => Ok(()),
                    (false, heard) => Err(fail(
                        format!("{phone} hears its recording ({hz} Hz, {MESSAGE_SECONDS} s within {MESSAGE_WITHIN} s)"),
                        heard.to_string(),
                    )),
                }
            }
            Sound::Refusal | Sound::Menu => {
                let (what, hz, function) = match &self.what {
                    Sound::Refusal => ("the refusal message", sounds::REFUSED_HZ, Function::Refusal),
                    _ => ("the menu", sounds::MENU_HZ, Function::Menu),
                };
                if ctx.wait_seen(RING_TIMEOUT, |e| Ctx::is(e, phone, EventKind::CallEstablished)).await.is_none() {
                    return Err(fail(format!("{phone} hears {what}"), "the call was not answered"));
                }
                // From the answer, or from the last key pressed: what follows it.
                let since = ctx.keyed_at.get(phone).copied().unwrap_or(HEADER);
                if self.own_sounds {
                    return own_message(ctx, phone, since, hz, function).await;
                }
                match ctx.message(phone, since, hz).await? {
                    (true, _) => Ok(()),
                    (false, heard) => Err(fail(
                        format!("{phone} hears {what} ({hz} Hz, {MESSAGE_SECONDS} s within {MESSAGE_WITHIN} s)"),
                        heard.to_string(),
                    )),
                }
            }
            Sound::Welcome { voice, .. } => {
                let (hz, whose) = match voice {
                    Some(v) => (ctx.tone(v), format!(", {v}'s recording")),
                    None => (sounds::WELCOME_HZ, String::new()),
                };
                // The IPBX answers trunk calls to play the message: the caller's
                // call is established before any phone rings.
                ctx.drain();
                if ctx.wait_seen(RING_TIMEOUT, |e| Ctx::is(e, phone, EventKind::CallEstablished)).await.is_none() {
                    return Err(fail(
                        format!("{phone} hears the welcome message before the phone rings"),
                        "the call was not answered before ringing: no message was played",
                    ));
                }
                if self.own_sounds && voice.is_none() {
                    return own_message(ctx, phone, HEADER, hz, Function::Welcome).await;
                }
                match ctx.message(phone, HEADER, hz).await? {
                    (true, _) => Ok(()),
                    (false, heard) => {
                        Err(fail(format!("{phone} hears the {hz} Hz welcome message{whose}"), heard.to_string()))
                    }
                }
            }
            Sound::NoWelcome => {
                ctx.drain();
                if ctx.log.iter().any(|e| Ctx::is(e, phone, EventKind::CallEstablished)) {
                    Err(fail(format!("{phone}'s call is not answered before the phone rings"), "the IPBX answered it first"))
                } else {
                    Ok(())
                }
            }
        }
    }
}

/// What a check on a site's own sounds expects.
fn own_expected(phone: &PhoneId, function: Function, lab_hz: u32) -> String {
    format!("{phone} hears {}: the lab's {lab_hz} Hz tone or a sound of the site's own, not silence or ringback", function.sound())
}

/// A message of `function` after byte `since`: the lab's `lab_hz` tone, or else a sound of
/// the site's own, said in a note.
async fn own_message(
    ctx: &mut Ctx<'_, '_>,
    phone: &PhoneId,
    since: u64,
    lab_hz: u32,
    function: Function,
) -> Result<(), Failure> {
    let own = ctx.tone(phone);
    let known = audible::known(&[own]);
    // Listening stops early on the lab's tone only: a config playing it passes as it always
    // did, without a note, even when another sound comes first (the menu after a prompt).
    let judge = |wav: &Wav| {
        let (ok, _) = audio::hears_message(wav, lab_hz, &[own], MESSAGE_SECONDS);
        (ok, audible::hears_other_message(wav, &known, MESSAGE_SECONDS))
    };
    match ctx.listen(phone, since, judge).await? {
        (true, _) => Ok(()),
        (false, (true, _)) => {
            ctx.notes.push(function.note(lab_hz));
            Ok(())
        }
        (false, (false, other)) => Err(fail(own_expected(phone, function, lab_hz), other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Lab;

    fn parsed(step: &str) -> Result<Hears, String> {
        let text = format!("title = \"t\"\n[[flow]]\nsays = \"s\"\nsteps = [\n{step}\n]\n");
        let scenario = crate::scenario::parse("t.toml", "t", &text, &Lab::sae()).map_err(|e| e.to_string())?;
        match &scenario.checks[0].steps[0].step {
            crate::scenario::Step::Hears(h) => Ok(h.clone()),
            other => panic!("not a hears step: {other:?}"),
        }
    }

    fn phone(id: &str) -> PhoneId {
        let (site, account) = id.split_once('/').expect("site/account");
        PhoneId { site: site.into(), account: account.into() }
    }

    #[test]
    fn a_recorded_message_is_its_recorders_sites_and_holds_its_prompts() {
        let h = parsed(r#"{ hears = "welcome", phone = "operator/TM1", voice = "table2/patron7" }"#).unwrap();
        assert_eq!(h.what, Sound::Welcome { site: Some("table2".into()), voice: Some(phone("table2/patron7")) });
        assert!(h.resources().contains(&Resource::Prompts { site: "table2".into() }));
        let h = parsed(r#"{ hears = "music", phone = "table2/assistant6", voice = "table2/secretaire6" }"#).unwrap();
        assert_eq!(h.what, Sound::Music { site: "table2".into(), voice: Some(phone("table2/secretaire6")) });
        // The shipped message, of a site said or not.
        let h = parsed(r#"{ hears = "welcome", phone = "operator/TM1", site = "table3" }"#).unwrap();
        assert!(h.resources().contains(&Resource::Prompts { site: "table3".into() }));
        let h = parsed(r#"{ hears = "welcome", phone = "operator/TM1" }"#).unwrap();
        assert_eq!(h.resources(), [Resource::Phone(phone("operator/tm1"))]);
    }

    #[test]
    fn site_and_voice_go_with_music_and_welcome_only() {
        let err = parsed(r#"{ hears = "refusal", phone = "operator/TM1", voice = "table1/patron1" }"#).unwrap_err();
        assert!(err.contains("`voice` does not go with hears = \"refusal\""), "{err}");
        let err = parsed(r#"{ hears = "welcome", phone = "operator/TM1", voice = "table1/nobody" }"#).unwrap_err();
        assert!(err.contains("site table1 has no phone \"nobody\""), "{err}");
        let err = parsed(r#"{ hears = "welcome", phone = "operator/TM1", site = "table9" }"#).unwrap_err();
        assert!(err.contains("the lab has no site \"table9\""), "{err}");
    }
}
