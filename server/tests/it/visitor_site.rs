//! The visitor site: status codes, navigation, SEO tags, sitemap/robots and the
//! security headers. Cache behaviour and the no-table-access proof are in `visitor_site/`.

use std::time::{Duration, Instant};

use app::db::{accounts::NewAccount, tenant_tx};
use app::model::{BlockProps, FaqItem, FaqProps};
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use uuid::Uuid;

use crate::common::*;

mod cache;
mod no_tables;

pub struct Site {
    pub a: NewAccount,
    pub owner: String,
    pub host: String,
}

pub struct Got {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Got {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }
}

/// A GET with extra headers, keeping every response header.
pub async fn fetch(router: &Router, host: &str, path: &str, extra: &[(&str, &str)]) -> Got {
    let mut req = Request::get(path).header(header::HOST, host);
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let res = router
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let (status, headers) = (res.status(), res.headers().clone());
    let body = String::from_utf8_lossy(&res.into_body().collect().await.expect("body").to_bytes())
        .into_owned();
    Got {
        status,
        headers,
        body,
    }
}

/// Polls `path` until `done` holds (the cache evicts when PostgreSQL's notification arrives,
/// a few milliseconds after the change commits). Fails after five seconds, far below the
/// cache's 60 s safety TTL, so passing proves the notification path.
pub async fn eventually(
    router: &Router,
    host: &str,
    path: &str,
    what: &str,
    done: impl Fn(&Got) -> bool,
) -> Got {
    let start = Instant::now();
    loop {
        let got = fetch(router, host, path, &[]).await;
        if done(&got) {
            return got;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{what}: still {} {}",
            got.status,
            got.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn publish(router: &Router, s: &Site) {
    let r = call_json(
        router,
        "/api/websites/publish",
        Some(&s.owner),
        json!({ "website_id": s.a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "publish refused: {}", r.text());
}

/// A fresh tenant whose sign-up site is published.
pub async fn published_site(router: &Router, pool: &sqlx::PgPool, org: &str) -> Site {
    let a = account(pool, org).await;
    let owner = cookie_for(&a);
    let host = format!("{}.localhost:3000", a.subdomain);
    let s = Site { a, owner, host };
    publish(router, &s).await;
    s
}

async fn settings_revision(router: &Router, s: &Site, page: Uuid) -> i64 {
    let list: app::model::PagesOverview = call_json(
        router,
        "/api/pages/list",
        Some(&s.owner),
        json!({ "website_id": s.a.website_id }),
    )
    .await
    .json();
    list.pages
        .into_iter()
        .find(|p| p.id == page)
        .expect("page listed")
        .settings_revision
}

/// Changes page settings through the real server function.
pub async fn update_page(router: &Router, s: &Site, page: Uuid, patch: Value) {
    let rev = settings_revision(router, s, page).await;
    let body = json!({ "page_id": page, "base_revision": rev, "patch": patch });
    let r = call_json(router, "/api/pages/update", Some(&s.owner), body).await;
    assert!(r.status.is_success(), "update refused: {}", r.text());
}

/// A new published page.
pub async fn add_page(router: &Router, s: &Site, title: &str, slug: &str) -> Uuid {
    let created = call_json(
        router,
        "/api/pages/create",
        Some(&s.owner),
        json!({ "website_id": s.a.website_id, "title": title, "slug": slug }),
    )
    .await;
    let id: Uuid = created.json::<Value>()["id"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .expect("page id");
    update_page(router, s, id, json!({ "status": "published" })).await;
    id
}

pub async fn home(router: &Router, s: &Site) -> Uuid {
    let list: app::model::PagesOverview = call_json(
        router,
        "/api/pages/list",
        Some(&s.owner),
        json!({ "website_id": s.a.website_id }),
    )
    .await
    .json();
    list.pages
        .into_iter()
        .find(|p| p.is_home)
        .expect("home page")
        .id
}

/// Runs `sql` (binding the tenant id as $1) as the app role in the tenant's transaction, as
/// billing or an admin action would.
async fn as_tenant(pool: &sqlx::PgPool, tenant: Uuid, sql: &str) {
    let mut tx = tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query(sql)
        .bind(tenant)
        .execute(&mut *tx)
        .await
        .expect(sql);
    tx.commit().await.expect("commit");
}

fn assert_csp(got: &Got) {
    let csp = got.header("content-security-policy");
    for part in [
        "script-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "frame-src 'self'",
    ] {
        assert!(csp.contains(part), "CSP {csp:?} lacks {part}");
    }
    assert!(
        !csp.split(';')
            .any(|d| d.trim().starts_with("script-src") && d.contains("unsafe")),
        "script-src stays strict: {csp}"
    );
}

#[tokio::test]
async fn draft_archived_and_suspended_sites_answer_404_or_403() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = published_site(&router, &pool, "Status Co").await;
    let ok = fetch(&router, &s.host, "/", &[]).await;
    assert_eq!(ok.status, StatusCode::OK);

    let missing = fetch(&router, &s.host, "/no-such-page", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body.contains("Page not found") && missing.body.contains("/pkg/sitepilot.css"),
        "styled 404"
    );

    for (status, code) in [
        ("draft", 404),
        ("archived", 404),
        ("suspended", 403),
        ("published", 200),
    ] {
        as_tenant(
            &pool,
            s.a.tenant_id,
            &format!("UPDATE websites SET status = '{status}' WHERE tenant_id = $1"),
        )
        .await;
        let got = eventually(&router, &s.host, "/", status, |g| g.status.as_u16() == code).await;
        assert_csp(&got);
        if code == 403 {
            assert!(
                got.body.contains("This site is temporarily unavailable"),
                "{}",
                got.body
            );
            assert!(got.body.contains("/pkg/sitepilot.css"), "styled 403");
        }
        // The path form answers the same.
        assert_eq!(
            fetch(
                &router,
                "127.0.0.1",
                &format!("/sites/{}/", s.a.subdomain),
                &[]
            )
            .await
            .status
            .as_u16(),
            code
        );
    }

    // Billing suspends the tenant: every one of its sites answers 403; lifting it restores them.
    as_tenant(
        &pool,
        s.a.tenant_id,
        "UPDATE tenants SET status = 'suspended' WHERE id = $1",
    )
    .await;
    let got = eventually(&router, &s.host, "/", "tenant suspended", |g| {
        g.status == StatusCode::FORBIDDEN
    })
    .await;
    assert!(got.body.contains("This site is temporarily unavailable"));
    assert!(
        !got.body.contains("Welcome"),
        "no content of a suspended site"
    );
    as_tenant(
        &pool,
        s.a.tenant_id,
        "UPDATE tenants SET status = 'active' WHERE id = $1",
    )
    .await;
    eventually(&router, &s.host, "/", "tenant active", |g| {
        g.status == StatusCode::OK
    })
    .await;
}

#[tokio::test]
async fn nav_lists_pages_in_order_with_labels_and_hidden_pages_stay_reachable() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = published_site(&router, &pool, "Nav Co").await;
    let about = add_page(&router, &s, "About", "/about").await;
    update_page(&router, &s, about, json!({ "nav_label": "About us" })).await;
    let secret = add_page(&router, &s, "Secret offer", "/secret-offer").await;
    update_page(&router, &s, secret, json!({ "show_in_nav": false })).await;
    // Hidden: published, still marked for the nav, but hidden pages never appear in it.
    let hidden = add_page(&router, &s, "Hidden sale", "/hidden-sale").await;
    update_page(
        &router,
        &s,
        hidden,
        json!({ "status": "hidden", "show_in_nav": true }),
    )
    .await;
    publish(&router, &s).await;

    let page = eventually(&router, &s.host, "/", "new pages", |g| {
        g.body.contains("About us")
    })
    .await;
    let nav_about = page.body.find(r#"href="/about""#).expect("about in nav");
    let nav_home = page.body.find(r#"href="/""#).expect("home in nav");
    assert!(nav_home < nav_about, "home first, then nav order");
    assert!(
        !page.body.contains("/secret-offer"),
        "a page left out of the nav is not linked"
    );
    let direct = fetch(&router, &s.host, "/secret-offer", &[]).await;
    assert_eq!(direct.status, StatusCode::OK, "but reachable by its URL");
    assert!(
        !page.body.contains("/hidden-sale") && !page.body.contains("Hidden sale"),
        "a hidden page is not in the nav"
    );
    let hidden_page = fetch(&router, &s.host, "/hidden-sale", &[]).await;
    assert_eq!(
        hidden_page.status,
        StatusCode::OK,
        "a hidden page is reachable by its URL"
    );
    assert!(
        !hidden_page.body.contains(r#"href="/hidden-sale""#),
        "not even on its own page's nav"
    );

    // On the path form, nav links stay on the path form.
    let by_path = fetch(
        &router,
        "127.0.0.1",
        &format!("/sites/{}/", s.a.subdomain),
        &[],
    )
    .await;
    assert!(
        by_path
            .body
            .contains(&format!(r#"href="/sites/{}/about""#, s.a.subdomain)),
        "{}",
        by_path.body
    );
}

const XSSY: &str = "Q </script><script>alert(1)</script> & more";

#[tokio::test]
async fn seo_head_tags_follow_defaults_page_meta_and_request_host() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = published_site(&router, &pool, "Seo Co").await;
    as_tenant(&pool, s.a.tenant_id, r#"UPDATE websites SET seo_defaults =
        '{"title_template": "%s · Seo Co", "description": "Default description", "og_image": "/img/share.png"}'
        WHERE tenant_id = $1"#).await;
    let home_id = home(&router, &s).await;
    let data = load_page(&router, &s.owner, home_id).await;
    let faq = BlockProps::Faq(FaqProps {
        heading: "Questions".into(),
        subheading: String::new(),
        items: vec![FaqItem {
            question: XSSY.into(),
            answer: "Yes <b>really</b>".into(),
        }],
    });
    insert(&router, &s.owner, home_id, faq, None, data.revision)
        .await
        .ok();
    let about = add_page(&router, &s, "About", "/about").await;
    update_page(
        &router,
        &s,
        about,
        json!({ "seo_meta": {
        "title": "All about us", "description": "Who we are", "og_title": "Meet us",
        "og_image": "https://cdn.example.com/team.jpg", "twitter_card": "summary_large_image",
        "no_index": true, "no_follow": true } }),
    )
    .await;
    publish(&router, &s).await;

    let home = eventually(&router, &s.host, "/", "faq published", |g| {
        g.body.contains("Questions")
    })
    .await;
    let b = &home.body;
    assert!(
        b.contains("<title>Home · Seo Co</title>"),
        "title template: {b}"
    );
    assert!(b.contains(r#"<meta name="description" content="Default description">"#));
    let canonical = format!("https://{}/", s.host);
    assert!(
        b.contains(&format!(r#"<link rel="canonical" href="{canonical}">"#)),
        "canonical on request host"
    );
    assert!(
        b.contains(&format!(r#"content="{canonical}" property="og:url""#))
            || b.contains(&format!(r#"property="og:url" content="{canonical}""#))
    );
    assert!(
        b.contains(&format!("https://{}/img/share.png", s.host)),
        "default og:image made absolute"
    );
    assert!(b.contains("twitter:card") && b.contains("og:title"));
    assert!(!b.contains(r#"name="robots""#), "home may be indexed");
    // JSON-LD: Organization and FAQPage; the question cannot close the script element.
    assert!(
        b.contains(r#""@type":"Organization""#) && b.contains(r#""@type":"FAQPage""#),
        "{b}"
    );
    assert!(
        b.contains(r#"\u003c/script\u003e\u003cscript\u003ealert(1)"#),
        "escaped in JSON-LD"
    );
    assert!(!b.contains("<script>alert(1)"), "never raw");
    assert_eq!(
        b.matches("</script>").count(),
        3,
        "only the two JSON-LD elements and the beacon end a script"
    );
    assert_eq!(b.matches("<script").count(), 3);
    assert!(b.contains(r#"<script src="/_sp/beacon.js" defer></script>"#));

    let about = fetch(&router, &s.host, "/about", &[]).await;
    let b = &about.body;
    assert!(b.contains("<title>All about us</title>") && b.contains(r#"content="Who we are""#));
    assert!(b.contains(r#"content="Meet us""#) && b.contains("https://cdn.example.com/team.jpg"));
    assert!(
        b.contains(r#"<meta name="robots" content="noindex, nofollow">"#),
        "{b}"
    );

    // Path form: the canonical address is the path-form address itself.
    let by_path = fetch(
        &router,
        "127.0.0.1:3000",
        &format!("/sites/{}/about", s.a.subdomain),
        &[],
    )
    .await;
    let own = format!("http://127.0.0.1:3000/sites/{}/about", s.a.subdomain);
    assert!(
        by_path
            .body
            .contains(&format!(r#"<link rel="canonical" href="{own}">"#)),
        "{}",
        by_path.body
    );
}

#[tokio::test]
async fn sitemap_and_robots_list_public_indexable_pages_with_csp() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = published_site(&router, &pool, "Map Co").await;
    let about = add_page(&router, &s, "About", "/about").await;
    let hidden = add_page(&router, &s, "Thanks", "/thanks").await;
    update_page(
        &router,
        &s,
        hidden,
        json!({ "seo_meta": { "no_index": true } }),
    )
    .await;
    let locked = add_page(&router, &s, "Members", "/members").await;
    let rev = settings_revision(&router, &s, locked).await;
    let r = call_json(
        &router,
        "/api/pages/password",
        Some(&s.owner),
        json!({ "page_id": locked, "base_revision": rev, "password": "open-sesame-42" }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let _draft = call_json(
        &router,
        "/api/pages/create",
        Some(&s.owner),
        json!({ "website_id": s.a.website_id, "title": "Draft", "slug": "/draft" }),
    )
    .await;
    let _ = about;
    publish(&router, &s).await;

    let map = eventually(&router, &s.host, "/sitemap.xml", "sitemap", |g| {
        g.body.contains("/about")
    })
    .await;
    assert_eq!(map.header("content-type"), "application/xml; charset=utf-8");
    assert_csp(&map);
    let base = format!("https://{}", s.host);
    assert!(
        map.body.contains(&format!("<loc>{base}/</loc>"))
            && map.body.contains(&format!("<loc>{base}/about</loc>"))
    );
    for left_out in ["/thanks", "/members", "/draft"] {
        assert!(
            !map.body.contains(left_out),
            "{left_out} must not be listed: {}",
            map.body
        );
    }
    let robots = fetch(&router, &s.host, "/robots.txt", &[]).await;
    assert_eq!(robots.status, StatusCode::OK);
    assert!(
        robots
            .body
            .contains(&format!("Sitemap: {base}/sitemap.xml")),
        "{}",
        robots.body
    );

    let path_base = format!("http://127.0.0.1/sites/{}", s.a.subdomain);
    let map = fetch(
        &router,
        "127.0.0.1",
        &format!("/sites/{}/sitemap.xml", s.a.subdomain),
        &[],
    )
    .await;
    assert!(
        map.body.contains(&format!("<loc>{path_base}/about</loc>")),
        "{}",
        map.body
    );
    let robots = fetch(
        &router,
        "127.0.0.1",
        &format!("/sites/{}/robots.txt", s.a.subdomain),
        &[],
    )
    .await;
    assert!(
        robots
            .body
            .contains(&format!("Sitemap: {path_base}/sitemap.xml")),
        "{}",
        robots.body
    );

    // Every visitor response carries the policy: page, 404, password form.
    assert_csp(&fetch(&router, &s.host, "/", &[]).await);
    assert_csp(&fetch(&router, &s.host, "/nope", &[]).await);
    let form = fetch(&router, &s.host, "/members", &[]).await;
    assert_eq!(form.status, StatusCode::UNAUTHORIZED);
    assert_csp(&form);
}
