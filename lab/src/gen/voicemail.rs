//! Voicemail (SAE part IV): a box per phone, numbered like its extension.

use super::header;
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
    s.push_str(
        "[general]\n\
         format = wav\n\
         ; Straight to the message when listening: no date and caller announced first.\n\
         envelope = no\n\
         maxmsg = 50\n\
         maxsecs = 120\n\
         minsecs = 1\n\
         ; Notice messages added or removed outside Asterisk, for MWI.\n\
         pollmailboxes = yes\n\
         pollfreq = 2\n\n",
    );
    s.push_str(&format!("[{CONTEXT}]\n"));
    for phone in &site.phones {
        s.push_str(&format!(
            "{ext} => {pin},{label} {cabinet}\n",
            ext = phone.extension,
            pin = secrets.voicemail_pin(lab, site, phone),
            label = phone.role.label,
            cabinet = phone.cabinet,
        ));
    }
    s
}
