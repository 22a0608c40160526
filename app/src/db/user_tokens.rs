//! Password reset and email verification (issue 18 Part B, migration 0024).
//!
//! Both send a link carrying a random 32-byte token; only its SHA-256 is stored
//! (`user_tokens.token_hash`, like sessions and invitations). A reset link works once, for
//! [`RESET_TOKEN_MINUTES`]; using it sets the password and ends every session of the user. A
//! verification link sets `users.email_verified_at`, which publishing needs.
//!
//! Asking for a reset answers the same whether or not an account uses the email: the request is
//! throttled by the email's hash and the client address first, and only an existing, active
//! account gets a token and an email.

use sqlx::PgPool;
use uuid::Uuid;

use super::audit_log::RequestMeta;
use super::{audit, system, tenant_tx, Tx};
use crate::error::AppError;
use crate::model::{Email, Password, ResetLinkState, RESET_TOKEN_MINUTES, VERIFY_TOKEN_DAYS};

const RESET: &str = "password_reset";
const VERIFY: &str = "email_verification";

fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A new token of `purpose` for the user (earlier unused ones of that purpose are deleted: only
/// the newest link works); returns the clear token for the link.
async fn issue(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    email: &str,
    purpose: &str,
    valid_minutes: i64,
) -> Result<String, AppError> {
    sqlx::query("DELETE FROM user_tokens WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
        .bind(user_id)
        .bind(purpose)
        .execute(&mut **tx)
        .await?;
    let (token, hash) = super::accounts::new_session_token();
    sqlx::query(
        r#"INSERT INTO user_tokens (token_hash, tenant_id, user_id, purpose, email, expires_at)
           VALUES ($1, $2, $3, $4, $5, now() + make_interval(mins => $6))"#,
    )
    .bind(&hash)
    .bind(tenant_id)
    .bind(user_id)
    .bind(purpose)
    .bind(email)
    .bind(valid_minutes as i32)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// "Forgot password?": throttled per email and per address, then, only when an active account
/// uses `email`, a reset link is queued for it. The caller answers the same either way.
pub async fn request_password_reset(
    pool: &PgPool,
    email: &str,
    ip: Option<std::net::IpAddr>,
    link_base: &str,
) -> Result<(), AppError> {
    let email = Email::parse(email)?;
    super::throttle::reset_request(pool, email.as_str(), ip).await?;
    let Some(row) = system::login_lookup(pool, email.as_str()).await? else {
        tracing::info!("password reset asked for an email no account uses");
        return Ok(());
    };
    if !row.user_active || row.tenant_status == "offboarded" {
        return Ok(());
    }
    let mut tx = tenant_tx(pool, row.tenant_id).await?;
    let token = issue(
        &mut tx,
        row.tenant_id,
        row.user_id,
        email.as_str(),
        RESET,
        RESET_TOKEN_MINUTES,
    )
    .await?;
    let link = format!("{link_base}/reset-password/{token}");
    super::mail::queue(
        &mut tx,
        row.tenant_id,
        &super::mail::Envelope {
            kind: "password_reset",
            to: email.as_str(),
            link: None,
            unsubscribe_url: None,
            secret: true,
            invitation_id: None,
        },
        &crate::mail::password_reset(&link),
    )
    .await?;
    audit(
        &mut tx,
        row.tenant_id,
        None,
        "user.password_reset_requested",
        ("user", row.user_id),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a reset link leads to.
pub async fn reset_link_state(pool: &PgPool, token: &str) -> Result<ResetLinkState, AppError> {
    if !well_formed(token) {
        return Ok(ResetLinkState::NotFound);
    }
    let hash = super::accounts::session_id(token);
    let Some(row) = system::user_token_lookup(pool, &hash, RESET).await? else {
        return Ok(ResetLinkState::NotFound);
    };
    Ok(if row.used_at.is_some() {
        ResetLinkState::Used
    } else if row.expires_at <= chrono::Utc::now() {
        ResetLinkState::Expired
    } else {
        ResetLinkState::Valid { email: row.email }
    })
}

fn refusal(state: &ResetLinkState) -> Option<AppError> {
    match state {
        ResetLinkState::Valid { .. } => None,
        ResetLinkState::Expired => Some(AppError::forbidden(
            "This reset link has expired (links work for one hour). Ask for a new one.",
        )),
        ResetLinkState::Used => Some(AppError::forbidden(
            "This reset link has already been used. Ask for a new one if you need to.",
        )),
        ResetLinkState::NotFound => Some(AppError::NotFound("Reset link".into())),
    }
}

/// Sets a new password through a reset link: the token is spent (once, even against a
/// concurrent use), the password changed and every session of the user ended.
pub async fn reset_password(
    pool: &PgPool,
    token: &str,
    new_password: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    if !well_formed(token) {
        return Err(AppError::invalid(
            "token",
            "This reset link is incomplete. Copy the whole link from the email, or ask for a new one.",
        ));
    }
    let state = reset_link_state(pool, token).await?;
    if let Some(err) = refusal(&state) {
        return Err(err);
    }
    let password = Password::parse(new_password)?;
    let hash = super::accounts::session_id(token);
    let Some(row) = system::user_token_lookup(pool, &hash, RESET).await? else {
        return Err(AppError::NotFound("Reset link".into()));
    };
    let password_hash = super::accounts::hash_password(password.expose().to_string()).await?;
    let mut tx = tenant_tx(pool, row.tenant_id).await?;
    let spent: Option<Uuid> = sqlx::query_scalar(
        r#"UPDATE user_tokens SET used_at = now()
            WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
            RETURNING user_id"#,
    )
    .bind(&hash)
    .bind(RESET)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user_id) = spent else {
        return Err(refusal(&ResetLinkState::Used).unwrap_or(AppError::Internal));
    };
    sqlx::query("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1")
        .bind(user_id)
        .bind(&password_hash)
        .execute(&mut *tx)
        .await?;
    // Following the emailed link proves the address too.
    sqlx::query(
        "UPDATE users SET email_verified_at = now() WHERE id = $1 AND email_verified_at IS NULL AND lower(email) = lower($2)",
    )
    .bind(user_id)
    .bind(&row.email)
    .execute(&mut *tx)
    .await?;
    let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    meta.apply(&mut tx).await?;
    audit(
        &mut tx,
        row.tenant_id,
        Some(user_id),
        "user.password_reset",
        ("user", user_id),
        serde_json::json!({ "sessions_ended": ended }),
    )
    .await?;
    tx.commit().await?;
    // The failed log-ins that may have led here no longer lock the account.
    system::throttle_reset(pool, &super::throttle::account_key(&row.email)).await?;
    Ok(())
}

/// Queues a verification email for the user (sign-up, and "resend"), inside the caller's
/// transaction.
pub async fn queue_verification(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    email: &str,
    link_base: &str,
) -> Result<(), AppError> {
    let token = issue(
        tx,
        tenant_id,
        user_id,
        email,
        VERIFY,
        VERIFY_TOKEN_DAYS * 24 * 60,
    )
    .await?;
    let link = format!("{link_base}/verify-email/{token}");
    super::mail::queue(
        tx,
        tenant_id,
        &super::mail::Envelope {
            kind: "email_verification",
            to: email,
            link: None,
            unsubscribe_url: None,
            secret: true,
            invitation_id: None,
        },
        &crate::mail::email_verification(&link),
    )
    .await?;
    Ok(())
}

/// Follows a verification link: `Ok(true)` when the address is (now) verified.
pub async fn verify_email(pool: &PgPool, token: &str) -> Result<bool, AppError> {
    if !well_formed(token) {
        return Ok(false);
    }
    let hash = super::accounts::session_id(token);
    let Some(row) = system::user_token_lookup(pool, &hash, VERIFY).await? else {
        return Ok(false);
    };
    if row.expires_at <= chrono::Utc::now() {
        return Ok(false);
    }
    let mut tx = tenant_tx(pool, row.tenant_id).await?;
    sqlx::query("UPDATE user_tokens SET used_at = COALESCE(used_at, now()) WHERE token_hash = $1")
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    // Only while the account still has the address the link was sent to.
    let verified = sqlx::query(
        r#"UPDATE users SET email_verified_at = COALESCE(email_verified_at, now())
            WHERE id = $1 AND lower(email) = lower($2)"#,
    )
    .bind(row.user_id)
    .bind(&row.email)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if verified && row.used_at.is_none() {
        audit(
            &mut tx,
            row.tenant_id,
            Some(row.user_id),
            "user.email_verified",
            ("user", row.user_id),
            serde_json::json!({ "email": row.email }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(verified)
}

/// Whether the user's email is verified (inside the caller's tenant transaction).
pub async fn is_verified(tx: &mut Tx, user_id: Uuid) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar::<_, bool>(
        "SELECT email_verified_at IS NOT NULL FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?
    .unwrap_or(false))
}

/// The member's email address (for `EmailUnverified` when the caller is an API key).
pub async fn email_of(tx: &mut Tx, user_id: Uuid) -> Result<String, AppError> {
    Ok(
        sqlx::query_scalar::<_, String>("SELECT email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?
            .unwrap_or_default(),
    )
}
