//! `salesbook import customers`: a spreadsheet's rows as customer pages.

use std::collections::BTreeMap;
use std::path::Path;

use salesbook::parse::front_matter::FrontMatter;

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
    assert!(log.contains("wrote 5 customer pages; 0 rows skipped"), "{log}");
    let r = to.build_ok();
    let imported = r.files.iter().find(|f| &*f.path == "exports/customers.csv").unwrap();
    // Visits and orders are lists the table does not carry (customers.json does): the
    // figures made from them are left out of the comparison.
    let derived = ["last_visit", "unpaid", "dso_days", "上次拜访", "未付", "应收账款回收期"];
    assert_eq!(csv_without(&imported.bytes, &derived), csv_without(&exported, &derived));
    // Importing again skips every row: pages are never overwritten.
    let again = to.run(&["import", "customers", file.to_str().unwrap()]);
    let log = String::from_utf8_lossy(&again.stderr);
    assert!(log.contains("wrote 0 customer pages; 5 rows skipped"), "{log}");
    assert!(log.contains("customers.csv, row 2: content/customers/"), "{log}");
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
    let f = file.to_str().unwrap();
    for args in [
        vec!["import", "customers", f, "--dry-run"],
        vec!["import", "customers", f],
    ] {
        let out = t.run(&args);
        let log = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "rows with errors: exit code 1\n{log}");
        for expected in [
            format!("error: {f}, row 3, column B (阶段): unknown stage \"报介\"; did you mean \"报价\" (quote)?"),
            format!("error: {f}, row 4, column E (金额（元）): \"很多\" is not an amount"),
            format!("error: {f}, row 4, column H (下次拜访): \"2026-13-45\" is not a date (write 2026-11-28)"),
            format!("error: {f}, row 5, column A (客户名称): no customer name"),
            format!("warning: {f}, row 6: content/customers/existing.md exists; not overwritten"),
            "warning: columns not imported (no such field): 备注".to_owned(),
            "nothing written: 4 problems (3 rows with errors)".to_owned(),
        ] {
            assert!(log.contains(&expected), "missing {expected:?} in:\n{log}");
        }
        // All or nothing: the good row is not written either.
        assert!(
            !t.root().join("content/customers/华东精密机械有限公司.md").exists(),
            "{log}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(t.root().join("content/customers/existing.md")).unwrap(),
        "---\ntitle: 已有客户\nstage: lead\n---\n",
        "never overwritten"
    );
    // The good rows alone are written, and build.
    let good: String = table
        .lines()
        .take(2)
        .chain(table.lines().skip(5))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&file, encoding_rs::GBK.encode(&good).0).unwrap();
    let out = t.run(&["import", "customers", f]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("wrote 1 customer pages; 1 rows skipped"), "{log}");
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

/// Every customer page under `content/customers/` of `root`, parsed by the build, by slug.
fn customers(root: &Path) -> BTreeMap<String, FrontMatter> {
    let config = salesbook::build::load_config(root).unwrap();
    let dir = root.join("content/customers");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let src = salesbook::load::read_source(root, &path).unwrap();
        let (doc, diags) = salesbook::site::parse_doc(&src, &config, false);
        assert!(diags.iter().all(|d| !d.is_error()), "{}: {diags:?}", path.display());
        let doc = doc.unwrap();
        out.insert(doc.slug.clone(), doc.fm);
    }
    out
}

/// The front-matter fields the customer table carries, as the build reads them. An empty
/// text is the same as none (a table cell cannot tell them apart).
fn carried(fm: &FrontMatter) -> Vec<(&'static str, String)> {
    let text = |s: &Option<String>| format!("{:?}", s.as_deref().filter(|s| !s.is_empty()));
    let c = fm.customer.as_deref().unwrap();
    let mut out = vec![
        ("title", fm.title.clone()),
        (
            "tags",
            format!("{:?}", fm.tags.iter().filter(|t| !t.is_empty()).collect::<Vec<_>>()),
        ),
        ("updated", format!("{:?}", fm.updated)),
        ("stage", format!("{:?}", c.stage)),
        ("tier", format!("{:?}", c.tier)),
        ("owner", text(&c.owner)),
        ("industry", text(&c.industry)),
        ("region", text(&c.region)),
        ("value", format!("{:?}", c.value)),
        ("probability", format!("{:?}", c.probability)),
        ("expected_close", format!("{:?}", c.expected_close)),
        ("next_visit", format!("{:?}", c.next_visit)),
        ("potential", format!("{:?}", c.potential)),
        ("share", format!("{:?}", c.share)),
        (
            "competitors",
            format!("{:?}", c.competitors.iter().map(|c| &c.value).collect::<Vec<_>>()),
        ),
    ];
    for (i, p) in c.contacts.iter().enumerate() {
        out.push((
            "contact",
            format!(
                "{i}: {:?} {} {:?} {:?} {} {:?} {}",
                p.name,
                text(&p.title),
                p.role,
                p.style,
                text(&p.phone),
                p.relationship,
                text(&p.notes)
            ),
        ));
    }
    out
}

/// Text that has broken CSV round trips: list separators of every kind, the escape itself,
/// quotes, line breaks, formulas (after whitespace too), CJK, emoji, empty strings.
const HOSTILE: &[&str] = &[
    "a,b",
    "甲、乙",
    "x;y",
    "全角；分号，逗号",
    "p|q",
    "C:\\data\\",
    "\\",
    "\\;",
    "\"引号\" 'single'",
    "两行\n文字",
    "=1+1",
    " =SUM(A1:A9)",
    "\n@cmd",
    "\t-2+3",
    "\r+1",
    "'=已中和",
    "''",
    "🚀 发射 👩‍💻",
    " 前后有空格 ",
    "trailing newline\n",
    "",
];

fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

#[test]
fn hostile_text_survives_export_then_import() {
    let list = |items: &[&str]| format!("[{}]", items.iter().map(|s| yaml_str(s)).collect::<Vec<_>>().join(", "));
    let mut files: Vec<(String, String)> = vec![
        ("salesbook.yaml".into(), "today: 2026-11-23\n".into()),
        ("content/competitors/rival.md".into(), "---\ntitle: 对手\n---\n".into()),
        ("content/competitors/abb.md".into(), "---\ntitle: ABB\n---\n".into()),
    ];
    // One customer per hostile string, in every text field; and one with all of them as tags.
    for (i, h) in HOSTILE.iter().enumerate() {
        let contact = format!(
            "  - name: {}\n    title: {}\n    role: coach\n    phone: {}\n    relationship: {}\n    notes: {}\n",
            yaml_str(&format!("联系人{i}{h}")),
            yaml_str(h),
            yaml_str(h),
            ["认识", "dating", "信赖", "alliance"][i % 4],
            yaml_str(&format!("{h}|{h};{h}"))
        );
        files.push((
            format!("content/customers/c{i}.md"),
            format!(
                "---\ntitle: {}\nstage: quote\ntier: partner\nowner: {}\nindustry: {}\nregion: {}\n\
                 value: 1234567.891\nprobability: 0.125\ncompetitors: [rival, abb]\ntags: {}\n\
                 contacts:\n{contact}  - name: 第二人\n    style: eagle\n---\n",
                yaml_str(&format!("客户{i} {h}")),
                yaml_str(h),
                yaml_str(&format!("{h}{h}")),
                yaml_str(&format!("前{h}")),
                list(&[h, "普通", h]),
            ),
        ));
    }
    files.push((
        "content/customers/all.md".into(),
        format!("---\ntitle: 全部\nstage: lead\ntags: {}\n---\n", list(HOSTILE)),
    ));
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let from = SiteTest::with_files(&refs);
    let r = from.build();
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    let csv_bytes = r
        .files
        .iter()
        .find(|f| &*f.path == "exports/customers.csv")
        .unwrap()
        .bytes
        .to_vec();
    // No cell a spreadsheet would run as a formula, leading whitespace or not.
    let mut reader = csv::Reader::from_reader(&csv_bytes[3..]);
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(!cell.trim_start().starts_with(['=', '+', '-', '@']), "{cell:?}");
        }
    }
    let to = SiteTest::with_files(&refs[..3]);
    let file = to.root().join("customers.csv");
    std::fs::write(&file, &csv_bytes).unwrap();
    let out = to.run(&["import", "customers", file.to_str().unwrap()]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    let (before, after) = (customers(from.root()), customers(to.root()));
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    for (slug, fm) in &before {
        let (want, got) = (carried(fm), carried(&after[slug]));
        for (w, g) in want.iter().zip(&got) {
            assert_eq!(w, g, "{slug}: field {}", w.0);
        }
        assert_eq!(want.len(), got.len(), "{slug}: contacts");
    }
    // Nothing is lost that was not empty: the "all" page has every non-empty string as a tag.
    assert_eq!(after["all"].tags.len(), HOSTILE.len() - 1);
}

#[test]
fn amounts_in_a_column_of_wan_yuan_are_multiplied() {
    let t = SiteTest::with_files(&[("salesbook.yaml", "today: 2026-11-23\n")]);
    for (i, (header, cells)) in [
        ("金额(万元)", ["120", "120万", "0.07", "300元"]),
        ("金额（万元）", ["120", "¥120万元", "0.07", "300 元"]),
        ("金额(万)", ["120", "1.2亿", "0.07", "300元"]),
        ("预计金额（千元）", ["1200", "120万", "0.7", "0.3"]),
    ]
    .iter()
    .enumerate()
    {
        let mut table = format!("客户名称,{header}\n");
        for (j, cell) in cells.iter().enumerate() {
            table.push_str(&format!("客户{i}x{j},{cell}\n"));
        }
        let file = t.root().join(format!("t{i}.csv"));
        std::fs::write(&file, table).unwrap();
        let out = t.run(&["import", "customers", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let expected = ["1200000", if i == 2 { "120000000" } else { "1200000" }, "700", "300"];
        for (j, want) in expected.iter().enumerate() {
            let page = std::fs::read_to_string(t.root().join(format!("content/customers/客户{i}x{j}.md"))).unwrap();
            assert!(
                page.contains(&format!("\nvalue: {want}\n")),
                "{header} {}: {page}",
                cells[j]
            );
        }
    }
    // A unit that is not one of yuan is refused, not guessed.
    std::fs::write(t.root().join("usd.csv"), "客户名称,金额（美元）\n甲,100\n").unwrap();
    let out = t.run(&["import", "customers", "usd.csv"]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(
        log.contains("usd.csv, column B (金额（美元）): the unit \"美元\" is not an amount of yuan"),
        "{log}"
    );
    // Full-width digits as an input method types them; an amount too large for a number.
    std::fs::write(
        t.root().join("fw.csv"),
        "客户名称,金额,成交概率\n全角,１２０万,３５％\n",
    )
    .unwrap();
    let out = t.run(&["import", "customers", "fw.csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(t.root().join("content/customers/全角.md")).unwrap();
    assert!(page.contains("\nvalue: 1200000\nprobability: 0.35\n"), "{page}");
    std::fs::write(t.root().join("big.csv"), "客户名称,金额\n大,1e308万\n").unwrap();
    let out = t.run(&["import", "customers", "big.csv"]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("big.csv, row 2, column B (金额): \"1e308万\" is too large an amount"),
        "{log}"
    );
}

#[test]
fn one_bad_row_among_good_ones_writes_nothing() {
    let t = SiteTest::with_files(&[("salesbook.yaml", "today: 2026-11-23\n")]);
    let long = "华".repeat(90);
    let table = format!("客户名称,阶段\n甲公司,线索\n{long},线索\n乙公司,线索\n");
    std::fs::write(t.root().join("t.csv"), &table).unwrap();
    let out = t.run(&["import", "customers", "t.csv"]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a bad row is exit 1, not an OS error: {log}"
    );
    assert!(
        log.contains(
            "error: t.csv, row 3, column A (客户名称): the file name would be 270 bytes long, over the limit of 200"
        ),
        "{log}"
    );
    assert!(log.contains("nothing written"), "{log}");
    assert!(!t.root().join("content/customers").exists(), "nothing written: {log}");
    // With a slug column the same title is fine.
    let table = format!("客户名称,slug,阶段\n甲公司,,线索\n{long},long-name,线索\n乙公司,,线索\n");
    std::fs::write(t.root().join("t.csv"), &table).unwrap();
    let out = t.run(&["import", "customers", "t.csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(t.root().join("content/customers/long-name.md").exists());
    assert!(!t.build().has_errors());
}

#[test]
fn file_names_from_cells_never_leave_content_customers() {
    let t = SiteTest::with_files(&[("salesbook.yaml", "today: 2026-11-23\n")]);
    let table = "title,slug\n\
        甲,../../escape\n\
        乙,..\n\
        丙,/etc/passwd\n\
        丁,a\\b\n\
        戊,.hidden\n\
        己,con\n\
        庚,a:b\n\
        ../../逃逸,\n\
        🚀,\n";
    std::fs::write(t.root().join("t.csv"), table).unwrap();
    let out = t.run(&["import", "customers", "t.csv"]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{log}");
    for row in 2..=7 {
        assert!(
            log.contains(&format!("t.csv, row {row}, column B (slug): \"")),
            "row {row}: {log}"
        );
    }
    assert!(
        log.contains("t.csv, row 10, column A (title): cannot make a file name from \"🚀\""),
        "{log}"
    );
    // `../../逃逸` makes the slug 逃逸, inside content/customers/; but nothing is written.
    assert!(!t.root().join("content/customers").exists(), "{log}");
    let outside: Vec<_> = walkdir::WalkDir::new(t.root().parent().unwrap())
        .max_depth(2)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("escape"))
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
}

#[test]
fn a_utf8_row_among_gbk_rows_is_reported() {
    let t = SiteTest::with_files(&[("salesbook.yaml", "today: 2026-11-23\n")]);
    let mut bytes = encoding_rs::GBK.encode("客户名称,阶段\n华东精密,报价\n").0.into_owned();
    bytes.extend_from_slice("杭州远博,线索\n".as_bytes());
    bytes.extend_from_slice(&encoding_rs::GBK.encode("苏州工业,线索\n").0);
    std::fs::write(t.root().join("mixed.csv"), &bytes).unwrap();
    let out = t.run(&["import", "customers", "mixed.csv"]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(
        log.contains("error: mixed.csv: the file mixes two encodings: line 3 is UTF-8 and the other lines GBK"),
        "{log}"
    );
    assert!(!t.root().join("content/customers").exists(), "{log}");
}

#[test]
fn every_value_check_refuses_is_refused_by_import() {
    // Each case: a CSV cell, and the same value in a page, which `check` refuses.
    let cases: &[(&str, &str, &str)] = &[
        ("value", "-5", "value: -5"),
        ("value", "-120万", "value: -1200000"),
        ("probability", "150%", "probability: 1.5"),
        ("next_visit", "2026-02-30", "next_visit: 2026-02-30"),
        ("stage", "nope", "stage: nope"),
        ("tier", "nope", "tier: nope"),
        ("potential", "huge", "potential: huge"),
        ("competitors", "nobody", "competitors: [nobody]"),
        ("contacts", "|经理", "contacts:\n  - title: 经理"),
        ("contacts", "王总||boss", "contacts:\n  - name: 王总\n    role: boss"),
    ];
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "today: 2026-11-23\n"),
        ("content/competitors/rival.md", "---\ntitle: 对手\n---\n"),
    ]);
    for (i, (_, _, yaml)) in cases.iter().enumerate() {
        t.write(
            &format!("content/customers/p{i}.md"),
            &format!("---\ntitle: p{i}\nstage: lead\n{yaml}\n---\n"),
        );
        let errors: Vec<_> = t.build().diagnostics.into_iter().filter(|d| d.is_error()).collect();
        assert!(!errors.is_empty(), "check accepts {yaml:?}: the case is no test");
        std::fs::remove_file(t.root().join(format!("content/customers/p{i}.md"))).unwrap();
    }
    let header = "title,stage,value,probability,next_visit,tier,potential,competitors,contacts";
    let names: Vec<&str> = header.split(',').collect();
    let mut table = format!("{header}\n好客户,lead,100,,,,,rival,\n");
    for (i, (field, cell, _)) in cases.iter().enumerate() {
        let row: Vec<String> = names
            .iter()
            .map(|n| match *n {
                "title" => format!("坏{i}"),
                "stage" if *field != "stage" => "lead".to_owned(),
                n if n == *field => format!("\"{cell}\""),
                _ => String::new(),
            })
            .collect();
        table.push_str(&row.join(","));
        table.push('\n');
    }
    std::fs::write(t.root().join("t.csv"), &table).unwrap();
    let out = t.run(&["import", "customers", "t.csv"]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{log}");
    for (i, (field, _, _)) in cases.iter().enumerate() {
        let col = (b'A' + names.iter().position(|n| n == field).unwrap() as u8) as char;
        let place = format!("error: t.csv, row {}, column {col} ({field}): ", i + 3);
        assert!(log.contains(&place), "{field} {i}: missing {place:?} in\n{log}");
    }
    assert!(
        log.contains("`value` is negative (-5)"),
        "the build's own message: {log}"
    );
    assert!(
        log.contains("unknown competitor \"nobody\""),
        "the build's own message: {log}"
    );
    let written = std::fs::read_dir(t.root().join("content/customers")).unwrap().count();
    assert_eq!(written, 0, "nothing written: {log}");
}

/// Imports `rows` (title,slug,stage) beside the page `existing` and expects row 2 to be
/// that page, row 4 a twin of row 3, and `files` in `content/customers/` afterwards.
fn assert_twins_are_one_page(existing: &str, rows: &str, row2: &str, row4: &str, files: &[&str]) -> SiteTest {
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "today: 2026-11-23\n"),
        (
            &format!("content/customers/{existing}"),
            "---\ntitle: 有\nstage: lead\n---\n",
        ),
    ]);
    std::fs::write(t.root().join("t.csv"), format!("title,slug,stage\n{rows}")).unwrap();
    let out = t.run(&["import", "customers", "t.csv"]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains(&format!(
            "t.csv, row 2: content/customers/{row2} exists; not overwritten"
        )),
        "{log}"
    );
    assert!(
        log.contains(&format!(
            "t.csv, row 4: content/customers/{row4} comes from an earlier row"
        )),
        "{log}"
    );
    let mut found: Vec<String> = std::fs::read_dir(t.root().join("content/customers"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(found, files);
    t
}

#[test]
fn file_names_that_differ_only_in_case_are_the_same_page() {
    // On Windows and macOS `Huadong.md` is `huadong.md`: writing it would overwrite the page.
    assert_twins_are_one_page(
        "huadong.md",
        "A,Huadong,lead\nB,abb,lead\nC,ABB,lead\n",
        "huadong.md",
        "ABB.md",
        &["abb.md", "huadong.md"],
    );
}

#[test]
fn file_names_that_differ_only_in_unicode_normalization_are_the_same_page() {
    // On macOS `café` (NFC) and `cafe` + U+0301 (NFD) name one file: the build refuses the
    // pair, so the import must not write the second.
    let t = assert_twins_are_one_page(
        "caf\u{e9}.md",
        "A,cafe\u{301},lead\nB,th\u{e9},lead\nC,THE\u{301},lead\n",
        "caf\u{e9}.md",
        "THE\u{301}.md",
        &["caf\u{e9}.md", "th\u{e9}.md"],
    );
    assert!(!t.build().has_errors(), "the site still builds");
}

#[test]
fn rows_are_numbered_by_their_line_whatever_the_line_breaks() {
    // Excel on Windows saves CRLF, old Mac files end lines with CR alone: the row named is
    // the line a spreadsheet shows, as with LF.
    let t = SiteTest::with_files(&[("salesbook.yaml", "today: 2026-11-23\n")]);
    for eol in ["\n", "\r\n", "\r"] {
        let table = [
            "slug,title,stage",
            "ok1,A,lead",
            ".bad,B,lead",
            "ok3,\"C\nc\",lead",
            "..x,D,lead",
            "",
        ]
        .join(eol);
        std::fs::write(t.root().join("t.csv"), table).unwrap();
        let out = t.run(&["import", "customers", "t.csv"]);
        let log = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{eol:?}: {log}");
        // The quoted cell of row 4 spans two lines: the next row starts on line 6.
        assert!(
            log.contains("t.csv, row 3, column A (slug): \".bad\""),
            "{eol:?}: {log}"
        );
        assert!(log.contains("t.csv, row 6, column A (slug): \"..x\""), "{eol:?}: {log}");
    }
}

/// A site for `import --update`: a customer with comments, a private field and a body.
fn update_site() -> SiteTest {
    SiteTest::with_files(&[
        ("salesbook.yaml", "today: 2026-11-23\n"),
        ("content/competitors/rival.md", "---\ntitle: 对手公司\n---\n"),
        ("content/customers/huadong.md", HUADONG),
        (
            "content/customers/nanfang.md",
            "---\ntitle: 南方电子有限公司\naliases: [南方电子]\nstage: lead\n---\n南方的正文\n",
        ),
    ])
}

const HUADONG: &str = "---\n# 华东的档案：每周一更新\ntitle: 华东精密\nstage: quote   # 报价已发\ntier: basic\nowner: 张伟\ncompetitors: [对手公司]\ncontacts:\n  - {name: 王总, role: decision-maker, style: eagle}\nvisits:\n  - {date: 2026-11-02, kind: follow-up, goal: 确认方案}\nprivate:\n  value: 1000000   # 不对外\n---\n\n## 拜访策略\n\n保持联系。 stage: quote\n";

fn run_update(t: &SiteTest, csv: &str, extra: &[&str]) -> (Option<i32>, String) {
    let file = t.root().join("周报.csv");
    std::fs::write(&file, csv).unwrap();
    let mut args = vec!["import", "customers", file.to_str().unwrap(), "--update"];
    args.extend(extra);
    let out = t.run(&args);
    let log = String::from_utf8_lossy(&out.stderr).replace(&format!("{}/", t.root().display()), "");
    (out.status.code(), log)
}

fn page(t: &SiteTest, slug: &str) -> String {
    std::fs::read_to_string(t.root().join(format!("content/customers/{slug}.md"))).unwrap()
}

#[test]
fn update_changes_only_the_sheets_fields_and_keeps_the_rest_byte_for_byte() {
    let t = update_site();
    let csv = "客户名称,阶段,关系类型,金额,竞争对手,下次拜访\n华东精密,成交,合作伙伴关系,120万,rival,2026/12/01\n";
    let (code, log) = run_update(&t, csv, &[]);
    assert_eq!(code, Some(0), "{log}");
    assert_eq!(
        page(&t, "huadong"),
        HUADONG
            .replace("stage: quote   #", "stage: won   #")
            .replace("tier: basic\n", "tier: partner\n")
            .replace("value: 1000000   #", "value: 1200000   #")
            .replace("---\n\n## 拜访策略", "next_visit: 2026-12-01\n---\n\n## 拜访策略")
    );
    assert!(
        log.contains(
            "updated content/customers/huadong.md (row 2, by title): stage: quote → won; tier: basic → partner; \
             value: 1000000 → 1200000; next_visit: (none) → 2026-12-01"
        ),
        "{log}"
    );
    assert!(log.contains("updated 1 customer pages; 0 unchanged"), "{log}");
    assert_eq!(
        page(&t, "nanfang"),
        "---\ntitle: 南方电子有限公司\naliases: [南方电子]\nstage: lead\n---\n南方的正文\n"
    );
    assert_eq!(t.run(&["check"]).status.code(), Some(0));
    // The same sheet again changes nothing.
    let (code, log) = run_update(&t, csv, &[]);
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("updated 0 customer pages; 1 unchanged"), "{log}");
}

#[test]
fn update_matches_by_title_then_by_alias_and_adds_new_pages() {
    let t = update_site();
    let csv = "slug,客户名称,负责人\nnot-a-page,华东精密,李娜\n,南方电子,王芳\n,新客户,赵六\n";
    let (code, log) = run_update(&t, csv, &[]);
    assert_eq!(code, Some(0), "{log}");
    assert_eq!(page(&t, "huadong"), HUADONG.replace("owner: 张伟", "owner: 李娜"));
    assert_eq!(
        page(&t, "nanfang"),
        "---\ntitle: 南方电子\naliases: [南方电子]\nstage: lead\nowner: 王芳\n---\n南方的正文\n"
    );
    assert!(
        log.contains("content/customers/huadong.md (row 2, by title): owner: 张伟 → 李娜"),
        "{log}"
    );
    assert!(
        log.contains(
            "content/customers/nanfang.md (row 3, by alias): title: 南方电子有限公司 → 南方电子; owner: (none) → 王芳"
        ),
        "{log}"
    );
    assert!(page(&t, "新客户").starts_with("---\ntitle: 新客户\nowner: 赵六\n"));
}

#[test]
fn update_refuses_a_row_that_matches_two_pages_and_writes_nothing() {
    let t = update_site();
    t.write(
        "content/customers/huadong-2.md",
        "---\ntitle: 华东精密\nstage: lead\n---\n",
    );
    let csv = "客户名称,阶段\n南方电子有限公司,报价\n华东精密,成交\n";
    let (code, log) = run_update(&t, csv, &[]);
    assert_eq!(code, Some(1), "{log}");
    assert!(
        log.contains(
            "error: 周报.csv, row 3: matches two pages by title: content/customers/huadong-2.md and \
             content/customers/huadong.md; add a `slug` column naming the one to update"
        ) || log.contains(
            "error: 周报.csv, row 3: matches two pages by title: content/customers/huadong.md and \
             content/customers/huadong-2.md; add a `slug` column naming the one to update"
        ),
        "{log}"
    );
    assert_eq!(page(&t, "huadong"), HUADONG);
    assert!(
        page(&t, "nanfang").contains("stage: lead"),
        "the good row is not written either"
    );
}

#[test]
fn update_with_any_row_error_or_dry_run_writes_nothing() {
    let t = update_site();
    let csv = "客户名称,阶段,金额\n华东精密,成交,\n南方电子有限公司,报介,很多\n";
    let (code, log) = run_update(&t, csv, &[]);
    assert_eq!(code, Some(1), "{log}");
    assert!(log.contains("row 3, column B (阶段): unknown stage \"报介\""), "{log}");
    assert!(
        log.contains("row 3, column C (金额): \"很多\" is not an amount"),
        "{log}"
    );
    assert_eq!(page(&t, "huadong"), HUADONG);
    // A dry run shows what would change, and changes nothing.
    let csv = "客户名称,阶段\n华东精密,成交\n";
    let (code, log) = run_update(&t, csv, &["--dry-run"]);
    assert_eq!(code, Some(0), "{log}");
    assert!(
        log.contains("would update content/customers/huadong.md (row 2, by title): stage: quote → won"),
        "{log}"
    );
    assert!(log.contains("would update 1 customer pages; 0 unchanged"), "{log}");
    assert_eq!(page(&t, "huadong"), HUADONG);
    let leftovers: Vec<_> = std::fs::read_dir(t.root().join("content/customers"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");
}

#[test]
fn update_keeps_a_windows_files_line_breaks() {
    let t = update_site();
    let crlf = HUADONG.replace('\n', "\r\n");
    t.write("content/customers/huadong.md", &crlf);
    let (code, log) = run_update(&t, "title,owner\n华东精密,李娜\n", &[]);
    assert_eq!(code, Some(0), "{log}");
    assert_eq!(page(&t, "huadong"), crlf.replace("owner: 张伟", "owner: 李娜"));
}

#[test]
fn update_matches_by_slug_first() {
    let t = update_site();
    // The slug names one page, the title another's alias: the slug decides.
    let (code, log) = run_update(&t, "slug,title,stage\nhuadong,南方电子,lead\n", &[]);
    assert_eq!(code, Some(0), "{log}");
    assert!(
        log.contains("content/customers/huadong.md (row 2, by slug): title: 华东精密 → 南方电子; stage: quote → lead"),
        "{log}"
    );
    assert_eq!(
        page(&t, "huadong"),
        HUADONG
            .replace("title: 华东精密", "title: 南方电子")
            .replace("stage: quote ", "stage: lead ")
    );
    assert!(page(&t, "nanfang").starts_with("---\ntitle: 南方电子有限公司\n"));
}

#[test]
fn update_keeps_the_contact_fields_a_cell_does_not_hold() {
    let t = update_site();
    t.write(
        "content/customers/nanfang.md",
        "---\ntitle: 南方电子有限公司\nstage: lead\ncontacts:\n  - name: 李\n    role: user\n    wechat: li_2026\n    since: 2019\n    phone: +8613800000000\n  - name: 走了的人\n---\n正文\n",
    );
    let (code, log) = run_update(
        &t,
        "客户名称,联系人\n南方电子有限公司,李||决策人||+8613800000000|约会; 新人\n",
        &[],
    );
    assert_eq!(code, Some(0), "{log}");
    assert_eq!(
        page(&t, "nanfang"),
        "---\ntitle: 南方电子有限公司\nstage: lead\ncontacts: [{name: 李, role: decision-maker, phone: \"+8613800000000\", relationship: dating, since: 2019, wechat: li_2026}, {name: 新人}]\n---\n正文\n"
    );
    assert!(
        log.contains("contacts: 2 contacts (李, 走了的人) → 2 contacts (李, 新人)"),
        "{log}"
    );
    assert_eq!(t.run(&["check"]).status.code(), Some(0));
}

#[test]
fn update_refuses_two_rows_for_one_page_and_follows_a_link() {
    let t = update_site();
    // A title that is a page's slug matches it by slug: two rows for one page.
    let (code, log) = run_update(&t, "title,owner\n华东精密,李\n,\nhuadong,赵\n", &[]);
    assert_eq!(code, Some(1), "{log}");
    assert!(
        log.contains("row 4: row 2 updates content/customers/huadong.md too"),
        "{log}"
    );
    let (code, log) = run_update(&t, "title,owner\n华东精密,李\n", &[]);
    assert_eq!(code, Some(0), "{log}");
    let (code, log) = run_update(&t, "slug,title,owner\n,华东精密,李\nhuadong,华东,赵\n", &[]);
    assert_eq!(code, Some(1), "{log}");
    assert!(
        log.contains(
            "error: 周报.csv, row 3: row 2 updates content/customers/huadong.md too; keep one of the two rows"
        ),
        "{log}"
    );
    assert!(
        page(&t, "huadong").contains("owner: 李\n"),
        "the first run's update only"
    );
    #[cfg(unix)]
    {
        std::fs::create_dir_all(t.root().join("content/linked")).unwrap();
        std::fs::rename(
            t.root().join("content/customers/nanfang.md"),
            t.root().join("content/linked/nanfang.md"),
        )
        .unwrap();
        std::os::unix::fs::symlink("../linked/nanfang.md", t.root().join("content/customers/nanfang.md")).unwrap();
        let (code, log) = run_update(&t, "title,owner\n南方电子,王\n", &[]);
        assert_eq!(code, Some(0), "{log}");
        assert!(t.root().join("content/customers/nanfang.md").is_symlink());
        let shared = std::fs::read_to_string(t.root().join("content/linked/nanfang.md")).unwrap();
        assert!(shared.contains("owner: 王\n"), "{shared}");
    }
}
