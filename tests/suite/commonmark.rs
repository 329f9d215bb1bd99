//! The CommonMark spec examples: our markdown pipeline (heading ids, link rewriting, wiki
//! links, safe URLs) must not break standard markdown.

use pulldown_cmark::{Options, Parser, html};
use salesbook::parse::markdown::{options, render, scan};

#[derive(serde::Deserialize)]
struct Example {
    example: u32,
    markdown: String,
}

fn examples() -> Vec<Example> {
    let path = crate::helper::repo().join("../shared/commonmark/spec-0.31.2.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Our ids on headings are the one intended difference.
fn without_heading_ids(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<h") {
        let (before, after) = rest.split_at(i);
        out.push_str(before);
        let is_heading = after.as_bytes().get(2).is_some_and(|c| (b'1'..=b'6').contains(c));
        if is_heading && after[3..].starts_with(" id=\"") {
            let close = after[8..].find('"').unwrap() + 8;
            out.push_str(&after[..3]);
            rest = &after[close + 1..];
        } else {
            out.push_str(&after[..2]);
            rest = &after[2..];
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn spec_examples_render_as_pulldown_cmark_does() {
    let all = examples();
    assert_eq!(all.len(), 655);
    let mut differ = Vec::new();
    for ex in &all {
        let body = scan(&ex.markdown, 0, "", true);
        // Links are left as written when the site does not resolve them.
        let ours = render(&ex.markdown, &body.headings, &|_| None);
        let mut plain = String::new();
        html::push_html(&mut plain, Parser::new_ext(&ex.markdown, options()));
        if without_heading_ids(&ours) != plain {
            differ.push(ex.example);
        }
    }
    // Example 24-ish: `javascript:` is the only URL we change on purpose; none of the spec's
    // examples use it, so every example must match.
    assert!(differ.is_empty(), "examples that differ: {differ:?}");
}

#[test]
fn spec_examples_match_the_spec_with_extensions_off() {
    // With the extensions off, pulldown-cmark passes the spec; our id insertion is the only
    // change, so the heading-free comparison against plain CommonMark checks the core pipeline.
    let mut differ = Vec::new();
    for ex in examples() {
        let mut plain = String::new();
        html::push_html(&mut plain, Parser::new_ext(&ex.markdown, Options::empty()));
        let mut ext = String::new();
        html::push_html(&mut ext, Parser::new_ext(&ex.markdown, options()));
        if plain != ext {
            differ.push(ex.example);
        }
    }
    // The extensions (tables, footnotes, strikethrough, task lists, heading attributes, wiki
    // links) change only examples whose syntax they claim; keep the list short and known.
    assert!(
        differ.len() <= 10,
        "extensions changed {} examples: {differ:?}",
        differ.len()
    );
}
