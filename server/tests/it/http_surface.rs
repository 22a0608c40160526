//! The app host's HTTP surface (`server/src/http`): honest statuses for server-function errors
//! and malformed bodies, cross-site request refusal, and the security headers of app pages.

mod bad_bodies;
mod cross_site;
mod headers;
mod statuses;

use axum::body::Body;
use axum::http::{Method, Request};
use axum::Router;

pub use crate::common::Raw;

/// Sends one request with exactly these headers (plus `Host: 127.0.0.1`).
pub async fn raw(
    router: &Router,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> Raw {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "127.0.0.1");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    crate::common::send_raw(router, req.body(body.into()).expect("request")).await
}
