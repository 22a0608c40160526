//! Typed configuration, read once from the environment at startup.

use std::env;
use std::time::Duration;

use leptos::config::LeptosOptions;

/// Where the two database roles come from. See `.env.example`.
#[derive(Clone)]
pub struct DbUrls {
    /// Owner role: runs migrations only.
    pub owner: String,
    /// Request role: not the owner, not superuser, no BYPASSRLS.
    pub app: String,
}

/// Stripe's webhook signing secret (`whsec_…`). Kept out of `Debug` output and logs.
#[derive(Clone)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The key for HMAC-SHA256: Stripe uses the whole string, prefix included.
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

/// Everything the server reads from its environment, in one place: `main` loads it with
/// [`ServerConfig::from_env`], tests start from [`ServerConfig::for_tests`] and override
/// fields with struct-update syntax. [`crate::build`] turns it into the running service.
/// Not `Debug`: it holds secrets.
#[derive(Clone)]
pub struct ServerConfig {
    pub db: DbUrls,
    /// Leptos' own settings (site root, output name, listen address), from `Cargo.toml`'s
    /// `[[workspace.metadata.leptos]]` and the `LEPTOS_*` variables.
    pub leptos: LeptosOptions,
    /// Visitor sites live at `{subdomain}.{sites_domain}`; `localhost` in development.
    pub sites_domain: String,
    /// Add `Secure` to cookies (set when served over https).
    pub secure_cookies: bool,
    pub seed_demo: bool,
    /// `None` disables the Stripe webhook (it answers 503); required when SITEPILOT_ENV=prod.
    pub stripe_webhook_secret: Option<WebhookSecret>,
    /// Signs the cookies that unlock password-protected visitor pages.
    pub page_unlock_secret: Vec<u8>,
    /// `STRIPE_SECRET_KEY` (Stripe API: checkout and customer portal). `None` keeps those
    /// server functions refused.
    pub stripe_secret_key: Option<String>,
    /// `STRIPE_API_BASE`: where the Stripe API is (default https://api.stripe.com).
    pub stripe_api_base: String,
    /// Local billing test mode: no Stripe secret key and not production. Plan changes are
    /// simulated Stripe events signed with the webhook secret (or, when that is unset, the
    /// public dev secret, which is why production never runs in test mode).
    pub billing_test_mode: bool,
    /// `SITEPILOT_ANALYTICS_ROLLUP_SECS`: how often the analytics rollup worker runs (default
    /// 600 s). `None` starts no worker (tests roll up by hand).
    pub analytics_rollup_every: Option<Duration>,
}

impl std::fmt::Debug for DbUrls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbUrls([redacted])")
    }
}

/// Why the configuration was refused at startup.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set; see .env.example")]
    Missing(&'static str),
    #[error("{0}")]
    Invalid(&'static str),
    #[error("leptos configuration: {0}")]
    Leptos(String),
}

/// The development-only unlock key; production refuses to start without its own.
pub const DEV_PAGE_UNLOCK_SECRET: &[u8] = b"sitepilot-dev-page-unlock-secret-not-for-production";

/// How often the analytics rollup runs unless `SITEPILOT_ANALYTICS_ROLLUP_SECS` says otherwise.
pub const DEFAULT_ANALYTICS_ROLLUP: Duration = Duration::from_secs(600);

/// `SITEPILOT_PAGE_UNLOCK_SECRET`: required (32+ bytes) in prod, a fixed dev key otherwise.
fn page_unlock_secret(prod: bool) -> Result<Vec<u8>, ConfigError> {
    match env::var("SITEPILOT_PAGE_UNLOCK_SECRET") {
        Ok(s) if s.len() >= 32 => Ok(s.into_bytes()),
        Ok(_) => Err(ConfigError::Invalid(
            "SITEPILOT_PAGE_UNLOCK_SECRET must be at least 32 characters",
        )),
        Err(_) if prod => Err(ConfigError::Invalid(
            "SITEPILOT_PAGE_UNLOCK_SECRET must be set when SITEPILOT_ENV=prod",
        )),
        Err(_) => Ok(DEV_PAGE_UNLOCK_SECRET.to_vec()),
    }
}

fn flag(name: &str) -> bool {
    matches!(env::var(name).as_deref(), Ok("1" | "true" | "yes"))
}

fn required(name: &'static str) -> Result<String, ConfigError> {
    env::var(name).map_err(|_| ConfigError::Missing(name))
}

/// `SITEPILOT_ANALYTICS_ROLLUP_SECS` when it is a positive number of seconds; tests and local
/// runs may shorten the cadence.
fn analytics_rollup_every() -> Duration {
    env::var("SITEPILOT_ANALYTICS_ROLLUP_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(DEFAULT_ANALYTICS_ROLLUP, Duration::from_secs)
}

impl ServerConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let prod = env::var("SITEPILOT_ENV").as_deref() == Ok("prod");
        let secure_cookies = flag("SITEPILOT_SECURE_COOKIES");
        if prod && !secure_cookies {
            return Err(ConfigError::Invalid(
                "SITEPILOT_SECURE_COOKIES must be true when SITEPILOT_ENV=prod",
            ));
        }
        let stripe_webhook_secret = env::var("STRIPE_WEBHOOK_SECRET")
            .ok()
            .filter(|s| !s.trim().is_empty())
            .map(WebhookSecret::new);
        if prod && stripe_webhook_secret.is_none() {
            return Err(ConfigError::Invalid(
                "STRIPE_WEBHOOK_SECRET must be set when SITEPILOT_ENV=prod",
            ));
        }
        let stripe_secret_key = env::var("STRIPE_SECRET_KEY")
            .ok()
            .filter(|s| !s.trim().is_empty());
        let billing_test_mode = !prod && stripe_secret_key.is_none();
        let stripe_webhook_secret = match stripe_webhook_secret {
            None if billing_test_mode => Some(WebhookSecret::new(
                crate::billing::DEV_STRIPE_WEBHOOK_SECRET,
            )),
            other => other,
        };
        let leptos = leptos::config::get_configuration(None)
            .map_err(|e| ConfigError::Leptos(e.to_string()))?
            .leptos_options;
        Ok(Self {
            db: DbUrls {
                owner: required("DATABASE_URL")?,
                app: required("APP_DATABASE_URL")?,
            },
            leptos,
            sites_domain: env::var("SITEPILOT_SITES_DOMAIN").unwrap_or_else(|_| "localhost".into()),
            secure_cookies,
            seed_demo: flag("SITEPILOT_SEED_DEMO"),
            stripe_webhook_secret,
            page_unlock_secret: page_unlock_secret(prod)?,
            stripe_secret_key,
            stripe_api_base: env::var("STRIPE_API_BASE")
                .ok()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| crate::stripe::client::DEFAULT_API_BASE.into()),
            billing_test_mode,
            analytics_rollup_every: Some(analytics_rollup_every()),
        })
    }

    /// The configuration integration tests start from: development keys, no Stripe, no
    /// background workers, the site root under `target/site`. The database URLs come from
    /// the environment when set (the tests hand [`crate::build`] their own pool anyway).
    pub fn for_tests() -> Self {
        Self {
            db: DbUrls {
                owner: env::var("DATABASE_URL").unwrap_or_default(),
                app: env::var("APP_DATABASE_URL").unwrap_or_default(),
            },
            leptos: LeptosOptions::builder()
                .output_name("sitepilot")
                .site_root("target/site")
                .build(),
            sites_domain: "localhost".into(),
            secure_cookies: false,
            seed_demo: false,
            stripe_webhook_secret: None,
            page_unlock_secret: DEV_PAGE_UNLOCK_SECRET.to_vec(),
            stripe_secret_key: None,
            stripe_api_base: crate::stripe::client::DEFAULT_API_BASE.into(),
            billing_test_mode: false,
            analytics_rollup_every: None,
        }
    }
}
