//! Team members and invitations (schema reference §5, §16). Role checks happen in `api::team` through
//! `Role`; the rules that depend on the target row (owner protection, seats) are here, inside
//! the caller's tenant transaction.

use rand::RngCore;
use sqlx::FromRow;
use uuid::Uuid;

use super::{audit, Tx};
use crate::error::AppError;
use crate::model::{Email, Invitation, MemberInfo, OutboxEmail, Role, INVITE_DAYS};

/// 32 random bytes, hex: the invite link's secret. Only its hash is stored
/// ([`invite_token_hash`]); the clear token exists only in the link that is sent.
pub fn new_invite_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What `team_invitations.token` holds for an invite link's token: its hex SHA-256, as for
/// session ids (migration 0021).
pub fn invite_token_hash(token: &str) -> String {
    super::accounts::session_id(token)
}

#[derive(FromRow)]
struct MemberRow {
    id: Uuid,
    email: String,
    full_name: Option<String>,
    role: String,
    is_active: bool,
    last_login_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn members(tx: &mut Tx) -> Result<Vec<MemberInfo>, AppError> {
    let rows = sqlx::query_as::<_, MemberRow>(
        "SELECT id, email, full_name, role, is_active, last_login_at FROM users ORDER BY created_at, email",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(MemberInfo {
                user_id: r.id,
                email: r.email,
                full_name: r.full_name,
                role: Role::parse(&r.role)?,
                is_active: r.is_active,
                last_login_at: r.last_login_at,
            })
        })
        .collect())
}

#[derive(FromRow)]
struct InvitationRow {
    id: Uuid,
    email: String,
    role: String,
    status: String,
    expires_at: chrono::DateTime<chrono::Utc>,
    created_at: chrono::DateTime<chrono::Utc>,
}

pub async fn invitations(tx: &mut Tx) -> Result<Vec<Invitation>, AppError> {
    let rows = sqlx::query_as::<_, InvitationRow>(
        r#"SELECT id, email, role,
                  CASE WHEN status = 'pending' AND expires_at <= now() THEN 'expired' ELSE status END AS status,
                  expires_at, created_at
           FROM team_invitations ORDER BY created_at DESC LIMIT 100"#,
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Invitation {
                id: r.id,
                email: r.email,
                role: Role::parse(&r.role)?,
                status: r.status,
                expires_at: r.expires_at,
                created_at: r.created_at,
            })
        })
        .collect())
}

pub async fn outbox(tx: &mut Tx) -> Result<Vec<OutboxEmail>, AppError> {
    // Messages holding a one-time secret (someone's password reset or verification link) are
    // listed without their body or link: a teammate must not be able to use them.
    type Row = (
        Uuid,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        chrono::DateTime<chrono::Utc>,
    );
    Ok(sqlx::query_as::<_, Row>(
        r#"SELECT id, kind, to_email, subject,
                  CASE WHEN secret THEN '' ELSE body_text END,
                  CASE WHEN secret THEN NULL ELSE link END,
                  status, last_error, created_at
             FROM email_outbox ORDER BY created_at DESC LIMIT 50"#,
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(
        |(id, kind, to_email, subject, body_text, link, status, last_error, created_at)| {
            OutboxEmail {
                id,
                kind,
                to_email,
                subject,
                body_text,
                link,
                status,
                last_error,
                created_at,
            }
        },
    )
    .collect())
}

/// (used, max): active members plus live pending invitations, against the plan's
/// `max_collaborators`. Locks the tenant row so two concurrent invites cannot both take the
/// last seat. (A shared limits module is being written separately; the lead merges them.)
pub async fn seats(tx: &mut Tx, tenant_id: Uuid) -> Result<(i64, i64), AppError> {
    let sql = "SELECT p.max_collaborators::bigint FROM tenants t JOIN plans p ON p.id = t.plan_id WHERE t.id = $1";
    let max: i64 = sqlx::query_scalar(sql)
        .bind(tenant_id)
        .fetch_one(&mut **tx)
        .await?;
    let used = super::limits::collaborators_used(tx).await?;
    Ok((used, max))
}

/// Refuses when one more seat would exceed the plan.
pub async fn check_seat_available(tx: &mut Tx, tenant_id: Uuid) -> Result<(), AppError> {
    super::limits::check_collaborators(tx, tenant_id).await
}

/// Queues the invitation email (delivered by the `email.send` job; see `db::mail`).
async fn queue_invite_email(
    tx: &mut Tx,
    tenant_id: Uuid,
    invitation_id: Uuid,
    to: &str,
    tenant_name: &str,
    role: Role,
    link: &str,
) -> Result<(), AppError> {
    let msg = crate::mail::invitation(tenant_name, role, link);
    super::mail::queue(
        tx,
        tenant_id,
        &super::mail::Envelope {
            kind: "invitation",
            to,
            link: Some(link),
            unsubscribe_url: None,
            secret: false,
            invitation_id: Some(invitation_id),
        },
        &msg,
    )
    .await?;
    Ok(())
}

/// Who invites, and the base of the link (`https://app.example.com`).
pub struct Inviter<'a> {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub tenant_name: &'a str,
    pub link_base: &'a str,
}

pub async fn invite(
    tx: &mut Tx,
    by: &Inviter<'_>,
    email: &Email,
    role: Role,
) -> Result<Invitation, AppError> {
    if role == Role::Owner {
        return Err(AppError::invalid(
            "role",
            "An invitation cannot make someone an owner.",
        ));
    }
    let existing: Option<bool> =
        sqlx::query_scalar("SELECT is_active FROM users WHERE lower(email) = $1")
            .bind(email.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    if existing.is_some() {
        return Err(AppError::invalid(
            "email",
            "This person is already a member of your team.",
        ));
    }
    // An invitation left pending past its expiry no longer blocks a new one.
    sqlx::query("UPDATE team_invitations SET status = 'expired' WHERE lower(email) = $1 AND status = 'pending' AND expires_at <= now()")
        .bind(email.as_str())
        .execute(&mut **tx)
        .await?;
    check_seat_available(tx, by.tenant_id).await?;
    let token = new_invite_token();
    let row = sqlx::query_as::<_, InvitationRow>(
        r#"INSERT INTO team_invitations (tenant_id, invited_by, email, role, token, expires_at)
           VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6))
           RETURNING id, email, role, status, expires_at, created_at"#,
    )
    .bind(by.tenant_id)
    .bind(by.user_id)
    .bind(email.as_str())
    .bind(role.as_str())
    .bind(invite_token_hash(&token))
    .bind(INVITE_DAYS as i32)
    .fetch_one(&mut **tx)
    .await?;
    let link = format!("{}/invite/{token}", by.link_base);
    queue_invite_email(
        tx,
        by.tenant_id,
        row.id,
        email.as_str(),
        by.tenant_name,
        role,
        &link,
    )
    .await?;
    audit(
        tx,
        by.tenant_id,
        Some(by.user_id),
        "user.invited",
        ("invitation", row.id),
        serde_json::json!({ "email": email.as_str(), "role": role.as_str() }),
    )
    .await?;
    Ok(Invitation {
        id: row.id,
        email: row.email,
        role,
        status: row.status,
        expires_at: row.expires_at,
        created_at: row.created_at,
    })
}

/// The pending invitation `id`, locked, or NotFound (also for other tenants' ids: RLS).
async fn pending(tx: &mut Tx, id: Uuid) -> Result<(String, Role), AppError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT email, role FROM team_invitations WHERE id = $1 AND status = 'pending' FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let (email, role) = row.ok_or_else(|| AppError::NotFound("Pending invitation".into()))?;
    Ok((email, Role::parse(&role).ok_or(AppError::Internal)?))
}

pub async fn revoke(tx: &mut Tx, tenant_id: Uuid, user_id: Uuid, id: Uuid) -> Result<(), AppError> {
    let (email, _) = pending(tx, id).await?;
    sqlx::query("UPDATE team_invitations SET status = 'revoked' WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    audit(
        tx,
        tenant_id,
        Some(user_id),
        "user.invitation_revoked",
        ("invitation", id),
        serde_json::json!({ "email": email }),
    )
    .await?;
    Ok(())
}

/// A new token and a new 7-day expiry; the old link stops working. Resending an expired
/// invitation needs a free seat again, since it did not count while expired.
pub async fn resend(tx: &mut Tx, by: &Inviter<'_>, id: Uuid) -> Result<(), AppError> {
    let (email, role) = pending(tx, id).await?;
    let expired: bool =
        sqlx::query_scalar("SELECT expires_at <= now() FROM team_invitations WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    if expired {
        check_seat_available(tx, by.tenant_id).await?;
    }
    let token = new_invite_token();
    sqlx::query("UPDATE team_invitations SET token = $2, expires_at = now() + make_interval(days => $3) WHERE id = $1")
        .bind(id)
        .bind(invite_token_hash(&token))
        .bind(INVITE_DAYS as i32)
        .execute(&mut **tx)
        .await?;
    let link = format!("{}/invite/{token}", by.link_base);
    queue_invite_email(tx, by.tenant_id, id, &email, by.tenant_name, role, &link).await?;
    audit(
        tx,
        by.tenant_id,
        Some(by.user_id),
        "user.invitation_resent",
        ("invitation", id),
        serde_json::json!({ "email": email }),
    )
    .await?;
    Ok(())
}

/// The target member's role and active flag, locked; NotFound across tenants (RLS).
async fn target(tx: &mut Tx, user_id: Uuid) -> Result<(Role, bool, String), AppError> {
    let row: Option<(String, bool, String)> =
        sqlx::query_as("SELECT role, is_active, email FROM users WHERE id = $1 FOR UPDATE")
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    let (role, active, email) = row.ok_or_else(|| AppError::NotFound("Team member".into()))?;
    Ok((Role::parse(&role).ok_or(AppError::Internal)?, active, email))
}

pub async fn change_role(
    tx: &mut Tx,
    tenant_id: Uuid,
    by: (Uuid, Role),
    user_id: Uuid,
    to: Role,
) -> Result<(), AppError> {
    let (from, _, email) = target(tx, user_id).await?;
    if !by.1.can_manage_member(from) {
        return Err(AppError::forbidden(
            "The owner's role cannot be changed here.",
        ));
    }
    if !by.1.can_grant(to) {
        return Err(AppError::invalid(
            "role",
            "Nobody can be made owner from the team page.",
        ));
    }
    if from == to {
        return Ok(());
    }
    sqlx::query("UPDATE users SET role = $2 WHERE id = $1")
        .bind(user_id)
        .bind(to.as_str())
        .execute(&mut **tx)
        .await?;
    let meta = serde_json::json!({ "from": from.as_str(), "to": to.as_str(), "user_id": user_id, "email": email });
    audit(
        tx,
        tenant_id,
        Some(by.0),
        "user.role_changed",
        ("user", user_id),
        meta,
    )
    .await?;
    Ok(())
}

/// Deactivating ends the member's sessions at once (and the session lookup ignores inactive
/// users anyway). The last active owner can never be deactivated.
pub async fn set_active(
    tx: &mut Tx,
    tenant_id: Uuid,
    by: (Uuid, Role),
    user_id: Uuid,
    active: bool,
) -> Result<(), AppError> {
    let (role, was, email) = target(tx, user_id).await?;
    if role == Role::Owner && !active {
        let other_owners: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM users WHERE role = 'owner' AND is_active AND id <> $1",
        )
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await?;
        if other_owners == 0 {
            return Err(AppError::forbidden(
                "The last active owner cannot be deactivated.",
            ));
        }
    }
    if !by.1.can_manage_member(role) {
        return Err(AppError::forbidden(
            "Only owners and admins can change this member, and never the owner.",
        ));
    }
    if by.0 == user_id {
        return Err(AppError::forbidden("You cannot deactivate yourself."));
    }
    if was == active {
        return Ok(());
    }
    if active {
        check_seat_available(tx, tenant_id).await?;
    }
    sqlx::query("UPDATE users SET is_active = $2 WHERE id = $1")
        .bind(user_id)
        .bind(active)
        .execute(&mut **tx)
        .await?;
    if !active {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
    }
    let action = if active {
        "user.reactivated"
    } else {
        "user.deactivated"
    };
    audit(
        tx,
        tenant_id,
        Some(by.0),
        action,
        ("user", user_id),
        serde_json::json!({ "email": email }),
    )
    .await?;
    Ok(())
}
