//! Pointing the lab's checks at the site being graded.
//!
//! Scenario files spread their checks over the four sites (voicemail on
//! table3 and table4, recording on table1, …). To grade one site on every
//! function, a check that does not involve it is moved there: its home site
//! (the first one it names) and the graded site trade places, in phone names
//! and in the numbers dialled (`*2…` ↔ `*3…`, `0320000 2…` ↔ `0320000 3…`;
//! `*02…` ↔ `*13…` where site numbers have two digits).

use super::rewrite::{each_check, phones_exist, same_steps};
use crate::model::{Lab, Numbering};
use crate::scenario::steps::{Answer, Dial, EmptyBox, Rings, SendMessage, Watch};
use crate::scenario::{Check, PhoneId, Rewrite, Scenario, Step};

/// The checks of `scenarios` that exercise `site`: those naming it as they
/// are, then the others moved onto it; duplicates are dropped, as are checks
/// naming a phone the graded site does not have.
pub fn checks_for_site(lab: &Lab, scenarios: &[Scenario], site: &str) -> Vec<Scenario> {
    each_check(scenarios.to_vec(), |check, kept| {
        let moved = match home_site(lab, check) {
            Some(home) if !names_site(check, site) => swap_sites(lab, check, &home, site)?,
            _ => check.clone(),
        };
        (phones_exist(lab, &moved) && !kept.iter().any(|c| same_steps(c, &moved))).then_some(moved)
    })
}

fn names_site(check: &Check, site: &str) -> bool {
    check.resources().iter().any(|r| r.site() == site)
}

/// The site of the first site phone a check acts as (the caller, usually;
/// the operator's test phones belong to no site).
fn home_site(lab: &Lab, check: &Check) -> Option<String> {
    let acting = check.steps.iter().flat_map(|s| match &s.step {
        Step::Dial(Dial { from, .. }) => vec![from.site.clone()],
        Step::Watch(Watch { phone, .. }) | Step::SendMessage(SendMessage { phone, .. }) => vec![phone.site.clone()],
        Step::EmptyBox(EmptyBox { site, .. }) => vec![site.clone()],
        Step::Rings(Rings { phone, .. }) | Step::Answer(Answer { phone }) => vec![phone.site.clone()],
        _ => vec![],
    });
    let dialled = check.steps.iter().filter_map(|s| match &s.step {
        Step::Dial(Dial { number, .. }) => site_of_number(lab, number),
        _ => None,
    });
    acting
        .chain(check.resources().iter().map(|r| r.site().to_string()))
        .filter(|s| s != crate::gen::OPERATOR)
        .chain(dialled)
        .next()
}

/// The site a public or inter-site number leads to.
fn site_of_number(lab: &Lab, number: &str) -> Option<String> {
    let (_, index, _) = site_number(&lab.numbering, number)?;
    lab.sites.iter().find(|s| s.index == index).map(|s| s.name.clone())
}

/// Where the numbering plan puts a site number, after the inter-site or
/// public prefix: the prefix, the site index, and what follows.
fn site_number<'a>(numbering: &'a Numbering, number: &'a str) -> Option<(&'a str, u8, &'a str)> {
    [&numbering.intersite_prefix, &numbering.public_prefix].into_iter().find_map(|prefix| {
        let rest = number.strip_prefix(prefix.as_str())?;
        let (index, rest) = numbering.split_site(rest)?;
        Some((prefix.as_str(), index, rest))
    })
}

/// `check` with sites `a` and `b` trading places; `None` if either is unknown.
pub fn swap_sites(lab: &Lab, check: &Check, a: &str, b: &str) -> Option<Check> {
    let (ia, ib) = (lab.site(a)?.index, lab.site(b)?.index);
    let site = |s: &String| -> String {
        if s == a {
            b.to_string()
        } else if s == b {
            a.to_string()
        } else {
            s.clone()
        }
    };
    let phone = |p: &PhoneId| PhoneId { site: site(&p.site), account: p.account.clone() };
    let number = |n: &String| swap_number(&lab.numbering, n, ia, ib);
    // A box is named by its extension, which moving leaves as it is.
    let keep = |_: &String, m: &String| m.clone();
    let dialled = |_: &PhoneId, n: &String| number(n);
    let text = |s: &str| swap_words(s, a, b, &number);
    let keys = |_: &PhoneId, k: &String| k.clone();
    Some(check.rewrite(&Rewrite {
        phone: &phone,
        site: &site,
        number: &dialled,
        mailbox: &keep,
        text: &text,
        keys: &keys,
    }))
}

/// A number as dialled, with sites `a` and `b` exchanged where the
/// numbering plan puts a site number: after the inter-site or public prefix.
fn swap_number(numbering: &Numbering, number: &str, a: u8, b: u8) -> String {
    let site = |index| numbering.site_number(index);
    match site_number(numbering, number) {
        Some((prefix, d, rest)) if d == a => format!("{prefix}{}{rest}", site(b)),
        Some((prefix, d, rest)) if d == b => format!("{prefix}{}{rest}", site(a)),
        _ => number.to_string(),
    }
}

/// `text` with the site names `a` and `b` exchanged, and the numbers that
/// lead to them (whole words only).
fn swap_words(text: &str, a: &str, b: &str, number: &dyn Fn(&String) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let swapped = if word == a {
            b.to_string()
        } else if word == b {
            a.to_string()
        } else {
            number(word)
        };
        out.push_str(&swapped);
        word.clear();
    };
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() || matches!(ch, '-' | '*' | '#') {
            word.push(ch);
        } else {
            flush(&mut word, &mut out);
            out.push(ch);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::steps::LeavesMessage;
    use crate::scenario::StepLine;

    fn phone(site: &str, account: &str) -> PhoneId {
        PhoneId { site: site.into(), account: account.into() }
    }

    fn line(step: impl Into<Step>) -> StepLine {
        StepLine { step: step.into(), says: String::new() }
    }

    #[test]
    fn numbers_change_site_only_after_a_site_prefix() {
        let n = Lab::sae().numbering;
        assert_eq!(swap_number(&n, "*313", 3, 2), "*213");
        assert_eq!(swap_number(&n, "0320000213", 3, 2), "0320000313");
        assert_eq!(swap_number(&n, "0320000100", 3, 2), "0320000100", "another site's number stays");
        assert_eq!(swap_number(&n, "888", 3, 2), "888");
        assert_eq!(swap_number(&n, "0212345678", 3, 2), "0212345678");
    }

    #[test]
    fn two_digit_site_numbers_are_swapped_whole() {
        let sites: String = (1..=16).map(|i| format!("[[sites]]\nindex = {i}\n")).collect();
        let n = Lab::parse("sixteen.toml", &format!("name = \"sixteen\"\n{sites}")).expect("valid").numbering;
        assert_eq!(swap_number(&n, "*0213", 2, 13), "*1313");
        assert_eq!(swap_number(&n, "*1313", 2, 13), "*0213");
        assert_eq!(swap_number(&n, "0320001311", 13, 2), "0320000211");
        assert_eq!(swap_number(&n, "*1013", 2, 13), "*1013", "another site's number stays");
        assert_eq!(swap_number(&n, "0212345678", 2, 13), "0212345678");
    }

    #[test]
    fn a_check_elsewhere_moves_onto_the_graded_site() {
        let lab = Lab::sae();
        let check = Check {
            says: "table3/patron1 leaves a message to table4/secretaire2 (*423, 0320000311)".into(),
            says_fr: None,
            steps: vec![
                line(Dial { from: phone("table3", "patron1"), number: "*423".into() }),
                line(LeavesMessage { phone: phone("table3", "patron1"), site: "table4".into(), mailbox: "23".into() }),
            ],
            place: "scenarios/voicemail.toml:3".into(),
        };
        let scenario =
            Scenario { name: "voicemail".into(), title: "Voicemail".into(), part: None, checks: vec![check] };
        let moved = checks_for_site(&lab, &[scenario], "table2");
        let check = &moved[0].checks[0];
        assert_eq!(check.says, "table2/patron1 leaves a message to table4/secretaire2 (*423, 0320000211)");
        assert_eq!(check.steps[0].step, Step::Dial(Dial { from: phone("table2", "patron1"), number: "*423".into() }));
        assert!(matches!(&check.steps[1].step, Step::LeavesMessage(LeavesMessage { site, .. }) if site == "table4"));
    }

    #[test]
    fn checks_already_on_the_site_stay_and_duplicates_go() {
        let lab = Lab::sae();
        let call = |site: &str| Check {
            says: format!("{site} internal"),
            says_fr: None,
            steps: vec![line(Dial { from: phone(site, "patron1"), number: "13".into() })],
            place: String::new(),
        };
        let scenario = Scenario {
            name: "internal".into(),
            title: String::new(),
            part: None,
            checks: vec![call("table1"), call("table2"), call("table3")],
        };
        let moved = checks_for_site(&lab, &[scenario], "table2");
        assert_eq!(moved[0].checks.len(), 1, "three copies of one call on table2 are one check");
        assert_eq!(moved[0].checks[0].says, "table2 internal");
    }
}
