//! The shop's product CSV (issue 22): the export of a website's catalogue and the import that
//! reads it back. The import runs in the caller's one transaction, so a file with any bad line
//! saves nothing.

use uuid::Uuid;

use super::Tx;
use crate::error::AppError;
use crate::model::{
    at_line, csv_cell, parse_product, product_csv_lines, ImportedProduct, ProductImport,
    PRODUCT_CSV_COLUMNS,
};

/// The website's products, one line per variant, oldest product first.
pub async fn export(tx: &mut Tx, website_id: Uuid) -> Result<String, AppError> {
    super::websites::require(tx, website_id).await?;
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM website_products WHERE website_id = $1 ORDER BY created_at, id",
    )
    .bind(website_id)
    .fetch_all(&mut **tx)
    .await?;
    let categories = super::categories::list(tx, website_id).await?;
    let line = |cells: &[String]| {
        cells
            .iter()
            .map(|c| csv_cell(c))
            .collect::<Vec<_>>()
            .join(",")
            + "\r\n"
    };
    let mut out = line(&PRODUCT_CSV_COLUMNS.map(String::from));
    for id in ids {
        let p = super::commerce::get(tx, id).await?.product;
        let slugs: Vec<String> = p
            .category_ids
            .iter()
            .filter_map(|c| categories.iter().find(|k| k.id == *c))
            .map(|c| c.slug.clone())
            .collect();
        for l in product_csv_lines(&p, &slugs) {
            out += &line(&l);
        }
    }
    Ok(out)
}

/// Creates the products of `items` whose address is new and replaces those the website has
/// (variants matched by SKU, else by option values, keep their ids; the others are removed).
/// The caller checked the role and the plan; each new product stays within `max_products`.
pub async fn import(
    tx: &mut Tx,
    (tenant_id, user_id): (Uuid, Uuid),
    website_id: Uuid,
    items: Vec<ImportedProduct>,
) -> Result<ProductImport, AppError> {
    super::websites::require(tx, website_id).await?;
    let categories = super::categories::list(tx, website_id).await?;
    let mut report = ProductImport {
        created: 0,
        updated: 0,
    };
    for ImportedProduct {
        line,
        mut product,
        category_slugs,
    } in items
    {
        for slug in &category_slugs {
            match categories.iter().find(|c| &c.slug == slug) {
                Some(c) => product.category_ids.push(c.id),
                None => {
                    return Err(AppError::invalid(
                        "csv",
                        format!("Line {line}: no category has the address “{slug}”. Add it on the Categories page first."),
                    ))
                }
            }
        }
        let existing: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM website_products WHERE website_id = $1 AND slug = $2 FOR UPDATE",
        )
        .bind(website_id)
        .bind(&product.slug)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(id) = existing {
            let old = super::commerce::get(tx, id).await?.product.variants;
            let mut taken: Vec<Uuid> = Vec::new();
            for v in &mut product.variants {
                let same = old.iter().find(|o| {
                    o.id.is_some_and(|i| !taken.contains(&i))
                        && if v.sku.trim().is_empty() {
                            o.sku.is_empty() && o.option_values == v.option_values
                        } else {
                            o.sku == v.sku.trim()
                        }
                });
                v.id = same.and_then(|o| o.id);
                taken.extend(v.id);
            }
        }
        let valid = parse_product(&product).map_err(|e| at_line(line, e))?;
        match existing {
            Some(id) => {
                super::commerce::update(tx, tenant_id, user_id, id, &valid)
                    .await
                    .map_err(|e| at_line(line, e))?;
                report.updated += 1;
            }
            None => {
                super::limits::check_products(tx, tenant_id)
                    .await
                    .map_err(|e| at_line(line, e))?;
                super::commerce::create(tx, tenant_id, user_id, website_id, &valid)
                    .await
                    .map_err(|e| at_line(line, e))?;
                report.created += 1;
            }
        }
    }
    Ok(report)
}
