//! The operator: one account per site trunk and per test phone, and the routing
//! of public and inter-site numbers between them.

use super::{asterisk, features, header, messaging};
use crate::model::{ports, Lab};
use crate::secrets::Secrets;

pub fn files(lab: &Lab, secrets: &Secrets) -> Vec<(&'static str, String)> {
    let mut files = asterisk::common_files(secrets.ami_secret(super::OPERATOR), ports::OPERATOR_RTP);
    files.extend([
        ("pjsip.conf", pjsip_conf(lab)),
        ("pjsip_wizard.conf", pjsip_wizard_conf(lab, secrets)),
        ("extensions.conf", extensions_conf(lab)),
        ("features.conf", header("In-call features: none at the operator") + "[general]\n"),
        ("res_parking.conf", features::res_parking_conf()),
        ("musiconhold.conf", features::musiconhold_conf(None)),
        ("voicemail.conf", header("Voicemail: no box at the operator") + "[general]\nformat = wav\n"),
    ]);
    files
}

fn pjsip_conf(lab: &Lab) -> String {
    let mut s = header("PJSIP transport, globals and site identification of the operator");
    s.push_str(&format!(
        "[global]\ntype = global\nuser_agent = Asterisk operator\n\
         ; Sites are recognised by their address, test phones by username.\n\
         endpoint_identifier_order = ip,username\n\n\
         [transport-udp]\ntype = transport\nprotocol = udp\nbind = 0.0.0.0:{sip}\n",
        sip = ports::SIP,
    ));
    // Calls from a site carry its caller's number as From user, so the site is
    // recognised by address. Kept out of the wizard: its remote_hosts would also
    // add a static contact, and a site would look registered when it is not.
    for site in &lab.sites {
        s.push_str(&format!(
            "\n[{account}-identify]\ntype = identify\nendpoint = {account}\nmatch = {ip}\n",
            account = site.trunk_account(),
            ip = lab.network.ipbx_backbone(site.index),
        ));
    }
    s
}

fn pjsip_wizard_conf(lab: &Lab, secrets: &Secrets) -> String {
    let mut s = header("Accounts at the operator: site trunks and test phones");
    s.push_str(&format!(
        "[account](!)\n\
         type = wizard\n\
         transport = transport-udp\n\
         accepts_registrations = yes\n\
         accepts_auth = yes\n\
         endpoint/context = routing\n\
         endpoint/message_context = messages\n\
         {UA_OPTIONS}\
         aor/max_contacts = 1\n\
         aor/remove_existing = yes\n\
         ; A site that comes back re-registers the same contact, which keeps its\n\
         ; Unreachable mark until the next qualify: ask often, so it is soon seen.\n\
         aor/qualify_frequency = 5\n\n",
        UA_OPTIONS = asterisk::UA_OPTIONS,
    ));
    for site in &lab.sites {
        s.push_str(&format!(
            "; Trunk of {name}: it registers here (its calls are identified in pjsip.conf).\n\
             ; Whatever recognises it, by address or by username, its password is asked:\n\
             ; a request claiming to be `{account}` from elsewhere is refused without it.\n\
             [{account}](account)\n\
             inbound_auth/username = {account}\n\
             inbound_auth/password = {password}\n\n",
            name = site.name,
            account = site.trunk_account(),
            password = secrets.trunk_password(site),
        ));
    }
    for phone in &lab.operator.test_phones {
        s.push_str(&format!(
            "; Test phone {name}, public number {number}\n\
             [{account}](account)\n\
             inbound_auth/username = {account}\n\
             inbound_auth/password = {password}\n\
             endpoint/callerid = \"{name}\" <{number}>\n\n",
            name = phone.name,
            number = phone.number,
            account = phone.account,
            password = secrets.test_phone_password(lab, phone),
        ));
    }
    s
}

fn extensions_conf(lab: &Lab) -> String {
    let n = &lab.numbering;
    let mut s = header("Routing at the operator");
    s.push_str("[general]\nstatic = yes\nwriteprotect = yes\n\n[routing]\n");
    for site in &lab.sites {
        s.push_str(&format!(
            "; {name}: public numbers {public}XX, inter-site numbers {intersite}XX\n\
             exten => _{public}XX,1,Dial(PJSIP/${{EXTEN}}@{account},60)\n \
             same => n,Hangup()\n\
             exten => _{intersite}XX,1,Goto(routing,{prefix}${{EXTEN:{skip}}},1)\n",
            name = site.name,
            public = site.public_number(n, ""),
            intersite = site.intersite_number(n, ""),
            account = site.trunk_account(),
            prefix = n.public_prefix,
            skip = n.intersite_prefix.len(),
        ));
    }
    for phone in &lab.operator.test_phones {
        s.push_str(&format!(
            "; Test phone {name}\nexten => {number},1,Dial(PJSIP/{account},60)\n same => n,Hangup()\n",
            name = phone.name,
            number = phone.number,
            account = phone.account,
        ));
    }
    s.push_str(&messaging::operator_contexts(lab));
    s
}
