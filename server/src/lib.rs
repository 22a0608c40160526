//! The SitePilot server: configuration, pools, migrations, routing (app vs visitor sites),
//! health check and demo data. [`build`] is the one constructor: `main.rs` and the tests both
//! call it with a [`ServerConfig`] and the request pool.

pub mod ai;
pub mod analytics;
pub mod api_v1;
pub mod assets;
pub mod auth;
pub mod backup_export;
pub mod billing;
pub mod config;
pub mod domains;
pub mod error;
pub mod forms_export;
pub mod http;
pub mod jobs;
pub mod lifecycle;
pub mod mail;
pub mod org_export;
pub mod org_lifecycle;
pub mod preview;
pub mod rate_limit;
pub mod realtime;
pub mod seed;
pub mod shop;
pub mod staff;
pub mod stripe;
pub mod unlock;
pub mod visitor;
pub mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use app::state::{AppState, Config};
use app::{shell, App};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{middleware, Json, Router};
pub use config::ServerConfig;
pub use error::StartupError;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::postgres::{PgPool, PgPoolOptions};

/// How many jobs one instance runs at a time.
const JOB_CONCURRENCY: i32 = 4;

/// Migrations, embedded at compile time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// What [`build`] returns: the whole HTTP surface, with site hosts split off before the app's
/// router and layers (`visitor::split`). `main` serves it per connection
/// (`visitor::split::MakeSplit`); tests wrap it in a `Router` and drive it with `oneshot`.
pub type Service = visitor::split::Split;

/// Applies pending migrations as the owner role, then closes that connection.
pub async fn migrate(owner_url: &str) -> Result<(), StartupError> {
    let owner = PgPoolOptions::new()
        .max_connections(1)
        .connect(owner_url)
        .await
        .map_err(|source| StartupError::Connect {
            url_var: "DATABASE_URL",
            source,
        })?;
    MIGRATOR.run(&owner).await?;
    owner.close().await;
    Ok(())
}

/// Connects the request pool and refuses a role that could bypass row-level security.
pub async fn connect_app_pool(app_url: &str) -> Result<PgPool, StartupError> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .connect(app_url)
        .await
        .map_err(|source| StartupError::Connect {
            url_var: "APP_DATABASE_URL",
            source,
        })?;
    let powers = app::db::health::role_powers(&pool)
        .await
        .map_err(StartupError::InspectRole)?;
    if !powers.is_restricted() {
        return Err(StartupError::UnrestrictedAppRole);
    }
    // Membership counts too: `SET ROLE` to a privileged role the app role belongs to bypasses RLS.
    let privileged = app::db::role_check::privileged_memberships(&pool)
        .await
        .map_err(StartupError::InspectRole)?;
    if !privileged.is_empty() {
        return Err(StartupError::PrivilegedMembership(privileged.join(", ")));
    }
    Ok(pool)
}

/// The one way to assemble the server, for `main` and tests alike: state from `config`, the
/// background workers `config` asks for, and the HTTP surface.
pub fn build(config: &ServerConfig, pool: PgPool) -> Result<Service, StartupError> {
    if config.jobs_worker {
        jobs::Worker::start(
            pool.clone(),
            jobs::registry(config, &pool),
            config.jobs_poll,
            JOB_CONCURRENCY,
        );
    }
    // Local billing test mode needs the webhook secret, which signs its simulated events.
    let test_webhook = config
        .stripe_webhook_secret
        .clone()
        .filter(|_| config.billing_test_mode)
        .map(|secret| billing::test_mode_webhook(pool.clone(), secret));
    let stripe_api = match &config.stripe_secret_key {
        Some(key) => {
            Some(stripe::client::StripeClient::new(key, &config.stripe_api_base)?.into_api())
        }
        None => None,
    };
    let state = AppState {
        leptos_options: config.leptos.clone(),
        pool,
        payments: app::state::Payments {
            test_mode: test_webhook,
            stripe: stripe_api.clone(),
        },
        config: Arc::new(Config {
            sites_domain: config.sites_domain.clone(),
            secure_cookies: config.secure_cookies,
            page_unlock_key: app::state::SecretKey(config.page_unlock_secret.clone().into()),
            public_origin: config.public_origin(),
            hsts: config.deployment == config::Deployment::Prod,
            email_delivery: config.smtp.is_some(),
            domain_apex_ips: config.domain_apex_ips.clone(),
        }),
    };
    let ai_api = match &config.ai {
        Some(settings) => Some(
            ai::AiClient::new(settings.clone())
                .map_err(|e| StartupError::Ai(e.to_string()))?
                .into_api(),
        ),
        None => None,
    };
    // One LISTEN connection per instance serves the visitor cache and the realtime streams.
    let hub = realtime::Hub::new();
    let cache = visitor::cache::VisitorCache::start(&state.pool, hub.clone());
    // One writer task for page views (`analytics::batch`); both beacon routers queue to it.
    let batcher = analytics::batch::Batcher::start(state.pool.clone());
    let limits = analytics::BeaconLimits::start(&state.pool);
    let beacons = analytics::routes(batcher.clone(), limits.clone())
        .merge(domains::routes())
        .with_state(state.clone());
    let storage = assets::Storage::open(&config.asset_storage)
        .map_err(|e| StartupError::Storage(e.to_string()))?;
    let media = assets::MediaState {
        app: state.clone(),
        storage,
        tmp_dir: assets::TmpDir(config.upload_tmp_dir.clone()),
    };
    let app = app_router(
        state.clone(),
        media,
        cache.clone(),
        hub.clone(),
        config,
        Providers { stripe_api, ai_api },
        (batcher.clone(), limits),
    );
    Ok(visitor::split::Split::new(state, cache, beacons, app, batcher).with_realtime(hub))
}

/// Outside services the server functions reach through context, when configured.
struct Providers {
    stripe_api: Option<app::api::billing_stripe::StripeApi>,
    ai_api: Option<app::api::ai::AiApi>,
}

/// The app's own routes (builder, dashboard, API, webhooks, `/sites/{subdomain}` path form)
/// and, at the end, the app's middleware stack.
fn app_router(
    state: AppState,
    media: assets::MediaState,
    cache: Arc<visitor::cache::VisitorCache>,
    hub: Arc<realtime::Hub>,
    config: &ServerConfig,
    Providers { stripe_api, ai_api }: Providers,
    (batcher, limits): (Arc<analytics::batch::Batcher>, Arc<analytics::BeaconLimits>),
) -> Router {
    let test_webhook = state.payments.test_mode.clone();
    let routes = generate_route_list(App);
    let dns = domains::dns::DnsChecker::new(config.dns_server, &config.domain_apex_ips);
    let domain_checker = app::api::domains::DomainChecker {
        check_fn: Arc::new(move |target| {
            let dns = dns.clone();
            Box::pin(async move { dns.check(&target).await })
        }),
        grace: config.domain_grace,
    };
    let webhook_guard = webhooks::url_guard(webhooks::GuardedResolver::new(
        config.dns_server,
        config.webhooks_allow_private,
    ));
    let app_config = state.config.clone();
    let ctx_state = state.clone();
    let shell_options = state.leptos_options.clone();
    let router = Router::new()
        .route("/healthz", get(healthz))
        .merge(stripe::routes(
            state.pool.clone(),
            config.stripe_webhook_secret.clone(),
        ))
        .merge(analytics::routes(batcher, limits))
        .merge(domains::routes())
        .merge(api_v1::routes(state.clone()))
        .route("/forms/export/{website_id}", get(forms_export::export))
        .route(
            "/websites/{website_id}/orders.csv",
            get(forms_export::orders),
        )
        .route(
            "/websites/{website_id}/products.csv",
            get(forms_export::products),
        )
        .merge(assets::routes(media))
        .route("/websites/{website_id}/export", get(backup_export::export))
        .route(
            "/ai/generations/{generation_id}/events",
            get(realtime::generation_events).layer(axum::Extension(hub.clone())),
        )
        .route("/events", get(realtime::events).layer(axum::Extension(hub)))
        .route("/backups/{backup_id}/download", get(backup_export::stored))
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
        .route("/preview/templates/{key}", get(preview::template))
        .route("/preview/templates/{key}/", get(preview::template))
        .route("/preview/templates/{key}/{*path}", get(preview::template))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(ctx_state.clone());
                provide_context(domain_checker.clone());
                provide_context(webhook_guard.clone());
                if let Some(hook) = &test_webhook {
                    provide_context(hook.clone());
                }
                if let Some(api) = &stripe_api {
                    provide_context(api.clone());
                }
                if let Some(api) = &ai_api {
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
        ));

    // THE app middleware stack, the one place layers are added. `Router::layer` wraps what is
    // already there, so the LAST `.layer` below is the OUTERMOST (it sees the request first
    // and the response last). Add new layers (CSRF, security headers, compression, ...) here,
    // at the position their comment argues for; site hosts never pass through this stack
    // (`visitor::split` routes them before it).
    let router = router
        // 1 (innermost). Members of a suspended tenant get the 403 page; reads the caller the
        //    auth layer resolved.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            billing::suspended_guard,
        ))
        //    Staff viewing an organisation read-only change nothing outside server functions.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            staff::impersonation_guard,
        ))
        //    Members of a deleted organisation (in its retention) get the deletion notice.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            org_lifecycle::closing_guard,
        ))
        // 2. Who is asking: a `CallerSlot` where the session cookie is resolved at most once
        //    per request (server functions, preview, CSV export and the guard share it).
        .layer(middleware::from_fn(auth::caller_slot))
        // 3. Drops cached visitor pages after successful writes.
        .layer(middleware::from_fn(visitor::cache::evict_after_writes))
        // 4. The visitor cache handle, so the eviction middleware and the `/sites/…` routes
        //    both find it.
        .layer(axum::Extension(cache))
        .with_state(state);
    // 5. The app's HTTP rules (`http::wrap`): API error statuses, then cross-site refusal,
    //    then security headers (outermost of the three).
    http::wrap(router, &app_config)
        // 6. Cache headers of static files.
        .layer(middleware::from_fn(http::static_files::headers))
        // 7 (outermost). Compression, outside the rules: `http::api_errors` reads error
        //    bodies uncompressed.
        .layer(http::compression::layer())
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
    let db = tokio::time::timeout(Duration::from_secs(2), app::db::health::ping(&state.pool)).await;
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
