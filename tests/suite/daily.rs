//! A rep's daily work (issue 18): commitments and their `check` warning, the weekly plan,
//! the daily reports, and the exports a reminder bot reads. One site, with today a
//! Wednesday (2026-11-25, ISO week 2026-W48: 11-23 to 11-29).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;

use salesbook::build::{BuildMode, BuildOptions, Builder};

use crate::helper::{SiteTest, places};

const A: &str = "---
title: 甲公司
stage: quote
owner: 张伟
value: 500000
expected_close: 2026-11-28
next_visit: 2026-11-27
visits:
  - {date: 2026-11-02, kind: follow-up, goal: 讲方案, commitment: 寄样品, commitment_due: 2026-11-20}
  - {date: 2026-11-10, kind: cold, commitment: 安排试用, commitment_due: 2026-11-26}
  - {date: 2026-11-12, kind: phone, commitment: 签保密协议, commitment_done: true}
  - {date: 2026-11-27, kind: follow-up, goal: 现场演示}
---
";

/// Line 9 is the visit with no commitment.
const B: &str = "---
title: 乙公司
stage: opportunity
owner: 李娜
expected_close: 2026-11-01
next_visit: 2026-11-20
visits:
  - {date: 2026-11-19, kind: follow-up, commitment: 回复报价, commitment_done: 2026-11-21}
  - {date: 2026-11-18, kind: routine, goal: 例行回访}
---
";

const C: &str = "---
title: 丙公司
stage: lost
owner: 李娜
next_visit: 2026-10-01
visits:
  - {date: 2026-11-18, kind: phone, commitment: 明年再联系}
---
";

const D: &str = "---
title: 丁公司
stage: lead
owner: 张伟
confidential: true
next_visit: 2026-11-26
visits:
  - {date: 2026-11-18, kind: cold, commitment: 机密承诺, commitment_due: 2026-11-22}
---
";

const E: &str = "---\ntitle: 戊公司\nstage: target\nowner: 王芳\n---\n";

fn site(config: &str) -> SiteTest {
    SiteTest::with_files(&[
        ("content/customers/a.md", A),
        ("content/customers/b.md", B),
        ("content/customers/c.md", C),
        ("content/customers/d.md", D),
        ("content/customers/e.md", E),
        (
            "content/scripts/s1.md",
            "---\ntitle: 报价跟进话术\nvisit_kind: follow-up\nstages: [quote]\n---\n",
        ),
        (
            "salesbook.yaml",
            &format!("today: 2026-11-25\nstale_after_days: 30\n{config}"),
        ),
    ])
}

fn public(t: &SiteTest) {
    let r = t.build_with(BuildOptions {
        public: true,
        ..t.options()
    });
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    let out = t.root().join("public");
    let _ = std::fs::remove_dir_all(&out);
    salesbook::write::write_output(&out, &r.files).unwrap();
}

/// The customer slugs a piece of HTML links to, in order.
fn slugs(html: &str) -> Vec<String> {
    html.split("customers/")
        .skip(1)
        .filter_map(|s| s.split_once("/index.html").map(|(slug, _)| slug.to_owned()))
        .filter(|s| !s.contains(['<', '"', ' ']))
        .collect()
}

/// The `<main>` of a page.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").unwrap();
    &html[start..html.find("</main>").unwrap()]
}

/// The rows of the week table: (date, slugs linked that day).
fn week_rows(html: &str) -> Vec<(String, Vec<String>)> {
    main_of(html)
        .split("<tr")
        .skip(1)
        .filter_map(|row| {
            let date = row.split("<span class=\"date\">").nth(1)?.split('<').next()?.to_owned();
            Some((date, slugs(row)))
        })
        .collect()
}

fn carried(html: &str) -> Vec<String> {
    let m = main_of(html);
    match m.find("class=\"carried\"") {
        Some(i) => slugs(&m[i..m[i..].find("</div>").map_or(m.len(), |e| i + e)]),
        None => Vec::new(),
    }
}

fn json(t: &SiteTest, path: &str) -> serde_json::Value {
    serde_json::from_str(&t.read(path)).unwrap()
}

/// `/commitments/` lists the open ones, overdue first, then by due date, undated last; the
/// export has every commitment with its state.
#[test]
fn commitments_open_done_and_overdue() {
    let t = site("");
    t.build_ok();
    let page = t.read("commitments/index.html");
    assert_eq!(
        slugs(main_of(&page)),
        ["a", "d", "a", "c"],
        "a#1 and d overdue, a#2 due 11-26, c undated"
    );
    assert!(page.contains("寄样品") && page.contains("安排试用") && page.contains("明年再联系"));
    assert!(
        !page.contains("签保密协议") && !page.contains("回复报价"),
        "done ones are not listed"
    );
    let rows: Vec<(String, String, bool, bool)> = json(&t, "exports/commitments.json")
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["customer"].as_str().unwrap().to_owned(),
                c["text"].as_str().unwrap().to_owned(),
                c["done"].as_bool().unwrap(),
                c["overdue"].as_bool().unwrap(),
            )
        })
        .collect();
    let row = |c: &str, t: &str, done, overdue| (c.to_owned(), t.to_owned(), done, overdue);
    assert_eq!(
        rows,
        [
            row("a", "寄样品", false, true),
            row("a", "安排试用", false, false),
            row("a", "签保密协议", true, false),
            row("b", "回复报价", true, false),
            row("c", "明年再联系", false, false),
            row("d", "机密承诺", false, true),
        ]
    );
    let b = &json(&t, "exports/commitments.json")[3];
    assert_eq!(
        (&b["owner"], &b["visit_date"], &b["due"], &b["done_on"]),
        (
            &serde_json::json!("李娜"),
            &serde_json::json!("2026-11-19"),
            &serde_json::Value::Null,
            &serde_json::json!("2026-11-21")
        )
    );
}

/// A logged visit without a commitment is a warning at the visit's place; a planned one
/// (after today) is not; the switch turns the warning off.
#[test]
fn a_visit_without_a_commitment_is_a_warning_that_can_be_switched_off() {
    let t = site("");
    let r = t.build();
    let warned: Vec<String> = places(&r.diagnostics)
        .into_iter()
        .filter(|p| p.contains("commitment"))
        .collect();
    assert_eq!(
        warned,
        ["content/customers/b.md:9:5 every visit should end with a commitment"],
        "a's visit of 11-27 is a plan, not a visit"
    );
    let d = r.diagnostics.iter().find(|d| d.message.contains("commitment")).unwrap();
    assert!(!d.is_error());
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("warn_visit_without_commitment: false")
    );
    let off = site("warn_visit_without_commitment: false\n").build();
    assert!(off.diagnostics.is_empty(), "{:#?}", off.diagnostics);
    // `check` exits 0 with warnings and names the place.
    let out = t.run(&["check"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("b.md:9:5"));
}

/// A bad `commitment_done:` is an error at its place; `false` is "not yet".
#[test]
fn commitment_fields_are_checked() {
    let t = SiteTest::with_files(&[(
        "content/customers/x.md",
        "---\ntitle: x\nstage: lead\nvisits:\n  - {date: 2026-01-01, commitment: 试用, commitment_due: 明天, commitment_done: 也许}\n  - {date: 2026-01-02, commitment: 付款, commitment_done: false}\n---\n",
    )]);
    let r = t.build();
    let p = places(&r.diagnostics);
    assert!(
        p.iter()
            .any(|p| p.starts_with("content/customers/x.md:5:") && p.contains("`commitment_due` is not a valid date")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|p| p.starts_with("content/customers/x.md:5:") && p.contains("`commitment_done` is not a valid date")),
        "{p:?}"
    );
    assert!(r.has_errors());
}

/// The weekly plan: each rep's days from today to Sunday, the overdue items carried over.
#[test]
fn the_weekly_plan_lists_each_day_and_carries_overdue_items_over() {
    let t = site("");
    t.build_ok();
    let zhang = t.read("owners/张伟/plan/index.html");
    let days: BTreeMap<String, Vec<String>> = week_rows(&zhang).into_iter().collect();
    let expect: BTreeMap<String, Vec<String>> = [
        ("2026-11-23", vec![]),
        ("2026-11-24", vec![]),
        ("2026-11-25", vec![]),
        // d's next visit; a's commitment due
        ("2026-11-26", vec!["d", "a"]),
        // a's next visit and its visit written ahead: once, with its goal and script
        ("2026-11-27", vec!["a"]),
        // a's expected close
        ("2026-11-28", vec!["a"]),
        ("2026-11-29", vec![]),
    ]
    .into_iter()
    .map(|(d, s)| (d.to_owned(), s.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(days, expect);
    assert_eq!(carried(&zhang), ["a", "d"], "a's and d's overdue commitments");
    assert!(
        zhang.contains("现场演示") && zhang.contains("报价跟进话术"),
        "the goal and the script"
    );
    assert!(zhang.contains("exports/visits-张伟.ics"));

    let li = t.read("owners/李娜/plan/index.html");
    assert!(week_rows(&li).iter().all(|(_, s)| s.is_empty()), "nothing planned");
    // b: overdue visit (next_visit 11-20, no visit since) and overdue close; c is lost.
    assert_eq!(carried(&li), ["b", "b"]);

    let team = t.read("plan/index.html");
    let team = main_of(&team);
    assert_eq!(
        team.matches("class=\"rep-plan\"").count(),
        3,
        "张伟, 李娜, 王芳: one section per rep"
    );
    assert!(team.find("张伟").unwrap() < team.find("李娜").unwrap());
    let style = t.read("style.css");
    assert!(style.contains("@media print") && style.contains(".rep-plan { break-after: page;"));
}

/// The rep's calendar is the team's `visits.ics` cut to the rep's customers, and a real
/// parser reads it.
#[test]
fn each_rep_has_a_calendar_feed() {
    let t = site("");
    t.build_ok();
    let ics = |p: &str| crate::exports::parse_ics(t.read(p).as_bytes());
    let dates = |p: &str| -> Vec<(String, String)> { ics(p).into_iter().map(|(d, s, _)| (d, s)).collect() };
    assert_eq!(
        dates("exports/visits-张伟.ics"),
        [
            ("2026-11-26".to_owned(), "丁公司".to_owned()),
            ("2026-11-27".to_owned(), "甲公司 · 现场演示".to_owned())
        ]
    );
    assert_eq!(
        dates("exports/visits-李娜.ics"),
        [
            ("2026-10-01".to_owned(), "丙公司".to_owned()),
            ("2026-11-20".to_owned(), "乙公司".to_owned())
        ]
    );
    assert!(ics("exports/visits-王芳.ics").is_empty());
}

/// `visits.json`: the dashboard's overdue, upcoming (14 days) and stale lists, as slugs.
#[test]
fn visits_json_has_the_dashboards_lists() {
    let t = site("");
    t.build_ok();
    assert_eq!(
        json(&t, "exports/visits.json"),
        serde_json::json!({
            "overdue": ["b"],
            "upcoming": [{"slug": "d", "date": "2026-11-26"}, {"slug": "a", "date": "2026-11-27"}],
            // 甲公司, a quote, 13 days quiet: beyond a quote's visit cadence of 7 (issue 18).
            "stale": ["a", "e"],
        })
    );
}

/// The daily report lists the day's visits by rep; the list has the days newest first and
/// sums each week's visits per rep and kind.
#[test]
fn daily_reports_list_each_days_visits_by_rep() {
    let t = site("");
    t.build_ok();
    let day = t.read("reports/2026-11-18/index.html");
    let day = main_of(&day);
    assert_eq!(
        slugs(day),
        ["d", "c", "b"],
        "张伟's, then 李娜's by title (丙 before 乙)"
    );
    assert!(day.find("张伟").unwrap() < day.find("李娜").unwrap());
    assert!(day.contains("例行回访") && day.contains("明年再联系"));
    assert!(
        !t.exists("reports/2026-11-27/index.html"),
        "a visit written ahead is not logged"
    );
    let list = t.read("reports/index.html");
    let days: Vec<&str> = main_of(&list)
        .split("reports/")
        .skip(1)
        .filter_map(|s| s.split_once("/index.html").map(|(d, _)| d))
        .filter(|d| d.len() == 10)
        .collect();
    assert_eq!(
        days,
        ["2026-11-19", "2026-11-18", "2026-11-12", "2026-11-10", "2026-11-02"]
    );
    // W47: 张伟 one cold visit (d); 李娜 one follow-up (b), one routine (b), one phone (c).
    let w47 = main_of(&list).split("2026-W47").nth(1).unwrap();
    let row = |rep: &str| -> Vec<String> {
        let r = w47.split(&format!("<th scope=\"row\">{rep}</th>")).nth(1).unwrap();
        let r = &r[..r.find("</tr>").unwrap()];
        r.split("\">")
            .skip(1)
            .map(|c| c.split('<').next().unwrap().to_owned())
            .collect()
    };
    // phone, cold, follow-up, routine, other, total
    assert_eq!(row("张伟"), ["0", "1", "0", "0", "0", "1"]);
    assert_eq!(row("李娜"), ["1", "0", "1", "1", "0", "3"]);
}

/// `--public` leaves the confidential customer out of every page and export of this issue.
#[test]
fn public_builds_leave_confidential_customers_out() {
    let t = site("");
    public(&t);
    for path in [
        "commitments/index.html",
        "plan/index.html",
        "owners/张伟/plan/index.html",
        "reports/index.html",
        "reports/2026-11-18/index.html",
        "exports/commitments.json",
        "exports/visits.json",
        "exports/visits-张伟.ics",
    ] {
        let text = t.read(path);
        assert!(!text.contains("丁公司") && !text.contains("机密承诺"), "{path}");
        assert!(!text.contains("customers/d/") && !text.contains("\"d\""), "{path}");
    }
    assert_eq!(slugs(main_of(&t.read("commitments/index.html"))), ["a", "a", "c"]);
    assert_eq!(slugs(main_of(&t.read("reports/2026-11-18/index.html"))), ["c", "b"]);
}

/// `incremental::generated` for a day's report and a rep's plan, `incremental::export` for
/// a rep's calendar: editing one of 李娜's customers re-renders her plan, her calendar and the
/// report of the day it changed, not 张伟's nor another day's.
#[test]
fn editing_a_visit_rerenders_exactly_its_days_report_and_its_reps_plan() {
    let t = site("");
    let mut b = Builder::with_mode(t.options(), BuildMode::Serve);
    assert!(!b.build().has_errors());
    let every_build: HashSet<String> = b.build().files.iter().map(|f| f.path.to_string()).collect();
    t.write("content/customers/b.md", &B.replace("例行回访", "例行回访，确认需求"));
    let changed: HashSet<PathBuf> = [t.root().join("content/customers/b.md")].into();
    let r = b.rebuild(&changed);
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    let made: BTreeSet<String> = r
        .files
        .iter()
        .map(|f| f.path.to_string())
        .filter(|p| !every_build.contains(p))
        .collect();
    for p in [
        "reports/2026-11-18/index.html",
        "owners/李娜/plan/index.html",
        "exports/visits-李娜.ics",
        "plan/index.html",
        "reports/index.html",
        "commitments/index.html",
    ] {
        assert!(made.contains(p), "{p} not re-rendered: {made:?}");
    }
    // b was visited on 11-18 and 11-19: both reports show it; a's days do not.
    assert!(made.contains("reports/2026-11-19/index.html"));
    for p in [
        "reports/2026-11-10/index.html",
        "reports/2026-11-12/index.html",
        "owners/张伟/plan/index.html",
        "exports/visits-张伟.ics",
        "exports/visits-王芳.ics",
    ] {
        assert!(!made.contains(p), "{p} re-rendered: {made:?}");
    }
}

/// A long visit log with no commitments: the first 50 warnings one by one, the rest counted.
#[test]
fn a_long_visit_log_without_commitments_is_reported_in_bounded_time() {
    let visits: String = (0..3000)
        .map(|i| format!("  - {{date: 2026-01-01, goal: v{i}}}\n"))
        .collect();
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "today: 2026-11-25\n"),
        (
            "content/customers/x.md",
            &format!("---\ntitle: x\nstage: lead\nvisits:\n{visits}---\n"),
        ),
    ]);
    let r = t.build();
    let p = places(&r.diagnostics);
    assert_eq!(p.len(), 51, "{:?}", &p[..3]);
    // Sorted by place: the count (the whole file) first.
    assert_eq!(p[0], "content/customers/x.md:0:0 2950 more visits without a commitment");
    assert_eq!(
        p[1],
        "content/customers/x.md:5:5 every visit should end with a commitment"
    );
    assert_eq!(
        p[50],
        "content/customers/x.md:54:5 every visit should end with a commitment"
    );
}
