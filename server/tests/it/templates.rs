//! The template gallery (issue 20 §1): every built-in template creates a website through the
//! backup import and publishes with every page on the visitor site; the preview renders a
//! template without writing anything; private templates are saved, listed, used and deleted
//! by the content roles only, and stay inside their tenant; plan limits apply.

use crate::common::*;
use app::error::AppError;
use app::model::{Published, TemplateGallery, BUILTIN_TEMPLATES};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

async fn create(router: &axum::Router, cookie: &str, template: &str, subdomain: &str) -> Reply {
    call_json(
        router,
        "/api/templates/create_site",
        Some(cookie),
        json!({ "template": template, "name": "", "subdomain": subdomain }),
    )
    .await
}

async fn preview(router: &axum::Router, cookie: Option<&str>, path: &str) -> Raw {
    let mut req = Request::get(path).header(header::HOST, "127.0.0.1");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send_raw(router, req.body(Body::empty()).expect("request")).await
}

/// Websites, pages, blocks and private templates of the tenant.
async fn counts(pool: &PgPool, tenant: Uuid) -> (i64, i64, i64, i64) {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM websites), (SELECT count(*) FROM pages), (SELECT count(*) FROM components), (SELECT count(*) FROM site_templates)",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("counts")
}

/// Text as the renderer writes it into HTML.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The heading of the first block after the navbar of each page of `key`'s document.
fn headings(key: &str) -> Vec<(String, String)> {
    let t = BUILTIN_TEMPLATES
        .iter()
        .find(|t| t.key == key)
        .expect("template");
    let doc: app::model::SiteBackup = serde_json::from_str(t.document).expect("doc");
    doc.pages
        .iter()
        .map(|p| {
            let heading = p.blocks[1].props["heading"]
                .as_str()
                .unwrap_or("")
                .to_string();
            (p.slug.clone(), heading)
        })
        .collect()
}

#[tokio::test]
async fn every_builtin_template_validates_imports_and_publishes_every_page() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Template Tester").await;
    set_plan(&pool, a.tenant_id, PRO).await;
    let owner = cookie_for(&a);
    // Pro allows 10 websites: the signup site and the eight templates fit.
    for t in &BUILTIN_TEMPLATES {
        let sub = unique(&format!("tpl-{}-", &t.key[..3]));
        let r = create(&router, &owner, t.key, &sub).await;
        assert!(r.status.is_success(), "{}: {}", t.key, r.text());
        let website: Uuid = r.json();
        let site = t.site().expect("valid");
        let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
        let (name, template_id, pages): (String, Option<String>, i64) = sqlx::query_as(
            "SELECT name, template_id, (SELECT count(*) FROM pages p WHERE p.website_id = w.id) FROM websites w WHERE id = $1",
        )
        .bind(website)
        .fetch_one(&mut *tx)
        .await
        .expect("website");
        tx.rollback().await.expect("rollback");
        assert_eq!(name, site.name);
        assert_eq!(template_id.as_deref(), Some(t.key));
        assert_eq!(pages as usize, site.pages.len());

        let p: Published = call_json(
            &router,
            "/api/websites/publish",
            Some(&owner),
            json!({ "website_id": website }),
        )
        .await
        .json();
        assert_eq!(p.pages as usize, site.pages.len(), "{}", t.key);
        for (slug, heading) in headings(t.key) {
            let path = if slug == "/" {
                format!("/sites/{sub}/")
            } else {
                format!("/sites/{sub}{slug}")
            };
            let page = get(&router, "127.0.0.1:3000", &path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            assert!(
                page.text().contains(&escaped(&heading)),
                "{path} does not show “{heading}”"
            );
        }
    }
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE action = 'website.created_from_template'",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("audit");
    assert_eq!(audited as usize, BUILTIN_TEMPLATES.len());
}

#[tokio::test]
async fn the_preview_renders_a_template_through_the_visitor_renderer_and_saves_nothing() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Preview Tester").await;
    let owner = cookie_for(&a);
    let before = counts(&pool, a.tenant_id).await;

    let home = preview(&router, Some(&owner), "/preview/templates/restaurant/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.text());
    let html = home.text();
    assert!(html.contains("Preview of the template “Trattoria Nonna Rosa”"));
    assert!(html.contains("Handmade pasta, the way Nonna taught us"));
    // Site navigation stays inside the preview.
    assert!(
        html.contains("href=\"/preview/templates/restaurant/menu\""),
        "{html}"
    );
    assert!(!html.contains("/_sp/beacon.js"), "previews are not visits");
    assert!(html.contains("noindex"));
    assert_eq!(home.header("x-frame-options"), Some("SAMEORIGIN"));
    assert!(home
        .header("content-security-policy")
        .is_some_and(|c| c.contains("frame-ancestors 'self'")));

    let menu = preview(&router, Some(&owner), "/preview/templates/restaurant/menu").await;
    assert_eq!(menu.status, StatusCode::OK);
    assert!(menu.text().contains("Pappardelle, wild boar ragù"));

    let thumb = preview(&router, Some(&owner), "/preview/templates/saas/?thumbnail").await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert!(thumb.text().contains("Close your books in minutes"));
    assert!(
        !thumb.text().contains("Preview of the template"),
        "no banner in a thumbnail"
    );

    let missing = preview(&router, Some(&owner), "/preview/templates/restaurant/nope").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let unknown = preview(&router, Some(&owner), "/preview/templates/casino/").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let anonymous = preview(&router, None, "/preview/templates/restaurant/").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);

    assert_eq!(
        counts(&pool, a.tenant_id).await,
        before,
        "a preview writes nothing"
    );
}

#[tokio::test]
async fn creating_from_a_template_respects_the_website_limit_and_refuses_bad_input_whole() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Limit Tester").await;
    let owner = cookie_for(&a);
    let before = counts(&pool, a.tenant_id).await;

    // Starter holds one website, and the signup made it.
    let r = create(&router, &owner, "restaurant", &unique("lim-")).await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED, "{}", r.text());
    assert!(matches!(r.error(), AppError::LimitReached { .. }));
    // Unknown template, another tenant's private template, a bad address: nothing written.
    let r = create(&router, &owner, "casino", &unique("lim-")).await;
    assert!(matches!(r.error(), AppError::NotFound(_)), "{}", r.text());
    let r = create(
        &router,
        &owner,
        &Uuid::new_v4().to_string(),
        &unique("lim-"),
    )
    .await;
    assert!(matches!(r.error(), AppError::NotFound(_)), "{}", r.text());
    let r = create(&router, &owner, "restaurant", "Not A Subdomain!").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error().field(), Some("subdomain"));
    assert_eq!(counts(&pool, a.tenant_id).await, before);

    // Growth holds three; a taken address is refused and the import rolled back.
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let r = create(&router, &owner, "restaurant", &a.subdomain).await;
    assert_eq!(r.error().field(), Some("subdomain"), "{}", r.text());
    assert_eq!(counts(&pool, a.tenant_id).await, before);
    let r = call_json(
        &router,
        "/api/templates/create_site",
        Some(&owner),
        json!({ "template": "event", "name": "Frontend South", "subdomain": unique("ev-") }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let id: Uuid = r.json();
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let name: String = sqlx::query_scalar("SELECT name FROM websites WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .expect("name");
    assert_eq!(name, "Frontend South");
}

#[tokio::test]
async fn private_templates_are_saved_used_and_deleted_by_content_roles_inside_their_tenant() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Private Templates").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let owner = cookie_for(&a);
    let editor = member_cookie(&pool, &a, "editor").await;
    let developer = member_cookie(&pool, &a, "developer").await;
    let viewer = member_cookie(&pool, &a, "viewer").await;

    // Make the site recognisable: a second page.
    let r = call_json(
        &router,
        "/api/pages/create",
        Some(&owner),
        json!({ "website_id": a.website_id, "title": "Opening hours", "slug": "/hours" }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());

    let save = |cookie: String, name: &'static str| {
        let router = router.clone();
        async move {
            call_json(
                &router,
                "/api/templates/save",
                Some(&cookie),
                json!({ "website_id": a.website_id, "name": name }),
            )
            .await
        }
    };
    for refused in [developer.clone(), viewer.clone()] {
        let r = save(refused, "Nope").await;
        assert!(matches!(r.error(), AppError::Forbidden(_)), "{}", r.text());
    }
    let r = save(owner.clone(), "x").await;
    assert_eq!(r.error().field(), Some("name"), "{}", r.text());
    let r = save(editor.clone(), "Our house style").await;
    assert!(r.status.is_success(), "{}", r.text());
    let id: Uuid = r.json();

    // Every member sees it in the gallery, next to the built-in ones.
    let gallery: TemplateGallery =
        call_json(&router, "/api/templates/list", Some(&viewer), json!({}))
            .await
            .json();
    assert_eq!(gallery.builtin.len(), BUILTIN_TEMPLATES.len());
    assert_eq!(gallery.own.len(), 1);
    assert_eq!(gallery.own[0].key, id.to_string());
    assert_eq!(gallery.own[0].name, "Our house style");
    assert_eq!(
        gallery.own[0].pages,
        vec!["Home".to_string(), "Opening hours".to_string()]
    );

    // Its preview and a new website from it.
    let p = preview(
        &router,
        Some(&viewer),
        &format!("/preview/templates/{id}/hours"),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text());
    let sub = unique("mine-");
    let r = create(&router, &developer, &id.to_string(), &sub).await;
    assert!(r.status.is_success(), "{}", r.text());
    let made: Uuid = r.json();

    // Another tenant neither sees, previews, uses nor deletes it.
    let b = account(&pool, "Other Team").await;
    set_plan(&pool, b.tenant_id, GROWTH).await;
    let intruder = cookie_for(&b);
    let theirs: TemplateGallery =
        call_json(&router, "/api/templates/list", Some(&intruder), json!({}))
            .await
            .json();
    assert!(theirs.own.is_empty());
    let p = preview(
        &router,
        Some(&intruder),
        &format!("/preview/templates/{id}/"),
    )
    .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(!p.text().contains("Opening hours"));
    let r = create(&router, &intruder, &id.to_string(), &unique("steal-")).await;
    assert!(matches!(r.error(), AppError::NotFound(_)), "{}", r.text());
    // Nor save another tenant's website as its template.
    let r = call_json(
        &router,
        "/api/templates/save",
        Some(&intruder),
        json!({ "website_id": a.website_id, "name": "Stolen" }),
    )
    .await;
    assert!(matches!(r.error(), AppError::NotFound(_)), "{}", r.text());
    let r = call_json(
        &router,
        "/api/templates/delete",
        Some(&intruder),
        json!({ "template_id": id }),
    )
    .await;
    assert!(matches!(r.error(), AppError::NotFound(_)), "{}", r.text());

    // Deleting: not by a viewer; by an editor; the website made from it stays.
    let r = call_json(
        &router,
        "/api/templates/delete",
        Some(&viewer),
        json!({ "template_id": id }),
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(_)), "{}", r.text());
    let r = call_json(
        &router,
        "/api/templates/delete",
        Some(&editor),
        json!({ "template_id": id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let (_, _, _, templates) = counts(&pool, a.tenant_id).await;
    assert_eq!(templates, 0);
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let still: i64 = sqlx::query_scalar("SELECT count(*) FROM pages WHERE website_id = $1")
        .bind(made)
        .fetch_one(&mut *tx)
        .await
        .expect("pages");
    assert_eq!(still, 2);
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_logs WHERE action LIKE 'template.%' ORDER BY created_at",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("audit");
    assert_eq!(actions, vec!["template.saved", "template.deleted"]);
}
