//! Duplicating a page or a whole website (issue 20 §3). Both write content, so both need
//! `Role::can_edit_content` (viewers are read-only, schema reference §5), and both stay within
//! the plan's limits (`LimitReached` with the plan that lifts them).

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::PageCreated;

#[cfg(feature = "ssr")]
const CANNOT_DUPLICATE: &str =
    "Viewers cannot duplicate pages or websites. Ask an owner or admin for editor access.";

/// Copies a page with its settings and blocks as a new draft page "… (copy)" of the same
/// website; answers with the new page's id and the website's pages.
#[server(endpoint = "pages/duplicate", input = WireJson, output = WireJson)]
pub async fn duplicate_page(page_id: Uuid) -> Result<PageCreated, AppError> {
    let (m, mut tx) =
        super::ctx::member_tx(crate::model::Role::can_edit_content, CANNOT_DUPLICATE).await?;
    let (id, website) =
        crate::db::duplicate::page(&mut tx, m.tenant_id, m.user_id, page_id).await?;
    let overview = crate::db::pages::overview(&mut tx, m.tenant_id, website).await?;
    tx.commit().await?;
    Ok(PageCreated { id, overview })
}

/// Copies a website's draft content to a new draft website `name` at `subdomain`.
#[server(endpoint = "websites/duplicate", input = WireJson, output = WireJson)]
pub async fn duplicate_website(
    website_id: Uuid,
    name: String,
    subdomain: String,
) -> Result<Uuid, AppError> {
    let (m, mut tx) =
        super::ctx::member_tx(crate::model::Role::can_edit_content, CANNOT_DUPLICATE).await?;
    let name = crate::model::parse_name("name", "the website's name", &name, 2, 80)?;
    let subdomain = crate::model::parse_subdomain(&subdomain)?;
    let id = crate::db::duplicate::website(
        &mut tx,
        m.tenant_id,
        m.user_id,
        website_id,
        &name,
        &subdomain,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
