//! Writing a build to disk so that the output folder is always one complete build.
//!
//! The build is written into a staging folder beside the output (`.public.salesbook-next`),
//! kept from the build before last (made of hard links to the output the first time, in the
//! background while the build parses), file by file as pages render: only files whose
//! content differs are written there (through a temporary file and a rename, never in place,
//! since a file may be shared with the output; a staging folder made from nothing is written
//! directly), files of pages that no longer exist are removed. Then the staging folder and
//! the output folder are exchanged in one atomic `renameat2(RENAME_EXCHANGE)`: a build
//! killed at any moment leaves the previous output complete and untouched, and the old
//! output becomes the next build's staging folder.
//!
//! Each folder's manifest lists the files salesbook wrote with a hash of their bytes and the
//! fingerprint of everything the file was rendered from. A page whose fingerprint is the
//! output's is not rendered at all: the staging folder gets a link to the output's file. A
//! staging folder's manifest is removed before it is touched and written back last: after a
//! kill, the next build compares bytes instead of trusting it. Files someone else put in the
//! output folder are carried over.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::render::{Output, OutputFile};

pub const MANIFEST: &str = ".salesbook-manifest";

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    /// Files whose bytes were written (to bring the staging folder up to this build).
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct WriteError {
    pub path: String,
    #[source]
    pub source: io::Error,
}

fn err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError {
        path: path.display().to_string(),
        source,
    }
}

/// The folder a build of `out` is prepared in.
pub fn staging_dir(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    out.with_file_name(format!(".{name}.salesbook-next"))
}

/// Writes `files` as the new content of `out`, atomically (tests and callers that hold a
/// whole build in memory; `build` streams into a [`Staging`]).
pub fn write_output(out: &Path, files: &[OutputFile]) -> Result<WriteStats, WriteError> {
    use rayon::prelude::*;
    let staging = Staging::new(out);
    staging.prepare()?;
    files.par_iter().for_each(|f| staging.put(f.clone(), None));
    staging.commit()
}

/// One manifest line: the hash of the bytes, and the fingerprint of the inputs they were
/// rendered from (when salesbook knows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    hash: Option<u64>,
    print: Option<u64>,
}

type Manifest = HashMap<String, Entry>;

/// A file of this build: path, hash of its bytes, fingerprint of its inputs.
type Written = (Arc<str>, u64, Option<u64>);

/// The next build, being written into the staging folder as its files render.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    ready: OnceLock<Ready>,
    pending: Mutex<Option<std::thread::JoinHandle<Result<Ready, WriteError>>>>,
    /// What this build holds: path, hash, fingerprint.
    entries: Mutex<Vec<Written>>,
    error: Mutex<Option<WriteError>>,
    changed: AtomicUsize,
}

struct Ready {
    /// Nothing was here before: files are written directly, nothing is compared.
    fresh: bool,
    /// The staging folder's manifest (the build before last, as far as it is known).
    staged: Manifest,
    /// The output folder's manifest: the build this one replaces.
    current: Manifest,
}

impl Staging {
    pub fn new(out: &Path) -> Self {
        Staging {
            out: out.to_owned(),
            dir: staging_dir(out),
            ready: OnceLock::new(),
            pending: Mutex::new(None),
            entries: Mutex::new(Vec::new()),
            error: Mutex::new(None),
            changed: AtomicUsize::new(0),
        }
    }

    /// Starts making the staging folder ready (seeding it from the output, carrying over
    /// files of others) in the background, while the build parses. It touches only the
    /// staging folder, so a build that then fails has changed nothing.
    pub fn start(&self) {
        let (out, dir) = (self.out.clone(), self.dir.clone());
        let handle = std::thread::spawn(move || prepare(&out, &dir));
        *self.pending.lock().unwrap_or_else(|e| e.into_inner()) = Some(handle);
    }

    /// Makes the staging folder ready for writing (waits for [`Staging::start`]'s work).
    fn prepare(&self) -> Result<(), WriteError> {
        if self.ready.get().is_some() {
            return Ok(());
        }
        let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner()).take();
        let ready = match pending {
            Some(handle) => handle.join().unwrap_or_else(|_| {
                Err(WriteError {
                    path: self.dir.display().to_string(),
                    source: io::Error::other("preparing the staging folder failed"),
                })
            })?,
            None => prepare(&self.out, &self.dir)?,
        };
        let _ = self.ready.set(ready);
        Ok(())
    }

    /// A build that failed before writing anything: the staging folder's manifest goes
    /// back, so the next build still trusts it.
    pub fn abandon(self) {
        if self.prepare().is_err() || !self.entries.lock().is_ok_and(|e| e.is_empty()) {
            return;
        }
        if let Some(ready) = self.ready.get() {
            let entries = ready
                .staged
                .iter()
                .filter_map(|(p, e)| Some((p.as_str(), e.hash?, e.print)));
            let _ = write_manifest(&self.dir, entries.collect());
        }
    }

    fn fail(&self, e: WriteError) {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e);
    }

    fn record(&self, path: Arc<str>, hash: u64, print: Option<u64>) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path, hash, print));
    }

    /// Removes what the build before last wrote and this one did not, writes the manifest and
    /// exchanges the staging folder with the output.
    pub fn commit(self) -> Result<WriteStats, WriteError> {
        self.prepare()?;
        if let Some(e) = self.error.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Err(e);
        }
        let ready = self.ready.into_inner().expect("prepared");
        let entries = self.entries.into_inner().unwrap_or_else(|e| e.into_inner());
        let now: HashSet<&str> = entries.iter().map(|e| &*e.0).collect();
        for old in ready.staged.keys().filter(|p| !now.contains(p.as_str())) {
            let path = self.dir.join(old);
            if fs::remove_file(&path).is_ok() {
                remove_empty_parents(&self.dir, &path);
            }
        }
        write_manifest(
            &self.dir,
            entries.iter().map(|(p, h, print)| (&**p, *h, *print)).collect(),
        )?;
        if self.out.exists() {
            exchange(&self.dir, &self.out).map_err(err(&self.out))?;
        } else {
            if let Some(parent) = self.out.parent().filter(|p| !p.as_os_str().is_empty()) {
                fs::create_dir_all(parent).map_err(err(parent))?;
            }
            fs::rename(&self.dir, &self.out).map_err(err(&self.out))?;
        }
        let removed = ready.current.keys().filter(|p| !now.contains(p.as_str())).count();
        let written = self.changed.into_inner();
        Ok(WriteStats {
            written,
            unchanged: entries.len() - written,
            removed,
        })
    }
}

impl Output for Staging {
    fn reuse(&self, path: &str, print: u64) -> bool {
        let Some(ready) = self.ready.get() else { return false };
        let Some(Entry { hash: Some(hash), .. }) = ready.current.get(path).filter(|e| e.print == Some(print)) else {
            return false;
        };
        // The output holds these bytes; the staging folder may hold an older version.
        if ready.staged.get(path).and_then(|e| e.hash) != Some(*hash) {
            let (from, to) = (self.out.join(path), self.dir.join(path));
            if replace_with_link(&from, &to).is_err() {
                return false;
            }
        }
        self.record(path.into(), *hash, Some(print));
        true
    }

    fn put(&self, file: OutputFile, print: Option<u64>) {
        let hash = crate::load::hash(&file.bytes);
        let Some(ready) = self.ready.get() else {
            return self.fail(WriteError {
                path: file.path.to_string(),
                source: io::Error::other("the output was not prepared"),
            });
        };
        if ready.current.get(&*file.path).and_then(|e| e.hash) != Some(hash) {
            self.changed.fetch_add(1, Ordering::Relaxed);
        }
        let target = self.dir.join(&*file.path);
        let result = if ready.fresh {
            write_new(&target, &file.bytes)
        } else if ready.staged.get(&*file.path).and_then(|e| e.hash) == Some(hash) {
            Ok(())
        } else {
            write_if_changed(&target, &file.bytes).map(|_| ())
        };
        match result {
            Ok(()) => self.record(file.path, hash, print),
            Err(e) => self.fail(e),
        }
    }
}

impl crate::build::Target for Staging {
    fn open(&self) -> Result<(), crate::diagnostics::Diagnostic> {
        self.prepare()
            .map_err(|e| crate::diagnostics::Diagnostic::error(e.path.clone(), e.to_string()))
    }
}

/// Makes `dir` ready to take the next build of `out`.
fn prepare(out: &Path, dir: &Path) -> Result<Ready, WriteError> {
    let out_exists = out.is_dir();
    let fresh = !dir.exists() && !out_exists;
    let seeded = !dir.exists() && out_exists;
    if seeded {
        link_tree(out, dir)?;
    }
    fs::create_dir_all(dir).map_err(err(dir))?;
    let manifest_path = dir.join(MANIFEST);
    let staged = read_manifest(dir);
    if staged.is_empty() && !fresh {
        // A build was killed here: its half-written temporary files go.
        for entry in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok) {
            if entry.file_name().to_string_lossy().ends_with(".salesbook-tmp") {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
    // From here until the new manifest is written, this folder's manifest is not to be trusted.
    match fs::remove_file(&manifest_path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(err(&manifest_path)(e)),
        _ => {}
    }
    if !seeded {
        carry_over_foreign_files(out, dir)?;
    }
    let current = read_manifest(out);
    Ok(Ready { fresh, staged, current })
}

/// Writes a folder's manifest: one `hash<TAB>fingerprint<TAB>path` line a file, sorted.
fn write_manifest(dir: &Path, mut entries: Vec<(&str, u64, Option<u64>)>) -> Result<(), WriteError> {
    use std::fmt::Write as _;
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut listing = String::with_capacity(entries.len() * 64);
    for (path, hash, print) in entries {
        let _ = match print {
            Some(p) => writeln!(listing, "{hash:016x}\t{p:016x}\t{path}"),
            None => writeln!(listing, "{hash:016x}\t-\t{path}"),
        };
    }
    write_if_changed(&dir.join(MANIFEST), listing.as_bytes()).map(|_| ())
}

/// The files salesbook wrote into `dir` (safe relative paths only), with their hash and
/// fingerprint when the manifest records them.
fn read_manifest(dir: &Path) -> Manifest {
    let text = fs::read_to_string(dir.join(MANIFEST)).unwrap_or_default();
    let hex = |h: &str| u64::from_str_radix(h, 16).ok();
    text.lines()
        .filter_map(|l| {
            let mut parts = l.splitn(3, '\t');
            let (a, b, c) = (parts.next(), parts.next(), parts.next());
            let (entry, path) = match (a, b, c) {
                (Some(h), Some(p), Some(path)) => (
                    Entry {
                        hash: hex(h),
                        print: hex(p),
                    },
                    path,
                ),
                (Some(h), Some(path), None) => (
                    Entry {
                        hash: hex(h),
                        print: None,
                    },
                    path,
                ),
                _ => (
                    Entry {
                        hash: None,
                        print: None,
                    },
                    l,
                ),
            };
            let safe =
                !path.is_empty() && !path.starts_with('/') && !path.split('/').any(|p| p == ".." || p.is_empty());
            safe.then(|| (path.to_owned(), entry))
        })
        .collect()
}

/// A copy of `from` made of hard links (a copy where links are not possible), folder by
/// folder in parallel: each folder is made, then what it holds is linked or copied, its
/// folders in turn. Walking the tree first and making every folder on one thread left the
/// other core idle for half a second at 10,000 pages (each page is a folder).
fn link_tree(from: &Path, to: &Path) -> Result<(), WriteError> {
    use rayon::prelude::*;
    match fs::create_dir(to) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(err(to)(e)),
        _ => {}
    }
    let entries: Vec<fs::DirEntry> = fs::read_dir(from).map_err(err(from))?.filter_map(Result::ok).collect();
    entries.par_iter().try_for_each(|entry| {
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        match entry.file_type() {
            Ok(t) if t.is_dir() => link_tree(&source, &target),
            Ok(t) if t.is_file() => {
                if fs::hard_link(&source, &target).is_err() {
                    fs::copy(&source, &target).map_err(err(&target))?;
                }
                Ok(())
            }
            // Symbolic links and the like are not ours: they are not carried over.
            _ => Ok(()),
        }
    })
}

/// Files someone else put in the output folder go along into the new output.
fn carry_over_foreign_files(out: &Path, staging: &Path) -> Result<(), WriteError> {
    if !out.is_dir() {
        return Ok(());
    }
    let ours: HashSet<String> = read_manifest(out).into_keys().chain([MANIFEST.to_owned()]).collect();
    for entry in walkdir::WalkDir::new(out).into_iter().filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = crate::load::rel(out, entry.path());
        if ours.contains(&rel) || rel.ends_with(".salesbook-tmp") {
            continue;
        }
        let target = staging.join(&rel);
        if target.exists() {
            continue;
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(err(parent))?;
        }
        if fs::hard_link(entry.path(), &target).is_err() {
            fs::copy(entry.path(), &target).map_err(err(&target))?;
        }
    }
    Ok(())
}

/// Swaps two folders, in one atomic step where the platform has one (see
/// [`crate::platform::swap_dirs`] for the fallback and its window).
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    crate::platform::swap_dirs(a, b)
}

/// Writes through a temporary file and a rename; returns whether the file changed.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool, WriteError> {
    if let Ok(meta) = fs::metadata(path)
        && meta.len() == bytes.len() as u64
        && fs::read(path).is_ok_and(|old| old == bytes)
    {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(err(parent))?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.salesbook-tmp"));
    fs::write(&tmp, bytes).map_err(err(&tmp))?;
    fs::rename(&tmp, path).map_err(err(path))?;
    Ok(true)
}

/// Writes a file into a folder that is being built from nothing.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    // Pages each have a folder of their own (`customers/a/index.html`): make it first rather
    // than fail to open the file.
    if let Some(parent) = path.parent() {
        match fs::create_dir(parent) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir_all(parent).map_err(err(parent))?,
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(err(parent)(e)),
            _ => {}
        }
    }
    fs::write(path, bytes).map_err(err(path))
}

/// Makes `to` another name of `from`'s file (a copy where links are not possible), replacing
/// what `to` was in one rename.
fn replace_with_link(from: &Path, to: &Path) -> Result<(), WriteError> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent).map_err(err(parent))?;
    }
    let name = to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = to.with_file_name(format!(".{name}.salesbook-tmp"));
    let _ = fs::remove_file(&tmp);
    if fs::hard_link(from, &tmp).is_err() {
        fs::copy(from, &tmp).map_err(err(&tmp))?;
    }
    let renamed = fs::rename(&tmp, to).map_err(err(to));
    // When `to` already was another name of the same file, rename(2) leaves both names.
    let _ = fs::remove_file(&tmp);
    renamed
}

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
