//! Phones without a provisioning file (the Nortel LIP6812 on SIP firmware):
//! the values a student types on the phone, as a Markdown sheet.

use super::{header, Account, EXPIRES};
use crate::gen::{features, voicemail};
use crate::model::{Device, Lab};

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
        public = a.site.public_number(&lab.numbering, &p.number),
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
    if p.role.device == Device::NortelLip6812 {
        s.push_str(&nortel_steps(a));
    }
    s
}

/// The LIP6812's own menus (SIP firmware), as used in the SAE: the line
/// settings, then one flexible key per speed dial.
fn nortel_steps(a: &Account<'_>) -> String {
    let p = a.phone;
    let mut keys: Vec<(String, String)> = a
        .site
        .phones
        .iter()
        .filter(|c| c.cabinet == p.cabinet && c.account != p.account)
        .map(|c| (c.extension.clone(), format!("{} {}", c.role.label, c.cabinet)))
        .collect();
    keys.push((voicemail::ACCESS.to_string(), "Voicemail".to_string()));
    if p.role.pickup {
        keys.push((features::PICKUP.to_string(), "Pickup".to_string()));
    }
    let mut s = format!(
        "\n## On the Nortel LIP6812, step by step\n\n\
         1. Press **Settings**, then with the arrows open **2. SIP Configuration** › **1. Line 1 Settings**.\n\
         2. Enter, each field followed by OK:\n\
         \x20  - **1. Call Server Address**: {server}\n\
         \x20  - **2. Proxy Port**: {port}\n\
         \x20  - **3. Display Name**: {display}\n\
         \x20  - **4. Name**: {account}\n\
         \x20  - **5. Auth. Username**: {account}\n\
         \x20  - **6. Auth. Password**: {password}\n\
         3. Back out of the menus; the phone registers and shows its line.\n\
         4. Speed dial keys: **Settings** › **3. Phone Settings** › **6. Flexible Key Settings**, press the\n\
         \x20  key to set (line keys show red, keys already set green), choose **Speed Dial Function**,\n\
         \x20  then enter the number:\n",
        server = a.server,
        port = a.port,
        display = a.display,
        account = p.account,
        password = a.password,
    );
    for (number, label) in keys {
        s.push_str(&format!("   - {label}: {number}\n"));
    }
    s
}
