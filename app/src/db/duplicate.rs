//! Duplicating a page (inside its website) and a whole website (issue 20 §3), within the
//! plan's page and website limits. Each runs in the caller's tenant transaction.

use uuid::Uuid;

use super::{audit, backup, limits, Tx};
use crate::error::AppError;
use crate::model::{PageSlug, SiteBackup};

/// A free address for the copy: `/menu-copy`, then `/menu-copy-2`, … on this website.
async fn free_slug(tx: &mut Tx, website: Uuid, title: &str) -> Result<String, AppError> {
    let base = PageSlug::suggest(title);
    let taken: Vec<String> =
        sqlx::query_scalar("SELECT slug FROM pages WHERE website_id = $1 AND slug LIKE $2 || '%'")
            .bind(website)
            .bind(&base)
            .fetch_all(&mut **tx)
            .await?;
    (1..=1000)
        .map(|i| {
            if i == 1 {
                base.clone()
            } else {
                format!("{base}-{i}")
            }
        })
        .find(|s| !taken.contains(s) && s.len() <= PageSlug::MAX)
        .ok_or_else(|| {
            AppError::invalid("slug", "No free address is left for a copy of this page.")
        })
}

/// Copies a page (settings and every block, in order) as a new draft page of the same website,
/// titled "… (copy)". Refused past the plan's pages per website. Returns the new page's id.
pub async fn page(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    page: Uuid,
) -> Result<(Uuid, Uuid), AppError> {
    let row: Option<(Uuid, String)> =
        sqlx::query_as("SELECT website_id, title FROM pages WHERE id = $1")
            .bind(page)
            .fetch_optional(&mut **tx)
            .await?;
    let (website, title) = row.ok_or_else(|| AppError::NotFound("Page".into()))?;
    // Lock the website so concurrent copies count pages one after the other.
    sqlx::query("SELECT id FROM websites WHERE id = $1 FOR UPDATE")
        .bind(website)
        .execute(&mut **tx)
        .await?;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM pages WHERE website_id = $1")
        .bind(website)
        .fetch_one(&mut **tx)
        .await?;
    limits::check_pages(tx, tenant, count).await?;
    let mut copy_title: String = title.chars().take(73).collect();
    copy_title.push_str(" (copy)");
    let slug = free_slug(tx, website, &copy_title).await?;
    let copy: Uuid = sqlx::query_scalar(
        r#"INSERT INTO pages (tenant_id, website_id, title, slug, status, is_home, show_in_nav,
                              nav_order, nav_label, seo_meta, page_config)
           SELECT tenant_id, website_id, $2, $3, 'draft', false, show_in_nav,
                  (SELECT COALESCE(max(nav_order) + 1, 0) FROM pages WHERE website_id = $4),
                  nav_label, seo_meta, page_config
           FROM pages WHERE id = $1 RETURNING id"#,
    )
    .bind(page)
    .bind(&copy_title)
    .bind(&slug)
    .bind(website)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        r#"INSERT INTO components (tenant_id, page_id, type, order_key, props, is_visible, is_locked, required_plan, global_block_id)
           SELECT tenant_id, $2, type, order_key, props, is_visible, is_locked, required_plan, global_block_id
           FROM components WHERE page_id = $1"#,
    )
    .bind(page)
    .bind(copy)
    .execute(&mut **tx)
    .await?;
    audit(
        tx,
        tenant,
        Some(user),
        "page.duplicated",
        ("page", copy),
        serde_json::json!({ "from": page, "title": copy_title, "slug": slug }),
    )
    .await?;
    Ok((copy, website))
}

/// Copies a website (its draft content, as an export and import would) to a new draft
/// website named `name` at `subdomain` (both already parsed), within the plan's website limit.
pub async fn website(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    website: Uuid,
    name: &str,
    subdomain: &str,
) -> Result<Uuid, AppError> {
    let doc = backup::export(tx, website).await?;
    let mut site = SiteBackup::validate(doc)?;
    site.name = name.to_string();
    let copy = backup::import(tx, tenant, user, &site, subdomain).await?;
    audit(
        tx,
        tenant,
        Some(user),
        "website.duplicated",
        ("website", copy),
        serde_json::json!({ "from": website }),
    )
    .await?;
    Ok(copy)
}
