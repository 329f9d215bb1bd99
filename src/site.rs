//! The site as a whole: every parsed page, looked up by path, slug and title.

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, Pos};
use crate::hasher::hash_of;
use crate::load::SourceFile;
use crate::model::{Kind, PathSegment};
use crate::parse::front_matter::{self, FrontMatter};
use crate::parse::markdown::{self, Body};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocId(pub usize);

/// One page, parsed: what the whole-site stages need, and what rendering needs.
#[derive(Debug, Clone)]
pub struct ParsedDoc {
    pub rel_path: String,
    /// `customers/huadong` (relative to content/, no extension).
    pub content_path: String,
    /// The folder in content/ (`customers`), or "" at the top.
    pub dir: String,
    pub section: String,
    pub slug: String,
    /// The output path relative to the site root: `customers/huadong/index.html`.
    pub path: String,
    pub kind: Kind,
    pub fm: FrontMatter,
    pub body: Body,
    /// The whole file; empty once [`ParsedDoc::drop_text`] let it go (see [`ParsedDoc::text`]).
    text: String,
    /// Where the file was read from.
    pub file: std::path::PathBuf,
    pub body_offset: usize,
    /// Hash of the whole file: any change.
    pub hash: u64,
    /// Hash of what lists and links show of this page (front matter, path, excerpt): pages
    /// that list or link it re-render only when this changes. Like every fingerprint, made
    /// with the one hasher (`crate::hasher`, see [`crate::incremental`]).
    pub summary_hash: u64,
    /// Hash of what names the page (file, slug, title, kind): the site's index changes only
    /// when one of these does.
    pub identity_hash: u64,
}

impl ParsedDoc {
    pub fn title(&self) -> &str {
        &self.fm.title
    }

    /// The file's text: kept in memory, or read again (a streaming build keeps only what the
    /// whole site needs, so memory does not grow with the size of the bodies). `None` when
    /// the file changed or went away since it was parsed.
    pub fn text(&self) -> Option<std::borrow::Cow<'_, str>> {
        if !self.text.is_empty() || self.hash == crate::load::hash(b"") {
            return Some(std::borrow::Cow::Borrowed(&self.text));
        }
        crate::load::reread(&self.file, self.hash).map(std::borrow::Cow::Owned)
    }

    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Lets the text go: [`ParsedDoc::text`] reads it again when needed.
    pub fn drop_text(&mut self) {
        self.text = String::new();
    }

    /// The canonical URL path: `/customers/huadong/`.
    pub fn url(&self) -> String {
        format!(
            "/{}",
            crate::model::url_escape(self.path.trim_end_matches("index.html"))
        )
    }
}

/// A file that holds section text (`_index.md`) rather than a page.
#[derive(Debug, Clone)]
pub struct SectionText {
    pub dir: String,
    pub title: Option<String>,
    pub text: String,
    pub body_offset: usize,
    pub body: Body,
    /// Left out of builds without `--drafts`, like a draft page.
    pub draft: bool,
    /// Left out of `--public` builds, like a confidential page.
    pub confidential: bool,
}

/// Parses one source file. `None` when the file is not a page at all (no front matter).
/// `public`: a `--public` build, which leaves out the page's `private:` fields.
pub fn parse_doc(src: &SourceFile, config: &SiteConfig, public: bool) -> (Option<ParsedDoc>, Vec<Diagnostic>) {
    let file = src.rel_path.as_str();
    let split = match front_matter::split(file, &src.text) {
        Ok(s) => s,
        Err(d) => return (None, vec![d]),
    };
    let (dir, stem) = match src.content_path.rsplit_once('/') {
        Some((d, s)) => (d.to_owned(), s.to_owned()),
        None => (String::new(), src.content_path.clone()),
    };
    let section = dir.split('/').next().unwrap_or("").to_owned();
    // The file's folders and name become folders of the output: each must be one.
    if let Some((name, problem)) = src
        .content_path
        .split('/')
        .find_map(|seg| PathSegment::new(seg).err().map(|p| (seg, p)))
    {
        let what = if name == stem { "file" } else { "folder" };
        // Named with its control characters escaped: a line break in a name must not
        // make the printed diagnostics say something else.
        let d = Diagnostic::error(
            crate::load::shown(file),
            format!(
                "the {what} name `{}` cannot be a folder name of the site: {}",
                crate::load::shown(name),
                problem.describe()
            ),
        );
        return (
            None,
            vec![d.help(format!(
                "rename the {what}; use letters, digits, CJK characters, `-` and `_`"
            ))],
        );
    }
    let (mut fm, mut diags) = front_matter::parse(file, &src.text, &split, Kind::of_section(&section), config, public);
    if fm.title.is_empty() {
        fm.title = stem.clone();
    }
    let kind = fm.kind.unwrap_or(Kind::Page);
    let slug = match &fm.slug {
        Some(s) => {
            let clean = s.value.trim().trim_matches('/');
            let problem = match PathSegment::new(clean) {
                Err(p) => Some(p.describe()),
                Ok(_) if clean.contains(['?', '#', '"', '<', '>']) => {
                    Some("`?`, `#`, `<`, `>` and quotes end or change a URL")
                }
                Ok(_) => None,
            };
            if let Some(why) = problem {
                let d = Diagnostic::error(
                    file,
                    format!(
                        "`slug: {}` cannot be part of a URL: {why}",
                        crate::load::shown(&s.value)
                    ),
                )
                .at(&src.text, s.pos, s.width);
                diags.push(d.help("use letters, digits, CJK characters and `-`; no `/`, `?`, `#` or quotes"));
                stem.clone()
            } else {
                clean.to_owned()
            }
        }
        None => stem.clone(),
    };
    let path = if dir.is_empty() {
        format!("{slug}/index.html")
    } else {
        format!("{dir}/{slug}/index.html")
    };
    let body = markdown::scan(&src.text, split.body_offset, &dir, config.search);
    let body_offset = split.body_offset;
    let summary_hash = hash_of((split.yaml, &src.rel_path, &body.excerpt));
    let identity_hash = hash_of((&src.content_path, &slug, &fm.title, kind));
    let doc = ParsedDoc {
        rel_path: src.rel_path.clone(),
        content_path: src.content_path.clone(),
        dir,
        section,
        slug,
        path,
        kind,
        fm,
        body,
        text: src.text.clone(),
        file: src.path.clone(),
        body_offset,
        hash: src.hash,
        summary_hash,
        identity_hash,
    };
    (Some(doc), diags)
}

/// Parses an `_index.md`: optional front matter (title, `confidential`, `draft`) and
/// markdown text. `public`: a `--public` build (see `front_matter::apply_private`).
pub fn parse_section_text(src: &SourceFile, public: bool) -> (SectionText, Vec<Diagnostic>) {
    let dir = src
        .content_path
        .trim_end_matches("_index")
        .trim_end_matches('/')
        .to_owned();
    let mut diags = Vec::new();
    let (fields, body_offset) = if src.text.starts_with("---") {
        match front_matter::split(&src.rel_path, &src.text) {
            Ok(split) => {
                let (fields, d) = front_matter::parse_section(&src.rel_path, &src.text, &split, public);
                diags.extend(d);
                (fields, split.body_offset)
            }
            Err(d) => {
                diags.push(d);
                (Default::default(), 0)
            }
        }
    } else {
        (Default::default(), 0)
    };
    let body = markdown::scan(&src.text, body_offset, &dir, false);
    (
        SectionText {
            dir,
            title: fields.title,
            text: src.text.clone(),
            body_offset,
            body,
            draft: fields.draft,
            confidential: fields.confidential,
        },
        diags,
    )
}

/// The index's maps: looked up for every link of every page, and built from every page.
type Map<K, V> = HashMap<K, V, ahash::RandomState>;

/// The lookups link resolution needs: pages by path, slug and title.
#[derive(Debug, Default)]
pub struct Index {
    pub by_path: Map<String, DocId>,
    pub by_slug: Map<String, Vec<DocId>>,
    pub by_title: Map<String, Vec<DocId>>,
    /// Changes when any page's identity (path, slug, title, kind, hidden) changes: while it
    /// stays the same, the index and every link resolution that only used it stay valid.
    pub signature: u64,
    /// Duplicate-URL errors, which depend only on what the signature covers.
    pub duplicates: Vec<Diagnostic>,
}

impl Index {
    /// The three lookups and the duplicate check read the pages independently of each other:
    /// each is built on its own core (the stage sits between the parallel parse and the
    /// parallel link resolution, with nothing else to run beside it).
    fn build(docs: &[Arc<ParsedDoc>], hidden: &[bool], signature: u64) -> Index {
        let ((duplicates, by_path), (by_slug, by_title)) = rayon::join(
            || rayon::join(|| duplicates(docs, hidden), || paths_of(docs)),
            || rayon::join(|| slugs_of(docs), || titles_of(docs)),
        );
        Index {
            by_path,
            by_slug,
            by_title,
            signature,
            duplicates,
        }
    }
}

/// Each page by its file path and by its folder and slug (the first page keeps a path).
fn paths_of(docs: &[Arc<ParsedDoc>]) -> Map<String, DocId> {
    let mut by_path = Map::with_capacity_and_hasher(2 * docs.len(), Default::default());
    for (i, d) in docs.iter().enumerate() {
        let id = DocId(i);
        by_path.insert(d.content_path.clone(), id);
        let slug_path = if d.dir.is_empty() {
            d.slug.clone()
        } else {
            format!("{}/{}", d.dir, d.slug)
        };
        by_path.entry(slug_path).or_insert(id);
    }
    by_path
}

/// The pages by slug and by file name (when it differs from the slug), in page order.
fn slugs_of(docs: &[Arc<ParsedDoc>]) -> Map<String, Vec<DocId>> {
    let mut by_slug: Map<String, Vec<DocId>> = Map::with_capacity_and_hasher(docs.len(), Default::default());
    for (i, d) in docs.iter().enumerate() {
        let id = DocId(i);
        by_slug.entry(d.slug.clone()).or_default().push(id);
        let stem = d.content_path.rsplit('/').next().unwrap_or(&d.content_path);
        if stem != d.slug {
            by_slug.entry(stem.to_owned()).or_default().push(id);
        }
    }
    by_slug
}

/// The pages by title, in page order.
fn titles_of(docs: &[Arc<ParsedDoc>]) -> Map<String, Vec<DocId>> {
    let mut by_title: Map<String, Vec<DocId>> = Map::with_capacity_and_hasher(docs.len(), Default::default());
    for (i, d) in docs.iter().enumerate() {
        by_title.entry(d.fm.title.clone()).or_default().push(DocId(i));
    }
    by_title
}

/// Pages that would write one output file, or one folder on macOS and Windows.
fn duplicates(docs: &[Arc<ParsedDoc>], hidden: &[bool]) -> Vec<Diagnostic> {
    let mut duplicates = Vec::new();
    let mut by_output: Map<&str, DocId> = Map::with_capacity_and_hasher(docs.len(), Default::default());
    for (i, d) in docs.iter().enumerate() {
        let id = DocId(i);
        if hidden[i] {
            by_output.entry(d.path.as_str()).or_insert(id);
        } else if let Some(first) = by_output.insert(d.path.as_str(), id) {
            let other = &docs[first.0];
            let msg = format!("duplicate slug \"{}\": {} has the same URL", d.slug, other.rel_path);
            let diag = match &d.fm.slug {
                Some(s) => Diagnostic::error(&d.rel_path, msg).at(&d.text, s.pos, s.width),
                None => Diagnostic::error(&d.rel_path, msg).at(&d.text, Pos::new(1, 1), 3),
            };
            let help = format!(
                "both pages would be written to /{}; give one of them another `slug:`",
                d.path
            );
            // Keep the first page at that URL; this one is still indexed by its file path.
            duplicates.push(diag.help(help));
        }
    }
    // Pages whose URLs differ only in case write one folder on the file systems of macOS
    // and Windows (`ABC.md` and `abc.md`), and so do names that differ only in Unicode
    // normalization on macOS (`é` as one character, NFC, or as `e` and an accent, NFD):
    // the site would lose one of them there. Only paths with a capital letter or a
    // character beyond ASCII are folded: one of two twins has one.
    let mut by_folded: Map<String, DocId> = Map::default();
    for (i, d) in docs.iter().enumerate() {
        let shown = |j: usize| !hidden[j] && by_output.get(docs[j].path.as_str()) == Some(&DocId(j));
        if !shown(i) || (d.path.is_ascii() && !d.path.chars().any(char::is_uppercase)) {
            continue;
        }
        let fold = fold_name(&d.path);
        let twin = match by_output.get(fold.as_str()) {
            // (A lowercase name beyond ASCII folds to itself.)
            Some(j) if shown(j.0) && j.0 != i => Some(j.0),
            _ => by_folded.get(&fold).map(|j| j.0),
        };
        let Some(j) = twin else {
            by_folded.insert(fold, DocId(i));
            continue;
        };
        // Reported at the later file of the two, naming the earlier first.
        let (first, d) = (&docs[i.min(j)], &docs[i.max(j)]);
        let how = if first.path.to_lowercase() == d.path.to_lowercase() {
            "case"
        } else {
            "case or Unicode normalization (NFC and NFD: é as one character or as e and an accent)"
        };
        let msg = format!(
            "{} and {} have URLs that differ only in {how} (/{} and /{})",
            first.rel_path,
            d.rel_path,
            first.path.trim_end_matches("index.html"),
            d.path.trim_end_matches("index.html"),
        );
        let diag = match &d.fm.slug {
            Some(s) => Diagnostic::error(&d.rel_path, msg).at(&d.text, s.pos, s.width),
            None => Diagnostic::error(&d.rel_path, msg).at(&d.text, Pos::new(1, 1), 3),
        };
        duplicates.push(diag.help(
            "macOS and Windows would write both to one folder: rename one of the files or give it another `slug:`",
        ));
    }
    duplicates
}

/// All pages of one build, with their index.
#[derive(Debug, Default)]
pub struct Site {
    pub docs: Vec<Arc<ParsedDoc>>,
    pub sections: Vec<SectionText>,
    pub index: Arc<Index>,
    /// Pages left out of this build (drafts, confidential pages in a public build): they
    /// resolve links (so the link is reported, not called broken) but are never rendered.
    pub hidden: Vec<bool>,
}

impl Site {
    /// Indexes the pages (reusing `previous` when no page's identity changed); two pages
    /// that would write the same output file are an error.
    pub fn new(
        docs: Vec<Arc<ParsedDoc>>,
        sections: Vec<SectionText>,
        is_hidden: impl Fn(&ParsedDoc) -> bool,
        previous: Option<&Arc<Index>>,
    ) -> (Site, Vec<Diagnostic>) {
        use std::hash::{Hash, Hasher};
        let hidden: Vec<bool> = docs.iter().map(|d| is_hidden(d)).collect();
        let mut h = crate::hasher::hasher();
        for (d, hide) in docs.iter().zip(&hidden) {
            (d.identity_hash, hide).hash(&mut h);
        }
        let signature = h.finish();
        let index = match previous {
            Some(prev) if prev.signature == signature => Arc::clone(prev),
            _ => Arc::new(Index::build(&docs, &hidden, signature)),
        };
        let diags = index.duplicates.clone();
        (
            Site {
                docs,
                sections,
                index,
                hidden,
            },
            diags,
        )
    }

    pub fn doc(&self, id: DocId) -> &ParsedDoc {
        &self.docs[id.0]
    }

    pub fn is_hidden(&self, id: DocId) -> bool {
        self.hidden[id.0]
    }

    /// The pages this build renders.
    pub fn visible(&self) -> impl Iterator<Item = (DocId, &ParsedDoc)> + '_ {
        self.docs
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.hidden[*i])
            .map(|(i, d)| (DocId(i), &**d))
    }

    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = (DocId, &ParsedDoc)> + '_ {
        self.visible().filter(move |(_, d)| d.kind == kind)
    }

    pub fn section_text(&self, dir: &str) -> Option<&SectionText> {
        self.sections.iter().find(|s| s.dir == dir)
    }
}

/// A name as macOS and Windows compare them: without case, and (macOS) in one Unicode
/// normalization.
pub fn fold_name(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.nfc().collect::<String>().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What decides re-rendering is hashed like every other fingerprint (the one hasher, on
    /// the values themselves), so a page's summary and identity key the same in every module.
    #[test]
    fn page_fingerprints_are_made_with_the_one_hasher() {
        let file = "content/customers/huadong.md";
        let text = "---\ntitle: 华东精密\nstage: lead\n---\n首段文字。\n";
        let src = crate::load::source_from_bytes(file.to_owned(), text.as_bytes().to_vec()).expect("UTF-8");
        let (doc, diags) = parse_doc(&src, &SiteConfig::default(), false);
        assert!(diags.is_empty(), "{diags:?}");
        let doc = doc.expect("a page");
        let yaml = front_matter::split(file, text).expect("front matter").yaml;
        assert_eq!(doc.summary_hash, hash_of((yaml, file, "首段文字。")));
        assert_eq!(
            doc.identity_hash,
            hash_of(("customers/huadong", "huadong", "华东精密", Kind::Customer))
        );
        let (site, _) = Site::new(vec![Arc::new(doc.clone())], Vec::new(), |_| false, None);
        let mut h = crate::hasher::hasher();
        std::hash::Hash::hash(&(doc.identity_hash, false), &mut h);
        assert_eq!(site.index.signature, std::hash::Hasher::finish(&h));
    }
}
