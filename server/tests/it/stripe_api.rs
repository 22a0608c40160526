//! The real Stripe API path: Checkout and the customer portal, with one
//! Stripe customer per tenant. This machine has no network, so each test runs a small HTTP
//! server on 127.0.0.1 standing in for api.stripe.com: it records every request (path,
//! headers, form fields) and answers with Stripe-shaped JSON; `STRIPE_API_BASE` points at it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
use app::error::AppError;
use app::model::BillingOverview;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Form, Json, Router};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

pub(crate) const SECRET_KEY: &str = "sk_test_sitepilot_standin";

#[derive(Clone, Debug)]
pub(crate) struct Seen {
    path: String,
    authorization: String,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) form: Vec<(String, String)>,
}

impl Seen {
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Default)]
pub(crate) struct StandIn {
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Answer every request with this status and body instead.
    fail: Arc<Mutex<Option<(u16, Value)>>>,
    /// What `GET /v1/invoices` lists (`data` of Stripe's list object).
    invoices: Arc<Mutex<Vec<Value>>>,
    /// (`charges_enabled`, `details_submitted`) that `GET /v1/accounts/{id}` answers.
    account: Arc<Mutex<(bool, bool)>>,
}

impl StandIn {
    pub(crate) fn seen(&self, path: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .expect("lock")
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }

    fn count(&self) -> usize {
        self.seen.lock().expect("lock").len()
    }

    pub(crate) fn list_invoices(&self, invoices: Vec<Value>) {
        *self.invoices.lock().expect("lock") = invoices;
    }

    pub(crate) fn account_state(&self, charges_enabled: bool, details_submitted: bool) {
        *self.account.lock().expect("lock") = (charges_enabled, details_submitted);
    }

    pub(crate) fn fail_with(&self, status: u16, body: Value) {
        *self.fail.lock().expect("lock") = Some((status, body));
    }
}

async fn stripe_post(
    State(s): State<StandIn>,
    Path(rest): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> impl IntoResponse {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let path = format!("/v1/{rest}");
    let n = {
        let mut seen = s.seen.lock().expect("lock");
        seen.push(Seen {
            path: path.clone(),
            authorization: header("authorization").unwrap_or_default(),
            idempotency_key: header("idempotency-key"),
            form,
        });
        seen.len()
    };
    if let Some((status, body)) = s.fail.lock().expect("lock").clone() {
        return (StatusCode::from_u16(status).expect("status"), Json(body));
    }
    let body = match path.as_str() {
        "/v1/customers" => {
            // Slow, as a real API call is: a second caller that did not wait would create a second customer.
            tokio::time::sleep(Duration::from_millis(150)).await;
            json!({ "id": format!("cus_Standin{n}{}", &Uuid::new_v4().simple().to_string()[..8]), "object": "customer" })
        }
        "/v1/accounts" => {
            json!({ "id": format!("acct_Standin{n}{}", &Uuid::new_v4().simple().to_string()[..8]), "object": "account", "type": "express", "charges_enabled": false, "details_submitted": false })
        }
        "/v1/account_links" => {
            json!({ "object": "account_link", "url": format!("https://connect.stripe.com/setup/e/{}/standin{n}", form_field(&s, n, "account")) })
        }
        "/v1/checkout/sessions"
            if form_field(&s, n, "mode") == "payment"
                && form_field(&s, n, "metadata[sitepilot_kind]") == "shop_order" =>
        {
            // A shop order's session: ids are unique per order (the column is unique).
            let id = format!(
                "cs_test_standin{n}{}",
                &Uuid::new_v4().simple().to_string()[..8]
            );
            json!({ "id": id, "object": "checkout.session", "url": format!("https://checkout.stripe.com/c/pay/{id}") })
        }
        "/v1/checkout/sessions" => {
            json!({ "id": "cs_test_standin", "object": "checkout.session", "url": "https://checkout.stripe.com/c/pay/cs_test_standin" })
        }
        p if p.starts_with("/v1/subscriptions/") => {
            json!({ "id": p.trim_start_matches("/v1/subscriptions/"), "object": "subscription" })
        }
        "/v1/refunds" => {
            json!({ "id": format!("re_Standin{n}"), "object": "refund", "status": "succeeded" })
        }
        "/v1/billing_portal/sessions" => {
            json!({ "id": "bps_standin", "object": "billing_portal.session", "url": "https://billing.stripe.com/p/session/test_standin" })
        }
        _ => {
            return (
                StatusCode::NOT_FOUND,
                Json(
                    json!({ "error": { "type": "invalid_request_error", "message": "Unrecognized request URL." } }),
                ),
            )
        }
    };
    (StatusCode::OK, Json(body))
}

/// Field `name` of the `n`th request seen (1-based).
fn form_field(s: &StandIn, n: usize, name: &str) -> String {
    s.seen.lock().expect("lock")[n - 1]
        .field(name)
        .unwrap_or_default()
        .to_string()
}

/// Stripe's list endpoints and the connected account; only the invoice list is needed (the billing page's history).
async fn stripe_get(
    State(s): State<StandIn>,
    Path(rest): Path<String>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> impl IntoResponse {
    let path = format!("/v1/{rest}");
    s.seen.lock().expect("lock").push(Seen {
        path: path.clone(),
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        idempotency_key: None,
        form: query,
    });
    if let Some((status, body)) = s.fail.lock().expect("lock").clone() {
        return (StatusCode::from_u16(status).expect("status"), Json(body));
    }
    if let Some(id) = path.strip_prefix("/v1/accounts/") {
        let (charges, details) = *s.account.lock().expect("lock");
        return (
            StatusCode::OK,
            Json(
                json!({ "id": id, "object": "account", "charges_enabled": charges, "details_submitted": details }),
            ),
        );
    }
    if path != "/v1/invoices" {
        return (
            StatusCode::NOT_FOUND,
            Json(
                json!({ "error": { "type": "invalid_request_error", "message": "Unrecognized request URL." } }),
            ),
        );
    }
    let data = s.invoices.lock().expect("lock").clone();
    (
        StatusCode::OK,
        Json(json!({ "object": "list", "url": "/v1/invoices", "has_more": false, "data": data })),
    )
}

/// Starts the stand-in on a free port; returns it and its base URL.
pub(crate) async fn stand_in() -> (StandIn, String) {
    let s = StandIn::default();
    let app = Router::new()
        .route("/v1/{*rest}", post(stripe_post).get(stripe_get))
        .with_state(s.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("stand-in") });
    (s, format!("http://{addr}"))
}

/// The app router as `main` builds it with STRIPE_SECRET_KEY and STRIPE_API_BASE set.
pub(crate) fn stripe_router(pool: PgPool, base: &str) -> Router {
    let config = server::ServerConfig {
        stripe_secret_key: Some(SECRET_KEY.into()),
        stripe_api_base: base.into(),
        ..config()
    };
    build(&config, pool)
}

async fn checkout(router: &Router, cookie: &str, plan: &str, cycle: &str) -> Reply {
    call_json(
        router,
        "/api/billing/checkout",
        Some(cookie),
        json!({ "plan": plan, "cycle": cycle }),
    )
    .await
}

async fn portal(router: &Router, cookie: &str) -> Reply {
    call_form(router, "/api/billing/portal", Some(cookie), &[]).await
}

/// (tenants.stripe_customer_id, subscriptions.stripe_customer_id)
async fn customers(pool: &PgPool, tenant: Uuid) -> (Option<String>, String) {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_as("SELECT t.stripe_customer_id, s.stripe_customer_id FROM tenants t JOIN subscriptions s ON s.tenant_id = t.id WHERE t.id = $1")
        .bind(tenant)
        .fetch_one(&mut *tx)
        .await
        .expect("customer")
}

async fn owner_email(pool: &PgPool, tenant: Uuid) -> String {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_scalar("SELECT email FROM users WHERE role = 'owner'")
        .fetch_one(&mut *tx)
        .await
        .expect("owner")
}

async fn price(pool: &PgPool, slug: &str, column: &str) -> String {
    sqlx::query_scalar(&format!("SELECT {column} FROM plans WHERE slug = $1"))
        .bind(slug)
        .fetch_one(pool)
        .await
        .expect("price")
}

#[tokio::test]
async fn checkout_sends_stripe_the_exact_request_and_returns_its_url() {
    let pool = pool().await;
    let (stripe, base) = stand_in().await;
    let router = stripe_router(pool.clone(), &base);
    let a = account(&pool, "Stripe Checkout Co").await;
    let tenant = a.tenant_id.to_string();

    let r = checkout(&router, &cookie_for(&a), "growth", "yearly").await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.text());
    assert_eq!(
        r.json::<String>(),
        "https://checkout.stripe.com/c/pay/cs_test_standin"
    );

    // First the tenant's customer: the organisation, its owner's email, our tenant id.
    let made = stripe.seen("/v1/customers");
    assert_eq!(made.len(), 1);
    let c = &made[0];
    assert_eq!(c.authorization, format!("Bearer {SECRET_KEY}"));
    assert_eq!(
        c.idempotency_key.as_deref(),
        Some(format!("sitepilot-customer-{tenant}").as_str())
    );
    let mut fields = c.form.clone();
    fields.sort();
    let email = owner_email(&pool, a.tenant_id).await;
    let expected = [
        ("email", email.as_str()),
        ("metadata[tenant_id]", tenant.as_str()),
        ("name", "Stripe Checkout Co"),
    ];
    assert_eq!(
        fields,
        expected.map(|(k, v)| (k.to_string(), v.to_string()))
    );
    let (tenant_customer, sub_customer) = customers(&pool, a.tenant_id).await;
    let customer = tenant_customer.expect("customer stored on the tenant");
    assert!(customer.starts_with("cus_Standin"), "{customer}");
    assert_eq!(
        sub_customer, customer,
        "the subscription row mirrors the customer"
    );

    // Then the Checkout session, for that customer and the plan's yearly price.
    let sessions = stripe.seen("/v1/checkout/sessions");
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!(s.authorization, format!("Bearer {SECRET_KEY}"));
    assert!(s
        .idempotency_key
        .as_deref()
        .is_some_and(|k| k.starts_with("sitepilot-checkout-")));
    let mut fields = s.form.clone();
    fields.sort();
    let yearly = price(&pool, "growth", "stripe_yearly_price_id").await;
    let mut expected: Vec<(String, String)> = [
        (
            "cancel_url",
            "http://127.0.0.1:3000/billing?checkout=cancelled".to_string(),
        ),
        ("client_reference_id", tenant.clone()),
        ("customer", customer.clone()),
        ("line_items[0][price]", yearly),
        ("line_items[0][quantity]", "1".into()),
        ("metadata[tenant_id]", tenant.clone()),
        ("mode", "subscription".into()),
        ("subscription_data[metadata][tenant_id]", tenant.clone()),
        (
            "success_url",
            "http://127.0.0.1:3000/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}"
                .into(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    expected.sort();
    assert_eq!(fields, expected);

    // A second checkout reuses the customer; the plan does not change until Stripe's webhook.
    let r = checkout(&router, &cookie_for(&a), "pro", "monthly").await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(stripe.seen("/v1/customers").len(), 1);
    let last = stripe.seen("/v1/checkout/sessions").pop().expect("session");
    assert_eq!(last.field("customer"), Some(customer.as_str()));
    assert_eq!(
        last.field("line_items[0][price]"),
        Some(
            price(&pool, "pro", "stripe_monthly_price_id")
                .await
                .as_str()
        )
    );
    let o: BillingOverview =
        call_form(&router, "/api/billing/overview", Some(&cookie_for(&a)), &[])
            .await
            .json();
    assert_eq!(
        (o.plan_slug.as_str(), o.stripe_enabled, o.test_mode),
        ("starter", true, false)
    );
}

#[tokio::test]
async fn two_concurrent_checkouts_create_one_customer() {
    let pool = pool().await;
    let (stripe, base) = stand_in().await;
    let router = stripe_router(pool.clone(), &base);
    let a = account(&pool, "Stripe Race").await;
    let c = cookie_for(&a);
    let (r1, r2) = tokio::join!(
        checkout(&router, &c, "growth", "monthly"),
        checkout(&router, &c, "growth", "monthly")
    );
    assert!(
        r1.status.is_success() && r2.status.is_success(),
        "{} / {}",
        r1.text(),
        r2.text()
    );
    assert_eq!(
        stripe.seen("/v1/customers").len(),
        1,
        "the second call waited for the first one's customer"
    );
    let sessions = stripe.seen("/v1/checkout/sessions");
    assert_eq!(sessions.len(), 2);
    let stored = customers(&pool, a.tenant_id).await.0.expect("customer");
    assert!(sessions
        .iter()
        .all(|s| s.field("customer") == Some(stored.as_str())));
}

#[tokio::test]
async fn sign_up_creates_the_stripe_customer_once() {
    let pool = pool().await;
    let (stripe, base) = stand_in().await;
    let router = stripe_router(pool.clone(), &base);
    let email = format!("{}@example.com", unique("stripe-signup-"));
    let form = [
        ("full_name", "Sam Signup"),
        ("org_name", "Signup Bakery"),
        ("email", email.as_str()),
        ("password", "correct-horse-7"),
    ];
    let r = call_form(&router, "/api/signup", None, &form).await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}: {}",
        r.status,
        r.text()
    );
    let tenant = app::db::system::login_lookup(&pool, &email)
        .await
        .expect("lookup")
        .expect("account")
        .tenant_id;
    let made = stripe.seen("/v1/customers");
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].field("email"), Some(email.as_str()));
    assert_eq!(made[0].field("name"), Some("Signup Bakery"));
    assert_eq!(
        made[0].field("metadata[tenant_id]"),
        Some(tenant.to_string().as_str())
    );
    let stored = customers(&pool, tenant).await;
    assert!(
        stored
            .0
            .as_deref()
            .is_some_and(|c| c.starts_with("cus_Standin")),
        "{stored:?}"
    );

    // Checkout later uses it; no second customer.
    let cookie = r
        .set_cookie
        .iter()
        .find_map(|c| c.split(';').next().filter(|p| p.starts_with("sp_session=")))
        .expect("session cookie");
    let r = checkout(&router, cookie, "growth", "monthly").await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(stripe.seen("/v1/customers").len(), 1);
    assert_eq!(
        stripe.seen("/v1/checkout/sessions")[0].field("customer"),
        stored.0.as_deref()
    );
}

#[tokio::test]
async fn a_stripe_error_is_clear_and_stores_nothing() {
    let pool = pool().await;
    let (stripe, base) = stand_in().await;
    let router = stripe_router(pool.clone(), &base);
    let a = account(&pool, "Stripe Refused").await;
    let before = customers(&pool, a.tenant_id).await;
    stripe.fail_with(400, json!({ "error": { "type": "invalid_request_error", "code": "email_invalid", "param": "email",
        "message": "Invalid email address: owner@example" } }));
    let err = checkout(&router, &cookie_for(&a), "growth", "monthly")
        .await
        .error();
    assert_eq!(err, AppError::invalid("stripe", "Stripe refused the request: Invalid email address: owner@example. Nothing was changed."));
    assert_eq!(
        customers(&pool, a.tenant_id).await,
        before,
        "no customer id stored"
    );
    assert_eq!(before.0, None);
    assert!(
        stripe.seen("/v1/checkout/sessions").is_empty(),
        "no session without a customer"
    );

    // A refused key and an outage are told apart; the key itself never shows.
    stripe.fail_with(401, json!({ "error": { "type": "invalid_request_error", "message": "Invalid API Key provided: sk_test_****ndin" } }));
    let err = portal(&router, &cookie_for(&a)).await.error();
    assert!(
        matches!(&err, AppError::Invalid { field, message } if field == "stripe" && message.contains("STRIPE_SECRET_KEY") && !message.contains("sk_")),
        "{err:?}"
    );
    stripe.fail_with(
        503,
        json!({ "error": { "type": "api_error", "message": "Stripe is down." } }),
    );
    let err = checkout(&router, &cookie_for(&a), "growth", "monthly")
        .await
        .error();
    assert!(
        matches!(&err, AppError::Invalid { message, .. } if message.starts_with("Stripe is not available right now")),
        "{err:?}"
    );
    assert_eq!(customers(&pool, a.tenant_id).await, before);

    // Nothing listening at all.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let dead = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let err = checkout(
        &stripe_router(pool.clone(), &dead),
        &cookie_for(&a),
        "growth",
        "monthly",
    )
    .await
    .error();
    assert!(
        matches!(&err, AppError::Invalid { message, .. } if message.contains("could not be reached")),
        "{err:?}"
    );
    assert_eq!(customers(&pool, a.tenant_id).await, before);
}

#[tokio::test]
async fn portal_opens_for_the_tenants_customer() {
    let pool = pool().await;
    let (stripe, base) = stand_in().await;
    let router = stripe_router(pool.clone(), &base);
    let a = account(&pool, "Stripe Portal").await;
    let r = portal(&router, &cookie_for(&a)).await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(
        r.json::<String>(),
        "https://billing.stripe.com/p/session/test_standin"
    );
    let customer = customers(&pool, a.tenant_id)
        .await
        .0
        .expect("customer created on first use");
    let p = stripe
        .seen("/v1/billing_portal/sessions")
        .pop()
        .expect("portal session");
    assert_eq!(p.authorization, format!("Bearer {SECRET_KEY}"));
    let mut fields = p.form.clone();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("customer".to_string(), customer),
            (
                "return_url".to_string(),
                "http://127.0.0.1:3000/billing".to_string()
            )
        ]
    );
}

#[tokio::test]
async fn bad_choices_are_field_errors_before_any_call() {
    let pool = pool().await;
    let (stripe, base) = stand_in().await;
    let router = stripe_router(pool.clone(), &base);
    let a = account(&pool, "Stripe Bad Input").await;
    let c = cookie_for(&a);
    assert_eq!(
        checkout(&router, &c, "platinum", "monthly")
            .await
            .error()
            .field(),
        Some("plan")
    );
    assert_eq!(
        checkout(&router, &c, "growth", "weekly")
            .await
            .error()
            .field(),
        Some("cycle")
    );
    let free = checkout(&router, &c, "starter", "monthly").await.error();
    assert!(
        matches!(&free, AppError::Invalid { field, message } if field == "plan" && message.contains("free plan")),
        "{free:?}"
    );
    assert_eq!(stripe.count(), 0, "nothing reached Stripe");

    // With a live paid subscription (as Stripe's webhook records it), Checkout would bill twice:
    // the same plan is refused, another one is sent to the portal.
    let r = portal(&router, &c).await;
    assert!(r.status.is_success());
    let customer = customers(&pool, a.tenant_id).await.0.expect("customer");
    let growth = price(&pool, "growth", "stripe_monthly_price_id").await;
    subscription_created(&router, &customer, a.tenant_id, &growth).await;
    let same = checkout(&router, &c, "growth", "monthly").await.error();
    assert_eq!(
        same,
        AppError::invalid("plan", "You are already on this plan and billing cycle.")
    );
    let other = checkout(&router, &c, "pro", "monthly").await.error();
    assert!(
        matches!(&other, AppError::Invalid { field, message } if field == "plan" && message.contains("customer portal")),
        "{other:?}"
    );
    assert!(stripe.seen("/v1/checkout/sessions").is_empty());
}

/// Stripe's signed `customer.subscription.created` for `customer` on `price`.
async fn subscription_created(router: &Router, customer: &str, tenant: Uuid, price: &str) {
    let t = chrono::Utc::now().timestamp();
    let object = json!({ "id": format!("sub_{}", Uuid::new_v4().simple()), "object": "subscription", "customer": customer,
        "status": "active", "items": { "object": "list", "data": [{ "price": { "id": price } }] },
        "current_period_start": t, "current_period_end": t + 30 * 86400, "cancel_at_period_end": false,
        "metadata": { "tenant_id": tenant.to_string() } });
    let event = json!({ "id": format!("evt_{}", Uuid::new_v4().simple()), "type": "customer.subscription.created", "created": t,
        "data": { "object": object } });
    let r = send_stripe_event(router, &event).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn only_the_owner_may_and_each_tenant_acts_on_itself() {
    let pool = pool().await;
    let (stripe, base) = stand_in().await;
    let router = stripe_router(pool.clone(), &base);
    let a = account(&pool, "Stripe Roles").await;
    for role in ["admin", "editor", "developer", "viewer"] {
        let c = member_cookie(&pool, &a, role).await;
        for r in [
            checkout(&router, &c, "growth", "monthly").await,
            portal(&router, &c).await,
        ] {
            assert!(
                matches!(r.error(), AppError::Forbidden(m) if m.contains("Only the account owner")),
                "{role}"
            );
        }
    }
    assert_eq!(
        checkout(&router, "sp_session=nobody", "growth", "monthly")
            .await
            .error(),
        AppError::Unauthorized
    );
    assert_eq!(stripe.count(), 0, "refused before any Stripe call");

    // Another tenant's owner only ever reaches its own customer.
    let r = portal(&router, &cookie_for(&a)).await;
    assert!(r.status.is_success());
    let mine = customers(&pool, a.tenant_id).await;
    let b = account(&pool, "Stripe Other").await;
    assert!(checkout(&router, &cookie_for(&b), "growth", "monthly")
        .await
        .status
        .is_success());
    let made = stripe.seen("/v1/customers");
    assert_eq!(made.len(), 2);
    assert_eq!(
        made[1].field("metadata[tenant_id]"),
        Some(b.tenant_id.to_string().as_str())
    );
    let theirs = customers(&pool, b.tenant_id).await.0.expect("b's customer");
    assert_ne!(Some(theirs.clone()), mine.0);
    assert_eq!(
        stripe.seen("/v1/checkout/sessions")[0].field("customer"),
        Some(theirs.as_str())
    );
    assert_eq!(
        customers(&pool, a.tenant_id).await,
        mine,
        "a's customer untouched"
    );
}

#[tokio::test]
async fn without_keys_checkout_and_portal_are_refused() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "No Stripe Keys").await;
    for r in [
        checkout(&router, &cookie_for(&a), "growth", "monthly").await,
        portal(&router, &cookie_for(&a)).await,
    ] {
        assert!(
            matches!(r.error(), AppError::Forbidden(m) if m.contains("STRIPE_SECRET_KEY is not set"))
        );
    }
    assert_eq!(customers(&pool, a.tenant_id).await.0, None);
}
