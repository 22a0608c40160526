//! Demo data for local runs: a tenant with a published site at `demo.{sites_domain}`.

use app::db::{self, accounts};
use sqlx::PgPool;

pub const DEMO_EMAIL: &str = "demo@sitepilot.test";
pub const DEMO_PASSWORD: &str = "sitepilot-demo";
/// A teammate of the demo owner with the viewer role (read-only builder), same password.
pub const DEMO_VIEWER_EMAIL: &str = "viewer@sitepilot.test";

/// Creates and publishes the demo site unless the demo account exists already.
pub async fn demo(pool: &PgPool) -> Result<(), String> {
    let err = |e: app::error::AppError| format!("demo seed failed: {e}");
    if db::system::login_lookup(pool, DEMO_EMAIL)
        .await
        .map_err(err)?
        .is_some()
    {
        return Ok(());
    }
    let account = accounts::signup(
        pool,
        accounts::SignupInput {
            full_name: "Demo Owner".into(),
            org_name: "Demo".into(),
            email: DEMO_EMAIL.into(),
            password: DEMO_PASSWORD.into(),
        },
    )
    .await
    .map_err(err)?;
    let mut tx = db::tenant_tx(pool, account.tenant_id).await.map_err(err)?;
    db::publish::publish(
        &mut tx,
        account.tenant_id,
        account.user_id,
        account.website_id,
    )
    .await
    .map_err(err)?;
    let viewer_hash = accounts::hash_password(DEMO_PASSWORD.into())
        .await
        .map_err(err)?;
    sqlx::query(
        "INSERT INTO users (tenant_id, email, full_name, password_hash, role) VALUES ($1, $2, 'Demo Viewer', $3, 'viewer')",
    )
    .bind(account.tenant_id)
    .bind(DEMO_VIEWER_EMAIL)
    .bind(viewer_hash)
    .execute(&mut *tx)
    .await
    .map_err(|e| format!("demo seed failed: {e}"))?;
    tx.commit()
        .await
        .map_err(|e| format!("demo seed failed: {e}"))?;
    tracing::info!(subdomain = %account.subdomain, "demo site published");
    Ok(())
}

/// Owner of a second demo organisation on the Pro plan (20 collaborators), so the team
/// e2e spec can invite people; same password as the demo account.
pub const TEAM_DEMO_EMAIL: &str = "team@sitepilot.test";

/// Creates the team demo organisation unless it exists already.
pub async fn team_demo(pool: &PgPool) -> Result<(), String> {
    let err = |e: app::error::AppError| format!("team demo seed failed: {e}");
    if db::system::login_lookup(pool, TEAM_DEMO_EMAIL)
        .await
        .map_err(err)?
        .is_some()
    {
        return Ok(());
    }
    let account = accounts::signup(
        pool,
        accounts::SignupInput {
            full_name: "Team Owner".into(),
            org_name: "Team Demo".into(),
            email: TEAM_DEMO_EMAIL.into(),
            password: DEMO_PASSWORD.into(),
        },
    )
    .await
    .map_err(err)?;
    let mut tx = db::tenant_tx(pool, account.tenant_id).await.map_err(err)?;
    sqlx::query(
        "UPDATE tenants SET plan_id = '00000000-0000-0000-0000-000000000003' WHERE id = $1",
    )
    .bind(account.tenant_id)
    .execute(&mut *tx)
    .await
    .map_err(|e| format!("team demo seed failed: {e}"))?;
    tx.commit()
        .await
        .map_err(|e| format!("team demo seed failed: {e}"))?;
    Ok(())
}
