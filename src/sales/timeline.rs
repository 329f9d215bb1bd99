//! One customer's history (客户时间线): every change of its stage, value and expected close,
//! each with the commit (author, date) that made it, the working tree's own changes last
//! ("uncommitted", dated today). The customer page's timeline, `stage_history` in
//! `customers.json`, this week's movement and the measured rates all read these events.

use chrono::NaiveDate;

use crate::history::History;
use crate::model::StageIx;
use crate::parse::front_matter::Customer;

/// What changed.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    /// The page appeared (first, or again after it was removed), at this stage.
    Appeared {
        stage: Option<StageIx>,
    },
    Stage {
        from: Option<StageIx>,
        to: Option<StageIx>,
    },
    Value {
        from: Option<f64>,
        to: Option<f64>,
    },
    Close {
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
    /// The page was removed (or stopped being a customer page).
    Removed,
}

/// One change of one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// An index into [`History::commits`]; `None`: the working tree, not yet committed.
    pub commit: Option<usize>,
    pub date: NaiveDate,
    pub what: What,
}

impl Event {
    /// Who made the change: the commit's author; `None` when uncommitted.
    pub fn author<'h>(&self, history: &'h History) -> Option<&'h str> {
        self.commit
            .and_then(|i| history.commits.get(i))
            .map(|c| c.author.as_str())
    }
}

fn diff(prev: Option<&Customer>, cur: Option<&Customer>, commit: Option<usize>, date: NaiveDate, out: &mut Vec<Event>) {
    let mut push = |what| out.push(Event { commit, date, what });
    match (prev, cur) {
        (None, None) => {}
        (Some(_), None) => push(What::Removed),
        (None, Some(c)) => push(What::Appeared { stage: c.stage }),
        (Some(p), Some(c)) => {
            if p.stage != c.stage {
                push(What::Stage {
                    from: p.stage,
                    to: c.stage,
                });
            }
            if p.value != c.value {
                push(What::Value {
                    from: p.value,
                    to: c.value,
                });
            }
            if p.expected_close != c.expected_close {
                push(What::Close {
                    from: p.expected_close,
                    to: c.expected_close,
                });
            }
        }
    }
}

/// The events of the page at `path` (relative to the site root, `content/customers/a.md`),
/// oldest first: from its versions along the history, then `now` (the working tree's page,
/// `None` when there is none) against the last version. Without history there are none:
/// nothing says when the page got what it holds.
pub fn timeline(history: &History, path: &str, now: Option<&Customer>, today: NaiveDate) -> Vec<Event> {
    let mut out = Vec::new();
    if !history.is_available() {
        return out;
    }
    let mut prev: Option<&Customer> = None;
    if let Some(versions) = history.customers.get(path) {
        for v in versions {
            let Some(c) = history.commits.get(v.commit) else {
                continue;
            };
            let cur = v.page.as_deref().map(|p| &p.customer);
            diff(prev, cur, Some(v.commit), c.date(), &mut out);
            prev = cur;
        }
    }
    diff(prev, now, None, today, &mut out);
    out
}

/// The stage after each appearance and stage change: `stage_history` of `customers.json`.
pub fn stage_history(events: &[Event]) -> Vec<(NaiveDate, Option<StageIx>)> {
    events
        .iter()
        .filter_map(|e| match e.what {
            What::Appeared { stage } | What::Stage { to: stage, .. } => Some((e.date, stage)),
            _ => None,
        })
        .collect()
}

/// Days since the last stage change (or the appearance), counted to `today`; `None` without
/// history.
pub fn days_in_stage(events: &[Event], today: NaiveDate) -> Option<i64> {
    stage_history(events).last().map(|(d, _)| (today - *d).num_days())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::config::SiteConfig;
    use crate::sales::progress::tests::{commit, day, deal, version};

    #[test]
    fn every_change_with_its_commit_and_the_working_tree_last() {
        let config = SiteConfig::default();
        let mut v0 = deal(&config, "x", "lead", 100.0, &[]);
        v0.expected_close = Some(day(2026, 11, 30));
        let mut v1 = v0.clone();
        v1.stage = config.stage("quote");
        let mut v2 = v1.clone();
        v2.value = Some(150.0);
        v2.expected_close = Some(day(2026, 12, 31));
        let h = History {
            unavailable: None,
            commits: vec![
                commit("a", "2026-11-02T09:00:00+08:00", "张伟"),
                commit("b", "2026-11-09T09:00:00+08:00", "李娜"),
                commit("c", "2026-11-10T09:00:00+08:00", "李娜"),
            ],
            customers: BTreeMap::from([(
                "content/customers/a.md".to_owned(),
                vec![version(0, Some(v0)), version(2, Some(v1))],
            )]),
            last_change: Default::default(),
        };
        let today = day(2026, 11, 18);
        let e = timeline(&h, "content/customers/a.md", Some(&v2), today);
        let (lead, quote) = (config.stage("lead"), config.stage("quote"));
        assert_eq!(
            e.iter().map(|e| (e.commit, e.date, e.what.clone())).collect::<Vec<_>>(),
            [
                (Some(0), day(2026, 11, 2), What::Appeared { stage: lead }),
                (Some(2), day(2026, 11, 10), What::Stage { from: lead, to: quote }),
                (
                    None,
                    today,
                    What::Value {
                        from: Some(100.0),
                        to: Some(150.0)
                    }
                ),
                (
                    None,
                    today,
                    What::Close {
                        from: Some(day(2026, 11, 30)),
                        to: Some(day(2026, 12, 31))
                    }
                ),
            ]
        );
        assert_eq!(e[1].author(&h), Some("李娜"));
        assert_eq!(e[2].author(&h), None);
        assert_eq!(
            stage_history(&e),
            [(day(2026, 11, 2), lead), (day(2026, 11, 10), quote)]
        );
        assert_eq!(days_in_stage(&e, today), Some(8));
        assert!(timeline(&History::default(), "content/customers/a.md", Some(&v2), today).is_empty());
    }
}
