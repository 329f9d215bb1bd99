//! Views of a rep's daily work: the open commitments to follow up (`/commitments/`), the
//! week's plan (`/plan/`, `/owners/<rep>/plan/`) and the daily reports (`/reports/`). The
//! rules (open, overdue, planned, logged) are `sales::commitments`' and `sales::plan`'s; this
//! formats them.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::format::DateView;
use super::generated::{Pager, pager};
use super::insight::{PlannedVisit, Scripts, planned_visit, visit_scripts};
use super::url_escape;
use super::views::{Ctx, PageRef, page_ref};
use crate::export::Export;
use crate::model::{Kind, VisitKind};
use crate::period::Week;
use crate::sales::commitments::{Commitment, open_in_order};
use crate::sales::plan::{Planned, logged_by_day, logged_on, tally, week_plan};
use crate::site::DocId;

/// One commitment as a list shows it: the customer, its owner (in the page ref), the visit
/// it came from and when it is due.
#[derive(Debug, Serialize)]
pub struct CommitmentRow {
    pub page: PageRef,
    pub text: String,
    pub due: Option<DateView>,
    pub overdue: bool,
    /// The date of the visit that recorded it.
    pub visit_date: Option<DateView>,
    pub visit_goal: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CommitmentsView {
    pub open: Vec<CommitmentRow>,
    pub overdue_count: usize,
    pub more: usize,
}

/// How many commitments a list shows before "and N more".
const LIST: usize = super::insight::LIST * 5;

pub fn commitment_row(cx: &Ctx, c: &Commitment) -> Option<CommitmentRow> {
    let v = cx.site.doc(c.customer).fm.customer.as_deref()?.visits.get(c.visit)?;
    Some(CommitmentRow {
        page: page_ref(cx, c.customer),
        text: v.commitment.clone().unwrap_or_default(),
        due: c.due.map(|d| cx.date(d, true)),
        overdue: c.overdue,
        visit_date: v.date.map(|d| cx.date(d, false)),
        visit_goal: v.goal.clone(),
    })
}

pub fn commitments_view(cx: &Ctx) -> CommitmentsView {
    let open = open_in_order(cx.site, cx.today);
    CommitmentsView {
        overdue_count: open.iter().filter(|c| c.overdue).count(),
        more: open.len().saturating_sub(LIST),
        open: open.iter().take(LIST).filter_map(|c| commitment_row(cx, c)).collect(),
    }
}

// ---------------------------------------------------------------------------------------
// The weekly plan (周工作计划)

/// A day of one rep's week.
#[derive(Debug, Serialize)]
pub struct PlanDay {
    pub date: DateView,
    pub weekday: String,
    pub is_today: bool,
    pub visits: Vec<PlannedVisit>,
    pub commitments: Vec<CommitmentRow>,
    pub closes: Vec<PageRef>,
    pub empty: bool,
}

/// An overdue visit or close, with the date it was due.
#[derive(Debug, Serialize)]
pub struct Late<T> {
    pub due: DateView,
    pub item: T,
}

/// One rep's week: carried-over items, then the days.
#[derive(Debug, Serialize)]
pub struct RepPlan {
    /// The rep's name; `None` for the customers with no owner.
    pub name: Option<String>,
    /// The rep's page (`owners/<slug>/`), plan and calendar feed, from the site root.
    pub owner_path: Option<String>,
    pub plan_path: Option<String>,
    pub ics_path: Option<String>,
    pub late_visits: Vec<Late<PlannedVisit>>,
    pub late_commitments: Vec<CommitmentRow>,
    pub late_closes: Vec<Late<PageRef>>,
    pub carried_over: bool,
    pub days: Vec<PlanDay>,
    pub empty: bool,
}

#[derive(Debug, Serialize)]
pub struct PlanView {
    /// `2026-W48`.
    pub week: String,
    pub from: String,
    pub to: String,
    pub reps: Vec<RepPlan>,
}

fn rep_plan(cx: &Ctx, scripts: &Scripts, name: Option<&str>, slug: Option<&str>, ids: &[DocId]) -> RepPlan {
    let p = week_plan(cx.site, cx.config, cx.today, ids.iter().copied());
    let customer = |id: DocId| cx.site.doc(id).fm.customer.as_deref();
    let visit = |pl: &Planned| {
        let c = customer(pl.customer)?;
        Some(planned_visit(cx, scripts, pl.customer, c, pl.day))
    };
    let days: Vec<PlanDay> = p
        .days
        .iter()
        .filter_map(|d| {
            let date = d.date?;
            Some(PlanDay {
                date: cx.date(date, false),
                weekday: cx
                    .labels
                    .get(&format!("weekday_{}", date.weekday().number_from_monday())),
                is_today: date == cx.today,
                visits: d.visits.iter().filter_map(visit).collect(),
                commitments: d.commitments.iter().filter_map(|k| commitment_row(cx, k)).collect(),
                closes: d.closes.iter().map(|id| page_ref(cx, *id)).collect(),
                empty: d.visits.is_empty() && d.commitments.is_empty() && d.closes.is_empty(),
            })
        })
        .collect();
    let c = &p.carried;
    RepPlan {
        name: name.map(str::to_owned),
        owner_path: slug.map(|s| url_escape(&format!("owners/{s}/index.html"))),
        plan_path: slug.map(|s| url_escape(&crate::plan::plan_path(s))),
        ics_path: slug.map(|s| url_escape(&Export::owner_ics_path(s))),
        late_visits: c
            .visits
            .iter()
            .filter_map(|pl| {
                Some(Late {
                    due: cx.date(pl.day, true),
                    item: visit(pl)?,
                })
            })
            .collect(),
        late_commitments: c.commitments.iter().filter_map(|k| commitment_row(cx, k)).collect(),
        late_closes: c
            .closes
            .iter()
            .map(|(d, id)| Late {
                due: cx.date(*d, true),
                item: page_ref(cx, *id),
            })
            .collect(),
        carried_over: !(c.visits.is_empty() && c.commitments.is_empty() && c.closes.is_empty()),
        empty: p.is_empty(),
        days,
    }
}

fn plan_frame(cx: &Ctx, reps: Vec<RepPlan>) -> PlanView {
    let week = Week::of(cx.today);
    PlanView {
        week: week.to_string(),
        from: crate::format::ymd(week.monday),
        to: crate::format::ymd(week.sunday()),
        reps,
    }
}

/// The team's plan: each rep's week (in the owners' order), then the customers with no
/// owner when they have anything this week.
pub fn team_plan_view(cx: &Ctx) -> PlanView {
    let scripts = visit_scripts(cx);
    let owners = cx.figures.owners;
    let mut reps: Vec<RepPlan> = crate::plan::owner_slugs(owners)
        .iter()
        .map(|(name, slug)| {
            let ids = owners.get(name).map(Vec::as_slice).unwrap_or_default();
            rep_plan(cx, &scripts, Some(name), Some(slug), ids)
        })
        .collect();
    let unowned: Vec<DocId> = cx
        .site
        .of_kind(Kind::Customer)
        .filter(|(_, d)| {
            d.fm.customer
                .as_deref()
                .is_some_and(|c| c.owner.as_deref().is_none_or(|o| o.trim().is_empty()))
        })
        .map(|(id, _)| id)
        .collect();
    let rest = rep_plan(cx, &scripts, None, None, &unowned);
    if !rest.empty {
        reps.push(rest);
    }
    plan_frame(cx, reps)
}

/// One rep's plan.
pub fn owner_plan_view(cx: &Ctx, name: &str, slug: &str) -> PlanView {
    let scripts = visit_scripts(cx);
    let ids = cx.figures.owners.get(name).map(Vec::as_slice).unwrap_or_default();
    let rep = rep_plan(cx, &scripts, Some(name), Some(slug), ids);
    plan_frame(cx, vec![rep])
}

// ---------------------------------------------------------------------------------------
// The daily reports (销售工作日报表)

#[derive(Debug, Serialize)]
pub struct ReportVisit {
    pub page: PageRef,
    pub kind: Option<String>,
    pub goal: Option<String>,
    pub outcome: Option<String>,
    pub commitment: Option<String>,
    pub commitment_due: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ReportRep {
    pub name: String,
    pub visits: Vec<ReportVisit>,
}

#[derive(Debug, Serialize)]
pub struct ReportView {
    pub date: String,
    pub weekday: String,
    pub count: usize,
    pub reps: Vec<ReportRep>,
}

fn owner_name(cx: &Ctx, owner: &Option<String>) -> String {
    owner.clone().unwrap_or_else(|| cx.labels.get("plan_no_owner"))
}

/// The visits logged on `day`, by rep (reps by name, no owner last; each rep's visits by
/// customer title).
pub fn report_view(cx: &Ctx, day: NaiveDate) -> ReportView {
    let logged = logged_on(cx.site, cx.today, day);
    // Keyed (no owner, owner): the reps by name, the customers with no owner last.
    type ByRep = BTreeMap<(bool, Option<String>), Vec<(String, ReportVisit)>>;
    let mut by_rep = ByRep::new();
    for l in &logged {
        let d = cx.site.doc(l.customer);
        let Some(c) = d.fm.customer.as_deref() else {
            continue;
        };
        let Some(v) = c.visits.get(l.visit) else {
            continue;
        };
        let owner = crate::sales::deal::owner(c).map(str::to_owned);
        by_rep.entry((owner.is_none(), owner)).or_default().push((
            d.fm.title.clone(),
            ReportVisit {
                page: page_ref(cx, l.customer),
                kind: v.kind.map(|k| cx.label("visit", k.id())),
                goal: v.goal.clone(),
                outcome: v.outcome.clone(),
                commitment: v.commitment.clone(),
                commitment_due: v.commitment_due.map(crate::format::ymd),
            },
        ));
    }
    ReportView {
        date: crate::format::ymd(day),
        weekday: cx
            .labels
            .get(&format!("weekday_{}", day.weekday().number_from_monday())),
        count: logged.len(),
        reps: by_rep
            .into_iter()
            .map(|((_, owner), mut visits)| {
                visits.sort_by(|a, b| a.0.cmp(&b.0));
                ReportRep {
                    name: owner_name(cx, &owner),
                    visits: visits.into_iter().map(|(_, v)| v).collect(),
                }
            })
            .collect(),
    }
}

#[derive(Debug, Serialize)]
pub struct ReportDay {
    pub date: String,
    pub weekday: String,
    pub path: String,
    pub count: usize,
}

#[derive(Debug, Serialize)]
pub struct TallyRow {
    pub rep: String,
    pub counts: Vec<usize>,
    pub total: usize,
}

/// A week of the report list: its days on this page, and its visits per rep and kind.
#[derive(Debug, Serialize)]
pub struct ReportWeek {
    pub week: String,
    pub kinds: Vec<String>,
    pub rows: Vec<TallyRow>,
    pub totals: Vec<usize>,
    pub total: usize,
    pub days: Vec<ReportDay>,
}

#[derive(Debug, Serialize)]
pub struct ReportsView {
    pub weeks: Vec<ReportWeek>,
    pub pager: Option<Pager>,
}

/// Page `page` of the report list: its days grouped by ISO week, each week with its visits
/// summed per rep and kind (the whole week's, also the days on other pages).
pub fn reports_view(cx: &Ctx, page: usize, last: usize) -> ReportsView {
    let logged = logged_by_day(cx.site, cx.today);
    let days: Vec<NaiveDate> = logged.keys().rev().copied().collect();
    let kinds: Vec<Option<VisitKind>> = VisitKind::ALL.iter().copied().map(Some).chain([None]).collect();
    let kind_labels: Vec<String> = kinds
        .iter()
        .map(|k| match k {
            Some(k) => cx.label("visit", k.id()),
            None => cx.labels.get("visit_kind_none"),
        })
        .collect();
    let mut weeks: Vec<ReportWeek> = Vec::new();
    let mut current: Option<Week> = None;
    for day in crate::plan::page_of(&days, page) {
        let week = Week::of(*day);
        if current != Some(week) {
            current = Some(week);
            let visits = logged.range(week.monday..=week.sunday()).flat_map(|(_, v)| v);
            let t = tally(cx.site, visits);
            let rows: Vec<TallyRow> = t
                .iter()
                .map(|(owner, by_kind)| {
                    let counts: Vec<usize> = kinds.iter().map(|k| by_kind.get(k).copied().unwrap_or(0)).collect();
                    TallyRow {
                        rep: owner_name(cx, owner),
                        total: counts.iter().sum(),
                        counts,
                    }
                })
                .collect();
            let totals: Vec<usize> = (0..kinds.len())
                .map(|i| rows.iter().map(|r| r.counts[i]).sum())
                .collect();
            weeks.push(ReportWeek {
                week: week.to_string(),
                kinds: kind_labels.clone(),
                total: totals.iter().sum(),
                totals,
                rows,
                days: Vec::new(),
            });
        }
        if let Some(w) = weeks.last_mut() {
            w.days.push(ReportDay {
                date: crate::format::ymd(*day),
                weekday: cx
                    .labels
                    .get(&format!("weekday_{}", day.weekday().number_from_monday())),
                path: url_escape(&crate::plan::report_path(*day)),
                count: logged.get(day).map_or(0, Vec::len),
            });
        }
    }
    ReportsView {
        weeks,
        pager: pager("reports", page, last),
    }
}
