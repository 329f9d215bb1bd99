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
//! `check` then refuses. An existing page is never overwritten. Every problem names the
//! file, the row (its line in the file) and the column.

mod cells;

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, closest};
use crate::model::{Level, Role, Style, Tier, slugify};
use crate::render::format::Labels;
use crate::site::ParsedDoc;
pub use cells::decode;
use cells::{
    field_of, in_yuan, list, multiple_of, parse_amount, parse_date, parse_probability, unescape, unneutralise,
};

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
}

/// A customer's front matter as the import writes it (fields in the usual order).
#[derive(Debug, Default, Serialize, PartialEq)]
struct Page {
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    industry: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    probability: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_close: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_visit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    potential: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    share: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    competitors: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contacts: Vec<ContactPage>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<String>,
}

/// An amount written as a whole number when it is one (`1200000`, not `1200000.0`).
#[derive(Debug, PartialEq)]
struct Amount(f64);

impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() < 1e15 {
            s.serialize_i64(self.0 as i64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

#[derive(Debug, Default, Serialize, PartialEq)]
struct ContactPage {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    style: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    relationship: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
}

/// An id of `ids`, given as the id or as one of its labels (`tier_partner: 伙伴关系`; a label
/// can be shortened to its start: 伙伴).
fn id_of(cell: &str, ids: &[&'static str], prefix: &str, labels: &[Labels]) -> Option<&'static str> {
    let lower = cell.to_lowercase();
    ids.iter().copied().find(|id| {
        *id == lower
            || labels.iter().any(|l| {
                let label = l.get(&format!("{prefix}_{}", id.replace('-', "_")));
                label == cell || (cell.chars().count() >= 2 && label.starts_with(cell))
            })
    })
}

/// The table's columns: the field each names, and the unit of the amount column.
struct Columns {
    headers: Vec<String>,
    fields: Vec<Option<&'static str>>,
    /// Yuan per unit of the `value` column (`金额（万元）`: 10,000).
    value_multiple: f64,
}

impl Columns {
    fn of(&self, field: &str) -> Option<usize> {
        self.fields.iter().position(|f| *f == Some(field))
    }
}

/// A spreadsheet's name for column `i` (0: A, 26: AA).
fn column_letter(i: usize) -> String {
    let mut n = i + 1;
    let mut out = Vec::new();
    while n > 0 {
        out.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The columns of the header row, or what is wrong with them.
fn columns(headers: &[String], shown: &str) -> Result<Columns, Vec<String>> {
    let mut problems = Vec::new();
    let mut fields = Vec::new();
    let mut value_multiple = 1.0;
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let found = field_of(h);
        let at = format!("{shown}, column {} ({h})", column_letter(i));
        if let Some((field, unit)) = &found {
            if let Some(j) = first.insert(field, i) {
                problems.push(format!(
                    "{at}: column {} ({}) names `{field}` too; keep one of them",
                    column_letter(j),
                    headers[j]
                ));
            }
            if *field == "value" {
                match unit.as_deref().map(multiple_of) {
                    None => {}
                    Some(Some(m)) => value_multiple = m,
                    Some(None) => problems.push(format!(
                        "{at}: the unit \"{}\" is not an amount of yuan; write the header as 金额（元）, \
                         金额（千元）, 金额（万元）, 金额（百万元） or 金额（亿元）",
                        unit.as_deref().unwrap_or_default()
                    )),
                }
            }
        }
        fields.push(found.map(|(f, _)| f));
    }
    if !fields.contains(&Some("title")) {
        problems.push(format!(
            "{shown}: no column names the customer: add a header `title` or `客户名称`"
        ));
    }
    if problems.is_empty() {
        Ok(Columns {
            headers: headers.to_vec(),
            fields,
            value_multiple,
        })
    } else {
        Err(problems)
    }
}

struct Row<'a> {
    /// The line of the file the row starts on (the header is line 1).
    line: u64,
    problems: Vec<String>,
    shown: &'a str,
    columns: &'a Columns,
    config: &'a SiteConfig,
    labels: &'a [Labels],
}

impl Row<'_> {
    /// "customers.csv, row 5, column H (金额)", or without the column when none is known.
    fn place(&self, field: Option<&str>) -> String {
        match field.and_then(|f| self.columns.of(f)) {
            Some(i) => format!(
                "{}, row {}, column {} ({})",
                self.shown,
                self.line,
                column_letter(i),
                self.columns.headers[i]
            ),
            None => format!("{}, row {}", self.shown, self.line),
        }
    }

    fn bad(&mut self, field: &str, what: String) {
        let place = self.place(Some(field));
        self.problems.push(format!("{place}: {what}"));
    }

    fn enum_field(
        &mut self,
        column: &str,
        field: &str,
        cell: &str,
        ids: &[&'static str],
        prefix: &str,
    ) -> Option<String> {
        match id_of(cell, ids, prefix, self.labels) {
            Some(id) => Some(id.to_owned()),
            None => {
                let hint = match closest(cell, ids.iter().copied()) {
                    Some(c) => format!("did you mean \"{c}\"?"),
                    None => format!("one of: {}", ids.join(", ")),
                };
                self.bad(column, format!("unknown {field} \"{cell}\"; {hint}"));
                None
            }
        }
    }

    fn stage(&mut self, cell: &str) -> Option<String> {
        let lower = cell.to_lowercase();
        let found = self.config.stages.iter().find(|s| {
            s.id == lower || s.label == cell || s.label_en.as_deref().is_some_and(|l| l.to_lowercase() == lower)
        });
        match found {
            Some(s) => Some(s.id.clone()),
            None => {
                let names = self
                    .config
                    .stages
                    .iter()
                    .flat_map(|s| [s.id.as_str(), s.label.as_str()]);
                let hint = closest(cell, names).map_or_else(String::new, |c| format!("; did you mean \"{c}\"?"));
                self.bad("stage", format!("unknown stage \"{cell}\"{hint}"));
                None
            }
        }
    }

    fn contact(&mut self, item: &str) -> Option<ContactPage> {
        let parts: Vec<String> = cells::split_unescaped(item, &['|']).into_iter().map(unescape).collect();
        let part = |i: usize| parts.get(i).filter(|s| !s.is_empty()).cloned();
        let Some(name) = part(0) else {
            self.bad(
                "contacts",
                format!("contact \"{item}\" has no name (write name|title|role|…)"),
            );
            return None;
        };
        if parts.len() > 7 {
            self.bad(
                "contacts",
                format!(
                    "contact \"{item}\" has {} parts, more than name|title|role|style|phone|relationship|notes; \
                     write `\\|` for a `|` inside a part",
                    parts.len()
                ),
            );
            return None;
        }
        let role = match part(2) {
            Some(r) => Some(self.enum_field("contacts", "contact role", &r, Role::IDS, "role")?),
            None => None,
        };
        let style = match part(3) {
            Some(s) => Some(self.enum_field("contacts", "contact style", &s, Style::IDS, "style")?),
            None => None,
        };
        Some(ContactPage {
            name,
            title: part(1),
            role,
            style,
            phone: part(4),
            relationship: part(5),
            notes: part(6),
        })
    }

    /// The page a row makes, with the problems of its cells recorded.
    fn page(&mut self, record: &csv::StringRecord) -> (Page, Option<String>) {
        let mut page = Page::default();
        let mut slug = None;
        for (raw, field) in record.iter().zip(&self.columns.fields) {
            let Some(field) = *field else { continue };
            // Text is taken as written (the export's cells read back exactly); other values
            // are trimmed.
            let text = unneutralise(raw);
            let cell = text.trim();
            if cell.is_empty() {
                continue;
            }
            match field {
                "title" => page.title = text.to_owned(),
                "slug" => slug = Some(cell.to_owned()),
                "stage" => page.stage = self.stage(cell),
                "tier" => page.tier = self.enum_field("tier", "tier", cell, Tier::IDS, "tier"),
                "owner" => page.owner = Some(text.to_owned()),
                "industry" => page.industry = Some(text.to_owned()),
                "region" => page.region = Some(text.to_owned()),
                "value" => match parse_amount(cell) {
                    Some((v, multiple)) => {
                        page.value = Some(Amount(in_yuan(v, multiple.unwrap_or(self.columns.value_multiple))))
                    }
                    None => self.bad(
                        field,
                        format!("\"{cell}\" is not an amount (write 1200000, 120万 or 1.2亿)"),
                    ),
                },
                "probability" => match parse_probability(cell) {
                    Some(p) => page.probability = Some(p),
                    None => self.bad(
                        field,
                        format!("probability \"{cell}\" is not between 0 and 1 (or 0% and 100%)"),
                    ),
                },
                "expected_close" | "next_visit" | "updated" => match parse_date(cell) {
                    Some(d) => {
                        let d = Some(d.format("%Y-%m-%d").to_string());
                        match field {
                            "expected_close" => page.expected_close = d,
                            "next_visit" => page.next_visit = d,
                            _ => page.updated = d,
                        }
                    }
                    None => self.bad(field, format!("\"{cell}\" is not a date (write 2026-11-28)")),
                },
                "potential" => page.potential = self.enum_field(field, "potential", cell, Level::IDS, "level"),
                "share" => page.share = self.enum_field(field, "share", cell, Level::IDS, "level"),
                "competitors" => page.competitors = list(text),
                "tags" => page.tags = list(text),
                "contacts" => {
                    page.contacts = cells::split_unescaped(text, &[';', '；'])
                        .into_iter()
                        .filter(|item| !item.trim().is_empty())
                        .filter_map(|item| self.contact(item))
                        .collect()
                }
                _ => {}
            }
        }
        if page.title.trim().is_empty() {
            self.bad(
                "title",
                "no customer name (the `title` / `客户名称` cell is empty)".to_owned(),
            );
        }
        (page, slug)
    }

    /// The file name a row's page gets (without `.md`): its `slug` cell, or one made from the
    /// title. Checked here, because the build takes a file's name as it is.
    fn slug(&mut self, title: &str, given: Option<String>) -> Option<String> {
        let column = if given.is_some() { "slug" } else { "title" };
        let slug = given.unwrap_or_else(|| slugify(title));
        let windows = [
            "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "LPT1", "LPT2", "LPT3",
        ];
        let problem = if slug.is_empty() {
            Some(format!(
                "cannot make a file name from \"{title}\"; add a `slug` column with one"
            ))
        } else if slug.len() > MAX_SLUG_BYTES {
            Some(format!(
                "the file name would be {} bytes long, over the limit of {MAX_SLUG_BYTES} (about 66 Chinese \
                 characters); add a `slug` column with a shorter name for this customer",
                slug.len()
            ))
        } else if slug.contains(['/', '\\', '?', '#', '"', '<', '>', ':', '*', '|'])
            || slug.chars().any(char::is_control)
            || slug.starts_with('.')
            || slug.ends_with(['.', ' '])
            || crate::load::is_ignored_name(&format!("{slug}.md"))
            || windows.contains(&slug.to_uppercase().as_str())
        {
            Some(format!(
                "\"{slug}\" cannot be a file name; use letters, digits, CJK characters and `-` (no `/`, `\\`, `.` at the start, `?`, `#`, `:` or quotes)"
            ))
        } else {
            None
        };
        match problem {
            Some(p) => {
                self.bad(column, p);
                None
            }
            None => Some(slug),
        }
    }
}

/// A page ready to be written, and where its fields are in its text.
struct Made {
    line: u64,
    path: PathBuf,
    rel_path: String,
    text: String,
    /// For each line of the front matter (from line 2), the field it belongs to.
    keys: Vec<Option<String>>,
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
/// row whose page does not exist yet.
pub fn import_customers(root: &Path, file: &Path, dry_run: bool) -> Result<Report, String> {
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
    let labels = crate::render::theme::default_labels();
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
            return Ok(report);
        }
    };
    let columns = match columns(&headers, &shown) {
        Ok(c) => c,
        Err(p) => {
            report.problems = p;
            return Ok(report);
        }
    };
    let mut records = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => records.push(r),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                report
                    .problems
                    .push(format!("{shown}, row {line}: cannot read it as CSV: {e}"));
                report.bad_rows += 1;
            }
        }
    }
    for (i, h) in headers.iter().enumerate() {
        if columns.fields[i].is_some() || DERIVED.contains(&h.as_str()) {
            continue;
        }
        if !h.is_empty() {
            report.ignored_columns.push(h.clone());
        } else if records.iter().any(|r| r.get(i).is_some_and(|c| !c.trim().is_empty())) {
            report
                .ignored_columns
                .push(format!("column {} (no header)", column_letter(i)));
        }
    }
    let existing = existing_docs(root, &config);
    // Compared without case: on the file systems of Windows and macOS, `ABB.md` is `abb.md`.
    let taken_files: HashSet<String> = existing.iter().map(|d| d.rel_path.to_lowercase()).collect();
    let mut urls: HashMap<String, String> = existing
        .iter()
        .map(|d| (d.path.to_lowercase(), d.rel_path.clone()))
        .collect();
    let mut ours: HashSet<String> = HashSet::new();
    let mut made: Vec<Made> = Vec::new();
    for record in &records {
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut row = Row {
            line: record.position().map_or(0, |p| p.line()),
            problems: Vec::new(),
            shown: &shown,
            columns: &columns,
            config: &config,
            labels: &labels,
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
        if taken_files.contains(&m.rel_path.to_lowercase()) || m.path.exists() {
            report
                .skipped
                .push(format!("{place}: {} exists; not overwritten", m.rel_path));
        } else if let Some(other) = urls.get(&url.to_lowercase()) {
            if ours.contains(other) {
                report.skipped.push(format!(
                    "{place}: {} comes from an earlier row of this file too; skipped",
                    m.rel_path
                ));
            } else {
                let column = if columns.of("slug").is_some() { "slug" } else { "title" };
                report.problems.push(format!(
                    "{}: {other} has the same URL as {} would; add a `slug` column with another name",
                    row.place(Some(column)),
                    m.rel_path
                ));
                report.bad_rows += 1;
            }
        } else {
            urls.insert(url.to_lowercase(), m.rel_path.clone());
            ours.insert(m.rel_path.clone());
            made.push(m);
        }
    }
    check_pages(&made, existing, &config, &columns, &shown, &mut report);
    if !report.problems.is_empty() {
        return Ok(report);
    }
    report.written = made.iter().map(|m| m.path.clone()).collect();
    if !dry_run {
        write_all(&made)?;
    }
    Ok(report)
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

/// Writes every page, none over an existing file; when one cannot be written, the ones
/// written before it are taken away again, so the site is as it was.
fn write_all(made: &[Made]) -> Result<(), String> {
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
