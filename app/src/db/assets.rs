//! The asset library (issue 17): metadata rows in `assets`, the quota, where assets are used,
//! and which deployments published them (`asset_publications`, migration 0028). The files
//! themselves are in the server's object store; this module never touches them.

use sqlx::FromRow;
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;
use crate::model::{
    original_url, variant_url, AssetInfo, AssetKind, AssetQuery, MEDIA_PREFIX, VARIANT_WIDTHS,
};

const MIB: i64 = 1024 * 1024;

/// What the plan allows and what the tenant stores now.
#[derive(Clone, Copy, Debug)]
pub struct UploadLimits {
    pub storage_bytes: i64,
    pub max_file_bytes: i64,
    pub used_bytes: i64,
}

#[derive(FromRow)]
struct LimitsRow {
    storage_limit_mb: i32,
    max_upload_mb: i32,
    used: i64,
}

/// The plan's storage and per-file limits and the bytes stored.
pub async fn upload_limits(tx: &mut Tx, tenant: Uuid) -> Result<UploadLimits, AppError> {
    let row = sqlx::query_as::<_, LimitsRow>(
        r#"SELECT p.storage_limit_mb, p.max_upload_mb,
                  (SELECT COALESCE(SUM(a.size_bytes), 0)::bigint FROM assets a) AS used
             FROM tenants t JOIN plans p ON p.id = t.plan_id
            WHERE t.id = $1"#,
    )
    .bind(tenant)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::Internal)?;
    Ok(UploadLimits {
        storage_bytes: i64::from(row.storage_limit_mb) * MIB,
        max_file_bytes: i64::from(row.max_upload_mb) * MIB,
        used_bytes: row.used,
    })
}

/// A file that reached storage and passed the checks, about to be recorded.
pub struct NewAsset<'a> {
    pub id: Uuid,
    pub original_filename: &'a str,
    pub kind: AssetKind,
    pub format: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    /// Width and height for images.
    pub size: Option<(u32, u32)>,
    pub uploaded_by: Uuid,
}

/// Records an upload if it fits the plan's storage. The tenant row is locked first, so two
/// uploads finishing at once are counted one after the other and cannot both take the last
/// free bytes.
pub async fn insert_within_quota(
    tx: &mut Tx,
    tenant: Uuid,
    new: &NewAsset<'_>,
) -> Result<AssetInfo, AppError> {
    sqlx::query("SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE")
        .bind(tenant)
        .execute(&mut **tx)
        .await?;
    let limits = upload_limits(tx, tenant).await?;
    if limits.used_bytes + new.size_bytes > limits.storage_bytes {
        return Err(super::limits::storage_reached(tx, tenant).await);
    }
    let url = original_url(tenant, new.id, new.format, new.size);
    let key = crate::model::original_key(tenant, new.id, new.format);
    let row = sqlx::query_as::<_, Row>(&format!(
        r#"INSERT INTO assets AS a (id, tenant_id, original_filename, cloudinary_public_id, cloudinary_url,
                               secure_url, asset_type, format, content_type, size_bytes, width,
                               height, uploaded_by)
           VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10, $11, $12)
           RETURNING {COLUMNS}"#
    ))
    .bind(new.id)
    .bind(tenant)
    .bind(new.original_filename)
    .bind(&key)
    .bind(&url)
    .bind(new.kind.as_str())
    .bind(new.format)
    .bind(new.content_type)
    .bind(new.size_bytes)
    .bind(new.size.map(|s| s.0 as i32))
    .bind(new.size.map(|s| s.1 as i32))
    .bind(new.uploaded_by)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.into_info(tenant))
}

const COLUMNS: &str = r#"a.id, a.original_filename, a.display_name, a.asset_type, a.format, a.size_bytes,
    a.width, a.height, a.tags, a.variant_widths, a.created_at,
    ARRAY(SELECT w.name FROM websites w WHERE w.id = ANY(a.used_in_websites) ORDER BY w.name) AS used_in"#;

#[derive(FromRow)]
struct Row {
    id: Uuid,
    original_filename: String,
    display_name: Option<String>,
    asset_type: String,
    format: Option<String>,
    size_bytes: i64,
    width: Option<i32>,
    height: Option<i32>,
    tags: Vec<String>,
    variant_widths: Vec<i32>,
    created_at: chrono::DateTime<chrono::Utc>,
    used_in: Vec<String>,
}

impl Row {
    fn into_info(self, tenant: Uuid) -> AssetInfo {
        let format = self.format.unwrap_or_default();
        let size = match (self.width, self.height) {
            (Some(w), Some(h)) if w > 0 && h > 0 => Some((w as u32, h as u32)),
            _ => None,
        };
        let url = original_url(tenant, self.id, &format, size);
        let thumb_url = if self.variant_widths.contains(&(VARIANT_WIDTHS[0] as i32)) {
            variant_url(tenant, self.id, VARIANT_WIDTHS[0])
        } else {
            url.clone()
        };
        AssetInfo {
            id: self.id,
            name: self
                .display_name
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| self.original_filename.clone()),
            original_filename: self.original_filename,
            kind: AssetKind::parse(&self.asset_type).unwrap_or(AssetKind::Raw),
            format,
            size_bytes: self.size_bytes,
            width: self.width,
            height: self.height,
            url,
            thumb_url,
            tags: self.tags,
            used_in: self.used_in,
            created_at: self.created_at.to_rfc3339(),
        }
    }
}

/// The library, filtered and sorted as `q` asks (at most 2,000 entries).
pub async fn list(tx: &mut Tx, tenant: Uuid, q: &AssetQuery) -> Result<Vec<AssetInfo>, AppError> {
    let order = match q.sort.as_str() {
        "size" => "a.size_bytes DESC, a.created_at DESC",
        "name" => {
            "lower(COALESCE(NULLIF(a.display_name, ''), a.original_filename)), a.created_at DESC"
        }
        _ => "a.created_at DESC",
    };
    let search = q.search.trim();
    let pattern = format!(
        "%{}%",
        search
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let rows = sqlx::query_as::<_, Row>(&format!(
        r#"SELECT {COLUMNS} FROM assets a
            WHERE ($1 = '' OR COALESCE(NULLIF(a.display_name, ''), a.original_filename) ILIKE $2)
              AND ($3 = '' OR a.asset_type = $3)
              AND ($4 = '' OR a.tags @> ARRAY[$4])
            ORDER BY {order} LIMIT 2000"#
    ))
    .bind(search)
    .bind(pattern)
    .bind(q.kind.trim())
    .bind(q.tag.trim().to_lowercase())
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| r.into_info(tenant)).collect())
}

/// Every tag the tenant's assets carry, sorted.
pub async fn all_tags(tx: &mut Tx) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT t FROM assets a, unnest(a.tags) AS t ORDER BY t LIMIT 500",
    )
    .fetch_all(&mut **tx)
    .await?)
}

/// One asset, or `NotFound` (also for another tenant's id: RLS hides it).
pub async fn get(tx: &mut Tx, tenant: Uuid, id: Uuid) -> Result<AssetInfo, AppError> {
    let row = sqlx::query_as::<_, Row>(&format!("SELECT {COLUMNS} FROM assets a WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| AppError::NotFound("Asset".into()))?;
    Ok(row.into_info(tenant))
}

/// Renames (`display_name`, empty clears it) and replaces the tags.
pub async fn update_meta(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
    display_name: &str,
    tags: &[String],
) -> Result<AssetInfo, AppError> {
    let done =
        sqlx::query("UPDATE assets SET display_name = NULLIF($2, ''), tags = $3 WHERE id = $1")
            .bind(id)
            .bind(display_name)
            .bind(tags)
            .execute(&mut **tx)
            .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound("Asset".into()));
    }
    get(tx, tenant, id).await
}

/// The pages whose saved blocks or settings, or whose website's live deployment, use the
/// asset: "Website › Page" labels, sorted.
pub async fn used_on_pages(tx: &mut Tx, tenant: Uuid, id: Uuid) -> Result<Vec<String>, AppError> {
    let needle = format!("%{MEDIA_PREFIX}{tenant}/{id}/%");
    Ok(sqlx::query_scalar(
        r#"SELECT DISTINCT w.name || ' › ' || p.title
             FROM pages p JOIN websites w ON w.id = p.website_id
            WHERE p.seo_meta::text LIKE $1
               OR EXISTS (SELECT 1 FROM components c WHERE c.page_id = p.id AND c.props::text LIKE $1)
               OR EXISTS (SELECT 1 FROM deployments d
                           WHERE d.website_id = w.id AND d.is_live
                             AND EXISTS (SELECT 1 FROM jsonb_array_elements(d.snapshot_json->'pages') sp
                                          WHERE sp->>'id' = p.id::text AND sp::text LIKE $1))
           UNION
           SELECT DISTINCT w.name || ' › branding'
             FROM websites w
            WHERE w.branding_config::text LIKE $1 OR w.seo_defaults::text LIKE $1
               OR coalesce(w.favicon_url, '') LIKE $1
           ORDER BY 1"#,
    )
    .bind(needle)
    .fetch_all(&mut **tx)
    .await?)
}

/// What a delete removed: the original's format and whether a deployment published it (its
/// files then stay, so the published pages keep showing it).
pub struct Removed {
    pub format: String,
    pub variant_widths: Vec<i32>,
    pub published: bool,
}

/// Deletes the library entry; `None` when there is none.
pub async fn delete(tx: &mut Tx, id: Uuid) -> Result<Option<Removed>, AppError> {
    let row: Option<(Option<String>, Vec<i32>)> =
        sqlx::query_as("DELETE FROM assets WHERE id = $1 RETURNING format, variant_widths")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((format, variant_widths)) = row else {
        return Ok(None);
    };
    let published: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM asset_publications WHERE asset_id = $1)")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    Ok(Some(Removed {
        format: format.unwrap_or_default(),
        variant_widths,
        published,
    }))
}

/// Records that the variants of `widths` are stored.
pub async fn set_variants(tx: &mut Tx, id: Uuid, widths: &[i32]) -> Result<(), AppError> {
    sqlx::query("UPDATE assets SET variant_widths = $2 WHERE id = $1")
        .bind(id)
        .bind(widths)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The asset's stored original, for the variants job: (format, width) when it exists.
pub async fn original_of(tx: &mut Tx, id: Uuid) -> Result<Option<(String, Option<i32>)>, AppError> {
    Ok(sqlx::query_as::<_, (Option<String>, Option<i32>)>(
        "SELECT format, width FROM assets WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .map(|(f, w)| (f.unwrap_or_default(), w)))
}

/// Recomputes `used_in_websites` for one website from its saved blocks, page settings,
/// branding, SEO defaults and live deployment. Called after each of those is written. Cheap
/// when nothing on the website names an asset: no row matches and none is updated.
pub async fn sync_usage(tx: &mut Tx, tenant: Uuid, website_id: Uuid) -> Result<(), AppError> {
    let pattern = format!("{MEDIA_PREFIX}{tenant}/([0-9a-f-]{{36}})/");
    sqlx::query(
        r#"WITH docs AS (
               SELECT c.props::text AS doc FROM components c JOIN pages p ON p.id = c.page_id
                WHERE p.website_id = $1 AND c.props::text LIKE '%/media/%'
               UNION ALL
               SELECT p.seo_meta::text FROM pages p WHERE p.website_id = $1
               UNION ALL
               SELECT w.branding_config::text || ' ' || w.seo_defaults::text || ' ' || coalesce(w.favicon_url, '')
                 FROM websites w WHERE w.id = $1
               UNION ALL
               SELECT d.snapshot_json::text FROM deployments d WHERE d.website_id = $1 AND d.is_live
           ),
           refs AS (
               SELECT DISTINCT (m[1])::uuid AS id
                 FROM docs, regexp_matches(docs.doc, $2, 'g') AS m
                WHERE docs.doc LIKE '%/media/%'
           )
           UPDATE assets a
              SET used_in_websites = CASE WHEN a.id IN (SELECT id FROM refs)
                                          THEN array_append(array_remove(a.used_in_websites, $1), $1)
                                          ELSE array_remove(a.used_in_websites, $1) END
            WHERE (a.id IN (SELECT id FROM refs)) <> ($1 = ANY(a.used_in_websites))"#,
    )
    .bind(website_id)
    .bind(pattern)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records the assets a new deployment's snapshot names, so anonymous visitors may fetch them
/// for as long as the deployment exists.
pub async fn record_publication(
    tx: &mut Tx,
    tenant: Uuid,
    deployment_id: Uuid,
    snapshot_json: &str,
) -> Result<(), AppError> {
    let ids = crate::model::referenced_assets(snapshot_json, tenant);
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        r#"INSERT INTO asset_publications (tenant_id, asset_id, deployment_id)
           SELECT $1, a, $2 FROM unnest($3::uuid[]) AS a
           ON CONFLICT DO NOTHING"#,
    )
    .bind(tenant)
    .bind(deployment_id)
    .bind(&ids)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// [`sync_usage`] for the website a page belongs to.
pub async fn sync_usage_for_page(tx: &mut Tx, tenant: Uuid, page_id: Uuid) -> Result<(), AppError> {
    let website: Option<Uuid> = sqlx::query_scalar("SELECT website_id FROM pages WHERE id = $1")
        .bind(page_id)
        .fetch_optional(&mut **tx)
        .await?;
    match website {
        Some(w) => sync_usage(tx, tenant, w).await,
        None => Ok(()),
    }
}

/// Locks an asset row for the rest of the transaction; its id when it exists.
pub async fn lock(tx: &mut Tx, id: Uuid) -> Result<Option<Uuid>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM assets WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// Job kinds of the asset pipeline (handlers in `server::assets::jobs`).
pub const JOB_VARIANTS: &str = "assets.variants";
pub const JOB_PURGE: &str = "assets.purge";

/// The storage keys of an asset's files.
pub fn keys_of(tenant: Uuid, asset: Uuid, format: &str, variant_widths: &[i32]) -> Vec<String> {
    let mut keys = vec![crate::model::original_key(tenant, asset, format)];
    keys.extend(
        variant_widths
            .iter()
            .map(|w| crate::model::variant_key(tenant, asset, *w as u32)),
    );
    keys
}

/// Queues the removal of a deleted, never published asset's files, committed with the delete.
pub async fn enqueue_purge(
    tx: &mut Tx,
    tenant: Uuid,
    asset: Uuid,
    removed: &Removed,
) -> Result<(), AppError> {
    let keys = keys_of(tenant, asset, &removed.format, &removed.variant_widths);
    super::jobs::enqueue(
        &mut **tx,
        super::jobs::NewJob::new(
            JOB_PURGE,
            serde_json::json!({ "tenant_id": tenant, "asset_id": asset, "keys": keys }),
        )
        .tenant(tenant),
    )
    .await?;
    Ok(())
}

/// Queues the variants job for a new image, committed with its row.
pub async fn enqueue_variants(tx: &mut Tx, tenant: Uuid, asset: Uuid) -> Result<(), AppError> {
    super::jobs::enqueue(
        &mut **tx,
        super::jobs::NewJob::new(
            JOB_VARIANTS,
            serde_json::json!({ "tenant_id": tenant, "asset_id": asset }),
        )
        .dedupe(format!("{JOB_VARIANTS}:{asset}"))
        .max_attempts(5)
        .tenant(tenant),
    )
    .await?;
    Ok(())
}
