//! The builder's view of the shop for the storefront blocks: every product of the website
//! (drafts marked) and its categories, so the canvas renders real products and the
//! inspector's pickers list them. Every member may read it, as they may read the catalogue.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::Shelf;

/// The website's catalogue as the builder's shop blocks show it.
#[server(endpoint = "storefront/shelf", input = WireJson, output = WireJson)]
pub async fn load_shelf(website_id: Uuid) -> Result<Shelf, AppError> {
    use crate::db::storefront::{self, Reader};
    let (_, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    // 404 for a website of another organisation (RLS hides it) or a deleted one.
    crate::db::commerce::website_name(&mut tx, website_id).await?;
    let shelf = storefront::shelf(
        &mut tx,
        website_id,
        &crate::model::ShelfNeeds::default(),
        Reader::Builder,
    )
    .await?;
    tx.commit().await?;
    Ok(shelf)
}
