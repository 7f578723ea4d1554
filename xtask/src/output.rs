//! What goes to the terminal: standard output that survives a closed pipe
//! (`cargo xtask lab status | head`), and errors on standard error, in colour
//! only when it is a terminal.

use std::io::{IsTerminal, Write};

use miette::GraphicalTheme;

pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => eprintln!("error: cannot write to standard output: {e}"),
        Ok(()) => {}
    }
}

/// Sets up standard error: diagnostics drawn for a terminal or as plain text.
pub fn init() {
    let terminal = std::io::stderr().is_terminal();
    let colour = terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    ::lab::diagnostic::set_theme(match (terminal, colour) {
        (false, _) => GraphicalTheme::none(),
        (true, false) => GraphicalTheme::unicode_nocolor(),
        (true, true) => GraphicalTheme::unicode(),
    });
}

/// Prints a failed command's error: what was being done, then each cause
/// (once: many of the library's errors quote their cause already), or every
/// diagnostic of a file, drawn with its source lines.
pub fn error(e: &anyhow::Error) {
    let mut text = String::new();
    for cause in e.chain().map(|c| c.to_string()) {
        if !text.contains(cause.trim_end()) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&cause);
        }
    }
    eprintln!("error: {}", text.trim_end());
}
