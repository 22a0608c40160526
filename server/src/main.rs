use axum::serve::ListenerExt;
use leptos::config::get_configuration;
use server::config::ServerConfig;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::from_default_env())
        .init();
    if let Err(e) = run().await {
        tracing::error!("{e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let config = ServerConfig::from_env()?;
    let conf = get_configuration(None).map_err(|e| format!("leptos configuration: {e}"))?;
    let options = conf.leptos_options;
    let addr = options.site_addr;

    server::migrate(&config.db.owner).await?;
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
    let public_origin = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let state = server::http::configure(state, public_origin, config.prod);
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
    );

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    // Responses go out as one write each: no reason to let Nagle hold back their last segment.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    tracing::info!("listening on http://{addr}");
    // One service per connection, which knows the peer: the per-IP limit on page password
    // attempts uses it.
    axum::serve(listener, server::visitor::split::MakeSplit(app))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("server error: {e}"))
}
