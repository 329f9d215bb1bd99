//! The reused Builder (what `serve` runs) must produce exactly what a fresh build produces,
//! after every kind of edit, while rendering only the pages an edit touches.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;

use salesbook::build::{BuildMode, BuildResult, Builder};

use crate::helper::SiteTest;

/// Every file of the site folder with its bytes.
fn snapshot(t: &SiteTest) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(t.root())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !e.path().starts_with(t.root().join("public")))
        .map(|e| (e.path().to_owned(), std::fs::read(e.path()).unwrap()))
        .collect()
}

fn files(r: &BuildResult) -> BTreeMap<String, Vec<u8>> {
    r.files.iter().map(|f| (f.path.to_string(), f.bytes.to_vec())).collect()
}

/// Applies an edit, rebuilds incrementally and from scratch, and compares every file. Edits
/// of markdown files go through `rebuild` with the files the watcher would name.
fn check(t: &SiteTest, builder: &mut Builder, what: &str, edit: impl FnOnce(&SiteTest)) -> BuildResult {
    let before = snapshot(t);
    edit(t);
    let after = snapshot(t);
    let changed: HashSet<PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        .cloned()
        .collect();
    let only_markdown = changed
        .iter()
        .all(|p| p.starts_with(t.root().join("content")) && p.extension().is_some_and(|x| x == "md"));
    let inc = if only_markdown {
        builder.rebuild(&changed)
    } else {
        builder.build()
    };
    let full = t.build();
    assert_eq!(inc.diagnostics, full.diagnostics, "{what}");
    let (a, b) = (files(&inc), files(&full));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{what}: the same files"
    );
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{what}: {path} differs from a full build");
    }
    inc
}

#[test]
fn incremental_builds_equal_full_builds() {
    let t = SiteTest::fixture("builder/basic");
    let mut b = Builder::new(t.options());
    let first = b.build();
    assert_eq!(first.render.reused, 0);
    let again = b.build();
    assert_eq!(again.render.rendered, 0, "nothing changed: nothing rendered");
    let read = |p: &str| std::fs::read_to_string(t.root().join(p)).unwrap();

    let r = check(&t, &mut b, "a body edit below the first paragraph", |t| {
        let beta = read("content/customers/beta.md");
        t.write("content/customers/beta.md", &format!("{beta}\n## 更多\n\n新的一段。\n"));
    });
    assert_eq!(r.render.rendered, 1, "only the page itself");

    let r = check(&t, &mut b, "a stage change", |t| {
        t.write(
            "content/customers/beta.md",
            &read("content/customers/beta.md").replace("stage: opportunity", "stage: quote"),
        );
    });
    // beta and its brief; alpha and rival (they show beta); home, funnel, tiers, tiers/basic, the customers
    // list; the opportunity and quote stage pages; the quadrant, visits, owners, tags,
    // industries and regions pages, the board and the competitor matrix (they show every
    // customer); the three exports; the team's figures over time (page and progress.json); the
    // commitments, the team's plan, the report list, commitments.json and visits.json.
    assert_eq!(r.render.rendered, 29, "{:?}", r.render);

    check(&t, &mut b, "a title change shown by links and backlinks", |t| {
        t.write(
            "content/customers/alpha.md",
            &read("content/customers/alpha.md").replace("title: 甲方精密有限公司", "title: 甲方精密集团"),
        );
    });
    check(&t, &mut b, "a competitor reference removed", |t| {
        t.write(
            "content/customers/beta.md",
            &read("content/customers/beta.md").replace("competitors: [rival]", "competitors: []"),
        );
    });
    check(&t, &mut b, "a new page with links", |t| {
        t.write(
            "content/notes/new.md",
            "---\ntitle: 新笔记\n---\n\n见 [[alpha]] 和 [[rival#价格]]。\n",
        );
    });
    check(&t, &mut b, "a page deleted", |t| {
        std::fs::remove_file(t.root().join("content/notes/new.md")).unwrap();
    });
    check(&t, &mut b, "a heading renamed that others link to", |t| {
        t.write(
            "content/competitors/rival.md",
            &read("content/competitors/rival.md").replace("## 价格", "## 价格体系"),
        );
    });
    check(&t, &mut b, "the link fixed", |t| {
        t.write(
            "content/customers/alpha.md",
            &read("content/customers/alpha.md").replace("rival.md#价格", "rival.md#价格体系"),
        );
    });
    check(&t, &mut b, "a commitment kept and a visit logged", |t| {
        t.write(
            "content/customers/alpha.md",
            &read("content/customers/alpha.md").replace(
                "    commitment: 月底报价\n",
                "    commitment: 月底报价\n    commitment_done: true\n  - date: 2026-11-20\n    kind: phone\n    commitment: 试用\n    commitment_due: 2026-11-25\n",
            ),
        );
    });
    check(&t, &mut b, "a draft published", |t| {
        t.write("content/notes/secret.md", "---\ntitle: 已发布\n---\n\n[[plan]]\n");
    });
    check(&t, &mut b, "the config", |t| {
        t.write("salesbook.yaml", "title: 新标题\ntoday: 2026-11-24\n")
    });
    check(&t, &mut b, "a template override", |t| {
        t.write("templates/page.html", "<p>{{ page.title }}</p>")
    });
    check(&t, &mut b, "a section intro", |t| {
        t.write(
            "content/customers/_index.md",
            "---\ntitle: 我们的客户\n---\n见 [[alpha]]。\n",
        )
    });
}

#[test]
fn long_lists_are_paginated_and_capped() {
    let mut files: Vec<(String, String)> = (0..250)
        .map(|i| {
            let stage = ["lead", "quote"][i % 2];
            (
                format!("content/customers/c{i:03}.md"),
                format!(
                    "---\ntitle: 客户{i:03}\nstage: {stage}\ntier: basic\nvalue: {}\n---\n",
                    1000 + i
                ),
            )
        })
        .collect();
    files.push(("salesbook.yaml".into(), "today: 2026-11-23\n".into()));
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let t = SiteTest::with_files(&refs);
    t.build_ok();
    assert!(t.exists("customers/page/3/index.html") && !t.exists("customers/page/4/index.html"));
    let first = t.read("customers/index.html");
    assert!(
        first.contains("客户249") && !first.contains("客户149"),
        "largest deals first, 100 a page"
    );
    assert!(
        first.contains(r#"href="../customers/page/2/index.html" rel="next""#),
        "{}",
        &first[first.find("pager").unwrap_or(0)..]
    );
    let third = t.read("customers/page/3/index.html");
    assert!(third.contains("客户000") && third.contains(r#"rel="prev""#));
    let funnel = t.read("funnel/index.html");
    assert_eq!(
        funnel.matches(r#"<a href="../customers/c"#).count(),
        40,
        "20 largest deals in each of the two stages"
    );
    assert!(funnel.contains(r#"href="../funnel/quote/index.html""#));
    let quote = t.read("funnel/quote/index.html");
    assert_eq!(
        quote.matches(r#"<a href="../../customers/c"#).count(),
        100,
        "the stage's own pages list all, 100 a page"
    );
    let quote2 = t.read("funnel/quote/page/2/index.html");
    assert_eq!(quote2.matches(r#"<a href="../../../../customers/c"#).count(), 25);
    assert!(
        quote.contains("kpi-value") && !quote2.contains("kpi-value"),
        "the figures are on the first page"
    );
    assert!(t.exists("tiers/basic/page/3/index.html") && !t.exists("tiers/basic/page/4/index.html"));
}

/// The files a rebuild after `edit` renders again, for the fixture `builder/basic` built once
/// before. A `serve` builder's result holds only those (besides `funnel.json` and the static
/// files, which are made every build, and the search index, which it leaves to the caller).
fn rerendered(edit: impl FnOnce(&SiteTest, &dyn Fn(&str) -> String)) -> BTreeSet<String> {
    let t = SiteTest::fixture("builder/basic");
    let mut b = Builder::with_mode(t.options(), BuildMode::Serve);
    let first = b.build();
    assert!(!first.has_errors(), "{:#?}", first.diagnostics);
    let statics: BTreeSet<String> = b.build().files.iter().map(|f| f.path.to_string()).collect();
    let read = |p: &str| std::fs::read_to_string(t.root().join(p)).unwrap();
    let before = snapshot(&t);
    edit(&t, &read);
    let changed: HashSet<PathBuf> = snapshot(&t)
        .into_iter()
        .filter(|(p, bytes)| before.get(p) != Some(bytes))
        .map(|(p, _)| p)
        .collect();
    let r = b.rebuild(&changed);
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    r.files
        .iter()
        .map(|f| f.path.to_string())
        .filter(|p| !statics.contains(p))
        .collect()
}

fn set(paths: &[&str]) -> BTreeSet<String> {
    paths.iter().map(|p| p.to_string()).collect()
}

/// The generated pages that show every page's summary, and the exports: re-rendered by any
/// edit of a page's front matter.
const EVERY: [&str; 16] = [
    "index.html",
    "board/index.html",
    "quadrant/index.html",
    "visits/index.html",
    "commitments/index.html",
    "plan/index.html",
    "reports/index.html",
    "exports/commitments.json",
    "exports/visits.json",
    "owners/index.html",
    "tags/index.html",
    "industries/index.html",
    "regions/index.html",
    "exports/customers.csv",
    "exports/customers.json",
    "exports/visits.ics",
];

fn with_every(paths: &[&str]) -> BTreeSet<String> {
    set(paths).into_iter().chain(set(&EVERY)).collect()
}

/// `incremental::page`: a page's own file decides its page; a body edit below the excerpt
/// changes no summary, so no other page shows it.
#[test]
fn editing_a_body_rerenders_exactly_its_page() {
    let r = rerendered(|t, read| {
        let beta = read("content/customers/beta.md");
        t.write("content/customers/beta.md", &format!("{beta}\n## 更多\n\n新的一段。\n"));
    });
    assert_eq!(r, set(&["customers/beta/index.html"]));
}

/// `incremental::brief`: a brief shows its customer's front matter, the competitors it names
/// and the visit scripts and SPIN lists: editing a competitor re-renders the briefs of the
/// customers that name it (alpha and beta name rival; delta, gamma and hostile do not), and
/// editing a SPIN list re-renders every brief.
#[test]
fn editing_a_competitor_or_a_spin_list_rerenders_exactly_the_briefs_that_show_it() {
    let r = rerendered(|t, read| {
        let s = read("content/competitors/rival.md");
        t.write(
            "content/competitors/rival.md",
            &s.replace("strategy: 强调总拥有成本", "strategy: 强调服务"),
        );
    });
    let expected = with_every(&[
        "competitors/rival/index.html",
        "competitors/index.html",
        // They name rival: their pages and briefs show it.
        "customers/alpha/index.html",
        "customers/alpha/brief/index.html",
        "customers/beta/index.html",
        "customers/beta/brief/index.html",
    ]);
    assert_eq!(r, expected);

    let r = rerendered(|t, read| {
        let s = read("content/playbooks/spin.md");
        t.write("content/playbooks/spin.md", &s.replace("效益问题一", "效益问题二"));
    });
    let expected = with_every(&[
        "playbooks/spin/index.html",
        "playbooks/index.html",
        "customers/alpha/brief/index.html",
        "customers/beta/brief/index.html",
        "customers/delta/brief/index.html",
        "customers/gamma/brief/index.html",
        "customers/hostile/brief/index.html",
    ]);
    assert_eq!(r, expected);
}

/// `incremental::generated`: a list page shows the summaries of its own entries and, on its
/// first page, its figures. A won deal's value re-renders its stage (won) and tier
/// (proactive) pages, the funnel and tiers overviews, the customers list and the competitor
/// matrix, not the other stages' or tiers' pages; and the figures over time of the team
/// (`progress/`, `progress.json`), but no rep's (gamma has no owner).
#[test]
fn editing_a_deal_value_rerenders_exactly_the_lists_and_figures_that_show_it() {
    let r = rerendered(|t, read| {
        let s = read("content/customers/gamma.md");
        t.write(
            "content/customers/gamma.md",
            &s.replace("value: 200000", "value: 250000"),
        );
    });
    let expected = with_every(&[
        "customers/gamma/index.html",
        "customers/gamma/brief/index.html",
        "customers/index.html",
        "competitors/index.html",
        "funnel/index.html",
        "funnel/won/index.html",
        "tiers/index.html",
        "tiers/proactive/index.html",
        "progress/index.html",
        "progress.json",
    ]);
    assert_eq!(r, expected);
}

/// Issue 17: a rep's figures over time re-render with the rep's own customers only.
#[test]
fn editing_a_reps_deal_rerenders_that_reps_progress_and_no_other_reps() {
    let r = rerendered(|t, read| {
        let s = read("content/customers/alpha.md");
        assert!(s.contains("stage: quote"), "{s}");
        t.write(
            "content/customers/alpha.md",
            &s.replace("stage: quote", "stage: opportunity"),
        );
    });
    assert!(r.contains("owners/张伟/progress/index.html"), "{r:?}");
    assert!(
        r.contains("progress/index.html") && r.contains("progress.json"),
        "{r:?}"
    );
    assert!(
        !r.iter().any(|p| p.starts_with("owners/img") && p.contains("progress")),
        "another rep's progress is not touched: {r:?}"
    );
}

/// `incremental::export` (and `generated` for tag pages): the exports are re-made when any
/// page's summary changes, here a note's new tag; the note's section list, the new tag's
/// page and the page that links to the note (alpha shows its title) follow, no brief does.
#[test]
fn tagging_a_note_rerenders_exactly_the_exports_and_the_pages_that_show_the_note() {
    let r = rerendered(|t, read| {
        let s = read("content/notes/plan.md");
        t.write(
            "content/notes/plan.md",
            &s.replace("draft: false", "draft: false\ntags: [q4]"),
        );
    });
    let expected = with_every(&[
        "notes/plan/index.html",
        "notes/index.html",
        "tags/q4/index.html",
        "customers/alpha/index.html",
    ]);
    assert_eq!(r, expected);
}
