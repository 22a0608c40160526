//! Cookieless analytics: the beacon endpoint, the daily rollup into usage_metrics, the 7-day
//! purge, and the report behind the plan's analytics flag.

use app::error::AppError;
use app::model::{AnalyticsReport, Count};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::json;
use server::analytics::batch::Batcher;
use std::sync::Arc;
use tower::ServiceExt;
use uuid::Uuid;

use crate::common::*;
use app::db::{analytics as store, tenant_tx};

const DESKTOP: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36";
const PHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148";

/// The test router, and the analytics batcher behind its beacon routes.
fn analytics_router(pool: sqlx::PgPool) -> (Router, Arc<Batcher>) {
    let service = server::build(&config(), pool).expect("build");
    let queue = service.analytics();
    (Router::new().fallback_service(service), queue)
}

/// Posts a beacon as a browser on `host` would, then flushes the batcher so the event (if
/// counted) is stored; returns the status and any Set-Cookie.
async fn beacon(
    router: &Router,
    queue: &Batcher,
    host: &str,
    ua: &str,
    body: &str,
) -> (StatusCode, Vec<String>) {
    let req = Request::post("/_sp/event")
        .header(header::HOST, host)
        .header(header::USER_AGENT, ua)
        .header(header::CONTENT_TYPE, "text/plain;charset=UTF-8")
        .body(Body::from(body.to_string()))
        .expect("request");
    let res = router.clone().oneshot(req).await.expect("response");
    let cookies = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(String::from))
        .collect();
    let status = res.status();
    let _ = res.into_body().collect().await;
    queue.flush().await;
    (status, cookies)
}

async fn published(
    pool: &sqlx::PgPool,
    router: &Router,
    org: &str,
) -> app::db::accounts::NewAccount {
    let a = account(pool, org).await;
    let reply = call_json(
        router,
        "/api/websites/publish",
        Some(&cookie_for(&a)),
        json!({ "website_id": a.website_id }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    a
}

async fn raw_events(
    pool: &sqlx::PgPool,
    tenant: Uuid,
) -> Vec<(String, Option<String>, Option<String>, Option<String>)> {
    let mut tx = tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_as(
        "SELECT page_slug, visitor_id, referrer, device FROM raw_page_events ORDER BY id",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("events")
}

async fn report(
    router: &Router,
    cookie: &str,
    website: Uuid,
    days: u32,
) -> Result<AnalyticsReport, AppError> {
    let reply = call_json(
        router,
        "/api/analytics/report",
        Some(cookie),
        json!({ "website_id": website, "days": days }),
    )
    .await;
    if reply.status.is_success() {
        Ok(reply.json())
    } else {
        Err(reply.error())
    }
}

fn count(list: &[Count], label: &str) -> i64 {
    list.iter()
        .find(|c| c.label == label)
        .map_or(0, |c| c.count)
}

#[tokio::test]
async fn page_views_are_counted_without_cookies_and_reported_on_growth() {
    let pool = pool().await;
    let (router, queue) = analytics_router(pool.clone());
    let a = published(&pool, &router, "Counted Cafe").await;
    let host = format!("{}.localhost:3000", a.subdomain);

    // Host form with an outside referrer, path form from a phone, internal navigation.
    let (status, cookies) = beacon(
        &router,
        &queue,
        &host,
        DESKTOP,
        r#"{"p":"/","r":"https://www.google.com/search?q=cafe"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(
        cookies.is_empty(),
        "the beacon never sets a cookie: {cookies:?}"
    );
    let path_form = json!({ "p": format!("/sites/{}/", a.subdomain), "r": "" }).to_string();
    assert_eq!(
        beacon(&router, &queue, "127.0.0.1:3000", PHONE, &path_form)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let internal = json!({ "p": "/", "r": format!("http://{host}/") }).to_string();
    assert_eq!(
        beacon(&router, &queue, &host, DESKTOP, &internal).await.0,
        StatusCode::NO_CONTENT
    );

    // Not counted: unknown pages, crawlers, other sites.
    assert_eq!(
        beacon(
            &router,
            &queue,
            &host,
            DESKTOP,
            r#"{"p":"/no-such-page","r":""}"#
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        beacon(
            &router,
            &queue,
            &host,
            "Googlebot/2.1 (+http://www.google.com/bot.html)",
            r#"{"p":"/","r":""}"#
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        beacon(
            &router,
            &queue,
            "no-such-site.localhost",
            DESKTOP,
            r#"{"p":"/","r":""}"#
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );

    let events = raw_events(&pool, a.tenant_id).await;
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(events.iter().all(|e| e.0 == "/"));
    assert_eq!(events[0].2.as_deref(), Some("google.com"));
    assert_eq!(events[1].2, None, "direct");
    assert_eq!(
        events[2].2, None,
        "navigation inside the site is not a referrer"
    );
    assert_eq!(events[0].3.as_deref(), Some("desktop"));
    assert_eq!(events[1].3.as_deref(), Some("mobile"));
    let ids: Vec<&str> = events.iter().filter_map(|e| e.1.as_deref()).collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(
        ids[0], ids[2],
        "same browser, same day, same site: one visitor"
    );
    assert_ne!(ids[0], ids[1]);
    assert!(
        ids.iter()
            .all(|id| id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit())),
        "{ids:?}"
    );

    // Starter has no analytics: refused with the upgrade message.
    let cookie = cookie_for(&a);
    match report(&router, &cookie, a.website_id, 30).await {
        Err(AppError::LimitReached {
            limit,
            max: 0,
            upgrade_to,
            ..
        }) => {
            assert_eq!(
                (limit.as_str(), upgrade_to.as_deref()),
                ("analytics_enabled", Some("Growth"))
            );
        }
        other => panic!("expected the analytics limit, got {other:?}"),
    }

    // Growth: the report is current (today is rolled up on the way), for every role.
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let r = report(&router, &cookie, a.website_id, 7)
        .await
        .expect("report");
    assert_eq!(r.days.len(), 7);
    assert_eq!(
        r.days.last().map(|d| (d.page_views, d.unique_visitors)),
        Some((3, 2))
    );
    assert_eq!((r.page_views, r.unique_visitors, r.sessions), (3, 2, 2));
    assert_eq!(
        r.bounce_rate,
        Some(50.0),
        "the phone's session had one view, the desktop's two"
    );
    assert_eq!(count(&r.top_pages, "/"), 3);
    assert_eq!(
        (
            count(&r.referrers, "google.com"),
            count(&r.referrers, "direct")
        ),
        (1, 2)
    );
    assert_eq!(
        (count(&r.devices, "desktop"), count(&r.devices, "mobile")),
        (2, 1)
    );
    let viewer = member_cookie(&pool, &a, "viewer").await;
    assert_eq!(
        report(&router, &viewer, a.website_id, 30)
            .await
            .map(|r| r.page_views),
        Ok(3)
    );

    // Bad input: a range that is not offered, a body that is not a beacon.
    assert!(
        matches!(report(&router, &cookie, a.website_id, 12).await, Err(AppError::Invalid { ref field, .. }) if field == "days")
    );
    assert_eq!(
        beacon(&router, &queue, &host, DESKTOP, "not json").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        beacon(&router, &queue, &host, DESKTOP, r#"{"p":"no-slash"}"#)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let huge = json!({ "p": "/", "r": "x".repeat(4000) }).to_string();
    assert_eq!(
        beacon(&router, &queue, &host, DESKTOP, &huge).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(
        raw_events(&pool, a.tenant_id).await.len(),
        3,
        "nothing stored from bad beacons"
    );
}

#[tokio::test]
async fn the_rollup_is_idempotent_and_purges_week_old_events() {
    let pool = pool().await;
    let (router, queue) = analytics_router(pool.clone());
    let a = published(&pool, &router, "Rollup Bakery").await;
    let host = format!("{}.localhost", a.subdomain);
    for ua in [DESKTOP, DESKTOP, PHONE] {
        beacon(&router, &queue, &host, ua, r#"{"p":"/","r":""}"#).await;
    }
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    for age in [8, 6] {
        sqlx::query(
            "INSERT INTO raw_page_events (tenant_id, website_id, page_slug, visitor_id, created_at)
             VALUES ($1, $2, '/', 'old', now() - make_interval(days => $3))",
        )
        .bind(a.tenant_id)
        .bind(a.website_id)
        .bind(age)
        .execute(&mut *tx)
        .await
        .expect("old event");
    }
    tx.commit().await.expect("commit");

    let today = chrono::Utc::now().date_naive();
    assert!(store::rollup_all(&pool, today).await.expect("rollup") >= 1);
    assert!(store::rollup_all(&pool, today).await.expect("rollup again") >= 1);
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let rows: Vec<(i32, i32, i32)> = sqlx::query_as("SELECT page_views, unique_visitors, sessions FROM usage_metrics WHERE website_id = $1 AND date = $2")
        .bind(a.website_id)
        .bind(today)
        .fetch_all(&mut *tx)
        .await
        .expect("metrics");
    assert_eq!(
        rows,
        vec![(3, 2, 2)],
        "one row per website and day, same numbers after a re-run"
    );
    let ages: Vec<i32> = sqlx::query_scalar("SELECT extract(day FROM now() - created_at)::int FROM raw_page_events WHERE visitor_id = 'old'")
        .fetch_all(&mut *tx)
        .await
        .expect("old events");
    assert_eq!(
        ages,
        vec![6],
        "the 8-day-old event is purged, the 6-day-old one kept"
    );
}

#[tokio::test]
async fn analytics_stay_inside_the_tenant_and_respect_the_site_switch() {
    let pool = pool().await;
    let (router, queue) = analytics_router(pool.clone());
    let a = published(&pool, &router, "Private Stats").await;
    let b = published(&pool, &router, "Nosy Neighbour").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    set_plan(&pool, b.tenant_id, PRO).await;
    let host_a = format!("{}.localhost", a.subdomain);
    beacon(&router, &queue, &host_a, DESKTOP, r#"{"p":"/","r":""}"#).await;

    // Another tenant cannot read A's numbers, and its own rollup does not touch A's.
    let b_cookie = cookie_for(&b);
    assert!(matches!(
        report(&router, &b_cookie, a.website_id, 30).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(
        report(&router, &b_cookie, b.website_id, 30)
            .await
            .map(|r| r.page_views),
        Ok(0)
    );
    assert_eq!(
        report(&router, &cookie_for(&a), a.website_id, 30)
            .await
            .map(|r| r.page_views),
        Ok(1)
    );
    assert!(matches!(
        call_json(
            &router,
            "/api/analytics/report",
            None,
            json!({ "website_id": a.website_id, "days": 30 })
        )
        .await
        .error(),
        AppError::Unauthorized
    ));

    // A website with analytics switched off records nothing.
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    sqlx::query("UPDATE websites SET analytics_enabled = false WHERE id = $1")
        .bind(a.website_id)
        .execute(&mut *tx)
        .await
        .expect("off");
    tx.commit().await.expect("commit");
    beacon(&router, &queue, &host_a, PHONE, r#"{"p":"/","r":""}"#).await;
    assert_eq!(raw_events(&pool, a.tenant_id).await.len(), 1);
}

/// A beacon as a browser posts it, with an `Origin`; not flushed.
fn beacon_request(host: &str, origin: Option<&str>, ua: &str, body: &str) -> Request<Body> {
    let mut req = Request::post("/_sp/event")
        .header(header::HOST, host)
        .header(header::USER_AGENT, ua)
        .header(header::CONTENT_TYPE, "text/plain;charset=UTF-8");
    if let Some(origin) = origin {
        req = req.header(header::ORIGIN, origin);
    }
    req.body(Body::from(body.to_string())).expect("request")
}

#[tokio::test]
async fn a_beacon_counts_only_on_its_own_sites_host_or_the_apps() {
    let pool = pool().await;
    let (router, queue) = analytics_router(pool.clone());
    let a = published(&pool, &router, "Origin Owl").await;
    let b = published(&pool, &router, "Other Otter").await;
    let host_a = format!("{}.localhost:3000", a.subdomain);
    let host_b = format!("{}.localhost:3000", b.subdomain);
    let post = |host: String, origin: Option<String>, body: String| {
        let router = router.clone();
        async move {
            let req = beacon_request(&host, origin.as_deref(), DESKTOP, &body);
            router.oneshot(req).await.expect("response").status()
        }
    };
    let home = r#"{"p":"/","r":""}"#.to_string();
    // A page on another site posting to A: refused.
    assert_eq!(
        post(
            host_a.clone(),
            Some(format!("http://{host_b}")),
            home.clone()
        )
        .await,
        StatusCode::FORBIDDEN
    );
    // B's host naming A's path form counts nothing for A (it is a path on B's site).
    let a_path = format!(r#"{{"p":"/sites/{}/","r":""}}"#, a.subdomain);
    assert_eq!(
        post(
            host_b.clone(),
            Some(format!("http://{host_b}")),
            a_path.clone()
        )
        .await,
        StatusCode::NO_CONTENT
    );
    // The path form on a host that is not the app's: not counted.
    assert_eq!(
        post("evil.example".into(), None, a_path.clone()).await,
        StatusCode::NO_CONTENT
    );
    queue.flush().await;
    assert!(raw_events(&pool, a.tenant_id).await.is_empty());

    // A's own host, and the app's host for the path form, count.
    assert_eq!(
        post(host_a.clone(), Some(format!("http://{host_a}")), home).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        post(
            "127.0.0.1:3000".into(),
            Some(APP_ORIGIN.to_string()),
            a_path
        )
        .await,
        StatusCode::NO_CONTENT
    );
    queue.flush().await;
    assert_eq!(raw_events(&pool, a.tenant_id).await.len(), 2);
    assert!(raw_events(&pool, b.tenant_id).await.is_empty());
}

#[tokio::test]
async fn a_flood_is_stored_in_few_batches_and_referrers_are_capped() {
    let pool = pool().await;
    let (router, queue) = analytics_router(pool.clone());
    let a = published(&pool, &router, "Flood Farm").await;
    let host = format!("{}.localhost:3000", a.subdomain);
    let before = queue.stats();
    const EVENTS: u64 = 600;
    for i in 0..EVENTS {
        // 30 distinct referrers: the daily breakdown keeps the top 20.
        let body = format!(r#"{{"p":"/","r":"https://ref{}.example/x"}}"#, i % 30);
        let ua = format!("{DESKTOP} v{i}");
        let res = router
            .clone()
            .oneshot(beacon_request(&host, None, &ua, &body))
            .await
            .expect("response");
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }
    queue.flush().await;
    let after = queue.stats();
    assert_eq!(raw_events(&pool, a.tenant_id).await.len() as u64, EVENTS);
    assert_eq!(after.rows - before.rows, EVENTS);
    assert_eq!(after.dropped, 0);
    let inserts = after.inserts - before.inserts;
    assert!(
        inserts * 20 <= EVENTS,
        "{EVENTS} events in {inserts} INSERTs: not batched"
    );

    let today = chrono::Utc::now().date_naive();
    store::rollup_all(&pool, today).await.expect("rollup");
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let breakdown: serde_json::Value = sqlx::query_scalar(
        "SELECT referrer_breakdown FROM usage_metrics WHERE website_id = $1 AND date = $2",
    )
    .bind(a.website_id)
    .bind(today)
    .fetch_one(&mut *tx)
    .await
    .expect("metrics");
    let map = breakdown.as_object().expect("an object");
    assert_eq!(map.len(), 21, "top 20 and other: {breakdown}");
    assert_eq!(map["other"], json!(10 * EVENTS / 30));
    let total: u64 = map.values().filter_map(|v| v.as_u64()).sum();
    assert_eq!(total, EVENTS);
}

#[tokio::test]
async fn one_address_sending_too_many_events_is_told_to_slow_down() {
    let pool = pool().await;
    let (router, queue) = analytics_router(pool.clone());
    let a = published(&pool, &router, "Busy Bee").await;
    let host = format!("{}.localhost:3000", a.subdomain);
    // An address no other test uses: the per-address limiter lives as long as the process.
    let ip: std::net::IpAddr = std::net::Ipv6Addr::from(Uuid::new_v4().as_u128()).into();
    let mut statuses = Vec::new();
    for i in 0..=server::analytics::MAX_EVENTS_PER_CLIENT {
        let mut req = beacon_request(
            &host,
            None,
            &format!("{DESKTOP} {i}"),
            r#"{"p":"/","r":""}"#,
        );
        req.extensions_mut().insert(app::state::ClientIp(ip));
        statuses.push(
            router
                .clone()
                .oneshot(req)
                .await
                .expect("response")
                .status(),
        );
    }
    let last = statuses.pop();
    assert!(statuses.iter().all(|s| *s == StatusCode::NO_CONTENT));
    assert_eq!(last, Some(StatusCode::TOO_MANY_REQUESTS));
    queue.flush().await;
    assert_eq!(
        raw_events(&pool, a.tenant_id).await.len() as u32,
        server::analytics::MAX_EVENTS_PER_CLIENT
    );
}

/// Two instances' beacon limiters on one database: each admits events locally, and after a
/// sync each knows the other's count, so together they stop at the limit (plus at most what
/// one instance admits in one sync interval).
#[tokio::test]
async fn beacon_limits_are_shared_by_two_instances() {
    use server::rate_limit::SharedLimiter;
    use std::time::Duration;
    let pool = pool().await;
    let prefix: &'static str = Box::leak(unique("test:beacon:").into_boxed_str());
    let a = SharedLimiter::new(prefix, 10, Duration::from_secs(60));
    let b = SharedLimiter::new(prefix, 10, Duration::from_secs(60));
    let key = "203.0.113.7";
    for n in 0..6 {
        assert!(a.allow(key), "instance A, event {n}");
    }
    a.sync(&pool).await.unwrap();
    // B has not synced yet, so it admits on its own count...
    for n in 0..6 {
        assert!(b.allow(key), "instance B, event {n}");
    }
    b.sync(&pool).await.unwrap();
    // ...and now knows the total of both (12 > 10).
    assert!(!b.allow(key), "B learnt A's six events");
    // A learns B's count at its next sync.
    assert!(a.allow(key));
    a.sync(&pool).await.unwrap();
    assert!(!a.allow(key), "A learnt B's six events");
    // Another key is counted on its own.
    assert!(a.allow("203.0.113.8") && b.allow("203.0.113.8"));
}

#[tokio::test]
async fn the_shop_reports_revenue_per_day_net_of_refunds_and_conversion_from_product_views() {
    let pool = pool().await;
    let (router, queue) = analytics_router(pool.clone());
    let a = published(&pool, &router, "Shop Numbers").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let c = cookie_for(&a);
    let host = format!("{}.localhost:3000", a.subdomain);
    // A website that sells nothing has no shop numbers.
    let r = report(&router, &c, a.website_id, 7).await.expect("report");
    assert_eq!(r.shop, None);

    crate::permissions::fixtures::fresh_product(&pool, &a).await;
    let shop = report(&router, &c, a.website_id, 7)
        .await
        .expect("report")
        .shop
        .expect("a website with products has shop numbers");
    assert_eq!(
        (
            shop.revenue.len(),
            shop.orders,
            shop.product_views,
            shop.conversion_rate
        ),
        (0, 0, 0, None)
    );

    // Five product page views and one ordinary page view.
    for _ in 0..5 {
        let (status, _) = beacon(
            &router,
            &queue,
            &host,
            DESKTOP,
            r#"{"p":"/products/fixture-mug","r":""}"#,
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    beacon(&router, &queue, &host, PHONE, r#"{"p":"/","r":""}"#).await;

    // Paid today: 22.50 EUR, and 10.00 EUR of which 4.00 was refunded; paid three days ago:
    // 7.00 EUR; paid today in dollars: 5.00 USD. Pending and cancelled orders bring nothing.
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let orders: &[(&str, &str, &str, i64, i64, &str)] = &[
        ("2001", "paid", "EUR", 2250, 0, "now()"),
        ("2002", "refunded", "EUR", 1000, 400, "now()"),
        (
            "2003",
            "delivered",
            "EUR",
            700,
            0,
            "now() - interval '3 days'",
        ),
        ("2004", "paid", "USD", 500, 0, "now()"),
        ("2005", "pending", "EUR", 9900, 0, "NULL"),
        ("2006", "cancelled", "EUR", 9900, 0, "NULL"),
    ];
    for (number, status, currency, total, refunded, paid_at) in orders {
        sqlx::query(&format!(
            "INSERT INTO website_orders (tenant_id, website_id, order_number, customer_email, status,
                                         currency, subtotal_cents, total_cents, refunded_cents, paid_at)
             VALUES ($1, $2, $3, 'buyer@example.com', $4, $5, $6, $6, $7, {paid_at})"
        ))
        .bind(a.tenant_id)
        .bind(a.website_id)
        .bind(number)
        .bind(status)
        .bind(currency)
        .bind(total)
        .bind(refunded)
        .execute(&mut *tx)
        .await
        .expect("order");
    }
    tx.commit().await.expect("commit");

    let r = report(&router, &c, a.website_id, 7).await.expect("report");
    assert_eq!(r.page_views, 6, "product pages are page views too");
    let shop = r.shop.expect("shop");
    assert_eq!(
        (shop.orders, shop.product_views, shop.conversion_rate),
        (4, 5, Some(80.0))
    );
    let totals: Vec<(&str, i64, i64)> = shop
        .revenue
        .iter()
        .map(|c| (c.currency.as_str(), c.orders, c.revenue_cents))
        .collect();
    assert_eq!(
        totals,
        [("EUR", 3, 2250 + 600 + 700), ("USD", 1, 500)],
        "most revenue first, refunds netted out"
    );
    let eur = &shop.revenue[0];
    assert_eq!(eur.days.len(), 7);
    let today = eur.days.last().expect("today");
    assert_eq!((today.orders, today.revenue_cents), (2, 2850));
    assert_eq!(
        (eur.days[3].orders, eur.days[3].revenue_cents),
        (1, 700),
        "three days ago"
    );
    assert_eq!(eur.days.iter().map(|d| d.orders).sum::<i64>(), 3);
}
