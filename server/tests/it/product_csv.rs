//! The shop's product CSV (issue 22): the export reads back through the import, which
//! replaces known products (keeping variant ids matched by SKU), creates new ones, and
//! refuses a whole file over one bad line or the plan's product limit. Roles and isolation
//! are in the permission matrix.

use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use serde_json::json;
use uuid::Uuid;

use crate::common::*;
use crate::permissions::fixtures::product_json;

async fn download(router: &Router, cookie: &str, website: Uuid) -> Reply {
    let req = Request::get(format!("/websites/{website}/products.csv"))
        .header(header::HOST, "127.0.0.1")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request");
    send_request(router, req).await
}

async fn import(router: &Router, cookie: &str, website: Uuid, csv: &str) -> Reply {
    call_json(
        router,
        "/api/commerce/products/import",
        Some(cookie),
        json!({ "website_id": website, "csv": csv }),
    )
    .await
}

async fn variants(pool: &sqlx::PgPool, tenant: Uuid) -> Vec<(String, Option<String>, i64, i32)> {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    let rows = sqlx::query_as(
        r#"SELECT p.slug, v.sku, v.price_cents, v.stock FROM website_product_variants v
             JOIN website_products p ON p.id = v.product_id ORDER BY p.slug, v.position"#,
    )
    .fetch_all(&mut *tx)
    .await
    .expect("variants");
    tx.commit().await.expect("commit");
    rows
}

#[tokio::test]
async fn an_exported_catalogue_edited_and_imported_updates_and_adds_products() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Csv Shop").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let owner = cookie_for(&a);
    let w = a.website_id;
    let r = call_json(
        &router,
        "/api/commerce/category/save",
        Some(&owner),
        json!({ "website_id": w, "category_id": null, "category": { "name": "Mugs" } }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let mugs = r.json::<app::model::CategoriesOverview>().categories[0].id;
    let mut mug = product_json("Blue Mug", true);
    mug["slug"] = json!("blue-mug");
    mug["variants"][0]["sku"] = json!("MUG-S");
    mug["variants"][1]["sku"] = json!("MUG-L");
    mug["category_ids"] = json!([mugs]);
    let r = call_json(
        &router,
        "/api/commerce/product/create",
        Some(&owner),
        json!({ "website_id": w, "product": mug }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let before: Vec<Uuid> = {
        let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
        let ids = sqlx::query_scalar("SELECT id FROM website_product_variants ORDER BY position")
            .fetch_all(&mut *tx)
            .await
            .expect("ids");
        tx.commit().await.expect("commit");
        ids
    };

    // A viewer downloads it too (every member reads the catalogue).
    let viewer = member_cookie(&pool, &a, "viewer").await;
    let r = download(&router, &viewer, w).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text());
    let csv = r.text();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[0].starts_with("Handle,Title,Status,Currency"),
        "{csv}"
    );
    assert!(lines[1].starts_with("blue-mug,Blue Mug,"), "{csv}");
    assert!(
        lines[1].contains(",Size,") && lines[1].contains(",MUG-S,12.50,"),
        "{csv}"
    );
    assert!(lines[1].contains(",mugs,"), "{csv}");
    assert!(lines[2].starts_with("blue-mug,,,"), "{csv}");

    // The owner edits it: the small mug's line goes (the product's fields move to the large
    // one's line), the large mug costs 15, and a teapot is added.
    assert!(!csv.contains('"'), "plain cells: {csv}");
    let first: Vec<&str> = lines[1].split(',').collect();
    let second: Vec<&str> = lines[2].split(',').collect();
    let mut merged: Vec<String> = first[..6].iter().map(|c| c.to_string()).collect();
    merged.extend(second[6..12].iter().map(|c| c.replace("14.00", "15.00")));
    merged.extend(first[12..].iter().map(|c| c.to_string()));
    let edited = format!(
        "{}\r\n{}\r\nteapot,Teapot,active,EUR,,,,TEA-1,30,,2,yes,mugs,,,\r\n",
        lines[0],
        merged.join(",")
    );
    let r = import(&router, &owner, w, &edited).await;
    assert!(r.status.is_success(), "{}\n{edited}", r.text());
    let report: app::model::ProductImport = r.json();
    assert_eq!((report.created, report.updated), (1, 1));
    let after = variants(&pool, a.tenant_id).await;
    assert_eq!(
        after,
        vec![
            ("blue-mug".into(), Some("MUG-L".into()), 1500, 2),
            ("teapot".into(), Some("TEA-1".into()), 3000, 2),
        ]
    );
    // The large mug kept its variant (matched by SKU), so carts and orders still point at it.
    let kept: bool = {
        let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
        let k = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM website_product_variants WHERE id = $1 AND sku = 'MUG-L')")
            .bind(before[1])
            .fetch_one(&mut *tx)
            .await
            .expect("kept");
        tx.commit().await.expect("commit");
        k
    };
    assert!(kept);
}

#[tokio::test]
async fn a_file_with_one_bad_line_or_over_the_plan_saves_nothing() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Bad Csv").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let owner = cookie_for(&a);
    let w = a.website_id;
    let bad = "Handle,Title,Price,Stock\r\nfirst,First,3,1\r\nsecond,Second,-2,1\r\n";
    let r = import(&router, &owner, w, bad).await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text());
    assert!(r.text().contains("Line 3"), "{}", r.text());
    let unknown = "Handle,Title,Price,Categories\r\nfirst,First,3,shoes\r\n";
    let r = import(&router, &owner, w, unknown).await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text());
    assert!(
        r.text().contains("no category has the address “shoes”"),
        "{}",
        r.text()
    );
    assert!(
        variants(&pool, a.tenant_id).await.is_empty(),
        "nothing saved"
    );

    // Over the plan's product limit: the whole file is refused with the upgrade message.
    let limit: i64 = {
        let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
        let n = app::db::limits::max_products(&mut tx, a.tenant_id)
            .await
            .expect("max");
        tx.commit().await.expect("commit");
        n
    };
    let mut csv = "Handle,Title,Price\r\n".to_string();
    for i in 0..=limit {
        csv += &format!("p{i},Product {i},1\r\n");
    }
    let r = import(&router, &owner, w, &csv).await;
    assert_eq!(r.status.as_u16(), 402, "{}", r.text());
    assert!(
        variants(&pool, a.tenant_id).await.is_empty(),
        "nothing saved"
    );
}
