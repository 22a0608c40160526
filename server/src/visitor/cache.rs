//! In-memory cache for visitor sites, so a hot request does no database work.
//!
//! - `hosts`: site key (subdomain or custom domain) -> what it serves (live snapshot,
//!   suspended, or nothing). Used only while the change listener is connected, and each entry
//!   lives at most [`HOST_TTL`] as a safety net. Bounded (LRU, [`MAX_HOSTS`]). Keys that name
//!   no website at all go to a separate, smaller LRU (`unknown`) and live only
//!   [`UNKNOWN_TTL`]: a flood of random `Host` headers costs one lookup per distinct host, and
//!   can only push other unknown hosts out, never a real site.
//! - `pages`: (deployment, site address, path) -> rendered HTML and its ETag. Deployments are
//!   immutable, so an entry can never be stale; entries are dropped with their website's host
//!   entries to free memory.
//! - `ready`: raw `Host` header -> path -> the finished response of a public page (body and
//!   every header precomputed). This is the hot path: a hit is two borrowed-key lookups under a
//!   read lock and an `Arc` clone, with no allocation and no host parsing. Entries are derived
//!   from host entries, so they obey the same rules (listener up, [`HOST_TTL`], evicted with
//!   their website or tenant, and dropped whenever the host entries are).
//!
//! Storefront pages (a product grid, product, buy button: live prices and stock) are the one
//! exception to "pages are immutable": they are stored in `pages` and `ready` like any page,
//! but only while the listener is connected and only when no eviction happened while they
//! were rendered (generation check, as for hosts), and migration 0053's triggers send
//! `'catalogue:<website_id>'` in the same transaction as any product, variant (price, stock),
//! category or membership change, which evicts that website's storefront pages on every
//! instance. The instance that made a change through the app also evicts at once
//! ([`evict_after_writes`], the visitor checkout), without waiting for the notification.
//!
//! Invalidation: migration 0017 sends `pg_notify('sitepilot_deployments', website_id)` when a
//! deployment is inserted or its live flag changes (publish, rollback) and when a website's
//! status or address changes, and `'tenant:<id>'` when a tenant's status changes. Every server
//! instance runs [`listen`], which evicts the matching entries. A lookup that raced with an
//! eviction is not stored (generation check). When the listener loses its connection the whole
//! cache is cleared and bypassed until it listens again, since notifications may have been
//! missed in between.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use app::model::Snapshot;
use lru::LruCache;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use uuid::Uuid;

use super::encoded::Variant;

/// The notification channel (migration 0017).
pub const CHANNEL: &str = "sitepilot_deployments";
/// Upper bound on how long a host entry is trusted even without a notification.
pub const HOST_TTL: Duration = Duration::from_secs(60);
/// How long "no such site" is believed for a key that names no website.
pub const UNKNOWN_TTL: Duration = Duration::from_secs(10);
/// Site keys remembered (least recently used forgotten first).
pub const MAX_HOSTS: usize = 10_000;
/// Unknown keys remembered.
pub const MAX_UNKNOWN: usize = 10_000;
/// Bound on rendered pages: past it, the map is emptied and refills from hot requests.
const MAX_PAGES: usize = 5_000;

/// What a site key points at.
#[derive(Clone)]
pub enum SiteState {
    Live(Arc<LiveSite>),
    /// The website or its tenant is suspended: 403.
    Suspended {
        website_id: Uuid,
        tenant_id: Uuid,
    },
    /// No such website, or not published (draft, archived, offboarded tenant): 404.
    Missing {
        website_id: Option<Uuid>,
        tenant_id: Option<Uuid>,
    },
    /// Taken offline by its members (unpublished or archived: 404; deleted: 410), with the
    /// "not available" page (migration 0032).
    Offline {
        website_id: Uuid,
        tenant_id: Uuid,
        deleted: bool,
    },
    /// An old subdomain of a website: a permanent redirect to `subdomain`, its current one,
    /// until the lifecycle job releases it (migration 0032).
    Redirect {
        website_id: Uuid,
        tenant_id: Uuid,
        subdomain: Arc<str>,
    },
}

pub struct LiveSite {
    pub website_id: Uuid,
    pub tenant_id: Uuid,
    pub deployment_id: Uuid,
    pub snapshot: Snapshot,
}

impl SiteState {
    fn ids(&self) -> (Option<Uuid>, Option<Uuid>) {
        match self {
            SiteState::Live(l) => (Some(l.website_id), Some(l.tenant_id)),
            SiteState::Suspended {
                website_id,
                tenant_id,
            } => (Some(*website_id), Some(*tenant_id)),
            SiteState::Missing {
                website_id,
                tenant_id,
            } => (*website_id, *tenant_id),
            SiteState::Offline {
                website_id,
                tenant_id,
                ..
            }
            | SiteState::Redirect {
                website_id,
                tenant_id,
                ..
            } => (Some(*website_id), Some(*tenant_id)),
        }
    }
}

/// A rendered page as a ready response: the body, its ETag and the complete header set of a
/// 200 answered from memory (see `headers::rendered`), built once per page and deployment,
/// plainly and compressed with brotli and gzip (`encoded`; `None` when not smaller).
pub struct Rendered {
    pub website_id: Uuid,
    pub tenant_id: Uuid,
    /// Shows live catalogue rows (a storefront block): not immutable with its deployment,
    /// evicted on `catalogue:<website>` and stored only while the listener is up.
    pub catalogue: bool,
    pub identity: Variant,
    pub gzip: Option<Variant>,
    pub br: Option<Variant>,
}

/// One host's ready responses: path -> (response, stored at).
type ReadyPaths = HashMap<Box<str>, (Arc<Rendered>, Instant)>;

/// `ready`: host -> path -> (response, stored at). `len` counts the paths, for the memory bound.
#[derive(Default)]
struct ReadyMap {
    hosts: HashMap<Box<str>, ReadyPaths>,
    len: usize,
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub deployment_id: Uuid,
    pub base: String,
    pub path: String,
}

type HostLru = LruCache<String, (SiteState, Instant)>;

pub struct VisitorCache {
    /// Keys of websites (live, suspended, or a known website not serving).
    hosts: Mutex<HostLru>,
    /// Keys that name no website (`Missing` without a website id).
    unknown: Mutex<HostLru>,
    pages: Mutex<HashMap<PageKey, Arc<Rendered>>>,
    ready: RwLock<ReadyMap>,
    /// Bumped by every eviction; a lookup started before a bump is not stored.
    generation: AtomicU64,
    /// True while the listener is connected and LISTENing.
    listening: AtomicBool,
}

impl Default for VisitorCache {
    fn default() -> Self {
        Self::with_bounds(MAX_HOSTS, MAX_UNKNOWN)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain map data, still usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl VisitorCache {
    /// A cache remembering at most `hosts` site keys and `unknown` unknown keys.
    pub fn with_bounds(hosts: usize, unknown: usize) -> Self {
        let cap = |n: usize| NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN);
        Self {
            hosts: Mutex::new(LruCache::new(cap(hosts))),
            unknown: Mutex::new(LruCache::new(cap(unknown))),
            pages: Mutex::default(),
            ready: RwLock::default(),
            generation: AtomicU64::default(),
            listening: AtomicBool::default(),
        }
    }

    /// Marks the listener as connected, for tests of the cache alone.
    #[doc(hidden)]
    pub fn assume_listening(&self) {
        self.listening.store(true, Ordering::Release);
    }

    /// (site keys, unknown keys) remembered now.
    pub fn host_counts(&self) -> (usize, usize) {
        (lock(&self.hosts).len(), lock(&self.unknown).len())
    }

    /// A cache with its change listener running on the current tokio runtime (none outside
    /// one: then the host cache simply stays bypassed).
    /// The cache, and its listener task, which also feeds the realtime `hub` (one LISTEN
    /// connection per instance for both).
    pub fn start(pool: &PgPool, hub: Arc<crate::realtime::Hub>) -> Arc<Self> {
        let cache = Arc::new(Self::default());
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(listen(pool.clone(), Arc::clone(&cache), hub));
        }
        cache
    }

    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }

    /// The cached state of `key`, if it may be trusted.
    pub fn host(&self, key: &str) -> Option<SiteState> {
        if !self.is_listening() {
            return None;
        }
        if let Some((s, at)) = lock(&self.hosts).get(key) {
            if at.elapsed() < HOST_TTL {
                return Some(s.clone());
            }
        }
        lock(&self.unknown)
            .get(key)
            .filter(|(_, at)| at.elapsed() < UNKNOWN_TTL)
            .map(|(s, _)| s.clone())
    }

    /// The generation to pass to [`Self::store_host`] for a lookup that starts now.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Stores a lookup's result unless an eviction happened since it started.
    pub fn store_host(&self, key: String, state: SiteState, started: u64) {
        if !self.is_listening() {
            return;
        }
        let unknown = matches!(
            state,
            SiteState::Missing {
                website_id: None,
                ..
            }
        );
        let mut map = lock(if unknown { &self.unknown } else { &self.hosts });
        // Checked under the lock: evictions bump the generation before taking it.
        if self.generation() != started {
            return;
        }
        map.put(key, (state, Instant::now()));
    }

    pub fn page(&self, key: &PageKey) -> Option<Arc<Rendered>> {
        let page = lock(&self.pages).get(key).cloned()?;
        // A storefront page is only as fresh as the notifications heard.
        (!page.catalogue || self.is_listening()).then_some(page)
    }

    /// Stores a storefront page unless an eviction happened since the request started (its
    /// catalogue read may predate a change) or the listener is down.
    pub fn store_catalogue_page(&self, key: PageKey, page: Arc<Rendered>, started: u64) {
        if !self.is_listening() {
            return;
        }
        let mut pages = lock(&self.pages);
        // Checked under the lock: evictions bump the generation before taking it.
        if self.generation() != started {
            return;
        }
        if pages.len() >= MAX_PAGES {
            pages.clear();
        }
        pages.insert(key, page);
    }

    /// Forgets the storefront pages of `website` (every website's when `None`), here at once.
    pub fn evict_catalogue(&self, website: Option<Uuid>) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        let stale = |p: &Rendered| p.catalogue && website.is_none_or(|w| p.website_id == w);
        lock(&self.pages).retain(|_, p| !stale(p));
        self.clear_ready(|p| !stale(p));
    }

    pub fn store_page(&self, key: PageKey, page: Arc<Rendered>) {
        let mut pages = lock(&self.pages);
        if pages.len() >= MAX_PAGES {
            pages.clear();
        }
        pages.insert(key, page);
    }

    /// The ready response for `host` (the raw `Host` header) and `path`, if it may be trusted.
    pub fn ready(&self, host: &str, path: &str) -> Option<Arc<Rendered>> {
        if !self.is_listening() {
            return None;
        }
        let ready = self.ready.read().unwrap_or_else(|e| e.into_inner());
        let (page, at) = ready.hosts.get(host)?.get(path)?;
        (at.elapsed() < HOST_TTL).then(|| Arc::clone(page))
    }

    /// Stores a ready response unless an eviction happened since the request started (its
    /// host lookup may then have been stale).
    pub fn store_ready(&self, host: &str, path: &str, page: Arc<Rendered>, started: u64) {
        if !self.is_listening() {
            return;
        }
        let mut ready = self.ready.write().unwrap_or_else(|e| e.into_inner());
        if self.generation() != started {
            return;
        }
        if ready.len >= MAX_PAGES {
            *ready = ReadyMap::default();
        }
        let paths = ready.hosts.entry(host.into()).or_default();
        if paths.insert(path.into(), (page, Instant::now())).is_none() {
            ready.len += 1;
        }
    }

    fn clear_ready(&self, keep: impl Fn(&Rendered) -> bool) {
        let mut ready = self.ready.write().unwrap_or_else(|e| e.into_inner());
        let ReadyMap { hosts, len } = &mut *ready;
        hosts.retain(|_, paths| {
            paths.retain(|_, (p, _)| {
                keep(p) || {
                    *len -= 1;
                    false
                }
            });
            !paths.is_empty()
        });
    }

    /// Handles one notification payload: a website id or `tenant:<id>`. Unknown payloads
    /// clear everything, which is always safe.
    pub fn evict(&self, payload: &str) {
        if let Some(w) = payload.strip_prefix("catalogue:") {
            match w.parse::<Uuid>() {
                Ok(w) => self.evict_catalogue(Some(w)),
                Err(_) => self.clear(),
            }
            return;
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
        let (website, tenant) = match payload.strip_prefix("tenant:") {
            Some(t) => (None, t.parse::<Uuid>().ok()),
            None => (payload.parse::<Uuid>().ok(), None),
        };
        if website.is_none() && tenant.is_none() {
            self.clear();
            return;
        }
        let mut gone = Vec::new();
        {
            let mut hosts = lock(&self.hosts);
            let stale: Vec<String> = hosts
                .iter()
                .filter(|(_, (state, _))| {
                    let (w, t) = state.ids();
                    (website.is_some() && w == website) || (tenant.is_some() && t == tenant)
                })
                .map(|(k, (state, _))| {
                    gone.extend(state.ids().0);
                    k.clone()
                })
                .collect();
            for k in stale {
                hosts.pop(&k);
            }
        }
        // Unknown keys are dropped too: the change may have created the site.
        lock(&self.unknown).clear();
        gone.extend(website);
        lock(&self.pages).retain(|_, p| !gone.contains(&p.website_id));
        self.clear_ready(|p| {
            !gone.contains(&p.website_id) && (tenant.is_none() || Some(p.tenant_id) != tenant)
        });
    }

    /// Forgets every host entry (the next request per host reads the database once).
    pub fn clear_hosts(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        lock(&self.hosts).clear();
        lock(&self.unknown).clear();
        self.clear_ready(|_| false);
    }

    /// After a member's save: forgets what `website` serves (and the unknown keys, which may
    /// now name it), here at once; other instances hear the change through NOTIFY. Rendered
    /// pages stay: they are keyed by immutable deployments.
    pub fn forget_website(&self, website: Option<Uuid>) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Some(w) = website {
            let mut hosts = lock(&self.hosts);
            let stale: Vec<String> = hosts
                .iter()
                .filter(|(_, (state, _))| state.ids().0 == Some(w))
                .map(|(k, _)| k.clone())
                .collect();
            for k in stale {
                hosts.pop(&k);
            }
            drop(hosts);
            self.clear_ready(|p| p.website_id != w);
        }
        lock(&self.unknown).clear();
    }

    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        lock(&self.hosts).clear();
        lock(&self.unknown).clear();
        lock(&self.pages).clear();
        self.clear_ready(|_| false);
    }
}

/// Listens for changes for as long as the runtime runs, reconnecting after errors. The same
/// connection LISTENs on the realtime channel (`crate::realtime`) and hands those
/// notifications to `hub`.
async fn listen(pool: PgPool, cache: Arc<VisitorCache>, hub: Arc<crate::realtime::Hub>) {
    let channels = [CHANNEL, crate::realtime::CHANNEL];
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen_all(channels).await {
                Ok(()) => {
                    // Anything cached before now may have missed a notification.
                    cache.clear();
                    cache.listening.store(true, Ordering::Release);
                    // Open streams may have missed events too: they reload what they show.
                    hub.resync();
                    tracing::debug!("listening on {CHANNEL} and {}", crate::realtime::CHANNEL);
                    // Ok(None): the connection was lost (and notifications with it).
                    while let Ok(Some(n)) = listener.try_recv().await {
                        if n.channel() == crate::realtime::CHANNEL {
                            hub.dispatch(n.payload());
                        } else {
                            cache.evict(n.payload());
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "visitor cache cannot LISTEN"),
            },
            Err(e) => tracing::warn!(error = %e, "visitor cache listener cannot connect"),
        }
        cache.listening.store(false, Ordering::Release);
        cache.clear();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Bodies of website actions read by [`evict_after_writes`] for their `website_id`; bigger
/// ones (or ones without a length) fall back to forgetting every host.
const MAX_SAVE_BODY: u64 = 256 * 1024;

/// What a successful write makes this instance forget at once.
enum Forget {
    /// A member's website action: that website (and unknown keys); `None` when the body names
    /// none (creating a website).
    Website(Option<Uuid>),
    /// A body we could not read, or a billing webhook (tenant-wide, rare): every host.
    All,
}

/// Middleware: after a successful write that can change what a host serves (publish and other
/// website actions, billing webhooks), this instance forgets the affected entries at once, so
/// the person who published sees the new site on their next request: for a member's save only
/// that website's (named by `website_id` in the JSON body), never every host. Other instances
/// hear the change through NOTIFY. Rendered pages stay: they are keyed by immutable deployments.
pub async fn evict_after_writes(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = req.uri().path();
    let post = req.method() == axum::http::Method::POST;
    let save = post && path.starts_with("/api/websites/");
    let webhook = post && path.starts_with("/webhooks/");
    // Catalogue changes (products, variants, stock, order status): this instance's storefront
    // pages of the website go at once; other instances hear migration 0053's notification.
    let catalogue = post && path.starts_with("/api/commerce/");
    let cache = if save || webhook || catalogue {
        req.extensions().get::<Arc<VisitorCache>>().cloned()
    } else {
        None
    };
    let Some(cache) = cache else {
        return next.run(req).await;
    };
    if catalogue {
        let (req, forget) = website_of(req).await;
        let res = next.run(req).await;
        if res.status().is_success() {
            cache.evict_catalogue(match forget {
                Forget::Website(w) => w,
                Forget::All => None,
            });
        }
        return res;
    }
    let (req, forget) = if save {
        website_of(req).await
    } else {
        (req, Forget::All)
    };
    let res = next.run(req).await;
    if res.status().is_success() {
        match forget {
            Forget::Website(w) => cache.forget_website(w),
            Forget::All => cache.clear_hosts(),
        }
    }
    res
}

/// The `website_id` a website action's JSON body names, and the request to pass on (its body
/// read into memory only when its declared length is small).
async fn website_of(req: axum::extract::Request) -> (axum::extract::Request, Forget) {
    let small = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n <= MAX_SAVE_BODY);
    if !small {
        return (req, Forget::All);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_SAVE_BODY as usize).await else {
        // Unreadable: the handler would have failed the same way; nothing to pass on.
        return (
            axum::extract::Request::from_parts(parts, axum::body::Body::empty()),
            Forget::All,
        );
    };
    let website = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("website_id")?.as_str()?.parse::<Uuid>().ok());
    // Creating a website changes no existing one; any other action that names none is not
    // understood here, so it forgets everything, as before.
    let forget = match website {
        Some(w) => Forget::Website(Some(w)),
        None if parts.uri.path() == "/api/websites/create" => Forget::Website(None),
        None => Forget::All,
    };
    let req = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
    (req, forget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::post;
    use tower::ServiceExt;

    fn site(website: Uuid, tenant: Uuid) -> SiteState {
        SiteState::Suspended {
            website_id: website,
            tenant_id: tenant,
        }
    }

    const UNKNOWN: SiteState = SiteState::Missing {
        website_id: None,
        tenant_id: None,
    };

    fn cache(hosts: usize, unknown: usize) -> VisitorCache {
        let c = VisitorCache::with_bounds(hosts, unknown);
        c.assume_listening();
        c
    }

    fn known(c: &VisitorCache, key: &str) -> Option<Uuid> {
        c.host(key).and_then(|s| s.ids().0)
    }

    #[test]
    fn random_hosts_are_remembered_apart_and_never_push_out_real_sites() {
        let c = cache(2, 100);
        let (a, b, t) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        c.store_host("a".into(), site(a, t), c.generation());
        c.store_host("b".into(), site(b, t), c.generation());
        for i in 0..10_000 {
            c.store_host(format!("random-{i}.example"), UNKNOWN, c.generation());
        }
        assert_eq!(c.host_counts(), (2, 100), "both maps stay bounded");
        assert_eq!((known(&c, "a"), known(&c, "b")), (Some(a), Some(b)));
        // A recent unknown host is answered from memory (no database lookup), as unknown.
        assert!(matches!(
            c.host("random-9999.example"),
            Some(SiteState::Missing {
                website_id: None,
                ..
            })
        ));
        assert!(
            c.host("random-0.example").is_none(),
            "the oldest was forgotten"
        );
        // The site map is an LRU too: a third site pushes out the least recently used.
        let d = Uuid::new_v4();
        let _ = c.host("a");
        c.store_host("d".into(), site(d, t), c.generation());
        assert_eq!(
            (known(&c, "a"), known(&c, "b"), known(&c, "d")),
            (Some(a), None, Some(d))
        );
    }

    #[test]
    fn a_save_forgets_only_its_websites_entries() {
        let c = cache(10, 10);
        let (a, b, t) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        c.store_host("a.example".into(), site(a, t), c.generation());
        c.store_host("a-sub".into(), site(a, t), c.generation());
        c.store_host("b-sub".into(), site(b, t), c.generation());
        c.store_host("new-sub".into(), UNKNOWN, c.generation());
        c.forget_website(Some(a));
        assert_eq!(
            (
                known(&c, "a.example"),
                known(&c, "a-sub"),
                known(&c, "b-sub")
            ),
            (None, None, Some(b))
        );
        assert!(
            c.host("new-sub").is_none(),
            "an unknown key may name the site now"
        );

        // The same through NOTIFY (other instances), by website and by tenant.
        let t2 = Uuid::new_v4();
        c.store_host("c-sub".into(), site(Uuid::new_v4(), t2), c.generation());
        c.evict(&b.to_string());
        assert_eq!(
            (known(&c, "b-sub"), c.host("c-sub").is_some()),
            (None, true)
        );
        c.evict(&format!("tenant:{t2}"));
        assert!(c.host("c-sub").is_none());
    }

    #[test]
    fn a_lookup_raced_by_an_eviction_is_not_stored() {
        let c = cache(10, 10);
        let started = c.generation();
        c.forget_website(None);
        c.store_host("x".into(), site(Uuid::new_v4(), Uuid::new_v4()), started);
        assert!(c.host("x").is_none());
    }

    async fn save(c: &Arc<VisitorCache>, path: &str, body: String, status: u16) {
        let app =
            axum::Router::new()
                .route(
                    path,
                    post(move || async move {
                        axum::http::StatusCode::from_u16(status).expect("status")
                    }),
                )
                .layer(axum::middleware::from_fn(evict_after_writes))
                .layer(axum::Extension(Arc::clone(c)));
        let req = axum::http::Request::post(path)
            .header(axum::http::header::CONTENT_LENGTH, body.len())
            .body(Body::from(body))
            .expect("request");
        app.oneshot(req).await.expect("response");
    }

    #[tokio::test]
    async fn the_middleware_forgets_the_website_the_save_names() {
        let c = Arc::new(cache(10, 10));
        let (a, b, t) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let fill = |c: &VisitorCache| {
            c.store_host("a".into(), site(a, t), c.generation());
            c.store_host("b".into(), site(b, t), c.generation());
        };
        fill(&c);
        let publish = format!(r#"{{"website_id":"{a}"}}"#);
        save(&c, "/api/websites/publish", publish.clone(), 400).await;
        assert_eq!(
            (known(&c, "a"), known(&c, "b")),
            (Some(a), Some(b)),
            "failed: kept"
        );
        save(&c, "/api/websites/publish", publish, 200).await;
        assert_eq!((known(&c, "a"), known(&c, "b")), (None, Some(b)));

        // Creating a website touches no existing one.
        fill(&c);
        save(&c, "/api/websites/create", r#"{"name":"x"}"#.into(), 200).await;
        assert_eq!((known(&c, "a"), known(&c, "b")), (Some(a), Some(b)));
        // An action the middleware cannot attribute forgets every host, as before.
        save(&c, "/api/websites/other", "{}".into(), 200).await;
        assert_eq!((known(&c, "a"), known(&c, "b")), (None, None));
    }
}
