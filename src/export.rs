//! Data out, for the spreadsheets and calendars a team already uses:
//! - `exports/customers.csv`: one row per customer, every scalar field, and the lists
//!   (competitors, contacts, tags) joined with `; `; a zh-CN site's has Chinese headers and
//!   Chinese names of the fixed values (a manager's sheet reads as the team speaks),
//!   an English site's the ids, a separator inside an item escaped with
//!   `\`; UTF-8 with a byte-order mark so that Excel opens Chinese correctly; text cells
//!   that a spreadsheet would run as a formula are neutralised. `salesbook import` reads it
//!   back to the same front matter: the two are each other's inverse.
//! - `exports/customers.json`: every customer's front matter, typed.
//! - `exports/visits.ics`: every `next_visit` as an all-day event (RFC 5545), with the
//!   customer and the goal, for a calendar app to subscribe to.
//!
//! They are made from the pages this build shows: a `--public` build has no confidential
//! customers and no `private:` fields to export.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::facts::Facts;
use crate::output::{Made, Output, OutputFile, hand_on};
use crate::parse::front_matter::{Contact, Customer};
use crate::site::{DocId, ParsedDoc};

mod reminders;

/// The CSV columns, in order: front-matter fields by their own names (what `salesbook
/// import customers` reads back), then figures worked out from them.
pub const CSV_COLUMNS: &[&str] = &[
    "slug",
    "title",
    "stage",
    "tier",
    "owner",
    "industry",
    "region",
    "value",
    "probability",
    "expected_close",
    "next_visit",
    "potential",
    "share",
    "competitors",
    "contacts",
    "tags",
    "updated",
    "weighted_value",
    "last_visit",
    "unpaid",
    "dso_days",
];

/// The headers of a zh-CN site's CSV, column for column: names `salesbook import` reads
/// (`crate::import`'s headers), so a Chinese sheet round-trips as the English one does.
pub const CSV_COLUMNS_ZH: &[&str] = &[
    "文件名",
    "客户名称",
    "阶段",
    "关系类型",
    "负责人",
    "行业",
    "地区",
    "金额",
    "赢单概率",
    "预计成交日期",
    "下次拜访",
    "采购潜力",
    "客户份额",
    "竞争对手",
    "联系人",
    "标签",
    "更新日期",
    "加权金额",
    "上次拜访",
    "未付",
    "应收账款回收期",
];

/// How the CSV names fixed values: by English id, or (a zh-CN site) by Chinese name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvWords {
    Ids,
    Chinese,
}

impl CsvWords {
    fn of(config: &crate::config::SiteConfig) -> CsvWords {
        match config.language {
            crate::config::Language::ZhCn => CsvWords::Chinese,
            crate::config::Language::En => CsvWords::Ids,
        }
    }

    /// A fixed value as this CSV writes it.
    pub fn word<W: crate::words::Word>(self, w: W) -> &'static str {
        match self {
            CsvWords::Ids => w.id(),
            CsvWords::Chinese => crate::words::zh(w),
        }
    }
}

fn customers<'a>(cx: &'a Facts) -> impl Iterator<Item = (DocId, &'a ParsedDoc, &'a Customer)> + 'a {
    cx.site
        .of_kind(crate::model::Kind::Customer)
        .filter_map(|(id, d)| Some((id, d, d.fm.customer.as_deref()?)))
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(crate::format::ymd).unwrap_or_default()
}

fn number(v: Option<f64>) -> String {
    v.map(|v| format!("{}", crate::sales::funnel::round2(v)))
        .unwrap_or_default()
}

/// One contact as `name|title|role|style|phone|relationship|notes`, trailing empty parts
/// left off, each part escaped with [`escape_item`].
pub fn contact_cell(c: &Contact, words: CsvWords) -> String {
    let mut parts: Vec<String> = [
        Some(c.name.clone()),
        c.title.clone(),
        c.role.map(|r| words.word(r).to_owned()),
        c.style.map(|s| words.word(s).to_owned()),
        c.phone.clone(),
        c.relationship.map(|r| words.word(r).to_owned()),
        c.notes.clone(),
    ]
    .into_iter()
    .map(|p| escape_item(&p.unwrap_or_default()))
    .collect();
    while parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    parts.join("|")
}

/// What a `\` in a list cell escapes: the separators of list items (`;` `,` and their
/// full-width forms, `、`) and of contact parts (`|`), and `\` itself.
pub const LIST_SPECIAL: &[char] = &['\\', ';', '；', ',', '，', '、', '|'];

/// One item of a list cell (a tag, a competitor, a contact's part) with a `\` before each
/// separator, each `\`, and whitespace at either end (which the import would otherwise
/// trim), so that `salesbook import` splits the cell exactly where the export joined it.
pub fn escape_item(item: &str) -> String {
    let mut out = String::with_capacity(item.len());
    let last = item.chars().count().saturating_sub(1);
    for (i, c) in item.chars().enumerate() {
        if LIST_SPECIAL.contains(&c) || (c.is_whitespace() && (i == 0 || i == last)) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Whether a spreadsheet would run the cell as a formula (`=`, `+`, `-` or `@`, after any
/// whitespace), or the cell is one that the import would take for a neutralised one
/// (`'` before such text): either way it gets a `'` that the import takes off again.
pub fn needs_neutralising(cell: &str) -> bool {
    cell.trim_start_matches('\'')
        .trim_start()
        .starts_with(['=', '+', '-', '@'])
}

/// A text cell a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, after spaces,
/// tabs or line breaks too) gets a leading `'`, which spreadsheets show as text.
pub fn neutralise(cell: String) -> String {
    if needs_neutralising(&cell) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn competitor_slugs(cx: &Facts, id: DocId) -> Vec<String> {
    cx.graph.competitor_refs[id.0]
        .iter()
        .map(|c| cx.site.doc(*c).slug.clone())
        .collect()
}

/// A list field's cell: items escaped, joined with `; `.
fn list_cell<'a>(items: impl Iterator<Item = &'a String>) -> String {
    items.map(|i| escape_item(i)).collect::<Vec<_>>().join("; ")
}

/// A front-matter number as written (shortest form that reads back to the same value): the
/// import must get the page's own value back, not a rounded one.
fn exact(v: Option<f64>) -> String {
    v.map(|v| format!("{v}")).unwrap_or_default()
}

/// One customer's CSV record.
fn csv_row(cx: &Facts, id: DocId, d: &ParsedDoc, c: &Customer, out: &mut Vec<u8>) {
    let dso =
        crate::sales::dso::dso(&c.orders, cx.today).filter(|d| d.receivable > crate::sales::deal::MONEY_TOLERANCE);
    let unpaid = crate::sales::deal::balance(&c.orders).unpaid;
    let words = CsvWords::of(cx.config);
    let stage = |s| match words {
        CsvWords::Ids => cx.config.stage_def(s).id.clone(),
        CsvWords::Chinese => crate::words::stage_zh(cx.config, s).to_owned(),
    };
    let text = [
        d.slug.clone(),
        d.fm.title.clone(),
        c.stage.map(stage).unwrap_or_default(),
        c.tier.map(|t| words.word(t).to_owned()).unwrap_or_default(),
        c.owner.clone().unwrap_or_default(),
        c.industry.clone().unwrap_or_default(),
        c.region.clone().unwrap_or_default(),
    ];
    let mut row: Vec<String> = text.into_iter().map(neutralise).collect();
    row.extend([
        exact(c.value),
        exact(c.probability),
        date(c.expected_close),
        date(c.next_visit),
        c.potential.map(|l| words.word(l).to_owned()).unwrap_or_default(),
        c.share.map(|l| words.word(l).to_owned()).unwrap_or_default(),
        neutralise(list_cell(competitor_slugs(cx, id).iter())),
        neutralise(
            c.contacts
                .iter()
                .map(|p| contact_cell(p, words))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        neutralise(list_cell(d.fm.tags.iter())),
        date(d.fm.updated),
        number(crate::sales::deal::weighted_value(c, cx.config)),
        date(crate::sales::last_visit(c)),
        if c.orders.is_empty() {
            String::new()
        } else {
            number(Some(unpaid))
        },
        dso.map(|d| format!("{}", d.days.round())).unwrap_or_default(),
    ]);
    let mut w = csv::WriterBuilder::new().buffer_capacity(1024).from_writer(out);
    let _ = w.write_record(&row);
    let _ = w.flush();
}

fn csv_head(cx: &Facts) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec());
    let _ = w.write_record(match CsvWords::of(cx.config) {
        CsvWords::Ids => CSV_COLUMNS,
        CsvWords::Chinese => CSV_COLUMNS_ZH,
    });
    w.into_inner().unwrap_or_default()
}

#[derive(serde::Serialize)]
struct CustomerJson<'a> {
    slug: &'a str,
    title: &'a str,
    path: &'a str,
    stage: Option<&'a str>,
    tier: Option<&'static str>,
    owner: &'a Option<String>,
    industry: &'a Option<String>,
    region: &'a Option<String>,
    value: Option<f64>,
    probability: Option<f64>,
    expected_close: Option<String>,
    next_visit: Option<String>,
    potential: Option<&'static str>,
    share: Option<&'static str>,
    competitors: Vec<&'a str>,
    contacts: Vec<ContactJson<'a>>,
    visits: Vec<VisitJson<'a>>,
    orders: Vec<OrderJson>,
    tags: &'a [String],
    updated: Option<String>,
    /// One entry per stage change, the first appearance included, dated by its commit
    /// (`sales::timeline`); empty without history.
    stage_history: Vec<StageChangeJson<'a>>,
    extra: &'a std::collections::BTreeMap<String, serde_json::Value>,
}

#[derive(serde::Serialize)]
struct StageChangeJson<'a> {
    date: String,
    stage: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct ContactJson<'a> {
    name: &'a str,
    title: &'a Option<String>,
    role: Option<&'static str>,
    style: Option<&'static str>,
    relationship: Option<&'static str>,
    phone: &'a Option<String>,
    notes: &'a Option<String>,
}

#[derive(serde::Serialize)]
struct VisitJson<'a> {
    date: Option<String>,
    kind: Option<&'static str>,
    goal: &'a Option<String>,
    outcome: &'a Option<String>,
    commitment: &'a Option<String>,
}

#[derive(serde::Serialize)]
struct OrderJson {
    date: Option<String>,
    amount: f64,
    paid: f64,
}

fn ymd(d: Option<NaiveDate>) -> Option<String> {
    d.map(crate::format::ymd)
}

fn customer_json<'a>(cx: &'a Facts, id: DocId, d: &'a ParsedDoc, c: &'a Customer) -> CustomerJson<'a> {
    CustomerJson {
        slug: &d.slug,
        title: &d.fm.title,
        path: &d.path,
        stage: c.stage.map(|s| cx.config.stage_def(s).id.as_str()),
        tier: c.tier.map(|t| t.id()),
        owner: &c.owner,
        industry: &c.industry,
        region: &c.region,
        value: c.value,
        probability: c.probability,
        expected_close: ymd(c.expected_close),
        next_visit: ymd(c.next_visit),
        potential: c.potential.map(|l| l.id()),
        share: c.share.map(|l| l.id()),
        competitors: cx.graph.competitor_refs[id.0]
            .iter()
            .map(|c| cx.site.doc(*c).slug.as_str())
            .collect(),
        contacts: c
            .contacts
            .iter()
            .map(|p| ContactJson {
                name: &p.name,
                title: &p.title,
                role: p.role.map(|r| r.id()),
                style: p.style.map(|s| s.id()),
                relationship: p.relationship.map(|r| r.id()),
                phone: &p.phone,
                notes: &p.notes,
            })
            .collect(),
        visits: c
            .visits
            .iter()
            .map(|v| VisitJson {
                date: ymd(v.date),
                kind: v.kind.map(|k| k.id()),
                goal: &v.goal,
                outcome: &v.outcome,
                commitment: &v.commitment,
            })
            .collect(),
        orders: c
            .orders
            .iter()
            .map(|o| OrderJson {
                date: ymd(o.date),
                amount: o.amount,
                paid: o.paid,
            })
            .collect(),
        tags: &d.fm.tags,
        updated: ymd(d.fm.updated),
        stage_history: {
            let events = crate::sales::timeline::timeline(cx.history, &d.rel_path, Some(c), cx.today);
            crate::sales::movement::stage_history_of(&events, cx.config)
                .into_iter()
                .map(|(date, stage)| StageChangeJson {
                    date: crate::format::ymd(date),
                    stage,
                })
                .collect()
        },
        extra: &d.fm.extra,
    }
}

fn json_row(cx: &Facts, id: DocId, d: &ParsedDoc, c: &Customer, out: &mut Vec<u8>) {
    let _ = serde_json::to_writer(HtmlSafe(out), &customer_json(cx, id, d, c));
}

/// Writes JSON with `<`, `>` and `&` as `\u` escapes (JSON has them only inside strings), so
/// that it stays inert inside an HTML `<script>` too.
struct HtmlSafe<'a>(&'a mut Vec<u8>);

impl std::io::Write for HtmlSafe<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for &b in buf {
            match b {
                b'<' => self.0.extend_from_slice(b"\\u003c"),
                b'>' => self.0.extend_from_slice(b"\\u003e"),
                b'&' => self.0.extend_from_slice(b"\\u0026"),
                b => self.0.push(b),
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// RFC 5545 TEXT: backslash, `;`, `,` and newlines escaped; the other control characters,
/// which TEXT cannot hold (a YAML `"\v"` wrote a raw U+000B), dropped; tabs kept.
fn ics_text(s: &str) -> String {
    // Most text has nothing to escape or drop: no ASCII control, `\\`, `;` or `,`, and no
    // C1 control (all of which begin with the byte 0xC2).
    if !s
        .bytes()
        .any(|b| b < 0x20 || matches!(b, 0x7f | b'\\' | b';' | b',' | 0xc2))
    {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded at 75 octets (never inside a UTF-8 character), CRLF-terminated.
fn ics_line(out: &mut String, line: &str) {
    if line.len() <= 75 {
        out.push_str(line);
        out.push_str("\r\n");
        return;
    }
    let (mut width, mut start) = (0, 0);
    for (i, c) in line.char_indices() {
        if width + c.len_utf8() > 75 {
            out.push_str(&line[start..i]);
            out.push_str("\r\n ");
            (width, start) = (1, i);
        }
        width += c.len_utf8();
    }
    out.push_str(&line[start..]);
    out.push_str("\r\n");
}

fn ics_head(cx: &Facts) -> Vec<u8> {
    let mut out = String::new();
    let name = format!("{} · {}", cx.config.title, cx.labels.get("visit_calendar"));
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//salesbook//visits//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        &format!("X-WR-CALNAME:{}", ics_text(&name)),
    ] {
        ics_line(&mut out, line);
    }
    out.into_bytes()
}

/// The customers with a next visit, soonest first.
fn ics_members(cx: &Facts) -> Vec<DocId> {
    let mut visits: Vec<(NaiveDate, &str, DocId)> = customers(cx)
        .filter_map(|(id, d, c)| Some((c.next_visit?, d.slug.as_str(), id)))
        .collect();
    visits.sort();
    visits.into_iter().map(|(_, _, id)| id).collect()
}

/// A date as RFC 5545 writes it, `20261123` (chrono's `%Y%m%d`).
fn ics_date(d: NaiveDate) -> String {
    let mut out = crate::format::ymd(d);
    if out.len() == 10 {
        out.retain(|c| c != '-');
        out
    } else {
        d.format("%Y%m%d").to_string()
    }
}

/// One customer's next visit as an all-day event.
fn ics_event(cx: &Facts, d: &ParsedDoc, c: &Customer, out: &mut Vec<u8>) {
    let Some(day) = c.next_visit else { return };
    let mut ev = String::with_capacity(512);
    // The goal: a planned visit on that day, else the last visit's commitment.
    let planned = c.visits.iter().find(|v| v.date == Some(day));
    let goal = planned.and_then(|v| v.goal.clone());
    let mut lines = Vec::new();
    if let Some(g) = &goal {
        lines.push(format!("{}: {g}", cx.labels.get("visit_goal")));
    }
    let last = c
        .visits
        .iter()
        .filter(|v| v.date.is_some_and(|v| v < day))
        .max_by_key(|v| v.date);
    if let Some(commitment) = last.and_then(|v| v.commitment.as_deref()) {
        lines.push(format!("{}: {commitment}", cx.labels.get("last_commitment")));
    }
    if let Some(owner) = &c.owner {
        lines.push(format!("{}: {owner}", cx.labels.get("owner")));
    }
    if let Some(stage) = c.stage {
        lines.push(format!("{}: {}", cx.labels.get("stage"), cx.config.stage_label(stage)));
    }
    let summary = match &goal {
        Some(g) => format!("{} · {g}", d.fm.title),
        None => d.fm.title.clone(),
    };
    let next = day.succ_opt().unwrap_or(day);
    // Each line put together in one buffer, without a `format!` and a strftime pattern
    // parsed for every line of every event (see BENCHMARKS.md).
    let mut line = String::with_capacity(128);
    let mut put = |ev: &mut String, parts: &[&str]| {
        line.clear();
        parts.iter().for_each(|p| line.push_str(p));
        ics_line(ev, &line);
    };
    put(&mut ev, &["BEGIN:VEVENT"]);
    put(&mut ev, &["UID:next-visit-", &ics_text(&d.slug), "@salesbook"]);
    put(&mut ev, &["DTSTAMP:", &ics_date(cx.today), "T000000Z"]);
    put(&mut ev, &["DTSTART;VALUE=DATE:", &ics_date(day)]);
    put(&mut ev, &["DTEND;VALUE=DATE:", &ics_date(next)]);
    put(&mut ev, &["SUMMARY:", &ics_text(&summary)]);
    if !lines.is_empty() {
        put(&mut ev, &["DESCRIPTION:", &ics_text(&lines.join("\n"))]);
    }
    if cx.config.base_url.starts_with("http") {
        let path = crate::model::url_escape(d.path.trim_end_matches("index.html"));
        put(&mut ev, &["URL:", cx.config.base_url.trim_end_matches('/'), "/", &path]);
    }
    ics_line(&mut ev, "TRANSP:TRANSPARENT");
    ics_line(&mut ev, "END:VEVENT");
    out.extend_from_slice(ev.as_bytes());
}

pub use crate::plan::Export;

impl Export {
    /// The slot of [`Parts`] of an export made customer by customer.
    fn slot(self) -> Option<usize> {
        match self {
            Export::CustomersCsv => Some(0),
            Export::CustomersJson => Some(1),
            Export::VisitsIcs => Some(2),
            _ => None,
        }
    }
}

/// Each customer's part of each export, kept between the rebuilds of `serve` (`keep`): when
/// one customer changes, the exports are put together again from the parts of the others
/// instead of made again from every customer. By export, then page.
#[derive(Default)]
pub struct Parts {
    pub keep: bool,
    by_export: [Mutex<Vec<Option<Part>>>; 3],
}

/// A part's fingerprint (which covers the page's path) and bytes.
type Part = (u64, Arc<[u8]>);

/// One customer's part of export `e`.
fn part(cx: &Facts, e: Export, id: DocId, out: &mut Vec<u8>) {
    let d = cx.site.doc(id);
    let Some(c) = d.fm.customer.as_deref() else { return };
    match e {
        Export::CustomersCsv => csv_row(cx, id, d, c, out),
        Export::CustomersJson => json_row(cx, id, d, c, out),
        Export::VisitsIcs | Export::OwnerIcs(_) => ics_event(cx, d, c, out),
        // Made whole, never in parts (see `make`).
        Export::ProgressJson | Export::CommitmentsJson | Export::VisitsJson => {}
    }
}

/// The exports as a stage of the build: each export whose fingerprint changed (`todo`, from
/// the route table) made from the facts and handed to `out`; `print` is each customer's
/// part's fingerprint (see [`Parts`]).
pub fn stage(
    facts: &Facts,
    todo: Vec<(String, u64, Export)>,
    parts: &Parts,
    print: &(dyn Fn(DocId) -> u64 + Sync),
    keep: bool,
    out: &dyn Output,
    slowest: Option<&crate::telemetry::Jobs>,
) -> Vec<Made> {
    todo.into_par_iter()
        .map(|(path, fingerprint, e)| {
            let started = std::time::Instant::now();
            let file = OutputFile::new(path.clone(), make(facts, e, parts, print));
            if let Some(s) = slowest {
                s.record(started, &path, "exports");
            }
            hand_on(out, keep, path, fingerprint, Ok(file))
        })
        .collect()
}

/// Export `e`: made customer by customer into one buffer, or, when `parts` keeps them, put
/// together from the parts whose fingerprint (`print`) did not change.
pub fn make(cx: &Facts, e: Export, parts: &Parts, print: &(dyn Fn(DocId) -> u64 + Sync)) -> Vec<u8> {
    if e == Export::ProgressJson {
        return crate::sales::progress::progress_json(cx.progress(), cx.history).into_bytes();
    }
    let members: Vec<DocId> = match e {
        Export::VisitsIcs => ics_members(cx),
        Export::OwnerIcs(n) => reminders::owner_members(cx, n, ics_members(cx)),
        Export::CommitmentsJson => return reminders::commitments_json(cx),
        Export::VisitsJson => return reminders::visits_json(cx),
        _ => customers(cx).map(|(id, _, _)| id).collect(),
    };
    let (mut out, tail): (Vec<u8>, &[u8]) = match e {
        Export::CustomersCsv => (csv_head(cx), b""),
        Export::CustomersJson => (Vec::with_capacity(members.len() * 512 + 2), b"]\n"),
        _ => (ics_head(cx), b"END:VCALENDAR\r\n"),
    };
    if e == Export::CustomersJson {
        out.push(b'[');
    }
    let sep = |out: &mut Vec<u8>, i: usize| {
        if e == Export::CustomersJson && i > 0 {
            out.push(b',');
        }
    };
    if let Some(slot) = e.slot().filter(|_| parts.keep) {
        // Taken out while the parts are made (one job per export: no one else waits).
        let slot = &parts.by_export[slot];
        let old = std::mem::take(&mut *slot.lock().unwrap_or_else(|e| e.into_inner()));
        let made: Vec<(DocId, u64, Arc<[u8]>)> = members
            .par_iter()
            .map(|&id| {
                let p = print(id);
                let kept = old.get(id.0).and_then(Option::as_ref).filter(|(kept, _)| *kept == p);
                if let Some((_, bytes)) = kept {
                    return (id, p, Arc::clone(bytes));
                }
                let mut bytes = Vec::new();
                part(cx, e, id, &mut bytes);
                (id, p, bytes.into())
            })
            .collect();
        drop(old);
        let mut kept: Vec<Option<Part>> = vec![None; cx.site.docs.len()];
        for (i, (id, p, bytes)) in made.into_iter().enumerate() {
            sep(&mut out, i);
            out.extend_from_slice(&bytes);
            kept[id.0] = Some((p, bytes));
        }
        *slot.lock().unwrap_or_else(|e| e.into_inner()) = kept;
    } else {
        // Straight into the file's bytes: at 40,000 customers the text is tens of megabytes,
        // and copies of it were the build's peak memory.
        for (i, &id) in members.iter().enumerate() {
            sep(&mut out, i);
            part(cx, e, id, &mut out);
        }
    }
    out.extend_from_slice(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_for_html_escapes_every_angle_bracket_and_ampersand() {
        let mut out = Vec::new();
        let value = serde_json::json!({"a<b": "</script><b>&amp;", "plain": "华东 & <x>", "n": 1});
        serde_json::to_writer(HtmlSafe(&mut out), &value).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            r#"{"a\u003cb":"\u003c/script\u003e\u003cb\u003e\u0026amp;","n":1,"plain":"华东 \u0026 \u003cx\u003e"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn calendar_dates_as_chrono_writes_them() {
        for (y, m, d) in [
            (2026, 11, 23),
            (999, 1, 31),
            (0, 3, 1),
            (9999, 12, 31),
            (10000, 1, 1),
            (-5, 2, 2),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(ics_date(date), date.format("%Y%m%d").to_string());
        }
    }

    #[test]
    fn formulas_are_neutralised_and_lines_folded() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")".into()), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("@SUM(A1)".into()), "'@SUM(A1)");
        assert_eq!(neutralise("华东".into()), "华东");
        assert_eq!(neutralise(" =1+1".into()), "' =1+1");
        assert_eq!(neutralise("\n@SUM(A1)".into()), "'\n@SUM(A1)");
        assert_eq!(neutralise("'=x".into()), "''=x", "the import takes exactly one ' off");
        assert_eq!(escape_item("华东, 华南|a;b\\c "), "华东\\, 华南\\|a\\;b\\\\c\\ ");
        let mut out = String::new();
        ics_line(&mut out, &format!("SUMMARY:{}", "客".repeat(40)));
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{line}");
        }
        assert_eq!(out.replace("\r\n ", ""), format!("SUMMARY:{}\r\n", "客".repeat(40)));
        assert_eq!(ics_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn calendar_text_holds_no_control_characters() {
        let text = ics_text("a\u{b}b\u{0}c\u{7f}d\te\r\nf\u{1b}[31m\u{85}g");
        assert_eq!(text, "abcd\te\\nf[31mg");
        assert!(!text.chars().any(|c| c.is_control() && c != '\t'), "{text:?}");
        // Text that skips the character loop comes out as the loop would write it.
        for s in [
            "华东精密 · ¥12,000",
            "plain",
            "x\u{9f}y",
            "\u{a0}nbsp",
            "a;b\\c",
            "",
            "é\u{80}",
        ] {
            let by_char: String = s
                .chars()
                .flat_map(|c| match c {
                    '\\' | ';' | ',' => vec!['\\', c],
                    '\n' => vec!['\\', 'n'],
                    '\t' => vec!['\t'],
                    c if c.is_control() => vec![],
                    c => vec![c],
                })
                .collect();
            assert_eq!(ics_text(s), by_char, "{s:?}");
        }
    }
}
