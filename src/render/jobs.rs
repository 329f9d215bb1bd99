//! The jobs of rendering: a content page (with its customer's brief, when both are made), a
//! brief alone, a generated page. Each starts from the same context (site, labels, the
//! navigation rendered once per depth) and ends as one file handed to the output.

use std::collections::HashMap;

use rayon::prelude::*;
use tera::{Context, Value};

use super::views::{Ctx, page_view, section_label};
use super::{Output, OutputFile, Theme, brief, generated, insight, root_of, scanned_body_html};
use crate::diagnostics::Diagnostic;
use crate::incremental;
use crate::output::{Made, hand_on};
use crate::plan::{self, Gen, Job, Route};
use crate::site::DocId;
use crate::telemetry;

/// A customer's fact box and contacts (`partials/factbox.html`, `partials/contacts.html`),
/// rendered once for its page and its brief from the page's context (they hold no links).
fn customer_parts(theme: &Theme, c: &Context) -> Result<(Value, Value), Diagnostic> {
    let part = |name: &str| -> Result<Value, Diagnostic> {
        let bytes = theme.render(name, c)?;
        Ok(Value::safe_string(&crate::load::utf8_lossy(&bytes)))
    };
    Ok((part("partials/factbox.html")?, part("partials/contacts.html")?))
}

/// One unit of rendering work: a route whose file must be made, with its fingerprint. A
/// customer's page carries its brief when both must be made, so that the brief takes the
/// page's view and fact box instead of building its own.
pub(super) struct Work {
    route: Route,
    print: u64,
    brief: Option<(Route, u64)>,
}

/// The stale routes as units of work: a brief goes with its page when both are stale (the
/// plan lists each brief right after its page).
fn pair_briefs(todo: Vec<(String, u64, Route)>) -> Vec<Work> {
    let mut work: Vec<Work> = Vec::with_capacity(todo.len());
    for (_, print, route) in todo {
        if let (Job::Brief(id), Some(last)) = (&route.job, work.last_mut())
            && last.route.job == Job::Page(*id)
            && last.brief.is_none()
        {
            last.brief = Some((route, print));
            continue;
        }
        work.push(Work {
            route,
            print,
            brief: None,
        });
    }
    work
}

/// What every job of one build renders with.
pub struct Renderer<'a> {
    cx: &'a Ctx<'a>,
    theme: &'a Theme,
    site_value: Value,
    /// What the navigation shows of the site, as the JSON the templates get, hashed: every
    /// page's fingerprint covers it.
    site_hash: u64,
    lang_value: Value,
    /// The navigation is the same on every page of one depth and navigation key: rendered
    /// once for each (a tenth of the render time went there), and handed to pages as HTML.
    navs: std::sync::Mutex<HashMap<(String, String), Value>>,
    nav_errors: std::sync::Mutex<Vec<Diagnostic>>,
    members_of: &'a HashMap<String, Vec<DocId>>,
    /// Whether the memo keeps the files.
    keep: bool,
    out: &'a dyn Output,
}

/// A customer page's template value and the fact box and contacts it shares with its brief.
type PageParts = (Value, (Value, Value));

impl<'a> Renderer<'a> {
    /// `members_of`: the sections' member lists the plan was made from; `keep`: whether the
    /// memo keeps the files.
    pub fn new(
        cx: &'a Ctx<'a>,
        theme: &'a Theme,
        members_of: &'a HashMap<String, Vec<DocId>>,
        keep: bool,
        out: &'a dyn Output,
    ) -> Self {
        let site_view = generated::site_view(cx, theme.uses_site_lists);
        let site_json = serde_json::to_string(&site_view).unwrap_or_default();
        Renderer {
            cx,
            theme,
            site_value: Value::from_serializable(&site_view),
            site_hash: incremental::hash_of(site_json),
            // The labels as a template value: made once per build (the list rows' cells took
            // it too).
            lang_value: match &cx.cells {
                Some((_, lang)) => lang.clone(),
                None => Value::from_serializable(cx.labels),
            },
            navs: Default::default(),
            nav_errors: Default::default(),
            members_of,
            keep,
            out,
        }
    }

    /// What the navigation of every page shows of the site (see [`incremental::Keys`]).
    pub fn site_hash(&self) -> u64 {
        self.site_hash
    }

    /// Renders the stale routes (`todo`, exports left to their own stage), hands each file to
    /// the output as soon as it is made, and says what became of each; with the navigation's
    /// problems.
    pub fn render(
        self,
        todo: Vec<(String, u64, Route)>,
        slowest: Option<&telemetry::Jobs>,
    ) -> (Vec<Made>, Vec<Diagnostic>) {
        // Small pieces: rayon otherwise keeps a quarter of the list as one piece that no
        // other thread can take over, and the other core idles at the end.
        let made: Vec<Made> = pair_briefs(todo)
            .into_par_iter()
            .with_max_len(64)
            .flat_map_iter(|w| self.work(w, slowest))
            .collect();
        (made, self.nav_errors.into_inner().unwrap_or_else(|e| e.into_inner()))
    }

    /// Makes the file(s) of one unit of work, hands each to the output as soon as it is
    /// made, and says what became of it.
    fn work(&self, w: Work, slowest: Option<&telemetry::Jobs>) -> Vec<Made> {
        let mut made = Vec::with_capacity(1 + w.brief.is_some() as usize);
        let started = slowest.map(|_| std::time::Instant::now());
        let mut shared = None;
        let result = match &w.route.job {
            Job::Page(id) => self.page(*id, &w.route, &mut shared),
            Job::Gen(g) => self.generated(g, &w.route),
            // Made by their own stage (`export::stage`), never routed here.
            Job::Export(_) => return Vec::new(),
            Job::Brief(id) => self.brief(*id, &w.route, None),
        };
        if let (Some(s), Some(t)) = (slowest, started) {
            s.record(t, &w.route.path, w.route.job.kind());
        }
        made.push(self.hand_on(w.route.path, w.print, result));
        if let Some((route, print)) = w.brief {
            let started = slowest.map(|_| std::time::Instant::now());
            let Job::Brief(id) = route.job else {
                unreachable!("only briefs are paired with pages")
            };
            let result = self.brief(id, &route, shared);
            if let (Some(s), Some(t)) = (slowest, started) {
                s.record(t, &route.path, route.job.kind());
            }
            made.push(self.hand_on(route.path, print, result));
        }
        made
    }

    fn hand_on(&self, path: String, print: u64, result: Result<OutputFile, Diagnostic>) -> Made {
        hand_on(self.out, self.keep, path, print, result)
    }

    fn nav(&self, root: &str, current: &str) -> Value {
        let key = (root.to_owned(), current.to_owned());
        if let Some(v) = self.navs.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return v.clone();
        }
        let mut c = Context::new();
        c.insert_value("site", self.site_value.clone());
        c.insert_value("lang", self.lang_value.clone());
        c.insert("root", root);
        c.insert("current", current);
        let html = match self.theme.render("partials/nav.html", &c) {
            Ok(bytes) => crate::load::utf8_lossy(&bytes).into_owned(),
            Err(d) => {
                push_unique(&mut self.nav_errors.lock().unwrap_or_else(|e| e.into_inner()), d);
                String::new()
            }
        };
        let v = Value::safe_string(&html);
        self.navs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, v.clone());
        v
    }

    /// The context every page starts from: the site, the labels, the navigation, and where
    /// the page is.
    fn base(&self, path: &str, current: &str) -> Context {
        let mut c = Context::new();
        let root = root_of(path);
        c.insert_value("site", self.site_value.clone());
        c.insert_value("lang", self.lang_value.clone());
        c.insert_value("nav_html", self.nav(&root, current));
        c.insert("root", &root);
        c.insert("current", current);
        c.insert("path", path);
        c
    }

    fn template<'r>(&self, route: &'r Route) -> &'r str {
        route.template.as_deref().unwrap_or_default()
    }

    /// A content page; a customer's page also leaves its view and fact box in `shared`
    /// for its brief.
    fn page(&self, id: DocId, route: &Route, shared: &mut Option<PageParts>) -> Result<OutputFile, Diagnostic> {
        let (cx, site) = (self.cx, self.cx.site);
        let d = site.doc(id);
        let links = &cx.graph.body_links[id.0];
        let text = || d.text().map(|t| (t, d.body_offset));
        let Some(html) = scanned_body_html(site, &d.path, &d.body, text, links) else {
            let d = Diagnostic::error(&d.rel_path, "this file changed or went away during the build");
            return Err(d.help("build again"));
        };
        let mut c = self.base(&d.path, &d.section);
        let value = page_view(cx, id, html).into_value();
        c.insert_value("page", value.clone());
        if d.kind == crate::model::Kind::Customer {
            c.insert("timeline", &super::progress::timeline_view(cx, id));
        }
        if plan::has_brief(d) {
            // The fact box and the contacts, shown alike by the page and its brief.
            let parts = customer_parts(self.theme, &c)?;
            c.insert_value("factbox_html", parts.0.clone());
            c.insert_value("contacts_html", parts.1.clone());
            *shared = Some((value, parts));
        }
        self.theme.render(self.template(route), &c).map(|html| OutputFile {
            path: route.path.as_str().into(),
            bytes: html.into(),
            source: Some(d.rel_path.as_str().into()),
        })
    }

    /// A customer's visit brief, with its page's view and fact box when the page was just
    /// rendered.
    fn brief(&self, id: DocId, route: &Route, shared: Option<PageParts>) -> Result<OutputFile, Diagnostic> {
        let cx = self.cx;
        let d = cx.site.doc(id);
        let path = &route.path;
        let mut c = self.base(path, &d.section);
        let (factbox, contacts) = match shared {
            Some((value, parts)) => {
                c.insert_value("page", value);
                parts
            }
            None => {
                c.insert_value("page", page_view(cx, id, String::new()).into_value());
                customer_parts(self.theme, &c)?
            }
        };
        c.insert_value("factbox_html", factbox);
        c.insert_value("contacts_html", contacts);
        // The steps and SPIN part is the same for every customer of one stage and industry:
        // rendered for the first of them.
        let key = brief::playbook_key(cx, id, path);
        let ready = brief::has_playbook(cx, &key);
        c.insert("brief", &brief::brief_view(cx, id, path, !ready));
        let playbook = brief::playbook_html(cx, key, || self.theme.render("partials/brief_playbook.html", &c))?;
        c.insert_value("playbook_html", playbook);
        self.theme.render(self.template(route), &c).map(|html| OutputFile {
            path: path.as_str().into(),
            bytes: html.into(),
            source: Some(d.rel_path.as_str().into()),
        })
    }

    fn generated(&self, g: &Gen, route: &Route) -> Result<OutputFile, Diagnostic> {
        let base = |path: &str, current: &str| self.base(path, current);
        let mut c = generated_context(self.cx, self.members_of, g, &route.path, base);
        if *g == Gen::NotFound {
            // Served at any depth: its links start from the site's base URL.
            c.insert_value("nav_html", self.nav(&self.cx.config.base_url, ""));
        }
        self.theme
            .render(self.template(route), &c)
            .map(|html| OutputFile::new(route.path.clone(), html))
    }
}

/// The context of a generated page (its template is in its route).
fn generated_context(
    cx: &Ctx,
    members_of: &HashMap<String, Vec<DocId>>,
    g: &Gen,
    path: &str,
    base: impl Fn(&str, &str) -> Context,
) -> Context {
    match g {
        Gen::Home | Gen::Funnel | Gen::Stage { .. } | Gen::Tiers | Gen::Tier { .. } => {
            figures_context(cx, g, path, base)
        }
        Gen::Section { key, page, last } => section_context(cx, members_of, key, (*page, *last), path, base),
        Gen::Quadrant => {
            let mut c = base(path, "quadrant");
            c.insert("quadrant", &insight::quadrant_view(cx));
            c
        }
        Gen::Visits => {
            let mut c = base(path, "visits");
            c.insert("visits", &insight::visits_view(cx));
            c
        }
        Gen::Board => {
            let mut c = base(path, "board");
            c.insert("board", &super::board::board_view(cx));
            c
        }
        Gen::Owners => {
            let mut c = base(path, "owners");
            let owners: Vec<insight::OwnerView> = insight::owner_slugs(cx)
                .iter()
                .map(|(name, slug)| insight::owner_view(cx, name, slug, false))
                .collect();
            c.insert("owners", &owners);
            c
        }
        Gen::Owner { name, slug } => {
            let mut c = base(path, "owners");
            c.insert("owner", &insight::owner_view(cx, name, slug, true));
            c.insert("forecast", &super::progress::forecast_view(cx, Some(name)));
            c
        }
        Gen::Progress { owner } => {
            let mut c = base(path, if owner.is_some() { "owners" } else { "progress" });
            let owner = owner.as_ref().map(|(n, s)| (n.as_str(), s.as_str()));
            c.insert("progress", &super::progress::progress_view(cx, owner));
            c
        }
        Gen::Tags => {
            let mut c = base(path, "tags");
            let tags: Vec<insight::Term> = insight::tag_slugs(cx)
                .iter()
                .map(|(name, slug)| insight::tag_view(cx, name, slug, 0))
                .collect();
            c.insert("terms", &tags);
            c.insert("what", "tags");
            c
        }
        Gen::Tag { name, slug } => {
            let mut c = base(path, "tags");
            c.insert("term", &insight::tag_view(cx, name, slug, insight::LIST));
            c
        }
        Gen::Industries => {
            let mut c = base(path, "industries");
            c.insert(
                "groups",
                &insight::grouped_view(cx, |c| c.industry.as_ref(), &cx.labels.get("no_industry")),
            );
            c.insert("what", "industries");
            c
        }
        Gen::Regions => {
            let mut c = base(path, "regions");
            c.insert(
                "groups",
                &insight::grouped_view(cx, |c| c.region.as_ref(), &cx.labels.get("no_region")),
            );
            c.insert("what", "regions");
            c
        }
        Gen::Commitments => {
            let mut c = base(path, "commitments");
            c.insert("commitments", &super::daily::commitments_view(cx));
            c
        }
        Gen::Plan => {
            let mut c = base(path, "plan");
            c.insert("plan", &super::daily::team_plan_view(cx));
            c.insert("team", &true);
            c
        }
        Gen::OwnerPlan { name, slug } => {
            let mut c = base(path, "owners");
            c.insert("plan", &super::daily::owner_plan_view(cx, name, slug));
            c.insert("team", &false);
            c
        }
        Gen::Reports { page, last } => {
            let mut c = base(path, "reports");
            c.insert("reports", &super::daily::reports_view(cx, *page, *last));
            c
        }
        Gen::Report { day } => {
            let mut c = base(path, "reports");
            c.insert("report", &super::daily::report_view(cx, *day));
            c
        }
        Gen::Search => base(path, "search"),
        Gen::NotFound => {
            // The 404 page is served at any depth, so its links start from the site's base URL.
            let mut c = base(path, "");
            c.insert("root", &cx.config.base_url);
            c
        }
    }
}

/// The context of a page of sales figures: the home page, the funnel and the tiers, and the
/// (paginated) pages of a stage or a tier.
fn figures_context(cx: &Ctx, g: &Gen, path: &str, base: impl Fn(&str, &str) -> Context) -> Context {
    let site = cx.site;
    let figures = &cx.figures;
    match g {
        Gen::Home => {
            let home_intro = site
                .section_text("")
                .map(|s| section_body(cx, s, "index.html", "content/_index.md"));
            let mut c = base(path, "home");
            c.insert("home", &generated::home_view(cx, home_intro));
            c.insert("funnel", &generated::funnel_view(cx, figures.funnel, Some(0), None));
            c.insert(
                "tiers",
                &generated::tiers_view(cx, figures.tiers, figures.untiered, Some(0), None),
            );
            c
        }
        Gen::Funnel => {
            let mut c = base(path, "funnel");
            c.insert(
                "funnel",
                &generated::funnel_view(cx, figures.funnel, Some(generated::TOP), None),
            );
            c.insert("forecast", &super::progress::forecast_view(cx, None));
            c.insert("rates", &super::progress::rates_view(cx));
            c
        }
        Gen::Stage { ix, page, last } => {
            let mut c = base(path, "funnel");
            let figures_of = &figures.funnel.stages[*ix];
            let view = generated::funnel_view(cx, figures.funnel, Some(0), Some(*ix));
            let mut stage = view.stages.into_iter().find(|s| s.id == figures_of.id);
            if let Some(st) = stage.as_mut() {
                st.customers = generated::page_slice(cx, &figures_of.customers, *page);
            }
            c.insert("stage", &stage);
            c.insert(
                "pager",
                &generated::pager(&format!("funnel/{}", figures_of.id), *page, *last),
            );
            c
        }
        Gen::Tiers => {
            let mut c = base(path, "tiers");
            c.insert(
                "tiers",
                &generated::tiers_view(cx, figures.tiers, figures.untiered, Some(generated::TOP), None),
            );
            c
        }
        Gen::Tier { tier, page, last } => {
            let mut c = base(path, "tiers");
            let view = generated::tiers_view(cx, figures.tiers, figures.untiered, Some(0), Some(*tier));
            let mut tv = view.tiers.into_iter().find(|v| v.id == tier.id());
            if let (Some(tv), Some(f)) = (tv.as_mut(), figures.tiers.iter().find(|f| f.tier == *tier)) {
                tv.customers = generated::page_slice(cx, &f.customers, *page);
            }
            c.insert("tier", &tv);
            c.insert(
                "pager",
                &generated::pager(&format!("tiers/{}", tier.id()), *page, *last),
            );
            c
        }
        _ => base(path, ""),
    }
}

/// The context of page `page` of `last` of a section's list.
fn section_context(
    cx: &Ctx,
    members_of: &HashMap<String, Vec<DocId>>,
    key: &str,
    (page, last): (usize, usize),
    path: &str,
    base: impl Fn(&str, &str) -> Context,
) -> Context {
    let site = cx.site;
    let file = format!("content/{key}/_index.md");
    let text = site.section_text(key);
    let intro = text.filter(|_| page == 1).map(|s| section_body(cx, s, path, &file));
    let members = members_of.get(key).map(Vec::as_slice).unwrap_or_default();
    let pages = generated::page_slice(cx, members, page);
    let title = text
        .and_then(|t| t.title.clone())
        .unwrap_or_else(|| section_label(cx, key));
    let mut c = base(path, key);
    let view = generated::SectionView {
        key: key.to_owned(),
        title,
        intro,
        pages,
        total: members.len(),
        pager: generated::pager(key, page, last),
    };
    c.insert("section", &view);
    if key == "competitors" && page == 1 {
        c.insert("matrix", &insight::competitor_matrix(cx));
    }
    c
}

/// A template error is the same for every page that uses the template: report it once.
fn push_unique(diags: &mut Vec<Diagnostic>, d: Diagnostic) {
    if !diags.contains(&d) {
        diags.push(d);
    }
}

pub(super) fn section_body(cx: &Ctx, s: &crate::site::SectionText, path: &str, file: &str) -> String {
    let (links, _) = crate::links::resolve_section(cx.site, s, file);
    let text = || Some((std::borrow::Cow::Borrowed(s.text.as_str()), s.body_offset));
    scanned_body_html(cx.site, path, &s.body, text, &links).unwrap_or_default()
}
