//! Log-in and sign-up throttling (issue 15 §1). Counters are fixed windows in PostgreSQL
//! (`auth_throttle`, migration 0021, reached only through `system::throttle_*`), so they hold
//! across server instances; each write purges windows older than a day, so the table stays
//! bounded.
//!
//! - failed log-ins per account (the email, hashed) and per client address; over either limit
//!   every log-in attempt answers [`AppError::TooManyRequests`] until the window ends, without
//!   running argon2. Attempts are counted before the password check (a concurrent burst cannot
//!   race past the limit) and a success gives its hit back and resets the account's counter,
//!   so successful log-ins never count.
//! - sign-ups per client address (every attempt that would run argon2 counts).
//!
//! Limits come from the environment, read once:
//!
//! | variable | default |
//! | --- | --- |
//! | `SITEPILOT_LOGIN_FAILURES_PER_ACCOUNT` | 10 |
//! | `SITEPILOT_LOGIN_FAILURES_PER_IP` | 30 |
//! | `SITEPILOT_LOGIN_WINDOW_SECS` | 900 (15 minutes) |
//! | `SITEPILOT_SIGNUPS_PER_IP` | 20 |
//! | `SITEPILOT_SIGNUP_WINDOW_SECS` | 3600 |

use std::net::IpAddr;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use sqlx::PgPool;

use super::system::{self, ThrottleHit};
use crate::error::AppError;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub login_failures_per_account: u32,
    pub login_failures_per_ip: u32,
    pub login_window_secs: u32,
    pub signups_per_ip: u32,
    pub signup_window_secs: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            login_failures_per_account: 10,
            login_failures_per_ip: 30,
            login_window_secs: 15 * 60,
            signups_per_ip: 20,
            signup_window_secs: 3600,
        }
    }
}

fn env_u32(name: &str, default: u32) -> u32 {
    match std::env::var(name) {
        Ok(v) => match v.trim().parse::<u32>() {
            Ok(n) if n > 0 => n,
            _ => {
                tracing::warn!(%name, value = %v, default, "not a positive number; using the default");
                default
            }
        },
        Err(_) => default,
    }
}

/// The limits in force (from the environment, read once).
pub fn limits() -> &'static Limits {
    static LIMITS: OnceLock<Limits> = OnceLock::new();
    LIMITS.get_or_init(|| {
        let d = Limits::default();
        Limits {
            login_failures_per_account: env_u32(
                "SITEPILOT_LOGIN_FAILURES_PER_ACCOUNT",
                d.login_failures_per_account,
            ),
            login_failures_per_ip: env_u32(
                "SITEPILOT_LOGIN_FAILURES_PER_IP",
                d.login_failures_per_ip,
            ),
            login_window_secs: env_u32("SITEPILOT_LOGIN_WINDOW_SECS", d.login_window_secs),
            signups_per_ip: env_u32("SITEPILOT_SIGNUPS_PER_IP", d.signups_per_ip),
            signup_window_secs: env_u32("SITEPILOT_SIGNUP_WINDOW_SECS", d.signup_window_secs),
        }
    })
}

/// The account key: a hash of the normalised email, so the table holds no addresses.
pub fn account_key(email: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    format!("login:acct:{}", hex::encode(digest))
}

pub fn login_ip_key(ip: IpAddr) -> String {
    format!("login:ip:{ip}")
}

pub fn signup_ip_key(ip: IpAddr) -> String {
    format!("signup:ip:{ip}")
}

fn too_many(secs: u32) -> AppError {
    AppError::TooManyRequests {
        retry_after_secs: u64::from(secs.max(1)),
    }
}

fn over(hit: &ThrottleHit, max: u32) -> bool {
    i64::from(hit.hits) > i64::from(max)
}

/// Counts a log-in attempt for the account and the address *before* the password is checked,
/// so a concurrent burst cannot slip past the limit; over either limit the attempt is refused
/// with `TooManyRequests` (and no password work). A success gives the hits back
/// ([`login_succeeded`]), so only failures count. Returns the account's hit.
pub async fn login_attempt(
    pool: &PgPool,
    email: &str,
    ip: Option<IpAddr>,
) -> Result<ThrottleHit, AppError> {
    let l = limits();
    let account = system::throttle_hit(pool, &account_key(email), l.login_window_secs).await?;
    if over(&account, l.login_failures_per_account) {
        return Err(too_many(account.window_left_secs.max(1) as u32));
    }
    if let Some(ip) = ip {
        let by_ip = system::throttle_hit(pool, &login_ip_key(ip), l.login_window_secs).await?;
        if over(&by_ip, l.login_failures_per_ip) {
            return Err(too_many(by_ip.window_left_secs.max(1) as u32));
        }
    }
    Ok(account)
}

/// A successful log-in clears the account's failures and gives the address its hit back.
pub async fn login_succeeded(
    pool: &PgPool,
    email: &str,
    ip: Option<IpAddr>,
) -> Result<(), AppError> {
    system::throttle_reset(pool, &account_key(email)).await?;
    if let Some(ip) = ip {
        system::throttle_undo(pool, &login_ip_key(ip)).await?;
    }
    Ok(())
}

/// Counts a sign-up attempt from `ip`; refuses it over the limit.
pub async fn signup_attempt(pool: &PgPool, ip: Option<IpAddr>) -> Result<(), AppError> {
    let Some(ip) = ip else {
        return Ok(());
    };
    let l = limits();
    let hit = system::throttle_hit(pool, &signup_ip_key(ip), l.signup_window_secs).await?;
    if over(&hit, l.signups_per_ip) {
        return Err(too_many(hit.window_left_secs.max(1) as u32));
    }
    Ok(())
}

/// Password reset requests per account (the email, hashed: known or not, so the answer does not
/// tell) and per client address, per hour. Fixed: a person needs one or two.
pub const RESETS_PER_ACCOUNT: u32 = 5;
pub const RESETS_PER_IP: u32 = 30;
/// Verification emails a member may ask to be resent per hour.
pub const VERIFICATION_RESENDS: u32 = 5;
const EMAIL_WINDOW_SECS: u32 = 3600;

/// Counts a password reset request for `email` and from `ip`; refuses it over either limit
/// (the same whether or not an account uses the email).
pub async fn reset_request(pool: &PgPool, email: &str, ip: Option<IpAddr>) -> Result<(), AppError> {
    let digest = hex::encode(Sha256::digest(email.trim().to_lowercase().as_bytes()));
    let acct =
        system::throttle_hit(pool, &format!("reset:acct:{digest}"), EMAIL_WINDOW_SECS).await?;
    if over(&acct, RESETS_PER_ACCOUNT) {
        return Err(too_many(acct.window_left_secs.max(1) as u32));
    }
    if let Some(ip) = ip {
        let by_ip =
            system::throttle_hit(pool, &format!("reset:ip:{ip}"), EMAIL_WINDOW_SECS).await?;
        if over(&by_ip, RESETS_PER_IP) {
            return Err(too_many(by_ip.window_left_secs.max(1) as u32));
        }
    }
    Ok(())
}

/// Counts a "resend the verification email" for user `user_id`.
pub async fn verification_resend(pool: &PgPool, user_id: uuid::Uuid) -> Result<(), AppError> {
    let hit =
        system::throttle_hit(pool, &format!("verify:user:{user_id}"), EMAIL_WINDOW_SECS).await?;
    if over(&hit, VERIFICATION_RESENDS) {
        return Err(too_many(hit.window_left_secs.max(1) as u32));
    }
    Ok(())
}

/// Counts one event for `key` (limited to `max` per `window_secs`, shared by all instances);
/// `TooManyRequests` with the seconds left in the window once the key is over. For the
/// visitor-side limits: page-password attempts ([`unlock_key`]) and contact-form submissions
/// ([`form_key`]).
pub async fn count(pool: &PgPool, key: &str, max: u32, window_secs: u32) -> Result<(), AppError> {
    let hit = system::throttle_hit(pool, key, window_secs).await?;
    if over(&hit, max) {
        return Err(too_many(hit.window_left_secs.max(1) as u32));
    }
    Ok(())
}

fn addr(ip: Option<IpAddr>) -> String {
    ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

/// Password attempts from one address on one protected page.
pub fn unlock_key(ip: Option<IpAddr>, page_id: uuid::Uuid) -> String {
    format!("unlock:{}:{page_id}", addr(ip))
}

/// Contact-form submissions from one address to one website.
pub fn form_key(ip: Option<IpAddr>, website_id: uuid::Uuid) -> String {
    format!("form:{}:{website_id}", addr(ip))
}

/// Shop checkouts (each holds stock for a while) from one address on one website.
pub fn checkout_key(ip: Option<IpAddr>, website_id: uuid::Uuid) -> String {
    format!("checkout:{}:{website_id}", addr(ip))
}
