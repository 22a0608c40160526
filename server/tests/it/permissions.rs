//! The permission matrix, end to end: every server function in the table is called as each of
//! the five roles and as the owner of another tenant, and the answer must match `Role` in
//! `app/src/model/role.rs`. An allowed call must really succeed (its fixtures are fresh, see
//! `fixtures::body_for`); a refused call must be Forbidden (or NotFound for another tenant's
//! record) and leave the tenant's rows exactly as they were. A registered server function
//! missing from the table fails the test, so a new endpoint cannot ship without a stated rule.
//! Anonymous and session endpoints are checked in `session`, routes and pages in `routes`.

pub(crate) mod api_v1;
pub mod fixtures;
mod routes;
mod session;

use app::error::AppError;
use app::model::Role;
use axum::Router;
use sqlx::PgPool;

use crate::common::*;
use fixtures::*;

/// How an endpoint is checked.
pub enum Rule {
    /// Called here as every role: allowed exactly when the rule says so.
    Role(fn(Role) -> bool),
    /// Anonymous or any-session endpoints (sign-up, log-in, invite links, …): called in
    /// `permissions::session` with their own assertions.
    Session,
    /// The operator console (platform staff, outside every tenant): refused to every tenant
    /// role, to nobody and to a staff session without its second factor
    /// (`staff_functions_are_refused_to_every_tenant_role_and_without_a_second_factor`).
    Staff,
}

/// Whether the call names a record of the tenant (so another tenant must be refused), or
/// acts on the caller's own tenant (so another tenant's owner gets only its own data).
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Scope {
    Record,
    OwnTenant,
}

fn table() -> Vec<(&'static str, Rule, Scope)> {
    use app::model::Role as R;
    use Rule::*;
    use Scope::*;
    vec![
        ("/api/signup", Session, OwnTenant),
        ("/api/login", Session, OwnTenant),
        ("/api/logout", Session, OwnTenant),
        ("/api/me", Session, OwnTenant),
        ("/api/invite/state", Session, OwnTenant),
        ("/api/invite/accept", Session, OwnTenant),
        ("/api/forms/notices", Role(R::can_view_submissions), Record),
        (
            "/api/forms/set_notices",
            Role(R::can_view_submissions),
            Record,
        ),
        ("/api/auth/forgot", Session, OwnTenant),
        ("/api/auth/reset_state", Session, OwnTenant),
        ("/api/auth/reset", Session, OwnTenant),
        ("/api/auth/verify_email", Session, OwnTenant),
        (
            "/api/auth/email_status",
            Role(R::can_edit_own_settings),
            OwnTenant,
        ),
        (
            "/api/auth/resend_verification",
            Role(R::can_edit_own_settings),
            OwnTenant,
        ),
        ("/api/settings/theme", Session, OwnTenant),
        (
            "/api/settings/delete_account",
            Role(R::can_delete_own_account),
            OwnTenant,
        ),
        // The operator console: staff/me answers "signed out" to anyone without a staff
        // session, staff/login and staff/logout need none (`crate::staff` checks them).
        ("/api/staff/me", Session, OwnTenant),
        ("/api/staff/login", Session, OwnTenant),
        ("/api/staff/logout", Session, OwnTenant),
        ("/api/staff/verify", Staff, Record),
        ("/api/staff/search", Staff, Record),
        ("/api/staff/tenant", Staff, Record),
        ("/api/staff/suspend", Staff, Record),
        ("/api/staff/unsuspend", Staff, Record),
        ("/api/staff/extend_trial", Staff, Record),
        ("/api/staff/impersonate", Staff, Record),
        ("/api/staff/impersonate_end", Staff, Record),
        ("/api/websites", Role(|_| true), OwnTenant),
        ("/api/ai/status", Role(|_| true), OwnTenant),
        ("/api/ai/suggest-copy", Role(R::can_use_ai), Record),
        ("/api/ai/seo-optimize", Role(R::can_use_ai), Record),
        ("/api/ai/regenerate-section", Role(R::can_use_ai), Record),
        (
            "/api/ai/suggest-palette",
            Role(|r| r.can_use_ai() && r.can_change_branding()),
            Record,
        ),
        ("/api/ai/usage", Role(R::can_view_audit), OwnTenant),
        (
            "/api/ai/generate-site",
            Role(|r| r.can_use_ai() && r.can_edit_content()),
            OwnTenant,
        ),
        ("/api/ai/generation", Role(|_| true), Record),
        (
            "/api/ai/generate-page",
            Role(|r| r.can_use_ai() && r.can_edit_content()),
            Record,
        ),
        ("/api/ai/cancel-generation", Role(R::can_use_ai), Record),
        ("/api/assets/list", Role(|_| true), OwnTenant),
        ("/api/assets/update", Role(R::can_manage_assets), Record),
        ("/api/assets/delete", Role(R::can_manage_assets), Record),
        ("/api/websites/create", Role(R::can_edit_content), OwnTenant),
        ("/api/websites/import", Role(R::can_edit_content), OwnTenant),
        ("/api/websites/duplicate", Role(R::can_edit_content), Record),
        ("/api/pages/duplicate", Role(R::can_edit_content), Record),
        ("/api/templates/list", Role(|_| true), OwnTenant),
        (
            "/api/templates/create_site",
            Role(R::can_edit_content),
            OwnTenant,
        ),
        ("/api/templates/save", Role(R::can_manage_templates), Record),
        (
            "/api/templates/delete",
            Role(R::can_manage_templates),
            Record,
        ),
        ("/api/backups/list", Role(R::can_export_site), Record),
        ("/api/backups/create", Role(R::can_edit_content), Record),
        ("/api/backups/restore", Role(R::can_edit_content), Record),
        ("/api/websites/publish", Role(R::can_publish), Record),
        (
            "/api/websites/branding",
            Role(R::can_change_branding),
            Record,
        ),
        ("/api/websites/deployments", Role(|_| true), Record),
        ("/api/websites/domain", Role(|_| true), Record),
        (
            "/api/websites/domain/add",
            Role(R::can_manage_domains),
            Record,
        ),
        (
            "/api/websites/domain/remove",
            Role(R::can_manage_domains),
            Record,
        ),
        (
            "/api/websites/domain/check",
            Role(R::can_manage_domains),
            Record,
        ),
        ("/api/websites/rollback", Role(R::can_publish), Record),
        (
            "/api/api_keys/list",
            Role(R::can_manage_integrations),
            OwnTenant,
        ),
        (
            "/api/api_keys/create",
            Role(R::can_manage_integrations),
            OwnTenant,
        ),
        (
            "/api/api_keys/revoke",
            Role(R::can_manage_integrations),
            Record,
        ),
        ("/api/commerce/products", Role(|_| true), Record),
        ("/api/storefront/shelf", Role(|_| true), Record),
        ("/api/commerce/product", Role(|_| true), Record),
        (
            "/api/commerce/product/create",
            Role(R::can_manage_products),
            Record,
        ),
        (
            "/api/commerce/product/update",
            Role(R::can_manage_products),
            Record,
        ),
        (
            "/api/commerce/product/delete",
            Role(R::can_manage_products),
            Record,
        ),
        (
            "/api/commerce/products/status",
            Role(R::can_manage_products),
            Record,
        ),
        (
            "/api/commerce/products/import",
            Role(R::can_manage_products),
            Record,
        ),
        ("/api/commerce/categories", Role(|_| true), Record),
        (
            "/api/commerce/category/save",
            Role(R::can_manage_products),
            Record,
        ),
        (
            "/api/commerce/category/delete",
            Role(R::can_manage_products),
            Record,
        ),
        (
            "/api/commerce/category/move",
            Role(R::can_manage_products),
            Record,
        ),
        ("/api/commerce/orders", Role(|_| true), Record),
        ("/api/commerce/promotions", Role(|_| true), Record),
        (
            "/api/commerce/promotion/create",
            Role(R::can_manage_products),
            Record,
        ),
        (
            "/api/commerce/promotion/active",
            Role(R::can_manage_products),
            Record,
        ),
        ("/api/commerce/promotion", Role(|_| true), Record),
        (
            "/api/commerce/promotion/update",
            Role(R::can_manage_products),
            Record,
        ),
        (
            "/api/commerce/promotion/delete",
            Role(R::can_manage_products),
            Record,
        ),
        (
            "/api/commerce/order/status",
            Role(R::can_manage_products),
            Record,
        ),
        (
            "/api/commerce/order/refund",
            Role(R::can_refund_orders),
            Record,
        ),
        (
            "/api/webhooks/overview",
            Role(R::can_manage_integrations),
            Record,
        ),
        (
            "/api/webhooks/add",
            Role(R::can_manage_integrations),
            Record,
        ),
        (
            "/api/webhooks/delete",
            Role(R::can_manage_integrations),
            Record,
        ),
        (
            "/api/webhooks/enable",
            Role(R::can_manage_integrations),
            Record,
        ),
        (
            "/api/webhooks/resend",
            Role(R::can_manage_integrations),
            Record,
        ),
        ("/api/websites/settings", Role(|_| true), Record),
        ("/api/websites/rename", Role(R::can_change_branding), Record),
        (
            "/api/websites/deleted",
            Role(R::can_delete_website),
            OwnTenant,
        ),
        (
            "/api/websites/undelete",
            Role(R::can_delete_website),
            Record,
        ),
        (
            "/api/websites/favicon",
            Role(R::can_change_branding),
            Record,
        ),
        (
            "/api/websites/seo_defaults",
            Role(R::can_change_branding),
            Record,
        ),
        (
            "/api/websites/subdomain",
            Role(R::can_manage_website),
            Record,
        ),
        (
            "/api/websites/analytics",
            Role(R::can_manage_website),
            Record,
        ),
        (
            "/api/websites/unpublish",
            Role(R::can_manage_website),
            Record,
        ),
        (
            "/api/websites/republish",
            Role(R::can_manage_website),
            Record,
        ),
        ("/api/websites/archive", Role(R::can_manage_website), Record),
        ("/api/websites/restore", Role(R::can_manage_website), Record),
        ("/api/websites/delete", Role(R::can_delete_website), Record),
        ("/api/analytics/report", Role(R::can_view_analytics), Record),
        ("/api/builder/load", Role(|_| true), Record),
        ("/api/builder/update", Role(R::can_edit_content), Record),
        ("/api/builder/insert", Role(R::can_edit_content), Record),
        ("/api/builder/paste", Role(R::can_edit_content), Record),
        ("/api/global-blocks/list", Role(|_| true), OwnTenant),
        ("/api/global-blocks/uses", Role(|_| true), Record),
        (
            "/api/global-blocks/create",
            Role(R::can_edit_content),
            Record,
        ),
        (
            "/api/global-blocks/insert",
            Role(R::can_edit_content),
            Record,
        ),
        (
            "/api/global-blocks/update",
            Role(R::can_edit_content),
            Record,
        ),
        (
            "/api/global-blocks/detach",
            Role(R::can_edit_content),
            Record,
        ),
        (
            "/api/global-blocks/delete",
            Role(R::can_edit_content),
            Record,
        ),
        ("/api/builder/move", Role(R::can_edit_content), Record),
        ("/api/builder/delete", Role(R::can_edit_content), Record),
        ("/api/builder/flags", Role(R::can_edit_content), Record),
        ("/api/builder/autosave", Role(R::can_edit_content), Record),
        // Presence: every member who can open the page (viewers look at pages too).
        ("/api/builder/presence", Role(|_| true), Record),
        ("/api/pages/list", Role(|_| true), Record),
        ("/api/pages/create", Role(R::can_edit_content), Record),
        ("/api/pages/update", Role(R::can_edit_content), Record),
        ("/api/pages/move", Role(R::can_edit_content), Record),
        ("/api/pages/set_home", Role(R::can_edit_content), Record),
        ("/api/pages/password", Role(R::can_edit_content), Record),
        ("/api/pages/delete", Role(R::can_edit_content), Record),
        ("/api/versions/save", Role(R::can_edit_content), Record),
        ("/api/versions/list", Role(|_| true), Record),
        ("/api/versions/preview", Role(|_| true), Record),
        ("/api/versions/restore", Role(R::can_edit_content), Record),
        ("/api/forms/list", Role(R::can_view_submissions), OwnTenant),
        ("/api/forms/get", Role(R::can_view_submissions), Record),
        ("/api/forms/mark", Role(R::can_view_submissions), Record),
        (
            "/api/billing/overview",
            Role(R::can_manage_billing),
            OwnTenant,
        ),
        ("/api/billing/status", Role(|_| true), OwnTenant),
        (
            "/api/billing/invoices",
            Role(R::can_manage_billing),
            OwnTenant,
        ),
        (
            "/api/billing/test_change",
            Role(R::can_manage_billing),
            OwnTenant,
        ),
        (
            "/api/billing/test_cancel",
            Role(R::can_manage_billing),
            OwnTenant,
        ),
        (
            "/api/billing/restore_website",
            Role(R::can_manage_billing),
            Record,
        ),
        ("/api/team/overview", Role(R::can_view_team), OwnTenant),
        ("/api/team/invite", Role(R::can_manage_team), OwnTenant),
        ("/api/team/resend", Role(R::can_manage_team), Record),
        ("/api/team/revoke", Role(R::can_manage_team), Record),
        ("/api/team/role", Role(R::can_manage_team), Record),
        ("/api/team/active", Role(R::can_manage_team), Record),
        ("/api/audit/list", Role(R::can_view_audit), OwnTenant),
        (
            "/api/settings/get",
            Role(R::can_edit_own_settings),
            OwnTenant,
        ),
        (
            "/api/settings/profile",
            Role(R::can_edit_own_settings),
            OwnTenant,
        ),
        (
            "/api/settings/password",
            Role(R::can_edit_own_settings),
            OwnTenant,
        ),
        (
            "/api/settings/preferences",
            Role(R::can_edit_own_settings),
            OwnTenant,
        ),
        (
            "/api/settings/logout_everywhere",
            Role(R::can_edit_own_settings),
            OwnTenant,
        ),
        ("/api/org/get", Role(|_| true), OwnTenant),
        (
            "/api/org/update",
            Role(R::can_manage_organisation),
            OwnTenant,
        ),
        ("/api/org/onboarding", Role(|_| true), OwnTenant),
        (
            "/api/org/onboarding_dismiss",
            Role(R::can_transfer_ownership),
            OwnTenant,
        ),
        (
            "/api/org/transfer_state",
            Role(R::can_transfer_ownership),
            OwnTenant,
        ),
        (
            "/api/org/transfer_start",
            Role(R::can_transfer_ownership),
            Record,
        ),
        (
            "/api/org/transfer_cancel",
            Role(R::can_transfer_ownership),
            OwnTenant,
        ),
        (
            "/api/org/transfer_confirm",
            Role(R::can_accept_ownership),
            Record,
        ),
        (
            "/api/org/export_start",
            Role(R::can_export_organisation),
            OwnTenant,
        ),
        (
            "/api/org/export_latest",
            Role(R::can_export_organisation),
            OwnTenant,
        ),
        ("/api/org/delete", Role(R::can_delete_tenant), OwnTenant),
        (
            "/api/org/deletion_cancel",
            Role(R::can_delete_tenant),
            OwnTenant,
        ),
        (
            "/api/billing/test_invoice",
            Role(R::can_manage_billing),
            OwnTenant,
        ),
        (
            "/api/billing/checkout",
            Role(R::can_manage_billing),
            OwnTenant,
        ),
        (
            "/api/billing/portal",
            Role(R::can_manage_billing),
            OwnTenant,
        ),
        ("/api/ai/top-up", Role(R::can_manage_billing), OwnTenant),
        ("/api/shop/payments", Role(R::can_manage_billing), OwnTenant),
        (
            "/api/shop/payments/connect",
            Role(R::can_manage_billing),
            OwnTenant,
        ),
    ]
}

#[test]
fn every_registered_server_function_has_a_rule() {
    // Building the router registers the server functions.
    let paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .collect();
    assert!(
        paths.len() > 20,
        "server functions are registered: {paths:?}"
    );
    let listed: Vec<&str> = table().iter().map(|(p, _, _)| *p).collect();
    let missing: Vec<&String> = paths
        .iter()
        .filter(|p| !listed.contains(&p.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "server functions without an entry in permissions::table(): {missing:?}"
    );
    let stale: Vec<&&str> = listed
        .iter()
        .filter(|p| !paths.iter().any(|q| q == *p))
        .collect();
    assert!(
        stale.is_empty(),
        "entries in permissions::table() that are not server functions: {stale:?}"
    );
}

/// The router with billing test mode on, so the test-mode plan changes are callable too, and
/// with the Stripe API pointed at the local stand-in (`stripe_api::stand_in`), so checkout and
/// the portal can succeed for the roles allowed to call them.
pub async fn matrix_router(pool: PgPool) -> Router {
    let (_stand_in, base) = crate::stripe_api::stand_in().await;
    // The AI actions answer from the local provider stand-in (valid tool calls).
    let (_ai, ai_addr) = crate::ai_standin::AiStandIn::start().await;
    let config = server::ServerConfig {
        ai: Some(crate::ai::settings(
            server::ai::Provider::Anthropic,
            ai_addr,
        )),
        stripe_secret_key: Some(crate::stripe_api::SECRET_KEY.into()),
        stripe_api_base: base,
        billing_test_mode: true,
        // "Check now" asks a port where nothing listens: refused at once, recorded as an error.
        dns_server: Some("127.0.0.1:9".parse().expect("addr")),
        ..config()
    };
    build(&config, pool)
}

/// Refused means Forbidden (or, for a record of another tenant, NotFound).
fn refused(reply: &Reply) -> bool {
    !reply.status.is_success()
        && matches!(
            reply.error(),
            AppError::Forbidden(_) | AppError::NotFound(_)
        )
}

/// Checks one endpoint as every role, another tenant's owner and nobody; returns the mismatches.
async fn check(
    router: &Router,
    pool: &PgPool,
    path: &str,
    allowed: fn(Role) -> bool,
    scope: Scope,
) -> Vec<String> {
    let mut failures = Vec::new();
    let t = tenant(pool, "Perm Cafe").await;
    for caller in &t.members {
        let body = body_for(router, pool, &t, path, Some(caller)).await;
        let before = fingerprint(pool, t.account.tenant_id).await;
        let reply = call(router, path, Some(&caller.cookie), body).await;
        let role = caller.role.as_str();
        if allowed(caller.role) {
            if !reply.status.is_success() {
                failures.push(format!(
                    "{path} as {role}: expected success, got {} {}",
                    reply.status,
                    reply.text()
                ));
            }
        } else if reply.status.is_success() || !matches!(reply.error(), AppError::Forbidden(_)) {
            failures.push(format!(
                "{path} as {role}: expected Forbidden, got {} {}",
                reply.status,
                reply.text()
            ));
        } else if fingerprint(pool, t.account.tenant_id).await != before {
            failures.push(format!(
                "{path} as {role}: refused, yet the tenant's rows changed"
            ));
        }
    }

    // Another tenant's owner: refused on this tenant's records; on its own tenant it gets the
    // owner's answer, and either way never this tenant's data, and this tenant is untouched.
    let other = tenant(pool, "Perm Other").await;
    let intruder = other.owner().clone();
    let body = match scope {
        Scope::Record => body_for(router, pool, &t, path, Some(&intruder)).await,
        Scope::OwnTenant => body_for(router, pool, &other, path, Some(&intruder)).await,
    };
    let before = fingerprint(pool, t.account.tenant_id).await;
    let reply = call(router, path, Some(&intruder.cookie), body).await;
    match scope {
        Scope::Record if !refused(&reply) => failures.push(format!(
            "{path} from another tenant: expected NotFound/Forbidden, got {} {}",
            reply.status,
            reply.text()
        )),
        Scope::OwnTenant if reply.status.is_success() != allowed(Role::Owner) => {
            failures.push(format!(
                "{path} as another tenant's owner on its own tenant: got {} {}",
                reply.status,
                reply.text()
            ))
        }
        _ => {}
    }
    let text = reply.text();
    if let Some(m) = t.markers().iter().find(|m| text.contains(m.as_str())) {
        failures.push(format!("{path} from another tenant leaked {m}: {text}"));
    }
    if fingerprint(pool, t.account.tenant_id).await != before {
        failures.push(format!(
            "{path} from another tenant changed this tenant's rows"
        ));
    }

    let anonymous = call(
        router,
        path,
        None,
        body_for(router, pool, &t, path, None).await,
    )
    .await;
    if anonymous.status.is_success() || !matches!(anonymous.error(), AppError::Unauthorized) {
        failures.push(format!(
            "{path} without a session: expected Unauthorized, got {} {}",
            anonymous.status,
            anonymous.text()
        ));
    }
    failures
}

#[tokio::test]
async fn each_role_and_another_tenant_is_allowed_or_refused_as_role_rs_says() {
    let pool = pool().await;
    let router = matrix_router(pool.clone()).await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for (path, rule, scope) in table() {
        let Rule::Role(allowed) = rule else { continue };
        failures.extend(check(&router, &pool, path, allowed, scope).await);
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} endpoints were called");
    assert!(
        failures.is_empty(),
        "permission mismatches:\n{}",
        failures.join("\n")
    );
}

/// Every operator-console function, called by each tenant role (their session cookie, and
/// their session token put in the staff cookie), by nobody, and by a staff session that passed
/// the password but not the TOTP code: always `Unauthorized`, and the tenant untouched.
#[tokio::test]
async fn staff_functions_are_refused_to_every_tenant_role_and_without_a_second_factor() {
    let pool = pool().await;
    let router = matrix_router(pool.clone()).await;
    let t = tenant(&pool, "Perm Staff").await;
    let half = crate::staff::password_only_session(&router).await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for (path, rule, _) in table() {
        let Rule::Staff = rule else { continue };
        checked += 1;
        let mut cookies: Vec<(String, Option<String>)> = vec![("nobody".into(), None)];
        for m in &t.members {
            let token = m.cookie.trim_start_matches("sp_session=");
            cookies.push((m.role.as_str().into(), Some(m.cookie.clone())));
            cookies.push((
                format!("{} token as staff cookie", m.role.as_str()),
                Some(format!("sp_staff={token}")),
            ));
        }
        // staff/verify is the one call such a session makes (a wrong code: a field error).
        if path != "/api/staff/verify" {
            cookies.push(("staff without the second factor".into(), Some(half.clone())));
        }
        for (who, cookie) in cookies {
            let body = body_for(&router, &pool, &t, path, None).await;
            let before = fingerprint(&pool, t.account.tenant_id).await;
            let reply = call(&router, path, cookie.as_deref(), body).await;
            if reply.status.is_success() || !matches!(reply.error(), AppError::Unauthorized) {
                failures.push(format!(
                    "{path} as {who}: expected Unauthorized, got {} {}",
                    reply.status,
                    reply.text()
                ));
            } else if fingerprint(&pool, t.account.tenant_id).await != before {
                failures.push(format!("{path} as {who}: refused, yet the tenant changed"));
            }
        }
    }
    assert!(checked >= 8, "only {checked} staff functions were called");
    assert!(
        failures.is_empty(),
        "staff refusals:\n{}",
        failures.join("\n")
    );
}
