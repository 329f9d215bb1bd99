//! How much of the pages' bodies a build keeps in memory. A build whose memory must not grow
//! with the size of the bodies (`build`, `check`) keeps each body's pre-rendered HTML, or
//! else its text, until a fixed number of bytes is spent; a body beyond that is read again
//! from its file when its page renders. Most sites never read a file twice, and a large one
//! stays in bounded memory. This is the one place that knows the budget: the parse keeps
//! whole bodies, rendering asks the page for its text.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::site::ParsedDoc;

/// How many bytes of body a streaming build keeps in memory.
pub const BUDGET: usize = 32 << 20;

/// A budget of bytes of body kept in memory, spent by the pages as they are parsed (from
/// many threads).
pub struct Budget {
    limit: usize,
    spent: AtomicUsize,
}

impl Budget {
    pub fn new(limit: usize) -> Self {
        Budget {
            limit,
            spent: AtomicUsize::new(0),
        }
    }

    /// Keeps what the budget allows of a page's body. Rendering needs the text only where
    /// there is no pre-rendered HTML: with HTML, the text goes at once, and the HTML too when
    /// the budget is spent; without, the text goes when the budget is spent.
    pub fn fit(&self, doc: &mut ParsedDoc) {
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
}
