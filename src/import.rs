//! `salesbook import customers FILE.csv`: a team's customer profile table (客户档案表) from
//! a spreadsheet, one page per row under `content/customers/`.
//!
//! Columns are found by their header: the front-matter field names (what
//! `exports/customers.csv` writes) or their usual Chinese names (客户名称, 阶段, 关系类型,
//! 负责人, 金额, 行业, 地区, 下次拜访 …). Stages, tiers and levels may be ids or labels.
//! The file may be UTF-8 (with or without a byte-order mark) or GBK, as Excel saves it on a
//! Chinese Windows. An existing page is never overwritten; every row that cannot be taken
//! is reported with its row number and why, and the other rows are still imported.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::SiteConfig;
use crate::diagnostics::closest;
use crate::model::{Level, Role, Style, Tier, slugify};
use crate::render::format::Labels;

/// Each field, with the headers that name it.
const FIELDS: &[(&str, &[&str])] = &[
    (
        "title",
        &[
            "title",
            "name",
            "客户名称",
            "客户",
            "名称",
            "公司名称",
            "公司",
            "客户全称",
        ],
    ),
    ("slug", &["slug"]),
    ("stage", &["stage", "阶段", "销售阶段", "客户阶段"]),
    ("tier", &["tier", "关系类型", "客户关系", "关系", "关系层级"]),
    ("owner", &["owner", "负责人", "销售", "业务员", "客户经理", "销售代表"]),
    ("industry", &["industry", "行业", "所属行业"]),
    ("region", &["region", "地区", "区域", "省份", "城市"]),
    ("value", &["value", "金额", "预计金额", "商机金额", "项目金额", "预算"]),
    ("probability", &["probability", "概率", "成交概率", "赢单率"]),
    (
        "expected_close",
        &["expected_close", "预计成交", "预计成交日期", "预计签约日期"],
    ),
    (
        "next_visit",
        &["next_visit", "下次拜访", "下次拜访日期", "下次拜访时间"],
    ),
    ("potential", &["potential", "采购潜力", "潜力"]),
    ("share", &["share", "客户份额", "份额", "我方份额"]),
    ("competitors", &["competitors", "竞争对手", "对手"]),
    ("contacts", &["contacts", "联系人"]),
    ("tags", &["tags", "标签"]),
    ("updated", &["updated", "更新", "更新日期", "最后更新"]),
];

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

/// What an import did (or, with `--dry-run`, would do).
#[derive(Debug, Default)]
pub struct Report {
    /// Pages written (or to be written).
    pub written: Vec<PathBuf>,
    /// Rows left alone because their page exists: "row 3: content/customers/x.md exists".
    pub skipped: Vec<String>,
    /// What is wrong with the rows that could not be taken: "row 5: unknown stage \"报介\" …".
    pub problems: Vec<String>,
    /// How many rows could not be taken.
    pub bad_rows: usize,
    /// Headers that name no field.
    pub ignored_columns: Vec<String>,
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

/// The file's text: UTF-8 (a byte-order mark is dropped) or GBK.
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8(rest.to_vec()).map_err(|_| "the file starts as UTF-8 but is not UTF-8 text".into());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    encoding_rs::GBK
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| t.into_owned())
        .ok_or_else(|| "the file is neither UTF-8 nor GBK text: save it from the spreadsheet as CSV (UTF-8)".into())
}

/// A header as written (`金额（元）`, ` Stage `) to the field it names.
fn field_of(header: &str) -> Option<&'static str> {
    let mut h = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    if let Some(i) = h.find(['(', '（']) {
        h.truncate(i);
    }
    let h = h.trim().replace(' ', "_");
    FIELDS
        .iter()
        .find(|(_, names)| names.contains(&h.as_str()))
        .map(|(field, _)| *field)
}

/// A cell the export neutralised (`'=…`) back to what was written.
fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

fn parse_money(cell: &str) -> Option<f64> {
    let mut s: String = cell
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '¥' | '￥' | '$' | '元'))
        .collect();
    let mut factor = 1.0;
    if let Some(rest) = s.strip_suffix('万') {
        factor = 1e4;
        s = rest.to_owned();
    } else if let Some(rest) = s.strip_suffix('亿') {
        factor = 1e8;
        s = rest.to_owned();
    }
    let v: f64 = s.parse().ok()?;
    v.is_finite().then_some(v * factor)
}

fn parse_probability(cell: &str) -> Option<f64> {
    let (s, percent) = match cell.strip_suffix(['%', '％']) {
        Some(s) => (s.trim(), true),
        None => (cell, false),
    };
    let v: f64 = s.parse().ok()?;
    let v = if percent || v > 1.0 { v / 100.0 } else { v };
    (0.0..=1.0).contains(&v).then_some(v)
}

fn parse_date(cell: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(cell, f).ok())
}

fn list(cell: &str) -> Vec<String> {
    cell.split([';', '；', ',', '，', '、'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
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

struct Row<'a> {
    n: usize,
    problems: Vec<String>,
    config: &'a SiteConfig,
    labels: &'a [Labels],
}

impl Row<'_> {
    fn bad(&mut self, what: String) {
        self.problems.push(format!("row {}: {what}", self.n));
    }

    fn enum_field(&mut self, field: &str, cell: &str, ids: &[&'static str], prefix: &str) -> Option<String> {
        match id_of(cell, ids, prefix, self.labels) {
            Some(id) => Some(id.to_owned()),
            None => {
                let hint = match closest(cell, ids.iter().copied()) {
                    Some(c) => format!("did you mean \"{c}\"?"),
                    None => format!("one of: {}", ids.join(", ")),
                };
                self.bad(format!("unknown {field} \"{cell}\"; {hint}"));
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
                self.bad(format!("unknown stage \"{cell}\"{hint}"));
                None
            }
        }
    }

    fn contact(&mut self, item: &str) -> Option<ContactPage> {
        let parts: Vec<&str> = item.split('|').map(str::trim).collect();
        let part = |i: usize| parts.get(i).filter(|s| !s.is_empty()).map(|s| (*s).to_owned());
        let name = part(0)?;
        let role = match part(2) {
            Some(r) => Some(self.enum_field("contact role", &r, Role::IDS, "role")?),
            None => None,
        };
        let style = match part(3) {
            Some(s) => Some(self.enum_field("contact style", &s, Style::IDS, "style")?),
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
}

/// Reads the table and writes (unless `dry_run`) one page per good row.
pub fn import_customers(root: &Path, file: &Path, dry_run: bool) -> Result<Report, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let text = decode(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
    let config = crate::build::load_config(root).map_err(|d| {
        d.first().map_or_else(
            || "salesbook.yaml has errors".to_owned(),
            |d| format!("salesbook.yaml: {}", d.message),
        )
    })?;
    let labels = crate::render::theme::default_labels();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{}: cannot read the header row: {e}", file.display()))?
        .iter()
        .map(str::to_owned)
        .collect();
    let columns: Vec<Option<&str>> = headers.iter().map(|h| field_of(h)).collect();
    let mut report = Report {
        ignored_columns: headers
            .iter()
            .zip(&columns)
            .filter(|(h, c)| c.is_none() && !h.trim().is_empty() && !DERIVED.contains(&h.trim()))
            .map(|(h, _)| h.clone())
            .collect(),
        ..Report::default()
    };
    if !columns.contains(&Some("title")) {
        return Err(format!(
            "{}: no column names the customer: add a header `title` or `客户名称`",
            file.display()
        ));
    }
    let folder = root.join("content").join("customers");
    let mut taken: HashSet<String> = HashSet::new();
    for (i, record) in reader.records().enumerate() {
        // Spreadsheet rows: the header is row 1.
        let n = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                report.problems.push(format!("row {n}: cannot read it as CSV: {e}"));
                report.bad_rows += 1;
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut row = Row {
            n,
            problems: Vec::new(),
            config: &config,
            labels: &labels,
        };
        let mut page = Page::default();
        let mut slug = None;
        for (cell, column) in record.iter().zip(&columns) {
            let (Some(field), cell) = (column, unneutralise(cell.trim())) else {
                continue;
            };
            if cell.is_empty() {
                continue;
            }
            let text = || Some(cell.to_owned());
            match *field {
                "title" => page.title = cell.to_owned(),
                "slug" => slug = text(),
                "stage" => page.stage = row.stage(cell),
                "tier" => page.tier = row.enum_field("tier", cell, Tier::IDS, "tier"),
                "owner" => page.owner = text(),
                "industry" => page.industry = text(),
                "region" => page.region = text(),
                "value" => match parse_money(cell) {
                    Some(v) => page.value = Some(Amount(v)),
                    None => row.bad(format!("value \"{cell}\" is not an amount (write 1200000 or 120万)")),
                },
                "probability" => match parse_probability(cell) {
                    Some(p) => page.probability = Some(p),
                    None => row.bad(format!(
                        "probability \"{cell}\" is not between 0 and 1 (or 0% and 100%)"
                    )),
                },
                "expected_close" | "next_visit" | "updated" => match parse_date(cell) {
                    Some(d) => {
                        let d = Some(d.format("%Y-%m-%d").to_string());
                        match *field {
                            "expected_close" => page.expected_close = d,
                            "next_visit" => page.next_visit = d,
                            _ => page.updated = d,
                        }
                    }
                    None => row.bad(format!("{field} \"{cell}\" is not a date (write 2026-11-28)")),
                },
                "potential" => page.potential = row.enum_field("potential", cell, Level::IDS, "level"),
                "share" => page.share = row.enum_field("share", cell, Level::IDS, "level"),
                "competitors" => page.competitors = list(cell),
                "tags" => page.tags = list(cell),
                "contacts" => {
                    page.contacts = cell
                        .split([';', '；'])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .filter_map(|item| row.contact(item))
                        .collect()
                }
                _ => {}
            }
        }
        if page.title.is_empty() {
            row.bad("no customer name (the `title` / `客户名称` cell is empty)".to_owned());
        }
        let slug = slug.unwrap_or_else(|| slugify(&page.title));
        // The slug names the file written: checked like every id that becomes a path.
        if !page.title.is_empty() && (slug.starts_with('.') || crate::model::PathSegment::new(&slug).is_err()) {
            row.bad(format!("cannot make a file name from \"{}\"", page.title));
        }
        if !row.problems.is_empty() {
            report.problems.append(&mut row.problems);
            report.bad_rows += 1;
            continue;
        }
        let path = folder.join(format!("{slug}.md"));
        let shown = crate::load::rel(root, &path);
        if path.exists() {
            report.skipped.push(format!("row {n}: {shown} exists; not overwritten"));
            continue;
        }
        if !taken.insert(slug.clone()) {
            report.skipped.push(format!(
                "row {n}: {shown} comes from an earlier row of this file too; skipped"
            ));
            continue;
        }
        if !dry_run {
            let yaml = serde_saphyr::to_string(&page).map_err(|e| format!("row {n}: {e}"))?;
            let text = format!("---\n{yaml}---\n\n## 基本情况\n\n## 下一步\n");
            std::fs::create_dir_all(&folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
            std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        report.written.push(path);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_amounts_dates_and_labels() {
        assert_eq!(field_of("客户名称"), Some("title"));
        assert_eq!(field_of(" 金额（元） "), Some("value"));
        assert_eq!(field_of("Next Visit"), Some("next_visit"));
        assert_eq!(field_of("备注"), None);
        assert_eq!(parse_money("¥1,200,000"), Some(1_200_000.0));
        assert_eq!(parse_money("120万"), Some(1_200_000.0));
        assert_eq!(parse_money("很多"), None);
        assert_eq!(parse_probability("35%"), Some(0.35));
        assert_eq!(parse_probability("0.6"), Some(0.6));
        assert_eq!(parse_probability("150%"), None);
        assert_eq!(parse_date("2026/11/28"), parse_date("2026-11-28"));
        assert_eq!(parse_date("2026年11月28日"), parse_date("2026-11-28"));
        assert_eq!(unneutralise("'=1+1"), "=1+1");
        assert_eq!(unneutralise("'abc"), "'abc");
        let labels = crate::render::theme::default_labels();
        assert_eq!(id_of("伙伴关系", Tier::IDS, "tier", &labels), Some("partner"));
        assert_eq!(id_of("伙伴", Tier::IDS, "tier", &labels), Some("partner"));
        assert_eq!(id_of("Partner", Tier::IDS, "tier", &labels), Some("partner"));
        assert_eq!(id_of("高", Level::IDS, "level", &labels), Some("high"));
    }

    #[test]
    fn gbk_and_utf8_with_a_bom() {
        let (gbk, _, _) = encoding_rs::GBK.encode("客户名称,阶段\n华东,报价\n");
        assert_eq!(decode(&gbk).unwrap(), "客户名称,阶段\n华东,报价\n");
        assert_eq!(decode("\u{feff}a,b\n".as_bytes()).unwrap(), "a,b\n");
        assert!(decode(b"\xff\xfe\xff\xfe\x00").is_err());
    }
}
