//! What the real Stripe API path reads and writes, and what the webhook's
//! event handling changes: the tenant's Stripe
//! customer (schema reference §4: one per tenant, kept in `tenants.stripe_customer_id`) and what a
//! Checkout session needs. `subscriptions` and `tenants.plan_id` still change only through
//! the webhook; the customer id is the one thing written here, before any payment.

use sqlx::FromRow;
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;

/// Test mode's placeholder customers (`cus_test_<tenant>`) never exist at Stripe; real ids are
/// `cus_` followed by letters and digits only, so the prefix cannot collide with one.
pub const TEST_CUSTOMER_PREFIX: &str = "cus_test_";

/// The tenant's real Stripe customer id, with the tenant row locked until the transaction
/// ends: two concurrent callers queue here, so only the first creates a customer.
pub async fn lock_customer(tx: &mut Tx, tenant: Uuid) -> Result<Option<String>, AppError> {
    let id: Option<String> =
        sqlx::query_scalar("SELECT stripe_customer_id FROM tenants WHERE id = $1 FOR UPDATE")
            .bind(tenant)
            .fetch_one(&mut **tx)
            .await?;
    Ok(id.filter(|c| !c.starts_with(TEST_CUSTOMER_PREFIX)))
}

/// Links the tenant to its new Stripe customer. The subscription row mirrors the customer
/// (schema reference §6: `stripe_customer_id NOT NULL`, a local placeholder until now).
pub async fn store_customer(tx: &mut Tx, tenant: Uuid, customer: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE tenants SET stripe_customer_id = $2 WHERE id = $1")
        .bind(tenant)
        .bind(customer)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE subscriptions SET stripe_customer_id = $2 WHERE tenant_id = $1 AND stripe_subscription_id IS NULL")
        .bind(tenant)
        .bind(customer)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Who the Stripe customer is: the organisation, billed to its owner's email.
#[derive(Debug, FromRow)]
pub struct CustomerDetails {
    pub name: String,
    pub email: String,
}

pub async fn customer_details(tx: &mut Tx, tenant: Uuid) -> Result<CustomerDetails, AppError> {
    Ok(sqlx::query_as::<_, CustomerDetails>(
        r#"SELECT t.name, u.email FROM tenants t
             JOIN users u ON u.tenant_id = t.id AND u.role = 'owner'
            WHERE t.id = $1 ORDER BY u.created_at, u.id LIMIT 1"#,
    )
    .bind(tenant)
    .fetch_one(&mut **tx)
    .await?)
}

/// A plan the owner picked for Checkout, and the subscription the tenant has now.
#[derive(Debug, FromRow)]
pub struct CheckoutTarget {
    /// False for a free plan (nothing to pay for).
    pub paid: bool,
    /// The Stripe price for the chosen cycle; `None` if the plan has none configured.
    pub price: Option<String>,
    /// The subscription we mirror is live at Stripe (changes go through the portal then).
    pub live_subscription: bool,
    pub current_price: Option<String>,
}

pub async fn checkout_target(
    tx: &mut Tx,
    tenant: Uuid,
    slug: &str,
    cycle: &str,
) -> Result<CheckoutTarget, AppError> {
    let row = sqlx::query_as::<_, CheckoutTarget>(
        r#"SELECT (p.price_monthly_cents > 0 OR p.price_yearly_cents > 0) AS paid,
                  CASE WHEN $3 = 'yearly' THEN p.stripe_yearly_price_id ELSE p.stripe_monthly_price_id END AS price,
                  (s.stripe_subscription_id IS NOT NULL AND s.stripe_price_id IS NOT NULL
                     AND s.status NOT IN ('cancelled', 'incomplete')) AS live_subscription,
                  s.stripe_price_id AS current_price
             FROM plans p, subscriptions s
            WHERE p.slug = $2 AND p.is_active AND s.tenant_id = $1"#,
    )
    .bind(tenant)
    .bind(slug)
    .bind(cycle)
    .fetch_optional(&mut **tx)
    .await?;
    row.ok_or_else(|| AppError::invalid("plan", "Choose one of the plans shown."))
}

/// The tenant's subscription as a Stripe event finds it.
#[derive(FromRow)]
pub struct CurrentSubscription {
    pub id: Uuid,
    pub stripe_subscription_id: Option<String>,
    /// A later event was already applied.
    pub newer_applied: bool,
    /// The last event applied has the same `created` second as this one: a tie to break.
    pub same_second: bool,
    /// The mirrored status (`cancelled` once Stripe deleted the subscription).
    pub status: String,
    pub plan_id: Uuid,
    pub plan_slug: String,
    pub plan_order: i32,
}

/// The current tenant's subscription row, locked so concurrent events for it apply one at a
/// time. `created` is the event's time (Unix seconds).
pub async fn current_subscription(
    tx: &mut Tx,
    created: i64,
) -> Result<Option<CurrentSubscription>, AppError> {
    Ok(sqlx::query_as::<_, CurrentSubscription>(
        r#"SELECT s.id, s.stripe_subscription_id,
                  coalesce(s.stripe_event_at > to_timestamp($1), false) AS newer_applied,
                  coalesce(s.stripe_event_at = to_timestamp($1), false) AS same_second,
                  s.status,
                  p.id AS plan_id, p.slug AS plan_slug, p.display_order AS plan_order
             FROM subscriptions s
             JOIN tenants t ON t.id = s.tenant_id
             JOIN plans p ON p.id = t.plan_id
            FOR UPDATE OF s, t"#,
    )
    .bind(created as f64)
    .fetch_optional(&mut **tx)
    .await?)
}

/// A plan as a Stripe price selects it, with the billing cycle the price stands for.
#[derive(FromRow)]
pub struct PricedPlan {
    pub id: Uuid,
    pub slug: String,
    pub display_order: i32,
    /// `monthly`, `yearly`, or `none` for the free plan.
    pub cycle: String,
}

/// The plan whose monthly or yearly Stripe price is `price`, if any.
pub async fn plan_for_price(tx: &mut Tx, price: &str) -> Result<Option<PricedPlan>, AppError> {
    Ok(sqlx::query_as::<_, PricedPlan>(
        r#"SELECT id, slug, display_order,
                  CASE WHEN stripe_yearly_price_id = $1 THEN 'yearly' ELSE 'monthly' END AS cycle
             FROM plans WHERE stripe_monthly_price_id = $1 OR stripe_yearly_price_id = $1"#,
    )
    .bind(price)
    .fetch_optional(&mut **tx)
    .await?)
}

/// The plan a tenant without a paid subscription is on: the cheapest, first-listed free one.
pub async fn free_plan(tx: &mut Tx) -> Result<PricedPlan, AppError> {
    Ok(sqlx::query_as::<_, PricedPlan>(
        r#"SELECT id, slug, display_order, 'none' AS cycle FROM plans
            WHERE price_monthly_cents = 0 AND price_yearly_cents = 0
            ORDER BY display_order LIMIT 1"#,
    )
    .fetch_one(&mut **tx)
    .await?)
}

/// The subscription as a Stripe subscription event states it. Times are Unix seconds.
pub struct SubscriptionMirror<'a> {
    pub stripe_subscription_id: &'a str,
    pub customer: &'a str,
    pub price_id: Option<&'a str>,
    pub status: &'a str,
    pub cycle: &'a str,
    pub period_start: Option<i64>,
    pub period_end: Option<i64>,
    pub trial_end: Option<i64>,
    pub cancel_at_period_end: bool,
    pub cancelled_at: Option<i64>,
    /// The event's own time: later events win over earlier ones.
    pub event_at: i64,
}

/// Mirrors a Stripe subscription onto the tenant's subscription row `id`.
pub async fn mirror_subscription(
    tx: &mut Tx,
    id: Uuid,
    sub: &SubscriptionMirror<'_>,
) -> Result<(), AppError> {
    let secs = |t: Option<i64>| t.map(|t| t as f64);
    sqlx::query(
        r#"UPDATE subscriptions
              SET stripe_subscription_id = $2, stripe_customer_id = $3, stripe_price_id = $4,
                  status = $5, billing_cycle = $6,
                  current_period_start = to_timestamp($7), current_period_end = to_timestamp($8),
                  trial_end = to_timestamp($9), cancel_at_period_end = $10,
                  cancelled_at = to_timestamp($11), stripe_event_at = to_timestamp($12)
            WHERE id = $1"#,
    )
    .bind(id)
    .bind(sub.stripe_subscription_id)
    .bind(sub.customer)
    .bind(sub.price_id)
    .bind(sub.status)
    .bind(sub.cycle)
    .bind(secs(sub.period_start))
    .bind(secs(sub.period_end))
    .bind(secs(sub.trial_end))
    .bind(sub.cancel_at_period_end)
    .bind(secs(sub.cancelled_at))
    .bind(sub.event_at as f64)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Puts the tenant on `plan` and links it to its Stripe customer (only subscription events do).
pub async fn set_tenant_plan(
    tx: &mut Tx,
    tenant: Uuid,
    plan: Uuid,
    customer: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE tenants SET plan_id = $2, stripe_customer_id = $3 WHERE id = $1")
        .bind(tenant)
        .bind(plan)
        .bind(customer)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sets the subscription's status as an invoice event reports it. `event_at`: Unix seconds.
pub async fn set_subscription_status(
    tx: &mut Tx,
    id: Uuid,
    status: &str,
    event_at: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE subscriptions SET status = $2, stripe_event_at = to_timestamp($3) WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(event_at as f64)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The tenant's live (not cancelled) Stripe subscription, if it has one; test mode's
/// simulated subscriptions (`sub_test_…`) do not count.
pub async fn live_subscription(tx: &mut Tx) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT stripe_subscription_id FROM subscriptions
          WHERE tenant_id = app_current_tenant() AND status <> 'cancelled'
            AND stripe_subscription_id IS NOT NULL
            AND stripe_subscription_id NOT LIKE 'sub\\_test\\_%'",
    )
    .fetch_optional(&mut **tx)
    .await?
    .flatten())
}
