//! The app host's HTTP rules, applied around the app router in one call ([`wrap`]):
//! - `csrf`: state-changing requests come from the app's own origin, JSON or form bodies only;
//! - `api_errors`: server-function errors carry the status of their `AppError`, and unknown
//!   `/api/…` paths answer a typed 404;
//! - `security_headers`: CSP with a per-request nonce, framing, sniffing, referrer and HSTS.
//!
//!
//! Beside them: `client_ip` (the client behind trusted proxies), `limits` (connection limit and
//! timeouts of the accept loop), `static_files` (cache headers) and `compression`.
//!
//! Site hosts never reach these layers (`visitor::split` sends them elsewhere); the visitor
//! path form `/sites/{subdomain}/…` keeps the visitor headers it sets itself.

pub mod api_errors;
pub mod client_ip;
pub mod compression;
pub mod csrf;
pub mod download;
pub mod limits;
pub mod security_headers;
pub mod static_files;

use std::sync::Arc;

use app::state::Config;
use axum::routing::any;
use axum::{middleware, Router};

/// The app router with the rules of this module around it (outermost first: security headers,
/// cross-site refusal, API error statuses).
pub fn wrap(router: Router, config: &Arc<Config>) -> Router {
    router
        .route("/api/{*rest}", any(api_errors::unknown_api))
        .layer(middleware::from_fn(api_errors::status_from_error))
        .layer(middleware::from_fn_with_state(
            Arc::clone(config),
            csrf::refuse_cross_site,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(config),
            security_headers::apply,
        ))
}

/// `SITEPILOT_PUBLIC_URL` as an origin: `http(s)://host[:port]`, lowercased, without a
/// trailing slash. A path, query or other scheme is refused: the value is compared with the
/// browser's `Origin` header, which never carries one.
pub fn parse_public_url(url: &str) -> Result<String, String> {
    let bad =
        || format!("SITEPILOT_PUBLIC_URL must look like https://app.example.com (got '{url}')");
    let trimmed = url.trim().trim_end_matches('/');
    let lower = trimmed.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(bad)?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err(bad());
    }
    Ok(lower)
}

#[cfg(test)]
mod tests {
    use super::parse_public_url;

    #[test]
    fn public_url_is_an_origin() {
        assert_eq!(
            parse_public_url("http://127.0.0.1:3000/").as_deref(),
            Ok("http://127.0.0.1:3000")
        );
        assert_eq!(
            parse_public_url("https://App.Example.com").as_deref(),
            Ok("https://app.example.com")
        );
        for bad in [
            "",
            "app.example.com",
            "https://",
            "https://a.com/app",
            "ftp://a.com",
        ] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
    }
}
