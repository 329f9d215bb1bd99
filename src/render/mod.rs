//! Rendering: the theme (built in, overridable file by file), and every output file of a build.

pub mod format;
pub mod generated;
pub mod theme;
pub mod views;

use std::sync::Arc;

use rayon::prelude::*;
use tera::{Context, Value};

use crate::diagnostics::Diagnostic;
use crate::links::LinkTo;
use crate::parse::markdown::{self, Resolved};
use crate::sales::funnel::{Funnel, funnel_json};
use crate::sales::tiers::TierFigures;
use crate::site::{DocId, Site};
pub use theme::Theme;
use views::{Ctx, PageRef, page_ref, page_view, section_label};

/// One file of the output, by its path relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    /// Shared: the dev server keeps the bytes of the last good build without copying them.
    pub bytes: Arc<[u8]>,
    /// The content file a page was rendered from (`content/customers/a.md`).
    pub source: Option<String>,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Self {
        OutputFile {
            path: path.into(),
            bytes: bytes.into(),
            source: None,
        }
    }
}

/// The figures computed once per build and shared by every page.
pub struct Figures<'a> {
    pub funnel: &'a Funnel,
    pub tiers: &'a [TierFigures],
    pub untiered: &'a [DocId],
}

/// `../../` for `customers/huadong/index.html`: the way back to the site root.
pub fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// The href from page `from` (output path) to the target of a link.
fn href(site: &Site, from: &str, to: &LinkTo) -> String {
    let target = &site.doc(to.doc).path;
    let anchor = to.anchor.as_ref().map(|a| format!("#{a}")).unwrap_or_default();
    if target == from {
        return if anchor.is_empty() {
            "index.html".to_owned()
        } else {
            anchor
        };
    }
    format!("{}{}{anchor}", root_of(from), url_escape(target))
}

/// Escapes the few characters that would end or change a URL; CJK stays readable.
pub fn url_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3F"),
            '#' => out.push_str("%23"),
            '"' => out.push_str("%22"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            c => out.push(c),
        }
    }
    out
}

/// Renders a page body with its links resolved. `links[i]` is the i-th link `scan` found.
pub fn body_html(
    site: &Site,
    from_path: &str,
    text: &str,
    dir: &str,
    headings: &[markdown::Heading],
    links: &[Option<LinkTo>],
) -> String {
    markdown::render(text, dir, headings, &|i| {
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
    })
}

/// Everything a build writes: pages, generated pages, `funnel.json`, theme and site static files.
pub fn render_all(
    cx: &Ctx,
    theme: &Theme,
    figures: &Figures,
    statics: Vec<OutputFile>,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let site = cx.site;
    let site_value = Value::from_serializable(&generated::site_view(cx));
    let lang_value = Value::from_serializable(cx.labels);
    let base = |path: &str, current: &str| {
        let mut c = Context::new();
        c.insert_value("site", site_value.clone());
        c.insert_value("lang", lang_value.clone());
        c.insert("root", &root_of(path));
        c.insert("current", current);
        c.insert("path", path);
        c
    };
    let mut diags = Vec::new();
    let mut generated: Vec<(String, String, Context)> = Vec::new();

    let home_intro = site
        .section_text("")
        .map(|s| section_body(cx, s, "index.html", "content/_index.md", &mut diags));
    let mut c = base("index.html", "home");
    c.insert("home", &generated::home_view(cx, home_intro));
    c.insert("funnel", &generated::funnel_view(cx, figures.funnel));
    c.insert("tiers", &generated::tiers_view(cx, figures.tiers, figures.untiered));
    generated.push(("index.html".into(), "index.html".into(), c));

    let mut c = base("funnel/index.html", "funnel");
    c.insert("funnel", &generated::funnel_view(cx, figures.funnel));
    generated.push(("funnel/index.html".into(), "funnel.html".into(), c));

    let mut c = base("tiers/index.html", "tiers");
    c.insert("tiers", &generated::tiers_view(cx, figures.tiers, figures.untiered));
    generated.push(("tiers/index.html".into(), "tiers.html".into(), c));

    for key in generated::sections(cx) {
        let path = format!("{key}/index.html");
        let file = format!("content/{key}/_index.md");
        let text = site.section_text(&key);
        let intro = text.map(|s| section_body(cx, s, &path, &file, &mut diags));
        let mut pages: Vec<PageRef> = site
            .visible()
            .filter(|(_, d)| d.section == key)
            .map(|(id, _)| page_ref(cx, id))
            .collect();
        pages.sort_by(|a, b| {
            b.value
                .unwrap_or(0.0)
                .total_cmp(&a.value.unwrap_or(0.0))
                .then_with(|| a.title.cmp(&b.title))
        });
        let title = text
            .and_then(|t| t.title.clone())
            .unwrap_or_else(|| section_label(cx, &key));
        let mut c = base(&path, &key);
        c.insert(
            "section",
            &generated::SectionView {
                key: key.clone(),
                title,
                intro,
                pages,
            },
        );
        generated.push((path, "section.html".into(), c));
    }
    // The 404 page is served at any depth, so its links start from the site's base URL.
    let mut c = base("404.html", "");
    c.insert("root", &cx.config.base_url);
    generated.push(("404.html".into(), "404.html".into(), c));

    // Pages whose URL a generated page already has.
    let taken: std::collections::HashSet<&str> = generated.iter().map(|(p, _, _)| p.as_str()).collect();
    for (_, d) in site.visible() {
        if taken.contains(d.path.as_str()) {
            let msg = format!(
                "this page's URL /{} is taken by a generated page",
                d.path.trim_end_matches("index.html")
            );
            diags.push(
                Diagnostic::error(&d.rel_path, msg).help("give the page another `slug:` or move it into a folder"),
            );
        }
    }

    let pages: Vec<DocId> = site
        .visible()
        .map(|(id, _)| id)
        .filter(|id| !taken.contains(site.doc(*id).path.as_str()))
        .collect();
    let rendered: Vec<Result<OutputFile, Diagnostic>> = pages
        .par_iter()
        .map(|id| {
            let d = site.doc(*id);
            let html = body_html(
                site,
                &d.path,
                d.body_text(),
                &d.dir,
                &d.body.headings,
                &cx.graph.body_links[id.0],
            );
            let mut c = base(&d.path, &d.section);
            c.insert("page", &page_view(cx, *id, html));
            let template = theme.template_for(d.kind);
            theme.render(&template, &c).map(|html| OutputFile {
                path: d.path.clone(),
                bytes: html.into_bytes().into(),
                source: Some(d.rel_path.clone()),
            })
        })
        .collect();
    let mut out: Vec<OutputFile> = Vec::with_capacity(rendered.len() + generated.len() + statics.len() + 1);
    for r in rendered {
        match r {
            Ok(f) => out.push(f),
            Err(d) => push_unique(&mut diags, d),
        }
    }
    for (path, template, c) in generated {
        match theme.render(&template, &c) {
            Ok(html) => out.push(OutputFile::new(path, html.into_bytes())),
            Err(d) => push_unique(&mut diags, d),
        }
    }
    out.push(OutputFile::new(
        "funnel.json",
        funnel_json(figures.funnel, site, cx.config, cx.today).into_bytes(),
    ));
    out.extend(statics);
    (out, diags)
}

/// A template error is the same for every page that uses the template: report it once.
fn push_unique(diags: &mut Vec<Diagnostic>, d: Diagnostic) {
    if !diags.contains(&d) {
        diags.push(d);
    }
}

fn section_body(cx: &Ctx, s: &crate::site::SectionText, path: &str, file: &str, diags: &mut Vec<Diagnostic>) -> String {
    let (links, d) = crate::links::resolve_section(cx.site, s, file);
    diags.extend(d);
    body_html(
        cx.site,
        path,
        &s.text[s.body_offset..],
        &s.dir,
        &s.body.headings,
        &links,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_and_escapes() {
        assert_eq!(root_of("index.html"), "");
        assert_eq!(root_of("customers/华东/index.html"), "../../");
        assert_eq!(url_escape("customers/a b/index.html"), "customers/a%20b/index.html");
    }
}
