//! A member deletes their own user account (migration 0050). The owner cannot (ownership is
//! transferred first). The member's password is asked again; their content stays (its author
//! columns become NULL), their sessions, tokens and API keys go, and the audit rows are left
//! exactly as they are: the audit view shows their actions as a "deleted user".

use uuid::Uuid;

use super::{audit, Tx};
use crate::error::AppError;
use crate::model::Role;

/// Deletes `user_id` (the caller) from the tenant of `tx` after checking `password`. Audited
/// `user.deleted` (written before the row goes; the audit row keeps the id).
pub async fn delete_own_account(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    password: &str,
) -> Result<(), AppError> {
    if password.is_empty() {
        return Err(AppError::invalid(
            "password",
            "Enter your password to delete your account.",
        ));
    }
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT role, password_hash FROM users WHERE id = $1 FOR UPDATE")
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((role, hash)) = row else {
        return Err(AppError::Unauthorized);
    };
    // Checked again under the row lock: an ownership transfer may have made them the owner.
    if Role::parse(&role) == Some(Role::Owner) {
        return Err(AppError::forbidden(
            "The owner cannot delete their account. Transfer ownership to an admin first.",
        ));
    }
    if !super::accounts::try_verify_password(password.to_string(), Some(hash)).await? {
        return Err(AppError::invalid("password", "That password is not right."));
    }
    audit(
        tx,
        tenant_id,
        Some(user_id),
        "user.deleted",
        ("user", user_id),
        serde_json::json!({ "role": role }),
    )
    .await?;
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
