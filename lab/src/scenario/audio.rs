//! Tone analysis of softphone recordings: the proof that audio crossed a call.
//!
//! Each softphone sends a sine at its own frequency and records what it receives, so a call carries
//! media both ways only when each recording holds the other side's tone. Packet counters are fooled
//! by silence, one-way audio or the wrong stream; the recorded content is not.
//!
//! A recording is judged over sliding windows, not as a whole: on a loaded machine RTP arrives late
//! or not at all, and the receiving softphone writes silence for a packet its jitter buffer lacks,
//! or skips one. Measured on a 2-core machine under a load average of 20 to 30 (two busy loops on
//! top of the scenarios, 12 full runs, 934 recordings of the `audio` step): 15 % of recordings had
//! dropouts, in bursts of 1 packet (102 times), 2 (32), 3 (6), 4 (11), 5 and 6 (once each), and
//! once 10, 19 and 20 packets (0.4 s); the worst recording lost 17 % of its packets. The jitter
//! buffer's start is up to 0.44 s of silence, sometimes followed by 0.1-0.3 s of something else (the
//! beep or key tones of a feature code). A skipped packet shifts a tone's phase, by half a cycle for
//! the lab's tones that are odd multiples of 25 Hz, and the windows across it lose the tone.

use std::f64::consts::PI;
use std::fmt;

/// The first part of a recording is call set-up and jitter-buffer fill, not steady media.
const SKIP_SECONDS: f64 = 0.2;
/// 120 ms holds a whole number of cycles of every tone on the 25 Hz lab grid (3 per 25 Hz step),
/// so neighbouring lab tones do not leak into each other's Goertzel bins. It also means a tone more
/// than about 3 Hz off the expected frequency does not count: ausine tones are exact.
const WINDOW_SECONDS: f64 = 0.12;
/// Windows start every RTP packet (20 ms): a dropout or a phase jump spoils the few windows across
/// it, not a whole 120 ms slice; one lost packet in a window still leaves the tone 5/6 of its power.
const HOP_SECONDS: f64 = 0.02;
/// Windows quieter than this (RMS relative to full-scale amplitude) are silence: G.711 idle codes
/// (below -70 dBFS), comfort noise, hold, and the zeros a softphone writes for packets that never
/// came. baresip's ausine plays at -15 dBFS RMS, 30 dB above; measured tones arrive at -7 to -14.
pub const SILENCE_DBFS: f64 = -45.0;
/// Less non-silent audio than this is a glitch or a call torn down early, not a verdict.
pub const MIN_SECONDS: f64 = 0.5;
/// A window holds the tone when the tone carries at least this share of its power: two equal tones
/// (0.5 each) do not, while G.711 noise (share ~0.999), 10 dB SNR noise (~0.9), an echo 20 dB down
/// (~0.99) or one lost packet of six (5/6) do.
pub const MIN_SHARE: f64 = 0.6;
/// Share of the non-silent windows that must hold the expected tone for it to be what a phone
/// hears. Measured: at least 0.76 in every recording (1st percentile 0.90, median 1.0); another
/// sound heard longer than the tone makes it fall under one half.
pub const MIN_HELD: f64 = 0.5;
/// A stretch of tone goes on across a dropout up to this long: the longest measured was 0.40 s.
pub const MAX_DROPOUT_SECONDS: f64 = 0.5;
/// In a mixed recording (both sides of a call at once, from the IPBX) two tones of equal level give
/// about 0.5 each: a window holds a voice from this share. Measured: 0.49 and 0.51 in every window
/// of 12 MixMonitor recordings (the IPBX mixes them itself, no dropouts).
pub const MIN_MIX_SHARE: f64 = 0.2;

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
    /// Share (0..1) of the non-silent windows in which `expected_hz` carries the power.
    pub held: f64,
    /// Seconds of the longest stretch of `expected_hz`, across dropouts up to [`MAX_DROPOUT_SECONDS`].
    pub longest: f64,
    /// The strongest of the expected and candidate frequencies; None if nothing was heard.
    pub loudest_hz: Option<u32>,
    /// Seconds of non-silent audio analysed.
    pub seconds: f64,
}

pub(super) fn dbfs(rms: f64) -> f64 {
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
        let (hz, held) = (self.expected_hz, 100.0 * self.held);
        if s > 0.0 {
            write!(f, "; {hz} Hz in {held:.0}% of it")?;
            if self.longest > 0.0 {
                write!(f, ", {:.1} s at most in a row", self.longest)?;
            }
        }
        match self.loudest_hz {
            Some(loudest) if loudest != hz => write!(f, "; the loudest lab tone is {loudest} Hz"),
            _ => Ok(()),
        }
    }
}

/// Whether `wav` holds `expected_hz` as what its phone hears: at least [`MIN_SECONDS`] of audio
/// louder than [`SILENCE_DBFS`], the tone carrying [`MIN_SHARE`] of the power in at least
/// [`MIN_HELD`] of the non-silent windows, and `expected_hz` the loudest of itself and `candidates`
/// (other lab tones, e.g. the recorder's own). Silence, a wrong tone, a recording mostly of another
/// sound and an echo of one's own tone all fail.
#[must_use]
pub fn hears(wav: &Wav, expected_hz: u32, candidates: &[u32]) -> (bool, Heard) {
    let heard = analyse(wav, expected_hz, candidates, MIN_SHARE);
    let ok = heard.seconds >= MIN_SECONDS
        && heard.held >= MIN_HELD
        && heard.longest >= MIN_SECONDS
        && heard.loudest_hz == Some(expected_hz);
    (ok, heard)
}

/// Whether `wav` holds a message of `hz` (a prompt the IPBX plays) lasting at least `seconds` in a
/// row, whatever comes before or after it (silence, speech, ringing).
#[must_use]
pub fn hears_message(wav: &Wav, hz: u32, candidates: &[u32], seconds: f64) -> (bool, Heard) {
    let heard = analyse(wav, hz, candidates, MIN_SHARE);
    (heard.longest >= seconds, heard)
}

/// Whether a mixed recording holds `hz` among other sounds, in at least [`MIN_HELD`] of its
/// non-silent windows and for at least [`MIN_SECONDS`]; with a description of what it holds.
#[must_use]
pub fn holds(wav: &Wav, hz: u32) -> (bool, String) {
    let heard = analyse(wav, hz, &[], MIN_MIX_SHARE);
    (heard.seconds >= MIN_SECONDS && heard.held >= MIN_HELD && heard.longest >= MIN_SECONDS, heard.to_string())
}

/// After skipping set-up, slides a 120 ms window in 20 ms steps and drops the silent ones; a window
/// holds `expected_hz` when it carries `min_share` of the power.
fn analyse(wav: &Wav, expected_hz: u32, candidates: &[u32], min_share: f64) -> Heard {
    let rate = wav.rate.max(1);
    let mut freqs: Vec<u32> = candidates.iter().copied().chain([expected_hz]).collect();
    freqs.sort_unstable();
    freqs.dedup();
    let mut totals = vec![0.0; freqs.len()];
    let scan = scan(wav, |buf, power| {
        for (total, &hz) in totals.iter_mut().zip(&freqs) {
            *total += goertzel_power(buf, rate, f64::from(hz));
        }
        goertzel_power(buf, rate, f64::from(expected_hz)) / power >= min_share
    });
    let loudest = freqs.iter().zip(&totals).max_by(|a, b| a.1.total_cmp(b.1));
    Heard {
        rms: scan.rms,
        expected_hz,
        held: scan.held(),
        longest: scan.longest,
        loudest_hz: loudest.filter(|_| scan.active > 0).map(|(&hz, _)| hz),
        seconds: scan.seconds,
    }
}

/// What the windows of a recording showed: how many were not silent, how
/// many of those matched, and for how long in a row at most.
pub(super) struct Scan {
    /// Non-silent windows.
    pub active: usize,
    /// Of which matched.
    pub matched: usize,
    /// Seconds of the longest run of matching windows (gaps up to the dropout bridged).
    pub longest: f64,
    /// Seconds of audio louder than the silence floor.
    pub seconds: f64,
    /// RMS of the non-silent windows (of the whole recording when all are silent).
    pub rms: f64,
}

impl Scan {
    /// The share of non-silent windows that matched.
    pub fn held(&self) -> f64 {
        if self.active == 0 {
            0.0
        } else {
            self.matched as f64 / self.active as f64
        }
    }
}

/// The windows every analysis reads: after the set-up, 120 ms every 20 ms, the
/// silent ones dropped; `matches` sees each other window without its DC offset,
/// with its power, and says whether it holds what is listened for.
pub(super) fn scan(wav: &Wav, mut matches: impl FnMut(&[f32], f64) -> bool) -> Scan {
    let rate = wav.rate.max(1);
    let at_rate = |seconds: f64| ((f64::from(rate) * seconds).round() as usize).max(1);
    let (window, hop, bridge) = (at_rate(WINDOW_SECONDS), at_rate(HOP_SECONDS), at_rate(MAX_DROPOUT_SECONDS));
    let audio = &wav.samples[at_rate(SKIP_SECONDS).min(wav.samples.len())..];
    let floor = 10f64.powf(SILENCE_DBFS / 10.0); // as a mean square

    let (mut active, mut matched, mut active_power) = (0usize, 0usize, 0.0);
    // The current stretch (first and one-past-last sample) and the longest so far.
    let (mut stretch, mut longest): (Option<(usize, usize)>, usize) = (None, 0);
    let mut buf = Vec::with_capacity(window);
    for start in (0..audio.len().saturating_sub(window - 1)).step_by(hop) {
        let chunk = &audio[start..start + window];
        let (power, mean) = ac_power(chunk);
        if power < floor {
            continue;
        }
        // A DC offset is not signal; removing it keeps it out of the Goertzel bins too.
        buf.clear();
        buf.extend(chunk.iter().map(|&s| s - mean));
        active += 1;
        active_power += power;
        if !matches(&buf, power) {
            continue;
        }
        matched += 1;
        let end = start + window;
        stretch = match stretch {
            Some((from, to)) if start <= to + bridge => Some((from, end)),
            _ => Some((start, end)),
        };
        longest = longest.max(stretch.map_or(0, |(from, to)| to - from));
    }

    // Duration is counted in 20 ms blocks: a whole window is too coarse to tell a blip from a call.
    let blocks = audio.chunks_exact(hop);
    let seconds = (blocks.filter(|b| ac_power(b).0 >= floor).count() * hop) as f64 / f64::from(rate);
    let rms = if active == 0 {
        let whole = if audio.is_empty() { &wav.samples[..] } else { audio };
        ac_power(whole).0.sqrt()
    } else {
        (active_power / active as f64).sqrt()
    };
    Scan { active, matched, longest: longest as f64 / f64::from(rate), seconds, rms }
}

/// Power without the DC offset (the variance), and the offset.
fn ac_power(samples: &[f32]) -> (f64, f32) {
    if samples.is_empty() {
        return (0.0, 0.0);
    }
    let n = samples.len() as f64;
    let mean = samples.iter().map(|&s| f64::from(s)).sum::<f64>() / n;
    let square = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum::<f64>() / n;
    ((square - mean * mean).max(0.0), mean as f32)
}

/// Synthetic recordings for tests: tones, noise, G.711, and the impairments measured on a loaded
/// machine.
#[cfg(test)]
pub(super) mod synth {
    use super::*;

    pub const RATE: u32 = 8000;
    /// One RTP packet of G.711 (20 ms).
    pub const PACKET: usize = 160;

    pub fn tone(hz: f64, amplitude: f64, seconds: f64) -> Vec<f32> {
        let w = 2.0 * PI * hz / f64::from(RATE);
        (0..(seconds * f64::from(RATE)) as usize).map(|i| (amplitude * (w * i as f64).sin()) as f32).collect()
    }

    pub fn silence(seconds: f64) -> Vec<f32> {
        vec![0.0; (seconds * f64::from(RATE)) as usize]
    }

    pub fn mix(a: &[f32], b: &[f32]) -> Vec<f32> {
        a.iter().zip(b).map(|(x, y)| x + y).collect()
    }

    /// Deterministic xorshift noise, uniform in -amplitude..amplitude.
    pub fn noise(n: usize, amplitude: f64) -> Vec<f32> {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (amplitude * ((x >> 11) as f64 / (1u64 << 52) as f64 - 1.0)) as f32
        };
        (0..n).map(|_| next()).collect()
    }

    /// Speech-like sound: noise whose level changes every 100 ms, as a prompt's syllables do.
    pub fn speech(seconds: f64) -> Vec<f32> {
        let levels = [0.2, 0.05, 0.3, 0.1, 0.25, 0.02, 0.15];
        let mut out = noise((seconds * f64::from(RATE)) as usize, 1.0);
        for (i, chunk) in out.chunks_mut(800).enumerate() {
            chunk.iter_mut().for_each(|s| *s *= levels[i % levels.len()]);
        }
        out
    }

    /// The packets at these indexes never came: the softphone wrote silence in their place.
    pub fn lose(mut samples: Vec<f32>, packets: impl IntoIterator<Item = usize>) -> Vec<f32> {
        for p in packets {
            if let Some(packet) = samples.chunks_mut(PACKET).nth(p) {
                packet.fill(0.0);
            }
        }
        samples
    }

    /// The jitter buffer skipped these packets: what follows comes early, its phase shifted.
    pub fn skip(samples: &[f32], packets: &[usize]) -> Vec<f32> {
        let kept = samples.chunks(PACKET).enumerate().filter(|(i, _)| !packets.contains(i));
        kept.flat_map(|(_, p)| p.iter().copied()).collect()
    }

    /// Every burst measured under load in one recording, starting at `first`, 6 packets apart:
    /// 1, 2, 3, 4, 5, 6, 10 and 20 packets in a row (2.9 s with the gaps in between).
    pub fn measured_bursts(first: usize) -> Vec<usize> {
        let mut at = first;
        let mut lost = Vec::new();
        for len in [1, 2, 3, 4, 5, 6, 10, 20] {
            lost.extend(at..at + len);
            at += len + 6;
        }
        lost
    }

    /// G.711 mu-law compression, as in the ITU reference g711.c.
    pub fn ulaw(pcm: f32) -> u8 {
        let m = ((pcm * 32767.0) as i32).abs().min(32635) + 0x84;
        let exponent = (0..8).rev().find(|e| m & (0x80 << e) != 0).unwrap_or(0);
        !(if pcm < 0.0 { 0x80 } else { 0 } | (exponent << 4) as u8 | ((m >> (exponent + 3)) & 0x0F) as u8)
    }

    pub fn g711(s: f32) -> f32 {
        f32::from(ulaw_to_linear(ulaw(s))) / 32768.0
    }

    pub fn wav(samples: Vec<f32>) -> Wav {
        Wav { rate: RATE, samples }
    }
}

#[cfg(test)]
mod tests {
    use super::synth::*;
    use super::*;

    /// A canonical 44-byte header followed by `data`.
    fn wav_bytes(tag: u16, channels: u16, bits: u16, data: &[u8]) -> Vec<u8> {
        let (len, block) = (data.len() as u32, channels * bits / 8);
        let mut out = [&b"RIFF"[..], &(36 + len).to_le_bytes(), b"WAVEfmt ", &16u32.to_le_bytes()].concat();
        out.extend([tag.to_le_bytes(), channels.to_le_bytes()].concat());
        out.extend([RATE.to_le_bytes(), (RATE * u32::from(block)).to_le_bytes()].concat());
        out.extend([block.to_le_bytes(), bits.to_le_bytes()].concat());
        [out, b"data".to_vec(), len.to_le_bytes().to_vec(), data.to_vec()].concat()
    }

    fn pcm16(samples: &[f32]) -> Vec<u8> {
        let data = samples.iter().flat_map(|&s| ((s * 32767.0) as i16).to_le_bytes());
        wav_bytes(1, 1, 16, &data.collect::<Vec<_>>())
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
        assert_eq!(heard.to_string(), "1.8 s of audio, RMS -13 dBFS; 440 Hz in 100% of it, 1.8 s at most in a row");
    }

    #[test]
    fn silence_fails_and_says_silence() {
        for samples in [silence(2.0), noise(16000, 0.001)] {
            let (ok, heard) = check(&samples, 440, &[700]);
            assert!(!ok && heard.loudest_hz.is_none(), "{heard:?}");
            assert!(heard.to_string().starts_with("silence (RMS"), "{heard}");
            let (ok, _) = hears_message(&wav(samples), 440, &[700], 1.0);
            assert!(!ok);
        }
    }

    #[test]
    fn wrong_tone_fails_and_names_the_loudest() {
        for (sent, expected) in [(425, 450), (450, 425), (2000, 450)] {
            let (ok, heard) = check(&tone(f64::from(sent), 0.3, 2.0), expected, &[sent, 1200]);
            assert!(!ok && heard.held == 0.0, "{heard:?}");
            let text = heard.to_string();
            assert!(text.ends_with(&format!("% of it; the loudest lab tone is {sent} Hz")), "{text}");
        }
    }

    #[test]
    fn tone_in_10_db_snr_noise_passes() {
        let signal = tone(700.0, 0.3, 2.0); // power 0.045; uniform noise power a²/3 = 0.0045
        let (ok, heard) = check(&mix(&signal, &noise(signal.len(), 0.116)), 700, &[675, 725]);
        assert!(ok && heard.held > 0.99, "{heard}");
    }

    #[test]
    fn tone_through_mulaw_passes() {
        let coded: Vec<f32> = tone(1850.0, 0.2, 2.0).into_iter().map(g711).collect();
        let (ok, heard) = check(&coded, 1850, &[1825, 1875]);
        assert!(ok && heard.held > 0.99, "{heard}");
    }

    #[test]
    fn own_tone_echo_20_db_down_passes() {
        let (ok, heard) = check(&mix(&tone(600.0, 0.3, 2.0), &tone(850.0, 0.03, 2.0)), 600, &[850]);
        assert!(ok && heard.held > 0.99, "{heard}");
        let (ok, heard) = check(&mix(&tone(600.0, 0.3, 2.0), &tone(850.0, 0.3, 2.0)), 600, &[850]);
        assert!(!ok, "equal tones are ambiguous: {heard}");
    }

    #[test]
    fn late_tone_with_a_glitch_passes() {
        let mut samples = [silence(3.0), tone(950.0, 0.3, 1.5), silence(1.0)].concat();
        samples[30000..30400].fill(0.5); // 50 ms stuck at half scale
        assert!(check(&samples, 950, &[975]).0);
    }

    #[test]
    fn tone_of_200_ms_is_too_short() {
        let samples = [silence(0.5), tone(440.0, 0.3, 0.2), silence(1.0)].concat();
        let (ok, heard) = check(&samples, 440, &[]);
        assert!(!ok && heard.to_string().starts_with("only 0.2 s of sound"), "{heard}");
        let (ok, heard) = check(&tone(440.0, 0.3, 0.2), 440, &[]);
        assert!(!ok && heard.to_string().starts_with("only 0.0 s of sound"), "{heard}");
    }

    /// Every dropout burst measured under load, in a 4.5 s call: the tone is still what is heard.
    #[test]
    fn measured_dropout_bursts_pass() {
        for hz in [725.0, 1725.0, 2900.0] {
            let lost = lose(tone(hz, 0.5, 4.5), measured_bursts(20));
            let (ok, heard) = check(&lost, hz as u32, &[hz as u32 + 25]);
            assert!(ok && heard.held > 0.75 && heard.longest > 4.0, "{hz} Hz: {heard}");
        }
    }

    /// The worst recording measured lost 17 % of its packets; here one packet in six, in bursts of
    /// two, with a skipped packet (half a cycle of 725 Hz) every 300 ms on top.
    #[test]
    fn a_sixth_of_packets_lost_and_phase_jumps_pass() {
        let lost = lose(tone(725.0, 0.5, 3.0), (0..150).filter(|p| p % 12 == 2 || p % 12 == 3));
        let jumped = skip(&lost, &(5..150).step_by(15).collect::<Vec<_>>());
        let (ok, heard) = check(&jumped, 725, &[700]);
        assert!(ok && heard.longest > 2.0, "{heard}");
    }

    /// The start of the `audio` step on a loaded machine: the jitter buffer's 0.44 s of silence,
    /// then 0.3 s of a feature code's beep louder than the call, then the tone with dropouts.
    #[test]
    fn jitter_buffer_start_and_a_beep_pass() {
        let samples = [silence(0.44), tone(1000.0, 0.8, 0.3), lose(tone(725.0, 0.5, 1.3), [10, 11, 30])].concat();
        let (ok, heard) = check(&samples, 725, &[700]);
        assert!(ok && heard.held > 0.7, "{heard}");
    }

    #[test]
    fn a_recording_mostly_of_another_tone_fails() {
        // The expected tone for 0.8 s, then another one (not even a candidate) for 1.2 s.
        let samples = [tone(725.0, 0.5, 0.8), tone(3000.0, 0.5, 1.4)].concat();
        let (ok, heard) = check(&samples, 725, &[700]);
        assert!(!ok && heard.held < MIN_HELD && heard.longest > MIN_SECONDS, "{heard}");
        // The same, the other tone a candidate: it is also named as the loudest.
        let (ok, heard) = check(&samples, 725, &[3000]);
        assert!(!ok && heard.loudest_hz == Some(3000), "{heard}");
        // Dominated window by window: the other tone 6 dB louder throughout.
        let both = mix(&tone(725.0, 0.25, 2.0), &tone(3000.0, 0.5, 2.0));
        assert!(!check(&both, 725, &[]).0);
    }

    /// Dropouts do not turn the wrong tone, or an echo of one's own, into the right one.
    #[test]
    fn impaired_wrong_tone_and_own_echo_fail() {
        let lost = lose(tone(750.0, 0.5, 3.0), measured_bursts(10));
        let (ok, heard) = check(&lost, 725, &[750]);
        assert!(!ok && heard.held == 0.0 && heard.loudest_hz == Some(750), "{heard}");
        // One-way audio seen from the deaf side: nothing but its own tone coming back, 20 dB down.
        let echo = lose(tone(700.0, 0.05, 3.0), measured_bursts(10));
        let (ok, heard) = check(&echo, 725, &[700]);
        assert!(!ok && heard.loudest_hz == Some(700), "{heard}");
        // Or nothing at all but the jitter buffer's zeros and a beep.
        let (ok, heard) = check(&[silence(2.0), tone(1000.0, 0.8, 0.3), silence(1.0)].concat(), 725, &[700]);
        assert!(!ok, "{heard}");
    }

    /// The IVR's menu on a loaded machine: 1.72 s after the key (the longest measured), then its
    /// 1.5 s tone with dropouts, then the spoken prompt; the window runs 4 s from the key.
    #[test]
    fn a_late_message_with_dropouts_is_heard() {
        let menu = lose(tone(2900.0, 0.25, 1.5), [10, 11, 12, 13, 40, 55, 56]);
        let samples = [silence(1.72), menu, speech(0.78)].concat();
        let (ok, heard) = hears_message(&wav(samples), 2900, &[2725], 1.0);
        assert!(ok && heard.longest > 1.4, "{heard}");
    }

    /// What is left of the first menu when the key is pressed (at most 0.5 s: the first check
    /// listens for 1 s of the 1.5 s tone), then speech, is not the menu playing again; neither are
    /// two pieces of it more than a dropout apart, nor a message drowned in another tone.
    #[test]
    fn a_remnant_or_broken_message_is_not_heard() {
        let remnant = [tone(2900.0, 0.25, 0.5), speech(3.5)].concat();
        let (ok, heard) = hears_message(&wav(remnant), 2900, &[2725], 1.0);
        assert!(!ok && heard.longest < 0.6, "{heard}");
        let pieces = [tone(2900.0, 0.25, 0.7), silence(0.6), tone(2900.0, 0.25, 0.7), silence(1.0)].concat();
        assert!(!hears_message(&wav(pieces), 2900, &[], 1.0).0);
        let drowned = mix(&tone(2900.0, 0.25, 3.0), &tone(2725.0, 0.5, 3.0));
        assert!(!hears_message(&wav(drowned), 2900, &[2725], 1.0).0);
        assert!(!hears_message(&wav(tone(2850.0, 0.25, 3.0)), 2900, &[], 1.0).0);
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
        assert!(hears(&parse_wav(&wav_bytes(7, 1, 8, &bytes)).expect("parses"), 1300, &[1325]).0);
        assert_eq!([0xFF, 0x00, 0x80].map(ulaw_to_linear), [0, -32124, 32124]);
        assert_eq!([0xD5, 0x55, 0xAA, 0x2A].map(alaw_to_linear), [8, -8, 32256, -32256]);
        let alaw = parse_wav(&wav_bytes(6, 1, 8, &[0xD5; 9])).expect("parses");
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
        let both = mix(&tone(450.0, 0.2, 4.0), &tone(1000.0, 0.2, 4.0));
        assert!(holds(&wav(both.clone()), 450).0);
        assert!(holds(&wav(both), 1000).0);
        let (ok, text) = holds(&wav(mix(&tone(450.0, 0.2, 4.0), &tone(1000.0, 0.2, 4.0))), 1500);
        assert!(!ok, "{text}");
    }

    /// One-way audio in the IPBX's recording: one party throughout, the other only for its first
    /// second (then its stream stopped), or not at all.
    #[test]
    fn a_mixed_recording_without_one_party_fails() {
        let one = tone(450.0, 0.2, 4.0);
        let (ok, text) = holds(&wav(one.clone()), 1000);
        assert!(!ok && text.ends_with("1000 Hz in 0% of it"), "{text}");
        let stopped = [tone(1000.0, 0.2, 1.0), silence(3.0)].concat();
        let (ok, text) = holds(&wav(mix(&one, &stopped)), 1000);
        assert!(!ok, "{text}");
        assert!(holds(&wav(mix(&one, &stopped)), 450).0);
        assert!(!holds(&wav(silence(4.0)), 450).0);
    }

    #[test]
    fn bad_files_are_rejected() {
        assert!(matches!(parse_wav(b"OggS not a wav at all"), Err(AudioError::NotWav)));
        let float = parse_wav(&wav_bytes(3, 1, 32, &[0; 8]));
        assert!(matches!(float, Err(AudioError::Unsupported { tag: 3, bits: 32 })));
        assert!(matches!(parse_wav(&wav_bytes(1, 1, 16, &[1])), Err(AudioError::TooShort)));
        let cut = parse_wav(&wav_bytes(1, 1, 16, &[])[..36]);
        assert!(matches!(cut, Err(AudioError::MissingChunk("data"))));
        let no_fmt = [&b"RIFF\0\0\0\0WAVEdata"[..], &[0; 8]].concat();
        assert!(matches!(parse_wav(&no_fmt), Err(AudioError::MissingChunk("fmt "))));
    }
}
