//! The site's history, read from the git repository it lives in: the first-parent commits of
//! the checked-out branch, and every version of every customer page along them. The sales
//! figures over time (`sales::progress` and friends) are worked out from this data alone, so
//! they never touch git; this module never works out a figure.
//!
//! The data model below is the contract between reading (this module) and the figures. What a
//! version keeps of a page is only what the figures need, so that the cache stays small.

mod cache;
mod read;
pub mod versions;

pub use read::{ReadStats, Repo, open, rules_key};
pub use versions::Rules;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::parse::front_matter::Customer;

/// The history of one site. [`History::default`] is "no history" (not read, or not a
/// repository): every figure over time then covers the present only.
#[derive(Debug, Default, Clone)]
pub struct History {
    /// Why there is no full history, when there is none (the build warns once, the pages say
    /// so).
    pub unavailable: Option<Unavailable>,
    /// The first-parent commits of the checked-out branch, oldest first.
    pub commits: Vec<Commit>,
    /// Each customer page's versions along `commits`, by the page's path relative to the site
    /// root with `/` separators (`content/customers/acme.md`): one entry for each commit that
    /// changed the file, oldest first.
    pub customers: BTreeMap<String, Vec<Version>>,
    /// The last commit (an index into `commits`) that changed each file under `content/`, by
    /// the same paths.
    pub last_change: HashMap<String, usize>,
}

/// "Last changed on <date> by <author>": the template value `page.git`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct LastChange {
    /// The commit's day, in its own UTC offset (`2026-11-23`).
    pub date: String,
    pub author: String,
    /// The commit's full id.
    pub commit: String,
}

/// Why a site has no (full) history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// The site is in no git repository (a plain copy).
    NotARepository,
    /// The repository has no commits yet.
    NoCommits,
    /// A shallow clone: the commits before its cut are missing.
    Shallow,
    /// The repository could not be read; the reason.
    Unreadable(String),
}

/// One commit of the first-parent history.
#[derive(Debug, Clone)]
pub struct Commit {
    /// The full hex id.
    pub id: String,
    /// The committer time, in the commit's own UTC offset.
    pub time: DateTime<FixedOffset>,
    /// The author's name.
    pub author: String,
}

impl Commit {
    /// The commit's day: its committer date in its own offset (a commit at
    /// 2026-11-23T01:00+08:00 belongs to 23 November).
    pub fn date(&self) -> NaiveDate {
        self.time.date_naive()
    }
}

/// One version of a customer page: as the commit `commit` left it.
#[derive(Debug, Clone)]
pub struct Version {
    /// An index into [`History::commits`].
    pub commit: usize,
    /// The page as of that commit; `None` when the commit removed it (or it stopped being a
    /// customer page, or could not be parsed at all).
    pub page: Option<Arc<PageVersion>>,
}

/// What a version keeps of a customer page.
#[derive(Debug, Clone, Default)]
pub struct PageVersion {
    pub title: String,
    /// Only the deal's fields are filled: `owner`, `stage` (resolved against the current
    /// config's stages; an id that no longer exists is `None`), `value`, `probability`,
    /// `expected_close` and `orders`. The sales rules of `sales::deal` apply to it as to a
    /// page of the present.
    pub customer: Customer,
}

impl History {
    /// The versions of every customer page as of commit `commit` (an index into `commits`):
    /// each page's latest version at or before it, leaving out pages removed by then.
    pub fn at(&self, commit: usize) -> impl Iterator<Item = (&str, &PageVersion)> + '_ {
        self.customers.iter().filter_map(move |(path, versions)| {
            let n = versions.partition_point(|v| v.commit <= commit);
            let page = versions[..n].last()?.page.as_deref()?;
            Some((path.as_str(), page))
        })
    }

    /// The history without anything of the pages at `paths` (a `--public` build hides a
    /// page that is confidential now, with all its past).
    pub fn without(&self, paths: &[&str]) -> History {
        let mut h = self.clone();
        for p in paths {
            h.customers.remove(*p);
            h.last_change.remove(*p);
        }
        h
    }

    /// What a page shows of the last commit that changed its file (`page.git`), by the file's
    /// path relative to the site root; `None` without history or for a file never committed.
    pub fn last_change_of(&self, path: &str) -> Option<LastChange> {
        let c = self.last_commit_of(path)?;
        Some(LastChange {
            date: crate::format::ymd(c.date()),
            author: c.author.clone(),
            commit: c.id.clone(),
        })
    }

    /// The last commit that changed the file at `path` (relative to the site root).
    pub fn last_commit_of(&self, path: &str) -> Option<&Commit> {
        self.commits.get(*self.last_change.get(path)?)
    }

    /// Whether there is a history to show.
    pub fn is_available(&self) -> bool {
        self.unavailable.is_none() && !self.commits.is_empty()
    }
}

/// Reads the history of the site at `root` (see [`read`](read::Repo::read)): a history
/// that says why it is unavailable when there is none.
pub fn read(root: &std::path::Path, rules: Rules) -> (History, ReadStats) {
    match open(root) {
        Ok(repo) => repo.read(rules),
        Err(why) => (
            History {
                unavailable: Some(why),
                ..History::default()
            },
            ReadStats::default(),
        ),
    }
}

impl Unavailable {
    /// The one warning a build prints when the site has no history: why, and what to do.
    pub fn warning(&self) -> crate::diagnostics::Diagnostic {
        let (why, help) = match self {
            Unavailable::NotARepository => (
                "the site is not in a git repository, so it has no history: the pages over time show the current week only"
                    .to_owned(),
                "build from a git clone of the site (in CI, a full checkout: `fetch-depth: 0` in GitHub Actions' checkout step)",
            ),
            Unavailable::NoCommits => (
                "the site's git repository has no commits yet, so it has no history: the pages over time show the current week only"
                    .to_owned(),
                "commit the site (`git add -A` then `git commit`); the history starts with the first commit",
            ),
            Unavailable::Shallow => (
                "the site's git repository is a shallow clone, so its history is cut short: the pages over time show the current week only"
                    .to_owned(),
                "fetch the full history (`git fetch --unshallow`; in CI, `fetch-depth: 0` in GitHub Actions' checkout step)",
            ),
            Unavailable::Unreadable(e) => (
                format!("the site's git history could not be read ({e}): the pages over time show the current week only"),
                "check that `git log` works in the site folder; in CI, use a full checkout (`fetch-depth: 0` in GitHub Actions)",
            ),
        };
        crate::diagnostics::Diagnostic::warning("history", why).help(help)
    }
}
