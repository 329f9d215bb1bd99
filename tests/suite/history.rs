//! The site's git history: fixture repositories scripted here with the `git` program (explicit
//! committer dates and UTC offsets), read in-process by the build.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use salesbook::build::{BuildOptions, Builder};
use salesbook::config::SiteConfig;
use salesbook::history::{self, History, Rules, Unavailable};

use crate::helper::SiteTest;

/// A git repository in a temporary folder, committed to with fixed dates and names.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let r = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        r.git(&["init", "-q", "-b", "main"], None);
        r
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The repository as a site to serve (its folder goes with it).
    fn into_site(self) -> SiteTest {
        SiteTest { dir: self.dir }
    }

    /// Runs git in the repository; `date` (`2026-11-23T01:00:00+08:00`) is the commit's
    /// author and committer date.
    fn git(&self, args: &[&str], date: Option<&str>) -> String {
        crate::helper::git(self.path(), args, date)
    }

    fn write(&self, path: &str, text: &str) {
        let p = self.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn remove(&self, path: &str) {
        std::fs::remove_file(self.path().join(path)).unwrap();
    }

    /// Commits everything as `author` at `date`.
    fn commit(&self, date: &str, author: &str, message: &str) {
        self.git(&["add", "-A"], None);
        let who = format!("user.name={author}");
        self.git(
            &["-c", &who, "commit", "-q", "--allow-empty", "-m", message],
            Some(date),
        );
    }
}

fn customer(title: &str, stage: &str, value: u32) -> String {
    format!("---\ntitle: {title}\nowner: 王伟\nstage: {stage}\nvalue: {value}\n---\n{title} 的笔记。\n")
}

fn read(root: &Path) -> (History, history::ReadStats) {
    read_with(root, false)
}

fn read_with(root: &Path, public: bool) -> (History, history::ReadStats) {
    let config = salesbook::build::load_config(root).unwrap();
    history::read(
        root,
        Rules {
            config: &config,
            public,
            drafts: false,
        },
    )
}

fn options(root: &Path) -> BuildOptions {
    BuildOptions {
        root: root.to_owned(),
        drafts: false,
        public: false,
        today: NaiveDate::from_ymd_opt(2026, 12, 1),
    }
}

/// The stage of a page in a version (`None`: no customer page then).
fn stage_at(h: &History, commit: usize, path: &str) -> Option<String> {
    let config = SiteConfig::default();
    h.at(commit).find(|(p, _)| *p == path).map(|(_, v)| {
        v.customer
            .stage
            .map(|s| config.stage_def(s).id.clone())
            .unwrap_or_default()
    })
}

/// main: c0 adds two customers; a side branch changes one; main changes the other, then
/// merges the side branch. First parents: c0, c1, merge.
fn merged_repo() -> Repo {
    let r = Repo::new();
    r.write("content/customers/a.md", &customer("甲公司", "lead", 100));
    r.write("content/customers/b.md", &customer("乙公司", "lead", 200));
    r.write("content/guide.md", "---\ntitle: 指南\n---\n正文\n");
    r.commit("2026-11-02T10:00:00+08:00", "张三", "c0");
    r.git(&["checkout", "-q", "-b", "side"], None);
    r.write("content/customers/b.md", &customer("乙公司", "quote", 200));
    r.commit("2026-11-03T10:00:00+08:00", "李四", "side work");
    r.git(&["checkout", "-q", "main"], None);
    r.write("content/customers/a.md", &customer("甲公司", "opportunity", 100));
    r.commit("2026-11-04T10:00:00+08:00", "张三", "c1");
    r.git(
        &["merge", "-q", "--no-ff", "--no-edit", "side"],
        Some("2026-11-05T09:00:00+08:00"),
    );
    r
}

#[test]
fn first_parent_history_leaves_side_branch_commits_out_and_dates_the_merge() {
    let r = merged_repo();
    let (h, stats) = read(r.path());
    assert_eq!(h.unavailable, None);
    assert_eq!(h.commits.len(), 3, "{:?}", h.commits);
    assert!(
        h.commits.iter().all(|c| c.author != "李四"),
        "the side commit is not a commit of the history"
    );
    let days: Vec<String> = h.commits.iter().map(|c| c.date().to_string()).collect();
    assert_eq!(days, ["2026-11-02", "2026-11-04", "2026-11-05"]);
    // The side branch's change arrives with the merge.
    assert_eq!(stage_at(&h, 1, "content/customers/b.md").as_deref(), Some("lead"));
    assert_eq!(stage_at(&h, 2, "content/customers/b.md").as_deref(), Some("quote"));
    assert_eq!(
        stage_at(&h, 1, "content/customers/a.md").as_deref(),
        Some("opportunity")
    );
    assert_eq!(
        h.customers["content/customers/b.md"]
            .iter()
            .map(|v| v.commit)
            .collect::<Vec<_>>(),
        [0, 2]
    );
    // Only customer pages have versions; every file under content/ has its last change.
    assert!(!h.customers.contains_key("content/guide.md"));
    assert_eq!(h.last_change["content/guide.md"], 0);
    assert_eq!(h.last_change["content/customers/b.md"], 2);
    assert_eq!(stats.commits_read, 3);
    let head = r.git(&["rev-parse", "HEAD"], None);
    assert_eq!(h.commits[2].id, head.trim());
}

#[test]
fn a_commit_just_after_local_midnight_belongs_to_its_own_day() {
    let r = Repo::new();
    r.write("content/customers/a.md", &customer("甲公司", "lead", 100));
    r.commit("2026-11-22T23:59:00+08:00", "张三", "late");
    r.write("content/customers/a.md", &customer("甲公司", "opportunity", 100));
    // 22 November in UTC, 23 November where it was made.
    r.commit("2026-11-23T00:01:00+08:00", "张三", "just after midnight");
    r.write("content/customers/a.md", &customer("甲公司", "quote", 100));
    r.commit("2026-11-23T23:30:00-05:00", "Ann", "evening in New York");
    let (h, _) = read(r.path());
    let days: Vec<String> = h.commits.iter().map(|c| c.date().to_string()).collect();
    assert_eq!(days, ["2026-11-22", "2026-11-23", "2026-11-23"]);
    assert_eq!(h.commits[1].time.offset().local_minus_utc(), 8 * 3600);
    assert_eq!(h.commits[1].time.to_rfc3339(), "2026-11-23T00:01:00+08:00");
    assert_eq!(h.commits[2].time.offset().local_minus_utc(), -5 * 3600);
}

#[test]
fn a_site_in_a_subfolder_reads_only_its_own_content_with_paths_from_the_site() {
    let r = Repo::new();
    r.write("content/customers/decoy.md", &customer("别的", "lead", 1));
    r.write("sales/site/content/customers/a.md", &customer("甲公司", "lead", 100));
    r.write("sales/site/salesbook.yaml", "title: 销售\n");
    r.commit("2026-11-02T10:00:00+08:00", "张三", "c0");
    r.write("content/customers/decoy.md", &customer("别的", "won", 1));
    r.commit("2026-11-03T10:00:00+08:00", "张三", "outside the site only");
    r.write("sales/site/content/customers/a.md", &customer("甲公司", "won", 100));
    r.commit("2026-11-04T10:00:00+08:00", "张三", "c2");
    let (h, _) = read(&r.path().join("sales/site"));
    assert_eq!(h.commits.len(), 3);
    assert_eq!(h.customers.keys().collect::<Vec<_>>(), ["content/customers/a.md"]);
    assert_eq!(
        h.customers["content/customers/a.md"]
            .iter()
            .map(|v| v.commit)
            .collect::<Vec<_>>(),
        [0, 2]
    );
    assert_eq!(h.last_change["content/customers/a.md"], 2);
}

#[test]
fn a_customer_added_mid_way_and_one_removed_show_only_while_they_exist() {
    let r = Repo::new();
    r.write("content/customers/a.md", &customer("甲公司", "lead", 100));
    r.write("content/customers/gone.md", &customer("丙公司", "lead", 50));
    r.commit("2026-11-02T10:00:00+08:00", "张三", "c0");
    r.write("content/customers/new.md", &customer("新公司", "opportunity", 300));
    r.commit("2026-11-09T10:00:00+08:00", "张三", "c1: a new customer");
    r.remove("content/customers/gone.md");
    r.commit("2026-11-16T10:00:00+08:00", "张三", "c2: a customer removed");
    let (h, _) = read(r.path());
    let at = |i| h.at(i).map(|(p, _)| p.to_owned()).collect::<Vec<_>>();
    assert_eq!(at(0), ["content/customers/a.md", "content/customers/gone.md"]);
    assert_eq!(
        at(1),
        [
            "content/customers/a.md",
            "content/customers/gone.md",
            "content/customers/new.md"
        ]
    );
    assert_eq!(at(2), ["content/customers/a.md", "content/customers/new.md"]);
    let gone = &h.customers["content/customers/gone.md"];
    assert_eq!(gone.len(), 2);
    assert!(gone[1].page.is_none() && gone[1].commit == 2);
    assert!(!h.last_change.contains_key("content/customers/gone.md"));
}

#[test]
fn a_version_shared_by_two_commits_is_parsed_once() {
    let r = Repo::new();
    let v1 = customer("甲公司", "lead", 100);
    r.write("content/customers/a.md", &v1);
    r.commit("2026-11-02T10:00:00+08:00", "张三", "v1");
    r.write("content/customers/a.md", &customer("甲公司", "won", 100));
    r.commit("2026-11-03T10:00:00+08:00", "张三", "v2");
    r.write("content/customers/a.md", &v1);
    r.commit("2026-11-04T10:00:00+08:00", "张三", "back to v1");
    let (h, stats) = read(r.path());
    assert_eq!(h.customers["content/customers/a.md"].len(), 3);
    assert_eq!(stats.versions_parsed, 2, "three versions, two texts");
    assert_eq!(stage_at(&h, 2, "content/customers/a.md").as_deref(), Some("lead"));
}

fn cache_files(r: &Repo) -> Vec<PathBuf> {
    let dir = r.path().join(".git/salesbook");
    std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default()
}

#[test]
fn a_second_read_takes_everything_from_the_cache_and_reads_only_new_commits() {
    let r = merged_repo();
    let (first, s1) = read(r.path());
    assert_eq!((s1.commits_read, s1.commits_cached), (3, 0));
    assert!(s1.versions_parsed >= 3);
    assert_eq!(cache_files(&r).len(), 1, "the cache is in the git folder");
    // A public build has its own (its versions are parsed by other rules), and leaves the
    // internal one warm.
    let (_, public) = read_with(r.path(), true);
    assert_eq!((public.commits_read, public.versions_parsed), (3, s1.versions_parsed));
    assert_eq!(cache_files(&r).len(), 2);
    let (second, s2) = read(r.path());
    assert_eq!(
        s2,
        history::ReadStats {
            commits_read: 0,
            commits_cached: 3,
            versions_parsed: 0
        }
    );
    assert_eq!(format!("{:?}", first.commits), format!("{:?}", second.commits));
    assert_eq!(first.last_change, second.last_change);
    r.write("content/customers/a.md", &customer("甲公司", "won", 100));
    r.commit("2026-11-06T10:00:00+08:00", "张三", "c3");
    let (third, s3) = read(r.path());
    assert_eq!(
        s3,
        history::ReadStats {
            commits_read: 1,
            commits_cached: 3,
            versions_parsed: 1
        }
    );
    assert_eq!(stage_at(&third, 3, "content/customers/a.md").as_deref(), Some("won"));
    // A rewritten tip (amend): the cache's commit after the common one is dropped.
    r.write("content/customers/a.md", &customer("甲公司", "lost", 100));
    r.git(&["add", "-A"], None);
    r.git(
        &["commit", "-q", "--amend", "-m", "c3 amended"],
        Some("2026-11-06T11:00:00+08:00"),
    );
    let (fourth, s4) = read(r.path());
    assert_eq!((s4.commits_read, s4.commits_cached), (1, 3));
    assert_eq!(fourth.commits.len(), 4);
    assert_eq!(stage_at(&fourth, 3, "content/customers/a.md").as_deref(), Some("lost"));
}

#[test]
fn a_corrupt_or_cut_cache_is_rebuilt_never_trusted() {
    let r = merged_repo();
    let (good, _) = read(r.path());
    let file = cache_files(&r).pop().unwrap();
    let bytes = std::fs::read(&file).unwrap();
    // A flipped byte in the middle (a customer's data), then a file cut short.
    let mut bad = bytes.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x20;
    for damaged in [bad, bytes[..bytes.len() / 3].to_vec(), b"garbage".to_vec()] {
        std::fs::write(&file, &damaged).unwrap();
        let (h, s) = read(r.path());
        assert_eq!((s.commits_read, s.commits_cached), (3, 0), "read again from git");
        assert_eq!(format!("{:?}", h.customers), format!("{:?}", good.customers));
        assert_eq!(std::fs::read(&file).unwrap(), bytes, "and written again");
    }
}

/// The one warning of a build without history, and what it says.
fn history_warnings(root: &Path) -> Vec<(String, String)> {
    let r = Builder::new(options(root)).build();
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    assert!(
        r.diagnostics.iter().all(|d| d.file != "history"),
        "the content's diagnostics are apart"
    );
    r.history_warning
        .iter()
        .map(|d| (d.message.clone(), d.help.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn a_shallow_clone_builds_with_one_warning_saying_to_fetch_the_full_history() {
    let r = merged_repo();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", r.path().display());
    crate::helper::git(clone.path(), &["clone", "-q", "--depth", "1", &url, "site"], None);
    let site = clone.path().join("site");
    let (h, _) = read(&site);
    assert_eq!(h.unavailable, Some(Unavailable::Shallow));
    assert!(h.commits.is_empty());
    let w = history_warnings(&site);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].0.contains("shallow clone"), "{w:?}");
    assert!(w[0].1.contains("fetch-depth: 0"), "{w:?}");
}

#[test]
fn the_binary_prints_the_warning_of_a_plain_copy_once_and_builds() {
    let t = SiteTest::with_files(&[("content/customers/a.md", &customer("甲公司", "lead", 100))]);
    let out = t.run(&["build"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("not in a git repository").count(), 1, "{stderr}");
    assert!(stderr.contains("fetch-depth: 0"), "{stderr}");
    // `check` reports nothing that depends on the history, and does not read it.
    let out = t.run(&["check"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("git"));
}

#[test]
fn a_plain_copy_builds_with_one_warning() {
    let t = SiteTest::with_files(&[("content/customers/a.md", &customer("甲公司", "lead", 100))]);
    let (h, _) = read(t.root());
    assert_eq!(h.unavailable, Some(Unavailable::NotARepository));
    let w = history_warnings(t.root());
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].0.contains("not in a git repository"), "{w:?}");
    assert!(w[0].1.contains("fetch-depth: 0"), "{w:?}");
}

#[test]
fn a_repository_without_commits_builds_with_one_warning() {
    let r = Repo::new();
    r.write("content/customers/a.md", &customer("甲公司", "lead", 100));
    let (h, _) = read(r.path());
    assert_eq!(h.unavailable, Some(Unavailable::NoCommits));
    let w = history_warnings(r.path());
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].0.contains("no commits"), "{w:?}");
}

#[test]
fn a_repository_with_history_builds_without_a_warning_and_reads_it_once() {
    let r = merged_repo();
    assert!(history_warnings(r.path()).is_empty());
    let mut b = Builder::new(options(r.path()));
    let first = b.build();
    assert_eq!(
        first.history.map(|s| s.commits_cached),
        Some(3),
        "the cache of the build above"
    );
    let again = b.build();
    assert_eq!(again.history, None, "a builder reads the history once");
}

#[test]
fn a_public_build_sees_nothing_of_a_page_confidential_now_or_in_a_version() {
    let r = Repo::new();
    r.write("content/customers/a.md", &customer("甲公司", "lead", 100));
    r.write(
        "content/customers/secret.md",
        "---\ntitle: 机密\nconfidential: true\nstage: lead\n---\n",
    );
    r.write("content/customers/was.md", &customer("曾机密", "lead", 1));
    r.commit("2026-11-02T10:00:00+08:00", "张三", "c0");
    r.write(
        "content/customers/was.md",
        "---\ntitle: 曾机密\nconfidential: true\nstage: quote\n---\n",
    );
    r.commit("2026-11-03T10:00:00+08:00", "张三", "c1");
    r.write("content/customers/was.md", &customer("曾机密", "won", 1));
    r.write(
        "content/customers/a.md",
        "---\ntitle: 甲公司\nconfidential: true\nstage: won\n---\n",
    );
    r.commit("2026-11-04T10:00:00+08:00", "张三", "c2");
    let (internal, _) = read_with(r.path(), false);
    assert_eq!(
        stage_at(&internal, 1, "content/customers/was.md").as_deref(),
        Some("quote")
    );
    assert!(internal.customers.contains_key("content/customers/secret.md"));
    let (public, _) = read_with(r.path(), true);
    assert!(!public.customers.contains_key("content/customers/secret.md"));
    assert_eq!(
        stage_at(&public, 1, "content/customers/was.md"),
        None,
        "confidential in that version"
    );
    assert_eq!(stage_at(&public, 2, "content/customers/was.md").as_deref(), Some("won"));
    // `a` is confidential now: the build hides its past too (the reader alone shows it).
    assert_eq!(stage_at(&public, 0, "content/customers/a.md").as_deref(), Some("lead"));
    let shown = History::clone(&public).without(&["content/customers/a.md"]);
    assert!(shown.at(0).all(|(p, _)| p != "content/customers/a.md"));
}

/// The HTML of `path` in a build's files.
fn html(r: &salesbook::build::BuildResult, path: &str) -> String {
    let f = r
        .files
        .iter()
        .find(|f| &*f.path == path)
        .unwrap_or_else(|| panic!("no {path}"));
    String::from_utf8_lossy(&f.bytes).into_owned()
}

#[test]
fn every_page_shows_its_last_change_from_the_last_commit_that_touched_its_file() {
    let r = merged_repo();
    r.write("content/customers/a.md", &customer("甲公司", "won", 100));
    // Uncommitted: the working tree is "now", its last change is still the commit's.
    let b = Builder::new(options(r.path())).build();
    assert!(!b.has_errors(), "{:#?}", b.diagnostics);
    let a = html(&b, "customers/a/index.html");
    assert!(a.contains("张三 最后修改于 2026-11-04"), "{a}");
    // The side branch's change is the merge's (its committer, its date).
    let side = html(&b, "customers/b/index.html");
    assert!(side.contains("测试 最后修改于 2026-11-05"), "{side}");
    assert!(html(&b, "guide/index.html").contains("张三 最后修改于 2026-11-02"));
    // A page never committed shows none; nor does a site without history.
    r.write("content/new.md", "---\ntitle: 新页\n---\n");
    let b = Builder::new(options(r.path())).build();
    assert!(!html(&b, "new/index.html").contains("最后修改于"));
    let t = SiteTest::with_files(&[("content/customers/a.md", &customer("甲公司", "lead", 100))]);
    let b = Builder::new(options(t.root())).build();
    assert!(!html(&b, "customers/a/index.html").contains("最后修改于"));
}

#[test]
fn page_git_reaches_templates_with_date_author_and_commit_in_english_too() {
    let r = merged_repo();
    r.write("salesbook.yaml", "language: en\n");
    r.write(
        "templates/page.html",
        "{{ page.git.date }}|{{ page.git.author }}|{{ page.git.commit }}|{{ page.content | safe }}",
    );
    let b = Builder::new(options(r.path())).build();
    assert!(!b.has_errors(), "{:#?}", b.diagnostics);
    let guide = html(&b, "guide/index.html");
    let c0 = r.git(&["rev-list", "--max-parents=0", "HEAD"], None);
    assert!(guide.starts_with(&format!("2026-11-02|张三|{}|", c0.trim())), "{guide}");
    std::fs::remove_file(r.path().join("templates/page.html")).unwrap();
    let b = Builder::new(options(r.path())).build();
    let a = html(&b, "customers/a/index.html");
    assert!(a.contains("Last changed on 2026-11-04 by 张三"), "{a}");
}

#[test]
fn an_author_name_is_escaped_in_the_page() {
    let r = Repo::new();
    r.write("content/a.md", "---\ntitle: A\n---\n");
    // git itself drops `<` and `>` from names (they delimit the e-mail).
    r.commit("2026-11-02T10:00:00+08:00", "A & \"B\" '/x", "c0");
    let b = Builder::new(options(r.path())).build();
    let a = html(&b, "a/index.html");
    assert!(!a.contains("A & \""), "{a}");
    assert!(a.contains("A &amp; &quot;B&quot; &#39;/x 最后修改于"), "{a}");
}

/// The HTML files a build made again.
fn rendered(r: &salesbook::build::BuildResult) -> Vec<String> {
    let mut v: Vec<String> = r
        .files
        .iter()
        .filter(|f| f.path.ends_with(".html"))
        .map(|f| f.path.to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn a_new_commit_re_renders_exactly_the_pages_whose_last_change_it_is() {
    let r = merged_repo();
    let mut b = Builder::with_mode(options(r.path()), salesbook::build::BuildMode::Serve);
    // `serve` goes on without history until its background reader hands it in.
    let first = b.build();
    assert!(!html(&first, "customers/a/index.html").contains("最后修改于"));
    assert_eq!(first.history, None);
    b.set_history(b.history_job().run().unwrap());
    let ready = b.build();
    assert!(rendered(&ready).contains(&"customers/a/index.html".to_owned()));
    // The same history again: nothing renders.
    b.set_history(b.history_job().run().unwrap());
    assert_eq!(rendered(&b.build()), Vec::<String>::new());
    // A save, then its commit: the save re-renders what it changes, the commit only the
    // page whose last change it is.
    r.write("content/guide.md", "---\ntitle: 指南\n---\n新的正文\n");
    let saved = b.rebuild(&[r.path().join("content/guide.md")].into_iter().collect());
    assert!(rendered(&saved).contains(&"guide/index.html".to_owned()));
    r.commit("2026-11-10T09:00:00+08:00", "李四", "guide");
    b.set_history(b.history_job().run().unwrap());
    let committed = b.build();
    // …and the figures over time whose week (2026-11-09..15) it is now the snapshot of.
    assert_eq!(
        rendered(&committed),
        [
            "guide/index.html",
            "owners/王伟/progress/index.html",
            "progress/index.html"
        ]
    );
    assert!(html(&committed, "guide/index.html").contains("李四 最后修改于 2026-11-10"));
}

/// Waits until `path` served by `s` contains `text`.
fn served_with(s: &crate::serve::Server, path: &str, text: &str) -> String {
    let start = std::time::Instant::now();
    loop {
        let (_, _, body) = crate::serve::get(s, path);
        if body.contains(text) {
            return body;
        }
        assert!(start.elapsed().as_secs() < 20, "{path} never showed {text:?}:\n{body}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn serve_reads_the_history_in_the_background_and_follows_a_new_commit() {
    let t = merged_repo().into_site();
    let (s, _, log) = crate::serve::start_with(&t, &[]);
    served_with(&s, "/customers/a/", "张三 最后修改于 2026-11-04");
    // A save changes "now" only; its commit (no file of the site changes) is a new history.
    t.write("content/guide.md", "---\ntitle: 指南\n---\n新的正文\n");
    let saved = served_with(&s, "/guide/", "新的正文");
    assert!(saved.contains("张三 最后修改于 2026-11-02"), "{saved}");
    crate::helper::git(t.root(), &["add", "-A"], None);
    crate::helper::git(
        t.root(),
        &["-c", "user.name=李四", "commit", "-q", "-m", "guide"],
        Some("2026-11-10T09:00:00+08:00"),
    );
    served_with(&s, "/guide/", "李四 最后修改于 2026-11-10");
    let log = log.lock().unwrap().join("\n");
    assert!(!log.contains("git repository"), "no warning for a full clone: {log}");
}

/// Links and file names that are not UTF-8: Unix only.
#[cfg(unix)]
#[test]
fn a_hostile_repository_is_read_without_harm() {
    let r = Repo::new();
    r.write("content/customers/a.md", &customer("甲公司", "lead", 100));
    r.commit("2026-11-02T10:00:00+08:00", "张三", "c0");
    // A link to a file outside the site, a submodule, and a file name that is not UTF-8.
    std::os::unix::fs::symlink("/etc/passwd", r.path().join("content/customers/link.md")).unwrap();
    r.git(
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            "160000,1111111111111111111111111111111111111111,content/customers/sub",
        ],
        None,
    );
    std::fs::write(
        r.path()
            .join(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(
                b"content/customers/\xff.md",
            )),
        customer("坏名", "lead", 1),
    )
    .unwrap();
    r.git(&["add", "content"], None);
    r.git(&["commit", "-q", "-m", "hostile"], Some("2026-11-03T10:00:00+08:00"));
    // Gone from the working tree (the present's problems are not this test's).
    r.remove("content/customers/link.md");
    std::fs::remove_file(
        r.path()
            .join(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(
                b"content/customers/\xff.md",
            )),
    )
    .unwrap();
    // A commit whose committer date git would never write, made by hand.
    let tree = r.git(&["rev-parse", "HEAD^{tree}"], None);
    let parent = r.git(&["rev-parse", "HEAD"], None);
    let raw = format!(
        "tree {}\nparent {}\nauthor 王 <w@example.com> 1795000000 +0800\ncommitter 王 <w@example.com> soon +0800\n\nbad date\n",
        tree.trim(),
        parent.trim()
    );
    let path = r.path().join("raw-commit");
    std::fs::write(&path, raw).unwrap();
    let id = r.git(
        &["hash-object", "-t", "commit", "-w", "--literally", "raw-commit"],
        None,
    );
    r.git(&["update-ref", "refs/heads/main", id.trim()], None);
    std::fs::remove_file(path).unwrap();
    // gitoxide refuses the commit: the history is unreadable, the build goes on and says
    // which commit.
    let (h, _) = read(r.path());
    match &h.unavailable {
        Some(Unavailable::Unreadable(why)) => assert!(why.contains(id.trim()), "{why}"),
        other => panic!("{other:?}"),
    }
    let w = history_warnings(r.path());
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].0.contains("could not be read"), "{w:?}");
    // Without it, what the commits hold is data, never a path to open.
    r.git(&["update-ref", "refs/heads/main", parent.trim()], None);
    let (h, _) = read(r.path());
    assert_eq!(h.unavailable, None);
    assert_eq!(h.commits.len(), 2);
    assert_eq!(h.customers.keys().collect::<Vec<_>>(), ["content/customers/a.md"]);
    assert!(
        h.last_change.contains_key("content/customers/link.md"),
        "a link is a file of its commit"
    );
    assert!(
        !h.last_change.contains_key("content/customers/sub"),
        "a submodule is no file"
    );
    for v in h.customers.values().flatten() {
        assert!(v.page.as_ref().is_none_or(|p| !p.title.contains("root:")));
    }
}

#[test]
fn serve_warns_once_for_a_plain_copy_and_not_again_on_saves() {
    let t = SiteTest::with_files(&[("content/customers/a.md", &customer("甲公司", "lead", 100))]);
    let (s, _, log) = crate::serve::start_with(&t, &[]);
    let wait_for = |text: &str, times: usize| {
        let start = std::time::Instant::now();
        loop {
            let all = log.lock().unwrap().join("\n");
            if all.matches(text).count() >= times {
                return all;
            }
            assert!(start.elapsed().as_secs() < 20, "never {times}× {text:?}:\n{all}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    wait_for("not in a git repository", 1);
    let rebuilt = wait_for("rebuilt in", 1).matches("rebuilt in").count();
    t.write("content/customers/a.md", &customer("甲公司", "won", 100));
    served_with(&s, "/customers/a/", "won");
    let all = wait_for("rebuilt in", rebuilt + 1);
    assert_eq!(all.matches("not in a git repository").count(), 1, "{all}");
}
