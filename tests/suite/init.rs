//! `salesbook init`: the starter site builds and checks with no diagnostic at all, in both
//! languages, and `init` never writes over anything.

use std::path::Path;
use std::process::{Command, Output};

/// The real binary, with a git identity of its own (as CI sets one) and no user git config.
fn salesbook(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_salesbook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "测试")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "测试")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under `dir`, relative, sorted (`.git` left out).
fn files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
        .map(|e| e.unwrap())
        .filter(|e| !e.file_type().is_dir())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    out.sort();
    out
}

/// `init`, then `build` and `check` of the new site: no error, no warning, nothing at all.
fn starter_is_clean(lang: &[&str], language_line: &str, sample: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let mut args = vec!["init", "site"];
    args.extend_from_slice(lang);
    let o = salesbook(tmp.path(), &args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("first commit"), "{}", stderr(&o));
    let config = std::fs::read_to_string(site.join("salesbook.yaml")).unwrap();
    assert!(config.lines().any(|l| l == language_line), "{config}");
    let customer = std::fs::read_to_string(site.join("content/customers/example-customer.md")).unwrap();
    assert!(customer.contains(sample), "{customer}");
    assert!(!customer.contains("{{"), "{customer}");

    let o = salesbook(&site, &["build", "--root", "."]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("error"), "{}", stderr(&o));
    assert!(site.join("public/customers/example-customer/index.html").is_file());
    let o = salesbook(&site, &["check", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "[]");
    let o = salesbook(&site, &["check", "--public"]);
    assert!(o.status.success() && !stderr(&o).contains("warning"), "{}", stderr(&o));

    // The .gitignore keeps the build's output, staging folder and lock out of git.
    let status = Command::new("git")
        .args(["status", "--porcelain", "--ignored=no"])
        .current_dir(&site)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(status.status.success());
    assert_eq!(
        String::from_utf8_lossy(&status.stdout),
        "",
        "files git would see after a build"
    );
}

#[test]
fn init_zh_builds_and_checks_with_no_diagnostics() {
    starter_is_clean(&[], "language: zh-CN", "role: coach");
}

#[test]
fn init_en_builds_and_checks_with_no_diagnostics() {
    starter_is_clean(&["--lang", "en"], "language: en", "Example customer");
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
    let o = salesbook(tmp.path(), &["init", "."]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not empty"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(files(tmp.path()), ["notes.txt"]);
    assert!(!tmp.path().join(".git").exists());
}

#[test]
fn init_force_keeps_every_existing_file_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let mine: &[(&str, &[u8])] = &[
        ("salesbook.yaml", b"title: Ours\r\nlanguage: en\r\n"),
        ("content/_index.md", b"\xEF\xBB\xBFour own text"),
        (".gitignore", b"/build/\n"),
    ];
    for (path, bytes) in mine {
        let p = tmp.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let o = salesbook(tmp.path(), &["init", ".", "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (path, bytes) in mine {
        assert_eq!(&std::fs::read(tmp.path().join(path)).unwrap(), bytes, "{path}");
        assert!(
            stderr(&o).contains(&format!("skipped ./{path}")),
            "{path}: {}",
            stderr(&o)
        );
    }
    assert!(tmp.path().join("content/customers/example-customer.md").is_file());
    assert!(tmp.path().join(".github/workflows/check.yml").is_file());
    // The folder held files of the user's: init commits none of them.
    assert!(!tmp.path().join(".git").exists());
}

#[test]
fn init_into_a_file_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("site"), "a file").unwrap();
    for args in [&["init", "site"][..], &["init", "site", "--force"]] {
        let o = salesbook(tmp.path(), args);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("site is not a folder"), "{}", stderr(&o));
        assert_eq!(std::fs::read(tmp.path().join("site")).unwrap(), b"a file");
    }
}

#[cfg(unix)]
#[test]
fn init_never_writes_through_a_symbolic_link() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("secret.yaml"), "keep").unwrap();
    let site = tmp.path().join("site");
    std::fs::create_dir(&site).unwrap();
    // A link at a starter file's name is kept, and its target untouched.
    std::os::unix::fs::symlink(outside.join("secret.yaml"), site.join("salesbook.yaml")).unwrap();
    let o = salesbook(tmp.path(), &["init", "site", "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("skipped site/salesbook.yaml"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(outside.join("secret.yaml")).unwrap(), "keep");

    // A folder linked out of the site is never written into, and nothing is written at all.
    let site2 = tmp.path().join("site2");
    std::fs::create_dir_all(site2.join("content")).unwrap();
    std::os::unix::fs::symlink(&outside, site2.join("content/customers")).unwrap();
    let o = salesbook(tmp.path(), &["init", "site2", "--force"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("content/customers is a symbolic link to a place outside the site folder"),
        "{}",
        stderr(&o)
    );
    assert_eq!(files(&outside), ["secret.yaml"]);
    assert_eq!(files(&site2), ["content/customers"]);
}

#[test]
fn the_starter_workflow_parses_and_checks_the_whole_history() {
    let tmp = tempfile::tempdir().unwrap();
    let o = salesbook(tmp.path(), &["init", "site", "--no-git"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!tmp.path().join("site/.git").exists());
    let text = std::fs::read_to_string(tmp.path().join("site/.github/workflows/check.yml")).unwrap();
    let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let steps = doc["jobs"]["check"]["steps"].as_array().unwrap();
    assert!(doc["on"]["push"].is_null() && doc["on"].get("push").is_some(), "{doc}");
    let checkout = steps
        .iter()
        .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/checkout@")));
    assert_eq!(checkout.unwrap()["with"]["fetch-depth"], 0);
    assert!(steps.iter().any(|s| s["run"] == "salesbook check"), "{doc}");
}

/// The publishing recipes' CI files parse, build the site with its whole history, and the
/// ones meant for a public host build with `--public`.
#[test]
fn the_publishing_recipes_ci_files_parse() {
    let dir = crate::helper::repo().join("docs/ci");
    for (name, public) in [
        ("github-pages.yml", true),
        ("gitlab-pages.yml", true),
        ("internal-deploy.yml", false),
    ] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let _: serde_json::Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let builds: Vec<&str> = text.lines().filter(|l| l.contains("salesbook build")).collect();
        assert!(!builds.is_empty(), "{name}");
        for line in builds {
            assert_eq!(line.contains("--public"), public, "{name}: {line}");
        }
        assert!(
            text.contains("fetch-depth: 0") || text.contains("GIT_DEPTH: \"0\""),
            "{name}"
        );
        let doc = std::fs::read_to_string(crate::helper::repo().join("docs/publishing.md")).unwrap();
        assert!(
            doc.contains(&format!("ci/{name}")),
            "docs/publishing.md does not show {name}"
        );
    }
}
