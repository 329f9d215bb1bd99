//! Issue 17: the sales figures over time (销售进展): the quota keys, `progress.json`, the
//! `/progress/` pages and their chart, the forecast by period; built from temp sites (no
//! git: the history is unavailable and only the current week is shown) and, for the weekly
//! figures, from a fixture repository with scripted commits.

use crate::helper::{SiteTest, places};

const CONFIG: &str = "today: 2026-11-18\nquota: {2026-Q4: 1000000}\nowner_quota:\n  张伟: {2026-Q4: 400000}\n";

fn customer(title: &str, extra: &str) -> String {
    format!("---\ntitle: {title}\n{extra}---\n正文。\n")
}

fn site() -> SiteTest {
    SiteTest::with_files(&[
        ("salesbook.yaml", CONFIG),
        (
            "content/customers/a.md",
            // quote 100,000 ×0.6 = 60,000; orders: Q3 (not counted), Q4 before today, Q4 after
            // this week's Sunday (not counted yet).
            &customer(
                "甲",
                "owner: 张伟\nstage: quote\nvalue: 100000\nexpected_close: 2026-12-15\norders:\n  - {date: 2026-09-30, amount: 50000}\n  - {date: 2026-10-08, amount: 30000}\n  - {date: 2026-11-30, amount: 7000}\n",
            ),
        ),
        (
            "content/customers/b.md",
            // lead 200,000 ×0.2 = 40,000; won order in Q4.
            &customer(
                "乙",
                "owner: 李娜\nstage: lead\nvalue: 200000\nexpected_close: 2026-11-01\norders:\n  - {date: 2026-11-16, amount: 20000}\n",
            ),
        ),
        (
            "content/customers/secret.md",
            &customer(
                "密",
                "owner: 王芳\nconfidential: true\nstage: quote\nvalue: 1000000\norders:\n  - {date: 2026-11-01, amount: 90000}\n",
            ),
        ),
    ])
}

fn json(t: &SiteTest, path: &str) -> serde_json::Value {
    serde_json::from_str(&t.read(path)).unwrap()
}

/// Without history: one week (the one holding `today`), from the working tree, with the
/// forecast of the funnel's own rule and the quarter's sales to the week's Sunday.
#[test]
fn progress_json_without_history_holds_the_current_week_worked_by_hand() {
    let t = site();
    t.build_ok();
    let p = json(&t, "progress.json");
    let weeks = p["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 1, "{p:#}");
    let w = &weeks[0];
    assert_eq!(w["week"], "2026-W47");
    assert_eq!(
        (w["start"].as_str(), w["end"].as_str()),
        (Some("2026-11-16"), Some("2026-11-22"))
    );
    assert!(w["commit"].is_null());
    // 60,000 (a) + 40,000 (b) + 600,000 (secret, visible in a private build) = 700,000.
    assert_eq!(w["forecast"], 700_000.0);
    let funnel = json(&t, "funnel.json");
    assert_eq!(w["forecast"], funnel["weighted_total"], "the dashboard's own figure");
    // Q4 orders to Sunday 11-22: 30,000 + 20,000 + 90,000 = 140,000.
    assert_eq!(w["quarter"], "2026-Q4");
    assert_eq!(w["quarter_sales"], 140_000.0);
    assert_eq!(w["quota"], 1_000_000.0);
    assert!(w["progress"].is_null(), "the first week has no progress");
    let owners = p["owners"].as_object().unwrap();
    assert_eq!(owners.keys().collect::<Vec<_>>(), ["张伟", "李娜", "王芳"]);
    let z = &owners["张伟"]["weeks"][0];
    assert_eq!(
        (z["forecast"].as_f64(), z["quarter_sales"].as_f64()),
        (Some(60_000.0), Some(30_000.0))
    );
    assert_eq!(z["quota"], 400_000.0);
    assert!(owners["李娜"]["weeks"][0]["quota"].is_null(), "no owner quota set");
}

/// A `--public` build leaves the confidential customer out of every figure and its owner out
/// of the list, as the funnel does.
#[test]
fn a_public_build_leaves_confidential_customers_out_of_the_figures_over_time() {
    let t = site();
    let mut opts = t.options();
    opts.public = true;
    let r = t.build_with(opts);
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    salesbook::write::write_output(&t.root().join("public"), &r.files).unwrap();
    let p = json(&t, "progress.json");
    assert_eq!(p["weeks"][0]["forecast"], 100_000.0, "{p:#}");
    assert_eq!(p["weeks"][0]["quarter_sales"], 50_000.0);
    assert!(p["owners"].get("王芳").is_none(), "{p:#}");
    let page = t.read("progress/index.html");
    assert!(!page.contains("王芳") && !page.contains("密"), "{page}");
    // `count_confidential` counts them in the funnel (and its forecast by period), never in
    // the figures over time: a public build reads none of their history, and counting them
    // this week only would show their whole value as this week's progress.
    t.write("salesbook.yaml", &format!("{CONFIG}count_confidential: true\n"));
    let mut opts = t.options();
    opts.public = true;
    let r = t.build_with(opts);
    salesbook::write::write_output(&t.root().join("public"), &r.files).unwrap();
    let p = json(&t, "progress.json");
    assert_eq!(p["weeks"][0]["forecast"], 100_000.0, "{p:#}");
    assert!(p["owners"].get("王芳").is_none(), "{p:#}");
    assert_eq!(json(&t, "funnel.json")["weighted_total"], 700_000.0);
}

/// The pages: the team's and each rep's, linked from the navigation and the rep's page, with
/// the chart as inline SVG and the notice that there is no history.
#[test]
fn progress_pages_show_the_chart_the_week_and_that_history_is_unavailable() {
    let t = site();
    t.build_ok();
    let page = t.read("progress/index.html");
    assert!(page.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{page}");
    assert!(
        page.contains("没有历史记录"),
        "the page says there is no history: {page}"
    );
    assert!(page.contains("2026-W47") && page.contains("¥"), "{page}");
    assert!(page.contains("href=\"../owners/张伟/progress/index.html\""), "{page}");
    let home = t.read("index.html");
    assert!(
        home.contains("href=\"progress/index.html\""),
        "navigation links it: {home}"
    );
    let owner = t.read("owners/张伟/index.html");
    assert!(
        owner.contains("href=\"../../owners/张伟/progress/index.html\""),
        "{owner}"
    );
    let mine = t.read("owners/张伟/progress/index.html");
    assert!(mine.contains("张伟") && mine.contains("<svg"), "{mine}");
    assert!(
        !mine.contains("李娜"),
        "a rep's page shows the rep's figures only: {mine}"
    );
    // English labels.
    t.write("salesbook.yaml", &format!("{CONFIG}language: en\n"));
    t.build_ok();
    let page = t.read("progress/index.html");
    assert!(page.contains("Sales progress") && page.contains("No history"), "{page}");
}

/// Quota keys are validated like every other key: each problem at its place, in one run.
#[test]
fn bad_quota_keys_are_reported_at_their_place() {
    let t = SiteTest::with_files(&[
        (
            "salesbook.yaml",
            "quota:\n  2026-Q4: 100\n  Q1-2027: 5\nowner_quota:\n  张伟: {2026-Q4: -1}\n",
        ),
        ("content/customers/a.md", &customer("甲", "stage: lead\n")),
    ]);
    let r = t.build();
    assert!(r.has_errors());
    assert_eq!(
        places(&r.diagnostics),
        [
            "salesbook.yaml:3:3 `quota` key `Q1-2027` is not a quarter",
            "salesbook.yaml:5:17 `owner_quota` for 2026-Q4 is -1: a quota is an amount from 0 to 10^15"
        ]
    );
    let out = t.run(&["check"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

/// `progress` is the name of a generated page: a content folder of that name is refused.
#[test]
fn a_content_folder_named_progress_is_refused() {
    let t = SiteTest::with_files(&[("content/progress/x.md", "---\ntitle: x\n---\n")]);
    let r = t.build();
    assert!(
        places(&r.diagnostics)
            .iter()
            .any(|p| p.contains("content/progress") && p.contains("/progress/")),
        "{:#?}",
        r.diagnostics
    );
}

/// Forecast by period on `/funnel/` and on a rep's page: open deals by expected-close month
/// and quarter, overdue and undated apart, the quarter's quota and what was sold so far.
#[test]
fn the_funnel_and_each_reps_page_show_the_forecast_by_period() {
    let t = site();
    t.build_ok();
    let funnel = t.read("funnel/index.html");
    let row = |html: &str, period: &str| -> String {
        let at = html
            .find(&format!("<th scope=\"row\">{period}</th>"))
            .unwrap_or_else(|| panic!("{period}: {html}"));
        html[at..].split("</tr>").next().unwrap().to_owned()
    };
    assert!(funnel.contains("按期预测"), "{funnel}");
    // a: quote 100,000 closing 2026-12-15 (×0.6 = 60,000).
    let dec = row(&funnel, "2026-12");
    assert!(
        dec.contains(">1<") && dec.contains("¥100,000") && dec.contains("¥60,000"),
        "{dec}"
    );
    let q4 = row(&funnel, "2026-Q4");
    assert!(q4.contains(">1<") && q4.contains("¥60,000"), "{q4}");
    // b closes 2026-11-01, before today: overdue, apart; secret has no close date.
    let overdue = row(&funnel, "已过预计成交日期");
    assert!(overdue.contains("¥200,000") && overdue.contains("¥40,000"), "{overdue}");
    let undated = row(&funnel, "未填预计成交日期");
    assert!(undated.contains("¥1,000,000"), "{undated}");
    // Sold in Q4 to today (11-18): 30,000 + 20,000 + 90,000 = 140,000 of 1,000,000 = 14.0%.
    assert!(
        funnel.contains("¥140,000 <span class=\"muted\">14.0%</span>"),
        "{funnel}"
    );
    let mine = t.read("owners/张伟/index.html");
    assert!(row(&mine, "2026-12").contains("¥60,000"), "{mine}");
    assert!(
        mine.contains("¥30,000 <span class=\"muted\">7.5%</span>"),
        "a rep's own quota: {mine}"
    );
}

// ---------------------------------------------------------------------------------------
// The weekly figures from a real repository

/// Runs git in the site folder with a fixed author, committer and dates (`at`, with its UTC
/// offset), no user config.
fn git(t: &SiteTest, args: &[&str], author: &str, at: &str) {
    dated(t, args, author, at, at);
}

/// Runs git as `author`, authored at `authored` and committed at `committed`.
fn dated(t: &SiteTest, args: &[&str], author: &str, authored: &str, committed: &str) {
    let out = crate::helper::git_command(t.root())
        .args(args)
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_AUTHOR_EMAIL", "a@example.com")
        .env("GIT_COMMITTER_NAME", author)
        .env("GIT_COMMITTER_EMAIL", "a@example.com")
        .env("GIT_AUTHOR_DATE", authored)
        .env("GIT_COMMITTER_DATE", committed)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn commit(t: &SiteTest, author: &str, at: &str, message: &str) {
    git(t, &["add", "-A"], author, at);
    git(t, &["commit", "-q", "-m", message], author, at);
}

const A_QUOTE: &str =
    "---\ntitle: 甲\nowner: 张伟\nstage: quote\nvalue: 100000\norders:\n  - {date: 2026-09-15, amount: 50000}\n---\n";

/// The repository, commit by commit (first-parent line: c1, c2, m, c3, c4; s1 on a side
/// branch). Today is Wed 2026-10-14 (week 2026-W42).
///
/// - c1 Tue 2026-09-22 10:00 +08:00 (张伟): the config; a (张伟, quote 100,000, an order of
///   50,000 on 2026-09-15, in Q3); d (李娜, lead 10,000, never changes).
/// - s1 Sat 2026-09-26 12:00 +08:00 (王芳), on a side branch from c1: a's value 150,000 and
///   an order of 30,000 on 2026-10-02.
/// - c2 Wed 2026-09-30 18:00 +08:00 (李娜): b added mid-way (李娜, lead 200,000).
/// - m Sat 2026-10-03 20:00 +08:00 (张伟): merges the side branch (a now 150,000).
/// - c3 Mon 2026-10-05 00:30 +08:00 (李娜), just after local midnight (Sunday 16:30 UTC): b
///   lost. Its author date is a day earlier: the committer date decides.
/// - c4 Thu 2026-10-08 11:00 +08:00 (张伟): a won, an order of 70,000 on 2026-10-08.
/// - Uncommitted: c (张伟, opportunity 50,000) added.
fn repository() -> SiteTest {
    let t = SiteTest::with_files(&[
        (
            "salesbook.yaml",
            "today: 2026-10-14\nstale_after_days: 14\nquota: {2026-Q3: 500000, 2026-Q4: 1000000}\nowner_quota:\n  张伟: {2026-Q4: 400000}\n",
        ),
        ("content/customers/a.md", A_QUOTE),
        (
            "content/customers/d.md",
            "---\ntitle: 丁\nowner: 李娜\nstage: lead\nvalue: 10000\n---\n",
        ),
    ]);
    git(&t, &["init", "-q"], "张伟", "2026-09-22T10:00:00+08:00");
    commit(&t, "张伟", "2026-09-22T10:00:00+08:00", "c1");
    git(
        &t,
        &["checkout", "-q", "-b", "side"],
        "王芳",
        "2026-09-26T12:00:00+08:00",
    );
    t.write(
        "content/customers/a.md",
        &A_QUOTE.replace("value: 100000", "value: 150000").replace(
            "amount: 50000}\n",
            "amount: 50000}\n  - {date: 2026-10-02, amount: 30000}\n",
        ),
    );
    commit(&t, "王芳", "2026-09-26T12:00:00+08:00", "s1");
    git(&t, &["checkout", "-q", "main"], "李娜", "2026-09-30T18:00:00+08:00");
    t.write(
        "content/customers/b.md",
        "---\ntitle: 乙\nowner: 李娜\nstage: lead\nvalue: 200000\n---\n",
    );
    commit(&t, "李娜", "2026-09-30T18:00:00+08:00", "c2");
    git(
        &t,
        &["merge", "-q", "--no-ff", "-m", "m", "side"],
        "张伟",
        "2026-10-03T20:00:00+08:00",
    );
    t.write(
        "content/customers/b.md",
        "---\ntitle: 乙\nowner: 李娜\nstage: lost\nvalue: 200000\n---\n",
    );
    git(&t, &["add", "-A"], "李娜", "2026-10-05T00:30:00+08:00");
    dated(
        &t,
        &["commit", "-q", "-m", "c3"],
        "李娜",
        "2026-10-04T00:30:00+08:00",
        "2026-10-05T00:30:00+08:00",
    );
    let a = t.root().join("content/customers/a.md");
    let text = std::fs::read_to_string(&a).unwrap();
    t.write(
        "content/customers/a.md",
        &text.replace("stage: quote", "stage: won").replace(
            "amount: 30000}\n",
            "amount: 30000}\n  - {date: 2026-10-08, amount: 70000}\n",
        ),
    );
    commit(&t, "张伟", "2026-10-08T11:00:00+08:00", "c4");
    t.write(
        "content/customers/c.md",
        "---\ntitle: 丙\nowner: 张伟\nstage: opportunity\nvalue: 50000\n---\n",
    );
    t
}

fn figures(week: &serde_json::Value) -> (String, f64, f64, Option<f64>, Option<f64>) {
    (
        week["week"].as_str().unwrap().to_owned(),
        week["forecast"].as_f64().unwrap(),
        week["quarter_sales"].as_f64().unwrap(),
        week["quota"].as_f64(),
        week["progress"].as_f64(),
    )
}

/// The weekly figures worked out by hand (weighted: quote ×0.6, opportunity ×0.4, lead ×0.2).
///
/// Team:
/// - W39 (09-21..09-27, Sunday in Q3): snapshot c1 (s1 is on the side branch). Forecast
///   a 60,000 + d 2,000 = 62,000; Q3 sales to 09-27: 50,000; quota 500,000; first week: null.
/// - W40 (09-28..10-04, Sunday 10-04 in Q4): snapshot m (c3 is 10-05 in its own offset).
///   Forecast a 90,000 + b 40,000 + d 2,000 = 132,000; Q4 sales 10-01..10-04: 30,000.
///   Last week's sales from 10-01 to 09-27: 0. Progress ((132,000 − 62,000) + 30,000) / 1,000,000 = 0.1.
/// - W41 (10-05..10-11): snapshot c4. a won, b lost: forecast d 2,000; sales 30,000 + 70,000 =
///   100,000. Progress ((2,000 − 132,000) + (100,000 − 30,000)) / 1,000,000 = −0.06.
/// - W42: the working tree: forecast c 20,000 + d 2,000 = 22,000; sales 100,000. Progress
///   ((22,000 − 2,000) + 0) / 1,000,000 = 0.02.
///
/// 张伟 (Q4 quota 400,000, none for Q3): W39 60,000 / 50,000 / null; W40 90,000 / 30,000:
/// (30,000 + 30,000) / 400,000 = 0.15; W41 0 / 100,000: (−90,000 + 70,000) / 400,000 = −0.05;
/// W42 20,000 / 100,000: 20,000 / 400,000 = 0.05. 李娜 (no quota): 2,000, 42,000, 2,000, 2,000.
#[test]
fn weekly_figures_from_a_scripted_repository_match_the_hand_worked_ones() {
    let t = repository();
    t.build_ok();
    let p = json(&t, "progress.json");
    let team: Vec<_> = p["weeks"].as_array().unwrap().iter().map(figures).collect();
    let w = |s: &str| s.to_owned();
    assert_eq!(
        team,
        [
            (w("2026-W39"), 62_000.0, 50_000.0, Some(500_000.0), None),
            (w("2026-W40"), 132_000.0, 30_000.0, Some(1e6), Some(0.1)),
            (w("2026-W41"), 2_000.0, 100_000.0, Some(1e6), Some(-0.06)),
            (w("2026-W42"), 22_000.0, 100_000.0, Some(1e6), Some(0.02)),
        ],
        "{p:#}"
    );
    let weeks = p["weeks"].as_array().unwrap();
    assert_eq!(
        (weeks[1]["start"].as_str(), weeks[1]["end"].as_str()),
        (Some("2026-09-28"), Some("2026-10-04"))
    );
    assert_eq!(weeks[0]["quarter"], "2026-Q3");
    assert_eq!(weeks[1]["quarter"], "2026-Q4", "the quarter of the week's Sunday");
    assert_eq!(weeks[0]["commit"].as_str().map(str::len), Some(40));
    assert_ne!(weeks[0]["commit"], weeks[1]["commit"]);
    assert!(weeks[3]["commit"].is_null(), "the working tree");
    let owners = p["owners"].as_object().unwrap();
    assert_eq!(
        owners.keys().collect::<Vec<_>>(),
        ["张伟", "李娜"],
        "王芳 owns no customer"
    );
    let z: Vec<_> = owners["张伟"]["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(figures)
        .collect();
    assert_eq!(
        z,
        [
            (w("2026-W39"), 60_000.0, 50_000.0, None, None),
            (w("2026-W40"), 90_000.0, 30_000.0, Some(400_000.0), Some(0.15)),
            (w("2026-W41"), 0.0, 100_000.0, Some(400_000.0), Some(-0.05)),
            (w("2026-W42"), 20_000.0, 100_000.0, Some(400_000.0), Some(0.05)),
        ]
    );
    let l: Vec<f64> = owners["李娜"]["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["forecast"].as_f64().unwrap())
        .collect();
    assert_eq!(l, [2_000.0, 42_000.0, 2_000.0, 2_000.0]);

    // stage_history, dated by the commits in their own offsets; the uncommitted page today.
    let customers = json(&t, "exports/customers.json");
    let history = |slug: &str| -> Vec<(String, String)> {
        let c = customers
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["slug"] == slug)
            .unwrap();
        c["stage_history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["date"].as_str().unwrap().to_owned(),
                    e["stage"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        history("a"),
        [(w("2026-09-22"), w("quote")), (w("2026-10-08"), w("won"))]
    );
    assert_eq!(
        history("b"),
        [(w("2026-09-30"), w("lead")), (w("2026-10-05"), w("lost"))]
    );
    assert_eq!(history("c"), [(w("2026-10-14"), w("opportunity"))]);

    // The customer page's timeline: a's value change came with the merge (its author).
    let a = t.read("customers/a/index.html");
    assert!(a.contains("¥100,000 → ¥150,000"), "{a}");
    assert!(a.contains("在当前阶段的天数: <strong>6</strong>"), "won on 10-08: {a}");
    // This week's movement: c is new and uncommitted; d has been at lead since 09-22 (22
    // days, beyond stale_after_days 14); nothing was committed this week.
    let page = t.read("progress/index.html");
    let movement = page
        .split("id=\"movement\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert!(
        movement.contains("id=\"movement-new\"") && movement.contains(">丙</a>"),
        "{movement}"
    );
    assert!(movement.contains("未提交"), "{movement}");
    assert!(
        movement.contains("id=\"movement-stalled\"") && movement.contains(">丁</a>"),
        "{movement}"
    );
    assert!(
        !movement.contains(">甲</a>") && !movement.contains(">乙</a>"),
        "last week's moves: {movement}"
    );
    assert!(!page.contains("没有历史记录"), "{page}");
    // Measured rates (window 2026-07-01..10-14): quote 16 days then won; lead (b) 5 days then
    // lost: win rate 1 / 2.
    let funnel = t.read("funnel/index.html");
    let rates = funnel
        .split("id=\"rates\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert!(rates.contains("1 / 2") && rates.contains("50%"), "{rates}");
}

/// A commit re-renders what the history decides (the figures over time, the customers'
/// timelines, `stage_history`), and the rebuild equals a full build.
#[test]
fn a_new_commit_rerenders_the_figures_over_time_as_a_full_build_would() {
    let t = repository();
    let mut b = salesbook::build::Builder::with_mode(t.options(), salesbook::build::BuildMode::Serve);
    // `serve` reads the history in the background and hands it in; until then the page says
    // it is being read (not that there is none).
    let before = b.build();
    let page = before.files.iter().find(|f| &*f.path == "progress/index.html").unwrap();
    assert!(String::from_utf8_lossy(&page.bytes).contains("正在读取历史记录"));
    b.set_history(b.history_job().run().unwrap());
    let first = b.build();
    assert!(!first.has_errors(), "{:#?}", first.diagnostics);
    commit(&t, "张伟", "2026-10-13T09:00:00+08:00", "c5: c");
    b.set_history(b.history_job().run().unwrap());
    let inc = b.build();
    let full = t.build();
    let files = |r: &salesbook::build::BuildResult| -> std::collections::BTreeMap<String, Vec<u8>> {
        r.files.iter().map(|f| (f.path.to_string(), f.bytes.to_vec())).collect()
    };
    let (a, f) = (files(&inc), files(&full));
    for (path, bytes) in &f {
        if let Some(kept) = a.get(path) {
            assert!(kept == bytes, "{path} differs from a full build");
        }
    }
    for path in [
        "progress/index.html",
        "progress.json",
        "customers/c/index.html",
        "exports/customers.json",
    ] {
        assert!(
            a.contains_key(path),
            "{path} is made again after the commit: {:?}",
            a.keys()
        );
    }
    let page = String::from_utf8(a["progress/index.html"].clone()).unwrap();
    let movement = page
        .split("id=\"movement\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert!(
        movement.contains(">丙</a>") && movement.contains("张伟") && !movement.contains("未提交"),
        "{movement}"
    );
}

/// A `--public` build reads old versions by its own rules: a confidential customer, and a
/// value once written under `private:`, are in no figure or timeline of the output.
#[test]
fn a_public_build_shows_nothing_private_or_confidential_from_the_history() {
    let t = repository();
    t.write(
        "content/customers/e.md",
        "---\ntitle: 戊\nowner: 张伟\nstage: quote\nprivate:\n  value: 987654\n---\n",
    );
    t.write(
        "content/customers/secret.md",
        "---\ntitle: 绝密客户\nowner: 赵磊\nconfidential: true\nstage: quote\nvalue: 876543\n---\n",
    );
    commit(&t, "张伟", "2026-10-12T09:00:00+08:00", "c5: private");
    t.write(
        "content/customers/e.md",
        "---\ntitle: 戊\nowner: 张伟\nstage: won\n---\n",
    );
    commit(&t, "张伟", "2026-10-13T09:00:00+08:00", "c6: e won, its value gone");
    t.build_ok();
    assert!(
        t.read("customers/e/index.html").contains("¥987,654 → –"),
        "an internal build shows it"
    );
    let mut opts = t.options();
    opts.public = true;
    let r = t.build_with(opts);
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    for f in &r.files {
        let text = String::from_utf8_lossy(&f.bytes);
        for secret in ["987654", "987,654", "876543", "876,543", "绝密", "赵磊"] {
            assert!(!text.contains(secret), "{secret} in {}", f.path);
        }
    }
}

/// A commit's author is text from outside the site: escaped wherever a page names it (git
/// itself drops `<` and `>` from a name; quotes and `&` stay).
#[test]
fn a_hostile_author_name_is_escaped_in_the_movement_and_the_timeline() {
    let t = repository();
    commit(&t, "A & \"B\" 'x' onerror=alert(1)", "2026-10-13T09:00:00+08:00", "c5");
    t.build_ok();
    for page in [
        "progress/index.html",
        "owners/张伟/progress/index.html",
        "customers/c/index.html",
    ] {
        let html = t.read(page);
        assert!(!html.contains("\"B\" 'x'"), "{page}: {html}");
        assert!(
            html.contains("A &amp; &quot;B&quot; &#39;x&#39; onerror=alert(1)"),
            "{page}: {html}"
        );
    }
}
