//! Views of the pages that tell the team what to do next: the attack/defend quadrant
//! (`/quadrant/`), the visit plan (`/visits/`), each rep's own figures (`/owners/`), and
//! customers by tag, industry and region. All figures come from the customer pages.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::format::DateView;
use super::generated::DatedRef;
use super::views::{Ctx, PageRef, page_ref, quadrant};
use crate::model::{Kind, slugify};
use crate::parse::front_matter::Customer;
use crate::sales::competitors::competitor_record;
use crate::sales::deal::{deal_value as value, larger_first, visit_overdue};
use crate::sales::funnel::funnel_of;
use crate::site::DocId;

/// How many customers a list on these pages shows before "and N more".
pub const LIST: usize = 100;
/// How many customers each quadrant draws as dots.
const DOTS: usize = 40;

fn customers<'a>(cx: &'a Ctx) -> impl Iterator<Item = (DocId, &'a Customer)> + 'a {
    cx.site
        .of_kind(Kind::Customer)
        .filter_map(|(id, d)| Some((id, d.fm.customer.as_deref()?)))
}

/// Sorts the first `n` of `v` by `order` (the `n` smallest, in order); the rest follow unsorted.
fn sort_first<T>(v: &mut [T], n: usize, order: impl Fn(&T, &T) -> std::cmp::Ordering + Copy) {
    if v.len() > n {
        v.select_nth_unstable_by(n, order);
        v[..n].sort_by(order);
    } else {
        v.sort_by(order);
    }
}

/// Puts the `n` largest deals first, in order (then by title); the rest follow in no order.
/// The pages show the first [`LIST`] of each list and count the rest: sorting thousands of
/// customers to show a hundred cost every save at 10,000 pages.
fn top_by_value(cx: &Ctx, ids: &mut [DocId], n: usize) {
    let mut keyed: Vec<(f64, &str, DocId)> = ids
        .iter()
        .map(|id| {
            let d = cx.site.doc(*id);
            (d.fm.customer.as_deref().map_or(0.0, value), d.fm.title.as_str(), *id)
        })
        .collect();
    let order = |a: &(f64, &str, DocId), b: &(f64, &str, DocId)| {
        larger_first(a.0, b.0).then_with(|| a.1.cmp(b.1)).then(a.2.cmp(&b.2))
    };
    sort_first(&mut keyed, n, order);
    for (slot, (_, _, id)) in ids.iter_mut().zip(keyed) {
        *slot = id;
    }
}

fn refs(cx: &Ctx, ids: &[DocId]) -> Vec<PageRef> {
    ids.iter().take(LIST).map(|id| page_ref(cx, *id)).collect()
}

// ---------------------------------------------------------------------------------------
// The attack/defend quadrant

#[derive(Debug, Serialize)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub r: f64,
    pub title: String,
    pub path: String,
}

#[derive(Debug, Serialize)]
pub struct QuadrantBox {
    pub id: &'static str,
    pub label: String,
    pub strategy: String,
    pub kpis: String,
    pub count: usize,
    pub value_fmt: String,
    pub customers: Vec<PageRef>,
    pub more: usize,
    /// The cell in the chart (viewBox units) and its dots.
    pub x: f64,
    pub y: f64,
    pub dots: Vec<Dot>,
    pub undrawn: usize,
}

#[derive(Debug, Serialize)]
pub struct QuadrantView {
    pub quadrants: Vec<QuadrantBox>,
    pub unclassified: Vec<PageRef>,
    pub unclassified_more: usize,
    pub size: f64,
    pub cell: f64,
    pub margin: f64,
}

const CELL: f64 = 240.0;
const MARGIN: f64 = 36.0;

/// Quadrants in chart order: top row high potential (attack, defend), bottom row low
/// potential (abandon, maintain); left column low share, right column high share.
const LAYOUT: [(&str, usize, usize); 4] = [
    ("attack", 0, 0),
    ("defend", 1, 0),
    ("abandon", 0, 1),
    ("maintain", 1, 1),
];

pub fn quadrant_view(cx: &Ctx) -> QuadrantView {
    let mut groups: BTreeMap<&'static str, Vec<DocId>> = BTreeMap::new();
    let mut unclassified = Vec::new();
    for (id, c) in customers(cx) {
        match quadrant(c) {
            Some(q) => groups.entry(q).or_default().push(id),
            None => unclassified.push(id),
        }
    }
    let max = customers(cx).map(|(_, c)| value(c)).fold(0.0, f64::max);
    let quadrants = LAYOUT
        .iter()
        .map(|(q, col, row)| {
            let mut ids = groups.remove(q).unwrap_or_default();
            top_by_value(cx, &mut ids, LIST);
            let (x, y) = (MARGIN + *col as f64 * CELL, *row as f64 * CELL);
            // Dots on a grid inside the cell, largest deal first, sized by value.
            let per_row = 8;
            let dots = ids
                .iter()
                .take(DOTS)
                .enumerate()
                .map(|(i, id)| {
                    let d = cx.site.doc(*id);
                    let v = d.fm.customer.as_deref().map_or(0.0, value);
                    Dot {
                        x: x + 24.0 + (i % per_row) as f64 * 27.0,
                        y: y + 70.0 + (i / per_row) as f64 * 27.0,
                        r: 4.0 + if max > 0.0 { 8.0 * (v / max).sqrt() } else { 0.0 },
                        title: d.fm.title.clone(),
                        path: super::url_escape(&d.path),
                    }
                })
                .collect();
            let total: f64 = ids
                .iter()
                .filter_map(|id| cx.site.doc(*id).fm.customer.as_deref())
                .map(value)
                .sum();
            QuadrantBox {
                id: q,
                label: cx.label("quadrant", q),
                strategy: cx.label("quadrant_strategy", q),
                kpis: cx.label("quadrant_kpis", q),
                count: ids.len(),
                value_fmt: cx.money(total),
                customers: refs(cx, &ids),
                more: ids.len().saturating_sub(LIST),
                x,
                y,
                undrawn: ids.len().saturating_sub(DOTS),
                dots,
            }
        })
        .collect();
    top_by_value(cx, &mut unclassified, LIST);
    QuadrantView {
        quadrants,
        unclassified_more: unclassified.len().saturating_sub(LIST),
        unclassified: refs(cx, &unclassified),
        size: MARGIN + 2.0 * CELL,
        cell: CELL,
        margin: MARGIN,
    }
}

// ---------------------------------------------------------------------------------------
// The visit plan

#[derive(Debug, Serialize)]
pub struct ScriptLink {
    pub title: String,
    pub path: String,
}

#[derive(Debug, Serialize)]
pub struct PlannedVisit {
    pub page: PageRef,
    pub goal: Option<String>,
    /// Visit scripts whose `stages:` include the customer's stage.
    pub scripts: Vec<ScriptLink>,
}

#[derive(Debug, Serialize)]
pub struct Day {
    pub date: DateView,
    pub visits: Vec<PlannedVisit>,
}

#[derive(Debug, Serialize)]
pub struct StaleCustomer {
    pub page: PageRef,
    /// Days since the last visit; None: never visited.
    pub days: Option<i64>,
    pub last_visit: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RecentVisit {
    pub date: DateView,
    pub page: PageRef,
    pub kind: Option<String>,
    pub goal: Option<String>,
    pub outcome: Option<String>,
    pub commitment: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct VisitsView {
    pub days: Vec<Day>,
    pub upcoming_count: usize,
    pub upcoming_more: usize,
    pub overdue: Vec<PlannedVisit>,
    pub overdue_dates: Vec<DateView>,
    pub overdue_more: usize,
    pub stale: Vec<StaleCustomer>,
    pub stale_more: usize,
    pub stale_after_days: i64,
    pub recent: Vec<RecentVisit>,
}

/// How many recent visits the plan lists.
const RECENT: usize = 30;
/// How many upcoming visits the plan lists (the rest are counted), and how many suitable
/// visit scripts each names.
const UPCOMING: usize = 200;
const SCRIPTS: usize = 3;

/// The visit scripts, each with the stages it declares (`stages:`): what a planned visit is
/// prepared with.
pub type Scripts<'a> = Vec<(&'a [crate::model::StageIx], ScriptLink)>;

pub fn visit_scripts<'a>(cx: &'a Ctx) -> Scripts<'a> {
    cx.site
        .of_kind(Kind::VisitScript)
        .filter_map(|(_, d)| {
            let s = d.fm.script.as_ref()?;
            Some((
                s.stages.as_slice(),
                ScriptLink {
                    title: d.fm.title.clone(),
                    path: super::url_escape(&d.path),
                },
            ))
        })
        .collect()
}

/// A visit to customer `id` planned for `day`: the goal of its visit entry for that day, and
/// the first visit scripts whose `stages:` include the customer's stage.
pub fn planned_visit(cx: &Ctx, scripts: &Scripts, id: DocId, c: &Customer, day: NaiveDate) -> PlannedVisit {
    PlannedVisit {
        page: page_ref(cx, id),
        goal: c
            .visits
            .iter()
            .find(|v| v.date == Some(day))
            .and_then(|v| v.goal.clone()),
        scripts: scripts
            .iter()
            .filter(|(stages, _)| c.stage.is_some_and(|s| stages.contains(&s)))
            .take(SCRIPTS)
            .map(|(_, l)| ScriptLink {
                title: l.title.clone(),
                path: l.path.clone(),
            })
            .collect(),
    }
}

pub fn visits_view(cx: &Ctx) -> VisitsView {
    let scripts = visit_scripts(cx);
    let planned = |id: DocId, c: &Customer, day: NaiveDate| planned_visit(cx, &scripts, id, c, day);
    let mut upcoming: Vec<(NaiveDate, DocId, &Customer)> = Vec::new();
    let mut overdue: Vec<(NaiveDate, DocId, &Customer)> = Vec::new();
    let mut recent: Vec<(NaiveDate, DocId, usize)> = Vec::new();
    for (id, c) in customers(cx) {
        if let Some(next) = c.next_visit {
            if visit_overdue(c, cx.config, cx.today) {
                overdue.push((next, id, c));
            } else if (0..14).contains(&(next - cx.today).num_days()) {
                upcoming.push((next, id, c));
            }
        }
        for (i, v) in c.visits.iter().enumerate() {
            if let Some(d) = v.date.filter(|d| *d <= cx.today) {
                recent.push((d, id, i));
            }
        }
    }
    upcoming.sort_by_key(|(d, id, _)| (*d, *id));
    overdue.sort_by_key(|(d, id, _)| (*d, *id));
    let stale = crate::sales::stale(cx.site, cx.config, cx.today);
    recent.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut days: Vec<Day> = Vec::new();
    for (d, id, c) in upcoming.iter().take(UPCOMING) {
        let visit = planned(*id, c, *d);
        match days.last_mut() {
            Some(day) if day.date.days_ago == (cx.today - *d).num_days() => day.visits.push(visit),
            _ => days.push(Day {
                date: cx.date(*d, true),
                visits: vec![visit],
            }),
        }
    }
    VisitsView {
        upcoming_count: upcoming.len(),
        upcoming_more: upcoming.len().saturating_sub(UPCOMING),
        days,
        overdue_dates: overdue.iter().take(LIST).map(|(d, _, _)| cx.date(*d, true)).collect(),
        overdue: overdue
            .iter()
            .take(LIST)
            .map(|(d, id, c)| planned(*id, c, *d))
            .collect(),
        overdue_more: overdue.len().saturating_sub(LIST),
        stale_more: stale.len().saturating_sub(LIST),
        stale: stale
            .iter()
            .take(LIST)
            .map(|(id, last)| StaleCustomer {
                page: page_ref(cx, *id),
                days: last.map(|d| (cx.today - d).num_days()),
                last_visit: last.map(crate::render::format::ymd),
            })
            .collect(),
        stale_after_days: cx.config.stale_after_days,
        recent: recent
            .iter()
            .take(RECENT)
            .filter_map(|(d, id, i)| {
                let v = cx.site.doc(*id).fm.customer.as_deref()?.visits.get(*i)?;
                Some(RecentVisit {
                    date: cx.date(*d, false),
                    page: page_ref(cx, *id),
                    kind: v.kind.map(|k| cx.label("visit", k.id())),
                    goal: v.goal.clone(),
                    outcome: v.outcome.clone(),
                    commitment: v.commitment.clone(),
                })
            })
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------
// Owners

#[derive(Debug, Serialize)]
pub struct OwnerStage {
    pub id: String,
    pub label: String,
    pub count: usize,
    pub value_fmt: String,
}

#[derive(Debug, Serialize)]
pub struct OwnerView {
    pub name: String,
    pub slug: String,
    pub path: String,
    /// The rep's 销售进展 page (`owners/<slug>/progress/`).
    pub progress_path: String,
    /// The rep's weekly plan (`owners/<slug>/plan/`).
    pub plan_path: String,
    pub count: usize,
    pub open_count: usize,
    pub open_value_fmt: String,
    pub weighted_fmt: String,
    pub won_value_fmt: String,
    pub stages: Vec<OwnerStage>,
    pub customers: Vec<PageRef>,
    pub more: usize,
    pub visits_due: Vec<DatedRef>,
    pub overdue_deals: Vec<DatedRef>,
    /// The rep's customers with flags ([`crate::sales::flags`]), largest first.
    pub flagged: Vec<super::board::Flagged>,
}

/// Customers by owner (see [`crate::facts::owners`]).
pub fn owners<'a>(cx: &'a Ctx) -> &'a BTreeMap<String, Vec<DocId>> {
    cx.figures.owners
}

/// An owner's URL name (`owners/<slug>/`), unique among the owners (see [`crate::plan`]).
pub fn owner_slugs(cx: &Ctx) -> Vec<(String, String)> {
    crate::plan::owner_slugs(owners(cx))
}

pub fn owner_view(cx: &Ctx, name: &str, slug: &str, with_lists: bool) -> OwnerView {
    let mut ids = owners(cx).get(name).cloned().unwrap_or_default();
    if with_lists {
        top_by_value(cx, &mut ids, LIST);
    }
    let config = cx.config;
    // The owner's figures are the funnel's, over the owner's customers.
    let customers = ids
        .iter()
        .filter_map(|id| Some((*id, cx.site.doc(*id).fm.customer.as_deref()?, false)));
    let f = funnel_of(cx.site, config, cx.today, customers);
    let overdue: Vec<(NaiveDate, DocId)> = f
        .overdue
        .iter()
        .filter_map(|id| Some((cx.site.doc(*id).fm.customer.as_deref()?.expected_close?, *id)))
        .collect();
    let mut due = Vec::new();
    for id in &ids {
        let Some(c) = cx.site.doc(*id).fm.customer.as_deref() else {
            continue;
        };
        // Due: in the next two weeks, or overdue ([`visit_overdue`]).
        if let Some(next) = c.next_visit
            && ((0..14).contains(&(next - cx.today).num_days()) || visit_overdue(c, config, cx.today))
        {
            due.push((next, *id));
        }
    }
    due.sort();
    let dated = |v: &[(NaiveDate, DocId)]| -> Vec<DatedRef> {
        if !with_lists {
            return Vec::new();
        }
        v.iter()
            .take(LIST)
            .map(|(d, id)| DatedRef {
                date: cx.date(*d, true),
                page: page_ref(cx, *id),
            })
            .collect()
    };
    OwnerView {
        name: name.to_owned(),
        slug: slug.to_owned(),
        path: format!("owners/{slug}/index.html"),
        progress_path: super::url_escape(&format!("owners/{slug}/progress/index.html")),
        plan_path: super::url_escape(&crate::plan::plan_path(slug)),
        count: ids.len(),
        open_count: f.open_count,
        open_value_fmt: cx.money(f.open_value),
        weighted_fmt: cx.money(f.weighted_total),
        won_value_fmt: cx.money(f.won_value),
        stages: f
            .stages
            .iter()
            .map(|s| OwnerStage {
                id: s.id.clone(),
                label: s.label.clone(),
                count: s.count,
                value_fmt: cx.money(s.value),
            })
            .collect(),
        customers: if with_lists { refs(cx, &ids) } else { Vec::new() },
        more: if with_lists { ids.len().saturating_sub(LIST) } else { 0 },
        visits_due: dated(&due),
        overdue_deals: dated(&overdue),
        flagged: if with_lists {
            super::board::flagged(cx, owners(cx).get(name))
        } else {
            Vec::new()
        },
    }
}

// ---------------------------------------------------------------------------------------
// Tags, industries, regions

#[derive(Debug, Serialize)]
pub struct Term {
    pub name: String,
    pub slug: String,
    pub count: usize,
    pub pages: Vec<PageRef>,
    pub more: usize,
}

/// Every tag of the visible pages, with a URL name each.
pub use crate::plan::tag_slugs;

/// The pages with a tag, customers first by deal size, then the others by title.
pub fn tag_view(cx: &Ctx, tag: &str, slug: &str, limit: usize) -> Term {
    let mut ids: Vec<DocId> = cx
        .site
        .visible()
        .filter(|(_, d)| d.fm.tags.iter().any(|t| t == tag))
        .map(|(id, _)| id)
        .collect();
    // The index shows counts only; a tag's page its first `limit`.
    if limit > 0 {
        let mut keyed: Vec<(bool, f64, &str, DocId)> = ids
            .iter()
            .map(|id| {
                let d = cx.site.doc(*id);
                let v = d.fm.customer.as_deref().map_or(0.0, value);
                (d.kind != Kind::Customer, v, d.fm.title.as_str(), *id)
            })
            .collect();
        type Key<'a> = (bool, f64, &'a str, DocId);
        let order = |a: &Key, b: &Key| {
            a.0.cmp(&b.0)
                .then(larger_first(a.1, b.1))
                .then_with(|| a.2.cmp(b.2))
                .then(a.3.cmp(&b.3))
        };
        sort_first(&mut keyed, limit, order);
        ids = keyed.into_iter().map(|k| k.3).collect();
    }
    Term {
        name: tag.to_owned(),
        slug: slug.to_owned(),
        count: ids.len(),
        pages: ids.iter().take(limit).map(|id| page_ref(cx, *id)).collect(),
        more: ids.len().saturating_sub(limit),
    }
}

/// Customers grouped by industry or region (`field`), largest groups first; customers
/// without one are grouped under `none`.
pub fn grouped_view(cx: &Ctx, field: fn(&Customer) -> Option<&String>, none: &str) -> Vec<Term> {
    let mut groups: BTreeMap<&str, Vec<DocId>> = BTreeMap::new();
    for (id, c) in customers(cx) {
        let key = field(c).map(|s| s.trim()).filter(|s| !s.is_empty()).unwrap_or(none);
        groups.entry(key).or_default().push(id);
    }
    let mut terms: Vec<Term> = groups
        .into_iter()
        .map(|(name, mut ids)| {
            let name = name.to_owned();
            top_by_value(cx, &mut ids, LIST);
            Term {
                slug: slugify(&name),
                count: ids.len(),
                pages: refs(cx, &ids),
                more: ids.len().saturating_sub(LIST),
                name,
            }
        })
        .collect();
    terms.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    terms
}

// ---------------------------------------------------------------------------------------
// Competitors × funnel stages

#[derive(Debug, Serialize)]
pub struct MatrixRow {
    pub title: String,
    pub slug: String,
    pub path: String,
    /// Customers where we meet the competitor, per funnel stage (the config's order).
    pub stages: Vec<usize>,
    pub open_value_fmt: String,
    pub won: usize,
    pub lost: usize,
    /// Won ÷ (won + lost), when any deal against it has closed.
    pub win_rate_fmt: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MatrixView {
    pub stages: Vec<super::views::IdLabel>,
    pub rows: Vec<MatrixRow>,
    pub more: usize,
}

/// Where we meet each competitor, from the customer pages' `competitors:`: the competitors
/// with the most open value at stake first.
pub fn competitor_matrix(cx: &Ctx) -> MatrixView {
    let config = cx.config;
    let mut rows: Vec<(f64, MatrixRow)> = cx
        .site
        .of_kind(Kind::Competitor)
        .map(|(id, d)| {
            let r = competitor_record(cx.site, config, &cx.graph.met_by[id.0]);
            let row = MatrixRow {
                title: d.fm.title.clone(),
                slug: d.slug.clone(),
                path: super::url_escape(&d.path),
                open_value_fmt: cx.money(r.open_value),
                won: r.won,
                lost: r.lost,
                win_rate_fmt: r.win_rate().map(super::format::percent),
                stages: r.by_stage,
            };
            (r.open_value, row)
        })
        .collect();
    rows.sort_by(|a, b| larger_first(a.0, b.0).then_with(|| a.1.title.cmp(&b.1.title)));
    let more = rows.len().saturating_sub(LIST);
    MatrixView {
        stages: (0..config.stages.len())
            .map(|i| cx.stage(crate::model::StageIx(i)))
            .collect(),
        rows: rows.into_iter().take(LIST).map(|(_, r)| r).collect(),
        more,
    }
}
