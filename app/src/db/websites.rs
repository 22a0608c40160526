//! Dashboard reads.

use sqlx::FromRow;
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;
use crate::model::{PageSummary, WebsiteSummary};

#[derive(FromRow)]
struct WebsiteRow {
    id: Uuid,
    name: String,
    subdomain: Option<String>,
    status: String,
}

#[derive(FromRow)]
struct PageRow {
    id: Uuid,
    website_id: Uuid,
    title: String,
    slug: String,
    status: String,
    is_home: bool,
}

/// The tenant's websites with their pages (home first, then nav order). RLS limits both
/// queries to the transaction's tenant.
/// `NotFound` unless the tenant has website `id` (RLS hides other tenants' websites, so
/// theirs look missing too).
pub async fn require(tx: &mut Tx, id: Uuid) -> Result<(), AppError> {
    let found: Option<Uuid> = sqlx::query_scalar("SELECT id FROM websites WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    found
        .map(|_| ())
        .ok_or_else(|| AppError::NotFound("Website".into()))
}

pub async fn list(tx: &mut Tx) -> Result<Vec<WebsiteSummary>, AppError> {
    let sites = sqlx::query_as::<_, WebsiteRow>(
        r#"SELECT id, name, subdomain, status FROM websites
           WHERE status <> 'archived' AND deleted_at IS NULL ORDER BY created_at, id"#,
    )
    .fetch_all(&mut **tx)
    .await?;
    let pages = sqlx::query_as::<_, PageRow>(
        r#"SELECT id, website_id, title, slug, status, is_home FROM pages
           ORDER BY is_home DESC, nav_order, title"#,
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(sites
        .into_iter()
        .map(|w| WebsiteSummary {
            pages: pages
                .iter()
                .filter(|p| p.website_id == w.id)
                .map(|p| PageSummary {
                    id: p.id,
                    title: p.title.clone(),
                    slug: p.slug.clone(),
                    status: p.status.clone(),
                    is_home: p.is_home,
                })
                .collect(),
            id: w.id,
            name: w.name,
            subdomain: w.subdomain,
            status: w.status,
        })
        .collect())
}

/// A new website with its home page (the same starter blocks as sign-up), refused past the
/// plan's `max_websites` (archived websites do not count). One transaction: nothing is left
/// behind when the address is taken or the limit is reached.
pub async fn create(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    name: &str,
    subdomain: &str,
) -> Result<Uuid, AppError> {
    let name = crate::model::parse_name("name", "the website's name", name, 2, 80)?;
    let subdomain = crate::model::parse_subdomain(subdomain)?;
    super::limits::check_websites(tx, tenant).await?;
    let branding =
        serde_json::to_value(crate::model::Branding::default()).map_err(|_| AppError::Internal)?;
    // DO NOTHING rather than an error: another tenant's website (hidden by RLS) may hold it.
    let id: Option<Uuid> = sqlx::query_scalar(
        r#"INSERT INTO websites (tenant_id, name, subdomain, status, branding_config)
           VALUES ($1, $2, $3, 'draft', $4)
           ON CONFLICT (subdomain) DO NOTHING RETURNING id"#,
    )
    .bind(tenant)
    .bind(&name)
    .bind(&subdomain)
    .bind(&branding)
    .fetch_optional(&mut **tx)
    .await?;
    let id = id.ok_or_else(|| {
        AppError::invalid(
            "subdomain",
            format!("The address {subdomain} is taken. Choose another."),
        )
    })?;
    let home: Uuid = sqlx::query_scalar(
        r#"INSERT INTO pages (tenant_id, website_id, title, slug, status, is_home, nav_order)
           VALUES ($1, $2, 'Home', '/', 'published', true, 0) RETURNING id"#,
    )
    .bind(tenant)
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    let blocks = crate::model::BlockProps::signup_defaults(&name);
    super::page_blocks::fill_empty_page(tx, tenant, home, blocks).await?;
    let meta = serde_json::json!({ "subdomain": subdomain });
    super::audit(
        tx,
        tenant,
        Some(user),
        "website.created",
        ("website", id),
        meta,
    )
    .await?;
    Ok(id)
}

/// Brings an archived website back (as a draft), within the plan's `max_websites`. Archiving
/// on downgrade is never undone automatically; the owner chooses what to restore.
pub async fn restore(tx: &mut Tx, tenant: Uuid, user: Uuid, website: Uuid) -> Result<(), AppError> {
    let status: Option<String> = sqlx::query_scalar(
        "SELECT status FROM websites WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
    )
    .bind(website)
    .fetch_optional(&mut **tx)
    .await?;
    match status.as_deref() {
        None => return Err(AppError::NotFound("Website".into())),
        Some("archived") => {}
        Some(_) => {
            return Err(AppError::invalid(
                "website",
                "This website is not archived.",
            ))
        }
    }
    super::limits::check_websites(tx, tenant).await?;
    sqlx::query("UPDATE websites SET status = 'draft' WHERE id = $1")
        .bind(website)
        .execute(&mut **tx)
        .await?;
    super::audit(
        tx,
        tenant,
        Some(user),
        "website.restored",
        ("website", website),
        serde_json::json!({}),
    )
    .await?;
    Ok(())
}
