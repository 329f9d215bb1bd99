//! `salesbook.yaml`: the site's settings, typed, every key with a default from docs/domain.md.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Pos};
use crate::model::StageIx;
use crate::model::{MAX_NUMBER, parse_date};

pub const CONFIG_FILE: &str = "salesbook.yaml";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
pub enum Language {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Language {
    pub fn id(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }
}

/// What a deal at a stage is: still open, or closed as won or lost. Every figure that
/// separates open deals from closed ones reads this, never the stage's id, so that a site
/// may call its stages what it likes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    #[default]
    Open,
    Won,
    Lost,
}

impl Outcome {
    pub const IDS: [&'static str; 3] = ["open", "won", "lost"];

    pub fn id(self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::Won => "won",
            Outcome::Lost => "lost",
        }
    }

    pub fn from_id(id: &str) -> Option<Outcome> {
        match id {
            "open" => Some(Outcome::Open),
            "won" => Some(Outcome::Won),
            "lost" => Some(Outcome::Lost),
            _ => None,
        }
    }

    /// The outcome of a stage that does not say: the built-in `won` and `lost` stages are
    /// closed as such; every other id is open.
    pub fn default_for(stage_id: &str) -> Outcome {
        match stage_id {
            "won" => Outcome::Won,
            "lost" => Outcome::Lost,
            _ => Outcome::Open,
        }
    }

    /// Won or lost: outside the open funnel.
    pub fn is_closed(self) -> bool {
        self != Outcome::Open
    }
}

/// One funnel stage as configured.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StageDef {
    pub id: String,
    pub label: String,
    /// The English label; defaults to the id, or the built-in label of a default stage.
    #[serde(default)]
    pub label_en: Option<String>,
    pub probability: f64,
    /// `outcome:` as written, with its place (checked and resolved by [`SiteConfig::parse`]
    /// into `outcome`, then dropped).
    #[serde(default, rename = "outcome", skip_serializing)]
    pub outcome_written: Option<serde_saphyr::Spanned<String>>,
    /// Open, won or lost; defaults by id ([`Outcome::default_for`]).
    #[serde(skip_deserializing)]
    pub outcome: Outcome,
    /// Days between visits a customer at this stage should get (see `sales::flags`);
    /// defaults by id ([`default_visit_every_days`]), else `stale_after_days`.
    #[serde(default)]
    pub visit_every_days: Option<i64>,
}

/// The visit cadence of a built-in stage, in the seed's visit priority: a quote most often,
/// then won customers (delivery, payment) and opportunities, leads and potential customers,
/// targets last; lost deals none.
pub fn default_visit_every_days(stage_id: &str) -> Option<i64> {
    match stage_id {
        "quote" => Some(7),
        "won" | "opportunity" => Some(14),
        "lead" | "potential" => Some(30),
        "target" => Some(60),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    pub title: String,
    pub language: Language,
    pub base_url: String,
    pub theme: String,
    pub currency: String,
    /// Show money in 万 (zh-CN habit): ¥120 万 instead of ¥1,200,000.
    pub money_in_wan: bool,
    /// Pins "today" for reproducible builds (YYYY-MM-DD).
    pub today: Option<String>,
    pub stale_after_days: i64,
    pub small_order_threshold: f64,
    /// In `--public` builds, confidential customers still add to the funnel's counts and
    /// values, anonymously (named nowhere); false leaves them out of the figures too.
    pub count_confidential: bool,
    /// Build the search index, the search page and the search box (see `search/`).
    pub search: bool,
    /// Let search engines index an internal build: without it, every build but a `--public`
    /// one carries `noindex` and a `robots.txt` that disallows all (an internal build holds
    /// confidential data). For a site that is public as it is.
    pub allow_indexing: bool,
    /// `check` warns about a logged visit with no `commitment:` (every visit should end with
    /// one); false for a team that does not record them.
    pub warn_visit_without_commitment: bool,
    pub stages: Vec<StageDef>,
    /// The team's sales quota (销售任务) by quarter: `quota: {2026-Q4: 6000000}`; keys are
    /// checked as quarters ([`crate::period::Quarter`]).
    pub quota: BTreeMap<String, f64>,
    /// Each rep's quota by quarter: `owner_quota: {张伟: {2026-Q4: 2000000}}`.
    pub owner_quota: BTreeMap<String, BTreeMap<String, f64>>,
    /// The window of the measured rates, in quarters back from today's (1: this quarter).
    pub rates_quarters: u32,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "销售作战手册".to_owned(),
            language: Language::ZhCn,
            base_url: "/".to_owned(),
            theme: "default".to_owned(),
            currency: "CNY".to_owned(),
            money_in_wan: false,
            today: None,
            stale_after_days: 30,
            small_order_threshold: 0.0,
            count_confidential: false,
            search: true,
            allow_indexing: false,
            warn_visit_without_commitment: true,
            stages: default_stages(),
            quota: BTreeMap::new(),
            owner_quota: BTreeMap::new(),
            rates_quarters: 2,
        }
    }
}

fn default_stages() -> Vec<StageDef> {
    [
        ("target", "目标客户", "Target", 0.05),
        ("potential", "潜在客户", "Potential", 0.10),
        ("lead", "线索", "Lead", 0.20),
        ("opportunity", "商机", "Opportunity", 0.40),
        ("quote", "报价", "Quote", 0.60),
        ("won", "合同", "Won", 1.00),
        ("lost", "丢单", "Lost", 0.00),
    ]
    .into_iter()
    .map(|(id, label, en, p)| StageDef {
        id: id.to_owned(),
        label: label.to_owned(),
        label_en: Some(en.to_owned()),
        probability: p,
        outcome_written: None,
        outcome: Outcome::default_for(id),
        visit_every_days: default_visit_every_days(id),
    })
    .collect()
}

/// Where each stage's `id:` is written (line, column, width), in the order of the stages:
/// Every misspelt key of the config, top-level or in a stage, each with the nearest key
/// (serde would stop at the first, without a suggestion). The keys are the ones the config
/// serializes, so the list cannot fall behind the struct.
fn unknown_keys(text: &str) -> Vec<Diagnostic> {
    use crate::yaml::{self, Node, Value};
    let Ok(Node {
        value: Value::Map(top), ..
    }) = yaml::parse(text, 0)
    else {
        return Vec::new();
    };
    let keys_of = |v: serde_json::Value| -> Vec<String> {
        v.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default()
    };
    let default = SiteConfig::default();
    let top_keys = keys_of(serde_json::to_value(&default).unwrap_or_default());
    let stage_keys = keys_of(
        default
            .stages
            .first()
            .and_then(|s| serde_json::to_value(s).ok())
            .unwrap_or_default(),
    );
    let mut diags = Vec::new();
    let mut check = |key: &Node, allowed: &[String], what: &str| {
        let Value::Str(name) = &key.value else { return };
        if allowed.iter().any(|k| k == name) {
            return;
        }
        let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
        let help = match crate::diagnostics::closest(name, allowed.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("the keys are: {}", allowed.join(", ")),
        };
        let d = Diagnostic::error(CONFIG_FILE, format!("unknown key `{name}` {what}"));
        diags.push(d.at(text, key.pos, key.width()).help(help));
    };
    for (k, v) in &top {
        check(k, &top_keys, "in salesbook.yaml");
        if matches!(&k.value, Value::Str(s) if s == "stages")
            && let Value::Seq(stages) = &v.value
        {
            for stage in stages {
                if let Value::Map(fields) = &stage.value {
                    fields.iter().for_each(|(k, _)| check(k, &stage_keys, "in a stage"));
                }
            }
        }
    }
    diags
}

/// serde gives values without places, so the text is read again as spanned YAML.
/// The place of a top-level key's value, for its diagnostics.
fn top_level_place(text: &str, name: &str) -> Option<(Pos, usize)> {
    use crate::yaml::{self, Node, Value};
    let Ok(Node {
        value: Value::Map(top), ..
    }) = yaml::parse(text, 0)
    else {
        return None;
    };
    top.iter()
        .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == name))
        .map(|(_, v)| (v.pos, v.width()))
}

fn stage_id_places(text: &str) -> Vec<(Pos, usize)> {
    stage_field_places(text, "id")
}

/// Where each stage's field `name` is written (its value; the stage itself without one).
fn stage_field_places(text: &str, name: &str) -> Vec<(Pos, usize)> {
    use crate::yaml::{self, Node, Value};
    let key = |k: &Node, name: &str| matches!(&k.value, Value::Str(s) if s == name);
    let Ok(Node {
        value: Value::Map(top), ..
    }) = yaml::parse(text, 0)
    else {
        return Vec::new();
    };
    let Some((
        _,
        Node {
            value: Value::Seq(stages),
            ..
        },
    )) = top.iter().find(|(k, _)| key(k, "stages"))
    else {
        return Vec::new();
    };
    stages
        .iter()
        .map(|stage| match &stage.value {
            Value::Map(fields) => fields
                .iter()
                .find(|(k, _)| key(k, name))
                .map_or((stage.pos, 1), |(_, v)| (v.pos, v.width())),
            _ => (stage.pos, 1),
        })
        .collect()
}

/// Checks each stage (its id a folder name, its probability, its outcome and visit cadence,
/// no two alike) and fills in what it leaves out: the outcome and cadence its id implies, its
/// English label.
fn resolve_stages(text: &str, config: &mut SiteConfig, diags: &mut Vec<Diagnostic>) {
    let err = |m: String| Diagnostic::error(CONFIG_FILE, m).at(text, Pos::new(1, 1), 1);
    let id_places = stage_id_places(text);
    for i in 0..config.stages.len() {
        let s = &config.stages[i];
        // A stage id names its funnel page's folder (`funnel/<id>/`): it must be a plain
        // name, never a path (`../x` would write outside the output folder).
        let plain = s.id.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_');
        let problem = crate::model::PathSegment::new(&s.id).err();
        if !plain || problem.is_some() {
            let (pos, width) = id_places.get(i).copied().unwrap_or((Pos::new(1, 1), 1));
            let why = problem.map_or(String::new(), |p| format!(": {}", p.describe()));
            let d = Diagnostic::error(CONFIG_FILE, format!("stage id `{}` cannot be a folder name{why}", s.id));
            diags.push(
                d.at(text, pos, width)
                    .help("use letters, digits, - and _, e.g. `id: pilot`"),
            );
        }
        if !(0.0..=1.0).contains(&s.probability) {
            diags.push(err(format!(
                "stage \"{}\": probability {} is outside 0..1",
                s.id, s.probability
            )));
        }
        if config.stages[..i].iter().any(|o| o.id == s.id) {
            diags.push(err(format!("stage \"{}\" is listed twice", s.id)));
        } else if let Some(o) = config.stages[..i]
            .iter()
            .find(|o| o.id.to_lowercase() == s.id.to_lowercase())
        {
            // Their pages would be one folder on macOS and Windows.
            let (pos, width) = id_places.get(i).copied().unwrap_or((Pos::new(1, 1), 1));
            let d = Diagnostic::error(
                CONFIG_FILE,
                format!("stage ids `{}` and `{}` differ only in case", o.id, s.id),
            );
            diags.push(
                d.at(text, pos, width)
                    .help("macOS and Windows would write both funnel pages to one folder: rename one"),
            );
        }
        let outcome = match config.stages[i].outcome_written.take() {
            None => Some(Outcome::default_for(&config.stages[i].id)),
            Some(w) => Outcome::from_id(w.value.trim()).or_else(|| {
                let loc = w.referenced;
                let pos = Pos::new(loc.line() as usize, (loc.column() as usize).max(1));
                diags.push(
                    Diagnostic::error(
                        CONFIG_FILE,
                        format!("stage \"{}\": unknown outcome \"{}\"", config.stages[i].id, w.value),
                    )
                    .at(text, pos, w.value.chars().count())
                    .help(crate::diagnostics::suggestion(&w.value, &Outcome::IDS)),
                );
                None
            }),
        };
        if let Some(n) = config.stages[i].visit_every_days
            && !(1..=3650).contains(&n)
        {
            let places = stage_field_places(text, "visit_every_days");
            let (pos, width) = places.get(i).copied().unwrap_or((Pos::new(1, 1), 1));
            let d = Diagnostic::error(
                CONFIG_FILE,
                format!(
                    "stage \"{}\": `visit_every_days: {n}` is outside 1..3650",
                    config.stages[i].id
                ),
            );
            diags.push(
                d.at(text, pos, width)
                    .help("write how many days may pass between visits at this stage, e.g. `visit_every_days: 14`"),
            );
        }
        let s = &mut config.stages[i];
        s.outcome = outcome.unwrap_or_default();
        if s.visit_every_days.is_none() {
            s.visit_every_days = default_visit_every_days(&s.id);
        }
        if s.label_en.is_none() {
            let builtin = default_stages().into_iter().find(|d| d.id == s.id);
            let en = builtin.and_then(|d| d.label_en).unwrap_or_else(|| s.id.clone());
            config.stages[i].label_en = Some(en);
        }
    }
}

/// The problems of the config's single values: `today`, `small_order_threshold`, the quotas,
/// `rates_quarters` and `base_url`, each at its place.
fn value_problems(text: &str, config: &SiteConfig) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    if let Some(t) = &config.today
        && parse_date(t).is_none()
    {
        let (pos, width) = value_pos(text, "today");
        let d = Diagnostic::error(CONFIG_FILE, format!("`today: {t}` is not a date in YYYY-MM-DD form"));
        diags.push(
            d.at(text, pos, width)
                .help("write a date as YYYY-MM-DD between 0001-01-01 and 9999-12-31, e.g. `today: 2026-12-20`"),
        );
    }
    let threshold = config.small_order_threshold;
    if !threshold.is_finite() || threshold.abs() > MAX_NUMBER {
        let (pos, width) = value_pos(text, "small_order_threshold");
        let d = Diagnostic::error(
            CONFIG_FILE,
            format!("`small_order_threshold` is {threshold}: salesbook takes numbers up to 10^15"),
        );
        diags.push(
            d.at(text, pos, width)
                .help("write the amount in the site's currency unit, e.g. `small_order_threshold: 5000`"),
        );
    }
    diags.extend(quota_problems(text, config));
    if !(1..=40).contains(&config.rates_quarters) {
        let (pos, width) = value_pos(text, "rates_quarters");
        let d = Diagnostic::error(
            CONFIG_FILE,
            format!("`rates_quarters: {}` is outside 1..40", config.rates_quarters),
        );
        diags.push(
            d.at(text, pos, width)
                .help("the measured rates look back this many quarters, this one included, e.g. `rates_quarters: 2`"),
        );
    }
    if let Some(why) = base_url_problem(&config.base_url) {
        let (pos, width) = top_level_place(text, "base_url").unwrap_or_else(|| value_pos(text, "base_url"));
        let d = Diagnostic::error(CONFIG_FILE, format!("`base_url: {}` {why}", config.base_url));
        diags.push(
            d.at(text, pos, width)
                .help("write the address the site is published at, e.g. `base_url: https://sales.example.com/` or `base_url: /sales/`"),
        );
    }
    diags
}

impl SiteConfig {
    /// Parses the config text; problems come back as diagnostics for `salesbook.yaml`.
    pub fn parse(text: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
        if text.trim().is_empty() {
            return Ok(SiteConfig::default());
        }
        let unknown = unknown_keys(text);
        if !unknown.is_empty() {
            return Err(unknown);
        }
        let mut config: SiteConfig = serde_saphyr::from_str(text).map_err(|e| {
            let pos = e.location().map_or(Pos::new(1, 1), |l| {
                Pos::new(l.line() as usize, (l.column() as usize).max(1))
            });
            let msg = e.without_snippet().to_string();
            let msg = msg.lines().next().unwrap_or("invalid config").to_owned();
            vec![Diagnostic::error(CONFIG_FILE, format!("invalid config: {msg}")).at(text, pos, 1)]
        })?;
        let mut diags = Vec::new();
        let err = |m: String| Diagnostic::error(CONFIG_FILE, m).at(text, Pos::new(1, 1), 1);
        if config.stages.is_empty() {
            diags.push(err("`stages` must list at least one funnel stage".into()));
        }
        // A theme is a folder under `themes/`, named plainly: `/tmp/evil` or `../x` would read
        // templates, and publish a `static/`, from outside the site.
        let why = match crate::model::PathSegment::new(&config.theme) {
            Err(p) => Some(p.describe()),
            Ok(_) if config.theme.starts_with('.') => Some("a name starting with `.` is a hidden folder"),
            Ok(_) => None,
        };
        if let Some(why) = why {
            let (pos, width) = top_level_place(text, "theme").unwrap_or((Pos::new(1, 1), 1));
            let d = Diagnostic::error(
                CONFIG_FILE,
                format!("theme `{}` is not a folder name under themes/: {why}", config.theme),
            );
            diags.push(
                d.at(text, pos, width)
                    .help("put the theme in the site's themes/<name>/ folder and write `theme: <name>`"),
            );
        }
        resolve_stages(text, &mut config, &mut diags);
        diags.extend(value_problems(text, &config));
        if !config.base_url.ends_with('/') {
            config.base_url.push('/');
        }
        if diags.is_empty() { Ok(config) } else { Err(diags) }
    }

    pub fn stage_ids(&self) -> Vec<&str> {
        self.stages.iter().map(|s| s.id.as_str()).collect()
    }

    pub fn stage(&self, id: &str) -> Option<StageIx> {
        self.stages.iter().position(|s| s.id == id).map(StageIx)
    }

    pub fn stage_def(&self, ix: StageIx) -> &StageDef {
        &self.stages[ix.0]
    }

    /// Whether deals at the stage are open, won or lost.
    pub fn outcome(&self, ix: StageIx) -> Outcome {
        self.stages[ix.0].outcome
    }

    /// Days between visits at the stage: its `visit_every_days`, else `stale_after_days`.
    pub fn visit_every_days(&self, ix: StageIx) -> i64 {
        self.stages[ix.0].visit_every_days.unwrap_or(self.stale_after_days)
    }

    /// Stages outside the open funnel: won and lost (closed deals).
    pub fn is_closed(&self, ix: StageIx) -> bool {
        self.outcome(ix).is_closed()
    }

    pub fn stage_label(&self, ix: StageIx) -> &str {
        let s = &self.stages[ix.0];
        match self.language {
            Language::ZhCn => &s.label,
            Language::En => s.label_en.as_deref().unwrap_or(&s.id),
        }
    }

    pub fn today(&self) -> Option<NaiveDate> {
        self.today.as_deref().and_then(parse_date)
    }

    /// The quota for quarter `q`: the team's (`owner` None) or one rep's; `None` where none
    /// is set (a quota of 0 is none: progress is a share of it).
    pub fn quota_for(&self, owner: Option<&str>, q: crate::period::Quarter) -> Option<f64> {
        let map = match owner {
            None => &self.quota,
            Some(o) => self.owner_quota.iter().find(|(k, _)| k.trim() == o.trim())?.1,
        };
        map.iter()
            .find(|(k, _)| crate::period::Quarter::parse(k.trim()) == Some(q))
            .map(|(_, v)| *v)
            .filter(|v| *v > 0.0)
    }
}

/// The problems of `quota:` and `owner_quota:`, each at its place: a key that is not a
/// quarter, an amount that is negative or beyond 10^15.
fn quota_problems(text: &str, config: &SiteConfig) -> Vec<Diagnostic> {
    use crate::period::Quarter;
    use crate::yaml::{self, Node, Value};
    let mut diags = Vec::new();
    let Ok(Node {
        value: Value::Map(top), ..
    }) = yaml::parse(text, 0)
    else {
        return diags;
    };
    let entries = |node: &Node| -> Vec<(Node, Node)> {
        match &node.value {
            Value::Map(m) => m.clone(),
            _ => Vec::new(),
        }
    };
    let key_text = |k: &Node| match &k.value {
        Value::Str(s) => s.clone(),
        _ => k.raw.as_deref().map(str::to_owned).unwrap_or_default(),
    };
    let mut check = |key: &str, map: &BTreeMap<String, f64>, node: &Node| {
        for (k, v) in entries(node) {
            let name = key_text(&k);
            if Quarter::parse(name.trim()).is_none() {
                let d = Diagnostic::error(CONFIG_FILE, format!("`{key}` key `{name}` is not a quarter"));
                diags.push(
                    d.at(text, k.pos, k.width())
                        .help("name a quarter as YYYY-Qn, e.g. `2026-Q4: 6000000`"),
                );
            }
            let amount = map.get(&name).copied().unwrap_or(0.0);
            if !amount.is_finite() || !(0.0..=MAX_NUMBER).contains(&amount) {
                let d = Diagnostic::error(
                    CONFIG_FILE,
                    format!("`{key}` for {name} is {amount}: a quota is an amount from 0 to 10^15"),
                );
                diags.push(
                    d.at(text, v.pos, v.width())
                        .help("write the quarter's amount in the site's currency unit, e.g. `2026-Q4: 6000000`"),
                );
            }
        }
    };
    for (k, v) in &top {
        match &k.value {
            Value::Str(s) if s == "quota" => check("quota", &config.quota, v),
            Value::Str(s) if s == "owner_quota" => {
                for (owner, quarters) in entries(v) {
                    let name = key_text(&owner);
                    let empty = BTreeMap::new();
                    let map = config.owner_quota.get(&name).unwrap_or(&empty);
                    check("owner_quota", map, &quarters);
                }
            }
            _ => {}
        }
    }
    diags
}

/// What is wrong with a `base_url`, if anything. It starts the links of the 404 page and the
/// addresses in `visits.ics`, so only an http(s) address or a path on the site's own host
/// will do: any other scheme (`javascript:`, `data:`, `file:`) would make every such link run
/// a script or open something else, and `//host` is another host's address written as a path.
fn base_url_problem(url: &str) -> Option<&'static str> {
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "\"'<>`\\{}|^".contains(c))
    {
        return Some("has a character that cannot be written in an address (a space, a quote, `<`, `>`, `\\`)");
    }
    let host = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match host {
        Some(h) if h.is_empty() || h.starts_with('/') => Some("names no host after `://`"),
        Some(_) => None,
        None if url.is_empty() => None,
        None if url.starts_with("//") => {
            Some("is another host's address without its scheme; write `https://` before it")
        }
        None if url.starts_with('/') => None,
        None => Some("is neither an http(s) address nor a path starting with `/`"),
    }
}

/// Where the value of a top-level `key:` is written, and its width, for a diagnostic about
/// a value the typed parse accepted (the first line that sets it; line 1 if none does).
fn value_pos(text: &str, key: &str) -> (Pos, usize) {
    for (i, line) in text.lines().enumerate() {
        if let Some(rest) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
            let value = rest.trim_start();
            let col = line.chars().count() - value.chars().count() + 1;
            let width = value.split(" #").next().unwrap_or("").trim_end().chars().count();
            return (Pos::new(i + 1, col), width.max(1));
        }
    }
    (Pos::new(1, 1), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_misspelt_key_is_reported_with_the_nearest() {
        let text = "stale_after_dayz: 3\nlanguag: en\nstages:\n  - {id: a, label: A, probabilty: 0.1}\n";
        let diags = SiteConfig::parse(text).unwrap_err();
        let got: Vec<_> = diags
            .iter()
            .map(|d| (d.line, d.column, d.help.clone().unwrap_or_default()))
            .collect();
        assert_eq!(
            got,
            [
                (1, 1, "did you mean `stale_after_days`?".to_owned()),
                (2, 1, "did you mean `language`?".to_owned()),
                (4, 23, "did you mean `probability`?".to_owned()),
            ]
        );
    }

    #[test]
    fn empty_config_is_default() {
        let c = SiteConfig::parse("").unwrap();
        assert_eq!(c.stages.len(), 7);
        assert_eq!(c.stage("quote"), Some(StageIx(4)));
        assert!(c.is_closed(StageIx(6)));
    }

    #[test]
    fn unknown_keys_are_errors_with_a_place() {
        let err = SiteConfig::parse("title: x\nlanguag: en\n").unwrap_err();
        assert_eq!(err[0].line, 2, "{err:?}");
        assert!(err[0].message.contains("languag"), "{err:?}");
    }

    /// Issue 20: typed text fields take the scalar as written (YAML 1.1 words and numbers
    /// included); a `today` outside years 0001..9999 and a threshold beyond 10^15 are refused
    /// at their place.
    #[test]
    fn text_values_are_kept_and_odd_values_refused_at_their_place() {
        let c = SiteConfig::parse(
            "title: N\ncurrency: +86\ntheme: 007\nstages:\n  - {id: on, label: yes, label_en: 0571, probability: 0.5}\n",
        )
        .unwrap();
        assert_eq!(
            (c.title.as_str(), c.currency.as_str(), c.theme.as_str()),
            ("N", "+86", "007")
        );
        let s = &c.stages[0];
        assert_eq!(
            (s.id.as_str(), s.label.as_str(), s.label_en.as_deref()),
            ("on", "yes", Some("0571"))
        );
        let err = SiteConfig::parse("title: x\ntoday: +10000-01-01\nsmall_order_threshold: 1e308\n").unwrap_err();
        let got: Vec<_> = err.iter().map(|d| (d.line, d.column, d.width)).collect();
        assert_eq!(got, [(2, 8, 12), (3, 24, 5)], "{err:#?}");
        assert!(err[0].help.as_deref().unwrap_or("").contains("0001-01-01"), "{err:#?}");
        for today in ["-0001-01-01", "0000-01-01", "2026-1-1"] {
            assert!(SiteConfig::parse(&format!("today: {today}\n")).is_err(), "{today}");
        }
        assert_eq!(
            SiteConfig::parse("today: 9999-12-31\n").unwrap().today(),
            NaiveDate::from_ymd_opt(9999, 12, 31)
        );
        for t in [".inf", "-.inf", ".nan", "-1e16"] {
            let err = SiteConfig::parse(&format!("small_order_threshold: {t}\n")).unwrap_err();
            assert_eq!((err[0].line, err[0].column), (1, 24), "{t}: {err:#?}");
        }
    }

    #[test]
    fn stage_ids_that_are_not_folder_names_are_errors_at_their_place() {
        let text = "stages:\n  - {id: won, label: w, probability: 1}\n  - {id: \"../../evil\", label: x, probability: 0.1}\n  - id: /tmp/abs\n    label: y\n    probability: 0.2\n  - {id: CON, label: z, probability: 0.3}\n";
        let err = SiteConfig::parse(text).unwrap_err();
        let places: Vec<_> = err.iter().map(|d| (d.line, d.column, d.message.as_str())).collect();
        assert_eq!(err.len(), 3, "{places:?}");
        assert_eq!((err[0].line, err[0].column), (3, 10), "{places:?}");
        assert!(
            err[0].message.contains("stage id `../../evil` cannot be a folder name"),
            "{places:?}"
        );
        assert!(err[0].help.as_deref().unwrap().contains("letters, digits, - and _"));
        assert_eq!((err[1].line, err[1].column), (4, 9), "{places:?}");
        assert!(err[2].message.contains("Windows reserves"), "{places:?}");
        let err = SiteConfig::parse(
            "stages:\n  - {id: won, label: w, probability: 1}\n  - {id: Won, label: x, probability: 1}\n",
        )
        .unwrap_err();
        assert_eq!((err[0].line, err[0].column), (3, 10), "{err:?}");
        assert!(
            err[0].message.contains("`won` and `Won` differ only in case"),
            "{err:?}"
        );
    }

    #[test]
    fn base_url_is_an_http_address_or_a_path_and_anything_else_an_error_at_its_place() {
        for good in [
            "",
            "/",
            "/sales",
            "https://sales.example.com/",
            "http://10.0.0.5:8080/book/",
        ] {
            let c = SiteConfig::parse(&format!("title: x\nbase_url: \"{good}\"\n"));
            assert!(c.is_ok(), "{good}: {c:?}");
        }
        for bad in [
            "javascript:alert(1)//",
            "JavaScript:alert(1)",
            "data:text/html,<b>x</b>",
            "file:///etc/",
            "//evil.example/",
            "https://",
            "https:///x",
            "sales/",
            "/\\evil.example/",
            "/a b/",
            "/\"onmouseover=\"x",
        ] {
            let text = format!("title: x\nbase_url: '{}'\n", bad.replace('\'', "''"));
            let err = SiteConfig::parse(&text).unwrap_err();
            assert_eq!(err.len(), 1, "{bad}: {err:?}");
            assert_eq!((err[0].line, err[0].column), (2, 11), "{bad}: {err:?}");
            assert!(err[0].message.starts_with("`base_url: "), "{bad}: {err:?}");
        }
    }

    /// Issue 17: `quota:` and `owner_quota:` keys are quarters and their amounts 0..10^15,
    /// every problem reported at its place in one run.
    #[test]
    fn quotas_are_quarters_with_amounts_and_problems_are_reported_at_their_place() {
        use crate::period::Quarter;
        let c = SiteConfig::parse("quota: {2026-Q4: 6000000}\nowner_quota:\n  张伟: {2026-Q4: 2000000}\n").unwrap();
        let q4 = Quarter::parse("2026-Q4").unwrap();
        assert_eq!(c.quota_for(None, q4), Some(6e6));
        assert_eq!(c.quota_for(Some("张伟"), q4), Some(2e6));
        assert_eq!(c.quota_for(Some("李娜"), q4), None);
        assert_eq!(c.quota_for(None, Quarter::parse("2027-Q1").unwrap()), None);
        let text = "quota:\n  2026-Q5: 100\n  2026-Q4: -5\nowner_quota:\n  张伟:\n    Q4: 1\n    2026-Q1: 1e16\n";
        let err = SiteConfig::parse(text).unwrap_err();
        let got: Vec<_> = err.iter().map(|d| (d.line, d.column)).collect();
        assert_eq!(got, [(2, 3), (3, 12), (6, 5), (7, 14)], "{err:#?}");
        assert!(err[0].message.contains("`2026-Q5` is not a quarter"), "{err:#?}");
        assert!(err[0].help.as_deref().unwrap_or("").contains("YYYY-Qn"), "{err:#?}");
        assert!(err[1].message.contains("from 0 to 10^15"), "{err:#?}");
        assert!(SiteConfig::parse("quota: 5\n").is_err(), "a quota is a map of quarters");
        let err = SiteConfig::parse("title: x\nrates_quarters: 0\n").unwrap_err();
        assert_eq!((err[0].line, err[0].column), (2, 17), "{err:#?}");
        assert_eq!(SiteConfig::parse("rates_quarters: 4\n").unwrap().rates_quarters, 4);
        assert!(SiteConfig::parse("quota: {2026-Q4: lots}\n").is_err());
    }

    #[test]
    fn custom_stages_get_labels() {
        let c = SiteConfig::parse("language: en\nstages:\n  - {id: quote, label: 报价, probability: 0.5}\n  - {id: pilot, label: 试用, probability: 0.7}\n").unwrap();
        assert_eq!(c.stage_label(StageIx(0)), "Quote");
        assert_eq!(c.stage_label(StageIx(1)), "pilot");
    }

    #[test]
    fn outcomes_default_by_id_and_unknown_ones_are_errors_with_a_suggestion() {
        let c = SiteConfig::parse("stages:\n  - {id: talk, label: 谈, probability: 0.3}\n  - {id: signed, label: 签, probability: 1, outcome: won}\n  - {id: won, label: 赢, probability: 1}\n  - {id: lost, label: 丢, probability: 0}\n").unwrap();
        let outcomes: Vec<Outcome> = c.stages.iter().map(|s| s.outcome).collect();
        assert_eq!(outcomes, [Outcome::Open, Outcome::Won, Outcome::Won, Outcome::Lost]);
        assert!(
            c.stages.iter().all(|s| s.outcome_written.is_none()),
            "the place is dropped once checked"
        );
        assert_eq!(SiteConfig::default().outcome(StageIx(5)), Outcome::Won);
        let text = "stages:\n  - id: signed\n    label: 签\n    probability: 1\n    outcome: wn\n  - id: dropped\n    label: 丢\n    probability: 0\n    outcome: banana\n";
        let err = SiteConfig::parse(text).unwrap_err();
        assert_eq!(err.len(), 2, "every problem in one run: {err:?}");
        assert_eq!((err[0].line, err[0].column), (5, 14), "{err:?}");
        assert!(err[0].message.contains("unknown outcome \"wn\""), "{err:?}");
        assert_eq!(err[0].help.as_deref(), Some("did you mean \"won\"?"));
        assert_eq!(err[1].line, 9, "{err:?}");
        assert_eq!(err[1].help.as_deref(), Some("expected one of: open, won, lost"));
    }
}
