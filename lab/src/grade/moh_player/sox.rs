//! sox's command line: `[gopts] [[fopts] infile]... [fopts] outfile [effect
//! [effopt]]...`, where each file's format options come just before it and
//! the first word naming an effect ends the files.

use super::cli::{self, opt, Opt, Syntax, Token, Value};
use super::fault::{Expect, MohFault, Output};

/// sox 14.4's global and format options (`sox --help`).
pub(super) const OPTIONS: &[Opt] = &[
    opt(None, &["buffer", "input-buffer", "combine", "dft-min", "effects-file", "help-effect"], Value::Yes),
    opt(None, &["help-format", "play-rate-arg", "plot", "replay-gain", "temp"], Value::Yes),
    opt(None, &["clobber", "no-clobber", "magic", "multi-threaded", "single-threaded", "version"], Value::No),
    opt(None, &["ignore-length", "no-glob", "i", "info"], Value::No),
    opt(None, &["norm"], Value::Maybe),
    opt(Some('D'), &["no-dither"], Value::No),
    opt(Some('G'), &["guard"], Value::No),
    opt(Some('h'), &["help"], Value::No),
    opt(Some('m'), &["mix"], Value::No),
    opt(Some('M'), &["merge"], Value::No),
    opt(Some('T'), &["multiply"], Value::No),
    opt(Some('q'), &["no-show-progress"], Value::No),
    opt(Some('S'), &["show-progress"], Value::No),
    opt(Some('R'), &["R"], Value::No),
    opt(Some('V'), &["V"], Value::Maybe),
    opt(Some('v'), &["volume"], Value::Yes),
    opt(Some('t'), &["type"], Value::Yes),
    opt(Some('e'), &["encoding"], Value::Yes),
    opt(Some('b'), &["bits"], Value::Yes),
    opt(Some('N'), &["reverse-nibbles"], Value::No),
    opt(Some('X'), &["reverse-bits"], Value::No),
    opt(None, &["endian"], Value::Yes),
    opt(Some('L'), &["little"], Value::No),
    opt(Some('B'), &["big"], Value::No),
    opt(Some('x'), &["swap"], Value::No),
    opt(Some('c'), &["channels"], Value::Yes),
    opt(Some('r'), &["rate"], Value::Yes),
    opt(Some('C'), &["compression"], Value::Yes),
    opt(None, &["add-comment", "comment", "comment-file"], Value::Yes),
    // Special file names.
    opt(Some('d'), &["default-device"], Value::No),
    opt(Some('n'), &["null"], Value::No),
    opt(Some('p'), &["sox-pipe"], Value::No),
];

const PSEUDO_FILES: [&str; 3] = ["default-device", "null", "sox-pipe"];

const EFFECTS: &[&str] = &[
    "allpass",
    "band",
    "bandpass",
    "bandreject",
    "bass",
    "bend",
    "biquad",
    "chorus",
    "channels",
    "compand",
    "contrast",
    "dcshift",
    "deemph",
    "delay",
    "dither",
    "divide",
    "downsample",
    "earwax",
    "echo",
    "echos",
    "equalizer",
    "fade",
    "fir",
    "firfit",
    "flanger",
    "gain",
    "highpass",
    "hilbert",
    "input",
    "ladspa",
    "loudness",
    "lowpass",
    "mcompand",
    "noiseprof",
    "noisered",
    "norm",
    "oops",
    "output",
    "overdrive",
    "pad",
    "phaser",
    "pitch",
    "rate",
    "remix",
    "repeat",
    "reverb",
    "reverse",
    "riaa",
    "silence",
    "sinc",
    "spectrogram",
    "speed",
    "splice",
    "stat",
    "stats",
    "stretch",
    "swap",
    "synth",
    "tempo",
    "treble",
    "tremolo",
    "trim",
    "upsample",
    "vad",
    "vol",
];

/// A file of the command line with the format options written before it.
struct File {
    name: String,
    options: Vec<Token>,
}

struct Read {
    files: Vec<File>,
    effects: Vec<Vec<String>>,
    unknown: Vec<String>,
}

fn read(args: &[&str]) -> Read {
    let mut read = Read { files: Vec::new(), effects: Vec::new(), unknown: Vec::new() };
    let mut pending = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if EFFECTS.contains(&args[i]) && !read.files.is_empty() {
            break;
        }
        let mut tokens = Vec::new();
        cli::next(args, &mut i, OPTIONS, Syntax::Getopt, &mut tokens);
        for t in tokens {
            match t {
                Token::Arg(name) => read.files.push(File { name, options: std::mem::take(&mut pending) }),
                Token::Opt { ref name, .. } if PSEUDO_FILES.contains(&name.as_str()) => {
                    let name = match name.as_str() {
                        "default-device" => "-d",
                        "null" => "-n",
                        _ => "-p",
                    };
                    read.files.push(File { name: name.to_string(), options: std::mem::take(&mut pending) })
                }
                Token::Unknown(o) => read.unknown.push(o),
                opt => pending.push(opt),
            }
        }
    }
    for arg in &args[i..] {
        match read.effects.last_mut() {
            Some(effect) if !EFFECTS.contains(arg) => effect.push(arg.to_string()),
            _ => read.effects.push(vec![arg.to_string()]),
        }
    }
    read
}

/// The first input file named, for the command offered instead.
pub(super) fn input<'a>(args: &[&'a str]) -> Option<&'a str> {
    let read = read(args);
    let first = read.files.first().filter(|_| read.files.len() > 1)?;
    args.iter().copied().find(|a| *a == first.name && !a.starts_with('-'))
}

pub(super) fn fix(path: &str, input: &str, rate: u32) -> String {
    format!("{path} {input} -q -t raw -r {rate} -c 1 -b 16 -e signed-integer -")
}

pub(super) fn judge(args: &[&str], expect: Expect) -> Vec<MohFault> {
    let read = read(args);
    let mut faults: Vec<MohFault> =
        read.unknown.iter().map(|o| MohFault::UnknownOption { option: o.clone() }).collect();
    if read.files.len() < 2 {
        faults.push(MohFault::NoInput);
    }
    let Some(out) = read.files.last().filter(|_| read.files.len() > 1) else { return faults };
    let value = |name: &str| cli::last(&out.options, name).flatten();
    let kind = value("type").map(str::to_ascii_lowercase);
    match out.name.as_str() {
        "-d" => faults.push(MohFault::Output(Output::SoundCard)),
        "-n" => faults.push(MohFault::Output(Output::Nothing)),
        "-p" if expect.slin => faults.push(MohFault::Encoding { given: Some("sox".into()) }),
        "-" | "-p" => {}
        file => faults.push(MohFault::Output(Output::File(file.to_string()))),
    }
    let to_stdout = out.name == "-";
    // sln: Asterisk's own format, 8000 Hz mono 16-bit; sox converts to it.
    let sln = kind.as_deref() == Some("sln");
    if to_stdout && expect.slin && !sln {
        let encoding = match kind.as_deref() {
            None => Some(None),
            Some("raw" | "s16" | "sw" | "s2") => {
                let bits = value("bits").filter(|b| *b != "16").map(|b| format!("{b}-bit"));
                let enc = value("encoding").filter(|e| !"signed-integer".starts_with(e)).map(str::to_string);
                let endian = if cli::has(&out.options, &["big", "swap"])
                    || value("endian").is_some_and(|e| e == "big" || e == "swap")
                {
                    Some("big-endian".to_string())
                } else {
                    None
                };
                bits.or(enc).or(endian).map(Some)
            }
            Some(other) => Some(Some(other.to_string())),
        };
        faults.extend(encoding.map(|given| MohFault::Encoding { given }));
    }
    if !sln {
        let effect = |names: &[&str]| read.effects.iter().rev().find(|e| names.contains(&e[0].as_str()));
        let rate = value("rate").or_else(|| {
            effect(&["rate"]).and_then(|e| e[1..].iter().rev().find(|a| cli::hertz(a).is_some()).map(|s| s.as_str()))
        });
        faults.extend(super::fault::rate_fault(rate, expect.rate));
        let channels = value("channels").map(str::to_string).or_else(|| {
            effect(&["channels", "remix"]).map(|e| match e[0].as_str() {
                "channels" => e.get(1).cloned().unwrap_or_default(),
                _ => e[1..].iter().filter(|a| !a.starts_with('-') || a.as_str() == "-").count().to_string(),
            })
        });
        match channels.as_deref() {
            Some("1") => {}
            other => faults.push(MohFault::Channels { given: other.map(str::to_string) }),
        }
    }
    if expect.directory {
        faults.push(MohFault::FilesAppended);
    }
    faults
}
