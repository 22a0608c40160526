//! Fixtures for the permission matrix: a tenant with one member per role, a request body per
//! endpoint that names fresh records (so a mutating call always has something valid to act
//! on), and a fingerprint of everything a tenant owns (so a refused call provably changed
//! nothing).

use app::db::accounts::NewAccount;
use app::model::{BlockProps, ComponentKind, Role};
use axum::Router;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;

pub const ROLES: [Role; 5] = [
    Role::Owner,
    Role::Admin,
    Role::Developer,
    Role::Editor,
    Role::Viewer,
];

/// One signed-in member.
#[derive(Clone)]
pub struct Caller {
    pub role: Role,
    pub cookie: String,
    pub user_id: Uuid,
}

/// A tenant on Pro (room for the fixtures) with one member per role and one form submission.
pub struct Tenant {
    pub account: NewAccount,
    pub members: Vec<Caller>,
    pub submission: Uuid,
}

impl Tenant {
    pub fn owner(&self) -> &Caller {
        &self.members[0]
    }

    /// Strings that identify this tenant's records: none may appear in another tenant's answer.
    pub fn markers(&self) -> Vec<String> {
        let a = &self.account;
        vec![
            a.tenant_id.to_string(),
            a.website_id.to_string(),
            a.home_page_id.to_string(),
            a.subdomain.clone(),
            self.submission.to_string(),
        ]
    }
}

pub async fn tenant(pool: &PgPool, name: &str) -> Tenant {
    let account = account(pool, name).await;
    set_plan(pool, account.tenant_id, PRO).await;
    let mut members = vec![Caller {
        role: Role::Owner,
        cookie: cookie_for(&account),
        user_id: account.user_id,
    }];
    for role in &ROLES[1..] {
        let (cookie, user_id) = member(pool, &account, role.as_str(), None).await;
        members.push(Caller {
            role: *role,
            cookie,
            user_id,
        });
    }
    let submission = submission(pool, &account).await;
    Tenant {
        account,
        members,
        submission,
    }
}

/// A contact-form submission as a visitor's POST stores it (written directly: the visitor
/// path, its honeypot and rate limit are `forms`' business).
async fn submission(pool: &PgPool, a: &NewAccount) -> Uuid {
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO form_submissions (tenant_id, website_id, page_id, component_id, page_slug, data)
         VALUES ($1, $2, $3, $4, '/', $5) RETURNING id",
    )
    .bind(a.tenant_id)
    .bind(a.website_id)
    .bind(a.home_page_id)
    .bind(Uuid::new_v4())
    .bind(json!([{ "name": "email", "label": "Email", "value": "visitor@example.com" }]))
    .fetch_one(&mut *tx)
    .await
    .expect("submission");
    tx.commit().await.expect("commit");
    id
}

/// A digest of every row the tenant owns, read as the app role inside its tenant (RLS shows
/// only its rows). Equal before and after a call means the call changed nothing.
pub async fn fingerprint(pool: &PgPool, tenant: Uuid) -> String {
    const TABLES: &[&str] = &[
        "tenants",
        "assets",
        "websites",
        "pages",
        "components",
        "page_versions",
        "deployments",
        "form_submissions",
        "team_invitations",
        "users",
        "audit_logs",
        "email_outbox",
        "subscriptions",
        "domain_verifications",
        "site_backups",
        "credit_transactions",
        "ai_generations",
        "organisation_exports",
        "ai_usage_log",
        "site_templates",
        "website_webhooks",
        "website_webhook_deliveries",
        "api_keys",
        "website_subdomain_redirects",
        "api_idempotency_keys",
        "website_products",
        "website_product_variants",
    ];
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    let mut out = String::new();
    for table in TABLES {
        let sql = format!(
            "SELECT coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM {table} x"
        );
        let digest: String = sqlx::query_scalar(&sql)
            .fetch_one(&mut *tx)
            .await
            .expect("fingerprint");
        out.push_str(&format!("{table}:{digest};"));
    }
    out
}

async fn ok_json<T: serde::de::DeserializeOwned>(
    router: &Router,
    path: &str,
    cookie: &str,
    body: Value,
) -> T {
    let r = call_json(router, path, Some(cookie), body).await;
    assert!(r.status.is_success(), "fixture {path}: {}", r.text());
    r.json()
}

/// A domain nobody holds.
fn fresh_domain() -> String {
    format!("www.{}.example", unique("perm-"))
}

/// A fresh page of `a`: its id and settings revision.
async fn fresh_page(router: &Router, owner: &str, a: &NewAccount) -> (Uuid, i64) {
    let body = json!({ "website_id": a.website_id, "title": "Fixture", "slug": format!("/{}", unique("f-")) });
    let created: app::model::PageCreated = ok_json(router, "/api/pages/create", owner, body).await;
    let rev = created
        .overview
        .pages
        .iter()
        .find(|p| p.id == created.id)
        .map(|p| p.settings_revision)
        .expect("page listed");
    (created.id, rev)
}

/// A fresh manual version of the home page.
async fn fresh_version(router: &Router, owner: &str, a: &NewAccount) -> Uuid {
    let v: app::model::VersionSummary = ok_json(
        router,
        "/api/versions/save",
        owner,
        json!({ "page_id": a.home_page_id, "label": "fixture" }),
    )
    .await;
    v.id
}

/// A fresh call-to-action block at the top of the home page: the block's id.
async fn fresh_block(router: &Router, owner: &str, a: &NewAccount) -> Uuid {
    let page = load_page(router, owner, a.home_page_id).await;
    insert(
        router,
        owner,
        a.home_page_id,
        BlockProps::starter(ComponentKind::Cta),
        None,
        page.revision,
    )
    .await
    .ok()
    .component
    .id
}

/// A fresh global block of `a`, made from a fresh block (its one use): (global, that block).
async fn fresh_global(
    router: &Router,
    owner: &str,
    a: &NewAccount,
) -> (app::model::GlobalBlock, Uuid) {
    let block = fresh_block(router, owner, a).await;
    let page = load_page(router, owner, a.home_page_id).await;
    let created: app::model::GlobalBlockCreated = ok_json(
        router,
        "/api/global-blocks/create",
        owner,
        json!({ "page_id": a.home_page_id, "component_id": block,
                "name": unique("Global "), "base_revision": page.revision }),
    )
    .await;
    (created.global, block)
}

/// A deployment of `a` that is not live: publishes twice and names the first.
async fn earlier_deployment(router: &Router, owner: &str, a: &NewAccount) -> Uuid {
    let first: app::model::Published = ok_json(
        router,
        "/api/websites/publish",
        owner,
        json!({ "website_id": a.website_id }),
    )
    .await;
    let _: app::model::Published = ok_json(
        router,
        "/api/websites/publish",
        owner,
        json!({ "website_id": a.website_id }),
    )
    .await;
    first.deployment_id
}

/// A fresh website of `a`, archived as a downgrade leaves it.
async fn archived_website(router: &Router, pool: &PgPool, owner: &str, a: &NewAccount) -> Uuid {
    let body = json!({ "name": "Archived", "subdomain": unique("arch-") });
    let id: Uuid = ok_json(router, "/api/websites/create", owner, body).await;
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    sqlx::query("UPDATE websites SET status = 'archived' WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .expect("archive");
    tx.commit().await.expect("commit");
    id
}

/// A fresh private template of `a`, saved from its website by its owner.
pub async fn private_template(pool: &PgPool, a: &NewAccount) -> Uuid {
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let id = app::db::templates::save_private(
        &mut tx,
        a.tenant_id,
        a.user_id,
        a.website_id,
        &unique("Template "),
    )
    .await
    .expect("template");
    tx.commit().await.expect("commit");
    id
}

/// Puts the sign-up website in the state a lifecycle call needs: published (and, for
/// `unpublished`, taken offline again), never archived.
async fn lifecycle_state(pool: &PgPool, a: &NewAccount, unpublished: bool) {
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    sqlx::query("UPDATE websites SET status = 'draft' WHERE id = $1 AND status = 'archived'")
        .bind(a.website_id)
        .execute(&mut *tx)
        .await
        .expect("unarchive");
    app::db::publish::publish(&mut tx, a.tenant_id, a.user_id, a.website_id)
        .await
        .expect("publish");
    if unpublished {
        app::db::website_lifecycle::unpublish(&mut tx, a.tenant_id, a.user_id, a.website_id)
            .await
            .expect("unpublish");
    }
    tx.commit().await.expect("commit");
}

/// A fresh draft website named "Doomed" (inserted directly: plan limits do not matter here).
async fn doomed_website(pool: &PgPool, a: &NewAccount) -> Uuid {
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO websites (tenant_id, name, subdomain) VALUES ($1, 'Doomed', $2) RETURNING id",
    )
    .bind(a.tenant_id)
    .bind(unique("doomed-"))
    .fetch_one(&mut *tx)
    .await
    .expect("website");
    tx.commit().await.expect("commit");
    id
}

/// Gives `user` a real password (fixture members have none), so a password change can succeed.
pub async fn set_password(pool: &PgPool, tenant: Uuid, user: Uuid, password: &str) {
    let hash = app::db::accounts::hash_password(password.into())
        .await
        .expect("hash");
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user)
        .bind(hash)
        .execute(&mut *tx)
        .await
        .expect("password");
    tx.commit().await.expect("commit");
}

/// A fresh API key of the tenant's owner.
pub async fn fresh_api_key(pool: &PgPool, a: &NewAccount) -> Uuid {
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let (_, id) = app::db::api_keys::create(
        &mut tx,
        a.tenant_id,
        a.user_id,
        "Fixture key",
        &[app::model::ApiScope::ReadSites],
        None,
    )
    .await
    .expect("api key");
    tx.commit().await.expect("commit");
    id
}

/// A fresh webhook endpoint of the website (a public address, never called here) and one
/// delivery queued for it.
pub async fn fresh_webhook(pool: &PgPool, a: &NewAccount) -> (Uuid, Uuid) {
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let url = format!("https://93.184.216.34/{}", unique("hook-"));
    let id = app::db::webhooks::add(
        &mut tx,
        a.tenant_id,
        a.user_id,
        a.website_id,
        &url,
        &["site.published".to_string()],
    )
    .await
    .expect("webhook");
    app::db::webhooks::emit(&mut tx, a.website_id, "site.published", None, json!({}))
        .await
        .expect("emit");
    let delivery: Uuid =
        sqlx::query_scalar("SELECT id FROM website_webhook_deliveries WHERE webhook_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .expect("delivery");
    tx.commit().await.expect("commit");
    (id, delivery)
}

/// A product form: one variant without options, or two (Size M and L) with `two`.
pub fn product_json(title: &str, two: bool) -> Value {
    let slug = unique("p-");
    if two {
        json!({
            "title": title, "slug": slug, "status": "active", "currency": "EUR",
            "option_names": ["Size"],
            "variants": [
                { "option_values": ["M"], "sku": unique("SKU-"), "price": "12.50", "stock": "4", "track_inventory": true },
                { "option_values": ["L"], "sku": unique("SKU-"), "price": "14.00", "compare_at_price": "16.00", "stock": "2", "track_inventory": true },
            ],
        })
    } else {
        json!({
            "title": title, "slug": slug, "status": "draft", "currency": "EUR",
            "variants": [{ "price": "9.90", "stock": "1", "track_inventory": true }],
        })
    }
}

/// A fresh paid shop order of the website: a visitor's cart checked out and paid (written
/// directly through the same db functions the visitor path and the webhook use).
pub async fn fresh_paid_order(pool: &PgPool, a: &NewAccount) -> Uuid {
    let product = fresh_product(pool, a).await;
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let variant: Uuid = sqlx::query_scalar(
        "SELECT id FROM website_product_variants WHERE product_id = $1 ORDER BY position LIMIT 1",
    )
    .bind(product)
    .fetch_one(&mut *tx)
    .await
    .expect("variant");
    let site = (a.tenant_id, a.website_id);
    let cart = app::db::shop::add(&mut tx, site, None, variant, 1)
        .await
        .expect("cart");
    let until = chrono::Utc::now() + chrono::Duration::minutes(30);
    let order = app::db::shop::checkout(&mut tx, site, cart, "buyer@example.com", until)
        .await
        .expect("checkout");
    let session = format!("cs_test_{}", order.id.simple());
    app::db::shop::set_checkout_session(&mut tx, order.id, &session)
        .await
        .expect("session");
    let charged = Some((order.total_cents, order.currency.as_str()));
    let payment = format!("pi_test_{}", order.id.simple());
    app::db::shop::mark_paid(
        &mut tx,
        (a.tenant_id, order.id),
        &session,
        &payment,
        charged,
    )
    .await
    .expect("paid");
    tx.commit().await.expect("commit");
    order.id
}

/// A fresh discount code of the website (written directly: the plan check is the API's).
pub async fn fresh_promotion(pool: &PgPool, a: &NewAccount) -> Uuid {
    let input = app::model::PromotionInput {
        code: unique("FIX").replace(['-', '_'], "").to_uppercase(),
        name: "Fixture code".into(),
        value: "10".into(),
        currency: "EUR".into(),
        ..Default::default()
    };
    let valid = app::model::parse_promotion(&input, &[]).expect("valid");
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let id = app::db::promotions::create(&mut tx, (a.tenant_id, a.user_id), a.website_id, &valid)
        .await
        .expect("promotion");
    tx.commit().await.expect("commit");
    id
}

/// A fresh category of the website, at the top of its tree.
pub async fn fresh_category(pool: &PgPool, a: &NewAccount) -> Uuid {
    let input = app::model::CategoryInput {
        name: unique("Fixture category"),
        ..Default::default()
    };
    let valid = app::model::parse_category(&input).expect("valid");
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let id = app::db::categories::create(&mut tx, (a.tenant_id, a.user_id), a.website_id, &valid)
        .await
        .expect("category");
    tx.commit().await.expect("commit");
    id
}

/// A fresh product of the website (written directly: the plan check is the API's).
pub async fn fresh_product(pool: &PgPool, a: &NewAccount) -> Uuid {
    let input: app::model::ProductInput =
        serde_json::from_value(product_json("Fixture mug", true)).expect("input");
    let valid = app::model::parse_product(&input).expect("valid");
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let id = app::db::commerce::create(&mut tx, a.tenant_id, a.user_id, a.website_id, &valid)
        .await
        .expect("product");
    tx.commit().await.expect("commit");
    id
}

/// A row in every commerce table of `a` (migration 0036): a product with two variants, a
/// category, a cart with a line, a promotion and an order with its line, history and use.
pub async fn fill_commerce(pool: &PgPool, a: &NewAccount) -> Uuid {
    let product = fresh_product(pool, a).await;
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let stmts: &[&str] = &[
        "INSERT INTO website_categories (tenant_id, website_id, name, slug) VALUES ($1, $2, 'Mugs', 'mugs-' || substr(md5(random()::text), 1, 8))",
        "INSERT INTO website_product_categories (tenant_id, product_id, category_id, is_primary)
         SELECT $1, $3, c.id, true FROM website_categories c WHERE c.website_id = $2 LIMIT 1",
        "INSERT INTO website_carts (tenant_id, website_id, currency) VALUES ($1, $2, 'EUR')",
        "INSERT INTO website_cart_items (tenant_id, cart_id, product_id, variant_id, quantity, unit_price_cents)
         SELECT $1, c.id, v.product_id, v.id, 2, v.price_cents FROM website_carts c, website_product_variants v
          WHERE c.website_id = $2 AND v.product_id = $3 LIMIT 1",
        "INSERT INTO website_promotions (tenant_id, website_id, code, name, discount_type, discount_value)
         VALUES ($1, $2, 'WELCOME10', 'Welcome', 'percentage', 1000)",
        "INSERT INTO website_orders (tenant_id, website_id, order_number, customer_email, currency,
                                     subtotal_cents, discount_cents, total_cents, promotion_code)
         VALUES ($1, $2, '1001', 'buyer@example.com', 'EUR', 2500, 250, 2250, 'WELCOME10')",
        "INSERT INTO website_order_items (tenant_id, order_id, product_id, variant_id, title, quantity,
                                          unit_price_cents, subtotal_cents, discount_cents, total_cents)
         SELECT $1, o.id, $3, v.id, 'Fixture mug (M)', 2, 1250, 2500, 250, 2250
           FROM website_orders o, website_product_variants v
          WHERE o.website_id = $2 AND v.product_id = $3 LIMIT 1",
        "INSERT INTO website_order_status_history (tenant_id, order_id, status)
         SELECT $1, o.id, 'pending' FROM website_orders o WHERE o.website_id = $2",
        "INSERT INTO website_promotion_usage (tenant_id, promotion_id, order_id, customer_email, discount_cents)
         SELECT $1, p.id, o.id, o.customer_email, 250 FROM website_promotions p, website_orders o
          WHERE p.website_id = $2 AND o.website_id = $2",
    ];
    for sql in stmts {
        let r = sqlx::query(sql)
            .bind(a.tenant_id)
            .bind(a.website_id)
            .bind(product)
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert!(r.rows_affected() > 0, "{sql}: no row");
    }
    tx.commit().await.expect("commit");
    product
}

/// A queued AI site generation of `a` (credits reserved), as `generate_site` leaves it.
pub async fn generation(pool: &PgPool, a: &app::db::accounts::NewAccount) -> uuid::Uuid {
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    // Its own credits, so any plan can hold one.
    let cost = app::model::AiAction::GenerateLayout.credits();
    app::db::ai::top_up(&mut tx, a.tenant_id, cost, "Fixture credits", None)
        .await
        .expect("top up");
    let r = app::db::ai::reserve(
        &mut tx,
        a.tenant_id,
        a.user_id,
        app::model::AiAction::GenerateLayout,
        chrono::Utc::now(),
    )
    .await
    .expect("reserve");
    let brief = app::model::GenerationBrief {
        business: "Fixture".into(),
        name: "Fixture AI site".into(),
        subdomain: unique("fxai-"),
        ..Default::default()
    };
    let id = app::db::ai_generations::create(&mut tx, a.tenant_id, a.user_id, &brief, r.usage_id)
        .await
        .expect("generation");
    tx.commit().await.expect("commit");
    id
}

/// A request body for `path` naming fresh records of `t`, for a call by `caller` (only the
/// password change cares who calls).
pub async fn body_for(
    router: &Router,
    pool: &PgPool,
    t: &Tenant,
    path: &str,
    caller: Option<&Caller>,
) -> Value {
    let a = &t.account;
    let owner = t.owner().cookie.as_str();
    let home = a.home_page_id;
    match path {
        "/api/websites"
        | "/api/team/overview"
        | "/api/settings/get"
        | "/api/billing/overview"
        | "/api/billing/status"
        | "/api/billing/invoices" => json!({}),
        "/api/websites/create" => json!({ "name": "Matrix site", "subdomain": unique("mx-") }),
        "/api/staff/me" | "/api/staff/logout" | "/api/staff/impersonate_end" => json!({}),
        "/api/settings/delete_account" => {
            // The caller's own password, set now (the fixtures' members have none).
            if let Some(c) = caller {
                let hash = app::db::accounts::hash_password("matrix-password-1".into())
                    .await
                    .expect("hash");
                let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
                sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                    .bind(c.user_id)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await
                    .expect("password");
                tx.commit().await.expect("commit");
            }
            json!({ "password": "matrix-password-1" })
        }
        "/api/staff/login" => json!({ "email": "nobody-staff@example.com", "password": "not-it" }),
        "/api/staff/verify" => json!({ "code": "000000" }),
        "/api/staff/search" => json!({ "query": "Perm" }),
        "/api/staff/tenant" | "/api/staff/impersonate" => json!({ "tenant_id": a.tenant_id }),
        "/api/staff/suspend" | "/api/staff/unsuspend" => {
            json!({ "tenant_id": a.tenant_id, "reason": "matrix" })
        }
        "/api/staff/extend_trial" => json!({ "tenant_id": a.tenant_id, "days": 14 }),
        "/api/ai/status" | "/api/ai/usage" => json!({}),
        "/api/ai/seo-optimize" => json!({ "page_id": home }),
        "/api/ai/suggest-copy" => {
            let hero = crate::ai::hero_of(pool, a.tenant_id, home).await;
            json!({ "page_id": home, "component_id": hero, "field": "heading", "current": "Welcome" })
        }
        "/api/ai/regenerate-section" => {
            let hero = crate::ai::hero_of(pool, a.tenant_id, home).await;
            json!({ "page_id": home, "component_id": hero, "instructions": "" })
        }
        "/api/ai/suggest-palette" => json!({ "website_id": a.website_id, "brief": "Calm" }),
        "/api/ai/generate-site" => json!({ "brief": {
            "business": "A matrix bakery", "audience": "", "tone": "", "pages": "home",
            "name": "Matrix AI site", "subdomain": unique("mxai-")
        } }),
        "/api/ai/generate-page" => {
            json!({ "website_id": a.website_id, "prompt": "Opening hours and directions" })
        }
        "/api/ai/generation" | "/api/ai/cancel-generation" => {
            json!({ "generation_id": generation(pool, a).await })
        }
        "/api/websites/duplicate" => {
            json!({ "website_id": a.website_id, "name": "Copy", "subdomain": unique("dup-") })
        }
        "/api/pages/duplicate" => json!({ "page_id": home }),
        "/api/templates/list" => json!({}),
        "/api/templates/create_site" => {
            json!({ "template": "blog", "name": "", "subdomain": unique("tpl-") })
        }
        "/api/templates/save" => json!({ "website_id": a.website_id, "name": "Matrix template" }),
        "/api/templates/delete" => json!({ "template_id": private_template(pool, a).await }),
        "/api/backups/list" | "/api/backups/create" => json!({ "website_id": a.website_id }),
        "/api/backups/restore" => {
            let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
            let id =
                app::db::site_backups::take(&mut tx, a.tenant_id, None, a.website_id, "manual")
                    .await
                    .expect("backup");
            tx.commit().await.expect("commit");
            json!({ "backup_id": id })
        }
        "/api/websites/import" => {
            let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
            let doc = app::db::backup::export(&mut tx, a.website_id)
                .await
                .expect("export");
            tx.rollback().await.expect("rollback");
            let document = serde_json::to_string(&doc).expect("json");
            json!({ "name": "Imported", "subdomain": unique("imp-"), "document": document })
        }
        "/api/websites/publish" => json!({ "website_id": a.website_id }),
        "/api/websites/settings" => json!({ "website_id": a.website_id }),
        "/api/websites/favicon" => {
            json!({ "website_id": a.website_id, "favicon_url": format!("/{}.png", unique("icon-")) })
        }
        "/api/websites/deleted" => json!({}),
        "/api/websites/undelete" => {
            let id = doomed_website(pool, a).await;
            let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
            sqlx::query("UPDATE websites SET deleted_at = now() WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .expect("delete");
            tx.commit().await.expect("commit");
            json!({ "website_id": id })
        }
        "/api/websites/rename" => json!({ "website_id": a.website_id, "name": unique("Renamed ") }),
        "/api/websites/subdomain" => {
            json!({ "website_id": a.website_id, "subdomain": unique("moved-") })
        }
        "/api/websites/seo_defaults" => json!({
            "website_id": a.website_id,
            "seo": { "title_template": "%s | Matrix", "description": unique("d-"), "no_index": false }
        }),
        "/api/websites/analytics" => {
            // A change each time (a call that changes nothing is fine too, but proves less).
            let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
            let on: bool =
                sqlx::query_scalar("SELECT analytics_enabled FROM websites WHERE id = $1")
                    .bind(a.website_id)
                    .fetch_one(&mut *tx)
                    .await
                    .expect("analytics");
            tx.commit().await.expect("commit");
            json!({ "website_id": a.website_id, "enabled": !on })
        }
        "/api/websites/unpublish" | "/api/websites/archive" => {
            lifecycle_state(pool, a, false).await;
            json!({ "website_id": a.website_id })
        }
        "/api/websites/republish" => {
            lifecycle_state(pool, a, true).await;
            json!({ "website_id": a.website_id })
        }
        "/api/websites/restore" => {
            json!({ "website_id": archived_website(router, pool, owner, a).await })
        }
        "/api/websites/delete" => {
            json!({ "website_id": doomed_website(pool, a).await, "confirm": "Doomed" })
        }
        "/api/websites/branding" => {
            json!({ "website_id": a.website_id, "branding": app::model::Branding::default() })
        }
        "/api/websites/deployments" | "/api/websites/domain" => {
            json!({ "website_id": a.website_id })
        }
        "/api/api_keys/list" => json!({}),
        "/api/api_keys/create" => {
            json!({ "name": "Matrix key", "scopes": ["read_sites"], "expires_in_days": 30 })
        }
        "/api/api_keys/revoke" => json!({ "key_id": fresh_api_key(pool, a).await }),
        "/api/storefront/shelf" => json!({ "website_id": a.website_id }),
        "/api/commerce/products" => {
            json!({ "website_id": a.website_id, "query": { "search": "", "status": null } })
        }
        "/api/commerce/product" | "/api/commerce/product/delete" => {
            json!({ "product_id": fresh_product(pool, a).await })
        }
        "/api/commerce/product/create" => {
            json!({ "website_id": a.website_id, "product": product_json("Matrix mug", true) })
        }
        "/api/commerce/product/update" => json!({
            "product_id": fresh_product(pool, a).await,
            "product": product_json("Renamed mug", false),
        }),
        "/api/commerce/products/status" => json!({
            "website_id": a.website_id,
            "product_ids": [fresh_product(pool, a).await],
            "status": "archived",
        }),
        "/api/commerce/products/import" => json!({
            "website_id": a.website_id,
            "csv": format!("Handle,Title,Price\r\n{},Imported mug,3.50\r\n", unique("imported")),
        }),
        "/api/commerce/categories" => json!({ "website_id": a.website_id }),
        "/api/commerce/category/save" => json!({
            "website_id": a.website_id,
            "category_id": fresh_category(pool, a).await,
            "category": { "name": unique("Renamed"), "slug": "", "description": "", "parent_id": null },
        }),
        "/api/commerce/category/delete" => {
            json!({ "category_id": fresh_category(pool, a).await })
        }
        "/api/commerce/category/move" => {
            json!({ "category_id": fresh_category(pool, a).await, "up": true })
        }
        "/api/commerce/orders" => json!({ "website_id": a.website_id }),
        "/api/commerce/promotions" => json!({ "website_id": a.website_id }),
        "/api/commerce/promotion/create" => json!({
            "website_id": a.website_id,
            "promotion": {
                "code": unique("M").replace(['-', '_'], "").to_uppercase(),
                "name": "Matrix code", "kind": "percentage", "value": "10", "currency": "EUR",
            },
        }),
        "/api/commerce/promotion/active" => {
            json!({ "promotion_id": fresh_promotion(pool, a).await, "active": false })
        }
        "/api/commerce/promotion" => {
            json!({ "promotion_id": fresh_promotion(pool, a).await })
        }
        "/api/commerce/promotion/update" => json!({
            "promotion_id": fresh_promotion(pool, a).await,
            "promotion": {
                "code": unique("EDIT").to_uppercase(), "name": "Edited", "kind": "percentage",
                "value": "15", "currency": "EUR", "minimum_order": "", "maximum_discount": "",
                "starts_at": "", "ends_at": "", "usage_limit": "", "usage_limit_per_customer": "",
                "product_ids": [], "category_ids": [],
            },
        }),
        "/api/commerce/promotion/delete" => {
            json!({ "promotion_id": fresh_promotion(pool, a).await })
        }
        "/api/commerce/order/status" => {
            json!({ "order_id": fresh_paid_order(pool, a).await, "status": "fulfilled" })
        }
        "/api/commerce/order/refund" => {
            json!({ "order_id": fresh_paid_order(pool, a).await, "restock": true })
        }
        "/api/webhooks/overview" => json!({ "website_id": a.website_id }),
        "/api/webhooks/add" => json!({
            "website_id": a.website_id,
            "url": format!("https://93.184.216.34/{}", unique("hook-")),
            "events": ["site.published"],
        }),
        "/api/webhooks/delete" | "/api/webhooks/enable" => {
            json!({ "webhook_id": fresh_webhook(pool, a).await.0 })
        }
        "/api/webhooks/resend" => json!({ "delivery_id": fresh_webhook(pool, a).await.1 }),
        "/api/websites/domain/add" => {
            json!({ "website_id": a.website_id, "domain": fresh_domain() })
        }
        "/api/websites/domain/remove" | "/api/websites/domain/check" => {
            // A fresh domain each time: removal needs one, and each has its own "Check now" limit.
            let body = json!({ "website_id": a.website_id, "domain": fresh_domain() });
            let _: app::model::DomainSettings =
                ok_json(router, "/api/websites/domain/add", owner, body).await;
            json!({ "website_id": a.website_id })
        }
        "/api/websites/rollback" => {
            json!({ "website_id": a.website_id, "deployment_id": earlier_deployment(router, owner, a).await })
        }
        "/api/analytics/report" => json!({ "website_id": a.website_id, "days": 30 }),
        "/api/builder/load" => json!({ "page_id": home }),
        "/api/builder/update" => {
            let page = load_page(router, owner, home).await;
            let hero = page.components[1].clone();
            json!({ "page_id": home, "component_id": hero.id, "block": hero.block, "base_revision": page.revision })
        }
        "/api/builder/insert" => {
            let page = load_page(router, owner, home).await;
            let block = json!({ "id": Uuid::new_v4(), "block": BlockProps::starter(ComponentKind::Cta), "is_visible": true, "is_locked": false });
            json!({ "page_id": home, "block": block, "after": null, "base_revision": page.revision })
        }
        "/api/builder/move" => {
            let block = fresh_block(router, owner, a).await;
            let page = load_page(router, owner, home).await;
            // The fresh block is first (inserted with no predecessor): move it to the end.
            let last = page.components.last().map(|c| c.id).expect("blocks");
            json!({ "page_id": home, "component_id": block, "after": last, "base_revision": page.revision })
        }
        "/api/builder/delete" => {
            let block = fresh_block(router, owner, a).await;
            let page = load_page(router, owner, home).await;
            json!({ "page_id": home, "component_id": block, "base_revision": page.revision })
        }
        "/api/builder/flags" => {
            let block = fresh_block(router, owner, a).await;
            let page = load_page(router, owner, home).await;
            json!({ "page_id": home, "component_id": block, "is_visible": false, "base_revision": page.revision })
        }
        "/api/global-blocks/list" => json!({}),
        "/api/global-blocks/create" => {
            let block = fresh_block(router, owner, a).await;
            let page = load_page(router, owner, home).await;
            json!({ "page_id": home, "component_id": block, "name": unique("Global "), "base_revision": page.revision })
        }
        "/api/global-blocks/uses" => {
            json!({ "global_block_id": fresh_global(router, owner, a).await.0.id })
        }
        "/api/global-blocks/insert" => {
            let (global, _) = fresh_global(router, owner, a).await;
            let page = load_page(router, owner, home).await;
            json!({ "page_id": home, "global_block_id": global.id, "id": Uuid::new_v4(),
                    "after": null, "base_revision": page.revision })
        }
        "/api/global-blocks/update" => {
            let (global, _) = fresh_global(router, owner, a).await;
            let mut block = global.block.clone();
            block.set_text("heading", "Matrix".into());
            json!({ "global_block_id": global.id, "block": block, "base_revision": global.revision })
        }
        "/api/global-blocks/detach" => {
            let (_, block) = fresh_global(router, owner, a).await;
            let page = load_page(router, owner, home).await;
            json!({ "page_id": home, "component_id": block, "base_revision": page.revision })
        }
        "/api/global-blocks/delete" => {
            let (global, block) = fresh_global(router, owner, a).await;
            let page = load_page(router, owner, home).await;
            let _: app::model::SaveAck = ok_json(
                router,
                "/api/global-blocks/detach",
                owner,
                json!({ "page_id": home, "component_id": block, "base_revision": page.revision }),
            )
            .await;
            json!({ "global_block_id": global.id })
        }
        "/api/builder/paste" => {
            let page = load_page(router, owner, home).await;
            let payload = app::model::clipboard_payload(
                a.tenant_id,
                &BlockProps::starter(ComponentKind::Cta),
            );
            json!({ "page_id": home, "payload": payload, "id": Uuid::new_v4(),
                    "after": null, "base_revision": page.revision })
        }
        "/api/builder/presence" => {
            json!({ "page_id": home, "tab": Uuid::new_v4(), "selected": null, "stream": null })
        }
        "/api/builder/autosave" => {
            // Autosave records a version only when the content changed since the last one.
            let _ = fresh_block(router, owner, a).await;
            json!({ "page_id": home })
        }
        "/api/pages/list" => json!({ "website_id": a.website_id }),
        "/api/pages/create" => {
            json!({ "website_id": a.website_id, "title": "Perm", "slug": format!("/{}", unique("p-")) })
        }
        "/api/pages/update" => {
            let (id, rev) = fresh_page(router, owner, a).await;
            json!({ "page_id": id, "base_revision": rev, "patch": { "title": "Renamed" } })
        }
        "/api/pages/move" => {
            let (id, rev) = fresh_page(router, owner, a).await;
            json!({ "page_id": id, "base_revision": rev, "step": "up" })
        }
        "/api/pages/set_home" => {
            let (id, rev) = fresh_page(router, owner, a).await;
            json!({ "page_id": id, "base_revision": rev })
        }
        "/api/pages/password" => {
            let (id, rev) = fresh_page(router, owner, a).await;
            json!({ "page_id": id, "base_revision": rev, "password": "staff-only-1" })
        }
        "/api/pages/delete" => {
            let (id, rev) = fresh_page(router, owner, a).await;
            json!({ "page_id": id, "base_revision": rev })
        }
        "/api/versions/save" => json!({ "page_id": home, "label": "Matrix" }),
        "/api/versions/list" => json!({ "page_id": home }),
        "/api/versions/preview" => json!({ "version_id": fresh_version(router, owner, a).await }),
        "/api/versions/restore" => {
            let version = fresh_version(router, owner, a).await;
            let page = load_page(router, owner, home).await;
            json!({ "page_id": home, "version_id": version, "base_revision": page.revision })
        }
        "/api/forms/list" => json!({ "unprocessed_only": false }),
        "/api/forms/get" => json!({ "id": t.submission }),
        "/api/forms/mark" => json!({ "id": submission(pool, a).await, "processed": true }),
        "/api/billing/test_change" => json!({ "plan": "growth", "cycle": "monthly", "keep": [] }),
        "/api/billing/test_cancel" => {
            // Cancelling needs a paid subscription: subscribe first (or find one already there).
            let r = call_json(
                router,
                "/api/billing/test_change",
                Some(owner),
                json!({ "plan": "growth", "cycle": "monthly", "keep": [] }),
            )
            .await;
            assert!(
                r.status.is_success() || r.error().field() == Some("plan"),
                "fixture subscription: {}",
                r.text()
            );
            json!({})
        }
        "/api/billing/restore_website" => {
            json!({ "website_id": archived_website(router, pool, owner, a).await })
        }
        "/api/team/invite" => {
            json!({ "email": format!("{}@example.com", unique("perm-")), "role": "editor" })
        }
        "/api/team/resend" | "/api/team/revoke" => {
            let body =
                json!({ "email": format!("{}@example.com", unique("perm-")), "role": "viewer" });
            let inv: app::model::Invitation =
                ok_json(router, "/api/team/invite", owner, body).await;
            json!({ "invitation_id": inv.id })
        }
        "/api/team/role" => {
            json!({ "user_id": member(pool, a, "editor", None).await.1, "role": "viewer" })
        }
        "/api/team/active" => {
            json!({ "user_id": member(pool, a, "editor", None).await.1, "active": false })
        }
        "/api/billing/test_invoice" => {
            // An invoice needs a paid subscription: subscribe first (or find one already there).
            let r = call_json(
                router,
                "/api/billing/test_change",
                Some(owner),
                json!({ "plan": "growth", "cycle": "monthly", "keep": [] }),
            )
            .await;
            assert!(
                r.status.is_success() || r.error().field() == Some("plan"),
                "fixture subscription: {}",
                r.text()
            );
            json!({ "paid": false })
        }
        "/api/billing/checkout" => json!({ "plan": "growth", "cycle": "monthly" }),
        "/api/billing/portal" => json!({}),
        "/api/shop/payments" | "/api/shop/payments/connect" => json!({}),
        "/api/ai/top-up" => json!({ "pack": "credits_100" }),
        "/api/audit/list" => json!({ "filter": { "page": 0 } }),
        "/api/settings/profile" => json!({ "full_name": "Perm Person", "avatar_url": "" }),
        "/api/settings/password" => {
            if let Some(c) = caller {
                let tenant = t
                    .members
                    .iter()
                    .any(|m| m.user_id == c.user_id)
                    .then_some(a.tenant_id);
                if let Some(tenant) = tenant {
                    set_password(pool, tenant, c.user_id, "old-horse-123").await;
                }
            }
            json!({ "current_password": "old-horse-123", "new_password": "another-horse-9" })
        }
        "/api/settings/preferences" => json!({ "preferences": app::model::Preferences::default() }),
        "/api/settings/logout_everywhere" => json!({}),
        "/api/assets/list" => json!({ "query": { "sort": "name" } }),
        "/api/assets/update" => {
            json!({ "asset_id": fresh_asset(router, owner).await, "display_name": "Matrix", "tags": ["perm"] })
        }
        "/api/assets/delete" => {
            json!({ "asset_id": fresh_asset(router, owner).await, "force": true })
        }
        "/api/auth/email_status" | "/api/auth/resend_verification" => json!({}),
        "/api/forms/notices" => json!({ "website_id": a.website_id }),
        "/api/forms/set_notices" => json!({ "website_id": a.website_id, "on": true }),
        "/api/org/get"
        | "/api/org/onboarding"
        | "/api/org/onboarding_dismiss"
        | "/api/org/transfer_state"
        | "/api/org/transfer_cancel" => json!({}),
        "/api/org/update" => json!({ "settings": {
            "name": "Matrix Org", "logo_url": "", "timezone": "Europe/Berlin", "locale": "fr"
        } }),
        "/api/org/transfer_start" => json!({ "to_user_id": t.members[1].user_id }),
        "/api/org/transfer_confirm" => {
            // A live link for the tenant's admin when they call; the others are refused
            // before the link matters.
            let Some(to) = caller
                .filter(|c| {
                    c.role == Role::Admin && t.members.iter().any(|m| m.user_id == c.user_id)
                })
                .map(|c| c.user_id)
            else {
                return json!({ "token": "ab".repeat(32) });
            };
            let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
            let token = app::db::organisation::start_transfer(
                &mut tx,
                a.tenant_id,
                a.user_id,
                "Owner",
                to,
                "http://127.0.0.1:3000",
            )
            .await
            .expect("transfer link");
            tx.commit().await.expect("commit");
            json!({ "token": token })
        }
        "/api/org/export_start" | "/api/org/export_latest" => json!({}),
        "/api/org/delete" => {
            let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
            let name: String = sqlx::query_scalar("SELECT name FROM tenants")
                .fetch_one(&mut *tx)
                .await
                .expect("name");
            tx.commit().await.expect("commit");
            json!({ "confirm_name": name })
        }
        "/api/org/deletion_cancel" => {
            // Something to cancel: the tenant is deleted (its retention running) first.
            let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
            sqlx::query(
                "UPDATE tenants SET status = 'offboarded', offboard_scheduled_at = now() WHERE status = 'active'",
            )
            .execute(&mut *tx)
            .await
            .expect("offboard");
            tx.commit().await.expect("commit");
            json!({})
        }
        other => panic!("no request body for {other}: add one to permissions::fixtures::body_for"),
    }
}

/// Server functions with the default (form) encoding; the rest take JSON.
pub const FORM_ENCODED: [&str; 15] = [
    "/api/websites",
    "/api/org/deletion_cancel",
    "/api/builder/load",
    "/api/billing/overview",
    "/api/billing/status",
    "/api/billing/invoices",
    "/api/billing/test_cancel",
    "/api/billing/portal",
    "/api/shop/payments",
    "/api/shop/payments/connect",
    "/api/signup",
    "/api/login",
    "/api/logout",
    "/api/auth/forgot",
    "/api/auth/reset",
];

/// Calls `path` with `body` in the encoding its server function takes.
pub async fn call(router: &Router, path: &str, cookie: Option<&str>, body: Value) -> Reply {
    if FORM_ENCODED.contains(&path) || path == "/api/me" {
        let pairs: Vec<(String, String)> = body
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str()
                                .map(String::from)
                                .unwrap_or_else(|| v.to_string()),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let form: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        return call_form(router, path, cookie, &form).await;
    }
    call_json(router, path, cookie, body).await
}

/// A freshly uploaded image in the tenant of `owner` (an owner's cookie): its id.
pub async fn fresh_asset(router: &Router, owner: &str) -> Uuid {
    let png = crate::assets::png(8, 8);
    let raw = crate::assets::upload(router, Some(owner), "matrix.png", &png).await;
    assert_eq!(
        raw.status,
        axum::http::StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&raw.body)
    );
    let info: app::model::AssetInfo = serde_json::from_slice(&raw.body).expect("asset");
    info.id
}
