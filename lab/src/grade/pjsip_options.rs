//! Every option of pjsip.conf and pjsip_wizard.conf checked at once against
//! Asterisk 22's own (`config show help res_pjsip …`). Asterisk stops at the
//! first unknown option of an object and does not create it; this names them
//! all, with what was meant. Sections of a type PJSIP does not have (sip.conf's
//! `type=friend`) are ignored by Asterisk without a word.

use super::asterisk_says::{advice, Advice};
use super::facts::{finding, Facts};
use super::messages::Problem;
use super::{Finding, Part};
use crate::asterisk_conf::accounts::{PJSIP_CONF, WIZARD_CONF};
use crate::asterisk_conf::{Conf, Section};

const ENDPOINT: &[&str] = &[
    "100rel",
    "aggregate_mwi",
    "allow",
    "codec_prefs_incoming_offer",
    "codec_prefs_outgoing_offer",
    "codec_prefs_incoming_answer",
    "codec_prefs_outgoing_answer",
    "allow_overlap",
    "overlap_context",
    "aors",
    "auth",
    "callerid",
    "callerid_privacy",
    "callerid_tag",
    "context",
    "direct_media_glare_mitigation",
    "direct_media_method",
    "trust_connected_line",
    "send_connected_line",
    "connected_line_method",
    "direct_media",
    "disable_direct_media_on_nat",
    "disallow",
    "dtmf_mode",
    "media_address",
    "bind_rtp_to_media_address",
    "force_rport",
    "ice_support",
    "identify_by",
    "redirect_method",
    "follow_redirect_methods",
    "mailboxes",
    "mwi_subscribe_replaces_unsolicited",
    "voicemail_extension",
    "moh_suggest",
    "outbound_auth",
    "outbound_proxy",
    "rewrite_contact",
    "rtp_ipv6",
    "rtp_symmetric",
    "send_diversion",
    "send_history_info",
    "send_pai",
    "send_rpid",
    "rpid_immediate",
    "tenantid",
    "timers_min_se",
    "timers",
    "timers_sess_expires",
    "transport",
    "trust_id_inbound",
    "trust_id_outbound",
    "type",
    "use_ptime",
    "use_avpf",
    "force_avp",
    "media_use_received_transport",
    "media_encryption",
    "media_encryption_optimistic",
    "g726_non_standard",
    "inband_progress",
    "call_group",
    "pickup_group",
    "named_call_group",
    "named_pickup_group",
    "device_state_busy_at",
    "t38_udptl",
    "t38_udptl_ec",
    "t38_udptl_maxdatagram",
    "fax_detect",
    "fax_detect_timeout",
    "t38_udptl_nat",
    "t38_udptl_ipv6",
    "t38_bind_udptl_to_media_address",
    "tone_zone",
    "language",
    "one_touch_recording",
    "record_on_feature",
    "record_off_feature",
    "rtp_engine",
    "allow_transfer",
    "user_eq_phone",
    "moh_passthrough",
    "sdp_owner",
    "sdp_session",
    "tos_audio",
    "tos_video",
    "cos_audio",
    "cos_video",
    "allow_subscribe",
    "sub_min_expiry",
    "from_user",
    "mwi_from_user",
    "from_domain",
    "dtls_verify",
    "dtls_rekey",
    "dtls_auto_generate_cert",
    "dtls_cert_file",
    "dtls_private_key",
    "dtls_cipher",
    "dtls_ca_file",
    "dtls_ca_path",
    "dtls_setup",
    "dtls_fingerprint",
    "srtp_tag_32",
    "set_var",
    "message_context",
    "accountcode",
    "preferred_codec_only",
    "incoming_call_offer_pref",
    "outgoing_call_offer_pref",
    "rtp_keepalive",
    "rtp_timeout",
    "rtp_timeout_hold",
    "rtp_port_start",
    "rtp_port_end",
    "acl",
    "deny",
    "permit",
    "contact_acl",
    "contact_deny",
    "contact_permit",
    "subscribe_context",
    "contact_user",
    "asymmetric_rtp_codec",
    "rtcp_mux",
    "refer_blind_progress",
    "notify_early_inuse_ringing",
    "max_audio_streams",
    "max_video_streams",
    "bundle",
    "webrtc",
    "incoming_mwi_mailbox",
    "follow_early_media_fork",
    "accept_multiple_sdp_answers",
    "suppress_q850_reason_headers",
    "ignore_183_without_sdp",
    "stir_shaken",
    "stir_shaken_profile",
    "allow_unauthenticated_options",
    "security_negotiation",
    "security_mechanisms",
    "geoloc_incoming_call_profile",
    "geoloc_outgoing_call_profile",
    "send_aoc",
    "suppress_moh_on_sendonly",
];
const AOR: &[&str] = &[
    "contact",
    "default_expiration",
    "mailboxes",
    "voicemail_extension",
    "maximum_expiration",
    "max_contacts",
    "minimum_expiration",
    "remove_existing",
    "remove_unavailable",
    "type",
    "qualify_frequency",
    "qualify_timeout",
    "qualify_2xx_only",
    "authenticate_qualify",
    "outbound_proxy",
    "support_path",
];
const AUTH: &[&str] = &[
    "auth_type",
    "username",
    "password",
    "password_digest",
    "md5_cred",
    "supported_algorithms_uac",
    "supported_algorithms_uas",
    "refresh_token",
    "oauth_clientid",
    "oauth_secret",
    "realm",
    "nonce_lifetime",
    "type",
];
const TRANSPORT: &[&str] = &[
    "async_operations",
    "bind",
    "ca_list_file",
    "ca_list_path",
    "cert_file",
    "cipher",
    "domain",
    "external_media_address",
    "external_signaling_address",
    "external_signaling_port",
    "method",
    "local_net",
    "password",
    "priv_key_file",
    "protocol",
    "require_client_cert",
    "tcp_keepalive_enable",
    "tcp_keepalive_idle_time",
    "tcp_keepalive_interval_time",
    "tcp_keepalive_probe_count",
    "type",
    "verify_client",
    "verify_server",
    "tos",
    "cos",
    "websocket_write_timeout",
    "allow_reload",
    "allow_wildcard_certs",
    "symmetric_transport",
];
const REGISTRATION: &[&str] = &[
    "auth_rejection_permanent",
    "client_uri",
    "contact_user",
    "contact_header_params",
    "expiration",
    "max_retries",
    "security_negotiation",
    "security_mechanisms",
    "outbound_auth",
    "outbound_proxy",
    "max_random_initial_delay",
    "retry_interval",
    "forbidden_retry_interval",
    "fatal_retry_interval",
    "server_uri",
    "transport",
    "line",
    "endpoint",
    "type",
    "support_path",
    "support_outbound",
    "user_agent",
];
const IDENTIFY: &[&str] = &["endpoint", "match", "srv_lookups", "match_header", "match_request_uri", "type"];
/// The wizard's own keys; the others are `<object>/<option>`.
const WIZARD: &[&str] = &[
    "type",
    "transport",
    "remote_hosts",
    "outbound_proxy",
    "sends_auth",
    "accepts_auth",
    "sends_registrations",
    "accepts_registrations",
    "sends_line_with_registrations",
    "has_phoneprov",
    "server_uri_pattern",
    "client_uri_pattern",
    "contact_pattern",
    "has_hint",
    "hint_context",
    "hint_exten",
    "hint_application",
];
/// Types of pjsip.conf objects this check knows the options of; the others
/// (global, system, contact, …) are left alone.
const CHECKED: &[(&str, &[&str])] = &[
    ("endpoint", ENDPOINT),
    ("aor", AOR),
    ("auth", AUTH),
    ("transport", TRANSPORT),
    ("registration", REGISTRATION),
    ("identify", IDENTIFY),
];
const OTHER_TYPES: &[&str] = &[
    "global",
    "system",
    "contact",
    "domain_alias",
    "acl",
    "phoneprov",
    "resource_list",
    "inbound-publication",
    "outbound-publish",
    "asterisk-publication",
    "wizard",
];
/// chan_sip's section types, from sip.conf.
const SIP_CONF_TYPES: [&str; 3] = ["friend", "peer", "user"];

pub(super) fn check(facts: &Facts, wizard: Option<&Conf>, pjsip: Option<&Conf>, findings: &mut Vec<Finding>) {
    if let Some(conf) = pjsip {
        for section in &conf.sections {
            objects(facts, conf, section, findings);
        }
    }
    if let Some(conf) = wizard {
        for section in conf.sections.iter().filter(|s| is_wizard(conf, s)) {
            wizard_keys(facts, section, findings);
        }
    }
}

fn type_of<'a>(conf: &'a Conf, section: &'a Section) -> Option<&'a str> {
    conf.value(section, "type").map(str::trim)
}

fn is_wizard(conf: &Conf, section: &Section) -> bool {
    type_of(conf, section).is_some_and(|t| t.eq_ignore_ascii_case("wizard"))
}

fn objects(facts: &Facts, conf: &Conf, section: &Section, findings: &mut Vec<Finding>) {
    let Some(kind) = type_of(conf, section).map(str::to_ascii_lowercase) else { return };
    let part = part_of(facts, &section.name, &kind);
    if SIP_CONF_TYPES.contains(&kind.as_str()) || (!OTHER_TYPES.contains(&kind.as_str()) && !is_checked(&kind)) {
        if let Some(entry) = section.entries.iter().find(|e| e.key.eq_ignore_ascii_case("type")) {
            let problem = Problem::UnknownPjsipType { section: section.name.clone(), kind: kind.clone() };
            findings.push(finding(part, entry.at.clone(), entry.text.clone(), problem));
        }
        return;
    }
    let Some((_, known)) = CHECKED.iter().find(|(k, _)| *k == kind) else { return };
    for entry in &section.entries {
        if !known.iter().any(|k| k.eq_ignore_ascii_case(&entry.key)) {
            let problem = Problem::UnknownPjsipOption {
                file: PJSIP_CONF.into(),
                section: section.name.clone(),
                object: kind.clone(),
                option: entry.key.clone(),
                advice: advice(&entry.key).or_else(|| did_you_mean(&entry.key, known)),
            };
            findings.push(finding(part, entry.at.clone(), entry.text.clone(), problem));
        }
    }
}

fn is_checked(kind: &str) -> bool {
    CHECKED.iter().any(|(k, _)| *k == kind)
}

fn wizard_keys(facts: &Facts, section: &Section, findings: &mut Vec<Finding>) {
    let trunk = facts.accounts.registrations.iter().any(|t| t.name == section.name);
    for entry in &section.entries {
        let key = entry.key.as_str();
        let (object, option, known): (&str, &str, &[&str]) = match key.split_once('/') {
            None => ("wizard", key, WIZARD),
            Some((prefix, option)) => match prefix.to_ascii_lowercase().as_str() {
                "endpoint" => ("endpoint", option, ENDPOINT),
                "aor" => ("aor", option, AOR),
                "inbound_auth" | "outbound_auth" => ("auth", option, AUTH),
                "registration" => ("registration", option, REGISTRATION),
                "identify" => ("identify", option, IDENTIFY),
                _ => continue, // phoneprov/ takes any key; a bad prefix is Asterisk's to say
            },
        };
        if known.iter().any(|k| k.eq_ignore_ascii_case(option)) {
            continue;
        }
        let advice = advice(option)
            .map(|a| match (a, key.split_once('/')) {
                (Advice::Space { fixed }, Some((prefix, _))) => Advice::Space { fixed: format!("{prefix}/{fixed}") },
                (a, _) => a,
            })
            .or_else(|| did_you_mean(option, known));
        let part = if trunk || object == "registration" { Part::II } else { Part::I };
        let problem = Problem::UnknownPjsipOption {
            file: WIZARD_CONF.into(),
            section: section.name.clone(),
            object: object.to_string(),
            option: option.to_string(),
            advice,
        };
        findings.push(finding(part, entry.at.clone(), entry.text.clone(), problem));
    }
}

fn part_of(facts: &Facts, section: &str, kind: &str) -> Part {
    let trunk = facts.accounts.registrations.iter().any(|t| t.name == section || section.starts_with(&t.name));
    if trunk || kind == "registration" {
        Part::II
    } else {
        Part::I
    }
}

/// A known option a typo or two away.
fn did_you_mean(option: &str, known: &[&str]) -> Option<Advice> {
    let option = option.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (super::dialling::edit_distance(&option, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| Advice::DidYouMean { option: k.to_string() })
}
