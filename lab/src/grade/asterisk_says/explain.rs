//! From what Asterisk 22 said to findings on the folder's own lines: each
//! message it prints about a config is recognised, placed on the file and
//! line it is about (Asterisk names C sources, objects and options, rarely
//! the config line), and said in one plain sentence.
//!
//! Messages about files left as Debian ships them, and the load's network
//! noise (no operator answers a throwaway Asterisk), are no findings.

use std::collections::BTreeSet;
use std::path::Path;

use super::load::Heard;
use super::log::{Level, LogLine};
use super::said::{Advice, Object, Said};
use crate::asterisk_conf::accounts::{PJSIP_CONF, WIZARD_CONF};
use crate::asterisk_conf::dialplan::{Dialplan, Step, EXTENSIONS_CONF};
use crate::asterisk_conf::{is_true, Conf, ConfError, Entry, Place, Section};
use crate::grade::facts::part_of_extension;
use crate::grade::{Finding, Part, Problem};
use crate::model::Lab;

pub const FEATURES_CONF: &str = "features.conf";
pub const MOH_CONF: &str = "musiconhold.conf";
pub const MODULES_CONF: &str = "modules.conf";
const VOICEMAIL_CONF: &str = "voicemail.conf";

/// Modules the SAE needs, the part that needs them, and the file each
/// refuses to load without.
const NEEDED_MODULES: &[(&str, Part, Option<&str>)] = &[
    ("chan_pjsip", Part::I, None),
    ("res_pjsip", Part::I, Some(PJSIP_CONF)),
    ("res_pjsip_session", Part::I, None),
    ("pbx_config", Part::I, Some(EXTENSIONS_CONF)),
    ("app_dial", Part::I, None),
    ("res_pjsip_config_wizard", Part::I, None),
    ("res_pjsip_outbound_registration", Part::II, None),
    ("res_parking", Part::III, Some("res_parking.conf")),
    ("res_musiconhold", Part::III, Some(MOH_CONF)),
    ("app_mixmonitor", Part::III, None),
    ("bridge_builtin_features", Part::III, None),
    ("app_voicemail", Part::IV, Some(VOICEMAIL_CONF)),
];

/// Applications removed from Asterisk, with what replaces them; the static
/// inspection already names Macro and Monitor, which it knows without Asterisk.
const REPLACED_APPS: &[(&str, &str)] =
    &[("ChanIsAvail", "DEVICE_STATE()"), ("SetMusicOnHold", "Set(CHANNEL(musicclass)=…)")];
const STATICALLY_KNOWN_APPS: [&str; 2] = ["macro", "monitor"];
/// Applications of the modules the SAE needs (lower case), to tell a missing
/// application from a module that did not load.
const APP_MODULES: &[(&str, &str)] = &[
    ("voicemail", "app_voicemail"),
    ("voicemailmain", "app_voicemail"),
    ("vmauthenticate", "app_voicemail"),
    ("vmsayname", "app_voicemail"),
    ("voicemailplaymsg", "app_voicemail"),
    ("park", "res_parking"),
    ("parkedcall", "res_parking"),
    ("parkandannounce", "res_parking"),
    ("mixmonitor", "app_mixmonitor"),
    ("dial", "app_dial"),
    ("musiconhold", "res_musiconhold"),
];

/// sip.conf options students carry over, and what PJSIP has instead.
const SIP_CONF_OPTIONS: &[(&str, &str)] = &[
    ("nat", "rtp_symmetric = yes, force_rport = yes, rewrite_contact = yes"),
    ("secret", "password (auth) / inbound_auth/password (wizard)"),
    ("host", "contact (aor) / remote_hosts (wizard)"),
    ("qualify", "qualify_frequency (aor)"),
    ("canreinvite", "direct_media"),
    ("directmedia", "direct_media"),
    ("insecure", "identify + match"),
    ("dtmfmode", "dtmf_mode"),
    ("mailbox", "mailboxes"),
    ("callgroup", "call_group"),
    ("pickupgroup", "pickup_group"),
    ("fromuser", "from_user"),
    ("fromdomain", "from_domain"),
    ("defaultuser", "username (auth)"),
    ("port", "contact = sip:host:port (aor) / remote_hosts = host:port (wizard)"),
];

/// Findings placed on the folder, and the messages that were about nothing of it.
#[derive(Debug, Default)]
pub struct Explained {
    pub findings: Vec<Finding>,
    pub unplaced: Vec<LogLine>,
}

/// The folder's files Asterisk messages are placed on.
pub struct Folder {
    dir: std::path::PathBuf,
    wizard: Option<Conf>,
    pjsip: Option<Conf>,
    extensions: Option<Conf>,
    features: Option<Conf>,
    moh: Option<Conf>,
    modules: Option<Conf>,
    plan: Dialplan,
}

impl Folder {
    pub fn read(dir: &Path) -> Result<Folder, ConfError> {
        let extensions = Conf::read(dir, EXTENSIONS_CONF)?;
        Ok(Folder {
            dir: dir.to_path_buf(),
            wizard: Conf::read(dir, WIZARD_CONF)?,
            pjsip: Conf::read(dir, PJSIP_CONF)?,
            plan: extensions.as_ref().map(Dialplan::from_conf).unwrap_or_default(),
            extensions,
            features: Conf::read(dir, FEATURES_CONF)?,
            moh: Conf::read(dir, MOH_CONF)?,
            modules: Conf::read(dir, MODULES_CONF)?,
        })
    }

    /// The line as written, trimmed; empty for a whole file or a line not there.
    fn text(&self, at: &Place) -> String {
        if at.line == 0 {
            return String::new();
        }
        std::fs::read_to_string(self.dir.join(&at.file))
            .ok()
            .and_then(|t| t.lines().nth(at.line - 1).map(|l| l.trim().to_string()))
            .unwrap_or_default()
    }

    fn exists(&self, file: &str) -> bool {
        self.dir.join(file).is_file()
    }

    /// A finding can point there: a line of a file of the folder, or a file
    /// as a whole (one that is there, or one Asterisk needed and lacks).
    fn can_point_at(&self, at: &Place) -> bool {
        at.line == 0 || std::fs::read_to_string(self.dir.join(&at.file)).is_ok_and(|t| t.lines().count() >= at.line)
    }

    fn conf(&self, file: &str) -> Option<&Conf> {
        match file {
            WIZARD_CONF => self.wizard.as_ref(),
            PJSIP_CONF => self.pjsip.as_ref(),
            EXTENSIONS_CONF => self.extensions.as_ref(),
            FEATURES_CONF => self.features.as_ref(),
            MOH_CONF => self.moh.as_ref(),
            MODULES_CONF => self.modules.as_ref(),
            _ => None,
        }
    }
}

/// Who a finding concerns, to give it its part.
struct Whose<'a> {
    lab: &'a Lab,
    /// The section that registers to the operator, when there is one.
    trunk: Option<&'a str>,
}

/// Everything Asterisk said, placed on the folder's lines.
pub fn explain(heard: &Heard, folder: &Folder, lab: &Lab, trunk: Option<&str>) -> Explained {
    let who = Whose { lab, trunk };
    let mut out = Explained::default();
    let lines = &heard.lines;
    let mut used = vec![false; lines.len()];
    for i in 0..lines.len() {
        if used[i] {
            continue;
        }
        used[i] = true;
        let line = &lines[i];
        if noise(line) {
            continue;
        }
        let placed = place(i, lines, &mut used, folder, heard, &who);
        if placed.is_empty() {
            tracing::debug!(message = %line.raw(), "about nothing of the folder");
            out.unplaced.push(line.clone());
        }
        out.findings.extend(placed);
    }
    if !heard.booted && !heard.stopped && out.findings.is_empty() {
        let seconds = super::load::LOAD_DEADLINE_SECS;
        out.findings.push(found(Part::I, Place::new(MODULES_CONF, 0), String::new(), Said::NotBooted { seconds }));
    }
    if heard.stopped && !out.findings.iter().any(|f| matches!(f.problem, Problem::Asterisk(Said::NoModulesConf))) {
        let why = lines.iter().rev().find(|l| l.level == Level::Error).map_or_else(String::new, |l| l.message.clone());
        out.findings.push(found(Part::I, Place::new(MODULES_CONF, 0), String::new(), Said::Stopped { why }));
    }
    if heard.booted {
        moh_players(heard, folder, &mut out.findings);
        applications(heard, folder, &who, &mut out.findings);
        functions(heard, folder, &who, &mut out.findings);
    }
    // Asterisk may name a file or line that is not the folder's (one of its
    // own, read from elsewhere): no finding can point there.
    out.findings.retain(|f| folder.can_point_at(&f.at));
    // What Asterisk merely reports of files Debian ships untouched is the
    // distribution's, not the student's (what breaks the SAE stays).
    out.findings.retain(|f| {
        !matches!(f.problem, Problem::Asterisk(Said::Other { .. }))
            || !heard.untouched.contains(&f.at.file.to_string_lossy().to_string())
    });
    let mut seen = BTreeSet::new();
    out.findings.retain(|f| seen.insert((f.at.clone(), format!("{:?}", f.problem))));
    out.findings = merge_objects(std::mem::take(&mut out.findings));
    out
}

/// One line that keeps many objects from being made (an option of a template
/// every phone uses) is one finding, naming them all.
fn merge_objects(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for f in findings {
        let same = out.iter_mut().find(|o| o.at == f.at);
        match (same, f.problem) {
            (
                Some(Finding { problem: Problem::Asterisk(Said::UnknownOption { object, ids, option, .. }), .. }),
                Problem::Asterisk(Said::UnknownOption { object: o2, ids: more, option: op2, .. }),
            ) if *object == o2 && *option == op2 => ids.extend(more),
            (
                Some(Finding { problem: Problem::Asterisk(Said::NotCreated { object, ids }), .. }),
                Problem::Asterisk(Said::NotCreated { object: o2, ids: more }),
            ) if *object == o2 => ids.extend(more),
            (_, problem) => out.push(Finding { problem, ..f }),
        }
    }
    out
}

fn found(part: Part, at: Place, text: String, said: Said) -> Finding {
    Finding { part, at, text, problem: Problem::Asterisk(said) }
}

/// The load's own noise: a throwaway Asterisk on no network reaches no
/// operator, and what follows a music player that could not start.
fn noise(line: &LogLine) -> bool {
    let m = &line.message;
    line.module() == "res_pjsip_outbound_registration.c"
        || m.contains("poll() failed")
        || m.starts_with("Unable to spawn mp3player")
        || m.starts_with("Some non-required modules failed to load")
        || m.contains("has been loaded but may be removed in a future release")
}

/// The text between the `n`th pair of single quotes.
fn quoted(message: &str, n: usize) -> Option<&str> {
    message.split('\'').nth(2 * n + 1)
}

/// `… line 12 of extensions.conf …` (or of `/etc/asterisk/x.conf`): the place.
fn line_of(message: &str) -> Option<Place> {
    let at = message.find("line ")?;
    let rest = &message[at + 5..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let line = digits.parse().ok()?;
    let file = rest[digits.len()..].trim_start().strip_prefix("of ")?;
    let file = file.split_whitespace().next()?.trim_end_matches([',', '.', ':']);
    let file = file.strip_prefix("/etc/asterisk/").unwrap_or(file);
    (!file.is_empty()).then(|| Place::new(file, line))
}

/// The findings of message `i` (with the lines that follow it and belong to
/// it, which are marked used); none when it is about nothing of the folder.
fn place(i: usize, lines: &[LogLine], used: &mut [bool], folder: &Folder, heard: &Heard, who: &Whose) -> Vec<Finding> {
    let m = lines[i].message.as_str();
    // The lines right after, for messages Asterisk follows with their consequence.
    let mut follow = |prefix: &str| -> Option<&LogLine> {
        let j = (i + 1..lines.len().min(i + 5)).find(|&j| !used[j] && lines[j].message.starts_with(prefix))?;
        used[j] = true;
        Some(&lines[j])
    };
    if m.starts_with("Could not find option suitable for category") {
        let (Some(category), Some(option)) = (quoted(m, 0), quoted(m, 1)) else { return Vec::new() };
        let line = line_of(m).map(|p| p.line).unwrap_or(0);
        if let Some(next) = follow("Unable to apply object type") {
            let kind = quoted(&next.message, 0).unwrap_or_default().to_string();
            let id = quoted(&next.message, 1).unwrap_or(category).to_string();
            let wizard =
                follow("Unable to create objects for wizard").and_then(|w| quoted(&w.message, 0).map(str::to_string));
            return wizard_option(folder, who, wizard.as_deref(), &kind, &id, option).into_iter().collect();
        }
        if let Some(next) = follow("Could not create an object of type") {
            let kind = quoted(&next.message, 0).unwrap_or_default().to_string();
            let file = quoted(&next.message, 2).unwrap_or(PJSIP_CONF).to_string();
            return object_option(folder, who, &file, &kind, category, option, line).into_iter().collect();
        }
        if let Some(next) = follow("In ") {
            let file = next.message[3..].split(':').next().unwrap_or_default().to_string();
            return file_refused(folder, &file, category, option, line).into_iter().collect();
        }
        return Vec::new();
    }
    if m.starts_with("Wizard '") && m.contains("' must have '") {
        let (Some(wizard), Some(option)) = (quoted(m, 0), quoted(m, 1)) else { return Vec::new() };
        follow("Unable to create objects for wizard");
        return wizard_needs(folder, who, wizard, option).into_iter().collect();
    }
    if m.starts_with("Transport '") && m.contains("could not be started") {
        let transport = quoted(m, 0).unwrap_or_default();
        let reason = m.rsplit_once(": ").map_or("", |(_, r)| r).to_string();
        follow("Could not create an object of type 'transport'");
        let Some((at, text)) = section_entry(folder, PJSIP_CONF, transport, Some("transport"), &["bind"]) else {
            return Vec::new();
        };
        let said = Said::TransportFailed { transport: transport.to_string(), reason };
        return vec![found(Part::I, at, text, said)];
    }
    if m.starts_with("Could not create an object of type") {
        let (Some(kind), Some(id)) = (quoted(m, 0), quoted(m, 1)) else { return Vec::new() };
        let file = quoted(m, 2).unwrap_or(PJSIP_CONF);
        let Some((at, text)) = section_entry(folder, file, id, Some(kind), &[]) else { return Vec::new() };
        let object = Object::from_asterisk(kind);
        return vec![found(
            pjsip_part(who, &object, id),
            at,
            text,
            Said::NotCreated { object, ids: vec![id.to_string()] },
        )];
    }
    if m.contains("Unknown directive") || m.starts_with("No '=' (equal sign) in line") {
        let Some(at) = line_of(m) else { return Vec::new() };
        let before = Place::new(at.file.clone(), at.line.saturating_sub(1));
        let continued = folder.text(&before).ends_with('\\');
        let part = part_at(folder, who, &at);
        return vec![found(part, at.clone(), folder.text(&at), Said::LineIgnored { continued })];
    }
    if m.starts_with("Unable to register extension '") && m.ends_with("already in use") {
        let extension = quoted(m, 0).unwrap_or_default().to_string();
        let context = quoted(m, 1).unwrap_or_default().to_string();
        let priority = m.split(" priority ").nth(1).and_then(|r| r.split_whitespace().next()).unwrap_or("").to_string();
        let Some(at) = follow("Unable to register extension at line").and_then(|l| line_of(&l.message)) else {
            return Vec::new();
        };
        let first = first_priority(folder, &context, &extension, &priority, &at).map(|p| p.to_string());
        let part = part_of_extension(who.lab, &extension);
        return vec![found(
            part,
            at.clone(),
            folder.text(&at),
            Said::PriorityTaken { extension, priority, context, first },
        )];
    }
    if m.starts_with("No closing parenthesis found?") {
        let Some(at) = line_of(m) else { return Vec::new() };
        let part = part_at(folder, who, &at);
        return vec![found(part, at.clone(), folder.text(&at), Said::NoClosingParenthesis)];
    }
    if m.starts_with("Context '") && m.contains("tries to include nonexistent context") {
        let (Some(context), Some(included)) = (quoted(m, 0), quoted(m, 1)) else { return Vec::new() };
        let Some(ctx) = folder.plan.context(context) else { return Vec::new() };
        let Some((_, at)) = ctx.includes.iter().find(|(name, _)| name == included) else { return Vec::new() };
        let said = Said::IncludeMissing { context: context.to_string(), included: included.to_string() };
        return vec![found(Part::I, at.clone(), folder.text(at), said)];
    }
    if lines[i].module() == "res_musiconhold.c" || lines[i].module() == "file.c" {
        if let Some(f) = moh(m, folder) {
            return vec![f];
        }
    }
    if m.starts_with("'modules.conf' invalid or missing") {
        let at = Place::new(MODULES_CONF, 0);
        return vec![found(Part::I, at, String::new(), Said::NoModulesConf)];
    }
    if let Some(module) = m.strip_suffix(" declined to load.") {
        return declined(folder, heard, module).into_iter().collect();
    }
    // Two voicemail modules loaded: the one that fails unregisters the
    // applications of both, and VoiceMail() is gone.
    if lines[i].module().starts_with("app_voicemail") && m.starts_with("Failure registering") {
        let (at, text) = modules_line(folder, "autoload");
        return vec![found(Part::IV, at, text, Said::VoicemailOdbc)];
    }
    if let Some(label) = m.strip_prefix("No provider found for label:") {
        // Said once per hint: every hint naming it is placed (the same again are dropped).
        let label = label.trim().to_string();
        return hints_naming(folder, &label)
            .into_iter()
            .map(|s| found(Part::III, s.at.clone(), s.text.clone(), Said::NoPresenceProvider { label: label.clone() }))
            .collect();
    }
    // Anything else that names a line of the folder.
    match line_of(m) {
        Some(at) if folder.exists(&at.file.to_string_lossy()) => {
            let level = if lines[i].level == Level::Error { "ERROR" } else { "WARNING" };
            let part = part_at(folder, who, &at);
            vec![found(part, at.clone(), folder.text(&at), Said::Other { level: level.into(), message: m.to_string() })]
        }
        _ => Vec::new(),
    }
}

/// The part a pjsip object belongs to: the trunk's are part II.
fn pjsip_part(who: &Whose, object: &Object, id: &str) -> Part {
    let trunk = who.trunk.is_some_and(|t| id == t || id.starts_with(&format!("{t}-")));
    if *object == Object::Registration || trunk {
        Part::II
    } else {
        Part::I
    }
}

/// The part of a line of the folder: by the extension it belongs to.
fn part_at(folder: &Folder, who: &Whose, at: &Place) -> Part {
    let file = at.file.to_string_lossy();
    match file.as_ref() {
        FEATURES_CONF | MOH_CONF => Part::III,
        VOICEMAIL_CONF => Part::IV,
        _ => {
            let step = folder.plan.contexts.iter().flat_map(|c| &c.steps).find(|s| s.at == *at);
            let before = folder
                .plan
                .contexts
                .iter()
                .flat_map(|c| &c.steps)
                .filter(|s| s.at.file == at.file && s.at.line < at.line)
                .max_by_key(|s| s.at.line);
            step.or(before).map_or(Part::I, |s| part_of_extension(who.lab, &s.extension))
        }
    }
}

/// The entry of a section (of `kind`, when given) whose key is one of `keys`,
/// or else the section's header: its place and text.
fn section_entry(
    folder: &Folder,
    file: &str,
    name: &str,
    kind: Option<&str>,
    keys: &[&str],
) -> Option<(Place, String)> {
    let conf = folder.conf(file)?;
    let is_kind = |s: &Section| kind.is_none_or(|k| conf.value(s, "type").is_some_and(|t| t.eq_ignore_ascii_case(k)));
    let section = conf.sections.iter().find(|s| s.name == name && !s.template && is_kind(s))?;
    let entry = keys.iter().find_map(|k| conf.get(section, k));
    Some(entry.map_or((section.at.clone(), section.text.clone()), |e| (e.at.clone(), e.text.clone())))
}

pub(crate) fn advice(option: &str) -> Option<Advice> {
    if option.starts_with(char::is_whitespace) || option.ends_with(char::is_whitespace) {
        return Some(Advice::Space { fixed: option.trim().to_string() });
    }
    if option.eq_ignore_ascii_case("automon") {
        return Some(Advice::Removed { instead: "automixmon (MixMonitor)" });
    }
    SIP_CONF_OPTIONS
        .iter()
        .find(|(o, _)| o.eq_ignore_ascii_case(option))
        .map(|(_, instead)| Advice::SipConf { instead })
}

/// An unknown option in a wizard: the object it was for is not made.
fn wizard_option(
    folder: &Folder,
    who: &Whose,
    wizard: Option<&str>,
    kind: &str,
    id: &str,
    option: &str,
) -> Option<Finding> {
    let conf = folder.wizard.as_ref()?;
    let name = wizard.unwrap_or(id);
    let section = conf.sections.iter().find(|s| s.name == name && !s.template)?;
    let prefix = match kind {
        "auth" if id.ends_with("-oauth") => "outbound_auth",
        "auth" => "inbound_auth",
        other => other,
    };
    let wanted = format!("{prefix}/{option}");
    let entries = conf.entries_of(section);
    let entry: Option<&Entry> = entries
        .iter()
        .rev()
        .find(|e| e.key.eq_ignore_ascii_case(&wanted))
        .or_else(|| entries.iter().rev().find(|e| e.key.split_once('/').is_some_and(|(_, o)| o == option)))
        .copied();
    let (at, text) = entry.map_or((section.at.clone(), section.text.clone()), |e| (e.at.clone(), e.text.clone()));
    let object = Object::from_asterisk(kind);
    let advice = advice(option).map(|a| match a {
        Advice::Space { fixed } => Advice::Space { fixed: format!("{prefix}/{fixed}") },
        other => other,
    });
    let part = pjsip_part(who, &object, name);
    Some(found(
        part,
        at,
        text,
        Said::UnknownOption { object, ids: vec![id.to_string()], option: option.to_string(), advice },
    ))
}

/// An unknown option in a pjsip.conf object: the object is not made.
fn object_option(
    folder: &Folder,
    who: &Whose,
    file: &str,
    kind: &str,
    id: &str,
    option: &str,
    line: usize,
) -> Option<Finding> {
    let conf = folder.conf(file)?;
    let sections = conf.sections.iter().filter(|s| s.name == id);
    let entry = sections
        .flat_map(|s| &s.entries)
        .find(|e| e.key.eq_ignore_ascii_case(option) && (line == 0 || e.at.line == line));
    let (at, text) = match entry {
        Some(e) => (e.at.clone(), e.text.clone()),
        None => section_entry(folder, file, id, Some(kind), &[])?,
    };
    let object = Object::from_asterisk(kind);
    let said = Said::UnknownOption {
        object: object.clone(),
        ids: vec![id.to_string()],
        option: option.to_string(),
        advice: advice(option),
    };
    Some(found(pjsip_part(who, &object, id), at, text, said))
}

/// An unknown option that makes Asterisk ignore a whole file (features.conf).
fn file_refused(folder: &Folder, file: &str, section: &str, option: &str, line: usize) -> Option<Finding> {
    let conf = folder.conf(file);
    let entry = conf.and_then(|c| {
        c.sections
            .iter()
            .filter(|s| s.name == section)
            .flat_map(|s| &s.entries)
            .find(|e| e.key.eq_ignore_ascii_case(option) && (line == 0 || e.at.line == line))
    });
    let (at, text) = match entry {
        Some(e) => (e.at.clone(), e.text.clone()),
        None if line > 0 => {
            let at = Place::new(file, line);
            (at.clone(), folder.text(&at))
        }
        None => (Place::new(file, 0), String::new()),
    };
    let part = if file == FEATURES_CONF { Part::III } else { Part::I };
    let said = Said::FileRefused {
        file: file.to_string(),
        section: section.to_string(),
        option: option.to_string(),
        advice: advice(option),
    };
    Some(found(part, at, text, said))
}

/// A wizard without an option it needs; the line that meant it, when one is
/// a letter or two away (`remote_host` for `remote_hosts`).
fn wizard_needs(folder: &Folder, who: &Whose, wizard: &str, option: &str) -> Option<Finding> {
    let conf = folder.wizard.as_ref()?;
    let section = conf.sections.iter().find(|s| s.name == wizard && !s.template)?;
    let entries = conf.entries_of(section);
    let close = entries.iter().find(|e| {
        let key = e.key.to_ascii_lowercase();
        key != option && crate::grade::dialling::edit_distance(&key, option) <= 2
    });
    let (at, text, written) = match close {
        Some(e) => (e.at.clone(), e.text.clone(), Some(e.key.clone())),
        None => (section.at.clone(), section.text.clone(), None),
    };
    let registers = conf.value(section, "sends_registrations").is_some_and(is_true);
    let part = if registers || who.trunk == Some(wizard) { Part::II } else { Part::I };
    Some(found(part, at, text, Said::WizardNeeds { wizard: wizard.to_string(), option: option.to_string(), written }))
}

/// Where the first step of `extension` with that priority is, other than `not`.
fn first_priority(folder: &Folder, context: &str, extension: &str, priority: &str, not: &Place) -> Option<Place> {
    let ctx = folder.plan.context(context)?;
    let steps = ctx.steps.iter().filter(|s| s.extension == extension && !s.is_hint() && s.at != *not);
    let numbered = steps.clone().find(|s| s.priority == priority);
    numbered.or_else(|| steps.clone().next()).map(|s| s.at.clone())
}

/// Music on hold messages, placed on the class they are about.
fn moh(message: &str, folder: &Folder) -> Option<Finding> {
    let conf = folder.moh.as_ref();
    if message.starts_with("No music on hold classes configured") {
        let at = Place::new(MOH_CONF, 0);
        return Some(found(Part::III, at, String::new(), Said::NoMohClass));
    }
    let directory = message
        .strip_suffix(" is not a valid directory")
        .or_else(|| message.strip_prefix("Error opening directory - ").map(|r| r.split(": ").next().unwrap_or(r)))?;
    let conf = conf?;
    for section in conf.objects() {
        let Some(entry) = conf.get(section, "directory") else { continue };
        let absolute = if entry.value.starts_with('/') {
            entry.value.clone()
        } else {
            format!("/var/lib/asterisk/{}", entry.value)
        };
        if absolute.trim_end_matches('/') == directory.trim_end_matches('/') {
            let said = Said::MohDirectory { class: section.name.clone(), directory: entry.value.clone() };
            return Some(found(Part::III, entry.at.clone(), entry.text.clone(), said));
        }
    }
    None
}

/// A module the SAE needs that did not load, placed on the file it lacks
/// or on modules.conf.
fn declined(folder: &Folder, heard: &Heard, module: &str) -> Option<Finding> {
    let &(name, part, file) = NEEDED_MODULES.iter().find(|(m, _, _)| *m == module)?;
    if name == "app_voicemail"
        && heard
            .lines
            .iter()
            .any(|l| l.module().starts_with("app_voicemail") && l.message.starts_with("Failure registering"))
    {
        return None; // told by the message of the two voicemail modules
    }
    let missing = file.filter(|f| !folder.exists(f)).map(str::to_string);
    let (at, text) = match &missing {
        Some(f) => (Place::new(f.as_str(), 0), String::new()),
        None => modules_line(folder, &format!("{module}.so")),
    };
    Some(found(part, at, text, Said::ModuleDeclined { module: module.to_string(), missing_file: missing }))
}

/// The line of modules.conf naming `what` (a module, or `autoload`), or the file.
fn modules_line(folder: &Folder, what: &str) -> (Place, String) {
    let entry = folder.modules.as_ref().and_then(|c| {
        c.sections.iter().flat_map(|s| &s.entries).find(|e| e.key.eq_ignore_ascii_case(what) || e.value == what)
    });
    entry.map_or((Place::new(MODULES_CONF, 0), String::new()), |e| (e.at.clone(), e.text.clone()))
}

fn hints_naming<'a>(folder: &'a Folder, label: &str) -> Vec<&'a Step> {
    folder.plan.contexts.iter().flat_map(|c| &c.steps).filter(|s| s.is_hint() && s.text.contains(label)).collect()
}

/// Music on hold classes whose player is not installed in the IPBX.
fn moh_players(heard: &Heard, folder: &Folder, findings: &mut Vec<Finding>) {
    let Some(conf) = &folder.moh else { return };
    for section in conf.objects() {
        let Some(program) = super::load::moh_program(conf, section) else { continue };
        let Some(entry) = conf.get(section, "application").or_else(|| conf.get(section, "mode")) else { continue };
        if heard.missing_programs.contains(&program) {
            let said = Said::MohPlayer { class: section.name.clone(), program };
            findings.push(found(Part::III, entry.at.clone(), entry.text.clone(), said));
        }
    }
}

/// Steps running an application this Asterisk does not have. One of a module
/// already reported as not loading is that module's consequence, not told again.
fn applications(heard: &Heard, folder: &Folder, who: &Whose, findings: &mut Vec<Finding>) {
    if heard.applications.is_empty() {
        return;
    }
    let module_reported = |module: &str| {
        findings.iter().any(|f| match &f.problem {
            Problem::Asterisk(Said::ModuleDeclined { module: m, .. }) => m == module,
            Problem::Asterisk(Said::VoicemailOdbc) => module == "app_voicemail",
            _ => false,
        })
    };
    let mut out = Vec::new();
    for step in folder.plan.contexts.iter().flat_map(|c| &c.steps).filter(|s| !s.is_hint()) {
        let app = step.app.trim();
        let lower = app.to_ascii_lowercase();
        if app.is_empty() || app.contains('$') || STATICALLY_KNOWN_APPS.contains(&lower.as_str()) {
            continue;
        }
        if APP_MODULES.iter().any(|(a, m)| *a == lower && module_reported(m)) {
            continue;
        }
        if !heard.applications.contains(&lower) {
            let replacement =
                REPLACED_APPS.iter().find(|(a, _)| a.eq_ignore_ascii_case(app)).map(|(_, r)| r.to_string());
            let said =
                Said::UnknownApplication { app: app.to_string(), extension: step.extension.clone(), replacement };
            let part = part_of_extension(who.lab, &step.extension);
            out.push(found(part, step.at.clone(), step.text.clone(), said));
        }
    }
    // The applicationmap's keys: Asterisk looks their application up only when one is pressed.
    let mapped = folder.features.as_ref().map(crate::grade::applicationmap::entries).unwrap_or_default();
    for m in mapped {
        let lower = m.app.to_ascii_lowercase();
        if m.app.is_empty() || m.app.contains('$') || STATICALLY_KNOWN_APPS.contains(&lower.as_str()) {
            continue;
        }
        if APP_MODULES.iter().any(|(a, module)| *a == lower && module_reported(module)) {
            continue;
        }
        if !heard.applications.contains(&lower) {
            let said = Said::UnknownFeatureApp { feature: m.name.to_string(), app: m.app.to_string() };
            out.push(found(Part::III, m.entry.at.clone(), m.entry.text.clone(), said));
        }
    }
    findings.extend(out);
}

/// `${NAME(…)}` of a function this Asterisk does not have.
fn functions(heard: &Heard, folder: &Folder, who: &Whose, findings: &mut Vec<Finding>) {
    if heard.functions.is_empty() {
        return;
    }
    for step in folder.plan.contexts.iter().flat_map(|c| &c.steps).filter(|s| !s.is_hint()) {
        for name in called_functions(&step.args) {
            if !heard.functions.contains(&name.to_ascii_lowercase()) {
                let said = Said::UnknownFunction { function: name.to_string() };
                let part = part_of_extension(who.lab, &step.extension);
                findings.push(found(part, step.at.clone(), step.text.clone(), said));
            }
        }
    }
}

/// The names in `${NAME(` of a text.
fn called_functions(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        rest = &rest[i + 2..];
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if end > 0 && rest[end..].starts_with('(') {
            out.push(&rest[..end]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_and_quotes_are_read_from_messages() {
        assert_eq!(
            line_of("Unknown directive: \"x\" at line 13 of extensions.conf -- IGNORING!!!"),
            Some(Place::new("extensions.conf", 13))
        );
        assert_eq!(
            line_of("parse error: No category context for line 64 of /etc/asterisk/cel_sqlite3_custom.conf"),
            Some(Place::new("cel_sqlite3_custom.conf", 64))
        );
        assert_eq!(
            line_of("Could not find option suitable for category 'patron' named ' direct_media' at line 0 of "),
            None
        );
        let m = "Could not find option suitable for category 'patron' named ' direct_media' at line 0 of ";
        assert_eq!((quoted(m, 0), quoted(m, 1)), (Some("patron"), Some(" direct_media")));
        assert_eq!(called_functions("X=${CALLERID(num)} ${EXTEN:1} ${NOFUNC(a)}"), ["CALLERID", "NOFUNC"]);
    }

    proptest::proptest! {
        /// Whatever Asterisk prints, the explanation never panics and places
        /// findings only on files of the folder or the files it lacks.
        #[test]
        fn any_log_is_explained_without_panic(
            messages in proptest::collection::vec(
                proptest::string::string_regex(
                    "(Could not find option suitable for category '[a-z ]{0,6}' named '[a-z ]{0,6}' at line [0-9]{1,3} of [a-z.]{0,12}|Unable to apply object type '[a-z]{0,8}' with id '[a-z]{0,6}'|Unable to create objects for wizard '[a-z]{0,6}'|In [a-z.]{0,14}: Processing options for [a-z]{0,8} failed|Wizard '[a-z]{0,6}' must have '[a-z_]{0,12}' if it sends registrations.|Unknown directive: \"x\" at line [0-9]{1,4} of extensions.conf -- IGNORING!!!|Unable to register extension '[0-9]{0,3}' priority [0-9] in '[a-z]{0,5}', already in use|Unable to register extension at line [0-9]{1,3} of extensions.conf|Context '[a-z]{0,5}' tries to include nonexistent context '[a-z]{0,5}'|[a-z/]{0,12} is not a valid directory|[a-z_]{0,10} declined to load.|No provider found for label: [A-Za-z ]{0,10}|'[']{0,3}|line [0-9]{0,3} of [ ]{0,2})"
                ).unwrap(),
                0..12,
            )
        ) {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("extensions.conf"), "[default]\nexten => 1,1,Dial(PJSIP/a)\n").unwrap();
            std::fs::write(dir.path().join("pjsip_wizard.conf"), "[a](!)\ntype = wizard\n[b](a)\nendpoint/ x = 1\n").unwrap();
            let folder = Folder::read(dir.path()).unwrap();
            let lines = messages
                .iter()
                .map(|m| LogLine { level: Level::Error, source: "x.c:1".into(), function: "f".into(), message: m.clone() })
                .collect();
            let heard = Heard { lines, booted: true, ..Heard::default() };
            let explained = explain(&heard, &folder, &Lab::sae(), Some("b"));
            for f in &explained.findings {
                let file = f.at.file.to_string_lossy().to_string();
                proptest::prop_assert!(f.at.line == 0 || dir.path().join(&file).is_file(), "{f:?}");
            }
        }
    }
}
