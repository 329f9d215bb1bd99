//! The visit brief (`/customers/<slug>/brief/`): one printable page to take to a visit. The
//! customer's fact box and decision map, the last visit and its commitment, what to know
//! about each competitor met there, the steps of the visit script that suits the customer's
//! stage and the SPIN questions for the customer's industry.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::views::{Ctx, IdLabel, PageRef, QuestionBank, VisitView, page_ref, spin_banks, visit_view};
use crate::model::StageIx;
use crate::site::DocId;

/// How many other suitable scripts and SPIN lists a brief names besides the ones it shows.
const ALSO: usize = 5;

/// Where a customer's brief is written: `customers/<slug>/brief/index.html`.
pub use crate::plan::brief_path as path_of;

/// The site's visit scripts and SPIN lists, sorted once per build, and the rendered steps
/// of the scripts that briefs show (a few scripts serve thousands of briefs).
#[derive(Default)]
pub struct Playbooks {
    /// Per funnel stage: the scripts that declare it, the most specific (fewest stages) first.
    scripts: HashMap<StageIx, Vec<DocId>>,
    /// SPIN lists by industry; those with none under "".
    spins: HashMap<String, Vec<DocId>>,
    /// Hash of every script and SPIN list: a brief shows some of them.
    pub print: u64,
    steps: Mutex<HashMap<(DocId, String), Arc<str>>>,
    /// The rendered steps and SPIN part (`partials/brief_playbook.html`) by [`PlaybookKey`].
    rendered: Mutex<HashMap<PlaybookKey, tera::Value>>,
}

/// What a brief's steps and SPIN part depend on: the customer's stage, the industry whose
/// SPIN list it shows (`None`: a general one), whether the customer names an industry, and
/// the page depth (links are relative).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlaybookKey {
    stage: Option<StageIx>,
    industry: Option<String>,
    has_industry: bool,
    root: String,
}

/// The key of customer `id`'s brief at `path`.
pub fn playbook_key(cx: &Ctx, id: DocId, path: &str) -> PlaybookKey {
    let books = playbooks(cx);
    let c = cx.site.doc(id).fm.customer.as_deref();
    let industry = c.and_then(|c| c.industry.as_deref()).unwrap_or("").trim();
    PlaybookKey {
        stage: c.and_then(|c| c.stage),
        industry: (!industry.is_empty() && books.spins.contains_key(industry)).then(|| industry.to_owned()),
        has_industry: !industry.is_empty(),
        root: super::root_of(path),
    }
}

/// The rendered steps and SPIN part for `key`, made by `render` the first time.
pub fn playbook_html(
    cx: &Ctx,
    key: PlaybookKey,
    render: impl FnOnce() -> Result<Vec<u8>, crate::diagnostics::Diagnostic>,
) -> Result<tera::Value, crate::diagnostics::Diagnostic> {
    let books = playbooks(cx);
    if let Some(v) = books.rendered.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(v.clone());
    }
    let v = tera::Value::safe_string(&crate::load::utf8_lossy(&render()?));
    books
        .rendered
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, v.clone());
    Ok(v)
}

/// Whether the steps and SPIN part for `key` is rendered already.
pub fn has_playbook(cx: &Ctx, key: &PlaybookKey) -> bool {
    playbooks(cx)
        .rendered
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .contains_key(key)
}

pub fn playbooks<'a>(cx: &'a Ctx) -> &'a Playbooks {
    cx.playbooks.get_or_init(|| {
        let site = cx.site;
        let mut h = crate::incremental::hasher();
        let mut scripts: HashMap<StageIx, Vec<DocId>> = HashMap::new();
        let mut spins: HashMap<String, Vec<DocId>> = HashMap::new();
        for (id, d) in site.visible() {
            if let Some(s) = &d.fm.script {
                (d.hash, &d.path).hash(&mut h);
                for st in &s.stages {
                    scripts.entry(*st).or_default().push(id);
                }
            }
            if let Some(s) = &d.fm.spin {
                (d.hash, &d.path).hash(&mut h);
                let industry = s.industry.as_deref().unwrap_or("").trim().to_owned();
                spins.entry(industry).or_default().push(id);
            }
        }
        let stages = |id: &DocId| site.doc(*id).fm.script.as_ref().map_or(0, |s| s.stages.len());
        for ids in scripts.values_mut() {
            ids.sort_by(|a, b| (stages(a), site.doc(*a).title()).cmp(&(stages(b), site.doc(*b).title())));
        }
        for ids in spins.values_mut() {
            ids.sort_by(|a, b| site.doc(*a).title().cmp(site.doc(*b).title()));
        }
        Playbooks {
            scripts,
            spins,
            print: h.finish(),
            steps: Mutex::default(),
            rendered: Mutex::default(),
        }
    })
}

#[derive(Debug, Serialize)]
pub struct BriefCompetitor {
    pub page: PageRef,
    pub price_level: Option<IdLabel>,
    pub strengths: Vec<String>,
    pub weaknesses: Vec<String>,
    pub strategy: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct BriefScript {
    pub page: PageRef,
    pub visit_kind: Option<IdLabel>,
    /// `60`, not `60.0`.
    pub duration_fmt: Option<String>,
    /// The script's steps section as HTML (its whole body when it has no steps heading).
    pub steps: String,
}

#[derive(Debug, Serialize)]
pub struct BriefSpin {
    pub page: PageRef,
    pub product: Option<String>,
    pub banks: Vec<QuestionBank>,
}

#[derive(Debug, Serialize)]
pub struct BriefView {
    /// The customer page this brief is made from.
    pub customer: PageRef,
    /// The latest visit up to today.
    pub last_visit: Option<VisitView>,
    pub competitors: Vec<BriefCompetitor>,
    /// The script that suits the customer's stage best, and the others that suit it.
    pub script: Option<BriefScript>,
    pub other_scripts: Vec<PageRef>,
    /// The SPIN list for the customer's industry (or a general one), and the others.
    pub spin: Option<BriefSpin>,
    pub other_spins: Vec<PageRef>,
    /// Whether the SPIN list is a general one: none names the customer's industry.
    pub spin_general: bool,
}

/// The brief of customer `id`, rendered at output path `path`; without the scripts and SPIN
/// lists when its steps and SPIN part is rendered already (`playbook` false).
pub fn brief_view(cx: &Ctx, id: DocId, path: &str, playbook: bool) -> BriefView {
    let site = cx.site;
    let d = site.doc(id);
    let c = d.fm.customer.as_deref();
    let books = playbooks(cx);
    let last_visit = c.and_then(|c| {
        c.visits
            .iter()
            .filter(|v| v.date.is_some_and(|d| d <= cx.today))
            .max_by_key(|v| v.date)
            .map(|v| visit_view(cx, v))
    });
    let competitors = cx.graph.competitor_refs[id.0]
        .iter()
        .map(|&cid| {
            let comp = site.doc(cid).fm.competitor.clone().unwrap_or_default();
            BriefCompetitor {
                page: page_ref(cx, cid),
                price_level: comp.price_level.map(|p| cx.id_label("price", p.id())),
                strengths: comp.strengths,
                weaknesses: comp.weaknesses,
                strategy: comp.strategy,
            }
        })
        .collect();
    let suitable = c
        .filter(|_| playbook)
        .and_then(|c| c.stage)
        .and_then(|s| books.scripts.get(&s))
        .map(Vec::as_slice)
        .unwrap_or_default();
    let script = suitable.first().map(|&sid| {
        let s = site.doc(sid).fm.script.clone().unwrap_or_default();
        BriefScript {
            page: page_ref(cx, sid),
            visit_kind: s.visit_kind.map(|k| cx.id_label("visit", k.id())),
            duration_fmt: s.duration_minutes.map(super::format::plain_number),
            steps: steps_html(cx, books, sid, path).to_string(),
        }
    });
    let industry = c.and_then(|c| c.industry.as_deref()).unwrap_or("").trim();
    let (spins, spin_general) = match books.spins.get(industry).filter(|_| !industry.is_empty()) {
        _ if !playbook => (&[][..], false),
        Some(ids) => (ids.as_slice(), false),
        None => (books.spins.get("").map(Vec::as_slice).unwrap_or_default(), true),
    };
    let spin = spins.first().map(|&sid| {
        let s = site.doc(sid).fm.spin.as_ref();
        BriefSpin {
            page: page_ref(cx, sid),
            product: s.and_then(|s| s.product.clone()),
            banks: s.map(|s| spin_banks(cx, s)).unwrap_or_default(),
        }
    });
    let others = |ids: &[DocId]| ids.iter().skip(1).take(ALSO).map(|&i| page_ref(cx, i)).collect();
    BriefView {
        customer: page_ref(cx, id),
        last_visit,
        competitors,
        script,
        other_scripts: others(suitable),
        spin,
        other_spins: others(spins),
        spin_general,
    }
}

/// The steps of a visit script as HTML for a page at `path`: the section under its first
/// heading that names the steps (步骤, Steps), or its whole body when it has none. Rendered
/// once per script and page depth (links are relative).
fn steps_html(cx: &Ctx, books: &Playbooks, id: DocId, path: &str) -> Arc<str> {
    let root = super::root_of(path);
    let key = (id, root);
    if let Some(html) = books.steps.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Arc::clone(html);
    }
    let d = cx.site.doc(id);
    let links = &cx.graph.body_links[id.0];
    let text = || d.text().map(|t| (t, d.body_offset));
    let html: Arc<str> = match super::scanned_body_html(cx.site, path, &d.body, text, links) {
        Some(html) => {
            let at = d.body.headings.iter().position(|h| {
                let t = h.text.to_lowercase();
                t.contains("步骤") || t.contains("步驟") || t.starts_with("step")
            });
            match at.and_then(|k| section_of(&html, k, d.body.headings[k].level)) {
                Some(part) => part.into(),
                None => html.into(),
            }
        }
        // The file changed during the build; the build reports it for the script's own page.
        None => "".into(),
    };
    books
        .steps
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, Arc::clone(&html));
    html
}

/// The HTML after the `k`-th heading (of `level`) up to the next heading of that level or
/// higher. `None` when the rendered headings do not line up with the parsed ones (raw HTML
/// headings in the body): the caller then shows the whole body.
fn section_of(html: &str, k: usize, level: u8) -> Option<String> {
    let starts: Vec<(usize, u8)> = html
        .match_indices("<h")
        .filter_map(|(i, _)| {
            let b = html.as_bytes();
            let n = *b.get(i + 2)?;
            let after = *b.get(i + 3)?;
            ((b'1'..=b'6').contains(&n) && (after == b' ' || after == b'>')).then_some((i, n - b'0'))
        })
        .collect();
    let &(start, found) = starts.get(k)?;
    if found != level {
        return None;
    }
    let close = format!("</h{level}>");
    let body_start = start + html[start..].find(&close)? + close.len();
    let end = starts
        .iter()
        .skip(k + 1)
        .find(|(_, l)| *l <= level)
        .map_or(html.len(), |(i, _)| *i);
    Some(html[body_start..end].trim().to_owned())
}

/// Whether a page kind has a brief.
pub use crate::plan::has_brief;

#[cfg(test)]
mod tests {
    use super::section_of;

    #[test]
    fn cuts_the_steps_section() {
        let html = "<h2 id=\"a\">准备</h2>\n<p>x</p>\n<h2 id=\"b\">步骤</h2>\n<ol><li>介绍</li></ol>\n<h3 id=\"c\">细节</h3>\n<p>y</p>\n<h2 id=\"d\">异议</h2>\n<p>z</p>";
        assert_eq!(
            section_of(html, 1, 2).as_deref(),
            Some("<ol><li>介绍</li></ol>\n<h3 id=\"c\">细节</h3>\n<p>y</p>")
        );
        assert_eq!(section_of(html, 3, 2).as_deref(), Some("<p>z</p>"));
        // The parsed headings do not line up with the HTML: no section.
        assert_eq!(section_of(html, 1, 3), None);
        assert_eq!(section_of(html, 9, 2), None);
        // `<hr>` and `<header>` are not headings.
        assert_eq!(section_of("<hr><h2>s</h2><p>a</p>", 0, 2).as_deref(), Some("<p>a</p>"));
    }
}
