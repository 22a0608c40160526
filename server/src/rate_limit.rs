//! Limits on high-volume visitor events (beacon page views), shared by every server instance
//! without a database round trip per request.
//!
//! Each instance counts in memory and decides locally. Every [`SYNC_EVERY`] a task adds the
//! counts of the last interval to PostgreSQL in one statement (`throttle_add`, migration 0030,
//! on the `auth_throttle` table the log-in limits use) and reads back each key's total over all
//! instances, which the next local decisions start from. So the limit holds across instances,
//! lagging by at most one sync: N instances together can admit at most what they take in one
//! interval beyond it.
//!
//! Memory is bounded: each limiter remembers at most `capacity` keys, least recently used
//! forgotten first, so a flood of new addresses costs bounded memory and O(1) per call.
//! Low-volume limits (page passwords, contact forms) count in PostgreSQL directly
//! (`app::db::throttle::count`).

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lru::LruCache;
use sqlx::PgPool;

/// Keys a limiter remembers unless told otherwise.
pub const DEFAULT_CAPACITY: usize = 50_000;

/// How often local counts are added to the shared ones.
pub const SYNC_EVERY: Duration = Duration::from_secs(1);

struct Entry {
    /// When this instance's view of the window began.
    started: Instant,
    /// Hits in the window as last known: all instances' total at the last sync, plus what this
    /// instance has sent since.
    known: u32,
    /// Hits admitted here and not yet sent.
    pending: u32,
}

struct Inner {
    entries: LruCache<String, Entry>,
    /// Keys with pending hits, each once.
    dirty: Vec<String>,
}

/// Allows `max` events per key within each `window`, counted over all instances.
pub struct SharedLimiter {
    /// Namespaces the keys in the shared table (`beacon:ip`, `beacon:site`).
    prefix: &'static str,
    max: u32,
    window: Duration,
    inner: Mutex<Inner>,
}

impl SharedLimiter {
    pub fn new(prefix: &'static str, max: u32, window: Duration) -> Self {
        Self::with_capacity(prefix, max, window, DEFAULT_CAPACITY)
    }

    /// At most `capacity` keys (at least one) are remembered.
    pub fn with_capacity(
        prefix: &'static str,
        max: u32,
        window: Duration,
        capacity: usize,
    ) -> Self {
        Self {
            prefix,
            max,
            window,
            inner: Mutex::new(Inner {
                entries: LruCache::new(NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN)),
                dirty: Vec::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A poisoned lock only means another request panicked mid-update; the counts are usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts one event for `key`; `false` once the key has used its events for the window
    /// (as far as this instance knows: its own events, and the others' up to the last sync).
    pub fn allow(&self, key: impl std::fmt::Display) -> bool {
        let key = format!("{}:{key}", self.prefix);
        let now = Instant::now();
        let mut inner = self.lock();
        let entry = inner.entries.get_or_insert_mut(key.clone(), || Entry {
            started: now,
            known: 0,
            pending: 0,
        });
        if now.duration_since(entry.started) >= self.window {
            *entry = Entry {
                started: now,
                known: 0,
                pending: 0,
            };
        }
        if entry.known.saturating_add(entry.pending) >= self.max {
            return false;
        }
        entry.pending += 1;
        if entry.pending == 1 {
            inner.dirty.push(key);
            // Without syncs (no runtime) keys would pile up here: keep only remembered ones.
            if inner.dirty.len() > 2 * inner.entries.cap().get() {
                let mut dirty = std::mem::take(&mut inner.dirty);
                dirty.sort();
                dirty.dedup();
                dirty.retain(|k| inner.entries.contains(k));
                inner.dirty = dirty;
            }
        }
        true
    }

    /// Sends the pending counts and takes back the totals of all instances. A failed sync
    /// keeps this instance's own counts, so the limit still holds locally meanwhile.
    pub async fn sync(&self, pool: &PgPool) -> Result<(), app::error::AppError> {
        let mut batch: Vec<(String, i32)> = {
            let mut inner = self.lock();
            let dirty = std::mem::take(&mut inner.dirty);
            dirty
                .into_iter()
                .filter_map(|key| {
                    let entry = inner.entries.peek_mut(&key)?;
                    let sent = std::mem::take(&mut entry.pending);
                    entry.known = entry.known.saturating_add(sent);
                    (sent > 0).then(|| (key, sent.min(i32::MAX as u32) as i32))
                })
                .collect()
        };
        if batch.is_empty() {
            return Ok(());
        }
        // Sorted, so that concurrent syncs of several instances lock rows in one order.
        batch.sort();
        let (keys, counts): (Vec<String>, Vec<i32>) = batch.into_iter().unzip();
        let window = self.window.as_secs().max(1) as u32;
        let totals = app::db::system::throttle_add(pool, &keys, &counts, window).await?;
        let mut inner = self.lock();
        for (key, hits) in totals {
            if let Some(entry) = inner.entries.peek_mut(&key) {
                entry.known = hits.max(0) as u32;
            }
        }
        Ok(())
    }

    /// Keys remembered right now.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Syncs `limiters` every [`SYNC_EVERY`] for the life of the process. Outside a runtime (a
/// router built in a plain test) nothing is started: the limits then hold per process.
pub fn start_sync(pool: PgPool, limiters: Vec<Arc<SharedLimiter>>) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    rt.spawn(async move {
        let mut tick = tokio::time::interval(SYNC_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            for limiter in &limiters {
                if let Err(e) = limiter.sync(&pool).await {
                    tracing::warn!(prefix = limiter.prefix, error = %e, "sharing rate-limit counts failed");
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_has_its_own_window() {
        let limit = SharedLimiter::new("t", 2, Duration::from_secs(60));
        assert!(limit.allow("a") && limit.allow("a"));
        assert!(!limit.allow("a"));
        assert!(limit.allow("b"));
        let short = SharedLimiter::new("t", 1, Duration::ZERO);
        assert!(
            short.allow(1) && short.allow(1),
            "a window that is over starts again"
        );
    }

    #[test]
    fn the_map_is_bounded() {
        let limit = SharedLimiter::with_capacity("t", 1, Duration::from_secs(60), 100);
        assert!(limit.allow(u32::MAX));
        for key in 0..10_000u32 {
            limit.allow(key);
            // The busy key stays remembered while it keeps being used.
            if key % 50 == 0 {
                assert!(!limit.allow(u32::MAX));
            }
        }
        assert_eq!(limit.len(), 100);
    }
}
