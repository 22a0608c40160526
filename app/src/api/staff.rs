//! The operator console's server functions (`/staff`): platform staff, outside every tenant.
//! They read the staff cookie only (a tenant session is never enough), and every console call
//! is checked again in the database: a staff session without the second factor, or no staff
//! session, gets `Unauthorized` (migration 0049, `app::db::staff`).

use leptos::prelude::*;
use uuid::Uuid;

use super::wire::WireJson;
use crate::error::AppError;
use crate::model::staff::{StaffState, TenantDetail, TenantHit};

/// The staff cookie's token (empty when absent: every console call then answers Unauthorized).
#[cfg(feature = "ssr")]
fn staff_token() -> String {
    use_context::<http::request::Parts>()
        .and_then(|p| super::ctx::cookie(&p.headers, crate::db::staff::STAFF_COOKIE))
        .unwrap_or_default()
}

#[cfg(feature = "ssr")]
fn pool() -> Result<sqlx::PgPool, AppError> {
    Ok(super::ctx::state()?.pool)
}

/// Where this browser stands with the console.
#[server(endpoint = "staff/me", input = WireJson, output = WireJson)]
pub async fn staff_me() -> Result<StaffState, AppError> {
    let pool = pool()?;
    let token = staff_token();
    let Some(s) = crate::db::staff::session(&pool, &token).await? else {
        return Ok(StaffState::SignedOut);
    };
    if !s.verified {
        return Ok(StaffState::SecondFactor { email: s.email });
    }
    let impersonating = match crate::db::staff::impersonation(&pool, &token).await? {
        Some(i) => Some((i.tenant_id, i.tenant_name)),
        None => None,
    };
    Ok(StaffState::SignedIn {
        email: s.email,
        impersonating,
    })
}

/// Step 1: email and password. The session it starts can do nothing before [`staff_verify`].
#[server(endpoint = "staff/login", input = WireJson, output = WireJson)]
pub async fn staff_login(email: String, password: String) -> Result<(), AppError> {
    let state = super::ctx::state()?;
    let token =
        crate::db::staff::login_password(&state.pool, &email, &password, super::ctx::client_ip())
            .await?;
    super::ctx::set_staff_cookie(&token, state.config.secure_cookies);
    Ok(())
}

/// Step 2: the 6-digit code of the staff member's authenticator app.
#[server(endpoint = "staff/verify", input = WireJson, output = WireJson)]
pub async fn staff_verify(code: String) -> Result<(), AppError> {
    crate::db::staff::verify_second_factor(&pool()?, &staff_token(), &code).await
}

#[server(endpoint = "staff/logout", input = WireJson, output = WireJson)]
pub async fn staff_logout() -> Result<(), AppError> {
    let state = super::ctx::state()?;
    crate::db::staff::logout(&state.pool, &staff_token()).await?;
    super::ctx::clear_staff_cookie(state.config.secure_cookies);
    Ok(())
}

/// Organisations by name, email, domain or Stripe customer.
#[server(endpoint = "staff/search", input = WireJson, output = WireJson)]
pub async fn staff_search(query: String) -> Result<Vec<TenantHit>, AppError> {
    crate::db::staff::search(&pool()?, &staff_token(), &query).await
}

/// One organisation's plan, usage and status.
#[server(endpoint = "staff/tenant", input = WireJson, output = WireJson)]
pub async fn staff_tenant(tenant_id: Uuid) -> Result<TenantDetail, AppError> {
    crate::db::staff::detail(&pool()?, &staff_token(), tenant_id).await
}

/// Suspends the organisation: its members see the suspension page and its sites answer
/// "suspended", on every instance.
#[server(endpoint = "staff/suspend", input = WireJson, output = WireJson)]
pub async fn staff_suspend(tenant_id: Uuid, reason: String) -> Result<TenantDetail, AppError> {
    let pool = pool()?;
    let token = staff_token();
    crate::db::staff::suspend(&pool, &token, tenant_id, &reason).await?;
    crate::db::staff::detail(&pool, &token, tenant_id).await
}

#[server(endpoint = "staff/unsuspend", input = WireJson, output = WireJson)]
pub async fn staff_unsuspend(tenant_id: Uuid, reason: String) -> Result<TenantDetail, AppError> {
    let pool = pool()?;
    let token = staff_token();
    crate::db::staff::unsuspend(&pool, &token, tenant_id, &reason).await?;
    crate::db::staff::detail(&pool, &token, tenant_id).await
}

#[server(endpoint = "staff/extend_trial", input = WireJson, output = WireJson)]
pub async fn staff_extend_trial(tenant_id: Uuid, days: i32) -> Result<TenantDetail, AppError> {
    let pool = pool()?;
    let token = staff_token();
    crate::db::staff::extend_trial(&pool, &token, tenant_id, days).await?;
    crate::db::staff::detail(&pool, &token, tenant_id).await
}

/// Views the organisation's app read-only, as its owner sees it (a banner says so; every
/// change is refused).
#[server(endpoint = "staff/impersonate", input = WireJson, output = WireJson)]
pub async fn staff_impersonate(tenant_id: Uuid) -> Result<(), AppError> {
    crate::db::staff::impersonate(&pool()?, &staff_token(), tenant_id).await
}

#[server(endpoint = "staff/impersonate_end", input = WireJson, output = WireJson)]
pub async fn staff_impersonate_end() -> Result<(), AppError> {
    crate::db::staff::impersonate_end(&pool()?, &staff_token()).await
}
