//! The writes the demo seed needs beyond sign-up and publish: a viewer teammate and a plan
//! change, each inside the demo tenant's transaction.

use uuid::Uuid;

use super::Tx;
use crate::error::AppError;

/// Adds a user with `role` and an already hashed password to the tenant.
pub async fn add_user(
    tx: &mut Tx,
    tenant: Uuid,
    email: &str,
    full_name: &str,
    password_hash: &str,
    role: &str,
) -> Result<(), AppError> {
    sqlx::query(
        // Demo teammates (dev only) have the seed's own addresses: verified.
        "INSERT INTO users (tenant_id, email, full_name, password_hash, role, email_verified_at) VALUES ($1, $2, $3, $4, $5, now())",
    )
    .bind(tenant)
    .bind(email)
    .bind(full_name)
    .bind(password_hash)
    .bind(role)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Puts the tenant on `plan` directly (the demo has no subscription events).
pub async fn set_plan(tx: &mut Tx, tenant: Uuid, plan: Uuid) -> Result<(), AppError> {
    sqlx::query("UPDATE tenants SET plan_id = $2 WHERE id = $1")
        .bind(tenant)
        .bind(plan)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
