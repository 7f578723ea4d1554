//! One site's IPBX: its phones, its trunk to the operator, its dialplan.

use super::{asterisk, header};
use crate::model::{Lab, Site};
use crate::secrets::Secrets;

/// Name of the trunk endpoint towards the operator, in every site's config.
pub const TRUNK: &str = "operator";

pub fn files(lab: &Lab, site: &Site, secrets: &Secrets) -> Vec<(&'static str, String)> {
    let mut files = asterisk::common_files(secrets.ami_secret(&site.name));
    files.extend([
        ("pjsip.conf", pjsip_conf(lab, site)),
        ("pjsip_wizard.conf", pjsip_wizard_conf(lab, site, secrets)),
        ("extensions.conf", extensions_conf(lab, site)),
    ]);
    files
}

fn pjsip_conf(lab: &Lab, site: &Site) -> String {
    let mut s = header(&format!("PJSIP transports and globals of {}", site.name));
    s.push_str(&format!(
        "[global]\ntype = global\nuser_agent = Asterisk {name}\n\
         ; The operator is recognised by its address before any username.\n\
         endpoint_identifier_order = ip,username\n\n\
         ; One transport per network, so that each side sees the right address\n\
         ; in Via, Contact and SDP (a single 0.0.0.0 transport picks one for both).\n\
         [transport-lan]\ntype = transport\nprotocol = udp\nbind = {lan}:5060\n\n\
         [transport-backbone]\ntype = transport\nprotocol = udp\nbind = {backbone}:5060\n",
        name = site.name,
        lan = lab.network.ipbx_lan(site.index),
        backbone = lab.network.ipbx_backbone(site.index),
    ));
    s
}

fn pjsip_wizard_conf(lab: &Lab, site: &Site, secrets: &Secrets) -> String {
    let mut s = header(&format!("Phones of {} and its trunk to the operator", site.name));
    s.push_str(
        "; Shared by every phone of the site.\n\
         [phone](!)\n\
         type = wizard\n\
         transport = transport-lan\n\
         accepts_registrations = yes\n\
         accepts_auth = yes\n\
         has_phoneprov = no\n\
         endpoint/context = internal\n\
         endpoint/subscribe_context = extensions\n\
         endpoint/allow_subscribe = yes\n\
         endpoint/disallow = all\n\
         endpoint/allow = ulaw,alaw\n\
         endpoint/direct_media = no\n\
         endpoint/rtp_symmetric = yes\n\
         endpoint/force_rport = yes\n\
         endpoint/rewrite_contact = yes\n\
         endpoint/language = fr\n\
         aor/max_contacts = 1\n\
         aor/remove_existing = yes\n\
         aor/qualify_frequency = 30\n\n",
    );
    for phone in &site.phones {
        s.push_str(&format!(
            "; Cabinet {cabinet}, {label} ({device})\n\
             [{account}](phone)\n\
             inbound_auth/username = {account}\n\
             inbound_auth/password = {password}\n\
             endpoint/callerid = \"{label} {cabinet}\" <{extension}>\n\n",
            cabinet = phone.cabinet,
            label = phone.role.label,
            device = phone.role.device,
            account = phone.account,
            extension = phone.extension,
            password = secrets.phone_password(site, phone),
        ));
    }
    s.push_str(&format!(
        "; The operator: this site registers as `{account}`; calls from it land in from-trunk.\n\
         [{TRUNK}]\n\
         type = wizard\n\
         transport = transport-backbone\n\
         remote_hosts = {operator}:5060\n\
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
         endpoint/context = from-trunk\n\
         endpoint/disallow = all\n\
         endpoint/allow = ulaw,alaw\n\
         endpoint/direct_media = no\n\
         endpoint/language = fr\n",
        account = site.trunk_account(),
        operator = lab.network.operator(),
        password = secrets.trunk_password(site),
    ));
    s
}

fn extensions_conf(lab: &Lab, site: &Site) -> String {
    let n = &lab.numbering;
    let mut s = header(&format!("Dialplan of {}", site.name));
    s.push_str("[general]\nstatic = yes\nwriteprotect = yes\n\n");

    s.push_str(&format!(
        "[globals]\n\
         ; Prepended to an extension to make the public number shown to called parties.\n\
         PUBLIC_PREFIX = {}{}\n\n",
        n.public_prefix, site.index
    ));

    s.push_str(
        "; The phones of this site: extension <cabinet><role>, with a hint for BLF.\n\
         ; A phone already in a call gives busy to a second caller.\n[extensions]\n",
    );
    for phone in &site.phones {
        s.push_str(&format!(
            "exten => {ext},hint,PJSIP/{account}\n\
             exten => {ext},1,GotoIf($[\"${{DEVICE_STATE(PJSIP/{account})}}\" = \"INUSE\"]?busy)\n \
             same => n,Dial(PJSIP/{account},30)\n \
             same => n,Hangup()\n \
             same => n(busy),Busy(5)\n",
            ext = phone.extension,
            account = phone.account,
        ));
    }

    s.push_str(&format!(
        "\n; Other sites through the operator: {prefix}<site><cabinet><role>.\n[intersite]\n",
        prefix = n.intersite_prefix
    ));
    for other in &lab.sites {
        let pattern = format!("_{}{}XX", n.intersite_prefix, other.index);
        if other.index == site.index {
            s.push_str(&format!(
                "; {name}'s own numbers stay on this IPBX.\nexten => {pattern},1,Goto(extensions,${{EXTEN:{skip}}},1)\n",
                name = other.name,
                skip = n.intersite_prefix.len() + 1,
            ));
        } else {
            s.push_str(&format!(
                "; {name}\nexten => {pattern},1,Goto(to-operator,${{EXTEN}},1)\n",
                name = other.name
            ));
        }
    }

    s.push_str(
        "\n; Ten-digit public numbers through the operator.\n[external]\n\
         exten => _0NXXXXXXXX,1,Goto(to-operator,${EXTEN},1)\n\n",
    );

    s.push_str(&format!(
        "; Leaves through the trunk, showing the caller's public number.\n[to-operator]\n\
         exten => _X.,1,Set(CALLERID(num)=${{PUBLIC_PREFIX}}${{CALLERID(num)}})\n \
         same => n,Dial(PJSIP/${{EXTEN}}@{TRUNK},60)\n \
         same => n,Hangup()\n\
         exten => _{prefix}X.,1,Set(CALLERID(num)=${{PUBLIC_PREFIX}}${{CALLERID(num)}})\n \
         same => n,Dial(PJSIP/${{EXTEN}}@{TRUNK},60)\n \
         same => n,Hangup()\n\n",
        prefix = n.intersite_prefix,
    ));

    s.push_str(
        "; What the site's phones may dial.\n[internal]\n\
         include => extensions\ninclude => intersite\ninclude => external\n\n",
    );

    s.push_str("; Calls from the operator: this site's public numbers, one per phone.\n[from-trunk]\n");
    for phone in &site.phones {
        s.push_str(&format!(
            "exten => {public},1,Goto(extensions,{ext},1)\n",
            public = site.public_number(n, &phone.extension),
            ext = phone.extension,
        ));
    }
    s
}
