//! `salesbook serve`: the builder, kept alive; a file watcher that rebuilds on every save; an
//! HTTP server that serves the last good build from memory; a WebSocket per open tab that
//! reloads it, or shows the errors of a broken save in an overlay until they are fixed.

mod history;
pub mod http;
pub mod watch;

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::event::{AccessKind, AccessMode};
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use crate::build::{BuildMode, BuildOptions, BuildResult, Builder};
use crate::diagnostics::{self, Diagnostic};
use crate::render::OutputFile;
use watch::{Change, WATCHED, classify};

const RELOAD_JS: &str = include_str!("reload.js");
const WS_PATH: &str = "/__salesbook/ws";
/// How long the watcher waits for an editor's burst of events to settle.
const DEBOUNCE: Duration = Duration::from_millis(5);

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub open: bool,
    pub drafts: bool,
}

/// What the server hands out: the last good version of every file, and the current errors.
#[derive(Default)]
struct State {
    files: HashMap<Arc<str>, OutputFile>,
    /// The overlay shown on every page while the site has errors.
    overlay: Option<String>,
    /// Counts the builds applied; each page is served with the number it was served at.
    generation: u64,
    /// The generation in which each file last changed: a tab whose socket connects after a
    /// change to its page was broadcast learns of it on connecting.
    changed_at: HashMap<Arc<str>, u64>,
    /// Pages gone while the site had errors: they go once it builds cleanly again.
    gone: HashSet<Arc<str>>,
}

#[derive(Default)]
struct Shared {
    state: RwLock<State>,
    /// One sender per open tab's reload socket.
    clients: Mutex<Vec<tokio::sync::mpsc::UnboundedSender<String>>>,
    /// Numbers the search indexes being made: only the latest is taken.
    search: std::sync::atomic::AtomicU64,
}

/// What wakes the main loop: the watcher's file events, or the history reader's result.
enum Event {
    Files(DebounceEventResult),
    History(Box<history::Ready>),
}

/// Runs the dev server until the process is stopped.
pub fn run(opts: ServeOptions) -> Result<(), String> {
    let root = opts
        .root
        .canonicalize()
        .map_err(|e| format!("{}: {e}", opts.root.display()))?;
    let out = root.join("public");
    let mut builder = new_builder(&root, opts.drafts);
    let mut rebuild_all = false;
    let shared = Arc::new(Shared::default());
    let mut first = builder.build();
    let mut printed = print_outcome(&first, None, &[]);
    let search = first.search.take();
    shared.apply(first);
    // The first index is made before the URL is announced; later ones after each save's
    // pages are served (see `index_later`).
    if let Some(input) = search {
        shared.apply_search(0, input.files());
    }

    // Watch before announcing the URL: a save right after start must not be missed.
    let (tx, rx) = mpsc::channel();
    let files_tx = tx.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |r: DebounceEventResult| {
        let _ = files_tx.send(Event::Files(r));
    })
    .map_err(|e| format!("cannot watch files: {e}"))?;
    let mut watched: HashSet<PathBuf> = HashSet::new();
    watch_site(&mut debouncer, &root, &mut watched);
    // The history is read in the background: the site is served without it until then.
    let reader = history::Reader::spawn(&root, builder.history_job(), move |ready| {
        tx.send(Event::History(Box::new(ready))).is_ok()
    });
    // `HEAD`, the branch's ref and `packed-refs`: a change to one is a new commit.
    let mut head_files: HashSet<PathBuf> = HashSet::new();
    let (listener, port) = listen(&opts, &root)?;
    http::spawn(listener, Arc::clone(&shared), http::Allowed::new(opts.bind, port))
        .map_err(|e| format!("cannot serve: {e}"))?;

    // An event that arrived while the site's summaries were waiting (see below).
    while let Ok(first) = rx.recv() {
        // Everything that queued up while the last rebuild ran goes into this one.
        let mut history = None;
        let events: Vec<_> = std::iter::once(first)
            .chain(rx.try_iter())
            .filter_map(|e| match e {
                Event::Files(r) => r.ok(),
                Event::History(ready) => {
                    history = Some(ready);
                    None
                }
            })
            .flatten()
            .collect();
        if events.iter().any(|e| e.paths.iter().any(|p| head_files.contains(p))) {
            reader.wake();
        }
        let (changed, full) = sort_events(&events, &root, &out);
        // A watched folder created later (templates/, static/) gets its own watch.
        if events
            .iter()
            .any(|e| e.paths.iter().any(|p| p.parent() == Some(root.as_path())))
        {
            watch_site(&mut debouncer, &root, &mut watched);
        }
        let new_history = history.is_some();
        if let Some(ready) = history {
            for f in &ready.head_files {
                // Git replaces these files (a lock file renamed over them): their folders
                // are watched.
                if let Some(dir) = f.parent()
                    && dir.is_dir()
                    && watched.insert(dir.to_owned())
                {
                    let _ = debouncer.watch(dir, RecursiveMode::NonRecursive);
                }
            }
            head_files = ready.head_files.into_iter().collect();
            builder.set_history(ready.read);
        }
        if full {
            // The config may have been fixed or its stages changed: the reader reads again
            // if it has not read yet.
            reader.wake();
        }
        if !full && changed.is_empty() && !new_history {
            continue;
        }
        let start = Instant::now();
        // A bug in a rebuild must not take the server down with it: the tabs keep the last
        // good build, and the next save rebuilds everything with a new builder.
        let full = full || std::mem::take(&mut rebuild_all);
        let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if full {
                builder.build()
            } else {
                builder.rebuild(&changed)
            }
        }));
        let mut result = match built {
            Ok(result) => result,
            Err(_) => {
                eprintln!(
                    "error: salesbook failed while rebuilding (a bug: please report it); still serving the last good build"
                );
                builder = new_builder(&root, opts.drafts);
                rebuild_all = true;
                reader.resend();
                continue;
            }
        };
        let since = start.elapsed();
        if let Some(w) = result.history_warning.take() {
            eprint!(
                "{}",
                diagnostics::render_human(&[w], std::io::IsTerminal::is_terminal(&std::io::stderr()))
            );
        }
        printed = print_outcome(&result, Some(since), &printed);
        // A site with errors keeps its last good index, as its pages keep their last good
        // versions.
        let search = result.search.take().filter(|_| !result.has_errors());
        let applied = Instant::now();
        let message = shared.apply(result);
        let timings = std::env::var_os("SALESBOOK_TIMINGS").is_some();
        if timings {
            let first = events
                .iter()
                .map(|e| e.time)
                .min()
                .map(|t| t.elapsed())
                .unwrap_or_default();
            eprintln!(
                "  served {:.1} ms after the first event (swap {:.1} ms)",
                first.as_secs_f64() * 1000.0,
                applied.elapsed().as_secs_f64() * 1000.0
            );
        }
        let tabs = shared.broadcast(&message);
        if timings {
            eprintln!("  told {tabs} open tab connections: {}", head(&message, 120));
        }
        if let Some(input) = search {
            index_later(&shared, input);
        }
    }
    Ok(())
}

/// Binds the server's socket and says where it serves (and, off this machine, who can read
/// it); opens the browser when asked. Returns the listener and its port.
fn listen(opts: &ServeOptions, root: &Path) -> Result<(std::net::TcpListener, u16), String> {
    let listener = std::net::TcpListener::bind((opts.bind, opts.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", opts.bind, opts.port))?;
    let port = listener.local_addr().map_or(opts.port, |a| a.port());
    let host = if opts.bind.is_ipv6() {
        format!("[{}]", opts.bind)
    } else {
        opts.bind.to_string()
    };
    let url = format!("http://{host}:{port}/");
    eprintln!("serving {} at {url} (Ctrl-C to stop)", root.display());
    if !opts.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}: anyone on the network can read these customer pages; use --bind 127.0.0.1 to keep them on this machine",
            opts.bind
        );
    }
    if opts.open {
        open_browser(&url);
    }
    Ok((listener, port))
}

/// What a batch of file events asks for: the markdown files to read again (changed, created
/// or removed), and whether anything else changed (a folder, a template, the config, a
/// static file), which walks and reads everything.
fn sort_events(events: &[notify_debouncer_full::DebouncedEvent], root: &Path, out: &Path) -> (HashSet<PathBuf>, bool) {
    let mut changed = HashSet::new();
    let mut full = false;
    for e in events {
        // Reads are not changes; a write's close is (some editors' only event).
        if matches!(e.kind, EventKind::Access(a) if a != AccessKind::Close(AccessMode::Write)) {
            continue;
        }
        for p in &e.paths {
            match classify(root, out, p) {
                Some(Change::Content) if p.extension().is_some_and(|x| x == "md") => {
                    changed.insert(p.clone());
                }
                Some(_) => full = true,
                None => {}
            }
        }
    }
    (changed, full)
}

/// Makes the search index in the background and serves it when done, unless a later save's
/// index was started meanwhile. The pages of a save are served first: at 10,000 pages the
/// index takes several times as long as the pages of a save. It runs on one thread at the
/// lowest priority, so that the next save's rebuild does not wait for it.
fn index_later(shared: &Arc<Shared>, input: crate::search::Input) {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "search index".to_owned())
            .start_handler(|_| crate::platform::lower_thread_priority())
            .build()
            .ok()
    });
    let n = shared.search.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
    let shared = Arc::clone(shared);
    let job = move || {
        // A later save's index is on its way: this one would be thrown away.
        if shared.search.load(std::sync::atomic::Ordering::SeqCst) != n {
            return;
        }
        let started = Instant::now();
        let files = input.files();
        if shared.apply_search(n, files) && std::env::var_os("SALESBOOK_TIMINGS").is_some() {
            eprintln!(
                "  search index served {:.1} ms later",
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
    };
    match pool {
        Some(pool) => pool.spawn(job),
        None => {
            std::thread::spawn(job);
        }
    }
}

/// Each build hands over only the files it rendered again and the pages gone; the server
/// keeps the rest (at 10,000 pages, going through every file cost a save 20 ms).
fn new_builder(root: &Path, drafts: bool) -> Builder {
    let opts = BuildOptions {
        root: root.to_owned(),
        drafts,
        public: false,
        today: None,
    };
    Builder::with_mode(opts, BuildMode::Serve)
}

/// At most `max` bytes of `s`, cut at a character boundary (paths hold Chinese).
fn head(s: &str, max: usize) -> &str {
    let end = (0..=max.min(s.len()))
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0);
    &s[..end]
}

fn watch_site<W: notify_debouncer_full::notify::Watcher, C: notify_debouncer_full::FileIdCache>(
    debouncer: &mut notify_debouncer_full::Debouncer<W, C>,
    root: &Path,
    watched: &mut HashSet<PathBuf>,
) {
    if watched.insert(root.to_owned()) {
        let _ = debouncer.watch(root, RecursiveMode::NonRecursive);
    }
    for name in WATCHED {
        let p = root.join(name);
        if p.is_dir() && watched.insert(p.clone()) {
            let _ = debouncer.watch(&p, RecursiveMode::Recursive);
        }
    }
}

/// Prints a rebuild's outcome; diagnostics only when they differ from the last ones printed.
fn print_outcome(result: &BuildResult, took: Option<Duration>, last: &[Diagnostic]) -> Vec<Diagnostic> {
    if std::env::var_os("SALESBOOK_TIMINGS").is_some() {
        let stages: Vec<String> = result
            .timings
            .iter()
            .map(|(s, d, _, _)| format!("{s} {:.1}", d.as_secs_f64() * 1000.0))
            .collect();
        eprintln!("  timings (ms): {}", stages.join(", "));
    }
    if result.diagnostics != last && !result.diagnostics.is_empty() {
        eprint!(
            "{}",
            diagnostics::render_human(
                &result.diagnostics,
                std::io::IsTerminal::is_terminal(&std::io::stderr())
            )
        );
    }
    match (took, result.has_errors()) {
        (_, true) => eprintln!("the site has errors: serving the last good version of the broken pages"),
        (Some(t), false) => eprintln!(
            "rebuilt in {} ms ({} files parsed, {} pages rendered, {} unchanged)",
            t.as_millis(),
            result.parsed,
            result.render.rendered,
            result.render.reused
        ),
        (None, false) => eprintln!("built {} pages in {} ms", result.pages, result.elapsed.as_millis()),
    }
    result.diagnostics.clone()
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(cmd).arg(url).spawn().is_err() {
        eprintln!("could not start a browser: open {url} yourself");
    }
}

impl Shared {
    /// Takes a build's output: the new files, except that the pages of files with errors keep
    /// their last good version. Returns the message for open tabs.
    fn apply(&self, result: BuildResult) -> String {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        let broken: HashSet<&str> = result
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.file.as_str())
            .collect();
        // Updated in place: the build hands over only what it rendered again.
        let mut changed: Vec<Arc<str>> = Vec::new();
        for f in &result.files {
            state.gone.remove(&f.path);
            let old = state.files.get(&*f.path);
            if old.is_some() && f.source.as_deref().is_some_and(|s| broken.contains(s)) {
                continue; // a broken page keeps its last good version
            }
            if old.is_none_or(|old| !Arc::ptr_eq(&old.bytes, &f.bytes) && old.bytes != f.bytes) {
                changed.push(Arc::clone(&f.path));
                state.files.insert(Arc::clone(&f.path), f.clone());
            }
        }
        // Files of removed pages go once the site builds cleanly again.
        state.gone.extend(result.render.removed.iter().cloned());
        if broken.is_empty() {
            for p in std::mem::take(&mut state.gone) {
                if state.files.remove(&p).is_some() {
                    changed.push(p);
                }
            }
        }
        // A stylesheet, script or image can be on any page: every tab reloads for those.
        let asset = |p: &str| {
            [
                ".css", ".js", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff2", ".woff",
            ]
            .iter()
            .any(|x| p.ends_with(x))
        };
        let all = changed.iter().any(|p| asset(p));
        let overlay = result.has_errors().then(|| overlay_html(&result.diagnostics));
        state.generation += 1;
        let generation = state.generation;
        for p in &changed {
            state.changed_at.insert(Arc::clone(p), generation);
        }
        let changed: Vec<&str> = changed.iter().map(|p| &**p).collect();
        let message = serde_json::json!({ "changed": changed, "all": all, "errors": overlay }).to_string();
        state.overlay = overlay;
        message
    }

    /// Takes the search index numbered `n` unless a later one was started; returns whether
    /// it was taken. Index files the new index has no more (fewer shards) go. The tabs are
    /// not told: `search.js` loads the index when a query needs it.
    fn apply_search(&self, n: u64, files: Vec<OutputFile>) -> bool {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        if self.search.load(std::sync::atomic::Ordering::SeqCst) != n {
            return false;
        }
        let paths: HashSet<&str> = files.iter().map(|f| &*f.path).collect();
        state
            .files
            .retain(|p, _| !crate::search::is_index_file(p) || paths.contains(&**p));
        for f in files {
            state.files.insert(Arc::clone(&f.path), f);
        }
        true
    }

    /// Sends `message` to every open tab; returns how many it reached.
    fn broadcast(&self, message: &str) -> usize {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients.retain(|c| c.send(message.to_owned()).is_ok());
        clients.len()
    }
}

fn overlay_html(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let text = diagnostics::render_human(diags, false);
    format!(
        "<div id=\"__salesbook_overlay\" style=\"position:fixed;inset:0;z-index:2147483647;background:rgba(20,24,30,.55);display:flex;align-items:flex-start;justify-content:center;padding:5vh 1rem;overflow:auto\">\
<div role=\"alert\" style=\"background:#fff;color:#1c2430;max-width:60rem;width:100%;border-radius:10px;border-top:6px solid #b42318;padding:1rem 1.2rem;box-shadow:0 10px 40px rgba(0,0,0,.35);font:15px/1.5 -apple-system,'Segoe UI','PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif\">\
<div style=\"display:flex;justify-content:space-between;gap:1rem\"><strong style=\"color:#b42318\">salesbook: {errors} {} in the site — fix and save; this page updates by itself</strong>\
<button type=\"button\" onclick=\"this.closest('#__salesbook_overlay').remove()\" style=\"border:0;background:none;font-size:1.2rem;cursor:pointer\" aria-label=\"close\">×</button></div>\
<pre style=\"white-space:pre-wrap;overflow:auto;font:13px/1.45 ui-monospace,Menlo,Consolas,'Noto Sans Mono CJK SC',monospace;margin:.8rem 0 0\">{}</pre></div></div>",
        if errors == 1 { "error" } else { "errors" },
        escape(&text)
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The reload client (and the overlay, while there are errors) before `</body>`.
fn inject(html: &[u8], overlay: Option<&str>, generation: u64) -> Vec<u8> {
    let mut extra = format!("<script>var __salesbook_generation = {generation};\n{RELOAD_JS}</script>");
    if let Some(o) = overlay {
        extra = format!("{o}{extra}");
    }
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injection_goes_before_the_body_end() {
        let out = String::from_utf8(inject(b"<html><body><p>x</p></body></html>", Some("<b>err</b>"), 7)).unwrap();
        assert!(out.starts_with("<html><body><p>x</p><b>err</b><script>var __salesbook_generation = 7;"));
        assert!(out.ends_with("</script></body></html>"));
        let out = String::from_utf8(inject(b"<p>no body</p>", None, 1)).unwrap();
        assert!(out.starts_with("<p>no body</p><script>"));
    }

    #[test]
    fn log_lines_are_cut_between_characters() {
        // The timings log cut the reload message at byte 120, inside a Chinese path, and
        // the server's main loop panicked (the browser test's ten tabs then never reloaded).
        let msg = format!("{}重点客户", "x".repeat(119));
        assert_eq!(head(&msg, 120), "x".repeat(119));
        assert_eq!(head(&msg, 122), format!("{}重", "x".repeat(119)));
        assert_eq!(head("短", 120), "短");
        assert_eq!(head("重", 1), "");
    }

    #[test]
    fn broken_pages_keep_their_last_good_version() {
        let shared = Shared::default();
        let file = |path: &str, text: &str, src: &str| OutputFile {
            path: path.into(),
            bytes: std::sync::Arc::new(text.as_bytes().to_vec()),
            source: Some(src.into()),
        };
        let good = BuildResult {
            files: vec![
                file("a/index.html", "A1", "content/a.md"),
                file("b/index.html", "B1", "content/b.md"),
                file("c/index.html", "C1", "content/c.md"),
            ],
            ..BuildResult::default()
        };
        shared.apply(good);
        let broken = BuildResult {
            files: vec![
                file("a/index.html", "A2-broken", "content/a.md"),
                file("b/index.html", "B2", "content/b.md"),
            ],
            diagnostics: vec![Diagnostic::error("content/a.md", "unknown stage")],
            render: crate::render::RenderStats {
                removed: vec!["c/index.html".into()],
                ..Default::default()
            },
            ..BuildResult::default()
        };
        let msg: serde_json::Value = serde_json::from_str(&shared.apply(broken)).unwrap();
        let state = shared.state.read().unwrap();
        assert_eq!(
            &*state.files["a/index.html"].bytes, b"A1",
            "the broken page keeps its last good version"
        );
        assert_eq!(
            &*state.files["b/index.html"].bytes, b"B2",
            "the rest of the site moves on"
        );
        assert_eq!(msg["changed"], serde_json::json!(["b/index.html"]));
        assert!(msg["errors"].as_str().unwrap().contains("unknown stage"));
        assert!(
            state.files.contains_key("c/index.html"),
            "gone pages stay while there are errors"
        );
        drop(state);
        let fixed = BuildResult {
            files: vec![file("a/index.html", "A3", "content/a.md")],
            render: crate::render::RenderStats {
                removed: vec!["b/index.html".into()],
                ..Default::default()
            },
            ..BuildResult::default()
        };
        let msg: serde_json::Value = serde_json::from_str(&shared.apply(fixed)).unwrap();
        assert!(msg["errors"].is_null(), "the overlay goes away");
        let mut changed: Vec<&str> = msg["changed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        changed.sort();
        assert_eq!(
            changed,
            ["a/index.html", "b/index.html", "c/index.html"],
            "b and c were removed"
        );
        let state = shared.state.read().unwrap();
        assert!(!state.files.contains_key("b/index.html") && !state.files.contains_key("c/index.html"));
    }
}
