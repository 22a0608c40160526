//! Server-only database access. Row types here never leave the server.
//!
//! Every tenant request goes through [`tenant_tx`]; the few reads that must cross tenants
//! live in [`system`] and nowhere else.

pub mod account_deletion;
pub mod accounts;
pub mod ai;
pub mod ai_generations;
pub mod analytics;
pub mod api_keys;
pub mod argon;
pub mod assets;
pub mod audit_log;
pub mod backup;
pub mod billing;
pub mod billing_stripe;
pub mod branding;
pub mod builder;
pub mod categories;
pub mod commerce;
pub mod demo;
pub mod deployments;
pub mod domains;
pub mod duplicate;
pub mod forms;
pub mod global_blocks;
pub mod health;
pub mod idempotency;
pub mod invite;
pub mod invoices;
pub mod jobs;
pub mod limits;
pub mod mail;
pub mod notify;
pub mod order_admin;
pub mod org_deletion;
pub mod org_export;
pub mod organisation;
pub mod page_blocks;
pub mod page_order;
pub mod pages;
pub mod product_csv;
pub mod promotions;
pub mod publish;
pub mod rate_limits;
pub mod realtime;
pub mod role_check;
pub mod settings;
pub mod shop;
pub mod shop_payments;
pub mod site_backups;
pub mod staff;
pub mod storefront;
pub mod system;
pub mod team;
pub mod templates;
pub mod throttle;
pub mod user_tokens;
pub mod versions;
pub mod webhooks;
pub mod website_lifecycle;
pub mod websites;

use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::error::AppError;

pub type Tx = Transaction<'static, Postgres>;

/// Opens the transaction a tenant request runs in. `set_config(..., true)` scopes the tenant to
/// this transaction only, so a pooled connection never carries it into another request; the
/// RLS policies compare every row's `tenant_id` with it.
#[tracing::instrument(skip(pool))]
pub async fn tenant_tx(pool: &PgPool, tenant_id: Uuid) -> Result<Tx, AppError> {
    let mut tx = pool.begin().await?;
    enter_tenant(&mut tx, tenant_id).await?;
    Ok(tx)
}

/// A tenant transaction that can only read (`SET TRANSACTION READ ONLY`): staff viewing an
/// organisation through the operator console. A write in it fails with SQLSTATE 25006, which
/// `AppError` maps to Forbidden.
pub async fn tenant_tx_read_only(pool: &PgPool, tenant_id: Uuid) -> Result<Tx, AppError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION READ ONLY")
        .execute(&mut *tx)
        .await?;
    enter_tenant(&mut tx, tenant_id).await?;
    Ok(tx)
}

/// Scopes an already open transaction to `tenant_id` for the rest of its life, for paths that
/// learn the tenant inside the transaction (a Stripe event names a customer, not a tenant).
pub async fn enter_tenant(tx: &mut Tx, tenant_id: Uuid) -> Result<(), AppError> {
    sqlx::query("SELECT set_config('app.current_tenant_id', $1, true)")
        .bind(tenant_id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Appends to the tenant's audit log (schema reference §17) inside the caller's transaction.
pub async fn audit(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Option<Uuid>,
    action: &str,
    resource: (&str, Uuid),
    metadata: serde_json::Value,
) -> Result<(), AppError> {
    sqlx::query(
        // IP and user agent come from the request context, when the caller set it
        // (`audit_log::RequestMeta::apply`); unset settings read as NULL.
        r#"INSERT INTO audit_logs (tenant_id, performed_by, action, resource_type, resource_id, metadata, ip_address, user_agent)
           VALUES ($1, $2, $3, $4, $5, $6,
                   NULLIF(current_setting('app.request_ip', true), '')::inet,
                   NULLIF(current_setting('app.request_ua', true), ''))"#,
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(action)
    .bind(resource.0)
    .bind(resource.1)
    .bind(metadata)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
