//! Custom domains on the server side: the DNS client that checks a domain's records
//! (hickory-resolver, [`dns`]), the verification jobs, and the on-demand TLS `ask` endpoint
//! Caddy calls before it obtains a certificate ([`ask`]). The rules and the bookkeeping live in
//! `app::db::domains`; nothing here writes SQL.

pub mod dns;
pub mod jobs;

use app::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

/// The address Caddy's `on_demand_tls { ask … }` points at (README, deploy/Caddyfile).
pub const ASK_PATH: &str = "/_sp/tls/ask";

/// The `ask` route, served on the app's host and on site hosts alike (Caddy may call it on
/// `localhost`, which is not the sites domain in production).
pub fn routes() -> Router<AppState> {
    Router::new().route(ASK_PATH, get(ask))
}

#[derive(Deserialize)]
pub struct AskQuery {
    domain: Option<String>,
}

/// `GET /_sp/tls/ask?domain=…`: 200 when `domain` is a verified custom domain (and the first
/// such answer records `ssl_provisioned`), 404 for any other name, 400 without a usable name.
/// One indexed lookup per call, and no write after the first yes, so Caddy may call it on
/// every handshake of an unknown name.
pub async fn ask(State(state): State<AppState>, Query(q): Query<AskQuery>) -> StatusCode {
    let Some(domain) = q
        .domain
        .as_deref()
        .and_then(|d| app::model::DomainName::parse(d).ok())
    else {
        return StatusCode::BAD_REQUEST;
    };
    match app::db::system::tls_ask(&state.pool, domain.as_str()).await {
        Ok(true) => StatusCode::OK,
        Ok(false) => StatusCode::NOT_FOUND,
        // Caddy treats any non-2xx as "no": fail closed, and say why in the log.
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}
