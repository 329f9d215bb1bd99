//! `salesbook lsp`: a language server over stdio, so that an editor shows what `check`
//! would report while the page is typed (with quick fixes for its "did you mean"s),
//! completes the fixed values, follows links, finds a page's backlinks and renames a page
//! with every link to it. Everything about pages is looked up in the last build
//! (`Builder::last_site`), which read the editor's unsaved texts: what the editor offers is
//! what `check` resolves.
//!
//! One thread, one loop (rust-analyzer's `lsp-server` does the framing): each message is
//! handled before the next is read, so there is no state shared between threads. The
//! diagnostics come from the same `Builder` as `check`, given the open documents' unsaved
//! text through the loader's overlay (`load::Overlay`); a keystroke re-reads only the
//! changed page, the config every page.
//!
//! A keystroke runs the pipeline without its render (`Builder::diagnose`): HTML is not
//! needed for diagnostics, and rendering the pages an edit touches (every list that shows a
//! page's summary, the board, the exports) was most of a keystroke's time. The few problems
//! only a render finds (a site's template failing on one page's data) are looked for once
//! the typing pauses ([`RENDER_AFTER`]): the pages the edits touched render then, and what
//! they found is published if it changed. So the diagnostics are `check`'s, the render's
//! part a pause late.

mod complete;
mod fix;
mod goto;
mod outline;
mod pages;
mod pos;
mod refs;
mod values;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, GotoDefinition, HoverRequest, PrepareRenameRequest,
    References, Rename, Request as _,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, DiagnosticSeverity, GotoDefinitionResponse, Location, OneOf,
    Position, PublishDiagnosticsParams, Range, RenameOptions, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, Uri,
};

use crate::build::{BuildMode, BuildOptions, BuildResult, Builder, SiteFacts};
use crate::config::CONFIG_FILE;
use crate::diagnostics::{Diagnostic, Severity};

/// How long the editor must send nothing before the pages the edits touched render, to find
/// what only a render finds. A slice of that render cannot be stopped, and a keystroke that
/// arrives during it waits for it (up to about 0.1 s at 10,000 pages): the pause is longer
/// than a typist's hesitations, which the render would otherwise keep running into, and the
/// problems it finds are rare enough to show a second late.
const RENDER_AFTER: Duration = Duration::from_secs(1);

/// How many files that render makes before the server looks for messages again: about
/// 0.1 s of work (the first render of a 10,000-page site makes 18,000 files).
const RENDER_SLICE: usize = 2000;

/// Runs the server on stdin and stdout until the client says `exit`.
pub fn run() -> Result<(), String> {
    let (conn, io) = Connection::stdio();
    let caps = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["[".into(), " ".into(), ",".into(), "(".into(), "#".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    };
    let caps = serde_json::to_value(caps).map_err(|e| e.to_string())?;
    let params = conn.initialize(caps).map_err(|e| format!("lsp: {e}"))?;
    let root = site_root(&params).ok_or("lsp: the client named no workspace folder (rootUri)")?;
    let mut server = Server::new(root);
    server.main_loop(&conn).map_err(|e| format!("lsp: {e}"))?;
    drop(conn);
    io.join().map_err(|e| format!("lsp: {e}"))
}

/// The site of the workspace: the first workspace folder (or the root URI) or the nearest
/// folder above it with a `salesbook.yaml` or a `content/` folder.
fn site_root(params: &serde_json::Value) -> Option<PathBuf> {
    let uri = params
        .pointer("/workspaceFolders/0/uri")
        .or_else(|| params.get("rootUri"))
        .and_then(serde_json::Value::as_str);
    let folder = match uri {
        Some(u) => path_of(u)?,
        None => PathBuf::from(params.get("rootPath")?.as_str()?),
    };
    let folder = folder.canonicalize().unwrap_or(folder);
    let found = folder
        .ancestors()
        .find(|d| d.join(CONFIG_FILE).is_file() || d.join("content").is_dir())
        .map(Path::to_owned);
    Some(found.unwrap_or(folder))
}

struct Server {
    root: PathBuf,
    builder: Builder,
    /// Whether the builder has made its first (full) build.
    built: bool,
    /// The files whose diagnostics were last published non-empty, to be cleared when fixed.
    published: HashSet<PathBuf>,
    /// The pages of the last build, made once per build (on the first request after it).
    pages: Option<(Arc<SiteFacts>, Arc<Vec<pages::Page>>)>,
    /// The diagnostics last published, whether the pages have not rendered since, and
    /// whether a render is under way (slice by slice).
    last: Vec<Diagnostic>,
    unrendered: bool,
    rendering: bool,
}

impl Server {
    fn new(root: PathBuf) -> Self {
        let opts = BuildOptions {
            root: root.clone(),
            // As `check` sees the site: drafts are left out there too.
            drafts: false,
            public: false,
            today: None,
        };
        Server {
            root,
            // `serve`'s mode: rebuilds keep their inputs, results hold only what changed.
            builder: Builder::with_mode(opts, BuildMode::Serve),
            built: false,
            published: HashSet::new(),
            pages: None,
            last: Vec::new(),
            unrendered: false,
            rendering: false,
        }
    }

    fn main_loop(&mut self, conn: &Connection) -> Result<(), Box<dyn std::error::Error>> {
        let mut next = None;
        loop {
            let msg = match next.take() {
                Some(m) => m,
                None if self.unrendered => {
                    match conn
                        .receiver
                        .recv_timeout(if self.rendering { Duration::ZERO } else { RENDER_AFTER })
                    {
                        Ok(m) => m,
                        Err(e) if e.is_timeout() => {
                            for out in self.render() {
                                conn.sender.send(Message::Notification(out))?;
                            }
                            continue;
                        }
                        Err(_) => return Ok(()),
                    }
                }
                None => match conn.receiver.recv() {
                    Ok(m) => m,
                    Err(_) => return Ok(()),
                },
            };
            match msg {
                Message::Request(req) => {
                    if conn.handle_shutdown(&req)? {
                        return Ok(());
                    }
                    let resp = self.request(req);
                    conn.sender.send(Message::Response(resp))?;
                }
                Message::Notification(n) => {
                    // The changes already waiting (a fast typist) are taken together: one
                    // build for the text as it is now, not one per keystroke behind.
                    let mut changed: HashSet<PathBuf> = self.notification(n).into_iter().collect();
                    while let Ok(m) = conn.receiver.try_recv() {
                        match m {
                            Message::Notification(n) => changed.extend(self.notification(n)),
                            other => {
                                next = Some(other);
                                break;
                            }
                        }
                    }
                    if !changed.is_empty() {
                        let result = self.build(&changed);
                        for out in self.publish(&result, &changed) {
                            conn.sender.send(Message::Notification(out))?;
                        }
                    }
                }
                Message::Response(_) => {}
            }
        }
    }

    fn request(&mut self, req: Request) -> Response {
        fn take<P: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<P, String> {
            serde_json::from_value(v).map_err(|e| e.to_string())
        }
        fn give<T: serde::Serialize>(v: T) -> Result<serde_json::Value, String> {
            serde_json::to_value(v).map_err(|e| e.to_string())
        }
        let params = req.params;
        let result: Result<serde_json::Value, String> =
            match req.method.as_str() {
                Completion::METHOD => take::<lsp_types::CompletionParams>(params)
                    .and_then(|p| give(self.completion(&p.text_document_position))),
                GotoDefinition::METHOD => take::<lsp_types::GotoDefinitionParams>(params)
                    .and_then(|p| give(self.definition(&p.text_document_position_params))),
                DocumentSymbolRequest::METHOD => take::<lsp_types::DocumentSymbolParams>(params)
                    .and_then(|p| give(self.symbols(&p.text_document.uri))),
                HoverRequest::METHOD => take::<lsp_types::HoverParams>(params)
                    .and_then(|p| give(self.hover(&p.text_document_position_params))),
                References::METHOD => take::<lsp_types::ReferenceParams>(params)
                    .and_then(|p| give(self.references(&p.text_document_position))),
                PrepareRenameRequest::METHOD => take::<lsp_types::TextDocumentPositionParams>(params)
                    .and_then(|p| self.prepare_rename(&p).and_then(give)),
                Rename::METHOD => take::<lsp_types::RenameParams>(params)
                    .and_then(|p| self.rename(&p.text_document_position, &p.new_name).and_then(give)),
                CodeActionRequest::METHOD => take::<lsp_types::CodeActionParams>(params).and_then(|p| {
                    let text = self
                        .site_file(&p.text_document.uri)
                        .and_then(|path| self.text_of(&path));
                    give(text.map_or_else(Vec::new, |t| fix::actions(&t, &p)))
                }),
                _ => {
                    return Response::new_err(
                        req.id,
                        lsp_server::ErrorCode::MethodNotFound as i32,
                        format!("salesbook lsp does not handle {}", req.method),
                    );
                }
            };
        match result {
            Ok(v) => Response::new_ok(req.id, v),
            Err(e) => Response::new_err(req.id, lsp_server::ErrorCode::RequestFailed as i32, e),
        }
    }

    /// Takes in a document's opening, change or closing; returns the site file it changed.
    fn notification(&mut self, n: Notification) -> Option<PathBuf> {
        let (uri, text) = match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params) else {
                    return None;
                };
                (p.text_document.uri, Some(p.text_document.text))
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params) else {
                    return None;
                };
                // Full sync: the last change holds the whole text.
                let change = p.content_changes.into_iter().last()?;
                (p.text_document.uri, Some(change.text))
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params) else {
                    return None;
                };
                (p.text_document.uri, None)
            }
            DidSaveTextDocument::METHOD => return None,
            _ => return None,
        };
        let path = self.site_file(&uri)?;
        match text {
            Some(text) => self.builder.overlay.set(path.clone(), text),
            None => self.builder.overlay.remove(&path),
        }
        Some(path)
    }

    /// The file a URI names, if the build reads it: a `.md` under `content/`, or the config.
    fn site_file(&self, uri: &Uri) -> Option<PathBuf> {
        let path = path_of(uri.as_str())?;
        let path = match (path.parent().and_then(|d| d.canonicalize().ok()), path.file_name()) {
            (Some(dir), Some(name)) => dir.join(name),
            _ => path,
        };
        let inner = path.strip_prefix(&self.root).ok()?;
        // `content/../../etc/x.md` in a folder that does not exist is not the site's.
        if !inner.components().all(|c| matches!(c, std::path::Component::Normal(_))) {
            return None;
        }
        let ours = inner == Path::new(CONFIG_FILE)
            || (inner.starts_with("content") && path.extension().is_some_and(|x| x == "md"));
        ours.then_some(path)
    }

    /// The diagnostics after the files `changed`, without a render: every file the first time
    /// and for the config, else those files only.
    fn build(&mut self, changed: &HashSet<PathBuf>) -> BuildResult {
        let all = !self.built || changed.contains(&self.root.join(CONFIG_FILE));
        self.built = true;
        self.unrendered = true;
        self.rendering = false;
        let result = self.builder.diagnose((!all).then_some(changed));
        self.timings(&result);
        result
    }

    /// Renders a slice of the pages the edits since the last render touched (the output
    /// dropped), and publishes the diagnostics if what the render found changed them.
    fn render(&mut self) -> Vec<Notification> {
        let result = self.builder.render_problems(RENDER_SLICE);
        self.unrendered = self.builder.render_owed();
        self.rendering = self.unrendered;
        self.timings(&result);
        if result.diagnostics == self.last {
            return Vec::new();
        }
        self.publish(&result, &HashSet::new())
    }

    fn timings(&self, result: &BuildResult) {
        // `SALESBOOK_TIMINGS=1`: each build's stages on stderr, which the editor logs.
        if crate::telemetry::enabled() {
            eprintln!(
                "salesbook lsp: built in {:.1} ms ({} pages rendered)",
                result.elapsed.as_secs_f64() * 1000.0,
                result.render.rendered
            );
            crate::telemetry::print_stages(&result.timings);
        }
    }

    /// Every file's diagnostics, and an empty list for the changed files and each file that
    /// had some before.
    fn publish(&mut self, result: &BuildResult, changed: &HashSet<PathBuf>) -> Vec<Notification> {
        let mut by_file: BTreeMap<PathBuf, Vec<&Diagnostic>> = BTreeMap::new();
        for d in &result.diagnostics {
            by_file.entry(self.root.join(&d.file)).or_default().push(d);
        }
        let mut gone: Vec<PathBuf> = self
            .published
            .iter()
            .filter(|p| !by_file.contains_key(*p))
            .cloned()
            .collect();
        gone.extend(
            changed
                .iter()
                .filter(|p| !by_file.contains_key(*p) && !self.published.contains(*p))
                .cloned(),
        );
        let mut out = Vec::new();
        for path in gone {
            out.extend(self.notify(&path, &[]));
        }
        self.published = by_file.keys().cloned().collect();
        for (path, diags) in &by_file {
            out.extend(self.notify(path, diags));
        }
        self.last.clone_from(&result.diagnostics);
        out
    }

    fn notify(&self, path: &Path, diags: &[&Diagnostic]) -> Option<Notification> {
        let uri = uri_of(path)?;
        let disk;
        let text = match self.builder.overlay.get(path) {
            Some(t) => Some(t),
            None if !diags.is_empty() => {
                disk = std::fs::read_to_string(path).ok();
                disk.as_deref()
            }
            None => None,
        };
        let diagnostics = diags.iter().map(|d| to_lsp(text, d)).collect();
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        };
        Some(Notification::new(PublishDiagnostics::METHOD.to_owned(), params))
    }

    fn text_of(&self, path: &Path) -> Option<String> {
        match self.builder.overlay.get(path) {
            Some(t) => Some(t.to_owned()),
            None => std::fs::read_to_string(path).ok(),
        }
    }

    /// The last build's site and its pages: the build made now if there was none yet (a
    /// request before any document was opened).
    fn site(&mut self) -> Option<(Arc<SiteFacts>, Arc<Vec<pages::Page>>)> {
        if !self.built {
            self.build(&HashSet::new());
        }
        let site = Arc::clone(self.builder.last_site()?);
        match &self.pages {
            Some((s, p)) if Arc::ptr_eq(s, &site) => Some((site, Arc::clone(p))),
            _ => {
                let p = Arc::new(pages::pages(&site));
                self.pages = Some((Arc::clone(&site), Arc::clone(&p)));
                Some((site, p))
            }
        }
    }

    fn completion(&mut self, at: &lsp_types::TextDocumentPositionParams) -> Vec<lsp_types::CompletionItem> {
        let Some(path) = self.site_file(&at.text_document.uri) else {
            return Vec::new();
        };
        let Some(text) = self.text_of(&path) else {
            return Vec::new();
        };
        let Some((site, all)) = self.site() else {
            return Vec::new();
        };
        let config = crate::build::load_config_with(&self.root, &self.builder.overlay).unwrap_or_default();
        let offset = pos::offset_of(&text, at.position);
        let content_dir = path
            .parent()
            .and_then(|d| d.strip_prefix(self.root.join("content")).ok())
            .map(|d| d.to_string_lossy().replace('\\', "/"));
        let doc = match &content_dir {
            _ if path == self.root.join(CONFIG_FILE) => complete::Doc::Config,
            Some(dir) => complete::Doc::Page { dir },
            None => return Vec::new(),
        };
        let headings = |p: &pages::Page| {
            site.docs[p.id]
                .body
                .headings
                .iter()
                .map(|h| (h.id.clone(), h.text.clone()))
                .collect()
        };
        complete::complete(&config, &all, &headings, &doc, &text, offset)
            .into_iter()
            .map(|(mut item, replaces)| {
                if let Some(r) = replaces {
                    let range = Range::new(pos::position_of(&text, r.start), pos::position_of(&text, r.end));
                    let new_text = item.label.clone();
                    item.text_edit = Some(lsp_types::CompletionTextEdit::Edit(lsp_types::TextEdit {
                        range,
                        new_text,
                    }));
                }
                item
            })
            .collect()
    }

    fn definition(&mut self, at: &lsp_types::TextDocumentPositionParams) -> Option<GotoDefinitionResponse> {
        let path = self.site_file(&at.text_document.uri)?;
        let text = self.text_of(&path)?;
        let offset = pos::offset_of(&text, at.position);
        let (_, all) = self.site()?;
        let (target, line) = match goto::definition(&path, &text, offset, &all)? {
            goto::Target::File(target) => (target, 0),
            goto::Target::Stage(name) => {
                let config = crate::build::load_config_with(&self.root, &self.builder.overlay).ok()?;
                let config_path = self.root.join(CONFIG_FILE);
                let line = goto::stage_line(&config, &self.text_of(&config_path)?, name)?;
                (config_path, line)
            }
        };
        // A markdown link may point anywhere (`/etc/x.md`, `../../x.md`): only the site's files.
        let target = self.inside(&target)?;
        Some(GotoDefinitionResponse::Scalar(Location::new(
            uri_of(&target)?,
            Range::new(Position::new(line, 0), Position::new(line, 0)),
        )))
    }

    /// `path` if it is in the site (an unsaved page, not on the disk, is).
    fn inside(&self, path: &Path) -> Option<PathBuf> {
        if self.builder.overlay.get(path).is_some() {
            return Some(path.to_owned());
        }
        path.canonicalize().ok().filter(|t| t.starts_with(&self.root))
    }

    /// The page at the cursor: the one a link or reference there names, else the document's.
    fn page_at(
        &mut self,
        at: &lsp_types::TextDocumentPositionParams,
    ) -> Option<(Arc<SiteFacts>, Arc<Vec<pages::Page>>, usize)> {
        let path = self.site_file(&at.text_document.uri)?;
        let text = self.text_of(&path)?;
        let offset = pos::offset_of(&text, at.position);
        let (site, all) = self.site()?;
        let named = match goto::definition(&path, &text, offset, &all) {
            Some(goto::Target::File(t)) => Some(t),
            // A link to no page of the site, or a stage: not the document's page either.
            _ if goto::on_reference(&text, offset) => return None,
            _ => None,
        };
        let id = refs::page_at(&all, &path, named.as_deref())?.id;
        Some((site, all, id))
    }

    /// Every link and `competitors:` entry that names the page at the cursor.
    fn references(&mut self, at: &lsp_types::TextDocumentPositionParams) -> Option<Vec<Location>> {
        let (site, all, id) = self.page_at(at)?;
        let places = refs::references(&site, &all, id);
        Some(
            places
                .iter()
                .filter_map(|p| {
                    let range = Range::new(
                        pos::position_of(&p.text, p.range.start),
                        pos::position_of(&p.text, p.range.end),
                    );
                    Some(Location::new(uri_of(&p.file)?, range))
                })
                .collect(),
        )
    }

    fn prepare_rename(
        &mut self,
        at: &lsp_types::TextDocumentPositionParams,
    ) -> Result<Option<lsp_types::PrepareRenameResponse>, String> {
        let Some((_, all, id)) = self.page_at(at) else {
            return Ok(None);
        };
        Ok(Some(lsp_types::PrepareRenameResponse::RangeWithPlaceholder {
            range: Range::new(at.position, at.position),
            placeholder: all[id].slug.clone(),
        }))
    }

    /// Renames the slug of the page at the cursor: its file (or its `slug:` line) and every
    /// link to it by path or slug, in one workspace edit.
    fn rename(
        &mut self,
        at: &lsp_types::TextDocumentPositionParams,
        new: &str,
    ) -> Result<Option<lsp_types::WorkspaceEdit>, String> {
        use lsp_types::{
            DocumentChangeOperation, DocumentChanges, OptionalVersionedTextDocumentIdentifier, RenameFile, ResourceOp,
            TextDocumentEdit, TextEdit,
        };
        let Some((site, all, id)) = self.page_at(at) else {
            return Err("no page here to rename: put the cursor in a page or on a link to one".to_owned());
        };
        let new = new.trim();
        let page = &all[id];
        if let Some(why) = refs::refuse(&all, page, &site.docs[id], new) {
            return Err(why);
        }
        let (edits, moved) = refs::rename(&site, &all, page, new);
        let mut by_file: BTreeMap<PathBuf, Vec<TextEdit>> = BTreeMap::new();
        for e in edits {
            let range = Range::new(
                pos::position_of(&e.text, e.range.start),
                pos::position_of(&e.text, e.range.end),
            );
            by_file
                .entry(e.file)
                .or_default()
                .push(TextEdit { range, new_text: e.new });
        }
        let mut ops = Vec::new();
        for (file, edits) in by_file {
            let uri = uri_of(&file).ok_or("a file name that is no URI")?;
            ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }));
        }
        if let Some((from, to)) = moved {
            ops.push(DocumentChangeOperation::Op(ResourceOp::Rename(RenameFile {
                old_uri: uri_of(&from).ok_or("a file name that is no URI")?,
                new_uri: uri_of(&to).ok_or("a file name that is no URI")?,
                options: None,
                annotation_id: None,
            })));
        }
        Ok(Some(lsp_types::WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(ops)),
            ..Default::default()
        }))
    }
}

impl Server {
    fn symbols(&self, uri: &Uri) -> Option<lsp_types::DocumentSymbolResponse> {
        let text = self.text_of(&self.site_file(uri)?)?;
        Some(lsp_types::DocumentSymbolResponse::Nested(outline::headings(&text)))
    }

    /// On a link to a customer, its fact line; on a link or reference to a competitor, its
    /// price level, strengths and weaknesses; on a fixed value, its names and meaning.
    fn hover(&mut self, at: &lsp_types::TextDocumentPositionParams) -> Option<lsp_types::Hover> {
        let path = self.site_file(&at.text_document.uri)?;
        let text = self.text_of(&path)?;
        let offset = pos::offset_of(&text, at.position);
        let (_, all) = self.site()?;
        let value = match goto::definition(&path, &text, offset, &all) {
            Some(goto::Target::File(target)) => {
                let target = self.inside(&target)?;
                let page = refs::page_at(&all, &path, Some(&target))?;
                outline::fact_line(page, &self.text_of(&page.path)?)?
            }
            _ => {
                let config = crate::build::load_config_with(&self.root, &self.builder.overlay).unwrap_or_default();
                values::hover(&config, &text, offset)?
            }
        };
        Some(lsp_types::Hover {
            contents: lsp_types::HoverContents::Markup(lsp_types::MarkupContent {
                kind: lsp_types::MarkupKind::Markdown,
                value,
            }),
            range: None,
        })
    }
}

/// The protocol's form of a diagnostic: its place in UTF-16 columns, its help after the
/// message (editors show one text).
fn to_lsp(text: Option<&str>, d: &Diagnostic) -> lsp_types::Diagnostic {
    let message = match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    };
    lsp_types::Diagnostic {
        range: pos::range_of(text, d),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        source: Some("salesbook".into()),
        message,
        // What the "did you mean" would write, for the quick fix (see `code_actions`).
        data: d.fix.as_ref().map(|f| serde_json::json!({ "fix": f })),
        ..lsp_types::Diagnostic::default()
    }
}

/// The path of a `file:` URI, percent-decoded (`file:///C:/x` is `C:/x` on Windows).
fn path_of(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    let s = String::from_utf8(out).ok()?;
    if cfg!(windows) && s.as_bytes().get(2) == Some(&b':') {
        return Some(PathBuf::from(&s[1..]));
    }
    Some(PathBuf::from(s))
}

/// The `file:` URI of a path, every byte but the unreserved ones and `/` percent-encoded.
fn uri_of(path: &Path) -> Option<Uri> {
    let s = path.to_str()?.replace('\\', "/");
    let mut uri = String::from(if s.starts_with('/') { "file://" } else { "file:///" });
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~' | b':') {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_goes_to_a_uri_and_back() {
        let p = Path::new("/tmp/站点 a/content/customers/甲方#1.md");
        let uri = uri_of(p).unwrap();
        assert!(uri.as_str().starts_with("file:///tmp/%E7%AB%99"), "{}", uri.as_str());
        assert_eq!(path_of(uri.as_str()).unwrap(), p);
    }
}
