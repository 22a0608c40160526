//! Tenant A can neither read nor change tenant B's rows, in any tenant table, through direct
//! SQL as the app role or through the server functions.

use crate::common::*;
use app::db::{self, tenant_tx};
use app::error::AppError;
use app::model::{BlockProps, ComponentKind, WebsiteSummary};
use serde_json::json;
use tower::ServiceExt;
use uuid::Uuid;

/// Every table that holds tenant data.
const TENANT_TABLES: &[&str] = &[
    "tenants",
    "users",
    "sessions",
    "subscriptions",
    "websites",
    "pages",
    "components",
    "deployments",
    "page_versions",
    "assets",
    "asset_publications",
    "ai_usage_log",
    "usage_metrics",
    "raw_page_events",
    "domain_verifications",
    "team_invitations",
    "audit_logs",
    "email_outbox",
    "user_tokens",
    "site_backups",
    "credit_transactions",
    "ai_generations",
    "site_templates",
    "global_blocks",
    "website_webhooks",
    "website_webhook_deliveries",
    "api_keys",
    "website_subdomain_redirects",
    "api_idempotency_keys",
    "website_products",
    "website_product_variants",
    "website_categories",
    "website_product_categories",
    "website_carts",
    "website_cart_items",
    "website_promotions",
    "website_orders",
    "website_order_items",
    "website_order_status_history",
    "website_promotion_usage",
    "billing_invoices",
];

fn tenant_col(table: &str) -> &'static str {
    if table == "tenants" {
        "id"
    } else {
        "tenant_id"
    }
}

/// Gives tenant `t` a row in every tenant table (sign-up and publish fill the rest).
async fn fill_every_table(pool: &sqlx::PgPool, a: &app::db::accounts::NewAccount) {
    // A webhook endpoint and a queued delivery (website_webhooks, website_webhook_deliveries).
    crate::permissions::fixtures::fresh_webhook(pool, a).await;
    crate::permissions::fixtures::fresh_api_key(pool, a).await;
    // A product, variants, category, cart, promotion and order (the commerce tables).
    crate::permissions::fixtures::fill_commerce(pool, a).await;
    let mut tx = tenant_tx(pool, a.tenant_id).await.expect("tx");
    db::publish::publish(&mut tx, a.tenant_id, a.user_id, a.website_id)
        .await
        .expect("publish");
    // A verification token and its queued email (user_tokens, email_outbox).
    db::user_tokens::queue_verification(
        &mut tx,
        a.tenant_id,
        a.user_id,
        "owner@example.com",
        "http://app.test",
    )
    .await
    .expect("verification email");
    db::site_backups::take(
        &mut tx,
        a.tenant_id,
        Some(a.user_id),
        a.website_id,
        "manual",
    )
    .await
    .expect("backup");
    db::templates::save_private(&mut tx, a.tenant_id, a.user_id, a.website_id, "House style")
        .await
        .expect("template");
    let stmts: &[&str] = &[
        "INSERT INTO assets (tenant_id, original_filename, cloudinary_public_id, cloudinary_url, secure_url, size_bytes)
         VALUES ($1, 'logo.png', 'local/' || gen_random_uuid(), '/a.png', '/a.png', 10)",
        "INSERT INTO asset_publications (tenant_id, asset_id, deployment_id)
         SELECT $1, gen_random_uuid(), d.id FROM deployments d WHERE d.website_id = $3 AND $2::uuid IS NOT NULL LIMIT 1",
        "INSERT INTO global_blocks (tenant_id, name, component_type, created_by)
         SELECT $1, 'Fixture footer', 'footer', $2 WHERE $3::uuid IS NOT NULL",
        "INSERT INTO ai_usage_log (tenant_id, user_id, action_type, website_id) VALUES ($1, $2, 'suggest_copy', $3)",
        "INSERT INTO usage_metrics (tenant_id, website_id, date, page_views) VALUES ($1, $3, current_date, 5)",
        "INSERT INTO raw_page_events (tenant_id, website_id, page_slug) VALUES ($1, $3, '/')",
        "INSERT INTO domain_verifications (tenant_id, website_id, domain, cname_target) VALUES ($1, $3, 'www.' || $1::text || '.test', 'x.localhost')",
        "INSERT INTO team_invitations (tenant_id, invited_by, email, role) VALUES ($1, $2, 'invitee@example.com', 'editor')",
        "INSERT INTO credit_transactions (tenant_id, kind, amount, user_id, note) SELECT $1, 'top_up', 5, $2, 'test' WHERE $3::uuid IS NOT NULL",
        "INSERT INTO ai_generations (tenant_id, created_by, brief, usage_id)
         SELECT $1, $2, '{}', c.id FROM credit_transactions c WHERE c.tenant_id = $1 AND $3::uuid IS NOT NULL LIMIT 1",
        "INSERT INTO website_subdomain_redirects (subdomain, tenant_id, website_id, release_at)
         VALUES ('old-' || replace($1::text, '-', ''), $1, $3, now() + interval '30 days')",
        "INSERT INTO api_idempotency_keys (tenant_id, api_key_id, idempotency_key, request_hash, response_status, response_body)
         SELECT $1, k.id, 'fixture', repeat('e', 64), 201, '{}' FROM api_keys k WHERE $2::uuid IS NOT NULL AND $3::uuid IS NOT NULL LIMIT 1",
        "INSERT INTO billing_invoices (tenant_id, stripe_invoice_id, status, amount_due_cents, amount_paid_cents, currency, issued_at)
         SELECT $1, 'in_fixture_' || replace($1::text, '-', ''), 'paid', 1900, 1900, 'USD', now() WHERE $2::uuid IS NOT NULL AND $3::uuid IS NOT NULL",
    ];
    for sql in stmts {
        sqlx::query(sql)
            .bind(a.tenant_id)
            .bind(a.user_id)
            .bind(a.website_id)
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    tx.commit().await.expect("commit");
}

async fn count_as(pool: &sqlx::PgPool, viewer: Option<Uuid>, table: &str, owner: Uuid) -> i64 {
    let sql = format!(
        "SELECT count(*) FROM {table} WHERE {} = $1",
        tenant_col(table)
    );
    match viewer {
        Some(v) => {
            let mut tx = tenant_tx(pool, v).await.expect("tx");
            sqlx::query_scalar(&sql)
                .bind(owner)
                .fetch_one(&mut *tx)
                .await
                .expect("count")
        }
        None => sqlx::query_scalar(&sql)
            .bind(owner)
            .fetch_one(pool)
            .await
            .expect("count"),
    }
}

#[tokio::test]
async fn direct_sql_as_the_app_role_cannot_cross_tenants() {
    let pool = pool().await;
    let a = account(&pool, "Alpha Bakery").await;
    let b = account(&pool, "Beta Books").await;
    fill_every_table(&pool, &b).await;

    for table in TENANT_TABLES {
        let own = count_as(&pool, Some(b.tenant_id), table, b.tenant_id).await;
        assert!(own > 0, "tenant B should have rows in {table}");
        assert_eq!(
            count_as(&pool, Some(a.tenant_id), table, b.tenant_id).await,
            0,
            "A reads B's {table}"
        );
        assert_eq!(
            count_as(&pool, None, table, b.tenant_id).await,
            0,
            "no tenant set reads {table}"
        );

        // UPDATE and DELETE of B's rows affect nothing (or are not granted at all).
        let col = tenant_col(table);
        for sql in [
            format!("UPDATE {table} SET {col} = {col} WHERE {col} = $1"),
            format!("DELETE FROM {table} WHERE {col} = $1"),
        ] {
            let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
            match sqlx::query(&sql).bind(b.tenant_id).execute(&mut *tx).await {
                Ok(r) => assert_eq!(r.rows_affected(), 0, "{sql} touched B's rows"),
                Err(e) => assert_eq!(sqlstate(&e), "42501", "{sql}: {e}"),
            }
            tx.commit().await.expect("commit");
        }
        assert_eq!(
            count_as(&pool, Some(b.tenant_id), table, b.tenant_id).await,
            own,
            "B's {table} changed"
        );
    }
}

fn sqlstate(e: &sqlx::Error) -> String {
    e.as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn inserting_rows_for_another_tenant_is_refused_by_rls() {
    let pool = pool().await;
    let a = account(&pool, "Gamma Garage").await;
    let b = account(&pool, "Delta Dance").await;
    // Each statement tries to write a row carrying B's tenant_id while A is the current tenant.
    let attempts: &[(&str, &str)] = &[
        ("tenants", "INSERT INTO tenants (id, name, slug, plan_id) VALUES ($1, 'x', 'x-' || substr(md5(random()::text), 1, 8), '00000000-0000-0000-0000-000000000001')"),
        ("users", "INSERT INTO users (tenant_id, email, password_hash, role) VALUES ($1, 'intruder-' || gen_random_uuid() || '@x.com', 'h', 'editor')"),
        ("websites", "INSERT INTO websites (tenant_id, name) VALUES ($1, 'Evil')"),
        ("pages", "INSERT INTO pages (tenant_id, website_id, title, slug) VALUES ($1, $2, 'Evil', '/evil')"),
        ("components", "INSERT INTO components (tenant_id, page_id, type, order_key) VALUES ($1, $3, 'hero', '\\xff'::bytea)"),
        ("page_versions", "INSERT INTO page_versions (tenant_id, page_id, content_snapshot) VALUES ($1, $3, '[]')"),
        ("deployments", "INSERT INTO deployments (tenant_id, website_id, snapshot_json) VALUES ($1, $2, '{}')"),
        ("audit_logs", "INSERT INTO audit_logs (tenant_id, action) VALUES ($1, 'evil')"),
        ("assets", "INSERT INTO assets (tenant_id, original_filename, cloudinary_public_id, cloudinary_url, secure_url) VALUES ($1, 'x', gen_random_uuid()::text, 'x', 'x')"),
        ("asset_publications", "INSERT INTO asset_publications (tenant_id, asset_id, deployment_id) VALUES ($1, gen_random_uuid(), gen_random_uuid())"),
        ("ai_usage_log", "INSERT INTO ai_usage_log (tenant_id, action_type) VALUES ($1, 'suggest_copy')"),
        ("usage_metrics", "INSERT INTO usage_metrics (tenant_id, website_id, date) VALUES ($1, $2, current_date)"),
        ("raw_page_events", "INSERT INTO raw_page_events (tenant_id, website_id, page_slug) VALUES ($1, $2, '/')"),
        ("domain_verifications", "INSERT INTO domain_verifications (tenant_id, website_id, domain, cname_target) VALUES ($1, $2, 'evil.test', 'x')"),
        ("team_invitations", "INSERT INTO team_invitations (tenant_id, invited_by, email) VALUES ($1, $4, 'evil@x.com')"),
        ("sessions", "INSERT INTO sessions (id, tenant_id, user_id, expires_at) VALUES (repeat('a', 64), $1, $4, now() + interval '1 day')"),
        ("subscriptions", "INSERT INTO subscriptions (tenant_id, stripe_customer_id) VALUES ($1, 'cus_evil')"),
        ("email_outbox", "INSERT INTO email_outbox (tenant_id, to_email, subject, body_text, kind) VALUES ($1, 'evil@x.com', 's', 'b', 'invitation')"),
        ("user_tokens", "INSERT INTO user_tokens (token_hash, tenant_id, user_id, purpose, email, expires_at) VALUES (repeat('b', 64), $1, $4, 'password_reset', 'evil@x.com', now() + interval '1 hour')"),
        ("website_webhooks", "INSERT INTO website_webhooks (tenant_id, website_id, url, events, secret) VALUES ($1, $2, 'https://evil.example/', '{site.published}', 'whsec_' || repeat('a', 64))"),
        ("website_webhook_deliveries", "INSERT INTO website_webhook_deliveries (tenant_id, website_id, webhook_id, event, event_id, payload) VALUES ($1, $2, gen_random_uuid(), 'site.published', gen_random_uuid(), '{}')"),
        ("api_keys", "INSERT INTO api_keys (tenant_id, created_by, name, key_hash, key_prefix, scopes) VALUES ($1, $4, 'evil', repeat('c', 64), 'sp_live_evil', '{read_sites}')"),
        ("site_backups", "INSERT INTO site_backups (tenant_id, website_id, backup_data, version, size_bytes, expires_at) VALUES ($1, $2, '{}', 2, 2, now() + interval '1 day')"),
        ("credit_transactions", "INSERT INTO credit_transactions (tenant_id, kind, amount, note) VALUES ($1, 'top_up', 1000, 'evil')"),
        ("ai_generations", "INSERT INTO ai_generations (tenant_id, brief, usage_id) VALUES ($1, '{}', gen_random_uuid())"),
        ("site_templates", "INSERT INTO site_templates (tenant_id, name, document, version, size_bytes) VALUES ($1, 'Evil', '{}', 2, 2)"),
        ("global_blocks", "INSERT INTO global_blocks (tenant_id, name, component_type) VALUES ($1, 'Evil', 'footer')"),
        ("website_subdomain_redirects", "INSERT INTO website_subdomain_redirects (subdomain, tenant_id, website_id, release_at) VALUES ('evil-' || substr(md5(random()::text), 1, 8), $1, $2, now())"),
        ("api_idempotency_keys", "INSERT INTO api_idempotency_keys (tenant_id, api_key_id, idempotency_key, request_hash) VALUES ($1, gen_random_uuid(), 'evil', repeat('d', 64))"),
        ("website_products", "INSERT INTO website_products (tenant_id, website_id, title, slug) VALUES ($1, $2, 'Evil', 'evil')"),
        ("website_product_variants", "INSERT INTO website_product_variants (tenant_id, website_id, product_id, price_cents) VALUES ($1, $2, gen_random_uuid(), 100)"),
        ("website_categories", "INSERT INTO website_categories (tenant_id, website_id, name, slug) VALUES ($1, $2, 'Evil', 'evil')"),
        ("website_product_categories", "INSERT INTO website_product_categories (tenant_id, product_id, category_id) VALUES ($1, gen_random_uuid(), gen_random_uuid())"),
        ("website_carts", "INSERT INTO website_carts (tenant_id, website_id, currency) VALUES ($1, $2, 'EUR')"),
        ("website_cart_items", "INSERT INTO website_cart_items (tenant_id, cart_id, product_id, variant_id, quantity, unit_price_cents) VALUES ($1, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 1, 0)"),
        ("website_promotions", "INSERT INTO website_promotions (tenant_id, website_id, code, name, discount_type, discount_value) VALUES ($1, $2, 'EVIL', 'Evil', 'percentage', 10000)"),
        ("website_orders", "INSERT INTO website_orders (tenant_id, website_id, order_number, customer_email, currency, subtotal_cents, total_cents) VALUES ($1, $2, 'evil', 'evil@x.com', 'EUR', 0, 0)"),
        ("website_order_items", "INSERT INTO website_order_items (tenant_id, order_id, title, quantity, unit_price_cents, subtotal_cents, total_cents) VALUES ($1, gen_random_uuid(), 'Evil', 1, 0, 0, 0)"),
        ("website_order_status_history", "INSERT INTO website_order_status_history (tenant_id, order_id, status) VALUES ($1, gen_random_uuid(), 'paid')"),
        ("website_promotion_usage", "INSERT INTO website_promotion_usage (tenant_id, promotion_id, order_id, customer_email, discount_cents) VALUES ($1, gen_random_uuid(), gen_random_uuid(), 'evil@x.com', 0)"),
        ("billing_invoices", "INSERT INTO billing_invoices (tenant_id, stripe_invoice_id, status, amount_due_cents, amount_paid_cents, currency, issued_at) VALUES ($1, 'in_evil', 'paid', 0, 0, 'USD', now())"),
    ];
    assert_eq!(
        attempts.len(),
        TENANT_TABLES.len(),
        "one attempt per tenant table"
    );
    for (table, sql) in attempts {
        let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
        let err = sqlx::query(sql)
            .bind(b.tenant_id)
            .bind(b.website_id)
            .bind(b.home_page_id)
            .bind(b.user_id)
            .execute(&mut *tx)
            .await
            .expect_err(&format!("insert into {table} for tenant B succeeded"));
        assert_eq!(
            sqlstate(&err),
            "42501",
            "{table}: expected an RLS refusal, got {err}"
        );
    }
}

#[tokio::test]
async fn server_functions_cannot_read_or_change_another_tenants_page() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Epsilon Eats").await;
    let b = account(&pool, "Zeta Zoo").await;
    let (ca, cb) = (cookie_for(&a), cookie_for(&b));

    let b_page = load_page(&router, &cb, b.home_page_id).await;
    let hero = b_page
        .components
        .iter()
        .find(|c| c.block.kind().as_str() == "hero")
        .expect("hero");

    // Reading B's page as A.
    let r = call_form(
        &router,
        "/api/builder/load",
        Some(&ca),
        &[("page_id", &b.home_page_id.to_string())],
    )
    .await;
    assert_eq!(r.error(), AppError::NotFound("Page".into()));

    // Listing websites as A shows only A's.
    let sites: Vec<WebsiteSummary> = call_form(&router, "/api/websites", Some(&ca), &[])
        .await
        .json();
    assert_eq!(sites.len(), 1);
    assert_eq!(sites[0].id, a.website_id);

    // Changing B's block, adding to B's page, moving, deleting, autosaving and publishing as A.
    let mut block = hero.block.clone();
    block.set_text("heading", "Hacked".into());
    let update = json!({ "page_id": b.home_page_id, "component_id": hero.id, "block": block, "base_revision": b_page.revision });
    assert!(matches!(
        call_json(&router, "/api/builder/update", Some(&ca), update)
            .await
            .error(),
        AppError::NotFound(_)
    ));
    let add = insert(
        &router,
        &ca,
        b.home_page_id,
        BlockProps::starter(ComponentKind::Cta),
        None,
        b_page.revision,
    )
    .await;
    assert_eq!(add.error(), AppError::NotFound("Page".into()));
    // Re-using the id of B's block for an insert on A's own page changes nothing of B's.
    let a_page = load_page(&router, &ca, a.home_page_id).await;
    let steal = json!({ "page_id": a.home_page_id, "after": null, "base_revision": a_page.revision,
        "block": { "id": hero.id, "is_visible": true, "is_locked": false, "block": hero.block } });
    assert!(matches!(
        call_json(&router, "/api/builder/insert", Some(&ca), steal)
            .await
            .error(),
        AppError::Invalid { .. }
    ));
    let mv = json!({ "page_id": b.home_page_id, "component_id": hero.id, "after": null, "base_revision": b_page.revision });
    assert!(matches!(
        call_json(&router, "/api/builder/move", Some(&ca), mv)
            .await
            .error(),
        AppError::NotFound(_)
    ));
    let del = json!({ "page_id": b.home_page_id, "component_id": hero.id, "base_revision": b_page.revision });
    assert!(matches!(
        call_json(&router, "/api/builder/delete", Some(&ca), del)
            .await
            .error(),
        AppError::NotFound(_)
    ));
    let flags = json!({ "page_id": b.home_page_id, "component_id": hero.id, "is_visible": false, "is_locked": null, "base_revision": b_page.revision });
    assert!(matches!(
        call_json(&router, "/api/builder/flags", Some(&ca), flags)
            .await
            .error(),
        AppError::NotFound(_)
    ));
    let auto = json!({ "page_id": b.home_page_id });
    assert!(matches!(
        call_json(&router, "/api/builder/autosave", Some(&ca), auto)
            .await
            .error(),
        AppError::NotFound(_)
    ));
    let publish = json!({ "website_id": b.website_id });
    assert!(matches!(
        call_json(&router, "/api/websites/publish", Some(&ca), publish)
            .await
            .error(),
        AppError::NotFound(_)
    ));
    // Realtime: A can neither be present on B's page nor follow B's website or page.
    let presence = json!({ "page_id": b.home_page_id, "tab": Uuid::new_v4(), "selected": hero.id, "stream": null });
    assert!(matches!(
        call_json(&router, "/api/builder/presence", Some(&ca), presence)
            .await
            .error(),
        AppError::NotFound(_)
    ));
    for query in [
        format!("website={}", b.website_id),
        format!("page={}", b.home_page_id),
        format!("website={}&page={}", a.website_id, b.home_page_id),
    ] {
        let res = router
            .clone()
            .oneshot(
                axum::http::Request::get(format!("/events?{query}"))
                    .header(axum::http::header::HOST, "127.0.0.1")
                    .header(axum::http::header::COOKIE, ca.as_str())
                    .body(axum::body::Body::empty())
                    .expect("request"),
            )
            .await
            .expect("response");
        assert_eq!(
            res.status(),
            axum::http::StatusCode::NOT_FOUND,
            "/events?{query}"
        );
    }

    // B's custom domain: neither read, changed, checked nor taken over by A.
    crate::common::set_plan(&pool, b.tenant_id, crate::common::GROWTH).await;
    let domain = format!("www.{}.example", crate::common::unique("tenancy-"));
    let r = call_json(
        &router,
        "/api/websites/domain/add",
        Some(&cb),
        json!({ "website_id": b.website_id, "domain": domain }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let b_domain: app::model::DomainSettings = r.json();
    for (path, body) in [
        (
            "/api/websites/domain",
            json!({ "website_id": b.website_id }),
        ),
        (
            "/api/websites/domain/add",
            json!({ "website_id": b.website_id, "domain": "www.hijack.example" }),
        ),
        (
            "/api/websites/domain/remove",
            json!({ "website_id": b.website_id }),
        ),
        (
            "/api/websites/domain/check",
            json!({ "website_id": b.website_id }),
        ),
    ] {
        let r = call_json(&router, path, Some(&ca), body).await;
        assert!(
            matches!(r.error(), AppError::NotFound(_)),
            "{path}: {}",
            r.text()
        );
    }
    let r = call_json(
        &router,
        "/api/websites/domain",
        Some(&cb),
        json!({ "website_id": b.website_id }),
    )
    .await;
    assert_eq!(r.json::<app::model::DomainSettings>(), b_domain);

    // B's webhooks: neither read, added to, removed, enabled nor resent by A.
    let (hook, delivery) = crate::permissions::fixtures::fresh_webhook(&pool, &b).await;
    let before: app::model::WebhooksOverview = call_json(
        &router,
        "/api/webhooks/overview",
        Some(&cb),
        json!({ "website_id": b.website_id }),
    )
    .await
    .json();
    for (path, body) in [
        (
            "/api/webhooks/overview",
            json!({ "website_id": b.website_id }),
        ),
        (
            "/api/webhooks/add",
            json!({ "website_id": b.website_id, "url": "https://93.184.216.34/steal", "events": ["form.submitted"] }),
        ),
        ("/api/webhooks/delete", json!({ "webhook_id": hook })),
        ("/api/webhooks/enable", json!({ "webhook_id": hook })),
        ("/api/webhooks/resend", json!({ "delivery_id": delivery })),
    ] {
        let r = call_json(&router, path, Some(&ca), body).await;
        assert!(
            matches!(r.error(), AppError::NotFound(_)),
            "{path}: {}",
            r.text()
        );
        assert!(!r.text().contains("whsec_"), "{path} leaked a secret");
    }
    let after: app::model::WebhooksOverview = call_json(
        &router,
        "/api/webhooks/overview",
        Some(&cb),
        json!({ "website_id": b.website_id }),
    )
    .await
    .json();
    assert_eq!(after, before);

    // B's API keys: A neither lists nor revokes them.
    let b_key = crate::permissions::fixtures::fresh_api_key(&pool, &b).await;
    let r = call_json(&router, "/api/api_keys/list", Some(&ca), json!({})).await;
    assert!(r.status.is_success(), "{}", r.text());
    assert!(!r.text().contains(&b_key.to_string()));
    let r = call_json(
        &router,
        "/api/api_keys/revoke",
        Some(&ca),
        json!({ "key_id": b_key }),
    )
    .await;
    assert!(matches!(r.error(), AppError::NotFound(_)), "{}", r.text());
    let r = call_json(&router, "/api/api_keys/list", Some(&cb), json!({})).await;
    let keys: app::model::ApiKeysOverview = r.json();
    assert!(keys
        .keys
        .iter()
        .any(|k| k.id == b_key && k.revoked_at.is_none()));

    // B's products: neither read, changed, archived nor deleted by A, and A cannot add one to
    // B's website.
    set_plan(&pool, a.tenant_id, PRO).await;
    set_plan(&pool, b.tenant_id, PRO).await;
    let product = crate::permissions::fixtures::fresh_product(&pool, &b).await;
    let b_order = crate::permissions::fixtures::fresh_paid_order(&pool, &b).await;
    let b_promo = crate::permissions::fixtures::fresh_promotion(&pool, &b).await;
    let b_promos: app::model::PromotionsOverview = call_json(
        &router,
        "/api/commerce/promotions",
        Some(&cb),
        json!({ "website_id": b.website_id }),
    )
    .await
    .json();
    assert_eq!(b_promos.promotions.len(), 1);
    let b_products: app::model::ProductsOverview = call_json(
        &router,
        "/api/commerce/products",
        Some(&cb),
        json!({ "website_id": b.website_id, "query": {} }),
    )
    .await
    .json();
    // The product, and the one the paid order was bought from.
    assert_eq!(b_products.products.len(), 2);
    let form = crate::permissions::fixtures::product_json("Stolen mug", false);
    for (path, body) in [
        (
            "/api/commerce/products",
            json!({ "website_id": b.website_id, "query": {} }),
        ),
        ("/api/commerce/product", json!({ "product_id": product })),
        (
            "/api/commerce/product/create",
            json!({ "website_id": b.website_id, "product": form }),
        ),
        (
            "/api/commerce/product/update",
            json!({ "product_id": product, "product": form }),
        ),
        (
            "/api/commerce/product/delete",
            json!({ "product_id": product }),
        ),
        (
            "/api/commerce/products/status",
            json!({ "website_id": b.website_id, "product_ids": [product], "status": "archived" }),
        ),
        (
            "/api/commerce/orders",
            json!({ "website_id": b.website_id }),
        ),
        (
            "/api/commerce/order/status",
            json!({ "order_id": b_order, "status": "fulfilled" }),
        ),
        (
            "/api/commerce/order/refund",
            json!({ "order_id": b_order, "restock": true }),
        ),
        (
            "/api/commerce/promotions",
            json!({ "website_id": b.website_id }),
        ),
        (
            "/api/commerce/promotion/create",
            json!({ "website_id": b.website_id, "promotion": {
                "code": "STOLEN", "name": "Stolen", "kind": "percentage", "value": "50", "currency": "EUR",
            } }),
        ),
        (
            "/api/commerce/promotion/active",
            json!({ "promotion_id": b_promo, "active": false }),
        ),
        (
            "/api/commerce/promotion/delete",
            json!({ "promotion_id": b_promo }),
        ),
        // The builder's catalogue for B's storefront blocks.
        (
            "/api/storefront/shelf",
            json!({ "website_id": b.website_id }),
        ),
        // A's own website with B's product id.
        (
            "/api/commerce/products/status",
            json!({ "website_id": a.website_id, "product_ids": [product], "status": "archived" }),
        ),
    ] {
        let r = call_json(&router, path, Some(&ca), body).await;
        assert!(
            matches!(r.error(), AppError::NotFound(_)),
            "{path}: {}",
            r.text()
        );
        assert!(
            !r.text().contains("Fixture mug"),
            "{path} leaked B's product"
        );
    }
    let after: app::model::ProductsOverview = call_json(
        &router,
        "/api/commerce/products",
        Some(&cb),
        json!({ "website_id": b.website_id, "query": {} }),
    )
    .await
    .json();
    assert_eq!(after, b_products);
    let b_orders: app::model::OrdersOverview = call_json(
        &router,
        "/api/commerce/orders",
        Some(&cb),
        json!({ "website_id": b.website_id }),
    )
    .await
    .json();
    assert_eq!(b_orders.orders.len(), 1);
    let after: app::model::PromotionsOverview = call_json(
        &router,
        "/api/commerce/promotions",
        Some(&cb),
        json!({ "website_id": b.website_id }),
    )
    .await
    .json();
    assert_eq!(after, b_promos, "A's refused calls changed B's codes");
    assert_eq!(
        b_orders.orders[0].status, "paid",
        "A's refused calls changed B's order"
    );

    // B's page is exactly as it was.
    let after = load_page(&router, &cb, b.home_page_id).await;
    assert_eq!(after, b_page);

    // Without a session nothing is served.
    let r = call_form(
        &router,
        "/api/builder/load",
        None,
        &[("page_id", &b.home_page_id.to_string())],
    )
    .await;
    assert_eq!(r.error(), AppError::Unauthorized);
}

/// Backups (issue 20): another tenant's website cannot be exported, and importing a document
/// made from it lands only in the importer's own tenant, leaving the source untouched.
#[tokio::test]
async fn backups_stay_inside_their_tenant() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Eta Eggs").await;
    let b = account(&pool, "Theta Tea").await;
    set_plan(&pool, a.tenant_id, PRO).await;
    let (ca, cb) = (cookie_for(&a), cookie_for(&b));
    let get = |cookie: String, website: Uuid| {
        let router = router.clone();
        async move {
            let req = axum::http::Request::get(format!("/websites/{website}/export"))
                .header(axum::http::header::HOST, "127.0.0.1")
                .header(axum::http::header::COOKIE, cookie)
                .body(axum::body::Body::empty())
                .expect("request");
            send_raw(&router, req).await
        }
    };
    let stolen = get(ca.clone(), b.website_id).await;
    assert_eq!(stolen.status, axum::http::StatusCode::NOT_FOUND);
    assert!(!stolen.text().contains("Theta Tea"));

    let doc = get(cb.clone(), b.website_id).await;
    assert_eq!(doc.status, axum::http::StatusCode::OK);
    let b_before = load_page(&router, &cb, b.home_page_id).await;
    let r = call_json(
        &router,
        "/api/websites/import",
        Some(&ca),
        json!({ "name": "", "subdomain": unique("eta-"), "document": doc.text() }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let copy: Uuid = r.json();
    let sites: Vec<WebsiteSummary> = call_form(&router, "/api/websites", Some(&ca), &[])
        .await
        .json();
    assert!(sites.iter().any(|s| s.id == copy));
    let b_sites: Vec<WebsiteSummary> = call_form(&router, "/api/websites", Some(&cb), &[])
        .await
        .json();
    assert_eq!(
        b_sites.len(),
        1,
        "the import must not land in the source tenant"
    );
    assert_eq!(load_page(&router, &cb, b.home_page_id).await, b_before);
    // Nor duplicate B's page or website into either tenant.
    let r = call_json(
        &router,
        "/api/pages/duplicate",
        Some(&ca),
        json!({ "page_id": b.home_page_id }),
    )
    .await;
    assert!(matches!(r.error(), AppError::NotFound(_)));
    let r = call_json(
        &router,
        "/api/websites/duplicate",
        Some(&ca),
        json!({ "website_id": b.website_id, "name": "Stolen", "subdomain": unique("stolen-") }),
    )
    .await;
    assert!(matches!(r.error(), AppError::NotFound(_)));
    assert_eq!(load_page(&router, &cb, b.home_page_id).await, b_before);
    // Nor list, take, download or restore B's stored backups.
    let mut tx = tenant_tx(&pool, b.tenant_id).await.expect("tx");
    let b_backup = db::site_backups::take(&mut tx, b.tenant_id, None, b.website_id, "manual")
        .await
        .expect("backup");
    tx.commit().await.expect("commit");
    for (path, body) in [
        ("/api/backups/list", json!({ "website_id": b.website_id })),
        ("/api/backups/create", json!({ "website_id": b.website_id })),
        ("/api/backups/restore", json!({ "backup_id": b_backup })),
    ] {
        let r = call_json(&router, path, Some(&ca), body).await;
        assert!(
            matches!(r.error(), AppError::NotFound(_)),
            "{path}: {}",
            r.text()
        );
    }
    assert_eq!(
        get(ca.clone(), Uuid::nil()).await.status,
        axum::http::StatusCode::NOT_FOUND
    );
    let req = axum::http::Request::get(format!("/backups/{b_backup}/download"))
        .header(axum::http::header::HOST, "127.0.0.1")
        .header(axum::http::header::COOKIE, ca.clone())
        .body(axum::body::Body::empty())
        .expect("request");
    assert_eq!(
        send_raw(&router, req).await.status,
        axum::http::StatusCode::NOT_FOUND
    );
    assert_eq!(load_page(&router, &cb, b.home_page_id).await, b_before);
    // B cannot export A's copy either.
    assert_eq!(
        get(cb, copy).await.status,
        axum::http::StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn ai_actions_and_credits_stay_inside_their_tenant() {
    let pool = pool().await;
    let (standin, addr) = crate::ai_standin::AiStandIn::start().await;
    let config = server::ServerConfig {
        ai: Some(crate::ai::settings(server::ai::Provider::Anthropic, addr)),
        ..config()
    };
    let router = build(&config, pool.clone());
    let a = account(&pool, "Iota Ink").await;
    let b = account(&pool, "Kappa Kites").await;
    let ca = cookie_for(&a);
    let b_hero = crate::ai::hero_of(&pool, b.tenant_id, b.home_page_id).await;
    for (path, body) in [
        (
            "/api/ai/suggest-copy",
            json!({ "page_id": b.home_page_id, "component_id": b_hero, "field": "heading", "current": "x" }),
        ),
        ("/api/ai/seo-optimize", json!({ "page_id": b.home_page_id })),
        (
            "/api/ai/regenerate-section",
            json!({ "page_id": b.home_page_id, "component_id": b_hero, "instructions": "" }),
        ),
        (
            "/api/ai/suggest-palette",
            json!({ "website_id": b.website_id, "brief": "" }),
        ),
        (
            "/api/ai/generate-page",
            json!({ "website_id": b.website_id, "prompt": "About us" }),
        ),
        (
            "/api/ai/generation",
            json!({ "generation_id": crate::permissions::fixtures::generation(&pool, &b).await }),
        ),
        (
            "/api/ai/cancel-generation",
            json!({ "generation_id": crate::permissions::fixtures::generation(&pool, &b).await }),
        ),
    ] {
        let r = call_json(&router, path, Some(&ca), body).await;
        assert!(
            matches!(r.error(), AppError::NotFound(_)),
            "{path}: {}",
            r.text()
        );
    }
    assert!(
        standin.requests().is_empty(),
        "B's page never reaches the model"
    );
    // A's own use spends A's credits only; each sees its own balance.
    let hero = crate::ai::hero_of(&pool, a.tenant_id, a.home_page_id).await;
    let r = call_json(
        &router,
        "/api/ai/suggest-copy",
        Some(&ca),
        json!({ "page_id": a.home_page_id, "component_id": hero, "field": "heading", "current": "x" }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let status_a: app::model::AiStatus = call_json(&router, "/api/ai/status", Some(&ca), json!({}))
        .await
        .json();
    let status_b: app::model::AiStatus =
        call_json(&router, "/api/ai/status", Some(&cookie_for(&b)), json!({}))
            .await
            .json();
    assert_eq!((status_a.credits_left, status_b.credits_left), (9, 10));
    assert_eq!(
        count_as(&pool, Some(a.tenant_id), "ai_usage_log", b.tenant_id).await,
        0
    );
    assert_eq!(
        count_as(&pool, Some(b.tenant_id), "credit_transactions", a.tenant_id).await,
        0
    );
}

/// Templates (issue 20 §1): another tenant's private template is neither listed, previewed,
/// used, nor deleted, and another tenant's website cannot be saved as a template.
#[tokio::test]
async fn private_templates_stay_inside_their_tenant() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Iota Ink").await;
    let b = account(&pool, "Kappa Kites").await;
    set_plan(&pool, a.tenant_id, PRO).await;
    let (ca, cb) = (cookie_for(&a), cookie_for(&b));
    let r = call_json(
        &router,
        "/api/templates/save",
        Some(&cb),
        json!({ "website_id": b.website_id, "name": "Kappa house style" }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let template: Uuid = r.json();

    let gallery: app::model::TemplateGallery =
        call_json(&router, "/api/templates/list", Some(&ca), json!({}))
            .await
            .json();
    assert!(gallery.own.is_empty(), "A lists B's template");
    assert!(!serde_json::to_string(&gallery)
        .expect("json")
        .contains("Kappa"));
    let req = axum::http::Request::get(format!("/preview/templates/{template}/"))
        .header(axum::http::header::HOST, "127.0.0.1")
        .header(axum::http::header::COOKIE, ca.clone())
        .body(axum::body::Body::empty())
        .expect("request");
    let preview = send_raw(&router, req).await;
    assert_eq!(preview.status, axum::http::StatusCode::NOT_FOUND);
    assert!(!preview.text().contains("Kappa"));
    for (path, body) in [
        (
            "/api/templates/create_site",
            json!({ "template": template.to_string(), "name": "", "subdomain": unique("iota-") }),
        ),
        ("/api/templates/delete", json!({ "template_id": template })),
        (
            "/api/templates/save",
            json!({ "website_id": b.website_id, "name": "Stolen style" }),
        ),
    ] {
        let r = call_json(&router, path, Some(&ca), body).await;
        assert!(
            matches!(r.error(), AppError::NotFound(_)),
            "{path}: {}",
            r.text()
        );
    }
    let theirs: app::model::TemplateGallery =
        call_json(&router, "/api/templates/list", Some(&cb), json!({}))
            .await
            .json();
    assert_eq!(theirs.own.len(), 1, "B's template is untouched");
    let a_sites: Vec<WebsiteSummary> = call_form(&router, "/api/websites", Some(&ca), &[])
        .await
        .json();
    assert_eq!(
        a_sites.len(),
        1,
        "nothing was created in A from B's template"
    );
}

/// Global blocks and pasting (issue 20 §2, §3): tenant A can neither list, read, place, edit,
/// detach nor delete tenant B's global blocks, and a block copied in B does not paste in A.
#[tokio::test]
async fn global_blocks_and_pasting_stay_inside_their_tenant() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Lambda Loaves").await;
    let b = account(&pool, "Mu Muffins").await;
    let (ca, cb) = (cookie_for(&a), cookie_for(&b));
    let b_home = load_page(&router, &cb, b.home_page_id).await;
    let footer = b_home.components.last().expect("blocks").clone();
    let r = call_json(
        &router,
        "/api/global-blocks/create",
        Some(&cb),
        json!({
        "page_id": b.home_page_id, "component_id": footer.id, "name": "Mu footer",
        "base_revision": b_home.revision }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let global: app::model::GlobalBlockCreated = r.json();
    let global = global.global;
    let b_before = load_page(&router, &cb, b.home_page_id).await;

    let listed: Vec<app::model::GlobalBlock> =
        call_json(&router, "/api/global-blocks/list", Some(&ca), json!({}))
            .await
            .json();
    assert!(listed.is_empty(), "A lists B's global block");
    let a_home = load_page(&router, &ca, a.home_page_id).await;
    let a_footer = a_home.components.last().expect("blocks").id;
    let mut edited = global.block.clone();
    edited.set_text("tagline", "Stolen".into());
    for (path, body) in [
        (
            "/api/global-blocks/uses",
            json!({ "global_block_id": global.id }),
        ),
        (
            "/api/global-blocks/update",
            json!({ "global_block_id": global.id, "block": edited, "base_revision": global.revision }),
        ),
        (
            "/api/global-blocks/delete",
            json!({ "global_block_id": global.id }),
        ),
        (
            "/api/global-blocks/insert",
            json!({ "page_id": a.home_page_id, "global_block_id": global.id,
            "id": Uuid::new_v4(), "after": null, "base_revision": a_home.revision }),
        ),
        (
            "/api/global-blocks/detach",
            json!({ "page_id": b.home_page_id, "component_id": footer.id,
            "base_revision": b_before.revision }),
        ),
        (
            "/api/global-blocks/create",
            json!({ "page_id": b.home_page_id, "component_id": footer.id,
            "name": "Taken", "base_revision": b_before.revision }),
        ),
        (
            "/api/builder/paste",
            json!({ "page_id": b.home_page_id,
            "payload": app::model::clipboard_payload(b.tenant_id, &footer.block),
            "id": Uuid::new_v4(), "after": null, "base_revision": b_before.revision }),
        ),
    ] {
        let r = call_json(&router, path, Some(&ca), body).await;
        assert!(
            matches!(r.error(), AppError::NotFound(_)),
            "{path}: {}",
            r.text()
        );
    }
    // A block copied in B, pasted on A's own page: refused, nothing saved in A.
    let r = call_json(
        &router,
        "/api/builder/paste",
        Some(&ca),
        json!({ "page_id": a.home_page_id,
        "payload": app::model::clipboard_payload(b.tenant_id, &footer.block),
        "id": Uuid::new_v4(), "after": a_footer, "base_revision": a_home.revision }),
    )
    .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text());
    assert_eq!(load_page(&router, &ca, a.home_page_id).await, a_home);
    assert_eq!(load_page(&router, &cb, b.home_page_id).await, b_before);
    let theirs: Vec<app::model::GlobalBlock> =
        call_json(&router, "/api/global-blocks/list", Some(&cb), json!({}))
            .await
            .json();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].block, global.block);
}

/// Website settings and lifecycle (issue 23): tenant A can neither read nor change tenant B's
/// website through any of them, B's site keeps serving, and B's subdomain cannot be taken.
#[tokio::test]
async fn website_lifecycle_functions_stay_inside_their_tenant() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Lifecycle A").await;
    let b = account(&pool, "Lifecycle B").await;
    let (ca, cb) = (cookie_for(&a), cookie_for(&b));
    let r = call_json(
        &router,
        "/api/websites/publish",
        Some(&cb),
        json!({ "website_id": b.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let settings = |c: String| {
        let router = router.clone();
        async move {
            call_json(
                &router,
                "/api/websites/settings",
                Some(&c),
                json!({ "website_id": b.website_id }),
            )
            .await
        }
    };
    let before: app::model::WebsiteSettings = settings(cb.clone()).await.json();
    let w = b.website_id;
    for (path, body) in [
        ("/api/websites/settings", json!({ "website_id": w })),
        (
            "/api/websites/rename",
            json!({ "website_id": w, "name": "Stolen" }),
        ),
        (
            "/api/websites/favicon",
            json!({ "website_id": w, "favicon_url": "/stolen.png" }),
        ),
        (
            "/api/websites/subdomain",
            json!({ "website_id": w, "subdomain": unique("hijack-") }),
        ),
        (
            "/api/websites/seo_defaults",
            json!({ "website_id": w, "seo": { "no_index": true } }),
        ),
        (
            "/api/websites/analytics",
            json!({ "website_id": w, "enabled": false }),
        ),
        ("/api/websites/unpublish", json!({ "website_id": w })),
        ("/api/websites/republish", json!({ "website_id": w })),
        ("/api/websites/archive", json!({ "website_id": w })),
        ("/api/websites/undelete", json!({ "website_id": w })),
        ("/api/websites/restore", json!({ "website_id": w })),
        (
            "/api/websites/delete",
            json!({ "website_id": w, "confirm": before.name }),
        ),
    ] {
        let r = call_json(&router, path, Some(&ca), body).await;
        assert!(
            matches!(r.error(), AppError::NotFound(_)),
            "{path}: {}",
            r.text()
        );
    }
    assert_eq!(
        settings(cb.clone())
            .await
            .json::<app::model::WebsiteSettings>(),
        before
    );
    // A cannot move its own site onto B's address either.
    let r = call_json(
        &router,
        "/api/websites/subdomain",
        Some(&ca),
        json!({ "website_id": a.website_id, "subdomain": b.subdomain }),
    )
    .await;
    assert!(
        matches!(r.error(), AppError::Invalid { .. }),
        "{}",
        r.text()
    );
    let site = get(&router, &format!("{}.localhost", b.subdomain), "/").await;
    assert_eq!(site.status, axum::http::StatusCode::OK);
}

/// Every REST API route, called with the key of another tenant's owner (every scope) on this
/// tenant's records: 404 for a record, the caller's own data for a tenant-wide list, nothing of
/// this tenant in the answer and none of its rows changed.
#[tokio::test]
async fn api_keys_never_reach_another_tenants_records() {
    use crate::permissions::api_v1::{call, request_for, table};
    use crate::permissions::fixtures::{fingerprint, tenant};
    use crate::permissions::Scope;
    use axum::http::StatusCode;
    let pool = pool().await;
    let router = router(pool.clone());
    let t = tenant(&pool, "API Tenancy A").await;
    let b = tenant(&pool, "API Tenancy B").await;
    let b_key = crate::api_v1::key_for(
        &pool,
        b.account.tenant_id,
        b.account.user_id,
        &app::model::ApiScope::ALL,
    )
    .await;
    let mut failures = Vec::new();
    for (method, pattern, _, scope) in table() {
        let req = request_for(&pool, &t, method, pattern).await;
        let before = fingerprint(&pool, t.account.tenant_id).await;
        let r = call(&router, method, Some(&b_key), &req).await;
        let ok = match scope {
            Scope::Record => r.status == StatusCode::NOT_FOUND,
            Scope::OwnTenant => r.status == StatusCode::OK,
        } && fingerprint(&pool, t.account.tenant_id).await == before;
        let leaked = t
            .markers()
            .into_iter()
            .find(|m| r.text().contains(m.as_str()) && !req.0.contains(m.as_str()));
        if !ok || leaked.is_some() {
            failures.push(format!(
                "{method} {pattern} with another tenant's key: {} {} (leaked {leaked:?})",
                r.status,
                r.text()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Organisation settings and ownership transfer (issue 23): tenant A's members can neither
/// change B's settings nor take or give B's ownership, even holding B's emailed link.
#[tokio::test]
async fn organisation_functions_stay_inside_their_tenant() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Org Tenancy A").await;
    let b = account(&pool, "Org Tenancy B").await;
    let (ca, cb) = (cookie_for(&a), cookie_for(&b));
    let (a_admin, _) = member(&pool, &a, "admin", None).await;
    let (_, b_admin_id) = member(&pool, &b, "admin", None).await;
    let org_of = |c: String| {
        let router = router.clone();
        async move {
            call_json(&router, "/api/org/get", Some(&c), json!({}))
                .await
                .json::<app::model::Organisation>()
        }
    };
    let before = org_of(cb.clone()).await;
    let r = call_json(
        &router,
        "/api/org/update",
        Some(&ca),
        json!({ "settings": { "name": "Only A", "logo_url": "", "timezone": "Asia/Tokyo", "locale": "en" } }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(org_of(ca.clone()).await.name, "Only A");
    assert_eq!(org_of(cb.clone()).await, before);

    // A's owner cannot name B's admin as the next owner.
    let r = call_json(
        &router,
        "/api/org/transfer_start",
        Some(&ca),
        json!({ "to_user_id": b_admin_id }),
    )
    .await;
    assert!(matches!(r.error(), AppError::NotFound(_)), "{}", r.text());
    // B's link, confirmed by A's admin: unknown in A's tenant.
    let mut tx = tenant_tx(&pool, b.tenant_id).await.expect("tx");
    let token = db::organisation::start_transfer(
        &mut tx,
        b.tenant_id,
        b.user_id,
        "B",
        b_admin_id,
        "http://x",
    )
    .await
    .expect("link");
    tx.commit().await.expect("commit");
    let r = call_json(
        &router,
        "/api/org/transfer_confirm",
        Some(&a_admin),
        json!({ "token": token }),
    )
    .await;
    assert!(
        matches!(r.error(), AppError::Invalid { .. }),
        "{}",
        r.text()
    );
    // A's transfer state shows nothing of B's pending link.
    let r = call_json(&router, "/api/org/transfer_state", Some(&ca), json!({})).await;
    let state: app::model::TransferState = r.json();
    assert!(state.pending.is_none());
    assert!(!r.text().contains(&b_admin_id.to_string()));
    let owner_b: Uuid = {
        let mut tx = tenant_tx(&pool, b.tenant_id).await.expect("tx");
        sqlx::query_scalar("SELECT id FROM users WHERE role = 'owner'")
            .fetch_one(&mut *tx)
            .await
            .expect("owner")
    };
    assert_eq!(owner_b, b.user_id);
}

/// The organisation export and deletion (issue 23 part 5): A's owner never sees B's export
/// (state or download), deleting A leaves B running, and A's owner cannot cancel B's deletion.
#[tokio::test]
async fn organisation_export_and_deletion_stay_inside_their_tenant() {
    let pool = pool().await;
    let config = config();
    let router = build(&config, pool.clone());
    let a = account(&pool, "Lifecycle Tenancy A").await;
    let b = account(&pool, "Lifecycle Tenancy B").await;
    let (ca, cb) = (cookie_for(&a), cookie_for(&b));
    let r = call_json(&router, "/api/org/export_start", Some(&cb), json!({})).await;
    assert!(r.status.is_success(), "{}", r.text());
    let b_export: app::model::OrgExport = r.json();
    let registry = server::jobs::registry(&config, &pool).only(&[app::db::org_export::JOB]);
    server::jobs::run_due_for(&pool, &registry, b.tenant_id).await;

    // A sees no export at all, and B's link answers A's owner 404.
    let r = call_json(&router, "/api/org/export_latest", Some(&ca), json!({})).await;
    assert_eq!(r.json::<Option<app::model::OrgExport>>(), None);
    let url = format!("/organisation/exports/{}/download", b_export.id);
    let req = axum::http::Request::get(&url)
        .header(axum::http::header::HOST, "127.0.0.1")
        .header(axum::http::header::COOKIE, &ca)
        .body(axum::body::Body::empty())
        .expect("request");
    assert_eq!(
        send_raw(&router, req).await.status,
        axum::http::StatusCode::NOT_FOUND
    );
    // A's new export is A's own, whatever B has.
    let r = call_json(&router, "/api/org/export_start", Some(&ca), json!({})).await;
    assert_ne!(r.json::<app::model::OrgExport>().id, b_export.id);

    // B's name typed by A's owner deletes nothing (A's name is the one that counts).
    let r = call_json(
        &router,
        "/api/org/delete",
        Some(&ca),
        json!({ "confirm_name": "Lifecycle Tenancy B" }),
    )
    .await;
    assert!(
        matches!(r.error(), AppError::Invalid { .. }),
        "{}",
        r.text()
    );
    let r = call_json(
        &router,
        "/api/org/delete",
        Some(&cb),
        json!({ "confirm_name": "Lifecycle Tenancy B" }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    // A stays active and cannot cancel B's deletion (A has nothing to cancel).
    let r = call_json(&router, "/api/websites", Some(&ca), json!({})).await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = call_form(&router, "/api/org/deletion_cancel", Some(&ca), &[]).await;
    assert!(
        matches!(r.error(), AppError::Invalid { .. }),
        "{}",
        r.text()
    );
    let status: String = {
        let mut tx = tenant_tx(&pool, b.tenant_id).await.expect("tx");
        sqlx::query_scalar("SELECT status FROM tenants")
            .fetch_one(&mut *tx)
            .await
            .expect("status")
    };
    assert_eq!(status, "offboarded");
}

/// Staff viewing one organisation read-only (operator console) get that tenant's transaction
/// and nothing of another's: another tenant's website is NotFound, its list never shows up.
#[tokio::test]
async fn a_staff_impersonation_reads_only_the_impersonated_tenant() {
    let pool = pool().await;
    let router = crate::common::router(pool.clone());
    let a = account(&pool, "Seen Bakery").await;
    let b = account(&pool, "Unseen Books").await;
    let (staff, _) = crate::staff::staff_signed_in(&router).await;
    let r = call_json(
        &router,
        "/api/staff/impersonate",
        Some(&staff),
        serde_json::json!({ "tenant_id": a.tenant_id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let list = call_form(&router, "/api/websites", Some(&staff), &[]).await;
    assert!(list.status.is_success(), "{}", list.text());
    assert!(list.text().contains(&a.website_id.to_string()));
    assert!(!list.text().contains(&b.website_id.to_string()));
    let r = call_json(
        &router,
        "/api/websites/settings",
        Some(&staff),
        serde_json::json!({ "website_id": b.website_id }),
    )
    .await;
    assert!(matches!(r.error(), AppError::NotFound(_)), "{}", r.text());
}
