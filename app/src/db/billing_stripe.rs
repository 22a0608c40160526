//! What the real Stripe API path reads and writes (issue 5, Deliver 2): the tenant's Stripe
//! customer (seed §4: one per tenant, kept in `tenants.stripe_customer_id`) and what a
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
/// (seed §6: `stripe_customer_id NOT NULL`, a local placeholder until now).
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
