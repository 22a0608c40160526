//! Why the server could not start or keep serving. Request errors are `app::error::AppError`;
//! these are the process-level failures `main` logs before exiting.

use app::error::AppError;

use crate::config::ConfigError;
use crate::stripe::client::ClientError;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot connect with {url_var}: {source}")]
    Connect {
        url_var: &'static str,
        source: sqlx::Error,
    },
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot inspect the app role: {0}")]
    InspectRole(AppError),
    #[error(
        "APP_DATABASE_URL must use a role that is not superuser, has no BYPASSRLS and owns no tables"
    )]
    UnrestrictedAppRole,
    #[error(
        "APP_DATABASE_URL's role is a member of {0}, which owns tables or bypasses row-level security: revoke that membership"
    )]
    PrivilegedMembership(String),
    #[error("cannot open the asset storage: {0}")]
    Storage(String),
    #[error("cannot build the AI provider's HTTP client: {0}")]
    Ai(String),
    #[error("demo seed failed: {0}")]
    Seed(AppError),
    #[error(transparent)]
    StripeClient(#[from] ClientError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    /// `server jobs`: a refused argument or a failed query.
    #[error("jobs: {0}")]
    Jobs(String),
    /// `server staff`: a refused argument or a failed query.
    #[error("staff: {0}")]
    Staff(String),
    #[error("server error: {0}")]
    Serve(std::io::Error),
}
