//! Link resolution: body links, wiki links and front-matter references to pages, checked
//! (missing pages and anchors are errors at their place), and the backlinks they imply.

use std::collections::BTreeSet;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, MAX_PER_FILE, closest};
use crate::model::Kind;
use crate::parse::markdown::Target;
use crate::site::{DocId, SectionText, Site};

/// Where one body link goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTo {
    pub doc: DocId,
    pub anchor: Option<String>,
}

#[derive(Debug, Default)]
pub struct LinkGraph {
    /// For each page, for each link that `scan` found in its body: where it goes (None: same
    /// page anchor, or unresolved).
    pub body_links: Vec<Arc<Vec<Option<LinkTo>>>>,
    /// For each customer, its `competitors:` references, resolved.
    pub competitor_refs: Vec<Vec<DocId>>,
    /// For each competitor, the customers whose `competitors:` name it (where we meet it).
    pub met_by: Vec<Vec<DocId>>,
    /// For each page, the pages that link to or reference it, in a stable order.
    pub backlinks: Vec<Vec<DocId>>,
}

/// One page's resolved links, kept between builds.
#[derive(Debug, Clone, PartialEq)]
struct DocLinks {
    hash: u64,
    /// Shared with the graph of each build that reuses it.
    links: Arc<Vec<Option<LinkTo>>>,
    comps: Vec<DocId>,
    diags: Vec<Diagnostic>,
    /// Pages whose headings an `#anchor` of this page was checked against, with their hash then.
    anchor_deps: Vec<(DocId, u64)>,
}

/// The per-page results of the last resolution. While the site's index is the same (no page
/// renamed, added, removed or hidden), a page whose own file and whose anchor targets did not
/// change resolves exactly as before.
#[derive(Debug, Default)]
pub struct LinkCache {
    signature: u64,
    per_doc: Vec<Option<Arc<DocLinks>>>,
    /// The last graph and its problems: taken again when no page's links came out different
    /// (a save that changes no link, most of them).
    last: Option<(Arc<LinkGraph>, Vec<Diagnostic>)>,
    /// Each page's position among all pages sorted by title: backlinks sort by it.
    title_rank: Vec<u32>,
}

/// Resolves every link of the site. Links into hidden pages (drafts, confidential pages in
/// a public build) resolve to nothing and are reported as warnings. Reuses the results of
/// pages that cannot have changed since `cache` was filled.
pub fn resolve_cached(site: &Site, cache: &mut LinkCache) -> (Arc<LinkGraph>, Vec<Diagnostic>) {
    if cache.signature != site.index.signature || cache.per_doc.len() != site.docs.len() {
        // On both cores: nothing else runs beside it (ties go by page order, so the order
        // is one and the same however the sort splits the work).
        let mut by_title: Vec<usize> = (0..site.docs.len()).collect();
        by_title.par_sort_unstable_by(|a, b| site.docs[*a].fm.title.cmp(&site.docs[*b].fm.title).then(a.cmp(b)));
        let mut title_rank = vec![0; site.docs.len()];
        for (rank, i) in by_title.into_iter().enumerate() {
            title_rank[i] = rank as u32;
        }
        *cache = LinkCache {
            signature: site.index.signature,
            per_doc: vec![None; site.docs.len()],
            last: None,
            title_rank,
        };
    }
    // Each page's links resolve on their own (in parallel); the reverse edges are joined after.
    let per_doc: Vec<(Arc<DocLinks>, bool)> = (0..site.docs.len())
        .into_par_iter()
        .map(|i| {
            let fresh = |prev: &DocLinks| {
                prev.hash == site.docs[i].hash && prev.anchor_deps.iter().all(|(d, h)| site.doc(*d).hash == *h)
            };
            match &cache.per_doc[i] {
                Some(prev) if fresh(prev) => (Arc::clone(prev), false),
                prev => {
                    let new = resolve_doc(site, DocId(i));
                    // Resolved again the same (a body edit that changed no link).
                    let same = prev
                        .as_deref()
                        .is_some_and(|p| p.links == new.links && p.comps == new.comps && p.diags == new.diags);
                    (Arc::new(new), !same)
                }
            }
        })
        .collect();
    let changed = per_doc.iter().any(|(_, changed)| *changed);
    for (i, (doc, _)) in per_doc.iter().enumerate() {
        cache.per_doc[i] = Some(Arc::clone(doc));
    }
    if let (false, Some((graph, diags))) = (changed, &cache.last) {
        return (Arc::clone(graph), diags.clone());
    }
    let n = site.docs.len();
    // The forward lists and the reverse edges are made side by side, one core each.
    let ((body_links, competitor_refs, diags), (met_by, backlinks)) = rayon::join(
        || {
            let mut diags = Vec::new();
            let mut body_links = Vec::with_capacity(n);
            let mut competitor_refs = Vec::with_capacity(n);
            for (doc, _) in &per_doc {
                body_links.push(Arc::clone(&doc.links));
                competitor_refs.push(doc.comps.clone());
                diags.extend(doc.diags.iter().cloned());
            }
            (body_links, competitor_refs, diags)
        },
        || {
            let (mut met_by, mut backlinks) = (vec![Vec::new(); n], vec![Vec::new(); n]);
            for (i, (doc, _)) in per_doc.iter().enumerate() {
                let from = DocId(i);
                for to in doc.links.iter().flatten() {
                    if to.doc != from {
                        backlinks[to.doc.0].push(from);
                    }
                }
                for c in &doc.comps {
                    met_by[c.0].push(from);
                    backlinks[c.0].push(from);
                }
            }
            (met_by, backlinks)
        },
    );
    let mut graph = LinkGraph {
        body_links,
        competitor_refs,
        met_by,
        backlinks,
    };
    let rank = &cache.title_rank;
    graph.backlinks.par_iter_mut().for_each(|v| {
        v.sort_unstable_by_key(|d| rank[d.0]);
        v.dedup();
    });
    let graph = Arc::new(graph);
    cache.last = Some((Arc::clone(&graph), diags.clone()));
    (graph, diags)
}

/// One page's body links and competitor references, with the problems they have.
fn resolve_doc(site: &Site, from: DocId) -> DocLinks {
    let doc = site.doc(from);
    let mut diags = Vec::new();
    let mut anchor_deps = Vec::new();
    let none = |diags| DocLinks {
        hash: doc.hash,
        links: Arc::default(),
        comps: Vec::new(),
        diags,
        anchor_deps: Vec::new(),
    };
    if site.is_hidden(from) {
        return none(diags);
    }
    let mut links = Vec::with_capacity(doc.body.links.len());
    // Read again only for a diagnostic's source line.
    let text = std::cell::OnceCell::new();
    let text = || -> &str { text.get_or_init(|| doc.text().map(|t| t.into_owned()).unwrap_or_default()) };
    // The first MAX_PER_FILE problems one by one, then one diagnostic counting the rest (a
    // page of 10,000 broken links is reported in bounded time).
    let (mut more, mut more_errors) = (0usize, false);
    let mut report = |diags: &mut Vec<Diagnostic>, error: bool, make: &dyn Fn() -> Diagnostic| {
        if diags.len() < MAX_PER_FILE {
            diags.push(make());
        } else {
            more += 1;
            more_errors |= error;
        }
    };
    for link in &doc.body.links {
        let to = match resolve_one(site, &doc.dir, Some(from), &link.target, &link.raw) {
            Ok(to) => {
                if let Some(t) = to.as_ref().filter(|t| t.anchor.is_some()) {
                    anchor_deps.push((t.doc, site.doc(t.doc).hash));
                }
                to
            }
            Err(e) => {
                if let LinkError::NoAnchor { target, .. } = &e {
                    anchor_deps.push((*target, site.doc(*target).hash));
                }
                report(&mut diags, true, &|| {
                    e.clone().into_diag(&doc.rel_path, text(), link.pos, link.width)
                });
                None
            }
        };
        let to_confidential = to.as_ref().is_some_and(|t| site.doc(t.doc).fm.confidential);
        if to_confidential
            && !doc.fm.confidential
            && !site.is_hidden(from)
            && to.as_ref().is_some_and(|t| !site.is_hidden(t.doc))
        {
            report(&mut diags, false, &|| {
                Diagnostic::warning(&doc.rel_path, format!("this page is public but links to \"{}\", which is confidential", link.raw))
                    .at(text(), link.pos, link.width)
                    .help("--public builds show this link as plain text; mark this page `confidential: true` too, or link elsewhere")
            });
        }
        if to.as_ref().is_some_and(|t| site.is_hidden(t.doc)) {
            report(&mut diags, false, &|| {
                Diagnostic::warning(&doc.rel_path, format!("link to \"{}\", which is left out of this build", link.raw))
                    .at(text(), link.pos, link.width)
                    .help("the target is a draft (build with --drafts) or confidential (left out of --public builds); the link is shown as text")
            });
            links.push(None);
        } else {
            links.push(to);
        }
    }
    if more > 0 {
        let message = format!("… and {more} more problems with links on this page");
        diags.push(if more_errors {
            Diagnostic::error(&doc.rel_path, message)
        } else {
            Diagnostic::warning(&doc.rel_path, message)
        });
    }
    let mut comps: Vec<DocId> = Vec::new();
    if let Some(c) = &doc.fm.customer {
        for r in &c.competitors {
            match find_competitor(site, &r.value) {
                Some(id) if comps.contains(&id) => {}
                Some(id) if !site.is_hidden(id) => comps.push(id),
                Some(_) => {}
                None => {
                    let names: Vec<&str> = site
                        .of_kind(Kind::Competitor)
                        .flat_map(|(_, d)| [d.slug.as_str(), d.title()])
                        .collect();
                    let help = match closest(&r.value, names.iter().copied()) {
                        Some(c) => format!("did you mean \"{c}\"?"),
                        None if names.is_empty() => {
                            "there are no competitor pages yet: add one under content/competitors/".to_owned()
                        }
                        None => format!(
                            "competitors are named by slug or title: {}",
                            names.iter().step_by(2).copied().collect::<Vec<_>>().join(", ")
                        ),
                    };
                    let d = Diagnostic::error(&doc.rel_path, format!("unknown competitor \"{}\"", r.value)).at(
                        text(),
                        r.pos,
                        r.width,
                    );
                    diags.push(d.help(help));
                }
            }
        }
    }
    DocLinks {
        hash: doc.hash,
        links: Arc::new(links),
        comps,
        diags,
        anchor_deps,
    }
}

fn find_competitor(site: &Site, name: &str) -> Option<DocId> {
    // Hidden competitors are found too, so that a reference to one is not called unknown.
    let is_comp = |id: &&DocId| site.doc(**id).kind == Kind::Competitor;
    let name = name.trim();
    site.index
        .by_slug
        .get(name)
        .and_then(|v| v.iter().find(is_comp))
        .or_else(|| site.index.by_title.get(name).and_then(|v| v.iter().find(is_comp)))
        .or_else(|| {
            site.index
                .by_path
                .get(&format!("competitors/{name}"))
                .filter(|id| is_comp(id))
        })
        .copied()
}

#[derive(Clone)]
enum LinkError {
    Missing {
        what: String,
        help: String,
    },
    Ambiguous {
        name: String,
        candidates: Vec<String>,
    },
    NoAnchor {
        anchor: String,
        page: String,
        help: String,
        target: DocId,
    },
}

impl LinkError {
    fn into_diag(self, file: &str, text: &str, pos: crate::diagnostics::Pos, width: usize) -> Diagnostic {
        let (msg, help) = match self {
            LinkError::Missing { what, help } => (format!("broken link: no page {what}"), help),
            LinkError::Ambiguous { name, candidates } => (
                format!("ambiguous link \"{name}\": {} pages match", candidates.len()),
                format!(
                    "name the page by path: {}",
                    candidates
                        .iter()
                        .map(|c| format!("[[{c}]]"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            ),
            LinkError::NoAnchor { anchor, page, help, .. } => {
                (format!("broken link: {page} has no heading \"#{anchor}\""), help)
            }
        };
        Diagnostic::error(file, msg).at(text, pos, width).help(help)
    }
}

/// Resolves the links of a section's `_index.md` text (which is not a page).
pub fn resolve_section(site: &Site, section: &SectionText, file: &str) -> (Vec<Option<LinkTo>>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let links = section
        .body
        .links
        .iter()
        .map(
            |link| match resolve_one(site, &section.dir, None, &link.target, &link.raw) {
                Ok(Some(to)) if !site.is_hidden(to.doc) => Some(to),
                Ok(_) => None,
                Err(e) => {
                    diags.push(e.into_diag(file, &section.text, link.pos, link.width));
                    None
                }
            },
        )
        .collect();
    (links, diags)
}

/// `from` is None for section texts, whose same-page anchors are not checked.
fn resolve_one(
    site: &Site,
    dir: &str,
    from: Option<DocId>,
    target: &Target,
    raw: &str,
) -> Result<Option<LinkTo>, LinkError> {
    let (to, anchor) = match target {
        Target::SamePage { .. } if from.is_none() => return Ok(None),
        Target::SamePage { anchor } => (from.unwrap_or(DocId(0)), Some(anchor.clone())),
        Target::File { path, anchor } => {
            let id =
                site.index
                    .by_path
                    .get(path)
                    .copied()
                    .ok_or_else(|| LinkError::Missing {
                        what: format!("at \"{raw}\" (content/{path}.md)"),
                        help: match closest(path, site.index.by_path.keys().map(String::as_str)) {
                            Some(c) => format!("did you mean \"{}\"?", relative_md(dir, c)),
                            None => "link targets are relative to this file, or start with / for the content folder"
                                .to_owned(),
                        },
                    })?;
            (id, anchor.clone())
        }
        Target::Wiki { name, anchor } => {
            if name.is_empty() {
                match from {
                    Some(f) => (f, anchor.clone()),
                    None => return Ok(None),
                }
            } else {
                (wiki_target(site, name)?, anchor.clone())
            }
        }
    };
    if let Some(a) = &anchor {
        let target_doc = site.doc(to);
        if !target_doc.body.headings.iter().any(|h| &h.id == a) {
            let ids: Vec<&str> = target_doc.body.headings.iter().map(|h| h.id.as_str()).collect();
            let help = match closest(a, ids.iter().copied()) {
                Some(c) => format!("did you mean \"#{c}\"?"),
                None if ids.is_empty() => "that page has no headings".to_owned(),
                None => format!(
                    "its headings are: {}",
                    ids.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(" ")
                ),
            };
            let page = if Some(to) == from {
                "this page".to_owned()
            } else {
                format!("\"{}\"", target_doc.fm.title)
            };
            return Err(LinkError::NoAnchor {
                anchor: a.clone(),
                page,
                help,
                target: to,
            });
        }
    }
    Ok(Some(LinkTo { doc: to, anchor }))
}

fn wiki_target(site: &Site, name: &str) -> Result<DocId, LinkError> {
    if let Some(id) = site
        .index
        .by_path
        .get(name.trim_start_matches('/').trim_end_matches(".md"))
    {
        return Ok(*id);
    }
    for map in [&site.index.by_slug, &site.index.by_title] {
        if let Some(ids) = map.get(name) {
            let unique: BTreeSet<DocId> = ids.iter().copied().collect();
            if unique.len() == 1 {
                return Ok(ids[0]);
            }
            return Err(LinkError::Ambiguous {
                name: name.to_owned(),
                candidates: unique.iter().map(|id| site.doc(*id).content_path.clone()).collect(),
            });
        }
    }
    let names = site
        .index
        .by_slug
        .keys()
        .chain(site.index.by_title.keys())
        .map(String::as_str);
    let help = match closest(name, names) {
        Some(c) => format!("did you mean [[{c}]]?"),
        None => "wiki links name a page by slug, path or title: [[huadong]], [[customers/huadong]], [[华东精密机械有限公司]]".to_owned(),
    };
    Err(LinkError::Missing {
        what: format!("named \"{name}\""),
        help,
    })
}

/// A content path written as a relative `.md` link from folder `dir`.
/// (`salesbook lsp` completes markdown links with it too.)
pub fn relative_md(dir: &str, path: &str) -> String {
    let from: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let to: Vec<&str> = path.split('/').collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(&to[common..]);
    format!("{}.md", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::relative_md;

    #[test]
    fn relative_md_paths() {
        assert_eq!(
            relative_md("competitors", "customers/huadong"),
            "../customers/huadong.md"
        );
        assert_eq!(relative_md("customers", "customers/huadong"), "huadong.md");
        assert_eq!(relative_md("", "customers/a"), "customers/a.md");
    }
}
