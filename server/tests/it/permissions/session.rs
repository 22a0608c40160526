//! The `Rule::Session` rows of the matrix: endpoints that need no role (sign-up, log-in,
//! log-out, who am I, the theme, invite links). Each is called anonymously and with sessions,
//! including a deactivated member's, with its own expected answer.

use app::error::AppError;
use app::model::{CurrentUser, Invitation, InviteState, Role, Theme};
use serde_json::json;

use super::fixtures::*;
use super::matrix_router;
use crate::common::*;

fn ok(r: &Reply, what: &str) {
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{what}: {} {}",
        r.status,
        r.text()
    );
}

fn session_cookie(r: &Reply) -> String {
    let raw = r
        .set_cookie
        .iter()
        .find(|c| c.starts_with("sp_session="))
        .expect("a session cookie");
    raw.split(';').next().expect("cookie pair").to_string()
}

async fn me(router: &axum::Router, cookie: Option<&str>) -> Option<CurrentUser> {
    let r = call_form(router, "/api/me", cookie, &[]).await;
    assert!(r.status.is_success(), "me: {}", r.text());
    r.json()
}

async fn websites_status(router: &axum::Router, cookie: &str) -> Result<(), AppError> {
    let r = call_form(router, "/api/websites", Some(cookie), &[]).await;
    if r.status.is_success() {
        Ok(())
    } else {
        Err(r.error())
    }
}

#[tokio::test]
async fn sign_up_log_in_log_out_and_who_am_i_answer_without_a_role() {
    let pool = pool().await;
    let router = matrix_router(pool.clone()).await;

    // Anonymous: nobody, the light theme, and a sign-up that opens a session.
    assert_eq!(me(&router, None).await, None);
    let theme: Theme = call_json(&router, "/api/settings/theme", None, json!({}))
        .await
        .json();
    assert_eq!(theme, Theme::Light);
    let email = format!("{}@example.com", unique("sess-"));
    let form = [
        ("full_name", "Sam Session"),
        ("org_name", "Session Shop"),
        ("email", email.as_str()),
        ("password", "correct-horse-7"),
    ];
    let r = call_form(&router, "/api/signup", None, &form).await;
    ok(&r, "sign-up");
    let first = session_cookie(&r);
    assert_eq!(
        me(&router, Some(&first)).await.map(|u| (u.email, u.role)),
        Some((email.clone(), Role::Owner))
    );
    let again = call_form(&router, "/api/signup", None, &form).await;
    assert_eq!(
        again.error().field(),
        Some("email"),
        "one account per email"
    );

    // Log-in opens a second session; log-out ends only the one it is called with.
    let r = call_form(
        &router,
        "/api/login",
        None,
        &[("email", &email), ("password", "correct-horse-7")],
    )
    .await;
    ok(&r, "log-in");
    let second = session_cookie(&r);
    let wrong = call_form(
        &router,
        "/api/login",
        None,
        &[("email", &email), ("password", "wrong-horse-7")],
    )
    .await;
    assert_eq!(wrong.error().field(), Some("password"));
    ok(
        &call_form(&router, "/api/logout", Some(&second), &[]).await,
        "log-out",
    );
    assert_eq!(
        me(&router, Some(&second)).await,
        None,
        "the logged-out session is gone"
    );
    assert_eq!(
        websites_status(&router, &second).await,
        Err(AppError::Unauthorized)
    );
    assert!(
        me(&router, Some(&first)).await.is_some(),
        "the other session lives on"
    );
    ok(
        &call_form(&router, "/api/logout", None, &[]).await,
        "anonymous log-out is harmless",
    );

    // Every role is itself; each one's own theme comes back.
    let t = tenant(&pool, "Session Roles").await;
    for c in &t.members {
        assert_eq!(
            me(&router, Some(&c.cookie))
                .await
                .map(|u| (u.user_id, u.role)),
            Some((c.user_id, c.role))
        );
        let prefs = app::model::Preferences {
            theme: Theme::Dark,
            ..Default::default()
        };
        ok(
            &call_json(
                &router,
                "/api/settings/preferences",
                Some(&c.cookie),
                json!({ "preferences": prefs }),
            )
            .await,
            "dark",
        );
        let theme: Theme = call_json(&router, "/api/settings/theme", Some(&c.cookie), json!({}))
            .await
            .json();
        assert_eq!(theme, Theme::Dark, "{:?}", c.role);
    }

    // A deactivated member cannot log in, and their open session stops working.
    let editor = t
        .members
        .iter()
        .find(|c| c.role == Role::Editor)
        .expect("editor")
        .clone();
    let editor_email = me(&router, Some(&editor.cookie))
        .await
        .expect("editor")
        .email;
    set_password(&pool, t.account.tenant_id, editor.user_id, "editor-horse-5").await;
    let owner = &t.owner().cookie;
    ok(
        &call_json(
            &router,
            "/api/team/active",
            Some(owner),
            json!({ "user_id": editor.user_id, "active": false }),
        )
        .await,
        "deactivate",
    );
    let r = call_form(
        &router,
        "/api/login",
        None,
        &[("email", &editor_email), ("password", "editor-horse-5")],
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(m) if m.contains("deactivated")));
    assert_eq!(me(&router, Some(&editor.cookie)).await, None);
    assert_eq!(
        websites_status(&router, &editor.cookie).await,
        Err(AppError::Unauthorized)
    );
    let theme: Theme = call_json(
        &router,
        "/api/settings/theme",
        Some(&editor.cookie),
        json!({}),
    )
    .await
    .json();
    assert_eq!(theme, Theme::Light, "an ended session is anonymous");
}

#[tokio::test]
async fn invite_links_need_no_session_and_work_once() {
    let pool = pool().await;
    let router = matrix_router(pool.clone()).await;
    let t = tenant(&pool, "Session Invites").await;
    let email = format!("{}@example.com", unique("inv-"));
    let inv: Invitation = call_json(
        &router,
        "/api/team/invite",
        Some(&t.owner().cookie),
        json!({ "email": email, "role": "developer" }),
    )
    .await
    .json();
    let mut tx = app::db::tenant_tx(&pool, t.account.tenant_id)
        .await
        .expect("tx");
    // Only the token's hash is stored; the clear token is in the emailed link.
    let link: String = sqlx::query_scalar(
        "SELECT link FROM email_outbox WHERE invitation_id = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(inv.id)
    .fetch_one(&mut *tx)
    .await
    .expect("link");
    let token = link.rsplit('/').next().expect("token").to_string();
    tx.commit().await.expect("commit");

    let state = |token: String| {
        let router = router.clone();
        async move {
            call_json(
                &router,
                "/api/invite/state",
                None,
                json!({ "token": token }),
            )
            .await
            .json::<InviteState>()
        }
    };
    assert!(matches!(
        state(token.clone()).await,
        InviteState::Pending {
            role: Role::Developer,
            ..
        }
    ));
    assert_eq!(state("0".repeat(64)).await, InviteState::NotFound);
    let body = json!({ "token": token, "full_name": "Dee Veloper", "password": "correct-horse-8" });
    let r = call_json(&router, "/api/invite/accept", None, body.clone()).await;
    ok(&r, "accept");
    let joined = me(&router, Some(&session_cookie(&r)))
        .await
        .expect("signed in");
    assert_eq!(
        (joined.tenant_id, joined.role),
        (t.account.tenant_id, Role::Developer)
    );
    assert_eq!(state(token.clone()).await, InviteState::Accepted);
    assert!(
        matches!(
            call_json(&router, "/api/invite/accept", None, body)
                .await
                .error(),
            AppError::Forbidden(_)
        ),
        "used once"
    );
}

#[tokio::test]
async fn password_reset_and_verification_links_need_no_session() {
    let pool = pool().await;
    let router = matrix_router(pool.clone()).await;
    let t = tenant(&pool, "Link Session").await;
    let member = t.owner().cookie.clone();
    for cookie in [None, Some(member.as_str())] {
        let r = call_form(
            &router,
            "/api/auth/forgot",
            cookie,
            &[("email", &format!("{}@example.com", unique("nobody-")))],
        )
        .await;
        ok(&r, "forgot");
        assert_eq!(r.location.as_deref(), Some("/forgot-password?sent=1"));
        let state: app::model::ResetLinkState = call_json(
            &router,
            "/api/auth/reset_state",
            cookie,
            json!({ "token": "0".repeat(64) }),
        )
        .await
        .json();
        assert_eq!(state, app::model::ResetLinkState::NotFound);
        let r = call_form(
            &router,
            "/api/auth/reset",
            cookie,
            &[("token", &"0".repeat(64)), ("password", "correct-horse-8")],
        )
        .await;
        assert!(matches!(r.error(), AppError::NotFound(_)));
        let verified: bool = call_json(
            &router,
            "/api/auth/verify_email",
            cookie,
            json!({ "token": "0".repeat(64) }),
        )
        .await
        .json();
        assert!(!verified);
    }
}
