//! The shop's product CSV (issue 22): the export writes one line per variant under the header
//! below; the import reads the same file back (columns in any order, matched by name). The
//! lines of a product share its `Handle` (its address); the product's own fields come from its
//! first line, and later lines may leave them empty. Lists inside a cell (option names and
//! values, categories, images) are separated by `|`.

use serde::{Deserialize, Serialize};

use super::ProductInput;
#[cfg(feature = "ssr")]
use super::{ProductStatus, VariantInput};
use crate::error::AppError;

/// The columns, in the export's order.
pub const PRODUCT_CSV_COLUMNS: [&str; 16] = [
    "Handle",
    "Title",
    "Status",
    "Currency",
    "Description",
    "Option names",
    "Option values",
    "SKU",
    "Price",
    "Compare-at price",
    "Stock",
    "Track stock",
    "Categories",
    "Images",
    "SEO title",
    "SEO description",
];

/// The largest file the import reads (a server function body stays under axum's 2 MB limit),
/// and its most lines.
pub const PRODUCT_CSV_MAX_BYTES: usize = 1024 * 1024;
#[cfg(feature = "ssr")]
pub const PRODUCT_CSV_MAX_LINES: usize = 5000;

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductImport {
    pub created: u32,
    pub updated: u32,
}

/// A product's lines in the export: one per variant.
pub fn product_csv_lines(p: &ProductInput, category_slugs: &[String]) -> Vec<Vec<String>> {
    p.variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let first = i == 0;
            let own = |s: &str| if first { s.to_string() } else { String::new() };
            vec![
                p.slug.clone(),
                own(&p.title),
                own(p.status.as_str()),
                own(&p.currency),
                own(&p.description),
                own(&p.option_names.join("|")),
                v.option_values.join("|"),
                v.sku.clone(),
                v.price.clone(),
                v.compare_at_price.clone(),
                v.stock.clone(),
                if v.track_inventory { "yes" } else { "no" }.to_string(),
                own(&category_slugs.join("|")),
                own(&p.images.join("|")),
                own(&p.seo_title),
                own(&p.seo_description),
            ]
        })
        .collect()
}

/// One product read from an import: the line it starts on, its form, and the addresses of
/// its categories (the caller resolves them).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedProduct {
    pub line: usize,
    pub product: ProductInput,
    pub category_slugs: Vec<String>,
}

/// Prefixes an error of a product's form with the line it came from.
pub fn at_line(line: usize, e: AppError) -> AppError {
    match e {
        AppError::Invalid { field, message } => AppError::Invalid {
            field: "csv".into(),
            message: format!("Line {line} ({field}): {message}"),
        },
        other => other,
    }
}

#[cfg(feature = "ssr")]
fn bad(line: usize, message: impl Into<String>) -> AppError {
    AppError::invalid("csv", format!("Line {line}: {}", message.into()))
}

#[cfg(feature = "ssr")]
/// Undoes the export's guard against spreadsheet formulas (a `'` before `= + - @`).
fn unguard(cell: &str) -> String {
    let t = cell.trim();
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
        _ => t.to_string(),
    }
}

#[cfg(feature = "ssr")]
fn list(cell: &str) -> Vec<String> {
    cell.split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Reads an import into products, in file order. Errors name the line (1 is the header) and
/// nothing is returned unless the whole file reads; each product's fields are checked later
/// by `parse_product`.
#[cfg(feature = "ssr")]
pub fn read_products_csv(text: &str) -> Result<Vec<ImportedProduct>, AppError> {
    if text.len() > PRODUCT_CSV_MAX_BYTES {
        return Err(AppError::invalid(
            "csv",
            format!(
                "The file is larger than {} MB. Split it and import the parts.",
                PRODUCT_CSV_MAX_BYTES / (1024 * 1024)
            ),
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| bad(1, format!("the header cannot be read ({e}).")))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let idx: Vec<Option<usize>> = PRODUCT_CSV_COLUMNS.iter().map(|c| column(c)).collect();
    for required in ["Handle", "Price"] {
        if column(required).is_none() {
            return Err(bad(
                1,
                format!(
                    "the header has no “{required}” column. The columns are: {}.",
                    PRODUCT_CSV_COLUMNS.join(", ")
                ),
            ));
        }
    }
    if let Some(unknown) = headers.iter().find(|h| {
        !h.trim().is_empty()
            && !PRODUCT_CSV_COLUMNS
                .iter()
                .any(|c| c.eq_ignore_ascii_case(h.trim()))
    }) {
        return Err(bad(
            1,
            format!(
                "the column “{unknown}” is not one of: {}.",
                PRODUCT_CSV_COLUMNS.join(", ")
            ),
        ));
    }
    let mut out: Vec<ImportedProduct> = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        if n >= PRODUCT_CSV_MAX_LINES {
            return Err(bad(
                line,
                format!("a file has {PRODUCT_CSV_MAX_LINES} lines at most. Split it."),
            ));
        }
        let record = record.map_err(|e| bad(line, format!("it cannot be read ({e}).")))?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |i: usize| {
            idx[i]
                .and_then(|k| record.get(k))
                .map(unguard)
                .unwrap_or_default()
        };
        let handle = cell(0);
        if handle.is_empty() {
            return Err(bad(line, "enter the product's address in “Handle”."));
        }
        let track = match cell(11).to_ascii_lowercase().as_str() {
            "" | "yes" | "true" | "1" => true,
            "no" | "false" | "0" => false,
            other => {
                return Err(bad(
                    line,
                    format!("“Track stock” is yes or no, not “{other}”."),
                ))
            }
        };
        let variant = VariantInput {
            id: None,
            option_values: list(&cell(6)),
            sku: cell(7),
            price: cell(8),
            compare_at_price: cell(9),
            stock: cell(10),
            track_inventory: track,
        };
        let seen = out.iter().any(|p| p.product.slug == handle);
        match out.last_mut() {
            Some(last) if last.product.slug == handle => last.product.variants.push(variant),
            _ if seen => {
                return Err(bad(
                    line,
                    format!("the lines of “{handle}” must follow each other."),
                ))
            }
            _ => {
                let status = match cell(2).to_ascii_lowercase().as_str() {
                    "" => ProductStatus::Draft,
                    s => ProductStatus::parse(s).ok_or_else(|| {
                        bad(
                            line,
                            format!("“Status” is draft, active or archived, not “{s}”."),
                        )
                    })?,
                };
                let currency = cell(3);
                out.push(ImportedProduct {
                    line,
                    product: ProductInput {
                        title: cell(1),
                        slug: handle,
                        description: cell(4),
                        status,
                        currency: if currency.is_empty() {
                            "EUR".into()
                        } else {
                            currency.to_ascii_uppercase()
                        },
                        option_names: list(&cell(5)),
                        images: list(&cell(13)),
                        seo_title: cell(14),
                        seo_description: cell(15),
                        variants: vec![variant],
                        category_ids: Vec::new(),
                    },
                    category_slugs: list(&cell(12)),
                });
            }
        }
    }
    if out.is_empty() {
        return Err(AppError::invalid(
            "csv",
            "The file has no products: add a line per variant under the header.",
        ));
    }
    Ok(out)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn product() -> ProductInput {
        ProductInput {
            title: "Blue, \"big\" Mug".into(),
            slug: "blue-mug".into(),
            description: "Line one\nline two".into(),
            status: ProductStatus::Active,
            currency: "EUR".into(),
            option_names: vec!["Size".into()],
            images: vec!["https://example.com/a.png".into()],
            seo_title: String::new(),
            seo_description: String::new(),
            variants: vec![
                VariantInput {
                    option_values: vec!["S".into()],
                    sku: "-MUG-S".into(),
                    price: "12.50".into(),
                    stock: "4".into(),
                    track_inventory: true,
                    ..Default::default()
                },
                VariantInput {
                    option_values: vec!["L".into()],
                    price: "14.00".into(),
                    compare_at_price: "16.00".into(),
                    stock: "0".into(),
                    track_inventory: false,
                    ..Default::default()
                },
            ],
            category_ids: Vec::new(),
        }
    }

    fn write(lines: Vec<Vec<String>>) -> String {
        let mut out = PRODUCT_CSV_COLUMNS.join(",") + "\r\n";
        for l in lines {
            out += &l
                .iter()
                .map(|c| super::super::csv_cell(c))
                .collect::<Vec<_>>()
                .join(",");
            out += "\r\n";
        }
        out
    }

    #[test]
    fn an_export_reads_back_as_the_same_product() {
        let p = product();
        let text = write(product_csv_lines(&p, &["mugs".into(), "kitchen".into()]));
        let read = read_products_csv(&text).expect("reads");
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].line, 2);
        assert_eq!(read[0].product, p);
        assert_eq!(read[0].category_slugs, vec!["mugs", "kitchen"]);
    }

    #[test]
    fn bad_files_name_the_line_and_the_reason() {
        let err = |text: &str| match read_products_csv(text) {
            Err(AppError::Invalid { field, message }) => {
                assert_eq!(field, "csv");
                message
            }
            other => panic!("{other:?}"),
        };
        assert!(err("Title,Price\r\nMug,3\r\n").contains("no “Handle” column"));
        assert!(err("Handle,Price,Colour\r\nmug,3,red\r\n").contains("“Colour” is not one of"));
        assert!(err("Handle,Price\r\n").contains("no products"));
        assert_eq!(
            err("Handle,Price,Status\r\nmug,3,live\r\n"),
            "Line 2: “Status” is draft, active or archived, not “live”."
        );
        assert_eq!(
            err("Handle,Price\r\nmug,3\r\ncup,2\r\nmug,4\r\n"),
            "Line 4: the lines of “mug” must follow each other."
        );
        assert_eq!(
            err("Handle,Price\r\n,3\r\n"),
            "Line 2: enter the product's address in “Handle”."
        );
        let big = "x".repeat(PRODUCT_CSV_MAX_BYTES + 1);
        assert!(err(&big).contains("larger than 1 MB"));
    }

    #[test]
    fn columns_may_come_in_any_order_and_blank_lines_are_skipped() {
        let text = "\u{feff}price,HANDLE,Title\r\n3.50,tea,Green tea\r\n\r\n4,tea,\r\n";
        let read = read_products_csv(text).expect("reads");
        assert_eq!(read.len(), 1);
        let p = &read[0].product;
        assert_eq!(
            (p.title.as_str(), p.status),
            ("Green tea", ProductStatus::Draft)
        );
        assert_eq!(p.variants.len(), 2);
        assert_eq!(p.variants[1].price, "4");
        assert!(p.variants[1].track_inventory);
    }
}
