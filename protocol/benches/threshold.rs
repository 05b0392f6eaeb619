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
//! `cargo bench -p shopfloor-protocol --bench threshold`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use elastic_elgamal::group::{Group as _, Ristretto, ScalarOps as _};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use shopfloor_protocol::PartyId;
use shopfloor_protocol::threshold::{
    Ceremony, Ciphertext, Contribution, DecodeTable, EncryptedCell, ReleasePolicy, Tally, combine,
    run_ceremony,
};

const CHAPTERS: usize = 250;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn batch(inner: u32, f: &mut impl FnMut()) -> Duration {
    let t = Instant::now();
    for _ in 0..inner {
        f();
    }
    t.elapsed() / inner
}

/// Median per call of `f` and of the baseline `base`, and the median of the ratios of adjacent
/// batches: measured alternately, so each ratio compares two neighbouring moments of a shared
/// machine's load.
fn paired(
    runs: usize,
    inner: u32,
    base: &mut impl FnMut(),
    mut f: impl FnMut(),
) -> (Duration, Duration, f64) {
    let mut ours = Vec::with_capacity(runs);
    let mut theirs = Vec::with_capacity(runs);
    let mut ratios = Vec::with_capacity(runs);
    for _ in 0..runs {
        let b = batch(50, base);
        let o = batch(inner, &mut f);
        ratios.push(o.as_secs_f64() / b.as_secs_f64());
        theirs.push(b);
        ours.push(o);
    }
    ratios.sort_by(f64::total_cmp);
    (median(ours), median(theirs), ratios[runs / 2])
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

    println!("encrypted small cells, ristretto255 (elastic-elgamal), medians per call;");
    println!("ratio = median over alternating batches of (operation / one variable-base scalar");
    println!("multiplication measured just before it):");
    for (what, ours, base, ratio) in rows {
        println!("  {what:<40} {ours:>10.2?}  {ratio:>9.1}x  (scalar mult {base:.2?})");
    }
}
