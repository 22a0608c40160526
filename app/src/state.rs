//! Server state built once at startup and handed to server functions through context.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;

/// Settings the app code reads; loaded by the server binary from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// Visitor sites live at `{subdomain}.{sites_domain}`; `localhost` in development.
    pub sites_domain: String,
    /// Add `Secure` to the session cookie (set when served over https).
    pub secure_cookies: bool,
    /// HMAC key for the cookies that unlock password-protected visitor pages.
    pub page_unlock_key: SecretKey,
    /// The app's own origin (`SITEPILOT_PUBLIC_URL`, e.g. `https://app.example.com`, no path):
    /// state-changing requests from any other origin are refused.
    pub public_origin: String,
    /// Send `Strict-Transport-Security` (production).
    pub hsts: bool,
    /// An SMTP server is configured (`SITEPILOT_SMTP_URL`): queued emails are delivered.
    /// Without one they stay in the outbox, and the team page says so.
    pub email_delivery: bool,
    /// The edge's public addresses, shown as the A/AAAA records of an apex custom domain
    /// (`SITEPILOT_DOMAIN_APEX_IPS`); empty when apex domains cannot be pointed here.
    pub domain_apex_ips: Vec<std::net::IpAddr>,
}

/// Key bytes that never show up in `Debug` output or logs.
#[derive(Clone)]
pub struct SecretKey(pub Arc<[u8]>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(redacted)")
    }
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    /// Pool of the request role (`sitepilot_app`): not the owner, no BYPASSRLS.
    pub pool: PgPool,
    pub config: Arc<Config>,
    /// How the shop's checkout takes payments (issue 22).
    pub payments: Payments,
}

/// The payment routes the server has: local test mode (signed Stripe-shaped events through
/// the real webhook handler) and/or the Stripe API. Both `None`: the shop says it cannot take
/// payments.
#[derive(Clone, Default)]
pub struct Payments {
    pub test_mode: Option<crate::api::billing::TestModeWebhook>,
    pub stripe: Option<crate::api::billing_stripe::StripeApi>,
}

/// The client's address for this request, computed once by the server's outermost service from
/// the TCP peer and, only when that peer is a trusted proxy, its `Forwarded` /
/// `X-Forwarded-For` (the server's `http::client_ip`). Rate limits, visitor ids and audit rows
/// key on it. Absent when the request did not come over a socket (in-process tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub std::net::IpAddr);
