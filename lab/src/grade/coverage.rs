//! What reading the files checks of each part, and what only the lab's
//! calls can tell: a part without a finding says so, never an empty heading
//! that reads as a pass.

use super::{Lang, Part};

/// What the files were read for, and what was left to the lab's calls.
pub(super) fn read_and_left(part: Part, lang: Lang) -> (&'static str, &'static str) {
    match (part, lang) {
        (Part::I, Lang::Fr) => (
            "un endpoint par poste, son contexte, chaque extension qui appelle son poste, les lignes que refuse Asterisk 22, les options de Dial",
            "l'enregistrement des postes, les appels et l'audio dans les deux sens",
        ),
        (Part::I, Lang::En) => (
            "an endpoint per phone, its context, each extension dialling its phone, the lines Asterisk 22 refuses, Dial's options",
            "the phones' registration, the calls and audio both ways",
        ),
        (Part::II, Lang::Fr) => (
            "le faisceau vers l'opérateur et son compte, les motifs inter-sites et externes, les numéros envoyés à l'opérateur, le contexte du faisceau pour chaque numéro public",
            "l'enregistrement du faisceau, les appels à travers l'opérateur",
        ),
        (Part::II, Lang::En) => (
            "the trunk to the operator and its account, the inter-site and external patterns, the numbers sent to the operator, the trunk's context for each public number",
            "the trunk's registration, the calls through the operator",
        ),
        (Part::III, Lang::Fr) => (
            "features.conf tel qu'Asterisk 22 le charge, le code d'interception, les musiques d'attente, les indications (hints)",
            "les transferts, le parking, l'enregistrement, la musique entendue, l'interception, la supervision",
        ),
        (Part::III, Lang::En) => (
            "features.conf as Asterisk 22 loads it, the pickup code, music on hold classes, hints",
            "transfers, parking, recording, the music heard, pickup, BLF",
        ),
        (Part::IV, Lang::Fr) => (
            "une boîte par extension, VoiceMail() et mailboxes= sur la bonne boîte, le 888, les adresses mail et mailcmd",
            "les messages laissés, les mails reçus, le voyant de message (MWI)",
        ),
        (Part::IV, Lang::En) => (
            "a box per extension, VoiceMail() and mailboxes= on the right box, 888, mail addresses and mailcmd",
            "messages left, mails received, the message light (MWI)",
        ),
        (Part::Challenges, Lang::Fr) => (
            "les contextes des messages instantanés",
            "le menu vocal (SVI), les messages instantanés, la présence",
        ),
        (Part::Challenges, Lang::En) => {
            ("the instant messages' contexts", "the voice menu (IVR), instant messages, presence")
        }
    }
}

/// The line a part without a finding shows when the lab did not run.
pub(super) fn nothing_found(part: Part, lang: Lang) -> String {
    let (read, left) = read_and_left(part, lang);
    match lang {
        Lang::Fr => format!(
            "  ✓ rien à signaler dans les fichiers ; lu : {read}\n    non vérifié sans le labo (sans --files-only, les appels le vérifient) : {left}"
        ),
        Lang::En => format!(
            "  ✓ nothing found in the files; read: {read}\n    not checked without the lab (without --files-only, calls check it): {left}"
        ),
    }
}
