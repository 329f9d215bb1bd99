//! Completion: the fixed values of front matter (from the one table of names in
//! `crate::words` and the config's stages, so that what completes is what `check` accepts),
//! competitors inside `competitors:`, pages after `[[` (by title, path and alias) and in a
//! markdown link's `](`, and the keys of `salesbook.yaml` (from its schema, `crate::schema`,
//! which is made from the config's own keys).

use lsp_types::{CompletionItem, CompletionItemKind};

use super::pages::{Page, front_matter_lines};
use crate::config::{Language, SiteConfig};
use crate::model::{Level, PriceLevel, Relationship, Role, Style, Tier, VisitKind};
use crate::words::{self, Word};

/// The document completed in.
pub enum Doc<'a> {
    /// A page, in this folder of `content/` (`customers`, or "" at the top).
    Page { dir: &'a str },
    /// `salesbook.yaml`.
    Config,
}

/// What to offer at byte `offset` of `text`; `headings` gives a page's heading ids and
/// texts. An item that replaces what was typed before the cursor carries the byte range
/// it replaces (the caller turns it into the protocol's text edit).
pub fn complete(
    config: &SiteConfig,
    pages: &[Page],
    headings: &dyn Fn(&Page) -> Vec<(String, String)>,
    doc: &Doc,
    text: &str,
    offset: usize,
) -> Vec<(CompletionItem, Option<std::ops::Range<usize>>)> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..offset];
    let dir = match doc {
        Doc::Config => {
            return config_keys(text, line_start, prefix)
                .into_iter()
                .map(|i| (i, None))
                .collect();
        }
        Doc::Page { dir } => *dir,
    };
    if let Some(i) = prefix.rfind("](")
        && !prefix[i..].contains(')')
    {
        let from = line_start + i + 2;
        return pages
            .iter()
            .filter(|p| !p.hidden)
            .map(|p| {
                let path = crate::links::relative_md(dir, &p.content_path).replace(' ', "%20");
                let it = CompletionItem {
                    label: path,
                    kind: Some(CompletionItemKind::FILE),
                    detail: Some(p.title.clone()),
                    ..CompletionItem::default()
                };
                (it, Some(from..offset))
            })
            .collect();
    }
    complete_page(config, pages, headings, text, line_start, prefix)
        .into_iter()
        .map(|i| (i, None))
        .collect()
}

fn complete_page(
    config: &SiteConfig,
    pages: &[Page],
    headings: &dyn Fn(&Page) -> Vec<(String, String)>,
    text: &str,
    line_start: usize,
    prefix: &str,
) -> Vec<CompletionItem> {
    if let Some(i) = prefix.rfind("[[")
        && !prefix[i..].contains("]]")
    {
        return match prefix[i + 2..].split_once('#') {
            // `[[#…`: this page's headings; `[[page#…`: that page's.
            Some((target, _)) if target.trim().is_empty() => heading_items(text),
            Some((target, _)) => pages.iter().find(|p| p.named(target)).map_or_else(Vec::new, |p| {
                headings(p)
                    .iter()
                    .map(|(id, t)| item(id, t, CompletionItemKind::REFERENCE))
                    .collect()
            }),
            None => pages.iter().filter(|p| !p.hidden).flat_map(wiki_items).collect(),
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
            let mut values: Vec<&str> = pages
                .iter()
                .flat_map(|p| &p.used)
                .filter(|(k, _)| *k == key)
                .map(|(_, v)| v.as_str())
                .collect();
            values.sort();
            values.dedup();
            values.iter().map(|v| item(v, v, CompletionItemKind::VALUE)).collect()
        }
        "competitors" => {
            // A competitor already in the list is not offered again: the names of a closed
            // list or a block list, and those typed before the cursor in `[a, b, …`.
            let mut listed = super::pages::list_field(text, "competitors");
            if let Some((_, inner)) = prefix.split_once('[') {
                let done = inner.rsplit_once(',').map_or("", |(done, _)| done);
                listed.extend(done.split(',').map(|v| v.trim().trim_matches(['"', '\'']).to_owned()));
            }
            pages
                .iter()
                .filter(|p| p.competitor && !listed.iter().any(|v| p.named(v)))
                .map(|p| item(&p.slug, &p.title, CompletionItemKind::REFERENCE))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The keys of `salesbook.yaml` at the start of a top-level line, and of a stage inside a
/// `stages:` list, each with its description; from the config's schema, so that the keys
/// offered are the ones the config reads.
fn config_keys(text: &str, line_start: usize, prefix: &str) -> Vec<CompletionItem> {
    let trimmed = prefix.trim_start();
    let in_item = trimmed.strip_prefix('-').map(str::trim_start);
    let typed = in_item.unwrap_or(trimmed);
    if typed.contains(':') || !typed.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Vec::new();
    }
    let schema = crate::schema::config_schema();
    let props = if trimmed.len() == prefix.len() && in_item.is_none() {
        &schema["properties"]
    } else {
        let parent = text[..line_start]
            .split('\n')
            .rev()
            .find(|l| !l.trim().is_empty() && !l.starts_with([' ', '\t', '-', '#']));
        if parent.is_none_or(|l| !l.starts_with("stages:")) {
            return Vec::new();
        }
        &schema["properties"]["stages"]["items"]["properties"]
    };
    let Some(props) = props.as_object() else {
        return Vec::new();
    };
    props
        .iter()
        .map(|(key, v)| CompletionItem {
            label: key.clone(),
            kind: Some(CompletionItemKind::PROPERTY),
            detail: v["description"].as_str().map(str::to_owned),
            insert_text: Some(format!("{key}: ")),
            ..CompletionItem::default()
        })
        .collect()
}

/// The key whose value is being typed: `stage` in `stage: |`, `role` in `  - role: |`, and
/// for a bare list item (`  - |`) the key of the list, on the nearest line above with less
/// indentation.
pub(super) fn key_at<'a>(text: &'a str, line_start: usize, prefix: &'a str) -> Option<&'a str> {
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

/// A page after `[[`: by its title, by its path, and by each of its aliases (which a wiki
/// link does not resolve: the alias inserts the path with the alias as the link's text).
fn wiki_items(p: &Page) -> Vec<CompletionItem> {
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
    let aliases = p.aliases.iter().map(|a| CompletionItem {
        label: a.clone(),
        kind: Some(CompletionItemKind::FILE),
        detail: Some(format!("{} ({})", p.title, p.content_path)),
        insert_text: Some(format!("{}|{a}", p.content_path)),
        filter_text: Some(a.clone()),
        ..CompletionItem::default()
    });
    [by_title, by_path].into_iter().chain(aliases).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pages: &[Page], doc: &Doc, text: &str) -> Vec<String> {
        let at = text.find('|').unwrap();
        let text = text.replacen('|', "", 1);
        complete(&SiteConfig::default(), pages, &|_| Vec::new(), doc, &text, at)
            .into_iter()
            .map(|(i, _)| i.label)
            .collect()
    }

    fn labels(text: &str) -> Vec<String> {
        run(&[], &Doc::Page { dir: "customers" }, text)
    }

    fn page(content_path: &str, used: Vec<(&'static str, &str)>) -> Page {
        Page {
            id: 0,
            path: content_path.into(),
            content_path: content_path.into(),
            slug: content_path.rsplit('/').next().unwrap_or_default().into(),
            title: "x".into(),
            aliases: vec!["小x".into()],
            competitor: false,
            hidden: false,
            used: used.into_iter().map(|(k, v)| (k, v.to_owned())).collect(),
        }
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
        let pages = [
            page("customers/a", vec![("owner", "张伟"), ("tags", "制造")]),
            page("customers/b", vec![("owner", "张伟"), ("owner", "李娜")]),
        ];
        let doc = Doc::Page { dir: "customers" };
        assert_eq!(run(&pages, &doc, "---\nowner: |\ntags: [\n---\n"), ["张伟", "李娜"]);
        assert_eq!(run(&pages, &doc, "---\nowner: \ntags: [|\n---\n"), ["制造"]);
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

    #[test]
    fn md_links_complete_relative_paths_and_wiki_links_aliases() {
        let pages = [page("customers/a", vec![]), page("competitors/r x", vec![])];
        let doc = Doc::Page { dir: "customers" };
        assert_eq!(run(&pages, &doc, "见 [甲](|"), ["a.md", "../competitors/r%20x.md"]);
        assert!(run(&pages, &doc, "[[|").contains(&"小x".to_owned()));
    }

    #[test]
    fn a_competitor_already_listed_is_not_offered_again() {
        let mut pages = [page("competitors/rival", vec![]), page("competitors/other", vec![])];
        pages.iter_mut().for_each(|p| p.competitor = true);
        let doc = Doc::Page { dir: "customers" };
        let got = |text: &str| run(&pages, &doc, text);
        assert_eq!(got("---\ncompetitors: [|\n---\n").len(), 2);
        assert_eq!(got("---\ncompetitors: [rival, |\n---\n"), ["other — x"]);
        assert_eq!(got("---\ncompetitors: [\"rival\", o|]\n---\n"), ["other — x"]);
        assert_eq!(got("---\ncompetitors:\n  - other\n  - |\n---\n"), ["rival — x"]);
    }

    #[test]
    fn config_keys_complete_at_the_top_and_in_a_stage() {
        let top = run(&[], &Doc::Config, "title: x\nlang|\n");
        assert!(
            top.contains(&"language".to_owned()) && top.contains(&"stages".to_owned()),
            "{top:?}"
        );
        let stage = run(&[], &Doc::Config, "stages:\n  - id: a\n    |\n");
        assert!(
            stage.contains(&"probability".to_owned()) && !stage.contains(&"title".to_owned()),
            "{stage:?}"
        );
        assert!(run(&[], &Doc::Config, "title: |\n").is_empty());
    }
}
