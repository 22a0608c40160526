//! What goes over the wire: precompressed static files chosen by `Accept-Encoding` (with
//! `Vary`), immutable caching of content-hashed files, compressed app HTML and JSON, visitor
//! pages compressed inside the visitor cache, and the favicon.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use leptos::config::LeptosOptions;

use crate::common::{account, cookie_for, pool, send_raw, unique, Raw};
use crate::visitor_site::{eventually, published_site};

const HASHED_WASM: &str = "sitepilot.AbCdEfGhIjKlMnOpQrStUv.wasm";

impl Raw {
    /// A header's value, or "" when it is absent.
    fn header_str(&self, name: &str) -> &str {
        self.header(name).unwrap_or("")
    }

    /// The body as sent, decoded according to its `Content-Encoding`.
    fn decoded(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self.header_str("content-encoding") {
            "br" => {
                brotli::BrotliDecompress(&mut &self.body[..], &mut out).expect("brotli body");
            }
            "gzip" => {
                use std::io::Read;
                flate2::read::GzDecoder::new(&self.body[..])
                    .read_to_end(&mut out)
                    .expect("gzip body");
            }
            "" => out = self.body.clone(),
            other => panic!("unexpected content-encoding {other}"),
        }
        out
    }
}

async fn get(router: &Router, host: &str, path: &str, extra: &[(&str, &str)]) -> Raw {
    let mut req = Request::get(path).header(header::HOST, host);
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    send_raw(router, req.body(Body::empty()).expect("request")).await
}

/// A site root like a release build's: a hashed WASM with its `.br` and `.gz` copies, an
/// unhashed file, the favicon from `public/`.
fn site_root() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(unique("sitepilot-wire-"));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).expect("site root");
    std::fs::write(pkg.join(HASHED_WASM), b"plain wasm bytes").expect("file");
    std::fs::write(pkg.join(format!("{HASHED_WASM}.br")), b"brotli bytes").expect("file");
    std::fs::write(pkg.join(format!("{HASHED_WASM}.gz")), b"gzip bytes").expect("file");
    std::fs::write(pkg.join("loader.js"), b"export const x = 1;\n").expect("file");
    let public = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public");
    for icon in ["favicon.ico", "favicon.svg"] {
        std::fs::copy(public.join(icon), root.join(icon)).expect("favicon");
    }
    root
}

async fn router_at(root: &std::path::Path) -> Router {
    let options = LeptosOptions::builder()
        .output_name("sitepilot")
        .site_root(root.to_str().expect("utf-8 path"))
        .build();
    let config = server::config::ServerConfig {
        leptos: options,
        ..crate::common::config()
    };
    crate::common::build(&config, pool().await)
}

#[tokio::test]
async fn precompressed_files_follow_accept_encoding_and_hashed_ones_are_immutable() {
    let root = site_root();
    let router = router_at(&root).await;
    let path = format!("/pkg/{HASHED_WASM}");

    for (accept, encoding, body) in [
        ("gzip, deflate, br, zstd", "br", &b"brotli bytes"[..]),
        ("gzip", "gzip", b"gzip bytes"),
        ("br;q=0, gzip", "gzip", b"gzip bytes"),
        ("identity", "", b"plain wasm bytes"),
    ] {
        let r = get(&router, "127.0.0.1", &path, &[("accept-encoding", accept)]).await;
        assert_eq!(r.status, StatusCode::OK, "{accept}");
        assert_eq!(r.header_str("content-encoding"), encoding, "{accept}");
        assert_eq!(r.body, body, "{accept}");
        assert_eq!(r.header_str("vary").to_ascii_lowercase(), "accept-encoding");
        assert_eq!(
            r.header_str("cache-control"),
            "public, max-age=31536000, immutable"
        );
    }
    // Without Accept-Encoding: the plain file.
    let r = get(&router, "127.0.0.1", &path, &[]).await;
    assert_eq!(r.body, b"plain wasm bytes");

    // An unhashed file may change under its name: revalidated every time.
    let r = get(&router, "127.0.0.1", "/pkg/loader.js", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header_str("cache-control"), "no-cache");
    let since = r.header_str("last-modified").to_string();
    let again = get(
        &router,
        "127.0.0.1",
        "/pkg/loader.js",
        &[("if-modified-since", &since)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    // The same files on a site host (the visitor pages use the stylesheet under /pkg/).
    let r = get(
        &router,
        "demo.localhost",
        &path,
        &[("accept-encoding", "br")],
    )
    .await;
    assert_eq!(r.header_str("content-encoding"), "br");
    assert_eq!(
        r.header_str("cache-control"),
        "public, max-age=31536000, immutable"
    );

    // A missing file is the app's "not found" page, never cached as a file.
    let r = get(
        &router,
        "127.0.0.1",
        "/pkg/nope.AbCdEfGhIjKlMnOpQrStUv.js",
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_ne!(
        r.header_str("cache-control"),
        "public, max-age=31536000, immutable"
    );
    std::fs::remove_dir_all(&root).ok();
}

#[tokio::test]
async fn the_favicon_is_served_on_the_app_and_on_site_hosts() {
    let root = site_root();
    let router = router_at(&root).await;
    for host in ["127.0.0.1", "demo.localhost", "www.example.com"] {
        let r = get(&router, host, "/favicon.ico", &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{host}");
        assert_eq!(r.header_str("content-type"), "image/x-icon", "{host}");
        assert_eq!(r.header_str("cache-control"), "public, max-age=86400");
        assert_eq!(&r.body[..4], &[0, 0, 1, 0], "an ICO file");
        let r = get(&router, host, "/favicon.svg", &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{host}");
        assert_eq!(r.header_str("content-type"), "image/svg+xml");
    }
    std::fs::remove_dir_all(&root).ok();
}

#[tokio::test]
async fn app_html_and_json_are_compressed_when_asked_for() {
    let pool = pool().await;
    let router = crate::common::router(pool.clone());

    // The landing page: HTML, never cached without revalidation.
    let plain = get(&router, "127.0.0.1", "/", &[]).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header_str("content-encoding"), "");
    assert_eq!(plain.header_str("cache-control"), "private, no-cache");
    for (accept, encoding) in [("gzip, deflate, br, zstd", "br"), ("gzip", "gzip")] {
        let r = get(&router, "127.0.0.1", "/", &[("accept-encoding", accept)]).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header_str("content-encoding"), encoding, "{accept}");
        assert!(r
            .header_str("vary")
            .to_ascii_lowercase()
            .contains("accept-encoding"));
        assert_eq!(r.header_str("cache-control"), "private, no-cache");
        let html = String::from_utf8(r.decoded()).expect("utf-8");
        assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
        assert!(
            html.contains(r#"rel="icon""#),
            "the shell links the favicon"
        );
        assert!(r.body.len() < html.len());
    }

    // A server function's JSON answer (the builder's page load, several KB).
    let a = account(&pool, &unique("Wire ")).await;
    let cookie = cookie_for(&a);
    let page_id = a.home_page_id;
    let req = |accept: Option<&str>| {
        let mut r = Request::post("/api/builder/load")
            .header(header::HOST, "127.0.0.1")
            .header(header::ORIGIN, crate::common::APP_ORIGIN)
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(a) = accept {
            r = r.header(header::ACCEPT_ENCODING, a);
        }
        r.body(Body::from(format!("page_id={page_id}")))
            .expect("request")
    };
    let plain = send_raw(&router, req(None)).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.body.len() > 1024, "{} bytes", plain.body.len());
    let br = send_raw(&router, req(Some("br, gzip"))).await;
    assert_eq!(br.status, StatusCode::OK);
    assert_eq!(br.header_str("content-encoding"), "br");
    assert!(br
        .header_str("content-type")
        .starts_with("application/json"));
    let json: serde_json::Value = serde_json::from_slice(&br.decoded()).expect("json");
    assert!(json.is_object());
    assert!(br.body.len() < plain.body.len());

    // Small answers are not worth compressing.
    let health = get(
        &router,
        "127.0.0.1",
        "/healthz",
        &[("accept-encoding", "br")],
    )
    .await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.header_str("content-encoding"), "");
}

#[tokio::test]
async fn visitor_pages_are_compressed_once_and_served_from_the_cache() {
    let pool = pool().await;
    let router = crate::common::router(pool.clone());
    let s = published_site(&router, &pool, "Wire Co").await;
    let hot = eventually(&router, &s.host, "/", "cache hit", |g| {
        g.header("x-sitepilot-cache") == "hit"
    })
    .await;
    let html = hot.body.clone();
    assert!(html.contains(r#"rel="icon""#), "the page links the favicon");
    assert_eq!(hot.header("vary"), "accept-encoding");

    let br = get(
        &router,
        &s.host,
        "/",
        &[("accept-encoding", "gzip, deflate, br")],
    )
    .await;
    assert_eq!(br.status, StatusCode::OK);
    assert_eq!(br.header_str("x-sitepilot-cache"), "hit");
    assert_eq!(br.header_str("content-encoding"), "br");
    assert_eq!(br.header_str("vary"), "accept-encoding");
    assert_eq!(br.header_str("content-length"), br.body.len().to_string());
    assert_eq!(br.decoded(), html.as_bytes());
    assert!(
        br.body.len() * 3 < html.len(),
        "{} vs {}",
        br.body.len(),
        html.len()
    );
    // The same bytes every time: compressed once, not per request.
    let br2 = get(&router, &s.host, "/", &[("accept-encoding", "br")]).await;
    assert_eq!(br2.body, br.body);

    let gz = get(&router, &s.host, "/", &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.header_str("content-encoding"), "gzip");
    assert_eq!(gz.decoded(), html.as_bytes());

    // Each form has its own ETag, and revalidating one gives a 304.
    let tags = [
        hot.header("etag"),
        br.header_str("etag").to_string(),
        gz.header_str("etag").to_string(),
    ];
    assert_ne!(tags[0], tags[1]);
    assert_ne!(tags[1], tags[2]);
    let again = get(
        &router,
        &s.host,
        "/",
        &[
            ("accept-encoding", "br"),
            ("if-none-match", br.header_str("etag")),
        ],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());

    // The path form on the app host answers compressed too (no second compression).
    let by_path = get(
        &router,
        "127.0.0.1",
        &format!("/sites/{}/", s.a.subdomain),
        &[("accept-encoding", "br")],
    )
    .await;
    assert_eq!(by_path.status, StatusCode::OK);
    assert_eq!(by_path.header_str("content-encoding"), "br");
    let page = String::from_utf8(by_path.decoded()).expect("utf-8");
    assert!(page.starts_with("<!DOCTYPE html>"));
}
