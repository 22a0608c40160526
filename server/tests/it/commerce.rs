//! The shop's catalogue (issue 22): products with variants through the server functions, the
//! field-naming validation, plan gating (commerce on Growth and Pro, `max_products`, also
//! under concurrency), search and status filters, bulk status and variant edits. Roles and
//! isolation are in the permission matrix and the tenancy test.

use app::error::AppError;
use app::model::{ProductDetail, ProductStatus, ProductsOverview};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::*;
use crate::permissions::fixtures::product_json;

async fn overview(
    router: &axum::Router,
    cookie: &str,
    website: Uuid,
    query: Value,
) -> ProductsOverview {
    let r = call_json(
        router,
        "/api/commerce/products",
        Some(cookie),
        json!({ "website_id": website, "query": query }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    r.json()
}

async fn create(router: &axum::Router, cookie: &str, website: Uuid, product: Value) -> Reply {
    call_json(
        router,
        "/api/commerce/product/create",
        Some(cookie),
        json!({ "website_id": website, "product": product }),
    )
    .await
}

async fn product_count(pool: &sqlx::PgPool, tenant: Uuid) -> (i64, i64) {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    let p: i64 = sqlx::query_scalar("SELECT count(*) FROM website_products")
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    let v: i64 = sqlx::query_scalar("SELECT count(*) FROM website_product_variants")
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    (p, v)
}

#[tokio::test]
async fn a_growth_owner_creates_a_product_with_two_variants_and_finds_it_by_search_and_status() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Mug Shop").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let owner = cookie_for(&a);
    let editor = member_cookie(&pool, &a, "editor").await;

    let r = create(
        &router,
        &editor,
        a.website_id,
        product_json("Blue Mug", true),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let detail: ProductDetail = r.json();
    assert_eq!(detail.product.title, "Blue Mug");
    assert_eq!(detail.product.option_names, vec!["Size".to_string()]);
    let v = &detail.product.variants;
    assert_eq!(v.len(), 2);
    assert_eq!(
        (v[0].price.as_str(), v[1].price.as_str()),
        ("12.50", "14.00")
    );
    assert_eq!(v[1].compare_at_price, "16.00");
    assert!(v.iter().all(|v| v.id.is_some()));

    let r = create(
        &router,
        &owner,
        a.website_id,
        product_json("Red Teapot", false),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());

    let all = overview(&router, &owner, a.website_id, json!({})).await;
    assert_eq!(all.plan_refusal, None);
    assert!(all.can_edit);
    assert_eq!((all.products_used, all.products_max), (2, 100));
    assert_eq!(all.products.len(), 2);
    let mug = all
        .products
        .iter()
        .find(|p| p.title == "Blue Mug")
        .expect("mug");
    assert_eq!((mug.price_min_cents, mug.price_max_cents), (1250, 1400));
    assert_eq!(mug.price_label(), "€12.50 – €14.00");
    assert_eq!((mug.variants, mug.stock), (2, Some(6)));
    assert_eq!(mug.status, ProductStatus::Active);

    let found = overview(&router, &owner, a.website_id, json!({ "search": "blue" })).await;
    assert_eq!(found.products.len(), 1);
    assert_eq!(found.products[0].title, "Blue Mug");
    // A SKU finds its product; wildcards are literal.
    let sku = detail.product.variants[1].sku.clone();
    let by_sku = overview(&router, &owner, a.website_id, json!({ "search": sku })).await;
    assert_eq!(by_sku.products.len(), 1);
    let none = overview(&router, &owner, a.website_id, json!({ "search": "%" })).await;
    assert!(none.products.is_empty());
    let drafts = overview(&router, &owner, a.website_id, json!({ "status": "draft" })).await;
    assert_eq!(drafts.products.len(), 1);
    assert_eq!(drafts.products[0].title, "Red Teapot");

    // A viewer reads the list but may not change it.
    let viewer = member_cookie(&pool, &a, "viewer").await;
    let seen = overview(&router, &viewer, a.website_id, json!({})).await;
    assert!(!seen.can_edit);
    assert_eq!(seen.products.len(), 2);
}

#[tokio::test]
async fn bad_products_are_refused_with_the_field_and_nothing_is_saved() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Strict Shop").await;
    set_plan(&pool, a.tenant_id, PRO).await;
    let owner = cookie_for(&a);
    let first = product_json("Taken", true);
    let r = create(&router, &owner, a.website_id, first.clone()).await;
    assert!(r.status.is_success(), "{}", r.text());
    let before = product_count(&pool, a.tenant_id).await;

    let with = |f: &dyn Fn(&mut Value)| {
        let mut p = product_json("Another", true);
        f(&mut p);
        p
    };
    let cases: Vec<(&str, Value)> = vec![
        ("title", with(&|p| p["title"] = json!(" "))),
        ("slug", with(&|p| p["slug"] = json!("Not A Slug"))),
        ("slug", with(&|p| p["slug"] = first["slug"].clone())),
        (
            "variants.0.price",
            with(&|p| p["variants"][0]["price"] = json!("-1.00")),
        ),
        (
            "variants.1.price",
            with(&|p| p["variants"][1]["price"] = json!("1.234")),
        ),
        (
            "variants.0.stock",
            with(&|p| p["variants"][0]["stock"] = json!("-2")),
        ),
        (
            "variants.1.sku",
            with(&|p| p["variants"][1]["sku"] = first["variants"][0]["sku"].clone()),
        ),
        (
            "variants.1.options",
            with(&|p| p["variants"][1]["option_values"] = json!(["m"])),
        ),
        ("variants", with(&|p| p["variants"] = json!([]))),
        ("currency", with(&|p| p["currency"] = json!("BTC"))),
    ];
    for (field, body) in cases {
        let r = create(&router, &owner, a.website_id, body.clone()).await;
        assert_eq!(r.status.as_u16(), 400, "{field}: {}", r.text());
        let e = r.error();
        assert_eq!(e.field(), Some(field), "{body}: {e}");
        assert!(!e.to_string().is_empty());
    }
    assert_eq!(product_count(&pool, a.tenant_id).await, before);
}

#[tokio::test]
async fn the_free_plan_gets_the_upgrade_message_and_a_402() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Free Stall").await;
    let owner = cookie_for(&a);
    let o = overview(&router, &owner, a.website_id, json!({})).await;
    let refusal = o.plan_refusal.expect("refused on the free plan");
    assert!(
        matches!(&refusal, AppError::LimitReached { limit, upgrade_to: Some(plan), .. }
            if limit == "commerce_enabled" && plan == "Growth"),
        "{refusal:?}"
    );
    assert!(refusal.to_string().contains("Growth"), "{refusal}");
    let r = create(
        &router,
        &owner,
        a.website_id,
        product_json("Free mug", false),
    )
    .await;
    assert_eq!(r.status.as_u16(), 402, "{}", r.text());
    assert!(matches!(r.error(), AppError::LimitReached { .. }));
    assert_eq!(product_count(&pool, a.tenant_id).await, (0, 0));
}

#[tokio::test]
async fn the_product_limit_holds_under_concurrent_creates() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Busy Shop").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let owner = cookie_for(&a);
    // 97 products already (Growth allows 100), written directly.
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    sqlx::query(
        "INSERT INTO website_products (tenant_id, website_id, title, slug)
         SELECT $1, $2, 'P' || n, 'p-' || n FROM generate_series(1, 97) n",
    )
    .bind(a.tenant_id)
    .bind(a.website_id)
    .execute(&mut *tx)
    .await
    .expect("products");
    tx.commit().await.expect("commit");

    let calls = (0..6).map(|i| {
        let router = router.clone();
        let owner = owner.clone();
        async move {
            create(
                &router,
                &owner,
                a.website_id,
                product_json(&format!("Rush {i}"), false),
            )
            .await
        }
    });
    let replies = futures_util::future::join_all(calls).await;
    let ok = replies.iter().filter(|r| r.status.is_success()).count();
    let limited: Vec<_> = replies
        .iter()
        .filter(|r| r.status.as_u16() == 402)
        .map(|r| r.error())
        .collect();
    assert_eq!(
        ok,
        3,
        "{:?}",
        replies.iter().map(Reply::text).collect::<Vec<_>>()
    );
    assert_eq!(limited.len(), 3);
    assert!(limited.iter().all(
        |e| matches!(e, AppError::LimitReached { limit, upgrade_to: Some(p), .. }
        if limit == "max_products" && p == "Pro")
    ));
    assert_eq!(product_count(&pool, a.tenant_id).await.0, 100);
}

#[tokio::test]
async fn editing_keeps_listed_variants_removes_the_others_and_lets_skus_move() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Edit Shop").await;
    set_plan(&pool, a.tenant_id, PRO).await;
    let owner = cookie_for(&a);
    let mut form = product_json("Shirt", true);
    form["option_names"] = json!(["Size"]);
    form["variants"]
        .as_array_mut()
        .expect("variants")
        .push(json!({ "option_values": ["S"], "sku": unique("SKU-"), "price": "10", "stock": "0", "track_inventory": false }));
    let detail: ProductDetail = {
        let r = create(&router, &owner, a.website_id, form).await;
        assert!(r.status.is_success(), "{}", r.text());
        r.json()
    };
    let mut edit = serde_json::to_value(&detail.product).expect("json");
    let variants = edit["variants"].as_array_mut().expect("variants");
    // Swap the SKUs of the first two, drop the third, add a new one.
    let (s0, s1) = (variants[0]["sku"].clone(), variants[1]["sku"].clone());
    variants[0]["sku"] = s1;
    variants[1]["sku"] = s0;
    variants[1]["price"] = json!("15.5");
    variants.pop();
    variants.push(
        json!({ "option_values": ["XL"], "price": "18", "stock": "7", "track_inventory": true }),
    );
    edit["title"] = json!("Cotton Shirt");
    let r = call_json(
        &router,
        "/api/commerce/product/update",
        Some(&owner),
        json!({ "product_id": detail.id, "product": edit }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let after: ProductDetail = r.json();
    assert_eq!(after.product.title, "Cotton Shirt");
    let v = &after.product.variants;
    assert_eq!(v.len(), 3);
    assert_eq!(v[0].id, detail.product.variants[0].id);
    assert_eq!(v[0].sku, detail.product.variants[1].sku);
    assert_eq!(v[1].price, "15.50");
    assert_eq!(v[2].option_values, vec!["XL".to_string()]);
    assert!(!v.iter().any(|x| x.id == detail.product.variants[2].id));

    // A variant id of another product is refused whole.
    let other: ProductDetail = create(&router, &owner, a.website_id, product_json("Other", false))
        .await
        .json();
    let mut bad = serde_json::to_value(&after.product).expect("json");
    bad["variants"][0]["id"] = json!(other.product.variants[0].id);
    let r = call_json(
        &router,
        "/api/commerce/product/update",
        Some(&owner),
        json!({ "product_id": after.id, "product": bad }),
    )
    .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text());
    let unchanged: ProductDetail = call_json(
        &router,
        "/api/commerce/product",
        Some(&owner),
        json!({ "product_id": after.id }),
    )
    .await
    .json();
    assert_eq!(unchanged, after);

    // Bulk status, then delete.
    let r = call_json(
        &router,
        "/api/commerce/products/status",
        Some(&owner),
        json!({ "website_id": a.website_id, "product_ids": [after.id, other.id], "status": "archived" }),
    )
    .await;
    assert_eq!(r.json::<u64>(), 2);
    let archived = overview(
        &router,
        &owner,
        a.website_id,
        json!({ "status": "archived" }),
    )
    .await;
    assert_eq!(archived.products.len(), 2);
    let r = call_json(
        &router,
        "/api/commerce/product/delete",
        Some(&owner),
        json!({ "product_id": other.id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(product_count(&pool, a.tenant_id).await, (1, 3));
}

#[tokio::test]
async fn the_database_refuses_negative_money_and_stock_and_totals_that_do_not_add_up() {
    let pool = pool().await;
    let a = account(&pool, "Check Shop").await;
    let product = crate::permissions::fixtures::fresh_product(&pool, &a).await;
    for sql in [
        "UPDATE website_product_variants SET price_cents = -1 WHERE product_id = $3",
        "UPDATE website_product_variants SET stock = -1 WHERE product_id = $3",
        "UPDATE website_product_variants SET compare_at_price_cents = -5 WHERE product_id = $3",
        "INSERT INTO website_orders (tenant_id, website_id, order_number, customer_email, currency, subtotal_cents, discount_cents, total_cents)
         VALUES ($1, $2, 'x1', 'a@b.c', 'EUR', 1000, 1200, -200)",
        "INSERT INTO website_orders (tenant_id, website_id, order_number, customer_email, currency, subtotal_cents, total_cents)
         VALUES ($1, $2, 'x2', 'a@b.c', 'EUR', 1000, 900)",
        "INSERT INTO website_promotions (tenant_id, website_id, code, name, discount_type, discount_value)
         VALUES ($1, $2, 'TOOMUCH', 'x', 'percentage', 10001)",
    ] {
        let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
        let e = sqlx::query(sql)
            .bind(a.tenant_id)
            .bind(a.website_id)
            .bind(product)
            .execute(&mut *tx)
            .await
            .expect_err(sql);
        let code = e.as_database_error().and_then(|d| d.code()).unwrap_or_default().to_string();
        assert_eq!(code, "23514", "{sql}: {e}");
    }
}

#[tokio::test]
async fn a_visitor_reads_an_active_product_with_its_live_price_stock_and_json_ld() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Visible Shop").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let owner = cookie_for(&a);
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    app::db::publish::publish(&mut tx, a.tenant_id, a.user_id, a.website_id)
        .await
        .expect("publish");
    tx.commit().await.expect("commit");
    let mut form = product_json("Stoneware <Mug>", true);
    form["slug"] = json!("stoneware-mug");
    form["description"] = json!("Hand-thrown, **dishwasher** safe.");
    form["images"] = json!(["/starter/gallery-1.svg"]);
    let detail: ProductDetail = {
        let r = create(&router, &owner, a.website_id, form).await;
        assert!(r.status.is_success(), "{}", r.text());
        r.json()
    };
    let path = format!("/sites/{}/products/stoneware-mug", a.subdomain);
    let page = get(&router, "127.0.0.1", &path).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.text());
    let html = page.text();
    assert!(html.contains("<h1>Stoneware &lt;Mug"), "{html}");
    assert!(html.contains("<strong>dishwasher"), "{html}");
    assert!(html.contains("€12.50") && html.contains("€14.00") && html.contains("€16.00"));
    assert!(html.contains("Only 4 left") && html.contains("Only 2 left"));
    // The JSON-LD Product with one offer per variant (escaped inside the script element).
    let start = html
        .find(r#"<script type="application/ld+json">"#)
        .expect("json-ld")
        + 35;
    let end = start + html[start..].find("</script>").expect("end");
    let ld: Value = serde_json::from_str(&html[start..end]).expect("json");
    assert_eq!(ld["@type"], "Product");
    assert_eq!(ld["name"], "Stoneware <Mug>");
    assert_eq!(ld["offers"][0]["price"], "12.50");
    assert_eq!(ld["offers"][0]["priceCurrency"], "EUR");
    assert_eq!(
        ld["offers"][1]["availability"],
        "https://schema.org/InStock"
    );
    assert!(
        !html[start..end].contains('<'),
        "the script text is escaped"
    );

    // The shop's index lists it with its price, linking to its page.
    let index = get(
        &router,
        "127.0.0.1",
        &format!("/sites/{}/products", a.subdomain),
    )
    .await;
    assert_eq!(index.status.as_u16(), 200, "{}", index.text());
    let list = index.text();
    assert!(list.contains("Stoneware &lt;Mug"), "{list}");
    assert!(list.contains("From €12.50"), "{list}");
    assert!(
        list.contains(&format!(
            r#"href="/sites/{}/products/stoneware-mug""#,
            a.subdomain
        )),
        "{list}"
    );

    // Price and stock are live: a change shows at once, without a publish.
    let mut edit = serde_json::to_value(&detail.product).expect("json");
    edit["variants"][0]["price"] = json!("11");
    edit["variants"][1]["stock"] = json!("0");
    let r = call_json(
        &router,
        "/api/commerce/product/update",
        Some(&owner),
        json!({ "product_id": detail.id, "product": edit }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let html = get(&router, "127.0.0.1", &path).await.text();
    assert!(
        html.contains("€11.00") && !html.contains("€12.50"),
        "{html}"
    );
    assert!(html.contains("Sold out"), "{html}");
    assert!(html.contains("https://schema.org/OutOfStock"));

    // Drafts, unknown slugs and shops whose plan no longer sells are not found.
    let r = call_json(
        &router,
        "/api/commerce/products/status",
        Some(&owner),
        json!({ "website_id": a.website_id, "product_ids": [detail.id], "status": "draft" }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(get(&router, "127.0.0.1", &path).await.status.as_u16(), 404);
    let r = call_json(
        &router,
        "/api/commerce/products/status",
        Some(&owner),
        json!({ "website_id": a.website_id, "product_ids": [detail.id], "status": "active" }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(get(&router, "127.0.0.1", &path).await.status.as_u16(), 200);
    let missing = format!("/sites/{}/products/no-such-thing", a.subdomain);
    assert_eq!(
        get(&router, "127.0.0.1", &missing).await.status.as_u16(),
        404
    );
    set_plan(&pool, a.tenant_id, STARTER).await;
    assert_eq!(get(&router, "127.0.0.1", &path).await.status.as_u16(), 404);

    // Another tenant's website never shows it.
    let b = account(&pool, "Other Shop").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let mut tx = app::db::tenant_tx(&pool, b.tenant_id).await.expect("tx");
    app::db::publish::publish(&mut tx, b.tenant_id, b.user_id, b.website_id)
        .await
        .expect("publish");
    tx.commit().await.expect("commit");
    let other = format!("/sites/{}/products/stoneware-mug", b.subdomain);
    assert_eq!(get(&router, "127.0.0.1", &other).await.status.as_u16(), 404);
}
