//! Benchmark: a hub ingesting 100 chapters' sealed reports (open the seal, verify signature,
//! certificate and revocation, validate the report and its disclosure control, check the chain,
//! store, append to the Merkle log, sign a receipt), beside baselines measured in the same run:
//! raw Ed25519 verification plus a raw SQLite insert of the same envelopes, and age decryption
//! alone. Figures read as ratios.
//!
//! `cargo bench -p shopfloor-hub`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rusqlite::{Connection, params};
use shopfloor_hub::Hub;
use shopfloor_hub::config::{InitOptions, Level, init};
use shopfloor_protocol::testkit::{Party, sample_report};
use shopfloor_protocol::{Envelope, Kind, Period, SealFormat, open, seal};

const CHAPTERS: usize = 100;

struct Fixture {
    _tmp: tempfile::TempDir,
    hub: Hub,
    sealed: Vec<Vec<u8>>,
    envelopes: Vec<(Envelope, shopfloor_protocol::PublicKey)>,
}

/// A national hub with `CHAPTERS` enrolled chapters and one sealed report from each.
fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("hub");
    init(
        &dir,
        &InitOptions {
            level: Level::National,
            name: "Bench National".into(),
            state: None,
            admin_password: Some("bench admin password".into()),
        },
    )
    .unwrap();
    let hub = Hub::open(&dir).unwrap();
    let period: Period = "2026-10".parse().unwrap();
    let mut sealed = Vec::new();
    let mut envelopes = Vec::new();
    for i in 0..CHAPTERS {
        let id = format!("chapter-{i}");
        let ch = Party::new(&id, Kind::Chapter, &id, Some("NC")).unwrap();
        let inv = shopfloor_hub::enroll::invite(&hub, &id, Kind::Chapter, "bench").unwrap();
        let sub = shopfloor_hub::enroll::submit(
            &hub,
            &shopfloor_hub::enroll::EnrollBody {
                card: ch.card.clone(),
                code: inv.code,
            },
        )
        .unwrap();
        shopfloor_hub::enroll::approve(&hub, &sub.id, "bench").unwrap();
        let report = sample_report(
            &ch.card.id,
            &hub.card().id,
            period,
            jiff::Timestamp::now(),
            1 + i as u64 % 7,
        );
        let env = Envelope::sign(&report, &ch.keys);
        sealed.push(
            seal(
                &env,
                &[hub.card().age_recipient.clone()],
                SealFormat::Binary,
            )
            .unwrap(),
        );
        envelopes.push((env, ch.card.signing_key));
    }
    Fixture {
        _tmp: tmp,
        hub,
        sealed,
        envelopes,
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("hub-ingest-100-reports");
    group.sample_size(10);
    group.bench_function(
        "shopfloor ingest (open, verify, validate, store, log, receipt)",
        |b| {
            b.iter_batched(
                fixture,
                |f| {
                    for s in &f.sealed {
                        black_box(shopfloor_hub::ingest::ingest(&f.hub, s).unwrap());
                    }
                    f
                },
                BatchSize::PerIteration,
            );
        },
    );
    group.bench_function("baseline: Ed25519 verify + raw SQLite insert, one transaction each", |b| {
        b.iter_batched(
            || {
                let f = fixture();
                let tmp = tempfile::tempdir().unwrap();
                let conn = Connection::open(tmp.path().join("raw.db")).unwrap();
                conn.execute_batch(
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
                     CREATE TABLE reports (id INTEGER PRIMARY KEY, digest TEXT UNIQUE, envelope BLOB);",
                )
                .unwrap();
                (f, tmp, conn)
            },
            |(f, tmp, mut conn)| {
                for (env, key) in &f.envelopes {
                    env.verify(key).unwrap();
                    let tx = conn.transaction().unwrap();
                    tx.execute(
                        "INSERT INTO reports (digest, envelope) VALUES (?1, ?2)",
                        params![env.digest().to_hex(), env.to_json()],
                    )
                    .unwrap();
                    tx.commit().unwrap();
                }
                (f, tmp, conn)
            },
            BatchSize::PerIteration,
        );
    });
    group.bench_function("baseline: age decryption alone", |b| {
        let f = fixture();
        let keys = shopfloor_protocol::SecretKeys::from_text(
            &std::fs::read_to_string(f._tmp.path().join("hub/keys.txt")).unwrap(),
        )
        .unwrap();
        b.iter(|| {
            for s in &f.sealed {
                black_box(open(s, &keys).unwrap());
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
