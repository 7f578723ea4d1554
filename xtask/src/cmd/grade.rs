//! `cargo xtask grade`: one site's own config (a student's /etc/asterisk),
//! read and then run in the lab, scored by SAE part.

use std::path::PathBuf;

use anyhow::Context;
use lab::grade::asterisk_says::{self, Reading};
use lab::grade::mapping::Mapping;
use lab::grade::score::GradeReport;
use lab::grade::{session, Lang, Part};
use lab::runtime::progress::Progress;
use lab::scenario::{self, report, RunOptions};

use super::scenario::load;
use super::{state_dir, workspace_root, LabArg};
use crate::progress::Term;

#[derive(clap::Args)]
pub struct GradeCmd {
    #[command(flatten)]
    lab: LabArg,
    /// The site the config is for, e.g. table2.
    #[arg(long)]
    site: String,
    /// The folder of config files (what goes in /etc/asterisk).
    #[arg(long, value_name = "DIR")]
    config: PathBuf,
    /// A mapping file, for a config that names its phones otherwise than the
    /// lab (endpoints, extensions, fewer cabinets, the trunk's name).
    #[arg(long, value_name = "FILE")]
    map: Option<PathBuf>,
    /// Grade one part only: I, II, III, IV or challenges.
    #[arg(long, value_parser = parse_part)]
    part: Option<Part>,
    /// Language of the report: fr or en.
    #[arg(long, default_value = "fr")]
    lang: Lang,
    /// Only read the files, and let a throwaway Asterisk 22 load them (when
    /// Docker answers): no lab, no calls.
    #[arg(long)]
    files_only: bool,
    /// Checks run at once.
    #[arg(long, default_value_t = 8)]
    jobs: usize,
}

fn parse_part(s: &str) -> Result<Part, String> {
    Part::from_scenario(s).ok_or_else(|| format!("unknown part `{s}`; the parts are I, II, III, IV and challenges"))
}

impl GradeCmd {
    pub async fn run(self) -> anyhow::Result<()> {
        let lab = self.lab.load()?;
        let site = lab.site(&self.site).ok_or_else(|| {
            let names: Vec<&str> = lab.sites.iter().map(|s| s.name.as_str()).collect();
            anyhow::anyhow!("no site {:?} in lab {}; its sites are {}", self.site, lab.name, names.join(", "))
        })?;
        let dir = std::path::absolute(&self.config).with_context(|| format!("resolving {}", self.config.display()))?;
        let mapping = match &self.map {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
                Some(Mapping::parse(&path.display().to_string(), &text, site)?)
            }
            None => None,
        };
        // The lab as the config names it: its own passwords, and the mapping's names.
        let graded = session::graded_lab(&lab, &site.name);
        let graded = match &mapping {
            Some(m) => m.apply(&graded, &site.name),
            None => graded,
        };
        let graded_site = graded.site(&site.name).expect("the site is still there");
        let mut inspection = lab::grade::inspect(&graded, graded_site, &dir)?;
        if let Some(m) = &mapping {
            m.check_trunk(&inspection)?;
        }
        // Asterisk 22 reads the folder first: what it refuses or ignores.
        let progress = Term::new();
        let trunk = inspection.trunk.as_ref().map(|t| t.name.clone());
        let asterisk = match asterisk_says::hear(&graded, graded_site, &dir, trunk.as_deref(), &progress).await {
            Ok((findings, reading)) => {
                inspection.add_asterisk_findings(findings);
                reading
            }
            // Reading the files alone still says what it can.
            Err(e) if self.files_only => Reading::NotRun { why: e.to_string() },
            Err(e) => return Err(e).context("Asterisk 22 could not read the folder"),
        };
        let mut grade = GradeReport {
            site: site.name.clone(),
            config: dir.clone(),
            inspection,
            registration: None,
            checks: Vec::new(),
            only: self.part,
            asterisk: Some(asterisk),
            blocked: Vec::new(),
        };
        if !self.files_only {
            // Scenario files are checked before any container is touched.
            let scenarios = load(&lab, &[])?;
            // Only the graded site, a peer site and the operator run.
            let running = session::part_of_lab(&graded, &site.name);
            let checks = session::select_checks(&lab, &running, &site.name, &scenarios, mapping.as_ref(), self.part);
            let checks = grade.inspection.feature_codes.apply(&site.name, checks);
            let state = state_dir(&running)?;
            let generated = state.config_dir();
            let out_dir = workspace_root().join("target").join("grade").join(&site.name);
            std::fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
            let mut options = RunOptions::new(self.jobs, out_dir.clone(), state.config_dir());
            options.own_configs.insert(site.name.clone(), (dir.clone(), grade.inspection.phone_context()));
            progress.step(&format!("running {} on {}", site.name, dir.display()));
            let on_result = |r: &scenario::CheckResult| eprintln!("{}", report::line(r).lines().next().unwrap_or(""));
            let session = session::run(
                &running,
                state,
                &site.name,
                &dir,
                &grade.inspection,
                &checks,
                &options,
                &progress,
                &on_result,
            )
            .await?;
            grade.registration = Some(session.registration);
            grade.blocked = session.blocked;
            grade.checks = session.parts.into_iter().zip(session.report.results.iter().cloned()).collect();
            lab::grade::live_hints::point_at_the_folder(&mut grade, &running, &generated);
            let title = match self.lang {
                Lang::Fr => format!("Évaluation de {}", site.name),
                Lang::En => format!("Grade of {}", site.name),
            };
            let html =
                report::html::write(&out_dir, &running, &session.report, &title, Some(&grade.render(self.lang)))?;
            eprintln!("HTML report: {}", html.display());
        }
        progress.finish();
        crate::output::print(&grade.render(self.lang));
        anyhow::ensure!(
            grade.lab_errors() == 0,
            "{}",
            match self.lang {
                Lang::Fr => "le labo a eu une panne pendant des contrôles : relancez l'évaluation",
                Lang::En => "the lab broke during some checks: run the grading again",
            }
        );
        anyhow::ensure!(
            grade.passed(),
            "{}",
            if self.lang == Lang::Fr { "des points restent à corriger" } else { "some points remain to fix" }
        );
        Ok(())
    }
}
