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
