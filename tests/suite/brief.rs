//! The visit brief, `/customers/<slug>/brief/`: the one page a rep prints before a visit.

use crate::helper::SiteTest;

fn site() -> SiteTest {
    SiteTest::with_files(&[
        (
            "content/customers/a.md",
            "---\ntitle: 甲公司\nstage: quote\nindustry: 机械\nvalue: 1000\ncompetitors: [rival, secret]\n\
             contacts:\n  - {name: 王总, title: 总经理, role: decision-maker, style: eagle}\n\
             visits:\n  - {date: 2026-09-01, kind: cold, goal: 初次见面, commitment: 十月给方案}\n  \
             - {date: 2026-11-25, kind: follow-up, goal: 现场演示}\n---\n正文里的秘密备注\n",
        ),
        (
            "content/customers/b.md",
            "---\ntitle: 乙公司\nstage: lost\nindustry: 纺织\n---\n第一段\n\n第二段\n",
        ),
        (
            "content/competitors/rival.md",
            "---\ntitle: 对手甲\nprice_level: low\nstrengths: [价格低]\nweaknesses: [交期长]\nstrategy: 强调交期和服务\n---\n",
        ),
        (
            "content/competitors/secret.md",
            "---\ntitle: 保密对手\nconfidential: true\nstrategy: 绝密打法\n---\n",
        ),
        (
            "content/scripts/broad.md",
            "---\ntitle: 通用跟进话术\nstages: [quote, opportunity]\n---\n## 步骤\n1. 通用第一步\n",
        ),
        (
            "content/scripts/quote.md",
            "---\ntitle: 报价话术\nvisit_kind: follow-up\nstages: [quote]\nduration_minutes: 45\n---\n\
             ## 准备\n带上报价单\n\n## 步骤\n1. 先听客户的顾虑，见 [[rival]]\n2. 再讲价值\n\n### 小贴士\n少说多问\n\n## 常见异议\n价格太高怎么办\n",
        ),
        (
            "content/playbooks/spin-machine.md",
            "---\ntitle: 机械行业 SPIN\nkind: spin\nindustry: 机械\nsituation: [现在用哪家的设备？]\nproblem: [停机多吗？]\n---\n",
        ),
        (
            "content/playbooks/spin-chem.md",
            "---\ntitle: 化工行业 SPIN\nkind: spin\nindustry: 化工\nsituation: [化工专用问题？]\n---\n",
        ),
        (
            "content/playbooks/spin-general.md",
            "---\ntitle: 通用 SPIN\nkind: spin\nsituation: [通用背景问题？]\n---\n",
        ),
        ("salesbook.yaml", "today: 2026-11-23\n"),
    ])
}

#[test]
fn the_brief_has_what_a_rep_takes_to_a_visit() {
    let t = site();
    t.build_ok();
    let page = t.read("customers/a/index.html");
    assert!(
        page.contains("<a href=\"../../customers/a/brief/index.html\">"),
        "the customer page links its brief"
    );
    let html = t.read("customers/a/brief/index.html");
    // The fact box and the decision map with the conversation order.
    assert!(html.contains("¥1,000") && html.contains("报价"), "fact box");
    assert!(html.contains("王总") && html.contains("先听，再问，后说"), "contacts");
    // The last visit up to today, with its commitment (the visit planned for the 25th is not
    // the last one).
    let last = &html[html.find("id=\"last-visit\"").unwrap()..html.find("id=\"decision-map\"").unwrap()];
    assert!(
        last.contains("2026-09-01") && last.contains("<strong>十月给方案</strong>"),
        "{last}"
    );
    assert!(!last.contains("现场演示"));
    // What to know about each competitor met there.
    assert!(html.contains("对手甲") && html.contains("价格低") && html.contains("交期长"));
    assert!(html.contains("强调交期和服务"));
    // The most specific script for the stage: its steps section only, links working from the
    // brief's folder; the other suitable script named.
    let steps = &html[html.find("id=\"steps\"").unwrap()..html.find("id=\"spin\"").unwrap()];
    assert!(steps.contains("报价话术") && steps.contains("45 分钟"), "{steps}");
    assert!(
        steps.contains("先听客户的顾虑") && steps.contains("少说多问"),
        "{steps}"
    );
    assert!(
        steps.contains("href=\"../../../competitors/rival/index.html\""),
        "{steps}"
    );
    assert!(
        !steps.contains("带上报价单") && !steps.contains("价格太高怎么办"),
        "{steps}"
    );
    assert!(
        steps.contains("通用跟进话术") && !steps.contains("通用第一步"),
        "{steps}"
    );
    // The SPIN questions for the customer's industry, not another industry's.
    let spin = &html[html.find("id=\"spin\"").unwrap()..];
    assert!(
        spin.contains("现在用哪家的设备？") && spin.contains("停机多吗？"),
        "{spin}"
    );
    assert!(
        !spin.contains("化工专用问题") && !spin.contains("通用背景问题"),
        "{spin}"
    );
    // Not the customer's body.
    assert!(!html.contains("正文里的秘密备注"));
}

#[test]
fn a_brief_says_what_is_missing() {
    let t = site();
    t.build_ok();
    let html = t.read("customers/b/brief/index.html");
    assert!(html.contains("尚未拜访"), "no visit yet");
    assert!(
        html.contains("还没有拜访话术声明适用于这个阶段"),
        "no script for lost deals"
    );
    // No SPIN list for 纺织: the general one, said so.
    assert!(html.contains("通用背景问题？") && html.contains("还没有针对这个行业的 SPIN 清单"));
    assert!(
        !t.exists("competitors/rival/brief/index.html"),
        "only customers have briefs"
    );
}

#[test]
fn a_public_brief_leaves_confidential_competitors_out() {
    let t = site();
    assert!(
        t.build_ok()
            .files
            .iter()
            .any(|f| f.bytes.windows(12).any(|w| w == "绝密打法".as_bytes()))
    );
    let out = t.run(&["build", "--public", "--out", "pub"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(t.root().join("pub/customers/a/brief/index.html")).unwrap();
    assert!(html.contains("对手甲"));
    assert!(!html.contains("保密对手") && !html.contains("绝密打法"), "{html}");
}

#[test]
fn a_brief_is_made_again_when_its_script_changes() {
    let t = site();
    let build = || {
        let out = t.run(&["build"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    build();
    assert!(t.read("customers/a/brief/index.html").contains("再讲价值"));
    t.write(
        "content/scripts/quote.md",
        "---\ntitle: 报价话术\nstages: [quote]\n---\n## 步骤\n1. 改过的步骤\n",
    );
    build();
    let html = t.read("customers/a/brief/index.html");
    assert!(html.contains("改过的步骤") && !html.contains("再讲价值"), "{html}");
    // A change below the customer's first paragraph (which lists show) renders its own page
    // only: not its brief. The search index's one shard holds the new words.
    t.write(
        "content/customers/b.md",
        "---\ntitle: 乙公司\nstage: lost\nindustry: 纺织\n---\n第一段\n\n第二段改了\n",
    );
    let log = build();
    assert!(log.contains("(1 rendered, 2 files written"), "{log}");
}

#[test]
fn a_page_cannot_take_a_briefs_url() {
    let t = SiteTest::with_files(&[
        ("content/customers/a.md", "---\ntitle: 甲\nstage: lead\n---\n"),
        ("content/customers/a/brief.md", "---\ntitle: 乙\nstage: lead\n---\n"),
        ("content/customers/b/brief.md", "---\ntitle: 丙\nstage: lead\n---\n"),
    ]);
    let r = t.build();
    assert_eq!(
        crate::helper::places(
            &r.diagnostics
                .iter()
                .filter(|d| d.is_error())
                .cloned()
                .collect::<Vec<_>>()
        ),
        ["content/customers/a/brief.md:0:0 this page's URL /customers/a/brief/ is taken by a customer's visit brief"]
    );
}
