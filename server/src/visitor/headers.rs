//! Response headers of the visitor site: the Content-Security-Policy and companions on every
//! response, and the caching headers of rendered pages.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

use super::cache::Rendered;
use super::encoded::Coding;

/// The visitor sites' policy. No inline script at all (JSON-LD is data, not run) and scripts
/// only from the site's own origin (the analytics beacon `/_sp/beacon.js`). Styles allow
/// inline `style` attributes, which carry branding variables and checked colours. Frames: the
/// site itself, the video and map players the blocks build, and the custom HTML block's
/// `srcdoc` frame (sandboxed without `allow-same-origin`; it inherits this policy, so tenant
/// HTML cannot run inline scripts either). Forms post only to the site (password unlock,
/// contact form).
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' https: data:; media-src 'self' https:; font-src 'self' https: data:; connect-src 'self'; \
frame-src 'self' https://www.youtube-nocookie.com https://player.vimeo.com https://www.openstreetmap.org; \
child-src 'self' https://www.youtube-nocookie.com https://player.vimeo.com https://www.openstreetmap.org; \
form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'self'";

/// Adds the security headers every visitor response carries.
pub fn secure(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    res
}

fn with_type(status: StatusCode, content_type: &'static str, body: Body) -> Response {
    let mut res = Response::new(body);
    *res.status_mut() = status;
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

/// An HTML page that is not cached by browsers or shared caches (errors, 403, 404).
pub fn html(status: StatusCode, body: String) -> Response {
    let mut res = with_type(status, "text/html; charset=utf-8", Body::from(body));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `robots.txt` and `sitemap.xml`: cheap to build, may be cached briefly.
pub fn text(content_type: &'static str, body: String) -> Response {
    let mut res = with_type(StatusCode::OK, content_type, Body::from(body));
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    res
}

/// Whether an `If-None-Match` value names `etag` (or is `*`).
fn matches(if_none_match: &[u8], etag: &[u8]) -> bool {
    if_none_match
        .split(|b| *b == b',')
        .map(|t| t.trim_ascii())
        .any(|t| t == b"*" || t.strip_prefix(b"W/").unwrap_or(t) == etag)
}

/// Every header of a rendered page answered with 200 from memory, built once when the page is
/// rendered: the security headers, type, length, ETag and caching. Browsers revalidate on every
/// view (`max-age=0`), so a new publish shows at once, and a revalidation costs nothing but the
/// headers. `x-sitepilot-cache` says whether the server answered from memory alone.
pub fn rendered(etag: &HeaderValue, len: usize, coding: Option<Coding>) -> HeaderMap {
    let mut h = HeaderMap::with_capacity(11);
    match coding {
        Some(Coding::Br) => h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br")),
        Some(Coding::Gzip) => h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
        _ => None,
    };
    // Every form says it depends on Accept-Encoding, so shared caches keep them apart.
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::ETAG, etag.clone());
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=0, must-revalidate"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(CACHE_STATUS, HeaderValue::from_static("hit"));
    h
}

const CACHE_STATUS: &str = "x-sitepilot-cache";

/// A rendered page in the best encoding `accept_encoding` allows, or 304 when the browser
/// already has these bytes. The header map is a copy of the precomputed one; the body shares
/// the cached bytes.
pub fn page(
    rendered: &Rendered,
    accept_encoding: Option<&HeaderValue>,
    if_none_match: Option<&HeaderValue>,
    hit: bool,
) -> Response {
    let variant = rendered.variant(accept_encoding);
    let not_modified =
        if_none_match.is_some_and(|v| matches(v.as_bytes(), variant.etag.as_bytes()));
    let mut res = if not_modified {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        *r.headers_mut() = variant.headers.clone();
        r.headers_mut().remove(header::CONTENT_LENGTH);
        r.headers_mut().remove(header::CONTENT_TYPE);
        r.headers_mut().remove(header::CONTENT_ENCODING);
        r
    } else {
        let mut r = Response::new(Body::from(variant.body.clone()));
        *r.headers_mut() = variant.headers.clone();
        r
    };
    if !hit {
        res.headers_mut()
            .insert(CACHE_STATUS, HeaderValue::from_static("miss"));
    }
    res
}
