//! The players students give music on hold, each read as it reads its own
//! command line: where its sound goes, in which format, at which rate.

use super::cli::{self, has, last, opt, Opt, Syntax, Token, Value};
use super::fault::{rate_fault, Expect, MohFault, Output};
use super::sox;

/// The faults of a known player's arguments, and a command that works.
pub(super) struct Judged {
    pub faults: Vec<MohFault>,
    pub fix: String,
}

/// `None` for a program this check does not know.
pub(super) fn judge(name: &str, path: &str, args: &[&str], expect: Expect) -> Option<Judged> {
    let rate = expect.rate;
    let table = match name {
        "mpg123" | "mpg123.bin" => MPG123,
        "madplay" => MADPLAY,
        "sox" => sox::OPTIONS,
        _ => &[],
    };
    // Judged as meant once the dash is told: the rest follows from what was meant.
    let (mut faults, meant) = one_dash(args, table);
    let args: Vec<&str> = meant.iter().map(String::as_str).collect();
    let args = args.as_slice();
    let (more, fix) = match name {
        "mpg123" | "mpg123.bin" => (mpg123(args, expect), format!("{path} -q -s -r {rate} -m")),
        "madplay" => (madplay(args, expect), format!("{path} -Q -o raw:- -R {rate} -m")),
        "sox" => {
            let input = sox::input(args).unwrap_or("/var/lib/asterisk/moh/music.wav");
            (sox::judge(args, expect), sox::fix(path, input, rate))
        }
        "play" | "rec" => {
            let sox_path = path.rsplit_once('/').map_or("/usr/bin/sox".to_string(), |(d, _)| format!("{d}/sox"));
            let input = args.iter().find(|a| !a.starts_with('-')).copied().unwrap_or("/var/lib/asterisk/moh/music.wav");
            (vec![MohFault::Output(Output::SoundCard)], sox::fix(&sox_path, input, rate))
        }
        "ffmpeg" | "avconv" => {
            let input = ffmpeg_input(args).unwrap_or("/var/lib/asterisk/moh/music.wav");
            (ffmpeg(args, expect), format!("{path} -loglevel quiet -i {input} -f s16le -ar {rate} -ac 1 -"))
        }
        _ => return None,
    };
    faults.extend(more);
    Some(Judged { faults, fix })
}

/// `-output=raw:-` meant as `--output=raw:-`: a long option's name after a
/// single dash, which the program reads as letters (`-o utput=raw:-`).
fn one_dash(args: &[&str], table: &[Opt]) -> (Vec<MohFault>, Vec<String>) {
    let mut faults = Vec::new();
    let meant = args
        .iter()
        .map(|a| {
            let name = a.strip_prefix('-').filter(|n| !n.starts_with('-')).map(|n| n.split('=').next().unwrap_or(n));
            match name {
                Some(n) if n.len() > 1 && table.iter().any(|o| o.long.contains(&n)) => {
                    let fixed = format!("-{a}");
                    faults.push(MohFault::OneDash { written: a.to_string(), meant: fixed.clone() });
                    fixed
                }
                _ => a.to_string(),
            }
        })
        .collect();
    (faults, meant)
}

fn unknown(tokens: &[Token]) -> Vec<MohFault> {
    tokens
        .iter()
        .filter_map(|t| match t {
            Token::Unknown(o) => Some(MohFault::UnknownOption { option: o.clone() }),
            _ => None,
        })
        .collect()
}

/// mpg123 1.3x (`mpg123 --longhelp`).
const MPG123: &[Opt] = &[
    opt(Some('k'), &["skip"], Value::Yes),
    opt(None, &["skip-id3v2"], Value::No),
    opt(Some('n'), &["frames"], Value::Yes),
    opt(None, &["fuzzy"], Value::No),
    opt(Some('y'), &["no-resync", "resync"], Value::No),
    opt(Some('F'), &["no-frankenstein"], Value::No),
    opt(Some('p'), &["proxy"], Value::Yes),
    opt(None, &["network"], Value::Yes),
    opt(Some('u'), &["auth"], Value::Yes),
    opt(None, &["auth-file"], Value::Yes),
    opt(None, &["ignore-mime"], Value::No),
    opt(None, &["no-seekbuffer"], Value::No),
    opt(Some('@'), &["list"], Value::Yes),
    opt(Some('l'), &["listentry"], Value::Yes),
    opt(None, &["continue"], Value::No),
    opt(None, &["loop"], Value::Yes),
    opt(None, &["keep-open"], Value::No),
    opt(None, &["timeout"], Value::Yes),
    opt(Some('z'), &["shuffle"], Value::No),
    opt(Some('Z'), &["random"], Value::No),
    opt(None, &["no-icy-meta"], Value::No),
    opt(Some('i'), &["index"], Value::No),
    opt(None, &["index-size"], Value::Yes),
    opt(None, &["preframes"], Value::Yes),
    opt(None, &["resync-limit"], Value::Yes),
    opt(None, &["streamdump"], Value::Yes),
    opt(None, &["icy-interval"], Value::Yes),
    opt(None, &["ignore-streamlength"], Value::No),
    opt(Some('o'), &["output"], Value::Yes),
    opt(None, &["list-modules"], Value::No),
    opt(None, &["list-devices"], Value::No),
    opt(Some('a'), &["audiodevice"], Value::Yes),
    opt(Some('s'), &["stdout"], Value::No),
    opt(Some('O'), &["outfile"], Value::Yes),
    opt(Some('w'), &["wav"], Value::Yes),
    opt(None, &["au"], Value::Yes),
    opt(None, &["cdr"], Value::Yes),
    opt(None, &["reopen"], Value::No),
    opt(None, &["cpu"], Value::Yes),
    opt(None, &["test-cpu"], Value::No),
    opt(None, &["list-cpu"], Value::No),
    opt(Some('g'), &["gain"], Value::Yes),
    opt(Some('f'), &["scale"], Value::Yes),
    opt(None, &["rva-mix", "rva-radio", "rva-album", "rva-audiophile"], Value::No),
    opt(Some('0'), &["left", "single0"], Value::No),
    opt(Some('1'), &["right", "single1"], Value::No),
    opt(Some('m'), &["mono", "mix"], Value::No),
    opt(None, &["stereo"], Value::No),
    opt(Some('r'), &["rate"], Value::Yes),
    opt(None, &["resample"], Value::Yes),
    opt(Some('2'), &["2to1"], Value::No),
    opt(Some('4'), &["4to1"], Value::No),
    opt(None, &["pitch"], Value::Yes),
    opt(None, &["8bit"], Value::No),
    opt(None, &["float"], Value::No),
    opt(Some('e'), &["encoding"], Value::Yes),
    opt(Some('d'), &["doublespeed"], Value::Yes),
    opt(Some('h'), &["halfspeed"], Value::Yes),
    opt(Some('E'), &["equalizer"], Value::Yes),
    opt(None, &["gapless", "no-gapless", "no-infoframe"], Value::No),
    opt(Some('D'), &["delay"], Value::Yes),
    opt(None, &["headphones", "speaker", "lineout"], Value::No),
    opt(Some('b'), &["buffer"], Value::Yes),
    opt(None, &["preload"], Value::Yes),
    opt(None, &["smooth"], Value::No),
    opt(None, &["devbuffer"], Value::Yes),
    opt(Some('t'), &["test"], Value::No),
    opt(Some('c'), &["check"], Value::No),
    opt(Some('v'), &["verbose"], Value::No),
    opt(Some('q'), &["quiet"], Value::No),
    opt(Some('C'), &["control"], Value::No),
    opt(None, &["no-control", "no-visual", "title", "long-tag", "lyrics", "utf8"], Value::No),
    opt(None, &["ctrlusr1", "ctrlusr2", "pauseloop", "name", "fifo"], Value::Yes),
    opt(Some('R'), &["remote"], Value::No),
    opt(None, &["remote-err", "aggressive"], Value::No),
    opt(Some('T'), &["realtime"], Value::No),
    opt(Some('?'), &["help", "longhelp", "version"], Value::No),
];

fn mpg123(args: &[&str], expect: Expect) -> Vec<MohFault> {
    let tokens = cli::parse(args, MPG123, Syntax::Mpg123);
    let mut faults = unknown(&tokens);
    let to = |name: &str| last(&tokens, name).flatten();
    let output = if has(&tokens, &["test"]) {
        Some(Output::Nothing)
    } else if has(&tokens, &["stdout"]) || to("outfile") == Some("-") {
        None
    } else if let Some(f) = ["outfile", "wav", "au", "cdr"].iter().find_map(|n| to(n).filter(|f| *f != "-")) {
        Some(Output::File(f.to_string()))
    } else if ["wav", "au", "cdr"].iter().any(|n| to(n) == Some("-")) {
        None
    } else {
        Some(Output::SoundCard)
    };
    faults.extend(output.map(MohFault::Output));
    if expect.slin {
        let headed = [("wav", "WAV"), ("au", "Sun AU"), ("cdr", "CD audio")];
        let mut encoding = headed.iter().find(|(n, _)| to(n) == Some("-")).map(|(_, w)| w.to_string());
        if has(&tokens, &["8bit"]) {
            encoding = Some("8-bit".into());
        } else if has(&tokens, &["float"]) {
            encoding = Some("floating point".into());
        } else if let Some(e) = to("encoding").filter(|e| *e != "s16") {
            encoding = Some(e.to_string());
        }
        faults.extend(encoding.map(|g| MohFault::Encoding { given: Some(g) }));
    }
    faults.extend(rate_fault(to("rate"), expect.rate));
    if has(&tokens, &["stereo"]) {
        faults.push(MohFault::Channels { given: Some("2".into()) });
    } else if !has(&tokens, &["mono", "left", "right"]) {
        faults.push(MohFault::Channels { given: None });
    }
    let files = tokens.iter().any(|t| matches!(t, Token::Arg(_))) || has(&tokens, &["list"]);
    if !files && !expect.directory {
        faults.push(MohFault::NoInput);
    }
    faults
}

/// madplay 0.15 (`madplay --help`).
const MADPLAY: &[Opt] = &[
    opt(Some('v'), &["verbose"], Value::No),
    opt(Some('q'), &["quiet"], Value::No),
    opt(Some('Q'), &["very-quiet"], Value::No),
    opt(None, &["display-time"], Value::Yes),
    opt(None, &["downsample"], Value::No),
    opt(Some('i'), &["ignore-crc"], Value::No),
    opt(None, &["ancillary-output"], Value::Yes),
    opt(Some('o'), &["output"], Value::Yes),
    opt(Some('b'), &["bit-depth"], Value::Yes),
    opt(Some('R'), &["sample-rate"], Value::Yes),
    opt(Some('d'), &["no-dither"], Value::No),
    opt(None, &["fade-in"], Value::Maybe),
    opt(Some('a'), &["attenuate", "amplify"], Value::Yes),
    opt(Some('A'), &["adjust-volume"], Value::Yes),
    opt(Some('G'), &["replay-gain"], Value::Maybe),
    opt(Some('1'), &["left"], Value::No),
    opt(Some('2'), &["right"], Value::No),
    opt(Some('m'), &["mono"], Value::No),
    opt(Some('S'), &["stereo"], Value::No),
    opt(Some('s'), &["start"], Value::Yes),
    opt(Some('t'), &["time"], Value::Yes),
    opt(Some('z'), &["shuffle"], Value::No),
    opt(Some('r'), &["repeat"], Value::Maybe),
    opt(None, &["tty-control", "no-tty-control"], Value::No),
    opt(Some('T'), &["show-tags-only"], Value::No),
    opt(Some('V'), &["version"], Value::No),
    opt(None, &["license"], Value::No),
    opt(Some('h'), &["help"], Value::No),
];

fn madplay(args: &[&str], expect: Expect) -> Vec<MohFault> {
    let tokens = cli::parse(args, MADPLAY, Syntax::Getopt);
    let mut faults = unknown(&tokens);
    // `-o raw:-`: a type, then a path; without a type, the path's extension says it.
    let (kind, path) = match last(&tokens, "output").flatten() {
        None => (None, None),
        Some(o) => match o.split_once(':') {
            Some((t, p)) if ["cdda", "aiff", "wave", "snd", "raw", "hex", "null"].contains(&t) => {
                (Some(t.to_string()), Some(p.to_string()))
            }
            _ => {
                let ext = o.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
                let kind = match ext.as_deref() {
                    Some("wav") => "wave",
                    Some("cdr" | "cda") => "cdda",
                    Some("aif" | "aiff") => "aiff",
                    Some("au" | "snd") => "snd",
                    _ => "raw",
                };
                (Some(kind.to_string()), Some(o.to_string()))
            }
        },
    };
    match (kind.as_deref(), path.as_deref()) {
        (None, _) => faults.push(MohFault::Output(Output::SoundCard)),
        (Some("null"), _) => faults.push(MohFault::Output(Output::Nothing)),
        (_, Some(p)) if p != "-" => faults.push(MohFault::Output(Output::File(p.to_string()))),
        (Some(k), _) if k != "raw" && expect.slin => faults.push(MohFault::Encoding { given: Some(k.to_string()) }),
        _ => {}
    }
    if let Some(bits) = last(&tokens, "bit-depth").flatten().filter(|b| *b != "16" && expect.slin) {
        faults.push(MohFault::Encoding { given: Some(format!("{bits}-bit")) });
    }
    faults.extend(rate_fault(last(&tokens, "sample-rate").flatten(), expect.rate));
    if has(&tokens, &["stereo"]) {
        faults.push(MohFault::Channels { given: Some("2".into()) });
    } else if !has(&tokens, &["mono", "left", "right"]) {
        faults.push(MohFault::Channels { given: None });
    }
    if !tokens.iter().any(|t| matches!(t, Token::Arg(_))) && !expect.directory {
        faults.push(MohFault::NoInput);
    }
    faults
}

/// ffmpeg's options that take no value; every other one takes one.
const FFMPEG_FLAGS: &[&str] = &[
    "y",
    "n",
    "nostdin",
    "hide_banner",
    "re",
    "vn",
    "an",
    "sn",
    "dn",
    "stats",
    "nostats",
    "shortest",
    "copyts",
    "start_at_zero",
    "benchmark",
    "benchmark_all",
    "xerror",
    "ignore_unknown",
    "debug_ts",
    "accurate_seek",
    "noaccurate_seek",
    "h",
    "help",
    "version",
];

/// ffmpeg's `-name value` pairs and its files, in order.
fn ffmpeg_tokens<'a>(args: &[&'a str]) -> Vec<(&'a str, Option<&'a str>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        i += 1;
        match a.strip_prefix('-') {
            Some(name) if !name.is_empty() && !FFMPEG_FLAGS.contains(&name) => {
                out.push((name, args.get(i).copied()));
                i += 1;
            }
            Some(name) if !name.is_empty() => out.push((name, None)),
            _ => out.push(("", Some(a))),
        }
    }
    out
}

fn ffmpeg_input<'a>(args: &[&'a str]) -> Option<&'a str> {
    ffmpeg_tokens(args).into_iter().rev().find(|(n, _)| *n == "i").and_then(|(_, v)| v)
}

fn ffmpeg(args: &[&str], expect: Expect) -> Vec<MohFault> {
    let tokens = ffmpeg_tokens(args);
    let mut faults = Vec::new();
    // What applies to the output: the options after the last input.
    let after = tokens.iter().rposition(|(n, _)| *n == "i").map_or(0, |p| p + 1);
    let out_opts = &tokens[after..];
    let value = |names: &[&str]| out_opts.iter().rev().find(|(n, _)| names.contains(n)).and_then(|(_, v)| *v);
    let format = value(&["f"]);
    let output = out_opts.iter().rev().find(|(n, _)| n.is_empty()).and_then(|(_, v)| *v);
    match (output, format) {
        (_, Some("alsa" | "pulse" | "oss" | "sndio" | "audiotoolbox")) => {
            faults.push(MohFault::Output(Output::SoundCard))
        }
        (_, Some("null")) => faults.push(MohFault::Output(Output::Nothing)),
        (None, _) => faults.push(MohFault::Output(Output::Nothing)),
        (Some(o), _) if !["-", "pipe:", "pipe:1"].contains(&o) => {
            faults.push(MohFault::Output(Output::File(o.to_string())))
        }
        _ if !expect.slin => {}
        (_, Some("s16le")) => {
            if let Some(c) = value(&["acodec", "c:a", "codec:a", "c", "codec"]).filter(|c| *c != "pcm_s16le") {
                faults.push(MohFault::Encoding { given: Some(c.to_string()) });
            }
        }
        (_, f) => faults.push(MohFault::Encoding { given: f.map(str::to_string) }),
    }
    faults.extend(rate_fault(value(&["ar"]), expect.rate));
    match value(&["ac"]) {
        Some("1") => {}
        other => faults.push(MohFault::Channels { given: other.map(str::to_string) }),
    }
    if !tokens.iter().any(|(n, _)| *n == "i") {
        faults.push(MohFault::NoInput);
    }
    if expect.directory {
        faults.push(MohFault::FilesAppended);
    }
    faults
}
