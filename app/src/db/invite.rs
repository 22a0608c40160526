//! Accepting an invitation (schema reference §16): the invited person sets a name and password and joins
//! the tenant with the invited role, in one transaction.

use sqlx::PgPool;

use super::accounts::{hash_password, insert_session};
use super::audit_log::RequestMeta;
use super::{audit, system, tenant_tx};
use crate::error::AppError;
use crate::model::{parse_name, InviteState, Password, Role};

/// What the link leads to. Malformed tokens are simply "not found".
pub async fn state(pool: &PgPool, token: &str) -> Result<InviteState, AppError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(InviteState::NotFound);
    }
    let Some(row) = system::invitation_by_token(pool, token).await? else {
        return Ok(InviteState::NotFound);
    };
    Ok(match row.status.as_str() {
        "accepted" => InviteState::Accepted,
        "revoked" => InviteState::Revoked,
        "pending" if row.expires_at > chrono::Utc::now() && row.tenant_status == "active" => {
            InviteState::Pending {
                tenant_name: row.tenant_name,
                email: row.email,
                role: Role::parse(&row.role).ok_or(AppError::Internal)?,
            }
        }
        _ => InviteState::Expired,
    })
}

/// The message for a link that cannot be used (also what `accept` answers).
pub fn refusal(state: &InviteState) -> Option<AppError> {
    match state {
        InviteState::Pending { .. } => None,
        InviteState::Expired => Some(AppError::forbidden(
            "This invitation has expired. Ask your team's owner or admin to resend it.",
        )),
        InviteState::Revoked => Some(AppError::forbidden(
            "This invitation was revoked. Ask your team's owner or admin for a new one.",
        )),
        InviteState::Accepted => Some(AppError::forbidden(
            "This invitation has already been used. Log in instead.",
        )),
        InviteState::NotFound => Some(AppError::NotFound("Invitation".into())),
    }
}

/// Creates the member and their first session; returns the raw session token.
pub async fn accept(
    pool: &PgPool,
    token: &str,
    full_name: &str,
    password: &str,
    meta: &RequestMeta,
) -> Result<String, AppError> {
    let st = state(pool, token).await?;
    if let Some(err) = refusal(&st) {
        return Err(err);
    }
    let full_name = parse_name("full_name", "your name", full_name, 1, 100)?;
    let password = Password::parse(password)?;
    let Some(row) = system::invitation_by_token(pool, token).await? else {
        return Err(AppError::NotFound("Invitation".into()));
    };
    if system::login_lookup(pool, &row.email).await?.is_some() {
        return Err(AppError::invalid(
            "email",
            "An account with this email already exists. Log in with it, or ask for an invitation to another address.",
        ));
    }
    let hash = hash_password(password.expose().to_string()).await?;
    let mut tx = tenant_tx(pool, row.tenant_id).await?;
    meta.apply(&mut tx).await?;
    // Re-checked under a row lock: two tabs accepting the same link cannot both succeed.
    let invited_by: Option<uuid::Uuid> = sqlx::query_scalar(
        r#"UPDATE team_invitations SET status = 'accepted', accepted_at = now()
           WHERE id = $1 AND status = 'pending' AND expires_at > now()
           RETURNING invited_by"#,
    )
    .bind(row.invitation_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(invited_by) = invited_by else {
        return Err(AppError::forbidden(
            "This invitation has already been used. Log in instead.",
        ));
    };
    // The invitation link reached this address: it counts as verified.
    let user_id: uuid::Uuid = sqlx::query_scalar(
        r#"INSERT INTO users (tenant_id, email, password_hash, full_name, role, invited_by, invitation_accepted_at, last_login_at,
                              email_verified_at)
           VALUES ($1, $2, $3, $4, $5, $6, now(), now(), now())
           RETURNING id"#,
    )
    .bind(row.tenant_id)
    .bind(&row.email)
    .bind(&hash)
    .bind(&full_name)
    .bind(&row.role)
    .bind(invited_by)
    .fetch_one(&mut *tx)
    .await?;
    let meta_json = serde_json::json!({ "email": row.email, "role": row.role, "invitation_id": row.invitation_id });
    audit(
        &mut tx,
        row.tenant_id,
        Some(user_id),
        "user.invitation_accepted",
        ("user", user_id),
        meta_json,
    )
    .await?;
    let session = insert_session(&mut tx, row.tenant_id, user_id).await?;
    tx.commit().await?;
    Ok(session)
}
