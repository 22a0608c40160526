//! Security headers of app pages: a strict CSP whose nonce is the one on the page's hydration
//! script, framing refused, no sniffing, a referrer policy, a permissions policy, HSTS in prod.
//! Visitor pages on the path form keep their own policy.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{raw, Raw};
use crate::common::*;

fn assert_app_headers(r: &Raw, what: &str) -> String {
    let csp = r
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP"))
        .to_string();
    for part in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval' 'nonce-",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(part), "{what}: {part} missing in {csp}");
    }
    assert!(!csp.contains("'unsafe-eval'") && !csp.contains("script-src 'self' 'unsafe-inline'"));
    assert_eq!(r.header("x-frame-options"), Some("DENY"), "{what}");
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        r.header("referrer-policy"),
        Some("strict-origin-when-cross-origin"),
        "{what}"
    );
    assert!(r.header("permissions-policy").is_some(), "{what}");
    assert!(
        r.header(app::CSP_NONCE_HEADER).is_none(),
        "{what}: nonce header leaked"
    );
    // Every inline script on the page carries the policy's nonce.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("nonce")
        .to_string();
    assert!(nonce.len() >= 16, "{what}: nonce {nonce}");
    let html = r.text();
    let scripts = html.matches("<script").count();
    let nonced = html.matches(&format!("nonce=\"{nonce}\"")).count();
    assert!(scripts > 0, "{what}: no scripts in {html}");
    assert!(
        nonced >= scripts,
        "{what}: {scripts} scripts, {nonced} with the nonce: {html}"
    );
    nonce
}

#[tokio::test]
async fn app_pages_send_a_strict_policy_with_a_fresh_nonce() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Headers Cafe").await;
    let cookie = cookie_for(&a);
    let mut nonces = Vec::new();
    for path in [
        "/login".to_string(),
        "/".into(),
        "/dashboard".into(),
        "/billing".into(),
        format!("/builder/{}", a.home_page_id),
        "/no-such-page".into(),
    ] {
        let r = raw(&router, Method::GET, &path, &[("cookie", &cookie)], "").await;
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::NOT_FOUND,
            "{path}: {}",
            r.status
        );
        nonces.push(assert_app_headers(&r, &path));
        assert!(
            r.header("strict-transport-security").is_none(),
            "{path}: HSTS in dev"
        );
    }
    let distinct: std::collections::HashSet<_> = nonces.iter().collect();
    assert_eq!(distinct.len(), nonces.len(), "nonces repeat: {nonces:?}");

    // API answers carry the companions (no page, so no policy is needed).
    let r = raw(
        &router,
        Method::POST,
        "/api/me",
        &[
            ("origin", APP_ORIGIN),
            ("cookie", &cookie),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        "",
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
}

#[tokio::test]
async fn production_adds_hsts() {
    let pool = pool().await;
    let config = server::config::ServerConfig {
        deployment: server::config::Deployment::Prod,
        secure_cookies: true,
        public_url: Some("https://app.example.com".into()),
        ..crate::common::config()
    };
    let router = crate::common::build(&config, pool);
    let r = raw(&router, Method::GET, "/login", &[], "").await;
    assert_eq!(
        r.header("strict-transport-security"),
        Some(server::http::security_headers::HSTS)
    );
    // The configured origin is the one accepted.
    let form = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("cookie", "a=b"),
    ];
    let mut ok = form.to_vec();
    ok.push(("origin", "https://app.example.com"));
    let r = raw(&router, Method::POST, "/api/me", &ok, "").await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text());
    let mut old = form.to_vec();
    old.push(("origin", APP_ORIGIN));
    let r = raw(&router, Method::POST, "/api/me", &old, "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn visitor_pages_on_the_path_form_keep_their_own_policy() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Path Form Headers").await;
    let r = call_json(
        &router,
        "/api/websites/publish",
        Some(&cookie_for(&a)),
        json!({ "website_id": a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = raw(
        &router,
        Method::GET,
        &format!("/sites/{}/", a.subdomain),
        &[],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let csp = r.header("content-security-policy").expect("visitor CSP");
    assert!(
        csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'self'"),
        "{csp}"
    );
    assert!(r.header("x-frame-options").is_none());
}
