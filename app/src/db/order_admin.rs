//! The team's side of a paid order beyond its status steps (issue 22 part 4): refunds and the
//! CSV export of a website's orders.

use sqlx::FromRow;
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;
use crate::model::{csv_cell, money_input};

/// What a refund needs to know of the order, read under its row lock.
#[derive(Debug, FromRow)]
pub struct Refundable {
    pub website_id: Uuid,
    pub order_number: String,
    pub status: String,
    pub payment_status: String,
    pub payment_reference: Option<String>,
    pub currency: String,
    pub total_cents: i64,
    pub refunded_cents: i64,
}

/// The statuses a paid order can be in; a refund is possible from each.
const PAID_STEPS: &[&str] = &["paid", "fulfilled", "shipped", "delivered"];

/// Locks the order until the transaction ends (so two refunds of one order queue here) and
/// answers what is left to refund, or a 400 naming why it cannot be refunded.
pub async fn lock_refundable(tx: &mut Tx, order_id: Uuid) -> Result<Refundable, AppError> {
    let row = sqlx::query_as::<_, Refundable>(
        "SELECT website_id, order_number, status, payment_status, payment_reference, currency,
                total_cents, refunded_cents
           FROM website_orders WHERE id = $1 FOR UPDATE",
    )
    .bind(order_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| AppError::NotFound("Order".into()))?;
    let paid = PAID_STEPS.contains(&row.status.as_str()) && row.payment_status == "paid";
    if !paid || row.refunded_cents >= row.total_cents {
        return Err(AppError::invalid(
            "order",
            format!(
                "Order {} is {} (payment {}); only a paid order can be refunded.",
                row.order_number, row.status, row.payment_status
            ),
        ));
    }
    if row.payment_reference.is_none() {
        return Err(AppError::invalid(
            "order",
            format!("Order {} has no payment to refund.", row.order_number),
        ));
    }
    Ok(row)
}

/// Records the refund `refund_id` of `amount` (the whole rest of the order): the order becomes
/// refunded, its history says by whom and how much, and with `restock` its items go back in
/// stock. Audited, and sent to the website's webhooks, as `order.refunded`.
pub async fn record_refund(
    tx: &mut Tx,
    (tenant_id, user_id): (Uuid, Uuid),
    order_id: Uuid,
    order: &Refundable,
    refund_id: &str,
    restock: bool,
) -> Result<(), AppError> {
    let amount = order.total_cents - order.refunded_cents;
    sqlx::query(
        "UPDATE website_orders SET status = 'refunded', payment_status = 'refunded',
                refunded_cents = total_cents, updated_at = now() WHERE id = $1",
    )
    .bind(order_id)
    .execute(&mut **tx)
    .await?;
    if restock {
        super::shop::restock(tx, order_id).await?;
    }
    let note = format!(
        "Refunded {}{} ({refund_id})",
        crate::model::format_money(amount, &order.currency),
        if restock { ", items back in stock" } else { "" }
    );
    super::shop::history(
        tx,
        tenant_id,
        order_id,
        ("refunded", "refunded"),
        &note,
        Some(user_id),
    )
    .await?;
    super::shop::emit_order_event(tx, order.website_id, "order.refunded", order_id).await?;
    super::audit(
        tx,
        tenant_id,
        Some(user_id),
        "order.refunded",
        ("order", order_id),
        serde_json::json!({
            "website_id": order.website_id,
            "amount_cents": amount,
            "currency": order.currency,
            "refund": refund_id,
            "restocked": restock,
        }),
    )
    .await
}

#[derive(FromRow)]
struct CsvRow {
    order_number: String,
    placed: String,
    paid: Option<String>,
    status: String,
    payment_status: String,
    customer_email: String,
    customer_name: Option<String>,
    items: Option<String>,
    currency: String,
    subtotal_cents: i64,
    discount_cents: i64,
    shipping_cents: i64,
    tax_cents: i64,
    total_cents: i64,
    refunded_cents: i64,
    promotion_code: Option<String>,
}

/// Every order of the website as CSV, oldest first, times in the organisation's timezone.
/// Cells go through [`csv_cell`], so nothing a customer typed runs as a spreadsheet formula.
pub async fn orders_csv(tx: &mut Tx, website_id: Uuid) -> Result<String, AppError> {
    super::websites::require(tx, website_id).await?;
    let rows = sqlx::query_as::<_, CsvRow>(
        r#"SELECT o.order_number,
                  to_char(o.created_at AT TIME ZONE t.timezone, 'YYYY-MM-DD HH24:MI') AS placed,
                  to_char(o.paid_at AT TIME ZONE t.timezone, 'YYYY-MM-DD HH24:MI') AS paid,
                  o.status, o.payment_status, o.customer_email, o.customer_name,
                  (SELECT string_agg(i.quantity || ' × ' || i.title
                                     || COALESCE(' [' || i.sku || ']', ''), '; ' ORDER BY i.title)
                     FROM website_order_items i WHERE i.order_id = o.id) AS items,
                  o.currency, o.subtotal_cents, o.discount_cents, o.shipping_cents, o.tax_cents,
                  o.total_cents, o.refunded_cents, o.promotion_code
             FROM website_orders o
             JOIN tenants t ON t.id = o.tenant_id
            WHERE o.website_id = $1
            ORDER BY o.created_at, o.id"#,
    )
    .bind(website_id)
    .fetch_all(&mut **tx)
    .await?;
    let timezone: String =
        sqlx::query_scalar("SELECT timezone FROM tenants WHERE id = app_current_tenant()")
            .fetch_one(&mut **tx)
            .await?;
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| csv_cell(c))
            .collect::<Vec<_>>()
            .join(",")
            + "\r\n"
    };
    let mut out = line(
        [
            "Order",
            &format!("Placed ({timezone})"),
            &format!("Paid ({timezone})"),
            "Status",
            "Payment",
            "Customer email",
            "Customer name",
            "Items",
            "Currency",
            "Subtotal",
            "Discount",
            "Shipping",
            "Tax",
            "Total",
            "Refunded",
            "Promotion code",
        ]
        .map(str::to_string)
        .to_vec(),
    );
    for r in rows {
        let money = |c: i64| money_input(c, &r.currency);
        out.push_str(&line(vec![
            r.order_number.clone(),
            r.placed.clone(),
            r.paid.clone().unwrap_or_default(),
            r.status.clone(),
            r.payment_status.clone(),
            r.customer_email.clone(),
            r.customer_name.clone().unwrap_or_default(),
            r.items.clone().unwrap_or_default(),
            r.currency.clone(),
            money(r.subtotal_cents),
            money(r.discount_cents),
            money(r.shipping_cents),
            money(r.tax_cents),
            money(r.total_cents),
            money(r.refunded_cents),
            r.promotion_code.clone().unwrap_or_default(),
        ]));
    }
    Ok(out)
}
