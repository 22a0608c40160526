//! The media library (issue 17): list, rename and tag, delete. Uploads and file downloads are
//! plain HTTP routes of the server (`server::assets`), because they stream bytes.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::{AssetDeleted, AssetInfo, AssetLibrary, AssetQuery};

#[cfg(feature = "ssr")]
const CANNOT_MANAGE: &str =
    "Viewers can browse the media library but not change it. Ask an owner or admin for editor access.";

/// The library as `query` filters and sorts it, with the quota meter. Every member may browse.
#[server(endpoint = "assets/list", input = WireJson, output = WireJson)]
pub async fn list_assets(query: AssetQuery) -> Result<AssetLibrary, AppError> {
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(|_: Role| true, "").await?;
    let library = super::ops::list_assets(&mut tx, &(&member).into(), &query).await?;
    tx.commit().await?;
    Ok(library)
}

/// Renames (`display_name`; empty goes back to the file name) and replaces the tags.
#[server(endpoint = "assets/update", input = WireJson, output = WireJson)]
pub async fn update_asset(
    asset_id: Uuid,
    display_name: String,
    tags: Vec<String>,
) -> Result<AssetInfo, AppError> {
    use crate::model::{Role, ASSET_NAME_MAX};
    let name = display_name.trim();
    if name.chars().count() > ASSET_NAME_MAX || name.chars().any(|c| c.is_control()) {
        return Err(AppError::invalid(
            "display_name",
            format!("A name has at most {ASSET_NAME_MAX} characters and no control characters."),
        ));
    }
    let tags = crate::model::parse_tags(&tags)?;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_assets, CANNOT_MANAGE).await?;
    let info =
        crate::db::assets::update_meta(&mut tx, member.tenant_id, asset_id, name, &tags).await?;
    crate::db::audit(
        &mut tx,
        member.tenant_id,
        Some(member.user_id),
        "asset.updated",
        ("asset", asset_id),
        serde_json::json!({ "display_name": name, "tags": tags }),
    )
    .await?;
    tx.commit().await?;
    Ok(info)
}

/// Deletes an asset. When pages use it, nothing is deleted unless `force`: the answer names
/// the pages so the app can ask first. Published deployments keep showing it either way (their
/// files stay while a deployment names them).
#[server(endpoint = "assets/delete", input = WireJson, output = WireJson)]
pub async fn delete_asset(asset_id: Uuid, force: bool) -> Result<AssetDeleted, AppError> {
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_assets, CANNOT_MANAGE).await?;
    // Locks the row (and proves it exists) before looking at where it is used.
    let exists: Option<Uuid> = crate::db::assets::lock(&mut tx, asset_id).await?;
    if exists.is_none() {
        return Err(AppError::NotFound("Asset".into()));
    }
    if !force {
        let pages = crate::db::assets::used_on_pages(&mut tx, member.tenant_id, asset_id).await?;
        if !pages.is_empty() {
            return Ok(AssetDeleted::InUse { pages });
        }
    }
    let removed = crate::db::assets::delete(&mut tx, asset_id)
        .await?
        .ok_or_else(|| AppError::NotFound("Asset".into()))?;
    if !removed.published {
        crate::db::assets::enqueue_purge(&mut tx, member.tenant_id, asset_id, &removed).await?;
    }
    crate::db::audit(
        &mut tx,
        member.tenant_id,
        Some(member.user_id),
        "asset.deleted",
        ("asset", asset_id),
        serde_json::json!({ "format": removed.format, "published": removed.published }),
    )
    .await?;
    tx.commit().await?;
    Ok(AssetDeleted::Deleted)
}
