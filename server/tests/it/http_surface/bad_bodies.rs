//! Malformed bodies sent to every registered server function: each is refused with a 4xx and a
//! typed `Invalid { field: "request" }` (415 for a body type a foreign page could post), never
//! a 5xx or `Transport`, and the tenant's rows stay as they were.

use app::error::AppError;
use axum::http::Method;
use serde_json::{json, Value};

use super::{raw, Raw};
use crate::common::*;
use crate::permissions::fixtures::{body_for, fingerprint, tenant, FORM_ENCODED};

/// Server functions without arguments: any body decodes, so only the body type is checked.
const NO_ARGUMENTS: [&str; 33] = [
    "/api/staff/me",
    "/api/staff/logout",
    "/api/staff/impersonate_end",
    "/api/websites/deleted",
    "/api/org/export_start",
    "/api/org/export_latest",
    "/api/org/deletion_cancel",
    "/api/global-blocks/list",
    "/api/org/get",
    "/api/org/onboarding",
    "/api/org/onboarding_dismiss",
    "/api/org/transfer_state",
    "/api/org/transfer_cancel",
    "/api/api_keys/list",
    "/api/logout",
    "/api/ai/status",
    "/api/ai/usage",
    "/api/templates/list",
    "/api/settings/logout_everywhere",
    "/api/me",
    "/api/websites",
    "/api/billing/overview",
    "/api/billing/status",
    "/api/billing/invoices",
    "/api/billing/test_cancel",
    "/api/billing/portal",
    "/api/shop/payments",
    "/api/shop/payments/connect",
    "/api/team/overview",
    "/api/settings/get",
    "/api/settings/theme",
    "/api/auth/email_status",
    "/api/auth/resend_verification",
];

/// A valid body with every value replaced by one of another type, and with every UUID
/// replaced by a string that is none.
fn corrupted(valid: &Value) -> Vec<(&'static str, Value)> {
    let Some(o) = valid.as_object() else {
        return Vec::new();
    };
    let swapped = o
        .iter()
        .map(|(k, v)| {
            let other = match v {
                Value::String(_) => Value::from(12345),
                Value::Null => Value::from(12345),
                _ => Value::from("not the right type"),
            };
            (k.clone(), other)
        })
        .collect::<serde_json::Map<_, _>>();
    let mut cases = vec![("wrong types", Value::Object(swapped))];
    let uuids: serde_json::Map<_, _> = o
        .iter()
        .map(|(k, v)| {
            let not = v
                .as_str()
                .filter(|s| uuid::Uuid::parse_str(s).is_ok())
                .map(|_| Value::from("not-a-uuid"));
            (k.clone(), not.unwrap_or_else(|| v.clone()))
        })
        .collect();
    if uuids != *o {
        cases.push(("a string where a UUID goes", Value::Object(uuids)));
    }
    cases
}

/// The bodies sent to one function: (what, content type, body).
fn bad_bodies(path: &str, valid: &Value) -> Vec<(String, &'static str, String)> {
    let form = FORM_ENCODED.contains(&path) || path == "/api/me";
    let json_body = valid.to_string();
    let mut out = vec![
        ("text/plain".to_string(), "text/plain", json_body.clone()),
        (
            "multipart".to_string(),
            "multipart/form-data; boundary=x",
            json_body.clone(),
        ),
        ("no content type".to_string(), "", json_body.clone()),
    ];
    if NO_ARGUMENTS.contains(&path) {
        return out;
    }
    if form {
        out.push((
            "empty form".into(),
            "application/x-www-form-urlencoded",
            String::new(),
        ));
        for (what, v) in corrupted(valid) {
            let pairs = v
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| {
                            let v = v.as_str().map(String::from).unwrap_or(v.to_string());
                            format!("{}={}", urlencode(k), urlencode(&v))
                        })
                        .collect::<Vec<_>>()
                        .join("&")
                })
                .unwrap_or_default();
            out.push((what.into(), "application/x-www-form-urlencoded", pairs));
        }
    } else {
        let json = "application/json";
        out.push(("empty".into(), json, String::new()));
        out.push((
            "truncated".into(),
            json,
            json_body[..json_body.len() / 2].to_string(),
        ));
        out.push(("an array".into(), json, "[1,2,3]".into()));
        out.push(("a string".into(), json, "\"hello\"".into()));
        out.push(("null".into(), json, "null".into()));
        for (what, v) in corrupted(valid) {
            out.push((what.into(), json, v.to_string()));
        }
        // A JSON function refuses a form body, even one a browser form could send.
        out.push((
            "form-encoded".into(),
            "application/x-www-form-urlencoded",
            "a=1".into(),
        ));
    }
    out
}

#[tokio::test]
async fn every_server_function_refuses_malformed_bodies_with_a_typed_4xx() {
    let pool = pool().await;
    let router = crate::permissions::matrix_router(pool.clone()).await;
    let paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .collect();
    assert!(paths.len() > 40, "server functions: {paths:?}");
    let mut failures = Vec::new();
    let mut sent = 0;
    for path in &paths {
        // A fresh tenant per function: the fixtures use up plan limits.
        let t = tenant(&pool, "Bad Bodies").await;
        let owner = t.owner().clone();
        let valid = match path.as_str() {
            p if NO_ARGUMENTS.contains(&p) => json!({}),
            "/api/signup" => {
                json!({ "full_name": "A", "org_name": "B", "email": "a@example.com", "password": "correct-horse-7" })
            }
            "/api/login" => json!({ "email": "a@example.com", "password": "correct-horse-7" }),
            "/api/invite/state" => json!({ "token": "x" }),
            "/api/auth/forgot" => json!({ "email": "nobody@example.com" }),
            "/api/auth/reset_state" | "/api/auth/verify_email" => json!({ "token": "x" }),
            "/api/auth/reset" => json!({ "token": "x", "password": "correct-horse-7" }),
            "/api/invite/accept" => {
                json!({ "token": "x", "full_name": "A", "password": "correct-horse-7" })
            }
            _ => body_for(&router, &pool, &t, path, Some(&owner)).await,
        };
        // Functions without arguments are called without a session: log-out and the billing
        // actions would otherwise act, whatever the body.
        let cookie = (!NO_ARGUMENTS.contains(&path.as_str())).then_some(owner.cookie.as_str());
        let before = fingerprint(&pool, t.account.tenant_id).await;
        for (what, content_type, body) in bad_bodies(path, &valid) {
            let mut headers = vec![("origin", APP_ORIGIN), ("accept", "application/json")];
            if !content_type.is_empty() {
                headers.push(("content-type", content_type));
            }
            if let Some(c) = cookie {
                headers.push(("cookie", c));
            }
            let r = raw(&router, Method::POST, path, &headers, body).await;
            sent += 1;
            if let Some(problem) = problem(&r, path, content_type) {
                failures.push(format!("{path} with {what}: {problem}"));
            }
        }
        if fingerprint(&pool, t.account.tenant_id).await != before {
            failures.push(format!(
                "{path}: malformed bodies changed the tenant's rows"
            ));
        }
    }
    assert!(sent > 300, "only {sent} requests were sent");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What is wrong with the answer to a malformed body, if anything.
fn problem(r: &Raw, path: &str, content_type: &str) -> Option<String> {
    if r.status.is_server_error() {
        return Some(format!("{} {}", r.status, r.text()));
    }
    let err: AppError = match serde_json::from_slice(&r.body) {
        Ok(e) => e,
        Err(_) if r.status.is_success() && NO_ARGUMENTS.contains(&path) => return None,
        Err(e) => {
            return Some(format!(
                "not a typed error ({e}): {} {}",
                r.status,
                r.text()
            ))
        }
    };
    let body_type_refused =
        matches!(content_type, "text/plain" | "") || content_type.starts_with("multipart/");
    let want = if body_type_refused { 415 } else { 400 };
    match err {
        AppError::Invalid { ref field, .. } if field == "request" && r.status.as_u16() == want => {
            None
        }
        // A form has no types: `12345` is a fine string, which the function then judges.
        AppError::Invalid { .. }
            if want == 400
                && r.status.as_u16() == 400
                && content_type == "application/x-www-form-urlencoded"
                && (FORM_ENCODED.contains(&path) || path == "/api/me") =>
        {
            None
        }
        AppError::Unauthorized if NO_ARGUMENTS.contains(&path) && !body_type_refused => None,
        other => Some(format!(
            "expected {want} Invalid(request), got {} {other:?}",
            r.status
        )),
    }
}
