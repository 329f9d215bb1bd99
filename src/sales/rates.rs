//! Measured rates (实测转化率): per open stage, the conversion and the median days in stage,
//! and the win rate, measured from the customers' histories over a window (`rates_quarters`,
//! default 2: the current quarter and the one before). They are shown beside the configured
//! probabilities, so that a manager sees where the defaults are wrong.
//!
//! A stint is the time a deal spent at one stage: from the change that put it there to the
//! change that moved it on. A stint counts when it ended inside the window:
//! - days in stage: the stint's length; the stage's median over its stints;
//! - conversion: the share of the stage's stints that ended by moving forward (to a later
//!   open stage in the configured order, or to a won stage);
//! - win rate: won ÷ (won + lost) among the changes into a won or lost stage in the window
//!   (a page that appears already closed is not counted: nothing says when it closed).

use chrono::NaiveDate;

use super::timeline::{Event, stage_history};
use crate::config::{Outcome, SiteConfig};
use crate::model::StageIx;
use crate::period::Quarter;

#[derive(Debug, Clone, PartialEq)]
pub struct StageRate {
    pub stage: StageIx,
    /// Stints at the stage that ended in the window.
    pub exits: usize,
    /// Of those, the ones that moved forward.
    pub forward: usize,
    pub conversion: Option<f64>,
    pub median_days: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rates {
    /// The window: its first day and `today`.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The open stages, in the configured order.
    pub stages: Vec<StageRate>,
    pub won: usize,
    pub lost: usize,
    pub win_rate: Option<f64>,
}

/// How many stints a median needs before it replaces the default ([`usual_days`]).
pub const MIN_STINTS: usize = 3;

/// The first day of the window: the first day of the quarter `quarters − 1` before today's.
pub fn window_start(today: NaiveDate, quarters: u32) -> NaiveDate {
    let q = Quarter::of(today);
    let back = i64::from(quarters.max(1) - 1);
    let index = i64::from(q.year) * 4 + i64::from(q.q - 1) - back;
    let first = Quarter {
        year: index.div_euclid(4) as i32,
        q: (index.rem_euclid(4) + 1) as u8,
    };
    first.first_day()
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// The rates over the events of many customers (each customer's events oldest first).
pub fn rates<'a>(timelines: impl IntoIterator<Item = &'a [Event]>, config: &SiteConfig, today: NaiveDate) -> Rates {
    let from = window_start(today, config.rates_quarters);
    let open: Vec<usize> = (0..config.stages.len())
        .filter(|i| config.outcome(StageIx(*i)) == Outcome::Open)
        .collect();
    let position = |s: StageIx| open.iter().position(|i| *i == s.0);
    let mut days: Vec<Vec<f64>> = vec![Vec::new(); config.stages.len()];
    let mut forward = vec![0usize; config.stages.len()];
    let (mut won, mut lost) = (0, 0);
    for events in timelines {
        let stages = stage_history(events);
        for w in stages.windows(2) {
            let ((entered, at), (left, to)) = (w[0], w[1]);
            if left < from || left > today {
                continue;
            }
            let to_outcome = to.map(|s| config.outcome(s));
            let at_outcome = at.map(|s| config.outcome(s));
            if at_outcome != to_outcome {
                match to_outcome {
                    Some(Outcome::Won) => won += 1,
                    Some(Outcome::Lost) => lost += 1,
                    _ => {}
                }
            }
            let Some(at) = at.filter(|s| config.outcome(*s) == Outcome::Open) else {
                continue;
            };
            days[at.0].push((left - entered).num_days() as f64);
            let ahead = match (to_outcome, to) {
                (Some(Outcome::Won), _) => true,
                (Some(Outcome::Open), Some(to)) => position(to) > position(at),
                _ => false,
            };
            if ahead {
                forward[at.0] += 1;
            }
        }
    }
    let stages = open
        .iter()
        .map(|&i| {
            let exits = days[i].len();
            StageRate {
                stage: StageIx(i),
                exits,
                forward: forward[i],
                conversion: (exits > 0).then(|| forward[i] as f64 / exits as f64),
                median_days: median(std::mem::take(&mut days[i])),
            }
        })
        .collect();
    Rates {
        from,
        to: today,
        stages,
        won,
        lost,
        win_rate: (won + lost > 0).then(|| won as f64 / (won + lost) as f64),
    }
}

/// A stage's usual time, in days: its measured median days in stage when at least
/// [`MIN_STINTS`] stints measured it, else the config's `stale_after_days`. A deal longer
/// than this at its stage has stalled.
pub fn usual_days(rates: &Rates, stage: StageIx, config: &SiteConfig) -> f64 {
    rates
        .stages
        .iter()
        .find(|r| r.stage == stage && r.exits >= MIN_STINTS)
        .and_then(|r| r.median_days)
        .unwrap_or(config.stale_after_days as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sales::progress::tests::day;
    use crate::sales::timeline::What;

    fn ev(date: NaiveDate, what: What) -> Event {
        Event {
            commit: Some(0),
            date,
            what,
        }
    }

    #[test]
    fn stints_that_ended_in_the_window_give_conversion_days_and_win_rate() {
        let config = SiteConfig::default();
        let s = |id: &str| config.stage(id);
        let today = day(2026, 11, 18);
        assert_eq!(window_start(today, 2), day(2026, 7, 1));
        assert_eq!(window_start(day(2026, 2, 1), 2), day(2025, 10, 1));
        assert_eq!(window_start(today, 1), day(2026, 10, 1));
        let a = [
            ev(day(2026, 8, 1), What::Appeared { stage: s("lead") }),
            // lead 10 days, forward
            ev(
                day(2026, 8, 11),
                What::Stage {
                    from: s("lead"),
                    to: s("quote"),
                },
            ),
            // quote 20 days, won
            ev(
                day(2026, 8, 31),
                What::Stage {
                    from: s("quote"),
                    to: s("won"),
                },
            ),
        ];
        let b = [
            // A stint that ended before the window does not count.
            ev(day(2026, 5, 1), What::Appeared { stage: s("lead") }),
            ev(
                day(2026, 6, 1),
                What::Stage {
                    from: s("lead"),
                    to: s("opportunity"),
                },
            ),
            // opportunity → lead: back (40 days from 06-01 to 07-11)
            ev(
                day(2026, 7, 11),
                What::Stage {
                    from: s("opportunity"),
                    to: s("lead"),
                },
            ),
            // lead → lost, 30 days
            ev(
                day(2026, 8, 10),
                What::Stage {
                    from: s("lead"),
                    to: s("lost"),
                },
            ),
        ];
        let c = [ev(day(2026, 9, 1), What::Appeared { stage: s("won") })];
        let r = rates([&a[..], &b[..], &c[..]], &config, today);
        let at = |id: &str| r.stages.iter().find(|x| Some(x.stage) == s(id)).unwrap();
        assert_eq!((at("lead").exits, at("lead").forward), (2, 1));
        assert_eq!(at("lead").conversion, Some(0.5));
        assert_eq!(at("lead").median_days, Some(20.0), "10 and 30 days");
        assert_eq!((at("opportunity").exits, at("opportunity").conversion), (1, Some(0.0)));
        assert_eq!(at("quote").median_days, Some(20.0));
        assert_eq!(
            (r.won, r.lost, r.win_rate),
            (1, 1, Some(0.5)),
            "c appeared won: not counted"
        );
        assert_eq!(
            usual_days(&r, s("lead").unwrap(), &config),
            30.0,
            "too few stints: the default"
        );
        assert!(r.stages.iter().all(|x| config.outcome(x.stage) == Outcome::Open));
        // A third lead stint (4 days): the median of 4, 10 and 30 replaces the default.
        let d = [
            ev(day(2026, 10, 1), What::Appeared { stage: s("lead") }),
            ev(
                day(2026, 10, 5),
                What::Stage {
                    from: s("lead"),
                    to: s("opportunity"),
                },
            ),
        ];
        let r = rates([&a[..], &b[..], &c[..], &d[..]], &config, today);
        assert_eq!(usual_days(&r, s("lead").unwrap(), &config), 10.0);
    }
}
