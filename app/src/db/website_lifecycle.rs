//! A website's settings and lifecycle (issue 23 part 1, migration 0032): rename, subdomain
//! change with a 30-day redirect, site-wide SEO defaults, the analytics switch, unpublish and
//! publish again, archive and restore, soft delete and the purge. Every change is audited.
//! Visitors' caches hear every change through the 0017/0032 NOTIFY triggers.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use super::{audit, Tx};
use crate::error::AppError;
use crate::model::{SiteSeoDefaults, SubdomainRedirect, WebsiteSettings, LIFECYCLE_GRACE_DAYS};

#[derive(FromRow)]
struct Row {
    id: Uuid,
    name: String,
    subdomain: Option<String>,
    status: String,
    unpublished_at: Option<DateTime<Utc>>,
    analytics_enabled: bool,
    seo_defaults: serde_json::Value,
    favicon_url: Option<String>,
    has_live_deployment: bool,
}

/// The website's row, locked, unless it is missing or deleted (`NotFound` either way: RLS hides
/// other tenants' websites, so theirs look missing too).
async fn lock(tx: &mut Tx, website: Uuid) -> Result<Row, AppError> {
    sqlx::query_as::<_, Row>(
        r#"SELECT w.id, w.name, w.subdomain, w.status, w.unpublished_at, w.analytics_enabled,
                  w.seo_defaults, w.favicon_url,
                  EXISTS (SELECT 1 FROM deployments d WHERE d.website_id = w.id AND d.is_live)
                      AS has_live_deployment
           FROM websites w WHERE w.id = $1 AND w.deleted_at IS NULL FOR UPDATE OF w"#,
    )
    .bind(website)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| AppError::NotFound("Website".into()))
}

/// What the settings page shows.
pub async fn settings(tx: &mut Tx, website: Uuid) -> Result<WebsiteSettings, AppError> {
    let row = sqlx::query_as::<_, Row>(
        r#"SELECT w.id, w.name, w.subdomain, w.status, w.unpublished_at, w.analytics_enabled,
                  w.seo_defaults, w.favicon_url,
                  EXISTS (SELECT 1 FROM deployments d WHERE d.website_id = w.id AND d.is_live)
                      AS has_live_deployment
           FROM websites w WHERE w.id = $1 AND w.deleted_at IS NULL"#,
    )
    .bind(website)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| AppError::NotFound("Website".into()))?;
    let redirects: Vec<(String, DateTime<Utc>)> = sqlx::query_as(
        r#"SELECT subdomain, release_at FROM website_subdomain_redirects
           WHERE website_id = $1 ORDER BY release_at DESC, subdomain"#,
    )
    .bind(website)
    .fetch_all(&mut **tx)
    .await?;
    Ok(WebsiteSettings {
        id: row.id,
        name: row.name,
        subdomain: row.subdomain,
        status: row.status,
        unpublished_at: row.unpublished_at,
        has_live_deployment: row.has_live_deployment,
        analytics_enabled: row.analytics_enabled,
        // Older rows may hold keys this page does not edit; unknown shapes read as defaults.
        seo: serde_json::from_value(row.seo_defaults).unwrap_or_default(),
        favicon_url: row.favicon_url,
        redirects: redirects
            .into_iter()
            .map(|(subdomain, release_at)| SubdomainRedirect {
                subdomain,
                release_at,
            })
            .collect(),
        can_edit: false,
        can_manage: false,
        can_delete: false,
    })
}

fn refuse_archived(row: &Row) -> Result<(), AppError> {
    match row.status.as_str() {
        "archived" => Err(AppError::invalid(
            "website",
            "This website is archived. Restore it first.",
        )),
        "suspended" => Err(AppError::forbidden(
            "This website is suspended and cannot be changed here.",
        )),
        _ => Ok(()),
    }
}

pub async fn rename(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    website: Uuid,
    name: &str,
) -> Result<(), AppError> {
    let name = crate::model::parse_name("name", "the website's name", name, 2, 80)?;
    let row = lock(tx, website).await?;
    if row.name == name {
        return Ok(());
    }
    sqlx::query("UPDATE websites SET name = $2 WHERE id = $1")
        .bind(website)
        .bind(&name)
        .execute(&mut **tx)
        .await?;
    let meta = serde_json::json!({ "from": row.name, "to": name });
    audit(
        tx,
        tenant,
        Some(user),
        "website.renamed",
        ("website", website),
        meta,
    )
    .await
}

/// Moves the website to `subdomain`. The old one redirects to the new one for
/// [`LIFECYCLE_GRACE_DAYS`] (then the lifecycle job releases it); going back to an address
/// the website still redirects from simply takes it back.
pub async fn change_subdomain(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    website: Uuid,
    subdomain: &str,
) -> Result<(), AppError> {
    let new = crate::model::parse_subdomain(subdomain)?;
    let row = lock(tx, website).await?;
    refuse_archived(&row)?;
    if row.subdomain.as_deref() == Some(new.as_str()) {
        return Ok(());
    }
    // Taking back one of its own old addresses: that redirect ends.
    sqlx::query("DELETE FROM website_subdomain_redirects WHERE website_id = $1 AND subdomain = $2")
        .bind(website)
        .bind(&new)
        .execute(&mut **tx)
        .await?;
    // Another tenant's website (hidden by RLS) may hold it: the unique key or the redirect
    // trigger answers, mapped to a field error (`AppError::from`).
    sqlx::query("UPDATE websites SET subdomain = $2 WHERE id = $1")
        .bind(website)
        .bind(&new)
        .execute(&mut **tx)
        .await?;
    let mut release_at = None;
    if let Some(old) = &row.subdomain {
        let at: DateTime<Utc> = sqlx::query_scalar(
            r#"INSERT INTO website_subdomain_redirects (subdomain, tenant_id, website_id, release_at)
               VALUES ($1, $2, $3, now() + make_interval(days => $4))
               RETURNING release_at"#,
        )
        .bind(old)
        .bind(tenant)
        .bind(website)
        .bind(LIFECYCLE_GRACE_DAYS as i32)
        .fetch_one(&mut **tx)
        .await?;
        release_at = Some(at);
    }
    let meta =
        serde_json::json!({ "from": row.subdomain, "to": new, "redirect_until": release_at });
    audit(
        tx,
        tenant,
        Some(user),
        "website.subdomain_changed",
        ("website", website),
        meta,
    )
    .await
}

pub async fn set_seo_defaults(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    website: Uuid,
    seo: SiteSeoDefaults,
) -> Result<(), AppError> {
    let seo = seo.parse()?;
    let row = lock(tx, website).await?;
    // Keys this page does not edit (written by older versions or imports) are kept.
    let mut merged = match row.seo_defaults {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    for key in ["title_template", "description", "og_image", "no_index"] {
        merged.remove(key);
    }
    if let serde_json::Value::Object(m) =
        serde_json::to_value(&seo).map_err(|_| AppError::Internal)?
    {
        merged.extend(m);
    }
    sqlx::query("UPDATE websites SET seo_defaults = $2 WHERE id = $1")
        .bind(website)
        .bind(serde_json::Value::Object(merged))
        .execute(&mut **tx)
        .await?;
    let meta = serde_json::json!({ "no_index": seo.no_index });
    audit(
        tx,
        tenant,
        Some(user),
        "website.seo_defaults_changed",
        ("website", website),
        meta,
    )
    .await
}

/// Sets (or, with an empty address, clears) the favicon: an image address checked like a
/// logo's (a media library address `/media/…` or https). Visitors get it after the next
/// publish. Audited `website.favicon_changed`; the media library's "used in" follows.
pub async fn set_favicon(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    website: Uuid,
    favicon_url: &str,
) -> Result<(), AppError> {
    let url = favicon_url.trim();
    crate::model::check_image_address("favicon_url", url)?;
    let url = (!url.is_empty()).then(|| url.to_string());
    let row = lock(tx, website).await?;
    if row.favicon_url == url {
        return Ok(());
    }
    sqlx::query("UPDATE websites SET favicon_url = $2 WHERE id = $1")
        .bind(website)
        .bind(&url)
        .execute(&mut **tx)
        .await?;
    super::assets::sync_usage(tx, tenant, website).await?;
    audit(
        tx,
        tenant,
        Some(user),
        "website.favicon_changed",
        ("website", website),
        serde_json::json!({ "from": row.favicon_url, "to": url }),
    )
    .await
}

pub async fn set_analytics(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    website: Uuid,
    enabled: bool,
) -> Result<(), AppError> {
    let row = lock(tx, website).await?;
    if row.analytics_enabled == enabled {
        return Ok(());
    }
    sqlx::query("UPDATE websites SET analytics_enabled = $2 WHERE id = $1")
        .bind(website)
        .bind(enabled)
        .execute(&mut **tx)
        .await?;
    let meta = serde_json::json!({ "enabled": enabled });
    audit(
        tx,
        tenant,
        Some(user),
        "website.analytics_changed",
        ("website", website),
        meta,
    )
    .await
}

/// Takes a published website offline: visitors get the "not available" page; deployments stay.
pub async fn unpublish(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    website: Uuid,
) -> Result<(), AppError> {
    let row = lock(tx, website).await?;
    refuse_archived(&row)?;
    if row.status != "published" {
        return Err(AppError::invalid(
            "website",
            "This website is not published, so there is nothing to take offline.",
        ));
    }
    sqlx::query("UPDATE websites SET status = 'draft', unpublished_at = now() WHERE id = $1")
        .bind(website)
        .execute(&mut **tx)
        .await?;
    audit(
        tx,
        tenant,
        Some(user),
        "website.unpublished",
        ("website", website),
        serde_json::json!({}),
    )
    .await
}

/// Puts an unpublished website's live deployment back online, as it was.
pub async fn republish(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    website: Uuid,
) -> Result<(), AppError> {
    let row = lock(tx, website).await?;
    refuse_archived(&row)?;
    if row.status == "published" {
        return Ok(());
    }
    if !row.has_live_deployment {
        return Err(AppError::invalid(
            "website",
            "This website has never been published. Publish it from the builder.",
        ));
    }
    sqlx::query(
        "UPDATE websites SET status = 'published', unpublished_at = NULL, published_at = COALESCE(published_at, now()) WHERE id = $1",
    )
    .bind(website)
    .execute(&mut **tx)
    .await?;
    audit(
        tx,
        tenant,
        Some(user),
        "website.republished",
        ("website", website),
        serde_json::json!({}),
    )
    .await
}

/// Archives the website: offline, out of the plan's website count, restorable.
pub async fn archive(tx: &mut Tx, tenant: Uuid, user: Uuid, website: Uuid) -> Result<(), AppError> {
    let row = lock(tx, website).await?;
    refuse_archived(&row)?;
    sqlx::query("UPDATE websites SET status = 'archived', unpublished_at = NULL WHERE id = $1")
        .bind(website)
        .execute(&mut **tx)
        .await?;
    let meta = serde_json::json!({ "was": row.status });
    audit(
        tx,
        tenant,
        Some(user),
        "website.archived",
        ("website", website),
        meta,
    )
    .await
}

/// Deletes the website softly: offline at once and gone from the dashboard; the lifecycle job
/// purges it [`LIFECYCLE_GRACE_DAYS`] later. `confirm` must be the website's name.
pub async fn delete(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    website: Uuid,
    confirm: &str,
) -> Result<DateTime<Utc>, AppError> {
    let row = lock(tx, website).await?;
    if row.status == "suspended" {
        return Err(AppError::forbidden(
            "This website is suspended and cannot be changed here.",
        ));
    }
    if confirm.trim() != row.name {
        return Err(AppError::invalid(
            "confirm",
            format!("Type the website's name, “{}”, to confirm.", row.name),
        ));
    }
    let purge_at: DateTime<Utc> = sqlx::query_scalar(
        r#"UPDATE websites SET deleted_at = now() WHERE id = $1
           RETURNING now() + make_interval(days => $2)"#,
    )
    .bind(website)
    .bind(LIFECYCLE_GRACE_DAYS as i32)
    .fetch_one(&mut **tx)
    .await?;
    let meta = serde_json::json!({ "name": row.name, "subdomain": row.subdomain, "purge_after": purge_at });
    audit(
        tx,
        tenant,
        Some(user),
        "website.deleted",
        ("website", website),
        meta,
    )
    .await?;
    Ok(purge_at)
}

/// A row of [`deleted_websites`]: id, name, subdomain, deleted at, purged after.
type DeletedRow = (Uuid, String, Option<String>, DateTime<Utc>, DateTime<Utc>);

/// The websites deleted within the last 30 days, newest first: they can still be restored.
pub async fn deleted_websites(tx: &mut Tx) -> Result<Vec<crate::model::DeletedWebsite>, AppError> {
    let rows: Vec<DeletedRow> = sqlx::query_as(
        r#"SELECT id, name, subdomain, deleted_at, deleted_at + make_interval(days => $1)
             FROM websites
            WHERE deleted_at IS NOT NULL AND deleted_at > now() - make_interval(days => $1)
            ORDER BY deleted_at DESC, name"#,
    )
    .bind(LIFECYCLE_GRACE_DAYS as i32)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, subdomain, deleted_at, purge_at)| crate::model::DeletedWebsite {
                id,
                name,
                subdomain,
                deleted_at,
                purge_at,
            },
        )
        .collect())
}

/// Undoes a deletion within the 30 days: the website comes back as it was (an archived one
/// stays archived; any other counts against the plan's websites again, `LimitReached`
/// otherwise). Its address was kept reserved, and a live deployment serves again at once.
/// Audited `website.undeleted`.
pub async fn undelete(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    website: Uuid,
) -> Result<(), AppError> {
    let row: Option<(String, String)> = sqlx::query_as(
        r#"SELECT name, status FROM websites
            WHERE id = $1 AND deleted_at IS NOT NULL
              AND deleted_at > now() - make_interval(days => $2)
            FOR UPDATE"#,
    )
    .bind(website)
    .bind(LIFECYCLE_GRACE_DAYS as i32)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((name, status)) = row else {
        return Err(AppError::NotFound("Website".into()));
    };
    if status != "archived" {
        super::limits::check_websites(tx, tenant).await?;
    }
    sqlx::query("UPDATE websites SET deleted_at = NULL WHERE id = $1")
        .bind(website)
        .execute(&mut **tx)
        .await?;
    audit(
        tx,
        tenant,
        Some(user),
        "website.undeleted",
        ("website", website),
        serde_json::json!({ "name": name }),
    )
    .await
}

/// The lifecycle job: removes a website deleted 30 days before `now` with everything that
/// hangs off it (pages, deployments, backups, redirects cascade). `false` when it is not (or
/// no longer) due.
pub async fn purge(
    tx: &mut Tx,
    tenant: Uuid,
    website: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let gone: Option<(String, Option<String>)> = sqlx::query_as(
        r#"DELETE FROM websites
           WHERE id = $1 AND deleted_at IS NOT NULL
             AND deleted_at <= $2 - make_interval(days => $3)
           RETURNING name, subdomain"#,
    )
    .bind(website)
    .bind(now)
    .bind(LIFECYCLE_GRACE_DAYS as i32)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((name, subdomain)) = gone else {
        return Ok(false);
    };
    let (released, released_bytes) = release_unused_assets(tx, tenant, website).await?;
    let meta = serde_json::json!({
        "name": name,
        "subdomain": subdomain,
        "released_assets": released,
        "released_bytes": released_bytes,
    });
    audit(
        tx,
        tenant,
        None,
        "website.purged",
        ("website", website),
        meta,
    )
    .await?;
    Ok(true)
}

/// After a purge: the media library entries the purged website used, and that no other
/// website uses and no remaining deployment published, are deleted, which gives their bytes
/// back to the plan's storage quota; their files are removed by the `assets.purge` job
/// (queued in this transaction). Returns (entries released, bytes released).
async fn release_unused_assets(
    tx: &mut Tx,
    tenant: Uuid,
    website: Uuid,
) -> Result<(i64, i64), AppError> {
    let orphans: Vec<(Uuid, i64)> = sqlx::query_as(
        r#"UPDATE assets SET used_in_websites = array_remove(used_in_websites, $1)
            WHERE $1 = ANY(used_in_websites)
        RETURNING id, size_bytes, cardinality(used_in_websites) = 0 AS unused"#,
    )
    .bind(website)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .filter_map(|(id, size, unused): (Uuid, i64, bool)| unused.then_some((id, size)))
    .collect();
    let (mut count, mut bytes) = (0, 0);
    for (id, size) in orphans {
        let published: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM asset_publications WHERE asset_id = $1)",
        )
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
        if published {
            continue;
        }
        if let Some(removed) = super::assets::delete(tx, id).await? {
            super::assets::enqueue_purge(tx, tenant, id, &removed).await?;
            count += 1;
            bytes += size;
        }
    }
    Ok((count, bytes))
}

/// The lifecycle job: ends the redirect from `subdomain` once its time has come; the address
/// is then free for any website. `false` when it is not (or no longer) due.
pub async fn release_subdomain(
    tx: &mut Tx,
    tenant: Uuid,
    subdomain: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let gone: Option<Uuid> = sqlx::query_scalar(
        r#"DELETE FROM website_subdomain_redirects WHERE subdomain = $1 AND release_at <= $2
           RETURNING website_id"#,
    )
    .bind(subdomain)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(website) = gone else {
        return Ok(false);
    };
    let meta = serde_json::json!({ "subdomain": subdomain });
    audit(
        tx,
        tenant,
        None,
        "website.subdomain_released",
        ("website", website),
        meta,
    )
    .await?;
    Ok(true)
}
