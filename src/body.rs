//! Page bodies: how much of them a build keeps in memory, and how one becomes HTML and
//! search terms. [`markdown::scan`] reads a body once into typed segments of pre-rendered
//! HTML and its search terms, beside the file's text. A build whose memory must not grow with
//! the size of the bodies (`build`, `check`) keeps each body's pre-rendered HTML, or else its
//! text, until a fixed number of bytes is spent; a body beyond that is read again from its
//! file when its page renders. Most sites never read a file twice, and a large one stays in
//! bounded memory. Such a build also takes each page's search terms out of the page as it is
//! parsed ([`Budget::fit`]) and hands them to the search index, which lets each go once
//! indexed, before the pages render ([`Taken`]): a page never holds terms that must be let go
//! through a shared reference. This is the one place that knows the budget, and the one path
//! from a body to its HTML ([`html`]) and to its terms ([`Taken::terms`]): rendering and
//! search do not ask which form was kept.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::parse::markdown::{self, Body, Resolved};
use crate::site::ParsedDoc;
use crate::text::Packed;

/// A body's HTML with its site links written out as `resolve` says: from the segments
/// [`markdown::scan`] pre-rendered when they were kept, or else rendered from its text (read
/// by `text` with the body at its offset: from memory, or from its file again when the
/// budget let it go). `None` when the text cannot be read again (the file changed or went
/// away during the build).
pub fn html<'t>(
    body: &Body,
    text: impl FnOnce() -> Option<(Cow<'t, str>, usize)>,
    resolve: &dyn Fn(usize) -> Option<Resolved>,
) -> Option<String> {
    if let Some(html) = &body.html {
        return Some(html.html(resolve));
    }
    let (text, offset) = text()?;
    Some(markdown::render(
        &text[offset.min(text.len())..],
        &body.headings,
        resolve,
    ))
}

/// How many bytes of body a streaming build keeps in memory.
pub const BUDGET: usize = 32 << 20;

/// A budget of bytes of body kept in memory, spent by the pages as they are parsed (from
/// many threads), and the search terms taken out of them.
pub struct Budget {
    limit: usize,
    spent: AtomicUsize,
    taken: Mutex<Taken>,
}

impl Budget {
    pub fn new(limit: usize) -> Self {
        Budget {
            limit,
            spent: AtomicUsize::new(0),
            taken: Mutex::default(),
        }
    }

    /// Keeps what the budget allows of a page's body. Rendering needs the text only where
    /// there is no pre-rendered HTML: with HTML, the text goes at once, and the HTML too when
    /// the budget is spent; without, the text goes when the budget is spent. The search
    /// terms go to [`Budget::taken`] in every case.
    pub fn fit(&self, doc: &mut ParsedDoc) {
        let terms = std::mem::take(&mut doc.body.terms);
        if !terms.is_empty() {
            let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
            taken.0.insert(doc.rel_path.clone(), terms);
        }
        match doc.body.html.as_ref().map(|h| h.len()) {
            Some(size) => {
                doc.drop_text();
                if self.spent.fetch_add(size, Ordering::Relaxed) >= self.limit {
                    doc.body.html = None;
                }
            }
            None => {
                if self.spent.fetch_add(doc.text_len(), Ordering::Relaxed) >= self.limit {
                    doc.drop_text();
                }
            }
        }
    }

    /// The search terms taken out of the pages, for the search index.
    pub fn taken(self) -> Taken {
        self.taken.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

/// The search terms a streaming build took out of its pages (see [`Budget::fit`]), by file,
/// until the search index takes them page by page. Empty for a build that leaves the terms in
/// its pages (`serve` indexes them again after each save).
/// Keyed with ahash, as the site's index: the index takes each page's terms out of it in
/// turn, on one core.
#[derive(Debug, Default)]
pub struct Taken(HashMap<String, Packed, ahash::RandomState>);

impl Taken {
    /// A page's body terms, sorted: the ones taken out of it, handed over once (and let go
    /// with the value returned), or else the page's own.
    pub fn terms<'d>(&mut self, doc: &'d ParsedDoc) -> Cow<'d, Packed> {
        match self.0.remove(&doc.rel_path) {
            Some(terms) => Cow::Owned(terms),
            None => Cow::Borrowed(&doc.body.terms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_takes_the_terms_out_of_the_page_and_hands_them_over_once() {
        let text = "---\ntitle: A\n---\n华东精密的报价 ABB。\n";
        let src = crate::load::source_from_bytes("content/a.md".to_owned(), text.as_bytes().to_vec()).expect("UTF-8");
        let (doc, _) = crate::site::parse_doc(&src, &crate::config::SiteConfig::default(), false);
        let mut doc = doc.expect("a page");
        let own = doc.body.terms.clone();
        assert!(own.iter().any(|t| t.to_str() == "报价"), "{own:?}");
        let budget = Budget::new(BUDGET);
        budget.fit(&mut doc);
        assert!(doc.body.terms.is_empty(), "the page keeps no terms");
        let mut taken = budget.taken();
        assert_eq!(*taken.terms(&doc), own);
        assert!(taken.terms(&doc).is_empty(), "handed over once, then let go");
    }
}
