//! Sign-up, log-in, log-out and the current user.

use super::wire::WireJson;
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::CurrentUser;

#[server(endpoint = "signup", output = WireJson)]
pub async fn signup(
    full_name: String,
    org_name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    use super::ctx;
    let state = ctx::state()?;
    let account = crate::db::accounts::signup_from(
        &state.pool,
        crate::db::accounts::SignupInput {
            full_name,
            org_name,
            email,
            password,
        },
        ctx::client_ip(),
        &ctx::link_base()?,
    )
    .await?;
    // With Stripe keys, every tenant gets its Stripe customer now (schema reference §4, Flow 1).
    super::billing_stripe::customer_at_signup(&state.pool, account.tenant_id).await;
    ctx::set_session_cookie(&account.session_token, state.config.secure_cookies);
    leptos_axum::redirect("/dashboard");
    Ok(())
}

#[server(endpoint = "login", output = WireJson)]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use super::ctx;
    let state = ctx::state()?;
    let token =
        crate::db::accounts::login_with_meta(&state.pool, &email, &password, &ctx::request_meta())
            .await?;
    ctx::set_session_cookie(&token, state.config.secure_cookies);
    leptos_axum::redirect(&landing(&state.pool, &token).await);
    Ok(())
}

/// After a log-in: the builder on the home page of the member's default website
/// (`preferences.default_website_id`), else the dashboard. Never fails the log-in.
#[cfg(feature = "ssr")]
async fn landing(pool: &sqlx::PgPool, token: &str) -> String {
    use crate::db::accounts::{resolve_session, SessionOutcome};
    let page = async {
        let SessionOutcome::Member(m) = resolve_session(pool, token).await? else {
            return Ok(None);
        };
        let mut tx = crate::db::tenant_tx(pool, m.tenant_id).await?;
        let page = crate::db::settings::login_landing(&mut tx, m.user_id).await?;
        tx.commit().await?;
        Ok::<_, AppError>(page)
    }
    .await;
    match page {
        Ok(Some(page)) => format!("/builder/{page}"),
        _ => "/dashboard".into(),
    }
}

#[server(endpoint = "logout", output = WireJson)]
pub async fn logout() -> Result<(), AppError> {
    use super::ctx;
    let state = ctx::state()?;
    if let Some((_, member)) = ctx::try_member().await? {
        crate::db::accounts::logout(&state.pool, &member).await?;
    }
    ctx::clear_session_cookie(state.config.secure_cookies);
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(endpoint = "me", output = WireJson)]
pub async fn who_am_i() -> Result<Option<CurrentUser>, AppError> {
    Ok(super::ctx::try_member().await?.map(|(_, m)| CurrentUser {
        user_id: m.user_id,
        tenant_id: m.tenant_id,
        email: m.email,
        full_name: m.full_name,
        tenant_name: m.tenant_name,
        role: m.role,
        impersonated_by: m.impersonator,
    }))
}

/// "Forgot password?": the same answer whether or not an account uses `email` (a link is
/// emailed only when one does). A plain form post: works without JavaScript.
#[server(endpoint = "auth/forgot", output = WireJson)]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    use super::ctx;
    let state = ctx::state()?;
    crate::db::user_tokens::request_password_reset(
        &state.pool,
        &email,
        ctx::client_ip(),
        &ctx::link_base()?,
    )
    .await?;
    leptos_axum::redirect("/forgot-password?sent=1");
    Ok(())
}

/// What a password reset link leads to (no session needed: the token is the credential).
#[server(endpoint = "auth/reset_state", input = WireJson, output = WireJson)]
pub async fn reset_link_state(token: String) -> Result<crate::model::ResetLinkState, AppError> {
    let state = super::ctx::state()?;
    crate::db::user_tokens::reset_link_state(&state.pool, &token).await
}

/// Sets a new password through a reset link; every session of the account ends, and the
/// person logs in again with the new password. A plain form post.
#[server(endpoint = "auth/reset", output = WireJson)]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    use super::ctx;
    let state = ctx::state()?;
    crate::db::user_tokens::reset_password(&state.pool, &token, &password, &ctx::request_meta())
        .await?;
    // This browser's own session (if any, perhaps of another account) ends too.
    ctx::clear_session_cookie(state.config.secure_cookies);
    leptos_axum::redirect("/login?reset=1");
    Ok(())
}

/// Follows an email verification link: whether the address is now verified.
#[server(endpoint = "auth/verify_email", input = WireJson, output = WireJson)]
pub async fn verify_email(token: String) -> Result<bool, AppError> {
    let state = super::ctx::state()?;
    crate::db::user_tokens::verify_email(&state.pool, &token).await
}

/// The signed-in member's email and whether it is verified.
#[server(endpoint = "auth/email_status", input = WireJson, output = WireJson)]
pub async fn email_status() -> Result<crate::model::EmailStatus, AppError> {
    use crate::model::Role;
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_own_settings, "").await?;
    let verified = crate::db::user_tokens::is_verified(&mut tx, m.user_id).await?;
    tx.commit().await?;
    Ok(crate::model::EmailStatus {
        email: m.email,
        verified,
        delivery: super::ctx::state()?.config.email_delivery,
    })
}

/// Sends the verification email again (throttled); nothing when the address is verified.
#[server(endpoint = "auth/resend_verification", input = WireJson, output = WireJson)]
pub async fn resend_verification() -> Result<(), AppError> {
    use crate::model::Role;
    let state = super::ctx::state()?;
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_own_settings, "").await?;
    if crate::db::user_tokens::is_verified(&mut tx, m.user_id).await? {
        // Nothing to send; the UI hides the action once the address is verified.
        return Ok(());
    }
    crate::db::throttle::verification_resend(&state.pool, m.user_id).await?;
    crate::db::user_tokens::queue_verification(
        &mut tx,
        m.tenant_id,
        m.user_id,
        &m.email,
        &super::ctx::link_base()?,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
