//! Team: invitations (token, expiry, revoke, reuse, duplicates, seats), role changes,
//! deactivation and tenant isolation.

use app::db::tenant_tx;
use app::error::AppError;
use app::model::{Invitation, InviteState, TeamOverview};
use axum::Router;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;

async fn invite(router: &Router, cookie: &str, email: &str, role: &str) -> Reply {
    call_json(
        router,
        "/api/team/invite",
        Some(cookie),
        json!({ "email": email, "role": role }),
    )
    .await
}

async fn overview(router: &Router, cookie: &str) -> TeamOverview {
    call_json(router, "/api/team/overview", Some(cookie), json!({}))
        .await
        .json()
}

/// The raw token of invitation `id`: only its hash is stored, so it is read from the link in
/// the latest email sent for it (as the app role inside its tenant).
async fn token_of(pool: &PgPool, tenant: Uuid, id: Uuid) -> String {
    let mut tx = tenant_tx(pool, tenant).await.expect("tx");
    let link: String = sqlx::query_scalar(
        "SELECT link FROM email_outbox WHERE invitation_id = $1 ORDER BY created_at DESC, id LIMIT 1",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await
    .expect("link");
    link.rsplit('/').next().expect("token").to_string()
}

/// What the table stores for invitation `id`.
async fn stored_token_of(pool: &PgPool, tenant: Uuid, id: Uuid) -> String {
    let mut tx = tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_scalar("SELECT token FROM team_invitations WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .expect("token")
}

async fn state(router: &Router, token: &str) -> InviteState {
    call_json(router, "/api/invite/state", None, json!({ "token": token }))
        .await
        .json()
}

async fn accept(router: &Router, token: &str) -> Reply {
    call_json(
        router,
        "/api/invite/accept",
        None,
        json!({ "token": token, "full_name": "Ed Itor", "password": "correct-horse-8" }),
    )
    .await
}

fn session_cookie(reply: &Reply) -> String {
    let raw = reply
        .set_cookie
        .iter()
        .find(|c| c.starts_with("sp_session="))
        .expect("session cookie");
    raw.split(';').next().expect("cookie pair").to_string()
}

async fn growth_team(pool: &PgPool, org: &str) -> (app::db::accounts::NewAccount, String) {
    let a = account(pool, org).await;
    set_plan(pool, a.tenant_id, GROWTH).await;
    let cookie = cookie_for(&a);
    (a, cookie)
}

#[tokio::test]
async fn an_invitation_has_a_long_token_a_seven_day_expiry_and_an_outbox_email() {
    let pool = pool().await;
    let router = router(pool.clone());
    let (a, cookie) = growth_team(&pool, "Invite Cafe").await;
    let email = format!("{}@example.com", unique("ed-"));
    let inv: Invitation = invite(&router, &cookie, &email, "editor").await.json();
    let token = token_of(&pool, a.tenant_id, inv.id).await;
    assert_eq!(token.len(), 64, "32 random bytes, hex");
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    // Only the hash is stored (issue 15 §6): the table alone cannot be turned into links.
    let stored = stored_token_of(&pool, a.tenant_id, inv.id).await;
    assert_ne!(stored, token, "the clear token is not stored");
    assert_eq!(stored, app::db::team::invite_token_hash(&token));
    assert_eq!(state(&router, &stored).await, InviteState::NotFound);
    let days = (inv.expires_at - chrono::Utc::now()).num_minutes() as f64 / 1440.0;
    assert!((6.99..=7.01).contains(&days), "expires in {days} days");

    let team = overview(&router, &cookie).await;
    let mail = team
        .outbox
        .iter()
        .find(|m| m.to_email == email)
        .expect("invite email stored in the outbox");
    assert_eq!(
        mail.link.as_deref(),
        Some(format!("http://127.0.0.1:3000/invite/{token}").as_str())
    );
    assert!(mail.body_text.contains(&token));
    assert_eq!(team.seats_used, 2);
    assert_eq!(team.seats_max, 5);

    // Resending issues a new token and a new expiry; the old link stops working.
    let r = call_json(
        &router,
        "/api/team/resend",
        Some(&cookie),
        json!({ "invitation_id": inv.id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let fresh = token_of(&pool, a.tenant_id, inv.id).await;
    assert_ne!(fresh, token);
    assert_eq!(state(&router, &token).await, InviteState::NotFound);
    assert!(matches!(
        state(&router, &fresh).await,
        InviteState::Pending { .. }
    ));
    assert_eq!(
        overview(&router, &cookie)
            .await
            .outbox
            .iter()
            .filter(|m| m.to_email == email)
            .count(),
        2
    );
}

#[tokio::test]
async fn accepting_joins_the_tenant_once_and_expired_or_revoked_links_are_refused() {
    let pool = pool().await;
    let router = router(pool.clone());
    let (a, cookie) = growth_team(&pool, "Accept Cafe").await;
    let email = format!("{}@example.com", unique("ed-"));
    let inv: Invitation = invite(&router, &cookie, &email, "editor").await.json();
    let token = token_of(&pool, a.tenant_id, inv.id).await;
    assert!(
        matches!(state(&router, &token).await, InviteState::Pending { email: ref e, .. } if *e == email)
    );

    let r = accept(&router, &token).await;
    assert!(r.status.is_success(), "{}", r.text());
    let editor = session_cookie(&r);
    let me: Option<app::model::CurrentUser> = call_form(&router, "/api/me", Some(&editor), &[])
        .await
        .json();
    let me = me.expect("signed in after accepting");
    assert_eq!(
        (me.tenant_id, me.role, me.email.as_str()),
        (a.tenant_id, app::model::Role::Editor, email.as_str())
    );

    // The same link again: already used.
    assert_eq!(state(&router, &token).await, InviteState::Accepted);
    assert!(
        matches!(accept(&router, &token).await.error(), AppError::Forbidden(m) if m.contains("already been used"))
    );

    // Expired after 7 days.
    let late = format!("{}@example.com", unique("late-"));
    let inv: Invitation = invite(&router, &cookie, &late, "viewer").await.json();
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    sqlx::query("UPDATE team_invitations SET created_at = now() - interval '7 days 1 second', expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(inv.id)
        .execute(&mut *tx)
        .await
        .expect("age");
    tx.commit().await.expect("commit");
    let late_token = token_of(&pool, a.tenant_id, inv.id).await;
    assert_eq!(state(&router, &late_token).await, InviteState::Expired);
    assert!(
        matches!(accept(&router, &late_token).await.error(), AppError::Forbidden(m) if m.contains("expired"))
    );

    // Revoked.
    let gone = format!("{}@example.com", unique("gone-"));
    let inv: Invitation = invite(&router, &cookie, &gone, "viewer").await.json();
    let gone_token = token_of(&pool, a.tenant_id, inv.id).await;
    let r = call_json(
        &router,
        "/api/team/revoke",
        Some(&cookie),
        json!({ "invitation_id": inv.id }),
    )
    .await;
    assert!(r.status.is_success());
    assert_eq!(state(&router, &gone_token).await, InviteState::Revoked);
    assert!(
        matches!(accept(&router, &gone_token).await.error(), AppError::Forbidden(m) if m.contains("revoked"))
    );
    assert_eq!(state(&router, "not-a-token").await, InviteState::NotFound);
}

#[tokio::test]
async fn an_email_with_an_account_gets_a_clear_message() {
    let pool = pool().await;
    let router = router(pool.clone());
    let (a, cookie) = growth_team(&pool, "Taken Cafe").await;
    let other = account(&pool, "Other Cafe").await;
    let other_email: String = {
        let mut tx = tenant_tx(&pool, other.tenant_id).await.expect("tx");
        sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(other.user_id)
            .fetch_one(&mut *tx)
            .await
            .expect("email")
    };
    let inv: Invitation = invite(&router, &cookie, &other_email, "editor")
        .await
        .json();
    let token = token_of(&pool, a.tenant_id, inv.id).await;
    let err = accept(&router, &token).await.error();
    assert!(
        matches!(&err, AppError::Invalid { field, message } if field == "email" && message.contains("already exists")),
        "{err:?}"
    );
    assert!(
        matches!(state(&router, &token).await, InviteState::Pending { .. }),
        "nothing half-saved"
    );
}

#[tokio::test]
async fn one_pending_invitation_per_email_no_owner_invites_and_members_are_not_reinvited() {
    let pool = pool().await;
    let router = router(pool.clone());
    let (_, cookie) = growth_team(&pool, "Dup Cafe").await;
    let email = format!("{}@example.com", unique("dup-"));
    assert!(invite(&router, &cookie, &email, "editor")
        .await
        .status
        .is_success());
    let err = invite(&router, &cookie, &email.to_uppercase(), "viewer")
        .await
        .error();
    assert!(
        matches!(&err, AppError::Invalid { field, message } if field == "email" && message.contains("pending invitation")),
        "{err:?}"
    );

    let err = invite(
        &router,
        &cookie,
        &format!("{}@example.com", unique("own-")),
        "owner",
    )
    .await
    .error();
    assert!(
        matches!(&err, AppError::Invalid { field, .. } if field == "role"),
        "{err:?}"
    );
    let err = invite(&router, &cookie, "not-an-email", "editor")
        .await
        .error();
    assert!(
        matches!(&err, AppError::Invalid { field, .. } if field == "email"),
        "{err:?}"
    );

    // Revoking frees the address for a new invitation.
    let team = overview(&router, &cookie).await;
    let inv = team
        .invitations
        .iter()
        .find(|i| i.email == email)
        .expect("listed");
    call_json(
        &router,
        "/api/team/revoke",
        Some(&cookie),
        json!({ "invitation_id": inv.id }),
    )
    .await;
    assert!(invite(&router, &cookie, &email, "viewer")
        .await
        .status
        .is_success());
}

#[tokio::test]
async fn the_collaborator_limit_counts_members_and_pending_invitations_per_plan() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Seat Cafe").await;
    let cookie = cookie_for(&a);
    // Starter: one collaborator, the owner.
    let err = invite(
        &router,
        &cookie,
        &format!("{}@example.com", unique("s-")),
        "editor",
    )
    .await
    .error();
    assert!(
        matches!(&err, AppError::LimitReached { max: 1, limit, upgrade_to: Some(_), .. } if limit == "max_collaborators"),
        "{err:?}"
    );

    set_plan(&pool, a.tenant_id, GROWTH).await;
    member(&pool, &a, "viewer", None).await; // 2 of 5
    for _ in 0..3 {
        let r = invite(
            &router,
            &cookie,
            &format!("{}@example.com", unique("g-")),
            "editor",
        )
        .await;
        assert!(r.status.is_success(), "{}", r.text());
    }
    let err = invite(
        &router,
        &cookie,
        &format!("{}@example.com", unique("g-")),
        "editor",
    )
    .await
    .error();
    assert!(
        matches!(err, AppError::LimitReached { max: 5, .. }),
        "{err:?}"
    );

    set_plan(&pool, a.tenant_id, PRO).await;
    assert!(invite(
        &router,
        &cookie,
        &format!("{}@example.com", unique("p-")),
        "editor"
    )
    .await
    .status
    .is_success());
}

#[tokio::test]
async fn role_changes_follow_the_rules() {
    let pool = pool().await;
    let router = router(pool.clone());
    let (a, owner) = growth_team(&pool, "Role Cafe").await;
    let (admin, _) = member(&pool, &a, "admin", None).await;
    let (editor, editor_id) = member(&pool, &a, "editor", None).await;
    let (_, admin2_id) = member(&pool, &a, "admin", None).await;
    let role = |cookie: String, user: Uuid, role: &'static str| {
        let router = router.clone();
        async move {
            call_json(
                &router,
                "/api/team/role",
                Some(&cookie),
                json!({ "user_id": user, "role": role }),
            )
            .await
        }
    };
    assert!(role(admin.clone(), editor_id, "developer")
        .await
        .status
        .is_success());
    assert!(role(owner.clone(), admin2_id, "viewer")
        .await
        .status
        .is_success());
    let err = role(admin.clone(), a.user_id, "viewer").await.error();
    assert!(
        matches!(err, AppError::Forbidden(_)),
        "admins cannot change the owner: {err:?}"
    );
    let err = role(owner.clone(), editor_id, "owner").await.error();
    assert!(
        matches!(&err, AppError::Invalid { field, .. } if field == "role"),
        "never to owner: {err:?}"
    );
    let err = role(editor.clone(), admin2_id, "editor").await.error();
    assert!(matches!(err, AppError::Forbidden(_)));

    let team = overview(&router, &owner).await;
    let roles: Vec<_> = team.members.iter().map(|m| (m.user_id, m.role)).collect();
    assert!(roles.contains(&(editor_id, app::model::Role::Developer)));
    assert!(roles.contains(&(admin2_id, app::model::Role::Viewer)));
    assert!(roles.contains(&(a.user_id, app::model::Role::Owner)));
}

#[tokio::test]
async fn deactivation_ends_sessions_at_once_and_the_last_owner_is_protected() {
    let pool = pool().await;
    let router = router(pool.clone());
    let (a, owner) = growth_team(&pool, "Deact Cafe").await;
    let (admin, _) = member(&pool, &a, "admin", None).await;
    let (editor, editor_id) = member(&pool, &a, "editor", None).await;
    assert!(
        call_json(&router, "/api/team/overview", Some(&editor), json!({}))
            .await
            .status
            .is_success()
    );

    let r = call_json(
        &router,
        "/api/team/active",
        Some(&admin),
        json!({ "user_id": editor_id, "active": false }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(
        call_json(&router, "/api/team/overview", Some(&editor), json!({}))
            .await
            .error(),
        AppError::Unauthorized
    );
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE user_id = $1")
        .bind(editor_id)
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    tx.commit().await.expect("commit");
    assert_eq!(sessions, 0);
    let team = overview(&router, &owner).await;
    assert!(team
        .members
        .iter()
        .any(|m| m.user_id == editor_id && !m.is_active));

    // Reactivated: listed active again (they log in anew).
    let r = call_json(
        &router,
        "/api/team/active",
        Some(&owner),
        json!({ "user_id": editor_id, "active": true }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());

    for who in [&owner, &admin] {
        let err = call_json(
            &router,
            "/api/team/active",
            Some(who),
            json!({ "user_id": a.user_id, "active": false }),
        )
        .await
        .error();
        assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    }
    assert!(
        call_json(&router, "/api/team/overview", Some(&owner), json!({}))
            .await
            .status
            .is_success(),
        "owner still signed in"
    );
}

#[tokio::test]
async fn another_tenant_can_neither_see_nor_change_the_team() {
    let pool = pool().await;
    let router = router(pool.clone());
    let (a, owner_a) = growth_team(&pool, "Iso A").await;
    let (_, owner_b) = growth_team(&pool, "Iso B").await;
    let (_, editor_a) = member(&pool, &a, "editor", None).await;
    let inv: Invitation = invite(
        &router,
        &owner_a,
        &format!("{}@example.com", unique("iso-")),
        "editor",
    )
    .await
    .json();

    let team_b = overview(&router, &owner_b).await;
    assert!(team_b
        .members
        .iter()
        .all(|m| m.user_id != editor_a && m.user_id != a.user_id));
    assert!(team_b.invitations.iter().all(|i| i.id != inv.id));
    assert!(team_b.outbox.is_empty());

    for (path, body) in [
        ("/api/team/revoke", json!({ "invitation_id": inv.id })),
        ("/api/team/resend", json!({ "invitation_id": inv.id })),
        (
            "/api/team/role",
            json!({ "user_id": editor_a, "role": "viewer" }),
        ),
        (
            "/api/team/active",
            json!({ "user_id": editor_a, "active": false }),
        ),
    ] {
        let err = call_json(&router, path, Some(&owner_b), body).await.error();
        assert!(matches!(err, AppError::NotFound(_)), "{path}: {err:?}");
    }
    let team_a = overview(&router, &owner_a).await;
    assert!(team_a
        .invitations
        .iter()
        .any(|i| i.id == inv.id && i.status == "pending"));
    assert!(team_a
        .members
        .iter()
        .any(|m| m.user_id == editor_a && m.is_active && m.role == app::model::Role::Editor));
}

/// Moves invitation `id`'s creation `age` into the past, with the 7-day expiry that follows.
async fn age_invitation(pool: &PgPool, tenant: Uuid, id: Uuid, age: &str) {
    let mut tx = tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query("UPDATE team_invitations SET created_at = now() - $2::interval, expires_at = now() - $2::interval + interval '7 days' WHERE id = $1")
        .bind(id)
        .bind(age)
        .execute(&mut *tx)
        .await
        .expect("age");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn the_team_page_shows_an_invitation_older_than_seven_days_as_expired_until_resent() {
    let pool = pool().await;
    let router = router(pool.clone());
    let (a, cookie) = growth_team(&pool, "Expiry Co").await;
    let (old, young) = (
        format!("{}@example.com", unique("old-")),
        format!("{}@example.com", unique("young-")),
    );
    let old_inv: Invitation = invite(&router, &cookie, &old, "viewer").await.json();
    let young_inv: Invitation = invite(&router, &cookie, &young, "editor").await.json();
    let seats_before = overview(&router, &cookie).await;
    age_invitation(&pool, a.tenant_id, old_inv.id, "7 days 1 second").await;
    age_invitation(&pool, a.tenant_id, young_inv.id, "6 days 23 hours").await;

    let status = |t: &TeamOverview, id: Uuid| {
        t.invitations
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.status.clone())
    };
    let t = overview(&router, &cookie).await;
    assert_eq!(
        status(&t, old_inv.id).as_deref(),
        Some("expired"),
        "nothing shows pending after 7 days"
    );
    assert_eq!(status(&t, young_inv.id).as_deref(), Some("pending"));
    // Admins (the other managers) see the same answer.
    let admin = member_cookie(&pool, &a, "admin").await;
    assert_eq!(
        status(&overview(&router, &admin).await, old_inv.id).as_deref(),
        Some("expired")
    );
    assert_eq!(
        overview(&router, &cookie).await.seats_used,
        seats_before.seats_used,
        "one seat more for the admin, one fewer for the expired invitation"
    );

    // Resending gives it a new 7-day expiry: pending again.
    let r = call_json(
        &router,
        "/api/team/resend",
        Some(&cookie),
        json!({ "invitation_id": old_inv.id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(
        status(&overview(&router, &cookie).await, old_inv.id).as_deref(),
        Some("pending")
    );
}
