//! The sox commands that make a prompt of a sound file, run in the IPBX
//! image, and what they print.
//!
//! Asterisk 22 plays 8 kHz mono 16-bit WAV natively (no madplay, no
//! transcoding at each call). Loudness is levelled on the RMS: a quiet
//! recording is raised, a loud one lowered, peaks kept from clipping by
//! sox's limiter.

use super::sound_file::Format;

/// The RMS level every imported prompt gets: loud and clear on a phone,
/// with room for the peaks of speech.
pub const TARGET_RMS_DBFS: f64 = -20.0;
/// Quieter than this, a file holds no sound to raise: it is refused.
pub const SILENT_DBFS: f64 = -60.0;
/// Raised peaks above this go through sox's limiter, which costs about 1 dB
/// of RMS: it is used only then.
pub const PEAK_CEILING_DBFS: f64 = -1.0;

/// Duration and loudness of a sound, as `sox … stats` measures it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    pub seconds: f64,
    /// RMS level, dB relative to full scale (`-inf` for silence).
    pub rms_db: f64,
    /// Peak level, dBFS.
    pub peak_db: f64,
}

impl Level {
    pub fn is_silent(&self) -> bool {
        self.rms_db < SILENT_DBFS
    }

    /// The gain that brings it to [`TARGET_RMS_DBFS`].
    pub fn gain_to_target(&self) -> f64 {
        TARGET_RMS_DBFS - self.rms_db
    }
}

/// Measures a file: `sox` prints its stats (on standard error).
pub fn stats(file: &str, format: Option<Format>) -> Vec<String> {
    let mut cmd = vec!["sox".to_string()];
    if let Some(format) = format {
        cmd.extend(["-t".into(), format.sox_type().into()]);
    }
    cmd.extend([file.into(), "-n".into(), "stats".into()]);
    cmd
}

/// Converts `input` (of `format`) to 8 kHz mono 16-bit WAV; `-G` keeps the
/// resampling from clipping.
pub fn convert(input: &str, format: Format, output: &str) -> Vec<String> {
    ["sox", "-G", "-t", format.sox_type(), input, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", output]
        .into_iter()
        .map(String::from)
        .collect()
}

/// Brings `input`, measured as `measured`, to [`TARGET_RMS_DBFS`]; the
/// limiter keeps peaks raised past [`PEAK_CEILING_DBFS`] from clipping.
pub fn level(input: &str, output: &str, measured: &Level) -> Vec<String> {
    let gain = measured.gain_to_target();
    let limit = gain > 0.0 && measured.peak_db + gain > PEAK_CEILING_DBFS;
    let mut cmd: Vec<String> = ["sox", input, output, "gain"].into_iter().map(String::from).collect();
    if limit {
        cmd.push("-l".into());
    }
    cmd.push(format!("{gain:.2}"));
    cmd
}

/// Reads `sox … stats` output: the first (overall) column of its lines.
pub fn parse_stats(output: &str) -> Option<Level> {
    let value = |label: &str| -> Option<f64> {
        let line = output.lines().find(|l| l.trim_start().starts_with(label))?;
        line.trim_start()[label.len()..].split_whitespace().next()?.parse().ok()
    };
    Some(Level { seconds: value("Length s")?, rms_db: value("RMS lev dB")?, peak_db: value("Pk lev dB")? })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEREO: &str = "             Overall     Left      Right\n\
        DC offset   0.000002  0.000002  0.000002\n\
        Min level  -0.095031 -0.095031 -0.095031\n\
        Max level   0.095025  0.095025  0.095025\n\
        Pk lev dB     -20.44    -20.44    -20.44\n\
        RMS lev dB    -23.51    -23.51    -23.51\n\
        RMS Pk dB     -23.49    -23.49    -23.49\n\
        Length s       2.011\n";

    #[test]
    fn stats_are_read_from_the_overall_column() {
        let level = parse_stats(STEREO).expect("stats");
        assert_eq!(level, Level { seconds: 2.011, rms_db: -23.51, peak_db: -20.44 });
        assert!((level.gain_to_target() - 3.51).abs() < 1e-9);
        assert!(!level.is_silent());
        let silence = parse_stats("Pk lev dB      -inf\nRMS lev dB      -inf\nLength s   1.000\n").expect("stats");
        assert!(silence.is_silent());
        assert_eq!(parse_stats("sox FAIL formats: can't open input file"), None);
    }

    #[test]
    fn commands_name_the_type_and_what_asterisk_plays() {
        assert_eq!(
            convert("/w/in", Format::Mp3, "/w/out.wav").join(" "),
            "sox -G -t mp3 /w/in -r 8000 -c 1 -b 16 -e signed-integer /w/out.wav"
        );
        let quiet = Level { seconds: 1.0, rms_db: -38.237, peak_db: -35.0 };
        assert_eq!(level("/w/a.wav", "/w/b.wav", &quiet).join(" "), "sox /w/a.wav /w/b.wav gain 18.24");
        let peaky = Level { peak_db: -15.0, ..quiet };
        assert_eq!(level("/w/a.wav", "/w/b.wav", &peaky).join(" "), "sox /w/a.wav /w/b.wav gain -l 18.24");
        // Lowering needs no limiter, and sox would read `-l -9` as options.
        let loud = Level { seconds: 1.0, rms_db: -11.0, peak_db: -0.5 };
        assert_eq!(level("/w/a.wav", "/w/b.wav", &loud).join(" "), "sox /w/a.wav /w/b.wav gain -9.00");
        assert_eq!(stats("/w/in", Some(Format::Ogg)).join(" "), "sox -t ogg /w/in -n stats");
    }
}
