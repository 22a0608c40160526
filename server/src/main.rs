use leptos::config::get_configuration;
use server::config::{Deployment, ServerConfig};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::from_default_env())
        .init();
    // `server migrate` applies migrations as the owner role (DATABASE_URL) and exits; `server`
    // or `server serve` serves with the request role only (APP_DATABASE_URL).
    let result = match std::env::args().nth(1).as_deref() {
        Some("migrate") => migrate().await,
        None | Some("serve") => run().await,
        Some(other) => Err(format!(
            "unknown command `{other}`: use `migrate` or `serve`"
        )),
    };
    if let Err(e) = result {
        tracing::error!("{e}");
        std::process::exit(1);
    }
}

async fn migrate() -> Result<(), String> {
    server::migrate(&server::config::owner_database_url()?).await?;
    tracing::info!("migrations applied");
    Ok(())
}

async fn run() -> Result<(), String> {
    let config = ServerConfig::from_env()?;
    let conf = get_configuration(None).map_err(|e| format!("leptos configuration: {e}"))?;
    let options = conf.leptos_options;
    let addr = options.site_addr;

    if config.deployment == Deployment::Dev && std::env::var_os("DATABASE_URL").is_some() {
        tracing::warn!("DATABASE_URL is set but unused: migrations run with `server migrate`");
    }
    let pool = server::connect_app_pool(&config.db.app).await?;
    if config.seed_demo {
        server::seed::demo(&pool).await?;
        server::seed::team_demo(&pool).await?;
    }
    // Analytics rollup cadence; tests and local runs may shorten it.
    let rollup_every = std::env::var("SITEPILOT_ANALYTICS_ROLLUP_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(600);
    server::analytics::spawn_rollup(pool.clone(), std::time::Duration::from_secs(rollup_every));
    let state = server::app_state_with_secret(
        options,
        pool,
        config.sites_domain.clone(),
        config.secure_cookies,
        config.page_unlock_secret.clone(),
    );
    if config.stripe_webhook_secret.is_none() {
        tracing::warn!("STRIPE_WEBHOOK_SECRET is not set: POST /webhooks/stripe answers 503");
    }
    if config.billing_test_mode {
        tracing::warn!(
            "STRIPE_SECRET_KEY is not set: billing runs in local test mode (no real payment)"
        );
    }
    let stripe_api = match &config.stripe_secret_key {
        Some(key) => Some(
            server::stripe::client::StripeClient::new(key, &config.stripe_api_base)?.into_api(),
        ),
        None => None,
    };
    let app = server::service_with_stripe(
        state,
        config.stripe_webhook_secret.clone(),
        config.billing_test_mode,
        stripe_api,
    )
    .trusting(config.trusted_proxies.clone());

    let limits = server::http::limits::ConnectionLimits::from_env()?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("listening on http://{addr}");
    // One service per connection, which knows the peer: the client IP (`http::client_ip`) that
    // every per-address limit uses comes from it. The loop adds the connection limit and the
    // header and request timeouts (`http::limits`).
    server::http::limits::serve(
        listener,
        server::visitor::split::MakeSplit(app),
        limits,
        shutdown_signal(),
    )
    .await;
    Ok(())
}

/// Ctrl-C or SIGTERM (what `kill` and container runtimes send) start a graceful shutdown.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing open requests");
}
