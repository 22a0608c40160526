//! Global blocks (issue 20 §2): named blocks of a tenant, used on any page of its websites.
//!
//! A use is a `components` row with `global_block_id` set and a copy of the global block's
//! props (migration 0040). Reading, validating, versioning, rendering and publishing a page
//! therefore need nothing new; an edit of the global block rewrites every use's props in one
//! transaction and advances each changed page's revision. All of it runs in the caller's tenant
//! transaction, under RLS.

use sqlx::FromRow;
use uuid::Uuid;

use super::{audit, builder, Tx};
use crate::error::AppError;
use crate::model::{
    BlockPlaced, BlockProps, ComponentDto, GlobalBlock, GlobalBlockSaved, GlobalBlockUse,
    GlobalBlockUses, PageRevision, Role,
};

#[derive(FromRow)]
struct Row {
    id: Uuid,
    name: String,
    component_type: String,
    props: serde_json::Value,
    revision: i64,
    uses: i64,
}

impl Row {
    fn into_model(self) -> Result<GlobalBlock, AppError> {
        let block = BlockProps::from_parts(&self.component_type, self.props).map_err(|e| {
            tracing::error!(global_block = %self.id, error = %e, "stored global block does not parse");
            AppError::Internal
        })?;
        Ok(GlobalBlock {
            id: self.id,
            name: self.name,
            block,
            revision: self.revision,
            uses: self.uses,
        })
    }
}

fn not_found() -> AppError {
    AppError::NotFound("Global block".into())
}

const SELECT: &str = r#"SELECT g.id, g.name, g.component_type, g.props, g.revision,
           (SELECT count(*) FROM components c WHERE c.global_block_id = g.id) AS uses
      FROM global_blocks g"#;

/// The tenant's global blocks by name.
pub async fn list(tx: &mut Tx) -> Result<Vec<GlobalBlock>, AppError> {
    sqlx::query_as::<_, Row>(&format!("{SELECT} ORDER BY lower(g.name), g.id"))
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(Row::into_model)
        .collect()
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<GlobalBlock, AppError> {
    sqlx::query_as::<_, Row>(&format!("{SELECT} WHERE g.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(not_found)?
        .into_model()
}

/// Every page block that uses global block `id`, by website and page.
pub async fn uses(tx: &mut Tx, id: Uuid) -> Result<GlobalBlockUses, AppError> {
    let (name, revision): (String, i64) =
        sqlx::query_as("SELECT name, revision FROM global_blocks WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(not_found)?;
    let rows: Vec<(Uuid, Uuid, String, String, Uuid, String)> = sqlx::query_as(
        r#"SELECT c.id, p.id, p.title, p.slug, w.id, w.name
             FROM components c
             JOIN pages p ON p.id = c.page_id
             JOIN websites w ON w.id = p.website_id
            WHERE c.global_block_id = $1
            ORDER BY lower(w.name), w.id, p.is_home DESC, p.nav_order, p.title, c.order_key"#,
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let uses = rows
        .into_iter()
        .map(
            |(component_id, page_id, page_title, page_slug, website_id, website_name)| {
                GlobalBlockUse {
                    component_id,
                    page_id,
                    page_title,
                    page_slug,
                    website_id,
                    website_name,
                }
            },
        )
        .collect();
    Ok(GlobalBlockUses {
        id,
        name,
        revision,
        uses,
    })
}

/// `NotFound` unless the page is the tenant's (checked before reading what a caller pasted, so
/// another tenant's page is simply not there).
pub async fn require_page(tx: &mut Tx, page_id: Uuid) -> Result<(), AppError> {
    let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pages WHERE id = $1")
        .bind(page_id)
        .fetch_optional(&mut **tx)
        .await?;
    found
        .map(|_| ())
        .ok_or_else(|| AppError::NotFound("Page".into()))
}

/// Saves block `component_id` of `page_id` as a new global block `name`; the block becomes its
/// first use. Returns the global block and the page's new revision.
#[allow(clippy::too_many_arguments)]
pub async fn create_from_block(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    role: Role,
    page_id: Uuid,
    component_id: Uuid,
    name: &str,
    base: i64,
) -> Result<(GlobalBlock, i64), AppError> {
    builder::check_block(tx, page_id, component_id, role).await?;
    let (kind, props, linked): (String, serde_json::Value, Option<Uuid>) = sqlx::query_as(
        "SELECT type, props, global_block_id FROM components WHERE id = $1 AND page_id = $2",
    )
    .bind(component_id)
    .bind(page_id)
    .fetch_one(&mut **tx)
    .await?;
    if linked.is_some() {
        return Err(AppError::invalid(
            "component_id",
            "This block already uses a global block. Detach it first to save it under a new name.",
        ));
    }
    let block = BlockProps::from_parts(&kind, props)?;
    let revision = builder::bump_revision(tx, page_id, base).await?;
    let id: Option<Uuid> = sqlx::query_scalar(
        r#"INSERT INTO global_blocks (tenant_id, name, component_type, props, created_by)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (tenant_id, name) DO NOTHING RETURNING id"#,
    )
    .bind(tenant)
    .bind(name)
    .bind(block.kind().as_str())
    .bind(block.props_json())
    .bind(user)
    .fetch_optional(&mut **tx)
    .await?;
    let id = id.ok_or_else(|| {
        AppError::invalid(
            "name",
            format!("A global block named “{name}” already exists. Choose another name."),
        )
    })?;
    sqlx::query("UPDATE components SET global_block_id = $1 WHERE id = $2 AND page_id = $3")
        .bind(id)
        .bind(component_id)
        .bind(page_id)
        .execute(&mut **tx)
        .await?;
    audit(
        tx,
        tenant,
        Some(user),
        "global_block.created",
        ("global_block", id),
        serde_json::json!({ "name": name, "type": block.kind().as_str(), "page": page_id, "component": component_id }),
    )
    .await?;
    super::realtime::page_changed(tx, tenant, page_id, revision, user, Some(component_id)).await?;
    Ok((get(tx, id).await?, revision))
}

/// Places a use of global block `global_id` on `page_id` after `after` (or first), with the
/// client's id for the new row.
#[allow(clippy::too_many_arguments)]
pub async fn insert_use(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    page_id: Uuid,
    global_id: Uuid,
    new_id: Uuid,
    after: Option<Uuid>,
    base: i64,
) -> Result<BlockPlaced, AppError> {
    // Held until commit, so a concurrent delete waits and then sees this use.
    sqlx::query("SELECT 1 FROM global_blocks WHERE id = $1 FOR SHARE")
        .bind(global_id)
        .execute(&mut **tx)
        .await?;
    let global = get(tx, global_id).await?;
    builder::check_plan_allows(tx, tenant, global.block.kind()).await?;
    let revision = builder::bump_revision(tx, page_id, base).await?;
    let key = builder::key_after(tx, page_id, after, None).await?;
    let inserted = sqlx::query(
        r#"INSERT INTO components (id, tenant_id, page_id, type, order_key, props, global_block_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (id) DO NOTHING"#,
    )
    .bind(new_id)
    .bind(tenant)
    .bind(page_id)
    .bind(global.block.kind().as_str())
    .bind(key.as_bytes())
    .bind(global.block.props_json())
    .bind(global_id)
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::invalid(
            "id",
            "A block with this id already exists.",
        ));
    }
    super::assets::sync_usage_for_page(tx, tenant, page_id).await?;
    super::realtime::page_changed(tx, tenant, page_id, revision, user, Some(new_id)).await?;
    Ok(BlockPlaced {
        revision,
        component: ComponentDto {
            id: new_id,
            block: global.block,
            order_key: hex::encode(key.as_bytes()),
            is_visible: true,
            is_locked: false,
            global_block_id: Some(global_id),
        },
    })
}

/// Changes the global block's props (same kind, same validators as any block) if it is still
/// at revision `base`, and with them every use: each page with a use gets the new props and a
/// new revision, in this one transaction. A locked use stops editors as a locked block does.
pub async fn update(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    role: Role,
    id: Uuid,
    block: &BlockProps,
    base: i64,
) -> Result<GlobalBlockSaved, AppError> {
    block.validate()?;
    builder::check_plan_allows(tx, tenant, block.kind()).await?;
    let revision: Option<i64> = sqlx::query_scalar(
        r#"UPDATE global_blocks SET props = $2, revision = revision + 1
            WHERE id = $1 AND revision = $3 AND component_type = $4
        RETURNING revision"#,
    )
    .bind(id)
    .bind(block.props_json())
    .bind(base)
    .bind(block.kind().as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(revision) = revision else {
        let current: Option<(i64, String)> =
            sqlx::query_as("SELECT revision, component_type FROM global_blocks WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
        return Err(match current {
            None => not_found(),
            Some((_, kind)) if kind != block.kind().as_str() => {
                AppError::invalid("type", "A global block's type cannot be changed.")
            }
            Some((current_revision, _)) => AppError::Conflict { current_revision },
        });
    };
    if !role.can_edit_locked() {
        let locked: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM components WHERE global_block_id = $1 AND is_locked)",
        )
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
        if locked {
            return Err(AppError::forbidden(
                "A use of this global block is locked. Only owners and admins can change it.",
            ));
        }
    }
    // Pages in id order, so concurrent edits of two global blocks lock them in one order.
    let pages: Vec<(Uuid, i64)> = sqlx::query_as(
        r#"UPDATE pages SET revision = revision + 1
            WHERE id IN (SELECT page_id FROM components WHERE global_block_id = $1)
        RETURNING id, revision"#,
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    sqlx::query("UPDATE components SET props = $2 WHERE global_block_id = $1")
        .bind(id)
        .bind(block.props_json())
        .execute(&mut **tx)
        .await?;
    let mut websites: Vec<Uuid> =
        sqlx::query_scalar("SELECT DISTINCT website_id FROM pages WHERE id = ANY($1)")
            .bind(pages.iter().map(|p| p.0).collect::<Vec<_>>())
            .fetch_all(&mut **tx)
            .await?;
    websites.sort();
    for w in websites {
        super::assets::sync_usage(tx, tenant, w).await?;
    }
    for (page, rev) in &pages {
        super::webhooks::emit_page_updated(tx, *page).await?;
        super::realtime::page_changed(tx, tenant, *page, *rev, user, None).await?;
    }
    audit(
        tx,
        tenant,
        Some(user),
        "global_block.updated",
        ("global_block", id),
        serde_json::json!({ "revision": revision, "pages": pages.iter().map(|p| p.0).collect::<Vec<_>>() }),
    )
    .await?;
    let mut pages: Vec<PageRevision> = pages
        .into_iter()
        .map(|(page_id, revision)| PageRevision { page_id, revision })
        .collect();
    pages.sort_by_key(|p| p.page_id);
    Ok(GlobalBlockSaved { revision, pages })
}

/// Turns a use into a plain block (same props, no link). Returns the page's new revision.
pub async fn detach(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    role: Role,
    page_id: Uuid,
    component_id: Uuid,
    base: i64,
) -> Result<i64, AppError> {
    builder::check_block(tx, page_id, component_id, role).await?;
    let global: Option<Uuid> =
        sqlx::query_scalar("SELECT global_block_id FROM components WHERE id = $1 AND page_id = $2")
            .bind(component_id)
            .bind(page_id)
            .fetch_one(&mut **tx)
            .await?;
    let Some(global) = global else {
        return Err(AppError::invalid(
            "component_id",
            "This block does not use a global block.",
        ));
    };
    let revision = builder::bump_revision(tx, page_id, base).await?;
    sqlx::query("UPDATE components SET global_block_id = NULL WHERE id = $1 AND page_id = $2")
        .bind(component_id)
        .bind(page_id)
        .execute(&mut **tx)
        .await?;
    audit(
        tx,
        tenant,
        Some(user),
        "global_block.detached",
        ("global_block", global),
        serde_json::json!({ "page": page_id, "component": component_id }),
    )
    .await?;
    super::realtime::page_changed(tx, tenant, page_id, revision, user, Some(component_id)).await?;
    Ok(revision)
}

/// Deletes a global block nobody uses. In use: `InUse` (409) naming every use.
pub async fn delete(tx: &mut Tx, tenant: Uuid, user: Uuid, id: Uuid) -> Result<(), AppError> {
    // Lock the row so a use placed concurrently waits for (and then fails on) the delete.
    let name: String =
        sqlx::query_scalar("SELECT name FROM global_blocks WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(not_found)?;
    let found = uses(tx, id).await?;
    if !found.uses.is_empty() {
        let list: Vec<String> = found.uses.iter().map(GlobalBlockUse::label).collect();
        return Err(AppError::InUse(format!(
            "The global block “{name}” is still in use ({} {}): {}. Detach or delete those blocks first.",
            list.len(),
            if list.len() == 1 { "use" } else { "uses" },
            list.join("; ")
        )));
    }
    sqlx::query("DELETE FROM global_blocks WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    audit(
        tx,
        tenant,
        Some(user),
        "global_block.deleted",
        ("global_block", id),
        serde_json::json!({ "name": name }),
    )
    .await?;
    Ok(())
}
