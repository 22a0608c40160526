//! The operator console's data access (migration 0049): platform staff live outside every
//! tenant, in tables the app role cannot touch. Everything here calls one of 0049's narrow
//! SECURITY DEFINER functions; each console function checks in the database that the staff
//! session passed the second factor (SQLSTATE `SPS01` otherwise) and audits itself.
//!
//! Creating an account is the exception: [`create_account`] runs on the OWNER pool, for the
//! `server staff create` command only; the app role has no way to make a staff account.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use totp_rs::{Algorithm, Secret, TOTP};
use uuid::Uuid;

use crate::error::AppError;
use crate::model::staff::{TenantDetail, TenantHit};
use crate::model::Email;

/// Staff sessions last at most this long, then the staff member signs in again (both factors).
pub const STAFF_SESSION_HOURS: i64 = 12;
/// The staff session cookie (the tenant session cookie is a different one).
pub const STAFF_COOKIE: &str = "sp_staff";

const TOTP_DIGITS: usize = 6;
const TOTP_STEP: u64 = 30;
/// The issuer shown in authenticator apps.
const TOTP_ISSUER: &str = "SitePilot staff";

/// Maps 0049's own SQLSTATEs: `SPS01` no usable (second-factor) staff session, `SPS02` no such
/// organisation, `SPS03` a refused request with a sentence for the operator.
fn map_err(err: sqlx::Error) -> AppError {
    if let sqlx::Error::Database(db) = &err {
        match db.code().as_deref() {
            Some("SPS01") => return AppError::Unauthorized,
            Some("SPS02") => return AppError::NotFound("Organisation".into()),
            Some("SPS03") => return AppError::invalid("request", db.message().to_string()),
            _ => {}
        }
    }
    AppError::from(err)
}

/// A new random 160-bit TOTP secret, base32 (what authenticator apps take).
pub fn new_totp_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => unreachable!("to_encoded gives Encoded"),
    }
}

/// The `otpauth://` URI of a secret, for a QR code or to paste into an authenticator app.
pub fn otpauth_uri(email: &str, secret_b32: &str) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    format!(
        "otpauth://totp/{}:{}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits={TOTP_DIGITS}&period={TOTP_STEP}",
        enc(TOTP_ISSUER),
        enc(email),
        enc(TOTP_ISSUER)
    )
}

fn totp(secret_b32: &str) -> Result<TOTP, AppError> {
    let bytes = Secret::Encoded(secret_b32.to_string())
        .to_bytes()
        .map_err(|_| {
            tracing::error!("staff TOTP secret is not base32");
            AppError::Internal
        })?;
    TOTP::new(Algorithm::SHA1, TOTP_DIGITS, 1, TOTP_STEP, bytes).map_err(|e| {
        tracing::error!(error = ?e, "staff TOTP secret refused");
        AppError::Internal
    })
}

/// The code of `secret_b32` at unix time `time` (tests and the CLI's check).
pub fn totp_code(secret_b32: &str, time: u64) -> Result<String, AppError> {
    Ok(totp(secret_b32)?.generate(time))
}

/// The time step `code` matches at unix time `now` (one step of skew either way), if any.
pub fn totp_step(secret_b32: &str, code: &str, now: u64) -> Result<Option<u64>, AppError> {
    let t = totp(secret_b32)?;
    let code = code.trim();
    if code.len() != TOTP_DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let step = now / TOTP_STEP;
    for s in [step.saturating_sub(1), step, step + 1] {
        if t.generate(s * TOTP_STEP) == code {
            return Ok(Some(s));
        }
    }
    Ok(None)
}

/// A new staff account (owner pool: `server staff create`). Returns its id and TOTP secret.
pub async fn create_account(
    owner_pool: &PgPool,
    email: &str,
    password: &str,
) -> Result<(Uuid, String), AppError> {
    let email = Email::parse(email)?;
    if password.chars().count() < 12 {
        return Err(AppError::invalid(
            "password",
            "A staff password needs at least 12 characters.",
        ));
    }
    let hash = super::accounts::hash_password(password.to_string()).await?;
    let secret = new_totp_secret();
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO staff_accounts (email, password_hash, totp_secret) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(email.as_str())
    .bind(&hash)
    .bind(&secret)
    .fetch_one(owner_pool)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.constraint() == Some("staff_accounts_email_lower_key") => {
            AppError::invalid("email", "A staff account with this email exists.")
        }
        _ => AppError::from(e),
    })?;
    Ok((id, secret))
}

/// Step 1 of a staff log-in: email and password. Returns the new session's token, usable only
/// after [`verify_second_factor`]. Throttled like member log-ins (its own account key).
pub async fn login_password(
    pool: &PgPool,
    email: &str,
    password: &str,
    ip: Option<std::net::IpAddr>,
) -> Result<String, AppError> {
    let email = Email::parse(email)?;
    if password.is_empty() {
        return Err(AppError::invalid("password", "Enter your password."));
    }
    let key = format!("staff:{}", email.as_str());
    super::throttle::login_attempt(pool, &key, ip).await?;
    let row: Option<(Uuid, String)> =
        sqlx::query_as("SELECT staff_id, password_hash FROM staff_login_lookup($1)")
            .bind(email.as_str())
            .fetch_optional(pool)
            .await?;
    let ok = super::accounts::try_verify_password(
        password.to_string(),
        row.as_ref().map(|r| r.1.clone()),
    )
    .await?;
    let Some((staff_id, _)) = row.filter(|_| ok) else {
        return Err(AppError::invalid("password", "Wrong email or password."));
    };
    super::throttle::login_succeeded(pool, &key, ip).await?;
    let (token, id) = super::accounts::new_session_token();
    sqlx::query("SELECT staff_session_start($1, $2, $3)")
        .bind(staff_id)
        .bind(&id)
        .bind(Utc::now() + chrono::Duration::hours(STAFF_SESSION_HOURS))
        .execute(pool)
        .await?;
    Ok(token)
}

/// Step 2: the TOTP code. A code's time step is accepted once (no replay).
pub async fn verify_second_factor(pool: &PgPool, token: &str, code: &str) -> Result<(), AppError> {
    let session = session_hash(token).ok_or(AppError::Unauthorized)?;
    let row: Option<(Uuid, String, i64)> =
        sqlx::query_as("SELECT staff_id, totp_secret, last_totp_step FROM staff_second_factor($1)")
            .bind(&session)
            .fetch_optional(pool)
            .await?;
    let Some((_, secret, _)) = row else {
        return Err(AppError::Unauthorized);
    };
    let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
    let wrong = || AppError::invalid("code", "That code is not right. Enter the current code.");
    let Some(step) = totp_step(&secret, code, now)? else {
        return Err(wrong());
    };
    let ok: bool = sqlx::query_scalar("SELECT staff_session_verify($1, $2)")
        .bind(&session)
        .bind(i64::try_from(step).unwrap_or(i64::MAX))
        .fetch_one(pool)
        .await?;
    if ok {
        Ok(())
    } else {
        Err(wrong())
    }
}

/// The session id (sha256 hex) of a staff cookie's token, `None` when malformed.
pub fn session_hash(token: &str) -> Option<String> {
    (token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| super::accounts::session_id(token))
}

/// A staff session as it stands.
#[derive(Clone, Debug)]
pub struct StaffSession {
    pub staff_id: Uuid,
    pub email: String,
    /// The second factor passed.
    pub verified: bool,
    pub impersonating: Option<Uuid>,
}

pub async fn session(pool: &PgPool, token: &str) -> Result<Option<StaffSession>, AppError> {
    let Some(session) = session_hash(token) else {
        return Ok(None);
    };
    let row: Option<(Uuid, String, bool, Option<Uuid>)> = sqlx::query_as(
        "SELECT staff_id, email, verified, impersonating FROM staff_session_lookup($1)",
    )
    .bind(&session)
    .fetch_optional(pool)
    .await?;
    Ok(
        row.map(|(staff_id, email, verified, impersonating)| StaffSession {
            staff_id,
            email,
            verified,
            impersonating,
        }),
    )
}

pub async fn logout(pool: &PgPool, token: &str) -> Result<(), AppError> {
    if let Some(session) = session_hash(token) {
        sqlx::query("SELECT staff_session_end($1)")
            .bind(&session)
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// Who a staff session impersonates (read-only, as the tenant's owner).
pub struct Impersonation {
    pub staff_email: String,
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub full_name: Option<String>,
    pub tenant_name: String,
}

pub async fn impersonation(pool: &PgPool, token: &str) -> Result<Option<Impersonation>, AppError> {
    let Some(session) = session_hash(token) else {
        return Ok(None);
    };
    let row: Option<(String, Uuid, Uuid, String, Option<String>, String)> = sqlx::query_as(
        "SELECT staff_email, tenant_id, user_id, email, full_name, tenant_name FROM staff_impersonation($1)",
    )
    .bind(&session)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(
        |(staff_email, tenant_id, user_id, email, full_name, tenant_name)| Impersonation {
            staff_email,
            tenant_id,
            user_id,
            email,
            full_name,
            tenant_name,
        },
    ))
}

fn session_of(token: &str) -> Result<String, AppError> {
    session_hash(token).ok_or(AppError::Unauthorized)
}

/// Organisations matching `query` (name, slug, a member's email, a website's address or
/// domain, the Stripe customer id).
pub async fn search(pool: &PgPool, token: &str, query: &str) -> Result<Vec<TenantHit>, AppError> {
    let query = query.trim();
    if query.is_empty() || query.chars().count() > 200 {
        return Err(AppError::invalid(
            "query",
            "Type 1 to 200 characters: a name, an email, a domain or a Stripe customer id.",
        ));
    }
    type Row = (
        Uuid,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        DateTime<Utc>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        r#"SELECT tenant_id, name, slug, status, plan, owner_email, stripe_customer_id, created_at
             FROM staff_tenant_search($1, $2)"#,
    )
    .bind(session_of(token)?)
    .bind(query)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, slug, status, plan, owner_email, stripe_customer_id, created_at)| {
                TenantHit {
                    id,
                    name,
                    slug,
                    status,
                    plan,
                    owner_email,
                    stripe_customer_id,
                    created_at,
                }
            },
        )
        .collect())
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    tenant_id: Uuid,
    name: String,
    slug: String,
    status: String,
    plan: String,
    max_websites: i32,
    storage_limit_mb: i32,
    websites: i64,
    members: i64,
    storage_bytes: i64,
    subscription_status: Option<String>,
    trial_end: Option<DateTime<Utc>>,
    staff_suspended_at: Option<DateTime<Utc>>,
    staff_suspension_reason: Option<String>,
    owner_email: Option<String>,
    stripe_customer_id: Option<String>,
    created_at: DateTime<Utc>,
    last_active_at: Option<DateTime<Utc>>,
}

/// One organisation: plan, usage and status.
pub async fn detail(pool: &PgPool, token: &str, tenant: Uuid) -> Result<TenantDetail, AppError> {
    let r: DetailRow = sqlx::query_as(
        r#"SELECT tenant_id, name, slug, status, plan, max_websites, storage_limit_mb, websites,
                  members, storage_bytes, subscription_status, trial_end, staff_suspended_at,
                  staff_suspension_reason, owner_email, stripe_customer_id, created_at,
                  last_active_at
             FROM staff_tenant_detail($1, $2)"#,
    )
    .bind(session_of(token)?)
    .bind(tenant)
    .fetch_one(pool)
    .await
    .map_err(map_err)?;
    Ok(TenantDetail {
        id: r.tenant_id,
        name: r.name,
        slug: r.slug,
        status: r.status,
        plan: r.plan,
        max_websites: r.max_websites,
        storage_limit_mb: r.storage_limit_mb,
        websites: r.websites,
        members: r.members,
        storage_bytes: r.storage_bytes,
        subscription_status: r.subscription_status,
        trial_end: r.trial_end,
        staff_suspended_at: r.staff_suspended_at,
        staff_suspension_reason: r.staff_suspension_reason,
        owner_email: r.owner_email,
        stripe_customer_id: r.stripe_customer_id,
        created_at: r.created_at,
        last_active_at: r.last_active_at,
    })
}

fn reason(reason: &str) -> Result<String, AppError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::invalid(
            "reason",
            "Give a reason (up to 500 characters); it is kept in the audit logs.",
        ));
    }
    Ok(reason.to_string())
}

pub async fn suspend(pool: &PgPool, token: &str, tenant: Uuid, why: &str) -> Result<(), AppError> {
    let why = reason(why)?;
    sqlx::query("SELECT staff_suspend($1, $2, $3)")
        .bind(session_of(token)?)
        .bind(tenant)
        .bind(why)
        .execute(pool)
        .await
        .map_err(map_err)?;
    Ok(())
}

/// Returns the tenant's status afterwards (`suspended` while billing still holds it).
pub async fn unsuspend(
    pool: &PgPool,
    token: &str,
    tenant: Uuid,
    why: &str,
) -> Result<String, AppError> {
    let why = reason(why)?;
    sqlx::query_scalar("SELECT staff_unsuspend($1, $2, $3)")
        .bind(session_of(token)?)
        .bind(tenant)
        .bind(why)
        .fetch_one(pool)
        .await
        .map_err(map_err)
}

pub async fn extend_trial(
    pool: &PgPool,
    token: &str,
    tenant: Uuid,
    days: i32,
) -> Result<DateTime<Utc>, AppError> {
    if !(1..=90).contains(&days) {
        return Err(AppError::invalid("days", "Extend a trial by 1 to 90 days."));
    }
    sqlx::query_scalar("SELECT staff_extend_trial($1, $2, $3)")
        .bind(session_of(token)?)
        .bind(tenant)
        .bind(days)
        .fetch_one(pool)
        .await
        .map_err(map_err)
}

pub async fn impersonate(pool: &PgPool, token: &str, tenant: Uuid) -> Result<(), AppError> {
    sqlx::query("SELECT staff_impersonate($1, $2)")
        .bind(session_of(token)?)
        .bind(tenant)
        .execute(pool)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub async fn impersonate_end(pool: &PgPool, token: &str) -> Result<(), AppError> {
    sqlx::query("SELECT staff_impersonate_end($1)")
        .bind(session_of(token)?)
        .execute(pool)
        .await
        .map_err(map_err)?;
    Ok(())
}
