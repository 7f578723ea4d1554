//! Dialplan extension names and `_patterns`: how Asterisk matches them, and
//! the patterns that cannot be what their author meant.

/// Special extension names of the dialplan, never numbers.
const SPECIAL: [&str; 10] = ["s", "i", "t", "T", "h", "e", "o", "a", "fax", "talk"];

/// Does an Asterisk extension name or `_pattern` match `number`?
pub fn matches(name: &str, number: &str) -> bool {
    // `13/0320000113` matches on caller ID too: the number part decides here.
    let name = name.split('/').next().unwrap_or(name);
    match name.strip_prefix('_') {
        None => name == number,
        Some(pattern) => pattern_matches(pattern.as_bytes(), number.as_bytes()),
    }
}

fn pattern_matches(p: &[u8], n: &[u8]) -> bool {
    let Some((&c, rest)) = p.split_first() else {
        return n.is_empty();
    };
    match c {
        b'.' => !n.is_empty(),
        b'!' => true,
        b'[' => {
            let Some(end) = rest.iter().position(|&b| b == b']') else {
                return false;
            };
            let set = &rest[..end];
            let Some((&d, n_rest)) = n.split_first() else {
                return false;
            };
            let mut i = 0;
            let mut hit = false;
            while i < set.len() {
                if i + 2 < set.len() && set[i + 1] == b'-' {
                    hit |= (set[i]..=set[i + 2]).contains(&d);
                    i += 3;
                } else {
                    hit |= set[i] == d;
                    i += 1;
                }
            }
            hit && pattern_matches(&rest[end + 1..], n_rest)
        }
        _ => {
            let Some((&d, n_rest)) = n.split_first() else {
                return false;
            };
            let ok = match c.to_ascii_uppercase() {
                b'X' => d.is_ascii_digit(),
                b'Z' => (b'1'..=b'9').contains(&d),
                b'N' => (b'2'..=b'9').contains(&d),
                _ => c == d,
            };
            ok && pattern_matches(rest, n_rest)
        }
    }
}

/// What is wrong with an extension name, when it cannot mean what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suspicion {
    /// `_*`: a pattern without X, N, Z, `.`, `!` or `[…]` matches its own
    /// characters only, so `_*` routes the lone `*` and nothing else.
    NoWildcard { literal: String },
    /// `_ONXXXXXXXX`: the letter O is a literal letter, not the digit 0.
    LetterO { fixed: String },
    /// `0NXXXXXXXX` without `_`: taken as the literal name, letters and all.
    NoUnderscore,
}

/// Looks at one extension name as written after `exten =>`.
pub fn suspicion(name: &str) -> Option<Suspicion> {
    let name = name.split('/').next().unwrap_or(name);
    match name.strip_prefix('_') {
        Some(body) => {
            if body.contains(['O', 'o']) {
                let fixed = body.replace(['O', 'o'], "0");
                return Some(Suspicion::LetterO { fixed: format!("_{fixed}") });
            }
            let wild = body.contains(['X', 'x', 'N', 'n', 'Z', 'z', '.', '!', '[']);
            (!wild).then(|| Suspicion::NoWildcard { literal: body.to_string() })
        }
        None => {
            let pattern_like = name.chars().all(|c| c.is_ascii_digit() || "XxNnZz.!*#[]-".contains(c))
                && name.contains(['X', 'x', 'N', 'n', 'Z', 'z', '.', '!', '['])
                && !SPECIAL.contains(&name);
            pattern_like.then_some(Suspicion::NoUnderscore)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asterisk_patterns_match_as_asterisk_does() {
        assert!(matches("13", "13"));
        assert!(!matches("13", "130"));
        assert!(matches("_*2XX", "*213"));
        assert!(!matches("_*2XX", "*313"));
        assert!(matches("_0NXXXXXXXX", "0212345678"));
        assert!(!matches("_0NXXXXXXXX", "0112345678"));
        assert!(matches("_03200001XX", "0320000113"));
        assert!(matches("_[1-4]X", "31"));
        assert!(!matches("_[1-4]X", "51"));
        assert!(matches("_X.", "123"));
        assert!(!matches("_X.", "1"));
        assert!(matches("13/0320000213", "13"));
        // The SAE report's `_*` matches only a lone star: it routes nothing.
        assert!(matches("_*", "*"));
        assert!(!matches("_*", "*213"));
        assert!(!matches("_ONXXXXXXXX", "0212345678"));
    }

    #[test]
    fn patterns_that_cannot_be_meant() {
        assert_eq!(suspicion("_*"), Some(Suspicion::NoWildcard { literal: "*".into() }));
        assert_eq!(suspicion("_ONXXXXXXXX"), Some(Suspicion::LetterO { fixed: "_0NXXXXXXXX".into() }));
        assert_eq!(suspicion("0NXXXXXXXX"), Some(Suspicion::NoUnderscore));
        assert_eq!(suspicion("*2XX"), Some(Suspicion::NoUnderscore));
        for fine in [
            "_*X.",
            "_*2XX",
            "_0NXXXXXXXX",
            "_03200001[1-8][123]",
            "13",
            "888",
            "0320000188",
            "s",
            "i",
            "t",
            "*8",
            "fax",
        ] {
            assert_eq!(suspicion(fine), None, "{fine}");
        }
    }
}
