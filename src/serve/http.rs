//! The HTTP side of `serve`: maps a request URL to a file of the last good build (only
//! ever from memory, so nothing outside the build can be served), with its content type;
//! refuses requests addressed to another host (DNS rebinding) and reload sockets opened by
//! another site's pages; and runs the server on hyper.
//!
//! One thread with a current_thread tokio runtime serves every connection and reload socket:
//! each answer is a lookup in memory and a copy, and the other cores are left to the
//! rebuilds that a save starts while tabs are loading.

use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio_tungstenite::tungstenite::{self, protocol::Role};

use super::{Shared, WS_PATH, inject};

/// More bytes of request line and headers than any browser sends: the request is refused
/// with 431 before more is read.
const MAX_HEAD_BYTES: usize = 64 << 10;
/// More header lines than any browser sends (431).
const MAX_HEADERS: usize = 200;
/// A connection that has not sent a whole request head by then is closed.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// An output file, by its path in the build.
    File(String),
    /// A folder URL without its trailing slash: redirect (to this path-absolute URL, with
    /// the query kept) so relative links resolve.
    Redirect(String),
    /// Nothing there (or a path that tries to leave the site).
    NotFound,
}

/// Maps a request target (`/customers/华东/?x=1`) to a route, given a lookup of output paths.
pub fn route(url: &str, exists: impl Fn(&str) -> bool) -> Route {
    let url = url.split('#').next().unwrap_or("");
    let (path, query) = match url.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (url, None),
    };
    let Some(decoded) = decode(path) else {
        return Route::NotFound;
    };
    let mut parts = Vec::new();
    for part in decoded.split('/') {
        match part {
            "" => {}
            "." | ".." => return Route::NotFound,
            p if p.contains(['\\', '\0']) || p.contains(':') => return Route::NotFound,
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if decoded.ends_with('/') || joined.is_empty() {
        let index = if joined.is_empty() {
            "index.html".to_owned()
        } else {
            format!("{joined}/index.html")
        };
        return if exists(&index) {
            Route::File(index)
        } else {
            Route::NotFound
        };
    }
    if exists(&joined) {
        return Route::File(joined);
    }
    if exists(&format!("{joined}/index.html")) {
        return Route::Redirect(folder_location(&parts, query));
    }
    Route::NotFound
}

/// `/a/b/?query` from the decoded segments: one slash before each segment, each segment
/// percent-encoded, so the Location is path-absolute and can never read as `//host` (a
/// redirect to another site) whatever slashes or escapes the request had.
fn folder_location(parts: &[&str], query: Option<&str>) -> String {
    let mut out = String::new();
    for part in parts {
        out.push('/');
        encode(
            part,
            |b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@".contains(&b),
            &mut out,
        );
    }
    out.push('/');
    if let Some(query) = query {
        out.push('?');
        // The query as sent, except bytes a header may not carry.
        encode(query, |b| b.is_ascii_graphic() && b != b'#', &mut out);
    }
    out
}

fn encode(s: &str, keep: impl Fn(u8) -> bool, out: &mut String) {
    for &b in s.as_bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// Percent-decodes a URL path; `None` if the bytes are not UTF-8.
pub fn decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The Content-Type of an output file, with the charset for text.
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "ics" => "text/calendar; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

/// The names this server answers to: `localhost`, the loopback addresses, and the address it
/// is bound to, each with or without its port. A page of another site whose name was made to
/// resolve to 127.0.0.1 (DNS rebinding) sends its own name as Host and is refused; an
/// address cannot be rebound, so a server bound to all interfaces also answers to any IP
/// address of this machine (the one a colleague types).
#[derive(Debug, Clone)]
pub struct Allowed {
    bind: IpAddr,
    port: u16,
}

impl Allowed {
    pub fn new(bind: IpAddr, port: u16) -> Self {
        Allowed { bind, port }
    }

    /// A Host header or a request target's authority: `name`, `name:port`, `[v6]:port`.
    pub fn host(&self, authority: &str) -> bool {
        self.authority(authority, false)
    }

    /// A WebSocket's Origin: one of the hosts above, over http, on this port (another port
    /// of localhost is another site).
    pub fn origin(&self, origin: &str) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|authority| self.authority(authority, self.port != 80))
    }

    fn authority(&self, authority: &str, port_required: bool) -> bool {
        let (name, port) = match authority.strip_prefix('[') {
            Some(rest) => match rest.split_once(']') {
                Some((v6, port)) => (v6, port),
                None => return false,
            },
            None => authority.split_at(authority.find(':').unwrap_or(authority.len())),
        };
        let port_ok = match port.strip_prefix(':') {
            Some(p) => p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok_and(|p| p == self.port),
            None => port.is_empty() && !port_required,
        };
        let bracketed = authority.starts_with('[');
        let name_ok = match name.parse::<IpAddr>() {
            // IPv6 only in brackets, IPv4 never in them.
            Ok(ip) if ip.is_ipv6() == bracketed => ip.is_loopback() || ip == self.bind || self.bind.is_unspecified(),
            Ok(_) => false,
            Err(_) => !bracketed && name.eq_ignore_ascii_case("localhost"),
        };
        port_ok && name_ok
    }
}

/// Serves HTTP on `listener` from a thread of its own until the process ends.
pub(super) fn spawn(listener: std::net::TcpListener, shared: Arc<Shared>, allowed: Allowed) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let allowed = Arc::new(allowed);
    std::thread::Builder::new().name("http".to_owned()).spawn(move || {
        runtime.block_on(async move {
            let listener = match tokio::net::TcpListener::from_std(listener) {
                Ok(l) => l,
                Err(e) => return eprintln!("error: cannot serve: {e}"),
            };
            loop {
                match listener.accept().await {
                    Ok((stream, _)) => {
                        tokio::spawn(connection(stream, Arc::clone(&shared), Arc::clone(&allowed)));
                    }
                    // Out of file descriptors, say: wait for some to close.
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
        })
    })?;
    Ok(())
}

async fn connection(stream: tokio::net::TcpStream, shared: Arc<Shared>, allowed: Arc<Allowed>) {
    // Without it a keep-alive response can wait 40 ms for the client's delayed ACK.
    let _ = stream.set_nodelay(true);
    let service = hyper::service::service_fn(move |req| {
        let response = handle(req, &shared, &allowed);
        async move { Ok::<_, Infallible>(response) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .max_header_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS)
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades()
        .await;
}

type Answer = Response<Full<Bytes>>;

fn text(status: StatusCode, body: &'static str) -> Answer {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn handle(req: Request<Incoming>, shared: &Arc<Shared>, allowed: &Allowed) -> Answer {
    // A request names its host in Host or in an absolute target; both must be this server.
    // HTTP/1.0 clients may send neither.
    let hosts = req.headers().get_all(header::HOST);
    if hosts.iter().count() > 1 {
        return text(StatusCode::BAD_REQUEST, "more than one Host header\n");
    }
    let host_ok = hosts.iter().all(|h| h.to_str().is_ok_and(|h| allowed.host(h)))
        && req.uri().authority().is_none_or(|a| allowed.host(a.as_str()));
    if !host_ok {
        return text(
            StatusCode::MISDIRECTED_REQUEST,
            "salesbook serve answers only to localhost, 127.0.0.1, [::1] and the address it is bound to\n",
        );
    }
    if req.uri().path() == WS_PATH {
        return upgrade(req, shared, allowed);
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let target = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let state = shared.state.read().unwrap_or_else(|e| e.into_inner());
    let (status, path) = match route(target, |p| state.files.contains_key(p)) {
        Route::File(p) => (StatusCode::OK, p),
        Route::Redirect(to) => {
            drop(state);
            let mut response = Response::new(Full::new(Bytes::new()));
            *response.status_mut() = StatusCode::MOVED_PERMANENTLY;
            if let Ok(to) = HeaderValue::from_str(&to) {
                response.headers_mut().insert(header::LOCATION, to);
            }
            return response;
        }
        Route::NotFound => (StatusCode::NOT_FOUND, "404.html".to_owned()),
    };
    let body: Bytes = match state.files.get(path.as_str()) {
        Some(f) if path.ends_with(".html") => inject(&f.bytes, state.overlay.as_deref(), state.generation).into(),
        Some(f) => Bytes::copy_from_slice(&f.bytes),
        None => Bytes::from_static(b"not found"),
    };
    drop(state);
    // For HEAD, hyper sends the headers (with this body's length) and no body.
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&path)));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Hands the connection over to a WebSocket that lives as long as the tab. Only this site's
/// own pages may open it: the messages quote source lines (the error overlay), and a page of
/// any other site could otherwise open a socket to localhost and read them. Browsers always
/// send Origin on a WebSocket; a client without one is not a browser, so no other site's page.
fn upgrade(req: Request<Incoming>, shared: &Arc<Shared>, allowed: &Allowed) -> Answer {
    let origin = req.headers().get(header::ORIGIN);
    if origin.is_some_and(|o| !o.to_str().is_ok_and(|o| allowed.origin(o))) {
        return text(
            StatusCode::FORBIDDEN,
            "this page may not open salesbook's reload socket\n",
        );
    }
    let key = req.headers().get(header::SEC_WEBSOCKET_KEY);
    let upgrade = req
        .headers()
        .get(header::UPGRADE)
        .and_then(|u| u.to_str().ok())
        .is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    let (Some(key), true, &Method::GET) = (key, upgrade, req.method()) else {
        return text(StatusCode::BAD_REQUEST, "expected a WebSocket\n");
    };
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    // The tab is registered before it learns the socket is open: a rebuild that finishes
    // right after its `open` event must reach it.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    {
        let mut clients = shared.clients.lock().unwrap_or_else(|e| e.into_inner());
        let state = shared.state.read().unwrap_or_else(|e| e.into_inner());
        // `?generation=N&path=P`: the page was served at build N; if it changed since, say so.
        let query = req.uri().query().unwrap_or("");
        let param = |name: &str| query.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='));
        let served_at: u64 = param("generation").and_then(|g| g.parse().ok()).unwrap_or(u64::MAX);
        let page = param("path").and_then(decode).unwrap_or_default();
        let stale = state.changed_at.get(page.as_str()).is_some_and(|g| *g > served_at);
        let changed: Vec<&str> = if stale { vec![page.as_str()] } else { Vec::new() };
        let _ = tx.send(serde_json::json!({ "changed": changed, "all": false, "errors": state.overlay }).to_string());
        drop(state);
        clients.push(tx);
    }
    tokio::spawn(async move {
        let Ok(upgraded) = hyper::upgrade::on(req).await else {
            return;
        };
        let mut ws =
            tokio_tungstenite::WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        loop {
            tokio::select! {
                message = rx.recv() => {
                    let Some(m) = message else { break };
                    if ws.send(tungstenite::Message::text(m)).await.is_err() {
                        break;
                    }
                }
                // The tab says nothing but pings and its close: either ends the socket's
                // task at once (tungstenite answers pings itself).
                incoming = ws.next() => match incoming {
                    Some(Ok(m)) if !m.is_close() => {}
                    _ => break,
                },
            }
        }
    });
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(accept) = HeaderValue::from_str(&accept) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(url: &str) -> Route {
        let files = [
            "index.html",
            "customers/华东/index.html",
            "style.css",
            "customers/index.html",
            "a b.txt",
        ];
        route(url, |p| files.contains(&p))
    }

    #[test]
    fn folders_files_and_redirects() {
        assert_eq!(r("/"), Route::File("index.html".into()));
        assert_eq!(r("/style.css?v=2"), Route::File("style.css".into()));
        assert_eq!(
            r("/customers/%E5%8D%8E%E4%B8%9C/"),
            Route::File("customers/华东/index.html".into())
        );
        assert_eq!(
            r("/customers/华东/index.html"),
            Route::File("customers/华东/index.html".into())
        );
        assert_eq!(r("/customers"), Route::Redirect("/customers/".into()));
        assert_eq!(
            r("/customers?a=1&b=%20"),
            Route::Redirect("/customers/?a=1&b=%20".into())
        );
        assert_eq!(r("/a%20b.txt"), Route::File("a b.txt".into()));
        assert_eq!(r("/nope/"), Route::NotFound);
    }

    #[test]
    fn redirects_stay_on_this_site_and_keep_the_query() {
        // `//customers/` is scheme-relative: the browser would go to the host `customers`.
        for url in ["//customers", "///customers", "/%2Fcustomers", "/%2F%2Fcustomers"] {
            assert_eq!(r(url), Route::Redirect("/customers/".into()), "{url}");
        }
        assert_eq!(r("//customers//"), Route::File("customers/index.html".into()));
        assert_eq!(
            r("//customers?x=//evil.example"),
            Route::Redirect("/customers/?x=//evil.example".into())
        );
        assert_eq!(
            r("/customers/%E5%8D%8E%E4%B8%9C"),
            Route::Redirect("/customers/%E5%8D%8E%E4%B8%9C/".into())
        );
        assert_eq!(
            r("/customers/华东?q=a b#frag"),
            Route::Redirect("/customers/%E5%8D%8E%E4%B8%9C/?q=a%20b".into())
        );
    }

    #[test]
    fn hosts_and_origins_are_this_servers_own() {
        let local = Allowed::new("127.0.0.1".parse().unwrap(), 8000);
        for ok in [
            "localhost",
            "LOCALHOST:8000",
            "127.0.0.1",
            "127.0.0.1:8000",
            "[::1]",
            "[::1]:8000",
            "127.0.0.2:8000",
        ] {
            assert!(local.host(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8000",
            "localhost:8001",
            "localhost.:8000",
            "sub.localhost",
            "127.0.0.1:+8000",
            "127.0.0.1:08000x",
            "127.0.0.1:",
            "::1",
            "[::1",
            "[127.0.0.1]",
            "192.168.1.5:8000",
            "",
            "localhost@evil.example",
        ] {
            assert!(!local.host(bad), "{bad}");
        }
        assert!(local.origin("http://localhost:8000") && local.origin("http://[::1]:8000"));
        for bad in [
            "http://localhost",
            "http://localhost:3000",
            "https://localhost:8000",
            "http://evil.example:8000",
            "null",
            "http://localhost:8000/",
        ] {
            assert!(!local.origin(bad), "{bad}");
        }
        // Bound to one address of the network: that address too; to all of them: any address.
        let lan = Allowed::new("192.168.1.5".parse().unwrap(), 80);
        assert!(lan.host("192.168.1.5") && lan.origin("http://192.168.1.5") && !lan.host("10.0.0.1"));
        let all = Allowed::new("0.0.0.0".parse().unwrap(), 8000);
        assert!(all.host("10.0.0.1:8000") && all.host("[fe80::1]:8000") && !all.host("evil.example:8000"));
    }

    #[test]
    fn traversal_is_refused() {
        for url in [
            "/../etc/passwd",
            "/customers/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/..%2f..%2fetc/passwd",
            "/customers/..\\..\\x",
            "//etc/passwd",
            "/C:/Windows/win.ini",
            "/%ff%fe",
            "/a%00b",
        ] {
            assert!(matches!(r(url), Route::NotFound), "{url}");
        }
    }

    #[test]
    fn content_types_carry_charset() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("funnel.json"), "application/json; charset=utf-8");
        assert_eq!(content_type("logo.PNG"), "image/png");
        assert_eq!(content_type("x"), "application/octet-stream");
    }
}
