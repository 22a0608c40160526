//! API keys and the first REST API routes (issue 21 part 1): keys shown once and stored as a
//! hash, bearer authentication on `/api/v1`, last use, revocation seen at once by a second
//! server instance, scopes, keys capped by their creator's current role, tenant isolation, and
//! the typed 401/403/404 answers.

use app::db::accounts::NewAccount;
use app::error::AppError;
use app::model::{ApiKeyCreated, ApiKeysOverview, ApiScope};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::common::*;

async fn create_key(router: &Router, cookie: &str, scopes: &[&str]) -> ApiKeyCreated {
    let r = call_json(
        router,
        "/api/api_keys/create",
        Some(cookie),
        json!({ "name": "Zapier", "scopes": scopes, "expires_in_days": null }),
    )
    .await;
    assert!(r.status.is_success(), "create key: {}", r.text());
    r.json()
}

async fn api_get(router: &Router, path: &str, key: Option<&str>) -> Raw {
    let mut req = Request::get(path).header(header::HOST, "127.0.0.1");
    if let Some(k) = key {
        req = req.header(header::AUTHORIZATION, format!("Bearer {k}"));
    }
    send_raw(router, req.body(Body::empty()).expect("request")).await
}

fn data(r: &Raw) -> Vec<Value> {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v: Value = serde_json::from_slice(&r.body).expect("json");
    v["data"].as_array().expect("data").clone()
}

fn unauthorized(r: &Raw) {
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
    assert_eq!(r.error(), AppError::Unauthorized);
    assert!(r
        .header("www-authenticate")
        .is_some_and(|v| v.starts_with("Bearer")));
}

async fn owner_pool() -> PgPool {
    PgPool::connect(&std::env::var("DATABASE_URL").expect("DATABASE_URL"))
        .await
        .expect("owner pool")
}

async fn setup() -> (PgPool, Router, NewAccount, String) {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Key Bakery").await;
    let cookie = cookie_for(&a);
    (pool, router, a, cookie)
}

#[tokio::test]
async fn a_key_is_shown_once_and_only_its_hash_and_prefix_are_stored() {
    let (pool, router, a, cookie) = setup().await;
    let created = create_key(&router, &cookie, &["read_sites", "publish"]).await;
    let key = created.key.clone();
    assert!(key.starts_with("sp_live_") && key.len() == 8 + 64, "{key}");
    assert!(key[8..].bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(created.info.prefix, key[..16]);
    assert_eq!(
        created.info.scopes,
        vec![ApiScope::ReadSites, ApiScope::Publish]
    );
    assert!(created.info.last_used_at.is_none());

    // The list never carries the key again.
    let r = call_json(&router, "/api/api_keys/list", Some(&cookie), json!({})).await;
    assert!(r.status.is_success(), "{}", r.text());
    assert!(!r.text().contains(&key[16..]));
    let list: ApiKeysOverview = r.json();
    assert_eq!(list.keys.len(), 1);

    // The row holds the SHA-256 of the key and the prefix, nothing else of it.
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let (hash, row): (String, String) =
        sqlx::query_as("SELECT key_hash, k::text FROM api_keys k WHERE id = $1")
            .bind(created.info.id)
            .fetch_one(&mut *tx)
            .await
            .expect("row");
    tx.rollback().await.expect("rollback");
    assert_eq!(hash, hex::encode(Sha256::digest(key.as_bytes())));
    assert!(!row.contains(&key[16..]), "the secret is not stored");
}

#[tokio::test]
async fn a_key_reads_websites_and_pages_and_records_its_last_use() {
    let (pool, _router, a, cookie) = setup().await;
    // A real TCP server, so the request has a peer address to record.
    let base = serve_tcp(pool.clone(), "").await;
    let router = crate::common::router(pool.clone());
    let created = create_key(&router, &cookie, &["read_sites"]).await;
    let client = reqwest::Client::new();
    let r = client
        .get(format!("{base}/api/v1/websites"))
        .header("Authorization", format!("Bearer {}", created.key))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), 200);
    let v: Value = serde_json::from_str(&r.text().await.expect("body")).expect("json");
    let sites = v["data"].as_array().expect("data");
    assert_eq!(sites.len(), 1);
    assert_eq!(sites[0]["id"], json!(a.website_id));

    let r = api_get(
        &router,
        &format!("/api/v1/websites/{}/pages", a.website_id),
        Some(&created.key),
    )
    .await;
    let pages = data(&r);
    assert!(pages
        .iter()
        .any(|p| p["id"] == json!(a.home_page_id) && p["slug"] == "/"));

    let list: ApiKeysOverview = call_json(&router, "/api/api_keys/list", Some(&cookie), json!({}))
        .await
        .json();
    let k = &list.keys[0];
    assert!(k.last_used_at.is_some());
    assert_eq!(k.last_used_ip.as_deref(), Some("127.0.0.1"));
}

#[tokio::test]
async fn revoking_a_key_takes_effect_at_once_on_every_instance() {
    let (pool, one, _a, cookie) = setup().await;
    let two = crate::common::router(pool.clone());
    let created = create_key(&one, &cookie, &["read_sites"]).await;
    // Both instances accept it (and neither may cache the answer).
    assert_eq!(
        data(&api_get(&one, "/api/v1/websites", Some(&created.key)).await).len(),
        1
    );
    assert_eq!(
        data(&api_get(&two, "/api/v1/websites", Some(&created.key)).await).len(),
        1
    );

    let r = call_json(
        &one,
        "/api/api_keys/revoke",
        Some(&cookie),
        json!({ "key_id": created.info.id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let o: ApiKeysOverview = r.json();
    assert!(o.keys[0].revoked_at.is_some());
    unauthorized(&api_get(&two, "/api/v1/websites", Some(&created.key)).await);
    unauthorized(&api_get(&one, "/api/v1/websites", Some(&created.key)).await);
}

#[tokio::test]
async fn missing_malformed_unknown_and_expired_keys_get_a_typed_401() {
    let (_pool, router, a, cookie) = setup().await;
    unauthorized(&api_get(&router, "/api/v1/websites", None).await);
    unauthorized(&api_get(&router, "/api/v1/websites", Some("not-a-key")).await);
    unauthorized(
        &api_get(
            &router,
            "/api/v1/websites",
            Some(&format!("sp_live_{}", "0".repeat(64))),
        )
        .await,
    );
    let created = create_key(&router, &cookie, &["read_sites"]).await;
    sqlx::query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(created.info.id)
        .execute(&owner_pool().await)
        .await
        .expect("expire");
    unauthorized(&api_get(&router, "/api/v1/websites", Some(&created.key)).await);

    // A bad expiry or name is refused under its field, and nothing is stored.
    for (body, field) in [
        (
            json!({ "name": "x", "scopes": ["read_sites"], "expires_in_days": 0 }),
            "expires_in_days",
        ),
        (
            json!({ "name": "  ", "scopes": ["read_sites"], "expires_in_days": null }),
            "name",
        ),
        (
            json!({ "name": "x", "scopes": ["everything"], "expires_in_days": null }),
            "scopes",
        ),
        (
            json!({ "name": "x", "scopes": [], "expires_in_days": null }),
            "scopes",
        ),
    ] {
        let r = call_json(&router, "/api/api_keys/create", Some(&cookie), body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert_eq!(r.error().field(), Some(field));
    }
    let list: ApiKeysOverview = call_json(&router, "/api/api_keys/list", Some(&cookie), json!({}))
        .await
        .json();
    assert_eq!(list.keys.len(), 1);
    let _ = a;
}

#[tokio::test]
async fn scopes_are_enforced_and_a_key_never_exceeds_its_creators_role() {
    let (pool, router, a, cookie) = setup().await;
    // A key without read_sites may not list websites: 403 with the scope named.
    let publish_only = create_key(&router, &cookie, &["publish"]).await;
    let r = api_get(&router, "/api/v1/websites", Some(&publish_only.key)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(matches!(r.error(), AppError::Forbidden(m) if m.contains("read_sites")));

    // An admin's key with every scope; the admin is then made an editor: the key keeps only
    // what an editor may do, at once.
    let (admin_cookie, admin_id) = member(&pool, &a, "admin", None).await;
    let all = create_key(
        &router,
        &admin_cookie,
        &[
            "read_sites",
            "write_content",
            "publish",
            "read_submissions",
            "manage_assets",
        ],
    )
    .await;
    let caller = app::db::api_keys::authenticate(&pool, &all.key, None)
        .await
        .expect("key");
    assert_eq!(caller.scopes.len(), 5);
    assert_eq!(caller.user_id, admin_id);
    let r = call_json(
        &router,
        "/api/team/role",
        Some(&cookie),
        json!({ "user_id": admin_id, "role": "editor" }),
    )
    .await;
    assert!(r.status.is_success(), "demote: {}", r.text());
    let caller = app::db::api_keys::authenticate(&pool, &all.key, None)
        .await
        .expect("key");
    assert_eq!(
        caller.scopes,
        vec![
            ApiScope::ReadSites,
            ApiScope::WriteContent,
            ApiScope::ManageAssets
        ]
    );
    assert!(caller.require(ApiScope::Publish).is_err());
    assert!(caller.require(ApiScope::ReadSubmissions).is_err());
    // An editor cannot manage keys at all.
    let r = call_json(
        &router,
        "/api/api_keys/create",
        Some(&admin_cookie),
        json!({ "name": "mine", "scopes": ["read_sites"], "expires_in_days": null }),
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(_)), "{}", r.text());

    // A deactivated creator's keys stop working.
    let r = call_json(
        &router,
        "/api/team/active",
        Some(&cookie),
        json!({ "user_id": admin_id, "active": false }),
    )
    .await;
    assert!(r.status.is_success(), "deactivate: {}", r.text());
    unauthorized(&api_get(&router, "/api/v1/websites", Some(&all.key)).await);
}

#[tokio::test]
async fn keys_stay_inside_their_tenant() {
    let (pool, router, a, cookie) = setup().await;
    let b = account(&pool, "Other Books").await;
    let cb = cookie_for(&b);
    let key_a = create_key(&router, &cookie, &["read_sites"]).await;
    let key_b = create_key(&router, &cb, &["read_sites"]).await;

    // A's key lists A's websites only, and B's pages are "not found".
    let sites = data(&api_get(&router, "/api/v1/websites", Some(&key_a.key)).await);
    assert!(sites.iter().all(|s| s["id"] == json!(a.website_id)));
    let r = api_get(
        &router,
        &format!("/api/v1/websites/{}/pages", b.website_id),
        Some(&key_a.key),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
    assert!(!r.text().contains(&b.home_page_id.to_string()));
    let r = api_get(
        &router,
        "/api/v1/websites/not-a-uuid/pages",
        Some(&key_a.key),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());

    // B neither sees nor revokes A's key.
    let list: ApiKeysOverview = call_json(&router, "/api/api_keys/list", Some(&cb), json!({}))
        .await
        .json();
    assert_eq!(list.keys.len(), 1);
    assert_eq!(list.keys[0].id, key_b.info.id);
    let r = call_json(
        &router,
        "/api/api_keys/revoke",
        Some(&cb),
        json!({ "key_id": key_a.info.id }),
    )
    .await;
    assert!(matches!(r.error(), AppError::NotFound(_)), "{}", r.text());
    assert_eq!(
        data(&api_get(&router, "/api/v1/websites", Some(&key_a.key)).await).len(),
        1
    );
}
