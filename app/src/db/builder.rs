//! Reads and writes behind the builder: a page's blocks, block edits, moves and versions.
//!
//! Every write names the page revision it was based on. [`bump_revision`] advances the
//! revision only if it still matches, so a stale tab gets `Conflict` instead of silently
//! overwriting newer work.

use fractional_index::FractionalIndex;
use sqlx::FromRow;
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;
use crate::model::{
    BlockProps, BuilderData, ComponentDto, ComponentKind, NewBlock, PageLink, Role,
};

#[derive(FromRow)]
struct PageHead {
    tenant_id: Uuid,
    id: Uuid,
    title: String,
    slug: String,
    revision: i64,
    website_id: Uuid,
    website_name: String,
    subdomain: Option<String>,
    branding_config: serde_json::Value,
}

/// A `components` row as stored; shared with `db::versions`.
#[derive(FromRow)]
pub(crate) struct ComponentRow {
    pub(crate) id: Uuid,
    #[sqlx(rename = "type")]
    pub(crate) kind: String,
    pub(crate) order_key: Vec<u8>,
    pub(crate) props: serde_json::Value,
    pub(crate) is_visible: bool,
    pub(crate) is_locked: bool,
    pub(crate) global_block_id: Option<Uuid>,
}

fn page_not_found() -> AppError {
    AppError::NotFound("Page".into())
}

fn block_not_found() -> AppError {
    AppError::NotFound("Block".into())
}

impl ComponentRow {
    fn into_dto(self) -> Result<ComponentDto, AppError> {
        let block = BlockProps::from_parts(&self.kind, self.props).map_err(|e| {
            tracing::error!(component = %self.id, error = %e, "stored block does not parse");
            AppError::Internal
        })?;
        Ok(ComponentDto {
            id: self.id,
            block,
            order_key: hex::encode(&self.order_key),
            is_visible: self.is_visible,
            is_locked: self.is_locked,
            global_block_id: self.global_block_id,
        })
    }
}

/// The page's blocks in order.
pub(crate) async fn components(tx: &mut Tx, page_id: Uuid) -> Result<Vec<ComponentRow>, AppError> {
    Ok(sqlx::query_as::<_, ComponentRow>(
        r#"SELECT id, type, order_key, props, is_visible, is_locked, global_block_id
           FROM components WHERE page_id = $1 ORDER BY order_key"#,
    )
    .bind(page_id)
    .fetch_all(&mut **tx)
    .await?)
}

pub async fn load(tx: &mut Tx, page_id: Uuid, role: Role) -> Result<BuilderData, AppError> {
    let head = sqlx::query_as::<_, PageHead>(
        r#"SELECT p.tenant_id, p.id, p.title, p.slug, p.revision, w.id AS website_id, w.name AS website_name,
                  w.subdomain, w.branding_config
           FROM pages p JOIN websites w ON w.id = p.website_id
           WHERE p.id = $1"#,
    )
    .bind(page_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(page_not_found)?;
    let components = components(tx, page_id)
        .await?
        .into_iter()
        .map(ComponentRow::into_dto)
        .collect::<Result<Vec<_>, _>>()?;
    let pages = sqlx::query_as::<_, (String, String)>(
        "SELECT title, slug FROM pages WHERE website_id = $1 ORDER BY is_home DESC, nav_order, title",
    )
    .bind(head.website_id)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|(title, slug)| PageLink { title, slug })
    .collect();
    Ok(BuilderData {
        tenant_id: head.tenant_id,
        page_id: head.id,
        page_title: head.title,
        page_slug: head.slug,
        revision: head.revision,
        website_id: head.website_id,
        website_name: head.website_name,
        subdomain: head.subdomain,
        branding: serde_json::from_value(head.branding_config).unwrap_or_default(),
        components,
        pages,
        role,
    })
}

/// Advances the page's revision if it is still `base`. The row lock taken here also
/// serialises concurrent edits of the same page.
pub async fn bump_revision(tx: &mut Tx, page_id: Uuid, base: i64) -> Result<i64, AppError> {
    let next: Option<i64> = sqlx::query_scalar(
        "UPDATE pages SET revision = revision + 1 WHERE id = $1 AND revision = $2 RETURNING revision",
    )
    .bind(page_id)
    .bind(base)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(n) = next {
        // Every saved change of the page's blocks goes through here.
        super::webhooks::emit_page_updated(tx, page_id).await?;
        return Ok(n);
    }
    let current: Option<i64> = sqlx::query_scalar("SELECT revision FROM pages WHERE id = $1")
        .bind(page_id)
        .fetch_optional(&mut **tx)
        .await?;
    match current {
        Some(current_revision) => Err(AppError::Conflict { current_revision }),
        None => Err(page_not_found()),
    }
}

/// The fractional index for a block placed directly after `after` (or first when `None`),
/// ignoring `moving` (the block being moved, if any).
pub(crate) async fn key_after(
    tx: &mut Tx,
    page_id: Uuid,
    after: Option<Uuid>,
    moving: Option<Uuid>,
) -> Result<FractionalIndex, AppError> {
    let lower: Option<Vec<u8>> = match after {
        Some(id) => Some(
            sqlx::query_scalar("SELECT order_key FROM components WHERE id = $1 AND page_id = $2")
                .bind(id)
                .bind(page_id)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| {
                    AppError::invalid(
                        "after",
                        "The block to place after is no longer on this page.",
                    )
                })?,
        ),
        None => None,
    };
    let upper: Option<Vec<u8>> = sqlx::query_scalar(
        r#"SELECT order_key FROM components
           WHERE page_id = $1 AND ($2::bytea IS NULL OR order_key > $2) AND ($3::uuid IS NULL OR id <> $3)
           ORDER BY order_key LIMIT 1"#,
    )
    .bind(page_id)
    .bind(&lower)
    .bind(moving)
    .fetch_optional(&mut **tx)
    .await?;
    let parse = |b: Vec<u8>| {
        FractionalIndex::from_bytes(b).map_err(|_| {
            tracing::error!("stored order key is not a fractional index");
            AppError::Internal
        })
    };
    let lower = lower.map(parse).transpose()?;
    let upper = upper.map(parse).transpose()?;
    Ok(match (lower, upper) {
        (None, None) => FractionalIndex::default(),
        (Some(l), None) => FractionalIndex::new_after(&l),
        (None, Some(u)) => FractionalIndex::new_before(&u),
        (Some(l), Some(u)) => FractionalIndex::new_between(&l, &u).ok_or(AppError::Internal)?,
    })
}

/// Locked blocks may be changed only by owners and admins.
pub(crate) async fn check_block(
    tx: &mut Tx,
    page_id: Uuid,
    id: Uuid,
    role: Role,
) -> Result<(), AppError> {
    let locked: bool =
        sqlx::query_scalar("SELECT is_locked FROM components WHERE id = $1 AND page_id = $2")
            .bind(id)
            .bind(page_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(block_not_found)?;
    if locked && !role.can_edit_locked() {
        return Err(AppError::forbidden(
            "This block is locked. Only owners and admins can change it.",
        ));
    }
    Ok(())
}

/// Shown when a plan without custom HTML tries to add or change such a block.
pub const CUSTOM_HTML_NEEDS_PRO: &str =
    "Custom HTML blocks are available on the Pro plan. Upgrade to use them.";

/// Plan gating (schema reference §9 `required_plan`): custom HTML is Pro only. Checked here, on the server
/// and inside the request's tenant transaction, because the palette shows every kind.
pub(crate) async fn check_plan_allows(
    tx: &mut Tx,
    tenant_id: Uuid,
    kind: ComponentKind,
) -> Result<(), AppError> {
    if kind != ComponentKind::CustomHtml {
        return Ok(());
    }
    super::limits::check_custom_html(tx, tenant_id).await
}

/// Inserts a block the client made (its id, props and flags) directly after `after`. Used for
/// new blocks from the palette, duplicates, and undoing a delete (same id again).
pub async fn insert(
    tx: &mut Tx,
    tenant_id: Uuid,
    page_id: Uuid,
    new: &NewBlock,
    after: Option<Uuid>,
    base: i64,
    role: Role,
) -> Result<(i64, FractionalIndex), AppError> {
    new.block.validate()?;
    if new.is_locked && !role.can_edit_locked() {
        return Err(AppError::forbidden(
            "Only owners and admins can lock or unlock blocks.",
        ));
    }
    check_plan_allows(tx, tenant_id, new.block.kind()).await?;
    let revision = bump_revision(tx, page_id, base).await?;
    let key = key_after(tx, page_id, after, None).await?;
    let inserted = sqlx::query(
        r#"INSERT INTO components (id, tenant_id, page_id, type, order_key, props, is_visible, is_locked)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (id) DO NOTHING"#,
    )
    .bind(new.id)
    .bind(tenant_id)
    .bind(page_id)
    .bind(new.block.kind().as_str())
    .bind(key.as_bytes())
    .bind(new.block.props_json())
    .bind(new.is_visible)
    .bind(new.is_locked)
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::invalid(
            "id",
            "A block with this id already exists.",
        ));
    }
    Ok((revision, key))
}

pub async fn update_props(
    tx: &mut Tx,
    page_id: Uuid,
    id: Uuid,
    block: &BlockProps,
    base: i64,
    role: Role,
) -> Result<i64, AppError> {
    block.validate()?;
    check_block(tx, page_id, id, role).await?;
    if block.kind() == ComponentKind::CustomHtml {
        // The owning tenant, read from the row (RLS already limits it to the caller's tenant).
        let tenant_id: Uuid =
            sqlx::query_scalar("SELECT tenant_id FROM components WHERE id = $1 AND page_id = $2")
                .bind(id)
                .bind(page_id)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(block_not_found)?;
        check_plan_allows(tx, tenant_id, block.kind()).await?;
    }
    let revision = bump_revision(tx, page_id, base).await?;
    let updated = sqlx::query(
        "UPDATE components SET props = $1 WHERE id = $2 AND page_id = $3 AND type = $4",
    )
    .bind(block.props_json())
    .bind(id)
    .bind(page_id)
    .bind(block.kind().as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated != 1 {
        return Err(AppError::invalid(
            "type",
            "A block's type cannot be changed.",
        ));
    }
    Ok(revision)
}

/// Moves one block directly after `after` (or to the top). Writes exactly one component row.
pub async fn move_block(
    tx: &mut Tx,
    page_id: Uuid,
    id: Uuid,
    after: Option<Uuid>,
    base: i64,
    role: Role,
) -> Result<(i64, Vec<u8>), AppError> {
    if after == Some(id) {
        return Err(AppError::invalid(
            "after",
            "A block cannot be placed after itself.",
        ));
    }
    check_block(tx, page_id, id, role).await?;
    let revision = bump_revision(tx, page_id, base).await?;
    let key = key_after(tx, page_id, after, Some(id)).await?;
    sqlx::query("UPDATE components SET order_key = $1 WHERE id = $2 AND page_id = $3")
        .bind(key.as_bytes())
        .bind(id)
        .bind(page_id)
        .execute(&mut **tx)
        .await?;
    Ok((revision, key.as_bytes().to_vec()))
}

pub async fn delete(
    tx: &mut Tx,
    page_id: Uuid,
    id: Uuid,
    base: i64,
    role: Role,
) -> Result<i64, AppError> {
    check_block(tx, page_id, id, role).await?;
    let revision = bump_revision(tx, page_id, base).await?;
    sqlx::query("DELETE FROM components WHERE id = $1 AND page_id = $2")
        .bind(id)
        .bind(page_id)
        .execute(&mut **tx)
        .await?;
    Ok(revision)
}

/// Shows/hides (`is_visible`) or locks/unlocks (`is_locked`) a block. Changing the lock, or
/// anything on a locked block, is for owners and admins only.
pub async fn set_flags(
    tx: &mut Tx,
    page_id: Uuid,
    id: Uuid,
    visible: Option<bool>,
    locked: Option<bool>,
    base: i64,
    role: Role,
) -> Result<i64, AppError> {
    if locked.is_some() && !role.can_edit_locked() {
        return Err(AppError::forbidden(
            "Only owners and admins can lock or unlock blocks.",
        ));
    }
    check_block(tx, page_id, id, role).await?;
    let revision = bump_revision(tx, page_id, base).await?;
    sqlx::query(
        r#"UPDATE components SET is_visible = COALESCE($1, is_visible), is_locked = COALESCE($2, is_locked)
           WHERE id = $3 AND page_id = $4"#,
    )
    .bind(visible)
    .bind(locked)
    .bind(id)
    .bind(page_id)
    .execute(&mut **tx)
    .await?;
    Ok(revision)
}

// Versions moved to `db::versions`; re-exported so existing callers keep their paths.
pub use super::versions::record_version;
