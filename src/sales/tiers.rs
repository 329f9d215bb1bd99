//! The five relationship tiers (客户关系的五种类型) and the customers in each.

use crate::config::{Outcome, SiteConfig};
use crate::model::{Kind, StageIx, Tier};
use crate::site::{DocId, Site};

#[derive(Debug, Clone, PartialEq)]
pub struct TierFigures {
    pub tier: Tier,
    pub customers: Vec<DocId>,
    pub value: f64,
}

/// Customers grouped by tier, basic → partner, each group by value (largest first);
/// the second list holds customers with no tier.
pub fn tiers(site: &Site, _config: &SiteConfig) -> (Vec<TierFigures>, Vec<DocId>) {
    let mut out: Vec<TierFigures> = Tier::ALL
        .iter()
        .map(|t| TierFigures {
            tier: *t,
            customers: Vec::new(),
            value: 0.0,
        })
        .collect();
    let mut untiered = Vec::new();
    for (id, doc) in site.of_kind(Kind::Customer) {
        let Some(c) = doc.fm.customer.as_deref() else {
            continue;
        };
        match c.tier {
            Some(t) => {
                let f = &mut out[t as usize];
                f.customers.push(id);
                f.value += super::deal::deal_value(c);
            }
            None => untiered.push(id),
        }
    }
    for f in &mut out {
        super::funnel::sort_by_value(site, &mut f.customers);
    }
    (out, untiered)
}

/// The win probability below which an open stage is a prospect's (目标客户 and 潜在客户 in
/// the default funnel): no deal in sight yet.
pub const PROSPECT_BELOW: f64 = 0.2;

/// Whether `tier` contradicts the customer's `stage`: the tiers describe how a customer
/// behaves after buying (docs/domain.md), and `responsible`, `proactive` and `partner` one
/// that talks to us openly, gives feedback or plans with us; such a customer is never a mere
/// prospect (an open stage with a win probability below [`PROSPECT_BELOW`]). `basic` and
/// `passive` suit a prospect who bought before (a customer to win back); every tier suits
/// a later stage, a won deal and a lost one.
pub fn contradicts(tier: Tier, stage: StageIx, config: &SiteConfig) -> bool {
    let def = config.stage_def(stage);
    tier > Tier::Passive && def.outcome == Outcome::Open && def.probability < PROSPECT_BELOW
}

/// `check`'s warning for each customer whose tier [`contradicts`] its stage, at the tier.
pub fn mismatches(site: &Site, config: &SiteConfig) -> Vec<crate::diagnostics::Diagnostic> {
    let mut diags = Vec::new();
    for (_, d) in site.of_kind(crate::model::Kind::Customer) {
        let Some(c) = d.fm.customer.as_deref() else {
            continue;
        };
        let (Some(tier), Some(stage), Some((pos, width))) = (c.tier, c.stage, c.tier_at) else {
            continue;
        };
        if !contradicts(tier, stage, config) {
            continue;
        }
        let message = format!(
            "`tier: {}` does not suit a customer at `stage: {}`",
            tier.id(),
            config.stage_def(stage).id
        );
        let w = crate::diagnostics::Diagnostic::warning(&d.rel_path, message);
        let w = match d.text() {
            Some(t) => w.at(&t, pos, width),
            None => {
                let mut w = w;
                (w.line, w.column) = (pos.line, pos.column);
                w
            }
        };
        diags.push(w.help(
            "a responsible, proactive or partner customer has bought and works with us: it is past a prospect's \
             stage; leave `tier` out until the first order (or use basic/passive for a former customer)",
        ));
    }
    diags
}
