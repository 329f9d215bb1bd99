//! The facts of one build: the site, its link graph, the config, the theme's labels, the day
//! the build counts from, and the sales figures. They are worked out once, before anything is
//! rendered, and never change after: the views, the exports and the search index all read
//! them, so none of those stages needs another (this module sits below all three).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::SiteConfig;
use crate::format::{DateView, Labels, date_view, money};
use crate::history::History;
use crate::links::LinkGraph;
use crate::model::{StageIx, Tier};
use crate::sales::funnel::Funnel;
use crate::sales::movement::OverTime;
use crate::sales::progress::Progress;
use crate::sales::tiers::TierFigures;
use crate::site::{DocId, Site};

/// Everything a build's output is made from, but the theme's templates.
pub struct Facts<'a> {
    pub site: &'a Site,
    pub graph: &'a LinkGraph,
    pub config: &'a SiteConfig,
    pub labels: &'a Labels,
    pub today: NaiveDate,
    /// A `--public` build: confidential pages and `private:` fields are left out.
    pub public: bool,
    pub figures: Figures<'a>,
    /// The site's git history (empty when there is none: see [`History::unavailable`]).
    pub history: &'a History,
    /// The figures over time ([`Facts::progress`]), worked out on first use: only the pages
    /// and the file that show them need them, and a rebuild that makes none of those skips
    /// the walk through every week's snapshot.
    pub over_time: std::sync::OnceLock<OverTime>,
}

/// The figures computed once per build and shared by every page.
pub struct Figures<'a> {
    pub funnel: &'a Funnel,
    pub tiers: &'a [TierFigures],
    pub untiered: &'a [DocId],
    /// Customers by owner ([`owners`]).
    pub owners: &'a BTreeMap<String, Vec<DocId>>,
}

/// Customers by owner, in the order of the site (customers without one are on no owner's
/// page).
pub fn owners(site: &Site) -> BTreeMap<String, Vec<DocId>> {
    let mut map: BTreeMap<String, Vec<DocId>> = BTreeMap::new();
    let customers = site
        .of_kind(crate::model::Kind::Customer)
        .filter_map(|(id, d)| Some((id, d.fm.customer.as_deref()?)));
    for (id, c) in customers {
        if let Some(o) = crate::sales::deal::owner(c) {
            match map.get_mut(o) {
                Some(ids) => ids.push(id),
                None => {
                    map.insert(o.to_owned(), vec![id]);
                }
            }
        }
    }
    map
}

/// An id (a stage's, a tier's) with its label in the site's language.
#[derive(Debug, Clone, Serialize)]
pub struct IdLabel {
    pub id: String,
    pub label: String,
}

impl Facts<'_> {
    /// The weekly series of the team and of each rep (`sales::progress`).
    pub fn progress(&self) -> &Progress {
        &self.over_time().progress
    }

    /// Everything worked out from the history (`sales::movement::of_site`).
    pub fn over_time(&self) -> &OverTime {
        self.over_time
            .get_or_init(|| crate::sales::movement::of_site(self.site, self.config, self.history, self.today))
    }

    /// Whether search engines are kept out: every internal build (it holds confidential data)
    /// unless the config allows indexing.
    pub fn noindex(&self) -> bool {
        !self.public && !self.config.allow_indexing
    }

    pub fn money(&self, v: f64) -> String {
        money(v, &self.config.currency, self.config.money_in_wan)
    }

    pub fn date(&self, d: NaiveDate, deadline: bool) -> DateView {
        date_view(d, self.today, self.labels, deadline)
    }

    /// An id with its label (`prefix_id` in the theme's labels).
    pub fn id_label(&self, prefix: &str, id: &str) -> IdLabel {
        IdLabel {
            id: id.to_owned(),
            label: self.label(prefix, id),
        }
    }

    pub fn label(&self, prefix: &str, id: &str) -> String {
        // Built by hand: this runs for every badge of every list entry (format! and replace
        // took 1% of a build).
        let mut key = String::with_capacity(prefix.len() + 1 + id.len());
        key.push_str(prefix);
        key.push('_');
        key.extend(id.chars().map(|c| if c == '-' { '_' } else { c }));
        self.labels.get(&key)
    }

    pub fn stage(&self, ix: StageIx) -> IdLabel {
        IdLabel {
            id: self.config.stage_def(ix).id.clone(),
            label: self.config.stage_label(ix).to_owned(),
        }
    }

    pub fn tier(&self, t: Tier) -> IdLabel {
        IdLabel {
            id: t.id().to_owned(),
            label: self.label("tier", t.id()),
        }
    }
}
