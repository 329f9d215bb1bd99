//! The command line: options only, no logic.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "salesbook",
    version,
    about = "A static-site generator for B2B sales teams: customers, competitors, playbooks, funnel and relationship tiers"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (public/ by default)
    Build {
        /// The site folder (holding content/ and salesbook.yaml)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The output folder (default: <root>/public)
        #[arg(long)]
        out: Option<PathBuf>,
        /// Leave out confidential pages (for sharing outside the company)
        #[arg(long)]
        public: bool,
        /// Include pages marked `draft: true`
        #[arg(long)]
        drafts: bool,
        /// Pin "today" (YYYY-MM-DD) for overdue and relative dates
        #[arg(long)]
        today: Option<String>,
    },
    /// Check the site and report every problem, without writing anything
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        #[arg(long)]
        today: Option<String>,
        /// Check as a --public build would see the site
        #[arg(long)]
        public: bool,
        #[arg(long)]
        drafts: bool,
    },
    /// Serve the site with live reload: every save rebuilds and reloads open tabs
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The address to listen on; anything but 127.0.0.1 exposes customer data on the network
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// The port (0 picks a free one)
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Open the site in the default browser
        #[arg(long)]
        open: bool,
        /// Include pages marked `draft: true`
        #[arg(long)]
        drafts: bool,
    },
    /// A language server over stdio for editors: diagnostics as you type, completion,
    /// go to definition (the site is the editor's workspace folder)
    Lsp,
    /// Import pages from a spreadsheet (CSV, UTF-8 or GBK): `import customers 客户档案.csv`
    Import {
        #[arg(value_enum)]
        what: ImportWhat,
        /// The CSV file; columns are found by header (`title` or `客户名称`, `stage` or `阶段` …)
        file: PathBuf,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Report what would be written, write nothing
        #[arg(long)]
        dry_run: bool,
        /// Update the existing pages the rows match (by slug, then title, then alias):
        /// only the fields of the sheet's columns change
        #[arg(long)]
        update: bool,
    },
    /// Start a new site: config, a starter playbook, an example customer and competitor,
    /// .gitignore and a CI workflow that runs `salesbook check`
    Init {
        /// The folder to create the site in (created when missing; must be empty unless --force)
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The starter's language
        #[arg(long, value_enum, default_value_t = InitLang::Zh)]
        lang: InitLang,
        /// Add the starter to a folder that is not empty; existing files are kept, never overwritten
        #[arg(long)]
        force: bool,
        /// Do not make the new site a git repository (its history) with a first commit
        #[arg(long)]
        no_git: bool,
    },
    /// Create a new page from a template
    New {
        #[arg(value_enum)]
        kind: NewKind,
        /// The page title (the file name is made from it)
        title: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// A customer's relationship tier (an id or a Chinese name: partner, 伙伴关系); left
        /// out when not given, as a new customer has bought nothing yet
        #[arg(long)]
        tier: Option<String>,
    },
    /// Write JSON Schemas for each page kind's front matter and for salesbook.yaml (see docs/editors.md)
    Schema {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The folder to write them to (default: <root>/schemas)
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// The starter's language (`init --lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitLang {
    /// Chinese (`language: zh-CN`)
    Zh,
    /// English (`language: en`)
    En,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportWhat {
    /// One customer page per row, under content/customers/
    Customers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NewKind {
    Customer,
    Competitor,
    VisitScript,
    Spin,
    Fab,
    Guide,
}
