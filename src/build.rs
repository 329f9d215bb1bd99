//! The Builder: the one pipeline that `build`, `check` and `serve` all use. It keeps each
//! file's parse keyed by content hash, so a rebuild re-parses only what changed.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::config::{CONFIG_FILE, SiteConfig};
use crate::diagnostics::{self, Diagnostic};
use crate::load;
use crate::render::views::Ctx;
use crate::render::{self, Figures, OutputFile, Theme};
use crate::sales::{funnel, tiers};
use crate::site::{self, ParsedDoc, SectionText, Site};

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
    pub timings: Vec<(&'static str, Duration, u64, Duration)>,
    /// The search index's input, when the builder leaves the index to the caller (see
    /// [`Builder::defer_search`]).
    pub search: Option<crate::search::Input>,
}

impl BuildResult {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

enum Parsed {
    Doc(Arc<ParsedDoc>),
    Section(SectionText),
    Nothing,
}

struct CacheEntry {
    hash: u64,
    config_stamp: u64,
    parsed: Parsed,
    diags: Vec<Diagnostic>,
}

/// A reusable pipeline. `build` may be called again after files change.
pub struct Builder {
    pub opts: BuildOptions,
    /// Parses by file path (as an OsString: hashing its bytes is far cheaper than a Path's
    /// components, and this map is looked up for every file on every rebuild).
    cache: HashMap<std::ffi::OsString, Arc<CacheEntry>>,
    /// The cache's entries in the order of `paths`, with the config stamp they were made
    /// for: a rebuild of a few known files updates just those places (looking up every file
    /// in the cache cost a rebuild 10 ms at 10,000 pages).
    ordered: Option<(u64, Vec<Arc<CacheEntry>>)>,
    /// How many files the last build parsed (the rest came from the cache).
    last_parsed: usize,
    /// Rendered pages of the last build, reused when their inputs did not change.
    memo: render::RenderMemo,
    /// The markdown files found by the last walk of `content/`, and what the walk reported.
    paths: Option<Vec<PathBuf>>,
    walk_diags: Vec<Diagnostic>,
    /// The last build's page index, reused while no page's identity changes.
    index: Option<Arc<site::Index>>,
    /// The last build's list entries, by page (see `Ctx::prev_refs`).
    refs: Vec<Option<crate::render::views::KeptRef>>,
    /// The last build's per-page link resolutions.
    links: crate::links::LinkCache,
    /// Keep nothing that grows with the size of the bodies or the output (`build`): page
    /// texts are read again when they render, rendered pages go straight to the output.
    lean: bool,
    /// How many bytes of page text a lean build keeps.
    text_budget: usize,
    /// The last loaded theme, with the config it was loaded for.
    theme: Option<(String, Arc<Theme>)>,
    /// Results hold only the files rendered again, and the pages gone (`serve`, which keeps
    /// the rest from the builds before).
    only_changed: bool,
    /// The page token (see `render::token`); the process's own when none was given.
    page_token: Option<String>,
}

/// How many bytes of page text a lean build keeps in memory; the rest is read again when
/// the page renders.
const TEXT_BUDGET: usize = 32 << 20;

/// Where a run's rendered files go.
enum Sink<'a> {
    /// Into the result (`build`, `rebuild`).
    Collect,
    /// Into a [`Target`], opened only if nothing failed before rendering (`build_into`).
    Into(&'a dyn Target),
    /// Nowhere (`check`).
    Discard,
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
        Builder {
            opts,
            cache: HashMap::new(),
            ordered: None,
            last_parsed: 0,
            memo: render::RenderMemo::default(),
            paths: None,
            walk_diags: Vec::new(),
            index: None,
            links: crate::links::LinkCache::default(),
            refs: Vec::new(),
            lean: false,
            text_budget: TEXT_BUDGET,
            theme: None,
            only_changed: false,
            page_token: None,
        }
    }

    /// The page token to write into every page and into the output (`build` passes the one
    /// its output folder keeps: see `render::token`).
    pub fn page_token(mut self, token: String) -> Self {
        self.page_token = Some(token);
        self
    }

    /// A builder whose results after the first hold only what changed: the files rendered
    /// again (the memo's unchanged pages are left out) and, in `render.removed`, the pages
    /// gone. For `serve`, which keeps the files of the builds before.
    pub fn only_changed(mut self) -> Self {
        self.only_changed = true;
        self
    }

    /// Leaves the search index out of the results and hands over its input instead
    /// ([`BuildResult::search`]): `serve` makes it after the pages of a save are served.
    pub fn defer_search(mut self) -> Self {
        self.memo.defer_search = true;
        self
    }

    /// Keeps at most `bytes` of page text in memory (a lean builder; tests use 0).
    pub fn text_budget(mut self, bytes: usize) -> Self {
        self.text_budget = bytes;
        self
    }

    /// A builder for one streaming build into a [`Target`] (see [`Builder::build_into`]).
    pub fn lean(opts: BuildOptions) -> Self {
        let mut b = Builder::new(opts);
        b.lean = true;
        b
    }

    /// Runs the whole pipeline in memory.
    pub fn build(&mut self) -> BuildResult {
        self.memo.keep = !self.lean;
        self.run(None, Sink::Collect)
    }

    /// `check`: the whole pipeline, every page rendered (some problems show only then), and
    /// each file dropped as it renders; the result holds no files. A lean builder checks in
    /// the memory of a streaming build, where collecting the output would hold the whole site.
    pub fn check(&mut self) -> BuildResult {
        self.memo.keep = false;
        self.run(None, Sink::Discard)
    }

    /// Runs the whole pipeline and hands each file to `target` as it renders; the result
    /// holds no files. Nothing is rendered (and `target` is not opened) when an error is
    /// found before rendering.
    pub fn build_into(&mut self, target: &dyn Target) -> BuildResult {
        self.memo.keep = false;
        self.run(None, Sink::Into(target))
    }

    /// Runs the pipeline after the given markdown files changed in place: only they are read
    /// again (no walk of `content/`). Anything else (files created or removed, templates,
    /// config) needs [`Builder::build`].
    pub fn rebuild(&mut self, changed: &HashSet<PathBuf>) -> BuildResult {
        self.memo.keep = !self.lean;
        self.run(Some(changed), Sink::Collect)
    }

    fn run(&mut self, changed: Option<&HashSet<PathBuf>>, sink: Sink) -> BuildResult {
        let start = Instant::now();
        let root = self.opts.root.clone();
        let mut diags = Vec::new();
        let config = match load_config(&root) {
            Ok(c) => c,
            Err(d) => {
                return finish(
                    BuildResult {
                        diagnostics: d,
                        ..BuildResult::default()
                    },
                    start,
                );
            }
        };
        let today = self
            .opts
            .today
            .or_else(|| config.today())
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let mut timings = Vec::new();
        let mut lap = Instant::now();
        let mut cpu = cpu_time();
        let mut mark = |name: &'static str| {
            let now = cpu_time();
            timings.push((name, lap.elapsed(), resident_mib(), now.saturating_sub(cpu)));
            lap = Instant::now();
            cpu = now;
        };
        // Templates and labels change only with a full build (the watcher says so); a
        // rebuild after markdown edits reuses the loaded theme.
        let config_key = format!("{config:?}");
        let cached = match (&self.theme, changed) {
            (Some((key, t)), Some(_)) if *key == config_key => Some(Arc::clone(t)),
            _ => None,
        };
        let theme = match cached {
            Some(t) => Some(t),
            None => match Theme::load(&root, &config) {
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
            },
        };
        mark("config+theme");
        let paths = match (changed, self.paths.take()) {
            (Some(changed), Some(mut paths)) => {
                // Files created or removed since the last walk join or leave the list.
                // The list is sorted: look changed files up by binary search.
                for p in changed {
                    // A file made since the walk is taken on the walk's terms: one that
                    // resolves outside the site root waits for a full build to warn of it.
                    match (paths.binary_search(p), p.is_file() && load::stays_inside(&root, p)) {
                        (Err(at), true) => {
                            paths.insert(at, p.clone());
                            self.ordered = None;
                        }
                        (Ok(at), false) if !p.exists() => {
                            paths.remove(at);
                            self.ordered = None;
                        }
                        _ => {}
                    }
                }
                paths
            }
            _ => {
                let (paths, d) = load::find_sources(&root);
                self.walk_diags = d;
                paths
            }
        };
        diags.extend(self.walk_diags.iter().cloned());
        mark("load");
        let parsed = self.load_and_parse(&root, &paths, changed, &config);
        self.paths = Some(paths);
        let mut docs = Vec::new();
        let mut sections = Vec::new();
        for entry in parsed {
            diags.extend(entry.diags.iter().cloned());
            match &entry.parsed {
                Parsed::Doc(d) => docs.push(Arc::clone(d)),
                Parsed::Section(s) if !((s.draft && !self.opts.drafts) || (s.confidential && self.opts.public)) => {
                    sections.push(s.clone())
                }
                Parsed::Section(_) => {}
                Parsed::Nothing => {}
            }
        }
        mark("parse");
        let opts = &self.opts;
        let (site, d) = Site::new(
            docs,
            sections,
            |doc| (doc.fm.draft && !opts.drafts) || (doc.fm.confidential && opts.public),
            self.index.as_ref(),
        );
        self.index = Some(Arc::clone(&site.index));
        diags.extend(d);
        mark("index");
        let (graph, d) = crate::links::resolve_cached(&site, &mut self.links);
        diags.extend(d);
        let Some(theme) = theme else {
            return finish(
                BuildResult {
                    diagnostics: diags,
                    pages: site.visible().count(),
                    ..BuildResult::default()
                },
                start,
            );
        };
        mark("links");
        let funnel = funnel::funnel(&site, &config, today);
        let (tiers, untiered) = tiers::tiers(&site, &config);
        let cx = Ctx {
            site: &site,
            graph: &graph,
            config: &config,
            labels: &theme.labels,
            today,
            refs: (0..site.docs.len()).map(|_| Default::default()).collect(),
            prev_refs: std::mem::take(&mut self.refs),
            ref_stamp: {
                use std::hash::{Hash, Hasher};
                let mut h = std::hash::DefaultHasher::new();
                (theme.stamp, format!("{config:?}"), today, self.opts.public).hash(&mut h);
                h.finish()
            },
            ref_values: Default::default(),
            owners: Default::default(),
            playbooks: Default::default(),
            stamp: program_stamp(&self.opts),
            page_token: self
                .page_token
                .clone()
                .unwrap_or_else(|| render::token::for_process().to_owned()),
            cells: theme
                .uses_customer_cells
                .then(|| (&*theme, tera::Value::from_serializable(&theme.labels))),
        };
        let figures = Figures {
            funnel: &funnel,
            tiers: &tiers,
            untiered: &untiered,
        };
        let mut statics = theme.statics.clone();
        let (static_files, d) = load::static_files(&root);
        diags.extend(d);
        for (name, path) in static_files {
            match std::fs::read(&path) {
                Ok(bytes) => {
                    statics.retain(|f| *f.path != *name);
                    statics.push(OutputFile::new(name, bytes));
                }
                Err(e) => diags.push(Diagnostic::error(
                    load::rel(&root, &path),
                    format!("cannot read static file: {e}"),
                )),
            }
        }
        statics.retain(|f| *f.path != *render::token::TOKEN_FILE);
        statics.push(OutputFile::new(render::token::TOKEN_FILE, cx.page_token.as_bytes()));
        mark("figures+static");
        let collect = render::Collect::new(self.only_changed);
        let out: &dyn render::Output = match sink {
            Sink::Into(target) => {
                let opened = if diags.iter().any(Diagnostic::is_error) {
                    Err(None)
                } else {
                    target.open().map_err(Some)
                };
                if let Err(d) = opened {
                    diags.extend(d);
                    let result = BuildResult {
                        diagnostics: diags,
                        pages: site.visible().count(),
                        parsed: self.last_parsed,
                        timings,
                        ..BuildResult::default()
                    };
                    return finish(result, start);
                }
                target
            }
            Sink::Discard => &Discard,
            Sink::Collect => &collect,
        };
        let (d, stats, search) = render::render_all(&cx, &theme, &figures, statics, &mut self.memo, out);
        diags.extend(d);
        let pages = site.visible().count();
        if self.lean {
            // A one-shot build ends with the process: freeing the site's parses, links and
            // views one allocation at a time took a single thread 0.25 s at 50,000 pages.
            std::mem::forget(cx);
            std::mem::forget((site, graph, funnel, tiers, untiered, theme));
        } else {
            self.refs = cx.kept_refs();
        }
        mark("render+write");
        let files = collect.into_files();
        let result = BuildResult {
            files,
            diagnostics: diags,
            pages,
            parsed: self.last_parsed,
            render: stats,
            elapsed: Duration::ZERO,
            timings,
            search,
        };
        finish(result, start)
    }

    /// Reads and parses the given files, reusing the previous parse of files whose bytes did
    /// not change. With `changed`, only those files (and files never seen) are read again.
    fn load_and_parse(
        &mut self,
        root: &Path,
        paths: &[PathBuf],
        changed: Option<&HashSet<PathBuf>>,
        config: &SiteConfig,
    ) -> Vec<Arc<CacheEntry>> {
        let public = self.opts.public;
        let stamp = config_stamp(config, public);
        // A rebuild of known files with the same list and config: only those files.
        let known = self
            .ordered
            .take()
            .filter(|(s, o)| changed.is_some() && *s == stamp && o.len() == paths.len());
        let todo: Vec<&PathBuf> = match (&known, changed) {
            (Some(_), Some(changed)) => changed.iter().filter(|p| paths.binary_search(p).is_ok()).collect(),
            _ => paths
                .iter()
                .filter(|p| {
                    changed.is_none_or(|c| c.contains(*p))
                        || self.cache.get(p.as_os_str()).is_none_or(|e| e.config_stamp != stamp)
                })
                .collect(),
        };
        let cache = &self.cache;
        let lean = self.lean;
        let budget = self.text_budget;
        let kept = AtomicUsize::new(0);
        let fresh: Vec<(std::ffi::OsString, CacheEntry)> = todo
            .par_iter()
            .filter_map(|path| {
                let src = match load::read_source(root, path) {
                    Ok(src) => src,
                    Err(d) => {
                        let entry = CacheEntry {
                            hash: 0,
                            config_stamp: stamp,
                            parsed: Parsed::Nothing,
                            diags: vec![d],
                        };
                        return Some((path.as_os_str().to_owned(), entry));
                    }
                };
                if cache
                    .get(path.as_os_str())
                    .is_some_and(|e| e.hash == src.hash && e.config_stamp == stamp)
                {
                    return None;
                }
                let (parsed, diags) = if src.content_path.ends_with("_index") {
                    let (s, d) = site::parse_section_text(&src, public);
                    (Parsed::Section(s), d)
                } else {
                    match site::parse_doc(&src, config, public) {
                        (Some(mut doc), d) => {
                            // A body's pre-rendered HTML, or else its text, is kept up to a
                            // fixed budget: memory stays bounded, and most sites never read a
                            // file twice. Rendering needs the text only where there is no HTML.
                            if lean {
                                match doc.body.html.as_ref().map(|h| h.len()) {
                                    Some(size) => {
                                        doc.drop_text();
                                        if kept.fetch_add(size, Ordering::Relaxed) >= budget {
                                            doc.body.html = None;
                                        }
                                    }
                                    None => {
                                        if kept.fetch_add(doc.text_len(), Ordering::Relaxed) >= budget {
                                            doc.drop_text();
                                        }
                                    }
                                }
                            }
                            (Parsed::Doc(Arc::new(doc)), d)
                        }
                        (None, d) => (Parsed::Nothing, d),
                    }
                };
                Some((
                    path.as_os_str().to_owned(),
                    CacheEntry {
                        hash: src.hash,
                        config_stamp: stamp,
                        parsed,
                        diags,
                    },
                ))
            })
            .collect();
        self.last_parsed = fresh.len();
        let ordered = match known {
            Some((_, mut ordered)) => {
                for (path, entry) in fresh {
                    let entry = Arc::new(entry);
                    if let Ok(at) = paths.binary_search(&PathBuf::from(&path)) {
                        ordered[at] = Arc::clone(&entry);
                    }
                    self.cache.insert(path, entry);
                }
                ordered
            }
            None => {
                self.cache.extend(fresh.into_iter().map(|(p, e)| (p, Arc::new(e))));
                if self.cache.len() != paths.len() {
                    let live: HashSet<&std::ffi::OsStr> = paths.iter().map(|p| p.as_os_str()).collect();
                    self.cache.retain(|k, _| live.contains(k.as_os_str()));
                }
                paths
                    .iter()
                    .filter_map(|p| self.cache.get(p.as_os_str()).cloned())
                    .collect()
            }
        };
        self.ordered = Some((stamp, ordered.clone()));
        ordered
    }
}

fn finish(mut r: BuildResult, start: Instant) -> BuildResult {
    diagnostics::sort(&mut r.diagnostics);
    r.diagnostics.dedup();
    r.elapsed = start.elapsed();
    r
}

/// The CPU time (user and system, all threads) this process has used, for the stage
/// timings; zero where the platform does not say.
pub fn cpu_time() -> Duration {
    crate::platform::cpu_time()
}

/// This process's resident memory in MiB, for the stage timings; zero where unknown.
pub fn resident_mib() -> u64 {
    crate::platform::resident_mib()
}

/// The build options and the program (its size and time) decide every page's bytes as much
/// as the content does.
fn program_stamp(opts: &BuildOptions) -> u64 {
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| (m.len(), m.modified().ok()))
        .ok();
    let key = format!("{} {exe:?} {} {}", env!("CARGO_PKG_VERSION"), opts.public, opts.drafts);
    load::hash(key.as_bytes())
}

/// Parses depend on the config (stage ids) and on `--public` (`private:` fields); a change
/// of either invalidates them.
fn config_stamp(config: &SiteConfig, public: bool) -> u64 {
    load::hash(format!("{:?} {public}", config.stages).as_bytes())
}

pub fn load_config(root: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
    let path = root.join(CONFIG_FILE);
    // Like a page, the config is read only from inside the site: a link elsewhere would have
    // its lines shown in the config's diagnostics.
    if path.is_symlink() && path.exists() && !load::stays_inside(root, &path) {
        let d = Diagnostic::error(CONFIG_FILE, "symbolic link to a place outside the site folder");
        return Err(vec![d.help("copy the config into the site folder")]);
    }
    match std::fs::read(&path) {
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
