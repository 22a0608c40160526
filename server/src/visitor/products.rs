//! `/products/{slug}` on a visitor site (issue 22): an active product of the website, rendered
//! around the live deployment's navigation and branding. Price and stock are read from the
//! database on every request, in the site's tenant transaction (RLS), so they are never stale;
//! the page is therefore never stored in the visitor cache and is sent `no-store`.

use app::error::AppError;
use app::site::SiteAddress;
use app::state::AppState;
use axum::http::StatusCode;
use axum::response::Response;

use super::cache::LiveSite;
use super::headers;

/// The product page for `slug`, or `None` when the website sells no active product there (the
/// path then falls through to the site's pages and their 404).
pub(super) async fn serve(
    state: &AppState,
    live: &LiveSite,
    addr: &SiteAddress,
    slug: &str,
) -> Option<Response> {
    if !app::model::is_product_slug(slug) {
        return None;
    }
    let found = async {
        let mut tx = app::db::tenant_tx(&state.pool, live.tenant_id).await?;
        let p = app::db::commerce::storefront_product(&mut tx, live.website_id, slug).await?;
        tx.commit().await?;
        Ok::<_, AppError>(p)
    }
    .await;
    match found {
        Ok(Some(p)) => Some(headers::html(
            StatusCode::OK,
            app::site::render_product(&live.snapshot, &p, addr),
        )),
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = %e, website = %live.website_id, "product page lookup failed");
            Some(headers::html(
                StatusCode::SERVICE_UNAVAILABLE,
                app::site::render_unavailable(),
            ))
        }
    }
}

/// The shop's index `/products`, or `None` when the website sells nothing (the path then falls
/// through to the site's pages).
pub(super) async fn index(
    state: &AppState,
    live: &LiveSite,
    addr: &SiteAddress,
) -> Option<Response> {
    let found = async {
        let mut tx = app::db::tenant_tx(&state.pool, live.tenant_id).await?;
        let cards = app::db::commerce::storefront_list(&mut tx, live.website_id, None).await?;
        tx.commit().await?;
        Ok::<_, AppError>(cards)
    }
    .await;
    match found {
        Ok(cards) if cards.is_empty() => None,
        Ok(cards) => Some(headers::html(
            StatusCode::OK,
            app::site::render_product_list(&live.snapshot, &cards, addr),
        )),
        Err(e) => {
            tracing::error!(error = %e, website = %live.website_id, "shop index lookup failed");
            Some(headers::html(
                StatusCode::SERVICE_UNAVAILABLE,
                app::site::render_unavailable(),
            ))
        }
    }
}

/// A category's page `/categories/{slug}`, or `None` when the website has no such category or
/// does not sell (the path then falls through to the site's pages and their 404).
pub(super) async fn category(
    state: &AppState,
    live: &LiveSite,
    addr: &SiteAddress,
    slug: &str,
) -> Option<Response> {
    if !app::model::is_product_slug(slug) {
        return None;
    }
    let found = async {
        let mut tx = app::db::tenant_tx(&state.pool, live.tenant_id).await?;
        let Some(c) = app::db::categories::by_slug(&mut tx, live.website_id, slug).await? else {
            return Ok(None);
        };
        let cards =
            app::db::commerce::storefront_list(&mut tx, live.website_id, Some(c.id)).await?;
        let sells = app::db::storefront::sells(&mut tx).await?;
        tx.commit().await?;
        Ok::<_, AppError>(sells.then_some((c, cards)))
    }
    .await;
    match found {
        Ok(Some((c, cards))) => Some(headers::html(
            StatusCode::OK,
            app::site::render_category(&live.snapshot, &c, &cards, addr),
        )),
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = %e, website = %live.website_id, "category page lookup failed");
            Some(headers::html(
                StatusCode::SERVICE_UNAVAILABLE,
                app::site::render_unavailable(),
            ))
        }
    }
}
