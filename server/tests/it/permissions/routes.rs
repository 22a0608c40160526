//! The protected routes that are not server functions: the CSV export, the deployment
//! preview and the app's role-gated pages (server-rendered, so the refusal is in the HTML).
//! Each is fetched as every role, another tenant's owner and nobody. An app route missing
//! from the table fails the test, as a server function missing from `table()` does.

use app::model::Role;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::json;
use sqlx::PgPool;
use tower::ServiceExt;
use uuid::Uuid;

use super::fixtures::*;
use super::{matrix_router, Rule, Scope};
use crate::common::*;

/// How a route answers a refusal.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    /// A plain HTTP answer: 403 for a role, 404 for another tenant, `anonymous` for nobody.
    Http { anonymous: StatusCode },
    /// An app page: it renders (200) and a refusal shows as the page's error alert.
    Page,
}

/// Every route with `{website}`, `{deployment}`, `{page}` standing for the tenant's records.
fn route_table() -> Vec<(&'static str, Rule, Scope, Kind)> {
    use app::model::Role as R;
    use Kind::*;
    use Rule::*;
    use Scope::*;
    vec![
        (
            "/forms/export/{website}",
            Role(R::can_view_submissions),
            Record,
            Http {
                anonymous: StatusCode::UNAUTHORIZED,
            },
        ),
        (
            "/websites/{website}/orders.csv",
            Role(|_| true),
            Record,
            Http {
                anonymous: StatusCode::UNAUTHORIZED,
            },
        ),
        // The catalogue as CSV: every member reads the products.
        (
            "/websites/{website}/products.csv",
            Role(|_| true),
            Record,
            Http {
                anonymous: StatusCode::UNAUTHORIZED,
            },
        ),
        (
            "/backups/{backup}/download",
            Role(R::can_export_site),
            Record,
            Http {
                anonymous: StatusCode::UNAUTHORIZED,
            },
        ),
        (
            "/websites/{website}/export",
            Role(R::can_export_site),
            Record,
            Http {
                anonymous: StatusCode::UNAUTHORIZED,
            },
        ),
        (
            "/websites/{website}/export.zip",
            Role(R::can_export_site),
            Record,
            Http {
                anonymous: StatusCode::UNAUTHORIZED,
            },
        ),
        // The organisation's export zip: the owner only.
        (
            "/organisation/exports/{export}/download",
            Role(R::can_export_organisation),
            Record,
            Http {
                anonymous: StatusCode::UNAUTHORIZED,
            },
        ),
        // The realtime event stream of a website's page: every member who can see it.
        (
            "/events?website={website}&page={page}",
            Role(|_| true),
            Record,
            Http {
                anonymous: StatusCode::UNAUTHORIZED,
            },
        ),
        // The progress of an AI site generation: every member of the tenant may watch it.
        (
            "/ai/generations/{generation}/events",
            Role(|_| true),
            Record,
            Http {
                anonymous: StatusCode::UNAUTHORIZED,
            },
        ),
        ("/ai/generations/{generation}", Role(|_| true), Record, Page),
        (
            "/preview/deployments/{deployment}",
            Role(|_| true),
            Record,
            Http {
                anonymous: StatusCode::SEE_OTHER,
            },
        ),
        (
            "/preview/deployments/{deployment}/menu",
            Role(|_| true),
            Record,
            Http {
                anonymous: StatusCode::SEE_OTHER,
            },
        ),
        // Template previews: every member; a private template of another tenant is not found.
        (
            "/preview/templates/{template}/",
            Role(|_| true),
            Record,
            Http {
                anonymous: StatusCode::SEE_OTHER,
            },
        ),
        (
            "/preview/templates/restaurant/menu",
            Role(|_| true),
            OwnTenant,
            Http {
                anonymous: StatusCode::SEE_OTHER,
            },
        ),
        ("/dashboard", Role(|_| true), OwnTenant, Page),
        ("/billing", Role(R::can_manage_billing), OwnTenant, Page),
        ("/builder/{page}", Role(|_| true), Record, Page),
        ("/analytics", Role(R::can_view_analytics), OwnTenant, Page),
        // Another tenant's site id is ignored: the page falls back to the caller's own site.
        (
            "/analytics?site={website}",
            Role(R::can_view_analytics),
            OwnTenant,
            Page,
        ),
        ("/forms", Role(R::can_view_submissions), OwnTenant, Page),
        // Every member browses the media library; the upload controls follow can_manage_assets.
        ("/media", Role(|_| true), OwnTenant, Page),
        ("/team", Role(R::can_view_team), OwnTenant, Page),
        ("/audit", Role(R::can_view_audit), OwnTenant, Page),
        ("/settings", Role(R::can_edit_own_settings), OwnTenant, Page),
        // Every member sees a website's domain settings (the controls follow
        // `Role::can_manage_domains`).
        ("/websites/{website}/domain", Role(|_| true), Record, Page),
        (
            "/api-keys",
            Role(R::can_manage_integrations),
            OwnTenant,
            Page,
        ),
        // Secrets and the deliveries log (form submissions): owners and admins.
        (
            "/websites/{website}/webhooks",
            Role(R::can_manage_integrations),
            Record,
            Page,
        ),
        // Every member sees a website's settings (the controls follow the role flags of
        // `WebsiteSettings::for_role`).
        ("/websites/{website}/settings", Role(|_| true), Record, Page),
        // The catalogue: every member reads it (the controls follow `Role::can_manage_products`).
        ("/websites/{website}/products", Role(|_| true), Record, Page),
        // The shop's orders: every member reads them (the buttons follow `can_manage_products`).
        ("/websites/{website}/orders", Role(|_| true), Record, Page),
        // The discount codes: every member reads them (the form follows `can_manage_products`).
        (
            "/websites/{website}/promotions",
            Role(|_| true),
            Record,
            Page,
        ),
        // The category tree: every member reads it (the form follows `can_manage_products`).
        (
            "/websites/{website}/categories",
            Role(|_| true),
            Record,
            Page,
        ),
        // Public pages: anyone may open them.
        ("/", Session, OwnTenant, Page),
        ("/signup", Session, OwnTenant, Page),
        ("/login", Session, OwnTenant, Page),
        // The operator console's page: its sign-in form for anyone; everything behind it is a
        // staff server function (`Rule::Staff` in the function table).
        ("/staff", Session, OwnTenant, Page),
        ("/invite/{token}", Session, OwnTenant, Page),
        ("/forgot-password", Session, OwnTenant, Page),
        ("/reset-password/{token}", Session, OwnTenant, Page),
        ("/verify-email/{token}", Session, OwnTenant, Page),
    ]
}

// A tokio test: generating the route list renders `App`, whose shell-wide banner starts a
// resource on the async executor.
#[tokio::test]
async fn every_app_route_has_a_rule() {
    let listed: Vec<String> = route_table()
        .iter()
        .map(|(p, ..)| p.split('?').next().unwrap_or(p).to_string())
        .collect();
    let normal = |p: &str| {
        p.replace("{page_id}", "{page}")
            .replace(":page_id", "{page}")
            .replace(":token", "{token}")
            .replace(":website_id", "{website}")
            .replace("{website_id}", "{website}")
            .replace(":generation_id", "{generation}")
            .replace("{generation_id}", "{generation}")
    };
    let routes: Vec<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|r| normal(r.path()))
        .collect();
    assert!(routes.len() >= 10, "routes are generated: {routes:?}");
    let missing: Vec<&String> = routes.iter().filter(|r| !listed.contains(r)).collect();
    assert!(
        missing.is_empty(),
        "app routes without an entry in permissions::routes::route_table(): {missing:?}"
    );
}

struct Fetched {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

async fn fetch(router: &Router, path: &str, cookie: Option<&str>) -> Fetched {
    let mut req = Request::get(path).header(header::HOST, "127.0.0.1");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    // A page that never answers fails here, naming itself, instead of hanging the suite.
    let res = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        router
            .clone()
            .oneshot(req.body(Body::empty()).expect("request")),
    )
    .await
    .unwrap_or_else(|_| panic!("GET {path} did not answer within 30 s"))
    .expect("response");
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let event_stream = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v == "text/event-stream");
    if event_stream {
        // An event stream never ends: its first event (`hello`) is the content.
        let mut body = res.into_body();
        let frame = tokio::time::timeout(std::time::Duration::from_secs(10), body.frame())
            .await
            .unwrap_or_else(|_| panic!("GET {path}: no event within 10 s"));
        let text = frame
            .and_then(|f| f.ok())
            .and_then(|f| f.into_data().ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        return Fetched {
            status,
            location,
            body: text,
        };
    }
    let body = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        res.into_body().collect(),
    )
    .await
    .unwrap_or_else(|_| panic!("GET {path}: the body did not end within 30 s"))
    .expect("body")
    .to_bytes();
    Fetched {
        status,
        location,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// The text of the page's error alert (`LoadError`), if one is shown.
fn alert(body: &str) -> Option<String> {
    body.match_indices("class=\"app-error\">")
        .find_map(|(i, m)| {
            let rest = &body[i + m.len()..];
            let text = &rest[..rest.find('<').unwrap_or(rest.len())];
            (!text.trim().is_empty()).then(|| text.trim().to_string())
        })
}

/// The tenant's records the routes name: a deployment that includes a published "/menu" page.
struct Records {
    deployment: Uuid,
    backup: Uuid,
    template: Uuid,
    generation: Uuid,
    export: Uuid,
}

async fn records(router: &Router, pool: &PgPool, t: &Tenant) -> Records {
    let owner = t.owner().cookie.as_str();
    let a = &t.account;
    let r = call_json(
        router,
        "/api/pages/create",
        Some(owner),
        json!({ "website_id": a.website_id, "title": "Menu", "slug": "/menu" }),
    )
    .await;
    let created: app::model::PageCreated = r.json();
    let rev = created
        .overview
        .pages
        .iter()
        .find(|p| p.id == created.id)
        .map(|p| p.settings_revision)
        .expect("listed");
    let r = call_json(
        router,
        "/api/pages/update",
        Some(owner),
        json!({ "page_id": created.id, "base_revision": rev, "patch": { "status": "published" } }),
    )
    .await;
    assert!(r.status.is_success(), "publish the menu page: {}", r.text());
    let published: app::model::Published = call_json(
        router,
        "/api/websites/publish",
        Some(owner),
        json!({ "website_id": a.website_id }),
    )
    .await
    .json();
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let backup = app::db::site_backups::take(&mut tx, a.tenant_id, None, a.website_id, "manual")
        .await
        .expect("backup");
    tx.commit().await.expect("commit");
    let export = {
        let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
        let e = app::db::org_export::start(&mut tx, a.tenant_id, a.user_id)
            .await
            .expect("export");
        tx.commit().await.expect("commit");
        let registry = server::jobs::registry(&config(), pool).only(&[app::db::org_export::JOB]);
        server::jobs::run_due_for(pool, &registry, a.tenant_id).await;
        e.id
    };
    Records {
        export,
        deployment: published.deployment_id,
        backup,
        template: private_template(pool, a).await,
        generation: generation(pool, a).await,
    }
}

fn address(pattern: &str, t: &Tenant, r: &Records) -> String {
    pattern
        .replace("{website}", &t.account.website_id.to_string())
        .replace("{deployment}", &r.deployment.to_string())
        .replace("{backup}", &r.backup.to_string())
        .replace("{template}", &r.template.to_string())
        .replace("{page}", &t.account.home_page_id.to_string())
        .replace("{generation}", &r.generation.to_string())
        .replace("{export}", &r.export.to_string())
}

/// What an allowed fetch must show, so "allowed" means the content really came back.
fn content_ok(pattern: &str, f: &Fetched) -> bool {
    match pattern {
        p if p.starts_with("/forms/export") => {
            f.body.starts_with("received_at") || f.body.contains("visitor@example.com")
        }
        p if p.ends_with("/export.zip") || p.starts_with("/organisation/exports/") => {
            f.body.starts_with("PK")
        }
        p if p.ends_with("/orders.csv") => f.body.starts_with("Order,Placed ("),
        p if p.ends_with("/products.csv") => f.body.starts_with("Handle,Title,Status"),
        p if (p.starts_with("/websites/") && p.ends_with("/export"))
            || p.starts_with("/backups/") =>
        {
            f.body.contains("\"format\":\"sitepilot.website\"")
        }
        p if p.starts_with("/events") => f.body.contains("event: hello"),
        p if p.starts_with("/ai/generations/") && p.ends_with("/events") => {
            f.body.contains("event: generation")
        }
        p if p.starts_with("/preview/templates") => f.body.contains("Preview of the template"),
        p if p.starts_with("/preview") => f.body.contains("Preview of the deployment"),
        _ => alert(&f.body).is_none(),
    }
}

async fn check(
    router: &Router,
    pool: &PgPool,
    pattern: &str,
    allowed: fn(Role) -> bool,
    scope: Scope,
    kind: Kind,
) -> Vec<String> {
    let mut failures = Vec::new();
    let t = tenant(pool, "Route Cafe").await;
    let recs = records(router, pool, &t).await;
    let path = address(pattern, &t, &recs);
    for c in &t.members {
        let f = fetch(router, &path, Some(&c.cookie)).await;
        let role = c.role.as_str();
        let ok = match (allowed(c.role), kind) {
            (true, _) => f.status == StatusCode::OK && content_ok(pattern, &f),
            (false, Kind::Http { .. }) => f.status == StatusCode::FORBIDDEN,
            (false, Kind::Page) => f.status == StatusCode::OK && alert(&f.body).is_some(),
        };
        if !ok {
            failures.push(format!(
                "{path} as {role}: allowed={}, got {} alert={:?}",
                allowed(c.role),
                f.status,
                alert(&f.body)
            ));
        }
    }
    let other = tenant(pool, "Route Other").await;
    let f = fetch(router, &path, Some(&other.owner().cookie)).await;
    let ok = match (scope, kind) {
        (Scope::Record, Kind::Http { .. }) => f.status == StatusCode::NOT_FOUND,
        (Scope::Record, Kind::Page) => alert(&f.body).is_some(),
        (Scope::OwnTenant, _) => {
            f.status == StatusCode::OK && (alert(&f.body).is_none() == allowed(Role::Owner))
        }
    };
    if !ok {
        failures.push(format!(
            "{path} as another tenant's owner: got {} alert={:?}",
            f.status,
            alert(&f.body)
        ));
    }
    if let Some(m) = t
        .markers()
        .iter()
        .find(|m| f.body.contains(m.as_str()) && !path.contains(m.as_str()))
    {
        failures.push(format!("{path} as another tenant's owner leaked {m}"));
    }
    let f = fetch(router, &path, None).await;
    let ok = match kind {
        Kind::Http { anonymous } => {
            f.status == anonymous
                && (anonymous != StatusCode::SEE_OTHER || f.location.as_deref() == Some("/login"))
        }
        // The page asks the browser to go to the log-in page (a Location header).
        Kind::Page => f.location.as_deref() == Some("/login") && alert(&f.body).is_none(),
    };
    if !ok
        || t.markers()
            .iter()
            .any(|m| f.body.contains(m.as_str()) && !path.contains(m.as_str()))
    {
        failures.push(format!(
            "{path} without a session: got {} location={:?}",
            f.status, f.location
        ));
    }
    failures
}

#[tokio::test]
async fn each_role_gets_the_protected_routes_and_pages_role_rs_allows() {
    let pool = pool().await;
    let router = matrix_router(pool.clone()).await;
    let mut failures = Vec::new();
    for (pattern, rule, scope, kind) in route_table() {
        match rule {
            Rule::Role(allowed) => {
                failures.extend(check(&router, &pool, pattern, allowed, scope, kind).await)
            }
            // Public pages render for nobody, without an error.
            Rule::Session => {
                let f = fetch(&router, &pattern.replace("{token}", &"0".repeat(64)), None).await;
                if f.status != StatusCode::OK {
                    failures.push(format!("{pattern} anonymously: {}", f.status));
                }
            }
            Rule::Staff => unreachable!("no route is a staff function"),
        }
    }
    assert!(
        failures.is_empty(),
        "route permission mismatches:\n{}",
        failures.join("\n")
    );
}
