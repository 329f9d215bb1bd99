//! The pipeline board (`/board/`): one column per open stage, each deal a card, largest first
//! (the order of every list of deals). A card carries what a rep needs to move the deal on:
//! owner, value, expected close, the next visit, the open commitment, the flags and the days
//! in the stage. The owner filter is the search page's convention (`?owner=张伟`), applied by
//! `board.js`; without script every card shows.

use std::collections::BTreeSet;

use serde::Serialize;

use super::format::DateView;
use super::views::{Ctx, PageRef, flag_labels, page_ref};
use crate::facts::IdLabel;
use crate::model::{Kind, StageIx};
use crate::parse::front_matter::Customer;
use crate::sales::{commitments, deal};
use crate::site::DocId;

/// Cards per column; the rest are counted and the column links to its funnel stage page.
pub const CARDS: usize = 200;

#[derive(Debug, Serialize)]
pub struct Card {
    pub page: PageRef,
    pub owner: Option<String>,
    pub value_fmt: Option<String>,
    pub expected_close: Option<DateView>,
    pub close_overdue: bool,
    pub next_visit: Option<DateView>,
    pub commitment: Option<CardCommitment>,
    pub flags: Vec<IdLabel>,
    /// From the history (`sales::timeline`); `None` without one.
    pub days_in_stage: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct CardCommitment {
    pub text: String,
    pub due: Option<DateView>,
    pub overdue: bool,
}

#[derive(Debug, Serialize)]
pub struct Column {
    pub stage: IdLabel,
    /// The stage's funnel page.
    pub path: String,
    pub count: usize,
    pub value_fmt: String,
    pub cards: Vec<Card>,
    pub more: usize,
}

#[derive(Debug, Serialize)]
pub struct BoardView {
    pub columns: Vec<Column>,
    /// The owners of the deals on the board, for the filter.
    pub owners: Vec<String>,
}

pub fn board_view(cx: &Ctx) -> BoardView {
    let open: Vec<StageIx> = (0..cx.config.stages.len())
        .map(StageIx)
        .filter(|s| !cx.config.is_closed(*s))
        .collect();
    let mut at: Vec<Vec<(f64, &str, DocId, &Customer)>> = vec![Vec::new(); open.len()];
    let mut owners = BTreeSet::new();
    for (id, d) in cx.site.of_kind(Kind::Customer) {
        let Some(c) = d.fm.customer.as_deref() else {
            continue;
        };
        let Some(col) = c.stage.and_then(|s| open.iter().position(|o| *o == s)) else {
            continue;
        };
        if let Some(o) = crate::sales::deal::owner(c) {
            owners.insert(o.to_owned());
        }
        at[col].push((deal::deal_value(c), d.fm.title.as_str(), id, c));
    }
    let columns = open
        .iter()
        .zip(at)
        .map(|(s, mut deals)| {
            deals.sort_by(|a, b| {
                deal::larger_first(a.0, b.0)
                    .then_with(|| a.1.cmp(b.1))
                    .then(a.2.cmp(&b.2))
            });
            let stage = cx.stage(*s);
            Column {
                path: super::url_escape(&format!("funnel/{}/index.html", stage.id)),
                stage,
                count: deals.len(),
                value_fmt: cx.money(deals.iter().map(|d| d.0).sum()),
                more: deals.len().saturating_sub(CARDS),
                cards: deals.iter().take(CARDS).map(|(_, _, id, c)| card(cx, *id, c)).collect(),
            }
        })
        .collect();
    BoardView {
        columns,
        owners: owners.into_iter().collect(),
    }
}

fn card(cx: &Ctx, id: DocId, c: &Customer) -> Card {
    let d = cx.site.doc(id);
    let events = crate::sales::timeline::timeline(cx.history, &d.rel_path, Some(c), cx.today);
    Card {
        page: page_ref(cx, id),
        owner: crate::sales::deal::owner(c).map(str::to_owned),
        value_fmt: c.value.map(|v| cx.money(v)),
        expected_close: c.expected_close.map(|d| cx.date(d, true)),
        close_overdue: deal::close_overdue(c, cx.config, cx.today),
        next_visit: c.next_visit.map(|d| cx.date(d, true)),
        commitment: open_commitment(cx, id, c),
        flags: flag_labels(cx, c),
        days_in_stage: crate::sales::timeline::days_in_stage(&events, cx.today),
    }
}

/// The open commitment to follow up first (the order of `/commitments/`: overdue first,
/// then by due date), as defined in `sales::commitments`.
fn open_commitment(cx: &Ctx, id: DocId, c: &Customer) -> Option<CardCommitment> {
    let first = commitments::of_customer(id, c, cx.today)
        .filter(commitments::Commitment::is_open)
        .min_by_key(|k| (!k.overdue, k.due.is_none(), k.due, k.visit))?;
    Some(CardCommitment {
        text: c.visits.get(first.visit)?.commitment.clone()?,
        due: first.due.map(|d| cx.date(d, true)),
        overdue: first.overdue,
    })
}

/// A customer and its flags, for the owner's page.
#[derive(Debug, Serialize)]
pub struct Flagged {
    pub page: PageRef,
    pub flags: Vec<IdLabel>,
}

/// The flagged customers among `ids`, largest deal first (at most [`CARDS`]).
pub fn flagged(cx: &Ctx, ids: Option<&Vec<DocId>>) -> Vec<Flagged> {
    let mut out: Vec<(f64, &str, DocId, Vec<IdLabel>)> = ids
        .into_iter()
        .flatten()
        .filter_map(|id| {
            let d = cx.site.doc(*id);
            let c = d.fm.customer.as_deref()?;
            let flags = flag_labels(cx, c);
            (!flags.is_empty()).then(|| (deal::deal_value(c), d.fm.title.as_str(), *id, flags))
        })
        .collect();
    out.sort_by(|a, b| {
        deal::larger_first(a.0, b.0)
            .then_with(|| a.1.cmp(b.1))
            .then(a.2.cmp(&b.2))
    });
    out.into_iter()
        .take(CARDS)
        .map(|(_, _, id, flags)| Flagged {
            page: page_ref(cx, id),
            flags,
        })
        .collect()
}
