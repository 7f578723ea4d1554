//! Text in SVG and HTML: escaping, and (in tests) a well-formedness check, so
//! the pictures open in any browser without an XML library in the build.

/// Escapes text for element content and double-quoted attributes.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // XML 1.0 forbids most control characters, even escaped; SIP
            // headers seen on the wire may carry them.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Whether `text` is well-formed XML as far as pictures need: tags balanced,
/// attributes quoted, `&` only in entities. Enough to catch a forgotten escape
/// or an unclosed element; no DTD, CDATA or processing instructions beyond `<?xml`.
#[cfg(test)]
pub(crate) fn well_formed(text: &str) -> Result<(), String> {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = text;
    let mut roots = 0;
    while let Some(i) = rest.find(['<', '&']) {
        check_text(&rest[..i])?;
        if rest[i..].starts_with('&') {
            let end = rest[i..].find(';').ok_or("& without ;")?;
            let entity = &rest[i + 1..i + end];
            let known = ["amp", "lt", "gt", "quot", "apos"].contains(&entity)
                || entity.strip_prefix('#').is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
            if !known {
                return Err(format!("unknown entity &{entity};"));
            }
            rest = &rest[i + end + 1..];
            continue;
        }
        let tag_text = &rest[i..];
        if let Some(after) = tag_text.strip_prefix("<!--") {
            let end = after.find("-->").ok_or("unclosed comment")?;
            rest = &after[end + 3..];
            continue;
        }
        let end = tag_text.find('>').ok_or("unclosed tag")?;
        let tag = &tag_text[1..end];
        rest = &tag_text[end + 1..];
        if tag.starts_with("?xml") || tag.starts_with("!DOCTYPE") {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            match open.pop() {
                Some(o) if o == name.trim() => {}
                o => return Err(format!("</{name}> closes {o:?}")),
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let body = tag.trim_end_matches('/');
        let name = body.split_whitespace().next().ok_or("empty tag")?;
        check_attributes(&body[name.len()..])?;
        if open.is_empty() {
            roots += 1;
        }
        if !self_closing {
            open.push(name);
        }
    }
    check_text(rest)?;
    match (open.last(), roots) {
        (Some(o), _) => Err(format!("<{o}> never closed")),
        (None, 1) => Ok(()),
        (None, n) => Err(format!("{n} root elements")),
    }
}

#[cfg(test)]
fn check_text(t: &str) -> Result<(), String> {
    match t.find('>') {
        Some(_) => Err(format!("raw > in text near {:?}", &t[..t.len().min(40)])),
        None => Ok(()),
    }
}

#[cfg(test)]
fn check_attributes(mut a: &str) -> Result<(), String> {
    loop {
        a = a.trim_start();
        if a.is_empty() {
            return Ok(());
        }
        let eq = a.find('=').ok_or_else(|| format!("attribute without value: {a:?}"))?;
        let value = &a[eq + 1..];
        let value = value.strip_prefix('"').ok_or_else(|| format!("unquoted attribute: {a:?}"))?;
        let close = value.find('"').ok_or("unclosed attribute")?;
        if value[..close].contains('<') {
            return Err(format!("< in attribute {:?}", &a[..eq]));
        }
        a = &value[close + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_stays_well_formed() {
        let doc = format!("<svg a=\"{}\"><text>{}</text><g/></svg>", esc("x\"<y"), esc("a & b <c> \u{1}"));
        assert_eq!(well_formed(&doc), Ok(()));
        assert!(well_formed("<svg><text>a & b</text></svg>").is_err());
        assert!(well_formed("<svg><g></svg>").is_err());
        assert!(well_formed("<svg a=b></svg>").is_err());
    }
}
