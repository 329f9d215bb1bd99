//! Building the `builder/basic` fixture: output files, figures, links, backlinks, escaping.

use crate::helper::{SiteTest, places};

#[test]
fn funnel_json_has_the_figures() {
    let t = SiteTest::fixture("builder/basic");
    t.build_ok();
    let json: serde_json::Value = serde_json::from_str(&t.read("funnel.json")).unwrap();
    assert_eq!(json["currency"], "CNY");
    assert_eq!(json["today"], "2026-11-23");
    let stages = json["stages"].as_array().unwrap();
    let ids: Vec<&str> = stages.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["target", "potential", "lead", "opportunity", "quote", "won", "lost"]
    );
    let quote = &stages[4];
    assert_eq!(
        (quote["label"].as_str(), quote["count"].as_u64()),
        (Some("报价"), Some(1))
    );
    assert_eq!(quote["value"], 1_000_000.0);
    assert_eq!(quote["weighted"], 600_000.0);
    assert_eq!(stages[3]["weighted"], 250_000.0, "beta's own probability 0.5");
    assert_eq!(stages[6]["count"], 1);
    // open: quote 1,000,000 + opportunity 500,000 + lead 1 (won and lost are closed)
    assert_eq!(json["open_value"], 1_500_001.0);
    assert_eq!(json["weighted_total"], 850_000.2);
    assert_eq!(
        json["overdue"],
        serde_json::json!(["alpha"]),
        "lost deals are never overdue"
    );
    for key in json.as_object().unwrap().keys() {
        assert!(
            ["currency", "today", "stages", "open_value", "weighted_total", "overdue"].contains(&key.as_str()),
            "{key}"
        );
    }
}

#[test]
fn every_page_and_generated_page_is_written() {
    let t = SiteTest::fixture("builder/basic");
    t.build_ok();
    for path in [
        "index.html",
        "funnel/index.html",
        "tiers/index.html",
        "404.html",
        "customers/index.html",
        "competitors/index.html",
        "playbooks/index.html",
        "notes/index.html",
        "customers/alpha/index.html",
        "competitors/rival/index.html",
        "playbooks/spin/index.html",
        "notes/plan/index.html",
        "funnel/quote/index.html",
        "funnel/lost/index.html",
        "tiers/partner/index.html",
        "style.css",
        "robots.txt",
    ] {
        assert!(t.exists(path), "{path} missing");
    }
    assert!(!t.exists("notes/secret/index.html"), "drafts are left out");
    let mut opts = t.options();
    opts.drafts = true;
    let r = t.build_with(opts);
    assert!(
        r.files.iter().any(|f| &*f.path == "notes/secret/index.html"),
        "--drafts includes them"
    );
}

#[test]
fn links_are_rewritten_to_page_urls() {
    let t = SiteTest::fixture("builder/basic");
    t.build_ok();
    let alpha = t.read("customers/alpha/index.html");
    assert!(
        alpha.contains(r#"<a href="../../customers/beta/index.html">乙方</a>"#),
        "{alpha}"
    );
    // pulldown-cmark percent-encodes non-ASCII in hrefs; browsers decode fragments to match ids.
    assert!(
        alpha.contains(r#"<a href="../../competitors/rival/index.html#%E4%BB%B7%E6%A0%BC">Rival 的价格</a>"#),
        "{alpha}"
    );
    assert!(
        alpha.contains(r#"<a href="../../notes/plan/index.html">计划</a>"#),
        "a bare wiki link shows the title"
    );
    assert!(alpha.contains(r#"<h2 id="拜访记录">拜访记录</h2>"#));
    assert!(alpha.contains(r#"<h2 id="next-steps-q4-报价">"#));
    let beta = t.read("customers/beta/index.html");
    assert!(
        beta.contains(
            r#"<a href="../../customers/alpha/index.html#%E6%8B%9C%E8%AE%BF%E8%AE%B0%E5%BD%95">甲方精密有限公司</a>"#
        ),
        "{beta}"
    );
}

#[test]
fn backlinks_come_from_links_and_references() {
    let t = SiteTest::fixture("builder/basic");
    t.build_ok();
    let rival = t.read("competitors/rival/index.html");
    let panel = &rival[rival.find("class=\"backlinks\"").unwrap()..];
    assert!(
        panel.contains("甲方精密有限公司"),
        "alpha links to and references rival"
    );
    assert!(panel.contains("乙方电子"), "beta only references rival");
    let alpha = t.read("customers/alpha/index.html");
    let panel = &alpha[alpha.find("class=\"backlinks\"").unwrap()..];
    assert!(panel.contains("乙方电子") && panel.contains("计划"), "{panel}");
    assert!(!panel.contains("甲方精密有限公司"), "no self backlink");
}

#[test]
fn competitor_pages_list_where_we_meet_them() {
    let t = SiteTest::fixture("builder/basic");
    t.build_ok();
    let other = t.read("competitors/other/index.html");
    let table = &other[other.find("where-we-meet").unwrap()..];
    assert!(
        table.contains("甲方精密有限公司") && table.contains("丁方物流"),
        "{table}"
    );
    assert!(table.contains("result-lost") && table.contains("result-open"));
    assert!(!table.contains("乙方电子"));
}

#[test]
fn customer_page_shows_the_fact_box_and_decision_map() {
    let t = SiteTest::fixture("builder/basic");
    t.build_ok();
    let alpha = t.read("customers/alpha/index.html");
    assert!(alpha.contains("¥1,000,000"));
    assert!(alpha.contains("¥600,000"), "weighted value");
    assert!(alpha.contains("逾期 22 天"), "expected close 2026-11-01 has passed");
    assert!(alpha.contains("5 天后"), "next visit 2026-11-28");
    assert!(
        alpha.contains(r#"<span class="num">10</span> 天"#),
        "10 days since the visit of 2026-11-13"
    );
    assert!(
        alpha.contains("<li>问</li><li>听</li><li>说</li>"),
        "a fox: ask, listen, speak"
    );
    assert!(alpha.contains("¥200,000"), "unpaid order");
    assert!(alpha.contains("进攻"), "high potential, low share: attack");
    let visits = &alpha[alpha.find("class=\"timeline\"").unwrap()..];
    assert!(
        visits.find("2026-11-13").unwrap() < visits.find("2026-10-01").unwrap(),
        "newest visit first"
    );
}

#[test]
fn front_matter_text_is_escaped_everywhere() {
    let t = SiteTest::fixture("builder/basic");
    let r = t.build_ok();
    let hostile = [
        "<script>alert",
        "<img src=x",
        "<svg onload",
        "<i>name</i>",
        "<b>tag</b>",
        "</textarea>",
    ];
    // HTML, JSON and SVG files; the spreadsheet and calendar exports have contexts of their
    // own, checked in `every_field_is_escaped_in_every_output_file` and tests/suite/exports.rs.
    for f in r.files.iter().filter(|f| !is_export_text(&f.path)) {
        let text = String::from_utf8_lossy(&f.bytes);
        for h in hostile {
            assert!(!text.contains(h), "{} contains unescaped {h}", f.path);
        }
    }
    let page = t.read("customers/hostile/index.html");
    assert!(
        page.contains("&lt;script&gt;alert(&#x27;title&#x27;)&lt;&#x2F;script&gt; &amp; Co")
            || page.contains("&lt;script&gt;"),
        "{page}"
    );
}

#[test]
fn rebuild_writes_only_changed_files_and_removes_stale_ones() {
    let t = SiteTest::fixture("builder/basic");
    t.build_ok();
    let out = t.root().join("public");
    let stats = salesbook::write::write_output(&out, &t.build().files).unwrap();
    assert_eq!(stats.written, 0, "{stats:?}");
    assert_eq!(stats.removed, 0);
    std::fs::remove_file(t.root().join("content/customers/gamma.md")).unwrap();
    let stats = salesbook::write::write_output(&out, &t.build().files).unwrap();
    assert_eq!(stats.removed, 2, "the page and its brief: {stats:?}");
    assert!(!t.exists("customers/gamma/index.html"));
    assert!(!t.exists("customers/gamma/brief/index.html"));
    assert!(!t.exists("customers/gamma"), "empty folder removed");
    assert!(stats.written > 0, "the lists and counts change: {stats:?}");
    // An edit of one page's body rewrites that page, and of the search index the shard (the
    // small site has one) with its new words and the fragment with its new first paragraph.
    t.write("content/customers/beta.md", "---\ntitle: 乙方电子\nstage: opportunity\ntier: basic\nvalue: 500000\nprobability: 0.5\nexpected_close: 2027-01-15\ncompetitors: [rival]\n---\n\n新的正文，回到 [[alpha#拜访记录]]。\n");
    let stats = salesbook::write::write_output(&out, &t.build().files).unwrap();
    assert_eq!((stats.written, stats.removed), (3, 0), "{stats:?}");
    assert!(t.read("customers/beta/index.html").contains("新的正文"));
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    salesbook::write::write_output(&out, &t.build().files).unwrap();
    assert!(
        out.join("keep.txt").exists(),
        "files salesbook did not write are never removed"
    );
}

#[test]
fn spin_pages_show_the_four_banks_in_order() {
    let t = SiteTest::fixture("builder/basic");
    t.build_ok();
    let spin = t.read("playbooks/spin/index.html");
    let at = |s: &str| spin.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(
        at("现状问题一") < at("难点问题一")
            && at("难点问题一") < at("暗示问题一")
            && at("暗示问题一") < at("效益问题一")
    );
    assert!(at("背景问题") < at("需求-效益问题"));
}

#[test]
fn templates_and_labels_can_be_overridden() {
    let t = SiteTest::fixture("builder/basic");
    t.write("templates/page.html", "<p>custom {{ page.title }}</p>");
    t.write("salesbook.yaml", "title: Test\nlanguage: en\ntoday: 2026-11-23\n");
    t.build_ok();
    assert_eq!(t.read("notes/plan/index.html"), "<p>custom 计划</p>");
    let funnel = t.read("funnel/index.html");
    assert!(
        funnel.contains("Sales funnel") && funnel.contains("Quote"),
        "English labels"
    );
    assert!(funnel.contains(r#"<html lang="en">"#));
}

#[test]
fn template_errors_point_at_the_template() {
    let t = SiteTest::fixture("builder/basic");
    t.write("templates/page.html", "<p>\n{{ page.title | nosuchfilter }}</p>");
    let r = t.build();
    assert!(r.has_errors());
    let d = &r.diagnostics[0];
    assert_eq!((d.file.as_str(), d.line), ("templates/page.html", 2), "{d:?}");
    assert!(d.message.contains("nosuchfilter"), "{d:?}");
}

#[test]
fn the_navigation_partial_is_overridable_and_its_errors_reported() {
    let t = SiteTest::fixture("builder/basic");
    t.write(
        "templates/partials/nav.html",
        "<nav>{% for item in site.nav %}<a href=\"{{ root }}{{ item.path }}\">{{ item.label }}</a>{% endfor %}</nav>",
    );
    t.build_ok();
    let page = t.read("customers/alpha/index.html");
    assert!(
        page.contains("<nav><a href=\"../../index.html\">"),
        "rendered for the page's depth"
    );
    assert!(t.read("funnel/index.html").contains("<nav><a href=\"../index.html\">"));
    assert!(
        t.read("404.html").contains("<nav><a href=\"/index.html\">"),
        "the 404 page's links start at base_url"
    );
    t.write(
        "templates/partials/nav.html",
        "<nav>\n{{ site.nav | nosuchfilter }}</nav>",
    );
    let r = t.build();
    let d = r.diagnostics.iter().find(|d| d.file == "templates/partials/nav.html");
    assert_eq!(d.map(|d| d.line), Some(2), "{:?}", r.diagnostics);
}

#[test]
fn generated_urls_cannot_be_taken_by_pages() {
    let t = SiteTest::with_files(&[("content/funnel.md", "---\ntitle: mine\n---\n")]);
    let r = t.build();
    assert!(
        crate::helper::places(&r.diagnostics)
            .iter()
            .any(|p| p.starts_with("content/funnel.md") && p.contains("taken by a generated page"))
    );
}

#[test]
fn public_builds_leave_confidential_pages_and_private_fields_out_everywhere() {
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "today: 2026-11-23\n"),
        (
            "content/customers/secret.md",
            "---\ntitle: 机密客户绝密公司\nconfidential: true\nowner: 保密负责人\nstage: quote\ntier: partner\nvalue: 7777777\ncompetitors: [rival]\nnext_visit: 2026-11-25\ntags: [绝密标签]\n---\n\n绝密正文内容。见 [[open]]。\n",
        ),
        (
            "content/customers/open.md",
            "---\ntitle: 公开客户\nstage: lead\nvalue: 1000\n---\n\n见 [[secret]]。\n",
        ),
        (
            "content/customers/partial.md",
            "---\ntitle: 半公开客户\nstage: quote\nprivate:\n  value: 4242424\n  owner: 私密负责人\n  contacts:\n    - name: 私密联系人\n      phone: \"13912345678\"\n---\n\n正文。\n",
        ),
        ("content/competitors/rival.md", "---\ntitle: Rival\n---\n"),
    ]);
    let secrets = [
        "机密客户绝密公司",
        "保密负责人",
        "7777777",
        "7,777,777",
        "绝密正文",
        "绝密标签",
        "4242424",
        "4,242,424",
        "私密负责人",
        "私密联系人",
        "13912345678",
    ];
    // A real --public build to disk: every file of the output is read back.
    let public_build = |secrets: &[&str]| {
        let out = t.run(&["build", "--public"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("left out of this build"), "{stderr}");
        let public = t.root().join("public");
        let mut files = 0;
        for entry in walkdir::WalkDir::new(&public).into_iter().filter_map(Result::ok) {
            if !entry.file_type().is_file() {
                continue;
            }
            files += 1;
            let rel = salesbook::load::rel(&public, entry.path());
            assert!(!rel.contains("secret"), "{rel} is the confidential page");
            let text = String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap()).into_owned();
            for s in secrets {
                assert!(!text.contains(s), "{rel} leaks {s}");
            }
        }
        assert!(files > 10, "the output was read ({files} files)");
        serde_json::from_str::<serde_json::Value>(&t.read("funnel.json")).unwrap()
    };
    let funnel = public_build(&secrets);
    assert_eq!(
        funnel["open_value"], 1000.0,
        "the confidential deal and the private value are not counted"
    );
    assert_eq!(
        funnel["stages"][4]["count"], 1,
        "only the partly private customer: {funnel}"
    );
    // With `count_confidential`, the confidential deal adds to the figures, named nowhere.
    t.write("salesbook.yaml", "today: 2026-11-23\ncount_confidential: true\n");
    // (Its value is then the quote stage's whole total here: only the names are checked.)
    let names: Vec<&str> = secrets.iter().copied().filter(|s| !s.starts_with('7')).collect();
    let funnel = public_build(&names);
    assert_eq!(funnel["open_value"], 7_778_777.0, "{funnel}");
    assert_eq!(funnel["stages"][4]["count"], 2, "{funnel}");
    t.write("salesbook.yaml", "today: 2026-11-23\n");
    // The same site without --public shows all of it, and `check` warns about the public page
    // that links to the confidential one.
    let all = t.build();
    let partial = all
        .files
        .iter()
        .find(|f| &*f.path == "customers/partial/index.html")
        .unwrap();
    let partial = String::from_utf8_lossy(&partial.bytes);
    assert!(
        partial.contains("私密联系人") && partial.contains("4,242,424"),
        "{partial}"
    );
    assert!(all.files.iter().any(|f| &*f.path == "customers/secret/index.html"));
    assert_eq!(
        places(&all.diagnostics),
        ["content/customers/open.md:7:3 this page is public but links to \"secret\", which is confidential"]
    );
}

#[test]
fn private_fields_must_be_a_map_and_not_repeated() {
    let t = SiteTest::with_files(&[
        (
            "content/customers/a.md",
            "---\ntitle: A\nstage: lead\nvalue: 1\nprivate:\n  value: 2\n---\n",
        ),
        (
            "content/customers/b.md",
            "---\ntitle: B\nstage: lead\nprivate: 机密\n---\n",
        ),
    ]);
    let r = t.build();
    assert_eq!(
        places(&r.diagnostics),
        [
            "content/customers/a.md:6:3 `value` is both under `private:` and outside it",
            "content/customers/b.md:4:10 `private:` must be a map of fields, found text",
        ]
    );
}

/// Export files whose context is not HTML: a CSV cell or an iCalendar TEXT value shows
/// `<script>` as the text it is.
fn is_export_text(path: &str) -> bool {
    path.ends_with(".csv") || path.ends_with(".ics")
}

/// A different hostile string for every field, so that a leak names its field.
fn hostile(n: usize) -> String {
    format!("<x{n} onerror=alert({n})>\\\"'&x{n}")
}

#[test]
fn every_field_is_escaped_in_every_output_file() {
    let mut n = 0;
    let mut h = || {
        n += 1;
        hostile(n)
    };
    let customer = format!(
        "---\ntitle: \"{}\"\ntags: [\"{}\"]\naliases: [\"{}\"]\nowner: \"={}\"\nindustry: \"{}\"\nregion: \"{}\"\nstage: quote\ntier: partner\nvalue: 100\npotential: high\nshare: low\ncompetitors: [rival]\nnext_visit: 2026-11-30\ncontacts:\n  - name: \"{}\"\n    title: \"{}\"\n    role: coach\n    relationship: trust\n    phone: \"{}\"\n    notes: \"{}\"\nvisits:\n  - date: 2026-11-01\n    kind: cold\n    goal: \"{}\"\n    outcome: \"{}\"\n    commitment: \"{}\"\nextra_field: \"{}\"\n---\n\n见 [[rival]]。\n",
        h(),
        h(),
        h(),
        h(),
        h(),
        h(),
        h(),
        h(),
        h(),
        h(),
        h(),
        h(),
        h(),
        h()
    );
    let competitor = format!(
        "---\ntitle: \"{}\"\nproducts: [\"{}\"]\nstrengths: [\"{}\"]\nweaknesses: [\"{}\"]\nstrategy: \"{}\"\n---\n",
        h(),
        h(),
        h(),
        h(),
        h()
    );
    let spin = format!(
        "---\ntitle: \"{}\"\nkind: spin\nproduct: \"{}\"\nindustry: \"{}\"\nsituation: [\"{}\"]\nproblem: [\"{}\"]\nimplication: [\"{}\"]\nneed_payoff: [\"{}\"]\n---\n",
        h(),
        h(),
        h(),
        h(),
        h(),
        h(),
        h()
    );
    let fab = format!(
        "---\ntitle: \"{}\"\nkind: fab\nproduct: \"{}\"\nrows:\n  - feature: \"{}\"\n    function: \"{}\"\n    advantage: \"{}\"\n    benefit: \"{}\"\n---\n",
        h(),
        h(),
        h(),
        h(),
        h(),
        h()
    );
    let script = format!("---\ntitle: \"{}\"\nvisit_kind: cold\nstages: [quote]\n---\n", h());
    let section = format!("---\ntitle: \"{}\"\n---\n", h());
    let count = n;
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "today: 2026-11-23\n"),
        ("content/customers/c.md", &customer),
        ("content/competitors/rival.md", &competitor),
        ("content/playbooks/spin.md", &spin),
        ("content/playbooks/fab.md", &fab),
        ("content/scripts/s.md", &script),
        ("content/customers/_index.md", &section),
    ]);
    let r = t.build();
    assert!(!r.has_errors(), "{:?}", places(&r.diagnostics));
    let mut shown = vec![false; count + 1];
    // The spreadsheet: no cell a spreadsheet would run as a formula. The calendar: a real
    // parser reads it (tests/suite/exports.rs). Both hold the text as it was written.
    let csv = r.files.iter().find(|f| &*f.path == "exports/customers.csv").unwrap();
    let mut cells = 0;
    for row in csv::Reader::from_reader(&csv.bytes[3..]).records() {
        for cell in row.unwrap().iter() {
            cells += 1;
            assert!(!cell.starts_with(['=', '+', '-', '@']), "a formula cell: {cell}");
        }
    }
    assert!(cells > 20);
    for f in r.files.iter().filter(|f| !is_export_text(&f.path)) {
        let text = String::from_utf8_lossy(&f.bytes);
        for (i, seen) in shown.iter_mut().enumerate().skip(1) {
            assert!(!text.contains(&format!("<x{i}")), "{} has field {i} unescaped", f.path);
            assert!(
                !text.contains(&format!("\"'&x{i}")),
                "{} has field {i}'s quotes unescaped",
                f.path
            );
            *seen |= text.contains(&format!("&lt;x{i} onerror=alert({i})&gt;"))
                || text.contains(&format!("\\u003cx{i} onerror=alert({i})\\u003e"));
        }
    }
    // Field 3 (`aliases`) only names the page for wiki links, and field 15 (an unknown field)
    // is for custom themes: the default theme shows neither.
    let missing: Vec<usize> = (1..=count).filter(|i| !shown[*i] && ![3, 15].contains(i)).collect();
    assert!(
        missing.is_empty(),
        "fields never shown (the test proves nothing for them): {missing:?}"
    );
}

#[test]
fn customer_pages_show_days_sales_outstanding() {
    let t = SiteTest::fixture("builder/basic");
    t.build_ok();
    // 200,000 of June's 300,000 unpaid on 23 November: July to 23 November had no sales
    // (23 + 31 + 30 + 31 + 31 days), then 200/300 of June's 30 days: 166 days.
    let alpha = t.read("customers/alpha/index.html");
    assert!(
        alpha.contains(
            "<dt>应收账款回收期</dt><dd><span class=\"num\">166 天</span> <span class=\"muted\">(未付 ¥200,000)</span>"
        ),
        "{alpha}"
    );
    assert!(
        !t.read("customers/beta/index.html").contains("应收账款回收期"),
        "no orders, no DSO"
    );
}

#[test]
fn customer_rows_take_their_cells_from_the_partial_on_every_list() {
    let t = SiteTest::fixture("builder/basic");
    t.write(
        "templates/partials/customer_cells.html",
        "<td class=\"mine\">{{ p.owner }}·{{ p.stage.label }}·{{ lang.owner }}</td>",
    );
    t.build_ok();
    let row = "<td class=\"mine\">张伟·报价·负责人</td></tr>";
    for (list, root) in [
        ("funnel/quote/index.html", "../../"),
        ("tiers/partner/index.html", "../../"),
        ("customers/index.html", "../"),
    ] {
        let html = t.read(list);
        assert_eq!(html.matches(row).count(), 1, "{list}: {html}");
        let link = format!("<a href=\"{root}customers/alpha/index.html\">甲方精密有限公司</a>");
        assert!(html.contains(&link), "{list}: the name links from the list's own depth");
    }
    // An error in the partial is reported at its place (the lists include it then).
    t.write(
        "templates/partials/customer_cells.html",
        "<td>\n{{ p.owner | nosuchfilter }}</td>",
    );
    let r = t.build();
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.file == "templates/partials/customer_cells.html");
    assert_eq!(d.map(|d| d.line), Some(2), "{:?}", r.diagnostics);
}

/// Records whether a streaming build opened it, and what it was handed.
#[derive(Default)]
struct Watched {
    opened: std::sync::atomic::AtomicBool,
    files: std::sync::atomic::AtomicUsize,
}

impl salesbook::render::Output for Watched {
    fn put(&self, _file: salesbook::render::OutputFile, _print: Option<u64>) {
        self.files.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl salesbook::build::Target for Watched {
    fn open(&self) -> Result<(), salesbook::diagnostics::Diagnostic> {
        self.opened.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}

/// The route table is made before a streaming build opens its output: a folder with a
/// generated page's name, a page at a generated URL, a section text's broken link or a
/// static file over a generated file is known before anything is written, and the output
/// is not even opened.
#[test]
fn url_and_section_link_problems_are_found_before_the_output_opens() {
    let cases: [(&str, &str, &str); 3] = [
        (
            "content/funnel/x.md",
            "---\ntitle: X\n---\n",
            "has the name of a generated page",
        ),
        (
            "content/notes/_index.md",
            "---\ntitle: N\n---\n[[nowhere]]\n",
            "nowhere",
        ),
        ("static/funnel.json", "{}", "funnel.json"),
    ];
    for (path, text, message) in cases {
        let t = SiteTest::with_files(&[("content/notes/a.md", "---\ntitle: A\n---\n"), (path, text)]);
        let target = Watched::default();
        let r = salesbook::build::Builder::lean(t.options()).build_into(&target);
        assert!(
            r.diagnostics
                .iter()
                .any(|d| d.is_error() && d.message.contains(message)),
            "{path}: {:#?}",
            r.diagnostics
        );
        assert!(
            !target.opened.load(std::sync::atomic::Ordering::SeqCst),
            "{path}: the output was opened"
        );
        assert_eq!(target.files.load(std::sync::atomic::Ordering::SeqCst), 0, "{path}");
    }
}

/// The theme prints the parts salesbook renders ahead (`nav_html`, `factbox_html`,
/// `contacts_html`, `playbook_html`, a row's `cells_html`) without `| safe`: they must come
/// as HTML already marked safe, or every page would show them escaped. A customer row shows
/// industry and region in every combination, and links from a page two folders deep.
#[test]
fn prerendered_parts_print_as_html_and_rows_show_industry_and_region() {
    let customer = |name: &str, extra: &str| {
        (
            format!("content/customers/{name}.md"),
            format!("---\ntitle: {name}\nstage: lead\n{extra}---\n[[both]]\n"),
        )
    };
    let files = [
        customer("both", "industry: 机械\nregion: 华东\ncontacts:\n  - name: 王工\n"),
        customer("ind", "industry: 化工\n"),
        customer("reg", "region: 华南\n"),
        customer("none", ""),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let t = SiteTest::with_files(&files);
    t.build_ok();
    let page = t.read("customers/both/index.html");
    let brief = t.read("customers/both/brief/index.html");
    for (html, what) in [(&page, "page"), (&brief, "brief")] {
        for part in [
            "<nav class=\"nav\"",
            "<section class=\"factbox\"",
            "<ul class=\"contacts\">",
        ] {
            assert!(html.contains(part), "{what}: {part}");
        }
        assert!(!html.contains("&lt;nav") && !html.contains("&lt;section"), "{what}");
    }
    assert!(brief.contains("<h2 id=\"steps\">"), "the playbook as HTML");
    // Backlinks from the other customers, with the way back to the root.
    assert!(page.contains("<li><a href=\"../../customers/ind/index.html\">ind</a>"));
    let list = t.read("funnel/lead/index.html");
    let row = |name: &str| {
        let from = list.find(&format!(">{name}</a>")).unwrap_or_else(|| panic!("{name}"));
        list[from..].split("</tr>").next().unwrap_or_default().to_owned()
    };
    assert!(list.contains("<td><a href=\"../../customers/both/index.html\">both</a>"));
    assert!(
        row("both").contains("</a><div class=\"sub\">机械 · 华东</div></td>\n<td><span class=\"badge stage-lead\">")
    );
    assert!(row("ind").contains("</a><div class=\"sub\">化工</div></td>"));
    assert!(row("reg").contains("</a><div class=\"sub\">华南</div></td>"));
    assert!(row("none").contains("</a></td>\n<td><span class=\"badge stage-lead\">"));
    assert!(!list.contains("&lt;td"));
    // base.html's links on the 404 page start at base_url, not at the folder's depth.
    let missing = t.read("404.html");
    assert!(missing.contains("<link rel=\"stylesheet\" href=\"/style.css\">"));
    assert!(page.contains("<link rel=\"stylesheet\" href=\"../../style.css\">"));
}
