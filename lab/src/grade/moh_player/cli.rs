//! A player's command line read as the player itself reads it: which
//! options it has, which take a value, and how it spells them.

/// Whether an option takes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Value {
    No,
    /// `-r 8000`, `-r8000`, `--rate 8000` (and `--rate=8000` under getopt).
    Yes,
    /// Only attached: `-V3`, `--repeat=2`.
    Maybe,
}

/// One option: its one-letter form, its long names (the first names it),
/// and whether it takes a value.
#[derive(Debug, Clone, Copy)]
pub(super) struct Opt {
    pub short: Option<char>,
    pub long: &'static [&'static str],
    pub value: Value,
}

pub(super) const fn opt(short: Option<char>, long: &'static [&'static str], value: Value) -> Opt {
    Opt { short, long, value }
}

/// How a program reads its long options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Syntax {
    /// GNU getopt_long: `--name=value`, and any unambiguous prefix of a name.
    Getopt,
    /// mpg123's own reader: `--name value` only, whole names only.
    Mpg123,
}

/// One thing read from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    /// An option, by its first long name (or its letter), with its value.
    Opt { name: String, value: Option<String> },
    /// A file, URL or `-`.
    Arg(String),
    /// An option the program does not have, as written.
    Unknown(String),
}

/// Reads the next token at `args[*i]`, moving `i` past it (and its value).
pub(super) fn next(args: &[&str], i: &mut usize, opts: &[Opt], syntax: Syntax, out: &mut Vec<Token>) {
    let arg = args[*i];
    *i += 1;
    if arg == "-" || !arg.starts_with('-') {
        out.push(Token::Arg(arg.to_string()));
        return;
    }
    if let Some(long) = arg.strip_prefix("--") {
        let (name, attached) = match long.split_once('=') {
            Some((n, v)) if syntax == Syntax::Getopt => (n, Some(v.to_string())),
            _ => (long, None),
        };
        let Some(o) = find_long(opts, name, syntax) else {
            out.push(Token::Unknown(arg.to_string()));
            return;
        };
        let value = match (o.value, attached) {
            (Value::No, Some(_)) => {
                out.push(Token::Unknown(arg.to_string()));
                return;
            }
            (_, Some(v)) => Some(v),
            (Value::Yes, None) => take(args, i),
            _ => None,
        };
        out.push(Token::Opt { name: key(o), value });
        return;
    }
    // `-abc`: letters, the last one's value attached or next.
    let letters: Vec<char> = arg[1..].chars().collect();
    for (n, c) in letters.iter().enumerate() {
        let Some(o) = opts.iter().find(|o| o.short == Some(*c)) else {
            out.push(Token::Unknown(format!("-{c}")));
            return;
        };
        let rest: String = letters[n + 1..].iter().collect();
        let value = match o.value {
            Value::No => None,
            _ if !rest.is_empty() => Some(rest),
            Value::Yes => take(args, i),
            Value::Maybe => None,
        };
        let done = value.is_some() && o.value != Value::No;
        out.push(Token::Opt { name: key(o), value });
        if done {
            return;
        }
    }
}

/// Reads a whole command line.
pub(super) fn parse(args: &[&str], opts: &[Opt], syntax: Syntax) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--" {
            out.extend(args[i + 1..].iter().map(|a| Token::Arg(a.to_string())));
            break;
        }
        next(args, &mut i, opts, syntax, &mut out);
    }
    out
}

fn take(args: &[&str], i: &mut usize) -> Option<String> {
    let v = args.get(*i)?;
    *i += 1;
    Some(v.to_string())
}

fn key(o: &Opt) -> String {
    o.long.first().map_or_else(|| o.short.map(String::from).unwrap_or_default(), |l| l.to_string())
}

fn find_long<'a>(opts: &'a [Opt], name: &str, syntax: Syntax) -> Option<&'a Opt> {
    if name.is_empty() {
        return None;
    }
    if let Some(o) = opts.iter().find(|o| o.long.contains(&name)) {
        return Some(o);
    }
    if syntax != Syntax::Getopt {
        return None;
    }
    let mut prefixed = opts.iter().filter(|o| o.long.iter().any(|l| l.starts_with(name)));
    match (prefixed.next(), prefixed.next()) {
        (Some(o), None) => Some(o),
        _ => None,
    }
}

/// The value of the last option `name`, or whether it was given at all.
pub(super) fn last<'a>(tokens: &'a [Token], name: &str) -> Option<Option<&'a str>> {
    tokens.iter().rev().find_map(|t| match t {
        Token::Opt { name: n, value } if n == name => Some(value.as_deref()),
        _ => None,
    })
}

pub(super) fn has(tokens: &[Token], names: &[&str]) -> bool {
    tokens.iter().any(|t| matches!(t, Token::Opt { name, .. } if names.contains(&name.as_str())))
}

/// `8000`, `8k`, `8000.0`: in hertz.
pub(super) fn hertz(value: &str) -> Option<u32> {
    let v = value.trim();
    let (number, factor) = match v.strip_suffix(['k', 'K']) {
        Some(n) => (n, 1000.0),
        None => (v, 1.0),
    };
    let hz: f64 = number.parse().ok()?;
    Some((hz * factor).round() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTS: &[Opt] = &[
        opt(Some('s'), &["stdout"], Value::No),
        opt(Some('r'), &["rate"], Value::Yes),
        opt(Some('m'), &["mono", "mix"], Value::No),
        opt(None, &["repeat"], Value::Maybe),
    ];

    fn names(args: &str, syntax: Syntax) -> Vec<Token> {
        parse(&args.split(' ').collect::<Vec<_>>(), OPTS, syntax)
    }

    #[test]
    fn options_are_read_as_the_program_reads_them() {
        let o = |n: &str, v: Option<&str>| Token::Opt { name: n.into(), value: v.map(String::from) };
        assert_eq!(
            names("-sm -r8000 x.mp3", Syntax::Getopt),
            [o("stdout", None), o("mono", None), o("rate", Some("8000")), Token::Arg("x.mp3".into())]
        );
        assert_eq!(names("--rate=8000 --mo", Syntax::Getopt), [o("rate", Some("8000")), o("mono", None)]);
        assert_eq!(names("--rate=8000", Syntax::Mpg123), [Token::Unknown("--rate=8000".into())]);
        assert_eq!(names("--rate 8000 --mix", Syntax::Mpg123), [o("rate", Some("8000")), o("mono", None)]);
        assert_eq!(
            names("-x --stdout=1", Syntax::Getopt),
            [Token::Unknown("-x".into()), Token::Unknown("--stdout=1".into())]
        );
        assert_eq!(names("--repeat -", Syntax::Getopt), [o("repeat", None), Token::Arg("-".into())]);
        assert_eq!(hertz("8k"), Some(8000));
        assert_eq!(hertz("44100"), Some(44100));
    }
}
