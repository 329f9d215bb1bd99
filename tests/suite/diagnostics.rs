//! Bad input: every problem of the `diagnostics/broken` fixture, at its file, line and column.

use crate::helper::{SiteTest, assert_snapshot, places};
use salesbook::diagnostics::{Severity, render_human};

#[test]
fn every_problem_is_reported_at_its_place() {
    let t = SiteTest::fixture("diagnostics/broken");
    let r = t.build();
    assert!(r.has_errors());
    let got = places(&r.diagnostics);
    let expected = [
        "content/customers/bad-values.md:3:8 unknown stage \"oportunity\"",
        "content/customers/bad-values.md:4:7 unknown tier \"gold\"",
        "content/customers/bad-values.md:5:8 `value` must be a number, found \"120万\"",
        "content/customers/bad-values.md:6:14 `probability` is 35, outside 0..1",
        "content/customers/bad-values.md:7:17 `expected_close` is not a valid date: \"2026/12/20\"",
        "content/customers/bad-values.md:8:1 unknown field `owner_name`",
        "content/customers/bad-values.md:11:11 unknown role \"boss\"",
        "content/customers/bad-values.md:12:12 unknown style \"tiger\"",
        "content/customers/bad-values.md:14:11 `date` is not a valid date: \"2026-13-01\"",
        "content/customers/bad-values.md:15:11 unknown visit kind \"followup\"",
        "content/customers/bad-values.md:16:15 unknown competitor \"abb\"",
        "content/customers/bad-yaml.md:3:8 invalid YAML in front matter: unclosed bracket '['",
        "content/customers/dup-b.md:3:7 duplicate slug \"same\": content/customers/dup-a.md has the same URL",
        "content/customers/gbk.md:2:8 this file is not UTF-8 text (byte 0xB1 at line 2, column 8)",
        "content/customers/links.md:6:3 broken link: no page named \"nobody\"",
        "content/customers/links.md:6:16 broken link: no page at \"../competitors/missing.md\" (content/competitors/missing.md)",
        "content/customers/links.md:8:4 broken link: \"坏数据客户\" has no heading \"#没有这个标题\"",
        "content/customers/no-title.md:1:1 missing `title`",
    ];
    assert_eq!(got, expected);
    let warnings: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| d.line)
        .collect();
    assert_eq!(warnings, [8], "only the unknown field is a warning");
    let help = |line: usize| {
        r.diagnostics
            .iter()
            .find(|d| d.line == line && d.file.ends_with("bad-values.md"))
            .unwrap()
            .help
            .clone()
            .unwrap()
    };
    assert_eq!(help(3), "did you mean \"opportunity\"?");
    assert_eq!(help(8), "did you mean `owner`?");
    assert_eq!(help(15), "did you mean \"follow-up\"?");
}

#[test]
fn human_diagnostics_read_like_rustc() {
    let t = SiteTest::fixture("diagnostics/broken");
    let r = t.build();
    assert_snapshot("broken.txt", &render_human(&r.diagnostics, false));
}

#[test]
fn unknown_competitor_suggests_a_close_name() {
    let t = SiteTest::with_files(&[
        (
            "content/customers/a.md",
            "---\ntitle: A\nstage: lead\ncompetitors: [nordtec]\n---\n",
        ),
        ("content/competitors/nordtech.md", "---\ntitle: NordTech\n---\n"),
    ]);
    let r = t.build();
    assert_eq!(
        places(&r.diagnostics),
        ["content/customers/a.md:4:15 unknown competitor \"nordtec\""]
    );
    assert_eq!(r.diagnostics[0].help.as_deref(), Some("did you mean \"nordtech\"?"));
}

#[test]
fn ambiguous_wiki_links_name_the_candidates() {
    let t = SiteTest::with_files(&[
        ("content/customers/x.md", "---\ntitle: X\nstage: lead\n---\n[[y]]\n"),
        ("content/customers/y.md", "---\ntitle: Y1\nstage: lead\n---\n"),
        ("content/competitors/y.md", "---\ntitle: Y2\n---\n"),
    ]);
    let r = t.build();
    assert_eq!(
        places(&r.diagnostics),
        ["content/customers/x.md:5:1 ambiguous link \"y\": 2 pages match"]
    );
    assert!(r.diagnostics[0].help.as_deref().unwrap().contains("[[competitors/y]]"));
}

#[test]
fn crlf_and_bom_files_are_read() {
    let t = SiteTest::with_files(&[(
        "content/customers/win.md",
        "\u{feff}---\r\ntitle: Windows 客户\r\nstage: leed\r\n---\r\n正文\r\n",
    )]);
    let r = t.build();
    assert_eq!(
        places(&r.diagnostics),
        ["content/customers/win.md:3:8 unknown stage \"leed\""]
    );
}

#[test]
fn config_errors_point_into_salesbook_yaml() {
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "title: x\nlanguag: en\n"),
        ("content/a.md", "---\ntitle: a\n---\n"),
    ]);
    let r = t.build();
    assert_eq!(r.diagnostics.len(), 1);
    assert_eq!(
        (r.diagnostics[0].file.as_str(), r.diagnostics[0].line),
        ("salesbook.yaml", 2)
    );
}

/// `check` takes the lean path and drops what it renders (it held the whole output before):
/// the same problems as a build, no files, nothing written. (A lean build keeps no page
/// text, so a few diagnostics show no source line there: compared in full with a lean
/// build, by place and message with an in-memory one.)
#[test]
fn check_reports_what_build_reports_and_keeps_no_files() {
    use salesbook::build::Builder;
    for fixture in ["diagnostics/broken", "builder/basic"] {
        let t = SiteTest::fixture(fixture);
        let built = t.build();
        let checked = Builder::lean(t.options()).check();
        assert_eq!(places(&checked.diagnostics), places(&built.diagnostics), "{fixture}");
        let lean = Builder::lean(t.options()).build();
        assert!(!lean.files.is_empty(), "{fixture}");
        assert_eq!(checked.diagnostics, lean.diagnostics, "{fixture}");
        assert_eq!(checked.pages, built.pages, "{fixture}");
        assert!(checked.files.is_empty(), "{fixture}");
        let out = t.run(&["check", "--format", "json"]);
        let json = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            json.trim(),
            salesbook::diagnostics::render_json(&lean.diagnostics).trim()
        );
        assert_eq!(out.status.code(), Some(if built.has_errors() { 1 } else { 0 }));
        assert!(!t.root().join("public").exists(), "{fixture}: check wrote nothing");
    }
}

fn built(r: &salesbook::build::BuildResult, path: &str) -> String {
    let f = r.files.iter().find(|f| &*f.path == path);
    String::from_utf8_lossy(&f.unwrap_or_else(|| panic!("{path} is built")).bytes).into_owned()
}

/// Issue 20: YAML 1.1 turned `+8613800000000` into 8613800000000, `013800000000` into
/// 13800000000 and `N` into false on the pages and in the exports.
#[test]
fn text_values_reach_the_output_as_written() {
    let page = "---\ntitle: N\nstage: lead\nowner: +8613800000000\nregion: 0571\ntags: [yes]\n\
                contacts:\n  - name: y\n    phone: 013800000000\n  - name: 王\n    phone: +8613800000000\n\
                visits:\n  - date: 2026-11-20\n    goal: on\n    commitment: 试用\n---\n";
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "title: off\ntoday: 2026-11-23\n"),
        ("content/customers/n.md", page),
    ]);
    let r = t.build();
    assert!(r.diagnostics.is_empty(), "{:?}", places(&r.diagnostics));
    let json: serde_json::Value = serde_json::from_str(&built(&r, "exports/customers.json")).unwrap();
    let c = json.as_array().map_or(&json, |a| &a[0]);
    let c = c.get("customers").and_then(|c| c.get(0)).unwrap_or(c);
    assert_eq!(c["title"], "N", "{c}");
    assert_eq!(c["owner"], "+8613800000000", "{c}");
    assert_eq!(c["region"], "0571", "{c}");
    let html = built(&r, "customers/n/index.html");
    for written in ["+8613800000000", "013800000000", ">N<"] {
        assert!(html.contains(written), "{written}");
    }
    assert!(built(&r, "index.html").contains("off"));
}

/// Issue 20: `value: 1e308` made the funnel's sum `inf` (CSV), `null` (funnel.json) and a
/// 309-digit amount on the page. Money is bounded at 10^15, at its place; sums near the
/// bound stay exact.
#[test]
fn money_beyond_the_bound_is_refused_and_sums_stay_finite() {
    let customer = |value: &str| format!("---\ntitle: 客户\nstage: quote\nvalue: {value}\n---\n");
    let bad: Vec<(String, String)> = ["1e308", ".inf", "-.inf", ".nan", "1000000000000001"]
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("content/customers/bad{i}.md"), customer(v)))
        .collect();
    let files: Vec<(&str, &str)> = bad.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let r = SiteTest::with_files(&files).build();
    let got: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.file.as_str(), d.line, d.column))
        .collect();
    let expected: Vec<_> = (0..5).map(|i| (bad[i].0.as_str(), 4, 8)).collect();
    assert_eq!(got, expected, "{:?}", places(&r.diagnostics));
    assert!(r.diagnostics[0].message.contains("10^15"), "{:?}", r.diagnostics[0]);

    let big = customer("900000000000000");
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "today: 2026-11-23\n"),
        ("content/customers/a.md", &big),
        ("content/customers/b.md", &big),
    ]);
    let r = t.build();
    assert!(!r.has_errors(), "{:?}", places(&r.diagnostics));
    let funnel: serde_json::Value = serde_json::from_str(&built(&r, "funnel.json")).unwrap();
    assert_eq!(funnel["open_value"].as_f64(), Some(1.8e15), "{funnel}");
    let quote = funnel["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "quote")
        .unwrap();
    assert_eq!(quote["value"].as_f64(), Some(1.8e15));
    let csv = built(&r, "exports/customers.csv");
    assert!(csv.contains("900000000000000") && !csv.contains("inf"), "{csv}");
    assert!(!built(&r, "index.html").contains("000000000000000000"));
}

/// Issue 20: `+10000-01-01` and `-0001-01-01` were dates, and `visits.ics` became invalid.
#[test]
fn dates_outside_years_0001_to_9999_are_refused_everywhere() {
    let page = "---\ntitle: 客户\nstage: lead\nnext_visit: +10000-01-01\nexpected_close: -0001-01-01\nvisits:\n  - date: 0000-12-31\n---\n";
    let t = SiteTest::with_files(&[("content/customers/c.md", page)]);
    let r = t.build();
    assert_eq!(
        places(&r.diagnostics),
        [
            "content/customers/c.md:4:13 `next_visit` is not a valid date: \"+10000-01-01\"",
            "content/customers/c.md:5:17 `expected_close` is not a valid date: \"-0001-01-01\"",
            "content/customers/c.md:7:11 `date` is not a valid date: \"0000-12-31\"",
        ]
    );
    let out = t.run(&["check", "--today", "+10000-01-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
    t.write("salesbook.yaml", "today: -0001-01-01\n");
    let r = t.build();
    assert_eq!(
        places(&r.diagnostics),
        ["salesbook.yaml:1:8 `today: -0001-01-01` is not a date in YYYY-MM-DD form"]
    );
}
