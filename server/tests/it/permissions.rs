//! The permission matrix, end to end: every server function in the table is called as each of
//! the five roles and as the owner of another tenant, and the answer must match `Role` in
//! `app/src/model/role.rs`. A registered server function missing from the table fails the test,
//! so a new endpoint cannot ship without a stated rule.

use app::error::AppError;
use app::model::Role;
use axum::Router;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::common::*;

/// How an endpoint is checked.
enum Rule {
    /// Called here as every role: allowed exactly when the rule says so.
    Role(fn(Role) -> bool),
    /// Not a member-scoped call (sign-up, log-in, invite links, …), or a call whose role rule
    /// is proven in the named test module; listed so the table stays complete.
    Elsewhere(#[allow(dead_code)] &'static str),
}

/// Whether the call names a record of the tenant (so another tenant must be refused), or
/// only reads the caller's own tenant (another tenant gets its own data).
#[derive(Clone, Copy, PartialEq)]
enum Scope {
    Record,
    OwnTenant,
}

fn table() -> Vec<(&'static str, Rule, Scope)> {
    use Rule::*;
    use Scope::*;
    vec![
        // Existing endpoints.
        ("/api/signup", Elsewhere("accounts: anonymous"), OwnTenant),
        ("/api/login", Elsewhere("accounts, audit: anonymous"), OwnTenant),
        ("/api/logout", Elsewhere("accounts"), OwnTenant),
        ("/api/me", Elsewhere("accounts: any session"), OwnTenant),
        ("/api/websites", Role(|_| true), OwnTenant),
        ("/api/websites/publish", Role(app::model::Role::can_publish), Record),
        ("/api/websites/branding", Role(app::model::Role::can_change_branding), Record),
        ("/api/builder/load", Role(|_| true), Record),
        ("/api/builder/update", Role(app::model::Role::can_edit_content), Record),
        ("/api/builder/insert", Elsewhere("builder"), Record),
        ("/api/builder/move", Elsewhere("builder"), Record),
        ("/api/builder/delete", Elsewhere("builder"), Record),
        ("/api/builder/flags", Elsewhere("builder"), Record),
        ("/api/builder/autosave", Elsewhere("builder"), Record),
        ("/api/pages/list", Role(|_| true), Record),
        ("/api/pages/create", Role(app::model::Role::can_edit_content), Record),
        ("/api/pages/update", Elsewhere("pages"), Record),
        ("/api/pages/move", Elsewhere("pages"), Record),
        ("/api/pages/set_home", Elsewhere("pages"), Record),
        ("/api/pages/password", Elsewhere("pages"), Record),
        ("/api/pages/delete", Role(app::model::Role::can_edit_content), Record),
        ("/api/versions/save", Elsewhere("versions"), Record),
        ("/api/versions/list", Role(|_| true), Record),
        ("/api/versions/preview", Elsewhere("versions"), Record),
        ("/api/versions/restore", Elsewhere("versions"), Record),
        // Team, audit, settings (issue 6).
        ("/api/analytics/report", Elsewhere("analytics: every role; the plan gates it"), Record),
        ("/api/websites/deployments", Role(|_| true), Record),
        ("/api/websites/rollback", Elsewhere("deployments"), Record),
        ("/api/forms/list", Role(app::model::Role::can_view_submissions), OwnTenant),
        ("/api/forms/get", Elsewhere("forms"), Record),
        ("/api/forms/mark", Elsewhere("forms"), Record),
        ("/api/billing/overview", Role(app::model::Role::can_manage_billing), OwnTenant),
        ("/api/billing/status", Role(|_| true), OwnTenant),
        ("/api/billing/test_change", Elsewhere("billing: owner only, test mode"), OwnTenant),
        ("/api/billing/test_cancel", Elsewhere("billing: owner only, test mode"), OwnTenant),
        ("/api/billing/restore_website", Elsewhere("billing"), Record),
        ("/api/billing/checkout", Elsewhere("stripe_api: owner only, needs Stripe keys"), OwnTenant),
        ("/api/billing/portal", Elsewhere("stripe_api: owner only, needs Stripe keys"), OwnTenant),
        ("/api/billing/test_invoice", Elsewhere("billing: owner only, test mode"), OwnTenant),
        ("/api/websites/create", Elsewhere("limits"), OwnTenant),
        ("/api/team/overview", Role(app::model::Role::can_view_team), OwnTenant),
        ("/api/team/invite", Role(app::model::Role::can_manage_team), OwnTenant),
        ("/api/team/resend", Role(app::model::Role::can_manage_team), Record),
        ("/api/team/revoke", Role(app::model::Role::can_manage_team), Record),
        ("/api/team/role", Role(app::model::Role::can_manage_team), Record),
        ("/api/team/active", Role(app::model::Role::can_manage_team), Record),
        ("/api/invite/state", Elsewhere("team: anonymous, the token is the key"), OwnTenant),
        ("/api/invite/accept", Elsewhere("team: anonymous, the token is the key"), OwnTenant),
        ("/api/audit/list", Role(app::model::Role::can_view_audit), OwnTenant),
        ("/api/settings/get", Role(app::model::Role::can_edit_own_settings), OwnTenant),
        ("/api/settings/theme", Elsewhere("settings: anonymous gets light"), OwnTenant),
        ("/api/settings/profile", Role(app::model::Role::can_edit_own_settings), OwnTenant),
        ("/api/settings/password", Role(app::model::Role::can_edit_own_settings), OwnTenant),
        ("/api/settings/preferences", Role(app::model::Role::can_edit_own_settings), OwnTenant),
    ]
}

#[test]
fn every_registered_server_function_has_a_rule() {
    // Building the router registers the server functions.
    let paths: Vec<String> = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_string()).collect();
    assert!(paths.len() > 20, "server functions are registered: {paths:?}");
    let listed: Vec<&str> = table().iter().map(|(p, _, _)| *p).collect();
    let missing: Vec<&String> = paths.iter().filter(|p| !listed.contains(&p.as_str())).collect();
    assert!(missing.is_empty(), "server functions without an entry in permissions::table(): {missing:?}");
}

const ROLES: [Role; 5] = [Role::Owner, Role::Admin, Role::Developer, Role::Editor, Role::Viewer];

/// A tenant on Pro (20 seats) with one member per role.
struct Tenant {
    account: app::db::accounts::NewAccount,
    cookies: Vec<(Role, String)>,
}

async fn tenant(pool: &PgPool, name: &str) -> Tenant {
    let account = account(pool, name).await;
    set_plan(pool, account.tenant_id, PRO).await;
    let mut cookies = vec![(Role::Owner, cookie_for(&account))];
    for role in &ROLES[1..] {
        cookies.push((*role, member_cookie(pool, &account, role.as_str()).await));
    }
    Tenant { account, cookies }
}

/// A request body naming fresh records of `t`, so each call has something to act on.
async fn body_for(router: &Router, pool: &PgPool, t: &Tenant, path: &str) -> Value {
    let a = &t.account;
    let owner = &t.cookies[0].1;
    let fresh_invitation = || async {
        let r = call_json(router, "/api/team/invite", Some(owner), json!({ "email": format!("{}@example.com", unique("perm-")), "role": "viewer" })).await;
        assert!(r.status.is_success(), "fixture invite: {}", r.text());
        r.json::<app::model::Invitation>().id
    };
    match path {
        "/api/websites" | "/api/team/overview" | "/api/settings/get" | "/api/billing/overview" | "/api/billing/status" => json!({}),
        "/api/websites/publish" => json!({ "website_id": a.website_id }),
        "/api/websites/branding" => json!({ "website_id": a.website_id, "branding": app::model::Branding::default() }),
        "/api/builder/load" => json!({ "page_id": a.home_page_id }),
        "/api/builder/update" => {
            let page = load_page(router, owner, a.home_page_id).await;
            let hero = page.components[1].clone();
            json!({ "page_id": a.home_page_id, "component_id": hero.id, "block": hero.block, "base_revision": page.revision })
        }
        "/api/pages/list" => json!({ "website_id": a.website_id }),
        "/api/pages/create" => json!({ "website_id": a.website_id, "title": "Perm", "slug": format!("/{}", unique("p-")) }),
        "/api/pages/delete" => {
            let r = call_json(router, "/api/pages/create", Some(owner), json!({ "website_id": a.website_id, "title": "Doomed", "slug": format!("/{}", unique("d-")) })).await;
            let created: app::model::PageCreated = r.json();
            let rev = created.overview.pages.iter().find(|p| p.id == created.id).map(|p| p.settings_revision).expect("page listed");
            json!({ "page_id": created.id, "base_revision": rev })
        }
        "/api/versions/list" => json!({ "page_id": a.home_page_id }),
        "/api/websites/deployments" => json!({ "website_id": a.website_id }),
        "/api/forms/list" => json!({ "unprocessed_only": false }),
        "/api/team/invite" => json!({ "email": format!("{}@example.com", unique("perm-")), "role": "editor" }),
        "/api/team/resend" | "/api/team/revoke" => json!({ "invitation_id": fresh_invitation().await }),
        "/api/team/role" => json!({ "user_id": member(pool, a, "editor", None).await.1, "role": "viewer" }),
        "/api/team/active" => json!({ "user_id": member(pool, a, "editor", None).await.1, "active": false }),
        "/api/audit/list" => json!({ "filter": { "page": 0 } }),
        "/api/settings/profile" => json!({ "full_name": "Perm Person", "avatar_url": "" }),
        // The fixture members have no real password: allowed callers get the field error.
        "/api/settings/password" => json!({ "current_password": "not-it-123", "new_password": "another-horse-9" }),
        "/api/settings/preferences" => json!({ "preferences": app::model::Preferences::default() }),
        other => panic!("no request body for {other}"),
    }
}

/// Calls `path` with `body`, form-encoded for the few server functions that take forms.
async fn call(router: &Router, path: &str, cookie: Option<&str>, body: Value) -> Reply {
    if matches!(path, "/api/websites" | "/api/builder/load" | "/api/billing/overview" | "/api/billing/status") {
        let pairs: Vec<(String, String)> = body
            .as_object()
            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_str().map(String::from).unwrap_or_else(|| v.to_string()))).collect())
            .unwrap_or_default();
        let form: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        return call_form(router, path, cookie, &form).await;
    }
    call_json(router, path, cookie, body).await
}

/// A malformed request proves nothing about permissions: the table's bodies must be right.
fn well_formed(reply: &Reply) -> bool {
    reply.status.is_success() || !matches!(reply.error(), AppError::Invalid { field, .. } if field == "request")
}

/// Refused means Forbidden (or, for a record of another tenant, NotFound); anything else is
/// the call going through (success, or a field error of an allowed caller).
fn refused(reply: &Reply) -> bool {
    !reply.status.is_success() && matches!(reply.error(), AppError::Forbidden(_) | AppError::NotFound(_) | AppError::Unauthorized)
}

#[tokio::test]
async fn each_role_is_allowed_or_refused_as_role_rs_says() {
    let pool = pool().await;
    let router = router(pool.clone());
    let other = tenant(&pool, "Perm Other").await;
    let mut failures = Vec::new();
    for (path, rule, scope) in table() {
        let Rule::Role(allowed) = rule else { continue };
        // A fresh tenant per endpoint keeps seats and page counts within the plan.
        let t = tenant(&pool, "Perm Cafe").await;
        for (role, cookie) in &t.cookies {
            let body = body_for(&router, &pool, &t, path).await;
            let reply = call(&router, path, Some(cookie), body).await;
            let expected = allowed(*role);
            if !well_formed(&reply) || refused(&reply) == expected {
                failures.push(format!("{path} as {}: expected {}, got {} {}", role.as_str(), if expected { "allowed" } else { "refused" }, reply.status, reply.text()));
            }
        }
        if scope == Scope::Record {
            let body = body_for(&router, &pool, &t, path).await;
            let reply = call(&router, path, Some(&other.cookies[0].1), body).await;
            if !refused(&reply) {
                failures.push(format!("{path} from another tenant's owner: expected refused, got {} {}", reply.status, reply.text()));
            }
        }
        let anonymous = call(&router, path, None, body_for(&router, &pool, &t, path).await).await;
        if !matches!(anonymous.error(), AppError::Unauthorized) {
            failures.push(format!("{path} without a session: {}", anonymous.text()));
        }
    }
    assert!(failures.is_empty(), "permission mismatches:\n{}", failures.join("\n"));
}
