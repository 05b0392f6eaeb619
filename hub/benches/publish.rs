//! Benchmark: deciding a national publication (`publish::rule::decide`: the block rule and
//! joint complementary withholding over every view) for 250 chapters — 5 regions of 46 and 20
//! straight to national, each with a total, 20 sectors, 3 union statuses, the 60-cell
//! sector × union-status table and a state — beside the baseline measured in the same run:
//! summing the same chapters once, which is what a live page did. Figures read as ratios.
//!
//! `cargo bench -p shopfloor-hub --bench publish`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use shopfloor_hub::publish::rule::{self, Leaf, Tree};
use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::{CellKey, CellValue};

const SECTORS: [&str; 20] = [
    "11", "21", "22", "23", "31", "42", "44", "48", "51", "52", "53", "54", "55", "56", "61", "62",
    "71", "72", "81", "92",
];
const UNION: [&str; 3] = ["member", "none", "unknown"];
const STATES: [&str; 6] = ["NC", "TX", "GA", "ME", "LA", "FL"];

/// A chapter's cells, varied by `seed` (some cells small, some zero).
fn leaf(id: String, seed: u64) -> Leaf {
    let mut cells = BTreeMap::new();
    let mut total = 0;
    let mut by_union = [0u64; 3];
    for (i, s) in SECTORS.iter().enumerate() {
        let mut sector = 0;
        for (j, u) in UNION.iter().enumerate() {
            let v = (seed * 7 + i as u64 * 13 + j as u64 * 5) % 23;
            let v = if v < 4 { 0 } else { v };
            sector += v;
            by_union[j] += v;
            cells.insert(
                CellKey::new("members", &[(Dim::Sector, s), (Dim::UnionStatus, u)]),
                CellValue::Count(v),
            );
        }
        total += sector;
        cells.insert(
            CellKey::new("members", &[(Dim::Sector, s)]),
            CellValue::Count(sector),
        );
    }
    for (j, u) in UNION.iter().enumerate() {
        cells.insert(
            CellKey::new("members", &[(Dim::UnionStatus, u)]),
            CellValue::Count(by_union[j]),
        );
    }
    cells.insert(CellKey::total("members"), CellValue::Count(total));
    let state = STATES[seed as usize % STATES.len()];
    cells.insert(
        CellKey::new("members", &[(Dim::State, state)]),
        CellValue::Count(total),
    );
    Leaf {
        digest: format!("d-{id}"),
        id,
        cells,
    }
}

fn tree() -> Tree {
    let mut n = 0u64;
    let mut next = |prefix: &str| {
        n += 1;
        leaf(format!("{prefix}-{n}"), n)
    };
    let hubs = (0..5)
        .map(|r| Tree {
            id: format!("region-{r}"),
            name: format!("Region {r}"),
            leaves: (0..46).map(|_| next("chapter")).collect(),
            hubs: Vec::new(),
        })
        .collect();
    Tree {
        id: "national".into(),
        name: "National".into(),
        leaves: (0..20).map(|_| next("direct")).collect(),
        hubs,
    }
}

fn bench(c: &mut Criterion) {
    let t = tree();
    assert_eq!(t.all_leaves().len(), 250);
    let d = rule::decide(&t);
    assert!(rule::audit(&t, &d).is_empty());
    let mut g = c.benchmark_group("publish-250-chapters");
    g.sample_size(10);
    g.bench_function("baseline: sum once (a live page)", |b| {
        b.iter(|| black_box(rule::sum(t.all_leaves())))
    });
    g.bench_function("decide every view", |b| {
        b.iter(|| black_box(rule::decide(black_box(&t))))
    });
    g.bench_function("audit the decision", |b| {
        b.iter(|| black_box(rule::audit(&t, &d)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
