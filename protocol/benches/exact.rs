//! Benchmark: the release rule's exact check (`threshold::exact::check`, docs/threat-model.md
//! §10) at national scale, beside the chapters' own disclosure intervals measured in the same
//! run.
//!
//! Data: 250 synthetic chapters (a small LCG, deterministic). Each reports workplaces by sector
//! (8 NAICS sectors) and stage (0 to 5) with small counts (0 to 4 per cell, zeros absent), the
//! sector and stage margins and the total, suppressed as a node does: every non-zero cell below
//! k = 5 withheld, every stage margin withheld (stages are encrypted everywhere, as in the
//! demo), the total published. Each withheld cell's interval comes from the chapter's own
//! `disclosure::intervals_within` with its range proof's bounds `(1, total)`, computed once,
//! outside the timing. A released block per stage: the chapters that withheld that stage's
//! margin, and the sum of their true margins.
//!
//! Members: 250 more chapters by union status (six values), sector (four), stage and union
//! (none, AFSCME, SEIU; `union = none` exactly for union status none or organizing), every
//! non-zero cell below k withheld and union staff, officers, members organizing and
//! `union = none` always, so the registry's equality ties open cells and the network carries it
//! (docs/threat-model.md §10, clause 9′).
//!
//! Members with where they work: the same 250 chapters with up to six members each without a
//! workplace, and state and county tables, so that the network splits each chapter's total by
//! them (`threshold::split`).
//!
//! Operations: `exact::check` with k = 5 over the blocks of stages 0 to 5, and over those of
//! stages 0 and 1 only; over the members' blocks of union staff and officers, without and with
//! where members work; and `disclosure::intervals_within` for all 250 chapters (the per-chapter
//! audit hubs already run). Baselines: the 250 chapters' own intervals for the checks, one
//! chapter's for the 250 chapters'. Each operation is timed in batches alternating with batches
//! of its baseline; a row shows the medians of both and the median of the ratios of adjacent
//! batches (docs/performance.md).
//!
//! `cargo bench -p shopfloor-protocol --bench exact`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::hint::black_box;
use std::time::{Duration, Instant};

mod timing;
use timing::paired;

use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::relations::{self, Constraint};
use shopfloor_protocol::testkit::{Lcg, sample_report};
use shopfloor_protocol::threshold::exact::{self, Chapter, ExactBlock, Narrowings, Refusal};
use shopfloor_protocol::{Cell, CellKey, CellValue, PartyId, Period, Report, disclosure};

const CHAPTERS: usize = 250;
const K: u64 = 5;
const SECTORS: [&str; 8] = ["11", "23", "31-33", "44-45", "48-49", "54", "62", "92"];
const STAGES: [&str; 6] = ["0", "1", "2", "3", "4", "5"];

/// One synthetic chapter: its report, its withheld cells' bounds `(1, total)`, their intervals
/// from its own report, its relations, and its true stage margins.
struct Synthetic {
    id: PartyId,
    report: Report,
    bounds: BTreeMap<CellKey, (u64, u64)>,
    intervals: BTreeMap<CellKey, (u64, u64)>,
    constraints: Vec<Constraint>,
    stages: [u64; 6],
}

fn workplaces(dims: &[(Dim, &str)]) -> CellKey {
    CellKey::new("workplaces", dims)
}

/// Chapter `i`'s report of `metric`: its total and `cells` (key, value, withheld when non-zero
/// regardless of k), suppressed as a node does (every non-zero cell below k withheld, a zero
/// published by omission), with each withheld cell's bounds `(1, total)` and its interval from
/// the chapter's own report; `None` when those are inconsistent.
fn suppressed(
    i: usize,
    metric: &str,
    total: u64,
    cells: Vec<(CellKey, u64, bool)>,
    stages: [u64; 6],
) -> Option<Synthetic> {
    let id = PartyId::new(&format!("chapter-{i:03}")).unwrap();
    let national = PartyId::new("national").unwrap();
    let mut report = sample_report(
        &id,
        &national,
        Period::new(2026, 11).unwrap(),
        jiff::Timestamp::UNIX_EPOCH,
        1,
    );
    report.cells = vec![Cell::count(CellKey::total(metric), total)];
    let mut bounds = BTreeMap::new();
    for (key, v, always) in cells {
        if v == 0 {
            continue;
        }
        if always || v < K {
            bounds.insert(key.clone(), (1, total));
            report.cells.push(Cell {
                key,
                value: CellValue::Suppressed,
            });
        } else {
            report.cells.push(Cell::count(key, v));
        }
    }
    report.validate().unwrap();
    let touched: BTreeSet<&CellKey> = bounds.keys().collect();
    let intervals =
        disclosure::intervals_within(&report.cells, &report.campaigns, &bounds, &touched)?;
    let constraints = relations::constraints(&report.cells, &report.campaigns);
    Some(Synthetic {
        id,
        report,
        bounds,
        intervals,
        constraints,
        stages,
    })
}

/// Chapter `i`'s report from `seed`, suppressed as a node does; `None` when its own intervals
/// are inconsistent.
fn synthetic(i: usize, seed: u64) -> Option<Synthetic> {
    let mut rng = Lcg(seed);
    let inner: Vec<[u64; 6]> = SECTORS
        .iter()
        .map(|_| std::array::from_fn(|_| rng.next(5)))
        .collect();
    let stages: [u64; 6] = std::array::from_fn(|t| inner.iter().map(|row| row[t]).sum());
    let total: u64 = stages.iter().sum();
    // (key, value, withheld when non-zero regardless of k)
    let mut cells: Vec<(CellKey, u64, bool)> = Vec::new();
    for (s, sector) in SECTORS.iter().enumerate() {
        for (t, stage) in STAGES.iter().enumerate() {
            cells.push((
                workplaces(&[(Dim::Sector, sector), (Dim::Stage, stage)]),
                inner[s][t],
                false,
            ));
        }
        cells.push((
            workplaces(&[(Dim::Sector, sector)]),
            inner[s].iter().sum(),
            false,
        ));
    }
    for (t, stage) in STAGES.iter().enumerate() {
        cells.push((workplaces(&[(Dim::Stage, stage)]), stages[t], true));
    }
    suppressed(i, "workplaces", total, cells, stages)
}

const UNION_STATUSES: [&str; 6] = [
    "none",
    "organizing",
    "member",
    "steward",
    "staff",
    "officer",
];
const MEMBER_SECTORS: [&str; 4] = ["23", "54", "61", "62"];

fn members(dims: &[(Dim, &str)]) -> CellKey {
    CellKey::new("members", dims)
}

/// Chapter `i`'s members by union status, sector and stage, and by union (`none` exactly for
/// union status none or organizing, the rest in AFSCME or SEIU), suppressed as above: every
/// non-zero cell below k withheld, and union staff, officers, members organizing and
/// `union = none` always (so that the registry's union equality ties open cells, which the
/// network carries); its true staff and officer margins. `None` when its own intervals are
/// inconsistent.
///
/// With `working`, also where members work: up to six members without a workplace (sector and
/// stage unknown), members in North Carolina (Durham, Wake or an unknown county) and Virginia
/// (Fairfax or an unknown county), so that `stage = unknown` ties the chain to the state and
/// county tables and the network splits the total by them (`threshold::split`).
fn synthetic_members(i: usize, seed: u64, working: bool) -> Option<(Synthetic, [u64; 2])> {
    let mut rng = Lcg(seed);
    let spread = [30, 9, 12, 5, 4, 4];
    let inner: Vec<[u64; 6]> = MEMBER_SECTORS
        .iter()
        .map(|_| std::array::from_fn(|u| rng.next(spread[u])))
        .collect();
    let by_stage: Vec<[u64; 6]> = inner
        .iter()
        .map(|row| {
            let mut left: u64 = row.iter().sum();
            std::array::from_fn(|t| {
                let v = if t == 5 { left } else { rng.next(left + 1) / 2 };
                left -= v;
                v
            })
        })
        .collect();
    // Members without a workplace, by union status.
    let out: [u64; 6] = std::array::from_fn(|_| if working { rng.next(2) } else { 0 });
    let status: [u64; 6] =
        std::array::from_fn(|u| inner.iter().map(|row| row[u]).sum::<u64>() + out[u]);
    let stages: [u64; 6] = std::array::from_fn(|t| by_stage.iter().map(|row| row[t]).sum());
    let total: u64 = status.iter().sum();
    let unionised = total - status[0] - status[1];
    let afscme = rng.next(unionised + 1);
    let mut cells: Vec<(CellKey, u64, bool)> = Vec::new();
    for (s, sector) in MEMBER_SECTORS.iter().enumerate() {
        for (u, union_status) in UNION_STATUSES.iter().enumerate() {
            cells.push((
                members(&[(Dim::Sector, sector), (Dim::UnionStatus, union_status)]),
                inner[s][u],
                false,
            ));
        }
        for (t, stage) in STAGES.iter().enumerate() {
            cells.push((
                members(&[(Dim::Sector, sector), (Dim::Stage, stage)]),
                by_stage[s][t],
                false,
            ));
        }
        cells.push((
            members(&[(Dim::Sector, sector)]),
            inner[s].iter().sum(),
            false,
        ));
    }
    for (u, union_status) in UNION_STATUSES.iter().enumerate() {
        cells.push((
            members(&[(Dim::UnionStatus, union_status)]),
            status[u],
            u == 1 || u >= 4,
        ));
    }
    for (t, stage) in STAGES.iter().enumerate() {
        cells.push((members(&[(Dim::Stage, stage)]), stages[t], false));
    }
    cells.push((
        members(&[(Dim::Union, "none")]),
        status[0] + status[1],
        true,
    ));
    cells.push((members(&[(Dim::Union, "afscme")]), afscme, false));
    cells.push((members(&[(Dim::Union, "seiu")]), unionised - afscme, false));
    if working {
        let nw: u64 = out.iter().sum();
        for (u, union_status) in UNION_STATUSES.iter().enumerate() {
            cells.push((
                members(&[(Dim::Sector, "unknown"), (Dim::UnionStatus, union_status)]),
                out[u],
                false,
            ));
        }
        for key in [
            members(&[(Dim::Sector, "unknown"), (Dim::Stage, "unknown")]),
            members(&[(Dim::Sector, "unknown")]),
            members(&[(Dim::Stage, "unknown")]),
            members(&[(Dim::State, "unknown")]),
        ] {
            cells.push((key, nw, false));
        }
        let with_workplace = total - nw;
        let nc = rng.next(with_workplace + 1);
        let va = with_workplace - nc;
        let durham = rng.next(nc + 1);
        let wake = rng.next(nc - durham + 1);
        let fairfax = rng.next(va + 1);
        for (key, v) in [
            (members(&[(Dim::State, "NC")]), nc),
            (members(&[(Dim::State, "VA")]), va),
            (members(&[(Dim::County, "37063")]), durham),
            (members(&[(Dim::County, "37183")]), wake),
            (members(&[(Dim::County, "51059")]), fairfax),
            (
                members(&[(Dim::County, "unknown")]),
                nw + (nc - durham - wake) + (va - fairfax),
            ),
        ] {
            cells.push((key, v, false));
        }
    }
    suppressed(i, "members", total, cells, stages).map(|c| (c, [status[4], status[5]]))
}

/// One block per released stage: the chapters that withheld its margin, and their true sum.
fn blocks(chapters: &[Synthetic], released: &[&str]) -> Vec<ExactBlock> {
    released
        .iter()
        .map(|stage| {
            let t = STAGES.iter().position(|s| s == stage).unwrap();
            let withheld: Vec<&Synthetic> = chapters.iter().filter(|c| c.stages[t] > 0).collect();
            ExactBlock {
                key: workplaces(&[(Dim::Stage, stage)]),
                chapters: withheld.iter().map(|c| c.id.clone()).collect(),
                value: withheld.iter().map(|c| c.stages[t]).sum(),
            }
        })
        .collect()
}

/// The blocks of union staff and officers over the chapters that withheld them.
fn rare_blocks(chapters: &[(Synthetic, [u64; 2])]) -> Vec<ExactBlock> {
    ["staff", "officer"]
        .iter()
        .enumerate()
        .map(|(n, status)| {
            let key = members(&[(Dim::UnionStatus, status)]);
            let withheld: Vec<&(Synthetic, [u64; 2])> = chapters
                .iter()
                .filter(|(c, _)| c.bounds.contains_key(&key))
                .collect();
            ExactBlock {
                key,
                chapters: withheld.iter().map(|(c, _)| c.id.clone()).collect(),
                value: withheld.iter().map(|(_, v)| v[n]).sum(),
            }
        })
        .collect()
}

fn index_of(chapters: &[(Synthetic, [u64; 2])]) -> BTreeMap<&PartyId, &Synthetic> {
    chapters.iter().map(|(c, _)| (&c.id, c)).collect()
}

fn chapter_of<'a>(index: &BTreeMap<&PartyId, &'a Synthetic>, p: &PartyId) -> Option<Chapter<'a>> {
    index.get(p).map(|c| Chapter {
        report: &c.report,
        intervals: &c.intervals,
        constraints: &c.constraints,
    })
}

fn touched_of(chapters: &[(Synthetic, [u64; 2])]) -> Vec<BTreeSet<&CellKey>> {
    chapters
        .iter()
        .map(|(c, _)| c.bounds.keys().collect())
        .collect()
}

/// The chapters' own intervals (the baseline of the members' checks).
fn own_intervals(chapters: &[(Synthetic, [u64; 2])], touched: &[BTreeSet<&CellKey>]) {
    for ((c, _), touched) in chapters.iter().zip(touched) {
        black_box(disclosure::intervals_within(
            &c.report.cells,
            &c.report.campaigns,
            &c.bounds,
            touched,
        ));
    }
}

fn describe(result: &Result<Narrowings, Refusal>) -> String {
    match result {
        Ok(n) => format!("Ok, {} narrowings", n.len()),
        Err(e) => format!("Err({e:?})"),
    }
}

fn main() {
    let setup = Instant::now();
    let chapters: Vec<Synthetic> = (0..CHAPTERS)
        .map(|i| {
            (0..)
                .find_map(|attempt: u64| synthetic(i, (i as u64) * 1_000 + attempt + 1))
                .unwrap()
        })
        .collect();
    let index: BTreeMap<&PartyId, &Synthetic> = chapters.iter().map(|c| (&c.id, c)).collect();
    let chapter = |p: &PartyId| {
        index.get(p).map(|c| Chapter {
            report: &c.report,
            intervals: &c.intervals,
            constraints: &c.constraints,
        })
    };
    let touched: Vec<BTreeSet<&CellKey>> =
        chapters.iter().map(|c| c.bounds.keys().collect()).collect();
    let all = blocks(&chapters, &STAGES);
    let two = blocks(&chapters, &STAGES[..2]);
    let withheld: usize = chapters.iter().map(|c| c.bounds.len()).sum();
    println!(
        "{CHAPTERS} chapters, {withheld} withheld cells in all, set up in {:.2?}",
        setup.elapsed()
    );
    for b in &all {
        println!(
            "  block {}: {} chapters, value {}",
            b.key,
            b.chapters.len(),
            b.value
        );
    }
    let t = Instant::now();
    let result_all = exact::check(K, &all, chapter);
    println!(
        "check, stages 0–5 released: {} (once, {:.2?})",
        describe(&result_all),
        t.elapsed()
    );
    let t = Instant::now();
    let result_two = exact::check(K, &two, chapter);
    println!(
        "check, stages 0–1 released: {} (once, {:.2?})",
        describe(&result_two),
        t.elapsed()
    );
    if let Ok(n) = &result_two {
        for (p, key, lo, hi) in n.iter().take(5) {
            println!("  narrowed: {p} {key} to {lo}..={hi}");
        }
    }

    // Members: union staff and officers released at national; and the same with where
    // members work.
    let member_chapters = |working: bool| -> Vec<(Synthetic, [u64; 2])> {
        (0..CHAPTERS)
            .map(|i| {
                (0..)
                    .find_map(|attempt: u64| {
                        synthetic_members(i, (i as u64) * 1_000 + attempt + 1, working)
                    })
                    .unwrap()
            })
            .collect()
    };
    let with_members = member_chapters(false);
    let working_members = member_chapters(true);
    let rare = rare_blocks(&with_members);
    let working_rare = rare_blocks(&working_members);
    let member_index = index_of(&with_members);
    let working_index = index_of(&working_members);
    let member_chapter = |p: &PartyId| chapter_of(&member_index, p);
    let working_chapter = |p: &PartyId| chapter_of(&working_index, p);
    for (what, blocks, result) in [
        ("members", &rare, exact::check(K, &rare, member_chapter)),
        (
            "members with where they work",
            &working_rare,
            exact::check(K, &working_rare, working_chapter),
        ),
    ] {
        println!(
            "check, {what}: union staff and officers released ({} and {} chapters): {}",
            blocks[0].chapters.len(),
            blocks[1].chapters.len(),
            describe(&result),
        );
    }
    let member_touched = touched_of(&with_members);
    let working_touched = touched_of(&working_members);
    let mut own_members = || own_intervals(&with_members, &member_touched);
    let mut own_working = || own_intervals(&working_members, &working_touched);

    let mut own_all = || {
        for (c, touched) in chapters.iter().zip(&touched) {
            black_box(disclosure::intervals_within(
                &c.report.cells,
                &c.report.campaigns,
                &c.bounds,
                touched,
            ));
        }
    };
    let first = &chapters[0];
    let mut own_one = || {
        black_box(disclosure::intervals_within(
            &first.report.cells,
            &first.report.campaigns,
            &first.bounds,
            &touched[0],
        ));
    };

    let runs = 15;
    let mut rows: Vec<(String, Duration, Duration, f64, &str)> = Vec::new();
    let mut row = |what: &str, base: &'static str, (ours, b, ratio): (Duration, Duration, f64)| {
        rows.push((what.to_owned(), ours, b, ratio, base));
    };
    row(
        &format!("exact check, {CHAPTERS} chapters, stages 0–5 released"),
        "250 chapters' intervals",
        paired(runs, 1, 1, &mut own_all, || {
            black_box(exact::check(K, black_box(&all), chapter).is_ok());
        }),
    );
    row(
        &format!("exact check, {CHAPTERS} chapters, stages 0–1 released"),
        "250 chapters' intervals",
        paired(runs, 1, 1, &mut own_all, || {
            black_box(exact::check(K, black_box(&two), chapter).is_ok());
        }),
    );
    row(
        &format!("exact check, {CHAPTERS} chapters' members, staff and officers"),
        "250 chapters' members intervals",
        paired(runs, 1, 1, &mut own_members, || {
            black_box(exact::check(K, black_box(&rare), member_chapter).is_ok());
        }),
    );
    row(
        &format!("exact check, {CHAPTERS} chapters' members, state, county"),
        "250 chapters' members intervals",
        paired(runs, 1, 1, &mut own_working, || {
            black_box(exact::check(K, black_box(&working_rare), working_chapter).is_ok());
        }),
    );
    row(
        &format!("the chapters' own intervals, {CHAPTERS} chapters"),
        "one chapter's intervals",
        paired(runs, 50, 1, &mut own_one, &mut own_all),
    );

    println!("exact check (k = {K}), medians per call; ratio = median over alternating batches");
    println!("of (operation / baseline measured just before it):");
    println!(
        "  {:<50} {:>10}  {:>10}  {:>8}  baseline",
        "what", "ours", "baseline", "ratio"
    );
    for (what, ours, base, ratio, name) in rows {
        println!("  {what:<50} {ours:>10.2?}  {base:>10.2?}  {ratio:>7.1}x  {name}");
    }
}
