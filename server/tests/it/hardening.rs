//! Issue 15 §6, the smaller findings: reserved subdomains, the audit list's page overflow,
//! pages with locked blocks, idle session expiry, "log out everywhere" and accepting an
//! invitation ending the previous session. (CSV cells: `forms`; hashed invitation tokens:
//! `team`.)

use app::db::accounts::{self, SignupInput};
use app::db::tenant_tx;
use app::error::AppError;
use app::model::Role;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;

fn signup_input(org: &str) -> SignupInput {
    SignupInput {
        full_name: "Hard Ening".into(),
        org_name: org.into(),
        email: format!("{}@example.com", unique("hard-")),
        password: "correct-horse-7".into(),
    }
}

#[tokio::test]
async fn reserved_subdomains_are_refused_for_sign_up_and_websites() {
    let pool = pool().await;
    for org in ["Admin", "WWW", "api", "Billing", "Status"] {
        let err = accounts::signup(&pool, signup_input(org))
            .await
            .err()
            .unwrap_or_else(|| panic!("{org} must be refused"));
        assert!(
            matches!(&err, AppError::Invalid { field, message } if field == "org_name" && message.contains("reserved")),
            "{org}: {err:?}"
        );
    }
    // A name that only contains a reserved word is fine.
    accounts::signup(&pool, signup_input("Admin Bakery"))
        .await
        .expect("admin-bakery is not reserved");

    let a = account(&pool, "Reserved Sites").await;
    set_plan(&pool, a.tenant_id, PRO).await;
    for sub in ["www", "app", "Login", "help"] {
        let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
        let err = app::db::websites::create(&mut tx, a.tenant_id, a.user_id, "Second Site", sub)
            .await
            .expect_err(sub);
        assert!(
            matches!(&err, AppError::Invalid { field, message } if field == "subdomain" && message.contains("reserved")),
            "{sub}: {err:?}"
        );
    }
}

#[tokio::test]
async fn an_audit_page_number_that_would_overflow_is_refused_as_invalid() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Audit Overflow").await;
    let r = call_json(
        &router,
        "/api/audit/list",
        Some(&cookie_for(&a)),
        json!({ "filter": { "page": i64::MAX } }),
    )
    .await;
    assert!(
        matches!(r.error(), AppError::Invalid { field, .. } if field == "page"),
        "{}",
        r.text()
    );
    let ok = call_json(
        &router,
        "/api/audit/list",
        Some(&cookie_for(&a)),
        json!({ "filter": { "page": 3 } }),
    )
    .await;
    assert!(ok.status.is_success(), "{}", ok.text());
}

async fn page_revision(pool: &PgPool, tenant: Uuid, page: Uuid) -> i64 {
    let mut tx = tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_scalar("SELECT settings_revision FROM pages WHERE id = $1")
        .bind(page)
        .fetch_one(&mut *tx)
        .await
        .expect("revision")
}

#[tokio::test]
async fn an_editor_cannot_delete_a_page_with_locked_blocks() {
    let pool = pool().await;
    let a = account(&pool, "Locked Pages").await;
    set_plan(&pool, a.tenant_id, PRO).await;
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let page = app::db::pages::create(
        &mut tx,
        a.tenant_id,
        a.user_id,
        a.website_id,
        "About",
        "/about",
    )
    .await
    .expect("page");
    // Copy the home page's blocks onto it and lock one.
    sqlx::query(
        r#"INSERT INTO components (tenant_id, page_id, type, order_key, props, is_visible, is_locked)
           SELECT tenant_id, $1, type, order_key, props, is_visible, false FROM components WHERE page_id = $2
           ON CONFLICT DO NOTHING"#,
    )
    .bind(page)
    .bind(a.home_page_id)
    .execute(&mut *tx)
    .await
    .expect("blocks");
    sqlx::query("UPDATE components SET is_locked = true WHERE id = (SELECT id FROM components WHERE page_id = $1 LIMIT 1)")
        .bind(page)
        .execute(&mut *tx)
        .await
        .expect("lock");
    tx.commit().await.expect("commit");

    // Through the API, as an editor of the tenant.
    let router = router(pool.clone());
    let (editor, _) = member(&pool, &a, "editor", None).await;
    let base = page_revision(&pool, a.tenant_id, page).await;
    let r = call_json(
        &router,
        "/api/pages/delete",
        Some(&editor),
        json!({ "page_id": page, "base_revision": base }),
    )
    .await;
    assert!(
        matches!(r.error(), AppError::Forbidden(m) if m == "This page has locked blocks. Only owners and admins can delete it."),
        "{}",
        r.text()
    );
    for role in [Role::Editor, Role::Developer] {
        let base = page_revision(&pool, a.tenant_id, page).await;
        let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
        let err = app::db::pages::delete(&mut tx, a.tenant_id, a.user_id, role, page, base)
            .await
            .expect_err("an editor is refused");
        assert!(
            matches!(&err, AppError::Forbidden(m) if m.contains("locked blocks")),
            "{err:?}"
        );
    }
    let base = page_revision(&pool, a.tenant_id, page).await;
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    app::db::pages::delete(&mut tx, a.tenant_id, a.user_id, Role::Admin, page, base)
        .await
        .expect("an admin deletes it");
    tx.commit().await.expect("commit");
}

async fn me(router: &axum::Router, cookie: &str) -> Option<app::model::CurrentUser> {
    call_form(router, "/api/me", Some(cookie), &[]).await.json()
}

#[tokio::test]
async fn sessions_end_after_seven_idle_days_and_a_used_one_moves_forward() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Idle Sessions").await;
    let id = accounts::session_id(&a.session_token);
    let set_seen = |ago: &'static str| {
        let pool = pool.clone();
        let id = id.clone();
        async move {
            let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
            sqlx::query(&format!(
                "UPDATE sessions SET last_seen_at = now() - interval '{ago}' WHERE id = $1"
            ))
            .bind(&id)
            .execute(&mut *tx)
            .await
            .expect("update");
            tx.commit().await.expect("commit");
        }
    };
    // Used two hours ago: still valid, and this request moves last_seen_at forward.
    set_seen("2 hours").await;
    assert!(me(&router, &cookie_for(&a)).await.is_some());
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let idle: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM now() - last_seen_at)::float8 FROM sessions WHERE id = $1",
    )
    .bind(&id)
    .fetch_one(&mut *tx)
    .await
    .expect("last_seen_at");
    tx.commit().await.expect("commit");
    assert!(idle < 60.0, "last_seen_at moved forward ({idle} s ago)");

    // Idle for more than seven days: gone, though the absolute 30 days are not over.
    set_seen("7 days 1 minute").await;
    assert!(me(&router, &cookie_for(&a)).await.is_none());
}

#[tokio::test]
async fn log_out_everywhere_ends_every_session_of_the_member_only() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Everywhere Co").await;
    let b = account(&pool, "Bystander Everywhere").await;
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(a.user_id)
        .fetch_one(&mut *tx)
        .await
        .expect("email");
    tx.commit().await.expect("commit");
    let second = accounts::login(&pool, &email, "correct-horse-7")
        .await
        .expect("second session");
    let second = format!("sp_session={second}");
    assert!(me(&router, &second).await.is_some());

    let r = call_json(
        &router,
        "/api/settings/logout_everywhere",
        Some(&cookie_for(&a)),
        json!({}),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert!(
        r.set_cookie.iter().any(|c| c.contains("sp_session=;")),
        "the cookie is cleared: {:?}",
        r.set_cookie
    );
    assert!(me(&router, &cookie_for(&a)).await.is_none());
    assert!(me(&router, &second).await.is_none());
    assert!(
        me(&router, &cookie_for(&b)).await.is_some(),
        "other members keep theirs"
    );
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE action = 'user.logged_out_everywhere'",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn accepting_an_invitation_ends_the_previous_session() {
    let pool = pool().await;
    let router = router(pool.clone());
    let inviter = account(&pool, "Inviting Co").await;
    set_plan(&pool, inviter.tenant_id, PRO).await;
    let previous = account(&pool, "Previous Session Co").await;
    let email = format!("{}@example.com", unique("joiner-"));
    let inv: app::model::Invitation = call_json(
        &router,
        "/api/team/invite",
        Some(&cookie_for(&inviter)),
        json!({ "email": email, "role": "editor" }),
    )
    .await
    .json();
    let mut tx = tenant_tx(&pool, inviter.tenant_id).await.expect("tx");
    let link: String = sqlx::query_scalar("SELECT link FROM email_outbox WHERE invitation_id = $1")
        .bind(inv.id)
        .fetch_one(&mut *tx)
        .await
        .expect("link");
    tx.commit().await.expect("commit");
    let token = link.rsplit('/').next().expect("token");

    // The browser is still signed in as someone else when the link is accepted.
    let r = call_json(
        &router,
        "/api/invite/accept",
        Some(&cookie_for(&previous)),
        json!({ "token": token, "full_name": "Jo Iner", "password": "correct-horse-8" }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert!(
        me(&router, &cookie_for(&previous)).await.is_none(),
        "the previous session ended"
    );
    let fresh = r
        .set_cookie
        .iter()
        .find_map(|c| {
            c.split(';')
                .next()
                .filter(|kv| kv.starts_with("sp_session="))
        })
        .expect("new session cookie")
        .to_string();
    let joined = me(&router, &fresh)
        .await
        .expect("signed in as the new member");
    assert_eq!(joined.tenant_id, inviter.tenant_id);
}
