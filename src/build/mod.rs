//! The Builder: the one pipeline that `build`, `check` and `serve` all use. It keeps each
//! file's parse keyed by content hash, so a rebuild re-parses only what changed.

mod sources;

use sources::CacheEntry;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use chrono::NaiveDate;

use crate::body;
use crate::config::{CONFIG_FILE, SiteConfig};
use crate::diagnostics::{self, Diagnostic};
use crate::facts::{Facts, Figures};
use crate::history::{History, Unavailable};
use crate::incremental;
use crate::load;
use crate::render::views::Ctx;
use crate::render::{self, OutputFile, Theme};
use crate::sales::{funnel, tiers};
use crate::site::{self, ParsedDoc, SectionText, Site};
use crate::telemetry;

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Include `draft: true` pages.
    pub drafts: bool,
    /// Leave confidential pages out.
    pub public: bool,
    /// Overrides `today:` of the config and the real date.
    pub today: Option<NaiveDate>,
}

/// What one run of the pipeline produced.
#[derive(Debug, Default)]
pub struct BuildResult {
    /// Everything that rendered. With errors this is partial: `build` writes nothing then,
    /// `serve` keeps the last good version of the broken pages.
    pub files: Vec<OutputFile>,
    pub diagnostics: Vec<Diagnostic>,
    pub pages: usize,
    pub parsed: usize,
    /// Pages rendered by this build, and pages taken unchanged from the previous one.
    pub render: render::RenderStats,
    pub elapsed: Duration,
    /// For `SALESBOOK_TIMINGS=1` and benchmarks, per stage: its name, wall time, resident
    /// memory at its end in MiB (Linux; 0 elsewhere), and the CPU time of all threads in it.
    pub timings: Vec<telemetry::Timing>,
    /// The search index's input, when the builder leaves the index to the caller (see
    /// [`BuildMode::Serve`]).
    pub search: Option<crate::search::Input>,
    /// What reading the git history did, when this build read it (see [`Builder::set_history`]).
    pub history: Option<crate::history::ReadStats>,
    /// The warning of a site without history (why, and what to do), once per builder. Kept
    /// apart from `diagnostics`, which are the content's and the same wherever the site is
    /// built (a copy in a temporary folder has no history); the command prints it with them.
    pub history_warning: Option<Diagnostic>,
}

impl BuildResult {
    /// The result of a build that stopped early with `diagnostics`.
    fn failed(diagnostics: Vec<Diagnostic>, pages: usize) -> Self {
        BuildResult {
            diagnostics,
            pages,
            ..BuildResult::default()
        }
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A reusable pipeline. `build` may be called again after files change.
pub struct Builder {
    pub opts: BuildOptions,
    /// Parses by file path (as an OsString: hashing its bytes is far cheaper than a Path's
    /// components, and this map is looked up for every file on every rebuild; with ahash, as
    /// the site's index, since a clean build fills it between the parse and the index on one core).
    cache: HashMap<std::ffi::OsString, Arc<CacheEntry>, ahash::RandomState>,
    /// The cache's entries in the order of `paths`, with the config stamp they were made
    /// for: a rebuild of a few known files updates just those places (looking up every file
    /// in the cache cost a rebuild 10 ms at 10,000 pages).
    ordered: Option<(u64, Vec<Arc<CacheEntry>>)>,
    /// How many files the last build parsed (the rest came from the cache).
    last_parsed: usize,
    /// Rendered pages of the last build, reused when their inputs did not change.
    memo: incremental::Memo,
    /// Each customer's part of the exports, kept with the files (see [`crate::export::Parts`]).
    parts: crate::export::Parts,
    /// The markdown files found by the last walk of `content/`, and what the walk reported.
    paths: Option<Vec<PathBuf>>,
    walk_diags: Vec<Diagnostic>,
    /// The last build's page index, reused while no page's identity changes.
    index: Option<Arc<site::Index>>,
    /// The last build's list entries, by page (see `Ctx::prev_refs`).
    refs: Vec<Option<crate::render::views::KeptRef>>,
    /// The last build's per-page link resolutions.
    links: crate::links::LinkCache,
    /// What the builder is for, which decides what it keeps between builds.
    mode: BuildMode,
    /// The last loaded theme, with the config it was loaded for.
    theme: Option<(u64, Arc<Theme>)>,
    /// The page token (see `render::token`); the process's own when none was given.
    page_token: Option<String>,
    /// The site's git history, with the key of the parse rules it was read with: read by the
    /// first build, or handed in by `serve`'s background reader ([`Builder::set_history`]).
    history: Option<(u64, Arc<History>)>,
    /// The history as a `--public` build shows it, with the key it was made for.
    shown_history: Option<(u64, Arc<History>)>,
    /// The warning of a history handed in, for the next build to report once.
    history_warning: Option<Diagnostic>,
    /// The search terms a lean build took out of its pages, until the index takes them.
    taken: body::Taken,
    /// Editors' unsaved texts, read instead of the disk (`salesbook lsp`).
    pub overlay: load::Overlay,
    /// The pages and links of the last build that got that far (not kept by a lean build).
    last_site: Option<Arc<SiteFacts>>,
    /// The problems the renders found (a template failing on a page's data), by route, and
    /// those of the navigation, which [`Builder::diagnose`] reports until the pages render
    /// again.
    route_problems: std::collections::BTreeMap<String, Diagnostic>,
    nav_problems: Vec<Diagnostic>,
    /// How many stale routes this render may make ([`Builder::render_problems`]), and
    /// whether the last one left some.
    slice: Option<usize>,
    owed: bool,
    /// The render memo holds fingerprints without the files' bytes
    /// ([`Builder::render_problems`]): a build that hands files on starts it again.
    bytes_dropped: bool,
}

/// The site as the last build saw it: what `salesbook lsp` looks pages up in (completion,
/// definition, references, rename) instead of reading every page again per request.
#[derive(Debug)]
pub struct SiteFacts {
    pub docs: Vec<Arc<ParsedDoc>>,
    /// Drafts left out of the build.
    pub hidden: Vec<bool>,
    pub graph: Arc<crate::links::LinkGraph>,
}

/// What a builder is used for. It decides what a build keeps in memory and what its result
/// holds; the output's bytes are the same in every mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildMode {
    /// Tests and tools: every result holds every file, and rendered pages are kept for the
    /// next build.
    Memory,
    /// One build whose memory does not grow with the size of the bodies or the output
    /// (`build`, `check`): at most `text_budget` bytes of page text are kept (the rest is read
    /// again when its page renders), and rendered pages go straight to the output.
    Stream { text_budget: usize },
    /// `serve`: results after the first hold only the files rendered again and, in
    /// `render.removed`, the pages gone (the server keeps the rest from the builds before);
    /// the search index is left out and its input handed over ([`BuildResult::search`]), to
    /// be made once the pages of a save are served.
    Serve,
}

impl BuildMode {
    /// Keeps nothing that grows with the size of the bodies or the output.
    fn lean(self) -> bool {
        matches!(self, BuildMode::Stream { .. })
    }

    /// How many bytes of page text a lean build keeps.
    fn text_budget(self) -> usize {
        match self {
            BuildMode::Stream { text_budget } => text_budget,
            _ => usize::MAX,
        }
    }
}

/// Where a run's rendered files go.
enum Sink<'a> {
    /// Into the result (`build`, `rebuild`).
    Collect,
    /// Into a [`Target`], opened only if nothing failed before rendering (`build_into`).
    Into(&'a dyn Target),
    /// Nowhere (`check`).
    Discard,
    /// Nothing rendered at all ([`Builder::diagnose`]).
    Unrendered,
    /// Nowhere, and only what can find a problem rendered ([`Builder::render_problems`]).
    Problems,
}

/// Drops every file it is given.
struct Discard;

impl render::Output for Discard {
    fn put(&self, _file: OutputFile, _print: Option<u64>) {}
    fn reused(&self, _file: &OutputFile, _print: u64) {}
}

/// Where a streaming build writes: opened only once the build is known to have no errors
/// before rendering, so that a failed build touches nothing.
pub trait Target: render::Output {
    fn open(&self) -> Result<(), Diagnostic>;
}

impl Builder {
    pub fn new(opts: BuildOptions) -> Self {
        Builder::with_mode(opts, BuildMode::Memory)
    }

    /// A builder for one streaming build into a [`Target`] (see [`Builder::build_into`]).
    pub fn lean(opts: BuildOptions) -> Self {
        Builder::with_mode(
            opts,
            BuildMode::Stream {
                text_budget: body::BUDGET,
            },
        )
    }

    pub fn with_mode(opts: BuildOptions, mode: BuildMode) -> Self {
        Builder {
            opts,
            cache: HashMap::default(),
            ordered: None,
            last_parsed: 0,
            memo: incremental::Memo::default(),
            parts: crate::export::Parts::default(),
            paths: None,
            walk_diags: Vec::new(),
            index: None,
            links: crate::links::LinkCache::default(),
            refs: Vec::new(),
            mode,
            theme: None,
            page_token: None,
            history: None,
            shown_history: None,
            history_warning: None,
            taken: body::Taken::default(),
            overlay: load::Overlay::default(),
            last_site: None,
            route_problems: Default::default(),
            nav_problems: Vec::new(),
            slice: None,
            owed: false,
            bytes_dropped: false,
        }
    }

    /// The pages and links of the last build (none before the first, or for a lean builder).
    pub fn last_site(&self) -> Option<&Arc<SiteFacts>> {
        self.last_site.as_ref()
    }

    /// The page token to write into every page and into the output (`build` passes the one
    /// its output folder keeps: see `render::token`).
    pub fn page_token(mut self, token: String) -> Self {
        self.page_token = Some(token);
        self
    }

    /// Runs the whole pipeline in memory.
    pub fn build(&mut self) -> BuildResult {
        self.keep_bytes();
        self.memo.keep = !self.mode.lean();
        self.run(None, Sink::Collect)
    }

    /// `check`: the whole pipeline, every page rendered (some problems show only then), and
    /// each file dropped as it renders; the result holds no files. A lean builder checks in
    /// the memory of a streaming build, where collecting the output would hold the whole site.
    pub fn check(&mut self) -> BuildResult {
        self.keep_bytes();
        self.memo.keep = false;
        self.run(None, Sink::Discard)
    }

    /// Runs the whole pipeline and hands each file to `target` as it renders; the result
    /// holds no files. Nothing is rendered (and `target` is not opened) when an error is
    /// found before rendering.
    pub fn build_into(&mut self, target: &dyn Target) -> BuildResult {
        self.keep_bytes();
        self.memo.keep = false;
        self.run(None, Sink::Into(target))
    }

    /// Runs the pipeline after the given markdown files changed in place: only they are read
    /// again (no walk of `content/`). Anything else (files created or removed, templates,
    /// config) needs [`Builder::build`].
    pub fn rebuild(&mut self, changed: &HashSet<PathBuf>) -> BuildResult {
        self.keep_bytes();
        self.memo.keep = !self.mode.lean();
        self.run(Some(changed), Sink::Collect)
    }

    /// `salesbook lsp` as a page is typed: the pipeline up to its render, so that a keystroke
    /// costs only the stages that judge the content (rendering the pages an edit touches
    /// took most of a keystroke's time, for HTML nobody reads). What only a render finds (a
    /// template failing on one page's data) is taken from the renders before, until
    /// [`Builder::render_problems`] renders the pages the edits touched; `check`'s diagnostics
    /// are those of `diagnose` after such a render. `changed` as for `rebuild`; `None`: every
    /// file (the first build, or the config changed).
    pub fn diagnose(&mut self, changed: Option<&HashSet<PathBuf>>) -> BuildResult {
        self.run(changed, Sink::Unrendered)
    }

    /// The render [`Builder::diagnose`] leaves out, for the problems only it finds: the pages
    /// the edits since the last render touched, each file dropped as it renders. The exports
    /// are not made: they are the site's figures in other formats, and find no problem. The
    /// memo keeps what was rendered by its fingerprint only: the bytes are not needed again
    /// (at 10,000 pages they were about half of the language server's memory).
    ///
    /// At most `slice` files are rendered, so that the language server can answer between
    /// slices (the first render of a 10,000-page site took it 0.4–0.7 s);
    /// [`Builder::render_owed`] says whether some were left. The result's diagnostics are
    /// what is known: those found before the render, and the render's as far as it went.
    pub fn render_problems(&mut self, slice: usize) -> BuildResult {
        self.bytes_dropped = true;
        self.slice = Some(slice);
        self.owed = false;
        self.memo.keep = !self.mode.lean();
        let result = self.run(Some(&HashSet::new()), Sink::Problems);
        self.slice = None;
        result
    }

    /// Whether the last [`Builder::render_problems`] left stale files unrendered.
    pub fn render_owed(&self) -> bool {
        self.owed
    }

    /// The problems the renders found, as far as they went (see `route_problems`).
    fn render_problems_known(&self, diags: &mut Vec<Diagnostic>) {
        for d in self.route_problems.values().chain(&self.nav_problems) {
            if !diags.contains(d) {
                diags.push(d.clone());
            }
        }
    }

    /// Forgets a render memo without bytes, whose files cannot be handed on.
    fn keep_bytes(&mut self) {
        if std::mem::take(&mut self.bytes_dropped) {
            self.memo = incremental::Memo::default();
        }
    }

    /// Hands in the history read elsewhere (`serve` reads it in the background): the next
    /// build shows it, and reports its warning if it has one.
    pub fn set_history(&mut self, read: HistoryRead) {
        self.history_warning = read.history.unavailable.as_ref().map(Unavailable::warning);
        self.history = Some((read.rules, Arc::new(read.history)));
    }

    /// What reading this site's history needs, to read it on another thread
    /// ([`HistoryJob::run`]) and hand it in with [`Builder::set_history`].
    pub fn history_job(&self) -> HistoryJob {
        HistoryJob {
            root: self.opts.root.clone(),
            public: self.opts.public,
            drafts: self.opts.drafts,
        }
    }

    /// The history this build shows: read now if none was read for these parse rules (the
    /// first build, or the config's stages changed), except in `serve`, whose first builds
    /// go on without it until the background reader hands it in. A `--public` build shows
    /// nothing of a page that is confidential now. `skip`: `check`, which reports nothing
    /// that depends on the history, does not read it.
    fn history(
        &mut self,
        config: &SiteConfig,
        site: &Site,
        skip: bool,
    ) -> (Arc<History>, Option<crate::history::ReadStats>) {
        if skip {
            return (Arc::new(History::default()), None);
        }
        let job = self.history_job();
        let rules = job.rules(config);
        let key = crate::history::rules_key(rules);
        let mut stats = None;
        let stale = self.history.as_ref().is_none_or(|(k, _)| *k != key);
        if stale && (self.mode != BuildMode::Serve || self.history.is_some()) {
            let (history, s) = crate::history::read(&job.root, rules);
            stats = Some(s);
            self.set_history(HistoryRead { rules: key, history });
        }
        let Some((_, history)) = &self.history else {
            return (Arc::new(History::default()), stats);
        };
        if !self.opts.public {
            return (Arc::clone(history), stats);
        }
        let secret: Vec<&str> = site
            .docs
            .iter()
            .filter(|d| d.fm.confidential)
            .map(|d| d.rel_path.as_str())
            .collect();
        let shown_key = incremental::hash_of((Arc::as_ptr(history) as usize, &secret));
        if let Some((k, shown)) = &self.shown_history
            && *k == shown_key
        {
            return (Arc::clone(shown), stats);
        }
        let shown = Arc::new(history.without(&secret));
        self.shown_history = Some((shown_key, Arc::clone(&shown)));
        (shown, stats)
    }

    /// The pipeline, one stage a line: each takes what the stages before it made.
    fn run(&mut self, changed: Option<&HashSet<PathBuf>>, sink: Sink) -> BuildResult {
        let start = Instant::now();
        let root = self.opts.root.clone();
        let config = match load_config_with(&root, &self.overlay) {
            Ok(c) => c,
            Err(d) => return finish(BuildResult::failed(d, 0), start),
        };
        let today = self
            .opts
            .today
            .or_else(|| config.today())
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let mut stages = telemetry::Stages::start();
        let mut diags = Vec::new();
        let theme = self.theme(&root, &config, changed, &mut diags);
        stages.mark("config+theme");
        let paths = self.sources(&root, changed, &mut diags);
        stages.mark("load");
        let (docs, sections) = self.parse(&root, paths, changed, &config, &mut diags);
        stages.mark("parse");
        let site = self.site(docs, sections, &mut diags);
        stages.mark("index");
        let (graph, d) = crate::links::resolve_cached(&site, &mut self.links);
        diags.extend(d);
        if !self.mode.lean() {
            self.last_site = Some(Arc::new(SiteFacts {
                docs: site.docs.clone(),
                hidden: site.hidden.clone(),
                graph: Arc::clone(&graph),
            }));
        }
        let Some(theme) = theme else {
            return finish(BuildResult::failed(diags, site.visible().count()), start);
        };
        diags.extend(section_link_problems(&site));
        diags.extend(crate::sales::commitments::missing(&site, &config, today));
        diags.extend(crate::sales::tiers::mismatches(&site, &config));
        stages.mark("links");
        let skip_history = matches!(sink, Sink::Discard | Sink::Unrendered | Sink::Problems);
        let (history, history_stats) = self.history(&config, &site, skip_history);
        stages.mark("history");
        let funnel = funnel::funnel(&site, &config, today);
        let (tiers, untiered) = tiers::tiers(&site, &config);
        let owners = crate::facts::owners(&site);
        let figures = Figures {
            funnel: &funnel,
            tiers: &tiers,
            untiered: &untiered,
            owners: &owners,
        };
        let facts = Facts {
            site: &site,
            graph: &graph,
            config: &config,
            labels: &theme.labels,
            today,
            public: self.opts.public,
            figures,
            history: &history,
            over_time: Default::default(),
        };
        let mut statics = static_files(&root, &theme, &mut diags);
        robots_txt(&facts, &mut statics, &mut diags);
        let page_token = self
            .page_token
            .clone()
            .unwrap_or_else(|| render::token::for_process().to_owned());
        statics.retain(|f| *f.path != *render::token::TOKEN_FILE);
        statics.push(OutputFile::new(render::token::TOKEN_FILE, page_token.as_bytes()));
        stages.mark("figures+static");
        // The section lists are kept between builds while no page's summary changes.
        let members_of = self.memo.start(incremental::all_visible(&site));
        let (routes, d) = crate::plan::routes(&facts, members_of);
        diags.extend(d);
        diags.extend(crate::plan::clashes(&site, &routes, &statics, config.search));
        stages.mark("plan");
        if let Sink::Unrendered = sink {
            self.render_problems_known(&mut diags);
            let mut result = BuildResult::failed(diags, site.visible().count());
            (result.parsed, result.timings) = (self.last_parsed, stages.timings);
            return finish(result, start);
        }
        let problems_only = matches!(sink, Sink::Problems);
        let mut routes = routes;
        if problems_only {
            routes.retain(|r| !matches!(r.job, crate::plan::Job::Export(_)));
        }
        let collect = render::Collect::new(self.mode == BuildMode::Serve);
        let out = match open_output(sink, &collect, &mut diags) {
            Some(out) => out,
            None => {
                let mut result = BuildResult::failed(diags, site.visible().count());
                (result.parsed, result.timings) = (self.last_parsed, stages.timings);
                return finish(result, start);
            }
        };
        let (d, stats) = self.make(&facts, &theme, &page_token, routes, statics, out);
        if problems_only {
            self.render_problems_known(&mut diags);
        } else {
            diags.extend(d);
        }
        // `serve` makes the search index once the pages of a save are served.
        let search =
            (self.mode == BuildMode::Serve && config.search && !problems_only).then(|| crate::search::input(&facts));
        let pages = site.visible().count();
        if self.mode.lean() {
            // A one-shot build ends with the process: freeing the site's parses, links and
            // views one allocation at a time took a single thread 0.25 s at 50,000 pages.
            std::mem::forget((site, graph, funnel, tiers, untiered, owners, theme));
        }
        stages.mark("render+write");
        let result = BuildResult {
            files: collect.into_files(),
            diagnostics: diags,
            pages,
            parsed: self.last_parsed,
            render: stats,
            elapsed: Duration::ZERO,
            timings: stages.timings,
            search,
            history: history_stats,
            history_warning: self.history_warning.take(),
        };
        finish(result, start)
    }

    /// The theme for `config`. Templates and labels change only with a full build (the
    /// watcher says so); a rebuild after markdown edits reuses the loaded theme.
    fn theme(
        &mut self,
        root: &Path,
        config: &SiteConfig,
        changed: Option<&HashSet<PathBuf>>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Arc<Theme>> {
        let config_key = incremental::config_key(config);
        if let (Some((key, t)), Some(_)) = (&self.theme, changed)
            && *key == config_key
        {
            return Some(Arc::clone(t));
        }
        match Theme::load(root, config) {
            Ok(t) => {
                let t = Arc::new(t);
                self.theme = Some((config_key, Arc::clone(&t)));
                Some(t)
            }
            Err(d) => {
                self.theme = None;
                diags.extend(d);
                None
            }
        }
    }

    /// The site: every page indexed, drafts and (`--public`) confidential pages hidden.
    fn site(&mut self, docs: Vec<Arc<ParsedDoc>>, sections: Vec<SectionText>, diags: &mut Vec<Diagnostic>) -> Site {
        let opts = &self.opts;
        let (site, d) = Site::new(
            docs,
            sections,
            |doc| (doc.fm.draft && !opts.drafts) || (doc.fm.confidential && opts.public),
            self.index.as_ref(),
        );
        self.index = Some(Arc::clone(&site.index));
        diags.extend(d);
        site
    }

    /// The stages that make files, into `out`: the search index (first: a streaming build
    /// writes it at once and lets each page's terms go, so that its memory is free again when
    /// the pages render), then the routes whose fingerprint changed since an earlier build
    /// (the others are taken from it): the exports by their stage, the pages, generated
    /// pages and briefs by the renderer. Then what is made every build: `funnel.json`, the
    /// static files and the search index.
    fn make(
        &mut self,
        facts: &Facts,
        theme: &Theme,
        page_token: &str,
        routes: Vec<crate::plan::Route>,
        statics: Vec<OutputFile>,
        out: &dyn render::Output,
    ) -> (Vec<Diagnostic>, render::RenderStats) {
        let keep = self.memo.keep;
        self.parts.keep = keep;
        let search = if facts.config.search && self.mode != BuildMode::Serve {
            crate::search::stage(facts, std::mem::take(&mut self.taken), keep, out)
        } else {
            Vec::new()
        };
        let cx = Ctx {
            facts,
            refs: (0..facts.site.docs.len()).map(|_| Default::default()).collect(),
            prev_refs: std::mem::take(&mut self.refs),
            ref_values: Default::default(),
            playbooks: Default::default(),
            stamp: incremental::build_stamp(
                theme.stamp,
                self.opts.public,
                self.opts.drafts,
                facts.config,
                facts.today,
            ),
            page_token: page_token.to_owned(),
            cells: theme
                .uses_customer_cells
                .then(|| (theme, tera::Value::from_serializable(&theme.labels))),
        };
        let members_of = self.memo.members().clone();
        let renderer = render::Renderer::new(&cx, theme, &members_of, keep, out);
        // The funnel's figures can count customers no list shows (`count_confidential`).
        let funnel = funnel::funnel_json(facts.figures.funnel, facts.site, facts.config, facts.today);
        let global = incremental::hash_of((cx.stamp, renderer.site_hash()));
        let books = render::brief::playbooks(&cx).print;
        let all_visible = incremental::all_visible(facts.site);
        let keys = incremental::Keys::new(facts, global, all_visible, &funnel, books, &members_of);
        let routes: Vec<(String, u64, crate::plan::Route)> = routes
            .into_par_iter()
            .map(|r| (r.path.clone(), incremental::fingerprint(&keys, &r.job), r))
            .collect();
        let total = routes.len();
        if !self.route_problems.is_empty() {
            let live: HashSet<&str> = routes.iter().map(|(p, _, _)| p.as_str()).collect();
            self.route_problems.retain(|p, _| live.contains(p.as_str()));
        }
        let mut todo = self.memo.stale(routes, out);
        let reused = total - todo.len();
        if let Some(n) = self.slice
            && todo.len() > n
        {
            // The rest stay stale in the memo: the next slice makes them.
            todo.truncate(n);
            self.owed = true;
        }
        let (exports, pages): (Vec<_>, Vec<_>) = todo
            .into_iter()
            .partition(|(_, _, r)| matches!(r.job, crate::plan::Job::Export(_)));
        let exports = exports
            .into_iter()
            .filter_map(|(path, print, r)| match r.job {
                crate::plan::Job::Export(e) => Some((path, print, e)),
                _ => None,
            })
            .collect();
        let slowest = telemetry::Jobs::new();
        let part = |id| incremental::customer_part(&keys, id);
        // The exports beside the pages, not before them: a few long jobs (a whole site's CSV)
        // would otherwise leave a core idle at the end of their stage.
        let parts = &self.parts;
        let (mut made, (rendered, mut diags)) = rayon::join(
            || crate::export::stage(facts, exports, parts, &part, keep, out, slowest.as_ref()),
            || renderer.render(pages, slowest.as_ref()),
        );
        if !rendered.is_empty() {
            self.nav_problems.clone_from(&diags);
        }
        made.extend(rendered);
        for (path, _, result) in &made {
            match result {
                Ok(_) => {
                    self.route_problems.remove(path);
                }
                Err(d) => {
                    self.route_problems.insert(path.clone(), (**d).clone());
                }
            }
        }
        if self.bytes_dropped {
            for (_, _, made) in &mut made {
                if let Ok(Some(f)) = made {
                    f.bytes = Arc::default();
                }
            }
        }
        let rendered = self.memo.record(made, &mut diags);
        if let Some(s) = slowest {
            s.print();
        }
        // Made again every build; in the memo only to be told apart from files gone.
        let funnel = OutputFile::new("funnel.json", funnel.into_bytes());
        for f in std::iter::once(funnel).chain(statics).chain(search) {
            if keep {
                self.memo.made(f.clone(), None);
            }
            out.put(f, None);
        }
        let removed = self.memo.finish();
        if self.mode.lean() {
            std::mem::forget(cx);
        } else {
            self.refs = cx.kept_refs();
        }
        let stats = render::RenderStats {
            rendered,
            reused,
            removed,
        };
        (diags, stats)
    }
}

/// Reads a site's history on any thread (see [`Builder::history_job`]).
pub struct HistoryJob {
    root: PathBuf,
    public: bool,
    drafts: bool,
}

/// A history read by a [`HistoryJob`], with the key of the rules it was read with.
pub struct HistoryRead {
    rules: u64,
    history: History,
}

impl HistoryJob {
    fn rules<'c>(&self, config: &'c SiteConfig) -> crate::history::Rules<'c> {
        crate::history::Rules {
            config,
            public: self.public,
            drafts: self.drafts,
        }
    }

    /// Reads the history; `None` when the config cannot be read (the build reports why).
    pub fn run(&self) -> Option<HistoryRead> {
        let config = load_config(&self.root).ok()?;
        let rules = self.rules(&config);
        let (history, _) = crate::history::read(&self.root, rules);
        Some(HistoryRead {
            rules: crate::history::rules_key(rules),
            history,
        })
    }
}

/// The problems of the links in section texts (`_index.md`), found even when their list page
/// is not rendered again.
fn section_link_problems(site: &Site) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for s in &site.sections {
        let file = if s.dir.is_empty() {
            "content/_index.md".to_owned()
        } else {
            format!("content/{}/_index.md", s.dir)
        };
        diags.extend(crate::links::resolve_section(site, s, &file).1);
    }
    diags
}

/// The theme's static files, with the site's `static/` over them.
fn static_files(root: &Path, theme: &Theme, diags: &mut Vec<Diagnostic>) -> Vec<OutputFile> {
    let mut statics = theme.statics.clone();
    let (static_files, d) = load::static_files(root);
    diags.extend(d);
    for (name, path) in static_files {
        match std::fs::read(&path) {
            Ok(bytes) => {
                statics.retain(|f| *f.path != *name);
                statics.push(OutputFile::new(name, bytes));
            }
            Err(e) => diags.push(Diagnostic::error(
                load::rel(root, &path),
                format!("cannot read static file: {e}"),
            )),
        }
    }
    statics
}

/// An internal build keeps search engines out with a `robots.txt` that disallows all; one of
/// the site's own (`static/robots.txt`) gives way to it, with a warning, since it could let
/// them in (see [`Facts::noindex`]).
fn robots_txt(facts: &Facts, statics: &mut Vec<OutputFile>, diags: &mut Vec<Diagnostic>) {
    const PATH: &str = "robots.txt";
    if !facts.noindex() {
        return;
    }
    let before = statics.len();
    statics.retain(|f| *f.path != *PATH);
    if statics.len() < before {
        diags.push(
            Diagnostic::warning(
                "static/robots.txt",
                "not copied: an internal build writes its own robots.txt, which keeps search engines out",
            )
            .help("an internal build holds confidential data; build with `--public` to publish, or set `allow_indexing: true` in salesbook.yaml for a site that is public as it is"),
        );
    }
    statics.push(OutputFile::new(PATH, b"User-agent: *\nDisallow: /\n".to_vec()));
}

/// Where the rendered files go. A [`Target`] is opened only when nothing failed before
/// rendering; `None` when it was not (the problems are in `diags`).
fn open_output<'a>(
    sink: Sink<'a>,
    collect: &'a render::Collect,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a dyn render::Output> {
    match sink {
        Sink::Into(target) => {
            if diags.iter().any(Diagnostic::is_error) {
                return None;
            }
            match target.open() {
                Ok(()) => Some(target),
                Err(d) => {
                    diags.push(d);
                    None
                }
            }
        }
        Sink::Discard | Sink::Unrendered | Sink::Problems => Some(&Discard),
        Sink::Collect => Some(collect),
    }
}

fn finish(mut r: BuildResult, start: Instant) -> BuildResult {
    diagnostics::sort(&mut r.diagnostics);
    r.diagnostics.dedup();
    r.elapsed = start.elapsed();
    r
}

pub fn load_config(root: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
    load_config_with(root, &load::Overlay::default())
}

/// [`load_config`], with an editor's unsaved text of the config if it is open.
pub fn load_config_with(root: &Path, overlay: &load::Overlay) -> Result<SiteConfig, Vec<Diagnostic>> {
    let path = root.join(CONFIG_FILE);
    // Like a page, the config is read only from inside the site: a link elsewhere would have
    // its lines shown in the config's diagnostics.
    if path.is_symlink() && path.exists() && !load::stays_inside(root, &path) {
        let d = Diagnostic::error(CONFIG_FILE, "symbolic link to a place outside the site folder");
        return Err(vec![d.help("copy the config into the site folder")]);
    }
    match overlay.read(&path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => SiteConfig::parse(text.strip_prefix('\u{feff}').unwrap_or(&text)),
            Err(_) => Err(vec![
                Diagnostic::error(CONFIG_FILE, "salesbook.yaml is not UTF-8 text").help("save it as UTF-8"),
            ]),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SiteConfig::default()),
        Err(e) => Err(vec![Diagnostic::error(CONFIG_FILE, format!("cannot read: {e}"))]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let out = std::process::Command::new("git")
            .current_dir(dir)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("the tests script repositories with the git program");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    /// A page confidential now has no past in a `--public` build: the history the stages see
    /// leaves it out, though it was public when committed.
    #[test]
    fn a_public_build_shows_no_history_of_a_page_confidential_now() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let page = |stage: &str, secret: bool| format!("---\ntitle: A\nstage: {stage}\nconfidential: {secret}\n---\n");
        std::fs::create_dir_all(root.join("content/customers")).unwrap();
        std::fs::write(root.join("content/customers/a.md"), page("lead", false)).unwrap();
        std::fs::write(root.join("content/customers/b.md"), page("lead", false)).unwrap();
        git(root, &["init", "-q"]);
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "c0"]);
        std::fs::write(root.join("content/customers/a.md"), page("quote", true)).unwrap();
        let opts = |public| BuildOptions {
            root: root.to_owned(),
            drafts: false,
            public,
            today: None,
        };
        let mut internal = Builder::new(opts(false));
        assert!(!internal.build().has_errors());
        let (_, history) = internal.history.as_ref().unwrap();
        assert!(history.customers.contains_key("content/customers/a.md"));
        let mut public = Builder::new(opts(true));
        assert!(!public.build().has_errors());
        let (_, shown) = public.shown_history.as_ref().unwrap();
        assert!(!shown.customers.contains_key("content/customers/a.md"));
        assert!(!shown.last_change.contains_key("content/customers/a.md"));
        assert!(shown.customers.contains_key("content/customers/b.md"));
    }
}
