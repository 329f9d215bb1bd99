//! The output folder is always one complete build: a build killed at any moment leaves the
//! previous output as it was; a finished one replaces it whole.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::helper::SiteTest;

/// The files of an output folder, with its page token (its own in every folder, see
/// `render::token`) written as `TOKEN`, so that two folders' builds compare.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let token = std::fs::read_to_string(dir.join(salesbook::render::token::TOKEN_FILE)).unwrap_or_default();
    let token = token.trim();
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() != salesbook::write::MANIFEST)
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            let bytes = match std::str::from_utf8(&bytes) {
                Ok(text) if !token.is_empty() && text.contains(token) => text.replace(token, "TOKEN").into_bytes(),
                _ => bytes,
            };
            (salesbook::load::rel(dir, e.path()), bytes)
        })
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
    // With the output folder's page token, as the binary's build into it has, written as
    // `tree` writes it.
    let built = salesbook::write::built_mode(&out);
    let token = salesbook::render::token::for_output(&out, built.as_deref(), "internal");
    let second: BTreeMap<String, Vec<u8>> = salesbook::build::Builder::new(t.options())
        .page_token(token.clone())
        .build()
        .files
        .iter()
        .map(|f| {
            let text = String::from_utf8_lossy(&f.bytes).replace(token.trim(), "TOKEN");
            (f.path.to_string(), text.into_bytes())
        })
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

/// Every file of the output whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    tree(dir)
        .into_iter()
        .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains(needle))
        .map(|(path, _)| path)
        .collect()
}

fn ok(o: &std::process::Output) -> String {
    let log = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{log}");
    log
}

#[test]
fn a_failed_internal_build_leaves_nothing_for_the_next_public_build() {
    // A template that fails for one page, at render time: the other pages, the confidential
    // one among them, have already gone to the staging folder when the build fails.
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "today: 2026-11-23\n"),
        (
            "content/customers/secret.md",
            "---\ntitle: 绝密客户丙\nstage: lead\nconfidential: true\n---\n\n绝密正文。\n",
        ),
        ("content/customers/open.md", "---\ntitle: 公开客户\nstage: lead\n---\n"),
        ("content/notes/boom.md", "---\ntitle: 爆炸\nboom: true\n---\n"),
        (
            "templates/page.html",
            "{% extends \"base.html\" %}{% block main %}{% if page.extra.boom %}{{ page.no.such.field }}{% endif %}{{ page.title }}{% endblock main %}",
        ),
    ]);
    let failed = t.run(&["build"]);
    assert_eq!(
        failed.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&failed.stderr)
    );
    t.write("content/notes/boom.md", "---\ntitle: 爆炸\n---\n");
    ok(&t.run(&["build", "--public"]));
    let out = t.root().join("public");
    assert!(out.join("customers/open/index.html").exists());
    assert_eq!(files_containing(&out, "绝密"), Vec::<String>::new());
    // The same with a previous public output in place, and again after an internal build.
    t.write("content/notes/boom.md", "---\ntitle: 爆炸\nboom: true\n---\n");
    assert_eq!(t.run(&["build"]).status.code(), Some(1));
    t.write("content/notes/boom.md", "---\ntitle: 爆炸\n---\n");
    ok(&t.run(&["build", "--public"]));
    assert_eq!(files_containing(&out, "绝密"), Vec::<String>::new());
    ok(&t.run(&["build"]));
    assert!(!files_containing(&out, "绝密").is_empty(), "the internal build has it");
    ok(&t.run(&["build", "--public"]));
    ok(&t.run(&["build", "--public"]));
    assert_eq!(files_containing(&out, "绝密"), Vec::<String>::new());
}

#[test]
fn what_an_interrupted_build_left_in_staging_is_never_published() {
    let t = SiteTest::fixture("builder/basic");
    ok(&t.run(&["build"]));
    ok(&t.run(&["build"]));
    let out = t.root().join("public");
    let staging = salesbook::write::staging_dir(&out);
    let clean = t.root().join("clean");
    ok(&t.run(&["build", "--out", clean.to_str().unwrap()]));
    let mut expected = tree(&clean);
    // A file of the team's in the output, and an older copy of it in the staging folder.
    std::fs::write(out.join("CNAME"), "sales.example.com").unwrap();
    expected.insert("CNAME".into(), b"sales.example.com".to_vec());
    // A killed build: its manifest gone, a page of its own, a page cut half-way, a
    // temporary file. Then a staging folder whose manifest is intact but holds a stray page.
    for keep_manifest in [false, true] {
        if !keep_manifest {
            std::fs::remove_file(staging.join(salesbook::write::MANIFEST)).unwrap();
        }
        t.write(".public.salesbook-next/customers/stray/index.html", "<p>半个页面");
        let beta = staging.join("customers/beta/index.html");
        let bytes = std::fs::read(&beta).unwrap();
        std::fs::remove_file(&beta).unwrap();
        std::fs::write(&beta, &bytes[..bytes.len() / 2]).unwrap();
        t.write(".public.salesbook-next/customers/.x.salesbook-tmp", "tmp");
        // (Removed first: the staging folder's copy may be a hard link to the output's.)
        let _ = std::fs::remove_file(staging.join("CNAME"));
        t.write(".public.salesbook-next/CNAME", "old.example.com");
        ok(&t.run(&["build"]));
        let now = tree(&out);
        let diff: Vec<_> = now
            .keys()
            .chain(expected.keys())
            .filter(|k| now.get(*k) != expected.get(*k))
            .collect();
        assert!(diff.is_empty(), "keep_manifest: {keep_manifest}: {diff:?}");
        ok(&t.run(&["build"]));
        assert!(
            tree(&out) == expected,
            "keep_manifest: {keep_manifest}, one build later"
        );
    }
}

#[test]
fn a_second_build_of_one_output_is_refused_and_a_dead_builds_lock_blocks_nothing() {
    let t = SiteTest::fixture("builder/basic");
    let out = t.root().join("public");
    let held = salesbook::write::Staging::new(&out, "internal").unwrap();
    let o = t.run(&["build"]);
    let log = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{log}");
    let expected = format!(
        "another salesbook build is writing {} (pid {}); wait for it",
        Path::new(".").join("public").display(),
        std::process::id()
    );
    assert!(log.contains(&expected), "{log}");
    assert!(!out.exists(), "nothing written");
    // The lock file stays, with this process's id in it, as after a killed build.
    drop(held);
    assert!(salesbook::write::lock_file(&out).exists());
    ok(&t.run(&["build"]));
    // Builds started together: each one runs whole or is refused, and the output is right.
    let clean = t.root().join("clean");
    ok(&t.run(&["build", "--out", clean.to_str().unwrap()]));
    t.write(
        "content/notes/plan.md",
        "---\ntitle: 计划\n---\n\n新计划见 [[alpha]]。\n",
    );
    ok(&t.run(&["build", "--out", clean.to_str().unwrap()]));
    let bin = env!("CARGO_BIN_EXE_salesbook");
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(bin)
                .arg("build")
                .current_dir(t.root())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let o = child.wait_with_output().unwrap();
        let log = String::from_utf8_lossy(&o.stderr);
        assert!(
            o.status.success() || (o.status.code() == Some(2) && log.contains("another salesbook build")),
            "{log}"
        );
    }
    ok(&t.run(&["build"]));
    assert!(tree(&out) == tree(&clean));
}

#[test]
fn a_manifest_that_does_not_match_the_files_is_not_trusted() {
    // Two builds writing one output at once could leave one build's manifest beside the
    // other's files: then pages were taken as up to date for ever.
    let t = SiteTest::fixture("builder/basic");
    let out = t.root().join("public");
    let manifest = out.join(salesbook::write::MANIFEST);
    ok(&t.run(&["build"]));
    let first = std::fs::read(&manifest).unwrap();
    let plan = std::fs::read_to_string(t.root().join("content/notes/plan.md")).unwrap();
    t.write("content/notes/plan.md", &plan.replace("计划见", "新计划见"));
    ok(&t.run(&["build"]));
    // The first build's manifest beside the second build's files, and no staging folder to
    // fall back on (cleaned up by hand).
    std::fs::write(&manifest, &first).unwrap();
    let staging = salesbook::write::staging_dir(&out);
    std::fs::remove_dir_all(&staging).unwrap();
    t.write("content/notes/plan.md", &plan);
    ok(&t.run(&["build"]));
    assert!(!t.read("notes/plan/index.html").contains("新计划见"));
    ok(&t.run(&["build"]));
    assert!(!t.read("notes/plan/index.html").contains("新计划见"));
    // A manifest cut short vouches for nothing.
    t.write("content/notes/plan.md", &plan.replace("计划见", "新计划见"));
    ok(&t.run(&["build"]));
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, &text[..text.len() / 2]).unwrap();
    std::fs::remove_dir_all(&staging).unwrap();
    t.write("content/notes/plan.md", &plan);
    ok(&t.run(&["build"]));
    assert!(!t.read("notes/plan/index.html").contains("新计划见"));
}

#[test]
fn generated_files_deleted_or_edited_in_the_output_are_written_again() {
    let t = SiteTest::fixture("builder/basic");
    ok(&t.run(&["build"]));
    ok(&t.run(&["build"]));
    let out = t.root().join("public");
    let expected = tree(&out);
    std::fs::remove_file(out.join("customers/beta/index.html")).unwrap();
    // Edited in place (the file is shared with the staging folder by a hard link).
    let alpha = out.join("customers/alpha/index.html");
    let mut bytes = std::fs::read(&alpha).unwrap();
    bytes.extend_from_slice(b"<!-- edited -->");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&alpha)
        .unwrap()
        .write_all(&bytes)
        .unwrap();
    let log = ok(&t.run(&["build"]));
    assert!(log.contains("2 files written"), "{log}");
    assert!(tree(&out) == expected);
    ok(&t.run(&["build"]));
    assert!(tree(&out) == expected);
}

#[test]
fn the_writer_refuses_paths_that_leave_the_output() {
    let t = SiteTest::with_files(&[]);
    let abs = t.root().join("abs.html");
    for bad in [
        "../escape.html",
        "a/../../escape.html",
        "../../escape.html",
        "./../escape.html",
        abs.to_str().unwrap(),
        ".salesbook-manifest",
    ] {
        let out = t.root().join("site/public");
        let files = [
            salesbook::render::OutputFile::new("index.html", "ok"),
            salesbook::render::OutputFile::new(bad, "outside"),
        ];
        let e = salesbook::write::write_output(&out, &files).unwrap_err();
        let why = if bad.contains(".salesbook-") {
            "a name of salesbook's own files"
        } else {
            "leaves the output folder"
        };
        assert!(e.to_string().contains(why), "{bad}: {e}");
        assert!(!out.exists(), "{bad}: nothing is published");
        let outside: Vec<_> = walkdir::WalkDir::new(t.root())
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("escape") || e.path() == abs)
            .map(|e| e.into_path())
            .collect();
        assert!(outside.is_empty(), "{bad}: {outside:?}");
    }
}

#[test]
fn a_stage_id_that_climbs_out_writes_nothing_outside_the_output() {
    let t = SiteTest::with_files(&[
        (
            "salesbook.yaml",
            "today: 2026-11-23\nstages:\n  - {id: \"../../x\", label: X, probability: 0.5}\n  - {id: lead, label: L, probability: 0.2}\n",
        ),
        ("content/customers/a.md", "---\ntitle: 甲\nstage: \"../../x\"\n---\n"),
    ]);
    let before: Vec<_> = walkdir::WalkDir::new(t.root().parent().unwrap())
        .max_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .collect();
    let o = t.run(&["build", "--out", "deep/out"]);
    let log = String::from_utf8_lossy(&o.stderr);
    let out = t.root().join("deep/out");
    let ours = [salesbook::write::staging_dir(&out), salesbook::write::lock_file(&out)];
    let made: Vec<_> = walkdir::WalkDir::new(t.root())
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| !p.starts_with(t.root().join("content")) && !p.starts_with(&out))
        .filter(|p| !ours.iter().any(|o| p.starts_with(o)) && p.is_file())
        .filter(|p| p.file_name().is_some_and(|n| n != "salesbook.yaml"))
        .collect();
    assert!(made.is_empty(), "{made:?}\n{log}");
    let after: Vec<_> = walkdir::WalkDir::new(t.root().parent().unwrap())
        .max_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| !before.contains(p))
        .collect();
    assert!(
        after
            .iter()
            .all(|p| !p.join("index.html").exists() && !p.ends_with("x")),
        "{after:?}"
    );
    assert!(!o.status.success(), "{log}");
}

#[cfg(unix)]
#[test]
fn links_put_in_the_output_survive_every_build_and_no_page_is_written_through_one() {
    let t = SiteTest::fixture("builder/basic");
    ok(&t.run(&["build"]));
    let out = t.root().join("public");
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("report.pdf"), "pdf").unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), out.join("attachments")).unwrap();
    std::os::unix::fs::symlink("robots.txt", out.join("robots-link.txt")).unwrap();
    std::fs::create_dir_all(out.join("extra")).unwrap();
    std::os::unix::fs::symlink("../404.html", out.join("extra/missing.html")).unwrap();
    // A link where the build writes pages: the pages must not follow it out.
    let trap = tempfile::tempdir().unwrap();
    std::fs::remove_dir_all(out.join("notes")).unwrap();
    std::os::unix::fs::symlink(trap.path(), out.join("notes")).unwrap();
    for _ in 0..3 {
        ok(&t.run(&["build"]));
        assert_eq!(std::fs::read_link(out.join("attachments")).unwrap(), elsewhere.path());
        assert_eq!(
            std::fs::read_to_string(out.join("attachments/report.pdf")).unwrap(),
            "pdf"
        );
        assert_eq!(
            std::fs::read_link(out.join("robots-link.txt")).unwrap(),
            Path::new("robots.txt")
        );
        assert_eq!(
            std::fs::read_link(out.join("extra/missing.html")).unwrap(),
            Path::new("../404.html")
        );
        assert!(out.join("notes/plan/index.html").is_file());
        assert!(!out.join("notes").is_symlink());
        assert_eq!(
            std::fs::read_dir(trap.path()).unwrap().count(),
            0,
            "nothing written through a link"
        );
    }
}

/// The base site of issue 20's second pass: a public customer and a confidential one.
fn base_site() -> SiteTest {
    SiteTest::with_files(&[
        ("content/customers/pub.md", "---\ntitle: Public Co\nstage: lead\n---\n"),
        (
            "content/customers/sec.md",
            "---\ntitle: TOPSECRET Co\nstage: quote\nconfidential: true\n---\n",
        ),
        // A confidential page in a section of its own: the public build writes no folder there.
        (
            "content/deals/big.md",
            "---\ntitle: TOPSECRET deal\nconfidential: true\n---\n",
        ),
    ])
}

#[test]
fn an_earlier_builds_pages_are_not_carried_over_without_a_manifest_listing_them() {
    // The user's own files, which no build makes: kept through every build.
    let foreign = |out: &Path| {
        std::fs::write(out.join("CNAME"), "sales.example.com").unwrap();
        std::fs::create_dir_all(out.join(".well-known")).unwrap();
        std::fs::write(out.join(".well-known/security.txt"), "Contact: x").unwrap();
        std::fs::write(out.join("google1234.html"), "google-site-verification").unwrap();
    };
    let kept = |out: &Path| {
        assert_eq!(std::fs::read_to_string(out.join("CNAME")).unwrap(), "sales.example.com");
        assert!(out.join(".well-known/security.txt").is_file());
        assert!(out.join("google1234.html").is_file());
    };
    // The manifest gone, cut short, or not listing the pages (copied in from another output).
    for case in ["missing", "truncated", "copied"] {
        let t = base_site();
        let (int, out) = (t.root().join("int"), t.root().join("out"));
        ok(&t.run(&["build", "--out", "int"]));
        assert!(
            !files_containing(&int, "TOPSECRET").is_empty(),
            "the internal build has it"
        );
        match case {
            "missing" => {
                ok(&t.run(&["build", "--out", "out"]));
                std::fs::remove_file(out.join(salesbook::write::MANIFEST)).unwrap();
            }
            "truncated" => {
                ok(&t.run(&["build", "--out", "out"]));
                let m = out.join(salesbook::write::MANIFEST);
                let text = std::fs::read(&m).unwrap();
                std::fs::write(&m, &text[..text.len() / 2]).unwrap();
            }
            _ => {
                ok(&t.run(&["build", "--public", "--out", "out"]));
                let cp = Command::new("sh")
                    .arg("-c")
                    .arg("cp -a int/* out/")
                    .current_dir(t.root())
                    .status()
                    .unwrap();
                assert!(cp.success());
            }
        }
        foreign(&out);
        let log = ok(&t.run(&["build", "--public", "--out", "out"]));
        assert_eq!(
            files_containing(&out, "TOPSECRET"),
            Vec::<String>::new(),
            "{case}: {log}"
        );
        assert!(!out.join("customers/sec").exists(), "{case}");
        assert!(!out.join("deals").exists(), "{case}");
        if case != "truncated" {
            // (A damaged manifest's paths are the build's anyway, and removed without a word.)
            assert!(
                log.contains("customers/sec/index.html"),
                "{case}: the warning names it: {log}"
            );
        }
        kept(&out);
        ok(&t.run(&["build", "--public", "--out", "out"]));
        assert_eq!(files_containing(&out, "TOPSECRET"), Vec::<String>::new(), "{case}");
        kept(&out);
    }
}

#[test]
fn a_folder_or_link_where_a_generated_file_goes_does_not_stop_later_builds() {
    let t = base_site();
    let out = t.root().join("r");
    ok(&t.run(&["build", "--public", "--out", "r"]));
    std::fs::remove_file(out.join("funnel.json")).unwrap();
    std::fs::create_dir(out.join("funnel.json")).unwrap();
    std::fs::write(out.join("funnel.json/x"), "x").unwrap();
    ok(&t.run(&["build", "--public", "--out", "r"]));
    assert!(out.join("funnel.json").is_file());
    // Left in the staging folder (the build before last), a folder and a file where a folder goes.
    let staging = salesbook::write::staging_dir(&out);
    let gone = staging.join("funnel.json");
    std::fs::remove_file(&gone)
        .or_else(|_| std::fs::remove_dir_all(&gone))
        .unwrap();
    std::fs::create_dir(staging.join("funnel.json")).unwrap();
    std::fs::remove_dir_all(staging.join("customers")).unwrap();
    std::fs::write(staging.join("customers"), "not a folder").unwrap();
    ok(&t.run(&["build", "--public", "--out", "r"]));
    ok(&t.run(&["build", "--public", "--out", "r"]));
    assert!(out.join("funnel.json").is_file());
    assert!(out.join("customers/pub/index.html").is_file());
}

#[test]
fn the_page_token_changes_when_the_build_mode_does() {
    let t = base_site();
    let token = || std::fs::read_to_string(t.root().join("public").join(salesbook::render::token::TOKEN_FILE)).unwrap();
    ok(&t.run(&["build"]));
    let internal = token();
    ok(&t.run(&["build"]));
    assert_eq!(token(), internal, "kept between builds of one mode");
    ok(&t.run(&["build", "--public"]));
    let public = token();
    assert_ne!(public, internal);
    ok(&t.run(&["build", "--public"]));
    assert_eq!(token(), public);
    ok(&t.run(&["build"]));
    assert_ne!(token(), internal);
    assert_ne!(token(), public);
}

#[cfg(unix)]
#[test]
fn the_lock_file_is_never_written_through_a_link() {
    let t = base_site();
    let elsewhere = tempfile::tempdir().unwrap();
    let precious = elsewhere.path().join("precious.txt");
    std::fs::write(&precious, "precious\n").unwrap();
    let lock = salesbook::write::lock_file(&t.root().join("public"));
    std::os::unix::fs::symlink(&precious, &lock).unwrap();
    let o = t.run(&["build", "--public"]);
    let log = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{log}");
    assert!(log.contains("a symbolic link, a folder"), "{log}");
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "precious\n");
    assert!(!t.root().join("public").exists());
    // A dangling link: its target is not made.
    std::fs::remove_file(&lock).unwrap();
    let gone = elsewhere.path().join("made.txt");
    std::os::unix::fs::symlink(&gone, &lock).unwrap();
    assert_eq!(t.run(&["build", "--public"]).status.code(), Some(2));
    assert!(!gone.exists());
    // A link under the staging folder's name: the link goes, what it points to stays.
    std::fs::remove_file(&lock).unwrap();
    let kept = elsewhere.path().join("kept");
    std::fs::create_dir(&kept).unwrap();
    std::fs::write(kept.join("f"), "f").unwrap();
    std::os::unix::fs::symlink(&kept, salesbook::write::staging_dir(&t.root().join("public"))).unwrap();
    ok(&t.run(&["build", "--public"]));
    assert_eq!(std::fs::read_dir(&kept).unwrap().count(), 1);
    ok(&t.run(&["build", "--public"]));
    assert_eq!(std::fs::read_dir(&kept).unwrap().count(), 1);
    assert_eq!(std::fs::read_to_string(kept.join("f")).unwrap(), "f");
    // The page token and the manifest, links in the output, are read and written as files of
    // their own, never through the link.
    let out = t.root().join("public");
    let token_target = elsewhere.path().join("token");
    std::fs::write(&token_target, "0123456789abcdef0123456789abcdef\n").unwrap();
    std::fs::remove_file(out.join(salesbook::render::token::TOKEN_FILE)).unwrap();
    std::os::unix::fs::symlink(&token_target, out.join(salesbook::render::token::TOKEN_FILE)).unwrap();
    ok(&t.run(&["build", "--public"]));
    assert_eq!(
        std::fs::read_to_string(&token_target).unwrap(),
        "0123456789abcdef0123456789abcdef\n"
    );
    assert!(!out.join(salesbook::render::token::TOKEN_FILE).is_symlink());
    // Not taken as this folder's token either (read as bytes: `tree` hides the token).
    let token = std::fs::read_to_string(out.join(salesbook::render::token::TOKEN_FILE)).unwrap();
    assert_ne!(token.trim(), "0123456789abcdef0123456789abcdef");
    let page = std::fs::read_to_string(out.join("customers/pub/index.html")).unwrap();
    assert!(!page.contains("0123456789abcdef0123456789abcdef"));
}

/// An internal build holds confidential data: every page says `noindex` and `robots.txt`
/// disallows all, the site's own robots.txt giving way with a warning. A `--public` build, or
/// `allow_indexing: true`, leaves search engines free and copies the site's robots.txt.
#[test]
fn internal_builds_keep_search_engines_out() {
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "title: t\ntoday: 2026-11-23\n"),
        ("content/customers/a.md", "---\ntitle: A\nstage: lead\n---\nbody\n"),
        ("static/robots.txt", "User-agent: *\nAllow: /\n"),
    ]);
    let html_pages = |out: &Path| {
        walkdir::WalkDir::new(out)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .collect::<Vec<_>>()
    };
    const META: &str = r#"<meta name="robots" content="noindex">"#;

    let internal = t.run(&["build", "--out", "internal"]);
    assert!(internal.status.success(), "{internal:?}");
    let stderr = String::from_utf8_lossy(&internal.stderr);
    assert!(
        stderr.contains("static/robots.txt") && stderr.contains("allow_indexing"),
        "{stderr}"
    );
    let out = t.root().join("internal");
    assert_eq!(
        std::fs::read_to_string(out.join("robots.txt")).unwrap(),
        "User-agent: *\nDisallow: /\n"
    );
    let pages = html_pages(&out);
    assert!(pages.len() > 10, "{}", pages.len());
    assert!(
        pages.iter().all(|p| p.contains(META)),
        "every internal page says noindex"
    );

    let public = t.run(&["build", "--public", "--out", "public-site"]);
    assert!(public.status.success(), "{public:?}");
    assert!(!String::from_utf8_lossy(&public.stderr).contains("robots.txt"));
    let out = t.root().join("public-site");
    assert_eq!(
        std::fs::read_to_string(out.join("robots.txt")).unwrap(),
        "User-agent: *\nAllow: /\n"
    );
    assert!(html_pages(&out).iter().all(|p| !p.contains(META)));

    t.write("salesbook.yaml", "title: t\ntoday: 2026-11-23\nallow_indexing: true\n");
    let open = t.run(&["build", "--out", "open"]);
    assert!(open.status.success(), "{open:?}");
    let out = t.root().join("open");
    assert_eq!(
        std::fs::read_to_string(out.join("robots.txt")).unwrap(),
        "User-agent: *\nAllow: /\n"
    );
    assert!(html_pages(&out).iter().all(|p| !p.contains(META)));
}

#[cfg(unix)]
#[test]
fn files_behind_a_link_in_the_staging_folder_are_not_taken_as_the_build_before_last() {
    // A link to the output's own folder, put in the staging folder where the build before
    // last wrote `customers/`: the files behind it are the same files (hard links), of the
    // size and time its manifest records. Vouched for through the link, they were kept; the
    // link was then removed as a stray, and the output went out without a customer page.
    let t = base_site();
    ok(&t.run(&["build"]));
    ok(&t.run(&["build"]));
    let out = t.root().join("public");
    let expected = tree(&out);
    let staging = salesbook::write::staging_dir(&out);
    std::fs::remove_dir_all(staging.join("customers")).unwrap();
    std::os::unix::fs::symlink(out.join("customers"), staging.join("customers")).unwrap();
    ok(&t.run(&["build"]));
    assert!(out.join("customers/pub/index.html").is_file());
    assert!(!out.join("customers").is_symlink());
    assert!(tree(&out) == expected);
    ok(&t.run(&["build"]));
    assert!(tree(&out) == expected);
    assert!(out.join("customers").is_dir() && !out.join("customers").is_symlink());
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_whose_name_is_not_utf8_left_in_the_staging_folder_is_not_published() {
    // Shown (and looked for) as `bad\u{FFFD}.html`, it was never found to be removed, and
    // the staging folder went out as the output with it.
    use std::os::unix::ffi::OsStrExt as _;
    let t = base_site();
    ok(&t.run(&["build"]));
    ok(&t.run(&["build"]));
    let out = t.root().join("public");
    let expected = tree(&out);
    let staging = salesbook::write::staging_dir(&out);
    let name = std::ffi::OsStr::from_bytes(b"bad\xff.html");
    std::fs::write(staging.join(name), "<p>planted</p>").unwrap();
    std::fs::write(staging.join("customers").join(name), "<p>planted</p>").unwrap();
    ok(&t.run(&["build"]));
    assert!(!out.join(name).exists() && !out.join("customers").join(name).exists());
    assert!(tree(&out) == expected);
    ok(&t.run(&["build"]));
    assert!(tree(&out) == expected);
    assert!(files_containing(&out, "planted").is_empty());
}

#[test]
fn a_folder_nested_a_thousand_deep_in_the_output_does_not_crash_the_build() {
    // The output and staging folders were walked by recursion, one stack frame a depth (and
    // more on rayon's), so a deep enough folder aborted every build with a stack overflow.
    let t = base_site();
    ok(&t.run(&["build"]));
    let out = t.root().join("public");
    let deep: std::path::PathBuf = std::iter::once("archive")
        .chain(std::iter::repeat_n("d", 1500))
        .collect();
    std::fs::create_dir_all(out.join(&deep)).unwrap();
    std::fs::write(out.join(&deep).join("x.txt"), "mine").unwrap();
    for _ in 0..3 {
        ok(&t.run(&["build"]));
        assert_eq!(std::fs::read_to_string(out.join(&deep).join("x.txt")).unwrap(), "mine");
        assert!(out.join("customers/pub/index.html").is_file());
    }
}
