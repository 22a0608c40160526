//! The storefront blocks on the visitor path: every kind renders the live catalogue, a price or
//! stock change is never served stale (on the instance that made it at once, on another one
//! as soon as PostgreSQL's notification arrives, through the cache of both), bad ids are
//! refused with the field named and nothing saved, and another tenant's products never show.

use app::error::AppError;
use app::model::{
    BlockProps, BuyButtonProps, CartProps, ComponentKind, ProductDetailProps, ProductGridProps,
    Shelf,
};
use axum::http::StatusCode;
use axum::Router;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;
use crate::permissions::fixtures::product_json;
use crate::shop::{shop, Shop};
use crate::visitor_site::{eventually, fetch};

/// The product's id and slug (the shop fixture's "Blue Mug").
async fn product_of(pool: &PgPool, s: &Shop) -> (Uuid, String) {
    let mut tx = app::db::tenant_tx(pool, s.a.tenant_id).await.expect("tx");
    let row = sqlx::query_as("SELECT product_id, p.slug FROM website_product_variants v JOIN website_products p ON p.id = v.product_id WHERE v.id = $1")
        .bind(s.m)
        .fetch_one(&mut *tx)
        .await
        .expect("product");
    tx.commit().await.expect("commit");
    row
}

/// A category holding `product`, by plain SQL (the categories UI is not ours).
async fn category_with(pool: &PgPool, s: &Shop, name: &str, product: Uuid) -> Uuid {
    let mut tx = app::db::tenant_tx(pool, s.a.tenant_id).await.expect("tx");
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO website_categories (tenant_id, website_id, name, slug) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(s.a.tenant_id)
    .bind(s.a.website_id)
    .bind(name)
    .bind(unique("cat-"))
    .fetch_one(&mut *tx)
    .await
    .expect("category");
    sqlx::query("INSERT INTO website_product_categories (tenant_id, product_id, category_id) VALUES ($1, $2, $3)")
        .bind(s.a.tenant_id)
        .bind(product)
        .bind(id)
        .execute(&mut *tx)
        .await
        .expect("member");
    tx.commit().await.expect("commit");
    id
}

/// Another active product of the shop, through the catalogue's own server function.
async fn create_product(
    router: &Router,
    s: &Shop,
    cookie: &str,
    title: &str,
    active: bool,
) -> Uuid {
    let mut form = product_json(title, active);
    form["status"] = json!(if active { "active" } else { "draft" });
    let r = call_json(
        router,
        "/api/commerce/product/create",
        Some(cookie),
        json!({ "website_id": s.a.website_id, "product": form }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    r.json::<app::model::ProductDetail>().id
}

/// Appends `blocks` to the home page and publishes it.
async fn place_and_publish(router: &Router, s: &Shop, cookie: &str, blocks: Vec<BlockProps>) {
    let page = load_page(router, cookie, s.a.home_page_id).await;
    let mut rev = page.revision;
    let mut after = page.components.last().map(|c| c.id);
    for b in blocks {
        let added = insert(router, cookie, page.page_id, b, after, rev)
            .await
            .ok();
        rev = added.revision;
        after = Some(added.component.id);
    }
    let r = call_json(
        router,
        "/api/websites/publish",
        Some(cookie),
        json!({ "website_id": s.a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "publish: {}", r.text());
}

fn host(s: &Shop) -> String {
    format!("{}.localhost:3000", s.a.subdomain)
}

#[tokio::test]
async fn every_storefront_block_renders_the_live_catalogue_on_the_visitor_page() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = shop(&pool, 4).await;
    let cookie = cookie_for(&s.a);
    let (mug, slug) = product_of(&pool, &s).await;
    let cap = create_product(&router, &s, &cookie, "Red Cap", true).await;
    let draft = create_product(&router, &s, &cookie, "Secret Draft", false).await;
    let mugs = category_with(&pool, &s, "Mugs", mug).await;
    place_and_publish(
        &router,
        &s,
        &cookie,
        vec![
            BlockProps::ProductGrid(ProductGridProps {
                heading: "Everything".into(),
                ..ProductGridProps::default()
            }),
            BlockProps::ProductGrid(ProductGridProps {
                heading: "Only mugs".into(),
                source: "category".into(),
                category_id: mugs.to_string(),
                columns: 2,
                ..ProductGridProps::default()
            }),
            BlockProps::ProductGrid(ProductGridProps {
                heading: "Picked".into(),
                source: "products".into(),
                product_ids: vec![draft.to_string(), cap.to_string()],
                ..ProductGridProps::default()
            }),
            BlockProps::ProductDetail(ProductDetailProps {
                product_id: mug.to_string(),
                ..ProductDetailProps::default()
            }),
            BlockProps::BuyButton(BuyButtonProps {
                product_id: cap.to_string(),
                ..BuyButtonProps::default()
            }),
            BlockProps::starter(ComponentKind::Cart),
        ],
    )
    .await;

    let path = s.path("/");
    let page = visit(&router, &path, None, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    let prefix = format!("/sites/{}", s.a.subdomain);
    // The grids link each product's page, with its live price; drafts never reach visitors.
    assert!(
        html.contains(&format!("href=\"{prefix}/products/{slug}\"")),
        "{html}"
    );
    assert!(
        html.contains("From €12.50") && html.contains("Red Cap"),
        "{html}"
    );
    assert!(!html.contains("Secret Draft"), "a draft leaked: {html}");
    assert!(html.contains("--sp-columns:2"));
    let only_mugs = html.split("<h2>Only mugs</h2>").nth(1).expect("mugs grid");
    let only_mugs = only_mugs.split("</section>").next().unwrap_or_default();
    assert!(
        only_mugs.contains("Blue Mug") && !only_mugs.contains("Red Cap"),
        "{only_mugs}"
    );
    // The product block: a form per variant posting to the cart, and its JSON-LD offers.
    assert!(
        html.contains(&format!("action=\"{prefix}/cart\"")),
        "{html}"
    );
    assert!(
        html.contains(&format!("value=\"{}\"", s.m))
            && html.contains(&format!("value=\"{}\"", s.l))
    );
    assert!(
        html.contains("application/ld+json") && html.contains("\"priceCurrency\":\"EUR\""),
        "{html}"
    );
    assert!(html.contains("Only 4 left"));
    // The cart block links the visitor's cart.
    assert!(html.contains(&format!("href=\"{prefix}/cart\"")));

    // The buy button's form, as a browser without JavaScript posts it, lands in the cart.
    let added = crate::shop::add(&router, &s, None, s.m, "1").await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    let cart = visit(
        &router,
        &s.path("/cart"),
        Some(&crate::shop::cart_cookie(&added)),
        None,
    )
    .await;
    assert!(cart.text().contains("Blue Mug"), "{}", cart.text());

    // The builder sees every product (drafts marked) and the categories, for its pickers.
    let shelf: Shelf = call_json(
        &router,
        "/api/storefront/shelf",
        Some(&cookie),
        json!({ "website_id": s.a.website_id }),
    )
    .await
    .json();
    assert!(shelf.editing);
    assert_eq!(shelf.all.len(), 3);
    assert_eq!(
        shelf.product(draft).map(|p| p.status.as_str()),
        Some("draft")
    );
    assert_eq!(shelf.categories.len(), 1);
    assert_eq!(shelf.categories[0].product_ids, vec![mug]);

    // A plan that no longer sells shows no product (and the cached page is not kept).
    set_plan(&pool, s.a.tenant_id, STARTER).await;
    let got = eventually(&router, &host(&s), "/", "plan stops selling", |g| {
        g.status == StatusCode::OK && !g.body.contains("Blue Mug")
    })
    .await;
    assert!(got.body.contains("Everything") || !got.body.contains("sp-product-card"));
}

#[tokio::test]
async fn a_price_or_stock_change_is_never_served_stale_on_either_instance() {
    let pool = pool().await;
    // Two routers = two server instances, each with its own cache and listener.
    let first = router(pool.clone());
    let second = router(pool.clone());
    let s = shop(&pool, 4).await;
    let cookie = cookie_for(&s.a);
    let (mug, slug) = product_of(&pool, &s).await;
    place_and_publish(
        &first,
        &s,
        &cookie,
        vec![
            BlockProps::ProductGrid(ProductGridProps::default()),
            BlockProps::ProductDetail(ProductDetailProps {
                product_id: mug.to_string(),
                ..ProductDetailProps::default()
            }),
        ],
    )
    .await;
    let h = host(&s);
    // Both instances serve the page from memory.
    for r in [&first, &second] {
        let hot = eventually(r, &h, "/", "cached", |g| {
            g.header("x-sitepilot-cache") == "hit" && g.body.contains("From €12.50")
        })
        .await;
        assert_eq!(hot.status, StatusCode::OK);
    }
    let old_etag = fetch(&first, &h, "/", &[]).await.header("etag");

    // The owner lowers the price through the first instance.
    let mut form = product_json("Blue Mug", true);
    form["slug"] = json!(slug);
    form["variants"][0]["price"] = json!("11.00");
    form["variants"][0]["stock"] = json!("4");
    let r = call_json(
        &first,
        "/api/commerce/product/update",
        Some(&cookie),
        json!({ "product_id": mug, "product": form }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    // At once on the instance that made the change: no old price, ever.
    let now = fetch(&first, &h, "/", &[]).await;
    assert!(
        now.body.contains("From €11.00") && !now.body.contains("€12.50"),
        "{}",
        now.body
    );
    assert_ne!(now.header("etag"), old_etag, "new bytes, new ETag");
    let revalidated = fetch(&first, &h, "/", &[("if-none-match", &old_etag)]).await;
    assert_eq!(
        revalidated.status,
        StatusCode::OK,
        "the old ETag no longer matches"
    );
    // On the other instance as soon as the notification arrives (well under the 60 s TTL).
    eventually(&second, &h, "/", "new price on the second instance", |g| {
        g.body.contains("From €11.00") && !g.body.contains("€12.50")
    })
    .await;
    // And cached again with the new price.
    for r in [&first, &second] {
        eventually(r, &h, "/", "cached again", |g| {
            g.header("x-sitepilot-cache") == "hit" && g.body.contains("From €11.00")
        })
        .await;
    }

    // Stock changed outside any request (as the reservation job does): both instances follow.
    let mut tx = app::db::tenant_tx(&pool, s.a.tenant_id).await.expect("tx");
    sqlx::query("UPDATE website_product_variants SET stock = 0 WHERE product_id = $1")
        .bind(mug)
        .execute(&mut *tx)
        .await
        .expect("stock");
    tx.commit().await.expect("commit");
    for r in [&first, &second] {
        let got = eventually(r, &h, "/", "sold out everywhere", |g| {
            g.body.contains("Sold out") && !g.body.contains("Only 4 left")
        })
        .await;
        assert!(
            !got.body.contains("name=\"variant_id\""),
            "nothing to buy: {}",
            got.body
        );
    }
}

#[tokio::test]
async fn bad_ids_are_refused_and_other_tenants_products_never_show() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = shop(&pool, 4).await;
    let cookie = cookie_for(&s.a);
    let page = load_page(&router, &cookie, s.a.home_page_id).await;
    let before = page.components.len();
    let mut bad = BlockProps::starter(ComponentKind::ProductDetail);
    bad.set_path(
        &[app::model::fields::Seg::Key("product_id")],
        json!("not-a-product"),
    )
    .expect("set");
    let r = insert(&router, &cookie, page.page_id, bad, None, page.revision).await;
    assert_eq!(
        r.reply.status,
        StatusCode::BAD_REQUEST,
        "{}",
        r.reply.text()
    );
    assert!(
        matches!(r.error(), AppError::Invalid { ref field, .. } if field == "product_id"),
        "{:?}",
        r.error()
    );
    let grid = json!({ "type": "product_grid", "props": { "source": "products", "product_ids": ["x"], "columns": 3, "limit": 12 } });
    let r = call_json(
        &router,
        "/api/builder/insert",
        Some(&cookie),
        json!({ "page_id": page.page_id, "block": { "id": Uuid::new_v4(), "block": grid, "is_visible": true, "is_locked": false }, "after": null, "base_revision": page.revision }),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(
        load_page(&router, &cookie, s.a.home_page_id)
            .await
            .components
            .len(),
        before,
        "nothing half-saved"
    );

    // B's product named on A's page: A's visitors see nothing of it.
    let b = shop(&pool, 3).await;
    let (b_mug, _) = product_of(&pool, &b).await;
    let mut tx = app::db::tenant_tx(&pool, b.a.tenant_id).await.expect("tx");
    sqlx::query("UPDATE website_products SET title = 'Tenant B secret mug' WHERE id = $1")
        .bind(b_mug)
        .execute(&mut *tx)
        .await
        .expect("rename");
    tx.commit().await.expect("commit");
    place_and_publish(
        &router,
        &s,
        &cookie,
        vec![
            BlockProps::ProductDetail(ProductDetailProps {
                product_id: b_mug.to_string(),
                ..ProductDetailProps::default()
            }),
            BlockProps::ProductGrid(ProductGridProps {
                source: "products".into(),
                product_ids: vec![b_mug.to_string()],
                ..ProductGridProps::default()
            }),
            BlockProps::BuyButton(BuyButtonProps {
                product_id: b_mug.to_string(),
                ..BuyButtonProps::default()
            }),
            BlockProps::Cart(CartProps::default()),
        ],
    )
    .await;
    let html = visit(&router, &s.path("/"), None, None).await.text();
    assert!(!html.contains("Tenant B secret mug"), "{html}");
    assert!(!html.contains(&b.m.to_string()), "{html}");
    // Nor can A's cart take B's variant.
    let r = crate::shop::add(&router, &s, None, b.m, "1").await;
    assert!(r.status.is_client_error(), "{}", r.text());
}
