//! Billing wiring on the server: local test mode's in-process webhook delivery, and
//! the 403 page for members of a suspended tenant.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use app::api::billing::TestModeWebhook;
use app::api::ctx::Caller;
use app::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use sqlx::PgPool;
use tower::ServiceExt;

use crate::config::WebhookSecret;
use crate::stripe;

/// The webhook secret local test mode signs with when STRIPE_WEBHOOK_SECRET is unset. Public
/// by nature, so `ServerConfig` never uses it in production (test mode is off there).
pub const DEV_STRIPE_WEBHOOK_SECRET: &str = "whsec_sitepilot_dev_test_mode_not_for_production";

/// Test mode's delivery: signs the event body exactly as Stripe does
/// (`t=<now>,v1=hex(HMAC-SHA256(secret, "{t}.{body}"))`) and sends it through the real webhook
/// route in-process, so signature check, idempotency and apply all run as for Stripe.
pub fn test_mode_webhook(pool: PgPool, secret: WebhookSecret) -> TestModeWebhook {
    let routes: Router = stripe::routes(pool, Some(secret.clone()));
    TestModeWebhook(Arc::new(move |body: Vec<u8>| {
        let routes = routes.clone();
        let secret = secret.clone();
        Box::pin(async move {
            let t = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            let v1 = stripe::signature::sign(secret.expose(), t, &body);
            let req = Request::post(stripe::PATH)
                .header(header::CONTENT_TYPE, "application/json")
                .header("stripe-signature", format!("t={t},v1={v1}"))
                .body(Body::from(body))
                .map_err(|e| e.to_string())?;
            let res = routes.oneshot(req).await.map_err(|e| e.to_string())?;
            if res.status().is_success() {
                return Ok(());
            }
            let status = res.status();
            let text = axum::body::to_bytes(res.into_body(), 64 * 1024)
                .await
                .map(|b| String::from_utf8_lossy(&b).into_owned());
            Err(format!(
                "webhook answered {status}: {}",
                text.unwrap_or_default()
            ))
        })
    }))
}

/// What a suspended tenant's members are told by the API.
pub const SUSPENDED: &str = "This SitePilot account is suspended because its subscription is unpaid or paused. Your websites and content are kept; once the payment goes through, everything is restored.";

/// App paths a suspended tenant's members are refused (visitor sites are handled elsewhere).
/// Log-in and log-out stay open so a member can leave.
fn guarded(path: &str) -> bool {
    let open_api = ["/api/login", "/api/logout", "/api/signup", "/api/me"];
    path == "/dashboard"
        || path == "/billing"
        || path.starts_with("/builder/")
        || (path.starts_with("/api/") && !open_api.contains(&path))
}

/// For a guard that shuts a tenant's members out (suspension, deletion): a server function
/// called by the app gets the typed Forbidden with `message` its caller decodes; `None` for a
/// page, or a browser posting a plain form (no JavaScript), which asks for HTML and gets the
/// guard's page.
pub fn refuse_api_call(parts: &axum::http::request::Parts, message: &str) -> Option<Response> {
    let wants_html = parts
        .headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    (parts.uri.path().starts_with("/api/") && !wants_html)
        .then(|| crate::http::api_errors::typed(&app::error::AppError::forbidden(message)))
}

/// Members of a suspended tenant (subscription unpaid or paused) get a clear 403 page on every
/// app route, instead of the app; paying again lifts the suspension (the webhook does).
/// It reads the request's [`Caller`] (resolved once per request, shared with the handlers).
pub async fn suspended_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !guarded(req.uri().path()) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let caller = Caller::of_request(&state.pool, &parts).await;
    if !matches!(caller, Caller::Suspended) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    if let Some(refused) = refuse_api_call(&parts, SUSPENDED) {
        return refused;
    }
    let page = r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Account suspended · SitePilot</title>
<link rel="stylesheet" href="/pkg/sitepilot.css"></head><body><main class="app-narrow">
<h1>Account suspended</h1>
<p role="alert">This SitePilot account is suspended because its subscription is unpaid or paused.
Your websites and content are kept. Once the payment goes through, everything is restored.</p>
<p>The account owner can pay the open invoice from the link in Stripe's e-mail.</p>
<form method="post" action="/api/logout"><button type="submit" class="app-button app-button-ghost">Log out</button></form>
</main></body></html>"#;
    (StatusCode::FORBIDDEN, Html(page)).into_response()
}
