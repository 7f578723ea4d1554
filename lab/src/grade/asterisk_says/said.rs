//! What Asterisk 22 said while loading a folder, in one plain sentence per
//! kind, French or English: what it did with the line, and what that breaks.

use crate::grade::Lang;

/// A PJSIP object kind, as Asterisk names them in its messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object {
    Endpoint,
    Aor,
    Auth,
    Registration,
    Identify,
    Transport,
    Other(String),
}

impl Object {
    pub fn from_asterisk(kind: &str) -> Object {
        match kind {
            "endpoint" => Object::Endpoint,
            "aor" => Object::Aor,
            "auth" => Object::Auth,
            "registration" => Object::Registration,
            "identify" => Object::Identify,
            "transport" => Object::Transport,
            other => Object::Other(other.to_string()),
        }
    }

    fn name(&self) -> &str {
        match self {
            Object::Endpoint => "endpoint",
            Object::Aor => "aor",
            Object::Auth => "auth",
            Object::Registration => "registration",
            Object::Identify => "identify",
            Object::Transport => "transport",
            Object::Other(s) => s,
        }
    }

    /// What goes missing, in French.
    fn lost_fr(&self) -> &'static str {
        match self {
            Object::Endpoint => "aucun appel ne peut passer par cet endpoint (son téléphone ne s'enregistre pas, on ne peut pas l'appeler)",
            Object::Aor => "aucun téléphone ne peut s'enregistrer sur cet AOR",
            Object::Auth => "personne ne peut s'authentifier avec ces identifiants",
            Object::Registration => "le faisceau ne s'enregistre jamais auprès de l'opérateur : aucun appel inter-sites ni externe (partie II)",
            Object::Identify => "les appels de l'opérateur ne sont pas reconnus comme venant du faisceau",
            Object::Transport => "les endpoints qui utilisent ce transport ne fonctionnent pas",
            Object::Other(_) => "cet objet n'existe pas",
        }
    }

    fn lost_en(&self) -> &'static str {
        match self {
            Object::Endpoint => "no call can use this endpoint (its phone does not register and cannot be called)",
            Object::Aor => "no phone can register on this AOR",
            Object::Auth => "nobody can authenticate with these credentials",
            Object::Registration => {
                "the trunk never registers at the operator: no inter-site or external call (part II)"
            }
            Object::Identify => "calls from the operator are not recognised as the trunk's",
            Object::Transport => "endpoints using this transport do not work",
            Object::Other(_) => "this object does not exist",
        }
    }
}

/// One thing Asterisk 22 said about the folder it loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    /// Asterisk stopped during the load: nothing of the folder runs.
    Stopped { why: String },
    /// No modules.conf: Asterisk 22 refuses to start.
    NoModulesConf,
    /// Asterisk did not finish loading in time.
    NotBooted { seconds: u64 },
    /// An option the object kind does not have: the object is not created.
    UnknownOption { object: Object, ids: Vec<String>, option: String, advice: Option<Advice> },
    /// One option Asterisk does not know, and the whole file is ignored.
    FileRefused { file: String, section: String, option: String, advice: Option<Advice> },
    /// A wizard lacks an option it needs (often one written under another name).
    WizardNeeds { wizard: String, option: String, written: Option<String> },
    /// A transport could not open its socket.
    TransportFailed { transport: String, reason: String },
    /// A line that is no directive of its file: skipped.
    LineIgnored { continued: bool },
    /// Two lines give the same extension the same priority: the second is dropped.
    PriorityTaken { extension: String, priority: String, context: String, first: Option<String> },
    /// An application's parenthesis is never closed.
    NoClosingParenthesis,
    /// `include =>` of a context no file declares.
    IncludeMissing { context: String, included: String },
    /// A music on hold class whose directory does not exist in the IPBX.
    MohDirectory { class: String, directory: String },
    /// A music on hold class whose player cannot run in the IPBX.
    MohPlayer { class: String, program: String },
    /// No music on hold class at all: held callers hear silence.
    NoMohClass,
    /// A module the SAE needs did not load.
    ModuleDeclined { module: String, missing_file: Option<String> },
    /// autoload loaded the ODBC voicemail beside the file one: they clash.
    VoicemailOdbc,
    /// A hint's presence part names no presence provider.
    NoPresenceProvider { label: String },
    /// An application this Asterisk does not have.
    UnknownApplication { app: String, extension: String, replacement: Option<String> },
    /// An applicationmap key running an application this Asterisk does not have.
    UnknownFeatureApp { feature: String, app: String },
    /// A dialplan function this Asterisk does not have.
    UnknownFunction { function: String },
    /// Declared, yet Asterisk did not create it (and said nothing more).
    NotCreated { object: Object, ids: Vec<String> },
    /// Any other warning or error, about a line of the folder.
    Other { level: String, message: String },
}

impl Said {
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Fr => self.fr(),
            Lang::En => self.en(),
        }
    }

    fn fr(&self) -> String {
        use Said::*;
        match self {
            Stopped { why } => format!("Asterisk 22 s'est arrêté en chargeant ce dossier ({why}) : rien de cette configuration ne fonctionne"),
            NoModulesConf => "modules.conf est absent : Asterisk 22 refuse de démarrer sans lui (« 'modules.conf' invalid or missing ») ; rien de cette configuration ne fonctionne. Ajouter un modules.conf, au minimum `[modules]` et `autoload = yes`".into(),
            NotBooted { seconds } => format!("Asterisk 22 n'a pas fini de charger ce dossier en {seconds} s"),
            UnknownOption { object, ids, option, advice } => format!(
                "Asterisk 22 ne connaît pas l'option « {option} » d'un {} : il ne crée pas {}, donc {}{}",
                object.name(),
                objects_fr(object, ids),
                object.lost_fr(),
                advice_fr(advice)
            ),
            FileRefused { file, section, option, advice } => format!(
                "Asterisk 22 ne connaît pas l'option « {option} » de [{section}] et ignore alors tout {file} : {}{}",
                loses_fr(file),
                advice_fr(advice)
            ),
            WizardNeeds { wizard, option, written: Some(w) } => format!(
                "l'option s'écrit « {option} », pas « {w} » : Asterisk 22 l'ignore, exige {option} pour le wizard {wizard} et ne crée alors aucun de ses objets"
            ),
            WizardNeeds { wizard, option, written: None } => format!(
                "le wizard {wizard} n'a pas d'option {option} : Asterisk 22 refuse de créer ses objets (endpoint, enregistrement)"
            ),
            TransportFailed { transport, reason } => format!(
                "le transport {transport} ne peut pas démarrer ({reason}) : les téléphones et le faisceau qui l'utilisent ne fonctionnent pas ; écouter sur 0.0.0.0 ou une adresse de l'IPBX"
            ),
            LineIgnored { continued: true } => "Asterisk ne continue pas une ligne terminée par « \\ » : cette ligne est lue seule, ce n'est pas une directive, il l'ignore (et la ligne précédente s'arrête au « \\ ») ; écrire toute la condition sur une ligne".into(),
            LineIgnored { continued: false } => "Asterisk 22 ne comprend pas cette ligne (ce n'est pas une directive de ce fichier) et l'ignore".into(),
            PriorityTaken { extension, priority, context, first } => format!(
                "la priorité {priority} de l'extension {extension} existe déjà dans [{context}]{} : Asterisk 22 ignore cette ligne",
                first.as_ref().map_or(String::new(), |f| format!(" ({f})"))
            ),
            NoClosingParenthesis => "la parenthèse de l'application n'est jamais fermée : Asterisk 22 devine où elle finit ; fermer la parenthèse".into(),
            IncludeMissing { context, included } => format!(
                "[{context}] inclut le contexte {included}, qui n'existe pas : cet include n'apporte rien"
            ),
            MohDirectory { class, directory } => format!(
                "la musique d'attente {class} lit le dossier {directory}, qui n'existe pas sur l'IPBX : l'appelant mis en attente n'entend rien (partie III)"
            ),
            MohPlayer { class, program } => format!(
                "la musique d'attente {class} lance {program}, qu'Asterisk 22 ne peut pas exécuter sur l'IPBX : l'appelant mis en attente n'entend rien (partie III) ; utiliser mode = files avec un dossier de fichiers que lit Asterisk (wav, gsm)"
            ),
            NoMohClass => "aucune classe de musique d'attente : Asterisk 22 désactive la musique d'attente, l'appelant mis en attente n'entend rien (partie III)".into(),
            ModuleDeclined { module, missing_file: Some(file) } => format!(
                "le module {module} ne se charge pas : il lui faut {file}, absent du dossier ; ajouter {file} (celui d'Asterisk par défaut convient)"
            ),
            ModuleDeclined { module, missing_file: None } => format!("le module {module} ne se charge pas : ce qu'il apporte manque"),
            VoicemailOdbc => "autoload charge aussi app_voicemail_odbc (messagerie dans une base ODBC), qui entre en conflit avec app_voicemail : l'un des deux échoue et retire les applications VoiceMail() et VoiceMailMain() de l'autre ; aucune messagerie ne fonctionne (partie IV) ; ajouter noload => app_voicemail_odbc.so et noload => app_voicemail_imap.so".into(),
            NoPresenceProvider { label } => format!(
                "après la virgule d'une indication (hint) vient son fournisseur de présence ; avec l'espace qui suit la virgule, c'est « {label} », qui n'existe pas : la présence n'est jamais donnée ; écrire la virgule sans espace (PJSIP/patron,CustomPresence:1)"
            ),
            UnknownApplication { app, replacement: Some(r), .. } => format!(
                "l'application {app} n'existe pas dans Asterisk 22 : utiliser {r}"
            ),
            UnknownApplication { app, replacement: None, .. } => format!(
                "l'application {app} n'existe pas dans cet Asterisk 22 (mal orthographiée, ou son module n'est pas chargé) : l'appel s'arrête là"
            ),
            UnknownFeatureApp { feature, app } => format!(
                "la touche {feature} de l'applicationmap lance {app}, qui n'existe pas dans cet Asterisk 22 (mal orthographiée, ou son module n'est pas chargé) : appuyer sur la touche ne fait rien"
            ),
            UnknownFunction { function } => format!(
                "la fonction {function}() n'existe pas dans cet Asterisk 22 (mal orthographiée, ou son module n'est pas chargé)"
            ),
            NotCreated { object, ids } => format!(
                "Asterisk 22 n'a pas créé {}, déclaré ici, donc {}",
                objects_fr(object, ids),
                object.lost_fr()
            ),
            Other { level, message } => format!("Asterisk 22 dit ({level}) : « {message} »"),
        }
    }

    fn en(&self) -> String {
        use Said::*;
        match self {
            Stopped { why } => format!("Asterisk 22 stopped while loading this folder ({why}): nothing of this config works"),
            NoModulesConf => "modules.conf is missing: Asterisk 22 refuses to start without it (\"'modules.conf' invalid or missing\"); nothing of this config works. Add a modules.conf, at least `[modules]` and `autoload = yes`".into(),
            NotBooted { seconds } => format!("Asterisk 22 did not finish loading this folder within {seconds} s"),
            UnknownOption { object, ids, option, advice } => format!(
                "Asterisk 22 knows no {} option `{option}`: it does not create {}, so {}{}",
                object.name(),
                objects_en(object, ids),
                object.lost_en(),
                advice_en(advice)
            ),
            FileRefused { file, section, option, advice } => format!(
                "Asterisk 22 knows no option `{option}` in [{section}], and then ignores the whole of {file}: {}{}",
                loses_en(file),
                advice_en(advice)
            ),
            WizardNeeds { wizard, option, written: Some(w) } => format!(
                "the option is spelt `{option}`, not `{w}`: Asterisk 22 ignores it, requires {option} for wizard {wizard}, and so creates none of its objects"
            ),
            WizardNeeds { wizard, option, written: None } => format!(
                "wizard {wizard} has no {option}: Asterisk 22 refuses to create its objects (endpoint, registration)"
            ),
            TransportFailed { transport, reason } => format!(
                "transport {transport} cannot start ({reason}): the phones and trunk using it do not work; bind 0.0.0.0 or an address of the IPBX"
            ),
            LineIgnored { continued: true } => "Asterisk does not continue a line ending in `\\`: this line is read alone, is no directive, and is ignored (and the line before stops at the `\\`); write the whole condition on one line".into(),
            LineIgnored { continued: false } => "Asterisk 22 does not understand this line (no directive of this file) and ignores it".into(),
            PriorityTaken { extension, priority, context, first } => format!(
                "priority {priority} of extension {extension} already exists in [{context}]{}: Asterisk 22 ignores this line",
                first.as_ref().map_or(String::new(), |f| format!(" ({f})"))
            ),
            NoClosingParenthesis => "the application's parenthesis is never closed: Asterisk 22 guesses where it ends; close it".into(),
            IncludeMissing { context, included } => format!(
                "[{context}] includes context {included}, which does not exist: the include brings nothing"
            ),
            MohDirectory { class, directory } => format!(
                "music on hold class {class} reads folder {directory}, which does not exist on the IPBX: a held caller hears nothing (part III)"
            ),
            MohPlayer { class, program } => format!(
                "music on hold class {class} runs {program}, which Asterisk 22 cannot run on the IPBX: a held caller hears nothing (part III); use mode = files with a folder of files Asterisk plays (wav, gsm)"
            ),
            NoMohClass => "no music on hold class: Asterisk 22 turns music on hold off, a held caller hears nothing (part III)".into(),
            ModuleDeclined { module, missing_file: Some(file) } => format!(
                "module {module} does not load: it needs {file}, which the folder lacks; add {file} (Asterisk's default one will do)"
            ),
            ModuleDeclined { module, missing_file: None } => format!("module {module} does not load: what it provides is missing"),
            VoicemailOdbc => "autoload also loads app_voicemail_odbc (voicemail in an ODBC database), which clashes with app_voicemail: one of them fails and takes the other's VoiceMail() and VoiceMailMain() applications with it; no voicemail works (part IV); add noload => app_voicemail_odbc.so and noload => app_voicemail_imap.so".into(),
            NoPresenceProvider { label } => format!(
                "after a hint's comma comes its presence provider; with the space after the comma it is ` {label}`, which does not exist: presence is never given; write the comma without a space (PJSIP/patron,CustomPresence:1)"
            ),
            UnknownApplication { app, replacement: Some(r), .. } => format!("application {app} does not exist in Asterisk 22: use {r}"),
            UnknownApplication { app, replacement: None, .. } => format!(
                "application {app} does not exist in this Asterisk 22 (misspelt, or its module is not loaded): the call stops there"
            ),
            UnknownFeatureApp { feature, app } => format!(
                "applicationmap key {feature} runs {app}, which does not exist in this Asterisk 22 (misspelt, or its module is not loaded): pressing the key does nothing"
            ),
            UnknownFunction { function } => format!(
                "function {function}() does not exist in this Asterisk 22 (misspelt, or its module is not loaded)"
            ),
            NotCreated { object, ids } => format!(
                "Asterisk 22 did not create {}, declared here, so {}",
                objects_en(object, ids),
                object.lost_en()
            ),
            Other { level, message } => format!("Asterisk 22 says ({level}): \"{message}\""),
        }
    }
}

/// How to write an option Asterisk did not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Advice {
    /// `endpoint/ direct_media`: the space after `/` is part of the name.
    Space { fixed: String },
    /// A chan_sip (sip.conf) option, and what PJSIP has instead.
    SipConf { instead: &'static str },
    /// Removed from Asterisk (app_monitor went in 21), and what replaces it.
    Removed { instead: &'static str },
    /// A known option a typo away.
    DidYouMean { option: String },
}

impl Advice {
    pub fn fr(&self) -> String {
        match self {
            Advice::Space { fixed } => format!("l'espace après « / » fait partie du nom : écrire {fixed}"),
            Advice::SipConf { instead } => {
                format!("c'est une option de sip.conf (chan_sip, supprimé dans Asterisk 21) ; en PJSIP : {instead}")
            }
            Advice::Removed { instead } => format!("supprimée dans Asterisk 21 (app_monitor) ; utiliser {instead}"),
            Advice::DidYouMean { option } => format!("vouliez-vous dire {option} ?"),
        }
    }

    pub fn en(&self) -> String {
        match self {
            Advice::Space { fixed } => format!("the space after `/` is part of the name: write {fixed}"),
            Advice::SipConf { instead } => {
                format!("it is a sip.conf option (chan_sip, removed in Asterisk 21); in PJSIP: {instead}")
            }
            Advice::Removed { instead } => format!("removed in Asterisk 21 (app_monitor); use {instead}"),
            Advice::DidYouMean { option } => format!("did you mean {option}?"),
        }
    }
}

/// Names shown before the list is cut short.
const NAMES_SHOWN: usize = 4;

fn list(ids: &[String]) -> String {
    let shown = ids.iter().take(NAMES_SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > NAMES_SHOWN {
        format!("{shown}, …")
    } else {
        shown
    }
}

/// `le endpoint patron1`, `les 24 endpoints patron1, assistant1, …`.
fn objects_fr(object: &Object, ids: &[String]) -> String {
    match ids {
        [one] => format!("le {} {one}", object.name()),
        many => format!("les {} {}s {}", many.len(), object.name(), list(many)),
    }
}

fn objects_en(object: &Object, ids: &[String]) -> String {
    match ids {
        [one] => format!("{} {one}", object.name()),
        many => format!("the {} {}s {}", many.len(), object.name(), list(many)),
    }
}

/// What a file ignored as a whole takes with it.
fn loses_fr(file: &str) -> String {
    match file {
        "features.conf" => "aucun code en cours d'appel n'existe (transfert, parking, enregistrement, touches de l'applicationmap) : les contrôles de la partie III qui les utilisent échouent".into(),
        other => format!("rien de ce que déclare {other} n'existe"),
    }
}

fn loses_en(file: &str) -> String {
    match file {
        "features.conf" => "no in-call code exists (transfer, parking, recording, the applicationmap's keys): part III's checks that use them fail".into(),
        other => format!("nothing {other} declares exists"),
    }
}

fn advice_fr(advice: &Option<Advice>) -> String {
    advice.as_ref().map_or(String::new(), |a| format!(" ; {}", a.fr()))
}

fn advice_en(advice: &Option<Advice>) -> String {
    advice.as_ref().map_or(String::new(), |a| format!("; {}", a.en()))
}
