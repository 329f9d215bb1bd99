//! The output folder is always one complete build: a build killed at any moment leaves the
//! previous output as it was; a finished one replaces it whole.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::helper::SiteTest;

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() != salesbook::write::MANIFEST)
        .map(|e| (salesbook::load::rel(dir, e.path()), std::fs::read(e.path()).unwrap()))
        .collect()
}

fn site(t: &SiteTest, word: &str) {
    let body = format!("{word} 客户目前有三条产线，设备平均使用年限超过八年。\n\n").repeat(40);
    for i in 0..1500 {
        t.write(
            &format!("content/customers/c{i:04}.md"),
            &format!(
                "---\ntitle: 客户{i:04}\nstage: lead\nvalue: {}\n---\n\n## 情况\n\n{body}",
                1000 + i
            ),
        );
    }
}

#[test]
fn a_killed_build_leaves_the_previous_output_complete() {
    let t = SiteTest::with_files(&[("salesbook.yaml", "today: 2026-11-23\n")]);
    site(&t, "第一版");
    let bin = env!("CARGO_BIN_EXE_salesbook");
    let run = || {
        Command::new(bin)
            .args(["build", "--root"])
            .arg(t.root())
            .output()
            .unwrap()
    };
    assert!(run().status.success());
    let out = t.root().join("public");
    let first = tree(&out);
    assert!(first.len() > 1500);
    site(&t, "第二版");
    // With the output folder's page token, as the binary's build into it has.
    let second: BTreeMap<String, Vec<u8>> = salesbook::build::Builder::new(t.options())
        .page_token(salesbook::render::token::for_output(&out))
        .build()
        .files
        .iter()
        .map(|f| (f.path.to_string(), f.bytes.to_vec()))
        .collect();
    let mut killed_mid_way = 0;
    for delay in [5, 20, 40, 80, 120, 200, 300, 450] {
        let mut child = Command::new(bin)
            .args(["build", "--root"])
            .arg(t.root())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let finished = child.try_wait().unwrap().is_some();
        let _ = child.kill();
        let _ = child.wait();
        let now = tree(&out);
        if now != first && now != second {
            let diff: Vec<&String> = now
                .keys()
                .chain(second.keys())
                .filter(|k| now.get(*k) != second.get(*k) && now.get(*k) != first.get(*k))
                .take(5)
                .collect();
            panic!("after a kill at {delay} ms the output is neither the old build nor the new one: {diff:?}");
        }
        if !finished && now == first {
            killed_mid_way += 1;
        }
        if now == second {
            break;
        }
    }
    assert!(
        killed_mid_way > 0,
        "no build was killed before it finished: the test proved nothing"
    );
    assert!(run().status.success());
    let now = tree(&out);
    let diff: Vec<&String> = now
        .keys()
        .chain(second.keys())
        .filter(|k| now.get(*k) != second.get(*k))
        .take(5)
        .collect();
    assert!(
        diff.is_empty(),
        "a finished build replaces the output whole; these differ: {diff:?}"
    );
}

#[test]
fn files_of_others_survive_and_the_site_cannot_be_the_output() {
    let t = SiteTest::fixture("builder/basic");
    t.build_ok();
    std::fs::write(t.root().join("public/CNAME"), "sales.example.com").unwrap();
    t.build_ok();
    t.build_ok();
    assert_eq!(
        std::fs::read_to_string(t.root().join("public/CNAME")).unwrap(),
        "sales.example.com"
    );
    for out in [".", "..", "content/out"] {
        let o = t.run(&["build", "--out", out]);
        assert_eq!(o.status.code(), Some(2), "--out {out}");
    }
    assert!(t.root().join("content/customers/alpha.md").exists());
}

#[test]
fn a_rebuild_renders_and_writes_only_what_changed() {
    let t = SiteTest::fixture("builder/basic");
    let build = |args: &[&str]| {
        let o = t.run(args);
        let log = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(o.status.success(), "{log}");
        log
    };
    let first = build(&["build"]);
    assert!(first.contains(" 0 unchanged"), "{first}");
    let alpha = t.root().join("content/customers/alpha.md");
    let mut text = std::fs::read_to_string(&alpha).unwrap();
    // Twice: once with no staging folder yet, once with the build before last in it.
    for line in ["\n第一次修改。\n", "\n第二次修改。\n"] {
        text.push_str(line);
        std::fs::write(&alpha, &text).unwrap();
        let log = build(&["build"]);
        // The page, and the search index's one shard, which holds its new words.
        assert!(log.contains("(1 rendered, 2 files written,"), "{log}");
        assert!(t.read("search/t/0.js").contains(&format!("\"{}\"", &line.trim()[..6])));
        assert!(t.read("customers/alpha/index.html").contains(line.trim()));
    }
    // Nothing changed: nothing renders.
    let log = build(&["build"]);
    assert!(log.contains("(0 rendered, 0 files written,"), "{log}");
    // A page file deleted from the output by hand comes back.
    std::fs::remove_file(t.root().join("public/customers/beta/index.html")).unwrap();
    build(&["build"]);
    // Another build option renders everything again.
    let log = build(&["build", "--drafts"]);
    assert!(!log.contains("(0 rendered"), "{log}");
    build(&["build"]);
    // The output is what a clean build makes.
    let clean = t.root().join("clean");
    build(&["build", "--out", clean.to_str().unwrap()]);
    // Each output folder has a page token of its own (see `render::token`).
    let untokened = |dir: &Path| -> BTreeMap<String, Vec<u8>> {
        let token = std::fs::read_to_string(dir.join(salesbook::render::token::TOKEN_FILE)).unwrap();
        tree(dir)
            .into_iter()
            .map(|(p, b)| {
                (
                    p,
                    String::from_utf8_lossy(&b).replace(token.trim(), "TOKEN").into_bytes(),
                )
            })
            .collect()
    };
    assert!(untokened(&t.root().join("public")) == untokened(&clean));
}
