//! Typed configuration, read once from the environment at startup.

use std::env;

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

pub struct ServerConfig {
    pub db: DbUrls,
    pub sites_domain: String,
    pub secure_cookies: bool,
    pub seed_demo: bool,
    /// `None` disables the Stripe webhook (it answers 503); required when SITEPILOT_ENV=prod.
    pub stripe_webhook_secret: Option<WebhookSecret>,
    /// Signs the cookies that unlock password-protected visitor pages.
    pub page_unlock_secret: Vec<u8>,
    /// `STRIPE_SECRET_KEY` (Stripe API: checkout and customer portal).
    pub stripe_secret_key: Option<String>,
    /// `STRIPE_API_BASE`: where the Stripe API is (default https://api.stripe.com).
    pub stripe_api_base: String,
    /// Local billing test mode: no Stripe secret key and not production. Plan changes are
    /// simulated Stripe events signed with the webhook secret (or, when that is unset, the
    /// public dev secret, which is why production never runs in test mode).
    pub billing_test_mode: bool,
    /// `SITEPILOT_PUBLIC_URL` as an origin (`http::parse_public_url`); required in prod, in dev
    /// `None` means the listen address. `prod`: `SITEPILOT_ENV=prod` (HSTS is sent).
    pub public_url: Option<String>,
    pub prod: bool,
}

/// The development-only unlock key; production refuses to start without its own.
pub const DEV_PAGE_UNLOCK_SECRET: &[u8] = b"sitepilot-dev-page-unlock-secret-not-for-production";

/// `SITEPILOT_PAGE_UNLOCK_SECRET`: required (32+ bytes) in prod, a fixed dev key otherwise.
fn page_unlock_secret(prod: bool) -> Result<Vec<u8>, String> {
    match env::var("SITEPILOT_PAGE_UNLOCK_SECRET") {
        Ok(s) if s.len() >= 32 => Ok(s.into_bytes()),
        Ok(_) => Err("SITEPILOT_PAGE_UNLOCK_SECRET must be at least 32 characters".into()),
        Err(_) if prod => {
            Err("SITEPILOT_PAGE_UNLOCK_SECRET must be set when SITEPILOT_ENV=prod".into())
        }
        Err(_) => Ok(DEV_PAGE_UNLOCK_SECRET.to_vec()),
    }
}

/// `SITEPILOT_PUBLIC_URL`: the app's origin, required in prod.
fn public_url(prod: bool) -> Result<Option<String>, String> {
    match env::var("SITEPILOT_PUBLIC_URL") {
        Ok(s) if !s.trim().is_empty() => crate::http::parse_public_url(&s).map(Some),
        _ if prod => Err("SITEPILOT_PUBLIC_URL must be set when SITEPILOT_ENV=prod".into()),
        _ => Ok(None),
    }
}

fn flag(name: &str) -> bool {
    matches!(env::var(name).as_deref(), Ok("1" | "true" | "yes"))
}

fn required(name: &str) -> Result<String, String> {
    env::var(name).map_err(|_| format!("{name} is not set; see .env.example"))
}

impl ServerConfig {
    pub fn from_env() -> Result<Self, String> {
        let prod = env::var("SITEPILOT_ENV").as_deref() == Ok("prod");
        let secure_cookies = flag("SITEPILOT_SECURE_COOKIES");
        if prod && !secure_cookies {
            return Err("SITEPILOT_SECURE_COOKIES must be true when SITEPILOT_ENV=prod".into());
        }
        let stripe_webhook_secret = env::var("STRIPE_WEBHOOK_SECRET")
            .ok()
            .filter(|s| !s.trim().is_empty())
            .map(WebhookSecret::new);
        if prod && stripe_webhook_secret.is_none() {
            return Err("STRIPE_WEBHOOK_SECRET must be set when SITEPILOT_ENV=prod".into());
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
        Ok(Self {
            db: DbUrls {
                owner: required("DATABASE_URL")?,
                app: required("APP_DATABASE_URL")?,
            },
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
            public_url: public_url(prod)?,
            prod,
        })
    }
}
