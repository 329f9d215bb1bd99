//! Rendering: the theme (built in, overridable file by file), the typed views templates
//! receive, and the rendering of the plan's routes (pages, generated pages, briefs; exports
//! through `export`). Which routes exist is `plan`'s to say, which must be made again is
//! `incremental`'s.

pub mod brief;
/// The formatting helpers, long reached through `render`.
pub use crate::format;
pub mod generated;
pub mod insight;
mod jobs;
pub mod theme;
pub mod token;
pub mod views;

use std::sync::Arc;

use rayon::prelude::*;
use tera::Value;

use crate::diagnostics::Diagnostic;
pub use crate::facts::Figures;
use crate::incremental;
use crate::links::LinkTo;
pub use crate::output::{Collect, Output, OutputFile};
use crate::parse::markdown::{self, Resolved};
use crate::plan::Route;
use crate::sales::funnel::funnel_json;
use crate::site::Site;
use jobs::{Made, Renderer, pair_briefs, push_unique};
pub use theme::Theme;
use views::Ctx;

/// `../../` for `customers/huadong/index.html`: the way back to the site root.
pub fn root_of(path: &str) -> String {
    let mut out = String::new();
    push_root(&mut out, path);
    out
}

/// Appends [`root_of`] `path`.
fn push_root(out: &mut String, path: &str) {
    for _ in 0..path.bytes().filter(|b| *b == b'/').count() {
        out.push_str("../");
    }
}

/// The href from page `from` (output path) to the target of a link.
fn href(site: &Site, from: &str, to: &LinkTo) -> String {
    let target = &site.doc(to.doc).path;
    let anchor = to.anchor.as_deref();
    if target == from {
        return match anchor {
            Some(a) => format!("#{a}"),
            None => "index.html".to_owned(),
        };
    }
    let mut out = String::with_capacity(from.len() + target.len() + anchor.map_or(0, |a| a.len() + 1));
    push_root(&mut out, from);
    push_url_escaped(&mut out, target);
    if let Some(a) = anchor {
        out.push('#');
        out.push_str(a);
    }
    out
}

pub use crate::model::{push_url_escaped, url_escape};

/// Renders a page body with its links resolved. `links[i]` is the i-th link `scan` found.
pub fn body_html(
    site: &Site,
    from_path: &str,
    text: &str,
    headings: &[markdown::Heading],
    links: &[Option<LinkTo>],
) -> String {
    markdown::render(text, headings, &|i| resolved(site, from_path, links, i))
}

/// A body's HTML from the form [`markdown::scan`] pre-rendered, or else from its text (read
/// by `text` with the body at `offset`); `None` when the text cannot be read again.
pub fn scanned_body_html<'t>(
    site: &Site,
    from_path: &str,
    body: &markdown::Body,
    text: impl FnOnce() -> Option<(std::borrow::Cow<'t, str>, usize)>,
    links: &[Option<LinkTo>],
) -> Option<String> {
    crate::body::html(body, text, &|i| resolved(site, from_path, links, i))
}

/// The n-th site link of a page's body as it is written out.
fn resolved(site: &Site, from_path: &str, links: &[Option<LinkTo>], i: usize) -> Option<Resolved> {
    Some(match links.get(i)? {
        Some(to) => Resolved {
            url: href(site, from_path, to),
            title: Some(site.doc(to.doc).fm.title.clone()),
        },
        // Resolved to nothing: a same-page anchor of a section text, or a hidden target.
        None => Resolved {
            url: String::new(),
            title: None,
        },
    })
}

/// What rendering keeps between the builds of one builder: the files made (see
/// [`incremental::Memo`]) and each customer's part of the exports.
#[derive(Default)]
pub struct RenderMemo {
    pub keep: bool,
    pub files: incremental::Memo,
    /// Each customer's part of the exports, kept with the pages.
    parts: crate::export::Parts,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RenderStats {
    pub rendered: usize,
    pub reused: usize,
    /// Pages an earlier build of this process had and this one has not (their source went
    /// away or moved).
    pub removed: Vec<Arc<str>>,
}

/// Makes the files of the plan's routes ([`plan::routes`]) whose fingerprint changed since an
/// earlier build (the others are taken from it): pages, generated pages and briefs through
/// the theme, exports through [`crate::export::make`]. Then hands on what is made every
/// build: `funnel.json`, the static files and the search index (`search`).
pub fn render_all(
    cx: &Ctx,
    theme: &Theme,
    routes: Vec<Route>,
    statics: Vec<OutputFile>,
    search: Vec<OutputFile>,
    memo: &mut RenderMemo,
    out: &dyn Output,
) -> (Vec<Diagnostic>, RenderStats) {
    let site = cx.site;
    let site_view = generated::site_view(cx, theme.uses_site_lists);
    let site_json = serde_json::to_string(&site_view).unwrap_or_default();
    let global = incremental::hash_of((cx.stamp, site_json));
    let all_visible = incremental::all_visible(site);
    let mut diags = Vec::new();
    // The funnel's figures can count customers no list shows (`count_confidential`).
    let funnel_file = funnel_json(cx.figures.funnel, site, cx.config, cx.today);
    let books = brief::playbooks(cx).print;
    let members_of = memo.files.members().clone();
    let keys = incremental::Keys::new(cx, global, all_visible, &funnel_file, books, &members_of);
    let routes: Vec<(String, u64, Route)> = routes
        .into_par_iter()
        .map(|r| (r.path.clone(), incremental::fingerprint(&keys, &r.job), r))
        .collect();
    let total = routes.len();
    let todo = memo.files.stale(routes, out);
    let mut stats = RenderStats {
        reused: total - todo.len(),
        ..RenderStats::default()
    };
    let keep = memo.keep;
    memo.files.keep = keep;
    memo.parts.keep = keep;
    let r = Renderer {
        cx,
        theme,
        site_value: Value::from_serializable(&site_view),
        // The labels as a template value: made once per build (the list rows' cells took it too).
        lang_value: match &cx.cells {
            Some((_, lang)) => lang.clone(),
            None => Value::from_serializable(cx.labels),
        },
        navs: Default::default(),
        nav_errors: Default::default(),
        members_of: &members_of,
        parts: &memo.parts,
        keys: &keys,
        keep,
        out,
    };
    let slowest = crate::telemetry::Jobs::new();
    let made: Vec<Made> = pair_briefs(todo)
        .into_par_iter()
        .flat_map_iter(|w| r.work(w, slowest.as_ref()))
        .collect();
    for (path, print, result) in made {
        match result {
            Ok(f) => {
                stats.rendered += 1;
                if let Some(f) = f {
                    memo.files.made(f, Some(print));
                }
            }
            Err(d) => {
                // Kept as the last good version, to be rendered again next time.
                memo.files.failed(&path);
                push_unique(&mut diags, d)
            }
        }
    }
    for d in r.nav_errors.into_inner().unwrap_or_else(|e| e.into_inner()) {
        push_unique(&mut diags, d);
    }
    if let Some(s) = slowest {
        s.print();
    }
    // Made again every build; in the memo only to be told apart from files gone.
    let funnel = OutputFile::new("funnel.json", funnel_file.into_bytes());
    for f in std::iter::once(funnel).chain(statics).chain(search) {
        if keep {
            memo.files.made(f.clone(), None);
        }
        out.put(f, None);
    }
    stats.removed = memo.files.finish();
    (diags, stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_and_escapes() {
        assert_eq!(root_of("index.html"), "");
        assert_eq!(root_of("customers/华东/index.html"), "../../");
        assert_eq!(url_escape("customers/a b/index.html"), "customers/a%20b/index.html");
        assert_eq!(
            url_escape("n/50%off/q?/a#b/x\\y/index.html"),
            "n/50%25off/q%3F/a%23b/x%5Cy/index.html"
        );
        assert_eq!(url_escape("华东\n"), "华东%0A");
    }
}
