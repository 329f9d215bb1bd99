//! Issue 18, the seeds' own words: every fixed value in Chinese (the theme's labels, the seed
//! material's names and their short forms), in front matter and in `import`, suggested by
//! diagnostics, with the English ids canonical in the JSON export.

use crate::helper::SiteTest;

/// A customer whose every fixed field is written in Chinese, and a competitor and a script.
const CHINESE: &str = concat!(
    "---\ntitle: 华东精密\nstage: 商机\ntier: 合作伙伴关系\npotential: 高\nshare: 低\ncontacts:\n",
    "  - {name: 王总, role: 决策人, style: 鹰, relationship: 约会}\n",
    "  - {name: 李工, role: 技术把关者, style: 狐狸, relationship: 信赖}\n",
    "  - {name: 赵, role: 向导（内线）, style: 羊, relationship: 同盟}\n",
    "  - {name: 钱, role: 采购, style: 驴, relationship: 认识}\n",
    "visits:\n  - {date: 2026-11-02, kind: 跟进拜访}\n  - {date: 2026-11-03, kind: 电话}\n",
    "  - {date: 2026-11-04, kind: 陌生拜访}\n  - {date: 2026-11-05, kind: 常规}\n---\n",
);

fn customer_json(t: &SiteTest) -> serde_json::Value {
    let all: serde_json::Value = serde_json::from_str(&t.read("exports/customers.json")).unwrap();
    all.as_array().unwrap()[0].clone()
}

#[test]
fn chinese_values_in_every_fixed_field_are_read_as_their_ids() {
    let t = SiteTest::with_files(&[
        // Its visits are there for their kinds; they have no commitments (issue 18's check).
        (
            "salesbook.yaml",
            "today: 2026-11-23\nwarn_visit_without_commitment: false\n",
        ),
        ("content/customers/huadong.md", CHINESE),
        ("content/competitors/abb.md", "---\ntitle: ABB\nprice_level: 高\n---\n"),
        (
            "content/scripts/s.md",
            "---\ntitle: 跟进\nvisit_kind: 跟进\nstages: [商机, 报价, 成交]\n---\n",
        ),
    ]);
    let r = t.build_ok();
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    let c = customer_json(&t);
    assert_eq!(
        (&c["stage"], &c["tier"], &c["potential"], &c["share"]),
        (&"opportunity".into(), &"partner".into(), &"high".into(), &"low".into())
    );
    let contacts: Vec<(String, String, String)> = c["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap().to_owned();
            (s("role"), s("style"), s("relationship"))
        })
        .collect();
    let want = [
        ("decision-maker", "eagle", "dating"),
        ("technical", "fox", "trust"),
        ("coach", "sheep", "alliance"),
        ("purchaser", "donkey", "acquaintance"),
    ];
    assert_eq!(
        contacts,
        want.map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()))
    );
    let kinds: Vec<&str> = c["visits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["follow-up", "phone", "cold", "routine"]);
    // The page shows the theme's labels, 约会 among them.
    let page = t.read("customers/huadong/index.html");
    for label in ["伙伴关系", "决策人", "约会", "同盟"] {
        assert!(page.contains(label), "{label}");
    }
}

#[test]
fn seed_names_and_short_forms_are_tiers() {
    for (written, id) in [
        ("基本客户关系", "basic"),
        ("被动", "passive"),
        ("负责任", "responsible"),
        ("负责", "responsible"),
        ("主动关系", "proactive"),
        ("伙伴", "partner"),
        ("Partner", "partner"),
    ] {
        let t = SiteTest::with_files(&[(
            "content/customers/a.md",
            &format!("---\ntitle: a\nstage: 目标客户\ntier: {written}\n---\n"),
        )]);
        t.build_ok();
        let c = customer_json(&t);
        assert_eq!(
            (c["stage"].as_str(), c["tier"].as_str()),
            (Some("target"), Some(id)),
            "{written}"
        );
    }
}

#[test]
fn a_stage_is_read_by_its_configured_label() {
    let t = SiteTest::with_files(&[
        (
            "salesbook.yaml",
            "stages:\n  - {id: lead, label: 线索, probability: 0.2}\n  - {id: pilot, label: 试用, label_en: Pilot, probability: 0.5}\n  - {id: signed, label: 签约, probability: 1, outcome: won}\n",
        ),
        ("content/customers/a.md", "---\ntitle: a\nstage: 试用\n---\n"),
        ("content/customers/b.md", "---\ntitle: b\nstage: pilot\n---\n"),
        ("content/customers/c.md", "---\ntitle: c\nstage: 签约\n---\n"),
    ]);
    t.build_ok();
    let all: serde_json::Value = serde_json::from_str(&t.read("exports/customers.json")).unwrap();
    let mut stages: Vec<(&str, &str)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["slug"].as_str().unwrap(), c["stage"].as_str().unwrap()))
        .collect();
    stages.sort();
    assert_eq!(stages, [("a", "pilot"), ("b", "pilot"), ("c", "signed")]);
}

#[test]
fn diagnostics_suggest_the_chinese_names() {
    let t = SiteTest::with_files(&[(
        "content/customers/a.md",
        "---\ntitle: a\nstage: 商机会\ntier: 伙伴关糸\ncontacts:\n  - {name: 王, role: 决策入, style: 鹰鹰鹰鹰, relationship: 约合}\nvisits:\n  - {kind: 跟近拜访}\n---\n",
    )]);
    let r = t.build();
    let got: Vec<(usize, usize, &str, Option<&str>)> = r
        .diagnostics
        .iter()
        .map(|d| (d.line, d.column, d.message.as_str(), d.help.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (
                3,
                8,
                "unknown stage \"商机会\"",
                Some("did you mean \"商机\" (opportunity)?")
            ),
            (
                4,
                7,
                "unknown tier \"伙伴关糸\"",
                Some("did you mean \"伙伴关系\" (partner)?")
            ),
            (
                6,
                21,
                "unknown role \"决策入\"",
                Some("did you mean \"决策人\" (decision-maker)?")
            ),
            (
                6,
                33,
                "unknown style \"鹰鹰鹰鹰\"",
                Some("expected one of: eagle (鹰), fox (狐), donkey (驴), sheep (羊)")
            ),
            (
                6,
                53,
                "unknown relationship level \"约合\"",
                Some("did you mean \"约会\" (dating)?")
            ),
            (
                8,
                12,
                "unknown visit kind \"跟近拜访\"",
                Some("did you mean \"跟进拜访\" (follow-up)?")
            ),
        ],
        "{:#?}",
        r.diagnostics
    );
    // Free text is no relationship level any more; an English slip gets the id.
    let t = SiteTest::with_files(&[(
        "content/customers/a.md",
        "---\ntitle: a\nstage: lead\ncontacts:\n  - {name: 王, relationship: trusst}\n---\n",
    )]);
    let r = t.build();
    assert_eq!(r.diagnostics[0].help.as_deref(), Some("did you mean \"trust\"?"));
}

#[test]
fn import_reads_chinese_values_in_every_fixed_column() {
    let t = SiteTest::with_files(&[("salesbook.yaml", "today: 2026-11-23\n")]);
    let csv = "客户名称,阶段,关系类型,采购潜力,客户份额,联系人\n\
华东,成交,合作伙伴关系,高,低,王总||决策人|鹰||约会;李工||向导（内线）|羊||同盟\n\
华南,商机,负责任,低,高,\n\
华北,线索,基本客户关系,,,\n";
    let file = t.root().join("c.csv");
    std::fs::write(&file, csv).unwrap();
    let out = t.run(&["import", "customers", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        src(&t, "content/customers/华东.md"),
        "---\ntitle: 华东\nstage: won\ntier: partner\npotential: high\nshare: low\ncontacts:\n- name: 王总\n  role: decision-maker\n  style: eagle\n  relationship: dating\n- name: 李工\n  role: coach\n  style: sheep\n  relationship: alliance\n---\n\n## 基本情况\n\n## 下一步\n"
    );
    assert!(
        src(&t, "content/customers/华南.md")
            .contains("stage: opportunity\ntier: responsible\npotential: low\nshare: high\n")
    );
    assert!(src(&t, "content/customers/华北.md").contains("stage: lead\ntier: basic\n"));
    // A wrong name is refused, with the Chinese name suggested.
    std::fs::write(&file, "客户名称,关系类型\n华中,伙伴关糸\n").unwrap();
    let out = t.run(&["import", "customers", file.to_str().unwrap()]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(
        log.contains(
            "c.csv, row 2, column B (关系类型): unknown tier \"伙伴关糸\"; did you mean \"伙伴关系\" (partner)?"
        ),
        "{log}"
    );
}

fn src(t: &SiteTest, path: &str) -> String {
    std::fs::read_to_string(t.root().join(path)).unwrap()
}

/// The front matter of `path` as the build reads it: (stage, tier) ids.
fn stage_and_tier(t: &SiteTest, slug: &str) -> (Option<String>, Option<String>) {
    t.build_ok();
    let all: serde_json::Value = serde_json::from_str(&t.read("exports/customers.json")).unwrap();
    let c = all
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == slug)
        .unwrap()
        .clone();
    let s = |k: &str| c[k].as_str().map(str::to_owned);
    (s("stage"), s("tier"))
}

#[test]
fn new_customer_leaves_the_tier_out_unless_given() {
    let t = SiteTest::with_files(&[("salesbook.yaml", "today: 2026-11-23\n")]);
    let out = t.run(&["new", "customer", "新客户"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = src(&t, "content/customers/新客户.md");
    assert!(!text.lines().any(|l| l.starts_with("tier:")), "{text}");
    assert!(text.contains("\n# tier: left out until the customer buys"), "{text}");
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("potential:") || l.starts_with("share:")),
        "{text}"
    );
    assert_eq!(stage_and_tier(&t, "新客户"), (Some("target".into()), None));
    let check = t.run(&["check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(!String::from_utf8_lossy(&check.stderr).contains("warning"));

    let out = t.run(&["new", "customer", "老客户", "--tier", "被动关系"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(src(&t, "content/customers/老客户.md").contains("\nstage: target\ntier: passive\nvalue: 0\n"));
    assert_eq!(
        stage_and_tier(&t, "老客户"),
        (Some("target".into()), Some("passive".into()))
    );

    let out = t.run(&["new", "customer", "坏", "--tier", "伙伴关糸"]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert_eq!(
        log.trim(),
        "error: unknown tier \"伙伴关糸\" for --tier; did you mean \"伙伴关系\" (partner)?"
    );
    assert!(!t.root().join("content/customers/坏.md").exists());
    let out = t.run(&["new", "competitor", "对手", "--tier", "partner"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(!t.root().join("content/competitors/对手.md").exists());
}

#[test]
fn a_tier_that_contradicts_the_stage_is_a_warning() {
    let page = |stage: &str, tier: &str| format!("---\ntitle: x\nstage: {stage}\ntier: {tier}\n---\n");
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "today: 2026-11-23\n"),
        ("content/customers/a.md", &page("target", "partner")),
        ("content/customers/b.md", &page("潜在客户", "负责任")),
        ("content/customers/c.md", &page("potential", "主动")),
        ("content/customers/d.md", &page("target", "basic")),
        ("content/customers/e.md", &page("target", "passive")),
        ("content/customers/f.md", &page("lead", "partner")),
        ("content/customers/g.md", &page("won", "partner")),
        ("content/customers/h.md", &page("lost", "partner")),
    ]);
    let r = t.build();
    let got: Vec<String> = r
        .diagnostics
        .iter()
        .map(|d| format!("{}:{}:{} {:?} {}", d.file, d.line, d.column, d.severity, d.message))
        .collect();
    assert_eq!(
        got,
        [
            "content/customers/a.md:4:7 Warning `tier: partner` does not suit a customer at `stage: target`",
            "content/customers/b.md:4:7 Warning `tier: responsible` does not suit a customer at `stage: potential`",
            "content/customers/c.md:4:7 Warning `tier: proactive` does not suit a customer at `stage: potential`",
        ]
    );
}

/// Every customer's fields as `customers.json` has them (ids), without what the table does
/// not carry (visits, orders, the page's own path).
fn customers_json(t: &SiteTest) -> Vec<serde_json::Value> {
    let all: serde_json::Value = serde_json::from_str(&t.read("exports/customers.json")).unwrap();
    let mut out: Vec<serde_json::Value> = all
        .as_array()
        .unwrap()
        .iter()
        .cloned()
        .map(|mut c| {
            let o = c.as_object_mut().unwrap();
            for k in ["visits", "orders", "extra"] {
                o.remove(k);
            }
            c
        })
        .collect();
    out.sort_by_key(|c| c["slug"].as_str().unwrap_or_default().to_owned());
    out
}

#[test]
fn a_zh_cn_sites_csv_is_in_chinese_and_imports_back() {
    let from = SiteTest::with_files(&[
        (
            "salesbook.yaml",
            "today: 2026-11-23\nstages:\n  - {id: lead, label: 线索, probability: 0.2}\n  - {id: pilot, label: 试用, probability: 0.5}\n  - {id: won, label: 签约, probability: 1}\n",
        ),
        ("content/competitors/rival.md", "---\ntitle: 对手\n---\n"),
        (
            "content/customers/huadong.md",
            "---\ntitle: 华东精密\nstage: pilot\ntier: partner\nowner: 张伟\nvalue: 1200000\nprobability: 0.35\nexpected_close: 2026-12-31\nnext_visit: 2026-11-28\npotential: high\nshare: low\ncompetitors: [rival]\ntags: [重点]\ncontacts:\n  - {name: 王总, title: 总经理, role: decision-maker, style: eagle, relationship: dating, phone: \"010\"}\n  - {name: 陈工, role: coach, style: sheep, relationship: alliance}\n---\n正文\n",
        ),
        (
            "content/customers/nanfang.md",
            "---\ntitle: 南方电子\nstage: won\ntier: responsible\npotential: low\nshare: high\ncontacts:\n  - {name: 李, role: purchaser, style: fox, relationship: acquaintance}\n  - {name: 赵, role: technical, style: donkey, relationship: trust}\n---\n",
        ),
        ("content/customers/bare.md", "---\ntitle: 无阶段\n---\n"),
    ]);
    from.build_ok();
    let bytes = std::fs::read(from.root().join("public/exports/customers.csv")).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next(),
        Some(
            "文件名,客户名称,阶段,关系类型,负责人,行业,地区,金额,赢单概率,预计成交日期,下次拜访,采购潜力,客户份额,\
             竞争对手,联系人,标签,更新日期,加权金额,上次拜访,未付,应收账款回收期"
        )
    );
    let mut rows: Vec<&str> = lines.collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            "bare,无阶段,,,,,,,,,,,,,,,,,,,",
            "huadong,华东精密,试用,伙伴关系,张伟,,,1200000,0.35,2026-12-31,2026-11-28,高,低,rival,王总|总经理|决策人|鹰|010|约会; 陈工||向导|羊||同盟,重点,,420000,,,",
            "nanfang,南方电子,签约,负责关系,,,,,,,,低,高,,李||采购人员|狐||认识; 赵||技术把关者|驴||信赖,,,,,,",
        ]
    );
    // Into an empty site with the same stages and competitor: the same front matter values.
    let to = SiteTest::with_files(&[
        (
            "salesbook.yaml",
            &std::fs::read_to_string(from.root().join("salesbook.yaml")).unwrap(),
        ),
        ("content/competitors/rival.md", "---\ntitle: 对手\n---\n"),
    ]);
    let file = to.root().join("客户.csv");
    std::fs::write(&file, &bytes).unwrap();
    let out = to.run(&["import", "customers", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    to.build_ok();
    let (a, b) = (customers_json(&from), customers_json(&to));
    assert_eq!(a.len(), 3);
    assert_eq!(a, b);
    assert_eq!(
        (a[1]["stage"].as_str(), a[1]["contacts"][0]["relationship"].as_str()),
        (Some("pilot"), Some("dating"))
    );
}

#[test]
fn an_english_sites_csv_has_ids() {
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "language: en\ntoday: 2026-11-23\n"),
        (
            "content/customers/a.md",
            "---\ntitle: A\nstage: 商机\ntier: 伙伴\ncontacts:\n  - {name: W, role: 决策人, relationship: 约会}\n---\n",
        ),
    ]);
    t.build_ok();
    let text = t.read("exports/customers.csv");
    assert_eq!(
        text.trim_start_matches('\u{feff}').lines().collect::<Vec<_>>(),
        [
            salesbook::export::CSV_COLUMNS.join(","),
            "a,A,opportunity,partner,,,,,,,,,,,W||decision-maker|||dating,,,,,,".to_owned(),
        ]
    );
}
