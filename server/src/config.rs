//! Typed configuration, read once from the environment at startup.

use std::env;

/// The database the serving process uses. The owner role's URL (`DATABASE_URL`) is read only
/// by `server migrate` ([`owner_database_url`]): the web process never holds it.
#[derive(Clone)]
pub struct DbUrls {
    /// Request role: not the owner, not superuser, no BYPASSRLS.
    pub app: String,
}

/// `SITEPILOT_ENV`, exactly `dev` or `prod`. Anything else, unset included, refuses to start:
/// a misspelled production setting must never fall back to development behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deployment {
    Dev,
    Prod,
}

impl Deployment {
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        match value {
            Some("dev") => Ok(Self::Dev),
            Some("prod") => Ok(Self::Prod),
            Some(other) => Err(format!(
                "SITEPILOT_ENV must be exactly `dev` or `prod` (got `{other}`)"
            )),
            None => Err("SITEPILOT_ENV is not set: it must be `dev` or `prod`".into()),
        }
    }
}

/// `DATABASE_URL` (the owner role), for `server migrate` only.
pub fn owner_database_url() -> Result<String, String> {
    required("DATABASE_URL")
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
    pub deployment: Deployment,
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
    /// Peers whose `Forwarded` / `X-Forwarded-For` is believed (`SITEPILOT_TRUSTED_PROXIES`).
    pub trusted_proxies: crate::http::client_ip::TrustedProxies,
}

/// The development-only unlock key; production refuses to start without its own.
pub const DEV_PAGE_UNLOCK_SECRET: &[u8] = b"sitepilot-dev-page-unlock-secret-not-for-production";

/// `SITEPILOT_PAGE_UNLOCK_SECRET`: required (32+ bytes) in prod, a fixed dev key otherwise.
fn page_unlock_secret(var: &Lookup, prod: bool) -> Result<Vec<u8>, String> {
    match var("SITEPILOT_PAGE_UNLOCK_SECRET").ok_or(()) {
        Ok(s) if s.len() >= 32 => Ok(s.into_bytes()),
        Ok(_) => Err("SITEPILOT_PAGE_UNLOCK_SECRET must be at least 32 characters".into()),
        Err(_) if prod => {
            Err("SITEPILOT_PAGE_UNLOCK_SECRET must be set when SITEPILOT_ENV=prod".into())
        }
        Err(_) => Ok(DEV_PAGE_UNLOCK_SECRET.to_vec()),
    }
}

/// Reads one setting; [`ServerConfig::from_lookup`] takes it so tests need no process env.
type Lookup<'a> = dyn Fn(&str) -> Option<String> + 'a;

fn flag(var: &Lookup, name: &str) -> bool {
    matches!(var(name).as_deref(), Some("1" | "true" | "yes"))
}

fn required(name: &str) -> Result<String, String> {
    env::var(name).map_err(|_| format!("{name} is not set; see .env.example"))
}

impl ServerConfig {
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(&|name| env::var(name).ok())
    }

    /// The configuration from `var` (the environment in [`Self::from_env`]).
    pub fn from_lookup(var: &Lookup) -> Result<Self, String> {
        let deployment = Deployment::parse(var("SITEPILOT_ENV").as_deref())?;
        let prod = deployment == Deployment::Prod;
        let seed_demo = flag(var, "SITEPILOT_SEED_DEMO");
        if seed_demo && deployment != Deployment::Dev {
            return Err("SITEPILOT_SEED_DEMO is only allowed with SITEPILOT_ENV=dev: the demo owner's password is public".into());
        }
        let secure_cookies = flag(var, "SITEPILOT_SECURE_COOKIES");
        if prod && !secure_cookies {
            return Err("SITEPILOT_SECURE_COOKIES must be true when SITEPILOT_ENV=prod".into());
        }
        let stripe_webhook_secret = var("STRIPE_WEBHOOK_SECRET")
            .filter(|s| !s.trim().is_empty())
            .map(WebhookSecret::new);
        if prod && stripe_webhook_secret.is_none() {
            return Err("STRIPE_WEBHOOK_SECRET must be set when SITEPILOT_ENV=prod".into());
        }
        let stripe_secret_key = var("STRIPE_SECRET_KEY").filter(|s| !s.trim().is_empty());
        // Test mode lets any owner change plan for free: development only.
        let billing_test_mode = deployment == Deployment::Dev && stripe_secret_key.is_none();
        let stripe_webhook_secret = match stripe_webhook_secret {
            None if billing_test_mode => Some(WebhookSecret::new(
                crate::billing::DEV_STRIPE_WEBHOOK_SECRET,
            )),
            other => other,
        };
        if prod && var("DATABASE_URL").is_some() {
            return Err("DATABASE_URL (the owner role) must not reach the web process when SITEPILOT_ENV=prod: run `server migrate` with it as its own step".into());
        }
        let app_url = var("APP_DATABASE_URL")
            .ok_or_else(|| "APP_DATABASE_URL is not set; see .env.example".to_string())?;
        let trusted_proxies = crate::http::client_ip::TrustedProxies::parse(
            var("SITEPILOT_TRUSTED_PROXIES").as_deref().unwrap_or(""),
        )?;
        Ok(Self {
            deployment,
            db: DbUrls { app: app_url },
            sites_domain: var("SITEPILOT_SITES_DOMAIN").unwrap_or_else(|| "localhost".into()),
            secure_cookies,
            seed_demo,
            stripe_webhook_secret,
            page_unlock_secret: page_unlock_secret(var, prod)?,
            stripe_secret_key,
            stripe_api_base: var("STRIPE_API_BASE")
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| crate::stripe::client::DEFAULT_API_BASE.into()),
            billing_test_mode,
            trusted_proxies,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<ServerConfig, String> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ServerConfig::from_lookup(&|name| vars.get(name).cloned())
    }

    const APP: (&str, &str) = ("APP_DATABASE_URL", "postgres://app@localhost/db");

    fn prod() -> Vec<(&'static str, &'static str)> {
        vec![
            APP,
            ("SITEPILOT_ENV", "prod"),
            ("SITEPILOT_SECURE_COOKIES", "true"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_real"),
            ("STRIPE_SECRET_KEY", "sk_live_x"),
            (
                "SITEPILOT_PAGE_UNLOCK_SECRET",
                "0123456789abcdef0123456789abcdef",
            ),
        ]
    }

    #[test]
    fn an_unknown_or_missing_deployment_is_refused() {
        for env in ["production", "Dev", "PROD", "", "development"] {
            let err = config(&[APP, ("SITEPILOT_ENV", env)]).err();
            assert!(
                err.as_deref().is_some_and(|e| e.contains("SITEPILOT_ENV")),
                "{env:?} must be refused, got {err:?}"
            );
        }
        let err = config(&[APP]).err().expect("unset is refused");
        assert!(err.contains("SITEPILOT_ENV is not set"), "{err}");
    }

    #[test]
    fn dev_behaviour_needs_dev_exactly() {
        let dev = config(&[APP, ("SITEPILOT_ENV", "dev"), ("SITEPILOT_SEED_DEMO", "1")])
            .expect("dev config");
        assert!(dev.billing_test_mode && dev.seed_demo);
        assert_eq!(dev.page_unlock_secret, DEV_PAGE_UNLOCK_SECRET);
        let prod = config(&prod()).expect("prod config");
        assert_eq!(prod.deployment, Deployment::Prod);
        assert!(!prod.billing_test_mode && !prod.seed_demo);
        assert_ne!(prod.page_unlock_secret, DEV_PAGE_UNLOCK_SECRET);
        assert_eq!(
            prod.stripe_webhook_secret.expect("secret").expose(),
            b"whsec_real"
        );
    }

    #[test]
    fn demo_seeding_is_refused_outside_dev() {
        let mut vars = prod();
        vars.push(("SITEPILOT_SEED_DEMO", "1"));
        let err = config(&vars).err().expect("refused");
        assert!(err.contains("SITEPILOT_SEED_DEMO"), "{err}");
    }

    #[test]
    fn prod_refuses_the_owner_url_and_dev_defaults() {
        let mut vars = prod();
        vars.push(("DATABASE_URL", "postgres://owner@localhost/db"));
        let err = config(&vars).err().expect("refused");
        assert!(err.contains("DATABASE_URL"), "{err}");
        let without_unlock_key: Vec<_> = prod()
            .into_iter()
            .filter(|(k, _)| *k != "SITEPILOT_PAGE_UNLOCK_SECRET")
            .collect();
        assert!(config(&without_unlock_key).is_err());
        let without_webhook: Vec<_> = prod()
            .into_iter()
            .filter(|(k, _)| *k != "STRIPE_WEBHOOK_SECRET")
            .collect();
        assert!(config(&without_webhook).is_err());
    }

    #[test]
    fn trusted_proxies_are_parsed_or_refused() {
        let ok = config(&[
            APP,
            ("SITEPILOT_ENV", "dev"),
            ("SITEPILOT_TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1"),
        ])
        .expect("config");
        assert!(ok.trusted_proxies.contains("10.1.2.3".parse().expect("ip")));
        let bad = config(&[
            APP,
            ("SITEPILOT_ENV", "dev"),
            ("SITEPILOT_TRUSTED_PROXIES", "everyone"),
        ]);
        assert!(bad.is_err());
    }
}
