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

/// Runs a Python `script` with `input` on its standard input and reads the JSON it prints;
/// panics with `what` and Python's errors when it fails (a missing module, a failed check).
pub fn python_json<T: serde::de::DeserializeOwned>(script: &str, input: &[u8], what: &str) -> T {
    use std::io::Write;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{what}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The `git` program in `dir`, reading no user or system config, with a fixed identity: for
/// scripting fixture repositories (salesbook itself never runs git).
pub fn git_command(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .args(["-c", "user.email=t@example.com", "-c", "user.name=测试"])
        .args(["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    c
}

/// Runs `git args` in `dir` (see [`git_command`]), author and committer dated `date` (with its
/// UTC offset) when given; panics if git fails. Returns what it printed.
pub fn git(dir: &Path, args: &[&str], date: Option<&str>) -> String {
    let mut c = git_command(dir);
    c.args(args);
    if let Some(d) = date {
        c.env("GIT_AUTHOR_DATE", d).env("GIT_COMMITTER_DATE", d);
    }
    let out = c.output().expect("the tests script repositories with the git program");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
