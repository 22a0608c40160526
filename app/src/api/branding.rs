//! Website branding (colours, typography, logo, spacing, radius).

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::Branding;

/// Saves the website's branding and returns what was stored. The builder canvas shows changes
/// before this answers; visitors see them after the next publish.
#[server(endpoint = "websites/branding", input = WireJson, output = WireJson)]
pub async fn update_branding(website_id: Uuid, branding: Branding) -> Result<Branding, AppError> {
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(
        Role::can_change_branding,
        "Viewers cannot change branding. Ask an owner or admin for editor access.",
    )
    .await?;
    let saved = crate::db::branding::update(
        &mut tx,
        member.tenant_id,
        member.user_id,
        website_id,
        &branding,
    )
    .await?;
    crate::db::assets::sync_usage(&mut tx, member.tenant_id, website_id).await?;
    tx.commit().await?;
    Ok(saved)
}
