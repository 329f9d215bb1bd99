//! The repository's own example site: it checks clean, and every link in its output resolves.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use salesbook::build::{BuildOptions, Builder};

fn hrefs(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap();
            out.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    out
}

fn ids(html: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut rest = html;
    while let Some(i) = rest.find(" id=\"") {
        rest = &rest[i + 5..];
        let end = rest.find('"').unwrap();
        out.insert(rest[..end].to_owned());
    }
    out
}

#[test]
fn example_site_checks_clean_and_every_link_resolves() {
    let root = crate::helper::repo();
    let r = Builder::new(BuildOptions {
        root: root.clone(),
        drafts: false,
        public: false,
        today: None,
    })
    .build();
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    assert!(r.pages >= 20);
    let customers = r
        .files
        .iter()
        .filter(|f| f.path.starts_with("customers/") && f.path.ends_with("/index.html"))
        .count();
    assert!(customers > 12, "at least 12 customers plus the list");
    let files: HashMap<&str, String> = r
        .files
        .iter()
        .filter(|f| f.path.ends_with(".html"))
        .map(|f| (&*f.path, String::from_utf8_lossy(&f.bytes).into_owned()))
        .collect();
    let all: HashSet<&str> = r.files.iter().map(|f| &*f.path).collect();
    let mut checked = 0;
    for (path, html) in &files {
        if *path == "404.html" {
            continue;
        }
        for href in hrefs(html)
            .iter()
            .map(|h| salesbook::parse::markdown::percent_decode(h))
        {
            if href.starts_with("http") || href.starts_with("mailto:") {
                continue;
            }
            let (target, anchor) = href
                .split_once('#')
                .map_or((href.as_str(), None), |(a, b)| (a, Some(b)));
            let resolved = if target.is_empty() {
                path.to_string()
            } else {
                let joined = Path::new(path).parent().unwrap().join(target);
                normalize(&joined)
            };
            assert!(
                all.contains(resolved.as_str()),
                "{path}: link {href} → {resolved} does not exist"
            );
            if let Some(a) = anchor {
                let html = &files[resolved.as_str()];
                assert!(ids(html).contains(a), "{path}: link {href}: no id {a} in {resolved}");
            }
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} links checked");
}

fn normalize(p: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}
