//! The pages that tell the team what to do next: the attack/defend quadrant, the visit plan,
//! each rep's own figures, and customers by tag, industry and region.

use crate::helper::SiteTest;

fn site() -> SiteTest {
    let customer = |slug: &str, fm: &str| (format!("content/customers/{slug}.md"), format!("---\n{fm}\n---\n"));
    let files = [
        customer(
            "a",
            "title: 甲公司\nstage: quote\nowner: 张伟\nvalue: 1000\npotential: high\nshare: low\nindustry: 机械\ntags: [重点]\ncompetitors: [rival]\nnext_visit: 2026-11-25\nvisits:\n  - {date: 2026-09-01, kind: cold, commitment: 十月给方案}\n  - {date: 2026-11-25, kind: follow-up, goal: 现场演示}",
        ),
        customer(
            "b",
            "title: 乙公司\nstage: won\nowner: 张伟\nvalue: 3000\npotential: high\nshare: high\nindustry: 机械\ntags: [重点, 老客户]\ncompetitors: [rival]\nnext_visit: 2026-10-15",
        ),
        customer(
            "c",
            "title: 丙公司\nstage: lead\nowner: 李娜\nvalue: 500\npotential: low\nshare: high\nindustry: 化工\nnext_visit: 2026-11-01\nvisits:\n  - {date: 2026-11-20, kind: routine, outcome: 确认需求}",
        ),
        customer(
            "d",
            "title: 丁公司\nstage: target\nowner: 李娜\npotential: low\nshare: low\nnext_visit: 2026-11-10\nvisits:\n  - {date: 2026-01-01, kind: phone}\n  - {date: 2026-12-01, kind: cold, goal: 已约}",
        ),
        customer(
            "e",
            "title: 戊公司\nstage: lost\nvalue: 100\ncompetitors: [rival]\nnext_visit: 2026-09-01",
        ),
        customer(
            "f",
            "title: 己公司\nstage: opportunity\nowner: 张伟\nvalue: 2000\npotential: high\nshare: low\nexpected_close: 2026-11-01\ncompetitors: [rival, other]\nvisits:\n  - {date: 2026-10-01, kind: follow-up}",
        ),
        (
            "content/scripts/s1.md".into(),
            "---\ntitle: 报价跟进话术\nvisit_kind: follow-up\nstages: [quote, opportunity]\n---\n".into(),
        ),
        (
            "content/scripts/s2.md".into(),
            "---\ntitle: 老客户回访话术\nvisit_kind: routine\nstages: [won]\n---\n".into(),
        ),
        (
            "content/competitors/rival.md".into(),
            "---\ntitle: 对手甲\n---\n".into(),
        ),
        (
            "content/competitors/other.md".into(),
            "---\ntitle: 对手乙\n---\n".into(),
        ),
        ("content/competitors/idle.md".into(), "---\ntitle: 对手丙\n---\n".into()),
        (
            "salesbook.yaml".into(),
            "today: 2026-11-23\nstale_after_days: 30\n".into(),
        ),
    ];
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    SiteTest::with_files(&refs)
}

/// The text of a page from the element with `id` on, up to the next `<section` or `<h2`.
fn part(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id} in {html}"));
    let rest = &html[start..];
    let end = rest[1..].find("<h2").map_or(rest.len(), |i| i + 1);
    rest[..end].to_owned()
}

/// Which of `names` appear in `text`, in the order they appear.
fn order(text: &str, names: &[&str]) -> Vec<String> {
    let mut found: Vec<(usize, &str)> = names.iter().filter_map(|n| Some((text.find(n)?, *n))).collect();
    found.sort();
    found.into_iter().map(|(_, n)| n.to_owned()).collect()
}

const ALL: [&str; 6] = ["甲公司", "乙公司", "丙公司", "丁公司", "戊公司", "己公司"];

#[test]
fn quadrant_places_each_customer_by_potential_and_share() {
    let t = site();
    t.build_ok();
    let html = t.read("quadrant/index.html");
    assert_eq!(
        order(&part(&html, "attack"), &ALL),
        ["己公司", "甲公司"],
        "largest deal first"
    );
    assert_eq!(order(&part(&html, "defend"), &ALL), ["乙公司"]);
    assert_eq!(order(&part(&html, "maintain"), &ALL), ["丙公司"]);
    assert_eq!(order(&part(&html, "abandon"), &ALL), ["丁公司"]);
    assert_eq!(order(&part(&html, "unclassified"), &ALL), ["戊公司"]);
    assert!(
        part(&html, "attack").contains("2 · ¥3,000"),
        "count and value of the quadrant"
    );
    assert!(
        part(&html, "defend").contains("利润、回款、忠诚度"),
        "the KPIs of docs/domain.md"
    );
    // The chart: one dot per classified customer, each a link to its page with its name.
    assert_eq!(html.matches("<circle").count(), 5);
    assert!(html.contains("<a href=\"../customers/f/index.html\"><circle"));
}

#[test]
fn visit_plan_lists_upcoming_overdue_stale_and_recent() {
    let t = site();
    t.build_ok();
    let html = t.read("visits/index.html");
    let upcoming = part(&html, "upcoming");
    assert_eq!(order(&upcoming, &ALL), ["甲公司"]);
    assert!(
        upcoming.contains("2026-11-25") && upcoming.contains("现场演示"),
        "{upcoming}"
    );
    assert!(
        upcoming.contains("<a href=\"../scripts/s1/index.html\">报价跟进话术</a>"),
        "the script for the customer's stage: {upcoming}"
    );
    assert!(!upcoming.contains("老客户回访话术"));
    // Overdue: an open deal whose next visit passed with no visit since (丁: the visit of
    // 12-01 is planned, not made). Not 丙 (visited on 11-20, after its next visit of 11-01),
    // not the won 乙 or the lost 戊 (old next visits: closed deals are not chased).
    assert_eq!(order(&part(&html, "overdue"), &ALL), ["丁公司"]);
    let home = t.read("index.html");
    let home = &home[home.find("<h2>逾期未拜访</h2>").unwrap()..];
    assert_eq!(
        order(&home[..home[4..].find("<h2").unwrap()], &ALL),
        ["丁公司"],
        "the dashboard"
    );
    // Stale: quote first, then won, opportunity, lead/potential, target; lost never.
    let stale = part(&html, "stale");
    assert_eq!(order(&stale, &ALL), ["甲公司", "乙公司", "己公司", "丁公司"], "{stale}");
    assert!(stale.contains("83"), "days since the last visit: {stale}");
    let recent = part(&html, "recent");
    assert_eq!(
        order(&recent, &ALL),
        ["丙公司", "己公司", "甲公司", "丁公司"],
        "newest first"
    );
    assert!(recent.contains("确认需求") && recent.contains("十月给方案"));
}

#[test]
fn each_owner_has_their_own_figures() {
    let t = site();
    t.build_ok();
    let index = t.read("owners/index.html");
    assert_eq!(order(&index, &["张伟", "李娜"]), ["张伟", "李娜"]);
    let row = &index[index.find("张伟").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    // 3 customers, 2 open deals worth 3,000 (weighted: 1,000 × 60% + 2,000 × 40%), 3,000 won.
    let cells: Vec<&str> = row
        .split("<td class=\"num\"")
        .skip(1)
        .map(|c| &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()])
        .collect();
    assert_eq!(cells, ["3", "2", "¥3,000", "¥1,400", "¥3,000"], "{row}");
    let page = t.read("owners/张伟/index.html");
    assert_eq!(order(&part(&page, "customers"), &ALL), ["乙公司", "己公司", "甲公司"]);
    assert_eq!(order(&part(&page, "overdue-deals"), &ALL), ["己公司"]);
    assert_eq!(order(&part(&page, "visits-due"), &ALL), ["甲公司"]);
    assert_eq!(
        order(&part(&t.read("owners/李娜/index.html"), "visits-due"), &ALL),
        ["丁公司"]
    );
}

#[test]
fn tags_industries_and_regions() {
    let t = site();
    t.build_ok();
    let tags = t.read("tags/index.html");
    assert!(
        tags.contains("重点 <span class=\"count\">2</span>") && tags.contains("老客户 <span class=\"count\">1</span>"),
        "{tags}"
    );
    assert_eq!(order(&t.read("tags/重点/index.html"), &ALL), ["乙公司", "甲公司"]);
    let industries = t.read("industries/index.html");
    assert!(
        industries.contains("机械 <span class=\"count\">2</span>"),
        "{industries}"
    );
    assert!(
        industries.contains("未填行业 <span class=\"count\">3</span>"),
        "{industries}"
    );
    assert!(
        t.read("regions/index.html")
            .contains("未填地区 <span class=\"count\">6</span>")
    );
    // Every new page is in the navigation of every page.
    let home = t.read("index.html");
    for path in ["quadrant", "visits", "owners", "tags", "industries", "regions"] {
        assert!(home.contains(&format!("href=\"{path}/index.html\"")), "{path}");
    }
}

#[test]
fn the_competitor_matrix_counts_where_we_meet_each_competitor() {
    let t = site();
    t.build_ok();
    let html = t.read("competitors/index.html");
    let matrix = part(&html, "where-we-meet");
    assert_eq!(
        order(&matrix, &["对手甲", "对手乙", "对手丙"]),
        ["对手甲", "对手乙", "对手丙"],
        "most open value first"
    );
    let row = |slug: &str| -> Vec<String> {
        let start = matrix.find(&format!("<tr id=\"{slug}\">")).unwrap();
        let row = &matrix[start..start + matrix[start..].find("</tr>").unwrap()];
        row.split("<td class=\"num\"")
            .skip(1)
            .map(|c| {
                let c = &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()];
                c.replace("<span class=\"muted\">·</span>", "")
            })
            .collect()
    };
    // Stages target, potential, lead, opportunity, quote, won, lost; then open value, won /
    // lost and the win rate.
    assert_eq!(row("rival"), ["", "", "", "1", "1", "1", "1", "¥3,000", "1 / 1", "50%"]);
    assert_eq!(row("other"), ["", "", "", "1", "", "", "", "¥2,000", "0 / 0", "–"]);
    assert_eq!(row("idle"), ["", "", "", "", "", "", "", "¥0", "0 / 0", "–"]);
    assert!(
        t.read("competitors/rival/index.html")
            .contains("href=\"../../competitors/index.html#rival\""),
        "the competitor's page links its row"
    );
}

#[test]
fn a_content_folder_cannot_take_a_generated_page_name() {
    let t = SiteTest::with_files(&[("content/visits/plan.md", "---\ntitle: 计划\n---\n")]);
    let r = t.build();
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.file == "content/visits")
        .expect("an error for the folder");
    assert!(
        d.is_error() && d.message.contains("has the name of a generated page (/visits/)"),
        "{d:?}"
    );
    let paths: Vec<&str> = r
        .files
        .iter()
        .map(|f| &*f.path)
        .filter(|p| *p == "visits/index.html")
        .collect();
    assert_eq!(paths, ["visits/index.html"], "one page at that URL");
}
