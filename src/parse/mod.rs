//! Parsing one source file: front matter (typed, spanned) and the markdown body.

pub mod front_matter;
pub mod markdown;
/// The YAML reader, below `config` too (which reads the places of its stages with it).
pub use crate::yaml;

/// What every file's parse depends on besides the file: the stages of the config (stage ids)
/// and `--public` (`private:` fields).
pub fn stamp(config: &crate::config::SiteConfig, public: bool) -> u64 {
    crate::hasher::hash_of((&config.stages, public))
}
