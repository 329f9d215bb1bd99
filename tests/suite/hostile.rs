//! Hostile paths, names and ids (issue 20): ids that would leave the output folder, names a
//! URL or another file system cannot hold, symbolic links out of the site, confidentiality
//! written in unexpected places. Each test builds a site in a temp folder and reads back
//! what was written, and where.

use std::path::{Path, PathBuf};

use crate::helper::{SiteTest, places};

/// Every file under `dir`, as paths relative to it.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_owned())
        .collect()
}

/// Every file's text under `dir`, for looking for strings that must not be there.
fn texts_under(dir: &Path) -> Vec<(PathBuf, String)> {
    files_under(dir)
        .into_iter()
        .map(|p| {
            let text = String::from_utf8_lossy(&std::fs::read(dir.join(&p)).unwrap()).into_owned();
            (p, text)
        })
        .collect()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn stage_ids_that_are_paths_are_errors_and_nothing_is_written_outside_out() {
    let t = SiteTest::with_files(&[("site/content/customers/a.md", "---\ntitle: A\nstage: won\n---\n")]);
    let abs = t.root().join("abs");
    let config = format!(
        "stages:\n  - {{id: \"../../evil\", label: x, probability: 0.1}}\n  - {{id: \"{}\", label: y, probability: 0.2}}\n  - {{id: won, label: w, probability: 1}}\n",
        abs.display()
    );
    t.write("site/salesbook.yaml", &config);
    let site = t.root().join("site");
    let before = files_under(t.root());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_salesbook"))
        .args(["build", "--out", "out"])
        .current_dir(&site)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("stage id `../../evil` cannot be a folder name"), "{err}");
    assert!(err.contains("--> salesbook.yaml:2:10"), "{err}");
    assert!(err.contains("--> salesbook.yaml:3:10"), "{err}");
    assert!(err.contains("use letters, digits, - and _"), "{err}");
    // (The writer's staging folder and lock beside `out` are the writer's business, not an id's.)
    let after: Vec<_> = files_under(t.root())
        .into_iter()
        .filter(|p| {
            let p = p.to_string_lossy();
            !p.contains(".out.salesbook-next") && !p.contains(".out.salesbook-lock")
        })
        .collect();
    assert_eq!(after, before, "the build wrote files");
    assert!(!abs.exists() && !site.join("out").exists());
}

#[test]
fn owners_and_tags_that_look_like_paths_get_safe_folders() {
    let long = "很长的标签".repeat(60);
    let t = SiteTest::with_files(&[(
        "content/customers/a.md",
        &format!(
            "---\ntitle: A\nstage: won\nowner: \"../../x/..\"\ntags: [\"a/b\", \"..\", \"../../evil\", \"CON\", \"C:\\\\x\", \"{long}\"]\n---\n"
        ),
    )]);
    let out = t.run(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let public = t.root().join("public");
    let written = files_under(&public);
    for p in &written {
        assert!(
            p.components().all(|c| matches!(c, std::path::Component::Normal(_))),
            "{}",
            p.display()
        );
    }
    assert!(assert_every_href_resolves(&public) > 50);
    let has = |p: &str| written.iter().any(|w| w == Path::new(p));
    assert!(has("owners/x/index.html"), "{written:?}");
    for tag in ["ab", "tag", "evil", "con-", "cx"] {
        assert!(has(&format!("tags/{tag}/index.html")), "{tag}: {written:?}");
    }
    // The long tag's folder is cut to a length every file system holds.
    let long_tag = written
        .iter()
        .find(|p| p.to_string_lossy().starts_with("tags/很长"))
        .expect("the long tag's page");
    assert!(long_tag.components().nth(1).unwrap().as_os_str().len() <= 200);
    // Beside them only the writer's own lock file.
    let mut names: Vec<_> = std::fs::read_dir(t.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [".public.salesbook-lock", "content", "public"],
        "only content/ and public/ in the site folder"
    );
}

#[test]
fn confidential_and_draft_are_honoured_wherever_they_are_written() {
    let t = SiteTest::with_files(&[
        (
            "content/customers/under-private.md",
            "---\ntitle: SECRET-A-TITLE\nstage: won\nprivate:\n  confidential: true\n---\nSECRET-A-BODY\n",
        ),
        (
            "content/customers/draft-under-private.md",
            "---\ntitle: SECRET-B-TITLE\nstage: won\nprivate:\n  draft: true\n---\nSECRET-B-BODY\n",
        ),
        (
            "content/_index.md",
            "---\ntitle: Home\nconfidential: true\n---\nSECRET-C-HOME-TEXT\n",
        ),
        (
            "content/customers/_index.md",
            "---\ntitle: Kunden\nprivate:\n  confidential: true\nfoo: 1\n---\nSECRET-D-SECTION-TEXT\n",
        ),
        (
            "content/notes/_index.md",
            "---\ntitle: Notes\ndraft: true\n---\nSECRET-E-DRAFT-TEXT\n",
        ),
        ("content/notes/open.md", "---\ntitle: Open\n---\nopen text\n"),
    ]);
    let secrets = ["SECRET-A", "SECRET-B", "SECRET-C", "SECRET-D", "SECRET-E"];
    let out = t.run(&["build", "--public"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    // An unknown field of an `_index.md` is reported as it is in a page.
    assert!(
        err.contains("unknown field `foo`") && err.contains("content/customers/_index.md:5:1"),
        "{err}"
    );
    let texts = texts_under(&t.root().join("public"));
    assert!(texts.len() > 20);
    for (path, text) in &texts {
        for s in secrets {
            assert!(!text.contains(s), "{s} in {}", path.display());
        }
    }
    // The internal build keeps the confidential texts and still leaves the drafts out: the
    // test would pass if the texts were never shown at all otherwise.
    let out = t.run(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let all: String = texts_under(&t.root().join("public"))
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    for s in ["SECRET-A-BODY", "SECRET-C-HOME-TEXT", "SECRET-D-SECTION-TEXT"] {
        assert!(all.contains(s), "{s} missing from the internal build");
    }
    for s in ["SECRET-B", "SECRET-E"] {
        assert!(!all.contains(s), "{s}: a draft in the internal build");
    }
}

#[cfg(unix)]
#[test]
fn symbolic_links_out_of_the_site_are_skipped_and_never_shown() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("passwd"), "root:TOPSECRET-LINE:0:0\n").unwrap();
    std::fs::create_dir(outside.path().join("pages")).unwrap();
    std::fs::write(
        outside.path().join("pages/o.md"),
        "---\ntitle: OUTSIDE-PAGE\n---\nOUTSIDE-BODY\n",
    )
    .unwrap();
    std::fs::write(outside.path().join("style.txt"), "OUTSIDE-STATIC").unwrap();
    let t = SiteTest::with_files(&[
        ("content/customers/ok.md", "---\ntitle: ok\nstage: won\n---\n"),
        ("inside.txt", "INSIDE-STATIC"),
        ("notes.txt", "INSIDE-NOT-A-PAGE-LINE\n"),
    ]);
    let root = t.root();
    symlink(outside.path().join("passwd"), root.join("content/customers/pw.md")).unwrap();
    symlink(outside.path().join("pages"), root.join("content/customers/outdir")).unwrap();
    symlink("../../notes.txt", root.join("content/customers/notes.md")).unwrap();
    std::fs::create_dir_all(root.join("static")).unwrap();
    symlink("../inside.txt", root.join("static/in.txt")).unwrap();
    symlink(outside.path().join("style.txt"), root.join("static/out.txt")).unwrap();
    // Inside the site, but the sources: never published as they are.
    symlink("../content", root.join("static/sources")).unwrap();
    symlink("..", root.join("static/up")).unwrap();

    let r = t.build();
    let got = places(&r.diagnostics);
    for link in ["content/customers/pw.md", "content/customers/outdir", "static/out.txt"] {
        assert!(
            got.iter()
                .any(|d| d.starts_with(&format!("{link}:0:0 symbolic link to a place outside the site folder"))),
            "{link}: {got:#?}"
        );
    }
    for link in ["static/sources", "static/up"] {
        assert!(
            got.iter()
                .any(|d| d.starts_with(&format!("{link}:0:0 symbolic link to the site's sources"))),
            "{link}: {got:#?}"
        );
    }
    // A link inside the site to a file that is not a page: an error, without its text.
    assert!(
        got.iter()
            .any(|d| d.starts_with("content/customers/notes.md:1:1 this page has no front matter")),
        "{got:#?}"
    );
    let rendered = salesbook::diagnostics::render_human(&r.diagnostics, false);
    for secret in ["TOPSECRET", "INSIDE-NOT-A-PAGE", "OUTSIDE"] {
        assert!(!rendered.contains(secret), "{secret} shown:\n{rendered}");
    }
    assert!(
        !r.files
            .iter()
            .any(|f| String::from_utf8_lossy(&f.bytes).contains("OUTSIDE"))
    );
    let statics: Vec<_> = r.files.iter().map(|f| &*f.path).collect();
    assert!(
        statics.contains(&"in.txt"),
        "a link inside the site is copied: {statics:?}"
    );
    assert!(!statics.contains(&"out.txt"), "{statics:?}");
    assert!(
        !statics
            .iter()
            .any(|p| p.starts_with("sources/") || p.starts_with("up/")),
        "{statics:?}"
    );
    let out = t.run(&["check"]);
    assert!(!stderr(&out).contains("TOPSECRET"));

    // The config too is read only from inside the site.
    symlink(outside.path().join("passwd"), root.join("salesbook.yaml")).unwrap();
    let out = t.run(&["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("symbolic link to a place outside the site folder\n--> salesbook.yaml"),
        "{err}"
    );
    assert!(!err.contains("TOPSECRET"), "{err}");
}

/// `%XX` sequences decoded, as a browser does before it opens a `file://` URL.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// Checks that every href of every page under `public`, decoded as a browser does, names a
/// file of the output; returns how many it checked.
fn assert_every_href_resolves(public: &Path) -> usize {
    let mut checked = 0;
    for (path, text) in texts_under(public) {
        if path.extension().is_none_or(|x| x != "html") {
            continue;
        }
        let dir = public.join(&path).parent().unwrap().to_owned();
        for href in text.split("href=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]) {
            if href.starts_with('#') || href.contains("://") || href.starts_with("mailto:") {
                continue;
            }
            let href = href.replace("&amp;", "&");
            let file = href.split(['#', '?']).next().unwrap();
            let file = percent_decode(file);
            let target = match file.strip_prefix('/') {
                Some(from_root) => public.join(from_root),
                None => dir.join(file),
            };
            assert!(
                target.exists(),
                "{}: href {href} -> {}",
                path.display(),
                target.display()
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn hrefs_made_from_file_names_with_percent_question_and_hash_resolve() {
    let t = SiteTest::with_files(&[
        ("content/notes/50%off.md", "---\ntitle: Fifty\ntags: [t]\n---\nx\n"),
        ("content/notes/q?.md", "---\ntitle: Q\ntags: [t]\n---\nx\n"),
        ("content/notes/a#b.md", "---\ntitle: AB\ntags: [t]\n---\nx\n"),
        (
            "content/notes/hub.md",
            "---\ntitle: Hub\n---\n[[50%off]] [[q?]] [[AB]] [r](50%25off.md) [s](q%3F.md) [t](a%23b.md)\n",
        ),
        ("content/100%/x.md", "---\ntitle: In a percent folder\n---\n[[hub]]\n"),
    ]);
    t.build_ok();
    let public = t.root().join("public");
    let checked = assert_every_href_resolves(&public);
    assert!(checked > 100, "{checked}");
    // The hub's links, and the search index's entries, are the escaped forms.
    let hub = t.read("notes/hub/index.html");
    for href in ["50%25off/index.html", "q%3F/index.html", "a%23b/index.html"] {
        assert!(hub.matches(href).count() >= 2, "{href}: {hub}");
    }
    let index: String = texts_under(&public.join("search"))
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    assert!(
        index.contains("\"notes/50%25off/\"") && index.contains("\"notes/q%3F/\""),
        "{index}"
    );
    assert!(t.exists("notes/50%off/index.html") && t.exists("notes/q?/index.html") && t.exists("notes/a#b/index.html"));
}

#[test]
fn names_differing_only_in_case_are_an_error_naming_both_files() {
    let t = SiteTest::with_files(&[
        ("content/customers/ABC.md", "---\ntitle: one\nstage: won\n---\n"),
        ("content/customers/abc.md", "---\ntitle: two\nstage: won\n---\n"),
        ("content/notes/x.md", "---\ntitle: x\nslug: Foo\n---\n"),
        ("content/notes/y.md", "---\ntitle: y\nslug: foo\n---\n"),
    ]);
    let r = t.build();
    let got = places(&r.diagnostics);
    assert!(got.contains(&"content/customers/abc.md:1:1 content/customers/ABC.md and content/customers/abc.md have URLs that differ only in case (/customers/ABC/ and /customers/abc/)".to_owned()), "{got:#?}");
    assert!(got.contains(&"content/notes/y.md:3:7 content/notes/x.md and content/notes/y.md have URLs that differ only in case (/notes/Foo/ and /notes/foo/)".to_owned()), "{got:#?}");
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.file == "content/customers/abc.md")
        .unwrap();
    assert!(d.help.as_deref().unwrap().contains("rename one of the files"));

    // A page or folder beside a generated page, or two section folders.
    let t = SiteTest::with_files(&[
        ("content/Funnel.md", "---\ntitle: f\n---\n"),
        ("content/Notes/a.md", "---\ntitle: a\n---\n"),
        ("content/notes/b.md", "---\ntitle: b\n---\n"),
    ]);
    let got = places(&t.build().diagnostics);
    for expected in [
        "content/Funnel.md:0:0 /funnel/ and /Funnel/ differ only in case",
        "content/Notes:0:0 /notes/ and /Notes/ differ only in case",
    ] {
        assert!(got.iter().any(|d| d.starts_with(expected)), "{expected}: {got:#?}");
    }
}

#[test]
fn static_files_and_pages_that_cannot_both_be_written_are_errors() {
    let t = SiteTest::with_files(&[
        ("content/customers/ok.md", "---\ntitle: ok\nstage: won\n---\n"),
        ("static/customers/ok", "a file where the page needs a folder"),
        ("content/customers/mine.md", "---\ntitle: mine\nstage: won\n---\n"),
        ("static/customers/mine/index.html", "STATIC-REPLACES-PAGE"),
        ("content/funnel.json.md", "---\ntitle: f\n---\n"),
    ]);
    let out = t.run(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for expected in [
        "error: /customers/ok is a file (the static file customers/ok), where /customers/ok/index.html needs a folder\n--> content/customers/ok.md",
        "error: static/customers/mine/index.html has the path of the page content/customers/mine.md, and would replace it",
        "error: /funnel.json is a file (the generated /funnel.json), where /funnel.json/index.html needs a folder\n--> content/funnel.json.md",
    ] {
        assert!(err.contains(expected), "{expected:?} missing:\n{err}");
    }
    assert!(!err.contains("os error"), "{err}");
}

/// Problems that stopped `build` with an OS error (exit 2) are diagnostics (exit 1).
#[test]
fn site_problems_are_diagnostics_not_os_errors() {
    let t = SiteTest::with_files(&[
        ("content/customers/ok.md", "---\ntitle: ok\nstage: won\n---\n"),
        // Its folder would be written where ok's index.html is.
        ("content/customers/ok/index.html.md", "---\ntitle: ih\n---\n"),
        ("content/customers/CON.md", "---\ntitle: con\n---\n"),
        ("content/customers/line\nbreak.md", "---\ntitle: lb\n---\n"),
        ("content/customers/trail..md", "---\ntitle: dot\n---\n"),
        (
            "content/notes/s.md",
            &format!("---\ntitle: s\nslug: {}\n---\n", "s".repeat(300)),
        ),
    ]);
    std::fs::create_dir_all(t.root().join("content/customers/folder.md")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::os::unix::fs::symlink("/nonexistent/gone", t.root().join("content/customers/gone.md")).unwrap();
        let bad = std::ffi::OsStr::from_bytes(b"bad\xff.md");
        std::fs::write(t.root().join("content/customers").join(bad), "---\ntitle: bad\n---\n").unwrap();
        let fifo = std::process::Command::new("mkfifo")
            .arg(t.root().join("content/customers/fifo.md"))
            .status()
            .unwrap();
        assert!(fifo.success());
    }
    let out = t.run(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let mut expected = vec![
        "--> content/customers/ok/index.html.md",
        "the file name `index.html` cannot be a folder name of the site",
        "the file name `CON` cannot be a folder name of the site",
        "--> content/customers/line\\nbreak.md",
        "the file name `trail.` cannot be a folder name of the site: Windows drops a final `.` or space",
        "cannot be part of a URL: it is longer than 255 bytes",
        "--> content/customers/folder.md\n",
        "this is a folder, not a page",
    ];
    if cfg!(unix) {
        expected.extend([
            "--> content/customers/gone.md\n",
            "broken symbolic link",
            "this name is not UTF-8 text",
            "--> content/customers/fifo.md\n",
            "not a regular file",
        ]);
    }
    for e in expected {
        assert!(err.contains(e), "{e:?} missing:\n{err}");
    }
    assert!(!err.contains("os error"), "{err}");
}

#[test]
fn import_and_new_make_only_file_names_the_build_takes() {
    let t = SiteTest::with_files(&[(
        "c.csv",
        "title,slug,stage\nEvil,../../evil-import,won\nCon,CON,won\nFine,fine,won\n",
    )]);
    let out = t.run(&["import", "customers", "c.csv"]);
    let err = format!("{}{}", stderr(&out), String::from_utf8_lossy(&out.stdout));
    assert!(
        err.contains("row 2, column B (slug): \"../../evil-import\" cannot be a file name")
            && err.contains("row 3, column B (slug): \"CON\" cannot be a file name"),
        "{err}"
    );
    let made: Vec<_> = files_under(t.root())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    // An import writes all or nothing: the good row is not written either.
    assert!(made.is_empty(), "{made:?}");

    let long = "很长的客户名称".repeat(30);
    for title in ["CON", long.as_str()] {
        let out = t.run(&["new", "customer", title]);
        assert!(out.status.success(), "{title}: {}", stderr(&out));
    }
    assert!(t.root().join("content/customers/con-.md").exists());
    let out = t.run(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn hostile_name_diagnostics_read_well() {
    let t = SiteTest::with_files(&[
        ("content/customers/ok/index.html.md", "---\ntitle: ih\n---\n"),
        ("content/customers/CON.md", "---\ntitle: con\n---\n"),
        ("content/customers/line\nbreak.md", "---\ntitle: lb\n---\n"),
        ("content/notes/s.md", "---\ntitle: s\nslug: \"../../up\"\n---\n"),
        ("content/notes/ABC.md", "---\ntitle: one\n---\n"),
        ("content/notes/abc.md", "---\ntitle: two\n---\n"),
        ("content/notes/not-a-page.md", "password: hunter2\n"),
    ]);
    let r = t.build();
    let human = salesbook::diagnostics::render_human(&r.diagnostics, false);
    assert!(!human.contains("hunter2"));
    crate::helper::assert_snapshot("hostile.txt", &human);
}

#[test]
fn a_misspelt_confidential_or_draft_is_an_error_in_every_build() {
    let t = SiteTest::with_files(&[
        (
            "content/customers/a.md",
            "---\ntitle: a\nstage: won\nConfidential: true\n---\n",
        ),
        (
            "content/customers/b.md",
            "---\ntitle: b\nstage: won\nprivate:\n  confidental: true\n---\n",
        ),
        (
            "content/customers/c.md",
            "---\ntitle: c\nstage: won\nprivate:\n  private:\n    draft: true\n---\n",
        ),
        ("content/notes/_index.md", "---\ntitle: n\ndrafts: true\n---\n"),
        // Fields that only share a start with them are other fields.
        (
            "content/notes/d.md",
            "---\ntitle: d\nconfidential_note: x\ncraft: y\n---\n",
        ),
    ]);
    for public in [false, true] {
        let r = t.build_with(salesbook::build::BuildOptions { public, ..t.options() });
        let got = places(&r.diagnostics);
        let errors: Vec<_> = r
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.file.as_str())
            .collect();
        assert_eq!(
            errors,
            [
                "content/customers/a.md",
                "content/customers/b.md",
                "content/customers/c.md",
                "content/notes/_index.md"
            ],
            "public: {public}: {got:#?}"
        );
        for expected in [
            "content/customers/a.md:4:1 unknown field `Confidential`: the page would be published",
            "content/customers/b.md:5:3 unknown field `confidental`: the page would be published",
            "content/customers/c.md:5:3 `private:` inside `private:` is not read",
            "content/notes/_index.md:3:1 unknown field `drafts`: the page would be published",
        ] {
            assert!(
                got.iter().any(|d| d == expected),
                "public: {public}: {expected}: {got:#?}"
            );
        }
    }
}

/// `content/` itself may be a link (a folder shared between sites): its tree is inside.
#[cfg(unix)]
#[test]
fn a_content_folder_that_is_a_link_is_read() {
    use std::os::unix::fs::symlink;
    let shared = tempfile::tempdir().unwrap();
    let customers = shared.path().join("content/customers");
    std::fs::create_dir_all(&customers).unwrap();
    std::fs::write(customers.join("x.md"), "---\ntitle: x\nstage: won\n---\n").unwrap();
    symlink("x.md", customers.join("y.md")).unwrap();
    std::fs::write(shared.path().join("secret.md"), "---\ntitle: NOT-IN-CONTENT\n---\n").unwrap();
    symlink("../../secret.md", customers.join("out.md")).unwrap();
    let t = SiteTest::with_files(&[]);
    std::fs::remove_dir(t.root().join("content")).unwrap();
    symlink(shared.path().join("content"), t.root().join("content")).unwrap();
    let r = t.build();
    let got = places(&r.diagnostics);
    let paths: Vec<_> = r.files.iter().map(|f| &*f.path).collect();
    assert!(
        paths.contains(&"customers/x/index.html") && paths.contains(&"customers/y/index.html"),
        "{got:#?}"
    );
    assert!(!paths.contains(&"customers/out/index.html"), "{paths:?}");
    assert!(
        got.iter()
            .any(|d| d.starts_with("content/customers/out.md:0:0 symbolic link to a place outside")),
        "{got:#?}"
    );
}

/// From `file://`, a page hands its text to a frame parent only when asked with the site's
/// page token: every page carries the same token in its `<meta>`, two builds into one folder
/// keep it (the pages stay byte for byte the same), and no `.js` file holds it (any local page
/// can run those with `<script src>`).
#[test]
fn pages_answer_text_requests_only_with_the_token_no_script_holds() {
    let t = SiteTest::with_files(&[
        (
            "content/customers/zsecret.md",
            "---\ntitle: Z\nstage: won\n---\nsecret text\n",
        ),
        ("salesbook.yaml", "search: true\n"),
    ]);
    let out = t.run(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let public = t.root().join("public");
    let token = std::fs::read_to_string(public.join(".salesbook-token")).unwrap();
    let token = token.trim();
    assert!(
        token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "{token}"
    );
    let meta = format!("<meta name=\"sb-token\" content=\"{token}\">");
    let texts = texts_under(&public);
    let mut pages = 0;
    for (path, text) in &texts {
        let name = path.to_string_lossy();
        if name.ends_with(".html") {
            pages += 1;
            assert!(text.contains(&meta), "{name} lacks the token");
        } else if name != ".salesbook-token" {
            assert!(!text.contains(token), "{name} holds the token");
        }
    }
    assert!(pages > 10, "{pages}");
    let search = std::fs::read_to_string(public.join("search.js")).unwrap();
    assert!(search.contains("'#sb-text=' + token") && !search.contains("hash !== '#sb-text'"));
    // A second build keeps the token, so nothing changes.
    let again = t.run(&["build"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(texts_under(&public), texts);
    // Another output folder gets a token of its own.
    let other = t.run(&["build", "--out", "other"]);
    assert!(other.status.success(), "{}", stderr(&other));
    let other = std::fs::read_to_string(t.root().join("other/.salesbook-token")).unwrap();
    assert_ne!(other.trim(), token);
}

/// A static file at the path of a file salesbook makes (home page, 404, a section list, the
/// tag list, `funnel.json`, an export, the search index) used to replace it without a word.
#[test]
fn static_files_at_generated_paths_are_errors_naming_both() {
    let generated = [
        "index.html",
        "404.html",
        "notes/index.html",
        "tags/index.html",
        "funnel.json",
        "exports/visits.ics",
        "search/meta.js",
        "search/f/0.js",
    ];
    let mut files = vec![
        (
            "content/customers/a.md".to_owned(),
            "---\ntitle: A\nstage: won\ntags: [x]\n---\n".to_owned(),
        ),
        ("content/notes/n.md".to_owned(), "---\ntitle: N\n---\n".to_owned()),
    ];
    files.extend(generated.iter().map(|p| (format!("static/{p}"), "planted".to_owned())));
    let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let t = SiteTest::with_files(&files);
    let out = t.run(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for p in generated {
        let url = p.strip_suffix("index.html").unwrap_or(p);
        let msg = format!("static/{p} has the path of the generated /{url}, and would replace it");
        assert!(err.contains(&msg), "{p}: {err}");
        assert!(err.contains(&format!("--> static/{p}")), "{p}: {err}");
    }
    assert!(!t.root().join("public").exists());
    // The same files are the user's to publish when they are not salesbook's.
    let t = SiteTest::with_files(&[
        ("content/customers/a.md", "---\ntitle: A\nstage: won\n---\n"),
        ("static/notes/index.html", "mine"),
        ("static/search/meta.js", "mine"),
        ("salesbook.yaml", "search: false\n"),
    ]);
    let out = t.run(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(t.read("search/meta.js"), "mine");
}

/// Near misses of `confidential`, `draft` and `private` that used to publish: an invisible
/// character in the key (compared by bytes, it was no typo), no value, swapped letters, an
/// `is_` before, `privat`/`privates` (whose values reached the exports and the search
/// index), and a top-level `Private:` (which was called "`private:` inside `private:`").
#[test]
fn near_misses_of_confidential_draft_and_private_are_errors() {
    let page = |name: &str, fields: &str| {
        (
            format!("content/customers/{name}.md"),
            format!("---\ntitle: {name}\nstage: won\n{fields}\n---\n"),
        )
    };
    let pages = [
        page("zwsp", "confidential\u{200b}: true"),
        page("bom", "\"confidential\u{feff}\": true"),
        page("nbsp", "\"confidential\u{a0}\": true"),
        page("null", "confidential:"),
        page("nulldraft", "draft: ~"),
        page("darft", "darft: true"),
        page("is", "is_confidential: true"),
        page("privat", "privat: {phone: SECRET-1}"),
        page("privates", "privates:\n  phone: SECRET-2"),
        page("upper", "Private:\n  phone: SECRET-3"),
        page("nested", "private:\n  confidential\u{200b}: true"),
        page("fullwidth", "ｃｏｎｆｉｄｅｎｔｉａｌ: true"),
        page("cyrillic", "c\u{43e}nfidential: true"),
        // Other fields that only look alike.
        page("fine", "privacy: x\ncraft: y\nconfidential_note: z\ndrafted_by: w"),
    ];
    let files: Vec<(&str, &str)> = pages.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let t = SiteTest::with_files(&files);
    for public in [false, true] {
        let r = t.build_with(salesbook::build::BuildOptions { public, ..t.options() });
        let got = places(&r.diagnostics);
        for expected in [
            "zwsp.md:4:1 unknown field `confidential\\u{200b}`: the page would be published",
            "bom.md:4:1 unknown field `confidential\\u{feff}`: the page would be published",
            "nbsp.md:4:1 unknown field `confidential\\u{a0}`: the page would be published",
            "null.md:4:1 `confidential:` has no value: the page would be published",
            "nulldraft.md:4:1 `draft:` has no value: the page would be published",
            "darft.md:4:1 unknown field `darft`: the page would be published",
            "is.md:4:1 unknown field `is_confidential`: the page would be published",
            "privat.md:4:1 unknown field `privat`: its fields would be published",
            "privates.md:4:1 unknown field `privates`: its fields would be published",
            "upper.md:4:1 unknown field `Private`: its fields would be published",
            "fullwidth.md:4:1 unknown field `ｃｏｎｆｉｄｅｎｔｉａｌ`: the page would be published",
            "cyrillic.md:4:1 unknown field `c\u{43e}nfidential`: the page would be published",
        ] {
            let (file, rest) = expected.split_once(':').unwrap();
            let want = format!("content/customers/{file}:{rest}");
            assert!(got.contains(&want), "public: {public}: {want}: {got:#?}");
        }
        // The nested one is dropped unread in a public build, and reported all the same.
        assert!(
            got.iter()
                .any(|d| d.starts_with("content/customers/nested.md:5:3 unknown field `confidential\\u{200b}`")),
            "public: {public}: {got:#?}"
        );
        let errors: std::collections::BTreeSet<_> = r
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.file.clone())
            .collect();
        assert_eq!(errors.len(), 13, "public: {public}: {got:#?}");
        assert!(!errors.contains("content/customers/fine.md"), "{got:#?}");
    }
    let out = t.run(&["build", "--public"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!t.root().join("public").exists());
}

/// `theme:` names a folder under `themes/`, nothing else: an absolute path or `..` read
/// templates and published a `static/` from outside the site, and so did a theme folder
/// that is a link out of it.
#[cfg(unix)]
#[test]
fn themes_are_read_only_from_folders_inside_the_site() {
    let evil = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(evil.path().join("static")).unwrap();
    std::fs::write(evil.path().join("static/stolen.txt"), "OUTSIDE-SECRET").unwrap();
    let page = ("content/customers/a.md", "---\ntitle: A\nstage: won\n---\n");
    for (theme, place) in [
        (evil.path().display().to_string(), "salesbook.yaml:1:8"),
        ("../../evil".to_owned(), "salesbook.yaml:1:8"),
        (".hidden".to_owned(), "salesbook.yaml:1:8"),
    ] {
        let t = SiteTest::with_files(&[page, ("salesbook.yaml", &format!("theme: \"{theme}\"\n"))]);
        let out = t.run(&["build"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{theme}: {err}");
        assert!(
            err.contains(&format!("theme `{theme}` is not a folder name under themes/")),
            "{err}"
        );
        assert!(err.contains(&format!("--> {place}")), "{theme}: {err}");
        assert!(!t.root().join("public").exists());
    }
    let t = SiteTest::with_files(&[page, ("salesbook.yaml", "theme: lnk\n")]);
    std::fs::create_dir_all(t.root().join("themes")).unwrap();
    std::os::unix::fs::symlink(evil.path(), t.root().join("themes/lnk")).unwrap();
    let out = t.run(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--> themes/lnk") && err.contains("symbolic link to a place outside the site folder"),
        "{err}"
    );
    assert!(!err.contains(&evil.path().display().to_string()), "{err}");
    assert!(!t.root().join("public").exists());
    // Nor its labels file linked out (a label file's errors would show its lines).
    let t = SiteTest::with_files(&[
        page,
        (
            "salesbook.yaml",
            "theme: mine
",
        ),
        ("themes/mine/static/mine.txt", "ok"),
    ]);
    std::fs::create_dir_all(t.root().join("themes/mine/i18n")).unwrap();
    std::fs::write(
        evil.path().join("labels.yaml"),
        "OUTSIDE-LABEL: [
",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        evil.path().join("labels.yaml"),
        t.root().join("themes/mine/i18n/zh-CN.yaml"),
    )
    .unwrap();
    let out = t.run(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--> themes/mine/i18n/zh-CN.yaml") && !err.contains("OUTSIDE-LABEL"),
        "{err}"
    );
    // A theme inside the site still works.
    let t = SiteTest::with_files(&[
        page,
        ("salesbook.yaml", "theme: mine\n"),
        ("themes/mine/static/mine.txt", "ok"),
    ]);
    let out = t.run(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(t.read("mine.txt"), "ok");
}

/// Links under `static/` to places inside the site that are not for publishing: a hidden
/// folder (`.git`), a build output (an internal build linked into a public one), a folder
/// holding another site's `content/`. Each is a warning naming the link, and skipped; a plain
/// copy is the user's choice.
#[cfg(unix)]
#[test]
fn static_links_to_hidden_folders_build_outputs_and_sites_are_skipped() {
    use std::os::unix::fs::symlink;
    let t = SiteTest::with_files(&[
        (
            "content/customers/a.md",
            "---\ntitle: A\nstage: won\nconfidential: true\n---\nINTERNAL-ONLY\n",
        ),
        (".git/config", "GIT-SECRET"),
        ("other/content/x.md", "OTHER-SITE-SECRET"),
        ("docs/ok.txt", "fine to publish"),
    ]);
    let int = t.run(&["build", "--out", "int"]);
    assert!(int.status.success(), "{}", stderr(&int));
    std::fs::create_dir_all(t.root().join("static")).unwrap();
    symlink("../.git", t.root().join("static/repo")).unwrap();
    symlink("../.git/config", t.root().join("static/gitconfig")).unwrap();
    symlink("../int", t.root().join("static/oldbuild")).unwrap();
    symlink("../int/customers", t.root().join("static/oldcustomers")).unwrap();
    symlink("../other", t.root().join("static/other")).unwrap();
    symlink("../docs", t.root().join("static/docs")).unwrap();
    let out = t.run(&["build", "--public"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    for link in ["repo", "gitconfig", "oldbuild", "oldcustomers", "other"] {
        assert!(err.contains(&format!("--> static/{link}")), "{link}: {err}");
    }
    for (path, text) in texts_under(&t.root().join("public")) {
        for secret in ["GIT-SECRET", "INTERNAL-ONLY", "OTHER-SITE-SECRET"] {
            assert!(!text.contains(secret), "{secret} in {}", path.display());
        }
    }
    assert_eq!(t.read("docs/ok.txt"), "fine to publish");
}

/// `import` and `new` write only where the build reads: never `_index.md` (a section's own
/// text), never through a `content/customers` linked out of the site (which the build skips),
/// never through a link planted at the page's name.
#[cfg(unix)]
#[test]
fn import_and_new_never_write_index_files_or_through_links_out_of_the_site() {
    use std::os::unix::fs::symlink;
    let t = SiteTest::with_files(&[("c.csv", "title,slug,stage\nSection,_index,won\nUpper,_INDEX,won\n")]);
    let out = t.run(&["import", "customers", "c.csv"]);
    let err = format!("{}{}", stderr(&out), String::from_utf8_lossy(&out.stdout));
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("row 2, column B (slug): \"_index\" cannot be a file name"),
        "{err}"
    );
    assert!(
        err.contains("row 3, column B (slug): \"_INDEX\" cannot be a file name"),
        "{err}"
    );
    assert!(!t.root().join("content/customers").exists());
    // `new` slugifies the title: `_index` makes `index.md`, a page.
    let out = t.run(&["new", "customer", "_index"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!t.root().join("content/customers/_index.md").exists());
    std::fs::remove_dir_all(t.root().join("content/customers")).unwrap();

    let away = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.root().join("content")).unwrap();
    symlink(away.path(), t.root().join("content/customers")).unwrap();
    t.write("d.csv", "title,stage\nOutside,won\n");
    let out = t.run(&["import", "customers", "d.csv"]);
    let err = format!("{}{}", stderr(&out), String::from_utf8_lossy(&out.stdout));
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("content/customers is a symbolic link to a place outside the site folder"),
        "{err}"
    );
    let out = t.run(&["new", "customer", "Outside"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("content/customers is a symbolic link to a place outside the site folder"));
    assert_eq!(
        files_under(away.path()),
        Vec::<PathBuf>::new(),
        "written through the link"
    );

    // A link planted at the new page's own name is not written through either.
    std::fs::remove_file(t.root().join("content/customers")).unwrap();
    std::fs::create_dir_all(t.root().join("content/customers")).unwrap();
    symlink(
        away.path().join("planted.md"),
        t.root().join("content/customers/planted.md"),
    )
    .unwrap();
    let out = t.run(&["new", "customer", "planted"]);
    assert!(!out.status.success());
    assert!(!away.path().join("planted.md").exists());
}

/// `é.md` typed on Linux (NFC, one character) and saved from a Mac (NFD, `e` and an accent)
/// are two files here and one on macOS: reported like names that differ only in case, for
/// pages and for section folders.
#[test]
fn names_differing_only_in_unicode_normalization_are_an_error_naming_both() {
    let t = SiteTest::with_files(&[
        ("content/customers/caf\u{e9}.md", "---\ntitle: one\nstage: won\n---\n"),
        ("content/customers/cafe\u{301}.md", "---\ntitle: two\nstage: won\n---\n"),
        ("content/r\u{e9}sum\u{e9}/a.md", "---\ntitle: a\n---\n"),
        ("content/re\u{301}sume\u{301}/b.md", "---\ntitle: b\n---\n"),
        // Not twins: other letters.
        ("content/customers/cafe.md", "---\ntitle: three\nstage: won\n---\n"),
    ]);
    let r = t.build();
    let got = places(&r.diagnostics);
    let errors: Vec<_> = got.iter().filter(|m| m.contains("Unicode normalization")).collect();
    assert!(
        errors.iter().any(
            |m| m.contains("content/customers/caf\u{e9}.md and content/customers/cafe\u{301}.md")
                || m.contains("content/customers/cafe\u{301}.md and content/customers/caf\u{e9}.md")
        ),
        "{got:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|m| m.contains("r\u{e9}sum\u{e9}") || m.contains("re\u{301}sume\u{301}")),
        "{got:#?}"
    );
    assert!(!got.iter().any(|m| m.contains("cafe.md")), "{got:#?}");
    let out = t.run(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

/// `base_url` starts the links of the 404 page and the addresses in `visits.ics`: a
/// `javascript:` one made every such link run a script.
#[test]
fn a_base_url_that_is_not_an_http_address_or_a_path_is_an_error_at_its_place() {
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "title: S\nbase_url: \"javascript:alert(1)//\"\n"),
        ("content/customers/pub.md", "---\ntitle: Public Co\nstage: lead\n---\n"),
    ]);
    let out = t.run(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("`base_url: javascript:alert(1)//` is neither an http(s) address nor a path"),
        "{err}"
    );
    assert!(err.contains("--> salesbook.yaml:2:11"), "{err}");
    assert!(!t.root().join("public").exists(), "nothing written: {err}");
    for good in ["https://sales.example.com/book", "/book/"] {
        t.write("salesbook.yaml", &format!("title: S\nbase_url: {good}\n"));
        let out = t.run(&["build"]);
        assert!(out.status.success(), "{good}: {}", stderr(&out));
        assert!(
            t.read("404.html")
                .contains(&format!("href=\"{}/", good.trim_end_matches('/')))
        );
    }
}

/// On macOS (and, for case, Windows) a static file whose path differs from a page's or a
/// generated file's only in case or Unicode normalization is the same file: one of the two
/// was silently lost there, while Linux wrote both.
#[test]
fn static_files_differing_from_pages_or_generated_files_only_in_case_or_normalization_are_errors() {
    let t = SiteTest::with_files(&[
        ("content/customers/a.md", "---\ntitle: A\nstage: lead\n---\n"),
        ("content/customers/caf\u{e9}.md", "---\ntitle: C\nstage: lead\n---\n"),
        ("static/Customers/A/index.html", "planted"),
        ("static/customers/cafe\u{301}/index.html", "planted"),
        ("static/INDEX.HTML", "planted"),
        ("static/Funnel.json", "planted"),
        ("static/SEARCH.JS", "planted"),
        ("static/Search/Meta.js", "planted"),
        ("static/notes.TXT", "planted"),
        ("static/Notes.txt", "planted"),
        // A file where, on macOS and Windows, the page's folder must be.
        ("content/customers/b.md", "---\ntitle: B\nstage: lead\n---\n"),
        ("static/Customers/B", "planted"),
        // Not twins: other letters, or only a folder of another case (its files merge).
        ("static/customers/cafe/index.html", "mine"),
        ("static/Customers/logo.png", "mine"),
    ]);
    let r = t.build();
    let got = places(&r.diagnostics);
    let expect = [
        (
            "content/customers/a.md",
            "static/Customers/A/index.html and the page content/customers/a.md (/customers/a/) differ only in case",
        ),
        (
            "content/customers/caf\u{e9}.md",
            "static/customers/cafe\u{301}/index.html and the page content/customers/caf\u{e9}.md (/customers/caf\u{e9}/) differ only in case or Unicode normalization",
        ),
        (
            "static/INDEX.HTML",
            "static/INDEX.HTML and the generated / differ only in case",
        ),
        (
            "static/Funnel.json",
            "static/Funnel.json and the generated /funnel.json differ only in case",
        ),
        ("static/SEARCH.JS", "static/SEARCH.JS and the static file /search.js"),
        (
            "static/Search/Meta.js",
            "static/Search/Meta.js and the search index's files (/search/*.js) differ only in case",
        ),
    ];
    for (file, msg) in expect {
        assert!(
            got.iter()
                .any(|g| g.starts_with(&format!("{file}:")) && g.contains(msg)),
            "{msg}: {got:#?}"
        );
    }
    assert!(
        got.iter()
            .any(|g| g.contains("static/notes.TXT and the static file /Notes.txt")
                || g.contains("static/Notes.txt and the static file /notes.TXT")),
        "{got:#?}"
    );
    assert!(
        !got.iter().any(|g| g.contains("cafe/") || g.contains("logo.png")),
        "{got:#?}"
    );
    assert!(
        got.iter().any(|g| g.starts_with("content/customers/b.md:")
            && g.contains("/Customers/B is a file (the static file Customers/B), where /customers/b/index.html needs a folder (names that differ only in case")),
        "{got:#?}"
    );
    assert_eq!(r.diagnostics.iter().filter(|d| d.is_error()).count(), 8, "{got:#?}");
    let out = t.run(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!t.root().join("public").exists());
}

#[test]
fn salesbooks_own_file_names_and_control_characters_are_diagnostics_not_os_errors() {
    let t = SiteTest::with_files(&[
        ("content/customers/ok.md", "---\ntitle: ok\nstage: won\n---\n"),
        (
            "content/customers/m.md",
            "---\ntitle: m\nstage: won\nslug: .salesbook-manifest\n---\n",
        ),
        ("content/t.md", "---\ntitle: t\nslug: .salesbook-manifest\n---\n"),
        ("content/notes/k.md", "---\ntitle: k\nslug: .Salesbook-Token\n---\n"),
        ("content/notes/n.md", "---\ntitle: n\nslug: x.salesbook-tmp\n---\n"),
        (
            "content/notes/l.md",
            "---\ntitle: l\nslug: public.salesbook-lock\n---\n",
        ),
        ("static/sub/x\nerror: forged", "a"),
        ("static/sub/y\rerror: forged2", "a"),
        ("static/sub/foo.salesbook-tmp", "a"),
        ("static/ok.txt", "a"),
    ]);
    for _ in 0..2 {
        let out = t.run(&["build"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        for line in err.lines() {
            assert!(!line.starts_with("error: forged"), "a forged line: {err}");
        }
        for expected in [
            "--> content/customers/m.md",
            "--> content/t.md",
            "--> content/notes/k.md",
            "--> content/notes/n.md",
            "--> content/notes/l.md",
            "salesbook's own",
            "--> static/sub/x\\nerror: forged",
            "--> static/sub/y\\rerror: forged2",
            "--> static/sub/foo.salesbook-tmp",
            "control character",
        ] {
            assert!(err.contains(expected), "{expected:?} missing in:\n{err}");
        }
        assert!(!err.contains("leaves the output folder"), "{err}");
        assert!(!t.root().join("public").exists());
    }
    // Fixed, the site builds (nothing broken left behind in the staging folder).
    for f in [
        "content/customers/m.md",
        "content/t.md",
        "content/notes/k.md",
        "content/notes/n.md",
        "content/notes/l.md",
    ] {
        std::fs::remove_file(t.root().join(f)).unwrap();
    }
    std::fs::remove_dir_all(t.root().join("static/sub")).unwrap();
    let out = t.run(&["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
