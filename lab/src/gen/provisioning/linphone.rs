//! Linphone: a remote-provisioning XML, loaded from a URL or a file
//! (`[misc] config-uri` in its linphonerc, or the app's "fetch remote configuration").

use super::{header, Account, EXPIRES};

/// Asterisk's default digest realm: the site's config sets none.
const REALM: &str = "asterisk";

pub fn xml(a: &Account<'_>) -> String {
    let p = a.phone;
    let host = format!("{}:{}", a.server, a.port);
    let entry = |name: &str, value: &str| format!("    <entry name=\"{name}\">{}</entry>\n", escape(value));
    // The XML declaration must come first; the header follows it.
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(&header(
        "<!-- ",
        " -->",
        &format!("{} ({}) of {}, Linphone: remote-provisioning file.", a.display, p.account, a.site.name),
    ));
    s.push_str(
        "<config xmlns=\"http://www.linphone.org/xsds/lpconfig.xsd\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://www.linphone.org/xsds/lpconfig.xsd lpconfig.xsd\">\n",
    );
    s.push_str("  <section name=\"proxy_0\">\n");
    s.push_str(&entry("reg_identity", &format!("\"{}\" <sip:{}@{host}>", a.display, p.account)));
    s.push_str(&entry("reg_proxy", &format!("<sip:{host};transport=udp>")));
    s.push_str(&entry("reg_expires", &EXPIRES.to_string()));
    s.push_str(&entry("reg_sendregister", "1"));
    s.push_str(&entry("realm", REALM));
    s.push_str("  </section>\n  <section name=\"auth_info_0\">\n");
    s.push_str(&entry("username", &p.account));
    s.push_str(&entry("passwd", a.password));
    s.push_str(&entry("realm", REALM));
    s.push_str(&entry("domain", &host));
    s.push_str("  </section>\n</config>\n");
    s
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
