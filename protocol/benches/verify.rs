//! Benchmark: national's verification of a 250-chapter, 10-region rollup tree from its bundle
//! bytes (parse, hash each document once, open each once, check every certificate, recipient,
//! period, revocation and sum), beside baselines measured in the same run over the same
//! signatures: raw Ed25519 batch verification (`ed25519_dalek::verify_batch`) and one
//! `verify_strict` per signature. Figures read as ratios (docs/performance.md): of medians of
//! wall-clock time, and of processor time summed over all threads.
//!
//! `cargo bench -p shopfloor-protocol --bench verify`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, VerifyingKey};
use jiff::Timestamp;
use shopfloor_protocol::envelope::pae;
use shopfloor_protocol::rollup::{self, Bundle, Documents, verify_bytes};
use shopfloor_protocol::testkit::{Party, bulky_report};
use shopfloor_protocol::{Card, Document, Envelope, Kind, PartyId, Period, Report};

const REGIONS: usize = 10;
const CHAPTERS_PER_REGION: usize = 25;

struct Fixture {
    root: Card,
    bundle: Vec<u8>,
    messages: Vec<Vec<u8>>,
    signatures: Vec<Signature>,
    keys: Vec<VerifyingKey>,
}

fn fixture() -> Fixture {
    let now = Timestamp::now();
    let period: Period = "2026-10".parse().unwrap();
    let national = Party::new("national", Kind::National, "National", None).unwrap();
    let mut cards: Vec<Card> = vec![national.card.clone()];
    let mut docs = Documents::new();
    let mut regions = Vec::new();
    for r in 0..REGIONS {
        let hub = Party::new(&format!("region-{r}"), Kind::Regional, "Region", None).unwrap();
        let mut kids = Vec::new();
        for c in 0..CHAPTERS_PER_REGION {
            let ch =
                Party::new(&format!("r{r}-c{c}"), Kind::Chapter, "Chapter", Some("GA")).unwrap();
            let seed = (r * 1000 + c) as u64;
            let report = bulky_report(&ch.card.id, &hub.card.id, period, now, seed, "13");
            let cert = hub.certify(&ch.card, c as u64 + 1, now).unwrap();
            kids.push(ch.child(cert, Envelope::sign(&report, &ch.keys)));
            cards.push(ch.card.clone());
        }
        let expected: Vec<PartyId> = kids.iter().map(|k| k.id.clone()).collect();
        let (env, _) = rollup::build(
            &hub.card,
            &hub.keys,
            Some(national.card.id.clone()),
            period,
            1,
            now,
            expected,
            kids,
            &mut docs,
            Vec::new(),
        )
        .unwrap();
        let cert = national.certify(&hub.card, r as u64 + 1, now).unwrap();
        cards.push(hub.card.clone());
        regions.push(hub.child(cert, env));
    }
    let expected: Vec<PartyId> = regions.iter().map(|k| k.id.clone()).collect();
    let (top, tree) = rollup::build(
        &national.card,
        &national.keys,
        None,
        period,
        1,
        now,
        expected,
        regions,
        &mut docs,
        Vec::new(),
    )
    .unwrap();
    let bundle = Bundle::for_tree(top, Vec::new(), Vec::new(), &tree, &docs).unwrap();
    // The same signatures, raw: every envelope's PAE message, signature and signer key.
    let by_keyid: HashMap<String, VerifyingKey> = cards
        .iter()
        .map(|c| {
            (
                c.key_id().as_str().to_owned(),
                VerifyingKey::from_bytes(&c.signing_key.to_bytes()).unwrap(),
            )
        })
        .collect();
    let (mut messages, mut signatures, mut keys) = (Vec::new(), Vec::new(), Vec::new());
    for env in std::iter::once(&bundle.document).chain(&bundle.documents) {
        let wire = env.to_value();
        let payload = B64.decode(wire["payload"].as_str().unwrap()).unwrap();
        let sig = &wire["signatures"][0];
        let bytes: [u8; 64] = B64
            .decode(sig["sig"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        messages.push(pae(env.payload_type(), &payload));
        signatures.push(Signature::from_bytes(&bytes));
        keys.push(by_keyid[sig["keyid"].as_str().unwrap()]);
    }
    Fixture {
        root: national.card,
        bundle: bundle.to_json(),
        messages,
        signatures,
        keys,
    }
}

/// Median of `runs` timings of `f`.
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

fn main() {
    let fx = fixture();
    let msgs: Vec<&[u8]> = fx.messages.iter().map(Vec::as_slice).collect();
    let runs = 15;
    // Warm up once each.
    verify_bytes(&fx.bundle, &fx.root, None).unwrap();
    ed25519_dalek::verify_batch(&msgs, &fx.signatures, &fx.keys).unwrap();

    let cpu_before = cpu_ticks();
    let full = median(runs, || {
        let s = verify_bytes(black_box(&fx.bundle), &fx.root, None).unwrap();
        assert_eq!(s.chapters, REGIONS * CHAPTERS_PER_REGION);
    });
    let cpu_full = cpu_ticks();
    let batch = median(runs, || {
        ed25519_dalek::verify_batch(black_box(&msgs), &fx.signatures, &fx.keys).unwrap();
    });
    let cpu_batch = cpu_ticks();
    let strict = median(runs, || {
        for ((m, s), k) in msgs.iter().zip(&fx.signatures).zip(&fx.keys) {
            k.verify_strict(black_box(m), s).unwrap();
        }
    });
    // Where the time goes: parsing the bundle, hashing every document, parsing every report.
    let parse = median(runs, || {
        black_box(Bundle::from_json(black_box(&fx.bundle)).unwrap());
    });
    let bundle = Bundle::from_json(&fx.bundle).unwrap();
    let hash = median(runs, || {
        black_box(Documents::from_envelopes(bundle.documents.clone()).unwrap());
    });
    let payloads: Vec<Vec<u8>> = fx
        .messages
        .iter()
        .filter(|m| m.windows(13).any(|w| w == b"report.v1+jso"))
        .map(|m| {
            let start = m.iter().position(|&b| b == b'{').unwrap();
            m[start..].to_vec()
        })
        .collect();
    let reports = median(runs, || {
        for p in &payloads {
            black_box(<Report as Document>::from_payload(black_box(p)).unwrap());
        }
    });
    let mb = fx.bundle.len() as f64 / 1e6;
    println!(
        "national verification, {} chapters in {REGIONS} regions, bundle {mb:.1} MB, {} signatures:",
        REGIONS * CHAPTERS_PER_REGION,
        fx.messages.len()
    );
    println!("  verify_bytes (whole tree)     {full:>10.2?}");
    println!("  raw verify_batch (baseline)   {batch:>10.2?}");
    println!("  raw verify_strict, one each   {strict:>10.2?}");
    println!("  of which: parse bundle JSON   {parse:>10.2?}");
    println!("            digest documents    {hash:>10.2?} (includes cloning them)");
    println!(
        "            parse {} reports  {reports:>10.2?}",
        payloads.len()
    );
    println!(
        "  ratio: {:.2}x raw batch, {:.2}x raw strict",
        full.as_secs_f64() / batch.as_secs_f64(),
        full.as_secs_f64() / strict.as_secs_f64()
    );
    // Processor time, all threads: what the work costs whatever else the machine is doing
    // (wall-clock ratios swing with other load on a shared machine).
    if let (Some(a), Some(b), Some(c)) = (cpu_before, cpu_full, cpu_batch) {
        let per_run = |ticks: u64| ticks as f64 * 10.0 / runs as f64;
        println!(
            "  processor time per run: whole tree {:.0} ms, raw batch {:.0} ms: {:.2}x",
            per_run(b - a),
            per_run(c - b),
            (b - a) as f64 / (c - b).max(1) as f64
        );
    }
}

/// User and system time of this process so far, all threads, in clock ticks (Linux: 1/100 s);
/// `None` where /proc is not there.
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split(' ').collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}
