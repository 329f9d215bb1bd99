//! The site's pages as completion, definition, references and rename name them: path, slug,
//! title and aliases, taken from the Builder's last build ([`Builder::last_site`]), which read
//! the editor's unsaved texts (a page typed and not saved yet included), so that a request
//! reads no file and the names are the ones `check` resolves links against.
//!
//! [`Builder::last_site`]: crate::build::Builder::last_site

use std::path::PathBuf;

use crate::build::SiteFacts;
use crate::model::Kind;

pub struct Page {
    /// The page's place in the build's `docs` (its `DocId`).
    pub id: usize,
    pub path: PathBuf,
    /// Relative to `content/`, without extension: `customers/huadong`.
    pub content_path: String,
    pub slug: String,
    pub title: String,
    pub aliases: Vec<String>,
    /// A competitor page (named in customers' `competitors:`).
    pub competitor: bool,
    /// A draft, left out of the build.
    pub hidden: bool,
    /// The values of the free-text fields that completion offers as "already in use":
    /// (key, value) for `owner`, `industry`, `region` and each of `tags`.
    pub used: Vec<(&'static str, String)>,
}

/// The free-text fields whose values in use are offered.
pub const IN_USE: [&str; 4] = ["owner", "industry", "region", "tags"];

impl Page {
    /// Whether a wiki link or a competitor reference `name` names this page (as
    /// `links::wiki_target` resolves it: by path, slug, file name or title).
    pub fn named(&self, name: &str) -> bool {
        let name = name.trim();
        let path = name.trim_start_matches('/').trim_end_matches(".md");
        !name.is_empty()
            && (self.content_path == path
                || self.slug_path() == path
                || self.slug == name
                || self.stem() == name
                || self.title == name
                || (self.competitor && self.content_path == format!("competitors/{name}")))
    }

    /// The file name without `.md`.
    pub fn stem(&self) -> &str {
        self.content_path.rsplit('/').next().unwrap_or(&self.content_path)
    }

    /// The folder in `content/` (`customers`), or "" at the top.
    pub fn dir(&self) -> &str {
        self.content_path.rsplit_once('/').map_or("", |(d, _)| d)
    }

    /// `customers/<slug>`: the path a link by slug path writes.
    pub fn slug_path(&self) -> String {
        match self.dir() {
            "" => self.slug.clone(),
            dir => format!("{dir}/{}", self.slug),
        }
    }
}

/// Every page of the last build.
pub fn pages(site: &SiteFacts) -> Vec<Page> {
    site.docs
        .iter()
        .enumerate()
        .map(|(id, d)| {
            let c = d.fm.customer.as_deref();
            let mut used: Vec<(&'static str, String)> = [
                ("owner", c.and_then(|c| c.owner.clone())),
                ("industry", c.and_then(|c| c.industry.clone())),
                ("region", c.and_then(|c| c.region.clone())),
            ]
            .into_iter()
            .filter_map(|(k, v)| Some((k, v?)))
            .collect();
            used.extend(d.fm.tags.iter().map(|t| ("tags", t.clone())));
            Page {
                id,
                path: d.file.clone(),
                content_path: d.content_path.clone(),
                slug: d.slug.clone(),
                title: d.fm.title.clone(),
                aliases: d.fm.aliases.clone(),
                competitor: d.kind == Kind::Competitor,
                hidden: site.hidden.get(id).copied().unwrap_or(false),
                used,
            }
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
