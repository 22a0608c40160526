//! The shop's categories (issue 22, migration 0036): a tree per website and the products in
//! each. Every function runs in the caller's tenant transaction (RLS shows only the tenant's
//! rows); inputs arrive parsed ([`ValidCategory`]). Changes to one website's tree lock its
//! categories first, so two concurrent moves can never make a cycle.

use sqlx::FromRow;
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;
use crate::model::{
    subtree, tree_order, Category, ValidCategory, CATEGORIES_MAX, CATEGORY_DEPTH_MAX,
};

fn category_not_found() -> AppError {
    AppError::NotFound("Category".into())
}

/// The recursive set `sub(id)` of category `$N` and every category under it, as a CTE.
pub(super) fn subtree_cte(param: u8) -> String {
    format!(
        "WITH RECURSIVE sub AS (
             SELECT id FROM website_categories WHERE id = ${param}
             UNION
             SELECT c.id FROM website_categories c JOIN sub ON c.parent_id = sub.id)"
    )
}

#[derive(FromRow)]
struct CategoryRow {
    id: Uuid,
    name: String,
    slug: String,
    description: Option<String>,
    parent_id: Option<Uuid>,
    sort_order: i32,
    products: i64,
}

/// The website's categories in tree order, with how many products each holds directly.
pub async fn list(tx: &mut Tx, website_id: Uuid) -> Result<Vec<Category>, AppError> {
    let rows = sqlx::query_as::<_, CategoryRow>(
        r#"SELECT c.id, c.name, c.slug, c.description, c.parent_id, c.sort_order,
                  (SELECT count(*) FROM website_product_categories pc
                    WHERE pc.category_id = c.id) AS products
             FROM website_categories c
            WHERE c.website_id = $1"#,
    )
    .bind(website_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(tree_order(
        rows.into_iter()
            .map(|r| Category {
                id: r.id,
                name: r.name,
                slug: r.slug,
                description: r.description.unwrap_or_default(),
                parent_id: r.parent_id,
                sort_order: r.sort_order,
                depth: 0,
                products: r.products,
            })
            .collect(),
    ))
}

/// Locks the website's categories and answers its tree.
async fn lock_tree(tx: &mut Tx, website_id: Uuid) -> Result<Vec<Category>, AppError> {
    sqlx::query("SELECT id FROM website_categories WHERE website_id = $1 FOR UPDATE")
        .bind(website_id)
        .execute(&mut **tx)
        .await?;
    list(tx, website_id).await
}

/// The website of a category.
pub async fn website_of(tx: &mut Tx, category_id: Uuid) -> Result<Uuid, AppError> {
    sqlx::query_scalar("SELECT website_id FROM website_categories WHERE id = $1")
        .bind(category_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(category_not_found)
}

/// Refuses a parent outside the website, the category itself or one under it, and a tree
/// deeper than [`CATEGORY_DEPTH_MAX`].
fn check_parent(
    tree: &[Category],
    category_id: Option<Uuid>,
    parent_id: Option<Uuid>,
) -> Result<(), AppError> {
    let Some(parent_id) = parent_id else {
        return Ok(());
    };
    let Some(parent) = tree.iter().find(|c| c.id == parent_id) else {
        return Err(AppError::invalid(
            "parent_id",
            "The parent category no longer exists. Reload the page and choose another.",
        ));
    };
    let below = category_id.map(|id| subtree(tree, id)).unwrap_or_default();
    if below.contains(&parent_id) {
        return Err(AppError::invalid(
            "parent_id",
            format!(
                "A category cannot sit under itself or one of its own sub-categories (“{}”).",
                parent.name
            ),
        ));
    }
    // The deepest level the moved branch reaches under its new parent.
    let branch_height = category_id
        .and_then(|id| {
            let top = tree.iter().find(|c| c.id == id)?.depth;
            below
                .iter()
                .filter_map(|b| tree.iter().find(|c| c.id == *b))
                .map(|c| c.depth - top)
                .max()
        })
        .unwrap_or(0);
    if parent.depth + 1 + branch_height > CATEGORY_DEPTH_MAX {
        return Err(AppError::invalid(
            "parent_id",
            format!(
                "Categories go {} levels deep at most.",
                CATEGORY_DEPTH_MAX + 1
            ),
        ));
    }
    Ok(())
}

/// Refuses an address another category of the website uses (the unique constraint stays the
/// last word).
fn check_slug(tree: &[Category], category_id: Option<Uuid>, slug: &str) -> Result<(), AppError> {
    match tree
        .iter()
        .find(|c| c.slug == slug && Some(c.id) != category_id)
    {
        Some(other) => Err(AppError::invalid(
            "slug",
            format!(
                "The category “{}” already uses the address /categories/{slug}. Choose another.",
                other.name
            ),
        )),
        None => Ok(()),
    }
}

/// Adds a category at the end of its parent's children; answers its id.
pub async fn create(
    tx: &mut Tx,
    (tenant_id, user_id): (Uuid, Uuid),
    website_id: Uuid,
    c: &ValidCategory,
) -> Result<Uuid, AppError> {
    super::websites::require(tx, website_id).await?;
    let tree = lock_tree(tx, website_id).await?;
    if tree.len() as i64 >= CATEGORIES_MAX {
        return Err(AppError::invalid(
            "name",
            format!("A website has {CATEGORIES_MAX} categories at most."),
        ));
    }
    check_parent(&tree, None, c.parent_id)?;
    check_slug(&tree, None, &c.slug)?;
    let order = tree
        .iter()
        .filter(|k| k.parent_id == c.parent_id)
        .map(|k| k.sort_order + 1)
        .max()
        .unwrap_or(0);
    let id: Uuid = sqlx::query_scalar(
        r#"INSERT INTO website_categories
               (tenant_id, website_id, name, slug, description, parent_id, sort_order)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"#,
    )
    .bind(tenant_id)
    .bind(website_id)
    .bind(&c.name)
    .bind(&c.slug)
    .bind(&c.description)
    .bind(c.parent_id)
    .bind(order)
    .fetch_one(&mut **tx)
    .await?;
    audit(
        tx,
        (tenant_id, user_id),
        "category.created",
        id,
        website_id,
        c,
    )
    .await?;
    Ok(id)
}

/// Saves a category's fields; a new parent puts it last among that parent's children.
pub async fn update(
    tx: &mut Tx,
    (tenant_id, user_id): (Uuid, Uuid),
    category_id: Uuid,
    c: &ValidCategory,
) -> Result<Uuid, AppError> {
    let website_id = website_of(tx, category_id).await?;
    let tree = lock_tree(tx, website_id).await?;
    let Some(current) = tree.iter().find(|k| k.id == category_id) else {
        return Err(category_not_found());
    };
    check_parent(&tree, Some(category_id), c.parent_id)?;
    check_slug(&tree, Some(category_id), &c.slug)?;
    let order = if current.parent_id == c.parent_id {
        current.sort_order
    } else {
        tree.iter()
            .filter(|k| k.parent_id == c.parent_id)
            .map(|k| k.sort_order + 1)
            .max()
            .unwrap_or(0)
    };
    sqlx::query(
        r#"UPDATE website_categories
              SET name = $2, slug = $3, description = $4, parent_id = $5, sort_order = $6,
                  updated_at = now()
            WHERE id = $1"#,
    )
    .bind(category_id)
    .bind(&c.name)
    .bind(&c.slug)
    .bind(&c.description)
    .bind(c.parent_id)
    .bind(order)
    .execute(&mut **tx)
    .await?;
    audit(
        tx,
        (tenant_id, user_id),
        "category.updated",
        category_id,
        website_id,
        c,
    )
    .await?;
    Ok(website_id)
}

async fn audit(
    tx: &mut Tx,
    (tenant_id, user_id): (Uuid, Uuid),
    action: &str,
    id: Uuid,
    website_id: Uuid,
    c: &ValidCategory,
) -> Result<(), AppError> {
    super::audit(
        tx,
        tenant_id,
        Some(user_id),
        action,
        ("category", id),
        serde_json::json!({ "website_id": website_id, "name": c.name, "slug": c.slug }),
    )
    .await
}

/// Deletes a category. Its sub-categories move up to its parent; its products stay, outside
/// it. Returns the website.
pub async fn delete(
    tx: &mut Tx,
    (tenant_id, user_id): (Uuid, Uuid),
    category_id: Uuid,
) -> Result<Uuid, AppError> {
    let website_id = website_of(tx, category_id).await?;
    let tree = lock_tree(tx, website_id).await?;
    let Some(c) = tree.iter().find(|k| k.id == category_id).cloned() else {
        return Err(category_not_found());
    };
    let after = tree
        .iter()
        .filter(|k| k.parent_id == c.parent_id)
        .map(|k| k.sort_order + 1)
        .max()
        .unwrap_or(0);
    sqlx::query(
        r#"UPDATE website_categories SET parent_id = $2, sort_order = sort_order + $3,
                  updated_at = now()
            WHERE parent_id = $1"#,
    )
    .bind(category_id)
    .bind(c.parent_id)
    .bind(after)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM website_categories WHERE id = $1")
        .bind(category_id)
        .execute(&mut **tx)
        .await?;
    super::audit(
        tx,
        tenant_id,
        Some(user_id),
        "category.deleted",
        ("category", category_id),
        serde_json::json!({ "website_id": website_id, "name": c.name, "slug": c.slug }),
    )
    .await?;
    Ok(website_id)
}

/// Moves a category one place up or down among its siblings (renumbering them 0, 1, …).
/// Answers whether it moved (the first cannot go up, the last not down).
pub async fn shift(tx: &mut Tx, category_id: Uuid, up: bool) -> Result<bool, AppError> {
    let website_id = website_of(tx, category_id).await?;
    let tree = lock_tree(tx, website_id).await?;
    let Some(c) = tree.iter().find(|k| k.id == category_id) else {
        return Err(category_not_found());
    };
    let mut siblings: Vec<Uuid> = tree
        .iter()
        .filter(|k| k.parent_id == c.parent_id)
        .map(|k| k.id)
        .collect();
    let Some(i) = siblings.iter().position(|id| *id == category_id) else {
        return Err(category_not_found());
    };
    let j = match (up, i) {
        (true, 0) => return Ok(false),
        (true, i) => i - 1,
        (false, i) if i + 1 >= siblings.len() => return Ok(false),
        (false, i) => i + 1,
    };
    siblings.swap(i, j);
    sqlx::query(
        r#"UPDATE website_categories c SET sort_order = o.n - 1, updated_at = now()
             FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n)
            WHERE c.id = o.id"#,
    )
    .bind(&siblings)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// The categories a product is listed in, in its order.
pub async fn of_product(tx: &mut Tx, product_id: Uuid) -> Result<Vec<Uuid>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT category_id FROM website_product_categories WHERE product_id = $1 ORDER BY is_primary DESC, position, category_id",
    )
    .bind(product_id)
    .fetch_all(&mut **tx)
    .await?)
}

/// Lists the product in exactly `ids` (the first is its primary category). An id that is not
/// a category of the website is refused.
pub async fn set_for_product(
    tx: &mut Tx,
    tenant_id: Uuid,
    website_id: Uuid,
    product_id: Uuid,
    ids: &[Uuid],
) -> Result<(), AppError> {
    if !ids.is_empty() {
        let found: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM website_categories WHERE website_id = $1 AND id = ANY($2)",
        )
        .bind(website_id)
        .bind(ids)
        .fetch_one(&mut **tx)
        .await?;
        if found != ids.len() as i64 {
            return Err(AppError::invalid(
                "category_ids",
                "A chosen category no longer exists. Reload the product and try again.",
            ));
        }
    }
    sqlx::query("DELETE FROM website_product_categories WHERE product_id = $1")
        .bind(product_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        r#"INSERT INTO website_product_categories
               (tenant_id, product_id, category_id, is_primary, position)
           SELECT $1, $2, o.id, o.n = 1, o.n - 1
             FROM unnest($3::uuid[]) WITH ORDINALITY AS o(id, n)"#,
    )
    .bind(tenant_id)
    .bind(product_id)
    .bind(ids)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A category of the website by its address, for its visitor page.
pub async fn by_slug(
    tx: &mut Tx,
    website_id: Uuid,
    slug: &str,
) -> Result<Option<Category>, AppError> {
    Ok(list(tx, website_id)
        .await?
        .into_iter()
        .find(|c| c.slug == slug))
}
