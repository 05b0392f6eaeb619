//! Known-answer vectors for encrypted small cells (`protocol/tests/vectors/threshold/*.json`).
//!
//! The files are committed (written once by `examples/make_threshold_vectors.rs`); nothing is
//! generated here. Each holds a joint key, chapters' encrypted cells, a claimed tally, trustees'
//! decryption shares and the outcome a verifier must reach: `"expect": "ok"` (and then the
//! decrypted `value`) or a reason code. The verifier re-checks the tally against the cells (every
//! range proof), applies the release rule, combines the shares and applies the rule again.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use shopfloor_protocol::Result;
use shopfloor_protocol::threshold::{
    Contribution, DecodeTable, DecryptionShare, JointKey, ReleasePolicy, Tally, combine,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Vector {
    description: String,
    joint_key: JointKey,
    k: u64,
    cells: Vec<Contribution>,
    tally: Tally,
    shares: Vec<DecryptionShare>,
    value: Option<u64>,
    expect: String,
}

fn vector_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/threshold")
}

/// What an offline verifier does with a published aggregate.
fn verify(v: &Vector, table: &DecodeTable) -> Result<u64> {
    let policy = ReleasePolicy::new(v.k)?;
    v.tally.check_cells(&v.joint_key, &v.cells)?;
    policy.may_decrypt(&v.tally.bounds())?;
    let value = combine(&v.joint_key, &v.tally, &v.shares, table)?;
    policy.may_publish(&v.tally.bounds(), value)?;
    Ok(value)
}

#[test]
fn threshold_vectors() {
    let table = DecodeTable::new(1_000).unwrap();
    let mut names: Vec<String> = fs::read_dir(vector_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    for required in [
        "threshold-tally.good.json",
        "threshold-share-wrong.bad.json",
        "threshold-tally-missing-child.bad.json",
        "threshold-cell-tampered.bad.json",
    ] {
        assert!(names.iter().any(|n| n == required), "missing {required}");
    }
    let (mut ok, mut bad) = (0, 0);
    for name in &names {
        let bytes = fs::read(vector_dir().join(name)).unwrap();
        let v: Vector =
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
        assert!(!v.description.is_empty(), "{name}: no description");
        let got = verify(&v, &table);
        if name.ends_with(".good.json") {
            assert_eq!(v.expect, "ok", "{name}");
            assert_eq!(got.ok(), v.value, "{name}: {}", v.description);
            ok += 1;
        } else {
            assert!(
                name.ends_with(".bad.json"),
                "{name}: .good.json or .bad.json"
            );
            let code = got.map_err(|e| e.reason().code()).err();
            assert_eq!(code, Some(v.expect.as_str()), "{name}: {}", v.description);
            bad += 1;
        }
    }
    assert!(ok >= 1 && bad >= 5, "too few vectors: {ok} good, {bad} bad");
}
