//! A site's dialplan (extensions.conf): internal, inter-site and external
//! calls (SAE parts I and II) and the functions of part III.

use super::{header, messaging, prompts, sounds, voicemail, TRUNK};
use crate::model::{Lab, Site};

/// Last two digits of a site's main public number, answered by the menu.
pub const IVR_SUFFIX: &str = "00";

/// Dial options on every call to a phone: both parties may transfer (t/T),
/// record (x/X) and park (k/K); `b` runs `ring-class` on the called phone.
const DIAL_OPTIONS: &str = "tTxXkKb(ring-class^s^1)";

pub fn extensions_conf(lab: &Lab, site: &Site) -> String {
    let n = &lab.numbering;
    let mut s = header(&format!("Dialplan of {}", site.name));
    s.push_str("[general]\nstatic = yes\nwriteprotect = yes\n\n");

    s.push_str(&format!(
        "[globals]\n\
         ; Prepended to an extension to make the public number shown to called parties.\n\
         PUBLIC_PREFIX = {}\n\
         ; This IPBX as instant messages name it, to its phones and to the operator.\n\
         MSG_DOMAIN = {}\n\
         MSG_TRUNK_DOMAIN = {}\n\
         ; The site's own prompts (music on hold, pre-answer message), on its volume.\n\
         PROMPTS = {}\n\n",
        site.public_number(n, ""),
        lab.network.ipbx_lan(site.index),
        lab.network.ipbx_backbone(site.index),
        prompts::DIR,
    ));

    s.push_str(&format!(
        "; The phones of this site: extension <cabinet><role>, with a hint for BLF.\n\
         ; Unanswered after {ring} s, or already in a call, the caller reaches the\n\
         ; phone's voicemail (box = extension; busy greeting when in a call).\n[extensions]\n",
        ring = lab.voicemail.ring_seconds
    ));
    for phone in &site.phones {
        s.push_str(&format!(
            "exten => {ext},hint,PJSIP/{account}\n\
             exten => {ext},1,GotoIf($[\"${{DEVICE_STATE(PJSIP/{account})}}\" = \"INUSE\"]?busy)\n \
             same => n,Dial(PJSIP/{account},{ring},{DIAL_OPTIONS})\n \
             same => n,VoiceMail({ext}@{vm},u)\n \
             same => n,Hangup()\n \
             same => n(busy),VoiceMail({ext}@{vm},b)\n \
             same => n,Hangup()\n",
            ext = phone.extension,
            account = phone.account,
            ring = lab.voicemail.ring_seconds,
            vm = voicemail::CONTEXT,
        ));
    }
    s.push_str(&format!(
        "; {ACCESS}: a phone's own box, known by its caller ID (no PIN asked). Phones\n\
         ; only: the trunk reaches nothing here, so caller IDs from outside cannot.\n\
         exten => {ACCESS},1,VoiceMailMain(${{CALLERID(num)}}@{vm},s)\n \
         same => n,Hangup()\n",
        ACCESS = voicemail::ACCESS,
        vm = voicemail::CONTEXT,
    ));

    s.push_str(&format!(
        "\n; Other sites through the operator: {prefix}<site><cabinet><role>.\n[intersite]\n",
        prefix = n.intersite_prefix
    ));
    for other in &lab.sites {
        let pattern = format!("_{}XX", other.intersite_number(n, ""));
        if other.index == site.index {
            s.push_str(&format!(
                "; {name}'s own numbers stay on this IPBX.\nexten => {pattern},1,Goto(extensions,${{EXTEN:{skip}}},1)\n",
                name = other.name,
                skip = n.intersite_prefix.len() + n.site_digits,
            ));
        } else {
            s.push_str(&format!("; {name}\nexten => {pattern},1,Goto(to-operator,${{EXTEN}},1)\n", name = other.name));
        }
    }

    s.push_str(
        "\n; Ten-digit public numbers through the operator.\n[external]\n\
         exten => _0NXXXXXXXX,1,Goto(to-operator,${EXTEN},1)\n\n",
    );

    s.push_str(&format!(
        "; Leaves through the trunk, showing the caller's public number.\n[to-operator]\n\
         exten => _X.,1,Set(CALLERID(num)=${{PUBLIC_PREFIX}}${{CALLERID(num)}})\n \
         same => n,Dial(PJSIP/${{EXTEN}}@{TRUNK},60,tTxXkK)\n \
         same => n,Hangup()\n\
         exten => _{prefix}X.,1,Set(CALLERID(num)=${{PUBLIC_PREFIX}}${{CALLERID(num)}})\n \
         same => n,Dial(PJSIP/${{EXTEN}}@{TRUNK},60,tTxXkK)\n \
         same => n,Hangup()\n\n",
        prefix = n.intersite_prefix,
    ));

    s.push_str(
        "; What the site's phones may dial; parkedcalls holds the parking spaces.\n[internal]\n\
         include => extensions\ninclude => intersite\ninclude => external\ninclude => parkedcalls\n\
         include => own-prompts\n\n",
    );

    s.push_str(
        "; Calls from the operator: this site's public numbers, one per phone, each\n\
         ; after the pre-answer message (trunk calls only, by context).\n[from-trunk]\n",
    );
    s.push_str(&format!(
        "; The site's main number: the menu.\nexten => {public},1,Goto(ivr,s,1)\n",
        public = site.public_number(n, IVR_SUFFIX),
    ));
    for phone in &site.phones {
        s.push_str(&format!(
            "exten => {public},1,Gosub(welcome,s,1)\n same => n,Goto(extensions,{ext},1)\n",
            public = site.public_number(n, &phone.number),
            ext = phone.extension,
        ));
    }
    s.push_str(&format!(
        "; Voicemail access from outside is refused, with a message.\n\
         exten => {public},1,Answer()\n \
         same => n,Playback(/etc/asterisk/{dir}/refused)\n \
         same => n,Hangup()\n",
        public = site.public_number(n, voicemail::PUBLIC_ACCESS_SUFFIX),
        dir = sounds::DIR,
    ));

    s.push_str(&ivr(lab, site));
    s.push_str(&messaging::site_contexts(lab, site));
    s.push_str(&prompts::record_context());

    s.push_str(&format!(
        "\n; Pre-answer message (prédécroché) for trunk callers, who are classed\n\
         ; inter-site (a site's public number) or external for the called phone's ring.\n\
         ; The message is the site's own prompt ({record} records it).\n[welcome]\n\
         exten => s,1,Set(__CALL_CLASS=${{IF($[\"${{CALLERID(num):0:{len}}}\" = \"{prefix}\"]?intersite:external)}})\n \
         same => n,Answer()\n \
         same => n,Playback(${{PROMPTS}}/{file})\n \
         same => n,Return()\n\n",
        len = n.public_prefix.len(),
        prefix = n.public_prefix,
        record = prompts::RECORD,
        file = prompts::Use::PreAnswer.file().trim_end_matches(".wav"),
    ));

    s.push_str(
        "; On the called phone before it rings: Alert-Info tells it which ring to play\n\
         ; (internal, intersite or external).\n[ring-class]\n\
         exten => s,1,Set(PJSIP_HEADER(add,Alert-Info)=<http://127.0.0.1/ring>\\;info=${IF($[\"${CALL_CLASS}\" = \"\"]?internal:${CALL_CLASS})})\n \
         same => n,Return()\n\n",
    );

    s.push_str(
        "; The cabinet transfer keys: ARG1 is the role digit, the cabinet is the last\n\
         ; digit of the presser's endpoint (assistant2 -> cabinet 2).\n[cabinet-transfer]\n\
         exten => s,1,Set(TARGET=${CHANNEL(endpoint):-1}${ARG1})\n \
         same => n,ChannelRedirect(${BRIDGEPEER},extensions,${TARGET},1)\n \
         same => n,Return()\n",
    );
    s
}

/// The site's menu (IVR) on its main number: a cabinet's digit reaches its
/// secretary, 0 the reception desk (cabinet 1's); an invalid choice or no
/// choice plays the menu again.
fn ivr(lab: &Lab, site: &Site) -> String {
    let n = &lab.numbering;
    // The role that answers for a cabinet: the secretary, or else the last role.
    let desk_role = lab.roles.iter().find(|r| r.name == "secretaire").or(lab.roles.last()).map_or(1, |r| r.digit);
    let mut s = format!(
        "\n; Main number {main}: press a cabinet's number (1-{last}) for its secretary, 0 for the\n\
         ; reception desk; anything else, or nothing, plays the menu again.\n[ivr]\n\
         exten => s,1,Set(__CALL_CLASS=${{IF($[\"${{CALLERID(num):0:{len}}}\" = \"{prefix}\"]?intersite:external)}})\n \
         same => n,Answer()\n \
         same => n,Set(TIMEOUT(digit)=3)\n \
         same => n(menu),Background(/etc/asterisk/{dir}/menu)\n \
         same => n,Background(vm-enter-num-to-call)\n \
         same => n,WaitExten(5)\n",
        main = site.public_number(n, IVR_SUFFIX),
        last = site.cabinets,
        len = n.public_prefix.len(),
        prefix = n.public_prefix,
        dir = sounds::DIR,
    );
    for cabinet in 1..=site.cabinets {
        s.push_str(&format!("exten => {cabinet},1,Goto(extensions,{cabinet}{desk_role},1)\n"));
    }
    s.push_str(&format!(
        "exten => 0,1,Goto(extensions,1{desk_role},1)\n\
         exten => i,1,Goto(s,menu)\n\
         exten => t,1,Goto(s,menu)\n"
    ));
    s
}
