//! Website backups (issue 20): export a website as one JSON document and import one as a new
//! website. The export is a plain download route in the server (`GET /websites/{id}/export`),
//! which uses [`export_for`]; the import is the server function [`import_website`].

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub const CANNOT_IMPORT: &str =
    "Viewers cannot import websites. Ask the owner or an admin for editor access.";

/// The backup document of one website for `caller` (the request's session), as compact
/// JSON. Every member may export: a viewer already reads every page in the builder, and the
/// document holds no password or secret. Audited as `website.exported`.
#[cfg(feature = "ssr")]
pub async fn export_for(
    pool: &sqlx::PgPool,
    caller: &super::ctx::Caller,
    website_id: Uuid,
) -> Result<(String, String, crate::db::rate_limits::RateState), AppError> {
    let member = caller.member()?.ok_or(AppError::Unauthorized)?;
    if !crate::model::Role::can_export_site(member.role) {
        return Err(AppError::forbidden("Your role cannot export websites."));
    }
    let rate = crate::db::rate_limits::check(
        pool,
        member.tenant_id,
        crate::db::rate_limits::Bucket::Export,
    )
    .await?;
    let mut tx = crate::db::tenant_tx(pool, member.tenant_id).await?;
    let backup = crate::db::backup::export(&mut tx, website_id).await?;
    crate::db::audit(
        &mut tx,
        member.tenant_id,
        Some(member.user_id),
        "website.exported",
        ("website", website_id),
        serde_json::json!({ "pages": backup.pages.len(), "version": backup.version }),
    )
    .await?;
    tx.commit().await?;
    let name = crate::model::slugify(&backup.website.name, 40);
    let json = serde_json::to_string(&backup).map_err(|_| AppError::Internal)?;
    Ok((
        json,
        if name.is_empty() {
            "website".into()
        } else {
            name
        },
        rate,
    ))
}

/// Imports a backup document (the file's text) as a new draft website at `subdomain`, named
/// `name` (blank: the name in the backup). Refused past the plan's website or page limits;
/// any invalid part is refused with a field-level error naming the page and block, and
/// nothing is written.
#[server(endpoint = "websites/import", input = WireJson, output = WireJson)]
pub async fn import_website(
    name: String,
    subdomain: String,
    document: String,
) -> Result<Uuid, AppError> {
    let (member, mut tx) =
        super::ctx::member_tx(crate::model::Role::can_edit_content, CANNOT_IMPORT).await?;
    let subdomain = crate::model::parse_subdomain(&subdomain)?;
    let mut site = crate::model::SiteBackup::parse(&document)?;
    if !name.trim().is_empty() {
        site.name = crate::model::parse_name("name", "the website's name", &name, 2, 80)?;
    }
    let id =
        crate::db::backup::import(&mut tx, member.tenant_id, member.user_id, &site, &subdomain)
            .await?;
    tx.commit().await?;
    Ok(id)
}

#[cfg(feature = "ssr")]
const CANNOT_BACKUP: &str =
    "Viewers cannot take or restore backups. Ask the owner or an admin for editor access.";

/// The website's stored backups (daily, manual, before a restore), newest first.
#[server(endpoint = "backups/list", input = WireJson, output = WireJson)]
pub async fn list_backups(website_id: Uuid) -> Result<Vec<crate::model::BackupSummary>, AppError> {
    let (_, mut tx) = super::ctx::member_tx(
        crate::model::Role::can_export_site,
        "Your role cannot see backups.",
    )
    .await?;
    let list = crate::db::site_backups::list(&mut tx, website_id).await?;
    tx.commit().await?;
    Ok(list)
}

/// Takes a backup of the website's current draft now (kept as long as the daily ones).
#[server(endpoint = "backups/create", input = WireJson, output = WireJson)]
pub async fn create_backup(website_id: Uuid) -> Result<Uuid, AppError> {
    let (m, mut tx) =
        super::ctx::member_tx(crate::model::Role::can_edit_content, CANNOT_BACKUP).await?;
    let id =
        crate::db::site_backups::take(&mut tx, m.tenant_id, Some(m.user_id), website_id, "manual")
            .await?;
    crate::db::audit(
        &mut tx,
        m.tenant_id,
        Some(m.user_id),
        "website.backup_taken",
        ("website", website_id),
        serde_json::json!({ "backup": id }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces the website's draft with a stored backup, after recording a `pre_restore`
/// version of every page and a `pre_restore` backup of the whole site.
#[server(endpoint = "backups/restore", input = WireJson, output = WireJson)]
pub async fn restore_backup(backup_id: Uuid) -> Result<Uuid, AppError> {
    let (m, mut tx) =
        super::ctx::member_tx(crate::model::Role::can_edit_content, CANNOT_BACKUP).await?;
    let website =
        crate::db::site_backups::restore(&mut tx, m.tenant_id, m.user_id, backup_id).await?;
    tx.commit().await?;
    Ok(website)
}

/// A stored backup's document for `caller`, for the download route
/// `GET /backups/{id}/download`: (JSON, file name stem).
#[cfg(feature = "ssr")]
pub async fn backup_download_for(
    pool: &sqlx::PgPool,
    caller: &super::ctx::Caller,
    backup_id: Uuid,
) -> Result<(String, String), AppError> {
    let member = caller.member()?.ok_or(AppError::Unauthorized)?;
    if !crate::model::Role::can_export_site(member.role) {
        return Err(AppError::forbidden("Your role cannot export websites."));
    }
    let mut tx = crate::db::tenant_tx(pool, member.tenant_id).await?;
    let (doc, name) = crate::db::site_backups::document(&mut tx, backup_id).await?;
    tx.commit().await?;
    let name = crate::model::slugify(&name, 40);
    let json = serde_json::to_string(&doc).map_err(|_| AppError::Internal)?;
    Ok((
        json,
        if name.is_empty() {
            "website".into()
        } else {
            name
        },
    ))
}
