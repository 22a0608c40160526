//! Builder server functions: open a page, add, edit, move and delete blocks, autosave versions.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::Role;
use crate::model::{BlockProps, BuilderData, ComponentMoved, NewBlock, SaveAck, VersionRecorded};

#[cfg(feature = "ssr")]
const CANNOT_EDIT: &str = "Viewers cannot change pages. Ask an owner or admin for editor access.";

#[server(endpoint = "builder/load", output = WireJson)]
pub async fn load_builder(page_id: Uuid) -> Result<BuilderData, AppError> {
    let (member, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let data = crate::db::builder::load(&mut tx, page_id, member.role).await?;
    tx.commit().await?;
    Ok(data)
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
    let (revision, key) = crate::db::builder::insert(
        &mut tx,
        member.tenant_id,
        page_id,
        &block,
        after,
        base_revision,
        member.role,
    )
    .await?;
    crate::db::assets::sync_usage_for_page(&mut tx, member.tenant_id, page_id).await?;
    crate::db::realtime::page_changed(
        &mut tx,
        member.tenant_id,
        page_id,
        revision,
        member.user_id,
        Some(block.id),
    )
    .await?;
    tx.commit().await?;
    Ok(ComponentMoved {
        revision,
        order_key: hex::encode(key.as_bytes()),
    })
}

#[server(endpoint = "builder/update", input = WireJson, output = WireJson)]
pub async fn update_component(
    page_id: Uuid,
    component_id: Uuid,
    block: BlockProps,
    base_revision: i64,
) -> Result<SaveAck, AppError> {
    let (member, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let revision = crate::db::builder::update_props(
        &mut tx,
        page_id,
        component_id,
        &block,
        base_revision,
        member.role,
    )
    .await?;
    crate::db::assets::sync_usage_for_page(&mut tx, member.tenant_id, page_id).await?;
    crate::db::realtime::page_changed(
        &mut tx,
        member.tenant_id,
        page_id,
        revision,
        member.user_id,
        Some(component_id),
    )
    .await?;
    tx.commit().await?;
    Ok(SaveAck { revision })
}

#[server(endpoint = "builder/move", input = WireJson, output = WireJson)]
pub async fn move_component(
    page_id: Uuid,
    component_id: Uuid,
    after: Option<Uuid>,
    base_revision: i64,
) -> Result<ComponentMoved, AppError> {
    let (member, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let (revision, key) = crate::db::builder::move_block(
        &mut tx,
        page_id,
        component_id,
        after,
        base_revision,
        member.role,
    )
    .await?;
    crate::db::realtime::page_changed(
        &mut tx,
        member.tenant_id,
        page_id,
        revision,
        member.user_id,
        Some(component_id),
    )
    .await?;
    tx.commit().await?;
    Ok(ComponentMoved {
        revision,
        order_key: hex::encode(key),
    })
}

#[server(endpoint = "builder/delete", input = WireJson, output = WireJson)]
pub async fn delete_component(
    page_id: Uuid,
    component_id: Uuid,
    base_revision: i64,
) -> Result<SaveAck, AppError> {
    let (member, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let revision =
        crate::db::builder::delete(&mut tx, page_id, component_id, base_revision, member.role)
            .await?;
    crate::db::assets::sync_usage_for_page(&mut tx, member.tenant_id, page_id).await?;
    crate::db::realtime::page_changed(
        &mut tx,
        member.tenant_id,
        page_id,
        revision,
        member.user_id,
        Some(component_id),
    )
    .await?;
    tx.commit().await?;
    Ok(SaveAck { revision })
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
    let revision = crate::db::builder::set_flags(
        &mut tx,
        page_id,
        component_id,
        is_visible,
        is_locked,
        base_revision,
        member.role,
    )
    .await?;
    crate::db::realtime::page_changed(
        &mut tx,
        member.tenant_id,
        page_id,
        revision,
        member.user_id,
        Some(component_id),
    )
    .await?;
    tx.commit().await?;
    Ok(SaveAck { revision })
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
