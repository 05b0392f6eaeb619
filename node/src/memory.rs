//! The node's memory at rest: glibc's allocator told not to raise its thresholds, and the
//! memory a burst of requests left behind given back once the node is idle (issue 15,
//! docs/performance.md).
//!
//! Two things kept a node that had served a committee at the size of its busiest moment:
//!
//! - **glibc raises its thresholds after a large free.** A login's password check allocates
//!   Argon2's 19 MiB in one block, which glibc maps on its own; freeing it raises the size
//!   below which glibc allocates from its heaps to 19 MiB, and the free space at a heap's top it
//!   keeps to twice that (a heap profile of the load benchmark: 19.9 MB of its 21.6 MB peak was
//!   the first login). From then on nothing was given back. [`tune`] fixes both thresholds
//!   at glibc's defaults (128 KiB), which turns the raising off.
//! - **Freed memory in the middle of a heap stays resident.** glibc returns only the top of a
//!   heap; what many threads freed below live allocations stays, and SQLite's page caches fill
//!   to their size on every reader. [`IdleRelease`] watches the store's activity; a few seconds
//!   after the last request the server closes the idle readers and empties the writer's caches
//!   ([`crate::store::Store::release_memory`]), then calls [`release`] (`malloc_trim`), which
//!   gives every whole free page back. It runs once per burst, never while requests come, and
//!   once after start-up: opening the store and the schedule's first run (which may close a
//!   period over every member) leave about 2.3 MB of anonymous memory behind, which was given
//!   back only when that run happened to move the activity counter after the watcher started.
//!
//! The two calls into glibc are this crate's only `unsafe` code: `mallopt` and `malloc_trim`
//! take no pointers and glibc serialises them with every other allocator call. No maintained
//! crate wraps them. Elsewhere than glibc both do nothing.

/// glibc's default thresholds, fixed: blocks above 128 KiB are mapped on their own and
/// unmapped when freed, and a heap's top is given back beyond 128 KiB of free space. Setting
/// them turns off glibc's raising of both after a large free. Call before the server's threads
/// start. Returns whether glibc took both settings.
pub fn tune() -> bool {
    imp::tune()
}

/// Gives the operating system every whole page the allocator holds free (`malloc_trim(0)`).
/// Returns whether anything was given back. Locks each heap in turn: call it when idle.
pub fn release() -> bool {
    imp::release()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod imp {
    /// 128 KiB: glibc's default `M_MMAP_THRESHOLD` and `M_TRIM_THRESHOLD`.
    const THRESHOLD: libc::c_int = 128 * 1024;

    #[allow(unsafe_code)]
    pub(super) fn tune() -> bool {
        // SAFETY: mallopt takes two integers and no pointer; glibc locks its heaps for it.
        let mmap = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD) };
        // SAFETY: as above.
        let trim = unsafe { libc::mallopt(libc::M_TRIM_THRESHOLD, THRESHOLD) };
        mmap == 1 && trim == 1
    }

    #[allow(unsafe_code)]
    pub(super) fn release() -> bool {
        // SAFETY: malloc_trim takes an integer and no pointer; glibc locks each heap in turn.
        unsafe { libc::malloc_trim(0) == 1 }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod imp {
    pub(super) fn tune() -> bool {
        false
    }

    pub(super) fn release() -> bool {
        false
    }
}

/// When to give memory back: once per burst of activity, after a tick with none.
///
/// [`IdleRelease::tick`] is given the store's activity counter at each tick (every
/// [`IdleRelease::EVERY`]); it answers `true` at the first tick that sees the counter unchanged
/// after it changed, and `false` otherwise. So memory is released between two and four seconds
/// after the last request, once, and never while the counter moves.
#[derive(Debug, Default)]
pub struct IdleRelease {
    seen: u64,
    pending: bool,
}

impl IdleRelease {
    /// The tick.
    pub const EVERY: std::time::Duration = std::time::Duration::from_secs(2);

    /// A watcher that has seen `activity` (the store's counter when the server starts). It
    /// releases once at its first quiet tick, whether or not anything moved the counter since:
    /// opening the store and the start-up work beside the server (the schedule's first run,
    /// which may close a period over every member) leave their peak in the heaps and their
    /// pages in SQLite's caches, and may have finished before the watcher started.
    pub fn new(activity: u64) -> IdleRelease {
        IdleRelease {
            seen: activity,
            pending: true,
        }
    }

    /// Whether to release now, given the activity counter at this tick.
    pub fn tick(&mut self, activity: u64) -> bool {
        if activity != self.seen {
            self.seen = activity;
            self.pending = true;
            return false;
        }
        std::mem::take(&mut self.pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_once_after_a_burst_and_never_during_one() {
        let mut w = IdleRelease::new(10);
        // Start-up work done, nothing served yet: one release at the first quiet tick.
        assert!(w.tick(10));
        assert!(!w.tick(10));
        // Start-up work still going at the first tick: the release waits until it is over.
        let mut s = IdleRelease::new(10);
        assert!(!s.tick(12));
        assert!(s.tick(12));
        assert!(!s.tick(12));
        // A burst over three ticks: no release while it lasts.
        assert!(!w.tick(15));
        assert!(!w.tick(40));
        assert!(!w.tick(41));
        // The first quiet tick releases; later quiet ticks do not.
        assert!(w.tick(41));
        assert!(!w.tick(41));
        assert!(!w.tick(41));
        // One more request: one more release after it.
        assert!(!w.tick(42));
        assert!(w.tick(42));
        assert!(!w.tick(42));
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn glibc_takes_the_settings_and_the_trim_runs() {
        assert!(tune());
        // Memory freed in the middle of the heap, below a live block, for the trim to find.
        let blocks: Vec<Vec<u8>> = (0..64).map(|i| vec![i as u8; 64 * 1024]).collect();
        let keep = vec![1u8; 64 * 1024];
        drop(blocks);
        // Four MiB free below a live block: glibc gives whole pages of it back.
        assert!(release(), "malloc_trim gave nothing back");
        assert_eq!(keep.len(), 64 * 1024);
    }
}
