//! Voicemail to e-mail: the lab's mail server and each IPBX's relay.
//!
//! Every phone has an address, `<account>@<site>.<lab>.example`; Asterisk
//! mails each new voicemail with its audio attached through msmtp (a
//! sendmail with no queue and no daemon) to the mail server, which keeps a
//! Maildir per address.

use super::commented_header;
use crate::model::{Lab, Phone, Site};

/// Where the mail server stores messages: `<MAILDIRS>/<domain>/<user>/new/`.
pub const MAILDIRS: &str = "/var/mail";

/// The mail domain of a site.
pub fn domain(lab: &Lab, site: &Site) -> String {
    format!("{}.{}.example", site.name, lab.name)
}

/// A phone's e-mail address.
pub fn address(lab: &Lab, site: &Site, phone: &Phone) -> String {
    format!("{}@{}", phone.account, domain(lab, site))
}

pub fn smtpd_conf(lab: &Lab) -> String {
    let domains: Vec<String> = lab.sites.iter().map(|s| format!("\"{}\"", domain(lab, s))).collect();
    let mut s = commented_header("#", "The lab's mail server (OpenSMTPD)");
    s.push_str(&format!(
        "# Accepts SMTP from the lab's networks for the sites' domains only, and\n\
         # stores each message in a Maildir per address: {MAILDIRS}/<domain>/<user>/new/.\n\
         table domains {{ {} }}\n\
         # Every address of those domains is delivered as the system user \"mail\".\n\
         table catchall {{ \"@\" = \"mail\" }}\n\n\
         listen on 0.0.0.0 port 25 hostname \"mail.{lab}.example\"\n\n\
         action \"store\" maildir \"{MAILDIRS}/%{{dest.domain:lowercase}}/%{{dest.user:lowercase}}\" virtual <catchall>\n\n\
         match from any for domain <domains> action \"store\"\n",
        domains.join(", "),
        lab = lab.name,
    ));
    s
}

/// msmtp's config on a site's IPBX: every mail goes to the lab's mail server.
pub fn msmtprc(lab: &Lab, site: &Site) -> String {
    let mut s = commented_header(
        "#",
        &format!("Mail relay of {}: msmtp hands voicemail mails to the lab's mail server", site.name),
    );
    s.push_str(&format!(
        "defaults\nauth off\ntls off\nsyslog off\nlogfile /var/log/asterisk/msmtp.log\ntimeout 10\n\n\
         account lab\nhost {host}\nport 25\ndomain {domain}\nfrom voicemail@{domain}\n\n\
         account default : lab\n",
        host = lab.network.mail(),
        domain = domain(lab, site),
    ));
    s
}
