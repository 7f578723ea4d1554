//! Errors in a lab, scenario or mapping file that point at a file, a line, a
//! column and a key, drawn by miette the way cargo users know: the place, the
//! source line with the offending text underlined, and the help.

use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};

/// One problem found in a file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based line and column (in characters) where the problem starts.
    pub line: usize,
    pub column: usize,
    /// Dotted path of the offending key, e.g. `sites[2].cabinets`.
    pub key: String,
    pub message: String,
    /// The source line, as quoted under the place.
    pub source_line: String,
    pub help: Option<String>,
    /// Byte range of the offending key or value in the file.
    pub span: Range<usize>,
    source: Arc<FileText>,
}

impl fmt::Display for Diagnostic {
    /// The headline: the key, then what is wrong with it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.key.is_empty() {
            write!(f, "`{}`: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&*self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::underline(self.span.clone()))))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
}

/// Every problem found in one file (or a folder of them), reported together.
#[derive(Debug, Clone, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    /// `N errors in FILE:` then each of them drawn, for each file in turn.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Long messages are left to the reader's terminal to wrap.
        let handler = GraphicalReportHandler::new_themed(theme().clone()).with_wrap_lines(false);
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
                writeln!(f)?;
                handler.render_report(f, d)?;
            }
        }
        Ok(())
    }
}

static THEME: OnceLock<GraphicalTheme> = OnceLock::new();

/// How diagnostics are drawn from now on, e.g. in colour for a terminal. A
/// program says so once, at its start; until then (and in tests) they are
/// plain ASCII text.
pub fn set_theme(theme: GraphicalTheme) {
    // A second call changes nothing: the first program-wide choice holds.
    let _ = THEME.set(theme);
}

fn theme() -> &'static GraphicalTheme {
    THEME.get_or_init(GraphicalTheme::none)
}

/// A file's text as miette reads it, with two changes: a snippet is the line
/// (or lines) holding the span alone, like cargo's (miette adds a line above
/// and below), and the column is counted in characters (miette counts bytes).
struct FileText {
    name: String,
    text: String,
}

impl fmt::Debug for FileText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileText").field("name", &self.name).finish_non_exhaustive()
    }
}

impl SourceCode for FileText {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        _lines_before: usize,
        _lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = &self.text;
        let (start, end) = (span.offset(), span.offset() + span.len());
        if end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return Err(MietteError::OutOfBounds);
        }
        let first = text[..start].rfind('\n').map_or(0, |i| i + 1);
        // Up to and with the last line's newline, as miette's own snippets.
        let last = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
        let (line, column, _) = locate(text, start);
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &text.as_bytes()[first..last],
            (first, last - first).into(),
            line - 1,
            column - 1,
            text[first..last].matches('\n').count(),
        )))
    }
}

/// Collects diagnostics against one source text.
pub(crate) struct Collector<'a> {
    file: &'a str,
    text: &'a str,
    source: Arc<FileText>,
    found: Vec<Diagnostic>,
}

impl<'a> Collector<'a> {
    pub fn new(file: &'a str, text: &'a str) -> Self {
        Self {
            file,
            text,
            source: Arc::new(FileText { name: file.to_string(), text: text.to_string() }),
            found: Vec::new(),
        }
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
        // Underlined on its first line only: a table spanning many lines is
        // shown by the line where it starts.
        let start = span.start.min(self.text.len());
        let line_end = self.text[start..].find('\n').map_or(self.text.len(), |i| start + i);
        let span = start..span.end.clamp(start, line_end);
        self.found.push(Diagnostic {
            file: self.file.to_string(),
            line,
            column,
            key,
            message,
            source_line,
            help,
            span,
            source: self.source.clone(),
        });
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
        let mut a = Collector::new("a.toml", "k = 1\nk = 2\n");
        a.error(0..1, "k", "m");
        a.error(6..7, "k", "m");
        let mut b = Collector::new("b.toml", "k = 3\n");
        b.error(0..1, "k", "m");
        let (Err(Diagnostics(mut all)), Err(Diagnostics(of_b))) = (a.finish(), b.finish()) else { panic!() };
        all.extend(of_b);
        let text = Diagnostics(all).to_string();
        let headers: Vec<&str> = text.lines().filter(|l| l.contains(" in ")).collect();
        assert_eq!(headers, ["2 errors in a.toml:", "1 error in b.toml:"]);
    }

    #[test]
    fn a_place_counts_characters_and_a_long_span_shows_its_first_line() {
        let text = "fr = \"déjà vu\"\nn = [1,\n  2]\n";
        let mut c = Collector::new("f.toml", text);
        let vu = text.find("vu").unwrap();
        c.error(vu..vu + 2, "fr", "too French");
        c.error_with_help(text.find('[').unwrap()..text.len() - 1, "n", "not a list", "give one number");
        let Err(err) = c.finish() else { panic!("two errors") };
        insta::assert_snapshot!(err.to_string(), @r#"
        2 errors in f.toml:

          x `fr`: too French
           ,-[f.toml:1:12]
         1 | fr = "déjà vu"
           :            ^^
           `----

          x `n`: not a list
           ,-[f.toml:2:5]
         2 | n = [1,
           :     ^^^
           `----
          help: give one number
        "#);
    }

    #[test]
    fn a_carriage_return_is_no_column() {
        // TOML refuses a lone CR, pointing just after it.
        assert_eq!(locate("\r", 1), (1, 1, String::new()));
        assert_eq!(locate("a = 1\r\n", 6), (1, 6, "a = 1".to_string()));
    }
}
