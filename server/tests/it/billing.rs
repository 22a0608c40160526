//! Owners' billing: the billing page is the owner's only; local test mode changes the
//! plan through signed Stripe-shaped events and the real webhook; downgrades archive (never
//! delete) websites over the limit, keeping the owner's choice; past_due keeps features;
//! unpaid suspends the tenant (403 page) until it is paid again.

use crate::common::*;
use app::error::AppError;
use app::model::{BillingOverview, BillingStatus};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

/// The app router with local billing test mode on, as `main` builds it without STRIPE_SECRET_KEY.
fn test_mode_router(pool: PgPool) -> Router {
    let config = server::ServerConfig {
        billing_test_mode: true,
        ..config()
    };
    build(&config, pool)
}

async fn overview(router: &Router, cookie: &str) -> BillingOverview {
    call_form(router, "/api/billing/overview", Some(cookie), &[])
        .await
        .json()
}

async fn change(router: &Router, cookie: &str, plan: &str, cycle: &str, keep: &[Uuid]) -> Reply {
    call_json(
        router,
        "/api/billing/test_change",
        Some(cookie),
        json!({ "plan": plan, "cycle": cycle, "keep": keep }),
    )
    .await
}

async fn ok(r: Reply) {
    assert!(r.status.is_success(), "{}: {}", r.status, r.text());
}

async fn new_site(router: &Router, cookie: &str, name: &str) -> Uuid {
    let r = call_json(
        router,
        "/api/websites/create",
        Some(cookie),
        json!({ "name": name, "subdomain": unique("site-") }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    r.json()
}

async fn site_status(pool: &PgPool, tenant: Uuid, site: Uuid) -> String {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_scalar("SELECT status FROM websites WHERE id = $1")
        .bind(site)
        .fetch_one(&mut *tx)
        .await
        .expect("site")
}

async fn audits(pool: &PgPool, tenant: Uuid, action: &str) -> i64 {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_scalar("SELECT count(*) FROM audit_logs WHERE action = $1")
        .bind(action)
        .fetch_one(&mut *tx)
        .await
        .expect("audit")
}

/// A signed Stripe event delivered to the webhook (as Stripe would, for past_due / unpaid).
async fn stripe_event(router: &Router, kind: &str, object: serde_json::Value) {
    let t = chrono::Utc::now().timestamp();
    let event = json!({ "id": format!("evt_{}", Uuid::new_v4().simple()), "type": kind, "created": t, "data": { "object": object } });
    let r = send_stripe_event(router, &event).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn only_the_owner_sees_and_changes_billing() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let a = account(&pool, "Billing Roles").await;
    for role in ["admin", "editor", "developer", "viewer"] {
        let c = member_cookie(&pool, &a, role).await;
        let err = call_form(&router, "/api/billing/overview", Some(&c), &[])
            .await
            .error();
        assert!(
            matches!(&err, AppError::Forbidden(m) if m.contains("Only the account owner")),
            "{role}: {err:?}"
        );
        assert!(
            matches!(
                change(&router, &c, "growth", "monthly", &[]).await.error(),
                AppError::Forbidden(_)
            ),
            "{role}"
        );
        assert!(matches!(
            call_form(&router, "/api/billing/test_cancel", Some(&c), &[])
                .await
                .error(),
            AppError::Forbidden(_)
        ));
        // Every member sees the subscription status (for the past-due banner).
        let s: BillingStatus = call_form(&router, "/api/billing/status", Some(&c), &[])
            .await
            .json();
        assert_eq!(s.plan_name, "Starter");
    }
    assert_eq!(
        call_form(&router, "/api/billing/overview", None, &[])
            .await
            .error(),
        AppError::Unauthorized
    );
    let o = overview(&router, &cookie_for(&a)).await;
    assert_eq!(
        (
            o.plan_slug.as_str(),
            o.status.as_str(),
            o.billing_cycle.as_str(),
            o.test_mode
        ),
        ("starter", "active", "none", true)
    );
    assert_eq!(
        o.plans.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["Starter", "Growth", "Pro"]
    );
    assert_eq!(o.plans[1].badge.as_deref(), Some("Most Popular"));
    let meters: Vec<(&str, f64, i64)> = o
        .usage
        .iter()
        .map(|m| (m.label.as_str(), m.used, m.max))
        .collect();
    assert_eq!(meters[0], ("Websites", 1.0, 1));
    assert_eq!(meters[1], ("Pages on your largest website", 1.0, 5));
    assert_eq!(
        (meters[2].2, meters[3].2, meters[4].1, meters[4].2),
        (100, 10, 5.0, 1),
        "4 members added + the owner"
    );
    // Without test mode (a Stripe key configured) nothing is simulated.
    let plain = router_without_test_mode(pool.clone());
    assert!(!overview(&plain, &cookie_for(&a)).await.test_mode);
    assert!(matches!(
        change(&plain, &cookie_for(&a), "growth", "monthly", &[])
            .await
            .error(),
        AppError::Forbidden(_)
    ));
}

fn router_without_test_mode(pool: PgPool) -> Router {
    router(pool)
}

#[tokio::test]
async fn test_mode_upgrades_and_downgrades_through_the_webhook_keeping_the_chosen_site() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let a = account(&pool, "Test Mode Co").await;
    let b = account(&pool, "Bystander").await;
    let owner = cookie_for(&a);

    ok(change(&router, &owner, "growth", "yearly", &[]).await).await;
    let o = overview(&router, &owner).await;
    assert_eq!(
        (
            o.plan_name.as_str(),
            o.status.as_str(),
            o.billing_cycle.as_str()
        ),
        ("Growth", "active", "yearly")
    );
    assert!(o.period_end.is_some() && !o.cancel_at_period_end);
    assert_eq!(audits(&pool, a.tenant_id, "billing.plan_upgraded").await, 1);
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let customer: String = sqlx::query_scalar("SELECT stripe_customer_id FROM tenants")
        .fetch_one(&mut *tx)
        .await
        .expect("customer");
    drop(tx);
    assert_eq!(customer, format!("cus_test_{}", a.tenant_id.simple()));
    // The same plan and cycle again is refused; switching cycle is an update.
    assert_eq!(
        change(&router, &owner, "growth", "yearly", &[])
            .await
            .error()
            .field(),
        Some("plan")
    );
    ok(change(&router, &owner, "growth", "monthly", &[]).await).await;
    assert_eq!(overview(&router, &owner).await.billing_cycle, "monthly");

    // New limits apply at once: two more websites on Growth.
    let second = new_site(&router, &owner, "Second").await;
    let third = new_site(&router, &owner, "Third").await;

    // The choice is validated: at most the new plan's limit, only own active websites.
    assert_eq!(
        change(&router, &owner, "starter", "monthly", &[second, third])
            .await
            .error()
            .field(),
        Some("keep")
    );
    assert_eq!(
        change(&router, &owner, "starter", "monthly", &[b.website_id])
            .await
            .error()
            .field(),
        Some("keep")
    );
    assert_eq!(
        overview(&router, &owner).await.plan_name,
        "Growth",
        "nothing changed"
    );

    // Downgrade keeping the oldest, least recently updated site: the others are archived.
    ok(change(&router, &owner, "starter", "monthly", &[a.website_id]).await).await;
    let o = overview(&router, &owner).await;
    assert_eq!(
        (o.plan_name.as_str(), o.status.as_str()),
        ("Starter", "cancelled")
    );
    assert_eq!(site_status(&pool, a.tenant_id, a.website_id).await, "draft");
    assert_eq!(site_status(&pool, a.tenant_id, second).await, "archived");
    assert_eq!(site_status(&pool, a.tenant_id, third).await, "archived");
    assert_eq!(o.websites.len(), 3, "archived websites are kept and listed");
    assert_eq!(audits(&pool, a.tenant_id, "website.archived").await, 2);
    assert_eq!(
        audits(&pool, a.tenant_id, "billing.plan_downgraded").await,
        1
    );
    assert_eq!(
        site_status(&pool, b.tenant_id, b.website_id).await,
        "draft",
        "the other tenant is untouched"
    );
    assert_eq!(
        overview(&router, &cookie_for(&b)).await.plan_name,
        "Starter"
    );

    // Upgrading again does not unarchive; without a choice the most recently updated is kept.
    ok(change(&router, &owner, "pro", "monthly", &[]).await).await;
    assert_eq!(site_status(&pool, a.tenant_id, second).await, "archived");
    let fourth = new_site(&router, &owner, "Fourth").await;
    ok(change(&router, &owner, "starter", "monthly", &[]).await).await;
    assert_eq!(site_status(&pool, a.tenant_id, fourth).await, "draft");
    assert_eq!(
        site_status(&pool, a.tenant_id, a.website_id).await,
        "archived"
    );
}

#[tokio::test]
async fn cancel_keeps_the_plan_until_the_period_ends() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let a = account(&pool, "Cancel Co").await;
    let owner = cookie_for(&a);
    assert_eq!(
        call_form(&router, "/api/billing/test_cancel", Some(&owner), &[])
            .await
            .error()
            .field(),
        Some("plan")
    );
    ok(change(&router, &owner, "pro", "monthly", &[]).await).await;
    ok(call_form(&router, "/api/billing/test_cancel", Some(&owner), &[]).await).await;
    let o = overview(&router, &owner).await;
    assert_eq!(
        (
            o.plan_name.as_str(),
            o.status.as_str(),
            o.cancel_at_period_end
        ),
        ("Pro", "active", true)
    );
}

#[tokio::test]
async fn past_due_keeps_features_and_unpaid_suspends_until_paid() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let a = account(&pool, "Late Payer").await;
    let owner = cookie_for(&a);
    let editor = member_cookie(&pool, &a, "editor").await;
    ok(change(&router, &owner, "growth", "monthly", &[]).await).await;
    let sub: (String, String) = {
        let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
        sqlx::query_as("SELECT stripe_subscription_id, stripe_customer_id FROM subscriptions")
            .fetch_one(&mut *tx)
            .await
            .expect("sub")
    };
    let object = |status: &str| {
        json!({ "id": sub.0, "customer": sub.1, "status": status,
        "items": { "data": [{ "price": { "id": "price_test_growth_monthly" } }] } })
    };

    stripe_event(
        &router,
        "invoice.payment_failed",
        json!({ "customer": sub.1, "subscription": sub.0 }),
    )
    .await;
    let s: BillingStatus = call_form(&router, "/api/billing/status", Some(&editor), &[])
        .await
        .json();
    assert_eq!(
        (s.status.as_str(), s.plan_name.as_str()),
        ("past_due", "Growth")
    );
    new_site(&router, &owner, "Still Growth").await;

    stripe_event(&router, "customer.subscription.updated", object("unpaid")).await;
    for cookie in [&owner, &editor] {
        let page = get_with_cookie(&router, "/dashboard", cookie).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(page.text().contains("Account suspended"));
        let api = call_form(&router, "/api/websites", Some(cookie), &[]).await;
        assert_eq!(api.status, StatusCode::FORBIDDEN);
        // The API answers with the typed error the app decodes, not the HTML page.
        assert_eq!(api.error(), AppError::forbidden(server::billing::SUSPENDED));
    }
    let other = account(&pool, "Paying Neighbour").await;
    assert_eq!(
        get_with_cookie(&router, "/dashboard", &cookie_for(&other))
            .await
            .status,
        StatusCode::OK
    );

    stripe_event(&router, "customer.subscription.updated", object("active")).await;
    assert_eq!(
        get_with_cookie(&router, "/dashboard", &owner).await.status,
        StatusCode::OK
    );
    let o = overview(&router, &owner).await;
    assert_eq!(
        (
            o.plan_name.as_str(),
            o.status.as_str(),
            o.tenant_status.as_str()
        ),
        ("Growth", "active", "active")
    );
    assert_eq!(
        o.websites.iter().filter(|w| w.status != "archived").count(),
        2,
        "nothing archived by the suspension"
    );
}

async fn get_with_cookie(router: &Router, path: &str, cookie: &str) -> Reply {
    let req = Request::get(path)
        .header(header::HOST, "127.0.0.1")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request");
    let raw = send_raw(router, req).await;
    Reply {
        status: raw.status,
        set_cookie: vec![],
        location: None,
        body: raw.body,
    }
}

#[tokio::test]
async fn an_archived_website_is_restored_only_within_the_limit_by_the_owner() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let a = account(&pool, "Restore Co").await;
    let b = account(&pool, "Restore Neighbour").await;
    let owner = cookie_for(&a);
    let restore = |cookie: String, site: Uuid| {
        let router = router.clone();
        async move {
            call_json(
                &router,
                "/api/billing/restore_website",
                Some(&cookie),
                json!({ "website_id": site }),
            )
            .await
        }
    };
    ok(change(&router, &owner, "growth", "monthly", &[]).await).await;
    let second = new_site(&router, &owner, "Second").await;
    ok(change(&router, &owner, "starter", "monthly", &[second]).await).await;
    assert_eq!(
        site_status(&pool, a.tenant_id, a.website_id).await,
        "archived"
    );

    // On Starter the kept website fills the one slot.
    let err = restore(owner.clone(), a.website_id).await.error();
    assert!(
        matches!(&err, AppError::LimitReached { limit, .. } if limit == "max_websites"),
        "{err:?}"
    );
    for role in ["admin", "editor", "developer", "viewer"] {
        let c = member_cookie(&pool, &a, role).await;
        assert!(
            matches!(
                restore(c, a.website_id).await.error(),
                AppError::Forbidden(_)
            ),
            "{role}"
        );
    }
    assert_eq!(
        restore(cookie_for(&b), a.website_id).await.error(),
        AppError::NotFound("Website".into()),
        "other tenant"
    );
    assert_eq!(
        site_status(&pool, a.tenant_id, a.website_id).await,
        "archived"
    );

    ok(change(&router, &owner, "growth", "monthly", &[]).await).await;
    ok(restore(owner.clone(), a.website_id).await).await;
    assert_eq!(site_status(&pool, a.tenant_id, a.website_id).await, "draft");
    assert_eq!(
        restore(owner.clone(), a.website_id).await.error().field(),
        Some("website"),
        "not archived"
    );
    assert_eq!(audits(&pool, a.tenant_id, "website.restored").await, 1);
}

#[tokio::test]
async fn test_mode_simulates_a_failed_and_a_paid_invoice() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let a = account(&pool, "Billing Invoice").await;
    let c = cookie_for(&a);
    let invoice = |paid: bool| {
        call_json(
            &router,
            "/api/billing/test_invoice",
            Some(&c),
            json!({ "paid": paid }),
        )
    };
    // Nothing to bill on the free plan.
    assert_eq!(invoice(false).await.error().field(), Some("plan"));
    ok(change(&router, &c, "growth", "monthly", &[]).await).await;
    ok(invoice(false).await).await;
    let o = overview(&router, &c).await;
    assert_eq!(
        (o.plan_slug.as_str(), o.status.as_str()),
        ("growth", "past_due"),
        "features kept while past due"
    );
    // Every member sees it; only the owner is offered the billing link.
    let editor = member_cookie(&pool, &a, "editor").await;
    let s: BillingStatus = call_form(&router, "/api/billing/status", Some(&editor), &[])
        .await
        .json();
    assert_eq!(
        (s.status.as_str(), s.can_manage_billing),
        ("past_due", false)
    );
    let s: BillingStatus = call_form(&router, "/api/billing/status", Some(&c), &[])
        .await
        .json();
    assert!(s.can_manage_billing);
    assert!(matches!(
        call_json(
            &router,
            "/api/billing/test_invoice",
            Some(&editor),
            json!({ "paid": true })
        )
        .await
        .error(),
        AppError::Forbidden(_)
    ));
    ok(invoice(true).await).await;
    assert_eq!(overview(&router, &c).await.status, "active");
    // Another tenant's simulation touches only its own subscription.
    let b = account(&pool, "Billing Invoice Other").await;
    assert_eq!(
        call_json(
            &router,
            "/api/billing/test_invoice",
            Some(&cookie_for(&b)),
            json!({ "paid": false })
        )
        .await
        .error()
        .field(),
        Some("plan")
    );
    assert_eq!(overview(&router, &c).await.status, "active");
}
