//! Hostile and oversized inputs: each gets a clear diagnostic or is handled, in bounded time.
//! `scripts/limits` runs full-size versions (20 MB pages, 100,000-line front matter) against
//! the release build; the figures are in SECURITY.md.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use salesbook::build::{BuildMode, Builder, Target};
use salesbook::diagnostics::Diagnostic;
use salesbook::render::{Output, OutputFile};

use crate::helper::{SiteTest, places};

const OTHER: (&str, &str) = (
    "content/customers/other.md",
    "---\ntitle: 其他\nstage: lead\n---\n\n## 情况\n",
);

fn within<T>(limit: Duration, what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let r = f();
    assert!(start.elapsed() < limit, "{what} took {:?}", start.elapsed());
    r
}

#[test]
fn deeply_nested_yaml_is_an_error_at_its_place() {
    let deep = format!("---\ntitle: 深\nx: {}{}\n---\n", "[".repeat(10_000), "]".repeat(10_000));
    let t = SiteTest::with_files(&[("content/customers/deep.md", &deep)]);
    let r = within(Duration::from_secs(10), "10,000 levels", || t.build());
    let d = r.diagnostics.iter().find(|d| d.is_error()).expect("an error");
    assert_eq!((d.file.as_str(), d.line), ("content/customers/deep.md", 3), "{d:?}");
    assert!(d.message.starts_with("invalid YAML in front matter"), "{}", d.message);
}

#[test]
fn a_page_with_10000_links_builds() {
    let body: String = (0..5_000)
        .map(|i| format!("[[other]] [第{i}个](other.md#情况)\n"))
        .collect();
    let page = format!("---\ntitle: 链接\nstage: lead\n---\n\n{body}");
    let t = SiteTest::with_files(&[OTHER, ("content/customers/links.md", &page)]);
    let r = within(Duration::from_secs(30), "10,000 links", || t.build());
    assert!(r.diagnostics.is_empty(), "{:?}", places(&r.diagnostics));
    let html = r
        .files
        .iter()
        .find(|f| &*f.path == "customers/links/index.html")
        .unwrap();
    let html = String::from_utf8_lossy(&html.bytes);
    assert_eq!(html.matches("href=\"../../customers/other/index.html").count(), 10_000);
}

#[test]
fn ten_thousand_broken_links_are_counted_not_listed() {
    let body = "[[无处]]\n".repeat(10_000);
    let page = format!("---\ntitle: 断链\nstage: lead\n---\n\n{body}");
    let t = SiteTest::with_files(&[("content/customers/broken.md", &page)]);
    let r = within(Duration::from_secs(30), "10,000 broken links", || t.build());
    assert_eq!(r.diagnostics.len(), 51, "{:?}", places(&r.diagnostics));
    let summary = r.diagnostics.iter().find(|d| d.message.starts_with('…')).unwrap();
    assert!(summary.is_error(), "the build still fails");
    assert_eq!(summary.message, "… and 9950 more problems with links on this page");
}

#[test]
fn unknown_fields_past_twenty_get_one_warning() {
    // 50,000: a duplicate-key check that compared every key with every other took minutes.
    let keys: String = (0..50_000).map(|i| format!("key{i}: 值{i}\n")).collect();
    let page = format!("---\ntitle: 长\nstage: lead\n{keys}---\n");
    let t = SiteTest::with_files(&[("content/customers/long.md", &page)]);
    let r = within(Duration::from_secs(20), "50,000 unknown fields", || t.build());
    assert!(!r.has_errors());
    assert_eq!(r.diagnostics.len(), 21);
    assert_eq!(
        places(&r.diagnostics[20..]),
        ["content/customers/long.md:24:1 … and 49980 more unknown fields"]
    );
}

// Unix symbolic links: on Windows making one needs a privilege most users lack.
#[cfg(unix)]
#[test]
fn a_symlink_loop_and_a_dangling_link_are_reported() {
    let t = SiteTest::with_files(&[OTHER]);
    std::fs::create_dir_all(t.root().join("content/customers/sub")).unwrap();
    std::os::unix::fs::symlink("..", t.root().join("content/customers/sub/up")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/file.md", t.root().join("content/customers/gone.md")).unwrap();
    let r = within(Duration::from_secs(10), "a symlink loop", || t.build());
    let p = places(&r.diagnostics);
    assert!(
        p.iter()
            .any(|d| d.starts_with("content/customers/sub/up") && d.contains("symbolic link loop")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|d| d.starts_with("content/customers/gone.md") && d.contains("broken symbolic link")),
        "{p:?}"
    );
    assert!(r.files.iter().any(|f| &*f.path == "customers/other/index.html"));
}

/// A target that deletes a page when it is opened: after parsing, before rendering.
struct Deleting(std::path::PathBuf, Mutex<Vec<OutputFile>>);

impl Output for Deleting {
    fn put(&self, file: OutputFile, _print: Option<u64>) {
        self.1.lock().unwrap().push(file);
    }
}

impl Target for Deleting {
    fn open(&self) -> Result<(), Diagnostic> {
        std::fs::remove_file(&self.0).unwrap();
        Ok(())
    }
}

#[test]
fn a_file_that_goes_away_during_the_build_fails_it_cleanly() {
    let t = SiteTest::with_files(&[
        OTHER,
        (
            "content/customers/gone.md",
            "---\ntitle: 将消失\nstage: lead\n---\n\n正文\n",
        ),
    ]);
    let target = Deleting(t.root().join("content/customers/gone.md"), Mutex::default());
    let r = Builder::with_mode(t.options(), BuildMode::Stream { text_budget: 0 }).build_into(&target);
    assert_eq!(
        places(&r.diagnostics),
        ["content/customers/gone.md:0:0 this file changed or went away during the build"]
    );
    assert!(r.has_errors(), "so nothing is swapped in");
}

#[test]
fn twenty_thousand_repeated_headings_build_in_linear_time() {
    let page = format!(
        "---\ntitle: 拜访\nstage: lead\n---\n\n{}",
        "## 拜访记录\n\n".repeat(20_000)
    );
    let t = SiteTest::with_files(&[("content/customers/visits.md", &page)]);
    let r = within(Duration::from_secs(5), "20,000 repeated headings", || t.build());
    assert!(r.diagnostics.is_empty(), "{:?}", places(&r.diagnostics));
    let html = r
        .files
        .iter()
        .find(|f| &*f.path == "customers/visits/index.html")
        .unwrap();
    let html = String::from_utf8_lossy(&html.bytes);
    for id in ["拜访记录", "拜访记录-1", "拜访记录-2", "拜访记录-19999"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(!html.contains("id=\"拜访记录-20000\""));
}

/// Every problem of a front matter is reported, each with its line, and finding the line
/// does not count from the top of the file for each one.
#[test]
fn twenty_thousand_bad_values_in_one_front_matter_are_all_reported_quickly() {
    let visits = "  - date: +10000-01-01\n".repeat(20_000);
    let page = format!("---\ntitle: 日期\nstage: lead\nvisits:\n{visits}---\n");
    let t = SiteTest::with_files(&[("content/customers/dates.md", &page)]);
    let r = within(Duration::from_secs(10), "20,000 bad dates", || t.build());
    assert_eq!(r.diagnostics.len(), 20_000);
    let last = &r.diagnostics[19_999];
    assert_eq!((last.line, last.column), (20_004, 11), "{last:?}");
    assert_eq!(last.source_line.as_deref(), Some("  - date: +10000-01-01"));
}
