//! The shop's categories (issue 22, table `website_categories`): a tree per website, ordered
//! among siblings. Products belong to any number of categories (`website_product_categories`);
//! visitors browse a category at `/categories/{slug}`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::commerce::text;
use crate::error::AppError;

pub const CATEGORY_NAME_MAX: usize = 120;
pub const CATEGORY_SLUG_MAX: usize = 100;
pub const CATEGORY_DESCRIPTION_MAX: usize = 5000;
/// How deep the tree goes (a root category is at depth 0).
pub const CATEGORY_DEPTH_MAX: usize = 4;
/// Categories per website.
pub const CATEGORIES_MAX: i64 = 200;
/// Categories one product may be in.
pub const PRODUCT_CATEGORIES_MAX: usize = 20;

/// A category as its form holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CategoryInput {
    pub name: String,
    /// Empty: made from the name.
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub description: String,
    /// The category it sits under; `None` at the top.
    #[serde(default)]
    pub parent_id: Option<Uuid>,
}

/// A category form that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidCategory {
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    pub parent_id: Option<Uuid>,
}

/// Checks a category form. Fields of errors: `name`, `slug`, `description`.
pub fn parse_category(input: &CategoryInput) -> Result<ValidCategory, AppError> {
    let name = text("name", &input.name, CATEGORY_NAME_MAX, "The name")?;
    if name.is_empty() {
        return Err(AppError::invalid("name", "Enter the category's name."));
    }
    let slug = match input.slug.trim() {
        "" => super::inputs::slugify(&name, CATEGORY_SLUG_MAX),
        s if super::is_product_slug(s) && s.len() <= CATEGORY_SLUG_MAX => s.to_string(),
        _ => {
            return Err(AppError::invalid(
                "slug",
                format!(
                    "Use lower-case letters, digits and single dashes for the address (like mugs), {CATEGORY_SLUG_MAX} characters at most."
                ),
            ))
        }
    };
    if slug.is_empty() {
        return Err(AppError::invalid(
            "slug",
            "Enter an address for the category (like mugs): the name has no letters or digits to make one from.",
        ));
    }
    let description = text(
        "description",
        &input.description,
        CATEGORY_DESCRIPTION_MAX,
        "The description",
    )?;
    Ok(ValidCategory {
        name,
        slug,
        description: (!description.is_empty()).then_some(description),
        parent_id: input.parent_id,
    })
}

/// One category of the tree, as the categories page and pickers show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub parent_id: Option<Uuid>,
    pub sort_order: i32,
    /// 0 at the top of the tree.
    pub depth: usize,
    /// Products directly in it.
    pub products: i64,
}

impl Category {
    /// The name indented by its depth, for a `<select>`.
    pub fn indented_name(&self) -> String {
        format!("{}{}", "— ".repeat(self.depth), self.name)
    }
}

/// Orders categories depth-first (each parent before its children, siblings by `sort_order`
/// then name) and sets their depth. A category whose parent is missing is put at the top.
pub fn tree_order(mut all: Vec<Category>) -> Vec<Category> {
    all.sort_by(|a, b| {
        (a.sort_order, a.name.to_lowercase(), a.id).cmp(&(
            b.sort_order,
            b.name.to_lowercase(),
            b.id,
        ))
    });
    let ids: Vec<Uuid> = all.iter().map(|c| c.id).collect();
    let is_root = |c: &Category| c.parent_id.is_none_or(|p| !ids.contains(&p));
    let mut out = Vec::with_capacity(all.len());
    let mut stack: Vec<(Uuid, usize)> = all
        .iter()
        .filter(|c| is_root(c))
        .rev()
        .map(|c| (c.id, 0))
        .collect();
    while let Some((id, depth)) = stack.pop() {
        let Some(c) = all.iter().find(|c| c.id == id) else {
            continue;
        };
        let mut c = c.clone();
        c.depth = depth;
        out.push(c);
        stack.extend(
            all.iter()
                .filter(|k| k.parent_id == Some(id))
                .rev()
                .map(|k| (k.id, depth + 1)),
        );
    }
    out
}

/// The ids of `id` and every category under it, from a tree-ordered list.
pub fn subtree(tree: &[Category], id: Uuid) -> Vec<Uuid> {
    let Some(start) = tree.iter().position(|c| c.id == id) else {
        return Vec::new();
    };
    let depth = tree[start].depth;
    std::iter::once(id)
        .chain(
            tree[start + 1..]
                .iter()
                .take_while(|c| c.depth > depth)
                .map(|c| c.id),
        )
        .collect()
}

/// A website's categories page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoriesOverview {
    pub website_id: Uuid,
    pub website_name: String,
    /// Owners, admins and editors change the categories (on a plan that sells).
    pub can_edit: bool,
    /// Tree order.
    pub categories: Vec<Category>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(name: &str, parent: Option<Uuid>, order: i32) -> Category {
        Category {
            id: Uuid::new_v4(),
            name: name.into(),
            slug: String::new(),
            description: String::new(),
            parent_id: parent,
            sort_order: order,
            depth: 9,
            products: 0,
        }
    }

    #[test]
    fn a_category_form_is_checked_and_its_address_made_from_the_name() {
        let v = parse_category(&CategoryInput {
            name: "  Mugs & Cups ".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(v.name, "Mugs & Cups");
        assert_eq!(v.slug, "mugs-cups");
        assert_eq!(v.description, None);
        let empty = parse_category(&CategoryInput::default()).unwrap_err();
        assert!(matches!(empty, AppError::Invalid { ref field, .. } if field == "name"));
        let bad = parse_category(&CategoryInput {
            name: "Mugs".into(),
            slug: "Mugs!".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert!(matches!(bad, AppError::Invalid { ref field, .. } if field == "slug"));
        let symbols = parse_category(&CategoryInput {
            name: "★★★".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert!(matches!(symbols, AppError::Invalid { ref field, .. } if field == "slug"));
    }

    #[test]
    fn the_tree_puts_parents_before_children_in_their_order() {
        let kitchen = cat("Kitchen", None, 1);
        let garden = cat("Garden", None, 0);
        let mugs = cat("Mugs", Some(kitchen.id), 1);
        let bowls = cat("Bowls", Some(kitchen.id), 0);
        let big = cat("Big bowls", Some(bowls.id), 0);
        let orphan = cat("Orphan", Some(Uuid::new_v4()), 5);
        let tree = tree_order(vec![
            mugs.clone(),
            big.clone(),
            kitchen.clone(),
            orphan.clone(),
            bowls.clone(),
            garden.clone(),
        ]);
        let names: Vec<(&str, usize)> = tree.iter().map(|c| (c.name.as_str(), c.depth)).collect();
        assert_eq!(
            names,
            vec![
                ("Garden", 0),
                ("Kitchen", 0),
                ("Bowls", 1),
                ("Big bowls", 2),
                ("Mugs", 1),
                ("Orphan", 0)
            ]
        );
        assert_eq!(tree[3].indented_name(), "— — Big bowls");
        assert_eq!(
            subtree(&tree, kitchen.id),
            vec![kitchen.id, bowls.id, big.id, mugs.id]
        );
        assert_eq!(subtree(&tree, garden.id), vec![garden.id]);
        assert!(subtree(&tree, Uuid::new_v4()).is_empty());
    }
}
