//! The website lifecycle (issue 23 part 1): rename, subdomain change with a 30-day redirect and
//! its release, site-wide SEO defaults, the analytics switch, unpublish / publish again,
//! archive / restore, soft delete and the purge. The 30 days pass through
//! `server::lifecycle::sweep`'s clock parameter, never by waiting. Visitor answers are checked
//! on a second server instance, which hears each change only through NOTIFY.

use app::error::AppError;
use app::model::{SiteSeoDefaults, WebsiteSettings};
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::common::*;
use crate::visitor_site::{eventually, fetch, published_site, Site};

async fn settings_call(
    router: &axum::Router,
    s: &Site,
    path: &str,
    body: serde_json::Value,
) -> Reply {
    let mut body = body;
    body["website_id"] = json!(s.a.website_id);
    call_json(router, path, Some(&s.owner), body).await
}

async fn ok(
    router: &axum::Router,
    s: &Site,
    path: &str,
    body: serde_json::Value,
) -> WebsiteSettings {
    let r = settings_call(router, s, path, body).await;
    assert!(r.status.is_success(), "{path}: {} {}", r.status, r.text());
    r.json()
}

async fn actions(pool: &sqlx::PgPool, tenant: Uuid) -> Vec<String> {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_logs WHERE action LIKE 'website.%' ORDER BY created_at, action",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("audit");
    rows
}

#[tokio::test]
async fn a_new_subdomain_redirects_the_old_one_for_30_days_then_the_old_one_is_released() {
    let pool = pool().await;
    let first = router(pool.clone());
    let second = router(pool.clone());
    let s = published_site(&first, &pool, "Moving Bakery").await;
    let old = s.a.subdomain.clone();
    eventually(&second, &s.host, "/", "warm", |g| {
        g.header("x-sitepilot-cache") == "hit"
    })
    .await;

    let new = unique("moved-");
    let after = ok(
        &first,
        &s,
        "/api/websites/subdomain",
        json!({ "subdomain": new }),
    )
    .await;
    assert_eq!(after.subdomain.as_deref(), Some(new.as_str()));
    assert_eq!(after.redirects.len(), 1);
    assert_eq!(after.redirects[0].subdomain, old);
    let days = (after.redirects[0].release_at - Utc::now()).num_days();
    assert!((29..=30).contains(&days), "released in {days} days");

    // The other instance heard it: the old host answers a permanent redirect, same path + query.
    let moved = eventually(&second, &s.host, "/about?x=1", "redirect", |g| {
        g.status == StatusCode::PERMANENT_REDIRECT
    })
    .await;
    assert_eq!(
        moved.header("location"),
        format!("http://{new}.localhost:3000/about?x=1")
    );
    let by_path = fetch(&second, "127.0.0.1", &format!("/sites/{old}/"), &[]).await;
    assert_eq!(by_path.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(by_path.header("location"), format!("/sites/{new}"));
    let here = fetch(&second, &format!("{new}.localhost:3000"), "/", &[]).await;
    assert_eq!(here.status, StatusCode::OK, "{}", here.body);

    // Nobody else may take the old address while it redirects.
    let other = account(&pool, "Squatter").await;
    set_plan(&pool, other.tenant_id, GROWTH).await;
    let taken = call_json(
        &first,
        "/api/websites/create",
        Some(&cookie_for(&other)),
        json!({ "name": "Squat", "subdomain": old }),
    )
    .await;
    assert!(
        matches!(taken.error(), AppError::Invalid { ref field, .. } if field == "subdomain"),
        "{}",
        taken.text()
    );

    // 29 days on: still redirecting. 31 days on: released, free for anyone.
    let swept =
        server::lifecycle::sweep(&pool, Utc::now() + Duration::days(29), Some(s.a.tenant_id)).await;
    assert_eq!(swept.released, 0);
    assert_eq!(
        fetch(&second, &s.host, "/", &[]).await.status,
        StatusCode::PERMANENT_REDIRECT
    );
    let swept =
        server::lifecycle::sweep(&pool, Utc::now() + Duration::days(31), Some(s.a.tenant_id)).await;
    assert_eq!(swept.released, 1, "{swept:?}");
    eventually(&second, &s.host, "/", "released", |g| {
        g.status == StatusCode::NOT_FOUND
    })
    .await;
    let claimed = call_json(
        &first,
        "/api/websites/create",
        Some(&cookie_for(&other)),
        json!({ "name": "Squat", "subdomain": old }),
    )
    .await;
    assert!(claimed.status.is_success(), "{}", claimed.text());
    let a = actions(&pool, s.a.tenant_id).await;
    assert!(
        a.contains(&"website.subdomain_changed".to_string()),
        "{a:?}"
    );
    assert!(
        a.contains(&"website.subdomain_released".to_string()),
        "{a:?}"
    );
}

#[tokio::test]
async fn going_back_to_an_old_subdomain_ends_its_redirect_and_bad_addresses_are_refused() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = published_site(&router, &pool, "Back And Forth").await;
    let old = s.a.subdomain.clone();
    let new = unique("fwd-");
    ok(
        &router,
        &s,
        "/api/websites/subdomain",
        json!({ "subdomain": new }),
    )
    .await;
    let back = ok(
        &router,
        &s,
        "/api/websites/subdomain",
        json!({ "subdomain": old }),
    )
    .await;
    assert_eq!(back.subdomain.as_deref(), Some(old.as_str()));
    assert_eq!(back.redirects.len(), 1);
    assert_eq!(back.redirects[0].subdomain, new);
    assert_eq!(
        fetch(&router, &s.host, "/", &[]).await.status,
        StatusCode::OK
    );

    for bad in ["A", "no_underscores", "-dash"] {
        let r = settings_call(
            &router,
            &s,
            "/api/websites/subdomain",
            json!({ "subdomain": bad }),
        )
        .await;
        assert!(
            matches!(r.error(), AppError::Invalid { ref field, .. } if field == "subdomain"),
            "{bad}: {}",
            r.text()
        );
    }
    // Another tenant's address.
    let other = account(&pool, "Neighbour").await;
    let r = settings_call(
        &router,
        &s,
        "/api/websites/subdomain",
        json!({ "subdomain": other.subdomain }),
    )
    .await;
    assert!(
        matches!(r.error(), AppError::Invalid { ref field, .. } if field == "subdomain"),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn rename_and_site_wide_seo_defaults_reach_visitors_and_the_sitemap_at_the_next_publish() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = published_site(&router, &pool, "Seo Bakery").await;
    let renamed = ok(
        &router,
        &s,
        "/api/websites/rename",
        json!({ "name": "  Crumb & Co  " }),
    )
    .await;
    assert_eq!(renamed.name, "Crumb & Co");
    let r = settings_call(&router, &s, "/api/websites/rename", json!({ "name": "x" })).await;
    assert!(matches!(r.error(), AppError::Invalid { ref field, .. } if field == "name"));

    let bad = settings_call(
        &router,
        &s,
        "/api/websites/seo_defaults",
        json!({ "seo": { "title_template": "no placeholder", "no_index": true } }),
    )
    .await;
    assert!(
        matches!(bad.error(), AppError::Invalid { ref field, .. } if field == "title_template")
    );
    assert!(
        !ok(&router, &s, "/api/websites/settings", json!({}))
            .await
            .seo
            .no_index,
        "nothing half-saved"
    );

    let seo = SiteSeoDefaults {
        title_template: Some("%s · Crumb".into()),
        description: Some("Bread every morning".into()),
        og_image: Some("https://cdn.example/bread.jpg".into()),
        no_index: true,
    };
    let saved = ok(
        &router,
        &s,
        "/api/websites/seo_defaults",
        json!({ "seo": seo }),
    )
    .await;
    assert_eq!(saved.seo, seo);
    // Visitors see it after the next publish (snapshots are immutable).
    crate::visitor_site::publish(&router, &s).await;
    let page = eventually(&router, &s.host, "/", "new deployment", |g| {
        g.body.contains("Home · Crumb")
    })
    .await;
    assert!(
        page.body
            .contains(r#"<meta name="robots" content="noindex">"#),
        "{}",
        page.body
    );
    assert!(page.body.contains("Bread every morning"));
    assert!(page.body.contains("https://cdn.example/bread.jpg"));
    let sitemap = fetch(&router, &s.host, "/sitemap.xml", &[]).await;
    assert!(!sitemap.body.contains("<url>"), "{}", sitemap.body);

    // The analytics switch.
    let off = ok(
        &router,
        &s,
        "/api/websites/analytics",
        json!({ "enabled": false }),
    )
    .await;
    assert!(!off.analytics_enabled);
    let a = actions(&pool, s.a.tenant_id).await;
    for want in [
        "website.renamed",
        "website.seo_defaults_changed",
        "website.analytics_changed",
    ] {
        assert!(a.contains(&want.to_string()), "{want}: {a:?}");
    }
}

#[tokio::test]
async fn unpublish_shows_the_offline_page_everywhere_and_publish_again_brings_the_site_back() {
    let pool = pool().await;
    let first = router(pool.clone());
    let second = router(pool.clone());
    let s = published_site(&first, &pool, "Offline Bakery").await;
    eventually(&second, &s.host, "/", "warm", |g| {
        g.header("x-sitepilot-cache") == "hit"
    })
    .await;
    let off = ok(&first, &s, "/api/websites/unpublish", json!({})).await;
    assert_eq!(off.status, "draft");
    assert!(off.unpublished_at.is_some() && off.has_live_deployment);
    let gone = eventually(&second, &s.host, "/", "offline", |g| {
        g.status == StatusCode::NOT_FOUND
    })
    .await;
    assert!(
        gone.body.contains("This website is not available"),
        "{}",
        gone.body
    );
    // Deployments stay.
    let deployments = settings_call(&first, &s, "/api/websites/deployments", json!({})).await;
    let list: Vec<app::model::DeploymentSummary> = deployments.json();
    assert!(!list.is_empty(), "{}", deployments.text());
    // Twice is a clear error.
    let again = settings_call(&first, &s, "/api/websites/unpublish", json!({})).await;
    assert!(matches!(again.error(), AppError::Invalid { .. }));

    let back = ok(&first, &s, "/api/websites/republish", json!({})).await;
    assert_eq!(back.status, "published");
    eventually(&second, &s.host, "/", "back online", |g| {
        g.status == StatusCode::OK
    })
    .await;
    let a = actions(&pool, s.a.tenant_id).await;
    assert!(
        a.contains(&"website.unpublished".to_string())
            && a.contains(&"website.republished".to_string()),
        "{a:?}"
    );
}

#[tokio::test]
async fn archive_takes_the_site_offline_and_restore_brings_it_back_as_a_draft() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = published_site(&router, &pool, "Archive Bakery").await;
    let archived = ok(&router, &s, "/api/websites/archive", json!({})).await;
    assert_eq!(archived.status, "archived");
    let page = fetch(&router, &s.host, "/", &[]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("This website is not available"));
    let r = settings_call(
        &router,
        &s,
        "/api/websites/subdomain",
        json!({ "subdomain": unique("arc-") }),
    )
    .await;
    assert!(
        matches!(r.error(), AppError::Invalid { .. }),
        "{}",
        r.text()
    );
    let restored = ok(&router, &s, "/api/websites/restore", json!({})).await;
    assert_eq!(restored.status, "draft");
    let back = ok(&router, &s, "/api/websites/republish", json!({})).await;
    assert_eq!(back.status, "published");
    assert_eq!(
        fetch(&router, &s.host, "/", &[]).await.status,
        StatusCode::OK
    );
    let a = actions(&pool, s.a.tenant_id).await;
    assert!(
        a.contains(&"website.archived".to_string()) && a.contains(&"website.restored".to_string()),
        "{a:?}"
    );
}

#[tokio::test]
async fn delete_needs_the_name_is_soft_for_30_days_then_the_lifecycle_job_purges_it() {
    let pool = pool().await;
    let first = router(pool.clone());
    let second = router(pool.clone());
    let s = published_site(&first, &pool, "Doomed Bakery").await;
    eventually(&second, &s.host, "/", "warm", |g| {
        g.header("x-sitepilot-cache") == "hit"
    })
    .await;
    let name = ok(&first, &s, "/api/websites/settings", json!({}))
        .await
        .name;

    let wrong = settings_call(
        &first,
        &s,
        "/api/websites/delete",
        json!({ "confirm": "nope" }),
    )
    .await;
    assert!(matches!(wrong.error(), AppError::Invalid { ref field, .. } if field == "confirm"));
    assert_eq!(
        fetch(&second, &s.host, "/", &[]).await.status,
        StatusCode::OK
    );

    let r = settings_call(
        &first,
        &s,
        "/api/websites/delete",
        json!({ "confirm": name }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    // Offline at once everywhere, hidden from the dashboard, its settings gone.
    let gone = eventually(&second, &s.host, "/", "deleted", |g| {
        g.status == StatusCode::GONE
    })
    .await;
    assert!(gone.body.contains("This website is not available"));
    let sites: Vec<app::model::WebsiteSummary> =
        call_form(&first, "/api/websites", Some(&s.owner), &[])
            .await
            .json();
    assert!(sites.iter().all(|w| w.id != s.a.website_id));
    let settings = settings_call(&first, &s, "/api/websites/settings", json!({})).await;
    assert!(matches!(settings.error(), AppError::NotFound(_)));
    let publish = settings_call(&first, &s, "/api/websites/publish", json!({})).await;
    assert!(matches!(publish.error(), AppError::NotFound(_)));

    let exists = |pool: sqlx::PgPool, t: Uuid, w: Uuid| async move {
        let mut tx = app::db::tenant_tx(&pool, t).await.expect("tx");
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM websites WHERE id = $1")
            .bind(w)
            .fetch_one(&mut *tx)
            .await
            .expect("count");
        n
    };
    let swept =
        server::lifecycle::sweep(&pool, Utc::now() + Duration::days(29), Some(s.a.tenant_id)).await;
    assert_eq!(swept.purged, 0);
    assert_eq!(exists(pool.clone(), s.a.tenant_id, s.a.website_id).await, 1);
    let swept =
        server::lifecycle::sweep(&pool, Utc::now() + Duration::days(31), Some(s.a.tenant_id)).await;
    assert_eq!(swept.purged, 1, "{swept:?}");
    assert_eq!(exists(pool.clone(), s.a.tenant_id, s.a.website_id).await, 0);
    // The other instance hears of the purge over LISTEN/NOTIFY, so it may answer from its
    // cache for a moment.
    eventually(&second, &s.host, "/", "purged", |g| {
        g.status == StatusCode::NOT_FOUND
    })
    .await;
    let a = actions(&pool, s.a.tenant_id).await;
    assert!(
        a.contains(&"website.deleted".to_string()) && a.contains(&"website.purged".to_string()),
        "{a:?}"
    );
}

#[tokio::test]
async fn the_lifecycle_job_is_registered_on_the_job_queue() {
    let pool = pool().await;
    let reg = server::jobs::registry(&config(), &pool).only(&[server::lifecycle::JOB]);
    // Runs (at the real time) without failing; what it does is proven by the tests above.
    reg.seed_recurring(&pool).await.expect("seed");
    let _ = server::jobs::run_due(&pool, &reg).await;
    let kinds = app::db::jobs::overview(&pool).await.expect("overview");
    assert!(
        kinds
            .iter()
            .any(|k| k.kind == server::lifecycle::JOB && k.status != "dead"),
        "the recurring job is queued"
    );
}

/// The purge gives the storage quota back: a library image only the purged website used is
/// deleted (its files by the queued `assets.purge` job); one another website still uses, and
/// one no website uses, stay.
#[tokio::test]
async fn purging_a_website_releases_the_images_only_it_used() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = published_site(&router, &pool, "Quota Bakery").await;
    let tenant = s.a.tenant_id;
    set_plan(&pool, tenant, PRO).await;
    let other: Uuid = call_json(
        &router,
        "/api/websites/create",
        Some(&s.owner),
        json!({ "name": "Keeper", "subdomain": unique("keep-") }),
    )
    .await
    .json();
    let only = crate::permissions::fixtures::fresh_asset(&router, &s.owner).await;
    let shared = crate::permissions::fixtures::fresh_asset(&router, &s.owner).await;
    let unused = crate::permissions::fixtures::fresh_asset(&router, &s.owner).await;
    let doomed = s.a.website_id;
    let mut tx = app::db::tenant_tx(&pool, tenant).await.expect("tx");
    for (asset, used) in [(only, vec![doomed]), (shared, vec![doomed, other])] {
        sqlx::query("UPDATE assets SET used_in_websites = $2 WHERE id = $1")
            .bind(asset)
            .bind(used)
            .execute(&mut *tx)
            .await
            .expect("used in");
    }
    let used_before: f64 = sqlx::query_scalar("SELECT get_tenant_storage_mb($1)::float8")
        .bind(tenant)
        .fetch_one(&mut *tx)
        .await
        .expect("storage");
    tx.commit().await.expect("commit");

    let name = ok(&router, &s, "/api/websites/settings", json!({}))
        .await
        .name;
    let r = settings_call(
        &router,
        &s,
        "/api/websites/delete",
        json!({ "confirm": name }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let swept =
        server::lifecycle::sweep(&pool, Utc::now() + Duration::days(31), Some(tenant)).await;
    assert_eq!(swept.purged, 1, "{swept:?}");

    let mut tx = app::db::tenant_tx(&pool, tenant).await.expect("tx");
    let left: Vec<(Uuid, Vec<Uuid>)> =
        sqlx::query_as("SELECT id, used_in_websites FROM assets ORDER BY created_at")
            .fetch_all(&mut *tx)
            .await
            .expect("assets");
    assert!(left.iter().all(|(id, _)| *id != only), "{left:?}");
    assert!(left.contains(&(shared, vec![other])), "{left:?}");
    assert!(left.iter().any(|(id, _)| *id == unused), "{left:?}");
    let used_after: f64 = sqlx::query_scalar("SELECT get_tenant_storage_mb($1)::float8")
        .bind(tenant)
        .fetch_one(&mut *tx)
        .await
        .expect("storage");
    assert!(used_after < used_before, "{used_after} < {used_before}");
    // The job queue is no tenant table: read it as the owner role.
    let owner_pool = sqlx::PgPool::connect(&std::env::var("DATABASE_URL").expect("url"))
        .await
        .expect("owner pool");
    let purge_jobs: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM jobs WHERE kind = 'assets.purge' AND payload->>'asset_id' = $1",
    )
    .bind(only.to_string())
    .fetch_one(&owner_pool)
    .await
    .expect("jobs");
    assert_eq!(purge_jobs, 1);
    let meta: serde_json::Value = sqlx::query_scalar(
        "SELECT metadata FROM audit_logs WHERE action = 'website.purged' AND resource_id = $1",
    )
    .bind(doomed)
    .fetch_one(&mut *tx)
    .await
    .expect("audit");
    assert_eq!(meta["released_assets"], 1);
    tx.commit().await.expect("commit");
}
