//! A file download for the browser: the body with its type, `private, no-store`, and
//! `Content-Disposition: attachment`; or the refusal as plain text with its status
//! (`AppError::status`). Used by the CSV export of form submissions and the backup downloads.

use app::error::AppError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// `filename` must be header-safe (slugs, ids, dates); a name that is not is left out.
pub fn attachment(
    result: Result<(String, String), AppError>,
    content_type: &'static str,
) -> Response {
    match result {
        Ok((body, filename)) => {
            let mut res = body.into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
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
