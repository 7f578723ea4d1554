//! One site's IPBX: its phones, its trunk to the operator, its dialplan.

use super::{asterisk, dialplan, features, header, mail, prompts, sounds, voicemail, TRUNK};
use crate::model::{ports, Lab, Site};
use crate::secrets::Secrets;

pub fn files(lab: &Lab, site: &Site, secrets: &Secrets) -> Vec<(String, Vec<u8>)> {
    let mut files = asterisk::common_files(secrets.ami_secret(&site.name), lab.ipbx_rtp(site));
    files.extend([
        ("pjsip.conf", pjsip_conf(lab, site)),
        ("pjsip_wizard.conf", pjsip_wizard_conf(lab, site, secrets)),
        ("extensions.conf", dialplan::extensions_conf(lab, site)),
        ("features.conf", features::features_conf(lab)),
        ("res_parking.conf", features::res_parking_conf()),
        ("musiconhold.conf", features::musiconhold_conf(Some(site))),
        ("voicemail.conf", voicemail::voicemail_conf(lab, site, secrets)),
        ("msmtprc", mail::msmtprc(lab, site)),
    ]);
    let mut files: Vec<(String, Vec<u8>)> = files.into_iter().map(|(n, t)| (n.to_string(), t.into_bytes())).collect();
    files.extend(sounds::files());
    files.extend(prompts::shipped(site));
    files
}

fn pjsip_conf(lab: &Lab, site: &Site) -> String {
    let mut s = header(&format!("PJSIP transports and globals of {}", site.name));
    // Media of outside phones: straight to this address from the host, or
    // through the published ports from other machines.
    let media = if lab.publishes_media(site) {
        format!("external_media_address = {}\n", lab.site_bind(site))
    } else {
        String::new()
    };
    s.push_str(&format!(
        "[global]\ntype = global\nuser_agent = Asterisk {name}\n\
         ; The operator is recognised by its address before any username.\n\
         endpoint_identifier_order = ip,username\n\n\
         ; One transport per network, so that each side sees the right address\n\
         ; in Via, Contact and SDP (a single 0.0.0.0 transport picks one for both).\n\
         [transport-lan]\ntype = transport\nprotocol = udp\nbind = {lan}:{sip}\n\
         ; Phones outside the lab (a softphone on the host, through the port\n\
         ; published as {outside}:{port}) arrive from Docker's gateway {gateway}: Asterisk\n\
         ; gives them the host's address for SIP. Every other LAN address is local.\n\
         external_signaling_address = {outside}\nexternal_signaling_port = {port}\n\
         {media}{local_net}\n\
         [transport-backbone]\ntype = transport\nprotocol = udp\nbind = {backbone}:{sip}\n",
        name = site.name,
        lan = lab.network.ipbx_lan(site.index),
        backbone = lab.network.ipbx_backbone(site.index),
        outside = lab.site_bind(site),
        port = site.host_ports.sip,
        gateway = lab.network.site_gateway(site.index),
        sip = ports::SIP,
        local_net =
            lab.network.site_local_nets(site.index).iter().map(|n| format!("local_net = {n}\n")).collect::<String>(),
    ));
    s
}

fn pjsip_wizard_conf(lab: &Lab, site: &Site, secrets: &Secrets) -> String {
    let mut s = header(&format!("Phones of {} and its trunk to the operator", site.name));
    s.push_str(&format!(
        "; Shared by every phone of the site.\n\
         [phone](!)\n\
         type = wizard\n\
         transport = transport-lan\n\
         accepts_registrations = yes\n\
         accepts_auth = yes\n\
         has_phoneprov = no\n\
         endpoint/context = internal\n\
         endpoint/subscribe_context = extensions\n\
         endpoint/message_context = messages\n\
         endpoint/allow_subscribe = yes\n\
         {ua_options}\
         ; Held callers hear this site's own music.\n\
         endpoint/moh_suggest = {site}\n\
         ; The cabinet transfer keys ({prefix}<role>), on site phones only.\n\
         endpoint/set_var = DYNAMIC_FEATURES={features}\n\
         aor/max_contacts = 1\n\
         aor/remove_existing = yes\n\
         aor/qualify_frequency = 30\n\n",
        site = site.name,
        ua_options = asterisk::UA_OPTIONS,
        prefix = features::CABINET_TRANSFER_PREFIX,
        features = features::cabinet_features(lab),
    ));
    for phone in &site.phones {
        s.push_str(&format!(
            "; Cabinet {cabinet}, {label} ({device})\n\
             [{account}](phone)\n\
             inbound_auth/username = {account}\n\
             inbound_auth/password = {password}\n\
             endpoint/callerid = \"{label} {cabinet}\" <{extension}>\n\
             ; Message waiting (MWI) of its voicemail box.\n\
             aor/mailboxes = {extension}@{context}\n{groups}\n",
            cabinet = phone.cabinet,
            label = phone.role.label,
            device = phone.role.device,
            account = phone.account,
            extension = phone.extension,
            password = secrets.phone_password(site, phone),
            context = voicemail::CONTEXT,
            groups = if phone.role.pickup {
                format!("endpoint/call_group = {c}\nendpoint/pickup_group = {c}\n", c = phone.cabinet)
            } else {
                String::new()
            },
        ));
    }
    s.push_str(&format!(
        "; The operator: this site registers as `{account}`; calls from it land in from-trunk.\n\
         [{TRUNK}]\n\
         type = wizard\n\
         transport = transport-backbone\n\
         remote_hosts = {operator}:{sip}\n\
         sends_registrations = yes\n\
         sends_auth = yes\n\
         outbound_auth/username = {account}\n\
         outbound_auth/password = {password}\n\
         registration/contact_user = {account}\n\
         registration/expiration = 300\n\
         ; Retry quickly: the operator may still be starting.\n\
         registration/retry_interval = 2\n\
         registration/forbidden_retry_interval = 5\n\
         registration/max_retries = 100000\n\
         registration/auth_rejection_permanent = no\n\
         ; Known by its address only, whatever its port: a From of `{TRUNK}` from\n\
         ; anywhere else (a host behind the published port) is a stranger,\n\
         ; challenged like one.\n\
         identify/match = {operator}\n\
         endpoint/identify_by = ip\n\
         endpoint/context = from-trunk\n\
         endpoint/message_context = messages-from-trunk\n\
         endpoint/disallow = all\n\
         endpoint/allow = ulaw,alaw\n\
         endpoint/direct_media = no\n\
         endpoint/language = fr\n\
         endpoint/moh_suggest = {site}\n",
        site = site.name,
        account = site.trunk_account(),
        operator = lab.network.operator(),
        sip = ports::SIP,
        password = secrets.trunk_password(site),
    ));
    s
}
