//! Voicemail checks: a message left is stored with the caller's voice; a box
//! is emptied before a check that counts on it.

use std::time::{Duration, Instant};

use super::audio;
use super::check::{fail, Ctx};
use super::runner::Failure;
use super::PhoneId;
use crate::gen::voicemail::{CONTEXT, SPOOL};
use crate::runtime::topology::{container_name, Kind};

/// Recorded audio the box must hold before the caller hangs up: 3 s at 16 kB/s.
const MESSAGE_BYTES: u64 = 48_000;
/// The greeting plays first: a few seconds of prompts.
const RECORDING_TIMEOUT: Duration = Duration::from_secs(20);
const STORED_TIMEOUT: Duration = Duration::from_secs(5);

impl Ctx<'_, '_> {
    fn ipbx(&self, site: &str) -> String {
        container_name(self.shared.lab, &Kind::Ipbx { site: site.to_string() })
    }

    async fn sh(&self, container: &str, script: &str) -> Result<String, Failure> {
        self.shared
            .engine
            .exec(container, &["sh", "-c", script])
            .await
            .map(|o| o.output)
            .map_err(|e| fail(format!("`{script}` runs in {container}"), e.to_string()))
    }

    /// Deletes the box's messages; Asterisk notices within its poll period and
    /// updates the message-waiting indicator.
    pub(super) async fn empty_box(&mut self, site: &str, mailbox: &str) -> Result<(), Failure> {
        let dir = format!("{SPOOL}/{CONTEXT}/{mailbox}");
        self.sh(&self.ipbx(site), &format!("rm -f {dir}/INBOX/* {dir}/Old/* {dir}/tmp/*")).await?;
        Ok(())
    }

    pub(super) async fn leaves_message(&mut self, phone: &PhoneId, site: &str, mailbox: &str) -> Result<(), Failure> {
        let expected = format!("{phone} leaves a message in {site}'s box {mailbox}");
        if self.wait(self.voicemail_timeout(), |e| Self::is(e, phone, "CALL_ESTABLISHED")).await.is_none() {
            return Err(fail(expected, "voicemail did not answer the call"));
        }
        let ipbx = self.ipbx(site);
        let dir = format!("{SPOOL}/{CONTEXT}/{mailbox}");
        // Recording has begun once the box's temporary file grows past the greeting.
        let growing = format!("find {dir}/tmp -name '*.wav' -size +{}c 2>/dev/null", MESSAGE_BYTES);
        let deadline = Instant::now() + RECORDING_TIMEOUT;
        while self.sh(&ipbx, &growing).await?.trim().is_empty() {
            if Instant::now() > deadline {
                return Err(fail(
                    expected,
                    format!("nothing was recorded into {dir}/tmp within {} s", RECORDING_TIMEOUT.as_secs()),
                ));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let id = self.calls.get(phone).cloned().unwrap_or_default();
        self.command(phone, "hangup", &id).await?;
        self.calls.remove(phone);
        let newest = format!("ls -t {dir}/INBOX/*.wav 2>/dev/null | head -1");
        let deadline = Instant::now() + STORED_TIMEOUT;
        let path = loop {
            let path = self.sh(&ipbx, &newest).await?.trim().to_string();
            if !path.is_empty() {
                break path;
            }
            if Instant::now() > deadline {
                return Err(fail(expected, format!("no message was stored in {dir}/INBOX")));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        let bytes = self
            .shared
            .engine
            .exec_bytes(&ipbx, &["cat", &path])
            .await
            .map_err(|e| fail(expected.clone(), e.to_string()))?;
        let wav = audio::parse_wav(&bytes).map_err(|e| fail(expected.clone(), format!("{path}: {e}")))?;
        let (ok, heard) = audio::hears(&wav, self.tone(phone), &[]);
        if ok {
            Ok(())
        } else {
            Err(fail(format!("{path} holds {phone}'s {} Hz tone", self.tone(phone)), heard.to_string()))
        }
    }
}
