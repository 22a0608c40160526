//! What the storefront blocks show: catalogue rows read live by the server into a [`Shelf`].
//! The visitor path reads one per page render (active products only, nothing when the plan
//! does not sell); the builder reads one per open page (every product, drafts marked), so
//! the canvas shows the website's real products and the inspector's pickers list them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{chosen_id, BlockProps, GridSource, StorefrontProduct, GRID_MAX};

/// One product as the shop blocks show it: its live row and whether visitors can see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShelfProduct {
    /// `active`, `draft` or `archived` (only `active` ever reaches a visitor page).
    pub status: String,
    pub product: StorefrontProduct,
}

/// A category and its products (ids, in the category's order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShelfCategory {
    pub id: Uuid,
    pub name: String,
    pub product_ids: Vec<Uuid>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Shelf {
    pub products: Vec<ShelfProduct>,
    /// A grid's "all products" order: featured first, then newest.
    pub all: Vec<Uuid>,
    pub categories: Vec<ShelfCategory>,
    /// In the builder: blocks with nothing chosen show a placeholder, drafts are marked.
    pub editing: bool,
    /// What the site's links start with: empty, or `/sites/{subdomain}` in the path form.
    pub prefix: String,
    /// The site's absolute root (scheme, host, prefix), for the JSON-LD offers' URLs.
    pub base: String,
}

/// Which catalogue rows a page's shop blocks need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShelfNeeds {
    pub all: bool,
    pub products: Vec<Uuid>,
    pub categories: Vec<Uuid>,
}

impl ShelfNeeds {
    /// What `blocks` name; `None` when no block shows the catalogue (the page is then served
    /// without reading it, and cached like any other page).
    pub fn of<'a>(blocks: impl IntoIterator<Item = &'a BlockProps>) -> Option<Self> {
        let mut needs = Self::default();
        let mut any = false;
        let add = |v: &mut Vec<Uuid>, id: Uuid| {
            if !v.contains(&id) {
                v.push(id);
            }
        };
        for b in blocks {
            match b {
                BlockProps::ProductGrid(g) => {
                    any = true;
                    match g.grid_source() {
                        GridSource::All => needs.all = true,
                        GridSource::Category(c) => add(&mut needs.categories, c),
                        GridSource::Picked => {
                            for id in g.picked() {
                                add(&mut needs.products, id);
                            }
                        }
                        GridSource::NoCategory => {}
                    }
                }
                BlockProps::ProductDetail(d) => {
                    any = true;
                    if let Some(id) = chosen_id(&d.product_id) {
                        add(&mut needs.products, id);
                    }
                }
                BlockProps::BuyButton(d) => {
                    any = true;
                    if let Some(id) = chosen_id(&d.product_id) {
                        add(&mut needs.products, id);
                    }
                }
                // The cart block is a link: it reads no catalogue row.
                _ => {}
            }
        }
        any.then_some(needs)
    }
}

impl Shelf {
    pub fn product(&self, id: Uuid) -> Option<&ShelfProduct> {
        self.products.iter().find(|p| p.product.id == id)
    }

    /// The products a grid shows, in order, at most its limit (and never more than 48).
    pub fn grid(&self, source: GridSource, picked: &[Uuid], limit: u8) -> Vec<&ShelfProduct> {
        let ids: Vec<Uuid> = match source {
            GridSource::All => self.all.clone(),
            GridSource::Category(c) => self
                .categories
                .iter()
                .find(|k| k.id == c)
                .map(|k| k.product_ids.clone())
                .unwrap_or_default(),
            GridSource::Picked => picked.to_vec(),
            GridSource::NoCategory => Vec::new(),
        };
        let max = usize::from(limit).clamp(1, GRID_MAX);
        ids.into_iter()
            .filter_map(|id| self.product(id))
            .take(max)
            .collect()
    }

    pub fn category_name(&self, id: Uuid) -> Option<&str> {
        self.categories
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.as_str())
    }
}
