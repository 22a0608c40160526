//! The accept loop, with the limits `axum::serve` does not offer: at most `max_connections`
//! open connections (further ones wait in the kernel's backlog), a deadline for a request's
//! headers (a slowloris sender is cut off) and one for the whole request (408 after it). On
//! shutdown it stops accepting and lets open requests finish, for up to `shutdown_grace`.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

use crate::visitor::split::MakeSplit;

#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Open connections served at once.
    pub max_connections: u32,
    /// From the connection (or the previous response) to the end of the request's headers.
    pub header_read_timeout: Duration,
    /// From the request's headers to its response.
    pub request_timeout: Duration,
    /// How long a graceful shutdown waits for open connections.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 4096,
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(20),
        }
    }
}

impl ConnectionLimits {
    /// Defaults, overridden by `SITEPILOT_MAX_CONNECTIONS`, `SITEPILOT_HEADER_TIMEOUT_SECS` and
    /// `SITEPILOT_REQUEST_TIMEOUT_SECS`.
    pub fn from_env() -> Result<Self, String> {
        let number = |name: &str| -> Result<Option<u32>, String> {
            match std::env::var(name) {
                Err(_) => Ok(None),
                Ok(v) => v
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Some)
                    .ok_or_else(|| format!("{name} must be a positive whole number")),
            }
        };
        let mut limits = Self::default();
        if let Some(n) = number("SITEPILOT_MAX_CONNECTIONS")? {
            limits.max_connections = n;
        }
        if let Some(s) = number("SITEPILOT_HEADER_TIMEOUT_SECS")? {
            limits.header_read_timeout = Duration::from_secs(s.into());
        }
        if let Some(s) = number("SITEPILOT_REQUEST_TIMEOUT_SECS")? {
            limits.request_timeout = Duration::from_secs(s.into());
        }
        Ok(limits)
    }
}

/// Serves `make` on `listener` until `shutdown` resolves, then drains open connections.
pub async fn serve(
    listener: TcpListener,
    make: MakeSplit,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send,
) {
    let max = limits.max_connections.max(1);
    let permits = Arc::new(Semaphore::new(max as usize));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let mut stop = stop_rx.clone();
        let make = make.clone();
        tokio::spawn(async move {
            let service = make.0.with_peer(peer);
            let timeout = limits.request_timeout;
            let service = tower::service_fn(move |req: Request<Incoming>| {
                let service = service.clone();
                async move { Ok::<_, std::convert::Infallible>(answer(service, req, timeout).await) }
            });
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let conn = builder.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(service),
            );
            let mut conn = std::pin::pin!(conn);
            loop {
                tokio::select! {
                    result = conn.as_mut() => {
                        if let Err(e) = result {
                            tracing::trace!(error = %e, %peer, "connection ended with an error");
                        }
                        break;
                    }
                    _ = stop.wait_for(|stop| *stop) => conn.as_mut().graceful_shutdown(),
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every open connection holds a permit: all of them back means all connections are done.
    if tokio::time::timeout(limits.shutdown_grace, permits.acquire_many(max))
        .await
        .is_err()
    {
        tracing::warn!("open connections did not finish within the shutdown grace period");
    }
}

/// The response, or 408 once `timeout` is over.
async fn answer(
    service: crate::visitor::split::Split,
    req: Request<Incoming>,
    timeout: Duration,
) -> Response {
    match tokio::time::timeout(timeout, service.oneshot(req.map(Body::new))).await {
        Ok(Ok(res)) => res,
        Ok(Err(never)) => match never {},
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

/// The address a test server listens on, with `limits`; for tests and benchmarks.
pub async fn spawn(
    make: MakeSplit,
    limits: ConnectionLimits,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(serve(listener, make, limits, std::future::pending()));
    Ok((addr, task))
}
