//! Completion: the fixed values of front matter (from the one table of names in
//! `crate::words` and the config's stages, so that what completes is what `check` accepts),
//! competitors inside `competitors:`, and pages after `[[`.

use lsp_types::{CompletionItem, CompletionItemKind};

use super::pages::{Page, front_matter_lines};
use crate::config::{Language, SiteConfig};
use crate::model::{Level, PriceLevel, Relationship, Role, Style, Tier, VisitKind};
use crate::words::{self, Word};

/// What to offer at byte `offset` of `text`; `pages` is asked for only when pages are
/// offered, and `read` for the text of the page whose headings are offered.
pub fn complete(
    config: &SiteConfig,
    pages: impl FnOnce() -> Vec<Page>,
    read: &dyn Fn(&Page) -> Option<String>,
    text: &str,
    offset: usize,
) -> Vec<CompletionItem> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..offset];
    if let Some(i) = prefix.rfind("[[")
        && !prefix[i..].contains("]]")
    {
        return match prefix[i + 2..].split_once('#') {
            // `[[#…`: this page's headings; `[[page#…`: that page's.
            Some((target, _)) if target.trim().is_empty() => heading_items(text),
            Some((target, _)) => pages()
                .iter()
                .find(|p| p.named(target))
                .and_then(read)
                .map_or_else(Vec::new, |t| heading_items(&t)),
            None => pages().iter().flat_map(wiki_items).collect(),
        };
    }
    let line_no = text[..line_start].matches('\n').count();
    let Some(end) = front_matter_lines(text) else {
        return Vec::new();
    };
    if line_no == 0 || line_no >= end {
        return Vec::new();
    }
    let Some(key) = key_at(text, line_start, prefix) else {
        return Vec::new();
    };
    let zh = config.language == Language::ZhCn;
    match key {
        "stage" => config
            .stages
            .iter()
            .map(|s| {
                let name = if zh {
                    &s.label
                } else {
                    s.label_en.as_ref().unwrap_or(&s.label)
                };
                item(&s.id, name, CompletionItemKind::ENUM_MEMBER)
            })
            .collect(),
        "tier" => word_items::<Tier>(zh),
        "role" => word_items::<Role>(zh),
        "style" => word_items::<Style>(zh),
        "kind" => word_items::<VisitKind>(zh),
        "relationship" => word_items::<Relationship>(zh),
        "potential" | "share" => word_items::<Level>(zh),
        "price_level" => word_items::<PriceLevel>(zh),
        key if super::pages::IN_USE.contains(&key) => {
            let mut values: Vec<String> = pages()
                .into_iter()
                .flat_map(|p| p.used)
                .filter(|(k, _)| *k == key)
                .map(|(_, v)| v)
                .collect();
            values.sort();
            values.dedup();
            values.iter().map(|v| item(v, v, CompletionItemKind::VALUE)).collect()
        }
        "competitors" => pages()
            .iter()
            .filter(|p| p.competitor)
            .map(|p| item(&p.slug, &p.title, CompletionItemKind::REFERENCE))
            .collect(),
        _ => Vec::new(),
    }
}

/// The key whose value is being typed: `stage` in `stage: |`, `role` in `  - role: |`, and
/// for a bare list item (`  - |`) the key of the list, on the nearest line above with less
/// indentation.
fn key_at<'a>(text: &'a str, line_start: usize, prefix: &'a str) -> Option<&'a str> {
    let trimmed = prefix.trim_start();
    let item = trimmed.strip_prefix('-').map(str::trim_start);
    if let Some((key, _)) = item.unwrap_or(trimmed).split_once(':') {
        return key_name(key);
    }
    item?;
    let indent = prefix.len() - trimmed.len();
    text[..line_start].split('\n').rev().skip(1).find_map(|l| {
        let t = l.trim_start();
        if t.is_empty() || l.len() - t.len() >= indent {
            return None;
        }
        key_name(t.trim_start_matches(['-', ' ']).split_once(':')?.0)
    })
}

fn key_name(key: &str) -> Option<&str> {
    let key = key.trim();
    (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(key)
}

fn word_items<W: Word>(zh: bool) -> Vec<CompletionItem> {
    W::all()
        .iter()
        .map(|w| {
            let name = if zh { words::zh(*w) } else { w.id() };
            item(w.id(), name, CompletionItemKind::ENUM_MEMBER)
        })
        .collect()
}

/// An item that inserts `id`, shown as `id — name` (just `id` when the name is the id).
fn item(id: &str, name: &str, kind: CompletionItemKind) -> CompletionItem {
    let label = if name == id {
        id.to_owned()
    } else {
        format!("{id} — {name}")
    };
    CompletionItem {
        label,
        kind: Some(kind),
        insert_text: Some(id.to_owned()),
        filter_text: Some(format!("{id} {name}")),
        ..CompletionItem::default()
    }
}

/// The heading ids of a page (as the build gives them: GitHub's rule, `-1` for a repeat),
/// each shown with its heading.
fn heading_items(text: &str) -> Vec<CompletionItem> {
    let body = front_matter_lines(text).map_or(0, |end| text.split_inclusive('\n').take(end + 1).map(str::len).sum());
    crate::parse::markdown::scan(text, body.min(text.len()), "", false)
        .headings
        .iter()
        .map(|h| item(&h.id, &h.text, CompletionItemKind::REFERENCE))
        .collect()
}

/// A page after `[[`: by its title, and by its path.
fn wiki_items(p: &Page) -> [CompletionItem; 2] {
    let by_title = CompletionItem {
        label: p.title.clone(),
        kind: Some(CompletionItemKind::FILE),
        detail: Some(p.content_path.clone()),
        ..CompletionItem::default()
    };
    let by_path = CompletionItem {
        label: p.content_path.clone(),
        kind: Some(CompletionItemKind::FILE),
        detail: Some(p.title.clone()),
        ..CompletionItem::default()
    };
    [by_title, by_path]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str) -> Vec<String> {
        let at = text.find('|').unwrap();
        let text = text.replace('|', "");
        complete(&SiteConfig::default(), Vec::new, &|_| None, &text, at)
            .into_iter()
            .map(|i| i.label)
            .collect()
    }

    #[test]
    fn fixed_values_complete_with_their_chinese_names() {
        assert!(labels("---\nstage: |\n---\n").contains(&"opportunity — 商机".to_owned()));
        assert!(labels("---\ntier: p|\n---\n").contains(&"partner — 伙伴关系".to_owned()));
        let role = labels("---\ncontacts:\n  - name: 王\n    role: |\n---\n");
        assert!(role.contains(&"decision-maker — 决策人".to_owned()), "{role:?}");
        assert!(labels("---\nvisits:\n  - kind: |\n---\n").contains(&"cold — 陌生拜访".to_owned()));
        assert!(labels("---\npotential: |\n---\n").contains(&"high — 高".to_owned()));
    }

    #[test]
    fn owners_and_tags_in_use_complete_once_each() {
        let page = |used: Vec<(&'static str, &str)>| Page {
            path: "x".into(),
            content_path: "customers/x".into(),
            slug: "x".into(),
            title: "x".into(),
            competitor: false,
            used: used.into_iter().map(|(k, v)| (k, v.to_owned())).collect(),
        };
        let pages = || {
            vec![
                page(vec![("owner", "张伟"), ("tags", "制造")]),
                page(vec![("owner", "张伟"), ("owner", "李娜")]),
            ]
        };
        let text = "---\nowner: \ntags: [\n---\n";
        let at = |needle: &str| text.find(needle).unwrap() + needle.len();
        let owners: Vec<String> = complete(&SiteConfig::default(), pages, &|_| None, text, at("owner: "))
            .into_iter()
            .map(|i| i.label)
            .collect();
        assert_eq!(owners, ["张伟", "李娜"]);
        let tags: Vec<String> = complete(&SiteConfig::default(), pages, &|_| None, text, at("tags: ["))
            .into_iter()
            .map(|i| i.label)
            .collect();
        assert_eq!(tags, ["制造"]);
    }

    #[test]
    fn a_pages_headings_complete_after_the_hash() {
        let got = labels("---\ntitle: x\n---\n## 拜访记录\n## Next Steps\n## 拜访记录\n\n[[#|\n");
        assert_eq!(got, ["拜访记录", "next-steps — Next Steps", "拜访记录-1 — 拜访记录"]);
    }

    #[test]
    fn nothing_completes_outside_the_front_matter_or_after_an_unknown_key() {
        assert!(labels("---\ntitle: x\n---\nstage: |\n").is_empty());
        assert!(labels("---\nvalue: |\n---\n").is_empty());
    }
}
