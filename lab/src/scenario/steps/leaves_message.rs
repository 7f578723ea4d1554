//! `leaves_message`: a phone, answered by voicemail, leaves a message in a
//! box; the stored message holds its tone.

use std::time::Duration;

use super::{StepKeys, StepKind};
use crate::gen::voicemail::{CONTEXT, SPOOL};
use crate::scenario::audio;
use crate::scenario::ctx::Ctx;
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::phones::EventKind;
use crate::scenario::result::{broken, fail, Failure};
use crate::scenario::rewrite::Rewrite;
use crate::wait;

/// Recorded audio the box must hold before the caller hangs up: 3 s at 16 kB/s.
const MESSAGE_BYTES: u64 = 48_000;
/// The greeting plays first: a few seconds of prompts.
const RECORDING_TIMEOUT: Duration = Duration::from_secs(20);
const STORED_TIMEOUT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(250);

/// `{ leaves_message = "operator/TM1", box = "table3/22" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeavesMessage {
    pub phone: PhoneId,
    pub site: String,
    pub mailbox: String,
}

impl StepKind for LeavesMessage {
    const ACTIONS: &'static [&'static str] = &["leaves_message"];
    const KEYS: &'static [&'static str] = &["box"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let mailbox = keys.required("box", "`leaves_message` needs `box`: site/box, e.g. table3/22");
        let phone = keys.phone("leaves_message");
        let (site, mailbox) = keys.mailbox_of(&mailbox?, "box")?;
        Some(LeavesMessage { phone: phone?, site, mailbox })
    }

    fn describe(&self) -> String {
        format!("{} leaves a message in {}'s box {}", self.phone, self.site, self.mailbox)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into(), Resource::Mailbox { site: self.site.clone(), mailbox: self.mailbox.clone() }]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        LeavesMessage {
            phone: r.phone(&self.phone),
            site: r.site(&self.site),
            mailbox: r.mailbox(&self.site, &self.mailbox),
        }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let (phone, site, mailbox) = (&self.phone, &self.site, &self.mailbox);
        let expected = format!("{phone} leaves a message in {site}'s box {mailbox}");
        if ctx.wait(ctx.voicemail_timeout(), |e| Ctx::is(e, phone, EventKind::CallEstablished)).await.is_none() {
            return Err(fail(expected, "voicemail did not answer the call"));
        }
        let ipbx = ctx.ipbx(site);
        let dir = format!("{SPOOL}/{CONTEXT}/{mailbox}");
        // Recording has begun once the box's temporary file grows past the greeting.
        let growing = format!("find {dir}/tmp -name '*.wav' -size +{MESSAGE_BYTES}c 2>/dev/null");
        let found = {
            let (ctx, ipbx, growing) = (&*ctx, &ipbx, &growing);
            wait::until(&expected, RECORDING_TIMEOUT, POLL, move || async move {
                let out = ctx.sh(ipbx, growing).await?;
                Ok(if out.trim().is_empty() { wait::Poll::Pending(String::new()) } else { wait::Poll::Ready(()) })
            })
            .await
        };
        match found {
            Ok(()) => {}
            Err(wait::Error::Failed(f)) => return Err(f),
            Err(wait::Error::TimedOut { .. }) => {
                let waited = RECORDING_TIMEOUT.as_secs();
                return Err(fail(expected, format!("nothing was recorded into {dir}/tmp within {waited} s")));
            }
        }
        let id = ctx.calls.get(phone).cloned().unwrap_or_default();
        ctx.command(phone, "hangup", &id).await?;
        ctx.calls.remove(phone);
        let newest = format!("ls -t {dir}/INBOX/*.wav 2>/dev/null | head -1");
        let stored = {
            let (ctx, ipbx, newest) = (&*ctx, &ipbx, &newest);
            wait::until(&expected, STORED_TIMEOUT, POLL, move || async move {
                let path = ctx.sh(ipbx, newest).await?.trim().to_string();
                Ok(if path.is_empty() { wait::Poll::Pending(String::new()) } else { wait::Poll::Ready(path) })
            })
            .await
        };
        let path = match stored {
            Ok(path) => path,
            Err(wait::Error::Failed(f)) => return Err(f),
            Err(wait::Error::TimedOut { .. }) => {
                return Err(fail(expected, format!("no message was stored in {dir}/INBOX")));
            }
        };
        let bytes = ctx
            .shared
            .engine
            .exec_bytes(&ipbx, &["cat", &path])
            .await
            .map_err(|e| broken(expected.clone(), e.to_string()))?;
        let wav = audio::parse_wav(&bytes).map_err(|e| fail(expected.clone(), format!("{path}: {e}")))?;
        let (ok, heard) = audio::hears(&wav, ctx.tone(phone), &[]);
        if ok {
            Ok(())
        } else {
            Err(fail(format!("{path} holds {phone}'s {} Hz tone", ctx.tone(phone)), heard.to_string()))
        }
    }
}
