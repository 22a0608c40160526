//! Proof that serving visitors never reads `pages` or `components`: the whole router runs on a
//! pool of the `sitepilot_visitor` role (created by scripts/db.sh), which has EXECUTE on the
//! host lookups of migration 0017 and no privilege on any table.

use std::str::FromStr;

use axum::http::StatusCode;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::*;

async fn visitor_pool(owner: &sqlx::PgPool) -> sqlx::PgPool {
    // Idempotent; the migration also grants these when the role existed at migration time.
    for grant in [
        "GRANT USAGE ON SCHEMA public TO sitepilot_visitor",
        "GRANT EXECUTE ON FUNCTION site_visit_by_subdomain(text) TO sitepilot_visitor",
        "GRANT EXECUTE ON FUNCTION site_visit_by_domain(text) TO sitepilot_visitor",
    ] {
        sqlx::query(grant).execute(owner).await.unwrap_or_else(|e| {
            panic!("{grant}: {e} (run `bash scripts/db.sh start` to create the sitepilot_visitor role)")
        });
    }
    let url = std::env::var("APP_DATABASE_URL").expect("APP_DATABASE_URL");
    let opts = PgConnectOptions::from_str(&url)
        .expect("url")
        .username("sitepilot_visitor")
        .password("sitepilot_visitor_dev");
    PgPoolOptions::new()
        .max_connections(4)
        .connect_with(opts)
        .await
        .expect("visitor role connects")
}

#[tokio::test]
async fn visitor_pages_are_served_by_a_role_without_table_privileges() {
    let pool = pool().await;
    let app_router = router(pool.clone());
    let s = published_site(&app_router, &pool, "Proof Co").await;
    add_page(&app_router, &s, "About", "/about").await;
    publish(&app_router, &s).await;

    let owner = sqlx::PgPool::connect(&std::env::var("DATABASE_URL").expect("DATABASE_URL"))
        .await
        .expect("owner");
    let visitor = visitor_pool(&owner).await;
    // The role really cannot read the editable tables (nor any other).
    for table in ["pages", "components", "websites", "deployments"] {
        let err = sqlx::query(&format!("SELECT 1 FROM {table} LIMIT 1"))
            .execute(&visitor)
            .await;
        let msg = err.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("permission denied"), "{table}: {msg}");
    }

    let router = router(visitor.clone());
    for path in ["/", "/about", "/sitemap.xml", "/robots.txt"] {
        let got = fetch(&router, &s.host, path, &[]).await;
        assert_eq!(got.status, StatusCode::OK, "{path}: {}", got.body);
    }
    assert!(fetch(&router, &s.host, "/about", &[])
        .await
        .body
        .contains("<title>About"));
    assert_eq!(
        fetch(&router, &s.host, "/missing", &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let by_path = fetch(
        &router,
        "127.0.0.1",
        &format!("/sites/{}/about", s.a.subdomain),
        &[],
    )
    .await;
    assert_eq!(by_path.status, StatusCode::OK);
    owner.close().await;
}
