//! Server-function errors with honest statuses. `server_fn` answers every error with 500 and
//! the header `serverfnerror`; this layer reads the typed `AppError` in the body and sets the
//! status it maps to (`AppError::status`, the one mapping). The body is left as it is, so the
//! browser decodes the same error as before. Plain form posts (no JavaScript) are redirected
//! back with the error in the URL; those keep their redirect status.

use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// The header `server_fn` marks its error responses with.
const SERVER_FN_ERROR: &str = "serverfnerror";

/// Error bodies are a few hundred bytes; anything far bigger is not one of ours.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// A typed error answered directly: its status and JSON body.
pub fn typed(err: &AppError) -> Response {
    let body = serde_json::to_vec(err).unwrap_or_else(|_| b"\"Internal\"".to_vec());
    let mut res = Response::new(Body::from(body));
    *res.status_mut() =
        StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

/// `/api/…` paths that are no server function: a typed 404, whatever the method.
pub async fn unknown_api() -> Response {
    typed(&AppError::NotFound("API endpoint".into()))
}

pub async fn status_from_error(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !api
        || res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key(SERVER_FN_ERROR)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return typed(&AppError::Internal);
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(secs) = err.retry_after_secs() {
            parts
                .headers
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
