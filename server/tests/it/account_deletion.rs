//! A member deletes their own user account (migration 0050): the password is asked again,
//! the owner cannot, the content they made stays, they can no longer sign in, and the audit
//! log keeps every row exactly as it was, showing them as "deleted user".

use app::error::AppError;
use app::model::{AuditPage, CurrentUser};
use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;

const PASSWORD: &str = "member-password-9";

/// A member with `role` whose password is [`PASSWORD`]: (cookie, user id, email).
async fn member_with_password(
    pool: &PgPool,
    a: &app::db::accounts::NewAccount,
    role: &str,
) -> (String, Uuid, String) {
    let (cookie, user) = member(pool, a, role, Some("Dee Leted")).await;
    let hash = app::db::accounts::hash_password(PASSWORD.into())
        .await
        .expect("hash");
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let email: String =
        sqlx::query_scalar("UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING email")
            .bind(user)
            .bind(hash)
            .fetch_one(&mut *tx)
            .await
            .expect("password");
    tx.commit().await.expect("commit");
    (cookie, user, email)
}

async fn audit_rows(pool: &PgPool, tenant: Uuid, user: Uuid) -> Vec<serde_json::Value> {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    let rows = sqlx::query_scalar(
        "SELECT to_jsonb(a) FROM audit_logs a WHERE performed_by = $1 ORDER BY created_at, id",
    )
    .bind(user)
    .fetch_all(&mut *tx)
    .await
    .expect("audit");
    tx.commit().await.expect("commit");
    rows
}

#[tokio::test]
async fn a_member_deletes_their_account_content_stays_and_the_audit_shows_a_deleted_user() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Leaving Co").await;
    set_plan(&pool, a.tenant_id, PRO).await;
    let owner = cookie_for(&a);
    let (editor, user, email) = member_with_password(&pool, &a, "editor").await;

    // The editor makes something (audited as theirs).
    let r = call_json(
        &router,
        "/api/websites/create",
        Some(&editor),
        json!({ "name": "Editor's site", "subdomain": unique("eds-") }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let before = audit_rows(&pool, a.tenant_id, user).await;
    assert!(!before.is_empty());

    // A wrong or missing password: refused under the field, nothing deleted.
    for pw in ["", "not-my-password"] {
        let r = call_json(
            &router,
            "/api/settings/delete_account",
            Some(&editor),
            json!({ "password": pw }),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert_eq!(r.error().field(), Some("password"));
    }
    // The owner cannot.
    let r = call_json(
        &router,
        "/api/settings/delete_account",
        Some(&owner),
        json!({ "password": "correct-horse-7" }),
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(_)), "{}", r.text());

    let r = call_json(
        &router,
        "/api/settings/delete_account",
        Some(&editor),
        json!({ "password": PASSWORD }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert!(r.set_cookie.iter().any(|c| c.starts_with("sp_session=;")));

    // Gone: the old session is nobody, the log-in fails.
    let who: Option<CurrentUser> = call_form(&router, "/api/me", Some(&editor), &[])
        .await
        .json();
    assert_eq!(who, None);
    let r = call_form(
        &router,
        "/api/login",
        None,
        &[("email", &email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(r.error().field(), Some("password"), "{}", r.text());
    assert!(r.set_cookie.iter().all(|c| !c.starts_with("sp_session=")));

    // Their website stays.
    let list = call_form(&router, "/api/websites", Some(&owner), &[])
        .await
        .text();
    assert!(list.contains("Editor's site"), "{list}");

    // Every audit row of theirs is exactly as it was, plus the deletion itself.
    let after = audit_rows(&pool, a.tenant_id, user).await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after[..before.len()], before[..]);
    assert_eq!(after[before.len()]["action"], "user.deleted");

    // The audit view names them "deleted user".
    let page: AuditPage = call_json(
        &router,
        "/api/audit/list",
        Some(&owner),
        json!({ "filter": { "action": null, "user_id": null, "from": null, "to": null, "page": 0 } }),
    )
    .await
    .json();
    let theirs: Vec<_> = page
        .entries
        .iter()
        .filter(|e| e.performed_by == Some(user))
        .collect();
    assert!(!theirs.is_empty());
    assert!(theirs
        .iter()
        .all(|e| e.performer.as_deref() == Some("deleted user")));

    // Still append-only, even for the owner role.
    let owner_pool = PgPool::connect(&std::env::var("DATABASE_URL").expect("url"))
        .await
        .expect("owner pool");
    let err = sqlx::query("UPDATE audit_logs SET performed_by = NULL WHERE performed_by = $1")
        .bind(user)
        .execute(&owner_pool)
        .await
        .expect_err("audit rows changed");
    assert!(err.to_string().contains("append-only"), "{err}");
}
