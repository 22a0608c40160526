//! `GET /forms/export/{website_id}`: a website's contact form submissions as a CSV download,
//! for signed-in owners and admins (the check is `app::api::forms::export_csv_for`).

use app::api::ctx::Caller;
use app::error::AppError;
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
    match app::api::forms::export_csv_for(&state.pool, &caller, website_id).await {
        Ok(csv) => {
            let mut res = csv.into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!(
                "attachment; filename=\"submissions-{}.csv\"",
                website_id.simple()
            )) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            res
        }
        Err(e) => {
            let status = match e {
                AppError::Unauthorized => StatusCode::UNAUTHORIZED,
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                AppError::NotFound(_) => StatusCode::NOT_FOUND,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            (status, e.to_string()).into_response()
        }
    }
}
