//! Rendering: the theme (built in, overridable file by file), the typed views templates
//! receive, and the [`Renderer`] of the plan's routes (pages, generated pages, briefs). Which
//! routes exist is `plan`'s to say, which must be made again `incremental`'s; the exports
//! and the search index are stages of their own (`export`, `search`).

pub mod board;
pub mod brief;
pub mod chart;
pub mod daily;
mod flat;
/// The formatting helpers, long reached through `render`.
pub use crate::format;
pub mod generated;
pub mod insight;
mod jobs;
pub mod progress;
pub mod theme;
pub mod token;
pub mod views;

use std::sync::Arc;

pub use crate::facts::Figures;
use crate::links::LinkTo;
pub use crate::output::{Collect, Output, OutputFile};
use crate::parse::markdown::{self, Resolved};
use crate::site::Site;
pub use jobs::Renderer;
pub use theme::Theme;

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

/// What a build made: files made again, files taken unchanged from an earlier build.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RenderStats {
    pub rendered: usize,
    pub reused: usize,
    /// Pages an earlier build of this process had and this one has not (their source went
    /// away or moved).
    pub removed: Vec<Arc<str>>,
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
