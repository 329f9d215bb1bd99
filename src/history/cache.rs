//! The history's cache: what reading git found, kept between builds so that a second build
//! reads only the commits made since. It lives in the repository's git folder
//! (`.git/salesbook/`, as git-lfs keeps `.git/lfs`): outside the output folder, never
//! committed, gone with the clone.
//!
//! The file is checked before anything in it is used: its format, the program that wrote it,
//! the site folder it is for, its length and a checksum. A file that fails any check (cut
//! short by a crash, written by another version, edited by hand) is ignored and rebuilt,
//! never trusted and never reported: it is only a cache. It is written to a temporary file
//! and renamed over the old one, so a reader never sees half a file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use gix::ObjectId;

use super::PageVersion;
use crate::model::StageIx;
use crate::parse::front_matter::{Customer, Order};

/// The layout of the file; bump it when anything written changes.
const FORMAT: u32 = 1;
const MAGIC: &[u8; 8] = b"SBHIST\0\n";

/// A commit of the first-parent history, as read from git: all a later build needs to go on
/// from it without reading it again.
#[derive(Debug, Clone, PartialEq)]
pub struct Walked {
    pub id: ObjectId,
    /// Committer time: seconds since the epoch, and the commit's own UTC offset in seconds.
    pub seconds: i64,
    pub offset: i32,
    pub author: String,
    /// The tree at `<site>/content` in this commit, if there is one.
    pub content: Option<ObjectId>,
    /// The files under `content/` this commit changed against its first parent, by path
    /// relative to the site root: the new blob, or `None` where the file was removed.
    pub changes: Vec<(String, Option<ObjectId>)>,
}

/// A version's parse, by the blob and the path it was found at (the path decides the page's
/// default kind and its title when it has none).
pub type Parsed = HashMap<(ObjectId, String), Option<Arc<PageVersion>>>;

/// What the cache holds.
#[derive(Debug, Default)]
pub struct Cached {
    /// The first-parent chain, oldest first, ending at the commit that was checked out.
    pub commits: Vec<Walked>,
    /// The parse rules `parsed` was made with (config stages, `--public`, `--drafts`).
    pub rules: u64,
    pub parsed: Parsed,
}

/// The cache file of the site at `prefix` (its folder in the repository, `/`-separated) in
/// the git folder `git_dir`, for builds of `mode` (`internal`, `public`, `+drafts`): one
/// file each, so that a CI job that builds both ways finds each warm.
pub fn path(git_dir: &Path, prefix: &str, mode: &str) -> PathBuf {
    let name = format!("history-{FORMAT}-{:016x}-{mode}", fnv(prefix.as_bytes()));
    git_dir.join("salesbook").join(name)
}

/// The cache at `file`, if it is there and passes every check; an empty one otherwise.
pub fn load(file: &Path, prefix: &str) -> Cached {
    std::fs::read(file)
        .ok()
        .and_then(|bytes| decode(&bytes, prefix))
        .unwrap_or_default()
}

/// Writes the cache; a failure (a read-only repository) only costs the next build time.
pub fn store(file: &Path, prefix: &str, cached: &Cached) {
    let bytes = encode(cached, prefix);
    let Some(dir) = file.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    sweep(dir);
    // Unique to this write: two builds (or two threads) may store at once.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".tmp-{}-{n}", std::process::id()));
    if std::fs::write(&tmp, &bytes).is_ok() && std::fs::rename(&tmp, file).is_ok() {
        return;
    }
    let _ = std::fs::remove_file(&tmp);
}

/// Removes temporary files that a build stopped while writing (killed, or the machine
/// off) left behind: those not touched for an hour.
fn sweep(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let stale = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600);
        if stale && e.file_name().to_string_lossy().starts_with(".tmp-") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The program that writes the file: a cache by another version is not read.
fn program() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

pub fn encode(c: &Cached, prefix: &str) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(1 << 16));
    w.0.extend_from_slice(MAGIC);
    w.u32(FORMAT);
    w.str(program());
    w.str(prefix);
    w.u32(c.commits.len() as u32);
    for k in &c.commits {
        w.id(Some(&k.id));
        w.u64(k.seconds as u64);
        w.u32(k.offset as u32);
        w.str(&k.author);
        w.id(k.content.as_ref());
        w.u32(k.changes.len() as u32);
        for (path, blob) in &k.changes {
            w.str(path);
            w.id(blob.as_ref());
        }
    }
    w.u64(c.rules);
    w.u32(c.parsed.len() as u32);
    // In a fixed order: the same history makes the same file.
    let mut parsed: Vec<_> = c.parsed.iter().collect();
    parsed.sort_unstable_by(|a, b| (&a.0.1, a.0.0).cmp(&(&b.0.1, b.0.0)));
    for ((blob, path), page) in parsed {
        w.id(Some(blob));
        w.str(path);
        match page {
            None => w.u8(0),
            Some(p) => {
                w.u8(1);
                w.page(p);
            }
        }
    }
    let sum = fnv(&w.0);
    w.u64(sum);
    w.0
}

pub fn decode(bytes: &[u8], prefix: &str) -> Option<Cached> {
    let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    if u64::from_le_bytes(sum.try_into().ok()?) != fnv(body) {
        return None;
    }
    let mut r = Reader(body);
    if r.take(8)? != MAGIC || r.u32()? != FORMAT || r.str()? != program() || r.str()? != prefix {
        return None;
    }
    let n = r.u32()? as usize;
    let mut commits = Vec::with_capacity(n.min(body.len()));
    for _ in 0..n {
        let id = r.id()??;
        let seconds = r.u64()? as i64;
        let offset = r.u32()? as i32;
        let author = r.str()?.to_owned();
        let content = r.id()?;
        let m = r.u32()? as usize;
        let mut changes = Vec::with_capacity(m.min(body.len()));
        for _ in 0..m {
            changes.push((r.str()?.to_owned(), r.id()?));
        }
        commits.push(Walked {
            id,
            seconds,
            offset,
            author,
            content,
            changes,
        });
    }
    let rules = r.u64()?;
    let n = r.u32()? as usize;
    let mut parsed = Parsed::with_capacity(n.min(body.len()));
    for _ in 0..n {
        let blob = r.id()??;
        let path = r.str()?.to_owned();
        let page = match r.u8()? {
            0 => None,
            1 => Some(Arc::new(r.page()?)),
            _ => return None,
        };
        parsed.insert((blob, path), page);
    }
    if !r.0.is_empty() {
        return None;
    }
    Some(Cached { commits, rules, parsed })
}

/// FNV-1a: the checksum of the file and the name of a site's cache. Written out: it must
/// not change between versions of a library, and it only has to catch damage.
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn id(&mut self, id: Option<&ObjectId>) {
        match id {
            None => self.u8(0),
            Some(id) => {
                let b = id.as_bytes();
                self.u8(b.len() as u8);
                self.0.extend_from_slice(b);
            }
        }
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.u8(0),
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
        }
    }
    fn opt_f64(&mut self, v: Option<f64>) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                self.f64(v);
            }
        }
    }
    fn opt_date(&mut self, d: Option<NaiveDate>) {
        match d {
            None => self.u8(0),
            Some(d) => {
                self.u8(1);
                self.u32(d.num_days_from_ce() as u32);
            }
        }
    }
    fn page(&mut self, p: &PageVersion) {
        let c = &p.customer;
        self.str(&p.title);
        self.opt_str(c.owner.as_deref());
        match c.stage {
            None => self.u8(0),
            Some(StageIx(ix)) => {
                self.u8(1);
                self.u32(ix as u32);
            }
        }
        self.opt_f64(c.value);
        self.opt_f64(c.probability);
        self.opt_date(c.expected_close);
        self.u32(c.orders.len() as u32);
        for o in &c.orders {
            self.opt_date(o.date);
            self.f64(o.amount);
            self.f64(o.paid);
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_bits(self.u64()?))
    }
    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }
    /// An optional object id: `Some(None)` for none, `None` when the bytes are not one.
    fn id(&mut self) -> Option<Option<ObjectId>> {
        match self.u8()? {
            0 => Some(None),
            n => ObjectId::try_from(self.take(n as usize)?).ok().map(Some),
        }
    }
    fn opt<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.u8()? {
            0 => Some(None),
            1 => f(self).map(Some),
            _ => None,
        }
    }
    fn date(&mut self) -> Option<NaiveDate> {
        NaiveDate::from_num_days_from_ce_opt(self.u32()? as i32)
    }
    fn page(&mut self) -> Option<PageVersion> {
        let title = self.str()?.to_owned();
        let owner = self.opt(|r| r.str().map(str::to_owned))?;
        let stage = self.opt(|r| r.u32().map(|ix| StageIx(ix as usize)))?;
        let value = self.opt(Self::f64)?;
        let probability = self.opt(Self::f64)?;
        let expected_close = self.opt(Self::date)?;
        let n = self.u32()? as usize;
        let mut orders = Vec::with_capacity(n.min(self.0.len()));
        for _ in 0..n {
            orders.push(Order {
                date: self.opt(Self::date)?,
                amount: self.f64()?,
                paid: self.f64()?,
            });
        }
        Some(PageVersion {
            title,
            customer: Customer {
                owner,
                stage,
                value,
                probability,
                expected_close,
                orders,
                ..Customer::default()
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Cached {
        let id = |b: u8| ObjectId::from_bytes_or_panic(&[b; 20]);
        let page = PageVersion {
            title: "华东".into(),
            customer: Customer {
                owner: Some("王".into()),
                stage: Some(StageIx(2)),
                value: Some(1.5),
                expected_close: NaiveDate::from_ymd_opt(2026, 11, 23),
                orders: vec![Order {
                    date: None,
                    amount: 3.0,
                    paid: 1.0,
                }],
                ..Customer::default()
            },
        };
        let mut parsed = Parsed::new();
        parsed.insert((id(3), "content/customers/a.md".into()), Some(Arc::new(page)));
        parsed.insert((id(4), "content/customers/b.md".into()), None);
        Cached {
            commits: vec![Walked {
                id: id(1),
                seconds: 1_795_000_000,
                offset: 8 * 3600,
                author: "王".into(),
                content: Some(id(2)),
                changes: vec![
                    ("content/customers/a.md".into(), Some(id(3))),
                    ("content/b.md".into(), None),
                ],
            }],
            rules: 7,
            parsed,
        }
    }

    #[test]
    fn a_cache_reads_back_as_written() {
        let c = sample();
        let back = decode(&encode(&c, "site"), "site").unwrap();
        assert_eq!(back.commits, c.commits);
        assert_eq!(back.rules, 7);
        assert_eq!(back.parsed.len(), 2);
        let key = (c.commits[0].changes[0].1.unwrap(), "content/customers/a.md".to_owned());
        let p = back.parsed[&key].as_ref().unwrap();
        assert_eq!(p.title, "华东");
        assert_eq!(p.customer.stage, Some(StageIx(2)));
        assert_eq!(p.customer.orders[0].amount, 3.0);
    }

    #[test]
    fn a_store_writes_the_file_whole_and_sweeps_old_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let file = path(dir.path(), "site", "internal");
        let folder = file.parent().unwrap();
        std::fs::create_dir_all(folder).unwrap();
        let old = folder.join(".tmp-1-0");
        std::fs::write(&old, b"cut short").unwrap();
        let two_hours = std::time::Duration::from_secs(7200);
        let f = std::fs::File::options().write(true).open(&old).unwrap();
        f.set_modified(std::time::SystemTime::now() - two_hours).unwrap();
        let fresh = folder.join(".tmp-2-0");
        std::fs::write(&fresh, b"being written").unwrap();
        store(&file, "site", &sample());
        assert!(!old.exists(), "an old leftover goes");
        assert!(fresh.exists(), "another build's write in progress stays");
        assert_eq!(load(&file, "site").commits, sample().commits);
    }

    #[test]
    fn a_damaged_or_foreign_cache_is_not_trusted() {
        let bytes = encode(&sample(), "site");
        assert!(decode(&bytes, "other/site").is_none());
        for cut in [0, 1, 8, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode(&bytes[..cut], "site").is_none(), "cut at {cut}");
        }
        for i in [0, 9, bytes.len() / 2, bytes.len() - 1] {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            assert!(decode(&bad, "site").is_none(), "flipped byte {i}");
        }
    }
}
