//! Diagnostics: every problem found in a site, with its place, printed once by the command.

use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in the site. `line` and `column` are 1-based; 0 means "the whole file".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Relative to the site root, with forward slashes.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
    /// The offending source line, for the caret display.
    #[serde(skip)]
    pub source_line: Option<String>,
    /// How many characters the caret underlines (at least one).
    #[serde(skip)]
    pub width: usize,
    /// The text that the help's "did you mean" would put in place of what is underlined
    /// (`salesbook lsp` offers it as a quick fix).
    #[serde(skip)]
    pub fix: Option<String>,
}

/// Longest source line (in bytes) a diagnostic shows.
pub const MAX_SHOWN_LINE: usize = 2000;

/// Problems of one kind reported one by one in a file; the rest are counted in one more.
pub const MAX_PER_FILE: usize = 50;

impl Diagnostic {
    pub fn error(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, file, message)
    }

    pub fn warning(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, file, message)
    }

    fn new(severity: Severity, file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            file: file.into(),
            line: 0,
            column: 0,
            message: message.into(),
            help: None,
            source_line: None,
            width: 1,
            fix: None,
        }
    }

    /// Places the diagnostic at `pos` in `source`, underlining `width` characters.
    /// Points the diagnostic at `pos` in `source`, keeping that line to show under it.
    pub fn at(mut self, source: &str, pos: Pos, width: usize) -> Self {
        self.line = pos.line;
        self.column = pos.column;
        // A line too long to show (a minified blob) is left out; the place still names it.
        self.source_line = source
            .lines()
            .nth(pos.line.saturating_sub(1))
            .filter(|l| l.len() <= MAX_SHOWN_LINE)
            .map(str::to_owned);
        self.width = width.max(1);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        let help = help.into();
        self.fix = suggested(&help).map(str::to_owned);
        self.help = Some(help);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A 1-based line and column (in characters) in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub fn new(line: usize, column: usize) -> Self {
        Pos { line, column }
    }

    /// The position of byte `offset` in `text`.
    pub fn of_offset(text: &str, offset: usize) -> Pos {
        let offset = offset.min(text.len());
        let before = &text[..floor_char_boundary(text, offset)];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Pos {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

/// Positions of offsets into one text, each counted on from the last: linear in the text's
/// length for offsets in increasing order (a page with 10,000 links), where
/// [`Pos::of_offset`] for each would be quadratic.
pub struct PosCursor<'a> {
    text: &'a str,
    offset: usize,
    pos: Pos,
}

impl<'a> PosCursor<'a> {
    pub fn new(text: &'a str) -> Self {
        PosCursor {
            text,
            offset: 0,
            pos: Pos::new(1, 1),
        }
    }

    pub fn at(&mut self, offset: usize) -> Pos {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        if offset < self.offset {
            *self = PosCursor::new(self.text);
        }
        let seg = &self.text[self.offset..offset];
        // Newlines found by memchr's vector search rather than a byte at a time: every link of
        // every page is placed (the language server shows their ranges).
        match memchr::memrchr(b'\n', seg.as_bytes()) {
            Some(last) => {
                self.pos.line += memchr::memchr_iter(b'\n', seg.as_bytes()).count();
                self.pos.column = seg[last + 1..].chars().count() + 1;
            }
            None => self.pos.column += seg.chars().count(),
        }
        self.offset = offset;
        self.pos
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The closest candidate to `wrong`, if one is close enough to be a plausible typo.
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong_lower = wrong.to_lowercase();
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let by_distance = candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&wrong_lower, &c.to_lowercase()), *c))
        .filter(|(d, c)| *d <= (c.chars().count().max(2) / 2).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c);
    // `owner_name` for `owner`, `expected_close_date` for `expected_close`.
    by_distance.or_else(|| {
        candidates
            .iter()
            .filter(|c| {
                c.len() >= 4
                    && (wrong_lower.starts_with(*c) || c.starts_with(wrong_lower.as_str()))
                    && wrong_lower.len() >= 4
            })
            .max_by_key(|c| c.len())
            .copied()
    })
}

/// The name a "did you mean" help offers, in each of the forms the checks write it:
/// `did you mean "X"?`, `did you mean "X" (id)?`, ``did you mean `X`?`` and
/// `did you mean [[X]]?`. One reader here, beside the writers below, so that the quick fix
/// of an editor and the help line cannot disagree.
fn suggested(help: &str) -> Option<&str> {
    let rest = help.strip_prefix("did you mean ")?;
    let (open, close) = match rest.chars().next()? {
        '"' => ("\"", "\""),
        '`' => ("`", "`"),
        '[' => ("[[", "]]"),
        _ => return None,
    };
    let inner = rest.strip_prefix(open)?;
    let end = inner.find(close)?;
    let tail = &inner[end + close.len()..];
    // Only a help that offers exactly one name.
    (tail == "?" || (tail.starts_with(" (") && tail.ends_with(")?"))).then_some(&inner[..end])
}

/// A "did you mean" help line, or the list of what is allowed.
pub fn suggestion(wrong: &str, allowed: &[&str]) -> String {
    match closest(wrong, allowed.iter().copied()) {
        Some(c) => format!("did you mean \"{c}\"?"),
        None => format!("expected one of: {}", allowed.join(", ")),
    }
}

/// Sorts diagnostics by file and place, errors before warnings at the same place.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.severity, &a.message).cmp(&(&b.file, b.line, b.column, b.severity, &b.message))
    });
}

/// The rustc-style rendering of all diagnostics, followed by a summary line.
pub fn render_human(diags: &[Diagnostic], color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    for d in diags {
        out.push_str(&render_one(d, &renderer));
        out.push_str("\n\n");
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if !diags.is_empty() {
        let _ = writeln!(out, "{}", summary(errors, warnings));
    }
    out
}

pub fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("{n} {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    match (errors, warnings) {
        (0, 0) => "no problems".to_owned(),
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

fn render_one(d: &Diagnostic, renderer: &Renderer) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let path = if d.line > 0 {
        format!("{}:{}:{}", d.file, d.line, d.column)
    } else {
        d.file.clone()
    };
    let title = level.primary_title(&d.message);
    let group = match (&d.source_line, d.line) {
        (Some(src), line) if line > 0 => {
            let start: usize = src.chars().take(d.column.saturating_sub(1)).map(char::len_utf8).sum();
            let len: usize = src[start..].chars().take(d.width).map(char::len_utf8).sum();
            let snippet = Snippet::source(src.as_str())
                .line_start(line)
                .path(d.file.as_str())
                .annotation(AnnotationKind::Primary.span(start..start + len.max(usize::from(start == src.len()))));
            let g = title.element(snippet);
            match &d.help {
                Some(h) => g.element(Level::HELP.message(h.as_str())),
                None => g,
            }
        }
        _ => {
            let g = title.element(annotate_snippets::Origin::path(path.as_str()));
            match &d.help {
                Some(h) => g.element(Level::HELP.message(h.as_str())),
                None => g,
            }
        }
    };
    renderer.render(&[group])
}

/// `check --format json`: one array of every diagnostic.
pub fn render_json(diags: &[Diagnostic]) -> String {
    serde_json::to_string_pretty(diags).unwrap_or_else(|_| "[]".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_did_you_mean_carries_its_name_as_the_fix() {
        let fix = |h: &str| Diagnostic::error("a.md", "m").help(h).fix;
        assert_eq!(fix("did you mean \"opportunity\"?").as_deref(), Some("opportunity"));
        assert_eq!(fix("did you mean \"伙伴关系\" (partner)?").as_deref(), Some("伙伴关系"));
        assert_eq!(fix("did you mean `owner`?").as_deref(), Some("owner"));
        assert_eq!(fix("did you mean [[huadong]]?").as_deref(), Some("huadong"));
        assert_eq!(fix("expected one of: a, b"), None);
    }

    #[test]
    fn offsets_map_to_char_columns() {
        let text = "---\ntitle: 华东\nstage: oportunity\n";
        let off = text.find("oportunity").unwrap();
        assert_eq!(Pos::of_offset(text, off), Pos::new(3, 8));
        let off = text.find('东').unwrap();
        assert_eq!(Pos::of_offset(text, off), Pos::new(2, 9));
        let mut cursor = PosCursor::new(text);
        for o in [0, 3, off, text.len(), 5, off] {
            assert_eq!(cursor.at(o), Pos::of_offset(text, o), "offset {o}");
        }
    }

    #[test]
    fn a_cursor_places_every_offset_as_of_offset_does() {
        let text = "a华\n\n东 links [x](y.md)\r\n\t华东精密\nlast line 拜访".repeat(40);
        let mut cursor = PosCursor::new(&text);
        // Forwards through every byte (inside characters too), then a jump back.
        for o in (0..=text.len()).chain([7, text.len() / 2, 3]) {
            assert_eq!(cursor.at(o), Pos::of_offset(&text, o), "offset {o}");
        }
    }

    #[test]
    fn closest_finds_typos_and_rejects_noise() {
        let stages = ["target", "potential", "lead", "opportunity", "quote", "won", "lost"];
        assert_eq!(closest("oportunity", stages), Some("opportunity"));
        assert_eq!(closest("Quote", stages), Some("quote"));
        assert_eq!(closest("banana", stages), None);
    }

    #[test]
    fn human_rendering_has_place_caret_and_help() {
        let src = "---\nstage: oportunity\n---\n";
        let d = Diagnostic::error("content/customers/a.md", "unknown stage \"oportunity\"")
            .at(src, Pos::new(2, 8), 10)
            .help("did you mean \"opportunity\"?");
        let text = render_human(&[d], false);
        assert!(text.contains("error: unknown stage \"oportunity\""), "{text}");
        assert!(text.contains("content/customers/a.md:2:8"), "{text}");
        assert!(text.contains("^^^^^^^^^^"), "{text}");
        assert!(text.contains("help: did you mean \"opportunity\"?"), "{text}");
        assert!(text.ends_with("1 error\n"), "{text}");
    }
}
