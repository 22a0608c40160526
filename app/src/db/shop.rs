//! A visitor's cart, checkout with stock reserved, payment and the release of expired
//! reservations (issue 22 parts 3 and 4). Every function runs in the website's tenant
//! transaction (the visitor path enters the site's tenant), so RLS keeps carts and orders of
//! one tenant out of every other's reach.
//!
//! Overselling is impossible by construction: checkout takes each tracked variant's units with
//! one conditional `UPDATE … SET stock = stock - n WHERE stock >= n`, whose row lock orders
//! concurrent checkouts; a line that cannot be taken fails the whole transaction, so an order
//! either holds all of its stock or does not exist. An unpaid order gives its stock back when
//! its reservation ends (`release`), or when the visitor cancels.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use super::promotions;
use super::Tx;
use crate::error::AppError;
use crate::model::{
    apply_promotion, format_money, normalize_code, Applied, CartCode, CartLine, CartView,
    NotApplied, OrderEvent, OrderPlaced, OrderReceipt, OrderSummary, CART_LINES_MAX,
    CART_QUANTITY_MAX, ORDER_LIST_LIMIT,
};

const SELLS: &str = "EXISTS (SELECT 1 FROM tenants t JOIN plans pl ON pl.id = t.plan_id
                              WHERE t.id = p.tenant_id AND pl.commerce_enabled)";

fn cart_gone() -> AppError {
    AppError::invalid(
        "cart",
        "Your cart has expired or was already checked out. Add the products again.",
    )
}

#[derive(FromRow)]
struct LineRow {
    variant_id: Uuid,
    product_id: Uuid,
    category_ids: Vec<Uuid>,
    product_slug: String,
    title: String,
    option_values: Vec<String>,
    quantity: i32,
    price_cents: i64,
    stock: i32,
    track_inventory: bool,
    on_sale: bool,
}

/// The open, unexpired cart `cart_id` of the website, with live prices and stock, and what
/// its discount code (if any) takes off now.
pub async fn cart(
    tx: &mut Tx,
    website_id: Uuid,
    cart_id: Uuid,
) -> Result<Option<CartView>, AppError> {
    let found: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT currency, promotion_code FROM website_carts
          WHERE id = $1 AND website_id = $2 AND status = 'open' AND expires_at > now()",
    )
    .bind(cart_id)
    .bind(website_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((currency, code)) = found else {
        return Ok(None);
    };
    let rows = sqlx::query_as::<_, LineRow>(&format!(
        r#"SELECT v.id AS variant_id, p.id AS product_id,
                  ARRAY(SELECT pc.category_id FROM website_product_categories pc
                         WHERE pc.product_id = p.id) AS category_ids,
                  p.slug AS product_slug, p.title, v.option_values,
                  i.quantity, v.price_cents, v.stock, v.track_inventory,
                  (p.status = 'active' AND p.currency = $2 AND {SELLS}) AS on_sale
             FROM website_cart_items i
             JOIN website_product_variants v ON v.id = i.variant_id
             JOIN website_products p ON p.id = v.product_id
            WHERE i.cart_id = $1
            ORDER BY i.created_at, i.id"#
    ))
    .bind(cart_id)
    .bind(&currency)
    .fetch_all(&mut **tx)
    .await?;
    let lines = rows
        .into_iter()
        .map(|r| CartLine {
            variant_id: r.variant_id,
            product_id: r.product_id,
            category_ids: r.category_ids,
            product_slug: r.product_slug,
            title: r.title,
            option_values: r.option_values,
            quantity: r.quantity,
            unit_price_cents: r.price_cents,
            stock: r.track_inventory.then_some(r.stock),
            available: r.on_sale && (!r.track_inventory || r.stock >= r.quantity),
        })
        .collect();
    let mut view = CartView {
        id: cart_id,
        currency,
        lines,
        code: None,
    };
    if let Some(code) = code {
        // Before checkout the customer's email is not known: their own uses are counted then.
        let outcome = match promotions::rule_by_code(tx, website_id, &code, false).await? {
            Some(rule) => apply_promotion(
                &rule,
                Utc::now(),
                &view.currency,
                &view.scoped_lines(),
                None,
            ),
            None => Err(NotApplied::Unknown),
        };
        view.code = Some(CartCode { code, outcome });
    }
    Ok(Some(view))
}

/// Puts discount code `code` on the open cart, or takes it off (`None`). A code the website
/// does not have (or has switched off) is refused on `code`; a known code is kept even while
/// it does not apply (below the minimum, not started), and the cart page says why.
pub async fn set_code(
    tx: &mut Tx,
    website_id: Uuid,
    cart_id: Uuid,
    code: Option<&str>,
) -> Result<(), AppError> {
    lock_open(tx, website_id, cart_id).await?;
    let code = match code.map(normalize_code) {
        Some(c) if c.is_empty() => {
            return Err(AppError::invalid("code", "Enter a discount code."));
        }
        Some(c) => {
            let known = crate::model::is_promotion_code(&c)
                && promotions::rule_by_code(tx, website_id, &c, false)
                    .await?
                    .is_some_and(|r| r.is_active);
            if !known {
                return Err(AppError::invalid("code", NotApplied::Unknown.to_string()));
            }
            Some(c)
        }
        None => None,
    };
    sqlx::query("UPDATE website_carts SET promotion_code = $2, updated_at = now() WHERE id = $1")
        .bind(cart_id)
        .bind(code)
        .execute(&mut **tx)
        .await?;
    touch(tx, cart_id).await
}

/// The cart's code checked again at checkout under the code's row lock, with the customer's
/// own uses: `None` without a code; refused (nothing is written) when it no longer applies,
/// so an order never silently loses the discount the visitor saw.
async fn checkout_code(
    tx: &mut Tx,
    website_id: Uuid,
    cart: &CartView,
    email: &str,
) -> Result<Option<(Uuid, String, Applied)>, AppError> {
    let Some(code) = cart.code.as_ref().map(|c| c.code.clone()) else {
        return Ok(None);
    };
    let refused = |why: NotApplied| {
        AppError::invalid(
            "code",
            format!("The code {code} cannot be used: {why} Remove it to check out without it."),
        )
    };
    let Some(rule) = promotions::rule_by_code(tx, website_id, &code, true).await? else {
        return Err(refused(NotApplied::Unknown));
    };
    let uses = promotions::customer_uses(tx, rule.id, email).await?;
    match apply_promotion(
        &rule,
        Utc::now(),
        &cart.currency,
        &cart.scoped_lines(),
        Some(uses),
    ) {
        Ok(applied) => Ok(Some((rule.id, code, applied))),
        Err(why) => Err(refused(why)),
    }
}

/// Adds `quantity` units of `variant_id` (an active product of the website) to the cart
/// `cart_id`, or to a new cart when it is `None` or no longer open. Answers the cart's id.
pub async fn add(
    tx: &mut Tx,
    (tenant_id, website_id): (Uuid, Uuid),
    cart_id: Option<Uuid>,
    variant_id: Uuid,
    quantity: i32,
) -> Result<Uuid, AppError> {
    if !(1..=CART_QUANTITY_MAX).contains(&quantity) {
        return Err(AppError::invalid(
            "quantity",
            format!("Choose a quantity from 1 to {CART_QUANTITY_MAX}."),
        ));
    }
    let found: Option<(Uuid, String, i64)> = sqlx::query_as(&format!(
        r#"SELECT p.id, p.currency, v.price_cents
             FROM website_product_variants v JOIN website_products p ON p.id = v.product_id
            WHERE v.id = $1 AND p.website_id = $2 AND p.status = 'active' AND {SELLS}"#
    ))
    .bind(variant_id)
    .bind(website_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((product_id, currency, price)) = found else {
        return Err(AppError::invalid(
            "variant_id",
            "This product is not for sale on this website.",
        ));
    };
    let open = match cart_id {
        Some(id) => sqlx::query_scalar::<_, String>(
            "SELECT currency FROM website_carts
              WHERE id = $1 AND website_id = $2 AND status = 'open' AND expires_at > now()
              FOR UPDATE",
        )
        .bind(id)
        .bind(website_id)
        .fetch_optional(&mut **tx)
        .await?
        .map(|c| (id, c)),
        None => None,
    };
    let cart_id = match open {
        Some((id, cart_currency)) if cart_currency == currency => id,
        Some(_) => {
            return Err(AppError::invalid(
                "variant_id",
                "Your cart holds products in another currency. Check those out first.",
            ))
        }
        None => {
            sqlx::query_scalar(
                "INSERT INTO website_carts (tenant_id, website_id, currency)
                 VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(tenant_id)
            .bind(website_id)
            .bind(&currency)
            .fetch_one(&mut **tx)
            .await?
        }
    };
    let lines: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM website_cart_items WHERE cart_id = $1 AND variant_id <> $2",
    )
    .bind(cart_id)
    .bind(variant_id)
    .fetch_one(&mut **tx)
    .await?;
    if lines >= CART_LINES_MAX as i64 {
        return Err(AppError::invalid(
            "variant_id",
            format!("A cart holds at most {CART_LINES_MAX} different products."),
        ));
    }
    sqlx::query(
        "INSERT INTO website_cart_items
                (tenant_id, cart_id, product_id, variant_id, quantity, unit_price_cents)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (cart_id, variant_id) DO UPDATE
            SET quantity = least(website_cart_items.quantity + EXCLUDED.quantity, $7),
                unit_price_cents = EXCLUDED.unit_price_cents, updated_at = now()",
    )
    .bind(tenant_id)
    .bind(cart_id)
    .bind(product_id)
    .bind(variant_id)
    .bind(quantity)
    .bind(price)
    .bind(CART_QUANTITY_MAX)
    .execute(&mut **tx)
    .await?;
    touch(tx, cart_id).await?;
    Ok(cart_id)
}

/// Sets the quantity of a variant already in the open cart; 0 removes it.
pub async fn set_quantity(
    tx: &mut Tx,
    website_id: Uuid,
    cart_id: Uuid,
    variant_id: Uuid,
    quantity: i32,
) -> Result<(), AppError> {
    if !(0..=CART_QUANTITY_MAX).contains(&quantity) {
        return Err(AppError::invalid(
            "quantity",
            format!("Choose a quantity from 0 to {CART_QUANTITY_MAX}."),
        ));
    }
    lock_open(tx, website_id, cart_id).await?;
    if quantity == 0 {
        sqlx::query("DELETE FROM website_cart_items WHERE cart_id = $1 AND variant_id = $2")
            .bind(cart_id)
            .bind(variant_id)
            .execute(&mut **tx)
            .await?;
    } else {
        sqlx::query(
            "UPDATE website_cart_items SET quantity = $3, updated_at = now()
              WHERE cart_id = $1 AND variant_id = $2",
        )
        .bind(cart_id)
        .bind(variant_id)
        .bind(quantity)
        .execute(&mut **tx)
        .await?;
    }
    touch(tx, cart_id).await
}

async fn lock_open(tx: &mut Tx, website_id: Uuid, cart_id: Uuid) -> Result<(), AppError> {
    let open: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM website_carts
          WHERE id = $1 AND website_id = $2 AND status = 'open' AND expires_at > now()
          FOR UPDATE",
    )
    .bind(cart_id)
    .bind(website_id)
    .fetch_optional(&mut **tx)
    .await?;
    open.map(|_| ()).ok_or_else(cart_gone)
}

async fn touch(tx: &mut Tx, cart_id: Uuid) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE website_carts SET updated_at = now(), expires_at = now() + interval '30 days'
          WHERE id = $1",
    )
    .bind(cart_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Checkout: turns the open cart into a pending order at live prices, taking every tracked
/// unit now (held until `reserved_until`). Refused, with nothing written, when the cart is
/// empty or gone, a product is no longer on sale, or stock is short ("Only 2 left of …").
pub async fn checkout(
    tx: &mut Tx,
    (tenant_id, website_id): (Uuid, Uuid),
    cart_id: Uuid,
    email: &str,
    reserved_until: DateTime<Utc>,
) -> Result<OrderPlaced, AppError> {
    lock_open(tx, website_id, cart_id).await?;
    let cart = cart(tx, website_id, cart_id).await?.ok_or_else(cart_gone)?;
    if cart.lines.is_empty() {
        return Err(AppError::invalid("cart", "Your cart is empty."));
    }
    for line in &cart.lines {
        if !line.available && line.stock.is_none() {
            return Err(AppError::invalid(
                "cart",
                format!(
                    "{} is no longer for sale. Remove it to check out.",
                    line.label()
                ),
            ));
        }
    }
    // Every tracked line's units, each row locked by its UPDATE: concurrent checkouts of the
    // same variant run one after the other here, and the second sees the first's stock.
    for line in cart.lines.iter().filter(|l| l.stock.is_some()) {
        let left: Option<i32> = sqlx::query_scalar(
            "UPDATE website_product_variants SET stock = stock - $2, updated_at = now()
              WHERE id = $1 AND track_inventory AND stock >= $2
              RETURNING stock",
        )
        .bind(line.variant_id)
        .bind(line.quantity)
        .fetch_optional(&mut **tx)
        .await?;
        if left.is_none() {
            let now: i32 =
                sqlx::query_scalar("SELECT stock FROM website_product_variants WHERE id = $1")
                    .bind(line.variant_id)
                    .fetch_one(&mut **tx)
                    .await?;
            let message = if now == 0 {
                format!("{} just sold out. Remove it to check out.", line.label())
            } else {
                format!(
                    "Only {now} left of {}. Lower the quantity to check out.",
                    line.label()
                )
            };
            return Err(AppError::invalid("cart", message));
        }
    }
    // The code's row lock comes after the stock's (every path takes stock rows first), so
    // concurrent checkouts with one code count its uses one after the other.
    let promotion = checkout_code(tx, website_id, &cart, email).await?;
    let line_discounts = match &promotion {
        Some((_, _, a)) => a.line_discounts.clone(),
        None => vec![0; cart.lines.len()],
    };
    let discount = promotion.as_ref().map_or(0, |(_, _, a)| a.discount_cents);
    // Order numbers count up per website from 1001; the lock orders concurrent checkouts.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('shop-order:' || $1::text, 0))")
        .bind(website_id)
        .execute(&mut **tx)
        .await?;
    let number: i64 =
        sqlx::query_scalar("SELECT count(*) + 1001 FROM website_orders WHERE website_id = $1")
            .bind(website_id)
            .fetch_one(&mut **tx)
            .await?;
    let subtotal = cart.subtotal_cents();
    let total = subtotal - discount;
    let order_id: Uuid = sqlx::query_scalar(
        "INSERT INTO website_orders
                (tenant_id, website_id, order_number, cart_id, customer_email, currency,
                 subtotal_cents, discount_cents, total_cents, promotion_id, promotion_code,
                 reserved_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(tenant_id)
    .bind(website_id)
    .bind(number.to_string())
    .bind(cart_id)
    .bind(email)
    .bind(&cart.currency)
    .bind(subtotal)
    .bind(discount)
    .bind(total)
    .bind(promotion.as_ref().map(|p| p.0))
    .bind(promotion.as_ref().map(|p| p.1.as_str()))
    .bind(reserved_until)
    .fetch_one(&mut **tx)
    .await?;
    for (line, line_discount) in cart.lines.iter().zip(&line_discounts) {
        let line_subtotal = line.total_cents();
        sqlx::query(
            "INSERT INTO website_order_items
                    (tenant_id, order_id, product_id, variant_id, sku, title, option_values,
                     quantity, unit_price_cents, subtotal_cents, discount_cents, total_cents)
             SELECT $1, $2, v.product_id, v.id, v.sku, $4, v.option_values, $5, $6, $7, $8, $9
               FROM website_product_variants v WHERE v.id = $3",
        )
        .bind(tenant_id)
        .bind(order_id)
        .bind(line.variant_id)
        .bind(&line.title)
        .bind(line.quantity)
        .bind(line.unit_price_cents)
        .bind(line_subtotal)
        .bind(line_discount)
        .bind(line_subtotal - line_discount)
        .execute(&mut **tx)
        .await?;
    }
    if let Some((promotion_id, _, applied)) = &promotion {
        promotions::record_use(
            tx,
            tenant_id,
            *promotion_id,
            (order_id, email),
            applied.discount_cents,
        )
        .await?;
    }
    history(
        tx,
        tenant_id,
        order_id,
        ("pending", "pending"),
        "Checkout started",
        None,
    )
    .await?;
    sqlx::query("UPDATE website_carts SET status = 'checking_out', customer_email = $2, updated_at = now() WHERE id = $1")
        .bind(cart_id)
        .bind(email)
        .execute(&mut **tx)
        .await?;
    emit_order_event(tx, website_id, "order.created", order_id).await?;
    Ok(OrderPlaced {
        id: order_id,
        order_number: number.to_string(),
        currency: cart.currency,
        total_cents: total,
        customer_email: email.to_string(),
        reserved_until,
    })
}

/// The webhook event of an order (`order.created`, `order.paid`), in the order's transaction:
/// the order as its line items and totals say.
pub(super) async fn emit_order_event(
    tx: &mut Tx,
    website_id: Uuid,
    event: &str,
    order_id: Uuid,
) -> Result<(), AppError> {
    let data: serde_json::Value = sqlx::query_scalar(
        r#"SELECT jsonb_build_object(
                  'id', o.id, 'order_number', o.order_number, 'status', o.status,
                  'payment_status', o.payment_status, 'currency', o.currency,
                  'subtotal_cents', o.subtotal_cents, 'discount_cents', o.discount_cents,
                  'promotion_code', o.promotion_code, 'total_cents', o.total_cents,
                  'refunded_cents', o.refunded_cents,
                  'customer_email', o.customer_email, 'created_at', o.created_at,
                  'items', COALESCE((SELECT jsonb_agg(jsonb_build_object(
                                'sku', i.sku, 'title', i.title, 'options', to_jsonb(i.option_values),
                                'quantity', i.quantity, 'unit_price_cents', i.unit_price_cents,
                                'total_cents', i.total_cents) ORDER BY i.created_at, i.id)
                              FROM website_order_items i WHERE i.order_id = o.id), '[]'::jsonb))
             FROM website_orders o WHERE o.id = $1"#,
    )
    .bind(order_id)
    .fetch_one(&mut **tx)
    .await?;
    super::webhooks::emit(tx, website_id, event, None, data).await?;
    Ok(())
}

/// A line of the order's status history; `changed_by` is the member who made the change
/// (`None` for the shop itself: checkout, payment, release).
pub(super) async fn history(
    tx: &mut Tx,
    tenant_id: Uuid,
    order_id: Uuid,
    (status, payment_status): (&str, &str),
    notes: &str,
    changed_by: Option<Uuid>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO website_order_status_history
                (tenant_id, order_id, status, payment_status, notes, changed_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(tenant_id)
    .bind(order_id)
    .bind(status)
    .bind(payment_status)
    .bind(notes)
    .bind(changed_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records the checkout session that will take the payment of a pending order.
pub async fn set_checkout_session(
    tx: &mut Tx,
    order_id: Uuid,
    session_id: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE website_orders SET stripe_checkout_session_id = $2, updated_at = now()
          WHERE id = $1 AND status = 'pending'",
    )
    .bind(order_id)
    .bind(session_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// How marking an order paid went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paid {
    /// Pending → paid now.
    Now,
    /// It was paid already (a repeated event): nothing changed.
    Already,
    /// Its reservation had ended and the stock went back before the payment arrived; the
    /// team must refund or fulfil it by hand. Recorded in the history.
    AfterRelease,
    /// No such order under this checkout session.
    Unknown,
    /// The session charged another amount or currency than the order's total (after its
    /// discount): the order stays pending, recorded in the history for the team.
    AmountMismatch,
}

/// Marks the order of checkout session `session_id` paid (the payment's `reference`), once.
/// `charged` is the session's `amount_total` and `currency` when the event carries them; a
/// payment of another amount than the order's total (after its discount) does not count.
pub async fn mark_paid(
    tx: &mut Tx,
    (tenant_id, order_id): (Uuid, Uuid),
    session_id: &str,
    reference: &str,
    charged: Option<(i64, &str)>,
) -> Result<Paid, AppError> {
    let row: Option<(String, i64, String)> = sqlx::query_as(
        "SELECT status, total_cents, currency FROM website_orders
          WHERE id = $1 AND stripe_checkout_session_id = $2 FOR UPDATE",
    )
    .bind(order_id)
    .bind(session_id)
    .fetch_optional(&mut **tx)
    .await?;
    let charged_other = |total: i64, currency: &str| {
        charged.is_some_and(|(a, c)| a != total || !c.eq_ignore_ascii_case(currency))
    };
    match row.as_ref().map(|(s, t, c)| (s.as_str(), *t, c.as_str())) {
        None => Ok(Paid::Unknown),
        Some(("pending", total, currency)) if charged_other(total, currency) => {
            let note = format!(
                "A payment of {} did not match the order's total of {}; the order stays unpaid.",
                charged.map_or_else(String::new, |(a, c)| format_money(a, &c.to_uppercase())),
                format_money(total, currency)
            );
            history(tx, tenant_id, order_id, ("pending", "pending"), &note, None).await?;
            Ok(Paid::AmountMismatch)
        }
        Some(("pending", _, _)) => {
            sqlx::query(
                "UPDATE website_orders
                    SET status = 'paid', payment_status = 'paid', payment_reference = $2,
                        paid_at = now(), reserved_until = NULL, updated_at = now()
                  WHERE id = $1",
            )
            .bind(order_id)
            .bind(reference)
            .execute(&mut **tx)
            .await?;
            sqlx::query(
                "UPDATE website_carts SET status = 'converted', updated_at = now()
                  WHERE id = (SELECT cart_id FROM website_orders WHERE id = $1)",
            )
            .bind(order_id)
            .execute(&mut **tx)
            .await?;
            history(
                tx,
                tenant_id,
                order_id,
                ("paid", "paid"),
                "Payment received",
                None,
            )
            .await?;
            let website_id: Uuid =
                sqlx::query_scalar("SELECT website_id FROM website_orders WHERE id = $1")
                    .bind(order_id)
                    .fetch_one(&mut **tx)
                    .await?;
            emit_order_event(tx, website_id, "order.paid", order_id).await?;
            super::notify::enqueue_order_notice(tx, tenant_id, order_id).await?;
            Ok(Paid::Now)
        }
        Some(("cancelled", _, _)) => {
            sqlx::query(
                "UPDATE website_orders SET payment_status = 'paid', payment_reference = $2,
                        paid_at = now(), updated_at = now() WHERE id = $1",
            )
            .bind(order_id)
            .bind(reference)
            .execute(&mut **tx)
            .await?;
            history(
                tx,
                tenant_id,
                order_id,
                ("cancelled", "paid"),
                "Payment arrived after the reservation ended and the stock was released: refund it or fulfil it by hand.",
                None,
            )
            .await?;
            Ok(Paid::AfterRelease)
        }
        Some(_) => Ok(Paid::Already),
    }
}

/// Gives a pending order's stock back and cancels it: when its reservation ended by `now`
/// (the release job) or whenever the visitor cancels (`force`). The cart opens again so the
/// visitor can try once more. Answers whether it did.
pub async fn release(
    tx: &mut Tx,
    tenant_id: Uuid,
    order_id: Uuid,
    now: DateTime<Utc>,
    force: bool,
) -> Result<bool, AppError> {
    let due: Option<Option<Uuid>> = sqlx::query_scalar(
        "SELECT cart_id FROM website_orders
          WHERE id = $1 AND status = 'pending' AND ($3 OR reserved_until <= $2)
          FOR UPDATE",
    )
    .bind(order_id)
    .bind(now)
    .bind(force)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(cart_id) = due else {
        return Ok(false);
    };
    restock(tx, order_id).await?;
    sqlx::query(
        "UPDATE website_orders SET status = 'cancelled', payment_status = 'failed',
                reserved_until = NULL, updated_at = now() WHERE id = $1",
    )
    .bind(order_id)
    .execute(&mut **tx)
    .await?;
    // A cancelled unpaid order gives its discount code's use back (the order keeps the code
    // and its discount for the record).
    promotions::give_back(tx, order_id).await?;
    if let Some(cart) = cart_id {
        sqlx::query(
            "UPDATE website_carts SET status = 'open', updated_at = now()
              WHERE id = $1 AND status = 'checking_out'",
        )
        .bind(cart)
        .execute(&mut **tx)
        .await?;
    }
    let why = if force {
        "Checkout cancelled; stock released"
    } else {
        "Reservation ended unpaid; stock released"
    };
    history(tx, tenant_id, order_id, ("cancelled", "failed"), why, None).await?;
    Ok(true)
}

/// Puts the order's items back in stock (variants that track inventory).
pub(super) async fn restock(tx: &mut Tx, order_id: Uuid) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE website_product_variants v SET stock = v.stock + i.quantity, updated_at = now()
           FROM website_order_items i
          WHERE i.order_id = $1 AND i.variant_id = v.id AND v.track_inventory",
    )
    .bind(order_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The order as its customer sees it, when it belongs to the website.
pub async fn receipt(
    tx: &mut Tx,
    website_id: Uuid,
    order_id: Uuid,
) -> Result<Option<OrderReceipt>, AppError> {
    #[derive(FromRow)]
    struct Row {
        order_number: String,
        status: String,
        payment_status: String,
        currency: String,
        total_cents: i64,
        discount_cents: i64,
        promotion_code: Option<String>,
        customer_email: String,
    }
    let row = sqlx::query_as::<_, Row>(
        "SELECT order_number, status, payment_status, currency, total_cents, discount_cents,
                promotion_code, customer_email
           FROM website_orders WHERE id = $1 AND website_id = $2",
    )
    .bind(order_id)
    .bind(website_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let lines: Vec<(String, Vec<String>, i32, i64)> = sqlx::query_as(
        "SELECT title, option_values, quantity, total_cents FROM website_order_items
          WHERE order_id = $1 ORDER BY created_at, id",
    )
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(Some(OrderReceipt {
        id: order_id,
        order_number: r.order_number,
        status: r.status,
        payment_status: r.payment_status,
        currency: r.currency,
        total_cents: r.total_cents,
        discount_cents: r.discount_cents,
        promotion_code: r.promotion_code,
        customer_email: r.customer_email,
        lines: lines
            .into_iter()
            .map(|(title, opts, q, total)| {
                let label = if opts.is_empty() {
                    title
                } else {
                    format!("{title} ({})", opts.join(" / "))
                };
                (label, q, total)
            })
            .collect(),
    }))
}

/// "3 items, 59.97 EUR" for logs and the test-mode payment page.
pub fn summary(order: &OrderPlaced) -> String {
    format!(
        "Order {} · {}",
        order.order_number,
        format_money(order.total_cents, &order.currency)
    )
}

/// The website's orders for the team, newest first, each with its status history.
pub async fn orders(tx: &mut Tx, website_id: Uuid) -> Result<Vec<OrderSummary>, AppError> {
    #[derive(FromRow)]
    struct Row {
        id: Uuid,
        order_number: String,
        customer_email: String,
        status: String,
        payment_status: String,
        currency: String,
        total_cents: i64,
        discount_cents: i64,
        promotion_code: Option<String>,
        items: i64,
        created_at: DateTime<Utc>,
    }
    let rows = sqlx::query_as::<_, Row>(
        "SELECT o.id, o.order_number, o.customer_email, o.status, o.payment_status, o.currency,
                o.total_cents, o.discount_cents, o.promotion_code, o.created_at,
                (SELECT coalesce(sum(i.quantity), 0)::bigint FROM website_order_items i
                  WHERE i.order_id = o.id) AS items
           FROM website_orders o
          WHERE o.website_id = $1
          ORDER BY o.created_at DESC, o.id
          LIMIT $2",
    )
    .bind(website_id)
    .bind(ORDER_LIST_LIMIT)
    .fetch_all(&mut **tx)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    #[derive(FromRow)]
    struct EventRow {
        order_id: Uuid,
        status: String,
        payment_status: Option<String>,
        notes: Option<String>,
        created_at: DateTime<Utc>,
    }
    let events = sqlx::query_as::<_, EventRow>(
        "SELECT order_id, status, payment_status, notes, created_at
           FROM website_order_status_history WHERE order_id = ANY($1)
          ORDER BY created_at, id",
    )
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| OrderSummary {
            history: events
                .iter()
                .filter(|e| e.order_id == r.id)
                .map(|e| OrderEvent {
                    status: e.status.clone(),
                    payment_status: e.payment_status.clone(),
                    notes: e.notes.clone(),
                    at: e.created_at,
                })
                .collect(),
            id: r.id,
            order_number: r.order_number,
            customer_email: r.customer_email,
            status: r.status,
            payment_status: r.payment_status,
            currency: r.currency,
            total_cents: r.total_cents,
            discount_cents: r.discount_cents,
            promotion_code: r.promotion_code,
            items: r.items,
            created_at: r.created_at,
        })
        .collect())
}

/// Moves an order to `status` by a member: the next step of paid → fulfilled → shipped →
/// delivered, or cancelled while it is pending (its stock goes back). Anything else is a 400
/// naming where the order stands. Answers the order's website.
pub async fn set_status(
    tx: &mut Tx,
    (tenant_id, user_id): (Uuid, Uuid),
    order_id: Uuid,
    status: &str,
) -> Result<Uuid, AppError> {
    let row: Option<(Uuid, String, String)> = sqlx::query_as(
        "SELECT website_id, status, order_number FROM website_orders WHERE id = $1 FOR UPDATE",
    )
    .bind(order_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((website_id, current, number)) = row else {
        return Err(AppError::NotFound("Order".into()));
    };
    if status == "cancelled" && current == "pending" {
        release(tx, tenant_id, order_id, Utc::now(), true).await?;
    } else if crate::model::next_order_status(&current) == Some(status) {
        sqlx::query("UPDATE website_orders SET status = $2, updated_at = now() WHERE id = $1")
            .bind(order_id)
            .bind(status)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO website_order_status_history (tenant_id, order_id, status, changed_by)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(tenant_id)
        .bind(order_id)
        .bind(status)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    } else {
        return Err(AppError::invalid(
            "status",
            format!("Order {number} is {current}; it cannot become {status}."),
        ));
    }
    super::audit(
        tx,
        tenant_id,
        Some(user_id),
        "order.status_changed",
        ("order", order_id),
        serde_json::json!({ "website_id": website_id, "from": current, "to": status }),
    )
    .await?;
    Ok(website_id)
}
