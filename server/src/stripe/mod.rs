//! `POST /webhooks/stripe`: the only writer of `subscriptions` and `tenants.plan_id`
//! (schema reference §4, §6, Flow 5). Order of checks: secret configured (else 503) → signature over
//! the raw body (else 400/401) → event well-formed (else 400) → applied once per event id.

pub mod apply;
pub mod client;
pub mod event;
pub mod signature;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use sqlx::PgPool;

use crate::config::WebhookSecret;
use apply::{ApplyError, Outcome};
use signature::SignatureError;

pub const PATH: &str = "/webhooks/stripe";

#[derive(Clone)]
struct WebhookState {
    pool: PgPool,
    secret: Option<Arc<WebhookSecret>>,
}

/// The webhook route with its own state, to merge into the app router.
pub fn routes<S: Clone + Send + Sync + 'static>(
    pool: PgPool,
    secret: Option<WebhookSecret>,
) -> Router<S> {
    Router::new()
        .route(PATH, post(receive))
        .with_state(WebhookState {
            pool,
            secret: secret.map(Arc::new),
        })
}

fn reply(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

fn refuse(status: StatusCode, message: &str) -> Response {
    reply(status, serde_json::json!({ "error": message }))
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

async fn receive(State(state): State<WebhookState>, headers: HeaderMap, body: Bytes) -> Response {
    // Never accept an event we cannot authenticate, not even in development.
    let Some(secret) = &state.secret else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "Stripe webhooks are disabled: STRIPE_WEBHOOK_SECRET is not set on this server (see .env.example).",
        );
    };
    let Some(header) = headers
        .get("stripe-signature")
        .and_then(|h| h.to_str().ok())
    else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "The Stripe-Signature header is missing.",
        );
    };
    if let Err(e) = signature::verify(secret.expose(), header, &body, now()) {
        tracing::warn!(error = e.message(), "stripe webhook refused");
        let status = match e {
            SignatureError::Malformed(_) => StatusCode::BAD_REQUEST,
            SignatureError::Mismatch | SignatureError::Expired => StatusCode::UNAUTHORIZED,
        };
        return refuse(status, e.message());
    }
    let ev = match event::parse(&body) {
        Ok(ev) => ev,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, &e.0),
    };
    match apply::process(&state.pool, &ev).await {
        Ok(outcome) => {
            if outcome != Outcome::Applied {
                tracing::info!(event = %ev.id, kind = %ev.kind, outcome = outcome.as_str(), "stripe event not applied");
            }
            reply(
                StatusCode::OK,
                serde_json::json!({ "received": true, "outcome": outcome.as_str() }),
            )
        }
        Err(ApplyError::UnknownPrice(price)) => {
            tracing::error!(event = %ev.id, %price, "stripe price is not configured on any plan");
            let msg = format!(
                "The Stripe price {price} is not set as the monthly or yearly price of any plan."
            );
            refuse(StatusCode::UNPROCESSABLE_ENTITY, &msg)
        }
        Err(e @ ApplyError::Db(_)) => {
            tracing::error!(event = %ev.id, error = %e, "stripe event failed");
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The event could not be processed; Stripe will retry it.",
            )
        }
    }
}
