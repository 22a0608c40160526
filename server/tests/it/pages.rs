//! Pages panel server functions: create, settings, slugs, home page, order, password, delete,
//! the plan's page limit, roles and tenant isolation.

use crate::common::*;
use app::db::{accounts::NewAccount, tenant_tx};
use app::error::AppError;
use app::model::{PageCreated, PageInfo, PageStatus, PagesOverview};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

async fn list(router: &axum::Router, cookie: &str, website: Uuid) -> PagesOverview {
    call_json(
        router,
        "/api/pages/list",
        Some(cookie),
        json!({ "website_id": website }),
    )
    .await
    .json()
}

async fn create(
    router: &axum::Router,
    cookie: &str,
    website: Uuid,
    title: &str,
    slug: &str,
) -> Reply {
    call_json(
        router,
        "/api/pages/create",
        Some(cookie),
        json!({ "website_id": website, "title": title, "slug": slug }),
    )
    .await
}

async fn create_ok(
    router: &axum::Router,
    cookie: &str,
    website: Uuid,
    title: &str,
    slug: &str,
) -> PageInfo {
    let created: PageCreated = create(router, cookie, website, title, slug).await.json();
    created
        .overview
        .pages
        .into_iter()
        .find(|p| p.id == created.id)
        .expect("new page listed")
}

fn page(o: &PagesOverview, id: Uuid) -> PageInfo {
    o.pages
        .iter()
        .find(|p| p.id == id)
        .cloned()
        .expect("page listed")
}

async fn update(router: &axum::Router, cookie: &str, p: &PageInfo, patch: Value) -> Reply {
    call_json(
        router,
        "/api/pages/update",
        Some(cookie),
        json!({ "page_id": p.id, "base_revision": p.settings_revision, "patch": patch }),
    )
    .await
}

async fn action(
    router: &axum::Router,
    cookie: &str,
    path: &str,
    p: &PageInfo,
    extra: Value,
) -> Reply {
    let mut body = json!({ "page_id": p.id, "base_revision": p.settings_revision });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    call_json(router, path, Some(cookie), body).await
}

fn field_error(r: Reply) -> (String, String) {
    match r.error() {
        AppError::Invalid { field, message } => (field, message),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn audit_actions(pool: &PgPool, a: &NewAccount, page: Uuid) -> Vec<String> {
    let mut tx = tenant_tx(pool, a.tenant_id).await.expect("tx");
    sqlx::query_scalar(
        "SELECT action FROM audit_logs WHERE resource_id = $1 ORDER BY created_at, id",
    )
    .bind(page)
    .fetch_all(&mut *tx)
    .await
    .expect("audit")
}

#[tokio::test]
async fn create_and_change_page_settings() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Pages Cafe").await;
    let owner = cookie_for(&a);

    let start = list(&router, &owner, a.website_id).await;
    assert_eq!((start.plan_name.as_str(), start.max_pages), ("Starter", 5));
    assert_eq!(start.pages.len(), 1);
    assert!(start.pages[0].is_home && start.pages[0].slug == "/");

    let about = create_ok(&router, &owner, a.website_id, " About ", "/about").await;
    assert_eq!(
        (about.title.as_str(), about.slug.as_str(), about.status),
        ("About", "/about", PageStatus::Draft)
    );
    assert!(!about.is_home && about.show_in_nav && !about.password_protected);
    assert_eq!(
        about.nav_order, 1,
        "new pages go to the end of the navigation"
    );
    let blocks = load_page(&router, &owner, about.id).await;
    let kinds: Vec<&str> = blocks
        .components
        .iter()
        .map(|c| c.block.kind().as_str())
        .collect();
    assert_eq!(kinds, ["navbar", "hero", "rich_text", "footer"]);
    let content_revision = blocks.revision;

    let patch = json!({
        "title": "About us", "slug": "/about-us", "status": "published", "show_in_nav": false, "nav_label": "Team",
        "seo_meta": { "title": "About | Pages Cafe", "description": "Who we are.", "og_image": "https://cdn.example.com/a.jpg",
                      "og_type": "website", "twitter_card": "summary", "canonical_url": "https://pages.example.com/about-us",
                      "no_index": true, "no_follow": false },
        "page_config": { "show_navbar": true, "show_footer": false, "background_color": "#FAFAFA", "max_width": "960px", "padding": "24px" }
    });
    let o: PagesOverview = update(&router, &owner, &about, patch).await.json();
    let now = page(&o, about.id);
    assert_eq!(
        (now.title.as_str(), now.slug.as_str(), now.status),
        ("About us", "/about-us", PageStatus::Published)
    );
    assert_eq!(
        (now.show_in_nav, now.nav_label.as_deref()),
        (false, Some("Team"))
    );
    assert_eq!(now.seo_meta.title.as_deref(), Some("About | Pages Cafe"));
    assert!(now.seo_meta.no_index);
    assert_eq!(now.page_config.background_color.as_deref(), Some("#fafafa"));
    assert!(!now.page_config.show_footer);
    assert_eq!(now.settings_revision, about.settings_revision + 1);

    // The stored JSON has the schema reference §18 shape.
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let (seo, config): (Value, Value) =
        sqlx::query_as("SELECT seo_meta, page_config FROM pages WHERE id = $1")
            .bind(about.id)
            .fetch_one(&mut *tx)
            .await
            .expect("row");
    assert_eq!(seo["canonical_url"], "https://pages.example.com/about-us");
    assert_eq!(seo["no_follow"], false);
    assert_eq!(config["max_width"], "960px");
    drop(tx);

    // Settings have their own revision: the builder's content revision is untouched, so an
    // open editor's next block edit does not conflict.
    assert_eq!(
        load_page(&router, &owner, about.id).await.revision,
        content_revision
    );

    // Clearing the navigation label; a stale settings revision is refused.
    let cleared: PagesOverview = update(&router, &owner, &now, json!({ "nav_label": "  " }))
        .await
        .json();
    assert_eq!(page(&cleared, about.id).nav_label, None);
    let stale = update(&router, &owner, &now, json!({ "title": "Stale" }))
        .await
        .error();
    assert_eq!(
        stale,
        AppError::Conflict {
            current_revision: now.settings_revision + 1
        }
    );

    assert_eq!(
        audit_actions(&pool, &a, about.id).await,
        ["page.created", "page.updated", "page.updated"]
    );
}

#[tokio::test]
async fn slugs_are_checked_and_unique_per_website() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Slug Shop").await;
    let owner = cookie_for(&a);
    let about = create_ok(&router, &owner, a.website_id, "About", "/about").await;
    let menu = create_ok(&router, &owner, a.website_id, "Menu", "/menu").await;

    let (field, message) =
        field_error(create(&router, &owner, a.website_id, "About again", "/about").await);
    assert_eq!(field, "slug");
    assert!(
        message.contains("Another page already uses /about"),
        "{message}"
    );
    let (field, message) = field_error(
        update(
            &router,
            &owner,
            &menu,
            json!({ "title": "Renamed", "slug": "/about" }),
        )
        .await,
    );
    assert_eq!(field, "slug");
    assert!(
        message.contains("Another page already uses /about"),
        "{message}"
    );

    for bad in [
        "about",
        "/About",
        "/about us",
        "/about/",
        "//x",
        "/a--b",
        "",
    ] {
        let (field, _) = field_error(create(&router, &owner, a.website_id, "Bad", bad).await);
        assert_eq!(field, "slug", "{bad:?}");
    }
    // `/` belongs to the home page only; the home page's address cannot change.
    let (field, message) =
        field_error(create(&router, &owner, a.website_id, "Second home", "/").await);
    assert!(
        field == "slug" && message.contains("home page"),
        "{message}"
    );
    let (field, _) = field_error(update(&router, &owner, &about, json!({ "slug": "/" })).await);
    assert_eq!(field, "slug");
    let home = page(&list(&router, &owner, a.website_id).await, a.home_page_id);
    let (field, message) =
        field_error(update(&router, &owner, &home, json!({ "slug": "/start" })).await);
    assert!(field == "slug" && message.contains("always /"), "{message}");
    // The same address on another website is fine.
    let b = account(&pool, "Other Slug").await;
    create_ok(&router, &cookie_for(&b), b.website_id, "About", "/about").await;

    let after = list(&router, &owner, a.website_id).await;
    assert_eq!(after.pages.len(), 3, "no refused page was created");
    assert_eq!(
        page(&after, menu.id).title,
        "Menu",
        "a refused update saves nothing"
    );
    assert_eq!(page(&after, a.home_page_id).slug, "/");
}

#[tokio::test]
async fn setting_the_home_page_swaps_addresses_in_one_go() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Home Swap").await;
    let owner = cookie_for(&a);
    let about = create_ok(&router, &owner, a.website_id, "About", "/about").await;

    let o: PagesOverview = action(&router, &owner, "/api/pages/set_home", &about, json!({}))
        .await
        .json();
    let (new_home, old_home) = (page(&o, about.id), page(&o, a.home_page_id));
    assert!(new_home.is_home && new_home.slug == "/");
    assert!(
        !old_home.is_home && old_home.slug == "/home",
        "the old home gets an address from its title"
    );
    assert_eq!(o.pages.iter().filter(|p| p.is_home).count(), 1);

    // A page already at /home: the old home's derived address is made unique.
    let welcome = create_ok(&router, &owner, a.website_id, "Welcome", "/welcome").await;
    let o: PagesOverview = update(
        &router,
        &owner,
        &welcome,
        json!({ "title": "Start", "slug": "/about" }),
    )
    .await
    .json();
    let o: PagesOverview = action(
        &router,
        &owner,
        "/api/pages/set_home",
        &page(&o, a.home_page_id),
        json!({}),
    )
    .await
    .json();
    assert!(page(&o, a.home_page_id).is_home && page(&o, a.home_page_id).slug == "/");
    assert_eq!(
        page(&o, about.id).slug,
        "/about-2",
        "/about is taken, so the old home gets /about-2"
    );

    // Making the home page home again changes nothing.
    let again: PagesOverview = action(
        &router,
        &owner,
        "/api/pages/set_home",
        &page(&o, a.home_page_id),
        json!({}),
    )
    .await
    .json();
    assert_eq!(again, o);
    assert!(audit_actions(&pool, &a, about.id)
        .await
        .contains(&"page.home_changed".to_string()));
}

#[tokio::test]
async fn delete_pages_but_never_the_home_page() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Delete Co").await;
    let owner = cookie_for(&a);
    let about = create_ok(&router, &owner, a.website_id, "About", "/about").await;

    let home = page(&list(&router, &owner, a.website_id).await, a.home_page_id);
    let (field, message) =
        field_error(action(&router, &owner, "/api/pages/delete", &home, json!({})).await);
    assert!(
        field == "page" && message.contains("home page cannot be deleted"),
        "{message}"
    );

    let o: PagesOverview = action(&router, &owner, "/api/pages/delete", &about, json!({}))
        .await
        .json();
    assert_eq!(
        o.pages.iter().map(|p| p.id).collect::<Vec<_>>(),
        [a.home_page_id]
    );
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let blocks: i64 = sqlx::query_scalar("SELECT count(*) FROM components WHERE page_id = $1")
        .bind(about.id)
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    assert_eq!(blocks, 0, "its blocks went with it");
    drop(tx);
    assert_eq!(
        audit_actions(&pool, &a, about.id)
            .await
            .last()
            .map(String::as_str),
        Some("page.deleted")
    );
    assert!(matches!(
        action(&router, &owner, "/api/pages/delete", &about, json!({}))
            .await
            .error(),
        AppError::NotFound(_)
    ));
}

#[tokio::test]
async fn pages_move_up_and_down_in_the_navigation() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Nav Order").await;
    let owner = cookie_for(&a);
    let b = create_ok(&router, &owner, a.website_id, "B", "/b").await;
    let c = create_ok(&router, &owner, a.website_id, "C", "/c").await;
    let order = |o: &PagesOverview| o.pages.iter().map(|p| p.title.clone()).collect::<Vec<_>>();

    let o: PagesOverview = action(
        &router,
        &owner,
        "/api/pages/move",
        &c,
        json!({ "step": "up" }),
    )
    .await
    .json();
    assert_eq!(order(&o), ["Home", "C", "B"]);
    let o: PagesOverview = action(
        &router,
        &owner,
        "/api/pages/move",
        &page(&o, c.id),
        json!({ "step": "up" }),
    )
    .await
    .json();
    assert_eq!(order(&o), ["C", "Home", "B"]);
    // Already first: nothing moves.
    let same: PagesOverview = action(
        &router,
        &owner,
        "/api/pages/move",
        &page(&o, c.id),
        json!({ "step": "up" }),
    )
    .await
    .json();
    assert_eq!(order(&same), ["C", "Home", "B"]);
    let o: PagesOverview = action(
        &router,
        &owner,
        "/api/pages/move",
        &page(&o, b.id),
        json!({ "step": "down" }),
    )
    .await
    .json();
    assert_eq!(order(&o), ["C", "Home", "B"]);
    let o: PagesOverview = action(
        &router,
        &owner,
        "/api/pages/move",
        &page(&o, a.home_page_id),
        json!({ "step": "down" }),
    )
    .await
    .json();
    assert_eq!(order(&o), ["C", "B", "Home"]);
    assert_eq!(
        o.pages.iter().map(|p| p.nav_order).collect::<Vec<_>>(),
        [0, 1, 2]
    );
}

#[tokio::test]
async fn page_passwords_are_hashed_and_never_sent() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Secret Page").await;
    let owner = cookie_for(&a);
    let about = create_ok(&router, &owner, a.website_id, "Members", "/members").await;

    let (field, _) = field_error(
        action(
            &router,
            &owner,
            "/api/pages/password",
            &about,
            json!({ "password": "123" }),
        )
        .await,
    );
    assert_eq!(field, "page_password");

    let reply = action(
        &router,
        &owner,
        "/api/pages/password",
        &about,
        json!({ "password": "open-sesame-42" }),
    )
    .await;
    let text = reply.text();
    assert!(
        !text.contains("open-sesame-42")
            && !text.contains("argon2")
            && !text.contains("password_hash"),
        "{text}"
    );
    let o: PagesOverview = reply.json();
    let now = page(&o, about.id);
    assert!(now.password_protected);

    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let hash: Option<String> = sqlx::query_scalar("SELECT password_hash FROM pages WHERE id = $1")
        .bind(about.id)
        .fetch_one(&mut *tx)
        .await
        .expect("hash");
    drop(tx);
    let hash = hash.expect("a hash is stored");
    assert!(
        hash.starts_with("$argon2") && !hash.contains("open-sesame-42"),
        "{hash}"
    );
    let listed = call_json(
        &router,
        "/api/pages/list",
        Some(&owner),
        json!({ "website_id": a.website_id }),
    )
    .await
    .text();
    assert!(!listed.contains(&hash) && !listed.contains("password_hash"));

    let o: PagesOverview = action(
        &router,
        &owner,
        "/api/pages/password",
        &now,
        json!({ "password": null }),
    )
    .await
    .json();
    assert!(!page(&o, about.id).password_protected);
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let hash: Option<String> = sqlx::query_scalar("SELECT password_hash FROM pages WHERE id = $1")
        .bind(about.id)
        .fetch_one(&mut *tx)
        .await
        .expect("hash");
    assert_eq!(hash, None, "removing the password removes the hash");
    drop(tx);
    let actions = audit_actions(&pool, &a, about.id).await;
    assert!(actions.ends_with(&[
        "page.password_set".to_string(),
        "page.password_removed".to_string()
    ]));
}

#[tokio::test]
async fn the_plan_limits_pages_per_website() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Limit Ltd").await;
    let owner = cookie_for(&a);
    // Starter: 5 pages, the home page included.
    for n in 2..=5 {
        create_ok(
            &router,
            &owner,
            a.website_id,
            &format!("Page {n}"),
            &format!("/page-{n}"),
        )
        .await;
    }
    let err = create(&router, &owner, a.website_id, "Page 6", "/page-6")
        .await
        .error();
    let AppError::LimitReached { what, max, .. } = &err else {
        panic!("expected the page limit, got {err:?}")
    };
    assert_eq!(*max, 5);
    let message = err.to_string();
    assert!(
        message.contains("5 pages per website")
            && message.contains("Starter")
            && message.contains("Growth plan allows 20"),
        "{message}"
    );
    assert!(what.contains("Growth"));
    assert_eq!(
        list(&router, &owner, a.website_id).await.pages.len(),
        5,
        "nothing was created"
    );

    // Billing is not wired to the UI yet: move the tenant to Growth directly.
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let created = create_ok(&router, &owner, a.website_id, "Page 6", "/page-6").await;
    assert_eq!(created.slug, "/page-6");
    let o = list(&router, &owner, a.website_id).await;
    assert_eq!(
        (o.plan_name.as_str(), o.max_pages, o.pages.len()),
        ("Growth", 20, 6)
    );
}

#[tokio::test]
async fn a_bad_seo_url_is_refused_and_nothing_is_saved() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Seo Shop").await;
    let owner = cookie_for(&a);
    let about = create_ok(&router, &owner, a.website_id, "About", "/about").await;

    let cases = [
        (json!({ "og_image": "javascript:alert(1)" }), "og_image"),
        (
            json!({ "canonical_url": "data:text/html,x" }),
            "canonical_url",
        ),
        (json!({ "canonical_url": "/about" }), "canonical_url"),
        (json!({ "title": "x".repeat(121) }), "seo_title"),
    ];
    for (seo, expected) in cases {
        let patch = json!({ "title": "Changed", "slug": "/changed", "seo_meta": seo });
        let (field, _) = field_error(update(&router, &owner, &about, patch).await);
        assert_eq!(field, expected);
    }
    let (field, _) = field_error(update(&router, &owner, &about,
        json!({ "title": "Changed", "page_config": { "background_color": "red; display:none" } })).await);
    assert_eq!(field, "background_color");

    let now = page(&list(&router, &owner, a.website_id).await, about.id);
    assert_eq!(now, about, "nothing was saved");
}

#[tokio::test]
async fn roles_may_manage_pages_except_viewers() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Roles Pages").await;
    let owner = cookie_for(&a);
    let target = create_ok(&router, &owner, a.website_id, "Target", "/target").await;

    for role in ["owner", "admin", "editor", "developer"] {
        let c = if role == "owner" {
            owner.clone()
        } else {
            member_cookie(&pool, &a, role).await
        };
        let listed = list(&router, &c, a.website_id).await;
        assert_eq!(listed.pages.len(), 2, "{role}");
        let p = create_ok(&router, &c, a.website_id, role, &format!("/{role}")).await;
        let o: PagesOverview = update(
            &router,
            &c,
            &p,
            json!({ "title": format!("{role} page"), "seo_meta": { "title": "T" } }),
        )
        .await
        .json();
        let o: PagesOverview = action(
            &router,
            &c,
            "/api/pages/move",
            &page(&o, p.id),
            json!({ "step": "up" }),
        )
        .await
        .json();
        let o: PagesOverview = action(
            &router,
            &c,
            "/api/pages/password",
            &page(&o, p.id),
            json!({ "password": "secret-1" }),
        )
        .await
        .json();
        let o: PagesOverview = action(
            &router,
            &c,
            "/api/pages/set_home",
            &page(&o, p.id),
            json!({}),
        )
        .await
        .json();
        assert!(page(&o, p.id).is_home, "{role}");
        let o: PagesOverview = action(
            &router,
            &c,
            "/api/pages/set_home",
            &page(&o, a.home_page_id),
            json!({}),
        )
        .await
        .json();
        let o: PagesOverview = action(&router, &c, "/api/pages/delete", &page(&o, p.id), json!({}))
            .await
            .json();
        assert_eq!(o.pages.len(), 2, "{role}");
    }

    // Viewers may look but change nothing.
    let viewer = member_cookie(&pool, &a, "viewer").await;
    let before = list(&router, &viewer, a.website_id).await;
    assert_eq!(before.pages.len(), 2);
    let t = page(&before, target.id);
    let forbidden = |r: Reply| assert!(matches!(r.error(), AppError::Forbidden(_)));
    forbidden(create(&router, &viewer, a.website_id, "Nope", "/nope").await);
    forbidden(update(&router, &viewer, &t, json!({ "title": "Nope" })).await);
    forbidden(
        action(
            &router,
            &viewer,
            "/api/pages/move",
            &t,
            json!({ "step": "up" }),
        )
        .await,
    );
    forbidden(
        action(
            &router,
            &viewer,
            "/api/pages/password",
            &t,
            json!({ "password": "secret-1" }),
        )
        .await,
    );
    forbidden(
        action(
            &router,
            &viewer,
            "/api/pages/password",
            &t,
            json!({ "password": null }),
        )
        .await,
    );
    forbidden(action(&router, &viewer, "/api/pages/set_home", &t, json!({})).await);
    forbidden(action(&router, &viewer, "/api/pages/delete", &t, json!({})).await);
    assert_eq!(
        list(&router, &owner, a.website_id).await,
        before,
        "the viewer changed nothing"
    );
    // Anonymous callers are turned away.
    let anon = call_json(
        &router,
        "/api/pages/list",
        None,
        json!({ "website_id": a.website_id }),
    )
    .await;
    assert_eq!(anon.error(), AppError::Unauthorized);
}

#[tokio::test]
async fn another_tenant_can_neither_list_nor_change_pages() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Tenant A Pages").await;
    let b = account(&pool, "Tenant B Pages").await;
    let (ca, cb) = (cookie_for(&a), cookie_for(&b));
    let about = create_ok(&router, &ca, a.website_id, "About", "/about").await;
    let before = list(&router, &ca, a.website_id).await;
    let home = page(&before, a.home_page_id);

    let not_found = |r: Reply| assert!(matches!(r.error(), AppError::NotFound(_)));
    not_found(
        call_json(
            &router,
            "/api/pages/list",
            Some(&cb),
            json!({ "website_id": a.website_id }),
        )
        .await,
    );
    not_found(create(&router, &cb, a.website_id, "Intruder", "/intruder").await);
    not_found(update(&router, &cb, &about, json!({ "title": "Hacked" })).await);
    not_found(
        action(
            &router,
            &cb,
            "/api/pages/move",
            &about,
            json!({ "step": "up" }),
        )
        .await,
    );
    not_found(
        action(
            &router,
            &cb,
            "/api/pages/password",
            &about,
            json!({ "password": "secret-1" }),
        )
        .await,
    );
    not_found(action(&router, &cb, "/api/pages/set_home", &about, json!({})).await);
    not_found(action(&router, &cb, "/api/pages/delete", &about, json!({})).await);
    not_found(action(&router, &cb, "/api/pages/delete", &home, json!({})).await);

    assert_eq!(
        list(&router, &ca, a.website_id).await,
        before,
        "tenant A's pages are unchanged"
    );
    assert_eq!(
        list(&router, &cb, b.website_id).await.pages.len(),
        1,
        "nothing landed in tenant B either"
    );
}
