//! Reading the site's history from git, in-process with gitoxide (no git program needed).
//!
//! Only the first parents of the checked-out commit are followed: a side branch's work
//! arrives with the merge that brought it in. For each commit, only the site's `content/`
//! tree is compared with its parent's (a commit that did not touch `content/` costs one tree
//! lookup), and only the files that changed are read. Each version of a file (a blob at a
//! path) is parsed once, however many commits share it. What was read is kept in the cache
//! (see [`super::cache`]): a second build walks back from the checked-out commit only to the
//! first commit it already knows.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Offset;
use gix::ObjectId;
use rayon::prelude::*;

use super::cache::{self, Cached, Walked};
use super::versions::{self, Rules};
use super::{Commit, History, Unavailable, Version};

/// What one read of the history did: for telemetry, and for tests that check the cache
/// spares a second build the work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Commits read from git (their trees compared); the others came from the cache.
    pub commits_read: usize,
    /// Commits taken from the cache.
    pub commits_cached: usize,
    /// File versions parsed; the others' parses came from the cache or an earlier commit.
    pub versions_parsed: usize,
}

/// The site's git repository, opened, with where the site is in it.
pub struct Repo {
    repo: gix::ThreadSafeRepository,
    /// The site's folder relative to the repository's work tree, `/`-separated ("" at the
    /// top).
    prefix: String,
}

/// Opens the repository the site at `root` is in, or says why there is no history.
pub fn open(root: &Path) -> Result<Repo, Unavailable> {
    let repo = match gix::discover(root) {
        Ok(r) => r,
        Err(e) => {
            return Err(if in_some_repository(root) {
                Unavailable::Unreadable(e.to_string())
            } else {
                Unavailable::NotARepository
            });
        }
    };
    let Some(workdir) = repo.workdir() else {
        return Err(Unavailable::NotARepository);
    };
    let prefix = match (std::fs::canonicalize(workdir), std::fs::canonicalize(root)) {
        (Ok(w), Ok(r)) => match r.strip_prefix(&w) {
            Ok(rel) => rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/"),
            Err(_) => return Err(Unavailable::NotARepository),
        },
        (Err(e), _) | (_, Err(e)) => return Err(Unavailable::Unreadable(e.to_string())),
    };
    Ok(Repo {
        repo: repo.into_sync(),
        prefix,
    })
}

/// Whether `root` or a folder above it has a `.git`: telling "not a repository" from "a
/// repository that could not be opened".
fn in_some_repository(root: &Path) -> bool {
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_owned());
    root.ancestors().any(|d| d.join(".git").exists())
}

impl Repo {
    /// The files to watch for a new commit: `HEAD`, and the ref it points to (loose, or in
    /// `packed-refs` once git packs it).
    pub fn head_files(&self) -> Vec<PathBuf> {
        let repo = self.repo.to_thread_local();
        let git_dir = repo.git_dir().to_owned();
        let common = repo.common_dir().to_owned();
        let mut files = vec![git_dir.join("HEAD"), common.join("packed-refs")];
        if let Ok(Some(name)) = repo.head_name() {
            let name = name.as_bstr().to_string();
            files.push(common.join(&name));
            files.push(git_dir.join(&name));
        }
        files.sort();
        files.dedup();
        files
    }

    /// The checked-out commit's id, if there is one: what decides whether the history changed.
    pub fn head(&self) -> Option<ObjectId> {
        self.repo.to_thread_local().head_id().ok().map(|id| id.detach())
    }

    /// Reads the history, going on from the cache (and updating it).
    pub fn read(&self, rules: Rules) -> (History, ReadStats) {
        let repo = self.repo.to_thread_local();
        match repo.is_shallow() {
            Ok(false) => {}
            Ok(true) => return (unavailable(Unavailable::Shallow), ReadStats::default()),
            Err(e) => {
                return (
                    unavailable(Unavailable::Unreadable(e.to_string())),
                    ReadStats::default(),
                );
            }
        }
        let head = match repo.head() {
            Ok(h) => h.id().map(|id| id.detach()),
            Err(e) => {
                return (
                    unavailable(Unavailable::Unreadable(e.to_string())),
                    ReadStats::default(),
                );
            }
        };
        let Some(head) = head else {
            return (unavailable(Unavailable::NoCommits), ReadStats::default());
        };
        let mode = match (rules.public, rules.drafts) {
            (false, false) => "internal",
            (false, true) => "internal+drafts",
            (true, false) => "public",
            (true, true) => "public+drafts",
        };
        let file = cache::path(repo.git_dir(), &self.prefix, mode);
        let mut cached = cache::load(&file, &self.prefix);
        let before = (cached.commits.len(), cached.parsed.len(), cached.rules);
        let mut stats = ReadStats::default();
        if let Err(e) = self.walk(&repo, head, &mut cached, &mut stats) {
            return (unavailable(Unavailable::Unreadable(e)), stats);
        }
        let rules_key = rules_key(rules);
        if cached.rules != rules_key {
            cached.parsed.clear();
            cached.rules = rules_key;
        }
        stats.versions_parsed = self.parse_new(&mut cached, rules);
        let history = assemble(&cached);
        let changed = stats.commits_read > 0
            || before != (cached.commits.len(), cached.parsed.len(), cached.rules)
            || cached.commits.last().map(|c| c.id) != Some(head);
        if changed {
            cache::store(&file, &self.prefix, &cached);
        }
        (history, stats)
    }

    /// Brings `cached.commits` to the first-parent chain ending at `head`: walks back from
    /// `head` to the first commit the cache knows (or the root), drops what the cache has
    /// after it (history rewritten), and reads the new commits' changes.
    fn walk(
        &self,
        repo: &gix::Repository,
        head: ObjectId,
        cached: &mut Cached,
        stats: &mut ReadStats,
    ) -> Result<(), String> {
        let known: std::collections::HashMap<ObjectId, usize> =
            cached.commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        let mut new = Vec::new();
        let mut next = Some(head);
        let mut keep = 0;
        while let Some(id) = next {
            if let Some(&i) = known.get(&id) {
                keep = i + 1;
                break;
            }
            let commit = repo.find_commit(id).map_err(|e| e.to_string())?;
            next = commit.parent_ids().next().map(|p| p.detach());
            new.push(commit);
        }
        cached.commits.truncate(keep);
        stats.commits_cached = keep;
        stats.commits_read = new.len();
        let content_path = if self.prefix.is_empty() {
            PathBuf::from("content")
        } else {
            Path::new(&self.prefix).join("content")
        };
        let mut parent_tree = cached.commits.last().and_then(|c| c.content);
        let mut state = gix::diff::tree::State::default();
        for commit in new.into_iter().rev() {
            let bad = |e: gix::Error| format!("commit {}: {e}", commit.id);
            let committer = commit.committer().map_err(bad)?;
            // A date git itself would not write: its seconds as far as they read, in UTC,
            // rather than no history at all.
            let time = committer.time().unwrap_or(gix::date::Time {
                seconds: committer.seconds(),
                offset: 0,
            });
            let author = commit
                .author()
                .map(|a| a.name.to_string().trim().to_owned())
                .unwrap_or_default();
            let tree = commit.tree().map_err(bad)?;
            let content = tree
                .lookup_entry_by_path(&content_path)
                .map_err(bad)?
                .filter(|e| e.mode().is_tree())
                .map(|e| e.object_id());
            let changes = if content == parent_tree {
                Vec::new()
            } else {
                diff(repo, parent_tree, content, &mut state)?
            };
            cached.commits.push(Walked {
                id: commit.id,
                seconds: time.seconds,
                offset: time.offset,
                author,
                content,
                changes,
            });
            parent_tree = content;
        }
        Ok(())
    }

    /// Parses the page versions the cache has no parse of, each (blob, path) once, on every
    /// core. Returns how many it parsed.
    fn parse_new(&self, cached: &mut Cached, rules: Rules) -> usize {
        let mut todo: Vec<(ObjectId, String)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for c in &cached.commits {
            for (path, blob) in &c.changes {
                if let Some(blob) = blob
                    && versions::is_page(path)
                    && !cached.parsed.contains_key(&(*blob, path.clone()))
                    && seen.insert((*blob, path.as_str()))
                {
                    todo.push((*blob, path.clone()));
                }
            }
        }
        let count = todo.len();
        // In the order of the pack, in one contiguous part per thread: a packed object is
        // mostly a delta of one stored before it, and each thread's repository keeps the
        // last objects it unpacked, so that a delta chain is not unpacked again for each of
        // its objects (packs hold chains up to 50 deep).
        pack_order(&self.repo.to_thread_local(), &mut todo);
        let part = count.div_ceil(rayon::current_num_threads().max(1)).max(1);
        let parsed: Vec<_> = todo
            .par_chunks(part)
            .flat_map_iter(|chunk| {
                let repo = self.repo.to_thread_local();
                chunk
                    .iter()
                    .map(move |(blob, path)| {
                        let page = repo
                            .find_blob(*blob)
                            .ok()
                            .and_then(|b| versions::parse(path, &b.data, rules));
                        ((*blob, path.clone()), page)
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        cached.parsed.extend(parsed);
        count
    }
}

/// Sorts objects by where they are in the repository's packs (loose objects last).
///
/// The offsets come from each pack's index, read once per pack: asking for one object's
/// location unpacks the object (to learn its size on disk), which for every version of every
/// page cost as much as a second read of the history, on one thread.
fn pack_order(repo: &gix::Repository, todo: &mut [(ObjectId, String)]) {
    use gix::odb::pack::Find;
    let mut handle = repo.objects.clone().into_inner().into_inner();
    handle.prevent_pack_unload();
    let mut at: std::collections::HashMap<ObjectId, (u32, u64)> =
        todo.iter().map(|(id, _)| (*id, (u32::MAX, u64::MAX))).collect();
    let mut packs_read = std::collections::HashSet::new();
    let mut buf = Vec::new();
    for (id, _) in todo.iter() {
        if at.get(id).is_some_and(|k| k.0 != u32::MAX) {
            continue;
        }
        // The first object of a pack not seen yet: where it is, then every other one of
        // that pack from its index.
        let Some(l) = handle.location_by_oid(id, &mut buf).ok().flatten() else {
            continue;
        };
        at.insert(*id, (l.pack_id, l.pack_offset));
        if packs_read.insert(l.pack_id)
            && let Ok(Some(entries)) = handle.pack_offsets_and_oid(l.pack_id)
        {
            for (offset, oid) in entries {
                if let Some(k) = at.get_mut(&oid)
                    && k.0 == u32::MAX
                {
                    *k = (l.pack_id, offset);
                }
            }
        }
    }
    todo.sort_by_key(|(id, _)| at.get(id).copied().unwrap_or((u32::MAX, u64::MAX)));
}

/// The files that differ between two `content/` trees (either may be missing), by path
/// relative to the site root.
fn diff(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    state: &mut gix::diff::tree::State,
) -> Result<Vec<(String, Option<ObjectId>)>, String> {
    let data = |id: Option<ObjectId>| -> Result<Vec<u8>, String> {
        match id {
            None => Ok(Vec::new()),
            Some(id) => repo.find_tree(id).map(|t| t.data.clone()).map_err(|e| e.to_string()),
        }
    };
    let (old_data, new_data) = (data(old)?, data(new)?);
    let kind = repo.object_hash();
    let mut rec = gix::diff::tree::Recorder::default();
    gix::diff::tree(
        gix::objs::TreeRefIter::from_bytes(&old_data, kind),
        gix::objs::TreeRefIter::from_bytes(&new_data, kind),
        state,
        repo,
        &mut rec,
    )
    .map_err(|e| e.to_string())?;
    use gix::diff::tree::recorder::Change;
    let file = |m: &gix::objs::tree::EntryMode| !m.is_tree() && !m.is_commit();
    let mut out = Vec::new();
    for change in rec.records {
        let (path, blob) = match change {
            Change::Addition {
                entry_mode, oid, path, ..
            } if file(&entry_mode) => (path, Some(oid)),
            Change::Deletion { entry_mode, path, .. } if file(&entry_mode) => (path, None),
            Change::Modification {
                entry_mode, oid, path, ..
            } if file(&entry_mode) => (path, Some(oid)),
            // A file that became a folder: the file is gone (the folder's files are
            // additions of their own).
            Change::Modification {
                previous_entry_mode,
                path,
                ..
            } if file(&previous_entry_mode) => (path, None),
            _ => continue,
        };
        let Ok(path) = String::from_utf8(path.into()) else {
            continue;
        };
        out.push((format!("content/{path}"), blob));
    }
    Ok(out)
}

/// The key of the parse rules: a cached parse made under other rules is not used.
pub fn rules_key(rules: Rules) -> u64 {
    crate::hasher::hash_of((crate::parse::stamp(rules.config, rules.public), rules.drafts))
}

fn unavailable(why: Unavailable) -> History {
    History {
        unavailable: Some(why),
        ..History::default()
    }
}

/// The history of the cached commits and parses.
fn assemble(cached: &Cached) -> History {
    let mut h = History::default();
    for (i, c) in cached.commits.iter().enumerate() {
        let offset = chrono::FixedOffset::east_opt(c.offset).unwrap_or_else(|| chrono::Utc.fix());
        let time = chrono::DateTime::from_timestamp(c.seconds, 0)
            .unwrap_or_default()
            .with_timezone(&offset);
        h.commits.push(Commit {
            id: c.id.to_string(),
            time,
            author: c.author.clone(),
        });
        for (path, blob) in &c.changes {
            match blob {
                Some(_) => h.last_change.insert(path.clone(), i),
                None => h.last_change.remove(path),
            };
            if !versions::is_page(path) {
                continue;
            }
            let page: Option<Arc<_>> = blob.and_then(|b| cached.parsed.get(&(b, path.clone())).cloned().flatten());
            let known = h.customers.contains_key(path);
            if page.is_some() || known {
                h.customers
                    .entry(path.clone())
                    .or_default()
                    .push(Version { commit: i, page });
            }
        }
    }
    h
}
