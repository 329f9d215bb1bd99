//! Watching the site: which file-system events mean a rebuild, and of what kind. The
//! classifier is a pure function of paths, unit-tested without a file system.

use std::path::{Component, Path};

use crate::load::is_ignored_name;

/// What a changed path is, as far as rebuilding goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// A markdown file (or a folder) under `content/`.
    Content,
    /// A file under `static/`.
    Static,
    /// A template, label file or static file of a theme, or a site template.
    Theme,
    /// `salesbook.yaml`.
    Config,
}

/// The folders and files under the site root that `serve` watches.
pub const WATCHED: [&str; 5] = ["content", "static", "themes", "templates", "salesbook.yaml"];

/// Classifies one changed path; `None` for everything a rebuild does not depend on: the
/// output folder, dot files and folders, editor swap, backup and temporary files.
pub fn classify(root: &Path, out: &Path, path: &Path) -> Option<Change> {
    if path.starts_with(out) {
        return None;
    }
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<&str> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let (first, last) = (*parts.first()?, *parts.last()?);
    if parts.iter().any(|p| is_ignored_name(p)) || last.ends_with(".salesbook-tmp") {
        return None;
    }
    match first {
        "content" => {
            // A folder event (created, renamed, removed) has no extension: it may carry pages.
            let is_md = last.ends_with(".md");
            let looks_like_folder = !last.contains('.');
            (is_md || looks_like_folder || parts.len() == 1).then_some(Change::Content)
        }
        "static" => Some(Change::Static),
        "themes" | "templates" => Some(Change::Theme),
        "salesbook.yaml" if parts.len() == 1 => Some(Change::Config),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn c(p: &str) -> Option<Change> {
        let root = PathBuf::from("/site");
        classify(&root, &root.join("public"), &root.join(p))
    }

    #[test]
    fn content_static_theme_config() {
        assert_eq!(c("content/customers/huadong.md"), Some(Change::Content));
        assert_eq!(
            c("content/customers"),
            Some(Change::Content),
            "a folder renamed or removed"
        );
        assert_eq!(c("content"), Some(Change::Content));
        assert_eq!(c("static/logo.png"), Some(Change::Static));
        assert_eq!(c("themes/default/templates/customer.html"), Some(Change::Theme));
        assert_eq!(c("templates/page.html"), Some(Change::Theme));
        assert_eq!(c("salesbook.yaml"), Some(Change::Config));
    }

    #[test]
    fn editor_files_output_and_strangers_are_ignored() {
        assert_eq!(c("content/customers/.huadong.md.swp"), None, "vim swap");
        assert_eq!(c("content/customers/huadong.md~"), None, "backup");
        assert_eq!(c("content/customers/#huadong.md#"), None, "emacs autosave");
        assert_eq!(c("content/customers/.#huadong.md"), None, "emacs lock");
        assert_eq!(
            c("content/customers/4913"),
            Some(Change::Content),
            "vim's probe file looks like a folder: harmless"
        );
        assert_eq!(c("content/customers/huadong.md.tmp"), None);
        assert_eq!(c("content/.git/index"), None);
        assert_eq!(c("content/customers/notes.txt"), None, "not markdown");
        assert_eq!(c("public/index.html"), None, "the output folder");
        assert_eq!(c("public/.index.html.salesbook-tmp"), None);
        assert_eq!(c("target/debug/foo"), None);
        assert_eq!(c("README.md"), None);
        assert_eq!(c("static/.DS_Store"), None);
        let root = PathBuf::from("/site");
        assert_eq!(
            classify(&root, &root.join("public"), Path::new("/elsewhere/content/a.md")),
            None
        );
    }
}
