//! Views of the generated pages: the home dashboard, the funnel, the tiers, section lists.

use serde::Serialize;

use super::format::{DateView, percent};
use super::views::{Ctx, IdLabel, PageRef, page_ref, section_label};
use crate::model::Kind;
use crate::sales::funnel::Funnel;
use crate::sales::tiers::TierFigures;
use crate::sales::{recently_updated, visit_plan};
use crate::site::DocId;

/// One bar of the SVG funnel chart, laid out at build time (viewBox units).
#[derive(Debug, Serialize)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// Baselines of the first and second text line beside the bar.
    pub line1: f64,
    pub line2: f64,
    pub center: f64,
}

#[derive(Debug, Serialize)]
pub struct StageView {
    pub id: String,
    pub label: String,
    pub probability_fmt: String,
    pub count: usize,
    pub value_fmt: String,
    pub weighted_fmt: String,
    pub conversion_fmt: Option<String>,
    pub closed: bool,
    /// The largest deals of the stage (all of them on the stage's own page).
    pub customers: Vec<PageRef>,
    /// How many customers are not in `customers`.
    pub more: usize,
    /// The stage's own page.
    pub path: String,
    pub bar: Option<Bar>,
}

#[derive(Debug, Serialize)]
pub struct DatedRef {
    pub date: DateView,
    pub page: PageRef,
}

#[derive(Debug, Serialize)]
pub struct FunnelView {
    pub stages: Vec<StageView>,
    pub open_count: usize,
    pub open_value_fmt: String,
    pub weighted_total_fmt: String,
    /// The most overdue deals (at most `OVERDUE_LIST`); `overdue_count` counts them all.
    pub overdue: Vec<DatedRef>,
    pub overdue_count: usize,
    pub outside_value_fmt: String,
    pub outside: Vec<PageRef>,
    pub small_order_threshold_fmt: Option<String>,
    pub unstaged: Vec<PageRef>,
    pub chart_width: f64,
    pub chart_height: f64,
    /// Where the left labels end and the right values start.
    pub label_x: f64,
    pub value_x: f64,
}

// The chart: stage names on the left, bars in the middle, values on the right.
const CHART_WIDTH: f64 = 480.0;
const LABEL_WIDTH: f64 = 118.0;
const BAR_AREA: f64 = 224.0;
const BAR_HEIGHT: f64 = 38.0;
const BAR_GAP: f64 = 8.0;
const MIN_BAR: f64 = 0.12;

/// How many customers a stage or tier shows on the funnel and tiers pages; the rest are on
/// the stage's or tier's own page.
pub const TOP: usize = 20;
/// How many entries the dashboard's lists show.
pub const HOME_LIST: usize = 20;
/// How many overdue deals the funnel page lists.
pub const OVERDUE_LIST: usize = 100;
pub use crate::plan::{PER_PAGE, list_page_path, sections};

/// `limit`: how many customers each stage lists (None: all).
/// `only`: list customers of that stage alone (a stage's own page).
pub fn funnel_view(cx: &Ctx, f: &Funnel, limit: Option<usize>, only: Option<usize>) -> FunnelView {
    let refs = |ix: usize, ids: &[DocId]| {
        if only.is_some_and(|o| o != ix) {
            return Vec::new();
        }
        ids.iter()
            .take(limit.unwrap_or(usize::MAX))
            .map(|id| page_ref(cx, *id))
            .collect::<Vec<_>>()
    };
    // The chart shows the open funnel plus won; lost deals are listed, not drawn.
    let drawn: Vec<usize> = f.stages.iter().filter(|s| s.is_drawn()).map(|s| s.ix).collect();
    let max = f
        .stages
        .iter()
        .filter(|s| s.is_drawn())
        .map(|s| s.value)
        .fold(0.0, f64::max);
    let stages = f
        .stages
        .iter()
        .map(|s| {
            let bar = drawn.iter().position(|i| *i == s.ix).map(|row| {
                let share = if max > 0.0 { s.value / max } else { 0.0 };
                let width = BAR_AREA * (MIN_BAR + (1.0 - MIN_BAR) * share);
                let y = row as f64 * (BAR_HEIGHT + BAR_GAP);
                let center = LABEL_WIDTH + BAR_AREA / 2.0;
                Bar {
                    x: center - width / 2.0,
                    y,
                    width,
                    height: BAR_HEIGHT,
                    line1: y + 16.0,
                    line2: y + 32.0,
                    center,
                }
            });
            StageView {
                id: s.id.clone(),
                label: s.label.clone(),
                probability_fmt: percent(s.probability),
                count: s.count,
                value_fmt: cx.money(s.value),
                weighted_fmt: cx.money(s.weighted),
                conversion_fmt: s.conversion.map(percent),
                closed: s.closed,
                customers: refs(s.ix, &s.customers),
                more: s.customers.len().saturating_sub(limit.unwrap_or(usize::MAX)),
                path: format!("funnel/{}/index.html", s.id),
                bar,
            }
        })
        .collect();
    FunnelView {
        stages,
        open_count: f.open_count,
        open_value_fmt: cx.money(f.open_value),
        weighted_total_fmt: cx.money(f.weighted_total),
        overdue_count: f.overdue.len(),
        overdue: f
            .overdue
            .iter()
            .take(if only.is_some() { 0 } else { OVERDUE_LIST })
            .filter_map(|id| {
                let close = cx.site.doc(*id).fm.customer.as_ref()?.expected_close?;
                Some(DatedRef {
                    date: cx.date(close, true),
                    page: page_ref(cx, *id),
                })
            })
            .collect(),
        outside_value_fmt: cx.money(f.outside_value),
        outside: f
            .outside
            .iter()
            .take(if only.is_some() { 0 } else { usize::MAX })
            .map(|id| page_ref(cx, *id))
            .collect(),
        small_order_threshold_fmt: (cx.config.small_order_threshold > 0.0)
            .then(|| cx.money(cx.config.small_order_threshold)),
        unstaged: f
            .unstaged
            .iter()
            .take(if only.is_some() { 0 } else { usize::MAX })
            .map(|id| page_ref(cx, *id))
            .collect(),
        chart_width: CHART_WIDTH,
        label_x: LABEL_WIDTH - 8.0,
        value_x: LABEL_WIDTH + BAR_AREA + 8.0,
        // No gap below the last bar; no bar at all (every stage lost) is an empty chart.
        chart_height: (drawn.len() as f64 * (BAR_HEIGHT + BAR_GAP) - BAR_GAP).max(0.0),
    }
}

#[derive(Debug, Serialize)]
pub struct TierView {
    pub id: String,
    pub label: String,
    pub meaning: String,
    pub strategy: String,
    pub count: usize,
    pub value_fmt: String,
    /// The largest accounts of the tier (all of them on the tier's own page).
    pub customers: Vec<PageRef>,
    pub more: usize,
    pub path: String,
}

#[derive(Debug, Serialize)]
pub struct TiersView {
    pub tiers: Vec<TierView>,
    pub untiered: Vec<PageRef>,
}

/// `only`: list customers of that tier alone (a tier's own page).
pub fn tiers_view(
    cx: &Ctx,
    tiers: &[TierFigures],
    untiered: &[DocId],
    limit: Option<usize>,
    only: Option<crate::model::Tier>,
) -> TiersView {
    let limit = limit.unwrap_or(usize::MAX);
    TiersView {
        tiers: tiers
            .iter()
            .map(|t| {
                let IdLabel { id, label } = cx.tier(t.tier);
                TierView {
                    meaning: cx.label("tier_meaning", &id),
                    strategy: cx.label("tier_strategy", &id),
                    id,
                    label,
                    count: t.customers.len(),
                    value_fmt: cx.money(t.value),
                    customers: t
                        .customers
                        .iter()
                        .take(if only.is_some_and(|o| o != t.tier) { 0 } else { limit })
                        .map(|id| page_ref(cx, *id))
                        .collect(),
                    more: t.customers.len().saturating_sub(limit),
                    path: format!("tiers/{}/index.html", t.tier.id()),
                }
            })
            .collect(),
        untiered: untiered
            .iter()
            .take(if only.is_some() { 0 } else { usize::MAX })
            .map(|id| page_ref(cx, *id))
            .collect(),
    }
}

#[derive(Debug, Serialize)]
pub struct HomeView {
    pub upcoming_visits: Vec<DatedRef>,
    pub upcoming_more: usize,
    pub overdue_visits: Vec<DatedRef>,
    pub overdue_more: usize,
    pub recently_updated: Vec<DatedRef>,
    pub intro: Option<String>,
}

pub fn home_view(cx: &Ctx, intro: Option<String>) -> HomeView {
    let (upcoming, overdue) = visit_plan(cx.site, cx.config, cx.today, 14);
    let dated = |v: &[(chrono::NaiveDate, DocId)], deadline: bool| {
        v.iter()
            .take(HOME_LIST)
            .map(|(d, id)| DatedRef {
                date: cx.date(*d, deadline),
                page: page_ref(cx, *id),
            })
            .collect::<Vec<_>>()
    };
    HomeView {
        upcoming_visits: dated(&upcoming, true),
        upcoming_more: upcoming.len().saturating_sub(HOME_LIST),
        overdue_visits: dated(&overdue, true),
        overdue_more: overdue.len().saturating_sub(HOME_LIST),
        recently_updated: dated(&recently_updated(cx.site, 10), false),
        intro,
    }
}

/// A navigation entry with its page count.
#[derive(Debug, Serialize)]
pub struct NavItem {
    pub key: String,
    pub label: String,
    pub path: String,
    pub count: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct SiteView {
    pub title: String,
    /// Whether the site has search (`search:` in the config): the box, the page, the index.
    pub search: bool,
    pub language: &'static str,
    pub base_url: String,
    pub currency: String,
    pub today: String,
    /// For `<meta name="sb-token">` in every page (see `render::token`).
    pub page_token: String,
    /// `<meta name="robots" content="noindex">` in every page ([`crate::facts::Facts::noindex`]).
    pub noindex: bool,
    pub nav: Vec<NavItem>,
    pub sections: Vec<NavItem>,
    /// Tags, industries, regions.
    pub browse: Vec<NavItem>,
    /// All pages by kind, sorted by title. Built only when a template uses them (see
    /// `Theme::uses_site_lists`): at 10,000 pages they are the largest part of the context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customers: Option<Vec<PageRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub competitors: Option<Vec<PageRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scripts: Option<Vec<PageRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub playbooks: Option<Vec<PageRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<Vec<PageRef>>,
    pub stages: Vec<IdLabel>,
    pub tiers: Vec<IdLabel>,
}

pub fn site_view(cx: &Ctx, with_lists: bool) -> SiteView {
    let by_kind = |kinds: &[Kind]| {
        if !with_lists {
            return None;
        }
        let mut v: Vec<PageRef> = cx
            .site
            .visible()
            .filter(|(_, d)| kinds.contains(&d.kind))
            .map(|(id, _)| page_ref(cx, id))
            .collect();
        v.sort_by(|a, b| a.title().cmp(b.title()));
        Some(v)
    };
    let customers = by_kind(&[Kind::Customer]);
    let competitors = by_kind(&[Kind::Competitor]);
    let scripts = by_kind(&[Kind::VisitScript]);
    let playbooks = by_kind(&[Kind::Spin, Kind::Fab, Kind::Guide]);
    let pages = by_kind(&[Kind::Page]);
    let count = |s: &str| cx.site.visible().filter(|(_, d)| d.section == s).count();
    let nav = vec![
        NavItem {
            key: "home".into(),
            label: cx.labels.get("nav_dashboard"),
            path: "index.html".into(),
            count: None,
        },
        NavItem {
            key: "funnel".into(),
            label: cx.labels.get("nav_funnel"),
            path: "funnel/index.html".into(),
            count: None,
        },
        NavItem {
            key: "board".into(),
            label: cx.labels.get("nav_board"),
            path: "board/index.html".into(),
            count: None,
        },
        NavItem {
            key: "progress".into(),
            label: cx.labels.get("nav_progress"),
            path: "progress/index.html".into(),
            count: None,
        },
        NavItem {
            key: "tiers".into(),
            label: cx.labels.get("nav_tiers"),
            path: "tiers/index.html".into(),
            count: None,
        },
        NavItem {
            key: "quadrant".into(),
            label: cx.labels.get("nav_quadrant"),
            path: "quadrant/index.html".into(),
            count: None,
        },
        NavItem {
            key: "visits".into(),
            label: cx.labels.get("nav_visits"),
            path: "visits/index.html".into(),
            count: None,
        },
        NavItem {
            key: "plan".into(),
            label: cx.labels.get("nav_plan"),
            path: "plan/index.html".into(),
            count: None,
        },
        NavItem {
            key: "reports".into(),
            label: cx.labels.get("nav_reports"),
            path: "reports/index.html".into(),
            count: None,
        },
        NavItem {
            key: "commitments".into(),
            label: cx.labels.get("nav_commitments"),
            path: "commitments/index.html".into(),
            count: None,
        },
        NavItem {
            key: "owners".into(),
            label: cx.labels.get("nav_owners"),
            path: "owners/index.html".into(),
            count: None,
        },
    ];
    let browse = ["tags", "industries", "regions"]
        .iter()
        .map(|k| NavItem {
            key: (*k).into(),
            label: cx.labels.get(&format!("nav_{k}")),
            path: format!("{k}/index.html"),
            count: None,
        })
        .collect();
    let sections = sections(cx)
        .into_iter()
        .map(|s| NavItem {
            label: section_label(cx, &s),
            path: super::url_escape(&format!("{s}/index.html")),
            count: Some(count(&s)),
            key: s,
        })
        .collect();
    SiteView {
        title: cx.config.title.clone(),
        search: cx.config.search,
        language: cx.config.language.id(),
        base_url: cx.config.base_url.clone(),
        currency: cx.config.currency.clone(),
        today: cx.today.format("%Y-%m-%d").to_string(),
        page_token: cx.page_token.clone(),
        noindex: cx.noindex(),
        nav,
        sections,
        browse,
        customers,
        competitors,
        scripts,
        playbooks,
        pages,
        stages: (0..cx.config.stages.len())
            .map(|i| cx.stage(crate::model::StageIx(i)))
            .collect(),
        tiers: crate::model::Tier::ALL.iter().map(|t| cx.tier(*t)).collect(),
    }
}

/// A section's list page.
#[derive(Debug, Serialize)]
pub struct SectionView {
    pub key: String,
    pub title: String,
    pub intro: Option<String>,
    /// The pages on this list page.
    pub pages: Vec<PageRef>,
    /// All pages of the section.
    pub total: usize,
    pub pager: Option<Pager>,
}

/// Links between the numbered pages of a long list.
#[derive(Debug, Serialize)]
pub struct Pager {
    pub current: usize,
    pub last: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// Page numbers to show around the current one (first and last always), 0 for a gap.
    pub links: Vec<PagerLink>,
}

#[derive(Debug, Serialize)]
pub struct PagerLink {
    pub n: usize,
    pub path: Option<String>,
    pub current: bool,
}

/// The summaries of page `n` (1-based) of a list, `PER_PAGE` a page.
pub fn page_slice(cx: &Ctx, ids: &[DocId], n: usize) -> Vec<PageRef> {
    crate::plan::page_of(ids, n)
        .iter()
        .map(|id| page_ref(cx, *id))
        .collect()
}

pub fn pager(base: &str, current: usize, last: usize) -> Option<Pager> {
    if last <= 1 {
        return None;
    }
    let mut links = Vec::new();
    for n in 1..=last {
        if n == 1 || n == last || n.abs_diff(current) <= 2 {
            links.push(PagerLink {
                n,
                path: Some(super::url_escape(&list_page_path(base, n))),
                current: n == current,
            });
        } else if links.last().is_some_and(|l: &PagerLink| l.path.is_some()) {
            links.push(PagerLink {
                n: 0,
                path: None,
                current: false,
            });
        }
    }
    Some(Pager {
        current,
        last,
        prev: (current > 1).then(|| super::url_escape(&list_page_path(base, current - 1))),
        next: (current < last).then(|| super::url_escape(&list_page_path(base, current + 1))),
        links,
    })
}
