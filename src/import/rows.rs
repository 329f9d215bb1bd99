//! One row of the table to the front matter of its page: the columns the header names, the
//! cells read into typed values, the file name; every problem placed at its row and column.

use std::collections::HashMap;

use serde::Serialize;

use super::MAX_SLUG_BYTES;
use super::cells::{
    field_of, halfwidth, in_yuan, list, multiple_of, parse_amount, parse_date, parse_probability, split_unescaped,
    unescape, unneutralise,
};
use crate::config::SiteConfig;
use crate::model::{Level, Relationship, Role, Style, Tier, slugify};
use crate::words::{self, Word};

/// A customer's front matter as the import writes it (fields in the usual order).
#[derive(Debug, Default, Serialize, PartialEq)]
pub(super) struct Page {
    pub(super) title: String,
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

/// The table's columns: the field each names, and the unit of the amount column.
pub(super) struct Columns {
    pub(super) headers: Vec<String>,
    pub(super) fields: Vec<Option<&'static str>>,
    /// Yuan per unit of the `value` column (`金额（万元）`: 10,000).
    value_multiple: f64,
}

impl Columns {
    pub(super) fn of(&self, field: &str) -> Option<usize> {
        self.fields.iter().position(|f| *f == Some(field))
    }
}

/// A spreadsheet's name for column `i` (0: A, 26: AA).
pub(super) fn column_letter(i: usize) -> String {
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
pub(super) fn columns(headers: &[String], shown: &str) -> Result<Columns, Vec<String>> {
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

pub(super) struct Row<'a> {
    /// The line of the file the row starts on (the header is line 1).
    pub(super) line: u64,
    pub(super) problems: Vec<String>,
    pub(super) shown: &'a str,
    pub(super) columns: &'a Columns,
    pub(super) config: &'a SiteConfig,
}

impl Row<'_> {
    /// "customers.csv, row 5, column H (金额)", or without the column when none is known.
    pub(super) fn place(&self, field: Option<&str>) -> String {
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

    pub(super) fn bad(&mut self, field: &str, what: String) {
        let place = self.place(Some(field));
        self.problems.push(format!("{place}: {what}"));
    }

    /// A fixed value's id, from its id or any name of it (`crate::words`).
    fn word<W: Word>(&mut self, column: &str, what: &str, cell: &str) -> Option<String> {
        match words::parse::<W>(cell) {
            Some(w) => Some(w.id().to_owned()),
            None => {
                let hint = words::help::<W>(cell);
                self.bad(column, format!("unknown {what} \"{cell}\"; {hint}"));
                None
            }
        }
    }

    fn stage(&mut self, cell: &str) -> Option<String> {
        match words::stage(self.config, cell) {
            Some(ix) => Some(self.config.stage_def(ix).id.clone()),
            None => {
                let hint = words::stage_help(self.config, cell);
                self.bad("stage", format!("unknown stage \"{cell}\"; {hint}"));
                None
            }
        }
    }

    fn contact(&mut self, item: &str) -> Option<ContactPage> {
        let parts: Vec<String> = split_unescaped(item, &['|']).into_iter().map(unescape).collect();
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
            Some(r) => Some(self.word::<Role>("contacts", "contact role", &r)?),
            None => None,
        };
        let style = match part(3) {
            Some(s) => Some(self.word::<Style>("contacts", "contact style", &s)?),
            None => None,
        };
        let relationship = match part(5) {
            Some(r) => Some(self.word::<Relationship>("contacts", "relationship level", &r)?),
            None => None,
        };
        Some(ContactPage {
            name,
            title: part(1),
            role,
            style,
            phone: part(4),
            relationship,
            notes: part(6),
        })
    }

    /// The page a row makes, with the problems of its cells recorded.
    pub(super) fn page(&mut self, record: &csv::StringRecord) -> (Page, Option<String>) {
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
                "tier" => page.tier = self.word::<Tier>("tier", "tier", cell),
                "owner" => page.owner = Some(text.to_owned()),
                "industry" => page.industry = Some(text.to_owned()),
                "region" => page.region = Some(text.to_owned()),
                "value" => match parse_amount(&halfwidth(cell)) {
                    Some((v, multiple)) => {
                        let v = in_yuan(v, multiple.unwrap_or(self.columns.value_multiple));
                        if v.is_finite() {
                            page.value = Some(Amount(v));
                        } else {
                            self.bad(field, format!("\"{cell}\" is too large an amount"));
                        }
                    }
                    None => self.bad(
                        field,
                        format!("\"{cell}\" is not an amount (write 1200000, 120万 or 1.2亿)"),
                    ),
                },
                "probability" => match parse_probability(&halfwidth(cell)) {
                    Some(p) => page.probability = Some(p),
                    None => self.bad(
                        field,
                        format!("probability \"{cell}\" is not between 0 and 1 (or 0% and 100%)"),
                    ),
                },
                "expected_close" | "next_visit" | "updated" => match parse_date(&halfwidth(cell)) {
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
                "potential" => page.potential = self.word::<Level>(field, "potential", cell),
                "share" => page.share = self.word::<Level>(field, "share", cell),
                "competitors" => page.competitors = list(text),
                "tags" => page.tags = list(text),
                "contacts" => {
                    page.contacts = split_unescaped(text, &[';', '；'])
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
    pub(super) fn slug(&mut self, title: &str, given: Option<String>) -> Option<String> {
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
            // The build's own check for every id that becomes a path.
            || crate::model::PathSegment::new(&slug).is_err()
            || crate::load::is_ignored_name(&format!("{slug}.md"))
            // A section's own text, not a customer.
            || slug.eq_ignore_ascii_case("_index")
            || windows.contains(&slug.split('.').next().unwrap_or_default().to_uppercase().as_str())
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
