//! Parsing one source file: front matter (typed, spanned) and the markdown body.

pub mod front_matter;
pub mod markdown;
/// The YAML reader, below `config` too (which reads the places of its stages with it).
pub use crate::yaml;
