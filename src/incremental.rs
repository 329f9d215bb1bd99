//! What makes a file render again. Every route of the plan gets a fingerprint: a hash of
//! everything its bytes are made from. A file whose fingerprint did not change since an
//! earlier build is taken from that build (the memo of `serve`, or the output folder's
//! manifest of `build`) instead of being rendered again. One fingerprint function per kind of
//! job says what that kind reads; if a view starts reading something more, its function here
//! must hash it too (`tests/suite/incremental.rs` checks that a rebuild after edits gives the
//! bytes of a full build).
//!
//! What a rebuild reuses, and what decides it (the one table to read before adding a cache):
//!
//! | kept                          | where                 | key                                   |
//! |-------------------------------|-----------------------|---------------------------------------|
//! | a file's parse                | `build::Builder`      | the file's bytes (`load::hash`), [`parse_stamp`] |
//! | the loaded theme              | `build::Builder`      | [`config_key`] (rebuilds after markdown edits only) |
//! | the page index                | `site::Index`         | each page's identity (`identity_hash`) |
//! | a page's link resolution      | `links::LinkCache`    | the index and the page's own parse    |
//! | a page's list entry           | `render::views::KeptRef` | the page's summary and the build stamp |
//! | a section's member order      | [`Memo`]              | [`all_visible`]                       |
//! | a rendered file               | [`Memo`], the output's manifest | its fingerprint ([`fingerprint`]) |
//! | a customer's part of an export| `export::Parts`       | [`customer_part`]                     |
//! | the site's git history        | `build::Builder`, and `.git/salesbook/` | the parse rules; commit ids (`history::read`) |
//!
//! Everything is hashed with one hasher ([`hasher`], from `crate::hasher`: SipHash with fixed
//! keys, as the fingerprints are written to the output's manifest and compared by the next
//! process), the page identities and summaries that `site` keeps included, through real
//! `Hash` implementations (never `Debug` text), and every fingerprint starts from the
//! build-wide stamp ([`build_stamp`]). Only the content hashes of file bytes (sources, output
//! files) are `load::hash`'s, a faster hasher for a different job.

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use rayon::prelude::*;

use chrono::NaiveDate;

use crate::config::{SiteConfig, StageDef};
use crate::diagnostics::Diagnostic;
use crate::export::Export;
use crate::facts::Facts;
use crate::model::Kind;
use crate::output::{Made, Output, OutputFile};
use crate::plan::{Gen, Job, page_of};
use crate::site::{DocId, Site};

pub use crate::hasher::{hash_of, hasher};

/// The build-wide stamp: what decides every file's bytes besides its own inputs. The
/// theme's templates and labels (`theme`, [`theme_stamp`]), the program itself and the
/// build's options (an earlier build's fingerprints are compared with this one's through the
/// output's manifest), the config and the day.
pub fn build_stamp(theme: u64, public: bool, drafts: bool, config: &SiteConfig, today: NaiveDate) -> u64 {
    hash_of((theme, program_stamp(), public, drafts, config, today))
}

/// The program itself: its version, and its binary's size and time. A fingerprint made by
/// another version or another binary is not trusted (the files it stands for were made by
/// other code). Worked out once per process.
pub fn program_stamp() -> u64 {
    static STAMP: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *STAMP.get_or_init(|| {
        let exe = std::env::current_exe()
            .and_then(std::fs::metadata)
            .map(|m| (m.len(), m.modified().ok()))
            .ok();
        hash_of((env!("CARGO_PKG_VERSION"), exe))
    })
}

/// What a theme is made of that decides the pages' bytes: its labels and templates.
pub fn theme_stamp(labels: &crate::format::Labels, templates: &BTreeMap<String, String>) -> u64 {
    hash_of((labels.sorted(), templates))
}

pub use crate::parse::stamp as parse_stamp;

/// The key of a loaded theme: the config it was loaded for.
pub fn config_key(config: &SiteConfig) -> u64 {
    hash_of(config)
}

/// The config hashed field by field. Written out (not derived: money thresholds and
/// probabilities are floats, hashed by their bits) and destructured, so that a new field
/// does not compile until it is hashed here too.
impl Hash for SiteConfig {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let SiteConfig {
            title,
            language,
            base_url,
            theme,
            currency,
            money_in_wan,
            today,
            stale_after_days,
            small_order_threshold,
            count_confidential,
            search,
            allow_indexing,
            warn_visit_without_commitment,
            stages,
            quota,
            owner_quota,
            rates_quarters,
        } = self;
        (title, std::mem::discriminant(language), base_url, theme, currency).hash(h);
        (money_in_wan, today, stale_after_days, small_order_threshold.to_bits()).hash(h);
        (count_confidential, search, allow_indexing, stages).hash(h);
        let bits = |m: &BTreeMap<String, f64>| m.iter().map(|(k, v)| (k.clone(), v.to_bits())).collect::<Vec<_>>();
        (
            bits(quota),
            owner_quota.iter().map(|(o, m)| (o, bits(m))).collect::<Vec<_>>(),
        )
            .hash(h);
        rates_quarters.hash(h);
        warn_visit_without_commitment.hash(h);
    }
}

/// A stage as configured; `outcome_written` is left out: it is resolved into `outcome`.
impl Hash for StageDef {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let StageDef {
            id,
            label,
            label_en,
            probability,
            outcome_written: _,
            outcome,
            visit_every_days,
        } = self;
        (id, label, label_en, probability.to_bits(), outcome, visit_every_days).hash(h);
    }
}

/// The summaries of every visible page and the texts of the sections: a change to any of
/// them can change a list's members or order.
pub fn all_visible(site: &Site) -> u64 {
    let mut h = hasher();
    site.visible().for_each(|(_, d)| d.summary_hash.hash(&mut h));
    site.sections.iter().for_each(|s| s.text.hash(&mut h));
    h.finish()
}

/// The inputs shared by the fingerprints of one build, worked out once.
pub struct Keys<'a> {
    facts: &'a Facts<'a>,
    /// [`build_stamp`] with what the navigation shows of the site.
    global: u64,
    /// [`all_visible`].
    all_visible: u64,
    /// Every customer's summary, and the funnel's figures (they can count customers no list
    /// shows: `count_confidential`).
    all_customers: u64,
    /// Every visit script and SPIN list (a brief shows some of them).
    books: u64,
    /// What the figures over time are made of: the history ([`history_stamp`]) and every
    /// customer page they count, anonymously counted ones too.
    over_time: u64,
    /// [`history_stamp`].
    history: u64,
    /// [`all_versions`], with every customer page the rates count: what `/funnel/` shows of
    /// the history.
    rates: u64,
    members_of: &'a HashMap<String, Vec<DocId>>,
    tagged: HashMap<&'a str, Vec<DocId>>,
    /// The customers with a visit logged on each day (a daily report shows them).
    logged: HashMap<NaiveDate, Vec<DocId>>,
}

impl<'a> Keys<'a> {
    /// `funnel_json` is `funnel.json` as this build writes it; `members_of` the section lists
    /// the plan was made from.
    pub fn new(
        facts: &'a Facts<'a>,
        global: u64,
        all_visible: u64,
        funnel_json: &str,
        books: u64,
        members_of: &'a HashMap<String, Vec<DocId>>,
    ) -> Self {
        let site = facts.site;
        let mut h = hasher();
        for (_, d) in site.of_kind(Kind::Customer) {
            d.summary_hash.hash(&mut h);
        }
        funnel_json.hash(&mut h);
        // The pages of each tag, in one pass over the site (not one pass per tag).
        let mut tagged: HashMap<&str, Vec<DocId>> = HashMap::new();
        for (id, d) in site.visible() {
            for t in &d.fm.tags {
                tagged.entry(t.as_str()).or_default().push(id);
            }
        }
        let history = history_stamp(facts.history, facts.today);
        let mut counted = hasher();
        for (id, _, _) in crate::sales::funnel::counted(site, facts.config) {
            site.doc(id).summary_hash.hash(&mut counted);
        }
        let counted = counted.finish();
        let mut logged: HashMap<NaiveDate, Vec<DocId>> = HashMap::new();
        for (day, visits) in crate::sales::plan::logged_by_day(site, facts.today) {
            let mut ids: Vec<DocId> = visits.iter().map(|l| l.customer).collect();
            ids.dedup();
            logged.insert(day, ids);
        }
        Keys {
            facts,
            logged,
            global,
            all_visible,
            all_customers: h.finish(),
            books,
            over_time: hash_of((history, counted)),
            history,
            rates: hash_of((all_versions(facts.history), counted)),
            members_of,
            tagged,
        }
    }

    fn summaries<'i>(&self, ids: impl IntoIterator<Item = &'i DocId>, h: &mut DefaultHasher) {
        for id in ids {
            self.facts.site.doc(*id).summary_hash.hash(h);
        }
    }
}

/// Why there is no history, when there is none.
fn unavailable(history: &crate::history::History) -> Option<&str> {
    use crate::history::Unavailable;
    history.unavailable.as_ref().map(|u| match u {
        Unavailable::NotARepository => "not a repository",
        Unavailable::NoCommits => "no commits",
        Unavailable::Shallow => "shallow",
        Unavailable::Unreadable(why) => why.as_str(),
    })
}

/// The commit ids of a page's versions: with the parse rules (in the build stamp) they fix
/// every version, its date and its author.
fn versions(history: &crate::history::History, path: &str, h: &mut DefaultHasher) {
    for v in history.customers.get(path).into_iter().flatten() {
        history.commits.get(v.commit).map(|c| &c.id).hash(h);
    }
}

/// What decides everything worked out from the history (`sales::progress`, `rates`,
/// `movement`): why there is none, each week's snapshot, and every customer page's versions.
/// A commit that changes no customer page and is no week's snapshot changes none of it.
pub fn history_stamp(history: &crate::history::History, today: NaiveDate) -> u64 {
    let mut h = hasher();
    all_versions(history).hash(&mut h);
    for (week, commit) in crate::sales::progress::weeks(history, today) {
        (week.monday, commit.and_then(|i| history.commits.get(i)).map(|c| &c.id)).hash(&mut h);
    }
    h.finish()
}

/// Why there is no history, and every customer page's versions: what the measured rates
/// and the timelines are made of (not the weeks' snapshots).
pub fn all_versions(history: &crate::history::History) -> u64 {
    let mut h = hasher();
    unavailable(history).hash(&mut h);
    for path in history.customers.keys() {
        path.hash(&mut h);
        versions(history, path, &mut h);
    }
    h.finish()
}

/// What decides one customer page's timeline and `stage_history`: its versions.
pub fn page_history(history: &crate::history::History, path: &str) -> u64 {
    let mut h = hasher();
    (unavailable(history), history.is_available()).hash(&mut h);
    versions(history, path, &mut h);
    h.finish()
}

/// The fingerprint of a route's job.
pub fn fingerprint(k: &Keys, job: &Job) -> u64 {
    match job {
        Job::Page(id) => page(k, *id),
        Job::Brief(id) => brief(k, *id),
        Job::Gen(g) => generated(k, g),
        Job::Export(e) => export(k, *e),
    }
}

/// A content page: its own file, and what it shows of the pages it links to, is linked from,
/// references or is met by.
pub fn page(k: &Keys, id: DocId) -> u64 {
    let site = k.facts.site;
    let g = k.facts.graph;
    let d = site.doc(id);
    let mut h = hasher();
    (k.global, d.hash, &d.path).hash(&mut h);
    // `page.git`: the last commit that changed the file (its id decides its date and author).
    k.facts.history.last_commit_of(&d.rel_path).map(|c| &c.id).hash(&mut h);
    if d.kind == Kind::Customer {
        // A customer page shows its timeline from the history.
        page_history(k.facts.history, &d.rel_path).hash(&mut h);
    }
    k.summaries(&g.backlinks[id.0], &mut h);
    for l in g.body_links[id.0].iter() {
        l.as_ref()
            .map(|t| (site.doc(t.doc).summary_hash, &t.anchor))
            .hash(&mut h);
    }
    k.summaries(g.competitor_refs[id.0].iter().chain(&g.met_by[id.0]), &mut h);
    h.finish()
}

/// A customer's visit brief: the customer's front matter (not its body), the competitors it
/// names, and the visit scripts and SPIN lists.
pub fn brief(k: &Keys, id: DocId) -> u64 {
    customer(k, id, k.books)
}

/// A customer's part of the exports: its front matter, the competitors it names and its
/// versions (`stage_history`).
pub fn customer_part(k: &Keys, id: DocId) -> u64 {
    customer(k, id, page_history(k.facts.history, &k.facts.site.doc(id).rel_path))
}

fn customer(k: &Keys, id: DocId, extra: u64) -> u64 {
    let d = k.facts.site.doc(id);
    let mut h = hasher();
    (k.global, extra, d.summary_hash, &d.path).hash(&mut h);
    k.summaries(&k.facts.graph.competitor_refs[id.0], &mut h);
    h.finish()
}

/// A generated page: the summaries of the pages it lists, and the figures it shows.
pub fn generated(k: &Keys, g: &Gen) -> u64 {
    let figures = &k.facts.figures;
    let every = k.all_visible ^ k.all_customers;
    let mut h = hasher();
    let extra = match g {
        Gen::Home => every,
        // The funnel's forecast by period counts anonymously counted customers too.
        Gen::Funnel => hash_of((k.all_customers, k.rates)),
        Gen::Tiers => k.all_customers,
        // Stage and tier pages are paginated; only page 1 shows the figures, so a deal moving
        // re-renders the pages its row leaves or joins, not every page of the stage.
        Gen::Stage { ix, page, .. } => {
            let s = &figures.funnel.stages[*ix];
            if *page == 1 {
                // The stage's own figures (its conversion is on the funnel page: it depends
                // on the stages around it).
                (s.count, s.value.to_bits(), s.weighted.to_bits()).hash(&mut h);
            }
            k.summaries(page_of(&s.customers, *page), &mut h);
            h.finish()
        }
        Gen::Tier { tier, page, .. } => {
            if let Some(t) = figures.tiers.iter().find(|t| t.tier == *tier) {
                if *page == 1 {
                    (t.customers.len(), t.value.to_bits()).hash(&mut h);
                }
                k.summaries(page_of(&t.customers, *page), &mut h);
            }
            h.finish()
        }
        // The pages that tell the team what to do next: they show every customer's summary.
        Gen::Quadrant | Gen::Visits | Gen::Owners | Gen::Tags | Gen::Industries | Gen::Regions => every,
        // Every deal's card, and its days in stage: the versions of the customers' own files
        // (a commit to another page changes no card).
        Gen::Board => {
            every.hash(&mut h);
            for (_, d) in k.facts.site.of_kind(Kind::Customer) {
                page_history(k.facts.history, &d.rel_path).hash(&mut h);
            }
            h.finish()
        }
        // A rep's daily work: commitments, plans and reports of every customer.
        Gen::Commitments | Gen::Plan | Gen::Reports { .. } => every,
        // A rep's plan shows the rep's customers and the visit scripts suited to them.
        Gen::OwnerPlan { name, .. } => {
            let scripts = k.facts.site.of_kind(Kind::VisitScript).map(|(id, _)| id);
            k.summaries(scripts.collect::<Vec<_>>().iter(), &mut h);
            k.summaries(k.facts.figures.owners.get(name).into_iter().flatten(), &mut h);
            h.finish()
        }
        // A day's report shows the customers visited that day.
        Gen::Report { day } => {
            k.summaries(k.logged.get(day).into_iter().flatten(), &mut h);
            h.finish()
        }
        // An owner's page and a tag's page show only their own pages.
        Gen::Owner { name, .. } => {
            k.summaries(k.facts.figures.owners.get(name).into_iter().flatten(), &mut h);
            h.finish()
        }
        Gen::Tag { name, .. } => {
            k.summaries(k.tagged.get(name.as_str()).into_iter().flatten(), &mut h);
            h.finish()
        }
        Gen::Section { key, page, .. } => {
            let members = k.members_of.get(key).map(Vec::as_slice).unwrap_or_default();
            let intro = k.facts.site.section_text(key).map(|s| hash_of(&s.text));
            (intro, members.len()).hash(&mut h);
            if key == "competitors" && *page == 1 {
                // The matrix of where we meet each competitor shows every customer.
                k.all_customers.hash(&mut h);
            }
            k.summaries(page_of(members, *page), &mut h);
            h.finish()
        }
        // The weekly figures: the history and every customer they count; a rep's page, the
        // history and the rep's own customers of the working tree (the weeks before are
        // fixed by the history).
        Gen::Progress { owner: None } => k.over_time,
        Gen::Progress { owner: Some((name, _)) } => {
            k.history.hash(&mut h);
            k.summaries(k.facts.figures.owners.get(name).into_iter().flatten(), &mut h);
            h.finish()
        }
        Gen::Search | Gen::NotFound => 0,
    };
    generated_print(k, g, extra)
}

/// An export: every customer's summary (each customer's part has its own print,
/// [`customer_part`]).
pub fn export(k: &Keys, e: Export) -> u64 {
    if let Export::OwnerIcs(n) = e {
        // A rep's calendar shows the rep's own customers only.
        let owners = k.facts.figures.owners;
        let mut h = hasher();
        (k.global, e).hash(&mut h);
        if let Some((name, slug)) = crate::plan::owner_slugs(owners).into_iter().nth(n) {
            (&name, &slug).hash(&mut h);
            k.summaries(owners.get(&name).into_iter().flatten(), &mut h);
        }
        return h.finish();
    }
    if e == Export::ProgressJson {
        return hash_of((k.global, e, k.over_time));
    }
    // `customers.json` holds every customer's `stage_history`.
    let history = (e == Export::CustomersJson).then_some(k.rates);
    let every = k.all_visible ^ k.all_customers;
    hash_of((k.global, e, every, history))
}

fn generated_print(k: &Keys, g: &Gen, extra: u64) -> u64 {
    hash_of((k.global, g, extra))
}

/// The files of the previous builds of this process, by output path, with the fingerprint
/// each was made from. A streaming build keeps none (`keep` false) and relies on the output
/// folder's manifest instead ([`Output::reuse`]).
#[derive(Default)]
pub struct Memo {
    pub keep: bool,
    files: HashMap<Arc<str>, Kept, ahash::RandomState>,
    /// Counts the builds, for [`Kept::seen`].
    builds: u64,
    /// Section list orders (see [`crate::plan::routes`]), kept while [`all_visible`] is the
    /// same.
    members: (u64, HashMap<String, Vec<DocId>>),
}

/// A file of an earlier build.
struct Kept {
    /// The fingerprint of its inputs; `None` when its last render failed (the file is the
    /// last good version) or when it is made again every build.
    print: Option<u64>,
    file: OutputFile,
    /// The last build that had this file.
    seen: u64,
}

impl Memo {
    /// Starts a build: the section lists of the last build, while `all_visible` is the same.
    pub fn start(&mut self, all_visible: u64) -> &mut HashMap<String, Vec<DocId>> {
        self.builds += 1;
        if self.members.0 != all_visible {
            self.members = (all_visible, HashMap::new());
        }
        &mut self.members.1
    }

    pub fn members(&self) -> &HashMap<String, Vec<DocId>> {
        &self.members.1
    }

    /// The routes whose file must be made: those whose fingerprint differs from the one the
    /// memo or the output (`out.reuse`) has; the others are handed to `out` as they are.
    pub fn stale<T: Send>(&mut self, routes: Vec<(String, u64, T)>, out: &dyn Output) -> Vec<(String, u64, T)> {
        let now = self.builds;
        let mut todo = Vec::new();
        for (path, print, job) in routes {
            if let Some(m) = self.files.get_mut(path.as_str()) {
                m.seen = now;
                if m.print == Some(print) {
                    out.reused(&m.file, print);
                    continue;
                }
            }
            todo.push((path, print, job));
        }
        // What the output already holds from an earlier build with the same inputs.
        todo.into_par_iter()
            .filter(|(path, print, _)| !out.reuse(path, *print))
            .collect()
    }

    /// Records a file made from inputs with fingerprint `print` (`None`: made every build).
    pub fn made(&mut self, file: OutputFile, print: Option<u64>) {
        let m = Kept {
            print,
            file,
            seen: self.builds,
        };
        self.files.insert(Arc::clone(&m.file.path), m);
    }

    /// Records what the stages made, and returns how many files they made. A file that
    /// failed keeps the memo's version as the last good one, to be made again next time; its
    /// problem joins `diags` (once: a template error is the same for every page).
    pub fn record(&mut self, made: Vec<Made>, diags: &mut Vec<Diagnostic>) -> usize {
        let mut count = 0;
        for (path, print, result) in made {
            match result {
                Ok(f) => {
                    count += 1;
                    if let Some(f) = f {
                        self.made(f, Some(print));
                    }
                }
                Err(d) => {
                    if let Some(m) = self.files.get_mut(path.as_str()) {
                        m.print = None;
                    }
                    if !diags.contains(&d) {
                        diags.push(*d);
                    }
                }
            }
        }
        count
    }

    /// Ends a build: forgets the files it did not have, and returns their paths.
    pub fn finish(&mut self) -> Vec<Arc<str>> {
        let now = self.builds;
        let mut removed = Vec::new();
        self.files.retain(|p, m| {
            if m.seen != now {
                removed.push(Arc::clone(p));
            }
            m.seen == now
        });
        removed
    }
}
