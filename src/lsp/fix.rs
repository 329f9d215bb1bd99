//! Quick fixes: a diagnostic whose help is a "did you mean" carries the name it offers
//! (`Diagnostic::fix`, published in the protocol diagnostic's `data`); the code action
//! writes it where the diagnostic underlines, without reading the help's text again.

use lsp_types::{OneOf, Range};

use super::pos;

/// A quick fix for each diagnostic of the request that carries a "did you mean" (its
/// `data.fix`, set when it was published): the underlined text of the document (`text`)
/// replaced by the name.
pub fn actions(text: &str, p: &lsp_types::CodeActionParams) -> Vec<lsp_types::CodeActionOrCommand> {
    let uri = &p.text_document.uri;
    let mut out = Vec::new();
    for d in &p.context.diagnostics {
        let Some(fix) = d.data.as_ref().and_then(|v| v["fix"].as_str()) else {
            continue;
        };
        let (a, b) = (pos::offset_of(text, d.range.start), pos::offset_of(text, d.range.end));
        let Some(range) = fix_range(text, a.min(b)..b, fix) else {
            continue;
        };
        let range = Range::new(pos::position_of(text, range.start), pos::position_of(text, range.end));
        let edit = lsp_types::TextEdit {
            range,
            new_text: fix.to_owned(),
        };
        let change = lsp_types::TextDocumentEdit {
            text_document: lsp_types::OptionalVersionedTextDocumentIdentifier {
                uri: uri.clone(),
                version: None,
            },
            edits: vec![OneOf::Left(edit)],
        };
        out.push(lsp_types::CodeActionOrCommand::CodeAction(lsp_types::CodeAction {
            title: format!("Change to \"{fix}\""),
            kind: Some(lsp_types::CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![d.clone()]),
            edit: Some(lsp_types::WorkspaceEdit {
                document_changes: Some(lsp_types::DocumentChanges::Edits(vec![change])),
                ..Default::default()
            }),
            is_preferred: Some(true),
            ..Default::default()
        }));
    }
    out
}

/// What a "did you mean" replaces of the `underlined` bytes of `text`: the whole of a
/// plain value (inside its quotes when it is quoted: the parse underlines a quoted value
/// with its quotes); the page name of a wiki link (`[[name#a|text]]`); nothing in
/// any other link (a fix there could break it).
fn fix_range(text: &str, underlined: std::ops::Range<usize>, fix: &str) -> Option<std::ops::Range<usize>> {
    let (a, b) = (underlined.start, underlined.end);
    let shown = text.get(a..b)?;
    if let Some(inner) = shown.strip_prefix("[[") {
        let end = inner.find(['|', '#', ']']).unwrap_or(inner.len());
        return (!fix.is_empty() && !fix.contains(['[', ']', '|', '#', '\n'])).then_some(a + 2..a + 2 + end);
    }
    let plain = |s: &str| !s.is_empty() && !s.contains(['[', ']', '(', ')', '#', '\n', '"', '\'']);
    if let Some(q) = shown.chars().next().filter(|c| matches!(c, '"' | '\'')) {
        let line_end = text[a..].find('\n').map_or(text.len(), |i| a + i);
        let close = a + 1 + text[a + 1..line_end].find(q)?;
        return (plain(&text[a + 1..close]) && plain(fix)).then_some(a + 1..close);
    }
    (plain(shown) && plain(fix)).then_some(a..b)
}

#[cfg(test)]
mod tests {
    use super::fix_range;

    #[test]
    fn a_fix_replaces_the_value_inside_its_quotes_and_a_wiki_links_name() {
        let text = "stage: \"oportunity\"\n[[rivel|对手]] [a](b.md)\n";
        let q = text.find('"').unwrap();
        let r = fix_range(text, q..q + 10, "opportunity").unwrap();
        assert_eq!(&text[r], "oportunity");
        let w = text.find("[[").unwrap();
        let r = fix_range(text, w..w + 16, "rival").unwrap();
        assert_eq!(&text[r], "rivel");
        let m = text.find("[a]").unwrap();
        assert_eq!(fix_range(text, m..m + 9, "c.md"), None);
    }
}
