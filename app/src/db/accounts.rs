//! Sign-up (schema reference Flow 1), log-in and sessions.

use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::sync::OnceLock;
use std::time::Duration;
use uuid::Uuid;

use super::{audit, system, tenant_tx, Tx};
use crate::error::AppError;
use crate::model::{parse_name, slugify, BlockProps, Branding, Email, Password, Role};

/// Sessions last 30 days.
pub const SESSION_DAYS: i64 = 30;
/// ... and end after 7 days without a request (`auth_session_lookup`, migration 0021).
pub const SESSION_IDLE_DAYS: i64 = 7;
/// How stale `sessions.last_seen_at` may get before a request moves it forward (one write per
/// session per this interval, not one per request).
const SESSION_TOUCH_SECS: i64 = 3600;
const STARTER_PLAN: Uuid = Uuid::from_u128(1);

pub struct SignupInput {
    pub full_name: String,
    pub org_name: String,
    pub email: String,
    pub password: String,
}

/// What sign-up created, for the caller and for tests.
pub struct NewAccount {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub website_id: Uuid,
    pub home_page_id: Uuid,
    pub subdomain: String,
    /// Raw session token for the cookie; only its hash is stored.
    pub session_token: String,
}

/// How many argon2 computations may run at once (each takes about 19 MiB and a core for tens
/// of milliseconds): `SITEPILOT_ARGON2_CONCURRENCY`, by default the machine's parallelism.
fn argon2_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| {
        let default = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let n = std::env::var("SITEPILOT_ARGON2_CONCURRENCY")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(default);
        tokio::sync::Semaphore::new(n)
    })
}

/// How long a request waits for an argon2 slot before answering 503.
const ARGON2_WAIT: Duration = Duration::from_secs(10);
/// The `Retry-After` of that 503.
const ARGON2_RETRY_AFTER_SECS: u64 = 5;

/// Runs `work` (argon2) on the blocking pool once a slot is free; past [`ARGON2_WAIT`] answers
/// [`AppError::Unavailable`], so a flood of log-ins queues a bounded amount of work and memory.
async fn bounded_argon2<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let permit = match tokio::time::timeout(ARGON2_WAIT, argon2_permits().acquire()).await {
        Ok(Ok(permit)) => permit,
        _ => {
            tracing::warn!("argon2 slots busy; refusing with 503");
            return Err(AppError::Unavailable {
                retry_after_secs: ARGON2_RETRY_AFTER_SECS,
            });
        }
    };
    let out = tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| AppError::Internal);
    drop(permit);
    out
}

/// Hashes off the async runtime: argon2 is deliberately slow. Bounded like [`try_verify_password`].
pub async fn hash_password(password: String) -> Result<String, AppError> {
    bounded_argon2(move || super::argon::hash(&password))
        .await?
        .ok_or_else(|| {
            tracing::error!("password hashing failed");
            AppError::Internal
        })
}

/// A hash of a random password with the default parameters, verified against when the email is
/// unknown, so an unknown email costs the same argon2 work as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        super::argon::hash(&hex::encode(bytes)).unwrap_or_default()
    })
}

fn verify_now(password: &str, hash: &str) -> bool {
    super::argon::verify(password, hash)
}

/// Checks `password` against an argon2 hash off the async runtime, behind the argon2 slots;
/// `hash: None` verifies against a dummy hash (same work) and is always `false`.
pub async fn try_verify_password(password: String, hash: Option<String>) -> Result<bool, AppError> {
    bounded_argon2(move || match hash {
        Some(hash) => verify_now(&password, &hash),
        None => {
            let _ = verify_now(&password, dummy_hash());
            false
        }
    })
    .await
}

/// [`try_verify_password`] for callers that only need yes or no (visitor page unlock, password
/// change): busy counts as no.
pub async fn verify_password(password: String, hash: String) -> bool {
    try_verify_password(password, Some(hash))
        .await
        .unwrap_or(false)
}

/// A fresh random session token and the id stored for it (hex SHA-256 of the token), so a
/// leaked sessions table cannot be replayed as cookies.
pub fn new_session_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let id = session_id(&token);
    (token, id)
}

pub fn session_id(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) async fn insert_session(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
) -> Result<String, AppError> {
    let (token, id) = new_session_token();
    sqlx::query(
        r#"INSERT INTO sessions (id, tenant_id, user_id, expires_at)
           VALUES ($1, $2, $3, now() + make_interval(days => $4))"#,
    )
    .bind(&id)
    .bind(tenant_id)
    .bind(user_id)
    .bind(SESSION_DAYS as i32)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 4];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// The slug an organisation name gives the tenant and its first website's address; a
/// reserved address (`www`, `admin`, …) is refused with a clear message on the name.
fn base_slug(org_name: &str) -> Result<String, AppError> {
    let mut base = slugify(org_name, 30);
    if base.len() < 3 {
        base = format!("site-{base}").trim_end_matches('-').to_string();
    }
    if crate::model::is_reserved_subdomain(&base) {
        return Err(AppError::invalid(
            "org_name",
            format!("“{org_name}” would get the reserved address {base}. Choose another organisation name."),
        ));
    }
    Ok(base)
}

/// Creates the tenant with a unique slug derived from the organisation name. A taken slug
/// gets a random suffix; `ON CONFLICT DO NOTHING` keeps the transaction usable on a clash.
async fn insert_tenant(tx: &mut Tx, tenant_id: Uuid, org_name: &str) -> Result<String, AppError> {
    let base = base_slug(org_name)?;
    for attempt in 0..8 {
        let slug = if attempt == 0 {
            base.clone()
        } else {
            format!("{base}-{}", random_suffix())
        };
        let inserted = sqlx::query(
            r#"INSERT INTO tenants (id, name, slug, plan_id, status)
               VALUES ($1, $2, $3, $4, 'active')
               ON CONFLICT (slug) DO NOTHING"#,
        )
        .bind(tenant_id)
        .bind(org_name)
        .bind(&slug)
        .bind(STARTER_PLAN)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(slug);
        }
    }
    tracing::error!("could not find a free tenant slug");
    Err(AppError::Internal)
}

async fn insert_website(
    tx: &mut Tx,
    tenant_id: Uuid,
    name: &str,
    slug: &str,
) -> Result<(Uuid, String), AppError> {
    let branding = serde_json::to_value(Branding::default()).map_err(|_| AppError::Internal)?;
    for attempt in 0..8 {
        let sub = if attempt == 0 {
            slug.to_string()
        } else {
            format!("{slug}-{}", random_suffix())
        };
        let id: Option<Uuid> = sqlx::query_scalar(
            r#"INSERT INTO websites (tenant_id, name, subdomain, status, branding_config)
               VALUES ($1, $2, $3, 'draft', $4)
               ON CONFLICT (subdomain) DO NOTHING
               RETURNING id"#,
        )
        .bind(tenant_id)
        .bind(name)
        .bind(&sub)
        .bind(&branding)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(id) = id {
            return Ok((id, sub));
        }
    }
    tracing::error!("could not find a free subdomain");
    Err(AppError::Internal)
}

/// Schema reference Flow 1 in one transaction: tenant, owner, website, home page, five starter blocks,
/// Starter subscription, audit entry and the first session. Nothing is left behind on error.
///
/// The email counts as verified at once: this is the path of the demo seed (dev only) and of
/// tests, which own their addresses. People sign up through [`signup_from`].
#[tracing::instrument(skip_all)]
pub async fn signup(pool: &PgPool, input: SignupInput) -> Result<NewAccount, AppError> {
    signup_with(pool, input, None, None).await
}

/// [`signup`] for a person, from client address `ip` (throttled: `throttle::signup_attempt`):
/// the email starts unverified and a verification link to `link_base` is emailed in the same
/// transaction.
#[tracing::instrument(skip_all)]
pub async fn signup_from(
    pool: &PgPool,
    input: SignupInput,
    ip: Option<std::net::IpAddr>,
    link_base: &str,
) -> Result<NewAccount, AppError> {
    signup_with(pool, input, ip, Some(link_base)).await
}

async fn signup_with(
    pool: &PgPool,
    input: SignupInput,
    ip: Option<std::net::IpAddr>,
    verify_link_base: Option<&str>,
) -> Result<NewAccount, AppError> {
    let full_name = parse_name("full_name", "your name", &input.full_name, 1, 100)?;
    let org_name = parse_name(
        "org_name",
        "your organisation's name",
        &input.org_name,
        2,
        80,
    )?;
    base_slug(&org_name)?;
    let email = Email::parse(&input.email)?;
    let password = Password::parse(&input.password)?;
    if system::login_lookup(pool, email.as_str()).await?.is_some() {
        return Err(AppError::invalid(
            "email",
            "An account with this email already exists. Log in instead.",
        ));
    }
    super::throttle::signup_attempt(pool, ip).await?;
    let hash = hash_password(password.expose().to_string()).await?;

    let tenant_id = Uuid::new_v4();
    let mut tx = tenant_tx(pool, tenant_id).await?;
    let slug = insert_tenant(&mut tx, tenant_id, &org_name).await?;

    // A concurrent sign-up with the same email loses here on the unique index.
    let user_id: Uuid = sqlx::query_scalar(
        r#"INSERT INTO users (tenant_id, email, password_hash, full_name, role, invitation_accepted_at, last_login_at,
                              email_verified_at)
           VALUES ($1, $2, $3, $4, 'owner', now(), now(), CASE WHEN $5 THEN now() END)
           RETURNING id"#,
    )
    .bind(tenant_id)
    .bind(email.as_str())
    .bind(&hash)
    .bind(&full_name)
    .bind(verify_link_base.is_none())
    .fetch_one(&mut *tx)
    .await?;
    if let Some(base) = verify_link_base {
        super::user_tokens::queue_verification(&mut tx, tenant_id, user_id, email.as_str(), base)
            .await?;
    }

    let (website_id, subdomain) = insert_website(&mut tx, tenant_id, &org_name, &slug).await?;

    // The home page starts `published` so the first Publish shows it; later pages start as drafts.
    let home_page_id: Uuid = sqlx::query_scalar(
        r#"INSERT INTO pages (tenant_id, website_id, title, slug, status, is_home, nav_order)
           VALUES ($1, $2, 'Home', '/', 'published', true, 0)
           RETURNING id"#,
    )
    .bind(tenant_id)
    .bind(website_id)
    .fetch_one(&mut *tx)
    .await?;

    super::page_blocks::fill_empty_page(
        &mut tx,
        tenant_id,
        home_page_id,
        BlockProps::signup_defaults(&org_name),
    )
    .await?;

    // Billing (Stripe customer creation) is not wired yet; the local placeholder id is
    // replaced when the tenant first opens checkout.
    sqlx::query(
        r#"INSERT INTO subscriptions (tenant_id, stripe_customer_id, status, billing_cycle)
           VALUES ($1, $2, 'active', 'none')"#,
    )
    .bind(tenant_id)
    .bind(format!("local_{}", tenant_id.simple()))
    .execute(&mut *tx)
    .await?;

    audit(
        &mut tx,
        tenant_id,
        Some(user_id),
        "tenant.created",
        ("tenant", tenant_id),
        serde_json::json!({ "slug": slug }),
    )
    .await?;
    audit(
        &mut tx,
        tenant_id,
        Some(user_id),
        "website.created",
        ("website", website_id),
        serde_json::json!({ "subdomain": subdomain }),
    )
    .await?;

    let session_token = insert_session(&mut tx, tenant_id, user_id).await?;
    tx.commit().await?;
    tracing::info!(%tenant_id, %subdomain, "tenant signed up");
    Ok(NewAccount {
        tenant_id,
        user_id,
        website_id,
        home_page_id,
        subdomain,
        session_token,
    })
}

/// Checks the credentials and opens a session; returns the raw session token.
pub async fn login(pool: &PgPool, email: &str, password: &str) -> Result<String, AppError> {
    login_with_meta(
        pool,
        email,
        password,
        &super::audit_log::RequestMeta::default(),
    )
    .await
}

/// The one answer for an unknown email and a wrong password, so neither tells which.
pub const BAD_CREDENTIALS: &str = "That email and password do not match an account. Try again.";

fn bad_credentials() -> AppError {
    AppError::invalid("password", BAD_CREDENTIALS)
}

/// Records a refused login in the account's tenant (the email tried, never the password).
/// An email no account uses has no tenant to log into; it is traced on the server only.
/// `extra` carries the aggregate counts (see [`login_with_meta`]).
async fn audit_failed_login(
    pool: &PgPool,
    meta: &super::audit_log::RequestMeta,
    tenant_id: Uuid,
    user_id: Uuid,
    email: &str,
    reason: &str,
    extra: serde_json::Value,
) -> Result<(), AppError> {
    let mut tx = tenant_tx(pool, tenant_id).await?;
    meta.apply(&mut tx).await?;
    let mut metadata = serde_json::json!({ "email": email, "reason": reason });
    if let (Some(m), serde_json::Value::Object(extra)) = (metadata.as_object_mut(), extra) {
        m.extend(extra);
    }
    audit(
        &mut tx,
        tenant_id,
        None,
        "user.login_failed",
        ("user", user_id),
        metadata,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// [`login`], recording the attempt in the audit log with the request's IP and user agent.
///
/// Throttled per account and per `meta.ip` (`throttle`): over the limit the answer is
/// `TooManyRequests` before any password work. An unknown email and a wrong password get the
/// same answer after the same argon2 work. Wrong passwords are audited at most once per
/// throttle window per account: the first failure of a window writes one `user.login_failed`
/// row carrying how many failures the previous window had, so a flood cannot fill the log.
#[tracing::instrument(skip_all)]
pub async fn login_with_meta(
    pool: &PgPool,
    email: &str,
    password: &str,
    meta: &super::audit_log::RequestMeta,
) -> Result<String, AppError> {
    let email = Email::parse(email)?;
    if password.is_empty() {
        return Err(AppError::invalid("password", "Enter your password."));
    }
    let hit = super::throttle::login_attempt(pool, email.as_str(), meta.ip).await?;
    let row = system::login_lookup(pool, email.as_str()).await?;
    let ok = try_verify_password(
        password.to_string(),
        row.as_ref().map(|r| r.password_hash.clone()),
    )
    .await?;
    let row = match row {
        Some(row) if ok => row,
        other => {
            if hit.hits == 1 {
                if let Some(row) = other {
                    audit_failed_login(
                        pool,
                        meta,
                        row.tenant_id,
                        row.user_id,
                        email.as_str(),
                        "wrong_password",
                        serde_json::json!({
                            "window_secs": super::throttle::limits().login_window_secs,
                            "previous_window_failures": hit.previous_hits,
                        }),
                    )
                    .await?;
                }
            }
            return Err(bad_credentials());
        }
    };
    if !row.user_active {
        audit_failed_login(
            pool,
            meta,
            row.tenant_id,
            row.user_id,
            email.as_str(),
            "deactivated",
            serde_json::json!({}),
        )
        .await?;
        return Err(AppError::forbidden(
            "This account has been deactivated. Ask your team's owner.",
        ));
    }
    // A deleted organisation's members may still sign in during its retention, to see the
    // purge date (and, for the owner, to cancel); `resolve_session` keeps them out of the rest.
    if row.tenant_status != "active" && row.tenant_status != "offboarded" {
        return Err(AppError::forbidden(
            "This organisation is suspended. Contact support.",
        ));
    }
    super::throttle::login_succeeded(pool, email.as_str(), meta.ip).await?;
    let mut tx = tenant_tx(pool, row.tenant_id).await?;
    sqlx::query("UPDATE users SET last_login_at = now() WHERE id = $1")
        .bind(row.user_id)
        .execute(&mut *tx)
        .await?;
    let token = insert_session(&mut tx, row.tenant_id, row.user_id).await?;
    super::organisation::touch_active(&mut tx, row.tenant_id).await?;
    meta.apply(&mut tx).await?;
    audit(
        &mut tx,
        row.tenant_id,
        Some(row.user_id),
        "user.login",
        ("user", row.user_id),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// The member behind a session cookie, if the session is valid.
#[derive(Clone)]
pub struct Member {
    pub session_id: String,
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    pub role: Role,
    pub email: String,
    pub full_name: Option<String>,
    pub tenant_name: String,
    /// Set when platform staff view the organisation read-only (operator console): their
    /// email. Such a member may change nothing (`api::ctx::member_tx`).
    pub impersonator: Option<String>,
}

/// What a session token stands for.
#[derive(Clone)]
pub enum SessionOutcome {
    /// No session: no token, a malformed or unknown one, an expired session, or a tenant that
    /// is neither active nor suspended.
    None,
    /// A member of an active tenant.
    Member(Member),
    /// A live session whose tenant is suspended (subscription unpaid or paused).
    Suspended,
    /// A member of an organisation deleted and still in its retention (status 'offboarded'):
    /// they see the purge date and, as the owner, may cancel the deletion; nothing else.
    Closing(Member),
}

/// Looks the session token up once: the only place a session cookie becomes a member.
pub async fn resolve_session(pool: &PgPool, token: &str) -> Result<SessionOutcome, AppError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(SessionOutcome::None);
    }
    let Some(row) = system::session_lookup(pool, &session_id(token)).await? else {
        return Ok(SessionOutcome::None);
    };
    if row.tenant_status == "suspended" {
        return Ok(SessionOutcome::Suspended);
    }
    let closing = row.tenant_status == "offboarded";
    if row.tenant_status != "active" && !closing {
        return Ok(SessionOutcome::None);
    }
    let Some(role) = Role::parse(&row.role) else {
        return Ok(SessionOutcome::None);
    };
    if !closing && (chrono::Utc::now() - row.last_seen_at).num_seconds() > SESSION_TOUCH_SECS {
        touch_session(pool, row.tenant_id, &row.session_id).await?;
    }
    let member = Member {
        session_id: row.session_id,
        user_id: row.user_id,
        tenant_id: row.tenant_id,
        role,
        email: row.email,
        full_name: row.full_name,
        tenant_name: row.tenant_name,
        impersonator: None,
    };
    Ok(if closing {
        SessionOutcome::Closing(member)
    } else {
        SessionOutcome::Member(member)
    })
}

/// Moves the session's idle clock forward (at most once per [`SESSION_TOUCH_SECS`]), and the
/// tenant's `last_active_at` with it.
async fn touch_session(pool: &PgPool, tenant_id: Uuid, session_id: &str) -> Result<(), AppError> {
    let mut tx = tenant_tx(pool, tenant_id).await?;
    sqlx::query("UPDATE sessions SET last_seen_at = now() WHERE id = $1")
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    super::organisation::touch_active(&mut tx, tenant_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of the member's user, this one included; returns how many ended.
pub async fn logout_everywhere(tx: &mut Tx, member: &Member) -> Result<u64, AppError> {
    let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(member.user_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    audit(
        tx,
        member.tenant_id,
        Some(member.user_id),
        "user.logged_out_everywhere",
        ("user", member.user_id),
        serde_json::json!({ "sessions": ended }),
    )
    .await?;
    Ok(ended)
}

pub async fn logout(pool: &PgPool, member: &Member) -> Result<(), AppError> {
    let mut tx = tenant_tx(pool, member.tenant_id).await?;
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(&member.session_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
