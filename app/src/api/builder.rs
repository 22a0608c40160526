//! Builder server functions: open a page, add, edit, move and delete blocks, autosave versions.

use super::wire::{Raw, WireJson};
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::Role;
use crate::model::{BlockProps, BuilderData, ComponentMoved, NewBlock, SaveAck, VersionRecorded};

#[cfg(feature = "ssr")]
use super::ops::CANNOT_EDIT;

/// The page as the builder opens it. The reply is `BuilderData`'s JSON; the browser reads it
/// into `BuilderData` in the editor's chunk (`Raw`), not in the opening download.
#[server(endpoint = "builder/load", output = WireJson)]
pub async fn load_builder(page_id: Uuid) -> Result<Raw<BuilderData>, AppError> {
    let (member, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let data = crate::db::builder::load(&mut tx, page_id, member.role).await?;
    tx.commit().await?;
    Raw::new(&data).map_err(|_| AppError::Internal)
}

/// Inserts a block made in the browser (new from the palette, a duplicate, or a deleted block
/// brought back by undo) after `after`; the reply carries its order key.
#[server(endpoint = "builder/insert", input = WireJson, output = WireJson)]
pub async fn insert_component(
    page_id: Uuid,
    block: NewBlock,
    after: Option<Uuid>,
    base_revision: i64,
) -> Result<ComponentMoved, AppError> {
    let (member, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let moved = super::ops::insert_component(
        &mut tx,
        &(&member).into(),
        page_id,
        &block,
        after,
        base_revision,
    )
    .await?;
    tx.commit().await?;
    Ok(moved)
}

#[server(endpoint = "builder/update", input = WireJson, output = WireJson)]
pub async fn update_component(
    page_id: Uuid,
    component_id: Uuid,
    block: BlockProps,
    base_revision: i64,
) -> Result<SaveAck, AppError> {
    let (member, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let ack = super::ops::update_component(
        &mut tx,
        &(&member).into(),
        page_id,
        component_id,
        &block,
        base_revision,
    )
    .await?;
    tx.commit().await?;
    Ok(ack)
}

#[server(endpoint = "builder/move", input = WireJson, output = WireJson)]
pub async fn move_component(
    page_id: Uuid,
    component_id: Uuid,
    after: Option<Uuid>,
    base_revision: i64,
) -> Result<ComponentMoved, AppError> {
    let (member, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let moved = super::ops::move_component(
        &mut tx,
        &(&member).into(),
        page_id,
        component_id,
        after,
        base_revision,
    )
    .await?;
    tx.commit().await?;
    Ok(moved)
}

#[server(endpoint = "builder/delete", input = WireJson, output = WireJson)]
pub async fn delete_component(
    page_id: Uuid,
    component_id: Uuid,
    base_revision: i64,
) -> Result<SaveAck, AppError> {
    let (member, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let ack = super::ops::delete_component(
        &mut tx,
        &(&member).into(),
        page_id,
        component_id,
        base_revision,
    )
    .await?;
    tx.commit().await?;
    Ok(ack)
}

/// Hide/show (`is_visible`) and lock/unlock (`is_locked`); `None` leaves a flag as it is.
#[server(endpoint = "builder/flags", input = WireJson, output = WireJson)]
pub async fn set_component_flags(
    page_id: Uuid,
    component_id: Uuid,
    is_visible: Option<bool>,
    is_locked: Option<bool>,
    base_revision: i64,
) -> Result<SaveAck, AppError> {
    let (member, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let ack = super::ops::set_component_flags(
        &mut tx,
        &(&member).into(),
        page_id,
        component_id,
        is_visible,
        is_locked,
        base_revision,
    )
    .await?;
    tx.commit().await?;
    Ok(ack)
}

/// The 30-second autosave tick: records an `auto` version if the page changed since the last one.
#[server(endpoint = "builder/autosave", input = WireJson, output = WireJson)]
pub async fn autosave_version(page_id: Uuid) -> Result<VersionRecorded, AppError> {
    let (member, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let recorded = crate::db::builder::record_version(
        &mut tx,
        member.tenant_id,
        page_id,
        Some(member.user_id),
        "auto",
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(VersionRecorded { recorded })
}
