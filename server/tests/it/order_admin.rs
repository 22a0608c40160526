//! Refunds and the orders CSV (issue 22 part 4): a test-mode payment is refunded locally, a
//! Stripe payment through the Stripe API (the local stand-in), each once, by owners and admins
//! only; the items go back in stock when asked; a failed Stripe call changes nothing. The CSV
//! lists every order of the website with its lines, guarded against spreadsheet formulas.

use app::db::accounts::NewAccount;
use app::error::AppError;
use app::model::OrdersOverview;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;
use crate::permissions::fixtures::fresh_paid_order;
use crate::stripe_api::{stand_in, stripe_router};

async fn refund(router: &Router, cookie: &str, order: Uuid, restock: bool) -> Reply {
    call_json(
        router,
        "/api/commerce/order/refund",
        Some(cookie),
        json!({ "order_id": order, "restock": restock }),
    )
    .await
}

/// (status, payment_status, refunded_cents, total_cents) of the order.
async fn order_state(pool: &PgPool, a: &NewAccount, order: Uuid) -> (String, String, i64, i64) {
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let row = sqlx::query_as(
        "SELECT status, payment_status, refunded_cents, total_cents FROM website_orders WHERE id = $1",
    )
    .bind(order)
    .fetch_one(&mut *tx)
    .await
    .expect("order");
    tx.commit().await.expect("commit");
    row
}

/// Stock of the order's (only) variant.
async fn stock_of(pool: &PgPool, a: &NewAccount, order: Uuid) -> i32 {
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let n = sqlx::query_scalar(
        "SELECT v.stock FROM website_product_variants v
           JOIN website_order_items i ON i.variant_id = v.id WHERE i.order_id = $1",
    )
    .bind(order)
    .fetch_one(&mut *tx)
    .await
    .expect("stock");
    tx.commit().await.expect("commit");
    n
}

async fn set_payment(pool: &PgPool, a: &NewAccount, order: Uuid, reference: &str) {
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    sqlx::query("UPDATE website_orders SET payment_reference = $2 WHERE id = $1")
        .bind(order)
        .bind(reference)
        .execute(&mut *tx)
        .await
        .expect("reference");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn a_test_mode_payment_is_refunded_once_by_owners_and_admins_with_the_stock_back() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Refund Shop").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let order = fresh_paid_order(&pool, &a).await;
    let before = stock_of(&pool, &a, order).await;
    // An endpoint that listens for refunds.
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    app::db::webhooks::add(
        &mut tx,
        a.tenant_id,
        a.user_id,
        a.website_id,
        &format!("https://93.184.216.34/{}", unique("refunds-")),
        &["order.refunded".to_string()],
    )
    .await
    .expect("webhook");
    tx.commit().await.expect("commit");

    for role in ["editor", "developer", "viewer"] {
        let c = member_cookie(&pool, &a, role).await;
        let err = refund(&router, &c, order, true).await.error();
        assert!(matches!(err, AppError::Forbidden(_)), "{role}: {err:?}");
    }
    let admin = member_cookie(&pool, &a, "admin").await;
    let r = refund(&router, &admin, order, true).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let overview: OrdersOverview = r.json();
    let row = overview
        .orders
        .iter()
        .find(|o| o.id == order)
        .expect("the order");
    assert_eq!(
        (row.status.as_str(), row.payment_status.as_str()),
        ("refunded", "refunded")
    );
    let note = row
        .history
        .last()
        .and_then(|e| e.notes.clone())
        .unwrap_or_default();
    assert!(
        note.starts_with("Refunded ")
            && note.contains("items back in stock")
            && note.contains("re_test_"),
        "{note}"
    );
    let (status, payment, refunded, total) = order_state(&pool, &a, order).await;
    assert_eq!(
        (status.as_str(), payment.as_str(), refunded),
        ("refunded", "refunded", total)
    );
    assert_eq!(stock_of(&pool, &a, order).await, before + 1, "restocked");

    // Once: a second refund is a 400 naming the order's state, and nothing moves.
    let err = refund(&router, &cookie_for(&a), order, true).await.error();
    assert_eq!(err.field(), Some("order"), "{err:?}");
    assert_eq!(stock_of(&pool, &a, order).await, before + 1);
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let audits: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_logs WHERE action = 'order.refunded'")
            .fetch_one(&mut *tx)
            .await
            .expect("audit");
    assert_eq!(audits, 1);
    // The endpoint got one `order.refunded` event with the refunded amount.
    let payloads: Vec<String> = sqlx::query_scalar(
        "SELECT payload FROM website_webhook_deliveries WHERE event = 'order.refunded'",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("deliveries");
    tx.commit().await.expect("commit");
    assert_eq!(payloads.len(), 1);
    let data: serde_json::Value = serde_json::from_str(&payloads[0]).expect("payload");
    assert_eq!(data["data"]["status"], "refunded");
    assert_eq!(data["data"]["refunded_cents"], json!(total));

    // Without restocking, the stock stays where it is.
    let other = fresh_paid_order(&pool, &a).await;
    let stock = stock_of(&pool, &a, other).await;
    let r = refund(&router, &cookie_for(&a), other, false).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(stock_of(&pool, &a, other).await, stock);
}

#[tokio::test]
async fn a_stripe_payment_is_refunded_through_the_stripe_api_and_a_failure_changes_nothing() {
    let pool = pool().await;
    let (stripe, base) = stand_in().await;
    let router = stripe_router(pool.clone(), &base);
    let a = account(&pool, "Refund Stripe").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let c = cookie_for(&a);
    let order = fresh_paid_order(&pool, &a).await;
    set_payment(&pool, &a, order, "pi_3RealPayment").await;
    let (_, _, _, total) = order_state(&pool, &a, order).await;

    // Stripe refuses: a clear error, and the order is still paid.
    stripe.fail_with(
        400,
        json!({ "error": { "type": "invalid_request_error", "code": "charge_already_refunded", "message": "Charge ch_1 has already been refunded." } }),
    );
    let r = refund(&router, &c, order, true).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let (status, payment, refunded, _) = order_state(&pool, &a, order).await;
    assert_eq!(
        (status.as_str(), payment.as_str(), refunded),
        ("paid", "paid", 0)
    );

    let (stripe, base) = stand_in().await;
    let router = stripe_router(pool.clone(), &base);
    let r = refund(&router, &c, order, true).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let sent = stripe.seen("/v1/refunds");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].field("payment_intent"), Some("pi_3RealPayment"));
    assert_eq!(sent[0].field("amount"), Some(total.to_string().as_str()));
    let order_id = order.to_string();
    assert_eq!(
        sent[0].field("metadata[sitepilot_order]"),
        Some(order_id.as_str())
    );
    let (status, _, refunded, _) = order_state(&pool, &a, order).await;
    assert_eq!((status.as_str(), refunded), ("refunded", total));

    // A Stripe payment on a server without Stripe keys: the refusal names the setting.
    let other = fresh_paid_order(&pool, &a).await;
    set_payment(&pool, &a, other, "pi_3OtherPayment").await;
    let plain = crate::common::router(pool.clone());
    let err = refund(&plain, &c, other, true).await.error();
    assert!(
        matches!(&err, AppError::Forbidden(m) if m.contains("STRIPE_SECRET_KEY")),
        "{err:?}"
    );
}

async fn csv(router: &Router, cookie: Option<&str>, website: Uuid) -> (StatusCode, String) {
    let mut req =
        Request::get(format!("/websites/{website}/orders.csv")).header(header::HOST, "127.0.0.1");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let r = send_request(router, req.body(Body::empty()).expect("request")).await;
    (r.status, r.text())
}

#[tokio::test]
async fn the_orders_csv_lists_every_order_with_its_lines_and_no_formulas() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Orders Csv").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let order = fresh_paid_order(&pool, &a).await;
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    sqlx::query(
        "UPDATE website_orders SET customer_name = '=HYPERLINK(\"http://x\")' WHERE id = $1",
    )
    .bind(order)
    .execute(&mut *tx)
    .await
    .expect("name");
    tx.commit().await.expect("commit");

    let viewer = member_cookie(&pool, &a, "viewer").await;
    let (status, body) = csv(&router, Some(&viewer), a.website_id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{body}");
    assert!(
        lines[0].starts_with("Order,Placed (UTC),Paid (UTC),Status,Payment,Customer email"),
        "{}",
        lines[0]
    );
    let row = lines[1];
    assert!(row.contains(",paid,paid,buyer@example.com,"), "{row}");
    assert!(row.contains("1 × Fixture mug"), "{row}");
    assert!(
        row.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "formula guarded: {row}"
    );

    // Another organisation's website is not found; nobody signed in is refused.
    let b = account(&pool, "Orders Csv Other").await;
    assert_eq!(
        csv(&router, Some(&cookie_for(&b)), a.website_id).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        csv(&router, None, a.website_id).await.0,
        StatusCode::UNAUTHORIZED
    );
}
