//! The site's pages as completion and go to definition name them: path, slug and title.
//! Read from the sources (the editor's text for open ones) by a light scan of each front
//! matter's `title:` and `slug:` lines, not by a build: a completion must not wait for one,
//! and a page whose front matter is broken still has a name to link to.

use std::path::{Path, PathBuf};

use crate::load::{self, Overlay};

pub struct Page {
    pub path: PathBuf,
    /// Relative to `content/`, without extension: `customers/huadong`.
    pub content_path: String,
    pub slug: String,
    pub title: String,
    /// Under `content/competitors/`.
    pub competitor: bool,
    /// The values of the free-text fields that completion offers as "already in use":
    /// (key, value) for `owner`, `industry`, `region` and each of `tags`.
    pub used: Vec<(&'static str, String)>,
}

/// The free-text fields whose values in use are offered.
pub const IN_USE: [&str; 4] = ["owner", "industry", "region", "tags"];

impl Page {
    /// Whether a wiki link or a competitor reference `name` names this page.
    pub fn named(&self, name: &str) -> bool {
        let name = name.trim();
        !name.is_empty()
            && (self.content_path == name
                || self.slug == name
                || self.title == name
                || (self.competitor && self.content_path == format!("competitors/{name}")))
    }
}

/// Every markdown page under `content/`.
pub fn pages(root: &Path, overlay: &Overlay) -> Vec<Page> {
    let (paths, _) = load::find_sources(root);
    paths
        .into_iter()
        .filter_map(|path| {
            let src = overlay.read_source(root, &path).ok()?;
            let content_path = src.content_path.clone();
            let stem = content_path.rsplit('/').next().unwrap_or(&content_path).to_owned();
            let title = field(&src.text, "title").unwrap_or_else(|| stem.clone());
            let slug = field(&src.text, "slug").unwrap_or(stem);
            let used = IN_USE
                .iter()
                .flat_map(|key| list_field(&src.text, key).into_iter().map(move |v| (*key, v)))
                .collect();
            Some(Page {
                used,
                competitor: content_path.starts_with("competitors/"),
                path,
                content_path,
                slug,
                title,
            })
        })
        .collect()
}

/// The index of the line that closes the front matter (lines 1 up to it are the YAML), if
/// the text has one.
pub fn front_matter_lines(text: &str) -> Option<usize> {
    let mut lines = text.split('\n');
    if lines.next()?.trim_end() != "---" {
        return None;
    }
    lines.position(|l| matches!(l.trim_end(), "---" | "...")).map(|n| n + 1)
}

/// A top-level scalar of the front matter, unquoted.
pub fn field(text: &str, key: &str) -> Option<String> {
    let end = front_matter_lines(text)?;
    text.split('\n').take(end).skip(1).find_map(|l| {
        let v = l.strip_prefix(key)?.strip_prefix(':')?.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(v);
        (!v.is_empty()).then(|| v.to_owned())
    })
}

/// A front matter value or list of values: `key: x`, `key: [x, y]` or a block list under
/// `key:`, each unquoted.
pub fn list_field(text: &str, key: &str) -> Vec<String> {
    let Some(end) = front_matter_lines(text) else {
        return Vec::new();
    };
    let lines: Vec<&str> = text.split('\n').take(end).collect();
    let Some(at) = lines
        .iter()
        .position(|l| l.strip_prefix(key).is_some_and(|r| r.starts_with(':')))
    else {
        return Vec::new();
    };
    let value = lines[at][key.len() + 1..].trim();
    let items: Vec<&str> = if let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
        inner.split(',').collect()
    } else if value.is_empty() {
        lines[at + 1..]
            .iter()
            .map_while(|l| l.trim_start().strip_prefix("- ").filter(|_| l.starts_with([' ', '-'])))
            .collect()
    } else {
        vec![value]
    };
    items
        .into_iter()
        .map(|v| v.trim().trim_matches(['"', '\'']).trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_and_slug_are_read_unquoted_from_the_front_matter_only() {
        let text = "---\ntitle: \"甲方: 精密\"\nslug: jia\n---\ntitle: body\n";
        assert_eq!(field(text, "title").as_deref(), Some("甲方: 精密"));
        assert_eq!(field(text, "slug").as_deref(), Some("jia"));
        assert_eq!(field("title: x\n", "title"), None);
        assert_eq!(front_matter_lines(text), Some(3));
        let text = "---\nowner: 张伟\ntags: [制造, '汽车']\nregion:\n  - 华东\n  - \"华南\"\n---\n";
        assert_eq!(list_field(text, "owner"), ["张伟"]);
        assert_eq!(list_field(text, "tags"), ["制造", "汽车"]);
        assert_eq!(list_field(text, "region"), ["华东", "华南"]);
    }
}
