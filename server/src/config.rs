//! Typed configuration, read once from the environment at startup.

use std::env;
use std::time::Duration;

use leptos::config::LeptosOptions;

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
pub fn owner_database_url() -> Result<String, ConfigError> {
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

/// Everything the server reads from its environment, in one place: `main` loads it with
/// [`ServerConfig::from_env`], tests start from [`ServerConfig::for_tests`] and override
/// fields with struct-update syntax. [`crate::build`] turns it into the running service.
/// Not `Debug`: it holds secrets.
#[derive(Clone)]
pub struct ServerConfig {
    pub deployment: Deployment,
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
    /// `SITEPILOT_ANALYTICS_ROLLUP_SECS`: how often the `analytics.rollup` job runs (default
    /// 600 s).
    pub analytics_rollup_every: Duration,
    /// `SITEPILOT_JOBS_WORKER` (default true): whether this instance runs background jobs
    /// (`jobs::Worker`). Tests run due jobs by hand (`jobs::run_due`).
    pub jobs_worker: bool,
    /// `SITEPILOT_JOBS_POLL_MS` (default 1000): how often an idle worker looks for due jobs
    /// besides being woken by `NOTIFY`.
    pub jobs_poll: Duration,
    /// Peers whose `Forwarded` / `X-Forwarded-For` is believed (`SITEPILOT_TRUSTED_PROXIES`).
    pub trusted_proxies: crate::http::client_ip::TrustedProxies,
    /// `SITEPILOT_PUBLIC_URL` as an origin (`http::parse_public_url`); required in prod, in dev
    /// `None` means the listen address.
    pub public_url: Option<String>,
    /// `SITEPILOT_DNS_SERVER` (`ip:port`): the nameserver custom-domain checks ask. `None`:
    /// the system's resolver (`/etc/resolv.conf`).
    pub dns_server: Option<std::net::SocketAddr>,
    /// `SITEPILOT_DOMAIN_APEX_IPS`: the edge's public addresses, for apex custom domains (A/AAAA
    /// records instead of a CNAME). Empty: apex domains are told to use a CNAME-capable name.
    pub domain_apex_ips: Vec<std::net::IpAddr>,
    /// `SITEPILOT_DOMAIN_GRACE_HOURS` (default 72): how long a verified domain keeps serving
    /// while its re-checks fail, before it is unverified and the owner told.
    pub domain_grace: Duration,
    /// Where uploaded files are stored: the local folder `SITEPILOT_ASSETS_DIR` (default
    /// `$SITEPILOT_DATA_DIR/assets`, else `.data/assets`), or an S3-compatible bucket when
    /// `SITEPILOT_S3_BUCKET` is set (`s3_settings`).
    pub asset_storage: crate::assets::Backend,
    /// `SITEPILOT_UPLOAD_TMP_DIR`: where uploads are spooled while they are checked (default
    /// the system's temporary folder + `sitepilot-uploads`).
    pub upload_tmp_dir: std::path::PathBuf,
    /// `SITEPILOT_SMTP_URL` + `SITEPILOT_MAIL_FROM`: where queued emails are delivered. `None`
    /// keeps them in the outbox (the team page says so).
    pub smtp: Option<SmtpSettings>,
    /// `SITEPILOT_AI_*`: the AI assistant's model provider. `None`: every AI action says AI is
    /// not configured, and nothing is sent anywhere.
    pub ai: Option<crate::ai::AiSettings>,
    /// `SITEPILOT_WEBHOOKS_ALLOW_PRIVATE`: outgoing webhooks may reach loopback and private
    /// addresses (a receiver on this machine). Development and tests only; refused in prod.
    pub webhooks_allow_private: bool,
}

/// The mail server: `url` in lettre's form (`smtp://` plain or `?tls=required` for STARTTLS,
/// `smtps://` for TLS from the first byte, `user:password@` for AUTH), and the `From` address.
/// Not `Debug`: the URL may hold a password.
#[derive(Clone)]
pub struct SmtpSettings {
    pub url: String,
    pub from: String,
}

/// `SITEPILOT_SMTP_URL` / `SITEPILOT_MAIL_FROM`: both or neither.
fn smtp(var: &Lookup) -> Result<Option<SmtpSettings>, ConfigError> {
    let url = var("SITEPILOT_SMTP_URL").filter(|s| !s.trim().is_empty());
    let from = var("SITEPILOT_MAIL_FROM").filter(|s| !s.trim().is_empty());
    match (url, from) {
        (None, _) => Ok(None),
        (Some(_), None) => Err(ConfigError::Invalid(
            "SITEPILOT_MAIL_FROM must be set when SITEPILOT_SMTP_URL is (e.g. `SitePilot <no-reply@example.com>`)",
        )),
        (Some(url), Some(from)) => {
            crate::mail::check_settings(&url, &from).map_err(ConfigError::Refused)?;
            Ok(Some(SmtpSettings { url, from }))
        }
    }
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
    /// A setting that is present but refused, with the reason.
    #[error("{0}")]
    Refused(String),
}

/// The development-only unlock key; production refuses to start without its own.
pub const DEV_PAGE_UNLOCK_SECRET: &[u8] = b"sitepilot-dev-page-unlock-secret-not-for-production";

/// How often the analytics rollup runs unless `SITEPILOT_ANALYTICS_ROLLUP_SECS` says otherwise.
pub const DEFAULT_ANALYTICS_ROLLUP: Duration = Duration::from_secs(600);

/// How long a verified domain whose records disappeared keeps serving unless
/// `SITEPILOT_DOMAIN_GRACE_HOURS` says otherwise.
pub const DEFAULT_DOMAIN_GRACE: Duration = Duration::from_secs(72 * 3600);

/// `SITEPILOT_DNS_SERVER`: `ip:port` of the nameserver to ask, or unset for the system's.
fn dns_server(var: &Lookup) -> Result<Option<std::net::SocketAddr>, ConfigError> {
    match var("SITEPILOT_DNS_SERVER").filter(|s| !s.trim().is_empty()) {
        None => Ok(None),
        Some(s) => s.trim().parse().map(Some).map_err(|_| {
            ConfigError::Refused(format!(
                "SITEPILOT_DNS_SERVER must be ip:port, such as 127.0.0.1:5353 (got `{s}`)"
            ))
        }),
    }
}

/// `SITEPILOT_DOMAIN_APEX_IPS`: comma-separated IPv4/IPv6 addresses.
fn domain_apex_ips(var: &Lookup) -> Result<Vec<std::net::IpAddr>, ConfigError> {
    var("SITEPILOT_DOMAIN_APEX_IPS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse().map_err(|_| {
                ConfigError::Refused(format!(
                    "SITEPILOT_DOMAIN_APEX_IPS must list IP addresses separated by commas (got `{s}`)"
                ))
            })
        })
        .collect()
}

fn domain_grace(var: &Lookup) -> Duration {
    var("SITEPILOT_DOMAIN_GRACE_HOURS")
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map_or(DEFAULT_DOMAIN_GRACE, |h| Duration::from_secs(h * 3600))
}

/// `SITEPILOT_PAGE_UNLOCK_SECRET`: required (32+ bytes) in prod, a fixed dev key otherwise.
fn page_unlock_secret(var: &Lookup, prod: bool) -> Result<Vec<u8>, ConfigError> {
    match var("SITEPILOT_PAGE_UNLOCK_SECRET").ok_or(()) {
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

/// `SITEPILOT_S3_*`: the S3-compatible backend, when a bucket is named. Keys are required
/// with it (no anonymous writes).
fn asset_storage(var: &Lookup) -> Result<crate::assets::Backend, ConfigError> {
    let set = |name: &str| var(name).filter(|s| !s.trim().is_empty());
    let Some(bucket) = set("SITEPILOT_S3_BUCKET") else {
        let dir = set("SITEPILOT_ASSETS_DIR")
            .map(std::path::PathBuf::from)
            .or_else(|| set("SITEPILOT_DATA_DIR").map(|d| std::path::Path::new(&d).join("assets")))
            .unwrap_or_else(|| std::path::PathBuf::from(".data/assets"));
        return Ok(crate::assets::Backend::Local(dir));
    };
    let access_key_id = set("SITEPILOT_S3_ACCESS_KEY_ID").ok_or(ConfigError::Invalid(
        "SITEPILOT_S3_ACCESS_KEY_ID must be set with SITEPILOT_S3_BUCKET",
    ))?;
    let secret_access_key = set("SITEPILOT_S3_SECRET_ACCESS_KEY").ok_or(ConfigError::Invalid(
        "SITEPILOT_S3_SECRET_ACCESS_KEY must be set with SITEPILOT_S3_BUCKET",
    ))?;
    Ok(crate::assets::Backend::S3(crate::assets::S3Settings {
        bucket,
        endpoint: set("SITEPILOT_S3_ENDPOINT"),
        region: set("SITEPILOT_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
        access_key_id,
        secret_access_key,
        path_style: flag(var, "SITEPILOT_S3_PATH_STYLE"),
    }))
}

/// The default spool folder for uploads being checked.
pub fn default_upload_tmp_dir() -> std::path::PathBuf {
    std::env::temp_dir().join("sitepilot-uploads")
}

/// Reads one setting; [`ServerConfig::from_lookup`] takes it so tests need no process env.
type Lookup<'a> = dyn Fn(&str) -> Option<String> + 'a;

fn flag(var: &Lookup, name: &str) -> bool {
    matches!(var(name).as_deref(), Some("1" | "true" | "yes"))
}

/// `SITEPILOT_PUBLIC_URL`: the app's origin, required in prod.
fn public_url(var: &Lookup, prod: bool) -> Result<Option<String>, ConfigError> {
    match var("SITEPILOT_PUBLIC_URL") {
        Some(s) if !s.trim().is_empty() => crate::http::parse_public_url(&s)
            .map(Some)
            .map_err(ConfigError::Refused),
        _ if prod => Err(ConfigError::Invalid(
            "SITEPILOT_PUBLIC_URL must be set when SITEPILOT_ENV=prod",
        )),
        _ => Ok(None),
    }
}

fn required(name: &'static str) -> Result<String, ConfigError> {
    env::var(name).map_err(|_| ConfigError::Missing(name))
}

/// `SITEPILOT_ANALYTICS_ROLLUP_SECS` when it is a positive number of seconds; tests and local
/// runs may shorten the cadence.
fn analytics_rollup_every(var: &Lookup) -> Duration {
    var("SITEPILOT_ANALYTICS_ROLLUP_SECS")
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(DEFAULT_ANALYTICS_ROLLUP, Duration::from_secs)
}

/// How often an idle job worker looks for due jobs unless `SITEPILOT_JOBS_POLL_MS` says otherwise.
pub const DEFAULT_JOBS_POLL: Duration = Duration::from_millis(1000);

fn jobs_poll(var: &Lookup) -> Duration {
    var("SITEPILOT_JOBS_POLL_MS")
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|ms| *ms >= 10)
        .map_or(DEFAULT_JOBS_POLL, Duration::from_millis)
}

fn webhooks_allow_private(var: &Lookup, prod: bool) -> Result<bool, ConfigError> {
    let on = flag(var, "SITEPILOT_WEBHOOKS_ALLOW_PRIVATE");
    if on && prod {
        return Err(ConfigError::Invalid(
            "SITEPILOT_WEBHOOKS_ALLOW_PRIVATE is for development only: it lets webhooks reach this server's own network",
        ));
    }
    Ok(on)
}

impl ServerConfig {
    /// The app's own origin: `SITEPILOT_PUBLIC_URL`, or in dev the listen address. Links in
    /// emails start with it.
    pub fn public_origin(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.leptos.site_addr))
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&|name| env::var(name).ok())
    }

    /// The configuration from `var` (the environment in [`Self::from_env`]).
    pub fn from_lookup(var: &Lookup) -> Result<Self, ConfigError> {
        let deployment =
            Deployment::parse(var("SITEPILOT_ENV").as_deref()).map_err(ConfigError::Refused)?;
        let prod = deployment == Deployment::Prod;
        let seed_demo = flag(var, "SITEPILOT_SEED_DEMO");
        if seed_demo && deployment != Deployment::Dev {
            return Err(ConfigError::Invalid(
                "SITEPILOT_SEED_DEMO is only allowed with SITEPILOT_ENV=dev: the demo owner's password is public",
            ));
        }
        let secure_cookies = flag(var, "SITEPILOT_SECURE_COOKIES");
        if prod && !secure_cookies {
            return Err(ConfigError::Invalid(
                "SITEPILOT_SECURE_COOKIES must be true when SITEPILOT_ENV=prod",
            ));
        }
        let stripe_webhook_secret = var("STRIPE_WEBHOOK_SECRET")
            .filter(|s| !s.trim().is_empty())
            .map(WebhookSecret::new);
        if prod && stripe_webhook_secret.is_none() {
            return Err(ConfigError::Invalid(
                "STRIPE_WEBHOOK_SECRET must be set when SITEPILOT_ENV=prod",
            ));
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
            return Err(ConfigError::Invalid(
                "DATABASE_URL (the owner role) must not reach the web process when SITEPILOT_ENV=prod: run `server migrate` with it as its own step",
            ));
        }
        let app_url = var("APP_DATABASE_URL").ok_or(ConfigError::Missing("APP_DATABASE_URL"))?;
        let trusted_proxies = crate::http::client_ip::TrustedProxies::parse(
            var("SITEPILOT_TRUSTED_PROXIES").as_deref().unwrap_or(""),
        )
        .map_err(ConfigError::Refused)?;
        let leptos = leptos::config::get_configuration(None)
            .map_err(|e| ConfigError::Leptos(e.to_string()))?
            .leptos_options;
        Ok(Self {
            deployment,
            db: DbUrls { app: app_url },
            leptos,
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
            analytics_rollup_every: analytics_rollup_every(var),
            jobs_worker: var("SITEPILOT_JOBS_WORKER")
                .is_none_or(|v| !matches!(v.trim(), "false" | "0" | "no" | "off")),
            jobs_poll: jobs_poll(var),
            trusted_proxies,
            public_url: public_url(var, prod)?,
            dns_server: dns_server(var)?,
            domain_apex_ips: domain_apex_ips(var)?,
            domain_grace: domain_grace(var),
            asset_storage: asset_storage(var)?,
            upload_tmp_dir: var("SITEPILOT_UPLOAD_TMP_DIR")
                .filter(|s| !s.trim().is_empty())
                .map(std::path::PathBuf::from)
                .unwrap_or_else(default_upload_tmp_dir),
            smtp: smtp(var)?,
            ai: crate::ai::AiSettings::from_lookup(var)?,
            webhooks_allow_private: webhooks_allow_private(var, prod)?,
        })
    }

    /// The configuration integration tests start from: development keys, no Stripe, no
    /// background workers, the site root under `target/site`. The database URLs come from
    /// the environment when set (the tests hand [`crate::build`] their own pool anyway).
    pub fn for_tests() -> Self {
        Self {
            deployment: Deployment::Dev,
            db: DbUrls {
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
            analytics_rollup_every: DEFAULT_ANALYTICS_ROLLUP,
            jobs_worker: false,
            jobs_poll: DEFAULT_JOBS_POLL,
            trusted_proxies: Default::default(),
            public_url: None,
            dns_server: None,
            domain_apex_ips: Vec::new(),
            domain_grace: DEFAULT_DOMAIN_GRACE,
            asset_storage: crate::assets::Backend::Local(
                std::env::temp_dir().join("sitepilot-test-assets"),
            ),
            upload_tmp_dir: default_upload_tmp_dir(),
            smtp: None,
            ai: None,
            webhooks_allow_private: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<ServerConfig, String> {
        from_pairs(pairs).map_err(|e| e.to_string())
    }

    fn from_pairs(pairs: &[(&str, &str)]) -> Result<ServerConfig, ConfigError> {
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
            ("SITEPILOT_PUBLIC_URL", "https://app.example.com"),
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
    fn smtp_needs_a_sender_and_a_valid_url() {
        let dev = [APP, ("SITEPILOT_ENV", "dev")];
        assert!(config(&dev).expect("config").smtp.is_none());
        let mut no_from = dev.to_vec();
        no_from.push(("SITEPILOT_SMTP_URL", "smtp://127.0.0.1:2525"));
        let err = config(&no_from).err().expect("refused");
        assert!(err.contains("SITEPILOT_MAIL_FROM"), "{err}");
        let mut ok = no_from.clone();
        ok.push(("SITEPILOT_MAIL_FROM", "SitePilot <no-reply@example.com>"));
        assert!(config(&ok).expect("config").smtp.is_some());
        let mut bad = dev.to_vec();
        bad.push(("SITEPILOT_SMTP_URL", "ftp://nowhere"));
        bad.push(("SITEPILOT_MAIL_FROM", "no-reply@example.com"));
        assert!(config(&bad).is_err());
        let mut bad_from = no_from;
        bad_from.push(("SITEPILOT_MAIL_FROM", "not an address"));
        assert!(config(&bad_from).is_err());
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
