//! The server's outermost service: it looks at the `Host` header once and sends site hosts
//! (subdomains and custom domains) to the visitor path, everything else to the app's router
//! with its Leptos routes and middleware (billing guard, cache eviction, …), which visitor
//! requests never pass through.
//!
//! The fast path answers a GET/HEAD whose raw host and path have a ready response in the
//! [`VisitorCache`]: a read-locked lookup with borrowed keys and a copy of the precomputed
//! headers, with no host parsing, routing or boxing of the response future.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use app::state::{AppState, ClientIp};
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, Method};
use axum::response::Response;
use axum::serve::{IncomingStream, Listener};
use axum::Router;
use tower::Service;

use super::cache::VisitorCache;
use super::{classify_host, headers};
use crate::analytics::batch::Batcher;
use crate::http::client_ip::TrustedProxies;

struct Inner {
    state: AppState,
    cache: Arc<VisitorCache>,
    /// The analytics endpoints (`/_sp/…`), also served on site hosts.
    beacons: Router,
    app: Router,
    /// Where the beacon routes queue page views; `main` flushes it on shutdown.
    batcher: Arc<Batcher>,
}

/// Host-based dispatch (see the module docs). Cloned per connection and per request: one `Arc`.
#[derive(Clone)]
pub struct Split {
    inner: Arc<Inner>,
    /// The peer, when served by [`MakeSplit`]; handed on as `ConnectInfo` (the per-IP limit on
    /// page password attempts and the app's own uses) to every request but fast-path hits.
    remote: Option<SocketAddr>,
    /// Whose forwarding headers give the client's address (`http::client_ip`).
    trusted: Arc<TrustedProxies>,
    /// The realtime streams' hub: `main` closes it on shutdown.
    realtime: Arc<crate::realtime::Hub>,
}

impl Split {
    pub fn new(
        state: AppState,
        cache: Arc<VisitorCache>,
        beacons: Router,
        app: Router,
        batcher: Arc<Batcher>,
    ) -> Self {
        Split {
            inner: Arc::new(Inner {
                state,
                cache,
                beacons,
                app,
                batcher,
            }),
            remote: None,
            trusted: Arc::default(),
            realtime: Arc::default(),
        }
    }

    /// With the realtime hub `main` closes on shutdown.
    pub fn with_realtime(mut self, hub: Arc<crate::realtime::Hub>) -> Self {
        self.realtime = hub;
        self
    }

    /// The realtime hub (open event streams of this instance).
    pub fn realtime(&self) -> Arc<crate::realtime::Hub> {
        Arc::clone(&self.realtime)
    }

    /// This service for one connection from `remote`.
    pub fn with_peer(&self, remote: SocketAddr) -> Split {
        Split {
            inner: Arc::clone(&self.inner),
            remote: Some(remote),
            trusted: Arc::clone(&self.trusted),
            realtime: Arc::clone(&self.realtime),
        }
    }

    /// The analytics batcher behind the beacon routes: flush it after serving stops, so
    /// queued page views are stored (tests flush it before reading events).
    pub fn analytics(&self) -> Arc<Batcher> {
        Arc::clone(&self.inner.batcher)
    }

    /// Believes `Forwarded` / `X-Forwarded-For` from these peers (none by default).
    pub fn trusting(mut self, proxies: TrustedProxies) -> Self {
        self.trusted = Arc::new(proxies);
        self
    }

    /// The ready response for this request, if it has one.
    fn fast(&self, req: &Request) -> Option<Response> {
        if !matches!(*req.method(), Method::GET | Method::HEAD) {
            return None;
        }
        let host = req.headers().get(header::HOST)?.to_str().ok()?;
        let page = self.inner.cache.ready(host, req.uri().path())?;
        Some(headers::page(
            &page,
            req.headers().get(header::ACCEPT_ENCODING),
            req.headers().get(header::IF_NONE_MATCH),
            true,
        ))
    }
}

type BoxFuture = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

/// A fast-path answer needs no allocation for its future.
pub enum SplitFuture {
    Ready(Option<Response>),
    Boxed(BoxFuture),
}

impl Future for SplitFuture {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            SplitFuture::Ready(res) => Poll::Ready(Ok(res.take().unwrap_or_default())),
            SplitFuture::Boxed(f) => f.as_mut().poll(cx),
        }
    }
}

impl Service<Request> for Split {
    type Response = Response;
    type Error = Infallible;
    type Future = SplitFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Both routers are always ready; each request calls a clone.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: Request) -> SplitFuture {
        if let Some(res) = self.fast(&req) {
            return SplitFuture::Ready(Some(res));
        }
        if let Some(addr) = self.remote {
            // Computed here once, so every limiter and audit row sees the same address. A
            // request that came without a socket (in-process tests) keeps whatever it carries.
            let client = self.trusted.client_ip(addr.ip(), req.headers());
            req.extensions_mut().insert(ClientIp(client));
            req.extensions_mut().insert(ConnectInfo(addr));
        }
        let inner = Arc::clone(&self.inner);
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| req.uri().authority().map(|a| a.as_str()));
        let site = host.and_then(|h| classify_host(h, &inner.state.config.sites_domain));
        let path = req.uri().path();
        // Static files are shared by the app and the sites (stylesheet, starter images, favicon),
        // and so are uploaded files (`/media/…`, published ones only for visitors).
        let shared = path.starts_with("/pkg/")
            || path.starts_with("/starter/")
            || path.starts_with("/favicon.")
            || path.starts_with(app::model::MEDIA_PREFIX);
        let beacon = path.starts_with("/_sp/");
        match site {
            Some(_) if beacon => {
                req.extensions_mut().insert(Arc::clone(&inner.cache));
                let mut beacons = inner.beacons.clone();
                SplitFuture::Boxed(Box::pin(async move { beacons.call(req).await }))
            }
            Some(site) if !shared => SplitFuture::Boxed(Box::pin(async move {
                Ok(super::on_site_host(&inner.state, Some(&inner.cache), site, req).await)
            })),
            _ => {
                let mut app = inner.app.clone();
                SplitFuture::Boxed(Box::pin(async move { app.call(req).await }))
            }
        }
    }
}

/// Makes one [`Split`] per accepted connection for `axum::serve`, remembering the peer.
#[derive(Clone)]
pub struct MakeSplit(pub Split);

impl<L> Service<IncomingStream<'_, L>> for MakeSplit
where
    L: Listener<Addr = SocketAddr>,
{
    type Response = Split;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Split, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, stream: IncomingStream<'_, L>) -> Self::Future {
        std::future::ready(Ok(Split {
            inner: Arc::clone(&self.0.inner),
            remote: Some(*stream.remote_addr()),
            trusted: Arc::clone(&self.0.trusted),
            realtime: Arc::clone(&self.0.realtime),
        }))
    }
}
