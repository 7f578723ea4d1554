//! What a finding says, in French (the SAE's language, the default) or English.
//!
//! Findings carry data ([`Problem`]); sentences are made only here, so that
//! both languages say the same thing and tests can match either.

pub use super::asterisk_says::{Advice, Said};
pub use super::moh_player::MohFault;

/// Language of the messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        match s.to_ascii_lowercase().as_str() {
            "fr" => Ok(Lang::Fr),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language `{other}`; supported: fr, en")),
        }
    }
}

/// Features removed from Asterisk before version 22 (all in Asterisk 21).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removed {
    /// sip.conf: chan_sip's configuration.
    SipConf,
    /// `Dial(SIP/…)`: a chan_sip channel.
    SipChannel,
    /// `Macro()` (app_macro).
    Macro,
    /// `Monitor()` (res_monitor).
    Monitor,
}

/// How a phone's box is used elsewhere than voicemail.conf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoxUse {
    /// `VoiceMail(N@context)` in the phone's extension.
    VoiceMail,
    /// `aor/mailboxes` or `mailboxes`: the message-waiting light.
    Mwi,
}

/// What a context is named for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextUse {
    /// An endpoint's `context`: its calls.
    Calls,
    /// `message_context`: its instant messages.
    Messages,
    /// `subscribe_context`: its BLF and presence subscriptions.
    Subscriptions,
    /// A Goto or Gosub of the dialplan.
    Jump,
}

/// A phone of the site, as messages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    pub extension: String,
    pub account: String,
    /// Role label and cabinet, `Secrétaire 1`.
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    MissingFile {
        file: String,
    },
    MissingInclude {
        file: String,
    },
    UndeclaredEndpoint {
        extension: String,
        target: String,
        endpoint: String,
        files: Vec<String>,
        hint: bool,
        suggestion: Option<String>,
    },
    NoWildcard {
        extension: String,
        literal: String,
        example: Option<String>,
        suggestions: Vec<String>,
    },
    LetterO {
        extension: String,
        fixed: String,
    },
    NoUnderscore {
        extension: String,
    },
    NoEndpoint {
        phone: Who,
    },
    NoContext {
        endpoint: String,
        context: String,
    },
    NoExtension {
        phone: Who,
        context: String,
        /// Another context that does answer it, which that one does not include.
        elsewhere: Option<String>,
    },
    WrongPhone {
        phone: Who,
        dialled: Vec<String>,
    },
    StrayBox {
        number: String,
        boxless: Option<Who>,
    },
    NoBox {
        phone: Who,
    },
    OtherBox {
        phone: Who,
        named: String,
        via: BoxUse,
    },
    /// The phone's extension never runs VoiceMail().
    NoVoicemailStep {
        phone: Who,
    },
    NoVoicemailAccess {
        number: String,
        context: String,
    },
    Removed(Removed),
    NoTrunk {
        operator: String,
    },
    TrunkAccount {
        trunk: String,
        username: String,
        expected: String,
    },
    PickupCode {
        code: String,
        expected: String,
    },
    /// `App(args` without its `)`: Asterisk ends the arguments at the
    /// line's last `)` (`kept`), or guesses.
    UnclosedParenthesis {
        app: String,
        kept: Option<String>,
    },
    /// GotoIf without `?`.
    NoCondition {
        app: String,
    },
    /// `GotoIf(?a:b)`: an empty condition is false.
    EmptyCondition {
        app: String,
        second: Option<String>,
    },
    /// A comparison outside `$[ ]`: a text that is not empty is true.
    ConditionNotEvaluated {
        app: String,
        condition: String,
        /// Written `[ … ]`, without the `$`.
        brackets: bool,
        first: String,
    },
    /// Option letters the application does not have.
    UnknownOptions {
        app: String,
        options: String,
        unknown: String,
    },
    /// Dial's and Queue's w/W: one-touch recording of automon, gone with app_monitor.
    MonitorOptions {
        app: String,
        options: String,
        letters: String,
    },
    /// A number handed to the trunk that the operator does not route.
    NumberSent {
        dialled: String,
        sent: String,
        trunk: String,
    },
    /// A context named (by an endpoint or a jump) that does not exist.
    ContextMissing {
        context: String,
        used: ContextUse,
        /// The endpoint, or the extension of the jump.
        by: String,
    },
    /// The trunk's context does not take these public numbers to their phones.
    PublicNumbersUnanswered {
        trunk: String,
        context: String,
        numbers: Vec<String>,
        all: bool,
    },
    /// A box's address the lab's mail server refuses.
    MailRefused {
        address: String,
        domain: String,
        expected: Option<String>,
    },
    /// A box's address in the right domain, but not the phone's.
    MailElsewhere {
        address: String,
        expected: String,
    },
    /// Boxes mail their messages, but not through msmtp.
    MailNotSent {
        mailcmd: Option<String>,
    },
    /// An option the PJSIP object (or the wizard) does not have.
    UnknownPjsipOption {
        file: String,
        section: String,
        object: String,
        option: String,
        advice: Option<Advice>,
    },
    /// A pjsip.conf section of a type PJSIP does not have.
    UnknownPjsipType {
        section: String,
        kind: String,
    },
    /// A jump to an extension, priority or label that does not exist.
    JumpTargetMissing {
        app: String,
        target: String,
        /// `priority 4`, `label busy`, `extension 13`.
        missing: String,
    },
    /// A pattern takes a number an included context answers exactly.
    Shadowed {
        pattern: String,
        context: String,
        /// The numbers it takes, in order.
        numbers: Vec<String>,
        /// Where the first of them is answered exactly.
        answered_in: String,
    },
    /// An applicationmap entry whose activate_on is not self or peer: dropped.
    ActivateOn {
        feature: String,
        given: String,
    },
    /// An applicationmap entry no DYNAMIC_FEATURES names: its key does nothing.
    FeatureNeverEnabled {
        feature: String,
        dtmf: String,
    },
    /// A queues.conf strategy Asterisk 22 does not have.
    UnknownStrategy {
        queue: String,
        strategy: String,
        /// Asterisk 22's strategies.
        known: &'static [&'static str],
    },
    /// A music on hold class's program that gives Asterisk no music.
    MohCommand {
        class: String,
        program: String,
        faults: Vec<MohFault>,
        /// A command that works, for a program the check knows.
        fix: Option<String>,
    },
    /// What Asterisk 22 itself said when it loaded the folder.
    Asterisk(Said),
}

impl Problem {
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Fr => self.fr(),
            Lang::En => self.en(),
        }
    }

    fn fr(&self) -> String {
        use Problem::*;
        match self {
            MissingFile { file } => format!("{file} est absent du dossier de configuration"),
            MissingInclude { file } => format!("#include {file} : ce fichier n'existe pas dans le dossier"),
            UndeclaredEndpoint { extension, target, endpoint, files, hint, suggestion } => {
                let what = if *hint {
                    format!("l'indication (hint) de l'extension {extension} surveille PJSIP/{target}")
                } else {
                    format!("l'extension {extension} appelle PJSIP/{target}")
                };
                let who = if target == endpoint { String::from(", qui") } else { format!(", mais {endpoint}") };
                let maybe = suggestion.as_ref().map_or(String::new(), |s| format!(" ; vouliez-vous dire {s} ?"));
                format!("{what}{who} n'est pas un endpoint déclaré ({}){maybe}", files_fr(files))
            }
            NoWildcard { extension, literal, example, suggestions } => format!(
                "le motif {extension} n'a ni X, ni N, ni Z, ni « . » : il ne correspond qu'à « {literal} » lui-même{} ; écrire {}",
                example.as_ref().map_or(String::new(), |e| format!(", {e} n'y arrive jamais")),
                suggestions.join(" ou ")
            ),
            LetterO { extension, fixed } => format!(
                "le motif {extension} contient la lettre O, qui ne correspond qu'à la lettre O, jamais au chiffre 0 : écrire {fixed}"
            ),
            NoUnderscore { extension } => format!(
                "l'extension {extension} ne commence pas par « _ » : Asterisk la prend pour le nom littéral « {extension} », pas pour un motif ; écrire _{extension}"
            ),
            NoEndpoint { phone } => format!(
                "aucun endpoint {} n'est déclaré pour l'extension {} ({}) : son téléphone ne peut pas s'enregistrer",
                phone.account, phone.extension, phone.label
            ),
            NoContext { endpoint, context } => {
                format!("l'endpoint {endpoint} envoie ses appels dans le contexte {context}, que extensions.conf ne déclare pas")
            }
            NoExtension { phone, context, elsewhere } => format!(
                "rien ne répond à l'extension {} ({}) dans le contexte {context}, celui de l'endpoint {}{}",
                phone.extension,
                phone.label,
                phone.account,
                elsewhere.as_ref().map_or(String::new(), |e| format!(
                    " ; le contexte {e} y répond, mais {context} ne l'inclut pas : ajouter include => {e} dans [{context}]"
                ))
            ),
            WrongPhone { phone, dialled } if dialled.is_empty() => format!(
                "l'extension {} n'appelle jamais PJSIP/{}, son téléphone ({})",
                phone.extension, phone.account, phone.label
            ),
            WrongPhone { phone, dialled } => format!(
                "l'extension {} appelle {}, pas son téléphone PJSIP/{} ({})",
                phone.extension,
                dialled.join(", "),
                phone.account,
                phone.label
            ),
            StrayBox { number, boxless } => format!(
                "la boîte vocale {number} ne correspond à aucune extension{}",
                boxless.as_ref().map_or(String::new(), |p| format!(
                    " ; l'extension {} ({}) n'a pas de boîte",
                    p.extension, p.label
                ))
            ),
            NoBox { phone } => format!("l'extension {} ({}) n'a pas de boîte vocale", phone.extension, phone.label),
            OtherBox { phone, named, via: BoxUse::VoiceMail } => format!(
                "l'extension {} dépose les messages dans la boîte {named}, pas dans sa boîte {}",
                phone.extension, phone.extension
            ),
            OtherBox { phone, named, via: BoxUse::Mwi } => format!(
                "le voyant de messages (mailboxes) de l'endpoint {} surveille la boîte {named}, pas sa boîte {}",
                phone.account, phone.extension
            ),
            NoVoicemailAccess { number, context } => {
                format!("rien ne répond au {number} (consultation de la messagerie) dans le contexte {context}")
            }
            NoVoicemailStep { phone } => format!(
                "l'extension {} ({}) n'appelle jamais VoiceMail() : sans réponse après le Dial, l'appel se termine au lieu d'aller dans la boîte {} ; ajouter same => n,VoiceMail({}@default,u) après le Dial",
                phone.extension, phone.label, phone.extension, phone.extension
            ),
            Removed(r) => match r {
                self::Removed::SipConf => "sip.conf configure chan_sip, supprimé dans Asterisk 21 : Asterisk 22 l'ignore ; déclarer les téléphones dans pjsip_wizard.conf ou pjsip.conf".into(),
                self::Removed::SipChannel => "les canaux SIP/ sont ceux de chan_sip, supprimé dans Asterisk 21 : appeler PJSIP/".into(),
                self::Removed::Macro => "Macro() a été supprimée dans Asterisk 21 : utiliser Gosub() (avec Return())".into(),
                self::Removed::Monitor => "Monitor() a été supprimée dans Asterisk 21 : utiliser MixMonitor()".into(),
            },
            NoTrunk { operator } => {
                format!("aucune section de pjsip_wizard.conf ou pjsip.conf ne s'enregistre auprès de l'opérateur ({operator})")
            }
            TrunkAccount { trunk, username, expected } => format!(
                "le trunk {trunk} s'enregistre sous le nom {username}, mais l'opérateur connaît ce site sous le nom {expected}"
            ),
            PickupCode { code, expected } => {
                format!("pickupexten = {code} : le code d'interception d'appel de la SAE est {expected}")
            }
            UnclosedParenthesis { app, kept: Some(kept) } => format!(
                "la parenthèse ouverte après {app} n'est jamais fermée : Asterisk arrête les arguments à la dernière « ) » de la ligne, il lit {app}({kept}) ; fermer la parenthèse"
            ),
            UnclosedParenthesis { app, kept: None } => {
                format!("la parenthèse ouverte après {app} n'est jamais fermée : fermer la parenthèse")
            }
            NoCondition { app } => format!(
                "{app} n'a pas de « ? » : il faut {app}(condition?destination si vraie:destination si fausse)"
            ),
            EmptyCondition { app, second } => format!(
                "la condition de {app} est vide : Asterisk la prend pour fausse{} ; écrire la condition dans $[ … ] avant le « ? »",
                second.as_ref().map_or(" et ne saute jamais".to_string(), |s| format!(" et va toujours en {s}"))
            ),
            ConditionNotEvaluated { app, condition, brackets, first } => format!(
                "la condition de {app} n'est pas dans $[ … ]{} : Asterisk ne compare rien, il voit un texte non vide, donc vrai, et va toujours en {first} ; écrire $[{}]",
                if *brackets { " (il manque le « $ » devant « [ »)" } else { "" },
                condition.trim_start_matches('[').trim_end_matches(']')
            ),
            UnknownOptions { app, options, unknown } => format!(
                "{app} n'a pas d'option « {unknown} » (options « {options} ») : Asterisk 22 l'ignore sans rien dire"
            ),
            MonitorOptions { app, options, letters } => format!(
                "les options « {letters} » de {app} (dans « {options} ») activent l'enregistrement d'automon, qui n'existe plus depuis Asterisk 21 (app_monitor) : elles ne font rien ; pour enregistrer, options x/X et automixmon dans features.conf"
            ),
            NumberSent { dialled, sent, trunk } => format!(
                "pour {dialled}, le faisceau {trunk} reçoit {sent} : l'opérateur ne connaît que les numéros inter-sites (*213), publics (0320000213) et ses téléphones de test ; vérifier le ${{EXTEN:n}} et le motif"
            ),
            ContextMissing { context, used, by } => match used {
                ContextUse::Calls => format!("l'endpoint {by} envoie ses appels dans le contexte {context}, qui n'existe pas"),
                ContextUse::Messages => format!(
                    "l'endpoint {by} envoie ses messages instantanés dans le contexte {context}, qui n'existe pas : ils sont refusés"
                ),
                ContextUse::Subscriptions => format!(
                    "l'endpoint {by} cherche ses supervisions (BLF, présence) dans le contexte {context}, qui n'existe pas"
                ),
                ContextUse::Jump => format!("l'extension {by} saute dans le contexte {context}, qui n'existe pas : l'appel s'arrête"),
            },
            PublicNumbersUnanswered { trunk, context, numbers, all } => format!(
                "les appels du faisceau {trunk} arrivent dans le contexte {context}, où {} : l'opérateur donne chaque appel au site par ce numéro public (les appels inter-sites aussi)",
                if *all {
                    format!("aucun numéro public du site n'amène à son poste ({})", short_list(numbers, Lang::Fr))
                } else {
                    format!("{} n'amène(nt) pas à leur poste", short_list(numbers, Lang::Fr))
                }
            ),
            MailRefused { address, domain, expected } => format!(
                "le serveur de mail du labo refuse {address} : il ne prend que les adresses @{domain}{}",
                expected.as_ref().map_or(String::new(), |e| format!(" ; le labo attend {e}"))
            ),
            MailElsewhere { address, expected } => format!(
                "le message part à {address}, mais le contrôle du labo le cherche dans la boîte {expected}"
            ),
            MailNotSent { mailcmd: Some(cmd) } => format!(
                "mailcmd = {cmd} : sur l'IPBX du labo, seul msmtp remet les mails au serveur du labo ; écrire mailcmd = /usr/bin/msmtp -C /etc/asterisk/msmtprc -t avec le msmtprc du labo (cargo xtask lab config)"
            ),
            MailNotSent { mailcmd: None } => "les boîtes ont une adresse mail, mais sans mailcmd Asterisk passe par /usr/sbin/sendmail, qui n'a pas de serveur à qui remettre le mail sur l'IPBX du labo ; écrire mailcmd = /usr/bin/msmtp -C /etc/asterisk/msmtprc -t avec le msmtprc du labo (cargo xtask lab config)".into(),
            UnknownPjsipOption { file, section, object, option, advice } => format!(
                "Asterisk 22 ne connaît pas l'option « {option} » d'un {object} : dans {file}, [{section}] n'est alors pas créé{}",
                advice.as_ref().map_or(String::new(), |a| format!(" ; {}", a.fr()))
            ),
            UnknownPjsipType { section, kind } if ["friend", "peer", "user"].contains(&kind.as_str()) => format!(
                "type={kind} est un type de sip.conf (chan_sip, supprimé dans Asterisk 21) : PJSIP ignore toute la section [{section}] ; déclarer un endpoint, son aor et son auth (ou un wizard)"
            ),
            UnknownPjsipType { section, kind } => {
                format!("PJSIP n'a pas d'objet de type {kind} : Asterisk 22 ignore toute la section [{section}]")
            }
            JumpTargetMissing { app, target, missing } => format!(
                "{app} saute vers {target}, mais il n'y a pas {} : l'appel s'arrête là",
                match missing.split_once(' ') {
                    Some(("priority", p)) => format!("de priorité {p}"),
                    Some(("label", l)) => format!("d'étiquette {l}"),
                    _ => format!("d'{missing}"),
                }
            ),
            Shadowed { pattern, context, numbers, answered_in } => format!(
                "dans le contexte {context}, le motif {pattern} prend {} avant les extensions du même numéro du contexte inclus {answered_in} : Asterisk cherche d'abord dans le contexte lui-même (puis dans ses includes, dans l'ordre), ces extensions ne servent jamais ; restreindre le motif ou mettre les extensions dans le même contexte",
                short_list(numbers, Lang::Fr)
            ),
            ActivateOn { feature, given } => format!(
                "l'entrée {feature} de l'applicationmap a « {given} » pour activate_on : Asterisk 22 n'accepte que self (la touche agit sur celui qui l'appuie) ou peer (sur l'autre) et ignore toute l'entrée"
            ),
            FeatureNeverEnabled { feature, dtmf } => format!(
                "l'entrée {feature} de l'applicationmap ({dtmf}) n'est jamais activée : aucun DYNAMIC_FEATURES du plan de numérotation ni des endpoints ne la nomme, sa touche ne fait rien ; ajouter Set(__DYNAMIC_FEATURES={feature}) avant le Dial (plusieurs noms séparés par #) ou endpoint/set_var"
            ),
            UnknownStrategy { queue, strategy, known } => format!(
                "la file d'attente {queue} n'a pas de stratégie {strategy} dans Asterisk 22 : il prévient au chargement et fait sonner tous les membres à la fois (ringall) ; stratégies : {}",
                known.join(", ")
            ),
            MohCommand { class, program, faults, fix } => format!(
                "la musique d'attente {class} lance {program}, dont Asterisk lit sur la sortie standard des échantillons bruts signés 16 bits, 8000 Hz, mono : {}{}",
                faults.iter().map(|f| f.message(Lang::Fr, program)).collect::<Vec<_>>().join(" ; "),
                fix.as_ref().map_or(String::new(), |f| format!(" ; écrire par exemple application = {f}"))
            ),
            Asterisk(said) => said.message(Lang::Fr),
        }
    }

    fn en(&self) -> String {
        use Problem::*;
        match self {
            MissingFile { file } => format!("{file} is missing from the config folder"),
            MissingInclude { file } => format!("#include {file}: no such file in the folder"),
            UndeclaredEndpoint { extension, target, endpoint, files, hint, suggestion } => {
                let what = if *hint {
                    format!("the hint of extension {extension} watches PJSIP/{target}")
                } else {
                    format!("extension {extension} dials PJSIP/{target}")
                };
                let who = if target == endpoint { String::from(", which") } else { format!(", but {endpoint}") };
                let maybe = suggestion.as_ref().map_or(String::new(), |s| format!("; did you mean {s}?"));
                format!("{what}{who} is no endpoint declared in {}{maybe}", files_en(files))
            }
            NoWildcard { extension, literal, example, suggestions } => format!(
                "pattern {extension} has no X, N, Z or `.`: it matches only `{literal}` itself{}; write {}",
                example.as_ref().map_or(String::new(), |e| format!(", so {e} never reaches it")),
                suggestions.join(" or ")
            ),
            LetterO { extension, fixed } => format!(
                "pattern {extension} contains the letter O, which matches only a letter O, never the digit 0: write {fixed}"
            ),
            NoUnderscore { extension } => format!(
                "extension {extension} has no leading `_`, so Asterisk takes it as the literal name `{extension}`, not a pattern: write _{extension}"
            ),
            NoEndpoint { phone } => format!(
                "no endpoint {} is declared for extension {}: its phone cannot register",
                phone.account, phone.extension
            ),
            NoContext { endpoint, context } => {
                format!("endpoint {endpoint} sends its calls to context {context}, which extensions.conf does not declare")
            }
            NoExtension { phone, context, elsewhere } => format!(
                "nothing answers extension {} ({}) in context {context}, the context of endpoint {}{}",
                phone.extension,
                phone.account,
                phone.account,
                elsewhere.as_ref().map_or(String::new(), |e| format!(
                    "; context {e} answers it, but {context} does not include it: add include => {e} to [{context}]"
                ))
            ),
            WrongPhone { phone, dialled } if dialled.is_empty() => {
                format!("extension {} never dials PJSIP/{}, its phone", phone.extension, phone.account)
            }
            WrongPhone { phone, dialled } => format!(
                "extension {} dials {}, not its phone PJSIP/{}",
                phone.extension,
                dialled.join(", "),
                phone.account
            ),
            StrayBox { number, boxless } => format!(
                "voicemail box {number} matches no extension{}",
                boxless.as_ref().map_or(String::new(), |p| format!(
                    "; extension {} ({}) has no box",
                    p.extension, p.account
                ))
            ),
            NoBox { phone } => format!("extension {} ({}) has no voicemail box", phone.extension, phone.account),
            OtherBox { phone, named, via: BoxUse::VoiceMail } => format!(
                "extension {} leaves messages in box {named}, not in its own box {}",
                phone.extension, phone.extension
            ),
            OtherBox { phone, named, via: BoxUse::Mwi } => format!(
                "the message light (mailboxes) of endpoint {} watches box {named}, not its own box {}",
                phone.account, phone.extension
            ),
            NoVoicemailAccess { number, context } => {
                format!("nothing answers {number} (voicemail access) in context {context}")
            }
            NoVoicemailStep { phone } => format!(
                "extension {} ({}) never runs VoiceMail(): unanswered after the Dial, the call ends instead of reaching box {}; add same => n,VoiceMail({}@default,u) after the Dial",
                phone.extension, phone.account, phone.extension, phone.extension
            ),
            Removed(r) => match r {
                self::Removed::SipConf => "sip.conf configures chan_sip, removed in Asterisk 21: Asterisk 22 ignores it; declare the phones in pjsip_wizard.conf or pjsip.conf".into(),
                self::Removed::SipChannel => "SIP/ channels belong to chan_sip, removed in Asterisk 21: dial PJSIP/".into(),
                self::Removed::Macro => "Macro() was removed in Asterisk 21: use Gosub() (with Return())".into(),
                self::Removed::Monitor => "Monitor() was removed in Asterisk 21: use MixMonitor()".into(),
            },
            NoTrunk { operator } => {
                format!("no section of pjsip_wizard.conf or pjsip.conf registers to the operator ({operator})")
            }
            TrunkAccount { trunk, username, expected } => {
                format!("trunk {trunk} registers as {username}, but the operator knows this site as {expected}")
            }
            PickupCode { code, expected } => format!("pickupexten = {code}: the SAE's call pickup code is {expected}"),
            UnclosedParenthesis { app, kept: Some(kept) } => format!(
                "the parenthesis after {app} is never closed: Asterisk ends the arguments at the line's last `)` and reads {app}({kept}); close the parenthesis"
            ),
            UnclosedParenthesis { app, kept: None } => {
                format!("the parenthesis after {app} is never closed: close the parenthesis")
            }
            NoCondition { app } => {
                format!("{app} has no `?`: it is {app}(condition?where if true:where if false)")
            }
            EmptyCondition { app, second } => format!(
                "the condition of {app} is empty: Asterisk takes it as false{}; write the condition in $[ … ] before the `?`",
                second.as_ref().map_or(" and never jumps".to_string(), |s| format!(" and always goes to {s}"))
            ),
            ConditionNotEvaluated { app, condition, brackets, first } => format!(
                "the condition of {app} is not inside $[ … ]{}: Asterisk compares nothing, it sees a text that is not empty, so true, and always goes to {first}; write $[{}]",
                if *brackets { " (the `$` before `[` is missing)" } else { "" },
                condition.trim_start_matches('[').trim_end_matches(']')
            ),
            UnknownOptions { app, options, unknown } => {
                format!("{app} has no option `{unknown}` (options `{options}`): Asterisk 22 ignores it without a word")
            }
            MonitorOptions { app, options, letters } => format!(
                "{app}'s options `{letters}` (in `{options}`) enable automon recording, gone since Asterisk 21 (app_monitor): they do nothing; to record, options x/X and automixmon in features.conf"
            ),
            NumberSent { dialled, sent, trunk } => format!(
                "for {dialled}, trunk {trunk} gets {sent}: the operator knows only inter-site numbers (*213), public numbers (0320000213) and its test phones; check the ${{EXTEN:n}} and the pattern"
            ),
            ContextMissing { context, used, by } => match used {
                ContextUse::Calls => format!("endpoint {by} sends its calls to context {context}, which does not exist"),
                ContextUse::Messages => {
                    format!("endpoint {by} sends its instant messages to context {context}, which does not exist: they are refused")
                }
                ContextUse::Subscriptions => format!(
                    "endpoint {by} looks for what it watches (BLF, presence) in context {context}, which does not exist"
                ),
                ContextUse::Jump => format!("extension {by} jumps to context {context}, which does not exist: the call stops"),
            },
            PublicNumbersUnanswered { trunk, context, numbers, all } => format!(
                "calls from trunk {trunk} arrive in context {context}, where {}: the operator hands the site every call by that public number (inter-site calls too)",
                if *all {
                    format!("no public number of the site leads to its phone ({})", short_list(numbers, Lang::En))
                } else {
                    format!("{} do(es) not lead to their phone", short_list(numbers, Lang::En))
                }
            ),
            MailRefused { address, domain, expected } => format!(
                "the lab's mail server refuses {address}: it takes only addresses @{domain}{}",
                expected.as_ref().map_or(String::new(), |e| format!("; the lab expects {e}"))
            ),
            MailElsewhere { address, expected } => {
                format!("the message goes to {address}, but the lab's check looks for it in mailbox {expected}")
            }
            MailNotSent { mailcmd: Some(cmd) } => format!(
                "mailcmd = {cmd}: on the lab's IPBX only msmtp hands mail to the lab's server; write mailcmd = /usr/bin/msmtp -C /etc/asterisk/msmtprc -t with the lab's msmtprc (cargo xtask lab config)"
            ),
            MailNotSent { mailcmd: None } => "the boxes have mail addresses, but without mailcmd Asterisk uses /usr/sbin/sendmail, which has no server to hand mail to on the lab's IPBX; write mailcmd = /usr/bin/msmtp -C /etc/asterisk/msmtprc -t with the lab's msmtprc (cargo xtask lab config)".into(),
            UnknownPjsipOption { file, section, object, option, advice } => format!(
                "Asterisk 22 knows no {object} option `{option}`: in {file}, [{section}] is then not created{}",
                advice.as_ref().map_or(String::new(), |a| format!("; {}", a.en()))
            ),
            UnknownPjsipType { section, kind } if ["friend", "peer", "user"].contains(&kind.as_str()) => format!(
                "type={kind} is a sip.conf type (chan_sip, removed in Asterisk 21): PJSIP ignores the whole section [{section}]; declare an endpoint, its aor and its auth (or a wizard)"
            ),
            UnknownPjsipType { section, kind } => {
                format!("PJSIP has no object type {kind}: Asterisk 22 ignores the whole section [{section}]")
            }
            JumpTargetMissing { app, target, missing } => {
                format!("{app} jumps to {target}, but there is no {missing}: the call ends there")
            }
            Shadowed { pattern, context, numbers, answered_in } => format!(
                "in context {context}, pattern {pattern} takes {} before the extensions of the same numbers in the included context {answered_in}: Asterisk looks in the context itself first (then its includes, in order), so those extensions never run; narrow the pattern or put the extensions in the same context",
                short_list(numbers, Lang::En)
            ),
            ActivateOn { feature, given } => format!(
                "applicationmap entry {feature} has activate_on `{given}`: Asterisk 22 takes only self (the key acts on whoever presses it) or peer (on the other party) and drops the whole entry"
            ),
            FeatureNeverEnabled { feature, dtmf } => format!(
                "applicationmap entry {feature} ({dtmf}) is never enabled: no DYNAMIC_FEATURES of the dialplan or the endpoints names it, so its key does nothing; add Set(__DYNAMIC_FEATURES={feature}) before the Dial (several names joined by #) or endpoint/set_var"
            ),
            UnknownStrategy { queue, strategy, known } => format!(
                "queue {queue} has no strategy {strategy} in Asterisk 22: it warns at load and rings every member at once (ringall); strategies: {}",
                known.join(", ")
            ),
            MohCommand { class, program, faults, fix } => format!(
                "music on hold class {class} runs {program}, whose standard output Asterisk reads as raw signed 16-bit samples, 8000 Hz, mono: {}{}",
                faults.iter().map(|f| f.message(Lang::En, program)).collect::<Vec<_>>().join("; "),
                fix.as_ref().map_or(String::new(), |f| format!("; write for instance application = {f}"))
            ),
            Asterisk(said) => said.message(Lang::En),
        }
    }
}

/// A few numbers, the rest counted.
fn short_list(numbers: &[String], lang: Lang) -> String {
    let all = if lang == Lang::Fr { "en tout" } else { "in all" };
    match numbers {
        [a, b, c, _, ..] => format!("{a}, {b}, {c}… ({} {all})", numbers.len()),
        few => few.join(", "),
    }
}

fn files_fr(files: &[String]) -> String {
    match files {
        [] => "ni pjsip_wizard.conf ni pjsip.conf n'existe".into(),
        files => files.join(", "),
    }
}

fn files_en(files: &[String]) -> String {
    match files {
        [] => "any file (neither pjsip_wizard.conf nor pjsip.conf exists)".into(),
        files => files.join(" or "),
    }
}
