//! The search index, written under `search/` for the theme's `search.js`: no server and no
//! network, from `serve` and from `file://` alike (every file is a script that hands its data
//! to `window.sbSearch`, which a page may load from disk where `fetch` may not).
//!
//! - `search/meta.js`: the number of pages and shards, the labels, the folding table, and
//!   each page's facets (kind, stage, tier, owner, tags): what every query needs, small.
//! - `search/t/<n>.js`: the terms whose shard key hashes to `n` (see [`text::Term::shard`]),
//!   each with its pages and where on the page it stands (title, fields, body). A query
//!   loads one shard per term, so the first query on a large site stays small.
//! - `search/f/<n>.js`: what a result shows (title, link, badges, fields, excerpt) for
//!   [`PER_FRAGMENT`] pages, loaded for the results on screen only.
//!
//! Pages are numbered in the order results of equal score are shown: customers first,
//! largest deals first, then competitors, playbooks and guides. Only the pages and fields
//! of this build are indexed: a `--public` build has no confidential page or private field
//! to leak here.

/// The tokenizer, shared with the markdown scanner (see [`crate::text`]).
pub use crate::text;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::facts::Facts;
use crate::model::{Kind, Tier};
use crate::output::{Output, OutputFile};
use crate::site::{DocId, ParsedDoc};
use text::{Term, Tokenizer};

/// Pages per fragment file.
pub const PER_FRAGMENT: usize = 32;
/// About this many bytes of postings per term shard: a query of three terms loads about
/// three times this.
const SHARD_BYTES: usize = 20_000;
/// Pages whose terms are gathered at once (memory stays bounded on large sites).
const CHUNK: usize = 512;

/// Where on a page a term stands, the best place counted: 3 title, 2 front matter, 1 body.
const BODY: u32 = 1;
const FIELD: u32 = 2;
const TITLE: u32 = 3;

/// The kinds in the order results of equal score are shown.
const KIND_ORDER: [Kind; 7] = [
    Kind::Customer,
    Kind::Competitor,
    Kind::Spin,
    Kind::Fab,
    Kind::VisitScript,
    Kind::Guide,
    Kind::Page,
];

/// Postings of a part of the terms: term → its pages.
type Postings = HashMap<Term, Pages, ahash::RandomState>;

/// A term's pages, ascending, while the index is made: each as `delta << 2 | weight` (the
/// numbers a shard file holds) in LEB128, about 1.5 bytes a page instead of 4 (at 50,000
/// pages the index's memory decided the build's peak).
///
/// Most terms are on a few pages only: their numbers stay inside the entry, without a heap
/// allocation of their own.
#[derive(Default)]
struct Pages {
    last: u32,
    count: u32,
    bytes: smallvec::SmallVec<[u8; 16]>,
}

impl Pages {
    fn push(&mut self, page: u32, weight: u32) {
        let mut v = (page - self.last) << 2 | weight;
        self.last = page;
        self.count += 1;
        while v >= 0x80 {
            self.bytes.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.bytes.push(v as u8);
    }

    /// The numbers as pushed: `delta << 2 | weight`.
    fn deltas(&self) -> impl Iterator<Item = u32> + '_ {
        let mut rest = &self.bytes[..];
        std::iter::from_fn(move || {
            let mut v = 0u32;
            let mut shift = 0;
            loop {
                let (&b, tail) = rest.split_first()?;
                rest = tail;
                v |= ((b & 0x7F) as u32) << shift;
                if b < 0x80 {
                    return Some(v);
                }
                shift += 7;
            }
        })
    }

    /// `(page, weight)` pairs.
    fn pages(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let mut page = 0;
        self.deltas().map(move |v| {
            page += v >> 2;
            (page, v & 3)
        })
    }
}

/// What the index is made from, taken from a build: owned, so that `serve` can make the
/// index on another thread once the pages of a save are served.
#[derive(Debug)]
pub struct Input {
    /// The pages in result order, each with the titles of the competitors its page shows.
    pages: Vec<(Arc<ParsedDoc>, Vec<String>)>,
    kinds: Vec<(&'static str, String)>,
    stages: Vec<(String, String)>,
    tiers: Vec<(&'static str, String)>,
    ui: BTreeMap<&'static str, String>,
    /// The body terms a streaming build took out of its pages: each let go once indexed.
    taken: crate::body::Taken,
}

/// The search index as a stage of the build: its files are handed to `out` at once by a
/// streaming build (which lets each page's body terms in `taken` go as it is indexed), or
/// returned to be kept with the other files (`keep`).
pub fn stage(facts: &Facts, taken: crate::body::Taken, keep: bool, out: &dyn Output) -> Vec<OutputFile> {
    let started = std::time::Instant::now();
    let mut input = input(facts);
    input.taken = taken;
    let (search, files) = if keep {
        let search = input.files();
        let n = search.len();
        (search, n)
    } else {
        (Vec::new(), input.make(&|f| out.put(f, None)))
    };
    if crate::telemetry::enabled() {
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        eprintln!("  search index {ms:>9.1} ms wall, {files} files");
    }
    search
}

/// The search index's input from a build: the visible pages in the order results of equal
/// score are shown, and the labels.
pub fn input(cx: &Facts) -> Input {
    let site = cx.site;
    let mut docs: Vec<(usize, f64, &str, DocId)> = site
        .visible()
        .map(|(id, d)| {
            let rank = KIND_ORDER.iter().position(|k| *k == d.kind).unwrap_or(KIND_ORDER.len());
            let value = d.fm.customer.as_deref().map_or(0.0, crate::sales::deal::deal_value);
            (rank, value, d.path.as_str(), id)
        })
        .collect();
    // On both cores (stable, as before): the pages render only once the index is made.
    docs.par_sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(crate::sales::deal::larger_first(a.1, b.1))
            .then(a.2.cmp(b.2))
    });
    let pages = docs
        .into_par_iter()
        .map(|(_, _, _, id)| {
            // Competitors by the pages the customer page links (a hidden one is not shown).
            let competitors = cx.graph.competitor_refs[id.0]
                .iter()
                .filter(|r| !site.hidden[r.0])
                .map(|r| site.doc(*r).fm.title.clone())
                .collect();
            (Arc::clone(&site.docs[id.0]), competitors)
        })
        .collect();
    Input {
        pages,
        kinds: KIND_ORDER.iter().map(|k| (k.id(), cx.label("kind", k.id()))).collect(),
        stages: (0..cx.config.stages.len())
            .map(|i| {
                let s = cx.stage(crate::model::StageIx(i));
                (s.id, s.label)
            })
            .collect(),
        tiers: Tier::ALL.iter().map(|t| (t.id(), cx.label("tier", t.id()))).collect(),
        ui: UI_LABELS.iter().map(|k| (*k, cx.labels.get(k))).collect(),
        taken: Default::default(),
    }
}

/// Whether `path` (in the output) is a file of the search index (its pages are not).
pub fn is_index_file(path: &str) -> bool {
    path.starts_with("search/") && path.ends_with(".js")
}

impl Input {
    /// The index files: `meta.js`, the term shards and the result fragments.
    pub fn files(mut self) -> Vec<OutputFile> {
        let files = std::sync::Mutex::new(Vec::new());
        self.make(&|f| files.lock().unwrap_or_else(|e| e.into_inner()).push(f));
        files.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    /// Hands each index file to `put` as soon as it is made (a streaming build writes it at
    /// once instead of holding the whole index); returns how many there were.
    pub fn make(&mut self, put: &(dyn Fn(OutputFile) + Sync)) -> usize {
        let pages = &self.pages;
        // Terms are gathered in parts (by their bits), one task per part: each takes its
        // terms of every page of a chunk, in page order, so its postings come out ascending.
        let parts = (rayon::current_num_threads() * 4).next_power_of_two();
        let seeds = ahash::RandomState::with_seeds(7, 11, 13, 17);
        let mut postings: Vec<Postings> = (0..parts).map(|_| Postings::with_hasher(seeds.clone())).collect();
        for (c, chunk) in pages.chunks(CHUNK).enumerate() {
            // Each page's terms by part, so that each task finds its own in one slice. Body
            // terms taken out of the pages are let go here, a chunk at a time.
            let body: Vec<_> = chunk.iter().map(|(d, _)| self.taken.terms(d)).collect();
            let terms: Vec<ByPart> = chunk
                .par_iter()
                .zip(body)
                .map(|((d, comp), body)| ByPart::new(doc_terms(d, comp, &body), parts))
                .collect();
            postings.par_iter_mut().enumerate().for_each(|(part, map)| {
                for (i, page_terms) in terms.iter().enumerate() {
                    let page = (c * CHUNK + i) as u32;
                    for &(term, w) in page_terms.part(part) {
                        map.entry(term).or_default().push(page, w);
                    }
                }
            });
        }
        // As many shards as keep each near SHARD_BYTES (see `shard_file` for the sizes).
        let n = pages.len();
        let bytes: usize = postings
            .iter()
            .flat_map(|m| m.values())
            .map(|p| (p.count as usize * 3).min(n / 3) + 12)
            .sum();
        let shards = (bytes / SHARD_BYTES).clamp(1, 4096).next_power_of_two() as u32;
        // Each part's terms dealt to the shards on its own core, then joined in part order:
        // the same lists as one pass over the parts in turn.
        let dealt: Vec<Vec<Vec<(Term, Pages)>>> = postings
            .into_par_iter()
            .map(|map| {
                let mut by_shard: Vec<Vec<(Term, Pages)>> = (0..shards).map(|_| Vec::new()).collect();
                for (t, p) in map {
                    by_shard[t.shard(shards) as usize].push((t, p));
                }
                by_shard
            })
            .collect();
        let mut by_shard: Vec<Vec<(Term, Pages)>> = (0..shards).map(|_| Vec::new()).collect();
        for part in dealt {
            for (shard, terms) in by_shard.iter_mut().zip(part) {
                shard.extend(terms);
            }
        }
        by_shard
            .into_par_iter()
            .enumerate()
            .for_each(|(s, p)| put(shard_file(s, p, n)));
        pages
            .par_chunks(PER_FRAGMENT)
            .enumerate()
            .for_each(|(k, chunk)| put(fragment_file(k, chunk)));
        put(self.meta_file(shards));
        shards as usize + n.div_ceil(PER_FRAGMENT) + 1
    }
}

/// The front-matter text of a page that search finds (the page shows all of it).
fn fields<'a>(d: &'a ParsedDoc, competitors: &'a [String]) -> Vec<&'a str> {
    let mut out: Vec<&str> = d.fm.aliases.iter().chain(&d.fm.tags).map(String::as_str).collect();
    let opt = |s: &'a Option<String>| s.as_deref();
    if let Some(c) = &d.fm.customer {
        out.extend([opt(&c.industry), opt(&c.region), opt(&c.owner)].into_iter().flatten());
        for p in &c.contacts {
            out.push(&p.name);
            out.extend([opt(&p.title), opt(&p.notes)].into_iter().flatten());
        }
        for v in &c.visits {
            out.extend(
                [opt(&v.goal), opt(&v.outcome), opt(&v.commitment)]
                    .into_iter()
                    .flatten(),
            );
        }
        out.extend(competitors.iter().map(String::as_str));
    }
    if let Some(c) = &d.fm.competitor {
        out.extend(
            c.products
                .iter()
                .chain(&c.strengths)
                .chain(&c.weaknesses)
                .map(String::as_str),
        );
        out.extend(opt(&c.strategy));
    }
    if let Some(s) = &d.fm.spin {
        out.extend([opt(&s.product), opt(&s.industry)].into_iter().flatten());
        let questions = s
            .situation
            .iter()
            .chain(&s.problem)
            .chain(&s.implication)
            .chain(&s.need_payoff);
        out.extend(questions.map(String::as_str));
    }
    if let Some(f) = &d.fm.fab {
        out.extend(opt(&f.product));
        for r in &f.rows {
            out.extend([&r.feature, &r.function, &r.advantage, &r.benefit].map(String::as_str));
        }
    }
    out
}

/// A page's terms, each once with its best place: its title's and its fields', and `body`,
/// its body's (see [`crate::body::Taken::terms`]).
fn doc_terms(d: &ParsedDoc, competitors: &[String], body: &text::Packed) -> Vec<(Term, u32)> {
    let mut title = Tokenizer::new(true);
    title.feed(&d.fm.title);
    for a in &d.fm.aliases {
        title.boundary();
        title.feed(a);
    }
    let mut field = Tokenizer::new(false);
    for f in fields(d, competitors) {
        field.boundary();
        field.feed(f);
    }
    // The title's and the fields' terms, each once with its better place, merged with the
    // body's (all three lists come sorted): linear, where looking each one up among those
    // not in the body had been quadratic in a customer's field terms.
    let mut extra: Vec<(Term, u32)> = title
        .finish()
        .into_iter()
        .map(|t| (t, TITLE))
        .chain(field.finish().into_iter().map(|t| (t, FIELD)))
        .collect();
    extra.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    extra.dedup_by(|next, kept| next.0 == kept.0);
    let mut out = Vec::with_capacity(body.about() + extra.len());
    let mut extra = extra.into_iter().peekable();
    for t in body.iter() {
        while let Some(e) = extra.next_if(|e| e.0 < t) {
            out.push(e);
        }
        let w = extra.next_if(|e| e.0 == t).map_or(BODY, |e| e.1.max(BODY));
        out.push((t, w));
    }
    out.extend(extra);
    out
}

/// A page's terms ordered by part: part `p`'s are `terms[start[p]..start[p + 1]]`.
struct ByPart {
    terms: Vec<(Term, u32)>,
    start: Vec<u32>,
}

impl ByPart {
    /// A counting sort: parts are few.
    fn new(terms: Vec<(Term, u32)>, parts: usize) -> ByPart {
        let keys: Vec<u16> = terms.iter().map(|t| t.0.part(parts) as u16).collect();
        let mut start = vec![0u32; parts + 1];
        for &k in &keys {
            start[k as usize + 1] += 1;
        }
        for p in 0..parts {
            start[p + 1] += start[p];
        }
        let mut next = start.clone();
        let mut out = vec![(Term::default(), 0); terms.len()];
        for (t, k) in terms.into_iter().zip(keys) {
            out[next[k as usize] as usize] = t;
            next[k as usize] += 1;
        }
        ByPart { terms: out, start }
    }

    fn part(&self, p: usize) -> &[(Term, u32)] {
        &self.terms[self.start[p] as usize..self.start[p + 1] as usize]
    }
}

/// Appends `v` in decimal.
fn push_number(out: &mut String, v: u32) {
    out.push_str(crate::format::decimal(v.into(), &mut [0; 20]));
}

/// `sbSearch.t(5,{"精密":[…],"客户":"…",…})`: each term's pages, as a list of deltas
/// (`delta << 2 | weight`), or, for a term on many pages, as a string of base-64 digits that
/// each hold the weights of three pages (two bits each, the first page lowest): a tenth of
/// the size for a word every page has.
fn shard_file(shard: usize, postings: Vec<(Term, Pages)>, pages: usize) -> OutputFile {
    let mut terms: Vec<(String, Pages)> = postings.into_iter().map(|(t, p)| (t.to_str(), p)).collect();
    terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::with_capacity(
        terms
            .iter()
            .map(|t| t.0.len() + 4 + t.1.count as usize * 3)
            .sum::<usize>()
            + 32,
    );
    let _ = write!(out, "sbSearch.t({shard},{{");
    for (i, (term, list)) in terms.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(term).unwrap_or_default());
        out.push(':');
        // About 3 bytes a page as a list, a third of a byte a page as weights (as `index`
        // counts them).
        if list.count as usize * 9 > pages {
            push_weights(&mut out, list.pages(), pages);
            continue;
        }
        out.push('[');
        for (j, v) in list.deltas().enumerate() {
            if j > 0 {
                out.push(',');
            }
            push_number(&mut out, v);
        }
        out.push(']');
    }
    out.push_str("});\n");
    OutputFile::new(format!("search/t/{shard}.js"), out)
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The weight of every page, three to a base-64 digit, as a JSON string.
fn push_weights(out: &mut String, list: impl Iterator<Item = (u32, u32)>, pages: usize) {
    let mut digits = vec![0u8; pages.div_ceil(3)];
    for (page, w) in list {
        let page = page as usize;
        digits[page / 3] |= (w as u8) << (2 * (page % 3));
    }
    out.push('"');
    out.extend(digits.iter().map(|d| BASE64[*d as usize] as char));
    out.push('"');
}

/// Characters of a page's first paragraph a result shows.
const EXCERPT: usize = 90;

/// The first `n` characters of `s`, and `…` when there is more.
fn cut(s: &str, n: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", s[..i].trim_end_matches('…')).into(),
        None => s.into(),
    }
}

/// What a result shows of a page: title, folder (the page is its `index.html`), kind, stage
/// and tier (positions in the meta's lists, or -1), front-matter text, the start of the body.
#[derive(Serialize)]
struct Shown<'a>(&'a str, String, usize, i64, i64, String, std::borrow::Cow<'a, str>);

fn fragment_file(k: usize, pages: &[(Arc<ParsedDoc>, Vec<String>)]) -> OutputFile {
    let shown: Vec<Shown> = pages
        .iter()
        .map(|(d, competitors)| {
            let kind = KIND_ORDER.iter().position(|x| *x == d.kind).unwrap_or(0);
            let c = d.fm.customer.as_deref();
            let stage = c.and_then(|c| c.stage).map_or(-1, |s| s.0 as i64);
            let tier = c
                .and_then(|c| c.tier)
                .and_then(|t| Tier::ALL.iter().position(|x| *x == t))
                .map_or(-1, |t| t as i64);
            Shown(
                &d.fm.title,
                crate::model::url_escape(d.path.strip_suffix("index.html").unwrap_or(&d.path)),
                kind,
                stage,
                tier,
                fields(d, competitors).join(" · "),
                cut(&d.body.excerpt, EXCERPT),
            )
        })
        .collect();
    let json = script_safe(serde_json::to_string(&shown).unwrap_or_default());
    OutputFile::new(format!("search/f/{k}.js"), format!("sbSearch.f({k},{json});\n"))
}

/// JSON with `<`, `>` and `&` as escapes: front-matter text in the index reads as data in
/// any context (outside JSON strings those characters do not occur).
fn script_safe(json: String) -> String {
    let mut rest = json.as_str();
    let Some(mut at) = memchr::memchr3(b'<', b'>', b'&', rest.as_bytes()) else {
        return json;
    };
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    loop {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            _ => "\\u0026",
        });
        rest = &rest[at + 1..];
        match memchr::memchr3(b'<', b'>', b'&', rest.as_bytes()) {
            Some(next) => at = next,
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// Pages as deltas, like a term's postings: `[3,1,4]` is pages 3, 4 and 8.
fn deltas(pages: &[u32]) -> Vec<u32> {
    let mut prev = 0;
    pages
        .iter()
        .map(|p| {
            let d = p - prev;
            prev = *p;
            d
        })
        .collect()
}

/// One character per page: its value's position in a facet's list, from `0`.
fn facet_chars(values: impl Iterator<Item = usize>) -> String {
    values.map(|v| char::from_u32(0x30 + v as u32).unwrap_or('0')).collect()
}

impl Input {
    fn meta_file(&self, shards: u32) -> OutputFile {
        let docs = &self.pages;
        fn customer(d: &(Arc<ParsedDoc>, Vec<String>)) -> Option<&crate::parse::front_matter::Customer> {
            d.0.fm.customer.as_deref()
        }
        let kind = facet_chars(docs.iter().map(|d| {
            let k = d.0.kind;
            KIND_ORDER.iter().position(|x| *x == k).unwrap_or(0)
        }));
        let stage = facet_chars(
            docs.iter()
                .map(|d| customer(d).and_then(|c| c.stage).map_or(0, |s| s.0 + 1)),
        );
        let tier = facet_chars(docs.iter().map(|d| {
            customer(d)
                .and_then(|c| c.tier)
                .and_then(|t| Tier::ALL.iter().position(|x| *x == t))
                .map_or(0, |t| t + 1)
        }));
        let mut owners: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        let mut tags: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for (i, d) in docs.iter().enumerate() {
            if let Some(o) = customer(d).and_then(|c| c.owner.as_deref()) {
                owners.entry(o).or_default().push(i as u32);
            }
            for t in &d.0.fm.tags {
                tags.entry(t).or_default().push(i as u32);
            }
        }
        let lists = |m: BTreeMap<&str, Vec<u32>>| -> Vec<(String, Vec<u32>)> {
            m.into_iter().map(|(k, v)| (k.to_owned(), deltas(&v))).collect()
        };
        let meta = json!({
            "pages": docs.len(),
            "shards": shards,
            "per_fragment": PER_FRAGMENT,
            "max_term": text::MAX_TERM,
            "fold": [text::TRADITIONAL, text::SIMPLIFIED],
            "kinds": self.kinds,
            "stages": self.stages,
            "tiers": self.tiers,
            "kind": kind,
            "stage": stage,
            "tier": tier,
            "owners": lists(owners),
            "tags": lists(tags),
            "ui": self.ui,
        });
        let meta = script_safe(meta.to_string());
        OutputFile::new("search/meta.js", format!("sbSearch.m({meta});\n"))
    }
}

/// The theme labels `search.js` shows.
const UI_LABELS: [&str; 14] = [
    "search_placeholder",
    "search_results",
    "search_none",
    "search_one_char",
    "search_loading",
    "search_unavailable",
    "search_more",
    "search_all",
    "search_in",
    "facet_kind",
    "facet_stage",
    "facet_tier",
    "facet_owner",
    "facet_tag",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_and_facet_chars() {
        assert_eq!(deltas(&[3, 4, 8]), [3, 1, 4]);
        assert_eq!(cut("华东精密", 2), "华东…");
        assert_eq!(cut("华东", 2), "华东");
        let mut s = String::new();
        for v in [0, 7, 10, 4_294_967_295] {
            push_number(&mut s, v);
            s.push(',');
        }
        assert_eq!(s, "0,7,10,4294967295,");
        // Pages 0 (title), 4 (body) and 5 (fields): digits 3, 1 << 2 | 2 << 4 = 36.
        let mut w = String::new();
        push_weights(&mut w, [(0, 3), (4, 1), (5, 2)].into_iter(), 7);
        assert_eq!(w, "\"DkA\"");
        // Postings as LEB128 deltas, read back as pushed.
        let mut p = Pages::default();
        for (page, w) in [(0, 3), (1, 1), (40, 2), (100_000, 1)] {
            p.push(page, w);
        }
        assert_eq!(p.count, 4);
        assert_eq!(
            p.deltas().collect::<Vec<_>>(),
            [3, 1 << 2 | 1, 39 << 2 | 2, 99_960 << 2 | 1]
        );
        assert_eq!(p.pages().collect::<Vec<_>>(), [(0, 3), (1, 1), (40, 2), (100_000, 1)]);
        assert_eq!(facet_chars([0, 1, 10].into_iter()), "01:");
        let json = script_safe(serde_json::to_string(&["<b>&</b>"]).unwrap());
        assert_eq!(json, r#"["\u003cb\u003e\u0026\u003c/b\u003e"]"#);
        assert_eq!(serde_json::from_str::<Vec<String>>(&json).unwrap(), ["<b>&</b>"]);
    }
}
