use server::config::Deployment;
use server::{ServerConfig, StartupError};
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
        Some("jobs") => jobs(std::env::args().skip(2).collect()).await,
        Some("staff") => staff(std::env::args().skip(2).collect()).await,
        None | Some("serve") => run().await,
        Some(other) => {
            tracing::error!("unknown command `{other}`: use `migrate`, `serve`, `jobs` or `staff`");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        tracing::error!("{e}");
        std::process::exit(1);
    }
}

/// `server staff create --email <email>`: a platform staff account for the operator console
/// (`/staff`). The password is read from standard input (its first line, at least 12
/// characters); the command prints the TOTP secret and its `otpauth://` URI for the staff
/// member's authenticator app. Connects as the owner role (DATABASE_URL), like `migrate`: the
/// app's request role cannot create staff accounts, and sign-up never does.
async fn staff(args: Vec<String>) -> Result<(), StartupError> {
    let usage = || {
        StartupError::Staff(
            "usage: server staff create --email <email>  (password on standard input)".into(),
        )
    };
    let email = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["create", "--email", email] => email.to_string(),
        _ => return Err(usage()),
    };
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .map_err(|e| StartupError::Staff(format!("reading the password: {e}")))?;
    let password = password.trim_end_matches(['\r', '\n']);
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&server::config::owner_database_url()?)
        .await
        .map_err(|e| StartupError::Staff(format!("connecting with DATABASE_URL: {e}")))?;
    let (id, secret) = app::db::staff::create_account(&pool, &email, password)
        .await
        .map_err(|e| StartupError::Staff(e.to_string()))?;
    println!("staff account {id} created for {email}");
    println!("totp secret: {secret}");
    println!(
        "otpauth uri: {}",
        app::db::staff::otpauth_uri(&email, &secret)
    );
    Ok(())
}

async fn migrate() -> Result<(), StartupError> {
    server::migrate(&server::config::owner_database_url()?).await?;
    tracing::info!("migrations applied");
    Ok(())
}

/// `server jobs`: the background jobs per kind and state, and the newest dead ones with their
/// last error. `server jobs retry <id>` queues a dead job again. Uses APP_DATABASE_URL.
async fn jobs(args: Vec<String>) -> Result<(), StartupError> {
    let config = ServerConfig::from_env()?;
    let pool = server::connect_app_pool(&config.db.app).await?;
    let db = |e: app::error::AppError| StartupError::Jobs(e.to_string());
    match args.first().map(String::as_str) {
        Some("retry") => {
            let id: i64 = args
                .get(1)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| StartupError::Jobs("usage: server jobs retry <id>".into()))?;
            if app::db::jobs::retry(&pool, id).await.map_err(db)? {
                println!("job {id} queued again");
            } else {
                return Err(StartupError::Jobs(format!("job {id} is not a dead job")));
            }
        }
        None => {
            println!(
                "{:<24} {:<8} {:>8}  oldest run_at",
                "kind", "status", "jobs"
            );
            for row in app::db::jobs::overview(&pool).await.map_err(db)? {
                let oldest = row
                    .oldest_run_at
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default();
                println!(
                    "{:<24} {:<8} {:>8}  {oldest}",
                    row.kind, row.status, row.jobs
                );
            }
            let dead = app::db::jobs::dead(&pool, 50).await.map_err(db)?;
            if !dead.is_empty() {
                println!("\ndead jobs (newest first; `server jobs retry <id>` queues one again):");
            }
            for job in dead {
                println!(
                    "#{} {} tenant={} attempts={} at={}: {}",
                    job.id,
                    job.kind,
                    job.tenant_id
                        .map(|t| t.to_string())
                        .unwrap_or_else(|| "-".into()),
                    job.attempts,
                    job.finished_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    job.last_error.unwrap_or_default()
                );
            }
        }
        Some(other) => {
            return Err(StartupError::Jobs(format!(
                "unknown `server jobs {other}`: use `server jobs` or `server jobs retry <id>`"
            )))
        }
    }
    Ok(())
}

async fn run() -> Result<(), StartupError> {
    let config = ServerConfig::from_env()?;
    let addr = config.leptos.site_addr;

    if config.deployment == Deployment::Dev && std::env::var_os("DATABASE_URL").is_some() {
        tracing::warn!("DATABASE_URL is set but unused: migrations run with `server migrate`");
    }
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
    let app = server::build(&config, pool)?.trusting(config.trusted_proxies.clone());
    let analytics = app.analytics();
    let realtime = app.realtime();

    let limits = server::http::limits::ConnectionLimits::from_env()
        .map_err(server::config::ConfigError::Refused)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartupError::Listen { addr, source })?;
    tracing::info!("listening on http://{addr}");
    // One service per connection, which knows the peer: the client IP (`http::client_ip`) that
    // every per-address limit uses comes from it. The loop adds the connection limit and the
    // header and request timeouts (`http::limits`).
    server::http::limits::serve(
        listener,
        server::visitor::split::MakeSplit(app),
        limits,
        async move {
            shutdown_signal().await;
            // Open event streams end now, so they do not hold up the drain; browsers
            // reconnect to another instance (or this one once it is back).
            realtime.close();
        },
    )
    .await;
    // Page views still queued are written before the process ends.
    analytics.flush().await;
    tracing::info!("analytics flushed");
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
