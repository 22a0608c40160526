//! The tenant's invoices (`billing_invoices`, migration 0047): kept from Stripe's invoice
//! events and from the Stripe API's invoice list, listed on the billing page.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::Tx;
use crate::error::AppError;
use crate::model::Invoice;

/// One Stripe invoice as Stripe describes it (the fields the billing page shows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRecord {
    pub stripe_id: String,
    pub number: Option<String>,
    pub status: String,
    pub amount_due_cents: i64,
    pub amount_paid_cents: i64,
    /// ISO 4217, upper case.
    pub currency: String,
    pub hosted_url: Option<String>,
    pub pdf_url: Option<String>,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
    pub issued_at: DateTime<Utc>,
}

/// Stores `inv` for the transaction's tenant, or updates the row Stripe's id already has (a
/// failed invoice that is paid later changes status; nothing is kept twice). Deliveries are
/// unordered, so a paid or void invoice keeps that status.
pub async fn upsert(tx: &mut Tx, inv: &InvoiceRecord) -> Result<(), AppError> {
    sqlx::query(
        r#"INSERT INTO billing_invoices
               (tenant_id, stripe_invoice_id, number, status, amount_due_cents, amount_paid_cents,
                currency, hosted_invoice_url, invoice_pdf_url, period_start, period_end, issued_at)
           VALUES (app_current_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (tenant_id, stripe_invoice_id) DO UPDATE SET
               -- A finalized invoice's number never changes at Stripe.
               number = COALESCE(billing_invoices.number, EXCLUDED.number),
               -- Paid and void are final at Stripe: an older event delivered late cannot undo them.
               status = CASE WHEN billing_invoices.status IN ('paid', 'void')
                             THEN billing_invoices.status ELSE EXCLUDED.status END,
               amount_due_cents = EXCLUDED.amount_due_cents,
               amount_paid_cents = GREATEST(EXCLUDED.amount_paid_cents, billing_invoices.amount_paid_cents),
               currency = EXCLUDED.currency,
               hosted_invoice_url = COALESCE(EXCLUDED.hosted_invoice_url, billing_invoices.hosted_invoice_url),
               invoice_pdf_url = COALESCE(EXCLUDED.invoice_pdf_url, billing_invoices.invoice_pdf_url),
               period_start = COALESCE(EXCLUDED.period_start, billing_invoices.period_start),
               period_end = COALESCE(EXCLUDED.period_end, billing_invoices.period_end),
               updated_at = now()"#,
    )
    .bind(&inv.stripe_id)
    .bind(&inv.number)
    .bind(&inv.status)
    .bind(inv.amount_due_cents)
    .bind(inv.amount_paid_cents)
    .bind(&inv.currency)
    .bind(&inv.hosted_url)
    .bind(&inv.pdf_url)
    .bind(inv.period_start)
    .bind(inv.period_end)
    .bind(inv.issued_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct Row {
    stripe_invoice_id: String,
    number: Option<String>,
    status: String,
    amount_due_cents: i64,
    amount_paid_cents: i64,
    currency: String,
    hosted_invoice_url: Option<String>,
    invoice_pdf_url: Option<String>,
    issued_on: String,
    period: Option<String>,
}

/// The tenant's newest `limit` invoices, dates as days in the organisation's timezone.
pub async fn list(tx: &mut Tx, limit: i64) -> Result<Vec<Invoice>, AppError> {
    let rows = sqlx::query_as::<_, Row>(
        r#"SELECT i.stripe_invoice_id, i.number, i.status, i.amount_due_cents, i.amount_paid_cents,
                  i.currency, i.hosted_invoice_url, i.invoice_pdf_url,
                  to_char(i.issued_at AT TIME ZONE t.timezone, 'YYYY-MM-DD') AS issued_on,
                  CASE WHEN i.period_start IS NOT NULL AND i.period_end IS NOT NULL
                       THEN to_char(i.period_start AT TIME ZONE t.timezone, 'YYYY-MM-DD') || ' – '
                            || to_char(i.period_end AT TIME ZONE t.timezone, 'YYYY-MM-DD') END AS period
             FROM billing_invoices i
             JOIN tenants t ON t.id = i.tenant_id
            ORDER BY i.issued_at DESC, i.number DESC NULLS LAST, i.stripe_invoice_id DESC
            LIMIT $1"#,
    )
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Invoice {
            stripe_id: r.stripe_invoice_id,
            number: r.number,
            status: r.status,
            amount_due_cents: r.amount_due_cents,
            amount_paid_cents: r.amount_paid_cents,
            currency: r.currency,
            hosted_url: r.hosted_invoice_url,
            pdf_url: r.invoice_pdf_url,
            issued_on: r.issued_on,
            period: r.period,
        })
        .collect())
}

/// The price of the plan billed at Stripe price `price` (test mode invoices its own charges).
pub async fn price_cents(tx: &mut Tx, price: &str) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar::<_, i64>(
        r#"SELECT CASE WHEN stripe_yearly_price_id = $1 THEN price_yearly_cents
                       ELSE price_monthly_cents END::bigint
             FROM plans
            WHERE stripe_monthly_price_id = $1 OR stripe_yearly_price_id = $1
            LIMIT 1"#,
    )
    .bind(price)
    .fetch_optional(&mut **tx)
    .await?)
}

/// The tenant's real Stripe customer, if it has one (test mode's placeholder does not count).
pub async fn stripe_customer(tx: &mut Tx) -> Result<Option<String>, AppError> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT stripe_customer_id FROM tenants WHERE id = app_current_tenant()",
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(id.filter(|c| !c.starts_with(super::billing_stripe::TEST_CUSTOMER_PREFIX)))
}

/// Test mode: the newest invoice still open (a failed payment), which a successful retry pays,
/// and the number the next simulated invoice gets.
pub async fn test_mode_next(tx: &mut Tx) -> Result<(Option<String>, i64), AppError> {
    let open: Option<String> = sqlx::query_scalar(
        "SELECT stripe_invoice_id FROM billing_invoices WHERE status = 'open'
          ORDER BY issued_at DESC, number DESC LIMIT 1",
    )
    .fetch_optional(&mut **tx)
    .await?;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM billing_invoices")
        .fetch_one(&mut **tx)
        .await?;
    Ok((open, count + 1))
}
