//! Issue 18: the seed's flags (no coach, no decision-maker, a key customer's decision-maker
//! below 约会, the visit cadence of each stage) and the pipeline board.

use std::collections::BTreeMap;

use crate::helper::SiteTest;

fn customer(slug: &str, fm: &str) -> (String, String) {
    (format!("content/customers/{slug}.md"), format!("---\n{fm}\n---\n"))
}

const DM_TRUST: &str = "  - {name: 王总, role: decision-maker, relationship: trust}";
const COACH: &str = "  - {name: 小李, role: coach}";

/// today 2026-12-01; every customer visited 2026-11-28 unless it says otherwise.
fn site() -> SiteTest {
    let seen = "visits:\n  - {date: 2026-11-28, kind: follow-up, commitment: 下周回复}";
    let files = [
        // A quote without a coach: flagged. The other quote has one.
        customer(
            "q1",
            &format!(
                "title: 报价甲\nstage: quote\nowner: 张伟\nvalue: 500\nexpected_close: 2026-12-20\nnext_visit: 2026-12-05\ncontacts:\n{DM_TRUST}\nvisits:\n  - {{date: 2026-11-20, kind: cold, commitment: 安排试用, commitment_due: 2026-12-10}}\n  - {{date: 2026-11-28, kind: follow-up, commitment: 下周回复, commitment_due: 2026-11-30}}"
            ),
        ),
        customer(
            "q2",
            &format!(
                "title: 报价乙\nstage: quote\nowner: 李娜\nvalue: 900\ncontacts:\n{DM_TRUST}\n{COACH}\nvisits:\n  - {{date: 2026-11-28, kind: follow-up, commitment: 已签字, commitment_done: true}}"
            ),
        ),
        // A target without a coach: not flagged (a coach is needed from opportunity on).
        customer(
            "t1",
            &format!("title: 目标丙\nstage: target\nowner: 张伟\nvalue: 100\ncontacts:\n{DM_TRUST}\n{seen}"),
        ),
        // Key customers: the partner tier's decision-maker at 认识 is flagged, the proactive
        // tier's at 约会 is not; an attack-quadrant one with no relationship written is.
        customer(
            "k1",
            &format!(
                "title: 关键丁\nstage: lead\nowner: 张伟\ntier: partner\nvalue: 300\ncontacts:\n  - {{name: 赵总, role: decision-maker, relationship: 认识}}\n{seen}"
            ),
        ),
        customer(
            "k2",
            &format!(
                "title: 关键戊\nstage: lead\nowner: 李娜\ntier: proactive\nvalue: 300\ncontacts:\n  - {{name: 钱总, role: decision-maker, relationship: 约会}}\n{seen}"
            ),
        ),
        customer(
            "k3",
            &format!(
                "title: 关键己\nstage: lead\nowner: 李娜\npotential: high\nshare: low\nvalue: 200\ncontacts:\n  - {{name: 孙总, role: decision-maker}}\n{seen}"
            ),
        ),
        // No decision-maker.
        customer(
            "n1",
            &format!("title: 无决策庚\nstage: opportunity\nowner: 张伟\nvalue: 800\ncontacts:\n{COACH}\n{seen}"),
        ),
        // Cadence of an opportunity, 14 days: 15 days quiet is flagged, 14 is not.
        customer(
            "o1",
            &format!(
                "title: 商机辛\nstage: opportunity\nowner: 李娜\nvalue: 700\ncontacts:\n{DM_TRUST}\n{COACH}\nvisits:\n  - {{date: 2026-11-16, kind: routine}}"
            ),
        ),
        customer(
            "o2",
            &format!(
                "title: 商机壬\nstage: opportunity\nowner: 张伟\nvalue: 700\ncontacts:\n{DM_TRUST}\n{COACH}\nvisits:\n  - {{date: 2026-11-17, kind: routine}}"
            ),
        ),
        // Closed deals: a lost one never visited is not flagged; a won one is chased by its
        // cadence. Neither is on the board.
        customer("l1", "title: 丢单癸\nstage: lost\nowner: 张伟\nvalue: 5000"),
        customer(
            "w1",
            &format!("title: 成交子\nstage: won\nowner: 张伟\nvalue: 4000\ncontacts:\n{DM_TRUST}"),
        ),
        // Confidential: on the internal board, never on the public one.
        customer(
            "secret",
            &format!(
                "title: 机密丑\nstage: quote\nowner: 王芳\nvalue: 9999\nconfidential: true\ncontacts:\n{DM_TRUST}\n{COACH}\n{seen}"
            ),
        ),
        ("salesbook.yaml".into(), "today: 2026-12-01\n".into()),
    ];
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    SiteTest::with_files(&refs)
}

/// The flag ids in `html`, in order.
fn flags_in(html: &str) -> Vec<String> {
    html.match_indices("class=\"flag flag-")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

#[test]
fn each_customer_page_shows_exactly_its_flags() {
    let t = site();
    t.build_ok();
    let got: BTreeMap<&str, Vec<String>> = ["q1", "q2", "t1", "k1", "k2", "k3", "n1", "o1", "o2", "l1", "w1"]
        .into_iter()
        .map(|s| (s, flags_in(&t.read(&format!("customers/{s}/index.html")))))
        .collect();
    let want: BTreeMap<&str, Vec<String>> = [
        ("q1", vec!["no-coach"]),
        ("q2", vec![]),
        ("t1", vec![]),
        ("k1", vec!["relationship-below-dating"]),
        ("k2", vec![]),
        ("k3", vec!["relationship-below-dating"]),
        ("n1", vec!["no-decision-maker"]),
        ("o1", vec!["visit-cadence"]),
        ("o2", vec![]),
        ("l1", vec![]),
        ("w1", vec!["visit-cadence"]),
    ]
    .into_iter()
    .map(|(s, f)| (s, f.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(got, want);
    let q1 = t.read("customers/q1/index.html");
    assert!(q1.contains(">无向导</li>"), "the zh-CN label: {q1}");
    let brief = t.read("customers/q1/brief/index.html");
    assert_eq!(flags_in(&brief), ["no-coach"], "the brief shows the flags too");
}

#[test]
fn english_labels_name_the_flags() {
    let t = site();
    t.write("salesbook.yaml", "today: 2026-12-01\nlanguage: en\n");
    t.build_ok();
    let q1 = t.read("customers/q1/index.html");
    assert!(q1.contains(">No coach</li>"), "{q1}");
}

/// The titles on the board, column by column (stage id → titles in order).
fn columns(html: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for part in html.split("<section class=\"board-col\"").skip(1) {
        let id = part.split("id=\"col-").nth(1).unwrap();
        let id = id[..id.find('"').unwrap()].to_owned();
        let titles = part
            .split("class=\"card-title\" href=\"")
            .skip(1)
            .map(|c| {
                let c = &c[c.find('>').unwrap() + 1..];
                c[..c.find('<').unwrap()].to_owned()
            })
            .collect();
        out.push((id, titles));
    }
    out
}

#[test]
fn the_board_has_a_column_per_open_stage_with_the_largest_deals_first() {
    let t = site();
    t.build_ok();
    let html = t.read("board/index.html");
    let cols = columns(&html);
    let want: Vec<(String, Vec<String>)> = [
        ("target", vec!["目标丙"]),
        ("potential", vec![]),
        ("lead", vec!["关键丁", "关键戊", "关键己"]),
        ("opportunity", vec!["无决策庚", "商机壬", "商机辛"]),
        ("quote", vec!["机密丑", "报价乙", "报价甲"]),
    ]
    .into_iter()
    .map(|(s, v)| (s.to_owned(), v.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(cols, want);
    // A card: owner, value, expected close, next visit, the commitment, the flags.
    let q1 = &html[html.find("报价甲").unwrap()..];
    let q1 = &q1[..q1.find("</li>\n").unwrap()];
    for want in ["张伟", "¥500", "2026-12-20", "2026-12-05", "flag-no-coach"] {
        assert!(q1.contains(want), "{want} in {q1}");
    }
    // The open commitment to follow up first: the overdue one, not the later one.
    assert!(
        q1.contains("下周回复 <span class=\"date\">2026-11-30</span> <span class=\"rel overdue\">")
            && !q1.contains("安排试用"),
        "{q1}"
    );
    let q2 = &html[html.find("报价乙").unwrap()..];
    let q2 = &q2[..q2.find("</li>\n").unwrap()];
    assert!(!q2.contains("已签字"), "a kept commitment is not open: {q2}");
    assert!(html.contains("href=\"../board/index.html\""), "in the nav: {html}");
}

#[test]
fn the_owner_filter_uses_the_query_string_and_degrades_to_all_cards() {
    let t = site();
    t.build_ok();
    let html = t.read("board/index.html");
    assert!(html.contains("<select id=\"board-owner\" name=\"owner\">"), "{html}");
    let options: Vec<&str> = html
        .split("<option value=\"")
        .skip(1)
        .map(|o| &o[..o.find('"').unwrap()])
        .collect();
    assert_eq!(options, ["", "张伟", "李娜", "王芳"]);
    assert_eq!(html.matches("data-owner=\"张伟\"").count(), 5);
    assert!(
        html.contains("<form class=\"board-filter\" action=\"index.html\" method=\"get\" hidden>"),
        "without script the filter is hidden: {html}"
    );
    assert_eq!(html.matches(" hidden").count(), 1, "without script every card shows");
    assert!(html.contains("<script src=\"../board.js\" defer></script>"));
    let js = t.read("board.js");
    assert!(
        js.contains("get('owner')") && js.contains("data-owner") && js.contains("form.hidden = false"),
        "{js}"
    );
}

#[test]
fn a_public_board_leaves_confidential_customers_out() {
    let t = site();
    let mut opts = t.options();
    opts.public = true;
    let r = t.build_with(opts);
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    let board = r.files.iter().find(|f| &*f.path == "board/index.html").unwrap();
    let html = String::from_utf8(board.bytes.to_vec()).unwrap();
    assert!(
        !html.contains("机密丑") && !html.contains("王芳") && !html.contains("9,999"),
        "{html}"
    );
    assert_eq!(columns(&html)[4].1, ["报价乙", "报价甲"]);
}

#[test]
fn the_owners_page_lists_the_flagged_customers() {
    let t = site();
    t.build_ok();
    let html = t.read("owners/张伟/index.html");
    let part = &html[html.find("id=\"flagged\"").expect("a flagged section")..];
    let part = &part[..part.find("</section>").unwrap()];
    let titles: Vec<&str> = ["成交子", "无决策庚", "报价甲", "关键丁", "商机壬", "目标丙"]
        .into_iter()
        .filter(|n| part.contains(n))
        .collect();
    assert_eq!(titles, ["成交子", "无决策庚", "报价甲", "关键丁"], "{part}");
    assert!(part.find("成交子") < part.find("无决策庚"), "largest first");
}

#[test]
fn the_visits_pages_quiet_list_uses_each_stages_cadence() {
    let t = SiteTest::with_files(&[
        (
            "salesbook.yaml",
            "today: 2026-12-01\nstale_after_days: 30\nstages:\n  - {id: target, label: 目标, probability: 0.05}\n  - {id: quote, label: 报价, probability: 0.6}\n  - {id: pilot, label: 试点, probability: 0.5}\n  - {id: slow, label: 慢, probability: 0.3, visit_every_days: 90}\n  - {id: lost, label: 丢单, probability: 0}\n",
        ),
        // A quote 10 days quiet: beyond its 7 (under the old single 30, not listed).
        (
            "content/customers/a.md",
            "---\ntitle: 甲\nstage: quote\nvisits:\n  - {date: 2026-11-21}\n---\n",
        ),
        // A target 40 days quiet: within its 60 (under the old 30, listed).
        (
            "content/customers/b.md",
            "---\ntitle: 乙\nstage: target\nvisits:\n  - {date: 2026-10-22}\n---\n",
        ),
        // A custom stage without visit_every_days falls back to stale_after_days.
        (
            "content/customers/c.md",
            "---\ntitle: 丙\nstage: pilot\nvisits:\n  - {date: 2026-10-31}\n---\n",
        ),
        (
            "content/customers/d.md",
            "---\ntitle: 丁\nstage: pilot\nvisits:\n  - {date: 2026-11-01}\n---\n",
        ),
        (
            "content/customers/e.md",
            "---\ntitle: 戊\nstage: slow\nvisits:\n  - {date: 2026-09-10}\n---\n",
        ),
        ("content/customers/f.md", "---\ntitle: 己\nstage: lost\n---\n"),
    ]);
    t.build_ok();
    let html = t.read("visits/index.html");
    let stale = &html[html.find("id=\"stale\"").unwrap()..];
    let stale = &stale[..stale.find("</section>").unwrap()];
    let listed: Vec<&str> = ["甲", "乙", "丙", "丁", "戊", "己"]
        .into_iter()
        .filter(|n| stale.contains(&format!(">{n}</a>")))
        .collect();
    assert_eq!(listed, ["甲", "丙"], "{stale}");
    let c = t.read("customers/c/index.html");
    assert_eq!(flags_in(&c), ["no-decision-maker", "visit-cadence"]);
}

#[test]
fn a_cadence_out_of_range_is_reported_at_its_stage() {
    let t = SiteTest::with_files(&[(
        "salesbook.yaml",
        "stages:\n  - {id: quote, label: 报价, probability: 0.6, visit_every_days: 0}\n  - {id: won, label: 成交, probability: 1}\n",
    )]);
    let out = t.run(&["check"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("salesbook.yaml:2:64") && err.contains("visit_every_days: 0"),
        "{err}"
    );
    assert!(err.contains("e.g. `visit_every_days: 14`"), "{err}");
}

#[test]
fn board_is_a_reserved_name() {
    let t = SiteTest::with_files(&[("content/board/x.md", "---\ntitle: X\n---\n")]);
    let r = t.build();
    assert!(r.has_errors(), "a content folder named board clashes with /board/");
}

#[test]
fn an_owner_name_with_markup_is_escaped_in_the_filter_and_a_blank_one_is_no_owner() {
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "today: 2026-12-01\n"),
        (
            "content/customers/x.md",
            "---\ntitle: X\nstage: quote\nowner: '\"><script>alert(1)</script>'\n---\n",
        ),
        (
            "content/customers/y.md",
            "---\ntitle: Y\nstage: quote\nowner: '   '\n---\n",
        ),
    ]);
    t.build_ok();
    let html = t.read("board/index.html");
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(
        html.contains("data-owner=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""),
        "{html}"
    );
    let options = html.matches("<option value=").count();
    assert_eq!(options, 2, "all owners and the one named owner: {html}");
    assert!(html.contains("data-owner=\"\""), "a blank owner is none");
}

/// Commits the site's files at `date`.
fn commit(t: &SiteTest, date: &str) {
    crate::helper::git(t.root(), &["add", "-A"], Some(date));
    crate::helper::git(t.root(), &["commit", "-q", "-m", "c"], Some(date));
}

#[test]
fn a_card_shows_the_days_in_its_stage_from_the_history() {
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "today: 2026-12-01\n"),
        ("content/customers/a.md", "---\ntitle: 甲\nstage: lead\nvalue: 1\n---\n"),
    ]);
    crate::helper::git(t.root(), &["init", "-q", "-b", "main"], None);
    commit(&t, "2026-11-01T10:00:00+08:00");
    t.write(
        "content/customers/a.md",
        "---\ntitle: 甲\nstage: quote\nvalue: 1\n---\n",
    );
    commit(&t, "2026-11-21T10:00:00+08:00");
    t.build_ok();
    let html = t.read("board/index.html");
    let card = &html[html.find("class=\"card-title\"").unwrap()..];
    let card = &card[..card.find("</li>").unwrap()];
    assert!(card.contains("<dt>在当前阶段的天数</dt><dd>10</dd>"), "{card}");
}
