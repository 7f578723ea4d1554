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

/// Every problem found in one file (or a folder of them), reported together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    /// `N errors in FILE:` then each of them, for each file in turn.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut files: Vec<&str> = Vec::new();
        for d in &self.0 {
            if !files.contains(&d.file.as_str()) {
                files.push(&d.file);
            }
        }
        for file in files {
            let of_file: Vec<&Diagnostic> = self.0.iter().filter(|d| d.file == file).collect();
            let n = of_file.len();
            writeln!(f, "{n} error{} in {file}:", if n == 1 { "" } else { "s" })?;
            for d in of_file {
                writeln!(f, "{d}")?;
            }
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
    // Counted on the line as shown, whose line ending is left out.
    let column = text[line_start..offset].trim_end_matches('\r').chars().count() + 1;
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

    #[test]
    fn errors_of_several_files_are_counted_per_file() {
        let one = |file: &str, line| Diagnostic {
            file: file.into(),
            line,
            column: 1,
            key: "k".into(),
            message: "m".into(),
            source_line: "k = 1".into(),
            help: None,
        };
        let text = Diagnostics(vec![one("a.toml", 1), one("a.toml", 2), one("b.toml", 3)]).to_string();
        let headers: Vec<&str> = text.lines().filter(|l| l.contains(" in ")).collect();
        assert_eq!(headers, ["2 errors in a.toml:", "1 error in b.toml:"]);
    }

    #[test]
    fn a_carriage_return_is_no_column() {
        // TOML refuses a lone CR, pointing just after it.
        assert_eq!(locate("\r", 1), (1, 1, String::new()));
        assert_eq!(locate("a = 1\r\n", 6), (1, 6, "a = 1".to_string()));
    }
}
