//! The Stripe Checkout session of a shop order paid live (issue 22 "Deliver 3"): Stripe Connect
//! Express with destination charges. The session is created on the platform with the shop's
//! connected account as `payment_intent_data[transfer_data][destination]`, so the session,
//! payment and refund events all reach the platform's one webhook endpoint (one
//! `STRIPE_WEBHOOK_SECRET`, no per-account secrets). The platform takes no fee (no
//! `application_fee_amount`): the whole payment goes to the shop, less Stripe's own fees.

use app::db::shop_payments::SessionLine;
use app::model::{OrderPlaced, RESERVATION_MINUTES};
use uuid::Uuid;

/// How long a live order holds its stock: the Checkout session expires with it
/// (`expires_at`). Stripe refuses an `expires_at` less than 30 minutes after the session is
/// created, so the reservation gets a minute's margin over that for the time in between.
pub const SESSION_MINUTES: i64 = if RESERVATION_MINUTES > 31 {
    RESERVATION_MINUTES
} else {
    31
};

/// The form of `POST /v1/checkout/sessions` for `order`: one line item per order line with
/// quantity 1 and the line's total after its share of the discount as `unit_amount` (named
/// "3 × Mug (M)"), so the lines add up to the order's total exactly with no rounding and no
/// coupon object on Stripe (a discount split per unit would not divide evenly). The webhook
/// refuses any other `amount_total` (`db::shop::mark_paid`). The order's metadata goes on the
/// session (completion, expiry) and on the payment, whence Stripe copies it onto the charge
/// (refunds).
pub fn session_form(
    (tenant, account): (Uuid, &str),
    order: &OrderPlaced,
    lines: &[SessionLine],
    order_url: &str,
) -> Vec<(String, String)> {
    let currency = order.currency.to_lowercase();
    let mut form: Vec<(String, String)> = vec![
        ("mode".into(), "payment".into()),
        ("customer_email".into(), order.customer_email.clone()),
        ("client_reference_id".into(), order.id.to_string()),
        (
            "expires_at".into(),
            order.reserved_until.timestamp().to_string(),
        ),
        ("success_url".into(), format!("{order_url}&paid=1")),
        ("cancel_url".into(), order_url.to_string()),
        (
            "payment_intent_data[transfer_data][destination]".into(),
            account.to_string(),
        ),
    ];
    for (i, line) in lines.iter().enumerate() {
        let item = |k: &str| format!("line_items[{i}]{k}");
        form.push((item("[quantity]"), "1".into()));
        form.push((item("[price_data][currency]"), currency.clone()));
        form.push((
            item("[price_data][unit_amount]"),
            line.total_cents.to_string(),
        ));
        form.push((item("[price_data][product_data][name]"), line.name()));
    }
    for prefix in ["metadata", "payment_intent_data[metadata]"] {
        for (k, v) in [
            ("sitepilot_kind", "shop_order".to_string()),
            ("sitepilot_tenant", tenant.to_string()),
            ("sitepilot_order", order.id.to_string()),
        ] {
            form.push((format!("{prefix}[{k}]"), v));
        }
    }
    form
}
