//! salesbook: a static-site generator for B2B sales teams.
//!
//! ```text
//! source files ─load─▶ SourceFile ─parse─▶ ParsedDoc ─resolve─▶ Site + LinkGraph
//!              ─index─▶ generated pages (funnel, tiers, …) as data
//!              ─render─▶ Output (url → bytes) ─write─▶ disk (skip unchanged) or memory (serve)
//! diagnostics accumulate along the way; the command decides what they mean
//! ```
//!
//! `load` reads `content/`, `parse` splits and types front matter and scans markdown,
//! `site` indexes pages, `links` resolves links and backlinks, `sales` computes the
//! domain figures, `render` turns views into HTML through the theme, `write` puts the
//! result on disk. `build::Builder` runs them in order for `build`, `check` and `serve`.

// Diagnostics are this crate's error channel: returned on cold paths, never in hot loops.
#![allow(clippy::result_large_err)]

pub mod build;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod export;
pub mod import;
pub mod links;
pub mod load;
pub mod model;
pub mod new;
pub mod parse;
pub mod platform;
pub mod render;
pub mod sales;
pub mod search;
pub mod serve;
pub mod site;
pub mod write;
