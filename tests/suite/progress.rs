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
    // Counted anonymously when the config says so: in the team's figures, under no owner.
    t.write("salesbook.yaml", &format!("{CONFIG}count_confidential: true\n"));
    let mut opts = t.options();
    opts.public = true;
    let r = t.build_with(opts);
    salesbook::write::write_output(&t.root().join("public"), &r.files).unwrap();
    let p = json(&t, "progress.json");
    assert_eq!(p["weeks"][0]["forecast"], 700_000.0, "{p:#}");
    assert!(p["owners"].get("王芳").is_none(), "{p:#}");
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
