//! `salesbook lsp`: the real binary driven over stdio with JSON-RPC in Content-Length frames,
//! as an editor drives it.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

use salesbook::build::{BuildMode, Builder};

use crate::helper::SiteTest;

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
}

fn uri(path: &Path) -> String {
    let path = path.canonicalize().unwrap();
    let mut s = String::from("file://");
    for b in path.to_str().unwrap().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

impl Client {
    /// Starts the server and completes the initialize handshake on `root`.
    fn start(root: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_salesbook"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if out.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        len = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("a Content-Length header")];
                out.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            incoming,
            next_id: 0,
        };
        let init = c.request(
            "initialize",
            json!({"processId": null, "capabilities": {}, "rootUri": uri(root),
                   "workspaceFolders": [{"uri": uri(root), "name": "site"}]}),
        );
        assert!(init["capabilities"]["completionProvider"].is_object(), "{init}");
        assert_eq!(init["capabilities"]["definitionProvider"], json!(true));
        assert_eq!(init["capabilities"]["referencesProvider"], json!(true));
        assert_eq!(init["capabilities"]["renameProvider"]["prepareProvider"], json!(true));
        assert_eq!(init["capabilities"]["codeActionProvider"], json!(true));
        assert_eq!(init["capabilities"]["hoverProvider"], json!(true));
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Opens a markdown document in the editor with `text` (saved or not).
    fn did_open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
        );
    }

    /// Sends a request and waits for its response's result (notifications meanwhile are dropped).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let msg = self.wait(|m| m["id"] == json!(id));
        assert!(msg.get("error").is_none(), "{msg}");
        msg["result"].clone()
    }

    fn wait(&mut self, what: impl Fn(&Value) -> bool) -> Value {
        loop {
            let msg = self
                .incoming
                .recv_timeout(Duration::from_secs(60))
                .expect("the server answers within a minute");
            if what(&msg) {
                return msg;
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let msg = self.wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri);
        msg["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn shutdown(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}");
    }
}

const CUSTOMER: &str =
    "---\ntitle: 华东精密\nstage: opportunity\ntier: partner\ncompetitors: [rival]\n---\n\n见 😀 [[对手乙]]。\n";

fn site() -> SiteTest {
    SiteTest::with_files(&[
        ("salesbook.yaml", "title: 测试\ntoday: 2026-11-23\n"),
        ("content/customers/huadong.md", CUSTOMER),
        (
            "content/competitors/rival.md",
            "---\ntitle: Rival Automation\nprice_level: high\n---\n",
        ),
        (
            "content/competitors/other.md",
            "---\ntitle: 对手乙\nprice_level: low\n---\n",
        ),
    ])
}

#[test]
fn lsp_initialize_and_shutdown_exit_cleanly() {
    let t = site();
    Client::start(t.root()).shutdown();
}

/// A wrong stage, unsaved, is reported at its place with the suggestion; fixing it clears it.
#[test]
fn lsp_diagnostics_follow_the_unsaved_text() {
    let t = site();
    let page = t.root().join("content/customers/huadong.md");
    let u = uri(&page);
    let mut c = Client::start(t.root());
    c.did_open(&u, CUSTOMER);
    assert_eq!(c.diagnostics(&u), Vec::<Value>::new());
    let wrong = CUSTOMER.replace("stage: opportunity", "stage: oportunity");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"text": wrong}]}),
    );
    let diags = c.diagnostics(&u);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["range"]["start"], json!({"line": 2, "character": 7}), "{d}");
    assert_eq!(d["range"]["end"], json!({"line": 2, "character": 17}), "{d}");
    assert_eq!(d["severity"], json!(1));
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("did you mean \"opportunity\""), "{message}");
    // The disk still has the right stage: the server checked the editor's text.
    assert!(std::fs::read_to_string(&page).unwrap().contains("stage: opportunity"));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 3}, "contentChanges": [{"text": CUSTOMER}]}),
    );
    assert_eq!(c.diagnostics(&u), Vec::<Value>::new());
    c.shutdown();
}

/// A broken link after an emoji (two UTF-16 units, one character) is underlined where it is.
#[test]
fn lsp_diagnostic_columns_are_utf16_after_an_emoji() {
    let t = site();
    let page = t.root().join("content/customers/huadong.md");
    let u = uri(&page);
    let mut c = Client::start(t.root());
    let broken = CUSTOMER.replace("[[对手乙]]", "[[不存在]]");
    c.did_open(&u, &broken);
    let diags = c.diagnostics(&u);
    assert_eq!(diags.len(), 1, "{diags:?}");
    // `见 😀 [[不存在]]`: `[[` is the 5th character but UTF-16 unit 5 (0-based).
    assert_eq!(
        diags[0]["range"]["start"],
        json!({"line": 7, "character": 5}),
        "{diags:?}"
    );
    c.shutdown();
}

/// The render in slices (the language server answers between them) ends with `check`'s
/// diagnostics, the render's problems included, as one render does.
#[test]
fn lsp_a_render_in_slices_finds_what_check_finds() {
    let t = SiteTest::fixture("builder/basic");
    t.write(
        "templates/customer.html",
        "<p>{{ page.title }}</p>\n{% if page.title == \"坏\" %}{{ nothing * 2 }}{% endif %}\n",
    );
    let beta = t.root().join("content/customers/beta.md");
    let text = std::fs::read_to_string(&beta).unwrap();
    std::fs::write(&beta, text.replace("title: 乙方电子", "title: 坏")).unwrap();
    let expected = Builder::new(t.options()).check().diagnostics;
    assert!(
        expected.iter().any(|d| d.file == "templates/customer.html"),
        "{expected:?}"
    );
    let mut b = Builder::with_mode(t.options(), BuildMode::Serve);
    b.diagnose(None);
    let mut slices = 0;
    let last = loop {
        let r = b.render_problems(3);
        slices += 1;
        assert!(r.render.rendered <= 3, "{:?}", r.render);
        if !b.render_owed() {
            break r;
        }
    };
    assert!(slices > 5, "{slices} slices");
    assert_eq!(last.diagnostics, expected);
    assert_eq!(b.diagnose(Some(&HashSet::new())).diagnostics, expected);
    // Fixed: the next slices (a few files) take the problem away.
    std::fs::write(&beta, &text).unwrap();
    let changed = HashSet::from([beta.clone()]);
    assert_eq!(b.diagnose(Some(&changed)).diagnostics, expected, "until rendered");
    while {
        b.render_problems(3);
        b.render_owed()
    } {}
    assert_eq!(
        b.diagnose(Some(&changed)).diagnostics,
        Builder::new(t.options()).check().diagnostics
    );
}

/// A problem only the render finds (the site's template failing on one page's data) is
/// published after the keystroke that causes it, kept while other keystrokes do not render,
/// and cleared after the one that fixes it (keystrokes do not render: `Builder::diagnose`).
#[test]
fn lsp_publishes_a_template_error_that_only_the_render_finds() {
    let page = "---\ntitle: A\nstage: lead\nbudget: 5\n---\n\n正文。\n";
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "title: 测试\ntoday: 2026-11-23\n"),
        (
            "templates/customer.html",
            "<p>{{ page.title }}</p>\n<p>{{ page.extra.budget * 2 }}</p>\n",
        ),
        ("content/customers/a.md", page),
        ("content/customers/b.md", &page.replace("title: A", "title: B")),
    ]);
    let u = uri(&t.root().join("content/customers/a.md"));
    let template = uri(&t.root().join("templates/customer.html"));
    let mut c = Client::start(t.root());
    c.did_open(&u, page);
    // `budget` is no field of salesbook's: a warning, and nothing else.
    let diags = c.diagnostics(&u);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let change = |c: &mut Client, version: i64, text: &str| {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": version}, "contentChanges": [{"text": text}]}),
        );
    };
    let without = page.replace("budget: 5\n", "");
    change(&mut c, 2, &without);
    let diags = c.diagnostics(&template);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let message = diags[0]["message"].as_str().unwrap();
    assert!(message.contains("template error"), "{message}");
    assert_eq!(
        diags[0]["range"]["start"],
        json!({"line": 1, "character": 6}),
        "{diags:?}"
    );
    // A keystroke that leaves the problem as it is: still shown.
    change(&mut c, 3, &without.replace("正文。", "正文。再"));
    assert_eq!(c.diagnostics(&template).len(), 1);
    // Fixed: cleared once the page renders (until then the last render's problem stays).
    change(&mut c, 4, page);
    c.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == template
            && m["params"]["diagnostics"] == json!([])
    });
    c.shutdown();
}

/// `Builder::diagnose` (a keystroke in the language server) renders nothing, and its
/// diagnostics are `check`'s: the problems found before the render at once, those of the
/// render (a template failing on one page's data) as the last render found them, until the
/// pages the edits touched render again (`Builder::render_problems`).
#[test]
fn lsp_diagnose_gives_checks_diagnostics_without_rendering() {
    let t = SiteTest::fixture("builder/basic");
    t.write(
        "templates/customer.html",
        "<p>{{ page.title }}</p>\n{% if page.title == \"坏\" %}{{ nothing * 2 }}{% endif %}\n",
    );
    let check = || Builder::new(t.options()).check().diagnostics;
    let mut b = Builder::with_mode(t.options(), BuildMode::Serve);
    let first = b.diagnose(None);
    assert_eq!(first.render.rendered, 0);
    assert_eq!(first.diagnostics, check());
    assert!(b.render_problems(usize::MAX).render.rendered > 0);
    let beta = t.root().join("content/customers/beta.md");
    let text = std::fs::read_to_string(&beta).unwrap();
    let taken = t.root().join("content/funnel.md");
    let edits = [
        (
            "a wrong stage",
            &beta,
            text.replace("stage: opportunity", "stage: oportunity"),
        ),
        ("a broken link", &beta, text.replace("[[alpha#拜访记录]]", "[[nobody]]")),
        (
            "a page where a generated one is",
            &taken,
            "---\ntitle: mine\n---\n".to_owned(),
        ),
    ];
    for (what, path, edit) in edits {
        std::fs::write(path, edit).unwrap();
        let r = b.diagnose(Some(&HashSet::from([path.clone()])));
        assert_eq!(r.render.rendered, 0, "{what}");
        let expected = check();
        assert_ne!(expected, first.diagnostics, "{what} is a problem");
        assert_eq!(r.diagnostics, expected, "{what}");
    }
    std::fs::remove_file(&taken).unwrap();
    let changed = HashSet::from([beta.clone()]);
    let bad = text.replace("title: 乙方电子", "title: 坏");
    std::fs::write(&beta, &bad).unwrap();
    let r = b.diagnose(Some(&HashSet::from([beta.clone(), taken])));
    assert!(
        !r.diagnostics.iter().any(|d| d.file == "templates/customer.html"),
        "not rendered yet"
    );
    let r = b.render_problems(usize::MAX);
    assert!(
        r.diagnostics.iter().any(|d| d.file == "templates/customer.html"),
        "{:?}",
        r.diagnostics
    );
    assert_eq!(r.diagnostics, check());
    std::fs::write(&beta, format!("{bad}\n再一行。\n")).unwrap();
    assert_eq!(
        b.diagnose(Some(&changed)).diagnostics,
        check(),
        "kept until the next render"
    );
    std::fs::write(&beta, &text).unwrap();
    b.diagnose(Some(&changed));
    assert_eq!(b.render_problems(usize::MAX).diagnostics, check());
    assert_eq!(check(), first.diagnostics);
    // Its memo kept no bytes: a build on the same builder makes every file again.
    let files = |r: salesbook::build::BuildResult| {
        let mut f: Vec<(String, Vec<u8>)> = r.files.iter().map(|f| (f.path.to_string(), f.bytes.to_vec())).collect();
        f.sort();
        f
    };
    let fresh = Builder::with_mode(t.options(), BuildMode::Serve).build();
    let again = b.build();
    assert!(again.files.iter().any(|f| f.path.ends_with("beta/index.html")));
    assert_eq!(files(again), files(fresh));
}

#[test]
fn lsp_completes_competitors_and_stages() {
    let t = site();
    let u = uri(&t.root().join("content/customers/huadong.md"));
    let mut c = Client::start(t.root());
    let text = CUSTOMER.replace("competitors: [rival]", "competitors: [");
    c.did_open(&u, &text);
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": u}, "position": {"line": 4, "character": 14}}),
    );
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"rival — Rival Automation"), "{labels:?}");
    assert!(labels.contains(&"other — 对手乙"), "{labels:?}");
    assert_eq!(labels.len(), 2, "{labels:?}");
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": u}, "position": {"line": 2, "character": 7}}),
    );
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"opportunity — 商机"), "{labels:?}");
    c.shutdown();
}

#[test]
fn lsp_goes_to_the_definition_of_a_wiki_link_and_a_competitor() {
    let t = site();
    let u = uri(&t.root().join("content/customers/huadong.md"));
    let mut c = Client::start(t.root());
    c.did_open(&u, CUSTOMER);
    // Inside `[[对手乙]]` on line 7 (UTF-16 unit 8 is `手`).
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": u}, "position": {"line": 7, "character": 8}}),
    );
    assert_eq!(
        def["uri"],
        json!(uri(&t.root().join("content/competitors/other.md"))),
        "{def}"
    );
    // `rival` in `competitors: [rival]`.
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": u}, "position": {"line": 4, "character": 16}}),
    );
    assert_eq!(
        def["uri"],
        json!(uri(&t.root().join("content/competitors/rival.md"))),
        "{def}"
    );
    c.shutdown();
}

/// salesbook.yaml is checked as it is typed too; closing it unsaved goes back to the disk's.
#[test]
fn lsp_checks_the_unsaved_config_and_forgets_it_on_close() {
    let t = site();
    let u = uri(&t.root().join("salesbook.yaml"));
    let mut c = Client::start(t.root());
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": u, "languageId": "yaml", "version": 1,
               "text": "title: 测试\nlanguag: en\n"}}),
    );
    let diags = c.diagnostics(&u);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["range"]["start"]["line"], json!(1), "{diags:?}");
    assert!(diags[0]["message"].as_str().unwrap().contains("languag"), "{diags:?}");
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    assert_eq!(c.diagnostics(&u), Vec::<Value>::new());
    c.shutdown();
}

/// A markdown link out of the site (an absolute path) leads nowhere.
#[test]
fn lsp_definition_stays_inside_the_site() {
    let t = site();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("x.md"), "secret").unwrap();
    let u = uri(&t.root().join("content/customers/huadong.md"));
    let mut c = Client::start(t.root());
    let text = format!("{CUSTOMER}[x]({}/x.md)\n", outside.path().display());
    c.did_open(&u, &text);
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": u}, "position": {"line": 8, "character": 5}}),
    );
    assert_eq!(def, Value::Null);
    c.shutdown();
}

#[test]
fn lsp_outlines_headings_and_hovers_a_customer_link() {
    let t = site();
    t.write(
        "content/customers/beta.md",
        "---\ntitle: 乙方\nstage: quote\nowner: 张伟\nnext_visit: 2026-11-28\n---\n",
    );
    let u = uri(&t.root().join("content/customers/huadong.md"));
    let mut c = Client::start(t.root());
    let text = format!("{CUSTOMER}\n## 拜访记录\n\n见 [[乙方]]\n");
    c.did_open(&u, &text);
    let symbols = c.request("textDocument/documentSymbol", json!({"textDocument": {"uri": u}}));
    assert_eq!(symbols[0]["name"], "拜访记录", "{symbols}");
    assert_eq!(symbols[0]["range"]["start"]["line"], json!(9), "{symbols}");
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 11, "character": 5}}),
    );
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        value.contains("stage: quote") && value.contains("owner: 张伟"),
        "{hover}"
    );
    assert!(value.contains("next visit: 2026-11-28"), "{hover}");
    c.shutdown();
}

/// An editor opened on a folder inside the site (content/customers) still checks the site.
#[test]
fn lsp_finds_the_site_above_the_workspace_folder() {
    let t = site();
    let u = uri(&t.root().join("content/customers/huadong.md"));
    let mut c = Client::start(&t.root().join("content/customers"));
    let wrong = CUSTOMER.replace("tier: partner", "tier: partnr");
    c.did_open(&u, &wrong);
    let diags = c.diagnostics(&u);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(
        diags[0]["range"]["start"],
        json!({"line": 3, "character": 6}),
        "{diags:?}"
    );
    c.shutdown();
}

/// A URI that climbs out of `content/` through a folder that does not exist is no page of
/// the site: nothing is built or published for it.
#[test]
fn lsp_ignores_a_uri_that_climbs_out_of_the_site() {
    let t = site();
    let u = uri(&t.root().join("content/customers/huadong.md"));
    let mut c = Client::start(t.root());
    let climbing = format!("{}/content/nowhere/../../../x.md", uri(t.root()));
    c.did_open(&climbing, "x");
    c.did_open(&u, CUSTOMER);
    let first = c.wait(|m| m["method"] == "textDocument/publishDiagnostics");
    assert_eq!(first["params"]["uri"], json!(u), "{first}");
    c.shutdown();
}

/// Renaming a page's title in the editor breaks the link to it on another page: that page
/// gets the diagnostic; renaming it back clears it.
#[test]
fn lsp_publishes_what_a_change_breaks_on_other_pages() {
    let t = site();
    let competitor = t.root().join("content/competitors/other.md");
    let (u, linking) = (uri(&competitor), uri(&t.root().join("content/customers/huadong.md")));
    let mut c = Client::start(t.root());
    let text = std::fs::read_to_string(&competitor).unwrap();
    c.did_open(&u, &text);
    assert_eq!(c.diagnostics(&u), Vec::<Value>::new());
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2},
               "contentChanges": [{"text": text.replace("对手乙", "对手丙")}]}),
    );
    let diags = c.diagnostics(&linking);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0]["message"].as_str().unwrap().contains("对手乙"), "{diags:?}");
    assert_eq!(
        diags[0]["range"]["start"],
        json!({"line": 7, "character": 5}),
        "{diags:?}"
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 3}, "contentChanges": [{"text": text}]}),
    );
    assert_eq!(c.diagnostics(&linking), Vec::<Value>::new());
    c.shutdown();
}

/// A burst of changes (fast typing) ends with the diagnostics of the last text, published
/// before the server answers the request sent after the burst.
#[test]
fn lsp_a_burst_of_changes_ends_on_the_last_text() {
    let t = site();
    let u = uri(&t.root().join("content/customers/huadong.md"));
    let mut c = Client::start(t.root());
    c.did_open(&u, CUSTOMER);
    let typed = "oportunity";
    for n in 1..=typed.len() {
        let text = CUSTOMER.replace("stage: opportunity", &format!("stage: {}", &typed[..n]));
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": n + 1}, "contentChanges": [{"text": text}]}),
        );
    }
    c.next_id += 1;
    let id = c.next_id;
    c.send(
        json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/documentSymbol",
                  "params": {"textDocument": {"uri": u}}}),
    );
    let mut last = None;
    loop {
        let m = c.wait(|_| true);
        if m["id"] == json!(id) {
            break;
        }
        if m["params"]["uri"] == json!(u) {
            last = Some(m["params"]["diagnostics"].clone());
        }
    }
    let last = last.expect("diagnostics were published");
    assert_eq!(last.as_array().unwrap().len(), 1, "{last}");
    assert!(last[0]["message"].as_str().unwrap().contains("oportunity"), "{last}");
    c.shutdown();
}

/// After `[[page#` the target page's heading ids complete, read from its file on disk.
#[test]
fn lsp_completes_the_headings_of_a_linked_page() {
    let t = site();
    t.write(
        "content/competitors/rival.md",
        "---\ntitle: Rival Automation\nprice_level: high\n---\n\n## 价格\n\n## Weak Spots\n",
    );
    let u = uri(&t.root().join("content/customers/huadong.md"));
    let mut c = Client::start(t.root());
    let text = CUSTOMER.replace("[[对手乙]]", "[[rival#");
    c.did_open(&u, &text);
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": u}, "position": {"line": 7, "character": 13}}),
    );
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["价格", "weak-spots — Weak Spots"]);
    c.shutdown();
}

/// Hover on a name in `competitors:` shows the competitor's price level and strengths.
#[test]
fn lsp_hovers_a_competitor_reference() {
    let t = site();
    t.write(
        "content/competitors/rival.md",
        "---\ntitle: Rival Automation\nprice_level: high\nstrengths: [品牌, 渠道]\n---\n",
    );
    let u = uri(&t.root().join("content/customers/huadong.md"));
    let mut c = Client::start(t.root());
    c.did_open(&u, CUSTOMER);
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 4, "character": 16}}),
    );
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.contains("Rival Automation"), "{hover}");
    assert!(
        value.contains("price level: high") && value.contains("strengths: 品牌, 渠道"),
        "{hover}"
    );
    c.shutdown();
}

fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_owned())
        .collect()
}

/// The path of a `file:` URI (percent-decoded).
fn path_of(uri: &str) -> std::path::PathBuf {
    let rest = uri.strip_prefix("file://").unwrap().as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < rest.len() {
        if rest[i] == b'%' {
            out.push(u8::from_str_radix(std::str::from_utf8(&rest[i + 1..i + 3]).unwrap(), 16).unwrap());
            i += 3;
        } else {
            out.push(rest[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap().into()
}

/// The byte offset of a protocol position (UTF-16 columns) in `text`.
fn offset(text: &str, pos: &Value) -> usize {
    let (line, col) = (
        pos["line"].as_u64().unwrap() as usize,
        pos["character"].as_u64().unwrap() as usize,
    );
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units == col {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// Applies text edits to `text`, the last first.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            let r = &e["range"];
            (
                offset(text, &r["start"]),
                offset(text, &r["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_owned();
    for (a, b, new) in spans {
        out.replace_range(a..b, new);
    }
    out
}

/// Applies a workspace edit of `documentChanges` to the files, as an editor would.
fn apply_workspace_edit(edit: &Value) {
    for change in edit["documentChanges"].as_array().expect("documentChanges") {
        if change["kind"] == "rename" {
            let (from, to) = (
                path_of(change["oldUri"].as_str().unwrap()),
                path_of(change["newUri"].as_str().unwrap()),
            );
            assert!(!to.exists(), "{}", to.display());
            std::fs::rename(from, to).unwrap();
        } else {
            let path = path_of(change["textDocument"]["uri"].as_str().unwrap());
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, apply_edits(&text, change["edits"].as_array().unwrap())).unwrap();
        }
    }
}

fn open(c: &mut Client, path: &Path) -> String {
    let u = uri(path);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    c.did_open(&u, &text);
    u
}

/// A page typed in the editor and not saved yet is found by completion and definition, and
/// its aliases complete after `[[`, inserting the path with the alias as the text.
#[test]
fn lsp_finds_an_unsaved_new_page_and_completes_aliases() {
    let t = site();
    let new = t.root().join("content/customers/xinke.md");
    let nu = format!("{}/content/customers/xinke.md", uri(t.root()));
    let mut c = Client::start(t.root());
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": nu, "languageId": "markdown", "version": 1,
               "text": "---\ntitle: 新科电子\naliases: [新科, Xinke]\nstage: lead\n---\n"}}),
    );
    assert_eq!(c.diagnostics(&nu), Vec::<Value>::new());
    // It is checked as it is typed, like a saved page.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": nu, "version": 2},
               "contentChanges": [{"text": "---\ntitle: 新科电子\naliases: [新科, Xinke]\nstage: laed\n---\n"}]}),
    );
    let diags = c.diagnostics(&nu);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(
        diags[0]["range"]["start"],
        json!({"line": 3, "character": 7}),
        "{diags:?}"
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": nu, "version": 3},
               "contentChanges": [{"text": "---\ntitle: 新科电子\naliases: [新科, Xinke]\nstage: lead\n---\n"}]}),
    );
    assert_eq!(c.diagnostics(&nu), Vec::<Value>::new());
    let u = uri(&t.root().join("content/customers/huadong.md"));
    let text = CUSTOMER.replace("[[对手乙]]", "[[新科电子]] [[");
    c.did_open(&u, &text);
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": u}, "position": {"line": 7, "character": 16}}),
    );
    let got = labels(&items);
    assert!(
        got.contains(&"新科电子".to_owned()) && got.contains(&"customers/xinke".to_owned()),
        "{got:?}"
    );
    let alias = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "Xinke")
        .expect("the alias");
    assert_eq!(alias["insertText"], "customers/xinke|Xinke", "{alias}");
    // `[[新科电子]]`: the unsaved page.
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": u}, "position": {"line": 7, "character": 8}}),
    );
    assert_eq!(def["uri"], json!(nu), "{def}");
    assert!(!new.exists());
    // Closed unsaved, it is gone: the link to it breaks.
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": nu}}));
    let diags = c.diagnostics(&u);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0]["message"].as_str().unwrap().contains("新科电子"), "{diags:?}");
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": u}, "position": {"line": 7, "character": 16}}),
    );
    assert!(!labels(&items).contains(&"新科电子".to_owned()));
    c.shutdown();
}

/// References of a competitor: each wiki link, markdown link and `competitors:` entry that
/// names it, at the link's own range; asked on the page itself or on a link to it.
#[test]
fn lsp_finds_every_reference_to_a_page() {
    let t = SiteTest::fixture("lsp/rename");
    let rival = t.root().join("content/competitors/rival.md");
    let mut c = Client::start(t.root());
    let ru = open(&mut c, &rival);
    let found = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": ru}, "position": {"line": 1, "character": 3},
               "context": {"includeDeclaration": false}}),
    );
    let mut got: Vec<String> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let file = path_of(l["uri"].as_str().unwrap());
            let name = file.file_name().unwrap().to_str().unwrap().to_owned();
            let (s, e) = (&l["range"]["start"], &l["range"]["end"]);
            format!("{name}:{}:{}-{}", s["line"], s["character"], e["character"])
        })
        .collect();
    got.sort();
    // huadong: `competitors: [rival, …]` (line 4), `[[rival#价格|看价格]]` and
    // `[[competitors/rival]]` (line 9); beta: `- rival` and `- "Rival Automation"`.
    assert_eq!(
        got,
        [
            "beta.md:4:4-9",
            "beta.md:5:4-22",
            "huadong.md:4:14-19",
            "huadong.md:9:22-43",
            "huadong.md:9:3-19",
        ],
        "{found}"
    );
    // On a link to the page: the same places.
    let hu = open(&mut c, &t.root().join("content/customers/huadong.md"));
    let again = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": hu}, "position": {"line": 9, "character": 6},
               "context": {"includeDeclaration": false}}),
    );
    assert_eq!(again.as_array().unwrap().len(), 5, "{again}");
    c.shutdown();
}

fn rename(c: &mut Client, u: &str, line: u32, character: u32, new: &str) -> Value {
    c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": {"line": line, "character": character}, "newName": new}),
    )
}

/// Renames a customer (from a link to it) and a competitor (on its page): one workspace
/// edit each, applied here as an editor would; the site then checks clean, the old slugs
/// are in no link, and links by title, `#anchor`s and `|text`s stay.
#[test]
fn lsp_renames_a_customer_and_a_competitor() {
    let t = SiteTest::fixture("lsp/rename");
    let content = t.root().join("content");
    let mut c = Client::start(t.root());
    let bu = open(&mut c, &content.join("customers/beta.md"));
    let prep = c.request(
        "textDocument/prepareRename",
        json!({"textDocument": {"uri": bu}, "position": {"line": 8, "character": 6}}),
    );
    assert_eq!(prep["placeholder"], "huadong", "{prep}");
    // On `[[huadong]]` in beta.
    let edit = rename(&mut c, &bu, 8, 6, "east-precision");
    let ops = edit["documentChanges"].as_array().unwrap();
    assert_eq!(ops.iter().filter(|o| o["kind"] == "rename").count(), 1, "{edit}");
    assert_eq!(
        ops.last().unwrap()["kind"],
        "rename",
        "the file is renamed after its edits: {edit}"
    );
    c.shutdown();
    apply_workspace_edit(&edit);
    assert!(content.join("customers/east-precision.md").is_file());
    assert!(!content.join("customers/huadong.md").exists());
    let beta = std::fs::read_to_string(content.join("customers/beta.md")).unwrap();
    assert!(
        beta.contains("见 [[east-precision]]、[[customers/east-precision#拜访记录]]、[华东](east-precision.md)、[[华东精密]] 和 [[/customers/east-precision.md|华东]]。"),
        "{beta}"
    );

    let mut c = Client::start(t.root());
    let ru = open(&mut c, &content.join("competitors/rival.md"));
    let edit = rename(&mut c, &ru, 0, 0, "rival-co");
    c.shutdown();
    apply_workspace_edit(&edit);
    let east = std::fs::read_to_string(content.join("customers/east-precision.md")).unwrap();
    assert!(east.contains("competitors: [rival-co, 对手乙]"), "{east}");
    assert!(
        east.contains("[[rival-co#价格|看价格]] 和 [[competitors/rival-co]]"),
        "{east}"
    );
    let beta = std::fs::read_to_string(content.join("customers/beta.md")).unwrap();
    assert!(beta.contains("  - rival-co\n  - \"Rival Automation\"\n"), "{beta}");

    let out = t.run(&["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}{}", String::from_utf8_lossy(&out.stdout));
    assert!(!stderr.contains("error"), "{stderr}");
    for entry in walk(&content) {
        let text = std::fs::read_to_string(&entry).unwrap();
        for old in [
            "[[huadong",
            "/huadong",
            "huadong.md",
            "[[rival#",
            "[[rival|",
            "/rival#",
            "[[rival]",
            "/rival]",
            "rival.md",
            "[rival,",
            "- rival\n",
        ] {
            assert!(!text.contains(old), "{old} in {}: {text}", entry.display());
        }
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A page whose front matter sets `slug:` keeps its file: the rename edits the `slug:` line
/// and the links by slug; links by the file's path still resolve and stay.
#[test]
fn lsp_renames_an_explicit_slug_in_the_front_matter() {
    let t = SiteTest::fixture("lsp/rename");
    let content = t.root().join("content");
    let mut c = Client::start(t.root());
    let gu = open(&mut c, &content.join("customers/gamma.md"));
    let edit = rename(&mut c, &gu, 6, 0, "bing");
    c.shutdown();
    assert!(
        !edit["documentChanges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["kind"] == "rename"),
        "{edit}"
    );
    apply_workspace_edit(&edit);
    assert!(
        std::fs::read_to_string(content.join("customers/gamma.md"))
            .unwrap()
            .contains("slug: bing\n")
    );
    let beta = std::fs::read_to_string(content.join("customers/beta.md")).unwrap();
    assert!(
        beta.contains("丙方：[[bing]]、[[customers/bing]]、[[customers/gamma]]、[丙](gamma.md)。"),
        "{beta}"
    );
    let out = t.run(&["check"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A rename to a taken, reserved or malformed name is refused with the reason.
#[test]
fn lsp_refuses_a_rename_to_a_bad_name() {
    let t = SiteTest::fixture("lsp/rename");
    let mut c = Client::start(t.root());
    let hu = open(&mut c, &t.root().join("content/customers/huadong.md"));
    for (new, why) in [
        ("beta", "has that name already"),
        ("Beta", "has that name already"),
        ("rival", "would no longer name one page"),
        ("乙方", "would no longer name one page"),
        ("../x", "cannot be a slug"),
        ("funnel", "generated page"),
        ("a b", "cannot be a slug"),
        ("a/b", "cannot be a slug"),
        ("x|y", "cannot be a slug"),
    ] {
        c.next_id += 1;
        let id = c.next_id;
        c.send(json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/rename",
                      "params": {"textDocument": {"uri": hu}, "position": {"line": 1, "character": 0}, "newName": new}}));
        let msg = c.wait(|m| m["id"] == json!(id));
        let err = msg["error"]["message"].as_str().unwrap_or_default();
        assert!(err.contains(why), "{new}: {msg}");
    }
    // On a link to no page: not this page either.
    let text = std::fs::read_to_string(t.root().join("content/customers/huadong.md")).unwrap();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": hu, "version": 2}, "contentChanges": [{"text": format!("{text}[[nope]]\n")}]}),
    );
    c.next_id += 1;
    let id = c.next_id;
    c.send(json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/rename",
                  "params": {"textDocument": {"uri": hu}, "position": {"line": 10, "character": 3}, "newName": "xyz"}}));
    let msg = c.wait(|m| m["id"] == json!(id));
    assert!(
        msg["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("no page here"),
        "{msg}"
    );
    c.shutdown();
}

/// Opens huadong.md with the text `wrong`, which must have exactly one diagnostic, and
/// returns the text after its one quick fix.
fn quick_fixed(wrong: &str) -> String {
    let t = site();
    let u = uri(&t.root().join("content/customers/huadong.md"));
    let mut c = Client::start(t.root());
    c.did_open(&u, wrong);
    let diags = c.diagnostics(&u);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": diags[0]["range"], "context": {"diagnostics": diags}}),
    );
    let actions = actions.as_array().expect("code actions");
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "quickfix");
    let change = &actions[0]["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["uri"], json!(u));
    let fixed = apply_edits(wrong, change["edits"].as_array().expect("a fix"));
    c.shutdown();
    fixed
}

/// A wrong stage's diagnostic carries its "did you mean"; the quick fix writes it.
#[test]
fn lsp_quick_fix_writes_the_suggested_stage() {
    let wrong = CUSTOMER.replace("stage: opportunity", "stage: oportunity");
    assert_eq!(quick_fixed(&wrong), CUSTOMER);
}

/// A misspelt wiki link's fix replaces the page name only, keeping the `|text`.
#[test]
fn lsp_quick_fix_of_a_wiki_link_keeps_its_text() {
    let wrong = CUSTOMER.replace("[[对手乙]]", "[[rivel|对手]]");
    assert_eq!(quick_fixed(&wrong), CUSTOMER.replace("[[对手乙]]", "[[rival|对手]]"));
}

/// In a markdown link's `](` the site's pages complete as paths relative to the document;
/// in salesbook.yaml its keys, and a stage's keys inside `stages:`.
#[test]
fn lsp_completes_md_paths_and_config_keys() {
    let t = site();
    let u = uri(&t.root().join("content/customers/huadong.md"));
    let mut c = Client::start(t.root());
    let text = format!("{CUSTOMER}看 [对手](../c");
    c.did_open(&u, &text);
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": u}, "position": {"line": 8, "character": 11}}),
    );
    let mut got = labels(&items);
    got.sort();
    assert_eq!(
        got,
        ["../competitors/other.md", "../competitors/rival.md", "huadong.md"]
    );
    let edit = &items[0]["textEdit"];
    assert_eq!(edit["range"]["start"], json!({"line": 8, "character": 7}), "{edit}");
    assert_eq!(edit["range"]["end"], json!({"line": 8, "character": 11}), "{edit}");

    let cu = uri(&t.root().join("salesbook.yaml"));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": cu, "languageId": "yaml", "version": 1,
               "text": "title: 测试\ncurr\nstages:\n  - id: lead\n    lab\n"}}),
    );
    let top = labels(&c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": cu}, "position": {"line": 1, "character": 4}}),
    ));
    assert!(
        top.contains(&"currency".to_owned()) && top.contains(&"stages".to_owned()),
        "{top:?}"
    );
    assert!(!top.contains(&"label".to_owned()), "{top:?}");
    let stage = labels(&c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": cu}, "position": {"line": 4, "character": 7}}),
    ));
    let mut stage_keys = stage.clone();
    stage_keys.sort();
    assert_eq!(
        stage_keys,
        ["id", "label", "label_en", "outcome", "probability", "visit_every_days"]
    );
    c.shutdown();
}

/// Hover on a tier and on a stage: names in both languages and the meaning.
#[test]
fn lsp_hovers_a_tier_and_a_stage() {
    let t = site();
    let u = uri(&t.root().join("content/customers/huadong.md"));
    let mut c = Client::start(t.root());
    c.did_open(&u, CUSTOMER);
    let hover = |c: &mut Client, line: u32, character: u32| {
        let h = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": u}, "position": {"line": line, "character": character}}),
        );
        h["contents"]["value"].as_str().unwrap_or_default().to_owned()
    };
    assert_eq!(
        hover(&mut c, 3, 8),
        "**partner** — 伙伴关系 / Partner  \nMutual success; treats our goals as theirs. 互相成就，把我们的目标当作自己的目标。  \nJoint planning and long-term trust. 共同规划，建立长期信任。"
    );
    assert_eq!(
        hover(&mut c, 2, 9),
        "**opportunity** — 商机 / Opportunity  \noutcome: Open (进行中) · default probability: 40%"
    );
    c.shutdown();
}

/// Definition on a stage in a visit script's `stages:` goes to its entry in salesbook.yaml;
/// a built-in stage the config does not list goes nowhere.
#[test]
fn lsp_goes_from_a_script_stage_to_its_config_entry() {
    let config = "title: 测试\nstages:\n  - id: lead\n    label: 线索\n    probability: 0.1\n  - {id: quote, label: 报价, probability: 0.6}\n";
    let t = SiteTest::with_files(&[
        ("salesbook.yaml", config),
        (
            "content/scripts/cold.md",
            "---\ntitle: 陌拜\nstages: [lead, 报价]\n---\n",
        ),
        (
            "content/scripts/follow.md",
            "---\ntitle: 跟进\nstages:\n  - quote\n---\n",
        ),
    ]);
    let mut c = Client::start(t.root());
    let su = open(&mut c, &t.root().join("content/scripts/cold.md"));
    let cu = uri(&t.root().join("salesbook.yaml"));
    let def = |c: &mut Client, u: &str, line: u32, character: u32| {
        c.request(
            "textDocument/definition",
            json!({"textDocument": {"uri": u}, "position": {"line": line, "character": character}}),
        )
    };
    let d = def(&mut c, &su, 2, 10);
    assert_eq!(
        (d["uri"].as_str(), &d["range"]["start"]["line"]),
        (Some(cu.as_str()), &json!(2)),
        "{d}"
    );
    let d = def(&mut c, &su, 2, 15);
    assert_eq!(
        (d["uri"].as_str(), &d["range"]["start"]["line"]),
        (Some(cu.as_str()), &json!(5)),
        "{d}"
    );
    let fu = open(&mut c, &t.root().join("content/scripts/follow.md"));
    let d = def(&mut c, &fu, 3, 5);
    assert_eq!(d["range"]["start"]["line"], json!(5), "{d}");
    c.shutdown();

    let t = SiteTest::with_files(&[
        ("salesbook.yaml", "title: 测试\n"),
        ("content/scripts/cold.md", "---\ntitle: 陌拜\nstages: [lead]\n---\n"),
    ]);
    let mut c = Client::start(t.root());
    let su = open(&mut c, &t.root().join("content/scripts/cold.md"));
    assert_eq!(def(&mut c, &su, 2, 10), Value::Null);
    c.shutdown();
}
