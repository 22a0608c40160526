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
pub async fn list(tx: &mut Tx) -> Result<Vec<WebsiteSummary>, AppError> {
    let sites = sqlx::query_as::<_, WebsiteRow>(
        r#"SELECT id, name, subdomain, status FROM websites
           WHERE status <> 'archived' ORDER BY created_at, id"#,
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
