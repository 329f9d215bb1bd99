//! `serve`'s history reader: reads the site's git history on a thread of its own, so that
//! the site is served before the history is ready, and again whenever the checked-out commit
//! changes (a commit, a checkout, a pull). The main loop wakes it when it sees `HEAD` or the
//! branch's ref change; a save never wakes it (the working tree is "now", not history).

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use crate::build::{HistoryJob, HistoryRead};

/// A history read, with the git files whose change means a new commit (to be watched).
pub struct Ready {
    pub read: HistoryRead,
    pub head_files: Vec<PathBuf>,
}

/// The reader thread: [`Reader::wake`] asks it to look for a new commit.
pub struct Reader {
    /// `true`: read and hand over the history even if the commit is the same.
    wake: mpsc::Sender<bool>,
}

impl Reader {
    /// Starts reading the history of the site at `root` at once; each read is handed to
    /// `send` (which returns false once nobody listens).
    pub fn spawn(root: &Path, job: HistoryJob, send: impl Fn(Ready) -> bool + Send + 'static) -> Reader {
        let (wake, woken) = mpsc::channel::<bool>();
        let root = root.to_owned();
        let spawned = std::thread::Builder::new()
            .name("git history".to_owned())
            .spawn(move || {
                let mut last = None;
                // Whether to hand over the history whatever the commit.
                let mut first = true;
                loop {
                    let repo = crate::history::open(&root).ok();
                    let head = repo.as_ref().and_then(crate::history::Repo::head);
                    if first || head != last {
                        let head_files = repo.as_ref().map(crate::history::Repo::head_files).unwrap_or_default();
                        // `None`: the config cannot be read; the next wake tries again.
                        if let Some(read) = job.run() {
                            if !send(Ready { read, head_files }) {
                                return;
                            }
                            last = head;
                            first = false;
                        }
                    }
                    // Blocks until the next wake; wakes that queued up meanwhile are one.
                    match woken.recv() {
                        Ok(force) => first |= force,
                        Err(_) => return,
                    }
                    while let Ok(force) = woken.try_recv() {
                        first |= force;
                    }
                }
            });
        if let Err(e) = spawned {
            eprintln!("warning: cannot read the git history in the background: {e}");
        }
        Reader { wake }
    }

    /// Asks the reader to look for a new commit.
    pub fn wake(&self) {
        let _ = self.wake.send(false);
    }

    /// Asks the reader to hand over the history again (a new builder has none).
    pub fn resend(&self) {
        let _ = self.wake.send(true);
    }
}
