//! The live catalogue for a visitor page's storefront blocks (product grid, product, buy
//! button): read in the site's tenant transaction when the page is rendered. Pages without
//! such a block never read it (and so never touch a table, see `visitor_site/no_tables.rs`).
//! How the rendered page stays fresh in the cache: `cache.rs` and migration 0053.

use std::sync::Arc;

use app::error::AppError;
use app::model::{BlockProps, Shelf, ShelfNeeds, SnapshotPage};
use app::site::SiteAddress;
use app::state::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use super::headers;

/// Whether `page` shows a storefront block that reads the catalogue.
pub(super) fn shows_catalogue(page: &SnapshotPage) -> bool {
    page.components
        .iter()
        .any(|c| c.is_visible && c.kind.is_shop())
}

/// The catalogue rows the page's storefront blocks show; `None` when it has none. A failed
/// read is a 503 page (never a page with the products left out, which would be cached).
pub(super) async fn shelf_for(
    state: &AppState,
    (tenant_id, website_id): (Uuid, Uuid),
    page: &SnapshotPage,
    addr: &SiteAddress,
) -> Result<Option<Arc<Shelf>>, Response> {
    if !shows_catalogue(page) {
        return Ok(None);
    }
    let blocks: Vec<BlockProps> = page
        .components
        .iter()
        .filter(|c| c.is_visible && c.kind.is_shop())
        .filter_map(|c| BlockProps::from_parts(c.kind.as_str(), c.props.clone()).ok())
        .collect();
    let needs = ShelfNeeds::of(&blocks).unwrap_or_default();
    let read = async {
        let mut tx = app::db::tenant_tx(&state.pool, tenant_id).await?;
        let shelf = app::db::storefront::shelf(
            &mut tx,
            website_id,
            &needs,
            app::db::storefront::Reader::Visitor,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(shelf)
    }
    .await;
    match read {
        Ok(mut shelf) => {
            shelf.prefix = addr.prefix.clone();
            shelf.base = addr.base.clone();
            Ok(Some(Arc::new(shelf)))
        }
        Err(e) => {
            tracing::error!(error = %e, website = %website_id, "storefront catalogue read failed");
            Err(headers::html(
                StatusCode::SERVICE_UNAVAILABLE,
                app::site::render_unavailable(),
            ))
        }
    }
}
