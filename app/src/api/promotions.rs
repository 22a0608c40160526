//! A website's discount codes (issue 22 part 5). Every member may read them; owners, admins
//! and editors add, switch on or off and delete them (`Role::can_manage_products`, the
//! products page's rule). Adding or switching on a code needs a plan that sells; deleting and
//! switching off stay possible after a downgrade. Each change answers the page as it now is.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::{PromotionInput, PromotionsOverview};

#[cfg(feature = "ssr")]
const ONLY_EDITORS: &str =
    "Only the owner, admins and editors can change the discount codes. Ask one of them.";

/// The page's data for `website_id`, in the caller's transaction.
#[cfg(feature = "ssr")]
async fn overview(
    tx: &mut crate::db::Tx,
    member: &crate::db::accounts::Member,
    website_id: Uuid,
) -> Result<PromotionsOverview, AppError> {
    use crate::db::{commerce, limits, promotions};
    let website_name = commerce::website_name(tx, website_id).await?;
    let plan_refusal = match limits::check_commerce(tx, member.tenant_id).await {
        Ok(()) => None,
        Err(e @ AppError::LimitReached { .. }) => Some(e),
        Err(e) => return Err(e),
    };
    let (products, categories) = promotions::scope_choices(tx, website_id).await?;
    Ok(PromotionsOverview {
        website_id,
        website_name,
        can_edit: member.role.can_manage_products(),
        plan_refusal,
        currencies: promotions::shop_currencies(tx, website_id).await?,
        products,
        categories,
        promotions: promotions::list(tx, website_id).await?,
    })
}

/// The website's codes with their uses, and what the form may choose from.
#[server(endpoint = "commerce/promotions", input = WireJson, output = WireJson)]
pub async fn load_promotions(website_id: Uuid) -> Result<PromotionsOverview, AppError> {
    let (member, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let o = overview(&mut tx, &member, website_id).await?;
    tx.commit().await?;
    Ok(o)
}

/// Adds a code to the website. A taken code, a fixed amount in another currency than the
/// shop's, an end before the start or a percentage outside 0–100 is a 400 naming the field.
#[server(endpoint = "commerce/promotion/create", input = WireJson, output = WireJson)]
pub async fn create_promotion(
    website_id: Uuid,
    promotion: PromotionInput,
) -> Result<PromotionsOverview, AppError> {
    use crate::db::{commerce, limits, promotions};
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_products, ONLY_EDITORS).await?;
    commerce::website_name(&mut tx, website_id).await?;
    limits::check_commerce(&mut tx, member.tenant_id).await?;
    let currencies = promotions::shop_currencies(&mut tx, website_id).await?;
    let valid = crate::model::parse_promotion(&promotion, &currencies)?;
    promotions::create(
        &mut tx,
        (member.tenant_id, member.user_id),
        website_id,
        &valid,
    )
    .await?;
    let o = overview(&mut tx, &member, website_id).await?;
    tx.commit().await?;
    Ok(o)
}

/// A code as its edit form shows it.
#[server(endpoint = "commerce/promotion", input = WireJson, output = WireJson)]
pub async fn load_promotion(promotion_id: Uuid) -> Result<PromotionInput, AppError> {
    let (_, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let (_, form) = crate::db::promotions::form(&mut tx, promotion_id).await?;
    tx.commit().await?;
    Ok(form)
}

/// Saves a code's fields, checked as when it was added; a total limit below its uses so far
/// is refused. Needs a plan that sells.
#[server(endpoint = "commerce/promotion/update", input = WireJson, output = WireJson)]
pub async fn update_promotion(
    promotion_id: Uuid,
    promotion: PromotionInput,
) -> Result<PromotionsOverview, AppError> {
    use crate::db::{limits, promotions};
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_products, ONLY_EDITORS).await?;
    let (website_id, _) = promotions::form(&mut tx, promotion_id).await?;
    limits::check_commerce(&mut tx, member.tenant_id).await?;
    let currencies = promotions::shop_currencies(&mut tx, website_id).await?;
    let valid = crate::model::parse_promotion(&promotion, &currencies)?;
    promotions::update(
        &mut tx,
        (member.tenant_id, member.user_id),
        promotion_id,
        &valid,
    )
    .await?;
    let o = overview(&mut tx, &member, website_id).await?;
    tx.commit().await?;
    Ok(o)
}

/// Switches a code on or off; an off code is unknown to visitors.
#[server(endpoint = "commerce/promotion/active", input = WireJson, output = WireJson)]
pub async fn set_promotion_active(
    promotion_id: Uuid,
    active: bool,
) -> Result<PromotionsOverview, AppError> {
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_products, ONLY_EDITORS).await?;
    let website_id = crate::db::promotions::set_active(
        &mut tx,
        (member.tenant_id, member.user_id),
        promotion_id,
        active,
    )
    .await?;
    if active {
        crate::db::limits::check_commerce(&mut tx, member.tenant_id).await?;
    }
    let o = overview(&mut tx, &member, website_id).await?;
    tx.commit().await?;
    Ok(o)
}

/// Deletes a code. Orders placed with it keep its text and their discount.
#[server(endpoint = "commerce/promotion/delete", input = WireJson, output = WireJson)]
pub async fn delete_promotion(promotion_id: Uuid) -> Result<PromotionsOverview, AppError> {
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_products, ONLY_EDITORS).await?;
    let website_id =
        crate::db::promotions::delete(&mut tx, (member.tenant_id, member.user_id), promotion_id)
            .await?;
    let o = overview(&mut tx, &member, website_id).await?;
    tx.commit().await?;
    Ok(o)
}
