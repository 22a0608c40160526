//! In-memory cache for visitor sites, so a hot request does no database work.
//!
//! - `hosts`: site key (subdomain or custom domain) -> what it serves (live snapshot,
//!   suspended, or nothing). Used only while the change listener is connected, and each entry
//!   lives at most [`HOST_TTL`] as a safety net.
//! - `pages`: (deployment, site address, path) -> rendered HTML and its ETag. Deployments are
//!   immutable, so an entry can never be stale; entries are dropped with their website's host
//!   entries to free memory.
//! - `ready`: raw `Host` header -> path -> the finished response of a public page (body and
//!   every header precomputed). This is the hot path: a hit is two borrowed-key lookups under a
//!   read lock and an `Arc` clone, with no allocation and no host parsing. Entries are derived
//!   from host entries, so they obey the same rules (listener up, [`HOST_TTL`], evicted with
//!   their website or tenant, and dropped whenever the host entries are).
//!
//! Invalidation: migration 0017 sends `pg_notify('sitepilot_deployments', website_id)` when a
//! deployment is inserted or its live flag changes (publish, rollback) and when a website's
//! status or address changes, and `'tenant:<id>'` when a tenant's status changes. Every server
//! instance runs [`listen`], which evicts the matching entries. A lookup that raced with an
//! eviction is not stored (generation check). When the listener loses its connection the whole
//! cache is cleared and bypassed until it listens again, since notifications may have been
//! missed in between.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use app::model::Snapshot;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use uuid::Uuid;

use super::encoded::Variant;

/// The notification channel (migration 0017).
pub const CHANNEL: &str = "sitepilot_deployments";
/// Upper bound on how long a host entry is trusted even without a notification.
pub const HOST_TTL: Duration = Duration::from_secs(60);
/// Bounds on memory: past these, the map is emptied and refills from hot requests.
const MAX_HOSTS: usize = 10_000;
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
        }
    }
}

/// A rendered page as a ready response: the body, its ETag and the complete header set of a
/// 200 answered from memory (see `headers::rendered`), built once per page and deployment,
/// plainly and compressed with brotli and gzip (`encoded`; `None` when not smaller).
pub struct Rendered {
    pub website_id: Uuid,
    pub tenant_id: Uuid,
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

#[derive(Default)]
pub struct VisitorCache {
    hosts: Mutex<HashMap<String, (SiteState, Instant)>>,
    pages: Mutex<HashMap<PageKey, Arc<Rendered>>>,
    ready: RwLock<ReadyMap>,
    /// Bumped by every eviction; a lookup started before a bump is not stored.
    generation: AtomicU64,
    /// True while the listener is connected and LISTENing.
    listening: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain map data, still usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl VisitorCache {
    /// A cache with its change listener running on the current tokio runtime (none outside
    /// one: then the host cache simply stays bypassed).
    pub fn start(pool: &PgPool) -> Arc<Self> {
        let cache = Arc::new(Self::default());
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(listen(pool.clone(), Arc::clone(&cache)));
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
        let hosts = lock(&self.hosts);
        hosts
            .get(key)
            .filter(|(_, at)| at.elapsed() < HOST_TTL)
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
        let mut hosts = lock(&self.hosts);
        // Checked under the lock: evict() bumps the generation before taking it.
        if self.generation() != started {
            return;
        }
        if hosts.len() >= MAX_HOSTS {
            hosts.clear();
        }
        hosts.insert(key, (state, Instant::now()));
    }

    pub fn page(&self, key: &PageKey) -> Option<Arc<Rendered>> {
        lock(&self.pages).get(key).cloned()
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
        lock(&self.hosts).retain(|_, (state, _)| {
            let (w, t) = state.ids();
            // Entries for unknown hosts are dropped too: the change may have created the site.
            let drop = w.is_none()
                || (website.is_some() && w == website)
                || (tenant.is_some() && t == tenant);
            if drop {
                gone.extend(w);
            }
            !drop
        });
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
        self.clear_ready(|_| false);
    }

    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        lock(&self.hosts).clear();
        lock(&self.pages).clear();
        self.clear_ready(|_| false);
    }
}

/// Listens for changes for as long as the runtime runs, reconnecting after errors.
async fn listen(pool: PgPool, cache: Arc<VisitorCache>) {
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => {
                    // Anything cached before now may have missed a notification.
                    cache.clear();
                    cache.listening.store(true, Ordering::Release);
                    tracing::debug!("visitor cache listening on {CHANNEL}");
                    // Ok(None): the connection was lost (and notifications with it).
                    while let Ok(Some(n)) = listener.try_recv().await {
                        cache.evict(n.payload());
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

/// Middleware: after a successful write that can change what a host serves (publish and other
/// website actions, billing webhooks), this instance forgets its host entries at once, so the
/// person who published sees the new site on their next request. Other instances hear the
/// change through NOTIFY. Rendered pages stay: they are keyed by immutable deployments.
pub async fn evict_after_writes(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = req.uri().path();
    let watched = req.method() == axum::http::Method::POST
        && (path.starts_with("/api/websites/") || path.starts_with("/webhooks/"));
    let cache = if watched {
        req.extensions().get::<Arc<VisitorCache>>().cloned()
    } else {
        None
    };
    let res = next.run(req).await;
    if let Some(c) = cache.filter(|_| res.status().is_success()) {
        c.clear_hosts();
    }
    res
}
