//! The shop's catalogue (issue 22): a website's products and their variants. Every member may
//! read it; owners, admins and editors change it (`Role::can_manage_products`). Selling needs
//! a plan with `commerce_enabled` (Growth, Pro) and adding a product stays within
//! `max_products`; otherwise the answer is `LimitReached` (402) with the plan that lifts it.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::{ProductDetail, ProductInput, ProductQuery, ProductStatus, ProductsOverview};

#[cfg(feature = "ssr")]
const ONLY_EDITORS: &str =
    "Only the owner, admins and editors can change the products. Ask one of them.";

/// The website's products matching `query`, with what the caller and the plan allow.
#[server(endpoint = "commerce/products", input = WireJson, output = WireJson)]
pub async fn load_products(
    website_id: Uuid,
    query: ProductQuery,
) -> Result<ProductsOverview, AppError> {
    use crate::db::{commerce, limits};
    let (member, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let website_name = commerce::website_name(&mut tx, website_id).await?;
    let plan_refusal = match limits::check_commerce(&mut tx, member.tenant_id).await {
        Ok(()) => None,
        Err(e @ AppError::LimitReached { .. }) => Some(e),
        Err(e) => return Err(e),
    };
    let products = commerce::list(&mut tx, website_id, &query).await?;
    let categories = crate::db::categories::list(&mut tx, website_id).await?;
    let products_used = commerce::count(&mut tx).await?;
    let products_max = limits::max_products(&mut tx, member.tenant_id).await?;
    tx.commit().await?;
    Ok(ProductsOverview {
        website_id,
        website_name,
        can_edit: member.role.can_manage_products(),
        plan_refusal,
        products_used,
        products_max,
        products,
        categories,
    })
}

/// One product with its variants, for its edit form.
#[server(endpoint = "commerce/product", input = WireJson, output = WireJson)]
pub async fn load_product(product_id: Uuid) -> Result<ProductDetail, AppError> {
    let (_, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let p = crate::db::commerce::get(&mut tx, product_id).await?;
    tx.commit().await?;
    Ok(p)
}

/// Adds a product (with at least one variant) to the website.
#[server(endpoint = "commerce/product/create", input = WireJson, output = WireJson)]
pub async fn create_product(
    website_id: Uuid,
    product: ProductInput,
) -> Result<ProductDetail, AppError> {
    use crate::db::{commerce, limits};
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_products, ONLY_EDITORS).await?;
    commerce::website_name(&mut tx, website_id).await?;
    limits::check_commerce(&mut tx, member.tenant_id).await?;
    let valid = crate::model::parse_product(&product)?;
    limits::check_products(&mut tx, member.tenant_id).await?;
    let id = commerce::create(
        &mut tx,
        member.tenant_id,
        member.user_id,
        website_id,
        &valid,
    )
    .await?;
    let p = commerce::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(p)
}

/// Saves a product's fields and variants (variants left out of the list are removed).
#[server(endpoint = "commerce/product/update", input = WireJson, output = WireJson)]
pub async fn update_product(
    product_id: Uuid,
    product: ProductInput,
) -> Result<ProductDetail, AppError> {
    use crate::db::{commerce, limits};
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_products, ONLY_EDITORS).await?;
    commerce::website_of(&mut tx, product_id).await?;
    limits::check_commerce(&mut tx, member.tenant_id).await?;
    let valid = crate::model::parse_product(&product)?;
    commerce::update(
        &mut tx,
        member.tenant_id,
        member.user_id,
        product_id,
        &valid,
    )
    .await?;
    let p = commerce::get(&mut tx, product_id).await?;
    tx.commit().await?;
    Ok(p)
}

/// Deletes a product. Allowed on any plan, so a shop can be cleared after a downgrade.
#[server(endpoint = "commerce/product/delete", input = WireJson, output = WireJson)]
pub async fn delete_product(product_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_products, ONLY_EDITORS).await?;
    crate::db::commerce::delete(&mut tx, member.tenant_id, member.user_id, product_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the status of several products of the website at once; returns how many changed.
#[server(endpoint = "commerce/products/status", input = WireJson, output = WireJson)]
pub async fn set_products_status(
    website_id: Uuid,
    product_ids: Vec<Uuid>,
    status: ProductStatus,
) -> Result<u64, AppError> {
    use crate::db::{commerce, limits};
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_products, ONLY_EDITORS).await?;
    if product_ids.is_empty() || product_ids.len() > 500 {
        return Err(AppError::invalid(
            "product_ids",
            "Choose between 1 and 500 products.",
        ));
    }
    commerce::website_name(&mut tx, website_id).await?;
    // Archiving or drafting stays possible after a downgrade; putting products on sale does not.
    if status == ProductStatus::Active {
        limits::check_commerce(&mut tx, member.tenant_id).await?;
    }
    let n = commerce::set_status(
        &mut tx,
        member.tenant_id,
        member.user_id,
        website_id,
        &product_ids,
        status,
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// The website's orders, newest first, with their history. Every member may read them.
#[server(endpoint = "commerce/orders", input = WireJson, output = WireJson)]
pub async fn load_orders(website_id: Uuid) -> Result<crate::model::OrdersOverview, AppError> {
    let (member, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let overview = super::orders::overview(&mut tx, member.role, website_id).await?;
    tx.commit().await?;
    Ok(overview)
}

/// Moves an order along (fulfilled, shipped, delivered) or cancels a pending one; answers the
/// website's orders as they now stand.
#[server(endpoint = "commerce/order/status", input = WireJson, output = WireJson)]
pub async fn set_order_status(
    order_id: Uuid,
    status: String,
) -> Result<crate::model::OrdersOverview, AppError> {
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_products, ONLY_EDITORS).await?;
    let website_id = crate::db::shop::set_status(
        &mut tx,
        (member.tenant_id, member.user_id),
        order_id,
        &status,
    )
    .await?;
    let overview = super::orders::overview(&mut tx, member.role, website_id).await?;
    tx.commit().await?;
    Ok(overview)
}

/// Reads a product CSV (the export's format) into the website: new addresses become products,
/// known ones are replaced. Any bad line refuses the whole file, naming the line.
#[server(endpoint = "commerce/products/import", input = WireJson, output = WireJson)]
pub async fn import_products(
    website_id: Uuid,
    csv: String,
) -> Result<crate::model::ProductImport, AppError> {
    use crate::db::{commerce, limits, product_csv};
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_products, ONLY_EDITORS).await?;
    commerce::website_name(&mut tx, website_id).await?;
    limits::check_commerce(&mut tx, member.tenant_id).await?;
    let items = crate::model::read_products_csv(&csv)?;
    let report = product_csv::import(
        &mut tx,
        (member.tenant_id, member.user_id),
        website_id,
        items,
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// `GET /websites/{id}/products.csv`: every member may read the catalogue, so every member may
/// download it; rate-limited like the other exports.
#[cfg(feature = "ssr")]
pub async fn export_csv_for(
    pool: &sqlx::PgPool,
    caller: &super::ctx::Caller,
    website_id: Uuid,
) -> Result<(String, crate::db::rate_limits::RateState), AppError> {
    let (_, rate, mut tx) = super::ctx::export_tx(pool, caller, |_| true, "").await?;
    let csv = crate::db::product_csv::export(&mut tx, website_id).await?;
    tx.commit().await?;
    Ok((csv, rate))
}
