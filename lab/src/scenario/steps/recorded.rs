//! `recorded`: the IPBX of the first phone's site recorded the call of the
//! two phones (one-touch recording), both voices in the file.

use super::{StepKeys, StepKind};
use crate::scenario::audio;
use crate::scenario::ctx::Ctx;
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::result::{fail, Failure};
use crate::scenario::rewrite::Rewrite;

/// Where MixMonitor (one-touch recording) writes.
const MONITOR_DIR: &str = "/var/spool/asterisk/monitor";

/// `{ recorded = ["table1/patron1", "table1/secretaire1"] }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub a: PhoneId,
    pub b: PhoneId,
}

impl StepKind for Recorded {
    const ACTIONS: &'static [&'static str] = &["recorded"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let (a, b) = keys.two_phones("recorded", "`recorded` names the two phones of the call")?;
        Some(Recorded { a, b })
    }

    fn describe(&self) -> String {
        format!("the call of {} and {} is recorded, both voices", self.a, self.b)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.a).into(), (&self.b).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Recorded { a: r.phone(&self.a), b: r.phone(&self.b) }
    }

    /// The newest recording of `a`'s IPBX holds both parties' tones.
    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let (a, b) = (&self.a, &self.b);
        let container = ctx.ipbx(&a.site);
        let expected = format!("{}'s IPBX recorded the call of {a} and {b}", a.site);
        let since = ctx.started.elapsed().as_secs() + 1;
        // Recordings of this check: modified within its lifetime.
        let list = format!(
            "find {MONITOR_DIR} -name '*.wav' -mmin -{} -printf '%T@ %p\\n' | sort -n | tail -1",
            since / 60 + 1
        );
        let engine = ctx.shared.engine;
        let out =
            engine.exec(&container, &["sh", "-c", &list]).await.map_err(|e| fail(expected.clone(), e.to_string()))?.output;
        let Some(path) = out.split_whitespace().nth(1) else {
            return Err(fail(expected, format!("no recording in {MONITOR_DIR}")));
        };
        let bytes =
            engine.exec_bytes(&container, &["cat", path]).await.map_err(|e| fail(expected.clone(), e.to_string()))?;
        let wav = audio::parse_wav(&bytes).map_err(|e| fail(expected.clone(), format!("{path}: {e}")))?;
        for (who, hz) in [(a, ctx.tone(a)), (b, ctx.tone(b))] {
            let (ok, heard) = audio::holds(&wav, hz);
            if !ok {
                return Err(fail(format!("{path} holds {who}'s {hz} Hz tone"), heard));
            }
        }
        Ok(())
    }
}
