//! The commitments customers made at the end of visits (每次拜访结束时要让客户做出某种承诺),
//! followed up until they are kept. What makes one open, done or overdue is said here once:
//! `/commitments/`, the weekly plan, `commitments.json` and `check` all ask these functions.

use chrono::NaiveDate;

use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, MAX_PER_FILE};
use crate::model::Kind;
use crate::parse::front_matter::{Customer, Done, Visit};
use crate::site::{DocId, Site};

/// One commitment: the visit of customer `customer` (its `visit`-th entry) that recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commitment {
    pub customer: DocId,
    pub visit: usize,
    pub due: Option<NaiveDate>,
    pub done: Option<Done>,
    pub overdue: bool,
}

impl Commitment {
    pub fn is_open(&self) -> bool {
        self.done.is_none()
    }
}

/// A visit that happened: dated on or before `today` (a later one is a plan).
pub fn logged(v: &Visit, today: NaiveDate) -> bool {
    v.date.is_some_and(|d| d <= today)
}

/// An overdue commitment: not kept, and its due date is before `today`.
pub fn overdue(v: &Visit, today: NaiveDate) -> bool {
    v.commitment_done.is_none() && v.commitment_due.is_some_and(|d| d < today)
}

/// A visit's commitment, when it has one (a `commitment:` text).
pub fn of_visit(id: DocId, i: usize, v: &Visit, today: NaiveDate) -> Option<Commitment> {
    v.commitment.as_ref()?;
    Some(Commitment {
        customer: id,
        visit: i,
        due: v.commitment_due,
        done: v.commitment_done,
        overdue: overdue(v, today),
    })
}

/// Every commitment of one customer, in the order of its visits.
pub fn of_customer(id: DocId, c: &Customer, today: NaiveDate) -> impl Iterator<Item = Commitment> + '_ {
    c.visits
        .iter()
        .enumerate()
        .filter_map(move |(i, v)| of_visit(id, i, v, today))
}

/// Every commitment of the site's customers, in the site's order.
pub fn all(site: &Site, today: NaiveDate) -> Vec<Commitment> {
    site.of_kind(Kind::Customer)
        .filter_map(|(id, d)| Some((id, d.fm.customer.as_deref()?)))
        .flat_map(|(id, c)| of_customer(id, c, today))
        .collect()
}

/// The open commitments in the order to follow them up: overdue first, then by due date
/// (undated last), then by customer and visit.
pub fn open_in_order(site: &Site, today: NaiveDate) -> Vec<Commitment> {
    let mut open: Vec<Commitment> = all(site, today).into_iter().filter(Commitment::is_open).collect();
    open.sort_by_key(|c| (!c.overdue, c.due.is_none(), c.due, c.customer, c.visit));
    open
}

/// `check`'s warning for each logged visit without a commitment, at the visit's place,
/// unless `warn_visit_without_commitment: false`. Visits of every page (confidential ones
/// too: `check` is for the writers).
pub fn missing(site: &Site, config: &SiteConfig, today: NaiveDate) -> Vec<Diagnostic> {
    if !config.warn_visit_without_commitment {
        return Vec::new();
    }
    let mut diags = Vec::new();
    for (_, d) in site.of_kind(Kind::Customer) {
        let Some(c) = d.fm.customer.as_deref() else {
            continue;
        };
        let missing: Vec<&Visit> = c
            .visits
            .iter()
            .filter(|v| logged(v, today) && v.commitment.is_none())
            .collect();
        if missing.is_empty() {
            continue;
        }
        let text = d.text();
        let more = missing.len().saturating_sub(MAX_PER_FILE);
        for v in missing.into_iter().take(MAX_PER_FILE) {
            let w = Diagnostic::warning(&d.rel_path, "every visit should end with a commitment");
            let w = match &text {
                Some(t) => w.at(t, v.pos, 1),
                None => {
                    let mut w = w;
                    (w.line, w.column) = (v.pos.line, v.pos.column);
                    w
                }
            };
            diags.push(w.help(
                "add `commitment:` (what the customer agreed to do next, with `commitment_due:`), \
                 or set `warn_visit_without_commitment: false` in salesbook.yaml",
            ));
        }
        // The first MAX_PER_FILE one by one, the rest counted (a long visit log written
        // before this rule is reported in bounded time).
        if more > 0 {
            let w = Diagnostic::warning(&d.rel_path, format!("{more} more visits without a commitment"));
            diags.push(w.help("every visit should end with a commitment"));
        }
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        crate::model::parse_date(s).unwrap()
    }

    #[test]
    fn open_done_and_overdue() {
        let today = day("2026-12-07");
        let v = |due: Option<&str>, done: Option<Done>| Visit {
            date: Some(day("2026-12-01")),
            commitment: Some("试用".into()),
            commitment_due: due.map(day),
            commitment_done: done,
            ..Visit::default()
        };
        assert!(overdue(&v(Some("2026-12-06"), None), today));
        assert!(
            !overdue(&v(Some("2026-12-07"), None), today),
            "due today is not overdue yet"
        );
        assert!(!overdue(&v(Some("2026-12-01"), Some(Done::Yes)), today), "kept");
        assert!(!overdue(&v(None, None), today), "undated is never overdue");
        let c = of_visit(DocId(0), 0, &v(None, Some(Done::On(day("2026-12-02")))), today).unwrap();
        assert!(!c.is_open());
        let none = Visit::default();
        assert!(of_visit(DocId(0), 0, &none, today).is_none());
    }
}
