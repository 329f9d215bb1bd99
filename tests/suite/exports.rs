//! `exports/`: the customer table for spreadsheets, the customer data as JSON and the visit
//! calendar, each read back by a real parser (the csv crate, serde_json, Python's icalendar).

use crate::helper::SiteTest;

fn site() -> SiteTest {
    SiteTest::with_files(&[
        ("salesbook.yaml", "title: 测试站点\ntoday: 2026-11-23\n"),
        (
            "content/customers/huadong.md",
            "---\ntitle: 华东精密, 有限公司\nstage: quote\ntier: partner\nowner: 张伟\nindustry: 机械\nregion: 华东\nvalue: 1200000\nprobability: 0.5\nexpected_close: 2026-12-31\nnext_visit: 2026-11-28\npotential: high\nshare: low\ncompetitors: [rival]\ntags: [重点, 伺服]\ncontacts:\n  - name: 王总\n    title: 总经理\n    role: decision-maker\n    style: eagle\n  - name: 陈工\n    role: coach\nvisits:\n  - date: 2026-11-10\n    kind: follow-up\n    commitment: 月底前给报价\n  - date: 2026-11-28\n    kind: routine\n    goal: \"技术交流; 确认方案\"\norders:\n  - date: 2026-10-15\n    amount: 300000\n    paid: 100000\n---\n",
        ),
        (
            "content/customers/formula.md",
            "---\ntitle: \"=HYPERLINK(\\\"http://evil\\\",\\\"x\\\")\"\nstage: lead\nowner: \"@SUM(A1:A9)\"\nindustry: \"-2+3\"\nregion: \"+1\"\n---\n",
        ),
        (
            "content/customers/secret.md",
            "---\ntitle: 机密客户\nconfidential: true\nstage: lead\nnext_visit: 2026-11-30\n---\n",
        ),
        ("content/competitors/rival.md", "---\ntitle: 对手\n---\n"),
    ])
}

fn file(r: &salesbook::build::BuildResult, path: &str) -> Vec<u8> {
    r.files
        .iter()
        .find(|f| &*f.path == path)
        .unwrap_or_else(|| panic!("{path} is built"))
        .bytes
        .to_vec()
}

#[test]
fn customers_csv_opens_in_a_spreadsheet() {
    let t = site();
    // An English site's table: ids and field names (a zh-CN one's: tests/suite/words.rs).
    t.write("salesbook.yaml", "title: 测试站点\nlanguage: en\ntoday: 2026-11-23\n");
    let r = t.build();
    assert!(!r.has_errors(), "{:?}", r.diagnostics);
    let bytes = file(&r, "exports/customers.csv");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a byte-order mark for Excel");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, salesbook::export::CSV_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3, "every customer, one row each");
    let row = |slug: &str| rows.iter().find(|r| &r[0] == slug).unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let h = row("huadong");
    assert_eq!(&h[col("title")], "华东精密, 有限公司", "a comma inside a quoted cell");
    assert_eq!(&h[col("stage")], "quote");
    assert_eq!(&h[col("value")], "1200000");
    assert_eq!(&h[col("weighted_value")], "600000");
    assert_eq!(&h[col("competitors")], "rival");
    assert_eq!(&h[col("contacts")], "王总|总经理|decision-maker|eagle; 陈工||coach");
    assert_eq!(&h[col("tags")], "重点; 伺服");
    assert_eq!(&h[col("unpaid")], "200000");
    assert_eq!(&h[col("last_visit")], "2026-11-28");
    let f = row("formula");
    assert_eq!(&f[col("title")], "'=HYPERLINK(\"http://evil\",\"x\")");
    assert_eq!(&f[col("owner")], "'@SUM(A1:A9)");
    assert_eq!(&f[col("industry")], "'-2+3");
    assert_eq!(&f[col("region")], "'+1");
}

#[test]
fn customers_json_holds_the_front_matter_typed() {
    let t = site();
    let r = t.build();
    let json: serde_json::Value = serde_json::from_slice(&file(&r, "exports/customers.json")).unwrap();
    let h = json
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == "huadong")
        .unwrap();
    assert_eq!(h["value"], 1_200_000.0);
    assert_eq!(h["probability"], 0.5);
    assert_eq!(h["contacts"][0]["role"], "decision-maker");
    assert_eq!(h["visits"][1]["goal"], "技术交流; 确认方案");
    assert_eq!(h["orders"][0]["paid"], 100_000.0);
    assert_eq!(h["competitors"], serde_json::json!(["rival"]));
}

/// Python's icalendar reads the feed back: (date, summary, description) of each event.
pub fn parse_ics(bytes: &[u8]) -> Vec<(String, String, String)> {
    let script = r#"
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
out = []
for e in cal.walk("VEVENT"):
    assert e.get("DTSTART").params.get("VALUE") == "DATE", "an all-day event"
    assert (e.decoded("DTEND") - e.decoded("DTSTART")).days == 1
    out.append([e.decoded("DTSTART").isoformat(), str(e.get("SUMMARY")), str(e.get("DESCRIPTION", ""))])
print(json.dumps(out, ensure_ascii=False))
"#;
    crate::helper::python_json(
        script,
        bytes,
        "icalendar could not read the feed (is it installed? `pip install icalendar`; scripts/test installs it)",
    )
}

#[test]
fn visits_ics_is_a_calendar_a_real_parser_reads() {
    let t = site();
    let r = t.build();
    let ics = file(&r, "exports/visits.ics");
    let text = String::from_utf8(ics.clone()).unwrap();
    assert!(text.lines().all(|l| l.len() <= 76), "lines are folded at 75 octets");
    assert!(text.contains("\r\n"), "CRLF line ends");
    let events = parse_ics(&ics);
    assert_eq!(
        events,
        [
            (
                "2026-11-28".to_owned(),
                "华东精密, 有限公司 · 技术交流; 确认方案".to_owned(),
                "拜访目标: 技术交流; 确认方案\n上次承诺: 月底前给报价\n负责人: 张伟\n阶段: 报价".to_owned()
            ),
            ("2026-11-30".to_owned(), "机密客户".to_owned(), "阶段: 线索".to_owned()),
        ]
    );
    // A --public build's calendar and tables leave the confidential customer out.
    let mut opts = t.options();
    opts.public = true;
    let public = t.build_with(opts);
    let events = parse_ics(&file(&public, "exports/visits.ics"));
    assert_eq!(events.len(), 1, "{events:?}");
    for path in ["exports/customers.csv", "exports/customers.json", "exports/visits.ics"] {
        assert!(
            !String::from_utf8_lossy(&file(&public, path)).contains("机密客户"),
            "{path}"
        );
    }
}
