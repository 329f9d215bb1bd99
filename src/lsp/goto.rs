//! Go to definition: from a `[[wiki link]]`, a markdown link to a `.md` file, or a name in
//! `competitors:`, to the page's file.

use std::path::{Path, PathBuf};

use super::pages::{Page, front_matter_lines};

/// The file the link or reference at byte `offset` of `text` (the document at `doc`) names.
pub fn definition(doc: &Path, text: &str, offset: usize, pages: impl FnOnce() -> Vec<Page>) -> Option<PathBuf> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let at = offset - line_start;
    if let Some(target) = wiki_target(line, at) {
        return pages().into_iter().find(|p| p.named(target)).map(|p| p.path);
    }
    if let Some(target) = md_target(line, at) {
        let target = target.split('#').next().unwrap_or(target);
        let path = doc.parent()?.join(target);
        return path.is_file().then_some(path);
    }
    let line_no = text[..line_start].matches('\n').count();
    if line_no > 0
        && front_matter_lines(text).is_some_and(|end| line_no < end)
        && in_competitors(text, line_start, line)
    {
        let name = word_at(line, at)?;
        return pages()
            .into_iter()
            .find(|p| p.competitor && p.named(name))
            .map(|p| p.path);
    }
    None
}

/// The target of the `[[target#heading|text]]` around byte `at` of `line`.
pub fn wiki_target(line: &str, at: usize) -> Option<&str> {
    let open = line[..at.min(line.len())].rfind("[[")?;
    let close = open + line[open..].find("]]")?;
    if close + 2 < at {
        return None;
    }
    let inner = &line[open + 2..close];
    let target = inner.split(['|', '#']).next()?.trim();
    (!target.is_empty()).then_some(target)
}

/// The `.md` target of the `[text](target)` around byte `at` of `line`.
fn md_target(line: &str, at: usize) -> Option<&str> {
    let mut from = 0;
    while let Some(i) = line[from..].find("](") {
        let open = from + i + 2;
        let close = open + line[open..].find(')')?;
        let start = line[..open].rfind('[').unwrap_or(open);
        if (start..=close).contains(&at) {
            let target = line[open..close].trim();
            let file = target.split('#').next().unwrap_or(target);
            return (file.ends_with(".md") && !file.contains("://")).then_some(target);
        }
        from = close;
    }
    None
}

/// Whether the line is `competitors: …` or an item of a `competitors:` block list.
fn in_competitors(text: &str, line_start: usize, line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with("competitors:") {
        return true;
    }
    if !t.starts_with('-') {
        return false;
    }
    let indent = line.len() - t.len();
    text[..line_start]
        .split('\n')
        .rev()
        .skip(1)
        .find(|l| {
            let lt = l.trim_start();
            !lt.is_empty() && l.len() - lt.len() < indent
        })
        .is_some_and(|l| l.trim_start().starts_with("competitors:"))
}

/// The name around byte `at`, between YAML's separators.
fn word_at(line: &str, at: usize) -> Option<&str> {
    let stop = |c: char| matches!(c, ',' | '[' | ']' | ':' | '"' | '\'');
    let at = at.min(line.len());
    let start = line[..at].rfind(stop).map_or(0, |i| i + 1);
    let end = line[at..].find(stop).map_or(line.len(), |i| at + i);
    let w = line[start..end].trim().trim_start_matches("- ").trim();
    (!w.is_empty() && !w.starts_with("competitors")).then_some(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_found_around_the_cursor() {
        let line = "见 [[beta|乙方]] 和 [价格](../competitors/rival.md#价格)。";
        assert_eq!(wiki_target(line, line.find("beta").unwrap() + 1), Some("beta"));
        assert_eq!(wiki_target(line, line.find("和").unwrap()), None);
        let at = line.find("rival").unwrap();
        assert_eq!(md_target(line, at), Some("../competitors/rival.md#价格"));
        let list = "competitors: [rival, 对手乙]";
        assert_eq!(word_at(list, list.find("对手").unwrap()), Some("对手乙"));
        assert_eq!(word_at(list, list.find("rival").unwrap() + 2), Some("rival"));
    }
}
