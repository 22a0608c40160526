//! The storefront blocks: a product grid, one product, a link to the cart and a buy button.
//! Their props name catalogue rows by id (as text; empty = not chosen yet). What those rows
//! show (titles, prices, stock) is never copied into props: the server reads it live into a
//! [`crate::model::Shelf`] when the block is rendered.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::check_count;
use crate::error::AppError;

/// Products one grid shows at most (and hand-picks at most).
pub const GRID_MAX: usize = 48;

/// Where a product grid's products come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridSource {
    /// The website's active products, featured first, then newest.
    All,
    /// The products of one category, in the category's order.
    Category(Uuid),
    /// A hand-picked list, in the order picked.
    Picked,
    /// `category` with none chosen yet: the builder shows a placeholder, visitors nothing.
    NoCategory,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductGridProps {
    pub heading: String,
    pub subheading: String,
    /// `all`, `category` or `products` (hand-picked).
    pub source: String,
    /// The category's id when `source` is `category`.
    pub category_id: String,
    /// The picked products' ids when `source` is `products`.
    pub product_ids: Vec<String>,
    /// Cards per row on a wide screen, 2 to 4.
    pub columns: u8,
    /// Products shown at most, 1 to 48.
    pub limit: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductDetailProps {
    pub product_id: String,
    pub show_description: bool,
    pub button_label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CartProps {
    pub heading: String,
    pub body: String,
    pub button_label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BuyButtonProps {
    pub product_id: String,
    /// One variant; empty lets the visitor choose among the product's variants.
    pub variant_id: String,
    pub label: String,
    pub show_price: bool,
}

/// A chosen catalogue row's id: empty (not chosen yet) or a UUID.
pub fn chosen_id(s: &str) -> Option<Uuid> {
    Uuid::parse_str(s.trim()).ok()
}

fn check_id(field: &str, s: &str, what: &str) -> Result<(), AppError> {
    if s.trim().is_empty() || chosen_id(s).is_some() {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            format!("Choose a {what} from the list."),
        ))
    }
}

impl ProductGridProps {
    pub fn grid_source(&self) -> GridSource {
        match (self.source.as_str(), chosen_id(&self.category_id)) {
            ("category", Some(id)) => GridSource::Category(id),
            ("products", _) => GridSource::Picked,
            ("category", None) => GridSource::NoCategory,
            _ => GridSource::All,
        }
    }

    /// The picked product ids that parse, in order, without repeats.
    pub fn picked(&self) -> Vec<Uuid> {
        let mut out: Vec<Uuid> = Vec::new();
        for id in self.product_ids.iter().filter_map(|s| chosen_id(s)) {
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    }

    pub(super) fn check(&self) -> Result<(), AppError> {
        check_id("category_id", &self.category_id, "category")?;
        check_count(
            "product_ids",
            &self.product_ids,
            GRID_MAX,
            "A product grid",
            "products",
        )?;
        for (i, id) in self.product_ids.iter().enumerate() {
            check_id(&format!("product_ids.{i}"), id, "product")?;
        }
        if !(2..=4).contains(&self.columns) {
            return Err(AppError::invalid(
                "columns",
                "Show 2 to 4 products per row.",
            ));
        }
        if !(1..=GRID_MAX as u8).contains(&self.limit) {
            return Err(AppError::invalid("limit", "Show 1 to 48 products."));
        }
        Ok(())
    }
}

impl ProductDetailProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        check_id("product_id", &self.product_id, "product")
    }
}

impl CartProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        Ok(())
    }
}

impl BuyButtonProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        check_id("product_id", &self.product_id, "product")?;
        check_id("variant_id", &self.variant_id, "variant")?;
        if chosen_id(&self.variant_id).is_some() && chosen_id(&self.product_id).is_none() {
            return Err(AppError::invalid(
                "variant_id",
                "Choose the product before its variant.",
            ));
        }
        Ok(())
    }
}
