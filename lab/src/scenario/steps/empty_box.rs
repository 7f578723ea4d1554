//! `empty_box`: the check starts from an empty voicemail box.

use super::{StepKeys, StepKind};
use crate::gen::voicemail::{CONTEXT, SPOOL};
use crate::scenario::ctx::Ctx;
use crate::scenario::names::Resource;
use crate::scenario::result::Failure;
use crate::scenario::rewrite::Rewrite;

/// `{ empty_box = "table3/22" }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmptyBox {
    pub site: String,
    pub mailbox: String,
}

impl StepKind for EmptyBox {
    const ACTIONS: &'static [&'static str] = &["empty_box"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let v = keys.text("empty_box")?;
        let (site, mailbox) = keys.mailbox_of(&v, "box")?;
        Some(EmptyBox { site, mailbox })
    }

    fn describe(&self) -> String {
        format!("{}'s box {} starts empty", self.site, self.mailbox)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![Resource::Mailbox { site: self.site.clone(), mailbox: self.mailbox.clone() }]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        EmptyBox { site: r.site(&self.site), mailbox: r.mailbox(&self.site, &self.mailbox) }
    }

    /// Deletes the box's messages; Asterisk notices within its poll period
    /// and updates the message-waiting indicator.
    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let dir = format!("{SPOOL}/{CONTEXT}/{}", self.mailbox);
        ctx.sh(&ctx.ipbx(&self.site), &format!("rm -f {dir}/INBOX/* {dir}/Old/* {dir}/tmp/*")).await?;
        Ok(())
    }
}
