//! Go to definition: from a `[[wiki link]]`, a markdown link to a `.md` file, or a name in
//! `competitors:`, to the page's file; from a stage in a visit script's `stages:`, to that
//! stage's entry in `salesbook.yaml`.

use std::path::{Path, PathBuf};

use super::pages::{Page, front_matter_lines};
use crate::config::SiteConfig;

/// What the name at the cursor is.
pub enum Target<'a> {
    /// A page of the site (its file, as the link or reference gives it).
    File(PathBuf),
    /// A stage named in a visit script's `stages:`.
    Stage(&'a str),
}

/// The file the link or reference at byte `offset` of `text` (the document at `doc`) names,
/// or the stage it names.
pub fn definition<'a>(doc: &Path, text: &'a str, offset: usize, pages: &[Page]) -> Option<Target<'a>> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let at = offset - line_start;
    if let Some(target) = wiki_target(line, at) {
        return pages
            .iter()
            .find(|p| p.named(target))
            .map(|p| Target::File(p.path.clone()));
    }
    if let Some(target) = md_target(line, at) {
        let target = target.split('#').next().unwrap_or(target);
        let path = doc.parent()?.join(target);
        return path.is_file().then_some(Target::File(path));
    }
    let line_no = text[..line_start].matches('\n').count();
    if line_no == 0 || front_matter_lines(text).is_none_or(|end| line_no >= end) {
        return None;
    }
    if in_list(text, line_start, line, "competitors") {
        let name = word_at(line, at, "competitors")?;
        return pages
            .iter()
            .find(|p| p.competitor && p.named(name))
            .map(|p| Target::File(p.path.clone()));
    }
    if in_list(text, line_start, line, "stages") {
        return word_at(line, at, "stages").map(Target::Stage);
    }
    None
}

/// Whether the cursor (byte `offset`) is on a link or a reference, resolved or not.
pub fn on_reference(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let at = offset - line_start;
    let line_no = text[..line_start].matches('\n').count();
    let in_front = line_no > 0 && front_matter_lines(text).is_some_and(|end| line_no < end);
    wiki_target(line, at).is_some()
        || md_target(line, at).is_some()
        || (in_front
            && ["competitors", "stages"]
                .iter()
                .any(|k| in_list(text, line_start, line, k) && word_at(line, at, k).is_some()))
}

/// The 0-based line of stage `name`'s entry (`- id: quote`) in the config's text, if the
/// config lists it (a built-in stage of a config without `stages:` has no line).
pub fn stage_line(config: &SiteConfig, config_text: &str, name: &str) -> Option<u32> {
    let ix = crate::words::stage(config, name)?;
    let id = &config.stage_def(ix).id;
    let mut in_stages = false;
    for (n, line) in config_text.split('\n').enumerate() {
        if !line.starts_with([' ', '\t', '-', '#']) && !line.trim().is_empty() {
            in_stages = line.starts_with("stages:");
        }
        let t = line.trim_start().trim_start_matches('-').trim_start();
        let t = t.trim_start_matches('{').trim_start();
        if in_stages
            && let Some(v) = t.strip_prefix("id:")
            && v.split(',').next().unwrap_or(v).trim().trim_matches(['"', '\'']) == id
        {
            return Some(n as u32);
        }
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

/// Whether the line is `key: …` or an item of a `key:` block list.
fn in_list(text: &str, line_start: usize, line: &str, key: &str) -> bool {
    let t = line.trim_start();
    if t.strip_prefix(key).is_some_and(|r| r.starts_with(':')) {
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
        .is_some_and(|l| l.trim_start().strip_prefix(key).is_some_and(|r| r.starts_with(':')))
}

/// The name around byte `at`, between YAML's separators (not the list's `key` itself).
fn word_at<'a>(line: &'a str, at: usize, key: &str) -> Option<&'a str> {
    let stop = |c: char| matches!(c, ',' | '[' | ']' | ':' | '"' | '\'');
    let at = at.min(line.len());
    let start = line[..at].rfind(stop).map_or(0, |i| i + 1);
    let end = line[at..].find(stop).map_or(line.len(), |i| at + i);
    let w = line[start..end].trim().trim_start_matches("- ").trim();
    (!w.is_empty() && w != key).then_some(w)
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
        assert_eq!(word_at(list, list.find("对手").unwrap(), "competitors"), Some("对手乙"));
        assert_eq!(
            word_at(list, list.find("rival").unwrap() + 2, "competitors"),
            Some("rival")
        );
        assert_eq!(word_at(list, 3, "competitors"), None);
    }
}
