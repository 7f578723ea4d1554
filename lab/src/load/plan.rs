//! Who calls whom under load, from the lab alone: each site's first phone
//! places the site's calls, to the next site's other phones (the last site
//! calls the first), so every call crosses two IPBXs, two trunks and the
//! operator. A phone takes one call at a time (the dialplan sends a busy
//! phone's callers to its voicemail), so the callees bound the load.

use super::LoadError;
use crate::model::{Lab, Phone, Site};

/// The load's accounts, site by site.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    pub sites: Vec<SiteLoad<'a>>,
    /// The most calls at once these accounts can hold.
    pub capacity: usize,
}

#[derive(Debug, Clone)]
pub struct SiteLoad<'a> {
    pub site: &'a Site,
    /// Places every call of this site.
    pub caller: &'a Phone,
    /// Answer the calls the previous site places here, one each.
    pub callees: Vec<&'a Phone>,
    /// Index (in [`Plan::sites`]) of the site this one calls.
    pub calls: usize,
}

impl<'a> Plan<'a> {
    /// The accounts for up to `max` calls at once (as many as the lab's
    /// phones allow when `None`). Phones already left to an outside
    /// softphone are not taken.
    pub fn new(lab: &'a Lab, max: Option<usize>) -> Result<Plan<'a>, LoadError> {
        let n = lab.sites.len();
        if n < 2 {
            return Err(LoadError::OneSite(lab.name.clone()));
        }
        let free = |site: &'a Site| site.phones.iter().filter(|p| !p.softphone).collect::<Vec<&'a Phone>>();
        let per_site = lab.sites.iter().map(|s| free(s).len().saturating_sub(1)).min().unwrap_or(0);
        if per_site == 0 {
            let site = lab.sites.iter().find(|s| free(s).len() < 2).map_or(String::new(), |s| s.name.clone());
            return Err(LoadError::NoCallee(site));
        }
        let capacity = n * per_site;
        let ceiling = max.map_or(capacity, |m| m.min(capacity));
        let needed = ceiling.div_ceil(n).max(1);
        let sites = lab
            .sites
            .iter()
            .enumerate()
            .map(|(i, site)| {
                let phones = free(site);
                SiteLoad { site, caller: phones[0], callees: phones[1..=needed].to_vec(), calls: (i + 1) % n }
            })
            .collect();
        Ok(Plan { sites, capacity: ceiling })
    }

    /// The ramp: `first`, `first + step`, … up to the capacity, each a
    /// multiple of the number of sites (every site places as many calls).
    pub fn steps(&self, first: usize, step: usize) -> Vec<usize> {
        let n = self.sites.len();
        let round = |calls: usize| calls / n * n;
        let mut steps = Vec::new();
        let mut calls = first.max(n);
        while round(calls) <= self.capacity {
            if steps.last() != Some(&round(calls)) {
                steps.push(round(calls));
            }
            calls += step.max(1);
        }
        if steps.last().is_some_and(|&l| l < self.capacity) && round(self.capacity) > 0 {
            steps.push(round(self.capacity));
        }
        steps.dedup();
        steps
    }

    /// `site/account` of every phone the load takes from the lab's softphones.
    pub fn accounts(&self) -> Vec<String> {
        self.sites
            .iter()
            .flat_map(|s| {
                std::iter::once(s.caller)
                    .chain(s.callees.iter().copied())
                    .map(|p| format!("{}/{}", s.site.name, p.account))
            })
            .collect()
    }

    /// What site `i`'s caller dials, one number per call: the callees of the
    /// site it calls, by their inter-site numbers (`*213`).
    pub fn targets(&self, lab: &Lab, i: usize) -> Vec<String> {
        let callee_site = &self.sites[self.sites[i].calls];
        callee_site.callees.iter().map(|p| callee_site.site.intersite_number(&lab.numbering, &p.number)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_site_calls_the_next_one_from_its_first_phone() {
        let lab = Lab::sae();
        let plan = Plan::new(&lab, None).unwrap();
        assert_eq!(plan.capacity, 4 * 23, "one caller per site, the other 23 phones answer");
        let first = &plan.sites[0];
        assert_eq!((first.site.name.as_str(), first.caller.account.as_str(), first.calls), ("table1", "patron1", 1));
        assert_eq!(plan.sites[3].calls, 0, "the last site calls the first");
        let targets = plan.targets(&lab, 0);
        assert_eq!(targets.len(), 23);
        assert_eq!(targets[..2], ["*212".to_string(), "*213".into()], "table2's phones but its caller");
        assert_eq!(plan.accounts().len(), 4 * 24);
    }

    #[test]
    fn a_ceiling_takes_only_the_callees_it_needs() {
        let lab = Lab::sae();
        let plan = Plan::new(&lab, Some(40)).unwrap();
        assert_eq!(plan.capacity, 40);
        assert!(plan.sites.iter().all(|s| s.callees.len() == 10));
        assert_eq!(plan.steps(8, 8), [8, 16, 24, 32, 40]);
        assert_eq!(plan.steps(10, 15), [8, 24, 40], "multiples of the four sites");
    }

    #[test]
    fn the_ramp_ends_on_the_capacity() {
        let lab = Lab::sae();
        let plan = Plan::new(&lab, None).unwrap();
        assert_eq!(plan.steps(40, 40), [40, 80, 92]);
    }

    #[test]
    fn phones_left_to_outside_softphones_are_not_taken() {
        let mut lab = Lab::sae();
        lab.set_outside(None, &["table1/patron1".into()]).unwrap();
        let plan = Plan::new(&lab, None).unwrap();
        assert_eq!(plan.sites[0].caller.account, "assistant1");
        assert_eq!(plan.capacity, 4 * 22);
    }

    #[test]
    fn the_shipped_load_lab_holds_well_over_two_hundred_calls() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/labs/calls.toml");
        let lab = Lab::load(std::path::Path::new(path)).unwrap();
        assert_eq!(lab.phone_count(), 4 * 72);
        let plan = Plan::new(&lab, None).unwrap();
        assert_eq!(plan.capacity, 4 * 71);
        assert_eq!(plan.steps(40, 40), [40, 80, 120, 160, 200, 240, 280, 284]);
    }

    #[test]
    fn one_site_has_no_inter_site_call() {
        let lab = Lab::parse("one.toml", "name = \"one\"\n[[sites]]\nindex = 1\n").unwrap();
        assert!(matches!(Plan::new(&lab, None), Err(LoadError::OneSite(_))));
    }
}
