//! The visitor cache: hot requests are answered from memory, ETags give 304s, and a publish
//! made anywhere reaches every server instance through PostgreSQL NOTIFY.

use app::model::{BlockProps, ComponentKind};
use axum::http::StatusCode;

use super::*;

/// Adds a hero block with `heading` to the home page (a draft change until published).
async fn add_hero(router: &Router, s: &Site, heading: &str) {
    let page = home(router, s).await;
    let data = load_page(router, &s.owner, page).await;
    let mut hero = BlockProps::starter(ComponentKind::Hero);
    assert!(hero.set_text("heading", heading.into()));
    insert(router, &s.owner, page, hero, None, data.revision)
        .await
        .ok();
}

#[tokio::test]
async fn hot_pages_come_from_memory_with_etag_and_304() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = published_site(&router, &pool, "Cache Co").await;
    // The listener connects in the background; until it listens, the cache is bypassed.
    let hot = eventually(&router, &s.host, "/", "cache hit", |g| {
        g.header("x-sitepilot-cache") == "hit"
    })
    .await;
    assert_eq!(hot.status, StatusCode::OK);
    assert_eq!(
        hot.header("cache-control"),
        "public, max-age=0, must-revalidate"
    );
    let etag = hot.header("etag");
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");

    let again = fetch(&router, &s.host, "/", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), etag);
    let other = fetch(
        &router,
        &s.host,
        "/",
        &[("if-none-match", "\"something-else\"")],
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);

    // Another address of the same deployment is another entry (its canonical URL differs).
    let by_path = fetch(
        &router,
        "127.0.0.1",
        &format!("/sites/{}/", s.a.subdomain),
        &[],
    )
    .await;
    assert_eq!(by_path.status, StatusCode::OK);
    assert_ne!(by_path.header("etag"), etag);
}

#[tokio::test]
async fn a_publish_on_one_instance_evicts_the_cache_of_every_instance() {
    let pool = pool().await;
    // Two routers = two server instances, each with its own cache and listener.
    let first = router(pool.clone());
    let second = router(pool.clone());
    let s = published_site(&first, &pool, "Fleet Co").await;
    for r in [&first, &second] {
        eventually(r, &s.host, "/", "warm", |g| {
            g.header("x-sitepilot-cache") == "hit"
        })
        .await;
    }
    let old_etag = fetch(&second, &s.host, "/", &[]).await.header("etag");

    add_hero(&first, &s, "Fresh from the oven").await;
    // Not yet published: both still serve the old deployment.
    assert!(!fetch(&second, &s.host, "/", &[])
        .await
        .body
        .contains("Fresh from the oven"));
    publish(&first, &s).await;

    for r in [&first, &second] {
        let got = eventually(r, &s.host, "/", "new deployment", |g| {
            g.body.contains("Fresh from the oven")
        })
        .await;
        assert_ne!(
            got.header("etag"),
            old_etag,
            "a new deployment has a new ETag"
        );
        // The old ETag no longer matches.
        let revalidated = fetch(r, &s.host, "/", &[("if-none-match", &old_etag)]).await;
        assert_eq!(revalidated.status, StatusCode::OK);
    }

    // Rollback (the live flag moves back to the first deployment; migration 0006's trigger
    // clears it on the others) is heard too.
    let mut tx = app::db::tenant_tx(&pool, s.a.tenant_id).await.expect("tx");
    sqlx::query(
        r#"UPDATE deployments SET is_live = true
           WHERE id = (SELECT id FROM deployments WHERE website_id = $1 ORDER BY deployed_at LIMIT 1)"#,
    )
    .bind(s.a.website_id)
    .execute(&mut *tx)
    .await
    .expect("rollback");
    tx.commit().await.expect("commit");
    for r in [&first, &second] {
        eventually(r, &s.host, "/", "rolled back", |g| {
            !g.body.contains("Fresh from the oven") && g.status == StatusCode::OK
        })
        .await;
    }
}
