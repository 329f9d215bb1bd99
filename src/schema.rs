//! `salesbook schema`: JSON Schemas (draft 2020-12) for each page kind's front matter and for
//! `salesbook.yaml`, so that an editor's YAML tooling flags a misspelt stage or a date written
//! `2026/12/20` before `check` runs.
//!
//! Nothing here is a second list of values: the fixed values and every name they go by come
//! from `crate::words` (the table front matter reads), the stages and their names from the
//! site's own config, and the config's keys from a serialized default `SiteConfig`. A schema
//! accepts what `check` accepts without an error: a fixed value's id or any of its names,
//! compared as `words` compares them (any case, full-width letters, spaces or `_` for `-`).
//! Unknown front-matter fields are only warned about by `check` (templates may read them), so
//! the page schemas allow them; `salesbook.yaml` refuses unknown keys, and so does its schema.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::config::{Outcome, SiteConfig};
use crate::format::Labels;
use crate::model::{Kind, Level, PriceLevel, Relationship, Role, Style, Tier, VisitKind};
use crate::words::{self, Word};

pub const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The file name of a page kind's schema.
pub fn file_name(kind: Kind) -> String {
    format!("{}.schema.json", kind.id())
}

/// The file name of the config's schema.
pub const CONFIG_SCHEMA: &str = "salesbook.yaml.schema.json";

/// Every schema, by file name: one per page kind, then the config's.
pub fn all(config: &SiteConfig) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = Kind::ALL
        .iter()
        .map(|k| (file_name(*k), front_matter(*k, config)))
        .collect();
    out.push((CONFIG_SCHEMA.to_owned(), config_schema()));
    out
}

/// Writes every schema into `out` (created if missing); returns the files written.
pub fn write(out: &Path, config: &SiteConfig) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out)?;
    let mut written = Vec::new();
    for (name, schema) in all(config) {
        let path = out.join(name);
        let mut text = serde_json::to_string_pretty(&schema).map_err(std::io::Error::other)?;
        text.push('\n');
        std::fs::write(&path, text)?;
        written.push(path);
    }
    Ok(written)
}

/// The theme's labels, zh-CN then en.
struct Words {
    zh: Labels,
    en: Labels,
}

impl Words {
    fn new() -> Self {
        let mut l = crate::render::theme::default_labels().into_iter();
        let zh = l.next().unwrap_or_default();
        let en = l.next().unwrap_or_default();
        Words { zh, en }
    }

    /// "id — 中文 / English" when the theme labels `key`.
    fn label(&self, key: &str, id: &str) -> Option<String> {
        let (zh, en) = (self.zh.get(key), self.en.get(key));
        (zh != key && en != key).then(|| format!("{id} — {zh} / {en}"))
    }
}

/// `v` or null (a field written with no value is taken as absent); the description stays on
/// top, where editors show it.
fn nullable(v: Value) -> Value {
    let description = v.get("description").cloned();
    let mut out = json!({"anyOf": [v, {"type": "null"}]});
    if let (Some(d), Some(o)) = (description, out.as_object_mut()) {
        o.insert("description".to_owned(), d);
    }
    out
}

/// A line of text: YAML may read a number or `true` where text was meant; `check` takes it.
fn text() -> Value {
    json!({"type": ["string", "number", "boolean"]})
}

fn date() -> Value {
    json!({"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})
}

fn number(minimum: f64) -> Value {
    json!({"type": "number", "minimum": minimum, "maximum": crate::model::MAX_NUMBER})
}

fn fraction() -> Value {
    json!({"type": "number", "minimum": 0, "maximum": 1})
}

/// A list, or one item written on its own (`tags: 华东` is `tags: [华东]`).
fn list(item: Value) -> Value {
    json!({"anyOf": [{"type": "array", "items": item.clone()}, item]})
}

fn object(props: Map<String, Value>, required: &[&str]) -> Value {
    json!({"type": "object", "properties": props, "required": required, "additionalProperties": true})
}

/// A regular expression that matches `name` as `words` compares names: after NFKC, without
/// case, with any run of spaces, `_` and `-` for a `-`. Written with character classes only,
/// so that every validator's regex dialect (ECMA-262, Python) reads it alike.
fn name_pattern(name: &str) -> String {
    let mut out = String::new();
    for c in words::normal(name).chars() {
        if c == '-' {
            out.push_str("[\\s_\\-\u{ff0d}\u{ff3f}]+");
            continue;
        }
        // A full-width form (U+FF01..U+FF5E) is the ASCII character under NFKC.
        let wide = |c: char| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c);
        let mut forms = vec![c];
        let upper: Vec<char> = c.to_uppercase().collect();
        if let [u] = upper[..] {
            forms.push(u);
        }
        if c.is_ascii_graphic() {
            forms.extend([wide(c), wide(c.to_ascii_uppercase())]);
        }
        forms.dedup();
        out.push('[');
        for f in forms {
            if "^$\\.*+?()[]{}|/-".contains(f) {
                out.push('\\');
            }
            out.push(f);
        }
        out.push(']');
    }
    out
}

/// A fixed value: its exact names as an enum (what an editor completes), or any spelling
/// `words` reads as one of them.
fn named(names: &[&str], description: String) -> Value {
    let mut exact: Vec<&str> = Vec::new();
    // A name that is only spaces names nothing (`words` reads it as no value).
    for n in names.iter().filter(|n| !words::normal(n).is_empty()) {
        if !exact.contains(n) {
            exact.push(n);
        }
    }
    let alternatives: Vec<String> = exact.iter().map(|n| name_pattern(n)).collect();
    let pattern = format!("^\\s*(?:{})\\s*$", alternatives.join("|"));
    json!({
        "description": description,
        "anyOf": [
            {"enum": exact},
            {"type": "string", "pattern": pattern}
        ]
    })
}

/// The schema of a value of `W`, its description listing each value with its labels.
fn word<W: Word>(w: &Words, field: &str, label_prefix: &str) -> Value {
    let mut names = Vec::new();
    let mut lines = Vec::new();
    for v in W::all() {
        names.push(v.id());
        names.extend(v.names().iter().copied());
        let key = format!("{label_prefix}_{}", v.id().replace('-', "_"));
        lines.push(
            w.label(&key, v.id())
                .unwrap_or_else(|| format!("{} — {}", v.id(), words::zh(*v))),
        );
    }
    let head = w.label(field, field).unwrap_or_else(|| field.to_owned());
    named(&names, format!("{head}\n{}", lines.join("\n")))
}

/// A stage of this site: its id, labels, or the default funnel's names of it.
fn stage(w: &Words, config: &SiteConfig) -> Value {
    let all = words::stage_all_names(config);
    let names: Vec<&str> = all.iter().flatten().copied().collect();
    let lines: Vec<String> = config
        .stages
        .iter()
        .map(|s| format!("{} — {} / {}", s.id, s.label, s.label_en.as_deref().unwrap_or(&s.id)))
        .collect();
    let head = w.label("stage", "stage").unwrap_or_else(|| "stage".to_owned());
    named(&names, format!("{head}\n{}", lines.join("\n")))
}

fn props(entries: Vec<(&str, Value)>) -> Map<String, Value> {
    entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// The fields of `kind` beyond the ones every page has.
fn kind_props(kind: Kind, w: &Words, config: &SiteConfig) -> Vec<(&'static str, Value)> {
    let lines = || list(text());
    match kind {
        Kind::Customer => customer_props(w, config),
        Kind::Competitor => vec![
            ("products", lines()),
            ("price_level", word::<PriceLevel>(w, "price_level", "price")),
            ("market_share", fraction()),
            ("strengths", lines()),
            ("weaknesses", lines()),
            ("strategy", text()),
        ],
        Kind::VisitScript => vec![
            ("visit_kind", word::<VisitKind>(w, "visit_kind", "visit")),
            ("stages", list(stage(w, config))),
            ("duration_minutes", number(-crate::model::MAX_NUMBER)),
        ],
        Kind::Spin => vec![
            ("product", text()),
            ("industry", text()),
            ("situation", lines()),
            ("problem", lines()),
            ("implication", lines()),
            ("need_payoff", lines()),
        ],
        Kind::Fab => {
            let row = props(
                ["feature", "function", "advantage", "benefit"]
                    .map(|k| (k, nullable(text())))
                    .to_vec(),
            );
            vec![
                ("product", text()),
                ("rows", json!({"type": "array", "items": object(row, &[])})),
            ]
        }
        Kind::Guide | Kind::Page => Vec::new(),
    }
}

fn customer_props(w: &Words, config: &SiteConfig) -> Vec<(&'static str, Value)> {
    let contact = props(vec![
        ("name", text()),
        ("title", nullable(text())),
        ("role", nullable(word::<Role>(w, "role", "role"))),
        ("style", nullable(word::<Style>(w, "style", "style"))),
        (
            "relationship",
            nullable(word::<Relationship>(w, "relationship", "bond")),
        ),
        ("phone", nullable(text())),
        ("notes", nullable(text())),
    ]);
    let visit = props(vec![
        ("date", nullable(date())),
        ("kind", nullable(word::<VisitKind>(w, "visit_kind", "visit"))),
        ("goal", nullable(text())),
        ("outcome", nullable(text())),
        ("commitment", nullable(text())),
        ("commitment_due", nullable(date())),
        (
            "commitment_done",
            json!({"anyOf": [date(), {"type": ["boolean", "null"]}]}),
        ),
    ]);
    let order = props(vec![
        ("date", nullable(date())),
        ("amount", nullable(number(0.0))),
        ("paid", nullable(number(0.0))),
    ]);
    vec![
        ("industry", text()),
        ("region", text()),
        ("owner", text()),
        ("stage", stage(w, config)),
        ("tier", word::<Tier>(w, "tier", "tier")),
        ("value", number(0.0)),
        ("probability", fraction()),
        ("expected_close", date()),
        ("potential", word::<Level>(w, "potential", "level")),
        ("share", word::<Level>(w, "share", "level")),
        ("competitors", list(text())),
        (
            "contacts",
            json!({"type": "array", "items": object(contact, &["name"])}),
        ),
        ("visits", json!({"type": "array", "items": object(visit, &[])})),
        ("next_visit", date()),
        ("orders", json!({"type": "array", "items": object(order, &[])})),
    ]
}

/// The schema of a page of `kind`'s front matter. In `playbooks/`, `kind:` chooses among
/// spin, fab and guide; elsewhere the folder decides.
pub fn front_matter(kind: Kind, config: &SiteConfig) -> Value {
    let w = Words::new();
    let playbook = matches!(kind, Kind::Spin | Kind::Fab | Kind::Guide);
    let kind_field = if playbook {
        json!({"enum": [kind.id()], "description": "spin, fab or guide: what a playbooks/ page is"})
    } else {
        json!({"type": ["string", "number", "boolean"], "description": "decided by the page's folder; another value is ignored"})
    };
    let visibility = |what: &str| json!({"type": "boolean", "description": what});
    let mut fields = props(vec![
        (
            "title",
            json!({"type": ["string", "number", "boolean"], "pattern": "\\S", "description": "the page title"}),
        ),
        ("slug", text()),
        ("tags", list(text())),
        ("aliases", list(text())),
        ("draft", visibility("true: left out of builds without --drafts")),
        ("confidential", visibility("true: left out of --public builds")),
        ("updated", date()),
        ("kind", kind_field),
    ]);
    for (key, schema) in kind_props(kind, &w, config) {
        fields.insert(key.to_owned(), schema);
    }
    // Every field but the visibility ones may be null (taken as absent).
    for (key, schema) in fields.iter_mut() {
        if !matches!(key.as_str(), "title" | "draft" | "confidential") {
            *schema = nullable(schema.take());
        }
    }
    let private = json!({
        "description": "fields that only internal builds show: a --public build drops them unread",
        "type": ["object", "null"],
        "properties": fields.clone(),
        "additionalProperties": true,
        "not": {"required": ["private"]}
    });
    fields.insert("private".to_owned(), private);
    let mut required = vec!["title"];
    if matches!(kind, Kind::Spin | Kind::Fab) {
        required.push("kind");
    }
    json!({
        "$schema": DRAFT,
        "title": format!("salesbook {} front matter", kind.id()),
        "description": "Unknown fields are allowed (check warns about them; templates can read them).",
        "type": "object",
        "properties": fields,
        "required": required,
        "additionalProperties": true
    })
}

/// The schema of one top-level config key, by its default value's key; `None` for a key
/// this function does not know yet (the unit test fails on it).
fn config_key(key: &str) -> Option<Value> {
    let s = |d: &str| json!({"type": "string", "description": d});
    let b = |d: &str| json!({"type": "boolean", "description": d});
    let quotas = json!({"type": "object", "additionalProperties": {"type": "number"}});
    Some(match key {
        "title" => s("the site's title"),
        "language" => json!({
            "enum": [crate::config::Language::ZhCn.id(), crate::config::Language::En.id()],
            "description": "the site's language: zh-CN (中文) or en (English)"
        }),
        "base_url" => s("where the site is published, e.g. / or https://sales.example.com/"),
        "theme" => s("the theme folder under themes/"),
        "currency" => s("the currency code, e.g. CNY"),
        "money_in_wan" => b("show money in 万: ¥120 万 instead of ¥1,200,000"),
        "today" => json!({"anyOf": [date(), {"type": "null"}], "description": "pins \"today\" (YYYY-MM-DD)"}),
        "stale_after_days" => {
            json!({"type": "integer", "description": "days without a visit before a customer is stale"})
        }
        "small_order_threshold" => {
            json!({"type": "number", "minimum": 0, "description": "orders below this are small"})
        }
        "count_confidential" => {
            b("in --public builds, confidential customers still count in the funnel's figures, anonymously")
        }
        "search" => b("build the search index, page and box"),
        "allow_indexing" => b("let search engines index an internal build (it holds confidential data)"),
        "warn_visit_without_commitment" => b("warn about a logged visit with no commitment"),
        "stages" => json!({"type": "array", "items": stage_schema()?, "description": "the funnel's stages, in order"}),
        "quota" => {
            json!({"type": "object", "additionalProperties": {"type": "number"}, "description": "the team's quota by quarter: {2026-Q4: 6000000}"})
        }
        "owner_quota" => {
            json!({"type": "object", "additionalProperties": quotas, "description": "each rep's quota by quarter: {张伟: {2026-Q4: 2000000}}"})
        }
        "rates_quarters" => {
            json!({"type": "integer", "minimum": 0, "description": "the window of the measured rates, in quarters"})
        }
        _ => return None,
    })
}

/// A stage as configured, from a serialized default stage's keys.
fn stage_schema() -> Option<Value> {
    let default = SiteConfig::default();
    let first = serde_json::to_value(default.stages.first()?).ok()?;
    let mut fields = Map::new();
    for key in first.as_object()?.keys() {
        let v = match key.as_str() {
            "id" => json!({"type": "string", "description": "the stage's id: letters, digits, - and _"}),
            "label" => json!({"type": "string", "description": "the stage's name (zh-CN)"}),
            "label_en" => json!({"type": ["string", "null"], "description": "the stage's English name"}),
            "probability" => {
                json!({"type": "number", "minimum": 0, "maximum": 1, "description": "the chance a deal at this stage is won"})
            }
            "outcome" => json!({"enum": Outcome::IDS, "description": "open, won or lost"}),
            "visit_every_days" => {
                json!({"type": ["integer", "null"], "minimum": 1, "maximum": 3650, "description": "days between visits at this stage"})
            }
            _ => return None,
        };
        fields.insert(key.clone(), v);
    }
    Some(json!({
        "type": "object",
        "properties": fields,
        "required": ["id", "label", "probability"],
        "additionalProperties": false
    }))
}

/// The schema of `salesbook.yaml`: every key of the config, and no other.
pub fn config_schema() -> Value {
    let default = serde_json::to_value(SiteConfig::default()).unwrap_or_default();
    let mut fields = Map::new();
    for key in default
        .as_object()
        .map(|m| m.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        fields.insert(key.clone(), config_key(&key).unwrap_or_else(|| json!({})));
    }
    json!({
        "$schema": DRAFT,
        "title": "salesbook.yaml",
        "type": "object",
        "properties": fields,
        "additionalProperties": false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enum_of(schema: &Value) -> Vec<String> {
        let exact = schema["anyOf"]
            .as_array()
            .and_then(|a| a.iter().find(|v| v.get("enum").is_some()))
            .expect("an enum");
        let exact = exact.get("enum").and_then(|e| e.as_array()).expect("enum values");
        exact.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
    }

    /// `schema.properties.field`, through `nullable`.
    fn field<'a>(schema: &'a Value, path: &[&str]) -> &'a Value {
        let mut v = schema;
        for p in path {
            v = &v["properties"][p];
            if v["anyOf"][1] == json!({"type": "null"}) {
                v = &v["anyOf"][0];
            }
        }
        v
    }

    fn names_of<W: Word>() -> Vec<String> {
        let mut out = Vec::new();
        for w in W::all() {
            for n in std::iter::once(w.id()).chain(w.names().iter().copied()) {
                if !out.iter().any(|o| o == n) {
                    out.push(n.to_owned());
                }
            }
        }
        out
    }

    /// Every fixed value and name in the `words` table is in the schema's enum, and nothing
    /// else: a value added to the table and not to the schema fails here.
    #[test]
    fn enums_are_the_words_table() {
        let c = SiteConfig::default();
        let customer = front_matter(Kind::Customer, &c);
        let contact = &field(&customer, &["contacts"])["items"];
        let visit = &field(&customer, &["visits"])["items"];
        let competitor = front_matter(Kind::Competitor, &c);
        let script = front_matter(Kind::VisitScript, &c);
        assert_eq!(enum_of(field(&customer, &["tier"])), names_of::<Tier>());
        assert_eq!(enum_of(field(&customer, &["potential"])), names_of::<Level>());
        assert_eq!(enum_of(field(&customer, &["share"])), names_of::<Level>());
        assert_eq!(enum_of(field(contact, &["role"])), names_of::<Role>());
        assert_eq!(enum_of(field(contact, &["style"])), names_of::<Style>());
        assert_eq!(enum_of(field(contact, &["relationship"])), names_of::<Relationship>());
        assert_eq!(enum_of(field(visit, &["kind"])), names_of::<VisitKind>());
        assert_eq!(enum_of(field(&competitor, &["price_level"])), names_of::<PriceLevel>());
        assert_eq!(enum_of(field(&script, &["visit_kind"])), names_of::<VisitKind>());
        let stages = enum_of(field(&customer, &["stage"]));
        for (i, names) in words::stage_all_names(&c).iter().enumerate() {
            for n in names {
                assert!(stages.iter().any(|s| s == n), "stage name {n}");
                assert_eq!(words::stage(&c, n).map(|s| s.0), Some(i), "{n}");
            }
        }
        for s in &stages {
            assert!(words::stage(&c, s).is_some(), "{s} is a stage");
        }
    }

    /// The config schema's keys are exactly a serialized default config's, each typed and
    /// described; the same for a stage's.
    #[test]
    fn config_schema_has_every_key() {
        let schema = config_schema();
        let props = schema["properties"].as_object().expect("properties");
        let default = serde_json::to_value(SiteConfig::default()).expect("config serializes");
        let keys: Vec<&String> = default.as_object().expect("a map").keys().collect();
        assert_eq!(props.keys().collect::<Vec<_>>(), keys);
        for (k, v) in props {
            assert!(config_key(k).is_some(), "`{k}` has no schema: add it to config_key");
            assert!(v.get("description").is_some(), "`{k}` has no description");
        }
        let stage = stage_schema().expect("every stage key has a schema: add it to stage_schema");
        let default_stage = serde_json::to_value(&SiteConfig::default().stages[0]).expect("stage serializes");
        assert_eq!(
            stage["properties"].as_object().map(|m| m.keys().collect::<Vec<_>>()),
            default_stage.as_object().map(|m| m.keys().collect::<Vec<_>>())
        );
    }

    #[test]
    fn descriptions_carry_both_labels() {
        let s = front_matter(Kind::Customer, &SiteConfig::default()).to_string();
        assert!(s.contains("opportunity — 商机 / Opportunity"), "{s}");
        assert!(s.contains("partner — 伙伴关系 / Partner"), "{s}");
    }

    #[test]
    fn name_patterns_follow_words_comparison() {
        assert_eq!(name_pattern("ab"), "[aAａＡ][bBｂＢ]");
        assert_eq!(name_pattern("a b"), name_pattern("A_B"));
        assert!(name_pattern("向导（内线）").contains("\\("));
    }
}
