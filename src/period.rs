//! The calendar the figures over time count in: ISO weeks (Monday to Sunday) and quarters
//! (`2026-Q4`). Quotas are set per quarter, the weekly series runs week by week, and a week
//! belongs to the quarter of its Sunday; these rules are written once, here.

use std::fmt;

use chrono::{Datelike, Days, NaiveDate};

/// A calendar quarter: `2026-Q4` is October to December 2026.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub q: u8,
}

impl Quarter {
    /// The quarter `d` falls in.
    pub fn of(d: NaiveDate) -> Quarter {
        Quarter {
            year: d.year(),
            q: (d.month0() / 3 + 1) as u8,
        }
    }

    /// Reads `2026-Q4` (the form of the `quota:` keys); `None` for anything else.
    pub fn parse(s: &str) -> Option<Quarter> {
        let (year, q) = s.split_once("-Q")?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) || q.len() != 1 {
            return None;
        }
        let q: u8 = q.parse().ok()?;
        let year: i32 = year.parse().ok()?;
        ((1..=4).contains(&q) && year >= 1).then_some(Quarter { year, q })
    }

    /// The quarter's first day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, u32::from(self.q) * 3 - 2, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The quarter's last day.
    pub fn last_day(self) -> NaiveDate {
        let next = if self.q == 4 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, u32::from(self.q) * 3 + 1, 1)
        };
        next.and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.q)
    }
}

/// An ISO week, named by its Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Week {
    pub monday: NaiveDate,
}

impl Week {
    /// The ISO week `d` falls in.
    pub fn of(d: NaiveDate) -> Week {
        let back = u64::from(d.weekday().num_days_from_monday());
        Week {
            monday: d.checked_sub_days(Days::new(back)).unwrap_or(d),
        }
    }

    /// The week's Sunday: its snapshot is the site as of that day.
    pub fn sunday(self) -> NaiveDate {
        self.monday.checked_add_days(Days::new(6)).unwrap_or(self.monday)
    }

    /// The week after this one.
    pub fn next(self) -> Week {
        Week {
            monday: self.monday.checked_add_days(Days::new(7)).unwrap_or(self.monday),
        }
    }

    /// The week's quarter: the quarter of its Sunday.
    pub fn quarter(self) -> Quarter {
        Quarter::of(self.sunday())
    }

    /// Whether `d` falls in the week.
    pub fn contains(self, d: NaiveDate) -> bool {
        self.monday <= d && d <= self.sunday()
    }
}

impl fmt::Display for Week {
    /// `2026-W47`: the ISO year (which may differ from the Monday's year) and week number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = self.monday.iso_week();
        write!(f, "{:04}-W{:02}", w.year(), w.week())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn weeks_run_monday_to_sunday_and_take_the_quarter_of_their_sunday() {
        let w = Week::of(day(2026, 11, 18));
        assert_eq!((w.monday, w.sunday()), (day(2026, 11, 16), day(2026, 11, 22)));
        assert_eq!(w.to_string(), "2026-W47");
        assert_eq!(Week::of(day(2026, 11, 22)), w, "Sunday ends the week");
        assert_eq!(Week::of(day(2026, 11, 23)), w.next());
        // 2026-09-28 (Mon) .. 2026-10-04 (Sun): the quarter boundary inside the week.
        let w = Week::of(day(2026, 9, 30));
        assert_eq!(w.quarter().to_string(), "2026-Q4");
        // 2026-12-28 .. 2027-01-03 is ISO week 53 of 2026.
        assert_eq!(Week::of(day(2027, 1, 1)).to_string(), "2026-W53");
        assert_eq!(Week::of(day(2027, 1, 1)).quarter().to_string(), "2027-Q1");
    }

    #[test]
    fn quarters_parse_only_their_one_form() {
        let q = Quarter::parse("2026-Q4").unwrap();
        assert_eq!((q.first_day(), q.last_day()), (day(2026, 10, 1), day(2026, 12, 31)));
        assert_eq!(Quarter::parse("2026-Q1").unwrap().last_day(), day(2026, 3, 31));
        assert_eq!(Quarter::of(day(2026, 7, 1)).to_string(), "2026-Q3");
        for bad in [
            "2026-Q0", "2026-Q5", "2026Q4", "26-Q4", "2026-q4", "2026-Q10", "0000-Q1", "+202-Q1", "",
        ] {
            assert_eq!(Quarter::parse(bad), None, "{bad}");
        }
    }
}
