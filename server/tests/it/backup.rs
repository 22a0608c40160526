//! Website backups (issue 20): export → import → export round trip, hostile and corrupted
//! documents refused with nothing written, an older format version (a committed fixture)
//! still importing, plan limits, and the audit trail.

use crate::common::*;
use app::error::AppError;
use app::model::SiteBackup;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

const V1_FIXTURE: &str = include_str!("../fixtures/backup_v1.json");

async fn export(router: &axum::Router, cookie: Option<&str>, website: Uuid) -> Raw {
    let mut req =
        Request::get(format!("/websites/{website}/export")).header(header::HOST, "127.0.0.1");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send_raw(router, req.body(Body::empty()).expect("request")).await
}

async fn import(router: &axum::Router, cookie: &str, subdomain: &str, document: &str) -> Reply {
    call_json(
        router,
        "/api/websites/import",
        Some(cookie),
        json!({ "name": "", "subdomain": subdomain, "document": document }),
    )
    .await
}

/// Websites, pages and blocks of the tenant: what an import writes.
async fn counts(pool: &PgPool, tenant: Uuid) -> (i64, i64, i64) {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    let row: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM websites), (SELECT count(*) FROM pages), (SELECT count(*) FROM components)",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("counts");
    row
}

async fn audit_actions(pool: &PgPool, tenant: Uuid) -> Vec<String> {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_scalar("SELECT action FROM audit_logs ORDER BY created_at")
        .fetch_all(&mut *tx)
        .await
        .expect("audit")
}

/// A Pro tenant whose website has a second page with its own SEO and layout, a hidden block
/// and custom branding.
async fn rich_site(
    pool: &PgPool,
    router: &axum::Router,
) -> (app::db::accounts::NewAccount, String) {
    let a = account(pool, "Backup Bakery").await;
    set_plan(pool, a.tenant_id, PRO).await;
    let owner = cookie_for(&a);
    let r = call_json(
        router,
        "/api/pages/create",
        Some(&owner),
        json!({ "website_id": a.website_id, "title": "Menu", "slug": "/menu" }),
    )
    .await;
    assert!(r.status.is_success(), "page: {}", r.text());
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    sqlx::query(
        r#"UPDATE pages SET seo_meta = '{"title": "Our menu", "no_index": true}',
                  page_config = '{"show_navbar": true, "show_footer": false, "max_width": "960px", "padding": "24px"}',
                  nav_label = 'Food'
           WHERE slug = '/menu'"#,
    )
    .execute(&mut *tx)
    .await
    .expect("seo");
    sqlx::query("UPDATE components SET is_visible = false WHERE type = 'rich_text'")
        .execute(&mut *tx)
        .await
        .expect("hide");
    sqlx::query(
        r##"UPDATE websites SET branding_config = jsonb_set(branding_config, '{colors,primary}', '"#B45309"')"##,
    )
    .execute(&mut *tx)
    .await
    .expect("branding");
    tx.commit().await.expect("commit");
    (a, owner)
}

#[tokio::test]
async fn export_import_export_is_identical_after_normalisation() {
    let pool = pool().await;
    let router = router(pool.clone());
    let (a, owner) = rich_site(&pool, &router).await;

    let first = export(&router, Some(&owner), a.website_id).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let disposition = first.header("content-disposition").unwrap_or_default();
    assert!(
        disposition.starts_with("attachment; filename=\"backup-bakery-")
            && disposition.ends_with(".sitepilot.json\""),
        "{disposition}"
    );
    assert!(first
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json")));
    let doc: SiteBackup = serde_json::from_slice(&first.body).expect("backup JSON");
    assert_eq!(doc.version, app::model::BACKUP_VERSION);
    assert_eq!(doc.pages.len(), 2);
    assert_eq!(doc.pages[0].slug, "/");
    let menu = &doc.pages[1];
    assert_eq!(menu.nav_label.as_deref(), Some("Food"));
    assert_eq!(menu.seo["title"], "Our menu");
    assert_eq!(menu.page_config["max_width"], "960px");
    assert!(doc.pages.iter().flat_map(|p| &p.blocks).any(|b| !b.visible));
    assert_eq!(doc.website.branding["colors"]["primary"], "#B45309");

    let sub = unique("copy-");
    let r = import(&router, &owner, &sub, &first.text()).await;
    assert!(r.status.is_success(), "import: {}", r.text());
    let copy: Uuid = r.json();
    assert_ne!(copy, a.website_id);

    let second = export(&router, Some(&owner), copy).await;
    assert_eq!(second.status, StatusCode::OK);
    let again: SiteBackup = serde_json::from_slice(&second.body).expect("backup JSON");
    assert_eq!(
        doc.normalised(),
        again.normalised(),
        "the re-exported copy differs from the original export"
    );

    let actions = audit_actions(&pool, a.tenant_id).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "website.exported").count(),
        2
    );
    assert!(actions.iter().any(|a| a == "website.imported"));
}

#[tokio::test]
async fn hostile_and_corrupted_documents_are_refused_with_nothing_written() {
    let pool = pool().await;
    let router = router(pool.clone());
    let (a, owner) = rich_site(&pool, &router).await;
    let good: Value =
        serde_json::from_slice(&export(&router, Some(&owner), a.website_id).await.body)
            .expect("json");
    let with = |f: &dyn Fn(&mut Value)| {
        let mut d = good.clone();
        f(&mut d);
        d.to_string()
    };
    let padded = |n: usize| {
        format!(
            "{{\"format\":\"sitepilot.website\",\"pad\":\"{}\"}}",
            "x".repeat(n)
        )
    };
    // (what, document, field of the error, words the message must contain)
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "not JSON",
            "{\"format\": \"sitepilot.websi".into(),
            "document",
            "not valid JSON",
        ),
        (
            "another format",
            json!({ "format": "other", "version": 2 }).to_string(),
            "document",
            "not a SitePilot",
        ),
        (
            "a newer version",
            with(&|d| d["version"] = json!(99)),
            "document",
            "newer SitePilot",
        ),
        (
            "no version",
            with(&|d| {
                d.as_object_mut().map(|o| o.remove("version"));
            }),
            "document",
            "no format version",
        ),
        (
            "unknown top-level key",
            with(&|d| d["evil"] = json!(true)),
            "document",
            "damaged",
        ),
        (
            "too large",
            padded(app::model::BACKUP_MAX_BYTES),
            "document",
            "larger than",
        ),
        // Past the server's 2 MiB request limit: refused before the import runs.
        ("far too large", padded(3 << 20), "request", "length limit"),
        (
            "script link in a block",
            with(&|d| {
                d["pages"][1]["blocks"][1]["props"]["cta_primary_href"] =
                    json!("javascript:alert(1)")
            }),
            "pages.1.blocks.1.cta_primary_href",
            "Page 2 “Menu” (/menu), block 2 (Hero)",
        ),
        (
            "unknown block type",
            with(&|d| d["pages"][0]["blocks"][0]["type"] = json!("marquee")),
            "pages.0.blocks.0.type",
            "block 1 (unknown type)",
        ),
        (
            "props of the wrong shape",
            with(&|d| d["pages"][0]["blocks"][1]["props"]["heading"] = json!({ "x": 1 })),
            "pages.0.blocks.1.props",
            "Page 1 “Home” (/), block 2",
        ),
        (
            "two pages at one address",
            with(&|d| d["pages"][1]["slug"] = json!("/")),
            "pages.1.slug",
            "already uses this address",
        ),
        (
            "no home page",
            with(&|d| d["pages"][0]["slug"] = json!("/start")),
            "pages",
            "no home page",
        ),
        (
            "a bad slug",
            with(&|d| d["pages"][1]["slug"] = json!("/../etc")),
            "pages.1.slug",
            "Page 2",
        ),
        (
            "CSS injection in the layout",
            with(&|d| d["pages"][1]["page_config"]["max_width"] = json!("1px;background:url(x)")),
            "pages.1.max_width",
            "Page 2",
        ),
        (
            "a bad SEO image",
            with(&|d| d["pages"][0]["seo"]["og_image"] = json!("javascript:x")),
            "pages.0.og_image",
            "Page 1",
        ),
        (
            "a bad brand colour",
            with(&|d| d["website"]["branding"]["colors"]["primary"] = json!("red; x")),
            "website.branding.colors.primary",
            "Branding",
        ),
        (
            "an unknown page status",
            with(&|d| d["pages"][1]["status"] = json!("live")),
            "pages.1.status",
            "draft, published or hidden",
        ),
    ];
    let before = counts(&pool, a.tenant_id).await;
    let mut failures = Vec::new();
    for (what, doc, field, words) in cases {
        let r = import(&router, &owner, &unique("evil-"), &doc).await;
        if r.status != StatusCode::BAD_REQUEST {
            failures.push(format!("{what}: status {} {}", r.status, r.text()));
            continue;
        }
        match r.error() {
            AppError::Invalid { field: f, message } if f == field && message.contains(words) => {}
            other => failures.push(format!(
                "{what}: expected {field} / {words:?}, got {other:?}"
            )),
        }
        if counts(&pool, a.tenant_id).await != before {
            failures.push(format!("{what}: rows were written"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(!audit_actions(&pool, a.tenant_id)
        .await
        .iter()
        .any(|a| a == "website.imported"));
}

#[tokio::test]
async fn a_version_1_backup_is_upgraded_and_imports() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Old Bakery").await;
    set_plan(&pool, a.tenant_id, PRO).await;
    let owner = cookie_for(&a);
    let r = import(&router, &owner, &unique("old-"), V1_FIXTURE).await;
    assert!(r.status.is_success(), "import: {}", r.text());
    let id: Uuid = r.json();
    let doc: SiteBackup =
        serde_json::from_slice(&export(&router, Some(&owner), id).await.body).expect("json");
    assert_eq!(doc.version, app::model::BACKUP_VERSION);
    assert_eq!(doc.website.name, "Old Bakery");
    assert_eq!(doc.website.branding["colors"]["primary"], "#B45309");
    let slugs: Vec<&str> = doc.pages.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(slugs, ["/", "/our-bread"]);
    assert_eq!(doc.pages[0].seo["title"], "Old Bakery: bread since 1962");
    assert_eq!(doc.pages[0].blocks.len(), 2);
    assert!(!doc.pages[0].blocks[1].visible, "is_visible became visible");
    assert_eq!(doc.pages[1].nav_label.as_deref(), Some("Bread"));
    assert!(doc.pages[1].show_in_nav);
}

#[tokio::test]
async fn import_respects_the_plan_and_the_role_and_export_needs_a_member() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Starter Bakery").await;
    let owner = cookie_for(&a);
    let doc = export(&router, Some(&owner), a.website_id).await;
    assert_eq!(doc.status, StatusCode::OK);
    let before = counts(&pool, a.tenant_id).await;
    // Starter allows one website: the import is refused with the upgrade named.
    let r = import(&router, &owner, &unique("more-"), &doc.text()).await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED, "{}", r.text());
    match r.error() {
        AppError::LimitReached {
            limit, upgrade_to, ..
        } => {
            assert_eq!(limit, "max_websites");
            assert!(upgrade_to.is_some());
        }
        other => panic!("expected LimitReached, got {other:?}"),
    }
    // Custom HTML is Pro only, on Growth too.
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let mut with_html: Value = serde_json::from_slice(&doc.body).expect("json");
    with_html["pages"][0]["blocks"]
        .as_array_mut()
        .expect("blocks")
        .push(json!({ "type": "custom_html", "props": { "html": "<p>hi</p>" }, "visible": true }));
    let r = import(&router, &owner, &unique("html-"), &with_html.to_string()).await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED, "{}", r.text());
    // A taken address.
    let r = import(&router, &owner, &a.subdomain, &doc.text()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error().field(), Some("subdomain"));
    // A viewer cannot import.
    let viewer = member_cookie(&pool, &a, "viewer").await;
    let r = import(&router, &viewer, &unique("view-"), &doc.text()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(counts(&pool, a.tenant_id).await, before);
    // Export: a viewer may, nobody and another tenant may not.
    assert_eq!(
        export(&router, Some(&viewer), a.website_id).await.status,
        StatusCode::OK
    );
    assert_eq!(
        export(&router, None, a.website_id).await.status,
        StatusCode::UNAUTHORIZED
    );
    let other = account(&pool, "Other Bakery").await;
    let r = export(&router, Some(&cookie_for(&other)), a.website_id).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.text().contains("Starter Bakery"));
}

/// The issue's benchmark: a website of 50 pages × 40 blocks is imported and exported through
/// the whole router; the times are printed (the target is 1 s each on a release build).
#[tokio::test]
async fn fifty_pages_of_forty_blocks_round_trip_and_report_their_time() {
    use app::model::{BlockProps, ComponentKind};
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Big Bakery").await;
    set_plan(&pool, a.tenant_id, PRO).await;
    let owner = cookie_for(&a);
    let kinds: Vec<ComponentKind> = ComponentKind::ALL
        .into_iter()
        .filter(|k| *k != ComponentKind::CustomHtml)
        .collect();
    let pages: Vec<Value> = (0..50)
        .map(|i| {
            let blocks: Vec<Value> = (0..40)
                .map(|j| {
                    let kind = kinds[(i + j) % kinds.len()];
                    json!({ "type": kind.as_str(), "props": BlockProps::starter(kind).props_json(), "visible": true })
                })
                .collect();
            json!({
                "title": format!("Page {i}"),
                "slug": if i == 0 { "/".to_string() } else { format!("/page-{i}") },
                "status": "published",
                "show_in_nav": true,
                "blocks": blocks,
            })
        })
        .collect();
    let doc = json!({
        "format": "sitepilot.website",
        "version": 2,
        "exported_at": "2026-12-01T00:00:00Z",
        "website": { "name": "Big Bakery", "branding": {} },
        "pages": pages,
    })
    .to_string();
    let started = std::time::Instant::now();
    let r = import(&router, &owner, &unique("big-"), &doc).await;
    let import_time = started.elapsed();
    assert!(r.status.is_success(), "{}", r.text());
    let id: Uuid = r.json();
    let started = std::time::Instant::now();
    let res = export(&router, Some(&owner), id).await;
    let export_time = started.elapsed();
    assert_eq!(res.status, StatusCode::OK);
    let back: SiteBackup = serde_json::from_slice(&res.body).expect("json");
    assert_eq!(back.pages.len(), 50);
    assert!(back.pages.iter().all(|p| p.blocks.len() == 40));
    println!(
        "50 pages x 40 blocks: document {} bytes, import {import_time:?}, export {export_time:?} ({} bytes)",
        doc.len(),
        res.body.len()
    );
    // Debug build on a shared machine: the bound leaves room; the report quotes the numbers.
    assert!(import_time.as_secs_f64() < 5.0 && export_time.as_secs_f64() < 5.0);
}
