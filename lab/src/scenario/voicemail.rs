//! Voicemail checks: a message left is stored with the caller's voice; a box
//! is emptied before a check that counts on it.

use std::time::{Duration, Instant};

use super::audio;
use super::check::{broken, fail, Ctx};
use super::runner::Failure;
use super::PhoneId;
use crate::gen::mail::{address, domain, MAILDIRS};
use crate::gen::voicemail::{CONTEXT, SPOOL};
use crate::runtime::topology::{container_name, Kind};

/// Recorded audio the box must hold before the caller hangs up: 3 s at 16 kB/s.
const MESSAGE_BYTES: u64 = 48_000;
/// The greeting plays first: a few seconds of prompts.
const RECORDING_TIMEOUT: Duration = Duration::from_secs(20);
const STORED_TIMEOUT: Duration = Duration::from_secs(5);
const MAIL_TIMEOUT: Duration = Duration::from_secs(10);

/// Prints the To header and the audio attachment of the newest mail of a
/// Maildir received since a time; prints nothing while there is none.
const NEWEST_MAIL: &str = r#"
import email, email.policy, glob, os, sys
maildir, since = sys.argv[1], float(sys.argv[2])
mails = [f for f in glob.glob(maildir + "/new/*") + glob.glob(maildir + "/cur/*") if os.path.getmtime(f) >= since]
if mails:
    m = email.message_from_binary_file(open(max(mails, key=os.path.getmtime), "rb"), policy=email.policy.default)
    audio = [p for p in m.iter_attachments() if p.get_content_maintype() == "audio"]
    sys.stdout.buffer.write(str(m["To"]).encode() + b"\n" + (audio[0].get_payload(decode=True) if audio else b""))
"#;

impl Ctx<'_, '_> {
    async fn sh(&self, container: &str, script: &str) -> Result<String, Failure> {
        self.shared
            .engine
            .exec(container, &["sh", "-c", script])
            .await
            .map(|o| o.output)
            .map_err(|e| broken(format!("`{script}` runs in {container}"), e.to_string()))
    }

    /// Deletes the box's messages; Asterisk notices within its poll period and
    /// updates the message-waiting indicator.
    pub(super) async fn empty_box(&mut self, site: &str, mailbox: &str) -> Result<(), Failure> {
        let dir = format!("{SPOOL}/{CONTEXT}/{mailbox}");
        self.sh(&self.ipbx(site), &format!("rm -f {dir}/INBOX/* {dir}/Old/* {dir}/tmp/*")).await?;
        Ok(())
    }

    /// The owner of the box gets the message by e-mail, its WAV holding the caller's tone.
    pub(super) async fn mailed(&mut self, phone: &PhoneId, from: &PhoneId) -> Result<(), Failure> {
        let lab = self.shared.lab;
        let site = lab.site(&phone.site).expect("checked site phone");
        let owner = site.phones.iter().find(|p| p.account == phone.account).expect("checked phone");
        let to = address(lab, site, owner);
        let expected = format!("{to} receives {from}'s voicemail with its audio attached");
        let maildir = format!("{MAILDIRS}/{}/{}", domain(lab, site), phone.account);
        let since = (std::time::SystemTime::now() - self.started.elapsed())
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64().floor());
        let container = container_name(lab, &Kind::Mail);
        let deadline = Instant::now() + MAIL_TIMEOUT;
        let out = loop {
            let out = self
                .shared
                .engine
                .exec_bytes(&container, &["python3", "-c", NEWEST_MAIL, &maildir, &since.to_string()])
                .await
                .map_err(|e| broken(expected.clone(), e.to_string()))?;
            if !out.is_empty() {
                break out;
            }
            if Instant::now() > deadline {
                return Err(fail(expected, format!("no mail reached {maildir} within {} s", MAIL_TIMEOUT.as_secs())));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        let split = out.iter().position(|&b| b == b'\n').unwrap_or(out.len());
        let header = String::from_utf8_lossy(&out[..split]).to_string();
        if !header.contains(&to) {
            return Err(fail(expected, format!("the mail was addressed To: {header}")));
        }
        let attachment = out.get(split + 1..).unwrap_or_default();
        if attachment.is_empty() {
            return Err(fail(expected, "the mail has no audio attachment"));
        }
        let wav = audio::parse_wav(attachment).map_err(|e| fail(expected.clone(), format!("the attachment: {e}")))?;
        let (ok, heard) = audio::hears(&wav, self.tone(from), &[]);
        if ok {
            Ok(())
        } else {
            Err(fail(format!("the attached WAV holds {from}'s {} Hz tone", self.tone(from)), heard.to_string()))
        }
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
            .map_err(|e| broken(expected.clone(), e.to_string()))?;
        let wav = audio::parse_wav(&bytes).map_err(|e| fail(expected.clone(), format!("{path}: {e}")))?;
        let (ok, heard) = audio::hears(&wav, self.tone(phone), &[]);
        if ok {
            Ok(())
        } else {
            Err(fail(format!("{path} holds {phone}'s {} Hz tone", self.tone(phone)), heard.to_string()))
        }
    }
}
