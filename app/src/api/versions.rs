//! Version history server functions: save a named version, list, preview and restore.
//! Every member may list and preview; saving and restoring need `Role::can_edit_content`.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::{parse_version_label, Role, VersionTrigger};
use crate::model::{SaveAck, VersionPreview, VersionSummary};

#[cfg(feature = "ssr")]
const CANNOT_EDIT: &str =
    "Viewers cannot save or restore versions. Ask an owner or admin for editor access.";

/// Records a `manual` version of the page as it is now, even if nothing changed since the last one.
#[server(endpoint = "versions/save", input = WireJson, output = WireJson)]
pub async fn save_version(
    page_id: Uuid,
    label: Option<String>,
) -> Result<VersionSummary, AppError> {
    let (member, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let label = parse_version_label(label)?;
    let id = crate::db::versions::insert_version(
        &mut tx,
        member.tenant_id,
        page_id,
        Some(member.user_id),
        VersionTrigger::Manual,
        label,
    )
    .await?
    .ok_or(AppError::Internal)?;
    let summary = crate::db::versions::summary(&mut tx, id).await?;
    tx.commit().await?;
    Ok(summary)
}

/// The page's versions, newest first.
#[server(endpoint = "versions/list", input = WireJson, output = WireJson)]
pub async fn list_versions(page_id: Uuid) -> Result<Vec<VersionSummary>, AppError> {
    let (_, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let versions = crate::db::versions::list(&mut tx, page_id).await?;
    tx.commit().await?;
    Ok(versions)
}

/// A version's blocks for a read-only preview.
#[server(endpoint = "versions/preview", input = WireJson, output = WireJson)]
pub async fn preview_version(version_id: Uuid) -> Result<VersionPreview, AppError> {
    let (_, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let preview = crate::db::versions::preview(&mut tx, version_id).await?;
    tx.commit().await?;
    Ok(preview)
}

/// Puts a version's blocks back on the page, after saving the current content as a
/// "Before restore" version. `base_revision` is the revision the editor last saw.
#[server(endpoint = "versions/restore", input = WireJson, output = WireJson)]
pub async fn restore_version(
    page_id: Uuid,
    version_id: Uuid,
    base_revision: i64,
) -> Result<SaveAck, AppError> {
    let (member, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let revision = crate::db::versions::restore(
        &mut tx,
        member.tenant_id,
        member.user_id,
        member.role,
        page_id,
        version_id,
        base_revision,
    )
    .await?;
    crate::db::realtime::page_changed(
        &mut tx,
        member.tenant_id,
        page_id,
        revision,
        member.user_id,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(SaveAck { revision })
}
