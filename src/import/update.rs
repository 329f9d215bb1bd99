//! `import customers FILE --update`: the rows that match an existing customer page change
//! that page's fields, and only the fields of the sheet's columns; a manager's weekly Excel
//! round trip. The page is edited as text, at the places the YAML parser gives its values:
//! the body, the other fields, comments, quoting and key order stay byte for byte as they
//! were (re-serialising the front matter would lose the comments and reorder the keys).
//!
//! A row matches a page by slug (its `slug` cell, or the slug made from its title), then by
//! title, then by alias; the first of these that matches decides, and matching two pages
//! there is an error naming both. An empty cell leaves its field as it is.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use serde_json::Value as J;

use super::edit::{edit, inline};
use super::rows::Row;
use super::{Made, Report, Table};
use crate::config::SiteConfig;
use crate::model::{Kind, slugify};
use crate::site::{ParsedDoc, fold_name};
use crate::yaml::{Node, Value};

/// The updates the rows make: the pages changed (each a [`Made`] with its summary), and the
/// rows handled here (matched, or refused), which make no new page.
pub(super) struct Plan {
    pub(super) made: Vec<Made>,
    pub(super) rows: HashSet<u64>,
    /// The pages updated: the build's view of them is replaced by the edited text.
    pub(super) paths: HashSet<String>,
}

/// Matches every row against the site's customers and edits the pages matched.
pub(super) fn plan(
    root: &Path,
    table: &Table,
    config: &SiteConfig,
    shown: &str,
    existing: &[Arc<ParsedDoc>],
    report: &mut Report,
) -> Plan {
    let customers: Vec<&ParsedDoc> = existing
        .iter()
        .map(|d| &**d)
        .filter(|d| d.kind == Kind::Customer)
        .collect();
    let competitor_slug = competitor_names(existing);
    let index = Index::new(&customers);
    let mut plan = Plan {
        made: Vec::new(),
        rows: HashSet::new(),
        paths: HashSet::new(),
    };
    let mut by: HashMap<&str, u64> = HashMap::new();
    for (line, record) in &table.records {
        if record.iter().all(|c| c.trim().is_empty()) {
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
        if !row.problems.is_empty() {
            // Reported by the new pages' pass, which reads every unmatched row.
            continue;
        }
        let title = page.title.trim();
        let slug = given.clone().unwrap_or_else(|| slugify(title));
        let levels = [
            ("slug", index.by_slug.get(&fold_name(&slug))),
            ("title", index.by_title.get(title)),
            ("alias", index.by_alias.get(title)),
        ];
        let Some((how, docs)) = levels
            .into_iter()
            .find_map(|(how, docs)| Some((how, docs.filter(|d| !d.is_empty())?)))
        else {
            continue;
        };
        plan.rows.insert(*line);
        let place = row.place(None);
        if docs.len() > 1 {
            let names: Vec<&str> = docs.iter().map(|d| d.rel_path.as_str()).collect();
            report.problems.push(format!(
                "{place}: matches two pages by {how}: {}; add a `slug` column naming the one to update",
                names.join(" and ")
            ));
            report.bad_rows += 1;
            continue;
        }
        let d = docs[0];
        if let Some(other) = by.insert(d.rel_path.as_str(), *line) {
            report.problems.push(format!(
                "{place}: row {other} updates {} too; keep one of the two rows",
                d.rel_path
            ));
            report.bad_rows += 1;
            continue;
        }
        let new = match serde_json::to_value(&page) {
            Ok(J::Object(m)) => m,
            _ => continue,
        };
        let mut edits: Vec<(&'static str, J, J)> = Vec::new();
        let mut seen = HashSet::new();
        for field in table.columns.fields.iter().flatten() {
            if *field == "slug" || !seen.insert(*field) {
                continue;
            }
            let Some(value) = new.get(*field) else { continue };
            let old = old_value(d, field, config);
            if !same(&old, value, &competitor_slug) {
                edits.push((field, old, value.clone()));
            }
        }
        if edits.is_empty() {
            report
                .unchanged
                .push(format!("{place}: {} (by {how}): nothing changes", d.rel_path));
            continue;
        }
        // A page that is a link (inside the site: the build follows no other) is updated
        // where it points, and stays a link.
        let path = match root.join(&d.rel_path) {
            p if p.is_symlink() => std::fs::canonicalize(&p).unwrap_or(p),
            p => p,
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                report
                    .problems
                    .push(format!("{place}: cannot read {}: {e}", d.rel_path));
                report.bad_rows += 1;
                continue;
            }
        };
        for (f, _, new) in &mut edits {
            if *f == "contacts" {
                keep_contact_fields(&text, new);
            }
        }
        let changes: Vec<(&str, String)> = edits.iter().map(|(f, _, new)| (*f, inline(new))).collect();
        match edit(&text, &changes) {
            Ok(edited) => {
                let summary = edits
                    .iter()
                    .map(|(f, old, new)| format!("{f}: {} → {}", shown_value(old), shown_value(new)))
                    .collect::<Vec<_>>()
                    .join("; ");
                plan.paths.insert(d.rel_path.clone());
                plan.made.push(Made {
                    line: *line,
                    path,
                    rel_path: d.rel_path.clone(),
                    text: edited,
                    keys: Vec::new(),
                    update: Some(format!("{} (row {line}, by {how}): {summary}", d.rel_path)),
                });
            }
            Err(e) => {
                report
                    .problems
                    .push(format!("{place}: cannot update {}: {e}", d.rel_path));
                report.bad_rows += 1;
            }
        }
    }
    plan
}

/// The fields of the page's contacts that a sheet's cell does not hold (`wechat:`, …), added
/// to the sheet's contact of the same name, so that a contacts column does not drop them.
fn keep_contact_fields(text: &str, contacts: &mut J) {
    const CELL: [&str; 7] = ["name", "title", "role", "style", "phone", "relationship", "notes"];
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let Ok(split) = crate::parse::front_matter::split("", &text) else {
        return;
    };
    let Ok(root) = crate::yaml::parse(split.yaml, split.yaml_line_offset) else {
        return;
    };
    let field = |m: &Node, key: &str| match &m.value {
        Value::Map(e) => e
            .iter()
            .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == key))
            .map(|(_, v)| v.clone()),
        _ => None,
    };
    let Some(old) = field(&root, "contacts").or_else(|| field(&field(&root, "private")?, "contacts")) else {
        return;
    };
    let (Value::Seq(old), J::Array(new)) = (&old.value, contacts) else {
        return;
    };
    for person in old {
        let (Some(name), Value::Map(entries)) = (field(person, "name").and_then(|n| n.as_text()), &person.value) else {
            continue;
        };
        let Some(J::Object(target)) = new.iter_mut().find(|c| c["name"].as_str() == Some(name.as_str())) else {
            continue;
        };
        for (k, v) in entries {
            if let Some(k) = k.as_text().filter(|k| !CELL.contains(&k.as_str())) {
                target.entry(k).or_insert_with(|| to_json(v));
            }
        }
    }
}

/// A YAML value as JSON (text as written).
fn to_json(n: &Node) -> J {
    match &n.value {
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(e) => J::Object(
            e.iter()
                .map(|(k, v)| (k.as_text().unwrap_or_default(), to_json(v)))
                .collect(),
        ),
        Value::Null => J::Null,
        // A number or true/false stays one where JSON writes it as it was written (`12`,
        // `true`); any other spelling (`+8613800000000`) stays that text.
        Value::Bool(_) | Value::Int(_) | Value::Float(_) => {
            let written = n.as_text().unwrap_or_default();
            match serde_json::from_str::<J>(&written) {
                Ok(v @ (J::Number(_) | J::Bool(_))) => v,
                _ => J::String(written),
            }
        }
        _ => n.as_text().map_or(J::Null, J::String),
    }
}

/// The customers by the names a row may match them by (a site of thousands of customers
/// and a sheet of thousands of rows: not each row against each page).
struct Index<'a> {
    by_slug: HashMap<String, Vec<&'a ParsedDoc>>,
    by_title: HashMap<&'a str, Vec<&'a ParsedDoc>>,
    by_alias: HashMap<&'a str, Vec<&'a ParsedDoc>>,
}

impl<'a> Index<'a> {
    fn new(customers: &[&'a ParsedDoc]) -> Self {
        let mut index = Index {
            by_slug: HashMap::new(),
            by_title: HashMap::new(),
            by_alias: HashMap::new(),
        };
        for d in customers.iter().copied() {
            let (slug, file) = (fold_name(&d.slug), fold_name(stem(d)));
            if file != slug {
                index.by_slug.entry(file).or_default().push(d);
            }
            index.by_slug.entry(slug).or_default().push(d);
            index.by_title.entry(d.fm.title.trim()).or_default().push(d);
            for a in &d.fm.aliases {
                let pages = index.by_alias.entry(a.trim()).or_default();
                if !pages.iter().any(|p| std::ptr::eq(*p, d)) {
                    pages.push(d);
                }
            }
        }
        index
    }
}

/// The file name of a page, without `.md`.
fn stem(d: &ParsedDoc) -> &str {
    let name = d.rel_path.rsplit('/').next().unwrap_or(&d.rel_path);
    name.strip_suffix(".md").unwrap_or(name)
}

/// Each competitor's slug, by its slug and its title: a page's `competitors:` may name one
/// either way, the sheet by slug.
fn competitor_names(existing: &[Arc<ParsedDoc>]) -> HashMap<String, String> {
    let mut names = HashMap::new();
    for d in existing.iter().filter(|d| d.kind == Kind::Competitor) {
        names.insert(d.fm.title.clone(), d.slug.clone());
        names.insert(d.slug.clone(), d.slug.clone());
    }
    names
}

/// A field of a page as the sheet's cell would give it (ids, numbers, dates as text).
fn old_value(d: &ParsedDoc, field: &str, config: &SiteConfig) -> J {
    let text = |s: &Option<String>| s.clone().map_or(J::Null, J::String);
    let id = |s: Option<&str>| s.map_or(J::Null, |s| J::String(s.to_owned()));
    let number = |v: Option<f64>| v.and_then(serde_json::Number::from_f64).map_or(J::Null, J::Number);
    let date = |v: Option<chrono::NaiveDate>| id(v.map(crate::format::ymd).as_deref());
    if field == "title" {
        return J::String(d.fm.title.clone());
    }
    if field == "tags" {
        return J::Array(d.fm.tags.iter().cloned().map(J::String).collect());
    }
    if field == "updated" {
        return date(d.fm.updated);
    }
    let Some(c) = d.fm.customer.as_deref() else {
        return J::Null;
    };
    match field {
        "stage" => id(c.stage.map(|s| config.stage_def(s).id.as_str())),
        "tier" => id(c.tier.map(|t| t.id())),
        "owner" => text(&c.owner),
        "industry" => text(&c.industry),
        "region" => text(&c.region),
        "value" => number(c.value),
        "probability" => number(c.probability),
        "expected_close" => date(c.expected_close),
        "next_visit" => date(c.next_visit),
        "potential" => id(c.potential.map(|l| l.id())),
        "share" => id(c.share.map(|l| l.id())),
        "competitors" => J::Array(c.competitors.iter().map(|a| J::String(a.value.clone())).collect()),
        "contacts" => J::Array(
            c.contacts
                .iter()
                .map(|p| {
                    let mut m = serde_json::Map::new();
                    m.insert("name".into(), J::String(p.name.clone()));
                    let parts = [
                        ("title", p.title.clone()),
                        ("role", p.role.map(|r| r.id().to_owned())),
                        ("style", p.style.map(|s| s.id().to_owned())),
                        ("phone", p.phone.clone()),
                        ("relationship", p.relationship.map(|r| r.id().to_owned())),
                        ("notes", p.notes.clone()),
                    ];
                    for (k, v) in parts {
                        if let Some(v) = v {
                            m.insert(k.into(), J::String(v));
                        }
                    }
                    J::Object(m)
                })
                .collect(),
        ),
        _ => J::Null,
    }
}

/// Whether a page's value and a cell's are the same: numbers by value (`1200000` is
/// `1200000.0`), competitors by the page they name.
fn same(old: &J, new: &J, competitors: &HashMap<String, String>) -> bool {
    match (old, new) {
        (J::Number(a), J::Number(b)) => a.as_f64() == b.as_f64(),
        (J::String(a), J::String(b)) => {
            a.trim() == b.trim()
                || competitors
                    .get(a.trim())
                    .is_some_and(|s| Some(s) == competitors.get(b.trim()))
        }
        (J::Array(a), J::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y, competitors)),
        (J::Object(a), J::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, x)| b.get(k).is_some_and(|y| same(x, y, &HashMap::new())))
        }
        (a, b) => a == b,
    }
}

/// A value as the summary shows it.
fn shown_value(v: &J) -> String {
    match v {
        J::Null => "(none)".to_owned(),
        J::String(s) => s.clone(),
        J::Number(n) => n.as_f64().map_or_else(|| n.to_string(), |v| format!("{v}")),
        J::Array(items) if items.iter().all(|i| i.is_string()) => {
            let items: Vec<&str> = items.iter().filter_map(J::as_str).collect();
            format!("[{}]", items.join(", "))
        }
        J::Array(items) if items.iter().all(|i| i.get("name").is_some()) => {
            let names: Vec<&str> = items.iter().filter_map(|i| i["name"].as_str()).collect();
            format!("{} contacts ({})", items.len(), names.join(", "))
        }
        other => other.to_string(),
    }
}
