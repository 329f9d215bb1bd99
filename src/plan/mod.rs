//! The route table: every file a build writes, by its path in the output folder, with the
//! job that makes it and the template it is rendered with. This is the one place where a URL
//! is decided: list pages are cut into pages here (one paginator), the names the generated
//! pages take are reserved here, and a page whose URL is taken is reported here.
//!
//! Adding a generated page is one entry in [`Gen`] and one in [`routes`], plus its view and
//! template; what makes it render again is said in `incremental`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

mod clashes;

pub use clashes::clashes;

use crate::diagnostics::Diagnostic;
use crate::facts::Facts;
use crate::model::{Kind, Tier};
use crate::site::{DocId, ParsedDoc};

/// A generated page: one made from the site as a whole, not from one content file
/// (`Progress` is 销售进展: the team's, `owner` None, or one rep's, name and slug).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Gen {
    Home,
    Funnel,
    Stage {
        ix: usize,
        page: usize,
        last: usize,
    },
    Tiers,
    Tier {
        tier: Tier,
        page: usize,
        last: usize,
    },
    Section {
        key: String,
        page: usize,
        last: usize,
    },
    Quadrant,
    Visits,
    /// The pipeline board (`/board/`): one column per open stage.
    Board,
    Owners,
    Owner {
        name: String,
        slug: String,
    },
    Progress {
        owner: Option<(String, String)>,
    },
    Tags,
    Tag {
        name: String,
        slug: String,
    },
    /// The open commitments (`/commitments/`).
    Commitments,
    /// The team's weekly plan (`/plan/`).
    Plan,
    /// One rep's weekly plan (`/owners/<slug>/plan/`).
    OwnerPlan {
        name: String,
        slug: String,
    },
    /// The list of daily reports (`/reports/`), newest day first.
    Reports {
        page: usize,
        last: usize,
    },
    /// The visits logged on one day (`/reports/<YYYY-MM-DD>/`).
    Report {
        day: chrono::NaiveDate,
    },
    Industries,
    Regions,
    Search,
    NotFound,
}

impl Gen {
    /// The theme's template for the page.
    pub fn template(&self) -> &'static str {
        match self {
            Gen::Home => "index.html",
            Gen::Funnel => "funnel.html",
            Gen::Stage { .. } => "stage.html",
            Gen::Tiers => "tiers.html",
            Gen::Tier { .. } => "tier.html",
            Gen::Section { .. } => "section.html",
            Gen::Quadrant => "quadrant.html",
            Gen::Visits => "visits.html",
            Gen::Board => "board.html",
            Gen::Owners => "owners.html",
            Gen::Owner { .. } => "owner.html",
            Gen::Progress { .. } => "progress.html",
            Gen::Tags => "tags.html",
            Gen::Tag { .. } => "tag.html",
            Gen::Commitments => "commitments.html",
            Gen::Plan | Gen::OwnerPlan { .. } => "plan.html",
            Gen::Reports { .. } => "reports.html",
            Gen::Report { .. } => "report.html",
            Gen::Industries | Gen::Regions => "groups.html",
            Gen::Search => "search.html",
            Gen::NotFound => "404.html",
        }
    }
}

/// What makes one output file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Job {
    /// A content page.
    Page(DocId),
    Gen(Gen),
    /// A file of `exports/` (see [`crate::export`]), made alongside the pages.
    Export(Export),
    /// A customer's visit brief (`customers/<slug>/brief/`).
    Brief(DocId),
}

impl Job {
    /// The short name of the kind of job, for `SALESBOOK_TIMINGS`.
    pub fn kind(&self) -> &'static str {
        match self {
            Job::Page(_) => "pages",
            Job::Gen(_) => "generated",
            Job::Export(_) => "exports",
            Job::Brief(_) => "briefs",
        }
    }
}

/// One file of the output: where it goes and what makes it.
#[derive(Debug, Clone)]
pub struct Route {
    pub path: String,
    pub job: Job,
    /// The theme's template (none for exports, which are not HTML).
    pub template: Option<Cow<'static, str>>,
}

impl Route {
    fn new(path: impl Into<String>, job: Job, template: Option<Cow<'static, str>>) -> Self {
        Route {
            path: path.into(),
            job,
            template,
        }
    }

    fn generated(path: impl Into<String>, g: Gen) -> Self {
        let template = Some(Cow::Borrowed(g.template()));
        Route::new(path, Job::Gen(g), template)
    }
}

/// The export files, each made as one job beside the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Export {
    CustomersCsv,
    CustomersJson,
    VisitsIcs,
    /// `progress.json` at the site root: the weekly figures (`sales::progress`).
    ProgressJson,
    /// `exports/commitments.json` (see `crate::export::reminders`).
    CommitmentsJson,
    /// `exports/visits.json`.
    VisitsJson,
    /// One rep's `exports/visits-<slug>.ics`: the `n`-th of [`owner_slugs`].
    OwnerIcs(usize),
}

impl Export {
    /// The exports of every site (a rep's calendar is one per owner).
    pub const ALL: [Export; 6] = [
        Export::CustomersCsv,
        Export::CustomersJson,
        Export::VisitsIcs,
        Export::ProgressJson,
        Export::CommitmentsJson,
        Export::VisitsJson,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Export::CustomersCsv => "exports/customers.csv",
            Export::CustomersJson => "exports/customers.json",
            Export::VisitsIcs => "exports/visits.ics",
            Export::ProgressJson => "progress.json",
            Export::CommitmentsJson => "exports/commitments.json",
            Export::VisitsJson => "exports/visits.json",
            Export::OwnerIcs(_) => "exports/visits-owner.ics",
        }
    }

    /// A rep's calendar at `exports/visits-<slug>.ics`.
    pub fn owner_ics_path(slug: &str) -> String {
        format!("exports/visits-{slug}.ics")
    }
}

/// Top-level names the generated pages use: no content folder may have them.
pub const RESERVED: [&str; 15] = [
    "funnel",
    "board",
    "progress",
    "tiers",
    "quadrant",
    "visits",
    "owners",
    "tags",
    "industries",
    "regions",
    "exports",
    "search",
    "commitments",
    "plan",
    "reports",
];

/// Entries per page of a paginated list (a section, a stage, a tier).
pub const PER_PAGE: usize = 100;

/// The output path of page `n` (1-based) of the list at `base` (`customers`).
pub fn list_page_path(base: &str, n: usize) -> String {
    if n <= 1 {
        format!("{base}/index.html")
    } else {
        format!("{base}/page/{n}/index.html")
    }
}

/// A rep's plan page: `owners/<slug>/plan/`.
pub fn plan_path(slug: &str) -> String {
    format!("owners/{slug}/plan/index.html")
}

/// A report's path: `reports/<YYYY-MM-DD>/`.
pub fn report_path(day: chrono::NaiveDate) -> String {
    format!("reports/{}/index.html", crate::format::ymd(day))
}

/// The paginator: the pages of a list of `len` entries at `base`, as (path, page, last), with
/// page 1 (at `base/index.html`) there even for an empty list.
pub fn paginate(base: &str, len: usize) -> impl Iterator<Item = (String, usize, usize)> + '_ {
    let last = len.div_ceil(PER_PAGE).max(1);
    (1..=last).map(move |page| (list_page_path(base, page), page, last))
}

/// The entries of page `page` (1-based) of a list.
pub fn page_of<T>(items: &[T], page: usize) -> &[T] {
    let start = (page.max(1) - 1).saturating_mul(PER_PAGE).min(items.len());
    &items[start..(start + PER_PAGE).min(items.len())]
}

/// Top-level folders that hold pages, in navigation order (the four sales sections first).
pub fn sections(facts: &Facts) -> Vec<String> {
    let mut out: Vec<String> = ["customers", "competitors", "scripts", "playbooks"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for (_, d) in facts.site.visible() {
        if !d.section.is_empty() && !out.contains(&d.section) {
            out.push(d.section.clone());
        }
    }
    out[4..].sort();
    out
}

/// The pages listed on a section's list pages, largest deals first, then by title.
pub fn section_members(facts: &Facts, key: &str) -> Vec<DocId> {
    let mut keyed: Vec<(f64, &str, DocId)> = facts
        .site
        .visible()
        .filter(|(_, d)| d.section == key)
        .map(|(id, d)| {
            (
                d.fm.customer.as_deref().map_or(0.0, crate::sales::deal::deal_value),
                d.fm.title.as_str(),
                id,
            )
        })
        .collect();
    // Stable on both cores: a clean build sorts every section here, alone before the render.
    keyed.par_sort_by(|a, b| crate::sales::deal::larger_first(a.0, b.0).then_with(|| a.1.cmp(b.1)));
    keyed.into_iter().map(|(_, _, id)| id).collect()
}

/// Each name with a URL name made from it, unique among them (`-2`, `-3` … on a clash;
/// `fallback` for a name with nothing to make one from).
pub fn unique_slugs(names: impl Iterator<Item = String>, fallback: &str) -> Vec<(String, String)> {
    let mut used = HashSet::new();
    names
        .map(|name| {
            // Owners and tags are free text: checked into a folder name like every id.
            let base = crate::model::PathSegment::from_text(&name, fallback).into_string();
            let mut slug = base.clone();
            let mut n = 1;
            while !used.insert(slug.clone()) {
                n += 1;
                slug = format!("{base}-{n}");
            }
            (name, slug)
        })
        .collect()
}

/// Each owner's URL name (`owners/<slug>/`), unique among the owners.
pub fn owner_slugs(owners: &BTreeMap<String, Vec<DocId>>) -> Vec<(String, String)> {
    unique_slugs(owners.keys().cloned(), "owner")
}

/// Each tag's URL name (`tags/<slug>/`), unique among the tags, in the tags' order.
pub fn tag_slugs(facts: &Facts) -> Vec<(String, String)> {
    let mut tags: Vec<String> = facts
        .site
        .visible()
        .flat_map(|(_, d)| d.fm.tags.iter().cloned())
        .collect();
    tags.par_sort();
    tags.dedup();
    unique_slugs(tags.into_iter(), "tag")
}

/// A customer's visit brief, under its page.
pub fn brief_path(d: &ParsedDoc) -> String {
    format!("{}brief/index.html", d.path.trim_end_matches("index.html"))
}

/// Whether a page has a visit brief.
pub fn has_brief(d: &ParsedDoc) -> bool {
    d.kind == Kind::Customer
}

/// The route table of a build: every generated page, export, content page and brief, with
/// the problems of URLs found on the way (a folder with a reserved name, a page at a URL a
/// generated page or a brief has). `members_of` are the sections' member lists, kept between
/// builds while no page's summary changes (filled here for the sections it lacks).
pub fn routes(facts: &Facts, members_of: &mut HashMap<String, Vec<DocId>>) -> (Vec<Route>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut routes = generated_routes(facts, members_of, &mut diags);
    content_routes(facts, &mut routes, &mut diags);
    (routes, diags)
}

/// The generated pages and the exports.
fn generated_routes(
    facts: &Facts,
    members_of: &mut HashMap<String, Vec<DocId>>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Route> {
    let figures = &facts.figures;
    let mut routes = vec![
        Route::generated("index.html", Gen::Home),
        Route::generated("funnel/index.html", Gen::Funnel),
    ];
    for s in &figures.funnel.stages {
        for (path, page, last) in paginate(&format!("funnel/{}", s.id), s.customers.len()) {
            routes.push(Route::generated(path, Gen::Stage { ix: s.ix, page, last }));
        }
    }
    routes.push(Route::generated("tiers/index.html", Gen::Tiers));
    for t in figures.tiers {
        for (path, page, last) in paginate(&format!("tiers/{}", t.tier.id()), t.customers.len()) {
            routes.push(Route::generated(
                path,
                Gen::Tier {
                    tier: t.tier,
                    page,
                    last,
                },
            ));
        }
    }
    for (path, g) in [
        ("quadrant/index.html", Gen::Quadrant),
        ("visits/index.html", Gen::Visits),
        ("board/index.html", Gen::Board),
        ("owners/index.html", Gen::Owners),
        ("progress/index.html", Gen::Progress { owner: None }),
        ("tags/index.html", Gen::Tags),
        ("industries/index.html", Gen::Industries),
        ("regions/index.html", Gen::Regions),
        ("commitments/index.html", Gen::Commitments),
        ("plan/index.html", Gen::Plan),
    ] {
        routes.push(Route::generated(path, g));
    }
    let days: Vec<chrono::NaiveDate> = crate::sales::plan::logged_by_day(facts.site, facts.today)
        .into_keys()
        .rev()
        .collect();
    for (path, page, last) in paginate("reports", days.len()) {
        routes.push(Route::generated(path, Gen::Reports { page, last }));
    }
    for day in days {
        routes.push(Route::generated(report_path(day), Gen::Report { day }));
    }
    for e in Export::ALL {
        routes.push(Route::new(e.path(), Job::Export(e), None));
    }
    for (n, (name, slug)) in owner_slugs(facts.figures.owners).into_iter().enumerate() {
        let ics = Export::OwnerIcs(n);
        routes.push(Route::new(Export::owner_ics_path(&slug), Job::Export(ics), None));
        routes.push(Route::generated(
            plan_path(&slug),
            Gen::OwnerPlan {
                name: name.clone(),
                slug: slug.clone(),
            },
        ));
        routes.push(Route::generated(
            format!("owners/{slug}/progress/index.html"),
            Gen::Progress {
                owner: Some((name.clone(), slug.clone())),
            },
        ));
        routes.push(Route::generated(
            format!("owners/{slug}/index.html"),
            Gen::Owner { name, slug },
        ));
    }
    for (name, slug) in tag_slugs(facts) {
        routes.push(Route::generated(
            format!("tags/{slug}/index.html"),
            Gen::Tag { name, slug },
        ));
    }
    for key in sections(facts) {
        // A folder named like a generated page would have two list pages at one URL.
        if RESERVED.contains(&key.as_str()) {
            let msg = format!("the folder content/{key}/ has the name of a generated page (/{key}/)");
            diags.push(Diagnostic::error(format!("content/{key}"), msg).help(format!(
                "rename the folder; these names are taken: {}",
                RESERVED.join(", ")
            )));
            continue;
        }
        let members = members_of
            .entry(key.clone())
            .or_insert_with(|| section_members(facts, &key));
        for (path, page, last) in paginate(&key, members.len()) {
            let g = Gen::Section {
                key: key.clone(),
                page,
                last,
            };
            routes.push(Route::generated(path, g));
        }
    }
    routes.push(Route::generated("404.html", Gen::NotFound));
    if facts.config.search {
        routes.push(Route::generated("search/index.html", Gen::Search));
    }
    routes
}

/// The content pages and their briefs, each brief right after its page; a page whose URL a
/// generated page or a brief already has is reported and left out.
fn content_routes(facts: &Facts, routes: &mut Vec<Route>, diags: &mut Vec<Diagnostic>) {
    let site = facts.site;
    let mut pages = Vec::new();
    let mut briefs_taken = Vec::new();
    {
        let taken: HashSet<&str, ahash::RandomState> = routes.iter().map(|r| r.path.as_str()).collect();
        let taken_msg = |d: &ParsedDoc, by: &str| {
            let msg = format!(
                "this page's URL /{} is taken by {by}",
                d.path.trim_end_matches("index.html")
            );
            Diagnostic::error(&d.rel_path, msg).help("give the page another `slug:` or move it into a folder")
        };
        // Every page's URL is looked up on both cores (the plan runs alone, between the
        // links and the render); the pages keep their order.
        let taken_by: Vec<(DocId, bool, bool)> = (0..site.docs.len())
            .into_par_iter()
            .filter(|i| !site.hidden[*i])
            .map(|i| {
                let d = &site.docs[i];
                let path = d.path.as_str();
                (DocId(i), taken.contains(path), path.ends_with("/brief/index.html"))
            })
            .collect();
        let mut maybe_brief = Vec::new();
        for (id, taken, brief) in taken_by {
            if taken {
                diags.push(taken_msg(site.doc(id), "a generated page"));
            } else if brief {
                maybe_brief.push(id);
            } else {
                pages.push(id);
            }
        }
        // A page at `customers/<slug>/brief/`, where the customer's brief goes (rare: only
        // then are the customers' paths looked at).
        if !maybe_brief.is_empty() {
            let briefs: HashSet<String> = site
                .of_kind(Kind::Customer)
                .map(|(_, d)| d)
                .filter(|d| has_brief(d))
                .map(brief_path)
                .collect();
            for id in maybe_brief {
                let d = site.doc(id);
                if briefs.contains(&d.path) {
                    briefs_taken.push(taken_msg(d, "a customer's visit brief"));
                } else {
                    pages.push(id);
                }
            }
        }
    }
    diags.extend(briefs_taken);
    let page_routes: Vec<Route> = pages
        .par_iter()
        .flat_map_iter(|&id| {
            let d = site.doc(id);
            let page = Route::new(d.path.clone(), Job::Page(id), Some(Cow::Owned(d.kind.template())));
            let brief =
                has_brief(d).then(|| Route::new(brief_path(d), Job::Brief(id), Some(Cow::Borrowed("brief.html"))));
            std::iter::once(page).chain(brief)
        })
        .collect();
    routes.extend(page_routes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_paginator() {
        let pages: Vec<_> = paginate("customers", 0).collect();
        assert_eq!(pages, [("customers/index.html".to_owned(), 1, 1)]);
        let pages: Vec<_> = paginate("funnel/won", PER_PAGE * 2 + 1).map(|p| p.0).collect();
        assert_eq!(
            pages,
            [
                "funnel/won/index.html",
                "funnel/won/page/2/index.html",
                "funnel/won/page/3/index.html"
            ]
        );
        let items: Vec<usize> = (0..PER_PAGE + 5).collect();
        assert_eq!(page_of(&items, 2), &items[PER_PAGE..]);
        assert!(page_of(&items, 3).is_empty());
    }
}
