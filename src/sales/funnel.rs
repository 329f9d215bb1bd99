//! The sales funnel (销售漏斗): per-stage counts and values, weighted pipeline, stage-to-stage
//! conversion and overdue closes, as pure functions of the customer pages.

use chrono::NaiveDate;
use serde::Serialize;

use super::deal::{close_overdue, deal_value, is_small_order, larger_first, pipeline_weight};
use crate::config::{Outcome, SiteConfig};
use crate::model::StageIx;
use crate::parse::front_matter::Customer;
use crate::site::{DocId, Site};

pub use super::deal::{probability, weighted_value};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageFigures {
    pub ix: usize,
    pub id: String,
    pub label: String,
    pub probability: f64,
    pub count: usize,
    pub value: f64,
    pub weighted: f64,
    /// Share of the customers that reached the stage before this one and reached this one too
    /// (None for the first stage, for `lost`, and when nobody reached the stage before).
    pub conversion: Option<f64>,
    /// Won or lost ([`Outcome::is_closed`]).
    pub closed: bool,
    pub outcome: Outcome,
    #[serde(skip)]
    pub customers: Vec<DocId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    pub stages: Vec<StageFigures>,
    /// Value of every open deal (stages whose outcome is open).
    pub open_value: f64,
    /// Weighted value of every open deal.
    pub weighted_total: f64,
    pub open_count: usize,
    /// Value of the deals at stages whose outcome is won.
    pub won_value: f64,
    /// Open deals whose expected close date has passed, most overdue first.
    pub overdue: Vec<DocId>,
    /// Deals under the small-order threshold, kept out of the figures (漏斗外销售额).
    pub outside_value: f64,
    pub outside: Vec<DocId>,
    /// Customers with no (valid) stage.
    pub unstaged: Vec<DocId>,
}

/// Computes the funnel over the visible customers of the site.
pub fn funnel(site: &Site, config: &SiteConfig, today: NaiveDate) -> Funnel {
    funnel_of(site, config, today, counted(site, config))
}

/// The customers the site's figures count, with whether each is counted anonymously.
/// Confidential customers a --public build leaves out still count, anonymously, when the
/// config says so: in the figures, never in a list. Every figure of the whole team (the
/// funnel, the figures over time) counts these.
pub fn counted<'a>(site: &'a Site, config: &'a SiteConfig) -> impl Iterator<Item = (DocId, &'a Customer, bool)> + 'a {
    site.docs.iter().enumerate().filter_map(|(i, d)| {
        let hidden = site.is_hidden(DocId(i));
        let anonymous = hidden && config.count_confidential && d.fm.confidential && !d.fm.draft;
        let c =
            d.fm.customer
                .as_deref()
                .filter(|_| d.kind == crate::model::Kind::Customer)?;
        (!hidden || anonymous).then_some((DocId(i), c, anonymous))
    })
}

/// The weighted open pipeline (销售预计) of some customers: the sum of
/// [`pipeline_weight`], exactly the funnel's `weighted_total`.
pub fn weighted_pipeline<'a>(customers: impl IntoIterator<Item = &'a Customer>, config: &SiteConfig) -> f64 {
    customers.into_iter().filter_map(|c| pipeline_weight(c, config)).sum()
}

/// The funnel over some customers (`anonymous`: counted in the figures, named in no list):
/// the whole site's, or one owner's.
pub fn funnel_of<'a>(
    site: &Site,
    config: &SiteConfig,
    today: NaiveDate,
    customers: impl Iterator<Item = (DocId, &'a Customer, bool)>,
) -> Funnel {
    let mut stages: Vec<StageFigures> = config
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| StageFigures {
            ix: i,
            id: s.id.clone(),
            label: config.stage_label(StageIx(i)).to_owned(),
            probability: s.probability,
            count: 0,
            value: 0.0,
            weighted: 0.0,
            conversion: None,
            closed: s.outcome.is_closed(),
            outcome: s.outcome,
            customers: Vec::new(),
        })
        .collect();
    let mut f = Funnel {
        stages: Vec::new(),
        open_value: 0.0,
        weighted_total: 0.0,
        open_count: 0,
        won_value: 0.0,
        overdue: Vec::new(),
        outside_value: 0.0,
        outside: Vec::new(),
        unstaged: Vec::new(),
    };
    let mut overdue: Vec<(NaiveDate, DocId)> = Vec::new();
    for (id, c, anonymous) in customers {
        let Some(stage) = c.stage else {
            if !anonymous {
                f.unstaged.push(id);
            }
            continue;
        };
        let value = deal_value(c);
        if is_small_order(c, config) {
            f.outside_value += value;
            if !anonymous {
                f.outside.push(id);
            }
            continue;
        }
        let weighted = weighted_value(c, config).unwrap_or(0.0);
        let s = &mut stages[stage.0];
        s.count += 1;
        s.value += value;
        s.weighted += weighted;
        if !anonymous {
            s.customers.push(id);
        }
        match s.outcome {
            Outcome::Open => {
                f.open_value += value;
                f.weighted_total += pipeline_weight(c, config).unwrap_or(0.0);
                f.open_count += 1;
                if let Some(close) = c
                    .expected_close
                    .filter(|_| close_overdue(c, config, today) && !anonymous)
                {
                    overdue.push((close, id));
                }
            }
            Outcome::Won => f.won_value += value,
            Outcome::Lost => {}
        }
    }
    overdue.sort();
    f.overdue = overdue.into_iter().map(|(_, id)| id).collect();
    // Conversion: a customer at a later stage has passed through every earlier one; lost
    // deals left at an unknown stage, so they count nowhere.
    let reached = |i: usize, stages: &[StageFigures]| -> usize {
        stages[i..].iter().filter(|s| s.is_drawn()).map(|s| s.count).sum()
    };
    let ordered: Vec<usize> = (0..stages.len()).filter(|i| stages[*i].is_drawn()).collect();
    for w in ordered.windows(2) {
        let (prev, cur) = (w[0], w[1]);
        let before = reached(prev, &stages);
        if before > 0 {
            stages[cur].conversion = Some(reached(cur, &stages) as f64 / before as f64);
        }
    }
    for s in &mut stages {
        sort_by_value(site, &mut s.customers);
    }
    f.stages = stages;
    f
}

impl StageFigures {
    /// Whether the stage is in the funnel's line of stages (drawn in the chart, counted in
    /// conversion): every stage but those whose deals were lost, which left the funnel at an
    /// unknown stage.
    pub fn is_drawn(&self) -> bool {
        self.outcome != Outcome::Lost
    }
}

/// Largest deal first; equal values keep their (file) order.
pub fn sort_by_value(site: &Site, ids: &mut Vec<DocId>) {
    let mut keyed: Vec<(f64, DocId)> = ids
        .iter()
        .map(|id| (site.doc(*id).fm.customer.as_deref().map_or(0.0, deal_value), *id))
        .collect();
    keyed.sort_by(|a, b| larger_first(a.0, b.0));
    *ids = keyed.into_iter().map(|(_, id)| id).collect();
}

/// `public/funnel.json`, exactly as FORMAT.md specifies it.
pub fn funnel_json(f: &Funnel, site: &Site, config: &SiteConfig, today: NaiveDate) -> String {
    #[derive(Serialize)]
    struct Stage<'a> {
        id: &'a str,
        label: &'a str,
        count: usize,
        value: f64,
        weighted: f64,
    }
    #[derive(Serialize)]
    struct Json<'a> {
        currency: &'a str,
        today: String,
        stages: Vec<Stage<'a>>,
        open_value: f64,
        weighted_total: f64,
        overdue: Vec<&'a str>,
    }
    let json = Json {
        currency: &config.currency,
        today: today.format("%Y-%m-%d").to_string(),
        stages: f
            .stages
            .iter()
            .map(|s| Stage {
                id: &s.id,
                label: &s.label,
                count: s.count,
                value: round2(s.value),
                weighted: round2(s.weighted),
            })
            .collect(),
        open_value: round2(f.open_value),
        weighted_total: round2(f.weighted_total),
        overdue: f.overdue.iter().map(|id| site.doc(*id).slug.as_str()).collect(),
    };
    html_safe(serde_json::to_string_pretty(&json).unwrap_or_default()) + "\n"
}

/// JSON that stays inert inside an HTML `<script>` too: `<`, `>` and `&` (which JSON only
/// has inside strings) written as `\u` escapes.
pub fn html_safe(json: String) -> String {
    if !json.contains(['<', '>', '&']) {
        return json;
    }
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Money is shown to the cent at most; this keeps float noise out of JSON.
pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_html_safe() {
        let json = serde_json::to_string(&["</script><b>&"]).unwrap();
        let safe = html_safe(json);
        assert_eq!(safe, r#"["\u003c/script\u003e\u003cb\u003e\u0026"]"#);
        assert_eq!(serde_json::from_str::<Vec<String>>(&safe).unwrap(), ["</script><b>&"]);
    }
}
