//! What goes to the terminal: standard output that survives a closed pipe
//! (`cargo xtask lab status | head`), and on standard error the logs (`-v`)
//! and errors, in colour only when it is a terminal.

use std::io::{IsTerminal, Write};

use clap_verbosity_flag::{LogLevel, Verbosity, VerbosityFilter};
use miette::GraphicalTheme;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => eprintln!("error: cannot write to standard output: {e}"),
        Ok(()) => {}
    }
}

/// `-v`/`-q`: how much is logged on standard error; warnings by default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Logs;

impl LogLevel for Logs {
    fn default_filter() -> VerbosityFilter {
        VerbosityFilter::Warn
    }

    fn verbose_help() -> Option<&'static str> {
        Some("Log on stderr: -v what is made and removed in Docker, with timings; -vv every lookup and command too")
    }

    fn quiet_help() -> Option<&'static str> {
        Some("Log errors only on stderr (-qq: nothing)")
    }
}

/// Sets up standard error: logs at the level `-v`/`-q` ask (warnings only by
/// default), and diagnostics drawn for a terminal or as plain text.
pub fn init(verbosity: &Verbosity<Logs>) {
    let terminal = std::io::stderr().is_terminal();
    let colour = terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    ::lab::diagnostic::set_theme(match (terminal, colour) {
        (false, _) => GraphicalTheme::none(),
        (true, false) => GraphicalTheme::unicode_nocolor(),
        (true, true) => GraphicalTheme::unicode(),
    });

    let level = verbosity.tracing_level_filter();
    // The lab's own logs at that level; the Docker client's (hyper) only at -vvv.
    let others = if level == LevelFilter::TRACE { level } else { level.min(LevelFilter::WARN) };
    let filter = Targets::new().with_target("lab", level).with_target("xtask", level).with_default(others);
    let logs = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .compact();
    tracing_subscriber::registry().with(logs.with_filter(filter)).init();
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
