//! Places: the build counts 1-based lines and columns in characters; the protocol counts
//! 0-based lines and columns in UTF-16 code units. A CJK character is one of both, but an
//! emoji or a rare CJK ideograph (outside the BMP) is two UTF-16 units, so columns are
//! converted through the line's text, never copied.

use lsp_types::{Position, Range};

use crate::diagnostics::Diagnostic;

/// The range a diagnostic underlines, in `text` (the document as the build read it). A
/// diagnostic of the whole file (line 0) is put at the file's start.
pub fn range_of(text: Option<&str>, d: &Diagnostic) -> Range {
    if d.line == 0 {
        return Range::default();
    }
    let shown = text
        .and_then(|t| t.split('\n').nth(d.line - 1))
        .or(d.source_line.as_deref());
    span(shown, d.line, d.column, d.width)
}

/// The range of `width` characters from 1-based `line` and `column`, on that line's text
/// `shown` (columns counted as characters when it is not known).
pub fn span(shown: Option<&str>, line: usize, column: usize, width: usize) -> Range {
    let start = column.saturating_sub(1);
    let end = start + width.max(1);
    let (a, b) = match shown {
        Some(l) => (utf16_len(l, start), utf16_len(l, end)),
        None => (start, end),
    };
    let line = line.saturating_sub(1) as u32;
    Range::new(Position::new(line, a as u32), Position::new(line, b as u32))
}

/// The protocol position of byte `offset` of `text`.
pub fn position_of(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() as u32;
    Position::new(
        line,
        before[line_start..].chars().map(char::len_utf16).sum::<usize>() as u32,
    )
}

/// The byte offset in `text` of 1-based `line` and `column` (in characters).
pub fn offset_at(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let line_text = &text[start..];
    let col = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.len(), |(i, _)| i);
    Some(start + col)
}

/// The UTF-16 length of the first `chars` characters of `line` (all of it when shorter).
fn utf16_len(line: &str, chars: usize) -> usize {
    line.trim_end_matches('\r')
        .chars()
        .take(chars)
        .map(char::len_utf16)
        .sum()
}

/// The byte offset in `text` of a protocol position (clamped to its line's end).
pub fn offset_of(text: &str, pos: Position) -> usize {
    let mut start = 0;
    for _ in 0..pos.line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut units = 0;
    for (i, c) in text[start..line_end].char_indices() {
        if units >= pos.character as usize {
            return start + i;
        }
        units += c.len_utf16();
    }
    line_end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_after_cjk_and_an_emoji_counts_utf16_units() {
        let text = "---\ntitle: 甲方😀\nstage: 商机x\n---\n";
        // `stage: 商机x`: the build's column 8 (1-based chars) is `商`, 3 chars wide.
        let d = Diagnostic::error("a.md", "m").at(text, crate::diagnostics::Pos::new(3, 8), 3);
        let r = range_of(Some(text), &d);
        assert_eq!(r, Range::new(Position::new(2, 7), Position::new(2, 10)));
        // After the emoji (two UTF-16 units) on line 2.
        let d = Diagnostic::error("a.md", "m").at(text, crate::diagnostics::Pos::new(2, 11), 1);
        assert_eq!(range_of(Some(text), &d).start, Position::new(1, 11));
        assert_eq!(offset_of(text, Position::new(1, 11)), text.find('😀').unwrap() + 4);
    }

    #[test]
    fn a_whole_file_diagnostic_is_at_the_start() {
        let d = Diagnostic::error("a.md", "m");
        assert_eq!(range_of(None, &d), Range::default());
    }
}
