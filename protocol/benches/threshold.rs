//! Benchmark: encrypted small cells (issue 14) beside raw ristretto255 operations measured in the
//! same run. Operations: one cell's encryption with its range proof and that proof's
//! verification (bound 5 = k for a primary-suppressed cell; bound 1,000 for a table total), a
//! 250-chapter tally and its check (which verifies all 250 range proofs), the bare product of 250
//! ciphertexts, one trustee's decryption share and its verification, combining two shares and
//! decoding, and building the 100,000-value decode table. Baselines: one constant-time
//! variable-base scalar multiplication (`element * scalar`) and one fixed-base one
//! (`mul_generator`). Figures are medians of wall-clock time; ratios are to the variable-base
//! multiplication (docs/performance.md).
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

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// Median per call over `runs` batches of `inner` calls (for operations of microseconds).
fn per_call(runs: usize, inner: u32, mut f: impl FnMut()) -> Duration {
    median(runs, || {
        for _ in 0..inner {
            f();
        }
    }) / inner
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

    // Baselines.
    let mut rng = ChaCha20Rng::from_seed([7; 32]);
    let scalar = Ristretto::generate_scalar(&mut rng);
    let point = Ristretto::mul_generator(&Ristretto::generate_scalar(&mut rng));
    let runs = 31;
    let scalar_mul = per_call(runs, 200, || {
        black_box(black_box(point) * black_box(&scalar));
    });
    let base_mul = per_call(runs, 200, || {
        black_box(Ristretto::mul_generator(black_box(&scalar)));
    });

    let encrypt5 = per_call(runs, 20, || {
        black_box(EncryptedCell::encrypt(&key, 3, 5).unwrap());
    });
    let cell5 = EncryptedCell::encrypt(&key, 3, 5).unwrap();
    let verify5 = per_call(runs, 20, || cell5.verify(&key).unwrap());
    let encrypt1000 = per_call(runs, 10, || {
        black_box(EncryptedCell::encrypt(&key, 777, 1_000).unwrap());
    });
    let cell1000 = EncryptedCell::encrypt(&key, 777, 1_000).unwrap();
    let verify1000 = per_call(runs, 10, || cell1000.verify(&key).unwrap());

    let tally_runs = 7;
    let tally_of = median(tally_runs, || {
        black_box(Tally::of_cells(&key, black_box(&cells)).unwrap());
    });
    let tally_check = median(tally_runs, || tally.check_cells(&key, &cells).unwrap());
    let cts: Vec<Ciphertext> = cells.iter().map(|c| c.cell.ciphertext).collect();
    let product = per_call(runs, 20, || {
        black_box(cts.iter().fold(Ciphertext::zero(), |a, c| a + *c));
    });

    let share = per_call(runs, 20, || {
        black_box(trustees[1].share(&tally, &policy).unwrap());
    });
    let s0 = trustees[0].share(&tally, &policy).unwrap();
    let s2 = trustees[2].share(&tally, &policy).unwrap();
    let share_verify = per_call(runs, 20, || {
        black_box(key.verify_share(&tally.ciphertext, &s0).unwrap());
    });
    let shares = [s0, s2];
    let combined = per_call(runs, 10, || {
        assert_eq!(combine(&key, &tally, &shares, &table).unwrap(), expected);
    });
    let table_build = median(3, || {
        black_box(DecodeTable::new(100_000).unwrap());
    });

    let r = |d: Duration| d.as_secs_f64() / scalar_mul.as_secs_f64();
    println!("encrypted small cells, ristretto255 (elastic-elgamal), medians:");
    println!("  baseline: one scalar multiplication      {scalar_mul:>10.2?}  (1x)");
    println!(
        "  baseline: one fixed-base multiplication  {base_mul:>10.2?}  ({:.2}x)",
        r(base_mul)
    );
    let line = |what: &str, d: Duration| println!("  {what:<40} {d:>10.2?}  ({:.1}x)", r(d));
    line("encrypt + range proof, bound 5", encrypt5);
    line("verify range proof, bound 5", verify5);
    line("encrypt + range proof, bound 1000", encrypt1000);
    line("verify range proof, bound 1000", verify1000);
    line(
        &format!("tally of {CHAPTERS} cells (verifies proofs)"),
        tally_of,
    );
    line(&format!("check a tally of {CHAPTERS} cells"), tally_check);
    line(&format!("bare product of {CHAPTERS} ciphertexts"), product);
    line("one trustee's decryption share", share);
    line("verify one decryption share", share_verify);
    line("combine 2 shares + decode (verifies)", combined);
    line("build the 100,000-value decode table", table_build);
}
