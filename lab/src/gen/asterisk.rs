//! Files every Asterisk of the lab (site IPBX or operator) needs alike.
//!
//! With `autoload = no` nothing loads unless listed, and a few modules log
//! errors at boot without their config file: those files are generated too,
//! so that a clean boot log means a healthy config.

use super::{header, AMI_USER};
use crate::model::PortRange;

/// Modules loaded explicitly, in dependency order: only what the lab uses,
/// to keep each Asterisk small.
const MODULES: &[(&str, &[&str])] = &[
    ("Core", &["res_sorcery_config", "res_sorcery_memory", "res_sorcery_astdb", "res_pjproject", "res_timing_timerfd"]),
    (
        "PJSIP",
        &[
            "res_pjsip",
            "res_pjsip_session",
            "res_pjsip_pubsub",
            "res_pjsip_registrar",
            "res_pjsip_outbound_registration",
            "res_pjsip_authenticator_digest",
            "res_pjsip_outbound_authenticator_digest",
            "res_pjsip_endpoint_identifier_ip",
            "res_pjsip_endpoint_identifier_user",
            "res_pjsip_config_wizard",
            "res_pjsip_sdp_rtp",
            "res_pjsip_caller_id",
            "res_pjsip_dtmf_info",
            "res_pjsip_diversion",
            "res_pjsip_rfc3326",
            "res_pjsip_nat",
            "res_pjsip_dlg_options",
            "res_pjsip_notify",
            "res_pjsip_logger",
            "res_pjsip_header_funcs",
        ],
    ),
    (
        // res_pjsip_exten_state needs a symbol of res_pjsip_outbound_publish.
        "Presence, BLF, MWI, MESSAGE, REFER",
        &[
            "res_pjsip_outbound_publish",
            "res_pjsip_exten_state",
            "res_pjsip_dialog_info_body_generator",
            "res_pjsip_pidf_body_generator",
            "res_pjsip_xpidf_body_generator",
            "res_pjsip_pidf_digium_body_supplement",
            "res_pjsip_pidf_eyebeam_body_supplement",
            "res_pjsip_mwi",
            "res_pjsip_mwi_body_generator",
            "res_pjsip_messaging",
            "res_pjsip_refer",
            "res_pjsip_send_to_voicemail",
            "chan_pjsip",
            "func_pjsip_endpoint",
            "func_pjsip_aor",
            "func_pjsip_contact",
        ],
    ),
    (
        "Media",
        &[
            "res_rtp_asterisk",
            "codec_ulaw",
            "codec_alaw",
            "codec_a_mu",
            "codec_gsm",
            "format_wav",
            "format_gsm",
            "format_pcm",
            "format_wav_gsm",
        ],
    ),
    (
        "Bridges, parking, music on hold",
        &[
            "bridge_simple",
            "bridge_native_rtp",
            "bridge_holding",
            "bridge_softmix",
            "bridge_builtin_features",
            "chan_bridge_media",
            "res_parking",
            "res_musiconhold",
        ],
    ),
    (
        "Dialplan and applications",
        &[
            "pbx_config",
            "app_dial",
            "app_playback",
            "app_echo",
            "app_voicemail",
            "app_mixmonitor",
            "app_stack",
            "app_verbose",
            "app_transfer",
            "app_channelredirect",
            "app_directed_pickup",
            "app_read",
            "app_record",
            // 560 puts the recorded prompt in place with cp and mv.
            "app_system",
            "app_milliwatt",
            "app_sendtext",
            "app_playtones",
            "app_senddtmf",
            "app_exec",
            "app_db",
        ],
    ),
    (
        "Functions",
        &[
            "func_callerid",
            "func_channel",
            "func_strings",
            "func_logic",
            "func_cut",
            "func_db",
            "func_global",
            "func_math",
            "func_timeout",
            "func_hangupcause",
            "func_devstate",
            "func_presencestate",
            "func_extstate",
            "func_dialplan",
            "func_uri",
            "func_sprintf",
            "func_env",
            "func_vmcount",
        ],
    ),
    ("Management", &["res_manager_devicestate", "res_manager_presencestate", "res_clioriginate"]),
];

/// Media and NAT options of every endpoint that is a SIP phone (site phones,
/// test phones): G.711, media through Asterisk, replies where requests came from.
pub const UA_OPTIONS: &str = "endpoint/disallow = all\n\
endpoint/allow = ulaw,alaw\n\
endpoint/direct_media = no\n\
endpoint/rtp_symmetric = yes\n\
endpoint/force_rport = yes\n\
endpoint/rewrite_contact = yes\n\
endpoint/language = fr\n";

/// The files common to every Asterisk; `ami_secret` is this server's AMI
/// password, `rtp` its RTP port range.
pub fn common_files(ami_secret: &str, rtp: PortRange) -> Vec<(&'static str, String)> {
    vec![
        ("asterisk.conf", asterisk_conf()),
        ("modules.conf", modules_conf()),
        ("logger.conf", logger_conf()),
        (
            "rtp.conf",
            simple(
                "RTP: a small port range, enough for the lab's calls",
                &format!("[general]\nrtpstart = {}\nrtpend = {}\n", rtp.first, rtp.last),
            ),
        ),
        ("manager.conf", manager_conf(ami_secret)),
        ("indications.conf", simple("French call progress tones", INDICATIONS_FR)),
        ("cdr.conf", simple("No call detail records", "[general]\nenable = no\n")),
        ("cel.conf", simple("No channel event logging", "[general]\nenable = no\n")),
        ("pjproject.conf", simple("PJSIP stack logging: errors only", "[startup]\nlog_level = 1\n")),
        (
            "stasis.conf",
            simple("Stasis message bus", "[threadpool]\ninitial_size = 5\nidle_timeout_sec = 20\nmax_size = 50\n"),
        ),
        ("ccss.conf", simple("Call completion (unused)", "[general]\ncc_max_requests = 20\n")),
        ("acl.conf", simple("Named access lists (none)", "")),
        ("udptl.conf", simple("UDPTL for fax (unused)", "[general]\nudptlstart = 4000\nudptlend = 4999\n")),
        ("pjsip_notify.conf", simple("NOTIFY messages `pjsip send notify` can send", PJSIP_NOTIFY)),
    ]
}

fn simple(what: &str, body: &str) -> String {
    header(what) + body
}

fn asterisk_conf() -> String {
    simple(
        "Asterisk core options",
        "[options]\n\
         ; Prompts in French, as the SAE's users speak.\n\
         defaultlanguage = fr\n\
         documentation_language = en_US\n\
         ; Remote consoles (`asterisk -rx`) come and go all the time: do not log them.\n\
         hideconnect = yes\n",
    )
}

fn modules_conf() -> String {
    let mut s = header("Modules: none automatically, only what the lab uses");
    s.push_str("[modules]\nautoload = no\n");
    for (group, modules) in MODULES {
        s.push_str(&format!("\n; {group}\n"));
        for m in *modules {
            s.push_str(&format!("load => {m}.so\n"));
        }
    }
    s
}

fn logger_conf() -> String {
    simple(
        "Logging: everything useful goes to the container's output (`docker logs`)",
        "[general]\ndateformat = %F %T\n\n[logfiles]\nconsole => notice,warning,error,verbose\n",
    )
}

/// AMI, reachable on the lab's networks only (no port is published).
fn manager_conf(secret: &str) -> String {
    simple(
        "Manager interface (AMI) used by the scenario runner",
        &format!(
            "[general]\nenabled = yes\nport = 5038\nbindaddr = 0.0.0.0\n\n\
             [{AMI_USER}]\nsecret = {secret}\nread = all\nwrite = all\n"
        ),
    )
}

const INDICATIONS_FR: &str =
    "[general]\ncountry = fr\n\n[fr]\ndescription = France\nringcadence = 1500,3500\ndial = 440\n\
busy = 440/500,0/500\nring = 440/1500,0/3500\ncongestion = 440/250,0/250\ncallwaiting = 440/300,0/10000\n\
dialrecall = !350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440\nrecord = 1400/500,0/15000\n\
info = !950/330,!1400/330,!1800/330\n\
stutter = !440/100,!0/100,!440/100,!0/100,!440/100,!0/100,!440/100,!0/100,!440/100,!0/100,!440/100,!0/100,440\n";

const PJSIP_NOTIFY: &str =
    "[clear-mwi]\nEvent => message-summary\nContent-type => application/simple-message-summary\n\
Content => Messages-Waiting: no\nContent => Voice-Message: 0/0 (0/0)\nContent => \n\n\
[check-sync]\nEvent => check-sync\nContent-Length => 0\n";
