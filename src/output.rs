//! The output of a build: files by their path in the output folder, and where they go as
//! they are made (collected in memory, or written by `write`). Below every stage that makes
//! files (render, search, exports), so that none of them depends on another for it.

use std::sync::Arc;

use crate::diagnostics::Diagnostic;

/// The file in an output folder that lists what a build wrote there, with the fingerprint
/// each file was made from (see `write`). Here, below `load`, which must know an output
/// folder when it sees one.
pub const MANIFEST: &str = ".salesbook-manifest";

/// One file of the output, by its path relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Shared, like the bytes: a reused page is handed on without copying anything.
    pub path: Arc<str>,
    /// Shared: the dev server keeps the bytes of the last good build without copying them.
    /// (An `Arc<Vec>`, not `Arc<[u8]>`: taking a rendered page's buffer is free, making an
    /// `Arc<[u8]>` of it copied every page once more.)
    pub bytes: Arc<Vec<u8>>,
    /// The content file a page was rendered from (`content/customers/a.md`).
    pub source: Option<Arc<str>>,
}

impl OutputFile {
    pub fn new(path: impl Into<Arc<str>>, bytes: impl Into<Vec<u8>>) -> Self {
        OutputFile {
            path: path.into(),
            bytes: Arc::new(bytes.into()),
            source: None,
        }
    }
}

/// Where rendered files go: collected in memory (the dev server, tests) or written as they
/// are rendered (`build`: memory does not grow with the size of the output).
pub trait Output: Sync {
    /// Whether the file at `path` rendered from inputs with fingerprint `print` is already
    /// there from an earlier build (and now kept): then it is not rendered again.
    fn reuse(&self, _path: &str, _print: u64) -> bool {
        false
    }
    /// Takes one rendered file; `print` is the fingerprint of its inputs, if it has one.
    fn put(&self, file: OutputFile, print: Option<u64>);

    /// A page the previous build of this process rendered from the same inputs (kept in the
    /// render memo): handed on like a rendered one unless the output already has it.
    fn reused(&self, file: &OutputFile, print: u64) {
        self.put(file.clone(), Some(print));
    }
}

/// Collects the files in memory: every file, or (`only_changed`, for `serve`, which keeps
/// the last build's files) only those rendered again.
#[derive(Default)]
pub struct Collect {
    files: std::sync::Mutex<Vec<OutputFile>>,
    pub only_changed: bool,
}

impl Output for Collect {
    fn put(&self, file: OutputFile, _print: Option<u64>) {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).push(file);
    }

    fn reused(&self, file: &OutputFile, print: u64) {
        if !self.only_changed {
            self.put(file.clone(), Some(print));
        }
    }
}

impl Collect {
    pub fn new(only_changed: bool) -> Self {
        Collect {
            files: Default::default(),
            only_changed,
        }
    }

    pub fn into_files(self) -> Vec<OutputFile> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

/// A file a stage was asked to make: its path, its fingerprint, and what became of it (the
/// file, when the memo keeps files). The rare problem is boxed: one of these is kept for each
/// of a build's files until the render ends, and a diagnostic is several times the rest.
pub type Made = (String, u64, Result<Option<OutputFile>, Box<Diagnostic>>);

/// Hands a file on to `out` as soon as it is made; a copy is kept for the memo when it keeps
/// files (`keep`).
pub fn hand_on(out: &dyn Output, keep: bool, path: String, print: u64, result: Result<OutputFile, Diagnostic>) -> Made {
    let result = result.map(|mut f| {
        // Kept files give back the spare room of their buffer.
        if let Some(bytes) = Arc::get_mut(&mut f.bytes).filter(|_| keep) {
            bytes.shrink_to_fit();
        }
        let kept = keep.then(|| f.clone());
        out.put(f, Some(print));
        kept
    });
    (path, print, result.map_err(Box::new))
}
