//! Deployments: publish notes, the list, rollback and the members-only preview.
//! Every member may list and preview (schema reference §5: viewers "can view websites"); rolling back
//! changes what visitors see, so only the roles that may publish may do it.

use app::db::{accounts::NewAccount, tenant_tx};
use app::error::AppError;
use app::model::{DeploymentSummary, Published, RolledBack, SaveAck};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::json;
use sqlx::PgPool;
use tower::ServiceExt;
use uuid::Uuid;

use crate::common::*;

/// Sets the home page's hero heading in the draft.
async fn set_heading(router: &Router, cookie: &str, a: &NewAccount, text: &str) {
    let page = load_page(router, cookie, a.home_page_id).await;
    let hero = page.components[1].clone();
    let mut block = hero.block.clone();
    assert!(block.set_text("heading", text.into()));
    let _: SaveAck = call_json(router, "/api/builder/update", Some(cookie),
        json!({ "page_id": page.page_id, "component_id": hero.id, "block": block, "base_revision": page.revision })).await.json();
}

async fn publish(router: &Router, cookie: &str, a: &NewAccount, notes: Option<&str>) -> Published {
    call_json(
        router,
        "/api/websites/publish",
        Some(cookie),
        json!({ "website_id": a.website_id, "notes": notes }),
    )
    .await
    .json()
}

async fn list(router: &Router, cookie: &str, website: Uuid) -> Reply {
    call_json(
        router,
        "/api/websites/deployments",
        Some(cookie),
        json!({ "website_id": website }),
    )
    .await
}

async fn rollback(router: &Router, cookie: &str, website: Uuid, deployment: Uuid) -> Reply {
    call_json(
        router,
        "/api/websites/rollback",
        Some(cookie),
        json!({ "website_id": website, "deployment_id": deployment }),
    )
    .await
}

struct Page {
    status: StatusCode,
    robots: Option<String>,
    location: Option<String>,
    html: String,
}

/// GETs a preview address on the app host, with or without a session cookie.
async fn preview(router: &Router, cookie: Option<&str>, path: &str) -> Page {
    let mut req = Request::get(path).header(header::HOST, "127.0.0.1:3000");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = router
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let header_text = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    let (status, robots, location) = (
        res.status(),
        header_text("x-robots-tag"),
        header_text("location"),
    );
    let body = res.into_body().collect().await.expect("body").to_bytes();
    Page {
        status,
        robots,
        location,
        html: String::from_utf8_lossy(&body).into_owned(),
    }
}

async fn visitor_home(router: &Router, a: &NewAccount) -> String {
    get(
        router,
        "127.0.0.1:3000",
        &format!("/sites/{}/", a.subdomain),
    )
    .await
    .text()
}

async fn live_ids(pool: &PgPool, a: &NewAccount) -> Vec<Uuid> {
    let mut tx = tenant_tx(pool, a.tenant_id).await.expect("tx");
    sqlx::query_scalar("SELECT id FROM deployments WHERE website_id = $1 AND is_live")
        .bind(a.website_id)
        .fetch_all(&mut *tx)
        .await
        .expect("live")
}

/// A site published twice: "First heading" (notes "First"), then "Second heading".
async fn published_twice(router: &Router, a: &NewAccount) -> (Published, Published) {
    let cookie = cookie_for(a);
    set_heading(router, &cookie, a, "First heading").await;
    let first = publish(router, &cookie, a, Some("  First\n")).await;
    set_heading(router, &cookie, a, "Second heading").await;
    let second = publish(router, &cookie, a, None).await;
    (first, second)
}

#[tokio::test]
async fn publish_keeps_notes_and_the_list_shows_who_when_and_what_newest_first() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Deploy List").await;
    let cookie = cookie_for(&a);
    assert!(list(&router, &cookie, a.website_id)
        .await
        .json::<Vec<DeploymentSummary>>()
        .is_empty());

    let (first, second) = published_twice(&router, &a).await;
    let listed: Vec<DeploymentSummary> = list(&router, &cookie, a.website_id).await.json();
    assert_eq!(
        listed.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![second.deployment_id, first.deployment_id]
    );
    assert_eq!(
        listed[1].notes.as_deref(),
        Some("First"),
        "notes are stored trimmed"
    );
    assert_eq!(listed[0].notes, None);
    assert_eq!(listed[0].deployed_by.as_deref(), Some("Test Owner"));
    assert_eq!(
        (listed[0].pages, listed[0].is_live, listed[1].is_live),
        (1, true, false)
    );

    // Too-long notes are refused on the notes field, and nothing is published.
    let long = "x".repeat(501);
    let err = call_json(
        &router,
        "/api/websites/publish",
        Some(&cookie),
        json!({ "website_id": a.website_id, "notes": long }),
    )
    .await
    .error();
    assert_eq!(err.field(), Some("notes"), "{err:?}");
    assert!(err.to_string().contains("at most 500"), "{err}");
    let bad = call_json(
        &router,
        "/api/websites/publish",
        Some(&cookie),
        json!({ "website_id": a.website_id, "notes": "a\u{7}b" }),
    )
    .await
    .error();
    assert_eq!(bad.field(), Some("notes"));
    assert_eq!(
        list(&router, &cookie, a.website_id)
            .await
            .json::<Vec<DeploymentSummary>>()
            .len(),
        2
    );
    assert_eq!(live_ids(&pool, &a).await, vec![second.deployment_id]);

    // A member without a name is listed by email.
    let (dev, _) = member(&pool, &a, "developer", None).await;
    publish(&router, &dev, &a, Some("By the developer")).await;
    let listed: Vec<DeploymentSummary> = list(&router, &cookie, a.website_id).await.json();
    assert!(listed[0]
        .deployed_by
        .as_deref()
        .is_some_and(|w| w.starts_with("developer") && w.ends_with("@example.com")));
}

#[tokio::test]
async fn rollback_makes_an_earlier_deployment_live_with_one_live_row_and_an_audit_row() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Deploy Rollback").await;
    let cookie = cookie_for(&a);
    let (first, second) = published_twice(&router, &a).await;
    assert!(visitor_home(&router, &a).await.contains("Second heading"));

    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let before: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT last_deployed_at FROM websites WHERE id = $1")
            .bind(a.website_id)
            .fetch_one(&mut *tx)
            .await
            .expect("site");
    drop(tx);

    let r: RolledBack = rollback(&router, &cookie, a.website_id, first.deployment_id)
        .await
        .json();
    assert_eq!(
        (r.deployment_id, r.previous_deployment_id),
        (first.deployment_id, Some(second.deployment_id))
    );
    assert_eq!(r.site_path, format!("/sites/{}/", a.subdomain));
    let html = visitor_home(&router, &a).await;
    assert!(
        html.contains("First heading") && !html.contains("Second heading"),
        "visitors see the older snapshot"
    );
    assert_eq!(
        live_ids(&pool, &a).await,
        vec![first.deployment_id],
        "exactly one live deployment"
    );

    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let after: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT last_deployed_at FROM websites WHERE id = $1")
            .bind(a.website_id)
            .fetch_one(&mut *tx)
            .await
            .expect("site");
    assert!(after > before, "last_deployed_at moves on rollback");
    let audit: (Uuid, serde_json::Value) = sqlx::query_as(
        "SELECT performed_by, metadata FROM audit_logs WHERE action = 'website.rolled_back' AND resource_id = $1")
        .bind(a.website_id).fetch_one(&mut *tx).await.expect("one audit row");
    assert_eq!(audit.0, a.user_id);
    assert_eq!(
        audit.1,
        json!({ "from_deployment_id": second.deployment_id, "to_deployment_id": first.deployment_id })
    );
    drop(tx);

    // The live one cannot be rolled back to; rolling forward again works.
    let again = rollback(&router, &cookie, a.website_id, first.deployment_id)
        .await
        .error();
    assert_eq!(again.field(), Some("deployment_id"));
    let _: RolledBack = rollback(&router, &cookie, a.website_id, second.deployment_id)
        .await
        .json();
    assert!(visitor_home(&router, &a).await.contains("Second heading"));
    assert_eq!(live_ids(&pool, &a).await, vec![second.deployment_id]);

    // A deployment of another website of the same tenant, or none at all, is not found.
    let err = rollback(&router, &cookie, a.website_id, Uuid::new_v4())
        .await
        .error();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");

    // Archived and suspended websites keep their live version.
    for status in ["archived", "suspended"] {
        let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
        sqlx::query("UPDATE websites SET status = $2 WHERE id = $1")
            .bind(a.website_id)
            .bind(status)
            .execute(&mut *tx)
            .await
            .expect("status");
        tx.commit().await.expect("commit");
        let err = rollback(&router, &cookie, a.website_id, first.deployment_id)
            .await
            .error();
        assert!(matches!(err, AppError::Forbidden(_)), "{status}: {err:?}");
        assert_eq!(live_ids(&pool, &a).await, vec![second.deployment_id]);
    }
}

#[tokio::test]
async fn every_member_lists_and_previews_but_only_owner_admin_and_developer_roll_back() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Deploy Roles").await;
    let (first, second) = published_twice(&router, &a).await;
    let mut target = first.deployment_id;
    let mut other = second.deployment_id;
    for role in ["owner", "admin", "developer", "editor", "viewer"] {
        let cookie = if role == "owner" {
            cookie_for(&a)
        } else {
            member_cookie(&pool, &a, role).await
        };
        let listed = list(&router, &cookie, a.website_id).await;
        assert!(
            listed.status.is_success(),
            "{role} lists: {}",
            listed.text()
        );
        assert_eq!(listed.json::<Vec<DeploymentSummary>>().len(), 2);
        let p = preview(
            &router,
            Some(&cookie),
            &format!("/preview/deployments/{}/", first.deployment_id),
        )
        .await;
        assert_eq!(p.status, StatusCode::OK, "{role} previews");
        assert!(p.html.contains("First heading"));

        let reply = rollback(&router, &cookie, a.website_id, target).await;
        if matches!(role, "owner" | "admin" | "developer") {
            assert!(
                reply.status.is_success(),
                "{role} rolls back: {}",
                reply.text()
            );
            assert_eq!(live_ids(&pool, &a).await, vec![target]);
            std::mem::swap(&mut target, &mut other);
        } else {
            assert!(
                matches!(reply.error(), AppError::Forbidden(_)),
                "{role} is refused"
            );
            assert_eq!(
                live_ids(&pool, &a).await,
                vec![other],
                "{role} changed nothing"
            );
        }
    }
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let audits: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE action = 'website.rolled_back' AND resource_id = $1",
    )
    .bind(a.website_id)
    .fetch_one(&mut *tx)
    .await
    .expect("audit");
    assert_eq!(
        audits, 3,
        "one audit row per allowed rollback, none for refusals"
    );
}

#[tokio::test]
async fn another_tenant_cannot_list_preview_or_roll_back() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Deploy Victim").await;
    let b = account(&pool, "Deploy Intruder").await;
    let (first, second) = published_twice(&router, &a).await;
    let b_cookie = cookie_for(&b);
    // b has a deployment too, so its website id is a real one.
    publish(&router, &b_cookie, &b, None).await;

    assert!(matches!(
        list(&router, &b_cookie, a.website_id).await.error(),
        AppError::NotFound(_)
    ));
    assert!(matches!(
        rollback(&router, &b_cookie, a.website_id, first.deployment_id)
            .await
            .error(),
        AppError::NotFound(_)
    ));
    assert!(matches!(
        rollback(&router, &b_cookie, b.website_id, first.deployment_id)
            .await
            .error(),
        AppError::NotFound(_)
    ));
    let p = preview(
        &router,
        Some(&b_cookie),
        &format!("/preview/deployments/{}/", first.deployment_id),
    )
    .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(!p.html.contains("First heading"));
    // a's own owner cannot roll a's site to b's deployment either.
    let b_live = live_ids(&pool, &b).await[0];
    assert!(matches!(
        rollback(&router, &cookie_for(&a), a.website_id, b_live)
            .await
            .error(),
        AppError::NotFound(_)
    ));
    assert_eq!(live_ids(&pool, &a).await, vec![second.deployment_id]);
    assert_eq!(live_ids(&pool, &b).await, vec![b_live]);
}

#[tokio::test]
async fn preview_shows_any_deployment_with_a_banner_to_members_only() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Deploy Preview").await;
    let cookie = cookie_for(&a);
    let (first, second) = published_twice(&router, &a).await;

    let old = preview(
        &router,
        Some(&cookie),
        &format!("/preview/deployments/{}/", first.deployment_id),
    )
    .await;
    assert_eq!(old.status, StatusCode::OK);
    assert!(old.html.contains("First heading") && !old.html.contains("Second heading"));
    assert!(old.html.contains("Preview of the deployment from") && old.html.contains("(not live)"));
    assert!(old
        .html
        .contains(r#"<meta name="robots" content="noindex""#));
    assert_eq!(old.robots.as_deref(), Some("noindex"));
    // The path form without the trailing slash, and the live one.
    let live = preview(
        &router,
        Some(&cookie),
        &format!("/preview/deployments/{}", second.deployment_id),
    )
    .await;
    assert_eq!(live.status, StatusCode::OK);
    assert!(live.html.contains("Second heading") && live.html.contains("(live now)"));
    // Visitors never see the banner.
    assert!(!visitor_home(&router, &a)
        .await
        .contains("Preview of the deployment"));

    let missing_page = preview(
        &router,
        Some(&cookie),
        &format!("/preview/deployments/{}/no-such-page", first.deployment_id),
    )
    .await;
    assert_eq!(missing_page.status, StatusCode::NOT_FOUND);
    assert_eq!(
        preview(
            &router,
            Some(&cookie),
            &format!("/preview/deployments/{}/", Uuid::new_v4())
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        preview(&router, Some(&cookie), "/preview/deployments/not-a-uuid/")
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Without a session: sent to log in, nothing of the site shown.
    let anon = preview(
        &router,
        None,
        &format!("/preview/deployments/{}/", first.deployment_id),
    )
    .await;
    assert_eq!(anon.status, StatusCode::SEE_OTHER);
    assert_eq!(anon.location.as_deref(), Some("/login"));
    assert!(!anon.html.contains("First heading"));
    let forged = preview(
        &router,
        Some("sp_session=0123"),
        &format!("/preview/deployments/{}/", first.deployment_id),
    )
    .await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);
}
