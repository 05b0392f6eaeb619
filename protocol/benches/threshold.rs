//! Benchmark: encrypted small cells (issue 14) beside raw ristretto255 operations measured in the
//! same run. Operations: one cell's encryption with its range proof and that proof's
//! verification (bound 5 = k for a primary-suppressed cell; bound 1,000 for a table total), a
//! 250-chapter tally and its check (which verifies all 250 range proofs), the bare product of 250
//! ciphertexts, one trustee's decryption share and its verification, combining two shares and
//! decoding, and building the 100,000-value decode table. Baselines: one constant-time
//! variable-base scalar multiplication (`element * scalar`) and one fixed-base one
//! (`mul_generator`). Each operation is timed in batches alternating with batches of the
//! variable-base multiplication; a row shows the medians of both and the median of the ratios of
//! adjacent batches (docs/performance.md).
//!
//! Chapter reports (issue 14's report slice): a synthetic chapter of 160 members over 8 sectors
//! and 6 union statuses and workplaces over stages 0 to 5, suppressed as a node does; encrypting
//! every withheld cell under its public bound (intervals, encryption and proofs), the public
//! bounds alone, and checking the report's encrypted cells as a hub does; and summing 250 such
//! reports into a rollup with and without their tallies. Extra baseline: one ElGamal encryption
//! without a proof.
//!
//! `cargo bench -p shopfloor-protocol --bench threshold`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

mod timing;

use elastic_elgamal::group::{Group as _, Ristretto, ScalarOps as _};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::report::encrypted::public_bounds;
use shopfloor_protocol::report::{ChapterFacts, REPORT_SCHEMA};
use shopfloor_protocol::rollup::{self, Contribution as Part};
use shopfloor_protocol::threshold::{
    Ceremony, Ciphertext, Contribution, DecodeTable, EncryptedCell, ReleasePolicy, Tally, combine,
    run_ceremony,
};
use shopfloor_protocol::{
    Cell, CellKey, CellValue, DisclosurePolicy, PartyId, Period, Report, disclosure,
};
use std::collections::BTreeMap;

const CHAPTERS: usize = 250;

/// [`timing::paired`] with 50 baseline calls per batch (one scalar multiplication each).
fn paired(
    runs: usize,
    inner: u32,
    base: &mut impl FnMut(),
    f: impl FnMut(),
) -> (Duration, Duration, f64) {
    timing::paired(runs, 50, inner, base, f)
}

/// A synthetic chapter's report, suppressed as a node does, and its withheld cells' exact values.
fn chapter_report(seed: u64) -> (Report, BTreeMap<CellKey, u64>) {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let sectors = ["62", "61", "44-45", "72", "48-49", "31-33", "92", "unknown"];
    let statuses = [
        "member",
        "none",
        "organizing",
        "steward",
        "officer",
        "staff",
    ];
    let mut exact = Vec::new();
    let mut by_sector = BTreeMap::new();
    let mut by_status = BTreeMap::new();
    let mut two = Vec::new();
    for s in sectors {
        for u in statuses {
            // Mostly small counts, a few large, as in a real chapter.
            let v = if next(4) == 0 { 5 + next(20) } else { next(4) };
            *by_sector.entry(s).or_insert(0) += v;
            *by_status.entry(u).or_insert(0) += v;
            if v > 0 {
                two.push(Cell::count(
                    CellKey::new("members", &[(Dim::Sector, s), (Dim::UnionStatus, u)]),
                    v,
                ));
            }
        }
    }
    let total: u64 = by_sector.values().sum();
    exact.push(Cell::count(CellKey::total("members"), total));
    for (s, v) in &by_sector {
        exact.push(Cell::count(
            CellKey::new("members", &[(Dim::Sector, s)]),
            *v,
        ));
    }
    for (u, v) in &by_status {
        exact.push(Cell::count(
            CellKey::new("members", &[(Dim::UnionStatus, u)]),
            *v,
        ));
    }
    exact.extend(two);
    let stages: Vec<u64> = (0..6).map(|i| if i == 0 { 20 } else { next(6) }).collect();
    exact.push(Cell::count(
        CellKey::total("workplaces"),
        stages.iter().sum::<u64>(),
    ));
    for (i, v) in stages.iter().enumerate() {
        exact.push(Cell::count(
            CellKey::new("workplaces", &[(Dim::Stage, &i.to_string())]),
            *v,
        ));
    }
    let policy = DisclosurePolicy::default();
    let mut cells = exact.clone();
    disclosure::suppress_report(&mut cells, &policy, &[]);
    let withheld = cells
        .iter()
        .zip(&exact)
        .filter(|(c, _)| c.value == CellValue::Suppressed)
        .map(|(c, e)| (c.key.clone(), e.value.count().unwrap()))
        .collect();
    let report = Report {
        schema: REPORT_SCHEMA.to_owned(),
        chapter: PartyId::new(&format!("chapter-{seed}")).unwrap(),
        recipient: PartyId::new("south").unwrap(),
        period: "2026-10".parse::<Period>().unwrap(),
        revision: 1,
        previous: None,
        generated_at: "2026-11-02T12:00:00Z".parse().unwrap(),
        policy,
        cells,
        facts: ChapterFacts::default(),
        campaigns: Vec::new(),
        as_of: None,
        correction: false,
        encrypted: Vec::new(),
        joint_key: None,
    };
    report.validate().unwrap();
    (report, withheld)
}

fn main() {
    let ids = ["national", "south", "officer-a"]
        .iter()
        .map(|s| PartyId::new(s).unwrap())
        .collect();
    let trustees = run_ceremony(&Ceremony::new("bench", ids, 2).unwrap()).unwrap();
    let key = trustees[0].joint_key().clone();
    let policy = ReleasePolicy::new(5).unwrap();
    let cells: Vec<Contribution> = (0..CHAPTERS)
        .map(|i| {
            Contribution::new(
                PartyId::new(&format!("chapter-{i}")).unwrap(),
                EncryptedCell::encrypt(&key, (i % 5) as u64, 5).unwrap(),
            )
        })
        .collect();
    let expected: u64 = (0..CHAPTERS).map(|i| (i % 5) as u64).sum();
    let tally = Tally::of_cells(&key, &cells).unwrap();
    let table = DecodeTable::new(2_000).unwrap();

    // Baselines: one constant-time variable-base scalar multiplication, and one fixed-base.
    let mut rng = ChaCha20Rng::from_seed([7; 32]);
    let scalar = Ristretto::generate_scalar(&mut rng);
    let point = Ristretto::mul_generator(&Ristretto::generate_scalar(&mut rng));
    let mut scalar_mul = || {
        black_box(black_box(point) * black_box(&scalar));
    };
    let runs = 31;
    let mut rows: Vec<(String, Duration, Duration, f64)> = Vec::new();
    let mut row = |what: &str, (ours, base, ratio): (Duration, Duration, f64)| {
        rows.push((what.to_owned(), ours, base, ratio));
    };
    let cell5 = EncryptedCell::encrypt(&key, 3, 5).unwrap();
    let cell1000 = EncryptedCell::encrypt(&key, 777, 1_000).unwrap();
    let cts: Vec<Ciphertext> = cells.iter().map(|c| c.cell.ciphertext).collect();
    let s0 = trustees[0].share(&tally, &policy).unwrap();
    let s2 = trustees[2].share(&tally, &policy).unwrap();
    let shares = [s0.clone(), s2];

    row(
        "one fixed-base multiplication",
        paired(runs, 200, &mut scalar_mul, || {
            black_box(Ristretto::mul_generator(black_box(&scalar)));
        }),
    );
    row(
        "encrypt + range proof, bound 5",
        paired(runs, 20, &mut scalar_mul, || {
            black_box(EncryptedCell::encrypt(&key, 3, 5).unwrap());
        }),
    );
    row(
        "verify range proof, bound 5",
        paired(runs, 20, &mut scalar_mul, || cell5.verify(&key).unwrap()),
    );
    row(
        "encrypt + range proof, bound 1000",
        paired(runs, 10, &mut scalar_mul, || {
            black_box(EncryptedCell::encrypt(&key, 777, 1_000).unwrap());
        }),
    );
    row(
        "verify range proof, bound 1000",
        paired(runs, 10, &mut scalar_mul, || cell1000.verify(&key).unwrap()),
    );
    row(
        &format!("tally of {CHAPTERS} cells (verifies proofs)"),
        paired(9, 1, &mut scalar_mul, || {
            black_box(Tally::of_cells(&key, black_box(&cells)).unwrap());
        }),
    );
    row(
        &format!("check a tally of {CHAPTERS} cells"),
        paired(9, 1, &mut scalar_mul, || {
            tally.check_cells(&key, &cells).unwrap();
        }),
    );
    row(
        &format!("bare product of {CHAPTERS} ciphertexts"),
        paired(runs, 20, &mut scalar_mul, || {
            black_box(cts.iter().fold(Ciphertext::zero(), |a, c| a + *c));
        }),
    );
    row(
        "one trustee's decryption share",
        paired(runs, 20, &mut scalar_mul, || {
            black_box(trustees[1].share(&tally, &policy).unwrap());
        }),
    );
    row(
        "verify one decryption share",
        paired(runs, 20, &mut scalar_mul, || {
            black_box(key.verify_share(&tally.ciphertext, &s0).unwrap());
        }),
    );
    row(
        "combine 2 shares + decode (verifies)",
        paired(runs, 10, &mut scalar_mul, || {
            assert_eq!(combine(&key, &tally, &shares, &table).unwrap(), expected);
        }),
    );
    row(
        "build the 100,000-value decode table",
        paired(3, 1, &mut scalar_mul, || {
            black_box(DecodeTable::new(100_000).unwrap());
        }),
    );

    // Chapter reports.
    let (plain, withheld) = chapter_report(1);
    let mut sealed = plain.clone();
    sealed.encrypt_withheld(&key, &withheld).unwrap();
    sealed.check_encrypted(&key).unwrap();
    let n = sealed.encrypted.len();
    let reports: Vec<Report> = (0..CHAPTERS as u64)
        .map(|i| {
            let (mut r, w) = chapter_report(i + 1);
            r.encrypt_withheld(&key, &w).unwrap();
            r
        })
        .collect();
    let plain_reports: Vec<Report> = reports
        .iter()
        .map(|r| Report {
            encrypted: Vec::new(),
            joint_key: None,
            ..r.clone()
        })
        .collect();
    let ekey = key.public().clone();
    let mut erng = ChaCha20Rng::from_seed([9; 32]);
    row(
        "one ElGamal encryption (no proof)",
        paired(runs, 200, &mut scalar_mul, || {
            black_box(ekey.encrypt(black_box(3u64), &mut erng));
        }),
    );
    row(
        &format!("public bounds of a report ({n} withheld)"),
        paired(runs, 5, &mut scalar_mul, || {
            black_box(public_bounds(&plain.cells, &plain.campaigns));
        }),
    );
    row(
        &format!("encrypt a report's {n} withheld cells"),
        paired(9, 1, &mut scalar_mul, || {
            let mut r = plain.clone();
            r.encrypt_withheld(&key, &withheld).unwrap();
            black_box(r);
        }),
    );
    row(
        &format!("check a report's {n} encrypted cells"),
        paired(9, 1, &mut scalar_mul, || {
            sealed.check_encrypted(&key).unwrap()
        }),
    );
    row(
        &format!("rollup sum of {CHAPTERS} reports, no tallies"),
        paired(9, 1, &mut scalar_mul, || {
            let parts: Vec<Part<'_>> = plain_reports.iter().map(Part::Report).collect();
            black_box(rollup::sum(&parts));
        }),
    );
    row(
        &format!("rollup sum of {CHAPTERS} reports with tallies"),
        paired(9, 1, &mut scalar_mul, || {
            let parts: Vec<Part<'_>> = reports.iter().map(Part::Report).collect();
            black_box(rollup::sum(&parts));
        }),
    );

    println!("encrypted small cells, ristretto255 (elastic-elgamal), medians per call;");
    println!("ratio = median over alternating batches of (operation / one variable-base scalar");
    println!("multiplication measured just before it):");
    for (what, ours, base, ratio) in rows {
        println!("  {what:<40} {ours:>10.2?}  {ratio:>9.1}x  (scalar mult {base:.2?})");
    }
}
