//! Buying AI credits (issue 19 §5): a pack paid once through Stripe Checkout (or the local
//! billing test mode) adds a `top_up` row to the ledger, once per Checkout session, through the
//! signed webhook; only the owner buys; a server without payments says so.

use app::error::AppError;
use app::model::{AiUsageReport, TopUpStarted};
use axum::Router;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;

fn test_mode_router(pool: PgPool) -> Router {
    build(
        &server::ServerConfig {
            billing_test_mode: true,
            ..config()
        },
        pool,
    )
}

async fn buy(router: &Router, cookie: &str, pack: &str) -> Reply {
    call_json(
        router,
        "/api/ai/top-up",
        Some(cookie),
        json!({ "pack": pack }),
    )
    .await
}

async fn usage(router: &Router, cookie: &str) -> AiUsageReport {
    let r = call_json(router, "/api/ai/usage", Some(cookie), json!({})).await;
    assert!(r.status.is_success(), "{}", r.text());
    r.json()
}

/// (amount, reference) of the tenant's `top_up` rows, oldest first.
async fn top_ups(pool: &PgPool, tenant: Uuid) -> Vec<(i32, Option<String>)> {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_as(
        "SELECT amount, reference FROM credit_transactions WHERE kind = 'top_up' ORDER BY created_at, id",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("top ups")
}

async fn bought_audits(pool: &PgPool, tenant: Uuid) -> i64 {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_scalar("SELECT count(*) FROM audit_logs WHERE action = 'ai.credits_bought'")
        .fetch_one(&mut *tx)
        .await
        .expect("audit")
}

/// Stripe's `checkout.session.completed` for a credit pack, as our checkout sets it up.
fn completed(session: &str, tenant: Uuid, pack: &str, amount: i64, paid: bool) -> Value {
    json!({
        "id": format!("evt_{}", Uuid::new_v4().simple()),
        "object": "event",
        "type": "checkout.session.completed",
        "created": chrono::Utc::now().timestamp(),
        "data": { "object": {
            "id": session, "object": "checkout.session", "mode": "payment",
            "payment_status": if paid { "paid" } else { "unpaid" },
            "amount_total": amount, "currency": "usd",
            "metadata": { "sitepilot_kind": "ai_credits", "sitepilot_tenant": tenant.to_string(), "sitepilot_pack": pack }
        }}
    })
}

#[tokio::test]
async fn a_pack_bought_in_test_mode_adds_its_credits_once_through_the_signed_webhook() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let a = account(&pool, "Credit Buyer").await;
    let owner = cookie_for(&a);
    let before = usage(&router, &owner).await;
    assert_eq!(before.top_up, Ok(()));

    let r = buy(&router, &owner, "credits_500").await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(r.json::<TopUpStarted>().checkout_url, None);
    let after = usage(&router, &owner).await;
    assert_eq!(after.status.credits_left, before.status.credits_left + 500);
    let rows = top_ups(&pool, a.tenant_id).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, 500);
    let session = rows[0].1.clone().expect("the paying session");
    assert!(session.starts_with("cs_test_"), "{session}");
    assert_eq!(bought_audits(&pool, a.tenant_id).await, 1);

    // The same session delivered again (a new event id) adds nothing; an unpaid session, or
    // one that charged another amount than the pack's price, adds nothing either.
    for event in [
        completed(&session, a.tenant_id, "credits_500", 2_000, true),
        completed("cs_unpaid", a.tenant_id, "credits_500", 2_000, false),
        completed("cs_cheap", a.tenant_id, "credits_500", 1, true),
    ] {
        let r = send_stripe_event(&router, &event).await;
        assert!(r.status.is_success(), "{}", r.text());
    }
    assert_eq!(top_ups(&pool, a.tenant_id).await.len(), 1);
    assert_eq!(
        usage(&router, &owner).await.status.credits_left,
        after.status.credits_left
    );
    // A pack we do not sell is refused whole by the webhook (400), so nothing is recorded.
    let r = send_stripe_event(
        &router,
        &completed("cs_forged", a.tenant_id, "credits_999999", 1, true),
    )
    .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text());
    assert_eq!(top_ups(&pool, a.tenant_id).await.len(), 1);

    // Bad input and other roles.
    let r = buy(&router, &owner, "credits_7").await;
    assert_eq!(r.status.as_u16(), 400);
    let AppError::Invalid { field, message } = r.error() else {
        panic!("expected Invalid: {}", r.text())
    };
    assert_eq!(field, "pack");
    assert!(message.contains("credits_100"), "{message}");
    let admin = member_cookie(&pool, &a, "admin").await;
    let r = buy(&router, &admin, "credits_100").await;
    assert_eq!(r.status.as_u16(), 403, "{}", r.text());
    assert_eq!(
        usage(&router, &admin).await.top_up,
        Err("Only the account owner can buy AI credits.".to_string())
    );
    assert_eq!(top_ups(&pool, a.tenant_id).await.len(), 1);
}

#[tokio::test]
async fn with_stripe_a_pack_opens_checkout_and_the_paid_session_adds_the_credits() {
    let pool = pool().await;
    let (stripe, base) = crate::stripe_api::stand_in().await;
    let router = crate::stripe_api::stripe_router(pool.clone(), &base);
    let a = account(&pool, "Stripe Credit Buyer").await;
    let owner = cookie_for(&a);
    let before = usage(&router, &owner).await.status.credits_left;

    let r = buy(&router, &owner, "credits_100").await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(
        r.json::<TopUpStarted>().checkout_url.as_deref(),
        Some("https://checkout.stripe.com/c/pay/cs_test_standin")
    );
    let seen = stripe.seen("/v1/checkout/sessions");
    assert_eq!(seen.len(), 1);
    let s = &seen[0];
    for (field, value) in [
        ("mode", "payment"),
        ("line_items[0][price_data][currency]", "usd"),
        ("line_items[0][price_data][unit_amount]", "500"),
        ("line_items[0][quantity]", "1"),
        ("metadata[sitepilot_kind]", "ai_credits"),
        ("metadata[sitepilot_pack]", "credits_100"),
        ("metadata[sitepilot_tenant]", &a.tenant_id.to_string()),
    ] {
        assert_eq!(s.field(field), Some(value), "{field}");
    }
    assert!(s
        .field("success_url")
        .is_some_and(|u| u.ends_with("/billing?credits=bought")));
    assert!(s.field("customer").is_some_and(|c| c.starts_with("cus_")));
    // Nothing is added until Stripe says the session was paid.
    assert_eq!(usage(&router, &owner).await.status.credits_left, before);
    let paid = completed("cs_test_standin", a.tenant_id, "credits_100", 500, true);
    let r = send_stripe_event(&router, &paid).await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(
        usage(&router, &owner).await.status.credits_left,
        before + 100
    );
    // Stripe retries the same event: the webhook's event log answers it as a duplicate.
    let r = send_stripe_event(&router, &paid).await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(
        usage(&router, &owner).await.status.credits_left,
        before + 100
    );
}

#[tokio::test]
async fn a_server_without_payments_says_so_and_sells_nothing() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "No Payments").await;
    let owner = cookie_for(&a);
    let report = usage(&router, &owner).await;
    let Err(why) = report.top_up else {
        panic!("buying should be unavailable")
    };
    assert!(why.contains("STRIPE_SECRET_KEY"), "{why}");
    let r = buy(&router, &owner, "credits_100").await;
    assert_eq!(r.status.as_u16(), 403, "{}", r.text());
    assert!(r.text().contains("STRIPE_SECRET_KEY"), "{}", r.text());
    assert!(top_ups(&pool, a.tenant_id).await.is_empty());
}
