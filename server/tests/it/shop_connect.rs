//! Live shop payments through Stripe Connect Express (issue 22 "Deliver 3"), against the local
//! stand-in for api.stripe.com: the owner's onboarding (one Express account per organisation,
//! a fresh onboarding link each time, the account's state read back), live checkout's exact
//! Checkout session (destination charge, one line per order line adding up to the total after
//! the discount, `expires_at` the reservation's end), a refused session releasing the stock, and
//! the webhook events: completion marks paid once, expiry releases, `charge.refunded` mirrors
//! partial and full refunds, `account.updated` refreshes the account, all idempotent and safe
//! out of order.

use app::error::AppError;
use app::model::{PaymentsAccount, PaymentsState};
use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;
use crate::shop::{add, cart_cookie, orders, shop, stock, Shop};
use crate::stripe_api::{stand_in, stripe_router, SECRET_KEY};

async fn status(router: &Router, cookie: &str) -> PaymentsAccount {
    let r = call_form(router, "/api/shop/payments", Some(cookie), &[]).await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.text());
    r.json()
}

async fn connect(router: &Router, cookie: &str) -> Reply {
    call_form(router, "/api/shop/payments/connect", Some(cookie), &[]).await
}

fn sorted(form: &[(String, String)]) -> Vec<(String, String)> {
    let mut f = form.to_vec();
    f.sort();
    f
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    v.sort();
    v
}

/// Sets the tenant's connected account as Stripe last described it.
async fn set_account(pool: &PgPool, tenant: Uuid, account: &str, charges: bool) {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query(
        "UPDATE tenants SET stripe_connect_account_id = $2, stripe_connect_charges_enabled = $3,
                stripe_connect_details_submitted = $3, stripe_connect_synced_at = NULL WHERE id = $1",
    )
    .bind(tenant)
    .bind(account)
    .bind(charges)
    .execute(&mut *tx)
    .await
    .expect("account");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn the_owner_connects_one_express_account_and_sees_its_state() {
    let pool = pool().await;
    let (stripe, base) = stand_in().await;
    let router = stripe_router(pool.clone(), &base);
    let a = account(&pool, "Connect Co").await;
    let c = cookie_for(&a);
    let tenant = a.tenant_id.to_string();

    let s = status(&router, &c).await;
    assert_eq!(
        (s.stripe_configured, s.test_mode, s.state),
        (true, false, PaymentsState::NotConnected)
    );
    assert!(
        stripe.seen("/v1/accounts").is_empty(),
        "nothing to read yet"
    );

    let r = connect(&router, &c).await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.text());
    let url: String = r.json();
    let made = stripe.seen("/v1/accounts");
    assert_eq!(made.len(), 1);
    let links = stripe.seen("/v1/account_links");
    let acct = links[0].field("account").expect("account").to_string();
    assert!(acct.starts_with("acct_Standin1"), "{acct}");
    assert_eq!(
        url,
        format!("https://connect.stripe.com/setup/e/{acct}/standin2")
    );
    let email: String = {
        let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
        sqlx::query_scalar("SELECT email FROM users WHERE role = 'owner'")
            .fetch_one(&mut *tx)
            .await
            .expect("owner")
    };
    assert_eq!(
        sorted(&made[0].form),
        pairs(&[
            ("type", "express"),
            ("email", &email),
            ("business_profile[name]", "Connect Co"),
            ("capabilities[card_payments][requested]", "true"),
            ("capabilities[transfers][requested]", "true"),
            ("metadata[tenant_id]", &tenant),
        ])
    );
    assert_eq!(
        made[0].idempotency_key.as_deref(),
        Some(format!("sitepilot-connect-account-{tenant}").as_str())
    );
    let links = stripe.seen("/v1/account_links");
    assert_eq!(links.len(), 1);
    assert_eq!(
        sorted(&links[0].form),
        pairs(&[
            ("account", &acct),
            ("type", "account_onboarding"),
            (
                "refresh_url",
                "http://127.0.0.1:3000/billing?payments=refresh"
            ),
            (
                "return_url",
                "http://127.0.0.1:3000/billing?payments=return"
            ),
        ])
    );

    // Back from onboarding, details given but Stripe not charging yet: incomplete.
    stripe.account_state(false, true);
    let s = status(&router, &c).await;
    assert_eq!(
        (s.state, s.details_submitted),
        (PaymentsState::Incomplete, true)
    );
    assert_eq!(stripe.seen(&format!("/v1/accounts/{acct}")).len(), 1);

    // Connecting again continues with the same account: a new link, no second account.
    let r = connect(&router, &c).await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(stripe.seen("/v1/accounts").len(), 1);
    assert_eq!(stripe.seen("/v1/account_links").len(), 2);

    stripe.account_state(true, true);
    assert_eq!(status(&router, &c).await.state, PaymentsState::Ready);
    // Ready is stored: no more reads from Stripe.
    let reads = stripe.seen(&format!("/v1/accounts/{acct}")).len();
    assert_eq!(status(&router, &c).await.state, PaymentsState::Ready);
    assert_eq!(stripe.seen(&format!("/v1/accounts/{acct}")).len(), reads);

    // A server without Stripe keys says so and cannot connect.
    let plain = crate::common::router(pool.clone());
    let s = status(&plain, &c).await;
    assert!(!s.stripe_configured);
    let err = connect(&plain, &c).await.error();
    assert!(
        matches!(&err, AppError::Forbidden(m) if m.contains("STRIPE_SECRET_KEY")),
        "{err:?}"
    );

    // Stripe refusing the account: a clear error, nothing stored.
    let b = account(&pool, "Connect Refused").await;
    stripe.fail_with(
        400,
        json!({ "error": { "type": "invalid_request_error", "message": "You must sign up for Connect first." } }),
    );
    let r = connect(&router, &cookie_for(&b)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert!(r.text().contains("sign up for Connect"), "{}", r.text());
    let s = status(&router, &cookie_for(&b)).await;
    assert_eq!(s.state, PaymentsState::NotConnected);
    let _ = SECRET_KEY;
}

/// The shop's connected account in these tests (Stripe's ids are unique across tenants).
fn account_of(s: &Shop) -> String {
    format!("acct_1Shop{}", s.a.tenant_id.simple())
}

fn percent(code: &str, value: &str) -> Value {
    json!({ "code": code, "name": "Test code", "kind": "percentage", "value": value, "currency": "EUR" })
}

/// A live shop: stand-in Stripe, a ready connected account, and a cart of 3 × M and 1 × L with
/// 15 % off.
async fn live_shop(pool: &PgPool) -> (crate::stripe_api::StandIn, Router, Shop, String) {
    let (stripe, base) = stand_in().await;
    let router = stripe_router(pool.clone(), &base);
    let s = shop(pool, 4).await;
    set_account(pool, s.a.tenant_id, &account_of(&s), true).await;
    let r = call_json(
        &router,
        "/api/commerce/promotion/create",
        Some(&cookie_for(&s.a)),
        json!({ "website_id": s.a.website_id, "promotion": percent("SAVE15", "15") }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let cookie = cart_cookie(&add(&router, &s, None, s.m, "3").await);
    add(&router, &s, Some(&cookie), s.l, "1").await;
    let r = visit(
        &router,
        &s.path("/cart"),
        Some(&cookie),
        Some(&[("code", "SAVE15")]),
    )
    .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    (stripe, router, s, cookie)
}

async fn checkout(router: &Router, s: &Shop, cookie: &str) -> Reply {
    visit(
        router,
        &s.path("/checkout"),
        Some(cookie),
        Some(&[("email", "ann@example.com")]),
    )
    .await
}

/// (id, total_cents, reserved_until unix, session) of the website's only order.
async fn the_order(pool: &PgPool, s: &Shop) -> (Uuid, i64, Option<i64>, Option<String>) {
    let mut tx = app::db::tenant_tx(pool, s.a.tenant_id).await.expect("tx");
    let row = sqlx::query_as(
        "SELECT id, total_cents, floor(extract(epoch FROM reserved_until))::bigint, stripe_checkout_session_id
           FROM website_orders ORDER BY created_at DESC LIMIT 1",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("order");
    tx.commit().await.expect("commit");
    row
}

fn shop_metadata(s: &Shop, order: Uuid) -> Value {
    json!({
        "sitepilot_kind": "shop_order",
        "sitepilot_tenant": s.a.tenant_id.to_string(),
        "sitepilot_order": order.to_string(),
    })
}

fn outcome(r: &Reply) -> String {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json::<Value>()["outcome"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn live_checkout_sends_the_exact_session_and_the_payment_marks_it_paid_once() {
    let pool = pool().await;
    let (stripe, router, s, cookie) = live_shop(&pool).await;

    let r = checkout(&router, &s, &cookie).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let location = r.location.clone().unwrap_or_default();
    assert_eq!(
        (stock(&pool, &s, s.m).await, stock(&pool, &s, s.l).await),
        (1, 1)
    );
    let (order, total, until, session) = the_order(&pool, &s).await;
    let session = session.expect("session stored");
    assert_eq!(
        location,
        format!("https://checkout.stripe.com/c/pay/{session}")
    );
    // 3 × 12.50 + 14.00 = 51.50, 15 % off.
    assert_eq!(total, 5150 - 773);

    let sent = stripe.seen("/v1/checkout/sessions");
    assert_eq!(sent.len(), 1);
    let f = &sent[0];
    assert_eq!(
        f.idempotency_key.as_deref(),
        Some(format!("sitepilot-shop-session-{order}").as_str())
    );
    assert_eq!(f.field("mode"), Some("payment"));
    assert_eq!(f.field("customer_email"), Some("ann@example.com"));
    assert_eq!(
        f.field("payment_intent_data[transfer_data][destination]"),
        Some(account_of(&s).as_str())
    );
    assert_eq!(f.field("application_fee_amount"), None);
    let until = until.expect("reserved");
    assert_eq!(f.field("expires_at"), Some(until.to_string().as_str()));
    assert!(
        until - chrono::Utc::now().timestamp() > 30 * 60,
        "Stripe's minimum"
    );
    let order_id = order.to_string();
    let tenant = s.a.tenant_id.to_string();
    for prefix in ["metadata", "payment_intent_data[metadata]"] {
        assert_eq!(
            f.field(&format!("{prefix}[sitepilot_kind]")),
            Some("shop_order")
        );
        assert_eq!(
            f.field(&format!("{prefix}[sitepilot_order]")),
            Some(order_id.as_str())
        );
        assert_eq!(
            f.field(&format!("{prefix}[sitepilot_tenant]")),
            Some(tenant.as_str())
        );
    }
    let success = f.field("success_url").expect("success_url");
    let order_page = format!("/sites/{}/orders/{order}?t=", s.a.subdomain);
    assert!(
        success.starts_with("http") && success.contains(&order_page),
        "{success}"
    );
    let cancel = f.field("cancel_url").expect("cancel_url");
    assert!(cancel.contains(&order_page), "{cancel}");
    // One line per order line, quantity 1, adding up to the total after the discount.
    let mut sum = 0;
    for i in 0..2 {
        assert_eq!(f.field(&format!("line_items[{i}][quantity]")), Some("1"));
        assert_eq!(
            f.field(&format!("line_items[{i}][price_data][currency]")),
            Some("eur")
        );
        sum += f
            .field(&format!("line_items[{i}][price_data][unit_amount]"))
            .expect("amount")
            .parse::<i64>()
            .expect("number");
    }
    assert_eq!(f.field("line_items[2][quantity]"), None);
    assert_eq!(sum, total);
    let names = [
        f.field("line_items[0][price_data][product_data][name]")
            .unwrap_or_default(),
        f.field("line_items[1][price_data][product_data][name]")
            .unwrap_or_default(),
    ];
    assert!(
        names.iter().any(|n| n.starts_with("3 × Blue Mug")),
        "{names:?}"
    );

    // Stripe's completion: paid once; the same event again, or another one for the session, changes nothing.
    let event = app::api::billing::test_event::checkout_completed(
        &session,
        "pi_3LivePayment",
        Some((total, "eur")),
        shop_metadata(&s, order),
    );
    assert_eq!(
        outcome(&send_stripe_event(&router, &event).await),
        "applied"
    );
    assert_eq!(
        outcome(&send_stripe_event(&router, &event).await),
        "duplicate"
    );
    let again = app::api::billing::test_event::checkout_completed(
        &session,
        "pi_3LivePayment",
        Some((total, "eur")),
        shop_metadata(&s, order),
    );
    assert_eq!(
        outcome(&send_stripe_event(&router, &again).await),
        "already_paid"
    );
    assert_eq!(
        orders(&pool, &s).await,
        vec![("paid".into(), "paid".into(), total)]
    );

    // Its expiry arriving late does not release a paid order.
    let expired = expired_event(&s, order, &session);
    assert_eq!(
        outcome(&send_stripe_event(&router, &expired).await),
        "not_pending"
    );
    assert_eq!(
        (stock(&pool, &s, s.m).await, stock(&pool, &s, s.l).await),
        (1, 1)
    );
}

fn expired_event(s: &Shop, order: Uuid, session: &str) -> Value {
    json!({
        "id": format!("evt_{}", Uuid::new_v4().simple()),
        "object": "event",
        "type": "checkout.session.expired",
        "created": chrono::Utc::now().timestamp(),
        "data": { "object": {
            "id": session, "object": "checkout.session", "status": "expired",
            "payment_status": "unpaid", "metadata": shop_metadata(s, order),
        } }
    })
}

#[tokio::test]
async fn a_refused_session_releases_the_stock_and_an_expired_one_too() {
    let pool = pool().await;
    let (stripe, router, s, cookie) = live_shop(&pool).await;

    stripe.fail_with(
        400,
        json!({ "error": { "type": "invalid_request_error", "message": "Your destination account needs to have at least one of the following capabilities enabled: transfers" } }),
    );
    let r = checkout(&router, &s, &cookie).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.text());
    assert!(r.text().contains("Nothing was charged"), "{}", r.text());
    assert_eq!(
        (stock(&pool, &s, s.m).await, stock(&pool, &s, s.l).await),
        (4, 2)
    );
    let (order, _, _, session) = the_order(&pool, &s).await;
    assert_eq!(session, None);
    assert_eq!(orders(&pool, &s).await[0].0, "cancelled");

    // The cart is open again: once Stripe accepts, the same cart checks out.
    let (stripe, base) = stand_in().await;
    let router = stripe_router(pool.clone(), &base);
    let r = checkout(&router, &s, &cookie).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(stripe.seen("/v1/checkout/sessions").len(), 1);
    let (order2, _, _, session2) = the_order(&pool, &s).await;
    let session2 = session2.expect("session");
    assert_ne!(order, order2);
    assert_eq!(
        (stock(&pool, &s, s.m).await, stock(&pool, &s, s.l).await),
        (1, 1)
    );

    // The session expires unpaid: the stock goes back, once.
    let expired = expired_event(&s, order2, &session2);
    assert_eq!(
        outcome(&send_stripe_event(&router, &expired).await),
        "applied"
    );
    assert_eq!(
        outcome(&send_stripe_event(&router, &expired).await),
        "duplicate"
    );
    let later = expired_event(&s, order2, &session2);
    assert_eq!(
        outcome(&send_stripe_event(&router, &later).await),
        "not_pending"
    );
    assert_eq!(
        (stock(&pool, &s, s.m).await, stock(&pool, &s, s.l).await),
        (4, 2)
    );

    // Without a ready account the live server does not take payments, and holds no stock.
    set_account(&pool, s.a.tenant_id, &account_of(&s), false).await;
    let r = checkout(&router, &s, &cookie).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
    assert!(
        r.text().contains("cannot take payments yet"),
        "{}",
        r.text()
    );
    assert_eq!(stripe.seen("/v1/checkout/sessions").len(), 1);
    assert_eq!(
        (stock(&pool, &s, s.m).await, stock(&pool, &s, s.l).await),
        (4, 2)
    );
}

fn refunded_event(s: &Shop, order: Uuid, amount_refunded: i64, created: i64) -> Value {
    json!({
        "id": format!("evt_{}", Uuid::new_v4().simple()),
        "object": "event",
        "type": "charge.refunded",
        "created": created,
        "data": { "object": {
            "id": "ch_3LivePayment", "object": "charge", "payment_intent": "pi_3LivePayment",
            "amount": 4377, "amount_refunded": amount_refunded, "refunded": amount_refunded >= 4377,
            "currency": "eur", "metadata": shop_metadata(s, order),
        } }
    })
}

/// (status, payment_status, refunded_cents) of the order, and its history notes.
async fn refund_state(
    pool: &PgPool,
    s: &Shop,
    order: Uuid,
) -> ((String, String, i64), Vec<String>) {
    let mut tx = app::db::tenant_tx(pool, s.a.tenant_id).await.expect("tx");
    let row = sqlx::query_as(
        "SELECT status, payment_status, refunded_cents FROM website_orders WHERE id = $1",
    )
    .bind(order)
    .fetch_one(&mut *tx)
    .await
    .expect("order");
    let notes = sqlx::query_scalar(
        "SELECT notes FROM website_order_status_history WHERE order_id = $1 AND notes LIKE 'Refunded%' ORDER BY created_at, id",
    )
    .bind(order)
    .fetch_all(&mut *tx)
    .await
    .expect("history");
    tx.commit().await.expect("commit");
    (row, notes)
}

#[tokio::test]
async fn refunds_in_the_stripe_dashboard_are_mirrored_partly_then_fully() {
    let pool = pool().await;
    let (_stripe, router, s, cookie) = live_shop(&pool).await;
    let r = checkout(&router, &s, &cookie).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let (order, total, _, session) = the_order(&pool, &s).await;
    assert_eq!(total, 4377);
    let paid = app::api::billing::test_event::checkout_completed(
        &session.expect("session"),
        "pi_3LivePayment",
        Some((total, "eur")),
        shop_metadata(&s, order),
    );
    assert_eq!(outcome(&send_stripe_event(&router, &paid).await), "applied");
    let t = chrono::Utc::now().timestamp();

    let part = refunded_event(&s, order, 1000, t);
    assert_eq!(outcome(&send_stripe_event(&router, &part).await), "applied");
    assert_eq!(
        outcome(&send_stripe_event(&router, &part).await),
        "duplicate"
    );
    let (row, notes) = refund_state(&pool, &s, order).await;
    assert_eq!(row, ("paid".into(), "partially_refunded".into(), 1000));
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].contains("€10.00") || notes[0].contains("10.00"),
        "{notes:?}"
    );

    let full = refunded_event(&s, order, total, t + 5);
    assert_eq!(outcome(&send_stripe_event(&router, &full).await), "applied");
    let (row, notes) = refund_state(&pool, &s, order).await;
    assert_eq!(row, ("refunded".into(), "refunded".into(), total));
    assert_eq!(notes.len(), 2);

    // The partial refund's event delivered again late (another event id): nothing goes back.
    let late = refunded_event(&s, order, 1000, t);
    assert_eq!(
        outcome(&send_stripe_event(&router, &late).await),
        "already_refunded"
    );
    assert_eq!(
        refund_state(&pool, &s, order).await.0,
        ("refunded".into(), "refunded".into(), total)
    );

    // A charge naming this order but another payment changes nothing.
    let mut forged = refunded_event(&s, order, total, t);
    forged["data"]["object"]["payment_intent"] = json!("pi_3Other");
    assert_eq!(
        outcome(&send_stripe_event(&router, &forged).await),
        "unknown_order"
    );

    // Both refunds reached the website's event stream.
    let mut tx = app::db::tenant_tx(&pool, s.a.tenant_id).await.expect("tx");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE action = 'order.refunded' AND resource_id = $1",
    )
    .bind(order)
    .fetch_one(&mut *tx)
    .await
    .expect("audit");
    tx.commit().await.expect("commit");
    assert_eq!(audited, 2);
}

fn account_event(tenant: Uuid, account: &str, charges: bool, created: i64) -> Value {
    json!({
        "id": format!("evt_{}", Uuid::new_v4().simple()),
        "object": "event",
        "type": "account.updated",
        "created": created,
        "account": account,
        "data": { "object": {
            "id": account, "object": "account", "charges_enabled": charges,
            "details_submitted": true, "metadata": { "tenant_id": tenant.to_string() },
        } }
    })
}

#[tokio::test]
async fn account_updated_refreshes_the_connect_state_in_order() {
    let pool = pool().await;
    let (_stripe, base) = stand_in().await;
    let router = stripe_router(pool.clone(), &base);
    let a = account(&pool, "Account Events").await;
    let other = account(&pool, "Account Events Other").await;
    let acct = format!("acct_1Events{}", a.tenant_id.simple());
    set_account(&pool, a.tenant_id, &acct, false).await;
    let c = cookie_for(&a);
    let t = chrono::Utc::now().timestamp() - 100;

    let ready = account_event(a.tenant_id, &acct, true, t);
    assert_eq!(
        outcome(&send_stripe_event(&router, &ready).await),
        "applied"
    );
    assert_eq!(
        outcome(&send_stripe_event(&router, &ready).await),
        "duplicate"
    );
    assert_eq!(status(&router, &c).await.state, PaymentsState::Ready);

    // An older event delivered late does not take the state back.
    let older = account_event(a.tenant_id, &acct, false, t - 10);
    assert_eq!(
        outcome(&send_stripe_event(&router, &older).await),
        "stale_or_unknown_account"
    );
    assert_eq!(status(&router, &c).await.state, PaymentsState::Ready);

    // A newer one does (Stripe needs more details).
    let newer = account_event(a.tenant_id, &acct, false, t + 10);
    assert_eq!(
        outcome(&send_stripe_event(&router, &newer).await),
        "applied"
    );
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let charges: bool = sqlx::query_scalar("SELECT stripe_connect_charges_enabled FROM tenants")
        .fetch_one(&mut *tx)
        .await
        .expect("state");
    tx.commit().await.expect("commit");
    assert!(!charges);

    // Metadata naming another tenant finds no such account there.
    let wrong = account_event(other.tenant_id, &acct, true, t + 20);
    assert_eq!(
        outcome(&send_stripe_event(&router, &wrong).await),
        "stale_or_unknown_account"
    );
}
