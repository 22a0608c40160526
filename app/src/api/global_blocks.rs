//! Global blocks (issue 20 §2) and pasting a copied block (issue 20 §3). Every member may list
//! global blocks and their uses; changing them, placing them and pasting write content and
//! need `Role::can_edit_content` (viewers are read-only, schema reference §5).

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::Role;
use crate::model::{
    BlockPlaced, BlockProps, GlobalBlock, GlobalBlockCreated, GlobalBlockSaved, GlobalBlockUses,
};

#[cfg(feature = "ssr")]
use super::ops::CANNOT_EDIT;

/// Saves a block of a page as a new named global block; the block becomes its first use.
#[server(endpoint = "global-blocks/create", input = WireJson, output = WireJson)]
pub async fn create_global_block(
    page_id: Uuid,
    component_id: Uuid,
    name: String,
    base_revision: i64,
) -> Result<GlobalBlockCreated, AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let name = crate::model::parse_global_block_name(&name)?;
    let (global, revision) = crate::db::global_blocks::create_from_block(
        &mut tx,
        m.tenant_id,
        m.user_id,
        m.role,
        page_id,
        component_id,
        &name,
        base_revision,
    )
    .await?;
    tx.commit().await?;
    Ok(GlobalBlockCreated { global, revision })
}

/// The tenant's global blocks, for the add-block menu.
#[server(endpoint = "global-blocks/list", input = WireJson, output = WireJson)]
pub async fn list_global_blocks() -> Result<Vec<GlobalBlock>, AppError> {
    let (_m, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let list = crate::db::global_blocks::list(&mut tx).await?;
    tx.commit().await?;
    Ok(list)
}

/// Where a global block is used (the confirmation before an edit names these pages).
#[server(endpoint = "global-blocks/uses", input = WireJson, output = WireJson)]
pub async fn list_global_block_uses(global_block_id: Uuid) -> Result<GlobalBlockUses, AppError> {
    let (_m, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let uses = crate::db::global_blocks::uses(&mut tx, global_block_id).await?;
    tx.commit().await?;
    Ok(uses)
}

/// Places a use of a global block on a page after `after` (or first); `id` is the new block's.
#[server(endpoint = "global-blocks/insert", input = WireJson, output = WireJson)]
pub async fn insert_global_block(
    page_id: Uuid,
    global_block_id: Uuid,
    id: Uuid,
    after: Option<Uuid>,
    base_revision: i64,
) -> Result<BlockPlaced, AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let placed = crate::db::global_blocks::insert_use(
        &mut tx,
        m.tenant_id,
        m.user_id,
        page_id,
        global_block_id,
        id,
        after,
        base_revision,
    )
    .await?;
    tx.commit().await?;
    Ok(placed)
}

/// Edits a global block and with it every use, if the global block is still at
/// `base_revision` (else 409 with the current revision).
#[server(endpoint = "global-blocks/update", input = WireJson, output = WireJson)]
pub async fn update_global_block(
    global_block_id: Uuid,
    block: BlockProps,
    base_revision: i64,
) -> Result<GlobalBlockSaved, AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let saved = crate::db::global_blocks::update(
        &mut tx,
        m.tenant_id,
        m.user_id,
        m.role,
        global_block_id,
        &block,
        base_revision,
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Turns a use of a global block into a plain copy.
#[server(endpoint = "global-blocks/detach", input = WireJson, output = WireJson)]
pub async fn detach_global_block(
    page_id: Uuid,
    component_id: Uuid,
    base_revision: i64,
) -> Result<crate::model::SaveAck, AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let revision = crate::db::global_blocks::detach(
        &mut tx,
        m.tenant_id,
        m.user_id,
        m.role,
        page_id,
        component_id,
        base_revision,
    )
    .await?;
    tx.commit().await?;
    Ok(crate::model::SaveAck { revision })
}

/// Deletes a global block that no page uses (409 naming the uses otherwise).
#[server(endpoint = "global-blocks/delete", input = WireJson, output = WireJson)]
pub async fn delete_global_block(global_block_id: Uuid) -> Result<(), AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    crate::db::global_blocks::delete(&mut tx, m.tenant_id, m.user_id, global_block_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Pastes a copied block (the clipboard text, `model::clipboard_payload`) on a page after
/// `after`: the envelope, the account and the block are checked again as for any new block
/// (kind, props, unsafe URLs, the plan's custom HTML), so a forged payload is refused (400)
/// and nothing is saved.
#[server(endpoint = "builder/paste", input = WireJson, output = WireJson)]
pub async fn paste_block(
    page_id: Uuid,
    payload: String,
    id: Uuid,
    after: Option<Uuid>,
    base_revision: i64,
) -> Result<BlockPlaced, AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    crate::db::global_blocks::require_page(&mut tx, page_id).await?;
    let block = crate::model::parse_clipboard(&payload, m.tenant_id)?;
    let new = crate::model::NewBlock {
        id,
        block,
        is_visible: true,
        is_locked: false,
    };
    let moved =
        super::ops::insert_component(&mut tx, &(&m).into(), page_id, &new, after, base_revision)
            .await?;
    tx.commit().await?;
    Ok(BlockPlaced {
        revision: moved.revision,
        component: crate::model::ComponentDto {
            id,
            block: new.block,
            order_key: moved.order_key,
            is_visible: true,
            is_locked: false,
            global_block_id: None,
        },
    })
}
