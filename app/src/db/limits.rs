//! Plan limits (schema reference §3), one function per limit, so every feature enforces them the same way
//! and refuses with the same typed error: `AppError::LimitReached` naming the limit (the
//! `plans` column), the plan's maximum and the smallest plan that lifts it. Limits are read
//! from `plans` through `tenants.plan_id` inside the caller's transaction, so a plan change
//! applied by the Stripe webhook takes effect on the next request, without a restart.
//!
//! Callers that add something lock what they count (or run their count in the same
//! transaction as the insert), so two requests cannot both take the last free slot.

use sqlx::FromRow;
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;

#[derive(FromRow)]
struct Current {
    name: String,
    value: i32,
}

/// `column` of the tenant's plan, with the plan name. `column` is one of the constants below,
/// never user input.
async fn current(tx: &mut Tx, tenant: Uuid, column: &'static str) -> Result<Current, AppError> {
    let sql = format!("SELECT p.name, p.{column}::int AS value FROM tenants t JOIN plans p ON p.id = t.plan_id WHERE t.id = $1");
    let row = sqlx::query_as::<_, Current>(&sql)
        .bind(tenant)
        .fetch_optional(&mut **tx)
        .await?;
    row.ok_or_else(|| {
        tracing::error!(%tenant, "tenant has no plan row");
        AppError::Internal
    })
}

/// The first active plan (by display order) whose `column` is above `max`: its name and value.
async fn lifted_by(
    tx: &mut Tx,
    column: &'static str,
    max: i64,
) -> Result<Option<(String, i32)>, AppError> {
    let sql = format!(
        "SELECT name, {column}::int FROM plans WHERE is_active AND {column}::int > $1 ORDER BY display_order, {column} LIMIT 1"
    );
    Ok(sqlx::query_as(&sql)
        .bind(max as i32)
        .fetch_optional(&mut **tx)
        .await?)
}

/// Refuses when `used` already reaches the plan's `column`. `noun` is (singular, plural).
async fn numeric(
    tx: &mut Tx,
    tenant: Uuid,
    column: &'static str,
    used: i64,
    noun: (&str, &str),
) -> Result<(), AppError> {
    let plan = current(tx, tenant, column).await?;
    let max = i64::from(plan.value);
    if used < max {
        return Ok(());
    }
    let noun = if max == 1 { noun.0 } else { noun.1 };
    let next = lifted_by(tx, column, max).await?;
    let what = match &next {
        Some((name, n)) => format!(
            "{noun} on the {} plan; the {name} plan allows {n}",
            plan.name
        ),
        None => format!("{noun} on the {} plan", plan.name),
    };
    Err(AppError::LimitReached {
        what,
        max,
        limit: column.to_string(),
        upgrade_to: next.map(|(name, _)| name),
    })
}

/// Refuses a feature the plan's boolean `column` does not allow.
async fn flag(tx: &mut Tx, tenant: Uuid, column: &'static str, what: &str) -> Result<(), AppError> {
    if current(tx, tenant, column).await?.value != 0 {
        return Ok(());
    }
    let next = lifted_by(tx, column, 0).await?;
    Err(AppError::LimitReached {
        what: what.to_string(),
        max: 0,
        limit: column.to_string(),
        upgrade_to: next.map(|(name, _)| name),
    })
}

/// `max_websites`: counts the tenant's non-archived websites. Locks the tenant row first so
/// concurrent creates count one after the other.
pub async fn check_websites(tx: &mut Tx, tenant: Uuid) -> Result<(), AppError> {
    sqlx::query("SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE")
        .bind(tenant)
        .execute(&mut **tx)
        .await?;
    let used: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM websites WHERE status <> 'archived' AND deleted_at IS NULL",
    )
    .fetch_one(&mut **tx)
    .await?;
    numeric(tx, tenant, "max_websites", used, ("website", "websites")).await
}

/// `max_pages_per_site`: the caller has locked the website row and counted its pages.
pub async fn check_pages(tx: &mut Tx, tenant: Uuid, pages_on_site: i64) -> Result<(), AppError> {
    numeric(
        tx,
        tenant,
        "max_pages_per_site",
        pages_on_site,
        ("page per website", "pages per website"),
    )
    .await
}

/// `version_history_limit`: how many versions per page are kept (older ones are pruned).
pub async fn version_history_limit(tx: &mut Tx, tenant: Uuid) -> Result<i64, AppError> {
    Ok(i64::from(
        current(tx, tenant, "version_history_limit").await?.value,
    ))
}

/// Custom HTML blocks: Pro only. There is no `plans` column for it; the Pro plan is
/// the one that allows it.
pub async fn check_custom_html(tx: &mut Tx, tenant: Uuid) -> Result<(), AppError> {
    let plan: Option<(String,)> = sqlx::query_as(
        "SELECT p.slug FROM plans p JOIN tenants t ON t.plan_id = p.id WHERE t.id = $1",
    )
    .bind(tenant)
    .fetch_optional(&mut **tx)
    .await?;
    if plan.is_some_and(|(slug,)| slug == "pro") {
        return Ok(());
    }
    let pro: Option<(String,)> = sqlx::query_as("SELECT name FROM plans WHERE slug = 'pro'")
        .fetch_optional(&mut **tx)
        .await?;
    Err(AppError::LimitReached {
        what: "Custom HTML blocks".into(),
        max: 0,
        limit: "custom_html".into(),
        upgrade_to: pro.map(|(n,)| n),
    })
}

/// `custom_domain_allowed`.
pub async fn check_custom_domain(tx: &mut Tx, tenant: Uuid) -> Result<(), AppError> {
    flag(tx, tenant, "custom_domain_allowed", "Custom domains").await
}

/// `max_pages_per_site` of the tenant's plan (the AI site generator plans no more pages).
pub async fn max_pages_per_site(tx: &mut Tx, tenant: Uuid) -> Result<i64, AppError> {
    Ok(i64::from(
        current(tx, tenant, "max_pages_per_site").await?.value,
    ))
}

/// `analytics_enabled`.
pub async fn check_analytics(tx: &mut Tx, tenant: Uuid) -> Result<(), AppError> {
    flag(tx, tenant, "analytics_enabled", "Visitor analytics").await
}

/// `commerce_enabled`: selling on the site (Growth and Pro).
pub async fn check_commerce(tx: &mut Tx, tenant: Uuid) -> Result<(), AppError> {
    flag(tx, tenant, "commerce_enabled", "Online shops").await
}

/// `max_products`: the plan's maximum of products over all the tenant's websites.
pub async fn max_products(tx: &mut Tx, tenant: Uuid) -> Result<i64, AppError> {
    Ok(i64::from(current(tx, tenant, "max_products").await?.value))
}

/// `max_products`: call before adding a product. Locks the tenant row so two creates cannot
/// both take the last slot, then counts the tenant's products.
pub async fn check_products(tx: &mut Tx, tenant: Uuid) -> Result<(), AppError> {
    sqlx::query("SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE")
        .bind(tenant)
        .execute(&mut **tx)
        .await?;
    let used: i64 = sqlx::query_scalar("SELECT count(*) FROM website_products")
        .fetch_one(&mut **tx)
        .await?;
    numeric(tx, tenant, "max_products", used, ("product", "products")).await
}

/// `storage_limit_mb`: refuses an upload of `adding_bytes` that would go past the quota.
pub async fn check_storage(tx: &mut Tx, tenant: Uuid, adding_bytes: i64) -> Result<(), AppError> {
    let used: f64 = sqlx::query_scalar("SELECT get_tenant_storage_mb($1)::float8")
        .bind(tenant)
        .fetch_one(&mut **tx)
        .await?;
    let plan = current(tx, tenant, "storage_limit_mb").await?;
    if used + adding_bytes as f64 / 1_048_576.0 <= f64::from(plan.value) {
        return Ok(());
    }
    // Expressed as "used so far" against the maximum, like the other numeric limits.
    numeric(
        tx,
        tenant,
        "storage_limit_mb",
        i64::from(plan.value),
        ("MB of storage", "MB of storage"),
    )
    .await
}

/// `ai_credits_per_month`: successful AI calls this calendar month.
pub async fn check_ai_credits(tx: &mut Tx, tenant: Uuid) -> Result<(), AppError> {
    let used: i32 = sqlx::query_scalar("SELECT get_monthly_ai_credits($1)")
        .bind(tenant)
        .fetch_one(&mut **tx)
        .await?;
    numeric(
        tx,
        tenant,
        "ai_credits_per_month",
        i64::from(used),
        ("AI credit a month", "AI credits a month"),
    )
    .await
}

/// Active users plus pending, unexpired invitations: the seats in use.
pub async fn collaborators_used(tx: &mut Tx) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        r#"SELECT (SELECT count(*) FROM users WHERE is_active)
                + (SELECT count(*) FROM team_invitations WHERE status = 'pending' AND expires_at > now())"#,
    )
    .fetch_one(&mut **tx)
    .await?)
}

/// `max_collaborators`: call before creating an invitation (or activating a user). Locks the
/// tenant row so two invitations cannot both take the last seat.
pub async fn check_collaborators(tx: &mut Tx, tenant: Uuid) -> Result<(), AppError> {
    sqlx::query("SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE")
        .bind(tenant)
        .execute(&mut **tx)
        .await?;
    let used = collaborators_used(tx).await?;
    numeric(
        tx,
        tenant,
        "max_collaborators",
        used,
        ("team member", "team members"),
    )
    .await
}

/// `storage_limit_mb`: the typed refusal for an upload that does not fit the plan's storage
/// (the caller counted under the tenant row's lock, `db::assets::insert_within_quota`).
pub async fn storage_reached(tx: &mut Tx, tenant: Uuid) -> AppError {
    megabytes(tx, tenant, "storage_limit_mb", "MB of storage").await
}

/// `max_upload_mb`: the typed refusal for a file larger than the plan accepts.
pub async fn upload_too_large(tx: &mut Tx, tenant: Uuid) -> AppError {
    megabytes(tx, tenant, "max_upload_mb", "MB per file").await
}

async fn megabytes(tx: &mut Tx, tenant: Uuid, column: &'static str, unit: &str) -> AppError {
    let plan = match current(tx, tenant, column).await {
        Ok(p) => p,
        Err(e) => return e,
    };
    let max = i64::from(plan.value);
    let next = lifted_by(tx, column, max).await.ok().flatten();
    let what = match &next {
        Some((name, n)) => format!(
            "{unit} on the {} plan; the {name} plan allows {n}",
            plan.name
        ),
        None => format!("{unit} on the {} plan", plan.name),
    };
    AppError::LimitReached {
        what,
        max,
        limit: column.to_string(),
        upgrade_to: next.map(|(name, _)| name),
    }
}
