//! The rules for one customer's deal and account, each written once: whether the deal is
//! open, won or lost, its weighted value, whether its close is overdue, what it still owes,
//! its quadrant and its order among other deals. Pages, exports, search and `funnel.json`
//! format these figures; none works one out itself, so no two of them can disagree.

use std::cmp::Ordering;

use chrono::NaiveDate;

use crate::config::{Outcome, SiteConfig};
use crate::model::Level;
use crate::parse::front_matter::{Customer, Order};

/// Money closer to zero than this is zero: a cent's float noise is neither owed nor a credit.
pub const MONEY_TOLERANCE: f64 = 0.005;

/// The deal's outcome from its stage's `outcome:`; `None` without a stage (the customer is
/// then in no stage of the funnel: neither open nor closed).
pub fn outcome(c: &Customer, config: &SiteConfig) -> Option<Outcome> {
    c.stage.map(|s| config.outcome(s))
}

/// An open deal: at a stage whose outcome is open.
pub fn is_open(c: &Customer, config: &SiteConfig) -> bool {
    outcome(c, config) == Some(Outcome::Open)
}

/// A customer's win probability: its own, else its stage's.
pub fn probability(c: &Customer, config: &SiteConfig) -> Option<f64> {
    c.probability
        .or_else(|| c.stage.map(|s| config.stage_def(s).probability))
}

/// Expected value × win probability.
pub fn weighted_value(c: &Customer, config: &SiteConfig) -> Option<f64> {
    Some(c.value? * probability(c, config)?)
}

/// A deal under the configured small-order threshold (漏斗外销售额): kept out of the
/// funnel's figures, counted beside them.
pub fn is_small_order(c: &Customer, config: &SiteConfig) -> bool {
    config.small_order_threshold > 0.0 && c.value.is_some_and(|v| v < config.small_order_threshold)
}

/// What a deal adds to the weighted open pipeline (销售预计, the dashboard's weighted
/// total): its weighted value (0 without a value) when it is open and not a small order;
/// `None` when it is not in the pipeline.
pub fn pipeline_weight(c: &Customer, config: &SiteConfig) -> Option<f64> {
    (is_open(c, config) && !is_small_order(c, config)).then(|| weighted_value(c, config).unwrap_or(0.0))
}

/// What the customer's orders dated from `from` to `to` (both included) add up to: the
/// quarter's sales (累计销售额) are this sum from the quarter's first day.
pub fn sales_between(c: &Customer, from: NaiveDate, to: NaiveDate) -> f64 {
    c.orders
        .iter()
        .filter(|o| o.date.is_some_and(|d| from <= d && d <= to))
        .map(|o| o.amount)
        .sum()
}

/// Whether the expected close date is a deadline still to meet: the deal is open.
pub fn close_is_deadline(c: &Customer, config: &SiteConfig) -> bool {
    is_open(c, config)
}

/// An overdue close: an open deal whose expected close date is before `today`.
pub fn close_overdue(c: &Customer, config: &SiteConfig, today: NaiveDate) -> bool {
    close_is_deadline(c, config) && c.expected_close.is_some_and(|d| d < today)
}

/// A visit due and not made (逾期未拜访): `next_visit` has passed, no visit is logged on or
/// after it (a visit dated after `today` is a plan, not a visit), and the deal is open. Won
/// and lost customers are not chased by this date (see [`stale_priority`]).
pub fn visit_overdue(c: &Customer, config: &SiteConfig, today: NaiveDate) -> bool {
    let Some(next) = c.next_visit else {
        return false;
    };
    let visited = c.visits.iter().filter_map(|v| v.date).any(|d| d >= next && d <= today);
    next < today && !visited && is_open(c, config)
}

/// The rep a customer page names as its owner, trimmed; `None` when it names none (a blank
/// `owner:` is no owner). Every list and figure by rep goes by this.
pub fn owner(c: &Customer) -> Option<&str> {
    c.owner.as_deref().map(str::trim).filter(|o| !o.is_empty())
}

/// The deal's value for ordering and sums: its `value:`, 0 without one.
pub fn deal_value(c: &Customer) -> f64 {
    c.value.unwrap_or(0.0)
}

/// Larger value first (the order of every list of deals); callers add their own tie-break.
pub fn larger_first(a: f64, b: f64) -> Ordering {
    b.total_cmp(&a)
}

/// What orders add up to: sold, paid, and either still owed or paid beyond (a credit).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Balance {
    pub amount: f64,
    pub paid: f64,
    /// Σamount − Σpaid when positive, else 0.
    pub unpaid: f64,
    /// Σpaid − Σamount when positive, else 0: an overpayment is a credit, never a negative
    /// amount owed.
    pub credit: f64,
}

impl Balance {
    /// Something is owed (beyond the tolerance).
    pub fn owes(&self) -> bool {
        self.unpaid > MONEY_TOLERANCE
    }

    /// Something was paid beyond what was sold (beyond the tolerance).
    pub fn in_credit(&self) -> bool {
        self.credit > MONEY_TOLERANCE
    }
}

/// Unpaid = Σamount − Σpaid over the orders, floored at 0, the rest a credit: one overpaid
/// order offsets what another still owes. The customer page, the brief, the CSV and DSO
/// all use this figure.
pub fn balance<'a>(orders: impl IntoIterator<Item = &'a Order>) -> Balance {
    let (amount, paid) = orders
        .into_iter()
        .fold((0.0, 0.0), |(a, p), o| (a + o.amount, p + o.paid));
    let net = amount - paid;
    Balance {
        amount,
        paid,
        unpaid: net.max(0.0),
        credit: (-net).max(0.0),
    }
}

/// The attack/defend quadrant from purchase potential × our share.
pub fn quadrant(c: &Customer) -> Option<&'static str> {
    Some(match (c.potential?, c.share?) {
        (Level::High, Level::Low) => "attack",
        (Level::High, Level::High) => "defend",
        (Level::Low, Level::High) => "maintain",
        (Level::Low, Level::Low) => "abandon",
    })
}

/// Which customers to visit first when they have gone quiet (docs/domain.md, funnel stages): a quote in
/// progress, then customers who bought (delivery and payment), open opportunities, leads and
/// potential customers, then targets. Lost deals are not chased. Won and lost are the
/// stage's outcome; the open stages are ranked by their built-in ids, others last.
pub fn stale_priority(c: &Customer, config: &SiteConfig) -> Option<u8> {
    let Some(stage) = c.stage else {
        return Some(5);
    };
    match config.outcome(stage) {
        Outcome::Won => Some(1),
        Outcome::Lost => None,
        Outcome::Open => Some(match config.stage_def(stage).id.as_str() {
            "quote" => 0,
            "opportunity" => 2,
            "lead" | "potential" => 3,
            "target" => 4,
            _ => 5,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(amount: f64, paid: f64) -> Order {
        Order {
            date: None,
            amount,
            paid,
        }
    }

    #[test]
    fn an_overpaid_order_offsets_what_another_owes() {
        let b = balance(&[order(100.0, 150.0), order(200.0, 100.0)]);
        assert_eq!((b.amount, b.paid, b.unpaid, b.credit), (300.0, 250.0, 50.0, 0.0));
        let b = balance(&[order(100.0, 180.0), order(50.0, 0.0)]);
        assert_eq!((b.unpaid, b.credit), (0.0, 30.0), "an overpayment is a credit");
        assert!(!b.owes() && b.in_credit());
        let b = balance(&[order(0.1 + 0.2, 0.3)]);
        assert!(!b.owes() && !b.in_credit(), "float noise is neither owed nor a credit");
        assert_eq!(balance(&[]), Balance::default());
    }

    #[test]
    fn outcomes_come_from_the_config_not_the_id() {
        let config = SiteConfig::parse(
            "stages:\n  - {id: talk, label: 谈, probability: 0.3}\n  - {id: signed, label: 签, probability: 1, outcome: won}\n  - {id: dropped, label: 丢, probability: 0, outcome: lost}\n  - {id: won, label: 赢, probability: 1, outcome: open}\n",
        )
        .unwrap();
        let at = |id: &str| Customer {
            stage: config.stage(id),
            value: Some(100.0),
            expected_close: NaiveDate::from_ymd_opt(2026, 1, 1),
            ..Customer::default()
        };
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        assert_eq!(outcome(&at("signed"), &config), Some(Outcome::Won));
        assert_eq!(outcome(&at("dropped"), &config), Some(Outcome::Lost));
        assert_eq!(outcome(&at("talk"), &config), Some(Outcome::Open));
        assert_eq!(
            outcome(&at("won"), &config),
            Some(Outcome::Open),
            "outcome: open overrides the id"
        );
        assert_eq!(outcome(&Customer::default(), &config), None);
        assert!(close_overdue(&at("talk"), &config, today));
        assert!(!close_overdue(&at("signed"), &config, today));
        assert!(!close_overdue(&at("dropped"), &config, today));
        assert_eq!(stale_priority(&at("signed"), &config), Some(1));
        assert_eq!(stale_priority(&at("dropped"), &config), None);
    }
}
