//! Properties of disclosure control on random consistent tables, and robustness on arbitrary
//! cell lists.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use shopfloor_protocol::disclosure::{audit, intervals, suppress};
use shopfloor_protocol::registry::{self, Dim, METRICS, UNKNOWN};
use shopfloor_protocol::report::check_tables;
use shopfloor_protocol::{Cell, CellKey, CellValue, DisclosurePolicy};

const METRIC: &str = "members";

/// The codes of a closed vocabulary, with `unknown`.
fn codes(dim: Dim) -> Vec<&'static str> {
    let terms = match dim {
        Dim::Sector => registry::SECTORS,
        _ => registry::UNION_STATUSES,
    };
    terms
        .iter()
        .map(|t| t.code)
        .chain(std::iter::once(UNKNOWN))
        .collect()
}

/// A count for an inner cell: uniform 0..40, with extra weight on small counts.
fn count() -> impl Strategy<Value = u64> {
    prop_oneof![3 => 0u64..40, 2 => 0u64..6]
}

/// Adds `Cell::count(key, v)`, leaving zeros out unless `explicit_zeros`.
fn push(cells: &mut Vec<Cell>, key: CellKey, v: u64, explicit_zeros: bool) {
    if v > 0 || explicit_zeros {
        cells.push(Cell::count(key, v));
    }
}

/// A consistent 1-D table of sector or union status, with its total.
fn one_d() -> impl Strategy<Value = Vec<Cell>> {
    (any::<bool>(), any::<bool>())
        .prop_flat_map(|(by_sector, zeros)| {
            let dim = if by_sector {
                Dim::Sector
            } else {
                Dim::UnionStatus
            };
            let n = codes(dim).len();
            (
                Just(dim),
                Just(zeros),
                prop::collection::vec(count(), 1..=n),
            )
        })
        .prop_map(|(dim, zeros, counts)| {
            let mut cells = Vec::new();
            for (code, v) in codes(dim).into_iter().zip(&counts) {
                push(&mut cells, CellKey::new(METRIC, &[(dim, code)]), *v, zeros);
            }
            cells.push(Cell::count(CellKey::total(METRIC), counts.iter().sum()));
            cells
        })
}

/// A consistent sector × union-status table with both 1-D margins and the total.
fn two_d() -> impl Strategy<Value = Vec<Cell>> {
    (1usize..=21, 1usize..=8, any::<bool>())
        .prop_flat_map(|(rows, cols, zeros)| {
            (
                Just(zeros),
                prop::collection::vec(prop::collection::vec(count(), cols), rows),
            )
        })
        .prop_map(|(zeros, counts)| {
            let sectors = codes(Dim::Sector);
            let statuses = codes(Dim::UnionStatus);
            let mut cells = Vec::new();
            let mut by_status: BTreeMap<&str, u64> = BTreeMap::new();
            let mut total = 0;
            for (s, row) in sectors.iter().zip(&counts) {
                let mut sum = 0;
                for (u, v) in statuses.iter().zip(row) {
                    let key = CellKey::new(METRIC, &[(Dim::Sector, s), (Dim::UnionStatus, u)]);
                    push(&mut cells, key, *v, zeros);
                    *by_status.entry(u).or_default() += v;
                    sum += v;
                }
                push(
                    &mut cells,
                    CellKey::new(METRIC, &[(Dim::Sector, s)]),
                    sum,
                    zeros,
                );
                total += sum;
            }
            for (u, v) in by_status {
                push(
                    &mut cells,
                    CellKey::new(METRIC, &[(Dim::UnionStatus, u)]),
                    v,
                    zeros,
                );
            }
            cells.push(Cell::count(CellKey::total(METRIC), total));
            cells
        })
}

fn withheld(cells: &[Cell]) -> BTreeSet<CellKey> {
    cells
        .iter()
        .filter(|c| c.value == CellValue::Suppressed)
        .map(|c| c.key.clone())
        .collect()
}

/// Everything the properties promise for one consistent table.
fn check_properties(original: &[Cell], k: u64) -> Result<(), TestCaseError> {
    let policy = DisclosurePolicy { k };
    let mut cells = original.to_vec();
    let summary = suppress(&mut cells, &policy);

    // (a) Nothing small is published outside totals; totals and zeros are untouched.
    let small = original
        .iter()
        .filter(|c| !c.key.dims.is_empty() && c.value.count().is_some_and(|v| v > 0 && v < k))
        .count();
    prop_assert_eq!(summary.primary, small);
    prop_assert_eq!(
        summary.primary + summary.complementary,
        withheld(&cells).len()
    );
    for (before, after) in original.iter().zip(&cells) {
        prop_assert_eq!(&before.key, &after.key);
        match after.value {
            CellValue::Count(v) => {
                prop_assert!(before.value == CellValue::Count(v));
                prop_assert!(after.key.dims.is_empty() || v == 0 || v >= k);
            }
            CellValue::Suppressed => {
                prop_assert!(!after.key.dims.is_empty(), "total withheld");
                prop_assert!(before.value != CellValue::Count(0), "zero withheld");
            }
        }
    }

    // (b) The audit finds nothing.
    let findings = audit(&cells, k);
    prop_assert!(findings.is_empty(), "findings: {:?}", findings);

    // (c) The tables still add up as receivers check them.
    prop_assert!(check_tables(&cells).is_ok());

    // (d) Deterministic, and independent of the order of the cells.
    let mut again = original.to_vec();
    prop_assert_eq!(suppress(&mut again, &policy), summary);
    prop_assert_eq!(&again, &cells);
    let mut reversed: Vec<Cell> = original.iter().rev().cloned().collect();
    suppress(&mut reversed, &policy);
    prop_assert_eq!(withheld(&reversed), withheld(&cells));

    // (e) Every withheld cell's feasible interval contains its true value.
    let ivs = intervals(&cells);
    let truth: BTreeMap<&CellKey, u64> = original
        .iter()
        .filter_map(|c| Some((&c.key, c.value.count()?)))
        .collect();
    for key in withheld(&cells) {
        let Some((lo, hi)) = ivs.get(&key).copied() else {
            return Err(TestCaseError::fail(format!("no interval for {key}")));
        };
        let v = truth.get(&key).copied().unwrap_or(0);
        prop_assert!(
            lo <= v && v <= hi,
            "{}: {} outside [{}, {}]",
            key,
            v,
            lo,
            hi
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn disclosure_one_d_tables(cells in one_d(), k in 2u64..=10) {
        check_properties(&cells, k)?;
    }

    #[test]
    fn disclosure_two_d_tables(cells in two_d(), k in 2u64..=10) {
        check_properties(&cells, k)?;
    }
}

/// A key of a random registry metric: its total, one of its tables, or (rarely) an arbitrary
/// set of dimensions; values from the vocabulary, `unknown`, or junk.
fn any_key() -> impl Strategy<Value = CellKey> {
    let value = prop_oneof![
        4 => (0usize..12).prop_map(|i| i.to_string()),
        2 => Just(UNKNOWN.to_owned()),
        1 => "[a-z]{1,3}",
    ];
    (
        0..METRICS.len(),
        0usize..8,
        prop::collection::vec((0..Dim::ALL.len(), value), 0..3),
    )
        .prop_map(|(m, pick, dims)| {
            let metric = &METRICS[m % METRICS.len()];
            let mut key = CellKey::total(metric.id);
            let table: Vec<Dim> = if pick == 0 || metric.tables.is_empty() {
                dims.iter().map(|(d, _)| Dim::ALL[*d]).collect()
            } else {
                metric.tables[pick % metric.tables.len()].to_vec()
            };
            for (dim, (_, raw)) in table.iter().zip(dims.iter().cycle()) {
                let value = match dim.terms() {
                    Some(terms) if !terms.is_empty() => raw
                        .parse::<usize>()
                        .map_or_else(|_| raw.clone(), |i| terms[i % terms.len()].code.to_owned()),
                    _ => raw.clone(),
                };
                key.dims.insert(*dim, value);
            }
            key
        })
}

fn any_cell() -> impl Strategy<Value = Cell> {
    let value = prop_oneof![
        6 => (0u64..50).prop_map(CellValue::Count),
        2 => Just(CellValue::Suppressed),
        1 => any::<u64>().prop_map(CellValue::Count),
        1 => Just(CellValue::Count(u64::MAX)),
    ];
    (any_key(), value).prop_map(|(key, value)| Cell { key, value })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Arbitrary cell lists (unknown tables, duplicates, sums that do not add up, huge values,
    /// withheld totals): no panic, no endless loop, and suppression keeps its basic promises.
    #[test]
    fn disclosure_arbitrary_cells_do_not_panic(
        mut cells in prop::collection::vec(any_cell(), 0..40),
        k in 0u64..=20,
    ) {
        let original = cells.clone();
        let _ = audit(&cells, k);
        let _ = intervals(&cells);
        suppress(&mut cells, &DisclosurePolicy { k });
        prop_assert_eq!(cells.len(), original.len());
        for (before, after) in original.iter().zip(&cells) {
            prop_assert_eq!(&before.key, &after.key);
            if after.value != before.value {
                prop_assert_eq!(after.value, CellValue::Suppressed);
                prop_assert!(before.value != CellValue::Count(0));
                prop_assert!(!after.key.dims.is_empty());
            }
        }
        let _ = audit(&cells, k);
        let _ = intervals(&cells);
    }
}

/// A small sector × union-status table (inner counts, row by row) and which of its non-total
/// cells to withhold: inner cells first, then sector margins, then union-status margins.
fn small_table() -> impl Strategy<Value = (Vec<Vec<u64>>, Vec<bool>)> {
    (2usize..=3, 2usize..=3).prop_flat_map(|(rows, cols)| {
        (
            prop::collection::vec(prop::collection::vec(0u64..=3, cols), rows),
            prop::collection::vec(prop::bool::weighted(0.4), rows * cols + rows + cols),
        )
    })
}

/// Every assignment of values `>= 1` to the withheld inner cells that makes the table add up
/// (withheld margins follow from their lines), visited depth first.
fn enumerate(
    vars: &[(usize, usize)],
    grid: &mut Vec<Vec<u64>>,
    remaining: u64,
    visit: &mut dyn FnMut(&[Vec<u64>]),
) {
    match vars.split_first() {
        None => {
            if remaining == 0 {
                visit(grid);
            }
        }
        Some((&(r, c), rest)) => {
            for v in 1..=remaining {
                grid[r][c] = v;
                enumerate(rest, grid, remaining - v, visit);
            }
            grid[r][c] = 0;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The intervals are exact: they equal the smallest and largest value over every integer
    /// solution, found by brute force (the LP optimum is integral, as total unimodularity says).
    #[test]
    fn disclosure_intervals_are_exact((grid, mask) in small_table()) {
        let sectors = codes(Dim::Sector);
        let statuses = codes(Dim::UnionStatus);
        let (rows, cols) = (grid.len(), grid[0].len());
        let row_sum = |g: &[Vec<u64>], r: usize| g[r].iter().sum::<u64>();
        let col_sum = |g: &[Vec<u64>], c: usize| g.iter().map(|row| row[c]).sum::<u64>();
        let total: u64 = grid.iter().flatten().sum();
        let inner_key =
            |r: usize, c: usize| CellKey::new(METRIC, &[(Dim::Sector, sectors[r]), (Dim::UnionStatus, statuses[c])]);
        let sector_key = |r: usize| CellKey::new(METRIC, &[(Dim::Sector, sectors[r])]);
        let status_key = |c: usize| CellKey::new(METRIC, &[(Dim::UnionStatus, statuses[c])]);
        // (key, true value, withheld)
        let mut all = Vec::new();
        for r in 0..rows {
            for c in 0..cols {
                all.push((inner_key(r, c), grid[r][c], mask[r * cols + c]));
            }
        }
        for r in 0..rows {
            all.push((sector_key(r), row_sum(&grid, r), mask[rows * cols + r]));
        }
        for c in 0..cols {
            all.push((status_key(c), col_sum(&grid, c), mask[rows * cols + rows + c]));
        }
        let mut cells = vec![Cell::count(CellKey::total(METRIC), total)];
        for (key, v, hide) in &all {
            if *v > 0 {
                let value = if *hide { CellValue::Suppressed } else { CellValue::Count(*v) };
                cells.push(Cell { key: key.clone(), value });
            }
        }
        let hidden_inner: Vec<(usize, usize)> = (0..rows)
            .flat_map(|r| (0..cols).map(move |c| (r, c)))
            .filter(|&(r, c)| grid[r][c] > 0 && mask[r * cols + c])
            .collect();
        prop_assume!(hidden_inner.len() <= 6);

        let published = |key: &CellKey| {
            cells.iter().find(|c| &c.key == key).map_or(Some(0), |c| c.value.count())
        };
        let mut start = grid.clone();
        for &(r, c) in &hidden_inner {
            start[r][c] = 0;
        }
        let known: u64 = start.iter().flatten().sum();
        let mut seen: BTreeMap<CellKey, (u64, u64)> = BTreeMap::new();
        let mut visit = |g: &[Vec<u64>]| {
            let mut values = Vec::new();
            for r in 0..rows {
                let s = row_sum(g, r);
                match published(&sector_key(r)) {
                    Some(m) if m != s => return,
                    None if s == 0 => return,
                    None => values.push((sector_key(r), s)),
                    Some(_) => {}
                }
            }
            for c in 0..cols {
                let s = col_sum(g, c);
                match published(&status_key(c)) {
                    Some(m) if m != s => return,
                    None if s == 0 => return,
                    None => values.push((status_key(c), s)),
                    Some(_) => {}
                }
            }
            for &(r, c) in &hidden_inner {
                values.push((inner_key(r, c), g[r][c]));
            }
            for (key, v) in values {
                let e = seen.entry(key).or_insert((v, v));
                e.0 = e.0.min(v);
                e.1 = e.1.max(v);
            }
        };
        enumerate(&hidden_inner, &mut start, total - known, &mut visit);
        let computed = intervals(&cells);
        prop_assert_eq!(computed, seen);
    }
}
