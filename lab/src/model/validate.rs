//! Raw lab file -> checked [`Lab`], reporting every problem at once.

use std::collections::{BTreeMap, BTreeSet};

use toml::Spanned;

use super::raw::{RawLab, RawRole};
use super::{ports, Deploy, Device, Host, Lab, Network, Numbering, Operator, Phone, Role, Site, TestPhone, Voicemail};
use crate::diagnostic::{Collector, Diagnostics};
use crate::toml_file::{parent_tables, read, Segment};

/// Highest site index: two-digit site numbers at most.
const MAX_SITE: i64 = 99;
/// The SAE's: `0320000` + site + extension; one digit shorter with two-digit sites.
const DEFAULT_PUBLIC_PREFIX: &str = "0320000";

pub fn validate(file: &str, text: &str) -> Result<Lab, Diagnostics> {
    let (raw, mut c) = read::<RawLab>(file, text, allowed_keys)?;
    let lab = check(&mut c, raw);
    c.finish()?;
    Ok(lab)
}

fn check(c: &mut Collector<'_>, raw: RawLab) -> Lab {
    let name = raw.name.get_ref().clone();
    if !is_name(&name) {
        c.error(
            raw.name.span(),
            "name",
            format!(
                "lab name {name:?} must be lower-case letters, digits and '-', starting with a letter (at most 20)"
            ),
        );
    }

    // The widest site index decides how many digits every site number has.
    let widest = raw
        .sites
        .iter()
        .enumerate()
        .filter(|(_, s)| (1..=MAX_SITE).contains(s.index.get_ref()))
        .max_by_key(|(_, s)| *s.index.get_ref());
    let max_site = widest.map_or(1, |(_, s)| *s.index.get_ref() as u8);
    let two_digits = widest.filter(|_| max_site > 9).map(|(i, _)| format!("sites[{i}].index = {max_site}"));
    let numbering = check_numbering(c, raw.numbering.as_ref(), two_digits.as_deref());
    let network = check_network(c, raw.network.as_ref());

    let defaults = raw.defaults.as_ref();
    let default_cabinets = match defaults.and_then(|d| d.cabinets.as_ref()) {
        Some(n) => check_digit(c, n, "defaults.cabinets", "cabinets"),
        None => 8,
    };
    let default_password =
        defaults.and_then(|d| d.password.as_ref()).map(|p| check_password(c, p, "defaults.password"));

    let roles = check_roles(c, &raw.roles);
    let host = check_host(c, raw.host.as_ref(), max_site);

    let mut sites = Vec::new();
    let mut indices: BTreeMap<i64, usize> = BTreeMap::new();
    let mut names: BTreeSet<String> = BTreeSet::new();
    if raw.sites.is_empty() {
        c.error(raw.name.span(), "sites", "a lab needs at least one [[sites]] table");
    }
    for (i, s) in raw.sites.iter().enumerate() {
        let key = |field: &str| format!("sites[{i}].{field}");
        let index = check_site_index(c, &s.index, &key("index"));
        if let Some(first) = indices.insert(*s.index.get_ref(), i) {
            c.error(
                s.index.span(),
                key("index"),
                format!("site index {} is already used by sites[{first}]", s.index.get_ref()),
            );
        }
        let name = match &s.name {
            Some(n) => {
                if !is_name(n.get_ref()) {
                    c.error(n.span(), key("name"), format!("site name {:?} must be lower-case letters, digits and '-', starting with a letter (at most 20)", n.get_ref()));
                }
                if n.get_ref() == "operator" {
                    c.error(n.span(), key("name"), "\"operator\" is the operator's name; choose another site name");
                }
                n.get_ref().clone()
            }
            None => format!("table{}", s.index.get_ref()),
        };
        // A default name can only clash through a duplicate index, reported above.
        if let (false, Some(n)) = (names.insert(name.clone()), &s.name) {
            c.error(n.span(), key("name"), format!("site name {name:?} is used twice"));
        }
        let cabinets = match &s.cabinets {
            Some(n) => check_digit(c, n, &key("cabinets"), "cabinets"),
            None => default_cabinets,
        };
        let password = match &s.password {
            Some(p) => Some(check_password(c, p, &key("password"))),
            None => default_password.clone(),
        };
        let phones = (1..=cabinets)
            .flat_map(|cabinet| {
                roles.iter().map(move |role| Phone {
                    cabinet,
                    role: role.clone(),
                    account: format!("{}{cabinet}", role.name),
                    extension: format!("{cabinet}{}", role.digit),
                    number: format!("{cabinet}{}", role.digit),
                    softphone: false,
                })
            })
            .collect();
        let host_ports = host.ports(index);
        sites.push(Site { index, name, cabinets, password, phones, host_ports, bind: None });
    }
    sites.sort_by_key(|s| s.index);
    check_ports_apart(c, raw.host.as_ref(), &sites);

    let operator = check_operator(c, &raw, &numbering);
    let voicemail = check_voicemail(c, raw.voicemail.as_ref());
    let deploy = check_deploy(c, raw.deploy.as_ref());
    Lab { name, numbering, network, roles, sites, operator, voicemail, host, deploy }
}

fn check_host(c: &mut Collector<'_>, raw: Option<&super::raw::RawHost>, max_site: u8) -> Host {
    let mut host =
        Host { bind: std::net::Ipv4Addr::LOCALHOST, sip_base: ports::HOST_SIP_BASE, rtp_base: ports::HOST_RTP_BASE };
    let Some(raw) = raw else { return host };
    if let Some(b) = &raw.bind {
        match b.get_ref().parse::<std::net::Ipv4Addr>() {
            Ok(a) if !a.is_unspecified() => host.bind = a,
            _ => c.error_with_help(
                b.span(),
                "host.bind",
                format!("{:?} is not one IPv4 address of this machine", b.get_ref()),
                "outside phones are told this address: 127.0.0.1, or the address students' phones reach",
            ),
        }
    }
    // Site N takes SIP base+N and RTP base+100×N onwards: room for the
    // highest site, and for nine at least (SIP base+1..=base+9, RTP
    // base+100..base+1000), as every lab file always had.
    let sites = i64::from(max_site.max(9));
    let mut port = |v: &Option<Spanned<i64>>, key: &str, room: i64| match v {
        Some(p) if (1024..=65535 - room).contains(p.get_ref()) => Some(*p.get_ref() as u16),
        Some(p) => {
            c.error(p.span(), key, format!("port {} is out of range 1024..={}", p.get_ref(), 65535 - room));
            None
        }
        None => None,
    };
    if let Some(p) = port(&raw.sip_port, "host.sip_port", sites) {
        host.sip_base = p;
    }
    if let Some(p) = port(&raw.rtp_port, "host.rtp_port", 100 * (sites + 1)) {
        host.rtp_base = p;
    }
    host
}

fn check_deploy(c: &mut Collector<'_>, raw: Option<&super::raw::RawDeploy>) -> Deploy {
    match raw.and_then(|d| d.engine.as_ref()) {
        None => Deploy::Docker,
        Some(e) => match e.get_ref().as_str() {
            "docker" => Deploy::Docker,
            "swarm" => Deploy::Swarm,
            other => {
                c.error_with_help(
                    e.span(),
                    "deploy.engine",
                    format!("unknown engine {other:?}"),
                    "\"docker\" runs the lab on this machine; \"swarm\" on the nodes of the swarm this machine manages",
                );
                Deploy::Docker
            }
        },
    }
}

fn check_numbering(
    c: &mut Collector<'_>,
    raw: Option<&super::raw::RawNumbering>,
    two_digits: Option<&str>,
) -> Numbering {
    let site_digits = if two_digits.is_some() { 2 } else { 1 };
    // 10 digits in all: the prefix, the site number, cabinet and role.
    let prefix_len = Numbering::PUBLIC_DIGITS - site_digits - 2;
    let mut numbering = Numbering {
        public_prefix: DEFAULT_PUBLIC_PREFIX[..prefix_len].into(),
        intersite_prefix: "*".into(),
        site_digits,
    };
    let Some(raw) = raw else { return numbering };
    if let Some(p) = &raw.public_prefix {
        let v = p.get_ref();
        if v.len() != prefix_len || !v.starts_with('0') || !v.chars().all(|ch| ch.is_ascii_digit()) {
            let help = match two_digits {
                None => "a public number is the prefix + site + cabinet + role: 10 digits, e.g. 0320000213".into(),
                Some(why) => format!(
                    "{why} gives every site a two-digit number, so a public number is the prefix + site (2 digits) + cabinet + role: 10 digits, e.g. 0320000213 with prefix \"{}\" (site 02)",
                    &DEFAULT_PUBLIC_PREFIX[..prefix_len]
                ),
            };
            c.error_with_help(
                p.span(),
                "numbering.public_prefix",
                format!("public prefix {v:?} must be {prefix_len} digits starting with 0"),
                help,
            );
        }
        numbering.public_prefix = v.clone();
    }
    if let Some(p) = &raw.intersite_prefix {
        let v = p.get_ref();
        let first_ok = v.starts_with(['*', '#']);
        if v.is_empty() || v.len() > 2 || !first_ok || !v.chars().all(|ch| matches!(ch, '*' | '#' | '0'..='9')) {
            c.error(
                p.span(),
                "numbering.intersite_prefix",
                format!("inter-site prefix {v:?} must be 1 or 2 keypad characters starting with '*' or '#', so it cannot clash with extensions or public numbers"),
            );
        }
        numbering.intersite_prefix = v.clone();
    }
    numbering
}

fn check_network(c: &mut Collector<'_>, raw: Option<&super::raw::RawNetwork>) -> Network {
    let default = Network { prefix: [172, 28] };
    let Some(subnet) = raw.and_then(|n| n.subnet.as_ref()) else {
        return default;
    };
    let parsed = subnet.get_ref().split_once('/').and_then(|(addr, len)| {
        let addr: std::net::Ipv4Addr = addr.parse().ok()?;
        let [a, b, x, y] = addr.octets();
        (len == "16" && x == 0 && y == 0).then_some([a, b])
    });
    match parsed {
        Some(prefix) => Network { prefix },
        None => {
            c.error_with_help(
                subnet.span(),
                "network.subnet",
                format!("subnet {:?} is not an IPv4 /16 such as \"172.28.0.0/16\"", subnet.get_ref()),
                "the backbone takes x.y.0.0/24 and site N takes x.y.N.0/24",
            );
            default
        }
    }
}

fn check_roles(c: &mut Collector<'_>, raw: &[RawRole]) -> Vec<Role> {
    if raw.is_empty() {
        return vec![
            role(1, "patron", "Patron", "Yealink T31P", false),
            role(2, "assistant", "Assistant", "Nortel LIP6812", true),
            role(3, "secretaire", "Secrétaire", "Linphone", true),
        ];
    }
    let mut digits: BTreeMap<i64, usize> = BTreeMap::new();
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    let mut roles = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let digit = check_digit(c, &r.digit, &format!("roles[{i}].digit"), "role digit");
        if let Some(first) = digits.insert(*r.digit.get_ref(), i) {
            c.error_with_help(
                r.digit.span(),
                format!("roles[{i}].digit"),
                format!(
                    "duplicate extension: role {:?} has digit {}, as role {:?} does, so both would own extensions 1{digit}..9{digit}",
                    r.name.get_ref(),
                    r.digit.get_ref(),
                    raw[first].name.get_ref()
                ),
                "give every role its own digit",
            );
        }
        let name = r.name.get_ref();
        if name.is_empty() || name.len() > 16 || !name.chars().all(|ch| ch.is_ascii_lowercase()) {
            c.error(
                r.name.span(),
                format!("roles[{i}].name"),
                format!("role name {name:?} must be 1 to 16 lower-case letters (it names accounts such as {name}1)"),
            );
        }
        if let Some(first) = names.insert(name.clone(), i) {
            c.error(
                r.name.span(),
                format!("roles[{i}].name"),
                format!("role name {name:?} is already used by roles[{first}]"),
            );
        }
        let label = r.label.as_ref().map_or_else(|| capitalize(name), |l| l.get_ref().clone());
        let device = r.device.as_ref().map_or_else(|| "softphone".to_string(), |d| d.get_ref().clone());
        // As in the SAE: assistants and secretaries pick up each other's calls.
        let pickup = r.pickup.unwrap_or(name != "patron");
        roles.push(role(digit, name, &label, &device, pickup));
    }
    roles.sort_by_key(|r| r.digit);
    roles
}

fn check_operator(c: &mut Collector<'_>, raw: &RawLab, numbering: &Numbering) -> Operator {
    let Some(op) = &raw.operator else {
        return Operator {
            password: None,
            test_phones: ["0212345677", "0212345678"]
                .iter()
                .enumerate()
                .map(|(i, number)| TestPhone {
                    name: format!("TM{}", i + 1),
                    account: format!("tm{}", i + 1),
                    number: number.to_string(),
                    password: None,
                })
                .collect(),
        };
    };
    let password = op.password.as_ref().map(|p| check_password(c, p, "operator.password"));
    let mut numbers: BTreeMap<String, usize> = BTreeMap::new();
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    let mut test_phones = Vec::new();
    for (i, t) in op.test_phones.iter().enumerate() {
        let key = |field: &str| format!("operator.test_phones[{i}].{field}");
        let name = t.name.get_ref();
        let account = name.to_ascii_lowercase();
        if !is_name(&account) {
            c.error(
                t.name.span(),
                key("name"),
                format!("test phone name {name:?} must be letters and digits, starting with a letter"),
            );
        }
        if let Some(first) = names.insert(account.clone(), i) {
            c.error(
                t.name.span(),
                key("name"),
                format!("test phone name {name:?} is already used by operator.test_phones[{first}]"),
            );
        }
        let number = t.number.get_ref();
        if number.len() != 10 || !number.starts_with('0') || !number.chars().all(|ch| ch.is_ascii_digit()) {
            c.error(
                t.number.span(),
                key("number"),
                format!("test phone number {number:?} must be 10 digits starting with 0"),
            );
        } else if number.starts_with(&numbering.public_prefix) {
            c.error(
                t.number.span(),
                key("number"),
                format!(
                    "duplicate extension: {number} is in the sites' public range {}{}",
                    numbering.public_prefix,
                    "X".repeat(numbering.site_digits + 2)
                ),
            );
        }
        if let Some(first) = numbers.insert(number.clone(), i) {
            c.error(
                t.number.span(),
                key("number"),
                format!("duplicate extension: number {number} is already operator.test_phones[{first}]'s"),
            );
        }
        let password = t.password.as_ref().map(|p| check_password(c, p, &key("password")));
        test_phones.push(TestPhone { name: name.clone(), account, number: number.clone(), password });
    }
    Operator { password, test_phones }
}

fn check_voicemail(c: &mut Collector<'_>, raw: Option<&super::raw::RawVoicemail>) -> Voicemail {
    let mut vm = Voicemail { ring_seconds: 10, pin: None };
    let Some(raw) = raw else { return vm };
    if let Some(s) = &raw.ring_seconds {
        match u8::try_from(*s.get_ref()) {
            Ok(n) if (3..=60).contains(&n) => vm.ring_seconds = n,
            _ => c.error(s.span(), "voicemail.ring_seconds", format!("{} is out of range 3..=60", s.get_ref())),
        }
    }
    if let Some(p) = &raw.pin {
        let v = p.get_ref();
        if !(4..=8).contains(&v.len()) || !v.chars().all(|ch| ch.is_ascii_digit()) {
            c.error(p.span(), "voicemail.pin", format!("PIN {v:?} must be 4 to 8 digits (it is keyed on a phone)"));
        }
        vm.pin = Some(v.clone());
    }
    vm
}

fn role(digit: u8, name: &str, label: &str, device: &str, pickup: bool) -> Role {
    Role { digit, name: name.into(), label: label.into(), device: Device::named(device), pickup }
}

/// A site index: 1..=99, its number in inter-site and public numbers.
fn check_site_index(c: &mut Collector<'_>, v: &Spanned<i64>, key: &str) -> u8 {
    let n = *v.get_ref();
    if (1..=MAX_SITE).contains(&n) {
        n as u8
    } else {
        c.error_with_help(
            v.span(),
            key,
            format!("site index {n} is out of range 1..={MAX_SITE}"),
            "it is the site's number in inter-site and public numbers: one digit while no index passes 9, two digits (01..99) for every site otherwise",
        );
        1
    }
}

/// No site's RTP range may hold a SIP port: another site's on the host, or
/// the one every Asterisk listens on inside (the IPBX uses its RTP range there too).
fn check_ports_apart(c: &mut Collector<'_>, raw: Option<&super::raw::RawHost>, sites: &[Site]) {
    let Some(span) = raw.and_then(|h| h.rtp_port.as_ref().or(h.sip_port.as_ref())).map(|p| p.span()) else {
        return;
    };
    let key = if raw.is_some_and(|h| h.rtp_port.is_some()) { "host.rtp_port" } else { "host.sip_port" };
    let sip = sites
        .iter()
        .map(|s| (s.host_ports.sip, format!("{}'s SIP port on the host", s.name)))
        .chain([(ports::SIP, "the SIP port of every Asterisk inside the lab".to_string())]);
    for (port, what) in sip {
        if let Some(s) = sites.iter().find(|s| s.host_ports.rtp.contains(port)) {
            c.error_with_help(
                span.clone(),
                key,
                format!("{}'s RTP ports {} hold {port}, {what}", s.name, s.host_ports.rtp),
                "site N uses sip_port + N for SIP and rtp_port + 100 × N onwards for RTP: move one of them",
            );
            return;
        }
    }
}

/// A value that must be a single digit 1..=9 (it becomes one digit of a number).
fn check_digit(c: &mut Collector<'_>, v: &Spanned<i64>, key: &str, what: &str) -> u8 {
    let n = *v.get_ref();
    if (1..=9).contains(&n) {
        n as u8
    } else {
        c.error_with_help(
            v.span(),
            key,
            format!("{what} {n} is out of range 1..=9"),
            "it is one digit of the extensions and public numbers",
        );
        1
    }
}

fn check_password(c: &mut Collector<'_>, v: &Spanned<String>, key: &str) -> String {
    let p = v.get_ref();
    if p.is_empty()
        || p.len() > 64
        || !p.chars().all(|ch| ch.is_ascii_graphic() && !matches!(ch, ';' | '"' | '\\' | '<' | '>' | '\''))
    {
        c.error(
            v.span(),
            key,
            "password must be 1 to 64 printable ASCII characters without spaces, quotes, ';', '\\', '<' or '>'",
        );
    }
    p.clone()
}

fn is_name(s: &str) -> bool {
    s.len() <= 20
        && s.starts_with(|ch: char| ch.is_ascii_lowercase())
        && s.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |f| f.to_uppercase().chain(chars).collect())
}

fn allowed_keys(path: &[Segment]) -> &'static [&'static str] {
    match parent_tables(path).as_slice() {
        [] => {
            &["name", "numbering", "network", "defaults", "roles", "sites", "operator", "voicemail", "host", "deploy"]
        }
        ["deploy"] => &["engine"],
        ["host"] => &["bind", "sip_port", "rtp_port"],
        ["voicemail"] => &["ring_seconds", "pin"],
        ["numbering"] => &["public_prefix", "intersite_prefix"],
        ["network"] => &["subnet"],
        ["defaults"] => &["cabinets", "password"],
        ["roles"] => &["digit", "name", "label", "device", "pickup"],
        ["sites"] => &["index", "name", "cabinets", "password"],
        ["operator"] => &["password", "test_phones"],
        ["operator", "test_phones"] => &["name", "number", "password"],
        _ => &[],
    }
}
