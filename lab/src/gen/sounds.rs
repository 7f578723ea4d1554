//! The lab's own audio: tones Asterisk plays natively (8 kHz 16-bit WAV) and
//! that a check can recognise by frequency. The music on hold and the
//! pre-answer message are the site's prompts (see [`super::prompts`]), these
//! tones until the site records or installs its own.

use crate::model::Site;

/// Folder (inside a site's Asterisk config) holding the lab's sounds.
pub const DIR: &str = "lab-sounds";
/// The shipped message trunk callers hear before the phone rings.
pub const WELCOME_HZ: u32 = 2850;
/// The message a trunk caller hears when trying to reach voicemail access.
pub const REFUSED_HZ: u32 = 2800;
/// The signature of the IVR menu, before its spoken prompt.
pub const MENU_HZ: u32 = 2900;
pub const WELCOME_SECONDS: f64 = 1.5;
pub const MOH_SECONDS: f64 = 10.0;

/// Shipped music on hold of a site: a tone of its own, 3000 Hz for site 1 up to 3950 Hz for site 20
/// (3400 Hz for site 9), then 3025 Hz up to 3975 Hz for sites 21 to 40, below 4000 Hz (half
/// of G.711's 8 kHz); further sites take the same tones again.
pub fn moh_hz(site: &Site) -> u32 {
    let i = (u32::from(site.index) - 1) % 40;
    3000 + 50 * (i % 20) + 25 * (i / 20)
}

/// Files under the site's config folder: path (relative to /etc/asterisk) and
/// bytes; the prompts a site may replace are [`super::prompts::shipped`].
pub fn files() -> Vec<(String, Vec<u8>)> {
    vec![
        (format!("{DIR}/refused.wav"), tone_wav(REFUSED_HZ, WELCOME_SECONDS)),
        (format!("{DIR}/menu.wav"), tone_wav(MENU_HZ, WELCOME_SECONDS)),
    ]
}

/// A sine at `hz` for `seconds`, 8 kHz mono 16-bit PCM, at -12 dBFS peak.
pub fn tone_wav(hz: u32, seconds: f64) -> Vec<u8> {
    const RATE: u32 = 8000;
    let n = (seconds * f64::from(RATE)) as u32;
    let mut data = Vec::with_capacity(n as usize * 2);
    for i in 0..n {
        let t = f64::from(i) / f64::from(RATE);
        let v = (0.25 * (2.0 * std::f64::consts::PI * f64::from(hz) * t).sin() * f64::from(i16::MAX)) as i16;
        data.extend_from_slice(&v.to_le_bytes());
    }
    let mut wav = Vec::with_capacity(44 + data.len());
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&RATE.to_le_bytes());
    wav.extend_from_slice(&(RATE * 2).to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&(data.len() as u32).to_le_bytes());
    wav.extend_from_slice(&data);
    wav
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::audio;

    #[test]
    fn generated_tones_are_heard_as_what_they_are() {
        let wav = audio::parse_wav(&tone_wav(3050, 2.0)).expect("a valid WAV");
        assert_eq!(wav.rate, 8000);
        let (ok, heard) = audio::hears(&wav, 3050, &[3000, 3100, WELCOME_HZ]);
        assert!(ok, "{heard}");
        let (ok, _) = audio::hears(&wav, 3000, &[3050]);
        assert!(!ok);
    }
}
