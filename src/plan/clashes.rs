//! Output paths that cannot all be written, found before anything is: the writer would
//! otherwise fail with an OS error (a file where a folder must be), silently keep one of two
//! files (a static file at a page's or a generated file's path), or, on macOS and Windows, one of two folders whose
//! names differ only in case. Each is a diagnostic naming the files that made them.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::{Gen, Job, Route};
use crate::diagnostics::Diagnostic;
use crate::output::OutputFile;
use crate::site::Site;

/// Every pair of output paths that cannot both be written: case twins, a static file over a
/// page or a generated file, and a file where a folder must be (`statics`: the theme's and
/// the site's static files; `search`: whether the search index is made).
pub fn clashes(site: &Site, routes: &[Route], statics: &[OutputFile], search: bool) -> Vec<Diagnostic> {
    // Two independent reads of every path, each on its own core (the plan runs alone).
    let (mut diags, folders) = rayon::join(
        || case_twins(site, routes),
        || file_folder_clashes(site, routes, statics, search),
    );
    diags.extend(folders);
    diags
}

/// Output paths that cannot both be written: a static file at a page's path (it would
/// silently replace the page), and a file where another path needs a folder (a static file
/// `customers/a` beside the page `customers/a/`, a page `funnel.json.md`): the write would
/// fail with an OS error instead of a diagnostic.
fn file_folder_clashes(site: &Site, jobs: &[Route], statics: &[OutputFile], search: bool) -> Vec<Diagnostic> {
    let page = |job: &Job| match job {
        Job::Page(id) | Job::Brief(id) => Some(site.doc(*id).rel_path.clone()),
        _ => None,
    };
    // Looked up for every output path: kept to the few files that are not pages.
    let static_paths: HashSet<&str, ahash::RandomState> = statics.iter().map(|f| &*f.path).collect();
    let mut diags = Vec::new();
    for Route { path, job, .. } in jobs {
        if !static_paths.contains(path.as_str()) {
            continue;
        }
        match page(job) {
            Some(file) => {
                let msg = format!("static/{path} has the path of the page {file}, and would replace it");
                diags.push(Diagnostic::error(file, msg).help("move the static file, or give the page another `slug:`"));
            }
            None => diags.push(replaces_generated(path)),
        }
    }
    // Files made beside the pages: `funnel.json` and, with search, the index's scripts.
    for f in statics {
        if &*f.path == "funnel.json" || (search && crate::search::is_index_file(&f.path)) {
            diags.push(replaces_generated(&f.path));
        }
    }
    // Every page is a folder's `index.html`: only other files can stand where a folder must.
    // Compared folded: on macOS and Windows a file `Customers/A` stands where `customers/a/`
    // must be a folder.
    let files: HashMap<Cow<str>, (&str, Option<&Job>), ahash::RandomState> = jobs
        .iter()
        .filter(|r| !r.path.ends_with("index.html"))
        .map(|r| (r.path.as_str(), Some(&r.job)))
        .chain(statics.iter().map(|f| (&*f.path, None)))
        .chain([("funnel.json", None)])
        .map(|(p, j)| (folded(p), (p, j)))
        .collect();
    // A path can only clash when its first folder is the first folder of such a file.
    let tops: HashSet<&str, ahash::RandomState> = files.keys().map(|f| f.split('/').next().unwrap_or(f)).collect();
    let mut reported = HashSet::new();
    let paths = jobs
        .iter()
        .map(|r| (r.path.as_str(), Some(&r.job)))
        .chain(statics.iter().map(|f| (&*f.path, None)));
    for (path, job) in paths {
        if !tops.contains(&*folded(path.split('/').next().unwrap_or(path))) {
            continue;
        }
        for (at, _) in path.match_indices('/') {
            let Some(&(folder, file_job)) = files.get(&folded(&path[..at])) else {
                continue;
            };
            if !reported.insert(folder) {
                break;
            }
            let name = |j: Option<&Job>, p: &str| match j {
                Some(j) => page(j).unwrap_or_else(|| format!("the generated /{p}")),
                None if p == "funnel.json" => "the generated /funnel.json".to_owned(),
                None => format!("the static file {p}"),
            };
            let (file, other) = match job.and_then(&page) {
                Some(page_file) => (page_file, name(file_job, folder)),
                None => (name(file_job, folder), name(job, path)),
            };
            let mut msg = format!("/{folder} is a file ({other}), where /{path} needs a folder");
            if folder != &path[..at] {
                msg.push_str(" (names that differ only in case or Unicode normalization are one on macOS and Windows)");
            }
            diags.push(Diagnostic::error(file, msg).help("rename one of them: a name cannot be a file and a folder"));
            break;
        }
    }
    diags.extend(static_twins(site, jobs, statics, search));
    diags
}

/// A path as macOS and Windows compare it ([`crate::site::fold_name`]); an all-lowercase
/// ASCII path, most of a site's, is its own fold and is not copied.
fn folded(path: &str) -> Cow<'_, str> {
    if path.is_ascii() && !path.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(crate::site::fold_name(path))
    }
}

/// Static files whose paths differ from a page's, a generated file's or another static
/// file's only in case or Unicode normalization (`static/Customers/A/index.html` beside the
/// page `customers/a/`, `static/Funnel.json`, `static/SEARCH.JS` beside the theme's
/// `search.js`): both are written on Linux, but on macOS (and, for case, Windows) they are
/// one file and the later silently replaces the other, as an exact clash would.
fn static_twins(site: &Site, jobs: &[Route], statics: &[OutputFile], search: bool) -> Vec<Diagnostic> {
    let how = |a: &str, b: &str| {
        if a.to_lowercase() == b.to_lowercase() {
            "case: macOS and Windows"
        } else {
            "case or Unicode normalization (NFC and NFD): macOS"
        }
    };
    let twin = |file: String, path: &str, other: &str, other_path: &str| {
        let msg = format!(
            "static/{path} and {other} differ only in {} would write them to one file, and one would replace the other",
            how(path, other_path)
        );
        let help = if file.starts_with("static/") {
            "rename the static file"
        } else {
            "rename the static file, or give the page another `slug:`"
        };
        Diagnostic::error(file, msg).help(help)
    };
    let mut diags = Vec::new();
    // Statics are few next to pages: only their folds are kept.
    let mut by_fold: HashMap<Cow<str>, &str, ahash::RandomState> = HashMap::default();
    for f in statics {
        let path = &*f.path;
        let fold = folded(path);
        let generated = if fold == "funnel.json" && path != "funnel.json" {
            Some("the generated /funnel.json")
        } else if search && crate::search::is_index_file(&fold) && !crate::search::is_index_file(path) {
            Some("the search index's files (/search/*.js)")
        } else {
            None
        };
        if let Some(g) = generated {
            diags.push(twin(format!("static/{path}"), path, g, &fold));
        }
        match by_fold.get(&fold) {
            // Site static files follow the theme's: the later one is the site's.
            Some(first) if *first != path => {
                let other = format!("the static file /{first} (the theme's or static/'s)");
                diags.push(twin(format!("static/{path}"), path, &other, first));
            }
            _ => {
                by_fold.insert(fold, path);
            }
        }
    }
    for Route { path, job, .. } in jobs {
        let Some(&s) = by_fold.get(&folded(path)) else {
            continue;
        };
        if s == path {
            continue;
        }
        let url = format!("/{}", path.strip_suffix("index.html").unwrap_or(path));
        diags.push(match job {
            Job::Page(id) | Job::Brief(id) => {
                let file = &site.doc(*id).rel_path;
                twin(file.clone(), s, &format!("the page {file} ({url})"), path)
            }
            _ => twin(format!("static/{s}"), s, &format!("the generated {url}"), path),
        });
    }
    diags
}

/// A static file at the path of a file salesbook makes (the home page, `404.html`, a section
/// list, an export, the search index): it used to replace it without a word.
fn replaces_generated(path: &str) -> Diagnostic {
    let url = path.strip_suffix("index.html").unwrap_or(path);
    let msg = format!("static/{path} has the path of the generated /{url}, and would replace it");
    Diagnostic::error(format!("static/{path}"), msg)
        .help("move or rename the static file: salesbook makes this one (a theme's templates change how it looks)")
}

/// Output files whose paths differ only in case (a folder `content/Funnel.md` makes beside the
/// generated `funnel/`, or two section folders `Notes/` and `notes/`): one file on macOS and
/// Windows. Two pages are left to the site's index, which reports them at their `slug:`.
/// Names that differ only in Unicode normalization (`é` in NFC and NFD) are one folder on
/// macOS. Only paths with a capital letter or a character beyond ASCII are folded: an
/// all-lowercase ASCII site builds no map.
fn case_twins(site: &Site, jobs: &[Route]) -> Vec<Diagnostic> {
    let upper: Vec<usize> = (0..jobs.len())
        .filter(|i| !jobs[*i].path.is_ascii() || jobs[*i].path.chars().any(char::is_uppercase))
        .collect();
    if upper.is_empty() {
        return Vec::new();
    }
    let exact: HashMap<&str, usize, ahash::RandomState> =
        jobs.iter().enumerate().map(|(i, r)| (r.path.as_str(), i)).collect();
    let mut folded: HashMap<String, usize, ahash::RandomState> = HashMap::default();
    let source = |job: &Job| match job {
        Job::Page(id) | Job::Brief(id) => Some(site.doc(*id).rel_path.clone()),
        Job::Gen(Gen::Section { key, .. }) => Some(format!("content/{key}")),
        _ => None,
    };
    let mut diags = Vec::new();
    // A list's later pages twin with its first: one report per file.
    let mut reported = HashSet::new();
    for i in upper {
        let Route { path, job, .. } = &jobs[i];
        let fold = crate::site::fold_name(path);
        let other = match exact.get(fold.as_str()) {
            // (A lowercase name beyond ASCII folds to itself.)
            Some(j) if *j != i => *j,
            _ => match folded.get(&fold) {
                Some(j) => *j,
                None => {
                    folded.insert(fold, i);
                    continue;
                }
            },
        };
        let Route {
            path: other_path,
            job: other_job,
            ..
        } = &jobs[other];
        let pages = |j: &Job| matches!(j, Job::Page(_) | Job::Brief(_));
        if pages(job) && pages(other_job) {
            continue;
        }
        let url = |p: &str| format!("/{}", p.trim_end_matches("index.html"));
        let Some(file) = source(job).or_else(|| source(other_job)) else {
            continue;
        };
        if !reported.insert(file.clone()) {
            continue;
        }
        let how = if other_path.to_lowercase() == path.to_lowercase() {
            "case: macOS and Windows"
        } else {
            "case or Unicode normalization (NFC and NFD): macOS"
        };
        let msg = format!(
            "{} and {} differ only in {how} would write them to one folder",
            url(other_path),
            url(path)
        );
        diags.push(Diagnostic::error(file, msg).help("rename the file or folder, or give the page another `slug:`"));
    }
    diags
}
