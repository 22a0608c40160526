//! Page views are not inserted one by one: the beacon handler queues them here, and one
//! background task writes them every [`FLUSH_EVERY`] (or as soon as [`MAX_BATCH`] wait) with
//! one multi-row INSERT per tenant (`app::db::analytics::record_batch`). A flood of events
//! then costs a connection a few times a second, never one transaction per request on the
//! request pool. [`Batcher::flush`] writes what is queued and waits for it: `main` calls it
//! after the server stopped accepting requests, so a graceful shutdown loses nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use app::db::analytics::{self as store, QueuedEvent};
use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot};

/// How often queued events are written.
pub const FLUSH_EVERY: Duration = Duration::from_millis(250);
/// A batch this big is written at once, without waiting for the tick.
pub const MAX_BATCH: usize = 1_000;
/// Events that may wait at most; past it new ones are dropped (and counted), so a flood
/// costs bounded memory.
pub const QUEUE: usize = 50_000;

enum Msg {
    Event(Box<QueuedEvent>),
    Flush(oneshot::Sender<()>),
}

/// What the batcher did so far (tests and the abuse benchmark read it).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchStats {
    /// Events accepted into the queue.
    pub queued: u64,
    /// Events refused because the queue was full.
    pub dropped: u64,
    /// Rows stored.
    pub rows: u64,
    /// INSERT statements run.
    pub inserts: u64,
    /// Batches written (one transaction each).
    pub batches: u64,
    /// Events lost to a failed write.
    pub failed: u64,
}

#[derive(Default)]
struct Counters {
    queued: AtomicU64,
    dropped: AtomicU64,
    rows: AtomicU64,
    inserts: AtomicU64,
    batches: AtomicU64,
    failed: AtomicU64,
}

/// The handle: cheap to share (`Arc`), one background task behind it.
pub struct Batcher {
    tx: mpsc::Sender<Msg>,
    counters: Arc<Counters>,
}

impl Batcher {
    /// Starts the writer task on the current runtime.
    pub fn start(pool: PgPool) -> Arc<Self> {
        Self::start_with(pool, FLUSH_EVERY, MAX_BATCH)
    }

    pub fn start_with(pool: PgPool, every: Duration, max_batch: usize) -> Arc<Self> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let counters = Arc::new(Counters::default());
        // Outside a runtime there is no writer: the receiver is dropped and every push is
        // counted as dropped (nothing serves requests there anyway).
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(run(
                pool,
                rx,
                Arc::clone(&counters),
                every,
                max_batch.max(1),
            ));
        }
        Arc::new(Self { tx, counters })
    }

    /// Queues one event; `false` (and nothing queued) when the queue is full.
    pub fn push(&self, event: QueuedEvent) -> bool {
        match self.tx.try_send(Msg::Event(Box::new(event))) {
            Ok(()) => {
                self.counters.queued.fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(_) => {
                self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                false
            }
        }
    }

    /// Writes everything queued before this call, and returns once it is stored.
    pub async fn flush(&self) {
        let (ack, done) = oneshot::channel();
        if self.tx.send(Msg::Flush(ack)).await.is_ok() {
            let _ = done.await;
        }
    }

    pub fn stats(&self) -> BatchStats {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        BatchStats {
            queued: get(&c.queued),
            dropped: get(&c.dropped),
            rows: get(&c.rows),
            inserts: get(&c.inserts),
            batches: get(&c.batches),
            failed: get(&c.failed),
        }
    }
}

async fn run(
    pool: PgPool,
    mut rx: mpsc::Receiver<Msg>,
    counters: Arc<Counters>,
    every: Duration,
    max_batch: usize,
) {
    let mut buf: Vec<QueuedEvent> = Vec::new();
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            msg = rx.recv() => match msg {
                Some(Msg::Event(e)) => {
                    buf.push(*e);
                    if buf.len() >= max_batch {
                        write(&pool, &mut buf, &counters).await;
                    }
                }
                Some(Msg::Flush(ack)) => {
                    write(&pool, &mut buf, &counters).await;
                    let _ = ack.send(());
                }
                None => {
                    write(&pool, &mut buf, &counters).await;
                    return;
                }
            },
            _ = tick.tick() => write(&pool, &mut buf, &counters).await,
        }
    }
}

async fn write(pool: &PgPool, buf: &mut Vec<QueuedEvent>, counters: &Counters) {
    if buf.is_empty() {
        return;
    }
    let events = std::mem::take(buf);
    match store::record_batch(pool, &events).await {
        Ok(done) => {
            counters.rows.fetch_add(done.rows, Ordering::Relaxed);
            counters.inserts.fetch_add(done.inserts, Ordering::Relaxed);
            counters.batches.fetch_add(1, Ordering::Relaxed);
        }
        Err(e) => {
            counters
                .failed
                .fetch_add(events.len() as u64, Ordering::Relaxed);
            tracing::warn!(error = %e, events = events.len(), "page views not recorded");
        }
    }
}
