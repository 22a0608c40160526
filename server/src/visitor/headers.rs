//! Response headers of the visitor site: the Content-Security-Policy and companions on every
//! response, and the caching headers of rendered pages.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

use super::cache::Rendered;

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
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    res
}

fn with_type(status: StatusCode, content_type: &'static str, body: Body) -> Response {
    let mut res = Response::new(body);
    *res.status_mut() = status;
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

/// An HTML page that is not cached by browsers or shared caches (errors, 403, 404).
pub fn html(status: StatusCode, body: String) -> Response {
    let mut res = with_type(status, "text/html; charset=utf-8", Body::from(body));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `robots.txt` and `sitemap.xml`: cheap to build, may be cached briefly.
pub fn text(content_type: &'static str, body: String) -> Response {
    let mut res = with_type(StatusCode::OK, content_type, Body::from(body));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    res
}

/// Whether an `If-None-Match` value names `etag` (or is `*`).
fn matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == etag)
}

/// A rendered page, or 304 when the browser already has these bytes. Browsers revalidate on
/// every view (`max-age=0`), so a new publish shows at once, and a revalidation costs nothing
/// but the headers. `x-sitepilot-cache` says whether the server answered from memory alone.
pub fn page(rendered: &Rendered, if_none_match: Option<&str>, hit: bool) -> Response {
    let not_modified = if_none_match.is_some_and(|v| matches(v, &rendered.etag));
    let mut res = if not_modified {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        with_type(StatusCode::OK, "text/html; charset=utf-8", Body::from(rendered.html.clone()))
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&rendered.etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=0, must-revalidate"));
    h.insert("x-sitepilot-cache", HeaderValue::from_static(if hit { "hit" } else { "miss" }));
    res
}
