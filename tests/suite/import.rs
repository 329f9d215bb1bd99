//! `salesbook import customers`: a spreadsheet's rows as customer pages.

use crate::helper::SiteTest;

fn csv_without(bytes: &[u8], dropped: &[&str]) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_reader(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let keep: Vec<usize> = (0..header.len())
        .filter(|i| !dropped.contains(&header[*i].as_str()))
        .collect();
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            keep.iter().map(|i| r[*i].to_owned()).collect()
        })
        .collect();
    rows.sort();
    rows.insert(0, keep.iter().map(|i| header[*i].clone()).collect());
    rows
}

#[test]
fn export_then_import_gives_the_same_customers() {
    let from = SiteTest::fixture("builder/basic");
    from.build_ok();
    let exported = std::fs::read(from.root().join("public/exports/customers.csv")).unwrap();
    // An empty site with the same competitors, so that the references resolve.
    let to = SiteTest::with_files(&[("salesbook.yaml", "today: 2026-11-23\n")]);
    for c in ["rival", "other"] {
        let text = std::fs::read_to_string(from.root().join(format!("content/competitors/{c}.md"))).unwrap();
        to.write(&format!("content/competitors/{c}.md"), &text);
    }
    let file = to.root().join("customers.csv");
    std::fs::write(&file, &exported).unwrap();
    let out = to.run(&["import", "customers", file.to_str().unwrap()]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("wrote 5 customer pages; 0 rows skipped, 0 rows with errors"),
        "{log}"
    );
    let r = to.build_ok();
    let imported = r.files.iter().find(|f| &*f.path == "exports/customers.csv").unwrap();
    // Visits and orders are lists the table does not carry (customers.json does): the
    // figures made from them are left out of the comparison.
    let derived = ["last_visit", "unpaid", "dso_days"];
    assert_eq!(csv_without(&imported.bytes, &derived), csv_without(&exported, &derived));
    // Importing again skips every row: pages are never overwritten.
    let again = to.run(&["import", "customers", file.to_str().unwrap()]);
    let log = String::from_utf8_lossy(&again.stderr);
    assert!(log.contains("wrote 0 customer pages; 5 rows skipped"), "{log}");
    assert!(log.contains("warning: row 2: content/customers/"), "{log}");
}

#[test]
fn a_gbk_table_with_chinese_headers_and_bad_rows() {
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "today: 2026-11-23\n"),
        (
            "content/customers/existing.md",
            "---\ntitle: 已有客户\nstage: lead\n---\n",
        ),
    ]);
    let table = "客户名称,阶段,关系类型,负责人,金额（元）,行业,地区,下次拜访,成交概率,备注\n\
        华东精密机械有限公司,报价,伙伴关系,张伟,120万,机械,华东,2026/11/28,60%,老客户\n\
        坏阶段公司,报介,基本关系,李娜,100,,,,,\n\
        坏金额公司,线索,,,很多,,,2026-13-45,,\n\
        ,商机,,,,,,,,\n\
        existing,线索,,,,,,,,\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(table);
    assert!(!unmappable);
    let file = t.root().join("客户档案.csv");
    std::fs::write(&file, &gbk).unwrap();
    // A dry run reports and writes nothing.
    let dry = t.run(&["import", "customers", file.to_str().unwrap(), "--dry-run"]);
    assert_eq!(dry.status.code(), Some(1), "rows with errors: exit code 1");
    assert!(!t.root().join("content/customers/华东精密机械有限公司.md").exists());
    let out = t.run(&["import", "customers", file.to_str().unwrap()]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{log}");
    for expected in [
        "error: row 3: unknown stage \"报介\"; did you mean \"报价\"?",
        "error: row 4: value \"很多\" is not an amount (write 1200000 or 120万)",
        "error: row 4: next_visit \"2026-13-45\" is not a date (write 2026-11-28)",
        "error: row 5: no customer name (the `title` / `客户名称` cell is empty)",
        "warning: row 6: content/customers/existing.md exists; not overwritten",
        "warning: columns not imported (no such field): 备注",
        "wrote 1 customer pages; 1 rows skipped, 3 rows with errors",
    ] {
        assert!(log.contains(expected), "missing {expected:?} in:\n{log}");
    }
    assert_eq!(
        std::fs::read_to_string(t.root().join("content/customers/existing.md")).unwrap(),
        "---\ntitle: 已有客户\nstage: lead\n---\n",
        "never overwritten"
    );
    let page = std::fs::read_to_string(t.root().join("content/customers/华东精密机械有限公司.md")).unwrap();
    assert!(
        page.starts_with(
            "---\ntitle: 华东精密机械有限公司\nstage: quote\ntier: partner\nowner: 张伟\nindustry: 机械\nregion: 华东\nvalue: 1200000\nprobability: 0.6\nnext_visit: \"2026-11-28\"\n---\n"
        ),
        "{page}"
    );
    let r = t.build();
    assert!(!r.has_errors(), "the imported page builds: {:?}", r.diagnostics);
}
