//! The app host's HTTP surface (`server/src/http`): honest statuses for server-function errors
//! and malformed bodies, cross-site request refusal, and the security headers of app pages.

mod bad_bodies;
mod cross_site;
mod headers;
mod statuses;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A raw answer: status, headers and body.
pub struct Raw {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Raw {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The typed error in the body.
    pub fn error(&self) -> app::error::AppError {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not a typed AppError ({e}): {} {}",
                self.status,
                self.text()
            )
        })
    }
}

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
    let res = router
        .clone()
        .oneshot(req.body(body.into()).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Raw {
        status,
        headers,
        body,
    }
}
