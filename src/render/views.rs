//! Typed views handed to templates: what a page, a list entry or a generated page shows,
//! with labels, money and dates already formatted for the site's language.

use std::sync::Arc;

use serde::Serialize;

use crate::facts::Facts;
pub use crate::facts::IdLabel;
use crate::format::{DateView, percent, plain_number};
use crate::model::{Kind, Level};
use crate::parse::front_matter::Customer;
pub use crate::sales::deal::quadrant;
use crate::sales::{self, deal, funnel};
use crate::site::{DocId, ParsedDoc};

/// What views are built from: the build's [`Facts`] (reached through `Deref`), and what
/// rendering works out once per build and shares between pages.
pub struct Ctx<'a> {
    pub facts: &'a Facts<'a>,
    /// Each page's [`PageRef`], made once per build on first use: a page appears in many
    /// lists and backlinks, and the template value is shared, not rebuilt.
    pub refs: Vec<std::sync::OnceLock<PageRef>>,
    /// The previous build's list entries (`serve`): one is taken again when its page's
    /// summary and `stamp` are the same (a page appears in lists on every save).
    pub prev_refs: Vec<Option<KeptRef>>,
    /// How many of them hold a ready template value.
    pub ref_values: std::sync::atomic::AtomicUsize,
    /// Visit scripts and SPIN lists for the briefs, sorted once (see `brief::playbooks`).
    pub playbooks: std::sync::OnceLock<super::brief::Playbooks>,
    /// The build-wide stamp ([`crate::incremental::build_stamp`]): what else decides every
    /// page's bytes, a list entry's among them.
    pub stamp: u64,
    /// Written into every page, never into a `.js` file (see `render::token`).
    pub page_token: String,
    /// The theme and its labels as a template value, when it prints `cells_html`: each
    /// customer's list entry then carries its row cells, rendered once (lists of all
    /// customers repeat every row on the funnel, tier, owner and competitor pages).
    pub cells: Option<(&'a super::theme::Theme, tera::Value)>,
}

impl<'a> std::ops::Deref for Ctx<'a> {
    type Target = Facts<'a>;

    fn deref(&self) -> &Facts<'a> {
        self.facts
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DsoView {
    /// Whole days, rounded.
    pub days: i64,
    pub text: String,
    pub receivable_fmt: String,
}

/// What names and locates a page: shared by its summary and its full view.
#[derive(Debug, Clone, Serialize)]
pub struct PageIdentity {
    pub title: String,
    pub slug: String,
    pub url: String,
    /// Output path from the site root (`customers/huadong/index.html`); templates write
    /// `{{ root }}{{ p.path }}` so the link works from `file://` too.
    pub path: String,
    pub kind: Kind,
    pub kind_label: String,
}

impl PageIdentity {
    fn fields<M: serde::ser::SerializeStruct>(&self, m: &mut M) -> Result<(), M::Error> {
        m.serialize_field("title", &self.title)?;
        m.serialize_field("slug", &self.slug)?;
        m.serialize_field("url", &self.url)?;
        m.serialize_field("path", &self.path)?;
        m.serialize_field("kind", &self.kind)?;
        m.serialize_field("kind_label", &self.kind_label)
    }
}

fn identity(cx: &Ctx, d: &ParsedDoc) -> PageIdentity {
    PageIdentity {
        title: d.fm.title.clone(),
        slug: d.slug.clone(),
        url: d.url(),
        path: super::url_escape(&d.path),
        kind: d.kind,
        kind_label: cx.label("kind", d.kind.id()),
    }
}

/// A page as it appears in lists, backlinks and generated pages. Its fields are worked out
/// once per build (money, dates, labels) and shared. The first [`REF_VALUES`] pages also keep
/// their ready template value, which lists and backlinks then share instead of building
/// their own (a fifth of the render time); at about 5 KB each, the rest of a large site's
/// pages build it where they are used, so memory stays bounded.
#[derive(Debug, Clone)]
pub struct PageRef {
    fields: Arc<RefFields>,
    value: Option<tera::Value>,
}

/// How many pages keep a ready template value (about 5 KB each).
pub const REF_VALUES: usize = 12_000;

impl PageRef {
    pub fn title(&self) -> &str {
        &self.fields.id.title
    }
}

impl Serialize for PageRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.value {
            Some(v) => v.serialize(s),
            None => self.fields.serialize(s),
        }
    }
}

/// Serialized by hand as one flat struct: serde's `flatten` goes through a map, whose keys
/// the template engine then allocates one by one (a fifth of a build's time went there).
#[derive(Debug)]
pub struct RefFields {
    pub id: PageIdentity,
    pub stage: Option<IdLabel>,
    pub tier: Option<IdLabel>,
    pub owner: Option<String>,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub value: Option<f64>,
    pub value_fmt: Option<String>,
    pub weighted_fmt: Option<String>,
    pub next_visit: Option<DateView>,
    pub expected_close: Option<DateView>,
    pub excerpt: String,
    pub tags: Vec<String>,
}

impl Serialize for RefFields {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("PageRef", 18)?;
        self.id.fields(&mut m)?;
        m.serialize_field("stage", &self.stage)?;
        m.serialize_field("tier", &self.tier)?;
        m.serialize_field("owner", &self.owner)?;
        m.serialize_field("industry", &self.industry)?;
        m.serialize_field("region", &self.region)?;
        m.serialize_field("value", &self.value)?;
        m.serialize_field("value_fmt", &self.value_fmt)?;
        m.serialize_field("weighted_fmt", &self.weighted_fmt)?;
        m.serialize_field("next_visit", &self.next_visit)?;
        m.serialize_field("expected_close", &self.expected_close)?;
        m.serialize_field("excerpt", &self.excerpt)?;
        m.serialize_field("tags", &self.tags)?;
        m.end()
    }
}

/// A list entry kept for the next build: made with this `stamp` from this summary.
#[derive(Debug, Clone)]
pub struct KeptRef {
    pub stamp: u64,
    pub summary: u64,
    pub page: PageRef,
}

impl Ctx<'_> {
    /// The list entries this build made or took again, to be kept for the next one.
    pub fn kept_refs(self) -> Vec<Option<KeptRef>> {
        let (site, stamp) = (self.site, self.stamp);
        let mut prev = self.prev_refs;
        self.refs
            .into_iter()
            .enumerate()
            .map(|(i, r)| match r.into_inner() {
                Some(page) => Some(KeptRef {
                    stamp,
                    summary: site.docs.get(i).map_or(0, |d| d.summary_hash),
                    page,
                }),
                None => prev.get_mut(i).and_then(Option::take),
            })
            .collect()
    }
}

pub fn page_ref(cx: &Ctx, id: DocId) -> PageRef {
    cx.refs[id.0]
        .get_or_init(|| {
            let d = cx.site.doc(id);
            let kept = cx.prev_refs.get(id.0).and_then(Option::as_ref).filter(|k| {
                k.stamp == cx.stamp
                    && k.summary == d.summary_hash
                    && k.page.fields.id.path == super::url_escape(&d.path)
            });
            if let Some(k) = kept {
                return k.page.clone();
            }
            let fields = Arc::new(ref_fields(cx, id));
            let keep = cx.ref_values.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < REF_VALUES;
            let mut value = keep.then(|| tera::Value::from_serializable(&*fields));
            if let (Some(v), Some((theme, lang)), Kind::Customer) = (&mut value, &cx.cells, d.kind)
                && let Some(cells) = theme.customer_cells(v, lang)
                && let Some(mut map) = std::mem::replace(v, tera::Value::none()).into_map()
            {
                map.insert("cells_html".into(), tera::Value::safe_string(&cells));
                *v = tera::Value::from(map);
            }
            PageRef { value, fields }
        })
        .clone()
}

fn ref_fields(cx: &Ctx, id: DocId) -> RefFields {
    let d = cx.site.doc(id);
    let c = d.fm.customer.as_deref();
    RefFields {
        id: identity(cx, d),
        stage: c.and_then(|c| c.stage).map(|s| cx.stage(s)),
        tier: c.and_then(|c| c.tier).map(|t| cx.tier(t)),
        owner: c.and_then(|c| c.owner.clone()),
        industry: c.and_then(|c| c.industry.clone()),
        region: c.and_then(|c| c.region.clone()),
        value: c.and_then(|c| c.value),
        value_fmt: c.and_then(|c| c.value).map(|v| cx.money(v)),
        weighted_fmt: c
            .and_then(|c| funnel::weighted_value(c, cx.config))
            .map(|v| cx.money(v)),
        next_visit: c.and_then(|c| c.next_visit).map(|v| cx.date(v, true)),
        expected_close: c.and_then(|c| Some(cx.date(c.expected_close?, deal::close_is_deadline(c, cx.config)))),
        excerpt: d.body.excerpt.clone(),
        tags: d.fm.tags.clone(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub text: String,
    pub id: String,
}

/// One rendered page: common fields, then its kind's fields under their own names (all at
/// the top level of `page`: see [`PageView::into_value`]).
#[derive(Debug, Serialize)]
pub struct PageView {
    #[serde(skip)]
    pub id: PageIdentity,
    pub section: String,
    pub section_label: String,
    pub content: String,
    pub toc: Vec<TocEntry>,
    pub backlinks: Vec<PageRef>,
    pub tags: Vec<String>,
    pub draft: bool,
    pub confidential: bool,
    pub updated: Option<String>,
    /// The last commit that changed the page's file; `None` without history.
    pub git: Option<crate::history::LastChange>,
    pub extra: std::collections::BTreeMap<String, serde_json::Value>,
    #[serde(skip)]
    pub customer: Option<CustomerView>,
    #[serde(skip)]
    pub competitor: Option<CompetitorView>,
    #[serde(skip)]
    pub script: Option<ScriptView>,
    #[serde(skip)]
    pub spin: Option<SpinView>,
    #[serde(skip)]
    pub fab: Option<FabView>,
}

impl PageView {
    /// The template value `page`: the common fields, the identity and the kind's fields in
    /// one map, written in one pass (see [`super::flat`]); a later part's field wins over an
    /// earlier one of the same name.
    pub fn into_value(self) -> tera::Value {
        tera::Value::from_serializable(&OneMap(&self))
    }
}

/// A [`PageView`] serialized as one struct with the fields of all its parts.
struct OneMap<'a>(&'a PageView);

impl Serialize for OneMap<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use super::flat::Fields;
        use serde::ser::SerializeStruct;
        let p = self.0;
        // Field counts: the common ones and the identity, then each kind's.
        let len = 17
            + p.customer.as_ref().map_or(0, |_| 29)
            + p.competitor.as_ref().map_or(0, |_| 12)
            + p.script.as_ref().map_or(0, |_| 4)
            + p.spin.as_ref().map_or(0, |_| 3)
            + p.fab.as_ref().map_or(0, |_| 2);
        let mut m = s.serialize_struct("PageView", len)?;
        p.serialize(Fields(&mut m))?;
        p.id.fields(&mut m)?;
        if let Some(c) = &p.customer {
            c.serialize(Fields(&mut m))?;
        }
        if let Some(c) = &p.competitor {
            c.serialize(Fields(&mut m))?;
        }
        if let Some(x) = &p.script {
            x.serialize(Fields(&mut m))?;
        }
        if let Some(x) = &p.spin {
            x.serialize(Fields(&mut m))?;
        }
        if let Some(x) = &p.fab {
            x.serialize(Fields(&mut m))?;
        }
        m.end()
    }
}

pub fn page_view(cx: &Ctx, id: DocId, content: String) -> PageView {
    let d = cx.site.doc(id);
    PageView {
        id: identity(cx, d),
        section: d.section.clone(),
        section_label: section_label(cx, &d.section),
        content,
        toc: d
            .body
            .headings
            .iter()
            .filter(|h| (2..=3).contains(&h.level))
            .map(|h| TocEntry {
                level: h.level,
                text: h.text.clone(),
                id: h.id.clone(),
            })
            .collect(),
        backlinks: cx.graph.backlinks[id.0].iter().map(|b| page_ref(cx, *b)).collect(),
        tags: d.fm.tags.clone(),
        draft: d.fm.draft,
        confidential: d.fm.confidential,
        updated: d.fm.updated.map(crate::render::format::ymd),
        git: cx.history.last_change_of(&d.rel_path),
        extra: d.fm.extra.clone(),
        customer: d.fm.customer.as_deref().map(|c| customer_view(cx, id, c)),
        competitor: (d.kind == Kind::Competitor).then(|| competitor_view(cx, id, d)),
        script: d.fm.script.as_ref().map(|s| ScriptView {
            visit_kind: s.visit_kind.map(|k| cx.id_label("visit", k.id())),
            stages: s.stages.iter().map(|s| cx.stage(*s)).collect(),
            duration_minutes: s.duration_minutes,
            duration_fmt: s.duration_minutes.map(plain_number),
        }),
        spin: d.fm.spin.as_ref().map(|s| SpinView {
            product: s.product.clone(),
            industry: s.industry.clone(),
            banks: spin_banks(cx, s),
        }),
        fab: d.fm.fab.as_ref().map(|f| FabView {
            product: f.product.clone(),
            rows: f
                .rows
                .iter()
                .map(|r| FabRowView {
                    feature: r.feature.clone(),
                    function: r.function.clone(),
                    advantage: r.advantage.clone(),
                    benefit: r.benefit.clone(),
                })
                .collect(),
        }),
    }
}

/// Situation, problem, implication, need-payoff questions, always in this order.
pub fn spin_banks(cx: &Ctx, s: &crate::parse::front_matter::Spin) -> Vec<QuestionBank> {
    [
        ("situation", &s.situation),
        ("problem", &s.problem),
        ("implication", &s.implication),
        ("need_payoff", &s.need_payoff),
    ]
    .into_iter()
    .map(|(key, qs)| QuestionBank {
        key,
        label: cx.labels.get(&format!("spin_{key}")),
        hint: cx.labels.get(&format!("spin_{key}_hint")),
        questions: qs.clone(),
    })
    .collect()
}

pub fn visit_view(cx: &Ctx, v: &crate::parse::front_matter::Visit) -> VisitView {
    VisitView {
        date: v.date.map(|d| cx.date(d, false)),
        kind: v.kind.map(|k| cx.id_label("visit", k.id())),
        goal: v.goal.clone(),
        outcome: v.outcome.clone(),
        commitment: v.commitment.clone(),
    }
}

pub fn section_label(cx: &Ctx, section: &str) -> String {
    match section {
        "customers" | "competitors" | "scripts" | "playbooks" => cx.label("section", section),
        "" => cx.labels.get("section_pages"),
        other => other.to_owned(),
    }
}

#[derive(Debug, Serialize)]
pub struct ContactView {
    pub name: String,
    pub title: Option<String>,
    pub role: Option<IdLabel>,
    pub style: Option<IdLabel>,
    pub style_hint: Option<String>,
    /// The conversation order for this style: listen → ask → speak, as labels.
    pub order: Vec<String>,
    pub relationship: Option<String>,
    pub relationship_label: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct VisitView {
    pub date: Option<DateView>,
    pub kind: Option<IdLabel>,
    pub goal: Option<String>,
    pub outcome: Option<String>,
    pub commitment: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct OrderView {
    pub date: Option<String>,
    pub amount: f64,
    pub paid: f64,
    pub amount_fmt: String,
    pub paid_fmt: String,
    pub unpaid_fmt: String,
    pub unpaid: bool,
}

#[derive(Debug, Serialize)]
pub struct CustomerView {
    pub industry: Option<String>,
    pub region: Option<String>,
    pub owner: Option<String>,
    pub stage: Option<IdLabel>,
    pub tier: Option<IdLabel>,
    pub value: Option<f64>,
    pub value_fmt: Option<String>,
    pub probability: Option<f64>,
    pub probability_fmt: Option<String>,
    pub weighted_fmt: Option<String>,
    pub expected_close: Option<DateView>,
    pub next_visit: Option<DateView>,
    pub last_visit: Option<DateView>,
    pub potential: Option<IdLabel>,
    pub share: Option<IdLabel>,
    pub quadrant: Option<IdLabel>,
    pub competitors: Vec<PageRef>,
    pub contacts: Vec<ContactView>,
    pub visits: Vec<VisitView>,
    pub orders: Vec<OrderView>,
    pub orders_total_fmt: String,
    pub paid_total_fmt: String,
    pub unpaid_total_fmt: String,
    pub has_unpaid: bool,
    /// What was paid beyond what was sold, when anything was.
    pub credit_fmt: Option<String>,
    /// An open deal whose expected close date has passed.
    pub close_overdue: bool,
    /// Days sales outstanding today (应收账款回收期), when something is owed.
    pub dso: Option<DsoView>,
    /// Output path of the customer's visit brief.
    pub brief_path: String,
    /// The seed's warnings about the account ([`crate::sales::flags`]).
    pub flags: Vec<IdLabel>,
}

/// The customer's flags with their labels (customer page, board, owner's page, brief).
pub fn flag_labels(cx: &Ctx, c: &Customer) -> Vec<IdLabel> {
    let flags = crate::sales::flags::flags(c, cx.config, cx.today);
    flags.into_iter().map(|f| cx.id_label("flag", f.id())).collect()
}

fn customer_view(cx: &Ctx, id: DocId, c: &Customer) -> CustomerView {
    let level = |l: Option<Level>| l.map(|l| cx.id_label("level", l.id()));
    let mut visits: Vec<_> = c.visits.iter().collect();
    visits.sort_by_key(|v| std::cmp::Reverse(v.date));
    let balance = deal::balance(&c.orders);
    CustomerView {
        industry: c.industry.clone(),
        region: c.region.clone(),
        owner: c.owner.clone(),
        stage: c.stage.map(|s| cx.stage(s)),
        tier: c.tier.map(|t| cx.tier(t)),
        value: c.value,
        value_fmt: c.value.map(|v| cx.money(v)),
        probability: funnel::probability(c, cx.config),
        probability_fmt: funnel::probability(c, cx.config).map(percent),
        weighted_fmt: funnel::weighted_value(c, cx.config).map(|v| cx.money(v)),
        expected_close: c
            .expected_close
            .map(|d| cx.date(d, deal::close_is_deadline(c, cx.config))),
        next_visit: c.next_visit.map(|d| cx.date(d, true)),
        last_visit: sales::last_visit(c).map(|d| cx.date(d, false)),
        potential: level(c.potential),
        share: level(c.share),
        quadrant: quadrant(c).map(|q| cx.id_label("quadrant", q)),
        competitors: cx.graph.competitor_refs[id.0]
            .iter()
            .map(|r| page_ref(cx, *r))
            .collect(),
        contacts: c
            .contacts
            .iter()
            .map(|p| ContactView {
                name: p.name.clone(),
                title: p.title.clone(),
                role: p.role.map(|r| cx.id_label("role", r.id())),
                style: p.style.map(|s| cx.id_label("style", s.id())),
                style_hint: p.style.map(|s| cx.label("style_hint", s.id())),
                order: p
                    .style
                    .map(|s| s.conversation_order().iter().map(|k| cx.labels.get(k)).collect())
                    .unwrap_or_default(),
                relationship: p.relationship.map(|r| r.id().to_owned()),
                relationship_label: p.relationship.map(|r| cx.label("bond", r.id())),
                phone: p.phone.clone(),
                notes: p.notes.clone(),
            })
            .collect(),
        visits: visits.into_iter().map(|v| visit_view(cx, v)).collect(),
        orders: c
            .orders
            .iter()
            .map(|o| {
                let b = deal::balance([o]);
                OrderView {
                    date: o.date.map(crate::render::format::ymd),
                    amount: o.amount,
                    paid: o.paid,
                    amount_fmt: cx.money(o.amount),
                    paid_fmt: cx.money(o.paid),
                    unpaid_fmt: cx.money(b.unpaid),
                    unpaid: b.owes(),
                }
            })
            .collect(),
        orders_total_fmt: cx.money(balance.amount),
        paid_total_fmt: cx.money(balance.paid),
        unpaid_total_fmt: cx.money(balance.unpaid),
        dso: crate::sales::dso::dso(&c.orders, cx.today)
            .filter(|d| d.receivable > deal::MONEY_TOLERANCE)
            .map(|d| {
                let days = d.days.round() as i64;
                let key = if d.at_least { "dso_at_least" } else { "dso_days" };
                DsoView {
                    days,
                    text: cx.labels.n(key, days),
                    receivable_fmt: cx.money(d.receivable),
                }
            }),
        has_unpaid: balance.owes(),
        credit_fmt: balance.in_credit().then(|| cx.money(balance.credit)),
        close_overdue: deal::close_overdue(c, cx.config, cx.today),
        brief_path: super::url_escape(&super::brief::path_of(cx.site.doc(id))),
        flags: flag_labels(cx, c),
    }
}

#[derive(Debug, Serialize)]
pub struct MeetingView {
    pub customer: PageRef,
    /// won | lost | open (the deal's outcome), or unstaged (no stage: in no count)
    pub result: &'static str,
    pub result_label: String,
}

#[derive(Debug, Serialize)]
pub struct CompetitorView {
    pub products: Vec<String>,
    pub price_level: Option<IdLabel>,
    pub market_share: Option<f64>,
    pub market_share_fmt: Option<String>,
    pub strengths: Vec<String>,
    pub weaknesses: Vec<String>,
    pub strategy: Option<String>,
    /// Where we meet this competitor, derived from the customer pages.
    pub meetings: Vec<MeetingView>,
    pub won: usize,
    pub lost: usize,
    pub open: usize,
    pub open_value_fmt: String,
}

fn competitor_view(cx: &Ctx, id: DocId, d: &ParsedDoc) -> CompetitorView {
    let comp = d.fm.competitor.clone().unwrap_or_default();
    let record = sales::competitors::competitor_record(cx.site, cx.config, &cx.graph.met_by[id.0]);
    let meetings = record
        .meetings
        .iter()
        .map(|&(cid, outcome)| {
            let result = outcome.map_or("unstaged", |o| o.id());
            MeetingView {
                customer: page_ref(cx, cid),
                result,
                result_label: cx.label("result", result),
            }
        })
        .collect();
    CompetitorView {
        products: comp.products,
        price_level: comp.price_level.map(|p| cx.id_label("price", p.id())),
        market_share: comp.market_share,
        market_share_fmt: comp.market_share.map(percent),
        strengths: comp.strengths,
        weaknesses: comp.weaknesses,
        strategy: comp.strategy,
        meetings,
        won: record.won,
        lost: record.lost,
        open: record.open,
        open_value_fmt: cx.money(record.open_value),
    }
}

#[derive(Debug, Serialize)]
pub struct ScriptView {
    pub visit_kind: Option<IdLabel>,
    pub stages: Vec<IdLabel>,
    pub duration_minutes: Option<f64>,
    /// `60`, not `60.0`.
    pub duration_fmt: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct QuestionBank {
    pub key: &'static str,
    pub label: String,
    pub hint: String,
    pub questions: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct SpinView {
    pub product: Option<String>,
    pub industry: Option<String>,
    /// Situation, problem, implication, need-payoff: always in this order.
    pub banks: Vec<QuestionBank>,
}

#[derive(Debug, Serialize)]
pub struct FabRowView {
    pub feature: String,
    pub function: String,
    pub advantage: String,
    pub benefit: String,
}

#[derive(Debug, Serialize)]
pub struct FabView {
    pub product: Option<String>,
    pub rows: Vec<FabRowView>,
}
