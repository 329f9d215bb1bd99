//! Find references and rename, from the link graph of the last build: which pages link to a
//! page comes from its backlinks, and each link's place from the parse of the linking page
//! (`Link::pos`, a `competitors:` entry's place), so that nothing is searched for in text
//! that the build did not take for a link.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::build::SiteFacts;
use crate::links::LinkTo;
use crate::parse::markdown::Target;
use crate::site::{DocId, ParsedDoc};

use super::pages::Page;

/// One place that names the page: its file, its text (as the build read it) and the byte
/// range of the whole link or reference.
pub struct Place {
    pub file: PathBuf,
    pub text: Arc<str>,
    pub range: std::ops::Range<usize>,
    pub what: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Wiki,
    Markdown,
    Competitor,
}

/// Every link to page `to` and every `competitors:` entry that names it.
pub fn references(site: &SiteFacts, pages: &[Page], to: usize) -> Vec<Place> {
    let mut from: Vec<DocId> = site.graph.backlinks.get(to).cloned().unwrap_or_default();
    // A page's links to itself by name (`[[huadong#价格]]` on huadong) are no backlinks.
    from.push(DocId(to));
    from.sort();
    from.dedup();
    let mut out = Vec::new();
    for id in from {
        let Some(doc) = site.docs.get(id.0) else { continue };
        let Some(text) = doc.text() else { continue };
        let text: Arc<str> = Arc::from(text.as_ref());
        let links = site.graph.body_links.get(id.0);
        for (i, link) in doc.body.links.iter().enumerate() {
            let hit = links
                .and_then(|l| l.get(i))
                .is_some_and(|t| matches!(t, Some(LinkTo { doc, .. }) if doc.0 == to));
            // A link to this page's own heading (`[[#a]]`) names no page.
            if !hit
                || matches!(&link.target, Target::SamePage { .. })
                || matches!(&link.target, Target::Wiki { name, .. } if name.is_empty())
            {
                continue;
            }
            let what = match link.target {
                Target::Wiki { .. } => Kind::Wiki,
                _ => Kind::Markdown,
            };
            if let Some(range) = byte_span(&text, link.pos.line, link.pos.column, link.width) {
                // The parse gives a link's first line: a markdown link's text may go on.
                let range = match what {
                    Kind::Markdown => md_extent(&text, range),
                    _ => range,
                };
                out.push(Place {
                    file: doc.file.clone(),
                    text: Arc::clone(&text),
                    range,
                    what,
                });
            }
        }
        let target = &pages[to];
        if target.competitor
            && let Some(c) = &doc.fm.customer
        {
            for r in c.competitors.iter().filter(|r| target.named(&r.value)) {
                if let Some(range) = byte_span(&text, r.pos.line, r.pos.column, r.width) {
                    let range = quoted(&text, range);
                    out.push(Place {
                        file: doc.file.clone(),
                        text: Arc::clone(&text),
                        range,
                        what: Kind::Competitor,
                    });
                }
            }
        }
    }
    out
}

/// The whole of a markdown link that starts at `first.start` (`[text\non](x.md)`): up to
/// the `)` of the first `](…)` in its paragraph whose path is a `.md` file.
fn md_extent(text: &str, first: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let para = text[first.start..].find("\n\n").map_or(text.len(), |i| first.start + i);
    let mut from = first.start;
    while let Some(i) = text[from..para].find("](") {
        let dest = from + i + 2;
        let Some(close) = text[dest..para].find(')') else { break };
        let path = text[dest..dest + close].trim_start_matches('<');
        let path = path.split(['#', '>', ' ']).next().unwrap_or(path);
        if path.ends_with(".md") {
            return first.start..dest + close + 1;
        }
        from = dest;
    }
    first
}

/// A YAML value's range with its quotes when it is quoted (`"Rival Automation"`), up to the
/// closing quote on its line (the parse's width counts the value's characters, which an
/// escape such as `\u0041` makes differ from what is written).
fn quoted(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let Some(q) = text[range.start..].chars().next().filter(|c| matches!(c, '"' | '\'')) else {
        return range;
    };
    let line_end = text[range.start..].find('\n').map_or(text.len(), |i| range.start + i);
    match text[range.start + 1..line_end].find(q) {
        Some(i) => range.start..range.start + 1 + i + 1,
        None => range,
    }
}

fn byte_span(text: &str, line: usize, column: usize, width: usize) -> Option<std::ops::Range<usize>> {
    let start = super::pos::offset_at(text, line, column)?;
    let end = text[start..]
        .char_indices()
        .nth(width)
        .map_or(text.len(), |(i, _)| start + i);
    Some(start..end)
}

/// Why a new slug cannot be taken.
pub fn refuse(site_pages: &[Page], page: &Page, doc: &ParsedDoc, new: &str) -> Option<String> {
    let bad = |why: &str| Some(format!("\"{new}\" cannot be a slug: {why}"));
    if let Err(p) = crate::model::PathSegment::new(new) {
        return bad(p.describe());
    }
    if new.contains([
        '?', '#', '"', '\'', '<', '>', '|', '[', ']', '(', ')', ',', ':', '%', '\\',
    ]) || new.chars().any(char::is_whitespace)
    {
        return bad("use letters, digits, CJK characters and `-`; no spaces, `/`, `?`, `#`, `|`, brackets or quotes");
    }
    if new.starts_with('-') || new.starts_with('_') || new.ends_with(".md") {
        return bad("start it with a letter or a digit, and leave out `.md`");
    }
    if crate::plan::RESERVED.contains(&new) {
        return bad(&format!(
            "it is the name of a generated page; these are taken: {}",
            crate::plan::RESERVED.join(", ")
        ));
    }
    if new == page.slug {
        return Some(format!("the page's slug is \"{new}\" already"));
    }
    let dir = page.dir();
    let new_path = if dir.is_empty() {
        new.to_owned()
    } else {
        format!("{dir}/{new}")
    };
    if let Some(other) = site_pages.iter().find(|p| {
        // Names that differ only in case are one file on macOS and Windows.
        let same = |a: &str| crate::site::fold_name(a) == crate::site::fold_name(&new_path);
        p.id != page.id && (same(&p.content_path) || same(&p.slug_path()))
    }) {
        return Some(format!("{} has that name already", other.path.display()));
    }
    // A wiki link names a page by slug before title, in any folder: a second page of that
    // slug would make `[[new]]` ambiguous, one of that title would lose its links to this.
    if let Some(other) = site_pages
        .iter()
        .find(|p| p.id != page.id && (p.slug == new || p.stem() == new || p.title == new))
    {
        return Some(format!(
            "{} is named \"{new}\" already: a [[{new}]] link would no longer name one page",
            other.path.display()
        ));
    }
    if doc.fm.slug.is_none() {
        let file = page.path.with_file_name(format!("{new}.md"));
        if file.exists() {
            return Some(format!("{} exists already", file.display()));
        }
    }
    None
}

/// One text edit: the file, its byte range and the new text.
pub struct Edit {
    pub file: PathBuf,
    pub text: Arc<str>,
    pub range: std::ops::Range<usize>,
    pub new: String,
}

/// What renaming `page`'s slug to `new` changes: the text edits (the slug line when the
/// front matter sets `slug:`, else each link and reference by path or slug; a link by
/// title stays), and the file to rename (none when `slug:` is set).
pub fn rename(site: &SiteFacts, pages: &[Page], page: &Page, new: &str) -> (Vec<Edit>, Option<(PathBuf, PathBuf)>) {
    let doc = &site.docs[page.id];
    let explicit = doc.fm.slug.as_ref();
    let mut edits = Vec::new();
    if let (Some(s), Some(text)) = (explicit, doc.text())
        && let Some(range) = byte_span(&text, s.pos.line, s.pos.column, s.width)
    {
        edits.push(Edit {
            file: doc.file.clone(),
            text: Arc::from(text.as_ref()),
            range,
            new: new.to_owned(),
        });
    }
    // The names that change: the slug, and the file's name when the file is renamed.
    let old: Vec<&str> = match explicit {
        Some(_) => vec![page.slug.as_str()],
        None => vec![page.slug.as_str(), page.stem()],
    };
    for place in references(site, pages, page.id) {
        let written = &place.text[place.range.clone()];
        let part = match place.what {
            Kind::Wiki => wiki_name(written),
            Kind::Markdown if explicit.is_none() => md_file(written),
            Kind::Markdown => None,
            Kind::Competitor => {
                let v = written.trim().trim_matches(['"', '\'']);
                let at = written.find(v).unwrap_or(0);
                Some(at..at + v.len())
            }
        };
        let Some(part) = part else { continue };
        let name = &written[part.clone()];
        // The last segment of `customers/huadong`, `/customers/huadong.md`, `huadong`.
        let seg_start = name.rfind('/').map_or(0, |i| i + 1);
        let seg = &name[seg_start..];
        let stem = seg.strip_suffix(".md").unwrap_or(seg);
        let decoded = crate::parse::markdown::percent_decode(stem);
        if !old.contains(&decoded.as_ref()) {
            continue;
        }
        let start = place.range.start + part.start + seg_start;
        edits.push(Edit {
            file: place.file,
            range: start..start + stem.len(),
            text: place.text,
            new: new.to_owned(),
        });
    }
    let moved = explicit
        .is_none()
        .then(|| (page.path.clone(), page.path.with_file_name(format!("{new}.md"))));
    (edits, moved)
}

/// The byte range of the page name in a written wiki link (`[[name#a|text]]`).
fn wiki_name(written: &str) -> Option<std::ops::Range<usize>> {
    let inner_start = written.find("[[")? + 2;
    let inner = &written[inner_start..];
    let end = inner.find(['|', '#', ']']).unwrap_or(inner.len());
    let name = &inner[..end];
    let lead = name.len() - name.trim_start().len();
    let trimmed = name.trim();
    (!trimmed.is_empty()).then(|| inner_start + lead..inner_start + lead + trimmed.len())
}

/// The byte range of the path (before any `#anchor`) in a written markdown link
/// (`[text](../customers/huadong.md#a)`).
fn md_file(written: &str) -> Option<std::ops::Range<usize>> {
    let open = written.rfind("](")? + 2;
    let dest = &written[open..];
    let angle = dest.starts_with('<');
    let dest_start = open + usize::from(angle);
    let dest = &written[dest_start..];
    let end = match angle {
        true => dest.find(['#', '>']),
        false => dest.find(['#', ')', ' ']),
    }
    .unwrap_or(dest.len());
    (end > 0).then(|| dest_start..dest_start + end)
}

/// The page a request is about: the page a link or reference at the cursor names, else the
/// document's own page.
pub fn page_at<'p>(pages: &'p [Page], doc: &Path, named: Option<&Path>) -> Option<&'p Page> {
    let same = |a: &Path, b: &Path| a == b || a.canonicalize().is_ok_and(|c| b.canonicalize().is_ok_and(|d| c == d));
    match named {
        Some(target) => pages.iter().find(|p| same(&p.path, target)),
        None => pages.iter().find(|p| same(&p.path, doc)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_part_of_a_written_link() {
        let w = "[[ customers/huadong#价格|华东 ]]";
        assert_eq!(&w[wiki_name(w).unwrap()], "customers/huadong");
        let m = "[看价格](../competitors/rival.md#价格)";
        assert_eq!(&m[md_file(m).unwrap()], "../competitors/rival.md");
        let t = "x [华东\n精密](huadong.md#a) y";
        let r = md_extent(t, 2..t.find('\n').unwrap());
        assert_eq!(&t[r.clone()], "[华东\n精密](huadong.md#a)");
        assert_eq!(md_file(&t[r.clone()]).map(|f| &t[r][f]), Some("huadong.md"));
        let m = "[a](<my file.md>)";
        assert_eq!(md_file(m).map(|r| &m[r]), Some("my file.md"));
    }
}
