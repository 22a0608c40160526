//! Discount codes (issue 22 part 5), end to end: the team's form refused field by field, a
//! code applied on the visitor's cart (plain form posts) and charged at checkout and in the
//! test-mode payment, total and per-customer limits holding under concurrent checkouts, the
//! scope to products and categories, codes outside their window refused at checkout, and a
//! cancelled unpaid order giving its use back.

use app::error::AppError;
use axum::Router;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;
use crate::shop::{add, cart_cookie, orders, shop, stock, test_mode_router, Shop};

/// Creates a code through the API as the owner; the answer as it came.
async fn create(router: &Router, s: &Shop, promotion: Value) -> Reply {
    let owner = cookie_for(&s.a);
    call_json(
        router,
        "/api/commerce/promotion/create",
        Some(&owner),
        json!({ "website_id": s.a.website_id, "promotion": promotion }),
    )
    .await
}

async fn create_ok(router: &Router, s: &Shop, promotion: Value) -> app::model::PromotionsOverview {
    let r = create(router, s, promotion).await;
    assert!(r.status.is_success(), "{}", r.text());
    r.json()
}

fn percent(code: &str, value: &str) -> Value {
    json!({ "code": code, "name": "Test code", "kind": "percentage", "value": value, "currency": "EUR" })
}

async fn apply(router: &Router, s: &Shop, cookie: &str, code: &str) -> Reply {
    visit(
        router,
        &s.path("/cart"),
        Some(cookie),
        Some(&[("code", code)]),
    )
    .await
}

async fn checkout_as(router: &Router, s: &Shop, cookie: &str, email: &str) -> Reply {
    visit(
        router,
        &s.path("/checkout"),
        Some(cookie),
        Some(&[("email", email)]),
    )
    .await
}

/// A fresh cart of `n` units of `variant` with `code` applied.
async fn cart_with_code(router: &Router, s: &Shop, variant: Uuid, n: &str, code: &str) -> String {
    let cookie = cart_cookie(&add(router, s, None, variant, n).await);
    let r = apply(router, s, &cookie, code).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    cookie
}

/// (times_used, usage rows) of the website's code `code`.
async fn uses(pool: &PgPool, s: &Shop, code: &str) -> (i32, i64) {
    let mut tx = app::db::tenant_tx(pool, s.a.tenant_id).await.expect("tx");
    let row = sqlx::query_as(
        "SELECT p.times_used, (SELECT count(*) FROM website_promotion_usage u WHERE u.promotion_id = p.id)
           FROM website_promotions p WHERE p.website_id = $1 AND p.code = $2",
    )
    .bind(s.a.website_id)
    .bind(code)
    .fetch_one(&mut *tx)
    .await
    .expect("promotion");
    tx.commit().await.expect("commit");
    row
}

/// (subtotal, discount, total, code) of every order, oldest first.
async fn order_money(pool: &PgPool, s: &Shop) -> Vec<(i64, i64, i64, Option<String>)> {
    let mut tx = app::db::tenant_tx(pool, s.a.tenant_id).await.expect("tx");
    let rows = sqlx::query_as(
        "SELECT subtotal_cents, discount_cents, total_cents, promotion_code FROM website_orders
          ORDER BY created_at, id",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("orders");
    tx.commit().await.expect("commit");
    rows
}

fn order_id(page: &str) -> Uuid {
    page.split("/orders/")
        .nth(1)
        .and_then(|t| t.split('?').next())
        .and_then(|t| t.parse().ok())
        .expect("order id")
}

#[tokio::test]
async fn the_team_form_is_refused_field_by_field_and_scope_stays_in_the_website() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let s = shop(&pool, 4).await;
    let other = shop(&pool, 4).await;
    let o = create_ok(&router, &s, percent("save10", "10")).await;
    assert_eq!(o.currencies, ["EUR"]);
    assert_eq!(o.promotions.len(), 1);
    assert_eq!(o.promotions[0].code, "SAVE10");
    let field = |r: Reply| match r.error() {
        AppError::Invalid { field, .. } => (r.status.as_u16(), field),
        e => panic!("{e:?}"),
    };
    assert_eq!(
        field(create(&router, &s, percent("SAVE10", "20")).await),
        (400, "code".into())
    );
    let usd =
        json!({ "code": "USD5", "name": "Five", "kind": "fixed", "value": "5", "currency": "USD" });
    assert_eq!(
        field(create(&router, &s, usd).await),
        (400, "currency".into())
    );
    let mut backwards = percent("LATE", "10");
    backwards["starts_at"] = json!("2030-01-02T10:00");
    backwards["ends_at"] = json!("2030-01-01T10:00");
    assert_eq!(
        field(create(&router, &s, backwards).await),
        (400, "ends_at".into())
    );
    assert_eq!(
        field(create(&router, &s, percent("BIG", "150")).await),
        (400, "value".into())
    );
    assert_eq!(
        field(create(&router, &s, percent("NEG", "-5")).await),
        (400, "value".into())
    );
    // Another website's product cannot be in a code's scope.
    let theirs: Uuid = {
        let mut tx = app::db::tenant_tx(&pool, other.a.tenant_id)
            .await
            .expect("tx");
        sqlx::query_scalar("SELECT product_id FROM website_product_variants WHERE id = $1")
            .bind(other.m)
            .fetch_one(&mut *tx)
            .await
            .expect("product")
    };
    let mut scoped = percent("THEIRS", "10");
    scoped["product_ids"] = json!([theirs]);
    assert_eq!(
        field(create(&router, &s, scoped).await),
        (400, "product_ids".into())
    );

    // Switched off, the code is unknown to visitors; deleted, it is gone from the list.
    let id = o.promotions[0].id;
    let owner = cookie_for(&s.a);
    let r = call_json(
        &router,
        "/api/commerce/promotion/active",
        Some(&owner),
        json!({ "promotion_id": id, "active": false }),
    )
    .await;
    let off: app::model::PromotionsOverview = r.json();
    assert!(!off.promotions[0].is_active);
    let cookie = cart_cookie(&add(&router, &s, None, s.m, "1").await);
    let r = apply(&router, &s, &cookie, "SAVE10").await;
    assert_eq!(r.status.as_u16(), 400);
    assert!(r.text().contains("not valid on this shop"), "{}", r.text());
    let r = call_json(
        &router,
        "/api/commerce/promotion/delete",
        Some(&owner),
        json!({ "promotion_id": id }),
    )
    .await;
    let gone: app::model::PromotionsOverview = r.json();
    assert!(gone.promotions.is_empty());
}

#[tokio::test]
async fn a_code_is_taken_off_the_cart_the_order_and_the_payment() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let s = shop(&pool, 4).await;
    create_ok(&router, &s, percent("SAVE10", "10")).await;

    let cookie = cart_cookie(&add(&router, &s, None, s.m, "2").await);
    let cart = visit(&router, &s.path("/cart"), Some(&cookie), None)
        .await
        .text();
    assert!(
        cart.contains("Discount code") && cart.contains("Apply code"),
        "{cart}"
    );
    // An unknown code is refused and not kept.
    let r = apply(&router, &s, &cookie, "NOPE").await;
    assert_eq!(r.status.as_u16(), 400);
    assert!(r.text().contains("This code is not valid on this shop."));
    // Codes are read case-insensitively.
    let r = apply(&router, &s, &cookie, " save10 ").await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    let cart = visit(&router, &s.path("/cart"), Some(&cookie), None)
        .await
        .text();
    assert!(
        cart.contains("SAVE10") && cart.contains("−€2.50") && cart.contains("€22.50"),
        "{cart}"
    );
    // Taken off and put back.
    let r = visit(
        &router,
        &s.path("/cart"),
        Some(&cookie),
        Some(&[("remove_code", "1")]),
    )
    .await;
    assert_eq!(r.status.as_u16(), 303);
    let cart = visit(&router, &s.path("/cart"), Some(&cookie), None)
        .await
        .text();
    assert!(
        !cart.contains("−€2.50") && cart.contains("Apply code"),
        "{cart}"
    );
    apply(&router, &s, &cookie, "SAVE10").await;

    let r = checkout_as(&router, &s, &cookie, "ann@example.com").await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    let page = r.location.expect("order page");
    assert_eq!(
        order_money(&pool, &s).await,
        vec![(2500, 250, 2250, Some("SAVE10".into()))]
    );
    assert_eq!(uses(&pool, &s, "SAVE10").await, (1, 1));
    let html = visit(&router, &page, None, None).await.text();
    assert!(html.contains("−€2.50") && html.contains("€22.50"), "{html}");

    // A payment of the undiscounted amount does not count; the discounted total does.
    let id = order_id(&page);
    let wrong = server::visitor::test_mode_payment(s.a.tenant_id, id, (2500, "EUR"));
    let r = send_stripe_event(&router, &wrong).await;
    assert!(r.text().contains("amount_mismatch"), "{}", r.text());
    assert_eq!(orders(&pool, &s).await[0].0, "pending");
    let r = visit(&router, &page, None, Some(&[("pay", "1")])).await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    assert_eq!(
        orders(&pool, &s).await,
        vec![("paid".into(), "paid".into(), 2250)]
    );
    // The team sees the discount on the order, and the use on the code.
    let owner = cookie_for(&s.a);
    let list: app::model::OrdersOverview = call_json(
        &router,
        "/api/commerce/orders",
        Some(&owner),
        json!({ "website_id": s.a.website_id }),
    )
    .await
    .json();
    let o = &list.orders[0];
    assert_eq!(
        (o.total_cents, o.discount_cents, o.promotion_code.as_deref()),
        (2250, 250, Some("SAVE10"))
    );
    let codes: app::model::PromotionsOverview = call_json(
        &router,
        "/api/commerce/promotions",
        Some(&owner),
        json!({ "website_id": s.a.website_id }),
    )
    .await
    .json();
    assert_eq!(codes.promotions[0].times_used, 1);
}

#[tokio::test]
async fn a_total_limit_of_three_holds_under_ten_concurrent_checkouts() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let s = shop(&pool, 50).await;
    let mut code = percent("THREE", "20");
    code["usage_limit"] = json!("3");
    create_ok(&router, &s, code).await;
    let mut carts = Vec::new();
    for _ in 0..10 {
        carts.push(cart_with_code(&router, &s, s.m, "1", "THREE").await);
    }
    let results = futures_util::future::join_all(carts.iter().enumerate().map(|(i, c)| {
        let email = format!("buyer{i}@example.com");
        let router = &router;
        let s = &s;
        async move { checkout_as(router, s, c, &email).await }
    }))
    .await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        3,
        "{statuses:?}"
    );
    let refused: Vec<_> = results
        .iter()
        .filter(|r| r.status.as_u16() == 409)
        .collect();
    assert_eq!(refused.len(), 7, "{statuses:?}");
    assert!(
        refused.iter().all(|r| r
            .text()
            .contains("The code THREE cannot be used: This code has been used up.")),
        "{}",
        refused[0].text()
    );
    assert_eq!(uses(&pool, &s, "THREE").await, (3, 3));
    let money = order_money(&pool, &s).await;
    assert_eq!(money.len(), 3);
    assert!(money
        .iter()
        .all(|m| *m == (1250, 250, 1000, Some("THREE".into()))));
    // Refused checkouts took no stock.
    assert_eq!(stock(&pool, &s, s.m).await, 47);
}

#[tokio::test]
async fn a_per_customer_limit_holds_under_concurrency_and_counts_by_email() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let s = shop(&pool, 50).await;
    let mut code = percent("ONCE", "10");
    code["usage_limit_per_customer"] = json!("1");
    create_ok(&router, &s, code).await;
    let mut carts = Vec::new();
    for _ in 0..6 {
        carts.push(cart_with_code(&router, &s, s.m, "1", "ONCE").await);
    }
    // Five checkouts by one customer (email case differs), at once.
    let results = futures_util::future::join_all(carts[..5].iter().enumerate().map(|(i, c)| {
        let email = if i % 2 == 0 {
            "Same@Example.com"
        } else {
            "same@example.com"
        };
        checkout_as(&router, &s, c, email)
    }))
    .await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    let refused = results
        .iter()
        .find(|r| r.status.as_u16() == 409)
        .expect("refused");
    assert!(
        refused
            .text()
            .contains("already used with this email address"),
        "{}",
        refused.text()
    );
    // Another customer may still use it.
    let r = checkout_as(&router, &s, &carts[5], "other@example.com").await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    assert_eq!(uses(&pool, &s, "ONCE").await, (2, 2));
}

/// A second active product of the shop (the fixture's price, 10 in stock), and its variant.
async fn second_product(pool: &PgPool, s: &Shop) -> (Uuid, Uuid) {
    let product = crate::permissions::fixtures::fresh_product(pool, &s.a).await;
    let mut tx = app::db::tenant_tx(pool, s.a.tenant_id).await.expect("tx");
    let variant = sqlx::query_scalar(
        "SELECT id FROM website_product_variants WHERE product_id = $1 ORDER BY position LIMIT 1",
    )
    .bind(product)
    .fetch_one(&mut *tx)
    .await
    .expect("variant");
    sqlx::query("UPDATE website_products SET status = 'active' WHERE id = $1")
        .bind(product)
        .execute(&mut *tx)
        .await
        .expect("active");
    sqlx::query("UPDATE website_product_variants SET stock = 10 WHERE id = $1")
        .bind(variant)
        .execute(&mut *tx)
        .await
        .expect("stock");
    tx.commit().await.expect("commit");
    (product, variant)
}

#[tokio::test]
async fn only_lines_in_scope_are_discounted_and_a_total_never_goes_below_zero() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let s = shop(&pool, 10).await;
    let (mug2, mug2_variant) = second_product(&pool, &s).await;
    let price: i64 = {
        let mut tx = app::db::tenant_tx(&pool, s.a.tenant_id).await.expect("tx");
        sqlx::query_scalar("SELECT price_cents FROM website_product_variants WHERE id = $1")
            .bind(mug2_variant)
            .fetch_one(&mut *tx)
            .await
            .expect("price")
    };
    // A category holding only the second product.
    let category: Uuid = {
        let mut tx = app::db::tenant_tx(&pool, s.a.tenant_id).await.expect("tx");
        let c = sqlx::query_scalar(
            "INSERT INTO website_categories (tenant_id, website_id, name, slug)
             VALUES ($1, $2, 'Sale', 'sale') RETURNING id",
        )
        .bind(s.a.tenant_id)
        .bind(s.a.website_id)
        .fetch_one(&mut *tx)
        .await
        .expect("category");
        sqlx::query(
            "INSERT INTO website_product_categories (tenant_id, product_id, category_id)
             VALUES ($1, $2, $3)",
        )
        .bind(s.a.tenant_id)
        .bind(mug2)
        .bind(c)
        .execute(&mut *tx)
        .await
        .expect("link");
        tx.commit().await.expect("commit");
        c
    };
    // €1000 off the second product only: that line goes to zero, the mug keeps its price.
    let huge = json!({ "code": "HUGE", "name": "Huge", "kind": "fixed", "value": "1000",
                       "currency": "EUR", "product_ids": [mug2] });
    create_ok(&router, &s, huge).await;
    let half = json!({ "code": "HALFSALE", "name": "Half", "kind": "percentage", "value": "50",
                       "currency": "EUR", "category_ids": [category] });
    create_ok(&router, &s, half).await;

    // Only the blue mug in the cart: nothing in scope, said on the cart and refused at checkout.
    let cookie = cart_with_code(&router, &s, s.m, "1", "HUGE").await;
    let cart = visit(&router, &s.path("/cart"), Some(&cookie), None)
        .await
        .text();
    assert!(
        cart.contains("does not apply to the products in your cart"),
        "{cart}"
    );
    let r = checkout_as(&router, &s, &cookie, "ann@example.com").await;
    assert_eq!(r.status.as_u16(), 409);
    assert!(r.text().contains("Remove it to check out"), "{}", r.text());
    assert!(order_money(&pool, &s).await.is_empty());

    let r = add(&router, &s, Some(&cookie), mug2_variant, "1").await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    let r = checkout_as(&router, &s, &cookie, "ann@example.com").await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    assert_eq!(
        order_money(&pool, &s).await,
        vec![(1250 + price, price, 1250, Some("HUGE".into()))]
    );
    let items: Vec<(i64, i64, i64)> = {
        let mut tx = app::db::tenant_tx(&pool, s.a.tenant_id).await.expect("tx");
        sqlx::query_as(
            "SELECT subtotal_cents, discount_cents, total_cents FROM website_order_items
              ORDER BY discount_cents",
        )
        .fetch_all(&mut *tx)
        .await
        .expect("items")
    };
    assert_eq!(items, vec![(1250, 0, 1250), (price, price, 0)]);

    // The category code halves only the second product's line.
    let cookie = cart_with_code(&router, &s, s.m, "2", "HALFSALE").await;
    add(&router, &s, Some(&cookie), mug2_variant, "1").await;
    let cart = visit(&router, &s.path("/cart"), Some(&cookie), None)
        .await
        .text();
    let off = app::model::format_money((price + 1) / 2, "EUR");
    assert!(cart.contains(&format!("−{off}")), "{off}: {cart}");
    let r = checkout_as(&router, &s, &cookie, "bob@example.com").await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    let last = order_money(&pool, &s).await.pop().expect("order");
    assert_eq!(last.1, (price + 1) / 2);
    assert_eq!(last.2, 2500 + price - (price + 1) / 2);
}

#[tokio::test]
async fn a_code_outside_its_window_is_said_on_the_cart_and_refused_at_checkout() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let s = shop(&pool, 10).await;
    let mut ended = percent("ENDED", "10");
    ended["starts_at"] = json!("2020-01-01T00:00");
    ended["ends_at"] = json!("2020-01-31T23:59");
    create_ok(&router, &s, ended).await;
    let mut later = percent("LATER", "10");
    later["starts_at"] = json!("2099-06-01T09:30:00Z");
    create_ok(&router, &s, later).await;
    let mut min = percent("MIN50", "10");
    min["minimum_order"] = json!("50");
    create_ok(&router, &s, min).await;

    for (code, reason) in [
        ("ENDED", "This code has expired."),
        ("LATER", "This code is valid from 2099-06-01 09:30 UTC."),
        ("MIN50", "This code needs an order of at least €50.00."),
    ] {
        let cookie = cart_with_code(&router, &s, s.m, "1", code).await;
        let cart = visit(&router, &s.path("/cart"), Some(&cookie), None)
            .await
            .text();
        assert!(
            cart.contains(reason) && cart.contains("Remove code"),
            "{code}: {cart}"
        );
        let r = checkout_as(&router, &s, &cookie, "ann@example.com").await;
        assert_eq!(r.status.as_u16(), 409, "{code}");
        assert!(
            r.text()
                .contains(&format!("The code {code} cannot be used: {reason}")),
            "{code}: {}",
            r.text()
        );
    }
    assert!(order_money(&pool, &s).await.is_empty());
    assert_eq!(stock(&pool, &s, s.m).await, 10);
}

#[tokio::test]
async fn a_cancelled_unpaid_order_gives_its_use_back() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let s = shop(&pool, 10).await;
    let mut code = percent("SOLO", "10");
    code["usage_limit"] = json!("1");
    create_ok(&router, &s, code).await;
    let first = cart_with_code(&router, &s, s.m, "1", "SOLO").await;
    let second = cart_with_code(&router, &s, s.m, "1", "SOLO").await;
    let r = checkout_as(&router, &s, &first, "ann@example.com").await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    let first_page = r.location.expect("order");
    assert_eq!(uses(&pool, &s, "SOLO").await, (1, 1));
    let r = checkout_as(&router, &s, &second, "bob@example.com").await;
    assert_eq!(r.status.as_u16(), 409);
    assert!(r.text().contains("used up"), "{}", r.text());

    // The reservation ends unpaid: the stock and the use come back in the same release.
    let now = chrono::Utc::now();
    let t = Some(s.a.tenant_id);
    assert_eq!(
        server::shop::sweep(&pool, now + chrono::Duration::minutes(31), t).await,
        (1, 0)
    );
    assert_eq!(uses(&pool, &s, "SOLO").await, (0, 0));
    // The cancelled order keeps its record of the code.
    assert_eq!(
        order_money(&pool, &s).await,
        vec![(1250, 125, 1125, Some("SOLO".into()))]
    );
    let r = checkout_as(&router, &s, &second, "bob@example.com").await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    assert_eq!(uses(&pool, &s, "SOLO").await, (1, 1));

    // The visitor's own cancel gives it back too; a late payment of the first order changes
    // nothing about the count.
    let page = r.location.expect("order");
    let r = visit(&router, &page, None, Some(&[("cancel", "1")])).await;
    assert_eq!(r.status.as_u16(), 303);
    assert_eq!(uses(&pool, &s, "SOLO").await, (0, 0));
    let late =
        server::visitor::test_mode_payment(s.a.tenant_id, order_id(&first_page), (1125, "EUR"));
    let r = send_stripe_event(&router, &late).await;
    assert!(r.text().contains("paid_after_release"), "{}", r.text());
    assert_eq!(uses(&pool, &s, "SOLO").await, (0, 0));
}

#[tokio::test]
async fn an_edited_code_applies_its_new_terms_and_keeps_its_uses() {
    let pool = pool().await;
    let router = test_mode_router(pool.clone());
    let s = shop(&pool, 10).await;
    let owner = cookie_for(&s.a);
    let mut code = percent("SPRING", "10");
    code["usage_limit"] = json!("3");
    code["starts_at"] = json!("2026-01-01T09:30");
    let o = create_ok(&router, &s, code).await;
    let id = o.promotions[0].id;
    for email in ["ann@example.com", "bob@example.com"] {
        let cart = cart_with_code(&router, &s, s.m, "1", "SPRING").await;
        let r = checkout_as(&router, &s, &cart, email).await;
        assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    }

    // The edit form reads back what was saved.
    let read = || {
        let router = router.clone();
        let owner = owner.clone();
        async move {
            let r = call_json(
                &router,
                "/api/commerce/promotion",
                Some(&owner),
                json!({ "promotion_id": id }),
            )
            .await;
            assert!(r.status.is_success(), "{}", r.text());
            r.json::<Value>()
        }
    };
    let mut form = read().await;
    assert_eq!(form["value"], "10");
    assert_eq!(form["usage_limit"], "3");
    assert_eq!(form["starts_at"], "2026-01-01T09:30");

    // A total below the two uses so far is refused, naming the field; nothing changes.
    let update = |form: Value| {
        let router = router.clone();
        let owner = owner.clone();
        async move {
            call_json(
                &router,
                "/api/commerce/promotion/update",
                Some(&owner),
                json!({ "promotion_id": id, "promotion": form }),
            )
            .await
        }
    };
    form["value"] = json!("12.5");
    form["usage_limit"] = json!("1");
    let r = update(form.clone()).await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text());
    match r.json::<AppError>() {
        AppError::Invalid { field, .. } => assert_eq!(field, "usage_limit"),
        e => panic!("{e:?}"),
    }
    assert_eq!(read().await["value"], "10", "nothing saved");
    form["usage_limit"] = json!("3");
    let r = update(form.clone()).await;
    assert!(r.status.is_success(), "{}", r.text());
    let o: app::model::PromotionsOverview = r.json();
    assert_eq!(o.promotions[0].times_used, 2, "uses stay");
    // The start stayed where it was (an edit does not restart the window).
    let again = read().await;
    assert_eq!(again["starts_at"], "2026-01-01T09:30");
    assert_eq!(again["value"], "12.5");

    // The new terms apply at the next checkout: 12.5 % of €12.50 is €1.56.
    let third = cart_with_code(&router, &s, s.m, "1", "SPRING").await;
    let r = checkout_as(&router, &s, &third, "cy@example.com").await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    let discounts: Vec<i64> = order_money(&pool, &s).await.iter().map(|m| m.1).collect();
    assert_eq!(discounts, vec![125, 125, 156]);
    assert_eq!(uses(&pool, &s, "SPRING").await, (3, 3));
}
