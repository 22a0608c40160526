//! Fixed-window counters kept in memory (per server process), for limiting what one client
//! address may do: password attempts on a protected page, contact form submissions, beacon
//! events. Each limiter holds at most `capacity` keys, least recently used forgotten first, so
//! a flood of new addresses costs bounded memory and O(1) per call.

use std::hash::Hash;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lru::LruCache;

/// Keys a limiter remembers unless told otherwise.
pub const DEFAULT_CAPACITY: usize = 50_000;

/// Allows `max` events per key within each `window`.
pub struct RateLimiter<K: Hash + Eq> {
    max: u32,
    window: Duration,
    counts: Mutex<LruCache<K, (Instant, u32)>>,
}

impl<K: Hash + Eq> RateLimiter<K> {
    pub fn new(max: u32, window: Duration) -> Self {
        Self::with_capacity(max, window, DEFAULT_CAPACITY)
    }

    /// At most `capacity` keys (at least one) are remembered.
    pub fn with_capacity(max: u32, window: Duration, capacity: usize) -> Self {
        Self {
            max,
            window,
            counts: Mutex::new(LruCache::new(
                NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    /// Counts one event for `key`; `false` once the key has used its events for the current
    /// window.
    pub fn allow(&self, key: K) -> bool {
        let now = Instant::now();
        // A poisoned lock only means another request panicked mid-update; the counts are still usable.
        let mut map = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map.get_or_insert_mut(key, || (now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 <= self.max
    }

    /// Keys remembered right now.
    pub fn len(&self) -> usize {
        self.counts.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_has_its_own_window() {
        let limit = RateLimiter::new(2, Duration::from_secs(60));
        assert!(limit.allow("a") && limit.allow("a"));
        assert!(!limit.allow("a"));
        assert!(limit.allow("b"));
        let short = RateLimiter::new(1, Duration::ZERO);
        assert!(
            short.allow(1) && short.allow(1),
            "a window that is over starts again"
        );
    }

    #[test]
    fn the_map_is_bounded() {
        let limit = RateLimiter::with_capacity(1, Duration::from_secs(60), 100);
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
