//! State-changing requests to the app must come from the app's own origin; the routes meant
//! for other origins (Stripe webhook, analytics beacon, visitor-site forms) keep working.

use app::error::AppError;
use app::model::{BlockProps, ComponentKind};
use axum::http::{Method, StatusCode};
use serde_json::json;

use super::raw;
use crate::common::*;
use crate::permissions::fixtures::fingerprint;

const JSON: (&str, &str) = ("content-type", "application/json");

#[tokio::test]
async fn cross_site_same_site_and_originless_cookie_posts_are_refused() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Csrf Cafe").await;
    let cookie = cookie_for(&a);
    let body = || {
        json!({ "website_id": a.website_id, "title": "Forged", "slug": format!("/{}", unique("f-")) })
            .to_string()
    };
    let sibling = format!("http://{}.localhost:3000", a.subdomain);
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "cross-site",
            vec![
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
        ),
        (
            "same-site from a visitor site",
            vec![("origin", &sibling), ("sec-fetch-site", "same-site")],
        ),
        (
            "same-site without Origin",
            vec![("sec-fetch-site", "same-site")],
        ),
        ("no Origin, with a cookie", vec![]),
        ("Origin null", vec![("origin", "null")]),
    ];
    let before = fingerprint(&pool, a.tenant_id).await;
    for (what, mut headers) in cases {
        headers.push(("cookie", &cookie));
        headers.push(JSON);
        let r = raw(&router, Method::POST, "/api/pages/create", &headers, body()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}: {}", r.text());
        assert!(matches!(r.error(), AppError::Forbidden(_)), "{what}");
    }
    // Log-out and log-in are plain form posts: the same rule covers them (login CSRF).
    for path in ["/api/logout", "/api/login"] {
        let r = raw(
            &router,
            Method::POST,
            path,
            &[
                ("origin", "https://evil.example"),
                ("content-type", "application/x-www-form-urlencoded"),
                ("accept", "text/html"),
            ],
            "email=a%40b.c&password=whatever-123",
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.text());
    }
    assert_eq!(fingerprint(&pool, a.tenant_id).await, before);

    // The app's own request passes.
    let r = raw(
        &router,
        Method::POST,
        "/api/pages/create",
        &[
            ("origin", APP_ORIGIN),
            ("sec-fetch-site", "same-origin"),
            ("cookie", &cookie),
            JSON,
        ],
        body(),
    )
    .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text());
    // A client without cookies and without Origin (a script signing up) passes too.
    let email = format!("{}@example.com", unique("script-"));
    let r = raw(
        &router,
        Method::POST,
        "/api/signup",
        &[("content-type", "application/x-www-form-urlencoded")],
        format!(
            "full_name=Script&org_name=Script+Co&email={}&password=correct-horse-7",
            urlencode(&email)
        ),
    )
    .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{} {}",
        r.status,
        r.text()
    );
}

#[tokio::test]
async fn json_functions_take_only_json() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Json Only").await;
    let cookie = cookie_for(&a);
    let body = json!({ "website_id": a.website_id }).to_string();
    for (content_type, status) in [
        ("text/plain", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (
            "text/plain;charset=UTF-8",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        ("application/x-www-form-urlencoded", StatusCode::BAD_REQUEST),
    ] {
        let r = raw(
            &router,
            Method::POST,
            "/api/pages/list",
            &[
                ("origin", APP_ORIGIN),
                ("cookie", &cookie),
                ("content-type", content_type),
            ],
            body.clone(),
        )
        .await;
        assert_eq!(r.status, status, "{content_type}: {}", r.text());
        assert!(
            matches!(r.error(), AppError::Invalid { ref field, .. } if field == "request"),
            "{content_type}"
        );
    }
    let r = raw(
        &router,
        Method::POST,
        "/api/pages/list",
        &[
            ("origin", APP_ORIGIN),
            ("cookie", &cookie),
            ("content-type", "application/json; charset=utf-8"),
        ],
        body,
    )
    .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text());
}

#[tokio::test]
async fn webhook_beacon_and_visitor_forms_still_take_foreign_posts() {
    let pool = pool().await;
    let router = router(pool.clone());
    let foreign = [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
        ("cookie", "sp_session=whatever"),
    ];
    // The Stripe webhook judges the signature, not the origin: unsigned is 400, not 403.
    let mut headers = foreign.to_vec();
    headers.push(JSON);
    let r = raw(&router, Method::POST, "/webhooks/stripe", &headers, "{}").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    // The beacon is not judged by the cross-site layer; its own rule (issue 15 §3) refuses a
    // page on another origin, and takes one on the host it posts to.
    let mut headers = foreign.to_vec();
    headers.push(("content-type", "text/plain"));
    let r = raw(&router, Method::POST, "/_sp/event", &headers, "{}").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let own = [
        ("origin", "http://127.0.0.1"),
        ("sec-fetch-site", "same-origin"),
        ("content-type", "text/plain"),
    ];
    let r = raw(&router, Method::POST, "/_sp/event", &own, "{}").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());

    // A contact form on the visitor path form, posted from anywhere, is stored.
    let a = account(&pool, "Foreign Form").await;
    let owner = cookie_for(&a);
    let data = load_page(&router, &owner, a.home_page_id).await;
    let form = insert(
        &router,
        &owner,
        a.home_page_id,
        BlockProps::starter(ComponentKind::ContactForm),
        data.components.get(1).map(|c| c.id),
        data.revision,
    )
    .await
    .ok()
    .component
    .id;
    let r = call_json(
        &router,
        "/api/websites/publish",
        Some(&owner),
        json!({ "website_id": a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let mut headers = foreign.to_vec();
    headers.push(("content-type", "application/x-www-form-urlencoded"));
    let body =
        format!("_sp_form={form}&sp-website=&name=Ann&email=ann%40example.com&message=Hello+there");
    let r = raw(
        &router,
        Method::POST,
        &format!("/sites/{}/", a.subdomain),
        &headers,
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("Thanks!"), "{}", r.text());
}
