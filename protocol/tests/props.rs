//! Property tests: signatures, seals, parsers and rollup sums.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use shopfloor_protocol::registry::{self, Dim};
use shopfloor_protocol::report::{Cell, CellKey, Period, Report};
use shopfloor_protocol::rollup::{self, Bundle, Contribution};
use shopfloor_protocol::{Card, Document, Envelope, SealFormat, SecretKeys, open, seal};
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn keys() -> &'static (SecretKeys, SecretKeys) {
    static KEYS: OnceLock<(SecretKeys, SecretKeys)> = OnceLock::new();
    KEYS.get_or_init(|| {
        (
            SecretKeys::generate().unwrap(),
            SecretKeys::generate().unwrap(),
        )
    })
}

fn root() -> Card {
    let (k, _) = keys();
    k.card(
        "national".parse().unwrap(),
        shopfloor_protocol::Kind::National,
        "National",
        None,
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn sign_then_verify_round_trips(payload in proptest::collection::vec(any::<u8>(), 0..512), ty in "[a-z/.+-]{1,40}") {
        let (k, other) = keys();
        let env = Envelope::sign_bytes(&ty, payload.clone(), k);
        let parsed = Envelope::from_json(&env.to_json()).unwrap();
        prop_assert_eq!(parsed.verify(&k.public_key()).unwrap().payload(), &payload[..]);
        prop_assert!(parsed.verify(&other.public_key()).is_err());
    }

    #[test]
    fn any_payload_or_type_change_is_rejected(payload in proptest::collection::vec(any::<u8>(), 1..256), at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let (k, _) = keys();
        let env = Envelope::sign_bytes("application/test", payload.clone(), k);
        let mut changed = payload.clone();
        let i = at.index(changed.len());
        changed[i] ^= 1 << bit;
        let forged = Envelope::sign_bytes("application/test", changed, k);
        // Splice the original signature onto the changed payload.
        let mut v = forged.to_value();
        v["signatures"] = env.to_value()["signatures"].clone();
        let spliced = Envelope::from_json(&serde_json::to_vec(&v).unwrap()).unwrap();
        prop_assert!(spliced.verify(&k.public_key()).is_err());
        let mut w = env.to_value();
        w["payloadType"] = serde_json::json!("application/other");
        let retyped = Envelope::from_json(&serde_json::to_vec(&w).unwrap()).unwrap();
        prop_assert!(retyped.verify(&k.public_key()).is_err());
    }

    #[test]
    fn any_signature_byte_change_is_rejected(at in 0usize..64, bit in 0u8..8) {
        use base64::Engine as _;
        let (k, _) = keys();
        let env = Envelope::sign_bytes("application/test", b"payload".to_vec(), k);
        let mut v = env.to_value();
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut sig = b64.decode(v["signatures"][0]["sig"].as_str().unwrap()).unwrap();
        sig[at] ^= 1 << bit;
        v["signatures"][0]["sig"] = serde_json::json!(b64.encode(&sig));
        let changed = Envelope::from_json(&serde_json::to_vec(&v).unwrap()).unwrap();
        prop_assert!(changed.verify(&k.public_key()).is_err());
    }

    #[test]
    fn any_sealed_byte_change_is_rejected_or_detected(at in any::<prop::sample::Index>(), bit in 0u8..8, armored in any::<bool>()) {
        let (sender, hub) = keys();
        let env = Envelope::sign_bytes("application/test", b"aggregate".to_vec(), sender);
        let format = if armored { SealFormat::Armored } else { SealFormat::Binary };
        let mut sealed = seal(&env, &[hub.age_recipient()], format).unwrap();
        let i = at.index(sealed.len());
        sealed[i] ^= 1 << bit;
        // Either the seal breaks, or (armor whitespace/line-ending tolerance) the same
        // authenticated envelope comes out: never a different one.
        if let Ok(opened) = open(&sealed, hub) {
            prop_assert_eq!(opened, env);
        }
    }

    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let (_, hub) = keys();
        let _ = Envelope::from_json(&bytes);
        let _ = Card::from_json(&bytes);
        let _ = Report::from_payload(&bytes);
        let _ = rollup::Rollup::from_payload(&bytes);
        let _ = Bundle::from_json(&bytes);
        let _ = open(&bytes, hub);
        let _ = rollup::verify_bytes(&bytes, &root(), Some(hub));
        let _ = SecretKeys::from_text(&String::from_utf8_lossy(&bytes));
        let _ = String::from_utf8_lossy(&bytes).parse::<Period>();
    }

    #[test]
    fn json_shaped_garbage_never_panics(
        schema in prop::sample::select(vec!["shopfloor.report.v1", "shopfloor.rollup.v1", "shopfloor.bundle.v1", "shopfloor.report.v9"]),
        metric in "[a-z-]{0,20}", dim in "[a-z-]{0,12}", value in any::<i64>(), extra in any::<bool>()
    ) {
        let mut v = serde_json::json!({"schema": schema, "cells": [{"metric": metric, "dims": {dim: "x"}, "value": value}]});
        if extra { v["surprise"] = serde_json::json!(1); }
        let bytes = serde_json::to_vec(&v).unwrap();
        prop_assert!(Report::from_payload(&bytes).is_err());
        prop_assert!(rollup::Rollup::from_payload(&bytes).is_err());
        prop_assert!(Bundle::from_json(&bytes).is_err());
    }

    #[test]
    fn rollup_sums_equal_an_independent_sum(chapters in proptest::collection::vec(proptest::collection::vec(prop_oneof![Just(0u64), 5u64..50, Just(u64::MAX)], registry::SECTORS.len()), 1..6)) {
        let period: Period = "2026-10".parse().unwrap();
        let mut reports = Vec::new();
        for (n, counts) in chapters.iter().enumerate() {
            let mut cells = Vec::new();
            let mut total = 0u64;
            for (sector, v) in registry::SECTORS.iter().zip(counts) {
                // u64::MAX stands for "suppressed" here.
                let key = CellKey::new("members", &[(Dim::Sector, sector.code)]);
                if *v == u64::MAX {
                    cells.push(Cell { key, value: shopfloor_protocol::CellValue::Suppressed });
                    total += 3;
                } else {
                    if *v > 0 { cells.push(Cell::count(key, *v)); }
                    total += v;
                }
            }
            cells.push(Cell::count(CellKey::total("members"), total));
            let mut r = shopfloor_protocol::testkit::sample_report(&format!("ch{n}").parse().unwrap(), &"south".parse().unwrap(), period, jiff::Timestamp::now(), 1);
            r.cells = cells;
            r.validate().unwrap();
            reports.push(r);
        }
        let contributions: Vec<Contribution<'_>> = reports.iter().map(Contribution::Report).collect();
        let summed = rollup::sum(&contributions);
        // Independent sum.
        let mut expect: BTreeMap<CellKey, (u64, u32)> = BTreeMap::new();
        for r in &reports {
            for c in &r.cells {
                let e = expect.entry(c.key.clone()).or_default();
                match c.value.count() { Some(v) => e.0 += v, None => e.1 += 1 }
            }
        }
        prop_assert_eq!(summed.len(), expect.len());
        for s in &summed {
            prop_assert_eq!((s.sum, s.suppressed), expect[&s.key]);
        }
    }
}
