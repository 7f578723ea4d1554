//! Phones without a provisioning file (the Nortel LIP6812 on SIP firmware):
//! the values a student types on the phone, as a Markdown sheet.

use super::{header, Account, EXPIRES};
use crate::gen::{features, voicemail};
use crate::model::Lab;

pub fn text(lab: &Lab, a: &Account<'_>) -> String {
    let p = a.phone;
    let mut s = header(
        "",
        "",
        &format!("{} ({}) of {}, {}: settings to type on the phone.", a.display, p.account, a.site.name, p.role.device),
    );
    s.push_str(&format!(
        "\n\
         This phone takes no provisioning file: open its SIP (or network) settings and\n\
         enter these values, then restart it so that it registers.\n\n\
         | setting | value |\n\
         |---|---|\n\
         | SIP server / proxy / registrar | {server} |\n\
         | SIP port | {port} |\n\
         | transport | UDP |\n\
         | domain | {server} |\n\
         | user name (user ID) | {account} |\n\
         | authentication name | {account} |\n\
         | password | {password} |\n\
         | display name | {display} |\n\
         | registration expiry | {EXPIRES} s |\n\
         | voicemail number | {vm} |\n\n\
         Once registered it is extension {ext}, public number {public}.\n\n\
         | to | dial |\n\
         |---|---|\n\
         | one's own voicemail (no PIN from this phone) | {vm} |\n\
         {pickup}\
         | take back a parked call | {first}-{last} |\n\
         | in a call: blind / attended transfer | {blind} / {attended} |\n\
         | in a call: park | {park} |\n",
        server = a.server,
        port = a.port,
        account = p.account,
        password = a.password,
        display = a.display,
        vm = voicemail::ACCESS,
        ext = p.extension,
        public = a.site.public_number(&lab.numbering, &p.extension),
        pickup = if p.role.pickup {
            format!("| answer a ringing colleague of the cabinet | {} |\n", features::PICKUP)
        } else {
            String::new()
        },
        first = features::PARKING_FIRST,
        last = features::PARKING_LAST,
        blind = features::BLIND_TRANSFER,
        attended = features::ATTENDED_TRANSFER,
        park = features::PARK,
    ));
    s
}
