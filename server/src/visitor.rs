//! Visitor sites: the request's host (or the `/sites/{subdomain}` path form) picks a website,
//! whose live deployment snapshot is rendered to plain HTML. This path reads only snapshots,
//! through `app::db::system`, never the editable pages and components.

use std::net::IpAddr;
use std::sync::Arc;

use app::model::Snapshot;
use app::site::SiteAddress;
use app::state::AppState;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;

pub mod cache;
pub mod encoded;
pub mod forms;
pub(crate) mod headers;
mod live_payment;
mod products;
mod shop;

pub use shop::test_mode_payment;
mod protected;
pub mod split;
mod storefront;

use cache::{LiveSite, PageKey, Rendered, SiteState, VisitorCache};

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
    let name = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name.is_empty() || name == sites_domain || name.starts_with("app.") || name.starts_with('[')
    {
        return None;
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return None;
    }
    if let Some(label) = name
        .strip_suffix(sites_domain)
        .and_then(|s| s.strip_suffix('.'))
    {
        return (!label.is_empty() && !label.contains('.'))
            .then(|| SiteHost::Subdomain(label.to_string()));
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
    /// Absolute form of the site's root, for canonical URLs and the sitemap.
    base: String,
    cookies: Option<String>,
    accept_encoding: Option<axum::http::HeaderValue>,
    if_none_match: Option<axum::http::HeaderValue>,
    /// The raw `Host` header of a host-form GET/HEAD: its public pages are stored as ready
    /// responses under this key for [`split`]'s fast path.
    ready_host: Option<Box<str>>,
    ip: Option<IpAddr>,
    /// `Some` for a password form submission (POST).
    password: Option<String>,
    /// `Some` for a contact form submission (a POST carrying `_sp_form`): the posted pairs.
    form: Option<Vec<(String, String)>>,
    /// `Some` for a POST to one of the shop's paths (cart, checkout, order): the posted pairs.
    shop_form: Option<Vec<(String, String)>>,
    user_agent: Option<String>,
    /// The request's query string, kept by redirects.
    query: Option<String>,
}

impl Visit {
    fn address(&self) -> SiteAddress {
        SiteAddress {
            base: self.base.clone(),
            prefix: self.prefix.clone(),
        }
    }
}

/// A Host header value fit to appear in an absolute URL, else `fallback`.
fn clean_host(host: Option<&str>, fallback: &str) -> String {
    match host {
        Some(h)
            if !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:".contains(&b)) =>
        {
            h.to_ascii_lowercase()
        }
        _ => fallback.to_string(),
    }
}

fn header_text(req: &Request, name: header::HeaderName) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
}

/// Builds a [`Visit`]; for POST, reads the password or contact form. Other methods are refused.
async fn visit(
    site: SiteHost,
    path: String,
    prefix: String,
    base: String,
    req: Request,
) -> Result<Visit, Response> {
    let cookies = header_text(&req, header::COOKIE);
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let accept_encoding = req.headers().get(header::ACCEPT_ENCODING).cloned();
    let ready_host = (prefix.is_empty() && matches!(*req.method(), Method::GET | Method::HEAD))
        .then(|| {
            req.headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(Box::from)
        })
        .flatten();
    let ip = crate::http::client_ip::of(&req);
    let user_agent = header_text(&req, header::USER_AGENT);
    let query = req.uri().query().map(str::to_string);
    let posted = match *req.method() {
        Method::GET | Method::HEAD => None,
        Method::POST => Some(
            Form::<Vec<(String, String)>>::from_request(req, &())
                .await
                .map(|Form(f)| f)
                .unwrap_or_default(),
        ),
        _ => return Err(StatusCode::METHOD_NOT_ALLOWED.into_response()),
    };
    let (password, form, shop_form) = match posted {
        Some(pairs) if shop::is_shop_path(&path) => (None, None, Some(pairs)),
        Some(pairs) if pairs.iter().any(|(k, _)| k == app::model::FORM_ID_FIELD) => {
            (None, Some(pairs), None)
        }
        Some(pairs) => (
            Some(
                pairs
                    .into_iter()
                    .find(|(k, _)| k == "password")
                    .map(|(_, v)| v)
                    .unwrap_or_default(),
            ),
            None,
            None,
        ),
        None => (None, None, None),
    };
    Ok(Visit {
        site,
        path,
        prefix,
        base,
        cookies,
        accept_encoding,
        if_none_match,
        ready_host,
        ip,
        password,
        form,
        shop_form,
        user_agent,
        query,
    })
}

/// A request for a site host that [`split`]'s fast path could not answer: the site is
/// resolved (cache, else database) and the page rendered, stored or submitted to.
pub(crate) async fn on_site_host(
    state: &AppState,
    cache: Option<&VisitorCache>,
    site: SiteHost,
    req: Request,
) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    let path = req.uri().path().to_string();
    let fallback = match &site {
        SiteHost::Subdomain(s) => format!("{s}.{}", state.config.sites_domain),
        SiteHost::CustomDomain(d) => d.clone(),
    };
    // Host form: the site's address is https on whatever host the visitor used.
    let base = format!("https://{}", clean_host(host.as_deref(), &fallback));
    let res = match visit(site, path, String::new(), base, req).await {
        Ok(v) => serve(state, cache, v).await,
        Err(res) => res,
    };
    headers::secure(res)
}

/// `/sites/{subdomain}` and `/sites/{subdomain}/{*path}` on the app host, for use without DNS.
pub async fn by_path(
    State(state): State<AppState>,
    Path(params): Path<Vec<(String, String)>>,
    req: Request,
) -> Response {
    let sub = params
        .iter()
        .find(|(k, _)| k == "subdomain")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let rest = params
        .iter()
        .find(|(k, _)| k == "path")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let prefix = format!("/sites/{sub}");
    let cache = req.extensions().get::<Arc<VisitorCache>>().cloned();
    // Path form: the site lives at this very address on the app's host.
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string);
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    let base = format!(
        "{scheme}://{}{prefix}",
        clean_host(host.as_deref(), &state.config.sites_domain)
    );
    let res = match visit(
        SiteHost::Subdomain(sub),
        format!("/{rest}"),
        prefix,
        base,
        req,
    )
    .await
    {
        Ok(v) => serve(&state, cache.as_deref(), v).await,
        Err(res) => res,
    };
    headers::secure(res)
}

/// What the site key points at: from the cache when it can be trusted, else the database.
async fn resolve(
    state: &AppState,
    cache: Option<&VisitorCache>,
    site: &SiteHost,
) -> Result<(SiteState, bool), Response> {
    let key = match site {
        SiteHost::Subdomain(s) => format!("s:{s}"),
        SiteHost::CustomDomain(d) => format!("d:{d}"),
    };
    if let Some(hit) = cache.and_then(|c| c.host(&key)) {
        return Ok((hit, true));
    }
    let started = cache.map(VisitorCache::generation).unwrap_or(0);
    let found = match site {
        SiteHost::Subdomain(s) => app::db::system::visit_by_subdomain(&state.pool, s).await,
        SiteHost::CustomDomain(d) => app::db::system::visit_by_domain(&state.pool, d).await,
    };
    let row = match found {
        Ok(row) => row,
        Err(e) => {
            tracing::error!(error = %e, "visitor site lookup failed");
            return Err(headers::html(
                StatusCode::SERVICE_UNAVAILABLE,
                app::site::render_unavailable(),
            ));
        }
    };
    let state_of = match row {
        None => SiteState::Missing {
            website_id: None,
            tenant_id: None,
        },
        Some(r) if r.website_status == "suspended" || r.tenant_status == "suspended" => {
            SiteState::Suspended {
                website_id: r.website_id,
                tenant_id: r.tenant_id,
            }
        }
        // The whole organisation was deleted (its retention running): offline at once, with
        // the "not available" page, and back as it was if the owner cancels.
        Some(r) if r.tenant_status == "offboarded" => SiteState::Offline {
            website_id: r.website_id,
            tenant_id: r.tenant_id,
            deleted: false,
        },
        Some(r) if r.deleted => SiteState::Offline {
            website_id: r.website_id,
            tenant_id: r.tenant_id,
            deleted: true,
        },
        Some(app::db::system::SiteVisit {
            website_id,
            tenant_id,
            redirect_subdomain: Some(to),
            ..
        }) => SiteState::Redirect {
            website_id,
            tenant_id,
            subdomain: to.into(),
        },
        // Unpublished (a draft that keeps its live deployment) or archived.
        Some(r)
            if r.website_status == "archived"
                || (r.website_status == "draft" && r.deployment_id.is_some()) =>
        {
            SiteState::Offline {
                website_id: r.website_id,
                tenant_id: r.tenant_id,
                deleted: false,
            }
        }
        Some(r) => match (r.deployment_id, r.snapshot_json) {
            (Some(deployment_id), Some(json)) => match serde_json::from_value::<Snapshot>(json) {
                Ok(snapshot) => SiteState::Live(Arc::new(LiveSite {
                    website_id: r.website_id,
                    tenant_id: r.tenant_id,
                    deployment_id,
                    snapshot,
                })),
                Err(e) => {
                    tracing::error!(deployment = %deployment_id, error = %e, "snapshot does not parse");
                    return Err(headers::html(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        app::site::render_unavailable(),
                    ));
                }
            },
            _ => SiteState::Missing {
                website_id: Some(r.website_id),
                tenant_id: Some(r.tenant_id),
            },
        },
    };
    if let Some(c) = cache {
        c.store_host(key, state_of.clone(), started);
    }
    Ok((state_of, false))
}

/// The live deployment of `site`, through the cache when there is one (analytics beacons
/// resolve sites the same way pages do); `None` when it is not served.
pub(crate) async fn live_site(
    state: &AppState,
    cache: Option<&VisitorCache>,
    site: &SiteHost,
) -> Option<Arc<LiveSite>> {
    match resolve(state, cache, site).await {
        Ok((SiteState::Live(live), _)) => Some(live),
        _ => None,
    }
}

async fn serve(state: &AppState, cache: Option<&VisitorCache>, visit: Visit) -> Response {
    // Taken before the site is resolved: a ready response is stored only if no eviction
    // happened since, so it cannot outlive the deployment it was rendered from.
    let started = cache.map(VisitorCache::generation).unwrap_or(0);
    let (site, host_hit) = match resolve(state, cache, &visit.site).await {
        Ok(s) => s,
        Err(res) => return res,
    };
    let live = match site {
        SiteState::Live(live) => live,
        SiteState::Suspended { .. } => {
            return headers::html(StatusCode::FORBIDDEN, app::site::render_unavailable())
        }
        SiteState::Missing { .. } => return not_found("website"),
        SiteState::Offline { deleted, .. } => {
            let status = if deleted {
                StatusCode::GONE
            } else {
                StatusCode::NOT_FOUND
            };
            return headers::html(status, app::site::render_offline());
        }
        SiteState::Redirect { subdomain, .. } => {
            return redirect_to(state, &visit, &subdomain);
        }
    };
    let snapshot = &live.snapshot;
    let addr = visit.address();
    match visit.path.as_str() {
        "/robots.txt" => {
            return headers::text(
                "text/plain; charset=utf-8",
                app::site::seo::robots_txt(&addr),
            )
        }
        "/sitemap.xml" => {
            return headers::text(
                "application/xml; charset=utf-8",
                app::site::seo::sitemap_xml(snapshot, &addr),
            )
        }
        _ => {}
    }
    // The shop's cart, checkout and orders (per visitor, never cached).
    let shop_post = visit.shop_form.is_some();
    if let Some(res) = shop::route(state, &live, &visit).await {
        // A checkout or cancel moves stock: this instance's storefront pages of the site go at
        // once (the others hear migration 0053's notification).
        if shop_post {
            if let Some(c) = cache {
                c.evict_catalogue(Some(live.website_id));
            }
        }
        return res;
    }
    // The shop: `/products`, `/products/{slug}` and `/categories/{slug}`, read live (never from the page cache).
    if visit.form.is_none() && visit.password.is_none() {
        let shop = match visit.path.trim_end_matches('/') {
            "/products" => products::index(state, &live, &addr).await,
            p => match (p.strip_prefix("/products/"), p.strip_prefix("/categories/")) {
                (Some(slug), _) => products::serve(state, &live, &addr, slug).await,
                (_, Some(slug)) => products::category(state, &live, &addr, slug).await,
                _ => None,
            },
        };
        if let Some(res) = shop {
            return res;
        }
    }
    let Some(page) = snapshot.page(&visit.path) else {
        return not_found("page");
    };
    if visit.form.is_some() {
        return forms::submit(
            state,
            (live.tenant_id, live.website_id),
            snapshot,
            page,
            visit,
        )
        .await;
    }
    if page.password_protected {
        return protected::serve(
            state,
            (live.tenant_id, live.website_id),
            snapshot,
            page,
            visit,
        )
        .await;
    }
    if visit.password.is_some() {
        // A form posted to a page that is (now) public: just show the page.
        return protected::see_other(&protected::address(&visit.prefix, &page.slug));
    }
    let key = PageKey {
        deployment_id: live.deployment_id,
        base: addr.base.clone(),
        path: page.slug.clone(),
    };
    let (rendered, page_hit) = match cache.and_then(|c| c.page(&key)) {
        Some(r) => (r, true),
        None => {
            // Storefront blocks: the live catalogue, read now (after `started` was taken).
            let shelf =
                match storefront::shelf_for(state, (live.tenant_id, live.website_id), page, &addr)
                    .await
                {
                    Ok(s) => s,
                    Err(res) => return res,
                };
            let catalogue = shelf.is_some();
            let Some(html) = app::site::render_page(snapshot, &page.slug, &addr, shelf) else {
                return not_found("page");
            };
            // Deployments are immutable, so (deployment, address, path) identifies the bytes;
            // a storefront page adds a hash of its bytes, which change with the catalogue.
            let content = if catalogue {
                format!("-{:x}", fxhash(&html))
            } else {
                String::new()
            };
            let etag = format!(
                "\"{}-{:x}{content}\"",
                live.deployment_id.simple(),
                fxhash(&format!("{}{}", addr.base, page.slug))
            );
            let Ok(etag) = axum::http::HeaderValue::from_str(&etag) else {
                return headers::html(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    app::site::render_unavailable(),
                );
            };
            // Compressed here, once per deployment and page; requests only pick a form.
            let r = Rendered::new(live.website_id, live.tenant_id, html, etag);
            let r = Arc::new(if catalogue { r.showing_catalogue() } else { r });
            if let Some(c) = cache {
                if catalogue {
                    c.store_catalogue_page(key, Arc::clone(&r), started);
                } else {
                    c.store_page(key, Arc::clone(&r));
                }
            }
            (r, false)
        }
    };
    if let (Some(c), Some(host)) = (cache, visit.ready_host.as_deref()) {
        c.store_ready(host, &visit.path, Arc::clone(&rendered), started);
    }
    headers::page(
        &rendered,
        visit.accept_encoding.as_ref(),
        visit.if_none_match.as_ref(),
        host_hit && page_hit,
    )
}

/// A permanent redirect (308: the method and body are kept) from an old subdomain to the
/// website's current one, same path and query: `{scheme}://{new}.{sites domain}{:port}` in
/// the host form, `/sites/{new}/…` in the path form.
fn redirect_to(state: &AppState, visit: &Visit, subdomain: &str) -> Response {
    let path = if visit.path.starts_with('/') {
        visit.path.as_str()
    } else {
        "/"
    };
    let query = visit
        .query
        .as_deref()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let location = if visit.prefix.is_empty() {
        let scheme = if state.config.secure_cookies {
            "https"
        } else {
            "http"
        };
        // Keep the port the visitor used (local development, tests).
        let port = visit
            .base
            .rsplit_once(':')
            .map(|(_, p)| p)
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        format!(
            "{scheme}://{subdomain}.{}{port}{path}{query}",
            state.config.sites_domain
        )
    } else {
        let rest = if path == "/" { "" } else { path };
        format!("/sites/{subdomain}{rest}{query}")
    };
    match axum::http::HeaderValue::from_str(&location) {
        Ok(v) => {
            let mut res = StatusCode::PERMANENT_REDIRECT.into_response();
            res.headers_mut().insert(header::LOCATION, v);
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("public, max-age=3600"),
            );
            res
        }
        Err(_) => not_found("website"),
    }
}

pub(crate) fn not_found(what: &str) -> Response {
    headers::html(StatusCode::NOT_FOUND, app::site::render_not_found(what))
}

/// A small stable hash of the path for the ETag (FNV-1a).
fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_classified() {
        let d = "localhost";
        assert_eq!(classify_host("127.0.0.1:3000", d), None);
        assert_eq!(classify_host("localhost:3000", d), None);
        assert_eq!(
            classify_host("demo.localhost:3000", d),
            Some(SiteHost::Subdomain("demo".into()))
        );
        assert_eq!(
            classify_host("Demo.LocalHost", d),
            Some(SiteHost::Subdomain("demo".into()))
        );
        assert_eq!(classify_host("a.b.localhost", d), None);
        assert_eq!(
            classify_host("www.pizza.com", d),
            Some(SiteHost::CustomDomain("www.pizza.com".into()))
        );
        assert_eq!(classify_host("app.sitepilot.io", "sitepilot.io"), None);
    }
}
