//! Forecast by period (按期预测): the open deals by the month and the quarter of their
//! `expected_close`, with count, value and weighted value; overdue closes and deals without
//! a close date apart; and the current quarter's quota beside what was sold so far. Shown on
//! `/funnel/` and on each rep's page. "Open" is the weighted pipeline's own rule
//! ([`pipeline_weight`]), "overdue" the funnel's ([`close_overdue`]).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::deal::{close_overdue, deal_value, pipeline_weight, sales_between};
use crate::config::SiteConfig;
use crate::parse::front_matter::Customer;
use crate::period::Quarter;

/// Open deals of one period (or one group: overdue, undated).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bucket {
    pub count: usize,
    pub value: f64,
    pub weighted: f64,
}

impl Bucket {
    fn add(&mut self, value: f64, weighted: f64) {
        self.count += 1;
        self.value += value;
        self.weighted += weighted;
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// By the first day of the month of the expected close, from this month on.
    pub months: BTreeMap<NaiveDate, Bucket>,
    /// By quarter, from this quarter on.
    pub quarters: BTreeMap<Quarter, Bucket>,
    /// Open deals whose expected close has passed: not in any period.
    pub overdue: Bucket,
    /// Open deals without an expected close.
    pub undated: Bucket,
    /// The quarter of `today`, its quota (the team's or the rep's) and its sales so far
    /// (Σ orders dated from its first day to `today`).
    pub quarter: Quarter,
    pub quota: Option<f64>,
    pub won_so_far: f64,
}

/// The forecast of some customers: the team's (`owner` None, every counted customer) or one
/// rep's (their own customers).
pub fn forecast<'a>(
    customers: impl IntoIterator<Item = &'a Customer>,
    config: &SiteConfig,
    today: NaiveDate,
    owner: Option<&str>,
) -> Forecast {
    let quarter = Quarter::of(today);
    let mut f = Forecast {
        months: BTreeMap::new(),
        quarters: BTreeMap::new(),
        overdue: Bucket::default(),
        undated: Bucket::default(),
        quarter,
        quota: config.quota_for(owner, quarter),
        won_so_far: 0.0,
    };
    for c in customers {
        f.won_so_far += sales_between(c, quarter.first_day(), today);
        let Some(weighted) = pipeline_weight(c, config) else {
            continue;
        };
        let value = deal_value(c);
        match c.expected_close {
            None => f.undated.add(value, weighted),
            Some(_) if close_overdue(c, config, today) => f.overdue.add(value, weighted),
            Some(d) => {
                let month = d.with_day(1).unwrap_or(d);
                f.months.entry(month).or_default().add(value, weighted);
                f.quarters.entry(Quarter::of(d)).or_default().add(value, weighted);
            }
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sales::progress::tests::{day, deal};

    #[test]
    fn open_deals_by_month_and_quarter_with_overdue_and_undated_apart() {
        let config = SiteConfig::parse("quota: {2026-Q4: 1000000}\nsmall_order_threshold: 1000\n").unwrap();
        let today = day(2026, 11, 18);
        let at = |stage: &str, value: f64, close: Option<NaiveDate>| Customer {
            expected_close: close,
            ..deal(&config, "x", stage, value, &[])
        };
        let won = deal(
            &config,
            "x",
            "won",
            5.0,
            &[(day(2026, 10, 2), 70_000.0), (day(2026, 11, 30), 1.0)],
        );
        let cs = [
            at("quote", 100_000.0, Some(day(2026, 11, 30))),     // Nov, Q4: 60,000
            at("lead", 200_000.0, Some(day(2026, 12, 1))),       // Dec, Q4: 40,000
            at("opportunity", 50_000.0, Some(day(2027, 1, 15))), // Jan, 2027-Q1: 20,000
            at("quote", 10_000.0, Some(day(2026, 11, 17))),      // overdue: 6,000
            at("lead", 30_000.0, None),                          // undated: 6,000
            at("lead", 500.0, Some(day(2026, 12, 1))),           // a small order: out
            at("lost", 80_000.0, Some(day(2026, 12, 1))),        // not open
            won,
        ];
        let f = forecast(&cs, &config, today, None);
        let nov = f.months[&day(2026, 11, 1)];
        assert_eq!((nov.count, nov.value, nov.weighted), (1, 100_000.0, 60_000.0));
        assert_eq!(f.months[&day(2026, 12, 1)].weighted, 40_000.0);
        assert_eq!(f.months.len(), 3);
        let q4 = f.quarters[&Quarter::parse("2026-Q4").unwrap()];
        assert_eq!((q4.count, q4.value, q4.weighted), (2, 300_000.0, 100_000.0));
        assert_eq!(f.quarters[&Quarter::parse("2027-Q1").unwrap()].count, 1);
        assert_eq!((f.overdue.count, f.overdue.weighted), (1, 6_000.0));
        assert_eq!((f.undated.count, f.undated.value), (1, 30_000.0));
        assert_eq!(
            (f.quota, f.won_so_far),
            (Some(1e6), 70_000.0),
            "sold to today, not after"
        );
        assert_eq!(
            forecast(&cs, &config, today, Some("x")).quota,
            None,
            "a rep's own quota"
        );
    }
}
