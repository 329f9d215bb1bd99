//! One version of a page, as a commit left it: parsed with the front matter parser of the
//! present (the current config's stages, `--public`'s `private:` rule), so that the figures
//! over time apply the same rules to the past as to the present. Only the front matter is
//! parsed: a version's body shows nowhere, and scanning it would cost as much as the rest.

use std::sync::Arc;

use crate::config::SiteConfig;
use crate::model::Kind;
use crate::parse::front_matter::{self, Customer};

use super::PageVersion;

/// What decides a version's parse besides its text: see [`parse`].
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    pub config: &'a SiteConfig,
    /// A `--public` build: `private:` fields are left out, and a confidential version is no
    /// customer page at all (nothing of it may show).
    pub public: bool,
    /// `--drafts`: a draft version counts, as a draft page of the present does.
    pub drafts: bool,
}

/// The customer page a file's text at `path` (relative to the site root) is, if it is one:
/// `None` for any other page, a text that is no page (no front matter, not UTF-8), a draft
/// (without `--drafts`) and a confidential page (with `--public`). Problems in an old version
/// are not reported: they were the past's, and may be fixed now.
pub fn parse(path: &str, bytes: &[u8], rules: Rules) -> Option<Arc<PageVersion>> {
    let section = section_of(path)?;
    // A page's kind is its folder's (`kind:` only tells playbooks apart): the other
    // folders' versions need no parse.
    if Kind::of_section(section) != Kind::Customer {
        return None;
    }
    // Read as the present's files are: a byte-order mark and Windows line ends are fine.
    let src = crate::load::source_from_bytes(path.to_owned(), bytes.to_vec()).ok()?;
    let text = src.text.as_str();
    let split = front_matter::split(path, text).ok()?;
    let (fm, _) = front_matter::parse(
        path,
        text,
        &split,
        Kind::of_section(section),
        rules.config,
        rules.public,
    );
    if (fm.draft && !rules.drafts) || (fm.confidential && rules.public) {
        return None;
    }
    let c = fm.customer?;
    let title = if fm.title.is_empty() {
        stem(path).to_owned()
    } else {
        fm.title
    };
    Some(Arc::new(PageVersion {
        title,
        customer: Customer {
            owner: c.owner,
            stage: c.stage,
            value: c.value,
            probability: c.probability,
            expected_close: c.expected_close,
            orders: c.orders,
            ..Customer::default()
        },
    }))
}

/// Whether a path (relative to the site root) is a page's markdown file under `content/`:
/// the files whose versions are parsed. Section texts (`_index.md`) are no pages.
pub fn is_page(path: &str) -> bool {
    section_of(path).is_some()
        && path.ends_with(".md")
        && !path.ends_with("/_index.md")
        && !path.split('/').any(crate::load::is_ignored_name)
}

/// The section (first folder under `content/`) of a page path; "" at the top.
fn section_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("content/")?;
    Some(rest.split_once('/').map_or("", |(s, _)| s))
}

/// The file name without its extension: a page's title when it has none.
fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".md").unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(config: &SiteConfig, public: bool) -> Rules<'_> {
        Rules {
            config,
            public,
            drafts: false,
        }
    }

    #[test]
    fn a_customer_version_keeps_the_deal() {
        let config = SiteConfig::default();
        let text = "---\ntitle: 华东\nowner: 王\nstage: quote\nvalue: 1200\n---\nbody\n";
        let v = parse("content/customers/huadong.md", text.as_bytes(), rules(&config, false)).unwrap();
        assert_eq!(v.title, "华东");
        assert_eq!(v.customer.owner.as_deref(), Some("王"));
        assert!(v.customer.stage.is_some());
        assert_eq!(v.customer.value, Some(1200.0));
    }

    #[test]
    fn a_version_saved_on_windows_is_read_as_today() {
        let config = SiteConfig::default();
        let text = "\u{feff}---\r\ntitle: 华东\r\nstage: quote\r\n---\r\nbody\r\n";
        let v = parse("content/customers/huadong.md", text.as_bytes(), rules(&config, false)).unwrap();
        assert_eq!(v.title, "华东");
        assert!(v.customer.stage.is_some());
    }

    #[test]
    fn other_pages_and_non_pages_are_no_versions() {
        let config = SiteConfig::default();
        let r = rules(&config, false);
        assert!(parse("content/guide.md", b"---\ntitle: x\n---\n", r).is_none());
        let elsewhere = b"---\ntitle: x\nkind: customer\nstage: lead\n---\n";
        assert!(
            parse("content/accounts/x.md", elsewhere, r).is_none(),
            "the folder decides"
        );
        assert!(parse("content/customers/a.md", b"no front matter", r).is_none());
        assert!(parse("content/customers/a.md", b"---\ntitle: \xff\n---\n", r).is_none());
        assert!(parse("content/customers/a.md", b"---\ntitle: a\ndraft: true\n---\n", r).is_none());
    }

    #[test]
    fn a_public_build_sees_no_confidential_version_and_no_private_field() {
        let config = SiteConfig::default();
        let secret = b"---\ntitle: a\nconfidential: true\nvalue: 5\n---\n";
        assert!(parse("content/customers/a.md", secret, rules(&config, false)).is_some());
        assert!(parse("content/customers/a.md", secret, rules(&config, true)).is_none());
        let private = b"---\ntitle: a\nprivate:\n  value: 5\n---\n";
        let v = parse("content/customers/a.md", private, rules(&config, true)).unwrap();
        assert_eq!(v.customer.value, None);
        let v = parse("content/customers/a.md", private, rules(&config, false)).unwrap();
        assert_eq!(v.customer.value, Some(5.0));
    }

    #[test]
    fn which_paths_are_pages() {
        assert!(is_page("content/customers/a.md"));
        assert!(is_page("content/a.md"));
        assert!(!is_page("content/customers/_index.md"));
        assert!(!is_page("content/customers/.a.md.swp"));
        assert!(!is_page("static/a.md"));
        assert!(!is_page("content/customers/a.txt"));
    }
}
