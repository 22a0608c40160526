//! Publishing (schema reference Flow 3) and the visitor site (schema reference Flow 4).

use crate::common::*;
use app::db::tenant_tx;
use app::model::{Published, SaveAck};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn publish_freezes_a_snapshot_that_visitors_see_by_host_and_by_path() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Snap Studio").await;
    let cookie = cookie_for(&a);
    let host = format!("{}.localhost:3000", a.subdomain);

    // Before publishing, the site does not exist for visitors.
    assert_eq!(get(&router, &host, "/").await.status, StatusCode::NOT_FOUND);

    let page = load_page(&router, &cookie, a.home_page_id).await;
    let hero = page.components[1].clone();
    let mut block = hero.block.clone();
    block.set_text("heading", "Snapshots are forever".into());
    let ack: SaveAck = call_json(&router, "/api/builder/update", Some(&cookie),
        json!({ "page_id": page.page_id, "component_id": hero.id, "block": block, "base_revision": page.revision })).await.json();

    let p: Published = call_json(
        &router,
        "/api/websites/publish",
        Some(&cookie),
        json!({ "website_id": a.website_id }),
    )
    .await
    .json();
    assert_eq!(p.pages, 1);

    let by_host = get(&router, &host, "/").await;
    assert_eq!(by_host.status, StatusCode::OK);
    assert!(by_host.text().contains("Snapshots are forever"));
    assert!(
        !by_host.text().contains("sitepilot.js") && !by_host.text().contains(".wasm"),
        "visitor pages ship no WASM"
    );
    let by_path = get(
        &router,
        "127.0.0.1:3000",
        &format!("/sites/{}/", a.subdomain),
    )
    .await;
    assert_eq!(by_path.status, StatusCode::OK);
    assert!(by_path.text().contains("Snapshots are forever"));

    // Draft edits after publishing do not reach visitors until the next publish.
    let mut later = hero.block.clone();
    later.set_text("heading", "Not yet published".into());
    let _: SaveAck = call_json(&router, "/api/builder/update", Some(&cookie),
        json!({ "page_id": page.page_id, "component_id": hero.id, "block": later, "base_revision": ack.revision })).await.json();
    let html = get(&router, &host, "/").await.text();
    assert!(html.contains("Snapshots are forever") && !html.contains("Not yet published"));

    // Unknown page and unknown site are proper 404s.
    assert_eq!(
        get(&router, &host, "/no-such-page").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&router, "no-such-site.localhost:3000", "/")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&router, "127.0.0.1:3000", "/sites/no-such-site/")
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Republishing makes exactly one deployment live, with the flow's side effects.
    let p2: Published = call_json(
        &router,
        "/api/websites/publish",
        Some(&cookie),
        json!({ "website_id": a.website_id }),
    )
    .await
    .json();
    assert!(get(&router, &host, "/")
        .await
        .text()
        .contains("Not yet published"));
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let live: Vec<uuid::Uuid> =
        sqlx::query_scalar("SELECT id FROM deployments WHERE website_id = $1 AND is_live")
            .bind(a.website_id)
            .fetch_all(&mut *tx)
            .await
            .expect("live");
    assert_eq!(live, vec![p2.deployment_id]);
    let (status, published_at): (String, Option<chrono::DateTime<chrono::Utc>>) =
        sqlx::query_as("SELECT status, published_at FROM websites WHERE id = $1")
            .bind(a.website_id)
            .fetch_one(&mut *tx)
            .await
            .expect("site");
    assert_eq!(status, "published");
    assert!(published_at.is_some());
    let audits: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE action = 'website.published' AND resource_id = $1",
    )
    .bind(a.website_id)
    .fetch_one(&mut *tx)
    .await
    .expect("audit");
    assert_eq!(audits, 2);
    let pre: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM page_versions WHERE page_id = $1 AND trigger = 'pre_publish'",
    )
    .bind(a.home_page_id)
    .fetch_one(&mut *tx)
    .await
    .expect("versions");
    assert_eq!(pre, 2);
    // The old snapshot is immutable.
    let err = sqlx::query("UPDATE deployments SET snapshot_json = '{}' WHERE id = $1")
        .bind(p.deployment_id)
        .execute(&mut *tx)
        .await;
    assert!(err.is_err(), "snapshots cannot be rewritten");
}

#[tokio::test]
async fn healthz_reports_the_database() {
    let pool = pool().await;
    let router = router(pool);
    let r = get(&router, "127.0.0.1:3000", "/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("\"database\":\"up\""));
}
