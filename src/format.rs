//! How numbers, money and dates are shown: thousands separators, currency, relative dates.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

/// The theme's labels for one language (`i18n/<lang>.yaml`), hashed: every badge and date of
/// every list row looks one up (a search of an ordered map compared strings at each level).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct Labels(HashMap<String, String, ahash::RandomState>);

impl Labels {
    pub fn new(labels: BTreeMap<String, String>) -> Self {
        Labels(labels.into_iter().collect())
    }

    /// The labels in key order (what the theme stamp hashes).
    pub fn sorted(&self) -> BTreeMap<&str, &str> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    /// `more`'s labels over these (a theme's own labels over the built-in ones).
    pub fn extend(&mut self, more: Labels) {
        self.0.extend(more.0);
    }

    fn find(&self, key: &str) -> Option<&String> {
        self.0.get(key)
    }

    /// The label for `key`; the key itself when the theme has none (visible, never a crash).
    pub fn get(&self, key: &str) -> String {
        self.find(key).cloned().unwrap_or_else(|| key.to_owned())
    }

    /// A label with `{n}` replaced.
    pub fn n(&self, key: &str, n: i64) -> String {
        // As `replace("{n}", …)` does, without its substring searcher (set up anew for every
        // relative date of every list row) or a copy of the label first.
        let mut rest = self.find(key).map_or(key, String::as_str);
        let mut out = String::with_capacity(rest.len() + 8);
        while let Some(i) = rest.find('{') {
            if rest[i..].starts_with("{n}") {
                out.push_str(&rest[..i]);
                let _ = std::fmt::Write::write_fmt(&mut out, format_args!("{n}"));
                rest = &rest[i + 3..];
            } else {
                out.push_str(&rest[..=i]);
                rest = &rest[i + 1..];
            }
        }
        out.push_str(rest);
        out
    }
}

pub fn currency_symbol(code: &str) -> &str {
    match code {
        "CNY" | "RMB" | "JPY" => "¥",
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "HKD" => "HK$",
        _ => code,
    }
}

/// `1234567.8` → `1,234,568` (money is shown in whole units).
pub fn thousands(v: f64) -> String {
    let mut out = String::new();
    push_thousands(&mut out, v);
    out
}

/// [`thousands`] onto `out`: amounts are on every customer page and list row, and the
/// formatter showed in profiles, so whole numbers are written digit by digit (the digits
/// `{:.0}` gives: ties to even).
fn push_thousands(out: &mut String, v: f64) {
    let rounded = v.abs().round_ties_even();
    let mut buf = [0u8; 20];
    let digits: std::borrow::Cow<str> = if rounded < 1e15 {
        decimal(rounded as u64, &mut buf).into()
    } else {
        format!("{:.0}", v.abs()).into()
    };
    if v < 0.0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
}

/// `v` in decimal, written into `buf` (without the formatter: for numbers on hot paths).
pub fn decimal(mut v: u64, buf: &mut [u8; 20]) -> &str {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[at..]).unwrap_or("0")
}

/// Money in the site currency: `¥1,200,000`, or `120 万` when the site asks for 万.
pub fn money(v: f64, currency: &str, wan: bool) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(24);
    out.push_str(currency_symbol(currency));
    if wan && v.abs() >= 10_000.0 {
        let w = v / 10_000.0;
        if (w - w.round()).abs() < 0.05 {
            push_thousands(&mut out, w);
        } else {
            let _ = write!(out, "{w:.1}");
        }
        out.push_str(" 万");
        return out;
    }
    push_thousands(&mut out, v);
    out
}

pub fn percent(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// A number as people write it: `60`, not `60.0`; `1.5` stays.
pub fn plain_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A date with its distance from today, for "in 5 days" and "overdue 12 days".
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DateView {
    pub date: String,
    /// Today minus date in days: positive in the past.
    pub days_ago: i64,
    pub rel: String,
    pub past: bool,
}

/// `overdue_if_past`: a deadline (next visit, expected close) that has passed is "overdue".
/// `2026-11-23`: what chrono's `%Y-%m-%d` gives, without parsing the format at every call
/// (dates are formatted tens of thousands of times a build).
pub fn ymd(d: NaiveDate) -> String {
    use chrono::Datelike;
    if (0..=9999).contains(&d.year()) {
        // By hand: every date of every page and list entry goes through here.
        let (y, m, day) = (d.year() as u32, d.month(), d.day());
        let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
        let mut out = String::with_capacity(10);
        out.extend([digit(y / 1000), digit(y / 100), digit(y / 10), digit(y), '-']);
        out.extend([digit(m / 10), digit(m), '-', digit(day / 10), digit(day)]);
        out
    } else {
        d.format("%Y-%m-%d").to_string()
    }
}

pub fn date_view(d: NaiveDate, today: NaiveDate, labels: &Labels, overdue_if_past: bool) -> DateView {
    let ago = (today - d).num_days();
    let rel = match ago {
        0 => labels.get("today"),
        1 if !overdue_if_past => labels.get("yesterday"),
        -1 => labels.get("tomorrow"),
        n if n > 0 && overdue_if_past => labels.n("overdue_days", n),
        n if n > 0 => labels.n("days_ago", n),
        n => labels.n("in_days", -n),
    };
    DateView {
        date: ymd(d),
        days_ago: ago,
        rel,
        past: ago > 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_goes_where_each_n_is() {
        let labels = Labels::new(
            [
                ("a", "{n} 天前"),
                ("b", "{x}{{n}}{n"),
                ("c", "no count"),
                ("d", "{n}{n}"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        );
        for key in ["a", "b", "c", "d", "missing {n}"] {
            let label = labels.get(key);
            assert_eq!(labels.n(key, -12), label.replace("{n}", "-12"), "{key}");
        }
    }

    #[test]
    fn dates_as_chrono_writes_them() {
        for (y, m, d) in [(2026, 11, 3), (999, 1, 31), (9999, 12, 31), (10000, 1, 1), (-5, 2, 2)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(ymd(date), date.format("%Y-%m-%d").to_string());
        }
    }

    #[test]
    fn money_and_numbers() {
        assert_eq!(thousands(1_200_000.0), "1,200,000");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(-12345.0), "-12,345");
        // The digits the formatter gave (ties to even), as before it was taken out.
        for v in [
            0.0f64,
            0.5,
            1.5,
            2.5,
            999.5,
            1_000.0,
            12_345_678.49,
            1e16,
            -0.3,
            -2.5,
            -1_234.5,
        ] {
            let old = format!("{:.0}", v.abs());
            assert_eq!(thousands(v).replace([',', '-'], ""), old, "{v}");
            assert_eq!(thousands(v).starts_with('-'), v < 0.0, "{v}");
        }
        assert_eq!(money(1_200_000.0, "CNY", false), "¥1,200,000");
        assert_eq!(money(1_200_000.0, "CNY", true), "¥120 万");
        assert_eq!(money(1_250_000.0, "CNY", true), "¥125 万");
        assert_eq!(money(15_000.0, "CNY", true), "¥1.5 万");
        assert_eq!(percent(0.355), "36%");
    }

    #[test]
    fn relative_dates() {
        let l = Labels::new(
            [
                ("in_days", "{n} 天后"),
                ("overdue_days", "逾期 {n} 天"),
                ("days_ago", "{n} 天前"),
                ("today", "今天"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        );
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(date_view(d("2026-11-28"), today, &l, true).rel, "5 天后");
        assert_eq!(date_view(d("2026-11-11"), today, &l, true).rel, "逾期 12 天");
        assert_eq!(date_view(d("2026-11-11"), today, &l, false).rel, "12 天前");
        assert_eq!(date_view(today, today, &l, true).rel, "今天");
    }
}
