//! The shop's live payments through Stripe Connect Express (issue 22 "Deliver 3"): the tenant's
//! connected account on `tenants` (RLS: the tenant's own row), the Checkout session's order
//! lines, and what Stripe's events about shop payments change on an order (a session that
//! expired, a refund made in the Stripe dashboard).

use sqlx::FromRow;
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;
use crate::model::format_money;

/// The tenant's connected account as last seen.
#[derive(Debug, Clone, FromRow)]
pub struct ConnectAccount {
    pub account_id: Option<String>,
    pub charges_enabled: bool,
    pub details_submitted: bool,
}

pub async fn account(tx: &mut Tx, tenant: Uuid) -> Result<ConnectAccount, AppError> {
    Ok(sqlx::query_as(
        "SELECT stripe_connect_account_id AS account_id,
                stripe_connect_charges_enabled AS charges_enabled,
                stripe_connect_details_submitted AS details_submitted
           FROM tenants WHERE id = $1",
    )
    .bind(tenant)
    .fetch_one(&mut **tx)
    .await?)
}

/// The account live checkout pays into: only one Stripe said can take charges.
pub async fn ready_account(tx: &mut Tx, tenant: Uuid) -> Result<Option<String>, AppError> {
    let a = account(tx, tenant).await?;
    Ok(a.account_id.filter(|_| a.charges_enabled))
}

/// The tenant's account id, with the tenant row locked until `tx` ends: two owners (or two
/// server instances) connecting at once queue here, and the second finds the first's account.
pub async fn lock_account(tx: &mut Tx, tenant: Uuid) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar(
            "SELECT stripe_connect_account_id FROM tenants WHERE id = $1 FOR UPDATE",
        )
        .bind(tenant)
        .fetch_one(&mut **tx)
        .await?,
    )
}

pub async fn store_account(tx: &mut Tx, tenant: Uuid, account_id: &str) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE tenants SET stripe_connect_account_id = $2, stripe_connect_charges_enabled = false,
                stripe_connect_details_submitted = false, stripe_connect_synced_at = NULL
          WHERE id = $1",
    )
    .bind(tenant)
    .bind(account_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores what Stripe said about `account_id` at `at` (Stripe's clock, unix seconds), unless a
/// newer state is stored already or the tenant has another account. Answers whether it did.
pub async fn set_state(
    tx: &mut Tx,
    tenant: Uuid,
    account_id: &str,
    (charges_enabled, details_submitted): (bool, bool),
    at: i64,
) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE tenants SET stripe_connect_charges_enabled = $3,
                stripe_connect_details_submitted = $4, stripe_connect_synced_at = $5
          WHERE id = $1 AND stripe_connect_account_id = $2
            AND (stripe_connect_synced_at IS NULL OR stripe_connect_synced_at <= $5)",
    )
    .bind(tenant)
    .bind(account_id)
    .bind(charges_enabled)
    .bind(details_submitted)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A line of the Checkout session: what the order line charges after its share of the
/// discount, so the lines add up to the order's total exactly.
#[derive(Debug, Clone, FromRow)]
pub struct SessionLine {
    pub title: String,
    pub option_values: Vec<String>,
    pub quantity: i32,
    pub total_cents: i64,
}

impl SessionLine {
    /// "3 × Blue Mug (M)".
    pub fn name(&self) -> String {
        let options = if self.option_values.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.option_values.join(", "))
        };
        format!("{} × {}{options}", self.quantity, self.title)
    }
}

pub async fn session_lines(tx: &mut Tx, order_id: Uuid) -> Result<Vec<SessionLine>, AppError> {
    Ok(sqlx::query_as(
        "SELECT title, option_values, quantity, total_cents FROM website_order_items
          WHERE order_id = $1 ORDER BY created_at, id",
    )
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await?)
}

/// A pending order of checkout session `session_id` whose session expired at Stripe: its stock
/// goes back. Answers whether it did (false: paid, released already, or another session).
pub async fn release_expired(
    tx: &mut Tx,
    tenant: Uuid,
    order_id: Uuid,
    session_id: &str,
) -> Result<bool, AppError> {
    let ours: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM website_orders WHERE id = $1 AND stripe_checkout_session_id = $2",
    )
    .bind(order_id)
    .bind(session_id)
    .fetch_optional(&mut **tx)
    .await?;
    if ours.is_none() {
        return Ok(false);
    }
    super::shop::release(tx, tenant, order_id, chrono::Utc::now(), true).await
}

/// How mirroring a refund went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mirrored {
    Now,
    /// The order already records this much refunded (our own refund, or a repeated event).
    Already,
    /// No order of this payment.
    Unknown,
}

/// Mirrors a refund made outside the app (the Stripe dashboard) of the order's payment
/// `payment_intent`: `amount_refunded` is Stripe's running total for the charge, so a repeated
/// or late event never counts twice and never lowers what is recorded. The whole total refunded
/// makes the order refunded; less makes its payment partially refunded. History row, audit row
/// and the `order.refunded` webhook event, as for a refund made in the app.
pub async fn mirror_refund(
    tx: &mut Tx,
    tenant: Uuid,
    order_id: Uuid,
    payment_intent: &str,
    (amount_refunded, reference): (i64, &str),
) -> Result<Mirrored, AppError> {
    let row: Option<(Uuid, String, i64, i64)> = sqlx::query_as(
        "SELECT website_id, currency, total_cents, refunded_cents FROM website_orders
          WHERE id = $1 AND payment_reference = $2 FOR UPDATE",
    )
    .bind(order_id)
    .bind(payment_intent)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((website_id, currency, total, refunded)) = row else {
        return Ok(Mirrored::Unknown);
    };
    let now_refunded = amount_refunded.min(total);
    if now_refunded <= refunded {
        return Ok(Mirrored::Already);
    }
    let full = now_refunded >= total;
    let (status, payment_status): (String, String) = sqlx::query_as(
        "UPDATE website_orders
            SET refunded_cents = $2,
                status = CASE WHEN $3 THEN 'refunded' ELSE status END,
                payment_status = CASE WHEN $3 THEN 'refunded' ELSE 'partially_refunded' END,
                updated_at = now()
          WHERE id = $1 RETURNING status, payment_status",
    )
    .bind(order_id)
    .bind(now_refunded)
    .bind(full)
    .fetch_one(&mut **tx)
    .await?;
    let amount = now_refunded - refunded;
    let note = format!(
        "Refunded {} in Stripe ({reference}); {} of {} refunded in all",
        format_money(amount, &currency),
        format_money(now_refunded, &currency),
        format_money(total, &currency),
    );
    super::shop::history(
        tx,
        tenant,
        order_id,
        (&status, &payment_status),
        &note,
        None,
    )
    .await?;
    super::shop::emit_order_event(tx, website_id, "order.refunded", order_id).await?;
    super::audit(
        tx,
        tenant,
        None,
        "order.refunded",
        ("order", order_id),
        serde_json::json!({
            "website_id": website_id,
            "amount_cents": amount,
            "refunded_cents": now_refunded,
            "currency": currency,
            "refund": reference,
            "source": "stripe",
        }),
    )
    .await?;
    Ok(Mirrored::Now)
}
