//! A grade: the inspection, what registered, the end-to-end checks, and a
//! score per SAE part, rendered for the student in French or English.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::asterisk_says::Reading;
use super::blocked::Blocker;
use super::causes::{root_causes, Cause};
use super::coverage;
use super::live_causes;
use super::{Inspection, Lang, Part, Problem};
use crate::scenario::CheckResult;

/// Everything one grading run found about one site's config.
#[derive(Debug, Clone)]
pub struct GradeReport {
    pub site: String,
    pub config: PathBuf,
    pub inspection: Inspection,
    /// What registered once the site ran the config; `None` without a lab run.
    pub registration: Option<Registration>,
    /// End-to-end checks, with the part each belongs to.
    pub checks: Vec<(Part, CheckResult)>,
    /// Only this part was graded.
    pub only: Option<Part>,
    /// Whether Asterisk 22 itself read the folder; `None` when not tried.
    pub asterisk: Option<Reading>,
    /// Checks not run, a phone or the trunk they need not registering: failed.
    pub blocked: Vec<(Part, CheckResult, Blocker)>,
}

pub use super::blocked::Registration;

/// One part's score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartScore {
    pub part: Part,
    pub passed: usize,
    pub total: usize,
    pub findings: usize,
}

const PARTS: [Part; 5] = [Part::I, Part::II, Part::III, Part::IV, Part::Challenges];

impl Part {
    /// The part a scenario file declares (`part = "III"`); `I-II` counts as I.
    pub fn from_scenario(part: &str) -> Option<Part> {
        match part.trim().to_ascii_lowercase().as_str() {
            "i" | "i-ii" => Some(Part::I),
            "ii" => Some(Part::II),
            "iii" => Some(Part::III),
            "iv" => Some(Part::IV),
            "challenges" | "défis" | "defis" => Some(Part::Challenges),
            _ => None,
        }
    }

    fn title(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Part::I, Lang::Fr) => "Partie I — appels internes",
            (Part::I, Lang::En) => "Part I — internal calls",
            (Part::II, Lang::Fr) => "Partie II — appels inter-sites et externes",
            (Part::II, Lang::En) => "Part II — inter-site and external calls",
            (Part::III, Lang::Fr) => "Partie III — fonctions téléphoniques",
            (Part::III, Lang::En) => "Part III — telephony functions",
            (Part::IV, Lang::Fr) => "Partie IV — messagerie vocale",
            (Part::IV, Lang::En) => "Part IV — voicemail",
            (Part::Challenges, Lang::Fr) => "Défis — SVI, messagerie instantanée, présence",
            (Part::Challenges, Lang::En) => "Challenges — IVR, instant messaging, presence",
        }
    }
}

impl GradeReport {
    fn registration_items(&self, lang: Lang) -> Vec<(Part, bool, String)> {
        let Some(r) = &self.registration else { return Vec::new() };
        let phones_ok = r.phones.iter().filter(|(_, ok)| *ok).count();
        let missing: Vec<&str> = r.phones.iter().filter(|(_, ok)| !ok).map(|(a, _)| a.as_str()).collect();
        let phones = match lang {
            Lang::Fr => format!("Les postes s'enregistrent ({phones_ok}/{})", r.phones.len()),
            Lang::En => format!("The phones register ({phones_ok}/{})", r.phones.len()),
        };
        let phones = if missing.is_empty() {
            phones
        } else {
            let word = if lang == Lang::Fr { "manquent" } else { "missing" };
            format!("{phones}; {word} : {}", missing.join(", "))
        };
        let trunk = match lang {
            Lang::Fr => "Le faisceau s'enregistre auprès de l'opérateur".to_string(),
            Lang::En => "The trunk registers at the operator".to_string(),
        };
        vec![(Part::I, missing.is_empty(), phones), (Part::II, r.trunk, trunk)]
    }

    fn wanted(&self, part: Part) -> bool {
        self.only.is_none_or(|p| p == part)
    }

    /// Checks passed over checks run, per part (registration counts as
    /// checks). A check the lab broke under (a lab error) is not counted:
    /// it could not be graded.
    pub fn scores(&self) -> Vec<PartScore> {
        let items = self.registration_items(Lang::En);
        PARTS
            .iter()
            .filter(|p| self.wanted(**p))
            .map(|&part| {
                let checks = self.checks.iter().filter(|(p, r)| *p == part && !r.is_lab_error());
                let regs = items.iter().filter(|(p, ..)| *p == part);
                let blocked = self.blocked.iter().filter(|(p, ..)| *p == part).count();
                PartScore {
                    part,
                    passed: checks.clone().filter(|(_, r)| r.passed()).count()
                        + regs.clone().filter(|(_, ok, _)| *ok).count(),
                    total: checks.count() + regs.count() + blocked,
                    // A finding another explains is not counted again.
                    findings: self.shown_causes().0.iter().filter(|c| c.finding.part == part).count()
                        + usize::from(part == Part::I && !self.shown_causes().1.is_empty()),
                }
            })
            .collect()
    }

    /// The root causes shown one by one, and apart the phones without an
    /// endpoint of their name when most are (the config names them otherwise:
    /// one finding, with a `--map` to write).
    fn shown_causes(&self) -> (Vec<Cause<'_>>, Vec<Cause<'_>>) {
        let causes = root_causes(&self.inspection.findings);
        if self.inspection.map_suggestion.is_none() {
            return (causes, Vec::new());
        }
        causes.into_iter().partition(|c| !matches!(c.finding.problem, Problem::NoEndpoint { .. }))
    }

    /// No finding and every check graded passed.
    pub fn passed(&self) -> bool {
        self.scores().iter().all(|s| s.passed == s.total && s.findings == 0)
    }

    /// Checks that could not be graded because the lab broke while they ran.
    pub fn lab_errors(&self) -> usize {
        self.checks.iter().filter(|(p, r)| self.wanted(*p) && r.is_lab_error()).count()
    }

    /// The report a student reads, part by part, ending with the total.
    pub fn render(&self, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        let mut out = String::new();
        let _ =
            writeln!(out, "{} {} ({})", if fr { "Évaluation de" } else { "Grading" }, self.site, self.config.display());
        if let Some(reading) = &self.asterisk {
            let _ = writeln!(out, "{}", reading_line(reading, lang));
        }
        let items = self.registration_items(lang);
        let (causes, unknown) = self.shown_causes();
        // Without a lab run (`--files-only`) there is nothing to score, only findings.
        let ran = self.registration.is_some();
        for score in self.scores() {
            match ran {
                true => writeln!(out, "\n{}  {}/{}", score.part.title(lang), score.passed, score.total),
                false => writeln!(out, "\n{}", score.part.title(lang)),
            }
            .ok();
            if score.part == Part::I && !unknown.is_empty() {
                out.push_str(&unknown_phones(&unknown, self.inspection.map_suggestion.as_deref(), lang));
            }
            if !ran && score.findings == 0 {
                let _ = writeln!(out, "{}", coverage::nothing_found(score.part, lang));
            }
            for cause in causes.iter().filter(|c| c.finding.part == score.part) {
                let f = cause.finding;
                let _ = writeln!(out, "  ! {}: {}", f.at, f.message(lang));
                if !f.text.is_empty() {
                    let _ = writeln!(out, "      {}", f.text);
                }
                if !cause.explains.is_empty() {
                    let _ =
                        writeln!(out, "      {}", if fr { "ce qui explique aussi :" } else { "which also explains:" });
                }
                for e in &cause.explains {
                    let _ = writeln!(out, "        - {}: {}", e.at, e.message(lang));
                }
            }
            for (_, ok, says) in items.iter().filter(|(p, ..)| *p == score.part) {
                let _ = writeln!(out, "  {} {says}", if *ok { "✓" } else { "✗" });
                if !ok {
                    out.push_str(&live_causes::under_registration(
                        &live_causes::Registered {
                            site: &self.site,
                            findings: &self.inspection.findings,
                            registration: self.registration.as_ref(),
                            blocked: &self.blocked,
                        },
                        score.part,
                        lang,
                    ));
                }
            }
            for (_, r, blocker) in self.blocked.iter().filter(|(p, ..)| *p == score.part) {
                let says = if fr { r.says_fr.as_deref().unwrap_or(&r.says) } else { &r.says };
                let _ =
                    writeln!(out, "  ✗ {} › {says}\n      {}", r.scenario, live_causes::not_run_line(blocker, lang));
            }
            for (_, r) in self.checks.iter().filter(|(p, _)| *p == score.part) {
                let says = if fr { r.says_fr.as_deref().unwrap_or(&r.says) } else { &r.says };
                let mark = match (r.passed(), r.is_lab_error()) {
                    (true, _) => "✓",
                    (false, true) => "⚠",
                    (false, false) => "✗",
                };
                let _ = writeln!(out, "  {mark} {} › {says}", r.scenario);
                for n in r.notes.iter().filter(|_| r.passed()) {
                    let _ = writeln!(out, "      {}", if fr { &n.fr } else { &n.en });
                }
                if let Some(why) = &r.lab_error {
                    let _ = match lang {
                        Lang::Fr => writeln!(
                            out,
                            "      non évalué : le labo a eu une panne pendant ce contrôle, ce n'est pas votre config ({why})"
                        ),
                        Lang::En => writeln!(
                            out,
                            "      not graded: the lab broke during this check, not your config ({why})"
                        ),
                    };
                    continue;
                }
                if let Some(cause) =
                    r.failure.as_ref().and_then(|_| live_causes::file_cause(&self.inspection.findings, &r.scenario))
                {
                    let word = if fr { "cause" } else { "because" };
                    let _ = writeln!(out, "      {word:<9} {}: {}", cause.at, cause.message(lang));
                }
                if let Some(f) = &r.failure {
                    let (expected, observed, look) =
                        if fr { ("attendu", "observé", "voir") } else { ("expected", "observed", "look at") };
                    let _ = writeln!(out, "      {expected:<9} {}\n      {observed:<9} {}", f.expected, f.observed);
                    for l in &f.look {
                        let _ = writeln!(out, "      {look:<9} {l}");
                    }
                }
            }
        }
        let scores = self.scores();
        let passed: usize = scores.iter().map(|s| s.passed).sum();
        let total: usize = scores.iter().map(|s| s.passed.max(s.total)).sum();
        let findings: usize = scores.iter().map(|s| s.findings).sum();
        let parts = scores
            .iter()
            .map(|s| format!("{} {}/{}", s.part.name(lang), s.passed, s.total))
            .collect::<Vec<_>>()
            .join(", ");
        let findings = format!(
            "{findings} {}",
            match (fr, findings) {
                (true, 1) => "remarque sur les fichiers",
                (true, _) => "remarques sur les fichiers",
                (false, 1) => "finding in the files",
                (false, _) => "findings in the files",
            }
        );
        let _ = match ran {
            true => writeln!(out, "\nTotal: {passed}/{total} ({parts}); {findings}"),
            false => writeln!(out, "\n{findings}"),
        };
        let _ = match (self.lab_errors(), lang) {
            (0, _) => Ok(()),
            (n, Lang::Fr) => {
                writeln!(out, "{n} contrôle(s) non évalué(s) : le labo a eu une panne ; relancez l'évaluation")
            }
            (n, Lang::En) => writeln!(out, "{n} check(s) not graded: the lab broke; run the grading again"),
        };
        out
    }
}

/// Most phones without an endpoint of their name: one finding, and the
/// mapping file that would name them.
fn unknown_phones(unknown: &[Cause], suggestion: Option<&str>, lang: Lang) -> String {
    let names: Vec<String> = unknown
        .iter()
        .filter_map(|c| match &c.finding.problem {
            Problem::NoEndpoint { phone } => Some(phone.account.clone()),
            _ => None,
        })
        .collect();
    let shown = names.iter().take(4).cloned().collect::<Vec<_>>().join(", ");
    let more = if names.len() > 4 { ", …" } else { "" };
    let mut out = match lang {
        Lang::Fr => format!(
            "  ! {} postes du labo n'ont pas d'endpoint à leur nom ({shown}{more}) : votre config les nomme autrement. Dites qui est qui avec --map FICHIER ; d'après vos fichiers, par exemple :
",
            names.len()
        ),
        Lang::En => format!(
            "  ! {} of the lab's phones have no endpoint of their name ({shown}{more}): your config names them otherwise. Say who is who with --map FILE; from your files, for example:
",
            names.len()
        ),
    };
    for line in suggestion.unwrap_or_default().lines() {
        out.push_str(&format!(
            "      {line}
"
        ));
    }
    out
}

/// Whether Asterisk 22 itself read the folder, and what it said beyond the findings.
fn reading_line(reading: &Reading, lang: Lang) -> String {
    match (reading, lang) {
        (Reading::Heard { seconds, booted: true, unplaced }, Lang::Fr) => format!(
            "Asterisk 22 a chargé le dossier ({seconds:.1} s) ; ses avertissements sur vos lignes sont ci-dessous{}",
            others_fr(unplaced.len())
        ),
        (Reading::Heard { seconds, booted: true, unplaced }, Lang::En) => format!(
            "Asterisk 22 loaded the folder ({seconds:.1} s); its warnings about your lines are below{}",
            others_en(unplaced.len())
        ),
        (Reading::Heard { booted: false, .. }, Lang::Fr) => {
            "Asterisk 22 n'a pas pu charger le dossier : voir la première remarque".into()
        }
        (Reading::Heard { booted: false, .. }, Lang::En) => {
            "Asterisk 22 could not load the folder: see the first finding".into()
        }
        (Reading::NotRun { why }, Lang::Fr) => format!(
            "Asterisk 22 n'a pas lu le dossier ({why}) : seules les vérifications faites sur le texte des fichiers sont ci-dessous, pas ce qu'Asterisk refuse ou ignore"
        ),
        (Reading::NotRun { why }, Lang::En) => format!(
            "Asterisk 22 did not read the folder ({why}): only the checks made on the files' text are below, not what Asterisk refuses or ignores"
        ),
    }
}

fn others_fr(n: usize) -> String {
    match n {
        0 => String::new(),
        n => format!(" ({n} autres messages portent sur des modules ou fichiers que la SAE n'utilise pas : non notés)"),
    }
}

fn others_en(n: usize) -> String {
    match n {
        0 => String::new(),
        n => format!(" ({n} other messages are about modules or files the SAE does not use: not graded)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::{Finding, Place, Problem};

    fn report(registration: Option<Registration>) -> GradeReport {
        let inspection = Inspection {
            site: "table2".into(),
            endpoints: Vec::new(),
            phones: Vec::new(),
            trunk: None,
            map_suggestion: None,
            feature_codes: Default::default(),
            findings: vec![Finding {
                part: Part::II,
                at: Place::new("extensions.conf", 205),
                text: "exten => _ONXXXXXXXX,1,Goto(to-operator,${EXTEN},1)".into(),
                problem: Problem::LetterO { extension: "_ONXXXXXXXX".into(), fixed: "_0NXXXXXXXX".into() },
            }],
        };
        GradeReport {
            site: "table2".into(),
            config: "/tmp/c".into(),
            inspection,
            registration,
            checks: Vec::new(),
            only: None,
            asterisk: None,
            blocked: Vec::new(),
        }
    }

    #[test]
    fn parts_are_read_from_scenario_files() {
        assert_eq!(Part::from_scenario("I-II"), Some(Part::I));
        assert_eq!(Part::from_scenario("iv"), Some(Part::IV));
        assert_eq!(Part::from_scenario("challenges"), Some(Part::Challenges));
        assert_eq!(Part::from_scenario("V"), None);
    }

    #[test]
    fn registrations_count_and_findings_fail_the_grade() {
        let r = report(Some(Registration {
            trunk: true,
            phones: vec![("patron1".into(), true), ("assistant1".into(), false)],
        }));
        let scores = r.scores();
        assert_eq!((scores[0].part, scores[0].passed, scores[0].total), (Part::I, 0, 1), "one phone is missing");
        assert_eq!((scores[1].passed, scores[1].total, scores[1].findings), (1, 1, 1));
        assert!(!r.passed());
        let text = r.render(Lang::Fr);
        assert!(text.contains("✗ Les postes s'enregistrent (1/2); manquent : assistant1"), "{text}");
        assert!(text.contains("Total: 1/2"), "{text}");
    }

    #[test]
    fn a_lab_error_is_not_counted_against_the_student() {
        let check = |says: &str, failure: Option<&str>, lab_error: Option<&str>| CheckResult {
            scenario: "internal-calls".into(),
            says: says.into(),
            says_fr: None,
            place: "scenarios/internal-calls.toml:4".into(),
            seconds: 1.0,
            failure: failure.map(|o| crate::scenario::Failure {
                step: "table2/patron1 rings".into(),
                expected: "table2/patron1 rings".into(),
                observed: o.into(),
                look: Vec::new(),
                lab: false,
            }),
            lab_error: lab_error.map(str::to_string),
            left_open: Vec::new(),
            notes: Vec::new(),
            started: std::time::UNIX_EPOCH,
            ended: std::time::UNIX_EPOCH,
            phones: Vec::new(),
        };
        let mut r = report(Some(Registration { trunk: true, phones: vec![("patron1".into(), true)] }));
        r.inspection.findings.clear();
        r.checks = vec![
            (Part::I, check("patron1 calls assistant1", None, None)),
            (
                Part::I,
                check(
                    "assistant1 calls patron1",
                    Some("it did not ring within 10 s"),
                    Some("table2's softphones restarted during the check (RestartCount 0 → 1)"),
                ),
            ),
        ];
        let part_i = &r.scores()[0];
        assert_eq!((part_i.passed, part_i.total), (2, 2), "the registration and the one check graded");
        assert!(r.passed(), "nothing graded failed");
        assert_eq!(r.lab_errors(), 1);
        let text = r.render(Lang::En);
        assert!(
            text.contains("  ⚠ internal-calls › assistant1 calls patron1\n      not graded: the lab broke during this check, not your config (table2's softphones restarted"),
            "{text}"
        );
        assert!(!text.contains("it did not ring"), "what the broken lab showed is no finding: {text}");
        assert!(text.contains("1 check(s) not graded: the lab broke"), "{text}");
    }

    #[test]
    fn a_check_passed_on_the_sites_own_sound_says_which_it_heard() {
        let mut r = report(Some(Registration { trunk: true, phones: vec![("patron1".into(), true)] }));
        r.inspection.findings.clear();
        r.checks = vec![(
            Part::III,
            CheckResult {
                scenario: "hold-music".into(),
                says: "A phone put on hold hears its site's music".into(),
                says_fr: Some("Un poste mis en attente entend la musique d'attente de son site".into()),
                place: "scenarios/hold-music.toml:6".into(),
                seconds: 4.0,
                failure: None,
                lab_error: None,
                left_open: Vec::new(),
                notes: vec![crate::scenario::audible::Function::Music.note(3050)],
                started: std::time::UNIX_EPOCH,
                ended: std::time::UNIX_EPOCH,
                phones: Vec::new(),
            },
        )];
        assert!(r.passed());
        let text = r.render(Lang::En);
        assert!(
            text.contains("  ✓ hold-music › A phone put on hold hears its site's music\n      music heard on hold (not the lab's 3050 Hz tone: your own music on hold)\n"),
            "{text}"
        );
        let text = r.render(Lang::Fr);
        assert!(
            text.contains("      musique entendue en attente (pas la tonalité du labo à 3050 Hz : votre propre musique d'attente)\n"),
            "{text}"
        );
    }

    #[test]
    fn a_failed_check_names_the_file_asterisk_refused_that_explains_it() {
        let mut r = report(Some(Registration { trunk: true, phones: vec![("patron1".into(), true)] }));
        r.inspection.findings = vec![Finding {
            part: Part::III,
            at: Place::new("features.conf", 5),
            text: "automon => 8".into(),
            problem: Problem::Asterisk(crate::grade::asterisk_says::Said::FileRefused {
                file: "features.conf".into(),
                section: "featuremap".into(),
                option: "automon".into(),
                advice: None,
            }),
        }];
        let mut check = CheckResult {
            scenario: "transfer".into(),
            says: "The secretary transfers the caller blind with #1".into(),
            says_fr: None,
            place: String::new(),
            seconds: 1.0,
            failure: Some(crate::scenario::Failure {
                step: String::new(),
                expected: "table2/assistant1 rings".into(),
                observed: "it did not ring within 10 s".into(),
                look: Vec::new(),
                lab: false,
            }),
            lab_error: None,
            left_open: Vec::new(),
            notes: Vec::new(),
            started: std::time::UNIX_EPOCH,
            ended: std::time::UNIX_EPOCH,
            phones: Vec::new(),
        };
        r.checks = vec![(Part::III, check.clone())];
        let text = r.render(Lang::En);
        assert!(text.contains("  ✗ transfer › The secretary transfers the caller blind with #1\n      because   features.conf:5: Asterisk 22 knows no option `automon`"), "{text}");
        check.scenario = "internal-calls".into();
        r.checks = vec![(Part::I, check)];
        assert!(!r.render(Lang::En).contains("because"), "another scenario is not explained by features.conf");
    }

    #[test]
    fn reading_the_files_alone_gives_findings_without_scores() {
        let text = report(None).render(Lang::En);
        assert!(
            text.contains("Part II — inter-site and external calls\n  ! extensions.conf:205: pattern _ONXXXXXXXX"),
            "{text}"
        );
        assert!(!text.contains("0/0") && text.trim_end().ends_with("1 finding in the files"), "{text}");
    }
}
