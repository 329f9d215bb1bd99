//! Days sales outstanding (DSO, 应收账款回收期) from a customer's orders, as docs/domain.md
//! defines it: counted backward from a day, the receivable is covered by whole months of
//! sales from the latest month back; what is left is a fraction of the month that covers it.
//! The receivable is the customer's unpaid figure ([`super::deal::balance`]), the same one
//! the page, the brief and the CSV show: payments carry no date, so what is owed is known
//! only as of now, over every order.

use chrono::{Datelike, NaiveDate};

use super::deal::MONEY_TOLERANCE;
use crate::parse::front_matter::Order;

/// A customer's DSO on a given day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dso {
    pub days: f64,
    /// What is unpaid ([`super::deal::Balance::unpaid`]).
    pub receivable: f64,
    /// The receivable is more than all the sales on record: `days` is a lower bound.
    pub at_least: bool,
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .map_or(30, |d| d.day())
}

/// DSO on `at`: `None` without dated sales up to that day, zero days when nothing is owed.
/// The month of `at` counts the days up to and including `at` (a month-end counts whole).
/// Sales dated after `at` cover nothing; undated ones are owed but cover no month.
pub fn dso(orders: &[Order], at: NaiveDate) -> Option<Dso> {
    let dated: Vec<(NaiveDate, &Order)> = orders
        .iter()
        .filter_map(|o| Some((o.date?, o)))
        .filter(|(d, _)| *d <= at)
        .collect();
    let earliest = dated.iter().map(|(d, _)| *d).min()?;
    let receivable = super::deal::balance(orders).unpaid;
    let mut left = receivable;
    let mut days = 0.0;
    let (mut year, mut month) = (at.year(), at.month());
    let mut first = true;
    while left > MONEY_TOLERANCE {
        let span = if first { at.day() } else { days_in_month(year, month) } as f64;
        first = false;
        let sales: f64 = dated
            .iter()
            .filter(|(d, _)| d.year() == year && d.month() == month)
            .map(|(_, o)| o.amount)
            .sum();
        if sales > 0.0 && left <= sales {
            days += left / sales * span;
            left = 0.0;
            break;
        }
        left -= sales;
        days += span;
        if (year, month) <= (earliest.year(), earliest.month()) {
            break;
        }
        (year, month) = if month == 1 { (year - 1, 12) } else { (year, month - 1) };
    }
    Some(Dso {
        days,
        receivable,
        at_least: left > MONEY_TOLERANCE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(date: &str, amount: f64, paid: f64) -> Order {
        Order {
            date: Some(date.parse().unwrap()),
            amount,
            paid,
        }
    }

    #[test]
    fn the_worked_example_of_domain_md() {
        // R = 15.0M on 30 April; sales April 6.0M, March 5.0M, February 8.0M:
        // 15.0 − 6.0 − 5.0 = 4.0M left, 4.0 / 8.0 × 28 days = 14 → 30 + 31 + 14 = 75 days.
        let orders = [
            order("2026-02-10", 8_000_000.0, 4_000_000.0),
            order("2026-03-15", 5_000_000.0, 0.0),
            order("2026-04-20", 6_000_000.0, 0.0),
        ];
        let d = dso(&orders, "2026-04-30".parse().unwrap()).unwrap();
        assert_eq!(d.receivable, 15_000_000.0);
        assert!((d.days - 75.0).abs() < 1e-9, "{d:?}");
        assert!(!d.at_least);
    }

    #[test]
    fn mid_month_nothing_owed_and_no_sales() {
        let at: NaiveDate = "2026-11-23".parse().unwrap();
        assert_eq!(dso(&[order("2026-10-01", 100.0, 100.0)], at).unwrap().days, 0.0);
        assert_eq!(dso(&[], at), None);
        assert_eq!(
            dso(&[order("2026-12-01", 100.0, 0.0)], at),
            None,
            "orders after the day do not count"
        );
        // R = 100 on 23 November: November's 50 of sales cover 23 days, the other 50 are a
        // quarter of October's 200: 23 + 31 / 4 = 30.75.
        let d = dso(
            &[order("2026-10-05", 200.0, 100.0), order("2026-11-02", 50.0, 50.0)],
            at,
        )
        .unwrap();
        assert!((d.days - 30.75).abs() < 1e-9, "{d:?}");
        // A month without sales counts whole.
        let d = dso(&[order("2026-09-10", 100.0, 0.0)], at).unwrap();
        assert!((d.days - (23.0 + 31.0 + 30.0)).abs() < 1e-9, "{d:?}");
    }

    #[test]
    fn the_receivable_is_the_unpaid_figure() {
        // An overpaid October order offsets November's: 200 sold, 150 paid, 50 owed, not the
        // 100 that November's order alone still owes.
        let at: NaiveDate = "2026-11-20".parse().unwrap();
        let orders = [order("2026-10-05", 100.0, 150.0), order("2026-11-02", 100.0, 0.0)];
        let d = dso(&orders, at).unwrap();
        assert_eq!(d.receivable, super::super::deal::balance(&orders).unpaid);
        assert_eq!(d.receivable, 50.0);
        assert!((d.days - 10.0).abs() < 1e-9, "{d:?}");
        // An undated order is owed too; it covers no month.
        let undated = Order {
            date: None,
            amount: 300.0,
            paid: 0.0,
        };
        let d = dso(&[order("2026-11-02", 100.0, 0.0), undated], at).unwrap();
        assert_eq!(d.receivable, 400.0);
        assert!(d.at_least, "{d:?}");
    }
}
