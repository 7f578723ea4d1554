//! `speaks`: a phone talks into its answered call for a while. Every phone
//! sends its own tone, so whatever records the call (560, a voicemail box)
//! records that many seconds of it.

use std::time::Duration;

use super::{StepKeys, StepKind};
use crate::scenario::ctx::{Ctx, ANSWER_TIMEOUT};
use crate::scenario::names::{PhoneId, Resource};
use crate::scenario::phones::EventKind;
use crate::scenario::result::{fail, Failure};
use crate::scenario::rewrite::Rewrite;

/// Long enough for any prompt a check records; a longer one would only slow checks.
const MAX_SECONDS: i64 = 30;

/// `{ speaks = "table2/patron5", seconds = 3 }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Speaks {
    pub phone: PhoneId,
    pub seconds: u32,
}

impl StepKind for Speaks {
    const ACTIONS: &'static [&'static str] = &["speaks"];
    const KEYS: &'static [&'static str] = &["seconds"];

    fn parse(keys: &mut StepKeys<'_, '_>) -> Option<Self> {
        let phone = keys.phone("speaks");
        keys.present("seconds", "`speaks` needs `seconds`: how long the phone talks");
        let seconds = keys.integer("seconds").and_then(|v| match u32::try_from(*v.get_ref()) {
            Ok(n) if (1..=MAX_SECONDS).contains(&i64::from(n)) => Some(n),
            _ => {
                keys.error(v.span(), "seconds", format!("{} s is not between 1 and {MAX_SECONDS}", v.get_ref()));
                None
            }
        });
        Some(Speaks { phone: phone?, seconds: seconds? })
    }

    fn describe(&self) -> String {
        format!("{} speaks for {} s", self.phone, self.seconds)
    }

    fn resources(&self) -> Vec<Resource> {
        vec![(&self.phone).into()]
    }

    fn rewrite(&self, r: &Rewrite<'_>) -> Self {
        Speaks { phone: r.phone(&self.phone), seconds: self.seconds }
    }

    async fn run(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), Failure> {
        let phone = &self.phone;
        if !ctx.established.contains(phone)
            && ctx.wait(ANSWER_TIMEOUT, |e| Ctx::is(e, phone, EventKind::CallEstablished)).await.is_none()
        {
            return Err(fail(format!("{phone} speaks into an answered call"), "its call was not answered"));
        }
        ctx.established.insert(phone.clone());
        // Its tone flows the whole time: talking is letting time pass.
        tokio::time::sleep(Duration::from_secs(u64::from(self.seconds))).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Lab;

    fn errors(steps: &str) -> String {
        let text = format!("title = \"t\"\n[[flow]]\nsays = \"s\"\nsteps = [\n{steps}\n]\n");
        match crate::scenario::parse("t.toml", "t", &text, &Lab::sae()) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn seconds_are_required_and_bounded() {
        assert_eq!(errors("{ speaks = \"table2/patron5\", seconds = 3 }"), "");
        assert!(errors("{ speaks = \"table2/patron5\" }").contains("`speaks` needs `seconds`"));
        assert!(errors("{ speaks = \"table2/patron5\", seconds = 0 }").contains("0 s is not between 1 and 30"));
        assert!(errors("{ speaks = \"table2/patron5\", seconds = 31 }").contains("31 s is not between"));
    }
}
