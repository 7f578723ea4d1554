//! `lab prompt`: a checked [`Plan`] carried out in the site's running IPBX.
//! Each file is copied in, converted and levelled with sox there, then put in
//! place of the prompts it is for (each at once, as 560 does), and the music
//! on hold reloaded. Nothing is installed until every file converted.

use super::{LabError, LabRuntime};
use crate::gen::prompts::{Use, DIR};
use crate::prompt::{sox, Action, Import, Installed, Level, Plan, Report};
use crate::runtime::asterisk_cli;

/// Where the conversion happens, in the IPBX.
const WORK: &str = "/tmp/lab-prompt";

impl LabRuntime<'_> {
    /// Installs the plan's files as the site's prompts, or the shipped ones back.
    pub async fn prompt(&self, plan: &Plan) -> Result<Report, LabError> {
        let container = self.running_asterisk(&plan.site).await?;
        let installed = match &plan.action {
            Action::Reset => {
                let shipped: Vec<(Use, String)> = [Use::Hold, Use::PreAnswer]
                    .into_iter()
                    .map(|u| (u, format!("/etc/asterisk/{}", u.shipped())))
                    .collect();
                for (_, path) in &shipped {
                    // A config of the site's own (graded) may ship none.
                    if self.engine.exec(&container, &["test", "-f", path]).await?.code != 0 {
                        return Err(LabError::NoShippedPrompt { site: plan.site.clone(), path: path.clone() });
                    }
                }
                self.install(&container, &shipped).await?;
                Vec::new()
            }
            Action::Install(imports) => {
                self.sh(&container, &format!("rm -rf {WORK} && mkdir -p {WORK}")).await?;
                let done = self.convert_and_install(&container, imports).await;
                // Whatever happened, nothing stays behind.
                let cleaned = self.sh(&container, &format!("rm -rf {WORK}")).await;
                let installed = done?;
                cleaned?;
                installed
            }
        };
        Ok(Report { site: plan.site.clone(), installed })
    }

    /// Converts every file, then installs them all.
    async fn convert_and_install(&self, container: &str, imports: &[Import]) -> Result<Vec<Installed>, LabError> {
        let mut converted = Vec::new();
        for (n, import) in imports.iter().enumerate() {
            converted.push(self.convert(container, n, import).await?);
        }
        let each: Vec<(Use, String)> =
            converted.iter().flat_map(|(path, i)| i.uses.iter().map(move |u| (*u, path.clone()))).collect();
        self.install(container, &each).await?;
        Ok(converted.into_iter().map(|(_, i)| i).collect())
    }

    /// Converts one file in `container`: where the prompt is, and what it became.
    async fn convert(&self, container: &str, n: usize, import: &Import) -> Result<(String, Installed), LabError> {
        let file = &import.file;
        let shown = file.path.display().to_string();
        let input = format!("input-{n}.{}", file.format.sox_type());
        self.engine.put_file(container, WORK, &input, &file.bytes).await?;
        let input = format!("{WORK}/{input}");
        let (resampled, prompt) = (format!("{WORK}/resampled-{n}.wav"), format!("{WORK}/prompt-{n}.wav"));
        let before = self.measure(container, &shown, sox::stats(&input, Some(file.format))).await?;
        self.sox(container, &shown, sox::convert(&input, file.format, &resampled)).await?;
        let resampled_level = self.measure(container, &shown, sox::stats(&resampled, None)).await?;
        if resampled_level.is_silent() {
            return Err(LabError::SilentPrompt { file: shown, rms_db: resampled_level.rms_db });
        }
        self.sox(container, &shown, sox::level(&resampled, &prompt, &resampled_level)).await?;
        let after = self.measure(container, &shown, sox::stats(&prompt, None)).await?;
        let installed =
            Installed { path: file.path.clone(), format: file.format, uses: import.uses.clone(), before, after };
        Ok((prompt, installed))
    }

    /// Puts each file in place of its use's prompt, then has the music on
    /// hold read its folder again (the pre-answer message is read at each call).
    async fn install(&self, container: &str, each: &[(Use, String)]) -> Result<(), LabError> {
        let mut script = format!("mkdir -p {DIR}/hold");
        for (u, path) in each {
            script.push_str(&format!(" && {}", u.install_command(DIR, path)));
        }
        self.sh(container, &script).await?;
        if each.iter().any(|(u, _)| *u == Use::Hold)
            && asterisk_cli::command(&self.engine, container, "moh reload").await?.is_none()
        {
            return Err(LabError::NotRunning(container.to_string()));
        }
        Ok(())
    }

    /// Runs sox, whose refusal is the file's (a format it cannot decode after all).
    async fn sox(&self, container: &str, file: &str, cmd: Vec<String>) -> Result<String, LabError> {
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        let out = self.engine.exec(container, &args).await?;
        if out.code != 0 {
            let message = out.output.lines().find(|l| l.contains("FAIL")).unwrap_or(out.output.trim()).to_string();
            return Err(LabError::Convert { file: file.to_string(), message });
        }
        Ok(out.output)
    }

    async fn measure(&self, container: &str, file: &str, cmd: Vec<String>) -> Result<Level, LabError> {
        let out = self.sox(container, file, cmd).await?;
        sox::parse_stats(&out).ok_or_else(|| LabError::Convert {
            file: file.to_string(),
            message: format!("no stats in: {}", out.trim()),
        })
    }

    /// A shell line in the IPBX, which must succeed.
    async fn sh(&self, container: &str, script: &str) -> Result<(), LabError> {
        let out = self.engine.exec(container, &["sh", "-c", script]).await?;
        if out.code != 0 {
            return Err(LabError::Shell { container: container.to_string(), message: out.output.trim().to_string() });
        }
        Ok(())
    }
}
