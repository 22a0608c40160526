//! The REST API's permission matrix: every v1 route is called with a key made by each of the
//! five roles (holding every scope that role may have) and with no key (another tenant's key:
//! `tenancy::api_keys_never_reach_another_tenants_records`). A key may do exactly what its scope allows, and a scope is allowed exactly
//! when the creator's role allows it (`ApiScope::allowed_for`, `Role`); no key is 401. A refused call changes no
//! row of the tenant. A route missing from the table fails the test (the table must equal the
//! OpenAPI document's routes, `crate::api_v1::ROUTES`).

use app::model::{ApiScope, ComponentKind, Role};
use axum::http::{Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use super::fixtures::*;
use super::Scope;
use crate::api_v1::{api, key_for, ROUTES};
use crate::common::*;

/// (method, path, scope, whether it names a record of the tenant).
pub(crate) fn table() -> Vec<(&'static str, &'static str, ApiScope, Scope)> {
    use ApiScope::*;
    use Scope::*;
    vec![
        ("get", "/api/v1/websites", ReadSites, OwnTenant),
        ("get", "/api/v1/websites/{website_id}", ReadSites, Record),
        (
            "get",
            "/api/v1/websites/{website_id}/pages",
            ReadSites,
            Record,
        ),
        (
            "post",
            "/api/v1/websites/{website_id}/pages",
            WriteContent,
            Record,
        ),
        ("get", "/api/v1/pages/{page_id}", ReadSites, Record),
        ("patch", "/api/v1/pages/{page_id}", WriteContent, Record),
        ("delete", "/api/v1/pages/{page_id}", WriteContent, Record),
        (
            "get",
            "/api/v1/pages/{page_id}/components",
            ReadSites,
            Record,
        ),
        (
            "post",
            "/api/v1/pages/{page_id}/components",
            WriteContent,
            Record,
        ),
        (
            "put",
            "/api/v1/pages/{page_id}/components/{component_id}",
            WriteContent,
            Record,
        ),
        (
            "patch",
            "/api/v1/pages/{page_id}/components/{component_id}",
            WriteContent,
            Record,
        ),
        (
            "delete",
            "/api/v1/pages/{page_id}/components/{component_id}",
            WriteContent,
            Record,
        ),
        (
            "post",
            "/api/v1/websites/{website_id}/publish",
            Publish,
            Record,
        ),
        (
            "post",
            "/api/v1/websites/{website_id}/rollback",
            Publish,
            Record,
        ),
        (
            "get",
            "/api/v1/websites/{website_id}/deployments",
            ReadSites,
            Record,
        ),
        (
            "get",
            "/api/v1/form-submissions",
            ReadSubmissions,
            OwnTenant,
        ),
        ("get", "/api/v1/assets", ManageAssets, OwnTenant),
    ]
}

/// A request made of fresh records of tenant `t` (a page, a block, a deployment), so every
/// allowed call really succeeds: (path, If-Match, body).
pub(crate) async fn request_for(
    pool: &PgPool,
    t: &Tenant,
    method: &str,
    pattern: &str,
) -> (String, Option<String>, Option<Value>) {
    let a = &t.account;
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let owner = app::api::ops::Actor {
        tenant_id: a.tenant_id,
        user_id: a.user_id,
        role: Role::Owner,
        email: None,
    };
    // A fresh page for page writes (its settings revision), a fresh block for block writes.
    let page = app::api::ops::create_page(
        &mut tx,
        &owner,
        a.website_id,
        "Fixture",
        &format!("/{}", unique("p-")),
    )
    .await
    .expect("page");
    let info = page
        .overview
        .pages
        .iter()
        .find(|p| p.id == page.id)
        .expect("listed")
        .clone();
    let content = app::db::builder::load(&mut tx, page.id, Role::Owner)
        .await
        .expect("load");
    let block = content.components[0].clone();
    // Two deployments: the earlier one is what a rollback makes live again.
    let deployment = app::db::publish::publish(&mut tx, a.tenant_id, a.user_id, a.website_id)
        .await
        .expect("publish")
        .deployment_id;
    app::db::publish::publish(&mut tx, a.tenant_id, a.user_id, a.website_id)
        .await
        .expect("publish again");
    tx.commit().await.expect("commit");
    let path = pattern
        .replace("{website_id}", &a.website_id.to_string())
        .replace("{page_id}", &page.id.to_string())
        .replace("{component_id}", &block.id.to_string());
    let content_rev = Some(format!("\"{}\"", content.revision));
    let settings_rev = Some(format!("\"{}\"", info.settings_revision));
    match (method, pattern) {
        ("post", p) if p.ends_with("/pages") => (
            path,
            None,
            Some(json!({ "title": "New", "slug": format!("/{}", unique("n-")) })),
        ),
        ("patch", "/api/v1/pages/{page_id}") => {
            (path, settings_rev, Some(json!({ "title": "Renamed" })))
        }
        ("delete", "/api/v1/pages/{page_id}") => (path, settings_rev, None),
        ("post", p) if p.ends_with("/components") => (
            path,
            content_rev,
            Some(json!({
                "block": {
                    "id": Uuid::new_v4(),
                    "block": app::model::BlockProps::starter(ComponentKind::Cta),
                    "is_visible": true,
                    "is_locked": false
                }
            })),
        ),
        ("put", _) => (
            path,
            content_rev,
            Some(serde_json::to_value(&block.block).expect("block")),
        ),
        ("patch", _) => (path, content_rev, Some(json!({ "is_visible": false }))),
        ("delete", _) => (path, content_rev, None),
        ("post", p) if p.ends_with("/publish") => (path, None, Some(json!({ "notes": "API" }))),
        ("post", p) if p.ends_with("/rollback") => {
            (path, None, Some(json!({ "deployment_id": deployment })))
        }
        _ => (path, None, None),
    }
}

pub(crate) async fn call(
    router: &Router,
    method: &str,
    key: Option<&str>,
    (path, tag, body): &(String, Option<String>, Option<Value>),
) -> Raw {
    let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
    let headers: Vec<(&str, &str)> = tag.iter().map(|t| ("if-match", t.as_str())).collect();
    api(router, m, path, key, &headers, body.as_ref()).await
}

#[tokio::test]
async fn every_api_route_is_in_the_matrix() {
    let mut listed: Vec<(&str, &str)> = table().iter().map(|(m, p, ..)| (*m, *p)).collect();
    let mut routes: Vec<(&str, &str)> = ROUTES.to_vec();
    listed.sort();
    routes.sort();
    assert_eq!(listed, routes);
}

#[tokio::test]
async fn each_role_key_gets_exactly_what_its_scopes_and_role_allow() {
    let pool = pool().await;
    let router = router(pool.clone());
    let mut failures = Vec::new();
    for (method, pattern, scope, _) in table() {
        let t = tenant(&pool, "API Matrix").await;
        for c in &t.members {
            let scopes: Vec<ApiScope> = ApiScope::ALL
                .into_iter()
                .filter(|s| s.allowed_for(c.role))
                .collect();
            let key = key_for(&pool, t.account.tenant_id, c.user_id, &scopes).await;
            // A first use records the key's last use, so the fingerprint below sees only
            // what the call itself changes.
            api(
                &router,
                Method::GET,
                "/api/v1/websites",
                Some(&key),
                &[],
                None,
            )
            .await;
            let req = request_for(&pool, &t, method, pattern).await;
            let before = fingerprint(&pool, t.account.tenant_id).await;
            let r = call(&router, method, Some(&key), &req).await;
            let allowed = scope.allowed_for(c.role);
            let ok = if allowed {
                r.status.is_success()
            } else {
                r.status == StatusCode::FORBIDDEN
                    && fingerprint(&pool, t.account.tenant_id).await == before
            };
            if !ok {
                failures.push(format!(
                    "{method} {pattern} as {}: allowed={allowed}, got {} {}",
                    c.role.as_str(),
                    r.status,
                    r.text()
                ));
            }
        }
        // Another tenant's key: `tenancy::api_keys_never_reach_another_tenants_records`.
        // No key.
        let req = request_for(&pool, &t, method, pattern).await;
        let r = call(&router, method, None, &req).await;
        if r.status != StatusCode::UNAUTHORIZED {
            failures.push(format!("{method} {pattern} without a key: {}", r.status));
        }
    }
    assert!(
        failures.is_empty(),
        "API permission mismatches:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn malformed_bodies_and_ids_are_a_typed_400_and_change_nothing() {
    let pool = pool().await;
    let router = router(pool.clone());
    let t = tenant(&pool, "API Bad Bodies").await;
    let key = key_for(
        &pool,
        t.account.tenant_id,
        t.account.user_id,
        &ApiScope::ALL,
    )
    .await;
    api(
        &router,
        Method::GET,
        "/api/v1/websites",
        Some(&key),
        &[],
        None,
    )
    .await;
    let mut failures = Vec::new();
    let bad_bodies = [
        json!([1, 2]),
        json!({ "title": 5, "slug": [], "block": "x", "type": 1, "deployment_id": "nope", "is_visible": "yes" }),
        json!("text"),
    ];
    for (method, pattern, ..) in table() {
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let (path, tag, body) = request_for(&pool, &t, method, pattern).await;
        let headers: Vec<(&str, &str)> = tag.iter().map(|t| ("if-match", t.as_str())).collect();
        let before = fingerprint(&pool, t.account.tenant_id).await;
        if body.is_some() {
            for bad in &bad_bodies {
                let r = api(&router, m.clone(), &path, Some(&key), &headers, Some(bad)).await;
                let typed = serde_json::from_slice::<app::error::AppError>(&r.body).ok();
                if r.status != StatusCode::BAD_REQUEST
                    || !matches!(typed, Some(app::error::AppError::Invalid { .. }))
                {
                    failures.push(format!(
                        "{method} {pattern} with {bad}: {} {}",
                        r.status,
                        r.text()
                    ));
                }
            }
        }
        // An id that is not a UUID.
        if path.contains(&t.account.website_id.to_string()) || pattern.contains("{page_id}") {
            let broken = path
                .replace(&t.account.website_id.to_string(), "not-a-uuid")
                .replacen("/pages/", "/pages/x", 1);
            let r = api(
                &router,
                m.clone(),
                &broken,
                Some(&key),
                &headers,
                body.as_ref(),
            )
            .await;
            if r.status != StatusCode::BAD_REQUEST {
                failures.push(format!("{method} {broken}: {} {}", r.status, r.text()));
            }
        }
        if fingerprint(&pool, t.account.tenant_id).await != before {
            failures.push(format!("{method} {pattern}: a refused call changed rows"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
