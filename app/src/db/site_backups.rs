//! Stored website backups (`site_backups`, migration 0031): taken daily by the
//! `backups.daily` job, on demand, and before every restore; kept for the plan's
//! `backup_retention_days`; restored into the website's draft in one transaction.

use sqlx::FromRow;
use uuid::Uuid;

use super::{audit, backup, limits, versions, Tx};
use crate::error::AppError;
use crate::model::{BackupSummary, SiteBackup};

#[derive(FromRow)]
struct SummaryRow {
    id: Uuid,
    backup_type: String,
    created_at: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
    size_bytes: i32,
    pages: i32,
}

/// Stores the website's current draft as a backup of `kind` (`manual`, `auto`,
/// `pre_restore`), expiring after the plan's retention, and deletes the website's expired
/// backups. Returns the new backup's id.
pub async fn take(
    tx: &mut Tx,
    tenant: Uuid,
    user: Option<Uuid>,
    website: Uuid,
    kind: &str,
) -> Result<Uuid, AppError> {
    let doc = backup::export(tx, website).await?;
    let json = serde_json::to_value(&doc).map_err(|_| AppError::Internal)?;
    let size = serde_json::to_string(&doc).map_or(0, |s| s.len());
    let id: Uuid = sqlx::query_scalar(
        r#"INSERT INTO site_backups (tenant_id, website_id, created_by, backup_type, backup_data,
                                     version, size_bytes, expires_at)
           SELECT $1, $2, $3, $4, $5, $6, $7,
                  now() + make_interval(days => p.backup_retention_days)
           FROM tenants t JOIN plans p ON p.id = t.plan_id WHERE t.id = $1
           RETURNING id"#,
    )
    .bind(tenant)
    .bind(website)
    .bind(user)
    .bind(kind)
    .bind(&json)
    .bind(doc.version as i32)
    .bind(size.min(i32::MAX as usize) as i32)
    .fetch_one(&mut **tx)
    .await?;
    purge_expired(tx, website).await?;
    Ok(id)
}

/// Deletes the website's backups past their expiry; returns how many.
pub async fn purge_expired(tx: &mut Tx, website: Uuid) -> Result<u64, AppError> {
    Ok(
        sqlx::query("DELETE FROM site_backups WHERE website_id = $1 AND expires_at <= now()")
            .bind(website)
            .execute(&mut **tx)
            .await?
            .rows_affected(),
    )
}

/// The website's backups, newest first. `NotFound` for a website the tenant does not have.
pub async fn list(tx: &mut Tx, website: Uuid) -> Result<Vec<BackupSummary>, AppError> {
    super::websites::require(tx, website).await?;
    let rows = sqlx::query_as::<_, SummaryRow>(
        r#"SELECT id, backup_type, created_at, expires_at, size_bytes,
                  COALESCE(jsonb_array_length(backup_data -> 'pages'), 0)::int AS pages
           FROM site_backups WHERE website_id = $1 AND expires_at > now()
           ORDER BY created_at DESC, id"#,
    )
    .bind(website)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| BackupSummary {
            id: r.id,
            kind: r.backup_type,
            created_at: r.created_at,
            expires_at: r.expires_at,
            size_bytes: r.size_bytes,
            pages: r.pages,
        })
        .collect())
}

/// The stored document of one backup, with its website's name for the file name.
pub async fn document(tx: &mut Tx, id: Uuid) -> Result<(serde_json::Value, String), AppError> {
    let row: Option<(serde_json::Value, String)> = sqlx::query_as(
        r#"SELECT b.backup_data, w.name FROM site_backups b JOIN websites w ON w.id = b.website_id
           WHERE b.id = $1"#,
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.ok_or_else(|| AppError::NotFound("Backup".into()))
}

/// Replaces the website's draft content with backup `id`: first a `pre_restore` version of
/// every page and a `pre_restore` backup of the whole site, then pages matched by address
/// get the backup's settings and blocks, pages the backup lacks are deleted and its other
/// pages are added. Branding and SEO defaults come back too. The live site changes only at
/// the next publish. Returns the website's id.
pub async fn restore(tx: &mut Tx, tenant: Uuid, user: Uuid, id: Uuid) -> Result<Uuid, AppError> {
    let row: Option<(Uuid, serde_json::Value)> =
        sqlx::query_as("SELECT website_id, backup_data FROM site_backups WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    let (website, data) = row.ok_or_else(|| AppError::NotFound("Backup".into()))?;
    let site = SiteBackup::parse_value(data)?;
    let status: Option<String> =
        sqlx::query_scalar("SELECT status FROM websites WHERE id = $1 FOR UPDATE")
            .bind(website)
            .fetch_optional(&mut **tx)
            .await?;
    if matches!(status.as_deref(), Some("suspended" | "archived")) {
        return Err(AppError::forbidden(
            "This website is archived or suspended; restore it before restoring a backup.",
        ));
    }
    limits::check_pages(tx, tenant, site.pages.len() as i64 - 1).await?;
    if site.uses_custom_html() {
        limits::check_custom_html(tx, tenant).await?;
    }
    let current: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT id, slug FROM pages WHERE website_id = $1 ORDER BY is_home DESC, nav_order",
    )
    .bind(website)
    .fetch_all(&mut **tx)
    .await?;
    for (page, _) in &current {
        versions::record_version(
            tx,
            tenant,
            *page,
            Some(user),
            "pre_restore",
            Some("Before restoring a backup".into()),
        )
        .await?;
    }
    take(tx, tenant, Some(user), website, "pre_restore").await?;

    let branding = serde_json::to_value(&site.branding).map_err(|_| AppError::Internal)?;
    sqlx::query(
        "UPDATE websites SET branding_config = $2, seo_defaults = $3, updated_at = now() WHERE id = $1",
    )
    .bind(website)
    .bind(&branding)
    .bind(&site.seo_defaults)
    .execute(&mut **tx)
    .await?;
    // Pages the backup does not have go (their versions with them; the pre_restore backup
    // keeps them).
    let keep: Vec<String> = site.pages.iter().map(|p| p.slug.clone()).collect();
    sqlx::query("DELETE FROM pages WHERE website_id = $1 AND NOT (slug = ANY($2))")
        .bind(website)
        .bind(&keep)
        .execute(&mut **tx)
        .await?;
    let mut written = Vec::with_capacity(site.pages.len());
    for (order, p) in site.pages.iter().enumerate() {
        let existing = current
            .iter()
            .find(|(_, slug)| *slug == p.slug)
            .map(|(id, _)| *id);
        let page = match existing {
            Some(page) => {
                let seo = serde_json::to_value(&p.seo).map_err(|_| AppError::Internal)?;
                let config =
                    serde_json::to_value(&p.page_config).map_err(|_| AppError::Internal)?;
                sqlx::query(
                    r#"UPDATE pages SET title = $2, status = $3, show_in_nav = $4, nav_order = $5,
                              nav_label = $6, seo_meta = $7, page_config = $8,
                              revision = revision + 1, settings_revision = settings_revision + 1,
                              updated_at = now()
                       WHERE id = $1"#,
                )
                .bind(page)
                .bind(&p.title)
                .bind(p.status.as_str())
                .bind(p.show_in_nav)
                .bind(order as i32)
                .bind(&p.nav_label)
                .bind(&seo)
                .bind(&config)
                .execute(&mut **tx)
                .await?;
                sqlx::query("DELETE FROM components WHERE page_id = $1")
                    .bind(page)
                    .execute(&mut **tx)
                    .await?;
                page
            }
            None => backup::insert_page(tx, tenant, website, order, p).await?,
        };
        written.push((page, p));
    }
    let globals = backup::link_global_blocks(tx, tenant, user, &site.global_blocks).await?;
    backup::insert_blocks(tx, tenant, &written, &globals).await?;
    audit(
        tx,
        tenant,
        Some(user),
        "website.backup_restored",
        ("website", website),
        serde_json::json!({ "backup": id, "pages": site.pages.len() }),
    )
    .await?;
    Ok(website)
}
