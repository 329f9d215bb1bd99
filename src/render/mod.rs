//! Rendering: the theme (built in, overridable file by file), and every output file of a build.

pub mod brief;
mod clashes;
pub mod format;
pub mod generated;
pub mod insight;
pub mod theme;
pub mod token;
pub mod views;

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use rayon::prelude::*;
use tera::{Context, Value};

use crate::diagnostics::Diagnostic;
use crate::links::LinkTo;
use crate::model::{Kind, Tier};
use crate::parse::markdown::{self, Resolved};
use crate::sales::funnel::{Funnel, funnel_json};
use crate::sales::tiers::TierFigures;
use crate::site::{DocId, Site};
pub use theme::Theme;
use views::{Ctx, page_view, section_label};

/// One file of the output, by its path relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Shared, like the bytes: a reused page is handed on without copying anything.
    pub path: Arc<str>,
    /// Shared: the dev server keeps the bytes of the last good build without copying them.
    /// (An `Arc<Vec>`, not `Arc<[u8]>`: taking a rendered page's buffer is free, making an
    /// `Arc<[u8]>` of it copied every page once more.)
    pub bytes: Arc<Vec<u8>>,
    /// The content file a page was rendered from (`content/customers/a.md`).
    pub source: Option<Arc<str>>,
}

impl OutputFile {
    pub fn new(path: impl Into<Arc<str>>, bytes: impl Into<Vec<u8>>) -> Self {
        OutputFile {
            path: path.into(),
            bytes: Arc::new(bytes.into()),
            source: None,
        }
    }
}

/// The figures computed once per build and shared by every page.
pub struct Figures<'a> {
    pub funnel: &'a Funnel,
    pub tiers: &'a [TierFigures],
    pub untiered: &'a [DocId],
}

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

/// Escapes the characters that would end or change a URL (`%`, `?`, `#`, `\\`, spaces,
/// quotes, control characters); CJK stays readable. Every href made from a file name, a
/// folder name or a `slug:` goes through this: the file on disk keeps its name.
pub fn url_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    push_url_escaped(&mut out, path);
    out
}

fn push_url_escaped(out: &mut String, path: &str) {
    let special = |b: &u8| {
        matches!(
            b,
            b' ' | b'%' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
        ) || b.is_ascii_control()
    };
    if !path.as_bytes().iter().any(special) && !path.chars().any(char::is_control) {
        out.push_str(path);
        return;
    }
    for c in path.chars() {
        if (c.is_ascii() && special(&(c as u8))) || c.is_control() {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
}

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
        return Some(markdown::resolve_prerendered(html, &|i| {
            resolved(site, from_path, links, i)
        }));
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

/// Where rendered files go: collected in memory (the dev server, tests) or written as they
/// are rendered (`build`: memory does not grow with the size of the output).
pub trait Output: Sync {
    /// Whether the file at `path` rendered from inputs with fingerprint `print` is already
    /// there from an earlier build (and now kept): then it is not rendered again.
    fn reuse(&self, _path: &str, _print: u64) -> bool {
        false
    }
    /// Takes one rendered file; `print` is the fingerprint of its inputs, if it has one.
    fn put(&self, file: OutputFile, print: Option<u64>);

    /// A page the previous build of this process rendered from the same inputs (kept in the
    /// [`RenderMemo`]): handed on like a rendered one unless the output already has it.
    fn reused(&self, file: &OutputFile, print: u64) {
        self.put(file.clone(), Some(print));
    }
}

/// Collects the files in memory: every file, or (`only_changed`, for `serve`, which keeps
/// the last build's files) only those rendered again.
#[derive(Default)]
pub struct Collect {
    files: std::sync::Mutex<Vec<OutputFile>>,
    pub only_changed: bool,
}

impl Output for Collect {
    fn put(&self, file: OutputFile, _print: Option<u64>) {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).push(file);
    }

    fn reused(&self, file: &OutputFile, print: u64) {
        if !self.only_changed {
            self.put(file.clone(), Some(print));
        }
    }
}

impl Collect {
    pub fn new(only_changed: bool) -> Self {
        Collect {
            files: Default::default(),
            only_changed,
        }
    }

    pub fn into_files(self) -> Vec<OutputFile> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

/// Rendered pages of the previous builds, by output path, with the fingerprint of everything
/// their view was made from. A page whose fingerprint did not change is not rendered again.
/// A streaming build keeps no pages (`keep` false).
#[derive(Default)]
pub struct RenderMemo {
    pub keep: bool,
    pages: HashMap<Arc<str>, Memo, ahash::RandomState>,
    /// Counts the builds, for [`Memo::seen`].
    builds: u64,
    /// Section list orders, kept while no page's summary changes.
    members: (u64, HashMap<String, Vec<DocId>>),
    /// Each customer's part of the exports, kept with the pages.
    parts: crate::export::Parts,
    /// Leave the search index out, and hand over its input instead (`serve` makes it once
    /// the pages are served).
    pub defer_search: bool,
}

/// A page of an earlier build.
struct Memo {
    /// The fingerprint of its inputs; `None` when its last render failed (the file is the
    /// last good version).
    print: Option<u64>,
    file: OutputFile,
    /// The last build that had this page.
    seen: u64,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RenderStats {
    pub rendered: usize,
    pub reused: usize,
    /// Pages an earlier build of this process had and this one has not (their source went
    /// away or moved).
    pub removed: Vec<Arc<str>>,
}

/// A generated page.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Gen {
    Home,
    Funnel,
    Stage { ix: usize, page: usize, last: usize },
    Tiers,
    Tier { tier: Tier, page: usize, last: usize },
    Section { key: String, page: usize, last: usize },
    Quadrant,
    Visits,
    Owners,
    Owner { name: String, slug: String },
    Tags,
    Tag { name: String, slug: String },
    Industries,
    Regions,
    Search,
    NotFound,
}

enum Job {
    Page(DocId),
    Gen(Gen),
    /// A file of `exports/` (see [`crate::export`]), made alongside the pages.
    Export(crate::export::Export),
    /// A customer's visit brief (see [`brief`]).
    Brief(DocId),
}

/// Top-level names the generated pages use: no content folder may have them.
const RESERVED: [&str; 10] = [
    "funnel",
    "tiers",
    "quadrant",
    "visits",
    "owners",
    "tags",
    "industries",
    "regions",
    "exports",
    "search",
];

/// Build number, page, its template value, and its fact box and contacts as HTML.
type LastPage = (u64, DocId, Value, (Value, Value));

std::thread_local! {
    /// The template value and the shared parts of the customer page this thread rendered
    /// last, for its brief (rendered next): by build number and page.
    static LAST_PAGE: std::cell::Cell<Option<LastPage>> = const { std::cell::Cell::new(None) };
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

/// Numbers the builds of this process, for [`LAST_PAGE`].
static BUILDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A stable hasher for fingerprints (SipHash with fixed keys).
fn hasher() -> DefaultHasher {
    DefaultHasher::new()
}

/// Everything a build writes: pages, generated pages, `funnel.json`, theme and site static
/// files. Pages whose inputs did not change since the memo's build are taken from the memo.
pub fn render_all(
    cx: &Ctx,
    theme: &Theme,
    figures: &Figures,
    statics: Vec<OutputFile>,
    memo: &mut RenderMemo,
    out: &dyn Output,
) -> (Vec<Diagnostic>, RenderStats, Option<crate::search::Input>) {
    let site = cx.site;
    let mut diags = Vec::new();
    let site_view = generated::site_view(cx, theme.uses_site_lists);
    let global = {
        let mut h = hasher();
        (theme.stamp, cx.stamp).hash(&mut h);
        format!("{:?}", cx.config).hash(&mut h);
        cx.today.hash(&mut h);
        serde_json::to_string(&site_view).unwrap_or_default().hash(&mut h);
        h.finish()
    };
    let site_value = Value::from_serializable(&site_view);
    // The labels as a template value: made once per build (the list rows' cells took it too).
    let lang_value = match &cx.cells {
        Some((_, lang)) => lang.clone(),
        None => Value::from_serializable(cx.labels),
    };

    // The jobs, each with the fingerprint of its inputs.
    let mut jobs: Vec<(String, u64, Job)> = Vec::new();
    let customers: Vec<DocId> = site.of_kind(Kind::Customer).map(|(id, _)| id).collect();
    let summary_of = |ids: &mut dyn Iterator<Item = &DocId>, h: &mut DefaultHasher| {
        for id in ids {
            site.doc(*id).summary_hash.hash(h);
        }
    };
    let all_visible: u64 = {
        let mut h = hasher();
        site.visible().for_each(|(_, d)| d.summary_hash.hash(&mut h));
        site.sections.iter().for_each(|s| s.text.hash(&mut h));
        h.finish()
    };
    let gen_print = |g: &Gen, extra: u64| {
        let mut h = hasher();
        (global, format!("{g:?}"), extra).hash(&mut h);
        h.finish()
    };
    // The funnel's figures can count customers no list shows (`count_confidential`).
    let funnel_file = funnel_json(figures.funnel, site, cx.config, cx.today);
    let all_customers = {
        let mut h = hasher();
        summary_of(&mut customers.iter(), &mut h);
        funnel_file.hash(&mut h);
        h.finish()
    };
    jobs.push((
        "index.html".into(),
        gen_print(&Gen::Home, all_visible ^ all_customers),
        Job::Gen(Gen::Home),
    ));
    jobs.push((
        "funnel/index.html".into(),
        gen_print(&Gen::Funnel, all_customers),
        Job::Gen(Gen::Funnel),
    ));
    // Stage and tier pages are paginated; only page 1 shows the figures, so a deal moving
    // re-renders the pages its row leaves or joins, not every page of the stage.
    let per = generated::PER_PAGE;
    for s in &figures.funnel.stages {
        let last = s.customers.len().div_ceil(per).max(1);
        for page in 1..=last {
            let mut h = hasher();
            if page == 1 {
                // The stage's own figures (its conversion is on the funnel page: it depends on
                // the stages around it).
                (s.count, s.value.to_bits(), s.weighted.to_bits()).hash(&mut h);
            }
            summary_of(&mut s.customers.iter().skip((page - 1) * per).take(per), &mut h);
            let g = Gen::Stage { ix: s.ix, page, last };
            jobs.push((
                generated::list_page_path(&format!("funnel/{}", s.id), page),
                gen_print(&g, h.finish()),
                Job::Gen(g),
            ));
        }
    }
    jobs.push((
        "tiers/index.html".into(),
        gen_print(&Gen::Tiers, all_customers),
        Job::Gen(Gen::Tiers),
    ));
    for t in figures.tiers {
        let last = t.customers.len().div_ceil(per).max(1);
        for page in 1..=last {
            let mut h = hasher();
            if page == 1 {
                (t.customers.len(), t.value.to_bits()).hash(&mut h);
            }
            summary_of(&mut t.customers.iter().skip((page - 1) * per).take(per), &mut h);
            let g = Gen::Tier {
                tier: t.tier,
                page,
                last,
            };
            let base = format!("tiers/{}", t.tier.id());
            jobs.push((
                generated::list_page_path(&base, page),
                gen_print(&g, h.finish()),
                Job::Gen(g),
            ));
        }
    }
    // The pages that tell the team what to do next: they show every customer's summary.
    let every = all_visible ^ all_customers;
    for (path, g) in [
        ("quadrant/index.html", Gen::Quadrant),
        ("visits/index.html", Gen::Visits),
        ("owners/index.html", Gen::Owners),
        ("tags/index.html", Gen::Tags),
        ("industries/index.html", Gen::Industries),
        ("regions/index.html", Gen::Regions),
    ] {
        jobs.push((path.into(), gen_print(&g, every), Job::Gen(g)));
    }
    for e in crate::export::Export::ALL {
        let print = gen_print(&Gen::Quadrant, every ^ crate::load::hash(e.path().as_bytes()));
        jobs.push((e.path().into(), print, Job::Export(e)));
    }
    // An owner's page and a tag's page show only their own pages.
    let owned = insight::owners(cx);
    for (name, slug) in insight::owner_slugs(cx) {
        let mut h = hasher();
        summary_of(&mut owned.get(&name).into_iter().flatten(), &mut h);
        let g = Gen::Owner { name, slug };
        let Gen::Owner { slug, .. } = &g else { unreachable!() };
        jobs.push((
            format!("owners/{slug}/index.html"),
            gen_print(&g, h.finish()),
            Job::Gen(g),
        ));
    }
    // The pages of each tag, in one pass over the site (not one pass per tag).
    let mut tagged: HashMap<&str, Vec<DocId>> = HashMap::new();
    for (id, d) in site.visible() {
        for t in &d.fm.tags {
            tagged.entry(t.as_str()).or_default().push(id);
        }
    }
    for (name, slug) in insight::tag_slugs(cx) {
        let mut h = hasher();
        summary_of(&mut tagged.get(name.as_str()).into_iter().flatten(), &mut h);
        let g = Gen::Tag { name, slug };
        let Gen::Tag { slug, .. } = &g else { unreachable!() };
        jobs.push((
            format!("tags/{slug}/index.html"),
            gen_print(&g, h.finish()),
            Job::Gen(g),
        ));
    }
    if memo.members.0 != all_visible {
        memo.members = (all_visible, HashMap::new());
    }
    let members_of = &mut memo.members.1;
    for key in generated::sections(cx) {
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
            .or_insert_with(|| section_members(cx, &key));
        let last = members.len().div_ceil(generated::PER_PAGE).max(1);
        let intro = site.section_text(&key).map(|s| crate::load::hash(s.text.as_bytes()));
        for page in 1..=last {
            let mut h = hasher();
            (intro, members.len()).hash(&mut h);
            if key == "competitors" && page == 1 {
                // The matrix of where we meet each competitor shows every customer.
                all_customers.hash(&mut h);
            }
            summary_of(
                &mut members
                    .iter()
                    .skip((page - 1) * generated::PER_PAGE)
                    .take(generated::PER_PAGE),
                &mut h,
            );
            let g = Gen::Section {
                key: key.clone(),
                page,
                last,
            };
            jobs.push((
                generated::list_page_path(&key, page),
                gen_print(&g, h.finish()),
                Job::Gen(g),
            ));
        }
    }
    jobs.push(("404.html".into(), gen_print(&Gen::NotFound, 0), Job::Gen(Gen::NotFound)));
    if cx.config.search {
        jobs.push((
            "search/index.html".into(),
            gen_print(&Gen::Search, 0),
            Job::Gen(Gen::Search),
        ));
    }
    // What a customer's brief and its parts of the exports are made from (not its body):
    // its front matter and the competitors it names, and `extra`.
    let customer_print = |id: DocId, extra: u64| {
        let d = site.doc(id);
        let mut h = hasher();
        (global, extra, d.summary_hash, &d.path).hash(&mut h);
        for c in &cx.graph.competitor_refs[id.0] {
            site.doc(*c).summary_hash.hash(&mut h);
        }
        h.finish()
    };
    // A brief also shows some scripts and SPIN lists.
    let books = brief::playbooks(cx).print;
    let brief_print = |id: DocId| customer_print(id, books);

    // Pages whose URL a generated page already has.
    let mut pages = Vec::new();
    let mut briefs_taken = Vec::new();
    {
        let taken: HashSet<&str, ahash::RandomState> = jobs.iter().map(|(p, _, _)| p.as_str()).collect();
        let taken_msg = |d: &crate::site::ParsedDoc, by: &str| {
            let msg = format!(
                "this page's URL /{} is taken by {by}",
                d.path.trim_end_matches("index.html")
            );
            Diagnostic::error(&d.rel_path, msg).help("give the page another `slug:` or move it into a folder")
        };
        let mut maybe_brief = Vec::new();
        for (id, d) in site.visible() {
            if taken.contains(d.path.as_str()) {
                diags.push(taken_msg(d, "a generated page"));
            } else if d.path.ends_with("/brief/index.html") {
                maybe_brief.push(id);
            } else {
                pages.push(id);
            }
        }
        // A page at `customers/<slug>/brief/`, where the customer's brief goes (rare: only
        // then are the customers' paths looked at).
        if !maybe_brief.is_empty() {
            let briefs: HashSet<String> = customers
                .iter()
                .map(|id| site.doc(*id))
                .filter(|d| brief::has_brief(d))
                .map(brief::path_of)
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
    // A customer's brief right after its page: rendered one after the other on one thread,
    // the brief takes the page's template value instead of building its own.
    let page_jobs: Vec<(String, u64, Job)> = pages
        .into_par_iter()
        .flat_map_iter(|id| {
            let d = site.doc(id);
            let page = (d.path.clone(), page_fingerprint(cx, global, id), Job::Page(id));
            let brief = brief::has_brief(d).then(|| (brief::path_of(d), brief_print(id), Job::Brief(id)));
            std::iter::once(page).chain(brief)
        })
        .collect();
    jobs.extend(page_jobs);
    diags.extend(clashes::case_twins(site, &jobs));
    diags.extend(clashes::file_folder_clashes(site, &jobs, &statics, cx.config.search));

    let members_of = &memo.members.1.clone();
    let jobs_len = jobs.len();
    let mut stats = RenderStats::default();
    memo.builds += 1;
    let now = memo.builds;
    let mut todo = Vec::new();
    for (path, print, job) in jobs {
        if let Some(m) = memo.pages.get_mut(path.as_str()) {
            m.seen = now;
            if m.print == Some(print) {
                out.reused(&m.file, print);
                continue;
            }
        }
        todo.push((path, print, job));
    }
    // What the output already holds from an earlier build with the same inputs.
    let todo: Vec<_> = todo
        .into_par_iter()
        .filter(|(path, print, _)| !out.reuse(path, *print))
        .collect();
    stats.reused = jobs_len - todo.len();
    // The navigation is the same on every page of one depth and navigation key: rendered
    // once for each (a tenth of the render time went there), and handed to pages as HTML.
    let navs: std::sync::Mutex<HashMap<(String, String), Value>> = Default::default();
    let nav_errors: std::sync::Mutex<Vec<Diagnostic>> = Default::default();
    let nav = |root: &str, current: &str| -> Value {
        let key = (root.to_owned(), current.to_owned());
        if let Some(v) = navs.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return v.clone();
        }
        let mut c = Context::new();
        c.insert_value("site", site_value.clone());
        c.insert_value("lang", lang_value.clone());
        c.insert("root", root);
        c.insert("current", current);
        let html = match theme.render("partials/nav.html", &c) {
            Ok(bytes) => crate::load::utf8_lossy(&bytes).into_owned(),
            Err(d) => {
                push_unique(&mut nav_errors.lock().unwrap_or_else(|e| e.into_inner()), d);
                String::new()
            }
        };
        let v = Value::safe_string(&html);
        navs.lock().unwrap_or_else(|e| e.into_inner()).insert(key, v.clone());
        v
    };
    let base = |path: &str, current: &str| {
        let mut c = Context::new();
        let root = root_of(path);
        c.insert_value("site", site_value.clone());
        c.insert_value("lang", lang_value.clone());
        c.insert_value("nav_html", nav(&root, current));
        c.insert("root", &root);
        c.insert("current", current);
        c.insert("path", path);
        c
    };
    let keep = memo.keep;
    memo.parts.keep = keep;
    let parts = &memo.parts;
    let part_print = |id: DocId| customer_print(id, 0);
    let build = BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // SALESBOOK_TIMINGS=1: the pages that took longest to render.
    let slowest = std::env::var_os("SALESBOOK_TIMINGS").map(|_| std::sync::Mutex::new(Vec::new()));
    // The search index, before the pages: a streaming build writes it at once and lets each
    // page's terms go, so that its memory is free again when the pages render.
    let mut search = Vec::new();
    if cx.config.search && !memo.defer_search {
        let started = std::time::Instant::now();
        let mut input = crate::search::input(cx);
        let files = if keep {
            search = input.files();
            search.len()
        } else {
            input.release_terms = true;
            input.make(&|f| out.put(f, None))
        };
        if slowest.is_some() {
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            eprintln!("  search index {ms:>9.1} ms wall, {files} files");
        }
    }
    let rendered: Vec<(String, u64, Result<Option<OutputFile>, Diagnostic>)> = todo
        .into_par_iter()
        .map(|(path, print, job)| {
            let started = slowest.as_ref().map(|_| std::time::Instant::now());
            let kind = match &job {
                Job::Page(_) => "pages",
                Job::Gen(_) => "generated",
                Job::Export(_) => "exports",
                Job::Brief(_) => "briefs",
            };
            let result = match job {
                Job::Page(id) => {
                    let d = site.doc(id);
                    let links = &cx.graph.body_links[id.0];
                    let text = || d.text().map(|t| (t, d.body_offset));
                    let Some(html) = scanned_body_html(site, &d.path, &d.body, text, links) else {
                        let d = Diagnostic::error(&d.rel_path, "this file changed or went away during the build");
                        return (path, print, Err(d.help("build again")));
                    };
                    let mut c = base(&d.path, &d.section);
                    let value = page_view(cx, id, html).into_value();
                    c.insert_value("page", value.clone());
                    if brief::has_brief(d) {
                        // The fact box and the contacts, shown alike by the page and its brief.
                        let parts = match customer_parts(theme, &c) {
                            Ok(parts) => parts,
                            Err(e) => return (path, print, Err(e)),
                        };
                        c.insert_value("factbox_html", parts.0.clone());
                        c.insert_value("contacts_html", parts.1.clone());
                        LAST_PAGE.set(Some((build, id, value, parts)));
                    }
                    theme.render(&theme.template_for(d.kind), &c).map(|html| OutputFile {
                        path: path.as_str().into(),
                        bytes: html.into(),
                        source: Some(d.rel_path.as_str().into()),
                    })
                }
                Job::Gen(g) => {
                    let (template, mut c) = generated_context(cx, figures, members_of, &g, &path, base);
                    if g == Gen::NotFound {
                        // Served at any depth: its links start from the site's base URL.
                        c.insert_value("nav_html", nav(&cx.config.base_url, ""));
                    }
                    theme
                        .render(template, &c)
                        .map(|html| OutputFile::new(path.clone(), html))
                }
                Job::Export(e) => Ok(OutputFile::new(
                    path.clone(),
                    crate::export::make(cx, e, parts, &part_print),
                )),
                Job::Brief(id) => {
                    let d = site.doc(id);
                    let mut c = base(&path, &d.section);
                    let parts = match LAST_PAGE.take() {
                        Some((b, last, value, parts)) if b == build && last == id => {
                            c.insert_value("page", value);
                            Ok(parts)
                        }
                        _ => {
                            c.insert_value("page", page_view(cx, id, String::new()).into_value());
                            customer_parts(theme, &c)
                        }
                    };
                    let (factbox, contacts) = match parts {
                        Ok(parts) => parts,
                        Err(e) => return (path, print, Err(e)),
                    };
                    c.insert_value("factbox_html", factbox);
                    c.insert_value("contacts_html", contacts);
                    // The steps and SPIN part is the same for every customer of one stage
                    // and industry: rendered for the first of them.
                    let key = brief::playbook_key(cx, id, &path);
                    let ready = brief::has_playbook(cx, &key);
                    c.insert("brief", &brief::brief_view(cx, id, &path, !ready));
                    let playbook = brief::playbook_html(cx, key, || theme.render("partials/brief_playbook.html", &c));
                    match playbook {
                        Ok(v) => c.insert_value("playbook_html", v),
                        Err(e) => return (path, print, Err(e)),
                    }
                    theme.render("brief.html", &c).map(|html| OutputFile {
                        path: path.as_str().into(),
                        bytes: html.into(),
                        source: Some(d.rel_path.as_str().into()),
                    })
                }
            };
            // Handed on as soon as it is rendered; kept only when the memo keeps pages.
            let result = result.map(|mut f| {
                // Kept pages give back the spare room of their render buffer.
                if let Some(bytes) = Arc::get_mut(&mut f.bytes).filter(|_| keep) {
                    bytes.shrink_to_fit();
                }
                let kept = keep.then(|| f.clone());
                out.put(f, Some(print));
                kept
            });
            if let (Some(s), Some(t)) = (&slowest, started) {
                s.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((t.elapsed(), path.clone(), kind));
            }
            (path, print, result)
        })
        .collect();
    for (path, print, r) in rendered {
        match r {
            Ok(f) => {
                stats.rendered += 1;
                if let Some(f) = f {
                    let m = Memo {
                        print: Some(print),
                        file: f,
                        seen: now,
                    };
                    memo.pages.insert(Arc::clone(&m.file.path), m);
                }
            }
            Err(d) => {
                // Kept as the last good version, to be rendered again next time.
                if let Some(m) = memo.pages.get_mut(path.as_str()) {
                    m.print = None;
                }
                push_unique(&mut diags, d)
            }
        }
    }
    for d in nav_errors.into_inner().unwrap_or_else(|e| e.into_inner()) {
        push_unique(&mut diags, d);
    }
    if let Some(s) = slowest {
        let mut s = s.into_inner().unwrap_or_else(|e| e.into_inner());
        s.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (t, path, _) in s.iter().take(5) {
            eprintln!("  slowest page     {:>8.1} ms  {path}", t.as_secs_f64() * 1000.0);
        }
        // CPU time per kind of job, rendering and writing (summed over threads).
        let mut by_kind: Vec<(&str, std::time::Duration, usize)> = Vec::new();
        for (t, _, kind) in &s {
            match by_kind.iter_mut().find(|k| k.0 == *kind) {
                Some(k) => {
                    k.1 += *t;
                    k.2 += 1;
                }
                None => by_kind.push((kind, *t, 1)),
            }
        }
        for (kind, t, n) in by_kind {
            eprintln!("  {kind:<12} {:>9.1} ms cpu, {n} files", t.as_secs_f64() * 1000.0);
        }
    }
    // Made again every build; in the memo only to be told apart from files gone.
    let funnel = OutputFile::new("funnel.json", funnel_file.into_bytes());
    for f in std::iter::once(funnel).chain(statics).chain(search) {
        if keep {
            let m = Memo {
                print: None,
                file: f.clone(),
                seen: now,
            };
            memo.pages.insert(Arc::clone(&f.path), m);
        }
        out.put(f, None);
    }
    memo.pages.retain(|p, m| {
        if m.seen != now {
            stats.removed.push(Arc::clone(p));
        }
        m.seen == now
    });
    // Section texts may hold links; check them even when their list page was not rendered.
    for s in &site.sections {
        let file = if s.dir.is_empty() {
            "content/_index.md".to_owned()
        } else {
            format!("content/{}/_index.md", s.dir)
        };
        diags.extend(crate::links::resolve_section(site, s, &file).1);
    }
    let search = (memo.defer_search && cx.config.search).then(|| crate::search::input(cx));
    (diags, stats, search)
}

/// The pages listed on a section's list pages, largest deals first, then by title.
fn section_members(cx: &Ctx, key: &str) -> Vec<DocId> {
    let mut keyed: Vec<(f64, &str, DocId)> = cx
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
    keyed.sort_by(|a, b| crate::sales::deal::larger_first(a.0, b.0).then_with(|| a.1.cmp(b.1)));
    keyed.into_iter().map(|(_, _, id)| id).collect()
}

/// Everything a content page's view is made from: its own file, and what it shows of the
/// pages it links to, is linked from, references or is met by.
fn page_fingerprint(cx: &Ctx, global: u64, id: DocId) -> u64 {
    let site = cx.site;
    let d = site.doc(id);
    let mut h = hasher();
    (global, d.hash, &d.path).hash(&mut h);
    let g = cx.graph;
    for b in &g.backlinks[id.0] {
        site.doc(*b).summary_hash.hash(&mut h);
    }
    for l in g.body_links[id.0].iter() {
        l.as_ref()
            .map(|t| (site.doc(t.doc).summary_hash, &t.anchor))
            .hash(&mut h);
    }
    for c in g.competitor_refs[id.0].iter().chain(&g.met_by[id.0]) {
        site.doc(*c).summary_hash.hash(&mut h);
    }
    h.finish()
}

/// The template and context of a generated page.
fn generated_context<'a>(
    cx: &Ctx,
    figures: &Figures,
    members_of: &HashMap<String, Vec<DocId>>,
    g: &Gen,
    path: &str,
    base: impl Fn(&str, &str) -> Context,
) -> (&'a str, Context) {
    let site = cx.site;
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
            ("index.html", c)
        }
        Gen::Funnel => {
            let mut c = base(path, "funnel");
            c.insert(
                "funnel",
                &generated::funnel_view(cx, figures.funnel, Some(generated::TOP), None),
            );
            ("funnel.html", c)
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
            ("stage.html", c)
        }
        Gen::Tiers => {
            let mut c = base(path, "tiers");
            c.insert(
                "tiers",
                &generated::tiers_view(cx, figures.tiers, figures.untiered, Some(generated::TOP), None),
            );
            ("tiers.html", c)
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
            ("tier.html", c)
        }
        Gen::Section { key, page, last } => {
            let file = format!("content/{key}/_index.md");
            let text = site.section_text(key);
            let intro = text.filter(|_| *page == 1).map(|s| section_body(cx, s, path, &file));
            let members = members_of.get(key).map(Vec::as_slice).unwrap_or_default();
            let pages = generated::page_slice(cx, members, *page);
            let title = text
                .and_then(|t| t.title.clone())
                .unwrap_or_else(|| section_label(cx, key));
            let mut c = base(path, key);
            let view = generated::SectionView {
                key: key.clone(),
                title,
                intro,
                pages,
                total: members.len(),
                pager: generated::pager(key, *page, *last),
            };
            c.insert("section", &view);
            if key == "competitors" && *page == 1 {
                c.insert("matrix", &insight::competitor_matrix(cx));
            }
            ("section.html", c)
        }
        Gen::Quadrant => {
            let mut c = base(path, "quadrant");
            c.insert("quadrant", &insight::quadrant_view(cx));
            ("quadrant.html", c)
        }
        Gen::Visits => {
            let mut c = base(path, "visits");
            c.insert("visits", &insight::visits_view(cx));
            ("visits.html", c)
        }
        Gen::Owners => {
            let mut c = base(path, "owners");
            let owners: Vec<insight::OwnerView> = insight::owner_slugs(cx)
                .iter()
                .map(|(name, slug)| insight::owner_view(cx, name, slug, false))
                .collect();
            c.insert("owners", &owners);
            ("owners.html", c)
        }
        Gen::Owner { name, slug } => {
            let mut c = base(path, "owners");
            c.insert("owner", &insight::owner_view(cx, name, slug, true));
            ("owner.html", c)
        }
        Gen::Tags => {
            let mut c = base(path, "tags");
            let tags: Vec<insight::Term> = insight::tag_slugs(cx)
                .iter()
                .map(|(name, slug)| insight::tag_view(cx, name, slug, 0))
                .collect();
            c.insert("terms", &tags);
            c.insert("what", "tags");
            ("tags.html", c)
        }
        Gen::Tag { name, slug } => {
            let mut c = base(path, "tags");
            c.insert("term", &insight::tag_view(cx, name, slug, insight::LIST));
            ("tag.html", c)
        }
        Gen::Industries => {
            let mut c = base(path, "industries");
            c.insert(
                "groups",
                &insight::grouped_view(cx, |c| c.industry.as_ref(), &cx.labels.get("no_industry")),
            );
            c.insert("what", "industries");
            ("groups.html", c)
        }
        Gen::Regions => {
            let mut c = base(path, "regions");
            c.insert(
                "groups",
                &insight::grouped_view(cx, |c| c.region.as_ref(), &cx.labels.get("no_region")),
            );
            c.insert("what", "regions");
            ("groups.html", c)
        }
        Gen::Search => ("search.html", base(path, "search")),
        Gen::NotFound => {
            // The 404 page is served at any depth, so its links start from the site's base URL.
            let mut c = base(path, "");
            c.insert("root", &cx.config.base_url);
            ("404.html", c)
        }
    }
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
