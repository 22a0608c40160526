//! The shop's cart and checkout (issue 22 parts 3 and 4) on the visitor path: plain form posts
//! with the signed cart cookie, stock reserved at checkout so 20 concurrent checkouts of 5
//! units sell exactly 5, payment through the local test mode's signed Stripe event (applied
//! once), the release of unpaid reservations with a controllable clock, and forged cookies and
//! order links refused.

use app::db::accounts::NewAccount;
use app::model::ProductInput;
use axum::Router;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;
use crate::permissions::fixtures::product_json;

/// The router with local billing test mode on (no STRIPE_SECRET_KEY), as `main` builds it.
pub(crate) fn test_mode_router(pool: PgPool) -> Router {
    build(
        &server::ServerConfig {
            billing_test_mode: true,
            ..config()
        },
        pool,
    )
}

pub(crate) struct Shop {
    pub a: NewAccount,
    /// The two variants: M (stock 4, €12.50) and L (stock 2, €14.00).
    pub m: Uuid,
    pub l: Uuid,
}

/// A Growth account with its site published and one active product with two variants.
pub(crate) async fn shop(pool: &PgPool, stock_m: i32) -> Shop {
    let a = account(pool, "Cart Shop").await;
    set_plan(pool, a.tenant_id, GROWTH).await;
    let mut form = product_json("Blue Mug", true);
    form["variants"][0]["stock"] = json!(stock_m.to_string());
    let input: ProductInput = serde_json::from_value(form).expect("input");
    let valid = app::model::parse_product(&input).expect("valid");
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let product = app::db::commerce::create(&mut tx, a.tenant_id, a.user_id, a.website_id, &valid)
        .await
        .expect("product");
    app::db::publish::publish(&mut tx, a.tenant_id, a.user_id, a.website_id)
        .await
        .expect("publish");
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM website_product_variants WHERE product_id = $1 ORDER BY position",
    )
    .bind(product)
    .fetch_all(&mut *tx)
    .await
    .expect("variants");
    tx.commit().await.expect("commit");
    Shop {
        a,
        m: ids[0],
        l: ids[1],
    }
}

impl Shop {
    pub(crate) fn path(&self, p: &str) -> String {
        format!("/sites/{}{p}", self.a.subdomain)
    }
}

/// The `name=value` of the cart cookie a reply sets.
pub(crate) fn cart_cookie(r: &Reply) -> String {
    r.set_cookie
        .iter()
        .find(|c| c.starts_with("sp_cart_"))
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("no cart cookie in {:?}", r.set_cookie))
        .to_string()
}

pub(crate) async fn add(
    router: &Router,
    s: &Shop,
    cookie: Option<&str>,
    variant: Uuid,
    n: &str,
) -> Reply {
    let v = variant.to_string();
    visit(
        router,
        &s.path("/cart"),
        cookie,
        Some(&[("variant_id", v.as_str()), ("quantity", n)]),
    )
    .await
}

pub(crate) async fn stock(pool: &PgPool, s: &Shop, variant: Uuid) -> i32 {
    let mut tx = app::db::tenant_tx(pool, s.a.tenant_id).await.expect("tx");
    let n = sqlx::query_scalar("SELECT stock FROM website_product_variants WHERE id = $1")
        .bind(variant)
        .fetch_one(&mut *tx)
        .await
        .expect("stock");
    tx.commit().await.expect("commit");
    n
}

pub(crate) async fn orders(pool: &PgPool, s: &Shop) -> Vec<(String, String, i64)> {
    let mut tx = app::db::tenant_tx(pool, s.a.tenant_id).await.expect("tx");
    let rows = sqlx::query_as(
        "SELECT status, payment_status, total_cents FROM website_orders ORDER BY created_at",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("orders");
    tx.commit().await.expect("commit");
    rows
}

async fn history(pool: &PgPool, s: &Shop) -> Vec<(String, Option<String>)> {
    let mut tx = app::db::tenant_tx(pool, s.a.tenant_id).await.expect("tx");
    let rows = sqlx::query_as(
        "SELECT status, notes FROM website_order_status_history ORDER BY created_at, id",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("history");
    tx.commit().await.expect("commit");
    rows
}

/// Delivers `event` to `/webhooks/stripe`, signed as Stripe signs.
/// (event, total, number of lines) of the website's queued webhook deliveries, oldest first.
async fn order_events(pool: &PgPool, s: &Shop) -> Vec<(String, i64, usize)> {
    let mut tx = app::db::tenant_tx(pool, s.a.tenant_id).await.expect("tx");
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT event, payload FROM website_webhook_deliveries WHERE website_id = $1 ORDER BY created_at, event",
    )
    .bind(s.a.website_id)
    .fetch_all(&mut *tx)
    .await
    .expect("deliveries");
    rows.into_iter()
        .map(|(event, payload)| {
            let v: serde_json::Value = serde_json::from_str(&payload).expect("payload");
            let data = &v["data"];
            (
                event,
                data["total_cents"].as_i64().unwrap_or(-1),
                data["items"].as_array().map_or(0, Vec::len),
            )
        })
        .collect()
}

async fn owner_address(pool: &PgPool, s: &Shop) -> String {
    let mut tx = app::db::tenant_tx(pool, s.a.tenant_id).await.expect("tx");
    sqlx::query_scalar("SELECT email FROM users WHERE role = 'owner'")
        .fetch_one(&mut *tx)
        .await
        .expect("owner")
}

/// Checks out the cart of `cookie`; the order page's address on success.
async fn checkout(router: &Router, s: &Shop, cookie: &str) -> Reply {
    visit(
        router,
        &s.path("/checkout"),
        Some(cookie),
        Some(&[("email", "ann@example.com")]),
    )
    .await
}

#[tokio::test]
async fn a_visitor_adds_to_cart_checks_out_and_pays_in_test_mode_once() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let s = shop(&pool, 4).await;

    // The product page offers "Add to cart" as a plain form.
    let page = visit(&router, &s.path("/products"), None, None).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.text());
    let slug = page
        .text()
        .split("/products/")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .expect("product link")
        .to_string();
    let product = visit(&router, &s.path(&format!("/products/{slug}")), None, None).await;
    let html = product.text();
    assert!(
        html.contains(&format!(r#"action="/sites/{}/cart""#, s.a.subdomain)),
        "{html}"
    );
    assert!(html.contains(&format!(r#"value="{}""#, s.m)), "{html}");

    let r = add(&router, &s, None, s.m, "2").await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    assert_eq!(r.location.as_deref(), Some(s.path("/cart").as_str()));
    let cookie = cart_cookie(&r);
    assert!(r.set_cookie[0].contains("HttpOnly") && r.set_cookie[0].contains("SameSite=Lax"));
    // A second add of the same variant raises its quantity in the same cart.
    let r = add(&router, &s, Some(&cookie), s.m, "1").await;
    assert_eq!(cart_cookie(&r), cookie);
    let cart = visit(&router, &s.path("/cart"), Some(&cookie), None).await;
    let html = cart.text();
    assert_eq!(cart.status.as_u16(), 200);
    assert!(
        html.contains("Blue Mug (M)") && html.contains("€37.50"),
        "{html}"
    );
    // Bad quantities are refused with the reason, and change nothing.
    let r = add(&router, &s, Some(&cookie), s.m, "1000").await;
    assert_eq!(r.status.as_u16(), 400);
    assert!(
        r.text().contains("Choose a quantity from 1 to 99"),
        "{}",
        r.text()
    );
    let r = visit(
        &router,
        &s.path("/checkout"),
        Some(&cookie),
        Some(&[("email", "not an email")]),
    )
    .await;
    assert_eq!(r.status.as_u16(), 400);
    assert!(r.text().contains("Enter the email address"), "{}", r.text());
    assert!(orders(&pool, &s).await.is_empty());

    // An endpoint for the order events (nothing listens there; only the queued deliveries count).
    let mut tx = app::db::tenant_tx(&pool, s.a.tenant_id).await.expect("tx");
    app::db::webhooks::add(
        &mut tx,
        s.a.tenant_id,
        s.a.user_id,
        s.a.website_id,
        "https://hooks.example.com/orders",
        &["order.created".to_string(), "order.paid".to_string()],
    )
    .await
    .expect("webhook");
    tx.commit().await.expect("commit");

    // Checkout holds the stock at once and sends the visitor to the order's payment page.
    let r = checkout(&router, &s, &cookie).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    let order_page = r.location.expect("order page");
    assert!(order_page.starts_with(&s.path("/orders/")), "{order_page}");
    assert_eq!(stock(&pool, &s, s.m).await, 1);
    assert_eq!(
        orders(&pool, &s).await,
        vec![("pending".into(), "pending".into(), 3750)]
    );
    let pay = visit(&router, &order_page, None, None).await;
    assert!(pay.text().contains("Pay (test mode)"), "{}", pay.text());
    // The cart was checked out: a second checkout finds nothing to buy.
    let again = checkout(&router, &s, &cookie).await;
    assert_eq!(again.status.as_u16(), 409, "{}", again.text());

    // Paying sends a signed checkout.session.completed through the real webhook route.
    let r = visit(&router, &order_page, None, Some(&[("pay", "1")])).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    let done = visit(&router, &order_page, None, None).await;
    assert!(done.text().contains("is paid"), "{}", done.text());
    assert_eq!(
        orders(&pool, &s).await,
        vec![("paid".into(), "paid".into(), 3750)]
    );
    // Stripe's retry of that very event, and a fresh event for the same order, change nothing.
    let order_id: Uuid = order_page
        .split("/orders/")
        .nth(1)
        .and_then(|t| t.split('?').next())
        .and_then(|t| t.parse().ok())
        .expect("order id");
    let event = server::visitor::test_mode_payment(s.a.tenant_id, order_id, (3750, "EUR"));
    for _ in 0..2 {
        let r = send_stripe_event(&router, &event).await;
        assert_eq!(r.status.as_u16(), 200, "{}", r.text());
    }
    let paid_rows = history(&pool, &s)
        .await
        .into_iter()
        .filter(|(st, _)| st == "paid")
        .count();
    assert_eq!(paid_rows, 1);
    assert_eq!(stock(&pool, &s, s.m).await, 1);

    // One order.created and one order.paid delivery, each with the order's lines.
    assert_eq!(
        order_events(&pool, &s).await,
        vec![
            ("order.created".into(), 3750, 1),
            ("order.paid".into(), 3750, 1)
        ]
    );
    // The payment queued the emails once: the customer's confirmation and the owner's notice.
    use crate::common::smtp::{header, sink};
    let reg = crate::email::registry(&pool);
    assert!(server::jobs::run_due_for(&pool, &reg, s.a.tenant_id).await >= 3);
    let to_customer: Vec<_> = sink()
        .messages_to("ann@example.com")
        .into_iter()
        .filter(|m| header(m, "subject").is_some_and(|t| t.starts_with("Your order 1001 from ")))
        .collect();
    assert_eq!(to_customer.len(), 1);
    let text = to_customer[0]["text"].as_str().expect("text");
    assert!(
        text.contains("3 × Blue Mug (M): €37.50") && text.contains("Total: €37.50"),
        "{text}"
    );
    let owner_email = owner_address(&pool, &s).await;
    let to_owner = sink().messages_to(&owner_email);
    assert_eq!(to_owner.len(), 1);
    assert!(header(&to_owner[0], "subject").is_some_and(|t| t.starts_with("New order 1001 on ")));
    let text = to_owner[0]["text"].as_str().expect("text");
    assert!(
        text.contains("ann@example.com paid order 1001")
            && text.contains(&format!("/websites/{}/orders", s.a.website_id)),
        "{text}"
    );

    // The team sees it paid and moves it along one step at a time; a skipped step is refused.
    let owner = cookie_for(&s.a);
    let list: app::model::OrdersOverview = call_json(
        &router,
        "/api/commerce/orders",
        Some(&owner),
        json!({ "website_id": s.a.website_id }),
    )
    .await
    .json();
    assert_eq!(list.orders.len(), 1);
    let o = &list.orders[0];
    assert_eq!(
        (o.status.as_str(), o.items, o.total_cents),
        ("paid", 3, 3750)
    );
    assert_eq!(o.customer_email, "ann@example.com");
    let steps: Vec<&str> = o.history.iter().map(|e| e.status.as_str()).collect();
    assert_eq!(steps, ["pending", "paid"]);
    let status = |to: &'static str| {
        call_json(
            &router,
            "/api/commerce/order/status",
            Some(&owner),
            json!({ "order_id": order_id, "status": to }),
        )
    };
    let r = status("delivered").await;
    assert_eq!(r.status.as_u16(), 400);
    assert!(
        r.text().contains("is paid; it cannot become delivered"),
        "{}",
        r.text()
    );
    let r = status("fulfilled").await;
    assert!(r.status.is_success(), "{}", r.text());
    let after: app::model::OrdersOverview = r.json();
    assert_eq!(after.orders[0].status, "fulfilled");
    assert_eq!(after.orders[0].history.len(), 3);
}

#[tokio::test]
async fn twenty_concurrent_checkouts_of_five_units_sell_exactly_five() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let s = shop(&pool, 5).await;
    let mut carts = Vec::new();
    for _ in 0..20 {
        carts.push(cart_cookie(&add(&router, &s, None, s.m, "1").await));
    }
    let results =
        futures_util::future::join_all(carts.iter().map(|c| checkout(&router, &s, c))).await;
    let sold = results.iter().filter(|r| r.status.as_u16() == 303).count();
    let refused: Vec<_> = results
        .iter()
        .filter(|r| r.status.as_u16() == 409)
        .collect();
    assert_eq!(
        sold,
        5,
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(refused.len(), 15);
    assert!(
        refused.iter().all(|r| r.text().contains("just sold out")),
        "{}",
        refused[0].text()
    );
    assert_eq!(stock(&pool, &s, s.m).await, 0);
    assert_eq!(orders(&pool, &s).await.len(), 5);
}

#[tokio::test]
async fn an_unpaid_reservation_gives_its_stock_back_and_a_late_payment_is_flagged() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let s = shop(&pool, 4).await;
    let cookie = cart_cookie(&add(&router, &s, None, s.l, "2").await);
    let order_page = checkout(&router, &s, &cookie)
        .await
        .location
        .expect("order");
    assert_eq!(stock(&pool, &s, s.l).await, 0);

    // Before the reservation ends nothing is released; after, the stock comes back once.
    let now = chrono::Utc::now();
    let t = Some(s.a.tenant_id);
    assert_eq!(
        server::shop::sweep(&pool, now + chrono::Duration::minutes(29), t).await,
        (0, 0)
    );
    assert_eq!(
        server::shop::sweep(&pool, now + chrono::Duration::minutes(31), t).await,
        (1, 0)
    );
    assert_eq!(
        server::shop::sweep(&pool, now + chrono::Duration::minutes(32), t).await,
        (0, 0)
    );
    assert_eq!(stock(&pool, &s, s.l).await, 2);
    assert_eq!(orders(&pool, &s).await[0].0, "cancelled");
    let page = visit(&router, &order_page, None, None).await.text();
    assert!(
        page.contains("cancelled") && !page.contains("Pay (test mode)"),
        "{page}"
    );
    // The cart is open again, so the visitor can try once more.
    let cart = visit(&router, &s.path("/cart"), Some(&cookie), None)
        .await
        .text();
    assert!(cart.contains("Blue Mug (L)"), "{cart}");

    // A payment that arrives after the release is kept on the order for the team.
    let order_id: Uuid = order_page
        .split("/orders/")
        .nth(1)
        .and_then(|t| t.split('?').next())
        .and_then(|t| t.parse().ok())
        .expect("order id");
    let r = send_stripe_event(
        &router,
        &server::visitor::test_mode_payment(s.a.tenant_id, order_id, (2800, "EUR")),
    )
    .await;
    assert_eq!(r.status.as_u16(), 200);
    assert!(r.text().contains("paid_after_release"), "{}", r.text());
    assert_eq!(
        orders(&pool, &s).await,
        vec![("cancelled".into(), "paid".into(), 2800)]
    );
    assert!(history(&pool, &s).await.iter().any(|(_, n)| n
        .as_deref()
        .is_some_and(|n| n.contains("refund it or fulfil it"))));
    assert_eq!(stock(&pool, &s, s.l).await, 2);

    // Cancelling a pending order gives its stock back at once.
    let order_page = checkout(&router, &s, &cookie)
        .await
        .location
        .expect("order");
    assert_eq!(stock(&pool, &s, s.l).await, 0);
    let r = visit(&router, &order_page, None, Some(&[("cancel", "1")])).await;
    assert_eq!(r.status.as_u16(), 303);
    assert_eq!(stock(&pool, &s, s.l).await, 2);
}

#[tokio::test]
async fn forged_cart_cookies_and_order_links_are_refused() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let s = shop(&pool, 4).await;
    let other = shop(&pool, 4).await;
    let cookie = cart_cookie(&add(&router, &s, None, s.m, "1").await);
    let (name, value) = cookie.split_once('=').expect("cookie");
    let (cart, tag) = value.split_once('.').expect("value");

    // Another cart id under this tag, a changed tag, and the cookie on another website.
    let forged = [
        format!("{name}={}.{tag}", Uuid::new_v4().simple()),
        format!("{name}={cart}.{}", "0".repeat(64)),
        format!("{name}={cart}"),
    ];
    for c in &forged {
        let page = visit(&router, &s.path("/cart"), Some(c), None).await.text();
        assert!(page.contains("Your cart is empty"), "{c}: {page}");
        let r = checkout(&router, &s, c).await;
        assert_eq!(r.status.as_u16(), 400, "{c}: {}", r.text());
    }
    let moved = format!("sp_cart_{}={value}", other.a.website_id.simple());
    let page = visit(&router, &other.path("/cart"), Some(&moved), None)
        .await
        .text();
    assert!(page.contains("Your cart is empty"), "{page}");
    // A variant of another website cannot be added here.
    let r = add(&router, &s, Some(&cookie), other.m, "1").await;
    assert_eq!(r.status.as_u16(), 400);
    assert!(
        r.text().contains("not for sale on this website"),
        "{}",
        r.text()
    );

    // Order pages need their token, and only on their own website.
    let order_page = checkout(&router, &s, &cookie)
        .await
        .location
        .expect("order");
    let bare = order_page.split('?').next().expect("path").to_string();
    assert_eq!(visit(&router, &bare, None, None).await.status.as_u16(), 404);
    let wrong = format!("{bare}?t={}", "ab".repeat(32));
    assert_eq!(
        visit(&router, &wrong, None, None).await.status.as_u16(),
        404
    );
    let elsewhere = order_page.replace(&s.a.subdomain, &other.a.subdomain);
    assert_eq!(
        visit(&router, &elsewhere, None, None).await.status.as_u16(),
        404
    );
    let r = visit(&router, &wrong, None, Some(&[("pay", "1")])).await;
    assert_eq!(r.status.as_u16(), 404);
    assert_eq!(orders(&pool, &s).await[0].1, "pending");
}
