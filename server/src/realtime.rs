//! Realtime events over Server-Sent Events (issue 21 part 5): `GET /events`.
//!
//! - **Fan-out across instances.** Writers `pg_notify('sitepilot_live', …)` inside their
//!   transaction (`app::db::realtime`), so an event leaves exactly when its write commits.
//!   Every instance LISTENs once, on the visitor cache's listener connection
//!   (`visitor::cache::listen`, which also LISTENs on this channel), and hands each
//!   notification to this instance's [`Hub`]: one `tokio::sync::broadcast` channel that every
//!   open stream of the instance reads. When the listener reconnects (notifications may have
//!   been missed) every stream gets a `resync` event.
//! - **Tenant isolation.** A stream is opened by a signed-in member for a website of their
//!   tenant (checked in the tenant transaction, `app::api::realtime::subscribe_for`) and
//!   carries only events whose tenant AND website match; page events only for its page.
//!   Without a website (the dashboard) it carries the deploy status of the tenant's websites.
//! - **Protocol.** The first event is `hello` (`{"stream": id, "resumed": bool}`, with a
//!   `retry:` hint); events are named by their kind (`deploy`, `page`, `presence`) and carry
//!   an `id:`. Nothing is replayed: a client that comes back with `Last-Event-ID` (or after a
//!   `resync` event) reloads what it shows. Keep-alive comments every [`KEEP_ALIVE`].
//! - **Presence.** A builder stream names its tab (`tab=`); when the stream ends, the tab's
//!   presence row goes (if the tab has not reconnected elsewhere meanwhile).
//! - **Shutdown.** [`Hub::close`] ends every stream, so a graceful shutdown is not held up by
//!   open streams; browsers reconnect to the next instance.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use app::api::ctx::Caller;
use app::api::realtime::Subscription;
use app::model::LiveEvent;
use app::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

pub use app::db::realtime::CHANNEL;

/// Events an instance buffers per stream before a slow one is told to `resync`.
const BUFFER: usize = 1024;
/// Keep-alive comment period (also how soon a vanished client is noticed).
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// The reconnection delay browsers are told to use.
pub const RETRY: Duration = Duration::from_secs(2);

/// One notification, parsed once per instance.
#[derive(Debug)]
pub enum Item {
    Event {
        id: u64,
        tenant: Uuid,
        website: Uuid,
        page: Option<Uuid>,
        name: &'static str,
        data: String,
    },
    /// The listener reconnected: events may have been missed.
    Resync,
}

/// This instance's fan-out point.
pub struct Hub {
    events: broadcast::Sender<Arc<Item>>,
    next_id: AtomicU64,
    closing: watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            events: broadcast::channel(BUFFER).0,
            next_id: AtomicU64::new(1),
            closing: watch::channel(false).0,
        }
    }
}

#[derive(Deserialize)]
struct Envelope {
    t: Uuid,
    w: Uuid,
    e: serde_json::Value,
}

impl Hub {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// A `sitepilot_live` notification's payload (from the listener).
    pub fn dispatch(&self, payload: &str) {
        let Ok(env) = serde_json::from_str::<Envelope>(payload) else {
            tracing::warn!("unreadable realtime notification");
            return;
        };
        let Ok(event) = serde_json::from_value::<LiveEvent>(env.e.clone()) else {
            tracing::warn!("unknown realtime event");
            return;
        };
        let item = Item::Event {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            tenant: env.t,
            website: env.w,
            page: event.page(),
            name: event.name(),
            data: env.e.to_string(),
        };
        // No receiver (no open stream) is fine.
        let _ = self.events.send(Arc::new(item));
    }

    /// The listener (re)connected: streams reload what they show.
    pub fn resync(&self) {
        let _ = self.events.send(Arc::new(Item::Resync));
    }

    /// Ends every open stream (graceful shutdown).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Open streams on this instance.
    pub fn streams(&self) -> usize {
        self.events.receiver_count()
    }
}

#[derive(Deserialize)]
pub struct EventsQuery {
    website: Option<String>,
    page: Option<String>,
    tab: Option<String>,
}

/// An optional id of the query string, or the message refusing it.
fn parse_id(v: Option<String>, what: &str) -> Result<Option<Uuid>, String> {
    match v.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Uuid::parse_str(&s)
            .map(Some)
            .map_err(|_| format!("`{what}` must be a {what} id (a UUID).")),
    }
}

/// `GET /events?website=…&page=…&tab=…`: the caller's event stream (see the module docs).
pub async fn events(
    State(state): State<AppState>,
    Extension(hub): Extension<Arc<Hub>>,
    caller: Caller,
    headers: HeaderMap,
    query: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return (StatusCode::BAD_REQUEST, "Unreadable query string.").into_response();
    };
    let ids = parse_id(q.website, "website")
        .and_then(|w| Ok((w, parse_id(q.page, "page")?, parse_id(q.tab, "tab")?)));
    let (website, page, tab) = match ids {
        Ok(ids) => ids,
        Err(message) => return (StatusCode::BAD_REQUEST, message).into_response(),
    };
    // Subscribed before the check answers, so nothing committed after it is missed.
    let rx = hub.events.subscribe();
    let sub = match app::api::realtime::subscribe_for(&state.pool, &caller, website, page).await {
        Ok(sub) => sub,
        Err(e) => {
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (status, e.to_string()).into_response();
        }
    };
    let stream_id = Uuid::new_v4();
    let resumed = headers.contains_key("last-event-id");
    let hello = Event::default()
        .event("hello")
        .retry(RETRY)
        .data(serde_json::json!({ "stream": stream_id, "resumed": resumed }).to_string());
    let leave = match (sub.page_id, tab) {
        (Some(_), Some(tab)) => Some(Leave {
            pool: state.pool.clone(),
            sub,
            tab,
            stream: stream_id,
        }),
        _ => None,
    };
    let conn = Conn {
        rx,
        sub,
        closing: hub.closing.subscribe(),
        hello: Some(hello),
        _leave: leave,
    };
    sse(futures_util::stream::unfold(conn, Conn::next))
}

/// An event stream as the browser's `EventSource` reads it: keep-alive comments, never stored,
/// and never buffered by a proxy (nginx) on the way.
fn sse<S>(stream: S) -> Response
where
    S: futures_util::Stream<Item = SseItem> + Send + 'static,
{
    let mut res = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    res
}

/// `GET /ai/generations/{id}/events`: the progress of an AI site generation. The first event
/// is the generation's current state, so a reloaded page re-attaches; each change
/// (`app::db::ai_generations::notify`) sends the whole state again as a `generation` event; the
/// stream ends after the final state. Another tenant's generation is a 404.
pub async fn generation_events(
    State(state): State<AppState>,
    Extension(hub): Extension<Arc<Hub>>,
    caller: Caller,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return (StatusCode::BAD_REQUEST, "The generation id must be a UUID.").into_response();
    };
    let member = match caller.member() {
        Ok(Some(m)) => m,
        Ok(None) => return (StatusCode::UNAUTHORIZED, "Sign in first.").into_response(),
        Err(e) => {
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (status, e.to_string()).into_response();
        }
    };
    let tenant = member.tenant_id;
    // Subscribed before the first read, so no change after it is missed.
    let rx = hub.events.subscribe();
    let first = match app::api::ai::generate::load(&state.pool, tenant, id).await {
        Ok(Some(g)) => g,
        Ok(None) => return (StatusCode::NOT_FOUND, "Generation not found.").into_response(),
        Err(e) => {
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (status, e.to_string()).into_response();
        }
    };
    let conn = GenConn {
        rx,
        pool: state.pool.clone(),
        tenant,
        id,
        closing: hub.closing.subscribe(),
        first: Some(first),
        ended: false,
    };
    sse(futures_util::stream::unfold(conn, GenConn::next))
}

struct GenConn {
    rx: broadcast::Receiver<Arc<Item>>,
    pool: sqlx::PgPool,
    tenant: Uuid,
    id: Uuid,
    closing: watch::Receiver<bool>,
    first: Option<app::model::Generation>,
    ended: bool,
}

type GenNext = Pin<Box<dyn std::future::Future<Output = Option<(SseItem, GenConn)>> + Send>>;

impl GenConn {
    fn event(&mut self, g: &app::model::Generation) -> SseItem {
        self.ended = g.status.is_final();
        Ok(Event::default()
            .event("generation")
            .retry(RETRY)
            .data(serde_json::to_string(g).unwrap_or_default()))
    }

    fn next(mut self) -> GenNext {
        Box::pin(async move {
            if let Some(g) = self.first.take() {
                let ev = self.event(&g);
                return Some((ev, self));
            }
            if self.ended {
                return None;
            }
            loop {
                if *self.closing.borrow() {
                    return None;
                }
                let received = tokio::select! {
                    r = self.rx.recv() => r,
                    _ = self.closing.changed() => return None,
                };
                let ours = match received {
                    Ok(item) => match &*item {
                        // The listener reconnected: changes may have been missed.
                        Item::Resync => true,
                        Item::Event {
                            tenant,
                            website,
                            name,
                            ..
                        } => *tenant == self.tenant && *website == self.id && *name == "generation",
                    },
                    // Missed events: read the row again.
                    Err(broadcast::error::RecvError::Lagged(_)) => true,
                    Err(broadcast::error::RecvError::Closed) => return None,
                };
                if !ours {
                    continue;
                }
                match app::api::ai::generate::load(&self.pool, self.tenant, self.id).await {
                    Ok(Some(g)) => {
                        let ev = self.event(&g);
                        return Some((ev, self));
                    }
                    _ => return None,
                }
            }
        })
    }
}

type SseItem = Result<Event, std::convert::Infallible>;
/// The next event of a stream, and the stream to read on from.
type Next = Pin<Box<dyn std::future::Future<Output = Option<(SseItem, Conn)>> + Send>>;

/// One open stream.
struct Conn {
    rx: broadcast::Receiver<Arc<Item>>,
    sub: Subscription,
    closing: watch::Receiver<bool>,
    hello: Option<Event>,
    _leave: Option<Leave>,
}

impl Conn {
    fn next(mut self) -> Next {
        Box::pin(async move {
            if let Some(hello) = self.hello.take() {
                return Some((Ok(hello), self));
            }
            loop {
                if *self.closing.borrow() {
                    return None;
                }
                let received = tokio::select! {
                    r = self.rx.recv() => r,
                    _ = self.closing.changed() => return None,
                };
                match received {
                    Ok(item) => {
                        if let Some(ev) = self.render(&item) {
                            return Some((Ok(ev), self));
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        return Some((Ok(resync_event()), self));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
    }

    /// The SSE event for `item`, if this stream may carry it.
    fn render(&self, item: &Item) -> Option<Event> {
        match item {
            Item::Resync => Some(resync_event()),
            Item::Event {
                id,
                tenant,
                website,
                page,
                name,
                data,
            } => visible(&self.sub, *tenant, *website, *page, name).then(|| {
                Event::default()
                    .id(id.to_string())
                    .event(*name)
                    .data(data.as_str())
            }),
        }
    }
}

/// Whether a stream subscribed as `sub` may carry an event of `tenant`'s `website` (about
/// `page`, named `name`).
pub fn visible(
    sub: &Subscription,
    tenant: Uuid,
    website: Uuid,
    page: Option<Uuid>,
    name: &str,
) -> bool {
    if tenant != sub.tenant_id {
        return false;
    }
    match sub.website_id {
        None => name == "deploy",
        Some(w) => w == website && (page.is_none() || page == sub.page_id),
    }
}

fn resync_event() -> Event {
    Event::default().event("resync").data("{}")
}

/// Removes the tab's presence when its stream ends (dropped with the stream).
struct Leave {
    pool: sqlx::PgPool,
    sub: Subscription,
    tab: Uuid,
    stream: Uuid,
}

impl Drop for Leave {
    fn drop(&mut self) {
        let (pool, sub, tab, stream) = (self.pool.clone(), self.sub, self.tab, self.stream);
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if let Err(e) = app::api::realtime::leave(&pool, sub, tab, stream).await {
                    tracing::debug!(error = %e, "presence leave failed; the row expires");
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(website: Option<Uuid>, page: Option<Uuid>) -> Subscription {
        Subscription {
            tenant_id: Uuid::from_u128(1),
            user_id: Uuid::from_u128(2),
            website_id: website,
            page_id: page,
        }
    }

    #[test]
    fn a_stream_carries_only_its_tenant_website_and_page() {
        let (t, other_t) = (Uuid::from_u128(1), Uuid::from_u128(9));
        let (w, other_w) = (Uuid::from_u128(10), Uuid::from_u128(11));
        let (p, other_p) = (Uuid::from_u128(20), Uuid::from_u128(21));
        let builder = sub(Some(w), Some(p));
        assert!(visible(&builder, t, w, None, "deploy"));
        assert!(visible(&builder, t, w, Some(p), "page"));
        assert!(!visible(&builder, t, w, Some(other_p), "page"));
        assert!(!visible(&builder, t, other_w, None, "deploy"));
        assert!(!visible(&builder, other_t, w, None, "deploy"));
        let dashboard = sub(None, None);
        assert!(visible(&dashboard, t, other_w, None, "deploy"));
        assert!(!visible(&dashboard, t, w, Some(p), "page"));
        assert!(!visible(&dashboard, other_t, w, None, "deploy"));
    }
}
