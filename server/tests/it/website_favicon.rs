//! The website's favicon (issue 23 part 1): an image address checked like a logo's, saved on
//! the settings page and linked from visitor pages after the next publish.

use app::error::AppError;
use app::model::WebsiteSettings;
use serde_json::json;

use crate::common::*;
use crate::visitor_site::{eventually, fetch, published_site};

#[tokio::test]
async fn a_favicon_is_checked_and_reaches_visitors_at_the_next_publish() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = published_site(&router, &pool, "Favicon Bakery").await;
    let set = |url: &str| {
        let router = router.clone();
        let owner = s.owner.clone();
        let body = json!({ "website_id": s.a.website_id, "favicon_url": url });
        async move { call_json(&router, "/api/websites/favicon", Some(&owner), body).await }
    };
    let before = fetch(&router, &s.host, "/", &[]).await;
    assert!(
        before
            .body
            .contains(r#"<link rel="icon" href="/favicon.svg""#),
        "{}",
        before.body
    );

    for bad in [
        "javascript:alert(1)",
        "/icon.png\" onload=\"x",
        "mailto:a@b.c",
    ] {
        let r = set(bad).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
        assert!(
            matches!(r.error(), AppError::Invalid { ref field, .. } if field == "favicon_url"),
            "{}",
            r.text()
        );
    }
    let viewer = member_cookie(&pool, &s.a, "viewer").await;
    let r = call_json(
        &router,
        "/api/websites/favicon",
        Some(&viewer),
        json!({ "website_id": s.a.website_id, "favicon_url": "/v.png" }),
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(_)), "{}", r.text());

    let icon = format!(
        "/media/{}/{}/o64x64.png",
        s.a.tenant_id,
        uuid::Uuid::new_v4()
    );
    let r = set(&icon).await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(
        r.json::<WebsiteSettings>().favicon_url.as_deref(),
        Some(icon.as_str())
    );
    // Not before the next publish: the live snapshot is unchanged.
    let still = fetch(&router, &s.host, "/", &[]).await;
    assert!(!still.body.contains(&icon));

    crate::visitor_site::publish(&router, &s).await;
    let page = eventually(&router, &s.host, "/", "new deployment", |g| {
        g.body.contains(&icon)
    })
    .await;
    assert!(
        page.body
            .contains(&format!(r#"<link rel="icon" href="{icon}">"#)),
        "{}",
        page.body
    );
    assert!(!page.body.contains("/favicon.svg"));

    // Cleared: back to SitePilot's after the next publish; audited both times.
    let r = set("").await;
    assert_eq!(r.json::<WebsiteSettings>().favicon_url, None);
    crate::visitor_site::publish(&router, &s).await;
    eventually(&router, &s.host, "/", "default icon again", |g| {
        g.body.contains("/favicon.svg")
    })
    .await;
    let mut tx = app::db::tenant_tx(&pool, s.a.tenant_id).await.expect("tx");
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE action = 'website.favicon_changed'",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("audit");
    assert_eq!(n, 2);
}
