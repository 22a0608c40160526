//! Cross-site request refusal on the app host.
//!
//! A request that is not GET, HEAD or OPTIONS is refused with 403 (a typed `Forbidden`) when
//! - its `Origin` is present and is not the app's own origin (`SITEPILOT_PUBLIC_URL`), or
//! - its `Sec-Fetch-Site` is `cross-site` or `same-site` (visitor sites are sibling subdomains
//!   of the app's domain, so same-site is not good enough), or
//! - it has neither header and carries a `Cookie`. Browsers send `Origin` on every POST, so a
//!   request without both headers is from a non-browser client; such a client is served only
//!   without cookies, that is without a session (sign-up and log-in from scripts still work,
//!   and a script that wants to act as a user sends the app's `Origin`).
//!
//! Routes meant for other origins are exempt: the Stripe webhook, the analytics beacon
//! (`/_sp/…`) and the visitor path form `/sites/{subdomain}/…` (its forms post to itself).
//!
//! Server functions also take only `application/json` or form-encoded bodies (415 otherwise):
//! `text/plain` and `multipart/form-data` are what a foreign page can post without a preflight.
//! A JSON server function additionally refuses a form-encoded body (`app::api::wire`).

use std::sync::Arc;

use app::error::AppError;
use app::state::Config;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::api_errors::typed;

/// Paths that other origins post to on purpose.
fn exempt(path: &str) -> bool {
    path == crate::stripe::PATH
        || path.starts_with("/_sp/")
        || path == "/sites"
        || path.starts_with("/sites/")
}

/// Why a state-changing request is refused, or `None` when it may go on.
pub fn refusal(method: &Method, path: &str, headers: &HeaderMap, own: &str) -> Option<AppError> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) || exempt(path) {
        return None;
    }
    let origin = headers.get(header::ORIGIN).map(|v| v.as_bytes());
    if let Some(origin) = origin {
        if !origin.eq_ignore_ascii_case(own.as_bytes()) {
            return Some(AppError::forbidden(
                "This request came from another site and was refused.",
            ));
        }
    }
    let fetch_site = headers.get("sec-fetch-site").map(|v| v.as_bytes());
    if matches!(fetch_site, Some(b"cross-site" | b"same-site")) {
        return Some(AppError::forbidden(
            "This request came from another site and was refused.",
        ));
    }
    if origin.is_none() && fetch_site.is_none() && headers.contains_key(header::COOKIE) {
        return Some(AppError::forbidden(
            "A request with cookies must say where it comes from (Origin header).",
        ));
    }
    // The REST API (bearer keys, no cookies) reads its bodies as JSON itself; a request
    // without a body (DELETE, a bare publish) needs no type.
    let rest_without_type =
        path.starts_with("/api/v1/") && !headers.contains_key(header::CONTENT_TYPE);
    if path.starts_with("/api/") && !rest_without_type && !accepted_body_type(headers) {
        return Some(AppError::invalid(
            "request",
            "Send the request as application/json (or a form).",
        ));
    }
    None
}

/// `application/json` or `application/x-www-form-urlencoded`, parameters aside.
fn accepted_body_type(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v == "application/x-www-form-urlencoded")
}

pub async fn refuse_cross_site(
    State(config): State<Arc<Config>>,
    req: Request,
    next: Next,
) -> Response {
    match refusal(
        req.method(),
        req.uri().path(),
        req.headers(),
        &config.public_origin,
    ) {
        None => next.run(req).await,
        Some(err @ AppError::Invalid { .. }) => {
            let mut res = typed(&err);
            *res.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
            res
        }
        Some(err) => {
            tracing::info!(
                path = req.uri().path(),
                origin = ?req.headers().get(header::ORIGIN),
                fetch_site = ?req.headers().get("sec-fetch-site"),
                "cross-site request refused"
            );
            typed(&err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const OWN: &str = "http://127.0.0.1:3000";

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn refused(method: Method, path: &str, pairs: &[(&'static str, &'static str)]) -> bool {
        refusal(&method, path, &headers(pairs), OWN).is_some()
    }

    #[test]
    fn the_rules() {
        let json = ("content-type", "application/json");
        // Reads pass whatever their origin.
        assert!(!refused(
            Method::GET,
            "/dashboard",
            &[("origin", "https://evil.example")]
        ));
        // The app's own requests pass.
        assert!(!refused(
            Method::POST,
            "/api/pages/create",
            &[
                ("origin", OWN),
                ("sec-fetch-site", "same-origin"),
                ("cookie", "a=b"),
                json
            ]
        ));
        assert!(!refused(
            Method::POST,
            "/api/pages/create",
            &[("origin", "HTTP://127.0.0.1:3000"), json]
        ));
        // Another origin, a sibling subdomain, a null origin.
        assert!(refused(
            Method::POST,
            "/api/logout",
            &[("origin", "https://evil.example"), json]
        ));
        assert!(refused(
            Method::POST,
            "/api/logout",
            &[("origin", "null"), json]
        ));
        assert!(refused(
            Method::POST,
            "/api/logout",
            &[("sec-fetch-site", "same-site"), json]
        ));
        assert!(refused(
            Method::DELETE,
            "/api/logout",
            &[("sec-fetch-site", "cross-site"), json]
        ));
        // No Origin: only without cookies.
        assert!(refused(
            Method::POST,
            "/api/logout",
            &[("cookie", "sp_session=x"), json]
        ));
        assert!(!refused(Method::POST, "/api/login", &[json]));
        // Routes meant for other origins.
        for path in [
            "/webhooks/stripe",
            "/_sp/event",
            "/sites/demo/contact",
            "/sites/demo",
        ] {
            assert!(!refused(
                Method::POST,
                path,
                &[
                    ("origin", "https://evil.example"),
                    ("sec-fetch-site", "cross-site")
                ]
            ));
        }
        // Bodies a foreign page could post without a preflight.
        assert!(refused(
            Method::POST,
            "/api/login",
            &[("content-type", "text/plain")]
        ));
        assert!(refused(
            Method::POST,
            "/api/login",
            &[("content-type", "multipart/form-data; boundary=x")]
        ));
        assert!(refused(Method::POST, "/api/login", &[]));
        assert!(!refused(
            Method::POST,
            "/api/login",
            &[(
                "content-type",
                "application/x-www-form-urlencoded; charset=UTF-8"
            )]
        ));
    }
}
