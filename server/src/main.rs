use axum::serve::ListenerExt;
use server::{ServerConfig, StartupError};
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

async fn run() -> Result<(), StartupError> {
    let config = ServerConfig::from_env()?;
    let addr = config.leptos.site_addr;

    server::migrate(&config.db.owner).await?;
    let pool = server::connect_app_pool(&config.db.app).await?;
    if config.seed_demo {
        server::seed::demo(&pool)
            .await
            .map_err(StartupError::Seed)?;
        server::seed::team_demo(&pool)
            .await
            .map_err(StartupError::Seed)?;
    }
    if config.stripe_webhook_secret.is_none() {
        tracing::warn!("STRIPE_WEBHOOK_SECRET is not set: POST /webhooks/stripe answers 503");
    }
    if config.billing_test_mode {
        tracing::warn!(
            "STRIPE_SECRET_KEY is not set: billing runs in local test mode (no real payment)"
        );
    }
    let app = server::build(&config, pool)?;

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartupError::Listen { addr, source })?;
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
        .map_err(StartupError::Serve)
}
