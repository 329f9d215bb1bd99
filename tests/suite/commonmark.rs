//! The CommonMark spec examples: our markdown pipeline (heading ids, link rewriting, wiki
//! links, safe URLs) must not break standard markdown.

use pulldown_cmark::{Options, Parser, html};
use salesbook::parse::markdown::{Resolved, options, render, resolve_prerendered, scan};

struct Example {
    example: u32,
    markdown: String,
}

/// The spec as the CommonMark project publishes it (npm package `commonmark-spec`, installed
/// by scripts/test from tests/commonmark/package.json).
const SPEC: &str = "tests/commonmark/node_modules/commonmark-spec/spec.txt";

fn examples() -> Vec<Example> {
    let path = crate::helper::repo().join(SPEC);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}\nthe CommonMark spec is installed by scripts/test (or: npm ci --prefix tests/commonmark)",
            path.display()
        )
    });
    spec_examples(&text)
}

/// The examples of `spec.txt`, numbered in order: each is a block that opens with 32
/// backticks and ` example`, has its markdown, a line with a single `.`, its HTML, and
/// closes with 32 backticks. The spec writes tabs as `→` so that they can be seen; the
/// examples have real tabs (as the spec's own test runner reads them).
fn spec_examples(spec: &str) -> Vec<Example> {
    let fence = "`".repeat(32);
    let opening = format!("{fence} example");
    let text = spec.replace("\r\n", "\n");
    let text = text.split("\n<!-- END TESTS -->").next().unwrap_or_default();
    let mut examples = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line != opening {
            continue;
        }
        let mut markdown = String::new();
        for line in lines.by_ref().take_while(|l| *l != ".") {
            markdown.push_str(line);
            markdown.push('\n');
        }
        assert!(
            lines.by_ref().any(|l| l == fence),
            "example {} is not closed",
            examples.len() + 1
        );
        examples.push(Example {
            example: examples.len() as u32 + 1,
            markdown: markdown.replace('→', "\t"),
        });
    }
    examples
}

#[test]
fn spec_text_gives_its_examples_with_real_tabs() {
    let fence = "`".repeat(32);
    let spec = format!(
        "# Tabs\n\n{fence} example\n→foo→baz\n.\n<pre><code>foo\tbaz\n</code></pre>\n{fence}\n\n\
         text\n\n{fence} example\n- a\n.\n<ul>\n.\n</ul>\n{fence}\n<!-- END TESTS -->\n{fence} example\nx\n.\n{fence}\n"
    );
    let ex = spec_examples(&spec);
    assert_eq!(ex.len(), 2, "the examples after END TESTS are not tests");
    assert_eq!((ex[0].example, ex[0].markdown.as_str()), (1, "\tfoo\tbaz\n"));
    assert_eq!(
        (ex[1].example, ex[1].markdown.as_str()),
        (2, "- a\n"),
        "a `.` line in the HTML is HTML"
    );
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
    assert_eq!(all.len(), 652, "the examples of CommonMark 0.31.2");
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

/// Bodies beyond the spec's: site links of every kind, in headings, tables and footnotes,
/// with titles to escape, `javascript:` URLs, and the cases left to `render`.
const LINK_CASES: &[&str] = &[
    "[[a]] and [[b|shown]] and [[c#part]]",
    "[[*em* a]] then [[a `code` b]]",
    "## [[a]] heading\n\ntext [x](a.md \"t & <t>\") [y](#here) [z](https://e.com/x?a=1&b=2)",
    "| a | b |\n|---|---|\n| [[a]] | [b](../b.md#x%20y) |",
    "note[^1]\n\n[^1]: see [[a]] and [b](b.md)",
    "[x](javascript:alert(1)) ![i](javascript:alert(2)) [ok](mailto:a@b.c) <https://a.b>",
    "![pic](img/a.png \"t\") and [![pic](a.png)](https://e.com)",
    "![a page](a.md)",
    "![alt [[a]] alt](a.png)",
    "[![pic](a.png)](a.md)",
    "[[a]]\n[[b]]\n\n* [[c]]\n* [d](d.md)",
    "text with \u{1} in it and [[a]]",
    "<a href=\"a.md\">raw</a> [[a]] `[[not a link]]`",
    "# Title\n\n## Title\n\n### [[a]]\n\n#### x {#own-id}",
];

#[test]
fn pre_rendered_bodies_write_out_as_render_does_under_every_resolution() {
    let titled = |i: usize| Resolved {
        url: format!("../p{i}/index.html#a&b\"c d"),
        title: Some(format!("T{i} <&> \"q\"")),
    };
    let dropped = || Resolved {
        url: String::new(),
        title: None,
    };
    let resolvers: [&dyn Fn(usize) -> Option<Resolved>; 4] = [
        &|_| None,
        &|i| Some(titled(i)),
        &|_| Some(dropped()),
        &|i| match i % 3 {
            0 => Some(titled(i)),
            1 => Some(dropped()),
            _ => None,
        },
    ];
    let mut bodies: Vec<String> = examples().into_iter().map(|e| e.markdown).collect();
    bodies.extend(LINK_CASES.iter().map(|s| s.to_string()));
    let (mut pre, mut differ) = (0, Vec::new());
    for (n, md) in bodies.iter().enumerate() {
        let body = scan(md, 0, "", false);
        let Some(html) = &body.html else { continue };
        pre += 1;
        for (k, resolve) in resolvers.iter().enumerate() {
            if resolve_prerendered(html, resolve) != render(md, &body.headings, resolve) {
                differ.push((n, k));
            }
        }
    }
    assert!(differ.is_empty(), "bodies (index, resolver) that differ: {differ:?}");
    // Nearly every body is pre-rendered: left to `render` are images of pages (a wiki image
    // in the spec, and one above), an image inside a site link, and the marker character.
    let left: Vec<&str> = bodies
        .iter()
        .filter(|md| scan(md, 0, "", false).html.is_none())
        .map(String::as_str)
        .collect();
    assert_eq!(
        left,
        [
            "![[foo]]\n\n[[foo]]: /url \"title\"\n",
            "![a page](a.md)",
            "[![pic](a.png)](a.md)",
            "text with \u{1} in it and [[a]]"
        ],
        "{pre} of {} pre-rendered",
        bodies.len()
    );
}
