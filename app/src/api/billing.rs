//! Billing server functions. The billing page is the owner's only
//! (`Role::can_manage_billing`); the status banner is every member's.
//!
//! Local test mode (no Stripe secret key; never in production) changes the plan the same way
//! Stripe does: the server builds a Stripe-shaped event, signs it with the webhook secret and
//! hands it to the real `/webhooks/stripe` handler through [`TestModeWebhook`], which the
//! server provides only when test mode is on. Nothing here writes `subscriptions` or
//! `tenants.plan_id`.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::{BillingOverview, BillingStatus};

#[cfg(feature = "ssr")]
const OWNER_ONLY: &str =
    "Only the account owner can see and change billing. Ask your owner to change the plan.";

/// Delivers an (unsigned) Stripe event body to the webhook handler, signed as Stripe signs.
/// Present in context only in local test mode.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct TestModeWebhook(pub std::sync::Arc<TestModeDelivery>);

/// The delivery behind [`TestModeWebhook`]: event body in, the webhook's refusal out.
#[cfg(feature = "ssr")]
pub type TestModeDelivery = dyn Fn(Vec<u8>) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send>>
    + Send
    + Sync;

#[server(endpoint = "billing/overview", output = WireJson)]
pub async fn load_billing() -> Result<BillingOverview, AppError> {
    let (member, mut tx) =
        super::ctx::member_tx(crate::model::Role::can_manage_billing, OWNER_ONLY).await?;
    let test_mode = use_context::<TestModeWebhook>().is_some();
    let mut overview = crate::db::billing::overview(&mut tx, member.tenant_id, test_mode).await?;
    overview.stripe_enabled = use_context::<super::billing_stripe::StripeApi>().is_some();
    tx.commit().await?;
    Ok(overview)
}

/// Subscription status for the past-due banner: every member.
#[server(endpoint = "billing/status", output = WireJson)]
pub async fn load_billing_status() -> Result<BillingStatus, AppError> {
    let (member, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let mut status = crate::db::billing::status(&mut tx, member.tenant_id).await?;
    status.can_manage_billing = member.role.can_manage_billing();
    tx.commit().await?;
    Ok(status)
}

/// Test mode: moves to `plan` (slug) on `cycle` (monthly | yearly). A free plan ends the paid
/// subscription. `keep` = websites to keep if the new plan allows fewer than are active.
#[server(endpoint = "billing/test_change", input = WireJson, output = WireJson)]
pub async fn test_change_plan(
    plan: String,
    cycle: String,
    keep: Vec<Uuid>,
) -> Result<(), AppError> {
    let hook = test_mode()?;
    if !matches!(cycle.as_str(), "monthly" | "yearly") {
        return Err(AppError::invalid(
            "cycle",
            "Choose monthly or yearly billing.",
        ));
    }
    let (member, mut tx) =
        super::ctx::member_tx(crate::model::Role::can_manage_billing, OWNER_ONLY).await?;
    let target = crate::db::billing::target(&mut tx, &plan, &cycle).await?;
    crate::db::billing::choose_websites_to_keep(
        &mut tx,
        member.tenant_id,
        &keep,
        target.max_websites,
    )
    .await?;
    let state = crate::db::billing::stripe_state(
        &mut tx,
        member.tenant_id,
        &test_customer(member.tenant_id),
    )
    .await?;
    // Committed before delivery: the webhook's own transaction locks these rows.
    tx.commit().await?;
    let live = state.subscription.is_some() && state.status != "cancelled";
    let tenant = member.tenant_id;
    let customer = state.customer.clone();
    let (event, subscription) = match (target.price.as_deref(), live) {
        (None, false) => return Err(AppError::invalid("plan", "You are already on this plan.")),
        (None, true) => (
            test_event::subscription(
                "customer.subscription.deleted",
                &state,
                tenant,
                state.price.as_deref(),
                "canceled",
                false,
            ),
            None,
        ),
        (Some(price), true) if state.price.as_deref() == Some(price) => {
            return Err(AppError::invalid(
                "plan",
                "You are already on this plan and billing cycle.",
            ))
        }
        (Some(price), true) => (
            test_event::subscription(
                "customer.subscription.updated",
                &state,
                tenant,
                Some(price),
                "active",
                false,
            ),
            state.subscription.clone().map(|s| (s, price)),
        ),
        (Some(price), false) => {
            // A new subscription, as Stripe creates one per checkout.
            let fresh = crate::db::billing::StripeState {
                subscription: Some(format!("sub_test_{}", Uuid::new_v4().simple())),
                ..state
            };
            let sub = fresh.subscription.clone().map(|s| (s, price));
            (
                test_event::subscription(
                    "customer.subscription.created",
                    &fresh,
                    tenant,
                    Some(price),
                    "active",
                    false,
                ),
                sub,
            )
        }
    };
    deliver(&hook, event).await?;
    // Stripe invoices a new or changed paid plan at once; test mode bills the plan's price.
    if let Some((subscription, price)) = subscription {
        let bill = test_bill(tenant, price, false).await?;
        let paid =
            test_event::invoice("invoice.payment_succeeded", &customer, &subscription, &bill);
        deliver(&hook, paid).await?;
    }
    Ok(())
}

/// Test mode: cancels the paid subscription at the end of the period (Stripe keeps the plan
/// until then and sets `cancel_at_period_end`).
#[server(endpoint = "billing/test_cancel", output = WireJson)]
pub async fn test_cancel() -> Result<(), AppError> {
    let hook = test_mode()?;
    let (member, tx) =
        super::ctx::member_tx(crate::model::Role::can_manage_billing, OWNER_ONLY).await?;
    tx.commit().await?;
    if !cancel_at_period_end(&hook, &ctx_pool()?, member.tenant_id, true).await? {
        return Err(AppError::invalid(
            "plan",
            "There is no paid subscription to cancel.",
        ));
    }
    Ok(())
}

#[cfg(feature = "ssr")]
fn ctx_pool() -> Result<sqlx::PgPool, AppError> {
    Ok(super::ctx::state()?.pool)
}

/// Test mode: sets the tenant's paid subscription to end with the current period (`cancel`)
/// or to go on again, as Stripe's `cancel_at_period_end` does; `false` when there is no paid
/// subscription (nothing to do).
#[cfg(feature = "ssr")]
async fn cancel_at_period_end(
    hook: &TestModeWebhook,
    pool: &sqlx::PgPool,
    tenant: Uuid,
    cancel: bool,
) -> Result<bool, AppError> {
    let mut tx = crate::db::tenant_tx(pool, tenant).await?;
    let state = crate::db::billing::stripe_state(&mut tx, tenant, &test_customer(tenant)).await?;
    tx.commit().await?;
    if state.subscription.is_none() || state.status == "cancelled" || state.price.is_none() {
        return Ok(false);
    }
    let event = test_event::subscription(
        "customer.subscription.updated",
        &state,
        tenant,
        state.price.as_deref(),
        &state.status,
        cancel,
    );
    deliver(hook, event).await?;
    Ok(true)
}

/// When the organisation is deleted (`cancel`) or its deletion cancelled, the paid
/// subscription ends with the current period, or goes on again: with Stripe keys through the
/// Stripe API (`cancel_at_period_end` on the live subscription), in local test mode through
/// its simulated event.
#[cfg(feature = "ssr")]
pub(crate) async fn follow_organisation_deletion(
    tenant: Uuid,
    cancel: bool,
) -> Result<(), AppError> {
    if let Some(api) = use_context::<super::billing_stripe::StripeApi>() {
        // A live subscription: Stripe stops (or resumes) renewing it, and its
        // `customer.subscription.updated` event mirrors that here as for any change.
        let mut tx = crate::db::tenant_tx(&ctx_pool()?, tenant).await?;
        let live = crate::db::billing_stripe::live_subscription(&mut tx).await?;
        tx.commit().await?;
        if let Some(sub) = live {
            let form = vec![("cancel_at_period_end".to_string(), cancel.to_string())];
            api.post(&format!("/v1/subscriptions/{sub}"), form, None)
                .await?;
        }
        return Ok(());
    }
    let Some(hook) = use_context::<TestModeWebhook>() else {
        return Ok(());
    };
    cancel_at_period_end(&hook, &ctx_pool()?, tenant, cancel).await?;
    Ok(())
}

/// Test mode: Stripe's invoice outcome for the paid subscription, as `stripe trigger
/// invoice.payment_failed` would send it: a failed payment makes it `past_due` (features kept,
/// banner shown), a paid one makes it `active` again.
#[server(endpoint = "billing/test_invoice", input = WireJson, output = WireJson)]
pub async fn test_invoice(paid: bool) -> Result<(), AppError> {
    let hook = test_mode()?;
    let (member, mut tx) =
        super::ctx::member_tx(crate::model::Role::can_manage_billing, OWNER_ONLY).await?;
    let state = crate::db::billing::stripe_state(
        &mut tx,
        member.tenant_id,
        &test_customer(member.tenant_id),
    )
    .await?;
    tx.commit().await?;
    let Some(subscription) = state
        .subscription
        .as_deref()
        .filter(|_| state.status != "cancelled" && state.price.is_some())
    else {
        return Err(AppError::invalid(
            "plan",
            "There is no paid subscription to bill.",
        ));
    };
    let kind = if paid {
        "invoice.payment_succeeded"
    } else {
        "invoice.payment_failed"
    };
    let price = state.price.clone().unwrap_or_default();
    // A successful retry pays the invoice that failed, as Stripe's retries do.
    let event = test_bill(member.tenant_id, &price, paid)
        .await
        .map(|bill| test_event::invoice(kind, &state.customer, subscription, &bill))?;
    deliver(&hook, event).await
}

/// The next simulated invoice for `price`: the open one when `retry` and there is one,
/// otherwise a new invoice.
#[cfg(feature = "ssr")]
async fn test_bill(
    tenant: Uuid,
    price: &str,
    retry: bool,
) -> Result<test_event::TestBill, AppError> {
    let state = super::ctx::state()?;
    let mut tx = crate::db::tenant_tx(&state.pool, tenant).await?;
    let amount_cents = crate::db::invoices::price_cents(&mut tx, price)
        .await?
        .unwrap_or(0);
    let (open, number) = crate::db::invoices::test_mode_next(&mut tx).await?;
    tx.commit().await?;
    let id = open
        .filter(|_| retry)
        .unwrap_or_else(|| format!("in_test_{}", Uuid::new_v4().simple()));
    Ok(test_event::TestBill {
        id,
        number,
        price: price.to_string(),
        amount_cents,
    })
}

#[cfg(feature = "ssr")]
fn test_mode() -> Result<TestModeWebhook, AppError> {
    use_context::<TestModeWebhook>().ok_or_else(|| {
        AppError::forbidden(
            "Test mode is off on this server: plan changes go through Stripe checkout.",
        )
    })
}

#[cfg(feature = "ssr")]
fn test_customer(tenant: Uuid) -> String {
    format!("cus_test_{}", tenant.simple())
}

#[cfg(feature = "ssr")]
pub(crate) async fn deliver(
    hook: &TestModeWebhook,
    event: serde_json::Value,
) -> Result<(), AppError> {
    (hook.0)(event.to_string().into_bytes()).await.map_err(|e| {
        tracing::error!(error = %e, "test-mode webhook delivery failed");
        AppError::Internal
    })
}

/// Stripe-shaped events, as Stripe's API sends them (the fields `server::stripe::event` reads).
#[cfg(feature = "ssr")]
pub mod test_event {
    use crate::db::billing::StripeState;
    use uuid::Uuid;

    pub fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }

    /// A paid one-off Checkout session (`mode: payment`): a shop order or a pack of AI credits,
    /// told apart by the `metadata` our checkout sets; `amount` is (minor units, currency).
    pub fn checkout_completed(
        session: &str,
        payment_intent: &str,
        amount: Option<(i64, &str)>,
        metadata: serde_json::Value,
    ) -> serde_json::Value {
        let mut object = serde_json::json!({
            "id": session,
            "object": "checkout.session",
            "mode": "payment",
            "payment_status": "paid",
            "payment_intent": payment_intent,
            "metadata": metadata,
        });
        if let Some((total, currency)) = amount {
            object["amount_total"] = total.into();
            object["currency"] = currency.into();
        }
        serde_json::json!({
            "id": format!("evt_test_{}", Uuid::new_v4().simple()),
            "object": "event",
            "type": "checkout.session.completed",
            "created": now(),
            "livemode": false,
            "data": { "object": object }
        })
    }

    /// A simulated invoice: Stripe's id for it, its running number, the plan's Stripe price
    /// and what that price costs (minor units, USD as the plans are priced).
    pub struct TestBill {
        pub id: String,
        pub number: i64,
        pub price: String,
        pub amount_cents: i64,
    }

    pub fn invoice(
        kind: &str,
        customer: &str,
        subscription: &str,
        bill: &TestBill,
    ) -> serde_json::Value {
        let now = now();
        let paid = kind.ends_with("succeeded");
        let days = if bill.price.ends_with("_yearly") {
            365
        } else {
            30
        };
        serde_json::json!({
            "id": format!("evt_test_{}", Uuid::new_v4().simple()),
            "object": "event",
            "type": kind,
            "created": now,
            "livemode": false,
            "data": { "object": {
                "id": bill.id,
                "object": "invoice",
                "customer": customer,
                "subscription": subscription,
                "paid": paid,
                "status": if paid { "paid" } else { "open" },
                "number": format!("TEST-{:04}", bill.number),
                "currency": "usd",
                "amount_due": bill.amount_cents,
                "amount_paid": if paid { bill.amount_cents } else { 0 },
                "created": now,
                "period_start": now,
                "period_end": now + days * 24 * 3600,
            }}
        })
    }

    pub fn subscription(
        kind: &str,
        state: &StripeState,
        tenant: Uuid,
        price: Option<&str>,
        status: &str,
        cancel_at_period_end: bool,
    ) -> serde_json::Value {
        let now = now();
        let yearly = price.is_some_and(|p| p.ends_with("_yearly"));
        let period = if yearly { 365 } else { 30 } * 24 * 3600;
        let items = price
            .map(|p| serde_json::json!({ "object": "list", "data": [{ "price": { "id": p } }] }));
        serde_json::json!({
            "id": format!("evt_test_{}", Uuid::new_v4().simple()),
            "object": "event",
            "type": kind,
            "created": now,
            "livemode": false,
            "data": { "object": {
                "id": state.subscription.clone().unwrap_or_default(),
                "object": "subscription",
                "customer": state.customer,
                "status": status,
                "items": items,
                "current_period_start": now,
                "current_period_end": now + period,
                "cancel_at_period_end": cancel_at_period_end,
                "canceled_at": if kind.ends_with(".deleted") { Some(now) } else { None },
                "metadata": { "tenant_id": tenant.to_string() },
            }}
        })
    }
}

/// Restores an archived website (e.g. after upgrading again), within the plan's limit.
#[server(endpoint = "billing/restore_website", input = WireJson, output = WireJson)]
pub async fn restore_website(website_id: Uuid) -> Result<(), AppError> {
    let (member, mut tx) =
        super::ctx::member_tx(crate::model::Role::can_manage_billing, OWNER_ONLY).await?;
    crate::db::websites::restore(&mut tx, member.tenant_id, member.user_id, website_id).await?;
    tx.commit().await?;
    Ok(())
}
