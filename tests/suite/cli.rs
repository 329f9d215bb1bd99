//! The real binary: exit codes, JSON diagnostics, a failed build leaving the output alone.

use crate::helper::SiteTest;

#[test]
fn check_json_lists_every_problem_with_exit_code_1() {
    let t = SiteTest::fixture("diagnostics/broken");
    let out = t.run(&["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = json.as_array().unwrap();
    assert_eq!(list.len(), 18);
    let first = &list[0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], "content/customers/bad-values.md");
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(3), Some(8)));
    assert_eq!(first["message"], "unknown stage \"oportunity\"");
    assert_eq!(first["help"], "did you mean \"opportunity\"?");
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let t = SiteTest::fixture("builder/basic");
    assert_eq!(t.run(&["build"]).status.code(), Some(0));
    let before = t.read("customers/alpha/index.html");
    t.write("content/customers/alpha.md", "---\ntitle: 甲方\nstage: nope\n---\n");
    let out = t.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error: unknown stage \"nope\""), "{stderr}");
    assert!(stderr.contains("--> content/customers/alpha.md:3:8"), "{stderr}");
    assert!(stderr.contains("nothing was written to"), "{stderr}");
    assert_eq!(t.read("customers/alpha/index.html"), before);
}

#[test]
fn exit_code_2_when_the_command_cannot_run() {
    let t = SiteTest::with_files(&[]);
    let out = t.run(&["build", "--root", "does-not-exist"]);
    assert_eq!(out.status.code(), Some(2));
    let out = t.run(&["check", "--today", "tomorrow"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn check_passes_on_a_good_site_and_build_reports_counts() {
    let t = SiteTest::fixture("builder/basic");
    let out = t.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = t.run(&["build", "--out", "elsewhere"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("built 9 pages"), "{stderr}");
    assert!(t.root().join("elsewhere/funnel.json").exists());
}

#[test]
fn new_writes_a_page_that_checks_clean() {
    let t = SiteTest::fixture("builder/basic");
    let out = t.run(&["new", "customer", "华东 精密"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(t.root().join("content/customers/华东-精密.md")).unwrap();
    assert!(text.starts_with("---\ntitle: \"华东 精密\"\n"), "{text}");
    for kind in ["competitor", "visit-script", "spin", "fab", "guide"] {
        let out = t.run(&["new", kind, &format!("新 {kind}")]);
        assert_eq!(out.status.code(), Some(0), "{kind}");
    }
    let out = t.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let again = t.run(&["new", "customer", "华东 精密"]);
    assert_eq!(again.status.code(), Some(2), "never overwrites");
}

#[test]
fn an_out_that_is_a_file_is_refused_and_left_alone() {
    let t = SiteTest::fixture("builder/basic");
    t.write("notes.txt", "我的笔记");
    let o = t.run(&["build", "--out", "notes.txt"]);
    let log = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{log}");
    assert!(log.contains("--out notes.txt is a file, not a folder"), "{log}");
    assert_eq!(std::fs::read_to_string(t.root().join("notes.txt")).unwrap(), "我的笔记");
    assert!(!t.root().join(".notes.txt.salesbook-next").exists());
    // And again: a later build is refused the same way, not broken.
    assert_eq!(t.run(&["build", "--out", "notes.txt"]).status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(t.root().join("notes.txt")).unwrap(), "我的笔记");
}

#[test]
fn an_out_inside_an_input_folder_or_holding_the_site_is_refused() {
    let t = SiteTest::fixture("builder/basic");
    std::fs::create_dir_all(t.root().join("templates")).unwrap();
    for (out, folder) in [
        ("static/pub", "static"),
        ("static", "static"),
        ("content", "content"),
        ("templates/out", "templates"),
        ("themes/default/static/out", "themes"),
        ("static/new/../../static/pub", "static"),
        ("salesbook.yaml/out", "salesbook.yaml"),
    ] {
        let o = t.run(&["build", "--out", out]);
        let log = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "--out {out}: {log}");
        assert!(
            log.contains(&format!("is inside the site's {folder}")),
            "--out {out}: {log}"
        );
    }
    for out in [".", "..", "content/.."] {
        let o = t.run(&["build", "--out", out]);
        let log = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "--out {out}: {log}");
        assert!(log.contains("would hold the site itself"), "--out {out}: {log}");
    }
    for out in [".public.salesbook-next", ".public.salesbook-next/x"] {
        let o = t.run(&["build", "--out", out]);
        let log = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "--out {out}: {log}");
        assert!(log.contains("inside a folder salesbook keeps"), "--out {out}: {log}");
    }
    assert_eq!(tree_of(&t.root().join("static")), vec!["robots.txt".to_owned()]);
    // Twice in a row, as the bug did: no pub/pub/… inside the site's folders.
    assert!(!t.root().join("static/pub").exists());
    assert!(!t.root().join("static/.pub.salesbook-next").exists());
    // A sibling of an input folder, with a name that starts like one, is fine.
    let o = t.run(&["build", "--out", "static-site"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
}

#[cfg(unix)]
#[test]
fn an_out_that_is_a_link_is_refused() {
    let t = SiteTest::fixture("builder/basic");
    let real = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(real.path(), t.root().join("public")).unwrap();
    let o = t.run(&["build"]);
    let log = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{log}");
    assert!(log.contains("is a symbolic link"), "{log}");
    assert!(t.root().join("public").is_symlink());
}

fn tree_of(dir: &std::path::Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| salesbook::load::rel(dir, e.path()))
        .collect()
}

#[test]
fn an_out_ending_in_dot_dot_is_the_folder_it_names_and_its_staging_stays_beside_it() {
    let t = SiteTest::fixture("builder/basic");
    let parent = tempfile::tempdir().unwrap();
    let o = parent.path().join("o");
    std::fs::create_dir_all(o.join("a")).unwrap();
    let arg = o.join("a/..");
    let run = t.run(&["build", "--out", arg.to_str().unwrap()]);
    let log = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{log}");
    assert!(o.join("customers/alpha/index.html").is_file(), "{log}");
    // Nothing of salesbook's own inside the output, and the lock and staging beside it.
    let own: Vec<String> = tree_of(&o)
        .into_iter()
        .filter(|p| {
            p.contains(".salesbook-") && !p.ends_with(".salesbook-token") && !p.ends_with(".salesbook-manifest")
        })
        .collect();
    assert_eq!(own, Vec::<String>::new());
    assert!(salesbook::write::lock_file(&o).exists());
    // The same folder named plainly, in public mode: a folder of its own, no internal build inside.
    let run = t.run(&["build", "--public", "--out", o.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let own: Vec<String> = tree_of(&o)
        .into_iter()
        .filter(|p| p.contains("salesbook-next"))
        .collect();
    assert_eq!(own, Vec::<String>::new());
    // A path with no folder name at all is refused, with nothing made and no OS error text.
    let run = t.run(&["build", "--out", "/"]);
    let log = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{log}");
    assert!(!log.contains("os error"), "{log}");
}
