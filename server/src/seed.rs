//! Demo data for local runs: a tenant with a published site at `demo.{sites_domain}`.

use app::db::{self, accounts};
use app::error::AppError;
use sqlx::PgPool;
use uuid::Uuid;

pub const DEMO_EMAIL: &str = "demo@sitepilot.test";
pub const DEMO_PASSWORD: &str = "sitepilot-demo";
/// A teammate of the demo owner with the viewer role (read-only builder), same password.
pub const DEMO_VIEWER_EMAIL: &str = "viewer@sitepilot.test";

/// The Pro plan as the plan-seed migration creates it (20 collaborators).
const PRO_PLAN: Uuid = Uuid::from_u128(3);

/// Creates and publishes the demo site unless the demo account exists already.
pub async fn demo(pool: &PgPool) -> Result<(), AppError> {
    if db::system::login_lookup(pool, DEMO_EMAIL).await?.is_some() {
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
    .await?;
    let mut tx = db::tenant_tx(pool, account.tenant_id).await?;
    db::publish::publish(
        &mut tx,
        account.tenant_id,
        account.user_id,
        account.website_id,
    )
    .await?;
    let viewer_hash = accounts::hash_password(DEMO_PASSWORD.into()).await?;
    db::demo::add_user(
        &mut tx,
        account.tenant_id,
        DEMO_VIEWER_EMAIL,
        "Demo Viewer",
        &viewer_hash,
        "viewer",
    )
    .await?;
    tx.commit().await?;
    tracing::info!(subdomain = %account.subdomain, "demo site published");
    Ok(())
}

/// Owner of a second demo organisation on the Pro plan (20 collaborators), so the team
/// e2e spec can invite people; same password as the demo account.
pub const TEAM_DEMO_EMAIL: &str = "team@sitepilot.test";

/// Creates the team demo organisation unless it exists already.
pub async fn team_demo(pool: &PgPool) -> Result<(), AppError> {
    if db::system::login_lookup(pool, TEAM_DEMO_EMAIL)
        .await?
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
    .await?;
    let mut tx = db::tenant_tx(pool, account.tenant_id).await?;
    db::demo::set_plan(&mut tx, account.tenant_id, PRO_PLAN).await?;
    tx.commit().await?;
    Ok(())
}
