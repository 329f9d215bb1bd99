//! The HTTP side of `serve`: maps a request URL to a file of the last good build (only
//! ever from memory, so nothing outside the build can be served), with its content type.

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// An output file, by its path in the build.
    File(String),
    /// A folder URL without its trailing slash: redirect so relative links resolve.
    Redirect(String),
    /// Nothing there (or a path that tries to leave the site).
    NotFound,
}

/// Maps a request URL (`/customers/华东/?x=1`) to a route, given a lookup of output paths.
pub fn route(url: &str, exists: impl Fn(&str) -> bool) -> Route {
    let path = url.split(['?', '#']).next().unwrap_or("");
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
        return Route::Redirect(format!("{path}/"));
    }
    Route::NotFound
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
        assert_eq!(r("/a%20b.txt"), Route::File("a b.txt".into()));
        assert_eq!(r("/nope/"), Route::NotFound);
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
