//! A sound file given to `lab prompt`, read on this machine: its format and
//! how long it lasts, so that a file that is no sound, an empty one or one
//! too long is refused before any container is touched.

use std::fmt;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use crate::gen::prompts::MAX_SECONDS;

/// The formats `lab prompt` takes: what sox reads, and the SAE's report used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Wav,
    Mp3,
    Ogg,
    Flac,
}

impl Format {
    /// Known by the file's first bytes, whatever its name says.
    fn of(bytes: &[u8]) -> Option<Format> {
        let mp3_frame = bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0;
        match bytes {
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'A', b'V', b'E', ..] => Some(Format::Wav),
            [b'O', b'g', b'g', b'S', ..] => Some(Format::Ogg),
            [b'f', b'L', b'a', b'C', ..] => Some(Format::Flac),
            [b'I', b'D', b'3', ..] => Some(Format::Mp3),
            _ if mp3_frame => Some(Format::Mp3),
            _ => None,
        }
    }

    /// The file type as sox names it (`sox -t`).
    pub fn sox_type(self) -> &'static str {
        match self {
            Format::Wav => "wav",
            Format::Mp3 => "mp3",
            Format::Ogg => "ogg",
            Format::Flac => "flac",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Wav => "WAV",
            Format::Mp3 => "MP3",
            Format::Ogg => "Ogg",
            Format::Flac => "FLAC",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SoundFileError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is empty")]
    Empty { path: PathBuf },
    #[error("{path} is not a sound file {why}; `lab prompt` takes WAV, MP3, Ogg (Vorbis) or FLAC")]
    NotAudio { path: PathBuf, why: String },
    #[error("{path} holds no sound: it lasts 0 s")]
    NoSound { path: PathBuf },
    #[error("{path} lasts {}; a prompt lasts {} at most", minutes(*seconds), minutes(f64::from(*max)))]
    TooLong { path: PathBuf, seconds: f64, max: u32 },
}

fn minutes(seconds: f64) -> String {
    let whole = seconds.floor() as u64;
    match (whole / 60, whole % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

/// A sound file checked to be one: its bytes, format and duration.
#[derive(Debug, Clone)]
pub struct SoundFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub format: Format,
    pub seconds: f64,
}

/// Reads and checks the sound file at `path`.
pub fn read(path: &Path) -> Result<SoundFile, SoundFileError> {
    let bytes = std::fs::read(path).map_err(|source| SoundFileError::Read { path: path.to_path_buf(), source })?;
    check(path, bytes)
}

/// Checks `bytes`, read from `path`: a sound of a format `lab prompt` takes,
/// lasting more than nothing and at most [`MAX_SECONDS`].
pub fn check(path: &Path, bytes: Vec<u8>) -> Result<SoundFile, SoundFileError> {
    let path = path.to_path_buf();
    if bytes.is_empty() {
        return Err(SoundFileError::Empty { path });
    }
    let Some(format) = Format::of(&bytes) else {
        let why = if std::str::from_utf8(&bytes).is_ok() { "(it is text)" } else { "(its first bytes say so)" };
        return Err(SoundFileError::NotAudio { path, why: why.into() });
    };
    let seconds = match duration(bytes.clone()) {
        Ok(seconds) => seconds,
        Err(e) => return Err(SoundFileError::NotAudio { path, why: format!("(as {format}: {e})") }),
    };
    if seconds <= 0.0 {
        return Err(SoundFileError::NoSound { path });
    }
    if seconds > f64::from(MAX_SECONDS) {
        return Err(SoundFileError::TooLong { path, seconds, max: MAX_SECONDS });
    }
    Ok(SoundFile { path, bytes, format, seconds })
}

/// Seconds of sound, counted packet by packet (no decoding): headers may
/// leave the length out (an MP3 without a Xing frame).
fn duration(bytes: Vec<u8>) -> Result<f64, symphonia::core::errors::Error> {
    use symphonia::core::errors::Error;
    let stream = MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default());
    let probed = symphonia::default::get_probe().format(
        &Hint::new(),
        stream,
        &FormatOptions::default(),
        &MetadataOptions::default(),
    )?;
    let mut reader = probed.format;
    let track = reader.default_track().ok_or(Error::Unsupported("a file without a sound track"))?;
    let (id, params) = (track.id, track.codec_params.clone());
    let seconds = |ticks: u64| match (params.time_base, params.sample_rate) {
        (Some(tb), _) => {
            let t = tb.calc_time(ticks);
            t.seconds as f64 + t.frac
        }
        (None, Some(rate)) => ticks as f64 / f64::from(rate),
        (None, None) => 0.0,
    };
    let mut ticks = 0u64;
    loop {
        match reader.next_packet() {
            Ok(packet) if packet.track_id() == id => ticks += packet.dur,
            Ok(_) => {}
            Err(Error::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(Error::ResetRequired) => break,
            Err(e) if ticks > 0 => {
                // A damaged tail: what came before is the sound.
                tracing::debug!("sound file ends in an error after {} s: {e}", seconds(ticks));
                break;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(seconds(ticks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::sounds::tone_wav;

    fn checked(bytes: Vec<u8>) -> Result<SoundFile, SoundFileError> {
        check(Path::new("x"), bytes)
    }

    /// 8 kHz 8-bit mono PCM WAV of `seconds` of silence: small enough to make long ones.
    fn wav_u8(seconds: u32) -> Vec<u8> {
        let data = vec![128u8; seconds as usize * 8000];
        let mut wav = Vec::new();
        wav.extend_from_slice(b"RIFF");
        wav.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
        wav.extend_from_slice(b"WAVEfmt ");
        for (v, n) in [(16u32, 4), (1, 2), (1, 2), (8000, 4), (8000, 4), (1, 2), (8, 2)] {
            wav.extend_from_slice(&v.to_le_bytes()[..n]);
        }
        wav.extend_from_slice(b"data");
        wav.extend_from_slice(&(data.len() as u32).to_le_bytes());
        wav.extend_from_slice(&data);
        wav
    }

    #[test]
    fn a_wav_is_read_with_its_duration() {
        let file = checked(tone_wav(1000, 2.5)).expect("a sound");
        assert_eq!(file.format, Format::Wav);
        assert!((file.seconds - 2.5).abs() < 0.01, "{}", file.seconds);
    }

    #[test]
    fn mp3_ogg_and_flac_are_read_with_their_duration() {
        // Made with sox in the IPBX image (tests/fixtures/prompts).
        let fixtures: [(&[u8], Format, f64); 3] = [
            (include_bytes!("../../tests/fixtures/prompts/quiet-voice.mp3"), Format::Mp3, 2.0),
            (include_bytes!("../../tests/fixtures/prompts/tone.ogg"), Format::Ogg, 1.5),
            (include_bytes!("../../tests/fixtures/prompts/tone.flac"), Format::Flac, 1.0),
        ];
        for (bytes, format, seconds) in fixtures {
            let file = checked(bytes.to_vec()).expect("a sound");
            assert_eq!(file.format, format);
            assert!((file.seconds - seconds).abs() < 0.1, "{format}: {} s", file.seconds);
        }
    }

    #[test]
    fn bad_files_are_refused_with_what_is_wrong() {
        let err = |bytes: Vec<u8>| checked(bytes).expect_err("refused").to_string();
        assert_eq!(err(Vec::new()), "x is empty");
        assert_eq!(
            err(b"title = \"not a sound\"\n".to_vec()),
            "x is not a sound file (it is text); `lab prompt` takes WAV, MP3, Ogg (Vorbis) or FLAC"
        );
        assert!(
            err(vec![0x89, b'P', b'N', b'G', 0, 1, 2]).starts_with("x is not a sound file (its first bytes say so)")
        );
        assert_eq!(err(wav_u8(0)), "x holds no sound: it lasts 0 s");
        assert_eq!(err(wav_u8(601)), "x lasts 10 min 1 s; a prompt lasts 10 min at most");
        assert!(checked(wav_u8(600)).is_ok(), "10 min exactly is allowed");
        // A WAV header on something else.
        let mut broken = b"RIFF\x10\0\0\0WAVEjunk".to_vec();
        broken.extend_from_slice(&[7; 64]);
        assert!(err(broken).starts_with("x is not a sound file (as WAV: "));
    }
}
