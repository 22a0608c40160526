//! Refunds and the CSV export of a website's shop orders (issue 22 part 4). The status steps
//! (fulfilled, shipped, delivered, cancelled) are in [`super::commerce`].

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::OrdersOverview;

#[cfg(feature = "ssr")]
pub use ssr::*;

/// Refunds the rest of a paid order to its customer: through the Stripe API for a Stripe
/// payment, in the local test mode for a test-mode payment. With `restock` its items go back
/// in stock. Owners and admins. Answers the website's orders as they now stand.
#[server(endpoint = "commerce/order/refund", input = WireJson, output = WireJson)]
pub async fn refund_order(order_id: Uuid, restock: bool) -> Result<OrdersOverview, AppError> {
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(Role::can_refund_orders, CANNOT_REFUND).await?;
    let order = crate::db::order_admin::lock_refundable(&mut tx, order_id).await?;
    let refund_id = refund_payment(order_id, &order).await?;
    crate::db::order_admin::record_refund(
        &mut tx,
        (member.tenant_id, member.user_id),
        order_id,
        &order,
        &refund_id,
        restock,
    )
    .await?;
    let overview = overview(&mut tx, member.role, order.website_id).await?;
    tx.commit().await?;
    tracing::info!(order = %order_id, refund = %refund_id, "order refunded");
    Ok(overview)
}

#[cfg(feature = "ssr")]
mod ssr {
    use uuid::Uuid;

    use crate::db::order_admin::Refundable;
    use crate::db::Tx;
    use crate::error::AppError;
    use crate::model::{OrdersOverview, Role};

    pub const CANNOT_REFUND: &str =
        "Only owners and admins can refund orders. Ask one of them to refund this order.";
    pub const REFUNDS: &str = "/v1/refunds";
    /// The local test mode's payments (`pi_test_<order>`); Stripe's own ids have no second
    /// underscore, so the prefix cannot name a real payment.
    pub const TEST_PAYMENT_PREFIX: &str = "pi_test_";

    /// The website's orders for `role`, as the orders page shows them.
    pub async fn overview(
        tx: &mut Tx,
        role: Role,
        website_id: Uuid,
    ) -> Result<OrdersOverview, AppError> {
        Ok(OrdersOverview {
            website_id,
            website_name: crate::db::commerce::website_name(tx, website_id).await?,
            can_edit: role.can_manage_products(),
            can_refund: role.can_refund_orders(),
            orders: crate::db::shop::orders(tx, website_id).await?,
        })
    }

    /// Gives the money back where it came from; answers the refund's id. The order stays
    /// locked (by the caller's transaction) while Stripe answers, so a second refund waits
    /// and then finds it refunded; the idempotency key makes a retry the same refund at Stripe.
    pub async fn refund_payment(order_id: Uuid, order: &Refundable) -> Result<String, AppError> {
        let reference = order.payment_reference.clone().unwrap_or_default();
        if reference.starts_with(TEST_PAYMENT_PREFIX) {
            return Ok(format!("re_test_{}", Uuid::new_v4().simple()));
        }
        let api = crate::api::billing_stripe::stripe()?;
        let amount = order.total_cents - order.refunded_cents;
        let form = vec![
            ("payment_intent".to_string(), reference),
            ("amount".to_string(), amount.to_string()),
            ("reason".to_string(), "requested_by_customer".to_string()),
            // Live shop payments are destination charges to the shop's connected account
            // (`api::shop_payments`): the refund takes the money back from that account, not
            // from the platform's balance.
            ("reverse_transfer".to_string(), "true".to_string()),
            (
                "metadata[sitepilot_order]".to_string(),
                order_id.to_string(),
            ),
        ];
        let key = format!("sitepilot-refund-{order_id}-{}", order.refunded_cents);
        let refund = api.post(REFUNDS, form, Some(key)).await?;
        match refund.get("id").and_then(|v| v.as_str()) {
            Some(id) if id.starts_with("re_") => Ok(id.to_string()),
            _ => {
                tracing::error!(object = %refund, "stripe refund without an id");
                Err(AppError::Internal)
            }
        }
    }

    /// `GET /websites/{id}/orders.csv`: every member may read the orders, so every member
    /// may download them; rate-limited like the other exports.
    pub async fn export_csv_for(
        pool: &sqlx::PgPool,
        caller: &crate::api::ctx::Caller,
        website_id: Uuid,
    ) -> Result<(String, crate::db::rate_limits::RateState), AppError> {
        let (_, rate, mut tx) = crate::api::ctx::export_tx(pool, caller, |_| true, "").await?;
        let csv = crate::db::order_admin::orders_csv(&mut tx, website_id).await?;
        tx.commit().await?;
        Ok((csv, rate))
    }
}
