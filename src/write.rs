//! Writing a build to disk so that the output folder is always one complete build.
//!
//! The build is written into a staging folder beside the output (`.public.salesbook-next`),
//! kept from the build before last (made of hard links to the output the first time): only
//! files whose content differs are written there (each through a temporary file and a
//! rename, never in place), files of pages that no longer exist are removed. Then the
//! staging folder and the output folder are exchanged in one atomic
//! `renameat2(RENAME_EXCHANGE)`: a build killed at any moment leaves the previous output
//! complete and untouched, and the old output becomes the next build's staging folder.
//!
//! Each folder's manifest lists the files salesbook wrote with a hash of their bytes, so
//! unchanged files are recognised without reading them. A staging folder's manifest is
//! removed before it is touched and written back last: after a kill, the next build compares
//! bytes instead of trusting it. Files someone else put in the output folder are carried over.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::render::OutputFile;

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

/// Writes `files` as the new content of `out`, atomically. `written` counts the files whose
/// bytes differ from the output being replaced.
pub fn write_output(out: &Path, files: &[OutputFile]) -> Result<WriteStats, WriteError> {
    use rayon::prelude::*;
    let staging = staging_dir(out);
    if !staging.exists() && out.is_dir() {
        link_tree(out, &staging)?;
    }
    let hashes: Vec<u64> = files.par_iter().map(|f| crate::load::hash(&f.bytes)).collect();
    let current = read_manifest(out);
    let mut stats = WriteStats::default();
    for (f, h) in files.iter().zip(&hashes) {
        if current.get(&*f.path) == Some(&Some(*h)) {
            stats.unchanged += 1;
        } else {
            stats.written += 1;
        }
    }
    let now: HashSet<&str> = files.iter().map(|f| &*f.path).collect();
    stats.removed = current.keys().filter(|p| !now.contains(p.as_str())).count();
    sync(&staging, files, &hashes)?;
    carry_over_foreign_files(out, &staging)?;
    if out.exists() {
        exchange(&staging, out).map_err(err(out))?;
    } else {
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(err(parent))?;
        }
        fs::rename(&staging, out).map_err(err(out))?;
    }
    Ok(stats)
}

/// Brings `dir` to exactly `files` (plus whatever salesbook did not write there).
fn sync(dir: &Path, files: &[OutputFile], hashes: &[u64]) -> Result<(), WriteError> {
    use rayon::prelude::*;
    fs::create_dir_all(dir).map_err(err(dir))?;
    let manifest_path = dir.join(MANIFEST);
    let known = read_manifest(dir);
    // From here until the new manifest is written, this folder's manifest is not to be trusted.
    match fs::remove_file(&manifest_path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(err(&manifest_path)(e)),
        _ => {}
    }
    files.par_iter().zip(hashes).try_for_each(|(f, h)| {
        if known.get(&*f.path) == Some(&Some(*h)) {
            return Ok(());
        }
        write_if_changed(&dir.join(&*f.path), &f.bytes).map(|_| ())
    })?;
    let now: HashSet<&str> = files.iter().map(|f| &*f.path).collect();
    for old in known.keys().filter(|p| !now.contains(p.as_str())) {
        let path = dir.join(old);
        if fs::remove_file(&path).is_ok() {
            remove_empty_parents(dir, &path);
        }
    }
    let mut listing: Vec<String> = files
        .iter()
        .zip(hashes)
        .map(|(f, h)| format!("{h:016x}\t{}", f.path))
        .collect();
    listing.sort_unstable_by(|a, b| a[17..].cmp(&b[17..]));
    write_if_changed(&manifest_path, (listing.join("\n") + "\n").as_bytes())?;
    Ok(())
}

/// The files salesbook wrote into `dir` (safe relative paths only), with their hash when the
/// manifest records one.
fn read_manifest(dir: &Path) -> std::collections::HashMap<String, Option<u64>> {
    let text = fs::read_to_string(dir.join(MANIFEST)).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let (hash, path) = match l.split_once('\t') {
                Some((h, p)) => (u64::from_str_radix(h, 16).ok(), p),
                None => (None, l),
            };
            let safe =
                !path.is_empty() && !path.starts_with('/') && !path.split('/').any(|p| p == ".." || p.is_empty());
            safe.then(|| (path.to_owned(), hash))
        })
        .collect()
}

/// A copy of `from` made of hard links (a copy where links are not possible).
fn link_tree(from: &Path, to: &Path) -> Result<(), WriteError> {
    for entry in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let target = to.join(entry.path().strip_prefix(from).unwrap_or(entry.path()));
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).map_err(err(&target))?;
        } else if entry.file_type().is_file() && fs::hard_link(entry.path(), &target).is_err() {
            fs::copy(entry.path(), &target).map_err(err(&target))?;
        }
    }
    Ok(())
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

/// Swaps two folders in one step (Linux `renameat2(RENAME_EXCHANGE)`); elsewhere, or on a
/// file system without it, two renames with the old output kept until the second.
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let ca = CString::new(a.as_os_str().as_bytes())?;
        let cb = CString::new(b.as_os_str().as_bytes())?;
        // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them like rename(2).
        let r = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if !matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
            return Err(e);
        }
    }
    let aside = b.with_file_name(format!(
        ".{}.salesbook-old",
        b.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    let _ = fs::remove_dir_all(&aside);
    fs::rename(b, &aside)?;
    fs::rename(a, b)?;
    fs::rename(&aside, a)
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

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
