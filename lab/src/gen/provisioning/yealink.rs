//! Yealink T31P: an auto-provisioning `.cfg` (the `key = value` format the
//! phone fetches, or that is imported from its web page).

use super::{header, Account, EXPIRES};
use crate::gen::{features, voicemail};

/// Line key types of Yealink's DSS keys.
const BLF: u8 = 16;
const SPEED_DIAL: u8 = 13;

pub fn cfg(a: &Account<'_>) -> String {
    let p = a.phone;
    // The version line must come first, or the phone rejects the file.
    let mut s = String::from("#!version:1.0.0.1\n");
    s.push_str(&header(
        "## ",
        "",
        &format!("{} ({}) of {}, {}: auto-provisioning file.", a.display, p.account, a.site.name, p.role.device),
    ));
    s.push_str(&format!(
        "\n\
         account.1.enable = 1\n\
         account.1.label = {display} ({ext})\n\
         account.1.display_name = {display}\n\
         account.1.auth_name = {account}\n\
         account.1.user_name = {account}\n\
         account.1.password = {password}\n\
         account.1.sip_server.1.address = {server}\n\
         account.1.sip_server.1.port = {port}\n\
         ## 0 = UDP\n\
         account.1.sip_server.1.transport_type = 0\n\
         account.1.sip_server.1.expires = {EXPIRES}\n\n\
         ## Message waiting: Asterisk serves the box's MWI on the account itself\n\
         ## (aor/mailboxes), not on the voicemail number.\n\
         account.1.subscribe_mwi = 1\n\
         account.1.subscribe_mwi_to_vm = 0\n\
         voice_mail.number.1 = {vm}\n\n\
         ## Line keys: the cabinet colleagues' lines (BLF) first, then speed dials.\n\
         ## A T31P has two line keys: the BLF keys come first to take them.\n",
        display = a.display,
        ext = p.extension,
        account = p.account,
        password = a.password,
        server = a.server,
        port = a.port,
        vm = voicemail::ACCESS,
    ));
    let colleagues = a.site.phones.iter().filter(|c| c.cabinet == p.cabinet && c.account != p.account);
    let mut keys: Vec<(u8, String, String)> =
        colleagues.map(|c| (BLF, c.extension.clone(), format!("{} {}", c.role.label, c.cabinet))).collect();
    if p.role.pickup {
        keys.push((SPEED_DIAL, features::PICKUP.into(), "Interception".into()));
    }
    keys.push((SPEED_DIAL, features::PARKING_FIRST.to_string(), format!("Parking {}", features::PARKING_FIRST)));
    for (n, (kind, value, label)) in keys.iter().enumerate() {
        let n = n + 1;
        s.push_str(&format!(
            "linekey.{n}.type = {kind}\nlinekey.{n}.line = 1\nlinekey.{n}.value = {value}\nlinekey.{n}.label = {label}\n"
        ));
    }
    s
}
