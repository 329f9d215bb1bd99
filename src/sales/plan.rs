//! A rep's week (周工作计划) and day (销售工作日报表), as rules over the customer pages: what
//! is planned for each day of the ISO week that contains `today`, what is carried over
//! because it is overdue, and which visits were logged on a day. The weekly plan, the daily
//! reports and the rep's calendar are made from these; none decides a date itself.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};

use super::commitments::{self, Commitment};
use super::deal;
use crate::config::{Outcome, SiteConfig};
use crate::model::{Kind, VisitKind};
use crate::period::Week;
use crate::site::{DocId, Site};

/// A visit planned for a day: the customer, and its visit entry for that day when one is
/// written ahead (with the visit's goal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    pub customer: DocId,
    pub day: NaiveDate,
}

/// One day of a week's plan.
#[derive(Debug, Clone, Default)]
pub struct DayPlan {
    pub date: Option<NaiveDate>,
    pub visits: Vec<Planned>,
    pub commitments: Vec<Commitment>,
    pub closes: Vec<DocId>,
}

/// What was due before `today` and is still not done.
#[derive(Debug, Clone, Default)]
pub struct CarriedOver {
    /// Overdue visits ([`deal::visit_overdue`]), by their `next_visit`, oldest first.
    pub visits: Vec<Planned>,
    /// Overdue commitments, oldest due date first.
    pub commitments: Vec<Commitment>,
    /// Open deals whose expected close has passed ([`deal::close_overdue`]), oldest first.
    pub closes: Vec<(NaiveDate, DocId)>,
}

/// A week's plan for some customers (one rep's, or the ones with no owner).
#[derive(Debug, Clone)]
pub struct WeekPlan {
    pub week: Week,
    pub carried: CarriedOver,
    /// Monday to Sunday.
    pub days: Vec<DayPlan>,
}

impl WeekPlan {
    pub fn is_empty(&self) -> bool {
        let c = &self.carried;
        c.visits.is_empty()
            && c.commitments.is_empty()
            && c.closes.is_empty()
            && self
                .days
                .iter()
                .all(|d| d.visits.is_empty() && d.commitments.is_empty() && d.closes.is_empty())
    }
}

/// The plan of the week that contains `today`, for `customers`: on each day from `today` on,
/// the visits planned (a `next_visit` not yet overdue, and visits written ahead with a date
/// after `today`), the open commitments due and the open deals expected to close; the
/// overdue ones carried over to the top. Days before `today` list nothing: what was due then
/// and not done is carried over.
pub fn week_plan(
    site: &Site,
    config: &SiteConfig,
    today: NaiveDate,
    customers: impl IntoIterator<Item = DocId>,
) -> WeekPlan {
    let week = Week::of(today);
    let mut days: Vec<DayPlan> = (0..7)
        .map(|i| DayPlan {
            // The last week of 9999 runs into 10000: dates have four-digit years (issue 20).
            date: week.monday.checked_add_days(Days::new(i)).filter(|d| d.year() <= 9999),
            ..DayPlan::default()
        })
        .collect();
    let mut carried = CarriedOver::default();
    let slot = |d: NaiveDate| -> Option<usize> {
        (week.contains(d) && d >= today).then(|| (d - week.monday).num_days() as usize)
    };
    for id in customers {
        let Some(c) = site.doc(id).fm.customer.as_deref() else {
            continue;
        };
        let mut planned: Vec<NaiveDate> = Vec::new();
        if let Some(next) = c.next_visit {
            if deal::visit_overdue(c, config, today) {
                carried.visits.push(Planned {
                    customer: id,
                    day: next,
                });
            } else if deal::outcome(c, config) != Some(Outcome::Lost) {
                // Won customers are visited too (delivery, payment); lost ones are not.
                planned.push(next);
            }
        }
        planned.extend(c.visits.iter().filter_map(|v| v.date).filter(|d| *d > today));
        planned.sort();
        planned.dedup();
        for day in planned {
            if let Some(i) = slot(day) {
                days[i].visits.push(Planned { customer: id, day });
            }
        }
        for k in commitments::of_customer(id, c, today).filter(Commitment::is_open) {
            if k.overdue {
                carried.commitments.push(k);
            } else if let Some(i) = k.due.and_then(slot) {
                days[i].commitments.push(k);
            }
        }
        if let Some(close) = c.expected_close.filter(|_| deal::close_is_deadline(c, config)) {
            if deal::close_overdue(c, config, today) {
                carried.closes.push((close, id));
            } else if let Some(i) = slot(close) {
                days[i].closes.push(id);
            }
        }
    }
    carried.visits.sort_by_key(|p| (p.day, p.customer));
    carried.commitments.sort_by_key(|k| (k.due, k.customer, k.visit));
    carried.closes.sort();
    for d in &mut days {
        d.visits.sort_by_key(|p| p.customer);
    }
    WeekPlan { week, carried, days }
}

/// A visit logged on a day: the customer and its visit entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Logged {
    pub customer: DocId,
    pub visit: usize,
}

/// Every visit logged (dated on or before `today`), by day.
pub fn logged_by_day(site: &Site, today: NaiveDate) -> BTreeMap<NaiveDate, Vec<Logged>> {
    let mut out: BTreeMap<NaiveDate, Vec<Logged>> = BTreeMap::new();
    for (id, d) in site.of_kind(Kind::Customer) {
        let Some(c) = d.fm.customer.as_deref() else {
            continue;
        };
        for (i, v) in c.visits.iter().enumerate() {
            if let Some(day) = v.date.filter(|_| commitments::logged(v, today)) {
                out.entry(day).or_default().push(Logged { customer: id, visit: i });
            }
        }
    }
    out
}

/// The visits logged on `day` (none when `day` is after `today`).
pub fn logged_on(site: &Site, today: NaiveDate, day: NaiveDate) -> Vec<Logged> {
    if day > today {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (id, d) in site.of_kind(Kind::Customer) {
        let Some(c) = d.fm.customer.as_deref() else {
            continue;
        };
        for (i, v) in c.visits.iter().enumerate() {
            if v.date == Some(day) {
                out.push(Logged { customer: id, visit: i });
            }
        }
    }
    out
}

/// Visits per rep (`None`: no owner) and kind (`None`: no kind given) over some days.
pub type Tally = BTreeMap<Option<String>, BTreeMap<Option<VisitKind>, usize>>;

/// Sums the visits of `logged` per rep and kind.
pub fn tally<'a>(site: &Site, logged: impl IntoIterator<Item = &'a Logged>) -> Tally {
    let mut t = Tally::new();
    for l in logged {
        let Some(c) = site.doc(l.customer).fm.customer.as_deref() else {
            continue;
        };
        let owner = super::deal::owner(c).map(str::to_owned);
        let kind = c.visits.get(l.visit).and_then(|v| v.kind);
        *t.entry(owner).or_default().entry(kind).or_default() += 1;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::source_from_bytes;
    use crate::site::parse_doc;

    fn day(s: &str) -> NaiveDate {
        crate::model::parse_date(s).unwrap()
    }

    fn site(pages: &[(&str, &str)], config: &SiteConfig) -> Site {
        let docs = pages
            .iter()
            .map(|(path, text)| {
                let src = source_from_bytes(format!("content/customers/{path}.md"), text.as_bytes().to_vec()).unwrap();
                std::sync::Arc::new(parse_doc(&src, config, false).0.unwrap())
            })
            .collect();
        Site::new(docs, Vec::new(), |_| false, None).0
    }

    /// A won customer's next visit is planned (delivery, payment); a lost one's is not; an
    /// overdue one is carried over; the week ends on Sunday, and never after 9999-12-31.
    #[test]
    fn won_customers_are_visited_lost_ones_are_not() {
        let config = SiteConfig::default();
        let s = site(
            &[
                ("won", "---\ntitle: w\nstage: won\nnext_visit: 2026-11-26\n---\n"),
                ("lost", "---\ntitle: l\nstage: lost\nnext_visit: 2026-11-26\n---\n"),
                ("late", "---\ntitle: o\nstage: lead\nnext_visit: 2026-11-20\n---\n"),
                ("next", "---\ntitle: n\nstage: lead\nnext_visit: 2026-11-30\n---\n"),
            ],
            &config,
        );
        let p = week_plan(&s, &config, day("2026-11-25"), (0..4).map(DocId));
        let planned: Vec<(NaiveDate, DocId)> = p
            .days
            .iter()
            .flat_map(|d| d.visits.iter().map(|v| (v.day, v.customer)))
            .collect();
        assert_eq!(
            planned,
            [(day("2026-11-26"), DocId(0))],
            "next week's visit is not this week's"
        );
        assert_eq!(
            p.carried.visits,
            [Planned {
                customer: DocId(2),
                day: day("2026-11-20")
            }]
        );
        assert_eq!(p.days[0].date, Some(day("2026-11-23")));
        let last = week_plan(&s, &config, day("9999-12-31"), []);
        assert_eq!(
            last.days.iter().filter(|d| d.date.is_some()).count(),
            5,
            "Monday 27 to Friday 31"
        );
    }
}
