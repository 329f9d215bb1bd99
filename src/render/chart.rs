//! The chart of `/progress/` (销售进展): each week's forecast as a line, the quarter's sales
//! so far as bars and the quarter's quota as a dashed step, with each week's progress under
//! its week. SVG written here, on the server, so that the page needs no script, opens from
//! `file://` and prints; colours are attributes, not CSS, so that it prints as it shows, and
//! every text in it is escaped here.

use std::fmt::Write as _;

use crate::sales::progress::WeekFigures;

/// The words of the chart.
pub struct ChartLabels {
    pub title: String,
    pub forecast: String,
    pub sales: String,
    pub quota: String,
}

/// Text for SVG (XML): `&`, `<`, `>` and quotes escaped, control characters dropped.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

const W: f64 = 760.0;
const H: f64 = 300.0;
const LEFT: f64 = 96.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 48.0;
const FORECAST: &str = "#2563eb";
const SALES: &str = "#16a34a";
const QUOTA: &str = "#b45309";

/// Where things go: the money scale and each week's place.
struct Plot {
    lo: f64,
    hi: f64,
    step: f64,
    ticks: i32,
    slot: f64,
}

impl Plot {
    fn new(weeks: &[WeekFigures]) -> Plot {
        let max = weeks
            .iter()
            .flat_map(|w| [w.forecast, w.quarter_sales, w.quota.unwrap_or(0.0)])
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max);
        let min = weeks
            .iter()
            .flat_map(|w| [w.forecast, w.quarter_sales])
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::min);
        // Round gridlines: a step of 1, 2 or 5 × 10^k, about four of them.
        let raw = ((max - min) / 4.0).max(1.0);
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * magnitude);
        let (lo, hi) = ((min / step).floor() * step, ((max / step).ceil() * step).max(step));
        Plot {
            lo,
            hi,
            step,
            ticks: ((hi - lo) / step).round().clamp(1.0, 12.0) as i32,
            slot: (W - LEFT - RIGHT) / weeks.len().max(1) as f64,
        }
    }

    fn x(&self, i: usize) -> f64 {
        LEFT + self.slot * (i as f64 + 0.5)
    }

    fn y(&self, v: f64) -> f64 {
        TOP + (H - TOP - BOTTOM) * (1.0 - (v - self.lo) / (self.hi - self.lo))
    }
}

/// The chart of a series (the team's or a rep's).
pub fn chart_svg(weeks: &[WeekFigures], labels: &ChartLabels, money: impl Fn(f64) -> String) -> String {
    let plot = Plot::new(weeks);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"progress-chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\" font-family=\"sans-serif\" font-size=\"11\">",
        esc(&labels.title)
    );
    let _ = write!(s, "<title>{}</title>", esc(&labels.title));
    grid(&mut s, &plot, &money);
    sales_bars(&mut s, &plot, weeks, labels, &money);
    quota_steps(&mut s, &plot, weeks, labels, &money);
    forecast_line(&mut s, &plot, weeks, labels, &money);
    week_names(&mut s, &plot, weeks);
    legend(&mut s, labels);
    s.push_str("</svg>");
    s
}

/// The gridlines with their amounts.
fn grid(s: &mut String, plot: &Plot, money: &impl Fn(f64) -> String) {
    for k in 0..=plot.ticks {
        let v = plot.lo + plot.step * f64::from(k);
        let gy = plot.y(v);
        let _ = write!(
            s,
            "<line x1=\"{LEFT}\" y1=\"{gy:.1}\" x2=\"{:.1}\" y2=\"{gy:.1}\" stroke=\"#d4d4d8\" stroke-width=\"1\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#52525b\">{}</text>",
            W - RIGHT,
            LEFT - 6.0,
            gy + 4.0,
            esc(&money(v))
        );
    }
}

/// The quarter's sales so far, a bar a week.
fn sales_bars(
    s: &mut String,
    plot: &Plot,
    weeks: &[WeekFigures],
    labels: &ChartLabels,
    money: &impl Fn(f64) -> String,
) {
    let bw = (plot.slot * 0.5).clamp(1.0, 36.0);
    for (i, w) in weeks.iter().enumerate() {
        let (top, base) = (plot.y(w.quarter_sales.max(0.0)), plot.y(0.0_f64.max(plot.lo)));
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"{SALES}\" fill-opacity=\"0.55\"><title>{} {}: {}</title></rect>",
            plot.x(i) - bw / 2.0,
            top.min(base),
            (base - top).abs(),
            esc(&w.week.to_string()),
            esc(&labels.sales),
            esc(&money(w.quarter_sales))
        );
    }
}

/// The quota, one dashed step per week that has one.
fn quota_steps(
    s: &mut String,
    plot: &Plot,
    weeks: &[WeekFigures],
    labels: &ChartLabels,
    money: &impl Fn(f64) -> String,
) {
    for (i, w) in weeks.iter().enumerate() {
        let Some(q) = w.quota else { continue };
        let _ = write!(
            s,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{QUOTA}\" stroke-width=\"2\" stroke-dasharray=\"6 3\"><title>{} {}: {}</title></line>",
            plot.x(i) - plot.slot / 2.0,
            plot.y(q),
            plot.x(i) + plot.slot / 2.0,
            plot.y(q),
            esc(&w.quarter.to_string()),
            esc(&labels.quota),
            esc(&money(q))
        );
    }
}

/// The forecast, a line with a dot a week.
fn forecast_line(
    s: &mut String,
    plot: &Plot,
    weeks: &[WeekFigures],
    labels: &ChartLabels,
    money: &impl Fn(f64) -> String,
) {
    if weeks.len() > 1 {
        let points: Vec<String> = weeks
            .iter()
            .enumerate()
            .map(|(i, w)| format!("{:.1},{:.1}", plot.x(i), plot.y(w.forecast)))
            .collect();
        let _ = write!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{FORECAST}\" stroke-width=\"2\"/>",
            points.join(" ")
        );
    }
    for (i, w) in weeks.iter().enumerate() {
        let _ = write!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{FORECAST}\"><title>{} {}: {}</title></circle>",
            plot.x(i),
            plot.y(w.forecast),
            esc(&w.week.to_string()),
            esc(&labels.forecast),
            esc(&money(w.forecast))
        );
    }
}

/// The week names (every k-th, so that they do not overlap) and, when each week has its
/// name, the week's progress under it.
fn week_names(s: &mut String, plot: &Plot, weeks: &[WeekFigures]) {
    let n = weeks.len();
    let every = n.div_ceil(12).max(1);
    for (i, w) in weeks.iter().enumerate() {
        if i % every != 0 && i + 1 != n {
            continue;
        }
        let name = w.week.to_string();
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#3f3f46\">{}</text>",
            plot.x(i),
            H - BOTTOM + 16.0,
            esc(name.split_once('-').map_or(&name, |(_, w)| w))
        );
        if let Some(p) = w.progress.filter(|_| every == 1) {
            let colour = if p < 0.0 { "#b91c1c" } else { "#15803d" };
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{colour}\">{}</text>",
                plot.x(i),
                H - BOTTOM + 32.0,
                esc(&super::progress::percent(p))
            );
        }
    }
}

/// What each mark means, along the top.
fn legend(s: &mut String, labels: &ChartLabels) {
    let mut lx = LEFT;
    for (colour, text, kind) in [
        (FORECAST, &labels.forecast, "line"),
        (SALES, &labels.sales, "bar"),
        (QUOTA, &labels.quota, "dash"),
    ] {
        let mark = match kind {
            "bar" => format!(
                "<rect x=\"{lx:.1}\" y=\"10\" width=\"14\" height=\"10\" fill=\"{colour}\" fill-opacity=\"0.55\"/>"
            ),
            "dash" => format!(
                "<line x1=\"{lx:.1}\" y1=\"15\" x2=\"{:.1}\" y2=\"15\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>",
                lx + 14.0
            ),
            _ => format!(
                "<line x1=\"{lx:.1}\" y1=\"15\" x2=\"{:.1}\" y2=\"15\" stroke=\"{colour}\" stroke-width=\"2\"/>",
                lx + 14.0
            ),
        };
        s.push_str(&mark);
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"19\" fill=\"#18181b\">{}</text>",
            lx + 18.0,
            esc(text)
        );
        lx += 18.0 + 12.0 * text.chars().count() as f64 + 24.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::{Quarter, Week};
    use chrono::NaiveDate;

    #[test]
    fn the_chart_escapes_every_text_and_draws_each_week() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
        let w = |i: u64, f: f64| WeekFigures {
            week: Week {
                monday: monday + chrono::Days::new(7 * i),
            },
            commit: None,
            forecast: f,
            quarter: Quarter::of(monday),
            quarter_sales: 10.0,
            quota: Some(100.0),
            progress: Some(-0.05),
        };
        let labels = ChartLabels {
            title: "<script>alert(1)</script> & \"x\"".into(),
            forecast: "F<".into(),
            sales: "S".into(),
            quota: "Q".into(),
        };
        let svg = chart_svg(&[w(0, 50.0), w(1, 60.0)], &labels, |v| format!("¥{v}"));
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;"), "{svg}");
        assert!(svg.contains("F&lt;"), "{svg}");
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("-5.0%"));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        // One week, no quota, all zero: still a chart, no division by zero.
        let mut one = w(0, 0.0);
        (one.quota, one.quarter_sales, one.progress) = (None, 0.0, None);
        let svg = chart_svg(&[one], &labels, |v| format!("{v}"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }
}
