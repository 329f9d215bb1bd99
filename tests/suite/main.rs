//! The integration suite: fixture sites built in temporary folders, asserting on the files
//! they produce and on the diagnostics they report.

mod board;
mod brief;
mod builder;
mod cli;
mod commonmark;
mod daily;
mod diagnostics;
mod example;
mod exports;
mod fuzz;
mod helper;
mod history;
mod hostile;
mod import;
mod incremental;
mod init;
mod insight;
mod limits;
mod lsp;
mod output;
mod progress;
mod sales;
mod schema;
mod search;
mod serve;
mod telemetry;
mod words;
