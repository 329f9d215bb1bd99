//! Rendering: the theme (built in, overridable file by file), the typed views templates
//! receive, and the rendering of the plan's routes (pages, generated pages, briefs; exports
//! through `export`). Which routes exist is `plan`'s to say, which must be made again is
//! `incremental`'s.

pub mod brief;
/// The formatting helpers, long reached through `render`.
pub use crate::format;
pub mod generated;
pub mod insight;
pub mod theme;
pub mod token;
pub mod views;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use tera::{Context, Value};

use crate::diagnostics::Diagnostic;
pub use crate::facts::Figures;
use crate::incremental;
use crate::links::LinkTo;
pub use crate::output::{Collect, Output, OutputFile};
use crate::parse::markdown::{self, Resolved};
use crate::plan::{self, Gen, Job, Route};
use crate::sales::funnel::funnel_json;
use crate::site::{DocId, Site};
pub use theme::Theme;
use views::{Ctx, page_view, section_label};

/// `../../` for `customers/huadong/index.html`: the way back to the site root.
pub fn root_of(path: &str) -> String {
    let mut out = String::new();
    push_root(&mut out, path);
    out
}

/// Appends [`root_of`] `path`.
fn push_root(out: &mut String, path: &str) {
    for _ in 0..path.bytes().filter(|b| *b == b'/').count() {
        out.push_str("../");
    }
}

/// The href from page `from` (output path) to the target of a link.
fn href(site: &Site, from: &str, to: &LinkTo) -> String {
    let target = &site.doc(to.doc).path;
    let anchor = to.anchor.as_deref();
    if target == from {
        return match anchor {
            Some(a) => format!("#{a}"),
            None => "index.html".to_owned(),
        };
    }
    let mut out = String::with_capacity(from.len() + target.len() + anchor.map_or(0, |a| a.len() + 1));
    push_root(&mut out, from);
    push_url_escaped(&mut out, target);
    if let Some(a) = anchor {
        out.push('#');
        out.push_str(a);
    }
    out
}

pub use crate::model::{push_url_escaped, url_escape};

/// Renders a page body with its links resolved. `links[i]` is the i-th link `scan` found.
pub fn body_html(
    site: &Site,
    from_path: &str,
    text: &str,
    headings: &[markdown::Heading],
    links: &[Option<LinkTo>],
) -> String {
    markdown::render(text, headings, &|i| resolved(site, from_path, links, i))
}

/// A body's HTML from the form [`markdown::scan`] pre-rendered, or else from its text (read
/// by `text` with the body at `offset`); `None` when the text cannot be read again.
pub fn scanned_body_html<'t>(
    site: &Site,
    from_path: &str,
    body: &markdown::Body,
    text: impl FnOnce() -> Option<(std::borrow::Cow<'t, str>, usize)>,
    links: &[Option<LinkTo>],
) -> Option<String> {
    if let Some(html) = &body.html {
        return Some(html.html(&|i| resolved(site, from_path, links, i)));
    }
    let (text, offset) = text()?;
    Some(body_html(
        site,
        from_path,
        &text[offset.min(text.len())..],
        &body.headings,
        links,
    ))
}

/// The n-th site link of a page's body as it is written out.
fn resolved(site: &Site, from_path: &str, links: &[Option<LinkTo>], i: usize) -> Option<Resolved> {
    Some(match links.get(i)? {
        Some(to) => Resolved {
            url: href(site, from_path, to),
            title: Some(site.doc(to.doc).fm.title.clone()),
        },
        // Resolved to nothing: a same-page anchor of a section text, or a hidden target.
        None => Resolved {
            url: String::new(),
            title: None,
        },
    })
}

/// What rendering keeps between the builds of one builder: the files made (see
/// [`incremental::Memo`]) and each customer's part of the exports.
#[derive(Default)]
pub struct RenderMemo {
    pub keep: bool,
    pub files: incremental::Memo,
    /// Each customer's part of the exports, kept with the pages.
    parts: crate::export::Parts,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RenderStats {
    pub rendered: usize,
    pub reused: usize,
    /// Pages an earlier build of this process had and this one has not (their source went
    /// away or moved).
    pub removed: Vec<Arc<str>>,
}

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
struct Work {
    route: Route,
    print: u64,
    brief: Option<(Route, u64)>,
}

/// A file made (or not) by a job: its path, fingerprint, and the file when the memo keeps it.
type Made = (String, u64, Result<Option<OutputFile>, Diagnostic>);

/// Makes the files of the plan's routes ([`plan::routes`]) whose fingerprint changed since an
/// earlier build (the others are taken from it): pages, generated pages and briefs through
/// the theme, exports through [`crate::export::make`]. Then hands on what is made every
/// build: `funnel.json`, the static files and the search index (`search`).
pub fn render_all(
    cx: &Ctx,
    theme: &Theme,
    routes: Vec<Route>,
    statics: Vec<OutputFile>,
    search: Vec<OutputFile>,
    memo: &mut RenderMemo,
    out: &dyn Output,
) -> (Vec<Diagnostic>, RenderStats) {
    let site = cx.site;
    let site_view = generated::site_view(cx, theme.uses_site_lists);
    let site_json = serde_json::to_string(&site_view).unwrap_or_default();
    let global = incremental::hash_of((cx.stamp, site_json));
    let all_visible = incremental::all_visible(site);
    let mut diags = Vec::new();
    // The funnel's figures can count customers no list shows (`count_confidential`).
    let funnel_file = funnel_json(cx.figures.funnel, site, cx.config, cx.today);
    let books = brief::playbooks(cx).print;
    let members_of = memo.files.members().clone();
    let keys = incremental::Keys::new(cx, global, all_visible, &funnel_file, books, &members_of);
    let routes: Vec<(String, u64, Route)> = routes
        .into_par_iter()
        .map(|r| (r.path.clone(), incremental::fingerprint(&keys, &r.job), r))
        .collect();
    let total = routes.len();
    let todo = memo.files.stale(routes, out);
    let mut stats = RenderStats {
        reused: total - todo.len(),
        ..RenderStats::default()
    };
    let keep = memo.keep;
    memo.files.keep = keep;
    memo.parts.keep = keep;
    let r = Renderer {
        cx,
        theme,
        site_value: Value::from_serializable(&site_view),
        // The labels as a template value: made once per build (the list rows' cells took it too).
        lang_value: match &cx.cells {
            Some((_, lang)) => lang.clone(),
            None => Value::from_serializable(cx.labels),
        },
        navs: Default::default(),
        nav_errors: Default::default(),
        members_of: &members_of,
        parts: &memo.parts,
        keys: &keys,
        keep,
        out,
    };
    let slowest = crate::telemetry::Jobs::new();
    let made: Vec<Made> = pair_briefs(todo)
        .into_par_iter()
        .flat_map_iter(|w| r.work(w, slowest.as_ref()))
        .collect();
    for (path, print, result) in made {
        match result {
            Ok(f) => {
                stats.rendered += 1;
                if let Some(f) = f {
                    memo.files.made(f, Some(print));
                }
            }
            Err(d) => {
                // Kept as the last good version, to be rendered again next time.
                memo.files.failed(&path);
                push_unique(&mut diags, d)
            }
        }
    }
    for d in r.nav_errors.into_inner().unwrap_or_else(|e| e.into_inner()) {
        push_unique(&mut diags, d);
    }
    if let Some(s) = slowest {
        s.print();
    }
    // Made again every build; in the memo only to be told apart from files gone.
    let funnel = OutputFile::new("funnel.json", funnel_file.into_bytes());
    for f in std::iter::once(funnel).chain(statics).chain(search) {
        if keep {
            memo.files.made(f.clone(), None);
        }
        out.put(f, None);
    }
    stats.removed = memo.files.finish();
    (diags, stats)
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
struct Renderer<'a> {
    cx: &'a Ctx<'a>,
    theme: &'a Theme,
    site_value: Value,
    lang_value: Value,
    /// The navigation is the same on every page of one depth and navigation key: rendered
    /// once for each (a tenth of the render time went there), and handed to pages as HTML.
    navs: std::sync::Mutex<HashMap<(String, String), Value>>,
    nav_errors: std::sync::Mutex<Vec<Diagnostic>>,
    members_of: &'a HashMap<String, Vec<DocId>>,
    parts: &'a crate::export::Parts,
    keys: &'a incremental::Keys<'a>,
    /// Whether the memo keeps the files.
    keep: bool,
    out: &'a dyn Output,
}

/// A customer page's template value and the fact box and contacts it shares with its brief.
type PageParts = (Value, (Value, Value));

impl Renderer<'_> {
    /// Makes the file(s) of one unit of work, hands each to the output as soon as it is
    /// made, and says what became of it.
    fn work(&self, w: Work, slowest: Option<&crate::telemetry::Jobs>) -> Vec<Made> {
        let mut made = Vec::with_capacity(1 + w.brief.is_some() as usize);
        let started = slowest.map(|_| std::time::Instant::now());
        let mut shared = None;
        let result = match &w.route.job {
            Job::Page(id) => self.page(*id, &w.route, &mut shared),
            Job::Gen(g) => self.generated(g, &w.route),
            Job::Export(e) => Ok(OutputFile::new(
                w.route.path.clone(),
                crate::export::make(self.cx, *e, self.parts, &|id| incremental::customer_part(self.keys, id)),
            )),
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

    /// Hands a made file on as soon as it is made; kept only when the memo keeps files.
    fn hand_on(&self, path: String, print: u64, result: Result<OutputFile, Diagnostic>) -> Made {
        let result = result.map(|mut f| {
            // Kept pages give back the spare room of their render buffer.
            if let Some(bytes) = Arc::get_mut(&mut f.bytes).filter(|_| self.keep) {
                bytes.shrink_to_fit();
            }
            let kept = self.keep.then(|| f.clone());
            self.out.put(f, Some(print));
            kept
        });
        (path, print, result)
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

fn section_body(cx: &Ctx, s: &crate::site::SectionText, path: &str, file: &str) -> String {
    let (links, _) = crate::links::resolve_section(cx.site, s, file);
    let text = || Some((std::borrow::Cow::Borrowed(s.text.as_str()), s.body_offset));
    scanned_body_html(cx.site, path, &s.body, text, &links).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_and_escapes() {
        assert_eq!(root_of("index.html"), "");
        assert_eq!(root_of("customers/华东/index.html"), "../../");
        assert_eq!(url_escape("customers/a b/index.html"), "customers/a%20b/index.html");
        assert_eq!(
            url_escape("n/50%off/q?/a#b/x\\y/index.html"),
            "n/50%25off/q%3F/a%23b/x%5Cy/index.html"
        );
        assert_eq!(url_escape("华东\n"), "华东%0A");
    }
}
