//! `POST /webhooks/stripe` against a real PostgreSQL, through the in-process router: signature
//! checks, idempotency per event id, out-of-order delivery, malformed events, and the changes
//! to `subscriptions`, `tenants.plan_id` and `audit_logs` (schema reference §6, Flow 5).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use server::stripe::signature::sign;
use sqlx::PgPool;
use tokio::sync::OnceCell;
use tower::ServiceExt;
use uuid::Uuid;

const GROWTH_MONTHLY: &str = "price_test_growth_monthly";
const PRO_YEARLY: &str = "price_test_pro_yearly";
static PRICES: OnceCell<()> = OnceCell::const_new();

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn owner() -> PgPool {
    PgPool::connect(&std::env::var("DATABASE_URL").expect("DATABASE_URL"))
        .await
        .expect("owner pool")
}

/// App pool and router, with Stripe price ids configured on the paid plans (as an operator would).
async fn setup() -> (PgPool, Router) {
    let pool = crate::common::pool().await;
    PRICES
        .get_or_init(|| async {
            let owner = owner().await;
            for (slug, monthly, yearly) in [("growth", GROWTH_MONTHLY, "price_test_growth_yearly"), ("pro", "price_test_pro_monthly", PRO_YEARLY)] {
                sqlx::query("UPDATE plans SET stripe_monthly_price_id = $2, stripe_yearly_price_id = $3 WHERE slug = $1")
                    .bind(slug)
                    .bind(monthly)
                    .bind(yearly)
                    .execute(&owner)
                    .await
                    .expect("configure prices");
            }
        })
        .await;
    let router = crate::common::router(pool.clone());
    (pool, router)
}

fn header_for(body: &str, t: i64, secret: &str) -> String {
    format!("t={t},v1={}", sign(secret.as_bytes(), t, body.as_bytes()))
}

fn signed(body: &str) -> String {
    header_for(body, now(), crate::common::STRIPE_WEBHOOK_SECRET)
}

async fn deliver(router: &Router, body: &str, signature: Option<String>) -> (StatusCode, Value) {
    let mut req = Request::post("/webhooks/stripe")
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(sig) = signature {
        req = req.header("Stripe-Signature", sig);
    }
    let res = router
        .clone()
        .oneshot(req.body(Body::from(body.to_string())).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn deliver_signed(router: &Router, body: &str) -> (StatusCode, Value) {
    deliver(router, body, Some(signed(body))).await
}

/// A tenant and the Stripe ids its tests use.
struct Customer {
    tenant: Uuid,
    customer: String,
    subscription: String,
}

async fn customer(pool: &PgPool) -> Customer {
    let account = crate::common::account(pool, "Billing Co").await;
    Customer {
        tenant: account.tenant_id,
        customer: crate::common::unique("cus_"),
        subscription: crate::common::unique("sub_"),
    }
}

fn sub_event(
    c: &Customer,
    kind: &str,
    created: i64,
    price: &str,
    status: &str,
) -> (String, String) {
    let id = crate::common::unique("evt_");
    let body = json!({
        "id": id, "object": "event", "type": kind, "created": created,
        "data": { "object": {
            "id": c.subscription, "object": "subscription", "customer": c.customer, "status": status,
            "cancel_at_period_end": false,
            "current_period_start": created, "current_period_end": created + 30 * 86400,
            "metadata": { "tenant_id": c.tenant },
            "items": { "data": [ { "price": { "id": price } } ] },
        } },
    });
    (id, body.to_string())
}

fn invoice_event(c: &Customer, kind: &str, created: i64) -> String {
    json!({
        "id": crate::common::unique("evt_"), "type": kind, "created": created,
        "data": { "object": { "object": "invoice", "customer": c.customer, "subscription": c.subscription } },
    })
    .to_string()
}

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct Billing {
    plan: String,
    status: String,
    billing_cycle: String,
    stripe_subscription_id: Option<String>,
    stripe_customer_id: String,
    stripe_price_id: Option<String>,
    has_period_end: bool,
    cancel_at_period_end: bool,
    tenant_customer: Option<String>,
}

/// What the tenant sees, read as the app role under RLS.
async fn billing(pool: &PgPool, tenant: Uuid) -> Billing {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_as::<_, Billing>(
        r#"SELECT p.slug AS plan, s.status, s.billing_cycle, s.stripe_subscription_id, s.stripe_customer_id,
                  s.stripe_price_id, s.current_period_end IS NOT NULL AS has_period_end, s.cancel_at_period_end,
                  t.stripe_customer_id AS tenant_customer
             FROM subscriptions s JOIN tenants t ON t.id = s.tenant_id JOIN plans p ON p.id = t.plan_id"#,
    )
    .fetch_one(&mut *tx)
    .await
    .expect("billing row")
}

async fn audits(pool: &PgPool, tenant: Uuid, action: &str) -> Vec<Value> {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_scalar("SELECT metadata FROM audit_logs WHERE action = $1 ORDER BY created_at")
        .bind(action)
        .fetch_all(&mut *tx)
        .await
        .expect("audit rows")
}

/// The recorded outcome of an event id, read as the owner (the app role cannot read the log).
async fn recorded(id: &str) -> Option<String> {
    sqlx::query_scalar::<_, Option<String>>("SELECT outcome FROM stripe_events WHERE id = $1")
        .bind(id)
        .fetch_optional(&owner().await)
        .await
        .expect("stripe_events")
        .flatten()
}

async fn untouched(pool: &PgPool, c: &Customer) {
    let b = billing(pool, c.tenant).await;
    assert_eq!(
        (
            b.plan.as_str(),
            b.billing_cycle.as_str(),
            b.stripe_subscription_id,
            b.tenant_customer
        ),
        ("starter", "none", None, None)
    );
    assert!(audits(pool, c.tenant, "billing.plan_upgraded")
        .await
        .is_empty());
}

#[tokio::test]
async fn subscription_lifecycle_moves_plan_mirrors_stripe_and_audits() {
    let (pool, router) = setup().await;
    let c = customer(&pool).await;
    let bystander = customer(&pool).await;
    let t = now();

    let (id, body) = sub_event(
        &c,
        "customer.subscription.created",
        t,
        GROWTH_MONTHLY,
        "active",
    );
    let (status, reply) = deliver_signed(&router, &body).await;
    assert_eq!(
        (status, reply["outcome"].as_str()),
        (StatusCode::OK, Some("applied")),
        "{reply}"
    );
    assert_eq!(recorded(&id).await.as_deref(), Some("applied"));
    let b = billing(&pool, c.tenant).await;
    assert_eq!(
        (b.plan.as_str(), b.status.as_str(), b.billing_cycle.as_str()),
        ("growth", "active", "monthly")
    );
    assert_eq!(
        b.stripe_subscription_id.as_deref(),
        Some(c.subscription.as_str())
    );
    assert_eq!(
        (b.stripe_customer_id.as_str(), b.tenant_customer.as_deref()),
        (c.customer.as_str(), Some(c.customer.as_str()))
    );
    assert_eq!(b.stripe_price_id.as_deref(), Some(GROWTH_MONTHLY));
    assert!(b.has_period_end && !b.cancel_at_period_end);
    let up = audits(&pool, c.tenant, "billing.plan_upgraded").await;
    assert_eq!(up.len(), 1);
    assert_eq!(
        (
            up[0]["from"].as_str(),
            up[0]["to"].as_str(),
            up[0]["stripe_event_id"].as_str()
        ),
        (Some("starter"), Some("growth"), Some(id.as_str()))
    );

    // Upgrade to Pro yearly, then schedule cancellation.
    let (_, body) = sub_event(
        &c,
        "customer.subscription.updated",
        t + 10,
        PRO_YEARLY,
        "active",
    );
    assert_eq!(deliver_signed(&router, &body).await.0, StatusCode::OK);
    let b = billing(&pool, c.tenant).await;
    assert_eq!(
        (b.plan.as_str(), b.billing_cycle.as_str()),
        ("pro", "yearly")
    );
    assert_eq!(
        audits(&pool, c.tenant, "billing.plan_upgraded").await.len(),
        2
    );
    let body = body
        .replace(
            r#""cancel_at_period_end":false"#,
            r#""cancel_at_period_end":true"#,
        )
        .replace("evt_", "evt_c");
    let body = body.replace(
        &format!(r#""created":{}"#, t + 10),
        &format!(r#""created":{}"#, t + 20),
    );
    assert_eq!(deliver_signed(&router, &body).await.0, StatusCode::OK);
    assert!(billing(&pool, c.tenant).await.cancel_at_period_end);

    // Back to Growth: a downgrade.
    let (_, body) = sub_event(
        &c,
        "customer.subscription.updated",
        t + 30,
        GROWTH_MONTHLY,
        "active",
    );
    assert_eq!(deliver_signed(&router, &body).await.0, StatusCode::OK);
    assert_eq!(billing(&pool, c.tenant).await.plan, "growth");
    let down = audits(&pool, c.tenant, "billing.plan_downgraded").await;
    assert_eq!(
        (down.len(), down[0]["from"].as_str(), down[0]["to"].as_str()),
        (1, Some("pro"), Some("growth"))
    );

    // Payment failed keeps the plan (past_due); paid again makes it active.
    assert_eq!(
        deliver_signed(
            &router,
            &invoice_event(&c, "invoice.payment_failed", t + 40)
        )
        .await
        .0,
        StatusCode::OK
    );
    let b = billing(&pool, c.tenant).await;
    assert_eq!((b.plan.as_str(), b.status.as_str()), ("growth", "past_due"));
    assert_eq!(
        deliver_signed(
            &router,
            &invoice_event(&c, "invoice.payment_succeeded", t + 50)
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(billing(&pool, c.tenant).await.status, "active");

    // Deleted: cancelled, back on the free plan.
    let (_, body) = sub_event(
        &c,
        "customer.subscription.deleted",
        t + 60,
        GROWTH_MONTHLY,
        "canceled",
    );
    assert_eq!(deliver_signed(&router, &body).await.0, StatusCode::OK);
    let b = billing(&pool, c.tenant).await;
    assert_eq!(
        (b.plan.as_str(), b.status.as_str(), b.billing_cycle.as_str()),
        ("starter", "cancelled", "none")
    );
    assert_eq!(
        audits(&pool, c.tenant, "billing.plan_downgraded")
            .await
            .len(),
        2
    );

    // Another tenant was never touched.
    untouched(&pool, &bystander).await;
}

#[tokio::test]
async fn bad_signatures_are_refused_and_change_nothing() {
    let (pool, router) = setup().await;
    let c = customer(&pool).await;
    let (id, body) = sub_event(
        &c,
        "customer.subscription.created",
        now(),
        GROWTH_MONTHLY,
        "active",
    );
    let forged = body.replace(GROWTH_MONTHLY, PRO_YEARLY);
    let cases = [
        ("no header", None, StatusCode::BAD_REQUEST),
        (
            "garbage header",
            Some("garbage".to_string()),
            StatusCode::BAD_REQUEST,
        ),
        (
            "no timestamp",
            Some(format!(
                "v1={}",
                sign(
                    crate::common::STRIPE_WEBHOOK_SECRET.as_bytes(),
                    now(),
                    body.as_bytes()
                )
            )),
            StatusCode::BAD_REQUEST,
        ),
        (
            "body changed after signing",
            Some(signed(&body)),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "wrong secret",
            Some(header_for(&body, now(), "whsec_someone_else")),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "expired",
            Some(header_for(
                &body,
                now() - 301,
                crate::common::STRIPE_WEBHOOK_SECRET,
            )),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "from the future",
            Some(header_for(
                &body,
                now() + 400,
                crate::common::STRIPE_WEBHOOK_SECRET,
            )),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "only a v0 signature",
            Some(format!("t={},v0={}", now(), "ab".repeat(32))),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (what, header, expected) in cases {
        let sent = if what == "body changed after signing" {
            &forged
        } else {
            &body
        };
        let (status, reply) = deliver(&router, sent, header).await;
        assert_eq!(status, expected, "{what}: {reply}");
        assert!(
            reply["error"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}: a reason is given"
        );
        assert_eq!(recorded(&id).await, None, "{what}: not recorded");
        untouched(&pool, &c).await;
    }
}

#[tokio::test]
async fn any_matching_v1_is_accepted() {
    let (pool, router) = setup().await;
    let c = customer(&pool).await;
    let (_, body) = sub_event(
        &c,
        "customer.subscription.created",
        now(),
        GROWTH_MONTHLY,
        "active",
    );
    let t = now();
    let stale_secret = sign(b"whsec_rolled_out", t, body.as_bytes());
    let header = format!(
        "t={t},v1={stale_secret},v1={}",
        sign(
            crate::common::STRIPE_WEBHOOK_SECRET.as_bytes(),
            t,
            body.as_bytes()
        )
    );
    let (status, reply) = deliver(&router, &body, Some(header)).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(billing(&pool, c.tenant).await.plan, "growth");
}

#[tokio::test]
async fn a_replayed_event_is_applied_once() {
    let (pool, router) = setup().await;
    let c = customer(&pool).await;
    let t = now();
    let (created_id, created) = sub_event(
        &c,
        "customer.subscription.created",
        t,
        GROWTH_MONTHLY,
        "active",
    );
    assert_eq!(
        deliver_signed(&router, &created).await.1["outcome"],
        "applied"
    );
    let (_, pro) = sub_event(
        &c,
        "customer.subscription.updated",
        t + 5,
        PRO_YEARLY,
        "active",
    );
    assert_eq!(deliver_signed(&router, &pro).await.1["outcome"], "applied");

    // The first event again (freshly signed, as Stripe's retry would be): nothing changes.
    let (status, reply) = deliver_signed(&router, &created).await;
    assert_eq!(
        (status, reply["outcome"].as_str()),
        (StatusCode::OK, Some("duplicate"))
    );
    assert_eq!(recorded(&created_id).await.as_deref(), Some("applied"));
    assert_eq!(billing(&pool, c.tenant).await.plan, "pro");
    assert_eq!(
        audits(&pool, c.tenant, "billing.plan_upgraded").await.len(),
        2
    );
}

#[tokio::test]
async fn the_same_event_delivered_concurrently_is_applied_once() {
    let (pool, router) = setup().await;
    let c = customer(&pool).await;
    let (_, body) = sub_event(
        &c,
        "customer.subscription.created",
        now(),
        GROWTH_MONTHLY,
        "active",
    );
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (router, body) = (router.clone(), body.clone());
            tokio::spawn(async move { deliver_signed(&router, &body).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        let (status, reply) = task.await.expect("task");
        assert_eq!(status, StatusCode::OK, "{reply}");
        outcomes.push(reply["outcome"].as_str().unwrap_or_default().to_string());
    }
    outcomes.sort();
    assert_eq!(
        outcomes,
        [
            "applied",
            "duplicate",
            "duplicate",
            "duplicate",
            "duplicate",
            "duplicate"
        ]
    );
    assert_eq!(
        audits(&pool, c.tenant, "billing.plan_upgraded").await.len(),
        1
    );
    assert_eq!(billing(&pool, c.tenant).await.plan, "growth");
}

#[tokio::test]
async fn an_older_update_arriving_late_is_recorded_but_ignored() {
    let (pool, router) = setup().await;
    let c = customer(&pool).await;
    let t = now();
    let (_, newer) = sub_event(
        &c,
        "customer.subscription.updated",
        t + 20,
        PRO_YEARLY,
        "active",
    );
    let (older_id, older) = sub_event(
        &c,
        "customer.subscription.updated",
        t + 10,
        GROWTH_MONTHLY,
        "active",
    );
    assert_eq!(
        deliver_signed(&router, &newer).await.1["outcome"],
        "applied"
    );
    let (status, reply) = deliver_signed(&router, &older).await;
    assert_eq!(
        (status, reply["outcome"].as_str()),
        (StatusCode::OK, Some("stale"))
    );
    assert_eq!(recorded(&older_id).await.as_deref(), Some("stale"));
    let b = billing(&pool, c.tenant).await;
    assert_eq!(
        (
            b.plan.as_str(),
            b.billing_cycle.as_str(),
            b.stripe_price_id.as_deref()
        ),
        ("pro", "yearly", Some(PRO_YEARLY))
    );
    assert!(audits(&pool, c.tenant, "billing.plan_downgraded")
        .await
        .is_empty());

    // An older invoice event is ignored the same way.
    let failed = invoice_event(&c, "invoice.payment_failed", t + 15);
    assert_eq!(deliver_signed(&router, &failed).await.1["outcome"], "stale");
    assert_eq!(billing(&pool, c.tenant).await.status, "active");
}

#[tokio::test]
async fn an_update_in_the_same_second_as_the_deletion_does_not_revive_it() {
    let (pool, router) = setup().await;
    let c = customer(&pool).await;
    let t = now();
    let (_, created) = sub_event(
        &c,
        "customer.subscription.created",
        t,
        GROWTH_MONTHLY,
        "active",
    );
    assert_eq!(
        deliver_signed(&router, &created).await.1["outcome"],
        "applied"
    );
    let (_, deleted) = sub_event(
        &c,
        "customer.subscription.deleted",
        t + 10,
        GROWTH_MONTHLY,
        "canceled",
    );
    let (late_id, late) = sub_event(
        &c,
        "customer.subscription.updated",
        t + 10,
        GROWTH_MONTHLY,
        "active",
    );
    assert_eq!(
        deliver_signed(&router, &deleted).await.1["outcome"],
        "applied"
    );
    let (status, reply) = deliver_signed(&router, &late).await;
    assert_eq!(
        (status, reply["outcome"].as_str()),
        (StatusCode::OK, Some("stale"))
    );
    assert_eq!(recorded(&late_id).await.as_deref(), Some("stale"));
    // An invoice from that second does not bring it back either.
    let paid = invoice_event(&c, "invoice.payment_succeeded", t + 10);
    assert_eq!(deliver_signed(&router, &paid).await.1["outcome"], "stale");
    let b = billing(&pool, c.tenant).await;
    assert_eq!(
        (b.plan.as_str(), b.status.as_str()),
        ("starter", "cancelled")
    );

    // The other arrival order ends the same way: the deletion wins the tie.
    let c = customer(&pool).await;
    let (_, created) = sub_event(
        &c,
        "customer.subscription.created",
        t,
        GROWTH_MONTHLY,
        "active",
    );
    let (_, update) = sub_event(
        &c,
        "customer.subscription.updated",
        t + 10,
        GROWTH_MONTHLY,
        "active",
    );
    let (_, deleted) = sub_event(
        &c,
        "customer.subscription.deleted",
        t + 10,
        GROWTH_MONTHLY,
        "canceled",
    );
    for (body, outcome) in [
        (&created, "applied"),
        (&update, "applied"),
        (&deleted, "applied"),
    ] {
        assert_eq!(deliver_signed(&router, body).await.1["outcome"], outcome);
    }
    let b = billing(&pool, c.tenant).await;
    assert_eq!(
        (b.plan.as_str(), b.status.as_str()),
        ("starter", "cancelled")
    );

    // A newer event is still applied after a tie.
    let (_, newer) = sub_event(
        &c,
        "customer.subscription.updated",
        t + 11,
        GROWTH_MONTHLY,
        "canceled",
    );
    assert_eq!(
        deliver_signed(&router, &newer).await.1["outcome"],
        "applied"
    );
}

#[tokio::test]
async fn malformed_events_with_a_valid_signature_are_refused_whole() {
    let (pool, router) = setup().await;
    let c = customer(&pool).await;
    let (id, good) = sub_event(
        &c,
        "customer.subscription.created",
        now(),
        GROWTH_MONTHLY,
        "active",
    );
    let mut no_customer: Value = serde_json::from_str(&good).expect("json");
    no_customer["data"]["object"]
        .as_object_mut()
        .expect("object")
        .remove("customer");
    let mut no_price: Value = serde_json::from_str(&good).expect("json");
    no_price["data"]["object"]["items"] = json!({ "data": [] });
    let mut bad_status: Value = serde_json::from_str(&good).expect("json");
    bad_status["data"]["object"]["status"] = json!("sleeping");
    let cases = [
        ("not JSON", "{not json".to_string(), "not JSON"),
        (
            "no created",
            good.replace(r#""created""#, r#""made""#),
            "`created`",
        ),
        (
            "no data.object",
            json!({ "id": id, "type": "customer.subscription.created", "created": now() })
                .to_string(),
            "`data.object`",
        ),
        (
            "no customer",
            no_customer.to_string(),
            "data.object.customer",
        ),
        ("no price", no_price.to_string(), "price.id"),
        (
            "unknown status",
            bad_status.to_string(),
            "data.object.status",
        ),
    ];
    for (what, body, names) in cases {
        let (status, reply) = deliver_signed(&router, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {reply}");
        assert!(
            reply["error"].as_str().is_some_and(|m| m.contains(names)),
            "{what}: {reply}"
        );
        assert_eq!(recorded(&id).await, None, "{what}: not recorded");
        untouched(&pool, &c).await;
    }
    // The intact event still goes through afterwards: nothing was claimed by the refusals.
    assert_eq!(deliver_signed(&router, &good).await.1["outcome"], "applied");
}

#[tokio::test]
async fn unknown_types_are_recorded_without_effect_and_unknown_prices_are_refused() {
    let (pool, router) = setup().await;
    let c = customer(&pool).await;
    let id = crate::common::unique("evt_");
    let body = json!({ "id": id, "type": "customer.created", "created": now(), "data": { "object": { "id": c.customer } } }).to_string();
    let (status, reply) = deliver_signed(&router, &body).await;
    assert_eq!(
        (status, reply["outcome"].as_str()),
        (StatusCode::OK, Some("ignored_type"))
    );
    assert_eq!(recorded(&id).await.as_deref(), Some("ignored_type"));
    untouched(&pool, &c).await;

    // A price no plan knows: refused (Stripe retries once it is configured), nothing recorded.
    let (id, body) = sub_event(
        &c,
        "customer.subscription.created",
        now(),
        "price_nobody_sells",
        "active",
    );
    let (status, reply) = deliver_signed(&router, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert_eq!(recorded(&id).await, None);
    untouched(&pool, &c).await;

    // A customer no tenant is linked to: recorded, nothing applied.
    let stranger = Customer {
        tenant: Uuid::new_v4(),
        customer: crate::common::unique("cus_"),
        subscription: crate::common::unique("sub_"),
    };
    let (id, body) = sub_event(
        &stranger,
        "customer.subscription.created",
        now(),
        GROWTH_MONTHLY,
        "active",
    );
    assert_eq!(
        deliver_signed(&router, &body).await.1["outcome"],
        "no_tenant"
    );
    assert_eq!(recorded(&id).await.as_deref(), Some("no_tenant"));
}

#[tokio::test]
async fn without_a_secret_the_endpoint_is_unavailable() {
    let pool = crate::common::pool().await;
    let c = customer(&pool).await;
    let router = crate::common::build(&server::ServerConfig::for_tests(), pool.clone());
    let (_, body) = sub_event(
        &c,
        "customer.subscription.created",
        now(),
        GROWTH_MONTHLY,
        "active",
    );
    let (status, reply) = deliver_signed(&router, &body).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        reply["error"]
            .as_str()
            .is_some_and(|m| m.contains("STRIPE_WEBHOOK_SECRET")),
        "{reply}"
    );
    untouched(&pool, &c).await;
}

#[tokio::test]
async fn a_failed_payment_and_a_suspension_are_emailed_to_the_owner() {
    use crate::common::smtp::{header, sink};
    let (pool, router) = setup().await;
    let c = customer(&pool).await;
    let to: String = {
        let mut tx = app::db::tenant_tx(&pool, c.tenant).await.expect("tx");
        let e = sqlx::query_scalar("SELECT email FROM users WHERE role = 'owner'")
            .fetch_one(&mut *tx)
            .await
            .expect("owner");
        tx.commit().await.expect("commit");
        e
    };
    let t = now();
    let (_, body) = sub_event(
        &c,
        "customer.subscription.created",
        t,
        GROWTH_MONTHLY,
        "active",
    );
    assert_eq!(deliver_signed(&router, &body).await.0, StatusCode::OK);
    let reg = crate::email::registry(&pool);
    server::jobs::run_due_for(&pool, &reg, c.tenant).await;
    assert!(
        sink().messages_to(&to).is_empty(),
        "no notice for a new subscription"
    );

    let failed = invoice_event(&c, "invoice.payment_failed", t + 10);
    assert_eq!(deliver_signed(&router, &failed).await.0, StatusCode::OK);
    // Stripe's retry failing again is the same streak: one email.
    let again = invoice_event(&c, "invoice.payment_failed", t + 20);
    assert_eq!(deliver_signed(&router, &again).await.0, StatusCode::OK);
    server::jobs::run_due_for(&pool, &reg, c.tenant).await;
    let got = sink().messages_to(&to);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        header(&got[0], "subject"),
        Some("A payment for Billing Co on SitePilot failed")
    );
    assert_eq!(
        header(&got[0], "list-unsubscribe"),
        Some("<http://127.0.0.1:3000/settings>")
    );
    assert!(got[0]["text"]
        .as_str()
        .is_some_and(|t| t.contains("http://127.0.0.1:3000/billing")));

    let (_, unpaid) = sub_event(
        &c,
        "customer.subscription.updated",
        t + 30,
        GROWTH_MONTHLY,
        "unpaid",
    );
    assert_eq!(deliver_signed(&router, &unpaid).await.0, StatusCode::OK);
    server::jobs::run_due_for(&pool, &reg, c.tenant).await;
    let got = sink().messages_to(&to);
    assert_eq!(got.len(), 2);
    assert_eq!(
        header(&got[1], "subject"),
        Some("Billing Co's SitePilot subscription is suspended")
    );
}
