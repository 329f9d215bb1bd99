//! This week's movement (本周动态): what changed in the deals during the ISO week of `today`,
//! from the commits dated in it and the working tree's uncommitted changes: new customers,
//! deals that advanced or went back, won and lost deals, value changes, expected closes
//! pushed later (slipped), and deals whose stage has not changed for longer than the stage's
//! usual time ([`usual_days`]). Each item carries the change's commit (its author and date).
//!
//! Advanced and went back compare the stages' places in the configured order among the
//! open stages; moving to a won or lost stage is "won" or "lost", and moving from one back to
//! an open stage is "went back".

use chrono::NaiveDate;
use rayon::prelude::*;

use super::progress::Progress;
use super::rates::{Rates, rates, usual_days};
use super::timeline::{Event, What, days_in_stage, stage_history, timeline};
use crate::config::{Outcome, SiteConfig};
use crate::history::History;
use crate::model::StageIx;
use crate::parse::front_matter::Customer;
use crate::period::Week;
use crate::site::{DocId, Site};

/// The kinds of movement, in the order the page lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    New,
    Advanced,
    WentBack,
    Won,
    Lost,
    Value,
    Slipped,
    Stalled,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::New,
        Kind::Advanced,
        Kind::WentBack,
        Kind::Won,
        Kind::Lost,
        Kind::Value,
        Kind::Slipped,
        Kind::Stalled,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Kind::New => "new",
            Kind::Advanced => "advanced",
            Kind::WentBack => "went_back",
            Kind::Won => "won",
            Kind::Lost => "lost",
            Kind::Value => "value",
            Kind::Slipped => "slipped",
            Kind::Stalled => "stalled",
        }
    }
}

/// One item of the movement.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub kind: Kind,
    pub doc: DocId,
    /// The change's commit (`None`: uncommitted) and date; for a stalled deal, those of its
    /// last stage change.
    pub commit: Option<usize>,
    pub date: NaiveDate,
    pub what: What,
    /// For a stalled deal: its days in stage and the stage's usual days.
    pub stalled: Option<(i64, f64)>,
}

/// Whether a stage change moved the deal forward, back, to won or to lost.
pub fn classify(from: Option<StageIx>, to: Option<StageIx>, config: &SiteConfig) -> Option<Kind> {
    let (from, to) = (from?, to?);
    let open_place = |s: StageIx| {
        (config.outcome(s) == Outcome::Open).then(|| {
            (0..=s.0)
                .filter(|i| config.outcome(StageIx(*i)) == Outcome::Open)
                .count()
        })
    };
    match (config.outcome(from), config.outcome(to)) {
        (a, Outcome::Won) if a != Outcome::Won => Some(Kind::Won),
        (a, Outcome::Lost) if a != Outcome::Lost => Some(Kind::Lost),
        (Outcome::Won | Outcome::Lost, Outcome::Open) => Some(Kind::WentBack),
        (Outcome::Open, Outcome::Open) => match open_place(to).cmp(&open_place(from)) {
            std::cmp::Ordering::Greater => Some(Kind::Advanced),
            std::cmp::Ordering::Less => Some(Kind::WentBack),
            std::cmp::Ordering::Equal => None,
        },
        _ => None,
    }
}

/// The movement of the week of `today` among `customers` (each with its events, oldest
/// first, and its page now), in list order: by kind, then newest first (stalled deals:
/// longest stalled first).
pub fn movement<'a>(
    customers: impl IntoIterator<Item = (DocId, &'a [Event], &'a Customer)>,
    rates: &Rates,
    config: &SiteConfig,
    today: NaiveDate,
) -> Vec<Item> {
    let week = Week::of(today);
    let mut items = Vec::new();
    for (doc, events, now) in customers {
        for e in events {
            if e.commit.is_some() && !week.contains(e.date) {
                continue;
            }
            let kind = match &e.what {
                What::Appeared { .. } => Some(Kind::New),
                What::Stage { from, to } => classify(*from, *to, config),
                What::Value { .. } => Some(Kind::Value),
                What::Close {
                    from: Some(from),
                    to: Some(to),
                } if to > from => Some(Kind::Slipped),
                _ => None,
            };
            if let Some(kind) = kind {
                items.push(Item {
                    kind,
                    doc,
                    commit: e.commit,
                    date: e.date,
                    what: e.what.clone(),
                    stalled: None,
                });
            }
        }
        let Some(stage) = now.stage.filter(|s| config.outcome(*s) == Outcome::Open) else {
            continue;
        };
        let (Some(days), Some(last)) = (
            days_in_stage(events, today),
            events
                .iter()
                .rev()
                .find(|e| matches!(e.what, What::Appeared { .. } | What::Stage { .. })),
        ) else {
            continue;
        };
        let usual = usual_days(rates, stage, config);
        if days as f64 > usual {
            items.push(Item {
                kind: Kind::Stalled,
                doc,
                commit: last.commit,
                date: last.date,
                what: last.what.clone(),
                stalled: Some((days, usual)),
            });
        }
    }
    // Newest first; stalled deals longest stalled first.
    items.sort_by(|a, b| {
        let newest = if a.kind == Kind::Stalled {
            a.date.cmp(&b.date)
        } else {
            b.date.cmp(&a.date)
        };
        a.kind.cmp(&b.kind).then(newest).then(a.doc.cmp(&b.doc))
    });
    items
}

/// Everything worked out from the history for one build: the weekly series, the measured
/// rates and each listed customer's events.
#[derive(Debug, Default)]
pub struct OverTime {
    pub progress: Progress,
    pub rates: Option<Rates>,
    /// The events of every customer the figures count, by page.
    pub events: Vec<(DocId, Vec<Event>)>,
}

/// The figures over time of a build (see [`super::progress::of_site`]).
pub fn of_site(site: &Site, config: &SiteConfig, history: &History, today: NaiveDate) -> OverTime {
    let progress = super::progress::of_site(site, config, history, today);
    // Confidential pages a public build counts anonymously have no history there: like the
    // series (`progress::of_site`), the rates and the movement leave them out.
    let named: Vec<(DocId, &Customer)> = super::funnel::counted(site, config)
        .filter(|(_, _, anonymous)| !anonymous)
        .map(|(id, c, _)| (id, c))
        .collect();
    let events: Vec<(DocId, Vec<Event>)> = named
        .par_iter()
        .map(|(id, c)| (*id, timeline(history, &site.doc(*id).rel_path, Some(c), today)))
        .collect();
    let rates = history
        .is_available()
        .then(|| rates(events.iter().map(|(_, e)| e.as_slice()), config, today));
    OverTime {
        progress,
        rates,
        events,
    }
}

/// `stage_history` of one customer: the date and stage id of each appearance and stage
/// change (the stage `None` when the page had none it could name).
pub fn stage_history_of<'c>(events: &[Event], config: &'c SiteConfig) -> Vec<(NaiveDate, Option<&'c str>)> {
    stage_history(events)
        .into_iter()
        .map(|(d, s)| (d, s.map(|s| config.stage_def(s).id.as_str())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sales::progress::tests::{day, deal};

    fn ev(commit: Option<usize>, date: NaiveDate, what: What) -> Event {
        Event { commit, date, what }
    }

    #[test]
    fn stage_moves_are_classified_by_the_open_stages_order_and_outcomes() {
        let config = SiteConfig::default();
        let s = |id: &str| config.stage(id);
        assert_eq!(classify(s("lead"), s("quote"), &config), Some(Kind::Advanced));
        assert_eq!(classify(s("quote"), s("potential"), &config), Some(Kind::WentBack));
        assert_eq!(classify(s("quote"), s("won"), &config), Some(Kind::Won));
        assert_eq!(classify(s("lead"), s("lost"), &config), Some(Kind::Lost));
        assert_eq!(
            classify(s("won"), s("quote"), &config),
            Some(Kind::WentBack),
            "reopened"
        );
        assert_eq!(classify(None, s("quote"), &config), None);
    }

    /// Today Wed 2026-11-18: the week is 11-16..11-22. Last week's commit is not this
    /// week's movement; uncommitted changes are.
    #[test]
    fn this_weeks_items_and_stalled_deals() {
        let config = SiteConfig::default();
        let s = |id: &str| config.stage(id);
        let today = day(2026, 11, 18);
        let a_now = deal(&config, "x", "quote", 100.0, &[]);
        let a = [
            ev(Some(0), day(2026, 11, 10), What::Appeared { stage: s("lead") }),
            ev(
                Some(1),
                day(2026, 11, 16),
                What::Stage {
                    from: s("lead"),
                    to: s("quote"),
                },
            ),
            ev(
                None,
                today,
                What::Value {
                    from: Some(80.0),
                    to: Some(100.0),
                },
            ),
        ];
        let b_now = deal(&config, "x", "lead", 10.0, &[]);
        let b = [
            // At lead since 2026-09-01: 78 days, beyond the default 30.
            ev(Some(0), day(2026, 9, 1), What::Appeared { stage: s("lead") }),
            ev(
                Some(1),
                day(2026, 11, 17),
                What::Close {
                    from: Some(day(2026, 11, 30)),
                    to: Some(day(2027, 1, 31)),
                },
            ),
            ev(
                Some(1),
                day(2026, 11, 17),
                What::Close {
                    from: Some(day(2027, 1, 31)),
                    to: Some(day(2026, 12, 1)),
                },
            ),
        ];
        let rates = rates([&a[..], &b[..]], &config, today);
        let items = movement(
            [(DocId(0), &a[..], &a_now), (DocId(1), &b[..], &b_now)],
            &rates,
            &config,
            today,
        );
        let got: Vec<(Kind, usize, Option<usize>)> = items.iter().map(|i| (i.kind, i.doc.0, i.commit)).collect();
        assert_eq!(
            got,
            [
                (Kind::Advanced, 0, Some(1)),
                (Kind::Value, 0, None),
                (Kind::Slipped, 1, Some(1)),
                (Kind::Stalled, 1, Some(0)),
            ],
            "a's appearance was last week; a close pulled earlier is no slip"
        );
        assert_eq!(items[3].stalled, Some((78, 30.0)));
    }
}
