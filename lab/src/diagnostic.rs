//! Errors in a lab or scenario file that point at a file, a line, a column and a key.

use std::fmt;
use std::ops::Range;

/// One problem found in a lab file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Dotted path of the offending key, e.g. `sites[2].cabinets`.
    pub key: String,
    pub message: String,
    /// The source line, for the caret display.
    pub source_line: String,
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.key.is_empty() {
            write!(f, "`{}`: ", self.key)?;
        }
        writeln!(f, "{}", self.message)?;
        writeln!(f, "  {:>4} | {}", self.line, self.source_line)?;
        write!(f, "       | {}^", " ".repeat(self.column.saturating_sub(1)))?;
        if let Some(help) = &self.help {
            write!(f, "\n       = help: {help}")?;
        }
        Ok(())
    }
}

/// Every problem found in one lab file, reported together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        let file = self.0.first().map_or("", |d| d.file.as_str());
        writeln!(f, "{n} error{} in {file}:", if n == 1 { "" } else { "s" })?;
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Collects diagnostics against one source text.
pub(crate) struct Collector<'a> {
    file: &'a str,
    text: &'a str,
    found: Vec<Diagnostic>,
}

impl<'a> Collector<'a> {
    pub fn new(file: &'a str, text: &'a str) -> Self {
        Self { file, text, found: Vec::new() }
    }

    pub fn error(&mut self, span: Range<usize>, key: impl Into<String>, message: impl Into<String>) {
        self.push(span, key.into(), message.into(), None);
    }

    pub fn error_with_help(
        &mut self,
        span: Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.push(span, key.into(), message.into(), Some(help.into()));
    }

    fn push(&mut self, span: Range<usize>, key: String, message: String, help: Option<String>) {
        let (line, column, source_line) = locate(self.text, span.start);
        self.found.push(Diagnostic { file: self.file.to_string(), line, column, key, message, source_line, help });
    }

    /// How many problems were found so far.
    pub fn count(&self) -> usize {
        self.found.len()
    }

    pub fn finish(mut self) -> Result<(), Diagnostics> {
        if self.found.is_empty() {
            return Ok(());
        }
        self.found.sort_by_key(|d| (d.line, d.column));
        Err(Diagnostics(self.found))
    }
}

/// 1-based line and column (in characters) of a byte offset, with the line's text.
fn locate(text: &str, offset: usize) -> (usize, usize, String) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
    (line, column, text[line_start..line_end].trim_end_matches('\r').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_line_and_column() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(locate(text, 6), (2, 1, "bb = 2".to_string()));
        assert_eq!(locate(text, 11), (2, 6, "bb = 2".to_string()));
    }
}
