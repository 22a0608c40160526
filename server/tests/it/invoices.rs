//! Invoice history on the billing page (issue 23 part 6): the owner's list comes from the
//! Stripe API when the server has keys (the local stand-in here) and from the local test mode's
//! simulated invoices otherwise; Stripe's invoice events keep `billing_invoices` current, a
//! late event never reopens a paid invoice, and dates follow the organisation's timezone.

use crate::common::*;
use crate::stripe_api::{stand_in, stripe_router};
use app::error::AppError;
use app::model::{InvoiceHistory, InvoiceSource};
use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

fn test_mode_router(pool: PgPool) -> Router {
    build(
        &server::ServerConfig {
            billing_test_mode: true,
            ..config()
        },
        pool,
    )
}

async fn invoices(router: &Router, cookie: &str) -> InvoiceHistory {
    let r = call_form(router, "/api/billing/invoices", Some(cookie), &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn ok(r: Reply) {
    assert!(r.status.is_success(), "{}: {}", r.status, r.text());
}

async fn set_timezone(pool: &PgPool, tenant: Uuid, tz: &str) {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query("UPDATE tenants SET timezone = $1 WHERE id = $2")
        .bind(tz)
        .bind(tenant)
        .execute(&mut *tx)
        .await
        .expect("timezone");
    tx.commit().await.expect("commit");
}

/// A Stripe `invoice` object as the API and the events carry it.
fn stripe_invoice(id: &str, customer: &str, status: &str, created: i64) -> Value {
    json!({
        "id": id,
        "object": "invoice",
        "customer": customer,
        "number": format!("SP{}-0001", &id[3..7]),
        "status": status,
        "currency": "eur",
        "amount_due": 4900,
        "amount_paid": if status == "paid" { 4900 } else { 0 },
        "created": created,
        "period_start": created,
        "period_end": created + 30 * 24 * 3600,
        "hosted_invoice_url": format!("https://invoice.stripe.com/i/acct_1/{id}"),
        "invoice_pdf": format!("https://pay.stripe.com/invoice/acct_1/{id}/pdf"),
    })
}

#[tokio::test]
async fn test_mode_lists_the_simulated_invoices_newest_first_and_a_retry_pays_the_failed_one() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let a = account(&pool, "Invoice Test Mode").await;
    let c = cookie_for(&a);
    let h = invoices(&router, &c).await;
    assert_eq!((h.source, h.invoices.len()), (InvoiceSource::TestMode, 0));

    // Upgrading bills the plan's price at once, as Stripe does.
    ok(call_json(
        &router,
        "/api/billing/test_change",
        Some(&c),
        json!({ "plan": "growth", "cycle": "monthly", "keep": [] }),
    )
    .await)
    .await;
    let h = invoices(&router, &c).await;
    assert_eq!(h.invoices.len(), 1, "{h:?}");
    let first = &h.invoices[0];
    assert_eq!(
        (
            first.number.as_deref(),
            first.status.as_str(),
            first.amount_paid_cents,
            first.currency.as_str()
        ),
        (Some("TEST-0001"), "paid", 1900, "USD")
    );
    assert!(first.period.is_some(), "the billed period is shown");
    assert_eq!(
        (first.hosted_url.as_deref(), first.pdf_url.as_deref()),
        (None, None),
        "test mode invents no Stripe links"
    );

    // A failed payment opens a second invoice; the successful retry pays that same one.
    let pay = |paid: bool| {
        call_json(
            &router,
            "/api/billing/test_invoice",
            Some(&c),
            json!({ "paid": paid }),
        )
    };
    ok(pay(false).await).await;
    let h = invoices(&router, &c).await;
    assert_eq!(h.invoices.len(), 2);
    assert_eq!(
        (
            h.invoices[0].status.as_str(),
            h.invoices[0].amount_due_cents
        ),
        ("open", 1900)
    );
    let failed = h.invoices[0].stripe_id.clone();
    ok(pay(true).await).await;
    let h = invoices(&router, &c).await;
    assert_eq!(h.invoices.len(), 2, "the retry pays the open invoice");
    let retried = h
        .invoices
        .iter()
        .find(|i| i.stripe_id == failed)
        .expect("the failed invoice");
    assert_eq!(
        (
            retried.status.as_str(),
            retried.amount_paid_cents,
            retried.number.as_deref()
        ),
        ("paid", 1900, Some("TEST-0002")),
        "the same invoice, under its own number"
    );

    // Another organisation sees none of them.
    let b = account(&pool, "Invoice Test Mode Other").await;
    assert!(invoices(&router, &cookie_for(&b)).await.invoices.is_empty());
    // Only the owner.
    for role in ["admin", "editor", "developer", "viewer"] {
        let m = member_cookie(&pool, &a, role).await;
        let err = call_form(&router, "/api/billing/invoices", Some(&m), &[])
            .await
            .error();
        assert!(matches!(err, AppError::Forbidden(_)), "{role}: {err:?}");
    }
}

#[tokio::test]
async fn with_stripe_keys_the_list_comes_from_the_stripe_api_with_its_pdf_links() {
    let pool = pool().await;
    let (stripe, base) = stand_in().await;
    let router = stripe_router(pool.clone(), &base);
    let a = account(&pool, "Invoice Stripe").await;
    let c = cookie_for(&a);
    // No Stripe customer yet: nothing to ask Stripe, and nothing listed.
    let h = invoices(&router, &c).await;
    assert_eq!((h.source, h.invoices.len()), (InvoiceSource::Stripe, 0));
    assert!(stripe.seen("/v1/invoices").is_empty());

    let customer = format!("cus_Inv{}", &Uuid::new_v4().simple().to_string()[..10]);
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    app::db::billing_stripe::store_customer(&mut tx, a.tenant_id, &customer)
        .await
        .expect("customer");
    tx.commit().await.expect("commit");
    let day = 1_767_225_600; // 2026-01-01T00:00:00Z
    let mut unsafe_link = stripe_invoice("in_1Unsafe", &customer, "paid", day - 86_400);
    unsafe_link["invoice_pdf"] = json!("javascript:alert(1)");
    stripe.list_invoices(vec![
        stripe_invoice("in_1Newest", &customer, "open", day + 3_600),
        stripe_invoice("in_1Older", &customer, "paid", day - 40 * 86_400),
        unsafe_link,
        json!({ "id": "in_1Broken", "object": "invoice" }),
    ]);
    let h = invoices(&router, &c).await;
    let asked = stripe.seen("/v1/invoices");
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].field("customer"), Some(customer.as_str()));
    assert_eq!(asked[0].field("limit"), Some("24"));
    let ids: Vec<&str> = h.invoices.iter().map(|i| i.stripe_id.as_str()).collect();
    assert_eq!(
        ids,
        ["in_1Newest", "in_1Unsafe", "in_1Older"],
        "newest first; an entry without amounts is left out"
    );
    let newest = &h.invoices[0];
    assert_eq!(
        (
            newest.issued_on.as_str(),
            newest.status.as_str(),
            newest.amount_due_cents,
            newest.currency.as_str()
        ),
        ("2026-01-01", "open", 4900, "EUR")
    );
    assert_eq!(
        newest.pdf_url.as_deref(),
        Some("https://pay.stripe.com/invoice/acct_1/in_1Newest/pdf")
    );
    assert_eq!(h.invoices[1].pdf_url, None, "only https links are kept");
    assert!(h.invoices[1].hosted_url.is_some());

    // Days are the organisation's: 01:00 UTC on 1 January is still 31 December in New York.
    set_timezone(&pool, a.tenant_id, "America/New_York").await;
    assert_eq!(
        invoices(&router, &c).await.invoices[0].issued_on,
        "2025-12-31"
    );

    // Stripe down: the recorded list, and a note saying so.
    stripe.fail_with(
        500,
        json!({ "error": { "type": "api_error", "message": "Something went wrong." } }),
    );
    let h = invoices(&router, &c).await;
    assert_eq!(h.invoices.len(), 3);
    assert!(
        h.notice
            .as_deref()
            .is_some_and(|n| n.contains("Stripe could not be asked")),
        "{h:?}"
    );
}

#[tokio::test]
async fn invoice_events_are_kept_and_a_late_failure_never_reopens_a_paid_invoice() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let a = account(&pool, "Invoice Events").await;
    let customer = format!("cus_Ev{}", &Uuid::new_v4().simple().to_string()[..10]);
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    app::db::billing_stripe::store_customer(&mut tx, a.tenant_id, &customer)
        .await
        .expect("customer");
    tx.commit().await.expect("commit");
    let now = chrono::Utc::now().timestamp();
    let event = |kind: &str, object: Value, created: i64| json!({ "id": format!("evt_{}", Uuid::new_v4().simple()), "type": kind, "created": created, "data": { "object": object } });
    // The payment went through; the earlier failure arrives afterwards.
    let paid = stripe_invoice("in_1Late", &customer, "paid", now - 60);
    let r = send_stripe_event(&router, &event("invoice.payment_succeeded", paid, now)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let open = stripe_invoice("in_1Late", &customer, "open", now - 60);
    let r = send_stripe_event(&router, &event("invoice.payment_failed", open, now - 30)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let h = invoices(&router, &cookie_for(&a)).await;
    assert_eq!(h.invoices.len(), 1);
    assert_eq!(
        (
            h.invoices[0].status.as_str(),
            h.invoices[0].amount_paid_cents
        ),
        ("paid", 4900)
    );
}
