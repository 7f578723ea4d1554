//! Files every Asterisk of the lab (site IPBX or operator) needs alike.

use super::{header, AMI_USER};

/// Modules loaded explicitly: only what the lab uses, to keep each Asterisk small.
const MODULES: &[&str] = &[
    // Config, sorcery and PJSIP stack.
    "res_sorcery_config.so",
    "res_sorcery_memory.so",
    "res_sorcery_astdb.so",
    "res_pjproject.so",
    "res_pjsip.so",
    "res_pjsip_session.so",
    "res_pjsip_authenticator_digest.so",
    "res_pjsip_outbound_authenticator_digest.so",
    "res_pjsip_endpoint_identifier_ip.so",
    "res_pjsip_endpoint_identifier_user.so",
    "res_pjsip_registrar.so",
    "res_pjsip_outbound_registration.so",
    "res_pjsip_config_wizard.so",
    "res_pjsip_caller_id.so",
    "res_pjsip_header_funcs.so",
    "res_pjsip_dtmf_info.so",
    "res_pjsip_sdp_rtp.so",
    "res_pjsip_nat.so",
    "res_pjsip_logger.so",
    "res_pjsip_refer.so",
    "res_pjsip_diversion.so",
    "res_pjsip_rfc3326.so",
    "res_pjsip_messaging.so",
    "res_pjsip_pubsub.so",
    "res_pjsip_exten_state.so",
    "res_pjsip_mwi.so",
    "res_pjsip_mwi_body_generator.so",
    "res_pjsip_dialog_info_body_generator.so",
    "res_pjsip_pidf_body_generator.so",
    "res_pjsip_pidf_eyebeam_body_supplement.so",
    "res_pjsip_pidf_digium_body_supplement.so",
    "res_pjsip_xpidf_body_generator.so",
    "chan_pjsip.so",
    "res_rtp_asterisk.so",
    // Media.
    "codec_ulaw.so",
    "codec_alaw.so",
    "format_wav.so",
    "format_pcm.so",
    "format_gsm.so",
    "codec_gsm.so",
    // Dialplan, bridging and the applications and functions it uses.
    "pbx_config.so",
    "bridge_simple.so",
    "bridge_native_rtp.so",
    "bridge_holding.so",
    "bridge_builtin_features.so",
    "bridge_builtin_interval_features.so",
    "app_dial.so",
    "app_playback.so",
    "app_echo.so",
    "app_stack.so",
    "func_callerid.so",
    "func_channel.so",
    "func_strings.so",
    "func_logic.so",
    "func_pjsip_endpoint.so",
    "res_manager_devicestate.so",
    "res_manager_presencestate.so",
    "func_devstate.so",
    "func_presencestate.so",
];

pub fn asterisk_conf() -> String {
    let mut s = header("Asterisk core options");
    s.push_str(
        "[options]\n\
         verbose = 3\n\
         ; Coloured output would garble `docker logs`.\n\
         nocolor = yes\n\
         ; One container runs one Asterisk as root: no privilege drop.\n\
         runuser = root\n\
         rungroup = root\n",
    );
    s
}

pub fn modules_conf() -> String {
    let mut s = header("Modules: none automatically, only what the lab uses");
    s.push_str("[modules]\nautoload = no\n\n");
    for m in MODULES {
        s.push_str(&format!("load = {m}\n"));
    }
    s
}

pub fn logger_conf() -> String {
    let mut s = header("Logging: everything useful to the container's output");
    s.push_str("[general]\n\n[logfiles]\nconsole => notice,warning,error,verbose\n");
    s
}

pub fn rtp_conf() -> String {
    let mut s = header("RTP: a small port range, enough for the lab's calls");
    s.push_str("[general]\nrtpstart = 10000\nrtpend = 10999\n");
    s
}

/// AMI, reachable on the lab's networks only (no port is published).
pub fn manager_conf(secret: &str) -> String {
    let mut s = header("Manager interface (AMI) used by the scenario runner");
    s.push_str(&format!(
        "[general]\nenabled = yes\nport = 5038\nbindaddr = 0.0.0.0\n\n\
         [{AMI_USER}]\nsecret = {secret}\nread = all\nwrite = all\n"
    ));
    s
}
