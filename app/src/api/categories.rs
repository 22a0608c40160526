//! The shop's categories (issue 22): every member reads a website's tree; owners, admins and
//! editors change it (`Role::can_manage_products`) on a plan that sells.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::{CategoriesOverview, CategoryInput};

#[cfg(feature = "ssr")]
const ONLY_EDITORS: &str =
    "Only the owner, admins and editors can change the categories. Ask one of them.";

/// The website's categories in tree order, with what the caller may do.
#[server(endpoint = "commerce/categories", input = WireJson, output = WireJson)]
pub async fn load_categories(website_id: Uuid) -> Result<CategoriesOverview, AppError> {
    use crate::db::{categories, commerce, limits};
    let (member, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let website_name = commerce::website_name(&mut tx, website_id).await?;
    let sells = limits::check_commerce(&mut tx, member.tenant_id)
        .await
        .is_ok();
    let categories = categories::list(&mut tx, website_id).await?;
    tx.commit().await?;
    Ok(CategoriesOverview {
        website_id,
        website_name,
        can_edit: sells && member.role.can_manage_products(),
        categories,
    })
}

/// Adds a category to the website (`category_id` `None`) or saves one; answers the tree.
#[server(endpoint = "commerce/category/save", input = WireJson, output = WireJson)]
pub async fn save_category(
    website_id: Uuid,
    category_id: Option<Uuid>,
    category: CategoryInput,
) -> Result<CategoriesOverview, AppError> {
    use crate::db::{categories, limits};
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_products, ONLY_EDITORS).await?;
    limits::check_commerce(&mut tx, member.tenant_id).await?;
    let valid = crate::model::parse_category(&category)?;
    let who = (member.tenant_id, member.user_id);
    match category_id {
        None => {
            categories::create(&mut tx, who, website_id, &valid).await?;
        }
        Some(id) => {
            if categories::website_of(&mut tx, id).await? != website_id {
                return Err(AppError::NotFound("Category".into()));
            }
            categories::update(&mut tx, who, id, &valid).await?;
        }
    }
    tx.commit().await?;
    load_categories(website_id).await
}

/// Deletes a category: its sub-categories move up a level and its products stay.
#[server(endpoint = "commerce/category/delete", input = WireJson, output = WireJson)]
pub async fn delete_category(category_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_products, ONLY_EDITORS).await?;
    crate::db::categories::delete(&mut tx, (member.tenant_id, member.user_id), category_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a category one place up or down among its siblings; answers whether it moved.
#[server(endpoint = "commerce/category/move", input = WireJson, output = WireJson)]
pub async fn move_category(category_id: Uuid, up: bool) -> Result<bool, AppError> {
    use crate::db::limits;
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_products, ONLY_EDITORS).await?;
    limits::check_commerce(&mut tx, member.tenant_id).await?;
    let moved = crate::db::categories::shift(&mut tx, category_id, up).await?;
    tx.commit().await?;
    Ok(moved)
}
