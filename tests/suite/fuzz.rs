//! Fuzzing the per-file pipeline: decoding, front-matter split, YAML, validation, markdown
//! scan, link resolution against a small site, body render and the rustc-style rendering of
//! every diagnostic. Two generators: arbitrary bytes, and structure-aware mutations of the
//! real pages in `tests/fuzz/corpus/` (YAML and markdown tokens inserted, ranges deleted and
//! repeated). No input may panic, and each must finish within a time bound.
//!
//! `cargo test` runs a few hundred cases of each; `scripts/fuzz` runs as many as you ask for
//! (`FUZZ_CASES`) in a release build and prints the count and the time. Failures are saved
//! in `tests/fuzz/regressions.txt` and replayed first by every later run; each one fixed also
//! gets a named test below.

use std::sync::Arc;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use salesbook::config::SiteConfig;
use salesbook::load::source_from_bytes;
use salesbook::site::{DocId, Site, parse_doc};

const SECTIONS: [&str; 5] = ["customers", "competitors", "playbooks", "scripts", "notes"];

/// Pieces of YAML and markdown syntax, and text that has tripped parsers before.
const TOKENS: &[&str] = &[
    "---\n",
    "\n",
    ": ",
    "- ",
    "  ",
    "\t",
    "[[",
    "]]",
    "](",
    "[",
    "]",
    "(",
    ")",
    "#",
    "|",
    "`",
    "```\n",
    "&a ",
    "*a",
    "!!str ",
    "!!binary ",
    "? ",
    "{",
    "}",
    ",",
    "\"",
    "'",
    "<script>",
    "</div>",
    "javascript:",
    "%",
    "%E4%B8",
    "\\",
    "中文",
    "客户",
    "é",
    "\u{200b}",
    "\u{feff}",
    "\r\n",
    "\r",
    "0x1F",
    "1e999",
    "-1",
    "2026-02-30",
    "~",
    "null",
    "stage: ",
    "tier: ",
    "title: ",
    "value: ",
    "probability: ",
    "contacts:\n  - name: ",
    "visits:\n  - date: ",
    "orders:\n  - amount: ",
    "private:\n  ",
    "competitors: [",
    "{#",
    "<!--",
    "[^1]",
    "[^1]: ",
    "    ",
    "> ",
    "***",
    "&lt;",
    "\u{0}",
    "<<: *a\n",
    "*",
    "_",
    "~~",
    "$$",
    "\u{1F600}",
    "\u{0301}",
];

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, &'static str),
    Delete(usize, usize),
    Repeat(usize, usize, u8),
    Char(usize, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<usize>(), prop::sample::select(TOKENS)).prop_map(|(at, t)| Edit::Insert(at, t)),
        2 => (any::<usize>(), 0..64usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        1 => (any::<usize>(), 1..64usize, 1..8u8).prop_map(|(at, n, times)| Edit::Repeat(at, n, times)),
        2 => (any::<usize>(), any::<char>()).prop_map(|(at, c)| Edit::Char(at, c)),
    ]
}

/// Applies the edits to the text, at character boundaries: the pages stay UTF-8, so they
/// get past decoding into the parsers (arbitrary bytes are the other generator's job).
fn apply(text: &str, edits: &[Edit]) -> Vec<u8> {
    let mut text = text.to_owned();
    let at = |text: &str, i: usize| {
        let mut i = i % (text.len() + 1);
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    for e in edits {
        match *e {
            Edit::Insert(i, t) => {
                let i = at(&text, i);
                text.insert_str(i, t);
            }
            Edit::Delete(i, n) => {
                let i = at(&text, i);
                let end = at(&text, (i + n).min(text.len()));
                text.replace_range(i..end.max(i), "");
            }
            Edit::Repeat(i, n, times) => {
                let i = at(&text, i);
                let end = at(&text, (i + n).min(text.len())).max(i);
                let piece = text[i..end].to_owned();
                for _ in 0..times {
                    text.insert_str(i, &piece);
                }
            }
            Edit::Char(i, c) => {
                let i = at(&text, i);
                text.insert(i, c);
            }
        }
    }
    text.into_bytes()
}

fn corpus() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz/corpus");
    let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths.into_iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
}

/// How many inputs got as far as a rendered body (the rest stopped at a diagnostic).
static RENDERED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Everything that happens to one page, with two neighbours to link to.
fn pipeline(section: &str, bytes: &[u8]) {
    let config = SiteConfig::default();
    let mut diags = Vec::new();
    let src = match source_from_bytes(format!("content/{section}/fuzzed.md"), bytes.to_vec()) {
        Ok(src) => src,
        Err(d) => {
            salesbook::diagnostics::render_human(&[d], false);
            return;
        }
    };
    let (doc, d) = parse_doc(&src, &config, false);
    diags.extend(d);
    if let Some(doc) = doc {
        let mut docs = vec![Arc::new(doc)];
        for (path, text) in [
            ("content/customers/customer.md", "---\ntitle: 甲方\n---\n## 拜访记录\n"),
            ("content/competitors/rival.md", "---\ntitle: Rival\n---\n"),
        ] {
            let s = source_from_bytes(path.into(), text.into()).unwrap();
            docs.push(Arc::new(parse_doc(&s, &config, false).0.unwrap()));
        }
        let (site, d) = Site::new(docs, Vec::new(), |_| false, None);
        diags.extend(d);
        let (graph, d) = salesbook::links::resolve_cached(&site, &mut Default::default());
        diags.extend(d);
        let doc = site.doc(DocId(0));
        let text = doc.text().expect("kept in memory");
        let body = &text[doc.body_offset.min(text.len())..];
        let html = salesbook::render::body_html(&site, &doc.path, body, &doc.body.headings, &graph.body_links[0]);
        RENDERED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        assert!(
            !html.to_ascii_lowercase().contains("href=\"javascript:"),
            "a javascript: link reached the page: {html}"
        );
    }
    salesbook::diagnostics::render_human(&diags, false);
    salesbook::diagnostics::render_json(&diags);
}

fn cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fuzz/regressions.txt"
        )))),
        ..Config::default()
    })
}

/// Each input must be handled well within this (a debug build on a loaded CI machine).
const BOUND: Duration = Duration::from_secs(5);

fn timed(section: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let start = Instant::now();
    pipeline(section, bytes);
    let took = start.elapsed();
    prop_assert!(took < BOUND, "{} bytes took {took:?}", bytes.len());
    Ok(())
}

#[test]
fn fuzz_mutated_pages() {
    let seeds = corpus();
    let n = cases(300);
    let strategy = (0..seeds.len(), 0..SECTIONS.len(), prop::collection::vec(edit(), 1..16));
    let start = Instant::now();
    let before = RENDERED.load(std::sync::atomic::Ordering::Relaxed);
    let result = runner(n).run(&strategy, |(seed, section, edits)| {
        timed(SECTIONS[section], &apply(&seeds[seed], &edits))
    });
    let rendered = RENDERED.load(std::sync::atomic::Ordering::Relaxed) - before;
    eprintln!(
        "fuzz: {n} mutated pages in {:.1?} ({rendered} rendered through to HTML; the others stopped at a diagnostic)",
        start.elapsed()
    );
    result.unwrap();
}

#[test]
fn fuzz_arbitrary_bytes() {
    let n = cases(300);
    let strategy = (0..SECTIONS.len(), prop::collection::vec(any::<u8>(), 0..4096));
    let start = Instant::now();
    let result = runner(n).run(&strategy, |(section, bytes)| timed(SECTIONS[section], &bytes));
    eprintln!("fuzz: {n} arbitrary inputs in {:.1?}", start.elapsed());
    result.unwrap();
}

#[test]
fn every_corpus_page_goes_through_whole() {
    for (i, page) in corpus().iter().enumerate() {
        for section in SECTIONS {
            let start = Instant::now();
            pipeline(section, page.as_bytes());
            assert!(start.elapsed() < BOUND, "corpus page {i} in {section}");
        }
    }
}
