//! Password reset and email verification (issue 18 Part B), through the server functions and
//! the real SMTP sink: the same answer for unknown emails, the throttle, one-time hashed
//! tokens that expire, every session ended, and publishing gated on a verified email.

use app::error::AppError;
use app::model::{CurrentUser, ResetLinkState};
use axum::Router;
use serde_json::json;
use server::mail::{deliver, Outcome};
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::smtp::{link_containing, sink};
use crate::common::*;
use crate::email::{mailer, outbox_id};

async fn me(router: &Router, cookie: &str) -> Option<CurrentUser> {
    call_form(router, "/api/me", Some(cookie), &[]).await.json()
}

fn session_cookie(r: &Reply) -> String {
    let raw = r
        .set_cookie
        .iter()
        .find(|c| c.starts_with("sp_session=") && !c.starts_with("sp_session=;"))
        .expect("a session cookie");
    raw.split(';').next().expect("cookie pair").to_string()
}

async fn forgot(router: &Router, email: &str) -> Reply {
    call_form(router, "/api/auth/forgot", None, &[("email", email)]).await
}

/// Delivers the newest message to `to` and returns the link in it containing `needle`.
async fn delivered_link(pool: &PgPool, tenant: Uuid, to: &str, needle: &str) -> String {
    let id = outbox_id(pool, tenant, to).await;
    assert_eq!(
        deliver(pool, &mailer(), tenant, id, 1, 6)
            .await
            .expect("deliver"),
        Outcome::Sent
    );
    let got = sink().messages_to(to);
    let m = got.last().expect("a message arrived");
    let text = m["text"].as_str().expect("text part");
    let link = link_containing(text, needle).expect("link in the message");
    assert!(
        m["html"]
            .as_str()
            .is_some_and(|h| h.contains(&format!("href=\"{link}\""))),
        "the HTML part carries the same link"
    );
    link
}

fn token_of(link: &str) -> String {
    link.rsplit('/').next().expect("token").to_string()
}

#[tokio::test]
async fn a_reset_request_answers_the_same_whether_or_not_the_email_has_an_account() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Reset Bakery").await;
    let email: String = me(&router, &cookie_for(&a)).await.expect("member").email;
    let known = forgot(&router, &email).await;
    let unknown = forgot(&router, &format!("{}@example.com", unique("nobody-"))).await;
    assert!(known.status.is_success() || known.status.is_redirection());
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.location, unknown.location);
    assert_eq!(known.body, unknown.body);
    assert_eq!(known.location.as_deref(), Some("/forgot-password?sent=1"));

    // Only the known address gets a message, with a working link; the token is stored hashed.
    let link = delivered_link(&pool, a.tenant_id, &email, "/reset-password/").await;
    assert!(
        link.starts_with("http://127.0.0.1:3000/reset-password/"),
        "{link}"
    );
    let token = token_of(&link);
    assert_eq!(token.len(), 64);
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT token_hash FROM user_tokens WHERE user_id = $1 AND purpose = 'password_reset'",
    )
    .bind(a.user_id)
    .fetch_all(&mut *tx)
    .await
    .expect("tokens");
    tx.commit().await.expect("commit");
    assert_eq!(stored, vec![app::db::accounts::session_id(&token)]);
    assert!(!stored.contains(&token), "only the hash is stored");

    // The team page lists the message without its body or link; once sent, the body is gone.
    let overview: app::model::TeamOverview = call_json(
        &router,
        "/api/team/overview",
        Some(&cookie_for(&a)),
        json!({}),
    )
    .await
    .json();
    let row = overview
        .outbox
        .iter()
        .find(|m| m.kind == "password_reset")
        .expect("listed");
    assert_eq!(row.link, None);
    assert!(!row.body_text.contains(&token));
    let id = outbox_id(&pool, a.tenant_id, &email).await;
    let state = app::db::mail::delivery_state(&pool, a.tenant_id, id)
        .await
        .expect("state")
        .expect("row");
    assert!(!state.body_text.contains(&token), "scrubbed after sending");
}

#[tokio::test]
async fn a_reset_link_sets_the_password_once_and_ends_every_session() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Reset Cafe").await;
    let first = cookie_for(&a);
    let email = me(&router, &first).await.expect("member").email;
    let login = call_form(
        &router,
        "/api/login",
        None,
        &[("email", &email), ("password", "correct-horse-7")],
    )
    .await;
    let second = session_cookie(&login);
    assert!(me(&router, &second).await.is_some());

    forgot(&router, &email).await;
    let token = token_of(&delivered_link(&pool, a.tenant_id, &email, "/reset-password/").await);
    let state: ResetLinkState = call_json(
        &router,
        "/api/auth/reset_state",
        None,
        json!({ "token": token }),
    )
    .await
    .json();
    assert_eq!(
        state,
        ResetLinkState::Valid {
            email: email.clone()
        }
    );

    // A weak password is refused and spends nothing.
    let weak = call_form(
        &router,
        "/api/auth/reset",
        None,
        &[("token", &token), ("password", "short")],
    )
    .await;
    assert!(matches!(weak.error(), AppError::Invalid { field, .. } if field == "password"));

    let done = call_form(
        &router,
        "/api/auth/reset",
        None,
        &[("token", &token), ("password", "brand-new-horse-9")],
    )
    .await;
    assert!(
        done.status.is_success() || done.status.is_redirection(),
        "{}",
        done.text()
    );
    assert_eq!(done.location.as_deref(), Some("/login?reset=1"));
    assert_eq!(me(&router, &first).await, None, "every session ended");
    assert_eq!(me(&router, &second).await, None, "every session ended");

    let old = call_form(
        &router,
        "/api/login",
        None,
        &[("email", &email), ("password", "correct-horse-7")],
    )
    .await;
    assert!(!old.status.is_success());
    let new = call_form(
        &router,
        "/api/login",
        None,
        &[("email", &email), ("password", "brand-new-horse-9")],
    )
    .await;
    assert!(me(&router, &session_cookie(&new)).await.is_some());

    // Used once.
    let again = call_form(
        &router,
        "/api/auth/reset",
        None,
        &[("token", &token), ("password", "another-horse-10")],
    )
    .await;
    assert!(
        matches!(again.error(), AppError::Forbidden(m) if m.contains("already been used")),
        "{}",
        again.text()
    );
    let state: ResetLinkState = call_json(
        &router,
        "/api/auth/reset_state",
        None,
        json!({ "token": token }),
    )
    .await
    .json();
    assert_eq!(state, ResetLinkState::Used);
}

#[tokio::test]
async fn a_reset_link_expires_after_an_hour_and_a_newer_one_replaces_it() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Reset Diner").await;
    let email = me(&router, &cookie_for(&a)).await.expect("member").email;
    forgot(&router, &email).await;
    let old = token_of(&delivered_link(&pool, a.tenant_id, &email, "/reset-password/").await);
    forgot(&router, &email).await;
    let token = token_of(&delivered_link(&pool, a.tenant_id, &email, "/reset-password/").await);
    let state = |t: String| {
        let router = router.clone();
        async move {
            call_json(
                &router,
                "/api/auth/reset_state",
                None,
                json!({ "token": t }),
            )
            .await
            .json::<ResetLinkState>()
        }
    };
    assert_eq!(
        state(old).await,
        ResetLinkState::NotFound,
        "replaced by the newer link"
    );

    // Valid for one hour.
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let minutes: f64 = sqlx::query_scalar(
        "SELECT (extract(epoch FROM expires_at - created_at) / 60)::float8 FROM user_tokens WHERE token_hash = $1",
    )
    .bind(app::db::accounts::session_id(&token))
    .fetch_one(&mut *tx)
    .await
    .expect("token");
    assert!((59.0..=61.0).contains(&minutes), "{minutes}");
    sqlx::query(
        "UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1",
    )
    .bind(app::db::accounts::session_id(&token))
    .execute(&mut *tx)
    .await
    .expect("expire");
    tx.commit().await.expect("commit");
    assert_eq!(state(token.clone()).await, ResetLinkState::Expired);
    let r = call_form(
        &router,
        "/api/auth/reset",
        None,
        &[("token", &token), ("password", "brand-new-horse-9")],
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(m) if m.contains("expired")));
    assert_eq!(state("0".repeat(64)).await, ResetLinkState::NotFound);
    assert_eq!(state("nope".into()).await, ResetLinkState::NotFound);
}

#[tokio::test]
async fn reset_requests_are_throttled_per_email_known_or_not() {
    let pool = pool().await;
    let router = router(pool.clone());
    for email in [format!("{}@example.com", unique("flood-")), {
        let a = account(&pool, "Reset Flood").await;
        me(&router, &cookie_for(&a)).await.expect("member").email
    }] {
        for _ in 0..app::db::throttle::RESETS_PER_ACCOUNT {
            let r = forgot(&router, &email).await;
            assert!(r.status.is_success() || r.status.is_redirection());
        }
        let r = forgot(&router, &email).await;
        assert_eq!(r.status, axum::http::StatusCode::TOO_MANY_REQUESTS);
        assert!(matches!(r.error(), AppError::TooManyRequests { .. }));
    }
}

#[tokio::test]
async fn a_new_sign_up_verifies_its_email_before_publishing() {
    let pool = pool().await;
    let router = router(pool.clone());
    let email = format!("{}@example.com", unique("verify-"));
    let r = call_form(
        &router,
        "/api/signup",
        None,
        &[
            ("full_name", "Vera Verify"),
            ("org_name", "Verify Shop"),
            ("email", &email),
            ("password", "correct-horse-7"),
        ],
    )
    .await;
    let cookie = session_cookie(&r);
    let user = me(&router, &cookie).await.expect("signed up");
    let status: app::model::EmailStatus =
        call_json(&router, "/api/auth/email_status", Some(&cookie), json!({}))
            .await
            .json();
    assert!(!status.verified);
    let websites: Vec<app::model::WebsiteSummary> =
        call_form(&router, "/api/websites", Some(&cookie), &[])
            .await
            .json();
    let website_id = websites[0].id;

    // The app is usable, but publishing needs the verified address.
    let refused = call_json(
        &router,
        "/api/websites/publish",
        Some(&cookie),
        json!({ "website_id": website_id, "notes": null }),
    )
    .await;
    assert_eq!(refused.status, axum::http::StatusCode::FORBIDDEN);
    let err = refused.error();
    assert_eq!(
        err,
        AppError::EmailUnverified {
            email: email.clone()
        }
    );
    assert!(err.to_string().contains("Confirm your email address"));

    // Resending replaces the first link.
    let first = delivered_link(&pool, user.tenant_id, &email, "/verify-email/").await;
    let r = call_json(
        &router,
        "/api/auth/resend_verification",
        Some(&cookie),
        json!({}),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let link = delivered_link(&pool, user.tenant_id, &email, "/verify-email/").await;
    assert_ne!(first, link);
    let verify = |t: String| {
        let router = router.clone();
        async move {
            call_json(
                &router,
                "/api/auth/verify_email",
                None,
                json!({ "token": t }),
            )
            .await
            .json::<bool>()
        }
    };
    assert!(
        !verify(token_of(&first)).await,
        "the replaced link no longer works"
    );
    assert!(verify(token_of(&link)).await);
    assert!(
        verify(token_of(&link)).await,
        "following it again still says verified"
    );
    let published = call_json(
        &router,
        "/api/websites/publish",
        Some(&cookie),
        json!({ "website_id": website_id, "notes": null }),
    )
    .await;
    assert!(published.status.is_success(), "{}", published.text());
}
