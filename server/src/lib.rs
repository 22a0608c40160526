//! The SitePilot server: configuration, pools, migrations, routing (app vs visitor sites),
//! health check and demo data. `main.rs` wires these together; tests build the same router.

pub mod analytics;
pub mod billing;
pub mod config;
pub mod forms_export;
pub mod http;
pub mod preview;
pub mod rate_limit;
pub mod seed;
pub mod stripe;
pub mod unlock;
pub mod visitor;

use std::sync::Arc;
use std::time::Duration;

use app::state::{AppState, Config};
use app::{shell, App};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{middleware, Json, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::postgres::{PgPool, PgPoolOptions};

/// Migrations, embedded at compile time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Applies pending migrations as the owner role, then closes that connection.
pub async fn migrate(owner_url: &str) -> Result<(), String> {
    let owner = PgPoolOptions::new()
        .max_connections(1)
        .connect(owner_url)
        .await
        .map_err(|e| format!("cannot connect with DATABASE_URL: {e}"))?;
    MIGRATOR
        .run(&owner)
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    owner.close().await;
    Ok(())
}

/// Connects the request pool and refuses a role that could bypass row-level security.
pub async fn connect_app_pool(app_url: &str) -> Result<PgPool, String> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .connect(app_url)
        .await
        .map_err(|e| format!("cannot connect with APP_DATABASE_URL: {e}"))?;
    let (superuser, bypass, owns): (bool, bool, i64) = sqlx::query_as(
        r#"SELECT r.rolsuper, r.rolbypassrls,
                  (SELECT count(*) FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner = current_user)
           FROM pg_roles r WHERE r.rolname = current_user"#,
    )
    .fetch_one(&pool)
    .await
    .map_err(|e| format!("cannot inspect the app role: {e}"))?;
    if superuser || bypass || owns > 0 {
        return Err("APP_DATABASE_URL must use a role that is not superuser, has no BYPASSRLS and owns no tables".into());
    }
    Ok(pool)
}

pub fn app_state(
    leptos_options: LeptosOptions,
    pool: PgPool,
    sites_domain: String,
    secure_cookies: bool,
) -> AppState {
    app_state_with_secret(
        leptos_options,
        pool,
        sites_domain,
        secure_cookies,
        config::DEV_PAGE_UNLOCK_SECRET.to_vec(),
    )
}

/// As [`app_state`], with the page-unlock key from the configuration.
pub fn app_state_with_secret(
    leptos_options: LeptosOptions,
    pool: PgPool,
    sites_domain: String,
    secure_cookies: bool,
    page_unlock_secret: Vec<u8>,
) -> AppState {
    let page_unlock_key = app::state::SecretKey(page_unlock_secret.into());
    // The listen address until `http::configure` sets the configured origin.
    let public_origin = format!("http://{}", leptos_options.site_addr);
    AppState {
        leptos_options,
        pool,
        config: Arc::new(Config {
            sites_domain,
            secure_cookies,
            page_unlock_key,
            public_origin,
            hsts: false,
        }),
    }
}

/// The whole HTTP surface. Without `stripe_webhook_secret` the Stripe webhook answers 503.
pub fn router(state: AppState, stripe_webhook_secret: Option<config::WebhookSecret>) -> Router {
    router_with_billing(state, stripe_webhook_secret, false)
}

/// [`router`], with local billing test mode on or off (`ServerConfig::billing_test_mode`). Test
/// mode needs the webhook secret, which signs its simulated events.
pub fn router_with_billing(
    state: AppState,
    stripe_webhook_secret: Option<config::WebhookSecret>,
    billing_test_mode: bool,
) -> Router {
    Router::new().fallback_service(service_with_stripe(
        state,
        stripe_webhook_secret,
        billing_test_mode,
        None,
    ))
}

/// [`router_with_billing`], plus the real Stripe API for checkout and the customer portal
/// (`STRIPE_SECRET_KEY`; see `stripe::client`). `None` keeps those server functions refused.
pub fn router_with_stripe(
    state: AppState,
    stripe_webhook_secret: Option<config::WebhookSecret>,
    billing_test_mode: bool,
    stripe_api: Option<app::api::billing_stripe::StripeApi>,
) -> Router {
    Router::new().fallback_service(service_with_stripe(
        state,
        stripe_webhook_secret,
        billing_test_mode,
        stripe_api,
    ))
}

/// The whole HTTP surface as the server runs it: site hosts are split off before the app's
/// router and layers (`visitor::split`). The `router*` functions wrap the same service for tests.
pub fn service_with_stripe(
    state: AppState,
    stripe_webhook_secret: Option<config::WebhookSecret>,
    billing_test_mode: bool,
    stripe_api: Option<app::api::billing_stripe::StripeApi>,
) -> visitor::split::Split {
    let cache = visitor::cache::VisitorCache::start(&state.pool);
    let beacons = analytics::routes().with_state(state.clone());
    let app = app_router(
        state.clone(),
        cache.clone(),
        stripe_webhook_secret,
        billing_test_mode,
        stripe_api,
    );
    visitor::split::Split::new(state, cache, beacons, app)
}

/// The app's own routes (builder, dashboard, API, webhooks, `/sites/{subdomain}` path form).
fn app_router(
    state: AppState,
    cache: std::sync::Arc<visitor::cache::VisitorCache>,
    stripe_webhook_secret: Option<config::WebhookSecret>,
    billing_test_mode: bool,
    stripe_api: Option<app::api::billing_stripe::StripeApi>,
) -> Router {
    let test_webhook = stripe_webhook_secret
        .clone()
        .filter(|_| billing_test_mode)
        .map(|secret| billing::test_mode_webhook(state.pool.clone(), secret));
    let routes = generate_route_list(App);
    let config = state.config.clone();
    let ctx_state = state.clone();
    let shell_options = state.leptos_options.clone();
    let router = Router::new()
        .route("/healthz", get(healthz))
        .merge(stripe::routes(state.pool.clone(), stripe_webhook_secret))
        .merge(analytics::routes())
        .route("/forms/export/{website_id}", get(forms_export::export))
        .route(
            "/sites/{subdomain}",
            get(visitor::by_path).post(visitor::by_path),
        )
        .route(
            "/sites/{subdomain}/",
            get(visitor::by_path).post(visitor::by_path),
        )
        .route(
            "/sites/{subdomain}/{*path}",
            get(visitor::by_path).post(visitor::by_path),
        )
        .route("/preview/deployments/{id}", get(preview::deployment))
        .route("/preview/deployments/{id}/", get(preview::deployment))
        .route(
            "/preview/deployments/{id}/{*path}",
            get(preview::deployment),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(ctx_state.clone());
                if let Some(hook) = &test_webhook {
                    provide_context(hook.clone());
                }
                if let Some(api) = &stripe_api {
                    provide_context(api.clone());
                }
            },
            move || shell(shell_options.clone()),
        )
        .fallback_service(static_files(
            &state.leptos_options.site_root,
            axum::handler::Handler::with_state(
                leptos_axum::file_and_error_handler::<AppState, _>(shell),
                state.clone(),
            ),
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            billing::suspended_guard,
        ))
        .layer(middleware::from_fn(visitor::cache::evict_after_writes))
        // Outermost, so the eviction middleware and `/sites/…` routes both find it.
        .layer(axum::Extension(cache))
        .with_state(state);
    http::wrap(router, &config)
}

/// Files under the site root (`/pkg/…`, starter images), and the app's "not found" page for
/// any other path. Files are served here, not by `leptos_axum::file_and_error_handler` alone:
/// that handler answers a found file inside a fresh reactive `Owner`, which takes whatever
/// owner the worker thread last left current as its parent, and copies that owner's
/// `ResponseOptions` onto the file. When the last owner was a concurrent "not found" page (a
/// browser asking for `/favicon.ico` while the builder loads), the WASM loader got its bytes with
/// status 404 and the page never hydrated (seen in the Playwright runs).
fn static_files<F>(site_root: &str, not_found: F) -> tower_http::services::ServeDir<F> {
    tower_http::services::ServeDir::new(site_root)
        .precompressed_gzip()
        .precompressed_br()
        .call_fallback_on_method_not_allowed(true)
        .fallback(not_found)
}

/// Reports whether the database answers.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let db = tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.pool),
    )
    .await;
    match db {
        Ok(Ok(_)) => (
            StatusCode::OK,
            Json(serde_json::json!({ "status": "ok", "database": "up" })),
        ),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "degraded", "database": "down" })),
        ),
    }
}
