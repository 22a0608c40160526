//! A website's deployments: the list the builder shows, rollback to an earlier one, and the
//! snapshot a member previews. Reads and writes go through the tenant transaction, so RLS
//! hides other tenants' deployments (they look like missing ones).

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use super::{audit, Tx};
use crate::error::AppError;
use crate::model::{DeploymentSummary, RolledBack};

#[derive(FromRow)]
struct SummaryRow {
    id: Uuid,
    deployed_at: DateTime<Utc>,
    deployed_by: Option<String>,
    notes: Option<String>,
    pages: i64,
    is_live: bool,
}

/// The website's deployments, newest first. `NotFound` for a website the tenant does not have.
pub async fn list(tx: &mut Tx, website_id: Uuid) -> Result<Vec<DeploymentSummary>, AppError> {
    list_page(tx, website_id, None, i64::MAX).await
}

/// One keyset page of [`list`] (the REST API): at most `limit` deployments, newest first,
/// after the one with `after` = (its `deployed_at`, its id).
pub async fn list_page(
    tx: &mut Tx,
    website_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<DeploymentSummary>, AppError> {
    super::websites::require(tx, website_id).await?;
    let rows = sqlx::query_as::<_, SummaryRow>(
        r#"SELECT d.id, d.deployed_at, COALESCE(NULLIF(btrim(u.full_name), ''), u.email) AS deployed_by,
                  d.notes, COALESCE(jsonb_array_length(d.snapshot_json -> 'pages'), 0)::bigint AS pages,
                  d.is_live
           FROM deployments d
           LEFT JOIN users u ON u.tenant_id = d.tenant_id AND u.id = d.deployed_by
           WHERE d.website_id = $1
             AND ($2::timestamptz IS NULL OR d.deployed_at < $2 OR (d.deployed_at = $2 AND d.id > $3))
           ORDER BY d.deployed_at DESC, d.id
           LIMIT $4"#,
    )
    .bind(website_id)
    .bind(after.map(|a| a.0))
    .bind(after.map(|a| a.1))
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DeploymentSummary {
            id: r.id,
            deployed_at: r.deployed_at,
            deployed_by: r.deployed_by,
            notes: r.notes,
            pages: r.pages,
            is_live: r.is_live,
        })
        .collect())
}

/// Makes `deployment_id` the live deployment of `website_id` again (seed: "Rollback — set an
/// older deployment's is_live = true"). The snapshot is not copied: visitors are served the
/// very bytes that were live before.
#[tracing::instrument(skip(tx))]
pub async fn rollback(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    website_id: Uuid,
    deployment_id: Uuid,
) -> Result<RolledBack, AppError> {
    // The same lock publish takes, so a rollback and a publish of one site never interleave.
    let site: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT status, subdomain FROM websites WHERE id = $1 FOR UPDATE")
            .bind(website_id)
            .fetch_optional(&mut **tx)
            .await?;
    let subdomain = match site {
        None => return Err(AppError::NotFound("Website".into())),
        Some((status, _)) if status == "suspended" => {
            return Err(AppError::forbidden(
                "This website is suspended; its live version cannot be changed.",
            ))
        }
        Some((status, _)) if status == "archived" => {
            return Err(AppError::forbidden(
                "Restore this website before rolling it back.",
            ))
        }
        Some((_, subdomain)) => subdomain,
    };
    let target: Option<bool> =
        sqlx::query_scalar("SELECT is_live FROM deployments WHERE id = $1 AND website_id = $2")
            .bind(deployment_id)
            .bind(website_id)
            .fetch_optional(&mut **tx)
            .await?;
    match target {
        None => return Err(AppError::NotFound("Deployment".into())),
        Some(true) => {
            return Err(AppError::invalid(
                "deployment_id",
                "This deployment is already live.",
            ))
        }
        Some(false) => {}
    }
    let previous: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM deployments WHERE website_id = $1 AND is_live")
            .bind(website_id)
            .fetch_optional(&mut **tx)
            .await?;
    // Two statements, one live row each: the partial unique index idx_deployments_live is
    // checked row by row, so clearing and setting in one UPDATE could trip it.
    sqlx::query("UPDATE deployments SET is_live = false WHERE website_id = $1 AND is_live")
        .bind(website_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE deployments SET is_live = true WHERE id = $1 AND website_id = $2")
        .bind(deployment_id)
        .bind(website_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE websites SET last_deployed_at = now() WHERE id = $1")
        .bind(website_id)
        .execute(&mut **tx)
        .await?;
    audit(
        tx,
        tenant_id,
        Some(user_id),
        "website.rolled_back",
        ("website", website_id),
        serde_json::json!({ "from_deployment_id": previous, "to_deployment_id": deployment_id }),
    )
    .await?;
    super::webhooks::emit(
        tx,
        website_id,
        "site.rolled_back",
        None,
        serde_json::json!({ "deployment_id": deployment_id, "previous_deployment_id": previous }),
    )
    .await?;
    Ok(RolledBack {
        deployment_id,
        previous_deployment_id: previous,
        site_path: format!("/sites/{}/", subdomain.unwrap_or_default()),
    })
}

/// A deployment's snapshot, for the members-only preview.
#[derive(FromRow)]
pub struct PreviewRow {
    pub snapshot_json: serde_json::Value,
    pub deployed_at: DateTime<Utc>,
    pub is_live: bool,
}

pub async fn for_preview(tx: &mut Tx, deployment_id: Uuid) -> Result<Option<PreviewRow>, AppError> {
    Ok(sqlx::query_as::<_, PreviewRow>(
        "SELECT snapshot_json, deployed_at, is_live FROM deployments WHERE id = $1",
    )
    .bind(deployment_id)
    .fetch_optional(&mut **tx)
    .await?)
}
