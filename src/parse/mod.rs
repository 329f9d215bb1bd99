//! Parsing one source file: front matter (typed, spanned) and the markdown body.

pub mod front_matter;
pub mod markdown;
pub mod yaml;
