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
    leptos_axum::redirect("/dashboard");
    Ok(())
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
    }))
}
