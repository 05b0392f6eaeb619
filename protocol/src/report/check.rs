//! The fast path of a report's cell checks: registry, duplicates, disclosure rule and table sums
//! on interned keys, without cloning a single [`CellKey`].
//!
//! [`cells_pass`] answers one question: would [`super::validate_cells`], the disclosure rule and
//! [`super::check_tables`] all accept these cells? It answers `true` only when they would. When it
//! answers `false` (a rejection, or anything it does not handle, such as more than two
//! dimensions), the callers run those functions themselves, so every rejection is made by the
//! same code with the same error as before; this module only decides acceptance faster.
//!
//! Each cell's key is packed into a `u64`: the metric's index in [`registry::METRICS`] (8 bits),
//! then up to two (dimension, value) pairs of 28 bits each, in [`Dim`] order (4 bits for the
//! dimension, 24 for the value's id). A value's id is 0 for [`registry::UNKNOWN`], its position
//! (plus one) in a closed vocabulary, the number itself for a county's five digits, a base-27
//! number for a language code, and the order of first appearance for a training. Ids are
//! distinct for distinct values of one dimension, so packing is one-to-one on valid keys: equal
//! packed keys are equal cells. Duplicates, margins and lines are then found by sorting integers,
//! not by hashing or comparing strings and maps.
//!
//! A table line (the cells of one table that share every coordinate but one) is keyed by the
//! metric, the margin's single (dimension, value) pair if any, and the free dimension (4 bits);
//! that is one-to-one with the slow path's `(margin, table)` key, since the table is the margin's
//! dimensions plus the free one. Masking off the free dimension leaves the margin's packed key.

use std::collections::HashMap;

use super::{Cell, CellValue};
use crate::registry::{self, Dim, UNKNOWN};

/// Bits of a value id.
const VALUE_BITS: u32 = 24;
/// Bits of a (dimension, value) pair.
const PAIR_BITS: u32 = 4 + VALUE_BITS;
/// Where the metric index sits.
const METRIC_SHIFT: u32 = 2 * PAIR_BITS;
/// The free dimension of a line key.
const FREE_MASK: u64 = 0xF;

/// The dimension's code in a packed key: 1-14 (0 means "no dimension").
fn dim_code(dim: Dim) -> u64 {
    dim as u64 + 1
}

/// Interns the values of open vocabularies that have no numeric form (trainings).
#[derive(Default)]
struct Interner<'a> {
    ids: HashMap<&'a str, u32>,
}

impl<'a> Interner<'a> {
    /// The id of `value` in `dim`, or `None` if `dim` does not accept it (exactly when
    /// [`Dim::accepts`] is false) or the ids run out.
    fn value_id(&mut self, dim: Dim, value: &'a str) -> Option<u64> {
        if value == UNKNOWN {
            return Some(0);
        }
        let id = match dim.terms() {
            Some(terms) => terms.iter().position(|t| t.code == value)? + 1,
            None => {
                if !dim.accepts(value) {
                    return None;
                }
                match dim {
                    // Exactly five ASCII digits: the number is the value.
                    Dim::County => value.parse::<usize>().ok()? + 1,
                    // Two or three lowercase letters, base 27 so "ab" and "aba" differ.
                    Dim::Language => value.bytes().try_fold(0usize, |n, b| {
                        Some(n * 27 + usize::from(b.checked_sub(b'a')?) + 1)
                    })?,
                    _ => {
                        let next = u32::try_from(self.ids.len()).ok()?.checked_add(1)?;
                        usize::try_from(*self.ids.entry(value).or_insert(next)).ok()?
                    }
                }
            }
        };
        let id = u64::try_from(id).ok()?;
        (id < 1 << VALUE_BITS).then_some(id)
    }
}

/// Whether [`super::validate_cells`], then (with `k`) the rule that a cell with dimensions
/// publishes 0 or at least `k`, then [`super::check_tables`] would all accept `cells`. `false`
/// also for anything this fast path does not handle: the caller then runs those checks.
pub(super) fn cells_pass(cells: &[Cell], k: Option<u64>) -> bool {
    check(cells, k).is_some()
}

/// [`cells_pass`], with `?` for "no".
fn check(cells: &[Cell], k: Option<u64>) -> Option<()> {
    let metrics = registry::METRICS;
    let mut has_total = vec![false; metrics.len()];
    let mut needs_total = vec![false; metrics.len()];
    let mut keys: Vec<(u64, CellValue)> = Vec::with_capacity(cells.len());
    let mut lines: Vec<(u64, CellValue)> = Vec::with_capacity(cells.len() * 2);
    let mut interner = Interner::default();
    // Cells come grouped by metric: look the metric up again only when it changes.
    let mut last: Option<(&str, usize, &'static registry::Metric)> = None;
    for c in cells {
        let (index, metric) = match last {
            Some((id, index, metric)) if id == c.key.metric => (index, metric),
            _ => {
                let index = metrics.iter().position(|m| m.id == c.key.metric)?;
                let metric = metrics.get(index)?;
                last = Some((metric.id, index, metric));
                (index, metric)
            }
        };
        let m = u64::try_from(index).ok()? << METRIC_SHIFT;
        let mut dims = c.key.dims.iter();
        let key = match (dims.next(), dims.next(), dims.next()) {
            (None, _, _) => {
                *has_total.get_mut(index)? = true;
                keys.push((m, c.value));
                continue;
            }
            (Some((&d, v)), None, _) => {
                if !metric.allows(&[d]) {
                    return None;
                }
                let pair = dim_code(d) << VALUE_BITS | interner.value_id(d, v)?;
                lines.push((m | dim_code(d), c.value));
                m | pair << PAIR_BITS
            }
            (Some((&d0, v0)), Some((&d1, v1)), None) => {
                if !metric.allows(&[d0, d1]) {
                    return None;
                }
                let p0 = dim_code(d0) << VALUE_BITS | interner.value_id(d0, v0)?;
                let p1 = dim_code(d1) << VALUE_BITS | interner.value_id(d1, v1)?;
                // Free d0: the margin is the (d1) cell; free d1: the (d0) cell.
                lines.push((m | p1 << PAIR_BITS | dim_code(d0), c.value));
                lines.push((m | p0 << PAIR_BITS | dim_code(d1), c.value));
                m | p0 << PAIR_BITS | p1
            }
            // No metric has a table of three or more dimensions: the slow path says why.
            _ => return None,
        };
        *needs_total.get_mut(index)? = true;
        if let (Some(k), CellValue::Count(v)) = (k, c.value)
            && v > 0
            && v < k
        {
            return None;
        }
        keys.push((key, c.value));
    }
    if needs_total
        .iter()
        .zip(&has_total)
        .any(|(need, has)| *need && !has)
    {
        return None;
    }
    keys.sort_unstable_by_key(|(key, _)| *key);
    if keys.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0)) {
        return None;
    }
    lines.sort_unstable_by_key(|(key, _)| *key);
    for line in lines.chunk_by(|a, b| a.0 == b.0) {
        let line_key = line.first()?.0;
        let margin = line_key & !FREE_MASK;
        let margin_value = keys
            .binary_search_by_key(&margin, |(key, _)| *key)
            .ok()
            .and_then(|i| keys.get(i))
            .map_or(CellValue::Count(0), |(_, v)| *v);
        let CellValue::Count(m) = margin_value else {
            continue;
        };
        let (mut sum, mut any_suppressed) = (0u128, false);
        for (_, v) in line {
            match v {
                CellValue::Count(v) => sum += u128::from(*v),
                CellValue::Suppressed => any_suppressed = true,
            }
        }
        let m = u128::from(m);
        if sum > m || (!any_suppressed && sum != m) {
            return None;
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CellKey, check_tables_slow, validate_cells_slow};
    use crate::testkit::{bulky_report, sample_report};
    use crate::{PartyId, Period};
    use proptest::prelude::*;

    /// What the slow path says about the same cells, disclosure rule included.
    fn slow(cells: &[Cell], k: Option<u64>) -> bool {
        let disclosure = || {
            k.is_none_or(|k| {
                cells
                    .iter()
                    .filter(|c| !c.key.dims.is_empty())
                    .all(|c| !matches!(c.value, CellValue::Count(v) if v > 0 && v < k))
            })
        };
        validate_cells_slow(cells).is_ok() && disclosure() && check_tables_slow(cells).is_ok()
    }

    fn base(seed: u64, bulky: bool) -> Vec<Cell> {
        let id = PartyId::new("ch").unwrap();
        let period: Period = "2026-10".parse().unwrap();
        let at = "2026-11-01T00:00:00Z".parse().unwrap();
        if bulky {
            bulky_report(&id, &id, period, at, seed, "13").cells
        } else {
            sample_report(&id, &id, period, at, seed % 7 + 1).cells
        }
    }

    const VALUES: &[&str] = &[
        "unknown",
        "62",
        "61",
        "zz",
        "1",
        "2",
        "member",
        "GA",
        "13001",
        "13003",
        "99001",
        "en",
        "es",
        "eng",
        "EN",
        "steward",
        "Steward",
        "",
        "good-standing",
    ];

    #[derive(Debug, Clone)]
    enum Change {
        Value(usize, Option<u64>),
        Remove(usize),
        Duplicate(usize),
        DimValue(usize, usize),
        AddDim(usize, usize, usize),
        DropDim(usize),
        Metric(usize, usize),
    }

    fn change() -> impl Strategy<Value = Change> {
        let count = prop_oneof![
            Just(None),
            (0u64..12).prop_map(Some),
            (99_000u64..101_000).prop_map(Some)
        ];
        prop_oneof![
            (any::<usize>(), count).prop_map(|(i, v)| Change::Value(i, v)),
            any::<usize>().prop_map(Change::Remove),
            any::<usize>().prop_map(Change::Duplicate),
            (any::<usize>(), any::<usize>()).prop_map(|(i, v)| Change::DimValue(i, v)),
            (any::<usize>(), any::<usize>(), any::<usize>())
                .prop_map(|(i, d, v)| Change::AddDim(i, d, v)),
            any::<usize>().prop_map(Change::DropDim),
            (any::<usize>(), any::<usize>()).prop_map(|(i, m)| Change::Metric(i, m)),
        ]
    }

    fn apply(cells: &mut Vec<Cell>, change: &Change) {
        let n = cells.len();
        if n == 0 {
            return;
        }
        match *change {
            Change::Value(i, v) => {
                cells[i % n].value = v.map_or(CellValue::Suppressed, CellValue::Count);
            }
            Change::Remove(i) => {
                cells.remove(i % n);
            }
            Change::Duplicate(i) => {
                let c = cells[i % n].clone();
                cells.insert((i / n) % n, c);
            }
            Change::DimValue(i, v) => {
                let cell = &mut cells[i % n];
                if let Some((_, value)) = cell.key.dims.iter_mut().nth(v % 3) {
                    *value = VALUES[v % VALUES.len()].to_owned();
                }
            }
            Change::AddDim(i, d, v) => {
                let dim = Dim::ALL[d % Dim::ALL.len()];
                cells[i % n]
                    .key
                    .dims
                    .insert(dim, VALUES[v % VALUES.len()].to_owned());
            }
            Change::DropDim(i) => {
                cells[i % n].key.dims.pop_first();
            }
            Change::Metric(i, m) => {
                let metrics = registry::METRICS;
                cells[i % n].key.metric = metrics
                    .get(m % (metrics.len() + 1))
                    .map_or("bogus", |m| m.id)
                    .to_owned();
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// The fast path accepts exactly what the slow path accepts.
        #[test]
        fn fast_path_decides_as_the_slow_path(
            seed in 0u64..1000,
            bulky in any::<bool>(),
            k in prop_oneof![Just(None), (2u64..8).prop_map(Some)],
            changes in proptest::collection::vec(change(), 0..4),
        ) {
            let mut cells = base(seed, bulky);
            for c in &changes {
                apply(&mut cells, c);
            }
            prop_assert_eq!(cells_pass(&cells, k), slow(&cells, k), "{:?}", changes);
        }
    }

    #[test]
    fn unmodified_reports_pass_and_shapes_it_does_not_handle_fall_back() {
        for seed in 0..20 {
            for bulky in [false, true] {
                let cells = base(seed, bulky);
                assert!(cells_pass(&cells, Some(5)), "{seed} {bulky}");
            }
        }
        // Three dimensions: no table has them, and the fast path leaves the verdict to the slow.
        let mut cells = base(1, false);
        cells.push(Cell::count(
            CellKey::new(
                "members",
                &[(Dim::Sector, "62"), (Dim::State, "GA"), (Dim::Stage, "1")],
            ),
            0,
        ));
        assert!(!cells_pass(&cells, None) && !slow(&cells, None));
        // Values of every open vocabulary, distinct ones kept apart.
        let m = |dims: &[(Dim, &str)], v| Cell::count(CellKey::new("members", dims), v);
        let cells = vec![
            Cell::count(CellKey::total("members"), 10),
            m(&[(Dim::County, "13001")], 6),
            m(&[(Dim::County, "13003")], 4),
        ];
        assert!(cells_pass(&cells, None) && slow(&cells, None));
    }
}
