//! Preferences that do something (issue 23 part 3): `default_website_id` is checked on save
//! and decides where a log-in lands; the autosave bounds are the server's too.

use app::error::AppError;
use app::model::Preferences;
use serde_json::json;

use crate::common::*;

async fn log_in(router: &axum::Router, email: &str) -> Reply {
    call_form(
        router,
        "/api/login",
        None,
        &[("email", email), ("password", "correct-horse-7")],
    )
    .await
}

async fn save(router: &axum::Router, cookie: &str, prefs: &Preferences) -> Reply {
    call_json(
        router,
        "/api/settings/preferences",
        Some(cookie),
        json!({ "preferences": prefs }),
    )
    .await
}

#[tokio::test]
async fn the_default_website_opens_in_the_builder_after_log_in_and_must_be_ones_own() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Landing Bakery").await;
    let cookie = cookie_for(&a);
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(a.user_id)
        .fetch_one(&mut *app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx"))
        .await
        .expect("email");

    // Without a default website a log-in lands on the dashboard.
    let r = log_in(&router, &email).await;
    assert_eq!(r.location.as_deref(), Some("/dashboard"), "{}", r.text());

    // Another tenant's website is refused, and nothing is saved.
    let other = account(&pool, "Other Landing").await;
    let mut prefs = Preferences {
        default_website_id: Some(other.website_id),
        ..Default::default()
    };
    let r = save(&router, &cookie, &prefs).await;
    assert!(
        matches!(r.error(), AppError::Invalid { ref field, .. } if field == "default_website_id"),
        "{}",
        r.text()
    );
    prefs.default_website_id = Some(a.website_id);
    prefs.builder.auto_save_interval = 5;
    let r = save(&router, &cookie, &prefs).await;
    assert!(
        matches!(r.error(), AppError::Invalid { ref field, .. } if field == "auto_save_interval"),
        "{}",
        r.text()
    );
    assert_eq!(
        log_in(&router, &email).await.location.as_deref(),
        Some("/dashboard")
    );

    prefs.builder.auto_save_interval = 10;
    prefs.builder.show_grid = true;
    let r = save(&router, &cookie, &prefs).await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = log_in(&router, &email).await;
    assert_eq!(
        r.location,
        Some(format!("/builder/{}", a.home_page_id)),
        "{}",
        r.text()
    );

    // Once that website is deleted, log-ins land on the dashboard again.
    let name: String = call_json(
        &router,
        "/api/websites/settings",
        Some(&cookie),
        json!({ "website_id": a.website_id }),
    )
    .await
    .json::<app::model::WebsiteSettings>()
    .name;
    let r = call_json(
        &router,
        "/api/websites/delete",
        Some(&cookie),
        json!({ "website_id": a.website_id, "confirm": name }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(
        log_in(&router, &email).await.location.as_deref(),
        Some("/dashboard")
    );
}
