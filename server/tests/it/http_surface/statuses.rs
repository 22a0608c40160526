//! Each `AppError` answers with its own status (`AppError::status`), the typed body intact.

use app::error::AppError;
use app::model::{BlockProps, ComponentKind};
use axum::http::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use super::raw;
use crate::common::*;

fn assert_status(reply: &Reply, want: u16, what: &str) -> AppError {
    let err = reply.error();
    assert_eq!(reply.status.as_u16(), want, "{what}: {err:?}");
    assert_eq!(err.status(), want, "{what}: {err:?}");
    err
}

#[tokio::test]
async fn each_error_kind_has_its_status() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Status Cafe").await;
    let owner = cookie_for(&a);

    // 401: no session.
    let r = call_json(
        &router,
        "/api/pages/list",
        None,
        json!({ "website_id": a.website_id }),
    )
    .await;
    assert!(matches!(
        assert_status(&r, 401, "no session"),
        AppError::Unauthorized
    ));

    // 403: a viewer edits.
    let viewer = member_cookie(&pool, &a, "viewer").await;
    let r = call_json(
        &router,
        "/api/pages/create",
        Some(&viewer),
        json!({ "website_id": a.website_id, "title": "X", "slug": "/x" }),
    )
    .await;
    assert!(matches!(
        assert_status(&r, 403, "viewer"),
        AppError::Forbidden(_)
    ));

    // 404: an unknown page.
    let r = call_form(
        &router,
        "/api/builder/load",
        Some(&owner),
        &[("page_id", &Uuid::new_v4().to_string())],
    )
    .await;
    assert!(matches!(
        assert_status(&r, 404, "unknown page"),
        AppError::NotFound(_)
    ));

    // 400: a field error.
    let r = call_json(
        &router,
        "/api/pages/create",
        Some(&owner),
        json!({ "website_id": a.website_id, "title": "X", "slug": "no slash and spaces" }),
    )
    .await;
    assert!(matches!(
        assert_status(&r, 400, "bad slug"),
        AppError::Invalid { .. }
    ));

    // 409: a stale revision.
    let data = load_page(&router, &owner, a.home_page_id).await;
    let stale = insert(
        &router,
        &owner,
        a.home_page_id,
        BlockProps::starter(ComponentKind::Cta),
        None,
        data.revision - 1,
    )
    .await;
    assert!(matches!(
        assert_status(&stale.reply, 409, "stale revision"),
        AppError::Conflict { .. }
    ));

    // 402: a plan limit (Starter allows one website).
    let r = call_json(
        &router,
        "/api/websites/create",
        Some(&owner),
        json!({ "name": "Second", "subdomain": unique("st-") }),
    )
    .await;
    assert!(matches!(
        assert_status(&r, 402, "plan limit"),
        AppError::LimitReached { .. }
    ));

    // A wrong password keeps its message and gets a 4xx.
    let r = call_form(
        &router,
        "/api/login",
        None,
        &[
            ("email", "nobody@example.com"),
            ("password", "wrong-password-1"),
        ],
    )
    .await;
    let err = r.error();
    assert_eq!(r.status.as_u16(), err.status(), "{err:?}");
    assert!(r.status.is_client_error(), "{}", r.status);
}

#[tokio::test]
async fn unknown_api_paths_answer_a_typed_404() {
    let pool = pool().await;
    let router = router(pool);
    for method in [Method::GET, Method::POST, Method::DELETE] {
        let r = raw(
            &router,
            method.clone(),
            "/api/no/such/function",
            &[("origin", APP_ORIGIN), ("content-type", "application/json")],
            "{}",
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method}: {}", r.text());
        assert!(
            matches!(r.error(), AppError::NotFound(_)),
            "{method}: {}",
            r.text()
        );
    }
}

#[tokio::test]
async fn a_plain_form_post_that_fails_is_still_redirected_back() {
    // Without JavaScript the log-in form posts with Accept: text/html; the error comes back in
    // the URL of a redirect to the form, which shows it (server_fn's form redirects).
    let pool = pool().await;
    let router = router(pool);
    let r = raw(
        &router,
        Method::POST,
        "/api/login",
        &[
            ("origin", APP_ORIGIN),
            ("sec-fetch-site", "same-origin"),
            ("content-type", "application/x-www-form-urlencoded"),
            ("accept", "text/html,application/xhtml+xml"),
            ("referer", "http://127.0.0.1:3000/login"),
        ],
        "email=nobody%40example.com&password=wrong-password-1",
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text());
    let location = r.header("location").expect("location");
    assert!(
        location.starts_with("http://127.0.0.1:3000/login?") && location.contains("__err="),
        "{location}"
    );
}
