//! The page token: a secret of each output folder, written into every page (`<meta
//! name="sb-token">`, by the theme's `base.html`) and into no `.js` file.
//!
//! Why: opened from `file://`, the search page reads a page's text through a hidden frame
//! whose `search.js` posts it back (`fetch` is refused there). Every `file://` page has the
//! origin `null`, so the framed page cannot tell our search page from any other local HTML
//! file that frames it. The search page asks with `#sb-text=<token>`, read from its own
//! `<meta>`; a page answers only when that is its own token. A local page can run our `.js`
//! files with `<script src>`, but cannot read another `file://` page's HTML, so the token
//! stays unknown to it.
//!
//! It is random, made once per output folder and kept there (`.salesbook-token`), so that
//! one build after another leaves the pages byte for byte the same. A token derived from the
//! content would change every page on every edit; one derived from something stable
//! (`salesbook.yaml`) could be guessed. A build of another mode (internal, public, with
//! drafts) than the folder's last one gets a new token: a public site's pages never carry
//! the token an internal build's pages had, which a copy of those pages would give away.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::path::Path;
use std::sync::OnceLock;

/// The file in the output folder that keeps the token between builds.
pub const TOKEN_FILE: &str = ".salesbook-token";

/// A token is 32 lowercase hex digits.
fn valid(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A new random token: 128 bits from two SipHash outputs under the standard library's
/// randomly keyed `RandomState` (seeded from the operating system; no extra crate).
pub fn fresh() -> String {
    let a = RandomState::new().hash_one(std::process::id());
    let b = RandomState::new().hash_one((std::time::SystemTime::now(), a));
    format!("{a:016x}{b:016x}")
}

/// The token of the output folder `out` for a build of `mode`: the one an earlier build of
/// that mode left there (`built`: the mode its manifest says, see `write::built_mode`), or a
/// new one. Read only from a plain file, never through a link.
pub fn for_output(out: &Path, built: Option<&str>, mode: &str) -> String {
    let path = out.join(TOKEN_FILE);
    let plain = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
    if !plain || built != Some(mode) {
        return fresh();
    }
    match std::fs::read_to_string(&path) {
        Ok(t) if valid(t.trim()) => t.trim().to_owned(),
        _ => fresh(),
    }
}

/// For builds that write no folder (`check`, `serve`, the library's callers): one token for
/// the whole process, so that two builders of one process render the same bytes.
pub fn for_process() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(fresh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_kept_by_their_folder() {
        let (a, b) = (fresh(), fresh());
        assert!(valid(&a) && valid(&b) && a != b, "{a} {b}");
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let t = for_output(&out, None, "internal");
        assert!(valid(&t));
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join(TOKEN_FILE), format!("{t}\n")).unwrap();
        assert_eq!(for_output(&out, Some("internal"), "internal"), t);
        assert_ne!(
            for_output(&out, Some("internal"), "public"),
            t,
            "another mode, another token"
        );
        assert_ne!(for_output(&out, None, "internal"), t, "no build vouches for it");
        std::fs::write(out.join(TOKEN_FILE), "guessable").unwrap();
        assert_ne!(for_output(&out, Some("internal"), "internal"), "guessable");
    }
}
