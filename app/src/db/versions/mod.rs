//! Page versions (schema reference §11): record, list, preview and restore snapshots of a page's blocks,
//! and [`replace_components`], which swaps a page's blocks for a given list.
//!
//! Every trigger (auto, manual, pre_publish, pre_restore, pre_ai) counts towards the plan's
//! `version_history_limit`: `prune_page_versions` (migration 0006) keeps the newest N of them
//! all, whatever their trigger, as schema reference §22 does.

use serde::Deserialize;
use sqlx::FromRow;
use uuid::Uuid;

mod replace;

pub use replace::{check_locked_blocks_kept, replace_components, MAX_BLOCKS_PER_PAGE};

use super::builder::{bump_revision, components as rows, ComponentRow as Row};
use super::Tx;
use crate::error::AppError;
use crate::model::{
    BlockProps, ComponentDto, Role, VersionPreview, VersionSummary, VersionTrigger,
};

impl Row {
    /// The stored block parsed, or `None` if it no longer parses (then it counts as different).
    fn block(&self) -> Option<BlockProps> {
        BlockProps::from_parts(&self.kind, self.props.clone()).ok()
    }
}

/// One entry of `content_snapshot`, as [`insert_version`] writes it.
#[derive(Deserialize)]
struct SnapshotItem {
    id: Uuid,
    #[serde(rename = "type")]
    kind: String,
    props: serde_json::Value,
    #[serde(default)]
    order_key: String,
    #[serde(default = "visible_by_default")]
    is_visible: bool,
    #[serde(default)]
    is_locked: bool,
}

fn visible_by_default() -> bool {
    true
}

fn page_not_found() -> AppError {
    AppError::NotFound("Page".into())
}

fn version_not_found() -> AppError {
    AppError::NotFound("Version".into())
}

async fn ensure_page(tx: &mut Tx, page_id: Uuid) -> Result<(), AppError> {
    let page: Option<Uuid> = sqlx::query_scalar("SELECT id FROM pages WHERE id = $1")
        .bind(page_id)
        .fetch_optional(&mut **tx)
        .await?;
    page.map(|_| ()).ok_or_else(page_not_found)
}

/// Records a version of the page, then prunes to the plan's `version_history_limit`. An `auto`
/// version is skipped when the content equals the newest version; every other trigger is always
/// recorded. Returns the new version's id, or `None` when skipped.
pub async fn insert_version(
    tx: &mut Tx,
    tenant_id: Uuid,
    page_id: Uuid,
    user_id: Option<Uuid>,
    trigger: VersionTrigger,
    label: Option<String>,
) -> Result<Option<Uuid>, AppError> {
    ensure_page(tx, page_id).await?;
    // The snapshot is built, compared with the newest version and stored inside PostgreSQL: on a
    // page with a thousand blocks that is about a megabyte that never needs to reach the server
    // process (see end2end/bench/BENCHMARKS.md).
    let id: Option<Uuid> = sqlx::query_scalar(
        r#"WITH snap AS (
               SELECT COALESCE(jsonb_agg(jsonb_build_object(
                          'id', id, 'type', type, 'props', props, 'order_key', encode(order_key, 'hex'),
                          'is_visible', is_visible, 'is_locked', is_locked) ORDER BY order_key), '[]'::jsonb) AS content
               FROM components WHERE page_id = $2
           ), newest AS (
               SELECT content_snapshot FROM page_versions
               WHERE page_id = $2 ORDER BY saved_at DESC, id DESC LIMIT 1
           )
           INSERT INTO page_versions (tenant_id, page_id, saved_by, content_snapshot, label, trigger)
           SELECT $1, $2, $3, snap.content, $4, $5 FROM snap
           WHERE NOT ($6 AND EXISTS (SELECT 1 FROM newest WHERE newest.content_snapshot = snap.content))
           RETURNING id"#,
    )
    .bind(tenant_id)
    .bind(page_id)
    .bind(user_id)
    .bind(label)
    .bind(trigger.as_str())
    .bind(trigger == VersionTrigger::Auto)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(id) = id else { return Ok(None) };
    let keep = super::limits::version_history_limit(tx, tenant_id).await?;
    sqlx::query("SELECT prune_page_versions($1, $2)")
        .bind(page_id)
        .bind(keep as i32)
        .execute(&mut **tx)
        .await?;
    Ok(Some(id))
}

/// [`insert_version`] with the trigger as stored text; returns whether a version was written.
pub async fn record_version(
    tx: &mut Tx,
    tenant_id: Uuid,
    page_id: Uuid,
    user_id: Option<Uuid>,
    trigger: &str,
    label: Option<String>,
) -> Result<bool, AppError> {
    let trigger = VersionTrigger::parse(trigger).ok_or_else(|| {
        tracing::error!(trigger, "unknown version trigger");
        AppError::Internal
    })?;
    Ok(
        insert_version(tx, tenant_id, page_id, user_id, trigger, label)
            .await?
            .is_some(),
    )
}

#[derive(FromRow)]
struct SummaryRow {
    id: Uuid,
    label: Option<String>,
    trigger: String,
    author: String,
    saved_at: chrono::DateTime<chrono::Utc>,
    saved_at_local: String,
    component_count: i64,
}

impl SummaryRow {
    fn into_summary(self) -> Result<VersionSummary, AppError> {
        let trigger = VersionTrigger::parse(&self.trigger).ok_or_else(|| {
            tracing::error!(version = %self.id, trigger = %self.trigger, "stored version trigger is unknown");
            AppError::Internal
        })?;
        Ok(VersionSummary {
            id: self.id,
            label: self.label,
            trigger,
            author: self.author,
            saved_at: self.saved_at,
            saved_at_local: self.saved_at_local,
            component_count: self.component_count,
        })
    }
}

/// Columns of [`SummaryRow`]; times are also given in the organisation's timezone. A missing saver is the system for timed saves and a deleted
/// account otherwise (`saved_by` is set to NULL when the user is deleted).
const SUMMARY_SQL: &str = r#"
    SELECT v.id, v.label, v.trigger, v.saved_at,
           (SELECT to_char(v.saved_at AT TIME ZONE t.timezone, 'FMDD Mon YYYY, HH24:MI:SS ') || t.timezone
              FROM tenants t WHERE t.id = v.tenant_id) AS saved_at_local,
           CASE WHEN jsonb_typeof(v.content_snapshot) = 'array'
                THEN jsonb_array_length(v.content_snapshot) ELSE 0 END::bigint AS component_count,
           CASE WHEN u.id IS NOT NULL THEN COALESCE(NULLIF(btrim(u.full_name), ''), u.email)
                WHEN v.trigger = 'auto' THEN 'System'
                ELSE 'Deleted user' END AS author
    FROM page_versions v LEFT JOIN users u ON u.id = v.saved_by"#;

/// The page's versions, newest first.
pub async fn list(tx: &mut Tx, page_id: Uuid) -> Result<Vec<VersionSummary>, AppError> {
    ensure_page(tx, page_id).await?;
    sqlx::query_as::<_, SummaryRow>(&format!(
        "{SUMMARY_SQL} WHERE v.page_id = $1 ORDER BY v.saved_at DESC, v.id DESC"
    ))
    .bind(page_id)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(SummaryRow::into_summary)
    .collect()
}

pub async fn summary(tx: &mut Tx, version_id: Uuid) -> Result<VersionSummary, AppError> {
    sqlx::query_as::<_, SummaryRow>(&format!("{SUMMARY_SQL} WHERE v.id = $1"))
        .bind(version_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(version_not_found)?
        .into_summary()
}

/// A version's page and blocks, parsed and validated. `page_id`, when given, must match.
async fn snapshot_blocks(
    tx: &mut Tx,
    version_id: Uuid,
    page_id: Option<Uuid>,
) -> Result<(Uuid, Vec<ComponentDto>), AppError> {
    let (owner, snapshot): (Uuid, serde_json::Value) =
        sqlx::query_as("SELECT page_id, content_snapshot FROM page_versions WHERE id = $1 AND ($2::uuid IS NULL OR page_id = $2)")
            .bind(version_id)
            .bind(page_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(version_not_found)?;
    let items: Vec<SnapshotItem> = serde_json::from_value(snapshot).map_err(|e| {
        tracing::error!(version = %version_id, error = %e, "stored version snapshot does not parse");
        AppError::invalid("version", "This version is damaged and cannot be opened.")
    })?;
    let blocks = items
        .into_iter()
        .map(|item| {
            let block = BlockProps::from_parts(&item.kind, item.props).map_err(|e| {
                AppError::invalid(
                    "version",
                    format!("This version has a block that is no longer valid: {e}"),
                )
            })?;
            Ok(ComponentDto {
                id: item.id,
                block,
                order_key: item.order_key,
                is_visible: item.is_visible,
                is_locked: item.is_locked,
                global_block_id: None,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok((owner, blocks))
}

pub async fn preview(tx: &mut Tx, version_id: Uuid) -> Result<VersionPreview, AppError> {
    let (page_id, components) = snapshot_blocks(tx, version_id, None).await?;
    let branding: serde_json::Value = sqlx::query_scalar(
        "SELECT w.branding_config FROM pages p JOIN websites w ON w.id = p.website_id WHERE p.id = $1",
    )
    .bind(page_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(VersionPreview {
        version: summary(tx, version_id).await?,
        branding: serde_json::from_value(branding).unwrap_or_default(),
        components,
    })
}

/// Restores a version: checks the revision, saves the current content as a `pre_restore`
/// version (so the restore can be undone), then puts the version's blocks back. Returns the
/// page's new revision.
pub async fn restore(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    role: Role,
    page_id: Uuid,
    version_id: Uuid,
    base: i64,
) -> Result<i64, AppError> {
    let revision = bump_revision(tx, page_id, base).await?;
    let (_, blocks) = snapshot_blocks(tx, version_id, Some(page_id)).await?;
    check_locked_blocks_kept(tx, page_id, &blocks, role).await?;
    let restored = summary(tx, version_id).await?;
    // The restored version may be pruned by this insert when the history is full; its blocks
    // are already in memory, and after the restore they are the page's content.
    let label = restored.label.as_ref().map(|l| {
        let quoted: String = l
            .chars()
            .take(crate::model::VERSION_LABEL_MAX - 20)
            .collect();
        format!("Before restoring “{quoted}”")
    });
    let saved = insert_version(
        tx,
        tenant_id,
        page_id,
        Some(user_id),
        VersionTrigger::PreRestore,
        label,
    )
    .await?;
    replace_components(tx, tenant_id, page_id, &blocks).await?;
    super::audit(
        tx,
        tenant_id,
        Some(user_id),
        "page.version_restored",
        ("page", page_id),
        serde_json::json!({ "version_id": version_id, "pre_restore_version_id": saved, "revision": revision }),
    )
    .await?;
    Ok(revision)
}
