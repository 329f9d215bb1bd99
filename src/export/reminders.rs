//! The exports a reminder bot reads (WeCom, DingTalk, a cron job): `commitments.json` and
//! `visits.json`, plain JSON with English ids and slugs, so that nothing has to parse the
//! HTML. They say what the pages say, from the same rules: `sales::commitments` for the
//! commitments, `sales::visit_plan` and `sales::stale` for the visits (the dashboard's).
//! One rep's calendar (`visits-<slug>.ics`) is the team's `visits.ics` cut to the rep's
//! customers.

use serde::Serialize;

use super::HtmlSafe;
use crate::facts::Facts;
use crate::format::ymd;
use crate::parse::front_matter::Done;
use crate::site::DocId;

/// How many days ahead `visits.json` lists upcoming visits (the dashboard's window).
pub const UPCOMING_DAYS: i64 = 14;

#[derive(Serialize)]
struct CommitmentJson<'a> {
    customer: &'a str,
    owner: Option<&'a str>,
    visit_date: Option<String>,
    text: &'a str,
    due: Option<String>,
    done: bool,
    done_on: Option<String>,
    overdue: bool,
}

/// Every commitment of every customer this build shows, in the site's order.
pub fn commitments_json(cx: &Facts) -> Vec<u8> {
    let all = crate::sales::commitments::all(cx.site, cx.today);
    let rows: Vec<CommitmentJson> = all
        .iter()
        .filter_map(|c| {
            let d = cx.site.doc(c.customer);
            let cust = d.fm.customer.as_deref()?;
            let v = cust.visits.get(c.visit)?;
            Some(CommitmentJson {
                customer: &d.slug,
                owner: cust.owner.as_deref(),
                visit_date: v.date.map(ymd),
                text: v.commitment.as_deref().unwrap_or_default(),
                due: c.due.map(ymd),
                done: c.done.is_some(),
                done_on: match c.done {
                    Some(Done::On(day)) => Some(ymd(day)),
                    _ => None,
                },
                overdue: c.overdue,
            })
        })
        .collect();
    to_json(&rows)
}

#[derive(Serialize)]
struct Upcoming<'a> {
    slug: &'a str,
    date: String,
}

#[derive(Serialize)]
struct VisitsJson<'a> {
    overdue: Vec<&'a str>,
    upcoming: Vec<Upcoming<'a>>,
    stale: Vec<&'a str>,
}

/// The visits to make: overdue (most overdue first), upcoming in the next
/// [`UPCOMING_DAYS`] (soonest first) and stale (by priority), as slugs.
pub fn visits_json(cx: &Facts) -> Vec<u8> {
    let site = cx.site;
    let (upcoming, overdue) = crate::sales::visit_plan(site, cx.config, cx.today, UPCOMING_DAYS);
    let slug = |id: DocId| site.doc(id).slug.as_str();
    let v = VisitsJson {
        overdue: overdue.iter().map(|(_, id)| slug(*id)).collect(),
        upcoming: upcoming
            .iter()
            .map(|(d, id)| Upcoming {
                slug: slug(*id),
                date: ymd(*d),
            })
            .collect(),
        stale: crate::sales::stale(site, cx.config, cx.today)
            .into_iter()
            .map(|(id, _)| slug(id))
            .collect(),
    };
    to_json(&v)
}

fn to_json<T: Serialize>(v: &T) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = serde_json::to_writer_pretty(HtmlSafe(&mut out), v);
    out.push(b'\n');
    out
}

/// The customers of the `n`-th owner (in [`crate::plan::owner_slugs`]'s order) among
/// `members`, in their order.
pub fn owner_members(cx: &Facts, n: usize, members: Vec<DocId>) -> Vec<DocId> {
    let Some((name, _)) = crate::plan::owner_slugs(cx.figures.owners).into_iter().nth(n) else {
        return Vec::new();
    };
    let Some(mine) = cx.figures.owners.get(&name) else {
        return Vec::new();
    };
    let mine: std::collections::HashSet<DocId> = mine.iter().copied().collect();
    members.into_iter().filter(|id| mine.contains(id)).collect()
}
