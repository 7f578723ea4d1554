//! Voicemail (SAE part IV): a box per phone, numbered like its extension.

use super::{header, mail};
use crate::model::{Lab, Site};
use crate::secrets::Secrets;

/// Voicemail context of every box of a site.
pub const CONTEXT: &str = "default";
/// Dialled by a phone to reach its own box.
pub const ACCESS: &str = "888";
/// The last two digits of a site's public number that lead to voicemail
/// access: refused to trunk callers.
pub const PUBLIC_ACCESS_SUFFIX: &str = "88";
/// Where a site's messages are kept.
pub const SPOOL: &str = "/var/spool/asterisk/voicemail";

pub fn voicemail_conf(lab: &Lab, site: &Site, secrets: &Secrets) -> String {
    let mut s = header(&format!("Voicemail boxes of {}: box number = extension", site.name));
    s.push_str(&format!(
        "[general]\n\
         format = wav\n\
         ; Each new message is also mailed, its audio attached, to the box's address\n\
         ; through msmtp and the lab's mail server; it stays in the box too.\n\
         attach = yes\n\
         charset = UTF-8\n\
         serveremail = voicemail@{domain}\n\
         fromstring = Messagerie {site}\n\
         mailcmd = /usr/bin/msmtp -C /etc/asterisk/msmtprc -t\n\
         emailsubject = Nouveau message ${{VM_MSGNUM}} dans la boîte ${{VM_MAILBOX}} de la part de ${{VM_CALLERID}}\n\
         emailbody = Bonjour ${{VM_NAME}},\\n\\nVous avez reçu un message de ${{VM_DUR}} dans la boîte ${{VM_MAILBOX}}\\nde la part de ${{VM_CALLERID}}, le ${{VM_DATE}}.\\n\\nLe message est joint à ce courriel.\\n\n\
         ; Straight to the message when listening: no date and caller announced first.\n\
         envelope = no\n\
         maxmsg = 50\n\
         maxsecs = 120\n\
         minsecs = 1\n\
         ; Notice messages added or removed outside Asterisk, for MWI.\n\
         pollmailboxes = yes\n\
         pollfreq = 2\n\n",
        domain = mail::domain(lab, site),
        site = site.name,
    ));
    s.push_str(&format!("[{CONTEXT}]\n"));
    for phone in &site.phones {
        s.push_str(&format!(
            "{ext} => {pin},{label} {cabinet},{address}\n",
            address = mail::address(lab, site, phone),
            ext = phone.extension,
            pin = secrets.voicemail_pin(lab, site, phone),
            label = phone.role.label,
            cabinet = phone.cabinet,
        ));
    }
    s
}
