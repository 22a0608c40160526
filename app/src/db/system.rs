//! The named, minimal path for reads that must cross tenants. Each one calls a SECURITY
//! DEFINER function from `migrations/*_system_functions.sql`, which returns only the columns
//! the caller needs. Nothing else in the app reads across tenants.
//!
//! - login by email: the tenant is not known until the user is found;
//! - session lookup: the cookie names a session, the session names the tenant;
//! - host → site and live snapshot (`visit_by_*`): a visitor has no tenant at all;
//! - Stripe events: the event id is claimed before any tenant is known, and a customer id
//!   names the tenant;
//! - log-in and sign-up throttle counters (`throttle_*`, migration 0021): keyed by an email
//!   hash or a client address, before any tenant is known; the visitor-side limits (page
//!   passwords, contact forms, beacon events; migration 0030) share that table;
//! - password reset and email verification links (`user_token_lookup`, migration 0024): the
//!   link's token is the only key its holder has;
//! - custom domains (migration 0026): the TLS `ask` names only a hostname, and the daily
//!   re-check lists verified domains of every tenant.
//! - API keys (`api_key_lookup`, migration 0033): the bearer key is all an API request
//!   carries, and its hash names the tenant.
//!
//! The job queue (`db::jobs`, migration 0023) is the other cross-tenant path: its table holds
//! work items, and handlers enter the tenant named in a job's payload themselves.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

use crate::error::AppError;

#[derive(FromRow)]
pub struct LoginRow {
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    pub password_hash: String,
    pub role: String,
    pub user_active: bool,
    pub tenant_status: String,
}

pub async fn login_lookup(pool: &PgPool, email: &str) -> Result<Option<LoginRow>, AppError> {
    Ok(sqlx::query_as::<_, LoginRow>(
        r#"SELECT user_id, tenant_id, password_hash, role, user_active, tenant_status
           FROM auth_login_lookup($1)"#,
    )
    .bind(email)
    .fetch_optional(pool)
    .await?)
}

#[derive(FromRow, Clone)]
pub struct SessionRow {
    pub session_id: String,
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    pub role: String,
    pub email: String,
    pub full_name: Option<String>,
    pub tenant_name: String,
    pub tenant_status: String,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

pub async fn session_lookup(
    pool: &PgPool,
    session_id: &str,
) -> Result<Option<SessionRow>, AppError> {
    Ok(sqlx::query_as::<_, SessionRow>(
        r#"SELECT session_id, user_id, tenant_id, role, email, full_name, tenant_name, tenant_status, expires_at, last_seen_at
           FROM auth_session_lookup($1)"#,
    )
    .bind(session_id)
    .fetch_optional(pool)
    .await?)
}

#[derive(FromRow)]
pub struct InvitationLookup {
    pub invitation_id: Uuid,
    pub tenant_id: Uuid,
    pub email: String,
    pub role: String,
    pub status: String,
    pub expires_at: DateTime<Utc>,
    pub tenant_name: String,
    pub tenant_status: String,
}

/// The invitation behind an invite link (migration 0015): the person has no session yet.
/// `token` is the clear token from the link; the table holds only its hash (migration 0021).
pub async fn invitation_by_token(
    pool: &PgPool,
    token: &str,
) -> Result<Option<InvitationLookup>, AppError> {
    Ok(sqlx::query_as::<_, InvitationLookup>(
        r#"SELECT invitation_id, tenant_id, email, role, status, expires_at, tenant_name, tenant_status
           FROM invitation_by_token($1)"#,
    )
    .bind(super::team::invite_token_hash(token))
    .fetch_optional(pool)
    .await?)
}

/// What a visitor's host points at (migration 0017): the website and tenant statuses, and the
/// live snapshot only when the site is served.
#[derive(FromRow, Clone)]
pub struct SiteVisit {
    pub website_id: Uuid,
    pub tenant_id: Uuid,
    pub website_status: String,
    pub tenant_status: String,
    pub deployment_id: Option<Uuid>,
    pub snapshot_json: Option<serde_json::Value>,
    pub deployed_at: Option<DateTime<Utc>>,
    /// Deleted (migration 0032): offline until purged.
    pub deleted: bool,
    /// The website's current subdomain when the one asked for is an old one that redirects.
    pub redirect_subdomain: Option<String>,
}

/// The website at `{subdomain}.{sites_domain}` (or that an old subdomain redirects to),
/// whatever its status.
pub async fn visit_by_subdomain(
    pool: &PgPool,
    subdomain: &str,
) -> Result<Option<SiteVisit>, AppError> {
    Ok(sqlx::query_as::<_, SiteVisit>(
        r#"SELECT website_id, tenant_id, website_status, tenant_status, deployment_id, snapshot_json,
                  deployed_at, deleted, redirect_subdomain
           FROM site_visit_by_subdomain($1)"#,
    )
    .bind(subdomain)
    .fetch_optional(pool)
    .await?)
}

/// The website whose verified custom domain is `domain`, whatever its status.
pub async fn visit_by_domain(pool: &PgPool, domain: &str) -> Result<Option<SiteVisit>, AppError> {
    Ok(sqlx::query_as::<_, SiteVisit>(
        r#"SELECT website_id, tenant_id, website_status, tenant_status, deployment_id, snapshot_json,
                  deployed_at, deleted, redirect_subdomain
           FROM site_visit_by_domain($1)"#,
    )
    .bind(domain)
    .fetch_optional(pool)
    .await?)
}

/// Records a Stripe event id as being processed, inside the caller's transaction: `false` when
/// it was recorded before (a duplicate delivery).
pub async fn stripe_event_claim(
    tx: &mut super::Tx,
    event_id: &str,
    kind: &str,
    created: i64,
) -> Result<bool, AppError> {
    Ok(
        sqlx::query_scalar("SELECT stripe_event_claim($1, $2, to_timestamp($3))")
            .bind(event_id)
            .bind(kind)
            .bind(created as f64)
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// Records how a claimed Stripe event ended (`outcome`) and the tenant it concerned.
pub async fn stripe_event_finish(
    tx: &mut super::Tx,
    event_id: &str,
    tenant: Option<Uuid>,
    outcome: &str,
) -> Result<(), AppError> {
    sqlx::query("SELECT stripe_event_finish($1, $2, $3)")
        .bind(event_id)
        .bind(tenant)
        .bind(outcome)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The tenant of a Stripe customer; `hint` is the tenant id the checkout put in the
/// subscription's metadata, used when the customer is not linked yet.
pub async fn billing_tenant_for_customer(
    tx: &mut super::Tx,
    customer: &str,
    hint: Option<Uuid>,
) -> Result<Option<Uuid>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT billing_tenant_for_customer($1, $2)")
            .bind(customer)
            .bind(hint)
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// One counted hit: the hits in the current window, those of the window this hit ended (when it
/// started a new one), and the seconds left in the current window.
#[derive(FromRow, Debug, Clone, Copy)]
pub struct ThrottleHit {
    pub hits: i32,
    pub previous_hits: Option<i32>,
    pub window_left_secs: i32,
}

pub async fn throttle_hit(
    pool: &PgPool,
    key: &str,
    window_secs: u32,
) -> Result<ThrottleHit, AppError> {
    Ok(sqlx::query_as::<_, ThrottleHit>(
        "SELECT hits, previous_hits, window_left_secs FROM auth_throttle_hit($1, $2)",
    )
    .bind(key)
    .bind(window_secs.min(i32::MAX as u32) as i32)
    .fetch_one(pool)
    .await?)
}

/// [`throttle_hit`] inside the caller's transaction (the REST API's rate limits count both
/// windows and read the plan in one transaction, one commit).
pub async fn throttle_hit_in(
    tx: &mut super::Tx,
    key: &str,
    window_secs: u32,
) -> Result<ThrottleHit, AppError> {
    Ok(sqlx::query_as::<_, ThrottleHit>(
        "SELECT hits, previous_hits, window_left_secs FROM auth_throttle_hit($1, $2)",
    )
    .bind(key)
    .bind(window_secs.min(i32::MAX as u32) as i32)
    .fetch_one(&mut **tx)
    .await?)
}

pub async fn throttle_reset(pool: &PgPool, key: &str) -> Result<(), AppError> {
    sqlx::query("SELECT auth_throttle_reset($1)")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn throttle_undo(pool: &PgPool, key: &str) -> Result<(), AppError> {
    sqlx::query("SELECT auth_throttle_undo($1)")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// A password reset or email verification token (migration 0024), by the hash of the clear
/// token in the link: its holder has no session and no tenant yet.
#[derive(FromRow, Debug, Clone)]
pub struct UserTokenLookup {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

pub async fn user_token_lookup(
    pool: &PgPool,
    token_hash: &str,
    purpose: &str,
) -> Result<Option<UserTokenLookup>, AppError> {
    Ok(sqlx::query_as::<_, UserTokenLookup>(
        "SELECT tenant_id, user_id, email, expires_at, used_at FROM user_token_lookup($1, $2)",
    )
    .bind(token_hash)
    .bind(purpose)
    .fetch_optional(pool)
    .await?)
}

/// Adds `counts[i]` hits to `keys[i]` (unique, sorted) in one statement and returns each key's
/// hits in its current window (migration 0030): the beacon limiters of every instance share
/// their counts this way.
pub async fn throttle_add(
    pool: &PgPool,
    keys: &[String],
    counts: &[i32],
    window_secs: u32,
) -> Result<Vec<(String, i32)>, AppError> {
    Ok(
        sqlx::query_as::<_, (String, i32)>("SELECT key, hits FROM throttle_add($1, $2, $3)")
            .bind(keys)
            .bind(counts)
            .bind(window_secs.min(i32::MAX as u32) as i32)
            .fetch_all(pool)
            .await?,
    )
}

/// Caddy's on-demand TLS question (migration 0026 `domain_tls_ask`): may a certificate be
/// obtained for `domain`? True only for a verified custom domain; the first yes records
/// `ssl_provisioned(_at)`.
pub async fn tls_ask(pool: &PgPool, domain: &str) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar("SELECT domain_tls_ask($1)")
        .bind(domain)
        .fetch_one(pool)
        .await?)
}

/// Verified domains (verification id, tenant) last checked before `before`, oldest first, at
/// most `limit` (migration 0026 `domains_due_for_recheck`).
pub async fn domains_due_for_recheck(
    pool: &PgPool,
    before: DateTime<Utc>,
    limit: i32,
) -> Result<Vec<(Uuid, Uuid)>, AppError> {
    Ok(
        sqlx::query_as("SELECT verification_id, tenant_id FROM domains_due_for_recheck($1, $2)")
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await?,
    )
}

/// Deletes throttle windows older than a day; returns how many.
pub async fn throttle_purge(pool: &PgPool) -> Result<i32, AppError> {
    let n = sqlx::query_scalar::<_, i32>("SELECT throttle_purge()")
        .fetch_one(pool)
        .await?;
    // The REST API's day-old idempotency answers (migration 0037) go with the day-old windows.
    let m = sqlx::query_scalar::<_, i32>("SELECT api_idempotency_purge()")
        .fetch_one(pool)
        .await?;
    Ok(n + m)
}

/// May anyone fetch this asset's files? Only when a deployment of a served tenant names it
/// (`asset_is_published`, migration 0028): the check for visitors, who have no session.
pub async fn asset_is_published(
    pool: &PgPool,
    tenant: Uuid,
    asset: Uuid,
) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar("SELECT asset_is_published($1, $2)")
        .bind(tenant)
        .bind(asset)
        .fetch_one(pool)
        .await?)
}

/// Websites (tenant, website) due their automatic daily backup, at most `limit`, oldest first
/// (`site_backups_due`, migration 0031). Ids only: the backup itself runs in the tenant's
/// own transaction.
pub async fn site_backups_due(pool: &PgPool, limit: i32) -> Result<Vec<(Uuid, Uuid)>, AppError> {
    Ok(
        sqlx::query_as("SELECT tenant_id, website_id FROM site_backups_due($1)")
            .bind(limit)
            .fetch_all(pool)
            .await?,
    )
}

/// What a bearer key's hash names (migration 0033 `api_key_lookup`).
#[derive(FromRow)]
pub struct ApiKeyRow {
    pub key_id: Uuid,
    pub tenant_id: Uuid,
    pub created_by: Uuid,
    pub scopes: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub creator_role: String,
    pub creator_active: bool,
    pub tenant_status: String,
}

/// The key whose SHA-256 is `hash`, in any tenant: read on every API request (no cache), so a
/// revocation is seen at once by every instance.
pub async fn api_key_lookup(pool: &PgPool, hash: &str) -> Result<Option<ApiKeyRow>, AppError> {
    Ok(sqlx::query_as::<_, ApiKeyRow>(
        r#"SELECT key_id, tenant_id, created_by, scopes, expires_at, revoked_at, creator_role,
                  creator_active, tenant_status
             FROM api_key_lookup($1)"#,
    )
    .bind(hash)
    .fetch_optional(pool)
    .await?)
}

/// One piece of due lifecycle work (migration 0032): purge a website deleted 30 days before
/// `now`, or release an old subdomain whose redirect has run its course.
#[derive(FromRow, Clone, Debug)]
pub struct LifecycleDue {
    pub tenant_id: Uuid,
    pub website_id: Uuid,
    pub subdomain: Option<String>,
    /// `purge` or `release`.
    pub action: String,
}

/// The lifecycle work due at `now` (a parameter, so tests move the clock instead of waiting),
/// for one tenant or all; at most `limit` of each kind.
pub async fn website_lifecycle_due(
    pool: &PgPool,
    now: DateTime<Utc>,
    tenant: Option<Uuid>,
    limit: i32,
) -> Result<Vec<LifecycleDue>, AppError> {
    Ok(sqlx::query_as::<_, LifecycleDue>(
        "SELECT tenant_id, website_id, subdomain, action FROM website_lifecycle_due($1, $2, $3)",
    )
    .bind(now)
    .bind(tenant)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// Pending shop orders whose stock reservation ended by `now` (ids only), for one tenant or
/// all, at most `limit`: the reservation job's work list (migration 0042).
pub async fn shop_reservations_due(
    pool: &PgPool,
    now: DateTime<Utc>,
    tenant: Option<Uuid>,
    limit: i32,
) -> Result<Vec<(Uuid, Uuid)>, AppError> {
    Ok(
        sqlx::query_as("SELECT tenant_id, order_id FROM shop_reservations_due($1, $2, $3)")
            .bind(now)
            .bind(tenant)
            .bind(limit)
            .fetch_all(pool)
            .await?,
    )
}

/// Ready organisation exports whose download expired by `now` (tenant, export), for one
/// tenant or all, at most `limit` (migration 0046).
pub async fn organisation_exports_expired(
    pool: &PgPool,
    now: DateTime<Utc>,
    tenant: Option<Uuid>,
    limit: i32,
) -> Result<Vec<(Uuid, Uuid)>, AppError> {
    Ok(
        sqlx::query_as("SELECT tenant_id, export_id FROM organisation_exports_expired($1, $2, $3)")
            .bind(now)
            .bind(tenant)
            .bind(limit)
            .fetch_all(pool)
            .await?,
    )
}

/// Organisations whose 90-day retention after deletion ended by `now` (ids only), for one
/// tenant or all, at most `limit` (migration 0046).
pub async fn organisations_due_purge(
    pool: &PgPool,
    now: DateTime<Utc>,
    tenant: Option<Uuid>,
    limit: i32,
) -> Result<Vec<Uuid>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT tenant_id FROM organisations_due_purge($1, $2, $3)")
            .bind(now)
            .bind(tenant)
            .bind(limit)
            .fetch_all(pool)
            .await?,
    )
}

/// Deletes a deleted organisation's rows once its retention is over at `now`; `false` (and
/// nothing deleted) for any other tenant. Its stored files must be deleted first.
pub async fn organisation_purge(
    pool: &PgPool,
    tenant: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar("SELECT organisation_purge($1, $2)")
        .bind(tenant)
        .bind(now)
        .fetch_one(pool)
        .await?)
}
