//! Cookieless visitor analytics: the beacon script, the page-view endpoint and the
//! background rollup into `usage_metrics`.
//!
//! Both routes answer on every host, so a site's own domain, its subdomain and the
//! `/sites/{subdomain}/…` path form all post to the same origin (`/_sp/event`). Nothing here
//! sets or reads a cookie: the visitor id is sha256(daily salt, website, IP, User-Agent), and
//! the salt is random per UTC day and deleted after two (migration 0018).
//!
//! Abuse limits (issue 15 §3): an event is accepted only on the site's own host, or on the
//! app's host for the `/sites/{subdomain}` path form; a browser's `Origin` must name the host
//! posted to (403 otherwise); at most [`MAX_EVENTS_PER_CLIENT`] per client address and
//! [`MAX_EVENTS_PER_SITE`] per site a minute (429); and events are written in batches
//! ([`batch`]), never one transaction per request.

pub mod batch;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::db::analytics::{self as store, QueuedEvent};
use app::model::{is_crawler, referrer_source, Device};
use app::state::AppState;
use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use self::batch::Batcher;
use crate::rate_limit::SharedLimiter;

use crate::visitor::cache::{LiveSite, VisitorCache};
use crate::visitor::{classify_host, live_site, SiteHost};

const BEACON_JS: &str = include_str!("analytics/beacon.js");
/// A beacon body is two short strings; anything bigger is not ours.
const MAX_BODY: usize = 2048;

/// The beacon routes; events go to `batcher`.
pub fn routes(batcher: Arc<Batcher>, limits: Arc<BeaconLimits>) -> Router<AppState> {
    Router::new()
        .route(app::site::BEACON_SCRIPT, get(script))
        .route("/_sp/event", post(event))
        .layer(axum::Extension(batcher))
        .layer(axum::Extension(limits))
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        BEACON_JS,
    )
}

#[derive(Deserialize)]
struct Beacon {
    /// `location.pathname` of the page viewed.
    p: String,
    /// `document.referrer`.
    #[serde(default)]
    r: String,
}

/// Records one page view. Answers 204 whether or not it was counted (unknown site or page,
/// crawler, analytics off): the beacon has nothing to do with the answer. 400 for a body that
/// is not a beacon, 403 when the page posting it is not on the host posted to, 429 over a
/// limit.
async fn event(State(state): State<AppState>, req: Request) -> StatusCode {
    if !same_origin(&req) {
        return StatusCode::FORBIDDEN;
    }
    let Some(limits) = req.extensions().get::<Arc<BeaconLimits>>().cloned() else {
        tracing::warn!("page view not recorded: no limits on the beacon route");
        return StatusCode::NO_CONTENT;
    };
    if let Some(ip) = crate::http::client_ip::of(&req) {
        if !limits.per_client.allow(ip) {
            return StatusCode::TOO_MANY_REQUESTS;
        }
    }
    let (host, user_agent, ip) = request_facts(&req);
    let cache = req.extensions().get::<Arc<VisitorCache>>().cloned();
    let batcher = req.extensions().get::<Arc<Batcher>>().cloned();
    let Ok(body) = to_bytes(req.into_body(), MAX_BODY).await else {
        return StatusCode::PAYLOAD_TOO_LARGE;
    };
    let Ok(beacon) = serde_json::from_slice::<Beacon>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    if !beacon.p.starts_with('/') || beacon.p.len() > 512 || beacon.r.len() > 1024 {
        return StatusCode::BAD_REQUEST;
    }
    if is_crawler(&user_agent) {
        return StatusCode::NO_CONTENT;
    }
    let app_host = origin_host(&state.config.public_origin).unwrap_or_default();
    let Some((site, path)) = site_and_path(&host, &beacon.p, &state.config.sites_domain, app_host)
    else {
        return StatusCode::NO_CONTENT;
    };
    let Some(live) = live_site(&state, cache.as_deref(), &site).await else {
        return StatusCode::NO_CONTENT;
    };
    if !limits.per_site.allow(live.website_id) {
        return StatusCode::TOO_MANY_REQUESTS;
    }
    let Some(batcher) = batcher else {
        tracing::warn!("page view not recorded: no batcher on the beacon route");
        return StatusCode::NO_CONTENT;
    };
    match queued(
        &state.pool,
        &live,
        &path,
        &host,
        &beacon.r,
        &ip,
        &user_agent,
    )
    .await
    {
        Ok(Some(event)) => {
            if !batcher.push(event) {
                tracing::warn!("page view dropped: the analytics queue is full");
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "page view not recorded"),
    }
    StatusCode::NO_CONTENT
}

/// Beacon events one client address may send per minute (a visitor views a few pages).
pub const MAX_EVENTS_PER_CLIENT: u32 = 120;
/// Beacon events one site may record per minute, whoever sends them.
pub const MAX_EVENTS_PER_SITE: u32 = 6_000;

/// The beacon's two limits, shared by every instance (`rate_limit`: counted in memory, summed
/// in PostgreSQL every second).
pub struct BeaconLimits {
    pub per_client: Arc<SharedLimiter>,
    pub per_site: Arc<SharedLimiter>,
}

impl BeaconLimits {
    /// The limits, and (inside a runtime) the task that shares their counts.
    pub fn start(pool: &PgPool) -> Arc<Self> {
        let limits = Self {
            per_client: Arc::new(SharedLimiter::new(
                "beacon:ip",
                MAX_EVENTS_PER_CLIENT,
                Duration::from_secs(60),
            )),
            per_site: Arc::new(SharedLimiter::new(
                "beacon:site",
                MAX_EVENTS_PER_SITE,
                Duration::from_secs(60),
            )),
        };
        crate::rate_limit::start_sync(
            pool.clone(),
            vec![limits.per_client.clone(), limits.per_site.clone()],
        );
        Arc::new(limits)
    }
}

/// `host[:port]` of an origin such as `https://example.com:8443`.
fn origin_host(origin: &str) -> Option<&str> {
    origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'))
}

/// The beacon script posts to its own page's origin, so a browser's `Origin` names the host
/// the request went to: the site's own host, or the app's host for the `/sites/…` path form.
/// A page on another site (or anywhere else) posting events is refused. No `Origin` (not a
/// browser's cross-origin post) passes; the host rules below still apply.
fn same_origin(req: &Request) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return true;
    };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    let origin = origin.to_str().ok().and_then(origin_host);
    matches!((origin, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

/// Host, User-Agent and peer IP. A plain fn, so no borrow of the request (whose body is not
/// Sync) is held across the handler's awaits.
fn request_facts(req: &Request) -> (String, String, String) {
    let text = |name| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let ip = crate::http::client_ip::of(req)
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    (text(header::HOST), text(header::USER_AGENT), ip)
}

/// The site a beacon is about: the request's host when it is a site host (its own pages
/// only), else the `/sites/{subdomain}` prefix of the page path, only on the app's host
/// `app_host`.
fn site_and_path(
    host: &str,
    page_path: &str,
    sites_domain: &str,
    app_host: &str,
) -> Option<(SiteHost, String)> {
    if let Some(site) = classify_host(host, sites_domain) {
        return Some((site, page_path.to_string()));
    }
    if !host.eq_ignore_ascii_case(app_host) {
        return None;
    }
    let rest = page_path.strip_prefix("/sites/")?;
    let (sub, path) = rest.split_once('/').unwrap_or((rest, ""));
    (!sub.is_empty()).then(|| {
        (
            SiteHost::Subdomain(sub.to_ascii_lowercase()),
            format!("/{path}"),
        )
    })
}

/// The event to store, or `None` for a page the live deployment does not have.
async fn queued(
    pool: &PgPool,
    live: &LiveSite,
    path: &str,
    host: &str,
    referrer: &str,
    ip: &str,
    user_agent: &str,
) -> Result<Option<QueuedEvent>, app::error::AppError> {
    // Only pages the live deployment has (the slug as stored, so `/about/` counts as `/about`),
    // and the shop's product pages, which live in the database rather than the deployment.
    let Some(page_slug) = live
        .snapshot
        .page(path)
        .map(|page| page.slug.clone())
        .or_else(|| product_page(path))
    else {
        return Ok(None);
    };
    let salt = daily_salt(pool).await?;
    Ok(Some(QueuedEvent {
        tenant_id: live.tenant_id,
        website_id: live.website_id,
        page_slug,
        visitor_id: visitor_id(&salt, live.website_id, ip, user_agent),
        referrer: referrer_source(referrer, host),
        device: Device::from_user_agent(user_agent).as_str(),
        at: Utc::now(),
    }))
}

/// `/products/{slug}` (a product page, counted for the shop's conversion) as stored.
fn product_page(path: &str) -> Option<String> {
    let slug = path.strip_prefix("/products/")?.trim_end_matches('/');
    app::model::is_product_slug(slug).then(|| format!("/products/{slug}"))
}

/// The anonymous id: not reversible, and different for the same person on another day or site.
pub fn visitor_id(salt: &[u8], website_id: Uuid, ip: &str, user_agent: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(website_id.as_bytes());
    h.update(ip.as_bytes());
    h.update([0]);
    h.update(user_agent.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// Today's salt, asked of the database once per day per process.
static SALT: Mutex<Option<(NaiveDate, Vec<u8>)>> = Mutex::new(None);

async fn daily_salt(pool: &PgPool) -> Result<Vec<u8>, app::error::AppError> {
    let today = Utc::now().date_naive();
    if let Some(salt) = cached_salt(today) {
        return Ok(salt);
    }
    let salt = store::daily_salt(pool).await?;
    if let Ok(mut guard) = SALT.lock() {
        *guard = Some((today, salt.clone()));
    }
    Ok(salt)
}

/// Kept out of the async fn so no lock guard lives across an await.
fn cached_salt(today: NaiveDate) -> Option<Vec<u8>> {
    let guard = SALT.lock().ok()?;
    guard
        .as_ref()
        .filter(|(day, _)| *day == today)
        .map(|(_, salt)| salt.clone())
}

/// The `analytics.rollup` job (`jobs::registry`, recurring every `SITEPILOT_ANALYTICS_ROLLUP_SECS`):
/// roll up yesterday (late events, the day's final numbers) and today (so far) for every site.
/// Days are each tenant's local days (its timezone, migration 0041), which lie between the
/// UTC day before yesterday and the UTC day after today, so those four days are rolled up.
/// UPSERTs, so a run repeated after a lost lease is harmless.
pub async fn rollup_job(ctx: crate::jobs::JobCtx) -> Result<(), crate::jobs::JobError> {
    let today = Utc::now().date_naive();
    for offset in [-2, -1, 0, 1] {
        let day = today + chrono::Duration::days(offset);
        let rows = store::rollup_all(&ctx.pool, day).await?;
        tracing::debug!(%day, rows, "analytics rolled up");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "127.0.0.1:3000";

    #[test]
    fn product_pages_count_by_their_slug_and_nothing_else_passes_as_one() {
        assert_eq!(
            product_page("/products/stoneware-mug"),
            Some("/products/stoneware-mug".into())
        );
        assert_eq!(
            product_page("/products/stoneware-mug/"),
            Some("/products/stoneware-mug".into())
        );
        assert_eq!(product_page("/products/"), None);
        assert_eq!(product_page("/products"), None);
        assert_eq!(product_page("/products/a/b"), None);
        assert_eq!(product_page("/products/Bad Slug"), None);
        assert_eq!(product_page("/about"), None);
    }

    #[test]
    fn the_site_comes_from_the_host_or_the_path_form() {
        assert_eq!(
            site_and_path("demo.localhost:3000", "/about", "localhost", APP),
            Some((SiteHost::Subdomain("demo".into()), "/about".into()))
        );
        assert_eq!(
            site_and_path("127.0.0.1:3000", "/sites/Demo/about", "localhost", APP),
            Some((SiteHost::Subdomain("demo".into()), "/about".into()))
        );
        assert_eq!(
            site_and_path("127.0.0.1:3000", "/sites/demo", "localhost", APP),
            Some((SiteHost::Subdomain("demo".into()), "/".into()))
        );
        assert_eq!(
            site_and_path("127.0.0.1:3000", "/dashboard", "localhost", APP),
            None
        );
        // The path form only on the app's host: elsewhere it is a path of that host's site.
        assert_eq!(
            site_and_path("evil.example", "/sites/demo/about", "localhost", APP),
            Some((
                SiteHost::CustomDomain("evil.example".into()),
                "/sites/demo/about".into()
            ))
        );
        // A site host counts its own pages only: another site's path form is just a path there.
        assert_eq!(
            site_and_path("demo.localhost:3000", "/sites/other/", "localhost", APP),
            Some((SiteHost::Subdomain("demo".into()), "/sites/other/".into()))
        );
    }

    #[test]
    fn origins_name_their_host() {
        assert_eq!(
            origin_host("https://a.example:8443/"),
            Some("a.example:8443")
        );
        assert_eq!(origin_host("null"), None);
    }

    #[test]
    fn visitor_ids_differ_by_salt_site_ip_and_agent() {
        let site = Uuid::new_v4();
        let base = visitor_id(b"salt-1", site, "10.0.0.1", "UA");
        assert_eq!(base, visitor_id(b"salt-1", site, "10.0.0.1", "UA"));
        assert_eq!(base.len(), 32);
        assert_ne!(
            base,
            visitor_id(b"salt-2", site, "10.0.0.1", "UA"),
            "a new day is a new id"
        );
        assert_ne!(
            base,
            visitor_id(b"salt-1", Uuid::new_v4(), "10.0.0.1", "UA")
        );
        assert_ne!(base, visitor_id(b"salt-1", site, "10.0.0.2", "UA"));
        assert_ne!(base, visitor_id(b"salt-1", site, "10.0.0.1", "UA2"));
    }
}
