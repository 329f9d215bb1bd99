//! Loading: walk `content/` and read every markdown file as UTF-8 text; walk `static/`.
//! Both walks stay inside the site folder: a site is shared in git and written by many
//! hands, so a symbolic link is an input like any other and may point anywhere.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Pos};

/// One markdown file of the site, read and normalised (no BOM, `\n` line ends).
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the site root, forward slashes: `content/customers/huadong.md`.
    pub rel_path: String,
    /// Relative to `content/`, without extension: `customers/huadong`.
    pub content_path: String,
    /// Where it was read from (for reading its body again at render time).
    pub path: PathBuf,
    pub text: String,
    pub hash: u64,
}

/// Whether a file name is an editor's or the system's, never content. Windows adds its
/// thumbnail cache and folder settings to folders, and Office and WPS a `~$` lock file
/// beside an open document.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.starts_with("~$")
        || name.eq_ignore_ascii_case("thumbs.db")
        || name.eq_ignore_ascii_case("desktop.ini")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".bak")
}

/// Every `.md` path under `content/`, sorted, plus diagnostics for what could not be walked.
pub fn find_sources(root: &Path) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let (found, diags) = walk(root, &root.join("content"), false);
    let mut paths: Vec<PathBuf> = found
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    // The same order as a list kept up to date by `Builder::rebuild`.
    paths.sort();
    (paths, diags)
}

/// The files of the site's `static/` folder, as (output name, path), with the same rules
/// for symbolic links as `content/`, and one more: a link into `content/` or to a folder
/// that holds `static/` (the site root) is skipped too, as everything under `static/` is
/// published as it is, and the sources hold what `--public` leaves out.
pub fn static_files(root: &Path) -> (Vec<(String, PathBuf)>, Vec<Diagnostic>) {
    let dir = root.join("static");
    let (found, mut diags) = walk(root, &dir, true);
    let mut files = Vec::with_capacity(found.len());
    for p in found {
        let name = rel(&dir, &p);
        match unpublishable(&name) {
            Some(why) => {
                let d = Diagnostic::error(shown(&rel(root, &p)), why);
                diags.push(d.help("rename the file"));
            }
            None => files.push((name, p)),
        }
    }
    (files, diags)
}

/// Why a static file cannot be published under its name, if it cannot: a control character
/// (a line break in a name would forge lines of the printed diagnostics, so the name is
/// shown escaped), or a name of salesbook's own files (`*.salesbook-tmp`, …), which the
/// writer would take for one of them.
fn unpublishable(name: &str) -> Option<String> {
    if name.chars().any(char::is_control) {
        return Some(
            "this file name holds a control character (a line break, tab or NUL); it cannot be published".into(),
        );
    }
    let own = name.split('/').find(|n| crate::model::is_salesbook_name(n))?;
    Some(format!(
        "`{}` is a name of salesbook's own files in and beside an output folder; it cannot be published",
        shown(own)
    ))
}

/// Whether `path` (a file under the site root, maybe a symbolic link) resolves to a place
/// inside the root or its `content/`: a site's files are read from nowhere else.
pub fn stays_inside(root: &Path, path: &Path) -> bool {
    let Ok(real) = path.canonicalize() else {
        return false;
    };
    // `content/` may itself be a link to a folder elsewhere: its tree counts as inside.
    [root.to_owned(), root.join("content")]
        .iter()
        .any(|r| r.canonicalize().is_ok_and(|r| real.starts_with(r)))
}

/// Whether `import` and `new` may write into `dir` (a folder under `root`, maybe not there
/// yet): every part of it that exists must pass the build's rule, [`stays_inside`], or the
/// page would be written through a link to a place the build does not read.
pub fn writable_folder(root: &Path, dir: &Path) -> Result<(), String> {
    let inner = dir.strip_prefix(root).unwrap_or(dir);
    let mut at = root.to_owned();
    for part in inner.components() {
        at.push(part);
        if at.symlink_metadata().is_err() {
            return Ok(());
        }
        if !stays_inside(root, &at) {
            return Err(format!(
                "{} is a symbolic link to a place outside the site folder (the build skips it); nothing was written",
                shown(&rel(root, &at))
            ));
        }
    }
    Ok(())
}

/// The files under `dir` (editor and hidden files left out), following symbolic links only
/// where they resolve inside the site root: a link out of the root (to `/etc/passwd`, to
/// another team's folder) is a warning naming the link, and is skipped.
fn walk(root: &Path, dir: &Path, published: bool) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    if !dir.is_dir() {
        return (files, diags);
    }
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_owned());
    let real_dir = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    let real_content = root
        .join("content")
        .canonicalize()
        .unwrap_or_else(|_| real_root.join("content"));
    let mut it = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = it.next() {
        let e = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = shown(&err.path().map(|p| rel(root, p)).unwrap_or_else(|| rel(root, dir)));
                let dangling = err
                    .path()
                    .is_some_and(|p| p.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) && !p.exists());
                let d = if err.loop_ancestor().is_some() {
                    Diagnostic::error(path, "symbolic link loop; this folder is skipped")
                } else if dangling {
                    Diagnostic::error(
                        path,
                        "broken symbolic link: what it points to does not exist; it is skipped",
                    )
                    .help("remove the link, or restore the file it points to")
                } else {
                    let why = err.io_error().map_or_else(|| err.to_string(), |e| e.to_string());
                    Diagnostic::error(path, format!("cannot read: {why}"))
                };
                diags.push(d);
                continue;
            }
        };
        if e.depth() > 0 && is_ignored_name(&e.file_name().to_string_lossy()) {
            if e.file_type().is_dir() {
                it.skip_current_dir();
            }
            continue;
        }
        if e.file_name().to_str().is_none() {
            // Its name could only be guessed at (as U+FFFD), in the output and in links.
            let d = Diagnostic::error(
                shown(&rel(root, e.path())),
                "this name is not UTF-8 text; it is skipped",
            );
            diags.push(d.help("rename it: names are written as they are in URLs, which are UTF-8"));
            if e.file_type().is_dir() {
                it.skip_current_dir();
            }
            continue;
        }
        // `content/` or `static/` itself may be a link (to a folder shared between sites): its
        // own tree counts as inside.
        if e.depth() > 0 && e.path_is_symlink() {
            let target = e.path().canonicalize().ok();
            let inside = target
                .as_ref()
                .is_some_and(|p| p.starts_with(&real_root) || p.starts_with(&real_dir));
            let sources = published
                && target
                    .as_ref()
                    .is_some_and(|p| real_dir.starts_with(p) || p.starts_with(&real_content));
            // Nor, when published, links to a hidden folder (`.git`), to a build output (its
            // manifest: an internal build linked into a public one) or to anything holding a
            // site's `content/`.
            let private = published
                && target
                    .as_ref()
                    .is_some_and(|p| p.starts_with(&real_root) && holds_private(&real_root, p));
            if sources || private {
                let d = Diagnostic::warning(
                    shown(&rel(root, e.path())),
                    "symbolic link to the site's sources (content/, a folder that holds static/ or content/, a hidden \
                     folder, or a build output); it is skipped",
                );
                diags.push(d.help("everything under static/ is published: link to the files to publish only"));
                if e.file_type().is_dir() {
                    it.skip_current_dir();
                }
                continue;
            }
            if !inside {
                let d = Diagnostic::warning(
                    shown(&rel(root, e.path())),
                    "symbolic link to a place outside the site folder; it is skipped",
                );
                diags.push(d.help("copy what it points to into the site, or link to a file inside the site folder"));
                if e.file_type().is_dir() {
                    it.skip_current_dir();
                }
                continue;
            }
        }
        let kind = e.file_type();
        if kind.is_file() {
            files.push(e.into_path());
        } else if kind.is_dir() {
            if !published && e.depth() > 0 && e.path().extension().is_some_and(|x| x == "md") {
                let d = Diagnostic::warning(shown(&rel(root, e.path())), "this is a folder, not a page");
                diags.push(d.help("a page is a file: rename the folder if it is not meant to look like one"));
            }
        } else {
            // A named pipe or a device would block or never end when read.
            let d = Diagnostic::warning(
                shown(&rel(root, e.path())),
                "not a regular file (a pipe, socket or device); it is skipped",
            );
            diags.push(d.help("only files and folders are read from a site"));
        }
    }
    (files, diags)
}

/// Whether `target` (a link's real path, inside `root`) is, or is inside, a hidden folder or a
/// build output, or holds a site's `content/`: not for publishing through a link.
fn holds_private(root: &Path, target: &Path) -> bool {
    let Ok(inner) = target.strip_prefix(root) else {
        return false;
    };
    let hidden = inner
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    let output = target
        .ancestors()
        .take_while(|a| a.starts_with(root))
        .any(|a| a.join(crate::output::MANIFEST).exists());
    hidden || output || target.join("content").is_dir()
}

/// A name as a diagnostic shows it: control characters escaped (`\n`), so that a line break
/// in a file name cannot make the printed diagnostics say something else.
pub fn shown(name: &str) -> String {
    if !name.chars().any(char::is_control) {
        return name.to_owned();
    }
    name.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The path of `p` relative to `root`, with forward slashes: the form of every page path,
/// output path and URL. A backslash is a separator too, on every platform: it is Windows'
/// separator, and browsers read it as `/` in a URL, so a page path never holds one.
pub fn rel(root: &Path, p: &Path) -> String {
    let r = p.strip_prefix(root).unwrap_or(p);
    let joined = r
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    if joined.contains('\\') {
        joined.replace('\\', "/")
    } else {
        joined
    }
}

/// Reads the given files in parallel; a file that cannot be read or is not UTF-8 is a diagnostic.
pub fn read_sources(root: &Path, paths: &[PathBuf]) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let results: Vec<Result<SourceFile, Diagnostic>> = paths.par_iter().map(|p| read_source(root, p)).collect();
    let mut files = Vec::with_capacity(results.len());
    let mut diags = Vec::new();
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(d) => diags.push(d),
        }
    }
    (files, diags)
}

/// The text of files open in an editor and not saved yet (`salesbook lsp`), by the path the
/// build reads them from: the loader reads these instead of the disk, so that a build
/// checks what the user sees while typing. Empty for every other command.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    texts: std::collections::HashMap<PathBuf, String>,
}

impl Overlay {
    pub fn set(&mut self, path: PathBuf, text: String) {
        self.texts.insert(path, text);
    }

    pub fn remove(&mut self, path: &Path) {
        self.texts.remove(path);
    }

    pub fn get(&self, path: &Path) -> Option<&str> {
        self.texts.get(path).map(String::as_str)
    }

    /// The pages under `root`'s `content/` open in an editor that are not on the disk (yet).
    pub fn unsaved_pages<'a>(&'a self, root: &'a Path) -> impl Iterator<Item = PathBuf> + 'a {
        let content = root.join("content");
        self.texts
            .keys()
            .filter(move |p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or(".");
                p.starts_with(&content) && name.ends_with(".md") && !is_ignored_name(name) && !p.exists()
            })
            .cloned()
    }

    /// The file's bytes: the editor's text if it is open, else the disk's.
    pub fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        match self.texts.get(path) {
            Some(text) => Ok(text.as_bytes().to_vec()),
            None => std::fs::read(path),
        }
    }

    /// [`read_source`], with the editor's text for an open file.
    pub fn read_source(&self, root: &Path, path: &Path) -> Result<SourceFile, Diagnostic> {
        let Some(text) = self.texts.get(path) else {
            return read_source(root, path);
        };
        let mut src = source_from_bytes(rel(root, path), text.as_bytes().to_vec())?;
        src.path = path.to_owned();
        Ok(src)
    }
}

pub fn read_source(root: &Path, path: &Path) -> Result<SourceFile, Diagnostic> {
    let rel_path = rel(root, path);
    let bytes = std::fs::read(path).map_err(|e| Diagnostic::error(&rel_path, format!("cannot read this file: {e}")))?;
    let mut src = source_from_bytes(rel_path, bytes)?;
    src.path = path.to_owned();
    Ok(src)
}

/// Normalised text of a file read before, if its content is still what was read then
/// (`hash`): a page's body is read again when it renders instead of being kept in memory.
pub fn reread(path: &Path, hash: u64) -> Option<String> {
    let src = source_from_bytes(String::new(), std::fs::read(path).ok()?).ok()?;
    (src.hash == hash).then_some(src.text)
}

/// Decodes and normalises file bytes; not-UTF-8 text (GBK saved on Windows) is a clear error.
pub fn source_from_bytes(rel_path: String, bytes: Vec<u8>) -> Result<SourceFile, Diagnostic> {
    // Checked with SIMD first (every source of every build: 200 MB at 50,000 pages, where
    // the standard check took 1.6% of a build's instructions on Chinese text).
    let checked = match simdutf8::basic::from_utf8(&bytes) {
        // SAFETY: simdutf8 has just checked that `bytes` is UTF-8.
        Ok(_) => Ok(unsafe { String::from_utf8_unchecked(bytes) }),
        Err(_) => String::from_utf8(bytes),
    };
    let text = match checked {
        Ok(t) => t,
        Err(e) => {
            let bytes = e.as_bytes();
            let bad = e.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&bytes[..bad]);
            let pos = Pos::of_offset(&valid, valid.len());
            let lossy = String::from_utf8_lossy(bytes);
            let d = Diagnostic::error(
                &rel_path,
                format!(
                    "this file is not UTF-8 text (byte 0x{:02X} at line {}, column {})",
                    bytes[bad], pos.line, pos.column
                ),
            );
            // The line is shown only from what looks like a page: never a line of any other
            // file (a key, a password file) that a link or a mistake put under content/.
            let mut d = if bytes.starts_with(b"---") {
                d.at(&lossy, pos, 1)
            } else {
                Diagnostic { line: pos.line, column: pos.column, ..d }
            }
            .help("save it as UTF-8; files saved by Windows editors in GBK/GB2312 (ANSI) must be converted, e.g. `iconv -f GBK -t UTF-8`");
            d.source_line = d.source_line.map(|l| l.replace('\r', ""));
            return Err(d);
        }
    };
    // The common case (no byte-order mark, Unix line ends) keeps the buffer as read.
    let has_cr = |t: &str| memchr::memchr(b'\r', t.as_bytes()).is_some();
    let text = match text.strip_prefix('\u{feff}') {
        Some(t) if has_cr(t) => t.replace("\r\n", "\n"),
        Some(t) => t.to_owned(),
        None if has_cr(&text) => text.replace("\r\n", "\n"),
        None => text,
    };
    let content_path = rel_path
        .strip_prefix("content/")
        .unwrap_or(&rel_path)
        .trim_end_matches(".md")
        .to_owned();
    Ok(SourceFile {
        hash: hash(text.as_bytes()),
        path: PathBuf::from(&rel_path),
        rel_path,
        content_path,
        text,
    })
}

/// Text that should be UTF-8 (a template's output), checked quickly; any bad byte shown as
/// U+FFFD instead of failing.
pub fn utf8_lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// The content hash of file bytes, for change detection (sources, output files, the output
/// manifest's checksum): aHash with fixed keys, as a build hashes every source and every
/// output file, where SipHash cost far more CPU. Not for security; another version of the
/// hasher may give other values, which only makes the first build after it compare output
/// bytes again. Fingerprints and stamps of anything else go through the one hasher of
/// `crate::hasher` (see [`crate::incremental`]).
pub fn hash(bytes: &[u8]) -> u64 {
    static KEYS: std::sync::OnceLock<ahash::RandomState> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| ahash::RandomState::with_seeds(0x5a1e_5b00, 0x6b6f_6f6b, 0x0d15_ea5e, 0xfee1_600d))
        .hash_one(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_is_a_clear_error() {
        // "标题" in GBK
        let bytes = b"---\ntitle: \xb1\xea\xcc\xe2\n---\n".to_vec();
        let d = source_from_bytes("content/a.md".into(), bytes).unwrap_err();
        assert_eq!((d.line, d.column), (2, 8));
        assert!(d.message.contains("not UTF-8"));
        assert!(d.help.unwrap().contains("GBK"));
    }

    #[test]
    fn paths_with_backslashes_give_urls_with_slashes() {
        // As Windows writes them; on Linux the backslashes are inside one file name.
        let root = Path::new("/site");
        let rel_path = rel(root, Path::new(r"/site/content\customers\华东 a.md"));
        assert_eq!(rel_path, "content/customers/华东 a.md");
        let f = source_from_bytes(rel_path, b"---\ntitle: x\n---\n".to_vec()).unwrap();
        assert_eq!(f.content_path, "customers/华东 a");
        assert_eq!(rel(root, Path::new("/site/content/a.md")), "content/a.md");
    }

    #[test]
    fn bom_and_crlf_are_normalised() {
        let f = source_from_bytes(
            "content/customers/a.md".into(),
            "\u{feff}---\r\ntitle: x\r\n---\r\nbody\r\n".into(),
        )
        .unwrap();
        assert_eq!(f.text, "---\ntitle: x\n---\nbody\n");
        assert_eq!(f.content_path, "customers/a");
    }
}
