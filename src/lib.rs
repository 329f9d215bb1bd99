//! salesbook: a static-site generator for B2B sales teams.
//!
//! ```text
//! source files ─load─▶ SourceFile ─parse─▶ ParsedDoc ─site─▶ Site ─links─▶ LinkGraph
//!              ─sales─▶ figures ══▶ Facts (site, graph, config, labels, today, figures)
//!              ─plan─▶ routes (path, job, template) ─incremental─▶ stale routes
//!              ─search─▶ index files  ─export─▶ exports  ─render─▶ pages, generated pages
//!              ─write─▶ disk (skip unchanged) or memory (serve)
//! diagnostics accumulate along the way; the command decides what they mean
//! ```
//!
//! `load` reads `content/`, `parse` splits and types front matter and scans markdown,
//! `site` indexes pages, `links` resolves links and backlinks, `sales` computes the
//! domain figures. `facts` holds what they found, unchanged from then on: everything below
//! reads it. `plan` decides every URL (the route table), `incremental` what must be made
//! again, `search` and `export` make their files from the facts, `render` turns views into
//! HTML through the theme, `output` carries the files and `write` puts them on disk.
//! `build::Builder` runs the stages in order for `build`, `check` and `serve`;
//! `telemetry` reports where the time went (`SALESBOOK_TIMINGS=1`). `body` decides what a
//! build keeps of the page bodies (HTML segments, text, search terms), and `hasher` is the
//! one hasher of every fingerprint.

// Diagnostics are this crate's error channel: returned on cold paths, never in hot loops.
#![allow(clippy::result_large_err)]

pub mod body;
pub mod build;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod export;
pub mod facts;
pub mod format;
pub mod hasher;
pub mod history;
pub mod import;
pub mod incremental;
pub mod init;
pub mod links;
pub mod load;
pub mod lsp;
pub mod model;
pub mod new;
pub mod output;
pub mod parse;
pub mod period;
pub mod plan;
pub mod platform;
pub mod render;
pub mod sales;
pub mod schema;
pub mod search;
pub mod serve;
pub mod site;
pub mod telemetry;
pub mod text;
pub mod words;
pub mod write;
pub mod yaml;
