//! Page bodies: how much of them a build keeps in memory, and how one becomes HTML. A build
//! whose memory must not grow with the size of the bodies (`build`, `check`) keeps each
//! body's pre-rendered HTML, or else its text, until a fixed number of bytes is spent; a body
//! beyond that is read again from its file when its page renders. Most sites never read a
//! file twice, and a large one stays in bounded memory. This is the one place that knows the
//! budget, and the one path from a body to its HTML ([`html`]): rendering does not ask which
//! form was kept.

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::parse::markdown::{self, Body, Resolved};
use crate::site::ParsedDoc;

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
