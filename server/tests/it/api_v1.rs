//! The REST API v1 (issue 21 parts 2 and 3): page and block writes with `If-Match` (412 with
//! the current revision, 428 without it), the same rules and revisions as the builder,
//! idempotency keys (a retried create happens once, also when two instances race; a reused
//! key with another body is 422), cursor pagination, the per-plan rate limits shared by two
//! instances (`RateLimit-*`, 429 with `Retry-After`), and the OpenAPI document and reference.
//! Every route's scopes, roles and tenant isolation are in `permissions::api_v1`.

use app::db::accounts::NewAccount;
use app::error::AppError;
use app::model::{ApiScope, BuilderData};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;

/// Every v1 route: (method, path as the OpenAPI document writes it).
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/websites"),
    ("get", "/api/v1/websites/{website_id}"),
    ("get", "/api/v1/websites/{website_id}/pages"),
    ("post", "/api/v1/websites/{website_id}/pages"),
    ("get", "/api/v1/pages/{page_id}"),
    ("patch", "/api/v1/pages/{page_id}"),
    ("delete", "/api/v1/pages/{page_id}"),
    ("get", "/api/v1/pages/{page_id}/components"),
    ("post", "/api/v1/pages/{page_id}/components"),
    ("put", "/api/v1/pages/{page_id}/components/{component_id}"),
    ("patch", "/api/v1/pages/{page_id}/components/{component_id}"),
    (
        "delete",
        "/api/v1/pages/{page_id}/components/{component_id}",
    ),
    ("post", "/api/v1/websites/{website_id}/publish"),
    ("post", "/api/v1/websites/{website_id}/rollback"),
    ("get", "/api/v1/websites/{website_id}/deployments"),
    ("get", "/api/v1/form-submissions"),
    ("get", "/api/v1/assets"),
];

/// A key of member `user` of the tenant with `scopes` (the app's own key code).
pub async fn key_for(pool: &PgPool, tenant: Uuid, user: Uuid, scopes: &[ApiScope]) -> String {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    let (key, _) = app::db::api_keys::create(&mut tx, tenant, user, "Test key", scopes, None)
        .await
        .expect("key");
    tx.commit().await.expect("commit");
    key
}

/// One API request: method, path, bearer key, extra headers and an optional JSON body.
pub async fn api(
    router: &Router,
    method: Method,
    path: &str,
    key: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Raw {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1");
    if let Some(k) = key {
        req = req.header(header::AUTHORIZATION, format!("Bearer {k}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let body = match body {
        Some(b) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    send_raw(router, req.body(body).expect("request")).await
}

fn ok_json(r: &Raw) -> Value {
    assert!(r.status.is_success(), "{} {}", r.status, r.text());
    serde_json::from_slice(&r.body).expect("json")
}

fn etag(r: &Raw) -> String {
    r.header("etag").expect("ETag").to_string()
}

async fn builder(router: &Router, cookie: &str, page: Uuid) -> BuilderData {
    call_form(
        router,
        "/api/builder/load",
        Some(cookie),
        &[("page_id", &page.to_string())],
    )
    .await
    .json()
}

struct Setup {
    pool: PgPool,
    router: Router,
    a: NewAccount,
    cookie: String,
    key: String,
}

async fn setup(name: &str, scopes: &[ApiScope]) -> Setup {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, name).await;
    set_plan(&pool, a.tenant_id, PRO).await;
    let key = key_for(&pool, a.tenant_id, a.user_id, scopes).await;
    Setup {
        cookie: cookie_for(&a),
        pool,
        router,
        a,
        key,
    }
}

const ALL: &[ApiScope] = &ApiScope::ALL;

#[tokio::test]
async fn block_writes_need_if_match_and_a_stale_revision_gets_412_with_the_current_one() {
    let s = setup("If-Match Bakery", ALL).await;
    let page = s.a.home_page_id;
    let path = format!("/api/v1/pages/{page}/components");
    let r = api(&s.router, Method::GET, &path, Some(&s.key), &[], None).await;
    let content = ok_json(&r);
    let rev = content["revision"].as_i64().expect("revision");
    assert_eq!(etag(&r), format!("\"{rev}\""));
    let first = &content["data"][0];
    let cid = first["id"].as_str().expect("id").to_string();
    let block = first["block"].clone();
    let second_id = content["data"][1]["id"].as_str().expect("id").to_string();
    let one = format!("{path}/{cid}");

    // A write without If-Match: 428, nothing saved.
    let r = api(
        &s.router,
        Method::PUT,
        &one,
        Some(&s.key),
        &[],
        Some(&block),
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED, "{}", r.text());
    assert!(matches!(r.error(), AppError::PreconditionRequired(_)));
    assert_eq!(builder(&s.router, &s.cookie, page).await.revision, rev);

    // The builder's validators: a block with a bad property is refused with 400.
    let mut bad = block.clone();
    if let Some(props) = bad["props"].as_object_mut() {
        for v in props.values_mut() {
            if v.is_string() {
                *v = json!("x".repeat(100_000));
            }
        }
    }
    let tag = format!("\"{rev}\"");
    let r = api(
        &s.router,
        Method::PUT,
        &one,
        Some(&s.key),
        &[("if-match", &tag)],
        Some(&bad),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert!(matches!(r.error(), AppError::Invalid { .. }));

    // The current ETag: saved, the answer carries the next one, and the builder sees it.
    let r = api(
        &s.router,
        Method::PUT,
        &one,
        Some(&s.key),
        &[("if-match", &tag)],
        Some(&block),
    )
    .await;
    let ack = ok_json(&r);
    assert_eq!(ack["revision"].as_i64(), Some(rev + 1));
    assert_eq!(etag(&r), format!("\"{}\"", rev + 1));
    assert_eq!(builder(&s.router, &s.cookie, page).await.revision, rev + 1);

    // The old ETag again: 412 with the current revision, nothing saved.
    let r = api(
        &s.router,
        Method::PUT,
        &one,
        Some(&s.key),
        &[("if-match", &tag)],
        Some(&block),
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.text());
    assert_eq!(
        r.error(),
        AppError::PreconditionFailed {
            current_revision: rev + 1
        }
    );

    // A builder edit moves the revision; the API client's ETag is then stale too.
    let r = call_json(
        &s.router,
        "/api/builder/flags",
        Some(&s.cookie),
        json!({ "page_id": page, "component_id": cid, "is_visible": false, "is_locked": null, "base_revision": rev + 1 }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let stale = format!("\"{}\"", rev + 1);
    let r = api(
        &s.router,
        Method::PATCH,
        &one,
        Some(&s.key),
        &[("if-match", &stale)],
        Some(&json!({ "is_visible": true })),
    )
    .await;
    assert_eq!(
        r.error(),
        AppError::PreconditionFailed {
            current_revision: rev + 2
        }
    );
    let fresh = format!("W/\"{}\"", rev + 2);
    let r = api(
        &s.router,
        Method::PATCH,
        &one,
        Some(&s.key),
        &[("if-match", &fresh)],
        Some(&json!({ "is_visible": true, "after": second_id })),
    )
    .await;
    // Flags and a move: two revisions in one request.
    assert_eq!(ok_json(&r)["revision"].as_i64(), Some(rev + 4));
    let data = builder(&s.router, &s.cookie, page).await;
    assert!(data
        .components
        .iter()
        .any(|c| c.id.to_string() == cid && c.is_visible));
    assert_eq!(data.components[1].id.to_string(), cid);

    // Insert a block, then delete it.
    let block = serde_json::to_value(app::model::BlockProps::starter(
        app::model::ComponentKind::Cta,
    ))
    .expect("block");
    let new_id = Uuid::new_v4();
    let tag = format!("\"{}\"", rev + 4);
    let r = api(
        &s.router,
        Method::POST,
        &path,
        Some(&s.key),
        &[("if-match", &tag)],
        Some(&json!({ "block": { "id": new_id, "block": block, "is_visible": true, "is_locked": false }, "after": cid })),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let tag = etag(&r);
    let r = api(
        &s.router,
        Method::DELETE,
        &format!("{path}/{new_id}"),
        Some(&s.key),
        &[("if-match", &tag)],
        None,
    )
    .await;
    assert_eq!(ok_json(&r)["revision"].as_i64(), Some(rev + 6));
    assert!(!builder(&s.router, &s.cookie, page)
        .await
        .components
        .iter()
        .any(|c| c.id == new_id));
}

#[tokio::test]
async fn pages_are_created_read_changed_and_deleted_with_their_settings_revision() {
    let s = setup("Page CRUD Bakery", ALL).await;
    let w = s.a.website_id;
    let r = api(
        &s.router,
        Method::POST,
        &format!("/api/v1/websites/{w}/pages"),
        Some(&s.key),
        &[],
        Some(&json!({ "title": "Menu", "slug": "/menu" })),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let page = ok_json(&r);
    let id = page["id"].as_str().expect("id").to_string();
    assert_eq!(page["slug"], "/menu");
    let tag = etag(&r);

    // The builder's slug rules: a taken address is 400 on its field.
    let r = api(
        &s.router,
        Method::POST,
        &format!("/api/v1/websites/{w}/pages"),
        Some(&s.key),
        &[],
        Some(&json!({ "title": "Menu again", "slug": "/menu" })),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.error().field(), Some("slug"));

    let one = format!("/api/v1/pages/{id}");
    let r = api(&s.router, Method::GET, &one, Some(&s.key), &[], None).await;
    assert_eq!(ok_json(&r)["title"], "Menu");
    assert_eq!(etag(&r), tag);

    let patch = json!({ "title": "Our menu" });
    let r = api(
        &s.router,
        Method::PATCH,
        &one,
        Some(&s.key),
        &[],
        Some(&patch),
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    let r = api(
        &s.router,
        Method::PATCH,
        &one,
        Some(&s.key),
        &[("if-match", &tag)],
        Some(&patch),
    )
    .await;
    assert_eq!(ok_json(&r)["title"], "Our menu");
    let next = etag(&r);
    assert_ne!(next, tag);
    let r = api(
        &s.router,
        Method::PATCH,
        &one,
        Some(&s.key),
        &[("if-match", &tag)],
        Some(&patch),
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.text());
    let r = api(
        &s.router,
        Method::PATCH,
        &one,
        Some(&s.key),
        &[("if-match", "nonsense")],
        Some(&patch),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error().field(), Some("If-Match"));

    let r = api(
        &s.router,
        Method::DELETE,
        &one,
        Some(&s.key),
        &[("if-match", &tag)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    let r = api(
        &s.router,
        Method::DELETE,
        &one,
        Some(&s.key),
        &[("if-match", &next)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = api(&s.router, Method::GET, &one, Some(&s.key), &[], None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The home page is never deleted, as in the builder.
    let home = format!("/api/v1/pages/{}", s.a.home_page_id);
    let tag = etag(&api(&s.router, Method::GET, &home, Some(&s.key), &[], None).await);
    let r = api(
        &s.router,
        Method::DELETE,
        &home,
        Some(&s.key),
        &[("if-match", &tag)],
        None,
    )
    .await;
    assert!(r.status.is_client_error(), "{}", r.text());
}

async fn page_count(s: &Setup) -> usize {
    let r = api(
        &s.router,
        Method::GET,
        &format!("/api/v1/websites/{}/pages?limit=100", s.a.website_id),
        Some(&s.key),
        &[],
        None,
    )
    .await;
    ok_json(&r)["data"].as_array().expect("data").len()
}

#[tokio::test]
async fn a_retried_create_with_an_idempotency_key_happens_once_even_across_instances() {
    let s = setup("Idempotent Bakery", ALL).await;
    let second = router(pool().await);
    let path = format!("/api/v1/websites/{}/pages", s.a.website_id);
    let body = json!({ "title": "Catering", "slug": "/catering" });
    let before = page_count(&s).await;

    let first = api(
        &s.router,
        Method::POST,
        &path,
        Some(&s.key),
        &[("idempotency-key", "create-catering-1")],
        Some(&body),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    assert!(first.header("idempotent-replayed").is_none());
    let again = api(
        &second,
        Method::POST,
        &path,
        Some(&s.key),
        &[("idempotency-key", "create-catering-1")],
        Some(&body),
    )
    .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text());
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(ok_json(&again), ok_json(&first));
    assert_eq!(page_count(&s).await, before + 1);

    // The same key with another body: 422, nothing created.
    let other = json!({ "title": "Events", "slug": "/events" });
    let r = api(
        &second,
        Method::POST,
        &path,
        Some(&s.key),
        &[("idempotency-key", "create-catering-1")],
        Some(&other),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.error(), AppError::IdempotencyKeyReused);
    assert_eq!(page_count(&s).await, before + 1);

    // Eight concurrent retries on two instances: one page, eight equal answers.
    let body = json!({ "title": "Events", "slug": "/events" });
    let calls = (0..8).map(|i| {
        let router = if i % 2 == 0 {
            s.router.clone()
        } else {
            second.clone()
        };
        let path = path.clone();
        let key = s.key.clone();
        let body = body.clone();
        async move {
            api(
                &router,
                Method::POST,
                &path,
                Some(&key),
                &[("idempotency-key", "events-once")],
                Some(&body),
            )
            .await
        }
    });
    let replies = futures_util::future::join_all(calls).await;
    let bodies: Vec<Value> = replies.iter().map(ok_json).collect();
    assert!(bodies.iter().all(|b| *b == bodies[0]), "{bodies:?}");
    assert_eq!(
        replies
            .iter()
            .filter(|r| r.header("idempotent-replayed").is_none())
            .count(),
        1
    );
    assert_eq!(page_count(&s).await, before + 2);

    // A failed first attempt stores nothing: the retry runs (and fails the same way here).
    let bad = json!({ "title": "", "slug": "/x" });
    let r = api(
        &s.router,
        Method::POST,
        &path,
        Some(&s.key),
        &[("idempotency-key", "bad-1")],
        Some(&bad),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = api(
        &second,
        Method::POST,
        &path,
        Some(&s.key),
        &[("idempotency-key", "bad-1")],
        Some(&bad),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert!(r.header("idempotent-replayed").is_none());

    // Keys are per API key: another key may use the same string.
    let other_key = key_for(&s.pool, s.a.tenant_id, s.a.user_id, ALL).await;
    let body = json!({ "title": "Shop", "slug": "/shop" });
    let r = api(
        &s.router,
        Method::POST,
        &path,
        Some(&other_key),
        &[("idempotency-key", "create-catering-1")],
        Some(&body),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(page_count(&s).await, before + 3);
}

#[tokio::test]
async fn lists_are_paged_with_an_opaque_cursor_and_a_bounded_limit() {
    let s = setup("Paging Bakery", ALL).await;
    let w = s.a.website_id;
    for i in 0..6 {
        let r = api(
            &s.router,
            Method::POST,
            &format!("/api/v1/websites/{w}/pages"),
            Some(&s.key),
            &[],
            Some(&json!({ "title": format!("Page {i}"), "slug": format!("/p{i}") })),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let all = api(
        &s.router,
        Method::GET,
        &format!("/api/v1/websites/{w}/pages"),
        Some(&s.key),
        &[],
        None,
    )
    .await;
    let all = ok_json(&all);
    assert!(all["next_cursor"].is_null());
    let all: Vec<Value> = all["data"].as_array().expect("data").clone();
    assert_eq!(all.len(), 7);

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let q = match &cursor {
            Some(c) => format!("?limit=3&cursor={c}"),
            None => "?limit=3".to_string(),
        };
        let r = api(
            &s.router,
            Method::GET,
            &format!("/api/v1/websites/{w}/pages{q}"),
            Some(&s.key),
            &[],
            None,
        )
        .await;
        let v = ok_json(&r);
        let data = v["data"].as_array().expect("data");
        assert!(data.len() <= 3);
        seen.extend(data.iter().cloned());
        pages += 1;
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, all, "the pages together are the whole list, in order");

    for bad in ["?limit=0", "?limit=101", "?cursor=zz", "?limit=ten"] {
        let r = api(
            &s.router,
            Method::GET,
            &format!("/api/v1/websites/{w}/pages{bad}"),
            Some(&s.key),
            &[],
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.text());
        assert!(matches!(r.error(), AppError::Invalid { .. }));
    }
}

async fn owner_pool() -> PgPool {
    PgPool::connect(&std::env::var("DATABASE_URL").expect("DATABASE_URL"))
        .await
        .expect("owner pool")
}

/// A plan with tiny rates, so a test reaches them in a few requests.
async fn tiny_plan(api_per_minute: i32, heavy_per_minute: i32) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO plans (id, name, slug, is_active, max_websites, max_pages_per_site, api_requests_per_minute, api_requests_per_hour, heavy_actions_per_minute, heavy_actions_per_hour, display_order)
         VALUES ($1, $2, $2, false, 5, 50, $3, 1000, $4, 1000, 99)",
    )
    .bind(id)
    .bind(format!("tiny-{}", id.simple()))
    .bind(api_per_minute)
    .bind(heavy_per_minute)
    .execute(&owner_pool().await)
    .await
    .expect("plan");
    id
}

#[tokio::test]
async fn rate_limits_hold_across_two_instances_with_ratelimit_headers_and_retry_after() {
    let s = setup("Rate Bakery", ALL).await;
    set_plan(&s.pool, s.a.tenant_id, tiny_plan(5, 2).await).await;
    let second = router(pool().await);
    let path = "/api/v1/websites";
    for i in 0..5u32 {
        let router = if i % 2 == 0 { &s.router } else { &second };
        let r = api(router, Method::GET, path, Some(&s.key), &[], None).await;
        assert_eq!(r.status, StatusCode::OK, "request {i}: {}", r.text());
        assert_eq!(r.header("ratelimit-limit"), Some("5"));
        assert_eq!(
            r.header("ratelimit-remaining"),
            Some((4 - i).to_string().as_str())
        );
        let reset: u32 = r
            .header("ratelimit-reset")
            .expect("reset")
            .parse()
            .expect("number");
        assert!((1..=60).contains(&reset), "{reset}");
    }
    for router in [&s.router, &second] {
        let r = api(router, Method::GET, path, Some(&s.key), &[], None).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
        assert!(matches!(r.error(), AppError::TooManyRequests { .. }));
        assert_eq!(r.header("ratelimit-remaining"), Some("0"));
        let retry: u64 = r
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .expect("secs");
        assert!((1..=60).contains(&retry), "{retry}");
    }
    // The limit is the tenant's: another tenant's key is unaffected.
    let other = setup("Rate Other", ALL).await;
    let r = api(&second, Method::GET, path, Some(&other.key), &[], None).await;
    assert_eq!(r.status, StatusCode::OK);

    // Publishing (an expensive action) has its own per-plan rate, shared by the builder and
    // the API on every instance: two a minute on this plan.
    let t = setup("Publish Rate Bakery", ALL).await;
    set_plan(&t.pool, t.a.tenant_id, tiny_plan(100, 2).await).await;
    let req = Request::post("/api/websites/publish")
        .header(header::HOST, "127.0.0.1")
        .header(header::ORIGIN, APP_ORIGIN)
        .header(header::COOKIE, &t.cookie)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({ "website_id": t.a.website_id }).to_string(),
        ))
        .expect("request");
    let r = send_raw(&t.router, req).await;
    assert!(r.status.is_success(), "{}", r.text());
    // The builder's publish answers with the same headers.
    assert_eq!(r.header("ratelimit-limit"), Some("2"));
    assert_eq!(r.header("ratelimit-remaining"), Some("1"));
    let publish = format!("/api/v1/websites/{}/publish", t.a.website_id);
    let r = api(&second, Method::POST, &publish, Some(&t.key), &[], None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = api(&t.router, Method::POST, &publish, Some(&t.key), &[], None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    assert!(r.header("retry-after").is_some());
    let r = call_json(
        &second,
        "/api/websites/publish",
        Some(&t.cookie),
        json!({ "website_id": t.a.website_id }),
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    let deployments = api(
        &t.router,
        Method::GET,
        &format!("/api/v1/websites/{}/deployments", t.a.website_id),
        Some(&t.key),
        &[],
        None,
    )
    .await;
    assert_eq!(
        ok_json(&deployments)["data"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_lists_every_route_and_the_reference_renders_them() {
    let pool = pool().await;
    let router = router(pool.clone());
    let r = api(
        &router,
        Method::GET,
        "/api/v1/openapi.json",
        None,
        &[],
        None,
    )
    .await;
    let doc = ok_json(&r);
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["info"]["version"], "1");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let mut listed = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            listed.push((method.clone(), path.clone()));
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path}"
            );
            assert!(
                op["security"].as_array().is_some_and(|s| !s.is_empty()),
                "{method} {path}"
            );
            // Every `$ref` resolves inside the document.
            let text = op.to_string();
            for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
                let name = &part[..part.find('"').expect("end")];
                assert!(
                    doc["components"]["schemas"][name].is_object(),
                    "{method} {path}: {name}"
                );
            }
        }
    }
    let mut expected: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);

    // Every listed route is served (a key-less call is 401, not 404 or 405).
    for (method, path) in ROUTES {
        let path = path
            .replace("{website_id}", &Uuid::nil().to_string())
            .replace("{page_id}", &Uuid::nil().to_string())
            .replace("{component_id}", &Uuid::nil().to_string());
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let r = api(&router, m, &path, None, &[], None).await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "{method} {path}: {}",
            r.text()
        );
    }

    let r = api(&router, Method::GET, "/api/v1/reference", None, &[], None).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(!html.contains("<script"), "no scripts");
    for (method, path) in ROUTES {
        let op = format!("{} {}", method.to_uppercase(), path);
        assert!(html.contains(&op), "the reference lists {op}");
    }
}

async fn submission(pool: &PgPool, a: &NewAccount, email: &str) -> Uuid {
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO form_submissions (tenant_id, website_id, page_id, component_id, page_slug, data)
         VALUES ($1, $2, $3, $4, '/', $5) RETURNING id",
    )
    .bind(a.tenant_id)
    .bind(a.website_id)
    .bind(a.home_page_id)
    .bind(Uuid::new_v4())
    .bind(json!([{ "name": "email", "label": "Email", "value": email }]))
    .fetch_one(&mut *tx)
    .await
    .expect("submission");
    tx.commit().await.expect("commit");
    id
}

async fn walk(s: &Setup, base: &str, limit: usize, between: Option<&str>) -> Vec<Value> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let sep = if base.contains('?') { '&' } else { '?' };
    loop {
        let q = match &cursor {
            Some(c) => format!("{base}{sep}limit={limit}&cursor={c}"),
            None => format!("{base}{sep}limit={limit}"),
        };
        let v = ok_json(&api(&s.router, Method::GET, &q, Some(&s.key), &[], None).await);
        let data = v["data"].as_array().expect("data");
        assert!(data.len() <= limit);
        seen.extend(data.iter().cloned());
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        // Something new arrives while the client pages: it is not in the later pages.
        if let Some(email) = between {
            if seen.len() == limit {
                submission(&s.pool, &s.a, email).await;
            }
        }
    }
    seen
}

#[tokio::test]
async fn submissions_and_deployments_page_by_keyset_so_new_rows_never_repeat_or_shift_a_page() {
    let s = setup("Keyset Bakery", ALL).await;
    for i in 0..5 {
        submission(&s.pool, &s.a, &format!("v{i}@example.com")).await;
    }
    let base = format!("/api/v1/form-submissions?website_id={}", s.a.website_id);
    let seen = walk(&s, &base, 2, Some("late@example.com")).await;
    let ids: Vec<&str> = seen.iter().filter_map(|v| v["id"].as_str()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(ids.len(), 5, "{seen:?}");
    assert_eq!(unique.len(), 5);
    assert!(!seen
        .iter()
        .any(|v| v["preview"].as_str() == Some("late@example.com")));
    // Newest first, as the inbox.
    let times: Vec<&str> = seen
        .iter()
        .filter_map(|v| v["created_at"].as_str())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
    // A fresh walk sees the late one first.
    let again = walk(&s, &base, 10, None).await;
    assert_eq!(again.len(), 6);
    assert_eq!(again[0]["preview"], "late@example.com");

    for _ in 0..3 {
        let r = call_json(
            &s.router,
            "/api/websites/publish",
            Some(&s.cookie),
            json!({ "website_id": s.a.website_id }),
        )
        .await;
        assert!(r.status.is_success(), "{}", r.text());
    }
    let deployments = walk(
        &s,
        &format!("/api/v1/websites/{}/deployments", s.a.website_id),
        2,
        None,
    )
    .await;
    assert_eq!(deployments.len(), 3);
    assert_eq!(deployments[0]["is_live"], true);
    assert!(deployments[1..].iter().all(|d| d["is_live"] == false));
}
