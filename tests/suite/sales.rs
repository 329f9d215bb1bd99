//! The sales rules are defined once (`src/sales/`): every page, export and `funnel.json`
//! shows the same open, won, lost, weighted, overdue and unpaid figures, whatever the
//! site calls its stages.

use crate::helper::SiteTest;

fn site(config: &str, customers: &[(&str, &str)]) -> SiteTest {
    let mut files: Vec<(String, String)> = customers
        .iter()
        .map(|(slug, fm)| (format!("content/customers/{slug}.md"), format!("---\n{fm}\n---\n")))
        .collect();
    files.push(("content/competitors/rival.md".into(), "---\ntitle: 对手\n---\n".into()));
    files.push(("salesbook.yaml".into(), format!("today: 2026-11-23\n{config}")));
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let t = SiteTest::with_files(&refs);
    t.build_ok();
    t
}

/// The `<tr>` of the table row whose text contains `marker`.
fn row<'a>(html: &'a str, marker: &str) -> &'a str {
    let at = html.find(marker).unwrap_or_else(|| panic!("{marker} in {html}"));
    let start = html[..at].rfind("<tr").unwrap_or(0);
    let end = at + html[at..].find("</tr>").unwrap_or(html.len() - at);
    &html[start..end]
}

const CUSTOM_STAGES: &str = "stages:\n  - {id: talk, label: 洽谈, probability: 0.5}\n  - {id: signed, label: 签约, probability: 1, outcome: won}\n  - {id: dropped, label: 丢单, probability: 0, outcome: lost}\n";

fn custom_site() -> SiteTest {
    site(
        CUSTOM_STAGES,
        &[
            (
                "a",
                "title: 甲\nstage: talk\nowner: 张伟\nvalue: 1000\nexpected_close: 2026-11-01\ncompetitors: [rival]",
            ),
            (
                "b",
                "title: 乙\nstage: signed\nowner: 张伟\nvalue: 3000\nexpected_close: 2026-10-01\ncompetitors: [rival]",
            ),
            (
                "c",
                "title: 丙\nstage: dropped\nowner: 张伟\nvalue: 500\nexpected_close: 2026-10-01\ncompetitors: [rival]",
            ),
        ],
    )
}

#[test]
fn custom_stage_ids_with_outcomes_get_the_open_and_weighted_totals() {
    let t = custom_site();
    let json: serde_json::Value = serde_json::from_str(&t.read("funnel.json")).unwrap();
    assert_eq!(json["open_value"], 1000.0, "signed (won) and dropped (lost) are closed");
    assert_eq!(json["weighted_total"], 500.0);
    assert_eq!(
        json["overdue"],
        serde_json::json!(["a"]),
        "a closed deal is never overdue"
    );
    let funnel = t.read("funnel/index.html");
    assert!(funnel.contains("<g class=\"stage-signed\">"), "a won stage is drawn");
    assert!(
        !funnel.contains("<g class=\"stage-dropped\">"),
        "a lost stage is listed, not drawn"
    );
    assert_eq!(funnel.matches("<tr class=\"closed\">").count(), 2, "both closed stages");
    assert!(
        row(&funnel, "#stage-dropped").contains("<td class=\"num\">–</td>"),
        "no conversion into a lost stage"
    );
    let customer = t.read("customers/b/index.html");
    assert!(
        customer.contains("<span class=\"date\">2026-10-01</span> <span class=\"rel\">"),
        "a won deal's close date is not overdue"
    );
    let open = t.read("customers/a/index.html");
    assert!(open.contains("<span class=\"date\">2026-11-01</span> <span class=\"rel overdue\">"));
}

#[test]
fn custom_stage_ids_with_outcomes_get_the_won_figures_and_competitor_records() {
    let t = custom_site();
    let owners = t.read("owners/index.html");
    let owner = row(&owners, "张伟</a>");
    assert!(owner.contains("data-label=\"在途金额\">¥1,000<"), "{owner}");
    assert!(
        owner.contains("data-label=\"已成交金额\">¥3,000<"),
        "won value: {owner}"
    );
    let rival = t.read("competitors/rival/index.html");
    assert!(
        rival.contains("<dd class=\"num\">1 / 1 / 1</dd>"),
        "won / lost / open: {rival}"
    );
    assert!(rival.contains("result-won") && rival.contains("result-lost"));
    let matrix = t.read("competitors/index.html");
    let r = row(&matrix, "<tr id=\"rival\"");
    assert!(r.contains("data-label=\"在途金额\">¥1,000<"), "{r}");
    assert!(
        r.contains(">1 / 1<") && r.contains(">50%<"),
        "won / lost and win rate: {r}"
    );
    // Visits: a customer that signed comes before an open custom stage; a dropped one is
    // not chased.
    let visits = t.read("visits/index.html");
    let stale = &visits[visits.find("id=\"stale\"").unwrap()..];
    let (b, a) = (stale.find("customers/b/").unwrap(), stale.find("customers/a/").unwrap());
    assert!(b < a, "won before open");
    assert!(!stale.contains("customers/c/"), "lost deals are not chased");
}

#[test]
fn unpaid_agrees_on_the_page_the_brief_and_the_csv() {
    // One overpaid order offsets the other's debt: 200,000 sold, 150,000 paid.
    let t = site(
        "",
        &[
            (
                "b",
                "title: 乙\nstage: won\nvalue: 3000\norders:\n  - {date: 2026-10-05, amount: 100000, paid: 150000}\n  - {date: 2026-11-02, amount: 100000, paid: 0}",
            ),
            (
                "c",
                "title: 丙\nstage: won\nvalue: 100\norders:\n  - {date: 2026-10-05, amount: 100, paid: 180}",
            ),
        ],
    );
    let page = t.read("customers/b/index.html");
    let brief = t.read("customers/b/brief/index.html");
    assert!(
        page.contains("<td class=\"num overdue\">¥50,000</td></tr></tfoot>"),
        "{page}"
    );
    for html in [&page, &brief] {
        assert!(
            html.contains("(未付 ¥50,000)"),
            "DSO's receivable is the unpaid figure: {html}"
        );
        assert!(!html.contains("¥100,000)"));
    }
    let csv = t.read("exports/customers.csv");
    let b = csv.lines().find(|l| l.starts_with("b,")).unwrap();
    assert!(b.ends_with(",50000,12"), "unpaid and DSO: {b}");
    // Overpaid: nothing owed, and the overpayment shown as a credit, never as −80.
    let page = t.read("customers/c/index.html");
    assert!(
        page.contains("<td class=\"num\">¥0 <span class=\"muted\">(预付余额 ¥80)</span></td></tr></tfoot>"),
        "{page}"
    );
    assert!(!page.contains("¥-80"));
    let c = csv.lines().find(|l| l.starts_with("c,")).unwrap();
    assert!(c.ends_with(",0,"), "{c}");
}

#[test]
fn a_customer_without_a_stage_is_open_neither_on_the_competitor_page_nor_in_the_matrix() {
    let t = site(
        "",
        &[
            ("a", "title: 甲\nstage: quote\nvalue: 1000\ncompetitors: [rival]"),
            ("d", "title: 丁\nvalue: 700\ncompetitors: [rival]"),
        ],
    );
    let rival = t.read("competitors/rival/index.html");
    assert!(rival.contains("<dd class=\"num\">0 / 0 / 1</dd>"), "{rival}");
    assert!(rival.contains("<dd class=\"num\">¥1,000</dd>"), "{rival}");
    assert!(row(&rival, "customers/d/").contains("result-unstaged"));
    let matrix = t.read("competitors/index.html");
    assert!(row(&matrix, "<tr id=\"rival\"").contains("data-label=\"在途金额\">¥1,000<"));
}

#[test]
fn owner_figures_are_the_funnels() {
    // A deal under the small-order threshold is outside the funnel: on the owner's page too.
    let t = site(
        "small_order_threshold: 600\n",
        &[
            (
                "a",
                "title: 甲\nstage: quote\nowner: 张伟\nvalue: 1000\nexpected_close: 2026-11-01",
            ),
            (
                "s",
                "title: 小\nstage: lead\nowner: 张伟\nvalue: 500\nexpected_close: 2026-11-01",
            ),
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&t.read("funnel.json")).unwrap();
    assert_eq!(json["open_value"], 1000.0);
    let owners = t.read("owners/index.html");
    let owner = row(&owners, "张伟</a>");
    assert!(owner.contains("data-label=\"在途商机\">1<"), "{owner}");
    assert!(owner.contains("data-label=\"在途金额\">¥1,000<"), "{owner}");
    assert!(owner.contains("data-label=\"加权在途金额\">¥600<"), "{owner}");
    let page = t.read("owners/张伟/index.html");
    let overdue = &page[page.find("id=\"overdue-deals\"").unwrap()..];
    let overdue = &overdue[..overdue.find("</section>").unwrap()];
    assert!(
        overdue.contains("customers/a/") && !overdue.contains("customers/s/"),
        "{overdue}"
    );
}

#[test]
fn an_unknown_outcome_is_an_error_at_its_place_with_a_suggestion() {
    let t = SiteTest::with_files(&[(
        "salesbook.yaml",
        "stages:\n  - id: signed\n    label: 签约\n    probability: 1\n    outcome: wn\n  - {id: dropped, label: 丢单, probability: 2, outcome: lose}\n",
    )]);
    let out = t.run(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("salesbook.yaml:5:14"), "{text}");
    assert!(text.contains("unknown outcome \"wn\""), "{text}");
    assert!(text.contains("did you mean \"won\"?"), "{text}");
    assert!(
        text.contains("unknown outcome \"lose\""),
        "every problem in one run: {text}"
    );
    assert!(text.contains("probability 2 is outside 0..1"), "{text}");
}

#[test]
fn a_funnel_whose_stages_are_all_lost_draws_an_empty_chart() {
    let t = site(
        "stages:\n  - {id: gone, label: 丢, probability: 0, outcome: lost}\n",
        &[("a", "title: 甲\nstage: gone\nvalue: 1000")],
    );
    let funnel = t.read("funnel/index.html");
    assert!(funnel.contains("viewBox=\"0 0 480.0 0.0\""), "no negative height");
}

#[test]
fn a_negative_order_amount_or_payment_is_an_error_at_the_order() {
    let t = SiteTest::with_files(&[(
        "content/customers/a.md",
        "---\ntitle: 甲\nstage: won\norders:\n  - {amount: 100, paid: -100}\n  - {amount: -5, paid: 0}\n---\n",
    )]);
    let r = t.build();
    let places = crate::helper::places(&r.diagnostics);
    assert_eq!(
        places,
        [
            "content/customers/a.md:5:5 order `paid` is negative (-100)",
            "content/customers/a.md:6:5 order `amount` is negative (-5)",
        ],
        "{:#?}",
        r.diagnostics
    );
}
