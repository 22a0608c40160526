//! Stored backups (issue 20 §4): the `backups.daily` job, retention by plan, download, and
//! restore (pre_restore versions and backup first, then the draft replaced in one go).

use crate::common::*;
use app::model::{BackupSummary, VersionSummary};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

async fn backups(router: &axum::Router, cookie: &str, website: Uuid) -> Vec<BackupSummary> {
    let r = call_json(
        router,
        "/api/backups/list",
        Some(cookie),
        json!({ "website_id": website }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    r.json()
}

async fn run_daily(pool: &PgPool) {
    let ctx = server::jobs::JobCtx {
        pool: pool.clone(),
        id: 0,
        kind: "backups.daily".into(),
        payload: json!({}),
        attempt: 1,
        max_attempts: 8,
    };
    server::backup_export::daily_job(ctx)
        .await
        .expect("daily job");
}

#[tokio::test]
async fn the_daily_job_backs_up_each_website_once_a_day_kept_as_long_as_the_plan_says() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Daily Dough").await;
    let owner = cookie_for(&a);
    let due = |pool: PgPool| async move {
        app::db::system::site_backups_due(&pool, i32::MAX)
            .await
            .expect("due")
    };
    assert!(due(pool.clone())
        .await
        .contains(&(a.tenant_id, a.website_id)));
    // Other tests' websites are due too: run until this one has its backup.
    for _ in 0..100 {
        if !due(pool.clone())
            .await
            .contains(&(a.tenant_id, a.website_id))
        {
            break;
        }
        run_daily(&pool).await;
    }
    let list = backups(&router, &owner, a.website_id).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].kind, "auto");
    assert_eq!(list[0].pages, 1);
    let days = (list[0].expires_at - list[0].created_at).num_days();
    assert_eq!(days, 7, "Starter keeps daily backups 7 days");
    // A second run the same day takes none.
    run_daily(&pool).await;
    assert_eq!(backups(&router, &owner, a.website_id).await.len(), 1);

    // Pro keeps them 90 days.
    set_plan(&pool, a.tenant_id, PRO).await;
    let r = call_json(
        &router,
        "/api/backups/create",
        Some(&owner),
        json!({ "website_id": a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let list = backups(&router, &owner, a.website_id).await;
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].kind, "manual");
    assert_eq!((list[0].expires_at - list[0].created_at).num_days(), 90);

    // Expired backups are not listed and are deleted with the next one.
    let owner_pool = PgPool::connect(&std::env::var("DATABASE_URL").expect("DATABASE_URL"))
        .await
        .expect("owner pool");
    sqlx::query("UPDATE site_backups SET expires_at = now() - interval '1 second' WHERE website_id = $1 AND backup_type = 'auto'")
        .bind(a.website_id)
        .execute(&owner_pool)
        .await
        .expect("expire");
    assert_eq!(backups(&router, &owner, a.website_id).await.len(), 1);
    call_json(
        &router,
        "/api/backups/create",
        Some(&owner),
        json!({ "website_id": a.website_id }),
    )
    .await;
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM site_backups WHERE website_id = $1")
        .bind(a.website_id)
        .fetch_one(&owner_pool)
        .await
        .expect("count");
    assert_eq!(stored, 2, "the expired daily backup is deleted");
}

#[tokio::test]
async fn restore_records_pre_restore_versions_then_replaces_the_draft() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Restore Rolls").await;
    let owner = cookie_for(&a);
    let r = call_json(
        &router,
        "/api/backups/create",
        Some(&owner),
        json!({ "website_id": a.website_id }),
    )
    .await;
    let backup: Uuid = r.json();
    let before = load_page(&router, &owner, a.home_page_id).await;

    // Change the draft: a new page and a hidden first block on the home page.
    let r = call_json(
        &router,
        "/api/pages/create",
        Some(&owner),
        json!({ "website_id": a.website_id, "title": "Later", "slug": "/later" }),
    )
    .await;
    assert!(r.status.is_success());
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    sqlx::query("UPDATE components SET props = jsonb_set(props, '{heading}', '\"Changed\"') WHERE page_id = $1 AND type = 'hero'")
        .bind(a.home_page_id)
        .execute(&mut *tx)
        .await
        .expect("edit");
    tx.commit().await.expect("commit");
    assert_ne!(
        load_page(&router, &owner, a.home_page_id).await.components,
        before.components
    );

    // A viewer cannot restore.
    let viewer = member_cookie(&pool, &a, "viewer").await;
    let r = call_json(
        &router,
        "/api/backups/restore",
        Some(&viewer),
        json!({ "backup_id": backup }),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let r = call_json(
        &router,
        "/api/backups/restore",
        Some(&owner),
        json!({ "backup_id": backup }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let after = load_page(&router, &owner, a.home_page_id).await;
    let blocks = |d: &app::model::BuilderData| {
        d.components
            .iter()
            .map(|c| (c.block.clone(), c.is_visible, c.is_locked))
            .collect::<Vec<_>>()
    };
    assert_eq!(blocks(&after), blocks(&before));
    let sites: Vec<app::model::WebsiteSummary> =
        call_form(&router, "/api/websites", Some(&owner), &[])
            .await
            .json();
    let slugs: Vec<&str> = sites[0].pages.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(slugs, ["/"], "the page added after the backup is gone");

    // The home page kept its id and got a pre_restore version holding the changed heading.
    let versions: Vec<VersionSummary> = call_json(
        &router,
        "/api/versions/list",
        Some(&owner),
        json!({ "page_id": a.home_page_id }),
    )
    .await
    .json();
    assert!(
        versions
            .iter()
            .any(|v| v.trigger == app::model::VersionTrigger::PreRestore),
        "{versions:?}"
    );
    // The site as it was before the restore is a backup of its own.
    let list = backups(&router, &owner, a.website_id).await;
    assert!(
        list.iter().any(|b| b.kind == "pre_restore" && b.pages == 2),
        "{list:?}"
    );
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_logs")
        .fetch_all(&mut *tx)
        .await
        .expect("audit");
    assert!(actions.iter().any(|a| a == "website.backup_restored"));
    assert!(actions.iter().any(|a| a == "website.backup_taken"));

    // Download: the stored document as an attachment.
    let req = Request::get(format!("/backups/{backup}/download"))
        .header(header::HOST, "127.0.0.1")
        .header(header::COOKIE, &owner)
        .body(Body::empty())
        .expect("request");
    let res = send_raw(&router, req).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res
        .header("content-disposition")
        .is_some_and(|d| d.starts_with("attachment;")));
    let doc: app::model::SiteBackup = serde_json::from_slice(&res.body).expect("backup");
    assert_eq!(doc.pages.len(), 1);
}
