//! Audit log: append-only for the app role (proved in SQL), rows for logins and team
//! actions with IP and user agent, and the audit page's role check, filters and paging.

use app::db::tenant_tx;
use app::error::AppError;
use app::model::{AuditPage, Invitation};
use axum::body::Body;
use axum::http::{header, Request};
use serde_json::json;
use tower::ServiceExt;

use crate::common::*;

#[tokio::test]
async fn the_app_role_cannot_update_or_delete_audit_rows() {
    let pool = pool().await;
    let a = account(&pool, "Ledger Cafe").await;
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_logs")
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    assert!(before >= 2, "sign-up wrote audit rows");
    let upd = sqlx::query("UPDATE audit_logs SET action = 'forged'")
        .execute(&mut *tx)
        .await;
    let err = upd.expect_err("UPDATE must be refused");
    assert!(err.to_string().contains("permission denied"), "{err}");
    tx.rollback().await.expect("rollback");

    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let del = sqlx::query("DELETE FROM audit_logs")
        .execute(&mut *tx)
        .await;
    let err = del.expect_err("DELETE must be refused");
    assert!(err.to_string().contains("permission denied"), "{err}");
    tx.rollback().await.expect("rollback");

    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_logs")
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    assert_eq!(after, before);
    let forged: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_logs WHERE action = 'forged'")
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    assert_eq!(forged, 0);
}

async fn list(
    router: &axum::Router,
    cookie: &str,
    filter: serde_json::Value,
) -> axum::http::StatusCode {
    call_json(
        router,
        "/api/audit/list",
        Some(cookie),
        json!({ "filter": filter }),
    )
    .await
    .status
}

#[tokio::test]
async fn logins_and_team_actions_are_logged_with_ip_and_user_agent_and_only_managers_read_them() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Trail Cafe").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let owner = cookie_for(&a);
    let email: String = {
        let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
        sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(a.user_id)
            .fetch_one(&mut *tx)
            .await
            .expect("email")
    };

    // A failed and a successful login through the real endpoint, with a user agent.
    for password in ["wrong-password-1", "correct-horse-7"] {
        let body = format!("email={}&password={password}", email.replace('@', "%40"));
        let req = Request::post("/api/login")
            .header(header::HOST, "127.0.0.1")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header(header::USER_AGENT, "AuditTest/1.0")
            // What the outermost service records for a request from 203.0.113.9.
            .extension(app::state::ClientIp("203.0.113.9".parse().expect("ip")))
            .body(Body::from(body))
            .expect("request");
        router.clone().oneshot(req).await.expect("login");
    }
    let inv: Invitation = call_json(
        &router,
        "/api/team/invite",
        Some(&owner),
        json!({ "email": format!("{}@example.com", unique("t-")), "role": "viewer" }),
    )
    .await
    .json();
    call_json(
        &router,
        "/api/team/revoke",
        Some(&owner),
        json!({ "invitation_id": inv.id }),
    )
    .await;

    let page: AuditPage = call_json(
        &router,
        "/api/audit/list",
        Some(&owner),
        json!({ "filter": { "page": 0 } }),
    )
    .await
    .json();
    let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
    for expected in [
        "user.login_failed",
        "user.login",
        "user.invited",
        "user.invitation_revoked",
        "tenant.created",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    let failed = page
        .entries
        .iter()
        .find(|e| e.action == "user.login_failed")
        .expect("failed login");
    assert_eq!(failed.metadata["email"], json!(email));
    assert!(
        !failed.metadata.to_string().contains("wrong-password"),
        "no password in the log"
    );
    assert_eq!(failed.ip_address.as_deref(), Some("203.0.113.9"));
    assert_eq!(failed.user_agent.as_deref(), Some("AuditTest/1.0"));

    // Filters: by action, by user, by date range; paging.
    let only: AuditPage = call_json(
        &router,
        "/api/audit/list",
        Some(&owner),
        json!({ "filter": { "action": "user.invited", "page": 0 } }),
    )
    .await
    .json();
    assert_eq!(only.total, 1);
    assert!(only.entries.iter().all(|e| e.action == "user.invited"));
    let by_owner: AuditPage = call_json(
        &router,
        "/api/audit/list",
        Some(&owner),
        json!({ "filter": { "user_id": a.user_id, "page": 0 } }),
    )
    .await
    .json();
    assert!(by_owner
        .entries
        .iter()
        .all(|e| e.performed_by == Some(a.user_id)));
    assert!(by_owner.total >= 4);
    let past: AuditPage = call_json(
        &router,
        "/api/audit/list",
        Some(&owner),
        json!({ "filter": { "to": "2020-01-01", "page": 0 } }),
    )
    .await
    .json();
    assert_eq!(past.total, 0);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let now: AuditPage = call_json(
        &router,
        "/api/audit/list",
        Some(&owner),
        json!({ "filter": { "from": today, "to": today, "page": 0 } }),
    )
    .await
    .json();
    assert_eq!(now.total, page.total);
    let far: AuditPage = call_json(
        &router,
        "/api/audit/list",
        Some(&owner),
        json!({ "filter": { "page": 5 } }),
    )
    .await
    .json();
    assert!(far.entries.is_empty() && far.total == page.total);
    let err = call_json(
        &router,
        "/api/audit/list",
        Some(&owner),
        json!({ "filter": { "from": "yesterday", "page": 0 } }),
    )
    .await
    .error();
    assert!(
        matches!(&err, AppError::Invalid { field, .. } if field == "from"),
        "{err:?}"
    );

    // Roles, and another tenant sees none of it.
    for (role, allowed) in [
        ("admin", true),
        ("developer", false),
        ("editor", false),
        ("viewer", false),
    ] {
        let cookie = member_cookie(&pool, &a, role).await;
        assert_eq!(
            list(&router, &cookie, json!({ "page": 0 }))
                .await
                .is_success(),
            allowed,
            "{role}"
        );
    }
    let b = account(&pool, "Other Trail").await;
    let theirs: AuditPage = call_json(
        &router,
        "/api/audit/list",
        Some(&cookie_for(&b)),
        json!({ "filter": { "page": 0 } }),
    )
    .await
    .json();
    assert!(theirs
        .entries
        .iter()
        .all(|e| e.resource_id != Some(inv.id) && e.performed_by != Some(a.user_id)));
}
