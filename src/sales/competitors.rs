//! A competitor's record (竞争对手信息表) as far as the customer pages tell it: where we meet
//! it, at which stage, and the deals won and lost against it. The competitor's page and the
//! competitor matrix both show this one record.

use crate::config::{Outcome, SiteConfig};
use crate::site::{DocId, Site};

use super::deal::{deal_value, larger_first, outcome};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompetitorRecord {
    /// Customers where we meet the competitor, per funnel stage (the config's order).
    pub by_stage: Vec<usize>,
    pub won: usize,
    pub lost: usize,
    /// Open deals (at a stage whose outcome is open) and their value.
    pub open: usize,
    pub open_value: f64,
    /// Each customer where we meet it with its deal's outcome (`None`: the customer has no
    /// stage, so it is in none of the counts above), largest deal first.
    pub meetings: Vec<(DocId, Option<Outcome>)>,
}

impl CompetitorRecord {
    /// Won ÷ (won + lost), when any deal against it has closed.
    pub fn win_rate(&self) -> Option<f64> {
        (self.won + self.lost > 0).then(|| self.won as f64 / (self.won + self.lost) as f64)
    }
}

/// The record of a competitor met at the customers `met_by` (from the link graph).
pub fn competitor_record(site: &Site, config: &SiteConfig, met_by: &[DocId]) -> CompetitorRecord {
    let mut r = CompetitorRecord {
        by_stage: vec![0; config.stages.len()],
        ..CompetitorRecord::default()
    };
    let mut meetings = Vec::with_capacity(met_by.len());
    for &id in met_by {
        let Some(c) = site.doc(id).fm.customer.as_deref() else {
            continue;
        };
        let result = outcome(c, config);
        if let Some(s) = c.stage {
            r.by_stage[s.0] += 1;
        }
        match result {
            Some(Outcome::Won) => r.won += 1,
            Some(Outcome::Lost) => r.lost += 1,
            Some(Outcome::Open) => {
                r.open += 1;
                r.open_value += deal_value(c);
            }
            None => {}
        }
        meetings.push((deal_value(c), id, result));
    }
    // Stable: equal values keep the order the pages were read in.
    meetings.sort_by(|a, b| larger_first(a.0, b.0));
    r.meetings = meetings.into_iter().map(|(_, id, o)| (id, o)).collect();
    r
}
