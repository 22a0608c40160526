//! Unlocking password-protected visitor pages: the signed cookie that proves a visitor gave
//! the right password, and the limit on password attempts (counted in PostgreSQL, shared by
//! every instance).
//!
//! Cookie `sp_unlock_{page}` = `{website}.{page}.{expires}.{mac}`, where `mac` is
//! HMAC-SHA256 (server key) over the website id, page id, expiry and the page's password hash.
//! Binding the hash means a new password (once published) ends every earlier unlock.

use std::net::IpAddr;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use sqlx::PgPool;

/// How long one unlock lasts.
pub const UNLOCK_TTL_SECS: i64 = 12 * 60 * 60;
/// Password attempts allowed per visitor address and page within [`ATTEMPT_WINDOW`].
pub const MAX_ATTEMPTS: u32 = 5;
pub const ATTEMPT_WINDOW: Duration = Duration::from_secs(60);

pub fn cookie_name(page_id: Uuid) -> String {
    format!("sp_unlock_{}", page_id.simple())
}

fn mac(
    key: &[u8],
    website_id: Uuid,
    page_id: Uuid,
    expires: i64,
    password_hash: &str,
) -> Option<Hmac<Sha256>> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).ok()?;
    m.update(
        format!(
            "sp-page-unlock-v1\n{}\n{}\n{expires}\n",
            website_id.simple(),
            page_id.simple()
        )
        .as_bytes(),
    );
    m.update(password_hash.as_bytes());
    Some(m)
}

/// The cookie value unlocking `page_id` of `website_id` until `expires` (unix seconds).
pub fn sign(
    key: &[u8],
    website_id: Uuid,
    page_id: Uuid,
    expires: i64,
    password_hash: &str,
) -> String {
    let tag = mac(key, website_id, page_id, expires, password_hash)
        .map(|m| hex::encode(m.finalize().into_bytes()));
    format!(
        "{}.{}.{expires}.{}",
        website_id.simple(),
        page_id.simple(),
        tag.unwrap_or_default()
    )
}

/// Whether `value` unlocks exactly this page of this site, now. The tag is compared in
/// constant time.
pub fn verify(
    key: &[u8],
    value: &str,
    website_id: Uuid,
    page_id: Uuid,
    password_hash: &str,
    now: i64,
) -> bool {
    let mut parts = value.split('.');
    let (Some(w), Some(p), Some(e), Some(tag), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let (Ok(w), Ok(p), Ok(expires), Ok(tag)) = (
        Uuid::parse_str(w),
        Uuid::parse_str(p),
        e.parse::<i64>(),
        hex::decode(tag),
    ) else {
        return false;
    };
    if w != website_id || p != page_id || expires <= now {
        return false;
    }
    mac(key, website_id, page_id, expires, password_hash)
        .is_some_and(|m| m.verify_slice(&tag).is_ok())
}

/// The value of cookie `name` in a `Cookie` header.
pub fn read_cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The `Set-Cookie` header for a fresh unlock. `Path` is the page's address, so the browser
/// sends it only there; the value still names site and page, which the server checks.
pub fn set_cookie_header(name: &str, value: &str, path: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{name}={value}; Path={path}; Max-Age={UNLOCK_TTL_SECS}; HttpOnly; SameSite=Lax{secure}"
    )
}

/// Counts one password attempt from `ip` on `page_id`, in PostgreSQL so every instance shares
/// the count; `Err(seconds to wait)` once the address has used its attempts for the current
/// window. A database error refuses the attempt too (no unlimited guessing while it is down).
pub async fn attempt(pool: &PgPool, ip: Option<IpAddr>, page_id: Uuid) -> Result<(), u64> {
    let key = app::db::throttle::unlock_key(ip, page_id);
    let window = ATTEMPT_WINDOW.as_secs() as u32;
    match app::db::throttle::count(pool, &key, MAX_ATTEMPTS, window).await {
        Ok(()) => Ok(()),
        Err(app::error::AppError::TooManyRequests { retry_after_secs }) => Err(retry_after_secs),
        Err(e) => {
            tracing::warn!(error = %e, "counting a page-password attempt failed; refusing it");
            Err(ATTEMPT_WINDOW.as_secs())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_binds_site_page_expiry_and_hash() {
        let (k, w, p) = (
            b"key-key-key-key-key-key-key-key!".as_slice(),
            Uuid::new_v4(),
            Uuid::new_v4(),
        );
        let v = sign(k, w, p, 2_000, "h1");
        assert!(verify(k, &v, w, p, "h1", 1_000));
        assert!(!verify(k, &v, w, p, "h1", 2_000), "expired");
        assert!(!verify(k, &v, Uuid::new_v4(), p, "h1", 1_000), "other site");
        assert!(!verify(k, &v, w, Uuid::new_v4(), "h1", 1_000), "other page");
        assert!(!verify(k, &v, w, p, "h2", 1_000), "password changed");
        assert!(
            !verify(b"another-key-another-key-another!", &v, w, p, "h1", 1_000),
            "other key"
        );
        let later = v.replacen(".2000.", ".9000.", 1);
        assert!(!verify(k, &later, w, p, "h1", 1_000), "tampered expiry");
        assert!(!verify(k, "garbage", w, p, "h1", 1_000));
        assert_eq!(
            read_cookie("a=1; sp_unlock_x=abc; b=2", "sp_unlock_x"),
            Some("abc")
        );
    }
}
