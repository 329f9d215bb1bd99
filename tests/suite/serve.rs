//! `salesbook serve` over real HTTP: routes, content types, 404, traversal, and rebuilds.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::helper::SiteTest;

pub(crate) struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(t: &SiteTest) -> Server {
    start_with(t, &[]).0
}

/// Starts `serve` with more arguments; returns it, the lines it printed up to its address,
/// and the lines it prints after.
pub(crate) fn start_with(t: &SiteTest, args: &[&str]) -> (Server, Vec<String>, Arc<Mutex<Vec<String>>>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_salesbook"))
        .args(["serve", "--port", "0"])
        .args(args)
        .arg("--root")
        .arg(t.root())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut printed = Vec::new();
    let addr = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        printed.push(line.clone());
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    // The rest, as it comes.
    let rest = Arc::new(Mutex::new(Vec::new()));
    let more = Arc::clone(&rest);
    std::thread::spawn(move || lines.map_while(Result::ok).for_each(|l| more.lock().unwrap().push(l)));
    (Server { child, addr }, printed, rest)
}

/// One raw HTTP/1.0 request, exactly as written (no client-side path normalisation).
fn raw(s: &Server, request_line: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(&s.addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        stream,
        "{request_line}\r\nHost: {}\r\nConnection: close\r\n\r\n",
        s.addr
    )
    .unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head, buf[split + 4..].to_vec())
}

pub(crate) fn get(s: &Server, path: &str) -> (u16, String, String) {
    let (status, head, body) = raw(s, &format!("GET {path} HTTP/1.0"));
    (status, head, String::from_utf8_lossy(&body).into_owned())
}

/// A header's value from a response head (names are case-insensitive).
fn header(head: &str, name: &str) -> String {
    head.lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
        .unwrap_or_default()
}

fn content_type(head: &str) -> String {
    header(head, "Content-Type")
}

#[test]
fn pages_types_and_404() {
    let t = SiteTest::fixture("builder/basic");
    let s = start(&t);
    let (status, head, body) = get(&s, "/customers/alpha/");
    assert_eq!(status, 200);
    assert_eq!(content_type(&head), "text/html; charset=utf-8");
    assert!(
        body.contains("甲方精密有限公司") && body.contains("__salesbook/ws"),
        "the reload client is injected"
    );
    let (status, head, _) = get(&s, "/style.css");
    assert_eq!((status, content_type(&head).as_str()), (200, "text/css; charset=utf-8"));
    let (status, head, body) = get(&s, "/funnel.json");
    assert_eq!(
        (status, content_type(&head).as_str()),
        (200, "application/json; charset=utf-8")
    );
    assert!(body.contains("\"open_value\""));
    let (status, head, _) = get(&s, "/funnel");
    assert_eq!(status, 301);
    assert_eq!(header(&head, "Location"), "/funnel/", "{head}");
    let (status, head, body) = get(&s, "/no/such/page/");
    assert_eq!(status, 404);
    assert_eq!(content_type(&head), "text/html; charset=utf-8");
    assert!(body.contains("页面不存在"), "the theme's 404 page");
    let (status, _, _) = raw(&s, "POST /index.html HTTP/1.0");
    assert_eq!(status, 405);
    // A page of the built site on disk carries no reload client.
    t.build_ok();
    assert!(!t.read("customers/alpha/index.html").contains("__salesbook"));
}

#[test]
fn nothing_outside_the_build_is_served() {
    let t = SiteTest::fixture("builder/basic");
    std::fs::write(t.root().join("secret.txt"), "top secret").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(t.root(), t.root().join("static/link-out")).unwrap();
    let s = start(&t);
    for path in [
        "/../secret.txt",
        "/../../../../etc/passwd",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/customers/..%2f..%2fsecret.txt",
        "/customers/../../secret.txt",
        "/secret.txt",
        "/salesbook.yaml",
        "/content/customers/alpha.md",
        "/link-out/secret.txt",
        "/link-out/salesbook.yaml",
        "//etc/passwd",
        "/%00",
        "/%ff",
    ] {
        let (status, _, body) = get(&s, path);
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("top secret") && !body.contains("today:"), "{path}");
    }
    // An absolute target names its host, which must be this server's (see `hosts_...`).
    let (status, _, body) = raw(&s, "GET http://evil.example/../secret.txt HTTP/1.0");
    assert_eq!(status, 421);
    assert!(!String::from_utf8_lossy(&body).contains("top secret"));
    let (status, _, body) = raw(&s, &format!("GET http://{}/../secret.txt HTTP/1.0", s.addr));
    assert_eq!(status, 404);
    assert!(!String::from_utf8_lossy(&body).contains("top secret"));
}

#[test]
fn a_save_is_served_and_a_broken_save_keeps_the_last_good_page() {
    let t = SiteTest::fixture("builder/basic");
    let s = start(&t);
    let wait_for = |path: &str, pred: &dyn Fn(&str) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (_, _, body) = get(&s, path);
            if pred(&body) {
                return body;
            }
            assert!(Instant::now() < deadline, "timed out waiting on {path}: {body}");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let beta = std::fs::read_to_string(t.root().join("content/customers/beta.md")).unwrap();
    t.write(
        "content/customers/beta.md",
        &beta.replace("stage: opportunity", "stage: quote"),
    );
    wait_for("/customers/beta/", &|b| b.contains("badge stage-quote"));
    let funnel = wait_for("/funnel.json", &|b| b.contains("\"count\": 2"));
    assert!(funnel.contains("\"open_value\": 1500001.0"));
    // Broken: the page stays as it was, every page shows the overlay.
    t.write(
        "content/customers/beta.md",
        &beta.replace("stage: opportunity", "stage: [quote"),
    );
    let body = wait_for("/customers/beta/", &|b| b.contains("id=\"__salesbook_overlay\""));
    assert!(body.contains("badge stage-quote"), "the last good version is served");
    assert!(
        body.contains("content/customers/beta.md:"),
        "the overlay names the file"
    );
    let other = wait_for("/customers/alpha/", &|b| b.contains("id=\"__salesbook_overlay\""));
    assert!(other.contains("甲方精密有限公司"));
    // Deleted and re-created, a new folder, a half-written file: the server stays up.
    t.write("content/customers/beta.md", &beta);
    wait_for("/customers/beta/", &|b| !b.contains("id=\"__salesbook_overlay\""));
    std::fs::remove_file(t.root().join("content/customers/gamma.md")).unwrap();
    wait_for("/customers/gamma/", &|b| b.contains("页面不存在"));
    wait_for("/customers/gamma/brief/", &|b| b.contains("页面不存在"));
    t.write("static/note.txt", "静态文件");
    wait_for("/note.txt", &|b| b == "静态文件");
    std::fs::remove_file(t.root().join("static/note.txt")).unwrap();
    wait_for("/note.txt", &|b| !b.contains("静态文件"));
    t.write("content/more/new-page.md", "---\ntitle: 新页面\n---\n正文\n");
    wait_for("/more/new-page/", &|b| b.contains("新页面"));
    t.write("content/customers/beta.md", "---\ntitle: 乙方\nsta");
    t.write("content/customers/beta.md", &beta);
    wait_for("/customers/beta/", &|b| {
        b.contains("badge stage-opportunity") && !b.contains("id=\"__salesbook_overlay\"")
    });
}

/// Sends raw bytes and returns the status of the answer, if one came.
fn raw_bytes(s: &Server, request: &[u8]) -> Option<u16> {
    let mut stream = TcpStream::connect(&s.addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    // The server may close the connection before reading all of an oversized request.
    let _ = stream.write_all(request);
    let mut buf = Vec::new();
    let _ = stream.read_to_end(&mut buf);
    let head = String::from_utf8_lossy(&buf);
    head.split(' ').nth(1).and_then(|s| s.parse().ok())
}

#[test]
fn malformed_requests_get_4xx_and_the_server_stays_up() {
    let t = SiteTest::fixture("builder/basic");
    let s = start(&t);
    let host = &s.addr;
    let huge_header = format!(
        "GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let many_headers = format!("GET / HTTP/1.1\r\nHost: {host}\r\n{}\r\n", "X-A: b\r\n".repeat(20_000));
    let limit_headers = format!("GET / HTTP/1.1\r\nHost: {host}\r\n{}\r\n", "X-A: b\r\n".repeat(200));
    let long_line = format!("GET /{} HTTP/1.1\r\nHost: {host}\r\n\r\n", "a".repeat(70_000));
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        (
            "bad method",
            format!("BREW / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").into_bytes(),
            405,
        ),
        (
            "bad UTF-8 in the path",
            [
                b"GET /\xff\xfe/ HTTP/1.1\r\nHost: ".as_slice(),
                host.as_bytes(),
                b"\r\nConnection: close\r\n\r\n",
            ]
            .concat(),
            400,
        ),
        (
            "bad percent-encoding",
            format!("GET /%ff%fe%/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").into_bytes(),
            404,
        ),
        ("no HTTP version", b"GET /\r\n\r\n".to_vec(), 400),
        ("garbage", b"\x00\x01\x02\r\n\r\n".to_vec(), 400),
        ("a 1 MiB header", huge_header.into_bytes(), 431),
        ("20,000 headers", many_headers.into_bytes(), 431),
        ("201 headers", limit_headers.into_bytes(), 431),
        ("a 70 KB request line", long_line.into_bytes(), 431),
    ];
    for (what, request, expected) in cases {
        let status = raw_bytes(&s, &request);
        assert_eq!(status, Some(expected), "{what}");
        let (status, _, body) = get(&s, "/customers/alpha/");
        assert_eq!(status, 200, "the server is still up after {what}");
        assert!(body.contains("甲方精密有限公司"));
    }
}

#[test]
fn the_search_index_follows_a_save_and_keeps_the_last_good_one_through_errors() {
    let t = SiteTest::fixture("builder/basic");
    let s = start(&t);
    let index = || {
        let (status, _, meta) = get(&s, "/search/meta.js");
        assert_eq!(status, 200, "{meta}");
        let shards: u32 = meta
            .split("\"shards\":")
            .nth(1)
            .unwrap()
            .split([',', '}'])
            .next()
            .unwrap()
            .parse()
            .unwrap();
        (0..shards)
            .map(|n| get(&s, &format!("/search/t/{n}.js")).2)
            .collect::<String>()
    };
    assert!(index().contains("\"精密\""), "served from the start");
    let wait_for_index = |pred: &dyn Fn(&str) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let all = index();
            if pred(&all) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting on the index: {all}");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let beta = std::fs::read_to_string(t.root().join("content/customers/beta.md")).unwrap();
    t.write(
        "content/customers/beta.md",
        &format!("{beta}\n新增的独特词语：蓝鲸计划。\n"),
    );
    wait_for_index(&|all| all.contains("\"蓝鲸\""));
    // A broken save: the pages keep their last good version, and so does the index.
    t.write("content/customers/beta.md", "---\ntitle: [乙方\n---\n");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !get(&s, "/customers/beta/").2.contains("id=\"__salesbook_overlay\"") {
        assert!(Instant::now() < deadline, "the broken save was not built");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Time for an index of the broken site to be made, were it made.
    std::thread::sleep(Duration::from_millis(300));
    assert!(index().contains("\"蓝鲸\""), "the last good index is served");
    t.write("content/customers/beta.md", &beta);
    wait_for_index(&|all| !all.contains("\"蓝鲸\""));
}

/// Reads one keep-alive response (head and a `Content-Length` body); `None` on a timeout.
fn read_response(stream: &mut TcpStream) -> Option<u16> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let len: usize = header(&head, "Content-Length").parse().unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = stream.read(&mut byte).ok().filter(|n| *n > 0)?;
                buf.extend_from_slice(&byte[..n]);
            }
            return head.split(' ').nth(1).and_then(|s| s.parse().ok());
        }
        let n = stream.read(&mut byte).ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&byte[..n]);
    }
}

/// A browser opens several connections at once while others sit idle in keep-alive (ten tabs
/// reloading together). Each must be answered: the server's former HTTP library, tiny_http,
/// once queued a connection behind a pool thread that had already been woken for another,
/// so it waited until some other connection closed (the e2e ten-tab reload hung on this).
#[test]
fn connections_opened_together_are_all_answered_while_others_stay_open() {
    let t = SiteTest::fixture("builder/basic");
    for round in 0..12 {
        let s = start(&t);
        // Fresh server. Three connections that send nothing sit waiting for a request (with
        // tiny_http they held three of its four pool threads) when the burst comes.
        let idle: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(&s.addr).unwrap()).collect();
        std::thread::sleep(Duration::from_millis(50));
        let mut burst: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(&s.addr).unwrap()).collect();
        for c in &mut burst {
            c.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
            write!(c, "GET /customers/alpha/ HTTP/1.1\r\nHost: {}\r\n\r\n", s.addr).unwrap();
        }
        // Every connection stays open until all are answered.
        let answered: Vec<Option<u16>> = burst.iter_mut().map(read_response).collect();
        assert!(
            answered.iter().all(|a| *a == Some(200)),
            "round {round}: {answered:?} (None: no answer in 3 s)"
        );
        drop(idle);
    }
}

/// Sends `request` as written; returns the status, the head and the rest of what came back
/// within a second (a WebSocket's first frame).
fn exchange(addr: &str, request: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    // Until the server closes, or is silent for a second (an open WebSocket).
    while let Ok(n) = stream.read(&mut chunk) {
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head");
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head, buf[split + 4..].to_vec())
}

/// DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1 sends its
/// own name as Host; the server must not answer it with the site's pages or its exports.
#[test]
fn requests_for_other_hosts_are_refused() {
    let t = SiteTest::fixture("builder/basic");
    let s = start(&t);
    let port = s.addr.rsplit(':').next().unwrap().to_owned();
    for path in ["/customers/alpha/", "/exports/customers.csv", "/__salesbook/ws"] {
        let (status, _, _) = get(&s, path);
        assert_eq!(status, if path.contains("ws") { 400 } else { 200 }, "{path}");
        for host in [
            format!("evil.example:{port}"),
            "evil.example".to_owned(),
            format!("localhost.evil.example:{port}"),
            format!("localhost:{}", port.parse::<u16>().unwrap() ^ 1),
            format!("127.0.0.1:{port}@evil.example"),
        ] {
            let (status, head, body) = exchange(
                &s.addr,
                &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
            );
            assert_eq!(status, 421, "{path} for {host}: {head}");
            let body = String::from_utf8_lossy(&body);
            assert!(body.contains("answers only to localhost"), "{body}");
            assert!(!body.contains("甲方") && !body.contains("alpha"), "{body}");
        }
    }
    // This server's own names, with or without the port; HTTP/1.0 without a Host.
    for host in [
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        "localhost".to_owned(),
        format!("127.0.0.1:{port}"),
        "127.0.0.1".to_owned(),
        format!("[::1]:{port}"),
    ] {
        let (status, _, body) = exchange(
            &s.addr,
            &format!("GET /customers/alpha/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        );
        assert_eq!(status, 200, "{host}");
        assert!(String::from_utf8_lossy(&body).contains("甲方精密有限公司"));
    }
    let (status, _, _) = exchange(&s.addr, "GET /customers/alpha/ HTTP/1.0\r\n\r\n");
    assert_eq!(status, 200, "no Host");
    // Two Hosts, or a target naming another host than the Host header.
    let (status, _, _) = exchange(
        &s.addr,
        &format!(
            "GET / HTTP/1.1\r\nHost: {0}\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
            s.addr
        ),
    );
    assert_eq!(status, 400, "two Hosts");
    let (status, _, _) = exchange(
        &s.addr,
        &format!(
            "GET http://evil.example/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            s.addr
        ),
    );
    assert_eq!(status, 421, "absolute target");
}

/// The frames of a text message from the server (unmasked), as text.
fn ws_text(frame: &[u8]) -> String {
    assert_eq!(frame[0], 0x81, "a final text frame");
    let (len, at) = match frame[1] {
        126 => (u16::from_be_bytes([frame[2], frame[3]]) as usize, 4),
        127 => (u64::from_be_bytes(frame[2..10].try_into().unwrap()) as usize, 10),
        n => (n as usize, 2),
    };
    String::from_utf8(frame[at..at + len].to_vec()).unwrap()
}

/// Any site's page could open the reload socket to localhost and read the error overlay,
/// which quotes the customer's source lines. Only this site's own pages may.
#[test]
fn the_reload_socket_opens_only_for_this_sites_pages() {
    let t = SiteTest::fixture("builder/basic");
    let beta = std::fs::read_to_string(t.root().join("content/customers/beta.md")).unwrap();
    t.write(
        "content/customers/beta.md",
        &beta.replace("stage: opportunity", "stage: [quote"),
    );
    let s = start(&t);
    let port = s.addr.rsplit(':').next().unwrap().to_owned();
    let handshake = |origin: Option<&str>| {
        let origin = origin.map_or(String::new(), |o| format!("Origin: {o}\r\n"));
        exchange(
            &s.addr,
            &format!(
                "GET /__salesbook/ws?generation=1&path=index.html HTTP/1.1\r\nHost: {}\r\n{origin}\
                 Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\
                 Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
                s.addr
            ),
        )
    };
    for origin in [
        Some(format!("http://{}", s.addr)),
        Some(format!("http://localhost:{port}")),
        Some(format!("http://[::1]:{port}")),
        None,
    ] {
        let (status, head, frame) = handshake(origin.as_deref());
        assert_eq!(status, 101, "{origin:?}: {head}");
        assert_eq!(header(&head, "Sec-WebSocket-Accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        let message = ws_text(&frame);
        assert!(message.contains("content/customers/beta.md"), "the overlay: {message}");
    }
    for origin in [
        "http://evil.example".to_owned(),
        format!("http://evil.example:{port}"),
        "null".to_owned(),
        format!("https://localhost:{port}"),
        format!("http://localhost:{}", port.parse::<u16>().unwrap() ^ 1),
        "http://localhost".to_owned(),
    ] {
        let (status, head, body) = handshake(Some(&origin));
        assert_eq!(status, 403, "{origin}: {head}");
        assert!(!String::from_utf8_lossy(&body).contains("beta.md"), "{origin}");
    }
}

/// `//funnel` once redirected to `//funnel/`, which a browser reads as the host `funnel`;
/// and `?query` was dropped.
#[test]
fn folder_redirects_stay_on_this_site_and_keep_the_query() {
    let t = SiteTest::fixture("builder/basic");
    let s = start(&t);
    for (path, location) in [
        ("/funnel", "/funnel/"),
        ("//funnel", "/funnel/"),
        ("///funnel", "/funnel/"),
        ("/%2Ffunnel", "/funnel/"),
        ("/funnel?stage=quote&x=%20", "/funnel/?stage=quote&x=%20"),
        ("//funnel?next=//evil.example/", "/funnel/?next=//evil.example/"),
    ] {
        let (status, head, _) = get(&s, path);
        assert_eq!(status, 301, "{path}");
        assert_eq!(header(&head, "Location"), location, "{path}");
    }
}

#[test]
fn binding_beyond_loopback_warns_and_answers_to_the_address() {
    let t = SiteTest::fixture("builder/basic");
    // The warning is printed before the server answers its first request.
    let printed = |bind: &str| {
        let (s, _, rest) = start_with(&t, &["--bind", bind]);
        let port = s.addr.rsplit(':').next().unwrap().to_owned();
        let (status, _, _) = exchange(&format!("127.0.0.1:{port}"), "GET / HTTP/1.0\r\n\r\n");
        assert_eq!(status, 200);
        (s, port, rest)
    };
    let (_, _, quiet) = printed("127.0.0.1");
    let quiet = quiet.lock().unwrap().clone();
    // (A plain copy's history warning may come too, from the background reader: only the
    // network warning is asserted on.)
    assert!(!quiet.iter().any(|l| l.contains("warning: listening")), "{quiet:?}");
    let (_s, port, rest) = printed("0.0.0.0");
    // The server printed the warning before it answered, but on a busy machine the thread
    // reading its output may not have read it yet: wait for it a little.
    let warned = || {
        rest.lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with("warning: listening on 0.0.0.0: anyone on the network"))
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !warned() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(warned(), "{:?}", rest.lock().unwrap());
    // A colleague types this machine's address: any address, but no name.
    for (host, want) in [("10.1.2.3", 200), ("evil.example", 421)] {
        let (status, _, _) = exchange(
            &format!("127.0.0.1:{port}"),
            &format!("GET / HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"),
        );
        assert_eq!(status, want, "{host}");
    }
}

/// A keep-alive response must not wait for the client's delayed ACK (about 40 ms on Linux):
/// with tiny_http it did, on every page and stylesheet, until the sockets had TCP_NODELAY.
#[test]
fn keep_alive_responses_do_not_stall() {
    let t = SiteTest::fixture("builder/basic");
    let s = start(&t);
    let mut stream = TcpStream::connect(&s.addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut took: Vec<Duration> = (0..30)
        .map(|i| {
            let path = if i % 2 == 0 { "/customers/alpha/" } else { "/style.css" };
            let started = Instant::now();
            // One write: a request in pieces would meet Nagle's algorithm on this side.
            let request = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", s.addr);
            stream.write_all(request.as_bytes()).unwrap();
            assert_eq!(read_response(&mut stream), Some(200), "{path}");
            started.elapsed()
        })
        .collect();
    took.sort();
    // The median: a busy machine may delay a few, a stall delays them all.
    assert!(took[15] < Duration::from_millis(30), "{took:?}");
}
