//! Security headers of the app's own responses (pages, API, static files).
//!
//! Pages get a strict Content-Security-Policy. Scripts run only from the app's origin and from
//! the inline hydration script, which carries the per-request nonce Leptos puts on it; the
//! app's shell passes that nonce out in [`app::CSP_NONCE_HEADER`], and it is removed here. The
//! lazily loaded route and panel chunks are `import()`s of `/pkg/…`, covered by `'self'`, and
//! WebAssembly needs `'wasm-unsafe-eval'`. Styles allow inline `style` attributes (branding
//! variables, checked colours). Images, media and frames are what the block renderers put on
//! the builder's canvas: images from https, `data:` and `blob:`, the video and map players, and
//! the custom HTML block's sandboxed `srcdoc` frame (it inherits this policy, so tenant HTML
//! runs no inline script in the builder either, as on the visitor site).
//!
//! A response that already has a policy (the visitor path form `/sites/…`, deployment
//! previews) keeps its own headers.

use std::sync::Arc;

use app::state::Config;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of app pages, for a nonce (or none).
pub fn csp(nonce: Option<&str>) -> String {
    let nonce = nonce
        .filter(|n| {
            n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=-_".contains(&b))
        })
        .map(|n| format!(" 'nonce-{n}'"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{nonce}; \
style-src 'self' 'unsafe-inline'; img-src 'self' https: data: blob:; media-src 'self' https:; \
font-src 'self' https: data:; connect-src 'self'; worker-src 'self'; \
frame-src 'self' https://www.youtube-nocookie.com https://player.vimeo.com https://www.openstreetmap.org; \
child-src 'self' https://www.youtube-nocookie.com https://player.vimeo.com https://www.openstreetmap.org; \
object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

pub const HSTS: &str = "max-age=31536000";

pub async fn apply(State(config): State<Arc<Config>>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let nonce = h.remove(app::CSP_NONCE_HEADER);
    if h.contains_key(header::CONTENT_SECURITY_POLICY) {
        return res;
    }
    secure(h, nonce.as_ref().and_then(|v| v.to_str().ok()), config.hsts);
    res
}

/// Adds the headers to an app response.
fn secure(h: &mut HeaderMap, nonce: Option<&str>, hsts: bool) {
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html {
        if let Ok(v) = HeaderValue::from_str(&csp(nonce)) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    if hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::csp;

    #[test]
    fn nonce_lands_in_script_src_only_when_well_formed() {
        assert!(csp(Some("abc-_123"))
            .contains("script-src 'self' 'wasm-unsafe-eval' 'nonce-abc-_123';"));
        assert!(!csp(Some("a'; script-src *")).contains("nonce"));
        assert!(csp(None).contains("frame-ancestors 'none'"));
    }
}
