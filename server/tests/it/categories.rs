//! The shop's categories (issue 22): the tree through the server functions (no cycles, depth,
//! order, delete moving children up), products listed in categories with the list filter
//! taking sub-categories, and the visitor's category page with live prices. Roles and
//! isolation are in the permission matrix and the tenancy test.

use app::error::AppError;
use app::model::{CategoriesOverview, ProductDetail, ProductsOverview};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::*;
use crate::permissions::fixtures::product_json;

async fn save(
    router: &axum::Router,
    cookie: &str,
    website: Uuid,
    id: Option<Uuid>,
    category: Value,
) -> Reply {
    call_json(
        router,
        "/api/commerce/category/save",
        Some(cookie),
        json!({ "website_id": website, "category_id": id, "category": category }),
    )
    .await
}

fn id_of(o: &CategoriesOverview, name: &str) -> Uuid {
    o.categories
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("{name} in {:?}", o.categories))
        .id
}

fn names(o: &CategoriesOverview) -> Vec<(String, usize)> {
    o.categories
        .iter()
        .map(|c| (c.name.clone(), c.depth))
        .collect()
}

async fn add(
    router: &axum::Router,
    cookie: &str,
    website: Uuid,
    name: &str,
    parent: Option<Uuid>,
) -> CategoriesOverview {
    let r = save(
        router,
        cookie,
        website,
        None,
        json!({ "name": name, "parent_id": parent }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    r.json()
}

#[tokio::test]
async fn an_editor_builds_a_tree_that_refuses_cycles_and_keeps_its_order() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Tree Shop").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let editor = member_cookie(&pool, &a, "editor").await;
    let w = a.website_id;

    let o = add(&router, &editor, w, "Kitchen", None).await;
    let kitchen = id_of(&o, "Kitchen");
    add(&router, &editor, w, "Garden", None).await;
    add(&router, &editor, w, "Mugs", Some(kitchen)).await;
    let o = add(&router, &editor, w, "Bowls", Some(kitchen)).await;
    let mugs = id_of(&o, "Mugs");
    assert_eq!(
        names(&o),
        vec![
            ("Kitchen".to_string(), 0),
            ("Mugs".to_string(), 1),
            ("Bowls".to_string(), 1),
            ("Garden".to_string(), 0)
        ]
    );
    assert_eq!(o.categories[1].slug, "mugs");

    // A category cannot go under its own branch: refused, naming the field, nothing changed.
    let r = save(
        &router,
        &editor,
        w,
        Some(kitchen),
        json!({ "name": "Kitchen", "parent_id": mugs }),
    )
    .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text());
    match r.json::<AppError>() {
        AppError::Invalid { field, .. } => assert_eq!(field, "parent_id"),
        e => panic!("{e:?}"),
    }
    // The same address twice is refused.
    let r = save(
        &router,
        &editor,
        w,
        None,
        json!({ "name": "Mugs again", "slug": "mugs" }),
    )
    .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text());
    assert!(
        r.text()
            .contains("already uses the address /categories/mugs"),
        "{}",
        r.text()
    );
    // Five levels at most.
    let mut parent = mugs;
    for level in ["L3", "L4", "L5"] {
        let o = add(&router, &editor, w, level, Some(parent)).await;
        parent = id_of(&o, level);
    }
    let r = save(
        &router,
        &editor,
        w,
        None,
        json!({ "name": "L6", "parent_id": parent }),
    )
    .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text());
    assert!(r.text().contains("5 levels deep"), "{}", r.text());

    // Bowls moves up above Mugs; the first cannot go further up.
    let bowls = {
        let r = call_json(
            &router,
            "/api/commerce/categories",
            Some(&editor),
            json!({ "website_id": w }),
        )
        .await;
        id_of(&r.json(), "Bowls")
    };
    let r = call_json(
        &router,
        "/api/commerce/category/move",
        Some(&editor),
        json!({ "category_id": bowls, "up": true }),
    )
    .await;
    assert!(r.json::<bool>(), "moved");
    let r = call_json(
        &router,
        "/api/commerce/category/move",
        Some(&editor),
        json!({ "category_id": bowls, "up": true }),
    )
    .await;
    assert!(!r.json::<bool>(), "already first");
    let o: CategoriesOverview = call_json(
        &router,
        "/api/commerce/categories",
        Some(&editor),
        json!({ "website_id": w }),
    )
    .await
    .json();
    assert_eq!(o.categories[1].name, "Bowls");
    assert_eq!(o.categories[2].name, "Mugs");

    // Deleting Mugs moves L3 up to Kitchen; nothing else goes.
    let r = call_json(
        &router,
        "/api/commerce/category/delete",
        Some(&editor),
        json!({ "category_id": mugs }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let o: CategoriesOverview = call_json(
        &router,
        "/api/commerce/categories",
        Some(&editor),
        json!({ "website_id": w }),
    )
    .await
    .json();
    let l3 = o.categories.iter().find(|c| c.name == "L3").expect("L3");
    assert_eq!((l3.parent_id, l3.depth), (Some(kitchen), 1));
    assert_eq!(o.categories.len(), 6);
    let audit: i64 = {
        let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
        let n =
            sqlx::query_scalar("SELECT count(*) FROM audit_logs WHERE action LIKE 'category.%'")
                .fetch_one(&mut *tx)
                .await
                .expect("audit");
        tx.commit().await.expect("commit");
        n
    };
    assert_eq!(audit, 8, "7 created, 1 deleted");
}

#[tokio::test]
async fn concurrent_moves_never_make_a_cycle() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Race Shop").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let owner = cookie_for(&a);
    let w = a.website_id;
    add(&router, &owner, w, "One", None).await;
    let o = add(&router, &owner, w, "Two", None).await;
    let (one, two) = (id_of(&o, "One"), id_of(&o, "Two"));
    // One under Two and Two under One at the same time: exactly one wins.
    let (x, y) = tokio::join!(
        save(
            &router,
            &owner,
            w,
            Some(one),
            json!({ "name": "One", "slug": "one", "parent_id": two })
        ),
        save(
            &router,
            &owner,
            w,
            Some(two),
            json!({ "name": "Two", "slug": "two", "parent_id": one })
        ),
    );
    let ok = [&x, &y].iter().filter(|r| r.status.is_success()).count();
    assert_eq!(ok, 1, "{} / {}", x.text(), y.text());
    let o: CategoriesOverview = call_json(
        &router,
        "/api/commerce/categories",
        Some(&owner),
        json!({ "website_id": w }),
    )
    .await
    .json();
    assert_eq!(
        o.categories.iter().filter(|c| c.depth == 0).count(),
        1,
        "{:?}",
        o.categories
    );
}

#[tokio::test]
async fn products_in_categories_are_filtered_and_shown_on_the_category_page() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Aisle Shop").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let owner = cookie_for(&a);
    let w = a.website_id;
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    app::db::publish::publish(&mut tx, a.tenant_id, a.user_id, w)
        .await
        .expect("publish");
    tx.commit().await.expect("commit");
    let o = add(&router, &owner, w, "Kitchen", None).await;
    let kitchen = id_of(&o, "Kitchen");
    let o = add(&router, &owner, w, "Mugs", Some(kitchen)).await;
    let mugs = id_of(&o, "Mugs");
    let garden = id_of(&add(&router, &owner, w, "Garden", None).await, "Garden");

    let mut mug = product_json("Blue Mug", true);
    mug["category_ids"] = json!([mugs, mugs]);
    let r = call_json(
        &router,
        "/api/commerce/product/create",
        Some(&owner),
        json!({ "website_id": w, "product": mug }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let detail: ProductDetail = r.json();
    assert_eq!(detail.product.category_ids, vec![mugs], "listed once");
    let mut spade = product_json("Spade", true);
    spade["category_ids"] = json!([garden]);
    let r = call_json(
        &router,
        "/api/commerce/product/create",
        Some(&owner),
        json!({ "website_id": w, "product": spade }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    // A category of another website is refused, and the product is not saved.
    let mut stray = product_json("Stray", true);
    stray["category_ids"] = json!([Uuid::new_v4()]);
    let r = call_json(
        &router,
        "/api/commerce/product/create",
        Some(&owner),
        json!({ "website_id": w, "product": stray }),
    )
    .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text());
    assert!(r.text().contains("category_ids"), "{}", r.text());

    // The list filter takes the category and those under it.
    let list = |category: Option<Uuid>| {
        let router = router.clone();
        let owner = owner.clone();
        async move {
            let o: ProductsOverview = call_json(
                &router,
                "/api/commerce/products",
                Some(&owner),
                json!({ "website_id": w, "query": { "category": category } }),
            )
            .await
            .json();
            let mut t: Vec<String> = o.products.into_iter().map(|p| p.title).collect();
            t.sort();
            t
        }
    };
    assert_eq!(list(Some(kitchen)).await, vec!["Blue Mug"]);
    assert_eq!(list(Some(garden)).await, vec!["Spade"]);
    assert_eq!(list(None).await, vec!["Blue Mug", "Spade"]);

    // Visitors browse /categories/kitchen: the mug (from Mugs under it), not the spade.
    let path = format!("/sites/{}/categories/kitchen", a.subdomain);
    let page = get(&router, "127.0.0.1", &path).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.text());
    let html = page.text();
    assert!(html.contains("<h1>Kitchen</h1>"), "{html}");
    assert!(
        html.contains("Blue Mug") && !html.contains("Spade"),
        "{html}"
    );
    assert!(html.contains("From €12.50"), "{html}");
    // Prices are live: a change shows at once.
    let mut edit = serde_json::to_value(&detail.product).expect("json");
    edit["variants"][0]["price"] = json!("9");
    let r = call_json(
        &router,
        "/api/commerce/product/update",
        Some(&owner),
        json!({ "product_id": detail.id, "product": edit }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let html = get(&router, "127.0.0.1", &path).await.text();
    assert!(html.contains("From €9.00"), "{html}");
    // An unknown category is the site's 404.
    let missing = get(
        &router,
        "127.0.0.1",
        &format!("/sites/{}/categories/nope", a.subdomain),
    )
    .await;
    assert_eq!(missing.status.as_u16(), 404);

    // Deleting a category keeps its products.
    let r = call_json(
        &router,
        "/api/commerce/category/delete",
        Some(&owner),
        json!({ "category_id": mugs }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(list(None).await, vec!["Blue Mug", "Spade"]);
    assert!(list(Some(kitchen)).await.is_empty());
}
