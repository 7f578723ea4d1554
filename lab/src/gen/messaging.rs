//! Instant messaging (SIP MESSAGE) between phones, across sites through the
//! operator, by the same numbers as calls.
//!
//! Patterns match real extensions only: Asterisk answers 404 itself when no
//! extension of the message context matches, and that is the only error a
//! sender can see (past the first hop a MESSAGE is accepted with 202).

use super::TRUNK;
use crate::model::{Lab, Site};

/// `[1-8][123]`: the digits of the lab's extensions, for patterns.
fn extension_pattern(lab: &Lab, site: &Site) -> String {
    let roles: String = lab.roles.iter().map(|r| char::from(b'0' + r.digit)).collect();
    format!("[1-{}][{roles}]", site.cabinets)
}

/// Message contexts of a site's extensions.conf.
pub fn site_contexts(lab: &Lab, site: &Site) -> String {
    let n = &lab.numbering;
    let mut s = String::from(
        "\n; Instant messages (SIP MESSAGE) from the site's phones, by the numbers\n\
         ; used for calls: extensions here, *<site><ext> and public numbers away.\n\
         [messages]\ninclude => msg-phones\ninclude => msg-intersite\n\n[msg-phones]\n",
    );
    for phone in &site.phones {
        s.push_str(&format!("exten => {},1,Gosub(msg-deliver,s,1({}))\n", phone.extension, phone.account));
    }
    s.push_str("\n[msg-intersite]\n");
    for other in &lab.sites {
        let pattern = format!("_{}{}", other.intersite_number(n, ""), extension_pattern(lab, other));
        if other.index == site.index {
            s.push_str(&format!(
                "exten => {pattern},1,Goto(msg-phones,${{EXTEN:{}}},1)\n",
                n.intersite_prefix.len() + n.site_digits
            ));
        } else {
            s.push_str(&format!("exten => {pattern},1,Gosub(msg-to-operator,s,1(${{EXTEN}}))\n"));
        }
    }
    s.push_str("exten => _0NXXXXXXXX,1,Gosub(msg-to-operator,s,1(${EXTEN}))\n");

    s.push_str(&format!(
        "\n; From the operator: this site's public numbers. The sender stays known by\n\
         ; its public number, at this IPBX, so that a reply comes back the same way.\n\
         [messages-from-trunk]\n\
         exten => _{public}{pattern},1,Set(MSG_FROM=${{MESSAGE_DATA(From)}})\n \
         same => n,Set(MSG_FROM=${{CUT(MSG_FROM,\\;,1)}})\n \
         same => n,Set(MSG_FROM=\"${{PJSIP_PARSE_URI_FROM(MSG_FROM,display)}}\" <sip:${{PJSIP_PARSE_URI_FROM(MSG_FROM,user)}}@${{MSG_DOMAIN}}>)\n \
         same => n,Goto(msg-phones,${{EXTEN:{skip}}},1)\n",
        public = site.public_number(n, ""),
        pattern = extension_pattern(lab, site),
        skip = n.public_prefix.len() + n.site_digits,
    ));

    s.push_str(&format!(
        "\n; The sending phone's name and extension (its From user is its account).\n\
         [msg-sender]\n\
         exten => s,1,Set(LOCAL(from)=${{MESSAGE(from)}})\n \
         same => n,Set(CALLERID(all)=${{PJSIP_ENDPOINT(${{PJSIP_PARSE_URI_FROM(from,user)}},callerid)}})\n \
         same => n,Return()\n\n\
         ; ARG1: the endpoint to deliver to.\n\
         [msg-deliver]\n\
         exten => s,1,GotoIf($[${{LEN(${{MSG_FROM}})}} > 0]?send)\n \
         same => n,Gosub(msg-sender,s,1)\n \
         same => n,Set(MSG_FROM=\"${{CALLERID(name)}}\" <sip:${{CALLERID(num)}}@${{MSG_DOMAIN}}>)\n \
         same => n(send),Set(MESSAGE(from)=${{MSG_FROM}})\n \
         same => n,MessageSend(pjsip:${{ARG1}})\n \
         same => n,Verbose(1,MESSAGE ${{ARG1}} from ${{MSG_FROM}}: ${{MESSAGE_SEND_STATUS}})\n \
         same => n,Return()\n\n\
         ; ARG1: the number, sent on through the trunk with the sender's public number.\n\
         [msg-to-operator]\n\
         exten => s,1,Gosub(msg-sender,s,1)\n \
         same => n,Set(MESSAGE(from)=\"${{CALLERID(name)}}\" <sip:${{PUBLIC_PREFIX}}${{CALLERID(num)}}@${{MSG_TRUNK_DOMAIN}}>)\n \
         same => n,MessageSend(pjsip:PJSIP/${{ARG1}}@{TRUNK})\n \
         same => n,Verbose(1,MESSAGE ${{ARG1}} to the operator: ${{MESSAGE_SEND_STATUS}})\n \
         same => n,Return()\n"
    ));
    s
}

/// The operator's message routing: by public and inter-site numbers.
pub fn operator_contexts(lab: &Lab) -> String {
    let n = &lab.numbering;
    let mut s = String::from("\n; Instant messages between sites and to the test phones.\n[messages]\n");
    for site in &lab.sites {
        let pattern = extension_pattern(lab, site);
        s.push_str(&format!(
            "exten => _{public}{pattern},1,Gosub(msg-forward,s,1(PJSIP/${{EXTEN}}@{account}))\n\
             exten => _{intersite}{pattern},1,Goto(messages,{prefix}${{EXTEN:{skip}}},1)\n",
            public = site.public_number(n, ""),
            intersite = site.intersite_number(n, ""),
            account = site.trunk_account(),
            prefix = n.public_prefix,
            skip = n.intersite_prefix.len(),
        ));
    }
    for phone in &lab.operator.test_phones {
        s.push_str(&format!("exten => {},1,Gosub(msg-forward,s,1({}))\n", phone.number, phone.account));
    }
    s.push_str(
        "\n; The raw From header keeps accents in the sender's name (MESSAGE(from) does not).\n\
         [msg-forward]\n\
         exten => s,1,Set(LOCAL(from)=${MESSAGE_DATA(From)})\n \
         same => n,Set(MESSAGE(from)=${CUT(from,\\;,1)})\n \
         same => n,MessageSend(pjsip:${ARG1})\n \
         same => n,Verbose(1,MESSAGE ${ARG1} from ${MESSAGE(from)}: ${MESSAGE_SEND_STATUS})\n \
         same => n,Return()\n",
    );
    s
}
