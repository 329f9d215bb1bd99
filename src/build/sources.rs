//! The sources of a build and their parses: the markdown files of `content/`, read and
//! parsed once and kept by path with their content hash, so that a rebuild reads and parses
//! only the files that changed (or every file, when what a parse depends on changed: see
//! [`incremental::parse_stamp`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::Builder;
use crate::body;
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::incremental;
use crate::load;
use crate::site::{self, ParsedDoc, SectionText};

pub(super) enum Parsed {
    Doc(Arc<ParsedDoc>),
    // Boxed: a section's text is far larger than the other variants.
    Section(Box<SectionText>),
    Nothing,
}

pub(super) struct CacheEntry {
    hash: u64,
    config_stamp: u64,
    parsed: Parsed,
    diags: Vec<Diagnostic>,
}

impl Builder {
    /// The markdown files of `content/`: walked again on a full build; after changes in
    /// place, the last walk's list with the changed files that were created or removed.
    pub(super) fn sources(
        &mut self,
        root: &Path,
        changed: Option<&HashSet<PathBuf>>,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<PathBuf> {
        let paths = match (changed, self.paths.take()) {
            (Some(changed), Some(mut paths)) => {
                // The list is sorted: look changed files up by binary search.
                for p in changed {
                    // A file made since the walk is taken on the walk's terms: one that
                    // resolves outside the site root waits for a full build to warn of it.
                    // (A page typed in an editor and not saved yet is one too.)
                    let page = (p.is_file() && load::stays_inside(root, p)) || self.overlay.get(p).is_some();
                    match (paths.binary_search(p), page) {
                        (Err(at), true) => {
                            paths.insert(at, p.clone());
                            self.ordered = None;
                        }
                        (Ok(at), false) if !p.exists() => {
                            paths.remove(at);
                            self.ordered = None;
                        }
                        _ => {}
                    }
                }
                paths
            }
            _ => {
                let (mut paths, d) = load::find_sources(root);
                self.walk_diags = d;
                paths.extend(self.overlay.unsaved_pages(root));
                paths.sort();
                paths.dedup();
                paths
            }
        };
        diags.extend(self.walk_diags.iter().cloned());
        paths
    }

    /// The pages and section texts of `paths` (see [`Builder::load_and_parse`]).
    pub(super) fn parse(
        &mut self,
        root: &Path,
        paths: Vec<PathBuf>,
        changed: Option<&HashSet<PathBuf>>,
        config: &SiteConfig,
        diags: &mut Vec<Diagnostic>,
    ) -> (Vec<Arc<ParsedDoc>>, Vec<SectionText>) {
        let parsed = self.load_and_parse(root, &paths, changed, config);
        self.paths = Some(paths);
        let mut docs = Vec::new();
        let mut sections = Vec::new();
        for entry in parsed {
            diags.extend(entry.diags.iter().cloned());
            match &entry.parsed {
                Parsed::Doc(d) => docs.push(Arc::clone(d)),
                Parsed::Section(s) if !((s.draft && !self.opts.drafts) || (s.confidential && self.opts.public)) => {
                    sections.push((**s).clone())
                }
                Parsed::Section(_) => {}
                Parsed::Nothing => {}
            }
        }
        (docs, sections)
    }

    /// Reads and parses the given files, reusing the previous parse of files whose bytes did
    /// not change. With `changed`, only those files (and files never seen) are read again.
    fn load_and_parse(
        &mut self,
        root: &Path,
        paths: &[PathBuf],
        changed: Option<&HashSet<PathBuf>>,
        config: &SiteConfig,
    ) -> Vec<Arc<CacheEntry>> {
        let public = self.opts.public;
        let stamp = incremental::parse_stamp(config, public);
        // A lean build's pages gave their search terms to its index (see `body::Budget`): a
        // later build on the same builder parses every file again.
        if self.mode.lean() {
            self.cache.clear();
            self.ordered = None;
        }
        // A rebuild of known files with the same list and config: only those files.
        let known = self
            .ordered
            .take()
            .filter(|(s, o)| changed.is_some() && *s == stamp && o.len() == paths.len());
        let todo: Vec<&PathBuf> = match (&known, changed) {
            (Some(_), Some(changed)) => changed.iter().filter(|p| paths.binary_search(p).is_ok()).collect(),
            _ => paths
                .iter()
                .filter(|p| {
                    changed.is_none_or(|c| c.contains(*p))
                        || self.cache.get(p.as_os_str()).is_none_or(|e| e.config_stamp != stamp)
                })
                .collect(),
        };
        let cache = &self.cache;
        let budget = self.mode.lean().then(|| body::Budget::new(self.mode.text_budget()));
        let overlay = &self.overlay;
        let fresh: Vec<(std::ffi::OsString, CacheEntry)> = todo
            .par_iter()
            .filter_map(|path| {
                let src = match overlay.read_source(root, path) {
                    Ok(src) => src,
                    Err(d) => {
                        let entry = CacheEntry {
                            hash: 0,
                            config_stamp: stamp,
                            parsed: Parsed::Nothing,
                            diags: vec![d],
                        };
                        return Some((path.as_os_str().to_owned(), entry));
                    }
                };
                if cache
                    .get(path.as_os_str())
                    .is_some_and(|e| e.hash == src.hash && e.config_stamp == stamp)
                {
                    return None;
                }
                let (parsed, diags) = if src.content_path.ends_with("_index") {
                    let (s, d) = site::parse_section_text(&src, public);
                    (Parsed::Section(Box::new(s)), d)
                } else {
                    match site::parse_doc(&src, config, public) {
                        (Some(mut doc), d) => {
                            if let Some(budget) = &budget {
                                budget.fit(&mut doc);
                            }
                            (Parsed::Doc(Arc::new(doc)), d)
                        }
                        (None, d) => (Parsed::Nothing, d),
                    }
                };
                Some((
                    path.as_os_str().to_owned(),
                    CacheEntry {
                        hash: src.hash,
                        config_stamp: stamp,
                        parsed,
                        diags,
                    },
                ))
            })
            .collect();
        self.last_parsed = fresh.len();
        if let Some(budget) = budget {
            self.taken = budget.taken();
        }
        // A lean build parsed every file (its cache was cleared above) in the order of
        // `paths`, and clears the cache again before its next build: it keeps nothing.
        if self.mode.lean() {
            return fresh.into_iter().map(|(_, e)| Arc::new(e)).collect();
        }
        let ordered = match known {
            Some((_, mut ordered)) => {
                for (path, entry) in fresh {
                    let entry = Arc::new(entry);
                    if let Ok(at) = paths.binary_search(&PathBuf::from(&path)) {
                        ordered[at] = Arc::clone(&entry);
                    }
                    self.cache.insert(path, entry);
                }
                ordered
            }
            None => {
                self.cache.extend(fresh.into_iter().map(|(p, e)| (p, Arc::new(e))));
                if self.cache.len() != paths.len() {
                    let live: HashSet<&std::ffi::OsStr> = paths.iter().map(|p| p.as_os_str()).collect();
                    self.cache.retain(|k, _| live.contains(k.as_os_str()));
                }
                paths
                    .iter()
                    .filter_map(|p| self.cache.get(p.as_os_str()).cloned())
                    .collect()
            }
        };
        self.ordered = Some((stamp, ordered.clone()));
        ordered
    }
}
