//! Timing shared by the protocol's benchmarks: an operation measured in batches that alternate
//! with batches of a baseline, so that each ratio compares two neighbouring moments of a shared
//! machine's load.

use std::time::{Duration, Instant};

pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

pub fn batch(inner: u32, f: &mut impl FnMut()) -> Duration {
    let t = Instant::now();
    for _ in 0..inner {
        f();
    }
    t.elapsed() / inner
}

/// Median per call of `f` and of the baseline `base`, and the median of the ratios of adjacent
/// batches: measured alternately, so each ratio compares two neighbouring moments of a shared
/// machine's load. `base_inner` and `inner` are the calls per batch of each.
pub fn paired(
    runs: usize,
    base_inner: u32,
    inner: u32,
    base: &mut impl FnMut(),
    mut f: impl FnMut(),
) -> (Duration, Duration, f64) {
    let mut ours = Vec::with_capacity(runs);
    let mut theirs = Vec::with_capacity(runs);
    let mut ratios = Vec::with_capacity(runs);
    for _ in 0..runs {
        let b = batch(base_inner, base);
        let o = batch(inner, &mut f);
        ratios.push(o.as_secs_f64() / b.as_secs_f64());
        theirs.push(b);
        ours.push(o);
    }
    ratios.sort_by(f64::total_cmp);
    (median(ours), median(theirs), ratios[runs / 2])
}
