//! The view of `/progress/` and `/owners/<rep>/progress/` (销售进展): the weekly series as a
//! table and as a chart. The chart is SVG written here, on the server, so that the page
//! needs no script, opens from `file://` and prints; every text in it is escaped here.

use std::fmt::Write as _;

use serde::Serialize;

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
        changes: events
            .iter()
            .rev()
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
        let mine = owner.is_none_or(|o| crate::sales::progress::owner_of(c) == Some(o));
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

/// The words of the chart.
pub struct ChartLabels {
    pub title: String,
    pub forecast: String,
    pub sales: String,
    pub quota: String,
}

/// Text for SVG (XML): `&`, `<`, `>` and quotes escaped.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

const W: f64 = 760.0;
const H: f64 = 300.0;
const LEFT: f64 = 96.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 48.0;
const FORECAST: &str = "#2563eb";
const SALES: &str = "#16a34a";
const QUOTA: &str = "#b45309";

/// The chart: each week's forecast (a line), the quarter's sales so far (bars) and the
/// quarter's quota (a dashed step line), with each week's 销售进展 under its week when
/// there is room. Colours are attributes, not CSS, so that the chart prints as it shows.
pub fn chart_svg(weeks: &[WeekFigures], labels: &ChartLabels, money: impl Fn(f64) -> String) -> String {
    let mut s = String::new();
    let n = weeks.len();
    let max = weeks
        .iter()
        .flat_map(|w| [w.forecast, w.quarter_sales, w.quota.unwrap_or(0.0)])
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let min = weeks
        .iter()
        .flat_map(|w| [w.forecast, w.quarter_sales])
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::min);
    // Round gridlines: a step of 1, 2 or 5 × 10^k, about four of them.
    let raw = ((max - min) / 4.0).max(1.0);
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let (lo, hi) = ((min / step).floor() * step, ((max / step).ceil() * step).max(step));
    let ticks = ((hi - lo) / step).round().clamp(1.0, 12.0) as i32;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let slot = plot_w / n.max(1) as f64;
    let x = |i: usize| LEFT + slot * (i as f64 + 0.5);
    let y = |v: f64| TOP + plot_h * (1.0 - (v - lo) / (hi - lo));
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"progress-chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\" font-family=\"sans-serif\" font-size=\"11\">",
        esc(&labels.title)
    );
    let _ = write!(s, "<title>{}</title>", esc(&labels.title));
    // Grid and money axis.
    for k in 0..=ticks {
        let v = lo + step * f64::from(k);
        let gy = y(v);
        let _ = write!(
            s,
            "<line x1=\"{LEFT}\" y1=\"{gy:.1}\" x2=\"{:.1}\" y2=\"{gy:.1}\" stroke=\"#d4d4d8\" stroke-width=\"1\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#52525b\">{}</text>",
            W - RIGHT,
            LEFT - 6.0,
            gy + 4.0,
            esc(&money(v))
        );
    }
    // Quarter sales as bars.
    for (i, w) in weeks.iter().enumerate() {
        let (top, base) = (y(w.quarter_sales.max(0.0)), y(0.0_f64.max(lo)));
        let bw = (slot * 0.5).clamp(1.0, 36.0);
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"{SALES}\" fill-opacity=\"0.55\"><title>{} {}: {}</title></rect>",
            x(i) - bw / 2.0,
            top.min(base),
            (base - top).abs(),
            esc(&w.week.to_string()),
            esc(&labels.sales),
            esc(&money(w.quarter_sales))
        );
    }
    // The quota, one dashed step per week that has one.
    for (i, w) in weeks.iter().enumerate() {
        if let Some(q) = w.quota {
            let _ = write!(
                s,
                "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{QUOTA}\" stroke-width=\"2\" stroke-dasharray=\"6 3\"><title>{} {}: {}</title></line>",
                x(i) - slot / 2.0,
                y(q),
                x(i) + slot / 2.0,
                y(q),
                esc(&w.quarter.to_string()),
                esc(&labels.quota),
                esc(&money(q))
            );
        }
    }
    // The forecast as a line with a dot per week.
    let points: Vec<String> = weeks
        .iter()
        .enumerate()
        .map(|(i, w)| format!("{:.1},{:.1}", x(i), y(w.forecast)))
        .collect();
    if n > 1 {
        let _ = write!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{FORECAST}\" stroke-width=\"2\"/>",
            points.join(" ")
        );
    }
    for (i, w) in weeks.iter().enumerate() {
        let _ = write!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{FORECAST}\"><title>{} {}: {}</title></circle>",
            x(i),
            y(w.forecast),
            esc(&w.week.to_string()),
            esc(&labels.forecast),
            esc(&money(w.forecast))
        );
    }
    // Week names (every k-th, so that they do not overlap) and, with room, the progress.
    let every = n.div_ceil(12).max(1);
    for (i, w) in weeks.iter().enumerate() {
        if i % every != 0 && i + 1 != n {
            continue;
        }
        let name = w.week.to_string();
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#3f3f46\">{}</text>",
            x(i),
            H - BOTTOM + 16.0,
            esc(name.split_once('-').map_or(&name, |(_, w)| w))
        );
        if let Some(p) = w.progress.filter(|_| every == 1) {
            let colour = if p < 0.0 { "#b91c1c" } else { "#15803d" };
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{colour}\">{}</text>",
                x(i),
                H - BOTTOM + 32.0,
                esc(&super::progress::percent(p))
            );
        }
    }
    // The legend.
    let legend = [
        (FORECAST, &labels.forecast, "line"),
        (SALES, &labels.sales, "bar"),
        (QUOTA, &labels.quota, "dash"),
    ];
    let mut lx = LEFT;
    for (colour, text, kind) in legend {
        let mark = match kind {
            "bar" => format!(
                "<rect x=\"{lx:.1}\" y=\"10\" width=\"14\" height=\"10\" fill=\"{colour}\" fill-opacity=\"0.55\"/>"
            ),
            "dash" => format!(
                "<line x1=\"{lx:.1}\" y1=\"15\" x2=\"{:.1}\" y2=\"15\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>",
                lx + 14.0
            ),
            _ => format!(
                "<line x1=\"{lx:.1}\" y1=\"15\" x2=\"{:.1}\" y2=\"15\" stroke=\"{colour}\" stroke-width=\"2\"/>",
                lx + 14.0
            ),
        };
        s.push_str(&mark);
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"19\" fill=\"#18181b\">{}</text>",
            lx + 18.0,
            esc(text)
        );
        lx += 18.0 + 12.0 * text.chars().count() as f64 + 24.0;
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sales::period::{Quarter, Week};
    use chrono::NaiveDate;

    #[test]
    fn the_chart_escapes_every_text_and_draws_each_week() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
        let w = |i: u64, f: f64| WeekFigures {
            week: Week {
                monday: monday + chrono::Days::new(7 * i),
            },
            commit: None,
            forecast: f,
            quarter: Quarter::of(monday),
            quarter_sales: 10.0,
            quota: Some(100.0),
            progress: Some(-0.05),
        };
        let labels = ChartLabels {
            title: "<script>alert(1)</script> & \"x\"".into(),
            forecast: "F<".into(),
            sales: "S".into(),
            quota: "Q".into(),
        };
        let svg = chart_svg(&[w(0, 50.0), w(1, 60.0)], &labels, |v| format!("¥{v}"));
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;"), "{svg}");
        assert!(svg.contains("F&lt;"), "{svg}");
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("-5.0%"));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        // One week, no quota, all zero: still a chart, no division by zero.
        let mut one = w(0, 0.0);
        (one.quota, one.quarter_sales, one.progress) = (None, 0.0, None);
        let svg = chart_svg(&[one], &labels, |v| format!("{v}"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }
}
