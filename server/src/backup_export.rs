//! `GET /websites/{id}/export`: a website's backup document as a JSON download, for any
//! signed-in member of its tenant (the check is `app::api::backup::export_for`).

use app::api::ctx::Caller;
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

pub async fn export(
    State(state): State<AppState>,
    Path(website_id): Path<String>,
    caller: Caller,
) -> Response {
    let Ok(website_id) = Uuid::parse_str(&website_id) else {
        return (StatusCode::NOT_FOUND, "Website not found.").into_response();
    };
    match app::api::backup::export_for(&state.pool, &caller, website_id).await {
        Ok((json, name)) => {
            let mut res = json.into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            let date = chrono::Utc::now().format("%Y-%m-%d");
            // `name` is a slug (lowercase letters, digits, hyphens): safe in the header.
            if let Ok(v) = HeaderValue::from_str(&format!(
                "attachment; filename=\"{name}-{date}.sitepilot.json\""
            )) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            res
        }
        Err(e) => {
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, e.to_string()).into_response()
        }
    }
}
