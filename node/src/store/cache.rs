//! Read results kept until the data under them changes: the dashboard's and the report
//! preview's aggregates, which cost tens of milliseconds at 20,000 members and change only when
//! something is written.
//!
//! Every commit through the [`super::Store`] writer bumps a generation counter (the view-audit
//! queue's commits do not: they add audit rows, which no cached page shows). A cached value is
//! served while the generation is the one it was computed at and it is younger than its time to
//! live; the time to live bounds what a writer in another process (the command line, while the
//! server runs) or the passing of time (a month that ends, a member whose dues lapse today) can
//! leave stale. One caller computes a missing value while the others asking for the same key
//! wait for it (no stampede after a write). The number of keys is bounded, and every value is
//! forgotten once a burst of requests is over ([`ReadCache::clear`]).

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Keys kept at most; the least recently computed goes first.
pub const MAX_KEYS: usize = 32;

type Value = Arc<dyn Any + Send + Sync>;

#[derive(Debug, Default)]
struct Slot {
    /// (generation, computed at, value).
    value: Option<(u64, Instant, ValueBox)>,
}

/// `dyn Any` has no `Debug`; this wrapper gives it one.
struct ValueBox(Value);

impl std::fmt::Debug for ValueBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cached value")
    }
}

/// Each key's slot, with when it was made (for evicting the oldest).
type Slots = HashMap<String, (Instant, Arc<Mutex<Slot>>)>;

/// The cache: one slot per key, each behind its own lock.
#[derive(Debug, Default)]
pub struct ReadCache {
    slots: Mutex<Slots>,
}

fn poisoned() -> Error {
    Error::Task("read cache lock poisoned".into())
}

impl ReadCache {
    /// The value for `key` if it was computed at `generation` less than `ttl` ago, else the
    /// result of `compute` (kept for the next caller when it is `Ok`).
    pub fn get_or_compute<T: Send + Sync + 'static>(
        &self,
        key: &str,
        generation: impl Fn() -> u64,
        ttl: Duration,
        compute: impl FnOnce() -> Result<T>,
    ) -> Result<Arc<T>> {
        let slot = {
            let mut slots = self.slots.lock().map_err(|_| poisoned())?;
            if !slots.contains_key(key) && slots.len() >= MAX_KEYS {
                let oldest = slots
                    .iter()
                    .min_by_key(|(_, (at, _))| *at)
                    .map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    slots.remove(&k);
                }
            }
            slots
                .entry(key.to_owned())
                .or_insert_with(|| (Instant::now(), Arc::new(Mutex::new(Slot::default()))))
                .1
                .clone()
        };
        let mut slot = slot.lock().map_err(|_| poisoned())?;
        // Read after taking the slot's lock: a value computed by the caller we waited for is
        // labelled with the generation it started from.
        let now_gen = generation();
        if let Some((g, at, v)) = &slot.value
            && *g == now_gen
            && at.elapsed() < ttl
            && let Ok(v) = v.0.clone().downcast::<T>()
        {
            return Ok(v);
        }
        slot.value = None;
        let value = Arc::new(compute()?);
        slot.value = Some((now_gen, Instant::now(), ValueBox(value.clone())));
        Ok(value)
    }

    /// Forgets every value: the next caller of each key computes it again. The node calls it
    /// once a burst of requests is over ([`super::Store::release_memory`]): between bursts the
    /// values are only memory (the member search index alone is 1.3 MB at 20,000 members), and
    /// a burst pays for each value once. A caller computing a value meanwhile keeps what it
    /// computed and hands it to those waiting on it; only the cache forgets it.
    pub fn clear(&self) -> Result<usize> {
        let mut slots = self.slots.lock().map_err(|_| poisoned())?;
        let n = slots.len();
        slots.clear();
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

    #[test]
    fn served_until_the_generation_or_the_time_to_live_changes() {
        let cache = ReadCache::default();
        let generation = AtomicU64::new(1);
        let computed = AtomicUsize::new(0);
        let get = |ttl| {
            cache
                .get_or_compute(
                    "k",
                    || generation.load(Ordering::SeqCst),
                    ttl,
                    || Ok(computed.fetch_add(1, Ordering::SeqCst)),
                )
                .map(|v| *v)
        };
        let long = Duration::from_secs(60);
        assert_eq!(get(long).ok(), Some(0));
        assert_eq!(get(long).ok(), Some(0));
        generation.store(2, Ordering::SeqCst);
        assert_eq!(get(long).ok(), Some(1));
        assert_eq!(get(long).ok(), Some(1));
        assert_eq!(get(Duration::ZERO).ok(), Some(2));
    }

    #[test]
    fn cleared_values_are_computed_again() {
        let cache = ReadCache::default();
        let computed = AtomicUsize::new(0);
        let get = |key: &str| {
            cache
                .get_or_compute(
                    key,
                    || 1,
                    Duration::from_secs(60),
                    || Ok(computed.fetch_add(1, Ordering::SeqCst)),
                )
                .map(|v| *v)
        };
        assert_eq!(get("a").ok(), Some(0));
        assert_eq!(get("b").ok(), Some(1));
        assert_eq!(get("a").ok(), Some(0), "kept before the clear");
        assert_eq!(cache.clear().ok(), Some(2));
        assert_eq!(get("a").ok(), Some(2), "computed again after it");
        assert_eq!(get("a").ok(), Some(2));
        assert_eq!(cache.clear().ok(), Some(1));
        assert_eq!(cache.clear().ok(), Some(0));
    }

    #[test]
    fn errors_are_not_kept_and_keys_are_bounded() {
        let cache = ReadCache::default();
        let r: Result<Arc<u8>> = cache.get_or_compute(
            "e",
            || 1,
            Duration::from_secs(60),
            || Err(Error::Task("no".into())),
        );
        assert!(r.is_err());
        let v = cache.get_or_compute("e", || 1, Duration::from_secs(60), || Ok(7u8));
        assert_eq!(v.ok().map(|v| *v), Some(7));
        for i in 0..(MAX_KEYS * 2) {
            let _ = cache.get_or_compute(&i.to_string(), || 1, Duration::from_secs(60), || Ok(i));
        }
        assert!(cache.slots.lock().map(|s| s.len()).unwrap_or(0) <= MAX_KEYS);
    }
}
