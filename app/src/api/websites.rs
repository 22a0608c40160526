//! The dashboard's list of websites and pages.

use super::wire::WireJson;
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::WebsiteSummary;

#[server(endpoint = "websites", output = WireJson)]
pub async fn list_websites() -> Result<Vec<WebsiteSummary>, AppError> {
    // Every role, viewers included, may see the tenant's websites.
    let (_, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let sites = crate::db::websites::list(&mut tx).await?;
    tx.commit().await?;
    Ok(sites)
}

/// Creates a website (name + subdomain) with a home page; refused past the plan's
/// `max_websites` with `LimitReached`. Viewers cannot create websites.
#[server(endpoint = "websites/create", input = WireJson, output = WireJson)]
pub async fn create_website(name: String, subdomain: String) -> Result<uuid::Uuid, AppError> {
    let (member, mut tx) = super::ctx::member_tx(
        crate::model::Role::can_edit_content,
        "Viewers cannot create websites. Ask the owner or an admin for editor access.",
    )
    .await?;
    let id =
        crate::db::websites::create(&mut tx, member.tenant_id, member.user_id, &name, &subdomain)
            .await?;
    tx.commit().await?;
    Ok(id)
}
