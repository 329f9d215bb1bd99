//! Writing a build to disk so that the output folder is always one complete build, made by
//! this build and nothing else.
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
//! What a staging folder holds is trusted only as far as a completed build vouches for it,
//! because failed, killed and concurrent builds, and people, leave things there:
//! - Each folder's manifest lists the files salesbook wrote with a hash of their bytes, their
//!   size and modification time, and the fingerprint of everything the file was rendered
//!   from; its first line names the build's mode (internal, public, drafts) and the program,
//!   its last line is a checksum of the rest. A manifest that does not verify vouches for
//!   nothing; a file whose size or time differs from its line (deleted, or edited in place
//!   through a hard link) is not vouched for; a fingerprint counts only for the same mode and
//!   program.
//! - Before a build writes anything, the staging folder loses its links and temporary files;
//!   every other file its manifest does not vouch for (all of them, without a valid manifest:
//!   a build failed or was killed there) is compared byte by byte when this build makes it,
//!   and removed when it does not. Its manifest is removed before it is touched and written
//!   back last.
//! - One build at a time writes an output folder: a lock file beside it is held with an OS
//!   lock, which ends with the process, so a killed build never blocks the next one. The
//!   lock file sits beside the output, not in it: Windows cannot rename a folder holding an
//!   open file.
//! - Every path is checked before it is written: nothing lands outside the output folder.
//! - Each folder is walked once, links not followed (see [`Listing`]): a manifest's lines are
//!   checked against that walk, so nothing behind a link is vouched for, and the sweep and
//!   the carry-over read the same walk. Files this build writes are looked at through their
//!   open handles, not by name again at the end.
//!
//! - The lock file, the page token, the manifest and temporary files are never opened
//!   through a symbolic link: a link under the lock's name is refused, temporary files are
//!   made new (`create_new`), the others are read only when they are plain files.
//! - A folder (or link) standing where this build writes a file in the staging folder, or a
//!   file where it needs a folder, is removed: left by a person or a failed build, it would
//!   otherwise fail every build after.
//!
//! Files and symbolic links someone else put in the output folder are carried over, but not
//! what an earlier build made and no manifest lists (the manifest removed, cut short, or the
//! pages copied in from another output): an internal build's confidential pages would be
//! republished by the next `--public` build. See [`made_by_a_build`] for the rule.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use crate::render::{Output, OutputFile};

pub use crate::output::MANIFEST;

/// The manifest's first word: a manifest of another format vouches for nothing.
const MANIFEST_FORMAT: &str = "salesbook-manifest 2";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteStats {
    /// Files whose bytes were written (to bring the staging folder up to this build).
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Files no manifest listed that look like an earlier build's (see [`made_by_a_build`]):
    /// not carried over, and named in a warning.
    pub dropped: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct WriteError {
    pub path: String,
    #[source]
    pub source: io::Error,
}

/// Why a build cannot start writing an output folder.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "another salesbook build is writing {out}{}; wait for it to finish, or stop it if it hangs",
        pid.as_deref().map(|p| format!(" (pid {p})")).unwrap_or_default()
    )]
    Busy { out: String, pid: Option<String> },
    #[error(transparent)]
    Write(#[from] WriteError),
}

fn err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError {
        path: path.display().to_string(),
        source,
    }
}

/// `.<name of out>.<suffix>`, beside `out`.
fn sibling(out: &Path, suffix: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    out.with_file_name(format!(".{name}.{suffix}"))
}

/// The mode of the build that made `out` (`internal`, `public`, with `+drafts`), as its
/// manifest says, when that verifies.
pub fn built_mode(out: &Path) -> Option<String> {
    parse_manifest(&read_plain(&out.join(MANIFEST))).map(|m| m.mode)
}

/// A file's text, or nothing when it is not a plain file (a link is not followed).
fn read_plain(path: &Path) -> String {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => fs::read_to_string(path).unwrap_or_default(),
        _ => String::new(),
    }
}

/// The folder a build of `out` is prepared in.
pub fn staging_dir(out: &Path) -> PathBuf {
    sibling(out, "salesbook-next")
}

/// The file a build of `out` holds locked while it writes.
pub fn lock_file(out: &Path) -> PathBuf {
    sibling(out, "salesbook-lock")
}

/// Writes `files` as the new content of `out`, atomically (tests and callers that hold a
/// whole build in memory; `build` streams into a [`Staging`]).
pub fn write_output(out: &Path, files: &[OutputFile]) -> Result<WriteStats, WriteError> {
    let staging = Staging::new(out, "internal").map_err(|e| match e {
        OpenError::Write(e) => e,
        busy => WriteError {
            path: out.display().to_string(),
            source: io::Error::new(io::ErrorKind::WouldBlock, busy.to_string()),
        },
    })?;
    staging.prepare()?;
    files.par_iter().for_each(|f| staging.put(f.clone(), None));
    staging.commit()
}

/// Whether `path` names a file inside the output folder: relative, made only of plain
/// names (no `..`, root or drive), without control characters, and without a name of
/// salesbook's own files (the page token at the top is the one the build writes). Every
/// path is checked before it is written, whatever made it.
pub fn is_inside(path: &str) -> bool {
    why_not_inside(path).is_none()
}

fn why_not_inside(path: &str) -> Option<&'static str> {
    if path.is_empty() || !Path::new(path).components().all(|c| matches!(c, Component::Normal(_))) {
        return Some("this path leaves the output folder (absolute, or with `..`)");
    }
    // (A tab is the one the manifest's format holds: its path is its line's last field.)
    if path.chars().any(|c| c.is_control() && c != '\t') {
        return Some("this name holds a control character (a line break or NUL)");
    }
    if path != crate::render::token::TOKEN_FILE && path.split(['/', '\\']).any(crate::model::is_salesbook_name) {
        return Some("this is a name of salesbook's own files (`.salesbook-manifest`, `*.salesbook-tmp`, …)");
    }
    None
}

fn outside(path: &str) -> WriteError {
    let why = why_not_inside(path).unwrap_or("this path cannot be written");
    WriteError {
        path: crate::load::shown(path),
        source: io::Error::new(io::ErrorKind::InvalidInput, format!("{why}; nothing was written")),
    }
}

/// One manifest line: the hash of the bytes, the fingerprint of the inputs they were
/// rendered from (when salesbook knows it), and the size and time the file had on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    hash: u64,
    print: Option<u64>,
    size: u64,
    mtime: Option<u128>,
}

/// A folder's manifest: the build that made it and its files.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Manifest {
    mode: String,
    stamp: u64,
    files: Files,
}

/// A manifest's files by path. Filled for every file of every build (and read back on the
/// next), on one core while the new output waits: keyed with ahash, as the site's index.
type Files = HashMap<String, Entry, ahash::RandomState>;

/// A file's size and modification time, as a manifest records them.
type Stamp = (u64, Option<u128>);

/// A file of this build: path, hash of its bytes, fingerprint of its inputs, and its size
/// and time when known as it was written or kept (otherwise it is looked at last).
type Written = (Arc<str>, u64, Option<u64>, Option<Stamp>);

/// The program that writes: a fingerprint made by another version or another binary is not
/// trusted, since the pages it stands for were rendered by other code.
fn program_stamp() -> u64 {
    crate::incremental::program_stamp()
}

/// The next build, being written into the staging folder as its files render.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    /// What the build is (`internal`, `public`, with `+drafts`): recorded in the manifest.
    mode: String,
    ready: OnceLock<Ready>,
    pending: Mutex<Option<std::thread::JoinHandle<Result<Ready, WriteError>>>>,
    /// What this build holds: path, hash, fingerprint.
    entries: Mutex<Vec<Written>>,
    error: Mutex<Option<WriteError>>,
    changed: AtomicUsize,
    /// Held until the staging folder is swapped in (or the build gives up): dropped last.
    _lock: fs::File,
}

struct Ready {
    /// Nothing was here before: files are written directly, nothing is compared.
    fresh: bool,
    /// The staging folder's manifest (the build before last), only the files it holds as
    /// the manifest says.
    staged: Manifest,
    /// The other files of the staging folder: removed unless this build makes them.
    suspects: HashSet<String>,
    /// The output folder's manifest (the build this one replaces), only the files that are
    /// there as it says, and fingerprints only when made by this program in this mode.
    current: Manifest,
    /// Every path the output's manifest names, verified or not: the files that are not
    /// someone else's.
    listed: HashSet<String>,
    /// Symbolic links someone put in the output folder: path, and where they point.
    links: Vec<(String, PathBuf)>,
    /// The files carried over from the output as someone else's.
    carried: Vec<String>,
}

impl Staging {
    /// Takes the output folder's lock (another build writing it is an error, not a wait).
    /// `mode` says what the build is (`internal`, `public`, with `+drafts`).
    pub fn new(out: &Path, mode: &str) -> Result<Self, OpenError> {
        // The staging folder and the lock are named after the output's last part and put
        // beside it: `o/a/..` (or `/`) has none, and they would land inside the output.
        if !matches!(out.components().next_back(), Some(Component::Normal(_))) {
            return Err(err(out)(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the output must be named by a path ending in a folder's name (not `..`, `.` or a root)",
            ))
            .into());
        }
        let lock = lock(out)?;
        Ok(Staging {
            out: out.to_owned(),
            dir: staging_dir(out),
            mode: mode.to_owned(),
            ready: OnceLock::new(),
            pending: Mutex::new(None),
            entries: Mutex::new(Vec::new()),
            error: Mutex::new(None),
            changed: AtomicUsize::new(0),
            _lock: lock,
        })
    }

    /// Starts making the staging folder ready (clearing it of what no build vouches for,
    /// seeding it from the output, carrying over files of others) in the background, while
    /// the build parses. It touches only the staging folder, so a build that then fails has
    /// changed nothing.
    pub fn start(&self) {
        let (out, dir, mode) = (self.out.clone(), self.dir.clone(), self.mode.clone());
        let handle = std::thread::spawn(move || prepare(&out, &dir, &mode));
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
            None => prepare(&self.out, &self.dir, &self.mode)?,
        };
        let _ = self.ready.set(ready);
        Ok(())
    }

    /// A build that failed before writing anything: the staging folder's manifest goes
    /// back, so the next build still trusts it. A build that wrote something leaves none,
    /// and the next build trusts nothing there.
    pub fn abandon(self) {
        if self.prepare().is_err() || !self.entries.lock().is_ok_and(|e| e.is_empty()) {
            return;
        }
        if let Some(ready) = self.ready.get() {
            let _ = write_manifest(&self.dir, &ready.staged);
        }
    }

    fn fail(&self, e: WriteError) {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e);
    }

    fn record(&self, path: Arc<str>, hash: u64, print: Option<u64>, stamp: Option<Stamp>) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path, hash, print, stamp));
    }

    /// Removes what the build before last wrote and this one did not, puts back the links
    /// of others, writes the manifest and exchanges the staging folder with the output.
    pub fn commit(self) -> Result<WriteStats, WriteError> {
        self.prepare()?;
        if let Some(e) = self.error.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Err(e);
        }
        let ready = self.ready.into_inner().expect("prepared");
        let entries = self.entries.into_inner().unwrap_or_else(|e| e.into_inner());
        let now: HashSet<&str, ahash::RandomState> = entries.iter().map(|e| &*e.0).collect();
        // What no manifest vouches for but a build made is not someone else's: an earlier
        // build's pages (an internal one's, before a `--public` build) must not be carried.
        let tops: HashSet<&str> = now.iter().filter_map(|p| p.split_once('/').map(|(t, _)| t)).collect();
        let mut dropped = Vec::new();
        for rel in ready.carried.iter().filter(|p| !now.contains(p.as_str())) {
            let path = self.dir.join(rel);
            if made_by_a_build(&path, rel, &tops) && fs::remove_file(&path).is_ok() {
                remove_empty_parents(&self.dir, &path);
                dropped.push(rel.clone());
            }
        }
        dropped.sort();
        let before = ready.staged.files.keys().chain(&ready.suspects);
        for old in before.filter(|p| !now.contains(p.as_str())) {
            let path = self.dir.join(old);
            if fs::remove_file(&path).is_ok() {
                remove_empty_parents(&self.dir, &path);
            }
        }
        for (rel, target) in &ready.links {
            if !now.contains(rel.as_str()) {
                place_link(&self.dir.join(rel), target)?;
            }
        }
        // What each file is on disk now, so that the next build sees any change to it.
        let files = entries
            .par_iter()
            .map(|(path, hash, print, kept)| {
                let (size, mtime) = match kept {
                    Some(stamp) => *stamp,
                    None => {
                        let file = self.dir.join(&**path);
                        let meta = fs::symlink_metadata(&file).map_err(err(&file))?;
                        (meta.len(), mtime(&meta))
                    }
                };
                let entry = Entry {
                    hash: *hash,
                    print: *print,
                    size,
                    mtime,
                };
                Ok((path.to_string(), entry))
            })
            .collect::<Result<Files, WriteError>>()?;
        let manifest = Manifest {
            mode: self.mode.clone(),
            stamp: program_stamp(),
            files,
        };
        write_manifest(&self.dir, &manifest)?;
        if self.out.exists() {
            exchange(&self.dir, &self.out).map_err(err(&self.out))?;
        } else {
            if let Some(parent) = self.out.parent().filter(|p| !p.as_os_str().is_empty()) {
                fs::create_dir_all(parent).map_err(err(parent))?;
            }
            fs::rename(&self.dir, &self.out).map_err(err(&self.out))?;
        }
        let removed = ready.listed.iter().filter(|p| !now.contains(p.as_str())).count();
        let written = self.changed.into_inner();
        Ok(WriteStats {
            written,
            unchanged: entries.len() - written,
            removed: removed + dropped.len(),
            dropped,
        })
    }
}

impl Output for Staging {
    fn reuse(&self, path: &str, print: u64) -> bool {
        let Some(ready) = self.ready.get() else { return false };
        if !is_inside(path) {
            return false;
        }
        let Some(current) = ready.current.files.get(path).filter(|e| e.print == Some(print)) else {
            return false;
        };
        let hash = current.hash;
        // The output holds these bytes; the staging folder may hold an older version.
        let stamp = match ready.staged.files.get(path).filter(|e| e.hash == hash) {
            Some(kept) => Some((kept.size, kept.mtime)),
            None => match replace_with_link(&self.out.join(path), &self.dir.join(path)) {
                // Another name of the output's file, which was of this size and time.
                Ok(true) => Some((current.size, current.mtime)),
                Ok(false) => None,
                Err(_) => return false,
            },
        };
        self.record(path.into(), hash, Some(print), stamp);
        true
    }

    fn put(&self, file: OutputFile, print: Option<u64>) {
        if !is_inside(&file.path) {
            return self.fail(outside(&file.path));
        }
        let hash = crate::load::hash(&file.bytes);
        let Some(ready) = self.ready.get() else {
            return self.fail(WriteError {
                path: file.path.to_string(),
                source: io::Error::other("the output was not prepared"),
            });
        };
        if ready.current.files.get(&*file.path).map(|e| e.hash) != Some(hash) {
            self.changed.fetch_add(1, Ordering::Relaxed);
        }
        let target = self.dir.join(&*file.path);
        let kept = ready.staged.files.get(&*file.path).filter(|e| e.hash == hash);
        let write = || {
            if ready.fresh {
                write_new(&target, &file.bytes)
            } else if let Some(kept) = kept {
                Ok(Some((kept.size, kept.mtime)))
            } else {
                write_if_changed(&target, &file.bytes).map(|(_, stamp)| stamp)
            }
        };
        // A file or a folder in the way (left by a person or a failed build): cleared, once.
        let result = write().or_else(|_| {
            clear_way(&self.dir, &target);
            write()
        });
        match result {
            Ok(stamp) => self.record(file.path, hash, print, stamp),
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

/// Takes the lock of `out`'s builds and writes this process's id into it (for the message
/// of the build that finds it taken). The OS releases the lock when the process ends, however
/// it ends, so a lock file left by a killed build blocks nothing.
fn lock(out: &Path) -> Result<fs::File, OpenError> {
    let path = lock_file(out);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(err(parent))?;
    }
    // A link (dangling or not) or anything but a plain file under the lock's name is not
    // ours: opening it would create or truncate what it points to.
    if let Ok(meta) = fs::symlink_metadata(&path)
        && !meta.is_file()
    {
        return Err(err(&path)(io::Error::new(
            io::ErrorKind::InvalidInput,
            "something other than a plain file (a symbolic link, a folder, a pipe) stands where salesbook \
             keeps its lock file; nothing was written. Remove it (it is not salesbook's) and build again",
        ))
        .into());
    }
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    // And never through a link made between that look and the open.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    let mut file = options.open(&path).map_err(err(&path))?;
    match file.try_lock() {
        Ok(()) => {
            // Only informative: the lock is the OS's, not this text. Written only once the
            // lock is held.
            let _ = file.set_len(0).and_then(|()| writeln!(file, "{}", std::process::id()));
            Ok(file)
        }
        Err(fs::TryLockError::WouldBlock) => {
            // Where locks are mandatory (Windows) the holder's id cannot be read.
            let pid = fs::read_to_string(&path)
                .ok()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()));
            Err(OpenError::Busy {
                out: out.display().to_string(),
                pid,
            })
        }
        Err(fs::TryLockError::Error(e)) => Err(err(&path)(e).into()),
    }
}

fn mtime(meta: &fs::Metadata) -> Option<u128> {
    let t = meta.modified().ok()?;
    Some(t.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos())
}

/// The entries of `manifest` whose file in `found` (the listing of its folder) is a plain
/// file of the recorded size and time: the bytes are still the ones hashed.
fn verified(manifest: &Manifest, found: &Listing) -> Files {
    let stamps = found.stamps();
    manifest
        .files
        .iter()
        .filter(|(path, e)| e.mtime.is_some() && stamps.get(path.as_str()) == Some(&(e.size, e.mtime)))
        .map(|(p, e)| (p.clone(), *e))
        .collect()
}

/// Makes `dir` ready to take the next build of `out`.
fn prepare(out: &Path, dir: &Path, mode: &str) -> Result<Ready, WriteError> {
    // The output is exchanged whole: a file or a link there would be moved away, not written.
    if let Ok(meta) = fs::symlink_metadata(out)
        && !meta.is_dir()
    {
        return Err(err(out)(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a folder (a file or a symbolic link); it was left as it is",
        )));
    }
    let stamp = program_stamp();
    let out_exists = out.is_dir();
    let out_text = if out_exists {
        read_plain(&out.join(MANIFEST))
    } else {
        String::new()
    };
    let out_manifest = parse_manifest(&out_text);
    let out_found = if out_exists {
        Listing::of(out)
    } else {
        Listing::default()
    };
    let current = match &out_manifest {
        Some(m) => {
            let mut files = verified(m, &out_found);
            if m.mode != mode || m.stamp != stamp {
                files.values_mut().for_each(|e| e.print = None);
            }
            Manifest {
                mode: m.mode.clone(),
                stamp: m.stamp,
                files,
            }
        }
        None => Manifest::default(),
    };
    // The staging folder: only a completed build's manifest makes anything in it trusted.
    // Without one (a build failed or was killed there), what it holds is compared byte by
    // byte and removed unless this build makes it: faster than making it again, since
    // removing a tree of thousands of folders is slow on a busy disk.
    let staging_is_dir = match fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => true,
        Ok(_) => {
            // A file or a link under the staging folder's name: not a folder of ours. (A link
            // to a folder is a folder to remove_file on Windows.)
            fs::remove_file(dir)
                .or_else(|_| fs::remove_dir(dir))
                .map_err(err(dir))?;
            false
        }
        Err(_) => false,
    };
    // What the staging folder holds, when this build made it (else it is walked below).
    let (fresh, staged, linked) = match (staging_is_dir, out_manifest) {
        (true, _) => {
            let m = parse_manifest(&read_plain(&dir.join(MANIFEST)));
            (false, m.unwrap_or_default(), None)
        }
        (false, Some(m)) => {
            // On one of rayon's threads, as `Listing::of`.
            let mut made = rayon::scope(|_| link_tree(out, dir))?;
            made.retain(|f| f.rel != MANIFEST);
            (false, m, Some(Listing(made)))
        }
        (false, None) => {
            fs::create_dir_all(dir).map_err(err(dir))?;
            (true, Manifest::default(), None)
        }
    };
    // From here until the new manifest is written, this folder's manifest is not to be trusted.
    let manifest_path = dir.join(MANIFEST);
    match fs::remove_file(&manifest_path).or_else(|e| match e.kind() {
        io::ErrorKind::NotFound => Ok(()),
        _ => fs::remove_dir_all(&manifest_path),
    }) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(err(&manifest_path)(e)),
        _ => {}
    }
    let staged_found = match linked {
        Some(made) => made,
        None if fresh => Listing::default(),
        None => Listing::of(dir),
    };
    let staged = Manifest {
        files: verified(&staged, &staged_found),
        ..staged
    };
    let mut suspects = sweep(dir, &staged.files, staged_found);
    let listed = listed_paths(&out_text);
    let (links, carried) = carry_over_foreign_files(&out_found, dir, &listed, &mut suspects)?;
    Ok(Ready {
        fresh,
        staged,
        suspects,
        current,
        listed,
        links,
        carried,
    })
}

/// What a folder holds below it, looked at once: every file and link (links not followed,
/// folders not listed), and the size and time of each plain file. The check of a manifest,
/// the staging sweep and the carry-over all read this one walk instead of each looking at
/// every file again by its full path.
#[derive(Default)]
struct Listing(Vec<Found>);

struct Found {
    /// Relative to the folder, as [`crate::load::rel`] makes it.
    rel: String,
    path: PathBuf,
    kind: fs::FileType,
    /// Size and time, of a plain file.
    stamp: Option<Stamp>,
    /// Whether `rel` names exactly this file (no part of it changed to be shown as text): only
    /// then is a manifest's line checked against it.
    exact: bool,
}

impl Listing {
    fn of(dir: &Path) -> Self {
        // Run on one of rayon's threads: each depth's folders are then shared out from there,
        // instead of each depth waiting its turn in the pool's queue while the build parses.
        Listing(rayon::scope(|_| found_below(dir)))
    }

    /// The size and time of each plain file, by the path a manifest would name it with.
    fn stamps(&self) -> HashMap<&str, Stamp> {
        self.0
            .iter()
            .filter(|f| f.exact)
            .filter_map(|f| Some((f.rel.as_str(), f.stamp?)))
            .collect()
    }
}

/// The path of `name` in the folder at `rel`, as [`crate::load::rel`] writes it, and whether
/// it names the file exactly (`exact` for the folder, and `name` valid UTF-8 without `\`).
fn below(rel: &str, exact: bool, name: &std::ffi::OsStr) -> (String, bool) {
    let exact = exact && name.to_str().is_some_and(|n| !n.contains('\\'));
    let shown = name.to_string_lossy().replace('\\', "/");
    let rel = if rel.is_empty() {
        shown
    } else {
        format!("{rel}/{shown}")
    };
    (rel, exact)
}

/// A folder to read in a walk: where it is, and its path from the top as [`below`] makes it.
type Level = Vec<(PathBuf, String, bool)>;

/// The files and links below `dir`, read a depth at a time with the folders of each depth in
/// parallel (not by recursion: a folder nested thousands deep, left in the output, would
/// overflow the stack); each file is looked at through its folder's open handle, by its name
/// alone.
fn found_below(dir: &Path) -> Vec<Found> {
    let mut found = Vec::new();
    let mut level: Level = vec![(dir.to_owned(), String::new(), true)];
    while !level.is_empty() {
        let read: Vec<(Vec<Found>, Level)> = level
            .par_iter()
            .map(|(dir, rel, exact)| {
                let (mut files, mut folders) = (Vec::new(), Vec::new());
                let Ok(read) = fs::read_dir(dir) else {
                    return (files, folders);
                };
                for entry in read.filter_map(Result::ok) {
                    let Ok(kind) = entry.file_type() else { continue };
                    let (rel, exact) = below(rel, *exact, &entry.file_name());
                    if kind.is_dir() {
                        folders.push((entry.path(), rel, exact));
                        continue;
                    }
                    let stamp = if kind.is_file() {
                        entry.metadata().ok().map(|m| (m.len(), mtime(&m)))
                    } else {
                        None
                    };
                    files.push(Found {
                        rel,
                        path: entry.path(),
                        kind,
                        stamp,
                        exact,
                    });
                }
                (files, folders)
            })
            .collect();
        level = Vec::new();
        for (files, folders) in read {
            found.extend(files);
            level.extend(folders);
        }
    }
    found
}

/// Removes links, temporary files and names that are not UTF-8 from the staging folder, and
/// returns the files there that `keep` does not vouch for (pages of a failed or killed
/// build, files cut short, files changed since): they are compared byte by byte, and
/// removed unless this build makes them.
fn sweep(dir: &Path, keep: &Files, found: Listing) -> HashSet<String> {
    let mut suspects = HashSet::new();
    let mut strays = Vec::new();
    for Found {
        rel, path, kind, exact, ..
    } in found.0
    {
        if exact && keep.contains_key(&rel) {
            continue;
        }
        // A name that is not the text it is shown by (not UTF-8; a `\` on Unix) is removed
        // now: as a suspect it would be looked for by that text, not found, and published.
        if kind.is_file() && exact && is_inside(&rel) {
            suspects.insert(rel);
        } else {
            strays.push(path);
        }
    }
    for path in strays {
        // A link to a folder is a folder to remove_file on Windows.
        if fs::remove_file(&path).or_else(|_| fs::remove_dir(&path)).is_ok() {
            remove_empty_parents(dir, &path);
        }
    }
    suspects
}

/// Writes a folder's manifest: a line naming the mode and program, one
/// `hash<TAB>fingerprint<TAB>size<TAB>time<TAB>path` line a file (sorted), then the checksum
/// of all that.
fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), WriteError> {
    use std::fmt::Write as _;
    let mut files: Vec<(&String, &Entry)> = manifest.files.iter().collect();
    // On both cores, and the lines written by hand: the new output waits for this.
    files.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut text = String::with_capacity(files.len() * 80 + 64);
    let _ = writeln!(text, "{MANIFEST_FORMAT}\t{}\t{:016x}", manifest.mode, manifest.stamp);
    for (path, e) in files {
        push_hex(&mut text, e.hash);
        text.push('\t');
        match e.print {
            Some(p) => push_hex(&mut text, p),
            None => text.push('-'),
        }
        text.push('\t');
        push_decimal(&mut text, e.size);
        text.push('\t');
        match e.mtime {
            Some(t) => push_decimal(&mut text, t),
            None => text.push('-'),
        }
        text.push('\t');
        text.push_str(path);
        text.push('\n');
    }
    let sum = crate::load::hash(text.as_bytes());
    let _ = writeln!(text, "checksum\t{sum:016x}");
    write_if_changed(&dir.join(MANIFEST), text.as_bytes()).map(|_| ())
}

/// `{:016x}`.
fn push_hex(out: &mut String, v: u64) {
    for shift in (0..16).rev() {
        out.push(char::from(b"0123456789abcdef"[(v >> (shift * 4)) as usize & 15]));
    }
}

/// `{}` of an unsigned number.
fn push_decimal(out: &mut String, v: impl Into<u128>) {
    let wide: u128 = v.into();
    let Ok(mut v) = u64::try_from(wide) else {
        let _ = std::fmt::Write::write_fmt(out, format_args!("{wide}"));
        return;
    };
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    digits[i..].iter().for_each(|d| out.push(char::from(*d)));
}

/// A manifest, if `text` is a whole one that verifies: the right format, every line well
/// formed with a path inside the folder, and the checksum of the rest last.
fn parse_manifest(text: &str) -> Option<Manifest> {
    let body_len = text.strip_suffix('\n')?.rfind('\n').map_or(0, |i| i + 1);
    let (body, last) = text.split_at(body_len);
    let sum = last.strip_prefix("checksum\t")?.strip_suffix('\n')?;
    if u64::from_str_radix(sum, 16).ok()? != crate::load::hash(body.as_bytes()) {
        return None;
    }
    let hex = |h: &str| u64::from_str_radix(h, 16).ok();
    let mut lines = body.lines();
    let mut header = lines.next()?.split('\t');
    if header.next()? != MANIFEST_FORMAT {
        return None;
    }
    let mode = header.next()?.to_owned();
    let stamp = hex(header.next()?)?;
    let mut files = Files::default();
    for line in lines {
        let mut parts = line.splitn(5, '\t');
        let (hash, print, size, time, path) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        let entry = Entry {
            hash: hex(hash)?,
            print: if print == "-" { None } else { Some(hex(print)?) },
            size: size.parse().ok()?,
            mtime: if time == "-" { None } else { Some(time.parse().ok()?) },
        };
        if !is_inside(path) {
            return None;
        }
        files.insert(path.to_owned(), entry);
    }
    Some(Manifest { mode, stamp, files })
}

/// Every path a manifest names, whether it verifies or not (a damaged one, or one written
/// by an earlier version of salesbook): these files are salesbook's, not someone else's to
/// carry over.
fn listed_paths(text: &str) -> HashSet<String> {
    text.lines()
        .filter(|l| !l.starts_with(MANIFEST_FORMAT) && !l.starts_with("checksum\t"))
        .filter_map(|l| match l.matches('\t').count() {
            0 => Some(l),
            1 | 2 => l.rsplit('\t').next(),
            _ => l.splitn(5, '\t').nth(4),
        })
        .filter(|p| is_inside(p))
        .map(str::to_owned)
        .collect()
}

/// A copy of `from` made of hard links (a copy where links are not possible), a depth at a
/// time with the folders of each depth in parallel: each folder is made, then what it holds
/// is linked or copied, rather than every folder from one thread after a walk of the whole
/// tree (each page is a folder; BENCHMARKS.md has what each way measured), and not by
/// recursion (see [`found_below`]). Returns what it made, as a walk of `to` would list it.
fn link_tree(from: &Path, to: &Path) -> Result<Vec<Found>, WriteError> {
    /// Each folder to copy: where it is, where it goes, and its path from the top.
    type Copies = Vec<(PathBuf, PathBuf, String, bool)>;
    let mut made = Vec::new();
    let mut level: Copies = vec![(from.to_owned(), to.to_owned(), String::new(), true)];
    while !level.is_empty() {
        let done: Vec<(Vec<Found>, Copies)> = level
            .par_iter()
            .map(|(from, to, rel, exact)| {
                match fs::create_dir(to) {
                    Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(err(to)(e)),
                    _ => {}
                }
                let (mut files, mut folders) = (Vec::new(), Vec::new());
                for entry in fs::read_dir(from).map_err(err(from))?.filter_map(Result::ok) {
                    let (source, target) = (entry.path(), to.join(entry.file_name()));
                    let (rel, exact) = below(rel, *exact, &entry.file_name());
                    match entry.file_type() {
                        Ok(kind) if kind.is_dir() => folders.push((source, target, rel, exact)),
                        Ok(kind) if kind.is_file() => {
                            // A link is the same file: its size and time are the source's.
                            let meta = if fs::hard_link(&source, &target).is_ok() {
                                entry.metadata()
                            } else {
                                fs::copy(&source, &target).map_err(err(&target))?;
                                fs::symlink_metadata(&target)
                            };
                            files.push(Found {
                                rel,
                                path: target,
                                kind,
                                stamp: meta.ok().map(|m| (m.len(), mtime(&m))),
                                exact,
                            });
                        }
                        // Symbolic links are put back last (see `carry_over_foreign_files`): no
                        // page may be written through one.
                        _ => {}
                    }
                }
                Ok((files, folders))
            })
            .collect::<Result<_, WriteError>>()?;
        level = Vec::new();
        for (files, folders) in done {
            made.extend(files);
            level.extend(folders);
        }
    }
    Ok(made)
}

/// Folders a build makes whatever the site holds: a file in them is a build's, never someone
/// else's. (The folders of the content's sections are those the build writes into.)
const GENERATED_FOLDERS: &[&str] = &[
    "customers",
    "competitors",
    "funnel",
    "tiers",
    "owners",
    "tags",
    "exports",
    "search",
];

/// Whether a file that no manifest lists is an earlier build's all the same (its manifest
/// removed, cut short, or the files copied in from another output): then it is not carried
/// over as someone else's. It is when it is a page (every page is a folder's `index.html`),
/// when it lies in a folder a build makes (`tops`, the first folders of this build's files,
/// or one of [`GENERATED_FOLDERS`]), or when it is HTML holding a page token's `<meta>`.
/// What is left is what no build writes: `CNAME`, `.well-known/`, a verification `.html`
/// at the top (the user's own files belong in `static/`, which every build publishes).
fn made_by_a_build(path: &Path, rel: &str, tops: &HashSet<&str>) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let top = rel.split_once('/').map(|(t, _)| t);
    let html = [".html", ".htm"].iter().any(|x| name.to_ascii_lowercase().ends_with(x));
    name == "index.html"
        || top.is_some_and(|t| tops.contains(t) || GENERATED_FOLDERS.contains(&t))
        || (html && fs::read(path).is_ok_and(|b| b.windows(15).any(|w| w == b"name=\"sb-token\"")))
}

/// Files someone else put in the output folder go along into the new output (and are
/// returned, to be checked at the end by [`made_by_a_build`]); their symbolic links are
/// returned, to be made again once every page is written (a page written through a link to
/// a folder would land outside the output).
#[allow(clippy::type_complexity)]
fn carry_over_foreign_files(
    out: &Listing,
    staging: &Path,
    ours: &HashSet<String>,
    suspects: &mut HashSet<String>,
) -> Result<(Vec<(String, PathBuf)>, Vec<String>), WriteError> {
    let mut links = Vec::new();
    let mut carried = Vec::new();
    for Found { rel, path, kind, .. } in &out.0 {
        if rel == MANIFEST || ours.contains(rel) || rel.ends_with(".salesbook-tmp") {
            continue;
        }
        if kind.is_symlink() {
            if let Ok(target) = fs::read_link(path) {
                links.push((rel.clone(), target));
            }
            continue;
        }
        if !kind.is_file() {
            continue;
        }
        let target = staging.join(rel);
        if suspects.remove(rel) {
            replace_with_link(path, &target)?;
            carried.push(rel.clone());
            continue;
        }
        if fs::symlink_metadata(&target).is_ok() {
            continue;
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(err(parent))?;
        }
        if fs::hard_link(path, &target).is_err() {
            fs::copy(path, &target).map_err(err(&target))?;
        }
        carried.push(rel.clone());
    }
    Ok((links, carried))
}

/// Makes the symbolic link `path` → `target` again, unless the build put something there.
fn place_link(path: &Path, target: &Path) -> Result<(), WriteError> {
    if fs::symlink_metadata(path).is_ok() {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(err(parent))?;
    }
    #[cfg(unix)]
    let made = std::os::unix::fs::symlink(target, path);
    #[cfg(windows)]
    let made = {
        let full = path.parent().map_or_else(|| target.to_owned(), |p| p.join(target));
        if full.is_dir() {
            std::os::windows::fs::symlink_dir(target, path)
        } else {
            std::os::windows::fs::symlink_file(target, path)
        }
    };
    #[cfg(not(any(unix, windows)))]
    let made: io::Result<()> = {
        let _ = target;
        Ok(())
    };
    match made {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => Err(err(path)(e)),
        _ => Ok(()),
    }
}

/// Swaps two folders, in one atomic step where the platform has one (see
/// [`crate::platform::swap_dirs`] for the fallback and its window).
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    crate::platform::swap_dirs(a, b)
}

/// Writes through a temporary file and a rename; returns whether the file changed, and its
/// size and time.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(bool, Option<Stamp>), WriteError> {
    if let Ok(meta) = fs::symlink_metadata(path)
        && meta.is_file()
        && meta.len() == bytes.len() as u64
        && fs::read(path).is_ok_and(|old| old == bytes)
    {
        return Ok((false, Some((meta.len(), mtime(&meta)))));
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(err(parent))?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.salesbook-tmp"));
    // Made new, never opened through a link left under its name.
    let _ = fs::remove_file(&tmp);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(err(&tmp))?;
    file.write_all(bytes).map_err(err(&tmp))?;
    // Looked at through the open file, not by name; a rename keeps the time.
    let stamp = file.metadata().ok().map(|m| (m.len(), mtime(&m)));
    drop(file);
    clear_folder(path);
    fs::rename(&tmp, path).map_err(err(path))?;
    Ok((true, stamp))
}

/// Writes a file into a folder that is being built from nothing; returns its size and time.
fn write_new(path: &Path, bytes: &[u8]) -> Result<Option<Stamp>, WriteError> {
    // Pages each have a folder of their own (`customers/a/index.html`): make it first rather
    // than fail to open the file.
    if let Some(parent) = path.parent() {
        match fs::create_dir(parent) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir_all(parent).map_err(err(parent))?,
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(err(parent)(e)),
            _ => {}
        }
    }
    match fs::File::create_new(path) {
        Ok(mut file) => {
            file.write_all(bytes).map_err(err(path))?;
            Ok(file.metadata().ok().map(|m| (m.len(), mtime(&m))))
        }
        // A file of someone else's carried over (perhaps shared with the output): never
        // written in place.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => write_if_changed(path, bytes).map(|(_, stamp)| stamp),
        Err(e) => Err(err(path)(e)),
    }
}

/// Makes `to` another name of `from`'s file (a copy where links are not possible), replacing
/// what `to` was in one rename; returns whether it is a link (not a copy).
fn replace_with_link(from: &Path, to: &Path) -> Result<bool, WriteError> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent).map_err(err(parent))?;
    }
    let name = to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = to.with_file_name(format!(".{name}.salesbook-tmp"));
    let _ = fs::remove_file(&tmp);
    let linked = fs::hard_link(from, &tmp).is_ok();
    if !linked {
        fs::copy(from, &tmp).map_err(err(&tmp))?;
    }
    let renamed = fs::rename(&tmp, to).map_err(err(to));
    // When `to` already was another name of the same file, rename(2) leaves both names.
    let _ = fs::remove_file(&tmp);
    renamed.map(|()| linked)
}

/// Removes a folder (or a link to one) standing where a file is to be written in the staging
/// folder: left by a person, or by a build that failed on it, it would fail every build after.
fn clear_folder(path: &Path) {
    if let Ok(meta) = fs::symlink_metadata(path)
        && !meta.is_file()
    {
        let _ = fs::remove_file(path).or_else(|_| fs::remove_dir_all(path));
    }
}

/// Removes files (and links) standing where `path`, a file in the staging folder `root`,
/// needs a folder, and a folder where it goes: what a failed build or a person left there.
fn clear_way(root: &Path, path: &Path) {
    let mut at = root.to_owned();
    if let Ok(inner) = path.strip_prefix(root) {
        let parts: Vec<_> = inner.components().collect();
        for part in parts.iter().take(parts.len().saturating_sub(1)) {
            at.push(part);
            match fs::symlink_metadata(&at) {
                Ok(meta) if !meta.is_dir() => {
                    let _ = fs::remove_file(&at);
                }
                _ => {}
            }
        }
    }
    clear_folder(path);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_numbers_as_format_writes_them() {
        for v in [0u64, 9, 10, 0xdead_beef, u64::MAX] {
            let (mut hex, mut dec) = (String::new(), String::new());
            push_hex(&mut hex, v);
            push_decimal(&mut dec, v);
            assert_eq!((hex, dec), (format!("{v:016x}"), format!("{v}")));
        }
        for v in [u128::from(u64::MAX) + 1, u128::MAX, 1_796_609_595_315_897_510] {
            let mut dec = String::new();
            push_decimal(&mut dec, v);
            assert_eq!(dec, format!("{v}"));
        }
    }

    #[test]
    fn only_plain_relative_paths_are_inside_the_output() {
        for good in ["index.html", "customers/甲/index.html", "a/b.c/d", "..hidden/x", "a..b"] {
            assert!(is_inside(good), "{good}");
        }
        for bad in [
            "",
            "../x",
            "a/../../x",
            "a/..",
            "./x",
            "/etc/passwd",
            "//server/share",
            MANIFEST,
            "a/.b.salesbook-tmp",
            "a\nb",
            "a\0b",
        ] {
            assert!(!is_inside(bad), "{bad:?}");
        }
        #[cfg(windows)]
        for bad in [r"C:\x", r"a\..\..\x", r"\\server\share\x", r"C:x"] {
            assert!(!is_inside(bad), "{bad:?}");
        }
    }

    fn sample() -> Manifest {
        let entry = |hash, size| Entry {
            hash,
            print: Some(7),
            size,
            mtime: Some(1_700_000_000_123_456_789),
        };
        Manifest {
            mode: "public".into(),
            stamp: 42,
            files: [
                ("index.html".to_owned(), entry(1, 10)),
                (
                    "a\tb/index.html".to_owned(),
                    Entry {
                        print: None,
                        mtime: None,
                        ..entry(2, 20)
                    },
                ),
            ]
            .into_iter()
            .collect(),
        }
    }

    #[test]
    fn a_manifest_reads_back_only_whole_and_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        write_manifest(dir.path(), &sample()).unwrap();
        let text = fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
        assert_eq!(parse_manifest(&text), Some(sample()));
        assert_eq!(
            listed_paths(&text),
            ["index.html", "a\tb/index.html"].map(str::to_owned).into()
        );
        // Cut anywhere, or with any line changed, it vouches for nothing.
        for cut in 0..text.len() - 1 {
            assert_eq!(parse_manifest(&text[..cut]), None, "cut at {cut}");
        }
        assert_eq!(parse_manifest(&text.replace("\t10\t", "\t11\t")), None);
        assert_eq!(parse_manifest(&text.replace("public", "internal")), None);
        // The format of earlier versions: no header, no checksum.
        assert_eq!(parse_manifest("0000000000000001\t-\tindex.html\n"), None);
        assert_eq!(
            listed_paths("0000000000000001\t-\tindex.html\n0000000000000002\tb/index.html\n"),
            ["index.html", "b/index.html"].map(str::to_owned).into()
        );
    }

    #[test]
    fn the_writer_leaves_a_file_named_as_the_output_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("notes.txt");
        fs::write(&out, "mine").unwrap();
        let files = [OutputFile::new("index.html", "page")];
        let e = write_output(&out, &files).unwrap_err();
        assert!(e.to_string().contains("not a folder"), "{e}");
        assert_eq!(fs::read_to_string(&out).unwrap(), "mine");
        assert!(write_output(&out, &files).is_err());
        assert_eq!(fs::read_to_string(&out).unwrap(), "mine");
    }

    #[test]
    fn a_path_that_leaves_the_folder_makes_the_manifest_void() {
        let mut m = sample();
        m.files.insert("../x".into(), m.files["index.html"]);
        let dir = tempfile::tempdir().unwrap();
        write_manifest(dir.path(), &m).unwrap();
        let text = fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
        assert_eq!(parse_manifest(&text), None);
        assert!(!listed_paths(&text).contains("../x"));
    }
}
