//! The dashboard's list of websites and pages.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::WebsiteSummary;

#[server(endpoint = "websites")]
pub async fn list_websites() -> Result<Vec<WebsiteSummary>, AppError> {
    // Every role, viewers included, may see the tenant's websites.
    let (_, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let sites = crate::db::websites::list(&mut tx).await?;
    tx.commit().await?;
    Ok(sites)
}
