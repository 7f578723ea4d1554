//! Tone analysis of softphone recordings: the proof that audio crossed a call.
//!
//! Each softphone sends a sine at its own frequency and records what it receives, so a call carries
//! media both ways only when each recording holds the other side's tone. Packet counters are fooled
//! by silence, one-way audio or the wrong stream; the recorded content is not.

use std::f64::consts::PI;
use std::fmt;

/// The first part of a recording is call set-up and jitter-buffer fill, not steady media.
const SKIP_SECONDS: f64 = 0.2;
/// 120 ms holds a whole number of cycles of every tone on the 25 Hz lab grid (3 per 25 Hz step),
/// so neighbouring lab tones do not leak into each other's Goertzel bins. It also means a tone more
/// than about 3 Hz off the expected frequency does not count: ausine tones are exact.
const WINDOW_SECONDS: f64 = 0.12;
/// Windows quieter than this (RMS relative to full-scale amplitude) are silence: G.711 idle codes
/// (below -70 dBFS), comfort noise, hold. baresip's ausine plays at -15 dBFS RMS, 30 dB above.
pub const SILENCE_DBFS: f64 = -45.0;
/// Less non-silent audio than this is a glitch or a call torn down early, not a verdict.
pub const MIN_SECONDS: f64 = 0.5;
/// The expected tone must clearly carry most of the power: two equal tones (0.5 each) fail, while
/// G.711 noise (share ~0.999), 10 dB SNR noise (~0.9) or an echo 20 dB down (~0.99) pass easily.
pub const MIN_SHARE: f64 = 0.6;

/// Decoded mono samples (first channel if several) and their rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Wav {
    pub rate: u32,
    /// -1.0..1.0
    pub samples: Vec<f32>,
}

#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("not a WAV file (no RIFF/WAVE header)")]
    NotWav,
    #[error("WAV file has no \"{0}\" chunk")]
    MissingChunk(&'static str),
    #[error("WAV \"fmt \" chunk is invalid: {0}")]
    BadFormat(&'static str),
    #[error("unsupported WAV encoding (format tag {tag}, {bits} bits); need 16-bit PCM or 8-bit mu-law/a-law")]
    Unsupported { tag: u16, bits: u16 },
    #[error("WAV file holds no complete sample (too short)")]
    TooShort,
}

/// Parses a WAV file, trusting the "fmt " chunk but not the RIFF or data sizes: a recorder still
/// writing leaves them 0 or stale, so everything after the "data" header up to the end is audio.
pub fn parse_wav(bytes: &[u8]) -> Result<Wav, AudioError> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(AudioError::NotWav);
    }
    let at16 = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let at32 = |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let (mut fmt, mut pos) = (None, 12);
    while pos + 8 <= bytes.len() {
        let (id, size, body) = (&bytes[pos..pos + 4], at32(pos + 4) as usize, pos + 8);
        if id == b"data" {
            return decode(fmt.ok_or(AudioError::MissingChunk("fmt "))?, &bytes[body..]);
        }
        let end = body.checked_add(size).filter(|&e| e <= bytes.len());
        let end = end.ok_or(AudioError::MissingChunk("data"))?;
        if id == b"fmt " {
            if size < 16 {
                return Err(AudioError::BadFormat("shorter than 16 bytes"));
            }
            // WAVE_FORMAT_EXTENSIBLE: the sub-format GUID starts with the real format tag.
            let tag = match at16(body) {
                0xFFFE if size >= 26 => at16(body + 24),
                tag => tag,
            };
            let (channels, rate, bits) = (usize::from(at16(body + 2)), at32(body + 4), at16(body + 14));
            if channels == 0 || rate == 0 {
                return Err(AudioError::BadFormat("zero channels or zero sample rate"));
            }
            fmt = Some((tag, channels, rate, bits));
        }
        pos = end + (size & 1); // chunks are padded to an even length
    }
    Err(AudioError::MissingChunk(if fmt.is_some() { "data" } else { "fmt " }))
}

/// Decodes the audio after the "data" header with the (tag, channels, rate, bits) of "fmt ".
fn decode((tag, channels, rate, bits): (u16, usize, u32, u16), data: &[u8]) -> Result<Wav, AudioError> {
    let width = match (tag, bits) {
        (1, 16) => 2,
        (6 | 7, 8) => 1,
        _ => return Err(AudioError::Unsupported { tag, bits }),
    };
    // chunks_exact drops a trailing partial frame, such as the odd byte of an interrupted write.
    let samples: Vec<f32> = data
        .chunks_exact(width * channels)
        .map(|f| match tag {
            1 => i16::from_le_bytes([f[0], f[1]]),
            7 => ulaw_to_linear(f[0]),
            _ => alaw_to_linear(f[0]),
        })
        .map(|s| f32::from(s) / 32768.0)
        .collect();
    if samples.is_empty() {
        return Err(AudioError::TooShort);
    }
    Ok(Wav { rate, samples })
}

/// G.711 mu-law expansion, as in the ITU reference g711.c.
fn ulaw_to_linear(u: u8) -> i16 {
    let u = !u;
    let sign = if u & 0x80 != 0 { -1 } else { 1 };
    sign * ((((i16::from(u & 0x0F) << 3) + 0x84) << ((u >> 4) & 0x07)) - 0x84)
}

/// G.711 a-law expansion, as in the ITU reference g711.c.
fn alaw_to_linear(a: u8) -> i16 {
    let a = a ^ 0x55;
    let (sign, exponent) = (if a & 0x80 != 0 { 1 } else { -1 }, (a >> 4) & 0x07);
    let m = (i16::from(a & 0x0F) << 4) + 8 + 0x100 * i16::from(exponent > 0);
    sign * (m << exponent.saturating_sub(1))
}

/// Goertzel power of `freq` over `samples`, normalised to the mean-square power of that component:
/// a sine of amplitude A gives A²/2 (0.5 at full scale), so it compares directly with the mean
/// square of the samples. Exact for a whole number of cycles and frequencies inside (0, rate/2).
pub fn goertzel_power(samples: &[f32], rate: u32, freq: f64) -> f64 {
    if samples.is_empty() || rate == 0 {
        return 0.0;
    }
    let coeff = 2.0 * (2.0 * PI * freq / f64::from(rate)).cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &x in samples {
        let s0 = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let n = samples.len() as f64;
    2.0 * (s1 * s1 + s2 * s2 - coeff * s1 * s2).max(0.0) / (n * n)
}

/// What a recording holds, for messages a student understands.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    /// RMS (full scale = 1.0) of the non-silent windows, or of the whole analysed part if none.
    pub rms: f64,
    pub expected_hz: u32,
    /// Median over non-silent windows of the share (0..1) of signal power at `expected_hz`.
    pub expected_share: f64,
    /// The strongest of the expected and candidate frequencies; None if nothing was heard.
    pub loudest_hz: Option<u32>,
    /// Seconds of non-silent audio analysed.
    pub seconds: f64,
}

fn dbfs(rms: f64) -> f64 {
    20.0 * rms.max(1e-6).log10()
}

impl fmt::Display for Heard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (db, s) = (dbfs(self.rms), self.seconds);
        if db < SILENCE_DBFS {
            return write!(f, "silence (RMS {db:.0} dBFS)");
        }
        if s < MIN_SECONDS {
            write!(f, "only {s:.1} s of sound (RMS {db:.0} dBFS), need {MIN_SECONDS} s")?;
        } else {
            write!(f, "{s:.1} s of audio, RMS {db:.0} dBFS")?;
        }
        let (hz, share) = (self.expected_hz, 100.0 * self.expected_share);
        if s > 0.0 {
            write!(f, "; {hz} Hz is {share:.0}% of it")?;
        }
        match self.loudest_hz {
            Some(loudest) if loudest != hz => write!(f, "; the loudest lab tone is {loudest} Hz"),
            _ => Ok(()),
        }
    }
}

/// Decides whether `wav` holds `expected_hz`. After skipping set-up, the recording is cut into
/// 120 ms windows and silent ones are dropped (leading/trailing silence, gaps). It passes when at
/// least [`MIN_SECONDS`] of audio is louder than [`SILENCE_DBFS`], the median share of power at
/// `expected_hz` is at least [`MIN_SHARE`] (a median, so a short glitch does not decide), and
/// `expected_hz` is the loudest of itself and `candidates` (other lab tones, e.g. the recorder's own).
#[must_use]
pub fn hears(wav: &Wav, expected_hz: u32, candidates: &[u32]) -> (bool, Heard) {
    let rate = wav.rate.max(1);
    let window = ((f64::from(rate) * WINDOW_SECONDS).round() as usize).max(1);
    let skip = ((f64::from(rate) * SKIP_SECONDS) as usize).min(wav.samples.len());
    let floor = 10f64.powf(SILENCE_DBFS / 10.0); // as a mean square
    let mut freqs: Vec<u32> = candidates.iter().copied().chain([expected_hz]).collect();
    freqs.sort_unstable();
    freqs.dedup();

    let (mut shares, mut totals, mut active_power) = (Vec::new(), vec![0.0; freqs.len()], 0.0);
    let mut buf = Vec::with_capacity(window);
    for chunk in wav.samples[skip..].chunks_exact(window) {
        let (power, mean) = ac_power(chunk);
        if power < floor {
            continue;
        }
        // A DC offset is not signal; removing it keeps it out of the Goertzel bins too.
        buf.clear();
        buf.extend(chunk.iter().map(|&s| s - mean));
        active_power += power;
        shares.push((goertzel_power(&buf, rate, f64::from(expected_hz)) / power).min(1.0));
        for (total, &hz) in totals.iter_mut().zip(&freqs) {
            *total += goertzel_power(&buf, rate, f64::from(hz));
        }
    }

    // Duration is counted in 20 ms blocks: a whole window is too coarse to tell a blip from a call.
    let block = (window / 6).max(1);
    let blocks = wav.samples[skip..].chunks_exact(block);
    let seconds = (blocks.filter(|b| ac_power(b).0 >= floor).count() * block) as f64 / f64::from(rate);
    let rms = if shares.is_empty() {
        let from = if skip < wav.samples.len() { skip } else { 0 };
        ac_power(&wav.samples[from..]).0.sqrt()
    } else {
        (active_power / shares.len() as f64).sqrt()
    };
    let loudest = freqs.iter().zip(&totals).max_by(|a, b| a.1.total_cmp(b.1));
    let loudest_hz = loudest.filter(|_| !shares.is_empty()).map(|(&hz, _)| hz);
    let heard = Heard { rms, expected_hz, expected_share: median(&mut shares), loudest_hz, seconds };
    let ok = !shares.is_empty()
        && heard.seconds >= MIN_SECONDS
        && heard.expected_share >= MIN_SHARE
        && heard.loudest_hz == Some(expected_hz);
    (ok, heard)
}

/// Power without the DC offset (the variance), and the offset.
/// Share a voice must reach in a mixed recording (both sides of a call at
/// once, two tones of equal level give about 0.5 each).
pub const MIN_MIX_SHARE: f64 = 0.2;

/// Whether a mixed recording holds `hz` among other sounds, for at least
/// [`MIN_SECONDS`]; with a description of what it holds.
#[must_use]
pub fn holds(wav: &Wav, hz: u32) -> (bool, String) {
    let (_, heard) = hears(wav, hz, &[]);
    (heard.seconds >= MIN_SECONDS && heard.expected_share >= MIN_MIX_SHARE, heard.to_string())
}

fn ac_power(samples: &[f32]) -> (f64, f32) {
    if samples.is_empty() {
        return (0.0, 0.0);
    }
    let n = samples.len() as f64;
    let mean = samples.iter().map(|&s| f64::from(s)).sum::<f64>() / n;
    let square = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum::<f64>() / n;
    ((square - mean * mean).max(0.0), mean as f32)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_unstable_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => f64::midpoint(values[n / 2 - 1], values[n / 2]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 8000;

    fn tone(hz: f64, amplitude: f64, seconds: f64) -> Vec<f32> {
        let w = 2.0 * PI * hz / f64::from(RATE);
        (0..(seconds * f64::from(RATE)) as usize).map(|i| (amplitude * (w * i as f64).sin()) as f32).collect()
    }

    fn mix(a: &[f32], b: &[f32]) -> Vec<f32> {
        a.iter().zip(b).map(|(x, y)| x + y).collect()
    }

    /// Deterministic xorshift noise, uniform in -amplitude..amplitude.
    fn noise(n: usize, amplitude: f64) -> Vec<f32> {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (amplitude * ((x >> 11) as f64 / (1u64 << 52) as f64 - 1.0)) as f32
        };
        (0..n).map(|_| next()).collect()
    }

    /// G.711 mu-law compression, as in the ITU reference g711.c.
    fn ulaw(pcm: f32) -> u8 {
        let m = ((pcm * 32767.0) as i32).abs().min(32635) + 0x84;
        let exponent = (0..8).rev().find(|e| m & (0x80 << e) != 0).unwrap_or(0);
        !(if pcm < 0.0 { 0x80 } else { 0 } | (exponent << 4) as u8 | ((m >> (exponent + 3)) & 0x0F) as u8)
    }

    /// A canonical 44-byte header followed by `data`.
    fn wav(tag: u16, channels: u16, bits: u16, data: &[u8]) -> Vec<u8> {
        let (len, block) = (data.len() as u32, channels * bits / 8);
        let mut out = [&b"RIFF"[..], &(36 + len).to_le_bytes(), b"WAVEfmt ", &16u32.to_le_bytes()].concat();
        out.extend([tag.to_le_bytes(), channels.to_le_bytes()].concat());
        out.extend([RATE.to_le_bytes(), (RATE * u32::from(block)).to_le_bytes()].concat());
        out.extend([block.to_le_bytes(), bits.to_le_bytes()].concat());
        [out, b"data".to_vec(), len.to_le_bytes().to_vec(), data.to_vec()].concat()
    }

    fn pcm16(samples: &[f32]) -> Vec<u8> {
        let data = samples.iter().flat_map(|&s| ((s * 32767.0) as i16).to_le_bytes());
        wav(1, 1, 16, &data.collect::<Vec<_>>())
    }

    fn g711(s: f32) -> f32 {
        f32::from(ulaw_to_linear(ulaw(s))) / 32768.0
    }

    fn check(samples: &[f32], expected: u32, candidates: &[u32]) -> (bool, Heard) {
        hears(&parse_wav(&pcm16(samples)).expect("parses"), expected, candidates)
    }

    #[test]
    fn goertzel_gives_half_for_a_full_scale_sine() {
        let p = goertzel_power(&tone(1000.0, 1.0, 0.12), RATE, 1000.0);
        assert!((p - 0.5).abs() < 1e-6, "{p}");
        assert!(goertzel_power(&tone(1000.0, 1.0, 0.12), RATE, 1025.0) < 1e-6);
    }

    #[test]
    fn pure_tone_passes() {
        let (ok, heard) = check(&tone(440.0, 0.3, 2.0), 440, &[425, 1000]);
        assert!(ok && heard.loudest_hz == Some(440), "{heard:?}");
        assert_eq!(heard.to_string(), "1.8 s of audio, RMS -13 dBFS; 440 Hz is 100% of it");
    }

    #[test]
    fn silence_fails_and_says_silence() {
        for samples in [vec![0.0; 16000], noise(16000, 0.001)] {
            let (ok, heard) = check(&samples, 440, &[700]);
            assert!(!ok && heard.loudest_hz.is_none(), "{heard:?}");
            assert!(heard.to_string().starts_with("silence (RMS"), "{heard}");
        }
    }

    #[test]
    fn wrong_tone_fails_and_names_the_loudest() {
        for (sent, expected) in [(425, 450), (450, 425), (2000, 450)] {
            let (ok, heard) = check(&tone(f64::from(sent), 0.3, 2.0), expected, &[sent, 1200]);
            assert!(!ok && heard.expected_share < 0.05, "{heard:?}");
            let text = heard.to_string();
            assert!(text.ends_with(&format!("% of it; the loudest lab tone is {sent} Hz")), "{text}");
        }
    }

    #[test]
    fn tone_in_10_db_snr_noise_passes() {
        let signal = tone(700.0, 0.3, 2.0); // power 0.045; uniform noise power a²/3 = 0.0045
        let (ok, heard) = check(&mix(&signal, &noise(signal.len(), 0.116)), 700, &[675, 725]);
        assert!(ok && heard.expected_share > 0.85, "{heard}");
    }

    #[test]
    fn tone_through_mulaw_passes() {
        let coded: Vec<f32> = tone(1850.0, 0.2, 2.0).into_iter().map(g711).collect();
        let (ok, heard) = check(&coded, 1850, &[1825, 1875]);
        assert!(ok && heard.expected_share > 0.99, "{heard}");
    }

    #[test]
    fn own_tone_echo_20_db_down_passes() {
        let (ok, heard) = check(&mix(&tone(600.0, 0.3, 2.0), &tone(850.0, 0.03, 2.0)), 600, &[850]);
        assert!(ok && heard.expected_share > 0.98, "{heard}");
        let (ok, heard) = check(&mix(&tone(600.0, 0.3, 2.0), &tone(850.0, 0.3, 2.0)), 600, &[850]);
        assert!(!ok, "equal tones are ambiguous: {heard}");
    }

    #[test]
    fn late_tone_with_a_glitch_passes() {
        let mut samples = [vec![0.0; 24000], tone(950.0, 0.3, 1.5), vec![0.0; 8000]].concat();
        samples[30000..30400].fill(0.5); // 50 ms stuck at half scale
        assert!(check(&samples, 950, &[975]).0);
    }

    #[test]
    fn tone_of_200_ms_is_too_short() {
        let samples = [vec![0.0; 4000], tone(440.0, 0.3, 0.2), vec![0.0; 8000]].concat();
        let (ok, heard) = check(&samples, 440, &[]);
        assert!(!ok && heard.to_string().starts_with("only 0.2 s of sound"), "{heard}");
        let (ok, heard) = check(&tone(440.0, 0.3, 0.2), 440, &[]);
        assert!(!ok && heard.to_string().starts_with("only 0.0 s of sound"), "{heard}");
    }

    #[test]
    fn zero_sizes_and_odd_trailing_byte_parse() {
        let mut bytes = pcm16(&tone(440.0, 0.3, 1.0));
        bytes[4..8].fill(0);
        bytes[40..44].fill(0);
        bytes.push(0x7F);
        let wav = parse_wav(&bytes).expect("parses");
        assert_eq!((wav.rate, wav.samples.len()), (RATE, 8000));
        assert!(hears(&wav, 440, &[]).0);
    }

    #[test]
    fn mulaw_and_alaw_wavs_decode() {
        let bytes: Vec<u8> = tone(1300.0, 0.3, 1.0).into_iter().map(ulaw).collect();
        assert!(hears(&parse_wav(&wav(7, 1, 8, &bytes)).expect("parses"), 1300, &[1325]).0);
        assert_eq!([0xFF, 0x00, 0x80].map(ulaw_to_linear), [0, -32124, 32124]);
        assert_eq!([0xD5, 0x55, 0xAA, 0x2A].map(alaw_to_linear), [8, -8, 32256, -32256]);
        let alaw = parse_wav(&wav(6, 1, 8, &[0xD5; 9])).expect("parses");
        assert_eq!(alaw.samples, [8.0 / 32768.0; 9]);
    }

    #[test]
    fn stereo_keeps_the_first_channel() {
        let (left, right) = (tone(500.0, 0.3, 1.0), tone(800.0, 0.3, 1.0));
        let stereo: Vec<f32> = left.into_iter().zip(right).flat_map(|(l, r)| [l, r]).collect();
        let mut bytes = pcm16(&stereo);
        bytes[22] = 2; // channels
        bytes[32] = 4; // block align
        let wav = parse_wav(&bytes).expect("parses");
        assert!(wav.samples.len() == 8000 && hears(&wav, 500, &[800]).0 && !hears(&wav, 800, &[500]).0);
    }

    #[test]
    fn a_mixed_recording_holds_both_voices_and_not_a_third() {
        let n = 8000 * 2;
        let samples: Vec<f32> = (0..n)
            .map(|i| {
                let t = i as f64 / 8000.0;
                (0.2 * (2.0 * PI * 450.0 * t).sin() + 0.2 * (2.0 * PI * 1000.0 * t).sin()) as f32
            })
            .collect();
        let wav = Wav { rate: 8000, samples };
        assert!(holds(&wav, 450).0);
        assert!(holds(&wav, 1000).0);
        assert!(!holds(&wav, 1500).0);
    }

    #[test]
    fn bad_files_are_rejected() {
        assert!(matches!(parse_wav(b"OggS not a wav at all"), Err(AudioError::NotWav)));
        let float = parse_wav(&wav(3, 1, 32, &[0; 8]));
        assert!(matches!(float, Err(AudioError::Unsupported { tag: 3, bits: 32 })));
        assert!(matches!(parse_wav(&wav(1, 1, 16, &[1])), Err(AudioError::TooShort)));
        let cut = parse_wav(&wav(1, 1, 16, &[])[..36]);
        assert!(matches!(cut, Err(AudioError::MissingChunk("data"))));
        let no_fmt = [&b"RIFF\0\0\0\0WAVEdata"[..], &[0; 8]].concat();
        assert!(matches!(parse_wav(&no_fmt), Err(AudioError::MissingChunk("fmt "))));
    }
}
