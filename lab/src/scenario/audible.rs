//! Hearing a sound of a site's own choosing. A graded config plays what it
//! likes where the SAE expects a function (Asterisk's music on hold, its own
//! recorded welcome, a stock prompt refusing a call), and no lab tone names
//! it: what counts then is sound that is neither silence nor a known tone,
//! the ringback Asterisk plays while a phone rings or a phone's own tone.
//!
//! The windows, the silence floor and the shares are those of [`super::audio`],
//! measured there on a loaded machine; nothing here is tuned apart.

use std::fmt;

use super::audio::{dbfs, goertzel_power, scan, Wav, MIN_HELD, MIN_SECONDS, MIN_SHARE, SILENCE_DBFS};
use super::result::Note;

/// Ringing tones Asterisk plays from indications.conf (its busy and congestion
/// tones use the same frequencies): France (the lab's, 440 Hz), most of Europe
/// (425 Hz), the United States, Asterisk's default country (440 + 480 Hz), and
/// the United Kingdom (400 + 450 Hz).
pub const RINGBACK: [&[u32]; 4] = [&[440], &[425], &[440, 480], &[400, 450]];

/// The tones a site's own sound is not: every ringback, and the phones' `tones`
/// (the listener's own coming back, the other party's).
pub fn known(tones: &[u32]) -> Vec<Vec<u32>> {
    RINGBACK.iter().map(|t| t.to_vec()).chain(tones.iter().map(|&hz| vec![hz])).collect()
}

/// A function the SAE expects a site to play a sound for, which the lab plays
/// with a tone and a graded config with whatever it chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// Music on hold.
    Music,
    /// The message trunk callers hear before the phone rings.
    Welcome,
    /// The message refusing voicemail access to trunk callers.
    Refusal,
    /// The IVR's menu.
    Menu,
}

impl Function {
    /// What is heard, as a check expects it.
    pub fn sound(self) -> &'static str {
        match self {
            Function::Music => "music on hold",
            Function::Welcome => "a welcome message before the phone rings",
            Function::Refusal => "a message refusing voicemail access",
            Function::Menu => "the menu",
        }
    }

    /// How the check passed on a sound of the site's own, where the lab plays `lab_hz`.
    pub fn note(self, lab_hz: u32) -> Note {
        let (en, own, fr, own_fr) = match self {
            Function::Music => (
                "music heard on hold",
                "your own music on hold",
                "musique entendue en attente",
                "votre propre musique d'attente",
            ),
            Function::Welcome => (
                "a message heard before the phone rings",
                "your own welcome message",
                "un message entendu avant que le poste ne sonne",
                "votre propre message d'accueil",
            ),
            Function::Refusal => (
                "a message heard on refusal",
                "your own refusal message",
                "un message entendu au refus",
                "votre propre message de refus",
            ),
            Function::Menu => {
                ("a menu heard", "your own menu prompt", "un menu entendu", "votre propre annonce de menu")
            }
        };
        Note {
            en: format!("{en} (not the lab's {lab_hz} Hz tone: {own})"),
            fr: format!("{fr} (pas la tonalité du labo à {lab_hz} Hz : {own_fr})"),
        }
    }
}

/// What a recording holds besides known tones.
#[derive(Debug, Clone, PartialEq)]
pub struct Other {
    /// RMS (full scale = 1.0) of the non-silent windows, or of the whole analysed part if none.
    pub rms: f64,
    /// Seconds of non-silent audio analysed.
    pub seconds: f64,
    /// Share (0..1) of the non-silent windows no known tone carries.
    pub held: f64,
    /// Seconds of the longest stretch of such sound, across dropouts up to [`super::audio::MAX_DROPOUT_SECONDS`].
    pub longest: f64,
    /// The known tone carrying the most windows, if any does.
    pub known: Option<Vec<u32>>,
}

impl fmt::Display for Other {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let db = dbfs(self.rms);
        if db < SILENCE_DBFS {
            return write!(f, "silence (RMS {db:.0} dBFS)");
        }
        write!(f, "{:.1} s of audio, RMS {db:.0} dBFS", self.seconds)?;
        if self.seconds > 0.0 {
            write!(f, "; {:.0}% of it neither a lab tone nor ringback", 100.0 * self.held)?;
            if self.longest > 0.0 {
                write!(f, ", {:.1} s at most in a row", self.longest)?;
            }
        }
        match &self.known {
            Some(tone) => {
                let hz: Vec<String> = tone.iter().map(u32::to_string).collect();
                write!(f, "; the rest is a {} Hz tone", hz.join(" + "))
            }
            None => Ok(()),
        }
    }
}

/// Whether `wav` holds a sound of its own as what its phone hears throughout (music on hold):
/// at least [`MIN_SECONDS`] of audio louder than [`SILENCE_DBFS`], in at least [`MIN_HELD`] of
/// its non-silent windows none of the `known` tones carrying [`MIN_SHARE`] of the power, and as
/// long in a row. Silence, ringback and a phone's tone fail.
#[must_use]
pub fn hears_other(wav: &Wav, known: &[Vec<u32>]) -> (bool, Other) {
    let other = analyse(wav, known);
    let ok = other.seconds >= MIN_SECONDS && other.held >= MIN_HELD && other.longest >= MIN_SECONDS;
    (ok, other)
}

/// Whether `wav` holds a message of its own (a prompt the IPBX plays) lasting at least `seconds`
/// in a row, whatever comes before or after it (silence, ringing).
#[must_use]
pub fn hears_other_message(wav: &Wav, known: &[Vec<u32>], seconds: f64) -> (bool, Other) {
    let other = analyse(wav, known);
    (other.longest >= seconds, other)
}

/// The windows of [`super::audio`]: after the set-up, 120 ms every 20 ms, the silent ones
/// dropped; a window is a known tone's when its frequencies together carry [`MIN_SHARE`].
fn analyse(wav: &Wav, known: &[Vec<u32>]) -> Other {
    let rate = wav.rate.max(1);
    let mut carried = vec![0usize; known.len()];
    let scan = scan(wav, |buf, power| {
        let share =
            |tone: &Vec<u32>| tone.iter().map(|&hz| goertzel_power(buf, rate, f64::from(hz))).sum::<f64>() / power;
        // The first that carries it: 440 Hz alone is France's ringback, not the US one missing 480 Hz.
        match known.iter().position(|tone| share(tone) >= MIN_SHARE) {
            Some(i) => {
                carried[i] += 1;
                false
            }
            None => true,
        }
    });
    let most = carried.iter().enumerate().filter(|(_, &n)| n > 0).max_by_key(|(_, &n)| n);
    Other {
        rms: scan.rms,
        seconds: scan.seconds,
        held: scan.held(),
        longest: scan.longest,
        known: most.map(|(i, _)| known[i].clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::audio::synth::*;
    use super::*;

    /// A chord changing every 250 ms, as music does, under a little noise.
    fn music(seconds: f64) -> Vec<f32> {
        let chords = [[262.0, 330.0, 392.0], [294.0, 370.0, 440.0], [196.0, 247.0, 294.0], [349.0, 440.0, 523.0]];
        let notes: Vec<f32> = chords
            .iter()
            .cycle()
            .take((seconds / 0.25).ceil() as usize)
            .flat_map(|c| c.iter().map(|&hz| tone(hz, 0.1, 0.25)).reduce(|a, b| mix(&a, &b)).unwrap_or_default())
            .collect();
        mix(&notes, &noise(notes.len(), 0.01))
    }

    /// The ringback of `tone`, 1.5 s on, 3.5 s off (France's cadence), over `seconds`.
    fn ringback(tone: &[u32], seconds: f64) -> Vec<f32> {
        let on = tone.iter().map(|&hz| tone_of(hz, 1.5)).reduce(|a, b| mix(&a, &b)).unwrap_or_default();
        let mut out = [on, silence(3.5)].concat();
        out.truncate((seconds * f64::from(RATE)) as usize);
        out
    }

    fn tone_of(hz: u32, seconds: f64) -> Vec<f32> {
        tone(f64::from(hz), 0.2, seconds)
    }

    fn lab() -> Vec<Vec<u32>> {
        known(&[700, 725])
    }

    #[test]
    fn music_and_noise_are_heard_as_a_sound_of_its_own() {
        let (ok, other) = hears_other(&wav(music(2.0)), &lab());
        assert!(ok && other.held > 0.9, "{other}");
        let (ok, other) = hears_other(&wav(noise(16000, 0.1)), &lab());
        assert!(ok && other.held > 0.99, "{other}");
        // Through G.711 and with the dropouts measured under load.
        let coded: Vec<f32> = lose(music(2.0), [3, 20, 21, 40, 41, 42, 43]).into_iter().map(g711).collect();
        assert!(hears_other(&wav(coded), &lab()).0);
        // The lab's own tones are sounds too: a site's music heard as a lab tone also passes.
        assert!(hears_other(&wav(tone(3050.0, 0.2, 2.0)), &lab()).0);
    }

    #[test]
    fn silence_fails_and_says_silence() {
        for samples in [silence(2.0), noise(16000, 0.001)] {
            let (ok, other) = hears_other(&wav(samples.clone()), &lab());
            assert!(!ok && other.to_string().starts_with("silence (RMS"), "{other}");
            assert!(!hears_other_message(&wav(samples), &lab(), 1.0).0);
        }
    }

    #[test]
    fn ringback_alone_fails_whatever_the_country() {
        for tone in RINGBACK {
            let (ok, other) = hears_other_message(&wav(ringback(tone, 4.0)), &lab(), 1.0);
            assert!(!ok && other.known.as_deref() == Some(tone), "{tone:?}: {other}");
            assert!(!hears_other(&wav(ringback(tone, 2.0)), &lab()).0, "{tone:?}");
        }
        let text = hears_other_message(&wav(ringback(&[440, 480], 4.0)), &lab(), 1.0).1.to_string();
        assert!(text.contains("% of it neither a lab tone nor ringback, 0.2 s at most in a row"), "{text}");
        assert!(text.ends_with("; the rest is a 440 + 480 Hz tone"), "{text}");
    }

    #[test]
    fn a_phones_tone_is_no_sound_of_the_site() {
        // The other party's tone (hold did not stop it), or one's own coming back.
        let (ok, other) = hears_other(&wav(tone(725.0, 0.3, 2.0)), &lab());
        assert!(!ok && other.known == Some(vec![725]), "{other}");
        assert!(!hears_other(&wav(tone(700.0, 0.05, 2.0)), &lab()).0);
    }

    /// A prompt of its own after the answer, then the ringback: the message is heard; a
    /// feature code's beep of 0.3 s before the ringback is not a message.
    #[test]
    fn a_message_before_the_ringback_is_heard_and_a_beep_is_not() {
        let message = [silence(0.44), speech(1.5), ringback(&[440], 2.0)].concat();
        let (ok, other) = hears_other_message(&wav(message), &lab(), 1.0);
        assert!(ok && other.longest > 1.4, "{other}");
        let beep = [silence(0.44), tone(1000.0, 0.8, 0.3), ringback(&[440], 3.3)].concat();
        let (ok, other) = hears_other_message(&wav(beep), &lab(), 1.0);
        assert!(!ok, "{other}");
    }

    #[test]
    fn music_mostly_drowned_by_a_phones_tone_fails() {
        let samples = [music(0.6), tone(725.0, 0.3, 1.4)].concat();
        let (ok, other) = hears_other(&wav(samples), &lab());
        assert!(!ok && other.held < MIN_HELD, "{other}");
    }
}
