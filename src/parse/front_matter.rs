//! Front matter: split from the body, parsed as spanned YAML, checked into typed fields per kind.
//! Every problem is collected; a bad value is dropped (as if absent) so checking goes on.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::yaml::{self, Node, Value};
use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, Pos, suggestion};
use crate::model::{Kind, Level, PriceLevel, Relationship, Role, StageIx, Style, Tier, VisitKind};
use crate::words::{self, Word};

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct At<T> {
    pub value: T,
    pub pos: Pos,
    pub width: usize,
}

#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    pub title: String,
    pub slug: Option<At<String>>,
    pub tags: Vec<String>,
    /// Other names the page goes by (a short name, the English name): search finds them.
    pub aliases: Vec<String>,
    pub draft: bool,
    pub confidential: bool,
    pub updated: Option<NaiveDate>,
    pub kind: Option<Kind>,
    pub customer: Option<Box<Customer>>,
    pub competitor: Option<Competitor>,
    pub script: Option<VisitScript>,
    pub spin: Option<Spin>,
    pub fab: Option<Fab>,
    /// Keys we do not know (already warned about), passed through to templates.
    pub extra: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default)]
pub struct Customer {
    pub industry: Option<String>,
    pub region: Option<String>,
    pub owner: Option<String>,
    pub stage: Option<StageIx>,
    pub tier: Option<Tier>,
    pub value: Option<f64>,
    pub probability: Option<f64>,
    pub expected_close: Option<NaiveDate>,
    pub potential: Option<Level>,
    pub share: Option<Level>,
    pub competitors: Vec<At<String>>,
    pub contacts: Vec<Contact>,
    pub visits: Vec<Visit>,
    pub next_visit: Option<NaiveDate>,
    pub orders: Vec<Order>,
    /// Where `tier:`'s value is written (place, width), for `check`'s warnings about it
    /// (`sales::tiers::mismatches`).
    pub tier_at: Option<(Pos, usize)>,
}

#[derive(Debug, Clone, Default)]
pub struct Contact {
    pub name: String,
    pub title: Option<String>,
    pub role: Option<Role>,
    pub style: Option<Style>,
    pub relationship: Option<Relationship>,
    pub phone: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Visit {
    pub date: Option<NaiveDate>,
    pub kind: Option<VisitKind>,
    pub goal: Option<String>,
    pub outcome: Option<String>,
    pub commitment: Option<String>,
    /// When the customer's commitment is due (`commitment_due:`).
    pub commitment_due: Option<NaiveDate>,
    /// Whether it was kept (`commitment_done:` a date, or `true`).
    pub commitment_done: Option<Done>,
    /// Where the visit's entry starts (its `-`), for the diagnostics about it.
    pub pos: Pos,
}

/// A kept commitment: on a known day, or just kept (`commitment_done: true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    On(NaiveDate),
    Yes,
}

#[derive(Debug, Clone, Default)]
pub struct Order {
    pub date: Option<NaiveDate>,
    pub amount: f64,
    pub paid: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Competitor {
    pub products: Vec<String>,
    pub price_level: Option<PriceLevel>,
    pub market_share: Option<f64>,
    pub strengths: Vec<String>,
    pub weaknesses: Vec<String>,
    pub strategy: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct VisitScript {
    pub visit_kind: Option<VisitKind>,
    pub stages: Vec<StageIx>,
    pub duration_minutes: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct Spin {
    pub product: Option<String>,
    pub industry: Option<String>,
    pub situation: Vec<String>,
    pub problem: Vec<String>,
    pub implication: Vec<String>,
    pub need_payoff: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct FabRow {
    pub feature: String,
    pub function: String,
    pub advantage: String,
    pub benefit: String,
}

#[derive(Debug, Clone, Default)]
pub struct Fab {
    pub product: Option<String>,
    pub rows: Vec<FabRow>,
}

/// Where the parts of a file are: the YAML text, the line it starts on, the body and its offset.
pub struct Split<'a> {
    pub yaml: &'a str,
    /// Lines before the YAML (the opening `---`).
    pub yaml_line_offset: usize,
    pub body: &'a str,
    pub body_offset: usize,
}

/// Splits `---` front matter from the body.
pub fn split<'a>(file: &str, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let first = text.lines().next().unwrap_or("");
    if first.trim_end() != "---" {
        // Not shown: a file without front matter may be anything (a link to a key file),
        // and a diagnostic must not print what is in it.
        let d = Diagnostic::error(file, "this page has no front matter");
        return Err(Diagnostic {
            line: 1,
            column: 1,
            ..d
        }
        .help("start the file with a `---` line, then `title: …`, then a closing `---` line"));
    }
    let yaml_start = first.len() + 1;
    let mut offset = yaml_start.min(text.len());
    for line in text[offset..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let body_offset = offset + line.len();
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line_offset: 1,
                body: &text[body_offset..],
                body_offset,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(file, "front matter is not closed")
        .at(text, Pos::new(1, 1), 3)
        .help("add a line with `---` after the last front-matter field"))
}

/// Fields that decide whether a page is published at all: honoured wherever they are written,
/// so that `confidential: true` under `private:` still keeps the page out of `--public` builds.
const VISIBILITY_KEYS: [&str; 2] = ["confidential", "draft"];

/// Parses and checks the front matter of a file whose folder gives `section_kind`.
/// `private:` holds fields that only internal builds show (a customer's phone numbers, the
/// deal's real value): they count as the page's own fields, and a `--public` build drops them
/// before anything reads them, so they cannot reach any output. `confidential` and `draft`
/// are kept in every build ([`VISIBILITY_KEYS`]).
pub(crate) fn apply_private(file: &str, text: &str, mut root: Node, public: bool, diags: &mut Vec<Diagnostic>) -> Node {
    let is_key = |k: &Node, name: &str| matches!(&k.value, Value::Str(s) if s == name);
    let Value::Map(entries) = &mut root.value else {
        return root;
    };
    let Some(at) = entries.iter().position(|(k, _)| is_key(k, "private")) else {
        return root;
    };
    let (_, private) = entries.remove(at);
    match private.value {
        Value::Map(fields) => {
            let outside: std::collections::HashSet<String> = entries.iter().filter_map(|(k, _)| k.as_text()).collect();
            for (k, v) in fields {
                let visibility = matches!(&k.value, Value::Str(name) if VISIBILITY_KEYS.contains(&name.as_str()));
                if public && !visibility {
                    // Dropped unread, but a misspelt `confidential` is still an error here,
                    // as it is in an internal build.
                    if let Some(name) = k.as_text()
                        && let Some(d) = hiding_typo(file, text, &name, k.pos)
                    {
                        diags.push(d);
                    }
                    continue;
                }
                if let Value::Str(name) = &k.value
                    && outside.contains(name)
                {
                    let d = Diagnostic::error(file, format!("`{name}` is both under `private:` and outside it"));
                    diags.push(
                        d.at(text, k.pos, k.width())
                            .help("keep it in one place: under `private:` to leave it out of --public builds"),
                    );
                    continue;
                }
                entries.push((k, v));
            }
        }
        Value::Null => {}
        _ => {
            let d = Diagnostic::error(
                file,
                format!("`private:` must be a map of fields, found {}", private.type_name()),
            );
            diags.push(
                d.at(text, private.pos, private.width())
                    .help("indent the private fields under it, e.g. `private:` then `  value: 1200000`"),
            );
        }
    }
    root
}

/// Parses and checks the front matter of a page whose folder gives `section_kind`: the YAML
/// with its `private:` fields applied, the fields every page has, its kind, the fields of
/// that kind, and a warning for each field left over.
pub fn parse(
    file: &str,
    text: &str,
    split: &Split,
    section_kind: Kind,
    config: &SiteConfig,
    public: bool,
) -> (FrontMatter, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let root = match yaml_root(file, text, split, public, &mut diags) {
        Ok(root) => root,
        Err(d) => return (FrontMatter::default(), vec![d]),
    };
    let source = Source::new(text);
    let mut f = Fields::new(file, &source, &root, &mut diags, "front matter");
    let mut fm = FrontMatter {
        title: title(&mut f),
        ..FrontMatter::default()
    };
    fm.slug = f.str("slug");
    fm.tags = f.str_list("tags");
    fm.aliases = f.str_list("aliases");
    fm.draft = f.visibility("draft");
    fm.confidential = f.visibility("confidential");
    fm.updated = f.date("updated");
    let kind = page_kind(&mut f, section_kind);
    fm.kind = Some(kind);
    let mut known: Vec<&str> = PAGE_KEYS.to_vec();
    known.extend(kind_fields(&mut f, kind, config, &mut fm));
    fm.extra = f.finish(&known);
    (fm, diags)
}

/// The fields every page may have.
const PAGE_KEYS: [&str; 8] = [
    "title",
    "slug",
    "tags",
    "draft",
    "confidential",
    "updated",
    "kind",
    "aliases",
];

/// The front matter's YAML, its `private:` fields applied (see [`apply_private`]), or the
/// one error that stops the page: the YAML cannot be read.
fn yaml_root(
    file: &str,
    text: &str,
    split: &Split,
    public: bool,
    diags: &mut Vec<Diagnostic>,
) -> Result<Node, Diagnostic> {
    match yaml::parse(split.yaml, split.yaml_line_offset) {
        Ok(n) => Ok(apply_private(file, text, n, public, diags)),
        Err(e) => {
            let help = if e.message.contains("budget") || e.message.contains("recursion limit") {
                "front matter this large or this deeply nested is refused (at most 250,000 values, \
                 64 levels and 1,000 aliases): is this file meant to be a page?"
            } else {
                "check the indentation and quoting of this line; text with `: ` or `#` needs quotes"
            };
            let d = Diagnostic::error(file, format!("invalid YAML in front matter: {}", e.message))
                .at(text, e.pos, 1)
                .help(help);
            Err(d)
        }
    }
}

/// `title`, required and not empty (empty when it is not given: the caller names the page
/// after its file).
fn title(f: &mut Fields) -> String {
    let (file, text) = (f.file, f.text.text);
    match f.str("title") {
        Some(t) if !t.value.trim().is_empty() => return t.value.trim().to_owned(),
        Some(t) => {
            let d = Diagnostic::error(file, "`title` is empty").at(text, t.pos, 1);
            f.diags
                .push(d.help("give the page a title: `title: 华东精密机械有限公司`"));
        }
        None => {
            let d = Diagnostic::error(file, "missing `title`").at(text, Pos::new(1, 1), 3);
            f.diags
                .push(d.help("every page needs a title: add `title: …` to the front matter"));
        }
    }
    String::new()
}

/// The page's kind: its folder's, or, in `playbooks/`, the one `kind:` chooses. Elsewhere a
/// `kind:` that names another kind is warned about and ignored.
fn page_kind(f: &mut Fields, section_kind: Kind) -> Kind {
    let (file, text) = (f.file, f.text.text);
    match section_kind {
        Kind::Guide => f.id_enum("kind", &["spin", "fab", "guide"], |s| match s {
            "spin" => Some(Kind::Spin),
            "fab" => Some(Kind::Fab),
            "guide" => Some(Kind::Guide),
            _ => None,
        }),
        other => {
            if let Some(k) = f.str("kind").filter(|k| k.value != other.id()) {
                let d = Diagnostic::warning(
                    file,
                    format!("`kind: {}` is ignored: this folder holds {} pages", k.value, other.id()),
                );
                f.diags.push(
                    d.at(text, k.pos, k.width)
                        .help("move the file to the folder of its kind"),
                );
            }
            None
        }
    }
    .unwrap_or(section_kind)
}

/// The fields of the page's kind, typed into `fm`; returns their keys.
fn kind_fields(f: &mut Fields, kind: Kind, config: &SiteConfig, fm: &mut FrontMatter) -> Vec<&'static str> {
    match kind {
        Kind::Customer => {
            fm.customer = Some(Box::new(customer(f, config)));
            CUSTOMER_KEYS.to_vec()
        }
        Kind::Competitor => {
            fm.competitor = Some(Competitor {
                products: f.str_list("products"),
                price_level: f.word::<PriceLevel>("price_level", "price level"),
                market_share: f.fraction("market_share"),
                strengths: f.str_list("strengths"),
                weaknesses: f.str_list("weaknesses"),
                strategy: f.text("strategy"),
            });
            vec![
                "products",
                "price_level",
                "market_share",
                "strengths",
                "weaknesses",
                "strategy",
            ]
        }
        Kind::VisitScript => {
            let visit_kind = f.word::<VisitKind>("visit_kind", "visit kind");
            let stages = f
                .list("stages")
                .into_iter()
                .filter_map(|n| f.stage_of(n, config))
                .collect();
            fm.script = Some(VisitScript {
                visit_kind,
                stages,
                duration_minutes: f.number("duration_minutes"),
            });
            vec!["visit_kind", "stages", "duration_minutes"]
        }
        Kind::Spin => {
            fm.spin = Some(Spin {
                product: f.text("product"),
                industry: f.text("industry"),
                situation: f.str_list("situation"),
                problem: f.str_list("problem"),
                implication: f.str_list("implication"),
                need_payoff: f.str_list("need_payoff"),
            });
            vec![
                "product",
                "industry",
                "situation",
                "problem",
                "implication",
                "need_payoff",
            ]
        }
        Kind::Fab => {
            fm.fab = Some(fab(f));
            vec!["product", "rows"]
        }
        Kind::Guide | Kind::Page => Vec::new(),
    }
}

/// A FAB table: the product, and a row of feature, function, advantage and benefit each.
fn fab(f: &mut Fields) -> Fab {
    let product = f.text("product");
    let rows = f
        .list("rows")
        .into_iter()
        .filter_map(|n| {
            let mut r = f.sub(n, "FAB row")?;
            let row = FabRow {
                feature: r.text("feature").unwrap_or_default(),
                function: r.text("function").unwrap_or_default(),
                advantage: r.text("advantage").unwrap_or_default(),
                benefit: r.text("benefit").unwrap_or_default(),
            };
            r.finish(&["feature", "function", "advantage", "benefit"]);
            Some(row)
        })
        .collect();
    Fab { product, rows }
}

/// What an `_index.md` may say about its section's text: a title, and whether the text is
/// published (`confidential`, `draft`, also under `private:`); other fields are warned about.
#[derive(Debug, Clone, Default)]
pub struct SectionFields {
    pub title: Option<String>,
    pub draft: bool,
    pub confidential: bool,
}

/// Parses the front matter of an `_index.md`, with the same `private:` rules as a page's.
pub fn parse_section(file: &str, text: &str, split: &Split, public: bool) -> (SectionFields, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let root = match yaml::parse(split.yaml, split.yaml_line_offset) {
        Ok(n) => apply_private(file, text, n, public, &mut diags),
        Err(e) => {
            let d = Diagnostic::error(file, format!("invalid YAML in front matter: {}", e.message)).at(text, e.pos, 1);
            return (SectionFields::default(), vec![d]);
        }
    };
    let source = Source::new(text);
    let mut f = Fields::new(file, &source, &root, &mut diags, "front matter");
    let fields = SectionFields {
        title: f.text("title"),
        draft: f.visibility("draft"),
        confidential: f.visibility("confidential"),
    };
    f.finish(&["title", "draft", "confidential"]);
    (fields, diags)
}

const CUSTOMER_KEYS: [&str; 15] = [
    "industry",
    "region",
    "owner",
    "stage",
    "tier",
    "value",
    "probability",
    "expected_close",
    "potential",
    "share",
    "competitors",
    "contacts",
    "visits",
    "next_visit",
    "orders",
];

fn customer(f: &mut Fields, config: &SiteConfig) -> Customer {
    let stage = match f.take("stage") {
        Some(n) => f.stage_of(n, config),
        None => {
            let d = Diagnostic::warning(f.file, "customer has no `stage`; it is left out of the funnel");
            let help = format!("add `stage:` with one of: {}", config.stage_ids().join(", "));
            f.diags.push(f.text.at(d, Pos::new(1, 1), 3).help(help));
            None
        }
    };
    let tier_at = f.place("tier");
    let mut c = Customer {
        industry: f.text("industry"),
        region: f.text("region"),
        owner: f.text("owner"),
        stage,
        tier: f.word::<Tier>("tier", "tier"),
        value: f.number("value"),
        probability: f.fraction("probability"),
        expected_close: f.date("expected_close"),
        potential: f.word::<Level>("potential", "potential"),
        share: f.word::<Level>("share", "share"),
        competitors: f.list("competitors").into_iter().filter_map(|n| f.str_of(n)).collect(),
        next_visit: f.date("next_visit"),
        tier_at,
        ..Customer::default()
    };
    if let Some(v) = c.value.filter(|v| *v < 0.0) {
        let d = Diagnostic::error(f.file, format!("`value` is negative ({v})"));
        f.diags
            .push(d.help("the expected deal value is an amount of money, 0 or more"));
        c.value = None;
    }
    for n in f.list("contacts") {
        let Some(mut s) = f.sub(n, "contact") else {
            continue;
        };
        let name = s.text("name");
        if name.is_none() {
            let d = s.text.at(Diagnostic::error(s.file, "contact has no `name`"), n.pos, 1);
            s.diags.push(d.help("add `name: …` to this contact"));
        }
        c.contacts.push(Contact {
            name: name.unwrap_or_default(),
            title: s.text("title"),
            role: s.word::<Role>("role", "role"),
            style: s.word::<Style>("style", "style"),
            relationship: s.word::<Relationship>("relationship", "relationship level"),
            phone: s.text("phone"),
            notes: s.text("notes"),
        });
        s.finish(&["name", "title", "role", "style", "relationship", "phone", "notes"]);
    }
    for n in f.list("visits") {
        let Some(mut s) = f.sub(n, "visit") else {
            continue;
        };
        c.visits.push(Visit {
            date: s.date("date"),
            kind: s.word::<VisitKind>("kind", "visit kind"),
            goal: s.text("goal"),
            outcome: s.text("outcome"),
            commitment: s.text("commitment"),
            commitment_due: s.date("commitment_due"),
            commitment_done: s.done("commitment_done"),
            pos: n.pos,
        });
        s.finish(&[
            "date",
            "kind",
            "goal",
            "outcome",
            "commitment",
            "commitment_due",
            "commitment_done",
        ]);
    }
    for n in f.list("orders") {
        let Some(mut s) = f.sub(n, "order") else {
            continue;
        };
        let amount = s.number("amount").unwrap_or(0.0);
        let date = s.date("date");
        let paid = s.number("paid").unwrap_or(0.0);
        // A negative payment would make more owed than was sold (see sales::deal::balance).
        for (key, v) in [("amount", amount), ("paid", paid)] {
            if v < 0.0 {
                let d = s.text.at(
                    Diagnostic::error(s.file, format!("order `{key}` is negative ({v})")),
                    n.pos,
                    1,
                );
                s.diags
                    .push(d.help("an order's `amount` and `paid` are amounts of money, 0 or more"));
            }
        }
        c.orders.push(Order {
            date,
            amount: amount.max(0.0),
            paid: paid.max(0.0),
        });
        s.finish(&["date", "amount", "paid"]);
    }
    c
}

/// A file's text, with where its lines start, found when the first diagnostic needs them:
/// each diagnostic copies its line, and counting lines from the top for each one made a
/// front matter with thousands of problems quadratic.
struct Source<'a> {
    text: &'a str,
    starts: std::cell::OnceCell<Vec<usize>>,
}

impl<'a> Source<'a> {
    fn new(text: &'a str) -> Self {
        Source {
            text,
            starts: Default::default(),
        }
    }

    /// `d` placed at `pos`, as [`Diagnostic::at`] places it in the whole text.
    fn at(&self, d: Diagnostic, pos: Pos, width: usize) -> Diagnostic {
        let starts = self.starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let line = pos
            .line
            .checked_sub(1)
            .and_then(|i| starts.get(i))
            .map_or("", |&start| {
                let rest = &self.text[start..];
                &rest[..rest.find('\n').map_or(rest.len(), |end| end + 1)]
            });
        let mut d = d.at(line, Pos::new(1, pos.column), width);
        d.line = pos.line;
        d
    }
}

/// The entries of one YAML map, taken key by key, with every problem recorded.
struct Fields<'a, 'd> {
    file: &'a str,
    text: &'a Source<'a>,
    entries: Vec<(&'a Node, &'a Node)>,
    diags: &'d mut Vec<Diagnostic>,
}

impl<'a, 'd> Fields<'a, 'd> {
    fn new(file: &'a str, text: &'a Source<'a>, node: &'a Node, diags: &'d mut Vec<Diagnostic>, what: &str) -> Self {
        let entries: &'a [(Node, Node)] = match &node.value {
            Value::Map(e) => e,
            Value::Null => &[],
            _ => {
                let d = Diagnostic::error(
                    file,
                    format!("{what} must be a map of `key: value` lines, found {}", node.type_name()),
                );
                diags.push(text.at(d, node.pos, node.width()));
                &[]
            }
        };
        let mut fields = Fields {
            file,
            text,
            entries: Vec::with_capacity(entries.len()),
            diags,
        };
        // The keys so far: a page's dozen are compared in a list, without hashing; a map of
        // many keys goes through a set.
        let few = entries.len() <= 16;
        let mut listed: Vec<std::borrow::Cow<'a, str>> = Vec::with_capacity(if few { entries.len() } else { 0 });
        let mut seen = std::collections::HashSet::with_capacity(if few { 0 } else { entries.len() });
        for (k, v) in entries {
            // Keys are text nearly always: borrowed, not copied twice for every key of every page.
            let key: std::borrow::Cow<'a, str> = match &k.value {
                Value::Str(s) => s.as_str().into(),
                _ => k.as_text().unwrap_or_default().into(),
            };
            let repeated = if few {
                let repeated = listed.contains(&key);
                listed.push(key.clone());
                repeated
            } else {
                !seen.insert(key.clone())
            };
            if repeated {
                let d = Diagnostic::error(file, format!("`{key}` is set twice"));
                let d = text.at(d, k.pos, key.chars().count());
                fields.diags.push(d.help("keep one of them; YAML keys must be unique"));
            } else {
                fields.entries.push((k, v));
            }
        }
        fields
    }

    /// A nested map (a contact, a visit…), checked with the same rules.
    fn sub<'s>(&'s mut self, node: &'a Node, what: &str) -> Option<Fields<'a, 's>> {
        if !matches!(node.value, Value::Map(_)) {
            let d = Diagnostic::error(
                self.file,
                format!(
                    "each {what} must be a map of `key: value` lines, found {}",
                    node.type_name()
                ),
            );
            self.diags.push(self.text.at(d, node.pos, node.width()));
            return None;
        }
        Some(Fields::new(self.file, self.text, node, self.diags, what))
    }

    fn err(&mut self, node: &Node, message: String, help: impl Into<String>) {
        let d = self
            .text
            .at(Diagnostic::error(self.file, message), node.pos, node.width());
        self.diags.push(d.help(help));
    }

    /// Where the value of `key` is written, without taking it.
    fn place(&self, key: &str) -> Option<(Pos, usize)> {
        self.entries
            .iter()
            .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == key))
            .map(|(_, v)| (v.pos, v.width()))
    }

    /// Removes and returns the value of `key`; `null` counts as absent.
    fn take(&mut self, key: &str) -> Option<&'a Node> {
        let i = self
            .entries
            .iter()
            .position(|(k, _)| matches!(&k.value, Value::Str(s) if s == key))?;
        let (_, v) = self.entries.remove(i);
        (v.value != Value::Null).then_some(v)
    }

    fn str_of(&mut self, n: &Node) -> Option<At<String>> {
        match n.as_text() {
            Some(s) => Some(At {
                value: s,
                pos: n.pos,
                width: n.width(),
            }),
            None => {
                self.err(
                    n,
                    format!("expected text, found {}", n.type_name()),
                    "write a single line of text",
                );
                None
            }
        }
    }

    fn str(&mut self, key: &str) -> Option<At<String>> {
        let n = self.take(key)?;
        self.str_of(n)
    }

    fn text(&mut self, key: &str) -> Option<String> {
        self.str(key).map(|a| a.value)
    }

    fn list(&mut self, key: &str) -> Vec<&'a Node> {
        let Some(n) = self.take(key) else {
            return Vec::new();
        };
        match &n.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Str(_) | Value::Int(_) | Value::Float(_) => vec![n],
            _ => {
                self.err(
                    n,
                    format!("`{key}` must be a list, found {}", n.type_name()),
                    format!("write `{key}: [a, b]` or one `- item` per line"),
                );
                Vec::new()
            }
        }
    }

    fn str_list(&mut self, key: &str) -> Vec<String> {
        self.list(key)
            .into_iter()
            .filter_map(|n| self.str_of(n))
            .map(|a| a.value)
            .collect()
    }

    /// `confidential` or `draft`: true only when written true. Written with no value, it is an
    /// error, not false: its writer meant to hide the page, which would be published.
    fn visibility(&mut self, key: &str) -> bool {
        let null = self
            .entries
            .iter()
            .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == key))
            .filter(|(_, v)| v.value == Value::Null)
            .map(|(k, _)| *k);
        if let Some(k) = null {
            let d = Diagnostic::error(self.file, format!("`{key}:` has no value: the page would be published"));
            let d = self.text.at(d, k.pos, key.chars().count());
            self.diags
                .push(d.help(format!("write `{key}: true` (or `{key}: false`, or remove the line)")));
        }
        self.bool(key).unwrap_or(false)
    }

    fn bool(&mut self, key: &str) -> Option<bool> {
        let n = self.take(key)?;
        match &n.value {
            Value::Bool(b) => Some(*b),
            // YAML 1.1's words, text in YAML 1.2: still meant as true/false here.
            Value::Str(s) if yaml_11_bool(s).is_some() => {
                let b = yaml_11_bool(s);
                let d = Diagnostic::warning(self.file, format!("`{key}: {s}` is read as {}", b == Some(true)));
                let d = self.text.at(d, n.pos, n.width());
                self.diags
                    .push(d.help(format!("write `{key}: true` or `{key}: false`")));
                b
            }
            _ => {
                self.err(
                    n,
                    format!("`{key}` must be true or false, found {}", n.type_name()),
                    format!("write `{key}: true` or `{key}: false`"),
                );
                None
            }
        }
    }

    /// A number, at most [`MAX_NUMBER`] either way (money above all: a deal's value, an
    /// order's amount; sums of them stay finite).
    fn number(&mut self, key: &str) -> Option<f64> {
        let n = self.take(key)?;
        let v = match &n.value {
            Value::Int(i) => *i as f64,
            Value::Float(f) if f.is_finite() => *f,
            Value::Float(_) => {
                let written = n.as_text().unwrap_or_default();
                self.err(
                    n,
                    format!("`{key}` must be a number, found `{written}`"),
                    format!("write a plain number, e.g. `{key}: 1200000`"),
                );
                return None;
            }
            // Leading zeros or underscores: a number to YAML 1.1, text to YAML 1.2.
            Value::Str(s) if yaml_11_number(s).is_some() => {
                let v = yaml_11_number(s).unwrap_or_default();
                let d = Diagnostic::warning(self.file, format!("`{key}: {s}` is read as {v}"));
                let d = self.text.at(d, n.pos, n.width());
                self.diags
                    .push(d.help(format!("write the number without leading zeros or `_`: `{key}: {v}`")));
                v
            }
            Value::Str(s) => {
                let cleaned: String = s
                    .chars()
                    .filter(|c| !matches!(c, ',' | '_' | ' ' | '¥' | '$'))
                    .collect();
                let help = match cleaned.parse::<f64>() {
                    Ok(v) => {
                        format!("write the number without separators or currency: `{key}: {v}`")
                    }
                    Err(_) if s.contains('万') => {
                        format!("write the amount in full, e.g. 120万 as `{key}: 1200000`")
                    }
                    Err(_) => format!("write a plain number, e.g. `{key}: 1200000`"),
                };
                self.err(n, format!("`{key}` must be a number, found \"{s}\""), help);
                return None;
            }
            _ => {
                self.err(
                    n,
                    format!("`{key}` must be a number, found {}", n.type_name()),
                    format!("write a plain number, e.g. `{key}: 1200000`"),
                );
                return None;
            }
        };
        if v.abs() > MAX_NUMBER {
            let written = n.as_text().unwrap_or_default();
            self.err(
                n,
                format!("`{key}: {written}` is too large: salesbook takes numbers up to 10^15"),
                "write the amount in the site's currency unit; 10^15 (1,000,000,000,000,000) is the most it takes",
            );
            return None;
        }
        Some(v)
    }

    /// A number from 0 to 1 (a probability or a share).
    fn fraction(&mut self, key: &str) -> Option<f64> {
        let node = self
            .entries
            .iter()
            .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == key))
            .map(|(_, v)| *v);
        let v = self.number(key)?;
        if (0.0..=1.0).contains(&v) {
            return Some(v);
        }
        let help = if (1.0..=100.0).contains(&v) {
            format!("write it as a fraction: `{key}: {}`", v / 100.0)
        } else {
            "a value from 0 to 1".to_owned()
        };
        if let Some(n) = node {
            self.err(n, format!("`{key}` is {v}, outside 0..1"), help);
        }
        None
    }

    fn date(&mut self, key: &str) -> Option<NaiveDate> {
        let n = self.take(key)?;
        self.date_of(n, key)
    }

    fn date_of(&mut self, n: &Node, key: &str) -> Option<NaiveDate> {
        let s = n.text().unwrap_or_default();
        if let Some(d) = parse_date(s.trim()) {
            return Some(d);
        }
        let guess = ["%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M"]
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(s.trim(), f).ok())
            .filter(|d| (1..=9999).contains(&chrono::Datelike::year(d)));
        let help = match guess {
            Some(d) => format!("write dates as YYYY-MM-DD: `{key}: {}`", d.format("%Y-%m-%d")),
            None => "write dates as YYYY-MM-DD between 0001-01-01 and 9999-12-31, e.g. 2026-12-20".to_owned(),
        };
        self.err(n, format!("`{key}` is not a valid date: \"{s}\""), help);
        None
    }

    /// `commitment_done:`: a date, `true`, or `false` (not yet kept).
    fn done(&mut self, key: &str) -> Option<Done> {
        let n = self.take(key)?;
        match &n.value {
            Value::Bool(true) => Some(Done::Yes),
            Value::Bool(false) => None,
            _ => self.date_of(n, key).map(Done::On),
        }
    }

    /// A fixed value, by its id or any name of it (`crate::words`); `what` names the value
    /// in the message ("unknown visit kind").
    fn word<W: Word>(&mut self, key: &str, what: &str) -> Option<W> {
        let n = self.take(key)?;
        let s = n.text().unwrap_or_default();
        let v = words::parse::<W>(&s);
        if v.is_none() {
            self.err(n, format!("unknown {what} \"{s}\""), words::help::<W>(&s));
        }
        v
    }

    fn id_enum<T>(&mut self, key: &str, ids: &[&str], parse: impl Fn(&str) -> Option<T>) -> Option<T> {
        let n = self.take(key)?;
        let s = n.text().unwrap_or_default();
        let v = parse(s.trim());
        if v.is_none() {
            self.err(n, format!("unknown {key} \"{s}\""), suggestion(&s, ids));
        }
        v
    }

    /// A stage, by its id, its configured labels or the default funnel's names of it.
    fn stage_of(&mut self, n: &Node, config: &SiteConfig) -> Option<StageIx> {
        let s = n.text().unwrap_or_default();
        let ix = words::stage(config, &s);
        if ix.is_none() {
            self.err(n, format!("unknown stage \"{s}\""), words::stage_help(config, &s));
        }
        ix
    }

    /// Warns about every key left over, naming the closest known key (the first
    /// [`MAX_UNKNOWN_WARNINGS`] one by one, then one warning for the rest); returns them as JSON.
    fn finish(self, known: &[&str]) -> BTreeMap<String, serde_json::Value> {
        let mut extra = BTreeMap::new();
        let mut unknown = 0;
        let mut rest: Option<(Pos, usize)> = None;
        for (k, v) in self.entries {
            let key = k.as_text().unwrap_or_default();
            if known.contains(&key.as_str()) {
                continue;
            }
            // A misspelt `confidential` or `draft` (or one under a second `private:`) would
            // publish the page: an error, whatever the count of other unknown fields.
            if let Some(d) = hiding_typo(self.file, self.text.text, &key, k.pos) {
                self.diags.push(d);
                continue;
            }
            unknown += 1;
            extra.insert(key.clone(), to_json(v));
            if unknown > MAX_UNKNOWN_WARNINGS {
                let first = rest.map_or(k.pos, |(pos, _)| pos);
                rest = Some((first, unknown - MAX_UNKNOWN_WARNINGS));
                continue;
            }
            let help = match crate::diagnostics::closest(&key, known.iter().copied()) {
                Some(c) => format!("did you mean `{c}`?"),
                None => "this field is not used by salesbook; templates can still read it".to_owned(),
            };
            let d = Diagnostic::warning(self.file, format!("unknown field `{key}`"));
            let d = self.text.at(d, k.pos, key.chars().count());
            self.diags.push(d.help(help));
        }
        if let Some((pos, more)) = rest {
            let d = Diagnostic::warning(self.file, format!("… and {more} more unknown fields"));
            self.diags.push(
                self.text
                    .at(d, pos, 1)
                    .help("is this front matter meant to be this long?"),
            );
        }
        extra
    }
}

// The number limit and the date parser live in `model`, below `config`, which reads them too.
pub use crate::model::{MAX_NUMBER, parse_date};

/// YAML 1.1's words for true and false (text in YAML 1.2), for a true/false field.
fn yaml_11_bool(s: &str) -> Option<bool> {
    const TRUE: [&str; 4] = ["yes", "y", "on", "true"];
    const FALSE: [&str; 4] = ["no", "n", "off", "false"];
    if TRUE.iter().any(|w| s.eq_ignore_ascii_case(w)) {
        Some(true)
    } else if FALSE.iter().any(|w| s.eq_ignore_ascii_case(w)) {
        Some(false)
    } else {
        None
    }
}

/// A decimal number with leading zeros or `_` between digits (`007`, `1_000`, `-0.5`
/// excluded): YAML 1.1 read these as numbers, YAML 1.2 as text.
fn yaml_11_number(s: &str) -> Option<f64> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = |p: &str| p.bytes().all(|c| c.is_ascii_digit() || c == b'_');
    let ok = !int.is_empty()
        && int.as_bytes()[0].is_ascii_digit()
        && !int.ends_with('_')
        && plain(int)
        && plain(frac)
        && (int.contains('_') || (int.len() > 1 && int.starts_with('0')));
    if !ok {
        return None;
    }
    s.replace('_', "").parse::<f64>().ok().filter(|v| v.is_finite())
}

/// An unknown field that looks like one of [`VISIBILITY_KEYS`] or `private` (`Confidential`,
/// `drafts`, `darft`, `confidental`, `is_confidential`, `privat`, `confidential` with a
/// zero-width space), or a `private:` under `private:`: an error, as the page or its private
/// fields would be published where its writer meant them not to be.
fn hiding_typo(file: &str, text: &str, key: &str, pos: Pos) -> Option<Diagnostic> {
    let width = key.chars().count();
    // Only a nested one reaches here: the top-level `private:` is taken before.
    if key == "private" {
        let d = Diagnostic::error(file, "`private:` inside `private:` is not read");
        return Some(
            d.at(text, pos, width)
                .help("write its fields once, under the top-level `private:`"),
        );
    }
    let near = hiding_key_near(key)?;
    let what = if near == "private" { "its fields" } else { "the page" };
    let d = Diagnostic::error(
        file,
        format!("unknown field `{}`: {what} would be published", show_invisible(key)),
    );
    Some(d.at(text, pos, width).help(format!("did you mean `{near}`?")))
}

/// The visibility key (or `private`) that `key` was likely meant to be. Compared by
/// characters (in NFKC), as letters only: invisible and format characters (U+200B, U+FEFF, U+00AD, …),
/// spaces of every width, `_` and `-` are left out, case is ignored, and an `is` before or an
/// `s` after does not count. A slip of two letters in `confidential`, one in `private`, and
/// in `draft` only two letters swapped (`craft` is a word of its own) still match.
fn hiding_key_near(key: &str) -> Option<&'static str> {
    use unicode_normalization::UnicodeNormalization;
    // NFKC: full-width letters (`ｃｏｎｆｉｄｅｎｔｉａｌ`, typed with a Chinese input method) are
    // the ASCII ones.
    let letters: String = key
        .nfkc()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let core = letters.strip_prefix("is").filter(|c| c.len() >= 5).unwrap_or(&letters);
    let core = core.strip_suffix('s').filter(|c| c.len() >= 5).unwrap_or(core);
    ["confidential", "draft", "private"].into_iter().find(|v| {
        let n = v.chars().count();
        let (a, b) = (core.chars().count(), letters.chars().count());
        core == *v
            || letters == *v
            || if n >= 7 {
                // One slip for `private` (two would take `privacy`).
                let slips = if n >= 8 { 2 } else { 1 };
                a.abs_diff(n) <= slips && strsim::damerau_levenshtein(core, v) <= slips
            } else {
                let mut x: Vec<char> = core.chars().collect();
                let mut y: Vec<char> = v.chars().collect();
                x.sort_unstable();
                y.sort_unstable();
                a == n && b >= n && x == y && strsim::damerau_levenshtein(core, v) <= 1
            }
    })
}

/// `key` with its invisible characters written out (`confidential\u{200b}`), so that the
/// diagnostic shows why it is not the key it looks like.
fn show_invisible(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c == ' ' || !(c.is_whitespace() || c.is_control() || is_format_char(c)) {
                c.to_string()
            } else {
                c.escape_unicode().to_string()
            }
        })
        .collect()
}

/// Unicode's format characters (category Cf) that appear in pasted text: zero-width spaces
/// and joiners, direction marks, the byte-order mark, the soft hyphen, word joiners, tags.
fn is_format_char(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{e0001}' | '\u{e0020}'..='\u{e007f}')
}

/// Unknown fields warned about one by one in a file; the rest get one warning.
const MAX_UNKNOWN_WARNINGS: usize = 20;

fn to_json(n: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &n.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(e) => J::Object(
            e.iter()
                .map(|(k, v)| (k.as_text().unwrap_or_default(), to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, kind: Kind) -> (FrontMatter, Vec<Diagnostic>) {
        let s = split("f.md", text).unwrap();
        parse("f.md", text, &s, kind, &SiteConfig::default(), false)
    }

    #[test]
    fn customer_fields_are_typed() {
        let (fm, d) = check(
            "---\ntitle: 华东\nstage: quote\ntier: partner\nvalue: 1200000\nexpected_close: 2026-12-20\ncontacts:\n  - {name: 王, role: coach, style: sheep}\n---\nbody",
            Kind::Customer,
        );
        assert!(d.is_empty(), "{d:?}");
        let c = fm.customer.unwrap();
        assert_eq!(c.stage, Some(StageIx(4)));
        assert_eq!(c.tier, Some(Tier::Partner));
        assert_eq!(c.contacts[0].style, Some(Style::Sheep));
    }

    #[test]
    fn every_bad_value_is_reported_at_its_place() {
        let text = "---\ntitle: x\nstage: oportunity\ntier: gold\nvalue: 120万\nprobability: 35\nexpected_close: 2026/12/20\nowner_name: 张\n---\n";
        let (_, d) = check(text, Kind::Customer);
        let got: Vec<_> = d.iter().map(|d| (d.line, d.column, d.severity)).collect();
        use crate::diagnostics::Severity::*;
        assert_eq!(
            got,
            vec![
                (3, 8, Error),
                (4, 7, Error),
                (5, 8, Error),
                (6, 14, Error),
                (7, 17, Error),
                (8, 1, Warning)
            ],
            "{d:#?}"
        );
        assert_eq!(d[0].help.as_deref(), Some("did you mean \"opportunity\"?"));
        assert!(d[3].help.as_deref().unwrap().contains("0.35"));
        assert!(d[4].help.as_deref().unwrap().contains("2026-12-20"));
        assert_eq!(d[5].help.as_deref(), Some("did you mean `owner`?"));
    }

    /// Keys YAML holds apart (the number 1, the text "1") but a page reads alike: the second
    /// is reported and dropped, in a map of a few keys and in one of many.
    #[test]
    fn a_key_written_twice_is_reported_at_the_second() {
        for filler in [0, 40] {
            let fill: String = (0..filler).map(|i| format!("x{i}: 1\n")).collect();
            let text = format!("---\ntitle: a\n1: x\n{fill}'1': y\n---\n");
            let (fm, d) = check(&text, Kind::Page);
            let twice: Vec<_> = d.iter().filter(|d| d.message == "`1` is set twice").collect();
            assert_eq!(twice.len(), 1, "{d:#?}");
            assert_eq!((twice[0].line, twice[0].column), (4 + filler, 1));
            assert_eq!(fm.extra.get("1"), Some(&serde_json::json!("x")));
        }
    }

    #[test]
    fn missing_title_and_unclosed_front_matter() {
        let (_, d) = check("---\nslug: a\n---\n", Kind::Page);
        assert_eq!(d[0].message, "missing `title`");
        assert!(split("f.md", "---\ntitle: a\n").is_err());
        assert!(split("f.md", "# no front matter").is_err());
    }

    /// Issue 20: every text field takes a scalar as it was written, where YAML 1.1 read
    /// phone numbers as integers (`+86…` lost its `+`, `0571…` its `0`) and `N` as false.
    #[test]
    fn text_fields_keep_what_was_written() {
        let text = "---\ntitle: N\nslug: 007\ntags: [N, yes, 010]\naliases: [0571, +86, 1.50]\nstage: lead\n\
                    industry: on\nregion: 010\nowner: +8613800000000\ncompetitors: []\ncontacts:\n  - name: N\n\
                    \x20   title: y
    relationship: 约会
    phone: 013800000000\n    notes: 1e3\n  - name: no\n\
                    \x20   phone: +8613800000000\nvisits:\n  - goal: Yes\n    outcome: 0x1F\n    commitment: 1_000\n---\n";
        let (fm, d) = check(text, Kind::Customer);
        assert!(d.is_empty(), "{d:#?}");
        assert_eq!(fm.title, "N");
        assert_eq!(fm.slug.unwrap().value, "007");
        assert_eq!(fm.tags, ["N", "yes", "010"]);
        assert_eq!(fm.aliases, ["0571", "+86", "1.50"]);
        let c = fm.customer.unwrap();
        assert_eq!(c.industry.as_deref(), Some("on"));
        assert_eq!(c.region.as_deref(), Some("010"));
        assert_eq!(c.owner.as_deref(), Some("+8613800000000"));
        let k = &c.contacts[0];
        assert_eq!(
            (k.name.as_str(), k.title.as_deref(), k.relationship),
            ("N", Some("y"), Some(Relationship::Dating))
        );
        assert_eq!(
            (k.phone.as_deref(), k.notes.as_deref()),
            (Some("013800000000"), Some("1e3"))
        );
        assert_eq!(c.contacts[1].name, "no");
        assert_eq!(c.contacts[1].phone.as_deref(), Some("+8613800000000"));
        let v = &c.visits[0];
        assert_eq!(
            (v.goal.as_deref(), v.outcome.as_deref(), v.commitment.as_deref()),
            (Some("Yes"), Some("0x1F"), Some("1_000"))
        );
        let (fm, d) = check(
            "---\ntitle: 0571\nproducts: [N, 007]\nstrengths: [on]\nweaknesses: [+1]\nstrategy: no\n---\n",
            Kind::Competitor,
        );
        assert!(d.is_empty(), "{d:#?}");
        assert_eq!(fm.title, "0571");
        let c = fm.competitor.unwrap();
        assert_eq!(
            (c.products, c.strengths, c.weaknesses),
            (vec!["N".into(), "007".into()], vec!["on".into()], vec!["+1".into()])
        );
        assert_eq!(c.strategy.as_deref(), Some("no"));
        let (fm, d) = check(
            "---\ntitle: x\nkind: fab\nproduct: 010\nrows:\n  - {feature: N, function: y, advantage: +1, benefit: 007}\n---\n",
            Kind::Guide,
        );
        assert!(d.is_empty(), "{d:#?}");
        let f = fm.fab.unwrap();
        assert_eq!(f.product.as_deref(), Some("010"));
        let r = &f.rows[0];
        assert_eq!(
            [&*r.feature, &*r.function, &*r.advantage, &*r.benefit],
            ["N", "y", "+1", "007"]
        );
        let (fm, _) = check(
            "---\ntitle: x\nkind: spin\nproduct: N\nsituation: [on, 01]\n---\n",
            Kind::Guide,
        );
        let sp = fm.spin.unwrap();
        assert_eq!(
            (sp.product.as_deref(), sp.situation),
            (Some("N"), vec!["on".into(), "01".into()])
        );
    }

    /// Where a true/false or number field receives a YAML 1.1 spelling, the value is read as
    /// YAML 1.1 did, with a warning at its place.
    #[test]
    fn yaml_11_spellings_in_typed_fields_are_read_with_a_warning() {
        let (fm, d) = check(
            "---\ntitle: x\ndraft: yes\nstage: lead\nvalue: 007\nprobability: 0_5\norders:\n  - amount: 1_000\n---\n",
            Kind::Customer,
        );
        let got: Vec<_> = d
            .iter()
            .map(|d| (d.line, d.column, d.severity, d.message.as_str()))
            .collect();
        use crate::diagnostics::Severity::*;
        assert_eq!(
            got,
            [
                (3, 8, Warning, "`draft: yes` is read as true"),
                (5, 8, Warning, "`value: 007` is read as 7"),
                (6, 14, Warning, "`probability: 0_5` is read as 5"),
                (6, 14, Error, "`probability` is 5, outside 0..1"),
                (8, 13, Warning, "`amount: 1_000` is read as 1000"),
            ],
            "{d:#?}"
        );
        assert!(fm.draft);
        let c = fm.customer.unwrap();
        assert_eq!((c.value, c.orders[0].amount), (Some(7.0), 1000.0));
        let (fm, d) = check("---\ntitle: x\ndraft: N\n---\n", Kind::Page);
        assert!(!fm.draft);
        assert_eq!(d[0].message, "`draft: N` is read as false");
    }

    /// Issue 20: money is bounded (sums of it stay finite), and `.inf`/`.nan` are refused at
    /// their place.
    #[test]
    fn huge_and_non_finite_numbers_are_refused_at_their_place() {
        let text = "---\ntitle: x\nstage: lead\nvalue: 1e308\norders:\n  - amount: .inf\n    paid: -.inf\n  - amount: .nan\n    paid: 1000000000000001\n  - amount: 1e999\n    paid: 1000000000000000\n---\n";
        let (fm, d) = check(text, Kind::Customer);
        let got: Vec<_> = d.iter().map(|d| (d.line, d.column, d.message.as_str())).collect();
        assert_eq!(
            got,
            [
                (4, 8, "`value: 1e308` is too large: salesbook takes numbers up to 10^15"),
                (6, 13, "`amount` must be a number, found `.inf`"),
                (7, 11, "`paid` must be a number, found `-.inf`"),
                (8, 13, "`amount` must be a number, found `.nan`"),
                (
                    9,
                    11,
                    "`paid: 1000000000000001` is too large: salesbook takes numbers up to 10^15"
                ),
                (10, 13, "`amount` must be a number, found `1e999`"),
            ],
            "{d:#?}"
        );
        assert!(d.iter().all(|d| d.is_error() && d.width > 1));
        let c = fm.customer.unwrap();
        assert_eq!(c.value, None);
        assert_eq!(c.orders[2].paid, 1e15);
    }

    /// Issue 20: dates have four-digit years from 0001 (`visits.ics` holds no other).
    #[test]
    fn dates_outside_four_digit_years_are_refused() {
        let text = "---\ntitle: x\nupdated: +10000-01-01\nstage: lead\nexpected_close: -0001-01-01\nnext_visit: 0000-01-01\nvisits:\n  - date: 10000-01-01\n  - date: 9999-12-31\n---\n";
        let (fm, d) = check(text, Kind::Customer);
        let got: Vec<_> = d.iter().map(|d| (d.line, d.column)).collect();
        assert_eq!(got, [(3, 10), (5, 17), (6, 13), (8, 11)], "{d:#?}");
        assert!(
            d.iter()
                .all(|d| d.is_error() && d.help.as_deref().unwrap_or("").contains("0001-01-01")),
            "{d:#?}"
        );
        assert_eq!(
            fm.customer.unwrap().visits[1].date,
            NaiveDate::from_ymd_opt(9999, 12, 31)
        );
        for ok in ["0001-01-01", "2026-02-28", "9999-12-31"] {
            assert!(parse_date(ok).is_some(), "{ok}");
        }
        for bad in [
            "+10000-01-01",
            "-0001-01-01",
            "0000-01-01",
            "2026-1-02",
            "2026-02-30",
            " 2026-01-01",
            "２０２６-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn playbook_kind_comes_from_front_matter() {
        let (fm, d) = check("---\ntitle: x\nkind: spin\nsituation: [a, b]\n---\n", Kind::Guide);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(fm.kind, Some(Kind::Spin));
        assert_eq!(fm.spin.unwrap().situation, vec!["a", "b"]);
    }
}
