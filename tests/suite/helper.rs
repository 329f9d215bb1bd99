//! `SiteTest`: copy a fixture site into a temp folder, build it, read what it wrote, change a file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use salesbook::build::{BuildOptions, BuildResult, Builder};
use salesbook::diagnostics::Diagnostic;

pub struct SiteTest {
    pub dir: tempfile::TempDir,
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl SiteTest {
    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> SiteTest {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&repo().join("tests/fixtures").join(name), dir.path());
        SiteTest { dir }
    }

    /// A site made of the given files.
    pub fn with_files(files: &[(&str, &str)]) -> SiteTest {
        let t = SiteTest {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(t.root().join("content")).unwrap();
        for (path, text) in files {
            t.write(path, text);
        }
        t
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, path: &str, text: &str) {
        let p = self.root().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn options(&self) -> BuildOptions {
        BuildOptions {
            root: self.root().to_owned(),
            drafts: false,
            public: false,
            today: None,
        }
    }

    pub fn build_with(&self, opts: BuildOptions) -> BuildResult {
        Builder::new(opts).build()
    }

    pub fn build(&self) -> BuildResult {
        self.build_with(self.options())
    }

    /// Builds and writes into `public/`; panics on errors.
    pub fn build_ok(&self) -> BuildResult {
        let r = self.build();
        assert!(!r.has_errors(), "unexpected errors: {:#?}", r.diagnostics);
        salesbook::write::write_output(&self.root().join("public"), &r.files).unwrap();
        r
    }

    pub fn read(&self, path: &str) -> String {
        let p = self.root().join("public").join(path);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    pub fn exists(&self, path: &str) -> bool {
        self.root().join("public").join(path).exists()
    }

    /// Runs the real binary with `args` in the site folder.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_salesbook"))
            .args(args)
            .current_dir(self.root())
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    }
}

/// `file:line:col message` of each diagnostic, for compact assertions.
pub fn places(diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .map(|d| format!("{}:{}:{} {}", d.file, d.line, d.column, d.message))
        .collect()
}

/// Compares `actual` with `tests/snapshots/<name>`; `UPDATE_SNAPSHOTS=1` rewrites it.
pub fn assert_snapshot(name: &str, actual: &str) {
    let path = repo().join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing snapshot {}; run with UPDATE_SNAPSHOTS=1", path.display()));
    if expected != actual {
        panic!(
            "snapshot {name} differs (UPDATE_SNAPSHOTS=1 to accept):\n--- expected\n{expected}\n--- actual\n{actual}"
        );
    }
}
