//! Duplicating pages and websites (issue 20 §3): the copies hold the same content, and the
//! plan's page and website limits refuse with `LimitReached` and the plan that lifts them.

use crate::common::*;
use app::error::AppError;
use app::model::{PageCreated, SiteBackup};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

async fn export(pool: &PgPool, tenant: Uuid, website: Uuid) -> SiteBackup {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    let doc = app::db::backup::export(&mut tx, website)
        .await
        .expect("export");
    tx.rollback().await.expect("rollback");
    doc
}

fn limit_of(e: AppError) -> (String, Option<String>) {
    match e {
        AppError::LimitReached {
            limit, upgrade_to, ..
        } => (limit, upgrade_to),
        other => panic!("expected LimitReached, got {other:?}"),
    }
}

#[tokio::test]
async fn a_duplicated_page_is_a_draft_copy_with_every_block_until_the_page_limit() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Dup Diner").await;
    let owner = cookie_for(&a);
    let dup = |page: Uuid| {
        let (router, owner) = (router.clone(), owner.clone());
        async move {
            call_json(
                &router,
                "/api/pages/duplicate",
                Some(&owner),
                json!({ "page_id": page }),
            )
            .await
        }
    };
    let r = dup(a.home_page_id).await;
    assert!(r.status.is_success(), "{}", r.text());
    let created: PageCreated = r.json();
    let copy = created
        .overview
        .pages
        .iter()
        .find(|p| p.id == created.id)
        .expect("listed");
    assert_eq!(copy.title, "Home (copy)");
    assert_eq!(copy.slug, "/home-copy");
    let original = load_page(&router, &owner, a.home_page_id).await;
    let copied = load_page(&router, &owner, created.id).await;
    let blocks = |d: &app::model::BuilderData| {
        d.components
            .iter()
            .map(|c| (c.block.clone(), c.is_visible, c.is_locked))
            .collect::<Vec<_>>()
    };
    assert_eq!(blocks(&copied), blocks(&original));
    assert!(!copied.components.is_empty());
    // A second copy gets the next free address.
    let second: PageCreated = dup(a.home_page_id).await.json();
    let slug = |c: &PageCreated| {
        c.overview
            .pages
            .iter()
            .find(|p| p.id == c.id)
            .map(|p| p.slug.clone())
    };
    assert_eq!(slug(&second).as_deref(), Some("/home-copy-2"));
    // Starter allows 5 pages: two more copies fill it, the next is refused.
    for _ in 0..2 {
        assert!(dup(a.home_page_id).await.status.is_success());
    }
    let r = dup(a.home_page_id).await;
    assert_eq!(r.status.as_u16(), 402, "{}", r.text());
    let (limit, upgrade) = limit_of(r.error());
    assert_eq!(limit, "max_pages_per_site");
    assert_eq!(upgrade.as_deref(), Some("Growth"));
    // A viewer cannot duplicate.
    let viewer = member_cookie(&pool, &a, "viewer").await;
    let r = call_json(
        &router,
        "/api/pages/duplicate",
        Some(&viewer),
        json!({ "page_id": a.home_page_id }),
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(_)));
}

#[tokio::test]
async fn a_duplicated_website_has_the_same_content_within_the_website_limit() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Dup Deli").await;
    let owner = cookie_for(&a);
    let body =
        |sub: String| json!({ "website_id": a.website_id, "name": "Deli copy", "subdomain": sub });
    // Starter: one website.
    let r = call_json(
        &router,
        "/api/websites/duplicate",
        Some(&owner),
        body(unique("dc-")),
    )
    .await;
    assert_eq!(r.status.as_u16(), 402, "{}", r.text());
    assert_eq!(
        limit_of(r.error()),
        ("max_websites".into(), Some("Growth".into()))
    );

    set_plan(&pool, a.tenant_id, GROWTH).await;
    let r = call_json(
        &router,
        "/api/websites/duplicate",
        Some(&owner),
        body(unique("dc-")),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let copy: Uuid = r.json();
    let mut before = export(&pool, a.tenant_id, a.website_id).await.normalised();
    let mut after = export(&pool, a.tenant_id, copy).await.normalised();
    assert_eq!(after["website"]["name"], "Deli copy");
    before["website"]["name"] = json!(null);
    after["website"]["name"] = json!(null);
    assert_eq!(before, after);
    // Growth allows 3: one more, then the limit names Pro.
    assert!(call_json(
        &router,
        "/api/websites/duplicate",
        Some(&owner),
        body(unique("dc-"))
    )
    .await
    .status
    .is_success());
    let r = call_json(
        &router,
        "/api/websites/duplicate",
        Some(&owner),
        body(unique("dc-")),
    )
    .await;
    assert_eq!(
        limit_of(r.error()),
        ("max_websites".into(), Some("Pro".into()))
    );
    // Another tenant cannot duplicate this website into its own.
    let other = account(&pool, "Other Deli").await;
    set_plan(&pool, other.tenant_id, PRO).await;
    let r = call_json(
        &router,
        "/api/websites/duplicate",
        Some(&cookie_for(&other)),
        body(unique("dc-")),
    )
    .await;
    assert!(matches!(r.error(), AppError::NotFound(_)));
}
