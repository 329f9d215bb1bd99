//! 销售进展: the weekly series of the forecast, the quarter's sales and the progress against
//! the quota, for the team and for each rep, worked out from the site's history
//! ([`History`]) and its working tree. The definitions are the contract of
//! `docs/progress.md`:
//!
//! - A week is an ISO week; its snapshot is the tree of the last first-parent commit dated on
//!   or before its Sunday, and the current week's is the working tree. The weeks run from the
//!   week of the first commit that holds a customer page to the week of `today`.
//! - Forecast (销售预计): the weighted open pipeline of the snapshot, by the dashboard's own
//!   rule ([`pipeline_weight`]).
//! - Quarter sales (累计销售额): Σ`orders[].amount` dated from the first day of the week's
//!   quarter (the quarter of its Sunday) to its Sunday.
//! - Progress = ((forecast − last week's) + (quarter sales − last week's, counted from this
//!   week's quarter's first day)) / the quarter's quota; none for the first week or without
//!   a quota.
//!
//! Nothing here reads git or the disk: the series are pure functions of their inputs.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

use super::deal::{pipeline_weight, sales_between};
use super::funnel::{counted, html_safe, round2};
use crate::config::SiteConfig;
use crate::format::ymd;
use crate::history::History;
use crate::parse::front_matter::Customer;
use crate::period::{Quarter, Week};
use crate::site::{DocId, Site};

/// How a customer page takes part in the figures of a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Counted: in the team's and its owner's figures.
    Named,
    /// Left out of every figure (a draft, a confidential page of a `--public` build).
    Out,
}

/// One week of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekFigures {
    pub week: Week,
    /// The snapshot's commit (an index into [`History::commits`]); `None` for the working
    /// tree.
    pub commit: Option<usize>,
    pub forecast: f64,
    pub quarter: Quarter,
    pub quarter_sales: f64,
    pub quota: Option<f64>,
    /// 销售进展, a fraction of the quota (0.05 is 5%).
    pub progress: Option<f64>,
}

/// The figures over time: the team's weekly series and each rep's, over the same weeks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Progress {
    pub team: Vec<WeekFigures>,
    /// By owner (trimmed), every owner named on a counted customer page in any snapshot.
    pub owners: BTreeMap<String, Vec<WeekFigures>>,
}

/// The sums of one snapshot for one series.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    forecast: f64,
    /// Orders from the first day of this week's quarter to its Sunday.
    sales: f64,
    /// Orders from the first day of the next week's quarter to this Sunday: what the next
    /// week counts as last week's quarter sales.
    sales_for_next: f64,
}

impl Sums {
    fn add(&mut self, c: &Customer, config: &SiteConfig, this: (NaiveDate, NaiveDate), next_from: NaiveDate) {
        self.forecast += pipeline_weight(c, config).unwrap_or(0.0);
        self.sales += sales_between(c, this.0, this.1);
        self.sales_for_next += sales_between(c, next_from, this.1);
    }
}

/// The most weeks a series holds (ten years): the latest ones.
pub const MAX_WEEKS: usize = 520;

/// The weeks of the series and each one's snapshot: `Some(commit)`, or `None` for the
/// working tree (the week of `today`).
pub fn weeks(history: &History, today: NaiveDate) -> Vec<(Week, Option<usize>)> {
    let now = Week::of(today);
    let first = history
        .is_available()
        .then(|| {
            history
                .customers
                .values()
                .flat_map(|versions| versions.iter().filter(|v| v.page.is_some()).map(|v| v.commit))
                .min()
        })
        .flatten()
        .and_then(|i| history.commits.get(i))
        .map(|c| Week::of(c.date()));
    let mut out = Vec::new();
    let mut w = first.unwrap_or(now).min(now);
    // A commit dated decades back (or `today:` far ahead) would make a series of thousands
    // of weeks, each a walk through every page: the series keeps the latest MAX_WEEKS.
    let earliest = now
        .monday
        .checked_sub_days(chrono::Days::new(7 * (MAX_WEEKS as u64 - 1)))
        .map(Week::of);
    if let Some(earliest) = earliest {
        w = w.max(earliest);
    }
    while w < now {
        let sunday = w.sunday();
        let commit = history.commits.iter().rposition(|c| c.date() <= sunday);
        out.push((w, commit));
        w = w.next();
    }
    out.push((now, None));
    out
}

/// The series over the weeks of [`weeks`]. `now` is the working tree's customer pages by
/// path; `scope` says how a page of the history takes part (a page of the working tree
/// decides for its path; a page since removed is [`Scope::Named`]).
pub fn progress<'a>(
    history: &'a History,
    now: &[(&'a str, &'a Customer, Scope)],
    scope: impl Fn(&str) -> Scope + Sync,
    config: &SiteConfig,
    today: NaiveDate,
) -> Progress {
    let weeks = weeks(history, today);
    // Each week's snapshot is summed on its own: the weeks run in parallel.
    let sums: Vec<(Sums, BTreeMap<&str, Sums>)> = weeks
        .par_iter()
        .enumerate()
        .map(|(i, (week, commit))| {
            let q = week.quarter();
            let this = (q.first_day(), week.sunday());
            let next_from = week.next().quarter().first_day();
            let mut team = Sums::default();
            let mut owners: BTreeMap<&str, Sums> = BTreeMap::new();
            let mut add = |c: &'a Customer, s: Scope| {
                if s == Scope::Out {
                    return;
                }
                team.add(c, config, this, next_from);
                if let Some(o) = super::deal::owner(c) {
                    owners.entry(o).or_default().add(c, config, this, next_from);
                }
            };
            match commit {
                Some(at) => {
                    for (path, page) in history.at(*at) {
                        add(&page.customer, scope(path));
                    }
                }
                None if i + 1 == weeks.len() => {
                    for (_, c, s) in now {
                        add(c, *s);
                    }
                }
                // A week before any commit (a commit dated after a later one): nothing yet.
                None => {}
            }
            (team, owners)
        })
        .collect();
    let (team_sums, owner_sums): (Vec<Sums>, Vec<BTreeMap<&str, Sums>>) = sums.into_iter().unzip();
    let team = series(&weeks, &team_sums, |q| config.quota_for(None, q));
    let mut names: Vec<&str> = owner_sums.iter().flat_map(|m| m.keys().copied()).collect();
    names.sort();
    names.dedup();
    let owners = names
        .into_iter()
        .map(|name| {
            let sums: Vec<Sums> = owner_sums
                .iter()
                .map(|m| m.get(name).copied().unwrap_or_default())
                .collect();
            let s = series(&weeks, &sums, |q| config.quota_for(Some(name), q));
            (name.to_owned(), s)
        })
        .collect();
    Progress { team, owners }
}

/// The weekly figures from each week's sums.
fn series(weeks: &[(Week, Option<usize>)], sums: &[Sums], quota: impl Fn(Quarter) -> Option<f64>) -> Vec<WeekFigures> {
    weeks
        .iter()
        .zip(sums)
        .enumerate()
        .map(|(i, ((week, commit), s))| {
            let quarter = week.quarter();
            let quota = quota(quarter);
            let progress = match (i.checked_sub(1).map(|p| sums[p]), quota) {
                (Some(last), Some(quota)) => {
                    Some(((s.forecast - last.forecast) + (s.sales - last.sales_for_next)) / quota)
                }
                _ => None,
            };
            WeekFigures {
                week: *week,
                commit: *commit,
                forecast: s.forecast,
                quarter,
                quarter_sales: s.sales,
                quota,
                progress,
            }
        })
        .collect()
}

/// The series of a build: the working tree is the site's customer pages, and a page of the
/// history takes part as the page at its path does now: drafts and, in a `--public` build,
/// confidential pages are left out of the figures of every week. Unlike the funnel's, these
/// figures never count a confidential page anonymously (`count_confidential`): a public
/// build reads none of its history, so counting it in the current week alone would show its
/// whole value as one week's progress.
pub fn of_site(site: &Site, config: &SiteConfig, history: &History, today: NaiveDate) -> Progress {
    let mut scopes: HashMap<&str, Scope> = site
        .docs
        .iter()
        .enumerate()
        .filter(|(i, _)| site.is_hidden(DocId(*i)))
        .map(|(_, d)| (d.rel_path.as_str(), Scope::Out))
        .collect();
    let now: Vec<(&str, &Customer, Scope)> = counted(site, config)
        .map(|(id, c, anonymous)| {
            let path = site.doc(id).rel_path.as_str();
            let s = if anonymous { Scope::Out } else { Scope::Named };
            scopes.insert(path, s);
            (path, c, s)
        })
        .collect();
    progress(
        history,
        &now,
        |path| scopes.get(path).copied().unwrap_or(Scope::Named),
        config,
        today,
    )
}

/// One week of `progress.json`.
#[derive(Serialize)]
struct WeekJson<'h> {
    week: String,
    start: String,
    end: String,
    /// The snapshot's commit id; null for the working tree.
    commit: Option<&'h str>,
    forecast: f64,
    quarter: String,
    quarter_sales: f64,
    quota: Option<f64>,
    progress: Option<f64>,
}

fn weeks_json<'h>(weeks: &[WeekFigures], history: &'h History) -> Vec<WeekJson<'h>> {
    weeks
        .iter()
        .map(|w| WeekJson {
            week: w.week.to_string(),
            start: ymd(w.week.monday),
            end: ymd(w.week.sunday()),
            commit: w.commit.and_then(|i| history.commits.get(i)).map(|c| c.id.as_str()),
            forecast: round2(w.forecast),
            quarter: w.quarter.to_string(),
            quarter_sales: round2(w.quarter_sales),
            quota: w.quota.map(round2),
            // A share to a hundredth of a percent: float noise stays out.
            progress: w.progress.map(|p| (p * 10_000.0).round() / 10_000.0),
        })
        .collect()
}

/// `progress.json` at the site root, as docs/progress.md specifies it.
pub fn progress_json(p: &Progress, history: &History) -> String {
    #[derive(Serialize)]
    struct Series<'h> {
        weeks: Vec<WeekJson<'h>>,
    }
    #[derive(Serialize)]
    struct Json<'h> {
        weeks: Vec<WeekJson<'h>>,
        owners: BTreeMap<&'h str, Series<'h>>,
    }
    let json = Json {
        weeks: weeks_json(&p.team, history),
        owners: p
            .owners
            .iter()
            .map(|(name, weeks)| {
                (
                    name.as_str(),
                    Series {
                        weeks: weeks_json(weeks, history),
                    },
                )
            })
            .collect(),
    };
    html_safe(serde_json::to_string_pretty(&json).unwrap_or_default()) + "\n"
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;

    use chrono::{DateTime, FixedOffset};

    use super::*;
    use crate::history::{Commit, PageVersion, Version};
    use crate::parse::front_matter::Order;

    pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    pub fn commit(id: &str, at: &str, author: &str) -> Commit {
        Commit {
            id: id.to_owned(),
            time: DateTime::<FixedOffset>::parse_from_rfc3339(at).unwrap(),
            author: author.to_owned(),
        }
    }

    pub fn deal(config: &SiteConfig, owner: &str, stage: &str, value: f64, orders: &[(NaiveDate, f64)]) -> Customer {
        Customer {
            owner: Some(owner.to_owned()),
            stage: config.stage(stage),
            value: Some(value),
            orders: orders
                .iter()
                .map(|(d, a)| Order {
                    date: Some(*d),
                    amount: *a,
                    paid: 0.0,
                })
                .collect(),
            ..Customer::default()
        }
    }

    pub fn version(commit: usize, c: Option<Customer>) -> Version {
        Version {
            commit,
            page: c.map(|customer| {
                Arc::new(PageVersion {
                    title: "t".into(),
                    customer,
                })
            }),
        }
    }

    fn config() -> SiteConfig {
        SiteConfig::parse("quota: {2026-Q4: 1000000, 2026-Q3: 500000}\nowner_quota: {张伟: {2026-Q4: 400000}}\n")
            .unwrap()
    }

    /// Three weeks by hand. Commits: c0 Wed 2026-09-30 (Q3 day, week 2026-09-28..10-04 whose
    /// Sunday is in Q4), c1 Mon 2026-10-05 00:30+08:00 (just after local midnight: 5 October,
    /// not 4 October as UTC would have it), today Wed 2026-10-14 (the working tree).
    #[test]
    fn weekly_figures_worked_by_hand() {
        let config = config();
        let h = History {
            unavailable: None,
            commits: vec![
                commit("c0", "2026-09-30T10:00:00+08:00", "张伟"),
                commit("c1", "2026-10-05T00:30:00+08:00", "李娜"),
            ],
            customers: BTreeMap::from([
                (
                    "content/customers/a.md".to_owned(),
                    vec![
                        // a: quote 100,000 (×0.6 = 60,000), an order in Q3 (2026-09-29: 50,000)
                        version(
                            0,
                            Some(deal(
                                &config,
                                "张伟",
                                "quote",
                                100_000.0,
                                &[(day(2026, 9, 29), 50_000.0)],
                            )),
                        ),
                        // c1: won, with an order on 2026-10-05 of 100,000
                        version(
                            1,
                            Some(deal(
                                &config,
                                "张伟",
                                "won",
                                100_000.0,
                                &[(day(2026, 9, 29), 50_000.0), (day(2026, 10, 5), 100_000.0)],
                            )),
                        ),
                    ],
                ),
                (
                    // b: added at c1, lead 200,000 (×0.2 = 40,000)
                    "content/customers/b.md".to_owned(),
                    vec![version(1, Some(deal(&config, "李娜", "lead", 200_000.0, &[])))],
                ),
            ]),
            last_change: Default::default(),
        };
        // The working tree: b lost; a as at c1; c new (opportunity 50,000 ×0.4 = 20,000).
        let a = deal(
            &config,
            "张伟",
            "won",
            100_000.0,
            &[(day(2026, 9, 29), 50_000.0), (day(2026, 10, 5), 100_000.0)],
        );
        let b = deal(&config, "李娜", "lost", 200_000.0, &[]);
        let c = deal(&config, " 张伟 ", "opportunity", 50_000.0, &[]);
        let now = [
            ("content/customers/a.md", &a, Scope::Named),
            ("content/customers/b.md", &b, Scope::Named),
            ("content/customers/c.md", &c, Scope::Named),
        ];
        let p = progress(&h, &now, |_| Scope::Named, &config, day(2026, 10, 14));
        let weeks: Vec<String> = p.team.iter().map(|w| w.week.to_string()).collect();
        assert_eq!(weeks, ["2026-W40", "2026-W41", "2026-W42"]);
        let t = &p.team;
        // W40 (Sun 10-04, Q4): snapshot c0 (c1 is dated 10-05). Forecast 60,000; Q4 sales
        // from 10-01 to 10-04: none (the 09-29 order is Q3). First week: no progress.
        assert_eq!(
            (t[0].commit, t[0].forecast, t[0].quarter_sales),
            (Some(0), 60_000.0, 0.0)
        );
        assert_eq!(
            (t[0].quarter.to_string(), t[0].quota, t[0].progress),
            ("2026-Q4".into(), Some(1e6), None)
        );
        // W41 (Sun 10-11): snapshot c1. Forecast 40,000 (b); sales 100,000 (10-05).
        // Progress = ((40,000 − 60,000) + (100,000 − 0)) / 1,000,000 = 0.08.
        assert_eq!(
            (t[1].commit, t[1].forecast, t[1].quarter_sales),
            (Some(1), 40_000.0, 100_000.0)
        );
        assert!((t[1].progress.unwrap() - 0.08).abs() < 1e-12, "{:?}", t[1]);
        // W42: the working tree. Forecast 20,000 (c); sales 100,000.
        // Progress = ((20,000 − 40,000) + (100,000 − 100,000)) / 1,000,000 = −0.02.
        assert_eq!(
            (t[2].commit, t[2].forecast, t[2].quarter_sales),
            (None, 20_000.0, 100_000.0)
        );
        assert!((t[2].progress.unwrap() + 0.02).abs() < 1e-12, "{:?}", t[2]);
        // 张伟 (quota 400,000): W40 60,000/0; W41 0/100,000: (−60,000 + 100,000)/400,000 = 0.1;
        // W42 20,000 (c, its owner trimmed)/100,000: 20,000/400,000 = 0.05.
        let z = &p.owners["张伟"];
        assert_eq!(z.len(), 3, "every owner covers the team's weeks");
        assert_eq!(
            z.iter().map(|w| w.forecast).collect::<Vec<_>>(),
            [60_000.0, 0.0, 20_000.0]
        );
        assert!((z[1].progress.unwrap() - 0.1).abs() < 1e-12);
        assert!((z[2].progress.unwrap() - 0.05).abs() < 1e-12);
        // 李娜 has no quota: no progress, but her figures (absent in W40: 0).
        let l = &p.owners["李娜"];
        assert_eq!(l.iter().map(|w| w.forecast).collect::<Vec<_>>(), [0.0, 40_000.0, 0.0]);
        assert!(l.iter().all(|w| w.progress.is_none()));
    }

    /// Last week's quarter sales are counted from this week's quarter's first day: 0 when
    /// last Sunday lies before it, so the Q3 orders do not count against Q4's first week.
    #[test]
    fn the_quarter_turns_inside_a_week() {
        let config = config();
        let h = History {
            unavailable: None,
            commits: vec![commit("c0", "2026-09-20T10:00:00+00:00", "x")],
            customers: BTreeMap::from([(
                "content/customers/a.md".to_owned(),
                vec![version(
                    0,
                    Some(deal(
                        &config,
                        "x",
                        "won",
                        1.0,
                        &[(day(2026, 9, 20), 300_000.0), (day(2026, 10, 2), 10_000.0)],
                    )),
                )],
            )]),
            last_change: Default::default(),
        };
        let a = &h.customers["content/customers/a.md"][0].page.as_ref().unwrap().customer;
        let now = [("content/customers/a.md", a, Scope::Named)];
        let p = progress(&h, &now, |_| Scope::Named, &config, day(2026, 10, 2));
        // W38 (09-14..09-20, Q3): sales 300,000. W39 (09-21..09-27, Q3): 300,000, progress
        // (0 + 0)/500,000 = 0. W40 (09-28..10-04, Q4): 10,000; last week's from 10-01: 0.
        let t = &p.team;
        assert_eq!(
            t.iter().map(|w| w.quarter_sales).collect::<Vec<_>>(),
            [300_000.0, 300_000.0, 10_000.0]
        );
        assert_eq!(t[1].progress, Some(0.0));
        assert!((t[2].progress.unwrap() - 0.01).abs() < 1e-12, "{:?}", t[2]);
    }

    #[test]
    fn a_series_keeps_the_latest_ten_years() {
        let config = config();
        let h = History {
            unavailable: None,
            commits: vec![commit("c0", "1970-01-01T00:00:00+00:00", "x")],
            customers: BTreeMap::from([(
                "content/customers/a.md".to_owned(),
                vec![version(0, Some(deal(&config, "x", "lead", 1.0, &[])))],
            )]),
            last_change: Default::default(),
        };
        let w = weeks(&h, day(9999, 12, 31));
        assert_eq!(w.len(), MAX_WEEKS);
        assert_eq!(w.last().map(|w| w.0), Some(Week::of(day(9999, 12, 31))));
        assert!(w[..MAX_WEEKS - 1].iter().all(|(_, c)| *c == Some(0)));
    }

    #[test]
    fn without_history_only_the_current_week_and_pages_left_out_count_nowhere() {
        let config = config();
        let a = deal(&config, "x", "quote", 100.0, &[]);
        let b = deal(&config, "y", "quote", 1000.0, &[]);
        let c = deal(&config, "z", "quote", 10_000.0, &[]);
        let now = [
            ("content/customers/a.md", &a, Scope::Named),
            ("content/customers/b.md", &b, Scope::Named),
            ("content/customers/c.md", &c, Scope::Out),
        ];
        let p = progress(&History::default(), &now, |_| Scope::Named, &config, day(2026, 11, 18));
        assert_eq!(p.team.len(), 1);
        assert_eq!(
            (p.team[0].week.to_string(), p.team[0].commit),
            ("2026-W47".into(), None)
        );
        assert_eq!(p.team[0].forecast, 660.0, "a and b, never c");
        assert_eq!(p.team[0].progress, None, "the first week has none");
        assert_eq!(
            p.owners.keys().collect::<Vec<_>>(),
            ["x", "y"],
            "c's owner is no owner here"
        );
    }
}
