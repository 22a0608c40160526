//! Website branding: who may change it, another tenant cannot, malformed or CSS-injecting
//! values are refused with the field named and nothing saved, and visitors see new branding
//! after the next publish.

use crate::common::*;
use app::db::accounts::NewAccount;
use app::db::tenant_tx;
use app::error::AppError;
use app::model::{Branding, Published};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

const PATH: &str = "/api/websites/branding";

async fn save(
    router: &axum::Router,
    cookie: Option<&str>,
    website: Uuid,
    branding: &Value,
) -> Reply {
    call_json(
        router,
        PATH,
        cookie,
        json!({ "website_id": website, "branding": branding }),
    )
    .await
}

/// The stored branding_config and the number of branding audit rows, read as the tenant.
async fn stored(pool: &PgPool, a: &NewAccount) -> (Value, i64) {
    let mut tx = tenant_tx(pool, a.tenant_id).await.expect("tx");
    let config: Value = sqlx::query_scalar("SELECT branding_config FROM websites WHERE id = $1")
        .bind(a.website_id)
        .fetch_one(&mut *tx)
        .await
        .expect("website");
    let audits: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE action = 'website.branding_updated' AND resource_id = $1",
    )
    .bind(a.website_id)
    .fetch_one(&mut *tx)
    .await
    .expect("audits");
    (config, audits)
}

fn branding_with(primary: &str) -> Value {
    let mut b = Branding::default();
    b.colors.primary = primary.into();
    serde_json::to_value(b).expect("json")
}

#[tokio::test]
async fn owner_admin_editor_and_developer_may_change_branding_viewers_and_strangers_may_not() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Brand Roles").await;

    for (i, role) in ["owner", "admin", "editor", "developer"]
        .into_iter()
        .enumerate()
    {
        let cookie = if role == "owner" {
            cookie_for(&a)
        } else {
            member_cookie(&pool, &a, role).await
        };
        let colour = format!("#10203{i}");
        let saved: Branding = save(
            &router,
            Some(&cookie),
            a.website_id,
            &branding_with(&colour),
        )
        .await
        .json();
        assert_eq!(saved.colors.primary, colour, "{role}");
        let (config, audits) = stored(&pool, &a).await;
        assert_eq!(config["colors"]["primary"], json!(colour), "{role}");
        assert_eq!(audits, i as i64 + 1, "{role}: one audit row per save");
    }

    let viewer = member_cookie(&pool, &a, "viewer").await;
    let before = stored(&pool, &a).await;
    let err = save(
        &router,
        Some(&viewer),
        a.website_id,
        &branding_with("#000000"),
    )
    .await
    .error();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    let err = save(&router, None, a.website_id, &branding_with("#000000"))
        .await
        .error();
    assert_eq!(err, AppError::Unauthorized);
    assert_eq!(stored(&pool, &a).await, before, "nothing changed");
    // The viewer still reads the branding in the builder.
    assert_eq!(
        load_page(&router, &viewer, a.home_page_id)
            .await
            .branding
            .colors
            .primary,
        "#102033"
    );
}

#[tokio::test]
async fn another_tenants_website_is_not_found_and_unchanged() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Brand Victim").await;
    let b = account(&pool, "Brand Intruder").await;
    let before = stored(&pool, &a).await;

    let err = save(
        &router,
        Some(&cookie_for(&b)),
        a.website_id,
        &branding_with("#ff0000"),
    )
    .await
    .error();
    assert_eq!(err, AppError::NotFound("Website".into()));
    let err = save(
        &router,
        Some(&cookie_for(&b)),
        Uuid::new_v4(),
        &branding_with("#ff0000"),
    )
    .await
    .error();
    assert_eq!(
        err,
        AppError::NotFound("Website".into()),
        "same answer as a website that does not exist"
    );
    assert_eq!(stored(&pool, &a).await, before);
    let (_, intruder_audits) = stored(&pool, &b).await;
    assert_eq!(intruder_audits, 0, "no audit row for a refused change");
}

#[tokio::test]
async fn malformed_and_css_injecting_values_are_refused_with_the_field_and_nothing_saved() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Brand Safety").await;
    let cookie = cookie_for(&a);
    let before = stored(&pool, &a).await;
    let good = serde_json::to_value(Branding::default()).expect("json");

    let cases: [(&str, &str, Value); 11] = [
        (
            "colors.primary",
            "/colors/primary",
            json!("red;}body{display:none"),
        ),
        ("colors.accent", "/colors/accent", json!("#12345g")),
        (
            "typography.heading_font",
            "/typography/heading_font",
            json!("Georgia;}body{display:none"),
        ),
        (
            "typography.body_font",
            "/typography/body_font",
            json!("Comic Sans MS"),
        ),
        (
            "typography.base_font_size",
            "/typography/base_font_size",
            json!(99),
        ),
        (
            "typography.heading_weight",
            "/typography/heading_weight",
            json!(750),
        ),
        ("logo.url", "/logo/url", json!("javascript:alert(1)")),
        (
            "logo.url",
            "/logo/url",
            json!("https://cdn.example/logo.png\");}body{display:none;x:url(\""),
        ),
        (
            "spacing.section_padding_y",
            "/spacing/section_padding_y",
            json!("80px;color:red"),
        ),
        (
            "spacing.container_max_width",
            "/spacing/container_max_width",
            json!("expression(alert(1))"),
        ),
        (
            "border_radius.card",
            "/border_radius/card",
            json!("1px}*{display:none"),
        ),
    ];
    for (field, pointer, value) in cases {
        let mut body = good.clone();
        *body.pointer_mut(pointer).expect("pointer") = value.clone();
        let err = save(&router, Some(&cookie), a.website_id, &body)
            .await
            .error();
        assert!(
            matches!(&err, AppError::Invalid { field: f, .. } if f == field),
            "{value} should be refused on {field}, got {err:?}"
        );
    }
    // Wrong JSON types are refused before anything runs.
    let mut body = good.clone();
    body["colors"] = json!("red");
    assert!(!save(&router, Some(&cookie), a.website_id, &body)
        .await
        .status
        .is_success());

    assert_eq!(
        stored(&pool, &a).await,
        before,
        "nothing saved, no audit rows"
    );
}

#[tokio::test]
async fn visitors_see_new_branding_after_the_next_publish() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Brand Publish").await;
    let cookie = cookie_for(&a);
    let host = format!("{}.localhost:3000", a.subdomain);
    let publish = json!({ "website_id": a.website_id });

    let _: Published = call_json(
        &router,
        "/api/websites/publish",
        Some(&cookie),
        publish.clone(),
    )
    .await
    .json();
    let html = get(&router, &host, "/").await.text();
    assert!(
        html.contains("--sp-primary:#4F46E5;"),
        "starter branding is live"
    );

    let mut b = Branding::default();
    b.colors.primary = "#0E7C66".into();
    b.typography.heading_font = "Courier New".into();
    b.logo.url = "/starter/logo.svg".into();
    b.spacing.section_padding_y = "48px".into();
    let saved: Branding = save(
        &router,
        Some(&cookie),
        a.website_id,
        &serde_json::to_value(&b).expect("json"),
    )
    .await
    .json();
    assert_eq!(saved, b);
    assert_eq!(
        load_page(&router, &cookie, a.home_page_id).await.branding,
        b,
        "the builder reloads it"
    );

    let html = get(&router, &host, "/").await.text();
    assert!(
        html.contains("--sp-primary:#4F46E5;") && !html.contains("#0E7C66"),
        "not live before publishing"
    );

    let _: Published = call_json(&router, "/api/websites/publish", Some(&cookie), publish)
        .await
        .json();
    let html = get(&router, &host, "/").await.text();
    for part in [
        "--sp-primary:#0E7C66;",
        "--sp-heading-font:&quot;Courier New&quot;;",
        "--sp-logo:url(&quot;/starter/logo.svg&quot;);--sp-logo-display:inline-block;",
        "--sp-section-padding:48px;",
    ] {
        assert!(html.contains(part), "lacks {part}");
    }
}
