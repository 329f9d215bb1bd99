//! Markdown bodies: headings with GitHub-style ids, links with their positions, and the
//! rendering that rewrites `.md` links and `[[wiki links]]` to page URLs. A body is parsed
//! once: [`scan`] also renders it into typed segments ([`Prerendered`]), its site links left
//! open, and [`Prerendered::html`] writes them out once the site knows their targets;
//! [`render`] renders from the text where that cannot stand in (and where the HTML was not
//! kept).

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, html};

use crate::diagnostics::{Pos, PosCursor};

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_WIKILINKS
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub id: String,
}

/// What a link in the body points at, before the site resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `[[name]]`, `[[customers/name]]`, `[[Title]]`: by slug, path or title.
    Wiki { name: String, anchor: Option<String> },
    /// A link to a `.md` file, as a content path without extension (`customers/huadong`).
    File { path: String, anchor: Option<String> },
    /// `#anchor` on the same page.
    SamePage { anchor: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub target: Target,
    /// As written, for messages.
    pub raw: String,
    pub pos: Pos,
    pub width: usize,
}

/// What the whole-site stages need from a body.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    /// Plain text of the body, for excerpts.
    pub excerpt: String,
    /// The body's search terms (see [`crate::text`]), gathered while it was scanned. A
    /// streaming build takes them out of the page at once (see [`crate::body::Budget`]).
    pub terms: crate::text::Packed,
    /// The body's HTML, rendered while it was scanned, its site links left open until the
    /// site knows where they go ([`Prerendered::html`]): a page is parsed once, not twice.
    /// `None` where that cannot stand for what [`render`] would do (see `Prerender`); then
    /// the page is rendered from its text.
    pub html: Option<Prerendered>,
}

/// How a link is written out, once resolved.
pub struct Resolved {
    pub url: String,
    /// The title to show for a bare `[[wiki link]]`.
    pub title: Option<String>,
}

/// GitHub's anchor rule: lowercase, spaces to `-`, punctuation dropped, CJK kept.
pub fn anchor_id(text: &str) -> String {
    let mut id = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_ascii() {
            // The common case, without Unicode's tables.
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                id.push(c.to_ascii_lowercase());
            } else if c == ' ' {
                id.push('-');
            }
        } else if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            // CJK Unified Ideographs (most heading text here): letters without case, kept as
            // they are, without Unicode's tables (a test checks the whole block).
            id.push(c);
        } else if c.is_alphanumeric() {
            id.extend(c.to_lowercase());
        }
    }
    id
}

/// Reads headings and links. `file_text` is the whole file and `body_offset` where the body starts
/// in it, so positions are the file's own lines and columns. `dir` is the page's folder in content.
/// `terms`: also gather the body's search terms.
pub fn scan(file_text: &str, body_offset: usize, dir: &str, terms: bool) -> Body {
    let body = &file_text[body_offset..];
    let mut out = Body::default();
    let mut used = UsedIds::default();
    let mut heading: Option<(u8, Option<String>, String)> = None;
    let mut excerpt_done = false;
    let mut in_paragraph = false;
    let mut cursor = PosCursor::new(file_text);
    let mut terms = terms.then(|| crate::text::Tokenizer::for_body(body.len()));
    let mut pre = Prerender::new(body);
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if let Some(terms) = terms.as_mut() {
            match &event {
                Event::Text(t) | Event::Code(t) => terms.feed(t),
                // A block's end ends its last word; inline markup (`**`) does not.
                Event::End(
                    TagEnd::Emphasis
                    | TagEnd::Strong
                    | TagEnd::Strikethrough
                    | TagEnd::Superscript
                    | TagEnd::Subscript
                    | TagEnd::Link
                    | TagEnd::Image,
                ) => {}
                Event::End(_) | Event::SoftBreak | Event::HardBreak => terms.boundary(),
                _ => {}
            }
        }
        match &event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((level_num(*level), id.as_ref().map(|s| s.to_string()), String::new()))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, id, text)) = heading.take() {
                    let id = unique_id(id.unwrap_or_else(|| anchor_id(&text)), &mut used);
                    pre.heading_id(&id);
                    out.headings.push(Heading {
                        level,
                        text: text.trim().to_owned(),
                        id,
                    });
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text)) = heading.as_mut() {
                    text.push_str(t);
                } else if in_paragraph && !excerpt_done {
                    out.excerpt.push_str(t);
                }
            }
            Event::Start(Tag::Paragraph) => in_paragraph = true,
            Event::End(TagEnd::Paragraph) => {
                in_paragraph = false;
                if !out.excerpt.is_empty() {
                    excerpt_done = true;
                }
            }
            Event::Start(Tag::Link {
                link_type, dest_url, ..
            })
            | Event::Start(Tag::Image {
                link_type, dest_url, ..
            }) => {
                if let Some(target) = classify(*link_type, dest_url, dir) {
                    let start = body_offset + range.start;
                    let written = &file_text[start..body_offset + range.end];
                    out.links.push(Link {
                        target,
                        raw: dest_url.to_string(),
                        pos: cursor.at(start),
                        width: written.lines().next().map_or(1, |l| l.chars().count()),
                    });
                }
            }
            _ => {}
        }
        // Handed over, not cloned: the rendering keeps the event itself.
        pre.take(event);
    }
    if let Some(terms) = terms {
        out.terms = terms.into_packed();
    }
    out.html = pre.finish();
    if out.excerpt.chars().count() > 160 {
        out.excerpt = out.excerpt.chars().take(160).collect::<String>() + "…";
    }
    // Kept for the whole build, for every page: without the room their growth left.
    out.links.shrink_to_fit();
    out.headings.shrink_to_fit();
    out.excerpt.shrink_to_fit();
    out
}

/// Marks the site links in a body's pre-rendered HTML (see [`Body::html`]). A body holding
/// this character anywhere is rendered from its text instead.
const MARK: char = '\u{1}';

/// Appends `n` in decimal, as `format!("{n}")` writes it.
fn push_number(out: &mut String, n: usize) {
    if n >= 10 {
        push_number(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// The body's events as [`render`] would hand them to pulldown-cmark's HTML writer, with
/// what depends on the rest of the site left as markers:
/// - a site link's start tag: `MARK S <n> MARK <its href as written> MARK <the rest of the
///   tag: title and '>'> MARK`, where `<n>` counts the site links as [`render`] does; its
///   end tag: `MARK E MARK`;
/// - each text inside a bare `[[wiki link]]` (its target's title may replace it):
///   `MARK T <the text, escaped> MARK`.
///
/// Heading ids are the ones [`scan`] gives. A site link inside an image's text or an image
/// inside a site link, an image of a page (`.md`), or a wiki link's text ending a line is
/// left to [`render`]: its output there does not come down to replacing markers.
struct Prerender<'a> {
    events: Vec<Event<'a>>,
    /// The body's length: its HTML is about as long, plus the tags.
    len: usize,
    ok: bool,
    links: usize,
    /// Where the open heading's start is in `events`.
    heading: Option<usize>,
    images: usize,
    /// Inside a site link: whether it is a bare wiki link.
    link: Option<bool>,
}

impl<'a> Prerender<'a> {
    fn new(body: &str) -> Self {
        Prerender {
            events: Vec::with_capacity(256.max(body.len() / 16)),
            len: body.len(),
            ok: memchr::memchr(MARK as u8, body.as_bytes()).is_none(),
            links: 0,
            heading: None,
            images: 0,
            link: None,
        }
    }

    fn take(&mut self, event: Event<'a>) {
        if !self.ok {
            return;
        }
        let event = match event {
            Event::Start(Tag::Heading { .. }) => {
                self.heading = Some(self.events.len());
                event
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if !is_site_link(link_type, &dest_url) {
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url: safe_url(dest_url),
                        title,
                        id,
                    })
                } else if self.images > 0 {
                    self.ok = false;
                    return;
                } else {
                    let n = self.links;
                    self.links += 1;
                    self.link = Some(matches!(link_type, LinkType::WikiLink { has_pothole: false }));
                    // Sized for the usual link, and without `format!` (every site link of every
                    // page comes through here).
                    let mut tag = String::with_capacity(dest_url.len() + title.len() + 32);
                    tag.push(MARK);
                    tag.push('S');
                    push_number(&mut tag, n);
                    tag.push(MARK);
                    let _ = pulldown_cmark_escape::escape_href(&mut tag, &dest_url);
                    tag.push(MARK);
                    if !title.is_empty() {
                        tag.push_str("\" title=\"");
                        let _ = pulldown_cmark_escape::escape_html(&mut tag, &title);
                    }
                    tag.push_str("\">");
                    tag.push(MARK);
                    Event::InlineHtml(tag.into())
                }
            }
            Event::End(TagEnd::Link) if self.link.take().is_some() => {
                Event::InlineHtml(CowStr::Borrowed("\u{1}E\u{1}"))
            }
            Event::Text(t) if self.link == Some(true) && self.images == 0 => {
                if t.ends_with('\n') {
                    self.ok = false;
                    return;
                }
                let mut text = String::with_capacity(t.len() + 8);
                text.push(MARK);
                text.push('T');
                let _ = pulldown_cmark_escape::escape_html_body_text(&mut text, &t);
                text.push(MARK);
                Event::InlineHtml(text.into())
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.images += 1;
                if self.link.is_some() || is_site_link(link_type, &dest_url) {
                    self.ok = false;
                    return;
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: safe_url(dest_url),
                    title,
                    id,
                })
            }
            Event::End(TagEnd::Image) => {
                self.images = self.images.saturating_sub(1);
                event
            }
            e => e,
        };
        self.events.push(event);
    }

    /// The id [`scan`] gave the heading that just ended.
    fn heading_id(&mut self, id: &str) {
        let Some(at) = self.heading.take().filter(|_| self.ok) else {
            return;
        };
        if let Some(Event::Start(Tag::Heading { id: slot, .. })) = self.events.get_mut(at) {
            *slot = Some(CowStr::from(id.to_owned()));
        }
    }

    fn finish(self) -> Option<Prerendered> {
        if !self.ok {
            return None;
        }
        let mut out = String::with_capacity((self.events.len() * 16).max(self.len + self.len / 2));
        html::push_html(&mut out, self.events.into_iter());
        Some(Prerendered::from_marked(&out))
    }
}

/// `s` before its first [`MARK`] and after it (all of `s` and nothing when it has none).
fn split_mark(s: &str) -> (&str, &str) {
    match memchr::memchr(MARK as u8, s.as_bytes()) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    }
}

/// A piece of a body pre-rendered by [`scan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// HTML, written out as it is.
    Html(Box<str>),
    /// The start tag of the `n`-th site link (counted as [`render`] counts them): its href as
    /// written (kept when the link resolves to nothing known), and the rest of the tag (title
    /// and `>`).
    LinkStart {
        n: usize,
        written: Box<str>,
        tail: Box<str>,
    },
    /// The end tag of the site link open.
    LinkEnd,
    /// A text inside a bare `[[wiki link]]`, escaped: its target's title may replace it.
    WikiText(Box<str>),
}

/// A body's HTML in typed segments, its site links open until [`Prerendered::html`] is told
/// where they go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prerendered {
    segments: Box<[Segment]>,
    /// The bytes of the HTML as it was rendered (what keeping it costs, roughly).
    len: usize,
}

impl Prerendered {
    /// Reads the markers that [`Prerender`] left in the rendered HTML into segments.
    fn from_marked(html: &str) -> Self {
        let mut segments = Vec::new();
        let mut rest = html;
        while let Some(at) = memchr::memchr(MARK as u8, rest.as_bytes()) {
            if at > 0 {
                segments.push(Segment::Html(rest[..at].into()));
            }
            let head;
            (head, rest) = split_mark(&rest[at + 1..]);
            segments.push(match head.as_bytes().first() {
                Some(b'S') => {
                    let n: usize = head[1..].parse().unwrap_or(usize::MAX);
                    let (written, tail);
                    (written, rest) = split_mark(rest);
                    (tail, rest) = split_mark(rest);
                    Segment::LinkStart {
                        n,
                        written: written.into(),
                        tail: tail.into(),
                    }
                }
                Some(b'E') => Segment::LinkEnd,
                Some(b'T') => Segment::WikiText(head[1..].into()),
                _ => Segment::Html(head.into()),
            });
        }
        if !rest.is_empty() {
            segments.push(Segment::Html(rest.into()));
        }
        Prerendered {
            segments: segments.into_boxed_slice(),
            len: html.len(),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The body's HTML with each site link written out as `resolve` says, exactly as
    /// [`render`] writes it.
    pub fn html(&self, resolve: &dyn Fn(usize) -> Option<Resolved>) -> String {
        let mut out = String::with_capacity(self.len + self.len / 8);
        // The open site link: dropped (its target is left out of this build); and, as in
        // `render`, the title that replaces a bare wiki link's text: Some(Some(title)) until
        // it is written, then Some(None) to drop the rest of the text.
        let mut dropped = false;
        let mut wiki_text: Option<Option<String>> = None;
        for segment in self.segments.iter() {
            match segment {
                Segment::Html(html) => out.push_str(html),
                Segment::LinkStart { n, written, tail } => {
                    let r = resolve(*n);
                    dropped = r.as_ref().is_some_and(|r| r.url.is_empty());
                    if !dropped {
                        out.push_str("<a href=\"");
                        match r {
                            Some(r) => {
                                let _ = pulldown_cmark_escape::escape_href(&mut out, &r.url);
                                // Only a bare wiki link has texts marked to replace.
                                wiki_text = r.title.map(Some);
                            }
                            None => out.push_str(written),
                        }
                        out.push_str(tail);
                    }
                }
                Segment::LinkEnd => {
                    if !std::mem::take(&mut dropped) {
                        out.push_str("</a>");
                    }
                    wiki_text = None;
                }
                Segment::WikiText(text) => match wiki_text.as_mut() {
                    Some(title) => {
                        if let Some(t) = title.take() {
                            let _ = pulldown_cmark_escape::escape_html_body_text(&mut out, &t);
                        }
                    }
                    None => out.push_str(text),
                },
            }
        }
        out
    }
}

/// Writes out a body pre-rendered by [`scan`] (see [`Prerendered::html`]).
pub fn resolve_prerendered(html: &Prerendered, resolve: &dyn Fn(usize) -> Option<Resolved>) -> String {
    html.html(resolve)
}

fn level_num(level: HeadingLevel) -> u8 {
    level as u8
}

/// The ids given so far on a page, and for each id asked for more than once, the suffix to
/// try next.
#[derive(Default)]
struct UsedIds {
    used: HashSet<String>,
    next: HashMap<String, usize>,
}

/// The first of `id`, `id-1`, `id-2`, ... not yet used on the page (GitHub's rule). Each base
/// resumes from the suffix it reached last time (ids are never freed, so the ones before are
/// still taken): a page that repeats one heading thousands of times stays linear.
fn unique_id(id: String, ids: &mut UsedIds) -> String {
    let base = if id.is_empty() { "section".to_owned() } else { id };
    if ids.used.insert(base.clone()) {
        return base;
    }
    let n = ids.next.entry(base.clone()).or_insert(1);
    loop {
        let candidate = format!("{base}-{n}");
        *n += 1;
        if ids.used.insert(candidate.clone()) {
            return candidate;
        }
    }
}

fn split_anchor(s: &str) -> (&str, Option<String>) {
    match s.split_once('#') {
        Some((a, b)) => (a, Some(percent_decode(b))),
        None => (s, None),
    }
}

/// Whether a link is one the site must resolve, and to what.
fn classify(link_type: LinkType, dest: &str, dir: &str) -> Option<Target> {
    if let LinkType::WikiLink { .. } = link_type {
        let (name, anchor) = split_anchor(dest.trim());
        return Some(Target::Wiki {
            name: name.trim().to_owned(),
            anchor,
        });
    }
    if matches!(link_type, LinkType::Autolink | LinkType::Email) || has_scheme(dest) {
        return None;
    }
    let (path, anchor) = split_anchor(dest);
    if path.is_empty() {
        return anchor
            .filter(|a| !a.is_empty())
            .map(|anchor| Target::SamePage { anchor });
    }
    let path = percent_decode(path);
    let stem = path.strip_suffix(".md")?;
    let joined = if let Some(rooted) = stem.strip_prefix('/') {
        rooted.to_owned()
    } else {
        join(dir, stem)
    };
    Some(Target::File { path: joined, anchor })
}

/// Whether [`classify`] finds a site link here, without building the target (render asks
/// this of every link; the targets were worked out when the page was scanned).
fn is_site_link(link_type: LinkType, dest: &str) -> bool {
    if let LinkType::WikiLink { .. } = link_type {
        return true;
    }
    if matches!(link_type, LinkType::Autolink | LinkType::Email) || has_scheme(dest) {
        return false;
    }
    let (path, anchor) = dest.split_once('#').map_or((dest, None), |(p, a)| (p, Some(a)));
    if path.is_empty() {
        // A `%XX` decodes to a byte: a non-empty anchor stays non-empty.
        return anchor.is_some_and(|a| !a.is_empty());
    }
    if path.contains('%') {
        percent_decode(path).ends_with(".md")
    } else {
        path.ends_with(".md")
    }
}

fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(i) => {
            dest[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && i > 0
        }
        None => dest.starts_with("//"),
    }
}

/// Joins a relative path onto a content folder, resolving `.` and `..`.
fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Decodes `%XX` escapes (as in a link written with an encoded anchor).
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

/// Renders a body to HTML. `headings` come from [`scan`] of the same body (ids in order);
/// `resolve` maps the n-th link that [`scan`] found to its output form (None: leave as written).
pub fn render(body: &str, headings: &[Heading], resolve: &dyn Fn(usize) -> Option<Resolved>) -> String {
    let mut heading_ix = 0;
    let mut link_ix = 0;
    // Inside a resolved bare `[[wiki link]]`, its text is replaced by the target's title:
    // Some(Some(title)) until the title is written, then Some(None) to drop the rest.
    let mut wiki_text: Option<Option<String>> = None;
    // A link resolved to an empty URL (its target is left out of this build) is shown as text.
    let mut dropping_link = false;
    let mut events: Vec<Event> = Vec::with_capacity(256);
    for event in Parser::new_ext(body, options()) {
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let id = headings.get(heading_ix).map(|h| CowStr::from(h.id.clone())).or(id);
                heading_ix += 1;
                events.push(Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let (dest_url, wiki_title) = rewrite(link_type, dest_url, &mut link_ix, resolve);
                if matches!(link_type, LinkType::WikiLink { has_pothole: false }) && wiki_title.is_some() {
                    wiki_text = Some(wiki_title);
                }
                match dest_url {
                    Some(dest_url) => events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })),
                    None => dropping_link = true,
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let (dest_url, _) = rewrite(link_type, dest_url, &mut link_ix, resolve);
                let dest_url = dest_url.unwrap_or(CowStr::Borrowed(""));
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Link) if wiki_text.is_some() || dropping_link => {
                wiki_text = None;
                if !std::mem::take(&mut dropping_link) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            Event::Text(_) if wiki_text.is_some() => {
                if let Some(Some(title)) = wiki_text.as_mut().map(Option::take) {
                    events.push(Event::Text(title.into()));
                }
            }
            e => events.push(e),
        }
    }
    let mut out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    out
}

fn rewrite<'a>(
    link_type: LinkType,
    dest_url: CowStr<'a>,
    link_ix: &mut usize,
    resolve: &dyn Fn(usize) -> Option<Resolved>,
) -> (Option<CowStr<'a>>, Option<String>) {
    if !is_site_link(link_type, &dest_url) {
        return (Some(safe_url(dest_url)), None);
    }
    let ix = *link_ix;
    *link_ix += 1;
    match resolve(ix) {
        // A site link resolved to no URL: its target is left out of this build.
        Some(r) if r.url.is_empty() => (None, r.title),
        Some(r) => (Some(r.url.into()), r.title),
        None => (Some(dest_url), None),
    }
}

/// Drops `javascript:` (and `vbscript:`, `data:text/html`) URLs, which would run script on click.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_lowercase();
    if lower.starts_with("javascript:") || lower.starts_with("vbscript:") || lower.starts_with("data:text/html") {
        CowStr::Borrowed("#")
    } else {
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_numbers_as_format_writes_them() {
        for n in [0, 7, 10, 99, 100, 12_345, usize::MAX] {
            let mut out = String::from("x");
            push_number(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn a_prerendered_body_is_typed_segments_with_its_site_links_open() {
        let body = scan(
            "见 [[甲方|乙方]] 和 [[beta]] 与 [外链](https://x.example)。\n",
            0,
            "",
            false,
        );
        let html = body.html.expect("pre-rendered");
        let kinds: Vec<&str> = html
            .segments()
            .iter()
            .map(|s| match s {
                Segment::Html(_) => "html",
                Segment::LinkStart { .. } => "start",
                Segment::LinkEnd => "end",
                Segment::WikiText(_) => "wiki",
            })
            .collect();
        assert_eq!(
            kinds,
            ["html", "start", "html", "end", "html", "start", "wiki", "end", "html"]
        );
        assert!(
            html.segments()
                .iter()
                .all(|s| !matches!(s, Segment::Html(h) if h.contains('\u{1}'))),
            "no marker is left in the HTML"
        );
        let resolve = |n: usize| {
            Some(Resolved {
                url: format!("p{n}/"),
                title: Some(format!("标题{n}")),
            })
        };
        assert_eq!(
            html.html(&resolve),
            "<p>见 <a href=\"p0/\">乙方</a> 和 <a href=\"p1/\">标题1</a> 与 <a href=\"https://x.example\">外链</a>。</p>\n"
        );
    }

    #[test]
    fn site_links_are_told_apart_as_classify_does() {
        let dests = [
            "../customers/a.md",
            "a.md#x",
            "/customers/a.md",
            "a.md",
            "a%2Emd",
            "a.m%64",
            "a.markdown",
            "a.md?x",
            "#",
            "#top",
            "#%E6%8B%9C",
            "",
            "https://x.com/a.md",
            "mailto:a@b.c",
            "//x.com/a.md",
            "c:a.md",
            "../a/",
            "a.MD",
            "%",
            "x%zz.md",
        ];
        let types = [
            LinkType::Inline,
            LinkType::Reference,
            LinkType::Autolink,
            LinkType::WikiLink { has_pothole: false },
        ];
        for t in types {
            for d in dests {
                assert_eq!(
                    is_site_link(t, d),
                    classify(t, d, "competitors").is_some(),
                    "{t:?} {d:?}"
                );
            }
        }
    }

    #[test]
    fn heading_ids_follow_github() {
        assert_eq!(anchor_id("拜访记录"), "拜访记录");
        assert_eq!(anchor_id("Next Steps: Q4 (报价)!"), "next-steps-q4-报价");
        // ASCII on its own path, the rest by Unicode's rules, alike.
        assert_eq!(anchor_id("Über_Straße ÅB-c"), "über_straße-åb-c");
        let b = scan("# A\n\n## 拜访记录\n\n## 拜访记录\n\n## Custom {#mine}\n", 0, "", true);
        let ids: Vec<_> = b.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["a", "拜访记录", "拜访记录-1", "mine"]);
    }

    #[test]
    fn cjk_ideographs_are_kept_as_unicode_rules_keep_them() {
        for c in '\u{4E00}'..='\u{9FFF}' {
            assert!(c.is_alphanumeric(), "{c}");
            assert!(c.to_lowercase().eq([c]), "{c}");
            let mut slow = String::new();
            slow.extend(c.to_lowercase());
            assert_eq!(anchor_id(&c.to_string()), slow, "{c}");
        }
    }

    /// The ids GitHub's rule gives, including headings that read like a suffixed id already,
    /// and an empty heading (`section`).
    #[test]
    fn repeated_and_suffix_like_headings_get_the_same_ids_as_before() {
        let md = "## x-1\n\n## x\n\n## x\n\n## x\n\n## x-2\n\n## x-1\n\n## x\n\n## x-1-1\n\n## ##\n\n## section\n\n## y {#x}\n";
        let b = scan(md, 0, "", false);
        let ids: Vec<_> = b.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "x-1",
                "x",
                "x-2",
                "x-3",
                "x-2-1",
                "x-1-1",
                "x-4",
                "x-1-1-1",
                "section",
                "section-1",
                "x-5"
            ]
        );
    }

    /// `md` scanned, in well under the time a quadratic scan of 20,000 headings takes.
    fn scan_quickly(md: &str) -> Body {
        let started = std::time::Instant::now();
        let b = scan(md, 0, "", false);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        b
    }

    #[test]
    fn many_repeated_headings_take_linear_time() {
        let b = scan_quickly(&"## 拜访记录\n\n".repeat(20_000));
        assert_eq!(b.headings[0].id, "拜访记录");
        assert_eq!(b.headings[19_999].id, "拜访记录-19999");
        // Suffixed ids taken first, then the plain heading again and again.
        let md: String = (1..=10_000).map(|i| format!("## x-{i}\n\n")).collect::<String>() + &"## x\n\n".repeat(10_000);
        let b = scan_quickly(&md);
        assert_eq!(b.headings[10_000].id, "x");
        assert_eq!(b.headings[10_001].id, "x-10001");
        assert_eq!(b.headings[19_999].id, "x-19999");
    }

    #[test]
    fn links_are_classified_with_positions() {
        let text = "---\ntitle: x\n---\nSee [华东](../customers/huadong.md#拜访记录) and [[abb|ABB]].\n[w](https://x.com) [a](#top)\n";
        let b = scan(text, 16, "competitors", true);
        assert_eq!(
            b.links[0].target,
            Target::File {
                path: "customers/huadong".into(),
                anchor: Some("拜访记录".into())
            }
        );
        assert_eq!(b.links[0].pos, Pos::new(4, 5));
        assert_eq!(
            b.links[1].target,
            Target::Wiki {
                name: "abb".into(),
                anchor: None
            }
        );
        assert_eq!(b.links[1].pos, Pos::new(4, 44));
        assert_eq!(b.links[2].target, Target::SamePage { anchor: "top".into() });
        assert_eq!(b.links.len(), 3);
    }

    #[test]
    fn render_rewrites_links_and_titles_wiki_links() {
        let body = "## Hi\n\n[x](a.md) [[abb]] [[abb|Label]] [bad](javascript:alert(1))\n";
        let b = scan(body, 0, "", true);
        let html = render(body, &b.headings, &|i| {
            Some(Resolved {
                url: format!("/p{i}/"),
                title: Some("ABB 机器人".into()),
            })
        });
        assert!(html.contains(r#"<h2 id="hi">Hi</h2>"#), "{html}");
        assert!(html.contains(r#"<a href="/p0/">x</a>"#), "{html}");
        assert!(html.contains(r#"<a href="/p1/">ABB 机器人</a>"#), "{html}");
        assert!(html.contains(r#"<a href="/p2/">Label</a>"#), "{html}");
        assert!(html.contains(r##"<a href="#">bad</a>"##), "{html}");
    }
}
