//! The storefront blocks' catalogue reads (product grid, product, buy button): one [`Shelf`]
//! per page render, in the caller's tenant transaction (RLS shows only the tenant's rows).
//! Visitor pages see active products with at least one variant, and nothing at all while the
//! tenant's plan does not sell; the builder sees every product, drafts marked.

use sqlx::FromRow;
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;
use crate::model::{
    Shelf, ShelfCategory, ShelfNeeds, ShelfProduct, StorefrontProduct, StorefrontVariant, GRID_MAX,
};

/// Products the builder lists in its pickers (and renders on its canvas) at most.
pub const BUILDER_PRODUCTS_MAX: i64 = 500;

/// Who reads: a visitor page (active products, when the plan sells) or the builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Visitor,
    Builder,
}

#[derive(FromRow)]
struct ProductRow {
    id: Uuid,
    title: String,
    slug: String,
    description: String,
    status: String,
    currency: String,
    option_names: Vec<String>,
    images: Vec<String>,
    seo_title: Option<String>,
    seo_description: Option<String>,
}

#[derive(FromRow)]
struct VariantRow {
    product_id: Uuid,
    id: Uuid,
    option_values: Vec<String>,
    sku: Option<String>,
    price_cents: i64,
    compare_at_price_cents: Option<i64>,
    stock: i32,
    track_inventory: bool,
}

#[derive(FromRow)]
struct MemberRow {
    category_id: Uuid,
    product_id: Uuid,
}

/// Whether the current tenant's plan sells (`plans.commerce_enabled`).
pub async fn sells(tx: &mut Tx) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        r#"SELECT coalesce(bool_or(pl.commerce_enabled), false)
             FROM tenants t JOIN plans pl ON pl.id = t.plan_id
            WHERE t.id = nullif(current_setting('app.current_tenant_id', true), '')::uuid"#,
    )
    .fetch_one(&mut **tx)
    .await?)
}

/// The catalogue rows `needs` names, for `website_id`. Products come back in no particular
/// order; `Shelf::grid` orders them by the grid's source.
pub async fn shelf(
    tx: &mut Tx,
    website_id: Uuid,
    needs: &ShelfNeeds,
    reader: Reader,
) -> Result<Shelf, AppError> {
    let editing = reader == Reader::Builder;
    let mut shelf = Shelf {
        editing,
        ..Shelf::default()
    };
    if !editing && !sells(tx).await? {
        return Ok(shelf);
    }
    // Active products with a variant, or (builder) every product.
    const VISIBLE: &str = "(p.status = 'active' OR $2)
        AND EXISTS (SELECT 1 FROM website_product_variants v WHERE v.product_id = p.id)";
    if needs.all || editing {
        let limit = if editing {
            BUILDER_PRODUCTS_MAX
        } else {
            GRID_MAX as i64
        };
        shelf.all = sqlx::query_scalar(&format!(
            r#"SELECT p.id FROM website_products p
                WHERE p.website_id = $1 AND {VISIBLE}
                ORDER BY p.is_featured DESC, p.created_at DESC, p.id
                LIMIT $3"#
        ))
        .bind(website_id)
        .bind(editing)
        .bind(limit)
        .fetch_all(&mut **tx)
        .await?;
    }
    let categories: Vec<(Uuid, String)> = sqlx::query_as(
        r#"SELECT id, name FROM website_categories
            WHERE website_id = $1 AND (id = ANY($2) OR $3)
            ORDER BY sort_order, name, id"#,
    )
    .bind(website_id)
    .bind(&needs.categories)
    .bind(editing)
    .fetch_all(&mut **tx)
    .await?;
    let ids: Vec<Uuid> = categories.iter().map(|c| c.0).collect();
    let members = sqlx::query_as::<_, MemberRow>(&format!(
        r#"SELECT pc.category_id, pc.product_id
             FROM website_product_categories pc
             JOIN website_products p ON p.id = pc.product_id
            WHERE p.website_id = $1 AND pc.category_id = ANY($3) AND {VISIBLE}
            ORDER BY pc.category_id, pc.position, p.created_at DESC, p.id"#
    ))
    .bind(website_id)
    .bind(editing)
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await?;
    shelf.categories = categories
        .into_iter()
        .map(|(id, name)| ShelfCategory {
            id,
            name,
            product_ids: members
                .iter()
                .filter(|m| m.category_id == id)
                .map(|m| m.product_id)
                .take(GRID_MAX)
                .collect(),
        })
        .collect();

    let mut wanted: Vec<Uuid> = shelf.all.clone();
    let more = needs
        .products
        .iter()
        .chain(shelf.categories.iter().flat_map(|c| c.product_ids.iter()));
    for id in more {
        if !wanted.contains(id) {
            wanted.push(*id);
        }
    }
    if wanted.is_empty() {
        return Ok(shelf);
    }
    let rows = sqlx::query_as::<_, ProductRow>(&format!(
        r#"SELECT p.id, p.title, p.slug, p.description, p.status, p.currency, p.option_names,
                  p.images, p.seo_title, p.seo_description
             FROM website_products p
            WHERE p.website_id = $1 AND p.id = ANY($3) AND {VISIBLE}"#
    ))
    .bind(website_id)
    .bind(editing)
    .bind(&wanted)
    .fetch_all(&mut **tx)
    .await?;
    let found: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let variants = sqlx::query_as::<_, VariantRow>(
        r#"SELECT product_id, id, option_values, sku, price_cents, compare_at_price_cents, stock,
                  track_inventory
             FROM website_product_variants
            WHERE product_id = ANY($1)
            ORDER BY product_id, position, created_at, id"#,
    )
    .bind(&found)
    .fetch_all(&mut **tx)
    .await?;
    shelf.products = rows
        .into_iter()
        .map(|p| ShelfProduct {
            status: p.status,
            product: StorefrontProduct {
                variants: variants
                    .iter()
                    .filter(|v| v.product_id == p.id)
                    .map(|v| StorefrontVariant {
                        id: v.id,
                        option_values: v.option_values.clone(),
                        sku: v.sku.clone(),
                        price_cents: v.price_cents,
                        compare_at_price_cents: v.compare_at_price_cents,
                        stock: v.track_inventory.then_some(v.stock),
                        available: !v.track_inventory || v.stock > 0,
                    })
                    .collect(),
                id: p.id,
                slug: p.slug,
                title: p.title,
                description: p.description,
                currency: p.currency,
                option_names: p.option_names,
                images: p.images,
                seo_title: p.seo_title,
                seo_description: p.seo_description,
            },
        })
        .collect();
    Ok(shelf)
}
