//! Text bound for XML (SVG, JUnit) and HTML: what XML cannot carry, the
//! escaping left to hand-written SVG, and (in tests) a well-formedness check.

use std::borrow::Cow;

/// `s` with the control characters XML 1.0 forbids, even escaped, replaced
/// by U+FFFD; tab and line ends stay. SIP headers seen on the wire and
/// command output in a check's failure may carry them.
pub(crate) fn printable(s: &str) -> Cow<'_, str> {
    let forbidden = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if s.contains(forbidden) {
        Cow::Owned(s.chars().map(|c| if forbidden(c) { '\u{fffd}' } else { c }).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// Escapes text for element content and double-quoted attributes of the
/// topology picture, which is written with `format!` (see `graph.rs`).
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in printable(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether `text` is one well-formed XML element (after an optional
/// declaration): tags balanced, attributes quoted, `&` only in known
/// entities. Catches a forgotten escape or an unclosed element.
#[cfg(test)]
pub(crate) fn well_formed(text: &str) -> Result<(), String> {
    use quick_xml::events::Event;

    let mut reader = quick_xml::Reader::from_str(text);
    let (mut depth, mut roots) = (0usize, 0usize);
    loop {
        let event = reader.read_event().map_err(|e| format!("at {}: {e}", reader.error_position()))?;
        let start = match &event {
            Event::Start(e) | Event::Empty(e) => Some(e),
            _ => None,
        };
        if let Some(e) = start {
            if depth == 0 {
                roots += 1;
            }
            for a in e.attributes().with_checks(true) {
                let a = a.map_err(|e| e.to_string())?;
                quick_xml::escape::unescape(&a.value).map_err(|e| format!("attribute {:?}: {e}", a.value))?;
            }
        }
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            Event::GeneralRef(r) => {
                let name = r.borrow().into_inner();
                let known = ["amp", "lt", "gt", "quot", "apos"].contains(&name.as_ref());
                if !known && !matches!(r.resolve_char_ref(), Ok(Some(_))) {
                    return Err(format!("unknown entity &{name};"));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match (depth, roots) {
        (0, 1) => Ok(()),
        (0, n) => Err(format!("{n} root elements")),
        (_, _) => Err("an element is never closed".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_stays_well_formed() {
        let doc = format!("<svg a=\"{}\"><text>{}</text><g/></svg>", esc("x\"<y"), esc("a & b <c> \u{1}"));
        assert_eq!(well_formed(&doc), Ok(()));
        assert!(doc.contains("a &amp; b &lt;c&gt; \u{fffd}"), "{doc}");
        assert!(well_formed("<svg><text>a & b</text></svg>").is_err());
        assert!(well_formed("<svg><text>&nbsp;</text></svg>").is_err());
        assert!(well_formed("<svg><g></svg>").is_err());
        assert!(well_formed("<svg><g>").is_err());
        assert!(well_formed("<svg a=b></svg>").is_err());
        assert!(well_formed("<svg/><svg/>").is_err());
        assert_eq!(well_formed("<?xml version=\"1.0\"?>\n<svg>&#39;&apos;</svg>"), Ok(()));
    }
}
