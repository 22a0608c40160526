//! Saving a website's `branding_config` (schema reference §18). Visitors see it after the next publish,
//! which copies it into the deployment snapshot.

use uuid::Uuid;

use super::{audit, Tx};
use crate::error::AppError;
use crate::model::Branding;

/// Validates and stores `branding` for `website_id`, returning what was saved. RLS hides other
/// tenants' websites, so theirs are `NotFound` like a missing one.
#[tracing::instrument(skip(tx, branding))]
pub async fn update(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    website_id: Uuid,
    branding: &Branding,
) -> Result<Branding, AppError> {
    branding.validate()?;
    // Lock the row so the audit's "before" is the value this update replaces.
    let before: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT branding_config FROM websites WHERE id = $1 FOR UPDATE")
            .bind(website_id)
            .fetch_optional(&mut **tx)
            .await?;
    let before = before.ok_or_else(|| AppError::NotFound("Website".into()))?;
    let before: Branding = serde_json::from_value(before).unwrap_or_default();
    let json = serde_json::to_value(branding).map_err(|_| AppError::Internal)?;
    sqlx::query("UPDATE websites SET branding_config = $2, updated_at = now() WHERE id = $1")
        .bind(website_id)
        .bind(&json)
        .execute(&mut **tx)
        .await?;
    audit(
        tx,
        tenant_id,
        Some(user_id),
        "website.branding_updated",
        ("website", website_id),
        serde_json::json!({ "changed": changed_sections(&before, branding) }),
    )
    .await?;
    Ok(branding.clone())
}

/// The top-level sections (`colors`, `typography`, …) that differ, for the audit log.
fn changed_sections(before: &Branding, after: &Branding) -> Vec<&'static str> {
    let mut out = Vec::new();
    if before.colors != after.colors {
        out.push("colors");
    }
    if before.typography != after.typography {
        out.push("typography");
    }
    if before.logo != after.logo {
        out.push("logo");
    }
    if before.spacing != after.spacing {
        out.push("spacing");
    }
    if before.border_radius != after.border_radius {
        out.push("border_radius");
    }
    out
}

/// The website's name and branding, for the assistant's palette. `NotFound` for another
/// tenant's website, as RLS hides it.
pub async fn load(tx: &mut Tx, website_id: Uuid) -> Result<(String, Branding), AppError> {
    let row: Option<(String, serde_json::Value)> =
        sqlx::query_as("SELECT name, branding_config FROM websites WHERE id = $1")
            .bind(website_id)
            .fetch_optional(&mut **tx)
            .await?;
    let (name, branding) = row.ok_or_else(|| AppError::NotFound("Website".into()))?;
    Ok((name, serde_json::from_value(branding).unwrap_or_default()))
}
