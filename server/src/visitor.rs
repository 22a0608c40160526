//! Visitor sites: the request's host (or the `/sites/{subdomain}` path form) picks a website,
//! whose live deployment snapshot is rendered to plain HTML. This path reads only snapshots,
//! through `app::db::system`, never the editable pages and components.

use std::net::{IpAddr, SocketAddr};

use app::model::Snapshot;
use app::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequest, Path, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;

pub mod forms;
mod protected;

/// Which site a request addresses.
#[derive(Debug, PartialEq, Eq)]
pub enum SiteHost {
    Subdomain(String),
    CustomDomain(String),
}

/// Classifies a `Host` header. The app itself answers on the bare sites domain, loopback
/// addresses and any `app.` host; `{label}.{sites_domain}` is a subdomain site; any other
/// name is looked up as a custom domain.
pub fn classify_host(host: &str, sites_domain: &str) -> Option<SiteHost> {
    let name = host.rsplit_once(':').map_or(host, |(h, port)| if port.chars().all(|c| c.is_ascii_digit()) { h } else { host });
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name.is_empty() || name == sites_domain || name.starts_with("app.") || name.starts_with('[') {
        return None;
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return None;
    }
    if let Some(label) = name.strip_suffix(sites_domain).and_then(|s| s.strip_suffix('.')) {
        return (!label.is_empty() && !label.contains('.')).then(|| SiteHost::Subdomain(label.to_string()));
    }
    Some(SiteHost::CustomDomain(name))
}

/// One visitor request, as the renderer needs it.
struct Visit {
    site: SiteHost,
    /// The page's path within the site (`/`, `/about`).
    path: String,
    /// What the browser's address starts with before the page path: empty for a site host,
    /// `/sites/{subdomain}` for the path form.
    prefix: String,
    cookies: Option<String>,
    ip: Option<IpAddr>,
    /// `Some` for a password form submission (POST).
    password: Option<String>,
    /// `Some` for a contact form submission (a POST carrying `_sp_form`): the posted pairs.
    form: Option<Vec<(String, String)>>,
    user_agent: Option<String>,
}

/// Builds a [`Visit`]; for POST, reads the password or contact form. Other methods are refused.
async fn visit(site: SiteHost, path: String, prefix: String, req: Request) -> Result<Visit, Response> {
    let cookies = req.headers().get(header::COOKIE).and_then(|h| h.to_str().ok()).map(str::to_string);
    let ip = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let user_agent = req.headers().get(header::USER_AGENT).and_then(|h| h.to_str().ok()).map(str::to_string);
    let posted = match *req.method() {
        Method::GET | Method::HEAD => None,
        Method::POST => Some(Form::<Vec<(String, String)>>::from_request(req, &()).await.map(|Form(f)| f).unwrap_or_default()),
        _ => return Err(StatusCode::METHOD_NOT_ALLOWED.into_response()),
    };
    let (password, form) = match posted {
        Some(pairs) if pairs.iter().any(|(k, _)| k == app::model::FORM_ID_FIELD) => (None, Some(pairs)),
        Some(pairs) => (Some(pairs.into_iter().find(|(k, _)| k == "password").map(|(_, v)| v).unwrap_or_default()), None),
        None => (None, None),
    };
    Ok(Visit { site, path, prefix, cookies, ip, password, form, user_agent })
}

/// Middleware: requests for a site host are answered by the visitor renderer; everything
/// else goes on to the app. Static files under `/pkg/` and `/starter/` and the analytics
/// endpoints under `/_sp/` are shared.
pub async fn host_router(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    let path = req.uri().path().to_string();
    let site = host.as_deref().and_then(|h| classify_host(h, &state.config.sites_domain));
    match site {
        Some(site) if !path.starts_with("/pkg/") && !path.starts_with("/starter/") && !path.starts_with("/_sp/") => {
            match visit(site, path, String::new(), req).await {
                Ok(v) => serve(&state, v).await,
                Err(res) => res,
            }
        }
        _ => next.run(req).await,
    }
}

/// `/sites/{subdomain}` and `/sites/{subdomain}/{*path}` on the app host, for use without DNS.
pub async fn by_path(State(state): State<AppState>, Path(params): Path<Vec<(String, String)>>, req: Request) -> Response {
    let sub = params.iter().find(|(k, _)| k == "subdomain").map(|(_, v)| v.clone()).unwrap_or_default();
    let rest = params.iter().find(|(k, _)| k == "path").map(|(_, v)| v.as_str()).unwrap_or("");
    let prefix = format!("/sites/{sub}");
    match visit(SiteHost::Subdomain(sub), format!("/{rest}"), prefix, req).await {
        Ok(v) => serve(&state, v).await,
        Err(res) => res,
    }
}

async fn serve(state: &AppState, visit: Visit) -> Response {
    let found = match &visit.site {
        SiteHost::Subdomain(s) => app::db::system::site_by_subdomain(&state.pool, s).await,
        SiteHost::CustomDomain(d) => app::db::system::site_by_domain(&state.pool, d).await,
    };
    let live = match found {
        Ok(Some(live)) => live,
        Ok(None) => return not_found("website"),
        Err(_) => return (StatusCode::SERVICE_UNAVAILABLE, "Site temporarily unavailable").into_response(),
    };
    let snapshot: Snapshot = match serde_json::from_value(live.snapshot_json) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(deployment = %live.deployment_id, error = %e, "snapshot does not parse");
            return (StatusCode::INTERNAL_SERVER_ERROR, "Site unavailable").into_response();
        }
    };
    let Some(page) = snapshot.page(&visit.path) else {
        return not_found("page");
    };
    if visit.form.is_some() {
        return forms::submit(state, (live.tenant_id, live.website_id), &snapshot, page, visit).await;
    }
    if page.password_protected {
        return protected::serve(state, live.website_id, &snapshot, page, visit).await;
    }
    if visit.password.is_some() {
        // A form posted to a page that is (now) public: just show the page.
        return protected::see_other(&protected::address(&visit.prefix, &page.slug));
    }
    // Deployments are immutable, so (deployment, path) identifies the bytes.
    let etag = format!("\"{}-{:x}\"", live.deployment_id.simple(), fxhash(&visit.path));
    match app::site::render_page(&snapshot, &visit.path) {
        Some(html) => {
            let mut res = Html(html).into_response();
            let h = res.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&etag) {
                h.insert(header::ETAG, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=0, must-revalidate"));
            res
        }
        None => not_found("page"),
    }
}

pub(crate) fn not_found(what: &str) -> Response {
    let mut res = Response::new(Body::from(app::site::render_not_found(what)));
    *res.status_mut() = StatusCode::NOT_FOUND;
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    res
}

/// A small stable hash of the path for the ETag (FNV-1a).
fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_classified() {
        let d = "localhost";
        assert_eq!(classify_host("127.0.0.1:3000", d), None);
        assert_eq!(classify_host("localhost:3000", d), None);
        assert_eq!(classify_host("demo.localhost:3000", d), Some(SiteHost::Subdomain("demo".into())));
        assert_eq!(classify_host("Demo.LocalHost", d), Some(SiteHost::Subdomain("demo".into())));
        assert_eq!(classify_host("a.b.localhost", d), None);
        assert_eq!(classify_host("www.pizza.com", d), Some(SiteHost::CustomDomain("www.pizza.com".into())));
        assert_eq!(classify_host("app.sitepilot.io", "sitepilot.io"), None);
    }
}
