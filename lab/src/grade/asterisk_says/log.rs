//! Asterisk's log lines, as its console prints them:
//! `[2026-12-03 08:27:03] ERROR[1]: res_pjsip/config_transport.c:1006 transport_apply: Transport …`.

/// How serious Asterisk says a line is; only these two are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Warning,
    Error,
}

/// One WARNING or ERROR line of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub level: Level,
    /// Asterisk's own source file and line (`pbx_config.c:1965`): says which
    /// part of Asterisk spoke, never where the config is.
    pub source: String,
    pub function: String,
    pub message: String,
}

impl LogLine {
    /// The C source file, without its line: `pbx_config.c`.
    pub fn module(&self) -> &str {
        let file = self.source.rsplit('/').next().unwrap_or(&self.source);
        file.split(':').next().unwrap_or(file)
    }

    /// As Asterisk printed it, without the time: `ERROR: message`.
    pub fn raw(&self) -> String {
        let level = match self.level {
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        };
        format!("{level}: {}", self.message)
    }
}

/// The WARNING and ERROR lines of a console log, in order; any other line
/// (verbose output, notices, the CLI's own chatter) is left out.
pub fn parse(log: &str) -> Vec<LogLine> {
    log.lines().filter_map(line).collect()
}

fn line(text: &str) -> Option<LogLine> {
    // The time stamp, when there is one.
    let text = match text.trim_start().strip_prefix('[') {
        Some(rest) if rest.find(']').is_some() => rest[rest.find(']')? + 1..].trim_start(),
        _ => text.trim_start(),
    };
    let (level, rest) = if let Some(rest) = text.strip_prefix("WARNING") {
        (Level::Warning, rest)
    } else if let Some(rest) = text.strip_prefix("ERROR") {
        (Level::Error, rest)
    } else {
        return None;
    };
    // `[thread]` and maybe `[call id]`, then `: `.
    let colon = rest.find("]: ")?;
    if !rest.starts_with('[') {
        return None;
    }
    let rest = &rest[colon + 3..];
    let (source, rest) = rest.split_once(' ')?;
    let (function, message) = rest.split_once(": ").unwrap_or((rest, ""));
    Some(LogLine {
        level,
        source: source.to_string(),
        function: function.trim().to_string(),
        message: message.trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_and_errors_are_read_the_rest_left_out() {
        let log = "\
Asterisk 22.5.2, Copyright (C) 1999 - 2025, Sangoma Technologies Corporation and others.
[2026-12-03 08:27:02] NOTICE[1]: loader.c:2568 load_modules: 114 modules will be loaded.
[2026-12-03 08:27:03] ERROR[1]: res_pjsip/config_transport.c:1006 transport_apply: Transport 'transport-lan' could not be started: Cannot assign requested address
[Dec  3 08:29:22] WARNING[1]: loader.c:2403 loader_config_init: 'modules.conf' invalid or missing.
[2026-12-03 08:27:03] WARNING[36][C-00000001]: pbx.c:4550 pbx_extension_helper: No application 'Foo' for extension (default, 1, 1)
  == Using SIP RTP CoS mark 5
";
        let lines = parse(log);
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert_eq!(lines[0].level, Level::Error);
        assert_eq!(lines[0].source, "res_pjsip/config_transport.c:1006");
        assert_eq!(lines[0].module(), "config_transport.c");
        assert_eq!(lines[0].function, "transport_apply");
        assert!(lines[0].message.starts_with("Transport 'transport-lan' could not"));
        assert_eq!(lines[1].message, "'modules.conf' invalid or missing.");
        assert_eq!(lines[2].function, "pbx_extension_helper");
        assert_eq!(lines[2].raw(), "WARNING: No application 'Foo' for extension (default, 1, 1)");
    }
}
