//! Undoing a website's deletion during the 30 days (issue 23 part 1).

use app::error::AppError;
use app::model::DeletedWebsite;
use serde_json::json;

use crate::common::*;
use crate::visitor_site::{eventually, published_site};

#[tokio::test]
async fn a_deleted_website_comes_back_within_30_days_and_the_plan() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = published_site(&router, &pool, "Undo Bakery").await;
    let w = s.a.website_id;
    let settings: app::model::WebsiteSettings = call_json(
        &router,
        "/api/websites/settings",
        Some(&s.owner),
        json!({ "website_id": w }),
    )
    .await
    .json();
    let r = call_json(
        &router,
        "/api/websites/delete",
        Some(&s.owner),
        json!({ "website_id": w, "confirm": settings.name }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    eventually(&router, &s.host, "/", "offline", |g| g.status == 410).await;

    let deleted = |cookie: String| {
        let router = router.clone();
        async move { call_json(&router, "/api/websites/deleted", Some(&cookie), json!({})).await }
    };
    let list: Vec<DeletedWebsite> = deleted(s.owner.clone()).await.json();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, w);
    assert_eq!((list[0].purge_at - list[0].deleted_at).num_days(), 30);
    let editor = member_cookie(&pool, &s.a, "editor").await;
    assert!(matches!(
        deleted(editor.clone()).await.error(),
        AppError::Forbidden(_)
    ));
    let r = call_json(
        &router,
        "/api/websites/undelete",
        Some(&editor),
        json!({ "website_id": w }),
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(_)), "{}", r.text());

    // The plan's one website is taken by a new one meanwhile: restoring needs room.
    let r = call_json(
        &router,
        "/api/websites/create",
        Some(&s.owner),
        json!({ "name": "Second", "subdomain": unique("second-") }),
    )
    .await;
    assert!(
        r.status.is_success(),
        "the deleted one no longer counts: {}",
        r.text()
    );
    {
        let r = call_json(
            &router,
            "/api/websites/undelete",
            Some(&s.owner),
            json!({ "website_id": w }),
        )
        .await;
        assert!(
            matches!(r.error(), AppError::LimitReached { .. }),
            "{}",
            r.text()
        );
        assert_eq!(r.status, 402);
        let second: Vec<app::model::WebsiteSummary> =
            call_form(&router, "/api/websites", Some(&s.owner), &[])
                .await
                .json();
        let id = second
            .iter()
            .find(|x| x.name == "Second")
            .expect("second")
            .id;
        let mut tx = app::db::tenant_tx(&pool, s.a.tenant_id).await.expect("tx");
        sqlx::query("UPDATE websites SET status = 'archived' WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .expect("archive");
        tx.commit().await.expect("commit");
    }

    let r = call_json(
        &router,
        "/api/websites/undelete",
        Some(&s.owner),
        json!({ "website_id": w }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    eventually(&router, &s.host, "/", "serving again", |g| g.status == 200).await;
    assert!(deleted(s.owner.clone())
        .await
        .json::<Vec<DeletedWebsite>>()
        .is_empty());
    // Nothing left to undo.
    let r = call_json(
        &router,
        "/api/websites/undelete",
        Some(&s.owner),
        json!({ "website_id": w }),
    )
    .await;
    assert!(matches!(r.error(), AppError::NotFound(_)), "{}", r.text());

    // Past the 30 days it can no longer be restored.
    let mut tx = app::db::tenant_tx(&pool, s.a.tenant_id).await.expect("tx");
    sqlx::query("UPDATE websites SET deleted_at = now() - interval '31 days' WHERE id = $1")
        .bind(w)
        .execute(&mut *tx)
        .await
        .expect("age");
    let n: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_logs WHERE action = 'website.undeleted'")
            .fetch_one(&mut *tx)
            .await
            .expect("audit");
    tx.commit().await.expect("commit");
    assert_eq!(n, 1);
    let r = call_json(
        &router,
        "/api/websites/undelete",
        Some(&s.owner),
        json!({ "website_id": w }),
    )
    .await;
    assert!(matches!(r.error(), AppError::NotFound(_)), "{}", r.text());
}
