//! The five relationship tiers (客户关系的五种类型) and the customers in each.

use crate::config::SiteConfig;
use crate::model::{Kind, Tier};
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
