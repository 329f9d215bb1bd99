//! The domain figures: pure functions over the site (funnel, tiers, visits). Every sales
//! rule (open, won, lost, weighted, overdue, unpaid, …) is defined here once, in `deal.rs`
//! for one customer and in the other modules for many; the rest of the program formats.

pub mod commitments;
pub mod competitors;
pub mod deal;
pub mod dso;
pub mod flags;
pub mod forecast;
pub mod funnel;
pub mod movement;
pub mod plan;
pub mod progress;
pub mod rates;
pub mod tiers;
pub mod timeline;

use chrono::NaiveDate;

use crate::config::SiteConfig;
use crate::model::Kind;
use crate::parse::front_matter::Customer;
use crate::site::{DocId, Site};

/// The date of a customer's most recent visit.
pub fn last_visit(c: &Customer) -> Option<NaiveDate> {
    c.visits.iter().filter_map(|v| v.date).max()
}

/// Dated pages: (date, page).
pub type Dated = Vec<(NaiveDate, DocId)>;

/// Customers whose next visit falls in `today..=today+days`, soonest first, and those whose
/// visit is overdue ([`deal::visit_overdue`]), most overdue first.
pub fn visit_plan(site: &Site, config: &SiteConfig, today: NaiveDate, days: i64) -> (Dated, Dated) {
    let mut upcoming = Vec::new();
    let mut overdue = Vec::new();
    for (id, doc) in site.of_kind(Kind::Customer) {
        let Some(c) = doc.fm.customer.as_deref() else {
            continue;
        };
        let Some(next) = c.next_visit else {
            continue;
        };
        if deal::visit_overdue(c, config, today) {
            overdue.push((next, id));
        } else if (0..=days).contains(&(next - today).num_days()) {
            upcoming.push((next, id));
        }
    }
    upcoming.sort();
    overdue.sort();
    (upcoming, overdue)
}

/// The last visit made (a visit dated after `today` is a plan, not a visit).
pub fn last_visit_by(c: &Customer, today: NaiveDate) -> Option<NaiveDate> {
    c.visits.iter().filter_map(|v| v.date).filter(|d| *d <= today).max()
}

/// Customers gone quiet: not visited for longer than their stage's cadence (or never; see
/// [`flags::cadence_exceeded`]), with their last visit: by [`deal::stale_priority`], then the
/// longest unvisited (never visited first).
pub fn stale(site: &Site, config: &SiteConfig, today: NaiveDate) -> Vec<(DocId, Option<NaiveDate>)> {
    let mut stale: Vec<(u8, i64, DocId, Option<NaiveDate>)> = Vec::new();
    for (id, doc) in site.of_kind(Kind::Customer) {
        let Some(c) = doc.fm.customer.as_deref() else {
            continue;
        };
        let last = last_visit_by(c, today);
        let days = last.map(|d| (today - d).num_days());
        if let Some(p) = deal::stale_priority(c, config)
            && flags::cadence_exceeded(c, config, today)
        {
            stale.push((p, days.map_or(i64::MIN, |d| -d), id, last));
        }
    }
    stale.sort_by_key(|(p, neg_days, id, _)| (*p, *neg_days, *id));
    stale.into_iter().map(|(_, _, id, last)| (id, last)).collect()
}

/// The date a page last changed, as far as its content says: `updated:`, else a customer's
/// latest visit.
pub fn updated(site: &Site, id: DocId) -> Option<NaiveDate> {
    let d = site.doc(id);
    d.fm.updated.or_else(|| d.fm.customer.as_deref().and_then(last_visit))
}

/// Pages by their last change, newest first.
pub fn recently_updated(site: &Site, n: usize) -> Dated {
    let mut v: Vec<(NaiveDate, DocId)> = site
        .visible()
        .filter_map(|(id, _)| Some((updated(site, id)?, id)))
        .collect();
    v.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    v.truncate(n);
    v
}

#[cfg(test)]
mod tests {
    use super::funnel::{funnel, funnel_json};
    use crate::config::SiteConfig;
    use crate::load::source_from_bytes;
    use crate::site::{Site, parse_doc};
    use chrono::NaiveDate;

    fn site(pages: &[(&str, &str)], config: &SiteConfig) -> Site {
        let docs = pages
            .iter()
            .map(|(path, text)| {
                let src = source_from_bytes(format!("content/{path}"), text.as_bytes().to_vec()).unwrap();
                let (doc, diags) = parse_doc(&src, config, false);
                assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
                std::sync::Arc::new(doc.unwrap())
            })
            .collect();
        Site::new(docs, Vec::new(), |_| false, None).0
    }

    fn customer(stage: &str, value: u64, extra: &str) -> String {
        format!("---\ntitle: c\nstage: {stage}\nvalue: {value}\n{extra}---\n")
    }

    #[test]
    fn funnel_counts_values_weights_and_conversion() {
        let config = SiteConfig::default();
        let pages = [
            ("customers/a.md", customer("lead", 100_000, "")),
            ("customers/b.md", customer("opportunity", 200_000, "probability: 0.5\n")),
            (
                "customers/c.md",
                customer("quote", 400_000, "expected_close: 2026-11-01\n"),
            ),
            ("customers/d.md", customer("won", 300_000, "")),
            (
                "customers/e.md",
                customer("lost", 50_000, "expected_close: 2026-01-01\n"),
            ),
        ];
        let pages: Vec<(&str, &str)> = pages.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let s = site(&pages, &config);
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let f = funnel(&s, &config, today);
        let by_id = |id: &str| f.stages.iter().find(|s| s.id == id).unwrap();
        assert_eq!(by_id("lead").weighted, 20_000.0);
        assert_eq!(by_id("opportunity").weighted, 100_000.0, "own probability wins");
        assert_eq!(by_id("quote").weighted, 240_000.0);
        assert_eq!(f.open_value, 700_000.0, "won and lost are not open");
        assert_eq!(f.weighted_total, 360_000.0);
        assert_eq!(f.open_count, 3);
        // reached lead: a,b,c,d = 4; reached opportunity: b,c,d = 3
        assert_eq!(by_id("opportunity").conversion, Some(0.75));
        assert_eq!(by_id("won").conversion, Some(0.5));
        assert_eq!(
            by_id("lead").conversion,
            Some(1.0),
            "everyone at lead or later passed potential"
        );
        assert_eq!(by_id("target").conversion, None, "the first stage has no stage above");
        assert_eq!(by_id("lost").conversion, None);
        assert_eq!(f.overdue.len(), 1, "a lost deal is never overdue");
        assert_eq!(s.doc(f.overdue[0]).slug, "c");
        let json: serde_json::Value = serde_json::from_str(&funnel_json(&f, &s, &config, today)).unwrap();
        assert_eq!(json["open_value"], 700_000.0);
        assert_eq!(json["overdue"][0], "c");
        assert_eq!(json["stages"][2]["label"], "线索");
    }

    #[test]
    fn small_orders_stay_outside_the_funnel() {
        let config = SiteConfig {
            small_order_threshold: 60_000.0,
            ..SiteConfig::default()
        };
        let a = customer("lead", 50_000, "");
        let b = customer("lead", 80_000, "");
        let s = site(&[("customers/a.md", &a), ("customers/b.md", &b)], &config);
        let f = funnel(&s, &config, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(f.outside_value, 50_000.0);
        assert_eq!(f.open_value, 80_000.0);
    }
}
