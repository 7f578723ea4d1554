//! The operator: one account per site trunk and per test phone, and the routing
//! of public and inter-site numbers between them.

use super::{asterisk, header};
use crate::model::Lab;
use crate::secrets::Secrets;

pub fn files(lab: &Lab, secrets: &Secrets) -> Vec<(&'static str, String)> {
    vec![
        ("asterisk.conf", asterisk::asterisk_conf()),
        ("modules.conf", asterisk::modules_conf()),
        ("logger.conf", asterisk::logger_conf()),
        ("rtp.conf", asterisk::rtp_conf()),
        (
            "manager.conf",
            asterisk::manager_conf(secrets.ami_secret(super::OPERATOR)),
        ),
        ("pjsip.conf", pjsip_conf()),
        ("pjsip_wizard.conf", pjsip_wizard_conf(lab, secrets)),
        ("extensions.conf", extensions_conf(lab)),
    ]
}

fn pjsip_conf() -> String {
    let mut s = header("PJSIP transport and globals of the operator");
    s.push_str(
        "[global]\ntype = global\nuser_agent = Asterisk operator\n\
         ; Sites are recognised by their address, test phones by username.\n\
         endpoint_identifier_order = ip,username\n\n\
         [transport-udp]\ntype = transport\nprotocol = udp\nbind = 0.0.0.0:5060\n",
    );
    s
}

fn pjsip_wizard_conf(lab: &Lab, secrets: &Secrets) -> String {
    let mut s = header("Accounts at the operator: site trunks and test phones");
    s.push_str(
        "[account](!)\n\
         type = wizard\n\
         transport = transport-udp\n\
         accepts_registrations = yes\n\
         accepts_auth = yes\n\
         endpoint/context = routing\n\
         endpoint/allow = !all,ulaw,alaw\n\
         endpoint/direct_media = no\n\
         aor/max_contacts = 1\n\
         aor/remove_existing = yes\n\n",
    );
    for site in &lab.sites {
        s.push_str(&format!(
            "; Trunk of {name}: it registers here; its calls are recognised by its address.\n\
             [{account}](account)\n\
             remote_hosts = {ip}\n\
             inbound_auth/username = {account}\n\
             inbound_auth/password = {password}\n\n",
            name = site.name,
            account = site.trunk_account(),
            ip = lab.network.ipbx_backbone(site.index),
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
            public = format_args!("{}{}", n.public_prefix, site.index),
            intersite = format_args!("{}{}", n.intersite_prefix, site.index),
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
    s
}
