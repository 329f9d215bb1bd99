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

/// A value as YAML on one line: text plain where YAML reads it back as the same text,
/// else double-quoted (as JSON, which YAML reads); lists and contacts in flow style, a
/// contact's fields in the order the page format lists them.
fn inline(v: &J) -> String {
    inline_in(v, false)
}

fn inline_in(v: &J, flow: bool) -> String {
    match v {
        J::String(s) if plain_reads_back(s) && !(flow && s.contains([',', '[', ']', '{', '}'])) => s.clone(),
        J::Array(items) => {
            let items: Vec<String> = items.iter().map(|i| inline_in(i, true)).collect();
            format!("[{}]", items.join(", "))
        }
        J::Object(m) => {
            const ORDER: [&str; 7] = ["name", "title", "role", "style", "phone", "relationship", "notes"];
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by_key(|k| ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()));
            let fields: Vec<String> = keys
                .iter()
                .map(|k| format!("{k}: {}", inline_in(&m[*k], true)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        other => other.to_string(),
    }
}

/// Whether `s` written plain (`key: s`) is read back as the text `s`.
fn plain_reads_back(s: &str) -> bool {
    if s.is_empty() || s.contains(['\n', '\r']) || s.trim() != s {
        return false;
    }
    match crate::yaml::parse(&format!("k: {s}\n"), 0) {
        Ok(Node {
            value: Value::Map(entries),
            ..
        }) => {
            entries.len() == 1 && matches!(&entries[0].1.value, Value::Str(v) if v == s) && entries[0].1.raw.is_none()
        }
        _ => false,
    }
}

/// The page's text with each field set to its new value (YAML text on one line): in place
/// where the field is written (at the top level or under `private:`), else as a line at the
/// end of the front matter. Nothing else of the file changes.
pub(super) fn edit(text: &str, changes: &[(&str, String)]) -> Result<String, String> {
    // Places are counted in lines broken by `\n` (as the build reads a file); a Windows file
    // is edited as such and given its `\r\n` back.
    if let Some(rest) = text.strip_prefix('\u{feff}') {
        return edit(rest, changes).map(|t| format!("\u{feff}{t}"));
    }
    if text.contains('\r') {
        let lf = text.replace("\r\n", "\n");
        if lf.contains('\r') {
            return Err("its lines end in two ways (CRLF and CR); save it with one kind of line break".into());
        }
        return edit(&lf, changes).map(|t| t.replace('\n', "\r\n"));
    }
    let split = crate::parse::front_matter::split("", text).map_err(|d| d.message)?;
    let root = crate::yaml::parse(split.yaml, split.yaml_line_offset).map_err(|e| e.message)?;
    let Value::Map(top) = &root.value else {
        return Err("its front matter is not a map of fields".into());
    };
    let private = top
        .iter()
        .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == "private"))
        .and_then(|(_, v)| match &v.value {
            Value::Map(m) => Some(m),
            _ => None,
        });
    let lines = Lines::new(text);
    let yaml_end = split.yaml.as_ptr() as usize - text.as_ptr() as usize + split.yaml.len();
    let eol = "\n";
    let mut replacements: Vec<(usize, usize, String)> = Vec::new();
    let mut appended = String::new();
    for (field, value) in changes {
        let entry = top
            .iter()
            .chain(private.into_iter().flatten())
            .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == field));
        match entry {
            Some((k, v)) => replacements.push(lines.value_span(k, v, value, yaml_end)?),
            None => appended.push_str(&format!("{field}: {value}{eol}")),
        }
    }
    replacements.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut out = text.to_owned();
    if !appended.is_empty() {
        out.insert_str(yaml_end, &appended);
    }
    for (start, end, with) in replacements {
        out.replace_range(start..end, &with);
    }
    Ok(out)
}

/// A file's lines, by byte offset.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// Line `n` (1-based) without its line break, and where it starts.
    fn line(&self, n: usize) -> Option<(usize, &'a str)> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        let rest = &self.text[start..];
        let end = rest.find('\n').unwrap_or(rest.len());
        Some((start, rest[..end].trim_end_matches('\r')))
    }

    /// The byte offset of column `col` (1-based, in characters) of line `n`.
    fn offset(&self, n: usize, col: usize) -> Option<usize> {
        let (start, line) = self.line(n)?;
        let i = line
            .char_indices()
            .nth(col.checked_sub(1)?)
            .map_or(line.len(), |(i, _)| i);
        Some(start + i)
    }

    /// Where the value of key `k` is written, to be replaced by `with`: the span of a
    /// value on the key's line (a trailing comment kept), or of a block value over the
    /// lines below it (comments after its last line kept).
    fn value_span(&self, k: &Node, v: &Node, with: &str, yaml_end: usize) -> Result<(usize, usize, String), String> {
        let bad = || {
            format!(
                "cannot find the value of `{}` in the file",
                k.as_text().unwrap_or_default()
            )
        };
        let (key_start, key_line) = self.line(k.pos.line).ok_or_else(bad)?;
        let indent = k.pos.column.saturating_sub(1);
        let key_at = self.offset(k.pos.line, k.pos.column).ok_or_else(bad)?;
        let in_flow = key_line[..key_at - key_start].trim_end().ends_with(['{', ',']);
        // The last line that belongs to the value: deeper than the key, or a `- ` item at
        // its indentation.
        let mut last = k.pos.line;
        let mut n = k.pos.line + 1;
        while let Some((start, line)) = self.line(n) {
            if start >= yaml_end {
                break;
            }
            let content = line.trim_start();
            let depth = line.len() - content.len();
            if content.is_empty() || content.starts_with('#') {
                n += 1;
                continue;
            }
            if depth > indent || (depth == indent && (content == "-" || content.starts_with("- "))) {
                last = n;
                n += 1;
                continue;
            }
            break;
        }
        if in_flow && (last > k.pos.line || matches!(v.value, Value::Seq(_) | Value::Map(_))) {
            return Err(format!(
                "`{}` is inside a `{{…}}` map: write it as its own line to update it",
                k.as_text().unwrap_or_default()
            ));
        }
        let value_on_key_line = v.pos.line == k.pos.line && v.value != Value::Null;
        if value_on_key_line && last == k.pos.line {
            let start = self.offset(v.pos.line, v.pos.column).ok_or_else(bad)?;
            let rest = &key_line[start - key_start..];
            let len = scalar_len(rest, in_flow);
            return Ok((start, start + len, with.to_owned()));
        }
        let (last_start, last_line) = self.line(last).ok_or_else(bad)?;
        let end = last_start + last_line.len();
        if value_on_key_line {
            let start = self.offset(v.pos.line, v.pos.column).ok_or_else(bad)?;
            return Ok((start, end, with.to_owned()));
        }
        // A block value, or none: the new value goes after the key's `:`, before a comment
        // on the key's line; the value's lines go.
        let colon = key_line[key_at - key_start..]
            .find(':')
            .map(|i| key_at + i + 1)
            .ok_or_else(bad)?;
        let after = &key_line[colon - key_start..];
        let comment = after.find('#').map(|i| after[i..].to_owned());
        let key_end = key_start + key_line.len();
        let mut new = format!(" {with}");
        if let Some(c) = comment {
            new.push_str("  ");
            new.push_str(&c);
        }
        Ok((colon, if last > k.pos.line { end } else { key_end }, new))
    }
}

/// The length in bytes of the scalar or flow collection that `rest` starts with, without
/// a comment after it; in a flow collection, a plain scalar ends at `,`, `}` or `]`.
fn scalar_len(rest: &str, in_flow: bool) -> usize {
    let b = rest.as_bytes();
    match b.first() {
        Some(b'"') => {
            let mut i = 1;
            while i < b.len() {
                match b[i] {
                    b'\\' => i += 2,
                    b'"' => return i + 1,
                    _ => i += 1,
                }
            }
            b.len()
        }
        Some(b'\'') => {
            let mut i = 1;
            while i < b.len() {
                if b[i] == b'\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    return i + 1;
                }
                i += 1;
            }
            b.len()
        }
        Some(b'[' | b'{') => {
            let (mut depth, mut quote, mut i) = (0i32, None::<u8>, 0);
            while i < b.len() {
                let c = b[i];
                match quote {
                    Some(q) if c == b'\\' && q == b'"' => i += 1,
                    Some(q) if c == q => quote = None,
                    Some(_) => {}
                    None => match c {
                        b'"' | b'\'' => quote = Some(c),
                        b'[' | b'{' => depth += 1,
                        b']' | b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                return i + 1;
                            }
                        }
                        _ => {}
                    },
                }
                i += 1;
            }
            b.len()
        }
        _ => {
            let mut end = rest.len();
            if let Some(i) = rest.find(" #").or_else(|| rest.find("\t#")) {
                end = i;
            }
            if in_flow && let Some(i) = rest[..end].find([',', '}', ']']) {
                end = i;
            }
            rest[..end].trim_end().len()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str, changes: &[(&str, &str)]) -> String {
        let changes: Vec<(&str, String)> = changes.iter().map(|(k, v)| (*k, v.to_string())).collect();
        edit(text, &changes).unwrap()
    }

    #[test]
    fn values_change_in_place_and_nothing_else() {
        let text = "---\ntitle: 华东  # 公司全称\nstage: quote # 阶段\ntier: \"basic\"\nowner: '张'\n# 注释\ncontacts:\n- name: 王\n  role: user\n  # 内部注释\n# 下一个\ntags: [a, b]   # 标签\nprivate:\n  value: 100   # 保密\n---\n\n正文 stage: quote\n";
        let out = set(
            text,
            &[
                ("stage", "won"),
                ("tier", "partner"),
                ("owner", "李"),
                ("contacts", "[{\"name\":\"赵\"}]"),
                ("tags", "[\"x\"]"),
                ("value", "200"),
                ("region", "华东"),
            ],
        );
        assert_eq!(
            out,
            "---\ntitle: 华东  # 公司全称\nstage: won # 阶段\ntier: partner\nowner: 李\n# 注释\ncontacts: [{\"name\":\"赵\"}]\n  # 内部注释\n# 下一个\ntags: [\"x\"]   # 标签\nprivate:\n  value: 200   # 保密\nregion: 华东\n---\n\n正文 stage: quote\n"
        );
    }

    #[test]
    fn crlf_flow_maps_and_empty_values() {
        let text = "---\r\ntitle: a\r\nnext_visit:\r\nstage: lead\r\n---\r\nbody\r\n";
        assert_eq!(
            set(text, &[("next_visit", "2026-12-01"), ("owner", "张")]),
            "---\r\ntitle: a\r\nnext_visit: 2026-12-01\r\nstage: lead\r\nowner: 张\r\n---\r\nbody\r\n"
        );
        let text = "---\ntitle: a\nprivate: {owner: 张伟, value: 1}\n---\n";
        assert_eq!(
            set(text, &[("value", "2"), ("owner", "李")]),
            "---\ntitle: a\nprivate: {owner: 李, value: 2}\n---\n"
        );
        let text = "\u{feff}---\ntitle: a\n---\n";
        assert_eq!(set(text, &[("owner", "李")]), "\u{feff}---\ntitle: a\nowner: 李\n---\n");
        let text = "---\ntitle: a\ntags:\n  - x  # 一\n  # 二\n  - \"y: z\"\nowner: |\n  多行\n  文本\n---\n";
        assert_eq!(
            set(text, &[("tags", "[\"q\"]"), ("owner", "李")]),
            "---\ntitle: a\ntags: [\"q\"]\nowner: 李\n---\n"
        );
    }

    #[test]
    fn plain_only_where_it_reads_back() {
        for (s, plain) in [
            ("quote", true),
            ("张伟", true),
            ("2026-11-28", true),
            ("yes", true),
            ("123", false),
            ("true", false),
            ("a: b", false),
            ("a #b", false),
            ("- x", false),
            ("", false),
            (" x", false),
            ("'x'", false),
        ] {
            assert_eq!(plain_reads_back(s), plain, "{s}");
        }
        let contacts = serde_json::json!([{"notes": "备注: #1", "name": "新人", "role": "coach", "phone": "+86 010"}, {"name": "a,b"}]);
        assert_eq!(
            inline(&contacts),
            "[{name: 新人, role: coach, phone: +86 010, notes: \"备注: #1\"}, {name: \"a,b\"}]"
        );
        assert_eq!(inline(&serde_json::json!(["重点", "1", "x y"])), "[重点, \"1\", x y]");
    }
}
