//! `salesbook import customers FILE.csv`: a team's customer profile table (客户档案表) from
//! a spreadsheet, one page per row under `content/customers/`.
//!
//! Columns are found by their header: the front-matter field names (what
//! `exports/customers.csv` writes) or their usual Chinese names (客户名称, 阶段, 关系类型,
//! 负责人, 金额, 行业, 地区, 下次拜访 …), with a unit for amounts (`金额（万元）`). Stages,
//! tiers and levels may be ids or labels. The file may be UTF-8 (with or without a
//! byte-order mark) or GBK, as Excel saves it on a Chinese Windows, but not a mix.
//!
//! All or nothing: every row is read and each page it would make is run through the build's
//! own parsing and checks (front matter, slug, competitor references) before anything is
//! written, so an import never leaves half a table behind, and never writes a page that
//! `check` then refuses. An existing page is never overwritten, except with `--update`
//! (see `update`), which edits the fields of the sheet's columns in the pages its rows
//! match. Every problem names the file, the row (its line in the file) and the column.

mod cells;
mod edit;
mod rows;
mod update;

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::site::{ParsedDoc, fold_name};
pub use cells::decode;
use rows::{Columns, Page, Row, column_letter, columns};

/// Figures the export adds after the fields: worked out from the pages, so not read back.
const DERIVED: &[&str] = &[
    "weighted_value",
    "last_visit",
    "unpaid",
    "dso_days",
    "加权金额",
    "上次拜访",
    "未付",
    "应收账款回收期",
];

/// The longest file name (in bytes, before `.md`) an import makes: file systems allow 255,
/// and an editor's backup (`.name.md.swp`) and the output folder of the same name need room.
/// About 66 Chinese characters.
pub const MAX_SLUG_BYTES: usize = 200;

/// What an import did (or, with `--dry-run` or any problem, would do).
#[derive(Debug, Default)]
pub struct Report {
    /// Pages written (or, with `--dry-run`, to be written). Empty when there is a problem:
    /// then nothing is written.
    pub written: Vec<PathBuf>,
    /// Rows left alone because their page exists: "customers.csv, row 3: content/customers/x.md exists".
    pub skipped: Vec<String>,
    /// What is wrong with the file or its rows; any one of them means nothing is written.
    pub problems: Vec<String>,
    /// How many rows had a problem.
    pub bad_rows: usize,
    /// Headers that name no field.
    pub ignored_columns: Vec<String>,
    /// What `check` would warn about in the pages made (a customer with no stage).
    pub warnings: Vec<String>,
    /// With `--update`: each page changed (or to be), and what changes in it.
    pub updated: Vec<String>,
    /// With `--update`: the rows that match a page whose fields are as the sheet has them.
    pub unchanged: Vec<String>,
}

/// A page ready to be written, and where its fields are in its text.
pub(crate) struct Made {
    line: u64,
    path: PathBuf,
    rel_path: String,
    text: String,
    /// For each line of the front matter (from line 2), the field it belongs to.
    keys: Vec<Option<String>>,
    /// For a page that exists (`--update`): what changes in it.
    update: Option<String>,
}

impl Made {
    fn new(root: &Path, line: u64, slug: &str, page: &Page) -> Result<Made, String> {
        let yaml = serde_saphyr::to_string(page).map_err(|e| e.to_string())?;
        let mut keys = Vec::new();
        let mut key = None;
        for l in yaml.lines() {
            if let Some((k, _)) = l
                .split_once(':')
                .filter(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            {
                key = Some(k.to_owned());
            }
            keys.push(key.clone());
        }
        let rel_path = format!("content/customers/{slug}.md");
        Ok(Made {
            line,
            path: root.join(&rel_path),
            rel_path,
            text: format!("---\n{yaml}---\n\n## 基本情况\n\n## 下一步\n"),
            keys,
            update: None,
        })
    }

    /// The field a diagnostic of the build is about: by its line, else by the `field` its
    /// message names.
    fn field_of(&self, d: &Diagnostic) -> Option<String> {
        let by_line = d.line.checked_sub(2).and_then(|i| self.keys.get(i).cloned().flatten());
        by_line.or_else(|| d.message.split('`').nth(1).map(str::to_owned))
    }
}

/// The pages of the site as the build parses them (their own problems are `check`'s to report).
fn existing_docs(root: &Path, config: &SiteConfig) -> Vec<Arc<ParsedDoc>> {
    let (paths, _) = crate::load::find_sources(root);
    let (sources, _) = crate::load::read_sources(root, &paths);
    sources
        .into_par_iter()
        .filter(|src| !src.content_path.ends_with("_index"))
        .filter_map(|src| crate::site::parse_doc(&src, config, false).0.map(Arc::new))
        .collect()
}

/// Reads the table and, when no row has a problem, writes (unless `dry_run`) one page per
/// row whose page does not exist yet; with `update`, the rows that match a page change its
/// fields instead.
pub fn import_customers(root: &Path, file: &Path, dry_run: bool, update: bool) -> Result<Report, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let config = crate::build::load_config(root).map_err(|d| {
        d.first().map_or_else(
            || "salesbook.yaml has errors".to_owned(),
            |d| format!("salesbook.yaml: {}", d.message),
        )
    })?;
    let shown = file.display().to_string();
    let mut report = Report::default();
    let text = match decode(&bytes) {
        Ok(t) => t,
        Err(e) => {
            report.problems.push(format!("{shown}: {e}"));
            return Ok(report);
        }
    };
    let Some(table) = Table::read(&text, &shown, &mut report) else {
        return Ok(report);
    };
    report.ignored_columns = table.ignored_columns();
    let mut existing = existing_docs(root, &config);
    let mut made = Vec::new();
    let mut matched = HashSet::new();
    if update {
        let plan = update::plan(root, &table, &config, &shown, &existing, &mut report);
        existing.retain(|d| !plan.paths.contains(&d.rel_path));
        matched = plan.rows;
        made = plan.made;
    }
    made.extend(new_pages(
        root,
        &table,
        &config,
        &shown,
        &existing,
        &matched,
        &mut report,
    ));
    check_pages(&made, existing, &config, &table.columns, &shown, &mut report);
    if !report.problems.is_empty() {
        return Ok(report);
    }
    // The build's rule for links, applied before writing: never through `content/customers`
    // linked out of the site.
    if let Err(e) = crate::load::writable_folder(root, &root.join("content/customers")) {
        report.problems.push(e);
        return Ok(report);
    }
    report.written = made
        .iter()
        .filter(|m| m.update.is_none())
        .map(|m| m.path.clone())
        .collect();
    report.updated = made.iter().filter_map(|m| m.update.clone()).collect();
    if !dry_run {
        write_all(&made)?;
    }
    Ok(report)
}

/// The table as read: the fields its headers name, and its records with the lines they
/// start on.
struct Table {
    columns: Columns,
    records: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    /// Reads the header row and the records; `None` when the headers cannot be read or name
    /// no usable columns. A record that is not CSV is a problem of its row (in `report`).
    fn read(text: &str, shown: &str, report: &mut Report) -> Option<Table> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::Headers)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(str::to_owned).collect(),
            Err(e) => {
                report
                    .problems
                    .push(format!("{shown}: cannot read the header row: {e}"));
                return None;
            }
        };
        let columns = match columns(&headers, shown) {
            Ok(c) => c,
            Err(p) => {
                report.problems = p;
                return None;
            }
        };
        let mut records = Vec::new();
        let mut lines = Lines::new(text);
        for record in reader.records() {
            match record {
                Ok(r) => records.push((r.position().map_or(0, |p| lines.at(p.byte())), r)),
                Err(e) => {
                    let line = e.position().map_or(0, |p| lines.at(p.byte()));
                    report
                        .problems
                        .push(format!("{shown}, row {line}: cannot read it as CSV: {e}"));
                    report.bad_rows += 1;
                }
            }
        }
        Some(Table { columns, records })
    }

    /// The columns that name no field (the export's derived figures aside), and the columns
    /// without a header that hold something.
    fn ignored_columns(&self) -> Vec<String> {
        let mut ignored = Vec::new();
        for (i, h) in self.columns.headers.iter().enumerate() {
            if self.columns.fields[i].is_some() || DERIVED.contains(&h.as_str()) {
                continue;
            }
            if !h.is_empty() {
                ignored.push(h.clone());
            } else if self
                .records
                .iter()
                .any(|(_, r)| r.get(i).is_some_and(|c| !c.trim().is_empty()))
            {
                ignored.push(format!("column {} (no header)", column_letter(i)));
            }
        }
        ignored
    }
}

/// The pages the rows make, each checked on its own (its problems and the rows skipped go
/// to `report`): a row whose page exists is skipped, and one whose URL another page has is
/// a problem, unless an earlier row of this file made that page.
fn new_pages(
    root: &Path,
    table: &Table,
    config: &SiteConfig,
    shown: &str,
    existing: &[Arc<ParsedDoc>],
    matched: &HashSet<u64>,
    report: &mut Report,
) -> Vec<Made> {
    // Compared as the build compares them (`fold_name`): on the file systems of Windows and
    // macOS, `ABB.md` is `abb.md`, and on macOS `café.md` is the same file whether its `é`
    // is one character (NFC) or `e` and an accent (NFD).
    let taken_files: HashMap<String, &str> = existing
        .iter()
        .map(|d| (fold_name(&d.rel_path), d.rel_path.as_str()))
        .collect();
    let mut urls: HashMap<String, String> = existing
        .iter()
        .map(|d| (fold_name(&d.path), d.rel_path.clone()))
        .collect();
    let mut ours: HashSet<String> = HashSet::new();
    let mut made: Vec<Made> = Vec::new();
    for (line, record) in &table.records {
        if record.iter().all(|c| c.trim().is_empty()) || matched.contains(line) {
            continue;
        }
        let mut row = Row {
            line: *line,
            problems: Vec::new(),
            shown,
            columns: &table.columns,
            config,
        };
        let (page, given) = row.page(record);
        let slug = if page.title.trim().is_empty() {
            None
        } else {
            row.slug(&page.title, given)
        };
        let m = slug.map(|slug| Made::new(root, row.line, &slug, &page));
        if let Some(Err(e)) = &m {
            row.bad("title", format!("cannot write this row's page: {e}"));
        }
        if !row.problems.is_empty() {
            report.problems.append(&mut row.problems);
            report.bad_rows += 1;
            continue;
        }
        let Some(Ok(m)) = m else { continue };
        let place = row.place(None);
        let url = format!(
            "{}/index.html",
            m.rel_path.trim_start_matches("content/").trim_end_matches(".md")
        );
        if let Some(file) = taken_files.get(&fold_name(&m.rel_path)) {
            report.skipped.push(format!("{place}: {file} exists; not overwritten"));
        } else if m.path.exists() {
            report
                .skipped
                .push(format!("{place}: {} exists; not overwritten", m.rel_path));
        } else if let Some(other) = urls.get(&fold_name(&url)) {
            if ours.contains(other) {
                report.skipped.push(format!(
                    "{place}: {} comes from an earlier row of this file too; skipped",
                    m.rel_path
                ));
            } else {
                let column = if table.columns.of("slug").is_some() {
                    "slug"
                } else {
                    "title"
                };
                report.problems.push(format!(
                    "{}: {other} has the same URL as {} would; add a `slug` column with another name",
                    row.place(Some(column)),
                    m.rel_path
                ));
                report.bad_rows += 1;
            }
        } else {
            urls.insert(fold_name(&url), m.rel_path.clone());
            ours.insert(m.rel_path.clone());
            made.push(m);
        }
    }
    made
}

/// The line of the file a record starts on, as a spreadsheet or an editor counts them: the
/// CSV reader's own count is one short for every CRLF line break before the record (it
/// takes the `\r` as the end of the record, and the `\n` then as an empty line), and misses
/// lone `\r` breaks (old Mac files) altogether. Records come in order, so the count goes on
/// from the last one.
struct Lines<'a> {
    text: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The line of the record the reader places at `byte` (the line break that ended the
    /// record before it may come first: a record never starts with one).
    fn at(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
        while self.text.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            start += 1;
        }
        for i in self.at..start.max(self.at) {
            let b = self.text[i];
            if b == b'\n' || (b == b'\r' && self.text.get(i + 1) != Some(&b'\n')) {
                self.line += 1;
            }
        }
        self.at = self.at.max(start);
        self.line
    }
}

/// Runs the pages made through the build's own checks, as `check` would with them in the
/// site: front matter (values, dates, negative amounts …), and references to competitors.
/// Their errors are the rows' problems, at the column of the field; warnings are passed on.
fn check_pages(
    made: &[Made],
    existing: Vec<Arc<ParsedDoc>>,
    config: &SiteConfig,
    columns: &Columns,
    shown: &str,
    report: &mut Report,
) {
    let mut docs = existing;
    let mut diags: Vec<(usize, Diagnostic)> = Vec::new();
    for (i, m) in made.iter().enumerate() {
        let parsed = crate::load::source_from_bytes(m.rel_path.clone(), m.text.clone().into_bytes())
            .map(|src| crate::site::parse_doc(&src, config, false));
        match parsed {
            Ok((doc, d)) => {
                diags.extend(d.into_iter().map(|d| (i, d)));
                docs.extend(doc.map(Arc::new));
            }
            Err(d) => diags.push((i, d)),
        }
    }
    let (site, _) = crate::site::Site::new(docs, Vec::new(), |_| false, None);
    let (_, link_diags) = crate::links::resolve_cached(&site, &mut crate::links::LinkCache::default());
    let by_file: HashMap<&str, usize> = made.iter().enumerate().map(|(i, m)| (m.rel_path.as_str(), i)).collect();
    diags.extend(
        link_diags
            .into_iter()
            .filter_map(|d| Some((*by_file.get(d.file.as_str())?, d))),
    );
    let mut bad: HashSet<usize> = HashSet::new();
    for (i, d) in diags {
        let m = &made[i];
        let field = m.field_of(&d);
        let at = match field.as_deref().and_then(|f| columns.of(f)) {
            Some(c) => format!(
                "{shown}, row {}, column {} ({})",
                m.line,
                column_letter(c),
                columns.headers[c]
            ),
            None => format!("{shown}, row {}", m.line),
        };
        let help = d.help.as_deref().map(|h| format!("; {h}")).unwrap_or_default();
        let message = format!("{at}: {}{help}", d.message);
        if d.is_error() {
            report.problems.push(message);
            bad.insert(i);
        } else {
            report.warnings.push(message);
        }
    }
    report.bad_rows += bad.len();
}

/// Writes every page, none over an existing file but the pages updated; when one cannot be
/// written, the ones written before it are taken away again, so the site is as it was. An
/// updated page is written beside itself first and renamed over the page: it is never seen
/// half-written, and the new pages and every update's temporary file are written before the
/// first page is replaced.
fn write_all(made: &[Made]) -> Result<(), String> {
    let (updates, made): (Vec<&Made>, Vec<&Made>) = made.iter().partition(|m| m.update.is_some());
    let mut temps: Vec<(PathBuf, &Path)> = Vec::new();
    let staged = updates.iter().try_for_each(|m| {
        let name = m.path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        let temp = m.path.with_file_name(format!(".{name}.salesbook-tmp"));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .and_then(|mut f| {
                f.write_all(m.text.as_bytes())?;
                f.sync_all()
            });
        if written.is_ok() || temp.exists() {
            temps.push((temp.clone(), &m.path));
        }
        written.map_err(|e| format!("cannot write {}: {e}", temp.display()))
    });
    let result = staged.and_then(|()| write_new(&made));
    if result.is_err() {
        for (temp, _) in &temps {
            let _ = std::fs::remove_file(temp);
        }
        return result;
    }
    for (temp, path) in temps {
        std::fs::rename(&temp, path).map_err(|e| format!("cannot replace {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Writes the new pages, none over an existing file (see [`write_all`]).
fn write_new(made: &[&Made]) -> Result<(), String> {
    let mut done: Vec<&Path> = Vec::new();
    let result = made.iter().try_for_each(|m| {
        if let Some(dir) = m.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&m.path)
            .map_err(|e| format!("cannot write {}: {e}", m.path.display()))?;
        done.push(&m.path);
        f.write_all(m.text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", m.path.display()))
    });
    if result.is_err() {
        for p in done {
            let _ = std::fs::remove_file(p);
        }
    }
    result
}
