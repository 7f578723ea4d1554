//! The SIP accounts a site's config declares: endpoints (pjsip.conf
//! `type = endpoint` sections and pjsip_wizard.conf wizards) with what a
//! phone needs to register, and the trunk that registers to the operator.

use std::path::Path;

use super::{is_true, Conf, ConfError, Entry, Place, Section};

pub const WIZARD_CONF: &str = "pjsip_wizard.conf";
pub const PJSIP_CONF: &str = "pjsip.conf";

/// Where an endpoint is declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    /// A `type = wizard` section of pjsip_wizard.conf.
    Wizard,
    /// A `type = endpoint` section of pjsip.conf.
    Pjsip,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub name: String,
    pub at: Place,
    pub declared: Declared,
    /// `endpoint/context` or `context`; Asterisk's default is `default`.
    pub context: Option<Entry>,
    /// The username a phone authenticates with (a wizard's defaults to its name).
    pub username: Option<String>,
    pub password: Option<String>,
    /// `aor/mailboxes`, or `mailboxes` of the endpoint or of its AOR: MWI.
    pub mailboxes: Option<Entry>,
    /// Where its instant messages (SIP MESSAGE) go.
    pub message_context: Option<Entry>,
    /// Where its subscriptions (BLF, presence) look for hints.
    pub subscribe_context: Option<Entry>,
}

impl Endpoint {
    pub fn context_name(&self) -> &str {
        self.context.as_ref().map_or("default", |e| e.value.as_str())
    }
}

/// A section that sends registrations: a wizard with `sends_registrations`
/// or a pjsip.conf `type = registration`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trunk {
    /// The endpoint name calls go through (`PJSIP/${EXTEN}@<name>`).
    pub name: String,
    pub at: Place,
    /// `remote_hosts` or `server_uri`.
    pub remote: Option<Entry>,
    pub username: Option<Entry>,
    pub password: Option<String>,
}

#[derive(Debug, Default)]
pub struct Accounts {
    pub endpoints: Vec<Endpoint>,
    /// Every registering section, in file order (wizard file first).
    pub registrations: Vec<Trunk>,
    /// The files that exist among pjsip_wizard.conf and pjsip.conf.
    pub files: Vec<&'static str>,
}

impl Accounts {
    /// The accounts of the config folder `dir`.
    pub fn read(dir: &Path) -> Result<Accounts, ConfError> {
        let wizard = Conf::read(dir, WIZARD_CONF)?;
        let pjsip = Conf::read(dir, PJSIP_CONF)?;
        Ok(Accounts::from_confs(wizard.as_ref(), pjsip.as_ref()))
    }

    /// The accounts of a pjsip_wizard.conf and a pjsip.conf already read,
    /// `None` for a file that does not exist.
    pub fn from_confs(wizard: Option<&Conf>, pjsip_conf: Option<&Conf>) -> Accounts {
        let mut accounts = Accounts::default();
        if let Some(conf) = wizard {
            accounts.files.push(WIZARD_CONF);
            wizards(conf, &mut accounts);
        }
        if let Some(conf) = pjsip_conf {
            accounts.files.push(PJSIP_CONF);
            pjsip(conf, &mut accounts);
        }
        accounts
    }

    pub fn endpoint(&self, name: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.name == name)
    }
}

/// Names of the endpoints declared in `dir`, nothing when it cannot be read.
pub fn endpoint_names(dir: &Path) -> Vec<String> {
    Accounts::read(dir).map(|a| a.endpoints.into_iter().map(|e| e.name).collect()).unwrap_or_default()
}

fn is_type(conf: &Conf, section: &Section, kind: &str) -> bool {
    conf.value(section, "type").is_some_and(|t| t.eq_ignore_ascii_case(kind))
}

fn wizards(conf: &Conf, accounts: &mut Accounts) {
    for section in conf.objects().filter(|s| is_type(conf, s, "wizard")) {
        let get = |key: &str| conf.get(section, key).cloned();
        let value = |key: &str| conf.value(section, key).map(str::to_string);
        accounts.endpoints.push(Endpoint {
            name: section.name.clone(),
            at: section.at.clone(),
            declared: Declared::Wizard,
            context: get("endpoint/context"),
            username: value("inbound_auth/username").or_else(|| Some(section.name.clone())),
            password: value("inbound_auth/password"),
            mailboxes: get("aor/mailboxes"),
            message_context: get("endpoint/message_context"),
            subscribe_context: get("endpoint/subscribe_context"),
        });
        if conf.value(section, "sends_registrations").is_some_and(is_true) {
            accounts.registrations.push(Trunk {
                name: section.name.clone(),
                at: section.at.clone(),
                remote: get("remote_hosts"),
                username: get("outbound_auth/username"),
                password: value("outbound_auth/password"),
            });
        }
    }
}

fn pjsip(conf: &Conf, accounts: &mut Accounts) {
    let object = |name: &str, kind: &str| conf.objects().find(|s| s.name == name.trim() && is_type(conf, s, kind));
    // `auth = a,b`: the first auth object that exists.
    let auth = |list: Option<&str>| list.into_iter().flat_map(|l| l.split(',')).find_map(|name| object(name, "auth"));
    let endpoints: Vec<&Section> = conf.objects().filter(|s| is_type(conf, s, "endpoint")).collect();
    for &section in &endpoints {
        let auth = auth(conf.value(section, "auth"));
        let aor_mailboxes = conf
            .value(section, "aors")
            .into_iter()
            .flat_map(|l| l.split(','))
            .filter_map(|name| object(name, "aor"))
            .find_map(|aor| conf.get(aor, "mailboxes"));
        accounts.endpoints.push(Endpoint {
            name: section.name.clone(),
            at: section.at.clone(),
            declared: Declared::Pjsip,
            context: conf.get(section, "context").cloned(),
            username: auth.and_then(|a| conf.value(a, "username")).map(str::to_string),
            password: auth.and_then(|a| conf.value(a, "password")).map(str::to_string),
            mailboxes: conf.get(section, "mailboxes").or(aor_mailboxes).cloned(),
            message_context: conf.get(section, "message_context").cloned(),
            subscribe_context: conf.get(section, "subscribe_context").cloned(),
        });
    }
    for section in conf.objects().filter(|s| is_type(conf, s, "registration")) {
        let auth_name = conf.value(section, "outbound_auth");
        let auth = auth(auth_name);
        // The trunk endpoint: named by the registration, or sharing its credentials.
        let name = conf
            .value(section, "endpoint")
            .map(str::to_string)
            .or_else(|| {
                endpoints
                    .iter()
                    .find(|e| auth_name.is_some() && conf.value(e, "outbound_auth") == auth_name)
                    .map(|e| e.name.clone())
            })
            .unwrap_or_else(|| section.name.clone());
        accounts.registrations.push(Trunk {
            name,
            at: section.at.clone(),
            remote: conf.get(section, "server_uri").cloned(),
            username: auth.and_then(|a| conf.get(a, "username")).cloned(),
            password: auth.and_then(|a| conf.value(a, "password")).map(str::to_string),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pjsip_conf_endpoints_take_their_password_from_their_auth() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(PJSIP_CONF),
            "[ep](!)\ntype = endpoint\ncontext = internal\n\
             [patron1](ep)\nauth = patron1-auth\naors = patron1\n\
             [patron1-auth]\ntype = auth\nauth_type = userpass\nusername = patron1\npassword = pw1\n\
             [patron1]\ntype = aor\nmailboxes = 11@default\n\
             [op-auth]\ntype = auth\nusername = table2\npassword = tp\n\
             [operator]\ntype = endpoint\noutbound_auth = op-auth\n\
             [op-reg]\ntype = registration\nserver_uri = sip:172.28.0.2\noutbound_auth = op-auth\n",
        )
        .unwrap();
        let accounts = Accounts::read(dir.path()).unwrap();
        let names: Vec<&str> = accounts.endpoints.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["patron1", "operator"], "templates are no endpoints");
        let p = accounts.endpoint("patron1").unwrap();
        assert_eq!((p.username.as_deref(), p.password.as_deref()), (Some("patron1"), Some("pw1")));
        assert_eq!(p.context_name(), "internal");
        assert_eq!(p.mailboxes.as_ref().unwrap().value, "11@default");
        let trunk = &accounts.registrations[0];
        assert_eq!(trunk.name, "operator");
        assert_eq!(trunk.username.as_ref().unwrap().value, "table2");
        assert_eq!(trunk.password.as_deref(), Some("tp"));
    }

    #[test]
    fn wizards_inherit_from_their_templates() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(WIZARD_CONF),
            "[phone](!)\ntype = wizard\nendpoint/context = internal\n[secretaire1](phone)\ninbound_auth/password = pw\n",
        )
        .unwrap();
        let accounts = Accounts::read(dir.path()).unwrap();
        assert_eq!(accounts.endpoints.len(), 1);
        let e = &accounts.endpoints[0];
        assert_eq!((e.username.as_deref(), e.password.as_deref()), (Some("secretaire1"), Some("pw")));
        assert_eq!(e.context.as_ref().unwrap().at.line, 3);
        assert!(accounts.registrations.is_empty());
    }
}
