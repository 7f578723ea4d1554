//! What is wrong with a music on hold command, in French or English.

use super::cli;
use crate::grade::Lang;

/// Where a player sends its sound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The sound card, which the IPBX does not have.
    SoundCard,
    File(String),
    /// Nowhere (a test or null output).
    Nothing,
}

/// One reason a music on hold command gives Asterisk no music.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MohFault {
    /// A program name without its folder: Asterisk does not search PATH.
    NoPath { program: String },
    /// Shell syntax (pipe, redirection, wildcard, variable): no shell runs it.
    Shell { token: String },
    /// Two spaces in a row: an empty argument.
    EmptyArgument,
    /// Quotes, passed to the program as they are.
    Quotes,
    /// A long option written with one dash, read as one-letter options.
    OneDash { written: String, meant: String },
    /// An option the program does not have: it stops at once.
    UnknownOption { option: String },
    /// Its sound goes elsewhere than its standard output.
    Output(Output),
    /// It writes another format than raw samples (`None`: it is not told which).
    Encoding { given: Option<String> },
    /// Another rate than Asterisk reads (`None`: the file's own).
    Rate { given: Option<u32>, expected: u32 },
    /// Not mono (`None`: the file's own channels).
    Channels { given: Option<String> },
    /// No file to play.
    NoInput,
    /// `directory` set: Asterisk adds its files after the program's output.
    FilesAppended,
}

impl MohFault {
    pub fn message(&self, lang: Lang, program: &str) -> String {
        match lang {
            Lang::Fr => self.fr(program),
            Lang::En => self.en(program),
        }
    }

    fn fr(&self, program: &str) -> String {
        use MohFault::*;
        match self {
            NoPath { program } => format!("Asterisk lance {program} sans le chercher dans le PATH : écrire son chemin complet (/usr/bin/{program})"),
            Shell { token } => format!("« {token} » est passé tel quel au programme : Asterisk ne lance aucun shell (ni tube, ni redirection, ni joker, ni variable)"),
            EmptyArgument => "deux espaces de suite : Asterisk coupe à chaque espace et passe un argument vide".into(),
            Quotes => "les guillemets sont passés tels quels : Asterisk coupe à chaque espace sans les retirer".into(),
            OneDash { written, meant } => format!("{written} n'a qu'un tiret : {program} le lit comme des options d'une lettre ; une option longue en prend deux : {meant}"),
            UnknownOption { option } => format!("{program} n'a pas d'option {option} : il s'arrête aussitôt"),
            Output(self::Output::SoundCard) => format!("{program} joue sur la carte son (l'IPBX n'en a pas) au lieu d'écrire sur sa sortie standard"),
            Output(self::Output::File(f)) => format!("{program} écrit dans le fichier {f} au lieu de sa sortie standard"),
            Output(self::Output::Nothing) => format!("{program} n'écrit rien (sortie nulle ou mode test)"),
            Encoding { given: Some(g) } => format!("{program} écrit du {g}, pas des échantillons bruts signés sur 16 bits"),
            Encoding { given: None } => format!("rien ne dit à {program} d'écrire des échantillons bruts signés sur 16 bits"),
            Rate { given: Some(g), expected } => format!("{program} écrit à {g} Hz, Asterisk lit {expected} Hz"),
            Rate { given: None, expected } => format!("{program} garde la fréquence du fichier (44 100 Hz pour la plupart des musiques), Asterisk lit {expected} Hz"),
            Channels { given: Some(g) } => format!("{program} écrit {g} canaux, Asterisk lit du mono"),
            Channels { given: None } => format!("{program} garde les canaux du fichier (stéréo pour la plupart des musiques), Asterisk lit du mono"),
            NoInput => format!("{program} n'a aucun fichier à jouer"),
            FilesAppended => format!("avec directory, Asterisk ajoute à la fin de la commande les fichiers .mp3, .raw et .sln du dossier, après la sortie de {program} (et ne lance rien s'il n'y en a pas) : retirer directory et nommer le fichier dans la commande"),
        }
    }

    fn en(&self, program: &str) -> String {
        use MohFault::*;
        match self {
            NoPath { program } => format!("Asterisk starts {program} without searching PATH: write its full path (/usr/bin/{program})"),
            Shell { token } => format!("`{token}` is passed to the program as it is: Asterisk runs no shell (no pipe, redirection, wildcard or variable)"),
            EmptyArgument => "two spaces in a row: Asterisk cuts at each space and passes an empty argument".into(),
            Quotes => "the quotes are passed as they are: Asterisk cuts at each space without removing them".into(),
            OneDash { written, meant } => format!("{written} has one dash: {program} reads it as one-letter options; a long option takes two: {meant}"),
            UnknownOption { option } => format!("{program} has no option {option}: it stops at once"),
            Output(self::Output::SoundCard) => format!("{program} plays on the sound card (the IPBX has none) instead of writing to its standard output"),
            Output(self::Output::File(f)) => format!("{program} writes to file {f} instead of its standard output"),
            Output(self::Output::Nothing) => format!("{program} writes nothing (null output or test mode)"),
            Encoding { given: Some(g) } => format!("{program} writes {g}, not raw signed 16-bit samples"),
            Encoding { given: None } => format!("nothing tells {program} to write raw signed 16-bit samples"),
            Rate { given: Some(g), expected } => format!("{program} writes at {g} Hz, Asterisk reads {expected} Hz"),
            Rate { given: None, expected } => format!("{program} keeps the file's own rate (44100 Hz for most music), Asterisk reads {expected} Hz"),
            Channels { given: Some(g) } => format!("{program} writes {g} channels, Asterisk reads mono"),
            Channels { given: None } => format!("{program} keeps the file's own channels (stereo for most music), Asterisk reads mono"),
            NoInput => format!("{program} is given no file to play"),
            FilesAppended => format!("with directory set, Asterisk adds the folder's .mp3, .raw and .sln files at the end of the command, after {program}'s output (and starts nothing when there are none): remove directory and name the file in the command"),
        }
    }
}

/// What Asterisk expects of the class's program.
#[derive(Debug, Clone, Copy)]
pub(super) struct Expect {
    /// Sample rate of the class's `format` (slin: 8000).
    pub rate: u32,
    /// The class reads signed linear samples (the default); another `format`
    /// (ulaw, alaw…) is not checked for its encoding.
    pub slin: bool,
    /// `directory` is set: Asterisk appends its files to the command.
    pub directory: bool,
}

/// The fault of a rate option's value, if it is not the one expected.
pub(super) fn rate_fault(value: Option<&str>, expected: u32) -> Option<MohFault> {
    match value.map(cli::hertz) {
        None => Some(MohFault::Rate { given: None, expected }),
        Some(Some(hz)) if hz == expected => None,
        Some(hz) => Some(MohFault::Rate { given: hz, expected }),
    }
}
