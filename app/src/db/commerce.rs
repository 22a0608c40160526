//! The shop's catalogue (issue 22, migration 0036): products and their variants, per website.
//! Every function runs in the caller's tenant transaction (RLS shows only the tenant's rows);
//! inputs arrive already parsed ([`ValidProduct`]). Plan checks are the caller's
//! (`db::limits::check_commerce`, `check_products`).

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;
use crate::model::{
    money_input, ProductDetail, ProductInput, ProductQuery, ProductStatus, ProductSummary,
    StorefrontCard, StorefrontProduct, StorefrontVariant, ValidProduct, VariantInput,
    PRODUCT_LIST_LIMIT, STOREFRONT_LIST_LIMIT,
};

fn product_not_found() -> AppError {
    AppError::NotFound("Product".into())
}

#[derive(FromRow)]
struct SummaryRow {
    id: Uuid,
    title: String,
    slug: String,
    status: String,
    currency: String,
    updated_at: DateTime<Utc>,
    variants: i64,
    price_min: Option<i64>,
    price_max: Option<i64>,
    stock: Option<i64>,
}

/// The website's products matching `q`, newest change first.
pub async fn list(
    tx: &mut Tx,
    website_id: Uuid,
    q: &ProductQuery,
) -> Result<Vec<ProductSummary>, AppError> {
    let search = q.search.trim();
    let pattern = format!(
        "%{}%",
        search
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let rows = sqlx::query_as::<_, SummaryRow>(&format!(
        r#"{sub}
           SELECT p.id, p.title, p.slug, p.status, p.currency, p.updated_at,
                  count(v.id) AS variants, min(v.price_cents) AS price_min,
                  max(v.price_cents) AS price_max,
                  sum(v.stock) FILTER (WHERE v.track_inventory)::int8 AS stock
             FROM website_products p
             LEFT JOIN website_product_variants v ON v.product_id = p.id
            WHERE p.website_id = $1
              AND ($2 = '' OR p.title ILIKE $3 OR p.slug ILIKE $3
                   OR EXISTS (SELECT 1 FROM website_product_variants s
                               WHERE s.product_id = p.id AND s.sku ILIKE $3))
              AND ($4::text IS NULL OR p.status = $4)
              AND ($6::uuid IS NULL OR EXISTS (
                   SELECT 1 FROM website_product_categories pc JOIN sub ON sub.id = pc.category_id
                    WHERE pc.product_id = p.id))
            GROUP BY p.id
            ORDER BY p.updated_at DESC, p.id
            LIMIT $5"#,
        sub = super::categories::subtree_cte(6)
    ))
    .bind(website_id)
    .bind(search)
    .bind(pattern)
    .bind(q.status.map(ProductStatus::as_str))
    .bind(PRODUCT_LIST_LIMIT)
    .bind(q.category)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ProductSummary {
            id: r.id,
            title: r.title,
            slug: r.slug,
            status: ProductStatus::parse(&r.status).unwrap_or_default(),
            currency: r.currency,
            variants: r.variants,
            price_min_cents: r.price_min.unwrap_or(0),
            price_max_cents: r.price_max.unwrap_or(0),
            stock: r.stock,
            updated_at: r.updated_at,
        })
        .collect())
}

/// How many products the tenant has over all its websites.
pub async fn count(tx: &mut Tx) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM website_products")
        .fetch_one(&mut **tx)
        .await?)
}

/// The website a product belongs to.
pub async fn website_of(tx: &mut Tx, product_id: Uuid) -> Result<Uuid, AppError> {
    sqlx::query_scalar("SELECT website_id FROM website_products WHERE id = $1")
        .bind(product_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(product_not_found)
}

#[derive(FromRow)]
struct ProductRow {
    id: Uuid,
    website_id: Uuid,
    title: String,
    slug: String,
    description: String,
    status: String,
    currency: String,
    option_names: Vec<String>,
    images: Vec<String>,
    seo_title: Option<String>,
    seo_description: Option<String>,
    updated_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct VariantRow {
    id: Uuid,
    option_values: Vec<String>,
    sku: Option<String>,
    price_cents: i64,
    compare_at_price_cents: Option<i64>,
    stock: i32,
    track_inventory: bool,
}

/// A product with its variants, as its edit form shows it.
pub async fn get(tx: &mut Tx, product_id: Uuid) -> Result<ProductDetail, AppError> {
    let p = sqlx::query_as::<_, ProductRow>(
        r#"SELECT id, website_id, title, slug, description, status, currency, option_names,
                  images, seo_title, seo_description, updated_at
             FROM website_products WHERE id = $1"#,
    )
    .bind(product_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(product_not_found)?;
    let variants = sqlx::query_as::<_, VariantRow>(
        r#"SELECT id, option_values, sku, price_cents, compare_at_price_cents, stock, track_inventory
             FROM website_product_variants WHERE product_id = $1 ORDER BY position, created_at, id"#,
    )
    .bind(product_id)
    .fetch_all(&mut **tx)
    .await?;
    let currency = p.currency.clone();
    let category_ids = super::categories::of_product(tx, product_id).await?;
    Ok(ProductDetail {
        id: p.id,
        website_id: p.website_id,
        updated_at: p.updated_at,
        product: ProductInput {
            title: p.title,
            slug: p.slug,
            description: p.description,
            status: ProductStatus::parse(&p.status).unwrap_or_default(),
            currency: p.currency,
            option_names: p.option_names,
            images: p.images,
            seo_title: p.seo_title.unwrap_or_default(),
            seo_description: p.seo_description.unwrap_or_default(),
            variants: variants
                .into_iter()
                .map(|v| VariantInput {
                    id: Some(v.id),
                    option_values: v.option_values,
                    sku: v.sku.unwrap_or_default(),
                    price: money_input(v.price_cents, &currency),
                    compare_at_price: v
                        .compare_at_price_cents
                        .map(|c| money_input(c, &currency))
                        .unwrap_or_default(),
                    stock: v.stock.to_string(),
                    track_inventory: v.track_inventory,
                })
                .collect(),
            category_ids,
        },
    })
}

/// Refuses an address or SKUs another product of the website already uses, naming the field
/// (the unique constraints stay the last word under concurrency).
async fn check_unique(
    tx: &mut Tx,
    website_id: Uuid,
    product_id: Option<Uuid>,
    p: &ValidProduct,
) -> Result<(), AppError> {
    let other: Option<String> = sqlx::query_scalar(
        r#"SELECT title FROM website_products
            WHERE website_id = $1 AND slug = $2 AND ($3::uuid IS NULL OR id <> $3)"#,
    )
    .bind(website_id)
    .bind(&p.slug)
    .bind(product_id)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(title) = other {
        return Err(AppError::invalid(
            "slug",
            format!(
                "The product “{title}” already uses the address /products/{}. Choose another.",
                p.slug
            ),
        ));
    }
    let skus: Vec<String> = p.variants.iter().filter_map(|v| v.sku.clone()).collect();
    if skus.is_empty() {
        return Ok(());
    }
    let taken: Vec<(String, String)> = sqlx::query_as(
        r#"SELECT v.sku, p.title FROM website_product_variants v
             JOIN website_products p ON p.id = v.product_id
            WHERE v.website_id = $1 AND v.sku = ANY($2) AND ($3::uuid IS NULL OR v.product_id <> $3)"#,
    )
    .bind(website_id)
    .bind(&skus)
    .bind(product_id)
    .fetch_all(&mut **tx)
    .await?;
    if let Some((sku, title)) = taken.first() {
        let i = p
            .variants
            .iter()
            .position(|v| v.sku.as_deref() == Some(sku.as_str()))
            .unwrap_or(0);
        return Err(AppError::invalid(
            &format!("variants.{i}.sku"),
            format!(
                "Variant {}: the SKU {sku} is already used by the product “{title}”.",
                i + 1
            ),
        ));
    }
    Ok(())
}

/// Writes the variants of `product_id` as `p` lists them: listed ids are updated, new ones
/// inserted, the others deleted. An id that is not one of this product's variants is refused.
async fn write_variants(
    tx: &mut Tx,
    tenant_id: Uuid,
    website_id: Uuid,
    product_id: Uuid,
    p: &ValidProduct,
) -> Result<(), AppError> {
    let existing: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM website_product_variants WHERE product_id = $1")
            .bind(product_id)
            .fetch_all(&mut **tx)
            .await?;
    if p.variants
        .iter()
        .filter_map(|v| v.id)
        .any(|id| !existing.contains(&id))
    {
        return Err(AppError::invalid(
            "variants",
            "A variant of this form no longer exists. Reload the product and try again.",
        ));
    }
    let keep: Vec<Uuid> = p.variants.iter().filter_map(|v| v.id).collect();
    sqlx::query(
        "DELETE FROM website_product_variants WHERE product_id = $1 AND NOT (id = ANY($2))",
    )
    .bind(product_id)
    .bind(&keep)
    .execute(&mut **tx)
    .await?;
    // SKUs may move between this product's variants: clear them first.
    sqlx::query("UPDATE website_product_variants SET sku = NULL WHERE product_id = $1")
        .bind(product_id)
        .execute(&mut **tx)
        .await?;
    for (i, v) in p.variants.iter().enumerate() {
        match v.id {
            Some(id) => {
                sqlx::query(
                    r#"UPDATE website_product_variants
                          SET option_values = $2, sku = $3, price_cents = $4,
                              compare_at_price_cents = $5, stock = $6, track_inventory = $7,
                              position = $8, updated_at = now()
                        WHERE id = $1"#,
                )
                .bind(id)
                .bind(&v.option_values)
                .bind(&v.sku)
                .bind(v.price_cents)
                .bind(v.compare_at_price_cents)
                .bind(v.stock)
                .bind(v.track_inventory)
                .bind(i as i32)
                .execute(&mut **tx)
                .await?;
            }
            None => {
                sqlx::query(
                    r#"INSERT INTO website_product_variants
                           (tenant_id, website_id, product_id, option_values, sku, price_cents,
                            compare_at_price_cents, stock, track_inventory, position)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"#,
                )
                .bind(tenant_id)
                .bind(website_id)
                .bind(product_id)
                .bind(&v.option_values)
                .bind(&v.sku)
                .bind(v.price_cents)
                .bind(v.compare_at_price_cents)
                .bind(v.stock)
                .bind(v.track_inventory)
                .bind(i as i32)
                .execute(&mut **tx)
                .await?;
            }
        }
    }
    Ok(())
}

/// Adds a product with its variants to the website. The caller checked the plan.
pub async fn create(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    website_id: Uuid,
    p: &ValidProduct,
) -> Result<Uuid, AppError> {
    super::websites::require(tx, website_id).await?;
    save(tx, (tenant_id, user_id), website_id, None, p).await
}

/// Replaces a product's fields and variants. Returns its website.
pub async fn update(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    product_id: Uuid,
    p: &ValidProduct,
) -> Result<Uuid, AppError> {
    // Locks the product so two saves apply one after the other.
    let website_id: Uuid =
        sqlx::query_scalar("SELECT website_id FROM website_products WHERE id = $1 FOR UPDATE")
            .bind(product_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(product_not_found)?;
    save(tx, (tenant_id, user_id), website_id, Some(product_id), p).await?;
    Ok(website_id)
}

/// Writes a product's fields (a new row when `product_id` is `None`, else that row, which the
/// caller has locked), its variants and the audit row; answers the product's id.
async fn save(
    tx: &mut Tx,
    (tenant_id, user_id): (Uuid, Uuid),
    website_id: Uuid,
    product_id: Option<Uuid>,
    p: &ValidProduct,
) -> Result<Uuid, AppError> {
    check_unique(tx, website_id, product_id, p).await?;
    let id: Uuid = sqlx::query_scalar(
        r#"INSERT INTO website_products
               (id, tenant_id, website_id, title, slug, description, status, currency,
                option_names, images, seo_title, seo_description, created_by)
           VALUES (COALESCE($1, gen_random_uuid()), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
                   $12, $13)
           ON CONFLICT (id) DO UPDATE
              SET title = EXCLUDED.title, slug = EXCLUDED.slug,
                  description = EXCLUDED.description, status = EXCLUDED.status,
                  currency = EXCLUDED.currency, option_names = EXCLUDED.option_names,
                  images = EXCLUDED.images, seo_title = EXCLUDED.seo_title,
                  seo_description = EXCLUDED.seo_description, updated_at = now()
           RETURNING id"#,
    )
    .bind(product_id)
    .bind(tenant_id)
    .bind(website_id)
    .bind(&p.title)
    .bind(&p.slug)
    .bind(&p.description)
    .bind(p.status.as_str())
    .bind(&p.currency)
    .bind(&p.option_names)
    .bind(&p.images)
    .bind(&p.seo_title)
    .bind(&p.seo_description)
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await?;
    write_variants(tx, tenant_id, website_id, id, p).await?;
    super::categories::set_for_product(tx, tenant_id, website_id, id, &p.category_ids).await?;
    let action = if product_id.is_some() {
        "product.updated"
    } else {
        "product.created"
    };
    super::audit(
        tx,
        tenant_id,
        Some(user_id),
        action,
        ("product", id),
        serde_json::json!({ "website_id": website_id, "title": p.title, "slug": p.slug }),
    )
    .await?;
    Ok(id)
}

/// Deletes a product and its variants. Returns its website.
pub async fn delete(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    product_id: Uuid,
) -> Result<Uuid, AppError> {
    let (website_id, title): (Uuid, String) =
        sqlx::query_as("DELETE FROM website_products WHERE id = $1 RETURNING website_id, title")
            .bind(product_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(product_not_found)?;
    super::audit(
        tx,
        tenant_id,
        Some(user_id),
        "product.deleted",
        ("product", product_id),
        serde_json::json!({ "website_id": website_id, "title": title }),
    )
    .await?;
    Ok(website_id)
}

/// Sets the status of several products of one website at once (bulk publish, archive).
/// Ids of other websites (or tenants) are refused whole.
pub async fn set_status(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    website_id: Uuid,
    product_ids: &[Uuid],
    status: ProductStatus,
) -> Result<u64, AppError> {
    super::websites::require(tx, website_id).await?;
    let found: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM website_products WHERE website_id = $1 AND id = ANY($2)",
    )
    .bind(website_id)
    .bind(product_ids)
    .fetch_one(&mut **tx)
    .await?;
    let mut distinct = product_ids.to_vec();
    distinct.sort();
    distinct.dedup();
    if found != distinct.len() as i64 {
        return Err(product_not_found());
    }
    let n = sqlx::query(
        r#"UPDATE website_products SET status = $3, updated_at = now()
            WHERE website_id = $1 AND id = ANY($2) AND status <> $3"#,
    )
    .bind(website_id)
    .bind(&distinct)
    .bind(status.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    super::audit(
        tx,
        tenant_id,
        Some(user_id),
        "product.status_changed",
        ("website", website_id),
        serde_json::json!({ "product_ids": distinct, "status": status.as_str() }),
    )
    .await?;
    Ok(n)
}

/// The website's name, or NotFound for a website the tenant does not have.
pub async fn website_name(tx: &mut Tx, website_id: Uuid) -> Result<String, AppError> {
    sqlx::query_scalar("SELECT name FROM websites WHERE id = $1 AND deleted_at IS NULL")
        .bind(website_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| AppError::NotFound("Website".into()))
}

/// Whether the tenant's plan sells (`plans.commerce_enabled`): a storefront of a downgraded
/// shop shows nothing.
const SELLS: &str = "EXISTS (SELECT 1 FROM tenants t JOIN plans pl ON pl.id = t.plan_id
                              WHERE t.id = p.tenant_id AND pl.commerce_enabled)";

/// The active product at `slug` of the website, with live prices and stock, when the plan sells.
pub async fn storefront_product(
    tx: &mut Tx,
    website_id: Uuid,
    slug: &str,
) -> Result<Option<StorefrontProduct>, AppError> {
    let row = sqlx::query_as::<_, ProductRow>(&format!(
        r#"SELECT p.id, p.website_id, p.title, p.slug, p.description, p.status, p.currency,
                  p.option_names, p.images, p.seo_title, p.seo_description, p.updated_at
             FROM website_products p
            WHERE p.website_id = $1 AND p.slug = $2 AND p.status = 'active' AND {SELLS}"#
    ))
    .bind(website_id)
    .bind(slug)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(p) = row else {
        return Ok(None);
    };
    let variants = sqlx::query_as::<_, VariantRow>(
        r#"SELECT id, option_values, sku, price_cents, compare_at_price_cents, stock, track_inventory
             FROM website_product_variants WHERE product_id = $1 ORDER BY position, created_at, id"#,
    )
    .bind(p.id)
    .fetch_all(&mut **tx)
    .await?;
    if variants.is_empty() {
        return Ok(None);
    }
    Ok(Some(StorefrontProduct {
        id: p.id,
        slug: p.slug,
        title: p.title,
        description: p.description,
        currency: p.currency,
        option_names: p.option_names,
        images: p.images,
        seo_title: p.seo_title,
        seo_description: p.seo_description,
        variants: variants
            .into_iter()
            .map(|v| StorefrontVariant {
                id: v.id,
                option_values: v.option_values,
                sku: v.sku,
                price_cents: v.price_cents,
                compare_at_price_cents: v.compare_at_price_cents,
                stock: v.track_inventory.then_some(v.stock),
                available: !v.track_inventory || v.stock > 0,
            })
            .collect(),
    }))
}

#[derive(FromRow)]
struct CardRow {
    slug: String,
    title: String,
    image: Option<String>,
    currency: String,
    price_min: i64,
    price_max: i64,
    available: bool,
}

/// The website's active products with at least one variant, featured first then newest, as
/// the shop's index shows them; empty when the plan does not sell.
/// With `category`, only products in it or in a category under it.
pub async fn storefront_list(
    tx: &mut Tx,
    website_id: Uuid,
    category: Option<Uuid>,
) -> Result<Vec<StorefrontCard>, AppError> {
    let rows = sqlx::query_as::<_, CardRow>(&format!(
        r#"{sub}
           SELECT p.slug, p.title, p.images[1] AS image, p.currency,
                  min(v.price_cents) AS price_min, max(v.price_cents) AS price_max,
                  bool_or(NOT v.track_inventory OR v.stock > 0) AS available
             FROM website_products p
             JOIN website_product_variants v ON v.product_id = p.id
            WHERE p.website_id = $1 AND p.status = 'active' AND {SELLS}
              AND ($3::uuid IS NULL OR EXISTS (
                   SELECT 1 FROM website_product_categories pc JOIN sub ON sub.id = pc.category_id
                    WHERE pc.product_id = p.id))
            GROUP BY p.id
            ORDER BY p.is_featured DESC, p.created_at DESC, p.id
            LIMIT $2"#,
        sub = super::categories::subtree_cte(3)
    ))
    .bind(website_id)
    .bind(STOREFRONT_LIST_LIMIT)
    .bind(category)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StorefrontCard {
            slug: r.slug,
            title: r.title,
            image: r.image,
            currency: r.currency,
            price_min_cents: r.price_min,
            price_max_cents: r.price_max,
            available: r.available,
        })
        .collect())
}
