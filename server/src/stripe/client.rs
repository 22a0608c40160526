//! The Stripe API client behind [`StripeApi`]: form-encoded POSTs and list GETs with the secret key as a
//! bearer token, an `Idempotency-Key` on creates, and Stripe's error object turned into a
//! message an owner can act on. The base URL is configurable (`STRIPE_API_BASE`) so tests can
//! point it at a local stand-in for api.stripe.com.

use std::sync::Arc;
use std::time::Duration;

use app::api::billing_stripe::{StripeApi, StripeMethod};
use app::error::AppError;
use serde::Deserialize;

pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

/// The Stripe secret key (`sk_…`): never printed.
#[derive(Clone)]
struct SecretKey(Arc<str>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

#[derive(Clone, Debug)]
pub struct StripeClient {
    http: reqwest::Client,
    base: Arc<str>,
    key: SecretKey,
}

/// Stripe's error body: `{"error": {"type", "message", "code", "param"}}`.
#[derive(Deserialize)]
struct ErrorBody {
    error: StripeError,
}

#[derive(Deserialize)]
struct StripeError {
    #[serde(rename = "type")]
    kind: Option<String>,
    message: Option<String>,
    code: Option<String>,
    param: Option<String>,
}

/// Why the Stripe client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot build the Stripe HTTP client: {0}")]
    Http(reqwest::Error),
    #[error("STRIPE_API_BASE must be an http(s) URL, not {0:?}")]
    BadBase(String),
}

impl StripeClient {
    pub fn new(secret_key: &str, api_base: &str) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .user_agent("SitePilot")
            .build()
            .map_err(ClientError::Http)?;
        let base = api_base.trim_end_matches('/');
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(ClientError::BadBase(base.to_string()));
        }
        Ok(Self {
            http,
            base: base.into(),
            key: SecretKey(secret_key.into()),
        })
    }

    /// The client as the app's server functions see it.
    pub fn into_api(self) -> StripeApi {
        StripeApi(Arc::new(move |method, path, fields, key| {
            let client = self.clone();
            Box::pin(async move { client.send(method, &path, &fields, key.as_deref()).await })
        }))
    }

    /// One request: a POST carries `fields` as its form body, a GET as its query string.
    pub async fn send(
        &self,
        method: StripeMethod,
        path: &str,
        fields: &[(String, String)],
        idempotency_key: Option<&str>,
    ) -> Result<serde_json::Value, AppError> {
        let url = format!("{}{path}", self.base);
        let mut req = match method {
            StripeMethod::Post => self.http.post(url).form(fields),
            StripeMethod::Get => self.http.get(url).query(fields),
        }
        .bearer_auth(&*self.key.0);
        if let Some(key) = idempotency_key {
            req = req.header("Idempotency-Key", key);
        }
        let res = req.send().await.map_err(|e| {
            tracing::error!(%path, error = %e, "stripe unreachable");
            unavailable("it could not be reached")
        })?;
        let status = res.status();
        let body = res.bytes().await.map_err(|e| {
            tracing::error!(%path, error = %e, "stripe answer cut off");
            unavailable("its answer was cut off")
        })?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| {
                tracing::error!(%path, error = %e, "stripe answered something other than JSON");
                AppError::Internal
            });
        }
        Err(refusal(path, status.as_u16(), &body))
    }
}

fn unavailable(why: &str) -> AppError {
    AppError::invalid("stripe", format!("Stripe is not available right now ({why}). Nothing was changed; try again in a minute."))
}

/// Stripe's refusal as an error the owner can act on. Details go to the log; the key never does.
fn refusal(path: &str, status: u16, body: &[u8]) -> AppError {
    let err = serde_json::from_slice::<ErrorBody>(body)
        .map(|b| b.error)
        .ok();
    let kind = err
        .as_ref()
        .and_then(|e| e.kind.clone())
        .unwrap_or_default();
    let message = err
        .as_ref()
        .and_then(|e| e.message.clone())
        .unwrap_or_else(|| format!("HTTP {status}"));
    tracing::warn!(
        %path, status, %kind, %message,
        code = err.as_ref().and_then(|e| e.code.as_deref()).unwrap_or(""),
        param = err.as_ref().and_then(|e| e.param.as_deref()).unwrap_or(""),
        "stripe refused a request"
    );
    match (status, kind.as_str()) {
        (401, _) | (_, "authentication_error") => AppError::invalid(
            "stripe",
            "Stripe refused this server's API key. The administrator must check STRIPE_SECRET_KEY; nothing was changed.",
        ),
        (429, _) | (500..=599, _) | (_, "api_error") => unavailable(&message),
        _ => AppError::invalid("stripe", format!("Stripe refused the request: {}. Nothing was changed.", message.trim_end_matches('.'))),
    }
}
