//! `mailed`: a phone's e-mail box receives the voicemail another phone left,
//! its audio attached and holding that phone's tone.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{StepKeys, StepKind};
use crate::gen::mail::{address, domain, MAILDIRS};
use crate::runtime::docker::EngineError;
use crate::runtime::topology::{container_name, Kind};
use crate::scenario::audio;
use crate::scenario::ctx::Ctx;
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::result::{broken, fail, Failure};
use crate::scenario::rewrite::Rewrite;
use crate::wait;

const MAIL_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(250);

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


/// `{ mailed = "table3/patron2", from = "operator/TM1" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailed {
    pub phone: PhoneId,
    pub from: PhoneId,
}

impl StepKind for Mailed {
    const ACTIONS: &'static [&'static str] = &["mailed"];
    const KEYS: &'static [&'static str] = &["from"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let v = keys.text("mailed")?;
        let owner = keys.phone_of(&v, "mailed").filter(|p| {
            let site = keys.lab().site(&p.site).is_some();
            if !site {
                keys.error(v.span(), "mailed", "only site phones have a voicemail box and an address");
            }
            site
        });
        let from = keys.required_phone("from", "`mailed` needs `from`: who left the voicemail");
        Some(Mailed { phone: owner?, from: from? })
    }

    fn describe(&self) -> String {
        format!("{} gets {}'s voicemail by e-mail", self.phone, self.from)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into(), (&self.from).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Mailed { phone: r.phone(&self.phone), from: r.phone(&self.from) }
    }

    /// The owner of the box gets the message by e-mail, its WAV holding the caller's tone.
    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let (phone, from) = (&self.phone, &self.from);
        let lab = ctx.shared.lab;
        let site = lab.site(&phone.site).expect("checked site phone");
        let owner = site.phones.iter().find(|p| p.account == phone.account).expect("checked phone");
        let to = address(lab, site, owner);
        let expected = format!("{to} receives {from}'s voicemail with its audio attached");
        let maildir = format!("{MAILDIRS}/{}/{}", domain(lab, site), phone.account);
        let since = (SystemTime::now() - ctx.started.elapsed())
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64().floor())
            .to_string();
        let container = container_name(lab, &Kind::Mail);
        let (engine, container, maildir_ref, since) = (ctx.shared.engine, &container, &maildir, &since);
        let mail = wait::until(&expected, MAIL_TIMEOUT, POLL, move || async move {
            let out = engine.exec_bytes(container, &["python3", "-c", NEWEST_MAIL, maildir_ref, since]).await?;
            Ok::<_, EngineError>(if out.is_empty() { wait::Poll::Pending(String::new()) } else { wait::Poll::Ready(out) })
        })
        .await;
        let out = match mail {
            Ok(out) => out,
            Err(wait::Error::Failed(e)) => return Err(broken(expected, e.to_string())),
            Err(wait::Error::TimedOut { .. }) => {
                let waited = MAIL_TIMEOUT.as_secs();
                return Err(fail(expected, format!("no mail reached {maildir} within {waited} s")));
            }
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
        let (ok, heard) = audio::hears(&wav, ctx.tone(from), &[]);
        if ok {
            Ok(())
        } else {
            Err(fail(format!("the attached WAV holds {from}'s {} Hz tone", ctx.tone(from)), heard.to_string()))
        }
    }
}
