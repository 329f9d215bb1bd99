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
///
/// Paths are compared part by part, with `\\` a separator on every platform (as
/// [`crate::load::rel`] reads them) and the site's own names (`content`, `salesbook.yaml`, …)
/// in any case: Windows and macOS file systems ignore case, and report a folder under the
/// name it was created with.
pub fn classify(root: &Path, out: &Path, path: &Path) -> Option<Change> {
    if path.starts_with(out) {
        return None;
    }
    let parts = parts_under(root, path)?;
    if parts_under(root, out).is_some_and(|o| !o.is_empty() && parts.len() >= o.len() && same(&parts[..o.len()], &o)) {
        return None;
    }
    let (first, last) = (*parts.first()?, *parts.last()?);
    if parts.iter().any(|p| is_ignored_name(p)) || last.ends_with(".salesbook-tmp") {
        return None;
    }
    let is = |name: &str| first.eq_ignore_ascii_case(name);
    if is("content") {
        // A folder event (created, renamed, removed) has no extension: it may carry pages.
        let is_md = last.ends_with(".md");
        let looks_like_folder = !last.contains('.');
        (is_md || looks_like_folder || parts.len() == 1).then_some(Change::Content)
    } else if is("static") {
        Some(Change::Static)
    } else if is("themes") || is("templates") {
        Some(Change::Theme)
    } else if is("salesbook.yaml") && parts.len() == 1 {
        Some(Change::Config)
    } else {
        None
    }
}

/// The names of `path` below `root`, split at `/` and `\\`; `None` outside `root`, or for
/// a path with `..` or a name that is not UTF-8.
fn parts_under<'a>(root: &Path, path: &'a Path) -> Option<Vec<&'a str>> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(s) => parts.extend(s.to_str()?.split('\\').filter(|p| !p.is_empty())),
            _ => return None,
        }
    }
    Some(parts)
}

/// Whether two lists of names are the same, ignoring ASCII case.
fn same(a: &[&str], b: &[&str]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
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

    /// As Windows reports them: `\\` between the names, and the case a folder was made with.
    fn w(p: &str) -> Option<Change> {
        let root = PathBuf::from("/site");
        classify(&root, &root.join("public"), &root.join(p))
    }

    #[test]
    fn windows_separators_and_case() {
        assert_eq!(w(r"content\customers\huadong.md"), Some(Change::Content));
        assert_eq!(w(r"content\customers"), Some(Change::Content), "a folder");
        assert_eq!(w(r"Content\Customers\huadong.md"), Some(Change::Content));
        assert_eq!(w(r"static\img\logo.png"), Some(Change::Static));
        assert_eq!(w(r"themes\default\templates\customer.html"), Some(Change::Theme));
        assert_eq!(w(r"templates\page.html"), Some(Change::Theme));
        assert_eq!(w("Salesbook.yaml"), Some(Change::Config));
        assert_eq!(w(r"content\salesbook.yaml"), None, "not the site's config");
        assert_eq!(w(r"public\customers\huadong\index.html"), None, "the output folder");
        assert_eq!(w(r"Public\index.html"), None, "the output folder, in another case");
        assert_eq!(w(r"content\customers\.huadong.md.swp"), None, "vim swap");
        assert_eq!(w(r"content\customers\huadong.md~"), None, "backup");
        assert_eq!(w(r"content\.git\index"), None);
        assert_eq!(w(r"content\customers\.huadong.md.salesbook-tmp"), None);
        assert_eq!(w(r"content\customers\notes.txt"), None, "not markdown");
        assert_eq!(w(r"target\debug\content\a.md"), None);
        assert_eq!(w(r"static\img\Thumbs.db"), None, "Windows' thumbnail cache");
        assert_eq!(w(r"static\desktop.ini"), None, "Windows' folder settings");
        assert_eq!(w(r"static\~$price list.xlsx"), None, "Office's lock file");
    }

    #[test]
    fn a_custom_output_folder_inside_the_site_is_ignored() {
        let root = PathBuf::from("/site");
        let out = root.join("static").join("built");
        assert_eq!(classify(&root, &out, &root.join("static/built/index.html")), None);
        assert_eq!(classify(&root, &out, &root.join(r"static\built\index.html")), None);
        assert_eq!(
            classify(&root, &out, &root.join("static/logo.png")),
            Some(Change::Static)
        );
    }
}
