//! Deleting the organisation (migration 0046, schema reference §4): the owner marks the tenant
//! 'offboarded'; its websites go offline at once (visitor lookups serve nothing for it) and
//! its members can only sign in to see the purge date. Cancelling during the 90-day retention
//! restores everything; afterwards the `organisation.lifecycle` job purges it
//! (`server::org_lifecycle`).

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{audit, Tx};
use crate::error::AppError;
use crate::model::{DeletionState, RETENTION_DAYS};

/// The email kind telling the owner the purge date.
pub const EMAIL_KIND: &str = "organisation_deletion";

fn state_of(deleted_at: DateTime<Utc>) -> DeletionState {
    DeletionState {
        deleted_at,
        purge_at: deleted_at + Duration::days(RETENTION_DAYS),
    }
}

/// The tenant's deletion, while it is deleted and not yet purged.
pub async fn state(tx: &mut Tx) -> Result<Option<DeletionState>, AppError> {
    let at: Option<Option<DateTime<Utc>>> = sqlx::query_scalar(
        "SELECT offboard_scheduled_at FROM tenants WHERE id = app_current_tenant() AND status = 'offboarded'",
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(at.flatten().map(state_of))
}

/// The owner deletes the organisation, having typed its name (`confirm_name`, compared after
/// trimming). Audited (`organisation.deletion_requested`), and the owner is emailed the purge
/// date with a sign-in link (`link_base` is the app's public origin).
pub async fn request(
    tx: &mut Tx,
    tenant: Uuid,
    owner: Uuid,
    confirm_name: &str,
    now: DateTime<Utc>,
    link_base: &str,
) -> Result<DeletionState, AppError> {
    let (name, status): (String, String) =
        sqlx::query_as("SELECT name, status FROM tenants WHERE id = $1 FOR UPDATE")
            .bind(tenant)
            .fetch_one(&mut **tx)
            .await?;
    if confirm_name.trim() != name.trim() {
        return Err(AppError::invalid(
            "confirm_name",
            "Type the organisation's name exactly as shown to confirm.",
        ));
    }
    if status != "active" {
        return Err(AppError::forbidden(
            "Only an active organisation can be deleted.",
        ));
    }
    sqlx::query(
        "UPDATE tenants SET status = 'offboarded', offboard_scheduled_at = $2 WHERE id = $1",
    )
    .bind(tenant)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    // A pending ownership transfer must not hand over an organisation being deleted.
    sqlx::query("DELETE FROM user_tokens WHERE purpose = 'ownership_transfer' AND used_at IS NULL")
        .execute(&mut **tx)
        .await?;
    let state = state_of(now);
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(owner)
        .fetch_one(&mut **tx)
        .await?;
    // In the organisation's timezone, named (the tx is the tenant's).
    let purge_date = super::organisation::local_time(tx, state.purge_at, false).await?;
    super::mail::queue(
        tx,
        tenant,
        &super::mail::Envelope {
            kind: EMAIL_KIND,
            to: &email,
            link: None,
            unsubscribe_url: None,
            secret: false,
            invitation_id: None,
        },
        &crate::mail::organisation_deletion(&name, &purge_date, &format!("{link_base}/login")),
    )
    .await?;
    audit(
        tx,
        tenant,
        Some(owner),
        "organisation.deletion_requested",
        ("tenant", tenant),
        serde_json::json!({ "purge_at": state.purge_at }),
    )
    .await?;
    Ok(state)
}

/// The owner cancels the deletion during the retention: the organisation is active again and
/// its websites are back as they were. Audited (`organisation.deletion_cancelled`).
pub async fn cancel(tx: &mut Tx, tenant: Uuid, owner: Uuid) -> Result<(), AppError> {
    let done = sqlx::query(
        r#"UPDATE tenants SET status = 'active', offboard_scheduled_at = NULL
           WHERE id = $1 AND status = 'offboarded'"#,
    )
    .bind(tenant)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(AppError::invalid(
            "organisation",
            "The organisation is not scheduled for deletion.",
        ));
    }
    audit(
        tx,
        tenant,
        Some(owner),
        "organisation.deletion_cancelled",
        ("tenant", tenant),
        serde_json::json!({}),
    )
    .await?;
    Ok(())
}

/// The object-store prefixes holding the tenant's files: its media and its exports. The purge
/// deletes everything under them before the rows.
pub fn storage_prefixes(tenant: Uuid) -> [String; 2] {
    [format!("tenants/{tenant}/"), format!("exports/{tenant}/")]
}
