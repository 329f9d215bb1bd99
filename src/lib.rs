//! salesbook: a static-site generator for B2B sales teams.
//!
//! ```text
//! source files ─load─▶ SourceFile ─parse─▶ ParsedDoc ─resolve─▶ Site + LinkGraph
//!              ─index─▶ generated pages (funnel, tiers, …) as data
//!              ─render─▶ Output (url → bytes) ─write─▶ disk (skip unchanged) or memory (serve)
//! diagnostics accumulate along the way; the command decides what they mean
//! ```

pub mod diagnostics;
pub mod model;
pub mod parse;
pub mod config;
pub mod load;
pub mod links;
pub mod sales;
pub mod site;
