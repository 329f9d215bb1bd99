//! The views of the figures over time: `/progress/` and `/owners/<rep>/progress/` (销售进展:
//! the weekly series as a table and a chart, `chart`, and this week's movement), a customer
//! page's timeline, and the forecast by period and the measured rates of `/funnel/`.

use serde::Serialize;

use super::chart::{ChartLabels, chart_svg};
use super::views::{Ctx, PageRef, page_ref};
use crate::history::Unavailable;
use crate::sales::movement::{Kind, movement};
use crate::sales::progress::WeekFigures;
use crate::sales::timeline::{Event, What, days_in_stage, timeline};
use crate::site::DocId;

/// One week's row.
#[derive(Debug, Serialize)]
pub struct WeekRow {
    pub week: String,
    pub start: String,
    pub end: String,
    /// The snapshot's commit, abbreviated; none for the working tree.
    pub commit: Option<String>,
    pub forecast_fmt: String,
    pub quarter: String,
    pub quarter_sales_fmt: String,
    pub quota_fmt: Option<String>,
    /// 销售进展 as a percentage (`+5.0%`).
    pub progress_fmt: Option<String>,
    /// `up`, `down` or `flat`, for the colour.
    pub trend: &'static str,
}

#[derive(Debug, Serialize)]
pub struct OwnerLink {
    pub name: String,
    pub path: String,
}

#[derive(Debug, Serialize)]
pub struct ProgressView {
    /// The rep whose figures these are; none for the team.
    pub owner: Option<String>,
    pub owner_path: Option<String>,
    /// Why there is no history (a sentence in the site's language); none when there is one.
    pub unavailable: Option<String>,
    /// Newest week first.
    pub weeks: Vec<WeekRow>,
    pub current: Option<WeekRow>,
    /// The chart, SVG text (escaped here).
    pub chart: String,
    /// The reps' own progress pages (the team's page only).
    pub owners: Vec<OwnerLink>,
    /// This week's movement, by kind (empty without history).
    pub movement: Vec<MovementGroup>,
}

/// A percentage with its sign, to a tenth.
pub fn percent(p: f64) -> String {
    format!("{:+.1}%", p * 100.0)
}

fn row(cx: &Ctx, w: &WeekFigures) -> WeekRow {
    WeekRow {
        week: w.week.to_string(),
        start: crate::format::ymd(w.week.monday),
        end: crate::format::ymd(w.week.sunday()),
        commit: w
            .commit
            .and_then(|i| cx.history.commits.get(i))
            .map(|c| c.id.chars().take(8).collect()),
        forecast_fmt: cx.money(w.forecast),
        quarter: w.quarter.to_string(),
        quarter_sales_fmt: cx.money(w.quarter_sales),
        quota_fmt: w.quota.map(|q| cx.money(q)),
        progress_fmt: w.progress.map(percent),
        trend: match w.progress {
            Some(p) if p > 0.0 => "up",
            Some(p) if p < 0.0 => "down",
            _ => "flat",
        },
    }
}

/// Why the pages show no history, in the site's language.
pub fn unavailable(cx: &Ctx) -> Option<String> {
    let h = cx.history;
    if h.is_available() {
        return None;
    }
    let key = match &h.unavailable {
        // Not read yet: `serve` reads it in the background and renders again when it is in.
        None => "history_pending",
        Some(Unavailable::NotARepository) => "history_none",
        Some(Unavailable::NoCommits) => "history_no_commits",
        Some(Unavailable::Shallow) => "history_shallow",
        Some(Unavailable::Unreadable(_)) => "history_unreadable",
    };
    Some(cx.labels.get(key))
}

/// The page of the team (`owner` None) or of one rep (name, slug).
pub fn progress_view(cx: &Ctx, owner: Option<(&str, &str)>) -> ProgressView {
    let p = cx.progress();
    let empty = Vec::new();
    let weeks = match owner {
        None => &p.team,
        Some((name, _)) => p.owners.get(name).unwrap_or(&empty),
    };
    let owners = match owner {
        Some(_) => Vec::new(),
        None => crate::plan::owner_slugs(cx.figures.owners)
            .into_iter()
            .map(|(name, slug)| OwnerLink {
                name,
                path: super::url_escape(&format!("owners/{slug}/progress/index.html")),
            })
            .collect(),
    };
    let labels = ChartLabels {
        title: match owner {
            Some((name, _)) => format!("{} · {name}", cx.labels.get("progress_title")),
            None => cx.labels.get("progress_title"),
        },
        forecast: cx.labels.get("progress_forecast"),
        sales: cx.labels.get("progress_quarter_sales"),
        quota: cx.labels.get("progress_quota"),
    };
    ProgressView {
        owner: owner.map(|(n, _)| n.to_owned()),
        owner_path: owner.map(|(_, s)| super::url_escape(&format!("owners/{s}/index.html"))),
        unavailable: unavailable(cx),
        weeks: weeks.iter().rev().map(|w| row(cx, w)).collect(),
        current: weeks.last().map(|w| row(cx, w)),
        chart: chart_svg(weeks, &labels, |v| cx.money(v)),
        owners,
        movement: movement_view(cx, owner.map(|(n, _)| n)),
    }
}

/// One row of the forecast by period.
#[derive(Debug, Serialize)]
pub struct BucketRow {
    pub period: String,
    pub count: usize,
    pub value_fmt: String,
    pub weighted_fmt: String,
}

#[derive(Debug, Serialize)]
pub struct BucketTable {
    pub caption: String,
    pub rows: Vec<BucketRow>,
}

/// The forecast by period (`partials/forecast.html`) of `/funnel/` and a rep's page.
#[derive(Debug, Serialize)]
pub struct ForecastView {
    /// By month, then by quarter.
    pub tables: [BucketTable; 2],
    pub overdue: BucketRow,
    pub undated: BucketRow,
    pub quarter: String,
    pub quota_fmt: Option<String>,
    pub won_so_far_fmt: String,
    /// Won so far as a share of the quota (`42.0%`).
    pub attained_fmt: Option<String>,
}

/// The forecast of the team (`owner` None: every customer the funnel counts) or of a rep.
pub fn forecast_view(cx: &Ctx, owner: Option<&str>) -> ForecastView {
    use crate::sales::forecast::{Bucket, forecast};
    let f = match owner {
        None => forecast(
            crate::sales::funnel::counted(cx.site, cx.config).map(|(_, c, _)| c),
            cx.config,
            cx.today,
            None,
        ),
        Some(name) => {
            let ids = cx.figures.owners.get(name).map(Vec::as_slice).unwrap_or_default();
            let customers = ids.iter().filter_map(|id| cx.site.doc(*id).fm.customer.as_deref());
            forecast(customers, cx.config, cx.today, Some(name))
        }
    };
    let row = |period: String, b: &Bucket| BucketRow {
        period,
        count: b.count,
        value_fmt: cx.money(b.value),
        weighted_fmt: cx.money(b.weighted),
    };
    ForecastView {
        tables: [
            BucketTable {
                caption: cx.labels.get("forecast_by_month"),
                rows: f
                    .months
                    .iter()
                    .map(|(m, b)| row(m.format("%Y-%m").to_string(), b))
                    .collect(),
            },
            BucketTable {
                caption: cx.labels.get("forecast_by_quarter"),
                rows: f.quarters.iter().map(|(q, b)| row(q.to_string(), b)).collect(),
            },
        ],
        overdue: row(cx.labels.get("overdue_closes"), &f.overdue),
        undated: row(cx.labels.get("forecast_undated"), &f.undated),
        quarter: f.quarter.to_string(),
        quota_fmt: f.quota.map(|q| cx.money(q)),
        won_so_far_fmt: cx.money(f.won_so_far),
        attained_fmt: f.quota.map(|q| format!("{:.1}%", f.won_so_far / q * 100.0)),
    }
}

/// One change of a customer, in words.
#[derive(Debug, Serialize)]
pub struct ChangeRow {
    pub date: String,
    /// The commit's author, or "uncommitted".
    pub author: String,
    pub uncommitted: bool,
    pub text: String,
}

/// A customer page's timeline: its changes newest first and its days in the current stage.
#[derive(Debug, Serialize)]
pub struct TimelineView {
    pub unavailable: Option<String>,
    pub changes: Vec<ChangeRow>,
    /// Older changes left out (the page shows the latest [`super::insight::LIST`]).
    pub more: usize,
    pub days_in_stage: Option<i64>,
}

fn stage_name(cx: &Ctx, s: Option<crate::model::StageIx>) -> String {
    s.map_or_else(|| "–".to_owned(), |s| cx.config.stage_label(s).to_owned())
}

/// A change in words: `阶段：线索 → 报价`.
pub fn change_text(cx: &Ctx, what: &What) -> String {
    let money = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| cx.money(v));
    let day = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "–".to_owned(), crate::format::ymd);
    match what {
        What::Appeared { stage } => format!("{} ({})", cx.labels.get("change_appeared"), stage_name(cx, *stage)),
        What::Stage { from, to } => format!(
            "{}: {} → {}",
            cx.labels.get("stage"),
            stage_name(cx, *from),
            stage_name(cx, *to)
        ),
        What::Value { from, to } => format!("{}: {} → {}", cx.labels.get("value"), money(*from), money(*to)),
        What::Close { from, to } => format!("{}: {} → {}", cx.labels.get("expected_close"), day(*from), day(*to)),
        What::Removed => cx.labels.get("change_removed"),
    }
}

fn change_row(cx: &Ctx, e: &Event) -> ChangeRow {
    ChangeRow {
        date: crate::format::ymd(e.date),
        author: e
            .author(cx.history)
            .map_or_else(|| cx.labels.get("progress_uncommitted"), str::to_owned),
        uncommitted: e.commit.is_none(),
        text: change_text(cx, &e.what),
    }
}

/// The timeline of the customer page `id`.
pub fn timeline_view(cx: &Ctx, id: DocId) -> TimelineView {
    let d = cx.site.doc(id);
    let events = timeline(cx.history, &d.rel_path, d.fm.customer.as_deref(), cx.today);
    TimelineView {
        unavailable: unavailable(cx),
        // Newest change first; the changes of one commit in their own order (stage, value,
        // close).
        changes: events
            .chunk_by(|a, b| (a.commit, a.date) == (b.commit, b.date))
            .rev()
            .flatten()
            .take(super::insight::LIST)
            .map(|e| change_row(cx, e))
            .collect(),
        more: events.len().saturating_sub(super::insight::LIST),
        days_in_stage: days_in_stage(&events, cx.today),
    }
}

/// One item of this week's movement.
#[derive(Debug, Serialize)]
pub struct MovementRow {
    pub page: PageRef,
    pub change: ChangeRow,
    /// For a stalled deal: `45 / 30` days.
    pub stalled: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MovementGroup {
    pub id: &'static str,
    pub label: String,
    /// All of the kind; `items` shows the first [`super::insight::LIST`].
    pub count: usize,
    pub more: usize,
    pub items: Vec<MovementRow>,
}

/// This week's movement of the team (`owner` None) or of one rep's customers.
pub fn movement_view(cx: &Ctx, owner: Option<&str>) -> Vec<MovementGroup> {
    let over = cx.over_time();
    let Some(rates) = over.rates.as_ref() else {
        return Vec::new();
    };
    let customers = over.events.iter().filter_map(|(id, events)| {
        let c = cx.site.doc(*id).fm.customer.as_deref()?;
        let mine = owner.is_none_or(|o| crate::sales::deal::owner(c) == Some(o));
        mine.then_some((*id, events.as_slice(), c))
    });
    let items = movement(customers, rates, cx.config, cx.today);
    Kind::ALL
        .iter()
        .map(|k| MovementGroup {
            id: k.id(),
            label: cx.label("movement", k.id()),
            count: items.iter().filter(|i| i.kind == *k).count(),
            more: items
                .iter()
                .filter(|i| i.kind == *k)
                .count()
                .saturating_sub(super::insight::LIST),
            items: items
                .iter()
                .filter(|i| i.kind == *k)
                .take(super::insight::LIST)
                .map(|i| MovementRow {
                    page: page_ref(cx, i.doc),
                    change: change_row(
                        cx,
                        &Event {
                            commit: i.commit,
                            date: i.date,
                            what: i.what.clone(),
                        },
                    ),
                    stalled: i.stalled.map(|(days, usual)| format!("{days} / {usual:.0}")),
                })
                .collect(),
        })
        .collect()
}

/// The measured rates beside the configured probabilities (on `/funnel/`).
#[derive(Debug, Serialize)]
pub struct RatesView {
    pub unavailable: Option<String>,
    pub from: String,
    pub to: String,
    pub stages: Vec<RateRow>,
    pub won: usize,
    pub lost: usize,
    pub win_rate_fmt: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RateRow {
    pub id: String,
    pub label: String,
    pub probability_fmt: String,
    pub exits: usize,
    pub conversion_fmt: Option<String>,
    pub median_days: Option<String>,
    pub usual_days: String,
}

pub fn rates_view(cx: &Ctx) -> RatesView {
    let Some(rates) = cx.over_time().rates.as_ref() else {
        return RatesView {
            unavailable: unavailable(cx),
            from: String::new(),
            to: String::new(),
            stages: Vec::new(),
            won: 0,
            lost: 0,
            win_rate_fmt: None,
        };
    };
    let pct = |v: f64| format!("{:.0}%", v * 100.0);
    RatesView {
        unavailable: unavailable(cx),
        from: crate::format::ymd(rates.from),
        to: crate::format::ymd(rates.to),
        stages: rates
            .stages
            .iter()
            .map(|r| RateRow {
                id: cx.config.stage_def(r.stage).id.clone(),
                label: cx.config.stage_label(r.stage).to_owned(),
                probability_fmt: pct(cx.config.stage_def(r.stage).probability),
                exits: r.exits,
                conversion_fmt: r.conversion.map(pct),
                median_days: r.median_days.map(|d| format!("{d:.0}")),
                usual_days: format!("{:.0}", crate::sales::rates::usual_days(rates, r.stage, cx.config)),
            })
            .collect(),
        won: rates.won,
        lost: rates.lost,
        win_rate_fmt: rates.win_rate.map(pct),
    }
}
