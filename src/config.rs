//! `salesbook.yaml`: the site's settings, typed, every key with a default from docs/domain.md.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Pos};
use crate::model::StageIx;

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
    pub stages: Vec<StageDef>,
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
            stages: default_stages(),
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
    })
    .collect()
}

impl SiteConfig {
    /// Parses the config text; problems come back as diagnostics for `salesbook.yaml`.
    pub fn parse(text: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
        if text.trim().is_empty() {
            return Ok(SiteConfig::default());
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
        for i in 0..config.stages.len() {
            let s = &config.stages[i];
            if !(0.0..=1.0).contains(&s.probability) {
                diags.push(err(format!(
                    "stage \"{}\": probability {} is outside 0..1",
                    s.id, s.probability
                )));
            }
            if config.stages[..i].iter().any(|o| o.id == s.id) {
                diags.push(err(format!("stage \"{}\" is listed twice", s.id)));
            }
            if s.label_en.is_none() {
                let builtin = default_stages().into_iter().find(|d| d.id == s.id);
                let en = builtin.and_then(|d| d.label_en).unwrap_or_else(|| s.id.clone());
                config.stages[i].label_en = Some(en);
            }
        }
        if let Some(t) = &config.today
            && NaiveDate::parse_from_str(t, "%Y-%m-%d").is_err()
        {
            diags.push(err(format!("`today: {t}` is not a date in YYYY-MM-DD form")));
        }
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

    /// Stages outside the open funnel: won and lost (closed deals).
    pub fn is_closed(&self, ix: StageIx) -> bool {
        matches!(self.stages[ix.0].id.as_str(), "won" | "lost")
    }

    pub fn stage_label(&self, ix: StageIx) -> &str {
        let s = &self.stages[ix.0];
        match self.language {
            Language::ZhCn => &s.label,
            Language::En => s.label_en.as_deref().unwrap_or(&s.id),
        }
    }

    pub fn today(&self) -> Option<NaiveDate> {
        self.today
            .as_deref()
            .and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn custom_stages_get_labels() {
        let c = SiteConfig::parse("language: en\nstages:\n  - {id: quote, label: 报价, probability: 0.5}\n  - {id: pilot, label: 试用, probability: 0.7}\n").unwrap();
        assert_eq!(c.stage_label(StageIx(0)), "Quote");
        assert_eq!(c.stage_label(StageIx(1)), "pilot");
    }
}
