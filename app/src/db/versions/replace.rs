//! Replacing a page's blocks wholesale: used by restore, and reusable for "keep my copy" after
//! an edit conflict. Role checks for locked blocks are separate ([`check_locked_blocks_kept`]).

use fractional_index::FractionalIndex;
use uuid::Uuid;

use super::{ensure_page, rows, Row};
use crate::db::builder::check_plan_allows;
use crate::db::Tx;
use crate::error::AppError;
use crate::model::{BlockProps, ComponentDto, ComponentKind, Role};

/// More blocks than any page needs; stops one request from writing without bound.
pub const MAX_BLOCKS_PER_PAGE: usize = 500;
/// Same cap as the `components_order_key_check` constraint.
const MAX_KEY_BYTES: usize = 512;

fn locked_refusal(kind: &str) -> AppError {
    let name = ComponentKind::parse(kind)
        .map(ComponentKind::label)
        .unwrap_or("page");
    AppError::forbidden(format!(
        "This would change the locked {name} block. Only owners and admins can change locked blocks."
    ))
}

/// Refuses, for roles that cannot edit locked blocks, a new block list that would remove,
/// change, hide/show, lock or unlock a locked block. Moving other blocks around it is allowed.
pub async fn check_locked_blocks_kept(
    tx: &mut Tx,
    page_id: Uuid,
    components: &[ComponentDto],
    role: Role,
) -> Result<(), AppError> {
    if role.can_edit_locked() {
        return Ok(());
    }
    let current = rows(tx, page_id).await?;
    let same = |r: &Row, c: &ComponentDto| {
        r.id == c.id
            && r.is_visible == c.is_visible
            && r.is_locked == c.is_locked
            && r.block().as_ref() == Some(&c.block)
    };
    for r in current.iter().filter(|r| r.is_locked) {
        if !components.iter().any(|c| same(r, c)) {
            return Err(locked_refusal(&r.kind));
        }
    }
    for c in components.iter().filter(|c| c.is_locked) {
        if !current.iter().any(|r| same(r, c)) {
            return Err(locked_refusal(c.block.kind().as_str()));
        }
    }
    Ok(())
}

/// The given order keys when they are valid and strictly increasing; otherwise fresh keys in
/// list order (a client may send blocks it created, with no or placeholder keys).
fn order_keys(components: &[ComponentDto]) -> Vec<FractionalIndex> {
    let given: Option<Vec<FractionalIndex>> = components
        .iter()
        .map(|c| {
            FractionalIndex::from_string(&c.order_key)
                .ok()
                .filter(|k| k.as_bytes().len() <= MAX_KEY_BYTES)
        })
        .collect();
    if let Some(keys) = given {
        if keys.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()) {
            return keys;
        }
    }
    let mut keys: Vec<FractionalIndex> = Vec::with_capacity(components.len());
    for _ in components {
        let next = keys
            .last()
            .map(FractionalIndex::new_after)
            .unwrap_or_default();
        keys.push(next);
    }
    keys
}

/// Replaces all of a page's blocks with `components`, in list order, keeping their ids, props,
/// visibility and lock flags. Each block is validated again; custom HTML that is new or changed
/// needs the Pro plan, as when adding one. Ids already used elsewhere are replaced by fresh
/// ones. The caller bumps the revision and checks the role (see [`check_locked_blocks_kept`]).
/// Returns the blocks as stored.
pub async fn replace_components(
    tx: &mut Tx,
    tenant_id: Uuid,
    page_id: Uuid,
    components: &[ComponentDto],
) -> Result<Vec<ComponentDto>, AppError> {
    if components.len() > MAX_BLOCKS_PER_PAGE {
        return Err(AppError::invalid(
            "components",
            format!("A page holds at most {MAX_BLOCKS_PER_PAGE} blocks."),
        ));
    }
    let mut ids = std::collections::HashSet::new();
    if !components.iter().all(|c| ids.insert(c.id)) {
        return Err(AppError::invalid(
            "components",
            "The same block appears twice in the list.",
        ));
    }
    for c in components {
        BlockProps::from_parts(c.block.kind().as_str(), c.block.props_json())?;
    }
    ensure_page(tx, page_id).await?;
    let current = rows(tx, page_id).await?;
    let new_custom_html = components.iter().any(|c| {
        c.block.kind() == ComponentKind::CustomHtml
            && !current
                .iter()
                .any(|r| r.id == c.id && r.block().as_ref() == Some(&c.block))
    });
    if new_custom_html {
        check_plan_allows(tx, tenant_id, ComponentKind::CustomHtml).await?;
    }
    sqlx::query("DELETE FROM components WHERE page_id = $1")
        .bind(page_id)
        .execute(&mut **tx)
        .await?;
    let mut stored = Vec::with_capacity(components.len());
    for (c, key) in components.iter().zip(order_keys(components)) {
        let inserted = match insert_row(tx, tenant_id, page_id, Some(c.id), c, &key).await? {
            Some(r) => r,
            // The id is taken by a block on another page (RLS hides it from us): use a new one.
            None => insert_row(tx, tenant_id, page_id, None, c, &key)
                .await?
                .ok_or(AppError::Internal)?,
        };
        stored.push(ComponentDto {
            id: inserted.id,
            block: c.block.clone(),
            order_key: hex::encode(&inserted.order_key),
            is_visible: inserted.is_visible,
            is_locked: inserted.is_locked,
            global_block_id: None,
        });
    }
    Ok(stored)
}

/// Inserts one block; `None` when `id` is already taken. A `None` id gets a fresh one.
async fn insert_row(
    tx: &mut Tx,
    tenant_id: Uuid,
    page_id: Uuid,
    id: Option<Uuid>,
    c: &ComponentDto,
    key: &FractionalIndex,
) -> Result<Option<Row>, AppError> {
    Ok(sqlx::query_as::<_, Row>(
        r#"INSERT INTO components (id, tenant_id, page_id, type, order_key, props, is_visible, is_locked)
           VALUES (COALESCE($1, gen_random_uuid()), $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (id) DO NOTHING
           RETURNING id, type, order_key, props, is_visible, is_locked, global_block_id"#,
    )
    .bind(id)
    .bind(tenant_id)
    .bind(page_id)
    .bind(c.block.kind().as_str())
    .bind(key.as_bytes())
    .bind(c.block.props_json())
    .bind(c.is_visible)
    .bind(c.is_locked)
    .fetch_optional(&mut **tx)
    .await?)
}
