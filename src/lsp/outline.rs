//! Document symbols (the page's headings, for an editor's outline) and hover on a link to a
//! customer (its fact line: stage, tier, value, owner, next visit) or a competitor (price
//! level, strengths, weaknesses).

use lsp_types::{DocumentSymbol, Position, Range, SymbolKind};

use super::pages::{self, Page, front_matter_lines};

/// The ATX headings of the body (`## 拜访记录`), outside fenced code, each with its line.
pub fn headings(text: &str) -> Vec<DocumentSymbol> {
    let body_from = front_matter_lines(text).map_or(0, |end| end + 1);
    let mut fence: Option<&str> = None;
    let mut out = Vec::new();
    for (n, line) in text.split('\n').enumerate().skip(body_from) {
        let t = line.trim_start();
        if line.len() - t.len() > 3 {
            continue;
        }
        for mark in ["```", "~~~"] {
            if t.starts_with(mark) {
                fence = match fence {
                    Some(open) if open == mark => None,
                    None => Some(mark),
                    other => other,
                };
            }
        }
        if fence.is_some() {
            continue;
        }
        let level = t.bytes().take_while(|b| *b == b'#').count();
        let rest = &t[level..];
        if !(1..=6).contains(&level) || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
            continue;
        }
        let name = rest.trim().trim_end_matches('#').trim();
        if name.is_empty() {
            continue;
        }
        let width: usize = line.trim_end_matches('\r').chars().map(char::len_utf16).sum();
        let range = Range::new(Position::new(n as u32, 0), Position::new(n as u32, width as u32));
        #[allow(deprecated)] // `deprecated` is a field every DocumentSymbol must still set.
        out.push(DocumentSymbol {
            name: name.to_owned(),
            detail: Some("#".repeat(level)),
            kind: SymbolKind::STRING,
            tags: None,
            deprecated: None,
            range,
            selection_range: range,
            children: None,
        });
    }
    out
}

/// A customer's fact line, in markdown, from its front matter as written.
pub fn fact_line(page: &Page, text: &str) -> Option<String> {
    if page.competitor {
        let facts: Vec<String> = [
            ("price_level", "price level"),
            ("strengths", "strengths"),
            ("weaknesses", "weaknesses"),
        ]
        .iter()
        .map(|(key, name)| (name, pages::list_field(text, key)))
        .filter(|(_, v)| !v.is_empty())
        .map(|(name, v)| format!("{name}: {}", v.join(", ")))
        .collect();
        return Some(format!("**{}**  \n{}", page.title, facts.join(" · ")));
    }
    if !page.content_path.starts_with("customers/") {
        return None;
    }
    let facts: Vec<String> = [
        ("stage", "stage"),
        ("tier", "tier"),
        ("value", "value"),
        ("owner", "owner"),
        ("next_visit", "next visit"),
    ]
    .iter()
    .filter_map(|(key, name)| pages::field(text, key).map(|v| format!("{name}: {v}")))
    .collect();
    Some(format!("**{}**  \n{}", page.title, facts.join(" · ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_skip_front_matter_and_code() {
        let text = "---\ntitle: x\n---\n## 拜访记录\n```\n# not\n```\n#nope\n### 下一步 ##\n";
        let names: Vec<(String, u32)> = headings(text)
            .into_iter()
            .map(|s| (s.name, s.range.start.line))
            .collect();
        assert_eq!(names, [("拜访记录".to_owned(), 3), ("下一步".to_owned(), 8)]);
    }
}
