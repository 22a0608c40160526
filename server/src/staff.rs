//! The operator console's HTTP side: staff viewing an organisation read-only (impersonation)
//! may change nothing. Tenant server functions enforce it in their one entry point
//! (`app::api::ctx::member_tx`, a READ ONLY transaction); this guard refuses every other
//! state-changing request of such a caller (uploads, exports, previews' forms, …) with 403.

use app::api::ctx::{Caller, READ_ONLY_IMPERSONATION};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use app::state::AppState;

pub async fn impersonation_guard(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let staff_cookie = app::api::ctx::cookie(req.headers(), app::db::staff::STAFF_COOKIE).is_some();
    // Server functions answer for themselves (`member_tx`); the staff console's own functions
    // act on the staff session, not the organisation.
    if !writes || !staff_cookie || req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    if let Caller::Member(m) = Caller::of_request(&state.pool, &parts).await {
        if m.impersonator.is_some() {
            return crate::http::api_errors::typed(&app::error::AppError::forbidden(
                READ_ONLY_IMPERSONATION,
            ));
        }
    }
    next.run(Request::from_parts(parts, body)).await
}
