//! Writing a build to disk: only files whose bytes changed are written (each through a
//! temporary file and a rename, so no file is ever half-written), and files of pages that no
//! longer exist are removed. A manifest records what salesbook wrote, so nothing else in the
//! output folder is ever touched.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::Path;

use crate::render::OutputFile;

pub const MANIFEST: &str = ".salesbook-manifest";

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
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

/// Writes `files` into `out`, skipping unchanged files and removing stale ones.
pub fn write_output(out: &Path, files: &[OutputFile]) -> Result<WriteStats, WriteError> {
    use rayon::prelude::*;
    fs::create_dir_all(out).map_err(err(out))?;
    let results: Vec<Result<bool, WriteError>> = files
        .par_iter()
        .map(|f| write_if_changed(&out.join(&*f.path), &f.bytes))
        .collect();
    let mut stats = WriteStats::default();
    for r in results {
        if r? {
            stats.written += 1;
        } else {
            stats.unchanged += 1;
        }
    }
    let manifest_path = out.join(MANIFEST);
    let now: HashSet<&str> = files.iter().map(|f| &*f.path).collect();
    if let Ok(previous) = fs::read_to_string(&manifest_path) {
        for old in previous.lines().filter(|l| !l.is_empty() && !now.contains(l)) {
            if old.split('/').any(|part| part == ".." || part.is_empty()) {
                continue;
            }
            let path = out.join(old);
            if fs::remove_file(&path).is_ok() {
                stats.removed += 1;
                remove_empty_parents(out, &path);
            }
        }
    }
    let mut listing: Vec<&str> = now.into_iter().collect();
    listing.sort_unstable();
    write_if_changed(&manifest_path, (listing.join("\n") + "\n").as_bytes())?;
    Ok(stats)
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

fn remove_empty_parents(out: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == out || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
