//! Password-protected pages on the visitor site and page_config applied to
//! visitor pages. Visitors only ever see the live snapshot.

use crate::common::*;
use app::db::{accounts::NewAccount, tenant_tx};
use app::model::{BlockProps, ComponentKind, PageInfo, PagesOverview};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use server::config::DEV_PAGE_UNLOCK_SECRET;
use server::unlock;
use tower::ServiceExt;
use uuid::Uuid;

const SECRET_TEXT: &str = "Members only lasagne recipe";
const PASSWORD: &str = "open-sesame-42";

struct Site {
    a: NewAccount,
    owner: String,
    host: String,
    page: Uuid,
}

async fn pages(router: &Router, cookie: &str, website: Uuid) -> PagesOverview {
    call_json(
        router,
        "/api/pages/list",
        Some(cookie),
        json!({ "website_id": website }),
    )
    .await
    .json()
}

async fn info(router: &Router, cookie: &str, website: Uuid, page: Uuid) -> PageInfo {
    pages(router, cookie, website)
        .await
        .pages
        .into_iter()
        .find(|p| p.id == page)
        .expect("page listed")
}

async fn page_action(router: &Router, s: &Site, page: Uuid, path: &str, extra: Value) -> Reply {
    let p = info(router, &s.owner, s.a.website_id, page).await;
    let mut body = json!({ "page_id": page, "base_revision": p.settings_revision });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let reply = call_json(router, path, Some(&s.owner), body).await;
    assert!(
        reply.status.is_success(),
        "{path} refused: {}",
        reply.text()
    );
    reply
}

async fn publish(router: &Router, s: &Site) {
    let r = call_json(
        router,
        "/api/websites/publish",
        Some(&s.owner),
        json!({ "website_id": s.a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "publish refused: {}", r.text());
}

/// A published site with a page `/members` that holds [`SECRET_TEXT`] and a password.
async fn protected_site(router: &Router, pool: &sqlx::PgPool, org: &str) -> Site {
    let a = account(pool, org).await;
    let owner = cookie_for(&a);
    let host = format!("{}.localhost:3000", a.subdomain);
    let created = call_json(
        router,
        "/api/pages/create",
        Some(&owner),
        json!({ "website_id": a.website_id, "title": "Members", "slug": "/members" }),
    )
    .await;
    let id: Uuid = created.json::<Value>()["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("page id");
    let s = Site {
        a,
        owner,
        host,
        page: id,
    };
    page_action(
        router,
        &s,
        id,
        "/api/pages/update",
        json!({ "patch": { "status": "published" } }),
    )
    .await;
    let data = load_page(router, &s.owner, id).await;
    let mut hero = BlockProps::starter(ComponentKind::Hero);
    assert!(hero.set_text("heading", SECRET_TEXT.into()));
    insert(router, &s.owner, id, hero, None, data.revision)
        .await
        .ok();
    page_action(
        router,
        &s,
        id,
        "/api/pages/password",
        json!({ "password": PASSWORD }),
    )
    .await;
    publish(router, &s).await;
    s
}

async fn send(router: &Router, req: Request<Body>) -> Reply {
    let res = router.clone().oneshot(req).await.expect("request");
    let status = res.status();
    let h = res.headers().clone();
    let set_cookie = h
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(String::from))
        .collect();
    let location = h
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Reply {
        status,
        set_cookie,
        location,
        body,
    }
}

async fn visit(router: &Router, host: &str, path: &str, cookie: Option<&str>) -> Reply {
    let mut req = Request::get(path).header(header::HOST, host);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send(router, req.body(Body::empty()).expect("request")).await
}

async fn unlock_with(router: &Router, host: &str, path: &str, password: &str) -> Reply {
    let body = format!("password={}", password.replace(' ', "+"));
    let req = Request::post(path)
        .header(header::HOST, host)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request");
    send(router, req).await
}

fn assert_form(r: &Reply) {
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let html = r.text();
    assert!(html.contains(r#"<form method="post""#), "{html}");
    assert!(
        html.contains(r#"<label for="sp-unlock-password">Password</label>"#)
            && html.contains(r#"name="password""#)
    );
    assert!(html.contains(r#"<meta name="robots" content="noindex""#));
    assert!(!html.contains(SECRET_TEXT), "no page content on the form");
    assert!(
        !html.contains("$argon2"),
        "the hash never leaves the server"
    );
}

async fn stored_hash(pool: &sqlx::PgPool, s: &Site) -> String {
    let mut tx = tenant_tx(pool, s.a.tenant_id).await.expect("tx");
    let hash: Option<String> = sqlx::query_scalar("SELECT password_hash FROM pages WHERE id = $1")
        .bind(s.page)
        .fetch_one(&mut *tx)
        .await
        .expect("hash");
    hash.expect("hash stored")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[tokio::test]
async fn a_protected_page_shows_a_form_until_the_right_password_is_given() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = protected_site(&router, &pool, "Locked Kitchen").await;

    let locked = visit(&router, &s.host, "/members", None).await;
    assert_form(&locked);
    assert!(locked.text().contains(r#"action="/members""#));
    // The home page stays public.
    assert_eq!(
        visit(&router, &s.host, "/", None).await.status,
        StatusCode::OK
    );

    let wrong = unlock_with(&router, &s.host, "/members", "not-the-one").await;
    assert_form(&wrong);
    assert!(wrong.text().contains("That password is not right."));

    let right = unlock_with(&router, &s.host, "/members", PASSWORD).await;
    assert_eq!(right.status, StatusCode::SEE_OTHER);
    assert_eq!(right.location.as_deref(), Some("/members"));
    let set = right.set_cookie.first().expect("unlock cookie").clone();
    let name = unlock::cookie_name(s.page);
    assert!(set.starts_with(&format!("{name}=")), "{set}");
    assert!(
        set.contains("; Path=/members;")
            && set.contains("HttpOnly")
            && set.contains("SameSite=Lax"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "dev server: no Secure");
    let cookie = set.split(';').next().expect("pair").to_string();

    let open = visit(&router, &s.host, "/members", Some(&cookie)).await;
    assert_eq!(open.status, StatusCode::OK);
    assert!(open.text().contains(SECRET_TEXT));
    assert!(!open.text().contains("$argon2"));

    // The visitor path reads only the snapshot: removing the password in the builder changes
    // nothing for visitors until the next publish.
    page_action(
        &router,
        &s,
        s.page,
        "/api/pages/password",
        json!({ "password": null }),
    )
    .await;
    assert_form(&visit(&router, &s.host, "/members", None).await);
    assert_eq!(
        visit(&router, &s.host, "/members", Some(&cookie))
            .await
            .status,
        StatusCode::OK
    );
    publish(&router, &s).await;
    // Visitors see the new deployment once the cache hears the publish (PostgreSQL NOTIFY).
    let public = crate::visitor_site::eventually(
        &router,
        &s.host,
        "/members",
        "public after publish",
        |g| g.status == StatusCode::OK,
    )
    .await;
    assert!(public.body.contains(SECRET_TEXT));
}

#[tokio::test]
async fn the_path_form_of_a_site_unlocks_too() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = protected_site(&router, &pool, "Path Lock").await;
    let path = format!("/sites/{}/members", s.a.subdomain);
    let locked = visit(&router, "127.0.0.1:3000", &path, None).await;
    assert_form(&locked);
    assert!(locked.text().contains(&format!(r#"action="{path}""#)));
    let right = unlock_with(&router, "127.0.0.1:3000", &path, PASSWORD).await;
    assert_eq!(right.status, StatusCode::SEE_OTHER);
    assert_eq!(right.location.as_deref(), Some(path.as_str()));
    let set = right.set_cookie.first().expect("cookie").clone();
    assert!(set.contains(&format!("; Path={path};")), "{set}");
    let cookie = set.split(';').next().expect("pair").to_string();
    assert!(visit(&router, "127.0.0.1:3000", &path, Some(&cookie))
        .await
        .text()
        .contains(SECRET_TEXT));
}

#[tokio::test]
async fn cookies_for_another_page_or_site_tampered_or_expired_are_refused() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = protected_site(&router, &pool, "Cookie Jar").await;
    let other = protected_site(&router, &pool, "Other Jar").await;
    let hash = stored_hash(&pool, &s).await;
    let key = DEV_PAGE_UNLOCK_SECRET;
    let name = unlock::cookie_name(s.page);
    let with = |v: &str| format!("{name}={v}");

    // A well-formed cookie made with the server key works (so the refusals below are real).
    let exp = now() + 600;
    let good = unlock::sign(key, s.a.website_id, s.page, exp, &hash);
    assert_eq!(
        visit(&router, &s.host, "/members", Some(&with(&good)))
            .await
            .status,
        StatusCode::OK
    );

    // Unlocked on the other site: that cookie opens nothing here, under either name.
    let r = unlock_with(&router, &other.host, "/members", PASSWORD).await;
    let theirs = r
        .set_cookie
        .first()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    assert_form(&visit(&router, &s.host, "/members", Some(&theirs)).await);
    let their_value = theirs
        .split_once('=')
        .map(|(_, v)| v.to_string())
        .expect("value");
    assert_form(&visit(&router, &s.host, "/members", Some(&with(&their_value))).await);

    let other_site = unlock::sign(key, other.a.website_id, s.page, now() + 600, &hash);
    assert_form(&visit(&router, &s.host, "/members", Some(&with(&other_site))).await);
    let other_page = unlock::sign(key, s.a.website_id, Uuid::new_v4(), now() + 600, &hash);
    assert_form(&visit(&router, &s.host, "/members", Some(&with(&other_page))).await);
    let expired = unlock::sign(key, s.a.website_id, s.page, now() - 1, &hash);
    assert_form(&visit(&router, &s.host, "/members", Some(&with(&expired))).await);
    let stretched = good.replacen(&format!(".{exp}."), &format!(".{}.", exp + 99_999), 1);
    assert_ne!(stretched, good);
    assert_form(&visit(&router, &s.host, "/members", Some(&with(&stretched))).await);
    let forged = unlock::sign(
        b"someone-elses-key-someone-elses-key",
        s.a.website_id,
        s.page,
        now() + 600,
        &hash,
    );
    assert_form(&visit(&router, &s.host, "/members", Some(&with(&forged))).await);
    let mut flipped = good.clone();
    let last = flipped
        .pop()
        .map(|c| if c == '0' { '1' } else { '0' })
        .expect("char");
    flipped.push(last);
    assert_form(&visit(&router, &s.host, "/members", Some(&with(&flipped))).await);
}

#[tokio::test]
async fn password_attempts_are_rate_limited() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = protected_site(&router, &pool, "Brute Force Bistro").await;
    for _ in 0..unlock::MAX_ATTEMPTS {
        let r = unlock_with(&router, &s.host, "/members", "guess-guess").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused until the minute is over, by every server instance:
    // the count lives in PostgreSQL, and a second `build` shares nothing else with the first.
    let second_instance = crate::common::router(pool.clone());
    let limited = unlock_with(&second_instance, &s.host, "/members", PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.text().contains("Too many password attempts"));
    assert!(limited.set_cookie.is_empty());
}

#[tokio::test]
async fn page_config_hides_the_navbar_and_sets_layout() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Layout Lab").await;
    let s = Site {
        owner: cookie_for(&a),
        host: format!("{}.localhost:3000", a.subdomain),
        page: a.home_page_id,
        a,
    };
    publish(&router, &s).await;
    assert!(
        visit(&router, &s.host, "/", None)
            .await
            .text()
            .contains("sp-navbar"),
        "the starter page has a navbar"
    );

    let config = json!({ "show_navbar": false, "show_footer": true, "background_color": "#123456",
                         "max_width": "960px", "padding": "16px" });
    page_action(
        &router,
        &s,
        s.page,
        "/api/pages/update",
        json!({ "patch": { "page_config": config } }),
    )
    .await;
    publish(&router, &s).await;
    let html = visit(&router, &s.host, "/", None).await.text();
    assert!(!html.contains("sp-navbar"), "navbar switched off");
    assert!(html.contains("sp-footer"), "footer still on");
    assert!(
        html.contains("background-color:#123456;max-width:960px;margin-inline:auto;padding:16px;"),
        "{html}"
    );
}

/// One wrong-password POST over TCP to `base` for the site's `/members`, claiming to come from
/// `forwarded_for` through a proxy.
async fn unlock_over_tcp(base: &str, s: &Site, forwarded_for: &str) -> StatusCode {
    let res = reqwest::Client::new()
        .post(format!("{base}/members"))
        .header(header::HOST, &s.host)
        .header("x-forwarded-for", forwarded_for)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("password=guess-guess")
        .send()
        .await
        .expect("request");
    StatusCode::from_u16(res.status().as_u16()).expect("status")
}

#[tokio::test]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = protected_site(&router, &pool, "Spoof Shack").await;
    let base = serve_tcp(pool.clone(), "").await;
    // Each attempt claims another address; the limit still counts them all against the peer.
    for i in 0..unlock::MAX_ATTEMPTS {
        let status = unlock_over_tcp(&base, &s, &format!("203.0.113.{i}")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let status = unlock_over_tcp(&base, &s, "198.51.100.77").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_trusted_proxys_forwarded_for_is_the_client() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = protected_site(&router, &pool, "Proxy Pantry").await;
    let base = serve_tcp(pool.clone(), "127.0.0.1/32").await;
    // The left-most entry is forged by the client; the proxy appended the real one.
    let client = "6.6.6.6, 192.0.2.10";
    for _ in 0..unlock::MAX_ATTEMPTS {
        assert_eq!(
            unlock_over_tcp(&base, &s, client).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        unlock_over_tcp(&base, &s, "7.7.7.7, 192.0.2.10").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the same client, whatever it forges on the left"
    );
    assert_eq!(
        unlock_over_tcp(&base, &s, "192.0.2.11").await,
        StatusCode::UNAUTHORIZED,
        "another visitor behind the same proxy is not locked out"
    );
}
