//! A file download for the browser: the body with its type, `private, no-store`,
//! `Content-Disposition: attachment` and, for a rate-limited export, the `RateLimit-*` headers;
//! or the refusal as plain text with its status (`AppError::status`) and, for a 429,
//! `Retry-After`. Used by the CSV export of form submissions and the backup downloads.

use app::db::rate_limits::RateState;
use app::error::AppError;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// `filename` must be header-safe (slugs, ids, dates); a name that is not is left out.
pub fn attachment(
    result: Result<(String, String, Option<RateState>), AppError>,
    content_type: &'static str,
) -> Response {
    attachment_bytes(
        result.map(|(body, name, rate)| (body.into_bytes(), name, rate)),
        content_type,
    )
}

/// [`attachment`] for a binary body (the backup zip).
pub fn attachment_bytes(
    result: Result<(Vec<u8>, String, Option<RateState>), AppError>,
    content_type: &'static str,
) -> Response {
    match result {
        Ok((body, filename, rate)) => {
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
            for (name, value) in rate.iter().flat_map(RateState::headers) {
                h.insert(HeaderName::from_static(name), value.into());
            }
            res
        }
        Err(e) => {
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut res = (status, e.to_string()).into_response();
            if let Some(secs) = e.retry_after_secs() {
                res.headers_mut().insert(header::RETRY_AFTER, secs.into());
            }
            res
        }
    }
}
