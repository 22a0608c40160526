//! Fixed-window counters kept in memory (per server process), for limiting what one visitor
//! address may do: password attempts on a protected page, contact form submissions.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Allows `max` events per key within each `window`.
pub struct RateLimiter<K> {
    max: u32,
    window: Duration,
    counts: Mutex<HashMap<K, (Instant, u32)>>,
}

/// Above this many keys, windows that are over are forgotten, which bounds the memory.
const PRUNE_ABOVE: usize = 10_000;

impl<K: Hash + Eq> RateLimiter<K> {
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event for `key`; `false` once the key has used its events for the current
    /// window.
    pub fn allow(&self, key: K) -> bool {
        let now = Instant::now();
        // A poisoned lock only means another request panicked mid-update; the counts are still usable.
        let mut map = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > PRUNE_ABOVE {
            map.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = map.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 <= self.max
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
}
